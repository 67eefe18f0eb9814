//! Facts the model documentation states, checked end to end (each one was a hole found by
//! writing models from the docs alone):
//!
//! * a bound that depends on another parameter (`"lower": {"var": "a"}`) gives the right
//!   posterior: `a, b ~ normal(0, 1)` with `b > a` is the ordered pair of two standard normals,
//!   whose means are ∓1/√π;
//! * the improper `flat` prior: `m ~ flat`, `0.7 ~ normal(m, 1)` gives m | y ~ normal(0.7, 1);
//! * `math_log`, `math_exp`, `math_sqrt` and the array form of `log_sum_exp` are differentiable
//!   in a model (`diagnose` compares reverse mode with finite differences and forward mode);
//! * `log_sum_exp(xs)` outside a model, including the empty array;
//! * a posterior-predictive discrete draw may be passed to a user function that does not put it
//!   into the likelihood (here one that prints it and returns it doubled).
//!
//! Posterior means are compared with the exact values within 4·MCSE (fixed seeds).

mod support;

use serde_json::Value;
use std::path::Path;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Samples `source` (written to `dir/<name>.sirs.json`) and returns the summary's columns.
fn sample(dir: &Path, name: &str, source: &str, extra: &[&str]) -> Vec<Value> {
    std::fs::write(dir.join(format!("{name}.sirs.json")), source).expect("write the model");
    let mut args = strings(&["run", &format!("{name}.sirs.json"), "--seed", "11", "--threads", "2", "--quiet", "--summary", "summary.json"]);
    args.extend(strings(extra));
    let out = support::sev(&args, "1", Some(dir));
    assert_eq!(out.code, 0, "{name}: {}", out.stderr);
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("the summary");
    let stats: Value = serde_json::from_str(&text).expect("summary JSON");
    stats["columns"].as_array().cloned().unwrap_or_default()
}

fn column<'a>(columns: &'a [Value], name: &str) -> &'a Value {
    columns.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no column {name}"))
}

fn assert_mean(columns: &[Value], name: &str, truth: f64) {
    let c = column(columns, name);
    let (mean, mcse) = (c["mean"].as_f64().unwrap_or(f64::NAN), c["mcse_mean"].as_f64().unwrap_or(f64::NAN));
    println!("{name}: mean {mean:.4}, truth {truth:.4}, MCSE {mcse:.4}");
    assert!((mean - truth).abs() < 4.0 * mcse, "{name}: mean {mean} vs {truth} (MCSE {mcse})");
}

const DEPENDENT_BOUND: &str = r#"{"program": {"entry": "main", "functions": {"main": {"args": [], "return": "void", "body": [
  {"let": {"name": "a", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}}},
  {"let": {"name": "b", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}], "lower": {"var": "a"}}}}},
  {"factor": {"literal": 0.0}}
]}}}}"#;

#[test]
fn a_lower_bound_given_by_another_parameter_orders_the_pair() {
    let dir = tempfile::tempdir().expect("temp dir");
    let columns = sample(dir.path(), "ordered_pair", DEPENDENT_BOUND, &["--draws", "2000"]);
    let expected = 1.0 / std::f64::consts::PI.sqrt();
    assert_mean(&columns, "a", -expected);
    assert_mean(&columns, "b", expected);
}

const FLAT_PRIOR: &str = r#"{"program": {"entry": "main", "functions": {"main": {"args": [], "return": "void", "body": [
  {"let": {"name": "m", "value": {"sample": {"distribution": "flat"}}}},
  {"observe": {"distribution": "normal", "params": [{"var": "m"}, {"literal": 1.0}], "value": {"literal": 0.7}}}
]}}}}"#;

#[test]
fn a_flat_prior_leaves_the_likelihood_as_the_posterior() {
    let dir = tempfile::tempdir().expect("temp dir");
    let columns = sample(dir.path(), "flat_prior", FLAT_PRIOR, &[]);
    assert_mean(&columns, "m", 0.7);
    let sd = column(&columns, "m")["sd"].as_f64().unwrap_or(f64::NAN);
    assert!((sd - 1.0).abs() < 0.1, "sd {sd}");
}

const SMOOTH_MATH: &str = r#"{"program": {"entry": "main", "functions": {"main": {"args": [], "return": "void", "body": [
  {"let": {"name": "m", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 3.0}]}}}},
  {"let": {"name": "s", "value": {"sample": {"distribution": "gamma", "params": [{"literal": 2.0}, {"literal": 2.0}]}}}},
  {"factor": {"op": {"kind": "add", "args": [
     {"call": {"function": "math_log", "args": [{"var": "s"}]}},
     {"call": {"function": "math_sqrt", "args": [{"var": "s"}]}},
     {"op": {"kind": "neg", "args": [{"call": {"function": "math_exp", "args": [{"var": "s"}]}}]}},
     {"op": {"kind": "neg", "args": [{"call": {"function": "log_sum_exp", "args": [{"array": [{"var": "m"}, {"var": "s"}, {"literal": 0.5}]}]}}]}}
  ]}}},
  {"observe": {"distribution": "normal", "params": [{"var": "m"}, {"literal": 1.0}], "value": {"literal": 0.7}}}
]}}}}"#;

