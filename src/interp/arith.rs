//! Integer and float arithmetic with the compiled code's semantics (`runtime/core.zig`):
//! every integer operation is checked for the width of its type and faults with the same
//! message; float operations follow IEEE (and C's `fmod` for `mod`).

use super::fault::{Loc, Stop};
use crate::ast::BinOp;
use crate::types::{FloatTy, IntTy};

/// `a op b` on integers of type `t`; comparisons give a bool, handled by the caller.
pub fn int_binary(op: BinOp, t: IntTy, a: i128, b: i128, loc: &Loc) -> Result<i128, Stop> {
    let fits = |r: i128| r >= t.min() && r <= t.max();
    let overflow = |sym: &str| Stop::fault(format!("integer overflow: {a} {sym} {b} does not fit in {}", t.name()), loc);
    let checked = |r: i128, sym: &str| if fits(r) { Ok(r) } else { Err(overflow(sym)) };
    match op {
        BinOp::Add => checked(a + b, "+"),
        BinOp::Sub => checked(a - b, "-"),
        // Two u64 values may multiply past i128.
        BinOp::Mul => a.checked_mul(b).filter(|r| fits(*r)).ok_or_else(|| overflow("*")),
        BinOp::Div if b == 0 => Err(Stop::fault(format!("division by zero: {a} / 0"), loc)),
        BinOp::Div => checked(a / b, "/"),
        BinOp::Mod if b == 0 => Err(Stop::fault(format!("division by zero: {a} % 0"), loc)),
        BinOp::Mod => Ok(a % b),
        BinOp::Pow => pow(t, a, b, loc),
        BinOp::Shl | BinOp::Shr => shift(op, t, a, b, loc),
        BinOp::BitAnd => Ok(wrap(t, a & b)),
        BinOp::BitOr => Ok(wrap(t, a | b)),
        BinOp::BitXor => Ok(wrap(t, a ^ b)),
        _ => Err(Stop::unsupported(format!("the integer operator `{}`", op.keyword()), loc)),
    }
}

/// Reduces `x` modulo 2^bits into the range of `t` (two's complement).
pub fn wrap(t: IntTy, x: i128) -> i128 {
    let bits = t.bits();
    let m = x & ((1i128 << bits) - 1);
    if t.signed() && m >= 1i128 << (bits - 1) { m - (1i128 << bits) } else { m }
}

/// Exponentiation by repeated squaring, checked at every step as `core.powChecked` is.
fn pow(t: IntTy, base: i128, exp: i128, loc: &Loc) -> Result<i128, Stop> {
    if exp < 0 {
        return Err(Stop::fault(format!("negative exponent: {base} ** {exp}"), loc));
    }
    let overflow = || Stop::fault(format!("integer overflow: {base} ** {exp} does not fit in {}", t.name()), loc);
    let fits = |r: i128| r >= t.min() && r <= t.max();
    let (mut result, mut b, mut e) = (1i128, base, exp);
    while e > 0 {
        if e & 1 == 1 {
            result = result.checked_mul(b).filter(|r| fits(*r)).ok_or_else(overflow)?;
        }
        e >>= 1;
        if e > 0 {
            b = b.checked_mul(b).filter(|r| fits(*r)).ok_or_else(overflow)?;
        }
    }
    Ok(result)
}

fn shift(op: BinOp, t: IntTy, a: i128, b: i128, loc: &Loc) -> Result<i128, Stop> {
    let bits = i128::from(t.bits());
    let sym = if op == BinOp::Shl { "<<" } else { ">>" };
    if b < 0 || b >= bits {
        return Err(Stop::fault(format!("shift amount out of range: {a} {sym} {b} (must be 0 to {} for {})", bits - 1, t.name()), loc));
    }
    Ok(if op == BinOp::Shl { wrap(t, a << b) } else { a >> b })
}

/// `-a`, faulting when the result does not fit.
pub fn int_neg(t: IntTy, a: i128, loc: &Loc) -> Result<i128, Stop> {
    let r = -a;
    if r < t.min() || r > t.max() {
        return Err(Stop::fault(format!("integer overflow: -({a}) does not fit in {}", t.name()), loc));
    }
    Ok(r)
}

/// `a op b` on floats of width `w` (rounded to f32 when `w` is f32). f64 `**` is the
/// runtime's correctly rounded `math_pow`; f32 `**` (Zig's `std.math.pow(f32, ..)`) is left out.
pub fn float_binary(op: BinOp, w: FloatTy, a: f64, b: f64) -> Option<f64> {
    let r = match op {
        BinOp::Pow if w == FloatTy::F64 => super::math::pow(a, b),
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Mod if b == 0.0 || a.is_infinite() || b.is_nan() => f64::NAN,
        BinOp::Mod => a % b,
        _ => return None,
    };
    Some(round_to(w, r))
}

