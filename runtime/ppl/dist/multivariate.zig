//! Multivariate distributions: dirichlet, multi_normal, multi_normal_cholesky, multinomial and
//! lkj_corr_cholesky (log densities generic over the AD mode with hand-written partials for
//! every real entry, pushed as ONE node), their samplers (writing into caller-provided
//! buffers), and `log_mix` for finite mixtures over a simplex of weights.
//!
//! Vectors are sequences (slices) of f64 or `S.Real`; matrices are row-major views with fields
//! `data`, `rows`, `cols` (e.g. `linalg.Matrix(T)`). Temporary memory comes from the per-thread
//! `linalg.scratch` area, so these functions take no allocator.

const std = @import("std");
const ad = @import("../ad.zig");
const sp = @import("../special.zig");
const linalg = @import("../linalg.zig");
const common = @import("common.zig");
const sampling = @import("sampling.zig");
const math = std.math;

const Error = common.Error;
const inf = math.inf(f64);
const val = ad.value;

pub fn checkSquare(comptime dist: []const u8, comptime param: []const u8, m: anytype, k: usize) Error!void {
    if (m.rows != k or m.cols != k or m.data.len != k * k)
        return common.fail("{s}: {s} must be {d} x {d}, got {d} x {d} ({d} elements)", .{ dist, param, k, k, m.rows, m.cols, m.data.len });
}

fn checkLen(comptime dist: []const u8, comptime a: []const u8, comptime b: []const u8, la: usize, lb: usize) Error!void {
    if (la != lb) return common.fail("{s}: size mismatch: {s} has {d} elements but {s} has {d}", .{ dist, a, la, b, lb });
}

/// Dirichlet(alpha): density on the simplex, alpha a vector of positive concentrations.
pub const dirichlet = struct {
    pub const name = "dirichlet";

    pub fn lpdf(comptime S: type, theta: anytype, alpha: anytype) Error!S.Real {
        const k = alpha.len;
        if (k == 0) return common.fail("dirichlet: alpha must not be empty", .{});
        try checkLen(name, "theta", "alpha", theta.len, k);
        try common.checkNotNan(name, "theta", theta);
        try common.checkPositiveFinite(name, "alpha", alpha);
        if (!common.isSimplex(theta)) return S.lift(-inf);
        var g = ad.Grad(S, @TypeOf(.{ theta, alpha })).init(.{ theta, alpha });
        const G = @TypeOf(g);
        var asum: f64 = 0;
        for (0..k) |i| asum += val(alpha[i]);
        var lp = sp.lgamma(asum);
        const dsum = if (comptime G.wants(1)) sp.digamma(asum) else 0;
        for (0..k) |i| {
            const a = val(alpha[i]);
            const t = val(theta[i]);
            if (t == 0 and a < 1) return S.lift(inf);
            if (t == 0 and a > 1) return S.lift(-inf);
            lp += -sp.lgamma(a) + (if (a == 1) 0 else (a - 1.0) * @log(t));
            if (comptime G.wants(0)) g.add(0, i, (a - 1.0) / t);
            if (comptime G.wants(1)) g.add(1, i, dsum - sp.digamma(a) + @log(t));
        }
        return g.finish(lp);
    }

    /// Draw into `out` (length = alpha.len).
    pub fn sample(rng: std.Random, out: []f64, alpha: []const f64) Error!void {
        if (alpha.len == 0) return common.fail("dirichlet: alpha must not be empty", .{});
        try checkLen(name, "out", "alpha", out.len, alpha.len);
        try common.checkPositiveFinite(name, "alpha", alpha);
        // normalise log-gamma draws in log space (tiny alphas would underflow)
        var m: f64 = -inf;
        for (out, alpha) |*o, a| {
            o.* = sampling.logGamma(rng, a);
            m = @max(m, o.*);
        }
        var s: f64 = 0;
        for (out) |*o| {
            o.* = @exp(o.* - m);
            s += o.*;
        }
        for (out) |*o| o.* /= s;
    }
};

