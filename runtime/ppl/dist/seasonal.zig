//! The local level with a dummy seasonal, `seasonal_local_level(y | sigma_level, sigma_season,
//! sigma_obs, period, a1, p1)`: one density over the series y with the states integrated out by
//! the Kalman filter (the exact Gaussian log likelihood, prediction-error decomposition):
//!
//!   y[t] = m[t] + g[t] + eps[t],                       eps ~ normal(0, sigma_obs)
//!   m[t+1] = m[t] + eta[t],                            eta ~ normal(0, sigma_level)
//!   g[t+1] = -(g[t] + g[t-1] + ... + g[t-s+2]) + w[t],  w ~ normal(0, sigma_season)
//!
//! with s = period >= 2, so the s seasonal effects sum to zero up to the noise w. The state is
//! (m[t], g[t], g[t-1], ..., g[t-s+2]), s numbers. The initialisation is stated, not diffuse:
//! the initial level is normal(a1, sqrt(p1)) and the s - 1 initial seasonal effects are
//! independent normal(0, sqrt(p1)) (p1 is a variance; a large p1 approximates a diffuse start).
//!
//! Gradients: the filter's covariances (P, F and the gains) depend only on the three variances
//! and p1, so they are differentiated in forward mode, four tangents carried beside the filter
//! (an s x s covariance per tangent; for the small states of seasonal periods this costs about
//! four filters and needs no per-step covariance storage, where a reverse pass would have to
//! keep s^2 numbers per step). The predicted means are affine in y and a1, so their partials
//! come from a reverse sweep of the mean recursion with the stored gains (O(N s) memory).

const std = @import("std");
const ad = @import("../ad.zig");
const sp = @import("../special.zig");
const linalg = @import("../linalg.zig");
const common = @import("common.zig");

const Error = common.Error;

/// The number of forward-mode tangents: sigma_level^2, sigma_season^2, sigma_obs^2, p1.
const n_tan = 4;

