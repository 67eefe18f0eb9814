//! The fused GLM density against the same model written as a loop: `logistic_regression_glm`
//! (`observe bernoulli_logit_glm(X, alpha, beta) y`) and `logistic_regression` (a loop building
//! `alpha + dot(X[n], beta)`, then `observe bernoulli_logit`) are the same posterior, so with the
//! example data and fixed seeds every parameter's posterior mean must agree within four standard
//! errors of the difference, sqrt(MCSE₁² + MCSE₂²). The GLM density also exercises matrix data
//! reaching a distribution (`[[f64]]` → a row-major matrix view).

mod support;

use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;

/// Column name → (mean, MCSE of the mean) from `sev run … --summary`.
fn posterior(example: &str, out: &std::path::Path) -> HashMap<String, (f64, f64)> {
    let summary = out.join(format!("{example}.json"));
    let status = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["run", &format!("examples/{example}.sirs.json"), "--data", "examples/logistic_regression.data.json"])
        .args(["--output", &out.join(example).to_string_lossy(), "--seed", "7", "--chains", "2"])
        .args(["--summary", &summary.to_string_lossy()])
        .env("SEV_CACHE_DIR", support::cache_dir())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sev runs");
    assert!(status.status.success(), "{example}: {}", String::from_utf8_lossy(&status.stderr));
    let doc: Value = serde_json::from_slice(&std::fs::read(&summary).expect("summary written")).expect("summary is JSON");
    let columns = doc["columns"].as_array().expect("columns");
    columns
        .iter()
        .map(|c| {
            let name = c["name"].as_str().expect("name").to_string();
            (name, (c["mean"].as_f64().expect("mean"), c["mcse_mean"].as_f64().expect("mcse")))
        })
        .collect()
}

#[test]
fn glm_density_gives_the_posterior_of_the_loop_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fused = posterior("logistic_regression_glm", dir.path());
    let looped = posterior("logistic_regression", dir.path());
    for name in ["alpha", "beta.1", "beta.2", "beta.3"] {
        let (m1, e1) = fused[name];
        let (m2, e2) = looped[name];
        let tolerance = 4.0 * (e1 * e1 + e2 * e2).sqrt();
        assert!((m1 - m2).abs() < tolerance, "{name}: GLM {m1} vs loop {m2} (tolerance {tolerance})");
    }
}
