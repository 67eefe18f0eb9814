//! `exp`, `log`, `tan`, `cos`, `log1p`, `expm1`, `acos`, `pow` and `lgamma` as a compiled program
//! computes them: Zig 0.14.1 lowers `@exp`, `@log`, `@tan` and `@cos` on f64 to its
//! compiler-rt functions (programs are not linked with libc), and `std.math.log1p`, `expm1`, `acos`,
//! `pow` and `lgamma` are Zig code. Most follow musl's (fdlibm's) algorithms: argument
//! reduction (by ln 2, by π/2 for `tan` and `cos`) and a polynomial or rational approximation;
//! `pow` multiplies exp(fraction × log x) by the integer power; `lgamma` is a factorial table
//! and Lanczos's approximation. None is correctly rounded, so the host's functions or
//! `interp::math`'s may differ in the last bit; the samplers use these for the same draws.
//! Written from the algorithms and their published constants, step for step in the same order
//! of operations (each one rounded as IEEE 754 defines, so the results are bit-identical).

// fdlibm's coefficients are written with more digits than an f64 holds, as published.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

/// e^x (compiler-rt `exp`).
pub fn exp(x: f64) -> f64 {
    const HALF: [f64; 2] = [0.5, -0.5];
    const INV_LN2: f64 = 1.44269504088896338700e+00;
    const P1: f64 = 1.66666666666666019037e-01;
    const P2: f64 = -2.77777777770155933842e-03;
    const P3: f64 = 6.61375632143793436117e-05;
    const P4: f64 = -1.65339022054652515390e-06;
    const P5: f64 = 4.13813679705723846039e-08;

    if x.is_nan() {
        return x;
    }
    let bits = x.to_bits();
    let sign = (bits >> 63) as usize;
    let hx = ((bits >> 32) as u32) & 0x7FFF_FFFF;
    if hx >= 0x4086_232B {
        if x > 709.782712893383973096 {
            return f64::INFINITY;
        }
        if x < -745.13321910194110842 {
            return 0.0;
        }
    }
    let (k, hi, lo, r) = if hx > 0x3FD6_2E42 {
        let k: i32 = if hx > 0x3FF0_A2B2 { (INV_LN2 * x + HALF[sign]) as i32 } else { 1 - 2 * sign as i32 };
        let dk = k as f64;
        let hi = x - dk * LN2_HI;
        let lo = dk * LN2_LO;
        (k, hi, lo, hi - lo)
    } else if hx > 0x3E30_0000 {
        (0, x, 0.0, x)
    } else {
        return 1.0 + x;
    };
    let xx = r * r;
    let c = r - xx * (P1 + xx * (P2 + xx * (P3 + xx * (P4 + xx * P5))));
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    if k == 0 { y } else { scalbn(y, k) }
}

/// y × 2^k rounded once (Zig's `math.scalbn` for the range `exp` needs, k in [-1075, 1024]).
fn scalbn(y: f64, k: i32) -> f64 {
    if k > 1000 {
        return y * pow2(k - 1000) * pow2(1000);
    }
    if k < -1000 {
        // Keep the first product normal so that only the last multiplication rounds.
        return y * pow2(k + 1000) * pow2(-1000);
    }
    y * pow2(k)
}

const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;

/// fdlibm's log kernel on f = m - 1 (m the reduced mantissa): (f²/2, f/(2+f), the polynomial
/// remainder), shared by `log` and `log1p`, which add the exponent's ln 2 terms.
fn log_kernel(f: f64) -> (f64, f64, f64) {
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    (hfsq, s, t2 + t1)
}

