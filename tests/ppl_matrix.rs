//! The matrix and vector built-ins (runtime/ppl/matrix.zig):
//!
//! * in a plain program, every function's values against NumPy/SciPy at 1e-12 relative
//!   (`tests/ppl_matrix/check_numpy.py`);
//! * in a model, the gradient through every function (each one block node on the tape with a
//!   hand-written reverse pass) passes the model binary's `diagnose` (against fourth-order
//!   finite differences and forward mode, which differentiates the plain algorithm op by op);
//! * a GP regression written with `gp_exp_quad_cov`, `add_diag` and `cholesky_decompose` has
//!   the same log density and gradient as the same model written with loops and `multi_normal`;
//! * bad shapes and matrices that are not positive definite are located faults (status 101) in
//!   programs, a wrong argument type is a check-time error, never a panic.

mod support;

use serde_json::{Value, json};

fn lit(x: f64) -> Value {
    json!({"literal": x})
}
fn var(n: &str) -> Value {
    json!({"var": n})
}
fn call(f: &str, args: Vec<Value>) -> Value {
    json!({"call": {"function": f, "args": args}})
}
fn matrix(rows: &[&[f64]]) -> Value {
    json!({"array": rows.iter().map(|r| json!({"array": r.iter().map(|x| lit(*x)).collect::<Vec<_>>()})).collect::<Vec<_>>()})
}
fn vector(xs: &[f64]) -> Value {
    json!({"array": xs.iter().map(|x| lit(*x)).collect::<Vec<_>>()})
}
fn op(kind: &str, args: Vec<Value>) -> Value {
    json!({"op": {"kind": kind, "args": args}})
}
fn let_(name: &str, value: Value) -> Value {
    json!({"let": {"name": name, "value": value}})
}
fn expr(e: Value) -> Value {
    json!({"expression": e})
}

const A: [&[f64]; 3] = [&[4.0, 2.0, 0.4], &[2.0, 5.0, 1.0], &[0.4, 1.0, 3.0]];
const G: [&[f64]; 3] = [&[1.5, -0.3, 2.0], &[0.7, 2.2, -1.1], &[-0.4, 0.9, 3.3]];
const B: [&[f64]; 3] = [&[1.0, -2.0], &[0.5, 0.25], &[3.0, 1.5]];
const V: [f64; 3] = [0.3, -1.2, 2.5];
const X: [f64; 5] = [-1.0, -0.2, 0.35, 1.1, 2.9];

/// A program printing `== name` and then each result's elements, row by row.
fn values_program() -> Value {
    let show_matrix = json!({"args": [{"name": "label", "type": "str"}, {"name": "m", "type": "[[f64]]"}], "return": "void", "body": [
        expr(call("print", vec![op("add", vec![json!({"literal": "== "}), var("label")])])),
        {"for": {"variable": "row", "iterable": var("m"), "body": [{"for": {"variable": "e", "iterable": var("row"), "body": [expr(call("print", vec![var("e")]))]}}]}}
    ]});
    let show_vector = json!({"args": [{"name": "label", "type": "str"}, {"name": "v", "type": "[f64]"}], "return": "void", "body": [
        expr(call("print", vec![op("add", vec![json!({"literal": "== "}), var("label")])])),
        {"for": {"variable": "e", "iterable": var("v"), "body": [expr(call("print", vec![var("e")]))]}}
    ]});
    let m = |label: &str, e: Value| expr(call("show_matrix", vec![json!({"literal": label}), e]));
    let v = |label: &str, e: Value| expr(call("show_vector", vec![json!({"literal": label}), e]));
    let body = vec![
        let_("A", matrix(&A)),
        let_("G", matrix(&G)),
        let_("B", matrix(&B)),
        let_("v", vector(&V)),
        let_("x", vector(&X)),
        let_("L", call("cholesky_decompose", vec![var("A")])),
        m("multiply", call("multiply", vec![var("G"), var("B")])),
        v("multiply_vector", call("multiply", vec![var("G"), var("v")])),
        m("transpose", call("transpose", vec![var("B")])),
        m("cholesky_decompose", var("L")),
        m("mdivide_left_tri_low", call("mdivide_left_tri_low", vec![var("L"), var("B")])),
        v("mdivide_left_tri_low_vector", call("mdivide_left_tri_low", vec![var("L"), var("v")])),
        v("log_determinant", json!({"array": [call("log_determinant", vec![var("G")])]})),
        m("inverse", call("inverse", vec![var("G")])),
        m("diag_matrix", call("diag_matrix", vec![var("v")])),
        m("add_diag", call("add_diag", vec![var("A"), lit(0.5)])),
        m("rep_matrix", call("rep_matrix", vec![lit(2.5), json!({"literal": 2}), json!({"literal": 3})])),
        m("gp_exp_quad_cov", call("gp_exp_quad_cov", vec![var("x"), lit(1.3), lit(0.7)])),
        m("gp_matern32_cov", call("gp_matern32_cov", vec![var("x"), lit(1.3), lit(0.7)])),
        m("gp_periodic_cov", call("gp_periodic_cov", vec![var("x"), lit(1.3), lit(0.7), lit(2.0)])),
        v("softmax", call("softmax", vec![var("v")])),
        v("log_softmax", call("log_softmax", vec![var("v")])),
    ];
    json!({"program": {"entry": "main", "functions": {
        "main": {"args": [], "return": "void", "body": body},
        "show_matrix": show_matrix,
        "show_vector": show_vector
    }}})
}

