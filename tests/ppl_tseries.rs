//! The time-series and HMM building blocks (`ar`, `arma11`, `garch11`, `local_level`,
//! `local_linear_trend`, `hmm_marginal`):
//!
//! * values against independent NumPy/SciPy implementations at 1e-12 relative, reverse-mode
//!   gradients against forward mode (1e-12) and central finite differences of the reference
//!   (1e-6), invalid inputs rejected: `tests/ppl_tseries/tseries_eval.zig` evaluates,
//!   `tests/ppl_tseries/check_numpy.py` compares (needs python3 with numpy and scipy);
//! * each example model (`examples/{ar,arma,garch,local_level,local_linear_trend,hmm}.sirs.json`) fitted to its
//!   simulated data recovers the simulation's parameters: every posterior mean within three
//!   posterior standard deviations (plus four MCSEs) of the true value, with fixed seeds;
//! * the five series densities inside a compiled gradient (`src/ad/`, no tape) give the
//!   tape's gradient and pass `diagnose`; `hmm_marginal` takes matrices of model reals, which
//!   keep a model on the tape (the density still pushes one node with its backward pass);
//! * a `sample` from one of these densities is refused with a located diagnostic (they have no
//!   sampler), and `hmm_marginal` also serves `lpdf` inside `factor`.

mod support;

use serde_json::Value;
use support::series_fit::{assert_compiled_gradient_equals_tape, assert_recovers};

#[test]
fn time_series_densities_match_numpy() {
    let stdout = support::python_cross_check("ppl_tseries", "tseries_eval", "check_numpy.py", "numpy, scipy");
    for name in ["ar", "arma11", "garch11", "local_level", "local_linear_trend", "hmm_marginal"] {
        assert!(stdout.contains(&format!("{name:14}")), "no cases for {name}:\n{stdout}");
    }
}

#[test]
fn the_hmm_example_recovers_its_simulation_parameters() {
    assert_recovers("hmm", "hmm", &[("print_lambda_1", 2.0), ("print_lambda_2", 9.0), ("print_stay_1", 0.9), ("print_stay_2", 0.8)]);
}

#[test]
fn the_series_examples_recover_their_simulation_parameters() {
    assert_recovers("ar", "ar", &[("mu", 1.0), ("print_phi_1", 0.6), ("print_phi_2", -0.3), ("sigma", 0.5)]);
    assert_recovers("arma", "arma", &[("mu", 0.5), ("phi", 0.7), ("theta", 0.4), ("sigma", 1.0)]);
    assert_recovers("garch", "garch", &[("mu", 0.05), ("alpha0", 0.1), ("alpha1", 0.2), ("beta1", 0.7)]);
    assert_recovers("local_level", "local_level", &[("sigma_level", 0.3), ("sigma_obs", 0.8)]);
    assert_recovers("local_linear_trend", "local_linear_trend", &[("sigma_level", 0.2), ("sigma_slope", 0.05), ("sigma_obs", 0.6)]);
}

fn model(body: &str) -> String {
    format!(r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [{{"name": "y", "type": "[f64]"}}, {{"name": "G", "type": "[[f64]]"}}], "return": "void", "body": [{body}]}}}}}}}}"#)
}

#[test]
fn a_series_density_cannot_be_sampled_from() {
    for (dist, params) in [("ar", r#"{"literal": 0.0}, {"var": "y"}, {"literal": 1.0}"#), ("hmm_marginal", r#"{"var": "G"}, {"var": "y"}"#)] {
        let body = format!(r#"{{"let": {{"name": "z", "value": {{"sample": {{"distribution": "{dist}", "params": [{params}]}}}}}}}}"#);
        let c = support::compile("series.sirs.json", &model(&body));
        let text = support::rendered(&c);
        assert!(c.has_errors(), "{dist}: a draw was accepted");
        assert!(text.contains(&format!("`{dist}` has no sampler: it is a likelihood for `observe`")), "{dist}:\n{text}");
        assert!(text.contains("E0318") && text.contains("series.sirs.json:1:"), "{dist}: no located E0318:\n{text}");
    }
}

#[test]
fn hmm_marginal_serves_lpdf_in_factor_and_checks_its_operand_types() {
    // (a model needs a continuous parameter, E0334: `mu` is one)
    let lpdf = r#"{"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}}}, {"factor": {"lpdf": {"distribution": "hmm_marginal", "params": [{"var": "G"}, {"var": "y"}], "value": {"var": "G"}}}}"#;
    let c = support::compile("factor.sirs.json", &model(lpdf));
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    // the value must be the T×K matrix of log emission densities
    let wrong = r#"{"observe": {"distribution": "hmm_marginal", "params": [{"var": "G"}, {"var": "y"}], "value": {"var": "y"}}}"#;
    let c = support::compile("wrong.sirs.json", &model(wrong));
    let text = support::rendered(&c);
    assert!(c.has_errors() && text.contains("[[f64]]"), "{text}");
}

/// `ar`, `arma11`, `garch11`, `local_level` and `local_linear_trend` in a model whose gradient is compiled (`src/ad/`): the
/// adjoint passes `diagnose` (against finite differences and forward mode) and equals the
/// tape's gradient to 1e-9 relative at the same points.
#[test]
fn series_densities_in_a_compiled_gradient_equal_the_tape() {
    let dir = tempfile::tempdir().expect("temp dir");
    for example in ["ar", "arma", "garch", "local_level", "local_linear_trend"] {
        assert_compiled_gradient_equals_tape(example, dir.path());
    }
}

/// The statements quoted in docs/probabilistic.md's building-blocks section are statements of
/// the examples they name (which `the_*_recover_*` run), so the documented code is tested code.
#[test]
fn the_documented_statements_are_the_examples_statements() {
    let doc = std::fs::read_to_string(support::root().join("docs/probabilistic.md")).expect("docs");
    let section = doc.split("### Building blocks: time series and hidden Markov models").nth(1).expect("the section exists");
    let section = section.split("\n### ").next().unwrap_or_default();
    let mut body: Vec<Value> = Vec::new();
    for example in ["hmm", "ar", "seasonal"] {
        let path = support::root().join(format!("examples/{example}.sirs.json"));
        let program: Value = serde_json::from_slice(&std::fs::read(path).expect("example")).expect("JSON");
        body.extend(program["program"]["functions"]["main"]["body"].as_array().cloned().unwrap_or_default());
    }
    let blocks: Vec<&str> = section.split("```json\n").skip(1).map(|b| b.split("```").next().unwrap_or_default()).collect();
    assert_eq!(blocks.len(), 3, "three quoted blocks");
    for block in blocks {
        let statements: Vec<Value> = serde_json::from_str(&format!("[{block}]")).unwrap_or_else(|e| panic!("not JSON ({e}):\n{block}"));
        for s in statements {
            assert!(body.contains(&s), "documented statement not in the examples: {s}");
        }
    }
}
