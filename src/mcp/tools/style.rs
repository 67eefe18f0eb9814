//! `format`, `lint` and `doc`: `sev fmt`'s canonical layout, `sev lint`'s rules and
//! `sev doc`'s documentation page as tools.
//!
//! `format` returns the canonical text (nothing is written); a program that is not valid JSON
//! gets the reader's diagnostics with `isError`. `lint` returns each finding as a diagnostic
//! (code L0001…, span, hint), takes rule levels like a `--config` file's `lint` key, and with
//! `fix` also returns the program with the mechanical repairs applied. `doc` returns the page
//! `sev doc` would write for the program, in Markdown or HTML.

use super::source::{self, Source};
use super::{Args, Context, Outcome, Tool, schema, wrong};
use crate::diagnostic::Diagnostic;
use crate::fmt::{self, Formatted};
use crate::lint::{self, Config};
use crate::mcp::protocol::RpcError;
use crate::span::SourceFile;
use serde_json::{Map, Value, json};

pub fn tools() -> Vec<Tool> {
    vec![
        Tool {
            name: "format",
            title: "Format a program",
            description: "Lays a SIRS program out canonically, as `sev fmt` does (keys in canonical order, two-space indentation, a node on one line when it fits in 100 columns; numbers, strings and map orders kept as written) and returns the text; `changed` says whether it differs from the input.",
            input: || schema::input(json!({"program": schema::program()}), &["program"]),
            output: || schema::report_with(json!({"formatted": {"type": "string"}, "changed": {"type": "boolean"}, "source": {"type": "string"}}), &[]),
            read_only: true,
            destructive: false,
            call: format,
        },
        Tool {
            name: "lint",
            title: "Lint a program",
            description: "Runs `sev lint`'s rules (L0001… general, L0101… probabilistic) on a program that type-checks and returns each finding as a diagnostic. `rules` sets levels like a lint config ({\"shadowing\": \"allow\", \"L0008\": \"deny\"}); `data` (Stan JSON) lets wide-prior compare priors with the data; `fix` also returns the program with the mechanical repairs applied.",
            input: || {
                schema::input(
                    json!({
                        "program": schema::program(),
                        "rules": {"type": "object", "additionalProperties": {"enum": ["allow", "warn", "deny"]}},
                        "data": {"type": "object"},
                        "fix": {"type": "boolean"}
                    }),
                    &["program"],
                )
            },
            output: || {
                schema::report_with(
                    json!({"findings": {"type": "integer"}, "fixable": {"type": "integer"}, "fixed": {"type": "string"}, "applied": {"type": "integer"}, "source": {"type": "string"}}),
                    &[],
                )
            },
            read_only: true,
            destructive: false,
            call: lint_tool,
        },
        Tool {
            name: "doc",
            title: "Document a program",
            description: "The documentation page `sev doc` writes for a program that checks: its models (data, parameters, priors, what they observe), types, traits, implementations, functions and declared distributions, each with its signature and doc text, in Markdown (default) or HTML.",
            input: || schema::input(json!({"program": schema::program(), "format": {"enum": ["markdown", "html"]}}), &["program"]),
            output: || schema::report_with(json!({"page": {"type": "string"}, "format": {"type": "string"}, "items": {"type": "integer"}, "source": {"type": "string"}}), &[]),
            read_only: true,
            destructive: false,
            call: doc_tool,
        },
    ]
}

/// The report fields for diagnostics that are not a `Compilation`'s.
fn report(file: &SourceFile, diagnostics: &[Diagnostic], source: &Source) -> Map<String, Value> {
    let compilation = crate::driver::Compilation { file: file.clone(), diagnostics: diagnostics.to_vec(), cir: None, zig: None };
    source::report(&compilation, source)
}