/// Multivariate normal(mu, Sigma) with covariance Sigma (symmetric positive definite, K x K).
/// The gradient with respect to Sigma treats all K^2 entries as free (symmetric convention:
/// entry (i, j) gets -(Sigma^-1 - a a^T)_ij / 2 with a = Sigma^-1 (y - mu)), which is exact for
/// any symmetric parametrisation that sets (i, j) and (j, i) from the same value.
pub const multi_normal = struct {
    pub const name = "multi_normal";

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        const k = y.len;
        try checkLen(name, "y", "mu", k, mu.len);
        try checkSquare(name, "Sigma", sigma, k);
        try common.checkNotNan(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkFinite(name, "Sigma", sigma.data);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma.data })).init(.{ y, mu, sigma.data });
        const G = @TypeOf(g);
        const work = linalg.scratch(2 * k * k + 3 * k);
        const l = work[0 .. k * k];
        const inv = work[k * k .. 2 * k * k];
        const z = work[2 * k * k .. 2 * k * k + k];
        const a = work[2 * k * k + k .. 2 * k * k + 2 * k];
        const tmp = work[2 * k * k + 2 * k ..];
        for (0..k * k) |i| l[i] = val(sigma.data[i]);
        if (!linalg.isSymmetric(l, k, 1e-8)) return common.fail("multi_normal: Sigma must be symmetric", .{});
        linalg.cholesky(l, k, l) catch return common.fail("multi_normal: Sigma must be positive definite", .{});
        for (0..k) |i| tmp[i] = val(y[i]) - val(mu[i]);
        linalg.solveLower(l, k, tmp, z);
        linalg.solveLowerTransposed(l, k, z, a);
        var q: f64 = 0;
        for (z) |zi| q += zi * zi;
        const lp = -@as(f64, @floatFromInt(k)) * sp.log_sqrt_2pi - 0.5 * linalg.logDetCholesky(l, k) - 0.5 * q;
        for (0..k) |i| {
            if (comptime G.wants(0)) g.add(0, i, -a[i]);
            if (comptime G.wants(1)) g.add(1, i, a[i]);
        }
        if (comptime G.wants(2)) {
            linalg.inverseFromCholesky(l, k, inv, tmp);
            for (0..k) |i| for (0..k) |j| {
                g.add(2, i * k + j, -0.5 * (inv[i * k + j] - a[i] * a[j]));
            };
        }
        return g.finish(lp);
    }

    /// Draw into `out` (length K).
    pub fn sample(rng: std.Random, out: []f64, mu: []const f64, sigma: linalg.Matrix(f64)) Error!void {
        const k = mu.len;
        try checkLen(name, "out", "mu", out.len, k);
        try checkSquare(name, "Sigma", sigma, k);
        try common.checkFinite(name, "mu", mu);
        try common.checkFinite(name, "Sigma", sigma.data);
        if (!linalg.isSymmetric(sigma.data, k, 1e-8)) return common.fail("multi_normal: Sigma must be symmetric", .{});
        const l = linalg.scratch(k * k);
        linalg.cholesky(sigma.data, k, l) catch return common.fail("multi_normal: Sigma must be positive definite", .{});
        choleskySample(rng, out, mu, l, k);
    }
};

fn choleskySample(rng: std.Random, out: []f64, mu: []const f64, l: []const f64, k: usize) void {
    // out = mu + L z; compute from the last row up so z can live in `out`.
    for (out) |*o| o.* = rng.floatNorm(f64);
    var i = k;
    while (i > 0) {
        i -= 1;
        var s: f64 = 0;
        for (0..i + 1) |j| s += l[i * k + j] * out[j];
        out[i] = mu[i] + s;
    }
}

/// Multivariate normal(mu, L L^T) given the lower Cholesky factor L (K x K, positive diagonal;
/// entries above the diagonal are ignored and get zero partials).
pub const multi_normal_cholesky = struct {
    pub const name = "multi_normal_cholesky";

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, l_factor: anytype) Error!S.Real {
        const k = y.len;
        try checkLen(name, "y", "mu", k, mu.len);
        try checkSquare(name, "L", l_factor, k);
        try common.checkNotNan(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkFinite(name, "L", l_factor.data);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, l_factor.data })).init(.{ y, mu, l_factor.data });
        const G = @TypeOf(g);
        const work = linalg.scratch(k * k + 3 * k);
        const l = work[0 .. k * k];
        const z = work[k * k .. k * k + k];
        const w = work[k * k + k .. k * k + 2 * k];
        const r = work[k * k + 2 * k ..];
        for (0..k) |i| {
            for (0..k) |j| l[i * k + j] = if (j <= i) val(l_factor.data[i * k + j]) else 0;
            if (!(l[i * k + i] > 0)) return common.fail("multi_normal_cholesky: L must have a positive diagonal, L[{d}][{d}] = {}", .{ i, i, common.num(l[i * k + i]) });
            r[i] = val(y[i]) - val(mu[i]);
        }
        linalg.solveLower(l, k, r, z);
        linalg.solveLowerTransposed(l, k, z, w);
        var q: f64 = 0;
        var logdiag: f64 = 0;
        for (0..k) |i| {
            q += z[i] * z[i];
            logdiag += @log(l[i * k + i]);
        }
        const lp = -@as(f64, @floatFromInt(k)) * sp.log_sqrt_2pi - logdiag - 0.5 * q;
        for (0..k) |i| {
            if (comptime G.wants(0)) g.add(0, i, -w[i]);
            if (comptime G.wants(1)) g.add(1, i, w[i]);
            if (comptime G.wants(2)) {
                for (0..i + 1) |j| g.add(2, i * k + j, w[i] * z[j] - (if (i == j) 1.0 / l[i * k + i] else 0));
            }
        }
        return g.finish(lp);
    }

    /// Draw into `out` (length K).
    pub fn sample(rng: std.Random, out: []f64, mu: []const f64, l_factor: linalg.Matrix(f64)) Error!void {
        const k = mu.len;
        try checkLen(name, "out", "mu", out.len, k);
        try checkSquare(name, "L", l_factor, k);
        try common.checkFinite(name, "mu", mu);
        try common.checkFinite(name, "L", l_factor.data);
        for (0..k) |i| {
            if (!(l_factor.data[i * k + i] > 0)) return common.fail("multi_normal_cholesky: L must have a positive diagonal, L[{d}][{d}] = {}", .{ i, i, common.num(l_factor.data[i * k + i]) });
        }
        const l = linalg.scratch(k * k);
        for (0..k) |i| for (0..k) |j| {
            l[i * k + j] = if (j <= i) l_factor.data[i * k + j] else 0;
        };
        choleskySample(rng, out, mu, l, k);
    }
};