/// 2^k for k in the normal range.
fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// ln x (compiler-rt `log`), including its handling of subnormal arguments as written.
pub fn log(x: f64) -> f64 {
    let ix = x.to_bits();
    let mut hx = (ix >> 32) as u32;
    let mut k: i32 = 0;
    if hx < 0x0010_0000 || hx >> 31 != 0 {
        if ix << 1 == 0 {
            return f64::NEG_INFINITY;
        }
        if hx >> 31 != 0 {
            return f64::NAN;
        }
        // Subnormal: the runtime scales x by 2^54 but then reads the high word of the
        // unscaled bits, so only the exponent correction takes effect.
        k -= 54;
    } else if hx >= 0x7FF0_0000 {
        return x;
    } else if hx == 0x3FF0_0000 && ix << 32 == 0 {
        return 0.0;
    }
    hx = hx.wrapping_add(0x3FF0_0000 - 0x3FE6_A09E);
    k += (hx >> 20) as i32 - 0x3FF;
    hx = (hx & 0x000F_FFFF) + 0x3FE6_A09E;
    let x = f64::from_bits((u64::from(hx) << 32) | (ix & 0xFFFF_FFFF));
    let f = x - 1.0;
    let (hfsq, s, r) = log_kernel(f);
    let dk = k as f64;
    s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

/// ln(1 + x) (Zig's `std.math.log1p` for f64, fdlibm's algorithm: the same reduction as `log`
/// on 1 + x with a correction term for the rounding of 1 + x).
pub fn log1p(x: f64) -> f64 {
    let hx = (x.to_bits() >> 32) as u32;
    let mut k: i32 = 1;
    let (mut c, mut f) = (0.0f64, 0.0f64);
    if hx < 0x3FDA_827A || hx >> 31 != 0 {
        if hx >= 0xBFF0_0000 {
            return if x == -1.0 { f64::NEG_INFINITY } else { f64::NAN };
        }
        if (hx << 1) < (0x3CA0_0000u32 << 1) {
            return x;
        }
        if hx <= 0xBFD2_BEC4 {
            k = 0;
            c = 0.0;
            f = x;
        }
    } else if hx >= 0x7FF0_0000 {
        return x;
    }
    if k != 0 {
        let uf = 1.0 + x;
        let hu = uf.to_bits();
        let mut iu = ((hu >> 32) as u32).wrapping_add(0x3FF0_0000 - 0x3FE6_A09E);
        k = (iu >> 20) as i32 - 0x3FF;
        c = if k < 54 { (if k >= 2 { 1.0 - (uf - x) } else { x - (uf - 1.0) }) / uf } else { 0.0 };
        iu = (iu & 0x000F_FFFF) + 0x3FE6_A09E;
        f = f64::from_bits((u64::from(iu) << 32) | (hu & 0xFFFF_FFFF)) - 1.0;
    }
    let (hfsq, s, r) = log_kernel(f);
    let dk = k as f64;
    s * (hfsq + r) + (dk * LN2_LO + c) - hfsq + f + dk * LN2_HI
}

/// e^x - 1 (Zig's `std.math.expm1` for f64, musl's (fdlibm's) algorithm: a reduction by
/// ln 2 in two parts and a rational approximation on the reduced argument, with the rounding
/// error of the reduction carried as a correction).
pub fn expm1(x: f64) -> f64 {
    const O_THRESHOLD: f64 = 7.09782712893383973096e+02;
    const LN2_HI: f64 = 6.93147180369123816490e-01;
    const LN2_LO: f64 = 1.90821492927058770002e-10;
    const INV_LN2: f64 = 1.44269504088896338700e+00;
    const Q: [f64; 5] = [-3.33333333333331316428e-02, 1.58730158725481460165e-03, -7.93650757867487942473e-05, 4.00821782732936239552e-06, -2.01099218183624371326e-07];
    if x.is_nan() {
        return f64::NAN;
    }
    if x == f64::NEG_INFINITY {
        return -1.0;
    }
    let ux = x.to_bits();
    let hx = ((ux >> 32) as u32) & 0x7FFF_FFFF;
    let negative = ux >> 63 != 0;
    if hx >= 0x4043_687A {
        if hx > 0x7FF0_0000 {
            return x;
        }
        if negative {
            return -1.0;
        }
        if x > O_THRESHOLD {
            return f64::INFINITY;
        }
    }
    let (r, c, k): (f64, f64, i32);
    if hx > 0x3FD6_2E42 {
        let (hi, lo);
        if hx < 0x3FF0_A2B2 {
            (hi, lo, k) = if negative { (x + LN2_HI, -LN2_LO, -1) } else { (x - LN2_HI, LN2_LO, 1) };
        } else {
            let kf = INV_LN2 * x + if negative { -0.5 } else { 0.5 };
            k = kf as i32;
            let t = f64::from(k);
            hi = x - t * LN2_HI;
            lo = t * LN2_LO;
        }
        r = hi - lo;
        c = (hi - r) - lo;
    } else if hx < 0x3C90_0000 {
        return x;
    } else {
        (r, c, k) = (x, 0.0, 0);
    }
    let hfx = 0.5 * r;
    let hxs = r * hfx;
    let r1 = 1.0 + hxs * (Q[0] + hxs * (Q[1] + hxs * (Q[2] + hxs * (Q[3] + hxs * Q[4]))));
    let t = 3.0 - r1 * hfx;
    let mut e = hxs * ((r1 - t) / (6.0 - r * t));
    if k == 0 {
        return r - (r * e - hxs);
    }
    e = r * (e - c) - c;
    e -= hxs;
    if k == -1 {
        return 0.5 * (r - e) - 0.5;
    }
    if k == 1 {
        return if r < -0.25 { -2.0 * (e - (r + 0.5)) } else { 1.0 + 2.0 * (r - e) };
    }
    let twopk = f64::from_bits(((0x3FF + k) as u64) << 52);
    if !(0..=56).contains(&k) {
        let y = r - e + 1.0;
        let y = if k == 1024 { y * 2.0 * f64::from_bits(0x7FE0_0000_0000_0000) } else { y * twopk };
        return y - 1.0;
    }
    let uf = f64::from_bits(((0x3FF - k) as u64) << 52);
    if k < 20 { (r - e + (1.0 - uf)) * twopk } else { (r - (e + uf) + 1.0) * twopk }
}

/// tan x for |x| <= 3π/4 (compiler-rt `tan`: fdlibm's kernel after a reduction by π/2), the
/// range the Cauchy samplers call it on (π (u - 1/2) with u in (0, 1)); NaN outside it, which
/// those samplers never produce.
pub fn tan_within_3pi_4(x: f64) -> f64 {
    let ix = ((x.to_bits() >> 32) as u32) & 0x7fff_ffff;
    if ix <= 0x3fe9_21fb {
        if ix < 0x3e40_0000 {
            return x;
        }
        return tan_kernel(x, 0.0, false);
    }
    if ix > 0x4002_d97c {
        return f64::NAN;
    }
    let (n, y0, y1) = rem_pio2_within_5pi_4(x, ix);
    tan_kernel(y0, y1, n & 1 != 0)
}

const PIO4: f64 = f64::from_bits(0x3FE9_21FB_5444_2D18);
const PIO2_1: f64 = 1.57079632673412561417e+00;
const PIO2_1T: f64 = 6.07710050650619224932e-11;

/// `rem_pio2` for π/4 < |x| <= 5π/4: n and x - n π/2 as a double-double.
fn rem_pio2_within_5pi_4(x: f64, ix: u32) -> (i32, f64, f64) {
    if ix & 0xfffff == 0x921fb {
        return rem_pio2_medium(x, ix);
    }
    let n: i32 = if ix <= 0x4002_d97c { 1 } else { 2 };
    let (hi, lo) = (f64::from(n) * PIO2_1, f64::from(n) * PIO2_1T);
    if x >= 0.0 {
        let z = x - hi;
        let y0 = z - lo;
        (n, y0, (z - y0) - lo)
    } else {
        let z = x + hi;
        let y0 = z + lo;
        (-n, y0, (z - y0) + lo)
    }
}

/// cos x for |x| <= 5π/4 (compiler-rt `cos`), the range the von Mises sampler calls it on
/// (π u with u in [0, 1)); NaN outside it.
pub fn cos_within_5pi_4(x: f64) -> f64 {
    let ix = ((x.to_bits() >> 32) as u32) & 0x7fff_ffff;
    if ix <= 0x3fe9_21fb {
        if ix < 0x3e46_a09e {
            return 1.0;
        }
        return cos_kernel(x, 0.0);
    }
    if ix > 0x400f_6a7a {
        return f64::NAN;
    }
    let (n, y0, y1) = rem_pio2_within_5pi_4(x, ix);
    match n & 3 {
        0 => cos_kernel(y0, y1),
        1 => -sin_kernel(y0, y1),
        2 => -cos_kernel(y0, y1),
        _ => sin_kernel(y0, y1),
    }
}

/// fdlibm's `__cos(x, y)` for |x + y| <~ π/4.
fn cos_kernel(x: f64, y: f64) -> f64 {
    const C1: f64 = 4.16666666666666019037e-02;
    const C2: f64 = -1.38888888888741095749e-03;
    const C3: f64 = 2.48015872894767294178e-05;
    const C4: f64 = -2.75573143513906633035e-07;
    const C5: f64 = 2.08757232129817482790e-09;
    const C6: f64 = -1.13596475577881948265e-11;
    let z = x * x;
    let zs = z * z;
    let r = z * (C1 + z * (C2 + z * C3)) + zs * zs * (C4 + z * (C5 + z * C6));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + (z * r - x * y))
}

