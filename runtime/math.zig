//! The `math_*` built-ins. Arguments may be any integer or float (they are converted to f64);
//! results are f64 (`is_*` return bool). The semantics are IEEE 754 / C99 Annex F rather than
//! Python's exceptions: a domain error gives NaN (`sqrt(-1)`, `log(-1)`, `asin(2)`), a pole
//! gives an infinity (`log(0) == -inf`), overflow gives an infinity, and NaN inputs give NaN
//! except where C defines otherwise (`pow(x, 0) == 1`, `pow(1, y) == 1`).
//!
//! Results are the same in every build mode and on every machine, and equal to the correctly
//! rounded value on essentially all arguments (so equal to glibc / CPython `math` wherever
//! glibc is correctly rounded). Zig's `@exp`, `@log`, `@sin`, ... cannot give that: compiler_rt
//! is off by an ulp at common points and, in ReleaseFast, LLVM folds calls with constant
//! arguments using the host's libm, so Debug and ReleaseFast builds print different digits.
//! Every function here is therefore built from operations IEEE 754 defines exactly (`+ - * /`,
//! `@mulAdd`, `@sqrt`, comparisons, integer and bit operations), which constant folding cannot
//! change. Transcendental functions work in double-double arithmetic (an unevaluated sum
//! hi + lo, about 106 bits; Dekker's error-free transformations with a fused multiply-add)
//! behind careful argument reduction, and round once at the end; the remaining error is
//! around 2^-100 relative, so a result can only be misrounded when the exact value lies
//! within that distance of a rounding boundary (the "table maker's dilemma"; no such argument
//! is known: the reference table in tests/math/ and several million random and near-halfway
//! arguments checked against mpmath gave no misrounding).
//!
//! For speed most functions first try a cheaper evaluation (Ziv's strategy) whose error bound
//! (derived beside each, and checked by a test) is ~2^-66: if every value within that bound
//! of the approximation rounds to the same double, that double is returned; otherwise the
//! double-double evaluation decides (measured: 1 call in 3000 for exp, 1 in 175 for log, 1 in
//! 300 for sin, a few in 100 for pow with |y| near 60).
//!
//! - exp: x = (128 m + j) ln2/128 + r with ln2/128 in three pieces, a table of 2^(j/128) and a
//!   degree-9 polynomial for expm1(r), |r| <= ln2/256; subnormal results round once.
//! - log: first a table-driven attempt, x = 2^e c (1 + r) with c = 1 + i/128 (91 centres,
//!   -log(1/c) in double-double computed at compile time), r exact as a double-double and
//!   log1p(r) by its series (relative error < 2^-66, also near x = 1; rounding tested against
//!   2^-63: 1 call in 175 falls back on the tests' arguments). The accurate path: x = 2^e m;
//!   z0 = log1p(m - 1) in double (std.math, pure arithmetic), then one exact Newton
//!   correction log m = z0 + log1p(m e^-z0 - 1) using the exp kernel. log2, log10 scale it
//!   by double-double constants.
//! - sin, cos, tan: reduction modulo pi/2 by Cody-Waite (pi/2 in five pieces) below 2^20 and
//!   Payne-Hanek (integer arithmetic on 1408 bits of 2/pi) above; then r = j/64 + b with a
//!   table of sin, cos(j/64) and short series in b.
//! - atan, atan2, asin, acos: theta0 from std.math.atan2 in double, then the exact identity
//!   theta = theta0 + atan((y cos theta0 - x sin theta0) / (x cos theta0 + y sin theta0)) with
//!   sin/cos in double-double (the correction is ~2^-52, so atan of it is itself).
//! - sinh, cosh, tanh: from the exp kernel, with expm1's series near 0 (no cancellation).
//! - pow: exp(y log|x|) with log in double-double and y * log|x| kept as a double-double;
//!   exact powers of two and exact small-integer powers are computed exactly (ties to even).
//! - hypot: sqrt of x^2 + y^2 in double-double after exact scaling.

const std = @import("std");
const kernels = @import("math/kernels.zig");
const toF64 = kernels.toF64;
const nan_f64 = kernels.nan_f64;
const inf_f64 = kernels.inf_f64;
const DD = kernels.DD;
const fastTwoSum = kernels.fastTwoSum;
const twoSum = kernels.twoSum;
const twoProd = kernels.twoProd;
const dd = kernels.dd;
const ddNeg = kernels.ddNeg;
const ddAdd = kernels.ddAdd;
const ddAddAcc = kernels.ddAddAcc;
const ddAddD = kernels.ddAddD;
const ddMul = kernels.ddMul;
const ddMulD = kernels.ddMulD;
const ddDiv = kernels.ddDiv;
const ddSqrt = kernels.ddSqrt;
const pow2 = kernels.pow2;
const ldexpExact = kernels.ldexpExact;
const scaleRound = kernels.scaleRound;
const scaleRoundAny = kernels.scaleRoundAny;
const Split = kernels.Split;
const splitExp = kernels.splitExp;
const expm1Poly = kernels.expm1Poly;
const expKernel = kernels.expKernel;
const expFast = kernels.expFast;
const roundIfSafe = kernels.roundIfSafe;
const expDD = kernels.expDD;
const LogParts = kernels.LogParts;
const logParts = kernels.logParts;
const logPartsWith = kernels.logPartsWith;
const logDD = kernels.logDD;
const logCombine = kernels.logCombine;
const logFast = kernels.logFast;
const reducePio2 = kernels.reducePio2;
const sinCosKernel = kernels.sinCosKernel;
const sinCosKernelFast = kernels.sinCosKernelFast;
const inQuadrant = kernels.inQuadrant;
const angle = kernels.angle;
const round1 = kernels.round1;
const INV_LN2 = kernels.INV_LN2;
const INV_LN10 = kernels.INV_LN10;
const PI = kernels.PI;
const PIO2 = kernels.PIO2;
const PIO4 = kernels.PIO4;
const PI3O4 = kernels.PI3O4;
const DEG = kernels.DEG;
const RAD = kernels.RAD;
const LOG10_2_A = kernels.LOG10_2_A;
const LOG10_2_B = kernels.LOG10_2_B;
const LOG10_2_C = kernels.LOG10_2_C;

test {
    _ = kernels;
}

// ---------------------------------------------------------------------------------------------
// Test support: distance in units in the last place.
// ---------------------------------------------------------------------------------------------

fn ulpDistance(a: f64, b: f64) u64 {
    // Map the float line onto the integers monotonically (negative floats are mirrored).
    const ia: i64 = @bitCast(a);
    const ib: i64 = @bitCast(b);
    const ma: i128 = if (ia < 0) -@as(i128, ia & std.math.maxInt(i64)) else ia;
    const mb: i128 = if (ib < 0) -@as(i128, ib & std.math.maxInt(i64)) else ib;
    return @intCast(@abs(ma - mb));
}

fn expectUlps(expected: f64, got: f64, max_ulps: u64) !void {
    if (std.math.isNan(expected)) return std.testing.expect(std.math.isNan(got));
    const d = ulpDistance(expected, got);
    if (d > max_ulps) {
        std.debug.print("expected {e}, got {e} ({d} ulp apart)\n", .{ expected, got, d });
        return error.TestExpectedApproxEq;
    }
}

/// Checks a table of (x, f(x)) pairs bit for bit (NaN matches any NaN; the sign of zero
/// counts); expected values are Python 3.11 `math` results (glibc 2.36).
fn expectTable1(comptime f: anytype, cases: []const [2]f64) !void {
    for (cases) |c| try expectSame(c[1], f(c[0]));
}

fn expectTable2(comptime f: anytype, cases: []const [3]f64) !void {
    for (cases) |c| try expectSame(c[2], f(c[0], c[1]));
}

fn expectSame(expected: f64, got: f64) !void {
    if (std.math.isNan(expected) and std.math.isNan(got)) return;
    if (@as(u64, @bitCast(expected)) != @as(u64, @bitCast(got))) {
        std.debug.print("expected {e}, got {e}\n", .{ expected, got });
        return error.TestExpectedEqual;
    }
}

