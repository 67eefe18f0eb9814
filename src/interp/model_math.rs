//! The model helpers outside models, as `runtime/builtins.zig` computes them on plain `f64`
//! (`ad.F64`, `runtime/ppl/special.zig`): `inv_logit`, `logit`, `log1p`, `expm1`,
//! `log1p_exp`, `log_sum_exp`, `log_sum_exp_array`, `log_mix`, and `erf` and `phi` (`erf`), in
//! the runtime's order of operations on the compiled program's own `exp`, `log`, `log1p` and
//! `expm1` (`random::libm`), so every result is the runtime's bit for bit; and `lgamma` (the
//! runtime's series near 1 and 2, Zig's Lanczos `lgamma` elsewhere), except at negative
//! non-integers, whose reflection (`sinpi`) is not ported: such a call is refused when made.

// the series coefficients are written with the runtime's digits, more than an f64 holds
#![allow(clippy::excessive_precision)]

mod erf;

use super::random::libm::{exp, expm1, lgamma_except_negative, log, log1p};
use super::value::Value;

/// Runs helper `name`; `None` when `name` is not one of those ported. `Some(None)`: `lgamma` of
/// a negative non-integer, which is not ported.
pub fn call(name: &str, args: &[Value]) -> Option<Option<Value>> {
    let x = |i: usize| match args.get(i) {
        Some(Value::Float(x)) => *x,
        _ => f64::NAN,
    };
    let v = match name {
        "inv_logit" => inv_logit(x(0)),
        "logit" => log(x(0)) - log1p(-x(0)),
        "log1p" => log1p(x(0)),
        "expm1" => expm1(x(0)),
        "erf" => erf::erf(x(0)),
        "phi" => erf::phi(x(0)),
        "log1p_exp" => log1p_exp(x(0)),
        "log_sum_exp" => log_sum_exp(x(0), x(1)),
        "log_sum_exp_array" => match args.first() {
            Some(Value::List(items)) => log_sum_exp_slice(
                &items
                    .iter()
                    .map(|v| {
                        if let Value::Float(f) = v {
                            *f
                        } else {
                            f64::NAN
                        }
                    })
                    .collect::<Vec<_>>(),
            ),
            _ => return None,
        },
        "log_mix" => log_mix(x(0), x(1), x(2)),
        "lgamma" => return Some(lgamma(x(0)).map(Value::Float)),
        _ => return None,
    };
    Some(Some(Value::Float(v)))
}

/// Coefficients (-1)^k ζ(k)/k, k = 2..26, of the Taylor series of lgamma(1 + z) + γz (as
/// `special.zig` writes them).
const LGAMMA1P_COEF: [f64; 25] = [
    0.82246703342411321824,
    -0.40068563438653142847,
    0.27058080842778454788,
    -0.20738555102867398527,
    0.16955717699740818995,
    -0.14404989676884611812,
    0.12550966952474304242,
    -0.11133426586956469049,
    0.10009945751278180853,
    -0.090954017145829042233,
    0.083353840546109004025,
    -0.076932516411352191473,
    0.071432946295361336059,
    -0.066668705882420468033,
    0.062500955141213040742,
    -0.058823978658684582339,
    0.055555767627403611102,
    -0.052631679379616660734,
    0.05000004769810169364,
    -0.047619070330142227991,
    0.045454556293204669442,
    -0.043478266053040259361,
    0.041666669150341210469,
    -0.040000001192140140586,
    0.038461539034675185706,
];
const EULER_GAMMA: f64 = 0.57721566490153286060651209008240243;

fn lgamma1p_small(z: f64) -> f64 {
    let mut acc = 0.0;
    for c in LGAMMA1P_COEF.iter().rev() {
        acc = acc * z + c;
    }
    z * (-EULER_GAMMA + z * acc)
}

/// `special.lgamma`: the series within 0.2 of 1 and 2, Zig's `lgamma` elsewhere (`None` at a
/// negative non-integer, not ported).
fn lgamma(x: f64) -> Option<f64> {
    let z1 = x - 1.0;
    if z1.abs() <= 0.2 {
        return Some(lgamma1p_small(z1));
    }
    let z2 = x - 2.0;
    if z2.abs() <= 0.2 {
        return Some(lgamma1p_small(z2) + log1p(z2));
    }
    lgamma_except_negative(x)
}

fn inv_logit(x: f64) -> f64 {
    if x >= 0.0 {
        return 1.0 / (1.0 + exp(-x));
    }
    let e = exp(x);
    e / (1.0 + e)
}

fn log1p_exp(x: f64) -> f64 {
    if x > 0.0 {
        x + log1p(exp(-x))
    } else {
        log1p(exp(x))
    }
}

/// Zig's `@max` on floats: the other operand when one is NaN (as Rust's `f64::max`).
fn log_sum_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    if a == f64::INFINITY || b == f64::INFINITY {
        return f64::INFINITY;
    }
    let m = a.max(b);
    m + log1p(exp(-(a - b).abs()))
}

fn log_sum_exp_slice(xs: &[f64]) -> f64 {
    let mut m = f64::NEG_INFINITY;
    for x in xs {
        m = m.max(*x);
    }
    if m.is_infinite() {
        return m;
    }
    let mut s = 0.0;
    for x in xs {
        s += exp(x - m);
    }
    m + log(s)
}

fn log_mix(theta: f64, lp1: f64, lp2: f64) -> f64 {
    log_sum_exp(log(theta) + lp1, log1p(-theta) + lp2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values of `special.zig`'s own tests (there to a relative tolerance, here exactly
    /// where the runtime's result is the nearest double).
    #[test]
    fn helpers_agree_with_the_runtime_tests() {
        let close =
            |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * b.abs().max(f64::MIN_POSITIVE);
        assert!(close(inv_logit(1.0), 0.7310585786300049, 1e-16));
        assert!(close(inv_logit(-10.0), 4.5397868702434395e-05, 1e-15));
        assert_eq!(inv_logit(0.0), 0.5);
        assert!(close(log1p_exp(-1.0), 0.3132616875182228, 2e-16));
        assert_eq!(log1p_exp(800.0), 800.0);
        assert!(close(
            log_sum_exp(1000.0, 1000.0),
            1000.6931471805599,
            1e-16
        ));
        assert_eq!(log_sum_exp(f64::NEG_INFINITY, 3.0), 3.0);
        assert!(close(
            log_sum_exp_slice(&[1.0, 2.0, 3.0]),
            3.40760596444438,
            1e-15
        ));
        assert_eq!(log_sum_exp_slice(&[]), f64::NEG_INFINITY);
        assert!(close(log_mix(0.5, -1.0, -1.0), -1.0, 1e-15));
    }
}
