//! Densities on whole covariance and correlation matrices: `lkj_corr` (the LKJ density of a
//! correlation matrix itself), `wishart` and `inv_wishart`, each generic over the AD mode with
//! hand-written partials for every entry (one node), and their samplers.
//!
//! The value and the matrix parameters are row-major square views (`data`, `rows`, `cols`).
//! Partials are taken entry by entry with the other entries held fixed (∂ log det A / ∂A_ij =
//! (A⁻¹)_ji), so a symmetric matrix computed from parameters gets its full gradient through
//! both of its triangles. Temporary memory comes from `linalg.scratch`.

const std = @import("std");
const ad = @import("../ad.zig");
const sp = @import("../special.zig");
const linalg = @import("../linalg.zig");
const common = @import("common.zig");
const sampling = @import("sampling.zig");
const multivariate = @import("multivariate.zig");

const Error = common.Error;
const inf = std.math.inf(f64);
const val = ad.value;
const log_pi: f64 = 1.14472988584940017414342735135305871;

/// A symmetric positive-definite matrix's values, Cholesky factor, inverse and log det,
/// in slices of one scratch request.
const Spd = struct {
    a: []f64,
    l: []f64,
    inv: []f64,
    logdet: f64,
};

/// The four k×k (plus k) pieces `factorInto` needs, cut from `buf`.
fn spdBuffers(buf: []f64, k: usize) Spd {
    return .{ .a = buf[0 .. k * k], .l = buf[k * k .. 2 * k * k], .inv = buf[2 * k * k .. 3 * k * k], .logdet = 0 };
}

/// The scratch length of one `Spd` with its work vector.
fn spdLen(k: usize) usize {
    return 3 * k * k + k;
}

/// Factors the values of `m` into `s`; false when `m` is not symmetric positive definite.
fn factorInto(m: anytype, k: usize, s: *Spd, work: []f64) bool {
    for (s.a, 0..) |*x, i| x.* = val(m.data[i]);
    if (!linalg.isSymmetric(s.a, k, 1e-8)) return false;
    linalg.cholesky(s.a, k, s.l) catch return false;
    linalg.inverseFromCholesky(s.l, k, s.inv, work);
    s.logdet = linalg.logDetCholesky(s.l, k);
    return true;
}

/// A matrix parameter that must be symmetric positive definite: a failure names it.
fn factorParam(comptime dist: []const u8, comptime param: []const u8, m: anytype, k: usize, s: *Spd, work: []f64) Error!void {
    if (!factorInto(m, k, s, work)) return common.fail("{s}: {s} must be symmetric positive definite", .{ dist, param });
}

/// log Γ_K(a), the multivariate gamma function, and Σ_j ψ(a + (1 - j)/2) (its derivative).
fn lmgamma(k: usize, a: f64, comptime with_digamma: bool) struct { v: f64, d: f64 } {
    const kf: f64 = @floatFromInt(k);
    var v = kf * (kf - 1.0) / 4.0 * log_pi;
    var d: f64 = 0;
    for (0..k) |j| {
        const x = a - @as(f64, @floatFromInt(j)) / 2.0;
        v += sp.lgamma(x);
        if (with_digamma) d += sp.digamma(x);
    }
    return .{ .v = v, .d = d };
}

/// LKJ(eta) on correlation matrices R (K×K, symmetric, unit diagonal, positive definite):
/// log p(R) = (eta - 1) log det R - log Z(eta, K). Outside the support the density is -inf.
pub const lkj_corr = struct {
    pub const name = "lkj_corr";
    /// Draws are K×K matrices whose dimension is the `size` of the draw.
    pub const sized_matrix = true;

    pub fn lpdf(comptime S: type, r: anytype, eta: anytype) Error!S.Real {
        const k = r.rows;
        try multivariate.checkSquare(name, "R", r, k);
        try common.checkNotNan(name, "R", r.data);
        try common.checkPositiveFinite(name, "eta", eta);
        if (k == 0) return common.fail("lkj_corr: R must not be empty", .{});
        for (0..k) |i| {
            if (!(@abs(val(r.data[i * k + i]) - 1.0) <= 1e-8)) return S.lift(-inf);
        }
        const buf = linalg.scratch(spdLen(k));
        var s = spdBuffers(buf, k);
        if (!factorInto(r, k, &s, buf[3 * k * k ..])) return S.lift(-inf);
        var g = ad.Grad(S, @TypeOf(.{ r.data, eta })).init(.{ r.data, eta });
        const G = @TypeOf(g);
        const e = val(eta);
        const norm = multivariate.lkjLogNorm(e, k);
        if (comptime G.wants(0)) {
            for (0..k) |i| for (0..k) |j| g.add(0, i * k + j, (e - 1.0) * s.inv[j * k + i]);
        }
        if (comptime G.wants(1)) g.add(1, 0, s.logdet - norm.d);
        return g.finish((e - 1.0) * s.logdet - norm.v);
    }

    /// Draw a K×K correlation matrix into `out` (row-major): R = L Lᵀ of an LKJ Cholesky draw.
    pub fn sample(rng: std.Random, out: []f64, k: usize, eta: f64) Error!void {
        try multivariate.lkj_corr_cholesky.sample(rng, out, k, eta);
        const l = linalg.scratch(k * k);
        @memcpy(l, out);
        outerLower(l, k, out);
        // the diagonal is exactly 1 (each row of L has unit length up to rounding)
        for (0..k) |i| out[i * k + i] = 1;
    }
};