const NaN = std.math.nan(f64);
const Inf = std.math.inf(f64);

test ulpDistance {
    try std.testing.expectEqual(@as(u64, 0), ulpDistance(1.0, 1.0));
    try std.testing.expectEqual(@as(u64, 1), ulpDistance(1.0, std.math.nextAfter(f64, 1.0, 2.0)));
    try std.testing.expectEqual(@as(u64, 0), ulpDistance(0.0, -0.0));
    try std.testing.expectEqual(@as(u64, 2), ulpDistance(-5e-324, 5e-324));
    try expectUlps(1.0, std.math.nextAfter(f64, 1.0, 2.0), 1);
    try std.testing.expectError(error.TestExpectedEqual, expectSame(0.0, -0.0));
}

// ---------------------------------------------------------------------------------------------
// One argument
// ---------------------------------------------------------------------------------------------

/// |x|; `abs(-0.0) == 0.0`. Backs `math_abs`.
pub fn abs(x: anytype) f64 {
    return @abs(toF64(x));
}

test abs {
    try std.testing.expectEqual(@as(f64, 2.5), abs(@as(f64, -2.5)));
    try std.testing.expectEqual(@as(f64, 7), abs(@as(i64, -7)));
    try std.testing.expect(!std.math.signbit(abs(@as(f64, -0.0))));
    try std.testing.expectEqual(Inf, abs(-Inf));
}

/// Square root (correctly rounded); NaN for x < 0, `sqrt(-0.0) == -0.0`. Backs `math_sqrt`.
pub fn sqrt(x: anytype) f64 {
    return @sqrt(toF64(x));
}

test sqrt {
    try expectTable1(sqrt, &.{ .{ 0.0, 0.0 }, .{ 1.0, 1.0 }, .{ 2.0, 1.4142135623730951 }, .{ 0.25, 0.5 }, .{ 1e+300, 1e+150 }, .{ 3.0, 1.7320508075688772 }, .{ -1.0, NaN }, .{ Inf, Inf }, .{ -0.0, -0.0 } });
    try std.testing.expectEqual(@as(f64, 3), sqrt(@as(i32, 9)));
}

/// e^x, correctly rounded (see the module comment); overflows to inf above ~709.78, and is
/// 0 below ~-745.13. Backs `math_exp`.
pub fn exp(x_: anytype) f64 {
    const x = toF64(x_);
    if (!(x <= 710)) return x + inf_f64; // NaN or overflow (x + inf keeps NaN)
    if (x < -746) return 0;
    const f = expFast(dd(x));
    if (f.k >= -1019 and f.k <= 1000) {
        if (roundIfSafe(f.v, @abs(f.v.hi) * 0x1p-65)) |r| return r * pow2(f.k);
    }
    const ek = expKernel(dd(x));
    return scaleRound(ek.v, ek.k);
}

test exp {
    try expectTable1(exp, &.{ .{ 0.0, 1.0 }, .{ 1.0, 2.718281828459045 }, .{ -1.0, 0.36787944117144233 }, .{ 0.5, 1.6487212707001282 }, .{ 10.0, 22026.465794806718 }, .{ -20.0, 2.061153622438558e-09 }, .{ 700.0, 1.0142320547350045e+304 }, .{ -745.0, 5e-324 }, .{ 710.0, Inf }, .{ -Inf, 0.0 }, .{ Inf, Inf }, .{ NaN, NaN }, .{ 709.782712893384, 1.7976931348622732e+308 }, .{ -740.0, 4.1995579896506e-322 }, .{ 1e-300, 1.0 }, .{ -708.5, 2.006132305331306e-308 } });
}

/// Natural logarithm, correctly rounded; `log(0) == -inf`, NaN for x < 0. Backs `math_log`.
pub fn log(x_: anytype) f64 {
    const x = toF64(x_);
    if (!(x > 0) or x == inf_f64) return logSpecial(x);
    const v = logFast(x);
    if (roundIfSafe(v, @abs(v.hi) * 0x1p-63)) |r| return r;
    return round1(logDD(x));
}

fn logSpecial(x: f64) f64 {
    if (x == 0) return -inf_f64;
    if (x == inf_f64) return inf_f64;
    return nan_f64; // negative or NaN
}

test log {
    try expectTable1(log, &.{ .{ 1.0, 0.0 }, .{ 2.0, 0.6931471805599453 }, .{ 0.5, -0.6931471805599453 }, .{ 10.0, 2.302585092994046 }, .{ 1e-300, -690.7755278982137 }, .{ 1e+300, 690.7755278982137 }, .{ 123.456, 4.815884817283264 }, .{ 0.0, -Inf }, .{ -1.0, NaN }, .{ 5e-324, -744.4400719213812 }, .{ 1.0000000001, 1.000000082690371e-10 }, .{ 0.9999999999999999, -1.1102230246251565e-16 }, .{ Inf, Inf } });
}

test "log's table-driven first attempt returns the accurate path's rounding" {
    var prng = std.Random.DefaultPrng.init(0x106);
    const rng = prng.random();
    var fallbacks: usize = 0;
    const n = 200_000;
    for (0..n) |i| {
        const x = switch (i % 4) {
            0 => std.math.ldexp(1.0 + rng.float(f64), rng.intRangeAtMost(i32, -1074, 1023)),
            1 => 1.0 + (rng.float(f64) - 0.5) * 0x1p-6,
            2 => 1.0 + (rng.float(f64) - 0.5) * std.math.ldexp(@as(f64, 1.0), -rng.intRangeAtMost(i32, 10, 52)),
            else => 0.7 + rng.float(f64) * 0.72,
        };
        const accurate = round1(logDD(x));
        try expectSame(accurate, log(x));
        const v = logFast(x);
        if (roundIfSafe(v, @abs(v.hi) * 0x1p-63) == null) fallbacks += 1;
    }
    // The fast attempt decides nearly every call (the accurate path is ~3 times slower).
    try std.testing.expect(fallbacks < n / 100);
}

/// Base-10 logarithm, correctly rounded (`log10(1000) == 3` exactly); `log10(0) == -inf`,
/// NaN for x < 0. Backs `math_log10`.
pub fn log10(x_: anytype) f64 {
    const x = toF64(x_);
    if (!(x > 0) or x == inf_f64) return logSpecial(x);
    // log10 x = e log10(2) + log(m) / ln 10, with e log10(2) in exact pieces.
    if (logPartsWith(x, true)) |lp| {
        if (roundIfSafe(log10Combine(lp), 0x1p-64)) |r| return r;
    }
    return round1(log10Combine(logParts(x)));
}

fn log10Combine(lp: LogParts) DD {
    const l = ddMul(lp.lm, INV_LN10);
    const ef: f64 = @floatFromInt(lp.e);
    const a = twoSum(ef * LOG10_2_A, l.hi);
    const b = twoSum(a.hi, ef * LOG10_2_B);
    return fastTwoSum(b.hi, ((a.lo + b.lo) + l.lo) + ef * LOG10_2_C);
}

test log10 {
    try expectTable1(log10, &.{ .{ 1.0, 0.0 }, .{ 10.0, 1.0 }, .{ 0.001, -3.0 }, .{ 2.0, 0.3010299956639812 }, .{ 12345.678, 4.091514945509202 }, .{ 0.0, -Inf }, .{ 1e22, 22.0 }, .{ 1e-300, -300.0 }, .{ 5e-324, -323.3062153431158 } });
}

/// Base-2 logarithm, correctly rounded (exact for powers of two); `log2(0) == -inf`, NaN
/// for x < 0. Backs `math_log2`.
pub fn log2(x_: anytype) f64 {
    const x = toF64(x_);
    if (!(x > 0) or x == inf_f64) return logSpecial(x);
    if (logPartsWith(x, true)) |lp| {
        if (roundIfSafe(log2Combine(lp), 0x1p-63)) |r| return r;
    }
    return round1(log2Combine(logParts(x)));
}

