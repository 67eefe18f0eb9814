//! The built-ins the interpreter runs, under their SIRS names, with the runtime's semantics
//! (`runtime/builtins.zig`, `str.zig`, `list.zig`, `math.zig`): printing, conversion to text,
//! strings, lists, the math functions (through `super::math`) and the matrix functions (through
//! `super::matrix`). Any other built-in is refused by name.

use super::collections;
use super::files::Reply;
use super::eval::Machine;
use super::fault::{Loc, Stop};
use super::value::{Value, format_float, order, quoted};
use crate::cir::{Ty, TypeKind};
use crate::types::FloatTy;
use std::rc::Rc;

/// Runs built-in `name` on borrowed arguments of the given types; the result has type `ret`.
pub fn call(m: &mut Machine, name: &str, args: &[Value], types: &[&Ty], ret: &Ty, loc: &Loc) -> Result<Value, Stop> {
    if let Some(v) = math(name, args) {
        return Ok(v);
    }
    if let Some(v) = super::infer::posterior::call(name, args, loc) {
        return v;
    }
    if let Some(v) = super::model_math::call(name, args) {
        return v.ok_or_else(|| Stop::unsupported(format!("`{name}` of a negative non-integer"), loc));
    }
    if let Some(v) = super::matrix::call(name, args, loc) {
        return v;
    }
    if let Some(v) = strings(name, args, loc)? {
        return Ok(v);
    }
    if let Some(reply) = super::files::call(name, args, loc) {
        return reply_value(m, ret, reply?, loc);
    }
    if let Some(reply) = super::datetime::call(name, args, loc) {
        return reply_value(m, ret, reply?, loc);
    }
    if let Some(reply) = super::json::call(name, args, loc) {
        return reply_value(m, ret, reply?, loc);
    }
    if let Some(reply) = super::csv::call(name, args, loc) {
        return reply_value(m, ret, reply?, loc);
    }
    if let Some(reply) = super::regex::call(name, args, loc) {
        return reply_value(m, ret, reply?, loc);
    }
    if let Some(reply) = super::tasks::call(name, args, loc) {
        return reply_value(m, ret, reply?, loc);
    }
    if let Some(reply) = super::http::call(name, args, loc) {
        return reply_value(m, ret, reply?, loc);
    }
    let option = |value: Option<Value>| variant_of(m, ret, if value.is_some() { "Some" } else { "None" }, value, loc);
    if let Some(result) = collections::call(name, args, option, loc) {
        return result;
    }
    if let Some(v) = lists(name, args, loc)? {
        return Ok(v);
    }
    match (name, args) {
        ("print" | "std_print" | "std_print_int" | "std_print_float", [x]) => {
            let line = to_text(x, types[0], false);
            m.stdout.extend_from_slice(line.as_bytes());
            m.stdout.push(b'\n');
            Ok(Value::Void)
        }
        ("print_inline", [x]) => {
            m.stdout.extend_from_slice(to_text(x, types[0], false).as_bytes());
            Ok(Value::Void)
        }
        ("std_print_bool", [Value::Bool(b)]) => {
            m.stdout.extend_from_slice(if *b { b"true\n" } else { b"false\n" });
            Ok(Value::Void)
        }
        ("to_string", [x]) => {
            if !printable(types[0]) {
                return Err(Stop::unsupported(format!("`to_string` of a {}", m.program.display(types[0])), loc));
            }
            Ok(Value::str(&to_text(x, types[0], false)))
        }
        ("debug_trace", [Value::Str(message), Value::Int(x)]) => {
            m.stderr.extend_from_slice(format!("{message}: {x}\n").as_bytes());
            Ok(Value::Void)
        }
        ("debug_variable", [Value::Str(name), Value::Str(value)]) => {
            m.stderr.extend_from_slice(format!("{name} = {value}\n").as_bytes());
            Ok(Value::Void)
        }
        ("str_parse_int", [Value::Str(s)]) => result(m, ret, parse_int(s), loc),
        ("str_parse_float", [Value::Str(s)]) => result(m, ret, parse_float(s), loc),
        ("str_format_float", [x, Value::Int(digits)]) => format_fixed(float_arg(std::slice::from_ref(x), 0), *digits, loc),
        ("std_args", []) => Ok(Value::List(Rc::new(m.args.iter().map(|a| Value::str(a)).collect()))),
        ("range_continues", [Value::Int(i), Value::Int(end), Value::Int(step), Value::Bool(inclusive)]) => {
            if *step == 0 {
                return Err(Stop::fault("range step must not be zero", loc));
            }
            Ok(Value::Bool(match (*step > 0, *inclusive) {
                (true, true) => i <= end,
                (true, false) => i < end,
                (false, true) => i >= end,
                (false, false) => i > end,
            }))
        }
        _ => Err(Stop::unsupported(format!("the built-in `{name}`"), loc)),
    }
}