/// out = L Lᵀ for a lower-triangular L (both K×K row-major, out symmetric).
fn outerLower(l: []const f64, k: usize, out: []f64) void {
    for (0..k) |i| for (0..i + 1) |j| {
        var s: f64 = 0;
        for (0..j + 1) |m| s += l[i * k + m] * l[j * k + m];
        out[i * k + j] = s;
        out[j * k + i] = s;
    };
}

/// Checks the shapes and the degrees of freedom shared by wishart and inv_wishart.
fn checkWishart(comptime dist: []const u8, w: anytype, nu: anytype, scale: anytype) Error!usize {
    const k = scale.rows;
    try multivariate.checkSquare(dist, "S", scale, k);
    try multivariate.checkSquare(dist, "W", w, k);
    if (k == 0) return common.fail("{s}: S must not be empty", .{dist});
    try common.checkNotNan(dist, "W", w.data);
    try common.checkFinite(dist, "S", scale.data);
    try common.checkFinite(dist, "nu", nu);
    const kf: f64 = @floatFromInt(k);
    if (!(val(nu) > kf - 1.0)) return common.fail("{s}: nu must be greater than K - 1 = {d}, got {}", .{ dist, k - 1, common.num(val(nu)) });
    return k;
}

/// The Cholesky factorisations of W and S that both Wishart densities start from (checked:
/// W must be symmetric positive definite, S a valid scale), and a K×K work matrix.
const WishartFactors = struct {
    k: usize,
    w: Spd,
    s: Spd,
    work: []f64,

    fn of(comptime dist: []const u8, w: anytype, nu: anytype, scale: anytype) Error!WishartFactors {
        const k = try checkWishart(dist, w, nu, scale);
        const buf = linalg.scratch(2 * spdLen(k) + k * k);
        var f = WishartFactors{ .k = k, .w = spdBuffers(buf, k), .s = spdBuffers(buf[spdLen(k)..], k), .work = buf[2 * spdLen(k) ..] };
        if (!factorInto(w, k, &f.w, buf[3 * k * k .. spdLen(k)])) return common.fail("{s}: W must be symmetric positive definite", .{dist});
        try factorParam(dist, "S", scale, k, &f.s, buf[spdLen(k) + 3 * k * k .. 2 * spdLen(k)]);
        return f;
    }
};