fn log2Combine(lp: LogParts) DD {
    const l = ddMul(lp.lm, INV_LN2);
    const s = twoSum(@floatFromInt(lp.e), l.hi);
    return fastTwoSum(s.hi, s.lo + l.lo);
}

test log2 {
    try expectTable1(log2, &.{ .{ 1.0, 0.0 }, .{ 8.0, 3.0 }, .{ 0.1, -3.321928094887362 }, .{ 3.0, 1.584962500721156 }, .{ 1e-300, -996.5784284662087 }, .{ -2.0, NaN }, .{ 5e-324, -1074.0 }, .{ 0x1p-1022, -1022.0 }, .{ 1.5, 0.5849625007211562 } });
}

/// Sine of x radians, correctly rounded for every finite x (Payne-Hanek reduction for huge
/// |x|); NaN for infinite x. Backs `math_sin`.
pub fn sin(x_: anytype) f64 {
    const x = toF64(x_);
    if (@abs(x) < 0x1p-26) return x; // sin x = x (1 - x^2/6): less than half an ulp away
    if (!std.math.isFinite(x)) return x - x;
    const red = reducePio2(x);
    const f = inQuadrant(red.n, sinCosKernelFast(red.r)).s;
    if (roundIfSafe(f, @abs(f.hi) * 0x1p-62)) |r| return r;
    return round1(inQuadrant(red.n, sinCosKernel(red.r)).s);
}

test sin {
    try expectTable1(sin, &.{ .{ 0.0, 0.0 }, .{ 0.5, 0.479425538604203 }, .{ 1.0, 0.8414709848078965 }, .{ -2.0, -0.9092974268256817 }, .{ 3.141592653589793, 1.2246467991473532e-16 }, .{ 100.0, -0.5063656411097588 }, .{ Inf, NaN }, .{ 1e22, -0.8522008497671888 }, .{ 1e300, -0.8178819121159085 }, .{ -0.0, -0.0 }, .{ 1e-300, 1e-300 } });
}

/// Cosine of x radians, correctly rounded. Backs `math_cos`.
pub fn cos(x_: anytype) f64 {
    const x = toF64(x_);
    if (@abs(x) < 0x1p-27) return 1.0;
    if (!std.math.isFinite(x)) return x - x;
    const red = reducePio2(x);
    const f = inQuadrant(red.n, sinCosKernelFast(red.r)).c;
    if (roundIfSafe(f, @abs(f.hi) * 0x1p-62)) |r| return r;
    return round1(inQuadrant(red.n, sinCosKernel(red.r)).c);
}

test cos {
    try expectTable1(cos, &.{ .{ 0.0, 1.0 }, .{ 0.5, 0.8775825618903728 }, .{ 1.0, 0.5403023058681398 }, .{ -2.0, -0.4161468365471424 }, .{ 3.141592653589793, -1.0 }, .{ 100.0, 0.8623188722876839 }, .{ 1.5707963267948966, 6.123233995736766e-17 }, .{ 1e22, 0.523214785395139 }, .{ NaN, NaN } });
}

/// Tangent of x radians, correctly rounded. Backs `math_tan`.
pub fn tan(x_: anytype) f64 {
    const x = toF64(x_);
    if (@abs(x) < 0x1p-27) return x;
    if (!std.math.isFinite(x)) return x - x;
    const red = reducePio2(x);
    const f = sinCosKernelFast(red.r);
    const t = if (red.n & 1 == 0) ddDiv(f.s, f.c) else ddNeg(ddDiv(f.c, f.s));
    if (roundIfSafe(t, @abs(t.hi) * 0x1p-61)) |r| return r;
    const k = sinCosKernel(red.r);
    return if (red.n & 1 == 0) round1(ddDiv(k.s, k.c)) else round1(ddNeg(ddDiv(k.c, k.s)));
}

test tan {
    try expectTable1(tan, &.{ .{ 0.0, 0.0 }, .{ 0.5, 0.5463024898437905 }, .{ 1.0, 1.5574077246549023 }, .{ -2.0, 2.185039863261519 }, .{ 1.5, 14.101419947171719 }, .{ 1.5707963267948966, 1.633123935319537e+16 }, .{ 1e22, -1.6287782256068988 } });
}

/// Arcsine in [-pi/2, pi/2], correctly rounded; NaN outside [-1, 1]. Backs `math_asin`.
pub fn asin(x_: anytype) f64 {
    const x = toF64(x_);
    if (@abs(x) < 0x1p-26) return x; // asin x = x (1 + x^2/6)
    if (!(@abs(x) <= 1)) return nan_f64;
    return angle(dd(x), oneMinusSquareRoot(x));
}

/// sqrt(1 - x^2) as a double-double for |x| <= 1.
fn oneMinusSquareRoot(x: f64) DD {
    const p = twoProd(x, x);
    const s = twoSum(1.0, -p.hi);
    return ddSqrt(twoSum(s.hi, s.lo - p.lo));
}

test asin {
    try expectTable1(asin, &.{ .{ 0.0, 0.0 }, .{ 0.5, 0.5235987755982989 }, .{ 1.0, 1.5707963267948966 }, .{ -0.3, -0.3046926540153975 }, .{ 1.5, NaN }, .{ -1.0, -1.5707963267948966 }, .{ 0.9999999999999999, 1.5707963118937354 }, .{ -0.0, -0.0 } });
}

/// Arccosine in [0, pi], correctly rounded; NaN outside [-1, 1]. Backs `math_acos`.
pub fn acos(x_: anytype) f64 {
    const x = toF64(x_);
    if (!(@abs(x) <= 1)) return nan_f64;
    if (x == 1) return 0; // +0 also under Zig's comptime evaluation (which gives 0 + -0 = -0)
    return angle(oneMinusSquareRoot(x), dd(x));
}

test acos {
    try expectTable1(acos, &.{ .{ 0.0, 1.5707963267948966 }, .{ 0.5, 1.0471975511965979 }, .{ 1.0, 0.0 }, .{ -0.3, 1.8754889808102941 }, .{ -1.0, 3.141592653589793 }, .{ -1.5, NaN }, .{ 1e-20, 1.5707963267948966 }, .{ 0.9999999999999999, 1.4901161193847656e-08 } });
}

/// Arctangent in [-pi/2, pi/2], correctly rounded. Backs `math_atan`.
pub fn atan(x_: anytype) f64 {
    const x = toF64(x_);
    const ax = @abs(x);
    if (ax < 0x1p-27) return x; // atan x = x (1 - x^2/3)
    if (std.math.isNan(x)) return x;
    const sgn: f64 = if (x < 0) -1 else 1;
    // atan x = pi/2 - 1/x + ... when 1/x is below 2^-62 (also for x = inf).
    if (ax > 0x1p62) return sgn * round1(ddAddD(PIO2, -1.0 / ax));
    return angle(dd(x), dd(1.0));
}

test atan {
    try expectTable1(atan, &.{ .{ 0.0, 0.0 }, .{ 0.5, 0.4636476090008061 }, .{ 1.0, 0.7853981633974483 }, .{ -2.0, -1.1071487177940904 }, .{ 10000000000.0, 1.5707963266948965 }, .{ Inf, 1.5707963267948966 }, .{ -Inf, -1.5707963267948966 }, .{ 1e300, 1.5707963267948966 }, .{ -0.0, -0.0 } });
}