/// fdlibm's `__sin(x, y, 1)` for |x + y| <~ π/4 (with the tail y).
fn sin_kernel(x: f64, y: f64) -> f64 {
    const S1: f64 = -1.66666666666666324348e-01;
    const S2: f64 = 8.33333333332248946124e-03;
    const S3: f64 = -1.98412698298579493134e-04;
    const S4: f64 = 2.75573137070700676789e-06;
    const S5: f64 = -2.50507602534068634195e-08;
    const S6: f64 = 1.58969099521155010221e-10;
    let z = x * x;
    let w = z * z;
    let r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    let v = z * x;
    x - ((z * (0.5 * y - v * r) - y) - v * S1)
}

/// arccos x (Zig's `std.math.acos` for f64, fdlibm's rational approximation).
pub fn acos(x: f64) -> f64 {
    const PIO2_HI: f64 = 1.57079632679489655800e+00;
    const PIO2_LO: f64 = 6.12323399573676603587e-17;
    let ux = x.to_bits();
    let hx = (ux >> 32) as u32;
    let ix = hx & 0x7FFF_FFFF;
    if ix >= 0x3FF0_0000 {
        let lx = (ux & 0xFFFF_FFFF) as u32;
        if ((ix - 0x3FF0_0000) | lx) == 0 {
            return if hx >> 31 != 0 { 2.0 * PIO2_HI + f64::from_bits(0x3870_0000_0000_0000) } else { 0.0 };
        }
        return f64::NAN;
    }
    if ix < 0x3FE0_0000 {
        if ix <= 0x3C60_0000 {
            return PIO2_HI + f64::from_bits(0x3870_0000_0000_0000);
        }
        return PIO2_HI - (x - (PIO2_LO - x * acos_r(x * x)));
    }
    if hx >> 31 != 0 {
        let z = (1.0 + x) * 0.5;
        let s = z.sqrt();
        let w = acos_r(z) * s - PIO2_LO;
        return 2.0 * (PIO2_HI - (s + w));
    }
    let z = (1.0 - x) * 0.5;
    let s = z.sqrt();
    let df = f64::from_bits(s.to_bits() & 0xFFFF_FFFF_0000_0000);
    let c = (z - df * df) / (s + df);
    let w = acos_r(z) * s + c;
    2.0 * (df + w)
}