/// Runs a built-in that changes the local `target` (`push`, `pop`).
pub fn call_mut(name: &str, target: &mut Value, args: &[Value], loc: &Loc) -> Result<Value, Stop> {
    if let Some(result) = collections::call_mut(name, target, args, loc) {
        return result;
    }
    match (name, target, args) {
        ("push", Value::List(items), [x]) => {
            Rc::make_mut(items).push(x.clone());
            Ok(Value::Void)
        }
        ("pop", Value::List(items), []) => Rc::make_mut(items).pop().ok_or_else(|| Stop::fault("pop from an empty list", loc)),
        _ => Err(Stop::unsupported(format!("the built-in `{name}`"), loc)),
    }
}

/// Whether `to_text` renders a value of this type as the runtime's `writeValue` does: the
/// checker lets `to_string` take numbers, bools and strings only; records and enums would be
/// named by their Zig types, which the interpreter does not reproduce.
pub fn printable(ty: &Ty) -> bool {
    matches!(ty, Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Str | Ty::Void)
}

/// A value as text, like `fmt.writeValueNested`: strings raw at the top level, quoted inside
/// containers.
pub fn to_text(x: &Value, ty: &Ty, nested: bool) -> String {
    match (x, ty) {
        (Value::Int(i), _) => i.to_string(),
        (Value::Float(f), Ty::Float(w)) => format_float(*f, *w),
        (Value::Float(f), _) => format_float(*f, FloatTy::F64),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Str(s), _) if nested => quoted(s),
        (Value::Str(s), _) => s.to_string(),
        (Value::Void, _) => "()".into(),
        (Value::List(items), Ty::Array(t)) => format!("[{}]", items.iter().map(|x| to_text(x, t, true)).collect::<Vec<_>>().join(", ")),
        (Value::Fields(items), Ty::Tuple(types)) => {
            format!("({})", items.iter().zip(types).map(|(x, t)| to_text(x, t, true)).collect::<Vec<_>>().join(", "))
        }
        (Value::Posterior(p), _) => format!("<posterior: {} columns>", p.columns.len()),
        _ => "?".into(),
    }
}

fn float_arg(args: &[Value], i: usize) -> f64 {
    match args.get(i) {
        Some(Value::Float(f)) => *f,
        Some(Value::Int(i)) => *i as f64,
        _ => f64::NAN,
    }
}

/// The `math_*` built-ins (`math` has the runtime's algorithms); `is_*` give bools.
fn math(name: &str, args: &[Value]) -> Option<Value> {
    let x = float_arg(args, 0);
    match name {
        "math_is_nan" => Some(Value::Bool(x.is_nan())),
        "math_is_finite" => Some(Value::Bool(x.is_finite())),
        "math_is_infinite" => Some(Value::Bool(x.is_infinite())),
        _ => super::math::call(name, x, float_arg(args, 1), float_arg(args, 2)).map(Value::Float),
    }
}

fn text_arg(args: &[Value], i: usize) -> &str {
    match args.get(i) {
        Some(Value::Str(s)) => s,
        _ => "",
    }
}

