//! The time-series and HMM building blocks (`ar`, `garch11`, `local_level`, `hmm_marginal`):
//!
//! * values against independent NumPy/SciPy implementations at 1e-12 relative, reverse-mode
//!   gradients against forward mode (1e-12) and central finite differences of the reference
//!   (1e-6), invalid inputs rejected: `tests/ppl_tseries/tseries_eval.zig` evaluates,
//!   `tests/ppl_tseries/check_numpy.py` compares (needs python3 with numpy and scipy);
//! * each example model (`examples/{ar,garch,local_level,hmm}.sirs.json`) fitted to its
//!   simulated data recovers the simulation's parameters: every posterior mean within three
//!   posterior standard deviations (plus four MCSEs) of the true value, with fixed seeds;
//! * a `sample` from one of these densities is refused with a located diagnostic (they have no
//!   sampler), and `hmm_marginal` also serves `lpdf` inside `factor`.

mod support;

use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;

#[test]
fn time_series_densities_match_numpy() {
    let root = support::root();
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python).args(["-c", "import numpy, scipy"]).output();
    match probe {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!("the NumPy cross-check needs numpy and scipy: `{python} -m pip install numpy scipy` ({})", String::from_utf8_lossy(&o.stderr).trim()),
        Err(e) => panic!("the NumPy cross-check needs {python}: {e}"),
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = dir.path().join("tseries_eval");
    let zig_cache = support::cache_dir().join("zig");
    let build = support::zig()
        .command()
        .current_dir(&root)
        .args(["build-exe", "-O", "ReleaseSafe", "--dep", "ppl", "-Mroot=tests/ppl_tseries/tseries_eval.zig", "-Mppl=runtime/ppl/math_root.zig", "--name", "tseries_eval"])
        .arg(format!("-femit-bin={}", exe.display()))
        .arg("--global-cache-dir")
        .arg(&zig_cache)
        .arg("--cache-dir")
        .arg(&zig_cache)
        .output()
        .expect("zig runs");
    assert!(build.status.success(), "tseries_eval does not build:\n{}", String::from_utf8_lossy(&build.stderr));
    let out = Command::new(&python).arg(root.join("tests/ppl_tseries/check_numpy.py")).arg(&exe).output().expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "check_numpy.py reports mismatches (exit {:?}):\n{stdout}\n{}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    for name in ["ar", "garch11", "local_level", "hmm_marginal"] {
        assert!(stdout.contains(&format!("{name:14}")), "no cases for {name}:\n{stdout}");
    }
}

/// Column name → (mean, sd, MCSE of the mean) from `sev run … --summary`.
fn posterior(example: &str, data: &str, out: &std::path::Path) -> HashMap<String, (f64, f64, f64)> {
    let summary = out.join(format!("{example}.json"));
    let run = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["run", &format!("examples/{example}.sirs.json"), "--data", &format!("examples/{data}.data.json")])
        .args(["--output", &out.join(example).to_string_lossy(), "--seed", "3", "--chains", "2"])
        .args(["--summary", &summary.to_string_lossy()])
        .env("SEV_CACHE_DIR", support::cache_dir())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sev runs");
    // exit status 1 would only mean a prob_assert failed: the summary is what is checked here
    let doc: Value = match std::fs::read(&summary) {
        Ok(bytes) => serde_json::from_slice(&bytes).expect("summary is JSON"),
        Err(e) => panic!("{example}: no summary ({e}):\n{}", String::from_utf8_lossy(&run.stderr)),
    };
    let columns = doc["columns"].as_array().expect("columns");
    let field = |c: &Value, k: &str| c[k].as_f64().unwrap_or(f64::NAN);
    columns.iter().map(|c| (c["name"].as_str().unwrap_or_default().to_string(), (field(c, "mean"), field(c, "sd"), field(c, "mcse_mean")))).collect()
}

fn assert_recovers(example: &str, data: &str, truth: &[(&str, f64)]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let post = posterior(example, data, dir.path());
    for (name, value) in truth {
        let Some(&(mean, sd, mcse)) = post.get(*name) else { panic!("{example}: no column {name} in {:?}", post.keys()) };
        let tolerance = 3.0 * sd + 4.0 * mcse;
        assert!((mean - value).abs() < tolerance, "{example}: {name} posterior mean {mean} (sd {sd}) is not within {tolerance} of the true {value}");
        assert!(sd < 0.25 * value.abs().max(0.4), "{example}: {name} posterior sd {sd} too wide to say anything about {value}");
    }
}

#[test]
fn the_hmm_example_recovers_its_simulation_parameters() {
    assert_recovers("hmm", "hmm", &[("print_lambda_1", 2.0), ("print_lambda_2", 9.0), ("print_stay_1", 0.9), ("print_stay_2", 0.8)]);
}

#[test]
fn the_ar_garch_and_local_level_examples_recover_their_simulation_parameters() {
    assert_recovers("ar", "ar", &[("mu", 1.0), ("print_phi_1", 0.6), ("print_phi_2", -0.3), ("sigma", 0.5)]);
    assert_recovers("garch", "garch", &[("mu", 0.05), ("alpha0", 0.1), ("alpha1", 0.2), ("beta1", 0.7)]);
    assert_recovers("local_level", "local_level", &[("sigma_level", 0.3), ("sigma_obs", 0.8)]);
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
        assert!(text.contains("series.sirs.json:1:"), "{dist}: the diagnostic is not located:\n{text}");
    }
}

#[test]
fn hmm_marginal_serves_lpdf_in_factor_and_checks_its_operand_types() {
    let lpdf = r#"{"factor": {"lpdf": {"distribution": "hmm_marginal", "params": [{"var": "G"}, {"var": "y"}], "value": {"var": "G"}}}}"#;
    let c = support::compile("factor.sirs.json", &model(lpdf));
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    // the value must be the T×K matrix of log emission densities
    let wrong = r#"{"observe": {"distribution": "hmm_marginal", "params": [{"var": "G"}, {"var": "y"}], "value": {"var": "y"}}}"#;
    let c = support::compile("wrong.sirs.json", &model(wrong));
    let text = support::rendered(&c);
    assert!(c.has_errors() && text.contains("[[f64]]"), "{text}");
}
