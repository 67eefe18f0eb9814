//! "Every program the checker accepts builds": one small program per construct that used to pass
//! `sev check` and then end in a Zig error (internal error E0900, exit 4). Each case under
//! `tests/cases/accepted/` is run with `sev run` at `-O0` and at `-O2` and must succeed:
//!
//! * plain programs must print the expected lines (the same at both levels);
//! * models are sampled with a fixed seed and each parameter's posterior mean must lie within
//!   4·MCSE (+1e-9) of its closed-form value, its sd within 1.5·4·sd/√(2·ESS) (as in
//!   `tests/ppl_models.rs`); the draws must be identical at both levels.
//!
//! The programs the checker must reject instead (discrete distributions observing floats, a
//! float index in an assignment, `void` elements and type arguments) are diagnostics cases in
//! `tests/cases/diagnostics/`.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn case(name: &str) -> PathBuf {
    support::root().join("tests").join("cases").join("accepted").join(name)
}

fn sev(args: &[String], cwd: &Path) -> support::Output {
    support::sev(args, "20261207", Some(cwd))
}

fn path_arg(p: &Path) -> String {
    p.display().to_string()
}

// -----------------------------------------------------------------------------------------------
// Plain programs

/// Runs a program at `level` and returns its stdout (the run must succeed).
fn run_program(name: &str, level: &str, dir: &Path) -> Result<String, String> {
    let args = vec!["run".to_string(), path_arg(&case(&format!("{name}.sirs.json"))), format!("-O{level}")];
    let out = sev(&args, dir);
    if out.code != 0 {
        return Err(format!("{name} at -O{level}: exit {}\n{}", out.code, out.stderr));
    }
    Ok(out.stdout)
}

/// (case, expected stdout)
const PROGRAMS: &[(&str, &str)] = &[
    // 4 + 3 = 7, doubled, plus 1
    ("integer_type_names", "15\n"),
    // a three-node list: its length, the head's value, then its length again after a round
    // trip through a map (`map_get`) and a channel (`channel_recv`), which return the option
    ("record_with_optional_self", "3\n1\n3\n3\n"),
    // three `infer` calls (literals, `let`s of literals, computed values): each posterior mean
    // of mu is 1 (normal prior N(0, 1), one observation 2.0 with sd 1), within 0.15
    ("infer_with_constant_arguments", "true\ntrue\ntrue\n"),
    // the prelude's `Error` thrown by name (it has two fields, `kind` and `message`): its kind is
    // "Error", its message the given text, empty without one
    ("throw_prelude_error", "Error\nnegative\n0\n"),
    // a cast of an array of literals to `[f64]` (and of `[]` to `[str]`) is no change: it used to
    // be E0307 "Cannot convert `[_]` to `[f64]`"; 1 + 2.5, then the empty array's length
    ("cast_of_literal_array", "3.5\n0\n"),
];