fn int_arg(args: &[Value], i: usize) -> i128 {
    match args.get(i) {
        Some(Value::Int(i)) => *i,
        _ => 0,
    }
}

/// The string built-ins (`str_*`); strings are bytes, as in the runtime.
fn strings(name: &str, args: &[Value], loc: &Loc) -> Result<Option<Value>, Stop> {
    let s = text_arg(args, 0);
    let t = text_arg(args, 1);
    let bytes_index = |i: Option<usize>| Value::Int(i.map_or(-1, |i| i as i128));
    Ok(Some(match name {
        "str_length" => Value::Int(s.len() as i128),
        "str_concat" => Value::str(&format!("{s}{t}")),
        "str_contains" => Value::Bool(s.contains(t)),
        "str_starts_with" => Value::Bool(s.starts_with(t)),
        "str_ends_with" => Value::Bool(s.ends_with(t)),
        "str_equals" => Value::Bool(s == t),
        "str_index_of" => bytes_index(s.find(t)),
        "str_to_upper" => Value::str(&s.to_ascii_uppercase()),
        "str_to_lower" => Value::str(&s.to_ascii_lowercase()),
        "str_trim" => Value::str(s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}'))),
        "str_replace" if t.is_empty() => Value::str(s),
        "str_replace" => Value::str(&s.replace(t, text_arg(args, 2))),
        "str_repeat" => {
            let n = usize::try_from(int_arg(args, 1)).unwrap_or(0);
            if s.len().checked_mul(n).is_none_or(|total| total > MAX_BYTES) {
                return Err(Stop::unsupported("a string this long", loc));
            }
            Value::str(&s.repeat(n))
        }
        "str_substring" => substring(s, int_arg(args, 1), int_arg(args, 2), loc)?,
        "str_byte_at" => {
            let i = int_arg(args, 1);
            let at = usize::try_from(i).ok().filter(|i| *i < s.len()).ok_or_else(|| Stop::fault(format!("index out of bounds: index {i}, length {}", s.len()), loc))?;
            Value::Int(i128::from(s.as_bytes()[at]))
        }
        "str_join" => match args.first() {
            Some(Value::List(parts)) => Value::str(&parts.iter().map(|p| text_arg(std::slice::from_ref(p), 0)).collect::<Vec<_>>().join(t)),
            _ => return Ok(None),
        },
        "str_split" if t.is_empty() => Value::List(Rc::new(s.chars().map(|c| Value::str(c.encode_utf8(&mut [0; 4]))).collect())),
        "str_split" => Value::List(Rc::new(s.split(t).map(Value::str).collect())),
        _ => return Ok(None),
    }))
}

fn substring(s: &str, start: i128, end: i128, loc: &Loc) -> Result<Value, Stop> {
    if start < 0 || end < start || end > s.len() as i128 {
        return Err(Stop::fault(format!("substring out of range: start {start}, end {end}, length {}", s.len()), loc));
    }
    let (a, b) = (start as usize, end as usize);
    match s.get(a..b) {
        Some(part) => Ok(Value::str(part)),
        None => Err(Stop::unsupported("a substring that splits a UTF-8 character", loc)),
    }
}

