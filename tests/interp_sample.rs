//! `sample` outside a model in the interpreter against the compiled program: with the same
//! `SEV_SEED`, `sev run --interp` must print exactly what `sev run` prints — the same draws
//! (generator, seeding and each distribution's algorithm), the same faults for invalid
//! parameters (message, location, status) — and refuse by name what it does not reproduce.
//! Two programs, each built once: one prints draws of every ported distribution under several
//! parameter settings and in every form (one draw, `size` draws, draws between bounds); the
//! other takes an invalid `sample` selected by its number of arguments.

mod support;

use std::path::Path;

const SEED: &str = "20261124";
/// Draws printed per case of the draws program.
const DRAWS: usize = 60;

/// A literal; `[a, b, …]` is an array of float literals.
fn lit(x: &str) -> String {
    match x.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        Some(items) => {
            let items: Vec<String> = items.split(',').map(|i| lit(i.trim())).collect();
            format!(r#"{{"array": [{}]}}"#, items.join(", "))
        }
        None => format!(r#"{{"literal": {x}}}"#),
    }
}

fn sample(dist: &str, params: &[&str], extra: &str) -> String {
    let params: Vec<String> = params.iter().map(|p| lit(p)).collect();
    format!(r#"{{"sample": {{"distribution": "{dist}", "params": [{}]{extra}}}}}"#, params.join(", "))
}

fn print(value: &str) -> String {
    format!(r#"{{"expression": {{"call": {{"function": "print", "args": [{value}]}}}}}}"#)
}

/// A statement printing the draw(s) of a `sample`: each one of a `size` form.
fn print_draws(dist: &str, params: &[&str], extra: &str) -> String {
    let s = sample(dist, params, extra);
    if !extra.contains("size") {
        return print(&s);
    }
    format!(r#"{{"for": {{"variable": "x", "iterable": {s}, "body": [{}]}}}}"#, print(r#"{"var": "x"}"#))
}

/// The cases of the draws program: distribution, parameters and form (`""`, a `size` or bounds).
fn cases() -> Vec<(&'static str, Vec<&'static str>, &'static str)> {
    let one = |d: &'static str, p: &[&'static str]| (d, p.to_vec(), "");
    vec![
        one("normal", &["5.0", "2.0"]),
        one("normal", &["-1e6", "1e-3"]),
        one("std_normal", &[]),
        one("lognormal", &["0.5", "0.75"]),
        one("half_normal", &["3.0"]),
        one("student_t", &["3.0", "1.0", "2.0"]),
        one("student_t", &["0.4", "0.0", "1.0"]),
        one("uniform", &["-2.0", "7.5"]),
        one("exponential", &["0.1"]),
        one("exponential", &["40.0"]),
        one("gamma", &["2.5", "1.5"]),
        one("gamma", &["0.3", "2.0"]),
        one("gamma", &["1e-3", "1.0"]),
        one("inv_gamma", &["3.0", "2.0"]),
        one("chi_square", &["4.0"]),
        one("beta", &["2.0", "5.0"]),
        one("beta", &["0.2", "0.4"]),
        one("double_exponential", &["1.0", "0.5"]),
        one("laplace", &["0.0", "2.0"]),
        one("pareto", &["1.5", "3.0"]),
        one("logistic", &["2.0", "0.5"]),
        one("cauchy", &["-1.0", "2.5"]),
        one("half_cauchy", &["0.7"]),
        one("weibull", &["1.5", "2.0"]),
        one("weibull", &["0.3", "1.0"]),
        one("weibull", &["7.0", "0.5"]),
        // Wrapped past ±π, a near-uniform kappa, and a concentrated one.
        one("von_mises", &["3.0", "2.0"]),
        one("von_mises", &["-3.0", "0.5"]),
        one("von_mises", &["1.0", "1e-9"]),
        one("von_mises", &["0.0", "50.0"]),
        one("binomial", &["12", "0.3"]),
        one("binomial", &["40", "0.9"]),
        one("binomial", &["0", "0.5"]),
        // The rejection branch (BTRS), also through 1 - p.
        one("binomial", &["100", "0.5"]),
        one("binomial", &["5000", "0.3"]),
        one("binomial", &["50", "0.8"]),
        one("binomial_logit", &["8", "0.4"]),
        one("geometric", &["0.35"]),
        one("geometric", &["1.0"]),
        one("bernoulli", &["0.3"]),
        one("bernoulli_logit", &["-1.2"]),
        one("poisson", &["3.5"]),
        one("poisson", &["0.0"]),
        // The rejection branch (PTRS) and lgamma by the factorial table, Lanczos Γ and its log.
        one("poisson", &["12.0"]),
        one("poisson", &["60.0"]),
        one("poisson", &["1e6"]),
        one("poisson_log", &["1.2"]),
        one("neg_binomial_2", &["2.0", "4.0"]),
        one("neg_binomial_2", &["500.0", "1000.0"]),
        one("neg_binomial_2_log", &["0.5", "1.5"]),
        one("categorical", &["[0.2, 0.5, 0.3]"]),
        one("categorical_logit", &["[1.0, -0.5, 2.0, 0.0]"]),
        one("discrete_uniform", &["-3", "4"]),
        ("normal", vec!["0.0", "1.0"], r#", "size": {"literal": 4}"#),
        ("poisson", vec!["2.0"], r#", "size": {"literal": 3}"#),
        ("gamma", vec!["0.7", "1.0"], r#", "size": {"literal": 0}"#),
        // Many tangents: every branch of the reduction and kernel but the rare |x| ~ π/2 one.
        ("cauchy", vec!["0.0", "1.0"], r#", "size": {"literal": 50}"#),
        ("normal", vec!["0.0", "1.0"], r#", "lower": {"literal": 0.5}"#),
        ("exponential", vec!["1.0"], r#", "lower": {"literal": 0.2}, "upper": {"literal": 0.9}"#),
    ]
}

/// A program printing [`DRAWS`] draws of every case.
fn draws_program() -> String {
    let body: Vec<String> = cases().iter().map(|(d, p, extra)| print_draws(d, p, extra)).collect();
    format!(
        r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [
        {{"for": {{"variable": "i", "iterable": {{"range": {{"start": {{"literal": 0}}, "end": {{"literal": {DRAWS}}}}}}}, "body": [{}]}}}}]}}}}}}}}"#,
        body.join(", ")
    )
}

/// Invalid samples: distribution, parameters, form and the runtime's message.
fn invalid() -> Vec<(&'static str, Vec<&'static str>, &'static str, &'static str)> {
    vec![
        ("normal", vec!["0.0", "-1.0"], "", "normal: sigma must be positive and finite, got -1"),
        ("normal", vec!["1e300", "0.0"], "", "normal: sigma must be positive and finite, got 0"),
        ("uniform", vec!["2.0", "2.0"], "", "uniform: beta must be greater than alpha, got alpha = 2, beta = 2"),
        ("exponential", vec!["-1e-320"], r#", "size": {"literal": 2}"#, "exponential: lambda must be positive and finite, got -1e-320"),
        ("gamma", vec!["0.0", "1.0"], "", "gamma: alpha must be positive and finite, got 0"),
        ("beta", vec!["1.0", "-0.00001"], "", "beta: beta must be positive and finite, got -1e-5"),
        ("bernoulli", vec!["1.5"], "", "bernoulli: theta must be in [0, 1], got 1.5"),
        ("cauchy", vec!["0.0", "-2.5"], "", "cauchy: sigma must be positive and finite, got -2.5"),
        ("von_mises", vec!["0.0", "-1.0"], "", "von_mises: kappa must be non-negative and finite, got -1"),
        ("weibull", vec!["0.0", "1.0"], "", "weibull: alpha must be positive and finite, got 0"),
        ("binomial", vec!["-1", "0.5"], "", "binomial: N must be >= 0, got -1"),
        ("geometric", vec!["0.0"], "", "geometric: theta must be in (0, 1], got 0"),
        ("geometric", vec!["1e-300"], "", "geometric: theta = 1e-300 is too small to sample"),
        ("poisson", vec!["-2.0"], "", "poisson: lambda must be non-negative and finite, got -2"),
        ("categorical", vec!["[0.5, 0.6]"], "", "categorical: theta must sum to 1 (a simplex), sums to 1.1"),
        ("discrete_uniform", vec!["3", "1"], "", "discrete_uniform: upper must be >= lower, got lower = 3, upper = 1"),
        ("normal", vec!["0.0", "1.0"], r#", "size": {"literal": -3}"#, "a sample size must not be negative, got -3"),
        ("uniform", vec!["0.0", "1.0"], r#", "lower": {"literal": 2.0}"#, "the bounds of this sample leave almost none of the distribution's mass"),
    ]
}

/// A program whose `main(args)` draws invalid sample number `len(args)`.
fn invalid_program() -> String {
    let arms: Vec<String> = invalid()
        .iter()
        .enumerate()
        .map(|(k, (d, p, extra, _))| {
            format!(
                r#"{{"if": {{"condition": {{"op": {{"kind": "eq", "args": [{{"var": "k"}}, {{"literal": {k}}}]}}}}, "then": [{}]}}}}"#,
                print_draws(d, p, extra)
            )
        })
        .collect();
    format!(
        r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [{{"name": "args", "type": {{"array": "str"}}}}], "return": "void", "body": [
        {{"let": {{"name": "k", "value": {{"call": {{"function": "len", "args": [{{"var": "args"}}]}}}}}}}}, {}]}}}}}}}}"#,
        arms.join(", ")
    )
}

