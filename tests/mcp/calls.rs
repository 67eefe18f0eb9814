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

/// main → ping ⇄ pong, main → fact (recursive); orphan → helper is unreachable.
pub fn analysis_program() -> String {
    std::fs::read_to_string(super::support::root().join("tests/mcp/analysis_program.sirs.json")).expect("analysis program")
}

/// The text of function `name` in a program (its member, from the key to the end).
pub fn function_text(program: &str, name: &str) -> String {
    let tree: Value = serde_json::from_str(program).expect("JSON");
    let definition = &tree["program"]["functions"][name];
    assert!(definition.is_object(), "no function {name}");
    // The bodies are compared as values: an edit must leave them exactly as they were.
    definition.to_string()
}

/// An unused variable (fixable) and a float compared with `eq`.
pub fn lint_program() -> String {
    std::fs::read_to_string(super::support::root().join("tests/mcp/lint_program.sirs.json")).expect("lint program")
}

pub fn tool_names() -> Vec<String> {
    let mut names: Vec<String> = every_tool().iter().map(|c| c.request["tool"].as_str().unwrap_or_default().to_string()).collect();
    names.dedup();
    names
}

pub fn every_tool() -> Vec<Call> {
    let fib = fibonacci();
    let graph = analysis_program();
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
        call("format", json!({"program": r#"{"program":{"functions":{"main":{"body":[],"return":"void","args":[]}}}}"#}), false, "canonical layout", |r| {
            let formatted = r["formatted"].as_str().expect("formatted");
            assert_eq!(r["changed"], true);
            assert!(formatted.ends_with('\n'));
            let main = formatted.find("\"args\"").zip(formatted.find("\"body\"")).expect("keys");
            assert!(main.0 < main.1, "args before body in the canonical order:\n{formatted}");
            assert_eq!(serde_json::from_str::<Value>(formatted).expect("JSON")["program"]["functions"]["main"]["return"], "void");
        }),
        call("format", json!({"program": "{\"program\": [1,]}"}), true, "not JSON", |r| {
            assert_eq!(r["ok"], false);
            assert!(r["diagnostics"][0]["code"].as_str().is_some_and(|c| c.starts_with("E000")), "{r}");
        }),
        call("lint", json!({"program": lint_program(), "fix": true, "rules": {"float-equality": "deny"}}), true, "an unused variable, a denied float comparison", |r| {
            let codes: Vec<(&str, &str)> = r["diagnostics"].as_array().expect("diagnostics").iter().map(|d| (d["code"].as_str().unwrap_or(""), d["severity"].as_str().unwrap_or(""))).collect();
            assert_eq!(codes, [("L0001", "warning"), ("L0007", "error")]);
            assert_eq!(r["fixable"], 1);
            assert_eq!(r["applied"], 1);
            assert!(!r["fixed"].as_str().expect("fixed").contains("\"unused\""));
        }),
        call("doc", json!({"program": fib}), false, "a Markdown page", |r| {
            assert_eq!(r["items"], 3);
            let page = r["page"].as_str().expect("page");
            assert!(page.contains("fn fibonacci(n: i32) -> i32"), "{page}");
        }),
        call("doc", json!({"program": fib, "format": "html"}), false, "an HTML page", |r| {
            assert!(r["page"].as_str().is_some_and(|p| p.starts_with("<!DOCTYPE html>") && p.contains("fibonacci")));
        }),
        call("doc", json!({"program": BROKEN}), true, "no page for a program with errors", |r| {
            assert!(r.get("page").is_none());
            assert_eq!(r["ok"], false);
        }),
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
            call("list_functions", json!({"program": graph}), false, "six functions", |r| {
            let names: Vec<&str> = r["functions"].as_array().expect("functions").iter().filter_map(|f| f["name"].as_str()).collect();
            assert_eq!(names, ["main", "ping", "pong", "fact", "orphan", "helper"]);
            assert_eq!(r["functions"][1]["params"], json!([{"name": "n", "type": "i32"}]));
            assert_eq!(r["functions"][1]["called_by"], json!(["main", "pong"]));
            assert_eq!(r["functions"][0]["builtins"], json!(["print"]));
        }),
        call("call_graph", json!({"program": graph}), false, "edges, DOT, Mermaid", |r| {
            assert_eq!(r["edges"].as_array().map(Vec::len), Some(6));
            assert!(r["edges"].as_array().expect("edges").contains(&json!({"from": "pong", "to": "ping", "calls": 1})));
            assert!(r["dot"].as_str().is_some_and(|d| d.starts_with("digraph calls {") && d.contains("\"fact\" -> \"fact\";")));
            assert!(r["mermaid"].as_str().is_some_and(|m| m.starts_with("graph TD") && m.contains("f1 --> f2")));
        }),
        call("unused_functions", json!({"program": graph}), false, "orphan and helper", |r| {
            assert_eq!(r["unreachable"], json!(["orphan", "helper"]));
            assert_eq!(r["unreferenced"], json!(["orphan"]));
        }),
        call("find_cycles", json!({"program": graph}), false, "ping/pong and fact", |r| {
            assert_eq!(r["cycles"], json!([["ping", "pong"]]));
            assert_eq!(r["recursive"], json!(["fact"]));
        }),
        call("reachability", json!({"program": graph, "to": "pong"}), false, "main reaches pong", |r| {
            assert_eq!(r["reachable"], json!(["main", "ping", "pong", "fact"]));
            assert_eq!(r["path"], json!(["main", "ping", "pong"]));
            assert_eq!(r["reaches"], true);
        }),
        call("complexity", json!({"program": graph}), false, "metrics", |r| {
            let main = &r["functions"][0];
            assert_eq!((main["statements"].clone(), main["max_depth"].clone(), main["cyclomatic"].clone()), (json!(3), json!(2), json!(3)));
            let fact = &r["functions"][3];
            assert_eq!((fact["statements"].clone(), fact["cyclomatic"].clone(), fact["calls"].clone()), (json!(4), json!(2), json!(1)));
        }),
        call("rename_function", json!({"program": graph, "from": "ping", "to": "bounce"}), false, "ping → bounce", |r| {
            let edited = r["program"].as_str().expect("program");
            assert_eq!(r["edits"], 3);
            assert_eq!(r["ok"], true);
            assert!(!edited.contains("\"ping\""));
            let before = analysis_program();
            assert_eq!(function_text(edited, "fact"), function_text(&before, "fact"));
            assert_eq!(edited.len(), before.len() + 3 * ("bounce".len() - "ping".len()));
        }),
        call("add_function", json!({"program": graph, "name": "twice", "definition": {"args": [{"name": "x", "type": "i32"}], "return": "i32", "body": [{"return": {"op": {"kind": "mul", "args": [{"var": "x"}, {"literal": 2}]}}}]}}), false, "a new function", |r| {
            let edited = r["program"].as_str().expect("program");
            assert_eq!(r["ok"], true);
            assert!(edited.starts_with(&analysis_program()[..analysis_program().rfind("\"helper\"").unwrap_or(0)]));
            assert_eq!(serde_json::from_str::<Value>(edited).expect("JSON")["program"]["functions"]["twice"]["return"], "i32");
        }),
        call("remove_function", json!({"program": graph, "name": "helper"}), true, "orphan still calls helper", |r| {
            assert_eq!(r["still_referenced_by"], json!(["orphan"]));
            assert_eq!(r["diagnostics"][0]["code"], "E0202");
            let edited = r["program"].as_str().expect("program");
            assert_eq!(function_text(edited, "orphan"), function_text(&analysis_program(), "orphan"));
        }),
        call("replace_function", json!({"program": graph, "name": "helper", "definition": {"args": [], "return": "i32", "body": [{"return": {"literal": 2}}]}}), false, "a new body for helper", |r| {
            let edited = r["program"].as_str().expect("program");
            let tree: Value = serde_json::from_str(edited).expect("JSON");
            assert_eq!(tree["program"]["functions"]["helper"]["body"][0]["return"]["literal"], 2);
            for other in ["main", "ping", "pong", "fact", "orphan"] {
                assert_eq!(function_text(edited, other), function_text(&analysis_program(), other));
            }
        }),
        call("find_calls", json!({"program": graph, "function": "ping"}), false, "two references", |r| {
            let calls = r["calls"].as_array().expect("calls");
            let from: Vec<&str> = calls.iter().filter_map(|c| c["from"].as_str()).collect();
            assert_eq!(from, ["main", "pong"]);
            let text = analysis_program();
            let c = &calls[1];
            assert_eq!(&text[c["start"].as_u64().unwrap_or(0) as usize..c["end"].as_u64().unwrap_or(0) as usize], "\"ping\"");
        }),
        call("find_variable_uses", json!({"program": graph, "function": "fact", "variable": "acc"}), false, "acc in fact", |r| {
            let kinds: Vec<&str> = r["uses"].as_array().expect("uses").iter().filter_map(|u| u["kind"].as_str()).collect();
            assert_eq!(kinds, ["definition", "write", "read"]);
        }),
            call(
            "define_distribution",
            json!({
                "name": "laplace2",
                "params": [{"name": "mu", "type": "f64"}, {"name": "b", "type": "f64", "lower": 0, "strict": true}],
                "support": "real",
                "log_density": [{"return": {"op": {"kind": "sub", "args": [
                    {"op": {"kind": "neg", "args": [{"call": {"function": "math_log", "args": [{"op": {"kind": "mul", "args": [{"literal": 2.0}, {"var": "b"}]}}]}}]}},
                    {"op": {"kind": "div", "args": [{"call": {"function": "math_abs", "args": [{"op": {"kind": "sub", "args": [{"var": "x"}, {"var": "mu"}]}}]}}, {"var": "b"}]}}]}}}]
            }),
            false,
            "a Laplace distribution",
            |r| {
                assert_eq!(r["ok"], true, "{r}");
                assert_eq!(r["functions"], json!(["laplace2_lpdf"]));
                assert_eq!(r["declaration"]["laplace2"]["log_density"], "laplace2_lpdf");
                let program: Value = serde_json::from_str(r["program"].as_str().expect("program")).expect("JSON");
                assert_eq!(program["program"]["distributions"]["laplace2"]["support"], "real");
            },
        ),
        call(
            "define_mixture",
            json!({"name": "bimodal", "weights": [0.3, 0.7], "components": [{"distribution": "normal", "params": [-1, 1]}, {"distribution": "normal", "params": ["mu2", 1]}]}),
            false,
            "a two-component normal mixture",
            |r| {
                assert_eq!(r["ok"], true, "{r}");
                assert_eq!(r["functions"], json!(["bimodal_lpdf"]));
                assert_eq!(r["declaration"]["components"][1]["params"][0], json!({"var": "mu2"}));
                let program: Value = serde_json::from_str(r["program"].as_str().expect("program")).expect("JSON");
                assert_eq!(program["program"]["functions"]["bimodal_lpdf"]["args"][1], json!({"name": "mu2", "type": "f64"}));
            },
        ),
        call(
            "sample_model",
            json!({"program": super::harness::example("coin_bias.sirs.json"), "seed": 1, "chains": 2, "warmup": 500, "draws": 500}),
            false,
            "Beta(2, 2) prior, two heads and a tail: Beta(4, 3) posterior",
            |r| {
                let columns = r["summary"]["columns"].as_array().expect("columns");
                let bias = columns.iter().find(|c| c["name"] == "bias").expect("bias column");
                let (mean, mcse) = (bias["mean"].as_f64().expect("mean"), bias["mcse_mean"].as_f64().expect("mcse"));
                assert!((mean - 4.0 / 7.0).abs() < 4.0 * mcse, "posterior mean {mean} (MCSE {mcse}) vs 4/7");
                assert_eq!(r["summary"]["chains"].as_array().map(Vec::len), Some(2));
                assert_eq!(r["converged"], true, "{}", r["problems"]);
            },
        ),
    ]
}
