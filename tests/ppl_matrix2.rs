//! Constrained matrix parameters: correlation matrices (`lkj_corr` with a `size`) and
//! covariance matrices (`wishart`, `inv_wishart`, dimension from the scale matrix), sampled on
//! the unconstrained scale through the transforms of `runtime/ppl/matrix_constrained.zig`.
//!
//! Known answers, each with a fixed seed and MCSE-based tolerances:
//! * under LKJ(η) alone each correlation r of a K×K matrix has (r + 1)/2 ~ Beta(β, β) with
//!   β = η − 1 + K/2, so E r = 0 and Var r = 4·β²/((2β)²(2β + 1)) = 1/(2β + 1);
//! * under wishart(ν, S) alone E W = ν S; under inv_wishart(ν, S) alone E W = S/(ν − K − 1);
//! * a covariance matrix with an inverse-Wishart prior and multi_normal data recovers the
//!   correlation the data were simulated with within 3 posterior sd.
//!
//! The gradients of the transforms and densities are checked by the model binary's `diagnose`
//! (reverse mode against finite differences and forward mode). The densities' values are
//! checked against SciPy in `tests/ppl_dist.rs`.

mod support;

use serde_json::{Value, json};
use std::path::Path;

fn lit(x: f64) -> Value {
    json!({"literal": x})
}

fn var(name: &str) -> Value {
    json!({"var": name})
}

fn model(args: Value, body: Vec<Value>) -> Value {
    json!({"program": {"functions": {"main": {"args": args, "return": "void", "body": body}}}})
}

fn sample_let(name: &str, dist: &str, params: Vec<Value>, size: Option<i64>) -> Value {
    let mut s = json!({"distribution": dist, "params": params});
    if let Some(k) = size {
        s["size"] = json!({"literal": k});
    }
    json!({"let": {"name": name, "value": {"sample": s}}})
}

/// Runs `sev run` on `program` (and data) with a fixed seed; returns the summary document.
fn run_summary(dir: &Path, name: &str, program: &Value, data: Option<&Value>, draws: &str) -> Value {
    let file = dir.join(format!("{name}.sirs.json"));
    std::fs::write(&file, program.to_string()).expect("write the model");
    let summary = dir.join(format!("{name}.json"));
    let out_dir = dir.join(name);
    let mut args: Vec<String> = vec!["run".into(), file.display().to_string()];
    if let Some(d) = data {
        let path = dir.join(format!("{name}.data.json"));
        std::fs::write(&path, d.to_string()).expect("write the data");
        args.extend(["--data".into(), path.display().to_string()]);
    }
    for a in ["--seed", "17", "--chains", "2", "--draws", draws, "--output", out_dir.to_str().expect("utf-8"), "--summary", summary.to_str().expect("utf-8")] {
        args.push(a.into());
    }
    let out = support::sev(&args, "1", None);
    assert_eq!(out.code, 0, "{name}: {}", out.stderr);
    serde_json::from_slice(&std::fs::read(&summary).expect("summary")).expect("JSON")
}

struct Column {
    mean: f64,
    sd: f64,
    mcse: f64,
    ess: f64,
}

fn column(doc: &Value, name: &str) -> Column {
    let c = doc["columns"].as_array().expect("columns").iter().find(|c| c["name"] == name).cloned().unwrap_or_else(|| panic!("no column {name}"));
    let f = |k: &str| c[k].as_f64().unwrap_or_else(|| panic!("{name}: no {k}"));
    Column { mean: f("mean"), sd: f("sd"), mcse: f("mcse_mean"), ess: f("ess_bulk") }
}

