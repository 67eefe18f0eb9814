//! Problems found while reading a SIRS file (data), and their wording as diagnostics.
//!
//! JSON-level problems come from `syntax::json`; shape problems (unknown keys, missing keys,
//! values of the wrong JSON type, unknown statement or expression kinds) from `syntax::parse`.
//! All prose for this phase lives in [`ParseError::to_diagnostic`].

use super::json::JsonError;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum ParseError {
    Json(JsonError),
    Unreadable { message: String },
    UnknownKey { key: String, span: Span, context: String, suggestion: Option<String>, allowed: Vec<&'static str> },
    MissingKey { key: &'static str, span: Span, context: String },
    WrongJsonType { span: Span, context: String, expected: String, found: &'static str },
    /// A statement or expression object with no key, several keys, or an unknown key.
    BadNode { node: NodeKind, span: Span, problem: NodeProblem },
    BadType { span: Span, message: String, suggestion: Option<String> },
    TypeTooDeep { span: Span },
    NullLiteral { span: Span },
    UnknownOperator { span: Span, kind: String, suggestion: Option<String> },
    OperatorArity { span: Span, op: String, expected: &'static str, found: usize },
    BadIdentifier { span: Span, name: String, what: &'static str },
    Duplicate { what: &'static str, name: String, first: Span, second: Span },
    BadPattern { span: Span, message: String },
    BadAssignTarget { span: Span, found: String },
    NumberRange { span: Span, text: String },
    NameMismatch { span: Span, inner: String, key: String },
    /// A declarative `mixture` block whose weights or components are wrong (E0341).
    Mixture { span: Span, message: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Statement,
    Expression,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeProblem {
    NotAnObject { found: &'static str },
    Empty,
    SeveralKeys { keys: Vec<String> },
    Unknown { key: String, suggestion: Option<String> },
}

impl NodeKind {
    fn noun(self) -> &'static str {
        match self {
            NodeKind::Statement => "statement",
            NodeKind::Expression => "expression",
        }
    }

    fn article(self) -> &'static str {
        match self {
            NodeKind::Statement => "a",
            NodeKind::Expression => "an",
        }
    }

    fn code(self) -> Code {
        match self {
            NodeKind::Statement => Code::E0104,
            NodeKind::Expression => Code::E0105,
        }
    }
}

impl ParseError {
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            ParseError::Json(e) => json_diagnostic(e),
            ParseError::Unreadable { message } => Diagnostic::new(Code::E0009, format!("Cannot read the file: {message}")),
            ParseError::UnknownKey { key, span, context, suggestion, allowed } => {
                let label = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("{context} has no key `{key}`"),
                };
                Diagnostic::new(Code::E0101, format!("Unknown key `{key}` in {context}"))
                    .primary(*span, label)
                    .note(format!("allowed keys: {}", allowed.join(", ")))
            }
            ParseError::MissingKey { key, span, context } => {
                Diagnostic::new(Code::E0102, format!("Missing key `{key}` in {context}"))
                    .primary(*span, format!("this needs the key `{key}`"))
            }
            ParseError::WrongJsonType { span, context, expected, found } => {
                Diagnostic::new(Code::E0103, format!("Wrong kind of value for {context}"))
                    .primary(*span, format!("this is {found}"))
                    .expected_found(expected, found)
            }
            ParseError::BadNode { node, span, problem } => node_diagnostic(*node, *span, problem),
            ParseError::BadType { span, message, suggestion } => Diagnostic::new(Code::E0106, "Invalid type")
                .primary(*span, message.clone())
                .maybe_hint(suggestion.as_ref().map(|s| format!("did you mean `{s}`?"))),
            ParseError::TypeTooDeep { span } => Diagnostic::new(Code::E0114, "The type is nested too deeply")
                .primary(*span, format!("nesting goes beyond {} levels here", super::type_string::MAX_TYPE_DEPTH))
                .hint("name an inner part of the type with a type alias, or flatten it"),
            ParseError::NullLiteral { span } => Diagnostic::new(Code::E0107, "`null` is not a value")
                .primary(*span, "SIRS has no null")
                .hint("use an `Option` (`{\"enum\": {\"type\": \"Option\", \"variant\": \"None\"}}`) for a value that may be absent"),
            ParseError::UnknownOperator { span, kind, suggestion } => {
                Diagnostic::new(Code::E0108, format!("Unknown operator `{kind}`"))
                    .primary(*span, match suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "not an operator".to_string(),
                    })
                    .note("operators: add sub mul div mod pow eq ne lt le gt ge and or not neg bitand bitor bitxor bitnot shl shr")
            }
            ParseError::OperatorArity { span, op, expected, found } => {
                Diagnostic::new(Code::E0109, format!("Wrong number of operands for `{op}`"))
                    .primary(*span, format!("`{op}` takes {expected}"))
                    .expected_found(expected, format!("{found} operand{}", plural(*found)))
            }
            ParseError::BadIdentifier { span, name, what } => {
                Diagnostic::new(Code::E0110, format!("Invalid {what} name `{name}`"))
                    .primary(*span, "names are letters, digits and `_`, and do not start with a digit")
            }
            ParseError::Duplicate { what, name, first, second } => {
                Diagnostic::new(Code::E0111, format!("The {what} `{name}` is defined twice"))
                    .primary(*second, "defined again here")
                    .secondary(*first, "first defined here")
            }
            ParseError::Mixture { span, message } => Diagnostic::new(Code::E0341, "Invalid mixture")
                .primary(*span, message.clone())
                .hint("each component is {\"weight\": w, \"distribution\": d, \"params\": […]}, or the mixture has one \"weights\" array"),
            ParseError::BadPattern { span, message } => {
                Diagnostic::new(Code::E0112, "Invalid pattern").primary(*span, message.clone())
            }
            ParseError::BadAssignTarget { span, found } => Diagnostic::new(Code::E0113, "Invalid assignment target")
                .primary(*span, format!("cannot assign to {found}"))
                .hint("assign to a variable (`{\"var\": \"x\"}`), a field or an array element"),
            ParseError::NumberRange { span, text } => Diagnostic::new(Code::E0008, "Number out of range")
                .primary(*span, format!("`{text}` is too large to represent")),
            ParseError::NameMismatch { span, inner, key } => {
                Diagnostic::new(Code::E0110, format!("The name `{inner}` does not match its key `{key}`"))
                    .primary(*span, format!("this should be `{key}` or be left out"))
            }
        }
    }
}

fn node_diagnostic(node: NodeKind, span: Span, problem: &NodeProblem) -> Diagnostic {
    let noun = node.noun();
    let a = node.article();
    let kinds = match node {
        NodeKind::Statement => super::parse::STATEMENT_KEYS.join(" "),
        NodeKind::Expression => super::parse::EXPRESSION_KEYS.join(" "),
    };
    let d = match problem {
        NodeProblem::NotAnObject { found } => Diagnostic::new(node.code(), format!("Expected {a} {noun}"))
            .primary(span, format!("this is {found}, but {a} {noun} is a JSON object"))
            .hint(format!("{a} {noun} is an object with one key naming its kind, such as `{}`", example(node))),
        NodeProblem::Empty => Diagnostic::new(node.code(), format!("Empty {noun}"))
            .primary(span, format!("this {noun} has no key")),
        NodeProblem::SeveralKeys { keys } => Diagnostic::new(node.code(), format!("{} {noun} has several keys", if a == "an" { "An" } else { "A" }))
            .primary(span, format!("keys: {}", keys.join(", ")))
            .hint(format!("{a} {noun} object has exactly one key naming its kind; split it into several {noun}s")),
        NodeProblem::Unknown { key, suggestion } => Diagnostic::new(node.code(), format!("Unknown {noun} kind `{key}`"))
            .primary(span, match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("not {a} {noun} kind"),
            }),
    };
    d.note(format!("{noun} kinds: {kinds}"))
}

fn example(node: NodeKind) -> &'static str {
    match node {
        NodeKind::Statement => "{\"let\": {\"name\": \"x\", \"value\": {\"literal\": 1}}}",
        NodeKind::Expression => "{\"var\": \"x\"}",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn json_diagnostic(e: &JsonError) -> Diagnostic {
    match e {
        JsonError::Empty => Diagnostic::new(Code::E0005, "Empty file")
            .hint("a SIRS program is a JSON object: {\"program\": {\"functions\": {…}}}"),
        JsonError::InvalidUtf8 { span } => Diagnostic::new(Code::E0004, "The file is not valid UTF-8")
            .primary(*span, "this byte does not start a valid UTF-8 character")
            .hint("save the file as UTF-8"),
        JsonError::Syntax { span, message, label } => {
            Diagnostic::new(Code::E0001, format!("Invalid JSON: {message}")).primary(*span, label.clone())
        }
        JsonError::DuplicateKey { key, first, second } => Diagnostic::new(Code::E0002, format!("Duplicate key `{key}`"))
            .primary(*second, "this key is repeated")
            .secondary(*first, "first used here")
            .hint("JSON objects cannot hold the same key twice; merge or rename them"),
        JsonError::Comment { span } => Diagnostic::new(Code::E0003, "Comments are not allowed in JSON")
            .primary(*span, "this is a comment")
            .hint("use a statement {\"comment\": \"…\"} or a function's \"doc\" key instead"),
        JsonError::TooDeep { span } => Diagnostic::new(Code::E0006, "The JSON is nested too deeply")
            .primary(*span, format!("nesting goes beyond {} levels here", super::json::MAX_DEPTH)),
        JsonError::BadString { span, message } => {
            Diagnostic::new(Code::E0007, "Invalid string").primary(*span, message.clone())
        }
        JsonError::TrailingComma { span } => Diagnostic::new(Code::E0001, "Invalid JSON: trailing comma")
            .primary(*span, "JSON does not allow a comma before a closing bracket")
            .hint("remove this comma"),
    }
}
