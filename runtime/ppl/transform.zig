//! Constraint transforms: map unconstrained reals (what the samplers move in) to constrained
//! parameter values, adding log |det J| of the map to an accumulator, generic over the AD mode
//! S (bounds may themselves be `S.Real`, e.g. a bound that depends on another parameter). Each
//! transform has an inverse (`*_inv`, plain f64) from constrained values to unconstrained ones,
//! for initialisation from user-given values.
//!
//! The maps follow Stan: lower/upper bounds by exp, intervals by the logistic function,
//! ordered vectors by cumulative exp increments, simplexes by stick-breaking with the
//! log(K - k - 1) centring (so x = 0 maps to the uniform simplex), Cholesky factors of
//! correlation matrices by tanh-transformed canonical partial correlations, unit vectors by
//! normalisation (with Stan's -|x|^2/2 density term). Vector transforms read their unconstrained
//! inputs in the order documented on each function.

const std = @import("std");
const ad = @import("ad.zig");
const sp = @import("special.zig");
const math = std.math;

inline fn acc(comptime S: type, lj: *S.Real, term: anytype) void {
    lj.* = S.add(lj.*, term);
}

/// y = lb + exp(x); log J = x.
pub fn lower(comptime S: type, x: anytype, lb: anytype, lj: *S.Real) S.Real {
    if (ad.value(lb) == -math.inf(f64)) return S.add(x, 0.0);
    acc(S, lj, x);
    return S.add(lb, S.exp(x));
}

pub fn lower_inv(y: f64, lb: f64) f64 {
    if (lb == -math.inf(f64)) return y;
    return @log(y - lb);
}

/// y = ub - exp(x); log J = x.
pub fn upper(comptime S: type, x: anytype, ub: anytype, lj: *S.Real) S.Real {
    if (ad.value(ub) == math.inf(f64)) return S.add(x, 0.0);
    acc(S, lj, x);
    return S.sub(ub, S.exp(x));
}

pub fn upper_inv(y: f64, ub: f64) f64 {
    if (ub == math.inf(f64)) return y;
    return @log(ub - y);
}

/// y = lb + (ub - lb) inv_logit(x); log J = log(ub - lb) + log inv_logit(x) + log(1 - inv_logit(x)).
/// Infinite bounds fall back to `lower`, `upper` or the identity, like Stan.
pub fn lower_upper(comptime S: type, x: anytype, lb: anytype, ub: anytype, lj: *S.Real) S.Real {
    const lbv = ad.value(lb);
    const ubv = ad.value(ub);
    if (lbv == -math.inf(f64)) return upper(S, x, ub, lj);
    if (ubv == math.inf(f64)) return lower(S, x, lb, lj);
    const w = S.sub(ub, lb);
    acc(S, lj, S.add(S.log(w), S.add(S.log_inv_logit(x), S.log1m_inv_logit(x))));
    return S.add(lb, S.mul(w, S.inv_logit(x)));
}

pub fn lower_upper_inv(y: f64, lb: f64, ub: f64) f64 {
    if (lb == -math.inf(f64)) return upper_inv(y, ub);
    if (ub == math.inf(f64)) return lower_inv(y, lb);
    return sp.logit((y - lb) / (ub - lb));
}

/// y = exp(x) > 0; log J = x.
pub fn positive(comptime S: type, x: anytype, lj: *S.Real) S.Real {
    acc(S, lj, x);
    return S.exp(x);
}

pub fn positive_inv(y: f64) f64 {
    return @log(y);
}

/// y = inv_logit(x) in (0, 1); log J = log y + log(1 - y).
pub fn unit(comptime S: type, x: anytype, lj: *S.Real) S.Real {
    acc(S, lj, S.add(S.log_inv_logit(x), S.log1m_inv_logit(x)));
    return S.inv_logit(x);
}

pub fn unit_inv(y: f64) f64 {
    return sp.logit(y);
}

/// y = mu + sigma x (non-centring); log J = log sigma.
pub fn offset_multiplier(comptime S: type, x: anytype, mu: anytype, sigma: anytype, lj: *S.Real) S.Real {
    acc(S, lj, S.log(sigma));
    return S.fma(sigma, x, mu);
}

pub fn offset_multiplier_inv(y: f64, mu: f64, sigma: f64) f64 {
    return (y - mu) / sigma;
}

