//! A small, strict JSON reader that keeps a byte span on every value and the order of keys.
//!
//! `serde_json::Value` keeps neither spans nor (by default) key order, so no diagnostic could
//! point into the source. This reader follows RFC 8259 exactly (no comments, no trailing
//! commas, no `NaN`), and it never fails outright: [`parse`] returns the tree it could build and
//! every problem it found as a [`JsonError`]. It recovers from duplicate keys, comments and
//! trailing commas (reporting each) so a user sees all of them at once; a hard syntax error
//! ends the parse. Nesting is limited to [`MAX_DEPTH`] levels so that a hostile file cannot
//! overflow the stack of this or any later recursive phase.

use crate::span::Span;

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 256;

#[derive(Clone, Debug, PartialEq)]
pub struct Json {
    pub kind: JsonKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JsonKind {
    Null,
    Bool(bool),
    /// The number exactly as written, so that integers and floats can be told apart.
    Number(String),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<Member>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Json,
}

/// Problems found while reading JSON (data; `syntax::error` turns them into diagnostics).
#[derive(Clone, Debug, PartialEq)]
pub enum JsonError {
    Empty,
    InvalidUtf8 { span: Span },
    Syntax { span: Span, message: String, label: String },
    DuplicateKey { key: String, first: Span, second: Span },
    Comment { span: Span },
    TooDeep { span: Span },
    BadString { span: Span, message: String },
    TrailingComma { span: Span },
}

impl Json {
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::Str(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            JsonKind::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.kind {
            JsonKind::Array(items) => Some(items),
            _ => None,
        }
    }
}

/// Checks that `bytes` are UTF-8; on failure reports the first bad byte.
pub fn check_utf8(bytes: &[u8]) -> Result<&str, JsonError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let len = e.error_len().unwrap_or(1);
        JsonError::InvalidUtf8 { span: Span::new(at, at + len) }
    })
}

/// Parses one JSON document. The tree is `None` only when a hard syntax error stopped the parse.
pub fn parse(text: &str) -> (Option<Json>, Vec<JsonError>) {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0, errors: Vec::new() };
    parser.skip_space();
    if parser.pos >= parser.bytes.len() {
        return (None, vec![JsonError::Empty]);
    }
    let root = parser.value(0).ok();
    if root.is_some() {
        parser.skip_space();
        if parser.pos < parser.bytes.len() {
            let span = Span::new(parser.pos, parser.pos + 1);
            parser.errors.push(JsonError::Syntax {
                span,
                message: "unexpected content after the end of the document".into(),
                label: "I expected nothing after the closing brace".into(),
            });
            return (None, parser.errors);
        }
    }
    (root, parser.errors)
}

/// Marker: a hard error was recorded and parsing must stop.
struct Stop;

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    errors: Vec<JsonError>,
}

