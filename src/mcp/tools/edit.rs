//! Queries and edits that keep every function body intact: rename a function (and every
//! reference to it), add, remove or replace a function, find the calls of a function and the
//! uses of a variable.
//!
//! Edits splice the program's own text at the byte ranges of the outline (`outline`): every
//! byte outside the edited names or the edited function stays as it was, formatting included.
//! Each edit returns the edited program and its check report; `isError` is set when the edited
//! program has errors (for example a call left to a removed function), so the agent sees them
//! at once.

use super::analysis::no_such_function;
use super::outline::{self, Outline};
use super::source::{self, Source, refusal, report_outcome};
use super::{Args, Context, Outcome, Tool, schema};
use crate::mcp::protocol::RpcError;
use crate::span::{SourceFile, Span};
use crate::syntax::json::{Json, JsonKind};
use serde_json::{Map, Value, json};

pub fn tools() -> Vec<Tool> {
    vec![
        Tool {
            name: "rename_function",
            title: "Rename a function",
            description: "Renames a function and every reference to it (calls, infer models, distribution log densities and samplers, the entry); returns the edited program (all other text unchanged) and its check report.",
            input: || schema::input(json!({"program": schema::program(), "from": {"type": "string"}, "to": {"type": "string"}}), &["program", "from", "to"]),
            output: edited_schema,
            read_only: true,
            destructive: false,
            call: rename_function,
        },
        Tool {
            name: "add_function",
            title: "Add a function",
            description: "Adds a function definition ({\"args\", \"return\", \"body\"}) under program.functions; returns the edited program and its check report.",
            input: || schema::input(json!({"program": schema::program(), "name": {"type": "string"}, "definition": {"type": ["object", "string"]}}), &["program", "name", "definition"]),
            output: edited_schema,
            read_only: true,
            destructive: false,
            call: add_function,
        },
        Tool {
            name: "remove_function",
            title: "Remove a function",
            description: "Removes a function; returns the edited program, the functions that still refer to it, and the check report (which then shows those references as errors).",
            input: || schema::input(json!({"program": schema::program(), "name": {"type": "string"}}), &["program", "name"]),
            output: edited_schema,
            read_only: true,
            destructive: false,
            call: remove_function,
        },
        Tool {
            name: "replace_function",
            title: "Replace a function",
            description: "Replaces one function's definition, leaving every other function as it was; returns the edited program and its check report.",
            input: || schema::input(json!({"program": schema::program(), "name": {"type": "string"}, "definition": {"type": ["object", "string"]}}), &["program", "name", "definition"]),
            output: edited_schema,
            read_only: true,
            destructive: false,
            call: replace_function,
        },
        Tool {
            name: "find_calls",
            title: "Find the calls of a function",
            description: "Every reference to a function: the calling function, the kind (call, infer, log_density, sampler), line, column and byte span of the name.",
            input: || schema::input(json!({"program": schema::program(), "function": {"type": "string"}}), &["program", "function"]),
            output: || schema::report_with(json!({"function": {"type": "string"}, "calls": {"type": "array", "items": location_schema(&["from", "kind"])}}), &[]),
            read_only: true,
            destructive: false,
            call: find_calls,
        },
        Tool {
            name: "find_variable_uses",
            title: "Find the uses of a variable",
            description: "Every place a variable name occurs in one function: as a parameter, a definition (let, for, catch), a write (assignment target) or a read; by name, so shadowing variables of the same name are listed too.",
            input: || schema::input(json!({"program": schema::program(), "function": {"type": "string"}, "variable": {"type": "string"}}), &["program", "function", "variable"]),
            output: || schema::report_with(json!({"function": {"type": "string"}, "variable": {"type": "string"}, "uses": {"type": "array", "items": location_schema(&["kind"])}}), &[]),
            read_only: true,
            destructive: false,
            call: find_variable_uses,
        },
    ]
}

fn edited_schema() -> Value {
    schema::report_with(json!({"program": {"type": "string", "description": "the edited program"}, "edits": {"type": "integer"}, "still_referenced_by": {"type": "array", "items": {"type": "string"}}, "message": {"type": "string"}}), &[])
}

fn location_schema(extra: &[&str]) -> Value {
    let mut props = json!({"line": {"type": "integer"}, "column": {"type": "integer"}, "start": {"type": "integer"}, "end": {"type": "integer"}});
    for key in extra {
        props[*key] = json!({"type": ["string", "null"]});
    }
    let mut required = vec!["line", "column", "start", "end"];
    required.extend_from_slice(extra);
    schema::object(props, &required)
}