/// Ordered vector (strictly increasing): out[0] = x[0], out[k] = out[k-1] + exp(x[k]);
/// log J = sum_{k >= 1} x[k]. out.len == x.len.
pub fn ordered(comptime S: type, x: []const S.Real, out: []S.Real, lj: *S.Real) void {
    std.debug.assert(out.len == x.len);
    if (x.len == 0) return;
    out[0] = x[0];
    for (1..x.len) |k| out[k] = S.add(out[k - 1], S.exp(x[k]));
    acc(S, lj, S.sum(x[1..]));
}

pub fn ordered_inv(y: []const f64, out: []f64) void {
    std.debug.assert(out.len == y.len);
    if (y.len == 0) return;
    out[0] = y[0];
    for (1..y.len) |k| out[k] = @log(y[k] - y[k - 1]);
}

/// Positive ordered vector: out[0] = exp(x[0]), out[k] = out[k-1] + exp(x[k]); log J = sum x.
pub fn positive_ordered(comptime S: type, x: []const S.Real, out: []S.Real, lj: *S.Real) void {
    std.debug.assert(out.len == x.len);
    if (x.len == 0) return;
    out[0] = S.exp(x[0]);
    for (1..x.len) |k| out[k] = S.add(out[k - 1], S.exp(x[k]));
    acc(S, lj, S.sum(x));
}

pub fn positive_ordered_inv(y: []const f64, out: []f64) void {
    std.debug.assert(out.len == y.len);
    if (y.len == 0) return;
    out[0] = @log(y[0]);
    for (1..y.len) |k| out[k] = @log(y[k] - y[k - 1]);
}

/// Simplex of K = x.len + 1 entries by stick-breaking: with a_k = x[k] - log(K - 1 - k) and
/// z_k = inv_logit(a_k), out[k] = z_k * (remaining stick), the last entry takes the rest.
/// log J = sum_k [log(stick_k) + log z_k + log(1 - z_k)]. The stick is carried in log space.
pub fn simplex(comptime S: type, x: []const S.Real, out: []S.Real, lj: *S.Real) void {
    std.debug.assert(out.len == x.len + 1);
    const kk = out.len;
    var log_stick = S.lift(0);
    for (x, 0..) |xk, k| {
        const a = S.sub(xk, @log(@as(f64, @floatFromInt(kk - 1 - k))));
        const lz = S.log_inv_logit(a);
        const l1z = S.log1m_inv_logit(a);
        const lo = S.add(log_stick, lz);
        out[k] = S.exp(lo);
        acc(S, lj, S.add(lo, l1z));
        log_stick = S.add(log_stick, l1z);
    }
    out[kk - 1] = S.exp(log_stick);
}

/// Inverse stick-breaking: simplex y (K) to x (K - 1).
pub fn simplex_inv(y: []const f64, out: []f64) void {
    std.debug.assert(out.len + 1 == y.len);
    const kk = y.len;
    var stick: f64 = 1;
    for (out, 0..) |*o, k| {
        const z = y[k] / stick;
        o.* = sp.logit(z) + @log(@as(f64, @floatFromInt(kk - 1 - k)));
        stick -= y[k];
    }
}

/// Number of unconstrained values of a K x K correlation Cholesky factor: K (K - 1) / 2.
pub fn cholesky_corr_free(k: usize) usize {
    return k * (k - 1) / 2;
}

/// Cholesky factor of a K x K correlation matrix (written row-major to out, K*K) from
/// K(K-1)/2 unconstrained values read row by row over the strict lower triangle. Each value
/// becomes a canonical partial correlation z = tanh(x); row i is
/// L[i][0] = z, L[i][j] = z sqrt(1 - sum_{m<j} L[i][m]^2), L[i][i] = sqrt(1 - sum_{m<i} L[i][m]^2).
/// log J = sum log(1 - z^2) + sum_{i, 0<j<i} log(1 - sum_{m<j} L[i][m]^2) / 2.
pub fn cholesky_corr(comptime S: type, x: []const S.Real, out: []S.Real, k: usize, lj: *S.Real) void {
    std.debug.assert(x.len == cholesky_corr_free(k) and out.len == k * k);
    for (out) |*o| o.* = S.lift(0);
    if (k == 0) return;
    out[0] = S.lift(1);
    var idx: usize = 0;
    for (1..k) |i| {
        var sum_sq = S.lift(0);
        for (0..i) |j| {
            const z = S.tanh(x[idx]);
            idx += 1;
            acc(S, lj, S.log1m(S.square(z)));
            const v = if (j == 0) z else blk: {
                const rem = S.sub(1.0, sum_sq);
                acc(S, lj, S.mul(0.5, S.log(rem)));
                break :blk S.mul(z, S.sqrt(rem));
            };
            out[i * k + j] = v;
            sum_sq = S.add(sum_sq, S.square(v));
        }
        out[i * k + i] = S.sqrt(S.sub(1.0, sum_sq));
    }
}

