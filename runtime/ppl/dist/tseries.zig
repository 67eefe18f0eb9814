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
