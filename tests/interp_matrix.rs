//! The interpreter's matrix functions (`src/interp/matrix.rs`) against the compiled program's
//! (`runtime/ppl/matrix.zig`):
//!
//! * one program calls every matrix and vector built-in (both forms of `multiply` and
//!   `mdivide_left_tri_low`) on several operands, chained as a user would chain them, and
//!   prints every element; `sev::interp` must print the same lines, each number within 1e-12
//!   relative of the Zig build's (one build);
//! * every kind of bad operand (ragged rows, mismatched sizes, non-square matrices, a matrix
//!   that is not positive definite, a singular one, a zero diagonal, kernel parameters that are
//!   not positive, an empty vector, a negative size) stops both with the same stdout, fault
//!   message, location and status;
//! * the REPL evaluates a matrix expression.

mod support;

use serde_json::{Value, json};
use sev::opt::Level;

fn lit(x: f64) -> Value {
    json!({"literal": x})
}
fn int(n: i64) -> Value {
    json!({"literal": n})
}
fn var(n: &str) -> Value {
    json!({"var": n})
}
fn call(f: &str, args: Vec<Value>) -> Value {
    json!({"call": {"function": f, "args": args}})
}
fn matrix(rows: &[&[f64]]) -> Value {
    json!({"array": rows.iter().map(|r| vector(r)).collect::<Vec<_>>()})
}
fn vector(xs: &[f64]) -> Value {
    json!({"array": xs.iter().map(|x| lit(*x)).collect::<Vec<_>>()})
}
fn let_(name: &str, value: Value) -> Value {
    json!({"let": {"name": name, "value": value}})
}
fn print(e: Value) -> Value {
    json!({"expression": call("print", vec![e])})
}
/// Prints a matrix's number of rows, then each row's length and elements.
fn show_matrix(e: Value) -> Value {
    json!({"expression": call("show_matrix", vec![e])})
}
/// Prints a vector's length, then its elements.
fn show_vector(e: Value) -> Value {
    json!({"expression": call("show_vector", vec![e])})
}

/// A program of `body` in `main`, with the functions `show_matrix` and `show_vector`.
fn program(body: Vec<Value>) -> String {
    let vector_fn = json!({"args": [{"name": "v", "type": "[f64]"}], "return": "void", "body": [
        print(call("len", vec![var("v")])),
        {"for": {"variable": "e", "iterable": var("v"), "body": [print(var("e"))]}}
    ]});
    let matrix_fn = json!({"args": [{"name": "m", "type": "[[f64]]"}], "return": "void", "body": [
        print(call("len", vec![var("m")])),
        {"for": {"variable": "row", "iterable": var("m"), "body": [show_vector(var("row"))]}}
    ]});
    json!({"program": {"entry": "main", "functions": {
        "main": {"args": [], "return": "void", "body": body},
        "show_matrix": matrix_fn,
        "show_vector": vector_fn
    }}})
    .to_string()
}

const A: [&[f64]; 4] = [&[4.0, 2.0, 0.4, -0.3], &[2.0, 5.0, 1.0, 0.2], &[0.4, 1.0, 3.0, 0.7], &[-0.3, 0.2, 0.7, 2.5]];
const G: [&[f64]; 4] = [&[1.5, -0.3, 2.0, 0.1], &[0.7, 2.2, -1.1, 0.0], &[-0.4, 0.9, 3.3, 1.7], &[0.0, 0.0, 0.5, -2.0]];
const B: [&[f64]; 4] = [&[1.0, -2.0, 0.5], &[0.5, 0.25, -1.5], &[3.0, 1.5, 0.0], &[-0.7, 2.2, 1.1]];
const V: [f64; 4] = [0.3, -1.2, 2.5, 0.05];
const X: [f64; 6] = [-1.0, -0.2, 0.35, 1.1, 2.9, 7.25];