#[test]
fn matrix_functions_match_numpy() {
    let out = support::build_and_run("matrix_values.sirs.json", &values_program().to_string(), &[]).expect("the program builds and runs");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = json!({"A": A, "G": G, "B": B, "v": V, "x": X, "alpha": 1.3, "rho": 0.7, "period": 2.0});
    let (inputs_file, output_file) = (dir.path().join("inputs.json"), dir.path().join("output.txt"));
    std::fs::write(&inputs_file, inputs.to_string()).expect("write inputs");
    std::fs::write(&output_file, &out.stdout).expect("write output");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let script = support::root().join("tests/ppl_matrix/check_numpy.py");
    let check = std::process::Command::new(&python).arg(script).arg(&inputs_file).arg(&output_file).output().expect("python runs");
    let report = String::from_utf8_lossy(&check.stdout);
    println!("{report}");
    assert!(check.status.success(), "NumPy disagrees:\n{report}\n{}", String::from_utf8_lossy(&check.stderr));
    assert_eq!(report.lines().filter(|l| l.contains(" ok ")).count(), 16, "{report}");
}

fn sample(name: &str, dist: &str, params: Vec<Value>) -> Value {
    let_(name, json!({"sample": {"distribution": dist, "params": params}}))
}
fn factor(e: Value) -> Value {
    json!({"factor": e})
}
/// The sum of a matrix's elements (a product with a vector of ones, then `array_sum`).
fn matrix_sum(m: Value, cols: usize) -> Value {
    call("array_sum", vec![call("multiply", vec![m, vector(&vec![1.0; cols])])])
}