#[test]
fn math_log_exp_sqrt_and_log_sum_exp_of_an_array_are_differentiable_in_a_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = support::compile("smooth.sirs.json", SMOOTH_MATH);
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    let exe = dir.path().join("smooth");
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe).expect("the model builds");
    for seed in ["1", "2"] {
        let out = support::run_exe(&exe, &strings(&["diagnose", "--seed", seed, "--points", "3"]), None).expect("diagnose runs");
        assert_eq!(out.code, 0, "the gradient disagrees:\n{}\n{}", out.stdout, out.stderr);
        assert!(out.stdout.contains("ok: the gradient agrees at 3 point(s)"), "{}", out.stdout);
    }
}

const LOG_SUM_EXP_PLAIN: &str = r#"{"program": {"entry": "main", "functions": {"main": {"args": [], "return": "void", "body": [
  {"let": {"name": "xs", "value": {"array": [{"literal": 1000.0}, {"literal": 1000.0}]}}},
  {"expression": {"call": {"function": "print", "args": [{"call": {"function": "log_sum_exp", "args": [{"var": "xs"}]}}]}}},
  {"let": {"name": "none", "type": "[f64]", "value": {"array": []}}},
  {"expression": {"call": {"function": "print", "args": [{"call": {"function": "log_sum_exp", "args": [{"var": "none"}]}}]}}},
  {"expression": {"call": {"function": "print", "args": [{"call": {"function": "log_sum_exp", "args": [{"literal": 0.0}, {"literal": 0.0}]}}]}}}
]}}}}"#;

#[test]
fn log_sum_exp_of_an_array_does_not_overflow_and_is_minus_infinity_when_empty() {
    let out = support::build_and_run("lse.sirs.json", LOG_SUM_EXP_PLAIN, &[]).expect("builds and runs");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    let first: f64 = lines[0].parse().expect("a number");
    assert!((first - (1000.0 + std::f64::consts::LN_2)).abs() < 1e-12, "{first}");
    assert_eq!(lines[1], "-inf");
    let pair: f64 = lines[2].parse().expect("a number");
    assert!((pair - std::f64::consts::LN_2).abs() < 1e-15, "{pair}");
}

const PREDICTIVE_THROUGH_A_FUNCTION: &str = r#"{"program": {"entry": "main", "functions": {
  "show": {"args": [{"name": "k", "type": "i64"}], "return": "i64", "body": [
    {"expression": {"call": {"function": "print", "args": [{"var": "k"}]}}},
    {"return": {"op": {"kind": "mul", "args": [{"var": "k"}, {"literal": 2}]}}}]},
  "main": {"args": [], "return": "void", "body": [
    {"let": {"name": "p", "value": {"sample": {"distribution": "beta", "params": [{"literal": 1.0}, {"literal": 1.0}]}}}},
    {"observe": {"distribution": "bernoulli", "params": [{"var": "p"}], "value": {"literal": 1}}},
    {"let": {"name": "k", "value": {"sample": {"distribution": "binomial", "params": [{"literal": 10}, {"var": "p"}]}}}},
    {"let": {"name": "doubled", "value": {"call": {"function": "show", "args": [{"var": "k"}]}}, "output": true}}
  ]}
}}}"#;

/// p | y ~ beta(2, 1), so the predictive k ~ binomial(10, p) has mean 10·2/3.
#[test]
fn a_predictive_draw_may_be_passed_to_a_function_outside_the_likelihood() {
    let dir = tempfile::tempdir().expect("temp dir");
    let columns = sample(dir.path(), "predictive", PREDICTIVE_THROUGH_A_FUNCTION, &["--chains", "2"]);
    assert_mean(&columns, "k", 20.0 / 3.0);
    let csv = std::fs::read_to_string(dir.path().join("sev-out/predictive/predictive_chain_1.csv")).expect("the draws");
    let mut lines = csv.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    let (k, doubled) = (at("k"), at("doubled"));
    let mut rows = 0;
    for line in lines {
        let cells: Vec<f64> = line.split(',').map(|c| c.parse().unwrap_or(f64::NAN)).collect();
        assert_eq!(cells[doubled], 2.0 * cells[k], "{line}");
        rows += 1;
    }
    assert_eq!(rows, 1000);
}
