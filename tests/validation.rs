//! The validation suite: checks against reference data outside the repository, in the folder
//! named by `SEV_DATA` (default `../shared/data`). Run by `.ci/run` with
//! `cargo test --release --features validation --test validation`; never by plain `cargo test`.
//!
//! posteriordb: each of the eight models in `examples/posteriordb/` is built (ReleaseFast), run
//! on its data (4 chains × 1000 warmup + 1000 draws, fixed seed), and every parameter in the
//! reference must satisfy the pass rule of `posteriordb/README.md`:
//! |mean − ref mean| ≤ 4·sqrt(ref sd² / our bulk ESS + ref MCSE²), and our rank-normalised
//! split R-hat < 1.01. The centred eight-schools model is the funnel: there the requirement is
//! that the run reports its divergences.
//!
//! NAB (`tests/bench/nab/validation.rs`): the project's NAB scorer reproduces the known answers
//! of `nab/SCORING.md` to two decimals.
//!
//! Generated programs, a larger batch than `cargo test` runs: [`GENERATED_MODELS`] random
//! models (`tests/gen/model.rs`, the first [`GENERATED_INFER`] also fitted through `infer`) must
//! build and sample at `-O0` and `-O2` with identical draws, and [`GENERATED_TYPES`] programs
//! over generic and recursive types (`tests/gen/types.rs`) must print their computed output at
//! both levels. `SEV_GEN_MODELS` and `SEV_GEN_TYPES` change the counts.

mod support;

/// NAB: the scorer's known answers and the detectors' recorded scores.
#[path = "bench/nab/validation.rs"]
mod nab;
#[path = "gen/model.rs"]
mod model;
#[path = "gen/model_run.rs"]
mod model_run;
#[path = "gen/types.rs"]
mod types;
#[path = "gen/types_run.rs"]
mod types_run;

use sev::toolchain::{self, BuildRequest, Mode};
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    std::env::var_os("SEV_DATA").map_or_else(|| support::root().join("../shared/data"), PathBuf::from)
}

/// (model file in examples/posteriordb, posterior folder in posteriordb)
const MODELS: &[(&str, &str)] = &[
    ("eight_schools_noncentered", "eight_schools-eight_schools_noncentered"),
    ("eight_schools_centered", "eight_schools-eight_schools_centered"),
    ("blr", "sblrc-blr"),
    ("kidscore_momiq", "kidiq-kidscore_momiq"),
    ("arK", "arK-arK"),
    ("low_dim_gauss_mix", "low_dim_gauss_mix-low_dim_gauss_mix"),
    ("wells_dist", "wells_data-wells_dist"),
    ("GLM_Poisson_model", "GLM_Poisson_Data-GLM_Poisson_model"),
];

fn build_model(name: &str, out: &Path) -> Result<(), String> {
    let path = support::root().join("examples/posteriordb").join(format!("{name}.sirs.json"));
    let source = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let c = support::compile(&format!("examples/posteriordb/{name}.sirs.json"), &source);
    if c.has_errors() {
        return Err(support::rendered(&c));
    }
    let request = BuildRequest { source: c.zig.as_deref().unwrap_or_default(), mode: Mode::Release, libraries: &[], model: true };
    toolchain::build(support::zig(), &request, &support::cache_dir(), out, false).map(|_| ()).map_err(|e| e.to_string())
}

struct Outcome {
    lines: Vec<String>,
    failures: Vec<String>,
}