/// Hyperbolic sine, correctly rounded; overflows to ±inf beyond ~710.48. Backs `math_sinh`.
pub fn sinh(x_: anytype) f64 {
    const x = toF64(x_);
    const ax = @abs(x);
    if (ax < 0x1p-26) return x; // sinh x = x (1 + x^2/6)
    if (!(ax <= 720)) return x * inf_f64; // NaN or overflow, with the sign of x
    const sgn: f64 = if (x < 0) -1 else 1;
    if (ax <= 0.0027) {
        // Fast: x + x^3 (1/6 + x^2/120 + x^4/5040), the cubic part in double: relative
        // error < 2^-70 (it is below 2^-19.6 x and has 4 roundings).
        const z = ax * ax;
        const t = ax * z * (1.0 / 6.0 + z * (1.0 / 120.0 + z * (1.0 / 5040.0)));
        if (roundIfSafe(fastTwoSum(ax, t), ax * 0x1p-66)) |r| return sgn * r;
        // (expm1(x) - expm1(-x)) / 2: no cancellation.
        const d = ddAdd(expm1Poly(dd(ax)), ddNeg(expm1Poly(dd(-ax))));
        return sgn * (0.5 * round1(d));
    }
    if (ax < 40) {
        // Fast: e^x and e^-x from expFast (2^-67.5 each); the difference is off by at most
        // 2^-67.5 (e^x + e^-x).
        const ea = expFastDD(ax);
        const eb = expFastDD(-ax);
        if (roundIfSafe(ddAddAcc(ea, ddNeg(eb)), (ea.hi + eb.hi) * 0x1p-66)) |r| return sgn * (0.5 * r);
        const ex = expDD(ax);
        const d = ddAddAcc(ex, ddNeg(ddDiv(dd(1), ex)));
        return sgn * (0.5 * round1(d));
    }
    return sgn * expHalfLarge(ax); // e^-x is below 2^-110 of e^x
}

/// e^x as a double-double from expFast (relative error < 2^-67.5), for |x| <= 700.
fn expFastDD(x: f64) DD {
    const f = expFast(dd(x));
    const s = pow2(f.k);
    return .{ .hi = f.v.hi * s, .lo = f.v.lo * s };
}

/// e^x / 2 correctly rounded, for 40 <= x <= 750 (sinh and cosh there).
fn expHalfLarge(x: f64) f64 {
    const f = expFast(dd(x));
    if (f.k <= 1000) {
        if (roundIfSafe(f.v, f.v.hi * 0x1p-65)) |r| return r * pow2(f.k - 1);
    }
    const ek = expKernel(dd(x));
    return scaleRound(ek.v, ek.k - 1);
}

test sinh {
    // glibc gives -3.626860407847019 for sinh(-2) and 1.1169973830808557e+308 for
    // sinh(710), 0.57 and 0.63 ulp away; these are the correctly rounded values (mpmath).
    try expectTable1(sinh, &.{ .{ 0.0, 0.0 }, .{ 0.5, 0.5210953054937474 }, .{ 1.0, 1.1752011936438014 }, .{ -2.0, -3.6268604078470186 }, .{ 20.0, 242582597.70489514 }, .{ 710.0, 1.1169973830808555e+308 }, .{ 711.0, Inf }, .{ -711.0, -Inf }, .{ 0.001, 0.0010000001666666751 }, .{ -0.0, -0.0 } });
}

/// Hyperbolic cosine, correctly rounded. Backs `math_cosh`.
pub fn cosh(x_: anytype) f64 {
    const x = toF64(x_);
    const ax = @abs(x);
    if (ax < 0x1p-27) return 1.0; // cosh x = 1 + x^2/2 < 1 + 2^-55
    if (!(ax <= 720)) return ax * inf_f64;
    if (ax < 40) {
        const ea = expFastDD(ax);
        const eb = expFastDD(-ax);
        if (roundIfSafe(ddAdd(ea, eb), (ea.hi + eb.hi) * 0x1p-66)) |r| return 0.5 * r;
        const ex = expDD(ax);
        return 0.5 * round1(ddAdd(ex, ddDiv(dd(1), ex)));
    }
    return expHalfLarge(ax);
}

test cosh {
    // cosh(710): glibc gives 1.1169973830808557e+308 (0.63 ulp away).
    try expectTable1(cosh, &.{ .{ 0.0, 1.0 }, .{ 0.5, 1.1276259652063807 }, .{ 1.0, 1.5430806348152437 }, .{ -2.0, 3.7621956910836314 }, .{ 20.0, 242582597.70489514 }, .{ -710.0, 1.1169973830808555e+308 }, .{ 711.0, Inf }, .{ NaN, NaN }, .{ -Inf, Inf } });
}

/// Hyperbolic tangent, correctly rounded. Backs `math_tanh`.
pub fn tanh(x_: anytype) f64 {
    const x = toF64(x_);
    const ax = @abs(x);
    if (ax < 0x1p-27) return x; // tanh x = x (1 - x^2/3)
    if (std.math.isNan(x)) return x;
    const sgn: f64 = if (x < 0) -1 else 1;
    if (ax > 22) return sgn; // 1 - tanh x < 2 e^-44 < 2^-62
    if (ax <= 0.0027) {
        // Fast: x - x^3/3 + 2x^5/15 - 17x^7/315, the cubic part in double (as in sinh).
        const z = ax * ax;
        const t = ax * z * (-1.0 / 3.0 + z * (2.0 / 15.0 + z * (-17.0 / 315.0)));
        if (roundIfSafe(fastTwoSum(ax, t), ax * 0x1p-66)) |r| return sgn * r;
        const p = expm1Poly(dd(ax));
        const q = expm1Poly(dd(-ax));
        return sgn * round1(ddDiv(ddAdd(p, ddNeg(q)), ddAdd(dd(2), ddAdd(p, q))));
    }
    // Fast: E = e^2x from expFast; (E - 1) / (E + 1) is off by at most
    // 2^-67.5 (E / (E - 1) + 1) relative.
    const ef = expFastDD(2 * ax);
    const num = ddAddD(ef, -1);
    const t = ddDiv(num, ddAddD(ef, 1));
    if (roundIfSafe(t, t.hi * 0x1p-66 * (ef.hi / num.hi + 1))) |r| return sgn * r;
    const ex = expDD(2 * ax);
    return sgn * round1(ddDiv(ddAddD(ex, -1), ddAddD(ex, 1)));
}

test tanh {
    try expectTable1(tanh, &.{ .{ 0.0, 0.0 }, .{ 0.5, 0.46211715726000974 }, .{ 1.0, 0.7615941559557649 }, .{ -2.0, -0.9640275800758169 }, .{ 20.0, 1.0 }, .{ 1e-10, 1e-10 }, .{ 0.002, 0.0019999973333376 }, .{ -Inf, -1.0 }, .{ -0.0, -0.0 } });
}

/// Largest integer value <= x. Backs `math_floor`.
pub fn floor(x: anytype) f64 {
    return @floor(toF64(x));
}

test floor {
    try expectTable1(floor, &.{ .{ 2.7, 2.0 }, .{ -2.1, -3.0 }, .{ -0.5, -1.0 }, .{ 5.0, 5.0 }, .{ 1e300, 1e300 }, .{ NaN, NaN } });
}

/// Smallest integer value >= x. Backs `math_ceil`.
pub fn ceil(x: anytype) f64 {
    return @ceil(toF64(x));
}

test ceil {
    try expectTable1(ceil, &.{ .{ 2.1, 3.0 }, .{ -2.7, -2.0 }, .{ 5.0, 5.0 }, .{ -Inf, -Inf }, .{ -0.5, -0.0 } });
}

/// Nearest integer value, halfway cases away from zero (`round(2.5) == 3`,
/// `round(-2.5) == -3`; unlike Python's round-half-even). Backs `math_round`.
pub fn round(x: anytype) f64 {
    return @round(toF64(x));
}

test round {
    try expectTable1(round, &.{ .{ 2.5, 3.0 }, .{ -2.5, -3.0 }, .{ 0.5, 1.0 }, .{ 1.4999999999999998, 1.0 }, .{ 0.49999999999999994, 0.0 }, .{ -7.6, -8.0 }, .{ 4503599627370497.0, 4503599627370497.0 } });
}

/// x with its fractional part removed (rounds toward zero). Backs `math_trunc`.
pub fn trunc(x: anytype) f64 {
    return @trunc(toF64(x));
}

test trunc {
    try expectTable1(trunc, &.{ .{ 2.7, 2.0 }, .{ -2.7, -2.0 }, .{ 0.3, 0.0 }, .{ Inf, Inf } });
}