/// A function name argument: non-empty, no control characters.
fn name_arg<'a>(args: &'a Args, key: &str) -> Result<&'a str, RpcError> {
    let name = args.string(key)?;
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(RpcError::invalid_params(format!("argument \"{key}\" must be a non-empty name without control characters")));
    }
    Ok(name)
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// Applies replacements of byte ranges (which must not overlap).
fn splice(text: &str, mut edits: Vec<(Span, String)>) -> String {
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut out = text.to_string();
    for (span, replacement) in edits {
        out.replace_range(span.range(), &replacement);
    }
    out
}

/// The result of an edit: the edited program with its check report.
fn edited(text: String, edits: usize, extra: Map<String, Value>) -> Outcome {
    let source = Source::new(text);
    let compilation = source::compile(&source, false);
    let mut fields = Map::new();
    fields.insert("program".into(), json!(source.text));
    fields.insert("edits".into(), json!(edits));
    fields.extend(extra);
    report_outcome(&compilation, &source, fields)
}

fn rename_function(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let from = name_arg(args, "from")?.to_string();
    let to = name_arg(args, "to")?.to_string();
    let (source, outline, compilation) = prepared!(args);
    let Some(function) = outline.function(&from) else {
        return Ok(no_such_function(&compilation, &source, &outline, &from));
    };
    if outline.is_function(&to) {
        return Ok(refusal(Some((&compilation, &source)), format!("the program already has a function `{to}`")));
    }
    let new_name = json_string(&to);
    let mut edits = vec![(function.key_span, new_name.clone())];
    edits.extend(outline.references.iter().filter(|r| r.to == from).map(|r| (r.span, new_name.clone())));
    if let Some(entry) = entry_name_span(&source.text).filter(|_| outline.entry == from) {
        edits.push((entry, new_name));
    }
    let count = edits.len();
    Ok(edited(splice(&source.text, edits), count, Map::new()))
}

/// The span of `program.entry`'s string, when the program names its entry.
fn entry_name_span(text: &str) -> Option<Span> {
    let (tree, _) = crate::syntax::json::parse(text);
    let tree = tree?;
    let entry = outline::member(outline::member(&tree, "program")?, "entry")?;
    entry.as_str().map(|_| entry.span)
}

/// A function definition argument: a JSON object (or its text) with a body.
fn definition_arg(args: &Args) -> Result<Value, RpcError> {
    let definition = args.object("definition")?;
    if !definition.get("body").is_some_and(Value::is_array) {
        return Err(RpcError::invalid_params("argument \"definition\" must be a function object with a \"body\" array (and \"args\", \"return\")"));
    }
    Ok(Value::Object(definition))
}

/// `value` pretty-printed, its continuation lines indented like the line at `at`.
fn indented(value: &Value, text: &str, at: u32) -> (String, String) {
    let file = SourceFile::new("", text);
    let line_start = file.line_starts().get(file.line_col(at).0 as usize - 1).copied().unwrap_or(0);
    let indent: String = text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let pretty = source::pretty(value).replace('\n', &format!("\n{indent}"));
    (indent, pretty)
}

fn add_function(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let name = name_arg(args, "name")?.to_string();
    let definition = definition_arg(args)?;
    let (source, outline, compilation) = prepared!(args);
    if outline.is_function(&name) {
        return Ok(refusal(Some((&compilation, &source)), format!("the program already has a function `{name}`; use replace_function to change it")));
    }
    let object = &outline.functions_object;
    let edit = match outline.functions.last() {
        Some(last) => {
            let (indent, pretty) = indented(&definition, &source.text, last.key_span.start);
            (Span::new(last.member_span.end as usize, last.member_span.end as usize), format!(",\n{indent}{}: {pretty}", json_string(&name)))
        }
        None => {
            let at = object.span.start as usize + 1;
            (Span::new(at, at), format!("{}: {}", json_string(&name), source::pretty(&definition)))
        }
    };
    Ok(edited(splice(&source.text, vec![edit]), 1, Map::new()))
}

fn remove_function(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let name = name_arg(args, "name")?.to_string();
    let (source, outline, compilation) = prepared!(args);
    let Some(index) = outline.functions.iter().position(|f| f.name == name) else {
        return Ok(no_such_function(&compilation, &source, &outline, &name));
    };
    let span = removal_span(&outline, index);
    let mut callers: Vec<String> = outline.references.iter().filter(|r| r.to == name && r.from.as_deref() != Some(name.as_str())).map(|r| r.from.clone().unwrap_or_else(|| "a distribution declaration".into())).collect();
    callers.dedup();
    let mut extra = Map::new();
    extra.insert("still_referenced_by".into(), json!(callers));
    Ok(edited(splice(&source.text, vec![(span, String::new())]), 1, extra))
}

