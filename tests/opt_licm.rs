//! Snapshots of the `licm` pass (loop-invariant code motion): CIR before and after on tiny
//! programs, the verifier asserted on both sides.

#[path = "opt_support/mod.rs"]
mod opt_support;

use opt_support::*;
use sev::opt::{INLINE, LICM};

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

/// `fn rare(xs: [f64], a: f64) -> f64`: sums `xs`, adding `lgamma(a) + a * 2` on the rare
/// iteration where an element exceeds 100. With `unconditional`, `lgamma(a)` is computed at
/// the top of every iteration instead and only used in the arm.
fn rare_branch_program(unconditional: bool) -> String {
    let lgamma = call("lgamma", &[var("a")]);
    let (prefix, rare_term) = if unconditional { (vec![let_("g", lgamma)], var("g")) } else { (vec![], lgamma) };
    let mut body = prefix;
    body.push(let_("x", index(var("xs"), var("i"))));
    body.push(if_(
        op("gt", &[var("x"), lit(100.0)]),
        &[assign("total", op("add", &[var("total"), op("add", &[rare_term, op("mul", &[var("a"), lit(2.0)])])]))],
        &[assign("total", op("add", &[var("total"), var("x")]))],
    ));
    program(vec![
        func("main", &[], "void", &[print(call("rare", &[json_array(&[1.0, 200.0, 4.0]), lit(3.5)]))]),
        func(
            "rare",
            &[("xs", "[f64]"), ("a", "f64")],
            "f64",
            &[let_mut("total", lit(0.0)), for_range("i", lit(0), call("len", &[var("xs")]), &body), ret(var("total"))],
        ),
    ])
}

/// The line numbers, within function `name` of the CIR after the last pass, of the first line
/// containing each needle (`None` when absent).
fn lines_in(text: &str, name: &str, needles: &[&str]) -> Vec<Option<usize>> {
    let after = text.split_once("----- CIR after").map(|(_, a)| a).unwrap_or_default();
    let function = after.split_once(&format!("fn {name}(")).map(|(_, f)| f).unwrap_or_default();
    let function = function.split_once("\n}").map(|(f, _)| f).unwrap_or(function);
    needles.iter().map(|n| function.lines().position(|l| l.contains(n))).collect()
}

#[test]
fn expensive_call_in_a_conditional_arm_stays_but_cheap_arithmetic_moves() {
    let text = before_after("licm_rare_arm.sirs.json", &rare_branch_program(false), &[LICM]);
    let [lgamma, mul, outer_loop] = lines_in(&text, "rare", &["lgamma", "mul", "loop bb"])[..] else { unreachable!() };
    let (lgamma, mul, outer_loop) = (lgamma.expect("lgamma"), mul.expect("mul"), outer_loop.expect("loop"));
    assert!(lgamma > outer_loop, "lgamma(a) in the rarely taken arm stays in the loop");
    let arm = lines_in(&text, "rare", &["= gt "])[0].expect("gt");
    assert!(lgamma > arm, "lgamma(a) stays inside the arm");
    assert!(mul < outer_loop, "a * 2 is cheap: it still moves out of the arm and the loop");
    insta::assert_snapshot!(text);
}

#[test]
fn the_same_call_run_on_every_iteration_still_moves() {
    let text = before_after("licm_every_iteration.sirs.json", &rare_branch_program(true), &[LICM]);
    let found = lines_in(&text, "rare", &["lgamma", "loop bb"]);
    assert!(found[0].expect("lgamma") < found[1].expect("loop"), "lgamma(a) at the top of the body moves before the loop");
}

#[test]
fn inlined_early_return_keeps_its_conditional_call_in_the_arm() {
    let helper = func(
        "bump",
        &[("x", "f64"), ("a", "f64")],
        "f64",
        &[if_(op("gt", &[var("x"), lit(100.0)]), &[ret(call("lgamma", &[var("a")]))], &[]), ret(op("mul", &[var("x"), lit(0.5)]))],
    );
    let source = program(vec![
        func("main", &[], "void", &[print(call("bump", &[lit(200.0), lit(3.5)])), print(call("sum", &[json_array(&[1.0, 200.0]), lit(3.5)]))]),
        helper,
        func(
            "sum",
            &[("xs", "[f64]"), ("a", "f64")],
            "f64",
            &[
                let_mut("total", lit(0.0)),
                for_range(
                    "i",
                    lit(0),
                    call("len", &[var("xs")]),
                    &[assign("total", op("add", &[var("total"), call("bump", &[index(var("xs"), var("i")), var("a")])]))],
                ),
                ret(var("total")),
            ],
        ),
    ]);
    let text = after("licm_inlined.sirs.json", &source, &[INLINE, LICM]);
    let text = format!("----- CIR after\n{text}");
    for function in ["main", "sum"] {
        let found = lines_in(&text, function, &["lgamma", "loop bb", "= gt "]);
        let (lgamma, first_loop, arm) = (found[0].expect("lgamma"), found[1].expect("loop"), found[2].expect("if"));
        assert!(lgamma > first_loop && lgamma > arm, "{function}: lgamma(a) stays in the inlined arm:\n{text}");
    }
}

fn json_array(xs: &[f64]) -> serde_json::Value {
    serde_json::json!({"array": xs.iter().map(|x| lit(*x)).collect::<Vec<_>>()})
}
