//! Conditional log likelihoods of whole time series, each one density over the vector y with a
//! hand-written reverse pass (ONE tape node, O(N) work):
//!
//! * `ar(y | mu, phi, sigma)`: the autoregression of order p = len(phi) about the mean mu,
//!   y[t] - mu = sum_k phi[k] (y[t-1-k] - mu) + eps[t], eps ~ normal(0, sigma), conditioning on
//!   the first p values (the terms t = p .. N-1).
//! * `arma11(y | mu, phi, theta, sigma)`: the ARMA(1,1) model about the mean mu,
//!   y[t] - mu = phi (y[t-1] - mu) + theta eps[t-1] + eps[t], eps ~ normal(0, sigma), conditioning
//!   on y[0] with eps[0] = 0 (the terms t = 1 .. N-1; the innovations are found recursively).
//! * `garch11(y | mu, alpha0, alpha1, beta1, sigma1)`: y[t] ~ normal(mu, sigma[t]) with
//!   sigma[0] = sigma1 and sigma[t]^2 = alpha0 + alpha1 (y[t-1] - mu)^2 + beta1 sigma[t-1]^2;
//!   every y[t] contributes, the first with the given initial volatility.
//! * `local_level(y | sigma_level, sigma_obs, a1, p1)`: the Gaussian local-level model
//!   y[t] = m[t] + eps[t], m[t+1] = m[t] + eta[t], eps ~ normal(0, sigma_obs),
//!   eta ~ normal(0, sigma_level), m[0] ~ normal(a1, sqrt(p1)) (p1 is a variance), with the
//!   states integrated out by the Kalman filter (prediction-error decomposition).
//! * `local_linear_trend(y | sigma_level, sigma_slope, sigma_obs, a1_level, a1_slope, p1)`: the
//!   same with a slope, m[t+1] = m[t] + b[t] + eta[t], b[t+1] = b[t] + zeta[t],
//!   zeta ~ normal(0, sigma_slope), the initial level and slope independent normals about
//!   a1_level and a1_slope with variance p1 (a two-state Kalman filter).
//!
//! Every real operand may be data or a model real; partials come from the reverse recursions
//! written out below each filter.

const std = @import("std");
const ad = @import("../ad.zig");
const sp = @import("../special.zig");
const linalg = @import("../linalg.zig");
const common = @import("common.zig");
const math = std.math;

const Error = common.Error;

pub const ar = struct {
    pub const name = "ar";

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, phi: anytype, sigma: anytype) Error!S.Real {
        const n = y.len;
        const p = phi.len;
        if (n < p) return common.fail("{s}: y has {d} values, fewer than the order p = {d} (the length of phi)", .{ name, n, p });
        try common.checkFinite(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkFinite(name, "phi", phi);
        try common.checkPositiveFinite(name, "sigma", sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, phi, sigma })).init(.{ y, mu, phi, sigma });
        const G = @TypeOf(g);
        const m = ad.value(mu);
        const s = ad.value(sigma);
        var phi_sum: f64 = 0;
        for (0..p) |k| phi_sum += ad.value(phi[k]);
        var q: f64 = 0; // sum of squared residuals
        var d_mu: f64 = 0;
        var d_sigma: f64 = 0;
        for (p..n) |t| {
            var r = ad.value(y[t]) - m;
            for (0..p) |k| r -= ad.value(phi[k]) * (ad.value(y[t - 1 - k]) - m);
            q += r * r;
            const dr = -r / (s * s); // d lp / d r
            if (comptime G.wants(0)) {
                g.add(0, t, dr);
                for (0..p) |k| g.add(0, t - 1 - k, -dr * ad.value(phi[k]));
            }
            if (comptime G.wants(2)) {
                for (0..p) |k| g.add(2, k, -dr * (ad.value(y[t - 1 - k]) - m));
            }
            d_mu += dr * (phi_sum - 1);
            d_sigma += (r * r / (s * s) - 1) / s;
        }
        const terms: f64 = @floatFromInt(n - p);
        if (comptime G.wants(1)) g.add(1, 0, d_mu);
        if (comptime G.wants(3)) g.add(3, 0, d_sigma);
        return g.finish(-0.5 * q / (s * s) - terms * (@log(s) + sp.log_sqrt_2pi));
    }
};