fn check_model(name: &str, posterior: &str) -> Outcome {
    let mut out = Outcome { lines: Vec::new(), failures: Vec::new() };
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = dir.path().join(name);
    if let Err(e) = build_model(name, &exe) {
        out.failures.push(format!("{name}: build failed: {e}"));
        return out;
    }
    let data = data_dir().join("posteriordb").join(posterior);
    let summary = dir.path().join("summary.json");
    let args: Vec<String> = [
        "sample",
        "--data",
        &data.join("data.json").display().to_string(),
        "--seed",
        "20261124",
        "--output",
        &dir.path().join("csv").display().to_string(),
        "--summary",
        &summary.display().to_string(),
        "--quiet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let run = match support::run_exe(&exe, &args, None) {
        Ok(r) => r,
        Err(e) => {
            out.failures.push(format!("{name}: {e}"));
            return out;
        }
    };
    if run.code != 0 {
        out.failures.push(format!("{name}: exit {}: {}", run.code, run.stderr));
        return out;
    }
    let stats: serde_json::Value = match std::fs::read_to_string(&summary).map_err(|e| e.to_string()).and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string())) {
        Ok(v) => v,
        Err(e) => {
            out.failures.push(format!("{name}: no summary: {e}"));
            return out;
        }
    };
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("reference.json")).expect("reference.json")).expect("reference JSON");
    let divergences: u64 = stats["chains"].as_array().map_or(0, |cs| cs.iter().filter_map(|c| c["divergences"].as_u64()).sum());
    if name == "eight_schools_centered" {
        let reported = run.stderr.contains("divergent");
        out.lines.push(format!("{name}: {divergences} divergent transitions, warning printed: {reported}"));
        if divergences == 0 || !reported {
            out.failures.push(format!("{name}: the funnel should produce reported divergences ({divergences}, reported {reported})"));
        }
        return out;
    }
    let columns = stats["columns"].as_array().cloned().unwrap_or_default();
    let params = reference["params"].as_object().cloned().unwrap_or_default();
    for (param, r) in params {
        let column = param.replace('[', ".").replace(']', "");
        let Some(c) = columns.iter().find(|c| c["name"] == column.as_str()) else {
            out.failures.push(format!("{name}: no column {column}"));
            continue;
        };
        let (mean, ess, rhat) = (num(&c["mean"]), num(&c["ess_bulk"]), num(&c["rhat"]));
        let (ref_mean, ref_sd, ref_mcse) = (num(&r["mean"]), num(&r["sd"]), num(&r["mcse_mean"]));
        let tolerance = 4.0 * (ref_sd * ref_sd / ess + ref_mcse * ref_mcse).sqrt();
        let ok = (mean - ref_mean).abs() <= tolerance && rhat < 1.01;
        out.lines.push(format!(
            "{name:>26} {param:>10}: mean {mean:>11.5} ref {ref_mean:>11.5} |diff| {:>9.2e} tol {tolerance:>9.2e} R-hat {rhat:.4} ESS {ess:>6.0} {}",
            (mean - ref_mean).abs(),
            if ok { "ok" } else { "FAIL" }
        ));
        if !ok {
            out.failures.push(format!("{name} {param}: mean {mean} vs {ref_mean} (tol {tolerance}), R-hat {rhat}"));
        }
    }
    out
}

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn posteriordb_models_match_their_reference_posteriors() {
    let dir = data_dir();
    assert!(dir.join("posteriordb").is_dir(), "SEV_DATA={} has no posteriordb folder", dir.display());
    let outcomes: Vec<Outcome> = MODELS.iter().map(|(m, p)| check_model(m, p)).collect();
    let mut failures = Vec::new();
    for o in outcomes {
        for line in &o.lines {
            println!("{line}");
        }
        failures.extend(o.failures);
    }
    assert!(failures.is_empty(), "{} check(s) failed:\n{}", failures.len(), failures.join("\n"));
}

const GENERATED_MODELS: usize = 30;
const GENERATED_INFER: usize = 8;
const GENERATED_TYPES: usize = 40;

#[test]
fn a_large_batch_of_generated_models_builds_and_samples() {
    let count = support::env_number("SEV_GEN_MODELS").map_or(GENERATED_MODELS, |n| n as usize);
    let models: Vec<model::GeneratedModel> = (0..count).map(|k| model::generate(k, model::seed(k))).collect();
    let failures = model_run::check_all(&models, GENERATED_INFER);
    assert!(failures.is_empty(), "{} failing model(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn a_large_batch_of_generated_type_programs_prints_its_output() {
    let count = support::env_number("SEV_GEN_TYPES").map_or(GENERATED_TYPES, |n| n as usize);
    let programs: Vec<types::GeneratedTypes> = (0..count).map(|k| types::generate(k, types::seed(k))).collect();
    let failures = types_run::check_all(&programs);
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}
