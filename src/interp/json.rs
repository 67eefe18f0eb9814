//! The `json_*` built-ins with the runtime's results (`runtime/json.zig`, `sirs_std.zig`):
//! the strict RFC 8259 parser with the same error texts (`json: expected ',' or '}', found '"'
//! at line 3, column 7`) and nesting limit, the compact and pretty serialisers (numbers as the
//! shortest round-trip decimal in JavaScript's layout, NaN and infinities as `null`, the same
//! escapes), the accessors and builders. A `Json` is the prelude enum (`Null`, `Bool`,
//! `Number`, `String`, `Array`, `Object` in that order), so it is an ordinary enum value here;
//! objects are maps in insertion order.

use super::fault::{Loc, Stop};
use super::files::Reply;
use super::value::Value;
use std::rc::Rc;

const NULL: usize = 0;
const BOOL: usize = 1;
const NUMBER: usize = 2;
const STRING: usize = 3;
const ARRAY: usize = 4;
const OBJECT: usize = 5;

/// Deepest nesting of arrays and objects accepted by `json_parse`.
const MAX_DEPTH: usize = 512;

fn json(tag: usize, payload: Option<Value>) -> Value {
    Value::Variant(tag, payload.map(Rc::new))
}

/// The tag and payload of a Json value.
fn parts(v: &Value) -> (usize, Option<&Value>) {
    match v {
        Value::Variant(tag, payload) => (*tag, payload.as_deref()),
        _ => (usize::MAX, None),
    }
}

/// Runs JSON built-in `name`, or None when `name` is not one.
pub fn call(name: &str, args: &[Value], loc: &Loc) -> Option<Result<Reply, Stop>> {
    let plain = |v: Value| Some(Ok(Reply::Plain(v)));
    let text = |i: usize| match args.get(i) {
        Some(Value::Str(s)) => s.to_string(),
        _ => String::new(),
    };
    // The checker fixes each built-in's arity; a missing argument reads as `()`.
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Void);
    let first = args.first().map(parts).unwrap_or((usize::MAX, None));
    match (name, first) {
        ("json_parse", _) => Some(Ok(Reply::Result(parse(text(0).as_bytes())))),
        ("json_stringify", _) => plain(Value::str(&write(&arg(0), None))),
        ("json_pretty", _) => plain(Value::str(&write(&arg(0), Some(2)))),
        ("json_get", (OBJECT, Some(Value::Map(m)))) => Some(Ok(Reply::Option(m.iter().find(|(k, _)| *k == arg(1)).map(|(_, v)| v.clone())))),
        ("json_get", _) => Some(Ok(Reply::Option(None))),
        ("json_at", (ARRAY, Some(Value::List(items)))) => {
            let i = match args.get(1) {
                Some(Value::Int(i)) => *i,
                _ => -1,
            };
            Some(Ok(Reply::Option(usize::try_from(i).ok().and_then(|i| items.get(i)).cloned())))
        }
        ("json_at", _) => Some(Ok(Reply::Option(None))),
        ("json_len", (ARRAY | OBJECT | STRING, Some(p))) => plain(Value::Int(match p {
            Value::List(items) => items.len() as i128,
            Value::Map(m) => m.len() as i128,
            Value::Str(s) => s.len() as i128,
            _ => 0,
        })),
        ("json_len", _) => plain(Value::Int(0)),
        ("json_has_key", (OBJECT, Some(Value::Map(m)))) => plain(Value::Bool(m.iter().any(|(k, _)| *k == arg(1)))),
        ("json_has_key", _) => plain(Value::Bool(false)),
        ("json_keys", (OBJECT, Some(Value::Map(m)))) => plain(Value::List(Rc::new(m.iter().map(|(k, _)| k.clone()).collect()))),
        ("json_keys", _) => plain(Value::List(Rc::new(Vec::new()))),
        ("json_as_number", (NUMBER, p)) | ("json_as_string", (STRING, p)) | ("json_as_bool", (BOOL, p)) => Some(Ok(Reply::Option(p.cloned()))),
        ("json_as_number" | "json_as_string" | "json_as_bool", _) => Some(Ok(Reply::Option(None))),
        ("json_is_null", (tag, _)) => plain(Value::Bool(tag == NULL)),
        ("json_kind", (tag, _)) => plain(Value::str(kind(tag))),
        ("json_null", _) => plain(json(NULL, None)),
        ("json_bool", _) => plain(json(BOOL, args.first().cloned())),
        ("json_number", _) => plain(json(
            NUMBER,
            Some(Value::Float(match args.first() {
                Some(Value::Int(i)) => *i as f64,
                Some(Value::Float(x)) => *x,
                _ => f64::NAN,
            })),
        )),
        ("json_string", _) => plain(json(STRING, Some(Value::str(&text(0))))),
        ("json_array", _) => plain(json(ARRAY, args.first().cloned())),
        ("json_object", _) => plain(json(OBJECT, args.first().cloned())),
        ("json_set", (OBJECT, Some(Value::Map(m)))) => {
            let mut members = (**m).clone();
            match members.iter_mut().find(|(k, _)| *k == arg(1)) {
                Some(member) => member.1 = arg(2),
                None => members.push((arg(1), arg(2))),
            }
            plain(json(OBJECT, Some(Value::Map(Rc::new(members)))))
        }
        ("json_set", (tag, _)) => Some(Err(Stop::fault(format!("json_set needs an object, got {}", kind(tag)), loc))),
        ("json_push", (ARRAY, Some(Value::List(items)))) => {
            let mut items = (**items).clone();
            items.push(arg(1));
            plain(json(ARRAY, Some(Value::List(Rc::new(items)))))
        }
        ("json_push", (tag, _)) => Some(Err(Stop::fault(format!("json_push needs an array, got {}", kind(tag)), loc))),
        _ => None,
    }
}

