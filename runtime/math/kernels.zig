//! The kernels under `math.zig`'s correctly rounded functions: double-double arithmetic
//! (Dekker / Knuth error-free transformations), the exp, log and sin/cos kernels with their
//! argument reductions (Cody-Waite below 2^20, Payne-Hanek above), and the generated tables and
//! constants they read. `math.zig` documents the method and the error bounds; this file holds
//! the pieces that are not `math_*` built-ins themselves, with the tests of their accuracy.

const std = @import("std");

pub fn toF64(x: anytype) f64 {
    return switch (@typeInfo(@TypeOf(x))) {
        .int => @floatFromInt(x),
        .comptime_int, .comptime_float => x,
        .float => @floatCast(x),
        else => @compileError("math functions take numbers, not " ++ @typeName(@TypeOf(x))),
    };
}

pub const nan_f64 = std.math.nan(f64);
pub const inf_f64 = std.math.inf(f64);

// ---------------------------------------------------------------------------------------------
// Double-double arithmetic (Dekker / Knuth error-free transformations)
// ---------------------------------------------------------------------------------------------

/// The unevaluated sum hi + lo, normally with |lo| <= ulp(hi) / 2.
pub const DD = struct { hi: f64, lo: f64 };

/// a + b exactly, assuming |a| >= |b| (or a == 0).
pub inline fn fastTwoSum(a: f64, b: f64) DD {
    const s = a + b;
    return .{ .hi = s, .lo = b - (s - a) };
}

/// a + b exactly, any order.
pub inline fn twoSum(a: f64, b: f64) DD {
    const s = a + b;
    const bb = s - a;
    return .{ .hi = s, .lo = (a - (s - bb)) + (b - bb) };
}

/// a * b exactly (barring underflow), using a fused multiply-add.
pub inline fn twoProd(a: f64, b: f64) DD {
    const p = a * b;
    return .{ .hi = p, .lo = @mulAdd(f64, a, b, -p) };
}

pub inline fn dd(x: f64) DD {
    return .{ .hi = x, .lo = 0 };
}

pub inline fn ddNeg(a: DD) DD {
    return .{ .hi = -a.hi, .lo = -a.lo };
}

/// a + b; relative error ~2^-105 unless a and b nearly cancel (then use ddAddAcc).
pub inline fn ddAdd(a: DD, b: DD) DD {
    const s = twoSum(a.hi, b.hi);
    return fastTwoSum(s.hi, s.lo + (a.lo + b.lo));
}

/// a + b with relative error ~2^-105 even under cancellation.
pub fn ddAddAcc(a: DD, b: DD) DD {
    const s = twoSum(a.hi, b.hi);
    const t = twoSum(a.lo, b.lo);
    const u = fastTwoSum(s.hi, s.lo + t.hi);
    return fastTwoSum(u.hi, u.lo + t.lo);
}

pub inline fn ddAddD(a: DD, b: f64) DD {
    const s = twoSum(a.hi, b);
    return fastTwoSum(s.hi, s.lo + a.lo);
}