/// Multinomial(theta): counts n over K categories with simplex theta (total N = sum of n).
pub const multinomial = struct {
    pub const name = "multinomial";

    pub fn lpmf(comptime S: type, n: anytype, theta: anytype) Error!S.Real {
        const k = theta.len;
        try checkLen(name, "n", "theta", n.len, k);
        try common.checkSimplex(name, "theta", theta);
        var g = ad.Grad(S, @TypeOf(.{theta})).init(.{theta});
        const G = @TypeOf(g);
        var total: f64 = 0;
        var lp: f64 = 0;
        for (0..k) |i| {
            const c = common.intAt(n, i);
            if (c < 0) return S.lift(-inf);
            const cf: f64 = @floatFromInt(c);
            total += cf;
            lp -= sp.lgamma(cf + 1.0);
            if (c > 0) {
                const t = val(theta[i]);
                if (t == 0) return S.lift(-inf);
                lp += cf * @log(t);
                if (comptime G.wants(0)) g.add(0, i, cf / t);
            }
        }
        return g.finish(lp + sp.lgamma(total + 1.0));
    }

    /// Draw N trials into `out` (length K) by sequential conditional binomials.
    pub fn sample(rng: std.Random, out: []i64, theta: []const f64, trials: i64) Error!void {
        try checkLen(name, "out", "theta", out.len, theta.len);
        try common.checkSimplex(name, "theta", theta);
        try common.checkIntAtLeast(name, "N", trials, 0);
        var left = trials;
        var mass: f64 = 1;
        for (theta, 0..) |t, i| {
            if (i + 1 == theta.len) {
                out[i] = left;
                break;
            }
            const p = if (mass > 0) @min(1.0, @max(0.0, t / mass)) else 0;
            out[i] = sampling.binomial(rng, left, p);
            left -= out[i];
            mass -= t;
        }
    }
};

/// log of the LKJ normalising constant Z(eta, K) (density det(Omega)^(eta - 1) / Z) and its
/// derivative in eta.
pub fn lkjLogNorm(eta: f64, k: usize) struct { v: f64, d: f64 } {
    var v: f64 = 0;
    var d: f64 = 0;
    const kf: f64 = @floatFromInt(k);
    for (1..k) |ii| {
        const i: f64 = @floatFromInt(ii);
        const m = kf - i;
        const b = eta + (m - 1.0) / 2.0;
        v += (2.0 * eta - 2.0 + m) * m * sp.ln2 + m * sp.lbeta(b, b);
        d += 2.0 * m * sp.ln2 + 2.0 * m * (sp.digamma(b) - sp.digamma(2.0 * b));
    }
    return .{ .v = v, .d = d };
}

