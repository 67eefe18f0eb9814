//! Compiled gradients (`src/ad/`, `runtime/ppl/adjoint.zig`):
//!
//! * which example models qualify, and that the choice is the same at `-O0` and `-O2`;
//! * the adjoint program `--emit cir` shows for eight schools (a snapshot);
//! * a model that does not qualify falls back to the tape and says why (`--emit cir`,
//!   `--verbose`);
//! * a differential test over generated models (`gen/adjoint_model.rs`): each compiles to an
//!   adjoint, passes `diagnose` (the adjoint against fourth-order finite differences and
//!   forward mode), and its log density and gradient agree with the tape's
//!   (`SEV_GRADIENT=tape`, same binary) to 1e-9 relative; the general generated models
//!   (`gen/model.rs`) fall back to the tape with a reason.
//!
//! The gradients of the example models through the adjoint are checked by
//! `tests/ppl_gradients.rs` (its `diagnose` now runs the compiled adjoint for those listed in
//! `QUALIFYING`).

mod support;

#[path = "gen/model.rs"]
#[allow(dead_code)]
mod model;
#[path = "gen/adjoint_model.rs"]
mod adjoint_model;

use sev::ad::Strategy;
use sev::driver::{self, Options};
use sev::opt::Level;

/// The example models whose gradient is compiled (the others use the tape).
const QUALIFYING: &[&str] = &[
    "examples/advi_regression.sirs.json",
    "examples/coal_mining.sirs.json",
    "examples/coin_bias.sirs.json",
    "examples/logistic_regression.sirs.json",
    "examples/pathfinder_scale.sirs.json",
    "examples/population_size.sirs.json",
    "examples/posteriordb/arK.sirs.json",
    "examples/posteriordb/blr.sirs.json",
    "examples/posteriordb/eight_schools_centered.sirs.json",
    "examples/posteriordb/eight_schools_noncentered.sirs.json",
    "examples/posteriordb/kidscore_momiq.sirs.json",
    "examples/posteriordb/wells_dist.sirs.json",
];

fn strategy(path: &str, level: Level) -> Option<Strategy> {
    let source = std::fs::read_to_string(support::root().join(path)).expect("example exists");
    let c = driver::compile_with(path, source.as_bytes(), Options { emit_zig: false }, level);
    assert!(!c.has_errors(), "{path}: {}", support::rendered(&c));
    c.cir.and_then(|p| p.ad)
}

fn model_examples() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["examples", "examples/posteriordb"] {
        for entry in std::fs::read_dir(support::root().join(dir)).expect("examples").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".sirs.json") {
                out.push(format!("{dir}/{name}"));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_qualifying_example_models_and_the_same_choice_at_every_level() {
    let mut adjoint = Vec::new();
    for path in model_examples() {
        let Some(s0) = strategy(&path, Level::O0) else { continue };
        let s2 = strategy(&path, Level::O2).expect("a model at -O0 is a model at -O2");
        assert_eq!(format!("{s0:?}"), format!("{s2:?}"), "{path}: the strategy differs between -O0 and -O2");
        if matches!(s0, Strategy::Adjoint(_)) {
            adjoint.push(path);
        }
    }
    assert_eq!(adjoint, QUALIFYING);
}

fn sev_stdout(args: &[&str]) -> support::Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    support::sev(&args, "1", Some(&support::root()))
}

#[test]
fn emit_cir_shows_the_adjoint_of_eight_schools() {
    let out = sev_stdout(&["build", "--emit", "cir", "-O0", "examples/posteriordb/eight_schools_noncentered.sirs.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let listing = &out.stdout[out.stdout.find("; gradient:").expect("the strategy is shown")..];
    insta::assert_snapshot!(listing);
}

const PARAMETER_BRANCH: &str = r#"{"program": {"entry": "main", "functions": {"main": {
  "args": [{"name": "y", "type": "f64"}], "return": "void",
  "body": [
    {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}}},
    {"if": {"condition": {"op": {"kind": "gt", "args": [{"var": "mu"}, {"literal": 0.0}]}},
            "then": [{"observe": {"distribution": "normal", "params": [{"var": "mu"}, {"literal": 1.0}], "value": {"var": "y"}}}],
            "else": [{"observe": {"distribution": "normal", "params": [{"var": "mu"}, {"literal": 2.0}], "value": {"var": "y"}}}]}}
  ]}}}}"#;

