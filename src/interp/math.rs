//! The `math_*` built-ins and float `**` with the results of `runtime/math.zig`, bit for bit.
//! The runtime's transcendental functions are correctly rounded by its own algorithms
//! (double-double arithmetic behind a fast first attempt, Ziv's strategy), built only from
//! operations IEEE 754 defines exactly; this module is the same algorithms in Rust, so the
//! interpreter prints the digits the compiled program prints. `kernels` holds the shared
//! double-double machinery, `tables` the runtime's constants.
//!
//! Two steps differ in form, not in result: the runtime takes its first approximations of
//! log1p (inside log) and atan2 (inside the inverse trigonometric functions) from Zig's
//! `std.math`, this module from the host's; both are within an ulp, and each is followed by
//! an exact correction that removes the difference (the result is the correctly rounded value
//! unless the exact one lies within ~2^-100 of a rounding boundary). `tests/interp_math.rs`
//! compares every function with the compiled program on thousands of arguments.

// The runtime's NaN tests (`!(x <= 710)` is true for NaN) and its `x - x` (the NaN of an
// infinite argument, sign bit included) are kept as written, for the same bits.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::eq_op)]

mod kernels;
mod tables;

use kernels::{
    DD, add, add_acc, add_d, dd, div, exp_dd, exp_fast, exp_fast_dd, exp_kernel, expm1_poly,
    fast_two_sum, log_combine, log_dd, log_parts, log_parts_with, mul, mul_d, neg, pow2,
    round_if_safe, round1, scale_round, scale_round_any, split_exp, two_prod, two_sum,
};
use kernels::{angle, in_quadrant, ldexp_exact, reduce_pio2, sin_cos_kernel, sin_cos_kernel_fast};
use tables::*;

/// The `math_*` built-in `name` (and `square`) on f64 arguments, or None for another name.
pub fn call(name: &str, x: f64, y: f64, z: f64) -> Option<f64> {
    Some(match name {
        "math_abs" => x.abs(),
        "math_sqrt" => x.sqrt(),
        "math_exp" => exp(x),
        "math_log" => log(x),
        "math_log10" => log10(x),
        "math_log2" => log2(x),
        "math_sin" => sin(x),
        "math_cos" => cos(x),
        "math_tan" => tan(x),
        "math_asin" => asin(x),
        "math_acos" => acos(x),
        "math_atan" => atan(x),
        "math_sinh" => sinh(x),
        "math_cosh" => cosh(x),
        "math_tanh" => tanh(x),
        "math_floor" => x.floor(),
        "math_ceil" => x.ceil(),
        "math_trunc" => x.trunc(),
        "math_round" => x.round(),
        "math_degrees" => mul_const(x, DEG),
        "math_radians" => mul_const(x, RAD),
        "math_sign" => sign(x),
        "math_pow" => pow(x, y),
        "math_atan2" => atan2(x, y),
        "math_hypot" => hypot(x, y),
        "math_fmod" => x % y,
        "math_remainder" => remainder(x, y),
        "math_min" => min_max(x, y, true),
        "math_max" => min_max(x, y, false),
        "math_copysign" => x.copysign(y),
        "math_clamp" => min_max(min_max(x, y, false), z, true),
        "math_lerp" => x + (y - x) * z,
        "math_pi" => std::f64::consts::PI,
        "math_e" => std::f64::consts::E,
        "math_inf" => f64::INFINITY,
        "math_nan" => f64::NAN,
        "square" => x * x,
        _ => return None,
    })
}

/// 1.0 for x > 0, -1.0 for x < 0, and x itself for ±0.0 and NaN.
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x
    }
}

/// `math.min`/`math.max`: NaN if either is NaN; of two equal zeros, min takes -0.0, max +0.0.
fn min_max(x: f64, y: f64, min: bool) -> f64 {
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == y {
        return if x.is_sign_negative() == min { x } else { y };
    }
    if (x < y) == min { x } else { y }
}

