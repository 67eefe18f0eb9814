//! Snapshots of the `fold` pass (constant folding and propagation): CIR before and after on
//! tiny programs, the verifier asserted on both sides.

#[path = "opt_support/mod.rs"]
mod opt_support;

use opt_support::*;
use sev::opt::FOLD;

#[test]
fn folds_exact_arithmetic_and_leaves_faults_and_transcendentals() {
    let source = program(vec![func(
        "main",
        &[],
        "void",
        &[
            let_("a", op("add", &[lit(2), op("mul", &[lit(3), lit(4)])])),
            print(var("a")),
            let_("big", lit(9223372036854775807i64)),
            print(op("add", &[var("big"), lit(1)])),
            print(op("div", &[lit(10), op("sub", &[var("a"), lit(14)])])),
            print(op("add", &[lit(0.1), lit(0.2)])),
            print(call("math_sqrt", &[lit(2.0)])),
            print(call("math_sin", &[lit(1.0)])),
        ],
    )]);
    let text = before_after("fold_arith.sirs.json", &source, &[FOLD]);
    let after = text.split_once("----- CIR after").map(|(_, a)| a).unwrap_or_default();
    assert!(after.contains("const 14"), "2 + 3 * 4 folds");
    assert!(after.contains("add"), "i64::MAX + 1 is left to fault at run time");
    assert!(after.contains("div"), "10 / 0 is left to fault at run time");
    assert!(after.contains("const 0.30000000000000004"), "0.1 + 0.2 folds exactly");
    assert!(after.contains("const 1.4142135623730951"), "sqrt folds (correctly rounded)");
    assert!(after.contains("math_sin"), "transcendental functions are left to the runtime");
    insta::assert_snapshot!(text);
}

#[test]
fn branches_on_constants_and_loops_that_never_start_go() {
    let source = program(vec![func(
        "main",
        &[],
        "void",
        &[
            let_("debug", lit(false)),
            if_(var("debug"), &[print(lit("debugging"))], &[print(lit("quiet"))]),
            while_(op("lt", &[lit(3), lit(2)]), &[print(lit("never"))]),
            for_range("i", lit(0), lit(2), &[print(var("i"))]),
        ],
    )]);
    let text = before_after("fold_control.sirs.json", &source, &[FOLD]);
    let after = text.split_once("----- CIR after").map(|(_, a)| a).unwrap_or_default();
    assert!(!after.contains("debugging") && after.contains("quiet"), "the branch not taken is gone");
    assert!(!after.contains("never"), "a loop whose condition is false is gone");
    insta::assert_snapshot!(text);
}
