//! The model helpers outside models, as `runtime/builtins.zig` computes them on plain `f64`
//! (`ad.F64`, `runtime/ppl/special.zig`): `inv_logit`, `logit`, `log1p`, `expm1`,
//! `log1p_exp`, `log_sum_exp`, `log_sum_exp_array`, `log_mix`, and `erf` and `phi` (`erf`), in
//! the runtime's order of operations on the compiled program's own `exp`, `log`, `log1p` and
//! `expm1` (`random::libm`), so every result is the runtime's bit for bit. `lgamma` (Zig's
//! Lanczos `lgamma` with the runtime's series near 1 and 2) is not ported (refused by
//! `builtins`).

mod erf;

use super::random::libm::{exp, expm1, log, log1p};
use super::value::Value;

/// Runs helper `name`; `None` when `name` is not one of those ported.
pub fn call(name: &str, args: &[Value]) -> Option<Value> {
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
        _ => return None,
    };
    Some(Value::Float(v))
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
