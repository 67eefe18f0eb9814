//! Constrained matrix parameters: the maps from unconstrained reals to Cholesky factors of
//! correlation and covariance matrices and to correlation and covariance matrices themselves,
//! with their log-Jacobians (the transforms of the Stan reference manual), generic over the AD
//! mode `S`. `modelrt.paramMatrix` calls `constrain`; the correlation Cholesky map itself is
//! `transform.cholesky_corr`.
//!
//! Every result is written row-major (K×K). The unconstrained values are read row by row:
//! the strict lower triangle for correlations (K(K-1)/2 values), the lower triangle with the
//! diagonal for covariances (K(K+1)/2 values).

const std = @import("std");
const transform = @import("transform.zig");

/// What a matrix parameter is.
pub const Shape = enum {
    /// Cholesky factor of a correlation matrix (lkj_corr_cholesky).
    cholesky_corr,
    /// Correlation matrix (lkj_corr).
    corr,
    /// Covariance matrix (wishart, inv_wishart).
    cov,
};

/// Number of unconstrained values of a K×K parameter of the given shape.
pub fn freeCount(shape: Shape, k: usize) usize {
    return switch (shape) {
        .cholesky_corr, .corr => transform.cholesky_corr_free(k),
        .cov => cholesky_cov_free(k),
    };
}

/// Number of unconstrained values of a K×K covariance Cholesky factor: K(K+1)/2.
pub fn cholesky_cov_free(k: usize) usize {
    return k * (k + 1) / 2;
}

fn acc(comptime S: type, lj: *S.Real, x: S.Real) void {
    lj.* = S.add(lj.*, x);
}

/// Cholesky factor of a covariance matrix: L_ij = x for j < i, L_ii = exp(x), zero above the
/// diagonal; log J = sum of the diagonal's unconstrained values.
pub fn cholesky_cov(comptime S: type, x: []const S.Real, out: []S.Real, k: usize, lj: *S.Real) void {
    std.debug.assert(x.len == cholesky_cov_free(k) and out.len == k * k);
    for (out) |*o| o.* = S.lift(0);
    var idx: usize = 0;
    for (0..k) |i| {
        for (0..i) |j| {
            out[i * k + j] = x[idx];
            idx += 1;
        }
        out[i * k + i] = S.exp(x[idx]);
        acc(S, lj, x[idx]);
        idx += 1;
    }
}

/// out = L Lᵀ (symmetric) for a lower-triangular L, both K×K row-major.
pub fn outer(comptime S: type, l: []const S.Real, out: []S.Real, k: usize) void {
    for (0..k) |i| for (0..i + 1) |j| {
        const v = S.dot(l[i * k .. i * k + j + 1], l[j * k .. j * k + j + 1]);
        out[i * k + j] = v;
        out[j * k + i] = v;
    };
}

/// Adds sum_i w(i) log L_ii with weight w(i) = K - 1 - i + extra (0-based i): the
/// log-Jacobian of L -> L Lᵀ on the free entries (extra 0 for correlations, whose diagonal is
/// fixed; extra 1 for covariances, whose K diagonal entries add one power each, and K log 2).
fn outerJacobian(comptime S: type, l: []const S.Real, k: usize, extra: usize, lj: *S.Real) void {
    for (0..k) |i| {
        const w = k - 1 - i + extra;
        if (w > 0) acc(S, lj, S.mul(@as(f64, @floatFromInt(w)), S.log(l[i * k + i])));
    }
    if (extra == 1) acc(S, lj, S.lift(@as(f64, @floatFromInt(k)) * std.math.ln2));
}

/// The K×K value of a parameter of `shape` from its unconstrained values `x`, into `out`;
/// `l` (K×K) receives the Cholesky factor on the way. The log-Jacobian goes to `lj`.
pub fn constrain(comptime S: type, comptime shape: Shape, x: []const S.Real, l: []S.Real, out: []S.Real, k: usize, lj: *S.Real) void {
    switch (shape) {
        .cholesky_corr => transform.cholesky_corr(S, x, out, k, lj),
        .corr => {
            transform.cholesky_corr(S, x, l, k, lj);
            outerJacobian(S, l, k, 0, lj);
            outer(S, l, out, k);
            // the diagonal is exactly 1 (each row of L has unit length up to rounding)
            for (0..k) |i| out[i * k + i] = S.lift(1);
        },
        .cov => {
            cholesky_cov(S, x, l, k, lj);
            outerJacobian(S, l, k, 1, lj);
            outer(S, l, out, k);
        },
    }
}

