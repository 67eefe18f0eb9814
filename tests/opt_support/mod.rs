//! Shared helpers of the per-pass snapshot tests (`tests/opt_<pass>.rs`): tiny SIRS programs
//! built from JSON helpers, and the "CIR before / CIR after" text of one pass, with the
//! verifier asserted on both sides.

#![allow(dead_code)]

use serde_json::{Value, json};
use sev::opt::Pass;

pub fn lit(x: impl Into<Value>) -> Value {
    json!({"literal": x.into()})
}

pub fn var(name: &str) -> Value {
    json!({"var": name})
}

pub fn op(kind: &str, args: &[Value]) -> Value {
    json!({"op": {"kind": kind, "args": args}})
}

pub fn call(function: &str, args: &[Value]) -> Value {
    json!({"call": {"function": function, "args": args}})
}

pub fn index(array: Value, i: Value) -> Value {
    json!({"index": {"array": array, "index": i}})
}

pub fn let_(name: &str, value: Value) -> Value {
    json!({"let": {"name": name, "value": value}})
}

pub fn let_mut(name: &str, value: Value) -> Value {
    json!({"let": {"name": name, "value": value, "mutable": true}})
}

pub fn assign(name: &str, value: Value) -> Value {
    json!({"assign": {"target": {"var": name}, "value": value}})
}

pub fn expr(e: Value) -> Value {
    json!({"expression": e})
}

pub fn print(e: Value) -> Value {
    expr(call("print", &[e]))
}

pub fn ret(e: Value) -> Value {
    json!({"return": e})
}

pub fn if_(cond: Value, then: &[Value], otherwise: &[Value]) -> Value {
    if otherwise.is_empty() {
        return json!({"if": {"condition": cond, "then": then}});
    }
    json!({"if": {"condition": cond, "then": then, "else": otherwise}})
}

pub fn while_(cond: Value, body: &[Value]) -> Value {
    json!({"while": {"condition": cond, "body": body}})
}

pub fn for_range(v: &str, start: Value, end: Value, body: &[Value]) -> Value {
    json!({"for": {"variable": v, "iterable": {"range": {"start": start, "end": end}}, "body": body}})
}

/// A function: name, parameters (name, type), return type, body.
pub fn func(name: &str, params: &[(&str, &str)], ret: &str, body: &[Value]) -> (String, Value) {
    let args: Vec<Value> = params.iter().map(|(n, t)| json!({"name": n, "type": t})).collect();
    (name.to_string(), json!({"args": args, "return": ret, "body": body}))
}

/// A program whose entry is `main`.
pub fn program(functions: Vec<(String, Value)>) -> String {
    let mut map = serde_json::Map::new();
    for (name, f) in functions {
        map.insert(name, f);
    }
    serde_json::to_string_pretty(&json!({"program": {"entry": "main", "functions": map}})).expect("JSON")
}

/// Compiles `source` at -O0, runs `passes`, and returns the before/after text; asserts that
/// both sides pass the verifier and that the passes changed the CIR.
pub fn before_after(name: &str, source: &str, passes: &[Pass]) -> String {
    let c = sev::driver::compile(name, source.as_bytes(), sev::driver::Options { emit_zig: false });
    assert!(!c.has_errors(), "{name}: {}", sev::diagnostic::render_all(&c.diagnostics, &c.file, false));
    let mut cir = c.cir.expect("CIR");
    if let Err(report) = sev::cir::verify::verify(&cir) {
        panic!("{name}: the CIR before is invalid:\n{report}");
    }
    let before = sev::cir::print::program(&cir);
    sev::opt::run_passes(&mut cir, passes).unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Err(report) = sev::cir::verify::verify(&cir) {
        panic!("{name}: the CIR after is invalid:\n{report}");
    }
    let after = sev::cir::print::program(&cir);
    let names: Vec<&str> = passes.iter().map(|p| p.name).collect();
    format!("----- CIR before (-O0)\n{before}\n----- CIR after {}\n{after}", names.join(", "))
}

/// The CIR of `source` after `passes`, for assertions on its text.
pub fn after(name: &str, source: &str, passes: &[Pass]) -> String {
    let text = before_after(name, source, passes);
    text.split_once("----- CIR after").map(|(_, a)| a.to_string()).unwrap_or_default()
}
