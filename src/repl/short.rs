//! The REPL's short syntax: a line such as `let n = f(2) * 3` instead of the SIRS JSON it
//! stands for. Every form maps to exactly one SIRS node (`docs/cli.md` gives the grammar and
//! the mapping), so the translation is JSON that the ordinary parser and checker read; it
//! keeps, for every node it writes, the range of the short syntax it came from, so that
//! diagnostics point into what the user typed.

use super::synth::{Node, value_end};
use crate::span::Span;
use std::ops::Range;

/// The JSON a short-syntax input stands for, and where each of its nodes came from.
#[derive(Debug)]
pub struct Translation {
    pub json: String,
    pub nodes: Vec<Node>,
}

/// A mistake in short syntax: what is wrong and where.
#[derive(Debug, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// Translates one input (a statement, a function definition or an expression).
pub fn translate(text: &str) -> Result<Translation, SyntaxError> {
    let tokens = lex(text)?;
    let mut parser = Parser { text, tokens, pos: 0 };
    let input = parser.input()?;
    if let Some(extra) = parser.tokens.get(parser.pos) {
        return Err(SyntaxError { message: format!("unexpected `{}` after a complete input", &text[extra.at.clone()]), span: span(&extra.at) });
    }
    let mut out = Emitter::new(text);
    out.input(&input);
    Ok(Translation { json: out.json, nodes: out.nodes })
}

/// Translates an expression only (for `:type`).
pub fn translate_expr(text: &str) -> Result<Translation, SyntaxError> {
    let tokens = lex(text)?;
    let mut parser = Parser { text, tokens, pos: 0 };
    let expr = parser.expr()?;
    if let Some(extra) = parser.tokens.get(parser.pos) {
        return Err(SyntaxError { message: format!("unexpected `{}` after the expression", &text[extra.at.clone()]), span: span(&extra.at) });
    }
    let mut out = Emitter::new(text);
    out.expr(&expr);
    Ok(Translation { json: out.json, nodes: out.nodes })
}

fn span(r: &Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Number,
    Str,
    Ident,
    Punct,
    /// A SIRS JSON expression written inside the short syntax (from `{` to its `}`).
    Json,
}

#[derive(Clone, Debug)]
struct Token {
    kind: Tok,
    at: Range<usize>,
}

const PUNCTS: [&str; 23] = ["->", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", ",", ".", ":", "=", "<", ">", "+", "-", "*", "/", "%", "!"];

fn lex(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let kind = if b.is_ascii_digit() {
            i = number_end(bytes, i);
            Tok::Number
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            Tok::Ident
        } else if b == b'"' {
            i = string_end(text, i)?;
            Tok::Str
        } else if b == b'{' {
            i = value_end(text, i);
            if !text[..i].ends_with('}') {
                return Err(SyntaxError { message: "this JSON expression is not closed".into(), span: Span::new(start, i) });
            }
            Tok::Json
        } else if let Some(p) = PUNCTS.iter().find(|p| text[i..].starts_with(**p)) {
            i += p.len();
            Tok::Punct
        } else {
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            return Err(SyntaxError { message: format!("unexpected character `{}`", &text[i..i + len]), span: Span::new(i, i + len) });
        };
        tokens.push(Token { kind, at: start..i });
    }
    Ok(tokens)
}

/// The end of a number: digits, then an optional fraction and exponent, as JSON writes them.
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let digits = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
    };
    digits(&mut i);
    if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
        i += 1;
        digits(&mut i);
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = j;
            digits(&mut i);
        }
    }
    i
}

/// The end of a string literal (JSON's escapes); its contents are checked by JSON's rules.
fn string_end(text: &str, start: usize) -> Result<usize, SyntaxError> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => {
                let literal = &text[start..=i];
                return match serde_json::from_str::<String>(literal) {
                    Ok(_) => Ok(i + 1),
                    Err(_) => Err(SyntaxError { message: "this string is not a valid JSON string (check its escapes)".into(), span: Span::new(start, i + 1) }),
                };
            }
            _ => i += 1,
        }
    }
    Err(SyntaxError { message: "this string has no closing quote".into(), span: Span::new(start, text.len()) })
}

#[derive(Debug)]
enum Input {
    Let { name: Range<usize>, mutable: bool, ty: Option<Range<usize>>, value: Expr, at: Range<usize> },
    Assign { target: Expr, value: Expr, at: Range<usize> },
    Fn { name: Range<usize>, params: Vec<(Range<usize>, Range<usize>)>, ret: Option<Range<usize>>, body: Expr, at: Range<usize> },
    Expr(Expr),
}

