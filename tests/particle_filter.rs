//! The particle filter of `examples/particle_filter.sirs.json` (a generic SIRS routine over a
//! `StateSpace` trait), run as a compiled program over many seeds (`SEV_SEED`):
//! - on its linear-Gaussian series, exp of the log-likelihood estimate averages to the exact
//!   likelihood (computed here by a Kalman filter over the observations read from the example)
//!   within 4 standard errors of the mean over 24 seeds, for the bootstrap proposal with each
//!   resampling scheme (multinomial, stratified, systematic), with resampling at every step,
//!   and for the guided (locally optimal) proposal; the mean log estimate is within its bias
//!   (about half the variance) plus 4 standard errors of the exact log-likelihood;
//! - on the nonlinear growth model (x_t = x/2 + 25x/(1+x²) + 8cos(1.2t) + N(0, 10),
//!   y = x²/20 + N(0, 1)), exp of 100-particle estimates averages, over 40 seeds, to a
//!   reference from four 20,000-particle runs within 4 standard errors (unbiasedness);
//! - the command of docs/probabilistic.md prints one estimate; an unknown model, proposal or
//!   scheme, or a particle count that is no number, stops the program with a message.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLE: &str = "examples/particle_filter.sirs.json";

fn build(dir: &Path) -> PathBuf {
    let exe = dir.join("particle_filter");
    let args = ["build".to_string(), EXAMPLE.to_string(), "-o".to_string(), exe.to_string_lossy().into_owned(), "--release".to_string()];
    let out = support::sev(&args, "1", Some(&support::root()));
    assert_eq!(out.code, 0, "build: {}", out.stderr);
    exe
}

/// One log-likelihood estimate from the built example.
fn estimate(exe: &Path, seed: u64, model: &str, proposal: &str, scheme: &str, particles: usize, threshold: f64) -> f64 {
    let out = support::output_retrying_busy(
        Command::new(exe).args([model, proposal, scheme, &particles.to_string(), &threshold.to_string()]).env("SEV_SEED", seed.to_string()),
    )
    .expect("the filter runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("one number")
}

/// The observations the example returns from `name` (an array literal).
fn observations(name: &str) -> Vec<f64> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(support::root().join(EXAMPLE)).expect("example")).expect("JSON");
    let body = &doc["program"]["functions"][name]["body"][0]["return"]["array"];
    body.as_array().expect("an array literal").iter().map(|e| e["literal"].as_f64().expect("a number")).collect()
}

/// log p(ys) of x_0 ~ N(0, 1), x_t = 0.9 x_(t-1) + N(0, 1), y_t = x_t + N(0, 1).
fn kalman(ys: &[f64]) -> f64 {
    let (a, q2, r2) = (0.9, 1.0, 1.0);
    let (mut m, mut p, mut total) = (0.0, 1.0, 0.0);
    for (t, y) in ys.iter().enumerate() {
        if t > 0 {
            m *= a;
            p = a * a * p + q2;
        }
        let s = p + r2;
        total += -0.5 * ((2.0 * std::f64::consts::PI * s).ln() + (y - m) * (y - m) / s);
        let gain = p / s;
        m += gain * (y - m);
        p *= 1.0 - gain;
    }
    total
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    (mean, (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt())
}

#[test]
fn the_filter_is_unbiased_for_the_kalman_likelihood_of_a_linear_gaussian_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = build(dir.path());
    let exact = kalman(&observations("linear_gaussian_observations"));
    let cases = [("bootstrap", "multinomial", 0.5), ("bootstrap", "stratified", 0.5), ("bootstrap", "systematic", 0.5), ("bootstrap", "systematic", 1.0), ("guided", "systematic", 0.5)];
    for (proposal, scheme, threshold) in cases {
        let logs: Vec<f64> = (0..24).map(|seed| estimate(&exe, 1000 + seed, "linear-gaussian", proposal, scheme, 200, threshold)).collect();
        let ratios: Vec<f64> = logs.iter().map(|l| (l - exact).exp()).collect();
        let (mean, sd) = mean_sd(&ratios);
        let se = sd / (ratios.len() as f64).sqrt();
        assert!((mean - 1.0).abs() < 4.0 * se, "{proposal}/{scheme}/{threshold}: mean likelihood ratio {mean} (se {se})");
        let (log_mean, log_sd) = mean_sd(&logs);
        let log_se = log_sd / (logs.len() as f64).sqrt();
        let bias = 0.5 * log_sd * log_sd;
        assert!((log_mean - exact).abs() < bias + 4.0 * log_se, "{proposal}/{scheme}/{threshold}: mean log estimate {log_mean} vs Kalman {exact} (sd {log_sd})");
        assert!(log_sd < 1.0, "{proposal}/{scheme}: the estimates spread by {log_sd}");
    }
}

#[test]
fn the_filter_is_unbiased_on_the_nonlinear_growth_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = build(dir.path());
    let reference: Vec<f64> = (0..4).map(|seed| estimate(&exe, 50 + seed, "growth", "bootstrap", "systematic", 20_000, 0.5)).collect();
    let (ref_mean, ref_sd) = mean_sd(&reference);
    let small: Vec<f64> = (0..40).map(|seed| estimate(&exe, 7000 + seed, "growth", "bootstrap", "systematic", 100, 0.5)).collect();
    let ratios: Vec<f64> = small.iter().map(|l| (l - ref_mean).exp()).collect();
    let (mean, sd) = mean_sd(&ratios);
    // the error of the mean ratio, and that of the reference itself (on the log scale ≈ relative)
    let se = (sd * sd / ratios.len() as f64 + ref_sd * ref_sd / reference.len() as f64).sqrt();
    assert!(ref_sd < 0.2, "the reference runs agree: {reference:?}");
    assert!((mean - 1.0).abs() < 4.0 * se, "mean likelihood ratio {mean} against the reference (se {se}); small runs {small:?}");
    let (log_mean, _) = mean_sd(&small);
    assert!(log_mean < ref_mean, "the log of an unbiased estimate is biased low: {log_mean} vs {ref_mean}");
}

/// The command of docs/probabilistic.md: `sev run` passes the arguments after `--` to the
/// program, which prints one estimate, the one the built binary prints for the same seed.
#[test]
fn the_documented_command_prints_one_estimate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = build(dir.path());
    let args: Vec<String> = ["run", EXAMPLE, "--", "growth", "bootstrap", "stratified", "100", "0.5"].iter().map(|s| s.to_string()).collect();
    let out = support::sev(&args, "2", Some(&support::root()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let printed: f64 = out.stdout.trim().parse().expect("one number");
    assert_eq!(printed, estimate(&exe, 2, "growth", "bootstrap", "stratified", 100, 0.5));
    for (bad, message) in [
        (["growth", "guided", "systematic", "10", "0.5"], "unknown proposal `guided` (expected bootstrap)"),
        (["linear-gaussian", "bootstrap", "sys", "10", "0.5"], "unknown resampling scheme `sys`"),
        (["linear-gaussian", "bootstrap", "systematic", "ten", "0.5"], "not a number: ten"),
    ] {
        let out = support::output_retrying_busy(Command::new(&exe).args(bad)).expect("runs");
        assert_eq!(out.status.code(), Some(101), "{bad:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(message), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
