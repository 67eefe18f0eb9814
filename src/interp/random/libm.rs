//! `exp`, `log` and `log1p` as a compiled program computes them: Zig 0.14.1 lowers `@exp` and
//! `@log` on f64 to its compiler-rt functions (programs are not linked with libc), and
//! `std.math.log1p` is Zig code; all follow musl's (fdlibm's) algorithms: argument reduction
//! by ln 2 and a rational approximation. These are not correctly rounded, so the host's
//! `exp`/`log` or `interp::math`'s may differ in the last bit; the samplers use these for the
//! same draws. Written from the algorithm's published constants, step for step in the same
//! order of operations (each one rounded as IEEE 754 defines, so the results are
//! bit-identical).

// fdlibm's coefficients are written with more digits than an f64 holds, as published.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

/// e^x (compiler-rt `exp`).
pub fn exp(x: f64) -> f64 {
    const HALF: [f64; 2] = [0.5, -0.5];
    const LN2_HI: f64 = 6.93147180369123816490e-01;
    const LN2_LO: f64 = 1.90821492927058770002e-10;
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

/// 2^k for k in the normal range.
fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// ln x (compiler-rt `log`), including its handling of subnormal arguments as written.
pub fn log(x: f64) -> f64 {
    const LN2_HI: f64 = 6.93147180369123816490e-01;
    const LN2_LO: f64 = 1.90821492927058770002e-10;
    const LG1: f64 = 6.666666666666735130e-01;
    const LG2: f64 = 3.999999999940941908e-01;
    const LG3: f64 = 2.857142874366239149e-01;
    const LG4: f64 = 2.222219843214978396e-01;
    const LG5: f64 = 1.818357216161805012e-01;
    const LG6: f64 = 1.531383769920937332e-01;
    const LG7: f64 = 1.479819860511658591e-01;

    let mut x = x;
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
        // Subnormal: the runtime scales x but reads the high word of the unscaled bits.
        k -= 54;
        x *= f64::from_bits(0x4350_0000_0000_0000); // 2^54
        hx = (ix >> 32) as u32;
    } else if hx >= 0x7FF0_0000 {
        return x;
    } else if hx == 0x3FF0_0000 && ix << 32 == 0 {
        return 0.0;
    }
    let _ = x;
    hx = hx.wrapping_add(0x3FF0_0000 - 0x3FE6_A09E);
    k += (hx >> 20) as i32 - 0x3FF;
    hx = (hx & 0x000F_FFFF) + 0x3FE6_A09E;
    let x = f64::from_bits((u64::from(hx) << 32) | (ix & 0xFFFF_FFFF));
    let f = x - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let dk = k as f64;
    s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

/// ln(1 + x) (Zig's `std.math.log1p` for f64, fdlibm's algorithm: the same reduction as `log`
/// on 1 + x with a correction term for the rounding of 1 + x).
pub fn log1p(x: f64) -> f64 {
    const LN2_HI: f64 = 6.93147180369123816490e-01;
    const LN2_LO: f64 = 1.90821492927058770002e-10;
    const LG1: f64 = 6.666666666666735130e-01;
    const LG2: f64 = 3.999999999940941908e-01;
    const LG3: f64 = 2.857142874366239149e-01;
    const LG4: f64 = 2.222219843214978396e-01;
    const LG5: f64 = 1.818357216161805012e-01;
    const LG6: f64 = 1.531383769920937332e-01;
    const LG7: f64 = 1.479819860511658591e-01;

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
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let dk = k as f64;
    s * (hfsq + r) + (dk * LN2_LO + c) - hfsq + f + dk * LN2_HI
}
