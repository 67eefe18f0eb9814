//! Run-time values of the interpreter and their text forms. Heap values (strings, lists,
//! records, tuples, payloads) sit behind `Rc` and are copied on write, which gives SIRS's value
//! semantics without the compiled code's reference counting. Integers of every width are held
//! as `i128` (the instruction's type says the width); an `f32` is held as the `f64` of the same
//! value. Floats print like the Zig runtime (`runtime/fmt.zig`): Python's `repr` layout of the
//! shortest digits that read back to the same value.

use crate::types::FloatTy;
use std::cmp::Ordering;
use std::rc::Rc;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i128),
    Float(f64),
    Bool(bool),
    Str(Rc<str>),
    Void,
    List(Rc<Vec<Value>>),
    /// The fields of a record or the items of a tuple, in declaration order.
    Fields(Rc<Vec<Value>>),
    /// An enum value: the variant's index and its payload.
    Variant(usize, Option<Rc<Value>>),
    /// A map's entries in insertion order (as the runtime's array hash map keeps them).
    Map(Rc<Vec<(Value, Value)>>),
    /// A set's items in insertion order.
    Set(Rc<Vec<Value>>),
    /// A trait object: the method table (`Program::vtables`) and the value.
    Dyn(usize, Rc<Value>),
    /// A fitted posterior (`infer`); equal only to itself, as the runtime's handle.
    Posterior(Rc<super::infer::Posterior>),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }
}

/// The runtime's total order (`rc.order`): numbers by value with NaN above everything and
/// `-0.0 == 0.0`, `false < true`, strings by bytes, records, tuples and lists item by item.
/// `None` for values it does not order (enums, maps, sets).
pub fn order(a: &Value, b: &Value) -> Option<Ordering> {
    Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => match (x.is_nan(), y.is_nan()) {
            (false, false) => x.partial_cmp(y)?,
            (xn, yn) => xn.cmp(&yn),
        },
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
        // Records and tuples field by field; lists element by element, then by length.
        (Value::Fields(xs), Value::Fields(ys)) | (Value::List(xs), Value::List(ys)) => {
            for (x, y) in xs.iter().zip(ys.iter()) {
                match order(x, y)? {
                    Ordering::Equal => {}
                    other => return Some(other),
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ => return None,
    })
}

/// The runtime's structural equality (`rc.eql`): floats as IEEE compares them, records, tuples,
/// lists and payloads item by item, maps and sets by their entries whatever their order (a map
/// equals another with the same keys holding equal values, as `Map.sevEql` looks each key up).
/// Like `List.sevEql` and `Map.sevEql`, a list, map or set is equal to a shared copy of itself
/// without a look inside (which matters only for a NaN inside: `xs == xs` holds).
pub fn equal(a: &Value, b: &Value) -> bool {
    let all = |xs: &[Value], ys: &[Value]| xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| equal(x, y));
    match (a, b) {
        (Value::List(xs), Value::List(ys)) | (Value::Set(xs), Value::Set(ys)) if Rc::ptr_eq(xs, ys) => true,
        (Value::Map(xs), Value::Map(ys)) if Rc::ptr_eq(xs, ys) => true,
        (Value::List(xs), Value::List(ys)) | (Value::Fields(xs), Value::Fields(ys)) => all(xs, ys),
        (Value::Variant(i, x), Value::Variant(j, y)) => {
            i == j
                && match (x, y) {
                    (Some(x), Some(y)) => equal(x, y),
                    (x, y) => x.is_none() && y.is_none(),
                }
        }
        (Value::Map(xs), Value::Map(ys)) => {
            xs.len() == ys.len() && xs.iter().all(|(k, v)| ys.iter().find(|(l, _)| equal(k, l)).is_some_and(|(_, w)| equal(v, w)))
        }
        (Value::Set(xs), Value::Set(ys)) => xs.len() == ys.len() && xs.iter().all(|x| ys.iter().any(|y| equal(x, y))),
        (Value::Dyn(i, x), Value::Dyn(j, y)) => i == j && equal(x, y),
        (Value::Posterior(x), Value::Posterior(y)) => Rc::ptr_eq(x, y),
        _ => a == b,
    }
}

/// Formats a float of the given width the way `runtime/fmt.zig` does.
pub fn format_float(x: f64, width: FloatTy) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    // Rust's `{:e}` finds how many digits the shortest round-trip form needs (for f32 as f32);
    // formatting the exact value to that many digits then breaks a tie between two shortest
    // forms to the even digit, as Ryu in the Zig runtime and Python's `repr` do.
    let shortest = match width {
        FloatTy::F32 => format!("{:e}", x as f32),
        FloatTy::F64 => format!("{x:e}"),
    };
    let count = shortest.split('e').next().unwrap_or("").chars().filter(char::is_ascii_digit).count();
    let sci = match width {
        FloatTy::F32 => format!("{:.*e}", count.saturating_sub(1), x as f32),
        FloatTy::F64 => format!("{:.*e}", count.saturating_sub(1), x),
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    layout(negative, &digits, exp)
}

/// Python's `repr` layout of `d1.d2d3… × 10^exp`: exponent form when `exp < -4` or `exp >= 16`.
fn layout(negative: bool, digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    let n = digits.len() as i32;
    if !(-4..16).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&format!("e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs()));
    } else if exp < 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-exp - 1) as usize));
        out.push_str(digits);
    } else if exp + 1 >= n {
        out.push_str(digits);
        out.push_str(&"0".repeat((exp + 1 - n) as usize));
        out.push_str(".0");
    } else {
        let point = (exp + 1) as usize;
        out.push_str(&digits[..point]);
        out.push('.');
        out.push_str(&digits[point..]);
    }
    out
}

/// A string in double quotes with JSON escapes (`fmt.writeQuoted`).
pub fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_format_like_the_zig_runtime() {
        // The cases of `runtime/fmt.zig`'s own test (Python 3.11 `repr`).
        let cases: [(f64, &str); 23] = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (55.0, "55.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (1.5e300, "1.5e+300"),
            (9999999999999998.0, "9999999999999998.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (2.5e-7, "2.5e-07"),
            (100.0 / 7.0, "14.285714285714286"),
            (-1e22, "-1e+22"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (1e15, "1000000000000000.0"),
            (9223372036854775808.0, "9.223372036854776e+18"),
            (-123.456, "-123.456"),
            (0.00012345, "0.00012345"),
            // Exactly halfway between two shortest forms: the even digit wins.
            (1000000000000016.0 + 0.25, "1000000000000016.2"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, want) in cases {
            assert_eq!(format_float(x, FloatTy::F64), want, "{x:?}");
        }
    }

    #[test]
    fn f32_uses_its_own_shortest_digits() {
        let third = (1.0f32 / 3.0f32) as f64;
        assert_eq!(format_float(third, FloatTy::F32), "0.33333334");
        assert_eq!(format_float(0.1f32 as f64, FloatTy::F32), "0.1");
        assert_eq!(format_float(3.4028235e38f32 as f64, FloatTy::F32), "3.4028235e+38");
        assert_eq!(format_float(1e-45f32 as f64, FloatTy::F32), "1e-45");
    }

    #[test]
    fn quoting_escapes_like_json() {
        assert_eq!(quoted("a\"\\\n\u{1}é"), "\"a\\\"\\\\\\n\\u0001é\"");
    }
}