/// The value as the float type holds it.
pub fn round_to(w: FloatTy, x: f64) -> f64 {
    match w {
        FloatTy::F32 => f64::from(x as f32),
        FloatTy::F64 => x,
    }
}

/// An integer as the nearest float of width `w`, rounded once (through f64 first, an i64
/// could round twice on its way to f32).
pub fn int_to_float(w: FloatTy, x: i128) -> f64 {
    match w {
        FloatTy::F32 => f64::from(x as f32),
        FloatTy::F64 => x as f64,
    }
}

/// Float to integer, truncating toward zero; NaN, infinities and values out of range fault.
pub fn float_to_int(t: IntTy, x: f64, w: FloatTy, loc: &Loc) -> Result<i128, Stop> {
    let truncated = x.trunc();
    // The bounds are powers of two, exact in every float type, as in `core.floatToInt`.
    let lo = if t.signed() { -(2f64.powi(t.bits() as i32 - 1)) } else { 0.0 };
    let hi = 2f64.powi(t.bits() as i32 - i32::from(t.signed()));
    if !(truncated >= lo && truncated < hi) {
        let shown = super::value::format_float(x, w);
        return Err(Stop::fault(format!("value {shown} does not fit in {}", t.name()), loc));
    }
    Ok(truncated as i128)
}

/// Integer to integer, faulting when the value does not fit.
pub fn int_cast(t: IntTy, x: i128, loc: &Loc) -> Result<i128, Stop> {
    if x < t.min() || x > t.max() {
        return Err(Stop::fault(format!("value {x} does not fit in {}", t.name()), loc));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Loc {
        Loc { func: "t".into(), line: 1, col: 2 }
    }

    fn message(r: Result<i128, Stop>) -> String {
        match r {
            Err(Stop::Fault { message, .. }) => message,
            other => panic!("expected a fault, got {other:?}"),
        }
    }

    #[test]
    fn overflow_messages_match_the_runtime() {
        assert_eq!(message(int_binary(BinOp::Add, IntTy::I32, 2147483647, 1, &loc())), "integer overflow: 2147483647 + 1 does not fit in i32");
        assert_eq!(message(int_binary(BinOp::Sub, IntTy::U32, 3, 4, &loc())), "integer overflow: 3 - 4 does not fit in u32");
        assert_eq!(message(int_binary(BinOp::Div, IntTy::I8, -128, -1, &loc())), "integer overflow: -128 / -1 does not fit in i8");
        assert_eq!(message(int_binary(BinOp::Mod, IntTy::I32, 10, 0, &loc())), "division by zero: 10 % 0");
        assert_eq!(message(int_binary(BinOp::Pow, IntTy::U64, 3, 41, &loc())), "integer overflow: 3 ** 41 does not fit in u64");
        assert_eq!(message(int_binary(BinOp::Shl, IntTy::I32, 1, 32, &loc())), "shift amount out of range: 1 << 32 (must be 0 to 31 for i32)");
        assert_eq!(
            message(int_binary(BinOp::Mul, IntTy::U64, 18446744073709551615, 18446744073709551615, &loc())),
            "integer overflow: 18446744073709551615 * 18446744073709551615 does not fit in u64"
        );
        assert_eq!(message(int_neg(IntTy::I8, -128, &loc())), "integer overflow: -(-128) does not fit in i8");
        assert_eq!(message(float_to_int(IntTy::I64, 9223372036854775808.0, FloatTy::F64, &loc())), "value 9.223372036854776e+18 does not fit in i64");
        assert_eq!(message(float_to_int(IntTy::U8, 256.0, FloatTy::F64, &loc())), "value 256.0 does not fit in u8");
    }

    #[test]
    fn in_range_results() {
        assert_eq!(int_binary(BinOp::Mod, IntTy::I8, -128, -1, &loc()), Ok(0));
        assert_eq!(int_binary(BinOp::Pow, IntTy::I8, -2, 7, &loc()), Ok(-128));
        assert_eq!(int_binary(BinOp::Shr, IntTy::I32, -16, 2, &loc()), Ok(-4));
        assert_eq!(int_binary(BinOp::Shl, IntTy::U8, 200, 1, &loc()), Ok(144));
        assert_eq!(int_binary(BinOp::Div, IntTy::I32, -7, 2, &loc()), Ok(-3));
        assert_eq!(float_to_int(IntTy::I32, -3.9, FloatTy::F64, &loc()), Ok(-3));
        // 2^53 + 2^29 + 1 rounds up to f32 directly, but to 2^53 + 2^29 (a tie, then even: down) through f64.
        let x: i128 = (1 << 53) + (1 << 29) + 1;
        assert_eq!(int_to_float(FloatTy::F32, x), f64::from(x as f32));
        assert_ne!(int_to_float(FloatTy::F32, x), f64::from((x as f64) as f32));
    }
}