#[test]
fn accepted_programs_build_and_run_at_o0_and_o2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jobs: Vec<(&str, &str, &str)> = PROGRAMS.iter().flat_map(|(name, want)| [(*name, *want, "0"), (*name, *want, "2")]).collect();
    let failures: Vec<String> = jobs
        .into_iter()
        .filter_map(|(name, want, level)| match run_program(name, level, dir.path()) {
            Ok(got) if got == want => None,
            Ok(got) => Some(format!("{name} at -O{level}: printed {got:?}, expected {want:?}")),
            Err(e) => Some(e),
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// -----------------------------------------------------------------------------------------------
// Models

struct Truth {
    column: &'static str,
    mean: f64,
    sd: f64,
}

/// A normal mean with prior N(0, 1) and `n` observations with sd 1 summing to `sum`.
fn normal_mean(column: &'static str, n: f64, sum: f64) -> Truth {
    Truth { column, mean: sum / (n + 1.0), sd: (1.0 / (n + 1.0)).sqrt() }
}

fn model_truths(name: &str) -> Vec<Truth> {
    match name {
        // y = 1.5 observed with mean (mu + 2 mu) / 2 = 1.5 mu: precision 1 + 1.5², mean 1.5 y / precision
        "helper_over_parameter_array" => {
            let precision = 1.0 + 1.5 * 1.5;
            vec![Truth { column: "mu", mean: 1.5 * 1.5 / precision, sd: (1.0 / precision).sqrt() }]
        }
        // three observations of 1.5, each of a cell that holds mu
        "nested_parameter_arrays" => vec![normal_mean("mu", 3.0, 4.5)],
        // fifteen data values of 0.5 observed with mean (M + ctx) / 2 = M; `std` ~ N(M, 1)
        "model_names_of_generated_code" => {
            let m = normal_mean("M", 15.0, 7.5);
            let std = Truth { column: "std", mean: m.mean, sd: (1.0 + m.sd * m.sd).sqrt() };
            vec![m, std]
        }
        // mu mod 100 is mu wherever the posterior has mass
        "mod_of_parameter" => vec![normal_mean("mu", 1.0, 1.5)],
        // literal observed values (2, then [1, 1.5]) take f64 from the distribution: three
        // observations of mu summing to 4.5; the other observes are constants
        "literal_observed_values" => vec![normal_mean("mu", 3.0, 4.5)],
        // a generic function called with the parameter (`pick<f64>`, `first<f64>` over an
        // array holding it) passes it on with its gradient: y = [1, 2] and 1.5 observed
        "generic_function_of_parameters" => vec![normal_mean("mu", 3.0, 4.5)],
        // `cond` choosing between the parameter and a plain number (n >= 0: the parameter), one
        // observation of 1.5
        "conditional_of_parameter" => vec![normal_mean("mu", 1.0, 1.5)],
        // `array_concat` of plain numbers and the parameter, one observation of 1.5
        "parameter_through_array_concat" => vec![normal_mean("mu", 1.0, 1.5)],
        // the observation does not involve mu, so its posterior is its N(0, 1) prior
        "parameter_unused_by_likelihood" => vec![normal_mean("mu", 0.0, 0.0)],
        _ => Vec::new(),
    }
}

const MODELS: &[&str] = &["helper_over_parameter_array", "nested_parameter_arrays", "model_names_of_generated_code", "mod_of_parameter", "literal_observed_values", "generic_function_of_parameters", "conditional_of_parameter", "parameter_through_array_concat", "parameter_unused_by_likelihood"];

/// Samples a model at `level`; returns its summary JSON and the draws of chain 1 (CSV rows).
fn sample_model(name: &str, level: &str, dir: &Path) -> Result<(Value, String), String> {
    let tag = format!("{name}_O{level}");
    let summary = dir.join(format!("{tag}.summary.json"));
    let output = dir.join(&tag);
    let mut args = vec!["run".to_string(), path_arg(&case(&format!("{name}.sirs.json"))), format!("-O{level}")];
    args.extend(["--data".to_string(), path_arg(&case(&format!("{name}.data.json")))]);
    args.extend(["--output".to_string(), path_arg(&output), "--summary".to_string(), path_arg(&summary)]);
    args.extend(["--seed", "3", "--chains", "2", "--threads", "1", "--warmup", "500", "--draws", "1000"].map(String::from));
    let out = sev(&args, dir);
    if out.code != 0 {
        return Err(format!("{tag}: exit {}\n{}", out.code, out.stderr));
    }
    let text = std::fs::read_to_string(&summary).map_err(|e| format!("{tag}: no summary: {e}"))?;
    let stats: Value = serde_json::from_str(&text).map_err(|e| format!("{tag}: bad summary: {e}"))?;
    let csv = std::fs::read_to_string(output.join(format!("{name}_chain_1.csv"))).map_err(|e| format!("{tag}: no draws: {e}"))?;
    // the comment lines hold timings and settings; the rest are the draws
    let draws: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
    Ok((stats, draws.join("\n")))
}

fn check_truths(name: &str, level: &str, stats: &Value) -> Vec<String> {
    let columns = stats["columns"].as_array().cloned().unwrap_or_default();
    let mut errors = Vec::new();
    for t in model_truths(name) {
        let Some(col) = columns.iter().find(|c| c["name"] == t.column) else {
            errors.push(format!("{name} at -O{level}: no column {}", t.column));
            continue;
        };
        let num = |k: &str| col[k].as_f64().unwrap_or(f64::NAN);
        let (mean, sd, mcse, ess) = (num("mean"), num("sd"), num("mcse_mean"), num("ess_bulk"));
        let tol_mean = 4.0 * mcse + 1e-9;
        let tol_sd = 1.5 * 4.0 * t.sd / (2.0 * ess).sqrt();
        if (mean - t.mean).abs() >= tol_mean || (sd - t.sd).abs() >= tol_sd {
            errors.push(format!("{name} at -O{level} {}: mean {mean} vs {} (tol {tol_mean}), sd {sd} vs {} (tol {tol_sd})", t.column, t.mean, t.sd));
        }
    }
    errors
}

#[test]
fn accepted_models_build_and_sample_at_o0_and_o2() {
    let dir = tempfile::tempdir().expect("temp dir");
    // one `sev run` at a time here (the program test runs beside this one)
    let runs = MODELS.iter().map(|name| {
        let o0 = sample_model(name, "0", dir.path())?;
        let o2 = sample_model(name, "2", dir.path())?;
        let mut errors = check_truths(name, "0", &o0.0);
        errors.extend(check_truths(name, "2", &o2.0));
        if o0.1 != o2.1 {
            errors.push(format!("{name}: the draws differ between -O0 and -O2"));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors.join("\n")) }
    });
    let failures: Vec<String> = runs.filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_case_has_an_expectation() {
    let dir = support::root().join("tests").join("cases").join("accepted");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/cases/accepted exists")
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().strip_suffix(".sirs.json").map(str::to_string))
        .collect();
    names.sort();
    for name in &names {
        let program = PROGRAMS.iter().any(|(p, _)| p == name);
        let model = MODELS.contains(&name.as_str()) && !model_truths(name).is_empty();
        assert!(program || model, "{name}: a case without an expectation");
    }
    assert_eq!(names.len(), PROGRAMS.len() + MODELS.len());
}
