//! The building blocks of the correctly rounded functions, as `runtime/math.zig` has them:
//! double-double arithmetic (Dekker's and Knuth's error-free transformations with a fused
//! multiply-add), exact scaling and rounding by powers of two, the exp and log kernels (a fast
//! first attempt and an accurate one each), reduction modulo pi/2 (Cody-Waite and
//! Payne-Hanek) and the sine/cosine kernels. Every step is an operation IEEE 754 defines
//! exactly, so the results equal the runtime's bit for bit.

use super::tables::*;

/// The unevaluated sum hi + lo, normally with |lo| <= ulp(hi) / 2.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DD {
    pub hi: f64,
    pub lo: f64,
}

impl DD {
    /// A double-double from the bit patterns of its parts (the tables' form).
    pub const fn bits(hi: u64, lo: u64) -> DD {
        DD {
            hi: f64::from_bits(hi),
            lo: f64::from_bits(lo),
        }
    }
}

/// a + b exactly, assuming |a| >= |b| (or a == 0).
pub fn fast_two_sum(a: f64, b: f64) -> DD {
    let s = a + b;
    DD {
        hi: s,
        lo: b - (s - a),
    }
}

/// a + b exactly, any order.
pub fn two_sum(a: f64, b: f64) -> DD {
    let s = a + b;
    let bb = s - a;
    DD {
        hi: s,
        lo: (a - (s - bb)) + (b - bb),
    }
}

/// a * b exactly (barring underflow).
pub fn two_prod(a: f64, b: f64) -> DD {
    let p = a * b;
    DD {
        hi: p,
        lo: a.mul_add(b, -p),
    }
}

pub fn dd(x: f64) -> DD {
    DD { hi: x, lo: 0.0 }
}

pub fn neg(a: DD) -> DD {
    DD {
        hi: -a.hi,
        lo: -a.lo,
    }
}

/// a + b; relative error ~2^-105 unless a and b nearly cancel (then use `add_acc`).
pub fn add(a: DD, b: DD) -> DD {
    let s = two_sum(a.hi, b.hi);
    fast_two_sum(s.hi, s.lo + (a.lo + b.lo))
}

/// a + b with relative error ~2^-105 even under cancellation.
pub fn add_acc(a: DD, b: DD) -> DD {
    let s = two_sum(a.hi, b.hi);
    let t = two_sum(a.lo, b.lo);
    let u = fast_two_sum(s.hi, s.lo + t.hi);
    fast_two_sum(u.hi, u.lo + t.lo)
}

pub fn add_d(a: DD, b: f64) -> DD {
    let s = two_sum(a.hi, b);
    fast_two_sum(s.hi, s.lo + a.lo)
}

pub fn mul(a: DD, b: DD) -> DD {
    let p = two_prod(a.hi, b.hi);
    fast_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi))
}

pub fn mul_d(a: DD, b: f64) -> DD {
    let p = two_prod(a.hi, b);
    fast_two_sum(p.hi, p.lo + a.lo * b)
}

/// a / b with three quotient digits (relative error ~2^-104).
pub fn div(a: DD, b: DD) -> DD {
    let q1 = a.hi / b.hi;
    let r1 = add_acc(a, neg(mul_d(b, q1)));
    let q2 = r1.hi / b.hi;
    let r2 = add_acc(r1, neg(mul_d(b, q2)));
    let q3 = r2.hi / b.hi;
    add_d(fast_two_sum(q1, q2), q3)
}

/// sqrt(a) for a >= 0 (one Newton correction of the double square root).
pub fn sqrt(a: DD) -> DD {
    if a.hi <= 0.0 {
        return dd(a.hi.sqrt());
    }
    let s = a.hi.sqrt();
    let r = (-s).mul_add(s, a.hi) + a.lo;
    fast_two_sum(s, r / (2.0 * s))
}

/// Rounds a double-double to the nearest double.
pub fn round1(v: DD) -> f64 {
    v.hi + v.lo
}

