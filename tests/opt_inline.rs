//! Snapshots of the `inline` pass: CIR before and after on tiny programs, the verifier
//! asserted on both sides.

#[path = "opt_support/mod.rs"]
mod opt_support;

use opt_support::*;
use sev::opt::{DCE, INLINE};

#[test]
fn inlines_small_functions_and_leaves_recursion() {
    let source = program(vec![
        func(
            "main",
            &[],
            "void",
            &[
                let_("x", lit(1.5)),
                print(call("square", &[var("x")])),
                print(call("clamp01", &[var("x")])),
                print(call("countdown", &[lit(3)])),
            ],
        ),
        func("square", &[("v", "f64")], "f64", &[ret(op("mul", &[var("v"), var("v")]))]),
        func(
            "clamp01",
            &[("v", "f64")],
            "f64",
            &[
                if_(op("lt", &[var("v"), lit(0.0)]), &[ret(lit(0.0))], &[]),
                if_(op("gt", &[var("v"), lit(1.0)]), &[ret(lit(1.0))], &[]),
                ret(var("v")),
            ],
        ),
        func(
            "countdown",
            &[("n", "i64")],
            "i64",
            &[if_(op("le", &[var("n"), lit(0)]), &[ret(lit(0))], &[]), ret(call("countdown", &[op("sub", &[var("n"), lit(1)])]))],
        ),
    ]);
    let text = before_after("inline_small.sirs.json", &source, &[INLINE, DCE]);
    let after = text.split_once("----- CIR after").map(|(_, a)| a).unwrap_or_default();
    assert!(!after.contains("fn square") && !after.contains("call square"), "a one-line function is inlined (and then unused)");
    assert!(!after.contains("call clamp01"), "early returns become a one-pass loop");
    assert!(after.contains("call countdown"), "recursion is not inlined");
    insta::assert_snapshot!(text);
}

#[test]
fn keeps_functions_whose_faults_name_them() {
    let source = program(vec![
        func("main", &[], "void", &[print(call("twice", &[lit(21)]))]),
        func("twice", &[("n", "i64")], "i64", &[ret(op("mul", &[var("n"), lit(2)]))]),
    ]);
    let after = after("inline_located.sirs.json", &source, &[INLINE]);
    assert!(after.contains("call twice"), "checked arithmetic reports `twice` in its fault message, so it stays a call");
}