/// The list built-ins that read their arguments (`len`, `array_*`).
fn lists(name: &str, args: &[Value], loc: &Loc) -> Result<Option<Value>, Stop> {
    let Some(Value::List(items)) = args.first() else {
        return Ok(match (name, args) {
            ("len", [Value::Str(s)]) => Some(Value::Int(s.len() as i128)),
            ("array_fill", [Value::Int(n), x]) => {
                let count = usize::try_from(*n).map_err(|_| Stop::fault(format!("array_fill: the length must not be negative, got {n}"), loc))?;
                if count > MAX_BYTES / 16 {
                    return Err(Stop::unsupported("a list this long", loc));
                }
                Some(Value::List(Rc::new(vec![x.clone(); count])))
            }
            _ => None,
        });
    };
    Ok(Some(match (name, &args[1..]) {
        ("len", []) => Value::Int(items.len() as i128),
        ("array_contains", [x]) => Value::Bool(items.contains(x)),
        ("array_index_of", [x]) => Value::Int(items.iter().position(|y| y == x).map_or(-1, |i| i as i128)),
        ("array_reverse", []) => Value::List(Rc::new(items.iter().rev().cloned().collect())),
        ("array_concat", [Value::List(more)]) => Value::List(Rc::new(items.iter().chain(more.iter()).cloned().collect())),
        ("array_slice", [Value::Int(lo), Value::Int(hi)]) => {
            if *lo < 0 || hi < lo || *hi > items.len() as i128 {
                return Err(Stop::fault(format!("slice out of bounds: {lo}..{hi} of length {}", items.len()), loc));
            }
            Value::List(Rc::new(items[*lo as usize..*hi as usize].to_vec()))
        }
        ("array_mean", []) if items.is_empty() => Value::Float(f64::NAN),
        ("array_mean", []) => Value::Float(items.iter().fold(0.0, |total, x| total + float_arg(std::slice::from_ref(x), 0)) / items.len() as f64),
        ("array_sort", []) => sorted(items, loc)?,
        ("array_sum", []) => Value::Float(items.iter().fold(0.0, |total, x| total + float_arg(std::slice::from_ref(x), 0))),
        _ => return Ok(None),
    }))
}

/// A sorted copy, stable as the runtime's block sort is.
fn sorted(items: &[Value], loc: &Loc) -> Result<Value, Stop> {
    if items.windows(2).any(|w| order(&w[0], &w[1]).is_none()) {
        return Err(Stop::unsupported("`array_sort` of enums, maps or sets", loc));
    }
    let mut out = items.to_vec();
    out.sort_by(|a, b| order(a, b).unwrap_or(std::cmp::Ordering::Equal));
    Ok(Value::List(Rc::new(out)))
}

/// A library built-in's reply as a value of type `ret`.
fn reply_value(m: &Machine, ret: &Ty, reply: Reply, loc: &Loc) -> Result<Value, Stop> {
    match reply {
        Reply::Plain(v) => Ok(v),
        Reply::Result(outcome) => result(m, ret, outcome, loc),
        Reply::Option(value) => variant_of(m, ret, if value.is_some() { "Some" } else { "None" }, value, loc),
    }
}

/// A value of the built-in `Result` type `ret`: `Ok(payload)` or `Err(message)`.
fn result(m: &Machine, ret: &Ty, outcome: Result<Value, String>, loc: &Loc) -> Result<Value, Stop> {
    match outcome {
        Ok(v) => variant_of(m, ret, "Ok", Some(v), loc),
        Err(message) => variant_of(m, ret, "Err", Some(Value::str(&message)), loc),
    }
}

/// Variant `name` of the enum type `ty` (a built-in `Option` or `Result`) with a payload.
fn variant_of(m: &Machine, ty: &Ty, name: &str, payload: Option<Value>, loc: &Loc) -> Result<Value, Stop> {
    let index = match ty {
        Ty::Adt(id, _) => match &m.program.types[id.0 as usize].kind {
            TypeKind::Enum { variants, .. } => variants.iter().position(|(n, _)| n == name),
            _ => None,
        },
        _ => None,
    };
    let index = index.ok_or_else(|| Stop::unsupported(format!("a value of type {}", m.program.display(ty)), loc))?;
    Ok(Value::Variant(index, payload.map(Rc::new)))
}

/// The largest string (in bytes) the interpreter builds at once; beyond it the compiled
/// program may run out of memory, which the interpreter does not imitate.
const MAX_BYTES: usize = 1 << 32;

const ASCII_SPACE: [char; 6] = [' ', '\t', '\n', '\r', '\u{b}', '\u{c}'];

