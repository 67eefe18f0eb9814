//! Helpers of the series-density tests (`tests/ppl_tseries.rs`, `tests/ppl_tseries2.rs`):
//! fitting an example model to its simulated data and checking that the posterior recovers the
//! simulation's settings, and comparing a model's compiled gradient with the tape's.

use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;

/// Column name → (mean, sd, MCSE of the mean) from `sev run … --summary`.
pub fn posterior(example: &str, data: &str, out: &std::path::Path) -> HashMap<String, (f64, f64, f64)> {
    let summary = out.join(format!("{example}.json"));
    let run = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["run", &format!("examples/{example}.sirs.json"), "--data", &format!("examples/{data}.data.json")])
        .args(["--output", &out.join(example).to_string_lossy(), "--seed", "3", "--chains", "2"])
        .args(["--summary", &summary.to_string_lossy()])
        .env("SEV_CACHE_DIR", super::cache_dir())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sev runs");
    // exit status 1 would only mean a prob_assert failed: the summary is what is checked here
    let doc: Value = match std::fs::read(&summary) {
        Ok(bytes) => serde_json::from_slice(&bytes).expect("summary is JSON"),
        Err(e) => panic!("{example}: no summary ({e}):\n{}", String::from_utf8_lossy(&run.stderr)),
    };
    let columns = doc["columns"].as_array().expect("columns");
    let field = |c: &Value, k: &str| c[k].as_f64().unwrap_or(f64::NAN);
    columns.iter().map(|c| (c["name"].as_str().unwrap_or_default().to_string(), (field(c, "mean"), field(c, "sd"), field(c, "mcse_mean")))).collect()
}

/// Every named column's posterior mean lies within three posterior sds plus four MCSEs of the
/// true value, and the sd is narrow enough to say something about it.
pub fn assert_recovers(example: &str, data: &str, truth: &[(&str, f64)]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let post = posterior(example, data, dir.path());
    for (name, value) in truth {
        let Some(&(mean, sd, mcse)) = post.get(*name) else { panic!("{example}: no column {name} in {:?}", post.keys()) };
        let tolerance = 3.0 * sd + 4.0 * mcse;
        assert!((mean - value).abs() < tolerance, "{example}: {name} posterior mean {mean} (sd {sd}) is not within {tolerance} of the true {value}");
        assert!(sd < 0.6 * value.abs().max(0.5), "{example}: {name} posterior sd {sd} too wide to say anything about {value}");
    }
}

/// The example without its `prob_assert`s (a comparison of model reals keeps a model on the
/// tape), so that its gradient is compiled.
pub fn without_asserts(example: &str) -> String {
    let path = super::root().join(format!("examples/{example}.sirs.json"));
    let mut doc: Value = serde_json::from_slice(&std::fs::read(path).expect("example exists")).expect("example is JSON");
    let body = doc["program"]["functions"]["main"]["body"].as_array_mut().expect("a body");
    body.retain(|s| s.get("prob_assert").is_none());
    doc.to_string()
}

fn diagnose(exe: &std::path::Path, data: &str, tape: bool) -> super::Output {
    let mut cmd = Command::new(exe);
    cmd.args(["diagnose", "--seed", "7", "--points", "3", "--data", data]).current_dir(super::root());
    if tape {
        cmd.env("SEV_GRADIENT", "tape");
    } else {
        cmd.env_remove("SEV_GRADIENT");
    }
    super::output_retrying_busy(&mut cmd).expect("the model runs").into()
}

/// The example (without its asserts) gets a compiled gradient (`src/ad/`), which passes
/// `diagnose` (against finite differences and forward mode) and equals the tape's gradient to
/// 1e-9 relative at the same points.
pub fn assert_compiled_gradient_equals_tape(example: &str, dir: &std::path::Path) {
    let c = super::compile(&format!("{example}.sirs.json"), &without_asserts(example));
    assert!(!c.has_errors(), "{}", super::rendered(&c));
    let strategy = c.cir.as_ref().and_then(|p| p.ad.as_ref());
    assert!(matches!(strategy, Some(sev::ad::Strategy::Adjoint(_))), "{example}: not compiled: {strategy:?}");
    let exe = dir.join(example);
    super::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe).expect("builds");
    let data = format!("examples/{example}.data.json");
    let (adjoint, tape) = (diagnose(&exe, &data, false), diagnose(&exe, &data, true));
    assert_eq!(adjoint.code, 0, "{example}: diagnose of the adjoint fails\n{}{}", adjoint.stdout, adjoint.stderr);
    assert_eq!(tape.code, 0, "{example}: diagnose of the tape fails\n{}{}", tape.stdout, tape.stderr);
    let (a, t) = (super::diagnose_reverse_gradients(&adjoint.stdout), super::diagnose_reverse_gradients(&tape.stdout));
    assert!(a.len() >= 6 && a.len() == t.len(), "{example}: {} adjoint numbers, {} tape numbers\n{}", a.len(), t.len(), adjoint.stdout);
    for (x, y) in a.iter().zip(&t) {
        assert!((x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0), "{example}: adjoint {x} against tape {y}\n{}\n{}", adjoint.stdout, tape.stdout);
    }
}