#[test]
fn lkj_corr_prior_marginals_and_unit_diagonal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (k, eta) = (3_i64, 2.0_f64);
    let program = model(json!([]), vec![sample_let("R", "lkj_corr", vec![lit(eta)], Some(k)), json!({"factor": lit(0.0)})]);
    let doc = run_summary(dir.path(), "lkj_corr_prior", &program, None, "2000");
    let beta = eta - 1.0 + k as f64 / 2.0;
    let sd_truth = (1.0 / (2.0 * beta + 1.0)).sqrt();
    for name in ["R.2.1", "R.3.1", "R.3.2"] {
        let c = column(&doc, name);
        assert!(c.mean.abs() < 4.0 * c.mcse, "{name}: mean {} (mcse {}), expected 0", c.mean, c.mcse);
        let tolerance = 1.5 * 4.0 * sd_truth / (2.0 * c.ess).sqrt();
        assert!((c.sd - sd_truth).abs() < tolerance, "{name}: sd {}, expected {sd_truth} ± {tolerance}", c.sd);
    }
    // symmetric and unit diagonal in every draw
    assert_eq!(column(&doc, "R.2.1").mean, column(&doc, "R.1.2").mean);
    for name in ["R.1.1", "R.2.2", "R.3.3"] {
        let c = column(&doc, name);
        assert_eq!((c.mean, c.sd), (1.0, 0.0), "{name}");
    }
}

#[test]
fn wishart_and_inv_wishart_prior_means() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = [[2.0, 0.5], [0.5, 1.0]];
    let nu = 7.0;
    let program = model(
        json!([{"name": "S", "type": "[[f64]]"}]),
        vec![
            sample_let("W", "wishart", vec![lit(nu), var("S")], None),
            sample_let("V", "inv_wishart", vec![lit(nu), var("S")], None),
            json!({"factor": lit(0.0)}),
        ],
    );
    let doc = run_summary(dir.path(), "wishart_prior", &program, Some(&json!({"S": s})), "2000");
    for (i, j) in [(0, 0), (1, 0), (1, 1)] {
        let w = column(&doc, &format!("W.{}.{}", i + 1, j + 1));
        let expect = nu * s[i][j];
        assert!((w.mean - expect).abs() < 4.0 * w.mcse, "W[{i}][{j}]: mean {} (mcse {}), expected {expect}", w.mean, w.mcse);
        let v = column(&doc, &format!("V.{}.{}", i + 1, j + 1));
        let expect = s[i][j] / (nu - 2.0 - 1.0);
        assert!((v.mean - expect).abs() < 4.0 * v.mcse, "V[{i}][{j}]: mean {} (mcse {}), expected {expect}", v.mean, v.mcse);
    }
    // the variance of a Wishart entry is nu (S_ij² + S_ii S_jj)
    let w11 = column(&doc, "W.1.1");
    let sd_truth = (nu * 2.0 * s[0][0] * s[0][0]).sqrt();
    let tolerance = 1.5 * 4.0 * sd_truth / (2.0 * w11.ess).sqrt();
    assert!((w11.sd - sd_truth).abs() < tolerance, "W.1.1 sd {}, expected {sd_truth} ± {tolerance}", w11.sd);
}

/// y ~ multi_normal(0, Sigma) with Sigma ~ inv_wishart(4, I), 200 draws simulated with
/// correlation 0.6; the output `rho` is Sigma's correlation.
#[test]
fn covariance_matrix_posterior_recovers_a_simulated_correlation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rho_true = 0.6_f64;
    let y = simulated_pairs(200, rho_true, 2.0, 0.5);
    let at = |m: &str, i: i64, j: i64| json!({"index": {"array": {"index": {"array": var(m), "index": {"literal": i}}}, "index": {"literal": j}}});
    let rho = json!({"op": {"kind": "div", "args": [at("Sigma", 1, 0), {"call": {"function": "math_sqrt", "args": [{"op": {"kind": "mul", "args": [at("Sigma", 0, 0), at("Sigma", 1, 1)]}}]}}]}});
    let program = model(
        json!([{"name": "y", "type": "[[f64]]"}]),
        vec![
            sample_let("Sigma", "inv_wishart", vec![lit(4.0), json!({"array": [{"array": [lit(1.0), lit(0.0)]}, {"array": [lit(0.0), lit(1.0)]}]})], None),
            json!({"for": {"variable": "row", "iterable": var("y"), "body": [
                {"observe": {"distribution": "multi_normal", "params": [{"array": [lit(0.0), lit(0.0)]}, var("Sigma")], "value": var("row")}}
            ]}}),
            json!({"let": {"name": "rho", "value": rho, "output": true}}),
        ],
    );
    let doc = run_summary(dir.path(), "cov_posterior", &program, Some(&json!({"y": y})), "1000");
    let r = column(&doc, "rho");
    assert!((r.mean - rho_true).abs() < 3.0 * r.sd, "rho: mean {} sd {}, simulated with {rho_true}", r.mean, r.sd);
    assert!(r.sd > 0.01 && r.sd < 0.15, "rho: posterior sd {}", r.sd);
    let s11 = column(&doc, "Sigma.1.1");
    assert!((s11.mean - 4.0).abs() < 3.0 * s11.sd, "Sigma[0][0]: mean {} sd {}, simulated with 4", s11.mean, s11.sd);
}

