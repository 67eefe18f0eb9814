//! Multivariate draws. Forward simulation (`sample` outside a model) of dirichlet,
//! multinomial (its `size` is the number of trials), multi_normal_cholesky and
//! lkj_corr_cholesky (its `size` is the dimension K), checked by the sample means of 4,000
//! draws against the known means within 4 standard errors (from the known variances).
//!
//! Cholesky factors of correlation matrices as model parameters: under the LKJ(η) prior alone,
//! each correlation ρᵢⱼ of a K×K matrix has the marginal (ρ + 1)/2 ~ Beta(β, β) with
//! β = η − 1 + K/2, so its mean is 0 and its variance 1/(2β + 1). The entries of the first
//! column of L are the correlations with the first variable (L₂₁ = ρ₁₂, L₃₁ = ρ₁₃), and every
//! row of L has unit length. The test samples the prior with a fixed seed and checks the mean
//! within 4·MCSE and the sd within 4 standard errors (sd/√(2·ESS)·1.5, as in `ppl_models.rs`);
//! the gradient of the transform and density is checked with the model binary's `diagnose`.

mod support;

use serde_json::{Value, json};

fn prior_model(k: i64, eta: f64) -> Value {
    json!({"program": {"functions": {"main": {"args": [], "return": "void", "body": [
        {"let": {"name": "L", "value": {"sample": {"distribution": "lkj_corr_cholesky", "params": [{"literal": eta}], "size": {"literal": k}}}}},
        {"factor": {"literal": 0.0}}
    ]}}}})
}

fn run(dir: &std::path::Path, name: &str, program: &Value, extra: &[&str]) -> support::Output {
    let file = dir.join(format!("{name}.sirs.json"));
    std::fs::write(&file, program.to_string()).expect("write the model");
    let mut args = vec!["run".to_string(), file.display().to_string()];
    args.extend(extra.iter().map(|a| a.to_string()));
    support::sev(&args, "1", None)
}

#[test]
fn lkj_prior_marginals_of_correlations() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (k, eta) in [(2_i64, 2.0_f64), (3, 1.0)] {
        let name = format!("lkj_{k}");
        let summary = dir.path().join(format!("{name}.json"));
        let out_dir = dir.path().join(&name);
        let args = ["--seed", "11", "--chains", "2", "--draws", "2000", "--output", out_dir.to_str().expect("utf-8"), "--summary", summary.to_str().expect("utf-8")];
        let out = run(dir.path(), &name, &prior_model(k, eta), &args);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let doc: Value = serde_json::from_slice(&std::fs::read(&summary).expect("summary")).expect("JSON");
        let column = |n: &str| doc["columns"].as_array().expect("columns").iter().find(|c| c["name"] == n).cloned().unwrap_or_else(|| panic!("{name}: no column {n}"));
        let beta = eta - 1.0 + k as f64 / 2.0;
        let sd_truth = (1.0 / (2.0 * beta + 1.0)).sqrt();
        let correlations: &[&str] = if k == 2 { &["L.2.1"] } else { &["L.2.1", "L.3.1"] };
        for c in correlations {
            let col = column(c);
            let (mean, mcse, sd, ess) = (col["mean"].as_f64().expect("mean"), col["mcse_mean"].as_f64().expect("mcse"), col["sd"].as_f64().expect("sd"), col["ess_bulk"].as_f64().expect("ess"));
            assert!(mean.abs() < 4.0 * mcse + 1e-9, "{name} {c}: mean {mean} (mcse {mcse}), expected 0");
            let sd_tolerance = 1.5 * 4.0 * sd_truth / (2.0 * ess).sqrt();
            assert!((sd - sd_truth).abs() < sd_tolerance, "{name} {c}: sd {sd}, expected {sd_truth} ± {sd_tolerance}");
        }
        // The first row is (1, 0, ...) in every draw.
        let l11 = column("L.1.1");
        assert_eq!(l11["mean"].as_f64(), Some(1.0), "{name}: L.1.1");
        assert_eq!(l11["sd"].as_f64(), Some(0.0), "{name}: L.1.1");
    }
}

#[test]
fn lkj_model_gradient_matches_finite_differences() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = json!({"program": {"functions": {"main": {"args": [{"name": "y", "type": "[[f64]]"}], "return": "void", "body": [
        {"let": {"name": "L", "value": {"sample": {"distribution": "lkj_corr_cholesky", "params": [{"literal": 2.0}], "size": {"literal": 3}}}}},
        {"for": {"variable": "row", "iterable": {"var": "y"}, "body": [
            {"observe": {"distribution": "multi_normal_cholesky", "params": [{"array": [{"literal": 0.0}, {"literal": 0.0}, {"literal": 0.0}]}, {"var": "L"}], "value": {"var": "row"}}}
        ]}}
    ]}}}});
    let file = dir.path().join("lkj_grad.sirs.json");
    std::fs::write(&file, model.to_string()).expect("write");
    let data = dir.path().join("lkj_grad.data.json");
    std::fs::write(&data, json!({"y": [[0.5, 0.2, -1.0], [1.5, 0.9, 0.3], [-0.4, -0.8, 0.1], [0.0, 0.3, 0.6]]}).to_string()).expect("write");
    let exe = dir.path().join("lkj_grad");
    let build = support::sev(&["build".into(), file.display().to_string(), "-o".into(), exe.display().to_string()], "1", None);
    assert_eq!(build.code, 0, "{}", build.stderr);
    for seed in ["1", "2", "3"] {
        let args: Vec<String> = ["diagnose", "--data", data.to_str().expect("utf-8"), "--seed", seed].iter().map(|s| s.to_string()).collect();
        let out = support::run_exe(&exe, &args, None).expect("the model runs");
        assert_eq!(out.code, 0, "seed {seed}: {}{}", out.stdout, out.stderr);
        assert!(out.stdout.contains("ok: the gradient agrees"), "seed {seed}: {}", out.stdout);
    }
}