/// LKJ(eta) on Cholesky factors of correlation matrices: L (K x K lower triangular, unit-length
/// rows, positive diagonal), shape eta > 0; density of Omega = L L^T proportional to
/// det(Omega)^(eta - 1), written for L including the Jacobian of Omega -> L.
pub const lkj_corr_cholesky = struct {
    pub const name = "lkj_corr_cholesky";

    pub fn lpdf(comptime S: type, l_factor: anytype, eta: anytype) Error!S.Real {
        const k = l_factor.rows;
        try checkSquare(name, "L", l_factor, k);
        try common.checkNotNan(name, "L", l_factor.data);
        try common.checkPositiveFinite(name, "eta", eta);
        if (k == 0) return common.fail("lkj_corr_cholesky: L must not be empty", .{});
        // Outside the support (not a correlation Cholesky factor): -inf.
        for (0..k) |i| {
            var s: f64 = 0;
            for (0..k) |j| {
                const x = val(l_factor.data[i * k + j]);
                if (j > i and x != 0) return S.lift(-inf);
                s += x * x;
            }
            if (!(val(l_factor.data[i * k + i]) > 0) or !(@abs(s - 1.0) <= 1e-8)) return S.lift(-inf);
        }
        var g = ad.Grad(S, @TypeOf(.{ l_factor.data, eta })).init(.{ l_factor.data, eta });
        const G = @TypeOf(g);
        const e = ad.value(eta);
        const kf: f64 = @floatFromInt(k);
        const norm = lkjLogNorm(e, k);
        var lp = -norm.v;
        var sumlog: f64 = 0;
        for (1..k) |i| {
            const d = val(l_factor.data[i * k + i]);
            const expo = kf - @as(f64, @floatFromInt(i)) + 2.0 * e - 3.0;
            const ld = @log(d);
            lp += expo * ld;
            sumlog += ld;
            if (comptime G.wants(0)) g.add(0, i * k + i, expo / d);
        }
        if (comptime G.wants(1)) g.add(1, 0, 2.0 * sumlog - norm.d);
        return g.finish(lp);
    }

    /// Draw a K x K Cholesky factor into `out` (row-major, K*K): canonical partial correlations
    /// z_ij ~ 2 Beta(b_j, b_j) - 1 with b_j = eta + (K - 2 - j)/2 (the C-vine method of
    /// Lewandowski, Kurowicka & Joe 2009), mapped to L like the cholesky_corr transform.
    pub fn sample(rng: std.Random, out: []f64, k: usize, eta: f64) Error!void {
        try common.checkPositiveFinite(name, "eta", eta);
        if (out.len != k * k) return common.fail("lkj_corr_cholesky: out must have {d} elements, got {d}", .{ k * k, out.len });
        if (k == 0) return common.fail("lkj_corr_cholesky: K must be positive", .{});
        const kf: f64 = @floatFromInt(k);
        @memset(out, 0);
        out[0] = 1;
        for (1..k) |i| {
            var sum_sq: f64 = 0;
            for (0..i) |j| {
                const b = eta + (kf - 2.0 - @as(f64, @floatFromInt(j))) / 2.0;
                const z = 2.0 * sampling.beta(rng, b, b) - 1.0;
                const x = z * @sqrt(@max(0.0, 1.0 - sum_sq));
                out[i * k + j] = x;
                sum_sq += x * x;
            }
            out[i * k + i] = @sqrt(@max(0.0, 1.0 - sum_sq));
        }
    }
};