/// `n` pairs with sds `s1`, `s2` and correlation `rho` from a fixed-seed Box–Muller stream.
fn simulated_pairs(n: usize, rho: f64, s1: f64, s2: f64) -> Vec<[f64; 2]> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut uniform = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let (u1, u2) = (uniform(), uniform());
            let r = (-2.0 * u1.ln()).sqrt();
            let (z1, z2) = (r * (2.0 * std::f64::consts::PI * u2).cos(), r * (2.0 * std::f64::consts::PI * u2).sin());
            [s1 * z1, s2 * (rho * z1 + (1.0 - rho * rho).sqrt() * z2)]
        })
        .collect()
}

#[test]
fn matrix_parameter_gradients_match_finite_differences_and_forward_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = model(
        json!([{"name": "S", "type": "[[f64]]"}, {"name": "y", "type": "[[f64]]"}]),
        vec![
            sample_let("R", "lkj_corr", vec![lit(1.5)], Some(3)),
            sample_let("W", "wishart", vec![lit(4.0), var("S")], None),
            sample_let("V", "inv_wishart", vec![lit(5.0), var("W")], None),
            json!({"for": {"variable": "row", "iterable": var("y"), "body": [
                {"observe": {"distribution": "multi_normal", "params": [{"array": [lit(0.0), lit(0.0), lit(0.0)]}, var("R")], "value": var("row")}},
                {"observe": {"distribution": "multi_normal", "params": [{"array": [lit(0.0), lit(0.0), lit(0.0)]}, var("V")], "value": var("row")}}
            ]}}),
        ],
    );
    let file = dir.path().join("grad.sirs.json");
    std::fs::write(&file, program.to_string()).expect("write");
    let data = dir.path().join("grad.data.json");
    let s = json!([[1.0, 0.3, 0.0], [0.3, 2.0, 0.4], [0.0, 0.4, 1.5]]);
    std::fs::write(&data, json!({"S": s, "y": [[0.5, 0.2, -1.0], [1.5, 0.9, 0.3], [-0.4, -0.8, 0.1]]}).to_string()).expect("write");
    let exe = dir.path().join("grad");
    let build = support::sev(&["build".into(), file.display().to_string(), "-o".into(), exe.display().to_string()], "1", None);
    assert_eq!(build.code, 0, "{}", build.stderr);
    for seed in ["1", "2", "3"] {
        let args: Vec<String> = ["diagnose", "--data", data.to_str().expect("utf-8"), "--seed", seed].iter().map(|s| s.to_string()).collect();
        let out = support::run_exe(&exe, &args, None).expect("the model runs");
        assert_eq!(out.code, 0, "seed {seed}: {}{}", out.stdout, out.stderr);
        assert!(out.stdout.contains("ok: the gradient agrees"), "seed {seed}: {}", out.stdout);
    }
}

fn show(x: Value) -> Value {
    json!({"expression": {"call": {"function": "print", "args": [{"call": {"function": "to_string", "args": [x]}}]}}})
}