pub const arma11 = struct {
    pub const name = "arma11";

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, phi: anytype, theta: anytype, sigma: anytype) Error!S.Real {
        const n = y.len;
        try common.checkFinite(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkFinite(name, "phi", phi);
        try common.checkFinite(name, "theta", theta);
        try common.checkPositiveFinite(name, "sigma", sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, phi, theta, sigma })).init(.{ y, mu, phi, theta, sigma });
        const G = @TypeOf(g);
        if (n < 2) return g.finish(0);
        const m = ad.value(mu);
        const ph = ad.value(phi);
        const th = ad.value(theta);
        const s = ad.value(sigma);
        const eps = linalg.scratch(n); // innovations, eps[0] = 0
        eps[0] = 0;
        var q: f64 = 0;
        for (1..n) |t| {
            eps[t] = ad.value(y[t]) - m - ph * (ad.value(y[t - 1]) - m) - th * eps[t - 1];
            q += eps[t] * eps[t];
        }
        const terms: f64 = @floatFromInt(n - 1);
        const lp = -0.5 * q / (s * s) - terms * (@log(s) + sp.log_sqrt_2pi);
        if (comptime G.wants(0) or G.wants(1) or G.wants(2) or G.wants(3) or G.wants(4)) {
            // e_bar = d lp / d eps[t] through eps[t] and every later innovation
            var e_bar: f64 = 0;
            var d_mu: f64 = 0;
            var d_phi: f64 = 0;
            var d_theta: f64 = 0;
            var t = n;
            while (t > 1) {
                t -= 1;
                e_bar = -eps[t] / (s * s) - th * e_bar;
                g.add(0, t, e_bar);
                g.add(0, t - 1, -ph * e_bar);
                d_mu += e_bar * (ph - 1);
                d_phi -= e_bar * (ad.value(y[t - 1]) - m);
                d_theta -= e_bar * eps[t - 1];
            }
            g.add(1, 0, d_mu);
            g.add(2, 0, d_phi);
            g.add(3, 0, d_theta);
            g.add(4, 0, q / (s * s * s) - terms / s);
        }
        return g.finish(lp);
    }
};