/// log sum_k theta_k exp(lps_k): a finite mixture given the log densities of its components
/// and a simplex of weights (one node; partials exp(lp_k - v) for theta_k and
/// theta_k exp(lp_k - v) for lp_k).
pub fn log_mix(comptime S: type, theta: anytype, lps: anytype) Error!S.Real {
    try checkLen("log_mix", "theta", "lps", theta.len, lps.len);
    try common.checkSimplex("log_mix", "theta", theta);
    try common.checkNotNan("log_mix", "lps", lps);
    var m: f64 = -inf;
    for (0..theta.len) |i| {
        const t = val(theta[i]);
        if (t > 0) m = @max(m, @log(t) + val(lps[i]));
    }
    if (m == -inf or m == inf) return S.lift(m);
    var s: f64 = 0;
    for (0..theta.len) |i| {
        const t = val(theta[i]);
        if (t > 0) s += @exp(@log(t) + val(lps[i]) - m);
    }
    const v = m + @log(s);
    var g = ad.Grad(S, @TypeOf(.{ theta, lps })).init(.{ theta, lps });
    const G = @TypeOf(g);
    for (0..theta.len) |i| {
        const e = @exp(val(lps[i]) - v);
        if (comptime G.wants(0)) g.add(0, i, e);
        if (comptime G.wants(1)) g.add(1, i, val(theta[i]) * e);
    }
    return g.finish(v);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const tu = @import("testutil.zig");
const F64 = ad.F64;
const Fwd = ad.Fwd;
const Rev = ad.Rev;
const testing = std.testing;

test "dirichlet: SciPy values, gradients, sampler, support" {
    const th = [_]f64{ 0.2, 0.3, 0.5 };
    const al = [_]f64{ 2.0, 0.7, 3.5 };
    try tu.expectRel(0.6893439164223714, try dirichlet.lpdf(F64, @as([]const f64, &th), @as([]const f64, &al)), 1e-14);
    try testing.expectEqual(@as(f64, 0), try dirichlet.lpdf(F64, @as([]const f64, &.{ 0.25, 0.75 }), @as([]const f64, &.{ 1.0, 1.0 })));
    try testing.expectEqual(-inf, try dirichlet.lpdf(F64, @as([]const f64, &.{ 0.25, 0.7 }), @as([]const f64, &.{ 1.0, 1.0 })));
    try testing.expectError(error.InvalidParameter, dirichlet.lpdf(F64, @as([]const f64, &th), @as([]const f64, &.{ 1.0, -1.0, 1.0 })));
    try testing.expectEqualStrings("dirichlet: alpha[1] must be positive and finite, got -1", common.lastError());
    // Directional check along the simplex (theta moves within it): Fwd vs finite difference.
    const dir = [_]f64{ 0.1, -0.04, -0.06 };
    var td: [3]ad.Dual = undefined;
    var ad_: [3]ad.Dual = undefined;
    for (0..3) |i| {
        td[i] = Fwd.dual(th[i], dir[i]);
        ad_[i] = Fwd.dual(al[i], 0.3 * @as(f64, @floatFromInt(i + 1)));
    }
    const r = try dirichlet.lpdf(Fwd, @as([]const ad.Dual, &td), @as([]const ad.Dual, &ad_));
    const h = 1e-6;
    var tp: [3]f64 = undefined;
    var tm: [3]f64 = undefined;
    var ap: [3]f64 = undefined;
    var am: [3]f64 = undefined;
    for (0..3) |i| {
        tp[i] = th[i] + h * dir[i];
        tm[i] = th[i] - h * dir[i];
        ap[i] = al[i] + h * 0.3 * @as(f64, @floatFromInt(i + 1));
        am[i] = al[i] - h * 0.3 * @as(f64, @floatFromInt(i + 1));
    }
    const fd = ((try dirichlet.lpdf(F64, @as([]const f64, &tp), @as([]const f64, &ap))) - (try dirichlet.lpdf(F64, @as([]const f64, &tm), @as([]const f64, &am)))) / (2 * h);
    try tu.expectClose(fd, r.tan, 1e-7, 1e-8);
    // Rev equals Fwd for each coordinate
    defer Rev.deinit();
    Rev.reset();
    var vs: [6]ad.Var = undefined;
    for (0..3) |i| {
        vs[i] = Rev.independent(th[i]);
        vs[3 + i] = Rev.independent(al[i]);
    }
    const out = try dirichlet.lpdf(Rev, @as([]const ad.Var, vs[0..3]), @as([]const ad.Var, vs[3..6]));
    var g: [6]f64 = undefined;
    Rev.gradient(out, &vs, &g);
    var expect_dir: f64 = 0;
    for (0..3) |i| expect_dir += g[i] * dir[i] + g[3 + i] * 0.3 * @as(f64, @floatFromInt(i + 1));
    try tu.expectRel(r.tan, expect_dir, 1e-13);
    try tu.expectRel((al[0] - 1) / th[0], g[0], 1e-15);
    // sampler: E[theta_i] = alpha_i / sum, Var = a_i (s - a_i) / (s^2 (s + 1))
    var prng = std.Random.DefaultPrng.init(60);
    var xs: [3][20000]f64 = undefined;
    var o: [3]f64 = undefined;
    for (0..20000) |d| {
        try dirichlet.sample(prng.random(), &o, &al);
        for (0..3) |i| xs[i][d] = o[i];
    }
    const s = al[0] + al[1] + al[2];
    for (0..3) |i| try sampling.Moments.of(&xs[i]).expect(al[i] / s, al[i] * (s - al[i]) / (s * s * (s + 1)));
}

const sig3 = [_]f64{ 2.0, 0.3, -0.4, 0.3, 1.5, 0.2, -0.4, 0.2, 0.8 };

test "multi_normal: SciPy value, gradients (y, mu, Sigma), sampler, errors" {
    defer linalg.freeScratch();
    const y = [_]f64{ 0.5, -1.0, 1.2 };
    const mu = [_]f64{ 0.1, -0.2, 0.3 };
    const m = linalg.Matrix(f64){ .data = &sig3, .rows = 3, .cols = 3 };
    try tu.expectRel(-4.341527632153599, try multi_normal.lpdf(F64, @as([]const f64, &y), @as([]const f64, &mu), m), 1e-14);
    // Gradient check over (y, mu, symmetric Sigma built from its 6 free entries).
    const F = struct {
        pub const n = 12;
        pub fn eval(comptime S: type, x: [12]S.Real) !S.Real {
            const s = [_]S.Real{ x[6], x[7], x[8], x[7], x[9], x[10], x[8], x[10], x[11] };
            return multi_normal.lpdf(S, @as([]const S.Real, x[0..3]), @as([]const S.Real, x[3..6]), linalg.Matrix(S.Real){ .data = &s, .rows = 3, .cols = 3 });
        }
    };
    try tu.checkGradients(F, &.{
        .{ 0.5, -1.0, 1.2, 0.1, -0.2, 0.3, 2.0, 0.3, -0.4, 1.5, 0.2, 0.8 },
        .{ -2.0, 0.3, 0.0, 1.0, 1.0, -1.0, 1.0, 0.0, 0.0, 1.0, 0.5, 3.0 },
    });
    const bad = [_]f64{ 1, 2, 2, 1 };
    try testing.expectError(error.InvalidParameter, multi_normal.lpdf(F64, @as([]const f64, &.{ 0, 0 }), @as([]const f64, &.{ 0, 0 }), linalg.Matrix(f64){ .data = &bad, .rows = 2, .cols = 2 }));
    try testing.expectEqualStrings("multi_normal: Sigma must be positive definite", common.lastError());
    const asym = [_]f64{ 1, 0.2, 0.3, 1 };
    try testing.expectError(error.InvalidParameter, multi_normal.lpdf(F64, @as([]const f64, &.{ 0, 0 }), @as([]const f64, &.{ 0, 0 }), linalg.Matrix(f64){ .data = &asym, .rows = 2, .cols = 2 }));
    try testing.expectError(error.InvalidParameter, multi_normal.lpdf(F64, @as([]const f64, &.{ 0, 0 }), @as([]const f64, &.{0}), m));
    // sampler: mean and covariance entries
    var prng = std.Random.DefaultPrng.init(61);
    var xs: [3][30000]f64 = undefined;
    var prod: [30000]f64 = undefined;
    var o: [3]f64 = undefined;
    for (0..30000) |d| {
        try multi_normal.sample(prng.random(), &o, &mu, m);
        for (0..3) |i| xs[i][d] = o[i];
        prod[d] = (o[0] - mu[0]) * (o[2] - mu[2]);
    }
    for (0..3) |i| try sampling.Moments.of(&xs[i]).expect(mu[i], sig3[i * 3 + i]);
    const pm = sampling.Moments.of(&prod);
    try testing.expect(@abs(pm.mean - sig3[2]) < 5 * pm.se_mean);
}

test "multi_normal_cholesky: matches multi_normal, gradients in L, sampler" {
    defer linalg.freeScratch();
    var l: [9]f64 = undefined;
    try linalg.cholesky(&sig3, 3, &l);
    const y = [_]f64{ 0.5, -1.0, 1.2 };
    const mu = [_]f64{ 0.1, -0.2, 0.3 };
    try tu.expectRel(-4.341527632153599, try multi_normal_cholesky.lpdf(F64, @as([]const f64, &y), @as([]const f64, &mu), linalg.Matrix(f64){ .data = &l, .rows = 3, .cols = 3 }), 1e-14);
    const F = struct {
        pub const n = 12;
        pub fn eval(comptime S: type, x: [12]S.Real) !S.Real {
            const z = S.lift(0);
            const lm = [_]S.Real{ x[6], z, z, x[7], x[8], z, x[9], x[10], x[11] };
            return multi_normal_cholesky.lpdf(S, @as([]const S.Real, x[0..3]), @as([]const S.Real, x[3..6]), linalg.Matrix(S.Real){ .data = &lm, .rows = 3, .cols = 3 });
        }
    };
    try tu.checkGradients(F, &.{
        .{ 0.5, -1.0, 1.2, 0.1, -0.2, 0.3, l[0], l[3], l[4], l[6], l[7], l[8] },
        .{ 1.0, 2.0, -1.0, 0.0, 0.5, 0.5, 1.0, -0.5, 0.7, 0.2, 0.1, 2.0 },
    });
    const badl = [_]f64{ 1, 0, 0.5, -1 };
    try testing.expectError(error.InvalidParameter, multi_normal_cholesky.lpdf(F64, @as([]const f64, &.{ 0, 0 }), @as([]const f64, &.{ 0, 0 }), linalg.Matrix(f64){ .data = &badl, .rows = 2, .cols = 2 }));
    try testing.expectEqualStrings("multi_normal_cholesky: L must have a positive diagonal, L[1][1] = -1", common.lastError());
    var prng = std.Random.DefaultPrng.init(62);
    var xs: [3][30000]f64 = undefined;
    var o: [3]f64 = undefined;
    for (0..30000) |d| {
        try multi_normal_cholesky.sample(prng.random(), &o, &mu, .{ .data = &l, .rows = 3, .cols = 3 });
        for (0..3) |i| xs[i][d] = o[i];
    }
    for (0..3) |i| try sampling.Moments.of(&xs[i]).expect(mu[i], sig3[i * 3 + i]);
}

test "multinomial: SciPy values, gradient, sampler" {
    const th = [_]f64{ 0.2, 0.5, 0.3 };
    const ns = [_]i64{ 3, 5, 2 };
    try tu.expectRel(-2.86998106824843, try multinomial.lpmf(F64, @as([]const i64, &ns), @as([]const f64, &th)), 1e-14);
    try tu.expectRel(-1.6422917373051789, try multinomial.lpmf(F64, @as([]const i64, &.{ 0, 3, 4 }), @as([]const f64, &.{ 0.0, 0.6, 0.4 })), 1e-14);
    try testing.expectEqual(-inf, try multinomial.lpmf(F64, @as([]const i64, &.{ 1, 3, 4 }), @as([]const f64, &.{ 0.0, 0.6, 0.4 })));
    defer Rev.deinit();
    Rev.reset();
    var tv: [3]ad.Var = undefined;
    for (th, 0..) |t, i| tv[i] = Rev.independent(t);
    const out = try multinomial.lpmf(Rev, @as([]const i64, &ns), @as([]const ad.Var, &tv));
    var g: [3]f64 = undefined;
    Rev.gradient(out, &tv, &g);
    for (0..3) |i| try tu.expectRel(@as(f64, @floatFromInt(ns[i])) / th[i], g[i], 1e-15);
    var prng = std.Random.DefaultPrng.init(63);
    var xs: [3][20000]f64 = undefined;
    var o: [3]i64 = undefined;
    for (0..20000) |d| {
        try multinomial.sample(prng.random(), &o, &th, 12);
        try testing.expectEqual(@as(i64, 12), o[0] + o[1] + o[2]);
        for (0..3) |i| xs[i][d] = @floatFromInt(o[i]);
    }
    for (0..3) |i| try sampling.Moments.of(&xs[i]).expect(12 * th[i], 12 * th[i] * (1 - th[i]));
}

test "lkj_corr_cholesky: reference value, normalisation, gradients, sampler marginals" {
    defer Rev.deinit();
    const l11 = 0.9539392014169457;
    const l21 = 0.4898979485566356;
    const l22 = 0.848528137423857;
    const lm = [_]f64{ 1, 0, 0, 0.3, l11, 0, -0.2, l21, l22 };
    const m = linalg.Matrix(f64){ .data = &lm, .rows = 3, .cols = 3 };
    // mpmath: -log Z(2.5, 3) + (K - i + 2 eta - 3) log L_ii summed
    try tu.expectRel(-0.974355134513353, try lkj_corr_cholesky.lpdf(F64, m, 2.5), 1e-14);
    // K = 2: density of the single correlation r is (1 - r^2)^(eta - 1) / (2^(2 eta - 1) B(eta, eta))
    const r = 0.35;
    const l2 = [_]f64{ 1, 0, r, @sqrt(1 - r * r) };
    const expect2 = (1.7 - 1) * @log(1 - r * r) - (2 * 1.7 - 1) * sp.ln2 - sp.lbeta(1.7, 1.7);
    try tu.expectRel(expect2, try lkj_corr_cholesky.lpdf(F64, linalg.Matrix(f64){ .data = &l2, .rows = 2, .cols = 2 }, 1.7), 1e-14);
    // not a correlation factor: -inf
    const bad = [_]f64{ 1, 0, 0.5, 0.5 };
    try testing.expectEqual(-inf, try lkj_corr_cholesky.lpdf(F64, linalg.Matrix(f64){ .data = &bad, .rows = 2, .cols = 2 }, 1.0));
    // K = 3 normalisation by Monte Carlo over the free entries (L10, L20, L21) in [-1, 1]^3
    var prng = std.Random.DefaultPrng.init(64);
    const rng = prng.random();
    var vals: [200000]f64 = undefined;
    for (&vals) |*v| {
        const a = 2 * rng.float(f64) - 1;
        const b = 2 * rng.float(f64) - 1;
        const c = 2 * rng.float(f64) - 1;
        if (b * b + c * c >= 1) {
            v.* = 0;
            continue;
        }
        const mm = [_]f64{ 1, 0, 0, a, @sqrt(1 - a * a), 0, b, c, @sqrt(1 - b * b - c * c) };
        v.* = 8 * @exp(try lkj_corr_cholesky.lpdf(F64, linalg.Matrix(f64){ .data = &mm, .rows = 3, .cols = 3 }, 1.5));
    }
    const mo = sampling.Moments.of(&vals);
    try testing.expect(@abs(mo.mean - 1) < 5 * mo.se_mean);
    // gradients in the diagonal entries and eta (other entries have zero partials)
    const F = struct {
        pub const n = 3;
        pub fn eval(comptime S: type, x: [3]S.Real) !S.Real {
            // x = (L11, L22, eta) with the off-diagonal entries fixed; rows need not be unit
            // length for the derivative formula, so evaluate the formula directly on a valid
            // point and compare with finite differences of the same closed form.
            const z = S.lift(0);
            const one = S.lift(1);
            const mm = [_]S.Real{ one, z, z, S.lift(0.3), x[0], z, S.lift(-0.2), S.lift(0.4898979485566356), x[1] };
            return lkjUnchecked(S, &mm, 3, x[2]);
        }
    };
    try tu.checkGradients(F, &.{ .{ l11, l22, 2.5 }, .{ 0.5, 0.3, 0.7 } });
    // the checked version agrees with the unchecked one at a valid point, in Rev
    Rev.reset();
    var lv: [9]ad.Var = undefined;
    for (lm, 0..) |x, i| lv[i] = Rev.independent(x);
    const ev = Rev.independent(2.5);
    const out = try lkj_corr_cholesky.lpdf(Rev, linalg.Matrix(ad.Var){ .data = &lv, .rows = 3, .cols = 3 }, ev);
    var g: [2]f64 = undefined;
    Rev.gradient(out, &.{ lv[4], ev }, &g);
    try tu.expectRel((3.0 - 1.0 + 5.0 - 3.0) / l11, g[0], 1e-15);
    // sampler: every off-diagonal correlation is marginally 2 Beta(b, b) - 1, b = eta - 1 + K/2
    var xs: [3][20000]f64 = undefined;
    var o: [16]f64 = undefined;
    const eta = 1.8;
    for (0..20000) |d| {
        try lkj_corr_cholesky.sample(rng, &o, 4, eta);
        // rows have unit length
        for (0..4) |i| {
            var s: f64 = 0;
            for (0..4) |j| s += o[i * 4 + j] * o[i * 4 + j];
            try testing.expect(@abs(s - 1) < 1e-12);
        }
        // Omega[1][0], Omega[3][2], Omega[3][1]
        const pairs = [_][2]usize{ .{ 1, 0 }, .{ 3, 2 }, .{ 3, 1 } };
        for (pairs, 0..) |p, q| {
            var s: f64 = 0;
            for (0..4) |j| s += o[p[0] * 4 + j] * o[p[1] * 4 + j];
            xs[q][d] = s;
        }
    }
    const b = eta - 1 + 4.0 / 2.0;
    for (0..3) |q| try sampling.Moments.of(&xs[q]).expect(0, 1.0 / (2 * b + 1));
}

/// The LKJ Cholesky formula without the support check (for the gradient test only).
fn lkjUnchecked(comptime S: type, data: []const S.Real, k: usize, eta: S.Real) !S.Real {
    var g = ad.Grad(S, @TypeOf(.{ data, eta })).init(.{ data, eta });
    const G = @TypeOf(g);
    const e = ad.value(eta);
    const kf: f64 = @floatFromInt(k);
    const norm = lkjLogNorm(e, k);
    var lp = -norm.v;
    var sumlog: f64 = 0;
    for (1..k) |i| {
        const d = val(data[i * k + i]);
        const expo = kf - @as(f64, @floatFromInt(i)) + 2.0 * e - 3.0;
        lp += expo * @log(d);
        sumlog += @log(d);
        if (comptime G.wants(0)) g.add(0, i * k + i, expo / d);
    }
    if (comptime G.wants(1)) g.add(1, 0, 2.0 * sumlog - norm.d);
    return g.finish(lp);
}

test "log_mix: value, gradients, errors" {
    const th = [_]f64{ 0.3, 0.7 };
    const lps = [_]f64{ -1.2, -3.4 };
    const expect = @log(0.3 * @exp(-1.2) + 0.7 * @exp(-3.4));
    try tu.expectRel(expect, try log_mix(F64, @as([]const f64, &th), @as([]const f64, &lps)), 1e-15);
    // agrees with the 2-component op
    try tu.expectRel(F64.log_mix(0.3, -1.2, -3.4), try log_mix(F64, @as([]const f64, &th), @as([]const f64, &lps)), 1e-15);
    const F = struct {
        pub const n = 6;
        pub fn eval(comptime S: type, x: [6]S.Real) !S.Real {
            // weights normalised from free positive inputs so finite differences stay on the
            // simplex
            const tot = S.add(S.add(x[0], x[1]), x[2]);
            const t = [_]S.Real{ S.div(x[0], tot), S.div(x[1], tot), S.div(x[2], tot) };
            return log_mix(S, @as([]const S.Real, &t), @as([]const S.Real, x[3..6]));
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.2, 0.5, 0.3, -1.0, -2.0, 0.5 }, .{ 0.6, 0.05, 0.4, -100.0, 3.0, -99.0 } });
    try testing.expectError(error.InvalidParameter, log_mix(F64, @as([]const f64, &.{ 0.5, 0.6 }), @as([]const f64, &lps)));
    try testing.expectEqualStrings("log_mix: theta must sum to 1 (a simplex), sums to 1.1", common.lastError());
}
