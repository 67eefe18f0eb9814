//! Snapshots of the `strength` pass (strength reduction): CIR before and after on a tiny
//! program, the verifier asserted on both sides.

#[path = "opt_support/mod.rs"]
mod opt_support;

use opt_support::*;
use sev::opt::{DCE, STRENGTH};

#[test]
fn squares_and_halves_become_multiplications() {
    let source = program(vec![
        func("main", &[], "void", &[print(call("f", &[lit(3.0)]))]),
        func(
            "f",
            &[("x", "f64")],
            "f64",
            &[
                let_("sq", op("pow", &[var("x"), lit(2.0)])),
                let_("half", op("div", &[var("x"), lit(2.0)])),
                let_("third", op("div", &[var("x"), lit(3.0)])),
                let_("n", op("pow", &[lit(3), lit(2)])),
                ret(op("add", &[op("add", &[var("sq"), var("half")]), op("add", &[var("third"), serde_json::json!({"cast": {"value": var("n"), "type": "f64"}})])])),
            ],
        ),
    ]);
    let text = before_after("strength.sirs.json", &source, &[STRENGTH, DCE]);
    let after = text.split_once("----- CIR after").map(|(_, a)| a).unwrap_or_default();
    assert!(after.contains("const 0.5"), "x / 2 becomes x * 0.5");
    assert!(after.contains("div"), "x / 3 stays (1/3 is not exact)");
    assert!(after.matches("pow").count() == 1, "only the integer power stays");
    insta::assert_snapshot!(text);
}