pub const garch11 = struct {
    pub const name = "garch11";

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, alpha0: anytype, alpha1: anytype, beta1: anytype, sigma1: anytype) Error!S.Real {
        const n = y.len;
        try common.checkFinite(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "alpha0", alpha0);
        try common.checkProbability(name, "alpha1", alpha1);
        try common.checkProbability(name, "beta1", beta1);
        try common.checkPositiveFinite(name, "sigma1", sigma1);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, alpha0, alpha1, beta1, sigma1 })).init(.{ y, mu, alpha0, alpha1, beta1, sigma1 });
        const G = @TypeOf(g);
        if (n == 0) return g.finish(0);
        const m = ad.value(mu);
        const a0 = ad.value(alpha0);
        const a1 = ad.value(alpha1);
        const b1 = ad.value(beta1);
        const s1 = ad.value(sigma1);
        const h = linalg.scratch(n); // conditional variances sigma[t]^2
        var lp: f64 = 0;
        for (0..n) |t| {
            if (t == 0) {
                h[0] = s1 * s1;
            } else {
                const e_prev = ad.value(y[t - 1]) - m;
                h[t] = a0 + a1 * e_prev * e_prev + b1 * h[t - 1];
            }
            const e = ad.value(y[t]) - m;
            lp -= 0.5 * (@log(h[t]) + e * e / h[t]);
        }
        lp -= @as(f64, @floatFromInt(n)) * sp.log_sqrt_2pi;
        if (comptime G.wants(0) or G.wants(1) or G.wants(2) or G.wants(3) or G.wants(4) or G.wants(5)) {
            // reverse: hb = d lp / d h[t] through h[t] and every later variance
            var hb: f64 = 0;
            var d_mu: f64 = 0;
            var d_a0: f64 = 0;
            var d_a1: f64 = 0;
            var d_b1: f64 = 0;
            var t = n;
            while (t > 0) {
                t -= 1;
                const e = ad.value(y[t]) - m;
                // e[t] enters its own term and (t < n-1) the variance h[t+1] (whose hb is held)
                var de = -e / h[t];
                if (t + 1 < n) de += hb * 2 * a1 * e;
                hb = (if (t + 1 < n) hb * b1 else 0) + 0.5 * (e * e / h[t] - 1) / h[t];
                if (t > 0) {
                    const e_prev = ad.value(y[t - 1]) - m;
                    d_a0 += hb;
                    d_a1 += hb * e_prev * e_prev;
                    d_b1 += hb * h[t - 1];
                }
                g.add(0, t, de);
                d_mu -= de;
            }
            g.add(1, 0, d_mu);
            g.add(2, 0, d_a0);
            g.add(3, 0, d_a1);
            g.add(4, 0, d_b1);
            g.add(5, 0, hb * 2 * s1);
        }
        return g.finish(lp);
    }
};

pub const local_level = struct {
    pub const name = "local_level";

    pub fn lpdf(comptime S: type, y: anytype, sigma_level: anytype, sigma_obs: anytype, a1: anytype, p1: anytype) Error!S.Real {
        const n = y.len;
        try common.checkFinite(name, "y", y);
        try common.checkPositiveFinite(name, "sigma_level", sigma_level);
        try common.checkPositiveFinite(name, "sigma_obs", sigma_obs);
        try common.checkFinite(name, "a1", a1);
        try common.checkPositiveFinite(name, "p1", p1);
        var g = ad.Grad(S, @TypeOf(.{ y, sigma_level, sigma_obs, a1, p1 })).init(.{ y, sigma_level, sigma_obs, a1, p1 });
        const G = @TypeOf(g);
        if (n == 0) return g.finish(0);
        const s_l = ad.value(sigma_level);
        const s_o = ad.value(sigma_obs);
        const q_l = s_l * s_l;
        const q_o = s_o * s_o;
        const work = linalg.scratch(3 * n);
        const pv = work[0..n]; // predicted state variance P[t]
        const v = work[n .. 2 * n]; // prediction error y[t] - a[t]
        const f = work[2 * n .. 3 * n]; // its variance F[t] = P[t] + sigma_obs^2
        var a = ad.value(a1);
        var pt = ad.value(p1);
        var lp: f64 = 0;
        for (0..n) |t| {
            pv[t] = pt;
            v[t] = ad.value(y[t]) - a;
            f[t] = pt + q_o;
            lp -= 0.5 * (@log(f[t]) + v[t] * v[t] / f[t]);
            a += pt * v[t] / f[t];
            pt = pt * q_o / f[t] + q_l;
        }
        lp -= @as(f64, @floatFromInt(n)) * sp.log_sqrt_2pi;
        if (comptime G.wants(0) or G.wants(1) or G.wants(2) or G.wants(3) or G.wants(4)) {
            // adjoints of the state (a, P) after step t, carried backwards
            var a_bar: f64 = 0;
            var p_bar: f64 = 0;
            var ql_bar: f64 = 0;
            var qo_bar: f64 = 0;
            var t = n;
            while (t > 0) {
                t -= 1;
                const pp = pv[t];
                const ff = f[t];
                const vv = v[t];
                // a' = a + P v / F, P' = P q_o / F + q_l, lp_t = -(log F + v^2 / F) / 2
                const v_bar = -vv / ff + a_bar * pp / ff;
                const f_bar = 0.5 * (vv * vv / ff - 1) / ff - a_bar * pp * vv / (ff * ff) - p_bar * pp * q_o / (ff * ff);
                ql_bar += p_bar;
                qo_bar += f_bar + p_bar * pp / ff;
                const p_prev_bar = a_bar * vv / ff + p_bar * q_o / ff + f_bar;
                g.add(0, t, v_bar);
                a_bar -= v_bar;
                p_bar = p_prev_bar;
            }
            g.add(1, 0, ql_bar * 2 * s_l);
            g.add(2, 0, qo_bar * 2 * s_o);
            g.add(3, 0, a_bar);
            g.add(4, 0, p_bar);
        }
        return g.finish(lp);
    }
};