/// The rational approximation inside `acos`.
fn acos_r(z: f64) -> f64 {
    const PS0: f64 = 1.66666666666666657415e-01;
    const PS1: f64 = -3.25565818622400915405e-01;
    const PS2: f64 = 2.01212532134862925881e-01;
    const PS3: f64 = -4.00555345006794114027e-02;
    const PS4: f64 = 7.91534994289814532176e-04;
    const PS5: f64 = 3.47933107596021167570e-05;
    const QS1: f64 = -2.40339491173441421878e+00;
    const QS2: f64 = 2.02094576023350569471e+00;
    const QS3: f64 = -6.88283971605453293030e-01;
    const QS4: f64 = 7.70381505559019352791e-02;
    let p = z * (PS0 + z * (PS1 + z * (PS2 + z * (PS3 + z * (PS4 + z * PS5)))));
    let q = 1.0 + z * (QS1 + z * (QS2 + z * (QS3 + z * QS4)));
    p / q
}

/// `rem_pio2`'s medium case (|x| near a multiple of π/2): up to three rounds of reduction.
fn rem_pio2_medium(x: f64, ix: u32) -> (i32, f64, f64) {
    const TOINT: f64 = 1.5 / f64::EPSILON;
    const INV_PIO2: f64 = 6.36619772367581382433e-01;
    const PIO2_2: f64 = 6.07710050630396597660e-11;
    const PIO2_2T: f64 = 2.02226624879595063154e-21;
    const PIO2_3: f64 = 2.02226624871116645580e-21;
    const PIO2_3T: f64 = 8.47842766036889956997e-32;

    let mut fnum = x * INV_PIO2 + TOINT - TOINT;
    let mut n = fnum as i32;
    let mut r = x - fnum * PIO2_1;
    let mut w = fnum * PIO2_1T;
    if r - w < -PIO4 {
        n -= 1;
        fnum -= 1.0;
        r = x - fnum * PIO2_1;
        w = fnum * PIO2_1T;
    } else if r - w > PIO4 {
        n += 1;
        fnum += 1.0;
        r = x - fnum * PIO2_1;
        w = fnum * PIO2_1T;
    }
    let mut y0 = r - w;
    let ex = (ix >> 20) as i32;
    let mut ey = ((y0.to_bits() >> 52) & 0x7ff) as i32;
    if ex - ey > 16 {
        let t = r;
        w = fnum * PIO2_2;
        r = t - w;
        w = fnum * PIO2_2T - ((t - r) - w);
        y0 = r - w;
        ey = ((y0.to_bits() >> 52) & 0x7ff) as i32;
        if ex - ey > 49 {
            let t = r;
            w = fnum * PIO2_3;
            r = t - w;
            w = fnum * PIO2_3T - ((t - r) - w);
            y0 = r - w;
        }
    }
    (n, y0, (r - y0) - w)
}

