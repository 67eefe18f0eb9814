//! One or more calls of every tool, with what each result must show. Shared by the SDK and
//! Inspector tests, so both clients call the same things.

#![allow(dead_code)]

use serde_json::{Value, json};

pub struct Call {
    pub request: Value,
    pub is_error: bool,
    pub what: &'static str,
    pub verify: fn(&Value),
}

fn call(tool: &str, arguments: Value, is_error: bool, what: &'static str, verify: fn(&Value)) -> Call {
    Call { request: json!({"tool": tool, "arguments": arguments}), is_error, what, verify }
}

pub fn fibonacci() -> String {
    super::harness::example("fibonacci.sirs.json")
}

/// A program whose `main` adds a string to an integer (E0301-style mismatch).
pub const BROKEN: &str = r#"{"program": {"functions": {"main": {"args": [], "return": "void", "body": [
  {"let": {"name": "x", "type": "i32", "value": {"literal": "seven"}}}
]}}}}"#;

pub fn tool_names() -> Vec<String> {
    let mut names: Vec<String> = every_tool().iter().map(|c| c.request["tool"].as_str().unwrap_or_default().to_string()).collect();
    names.dedup();
    names
}

pub fn every_tool() -> Vec<Call> {
    let fib = fibonacci();
    vec![
        call("check", json!({"program": fib}), false, "a valid program", |r| {
            assert_eq!(r["ok"], true);
            assert_eq!(r["diagnostics"], json!([]));
        }),
        call("check", json!({"program": BROKEN}), true, "a type error", |r| {
            assert_eq!(r["ok"], false);
            let d = &r["diagnostics"][0];
            assert!(d["code"].as_str().is_some_and(|c| c.starts_with('E')), "{d}");
            let label = &d["labels"][0];
            assert_eq!(&BROKEN[label["start"].as_u64().unwrap_or(0) as usize..label["end"].as_u64().unwrap_or(0) as usize], r#"{"literal": "seven"}"#);
        }),
        call("build", json!({"program": fib}), false, "a binary", |r| {
            assert!(r["binary"]["size_bytes"].as_u64().is_some_and(|n| n > 10_000), "{r}");
            assert!(r["binary"]["path"].as_str().is_some_and(|p| p.contains("sev-mcp-")), "{r}");
        }),
        call("run", json!({"program": fib}), false, "fibonacci(10)", |r| {
            assert_eq!(r["stdout"], "55\n");
            assert_eq!(r["exit_code"], 0);
        }),
        call(
            "infer_type",
            json!({"program": fib, "function": "fibonacci", "expression": {"op": {"kind": "add", "args": [{"var": "n"}, {"literal": 1}]}}}),
            false,
            "n + 1 in fibonacci",
            |r| assert_eq!(r["type"], "i32"),
        ),
        call("list_distributions", json!({}), false, "the catalogue", |r| {
            let all = r["distributions"].as_array().expect("distributions");
            assert!(all.len() >= 30);
            let normal = all.iter().find(|d| d["name"] == "normal").expect("normal");
            assert_eq!(normal["params"][1], json!({"name": "sigma", "kind": "positive", "constraint": "> 0"}));
        }),
        call("describe_distribution", json!({"name": "beta"}), false, "beta", |r| {
            assert_eq!(r["support"], "[0, 1]");
            assert_eq!(r["example"]["sample"]["distribution"], "beta");
        }),
        call("validate_parameters", json!({"distribution": "normal", "params": {"mu": 0, "sigma": -1}}), false, "sigma < 0", |r| {
            assert_eq!(r["valid"], false);
            assert_eq!(r["problems"][0]["parameter"], "sigma");
        }),
    ]
}