pub const local_linear_trend = struct {
    pub const name = "local_linear_trend";

    pub fn lpdf(comptime S: type, y: anytype, sigma_level: anytype, sigma_slope: anytype, sigma_obs: anytype, a1_level: anytype, a1_slope: anytype, p1: anytype) Error!S.Real {
        const n = y.len;
        try common.checkFinite(name, "y", y);
        try common.checkPositiveFinite(name, "sigma_level", sigma_level);
        try common.checkPositiveFinite(name, "sigma_slope", sigma_slope);
        try common.checkPositiveFinite(name, "sigma_obs", sigma_obs);
        try common.checkFinite(name, "a1_level", a1_level);
        try common.checkFinite(name, "a1_slope", a1_slope);
        try common.checkPositiveFinite(name, "p1", p1);
        const args = .{ y, sigma_level, sigma_slope, sigma_obs, a1_level, a1_slope, p1 };
        var g = ad.Grad(S, @TypeOf(args)).init(args);
        const G = @TypeOf(g);
        if (n == 0) return g.finish(0);
        const q = [3]f64{ sq(ad.value(sigma_level)), sq(ad.value(sigma_slope)), sq(ad.value(sigma_obs)) };
        const st = linalg.scratch(5 * n); // per step: predicted P11, P12, P22, then v and F
        var a = [2]f64{ ad.value(a1_level), ad.value(a1_slope) };
        var pm = [3]f64{ ad.value(p1), 0, ad.value(p1) }; // P11, P12, P22
        var lp: f64 = 0;
        for (0..n) |t| {
            const v = ad.value(y[t]) - a[0];
            const f = pm[0] + q[2];
            @memcpy(st[5 * t .. 5 * t + 3], &pm);
            st[5 * t + 3] = v;
            st[5 * t + 4] = f;
            lp -= 0.5 * (@log(f) + v * v / f);
            // update with y[t], then predict through level' = level + slope, slope' = slope
            const ul = a[0] + pm[0] * v / f;
            const ub = a[1] + pm[1] * v / f;
            const w11 = pm[0] - pm[0] * pm[0] / f;
            const w12 = pm[1] - pm[0] * pm[1] / f;
            const w22 = pm[2] - pm[1] * pm[1] / f;
            a = .{ ul + ub, ub };
            pm = .{ w11 + 2 * w12 + w22 + q[0], w12 + w22, w22 + q[1] };
        }
        lp -= @as(f64, @floatFromInt(n)) * sp.log_sqrt_2pi;
        if (comptime G.wants(0) or G.wants(1) or G.wants(2) or G.wants(3) or G.wants(4) or G.wants(5) or G.wants(6)) {
            const r = reverse(G, &g, st, n);
            g.add(1, 0, r.q_bar[0] * 2 * ad.value(sigma_level));
            g.add(2, 0, r.q_bar[1] * 2 * ad.value(sigma_slope));
            g.add(3, 0, r.q_bar[2] * 2 * ad.value(sigma_obs));
            g.add(4, 0, r.a_bar[0]);
            g.add(5, 0, r.a_bar[1]);
            g.add(6, 0, r.p_bar[0] + r.p_bar[2]); // P1 = diag(p1, p1)
        }
        return g.finish(lp);
    }

    inline fn sq(x: f64) f64 {
        return x * x;
    }

    const Adjoints = struct { a_bar: [2]f64, p_bar: [3]f64, q_bar: [3]f64 };

    /// The reverse sweep of the filter: adds d lp / d y[t] to operand 0 and returns the
    /// adjoints of the initial state (a, P) and of the three variances.
    fn reverse(comptime G: type, g: *G, st: []const f64, n: usize) Adjoints {
        var ab = [2]f64{ 0, 0 }; // adjoints of the predicted state after step t
        var pb = [3]f64{ 0, 0, 0 };
        var qb = [3]f64{ 0, 0, 0 };
        var t = n;
        while (t > 0) {
            t -= 1;
            const p11 = st[5 * t];
            const p12 = st[5 * t + 1];
            const v = st[5 * t + 3];
            const f = st[5 * t + 4];
            // through the prediction
            const ul_bar = ab[0];
            const ub_bar = ab[0] + ab[1];
            const u11_bar = pb[0];
            const u12_bar = 2 * pb[0] + pb[1];
            const u22_bar = pb[0] + pb[1] + pb[2];
            qb[0] += pb[0];
            qb[1] += pb[2];
            // through the update and the step's own term
            const v_bar = -v / f + (ul_bar * p11 + ub_bar * p12) / f;
            const f2 = f * f;
            const f_bar = 0.5 * (v * v / f - 1) / f - (ul_bar * p11 + ub_bar * p12) * v / f2 + (u11_bar * p11 * p11 + u12_bar * p11 * p12 + u22_bar * p12 * p12) / f2;
            qb[2] += f_bar;
            g.add(0, t, v_bar);
            ab = .{ ul_bar - v_bar, ub_bar };
            pb = .{
                ul_bar * v / f + u11_bar * (1 - 2 * p11 / f) - u12_bar * p12 / f + f_bar,
                ub_bar * v / f + u12_bar * (1 - p11 / f) - u22_bar * 2 * p12 / f,
                u22_bar,
            };
        }
        return .{ .a_bar = ab, .p_bar = pb, .q_bar = qb };
    }
};

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const tu = @import("testutil.zig");
const continuous = @import("continuous.zig");
const F64 = ad.F64;
const testing = std.testing;