pub inline fn ddMul(a: DD, b: DD) DD {
    const p = twoProd(a.hi, b.hi);
    return fastTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

pub inline fn ddMulD(a: DD, b: f64) DD {
    const p = twoProd(a.hi, b);
    return fastTwoSum(p.hi, p.lo + a.lo * b);
}

/// a / b with three quotient digits (relative error ~2^-104).
pub fn ddDiv(a: DD, b: DD) DD {
    const q1 = a.hi / b.hi;
    const r1 = ddAddAcc(a, ddNeg(ddMulD(b, q1)));
    const q2 = r1.hi / b.hi;
    const r2 = ddAddAcc(r1, ddNeg(ddMulD(b, q2)));
    const q3 = r2.hi / b.hi;
    const q = fastTwoSum(q1, q2);
    return ddAddD(q, q3);
}

/// sqrt(a) for a >= 0 (one Newton correction of the double square root).
pub fn ddSqrt(a: DD) DD {
    if (a.hi <= 0) return dd(@sqrt(a.hi));
    const s = @sqrt(a.hi);
    const r = @mulAdd(f64, -s, s, a.hi) + a.lo;
    return fastTwoSum(s, r / (2 * s));
}

/// 2^k as a double, for -1022 <= k <= 1023.
pub inline fn pow2(k: i32) f64 {
    return @bitCast(@as(u64, @intCast(k + 1023)) << 52);
}

/// x * 2^k for any k in [-2100, 2100], rounding only once (at the final step).
pub fn ldexpExact(x: f64, k: i32) f64 {
    var r = x;
    var n = k;
    while (n > 1000) : (n -= 1000) r *= pow2(1000);
    while (n < -1000) : (n += 1000) r *= pow2(-1000);
    return r * pow2(n);
}

/// Rounds (v.hi + v.lo) * 2^k to the nearest double (ties to even), once, including when the
/// result is subnormal or overflows. Requires 2^-3 <= |v.hi| < 2^3 and |v.lo| <= |v.hi| 2^-50.
pub fn scaleRound(v: DD, k: i32) f64 {
    if (k >= -1019) {
        const r = v.hi + v.lo;
        if (k > 1000) return (r * pow2(k - 1000)) * pow2(1000);
        return r * pow2(k);
    }
    if (k < -1080) return v.hi * 0.0;
    // Scale by 2^(k + 1022) (exact: the result is normal) and round at the quantum 2^-52,
    // which is where 2^-1074 lands after multiplying back by 2^-1022.
    const sc = pow2(k + 1022);
    const hs = v.hi * sc;
    const ls = v.lo * sc;
    if (@abs(hs) >= 1) return (v.hi + v.lo) * sc * pow2(-1022);
    const anchor: f64 = if (hs < 0) -1.0 else 1.0;
    const t = twoSum(anchor, hs);
    // t.lo + ls rounded to odd (an inexact sum gets an odd last bit), so that the final
    // addition rounds exactly as the exact sum would, halfway cases included.
    const u = twoSum(t.lo, ls);
    var w = u.hi;
    if (u.lo != 0) {
        const wb: u64 = @bitCast(w);
        if (wb & 1 == 0) w = @bitCast(if ((u.lo > 0) == (w > 0)) wb + 1 else wb - 1);
    }
    const r = t.hi + w;
    return std.math.copysign((r - anchor) * pow2(-1022), anchor); // an underflow to 0 keeps the sign
}

/// scaleRound for any normalized double-double with a normal, nonzero hi.
pub fn scaleRoundAny(v: DD, k: i32) f64 {
    const ev = splitExp(v.hi).e;
    const s = pow2(-ev);
    return scaleRound(.{ .hi = v.hi * s, .lo = v.lo * s }, k + ev);
}

/// Exponent and significand in [1, 2) of a finite nonzero x (subnormals normalized).
pub const Split = struct { m: f64, e: i32 };

pub fn splitExp(x: f64) Split {
    var bits: u64 = @bitCast(x);
    var be: i32 = @intCast((bits >> 52) & 0x7ff);
    if (be == 0) {
        bits = @bitCast(x * 0x1p54);
        be = @as(i32, @intCast((bits >> 52) & 0x7ff)) - 54;
    }
    const m: f64 = @bitCast((bits & 0x800f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    return .{ .m = m, .e = be - 1023 };
}

// ---------------------------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------------------------

/// expm1(r) for |r| <= 0.00271 (ln2/256), relative error ~2^-100. Degree 9; the first
/// omitted term r^10/10! is below 2^-106.
pub fn expm1Poly(r: DD) DD {
    const x = r.hi;
    const a = 1.0 / 720.0 + x * (1.0 / 5040.0 + x * (1.0 / 40320.0 + x * (1.0 / 362880.0)));
    var acc = fastTwoSum(C_1_120.hi, x * a + C_1_120.lo);
    acc = ddAdd(C_1_24, ddMul(r, acc));
    acc = ddAdd(C_1_6, ddMul(r, acc));
    acc = ddAdd(dd(0.5), ddMul(r, acc));
    acc = ddAdd(dd(1.0), ddMul(r, acc));
    return ddMul(r, acc);
}

/// exp(x.hi + x.lo) = 2^k * v with v in [0.7, 1.42], for |x.hi| <= 750 and
/// |x.lo| <= ulp(x.hi).
pub const Scaled = struct { v: DD, k: i32 };

pub fn expKernel(x: DD) Scaled {
    const kf = @round(x.hi * INV_LN2_128);
    const n: i32 = @intFromFloat(kf);
    const j: usize = @intCast(n & 127);
    // r = x - kf ln2/128: the first two products are exact (35-bit pieces, |kf| < 2^18) and
    // the first difference is exact by Sterbenz's lemma.
    const r1 = x.hi - kf * LN2_128_A;
    const t = twoSum(r1, -(kf * LN2_128_B));
    const p3 = twoProd(kf, LN2_128_C);
    const s = twoSum(t.hi, x.lo);
    const r = twoSum(s.hi, ((s.lo + t.lo) - p3.hi) - p3.lo);
    const p = expm1Poly(r);
    const tj = EXP_T[j];
    return .{ .v = ddAdd(tj, ddMul(tj, p)), .k = n >> 7 };
}

/// First, fast attempt at exp(x.hi + x.lo) (Ziv's strategy): 2^k (v.hi + v.lo) with relative
/// error below 2^-67.5, for |x.hi| <= 750. Budget: polynomial truncation r^7/7! < 2^-72,
/// evaluation of r^2 q in double < 5 * 2^-53 * 2^-18 < 2^-68.7, T.hi * rest rounded < 2^-71,
/// the dropped r.lo * r.hi term < 2^-70.5; callers test against 2^-65.
pub fn expFast(x: DD) Scaled {
    const kf = @round(x.hi * INV_LN2_128);
    const n: i32 = @intFromFloat(kf);
    const j: usize = @intCast(n & 127);
    const r1 = x.hi - kf * LN2_128_A; // exact, as in expKernel
    const t = twoSum(r1, -(kf * LN2_128_B));
    const r = twoSum(t.hi, x.lo + (t.lo - kf * LN2_128_C));
    const rh = r.hi;
    const q = 0.5 + rh * (C_1_6.hi + rh * (1.0 / 24.0 + rh * (1.0 / 120.0 + rh * (1.0 / 720.0))));
    const rest = r.lo + (rh * rh) * q;
    const tj = EXP_T[j];
    const a = twoProd(tj.hi, rh);
    const y = fastTwoSum(tj.hi, a.hi);
    const lo = y.lo + (a.lo + (tj.hi * rest + (tj.lo + tj.lo * rh)));
    return .{ .v = fastTwoSum(y.hi, lo), .k = n >> 7 };
}

/// The rounding of v.hi + v.lo if every value within err of it rounds the same way (then it
/// is the correctly rounded result of the exact value), else null (take the accurate path).
pub inline fn roundIfSafe(v: DD, err: f64) ?f64 {
    const up = v.hi + (v.lo + err);
    const dn = v.hi + (v.lo - err);
    return if (up == dn) up else null;
}

/// exp(x) as a double-double for |x| <= 700 (no scaling problems).
pub fn expDD(x: f64) DD {
    const ek = expKernel(dd(x));
    const s = pow2(ek.k);
    return .{ .hi = ek.v.hi * s, .lo = ek.v.lo * s };
}

/// x = 2^e m with m in (sqrt(1/2), sqrt(2)], and log m as a double-double.
pub const LogParts = struct { lm: DD, e: i32 };

/// log of the significand of a finite x > 0, relative error ~2^-100 (also near m = 1).
pub fn logParts(x: f64) LogParts {
    return logPartsWith(x, false).?;
}

/// As logParts; with `fast`, the exp evaluation is expFast (absolute error of log m below
/// 2^-66) and arguments near 1 (|log m| <= 0.0027, where that is not enough) give null.
pub fn logPartsWith(x: f64, comptime fast: bool) ?LogParts {
    var sp = splitExp(x);
    if (sp.m > std.math.sqrt2) {
        sp.m *= 0.5;
        sp.e += 1;
    }
    const m = sp.m;
    const f = m - 1; // exact
    const z0 = std.math.log1p(f);
    var delta: f64 = undefined;
    if (@abs(z0) <= 0.0027) {
        if (fast) return null;
        // m e^-z0 - 1 = f + P + f P with P = expm1(-z0); f + P and f P nearly cancel.
        const p = expm1Poly(dd(-z0));
        const s = twoSum(f, p.hi);
        const fp = twoProd(f, p.hi);
        delta = (s.hi + fp.hi) + (((s.lo + fp.lo) + p.lo) + f * p.lo);
    } else {
        const ek = if (fast) expFast(dd(-z0)) else expKernel(dd(-z0));
        const mk = m * pow2(ek.k);
        const p = twoProd(mk, ek.v.hi);
        delta = (p.hi - 1) + (p.lo + mk * ek.v.lo);
    }
    // log m = z0 + log1p(delta), |delta| ~ 2^-52.
    return .{ .lm = fastTwoSum(z0, delta - 0.5 * delta * delta), .e = sp.e };
}

/// log(x) as a double-double for finite x > 0; relative error ~2^-100.
pub fn logDD(x: f64) DD {
    return logCombine(logParts(x));
}

/// Centres of logFast's table: c = 1 + i/128 for i in [LOG_TAB_MIN, LOG_TAB_MIN + 90], which
/// covers the reduced significands m in (sqrt(1/2), sqrt(2)].
const LOG_TAB_MIN: i32 = -37;

/// One centre of logFast's table: invc is 1/c rounded to a double, neg_log = -log(invc)
/// as a double-double (from logDD at compile time, relative error ~2^-100).
const LogEntry = struct { invc: f64, neg_log: DD };

const LOG_TAB: [91]LogEntry = blk: {
    @setEvalBranchQuota(2_000_000);
    var t: [91]LogEntry = undefined;
    for (&t, 0..) |*entry, k| {
        const i: f64 = @floatFromInt(@as(i32, @intCast(k)) + LOG_TAB_MIN);
        const invc = 1.0 / (1.0 + i / 128.0);
        entry.* = .{ .invc = invc, .neg_log = ddNeg(logDD(invc)) };
    }
    break :blk t;
};

/// First, fast attempt at log(x) for finite x > 0 (Ziv's strategy), table-driven:
/// x = 2^e m, m = c (1 + r) with c the nearest table centre, so log x = e ln2 - log(invc) +
/// log1p(r), where r = m invc - 1 is exact as a double-double (|r| < 2^-7.4) and log1p(r)
/// is its Taylor series to r^10. Relative error below 2^-66 of the result, also near x = 1
/// (there invc = 1 and r = m - 1 exactly); log tests against 2^-63. Budget: series
/// truncation r^10/11 < 2^-77 relative; the r^3 tail's roundings < 2^-68 |r|; the dropped
/// rl rh^3 < 2^-75 with |log x| >= 2^-8.1 whenever rl != 0; the final sums ~2^-104.
pub fn logFast(x: f64) DD {
    var sp = splitExp(x);
    if (sp.m > std.math.sqrt2) {
        sp.m *= 0.5;
        sp.e += 1;
    }
    const m = sp.m;
    const i: i32 = @intFromFloat(@round((m - 1.0) * 128.0));
    const t = LOG_TAB[@intCast(i - LOG_TAB_MIN)];
    const p = twoProd(m, t.invc);
    const rh = p.hi - 1.0; // exact: p.hi is within 2^-7 of 1
    const rl = p.lo;
    // log1p(rh + rl) = rh - rh^2/2 + rh^3 q(rh) + rl (1 - rh + rh^2) + O(rl rh^3)
    const sq = twoProd(rh, rh);
    const head = twoSum(rh, -0.5 * sq.hi);
    // q = 1/3 - r/4 + r^2/5 - ... - r^7/10 by Estrin's scheme (a short dependency chain).
    const r2 = sq.hi;
    const r4 = r2 * r2;
    const q01 = 1.0 / 3.0 - rh * 0.25;
    const q23 = 0.2 - rh * (1.0 / 6.0);
    const q45 = 1.0 / 7.0 - rh * 0.125;
    const q67 = 1.0 / 9.0 - rh * 0.1;
    const q = (q01 + r2 * q23) + r4 * (q45 + r2 * q67);
    const tail = (rl - rl * rh + rl * sq.hi) + (-0.5 * sq.lo + (rh * sq.hi) * q);
    const l1 = fastTwoSum(head.hi, head.lo + tail);
    const s = twoSum(t.neg_log.hi, l1.hi);
    const lo = s.lo + (t.neg_log.lo + l1.lo);
    if (sp.e == 0) return fastTwoSum(s.hi, lo);
    const ef: f64 = @floatFromInt(sp.e);
    const a = twoSum(ef * LN2_A, s.hi); // e LN2_A and e LN2_B are exact (42-bit pieces)
    const b = twoSum(a.hi, ef * LN2_B);
    return fastTwoSum(b.hi, ((a.lo + b.lo) + lo) + ef * LN2_C);
}

/// e ln2 + log m.
pub fn logCombine(lp: LogParts) DD {
    if (lp.e == 0) return lp.lm;
    const lm = lp.lm;
    const ef: f64 = @floatFromInt(lp.e);
    const a = twoSum(ef * LN2_A, lm.hi); // e LN2_A and e LN2_B are exact (42-bit pieces)
    const b = twoSum(a.hi, ef * LN2_B);
    return fastTwoSum(b.hi, ((a.lo + b.lo) + lm.lo) + ef * LN2_C);
}

/// Quadrant (mod 4) and remainder r = x - n pi/2 as a double-double, |r| <= ~pi/4.
pub const Reduced = struct { n: u2, r: DD };

pub fn reducePio2(x: f64) Reduced {
    const ax = @abs(x);
    if (ax <= 0.785398163397448) return .{ .n = 0, .r = dd(x) };
    if (ax < 0x1p20) {
        // Cody-Waite: kf < 2^20 and 33-bit pieces make kf * PIO2_1..4 exact.
        const kf = @round(x * INV_PIO2);
        const n: i64 = @intFromFloat(kf);
        const r1 = x - kf * PIO2_1; // exact (Sterbenz)
        const t = twoSum(r1, -(kf * PIO2_2));
        const u = twoSum(t.hi, -(kf * PIO2_3));
        const lo = ((t.lo + u.lo) - kf * PIO2_4) - kf * PIO2_5;
        return .{ .n = @truncate(@as(u64, @bitCast(n))), .r = twoSum(u.hi, lo) };
    }
    return payneHanek(x);
}

/// 64 bits of 2/pi starting at bit p after the binary point (p may be <= 0: leading zeros).
pub fn twoOverPiBits(p: i32) u64 {
    if (p <= 0) {
        if (p <= -63) return 0;
        return twoOverPiBits(1) >> @intCast(1 - p);
    }
    const q: usize = @intCast(@divFloor(p - 1, 64));
    const s: u6 = @intCast(@mod(p - 1, 64));
    if (s == 0) return TWO_OVER_PI[q];
    return (TWO_OVER_PI[q] << s) | (TWO_OVER_PI[q + 1] >> @intCast(64 - @as(u7, s)));
}

/// Payne-Hanek reduction for |x| >= 2^20: x = M 2^E with M a 53-bit integer; the bits of 2/pi
/// that make M 2^E (2/pi) a multiple of 4 are skipped, the next 256 are multiplied by M
/// exactly, leaving the quadrant and a fraction accurate to 2^-200.
pub fn payneHanek(x: f64) Reduced {
    const bits: u64 = @bitCast(x);
    const be: i32 = @intCast((bits >> 52) & 0x7ff);
    const big_e = be - 1075;
    const mant: u64 = (bits & 0x000f_ffff_ffff_ffff) | 0x0010_0000_0000_0000;
    const start_bit = big_e - 1;
    // Window w[0] (most significant) .. w[3]; product p[4] (most significant) .. p[0].
    var w: [4]u64 = undefined;
    for (0..4) |i| w[i] = twoOverPiBits(start_bit + 64 * @as(i32, @intCast(i)));
    var p: [5]u64 = undefined;
    var carry: u64 = 0;
    var i: usize = 4;
    while (i > 0) {
        i -= 1;
        const prod = @as(u128, mant) * w[i] + carry;
        p[4 - 1 - i] = @truncate(prod);
        carry = @intCast(prod >> 64);
    }
    p[4] = carry;
    // Value = P 2^-254: bits 254, 255 are the quadrant, the 254 below the fraction.
    var quadrant: u2 = @truncate(p[3] >> 62);
    var f = [4]u64{
        (p[3] << 2) | (p[2] >> 62),
        (p[2] << 2) | (p[1] >> 62),
        (p[1] << 2) | (p[0] >> 62),
        p[0] << 2,
    };
    var negative = false;
    if (f[0] >> 63 != 0) {
        // Fraction >= 1/2: round the quotient up and take 1 - fraction (256-bit negation).
        quadrant +%= 1;
        negative = true;
        var borrow: u1 = 1;
        var k: usize = 4;
        while (k > 0) {
            k -= 1;
            const nv = ~f[k];
            const sum = @addWithOverflow(nv, @as(u64, borrow));
            f[k] = sum[0];
            borrow = sum[1];
        }
    }
    // Normalize: find the first nonzero word, take 128 bits from the leading one.
    var lead: usize = 0;
    while (lead < 3 and f[lead] == 0) lead += 1;
    const a0 = f[lead];
    const a1 = if (lead + 1 < 4) f[lead + 1] else 0;
    const a2 = if (lead + 2 < 4) f[lead + 2] else 0;
    const lz: u7 = @clz(a0);
    var top: u128 = (@as(u128, a0) << 64) | a1;
    if (lz != 0) top = (top << lz) | (a2 >> @intCast(64 - @as(u8, lz)));
    // top * 2^-(128 + 64 lead + lz) is the fraction.
    const h: f64 = @floatFromInt(top >> 75);
    const lo: f64 = @floatFromInt(top & ((@as(u128, 1) << 75) - 1));
    const shift: i32 = 128 + 64 * @as(i32, @intCast(lead)) + @as(i32, lz);
    const frac = fastTwoSum(h * pow2(75 - shift), lo * pow2(-shift));
    var r = ddMul(frac, PIO2);
    if (negative) r = ddNeg(r);
    if (x < 0) return .{ .n = 0 -% quadrant, .r = ddNeg(r) };
    return .{ .n = quadrant, .r = r };
}

/// sin r and cos r as double-doubles for |r.hi| <= 0.79: r = j/64 + b, |b| <= 1/128, with
/// tabulated sin, cos(j/64) and series for sin b and cos b - 1.
pub const SinCos = struct { s: DD, c: DD };

pub fn sinCosKernel(r: DD) SinCos {
    const neg = r.hi < 0;
    const ar = if (neg) ddNeg(r) else r;
    const jf = @round(ar.hi * 64);
    const j: usize = @intFromFloat(jf);
    const b = twoSum(ar.hi - jf * (1.0 / 64.0), ar.lo); // the difference is exact
    const z = ddMul(b, b);
    const zh = z.hi;
    // sin b = b + b z (-1/6 + z (1/120 + z q)), q in double.
    const q = -1.0 / 5040.0 + zh * (1.0 / 362880.0 - zh * (1.0 / 39916800.0));
    const t1 = fastTwoSum(C_1_120.hi, zh * q + C_1_120.lo);
    const sser = ddAdd(ddNeg(C_1_6), ddMul(z, t1));
    const sinb = ddAdd(b, ddMul(ddMul(b, z), sser));
    // cos b - 1 = z (-1/2 + z (1/24 + z q2)).
    const q2 = -1.0 / 720.0 + zh * (1.0 / 40320.0 - zh * (1.0 / 3628800.0));
    const t2 = fastTwoSum(C_1_24.hi, zh * q2 + C_1_24.lo);
    const cm1 = ddMul(z, ddAdd(dd(-0.5), ddMul(z, t2)));
    var s: DD = undefined;
    var c: DD = undefined;
    if (j == 0) {
        s = sinb;
        c = ddAdd(dd(1.0), cm1);
    } else {
        const sa = SIN_T[j];
        const ca = COS_T[j];
        s = ddAdd(sa, ddAdd(ddMul(sa, cm1), ddMul(ca, sinb)));
        c = ddAdd(ca, ddAddAcc(ddMul(ca, cm1), ddNeg(ddMul(sa, sinb))));
    }
    if (neg) s = ddNeg(s);
    return .{ .s = s, .c = c };
}

/// First, fast attempt at sinCosKernel: relative error below 2^-66 for both results
/// (series for sin b and cos b - 1 mostly in double: their rounding errors are below 2^-74
/// absolute; |sin r| >= 2^-7 whenever the table is used, and for j = 0 the error of sin b is
/// relative to b); callers test against 2^-62.
pub fn sinCosKernelFast(r: DD) SinCos {
    const neg = r.hi < 0;
    const ar = if (neg) ddNeg(r) else r;
    const jf = @round(ar.hi * 64);
    const j: usize = @intFromFloat(jf);
    const b = twoSum(ar.hi - jf * (1.0 / 64.0), ar.lo);
    const bh = b.hi;
    const zz = twoProd(bh, bh);
    const zh = zz.hi;
    // sin b = bh + sin_lo; cos b - 1 = cm1 (double-double).
    const sser = -1.0 / 6.0 + zh * (1.0 / 120.0 + zh * (-1.0 / 5040.0 + zh * (1.0 / 362880.0)));
    const sin_lo = b.lo + bh * zh * sser;
    const cser = 1.0 / 24.0 + zh * (-1.0 / 720.0 + zh * (1.0 / 40320.0));
    const cm1 = fastTwoSum(-0.5 * zh, -0.5 * (zz.lo + 2 * bh * b.lo) + zh * zh * cser);
    var s: DD = undefined;
    var c: DD = undefined;
    if (j == 0) {
        s = fastTwoSum(bh, sin_lo);
        c = fastTwoSum(1.0, cm1.hi + cm1.lo);
    } else {
        const sa = SIN_T[j];
        const ca = COS_T[j];
        const p1 = twoProd(ca.hi, bh);
        const p2 = twoProd(sa.hi, cm1.hi);
        const u = fastTwoSum(sa.hi, p1.hi);
        const v = twoSum(u.hi, p2.hi);
        s = fastTwoSum(v.hi, (u.lo + v.lo) + ((p1.lo + p2.lo) + (sa.lo + (ca.hi * sin_lo + ca.lo * bh + sa.hi * cm1.lo + sa.lo * cm1.hi))));
        const q1 = twoProd(sa.hi, bh);
        const q2 = twoProd(ca.hi, cm1.hi);
        const uc = fastTwoSum(ca.hi, -q1.hi);
        const vc = twoSum(uc.hi, q2.hi);
        c = fastTwoSum(vc.hi, (uc.lo + vc.lo) + ((q2.lo - q1.lo) + (ca.lo + (ca.hi * cm1.lo + ca.lo * cm1.hi - sa.hi * sin_lo - sa.lo * bh))));
    }
    if (neg) s = ddNeg(s);
    return .{ .s = s, .c = c };
}

/// The quadrant's sine and cosine from the kernel's.
pub inline fn inQuadrant(n: u2, k: SinCos) SinCos {
    return switch (n) {
        0 => k,
        1 => .{ .s = k.c, .c = ddNeg(k.s) },
        2 => .{ .s = ddNeg(k.s), .c = ddNeg(k.c) },
        3 => .{ .s = ddNeg(k.c), .c = k.s },
    };
}

/// The angle of (x, y) as a double-double, for finite (x, y) not both zero with
/// 2^-62 <= |y/x| <= 2^62 or one of them zero and magnitudes between 2^-600 and 2^600.
/// theta0 = atan2 in double is corrected exactly: theta = theta0 + atan(d) with
/// d = (y cos theta0 - x sin theta0) / (x cos theta0 + y sin theta0), ~2^-52, whose atan is
/// itself to 2^-150; sc holds sin and cos of theta0.
pub fn angleCorrect(y: DD, x: DD, th0: f64, sc: SinCos) DD {
    const num = ddAddAcc(ddMul(y, sc.c), ddNeg(ddMul(x, sc.s)));
    const den = ddAdd(ddMul(x, sc.c), ddMul(y, sc.s));
    const d = num.hi / den.hi;
    return fastTwoSum(th0, d);
}

/// The angle of (x, y) rounded to double (conditions as for angleCorrect): first with
/// sinCosKernelFast (relative error 2^-66 in sin and cos, so the correction d is off by at
/// most 2^-66 (|y cos| + |x sin|) / |den|; tested against 4 times that), then, if the
/// rounding is not yet certain, with the accurate kernel.
pub fn angle(y: DD, x: DD) f64 {
    const th0 = std.math.atan2(y.hi, x.hi);
    const red = reducePio2(th0);
    const f = inQuadrant(red.n, sinCosKernelFast(red.r));
    const t = angleCorrect(y, x, th0, f);
    const den = @abs(x.hi * f.c.hi + y.hi * f.s.hi);
    const err = 0x1p-64 * (@abs(y.hi * f.c.hi) + @abs(x.hi * f.s.hi)) / den + @abs(t.hi) * 0x1p-90;
    if (roundIfSafe(t, err)) |r| return r;
    return round1(angleCorrect(y, x, th0, inQuadrant(red.n, sinCosKernel(red.r))));
}

/// Rounds a double-double to the nearest double.
pub inline fn round1(v: DD) f64 {
    return v.hi + v.lo;
}


test "double-double building blocks are exact" {
    const s = twoSum(1.0, 0x1p-60);
    try std.testing.expectEqual(@as(f64, 1.0), s.hi);
    try std.testing.expectEqual(@as(f64, 0x1p-60), s.lo);
    const p = twoProd(1.0 + 0x1p-30, 1.0 + 0x1p-30); // 1 + 2^-29 + 2^-60
    try std.testing.expectEqual(@as(f64, 1.0 + 0x1p-29), p.hi);
    try std.testing.expectEqual(@as(f64, 0x1p-60), p.lo);
    // 1/3 to ~106 bits: 3 * q - 1 is ~2^-106.
    const q = ddDiv(dd(1), dd(3));
    const back = ddAddAcc(ddMulD(q, 3), dd(-1));
    try std.testing.expect(@abs(back.hi) < 0x1p-104);
    const r = ddSqrt(dd(2));
    const sq = ddAddAcc(ddMul(r, r), dd(-2));
    try std.testing.expect(@abs(sq.hi) < 0x1p-103);
    // scaleRound rounds subnormal results once: (1 + 2^-60) 2^-1075 is just above the
    // halfway point between 0 and 2^-1074; exactly halfway rounds to even (0).
    try std.testing.expectEqual(@as(f64, 0x1p-1074), scaleRound(.{ .hi = 1.0, .lo = 0x1p-60 }, -1075));
    try std.testing.expectEqual(@as(f64, 0.0), scaleRound(.{ .hi = 1.0, .lo = 0 }, -1075));
    try std.testing.expectEqual(@as(f64, 0x1p-1073), scaleRound(.{ .hi = 1.5, .lo = 0 }, -1074));
    try std.testing.expectEqual(@as(f64, 0x1.8p1023), scaleRound(.{ .hi = 0.75, .lo = 0 }, 1024));
    try std.testing.expect(std.math.isInf(scaleRound(.{ .hi = 1.0, .lo = 0 }, 1024)));
}

test "the fast first attempts stay within the error bounds their rounding tests assume" {
    // expFast: relative error < 2^-67.5 (tests use 2^-65); logPartsWith(fast): absolute error
    // of log m < 2^-66 (tests use 2^-64). Measured against the accurate double-double paths.
    var prng = std.Random.DefaultPrng.init(0xfa57);
    const rng = prng.random();
    var worst_exp: f64 = 0;
    var worst_log: f64 = 0;
    for (0..20000) |i| {
        const x = if (i % 2 == 0) rng.float(f64) * 1400 - 700 else (rng.float(f64) - 0.5) * 0x1p-5;
        const xl = x * 0x1p-54 * (rng.float(f64) - 0.5); // a double-double argument, as pow makes
        const f = expFast(.{ .hi = x, .lo = xl });
        const a = expKernel(.{ .hi = x, .lo = xl });
        try std.testing.expectEqual(a.k, f.k);
        const d = ddAddAcc(f.v, ddNeg(a.v));
        worst_exp = @max(worst_exp, @abs(d.hi) / a.v.hi);
        const y = std.math.ldexp(1.0 + rng.float(f64), rng.intRangeAtMost(i32, -1074, 1023));
        if (logPartsWith(y, true)) |lf| {
            const la = logParts(y);
            try std.testing.expectEqual(la.e, lf.e);
            worst_log = @max(worst_log, @abs(ddAddAcc(lf.lm, ddNeg(la.lm)).hi));
        }
    }
    // logFast: relative error < 2^-66 (log uses 2^-63), including arguments near 1.
    var worst_logf: f64 = 0;
    for (0..20000) |i| {
        const y = switch (i % 4) {
            0 => std.math.ldexp(1.0 + rng.float(f64), rng.intRangeAtMost(i32, -1074, 1023)),
            1 => 1.0 + (rng.float(f64) - 0.5) * 0x1p-6,
            2 => 1.0 + (rng.float(f64) - 0.5) * std.math.ldexp(@as(f64, 1.0), -rng.intRangeAtMost(i32, 10, 52)),
            else => 0.7 + rng.float(f64) * 0.72,
        };
        if (y == 1.0) continue;
        const a = logDD(y);
        worst_logf = @max(worst_logf, @abs(ddAddAcc(logFast(y), ddNeg(a)).hi) / @abs(a.hi));
    }
    try std.testing.expect(worst_logf < 0x1p-66);
    try std.testing.expect(worst_logf > 0x1p-100);
    try std.testing.expect(worst_exp < 0x1.6a09e667f3bcdp-68); // 2^-67.5
    try std.testing.expect(worst_log < 0x1p-66);
    // sinCosKernelFast: relative error < 2^-66 on |r| <= pi/4 (tests use 2^-62).
    var worst_sc: f64 = 0;
    for (0..20000) |i| {
        const r = if (i % 3 == 0) (rng.float(f64) - 0.5) * 0x1p-6 else (rng.float(f64) - 0.5) * 1.5707963267948966;
        const rr = DD{ .hi = r, .lo = r * 0x1p-54 * (rng.float(f64) - 0.5) };
        const f = sinCosKernelFast(rr);
        const a = sinCosKernel(rr);
        worst_sc = @max(worst_sc, @abs(ddAddAcc(f.s, ddNeg(a.s)).hi) / @abs(a.s.hi));
        worst_sc = @max(worst_sc, @abs(ddAddAcc(f.c, ddNeg(a.c)).hi) / @abs(a.c.hi));
    }
    try std.testing.expect(worst_sc < 0x1p-66);
    // The bounds are not vacuous: the fast paths are visibly less accurate than 2^-100.
    try std.testing.expect(worst_exp > 0x1p-80);
}

test "Payne-Hanek and Cody-Waite reductions agree to ~2^-100" {
    // Both are valid between 2^20 / 2^12 and 2^20; compare the reduced arguments as angles.
    var prng = std.Random.DefaultPrng.init(77);
    const rng = prng.random();
    for (0..3000) |_| {
        const x = std.math.ldexp(1.0 + rng.float(f64), rng.intRangeAtMost(i32, 0, 19));
        const xs = if (rng.boolean()) -x else x;
        const a = reducePio2(xs);
        const b = payneHanek(xs);
        try std.testing.expectEqual(a.n, b.n);
        const diff = ddAddAcc(a.r, ddNeg(b.r));
        try std.testing.expect(@abs(diff.hi) <= @abs(a.r.hi) * 0x1p-100);
    }
    // The double closest to a multiple of pi/2 (Muller, "Elementary Functions", ch. 11):
    // 6381956970095103 * 2^797 = n pi/2 + 4.687e-19 with n = 1 mod 4 (mpmath, 3000 bits).
    const h = payneHanek(6381956970095103.0 * 0x1p797);
    try std.testing.expectEqual(@as(u2, 1), h.n);
    try std.testing.expectEqual(@as(f64, 4.687165924254628e-19), round1(h.r));
}


// ---------------------------------------------------------------------------------------------
// Tables and constants (generated by runtime/tests/math/gen_tables.py with mpmath; hex floats are
// exact)
// ---------------------------------------------------------------------------------------------

pub const LN2 = DD{ .hi = 0x1.62e42fefa39efp-1, .lo = 0x1.abc9e3b39803fp-56 };
pub const INV_LN2 = DD{ .hi = 0x1.71547652b82fep+0, .lo = 0x1.777d0ffda0d24p-56 };
pub const INV_LN10 = DD{ .hi = 0x1.bcb7b1526e50ep-2, .lo = 0x1.95355baaafad3p-57 };
pub const PI = DD{ .hi = 0x1.921fb54442d18p+1, .lo = 0x1.1a62633145c07p-53 };
pub const PIO2 = DD{ .hi = 0x1.921fb54442d18p+0, .lo = 0x1.1a62633145c07p-54 };
pub const PIO4 = DD{ .hi = 0x1.921fb54442d18p-1, .lo = 0x1.1a62633145c07p-55 };
pub const PI3O4 = DD{ .hi = 0x1.2d97c7f3321d2p+1, .lo = 0x1.a79394c9e8a0ap-54 };
pub const DEG = DD{ .hi = 0x1.ca5dc1a63c1f8p+5, .lo = -0x1.1e7ab456405f9p-49 };
pub const RAD = DD{ .hi = 0x1.1df46a2529d39p-6, .lo = 0x1.5c1d8becdd291p-62 };
pub const C_1_6 = DD{ .hi = 0x1.5555555555555p-3, .lo = 0x1.5555555555555p-57 };
pub const C_1_24 = DD{ .hi = 0x1.5555555555555p-5, .lo = 0x1.5555555555555p-59 };
pub const C_1_120 = DD{ .hi = 0x1.1111111111111p-7, .lo = 0x1.1111111111111p-63 };
pub const LN2_128_A: f64 = 0x1.62e42fef80000p-8;
pub const LN2_128_B: f64 = 0x1.1cf79abc80000p-43;
pub const LN2_128_C: f64 = 0x1.e3b39803f2f6bp-79;
pub const INV_LN2_128: f64 = 0x1.71547652b82fep+7;
pub const LN2_A: f64 = 0x1.62e42fefa3800p-1;
pub const LN2_B: f64 = 0x1.ef35793c76000p-45;
pub const LN2_C: f64 = 0x1.cc01f97b57a08p-87;
pub const LOG10_2_A: f64 = 0x1.34413509f7800p-2;
pub const LOG10_2_B: f64 = 0x1.fef311f12b000p-46;
pub const LOG10_2_C: f64 = 0x1.ac0b7c917826bp-89;
pub const PIO2_1: f64 = 0x1.921fb54400000p+0;
pub const PIO2_2: f64 = 0x1.0b4611a600000p-34;
pub const PIO2_3: f64 = 0x1.3198a2e000000p-69;
pub const PIO2_4: f64 = 0x1.b839a25200000p-104;
pub const PIO2_5: f64 = 0x1.27044533e63a0p-142;
pub const INV_PIO2: f64 = 0x1.45f306dc9c883p-1;
/// 2^(j/128) for j = 0..127 as double-doubles.
pub const EXP_T = [128]DD{
    .{ .hi = 0x1.0000000000000p+0, .lo = 0x0.0p+0 },
    .{ .hi = 0x1.0163da9fb3335p+0, .lo = 0x1.b61299ab8cdb7p-54 },
    .{ .hi = 0x1.02c9a3e778061p+0, .lo = -0x1.19083535b085dp-56 },
    .{ .hi = 0x1.04315e86e7f85p+0, .lo = -0x1.0a31c1977c96ep-54 },
    .{ .hi = 0x1.059b0d3158574p+0, .lo = 0x1.d73e2a475b465p-55 },
    .{ .hi = 0x1.0706b29ddf6dep+0, .lo = -0x1.c91dfe2b13c27p-55 },
    .{ .hi = 0x1.0874518759bc8p+0, .lo = 0x1.186be4bb284ffp-57 },
    .{ .hi = 0x1.09e3ecac6f383p+0, .lo = 0x1.1487818316136p-54 },
    .{ .hi = 0x1.0b5586cf9890fp+0, .lo = 0x1.8a62e4adc610bp-54 },
    .{ .hi = 0x1.0cc922b7247f7p+0, .lo = 0x1.01edc16e24f71p-54 },
    .{ .hi = 0x1.0e3ec32d3d1a2p+0, .lo = 0x1.03a1727c57b53p-59 },
    .{ .hi = 0x1.0fb66affed31bp+0, .lo = -0x1.b9bedc44ebd7bp-57 },
    .{ .hi = 0x1.11301d0125b51p+0, .lo = -0x1.6c51039449b3ap-54 },
    .{ .hi = 0x1.12abdc06c31ccp+0, .lo = -0x1.1b514b36ca5c7p-58 },
    .{ .hi = 0x1.1429aaea92de0p+0, .lo = -0x1.32fbf9af1369ep-54 },
    .{ .hi = 0x1.15a98c8a58e51p+0, .lo = 0x1.2406ab9eeab0ap-55 },
    .{ .hi = 0x1.172b83c7d517bp+0, .lo = -0x1.19041b9d78a76p-55 },
    .{ .hi = 0x1.18af9388c8deap+0, .lo = -0x1.11023d1970f6cp-54 },
    .{ .hi = 0x1.1a35beb6fcb75p+0, .lo = 0x1.e5b4c7b4968e4p-55 },
    .{ .hi = 0x1.1bbe084045cd4p+0, .lo = -0x1.95386352ef607p-54 },
    .{ .hi = 0x1.1d4873168b9aap+0, .lo = 0x1.e016e00a2643cp-54 },
    .{ .hi = 0x1.1ed5022fcd91dp+0, .lo = -0x1.1df98027bb78cp-54 },
    .{ .hi = 0x1.2063b88628cd6p+0, .lo = 0x1.dc775814a8495p-55 },
    .{ .hi = 0x1.21f49917ddc96p+0, .lo = 0x1.2a97e9494a5eep-55 },
    .{ .hi = 0x1.2387a6e756238p+0, .lo = 0x1.9b07eb6c70573p-54 },
    .{ .hi = 0x1.251ce4fb2a63fp+0, .lo = 0x1.ac155bef4f4a4p-55 },
    .{ .hi = 0x1.26b4565e27cddp+0, .lo = 0x1.2bd339940e9d9p-55 },
    .{ .hi = 0x1.284dfe1f56381p+0, .lo = -0x1.a4c3a8c3f0d7ep-54 },
    .{ .hi = 0x1.29e9df51fdee1p+0, .lo = 0x1.612e8afad1255p-55 },
    .{ .hi = 0x1.2b87fd0dad990p+0, .lo = -0x1.10adcd6381aa4p-59 },
    .{ .hi = 0x1.2d285a6e4030bp+0, .lo = 0x1.0024754db41d5p-54 },
    .{ .hi = 0x1.2ecafa93e2f56p+0, .lo = 0x1.1ca0f45d52383p-56 },
    .{ .hi = 0x1.306fe0a31b715p+0, .lo = 0x1.6f46ad23182e4p-55 },
    .{ .hi = 0x1.32170fc4cd831p+0, .lo = 0x1.a9ce78e18047cp-55 },
    .{ .hi = 0x1.33c08b26416ffp+0, .lo = 0x1.32721843659a6p-54 },
    .{ .hi = 0x1.356c55f929ff1p+0, .lo = -0x1.b5cee5c4e4628p-55 },
    .{ .hi = 0x1.371a7373aa9cbp+0, .lo = -0x1.63aeabf42eae2p-54 },
    .{ .hi = 0x1.38cae6d05d866p+0, .lo = -0x1.e958d3c9904bdp-54 },
    .{ .hi = 0x1.3a7db34e59ff7p+0, .lo = -0x1.5e436d661f5e3p-56 },
    .{ .hi = 0x1.3c32dc313a8e5p+0, .lo = -0x1.efff8375d29c3p-54 },
    .{ .hi = 0x1.3dea64c123422p+0, .lo = 0x1.ada0911f09ebcp-55 },
    .{ .hi = 0x1.3fa4504ac801cp+0, .lo = -0x1.7d023f956f9f3p-54 },
    .{ .hi = 0x1.4160a21f72e2ap+0, .lo = -0x1.ef3691c309278p-58 },
    .{ .hi = 0x1.431f5d950a897p+0, .lo = -0x1.1c7dde35f7999p-55 },
    .{ .hi = 0x1.44e086061892dp+0, .lo = 0x1.89b7a04ef80d0p-59 },
    .{ .hi = 0x1.46a41ed1d0057p+0, .lo = 0x1.c944bd1648a76p-54 },
    .{ .hi = 0x1.486a2b5c13cd0p+0, .lo = 0x1.3c1a3b69062f0p-56 },
    .{ .hi = 0x1.4a32af0d7d3dep+0, .lo = 0x1.9cb62f3d1be56p-54 },
    .{ .hi = 0x1.4bfdad5362a27p+0, .lo = 0x1.d4397afec42e2p-56 },
    .{ .hi = 0x1.4dcb299fddd0dp+0, .lo = 0x1.8ecdbbc6a7833p-54 },
    .{ .hi = 0x1.4f9b2769d2ca7p+0, .lo = -0x1.4b309d25957e3p-54 },
    .{ .hi = 0x1.516daa2cf6642p+0, .lo = -0x1.f768569bd93efp-55 },
    .{ .hi = 0x1.5342b569d4f82p+0, .lo = -0x1.07abe1db13cadp-55 },
    .{ .hi = 0x1.551a4ca5d920fp+0, .lo = -0x1.d689cefede59bp-55 },
    .{ .hi = 0x1.56f4736b527dap+0, .lo = 0x1.9bb2c011d93adp-54 },
    .{ .hi = 0x1.58d12d497c7fdp+0, .lo = 0x1.295e15b9a1de8p-55 },
    .{ .hi = 0x1.5ab07dd485429p+0, .lo = 0x1.6324c054647adp-54 },
    .{ .hi = 0x1.5c9268a5946b7p+0, .lo = 0x1.c4b1b816986a2p-60 },
    .{ .hi = 0x1.5e76f15ad2148p+0, .lo = 0x1.ba6f93080e65ep-54 },
    .{ .hi = 0x1.605e1b976dc09p+0, .lo = -0x1.3e2429b56de47p-54 },
    .{ .hi = 0x1.6247eb03a5585p+0, .lo = -0x1.383c17e40b497p-54 },
    .{ .hi = 0x1.6434634ccc320p+0, .lo = -0x1.c483c759d8933p-55 },
    .{ .hi = 0x1.6623882552225p+0, .lo = -0x1.bb60987591c34p-54 },
    .{ .hi = 0x1.68155d44ca973p+0, .lo = 0x1.038ae44f73e65p-57 },
    .{ .hi = 0x1.6a09e667f3bcdp+0, .lo = -0x1.bdd3413b26456p-54 },
    .{ .hi = 0x1.6c012750bdabfp+0, .lo = -0x1.2895667ff0b0dp-56 },
    .{ .hi = 0x1.6dfb23c651a2fp+0, .lo = -0x1.bbe3a683c88abp-57 },
    .{ .hi = 0x1.6ff7df9519484p+0, .lo = -0x1.83c0f25860ef6p-55 },
    .{ .hi = 0x1.71f75e8ec5f74p+0, .lo = -0x1.16e4786887a99p-55 },
    .{ .hi = 0x1.73f9a48a58174p+0, .lo = -0x1.0a8d96c65d53cp-54 },
    .{ .hi = 0x1.75feb564267c9p+0, .lo = -0x1.0245957316dd3p-54 },
    .{ .hi = 0x1.780694fde5d3fp+0, .lo = 0x1.866b80a02162dp-54 },
    .{ .hi = 0x1.7a11473eb0187p+0, .lo = -0x1.41577ee04992fp-55 },
    .{ .hi = 0x1.7c1ed0130c132p+0, .lo = 0x1.f124cd1164dd6p-54 },
    .{ .hi = 0x1.7e2f336cf4e62p+0, .lo = 0x1.05d02ba15797ep-56 },
    .{ .hi = 0x1.80427543e1a12p+0, .lo = -0x1.27c86626d972bp-54 },
    .{ .hi = 0x1.82589994cce13p+0, .lo = -0x1.d4c1dd41532d8p-54 },
    .{ .hi = 0x1.8471a4623c7adp+0, .lo = -0x1.8d684a341cdfbp-55 },
    .{ .hi = 0x1.868d99b4492edp+0, .lo = -0x1.fc6f89bd4f6bap-54 },
    .{ .hi = 0x1.88ac7d98a6699p+0, .lo = 0x1.994c2f37cb53ap-54 },
    .{ .hi = 0x1.8ace5422aa0dbp+0, .lo = 0x1.6e9f156864b27p-54 },
    .{ .hi = 0x1.8cf3216b5448cp+0, .lo = -0x1.0d55e32e9e3aap-56 },
    .{ .hi = 0x1.8f1ae99157736p+0, .lo = 0x1.5cc13a2e3976cp-55 },
    .{ .hi = 0x1.9145b0b91ffc6p+0, .lo = -0x1.dd6792e582524p-54 },
    .{ .hi = 0x1.93737b0cdc5e5p+0, .lo = -0x1.75fc781b57ebcp-57 },
    .{ .hi = 0x1.95a44cbc8520fp+0, .lo = -0x1.64b7c96a5f039p-56 },
    .{ .hi = 0x1.97d829fde4e50p+0, .lo = -0x1.d185b7c1b85d1p-54 },
    .{ .hi = 0x1.9a0f170ca07bap+0, .lo = -0x1.173bd91cee632p-54 },
    .{ .hi = 0x1.9c49182a3f090p+0, .lo = 0x1.c7c46b071f2bep-56 },
    .{ .hi = 0x1.9e86319e32323p+0, .lo = 0x1.824ca78e64c6ep-56 },
    .{ .hi = 0x1.a0c667b5de565p+0, .lo = -0x1.359495d1cd533p-54 },
    .{ .hi = 0x1.a309bec4a2d33p+0, .lo = 0x1.6305c7ddc36abp-54 },
    .{ .hi = 0x1.a5503b23e255dp+0, .lo = -0x1.d2f6edb8d41e1p-54 },
    .{ .hi = 0x1.a799e1330b358p+0, .lo = 0x1.bcb7ecac563c7p-54 },
    .{ .hi = 0x1.a9e6b5579fdbfp+0, .lo = 0x1.0fac90ef7fd31p-54 },
    .{ .hi = 0x1.ac36bbfd3f37ap+0, .lo = -0x1.f9234cae76cd0p-55 },
    .{ .hi = 0x1.ae89f995ad3adp+0, .lo = 0x1.7a1cd345dcc81p-54 },
    .{ .hi = 0x1.b0e07298db666p+0, .lo = -0x1.bdef54c80e425p-54 },
    .{ .hi = 0x1.b33a2b84f15fbp+0, .lo = -0x1.2805e3084d708p-57 },
    .{ .hi = 0x1.b59728de5593ap+0, .lo = -0x1.c71dfbbba6de3p-54 },
    .{ .hi = 0x1.b7f76f2fb5e47p+0, .lo = -0x1.5584f7e54ac3bp-56 },
    .{ .hi = 0x1.ba5b030a1064ap+0, .lo = -0x1.efcd30e54292ep-54 },
    .{ .hi = 0x1.bcc1e904bc1d2p+0, .lo = 0x1.23dd07a2d9e84p-55 },
    .{ .hi = 0x1.bf2c25bd71e09p+0, .lo = -0x1.efdca3f6b9c73p-54 },
    .{ .hi = 0x1.c199bdd85529cp+0, .lo = 0x1.11065895048ddp-55 },
    .{ .hi = 0x1.c40ab5fffd07ap+0, .lo = 0x1.b4537e083c60ap-54 },
    .{ .hi = 0x1.c67f12e57d14bp+0, .lo = 0x1.2884dff483cadp-54 },
    .{ .hi = 0x1.c8f6d9406e7b5p+0, .lo = 0x1.1acbc48805c44p-56 },
    .{ .hi = 0x1.cb720dcef9069p+0, .lo = 0x1.503cbd1e949dbp-56 },
    .{ .hi = 0x1.cdf0b555dc3fap+0, .lo = -0x1.dd83b53829d72p-55 },
    .{ .hi = 0x1.d072d4a07897cp+0, .lo = -0x1.cbc3743797a9cp-54 },
    .{ .hi = 0x1.d2f87080d89f2p+0, .lo = -0x1.d487b719d8578p-54 },
    .{ .hi = 0x1.d5818dcfba487p+0, .lo = 0x1.2ed02d75b3707p-55 },
    .{ .hi = 0x1.d80e316c98398p+0, .lo = -0x1.11ec18beddfe8p-54 },
    .{ .hi = 0x1.da9e603db3285p+0, .lo = 0x1.c2300696db532p-54 },
    .{ .hi = 0x1.dd321f301b460p+0, .lo = 0x1.2da5778f018c3p-54 },
    .{ .hi = 0x1.dfc97337b9b5fp+0, .lo = -0x1.1a5cd4f184b5cp-54 },
    .{ .hi = 0x1.e264614f5a129p+0, .lo = -0x1.7b627817a1496p-54 },
    .{ .hi = 0x1.e502ee78b3ff6p+0, .lo = 0x1.39e8980a9cc8fp-55 },
    .{ .hi = 0x1.e7a51fbc74c83p+0, .lo = 0x1.2d522ca0c8de2p-54 },
    .{ .hi = 0x1.ea4afa2a490dap+0, .lo = -0x1.e9c23179c2893p-54 },
    .{ .hi = 0x1.ecf482d8e67f1p+0, .lo = -0x1.c93f3b411ad8cp-54 },
    .{ .hi = 0x1.efa1bee615a27p+0, .lo = 0x1.dc7f486a4b6b0p-54 },
    .{ .hi = 0x1.f252b376bba97p+0, .lo = 0x1.3a1a5bf0d8e43p-54 },
    .{ .hi = 0x1.f50765b6e4540p+0, .lo = 0x1.9d3e12dd8a18bp-54 },
    .{ .hi = 0x1.f7bfdad9cbe14p+0, .lo = -0x1.dbb12d006350ap-54 },
    .{ .hi = 0x1.fa7c1819e90d8p+0, .lo = 0x1.74853f3a5931ep-55 },
    .{ .hi = 0x1.fd3c22b8f71f1p+0, .lo = 0x1.2eb74966579e7p-57 },
};
/// sin(j/64) and cos(j/64) for j = 0..52 as double-doubles.
pub const SIN_T = [53]DD{
    .{ .hi = 0x0.0p+0, .lo = 0x0.0p+0 },
    .{ .hi = 0x1.fffaaaaeeeed5p-7, .lo = -0x1.2ab639a9f0776p-63 },
    .{ .hi = 0x1.ffeaaaeeee86fp-6, .lo = -0x1.cd406fb224ae2p-60 },
    .{ .hi = 0x1.7fdc01032fba9p-5, .lo = -0x1.599bdf46e997ap-59 },
    .{ .hi = 0x1.ffaaaeeed4edbp-5, .lo = -0x1.2d16d32684b69p-59 },
    .{ .hi = 0x1.3facb12d1755bp-4, .lo = -0x1.921915299468bp-58 },
    .{ .hi = 0x1.7f701032550e4p-4, .lo = 0x1.afc2d1800501ap-60 },
    .{ .hi = 0x1.bf1b78568391dp-4, .lo = 0x1.e91841dea4cc8p-58 },
    .{ .hi = 0x1.feaaeee86ee36p-4, .lo = -0x1.afcb2bcc6f03bp-59 },
    .{ .hi = 0x1.1f0d3d7afceafp-3, .lo = -0x1.6ef95099769a5p-57 },
    .{ .hi = 0x1.3eb312c5d66cbp-3, .lo = 0x1.47d666b66cb91p-57 },
    .{ .hi = 0x1.5e44fcfa126f3p-3, .lo = -0x1.6f443063f89b6p-57 },
    .{ .hi = 0x1.7dc102fbaf2b5p-3, .lo = 0x1.5ab50e23c97c3p-59 },
    .{ .hi = 0x1.9d252d0cec312p-3, .lo = 0x1.9c43d80b1137dp-58 },
    .{ .hi = 0x1.bc6f84edc6199p-3, .lo = 0x1.9c1a56a7b0cabp-57 },
    .{ .hi = 0x1.db9e15fb5a5d0p-3, .lo = -0x1.32e20d6cc6fc2p-57 },
    .{ .hi = 0x1.faaeed4f31577p-3, .lo = -0x1.15d88508e32b8p-57 },
    .{ .hi = 0x1.0cd00cef36436p-2, .lo = -0x1.9fb0a0c93e2b4p-56 },
    .{ .hi = 0x1.1c37d64c6b876p-2, .lo = 0x1.46076fe0dcff4p-56 },
    .{ .hi = 0x1.2b8ddc43eb49fp-2, .lo = 0x1.1553899f2d807p-57 },
    .{ .hi = 0x1.3ad129769d3d8p-2, .lo = 0x1.03d550487839ap-63 },
    .{ .hi = 0x1.4a00c9b0f3d20p-2, .lo = 0x1.823ba6bb08eadp-56 },
    .{ .hi = 0x1.591bc9fa2f597p-2, .lo = 0x1.7c74bac3fe0cbp-57 },
    .{ .hi = 0x1.682138a38d7f7p-2, .lo = -0x1.d889202444aadp-56 },
    .{ .hi = 0x1.7710255764214p-2, .lo = -0x1.6ead7314bb6cep-57 },
    .{ .hi = 0x1.85e7a12826949p-2, .lo = 0x1.8a40e9b5face0p-56 },
    .{ .hi = 0x1.94a6be9f546c5p-2, .lo = -0x1.69ce13e683f58p-56 },
    .{ .hi = 0x1.a34c91cc50ccap-2, .lo = -0x1.a310e3b50cecdp-58 },
    .{ .hi = 0x1.b1d8305321617p-2, .lo = -0x1.ae242cb99f519p-56 },
    .{ .hi = 0x1.c048b17b140a3p-2, .lo = 0x1.19fe6757e9fa7p-57 },
    .{ .hi = 0x1.ce9d2e3d4a51fp-2, .lo = -0x1.2fc8a12dae298p-57 },
    .{ .hi = 0x1.dcd4c15329c9ap-2, .lo = 0x1.0d4c6e171fd9ap-56 },
    .{ .hi = 0x1.eaee8744b05f0p-2, .lo = -0x1.789b43c9b027dp-58 },
    .{ .hi = 0x1.f8e99e76abc97p-2, .lo = 0x1.9d950af2d00a3p-58 },
    .{ .hi = 0x1.0362939c69955p-1, .lo = -0x1.2d8cd78397b01p-55 },
    .{ .hi = 0x1.0a4021e9e1001p-1, .lo = -0x1.6f643a13914f6p-55 },
    .{ .hi = 0x1.110d0c4b69c3bp-1, .lo = 0x1.d918998809981p-55 },
    .{ .hi = 0x1.17c8e5f2eedb0p-1, .lo = 0x1.35e57102e2488p-57 },
    .{ .hi = 0x1.1e7343236574cp-1, .lo = 0x1.22a3fa4f41d5ap-56 },
    .{ .hi = 0x1.250bb93788bbbp-1, .lo = 0x1.ea3d02457bccep-56 },
    .{ .hi = 0x1.2b91dea88421ep-1, .lo = -0x1.fa371db216ab0p-55 },
    .{ .hi = 0x1.32054b148bc4fp-1, .lo = 0x1.f6b42095a135bp-55 },
    .{ .hi = 0x1.386597456282bp-1, .lo = -0x1.10fada93b07a8p-56 },
    .{ .hi = 0x1.3eb25d36cd53ap-1, .lo = -0x1.be570e1570fc0p-58 },
    .{ .hi = 0x1.44eb381cf386bp-1, .lo = -0x1.3ed6c1e6a5505p-55 },
    .{ .hi = 0x1.4b0fc46aab761p-1, .lo = 0x1.0da05738cc59cp-61 },
    .{ .hi = 0x1.511f9fd7b351cp-1, .lo = -0x1.5c0e861c48831p-55 },
    .{ .hi = 0x1.571a6966d59b3p-1, .lo = 0x1.c843b4d0fb197p-58 },
    .{ .hi = 0x1.5cffc16bf8f0dp-1, .lo = 0x1.96cb370eb578ap-55 },
    .{ .hi = 0x1.62cf49921ac79p-1, .lo = -0x1.edd9855b6241ap-55 },
    .{ .hi = 0x1.6888a4e134b2fp-1, .lo = -0x1.6b7d37644d5e6p-55 },
    .{ .hi = 0x1.6e2b77c40bde1p-1, .lo = -0x1.0e729857fad53p-56 },
    .{ .hi = 0x1.73b7680dea578p-1, .lo = -0x1.2248306dc12a2p-56 },
};
pub const COS_T = [53]DD{
    .{ .hi = 0x1.0000000000000p+0, .lo = 0x0.0p+0 },
    .{ .hi = 0x1.fff000155549fp-1, .lo = 0x1.28a28a03a5ef3p-55 },
    .{ .hi = 0x1.ffc00155527d3p-1, .lo = -0x1.3b54492d89b5bp-55 },
    .{ .hi = 0x1.ff7006bfdf99fp-1, .lo = -0x1.8b3b560648d5fp-56 },
    .{ .hi = 0x1.ff0015549f4d3p-1, .lo = 0x1.328387b99426fp-55 },
    .{ .hi = 0x1.fe7034129ef6fp-1, .lo = -0x1.cbf4337c96f97p-57 },
    .{ .hi = 0x1.fdc06bf7e6b9bp-1, .lo = 0x1.31902b535f8dbp-55 },
    .{ .hi = 0x1.fcf0c800e99b1p-1, .lo = 0x1.ea3d786d186acp-57 },
    .{ .hi = 0x1.fc015527d5bd3p-1, .lo = 0x1.b68f35094efb8p-55 },
    .{ .hi = 0x1.faf22263c4bd3p-1, .lo = -0x1.52ace133a2769p-58 },
    .{ .hi = 0x1.f9c340a7cc428p-1, .lo = 0x1.c5b6b063b7462p-55 },
    .{ .hi = 0x1.f874c2e1eecf6p-1, .lo = -0x1.c6514e1332b16p-55 },
    .{ .hi = 0x1.f706bdf9ece1cp-1, .lo = -0x1.698c80c36dcb4p-55 },
    .{ .hi = 0x1.f57948cff6797p-1, .lo = 0x1.e3a0d3e03b1d4p-57 },
    .{ .hi = 0x1.f3cc7c3b3d16ep-1, .lo = -0x1.21a3ad28a3494p-57 },
    .{ .hi = 0x1.f20073086649fp-1, .lo = 0x1.b940416c1984bp-56 },
    .{ .hi = 0x1.f01549f7deea1p-1, .lo = 0x1.d3c1e99e5cafdp-55 },
    .{ .hi = 0x1.ee0b1fbc0f11cp-1, .lo = -0x1.bfd2380bbc3b1p-59 },
    .{ .hi = 0x1.ebe214f76efa8p-1, .lo = -0x1.02f9f12ba543ep-55 },
    .{ .hi = 0x1.e99a4c3a7cd83p-1, .lo = -0x1.2264b1bc53ce8p-55 },
    .{ .hi = 0x1.e733ea0193d40p-1, .lo = -0x1.6428b3546ce13p-55 },
    .{ .hi = 0x1.e4af14b2a449cp-1, .lo = -0x1.68ca02e8a6833p-55 },
    .{ .hi = 0x1.e20bf49acd6c1p-1, .lo = -0x1.660aec7ef636bp-58 },
    .{ .hi = 0x1.df4ab3ebd875ep-1, .lo = -0x1.e2d8a7e6736c4p-55 },
    .{ .hi = 0x1.dc6b7eb995912p-1, .lo = 0x1.4b364776dcd35p-58 },
    .{ .hi = 0x1.d96e82f71a9dcp-1, .lo = 0x1.ff61bd5d2039dp-55 },
    .{ .hi = 0x1.d653f073e4040p-1, .lo = -0x1.76236434bec37p-55 },
    .{ .hi = 0x1.d31bf8d8d7c06p-1, .lo = 0x1.e60dd3089cbddp-56 },
    .{ .hi = 0x1.cfc6cfa52ad9fp-1, .lo = 0x1.8b5b5508f2a0dp-55 },
    .{ .hi = 0x1.cc54aa2b2972ep-1, .lo = 0x1.4ee162ba83a98p-57 },
    .{ .hi = 0x1.c8c5bf8ce1a84p-1, .lo = 0x1.ab3d1a1590123p-56 },
    .{ .hi = 0x1.c51a48b8b175ep-1, .lo = -0x1.1bbb43b9aa880p-57 },
    .{ .hi = 0x1.c1528065b7d50p-1, .lo = -0x1.892111312e828p-55 },
    .{ .hi = 0x1.bd6ea310294f5p-1, .lo = 0x1.31bbcc88c109dp-56 },
    .{ .hi = 0x1.b96eeef58840ep-1, .lo = 0x1.45a3cc78fade0p-58 },
    .{ .hi = 0x1.b553a410c104ep-1, .lo = 0x1.8ff7947027a15p-58 },
    .{ .hi = 0x1.b11d04162a4c6p-1, .lo = 0x1.1dd561efbc0c2p-56 },
    .{ .hi = 0x1.accb526f69de5p-1, .lo = 0x1.8fb6a8dd6b6ccp-55 },
    .{ .hi = 0x1.a85ed4373e02dp-1, .lo = 0x1.9be06385ec792p-57 },
    .{ .hi = 0x1.a3d7d0352bdcfp-1, .lo = -0x1.68dbaeca19669p-55 },
    .{ .hi = 0x1.9f368ed912f85p-1, .lo = -0x1.1d200c5791606p-55 },
    .{ .hi = 0x1.9a7b5a36a6514p-1, .lo = 0x1.722cfcc9fa7a9p-55 },
    .{ .hi = 0x1.95a67e00cb1fdp-1, .lo = -0x1.0befda21f862dp-55 },
    .{ .hi = 0x1.90b84784ddaf7p-1, .lo = -0x1.0feb10ab93b87p-56 },
    .{ .hi = 0x1.8bb105a5dc900p-1, .lo = 0x1.863e03e9474c1p-55 },
    .{ .hi = 0x1.869108d77a6c6p-1, .lo = 0x1.338ffe2bfe9ddp-56 },
    .{ .hi = 0x1.8158a31916d5dp-1, .lo = -0x1.de8b90b8228dep-57 },
    .{ .hi = 0x1.7c0827f09e54fp-1, .lo = -0x1.c73d6d72aee68p-57 },
    .{ .hi = 0x1.769fec655211fp-1, .lo = -0x1.827d5cf8c68c5p-57 },
    .{ .hi = 0x1.712046fa77678p-1, .lo = 0x1.425b0a5029c81p-55 },
    .{ .hi = 0x1.6b898fa9efb5dp-1, .lo = 0x1.15ac786ccf4b2p-56 },
    .{ .hi = 0x1.65dc1fdeb8cbap-1, .lo = -0x1.97c1b47337c77p-58 },
    .{ .hi = 0x1.6018526f563dfp-1, .lo = 0x1.46ca5e0e432d0p-55 },
};
/// The first 22*64 bits of the binary expansion of 2/pi after the point, most significant first.
pub const TWO_OVER_PI = [22]u64{
    0xa2f9836e4e441529, 0xfc2757d1f534ddc0, 0xdb6295993c439041, 0xfe5163abdebbc561,
    0xb7246e3a424dd2e0, 0x06492eea09d1921c, 0xfe1deb1cb129a73e, 0xe88235f52ebb4484,
    0xe99c7026b45f7e41, 0x3991d639835339f4, 0x9c845f8bbdf9283b, 0x1ff897ffde05980f,
    0xef2f118b5a0a6d1f, 0x6d367ecf27cb09b7, 0x4f463f669e5fea2d, 0x7527bac7ebe5f17b,
    0x3d0739f78a5292ea, 0x6bfb5fb11f8d5d08, 0x56033046fc7b6bab, 0xf0cfbc209af4361d,
    0xa9e391615ee61b08, 0x6599855f14a06840,
};