/// A model whose log density goes through every matrix function of its parameters.
fn every_function_model() -> Value {
    let n = X.len();
    let body = vec![
        sample("alpha", "half_normal", vec![lit(1.0)]),
        sample("rho", "lognormal", vec![lit(0.0), lit(0.5)]),
        sample("s", "half_normal", vec![lit(1.0)]),
        let_("w", json!({"sample": {"distribution": "normal", "params": [lit(0.0), lit(1.0)], "size": {"literal": 3}}})),
        let_("K", call("add_diag", vec![call("gp_exp_quad_cov", vec![var("x"), var("alpha"), var("rho")]), op("mul", vec![var("s"), var("s")])])),
        let_("L", call("cholesky_decompose", vec![var("K")])),
        json!({"observe": {"distribution": "multi_normal_cholesky", "params": [vector(&vec![0.0; n]), var("L")], "value": var("y")}}),
        let_("z", call("mdivide_left_tri_low", vec![var("L"), var("y")])),
        factor(op("mul", vec![lit(-0.1), call("dot", vec![var("y"), var("z")])])),
        let_("Z", call("mdivide_left_tri_low", vec![var("L"), call("rep_matrix", vec![var("alpha"), json!({"literal": n as i64}), json!({"literal": 2})])])),
        factor(op("mul", vec![lit(0.01), matrix_sum(var("Z"), 2)])),
        let_("P", call("multiply", vec![call("transpose", vec![var("L")]), var("L")])),
        factor(op("mul", vec![lit(-0.1), call("log_determinant", vec![var("P")])])),
        let_("M", call("add_diag", vec![call("gp_matern32_cov", vec![var("x"), var("alpha"), var("rho")]), lit(1.0)])),
        let_("Q", call("add_diag", vec![call("gp_periodic_cov", vec![var("x"), var("alpha"), var("rho"), lit(2.0)]), lit(1.0)])),
        factor(op("mul", vec![lit(0.05), matrix_sum(call("inverse", vec![call("multiply", vec![var("M"), var("Q")])]), n)])),
        let_("D", call("diag_matrix", vec![call("softmax", vec![var("w")])])),
        factor(op("mul", vec![lit(0.2), matrix_sum(var("D"), 3)])),
        factor(call("array_sum", vec![call("multiply", vec![var("D"), call("log_softmax", vec![var("w")])])])),
    ];
    json!({"program": {"entry": "main", "functions": {"main": {"args": [{"name": "x", "type": "[f64]"}, {"name": "y", "type": "[f64]"}], "return": "void", "body": body}}}})
}

/// Builds a model; its gradient is the tape's, with a located reason (the compiled adjoint of
/// `src/ad/` does not take matrices yet).
fn build_model(dir: &std::path::Path, name: &str, program: &Value) -> std::path::PathBuf {
    let c = support::compile(&format!("{name}.sirs.json"), &program.to_string());
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    let strategy = c.cir.as_ref().and_then(|p| p.ad.as_ref());
    assert!(matches!(strategy, Some(sev::ad::Strategy::Tape { reason, .. }) if !reason.is_empty()), "{name}: {strategy:?}");
    let exe = dir.join(name);
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe).expect("the model builds");
    exe
}

fn diagnose(exe: &std::path::Path, data: &std::path::Path) -> support::Output {
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["diagnose", "--seed", "7", "--points", "3", "--data"]).arg(data);
    support::output_retrying_busy(&mut cmd).expect("the model runs").into()
}

const Y: [f64; 5] = [0.4, -0.3, 0.9, 1.2, -0.5];

#[test]
fn gradients_through_every_matrix_function_pass_diagnose() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data.json");
    std::fs::write(&data, json!({"x": X, "y": Y}).to_string()).expect("write data");
    let exe = build_model(dir.path(), "every_function", &every_function_model());
    let out = diagnose(&exe, &data);
    assert_eq!(out.code, 0, "diagnose fails:\n{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("ok: the gradient agrees at 3 point(s)"), "{}", out.stdout);
    // 6 unconstrained parameters at 3 points, plus the 3 log densities
    assert_eq!(support::diagnose_reverse_gradients(&out.stdout).len(), 3 * 6 + 3, "{}", out.stdout);
}

fn python(script: &str, args: &[&std::path::Path]) -> (bool, String) {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(&python).arg(support::root().join("tests/ppl_matrix").join(script)).args(args).output().expect("python runs");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), report)
}

/// `sev run` of a model file with a summary; returns column name → the column's JSON.
fn sample_summary(dir: &std::path::Path, model: &std::path::Path, data: &std::path::Path, name: &str, extra: &[&str]) -> (std::path::PathBuf, serde_json::Map<String, Value>) {
    let summary = dir.join(format!("{name}.summary.json"));
    let mut args: Vec<String> = vec!["run".into(), model.display().to_string(), "--data".into(), data.display().to_string()];
    args.extend(["--output".to_string(), dir.join(name).display().to_string(), "--summary".into(), summary.display().to_string()]);
    args.extend(extra.iter().map(|a| a.to_string()));
    let out = support::sev(&args, "1", None);
    assert_eq!(out.code, 0, "{name}: {}", out.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&summary).expect("summary")).expect("JSON");
    let columns = doc["columns"].as_array().expect("columns").iter().map(|c| (c["name"].as_str().unwrap_or_default().to_string(), c.clone())).collect();
    (summary, columns)
}