fn lit(x: f64) -> Value {
    json!({"literal": x})
}

fn var(name: &str) -> Value {
    json!({"var": name})
}

fn op(kind: &str, a: Value, b: Value) -> Value {
    json!({"op": {"kind": kind, "args": [a, b]}})
}

fn at(array: Value, i: i64) -> Value {
    json!({"index": {"array": array, "index": {"literal": i}}})
}

fn accumulate(name: &str, value: Value) -> Value {
    json!({"assign": {"target": var(name), "value": op("add", var(name), value)}})
}

/// Sums of the quantities whose means are checked, over `n` forward draws, printed as means.
fn forward_program(n: i64) -> Value {
    let sums = ["dir0", "dir2", "l10sq", "count0", "z1", "z1sq"];
    let mut body: Vec<Value> = sums.iter().map(|s| json!({"let": {"name": s, "value": lit(0.0), "mutable": true}})).collect();
    let draws = vec![
        json!({"let": {"name": "p", "value": {"sample": {"distribution": "dirichlet", "params": [{"array": [lit(1.0), lit(2.0), lit(3.0)]}]}}}}),
        json!({"let": {"name": "c", "value": {"sample": {"distribution": "multinomial", "params": [{"array": [lit(0.2), lit(0.8)]}], "size": {"literal": 10}}}}}),
        json!({"let": {"name": "L", "value": {"sample": {"distribution": "lkj_corr_cholesky", "params": [lit(1.0)], "size": {"literal": 3}}}}}),
        json!({"let": {"name": "z", "value": {"sample": {"distribution": "multi_normal_cholesky", "params": [{"array": [lit(1.0), lit(-2.0)]}, {"array": [{"array": [lit(1.0), lit(0.0)]}, {"array": [lit(1.5), lit(2.0)]}]}]}}}}),
        accumulate("dir0", at(var("p"), 0)),
        accumulate("dir2", at(var("p"), 2)),
        accumulate("l10sq", op("mul", at(at(var("L"), 1), 0), at(at(var("L"), 1), 0))),
        accumulate("count0", json!({"cast": {"value": at(var("c"), 0), "type": "f64"}})),
        accumulate("z1", at(var("z"), 1)),
        accumulate("z1sq", op("mul", op("sub", at(var("z"), 1), lit(-2.0)), op("sub", at(var("z"), 1), lit(-2.0)))),
    ];
    body.push(json!({"for": {"variable": "i", "iterable": {"range": {"start": {"literal": 0}, "end": {"literal": n}}}, "body": draws}}));
    for s in sums {
        body.push(json!({"expression": {"call": {"function": "std_print_float", "args": [op("div", var(s), lit(n as f64))]}}}));
    }
    json!({"program": {"functions": {"main": {"args": [], "return": "void", "body": body}}}})
}

#[test]
fn forward_multivariate_draws_have_the_known_moments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = 4000.0_f64;
    let file = dir.path().join("forward.sirs.json");
    std::fs::write(&file, forward_program(n as i64).to_string()).expect("write");
    let out = support::sev(&["run".into(), file.display().to_string()], "17", None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let means: Vec<f64> = out.stdout.lines().map(|l| l.trim().parse().expect("a number")).collect();
    // (name, known mean, known variance of one draw of the quantity)
    let dirichlet_var = |a: f64| a * (6.0 - a) / (36.0 * 7.0);
    // L₂₁ = ρ₁₂ with (ρ+1)/2 ~ Beta(1.5, 1.5): E[ρ²] = 1/4; ρ² has variance E[ρ⁴] − 1/16, with
    // E[ρ⁴] = 3/((2β+1)(2β+3)) = 1/8 for β = 1.5.
    // z = μ + L·ε with L = [[1, 0], [1.5, 2]]: z₂ has mean −2 and variance 1.5² + 2² = 6.25;
    // (z₂+2)² has mean 6.25 and variance 2·6.25².
    let expected = [
        ("dirichlet mean 1", 1.0 / 6.0, dirichlet_var(1.0)),
        ("dirichlet mean 3", 3.0 / 6.0, dirichlet_var(3.0)),
        ("E[L21^2]", 0.25, 1.0 / 8.0 - 1.0 / 16.0),
        ("multinomial count 1", 2.0, 10.0 * 0.2 * 0.8),
        ("multi_normal mean 2", -2.0, 6.25),
        ("multi_normal variance 2", 6.25, 2.0 * 6.25 * 6.25),
    ];
    assert_eq!(means.len(), expected.len(), "{means:?}");
    for ((name, mean, var), got) in expected.iter().zip(&means) {
        let tolerance = 4.0 * (var / n).sqrt();
        assert!((got - mean).abs() < tolerance, "{name}: {got}, expected {mean} ± {tolerance}");
    }
}
