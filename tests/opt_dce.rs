//! Snapshots of the `dce` pass (dead-code elimination): CIR before and after on tiny
//! programs, the verifier asserted on both sides.

#[path = "opt_support/mod.rs"]
mod opt_support;

use opt_support::*;
use sev::opt::{DCE, FOLD};

#[test]
fn removes_unused_values_dead_stores_and_unused_functions() {
    let source = program(vec![
        func(
            "main",
            &[],
            "void",
            &[
                let_("unused", op("mul", &[lit(2.5), lit(4.0)])),
                let_("name", lit("sev")),
                let_("copy", var("name")),
                let_("faulty", op("div", &[lit(1), lit(0)])),
                print(lit("kept")),
            ],
        ),
        func("never_called", &[("x", "i64")], "i64", &[ret(var("x"))]),
    ]);
    let text = before_after("dce_values.sirs.json", &source, &[DCE]);
    let after = text.split_once("----- CIR after").map(|(_, a)| a).unwrap_or_default();
    assert!(!after.contains("never_called"), "an unused function goes");
    assert!(!after.contains("mul"), "an unused float product goes");
    assert!(!after.contains("retain"), "a copy nobody reads goes with its release");
    assert!(after.contains("div"), "a division that may fault stays, even unused");
    insta::assert_snapshot!(text);
}

#[test]
fn removes_code_after_a_branch_that_always_returns() {
    let source = program(vec![
        func("main", &[], "void", &[print(call("sign", &[lit(-3)]))]),
        func(
            "sign",
            &[("x", "i64")],
            "i64",
            &[
                if_(op("lt", &[var("x"), lit(0)]), &[ret(lit(-1))], &[ret(lit(1))]),
                print(lit("unreachable")),
                ret(lit(0)),
            ],
        ),
    ]);
    let text = before_after("dce_unreachable.sirs.json", &source, &[FOLD, DCE]);
    let after = text.split_once("----- CIR after").map(|(_, a)| a).unwrap_or_default();
    assert!(!after.contains("\"unreachable\""), "code after an if that returns on both sides goes");
    insta::assert_snapshot!(text);
}