#[derive(Debug)]
struct Expr {
    kind: ExprKind,
    at: Range<usize>,
}

#[derive(Debug)]
enum ExprKind {
    /// A number, string or boolean, as written.
    Literal(Range<usize>),
    /// A minus sign directly before a number: a negative literal, as JSON writes it.
    NegLiteral(Range<usize>),
    /// SIRS JSON, copied as written.
    Json(Range<usize>),
    Var(Range<usize>),
    Call(Range<usize>, Vec<Expr>),
    Op(&'static str, Vec<Expr>),
    Field(Box<Expr>, Range<usize>),
    Index(Box<Expr>, Box<Expr>),
    Array(Vec<Expr>),
    Tuple(Vec<Expr>),
}

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Token>,
    pos: usize,
}

/// Binary operators by precedence level, lowest first: (symbol, SIRS operator kind).
const LEVELS: [&[(&str, &str)]; 5] = [
    &[("||", "or")],
    &[("&&", "and")],
    &[("==", "eq"), ("!=", "ne"), ("<", "lt"), ("<=", "le"), (">", "gt"), (">=", "ge")],
    &[("+", "add"), ("-", "sub")],
    &[("*", "mul"), ("/", "div"), ("%", "mod")],
];

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(|t| &self.text[t.at.clone()])
    }

    fn peek_kind(&self) -> Option<Tok> {
        self.tokens.get(self.pos).map(|t| t.kind.clone())
    }

    fn here(&self) -> Range<usize> {
        self.tokens.get(self.pos).map_or(self.text.len()..self.text.len(), |t| t.at.clone())
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        let at = self.here();
        let found = if at.is_empty() { "the end of the input".to_string() } else { format!("`{}`", &self.text[at.clone()]) };
        SyntaxError { message: format!("{}, found {found}", message.into()), span: span(&at) }
    }

    fn eat(&mut self, punct: &str) -> bool {
        let hit = self.peek() == Some(punct) && self.peek_kind() != Some(Tok::Str);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect(&mut self, punct: &str) -> Result<Range<usize>, SyntaxError> {
        let at = self.here();
        if self.eat(punct) { Ok(at) } else { Err(self.error(format!("expected `{punct}`"))) }
    }

    fn name(&mut self) -> Result<Range<usize>, SyntaxError> {
        if self.peek_kind() == Some(Tok::Ident) {
            let at = self.here();
            self.pos += 1;
            Ok(at)
        } else {
            Err(self.error("expected a name"))
        }
    }

    fn input(&mut self) -> Result<Input, SyntaxError> {
        let start = self.here().start;
        if self.peek() == Some("let") && self.peek_kind() == Some(Tok::Ident) {
            self.pos += 1;
            let mutable = self.peek() == Some("mut") && self.tokens.get(self.pos + 1).is_some_and(|t| t.kind == Tok::Ident);
            if mutable {
                self.pos += 1;
            }
            let name = self.name()?;
            let ty = if self.eat(":") { Some(self.type_text(&["="])?) } else { None };
            self.expect("=")?;
            let value = self.expr()?;
            let at = start..value.at.end;
            return Ok(Input::Let { name, mutable, ty, value, at });
        }
        if self.peek() == Some("fn") && self.tokens.get(self.pos + 1).is_some_and(|t| t.kind == Tok::Ident) {
            return self.function(start);
        }
        let expr = self.expr()?;
        if self.eat("=") {
            let value = self.expr()?;
            let at = start..value.at.end;
            return Ok(Input::Assign { target: expr, value, at });
        }
        Ok(Input::Expr(expr))
    }

    fn function(&mut self, start: usize) -> Result<Input, SyntaxError> {
        self.pos += 1;
        let name = self.name()?;
        self.expect("(")?;
        let mut params = Vec::new();
        if !self.eat(")") {
            loop {
                let param = self.name()?;
                self.expect(":")?;
                params.push((param, self.type_text(&[",", ")"])?));
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        let ret = if self.eat("->") { Some(self.type_text(&["="])?) } else { None };
        self.expect("=")?;
        let body = self.expr()?;
        let at = start..body.at.end;
        Ok(Input::Fn { name, params, ret, body, at })
    }

    /// A SIRS type string, up to one of `stops` outside brackets.
    fn type_text(&mut self, stops: &[&str]) -> Result<Range<usize>, SyntaxError> {
        let start = self.here();
        let mut depth = 0i32;
        let mut end = start.start;
        while let Some(t) = self.peek() {
            if depth == 0 && stops.contains(&t) {
                break;
            }
            match t {
                "<" | "[" | "(" => depth += 1,
                ">" | "]" | ")" => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                break;
            }
            end = self.here().end;
            self.pos += 1;
        }
        if end == start.start {
            return Err(self.error("expected a type"));
        }
        Ok(start.start..end)
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        self.binary(0)
    }

    fn binary(&mut self, level: usize) -> Result<Expr, SyntaxError> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        loop {
            let found = LEVELS[level].iter().find(|(sym, _)| self.peek() == Some(*sym) && self.peek_kind() == Some(Tok::Punct));
            let Some((_, kind)) = found else { return Ok(left) };
            self.pos += 1;
            let right = self.binary(level + 1)?;
            let at = left.at.start..right.at.end;
            left = Expr { kind: ExprKind::Op(kind, vec![left, right]), at };
            // Comparisons do not chain: `a < b < c` is a mistake, not `(a < b) < c`.
            if level == 2 {
                return Ok(left);
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        let start = self.here();
        if self.eat("-") {
            if self.peek_kind() == Some(Tok::Number) && self.here().start == start.end {
                let at = start.start..self.here().end;
                self.pos += 1;
                return self.postfix(Expr { kind: ExprKind::NegLiteral(at.clone()), at });
            }
            let operand = self.unary()?;
            let at = start.start..operand.at.end;
            return Ok(Expr { kind: ExprKind::Op("neg", vec![operand]), at });
        }
        if self.eat("!") {
            let operand = self.unary()?;
            let at = start.start..operand.at.end;
            return Ok(Expr { kind: ExprKind::Op("not", vec![operand]), at });
        }
        let primary = self.primary()?;
        self.postfix(primary)
    }

    fn postfix(&mut self, mut expr: Expr) -> Result<Expr, SyntaxError> {
        loop {
            if self.eat(".") {
                let field = self.here();
                if !matches!(self.peek_kind(), Some(Tok::Ident | Tok::Number)) {
                    return Err(self.error("expected a field name or position"));
                }
                self.pos += 1;
                let at = expr.at.start..field.end;
                expr = Expr { kind: ExprKind::Field(Box::new(expr), field), at };
            } else if self.eat("[") {
                let index = self.expr()?;
                let close = self.expect("]")?;
                let at = expr.at.start..close.end;
                expr = Expr { kind: ExprKind::Index(Box::new(expr), Box::new(index)), at };
            } else {
                return Ok(expr);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let at = self.here();
        match self.peek_kind() {
            Some(Tok::Number | Tok::Str) => {
                self.pos += 1;
                Ok(Expr { kind: ExprKind::Literal(at.clone()), at })
            }
            Some(Tok::Json) => {
                self.pos += 1;
                Ok(Expr { kind: ExprKind::Json(at.clone()), at })
            }
            Some(Tok::Ident) if matches!(self.peek(), Some("true" | "false")) => {
                self.pos += 1;
                Ok(Expr { kind: ExprKind::Literal(at.clone()), at })
            }
            Some(Tok::Ident) => {
                self.pos += 1;
                if self.eat("(") {
                    let (args, close) = self.list(")")?;
                    return Ok(Expr { kind: ExprKind::Call(at.clone(), args), at: at.start..close.end });
                }
                Ok(Expr { kind: ExprKind::Var(at.clone()), at })
            }
            Some(Tok::Punct) if self.eat("[") => {
                let (items, close) = self.list("]")?;
                Ok(Expr { kind: ExprKind::Array(items), at: at.start..close.end })
            }
            Some(Tok::Punct) if self.eat("(") => {
                let first = self.expr()?;
                if self.eat(")") {
                    return Ok(first);
                }
                if !self.eat(",") {
                    return Err(self.error("expected `,` or `)`"));
                }
                let (mut rest, close) = self.list(")")?;
                rest.insert(0, first);
                Ok(Expr { kind: ExprKind::Tuple(rest), at: at.start..close.end })
            }
            _ => Err(self.error("expected an expression")),
        }
    }

    /// Comma-separated expressions up to `close` (already past the opening bracket).
    fn list(&mut self, close: &str) -> Result<(Vec<Expr>, Range<usize>), SyntaxError> {
        let mut items = Vec::new();
        loop {
            let at = self.here();
            if self.eat(close) {
                return Ok((items, at));
            }
            items.push(self.expr()?);
            let at = self.here();
            if self.eat(close) {
                return Ok((items, at));
            }
            if !self.eat(",") {
                return Err(self.error(format!("expected `,` or `{close}`")));
            }
        }
    }
}

/// Writes the JSON and records each node's ranges.
struct Emitter<'t> {
    text: &'t str,
    json: String,
    nodes: Vec<Node>,
}

impl Emitter<'_> {
    fn node(&mut self, at: &Range<usize>, write: impl FnOnce(&mut Self)) {
        let start = self.json.len();
        write(self);
        self.nodes.push(Node { json: start..self.json.len(), src: at.clone(), verbatim: false });
    }

    fn new(text: &str) -> Emitter<'_> {
        Emitter { text, json: String::new(), nodes: Vec::new() }
    }

    /// Writes the short syntax at `r` as a JSON string.
    fn quote(&mut self, r: &Range<usize>) {
        let text = self.text;
        self.string(&text[r.clone()]);
    }

    fn raw(&mut self, s: &str) {
        self.json.push_str(s);
    }

    fn string(&mut self, s: &str) {
        super::synth::push_json_string(&mut self.json, s);
    }

    fn input(&mut self, input: &Input) {
        match input {
            Input::Expr(e) => self.expr(e),
            Input::Let { name, mutable, ty, value, at } => self.node(at, |out| {
                out.raw("{\"let\": {\"name\": ");
                out.node(name, |out| out.quote(name));
                if let Some(ty) = ty {
                    out.raw(", \"type\": ");
                    out.node(ty, |out| out.quote(ty));
                }
                if *mutable {
                    out.raw(", \"mutable\": true");
                }
                out.raw(", \"value\": ");
                out.expr(value);
                out.raw("}}");
            }),
            Input::Assign { target, value, at } => self.node(at, |out| {
                out.raw("{\"assign\": {\"target\": ");
                out.expr(target);
                out.raw(", \"value\": ");
                out.expr(value);
                out.raw("}}");
            }),
            Input::Fn { name, params, ret, body, at } => self.node(at, |out| {
                out.raw("{\"functions\": {");
                out.node(name, |out| out.quote(name));
                out.raw(": {\"args\": [");
                for (i, (param, ty)) in params.iter().enumerate() {
                    if i > 0 {
                        out.raw(", ");
                    }
                    out.node(&(param.start..ty.end), |out| {
                        out.raw("{\"name\": ");
                        out.node(param, |out| out.quote(param));
                        out.raw(", \"type\": ");
                        out.node(ty, |out| out.quote(ty));
                        out.raw("}");
                    });
                }
                out.raw("], \"return\": ");
                match ret {
                    Some(ty) => out.node(ty, |out| out.quote(ty)),
                    None => out.raw("\"void\""),
                }
                out.raw(", \"body\": [");
                out.node(&body.at, |out| {
                    out.raw(if ret.is_some() { "{\"return\": " } else { "{\"expression\": " });
                    out.expr(body);
                    out.raw("}");
                });
                out.raw("]}}}");
            }),
        }
    }

    fn expr(&mut self, e: &Expr) {
        let source = self.text;
        let text = |r: &Range<usize>| source[r.clone()].to_string();
        self.node(&e.at, |out| match &e.kind {
            ExprKind::Literal(r) | ExprKind::NegLiteral(r) => {
                out.raw("{\"literal\": ");
                out.raw(&text(r));
                out.raw("}");
            }
            ExprKind::Json(r) => {
                let start = out.json.len();
                out.raw(&text(r));
                out.nodes.push(Node { json: start..out.json.len(), src: r.clone(), verbatim: true });
            }
            ExprKind::Var(r) => {
                out.raw("{\"var\": ");
                out.string(&text(r));
                out.raw("}");
            }
            ExprKind::Call(name, args) => {
                out.raw("{\"call\": {\"function\": ");
                out.node(name, |out| out.quote(name));
                out.raw(", \"args\": ");
                out.list(args);
                out.raw("}}");
            }
            ExprKind::Op(kind, args) => {
                out.raw(&format!("{{\"op\": {{\"kind\": \"{kind}\", \"args\": "));
                out.list(args);
                out.raw("}}");
            }
            ExprKind::Field(object, field) => {
                out.raw("{\"field\": {\"object\": ");
                out.expr(object);
                out.raw(", \"field\": ");
                let name = text(field);
                if name.bytes().all(|b| b.is_ascii_digit()) {
                    out.raw(&name)
                } else {
                    out.string(&name)
                }
                out.raw("}}");
            }
            ExprKind::Index(array, index) => {
                out.raw("{\"index\": {\"array\": ");
                out.expr(array);
                out.raw(", \"index\": ");
                out.expr(index);
                out.raw("}}");
            }
            ExprKind::Array(items) => {
                out.raw("{\"array\": ");
                out.list(items);
                out.raw("}");
            }
            ExprKind::Tuple(items) => {
                out.raw("{\"tuple\": ");
                out.list(items);
                out.raw("}");
            }
        });
    }

    fn list(&mut self, items: &[Expr]) {
        self.raw("[");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.raw(", ");
            }
            self.expr(item);
        }
        self.raw("]");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> String {
        match translate(text) {
            Ok(t) => t.json,
            Err(e) => panic!("{text}: {e:?}"),
        }
    }

    #[test]
    fn each_form_is_one_sirs_node() {
        assert_eq!(json("42"), r#"{"literal": 42}"#);
        assert_eq!(json("-2.5"), r#"{"literal": -2.5}"#);
        assert_eq!(json("- x"), r#"{"op": {"kind": "neg", "args": [{"var": "x"}]}}"#);
        assert_eq!(json("1 + 2 * 3"), r#"{"op": {"kind": "add", "args": [{"literal": 1}, {"op": {"kind": "mul", "args": [{"literal": 2}, {"literal": 3}]}}]}}"#);
        assert_eq!(json("a - b - c"), r#"{"op": {"kind": "sub", "args": [{"op": {"kind": "sub", "args": [{"var": "a"}, {"var": "b"}]}}, {"var": "c"}]}}"#);
        assert_eq!(json("!ok && n >= 1"), r#"{"op": {"kind": "and", "args": [{"op": {"kind": "not", "args": [{"var": "ok"}]}}, {"op": {"kind": "ge", "args": [{"var": "n"}, {"literal": 1}]}}]}}"#);
        assert_eq!(json("f(x, \"s\")"), r#"{"call": {"function": "f", "args": [{"var": "x"}, {"literal": "s"}]}}"#);
        assert_eq!(json("p.x"), r#"{"field": {"object": {"var": "p"}, "field": "x"}}"#);
        assert_eq!(json("t.0"), r#"{"field": {"object": {"var": "t"}, "field": 0}}"#);
        assert_eq!(json("xs[i]"), r#"{"index": {"array": {"var": "xs"}, "index": {"var": "i"}}}"#);
        assert_eq!(json("[1, 2]"), r#"{"array": [{"literal": 1}, {"literal": 2}]}"#);
        assert_eq!(json("(1, true)"), r#"{"tuple": [{"literal": 1}, {"literal": true}]}"#);
        assert_eq!(json("(1)"), r#"{"literal": 1}"#);
        assert_eq!(json("let mut n: i32 = 0"), r#"{"let": {"name": "n", "type": "i32", "mutable": true, "value": {"literal": 0}}}"#);
        assert_eq!(json("xs[0] = 1"), r#"{"assign": {"target": {"index": {"array": {"var": "xs"}, "index": {"literal": 0}}}, "value": {"literal": 1}}}"#);
        assert_eq!(json("fn f(a: map<str, i64>) -> i64 = a"), r#"{"functions": {"f": {"args": [{"name": "a", "type": "map<str, i64>"}], "return": "i64", "body": [{"return": {"var": "a"}}]}}}"#);
        assert_eq!(json("fn hi() = print(1)"), r#"{"functions": {"hi": {"args": [], "return": "void", "body": [{"expression": {"call": {"function": "print", "args": [{"literal": 1}]}}}]}}}"#);
        assert_eq!(json("f({\"var\": \"x\"})"), r#"{"call": {"function": "f", "args": [{"var": "x"}]}}"#);
    }

    #[test]
    fn mistakes_are_located() {
        let err = |text: &str| translate(text).err().map(|e| (e.message, e.span.range()));
        assert_eq!(err("1 +"), Some(("expected an expression, found the end of the input".into(), 3..3)));
        assert_eq!(err("a < b < c"), Some(("unexpected `<` after a complete input".into(), 6..7)));
        assert_eq!(err("f(1 2)"), Some(("expected `,` or `)`, found `2`".into(), 4..5)));
        assert_eq!(err("\"abc"), Some(("this string has no closing quote".into(), 0..4)));
        assert_eq!(err("x # y"), Some(("unexpected character `#`".into(), 2..3)));
    }

    #[test]
    fn nodes_point_back_into_the_short_syntax() {
        let t = translate("let n = f(1) + 2").map_err(|e| e.message);
        let Ok(t) = t else { panic!("no translation") };
        let call = t.json.find("{\"call\"").unwrap_or(0);
        let node = t.nodes.iter().filter(|n| n.json.start == call).min_by_key(|n| n.json.len());
        assert_eq!(node.map(|n| n.src.clone()), Some(8..12));
    }
}