/// fdlibm's `__tan(x, y, odd)`: tan(x + y) (or -1/tan(x + y) when `odd`) for |x + y| <~ π/4.
fn tan_kernel(x: f64, y: f64, odd: bool) -> f64 {
    const T: [f64; 13] = [
        3.33333333333334091986e-01,
        1.33333333333201242699e-01,
        5.39682539762260521377e-02,
        2.18694882948595424599e-02,
        8.86323982359930005737e-03,
        3.59207910759131235356e-03,
        1.45620945432529025516e-03,
        5.88041240820264096874e-04,
        2.46463134818469906812e-04,
        7.81794442939557092300e-05,
        7.14072491382608190305e-05,
        -1.85586374855275456654e-05,
        2.59073051863633712884e-05,
    ];
    const PIO4LO: f64 = 3.06161699786838301793e-17;
    let (mut x, mut y) = (x, y);
    let hx = (x.to_bits() >> 32) as u32;
    let big = (hx & 0x7fff_ffff) >= 0x3FE5_9428;
    let sign = hx >> 31 != 0;
    if big {
        if sign {
            x = -x;
            y = -y;
        }
        x = (PIO4 - x) + (PIO4LO - y);
        y = 0.0;
    }
    let z = x * x;
    let w = z * z;
    let r = T[1] + w * (T[3] + w * (T[5] + w * (T[7] + w * (T[9] + w * T[11]))));
    let v = z * (T[2] + w * (T[4] + w * (T[6] + w * (T[8] + w * (T[10] + w * T[12])))));
    let s = z * x;
    let r = y + z * (s * (r + v) + y) + s * T[0];
    let w = x + r;
    if big {
        let s = if odd { -1.0 } else { 1.0 };
        let v = s - 2.0 * (x + (r - w * w / (w + s)));
        return if sign { -v } else { v };
    }
    if !odd {
        return w;
    }
    let w0 = f64::from_bits(w.to_bits() & 0xffff_ffff_0000_0000);
    let v = r - (w0 - x);
    let a = -1.0 / w;
    let a0 = f64::from_bits(a.to_bits() & 0xffff_ffff_0000_0000);
    a0 + a * (1.0 + a0 * w0 + a0 * v)
}

