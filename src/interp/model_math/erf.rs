//! `erf` and the standard normal CDF `phi` as `runtime/ppl/special.zig` computes them: W. J.
//! Cody's rational approximations (erf on |x| <= 0.46875, the scaled complement erfcx beyond),
//! with exp(-x²) taken in two factors so that x² is not rounded; the same coefficients and
//! order of operations on the compiled program's `exp`, so the results are the runtime's bits.

// Cody's coefficients as published, with more digits than an f64 holds.
#![allow(clippy::excessive_precision)]

use crate::interp::random::libm::exp;

const CODY_A: [f64; 5] = [3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03, 1.85777706184603153e-1];
const CODY_B: [f64; 4] = [2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03];
const CODY_C: [f64; 9] = [
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
];
const CODY_D: [f64; 8] = [
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
];
const CODY_P: [f64; 6] = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
const CODY_Q: [f64; 5] = [2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
const SQRT_2: f64 = std::f64::consts::SQRT_2;
// 1/√π, written as the runtime writes it
const INV_SQRT_PI: f64 = 0.56418958354775628694807945156077259;

/// erf(x) / x for |x| <= 0.46875.
fn erf_small_ratio(x: f64) -> f64 {
    let z = x * x;
    let mut num = CODY_A[4] * z;
    let mut den = z;
    for i in 0..3 {
        num = (num + CODY_A[i]) * z;
        den = (den + CODY_B[i]) * z;
    }
    (num + CODY_A[3]) / (den + CODY_B[3])
}

/// exp(y²) erfc(y) for y >= 0.46875.
fn erfcx_positive(y: f64) -> f64 {
    if y <= 4.0 {
        let mut num = CODY_C[8] * y;
        let mut den = y;
        for i in 0..7 {
            num = (num + CODY_C[i]) * y;
            den = (den + CODY_D[i]) * y;
        }
        return (num + CODY_C[7]) / (den + CODY_D[7]);
    }
    if y >= 6.71e7 {
        return INV_SQRT_PI / y;
    }
    let z = 1.0 / (y * y);
    let mut num = CODY_P[5] * z;
    let mut den = z;
    for i in 0..4 {
        num = (num + CODY_P[i]) * z;
        den = (den + CODY_Q[i]) * z;
    }
    let r = z * (num + CODY_P[4]) / (den + CODY_Q[4]);
    (INV_SQRT_PI - r) / y
}

fn exp_neg_square(y: f64) -> f64 {
    let hi = (y * 16.0).trunc() / 16.0;
    let del = (y - hi) * (y + hi);
    exp(-hi * hi) * exp(-del)
}

pub fn erf(x: f64) -> f64 {
    let y = x.abs();
    if y <= 0.46875 {
        return x * erf_small_ratio(x);
    }
    if x.is_nan() {
        return f64::NAN;
    }
    let r = if y >= 26.6 { 1.0 } else { 1.0 - exp_neg_square(y) * erfcx_positive(y) };
    if x < 0.0 { -r } else { r }
}

fn erfc(x: f64) -> f64 {
    let y = x.abs();
    if y <= 0.46875 {
        return 1.0 - x * erf_small_ratio(x);
    }
    if x.is_nan() {
        return f64::NAN;
    }
    let r = if y >= 26.6 { 0.0 } else { exp_neg_square(y) * erfcx_positive(y) };
    if x < 0.0 { 2.0 - r } else { r }
}

fn erfcx(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x >= 0.46875 {
        return erfcx_positive(x);
    }
    if x > -0.46875 {
        return exp(x * x) * (1.0 - x * erf_small_ratio(x));
    }
    if x < -26.6 {
        return f64::INFINITY;
    }
    let y = -x;
    let hi = (y * 16.0).trunc() / 16.0;
    let e2 = exp(hi * hi) * exp((y - hi) * (y + hi));
    2.0 * e2 - erfcx_positive(y)
}

fn exp_neg_half_square(x: f64) -> f64 {
    let y = x.abs();
    let hi = (y * 16.0).trunc() / 16.0;
    exp(-0.5 * hi * hi) * exp(-0.5 * (y - hi) * (y + hi))
}

/// The standard normal CDF, erfc(-x / √2) / 2 (through erfcx deep in the lower tail).
pub fn phi(x: f64) -> f64 {
    if x < -1.0 {
        if x < -38.5 {
            return 0.0;
        }
        return 0.5 * exp_neg_half_square(x) * erfcx(-x / SQRT_2);
    }
    0.5 * erfc(-x / SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values of `special.zig`'s mpmath tests, to its tolerance, and Φ(±1).
    #[test]
    fn erf_and_phi_agree_with_the_runtime_tests() {
        let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * b.abs();
        assert!(close(erf(0.5), 0.5204998778130465, 3e-16));
        assert!(close(erf(-3.0), -0.9999779095030014, 3e-16));
        assert!(close(erf(1e-20), 1.1283791670955125e-20, 3e-16));
        assert_eq!(erf(6.0), 1.0);
        assert_eq!(phi(0.0), 0.5);
        // Φ(1) and Φ(-1), the one-sigma probabilities
        assert!(close(phi(1.0), 0.8413447460685429, 3e-16));
        assert!(close(phi(-1.0), 0.15865525393145707, 3e-16));
        assert!(phi(-38.0) > 0.0);
        assert_eq!(phi(-39.0), 0.0);
    }
}