/// x * c rounded once, for the double-double constant c (overflow gives ±inf).
fn mulConst(x: f64, c: DD) f64 {
    if (x == 0 or !std.math.isFinite(x)) return x * c.hi;
    if (@abs(x) < 0x1p-900) {
        // Keep the low-order products out of the subnormal range; round once at the end.
        const xs = x * 0x1p200;
        const p = twoProd(xs, c.hi);
        return scaleRoundAny(fastTwoSum(p.hi, p.lo + xs * c.lo), -200);
    }
    const p = twoProd(x, c.hi);
    if (!std.math.isFinite(p.hi)) return p.hi;
    return p.hi + (p.lo + x * c.lo);
}

/// Radians to degrees, x * (180 / pi) correctly rounded (the constant is a double-double, so
/// `degrees(pi) == 180` and no double rounding from a rounded 180/pi). Backs `math_degrees`.
pub fn degrees(x: anytype) f64 {
    return mulConst(toF64(x), DEG);
}

test degrees {
    try expectTable1(degrees, &.{ .{ 0.0, 0.0 }, .{ 1.0, 57.29577951308232 }, .{ 3.141592653589793, 180.0 }, .{ -0.5, -28.64788975654116 }, .{ 1.5707963267948966, 90.0 }, .{ 1e308, Inf } });
}

/// Degrees to radians, x * (pi / 180) correctly rounded. Backs `math_radians`.
pub fn radians(x: anytype) f64 {
    return mulConst(toF64(x), RAD);
}

test radians {
    try expectTable1(radians, &.{ .{ 0.0, 0.0 }, .{ 1.0, 0.017453292519943295 }, .{ 180.0, 3.141592653589793 }, .{ -90.0, -1.5707963267948966 }, .{ 45.0, 0.7853981633974483 }, .{ 360.0, 6.283185307179586 } });
}

/// 1.0 for x > 0, -1.0 for x < 0, and x itself for ±0.0 and NaN (`sign(-0.0) == -0.0`,
/// `sign(NaN)` is NaN). Backs `math_sign`.
pub fn sign(x: anytype) f64 {
    const v = toF64(x);
    if (v > 0) return 1.0;
    if (v < 0) return -1.0;
    return v;
}

test sign {
    try expectTable1(sign, &.{ .{ 3.5, 1.0 }, .{ -1e-300, -1.0 }, .{ 0.0, 0.0 }, .{ NaN, NaN }, .{ -Inf, -1.0 }, .{ -0.0, -0.0 } });
    try std.testing.expectEqual(@as(f64, -1), sign(@as(i64, -4)));
}

// ---------------------------------------------------------------------------------------------
// Two arguments
// ---------------------------------------------------------------------------------------------

fn isOddInteger(y: f64) bool {
    // Every float of magnitude >= 2^53 is an even integer.
    return @abs(y) < 9007199254740992.0 and @trunc(y) == y and @rem(y, 2.0) != 0;
}

/// x raised to the power y, correctly rounded (exact results, including halfway cases of
/// small integer powers, are exact). Special cases follow C99 Annex F: `pow(x, ±0) == 1` and
/// `pow(1, y) == 1` for any x, y (even NaN); a negative finite x with a non-integer y gives
/// NaN; `pow(±0, y)` for y < 0 is an infinity (signed for odd integer y);
/// `pow(-1, ±inf) == 1`. Backs `math_pow`.
pub fn pow(x_: anytype, y_: anytype) f64 {
    const x = toF64(x_);
    const y = toF64(y_);
    if (y == 0 or x == 1) return 1;
    if (std.math.isNan(x) or std.math.isNan(y)) return nan_f64;
    const ax = @abs(x);
    if (std.math.isInf(y)) {
        if (ax == 1) return 1;
        return if ((ax < 1) == (y > 0)) 0 else inf_f64;
    }
    const y_odd = isOddInteger(y);
    if (ax == 0 or std.math.isInf(x)) {
        // |x|^y is 0 or inf; negative x keeps its sign for odd integer y.
        const mag: f64 = if ((ax == 0) == (y < 0)) inf_f64 else 0;
        return if (y_odd and std.math.signbit(x)) -mag else mag;
    }
    if (x < 0 and @trunc(y) != y) return nan_f64;
    const r = powPositive(ax, y);
    return if (x < 0 and y_odd) -r else r;
}

/// x^y for finite x > 0 and finite nonzero y.
fn powPositive(x: f64, y: f64) f64 {
    if (y == 1) return x;
    if (y == 2) return x * x;
    if (y == -1) return 1 / x;
    if (y == 0.5) return @sqrt(x);
    const sp = splitExp(x);
    if (sp.m == 1) {
        // A power of two: 2^(e y) is exact when e y is an integer.
        const ef: f64 = @floatFromInt(sp.e);
        const p = ef * y;
        if (@mulAdd(f64, ef, y, -p) == 0 and @trunc(p) == p) {
            if (p > 1023) return inf_f64;
            if (p < -1074) return 0; // 2^-1075 is halfway to 2^-1074 and rounds to even
            return ldexpExact(1.0, @intFromFloat(p));
        }
    }
    if (y >= 3 and y <= 64 and @trunc(y) == y) {
        if (exactIntPow(sp, @intFromFloat(y))) |r| return r;
    }
    if (@abs(y) < 64) {
        // Fast try: log with absolute error < 2^-66 (the accurate one near 1, where the fast
        // one gives up), so y log x is within |y| 2^-66; then expFast (2^-67.5).
        const l = logCombine(logPartsWith(x, true) orelse logParts(x));
        const ef = expFast(ddMulD(l, y));
        if (ef.k >= -1019 and ef.k <= 1000) {
            const err = @abs(ef.v.hi) * (@abs(y) * 0x1p-65 + 0x1p-65);
            if (roundIfSafe(ef.v, err)) |r| return r * pow2(ef.k);
        }
    }
    const l = logDD(x);
    const th = l.hi * y;
    if (th > 710) return inf_f64;
    if (th < -746) return 0;
    const ek = expKernel(ddMulD(l, y));
    return scaleRound(ek.v, ek.k);
}

/// x^n when the odd part of x's significand to the n has at most 54 bits (then the result
/// is exact or exactly halfway between two doubles, which the double-double path cannot
/// decide); null otherwise.
fn exactIntPow(sp: Split, n: u32) ?f64 {
    const m53: u64 = @intFromFloat(sp.m * 0x1p52);
    const tz: u6 = @intCast(@ctz(m53));
    const mo = m53 >> tz;
    if (mo >= 1 << 18) return null; // mo^3 >= 2^54
    var acc: u64 = 1;
    for (0..n) |_| {
        acc *= mo; // < 2^54 * 2^18, no overflow
        if (acc >= 1 << 54) return null;
    }
    const shift = sp.e - 52 + @as(i32, tz);
    const b: i32 = 63 - @as(i32, @clz(acc));
    const sc = pow2(-b);
    const v = DD{ .hi = @as(f64, @floatFromInt(acc & ~@as(u64, 1))) * sc, .lo = @as(f64, @floatFromInt(acc & 1)) * sc };
    const k = @as(i64, shift) * n + b;
    if (k > 1100) return inf_f64;
    if (k < -1100) return 0;
    return scaleRound(v, @intCast(k));
}