/// x^y for x > 0 (Zig's `std.math.pow` for f64 on the arguments the Weibull sampler gives it:
/// exp(fractional part × log x) times the integer power by repeated squaring of the
/// significand, the exponent kept apart, then one scaling).
pub fn pow_positive_base(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if x.is_nan() || y.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if y == 1.0 {
        return x;
    }
    if y.is_infinite() {
        return if (x < 1.0) == (y > 0.0) { 0.0 } else { f64::INFINITY };
    }
    if x.is_infinite() {
        return if y < 0.0 { 0.0 } else { f64::INFINITY };
    }
    if y == 0.5 {
        return x.sqrt();
    }
    if y == -0.5 {
        return 1.0 / x.sqrt();
    }
    let mut yi = y.abs().trunc();
    let mut yf = y.abs() - yi;
    if yi >= 9_223_372_036_854_775_808.0 {
        return exp(y * log(x));
    }
    let mut a1 = 1.0;
    let mut ae: i32 = 0;
    if yf != 0.0 {
        if yf > 0.5 {
            yf -= 1.0;
            yi += 1.0;
        }
        a1 = exp(yf * log(x));
    }
    let (mut x1, mut xe) = frexp(x);
    let mut i = yi as i64;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    ldexp(a1, ae)
}

/// x = m × 2^e with m in [0.5, 1), for finite non-zero x.
fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i32;
    if e == 0 {
        let (m, e) = frexp(x * pow2(54));
        return (m, e - 54);
    }
    (f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52)), e - 1022)
}

/// y × 2^k rounded once, for any k (overflow to infinity, underflow to zero).
fn ldexp(y: f64, k: i32) -> f64 {
    if y == 0.0 || !y.is_finite() {
        return y;
    }
    let (m, e) = frexp(y);
    let target = e.saturating_add(k);
    if target > 1024 {
        return f64::INFINITY.copysign(y);
    }
    if target >= -1021 {
        // m × 2^target is normal: exact.
        return m * pow2(target - 1) * 2.0;
    }
    if target < -1080 {
        return 0.0f64.copysign(y);
    }
    // Subnormal: one rounding, in the last multiplication.
    (m * pow2(target + 100)) * pow2(-100)
}