const series = [_]f64{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, -0.5, 0.7 };

test "ar equals the sum of normal terms given the first p values" {
    const y: []const f64 = &series;
    const phi = [_]f64{ 0.5, -0.2 };
    var ref: f64 = 0;
    for (2..series.len) |t| {
        const mean = 0.1 + phi[0] * (series[t - 1] - 0.1) + phi[1] * (series[t - 2] - 0.1);
        ref += try continuous.normal.lpdf(F64, series[t], mean, 0.8);
    }
    try tu.expectRel(ref, try ar.lpdf(F64, y, 0.1, @as([]const f64, &phi), 0.8), 1e-14);
    try testing.expectError(error.InvalidParameter, ar.lpdf(F64, y[0..1], 0.1, @as([]const f64, &phi), 0.8));
    try testing.expectEqualStrings("ar: y has 1 values, fewer than the order p = 2 (the length of phi)", common.lastError());
    try testing.expectError(error.InvalidParameter, ar.lpdf(F64, y, 0.1, @as([]const f64, &phi), 0.0));
}

test "ar gradients (y, mu, phi, sigma) against forward mode and finite differences" {
    const F = struct {
        pub const n = 5 + 1 + 2 + 1;
        pub fn eval(comptime S: type, x: [n]S.Real) !S.Real {
            return ar.lpdf(S, @as([]const S.Real, x[0..5]), x[5], @as([]const S.Real, x[6..8]), x[8]);
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, 0.5, -0.2, 0.8 }, .{ 1, 2, 0.5, -1, 0, -0.3, 0.9, 0.05, 1.7 } });
}

