//! SIMD math kernels for the fused GLM log densities: exp and log1p on `@Vector(W, f64)`.
//! LLVM lowers `@exp`/`@log` on vectors to one libm call per lane, which would dominate the
//! GLM cost; these polynomial versions stay in vector registers.
//!
//! exp: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2), e^r by its degree-13 Taylor
//! polynomial (truncation < 5e-18), scaled by 2^k through the exponent bits; inputs are clamped
//! to [-708, 709] (results below e^-708 are returned as e^-708, which is harmless where it is
//! used: inside log1p(e^-|eta|) and the logistic function).
//! log1p on [0, 1]: u = 1 + x with the rounding error of u carried as a correction term, u
//! reduced to m in [sqrt(2)/2, sqrt(2)], log m = 2 atanh(s) = 2 (s + s^3/3 + ... + s^23/23) with
//! s = (m - 1)/(m + 1), evaluated as f - s (f - R) with f = m - 1, |s| <= 0.172 (truncation < 1e-18).
//! Both are within 2 ulp of std's scalar functions (tested).

const std = @import("std");
const builtin = @import("builtin");

/// Whether the target has fused multiply-add (otherwise @mulAdd on vectors would become a
/// per-lane library call, so plain multiply and add are used).
const has_fma = switch (builtin.cpu.arch) {
    .x86_64, .x86 => std.Target.x86.featureSetHas(builtin.cpu.features, .fma),
    .aarch64, .aarch64_be => true,
    else => false,
};

inline fn madd(comptime V: type, a: V, b: V, c: V) V {
    return if (has_fma) @mulAdd(V, a, b, c) else a * b + c;
}

/// Preferred vector width for f64 on the target (at least 2).
pub const width: comptime_int = @max(2, std.simd.suggestVectorLength(f64) orelse 2);

const ln2_hi: f64 = 0.6931467056274414; // 21 significant bits: k * ln2_hi is exact
const ln2_lo: f64 = 4.7493250390316726e-07;
const log2e: f64 = 1.4426950408889634;
const ln2: f64 = 0.6931471805599453;
const sqrt2: f64 = 1.4142135623730951;

/// e^x lane by lane.
pub inline fn exp(comptime W: comptime_int, x_in: @Vector(W, f64)) @Vector(W, f64) {
    const V = @Vector(W, f64);
    const x = @min(@max(x_in, @as(V, @splat(-708.0))), @as(V, @splat(709.0)));
    const k = @round(x * @as(V, @splat(log2e)));
    const r = (x - k * @as(V, @splat(ln2_hi))) - k * @as(V, @splat(ln2_lo));
    // Taylor coefficients 1/i!, i = 13 down to 0
    const c = [_]f64{
        1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
        1.0 / 362880.0,     1.0 / 40320.0,     1.0 / 5040.0,     1.0 / 720.0,
        1.0 / 120.0,        1.0 / 24.0,        1.0 / 6.0,        0.5,
        1.0,                1.0,
    };
    var p: V = @splat(c[0]);
    inline for (c[1..]) |ci| p = madd(V, p, r, @as(V, @splat(ci)));
    const ki: @Vector(W, i64) = @intFromFloat(k);
    const bits: @Vector(W, u64) = @bitCast((ki + @as(@Vector(W, i64), @splat(1023))) << @as(@Vector(W, u6), @splat(52)));
    const scale: V = @bitCast(bits);
    return p * scale;
}

/// log(1 + x) lane by lane for 0 <= x <= 1.
pub inline fn log1p01(comptime W: comptime_int, x: @Vector(W, f64)) @Vector(W, f64) {
    const V = @Vector(W, f64);
    const one: V = @splat(1.0);
    const u = one + x;
    const corr = (x - (u - one)) / u;
    const big = u > @as(V, @splat(sqrt2));
    const m = @select(f64, big, u * @as(V, @splat(0.5)), u);
    const add = @select(f64, big, @as(V, @splat(ln2)), @as(V, @splat(0.0)));
    // f = m - 1 is exact; log m = 2 atanh(s) = 2s + s R(s^2), and 2s = f - s f, so
    // log m = f - s (f - R): the rounding of the small term s (f - R) is damped.
    const f = m - one;
    const s = f / (@as(V, @splat(2.0)) + f);
    const s2 = s * s;
    var p: V = @splat(2.0 / 23.0);
    comptime var d: f64 = 21.0;
    inline while (d >= 3.0) : (d -= 2.0) p = madd(V, p, s2, @as(V, @splat(2.0 / d)));
    const r = s2 * p;
    return add + (f - s * (f - r)) + corr;
}

fn ulpErr(expected: f64, actual: f64) f64 {
    if (expected == actual) return 0;
    const ulp = std.math.floatEps(f64) * @abs(expected);
    return @abs(expected - actual) / @max(ulp, std.math.floatMin(f64));
}

test "vector exp within 2 ulp of std" {
    const W = width;
    var prng = std.Random.DefaultPrng.init(1);
    const rng = prng.random();
    var worst: f64 = 0;
    for (0..20000) |it| {
        var v: @Vector(W, f64) = undefined;
        inline for (0..W) |l| {
            const span: f64 = if (it % 2 == 0) 40.0 else 1400.0;
            v[l] = (rng.float(f64) - 0.5) * span;
            if (v[l] < -708) v[l] = -708;
        }
        const r = exp(W, v);
        inline for (0..W) |l| worst = @max(worst, ulpErr(@exp(v[l]), r[l]));
    }
    try std.testing.expect(worst <= 2.0);
    const z = exp(W, @as(@Vector(W, f64), @splat(0.0)));
    try std.testing.expectEqual(@as(f64, 1), z[0]);
}

test "vector log1p on [0, 1] within 2 ulp of std" {
    const W = width;
    var prng = std.Random.DefaultPrng.init(2);
    const rng = prng.random();
    var worst: f64 = 0;
    for (0..20000) |it| {
        var v: @Vector(W, f64) = undefined;
        inline for (0..W) |l| {
            // uniform, and log-uniform down to 1e-300
            v[l] = if (it % 2 == 0) rng.float(f64) else std.math.pow(f64, 10.0, -300.0 * rng.float(f64));
        }
        const r = log1p01(W, v);
        inline for (0..W) |l| {
            const e = ulpErr(std.math.log1p(v[l]), r[l]);
            if (e > 2) std.debug.print("log1p({e}) = {e} vs {e}\n", .{ v[l], r[l], std.math.log1p(v[l]) });
            worst = @max(worst, e);
        }
    }
    try std.testing.expect(worst <= 2.0);
    const e = log1p01(W, @as(@Vector(W, f64), @splat(1.0)));
    try std.testing.expectApproxEqRel(ln2, e[0], 1e-16);
}