/// Wishart(nu, S) on symmetric positive-definite K×K matrices W, nu > K - 1:
/// log p = (nu - K - 1)/2 log|W| - tr(S⁻¹ W)/2 - nu K/2 log 2 - nu/2 log|S| - log Γ_K(nu/2).
pub const wishart = struct {
    pub const name = "wishart";

    pub fn lpdf(comptime S: type, w: anytype, nu: anytype, scale: anytype) Error!S.Real {
        const f = try WishartFactors.of(name, w, nu, scale);
        const k = f.k;
        const ws = f.w;
        const ss = f.s;
        const p = f.work;
        var g = ad.Grad(S, @TypeOf(.{ w.data, nu, scale.data })).init(.{ w.data, nu, scale.data });
        const G = @TypeOf(g);
        const n = val(nu);
        const kf: f64 = @floatFromInt(k);
        const mg = lmgamma(k, n / 2.0, G.wants(1));
        const trace = traceOfProduct(ss.inv, ws.a, k);
        const lp = (n - kf - 1.0) / 2.0 * ws.logdet - trace / 2.0 - n * kf / 2.0 * sp.ln2 - n / 2.0 * ss.logdet - mg.v;
        if (comptime G.wants(0)) {
            for (0..k) |i| for (0..k) |j| g.add(0, i * k + j, (n - kf - 1.0) / 2.0 * ws.inv[j * k + i] - ss.inv[j * k + i] / 2.0);
        }
        if (comptime G.wants(1)) g.add(1, 0, ws.logdet / 2.0 - kf / 2.0 * sp.ln2 - ss.logdet / 2.0 - mg.d / 2.0);
        if (comptime G.wants(2)) {
            sandwich(ss.inv, ws.a, k, p);
            for (0..k) |i| for (0..k) |j| g.add(2, i * k + j, -n / 2.0 * ss.inv[j * k + i] + p[j * k + i] / 2.0);
        }
        return g.finish(lp);
    }

    /// Draw W into `out` (K×K) by Bartlett's decomposition: W = (L A)(L A)ᵀ with L the
    /// Cholesky factor of S, A lower triangular, A_ii² ~ χ²(nu - i) (0-based i), A_ij ~ N(0, 1).
    pub fn sample(rng: std.Random, out: []f64, nu: f64, scale: linalg.Matrix(f64)) Error!void {
        const k = try checkWishart(name, scale, nu, scale);
        if (out.len != k * k) return common.fail("wishart: out must have {d} elements, got {d}", .{ k * k, out.len });
        const buf = linalg.scratch(spdLen(k) + 2 * k * k);
        var ss = spdBuffers(buf, k);
        try factorParam(name, "S", scale, k, &ss, buf[3 * k * k .. spdLen(k)]);
        bartlett(rng, nu, ss.l, k, buf[spdLen(k)..][0 .. k * k], buf[spdLen(k) + k * k ..][0 .. k * k], out);
    }
};

/// out = L A (L A)ᵀ with a fresh Bartlett factor A drawn into `a`; `la` holds L A.
fn bartlett(rng: std.Random, nu: f64, l: []const f64, k: usize, a: []f64, la: []f64, out: []f64) void {
    @memset(a, 0);
    for (0..k) |i| {
        const df = nu - @as(f64, @floatFromInt(i));
        a[i * k + i] = @sqrt(2.0 * sampling.gamma(rng, df / 2.0));
        for (0..i) |j| a[i * k + j] = rng.floatNorm(f64);
    }
    for (0..k) |i| for (0..k) |j| {
        var s: f64 = 0;
        for (j..i + 1) |m| s += l[i * k + m] * a[m * k + j];
        la[i * k + j] = if (j <= i) s else 0;
    };
    outerLower(la, k, out);
}

/// tr(A B) for K×K row-major matrices, without forming the product.
fn traceOfProduct(a: []const f64, b: []const f64, k: usize) f64 {
    var t: f64 = 0;
    for (0..k) |i| for (0..k) |j| {
        t += a[i * k + j] * b[j * k + i];
    };
    return t;
}

/// p = A B A for K×K row-major matrices (A B A with A, B symmetric is symmetric).
fn sandwich(a: []const f64, b: []const f64, k: usize, p: []f64) void {
    for (0..k) |i| for (0..k) |j| {
        var s: f64 = 0;
        for (0..k) |m| {
            var t: f64 = 0;
            for (0..k) |n| t += b[m * k + n] * a[n * k + j];
            s += a[i * k + m] * t;
        }
        p[i * k + j] = s;
    };
}