test "arma11 equals the sum of normal innovations given y[0] (and a zero first innovation)" {
    defer linalg.freeScratch();
    const y: []const f64 = &series;
    var ref: f64 = 0;
    var e_prev: f64 = 0;
    for (1..series.len) |t| {
        const mean = 0.1 + 0.5 * (series[t - 1] - 0.1) + 0.3 * e_prev;
        ref += try continuous.normal.lpdf(F64, series[t], mean, 0.8);
        e_prev = series[t] - mean;
    }
    try tu.expectRel(ref, try arma11.lpdf(F64, y, 0.1, 0.5, 0.3, 0.8), 1e-14);
    try testing.expectEqual(@as(f64, 0), try arma11.lpdf(F64, y[0..1], 0.1, 0.5, 0.3, 0.8));
}

test "arma11 gradients against forward mode and finite differences" {
    defer linalg.freeScratch();
    const F = struct {
        pub const n = 6 + 4;
        pub fn eval(comptime S: type, x: [n]S.Real) !S.Real {
            return arma11.lpdf(S, @as([]const S.Real, x[0..6]), x[6], x[7], x[8], x[9]);
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, 0.1, 0.5, 0.3, 0.8 }, .{ -1, 0.5, 2, 0, 0.1, -0.7, -0.2, -0.4, 0.7, 1.5 } });
}

test "garch11 equals the sum of normal terms with the recursive volatility" {
    const y: []const f64 = &series;
    var ref: f64 = 0;
    var h: f64 = 0.6 * 0.6;
    for (series, 0..) |yt, t| {
        if (t > 0) h = 0.2 + 0.3 * (series[t - 1] - 0.1) * (series[t - 1] - 0.1) + 0.5 * h;
        ref += try continuous.normal.lpdf(F64, yt, 0.1, @sqrt(h));
    }
    try tu.expectRel(ref, try garch11.lpdf(F64, y, 0.1, 0.2, 0.3, 0.5, 0.6), 1e-14);
    try testing.expectError(error.InvalidParameter, garch11.lpdf(F64, y, 0.1, 0.2, 1.3, 0.5, 0.6));
    try testing.expectEqualStrings("garch11: alpha1 must be in [0, 1], got 1.3", common.lastError());
}

test "garch11 gradients against forward mode and finite differences" {
    defer linalg.freeScratch();
    const F = struct {
        pub const n = 6 + 5;
        pub fn eval(comptime S: type, x: [n]S.Real) !S.Real {
            return garch11.lpdf(S, @as([]const S.Real, x[0..6]), x[6], x[7], x[8], x[9], x[10]);
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, 0.1, 0.2, 0.3, 0.5, 0.6 }, .{ -1, 0.5, 2, 0, 0.1, -0.7, -0.2, 0.9, 0.1, 0.8, 1.5 } });
}

/// The local-level log likelihood by brute force: y ~ multi_normal(a1 1, Sigma) with
/// Sigma[s][t] = p1 + q_l min(s, t) + q_o [s == t].
fn localLevelDense(y: []const f64, s_l: f64, s_o: f64, a1: f64, p1: f64) !f64 {
    const n = y.len;
    var sigma: [64]f64 = undefined;
    for (0..n) |s| for (0..n) |t| {
        sigma[s * n + t] = p1 + s_l * s_l * @as(f64, @floatFromInt(@min(s, t))) + (if (s == t) s_o * s_o else 0);
    };
    var mean: [8]f64 = undefined;
    @memset(mean[0..n], a1);
    const mv = @import("multivariate.zig");
    return mv.multi_normal.lpdf(F64, y, @as([]const f64, mean[0..n]), linalg.Matrix(f64){ .data = sigma[0 .. n * n], .rows = n, .cols = n });
}