fn format(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let source = source::program(args)?;
    match fmt::format(source::FILE_NAME, source.text.as_bytes()) {
        Formatted::Text(text) => {
            let mut fields = report(&SourceFile::new(source::FILE_NAME, ""), &[], &source);
            fields.insert("changed".into(), json!(text != source.text));
            fields.insert("formatted".into(), json!(text));
            Ok(Outcome::ok(Value::Object(fields)))
        }
        Formatted::Invalid(file, diagnostics) => {
            let rendered = crate::diagnostic::render_all(&diagnostics, &file, false);
            let mut fields = report(&file, &diagnostics, &source);
            fields.insert("ok".into(), json!(false));
            Ok(Outcome::new(Value::Object(fields), true).with_text(rendered))
        }
    }
}

fn lint_config(args: &Args) -> Result<Config, RpcError> {
    let mut config = Config::default();
    if let Some(rules) = args.get("rules") {
        config.set_from_json(&json!({ "lint": rules })).map_err(|e| wrong("rules", &format!("an object of rule: level ({e})")))?;
    }
    if let Some(data) = args.get("data") {
        let Value::Object(fields) = data else { return Err(wrong("data", "a JSON object (Stan's data format)")) };
        config.data = fields.iter().map(|(k, v)| (k.clone(), numbers(v))).collect();
    }
    Ok(config)
}

/// The numbers of a data value, flattened (as `sev lint --data` reads them).
fn numbers(value: &Value) -> Vec<f64> {
    match value {
        Value::Number(n) => n.as_f64().into_iter().collect(),
        Value::Array(items) => items.iter().flat_map(numbers).collect(),
        _ => Vec::new(),
    }
}

fn lint_tool(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let source = source::program(args)?;
    let config = lint_config(args)?;
    let fix = args.opt_bool("fix")?.unwrap_or(false);
    let outcome = lint::lint_source(source::FILE_NAME, source.text.as_bytes(), &config);
    let mut fields = report(&outcome.file, &outcome.diagnostics, &source);
    let fixable = outcome.findings.iter().filter(|f| !f.fix.is_empty()).count();
    fields.insert("findings".into(), json!(outcome.findings.len()));
    fields.insert("fixable".into(), json!(fixable));
    if fix {
        let edits: Vec<lint::fix::Edit> = outcome.findings.iter().flat_map(|f| f.fix.iter().cloned()).collect();
        let (fixed, applied) = lint::fix::apply(&outcome.file.text, &edits);
        fields.insert("fixed".into(), json!(fixed));
        fields.insert("applied".into(), json!(applied));
    }
    let is_error = outcome.diagnostics.iter().any(Diagnostic::is_error);
    let rendered = crate::diagnostic::render_all(&outcome.diagnostics, &outcome.file, false);
    Ok(Outcome::new(Value::Object(fields), is_error).with_text(rendered))
}

fn doc_tool(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let source = source::program(args)?;
    let html = match args.opt_string("format")? {
        None | Some("markdown") => false,
        Some("html") => true,
        Some(_) => return Err(wrong("format", "\"markdown\" or \"html\"")),
    };
    let compilation = source::compile(&source, false);
    let read = crate::syntax::read(source::FILE_NAME, source.text.as_bytes());
    let Some(program) = read.program.filter(|_| !compilation.has_errors()) else {
        return Ok(source::report_outcome(&compilation, &source, Map::new()));
    };
    let page = crate::doc::page(source::FILE_NAME, "program", &program);
    let items = page.items.len();
    let text = if html {
        let site = crate::doc::Site { title: source::FILE_NAME.to_string(), pages: vec![page] };
        crate::doc::html_files(&site).into_iter().next().map(|o| o.contents).unwrap_or_default()
    } else {
        crate::doc::page_markdown(&page)
    };
    let mut extra = Map::new();
    extra.insert("format".into(), json!(if html { "html" } else { "markdown" }));
    extra.insert("items".into(), json!(items));
    extra.insert("page".into(), json!(text));
    Ok(source::report_outcome(&compilation, &source, extra))
}
