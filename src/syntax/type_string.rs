//! The type mini-language inside SIRS strings: `i32`, `Point`, `Pair<A, B>`, `[T]`, `(A, B)`,
//! `dyn Shape`, read into a `TypeExpr` with nesting limited to [`MAX_TYPE_DEPTH`] levels (so no
//! later phase walks an unbounded type).

use super::parse::is_identifier;
use crate::ast::*;
use crate::span::Span;

/// Deepest nesting of `<…>`, `[…]` and `(…)` accepted in a type string.
pub const MAX_TYPE_DEPTH: usize = 64;

/// A reader for the type mini-language in strings.
pub(super) struct TypeReader<'a> {
    pub(super) text: &'a str,
    pub(super) pos: usize,
    pub(super) span: Span,
    /// Brackets open around `pos`.
    pub(super) depth: usize,
}

/// Why a type string could not be read.
pub(super) enum TypeProblem {
    Malformed(String),
    /// Nesting goes past [`MAX_TYPE_DEPTH`] at byte `at` of the string.
    TooDeep { at: usize },
}

impl From<String> for TypeProblem {
    fn from(message: String) -> TypeProblem {
        TypeProblem::Malformed(message)
    }
}

impl From<&str> for TypeProblem {
    fn from(message: &str) -> TypeProblem {
        TypeProblem::Malformed(message.into())
    }
}

/// The span of byte `at` of a string literal's text, when the literal has no escapes (so its
/// source bytes are the text between two quotes); otherwise the whole literal.
pub(super) fn span_within_string(literal: Span, text: &str, at: usize) -> Span {
    let unescaped = literal.range().len() == text.len() + 2;
    if unescaped && at < text.len() {
        let start = literal.range().start + 1 + at;
        Span::new(start, start + 1)
    } else {
        literal
    }
}

impl TypeReader<'_> {
    pub(super) fn skip_space(&mut self) {
        while self.text[self.pos..].starts_with(' ') {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.text[self.pos..].starts_with(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Enters one more bracket, refusing to go past [`MAX_TYPE_DEPTH`].
    fn open(&mut self) -> Result<(), TypeProblem> {
        self.depth += 1;
        if self.depth > MAX_TYPE_DEPTH { Err(TypeProblem::TooDeep { at: self.pos.saturating_sub(1) }) } else { Ok(()) }
    }

    pub(super) fn parse(&mut self) -> Result<TypeExpr, TypeProblem> {
        self.skip_space();
        let span = self.span;
        if self.eat('[') {
            self.open()?;
            let inner = self.parse()?;
            self.depth -= 1;
            if !self.eat(']') {
                return Err("missing `]` after the element type".into());
            }
            return Ok(TypeExpr { kind: TypeExprKind::Array(Box::new(inner)), span });
        }
        if self.eat('(') {
            self.open()?;
            let items = self.list(')')?;
            self.depth -= 1;
            return Ok(TypeExpr { kind: TypeExprKind::Tuple(items), span });
        }
        let start = self.pos;
        while self.text[self.pos..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            self.pos += 1;
        }
        let word = &self.text[start..self.pos];
        if word == "dyn" && self.text[self.pos..].starts_with(' ') {
            // `dyn Shape`: a trait object.
            let inner = self.parse()?;
            return match inner.kind {
                TypeExprKind::Named { name, args } if args.is_empty() => Ok(TypeExpr { kind: TypeExprKind::TraitObject(name), span }),
                _ => Err("`dyn` must be followed by a trait name".into()),
            };
        }
        if !is_identifier(word) {
            return Err(if self.text.is_empty() { TypeProblem::from("a type name cannot be empty") } else { format!("`{}` is not a type", self.text).into() });
        }
        let args = if self.eat('<') {
            self.open()?;
            let args = self.list('>')?;
            self.depth -= 1;
            args
        } else {
            Vec::new()
        };
        Ok(TypeExpr { kind: TypeExprKind::Named { name: Name::new(word, span), args }, span })
    }

    fn list(&mut self, close: char) -> Result<Vec<TypeExpr>, TypeProblem> {
        let mut items = Vec::new();
        if self.eat(close) {
            return Ok(items);
        }
        loop {
            items.push(self.parse()?);
            if self.eat(close) {
                return Ok(items);
            }
            if !self.eat(',') {
                return Err(format!("expected `,` or `{close}` in type").into());
            }
        }
    }
}