/// Inverse Wishart(nu, S) on symmetric positive-definite K×K matrices W, nu > K - 1:
/// log p = nu/2 log|S| - nu K/2 log 2 - log Γ_K(nu/2) - (nu + K + 1)/2 log|W| - tr(S W⁻¹)/2.
pub const inv_wishart = struct {
    pub const name = "inv_wishart";

    pub fn lpdf(comptime S: type, w: anytype, nu: anytype, scale: anytype) Error!S.Real {
        const f = try WishartFactors.of(name, w, nu, scale);
        const k = f.k;
        const ws = f.w;
        const ss = f.s;
        const p = f.work;
        var g = ad.Grad(S, @TypeOf(.{ w.data, nu, scale.data })).init(.{ w.data, nu, scale.data });
        const G = @TypeOf(g);
        const n = val(nu);
        const kf: f64 = @floatFromInt(k);
        const mg = lmgamma(k, n / 2.0, G.wants(1));
        const trace = traceOfProduct(ss.a, ws.inv, k);
        const lp = n / 2.0 * ss.logdet - n * kf / 2.0 * sp.ln2 - mg.v - (n + kf + 1.0) / 2.0 * ws.logdet - trace / 2.0;
        if (comptime G.wants(0)) {
            sandwich(ws.inv, ss.a, k, p);
            for (0..k) |i| for (0..k) |j| g.add(0, i * k + j, -(n + kf + 1.0) / 2.0 * ws.inv[j * k + i] + p[j * k + i] / 2.0);
        }
        if (comptime G.wants(1)) g.add(1, 0, ss.logdet / 2.0 - kf / 2.0 * sp.ln2 - mg.d / 2.0 - ws.logdet / 2.0);
        if (comptime G.wants(2)) {
            for (0..k) |i| for (0..k) |j| g.add(2, i * k + j, n / 2.0 * ss.inv[j * k + i] - ws.inv[j * k + i] / 2.0);
        }
        return g.finish(lp);
    }

    /// Draw W into `out` (K×K): the inverse of a wishart(nu, S⁻¹) draw.
    pub fn sample(rng: std.Random, out: []f64, nu: f64, scale: linalg.Matrix(f64)) Error!void {
        const k = try checkWishart(name, scale, nu, scale);
        if (out.len != k * k) return common.fail("inv_wishart: out must have {d} elements, got {d}", .{ k * k, out.len });
        const buf = linalg.scratch(2 * spdLen(k) + 2 * k * k);
        var ss = spdBuffers(buf, k);
        try factorParam(name, "S", scale, k, &ss, buf[3 * k * k .. spdLen(k)]);
        // the Cholesky factor of S⁻¹, then a Wishart draw with it, then its inverse
        const si = spdBuffers(buf[spdLen(k)..], k);
        linalg.cholesky(ss.inv, k, si.l) catch return common.fail("inv_wishart: S is too ill-conditioned to invert", .{});
        const rest = buf[2 * spdLen(k) ..];
        bartlett(rng, nu, si.l, k, rest[0 .. k * k], rest[k * k .. 2 * k * k], si.a);
        linalg.cholesky(si.a, k, ss.l) catch return common.fail("inv_wishart: a draw was numerically singular", .{});
        linalg.inverseFromCholesky(ss.l, k, out, buf[3 * k * k .. spdLen(k)]);
    }
};

const testing = std.testing;
const tu = @import("testutil.zig");
const F64 = ad.F64;

fn view(data: []const f64, k: usize) linalg.Matrix(f64) {
    return .{ .data = @constCast(data), .rows = k, .cols = k };
}

test "lkj_corr: K = 2 closed form, support, agrees with lkj_corr_cholesky minus the Jacobian" {
    // K = 2: p(r) = (1 - r²)^(eta - 1) / B(eta, eta) / 2^(2 eta - 1)
    const r = [_]f64{ 1, 0.3, 0.3, 1 };
    const eta = 1.7;
    const expect = (eta - 1) * @log(1 - 0.09) - sp.lbeta(eta, eta) - (2 * eta - 1) * sp.ln2;
    try tu.expectRel(expect, try lkj_corr.lpdf(F64, view(&r, 2), eta), 1e-14);
    const off_diag = [_]f64{ 1.1, 0.3, 0.3, 1 };
    try testing.expectEqual(-inf, try lkj_corr.lpdf(F64, view(&off_diag, 2), eta));
    const not_pd = [_]f64{ 1, 1.2, 1.2, 1 };
    try testing.expectEqual(-inf, try lkj_corr.lpdf(F64, view(&not_pd, 2), eta));
    try testing.expectError(error.InvalidParameter, lkj_corr.lpdf(F64, view(&r, 2), -1.0));
    // K = 3: the Cholesky density is this one plus log|d R / d L| = sum_i (K - 1 - i) log L_ii
    var l = [_]f64{ 1, 0, 0, 0.4, 0, 0, -0.3, 0.5, 0 };
    l[4] = @sqrt(1 - 0.16);
    l[8] = @sqrt(1 - 0.09 - 0.25);
    var big: [9]f64 = undefined;
    outerLower(&l, 3, &big);
    const jacobian = 1 * @log(l[4]);
    const chol = try multivariate.lkj_corr_cholesky.lpdf(F64, view(&l, 3), 2.5);
    try tu.expectRel(chol - jacobian, try lkj_corr.lpdf(F64, view(&big, 3), 2.5), 1e-13);
}

