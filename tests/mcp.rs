//! `sev mcp` driven by the official clients: the Python SDK (mcp==2.3.0) in its three modes
//! (`auto` → 2026-07-28, `legacy` → the 2025-11-25 handshake, and the pinned `2026-07-28`) and
//! the MCP Inspector CLI in both eras. Every tool is listed and called; the SDK validates each
//! result against the tool's output schema.

mod support;
#[path = "mcp/harness.rs"]
mod harness;
#[path = "mcp/calls.rs"]
mod calls;

use serde_json::{Value, json};

fn by_tool<'a>(report: &'a Value, tool: &str) -> Vec<&'a Value> {
    report["calls"].as_array().expect("calls").iter().filter(|c| c["tool"] == tool).collect()
}

fn check_session(mode: &str, expected_version: &str) {
    let every = calls::every_tool();
    let requests: Vec<Value> = every.iter().map(|c| c.request.clone()).collect();
    let report = harness::sdk_session(mode, &["mcp", "--allow-run"], &requests);
    assert_eq!(report["protocol_version"], expected_version, "mode {mode}");
    let listed: Vec<&str> = report["tools"].as_array().expect("tools").iter().filter_map(Value::as_str).collect();
    let mut called: Vec<&str> = every.iter().map(|c| c.request["tool"].as_str().expect("tool")).collect();
    called.dedup();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    let mut called_sorted = called.clone();
    called_sorted.sort();
    called_sorted.dedup();
    assert_eq!(listed_sorted, called_sorted, "every listed tool is called (mode {mode})");
    for (call, result) in every.iter().zip(report["calls"].as_array().expect("calls")) {
        assert_eq!(result["is_error"], json!(call.is_error), "{mode}: {} {}\n{result:#}", call.request["tool"], call.what);
        assert_eq!(result["first_text_is_the_json"], json!(true));
        (call.verify)(&result["structured"]);
    }
    let build = by_tool(&report, "build")[0];
    assert_eq!(build["progress"], json!(["checking", "building with zig", "built"]), "progress notifications for the token");
    let resources = report["resources"].as_object().expect("resources");
    assert!(resources["sev://docs/language.md"].as_u64().is_some_and(|n| n > 10_000));
    assert!(resources["sev://distributions.json"].as_u64().is_some_and(|n| n > 1_000));
    let annotations = &report["annotations"];
    assert_eq!(annotations["check"]["readOnlyHint"], true);
    assert_eq!(annotations["build"]["readOnlyHint"], false);
}

#[test]
fn python_sdk_auto_mode_speaks_2026_07_28() {
    check_session("auto", "2026-07-28");
}

#[test]
fn python_sdk_legacy_mode_uses_the_2025_11_25_handshake() {
    check_session("legacy", "2025-11-25");
}

#[test]
fn python_sdk_pinned_to_2026_07_28() {
    check_session("2026-07-28", "2026-07-28");
}

#[test]
fn inspector_cli_lists_and_calls_every_tool_in_both_eras() {
    for era in ["legacy", "modern"] {
        // --strict also checks that every schema is portable (no multi-type lists).
        let (code, out, err) = harness::inspector(era, &["--method", "tools/list", "--strict"]);
        assert_eq!(code, 0, "{era}: {err}");
        assert!(!err.contains("Warning") && !err.contains("Schema portability"), "{era}: {err}");
        let listed: Value = serde_json::from_str(&out).expect("tools/list prints JSON");
        assert!(listed["tools"].as_array().is_some_and(|t| t.len() == calls::tool_names().len()), "{era}");
    }
    let every = calls::every_tool();
    let jobs: Vec<(usize, &calls::Call)> = every.iter().enumerate().collect();
    let outcomes = support::parallel(jobs, |(i, call)| {
        let era = if i % 2 == 0 { "legacy" } else { "modern" };
        let tool = call.request["tool"].as_str().expect("tool").to_string();
        let arguments = call.request["arguments"].to_string();
        (era, harness::inspector(era, &["--method", "tools/call", "--tool-name", &tool, "--tool-args-json", &arguments]))
    });
    for (call, (era, (code, out, err))) in every.iter().zip(outcomes) {
        // The Inspector exits 5 when a tool reports isError.
        let expected = if call.is_error { 5 } else { 0 };
        assert_eq!(code, expected, "{era} {} {}: {err}", call.request["tool"], call.what);
        if !call.is_error {
            let result: Value = serde_json::from_str(&out).expect("the Inspector prints the result as JSON");
            (call.verify)(&result["structuredContent"]);
        }
    }
}
