//! The `program` argument and the diagnostics report every checking tool returns.

use super::{Args, Outcome, missing, wrong};
use crate::diagnostic::Diagnostic;
use crate::driver::{self, Compilation};
use crate::mcp::protocol::RpcError;
use serde_json::{Map, Value, json};

/// The name diagnostics carry for a program passed to a tool.
pub const FILE_NAME: &str = "program.sirs.json";

/// A program's text, as given or pretty-printed from a JSON object.
pub struct Source {
    pub text: String,
    /// The program came as a JSON object, so `text` was made here (and is returned).
    pub generated: bool,
}

impl Source {
    pub fn new(text: String) -> Source {
        Source { text, generated: false }
    }
}

/// The `program` argument.
pub fn program(args: &Args) -> Result<Source, RpcError> {
    program_named(args, "program")
}

pub fn program_named(args: &Args, name: &str) -> Result<Source, RpcError> {
    match args.get(name) {
        None => Err(missing(name, "the SIRS program, as JSON text or a JSON object")),
        Some(Value::String(text)) => Ok(Source::new(text.clone())),
        Some(value @ Value::Object(_)) => Ok(Source { text: pretty(value), generated: true }),
        Some(_) => Err(wrong(name, "a string (SIRS JSON text) or a JSON object")),
    }
}

pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Checks (and with `emit_zig` lowers and emits) a program.
pub fn compile(source: &Source, emit_zig: bool) -> Compilation {
    driver::compile(FILE_NAME, source.text.as_bytes(), driver::Options { emit_zig })
}

/// The diagnostics in source order, as JSON.
pub fn diagnostics(compilation: &Compilation) -> Vec<Value> {
    let mut sorted: Vec<&Diagnostic> = compilation.diagnostics.iter().collect();
    sorted.sort_by_key(|d| (d.primary_span().map_or(0, |s| s.start), d.code));
    sorted.iter().map(|d| d.to_json(&compilation.file)).collect()
}

/// `ok`, the error and warning counts and the diagnostics; `source` when the text was made here.
pub fn report(compilation: &Compilation, source: &Source) -> Map<String, Value> {
    let errors = compilation.diagnostics.iter().filter(|d| d.is_error()).count();
    let mut out = Map::new();
    out.insert("ok".into(), json!(errors == 0));
    out.insert("errors".into(), json!(errors));
    out.insert("warnings".into(), json!(compilation.diagnostics.len() - errors));
    out.insert("diagnostics".into(), Value::Array(diagnostics(compilation)));
    if source.generated {
        out.insert("source".into(), json!(source.text));
    }
    out
}

/// The report of `compilation` plus `extra`, with `isError` when it has errors.
pub fn report_outcome(compilation: &Compilation, source: &Source, extra: Map<String, Value>) -> Outcome {
    let mut fields = report(compilation, source);
    fields.extend(extra);
    Outcome::new(Value::Object(fields), compilation.has_errors()).with_text(rendered(compilation))
}

/// A call that could not do its work: `ok: false`, the message, and the program's report when
/// there is one (else an empty report), with `isError`.
pub fn refusal(checked: Option<(&Compilation, &Source)>, message: String) -> Outcome {
    let mut fields = match checked {
        Some((compilation, source)) => report(compilation, source),
        None => {
            let mut empty = Map::new();
            empty.insert("errors".into(), json!(0));
            empty.insert("warnings".into(), json!(0));
            empty.insert("diagnostics".into(), json!([]));
            empty
        }
    };
    fields.insert("ok".into(), json!(false));
    fields.insert("message".into(), json!(message.clone()));
    Outcome::new(Value::Object(fields), true).with_text(message)
}

/// The diagnostics rendered for people, without colour.
pub fn rendered(compilation: &Compilation) -> String {
    crate::diagnostic::render_all(&compilation.diagnostics, &compilation.file, false)
}

/// The program's JSON tree (key order kept), for tools that edit or query it.
pub fn tree(source: &Source) -> Result<Value, String> {
    serde_json::from_str(&source.text).map_err(|e| format!("the program is not valid JSON: {e}"))
}