/// The latent values of a GP at fixed hyperparameters (data), non-centred: f = L eta with L the
/// Cholesky factor of the kernel matrix, observed with normal noise.
fn latent_gp_model() -> Value {
    let body = vec![
        let_("L", call("cholesky_decompose", vec![call("add_diag", vec![call("gp_exp_quad_cov", vec![var("x"), var("alpha"), var("rho")]), lit(1e-9)])])),
        let_("eta", json!({"sample": {"distribution": "normal", "params": [lit(0.0), lit(1.0)], "size": var("N")}})),
        json!({"let": {"name": "f", "value": call("multiply", vec![var("L"), var("eta")]), "output": true}}),
        json!({"observe": {"distribution": "normal", "params": [var("f"), var("sigma")], "value": var("y")}}),
    ];
    let args = json!([{"name": "N", "type": "i64"}, {"name": "x", "type": "[f64]"}, {"name": "y", "type": "[f64]"}, {"name": "alpha", "type": "f64"}, {"name": "rho", "type": "f64"}, {"name": "sigma", "type": "f64"}]);
    json!({"program": {"entry": "main", "functions": {"main": {"args": args, "return": "void", "body": body}}}})
}

/// At fixed hyperparameters the posterior of the latent f is Gaussian: every coordinate's
/// posterior mean (within 4 MCSE) and sd match the closed form computed with NumPy.
#[test]
fn latent_gp_at_fixed_hyperparameters_matches_the_closed_form() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut data: Value = serde_json::from_slice(&std::fs::read(support::root().join("examples/gp_regression.data.json")).expect("data")).expect("JSON");
    data["alpha"] = json!(1.0);
    data["rho"] = json!(1.2);
    data["sigma"] = json!(0.3);
    let (model, data_file) = (dir.path().join("latent.sirs.json"), dir.path().join("latent.data.json"));
    std::fs::write(&model, latent_gp_model().to_string()).expect("write model");
    std::fs::write(&data_file, data.to_string()).expect("write data");
    let (summary, columns) = sample_summary(dir.path(), &model, &data_file, "latent", &["--seed", "2"]);
    assert!(columns.contains_key("f.30"), "no column f.30");
    let (ok, report) = python("gp_closed_form.py", &[&data_file, &summary]);
    println!("{report}");
    assert!(ok, "the posterior of f misses the closed form:\n{report}");
    assert_eq!(report.matches(" ok").count(), 30, "{report}");
}

/// The GP regression of examples/gp_regression.sirs.json written by hand, with loops building
/// the kernel matrix and `multi_normal` factoring it inside the density.
fn loop_written_gp() -> Value {
    let k_ij = op("mul", vec![op("mul", vec![var("alpha"), var("alpha")]), call("math_exp", vec![op("div", vec![op("neg", vec![op("mul", vec![var("d"), var("d")])]), op("mul", vec![lit(2.0), op("mul", vec![var("rho"), var("rho")])])])])]);
    let index = |a: Value, i: &str| json!({"index": {"array": a, "index": var(i)}});
    let range = |end: Value| json!({"range": {"start": {"literal": 0}, "end": end}});
    let body = vec![
        sample("alpha", "half_normal", vec![lit(2.0)]),
        sample("rho", "inv_gamma", vec![lit(5.0), lit(5.0)]),
        sample("sigma", "half_normal", vec![lit(1.0)]),
        json!({"let": {"name": "K", "value": call("array_fill", vec![var("N"), call("array_fill", vec![var("N"), lit(0.0)])]), "mutable": true}}),
        json!({"for": {"variable": "i", "iterable": range(var("N")), "body": [{"for": {"variable": "j", "iterable": range(var("N")), "body": [
            let_("d", op("sub", vec![index(var("x"), "i"), index(var("x"), "j")])),
            let_("k", k_ij),
            {"assign": {"target": index(index(var("K"), "i"), "j"), "value": {"cond": {"if": op("eq", vec![var("i"), var("j")]), "then": op("add", vec![var("k"), op("mul", vec![var("sigma"), var("sigma")])]), "else": var("k")}}}}
        ]}}]}}),
        json!({"observe": {"distribution": "multi_normal", "params": [call("array_fill", vec![var("N"), lit(0.0)]), var("K")], "value": var("y")}}),
        expr(call("print", vec![var("alpha")])),
        expr(call("print", vec![var("rho")])),
        expr(call("print", vec![var("sigma")])),
    ];
    let args = json!([{"name": "N", "type": "i64"}, {"name": "x", "type": "[f64]"}, {"name": "y", "type": "[f64]"}]);
    json!({"program": {"entry": "main", "functions": {"main": {"args": args, "return": "void", "body": body}}}})
}