/// e^x; overflows to inf above ~709.78, 0 below ~-745.13.
pub fn exp(x: f64) -> f64 {
    if !(x <= 710.0) {
        return x + f64::INFINITY;
    }
    if x < -746.0 {
        return 0.0;
    }
    let f = exp_fast(dd(x));
    if (-1019..=1000).contains(&f.k)
        && let Some(r) = round_if_safe(f.v, f.v.hi.abs() * pow2(-65))
    {
        return r * pow2(f.k);
    }
    let ek = exp_kernel(dd(x));
    scale_round(ek.v, ek.k)
}

/// The logarithms' results at 0, +inf, negative numbers and NaN, or None for finite x > 0.
fn log_special(x: f64) -> Option<f64> {
    if x > 0.0 && x != f64::INFINITY {
        return None;
    }
    Some(if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        f64::INFINITY
    } else {
        f64::NAN
    })
}

/// A logarithm from `combine` of the significand's log: fast attempt, then the accurate one.
fn log_with(x: f64, combine: fn(kernels::LogParts) -> DD, err: f64) -> f64 {
    if let Some(special) = log_special(x) {
        return special;
    }
    if let Some(lp) = log_parts_with(x, true)
        && let Some(r) = round_if_safe(combine(lp), err)
    {
        return r;
    }
    round1(combine(log_parts(x)))
}

pub fn log(x: f64) -> f64 {
    log_with(x, log_combine, pow2(-64))
}

pub fn log10(x: f64) -> f64 {
    log_with(x, log10_combine, pow2(-64))
}

pub fn log2(x: f64) -> f64 {
    log_with(x, log2_combine, pow2(-63))
}

fn log10_combine(lp: kernels::LogParts) -> DD {
    let l = mul(lp.lm, INV_LN10);
    let ef = f64::from(lp.e);
    let a = two_sum(ef * LOG10_2_A, l.hi);
    let b = two_sum(a.hi, ef * LOG10_2_B);
    fast_two_sum(b.hi, ((a.lo + b.lo) + l.lo) + ef * LOG10_2_C)
}

fn log2_combine(lp: kernels::LogParts) -> DD {
    let l = mul(lp.lm, INV_LN2);
    let s = two_sum(f64::from(lp.e), l.hi);
    fast_two_sum(s.hi, s.lo + l.lo)
}

pub fn sin(x: f64) -> f64 {
    if x.abs() < pow2(-26) {
        return x;
    }
    if !x.is_finite() {
        return x - x;
    }
    let red = reduce_pio2(x);
    let f = in_quadrant(red.n, sin_cos_kernel_fast(red.r)).s;
    if let Some(r) = round_if_safe(f, f.hi.abs() * pow2(-62)) {
        return r;
    }
    round1(in_quadrant(red.n, sin_cos_kernel(red.r)).s)
}

pub fn cos(x: f64) -> f64 {
    if x.abs() < pow2(-27) {
        return 1.0;
    }
    if !x.is_finite() {
        return x - x;
    }
    let red = reduce_pio2(x);
    let f = in_quadrant(red.n, sin_cos_kernel_fast(red.r)).c;
    if let Some(r) = round_if_safe(f, f.hi.abs() * pow2(-62)) {
        return r;
    }
    round1(in_quadrant(red.n, sin_cos_kernel(red.r)).c)
}

pub fn tan(x: f64) -> f64 {
    if x.abs() < pow2(-27) {
        return x;
    }
    if !x.is_finite() {
        return x - x;
    }
    let red = reduce_pio2(x);
    let quotient = |k: kernels::SinCos| {
        if red.n & 1 == 0 {
            div(k.s, k.c)
        } else {
            neg(div(k.c, k.s))
        }
    };
    let t = quotient(sin_cos_kernel_fast(red.r));
    if let Some(r) = round_if_safe(t, t.hi.abs() * pow2(-61)) {
        return r;
    }
    round1(quotient(sin_cos_kernel(red.r)))
}

pub fn asin(x: f64) -> f64 {
    if x.abs() < pow2(-26) {
        return x;
    }
    if !(x.abs() <= 1.0) {
        return f64::NAN;
    }
    angle(dd(x), one_minus_square_root(x))
}

