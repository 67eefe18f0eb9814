//! An agent-style session: a scripted client starts from a program with three errors (a
//! misspelt function, a misspelt variable, an i32 stored in an i64) and fixes it using nothing
//! but what the tools return — the byte spans of the primary labels, their "did you mean"
//! suggestions and the diagnostics' hints — then builds and runs it. The client knows no SIRS:
//! it applies two generic rules, so the test shows the diagnostics are enough to act on.

mod support;
#[path = "mcp/harness.rs"]
mod harness;

use harness::Raw;
use serde_json::{Value, json};
use sev::syntax::json::{self, Json, JsonKind};
use std::time::Duration;

/// One fix: replace the byte range with new text.
struct Fix {
    start: usize,
    end: usize,
    text: String,
}

/// The fixes the diagnostics suggest: a primary label "did you mean `X`?" replaces its span
/// with the JSON string X; a hint holding a JSON template with `…` stands for the expression
/// at the label (the smallest JSON object around the label's span: a label on a variable
/// marks just its name) and wraps it.
fn fixes(program: &str, diagnostics: &[Value]) -> Vec<Fix> {
    let mut out = Vec::new();
    for d in diagnostics.iter().filter(|d| d["severity"] == "error") {
        let Some(label) = d["labels"].as_array().and_then(|ls| ls.iter().find(|l| l["primary"] == true)) else { continue };
        let (start, end) = (label["start"].as_u64().unwrap_or(0) as usize, label["end"].as_u64().unwrap_or(0) as usize);
        let message = label["message"].as_str().unwrap_or_default();
        if let Some(name) = message.strip_prefix("did you mean `").and_then(|m| m.strip_suffix("`?")) {
            out.push(Fix { start, end, text: json!(name).to_string() });
        } else if let Some(template) = d["hint"].as_str().and_then(|h| h.find('{').map(|i| &h[i..])).filter(|t| t.contains('…')) {
            let (start, end) = enclosing_object(program, start, end);
            out.push(Fix { start, end, text: template.replace('…', &program[start..end]) });
        }
    }
    out
}

/// The smallest JSON object of `program` whose text contains `start..end`.
fn enclosing_object(program: &str, start: usize, end: usize) -> (usize, usize) {
    fn visit(node: &Json, start: usize, end: usize, best: &mut (usize, usize)) {
        let (s, e) = (node.span.start as usize, node.span.end as usize);
        if s > start || e < end {
            return;
        }
        if node.as_object().is_some() && e - s < best.1 - best.0 {
            *best = (s, e);
        }
        match &node.kind {
            JsonKind::Array(items) => items.iter().for_each(|i| visit(i, start, end, best)),
            JsonKind::Object(members) => members.iter().for_each(|m| visit(&m.value, start, end, best)),
            _ => {}
        }
    }
    let (tree, _) = json::parse(program);
    let mut best = (0, program.len());
    if let Some(tree) = tree {
        visit(&tree, start, end, &mut best);
    }
    best
}

fn apply(program: &str, mut fixes: Vec<Fix>) -> String {
    fixes.sort_by_key(|f| std::cmp::Reverse(f.start));
    let mut out = program.to_string();
    for f in fixes {
        out.replace_range(f.start..f.end, &f.text);
    }
    out
}

#[test]
fn a_scripted_agent_fixes_three_errors_from_the_diagnostics_then_builds_and_runs() {
    let mut server = Raw::start(&["--allow-run"]);
    server.send(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "scripted-agent", "version": "1"}}}));
    assert_eq!(server.response(&json!(0), Duration::from_secs(10))["result"]["protocolVersion"], "2025-11-25");
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    let mut program = std::fs::read_to_string(support::root().join("tests/mcp/three_errors.sirs.json")).expect("the broken program");
    let mut rounds = Vec::new();
    for round in 1..=4 {
        let checked = server.call(round, "check", json!({"program": program}));
        let result = &checked["result"]["structuredContent"];
        if result["ok"] == true {
            break;
        }
        let diagnostics = result["diagnostics"].as_array().expect("diagnostics");
        let todo = fixes(&program, diagnostics);
        assert!(!todo.is_empty(), "round {round}: no diagnostic says how to fix the program: {result:#}");
        rounds.push(diagnostics.iter().map(|d| d["code"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>());
        program = apply(&program, todo);
    }
    assert_eq!(rounds, vec![vec!["E0202", "E0301", "E0201"]], "all three errors are reported at once and fixed in one round");

    let built = server.call(10, "build", json!({"program": program}));
    assert_eq!(built["result"]["isError"], false, "{built}");
    // The binary is real: it runs outside the server too.
    let binary = built["result"]["structuredContent"]["binary"]["path"].as_str().expect("binary path").to_string();
    let direct = support::run_exe(std::path::Path::new(&binary), &[], None).expect("the built binary runs");
    assert_eq!((direct.stdout.as_str(), direct.code), ("55\n110\n", 0));
    let ran = server.call(11, "run", json!({"program": program}));
    let result = &ran["result"]["structuredContent"];
    assert_eq!(result["stdout"], "55\n110\n", "{result}");
    assert_eq!(result["exit_code"], 0);
    assert!(server.finish().success());
}
