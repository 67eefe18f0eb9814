//! One input as the session reads it: JSON (when it starts with `{`) or the short syntax
//! translated to JSON, then sorted into definitions (an object of program sections, or a whole
//! `{"program": …}`), statements (an object with a statement key) or an expression.

use super::short;
use super::synth::Json;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::syntax::error::ParseError;
use crate::syntax::json::{self, JsonKind, Member};
use std::rc::Rc;

/// The sections of a program that hold definitions, in the order the REPL writes them.
pub const SECTIONS: &[&str] = &["functions", "types", "constants", "interfaces", "trait_impls", "externs", "distributions"];

/// The keys that make an object a statement rather than an expression.
/// (`hierarchical` and `model` are read as statements so that the checker says why they cannot
/// run here, rather than the parser calling them unknown expressions.)
const STATEMENTS: &[&str] = &["let", "assign", "if", "while", "for", "match", "return", "break", "continue", "expression", "try", "throw", "observe", "factor", "prob_assert", "comment", "hierarchical", "model"];

/// One definition: a member of a section (or an element of `trait_impls`, which has no name).
#[derive(Clone, Debug)]
pub struct Def {
    pub section: String,
    pub name: Option<String>,
    pub json: Json,
    pub key_span: Option<Span>,
    pub span: Span,
}

#[derive(Debug)]
pub enum Kind {
    Defs(Vec<Def>),
    /// Statements (their spans in the JSON), the names their top-level `let`s bind, with
    /// whether each is mutable, and the bindings whose new values the REPL shows (those bound
    /// or assigned).
    Stmts {
        spans: Vec<Span>,
        names: Vec<(String, bool)>,
        shown: Vec<String>,
    },
    Expr(Span),
}

#[derive(Debug)]
pub struct Parsed {
    pub json: Json,
    pub kind: Kind,
}

/// Reads an input typed at the prompt.
pub fn parse(source: usize, text: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let json = to_json(source, text, short::translate)?;
    let tree = read_json(&json.text)?;
    let kind = classify(&json, &tree);
    if matches!(kind, Kind::Defs(_)) {
        section_shapes(&tree)?;
    }
    Ok(Parsed { json, kind })
}

