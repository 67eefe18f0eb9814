//! The SARIF 2.1.0 form of lint results (`sev lint --format sarif`), the format code-scanning
//! services read: one run of the tool `sev` with every rule described once, and one result per
//! diagnostic with its rule, level, message and region (1-based lines and columns, columns
//! counted in Unicode code points as the run declares).

use super::RULES;
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::SourceFile;
use serde_json::{Value, json};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// One SARIF log for the diagnostics of several files.
pub fn log(files: &[(&SourceFile, &[Diagnostic])]) -> Value {
    let rules: Vec<Value> = RULES.iter().map(rule).collect();
    let results: Vec<Value> = files.iter().flat_map(|(file, diagnostics)| diagnostics.iter().map(move |d| result(file, d))).collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sev",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn rule(r: &super::Rule) -> Value {
    json!({
        "id": r.code.as_str(),
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "defaultConfiguration": {"level": "warning"},
    })
}

fn result(file: &SourceFile, d: &Diagnostic) -> Value {
    let mut message = d.title.clone();
    if let Some(hint) = &d.hint {
        message.push_str(&format!(" (hint: {hint})"));
    }
    let mut out = json!({
        "ruleId": d.code.as_str(),
        "level": if d.severity == Severity::Error { "error" } else { "warning" },
        "message": {"text": message},
        "locations": d.labels.iter().filter(|l| l.primary).map(|l| location(file, l.span, &l.message)).collect::<Vec<_>>(),
    });
    if let Some(index) = RULES.iter().position(|r| r.code == d.code) {
        out["ruleIndex"] = json!(index);
    }
    let related: Vec<Value> = d.labels.iter().filter(|l| !l.primary).map(|l| location(file, l.span, &l.message)).collect();
    if !related.is_empty() {
        out["relatedLocations"] = Value::Array(related);
    }
    out
}

/// A file path as a URI reference: the characters a URI does not allow are percent-encoded.
fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(file: &SourceFile, span: crate::span::Span, message: &str) -> Value {
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end);
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri_reference(&file.name)},
            "region": {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column},
        },
        "message": {"text": message},
    })
}

#[cfg(test)]
mod tests {
    use super::uri_reference;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_reference("examples/coin bias.sirs.json"), "examples/coin%20bias.sirs.json");
        assert_eq!(uri_reference("/tmp/a#b%c.sirs.json"), "/tmp/a%23b%25c.sirs.json");
        assert_eq!(uri_reference("modèle.sirs.json"), "mod%C3%A8le.sirs.json");
    }
}