test pow {
    // 3^34 = 16677181699666569 is halfway between two doubles: ties-to-even gives ...568
    // (glibc returns ...570).
    try expectTable2(pow, &.{
        .{ 2.0, 10.0, 1024.0 },                     .{ 2.0, 0.5, 1.4142135623730951 },
        .{ 10.0, -2.0, 0.01 },                      .{ 1.0001, 10000.0, 2.7181459268249255 },
        .{ 0.5, 1074.0, 5e-324 },                   .{ 7.0, 0.3333333333333333, 1.912931182772389 },
        .{ -2.0, 3.0, -8.0 },                       .{ -2.0, -3.0, -0.125 },
        .{ 123.456, 7.89, 3.1771028258180936e+16 }, .{ 1e-05, 3.3, 3.162277660168387e-17 },
        .{ 2.0, -1074.0, 5e-324 },                  .{ 3.0, -650.5, 4.291645142558e-311 },
        .{ 0.9, -3000.0, 1.872714969506466e+137 },  .{ 1.5, 1.5, 1.8371173070873836 },
        .{ 10.0, 308.0, 1e+308 },                   .{ 10.0, -307.0, 1e-307 },
        .{ 10.0, 309.0, Inf },                      .{ 10.0, -400.0, 0.0 },
        .{ -8.0, 1.0 / 3.0, NaN },                  .{ NaN, 0.0, 1.0 },
        .{ 1.0, NaN, 1.0 },                         .{ 0.0, -1.0, Inf },
        .{ -0.0, -3.0, -Inf },                      .{ -1.0, Inf, 1.0 },
        .{ 0.5, -Inf, Inf },                        .{ -Inf, 3.0, -Inf },
        .{ -2.0, 1e300, Inf },                      .{ 2.0, -1075.0, 0.0 },
        .{ 3.0, 34.0, 1.6677181699666568e+16 },     .{ -3.0, 33.0, -5559060566555523.0 },
        .{ 0.5, 1075.0, 0.0 },                      .{ 4.0, -537.5, 0.0 },
        .{ -0.0, 3.0, -0.0 },                       .{ -Inf, -3.0, -0.0 },
        .{ -Inf, 0.5, Inf },                        .{ 0.0, -Inf, Inf },
    });
    try std.testing.expectEqual(@as(f64, 8), pow(@as(i64, 2), @as(i64, 3)));
}

/// Angle of the point (x, y) in [-pi, pi], correctly rounded; note the argument order
/// `atan2(y, x)`. Signed zeros and infinities follow C99 (`atan2(0.0, -0.0) == pi`,
/// `atan2(-inf, inf) == -pi/4`). Backs `math_atan2`.
pub fn atan2(y_: anytype, x_: anytype) f64 {
    const y = toF64(y_);
    const x = toF64(x_);
    if (std.math.isNan(x) or std.math.isNan(y)) return nan_f64;
    const sy: f64 = if (std.math.signbit(y)) -1 else 1;
    if (y == 0) return if (std.math.signbit(x)) sy * PI.hi else y;
    if (x == 0) return sy * PIO2.hi;
    if (std.math.isInf(x)) {
        if (std.math.isInf(y)) return sy * (if (x > 0) PIO4.hi else PI3O4.hi);
        return if (x > 0) sy * 0.0 else sy * PI.hi;
    }
    if (std.math.isInf(y)) return sy * PIO2.hi;
    const ax = @abs(x);
    const ay = @abs(y);
    // Very unequal magnitudes: one correction term of atan's series is enough.
    if (ay > ax * 0x1p62) return sy * round1(ddAddD(PIO2, -(x / ay)));
    if (ax > ay * 0x1p62) {
        if (x > 0) return y / x;
        return sy * round1(ddAddD(PI, -(ay / ax)));
    }
    // Bring the larger magnitude near 1 (exactly) so no product overflows or underflows.
    const mx = @max(ax, ay);
    const sc: f64 = if (mx > 0x1p500) 0x1p-600 else if (mx < 0x1p-500) 0x1p600 else 1;
    return angle(dd(y * sc), dd(x * sc));
}

test atan2 {
    try expectTable2(atan2, &.{ .{ 1.0, 1.0, 0.7853981633974483 }, .{ 1.0, -1.0, 2.356194490192345 }, .{ -1.0, -1.0, -2.356194490192345 }, .{ 0.0, -1.0, 3.141592653589793 }, .{ -0.0, -1.0, -3.141592653589793 }, .{ 3.0, 4.0, 0.6435011087932844 }, .{ 0.0, -0.0, 3.141592653589793 }, .{ -0.0, 0.0, -0.0 }, .{ 1.0, 0.0, 1.5707963267948966 }, .{ -Inf, Inf, -0.7853981633974483 }, .{ Inf, -Inf, 2.356194490192345 }, .{ 1.0, -Inf, 3.141592653589793 }, .{ -1.0, Inf, -0.0 }, .{ 1e-300, 1e300, 0.0 }, .{ 1e300, 1e-300, 1.5707963267948966 }, .{ 1e-300, -1.0, 3.141592653589793 }, .{ 5e-324, 1.0, 5e-324 }, .{ NaN, 1.0, NaN } });
}

/// sqrt(x^2 + y^2) correctly rounded, without undue overflow or underflow; +inf if either
/// argument is infinite (even if the other is NaN), else NaN if either is NaN. Meant to back
/// `math_hypot`.
pub fn hypot(x_: anytype, y_: anytype) f64 {
    const x = toF64(x_);
    const y = toF64(y_);
    if (std.math.isInf(x) or std.math.isInf(y)) return inf_f64;
    if (std.math.isNan(x) or std.math.isNan(y)) return nan_f64;
    var a = @max(@abs(x), @abs(y));
    var b = @min(@abs(x), @abs(y));
    if (b == 0 or a > b * 0x1p60) return a; // b^2 / 2a < 2^-121 a
    var k: i32 = 0;
    if (a < 0x1p-900) {
        a *= 0x1p600;
        b *= 0x1p600;
        k = -600;
    }
    const ea = splitExp(a).e;
    a = ldexpExact(a, -ea); // now in [1, 2); b >= 2^-60, both exact
    b = ldexpExact(b, -ea);
    k += ea;
    const pa = twoProd(a, a);
    const pb = twoProd(b, b);
    const s1 = twoSum(pa.hi, pb.hi);
    const s = fastTwoSum(s1.hi, s1.lo + (pa.lo + pb.lo));
    return scaleRound(ddSqrt(s), k);
}

test hypot {
    try expectTable2(hypot, &.{ .{ 3.0, 4.0, 5.0 }, .{ -3.0, 4.0, 5.0 }, .{ 1.0, 1.0, 1.4142135623730951 }, .{ 1e300, 1e300, 1.4142135623730952e+300 }, .{ 1e-310, 1e-310, 1.4142135623731e-310 }, .{ 5e-324, 5e-324, 5e-324 }, .{ Inf, NaN, Inf }, .{ NaN, 1.0, NaN }, .{ 0.0, -0.0, 0.0 }, .{ 1.7976931348623157e+308, 1.7976931348623157e+308, Inf }, .{ 1e20, 1.0, 1e20 } });
}

/// C `fmod`: x - n*y with n = trunc(x / y) computed exactly; the result has the sign of x.
/// NaN when y is 0 or x is infinite; x when y is infinite. Backs `math_fmod`.
pub fn fmod(x: anytype, y: anytype) f64 {
    return @rem(toF64(x), toF64(y));
}

test fmod {
    try expectTable2(fmod, &.{ .{ 5.5, 2.0, 1.5 }, .{ -5.5, 2.0, -1.5 }, .{ 5.5, -2.0, 1.5 }, .{ 1e+300, 3.0, 0.0 }, .{ 0.3, 0.1, 0.09999999999999998 }, .{ -0.0, 1.0, -0.0 }, .{ 7.0, 7.0, 0.0 }, .{ 1.0, 0.0, NaN }, .{ Inf, 1.0, NaN }, .{ 2.5, Inf, 2.5 } });
    try std.testing.expect(std.math.signbit(fmod(@as(f64, -0.0), @as(f64, 1.0))));
}
/// IEEE 754 remainder (C `remainder`): x - n*y where n is x / y rounded to the nearest
/// integer, ties to even; exact. |result| <= |y| / 2. NaN when y is 0 or x is infinite;
/// x when y is infinite. A zero result has the sign of x. Backs `math_remainder`.
pub fn remainder(x_: anytype, y_: anytype) f64 {
    const x = toF64(x_);
    const y = toF64(y_);
    if (std.math.isNan(x) or std.math.isNan(y) or std.math.isInf(x) or y == 0) return nan_f64;
    if (std.math.isInf(y)) return x;
    const ay = @abs(y);
    // fmod by 2|y| is exact and leaves |r| < 2|y| (2|y| overflowing to inf leaves r = x).
    var r = @abs(@rem(x, 2 * ay));
    var odd = false;
    if (r >= ay) {
        r -= ay; // exact (Sterbenz: ay <= r < 2 ay)
        odd = true;
    }
    // Now 0 <= r < ay and the quotient so far is odd or even; round to nearest, ties to even.
    if (2 * r > ay or (2 * r == ay and odd)) r -= ay; // exact: ay/2 <= r < ay
    return if (std.math.signbit(x)) -r else r;
}