/// Every section of a definition input must be an object (`trait_impls` an array).
fn section_shapes(tree: &json::Json) -> Result<(), Vec<Diagnostic>> {
    let members = tree.as_object().unwrap_or_default();
    let inner = members.iter().filter(|m| m.key == "program").filter_map(|m| m.value.as_object()).flatten();
    let problems: Vec<Diagnostic> = members
        .iter()
        .chain(inner)
        .filter(|m| SECTIONS.contains(&m.key.as_str()))
        .filter(|m| if m.key == "trait_impls" { m.value.as_array().is_none() } else { m.value.as_object().is_none() })
        .map(|m| {
            let expected = if m.key == "trait_impls" { "an array" } else { "an object" };
            Diagnostic::new(Code::E0103, format!("Wrong kind of value for `{}`", m.key)).primary(m.value.span, format!("expected {expected}, found {}", m.value.type_name()))
        })
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Reads the expression of `:type`.
pub fn parse_expr(source: usize, text: &str) -> Result<Json, Vec<Diagnostic>> {
    let json = to_json(source, text, short::translate_expr)?;
    read_json(&json.text)?;
    Ok(json)
}

/// Reads the definitions of a program file (`:load`); its `entry` is not used.
pub fn parse_file(source: usize, text: &str) -> Result<Vec<Def>, Vec<Diagnostic>> {
    let json = Json::verbatim(source, text);
    let tree = read_json(text)?;
    section_shapes(&tree)?;
    let program = tree.as_object().and_then(|members| members.iter().find(|m| m.key == "program"));
    match program {
        Some(m) if m.value.as_object().is_some() => Ok(definitions(&json, m.value.as_object().unwrap_or_default())),
        _ => Err(vec![
            Diagnostic::new(Code::E0606, "This file is not a SIRS program")
                .primary(Span::new(tree.span.start as usize, tree.span.start as usize + 1), "expected an object with the key `program`")
                .hint("`:load` reads `.sirs.json` files"),
        ]),
    }
}

fn to_json(source: usize, text: &str, translate: fn(&str) -> Result<short::Translation, short::SyntaxError>) -> Result<Json, Vec<Diagnostic>> {
    if text.trim_start().starts_with('{') {
        return Ok(Json::verbatim(source, text));
    }
    match translate(text) {
        Ok(t) => Ok(Json { source, text: Rc::from(t.json.as_str()), nodes: Some(Rc::new(t.nodes)) }),
        Err(e) => {
            Err(vec![Diagnostic::new(Code::E0601, "This input is not valid short syntax").primary(e.span, e.message).hint("write SIRS JSON (starting with `{`) or see `:help` for the short syntax")])
        }
    }
}

fn read_json(text: &str) -> Result<json::Json, Vec<Diagnostic>> {
    let (tree, errors) = json::parse(text);
    if !errors.is_empty() || tree.is_none() {
        return Err(errors.into_iter().map(|e| ParseError::Json(e).to_diagnostic()).collect());
    }
    tree.ok_or_else(|| vec![Diagnostic::new(Code::E0005, "The input is empty")])
}

fn classify(json: &Json, tree: &json::Json) -> Kind {
    let Some(members) = tree.as_object() else { return Kind::Expr(tree.span) };
    let is_def = |m: &Member| SECTIONS.contains(&m.key.as_str()) || (m.key == "program" && m.value.as_object().is_some());
    if !members.is_empty() && members.iter().all(is_def) {
        let mut defs = Vec::new();
        for m in members {
            match (m.key.as_str(), m.value.as_object()) {
                ("program", Some(inner)) => defs.extend(definitions(json, inner)),
                _ => defs.extend(section(json, m)),
            }
        }
        return Kind::Defs(defs);
    }
    match members {
        [m] if STATEMENTS.contains(&m.key.as_str()) => {
            let names = bound_names(m);
            let shown = names.iter().map(|(n, _)| n.clone()).chain(assigned_root(m)).collect();
            Kind::Stmts { spans: vec![tree.span], names, shown }
        }
        _ => Kind::Expr(tree.span),
    }
}

fn definitions(json: &Json, program: &[Member]) -> Vec<Def> {
    program.iter().filter(|m| SECTIONS.contains(&m.key.as_str())).flat_map(|m| section(json, m)).collect()
}

fn section(json: &Json, m: &Member) -> Vec<Def> {
    match &m.value.kind {
        JsonKind::Object(items) => {
            items.iter().map(|item| Def { section: m.key.clone(), name: Some(item.key.clone()), json: json.clone(), key_span: Some(item.key_span), span: item.value.span }).collect()
        }
        JsonKind::Array(items) => items.iter().map(|item| Def { section: m.key.clone(), name: None, json: json.clone(), key_span: None, span: item.span }).collect(),
        // A section of the wrong JSON type: written as an empty one, and reported.
        _ => Vec::new(),
    }
}

/// The names a top-level `let` binds: its `name`, or the variables of its `pattern`.
fn bound_names(m: &Member) -> Vec<(String, bool)> {
    if m.key != "let" {
        return Vec::new();
    }
    let Some(fields) = m.value.as_object() else { return Vec::new() };
    let get = |key: &str| fields.iter().find(|f| f.key == key).map(|f| &f.value);
    let mutable = matches!(get("mutable").map(|v| &v.kind), Some(JsonKind::Bool(true)));
    if let Some(name) = get("name").and_then(json::Json::as_str) {
        return vec![(name.to_string(), mutable)];
    }
    let mut names = Vec::new();
    if let Some(pattern) = get("pattern") {
        pattern_vars(pattern, &mut names);
    }
    names.into_iter().map(|n| (n, false)).collect()
}

/// The variable at the root of an `assign`'s target.
fn assigned_root(m: &Member) -> Option<String> {
    if m.key != "assign" {
        return None;
    }
    let target = m.value.as_object()?.iter().find(|f| f.key == "target")?;
    let mut place = &target.value;
    loop {
        match &place.kind {
            JsonKind::Str(name) => return Some(name.clone()),
            JsonKind::Object(members) => {
                let [inner] = members.as_slice() else { return None };
                match (inner.key.as_str(), &inner.value.kind) {
                    ("var", JsonKind::Str(name)) => return Some(name.clone()),
                    ("field", JsonKind::Object(fields)) => place = &fields.iter().find(|f| f.key == "object")?.value,
                    ("index", JsonKind::Object(fields)) => place = &fields.iter().find(|f| f.key == "array")?.value,
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
}

fn pattern_vars(p: &json::Json, out: &mut Vec<String>) {
    match &p.kind {
        JsonKind::Object(members) => {
            for m in members {
                match (m.key.as_str(), m.value.as_str()) {
                    ("var" | "bind", Some(name)) => out.push(name.to_string()),
                    _ => pattern_vars(&m.value, out),
                }
            }
        }
        JsonKind::Array(items) => items.iter().for_each(|i| pattern_vars(i, out)),
        _ => {}
    }
}