/// ln Γ(x) for an integer x >= 1, as the runtime's `special.lgamma` computes it (its Taylor
/// series at 1 and 2 gives -0 and +0 there; Zig's `std.math.lgamma` otherwise: the log of a
/// factorial below 23, of the Lanczos Γ below 128, the Lanczos log form above). The rejection
/// samplers of Poisson and binomial call it on integers only.
pub fn lgamma_at_integer(x: f64) -> f64 {
    const FACTORIALS: [f64; 23] = [
        f64::INFINITY, 1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0, 40320.0, 362880.0, 3628800.0,
        39916800.0, 479001600.0, 6227020800.0, 87178291200.0, 1307674368000.0, 20922789888000.0,
        355687428096000.0, 6402373705728000.0, 121645100408832000.0, 2432902008176640000.0,
        51090942171709440000.0,
    ];
    debug_assert!(x >= 1.0 && x == x.trunc());
    if x == 1.0 {
        return -0.0;
    }
    if x == 2.0 {
        return -0.0 + log1p(0.0);
    }
    if x < FACTORIALS.len() as f64 {
        return log(FACTORIALS[x as usize]);
    }
    if x.is_infinite() {
        return x;
    }
    if x < 128.0 {
        return log(lanczos_gamma(x).abs());
    }
    let log_base = log(x + LANCZOS_MINUS_HALF) - 1.0;
    let exponent = x - 0.5;
    let log_series = log(lanczos_series(x));
    exponent * log_base + log_series - LANCZOS
}

/// Zig's `std.math.lgamma` for f64 except at negative non-integers (`None` there: their
/// reflection calls `sinpi`, which is not ported): +inf at the non-positive integers, the
/// positive integers as [`lgamma_at_integer`] (so -0 and +0 at 1 and 2, the runtime's series
/// values), -log|x| for |x| < 2^-54, the log of the Lanczos Γ below 128, the Lanczos log form
/// above.
pub fn lgamma_except_negative(x: f64) -> Option<f64> {
    if x == x.trunc() {
        return Some(if x <= 0.0 { f64::INFINITY } else { lgamma_at_integer(x) });
    }
    let abs = x.abs();
    if abs < f64::from_bits(0x3C90_0000_0000_0000) {
        return Some(-log(abs));
    }
    if x < 0.0 {
        return None;
    }
    if abs < 128.0 {
        return Some(log(lanczos_gamma(abs).abs()));
    }
    let log_base = log(abs + LANCZOS_MINUS_HALF) - 1.0;
    let exponent = abs - 0.5;
    let log_series = log(lanczos_series(abs));
    Some(exponent * log_base + log_series - LANCZOS)
}

const LANCZOS: f64 = 6.024680040776729583740234375;
const LANCZOS_MINUS_HALF: f64 = LANCZOS - 0.5;

/// Zig's `std.math.gamma` for 23 <= x <= 172 (the Lanczos approximation with its error
/// correction; smaller integers come from the factorial table).
fn lanczos_gamma(x: f64) -> f64 {
    if x > 172.0 {
        return f64::INFINITY;
    }
    let base = x + LANCZOS_MINUS_HALF;
    let exponent = x - 0.5;
    let e = if x > LANCZOS_MINUS_HALF { base - x - LANCZOS_MINUS_HALF } else { base - LANCZOS_MINUS_HALF - x };
    let correction = LANCZOS * e / base;
    let initial = lanczos_series(x) * exp(-base);
    let corrected = initial + initial * correction;
    let half_pow = pow_positive_base(base, 0.5 * exponent);
    corrected * half_pow * half_pow
}

/// The rational function of Zig's Lanczos approximation (Horner from either end).
fn lanczos_series(x: f64) -> f64 {
    const NUMERATOR: [f64; 13] = [
        23531376880.410759688572007674451636754734846804940,
        42919803642.649098768957899047001988850926355848959,
        35711959237.355668049440185451547166705960488635843,
        17921034426.037209699919755754458931112671403265390,
        6039542586.3520280050642916443072979210699388420708,
        1439720407.3117216736632230727949123939715485786772,
        248874557.86205415651146038641322942321632125127801,
        31426415.585400194380614231628318205362874684987640,
        2876370.6289353724412254090516208496135991145378768,
        186056.26539522349504029498971604569928220784236328,
        8071.6720023658162106380029022722506138218516325024,
        210.82427775157934587250973392071336271166969580291,
        2.5066282746310002701649081771338373386264310793408,
    ];
    const DENOMINATOR: [f64; 13] =
        [0.0, 39916800.0, 120543840.0, 150917976.0, 105258076.0, 45995730.0, 13339535.0, 2637558.0, 357423.0, 32670.0, 1925.0, 66.0, 1.0];
    let (mut num, mut den) = (0.0f64, 0.0f64);
    if x < 8.0 {
        for i in (0..NUMERATOR.len()).rev() {
            num = num * x + NUMERATOR[i];
            den = den * x + DENOMINATOR[i];
        }
    } else {
        for i in 0..NUMERATOR.len() {
            num = num / x + NUMERATOR[i];
            den = den / x + DENOMINATOR[i];
        }
    }
    num / den
}

