//! The general ARMA(p, q) density `arma` and the seasonal state-space density
//! `seasonal_local_level` (docs/probabilistic.md, "Building blocks"):
//!
//! * values against independent NumPy/SciPy implementations at 1e-12 relative, reverse-mode
//!   gradients against forward mode (1e-12) and central finite differences of the reference
//!   (1e-6), invalid inputs rejected: `tests/ppl_tseries2/tseries2_eval.zig` evaluates,
//!   `tests/ppl_tseries2/check_numpy.py` compares (needs python3 with numpy and scipy);
//! * each example model fitted to its simulated data recovers the simulation's settings (every
//!   posterior mean within three posterior sds plus four MCSEs of the true value, fixed seeds);
//! * inside a compiled gradient (`src/ad/`, no tape) each gives the tape's gradient and passes
//!   `diagnose`;
//! * a `sample` from either is refused with a located diagnostic (they have no sampler).

mod support;

use support::series_fit::{assert_compiled_gradient_equals_tape, assert_recovers};

#[test]
fn arma_and_seasonal_densities_match_numpy() {
    let stdout = support::python_cross_check("ppl_tseries2", "tseries2_eval", "check_numpy.py", "numpy, scipy");
    for name in ["arma", "seasonal_local_level"] {
        assert!(stdout.contains(&format!("{name:22}")), "no cases for {name}:\n{stdout}");
    }
}

#[test]
fn the_arma_2_1_example_recovers_its_simulation_parameters() {
    assert_recovers("arma_pq", "arma_pq", &[("mu", 0.5), ("print_phi_1", 0.5), ("print_phi_2", -0.3), ("print_theta_1", 0.4), ("sigma", 0.8)]);
}

#[test]
fn the_weekly_seasonal_example_recovers_its_simulation_parameters() {
    assert_recovers("seasonal", "seasonal", &[("sigma_level", 0.3), ("sigma_season", 0.15), ("sigma_obs", 0.6)]);
}

#[test]
fn arma_and_seasonal_in_a_compiled_gradient_equal_the_tape() {
    let dir = tempfile::tempdir().expect("temp dir");
    for example in ["arma_pq", "seasonal"] {
        assert_compiled_gradient_equals_tape(example, dir.path());
    }
}

fn model(body: &str) -> String {
    format!(r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [{{"name": "y", "type": "[f64]"}}], "return": "void", "body": [{body}]}}}}}}}}"#)
}

#[test]
fn arma_and_seasonal_cannot_be_sampled_from() {
    let cases = [
        ("arma", r#"{"literal": 0.0}, {"var": "y"}, {"var": "y"}, {"literal": 1.0}"#),
        ("seasonal_local_level", r#"{"literal": 1.0}, {"literal": 1.0}, {"literal": 1.0}, {"literal": 7}, {"literal": 0.0}, {"literal": 10.0}"#),
    ];
    for (dist, params) in cases {
        let body = format!(r#"{{"let": {{"name": "z", "value": {{"sample": {{"distribution": "{dist}", "params": [{params}]}}}}}}}}"#);
        let c = support::compile("series.sirs.json", &model(&body));
        let text = support::rendered(&c);
        assert!(c.has_errors(), "{dist}: a draw was accepted");
        assert!(text.contains(&format!("`{dist}` has no sampler: it is a likelihood for `observe`")), "{dist}:\n{text}");
        assert!(text.contains("E0318") && text.contains("series.sirs.json:1:"), "{dist}: no located E0318:\n{text}");
    }
}