fn example_source(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(support::root().join(format!("examples/{name}.sirs.json"))).expect("example")).expect("JSON")
}

/// The example's log density and gradient (matrix functions, block nodes) equal the
/// loop-written model's (scalar tape nodes, `multi_normal`'s own factorisation) to 1e-9 at the
/// three points of `diagnose`, and both pass its checks.
#[test]
fn gp_regression_equals_the_loop_written_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = support::root().join("examples/gp_regression.data.json");
    let (functions, loops) = (build_model(dir.path(), "gp_functions", &example_source("gp_regression")), build_model(dir.path(), "gp_loops", &loop_written_gp()));
    let (a, b) = (diagnose(&functions, &data), diagnose(&loops, &data));
    assert_eq!(a.code, 0, "{}{}", a.stdout, a.stderr);
    assert_eq!(b.code, 0, "{}{}", b.stdout, b.stderr);
    let (x, y) = (support::diagnose_reverse_gradients(&a.stdout), support::diagnose_reverse_gradients(&b.stdout));
    assert!(x.len() == 12 && x.len() == y.len(), "{}\n{}", a.stdout, b.stdout);
    for (p, q) in x.iter().zip(&y) {
        assert!((p - q).abs() <= 1e-9 * p.abs().max(q.abs()).max(1.0), "functions {p} against loops {q}\n{}\n{}", a.stdout, b.stdout);
    }
}

/// The example's posterior means (4 chains × 1,000 draws) against a long reference run of the
/// loop-written model (4 chains × 5,000 draws, another seed): within 4 combined MCSEs.
#[test]
fn gp_regression_posterior_matches_a_reference_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = support::root().join("examples/gp_regression.data.json");
    let reference_model = dir.path().join("gp_loops.sirs.json");
    std::fs::write(&reference_model, loop_written_gp().to_string()).expect("write model");
    let (_, example) = sample_summary(dir.path(), &support::root().join("examples/gp_regression.sirs.json"), &data, "example", &["--seed", "5"]);
    let (_, reference) = sample_summary(dir.path(), &reference_model, &data, "reference", &["--seed", "6", "--draws", "5000"]);
    for name in ["alpha", "rho", "sigma"] {
        let get = |c: &serde_json::Map<String, Value>, f: &str| c[name][f].as_f64().unwrap_or(f64::NAN);
        let (m1, s1, m2, s2) = (get(&example, "mean"), get(&example, "mcse_mean"), get(&reference, "mean"), get(&reference, "mcse_mean"));
        let tolerance = 4.0 * (s1 * s1 + s2 * s2).sqrt();
        assert!((m1 - m2).abs() <= tolerance, "{name}: example {m1} (mcse {s1}), reference {m2} (mcse {s2})");
    }
}