test "local_level equals the joint normal density of the series" {
    defer linalg.freeScratch();
    const y: []const f64 = &series;
    const ref = try localLevelDense(y, 0.4, 0.7, 0.2, 2.0);
    try tu.expectRel(ref, try local_level.lpdf(F64, y, 0.4, 0.7, 0.2, 2.0), 1e-13);
    try testing.expectError(error.InvalidParameter, local_level.lpdf(F64, y, 0.4, -0.7, 0.2, 2.0));
    try testing.expectEqualStrings("local_level: sigma_obs must be positive and finite, got -0.7", common.lastError());
}

test "local_level gradients against forward mode and finite differences" {
    defer linalg.freeScratch();
    const F = struct {
        pub const n = 6 + 4;
        pub fn eval(comptime S: type, x: [n]S.Real) !S.Real {
            return local_level.lpdf(S, @as([]const S.Real, x[0..6]), x[6], x[7], x[8], x[9]);
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, 0.4, 0.7, 0.2, 2.0 }, .{ 2, 1, 0.5, 0, -1, -2, 1.3, 0.2, -0.5, 0.1 } });
}

/// The local-linear-trend log likelihood by brute force: y ~ multi_normal(m, Sigma) with
/// m[t] = a_l + t a_b and Cov(level[s], level[t]) = p1 (1 + s t) + q_l min(s, t)
/// + q_s sum_{u < min(s, t)} (s - 1 - u) (t - 1 - u), plus q_o on the diagonal.
fn localLinearTrendDense(y: []const f64, s_l: f64, s_s: f64, s_o: f64, a_l: f64, a_b: f64, p1: f64) !f64 {
    const n = y.len;
    var sigma: [64]f64 = undefined;
    var mean: [8]f64 = undefined;
    for (0..n) |i| {
        const fi: f64 = @floatFromInt(i);
        mean[i] = a_l + fi * a_b;
        for (0..n) |j| {
            const fj: f64 = @floatFromInt(j);
            var c = p1 * (1 + fi * fj) + s_l * s_l * @as(f64, @floatFromInt(@min(i, j)));
            for (0..@min(i, j)) |u| c += s_s * s_s * (fi - 1 - @as(f64, @floatFromInt(u))) * (fj - 1 - @as(f64, @floatFromInt(u)));
            if (i == j) c += s_o * s_o;
            sigma[i * n + j] = c;
        }
    }
    const mv = @import("multivariate.zig");
    return mv.multi_normal.lpdf(F64, y, @as([]const f64, mean[0..n]), linalg.Matrix(f64){ .data = sigma[0 .. n * n], .rows = n, .cols = n });
}

test "local_linear_trend equals the joint normal density of the series" {
    defer linalg.freeScratch();
    const y: []const f64 = &series;
    const ref = try localLinearTrendDense(y, 0.4, 0.2, 0.7, 0.2, -0.1, 2.0);
    try tu.expectRel(ref, try local_linear_trend.lpdf(F64, y, 0.4, 0.2, 0.7, 0.2, -0.1, 2.0), 1e-13);
    try testing.expectError(error.InvalidParameter, local_linear_trend.lpdf(F64, y, 0.4, 0.0, 0.7, 0.2, -0.1, 2.0));
    try testing.expectEqualStrings("local_linear_trend: sigma_slope must be positive and finite, got 0", common.lastError());
}

test "local_linear_trend gradients against forward mode and finite differences" {
    defer linalg.freeScratch();
    const F = struct {
        pub const n = 6 + 6;
        pub fn eval(comptime S: type, x: [n]S.Real) !S.Real {
            return local_linear_trend.lpdf(S, @as([]const S.Real, x[0..6]), x[6], x[7], x[8], x[9], x[10], x[11]);
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, 0.4, 0.2, 0.7, 0.2, -0.1, 2.0 }, .{ 2, 1, 0.5, 0, -1, -2, 1.3, 0.6, 0.2, -0.5, 0.3, 0.1 } });
}