test remainder {
    try expectTable2(remainder, &.{
        .{ 5.0, 2.0, 1.0 },                                             .{ 7.0, 2.0, -1.0 },
        .{ -5.0, 2.0, -1.0 },                                           .{ 5.5, 2.0, -0.5 },
        .{ 1e+300, 3.0, 0.0 },                                          .{ 0.3, 0.1, -2.7755575615628914e-17 },
        .{ -7.0, 2.0, 1.0 },                                            .{ 1.0, 3.0, 1.0 },
        .{ 2.0, 3.0, -1.0 },                                            .{ 6.0, 4.0, -2.0 },
        .{ 10.0, 4.0, 2.0 },                                            .{ -0.0, 1.0, -0.0 },
        .{ 4.0, 2.0, 0.0 },                                             .{ -4.0, 2.0, -0.0 },
        .{ 5e-324, 1e-323, 5e-324 },                                    .{ 1.5e-323, 1e-323, -5e-324 },
        .{ 1.7976931348623157e+308, 1e-300, 2.589523889680434e-302 },   .{ 1e+308, 1.5e+308, -5e+307 },
        .{ 1.7976931348623157e+308, 1.5e+308, 2.976931348623157e+307 }, .{ 1.7976931348623157e+308, 5.992310449541053e+307, -9.9792015476736e+291 },
        .{ 1.0, 0.0, NaN },                                             .{ Inf, 2.0, NaN },
        .{ 3.0, -Inf, 3.0 },                                            .{ 7.0, -2.0, -1.0 },
    });
    try std.testing.expect(std.math.signbit(remainder(@as(f64, -4.0), @as(f64, 2.0))));
}

/// The smaller of x and y; NaN if either is NaN; -0.0 is smaller than 0.0 (IEEE 754-2019
/// `minimum`). Backs `math_min`.
pub fn min(x_: anytype, y_: anytype) f64 {
    const x = toF64(x_);
    const y = toF64(y_);
    if (std.math.isNan(x) or std.math.isNan(y)) return nan_f64;
    if (x == y) return if (std.math.signbit(x)) x else y;
    return if (x < y) x else y;
}

test min {
    try expectTable2(min, &.{ .{ 1.0, 2.0, 1.0 }, .{ 3.0, -Inf, -Inf }, .{ NaN, 1.0, NaN }, .{ 1.0, NaN, NaN } });
    try std.testing.expect(std.math.signbit(min(@as(f64, 0.0), @as(f64, -0.0))));
    try std.testing.expect(std.math.signbit(min(@as(f64, -0.0), @as(f64, 0.0))));
    try std.testing.expectEqual(@as(f64, -3), min(@as(i64, -3), @as(f64, 2.5)));
}

/// The larger of x and y; NaN if either is NaN; 0.0 is larger than -0.0 (IEEE 754-2019
/// `maximum`). Backs `math_max`.
pub fn max(x_: anytype, y_: anytype) f64 {
    const x = toF64(x_);
    const y = toF64(y_);
    if (std.math.isNan(x) or std.math.isNan(y)) return nan_f64;
    if (x == y) return if (std.math.signbit(x)) y else x;
    return if (x > y) x else y;
}

test max {
    try expectTable2(max, &.{ .{ 1.0, 2.0, 2.0 }, .{ 3.0, -Inf, 3.0 }, .{ NaN, 1.0, NaN }, .{ 1.0, NaN, NaN } });
    try std.testing.expect(!std.math.signbit(max(@as(f64, 0.0), @as(f64, -0.0))));
    try std.testing.expect(!std.math.signbit(max(@as(f64, -0.0), @as(f64, 0.0))));
}

/// |x| with the sign bit of y (`copysign(1, -0.0) == -1`). Backs `math_copysign`.
pub fn copysign(x: anytype, y: anytype) f64 {
    return std.math.copysign(toF64(x), toF64(y));
}

test copysign {
    try expectTable2(copysign, &.{ .{ 1.0, -0.0, -1.0 }, .{ -2.0, 3.0, 2.0 }, .{ 0.0, -1.0, -0.0 } });
    try std.testing.expect(std.math.signbit(copysign(@as(f64, 0.0), @as(f64, -1.0))));
}

// ---------------------------------------------------------------------------------------------
// Three arguments
// ---------------------------------------------------------------------------------------------

/// `min(max(v, lo), hi)` with the NaN rule of min/max (any NaN gives NaN). When lo > hi the
/// result is hi. Backs `math_clamp(v, lo, hi)`.
pub fn clamp(v: anytype, lo: anytype, hi: anytype) f64 {
    return min(max(toF64(v), toF64(lo)), toF64(hi));
}

test clamp {
    try std.testing.expectEqual(@as(f64, 5), clamp(@as(f64, 7), @as(f64, 0), @as(f64, 5)));
    try std.testing.expectEqual(@as(f64, 0), clamp(@as(f64, -2), @as(f64, 0), @as(f64, 5)));
    try std.testing.expectEqual(@as(f64, 2.5), clamp(@as(f64, 2.5), @as(f64, 0), @as(f64, 5)));
    try std.testing.expectEqual(@as(f64, 1), clamp(@as(f64, 3), @as(f64, 4), @as(f64, 1)));
    try std.testing.expect(std.math.isNan(clamp(NaN, @as(f64, 0), @as(f64, 1))));
}

/// Linear interpolation `a + (b - a) * t` (t outside [0, 1] extrapolates). Backs
/// `math_lerp(a, b, t)`.
pub fn lerp(a: anytype, b: anytype, t: anytype) f64 {
    const af = toF64(a);
    return af + (toF64(b) - af) * toF64(t);
}

test lerp {
    try std.testing.expectEqual(@as(f64, 15), lerp(@as(f64, 10), @as(f64, 20), @as(f64, 0.5)));
    try std.testing.expectEqual(@as(f64, 10), lerp(@as(f64, 10), @as(f64, 20), @as(f64, 0)));
    try std.testing.expectEqual(@as(f64, 20), lerp(@as(f64, 10), @as(f64, 20), @as(f64, 1)));
    try std.testing.expectEqual(@as(f64, 30), lerp(@as(i64, 10), @as(i64, 20), @as(f64, 2)));
}

// ---------------------------------------------------------------------------------------------
// Constants and classification
// ---------------------------------------------------------------------------------------------

/// π as the nearest f64 (3.141592653589793). Backs `math_pi`.
pub fn pi() f64 {
    return std.math.pi;
}

/// e as the nearest f64 (2.718281828459045). Backs `math_e`.
pub fn e() f64 {
    return std.math.e;
}

/// Positive infinity. Backs `math_inf`.
pub fn inf() f64 {
    return inf_f64;
}

/// A quiet NaN. Backs `math_nan`.
pub fn nan() f64 {
    return nan_f64;
}

test pi {
    try std.testing.expectEqual(@as(f64, 3.141592653589793), pi());
    try std.testing.expectEqual(@as(f64, 2.718281828459045), e());
    try std.testing.expect(std.math.isPositiveInf(inf()));
    try std.testing.expect(std.math.isNan(nan()));
}

/// Neither infinite nor NaN. Backs `math_is_finite`.
pub fn isFinite(x: anytype) bool {
    return std.math.isFinite(toF64(x));
}

/// +inf or -inf. Backs `math_is_infinite`.
pub fn isInfinite(x: anytype) bool {
    return std.math.isInf(toF64(x));
}