/// Bad shapes and a matrix that is not positive definite stop a program with a located fault
/// (status 101); a wrong argument type is an error of the checker.
#[test]
fn bad_shapes_are_located_faults_and_wrong_types_check_errors() {
    let program = |e: Value| json!({"program": {"entry": "main", "functions": {"main": {"args": [], "return": "void", "body": [expr(call("print", vec![e]))]}}}}).to_string();
    let cases = [
        (call("log_determinant", vec![call("multiply", vec![matrix(&[&[1.0, 2.0, 3.0]]), matrix(&[&[1.0, 2.0, 3.0]])])]), "multiply: the first matrix is 1 x 3 and the second 1 x 3"),
        (call("log_determinant", vec![call("cholesky_decompose", vec![matrix(&[&[1.0, 2.0], &[2.0, 1.0]])])]), "cholesky_decompose: the matrix is not symmetric positive definite"),
        (call("log_determinant", vec![matrix(&[&[1.0, 2.0], &[3.0]])]), "log_determinant: row 2 has 1 elements but row 1 has 2"),
        (call("log_determinant", vec![matrix(&[&[1.0, 2.0]])]), "log_determinant: the matrix is 1 x 2, not square"),
        (call("array_sum", vec![call("multiply", vec![matrix(&[&[1.0, 2.0]]), vector(&[1.0])])]), "multiply: the matrix is 1 x 2 and the vector has 1 elements"),
        (call("log_determinant", vec![call("gp_exp_quad_cov", vec![vector(&[1.0]), lit(1.0), lit(-1.0)])]), "gp_exp_quad_cov: rho must be positive and finite"),
    ];
    for (e, message) in cases {
        let out = support::build_and_run("bad_shape.sirs.json", &program(e), &[]).expect("builds");
        assert_eq!(out.code, 101, "{message}: {}", out.stderr);
        assert!(out.stderr.contains(message) && out.stderr.contains("bad_shape.sirs.json:"), "expected `{message}` with a location:\n{}", out.stderr);
    }
    let c = support::compile("wrong.sirs.json", &program(call("array_sum", vec![call("multiply", vec![matrix(&[&[1.0]]), json!({"literal": "text"})])])));
    let text = support::rendered(&c);
    assert!(c.has_errors() && text.contains("a matrix `[[f64]]` or a vector `[f64]`"), "{text}");
}

/// The statements docs/probabilistic.md quotes in "Matrices and Gaussian processes" are
/// consecutive statements of examples/gp_regression.sirs.json, so the documented code is the
/// tested code.
#[test]
fn the_documented_statements_are_the_examples_statements() {
    let doc = std::fs::read_to_string(support::root().join("docs/probabilistic.md")).expect("docs");
    let section = doc.split("### Matrices and Gaussian processes").nth(1).expect("the section exists");
    let section = section.split("\n### ").next().unwrap_or_default();
    let block = section.split("```json\n").nth(1).and_then(|b| b.split("```").next()).expect("a quoted block");
    let shown: Vec<Value> = serde_json::from_str(&format!("[{block}]")).unwrap_or_else(|e| panic!("not JSON ({e}):\n{block}"));
    let body = example_source("gp_regression")["program"]["functions"]["main"]["body"].as_array().cloned().unwrap_or_default();
    let start = body.iter().position(|s| *s == shown[0]).expect("the first statement is the example's");
    assert_eq!(shown.as_slice(), &body[start..start + shown.len()]);
}

/// examples/gp_poisson (a latent GP with Poisson counts, non-centred through
/// `cholesky_decompose` and `multiply`) recovers the settings its data were simulated with:
/// each posterior mean within 3 posterior sds of the true value.
#[test]
fn gp_poisson_recovers_its_simulation_settings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (model, data) = (support::root().join("examples/gp_poisson.sirs.json"), support::root().join("examples/gp_poisson.data.json"));
    let (_, columns) = sample_summary(dir.path(), &model, &data, "gp_poisson", &["--seed", "3", "--chains", "2"]);
    for (name, truth) in [("alpha", 1.0), ("rho", 1.5), ("mu", 1.0)] {
        let (mean, sd, rhat) = (columns[name]["mean"].as_f64().unwrap_or(f64::NAN), columns[name]["sd"].as_f64().unwrap_or(f64::NAN), columns[name]["rhat"].as_f64().unwrap_or(f64::NAN));
        assert!((mean - truth).abs() <= 3.0 * sd, "{name}: posterior mean {mean} (sd {sd}), simulated with {truth}");
        assert!(rhat < 1.05, "{name}: R-hat {rhat}");
    }
}