/// Prints each element of vector `x` on a line of its own, then `--`.
fn show_vector(x: Value) -> Vec<Value> {
    vec![json!({"for": {"variable": "e", "iterable": x, "body": [show(var("e"))]}}), json!({"expression": {"call": {"function": "print", "args": [{"literal": "--"}]}}})]
}

/// Prints each element of matrix `m` row by row, one a line, then `--`.
fn show_matrix(m: Value) -> Vec<Value> {
    vec![
        json!({"for": {"variable": "r", "iterable": m, "body": [{"for": {"variable": "e", "iterable": var("r"), "body": [show(var("e"))]}}]}}),
        json!({"expression": {"call": {"function": "print", "args": [{"literal": "--"}]}}}),
    ]
}

#[test]
fn forward_draws_have_the_right_shape_and_support() {
    let dir = tempfile::tempdir().expect("tempdir");
    // outside a model: one lkj_corr draw (K = 3) and one wishart draw, their entries checked
    let at = |m: &str, i: i64, j: i64| json!({"index": {"array": {"index": {"array": var(m), "index": {"literal": i}}}, "index": {"literal": j}}});
    let program = json!({"program": {"functions": {"main": {"args": [], "return": "void", "body": [
        sample_let("R", "lkj_corr", vec![lit(2.0)], Some(3)),
        sample_let("W", "wishart", vec![lit(5.0), json!({"array": [{"array": [lit(1.0), lit(0.2)]}, {"array": [lit(0.2), lit(1.0)]}]})], None),
        show(json!({"op": {"kind": "eq", "args": [at("R", 1, 1), lit(1.0)]}})),
        show(json!({"call": {"function": "len", "args": [var("W")]}})),
        show(json!({"op": {"kind": "eq", "args": [at("R", 2, 0), at("R", 0, 2)]}})),
        show(json!({"op": {"kind": "gt", "args": [at("W", 0, 0), lit(0.0)]}})),
        show(json!({"op": {"kind": "lt", "args": [{"call": {"function": "math_abs", "args": [at("R", 1, 0)]}}, lit(1.0)]}}))
    ]}}}});
    let file = dir.path().join("draws.sirs.json");
    std::fs::write(&file, program.to_string()).expect("write");
    let out = support::sev(&["run".into(), file.display().to_string()], "1", None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().collect::<Vec<_>>(), ["true", "2", "true", "true", "true"], "{}", out.stdout);
}

/// The statements docs/probabilistic.md quotes under "Matrix parameters" are consecutive
/// statements of examples/lkj_correlation.sirs.json, so the documented code is the tested code.
#[test]
fn the_documented_statements_are_the_examples_statements() {
    let doc = std::fs::read_to_string(support::root().join("docs/probabilistic.md")).expect("docs");
    let section = doc.split("**Matrix parameters.**").nth(1).expect("the paragraph exists");
    let block = section.split("```json\n").nth(1).and_then(|b| b.split("```").next()).expect("a quoted block");
    let shown: Vec<Value> = serde_json::from_str(&format!("[{block}]")).unwrap_or_else(|e| panic!("not JSON ({e}):\n{block}"));
    let example: Value = serde_json::from_slice(&std::fs::read(support::root().join("examples/lkj_correlation.sirs.json")).expect("example")).expect("JSON");
    let body = example["program"]["functions"]["main"]["body"].as_array().cloned().unwrap_or_default();
    let start = body.iter().position(|s| *s == shown[0]).expect("the first statement is the example's");
    assert_eq!(shown.as_slice(), &body[start..start + shown.len()]);
}

