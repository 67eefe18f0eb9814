//! Property test: random model programs (`gen/model.rs`) build and sample at `-O0` and `-O2`
//! with identical draws, and the same models fitted in-process with `infer` (data passed as
//! literals, `let`s of literals and computed values) print what they should. See
//! `gen/model.rs` for what a model contains.
//!
//! The default batch is small ([`MODELS`] models, enough to observe every distribution family
//! once; [`WITH_INFER`] of them also through `infer`); `SEV_GEN_MODELS` sets another count (all
//! with `infer`), `SEV_GEN_ONLY` one model number. The validation suite runs a larger batch
//! (`tests/validation.rs`).

mod support;

#[path = "gen/model.rs"]
mod model;
#[path = "gen/model_run.rs"]
mod model_run;

use sev::check::dists::DISTRIBUTIONS;

/// Enough models for every family to be observed once.
const MODELS: usize = DISTRIBUTIONS.len().div_ceil(model::OBSERVED);
const WITH_INFER: usize = 1;

fn models_to_run() -> (Vec<usize>, usize) {
    if let Some(k) = support::env_number("SEV_GEN_ONLY") {
        return (vec![k as usize], 1);
    }
    match support::env_number("SEV_GEN_MODELS") {
        Some(n) => ((0..n as usize).collect(), n as usize),
        None => ((0..MODELS).collect(), WITH_INFER),
    }
}

#[test]
fn the_default_batch_observes_every_distribution_family() {
    let observed: Vec<&str> = (0..MODELS).flat_map(|k| model::generate(k, model::seed(k)).families).collect();
    let missing: Vec<&str> = DISTRIBUTIONS.iter().map(|d| d.name).filter(|n| !observed.contains(n)).collect();
    assert!(missing.is_empty(), "never observed: {missing:?}");
}

/// Without Zig: every model and its `infer` program pass the checker with no diagnostic.
#[test]
fn generated_models_check_without_diagnostics() {
    let (indices, _) = models_to_run();
    let mut problems = Vec::new();
    for k in indices {
        let m = model::generate(k, model::seed(k));
        for (what, source) in [("model", &m.source), ("infer program", &m.infer_source)] {
            let c = support::compile(&format!("generated/{what}_{k}.sirs.json"), source);
            if !c.diagnostics.is_empty() {
                problems.push(format!("{what} {k}:\n{}\n{source}", support::rendered(&c)));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn generated_models_build_and_sample_at_o0_and_o2() {
    let (indices, with_infer) = models_to_run();
    let models: Vec<model::GeneratedModel> = indices.iter().map(|&k| model::generate(k, model::seed(k))).collect();
    let failures = model_run::check_all(&models, with_infer);
    assert!(failures.is_empty(), "{} failing model(s):\n\n{}", failures.len(), failures.join("\n\n"));
}