pub const seasonal_local_level = struct {
    pub const name = "seasonal_local_level";

    pub fn lpdf(comptime S: type, y: anytype, sigma_level: anytype, sigma_season: anytype, sigma_obs: anytype, period: anytype, a1: anytype, p1: anytype) Error!S.Real {
        try common.checkFinite(name, "y", y);
        try common.checkPositiveFinite(name, "sigma_level", sigma_level);
        try common.checkPositiveFinite(name, "sigma_season", sigma_season);
        try common.checkPositiveFinite(name, "sigma_obs", sigma_obs);
        try common.checkIntAtLeast(name, "period", period, 2);
        try common.checkFinite(name, "a1", a1);
        try common.checkPositiveFinite(name, "p1", p1);
        const args = .{ y, sigma_level, sigma_season, sigma_obs, period, a1, p1 };
        var g = ad.Grad(S, @TypeOf(args)).init(args);
        const G = @TypeOf(g);
        const n = y.len;
        if (n == 0) return g.finish(0);
        const m: usize = @intCast(period);
        const sd = [3]f64{ ad.value(sigma_level), ad.value(sigma_season), ad.value(sigma_obs) };
        const want_tan = comptime G.wants(1) or G.wants(2) or G.wants(3) or G.wants(6);
        var f = Filter.init(m, n, .{ sd[0] * sd[0], sd[1] * sd[1], sd[2] * sd[2] }, ad.value(a1), ad.value(p1), want_tan);
        var lp: f64 = 0;
        var dlp = [_]f64{0} ** n_tan;
        for (0..n) |t| f.step(t, ad.value(y[t]), &lp, &dlp);
        lp -= @as(f64, @floatFromInt(n)) * sp.log_sqrt_2pi;
        if (want_tan) {
            inline for (0..3) |k| g.add(1 + k, 0, dlp[k] * 2 * sd[k]);
            g.add(6, 0, dlp[3]);
        }
        if (comptime G.wants(0) or G.wants(5)) {
            const a1_bar = f.meanReverse(G, &g);
            g.add(5, 0, a1_bar);
        }
        return g.finish(lp);
    }

    /// The Kalman filter over the s-dimensional state, with the tangents of its covariance
    /// and mean in the directions of the four variances, and a record of each step's gain,
    /// prediction error and its variance for the reverse sweep. All storage is one scratch.
    const Filter = struct {
        m: usize,
        n: usize,
        q: [3]f64,
        tangents: bool,
        a: []f64,
        p: []f64,
        big_m: []f64,
        /// the tangents of a, P and M, n_tan of each, one after the other
        da: []f64,
        dp: []f64,
        dm: []f64,
        /// per step: the gain k = P Z' / F (m values), then v and F
        record: []f64,

        fn init(m: usize, n: usize, q: [3]f64, a1: f64, p1: f64, tangents: bool) Filter {
            const nt: usize = if (tangents) n_tan else 0;
            const sizes = [_]usize{ m, m * m, m, nt * m, nt * m * m, nt * m, n * (m + 2) };
            var total: usize = 0;
            for (sizes) |z| total += z;
            const buf = linalg.scratch(total);
            var parts: [sizes.len][]f64 = undefined;
            var at: usize = 0;
            for (sizes, 0..) |z, i| {
                parts[i] = buf[at .. at + z];
                at += z;
            }
            var f = Filter{ .m = m, .n = n, .q = q, .tangents = tangents, .a = parts[0], .p = parts[1], .big_m = parts[2], .da = parts[3], .dp = parts[4], .dm = parts[5], .record = parts[6] };
            @memset(f.a, 0);
            f.a[0] = a1;
            @memset(f.p, 0);
            for (0..m) |i| f.p[i * m + i] = p1;
            @memset(f.da, 0);
            @memset(f.dp, 0);
            // the p1 direction: d P1 / d p1 = I
            if (tangents) for (0..m) |i| {
                f.dp[3 * m * m + i * m + i] = 1;
            };
            return f;
        }

        /// One update with y[t] and one prediction; adds the step's log density (without the
        /// constant) to lp and its tangents to dlp.
        fn step(f: *Filter, t: usize, yt: f64, lp: *f64, dlp: *[n_tan]f64) void {
            const m = f.m;
            const v = yt - f.a[0] - f.a[1];
            for (0..m) |i| f.big_m[i] = f.p[i * m] + f.p[i * m + 1];
            const ff = f.big_m[0] + f.big_m[1] + f.q[2];
            lp.* -= 0.5 * (@log(ff) + v * v / ff);
            const rec = f.record[t * (m + 2) .. (t + 1) * (m + 2)];
            for (0..m) |i| rec[i] = f.big_m[i] / ff;
            rec[m] = v;
            rec[m + 1] = ff;
            if (f.tangents) for (0..n_tan) |d| f.tangentStep(d, v, ff, dlp);
            // update: a += M v / F, P -= M M' / F
            for (0..m) |i| f.a[i] += f.big_m[i] * v / ff;
            for (0..m) |i| for (0..m) |j| {
                f.p[i * m + j] -= f.big_m[i] * f.big_m[j] / ff;
            };
            // predict: a = T a, P = T P T' + Q
            transition(f.a, 1);
            sandwich(f.p, m);
            f.p[0] += f.q[0];
            f.p[m + 1] += f.q[1];
        }

        /// The tangent of `step` in direction d (before the state itself is updated).
        fn tangentStep(f: *Filter, d: usize, v: f64, ff: f64, dlp: *[n_tan]f64) void {
            const m = f.m;
            const da = f.da[d * m .. (d + 1) * m];
            const dp = f.dp[d * m * m .. (d + 1) * m * m];
            const dm = f.dm[d * m .. (d + 1) * m];
            const big_m = f.big_m;
            const dv = -(da[0] + da[1]);
            for (0..m) |i| dm[i] = dp[i * m] + dp[i * m + 1];
            const dff = dm[0] + dm[1] + (if (d == 2) @as(f64, 1) else 0);
            dlp[d] -= 0.5 * (dff / ff + 2 * v * dv / ff - v * v * dff / (ff * ff));
            for (0..m) |i| da[i] += (dm[i] * v + big_m[i] * dv) / ff - big_m[i] * v * dff / (ff * ff);
            for (0..m) |i| for (0..m) |j| {
                dp[i * m + j] += -(dm[i] * big_m[j] + big_m[i] * dm[j]) / ff + big_m[i] * big_m[j] * dff / (ff * ff);
            };
            transition(da, 1);
            sandwich(dp, m);
            if (d == 0) dp[0] += 1;
            if (d == 1) dp[m + 1] += 1;
        }

        /// The reverse sweep of the predicted means (affine in y and a1): adds d lp / d y[t]
        /// to operand 0 and returns d lp / d a1.
        fn meanReverse(f: *Filter, comptime G: type, g: *G) f64 {
            const m = f.m;
            const a_bar = f.a; // the filter is done with the state: reuse its storage
            const au_bar = f.big_m;
            @memset(a_bar, 0);
            var t = f.n;
            while (t > 0) {
                t -= 1;
                const rec = f.record[t * (m + 2) .. (t + 1) * (m + 2)];
                // through the prediction a' = T a_u
                transposedTransition(a_bar, au_bar);
                // through the update a_u = a + k v and the term -v^2 / (2 F)
                var v_bar = -rec[m] / rec[m + 1];
                for (0..m) |i| v_bar += rec[i] * au_bar[i];
                @memcpy(a_bar, au_bar);
                a_bar[0] -= v_bar;
                a_bar[1] -= v_bar;
                g.add(0, t, v_bar);
            }
            return a_bar[0];
        }
    };

    /// x = T x in place for the vector x[0], x[stride], ..., x[(s-1) stride]: the level stays,
    /// the new seasonal effect is minus the sum of the last s - 1, the others shift down.
    fn transition(x: []f64, stride: usize) void {
        const m = (x.len - 1) / stride + 1;
        var sum: f64 = 0;
        for (1..m) |j| sum += x[j * stride];
        var j = m - 1;
        while (j >= 2) : (j -= 1) x[j * stride] = x[(j - 1) * stride];
        x[stride] = -sum;
    }

    /// out = T' x.
    fn transposedTransition(x: []const f64, out: []f64) void {
        const m = x.len;
        out[0] = x[0];
        for (1..m) |j| out[j] = -x[1] + (if (j + 1 < m) x[j + 1] else 0);
    }

    /// P = T P T' in place for the m x m row-major P.
    fn sandwich(p: []f64, m: usize) void {
        for (0..m) |c| transition(p[c .. (m - 1) * m + c + 1], m); // each column: T P
        for (0..m) |r| transition(p[r * m .. (r + 1) * m], 1); // each row: (T P) T'
    }
};

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const tu = @import("testutil.zig");
const tseries = @import("tseries.zig");
const F64 = ad.F64;
const testing = std.testing;