/// The rounding of v.hi + v.lo if every value within err of it rounds the same way (then it
/// is the correctly rounded result of the exact value), else None (take the accurate path).
pub fn round_if_safe(v: DD, err: f64) -> Option<f64> {
    let up = v.hi + (v.lo + err);
    let dn = v.hi + (v.lo - err);
    (up == dn).then_some(up)
}

/// 2^k as a double, for -1022 <= k <= 1023.
pub fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// x * 2^k for any k in [-2100, 2100], rounding only once (at the final step).
pub fn ldexp_exact(x: f64, k: i32) -> f64 {
    let (mut r, mut n) = (x, k);
    while n > 1000 {
        r *= pow2(1000);
        n -= 1000;
    }
    while n < -1000 {
        r *= pow2(-1000);
        n += 1000;
    }
    r * pow2(n)
}

/// Rounds (v.hi + v.lo) * 2^k to the nearest double (ties to even), once, including when the
/// result is subnormal or overflows. Requires 2^-3 <= |v.hi| < 2^3 and |v.lo| <= |v.hi| 2^-50.
pub fn scale_round(v: DD, k: i32) -> f64 {
    if k >= -1019 {
        let r = v.hi + v.lo;
        if k > 1000 {
            return (r * pow2(k - 1000)) * pow2(1000);
        }
        return r * pow2(k);
    }
    if k < -1080 {
        return v.hi * 0.0;
    }
    // Scale by 2^(k + 1022) (exact: the result is normal) and round at the quantum 2^-52.
    let sc = pow2(k + 1022);
    let hs = v.hi * sc;
    let ls = v.lo * sc;
    if hs.abs() >= 1.0 {
        return (v.hi + v.lo) * sc * pow2(-1022);
    }
    let anchor = if hs < 0.0 { -1.0 } else { 1.0 };
    let t = two_sum(anchor, hs);
    // t.lo + ls rounded to odd, so that the final addition rounds as the exact sum would.
    let u = two_sum(t.lo, ls);
    let mut w = u.hi;
    if u.lo != 0.0 {
        let wb = w.to_bits();
        if wb & 1 == 0 {
            w = f64::from_bits(if (u.lo > 0.0) == (w > 0.0) {
                wb + 1
            } else {
                wb - 1
            });
        }
    }
    let r = t.hi + w;
    ((r - anchor) * pow2(-1022)).copysign(anchor)
}

/// `scale_round` for any normalized double-double with a normal, nonzero hi.
pub fn scale_round_any(v: DD, k: i32) -> f64 {
    let ev = split_exp(v.hi).e;
    let s = pow2(-ev);
    scale_round(
        DD {
            hi: v.hi * s,
            lo: v.lo * s,
        },
        k + ev,
    )
}

/// Exponent and significand in [1, 2) of a finite nonzero x (subnormals normalized).
#[derive(Clone, Copy)]
pub struct Split {
    pub m: f64,
    pub e: i32,
}