#[cfg(test)]
mod tests {
    /// `@tan` of a Zig 0.14.1 build (argument bits, result bits): near ±π/2 (the medium
    /// reduction, with its second and third rounds), beyond π/4 and below it.
    #[test]
    fn tan_is_bit_for_bit_zigs() {
        let cases: [(u64, u64); 10] = [
            (0x3ff921fb4d12d84a, 0x4181cbbadd13289e),
            (0xbff921fb52713c02, 0xc1a18b3fef85c265),
            (0x3ff921fb54442d18, 0x434d02967c31cdb5),
            (0xbff921fb54442d18, 0xc34d02967c31cdb5),
            (0x3ff921fb54442d17, 0x4329153d9443ed0b),
            (0x3ff921fb323ae5af, 0x415e15e8301b56b6),
            (0x3feccccccccccccd, 0x3ff4299ba9c2a138),
            (0xc00199999999999a, 0x3ff5fb2de2b500ec),
            (0x3e112e0be826d695, 0x3e112e0be826d695),
            (0x3fe0000000000000, 0x3fe17b4f5bf3474a),
        ];
        for (x, want) in cases {
            let got = super::tan_within_3pi_4(f64::from_bits(x));
            assert_eq!(got.to_bits(), want, "tan({})", f64::from_bits(x));
        }
    }

    /// `@cos` and `std.math.acos` of a Zig 0.14.1 build (argument bits, result bits): near π/2
    /// and π (the medium reduction), each quadrant up to 5π/4, every branch of `acos`.
    #[test]
    fn cos_and_acos_are_bit_for_bit_zigs() {
        let cos: [(u64, u64); 8] = [
            (0x3ff921fb4d12d84a, 0x3e5cc553391a6262),
            (0x3ff921fb54442d18, 0x3c91a62633145c07),
            (0x400921fb54442d18, 0xbff0000000000000),
            (0x400921fb4d12d84a, 0xbfeffffffffffff3),
            (0x400f333333333333, 0xbfe73ad66234c8ea),
            (0xc004000000000000, 0xbfe9a2f7ef858b7d),
            (0x3fd3333333333333, 0x3fee921dd42f09ba),
            (0x400199999999999a, 0xbfe2d5004b88ad70),
        ];
        for (x, want) in cos {
            assert_eq!(super::cos_within_5pi_4(f64::from_bits(x)).to_bits(), want, "cos({})", f64::from_bits(x));
        }
        let acos: [(u64, u64); 8] = [
            (0xbff0000000000000, 0x400921fb54442d18),
            (0xbfe6666666666666, 0x4002c501446cd5f2),
            (0xbfc999999999999a, 0x3ffc5abe698d8960),
            (0x3bc79ca10c924223, 0x3ff921fb54442d18),
            (0x3fdccccccccccccd, 0x3ff1aa1c65a25825),
            (0x3fe999999999999a, 0x3fe4978fa3269ee0),
            (0x3feffffde7210be9, 0x3f572ba46065af16),
            (0x3ff0000000000000, 0x0000000000000000),
        ];
        for (x, want) in acos {
            assert_eq!(super::acos(f64::from_bits(x)).to_bits(), want, "acos({})", f64::from_bits(x));
        }
    }
}