#[test]
fn a_branch_on_a_parameter_falls_back_to_the_tape_and_says_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("branchy.sirs.json");
    std::fs::write(&file, PARAMETER_BRANCH).expect("write");
    let path = file.display().to_string();
    let out = sev_stdout(&["build", "--emit", "cir", &path]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("; gradient: tape (a comparison of model reals (control flow that depends on parameters), at 5:"), "{}", out.stdout);
    assert!(!out.stdout.contains("adjoint main"), "{}", out.stdout);
    let verbose = sev_stdout(&["build", "--verbose", "-o", &dir.path().join("branchy").display().to_string(), &path]);
    assert_eq!(verbose.code, 0, "{}", verbose.stderr);
    assert!(verbose.stderr.contains("E0351") && verbose.stderr.contains("control flow that depends on parameters"), "{}", verbose.stderr);
    // the tape's gradient of the fallback is still right
    let data = dir.path().join("branchy.data.json");
    std::fs::write(&data, r#"{"y": 0.7}"#).expect("write");
    let exe = dir.path().join("branchy").display().to_string();
    let check = support::run_exe(std::path::Path::new(&exe), &["diagnose".into(), "--seed".into(), "3".into(), "--data".into(), data.display().to_string()], None).expect("runs");
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn verbose_says_when_the_gradient_is_compiled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("es").display().to_string();
    let built = sev_stdout(&["build", "--verbose", "-o", &out, "examples/posteriordb/eight_schools_noncentered.sirs.json"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    assert!(built.stderr.contains("the gradient of `main` is compiled adjoint code"), "{}", built.stderr);
}

fn diagnose(exe: &std::path::Path, data: &std::path::Path, tape: bool) -> Result<support::Output, String> {
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["diagnose", "--seed", "7", "--points", "2", "--data"]).arg(data);
    if tape {
        cmd.env("SEV_GRADIENT", "tape");
    } else {
        cmd.env_remove("SEV_GRADIENT");
    }
    support::output_retrying_busy(&mut cmd).map(Into::into).map_err(|e| e.to_string())
}

fn check_generated(k: usize, dir: &std::path::Path) -> Result<(), String> {
    let m = adjoint_model::generate(k);
    let c = support::compile(&format!("generated/adjoint_{k}.sirs.json"), &m.source);
    if c.has_errors() {
        return Err(format!("model {k}: {}\n{}", support::rendered(&c), m.source));
    }
    if let Some(Strategy::Tape { reason, .. }) = c.cir.as_ref().and_then(|p| p.ad.as_ref()) {
        return Err(format!("model {k} falls back to the tape: {reason}\n{}", m.source));
    }
    let exe = dir.join(format!("model_{k}"));
    let data = dir.join(format!("model_{k}.data.json"));
    std::fs::write(&data, &m.data).map_err(|e| e.to_string())?;
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe)?;
    let adjoint = diagnose(&exe, &data, false)?;
    let tape = diagnose(&exe, &data, true)?;
    if adjoint.code != 0 {
        return Err(format!("model {k}: diagnose of the adjoint failed\n{}{}\n{}", adjoint.stdout, adjoint.stderr, m.source));
    }
    let (a, t) = (support::diagnose_reverse_gradients(&adjoint.stdout), support::diagnose_reverse_gradients(&tape.stdout));
    if a.len() < 10 || a.len() != t.len() {
        return Err(format!("model {k}: {} adjoint numbers, {} tape numbers\n{}\n{}", a.len(), t.len(), adjoint.stdout, tape.stdout));
    }
    for (x, y) in a.iter().zip(&t) {
        if (x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1.0) {
            return Err(format!("model {k}: adjoint {x} against tape {y}\n{}\n{}\n{}", adjoint.stdout, tape.stdout, m.source));
        }
    }
    Ok(())
}

#[test]
fn generated_models_have_the_same_gradient_compiled_as_on_the_tape() {
    let n = support::env_number("SEV_GEN_MODELS").unwrap_or(12) as usize;
    let dir = tempfile::tempdir().expect("temp dir");
    let failures: Vec<String> = support::parallel((0..n).collect(), |k| check_generated(k, dir.path())).into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `gen/model.rs`'s models use constructs compiled gradients do not cover yet (a simplex, a
/// Cholesky factor, nested arrays of model reals): they must fall back with a reason, and
/// `tests/generated_models.rs` samples them through the tape.
#[test]
fn the_general_generated_models_fall_back_with_a_reason() {
    for k in 0..4 {
        let m = model::generate(k, model::seed(k));
        let c = support::compile(&format!("generated/model_{k}.sirs.json"), &m.source);
        match c.cir.as_ref().and_then(|p| p.ad.as_ref()) {
            Some(Strategy::Tape { reason, .. }) => assert!(!reason.is_empty()),
            other => panic!("model {k}: expected the tape, got {other:?}"),
        }
    }
}