test "wishart and inv_wishart: K = 1 reduces to gamma and inverse gamma" {
    // wishart(nu, s) in 1-D is gamma(nu/2, rate 1/(2 s)); inv_wishart is inv_gamma(nu/2, s/2).
    const w = [_]f64{2.5};
    const s = [_]f64{0.8};
    const nu = 3.3;
    const a = nu / 2.0;
    const gamma_lp = a * @log(1.0 / (2.0 * 0.8)) - sp.lgamma(a) + (a - 1) * @log(2.5) - 2.5 / (2 * 0.8);
    try tu.expectRel(gamma_lp, try wishart.lpdf(F64, view(&w, 1), nu, view(&s, 1)), 1e-14);
    const b = 0.8 / 2.0;
    const inv_gamma_lp = a * @log(b) - sp.lgamma(a) - (a + 1) * @log(2.5) - b / 2.5;
    try tu.expectRel(inv_gamma_lp, try inv_wishart.lpdf(F64, view(&w, 1), nu, view(&s, 1)), 1e-14);
    try testing.expectError(error.InvalidParameter, wishart.lpdf(F64, view(&w, 1), -0.5, view(&s, 1)));
    try testing.expectEqualStrings("wishart: nu must be greater than K - 1 = 0, got -0.5", common.lastError());
}

test "wishart and inv_wishart gradients: finite differences, forward and reverse mode" {
    const F = struct {
        pub const n = 8;
        /// W and S from the entries of lower-triangular factors (so both stay SPD), nu = x[6] + 2.
        pub fn eval(comptime S: type, x: [8]S.Real) !S.Real {
            const w = spdFrom(S, x[0], x[1], x[2]);
            const s = spdFrom(S, x[3], x[4], x[5]);
            const nu = S.add(x[6], 2.0);
            const wv = linalg.Matrix(S.Real){ .data = @constCast(&w), .rows = 2, .cols = 2 };
            const sv = linalg.Matrix(S.Real){ .data = @constCast(&s), .rows = 2, .cols = 2 };
            const a = try wishart.lpdf(S, wv, nu, sv);
            const b = try inv_wishart.lpdf(S, wv, S.add(nu, x[7]), sv);
            return S.add(a, S.mul(0.5, b));
        }
        fn spdFrom(comptime S: type, a: S.Real, b: S.Real, c: S.Real) [4]S.Real {
            const off = S.mul(a, b);
            return .{ S.square(a), off, off, S.add(S.square(b), S.square(c)) };
        }
    };
    try tu.checkGradients(F, &.{ .{ 1.2, 0.3, 0.9, 0.7, -0.2, 1.1, 0.6, 0.4 }, .{ 0.5, -0.8, 1.4, 1.3, 0.4, 0.6, 2.5, 1.0 } });
}

test "lkj_corr gradient in R and eta" {
    const F = struct {
        pub const n = 2;
        pub fn eval(comptime S: type, x: [2]S.Real) !S.Real {
            const r = [_]S.Real{ S.lift(1), x[0], x[0], S.lift(1) };
            return lkj_corr.lpdf(S, linalg.Matrix(S.Real){ .data = @constCast(&r), .rows = 2, .cols = 2 }, x[1]);
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.3, 1.7 }, .{ -0.8, 0.6 } });
}

test "wishart and inv_wishart samplers: means nu S and S / (nu - K - 1)" {
    var prng = std.Random.DefaultPrng.init(7);
    const rng = prng.random();
    const s = [_]f64{ 2, 0.5, 0.5, 1 };
    const nu = 6.0;
    var sum_w = [_]f64{0} ** 4;
    var sum_iw = [_]f64{0} ** 4;
    var out: [4]f64 = undefined;
    const n = 20000;
    for (0..n) |_| {
        try wishart.sample(rng, &out, nu, view(&s, 2));
        for (&sum_w, out) |*a, x| a.* += x;
        try inv_wishart.sample(rng, &out, nu, view(&s, 2));
        for (&sum_iw, out) |*a, x| a.* += x;
    }
    for (0..4) |i| {
        // sd of a Wishart entry: sqrt(nu (S_ij² + S_ii S_jj)) ≤ sqrt(2 nu) · 2; 5 standard errors
        try testing.expectApproxEqAbs(nu * s[i], sum_w[i] / n, 5 * @sqrt(2 * nu) * 2 / @sqrt(@as(f64, n)));
        try testing.expectApproxEqAbs(s[i] / (nu - 3), sum_iw[i] / n, 0.05);
    }
}
