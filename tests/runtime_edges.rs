//! The runtime at its edges, end to end through the `sev` binary: bad data is reported when it
//! is read (field, index, what was expected), unbounded recursion is a located stack-overflow
//! fault, write failures are errors and a closed pipe ends a program quietly, earlier results
//! survive a failed rerun, signals to `sev run` reach the child, and the sampler's command line
//! refuses what it cannot honour before sampling.
//!
//! Programs are small and built in Debug with the shared test cache (`SEV_CACHE_DIR`).

mod support;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn program(args: Value, body: Value) -> Value {
    json!({"program": {"entry": "main", "functions": {"main": {"args": args, "return": "void", "body": body}}}})
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).expect("json")).expect("write");
    path
}

fn path_str(p: &Path) -> String {
    p.to_str().expect("a UTF-8 path").to_string()
}

/// Builds `source` with `sev build` into `dir/name` and returns the executable's path.
fn build(dir: &Path, name: &str, source: &Value) -> PathBuf {
    let file = write_json(dir, &format!("{name}.sirs.json"), source);
    let exe = dir.join(name);
    let out = support::sev(&strings(&["build", &path_str(&file), "-o", &path_str(&exe)]), "1", None);
    assert_eq!(out.code, 0, "sev build failed: {}", out.stderr);
    exe
}

fn run(exe: &Path, args: &[&str]) -> support::Output {
    support::run_exe(exe, &strings(args), None).expect("the program starts")
}

fn print(value: Value) -> Value {
    json!({"expression": {"call": {"function": "print", "args": [value]}}})
}

#[test]
fn array_fill_with_a_negative_length_is_a_located_fault() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = program(
        json!([]),
        json!([
            {"let": {"name": "n", "value": {"op": {"kind": "sub", "args": [{"literal": 0}, {"literal": 5}]}}}},
            {"let": {"name": "xs", "value": {"call": {"function": "array_fill", "args": [{"var": "n"}, {"literal": 1.5}]}}}},
            print(json!({"call": {"function": "len", "args": [{"var": "xs"}]}}))
        ]),
    );
    let exe = build(dir.path(), "fill", &source);
    let out = run(&exe, &[]);
    assert_eq!(out.code, 101, "{out:?}");
    assert!(out.stderr.contains("error: array_fill: the length must not be negative, got -5"), "{}", out.stderr);
    assert!(out.stderr.contains("(in function `main`)"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}