const testing = std.testing;
const ad = @import("ad.zig");
const tu = @import("dist/testutil.zig");

test "cholesky_cov and cov: values and log-Jacobians against finite-difference determinants" {
    const k = 3;
    const x = [_]f64{ 0.2, -0.5, 0.3, 1.1, -0.7, -0.1 };
    var l: [9]f64 = undefined;
    var out: [9]f64 = undefined;
    var lj: f64 = 0;
    constrain(ad.F64, .cov, &x, &l, &out, k, &lj);
    try testing.expectEqual(@exp(0.2), l[0]);
    try testing.expectEqual(-0.5, l[3]);
    try testing.expectEqual(@as(f64, 0), l[1]);
    // Σ = L Lᵀ
    try tu.expectRel(l[3] * l[0], out[1], 1e-15);
    try testing.expectEqual(out[1], out[3]);
    // log|det J| of x -> the 6 lower entries of Σ, by central differences
    const det = try lowerJacobianLogDet(.cov, &x, k);
    try tu.expectClose(det, lj, 1e-6, 1e-7);
}

test "corr: unit diagonal, symmetric, log-Jacobian against finite-difference determinants" {
    const k = 3;
    const x = [_]f64{ 0.4, -0.9, 0.25 };
    var l: [9]f64 = undefined;
    var out: [9]f64 = undefined;
    var lj: f64 = 0;
    constrain(ad.F64, .corr, &x, &l, &out, k, &lj);
    for (0..k) |i| try testing.expectEqual(@as(f64, 1), out[i * k + i]);
    try testing.expectEqual(out[5], out[7]);
    try tu.expectRel(std.math.tanh(@as(f64, 0.4)), out[3], 1e-15);
    const det = try lowerJacobianLogDet(.corr, &x, k);
    try tu.expectClose(det, lj, 1e-6, 1e-7);
}

/// log|det ∂(free entries of the value)/∂x| by central differences: the strict lower triangle
/// of a correlation matrix, the lower triangle with the diagonal of a covariance matrix.
fn lowerJacobianLogDet(comptime shape: Shape, x: []const f64, comptime k: usize) !f64 {
    const n = comptime freeCount(shape, k);
    var jac: [n * n]f64 = undefined;
    for (0..n) |c| {
        var up: [n]f64 = undefined;
        var down: [n]f64 = undefined;
        @memcpy(&up, x);
        @memcpy(&down, x);
        const h = 1e-6;
        up[c] += h;
        down[c] -= h;
        const a = freeEntries(shape, &up, k);
        const b = freeEntries(shape, &down, k);
        for (0..n) |r| jac[r * n + c] = (a[r] - b[r]) / (2 * h);
    }
    const linalg = @import("linalg.zig");
    return linalg.logAbsDet(&jac, n);
}

fn freeEntries(comptime shape: Shape, x: []const f64, comptime k: usize) [freeCount(shape, k)]f64 {
    var l: [k * k]f64 = undefined;
    var out: [k * k]f64 = undefined;
    var lj: f64 = 0;
    constrain(ad.F64, shape, x, &l, &out, k, &lj);
    var e: [freeCount(shape, k)]f64 = undefined;
    var idx: usize = 0;
    for (0..k) |i| for (0..k) |j| {
        if (j < i or (j == i and shape == .cov)) {
            e[idx] = out[i * k + j];
            idx += 1;
        }
    };
    return e;
}

test "constrain: gradients of a density of the constrained value (finite differences, forward, reverse)" {
    const F = struct {
        pub const n = 6;
        pub fn eval(comptime S: type, x: [6]S.Real) !S.Real {
            var l: [9]S.Real = undefined;
            var out: [9]S.Real = undefined;
            var lj = S.lift(0);
            constrain(S, .cov, &x, &l, &out, 3, &lj);
            var l2: [9]S.Real = undefined;
            var out2: [9]S.Real = undefined;
            constrain(S, .corr, x[0..3], &l2, &out2, 3, &lj);
            // a smooth function of every entry
            var s = lj;
            for (out, out2) |a, b| s = S.add(s, S.mul(a, b));
            return s;
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.2, -0.5, 0.3, 1.1, -0.7, -0.1 }, .{ -1.0, 0.8, 0.1, 0.4, 0.9, 1.3 } });
}