/// The text to delete for the function at `index`: the member and one separating comma.
fn removal_span(outline: &Outline, index: usize) -> Span {
    let functions = &outline.functions;
    let this = &functions[index];
    if let Some(next) = functions.get(index + 1) {
        Span::new(this.member_span.start as usize, next.key_span.start as usize)
    } else if index > 0 {
        Span::new(functions[index - 1].member_span.end as usize, this.member_span.end as usize)
    } else {
        this.member_span
    }
}

fn replace_function(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let name = name_arg(args, "name")?.to_string();
    let definition = definition_arg(args)?;
    let (source, outline, compilation) = prepared!(args);
    let Some(function) = outline.function(&name) else {
        return Ok(no_such_function(&compilation, &source, &outline, &name));
    };
    let (_, pretty) = indented(&definition, &source.text, function.key_span.start);
    Ok(edited(splice(&source.text, vec![(function.definition.span, pretty)]), 1, Map::new()))
}

fn location(file: &SourceFile, span: Span) -> Value {
    let (line, column) = file.line_col(span.start);
    json!({"line": line, "column": column, "start": span.start, "end": span.end})
}

fn find_calls(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let name = name_arg(args, "function")?.to_string();
    let (source, outline, compilation) = prepared!(args);
    let file = SourceFile::new(source::FILE_NAME, source.text.as_str());
    let calls: Vec<Value> = outline
        .references
        .iter()
        .filter(|r| r.to == name)
        .map(|r| {
            let mut at = location(&file, r.span);
            at["from"] = json!(r.from);
            at["kind"] = json!(r.kind.as_str());
            at
        })
        .collect();
    let mut fields = source::report(&compilation, &source);
    fields.insert("function".into(), json!(name));
    fields.insert("calls".into(), json!(calls));
    Ok(Outcome::ok(Value::Object(fields)))
}

fn find_variable_uses(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let function_name = name_arg(args, "function")?.to_string();
    let variable = name_arg(args, "variable")?.to_string();
    let (source, outline, compilation) = prepared!(args);
    let Some(function) = outline.function(&function_name) else {
        return Ok(no_such_function(&compilation, &source, &outline, &function_name));
    };
    let file = SourceFile::new(source::FILE_NAME, source.text.as_str());
    let mut found: Vec<(Span, &str)> = Vec::new();
    for param in outline::member(&function.definition, "args").and_then(Json::as_array).unwrap_or_default() {
        if let Some(n) = outline::member(param, "name").filter(|n| n.as_str() == Some(&variable)) {
            found.push((n.span, "parameter"));
        }
    }
    if let Some(body) = outline::member(&function.definition, "body") {
        uses(body, &variable, false, &mut found);
    }
    let uses: Vec<Value> = found
        .into_iter()
        .map(|(span, kind)| {
            let mut at = location(&file, span);
            at["kind"] = json!(kind);
            at
        })
        .collect();
    let mut fields = source::report(&compilation, &source);
    fields.insert("function".into(), json!(function_name));
    fields.insert("variable".into(), json!(variable));
    fields.insert("uses".into(), json!(uses));
    Ok(Outcome::ok(Value::Object(fields)))
}

/// Collects the occurrences of `name` under `node`; `writing` inside an assignment target.
fn uses(node: &Json, name: &str, writing: bool, out: &mut Vec<(Span, &'static str)>) {
    match &node.kind {
        JsonKind::Array(items) => items.iter().for_each(|i| uses(i, name, writing, out)),
        JsonKind::Object(members) => {
            for m in members {
                let is_name = m.value.as_str() == Some(name);
                match m.key.as_str() {
                    "var" if is_name => out.push((m.value.span, if writing { "write" } else { "read" })),
                    "variable" if is_name => out.push((m.value.span, "definition")),
                    "name" if is_name && is_let(node) => out.push((m.value.span, "definition")),
                    "target" => uses(&m.value, name, true, out),
                    _ => uses(&m.value, name, writing && m.key != "index", out),
                }
            }
        }
        _ => {}
    }
}

/// A `let` statement's object: it has a `value` next to its `name`.
fn is_let(object: &Json) -> bool {
    outline::member(object, "value").is_some() && outline::member(object, "name").is_some()
}