/// The four bytes after `\\u` as the runtime reads them (`std.fmt.parseInt(u16, _, 16)`): hex
/// digits, with the same leniencies — a leading `+`, a `-` before zeros only, and `_` between
/// digits (`\\u+041`, `\\u0_41` are accepted as U+0041, `\\u-000` as U+0000).
pub fn zig_parse_u16_hex(bytes: &[u8]) -> Option<u16> {
    let (negative, digits) = match bytes.split_first() {
        Some((b'+', rest)) => (false, rest),
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if digits.first().is_none_or(|&c| c == b'_') || digits.last() == Some(&b'_') {
        return None;
    }
    let mut value: u16 = 0;
    for &c in digits.iter().filter(|&&c| c != b'_') {
        let digit = u16::try_from((c as char).to_digit(16)?).ok()?;
        value = match negative {
            // Zero minus any non-zero digit is below a u16's range.
            true if digit != 0 => return None,
            true => 0,
            false => value.checked_mul(16)?.checked_add(digit)?,
        };
    }
    Some(value)
}

fn kind(tag: usize) -> &'static str {
    ["null", "bool", "number", "string", "array", "object"].get(tag).copied().unwrap_or("?")
}

// ----- Serialiser ------------------------------------------------------------------------------

/// `v` as JSON text; `indent` None means compact, else spaces per level.
fn write(v: &Value, indent: Option<usize>) -> String {
    let mut out = String::new();
    write_value(&mut out, v, indent, 0);
    out
}

fn newline(out: &mut String, indent: Option<usize>, level: usize) {
    if let Some(n) = indent {
        out.push('\n');
        out.push_str(&" ".repeat(n * level));
    }
}

fn write_value(out: &mut String, v: &Value, indent: Option<usize>, level: usize) {
    match parts(v) {
        (BOOL, Some(Value::Bool(b))) => out.push_str(if *b { "true" } else { "false" }),
        (NUMBER, Some(Value::Float(x))) => write_number(out, *x),
        (STRING, Some(Value::Str(s))) => write_string(out, s),
        (ARRAY, Some(Value::List(items))) if items.is_empty() => out.push_str("[]"),
        (ARRAY, Some(Value::List(items))) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_value(out, item, indent, level + 1);
            }
            newline(out, indent, level);
            out.push(']');
        }
        (OBJECT, Some(Value::Map(m))) if m.is_empty() => out.push_str("{}"),
        (OBJECT, Some(Value::Map(m))) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                if let Value::Str(k) = k {
                    write_string(out, k);
                }
                out.push_str(if indent.is_some() { ": " } else { ":" });
                write_value(out, item, indent, level + 1);
            }
            newline(out, indent, level);
            out.push('}');
        }
        _ => out.push_str("null"),
    }
}