fn sev_in(dir: &Path, args: &[&str]) -> support::Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    support::sev(&args, SEED, Some(dir))
}

#[test]
fn every_ported_distribution_draws_what_the_compiled_program_draws() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("draws.sirs.json"), draws_program()).expect("written");
    let compiled = sev_in(dir.path(), &["run", "draws.sirs.json"]);
    let interpreted = sev_in(dir.path(), &["run", "--interp", "draws.sirs.json"]);
    assert_eq!(compiled.code, 0, "compiled: {}", compiled.stderr);
    let lines = compiled.stdout.lines().count();
    assert!(lines >= DRAWS * cases().len(), "{lines} lines");
    assert_eq!(interpreted.stderr, compiled.stderr);
    assert_eq!(interpreted.code, compiled.code);
    for (i, (a, b)) in interpreted.stdout.lines().zip(compiled.stdout.lines()).enumerate() {
        let case = &cases()[i % cases().len()];
        assert_eq!(a, b, "line {i}: {case:?}");
    }
    assert_eq!(interpreted.stdout, compiled.stdout);
}

#[test]
fn invalid_parameters_are_the_same_fault_at_the_same_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bad.sirs.json"), invalid_program()).expect("written");
    let exe = dir.path().join("bad");
    let built = sev_in(dir.path(), &["build", "bad.sirs.json", "-o", exe.to_str().expect("utf-8 path")]);
    assert_eq!(built.code, 0, "build: {}", built.stderr);
    for (k, (dist, _, _, message)) in invalid().iter().enumerate() {
        let args: Vec<String> = (0..k).map(|i| i.to_string()).collect();
        let compiled = support::run_exe(&exe, &args, Some(dir.path())).expect("runs");
        let mut run = vec!["run", "--interp", "bad.sirs.json", "--"];
        run.extend(args.iter().map(String::as_str));
        let interpreted = sev_in(dir.path(), &run);
        assert_eq!(compiled.code, 101, "{dist}: {}", compiled.stderr);
        assert!(compiled.stderr.starts_with(&format!("error: {message}\n  --> bad.sirs.json:")), "{dist}: {}", compiled.stderr);
        assert_eq!((interpreted.stdout, interpreted.stderr, interpreted.code), (compiled.stdout, compiled.stderr, compiled.code), "case {k}: {dist}");
    }
}

