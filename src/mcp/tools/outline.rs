//! A program's outline read from its spanned JSON tree: the functions (signature, spans) and
//! every reference from one function to another (`call.function`, `infer.model`, and the
//! `log_density`/`sampler` of declared distributions), each with the span of the name.
//!
//! The analysis and edit tools work on this outline rather than on the AST so that edits can
//! splice the user's text at exact byte ranges and leave everything else byte for byte as it
//! was. It is syntactic: it needs valid JSON with a `program.functions` object, not a program
//! that type-checks.

use crate::span::Span;
use crate::syntax::json::{self, Json, JsonKind, Member};
use std::collections::HashMap;

pub struct Outline {
    pub entry: String,
    pub functions: Vec<Function>,
    pub references: Vec<Reference>,
    /// The `program.functions` object (for inserting a function).
    pub functions_object: Json,
    /// Each function's position in `functions`.
    index: HashMap<String, usize>,
}

pub struct Function {
    pub name: String,
    /// The span of the name (the key, with its quotes).
    pub key_span: Span,
    /// The whole member: from the key to the end of the definition.
    pub member_span: Span,
    pub definition: Json,
    pub params: Vec<(String, String)>,
    pub ret: String,
    pub is_async: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Call,
    Infer,
    LogDensity,
    Sampler,
}

impl RefKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Call => "call",
            RefKind::Infer => "infer",
            RefKind::LogDensity => "log_density",
            RefKind::Sampler => "sampler",
        }
    }
}

pub struct Reference {
    /// The function whose body holds the reference; `None` for a distribution declaration.
    pub from: Option<String>,
    pub to: String,
    /// The span of the name string (with its quotes).
    pub span: Span,
    pub kind: RefKind,
}

impl Outline {
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.position(name).map(|i| &self.functions[i])
    }

    /// The function's position in source order.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn names(&self) -> Vec<&str> {
        self.functions.iter().map(|f| f.name.as_str()).collect()
    }

    pub fn is_function(&self, name: &str) -> bool {
        self.function(name).is_some()
    }
}

/// Reads the outline; `Err` says why the text has none (the `check` diagnostics say more).
pub fn read(text: &str) -> Result<Outline, String> {
    let (tree, errors) = json::parse(text);
    let tree = match tree {
        Some(t) if errors.is_empty() => t,
        _ => return Err("the program is not valid JSON (call `check` for the located diagnostics)".into()),
    };
    let program = member(&tree, "program").ok_or("the document has no \"program\" object")?;
    let functions_object = member(program, "functions").filter(|f| f.as_object().is_some()).ok_or("the program has no \"functions\" object")?;
    let entry = member(program, "entry").and_then(Json::as_str).unwrap_or("main").to_string();
    let mut functions = Vec::new();
    let mut references = Vec::new();
    for m in functions_object.as_object().unwrap_or_default() {
        functions.push(function(m));
        if let Some(body) = member(&m.value, "body") {
            collect_references(body, &m.key, &mut references);
        }
    }
    if let Some(dists) = member(program, "distributions").and_then(Json::as_object) {
        for d in dists {
            for (key, kind) in [("log_density", RefKind::LogDensity), ("sampler", RefKind::Sampler)] {
                if let Some(name) = member(&d.value, key).filter(|n| n.as_str().is_some()) {
                    references.push(Reference { from: None, to: name.as_str().unwrap_or_default().to_string(), span: name.span, kind });
                }
            }
        }
    }
    let index = functions.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
    Ok(Outline { entry, functions, references, functions_object: functions_object.clone(), index })
}

/// The 1-based line of a byte offset (without the column, which costs a scan of the line).
pub fn line_of(file: &crate::span::SourceFile, offset: u32) -> u32 {
    u32::try_from(file.line_starts().partition_point(|start| *start <= offset as usize)).unwrap_or(u32::MAX)
}

pub fn member<'a>(object: &'a Json, key: &str) -> Option<&'a Json> {
    object.as_object()?.iter().find(|m| m.key == key).map(|m| &m.value)
}

fn function(m: &Member) -> Function {
    let params = member(&m.value, "args")
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .map(|p| (member(p, "name").and_then(Json::as_str).unwrap_or("?").to_string(), member(p, "type").map_or("?".to_string(), type_text)))
        .collect();
    let ret = member(&m.value, "return").map_or("void".to_string(), type_text);
    let is_async = matches!(member(&m.value, "async").map(|a| &a.kind), Some(JsonKind::Bool(true)));
    Function { name: m.key.clone(), key_span: m.key_span, member_span: m.key_span.to(m.value.span), definition: m.value.clone(), params, ret, is_async }
}

/// A type as written: a type string as it is, any other form as compact JSON.
pub fn type_text(ty: &Json) -> String {
    match &ty.kind {
        JsonKind::Str(s) => s.clone(),
        _ => to_value(ty).to_string(),
    }
}

/// The tree without spans.
pub fn to_value(node: &Json) -> serde_json::Value {
    use serde_json::Value;
    match &node.kind {
        JsonKind::Null => Value::Null,
        JsonKind::Bool(b) => Value::Bool(*b),
        JsonKind::Number(n) => serde_json::from_str(n).unwrap_or(Value::Null),
        JsonKind::Str(s) => Value::String(s.clone()),
        JsonKind::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        JsonKind::Object(members) => Value::Object(members.iter().map(|m| (m.key.clone(), to_value(&m.value))).collect()),
    }
}

fn collect_references(node: &Json, from: &str, out: &mut Vec<Reference>) {
    match &node.kind {
        JsonKind::Array(items) => items.iter().for_each(|i| collect_references(i, from, out)),
        JsonKind::Object(members) => {
            for m in members {
                let named = match m.key.as_str() {
                    "call" => member(&m.value, "function").map(|n| (n, RefKind::Call)),
                    "infer" => member(&m.value, "model").map(|n| (n, RefKind::Infer)),
                    _ => None,
                };
                if let Some((name, kind)) = named
                    && let Some(text) = name.as_str()
                {
                    out.push(Reference { from: Some(from.to_string()), to: text.to_string(), span: name.span, kind });
                }
                collect_references(&m.value, from, out);
            }
        }
        _ => {}
    }
}

/// Walks every node under `node`, depth first.
pub fn walk<'a>(node: &'a Json, visit: &mut dyn FnMut(&'a Json, Option<&'a str>)) {
    walk_keyed(node, None, visit);
}

fn walk_keyed<'a>(node: &'a Json, key: Option<&'a str>, visit: &mut dyn FnMut(&'a Json, Option<&'a str>)) {
    visit(node, key);
    match &node.kind {
        JsonKind::Array(items) => items.iter().for_each(|i| walk_keyed(i, None, visit)),
        JsonKind::Object(members) => members.iter().for_each(|m| walk_keyed(&m.value, Some(&m.key), visit)),
        _ => {}
    }
}