/// The shortest round-trip decimal in JavaScript's layout (`3`, `0.1`, `1e+21`, `1.5e-7`).
fn write_number(out: &mut String, x: f64) {
    if !x.is_finite() {
        return out.push_str("null");
    }
    if x == 0.0 {
        return out.push_str(if x.is_sign_negative() { "-0" } else { "0" });
    }
    // The digit count of the shortest form, then the exact value to that many digits (ties to
    // even between two shortest forms, as Ryu in the runtime); see `value::format_float`.
    let shortest = format!("{x:e}");
    let count = shortest.split('e').next().unwrap_or("").chars().filter(char::is_ascii_digit).count();
    let sci = format!("{:.*e}", count.saturating_sub(1), x);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let e: i32 = exp.parse().unwrap_or(0);
    if mantissa.starts_with('-') {
        out.push('-');
    }
    let d: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let (k, n) = (d.len() as i32, e + 1);
    if k <= n && n <= 21 {
        out.push_str(&d);
        out.push_str(&"0".repeat((n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&d[..n as usize]);
        out.push('.');
        out.push_str(&d[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-n) as usize));
        out.push_str(&d);
    } else {
        out.push_str(&d[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&d[1..]);
        }
        out.push_str(&format!("e{}{}", if n - 1 < 0 { '-' } else { '+' }, (n - 1).unsigned_abs()));
    }
}

/// A JSON string literal: `"` `\` and control characters escaped, UTF-8 passed through (the
/// escapes of the formatter's layout, which are the runtime's).
fn write_string(out: &mut String, s: &str) {
    out.push_str(&crate::fmt::layout::quoted(s));
}

// ----- Parser ----------------------------------------------------------------------------------

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
}

/// A parse problem: the message and the byte offset it is placed at.
type Problem = (String, usize);

type Parsed<T> = Result<T, Problem>;

/// `json_parse`: Ok(value) or Err(the runtime's message, placed at a line and column).
fn parse(src: &[u8]) -> Result<Value, String> {
    let mut p = Parser { src, pos: 0 };
    let outcome = p.value(0).and_then(|v| {
        p.skip_ws();
        if p.pos < src.len() {
            return Err((format!("unexpected {} after the document", p.found(p.pos)), p.pos));
        }
        Ok(v)
    });
    outcome.map_err(|(message, at)| {
        let (line, col) = p.line_col(at);
        format!("json: {message} at line {line}, column {col}")
    })
}