/// A program that prints every matrix function's results (whole values, through `print`).
fn every_function_program() -> String {
    let kernel_settings = [(1.3, 0.7, 2.0), (0.4, 3.1, 0.45), (2.0, 0.05, 11.0)];
    let mut body = vec![
        let_("A", matrix(&A)),
        let_("G", matrix(&G)),
        let_("B", matrix(&B)),
        let_("v", vector(&V)),
        let_("x", vector(&X)),
        let_("L", call("cholesky_decompose", vec![var("A")])),
        show_matrix(var("L")),
        show_matrix(call("multiply", vec![var("G"), var("B")])),
        show_vector(call("multiply", vec![var("G"), var("v")])),
        show_matrix(call("multiply", vec![call("transpose", vec![var("B")]), var("G")])),
        show_matrix(call("transpose", vec![var("B")])),
        show_matrix(call("mdivide_left_tri_low", vec![var("L"), var("B")])),
        show_vector(call("mdivide_left_tri_low", vec![var("L"), var("v")])),
        print(call("log_determinant", vec![var("G")])),
        print(call("log_determinant", vec![var("A")])),
        show_matrix(call("inverse", vec![var("G")])),
        show_matrix(call("multiply", vec![var("G"), call("inverse", vec![var("G")])])),
        show_matrix(call("diag_matrix", vec![var("v")])),
        show_matrix(call("add_diag", vec![var("A"), lit(0.5)])),
        show_matrix(call("add_diag", vec![var("A"), int(2)])),
        show_matrix(call("rep_matrix", vec![lit(2.5), int(2), int(3)])),
        show_matrix(call("rep_matrix", vec![lit(-1.0), int(0), int(3)])),
        show_vector(call("softmax", vec![var("v")])),
        show_vector(call("log_softmax", vec![var("v")])),
        show_vector(call("softmax", vec![vector(&[700.0, -800.0, 699.5])])),
        show_vector(call("log_softmax", vec![vector(&[1e-3])])),
        show_matrix(call("cholesky_decompose", vec![call("add_diag", vec![call("gp_exp_quad_cov", vec![var("x"), lit(1.0), lit(1.2)]), lit(0.09)])])),
    ];
    for (alpha, rho, period) in kernel_settings {
        body.push(show_matrix(call("gp_exp_quad_cov", vec![var("x"), lit(alpha), lit(rho)])));
        body.push(show_matrix(call("gp_matern32_cov", vec![var("x"), lit(alpha), lit(rho)])));
        body.push(show_matrix(call("gp_periodic_cov", vec![var("x"), lit(alpha), lit(rho), lit(period)])));
    }
    program(body)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Interprets `source` at `level`.
fn interpret(name: &str, source: &str, level: Level) -> sev::interp::Outcome {
    let c = sev::driver::compile_with(name, source.as_bytes(), sev::driver::Options { emit_zig: false }, level);
    assert!(!c.diagnostics.iter().any(|d| d.is_error()), "{}", support::rendered(&c));
    let program = c.cir.expect("CIR");
    sev::interp::run_on_own_thread(program, Vec::new()).expect("the interpreter runs")
}

/// The numbers in a line of printed lists, and the line with each number replaced by `#`.
fn numbers_and_shape(line: &str) -> (Vec<f64>, String) {
    let mut numbers = Vec::new();
    let mut shape = String::new();
    for token in line.split_inclusive(['[', ']', ',', ' ']) {
        let (body, end) = token.split_at(token.trim_end_matches(['[', ']', ',', ' ']).len());
        if body.is_empty() {
            shape.push_str(end);
            continue;
        }
        let x: f64 = body.parse().unwrap_or_else(|_| panic!("not a number: {body:?} in {line}"));
        numbers.push(x);
        shape.push('#');
        shape.push_str(end);
    }
    (numbers, shape)
}

/// Whether two printed numbers agree to 1e-12 relative (absolutely near zero; equal if not finite).
fn close(a: f64, b: f64) -> bool {
    if !a.is_finite() || !b.is_finite() {
        return a == b || (a.is_nan() && b.is_nan());
    }
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300)
}

#[test]
fn every_matrix_function_prints_what_the_compiled_program_prints() {
    let source = every_function_program();
    let compiled = support::build_and_run("matrices.sirs.json", &source, &[]).expect("the program builds and runs");
    assert_eq!(compiled.code, 0, "{}", compiled.stderr);
    let mut checked = 0;
    for level in [Level::O0, Level::O2] {
        let interpreted = interpret("matrices.sirs.json", &source, level);
        assert_eq!(interpreted.status, 0, "{:?}: {}", level, text(&interpreted.stderr));
        let (ours, theirs) = (text(&interpreted.stdout), compiled.stdout.clone());
        assert_eq!(ours.lines().count(), theirs.lines().count(), "{level:?}:\n{ours}\n---\n{theirs}");
        for (k, (a, b)) in ours.lines().zip(theirs.lines()).enumerate() {
            let ((xa, sa), (xb, sb)) = (numbers_and_shape(a), numbers_and_shape(b));
            assert_eq!(sa, sb, "{level:?} line {}: the shapes differ:\n{a}\n{b}", k + 1);
            for (x, y) in xa.iter().zip(&xb) {
                assert!(close(*x, *y), "{level:?} line {}: {x} (interpreter) against {y} (compiled)", k + 1);
                checked += 1;
            }
        }
    }
    // 33 results per run: 660 numbers (sizes and elements)
    assert_eq!(checked, 2 * 660, "numbers compared");
}