/// examples/lkj_correlation recovers the correlations its data were simulated with (0.6, -0.3,
/// 0.2): each posterior mean within 3 posterior sd.
#[test]
fn lkj_correlation_example_recovers_its_simulation_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = support::root();
    let program: Value = serde_json::from_slice(&std::fs::read(root.join("examples/lkj_correlation.sirs.json")).expect("example")).expect("JSON");
    let data: Value = serde_json::from_slice(&std::fs::read(root.join("examples/lkj_correlation.data.json")).expect("data")).expect("JSON");
    let doc = run_summary(dir.path(), "lkj_correlation", &program, Some(&data), "1000");
    for (name, truth) in [("Omega.1.2", 0.6), ("Omega.1.3", -0.3), ("Omega.2.3", 0.2)] {
        let c = column(&doc, name);
        assert!((c.mean - truth).abs() < 3.0 * c.sd, "{name}: mean {} sd {}, simulated with {truth}", c.mean, c.sd);
    }
}

fn call(function: &str, args: Vec<Value>) -> Value {
    json!({"call": {"function": function, "args": args}})
}

fn matrix(rows: &[&[f64]]) -> Value {
    json!({"array": rows.iter().map(|r| json!({"array": r.iter().map(|x| lit(*x)).collect::<Vec<_>>()})).collect::<Vec<_>>()})
}

fn int(i: i64) -> Value {
    json!({"literal": i})
}

/// Slices (0-based like indexing) and diagonal products in a plain program, printed exactly.
#[test]
fn slices_and_diagonal_products_in_a_program() {
    let a = matrix(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], &[7.0, 8.0, 9.0]]);
    let v = json!({"array": [lit(10.0), lit(20.0), lit(30.0)]});
    let body = vec![
        json!({"let": {"name": "A", "value": a}}),
        json!({"let": {"name": "v", "value": v}}),
    ];
    let mut body = body;
    body.extend(show_vector(call("row", vec![var("A"), int(1)])));
    body.extend(show_vector(call("col", vec![var("A"), int(2)])));
    body.extend(show_matrix(call("block", vec![var("A"), int(1), int(0), int(2), int(2)])));
    body.extend(show_vector(call("segment", vec![var("v"), int(1), int(2)])));
    body.extend(show_matrix(call("diag_pre_multiply", vec![var("v"), var("A")])));
    body.extend(show_matrix(call("diag_post_multiply", vec![var("A"), var("v")])));
    body.extend(show_matrix(call("add_diag", vec![var("A"), var("v")])));
    body.extend(show_matrix(call("add_diag", vec![var("A"), int(1)])));
    body.extend(show_matrix(call("block", vec![var("A"), int(3), int(0), int(0), int(3)])));
    let program = model(json!([]), body);
    let out = support::build_and_run("slices.sirs.json", &program.to_string(), &[]).expect("builds and runs");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let groups: [&[f64]; 9] = [
        &[4.0, 5.0, 6.0],
        &[3.0, 6.0, 9.0],
        &[4.0, 5.0, 7.0, 8.0],
        &[20.0, 30.0],
        &[10.0, 20.0, 30.0, 80.0, 100.0, 120.0, 210.0, 240.0, 270.0],
        &[10.0, 40.0, 90.0, 40.0, 100.0, 180.0, 70.0, 160.0, 270.0],
        &[11.0, 2.0, 3.0, 4.0, 25.0, 6.0, 7.0, 8.0, 39.0],
        &[2.0, 2.0, 3.0, 4.0, 6.0, 6.0, 7.0, 8.0, 10.0],
        &[],
    ];
    let mut expected: Vec<String> = Vec::new();
    for g in groups {
        expected.extend(g.iter().map(|x| x.to_string()));
        expected.push("--".into());
    }
    let printed: Vec<String> = out.stdout.lines().map(|l| l.parse::<f64>().map_or(l.to_string(), |x| x.to_string())).collect();
    assert_eq!(printed, expected, "{}", out.stdout);

}