impl Parser<'_> {
    /// "'x'" or "byte 0x.." or "end of input" for the byte at `at`.
    fn found(&self, at: usize) -> String {
        match self.src.get(at) {
            None => "end of input".into(),
            Some(&c) if (0x20..0x7f).contains(&c) => format!("'{}'", c as char),
            Some(&c) => format!("byte 0x{c:02x}"),
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.src.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// 1-based line and column (in characters) of byte offset `at`.
    fn line_col(&self, at: usize) -> (usize, usize) {
        let (mut line, mut col) = (1, 1);
        for &c in &self.src[..at.min(self.src.len())] {
            if c == b'\n' {
                line += 1;
                col = 1;
            } else if c & 0xC0 != 0x80 {
                col += 1;
            }
        }
        (line, col)
    }

    fn value(&mut self, depth: usize) -> Parsed<Value> {
        self.skip_ws();
        let Some(&c) = self.src.get(self.pos) else { return Err(("expected a value, found end of input".into(), self.pos)) };
        match c {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => Ok(json(STRING, Some(Value::str(&self.string()?)))),
            b't' => self.literal("true", json(BOOL, Some(Value::Bool(true)))),
            b'f' => self.literal("false", json(BOOL, Some(Value::Bool(false)))),
            b'n' => self.literal("null", json(NULL, None)),
            b'-' | b'0'..=b'9' => Ok(json(NUMBER, Some(Value::Float(self.number()?)))),
            _ => Err((format!("expected a value, found {}", self.found(self.pos)), self.pos)),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Parsed<Value> {
        if self.src[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            return Ok(v);
        }
        Err((format!("invalid literal (expected '{word}')"), self.pos))
    }

    fn digits_from(&self, mut i: usize) -> usize {
        while self.src.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    }

    fn number(&mut self) -> Parsed<f64> {
        let (start, s) = (self.pos, self.src);
        let mut i = self.pos;
        if s[i] == b'-' {
            i += 1;
        }
        if !s.get(i).is_some_and(u8::is_ascii_digit) {
            return Err((format!("invalid number: expected a digit, found {}", self.found(i)), i));
        }
        if s[i] == b'0' {
            i += 1;
            if s.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(("invalid number: leading zero".into(), start));
            }
        } else {
            i = self.digits_from(i);
        }
        if s.get(i) == Some(&b'.') {
            i += 1;
            if !s.get(i).is_some_and(u8::is_ascii_digit) {
                return Err((format!("invalid number: expected a digit after '.', found {}", self.found(i)), i));
            }
            i = self.digits_from(i);
        }
        if matches!(s.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(s.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !s.get(i).is_some_and(u8::is_ascii_digit) {
                return Err((format!("invalid number: expected a digit in the exponent, found {}", self.found(i)), i));
            }
            i = self.digits_from(i);
        }
        // The grammar is checked above, so the text is ASCII and a valid Rust float.
        let x: f64 = std::str::from_utf8(&s[start..i]).ok().and_then(|t| t.parse().ok()).unwrap_or(f64::NAN);
        if x.is_infinite() {
            return Err(("number out of range for f64".into(), start));
        }
        self.pos = i;
        Ok(x)
    }

    fn hex4(&self, at: usize) -> Parsed<u32> {
        let bad = || ("invalid \\u escape: expected 4 hex digits".to_string(), at);
        let digits = self.src.get(at..at + 4).ok_or_else(bad)?;
        zig_parse_u16_hex(digits).map(u32::from).ok_or_else(bad)
    }

    fn string(&mut self) -> Parsed<String> {
        let (open, s) = (self.pos, self.src);
        let mut out: Vec<u8> = Vec::new();
        let mut i = open + 1;
        loop {
            let Some(&c) = s.get(i) else { return Err(("unterminated string".into(), open)) };
            match c {
                b'"' => {
                    self.pos = i + 1;
                    // Every byte appended is ASCII, a checked UTF-8 sequence or an encoded char.
                    return Ok(String::from_utf8(out).unwrap_or_default());
                }
                b'\\' => {
                    let Some(&e) = s.get(i + 1) else { return Err(("unterminated string".into(), open)) };
                    i += 2;
                    let simple = match e {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(0x08),
                        b'f' => Some(0x0c),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        _ => None,
                    };
                    if let Some(b) = simple {
                        out.push(b);
                        continue;
                    }
                    if e != b'u' {
                        let shown = if (0x20..0x7f).contains(&e) { e as char } else { '?' };
                        return Err((format!("invalid escape '\\{shown}'"), i - 2));
                    }
                    let esc = i - 2;
                    let hi = self.hex4(i)?;
                    i += 4;
                    let unpaired = || (format!("unpaired surrogate \\u{hi:04X}"), esc);
                    let mut cp = hi;
                    if (0xD800..=0xDBFF).contains(&hi) {
                        if s.len() - i < 6 || s[i] != b'\\' || s[i + 1] != b'u' {
                            return Err(unpaired());
                        }
                        let lo = self.hex4(i + 2)?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return Err(unpaired());
                        }
                        i += 6;
                        cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (0xDC00..=0xDFFF).contains(&hi) {
                        return Err(unpaired());
                    }
                    let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                    out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                }
                0..=0x1f => return Err((format!("control character (byte 0x{c:02x}) in string; escape it"), i)),
                0x20..=0x7f => {
                    out.push(c);
                    i += 1;
                }
                _ => {
                    let n = match c {
                        0xC0..=0xDF => 2,
                        0xE0..=0xEF => 3,
                        0xF0..=0xF7 => 4,
                        _ => 0,
                    };
                    let valid = n != 0 && s.len() - i >= n && std::str::from_utf8(&s[i..i + n]).is_ok();
                    if !valid {
                        return Err(("invalid UTF-8 in string".into(), i));
                    }
                    out.extend_from_slice(&s[i..i + n]);
                    i += n;
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Parsed<Value> {
        if depth > MAX_DEPTH {
            return Err((format!("nesting deeper than {MAX_DEPTH} levels"), self.pos));
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(json(ARRAY, Some(Value::List(Rc::new(items)))));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.src.get(self.pos) {
                None => return Err(("expected ',' or ']', found end of input".into(), self.pos)),
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(json(ARRAY, Some(Value::List(Rc::new(items)))));
                }
                Some(_) => return Err((format!("expected ',' or ']', found {}", self.found(self.pos)), self.pos)),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Parsed<Value> {
        if depth > MAX_DEPTH {
            return Err((format!("nesting deeper than {MAX_DEPTH} levels"), self.pos));
        }
        self.pos += 1;
        let mut members: Vec<(Value, Value)> = Vec::new();
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(json(OBJECT, Some(Value::Map(Rc::new(members)))));
        }
        loop {
            self.skip_ws();
            if self.src.get(self.pos) != Some(&b'"') {
                return Err((format!("expected a string key, found {}", self.found(self.pos)), self.pos));
            }
            let key = Value::str(&self.string()?);
            self.skip_ws();
            if self.src.get(self.pos) != Some(&b':') {
                return Err((format!("expected ':' after an object key, found {}", self.found(self.pos)), self.pos));
            }
            self.pos += 1;
            let v = self.value(depth)?;
            // A repeated key keeps its first position and takes the last value.
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(member) => member.1 = v,
                None => members.push((key, v)),
            }
            self.skip_ws();
            match self.src.get(self.pos) {
                None => return Err(("expected ',' or '}', found end of input".into(), self.pos)),
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(json(OBJECT, Some(Value::Map(Rc::new(members)))));
                }
                Some(_) => return Err((format!("expected ',' or '}}', found {}", self.found(self.pos)), self.pos)),
            }
        }
    }
}