#[test]
fn a_distribution_not_ported_is_refused_by_name_before_the_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let joint = sample("dirichlet", &["[1.0, 2.0, 3.0]"], "");
    let program = format!(
        r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [{}, {{"let": {{"name": "p", "value": {joint}}}}}]}}}}}}}}"#,
        print(&lit("\"before\""))
    );
    std::fs::write(dir.path().join("dirichlet.sirs.json"), program).expect("written");
    let out = sev_in(dir.path(), &["run", "--interp", "dirichlet.sirs.json"]);
    assert_eq!(out.code, i32::from(sev::interp::UNSUPPORTED_STATUS), "{}", out.stderr);
    assert_eq!(out.stdout, "", "nothing runs before the refusal");
    assert!(out.stderr.starts_with("error: the interpreter does not run `sample` from `dirichlet` yet\n  --> dirichlet.sirs.json:"), "{}", out.stderr);
}

/// Compiled, a spawned task draws from its pool thread's own stream, which the interpreter
/// (running the task on the spot) does not have: refused, not drawn differently.
#[test]
fn a_sample_inside_a_spawned_task_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let program = format!(
        r#"{{"program": {{"entry": "main", "functions": {{
        "draw": {{"args": [], "return": "f64", "async": true, "body": [{{"return": {}}}]}},
        "main": {{"args": [], "return": "void", "body": [
            {{"let": {{"name": "t", "value": {{"call": {{"function": "draw", "args": []}}}}}}}},
            {}]}}}}}}}}"#,
        sample("normal", &["0.0", "1.0"], ""),
        print(r#"{"await": {"var": "t"}}"#)
    );
    std::fs::write(dir.path().join("task.sirs.json"), program).expect("written");
    let out = sev_in(dir.path(), &["run", "--interp", "task.sirs.json"]);
    assert_eq!(out.code, i32::from(sev::interp::UNSUPPORTED_STATUS), "{}", out.stderr);
    assert!(out.stderr.starts_with("error: the interpreter does not run `sample` inside a spawned task yet\n  --> task.sirs.json:"), "{}", out.stderr);
}