/// `str.parseInt`: surrounding ASCII whitespace, an optional sign, decimal digits; an i64.
fn parse_int(s: &str) -> Result<Value, String> {
    let t = s.trim_matches(&ASCII_SPACE[..]);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("invalid integer: {}", quoted(s)));
    }
    t.parse::<i64>().map(|v| Value::Int(i128::from(v))).map_err(|_| format!("integer out of range: {}", quoted(s)))
}

/// `str.parseFloat`: decimal or exponent notation, or `nan`/`inf`/`infinity` in any case.
pub fn parse_float(s: &str) -> Result<Value, String> {
    let t = s.trim_matches(&ASCII_SPACE[..]);
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let special = ["nan", "inf", "infinity"].iter().any(|w| body.eq_ignore_ascii_case(w));
    let invalid = || format!("invalid float: {}", quoted(s));
    if !special && (!body.bytes().all(|b| b.is_ascii_digit() || b".eE+-".contains(&b)) || !body.bytes().any(|b| b.is_ascii_digit())) {
        return Err(invalid());
    }
    t.parse::<f64>().map(Value::Float).map_err(|_| invalid())
}

/// `str_format_float(x, digits)`: the exact value of `x` rounded half to even at `digits`
/// decimals (Python's `format(x, ".{digits}f")`), as `runtime/sirs_std.zig` computes it; Rust's
/// fixed-precision formatting is exact with the same tie rule.
fn format_fixed(x: f64, digits: i128, loc: &Loc) -> Result<Value, Stop> {
    const MAX_DIGITS: i128 = 100;
    if !(0..=MAX_DIGITS).contains(&digits) {
        return Err(Stop::fault(format!("str_format_float: digits must be 0 to {MAX_DIGITS}, got {digits}"), loc));
    }
    if x.is_nan() {
        return Ok(Value::str("nan"));
    }
    if x.is_infinite() {
        return Ok(Value::str(if x > 0.0 { "inf" } else { "-inf" }));
    }
    Ok(Value::str(&format!("{x:.*}", digits as usize)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::approx_constant)] // 3.14159 is a case of the runtime's table, not pi
    fn fixed_formatting_matches_the_runtime_table() {
        // The cases of `runtime/sirs_std.zig`'s own test (Python's `format(x, ".{d}f")`).
        let cases: [(f64, i128, &str); 21] = [
            (2.675, 2, "2.67"),
            (0.125, 2, "0.12"),
            (0.375, 2, "0.38"),
            (2.5, 0, "2"),
            (3.5, 0, "4"),
            (1.5, 0, "2"),
            (123.456, 1, "123.5"),
            (3.14159, 3, "3.142"),
            (-1.005, 2, "-1.00"),
            (-0.0, 2, "-0.00"),
            (-0.001, 2, "-0.00"),
            (0.0, 0, "0"),
            (1e-10, 3, "0.000"),
            (0.0009, 3, "0.001"),
            (5e-324, 0, "0"),
            (0.1, 20, "0.10000000000000000555"),
            (1e22, 0, "10000000000000000000000"),
            (1e23, 1, "99999999999999991611392.0"),
            (42.0, 3, "42.000"),
            (9.995, 2, "9.99"),
            (99.5, 0, "100"),
        ];
        let loc = Loc { func: "t".into(), line: 1, col: 2 };
        for (x, d, want) in cases {
            assert_eq!(format_fixed(x, d, &loc), Ok(Value::str(want)), "{x} with {d} digits");
        }
        let Ok(Value::Str(big)) = format_fixed(f64::MAX, 0, &loc) else { panic!("formats") };
        assert_eq!(big.len(), 309);
        let Ok(Value::Str(tiny)) = format_fixed(5e-324, 100, &loc) else { panic!("formats") };
        assert_eq!(tiny.len(), 102);
        assert!(matches!(format_fixed(1.0, -1, &loc), Err(Stop::Fault { message, .. }) if message == "str_format_float: digits must be 0 to 100, got -1"));
    }
}
