//! Snapshots of the `licm` pass (loop-invariant code motion): CIR before and after on tiny
//! programs, the verifier asserted on both sides.

#[path = "opt_support/mod.rs"]
mod opt_support;

use opt_support::*;
use sev::opt::LICM;

#[test]
fn hoists_invariant_work_and_leaves_what_may_fault_or_changes() {
    let source = program(vec![
        func("main", &[], "void", &[print(call("scaled_sum", &[json_array(&[1.0, 2.0, 4.0]), lit(9.0)]))]),
        func(
            "scaled_sum",
            &[("xs", "[f64]"), ("s", "f64")],
            "f64",
            &[
                let_mut("total", lit(0.0)),
                for_range(
                    "i",
                    lit(0),
                    call("len", &[var("xs")]),
                    &[
                        let_("k", op("div", &[call("math_sqrt", &[var("s")]), lit(3.0)])),
                        assign("total", op("add", &[var("total"), op("mul", &[var("k"), index(var("xs"), var("i"))])])),
                    ],
                ),
                ret(var("total")),
            ],
        ),
    ]);
    let text = before_after("licm_loop.sirs.json", &source, &[LICM]);
    let after = text.split_once("----- CIR after").map(|(_, a)| a).unwrap_or_default();
    let sqrt_line = after.lines().position(|l| l.contains("math_sqrt")).expect("sqrt");
    let loop_line = after.lines().position(|l| l.contains("loop bb")).expect("loop");
    assert!(sqrt_line < loop_line, "sqrt(s) / 3 moves before the loop");
    let index_line = after.lines().position(|l| l.contains("index")).expect("index");
    assert!(index_line > loop_line, "an index may fault: it stays in the loop");
    insta::assert_snapshot!(text);
}

fn json_array(xs: &[f64]) -> serde_json::Value {
    serde_json::json!({"array": xs.iter().map(|x| lit(*x)).collect::<Vec<_>>()})
}