const series = [_]f64{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, -0.5, 0.7, 1.4, -0.2 };

/// The density by brute force: y ~ multi_normal(mean, Sigma) where y[t] = Z T^t x0 + the
/// propagated noises, built from explicit powers of the transition matrix.
fn seasonalDense(y: []const f64, s_l: f64, s_s: f64, s_o: f64, comptime m: usize, a1: f64, p1: f64) !f64 {
    const n = y.len;
    var tmat = [_]f64{0} ** (m * m);
    tmat[0] = 1;
    for (1..m) |j| tmat[m + j] = -1;
    for (2..m) |j| tmat[j * m + j - 1] = 1;
    // rows[t] = Z T^t
    var rows: [10][m]f64 = undefined;
    var z = [_]f64{0} ** m;
    z[0] = 1;
    z[1] = 1;
    for (0..n) |t| {
        rows[t] = z;
        var next = [_]f64{0} ** m;
        for (0..m) |j| for (0..m) |i| {
            next[j] += z[i] * tmat[i * m + j];
        };
        z = next;
    }
    var sigma: [100]f64 = undefined;
    var mean: [10]f64 = undefined;
    for (0..n) |s| {
        mean[s] = rows[s][0] * a1;
        for (0..n) |t| {
            var c: f64 = 0;
            for (0..m) |i| c += rows[s][i] * rows[t][i] * p1;
            for (0..@min(s, t)) |u| c += rows[s - 1 - u][0] * rows[t - 1 - u][0] * s_l * s_l + rows[s - 1 - u][1] * rows[t - 1 - u][1] * s_s * s_s;
            if (s == t) c += s_o * s_o;
            sigma[s * n + t] = c;
        }
    }
    const mv = @import("multivariate.zig");
    return mv.multi_normal.lpdf(F64, y, @as([]const f64, mean[0..n]), linalg.Matrix(f64){ .data = sigma[0 .. n * n], .rows = n, .cols = n });
}

test "seasonal_local_level equals the joint normal density of the series" {
    defer linalg.freeScratch();
    const y: []const f64 = &series;
    inline for (.{ 2, 3, 4 }) |m| {
        const ref = try seasonalDense(y, 0.4, 0.3, 0.7, m, 0.2, 2.0);
        try tu.expectRel(ref, try seasonal_local_level.lpdf(F64, y, 0.4, 0.3, 0.7, @as(i64, m), 0.2, 2.0), 1e-13);
    }
    try testing.expectEqual(@as(f64, 0), try seasonal_local_level.lpdf(F64, y[0..0], 0.4, 0.3, 0.7, @as(i64, 3), 0.2, 2.0));
    try testing.expectError(error.InvalidParameter, seasonal_local_level.lpdf(F64, y, 0.4, 0.3, 0.7, @as(i64, 1), 0.2, 2.0));
    try testing.expectError(error.InvalidParameter, seasonal_local_level.lpdf(F64, y, 0.4, 0.0, 0.7, @as(i64, 3), 0.2, 2.0));
    try testing.expectEqualStrings("seasonal_local_level: sigma_season must be positive and finite, got 0", common.lastError());
}

test "seasonal_local_level gradients against forward mode and finite differences" {
    defer linalg.freeScratch();
    const F = struct {
        pub const n = 7 + 5;
        pub fn eval(comptime S: type, x: [n]S.Real) !S.Real {
            return seasonal_local_level.lpdf(S, @as([]const S.Real, x[0..7]), x[7], x[8], x[9], @as(i64, 3), x[10], x[11]);
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, -0.5, 0.4, 0.3, 0.7, 0.2, 2.0 }, .{ 2, 1, 0.5, 0, -1, -2, 0.3, 1.3, 0.6, 0.2, -0.5, 0.5 } });
}