/// sqrt(1 - x^2) as a double-double for |x| <= 1.
fn one_minus_square_root(x: f64) -> DD {
    let p = two_prod(x, x);
    let s = two_sum(1.0, -p.hi);
    kernels::sqrt(two_sum(s.hi, s.lo - p.lo))
}

pub fn acos(x: f64) -> f64 {
    if !(x.abs() <= 1.0) {
        return f64::NAN;
    }
    if x == 1.0 {
        return 0.0;
    }
    angle(one_minus_square_root(x), dd(x))
}

pub fn atan(x: f64) -> f64 {
    let ax = x.abs();
    if ax < pow2(-27) || x.is_nan() {
        return x;
    }
    let sgn = if x < 0.0 { -1.0 } else { 1.0 };
    if ax > pow2(62) {
        return sgn * round1(add_d(PIO2, -1.0 / ax));
    }
    angle(dd(x), dd(1.0))
}

pub fn sinh(x: f64) -> f64 {
    let ax = x.abs();
    if ax < pow2(-26) {
        return x;
    }
    if !(ax <= 720.0) {
        return x * f64::INFINITY;
    }
    let sgn = if x < 0.0 { -1.0 } else { 1.0 };
    if ax <= 0.0027 {
        let z = ax * ax;
        let t = ax * z * (1.0 / 6.0 + z * (1.0 / 120.0 + z * (1.0 / 5040.0)));
        if let Some(r) = round_if_safe(fast_two_sum(ax, t), ax * pow2(-66)) {
            return sgn * r;
        }
        let d = add(expm1_poly(dd(ax)), neg(expm1_poly(dd(-ax))));
        return sgn * (0.5 * round1(d));
    }
    if ax < 40.0 {
        let ea = exp_fast_dd(ax);
        let eb = exp_fast_dd(-ax);
        if let Some(r) = round_if_safe(add_acc(ea, neg(eb)), (ea.hi + eb.hi) * pow2(-66)) {
            return sgn * (0.5 * r);
        }
        let ex = exp_dd(ax);
        let d = add_acc(ex, neg(div(dd(1.0), ex)));
        return sgn * (0.5 * round1(d));
    }
    sgn * exp_half_large(ax)
}

/// e^x / 2 correctly rounded, for 40 <= x <= 750.
fn exp_half_large(x: f64) -> f64 {
    let f = exp_fast(dd(x));
    if f.k <= 1000
        && let Some(r) = round_if_safe(f.v, f.v.hi * pow2(-65))
    {
        return r * pow2(f.k - 1);
    }
    let ek = exp_kernel(dd(x));
    scale_round(ek.v, ek.k - 1)
}

pub fn cosh(x: f64) -> f64 {
    let ax = x.abs();
    if ax < pow2(-27) {
        return 1.0;
    }
    if !(ax <= 720.0) {
        return ax * f64::INFINITY;
    }
    if ax < 40.0 {
        let ea = exp_fast_dd(ax);
        let eb = exp_fast_dd(-ax);
        if let Some(r) = round_if_safe(add(ea, eb), (ea.hi + eb.hi) * pow2(-66)) {
            return 0.5 * r;
        }
        let ex = exp_dd(ax);
        return 0.5 * round1(add(ex, div(dd(1.0), ex)));
    }
    exp_half_large(ax)
}

pub fn tanh(x: f64) -> f64 {
    let ax = x.abs();
    if ax < pow2(-27) || x.is_nan() {
        return x;
    }
    let sgn = if x < 0.0 { -1.0 } else { 1.0 };
    if ax > 22.0 {
        return sgn;
    }
    if ax <= 0.0027 {
        let z = ax * ax;
        let t = ax * z * (-1.0 / 3.0 + z * (2.0 / 15.0 + z * (-17.0 / 315.0)));
        if let Some(r) = round_if_safe(fast_two_sum(ax, t), ax * pow2(-66)) {
            return sgn * r;
        }
        let p = expm1_poly(dd(ax));
        let q = expm1_poly(dd(-ax));
        return sgn * round1(div(add(p, neg(q)), add(dd(2.0), add(p, q))));
    }
    let ef = exp_fast_dd(2.0 * ax);
    let num = add_d(ef, -1.0);
    let t = div(num, add_d(ef, 1.0));
    if let Some(r) = round_if_safe(t, t.hi * pow2(-66) * (ef.hi / num.hi + 1.0)) {
        return sgn * r;
    }
    let ex = exp_dd(2.0 * ax);
    sgn * round1(div(add_d(ex, -1.0), add_d(ex, 1.0)))
}

