//! Compile work grows about linearly with the program: `-O2` compilation (passes and Zig
//! emission included) of a program four times larger must take well under the sixteen times
//! longer that quadratic work would take. The shapes are those that once were quadratic: a
//! chain of one-line functions each calling the previous one (the inliner's recursion test,
//! the Zig namer's copy of every top-level name) and one long `and` (a thousand locals named
//! alike, the renumbering of locals). `tests/bench/scaling.py` measures the same shapes up to
//! 100,000 functions or operands with a release build.
//!
//! The time of each size is the best of three runs, so a busy moment of a shared machine does
//! not count; the bound (9 for 4 times the size) leaves room for noise and n log n work.

use sev::driver::{self, Options};
use std::time::{Duration, Instant};

const SMALL: usize = 1000;
const FACTOR: usize = 4;
const MAX_RATIO: f64 = 9.0;

fn chain(n: usize) -> String {
    let mut functions = vec![r#""f0": {"args": [{"name": "x", "type": "i64"}], "return": "i64", "body": [{"return": {"var": "x"}}]}"#.to_string()];
    for k in 1..n {
        functions.push(format!(
            r#""f{k}": {{"args": [{{"name": "x", "type": "i64"}}], "return": "i64", "body": [{{"return": {{"op": {{"kind": "add", "args": [{{"call": {{"function": "f{}", "args": [{{"var": "x"}}]}}}}, {{"literal": 1}}]}}}}}}]}}"#,
            k - 1
        ));
    }
    let main = format!(r#""main": {{"body": [{{"expression": {{"call": {{"function": "print", "args": [{{"call": {{"function": "f{}", "args": [{{"literal": 0}}]}}}}]}}}}}}]}}"#, n - 1);
    format!(r#"{{"program": {{"functions": {{{}, {main}}}}}}}"#, functions.join(", "))
}

fn long_and(n: usize) -> String {
    let comparisons: Vec<String> = (0..n).map(|k| format!(r#"{{"op": {{"kind": "ge", "args": [{{"var": "x"}}, {{"literal": {}}}]}}}}"#, k % 1000)).collect();
    format!(
        r#"{{"program": {{"functions": {{"main": {{"args": [{{"name": "args", "type": "[str]"}}], "return": "void", "body": [
            {{"let": {{"name": "x", "value": {{"call": {{"function": "len", "args": [{{"var": "args"}}]}}}}}}}},
            {{"expression": {{"call": {{"function": "print", "args": [{{"op": {{"kind": "and", "args": [{}]}}}}]}}}}}}]}}}}}}}}"#,
        comparisons.join(", ")
    )
}

/// The best of three `-O2` compilations, with Zig emission.
fn compile_time(source: &str) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let c = driver::compile_passes("scaling.sirs.json", source.as_bytes(), Options { emit_zig: true }, sev::opt::pipeline(sev::opt::Level::O2).to_vec());
            let elapsed = started.elapsed();
            assert!(!c.has_errors() && c.zig.is_some(), "{:?}", c.diagnostics);
            elapsed
        })
        .min()
        .unwrap_or_default()
}

fn assert_near_linear(shape: &str, generate: fn(usize) -> String) {
    let small = compile_time(&generate(SMALL));
    let large = compile_time(&generate(SMALL * FACTOR));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
    eprintln!("{shape}: {SMALL} in {small:?}, {} in {large:?}, ratio {ratio:.1}", SMALL * FACTOR);
    assert!(ratio < MAX_RATIO, "{shape}: {FACTOR} times the size took {ratio:.1} times as long ({small:?} -> {large:?})");
}

#[test]
fn a_chain_of_functions_compiles_in_near_linear_time() {
    assert_near_linear("chain", chain);
}

#[test]
fn a_long_and_compiles_in_near_linear_time() {
    assert_near_linear("and", long_and);
}