/// A program that prints `before` and then the value of `e` (a matrix, or with `scalar` an f64).
fn fault_program(e: Value, scalar: bool) -> String {
    let show = if scalar { print(e) } else { json!({"expression": call("len", vec![e])}) };
    program(vec![print(json!({"literal": "before"})), show])
}

#[test]
fn bad_operands_stop_both_with_the_same_located_fault() {
    let ragged = matrix(&[&[1.0, 2.0], &[3.0]]);
    let wide = matrix(&[&[1.0, 2.0, 3.0]]);
    let cases = vec![
        call("multiply", vec![wide.clone(), wide.clone()]),
        call("multiply", vec![ragged.clone(), matrix(&[&[1.0]])]),
        call("multiply", vec![matrix(&[&[1.0]]), ragged.clone()]),
        call("multiply", vec![wide.clone(), vector(&[1.0])]),
        call("transpose", vec![ragged.clone()]),
        call("cholesky_decompose", vec![matrix(&[&[1.0, 2.0], &[2.0, 1.0]])]),
        call("cholesky_decompose", vec![wide.clone()]),
        call("cholesky_decompose", vec![ragged.clone()]),
        call("mdivide_left_tri_low", vec![wide.clone(), wide.clone()]),
        call("mdivide_left_tri_low", vec![matrix(&[&[1.0, 0.0], &[2.0, 1.0]]), wide.clone()]),
        call("mdivide_left_tri_low", vec![matrix(&[&[1.0, 0.0], &[2.0, 0.0]]), vector(&[1.0, 2.0])]),
        call("mdivide_left_tri_low", vec![matrix(&[&[1.0, 0.0], &[2.0, 1.0]]), vector(&[1.0, 2.0, 3.0])]),
        call("log_determinant", vec![matrix(&[&[1.0, 2.0], &[2.0, 4.0]])]),
        call("log_determinant", vec![wide.clone()]),
        call("inverse", vec![matrix(&[&[0.0, 0.0], &[0.0, 0.0]])]),
        call("inverse", vec![ragged.clone()]),
        call("add_diag", vec![wide.clone(), lit(1.0)]),
        call("rep_matrix", vec![lit(1.0), int(-2), int(3)]),
        call("gp_exp_quad_cov", vec![vector(&[1.0, 2.0]), lit(1.0), lit(-1.0)]),
        call("gp_matern32_cov", vec![vector(&[1.0, 2.0]), lit(0.0), lit(1.0)]),
        call("gp_periodic_cov", vec![vector(&[1.0, 2.0]), lit(1.0), lit(1.0), lit(-0.25)]),
        call("gp_periodic_cov", vec![vector(&[1.0]), lit(1.0), lit(0.0), lit(1.0)]),
        call("softmax", vec![json!({"array": []})]),
        call("log_softmax", vec![json!({"array": []})]),
    ];
    let mut problems = Vec::new();
    for (i, e) in cases.into_iter().enumerate() {
        let name = format!("bad_{i}.sirs.json");
        let scalar = e.to_string().contains("log_determinant");
        let source = fault_program(e, scalar);
        let compiled = support::build_and_run(&name, &source, &[]).unwrap_or_else(|err| panic!("case {i} does not build: {err}"));
        let interpreted = interpret(&name, &source, Level::O0);
        let got = (text(&interpreted.stdout), text(&interpreted.stderr), i32::from(interpreted.status));
        if compiled.code != 101 || !compiled.stderr.contains(&format!("{name}:")) {
            problems.push(format!("case {i}: the compiled program did not fault with a location: {compiled:?}"));
        }
        if got != (compiled.stdout.clone(), compiled.stderr.clone(), compiled.code) {
            problems.push(format!("case {i}:\n  interpreter: {got:?}\n  compiled:    {:?}", (compiled.stdout, compiled.stderr, compiled.code)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_repl_evaluates_matrix_functions() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sev"))
        .arg("repl")
        .current_dir(support::root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sev runs");
    let script = "let L = cholesky_decompose([[4.0, 2.0], [2.0, 5.0]])\nmultiply(L, transpose(L))\nlog_determinant(L)\ncholesky_decompose([[1.0, 2.0], [2.0, 1.0]])\n";
    child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("script written");
    let out = child.wait_with_output().expect("sev finishes");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(stdout, "L = [[2.0, 0.0], [1.0, 2.0]] : [[f64]]\n[[4.0, 2.0], [2.0, 5.0]] : [[f64]]\n1.3862943611198906 : f64\n", "stderr:\n{stderr}");
    assert!(stderr.contains("cholesky_decompose: the matrix is not symmetric positive definite"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "a failed input makes the scripted session's status 1");
}