/// NaN. Backs `math_is_nan`.
pub fn isNan(x: anytype) bool {
    return std.math.isNan(toF64(x));
}

test isFinite {
    try std.testing.expect(isFinite(@as(f64, 1e308)));
    try std.testing.expect(isFinite(@as(i64, 5)));
    try std.testing.expect(!isFinite(Inf));
    try std.testing.expect(!isFinite(NaN));
    try std.testing.expect(isInfinite(-Inf));
    try std.testing.expect(!isInfinite(NaN));
    try std.testing.expect(isNan(NaN));
    try std.testing.expect(!isNan(@as(f64, 0)));
}

// ---------------------------------------------------------------------------------------------
// Reference table: 2,000 arguments per function (tests/math/gen_cases.py says how they were
// drawn), each with the correctly rounded result and glibc's where that differs.
// ---------------------------------------------------------------------------------------------

/// The functions of the reference table, by the name used there.
pub const table_functions = .{
    .{ "abs", abs },         .{ "sqrt", sqrt },         .{ "exp", exp },             .{ "log", log },
    .{ "log10", log10 },     .{ "log2", log2 },         .{ "sin", sin },             .{ "cos", cos },
    .{ "tan", tan },         .{ "asin", asin },         .{ "acos", acos },           .{ "atan", atan },
    .{ "sinh", sinh },       .{ "cosh", cosh },         .{ "tanh", tanh },           .{ "floor", floor },
    .{ "ceil", ceil },       .{ "round", round },       .{ "trunc", trunc },         .{ "degrees", degrees },
    .{ "radians", radians }, .{ "sign", sign },         .{ "pow", pow },             .{ "atan2", atan2 },
    .{ "hypot", hypot },     .{ "fmod", fmod },         .{ "remainder", remainder }, .{ "min", min },
    .{ "max", max },         .{ "copysign", copysign }, .{ "clamp", clamp },         .{ "lerp", lerp },
};

/// One section of the decompressed reference table.
pub const TableSection = struct {
    name: []const u8,
    arity: usize,
    /// count records of arity inputs and the correctly rounded result (f64 bit patterns).
    records: []align(1) const u64,
    count: usize,
    /// (record index, glibc's result) where glibc is not correctly rounded.
    glibc_diffs: []align(1) const [3]u32,

    pub fn input(self: TableSection, i: usize, j: usize) f64 {
        return @bitCast(std.mem.littleToNative(u64, self.records[i * (self.arity + 1) + j]));
    }
    pub fn want(self: TableSection, i: usize) f64 {
        return self.input(i, self.arity);
    }
};

/// Splits the decompressed table (format in tests/math/gen_cases.py) into sections.
pub fn parseTable(data: []const u8, out: []TableSection) ![]TableSection {
    if (!std.mem.startsWith(u8, data, "SEVMATH1")) return error.BadTable;
    var pos: usize = 8;
    const n = std.mem.readInt(u32, data[pos..][0..4], .little);
    pos += 4;
    if (n > out.len) return error.BadTable;
    for (out[0..n]) |*sec| {
        if (pos + 1 > data.len or pos + 1 + data[pos] + 5 > data.len) return error.BadTable;
        const len = data[pos];
        sec.name = data[pos + 1 .. pos + 1 + len];
        pos += 1 + len;
        sec.arity = data[pos];
        sec.count = std.mem.readInt(u32, data[pos + 1 ..][0..4], .little);
        pos += 5;
        const words = sec.count * (sec.arity + 1);
        if (pos + 8 * words + 4 > data.len) return error.BadTable;
        sec.records = std.mem.bytesAsSlice(u64, data[pos .. pos + 8 * words]);
        pos += 8 * words;
        const nd = std.mem.readInt(u32, data[pos..][0..4], .little);
        pos += 4;
        if (pos + 12 * nd > data.len) return error.BadTable;
        sec.glibc_diffs = std.mem.bytesAsSlice([3]u32, data[pos .. pos + 12 * nd]);
        pos += 12 * nd;
    }
    if (pos != data.len) return error.BadTable;
    return out[0..n];
}

test parseTable {
    var out: [2]TableSection = undefined;
    try std.testing.expectError(error.BadTable, parseTable("NOTMATH1\x00\x00\x00\x00", &out));
    // One section "sqrt", arity 1, one record sqrt(4) = 2, no glibc differences.
    const rec = "SEVMATH1" ++ "\x01\x00\x00\x00" ++ "\x04sqrt" ++ "\x01" ++ "\x01\x00\x00\x00" ++
        std.mem.toBytes(@as(u64, @bitCast(@as(f64, 4.0)))) ++ std.mem.toBytes(@as(u64, @bitCast(@as(f64, 2.0)))) ++
        "\x00\x00\x00\x00";
    const secs = try parseTable(rec, &out);
    try std.testing.expectEqual(@as(usize, 1), secs.len);
    try std.testing.expectEqualStrings("sqrt", secs[0].name);
    try std.testing.expectEqual(@as(f64, 4.0), secs[0].input(0, 0));
    try std.testing.expectEqual(secs[0].want(0), callRecord(sqrt, secs[0], 0));
    try std.testing.expectError(error.BadTable, parseTable(rec ++ "x", &out)); // trailing bytes
    try std.testing.expectError(error.BadTable, parseTable(rec[0 .. rec.len - 6], &out)); // truncated
}

/// Calls the table function `f` on record i of a section.
pub fn callRecord(comptime f: anytype, sec: TableSection, i: usize) f64 {
    const arity = @typeInfo(@TypeOf(f)).@"fn".params.len;
    return switch (arity) {
        1 => f(sec.input(i, 0)),
        2 => f(sec.input(i, 0), sec.input(i, 1)),
        3 => f(sec.input(i, 0), sec.input(i, 1), sec.input(i, 2)),
        else => unreachable,
    };
}

fn sameBits(a: f64, b: f64) bool {
    return (std.math.isNan(a) and std.math.isNan(b)) or @as(u64, @bitCast(a)) == @as(u64, @bitCast(b));
}

test "every function equals the correctly rounded reference on 2,000 arguments each" {
    const gz = @embedFile("tests/math/cases.bin.gz");
    var in = std.io.fixedBufferStream(gz);
    var buf = std.ArrayList(u8).init(std.testing.allocator);
    defer buf.deinit();
    try std.compress.gzip.decompress(in.reader(), buf.writer());
    var secs_buf: [40]TableSection = undefined;
    const secs = try parseTable(buf.items, &secs_buf);
    try std.testing.expectEqual(@as(usize, table_functions.len), secs.len);
    var failures: usize = 0;
    var glibc_total: usize = 0;
    inline for (table_functions, 0..) |entry, si| {
        const sec = secs[si];
        try std.testing.expectEqualStrings(entry[0], sec.name);
        try std.testing.expect(sec.count >= 2000);
        var bad: usize = 0;
        for (0..sec.count) |i| {
            const got = callRecord(entry[1], sec, i);
            if (!sameBits(got, sec.want(i))) {
                if (bad < 5) std.debug.print("{s} record {d}: inputs {e} {e}: got {e}, want {e}\n", .{ sec.name, i, sec.input(i, 0), if (sec.arity > 1) sec.input(i, 1) else 0, got, sec.want(i) });
                bad += 1;
            }
        }
        // Where glibc is misrounded we differ from it, and only there.
        for (sec.glibc_diffs) |d| {
            const glibc: f64 = @bitCast(@as(u64, d[2]) << 32 | d[1]);
            try std.testing.expect(!sameBits(glibc, callRecord(entry[1], sec, d[0])));
        }
        glibc_total += sec.glibc_diffs.len;
        if (bad != 0) std.debug.print("{s}: {d} of {d} differ from the correctly rounded result\n", .{ sec.name, bad, sec.count });
        failures += bad;
    }
    try std.testing.expectEqual(@as(usize, 0), failures);
    // The table does record glibc misroundings (sinh, tanh, log10, ... are not correctly
    // rounded in glibc 2.36), so the check above is not vacuous.
    try std.testing.expect(glibc_total > 100);
}