/// Inverse of `cholesky_corr`: L (K x K row-major) to the K(K-1)/2 unconstrained values.
pub fn cholesky_corr_inv(l: []const f64, k: usize, out: []f64) void {
    std.debug.assert(l.len == k * k and out.len == cholesky_corr_free(k));
    var idx: usize = 0;
    for (1..k) |i| {
        var sum_sq: f64 = 0;
        for (0..i) |j| {
            const v = l[i * k + j];
            const z = v / @sqrt(1.0 - sum_sq);
            out[idx] = math.atanh(z);
            idx += 1;
            sum_sq += v * v;
        }
    }
}

/// Unit vector out = x / |x| (out.len == x.len); adds Stan's -|x|^2 / 2 so the radius has a
/// proper distribution (this is a density term, not a Jacobian: the map is not one-to-one).
pub fn unit_vector(comptime S: type, x: []const S.Real, out: []S.Real, lj: *S.Real) void {
    std.debug.assert(out.len == x.len);
    const r2 = S.dot(x, x);
    acc(S, lj, S.mul(-0.5, r2));
    const inv_r = S.div(1.0, S.sqrt(r2));
    for (x, out) |xi, *o| o.* = S.mul(xi, inv_r);
}

pub fn unit_vector_inv(y: []const f64, out: []f64) void {
    @memcpy(out, y);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const testing = std.testing;
const tu = @import("dist/testutil.zig");
const linalg = @import("linalg.zig");
const F64 = ad.F64;
const Rev = ad.Rev;

/// log |dy/dx| of a scalar map by a 4th-order central difference.
fn fdLogDeriv(f: anytype, x: f64) f64 {
    const h = 1e-4 * @max(1.0, @abs(x));
    const d = (-f.call(x + 2 * h) + 8 * f.call(x + h) - 8 * f.call(x - h) + f.call(x - 2 * h)) / (12 * h);
    return @log(@abs(d));
}

test "scalar transforms: round trip and log-Jacobian against finite differences" {
    const xs = [_]f64{ -3.1, -0.4, 0.0, 0.7, 2.5 };
    for (xs) |x| {
        inline for (.{ "lower", "upper", "lower_upper", "positive", "unit", "offset_multiplier" }) |name| {
            const T = struct {
                fn apply(v: f64, lj: *f64) f64 {
                    if (comptime std.mem.eql(u8, name, "lower")) return lower(F64, v, 1.5, lj);
                    if (comptime std.mem.eql(u8, name, "upper")) return upper(F64, v, -2.0, lj);
                    if (comptime std.mem.eql(u8, name, "lower_upper")) return lower_upper(F64, v, -1.0, 3.0, lj);
                    if (comptime std.mem.eql(u8, name, "positive")) return positive(F64, v, lj);
                    if (comptime std.mem.eql(u8, name, "unit")) return unit(F64, v, lj);
                    return offset_multiplier(F64, v, 0.3, 2.5, lj);
                }
                fn inv(y: f64) f64 {
                    if (comptime std.mem.eql(u8, name, "lower")) return lower_inv(y, 1.5);
                    if (comptime std.mem.eql(u8, name, "upper")) return upper_inv(y, -2.0);
                    if (comptime std.mem.eql(u8, name, "lower_upper")) return lower_upper_inv(y, -1.0, 3.0);
                    if (comptime std.mem.eql(u8, name, "positive")) return positive_inv(y);
                    if (comptime std.mem.eql(u8, name, "unit")) return unit_inv(y);
                    return offset_multiplier_inv(y, 0.3, 2.5);
                }
                pub fn call(_: @This(), v: f64) f64 {
                    var lj: f64 = 0;
                    return apply(v, &lj);
                }
            };
            var lj: f64 = 0;
            const y = T.apply(x, &lj);
            try tu.expectClose(x, T.inv(y), 1e-13, 1e-13);
            try tu.expectClose(fdLogDeriv(T{}, x), lj, 1e-8, 1e-8);
        }
    }
    // infinite bounds fall back
    var lj: f64 = 0;
    try testing.expectEqual(@as(f64, 0.5), lower_upper(F64, 0.5, -math.inf(f64), math.inf(f64), &lj));
    try testing.expectEqual(@as(f64, 0), lj);
    try tu.expectRel(1.0 + @exp(0.5), lower_upper(F64, 0.5, 1.0, math.inf(f64), &lj), 1e-15);
    try testing.expectEqual(@as(f64, 0.5), lj);
}

test "lower_upper with a differentiable bound (Rev matches Fwd)" {
    defer Rev.deinit();
    // y = 0 + (1 - a) inv_logit(x) with bound a a parameter; f = y + lj
    Rev.reset();
    const x = Rev.independent(0.3);
    const a = Rev.independent(0.25);
    var lj = Rev.lift(0);
    const y = lower_upper(Rev, x, 0.0, Rev.sub(1.0, a), &lj);
    const f = Rev.add(y, lj);
    var g: [2]f64 = undefined;
    Rev.gradient(f, &.{ x, a }, &g);
    inline for (0..2) |j| {
        var ljd = ad.Fwd.lift(0);
        const xd = ad.Fwd.dual(0.3, if (j == 0) 1 else 0);
        const ad_ = ad.Fwd.dual(0.25, if (j == 1) 1 else 0);
        const yd = lower_upper(ad.Fwd, xd, 0.0, ad.Fwd.sub(1.0, ad_), &ljd);
        try tu.expectRel(ad.Fwd.add(yd, ljd).tan, g[j], 1e-14);
    }
    try tu.expectRel(0.75 * sp.inv_logit(0.3), y.val, 1e-15);
}

/// log |det J| of a map R^n -> R^n by central differences (4th order), using linalg.logAbsDet.
fn fdLogDet(comptime n: usize, f: anytype, x: [n]f64) f64 {
    var j: [n * n]f64 = undefined;
    for (0..n) |c| {
        const h = 1e-4 * @max(1.0, @abs(x[c]));
        var cols: [4][n]f64 = undefined;
        const hs = [_]f64{ -2, -1, 1, 2 };
        for (hs, 0..) |hh, q| {
            var xp = x;
            xp[c] += hh * h;
            cols[q] = f.call(xp);
        }
        for (0..n) |r| j[r * n + c] = (cols[0][r] - 8 * cols[1][r] + 8 * cols[2][r] - cols[3][r]) / (12 * h);
    }
    return linalg.logAbsDet(&j, n);
}

test "ordered and positive_ordered: round trip, monotone, log|det J|" {
    const x = [_]f64{ -0.5, 0.3, -1.2, 0.8 };
    inline for (.{ true, false }) |pos| {
        const T = struct {
            pub fn call(_: @This(), v: [4]f64) [4]f64 {
                var o: [4]f64 = undefined;
                var lj: f64 = 0;
                if (pos) positive_ordered(F64, &v, &o, &lj) else ordered(F64, &v, &o, &lj);
                return o;
            }
        };
        var o: [4]f64 = undefined;
        var lj: f64 = 0;
        if (pos) positive_ordered(F64, &x, &o, &lj) else ordered(F64, &x, &o, &lj);
        for (1..4) |k| try testing.expect(o[k] > o[k - 1]);
        if (pos) try testing.expect(o[0] > 0);
        var back: [4]f64 = undefined;
        if (pos) positive_ordered_inv(&o, &back) else ordered_inv(&o, &back);
        for (x, back) |a, b| try tu.expectClose(a, b, 1e-13, 1e-13);
        try tu.expectClose(fdLogDet(4, T{}, x), lj, 1e-8, 1e-8);
    }
}

test "simplex: round trip, sums to one, zero maps to uniform, log|det J| on the first K-1 entries" {
    const x = [_]f64{ 0.4, -1.3, 2.2, 0.0 };
    var o: [5]f64 = undefined;
    var lj: f64 = 0;
    simplex(F64, &x, &o, &lj);
    var s: f64 = 0;
    for (o) |v| {
        try testing.expect(v > 0);
        s += v;
    }
    try tu.expectClose(1.0, s, 0, 1e-15);
    var back: [4]f64 = undefined;
    simplex_inv(&o, &back);
    for (x, back) |a, b| try tu.expectClose(a, b, 1e-12, 1e-12);
    const T = struct {
        pub fn call(_: @This(), v: [4]f64) [4]f64 {
            var oo: [5]f64 = undefined;
            var l: f64 = 0;
            simplex(F64, &v, &oo, &l);
            return oo[0..4].*;
        }
    };
    try tu.expectClose(fdLogDet(4, T{}, x), lj, 1e-8, 1e-8);
    const zero = [_]f64{ 0, 0, 0, 0 };
    simplex(F64, &zero, &o, &lj);
    for (o) |v| try tu.expectClose(0.2, v, 1e-15, 0);
}

test "cholesky_corr: round trip, unit rows, log|det J| on the strict lower triangle" {
    const k = 4;
    const x = [_]f64{ 0.3, -0.8, 0.5, 1.2, -0.1, 0.9 };
    var o: [k * k]f64 = undefined;
    var lj: f64 = 0;
    cholesky_corr(F64, &x, &o, k, &lj);
    for (0..k) |i| {
        var s: f64 = 0;
        for (0..k) |j| {
            if (j > i) try testing.expectEqual(@as(f64, 0), o[i * k + j]);
            s += o[i * k + j] * o[i * k + j];
        }
        try tu.expectClose(1.0, s, 0, 1e-15);
        try testing.expect(o[i * k + i] > 0);
    }
    var back: [6]f64 = undefined;
    cholesky_corr_inv(&o, k, &back);
    for (x, back) |a, b| try tu.expectClose(a, b, 1e-12, 1e-12);
    const T = struct {
        pub fn call(_: @This(), v: [6]f64) [6]f64 {
            var oo: [k * k]f64 = undefined;
            var l: f64 = 0;
            cholesky_corr(F64, &v, &oo, k, &l);
            var r: [6]f64 = undefined;
            var idx: usize = 0;
            for (1..k) |i| for (0..i) |j| {
                r[idx] = oo[i * k + j];
                idx += 1;
            };
            return r;
        }
    };
    try tu.expectClose(fdLogDet(6, T{}, x), lj, 1e-8, 1e-8);
    try testing.expectEqual(@as(usize, 6), cholesky_corr_free(4));
}

test "unit_vector: unit length, density term, round trip" {
    const x = [_]f64{ 0.3, -1.2, 2.0 };
    var o: [3]f64 = undefined;
    var lj: f64 = 0;
    unit_vector(F64, &x, &o, &lj);
    var s: f64 = 0;
    for (o) |v| s += v * v;
    try tu.expectClose(1.0, s, 0, 1e-15);
    try tu.expectRel(-0.5 * (0.09 + 1.44 + 4.0), lj, 1e-15);
    var back: [3]f64 = undefined;
    unit_vector_inv(&o, &back);
    try testing.expectEqualSlices(f64, &o, &back);
}

test "vector transforms: gradients of (weighted outputs + log J) in Rev match Fwd and finite differences" {
    const F = struct {
        pub const n = 6;
        pub fn eval(comptime S: type, x: [6]S.Real) !S.Real {
            var lj = S.lift(0);
            var c: [16]S.Real = undefined;
            cholesky_corr(S, &x, &c, 4, &lj);
            var sx: [7]S.Real = undefined;
            simplex(S, &x, &sx, &lj);
            var od: [6]S.Real = undefined;
            ordered(S, &x, &od, &lj);
            var po: [6]S.Real = undefined;
            positive_ordered(S, &x, &po, &lj);
            var uv: [6]S.Real = undefined;
            unit_vector(S, &x, &uv, &lj);
            var f = lj;
            for (0..16) |i| f = S.add(f, S.mul(@as(f64, @floatFromInt(i + 1)) * 0.1, c[i]));
            for (0..7) |i| f = S.add(f, S.mul(@as(f64, @floatFromInt(i + 2)) * 0.3, sx[i]));
            for (0..6) |i| f = S.add(f, S.mul(0.05, S.add(od[i], S.add(po[i], uv[i]))));
            f = S.add(f, lower(S, x[0], -1.0, &lj));
            f = S.add(f, S.add(lower_upper(S, x[1], x[2], 4.0, &lj), lj));
            return f;
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.3, -0.8, 0.5, 1.2, -0.1, 0.9 }, .{ -1.0, 0.2, 0.1, -0.4, 0.6, 0.05 } });
}