impl Parser<'_> {
    fn value(&mut self, depth: usize) -> Result<Json, Stop> {
        self.skip_space();
        let start = self.pos;
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Json { kind: JsonKind::Str(s), span: Span::new(start, self.pos) })
            }
            Some(b't') => self.keyword("true", JsonKind::Bool(true)),
            Some(b'f') => self.keyword("false", JsonKind::Bool(false)),
            Some(b'n') => self.keyword("null", JsonKind::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.unexpected("a value (object, array, string, number, true, false or null)")),
            None => Err(self.eof("a value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, Stop> {
        let start = self.pos;
        self.enter(depth, start)?;
        self.pos += 1;
        let mut members: Vec<Member> = Vec::new();
        // Large objects find duplicates through a map; small ones by a scan.
        let mut seen: std::collections::HashMap<String, Span> = std::collections::HashMap::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json { kind: JsonKind::Object(members), span: Span::new(start, self.pos) });
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a string key in double quotes"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_space();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("a `:` after the key"));
            }
            self.pos += 1;
            let value = self.value(depth + 1)?;
            let first = if members.len() < 16 {
                members.iter().find(|m| m.key == key).map(|m| m.key_span)
            } else {
                if seen.is_empty() {
                    seen.extend(members.iter().map(|m| (m.key.clone(), m.key_span)));
                }
                match seen.get(&key) {
                    Some(span) => Some(*span),
                    None => {
                        seen.insert(key.clone(), key_span);
                        None
                    }
                }
            };
            if let Some(first) = first {
                self.errors.push(JsonError::DuplicateKey { key: key.clone(), first, second: key_span });
            }
            members.push(Member { key, key_span, value });
            self.skip_space();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_space();
                    if self.peek() == Some(b'}') {
                        self.errors.push(JsonError::TrailingComma { span: Span::new(comma, comma + 1) });
                        self.pos += 1;
                        break;
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => return Err(self.unexpected("a `,` or `}` after this member")),
                None => return Err(self.eof("a `,` or `}` to close the object")),
            }
        }
        Ok(Json { kind: JsonKind::Object(members), span: Span::new(start, self.pos) })
    }

    fn array(&mut self, depth: usize) -> Result<Json, Stop> {
        let start = self.pos;
        self.enter(depth, start)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json { kind: JsonKind::Array(items), span: Span::new(start, self.pos) });
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_space();
                    if self.peek() == Some(b']') {
                        self.errors.push(JsonError::TrailingComma { span: Span::new(comma, comma + 1) });
                        self.pos += 1;
                        break;
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => return Err(self.unexpected("a `,` or `]` after this element")),
                None => return Err(self.eof("a `,` or `]` to close the array")),
            }
        }
        Ok(Json { kind: JsonKind::Array(items), span: Span::new(start, self.pos) })
    }

    fn enter(&mut self, depth: usize, start: usize) -> Result<(), Stop> {
        if depth >= MAX_DEPTH {
            self.errors.push(JsonError::TooDeep { span: Span::new(start, start + 1) });
            return Err(Stop);
        }
        Ok(())
    }

    fn keyword(&mut self, word: &str, kind: JsonKind) -> Result<Json, Stop> {
        let start = self.pos;
        if self.text[self.pos..].starts_with(word) && !self.ident_char_at(self.pos + word.len()) {
            self.pos += word.len();
            return Ok(Json { kind, span: Span::new(start, self.pos) });
        }
        Err(self.unexpected("a value (object, array, string, number, true, false or null)"))
    }

    fn ident_char_at(&self, i: usize) -> bool {
        self.bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    }

    fn number(&mut self) -> Result<Json, Stop> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return Err(self.number_error(start, "numbers cannot have leading zeros"));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.number_error(start, "a `-` must be followed by digits")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.number_error(start, "a decimal point must be followed by digits"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.number_error(start, "an exponent must have digits"));
            }
            self.digits();
        }
        let text = self.text[start..self.pos].to_string();
        Ok(Json { kind: JsonKind::Number(text), span: Span::new(start, self.pos) })
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn number_error(&mut self, start: usize, message: &str) -> Stop {
        let end = (self.pos + 1).min(self.bytes.len()).max(start + 1);
        self.errors.push(JsonError::Syntax {
            span: Span::new(start, end),
            message: format!("invalid number: {message}"),
            label: "this number is not valid JSON".into(),
        });
        Stop
    }

    /// Reads a string starting at the opening quote; returns its decoded contents.
    fn string(&mut self) -> Result<String, Stop> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(b'\n') => {
                    // Almost always a missing closing quote: point at the string's start.
                    self.errors.push(JsonError::Syntax {
                        span: Span::new(open, open + 1),
                        message: "unterminated string".into(),
                        label: "this string is not closed before the end of its line (write a line break inside a string as \\n)".into(),
                    });
                    return Err(Stop);
                }
                Some(_) => return Err(self.bad_string(self.pos, self.pos + 1, "a control character must be escaped inside a string".into())),
                None => {
                    self.errors.push(JsonError::Syntax {
                        span: Span::new(open, open + 1),
                        message: "unterminated string".into(),
                        label: "this string is never closed".into(),
                    });
                    return Err(Stop);
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Stop> {
        let start = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                return self.unicode_escape(start, out);
            }
            _ => {
                let end = (self.pos + 1).min(self.bytes.len());
                let shown = self.text.get(start..end).unwrap_or("\\");
                return Err(self.bad_string(start, end, format!("`{shown}` is not a JSON escape (use `\\\\` for a backslash)")));
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn unicode_escape(&mut self, start: usize, out: &mut String) -> Result<(), Stop> {
        let high = self.hex4(start)?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.text[self.pos..].starts_with("\\u") {
                return Err(self.bad_string(start, self.pos, "a high surrogate must be followed by a low surrogate".into()));
            }
            self.pos += 2;
            let low = self.hex4(start)?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(self.bad_string(start, self.pos, "a high surrogate must be followed by a low surrogate".into()));
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        match char::from_u32(code) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => Err(self.bad_string(start, self.pos, "a lone low surrogate is not a character".into())),
        }
    }

    fn hex4(&mut self, start: usize) -> Result<u32, Stop> {
        let digits = self.text.get(self.pos..self.pos + 4).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => {
                let end = (self.pos + 4).min(self.bytes.len());
                Err(self.bad_string(start, end, "`\\u` must be followed by four hexadecimal digits".into()))
            }
        }
    }

    fn bad_string(&mut self, start: usize, end: usize, message: String) -> Stop {
        self.errors.push(JsonError::BadString { span: Span::new(start, end.max(start + 1)), message });
        Stop
    }

    /// Skips whitespace, and also comments (reporting each one) so parsing can go on.
    fn skip_space(&mut self) {
        loop {
            while self.peek().is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
                self.pos += 1;
            }
            let rest = &self.bytes[self.pos..];
            if rest.starts_with(b"//") {
                let start = self.pos;
                while self.peek().is_some_and(|b| b != b'\n') {
                    self.pos += 1;
                }
                self.errors.push(JsonError::Comment { span: Span::new(start, self.pos) });
            } else if rest.starts_with(b"/*") {
                let start = self.pos;
                let end = self.text[start + 2..].find("*/").map_or(self.bytes.len(), |i| start + 2 + i + 2);
                self.pos = end;
                self.errors.push(JsonError::Comment { span: Span::new(start, end) });
            } else {
                return;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn unexpected(&mut self, expected: &str) -> Stop {
        let Some(c) = self.text[self.pos..].chars().next() else {
            return self.eof(expected);
        };
        let span = Span::new(self.pos, self.pos + c.len_utf8());
        let found = describe_char(c);
        self.errors.push(JsonError::Syntax {
            span,
            message: format!("expected {expected}, found {found}"),
            label: format!("I was expecting {expected} here"),
        });
        Stop
    }

    fn eof(&mut self, expected: &str) -> Stop {
        let end = self.bytes.len();
        self.errors.push(JsonError::Syntax {
            span: Span::new(end.saturating_sub(1), end),
            message: format!("unexpected end of file, expected {expected}"),
            label: format!("the file ends here, but I was expecting {expected}"),
        });
        Stop
    }
}

/// How an unexpected character is named in a message: invisible ones by their code point, so
/// that an editor's byte order mark or a no-break space is not shown as an empty `` ` ` ``.
fn describe_char(c: char) -> String {
    match c {
        '\'' => "a single quote (JSON strings use double quotes)".into(),
        '\u{feff}' => "a byte order mark (U+FEFF; save the file as UTF-8 without a BOM)".into(),
        _ if c.is_control() || c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}') => format!("the invisible character U+{:04X}", u32::from(c)),
        _ => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Json {
        let (json, errors) = parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        json.expect("a tree")
    }

    #[test]
    fn values_keep_spans_and_key_order() {
        let json = ok(r#"{"b": [1, 2.5, "x"], "a": true}"#);
        let members = json.as_object().expect("object");
        assert_eq!(members[0].key, "b");
        assert_eq!(members[1].key, "a");
        assert_eq!(members[0].key_span, Span::new(1, 4));
        let items = members[0].value.as_array().expect("array");
        assert_eq!(items[1].kind, JsonKind::Number("2.5".into()));
        assert_eq!(items[1].span, Span::new(10, 13));
    }

    #[test]
    fn escapes_decode() {
        let json = ok(r#""a\"b\\c\n\u00e9\ud83d\ude00""#);
        assert_eq!(json.as_str(), Some("a\"b\\c\né😀"));
    }

    #[test]
    fn duplicate_keys_point_at_both() {
        let (_, errors) = parse(r#"{"a": 1, "a": 2}"#);
        assert_eq!(errors, vec![JsonError::DuplicateKey { key: "a".into(), first: Span::new(1, 4), second: Span::new(9, 12) }]);
    }

    #[test]
    fn comments_are_reported_and_skipped() {
        let (json, errors) = parse("{\n // hi\n \"a\": 1 /* x */}");
        assert!(json.is_some());
        assert_eq!(errors.len(), 2);
        assert!(matches!(errors[0], JsonError::Comment { .. }));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let (json, errors) = parse(&text);
        assert!(json.is_none());
        assert!(matches!(errors[0], JsonError::TooDeep { .. }));
    }

    #[test]
    fn strict_numbers() {
        for bad in ["01", "1.", "-", "1e", ".5", "+1", "NaN", "Infinity"] {
            let (json, errors) = parse(bad);
            assert!(json.is_none() && !errors.is_empty(), "{bad} accepted");
        }
    }

    #[test]
    fn truncated_documents_fail() {
        for bad in ["{", "{\"a\"", "{\"a\":", "[1,", "\"abc", "{\"a\": 1"] {
            let (json, errors) = parse(bad);
            assert!(json.is_none() && !errors.is_empty(), "{bad} accepted");
        }
    }

    #[test]
    fn empty_and_trailing() {
        assert_eq!(parse("  \n").1, vec![JsonError::Empty]);
        assert!(parse("{} {}").0.is_none());
        let (json, errors) = parse("[1,]");
        assert!(json.is_some());
        assert!(matches!(errors[0], JsonError::TrailingComma { .. }));
    }

    #[test]
    fn invalid_utf8_reports_first_bad_byte() {
        let err = check_utf8(b"{\"a\": \"\xff\"}").expect_err("invalid");
        assert_eq!(err, JsonError::InvalidUtf8 { span: Span::new(7, 8) });
    }
}
