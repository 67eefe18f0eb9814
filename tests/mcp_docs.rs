//! Every example in `docs/mcp.md` is a real call: each `json mcp-call` block is sent to
//! `sev mcp` and the result must contain what the `json mcp-result` block after it shows
//! (objects may leave keys out; a list ending in "…" is a prefix). Every listed tool has an
//! example.

mod support;
#[path = "mcp/harness.rs"]
mod harness;

use harness::Raw;
use serde_json::{Value, json};

/// The code blocks of `text` whose info string is `info`, in order.
fn blocks(text: &str, info: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if line.trim() == format!("```{info}") {
            let body: Vec<&str> = lines.by_ref().map(|(_, l)| l).take_while(|l| l.trim() != "```").collect();
            out.push((n + 1, body.join("\n")));
        }
    }
    out
}

/// Whether `actual` contains everything `shown` shows.
fn contains(actual: &Value, shown: &Value, path: &str) -> Result<(), String> {
    match (actual, shown) {
        (Value::Object(a), Value::Object(s)) => {
            for (key, value) in s {
                let Some(found) = a.get(key) else { return Err(format!("{path}.{key} is missing")) };
                contains(found, value, &format!("{path}.{key}"))?;
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(s)) => {
            let prefix = s.last() == Some(&json!("…"));
            let shown_items = if prefix { &s[..s.len() - 1] } else { &s[..] };
            if (!prefix && a.len() != s.len()) || a.len() < shown_items.len() {
                return Err(format!("{path} has {} items, the docs show {}", a.len(), s.len()));
            }
            shown_items.iter().zip(a).enumerate().try_for_each(|(i, (s, a))| contains(a, s, &format!("{path}[{i}]")))
        }
        _ if actual == shown => Ok(()),
        _ => Err(format!("{path} is {actual}, the docs show {shown}")),
    }
}

#[test]
fn every_example_in_docs_mcp_md_is_what_the_server_returns() {
    let text = std::fs::read_to_string(support::root().join("docs/mcp.md")).expect("docs/mcp.md");
    let calls = blocks(&text, "json mcp-call");
    let results = blocks(&text, "json mcp-result");
    assert_eq!(calls.len(), results.len(), "each call has a result");
    let mut server = Raw::start(&["--allow-run"]);
    server.send(&json!({"jsonrpc": "2.0", "id": 0, "method": "tools/list"}));
    let listed = server.response(&json!(0), std::time::Duration::from_secs(10));
    let mut documented = Vec::new();
    for (i, ((line, call), (_, result))) in calls.iter().zip(&results).enumerate() {
        let call: Value = serde_json::from_str(call).unwrap_or_else(|e| panic!("docs/mcp.md:{line}: {e}"));
        let shown: Value = serde_json::from_str(result).unwrap_or_else(|e| panic!("the result after docs/mcp.md:{line}: {e}"));
        let tool = call["tool"].as_str().expect("tool");
        documented.push(tool.to_string());
        let answer = server.call(i as i64 + 1, tool, call["arguments"].clone());
        let actual = &answer["result"];
        assert!(actual.is_object(), "docs/mcp.md:{line}: {answer}");
        if let Err(problem) = contains(actual, &shown, "result") {
            panic!("docs/mcp.md:{line} ({tool}): {problem}");
        }
    }
    for tool in listed["result"]["tools"].as_array().expect("tools") {
        let name = tool["name"].as_str().expect("name");
        assert!(documented.iter().any(|d| d == name), "docs/mcp.md has no example of {name}");
        assert!(text.contains(&format!("### `{name}`")), "docs/mcp.md has no section for {name}");
    }
    assert!(server.finish().success());
}
