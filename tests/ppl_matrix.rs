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

fn build_model(dir: &std::path::Path, name: &str, program: &Value) -> std::path::PathBuf {
    let c = support::compile(&format!("{name}.sirs.json"), &program.to_string());
    assert!(!c.has_errors(), "{}", support::rendered(&c));
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
