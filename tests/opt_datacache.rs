//! Snapshots of the `datacache` pass (data-only work of a model's log density computed once
//! per process): CIR before and after on tiny models, the verifier asserted on both sides; and
//! the cases where code must stay (it may fault after a statement that can end the evaluation
//! early, or the model prints text at setup). `tests/opt_differential.rs` checks that the
//! draws of `examples/centred_regression` (which the pass changes) are bit-identical at -O0 and
//! -O2.

#[path = "opt_support/mod.rs"]
mod opt_support;
mod support;

use opt_support::*;
use serde_json::{Value, json};
use sev::opt::{DATACACHE, DCE};

fn sample(dist: &str, params: &[Value]) -> Value {
    json!({"sample": {"distribution": dist, "params": params}})
}

fn observe(dist: &str, params: &[Value], value: Value) -> Value {
    json!({"observe": {"distribution": dist, "params": params, "value": value}})
}

/// mu ~ normal(0, 10); the mean of the data is computed by a loop; y[i] ~ normal(mu + mean, 1).
fn model(extra_before: &[Value]) -> String {
    let mut body: Vec<Value> = extra_before.to_vec();
    body.extend([
        let_("mu", sample("normal", &[lit(0.0), lit(10.0)])),
        let_mut("total", lit(0.0)),
        for_range("i", lit(0), call("len", &[var("y")]), &[assign("total", op("add", &[var("total"), index(var("y"), var("i"))]))]),
        let_("mean", op("div", &[var("total"), json!({"cast": {"value": call("len", &[var("y")]), "type": "f64"}})])),
        for_range("i", lit(0), call("len", &[var("y")]), &[observe("normal", &[op("add", &[var("mu"), var("mean")]), lit(1.0)], index(var("y"), var("i")))]),
    ]);
    program(vec![func("main", &[("y", "[f64]")], "void", &body)])
}

#[test]
fn moves_the_data_only_loop_into_a_function_run_once() {
    let text = before_after("datacache_mean.sirs.json", &model(&[]), &[DATACACHE, DCE]);
    let after = text.split_once("----- CIR after").map(|(_, a)| a).unwrap_or_default();
    assert!(after.contains("mean: f64 }"), "the cache holds the mean:\n{after}");
    assert!(after.contains("fn main(l0 y: [f64], l"), "the entry keeps its data parameter");
    let (entry, prepare) = after.split_once("fn main__data(").expect("a main__data function");
    assert!(entry.contains("sev_cache: main__Cache"), "the entry takes the cache");
    assert_eq!(entry.matches("loop bb").count(), 1, "only the likelihood loop stays in the entry");
    assert!(prepare.contains("loop bb") && prepare.contains("div"), "the sum and the mean move");
    assert!(!prepare.contains("sample") && !prepare.contains("observe"), "model statements stay");
    insta::assert_snapshot!(text);
}

#[test]
fn code_that_may_fault_stays_after_an_early_return() {
    // `if len(y) == 0 { return }` may end the evaluation: the indexing loop after it stays.
    let early = if_(op("eq", &[call("len", &[var("y")]), lit(0)]), &[json!({"return": null})], &[]);
    let after = after("datacache_early.sirs.json", &model(&[early]), &[DATACACHE]);
    assert!(!after.contains("main__data"), "nothing that may fault moves past an early return:\n{after}");
}

#[test]
fn code_that_may_fault_stays_in_a_model_that_prints_at_setup() {
    let hello = print(lit("hello"));
    let after = after("datacache_print.sirs.json", &model(&[hello]), &[DATACACHE]);
    assert!(!after.contains("main__data"), "the indexing loop stays so the print comes first:\n{after}");
}

#[test]
fn a_program_that_is_not_a_model_is_left_alone() {
    let source = program(vec![func(
        "main",
        &[],
        "void",
        &[let_mut("total", lit(0.0)), for_range("i", lit(0), lit(3), &[assign("total", op("add", &[var("total"), lit(1.5)]))]), print(var("total"))],
    )]);
    let after = after("datacache_plain.sirs.json", &source, &[DATACACHE]);
    assert!(!after.contains("main__data"), "{after}");
}

/// `main` fits `fit` (the model of `model()`, renamed) to data it holds and prints the posterior
/// mean of mu with a fixed seed.
fn infer_program() -> String {
    let model_source: serde_json::Value = serde_json::from_str(&model(&[])).expect("JSON");
    let fit = model_source["program"]["functions"]["main"].clone();
    let data = json!({"array": [lit(1.5), lit(2.5), lit(0.5), lit(3.0)]});
    let posterior = json!({"infer": {"model": "fit", "args": [data], "seed": lit(5), "chains": lit(2)}});
    let main_body = vec![
        let_("p", posterior),
        print(call("posterior_mean", &[var("p"), lit("mu")])),
    ];
    let mut text = program(vec![func("main", &[], "void", &main_body)]);
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    doc["program"]["functions"]["fit"] = fit;
    text = serde_json::to_string_pretty(&doc).expect("JSON");
    text
}

#[test]
fn a_model_fitted_by_infer_gets_its_cache_too() {
    let after = after("datacache_infer.sirs.json", &infer_program(), &[DATACACHE]);
    assert!(after.contains("fn fit__data("), "{after}");
    assert!(after.contains("sev_cache: fit__Cache"), "{after}");
}