/// An out-of-range slice stops the program with a located fault (status 101).
#[test]
fn out_of_range_slices_are_located_faults() {
    let cases = [
        (call("row", vec![var("A"), int(2)]), "row: rows 2 to 2 are out of range for 2 rows"),
        (call("col", vec![var("A"), int(-1)]), "col: columns -1 to -1 are out of range for 2 columns"),
        (call("block", vec![var("A"), int(1), int(0), int(2), int(1)]), "block: rows 1 to 2 are out of range for 2 rows"),
        (call("segment", vec![call("row", vec![var("A"), int(0)]), int(1), int(2)]), "segment: elements 1 to 2 are out of range for 2 elements"),
        (call("diag_pre_multiply", vec![json!({"array": [lit(1.0)]}), var("A")]), "diag_pre_multiply: the vector has 1 elements but the matrix is 2 x 2"),
    ];
    for (i, (expr, message)) in cases.into_iter().enumerate() {
        let program = model(json!([]), vec![json!({"let": {"name": "A", "value": matrix(&[&[1.0, 2.0], &[3.0, 4.0]])}}), json!({"let": {"name": "s", "value": expr}})]);
        let out = support::build_and_run(&format!("slice_fault_{i}.sirs.json"), &program.to_string(), &[]).expect("builds and runs");
        assert_eq!(out.code, 101, "{message}: {}", out.stderr);
        assert!(out.stderr.contains(message), "expected `{message}` in {}", out.stderr);
        assert!(out.stderr.contains("slice_fault") && out.stderr.contains("main"), "the fault is located: {}", out.stderr);
    }
}

/// multi_normal_cholesky(mu, diag_pre_multiply(tau, L)) with L ~ lkj_corr_cholesky recovers the
/// correlation (0.6) and scales (2, 0.5) of simulated pairs within 3 posterior sd; the slices
/// `row`/`col`/`segment` of parameters are differentiable (`diagnose`).
#[test]
fn scaled_cholesky_factor_recovers_a_simulated_correlation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let y = simulated_pairs(200, 0.6, 2.0, 0.5);
    let sigma_l = call("diag_pre_multiply", vec![var("tau"), var("L")]);
    let program = model(
        json!([{"name": "y", "type": "[[f64]]"}]),
        vec![
            json!({"let": {"name": "tau", "value": {"sample": {"distribution": "half_normal", "params": [lit(3.0)], "size": int(2)}}}}),
            sample_let("L", "lkj_corr_cholesky", vec![lit(2.0)], Some(2)),
            json!({"for": {"variable": "pair", "iterable": var("y"), "body": [
                {"observe": {"distribution": "multi_normal_cholesky", "params": [{"array": [lit(0.0), lit(0.0)]}, sigma_l], "value": var("pair")}}
            ]}}),
            json!({"let": {"name": "rho", "value": {"index": {"array": call("col", vec![var("L"), int(0)]), "index": int(1)}}, "output": true}}),
            json!({"let": {"name": "tau2", "value": {"index": {"array": call("segment", vec![var("tau"), int(1), int(1)]), "index": int(0)}}, "output": true}}),
            json!({"factor": {"op": {"kind": "mul", "args": [lit(0.0), {"index": {"array": call("row", vec![var("L"), int(1)]), "index": int(0)}}]}}}),
        ],
    );
    let doc = run_summary(dir.path(), "scaled_cholesky", &program, Some(&json!({"y": y})), "1000");
    for (name, truth) in [("rho", 0.6), ("tau.1", 2.0), ("tau2", 0.5)] {
        let c = column(&doc, name);
        assert!((c.mean - truth).abs() < 3.0 * c.sd, "{name}: mean {} sd {}, simulated with {truth}", c.mean, c.sd);
    }
    let file = dir.path().join("scaled_cholesky.sirs.json");
    let exe = dir.path().join("scaled_cholesky_bin");
    let build = support::sev(&["build".into(), file.display().to_string(), "-o".into(), exe.display().to_string()], "1", None);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let data = dir.path().join("scaled_cholesky.data.json");
    let args: Vec<String> = ["diagnose", "--data", data.to_str().expect("utf-8"), "--seed", "4"].iter().map(|s| s.to_string()).collect();
    let out = support::run_exe(&exe, &args, None).expect("the model runs");
    assert!(out.code == 0 && out.stdout.contains("ok: the gradient agrees"), "{}{}", out.stdout, out.stderr);
}