pub fn split_exp(x: f64) -> Split {
    let mut bits = x.to_bits();
    let mut be = ((bits >> 52) & 0x7ff) as i32;
    if be == 0 {
        bits = (x * pow2(54)).to_bits();
        be = ((bits >> 52) & 0x7ff) as i32 - 54;
    }
    let m = f64::from_bits((bits & 0x800f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    Split { m, e: be - 1023 }
}

/// expm1(r) for |r| <= 0.00271 (ln2/256), relative error ~2^-100 (degree 9).
pub fn expm1_poly(r: DD) -> DD {
    let x = r.hi;
    let a = 1.0 / 720.0 + x * (1.0 / 5040.0 + x * (1.0 / 40320.0 + x * (1.0 / 362880.0)));
    let mut acc = fast_two_sum(C_1_120.hi, x * a + C_1_120.lo);
    acc = add(C_1_24, mul(r, acc));
    acc = add(C_1_6, mul(r, acc));
    acc = add(dd(0.5), mul(r, acc));
    acc = add(dd(1.0), mul(r, acc));
    mul(r, acc)
}

/// exp(x) = 2^k * v with v in [0.7, 1.42].
#[derive(Clone, Copy)]
pub struct Scaled {
    pub v: DD,
    pub k: i32,
}

/// The accurate exp kernel, for |x.hi| <= 750 and |x.lo| <= ulp(x.hi).
pub fn exp_kernel(x: DD) -> Scaled {
    let kf = (x.hi * INV_LN2_128).round();
    let n = kf as i32;
    let j = (n & 127) as usize;
    let r1 = x.hi - kf * LN2_128_A;
    let t = two_sum(r1, -(kf * LN2_128_B));
    let p3 = two_prod(kf, LN2_128_C);
    let s = two_sum(t.hi, x.lo);
    let r = two_sum(s.hi, ((s.lo + t.lo) - p3.hi) - p3.lo);
    let p = expm1_poly(r);
    let tj = EXP_T[j];
    Scaled {
        v: add(tj, mul(tj, p)),
        k: n >> 7,
    }
}

/// The fast first attempt at exp (relative error below 2^-67.5), for |x.hi| <= 750.
pub fn exp_fast(x: DD) -> Scaled {
    let kf = (x.hi * INV_LN2_128).round();
    let n = kf as i32;
    let j = (n & 127) as usize;
    let r1 = x.hi - kf * LN2_128_A;
    let t = two_sum(r1, -(kf * LN2_128_B));
    let r = two_sum(t.hi, x.lo + (t.lo - kf * LN2_128_C));
    let rh = r.hi;
    let q = 0.5 + rh * (C_1_6.hi + rh * (1.0 / 24.0 + rh * (1.0 / 120.0 + rh * (1.0 / 720.0))));
    let rest = r.lo + (rh * rh) * q;
    let tj = EXP_T[j];
    let a = two_prod(tj.hi, rh);
    let y = fast_two_sum(tj.hi, a.hi);
    let lo = y.lo + (a.lo + (tj.hi * rest + (tj.lo + tj.lo * rh)));
    Scaled {
        v: fast_two_sum(y.hi, lo),
        k: n >> 7,
    }
}

/// exp(x) as a double-double for |x| <= 700.
pub fn exp_dd(x: f64) -> DD {
    let ek = exp_kernel(dd(x));
    let s = pow2(ek.k);
    DD {
        hi: ek.v.hi * s,
        lo: ek.v.lo * s,
    }
}

/// exp(x) as a double-double from `exp_fast` (relative error < 2^-67.5), for |x| <= 700.
pub fn exp_fast_dd(x: f64) -> DD {
    let f = exp_fast(dd(x));
    let s = pow2(f.k);
    DD {
        hi: f.v.hi * s,
        lo: f.v.lo * s,
    }
}

/// x = 2^e m with m in (sqrt(1/2), sqrt(2)], and log m as a double-double.
#[derive(Clone, Copy)]
pub struct LogParts {
    pub lm: DD,
    pub e: i32,
}

/// log of the significand of a finite x > 0, relative error ~2^-100.
pub fn log_parts(x: f64) -> LogParts {
    log_parts_with(x, false).unwrap_or(LogParts {
        lm: dd(f64::NAN),
        e: 0,
    })
}

/// As `log_parts`; with `fast`, exp is `exp_fast` (absolute error of log m below 2^-66) and
/// arguments near 1 give None.
pub fn log_parts_with(x: f64, fast: bool) -> Option<LogParts> {
    let mut sp = split_exp(x);
    if sp.m > std::f64::consts::SQRT_2 {
        sp.m *= 0.5;
        sp.e += 1;
    }
    let m = sp.m;
    let f = m - 1.0;
    // A first approximation only: the correction below makes the result exact to ~2^-100
    // whichever faithful log1p gave z0.
    let z0 = f.ln_1p();
    let delta = if z0.abs() <= 0.0027 {
        if fast {
            return None;
        }
        let p = expm1_poly(dd(-z0));
        let s = two_sum(f, p.hi);
        let fp = two_prod(f, p.hi);
        (s.hi + fp.hi) + (((s.lo + fp.lo) + p.lo) + f * p.lo)
    } else {
        let ek = if fast {
            exp_fast(dd(-z0))
        } else {
            exp_kernel(dd(-z0))
        };
        let mk = m * pow2(ek.k);
        let p = two_prod(mk, ek.v.hi);
        (p.hi - 1.0) + (p.lo + mk * ek.v.lo)
    };
    Some(LogParts {
        lm: fast_two_sum(z0, delta - 0.5 * delta * delta),
        e: sp.e,
    })
}

/// log(x) as a double-double for finite x > 0.
pub fn log_dd(x: f64) -> DD {
    log_combine(log_parts(x))
}

/// e ln2 + log m.
pub fn log_combine(lp: LogParts) -> DD {
    if lp.e == 0 {
        return lp.lm;
    }
    let lm = lp.lm;
    let ef = f64::from(lp.e);
    let a = two_sum(ef * LN2_A, lm.hi);
    let b = two_sum(a.hi, ef * LN2_B);
    fast_two_sum(b.hi, ((a.lo + b.lo) + lm.lo) + ef * LN2_C)
}

/// Quadrant (mod 4) and remainder r = x - n pi/2, |r| <= ~pi/4.
#[derive(Clone, Copy)]
pub struct Reduced {
    pub n: u8,
    pub r: DD,
}

pub fn reduce_pio2(x: f64) -> Reduced {
    let ax = x.abs();
    #[allow(clippy::approx_constant)] // the runtime's threshold, just below pi/4
    if ax <= 0.785398163397448 {
        return Reduced { n: 0, r: dd(x) };
    }
    if ax < pow2(20) {
        // Cody-Waite: the products with the 33-bit pieces are exact.
        let kf = (x * INV_PIO2).round();
        let n = kf as i64;
        let r1 = x - kf * PIO2_1;
        let t = two_sum(r1, -(kf * PIO2_2));
        let u = two_sum(t.hi, -(kf * PIO2_3));
        let lo = ((t.lo + u.lo) - kf * PIO2_4) - kf * PIO2_5;
        return Reduced {
            n: (n & 3) as u8,
            r: two_sum(u.hi, lo),
        };
    }
    payne_hanek(x)
}

/// 64 bits of 2/pi starting at bit p after the binary point (p <= 0: leading zeros).
fn two_over_pi_bits(p: i32) -> u64 {
    if p <= 0 {
        if p <= -63 {
            return 0;
        }
        return two_over_pi_bits(1) >> (1 - p);
    }
    let q = ((p - 1).div_euclid(64)) as usize;
    let s = (p - 1).rem_euclid(64) as u32;
    if s == 0 {
        return TWO_OVER_PI[q];
    }
    (TWO_OVER_PI[q] << s) | (TWO_OVER_PI[q + 1] >> (64 - s))
}

/// Payne-Hanek reduction for |x| >= 2^20: 256 bits of 2/pi times the 53-bit significand,
/// exactly, leaving the quadrant and a fraction accurate to 2^-200.
fn payne_hanek(x: f64) -> Reduced {
    let bits = x.to_bits();
    let be = ((bits >> 52) & 0x7ff) as i32;
    let big_e = be - 1075;
    let mant = (bits & 0x000f_ffff_ffff_ffff) | 0x0010_0000_0000_0000;
    let start_bit = big_e - 1;
    let w: [u64; 4] = std::array::from_fn(|i| two_over_pi_bits(start_bit + 64 * i as i32));
    let mut p = [0u64; 5];
    let mut carry: u64 = 0;
    for i in (0..4).rev() {
        let prod = u128::from(mant) * u128::from(w[i]) + u128::from(carry);
        p[3 - i] = prod as u64;
        carry = (prod >> 64) as u64;
    }
    p[4] = carry;
    let mut quadrant = (p[3] >> 62) as u8 & 3;
    let mut f = [
        (p[3] << 2) | (p[2] >> 62),
        (p[2] << 2) | (p[1] >> 62),
        (p[1] << 2) | (p[0] >> 62),
        p[0] << 2,
    ];
    let mut negative = false;
    if f[0] >> 63 != 0 {
        // Fraction >= 1/2: round the quotient up and take 1 - fraction.
        quadrant = (quadrant + 1) & 3;
        negative = true;
        let mut borrow = 1u64;
        for k in (0..4).rev() {
            let (sum, over) = (!f[k]).overflowing_add(borrow);
            f[k] = sum;
            borrow = u64::from(over);
        }
    }
    let mut lead = 0;
    while lead < 3 && f[lead] == 0 {
        lead += 1;
    }
    let a0 = f[lead];
    let a1 = if lead + 1 < 4 { f[lead + 1] } else { 0 };
    let a2 = if lead + 2 < 4 { f[lead + 2] } else { 0 };
    let lz = a0.leading_zeros();
    let mut top = (u128::from(a0) << 64) | u128::from(a1);
    if lz != 0 {
        // lz = 64 only for a zero a0 (then the runtime shifts a2 in whole).
        let low = if lz >= 64 { a2 } else { a2 >> (64 - lz) };
        top = (top << lz) | u128::from(low);
    }
    let h = (top >> 75) as f64;
    let lo = (top & ((1u128 << 75) - 1)) as f64;
    let shift = 128 + 64 * lead as i32 + lz as i32;
    let frac = fast_two_sum(h * pow2(75 - shift), lo * pow2(-shift));
    let mut r = mul(frac, PIO2);
    if negative {
        r = neg(r);
    }
    if x < 0.0 {
        return Reduced {
            n: quadrant.wrapping_neg() & 3,
            r: neg(r),
        };
    }
    Reduced { n: quadrant, r }
}

/// sin r and cos r as double-doubles for |r.hi| <= 0.79.
#[derive(Clone, Copy)]
pub struct SinCos {
    pub s: DD,
    pub c: DD,
}

/// The accurate kernel: r = j/64 + b, |b| <= 1/128, tabulated sin, cos(j/64) and series in b.
pub fn sin_cos_kernel(r: DD) -> SinCos {
    let negative = r.hi < 0.0;
    let ar = if negative { neg(r) } else { r };
    let jf = (ar.hi * 64.0).round();
    let j = jf as usize;
    let b = two_sum(ar.hi - jf * (1.0 / 64.0), ar.lo);
    let z = mul(b, b);
    let zh = z.hi;
    let q = -1.0 / 5040.0 + zh * (1.0 / 362880.0 - zh * (1.0 / 39916800.0));
    let t1 = fast_two_sum(C_1_120.hi, zh * q + C_1_120.lo);
    let sser = add(neg(C_1_6), mul(z, t1));
    let sinb = add(b, mul(mul(b, z), sser));
    let q2 = -1.0 / 720.0 + zh * (1.0 / 40320.0 - zh * (1.0 / 3628800.0));
    let t2 = fast_two_sum(C_1_24.hi, zh * q2 + C_1_24.lo);
    let cm1 = mul(z, add(dd(-0.5), mul(z, t2)));
    let (mut s, c) = if j == 0 {
        (sinb, add(dd(1.0), cm1))
    } else {
        let (sa, ca) = (SIN_T[j], COS_T[j]);
        (
            add(sa, add(mul(sa, cm1), mul(ca, sinb))),
            add(ca, add_acc(mul(ca, cm1), neg(mul(sa, sinb)))),
        )
    };
    if negative {
        s = neg(s);
    }
    SinCos { s, c }
}

/// The fast first attempt at `sin_cos_kernel`: relative error below 2^-66 for both.
pub fn sin_cos_kernel_fast(r: DD) -> SinCos {
    let negative = r.hi < 0.0;
    let ar = if negative { neg(r) } else { r };
    let jf = (ar.hi * 64.0).round();
    let j = jf as usize;
    let b = two_sum(ar.hi - jf * (1.0 / 64.0), ar.lo);
    let bh = b.hi;
    let zz = two_prod(bh, bh);
    let zh = zz.hi;
    let sser = -1.0 / 6.0 + zh * (1.0 / 120.0 + zh * (-1.0 / 5040.0 + zh * (1.0 / 362880.0)));
    let sin_lo = b.lo + bh * zh * sser;
    let cser = 1.0 / 24.0 + zh * (-1.0 / 720.0 + zh * (1.0 / 40320.0));
    let cm1 = fast_two_sum(-0.5 * zh, -0.5 * (zz.lo + 2.0 * bh * b.lo) + zh * zh * cser);
    let (mut s, c) = if j == 0 {
        (fast_two_sum(bh, sin_lo), fast_two_sum(1.0, cm1.hi + cm1.lo))
    } else {
        let (sa, ca) = (SIN_T[j], COS_T[j]);
        let p1 = two_prod(ca.hi, bh);
        let p2 = two_prod(sa.hi, cm1.hi);
        let u = fast_two_sum(sa.hi, p1.hi);
        let v = two_sum(u.hi, p2.hi);
        let s = fast_two_sum(
            v.hi,
            (u.lo + v.lo)
                + ((p1.lo + p2.lo)
                    + (sa.lo + (ca.hi * sin_lo + ca.lo * bh + sa.hi * cm1.lo + sa.lo * cm1.hi))),
        );
        let q1 = two_prod(sa.hi, bh);
        let q2 = two_prod(ca.hi, cm1.hi);
        let uc = fast_two_sum(ca.hi, -q1.hi);
        let vc = two_sum(uc.hi, q2.hi);
        let c = fast_two_sum(
            vc.hi,
            (uc.lo + vc.lo)
                + ((q2.lo - q1.lo)
                    + (ca.lo + (ca.hi * cm1.lo + ca.lo * cm1.hi - sa.hi * sin_lo - sa.lo * bh))),
        );
        (s, c)
    };
    if negative {
        s = neg(s);
    }
    SinCos { s, c }
}

/// The quadrant's sine and cosine from the kernel's.
pub fn in_quadrant(n: u8, k: SinCos) -> SinCos {
    match n & 3 {
        0 => k,
        1 => SinCos {
            s: k.c,
            c: neg(k.s),
        },
        2 => SinCos {
            s: neg(k.s),
            c: neg(k.c),
        },
        _ => SinCos {
            s: neg(k.c),
            c: k.s,
        },
    }
}

/// theta0 + atan(d) with d = (y cos theta0 - x sin theta0) / (x cos theta0 + y sin theta0).
fn angle_correct(y: DD, x: DD, th0: f64, sc: SinCos) -> DD {
    let num = add_acc(mul(y, sc.c), neg(mul(x, sc.s)));
    let den = add(mul(x, sc.c), mul(y, sc.s));
    fast_two_sum(th0, num.hi / den.hi)
}

/// The angle of (x, y) rounded to double, for finite (x, y) not both zero with
/// 2^-62 <= |y/x| <= 2^62 and magnitudes between 2^-600 and 2^600.
pub fn angle(y: DD, x: DD) -> f64 {
    // A first approximation only, corrected exactly below.
    let th0 = y.hi.atan2(x.hi);
    let red = reduce_pio2(th0);
    let f = in_quadrant(red.n, sin_cos_kernel_fast(red.r));
    let t = angle_correct(y, x, th0, f);
    let den = (x.hi * f.c.hi + y.hi * f.s.hi).abs();
    let err =
        pow2(-64) * ((y.hi * f.c.hi).abs() + (x.hi * f.s.hi).abs()) / den + t.hi.abs() * pow2(-90);
    if let Some(r) = round_if_safe(t, err) {
        return r;
    }
    round1(angle_correct(
        y,
        x,
        th0,
        in_quadrant(red.n, sin_cos_kernel(red.r)),
    ))
}