#[test]
fn a_model_fitted_by_infer_gives_the_same_posterior_at_o0_and_o2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("infer_cache.sirs.json");
    std::fs::write(&file, infer_program()).expect("write");
    let run = |level: &str| {
        let out = support::sev(&["run".into(), level.into(), file.display().to_string()], "1", None);
        assert_eq!(out.code, 0, "{level}: {}", out.stderr);
        out.stdout
    };
    let (o0, o2) = (run("-O0"), run("-O2"));
    // y[i] ~ normal(mu + mean(y), 1) with mu ~ normal(0, 10): the residuals average 0, so the
    // exact posterior mean of mu is 0 (posterior sd 0.5); 0.1 is about 6 MCSE for the 2 × 1000
    // draws (ESS ≳ 1000).
    let mu: f64 = o0.trim().parse().expect("a number");
    assert!(mu.abs() < 0.1, "posterior mean of mu: {mu}");
    assert_eq!(o0, o2, "the posterior differs between -O0 and -O2");
}

/// A regression as a user writes it from the docs: the design matrix `X` (a column of ones,
/// `log(x)`, `x²`) built row by row with `push` before the parameters, then
/// `y[i] ~ normal(dot of X[i] with (b0, b1, b2), sigma)`.
fn design_matrix_model() -> String {
    let xi = || index(var("x"), var("i"));
    let row = json!({"array": [lit(1.0), call("math_log", &[xi()]), op("mul", &[xi(), xi()])]});
    let coefficient = |b: &str, k: i64| op("mul", &[var(b), index(var("row"), lit(k))]);
    let body = vec![
        json!({"let": {"name": "X", "type": "[[f64]]", "value": {"array": []}, "mutable": true}}),
        for_range("i", lit(0), call("len", &[var("x")]), &[expr(call("push", &[var("X"), row]))]),
        let_("b0", sample("normal", &[lit(0.0), lit(5.0)])),
        let_("b1", sample("normal", &[lit(0.0), lit(5.0)])),
        let_("b2", sample("normal", &[lit(0.0), lit(5.0)])),
        let_("sigma", sample("exponential", &[lit(1.0)])),
        for_range(
            "i",
            lit(0),
            call("len", &[var("x")]),
            &[
                let_("row", index(var("X"), var("i"))),
                observe("normal", &[op("add", &[coefficient("b0", 0), coefficient("b1", 1), coefficient("b2", 2)]), var("sigma")], index(var("y"), var("i"))),
            ],
        ),
    ];
    program(vec![func("main", &[("x", "[f64]"), ("y", "[f64]")], "void", &body)])
}

#[test]
fn a_design_matrix_built_with_push_is_computed_once() {
    let text = before_after("datacache_design.sirs.json", &design_matrix_model(), &[DATACACHE, DCE]);
    let after = text.split_once("----- CIR after").map(|(_, a)| a).unwrap_or_default();
    assert!(after.contains(" X: [[f64]] }"), "the cache holds the design matrix:\n{after}");
    let (entry, prepare) = after.split_once("fn main__data(").expect("a main__data function");
    assert!(!entry.contains("push") && !entry.contains("math_log"), "no data work left in the log density:\n{entry}");
    assert!(prepare.contains("builtin push(&") && prepare.contains("math_log"), "the rows are built once:\n{prepare}");
    assert_eq!(entry.matches("loop bb").count(), 1, "only the likelihood loop stays in the entry");
    insta::assert_snapshot!(text);
}

#[test]
fn a_design_matrix_model_draws_the_same_at_o0_and_o2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("design.sirs.json");
    std::fs::write(&file, design_matrix_model()).expect("write");
    // y = 1 + 0.5 log(x) + 0.3 x² + noise (sd 0.3), 40 points of x in [0.5, 3)
    let x: Vec<f64> = (0..40).map(|k| 0.5 + 2.5 * f64::from(k) / 40.0).collect();
    let noise = |k: usize| 0.3 * ((k as f64 * 12.9898).sin() * 43_758.545).fract();
    let y: Vec<f64> = x.iter().enumerate().map(|(k, v)| 1.0 + 0.5 * v.ln() + 0.3 * v * v + noise(k)).collect();
    let data = dir.path().join("design.data.json");
    std::fs::write(&data, json!({"x": x, "y": y}).to_string()).expect("write");
    let draws = |level: &str| {
        let out_dir = dir.path().join(level);
        let args: Vec<String> = ["run", level, &file.display().to_string(), "--data", &data.display().to_string(), "--seed", "7", "--chains", "2", "--output", &out_dir.display().to_string()]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let out = support::sev(&args, "1", None);
        assert_eq!(out.code, 0, "{level}: {}", out.stderr);
        (1..=2)
            .map(|k| {
                let csv = std::fs::read_to_string(out_dir.join(format!("design_chain_{k}.csv"))).expect("draws");
                csv.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n")
            })
            .collect::<Vec<_>>()
    };
    let (o0, o2) = (draws("-O0"), draws("-O2"));
    assert!(o0[0].lines().count() > 1000, "a header and 1000 draws");
    assert_eq!(o0, o2, "the draws differ between -O0 and -O2");
}