/// x * c rounded once, for the double-double constant c (overflow gives ±inf).
fn mul_const(x: f64, c: DD) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x * c.hi;
    }
    if x.abs() < pow2(-900) {
        let xs = x * pow2(200);
        let p = two_prod(xs, c.hi);
        return scale_round_any(fast_two_sum(p.hi, p.lo + xs * c.lo), -200);
    }
    let p = two_prod(x, c.hi);
    if !p.hi.is_finite() {
        return p.hi;
    }
    p.hi + (p.lo + x * c.lo)
}

fn is_odd_integer(y: f64) -> bool {
    y.abs() < 9007199254740992.0 && y.trunc() == y && y % 2.0 != 0.0
}

/// x to the power y with C99 Annex F's special cases (`pow(x, ±0) == 1`, `pow(1, y) == 1`).
pub fn pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    if y.is_infinite() {
        if ax == 1.0 {
            return 1.0;
        }
        return if (ax < 1.0) == (y > 0.0) {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let y_odd = is_odd_integer(y);
    if ax == 0.0 || x.is_infinite() {
        let mag = if (ax == 0.0) == (y < 0.0) {
            f64::INFINITY
        } else {
            0.0
        };
        return if y_odd && x.is_sign_negative() {
            -mag
        } else {
            mag
        };
    }
    if x < 0.0 && y.trunc() != y {
        return f64::NAN;
    }
    let r = pow_positive(ax, y);
    if x < 0.0 && y_odd { -r } else { r }
}

/// x^y for finite x > 0 and finite nonzero y.
fn pow_positive(x: f64, y: f64) -> f64 {
    if y == 1.0 {
        return x;
    }
    if y == 2.0 {
        return x * x;
    }
    if y == -1.0 {
        return 1.0 / x;
    }
    if y == 0.5 {
        return x.sqrt();
    }
    let sp = split_exp(x);
    if let Some(r) = power_of_two_power(sp, y) {
        return r;
    }
    if (3.0..=64.0).contains(&y)
        && y.trunc() == y
        && let Some(r) = exact_int_pow(sp, y as u32)
    {
        return r;
    }
    if y.abs() < 64.0 {
        let lp = log_parts_with(x, true).unwrap_or_else(|| log_parts(x));
        let ef = exp_fast(mul_d(log_combine(lp), y));
        if (-1019..=1000).contains(&ef.k) {
            let err = ef.v.hi.abs() * (y.abs() * pow2(-65) + pow2(-65));
            if let Some(r) = round_if_safe(ef.v, err) {
                return r * pow2(ef.k);
            }
        }
    }
    let l = log_dd(x);
    let th = l.hi * y;
    if th > 710.0 {
        return f64::INFINITY;
    }
    if th < -746.0 {
        return 0.0;
    }
    let ek = exp_kernel(mul_d(l, y));
    scale_round(ek.v, ek.k)
}

/// 2^(e y) exactly when x = 2^e and e y is an integer; None otherwise.
fn power_of_two_power(sp: kernels::Split, y: f64) -> Option<f64> {
    if sp.m != 1.0 {
        return None;
    }
    let ef = f64::from(sp.e);
    let p = ef * y;
    if ef.mul_add(y, -p) != 0.0 || p.trunc() != p {
        return None;
    }
    Some(if p > 1023.0 {
        f64::INFINITY
    } else if p < -1074.0 {
        0.0
    } else {
        ldexp_exact(1.0, p as i32)
    })
}

/// x^n when the odd part of x's significand to the n has at most 54 bits (exact or exactly
/// halfway); None otherwise.
fn exact_int_pow(sp: kernels::Split, n: u32) -> Option<f64> {
    let m53 = (sp.m * pow2(52)) as u64;
    let tz = m53.trailing_zeros();
    let mo = m53 >> tz;
    if mo >= 1 << 18 {
        return None;
    }
    let mut acc: u64 = 1;
    for _ in 0..n {
        acc *= mo;
        if acc >= 1 << 54 {
            return None;
        }
    }
    let shift = sp.e - 52 + tz as i32;
    let b = 63 - acc.leading_zeros() as i32;
    let sc = pow2(-b);
    let v = DD {
        hi: (acc & !1) as f64 * sc,
        lo: (acc & 1) as f64 * sc,
    };
    let k = i64::from(shift) * i64::from(n) + i64::from(b);
    if k > 1100 {
        return Some(f64::INFINITY);
    }
    if k < -1100 {
        return Some(0.0);
    }
    Some(scale_round(v, k as i32))
}

/// The angle of (x, y) in [-pi, pi] (argument order `atan2(y, x)`), C99's special cases.
pub fn atan2(y: f64, x: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    let sy = if y.is_sign_negative() { -1.0 } else { 1.0 };
    if y == 0.0 {
        return if x.is_sign_negative() { sy * PI.hi } else { y };
    }
    if x == 0.0 {
        return sy * PIO2.hi;
    }
    if x.is_infinite() {
        if y.is_infinite() {
            return sy * if x > 0.0 { PIO4.hi } else { PI3O4.hi };
        }
        return if x > 0.0 { sy * 0.0 } else { sy * PI.hi };
    }
    if y.is_infinite() {
        return sy * PIO2.hi;
    }
    let (ax, ay) = (x.abs(), y.abs());
    if ay > ax * pow2(62) {
        return sy * round1(add_d(PIO2, -(x / ay)));
    }
    if ax > ay * pow2(62) {
        if x > 0.0 {
            return y / x;
        }
        return sy * round1(add_d(PI, -(ay / ax)));
    }
    let mx = ax.max(ay);
    let sc = if mx > pow2(500) {
        pow2(-600)
    } else if mx < pow2(-500) {
        pow2(600)
    } else {
        1.0
    };
    angle(dd(y * sc), dd(x * sc))
}

/// sqrt(x^2 + y^2) correctly rounded; +inf if either is infinite (even with a NaN).
pub fn hypot(x: f64, y: f64) -> f64 {
    if x.is_infinite() || y.is_infinite() {
        return f64::INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    let mut a = x.abs().max(y.abs());
    let mut b = x.abs().min(y.abs());
    if b == 0.0 || a > b * pow2(60) {
        return a;
    }
    let mut k = 0;
    if a < pow2(-900) {
        a *= pow2(600);
        b *= pow2(600);
        k = -600;
    }
    let ea = split_exp(a).e;
    a = ldexp_exact(a, -ea);
    b = ldexp_exact(b, -ea);
    k += ea;
    let pa = two_prod(a, a);
    let pb = two_prod(b, b);
    let s1 = two_sum(pa.hi, pb.hi);
    let s = fast_two_sum(s1.hi, s1.lo + (pa.lo + pb.lo));
    scale_round(kernels::sqrt(s), k)
}

/// IEEE 754 remainder: x - n y with n = x / y rounded to nearest, ties to even; exact.
pub fn remainder(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() || x.is_infinite() || y == 0.0 {
        return f64::NAN;
    }
    if y.is_infinite() {
        return x;
    }
    let ay = y.abs();
    let mut r = (x % (2.0 * ay)).abs();
    let mut odd = false;
    if r >= ay {
        r -= ay;
        odd = true;
    }
    if 2.0 * r > ay || (2.0 * r == ay && odd) {
        r -= ay;
    }
    if x.is_sign_negative() { -r } else { r }
}

#[cfg(test)]
mod tests;
