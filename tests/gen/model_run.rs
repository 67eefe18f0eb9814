//! Runs a generated model (`model.rs`) end to end, for `tests/generated_models.rs` (a small
//! batch) and `tests/validation.rs` (a large one): the model is sampled with `sev run` at `-O0`
//! and `-O2` (a short chain, fixed seed) and must exit 0 with the same draws at both levels;
//! its `infer` program must print the number of draws it asked for.

use super::model::{GeneratedModel, INFER_DRAWS};
use crate::support;
use std::path::Path;

/// The draws of a CSV file (its comment lines hold timings).
fn draws(csv: &str) -> String {
    csv.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n")
}

fn sample(m: &GeneratedModel, level: u8, dir: &Path) -> Result<String, String> {
    let tag = format!("model_{}_O{level}", m.index);
    let source = dir.join(format!("model_{}.sirs.json", m.index));
    let data = dir.join(format!("model_{}.data.json", m.index));
    std::fs::write(&source, &m.source).map_err(|e| e.to_string())?;
    std::fs::write(&data, &m.data).map_err(|e| e.to_string())?;
    let output = dir.join(&tag);
    let mut args: Vec<String> = vec!["run".into(), source.display().to_string(), format!("-O{level}")];
    args.extend(["--data".into(), data.display().to_string(), "--output".into(), output.display().to_string()]);
    args.extend(["--seed", "1", "--chains", "1", "--warmup", "40", "--draws", "40"].map(String::from));
    let out = support::sev(&args, "1", Some(dir));
    if out.code != 0 {
        return Err(format!("exit {} at -O{level}\n{}", out.code, tail(&out.stderr)));
    }
    let csv = std::fs::read_to_string(output.join(format!("model_{}_chain_1.csv", m.index))).map_err(|e| format!("no draws at -O{level}: {e}"))?;
    Ok(draws(&csv))
}

fn infer(m: &GeneratedModel, level: u8, dir: &Path) -> Result<(), String> {
    let source = dir.join(format!("infer_{}.sirs.json", m.index));
    std::fs::write(&source, &m.infer_source).map_err(|e| e.to_string())?;
    let out = support::sev(&["run".into(), source.display().to_string(), format!("-O{level}")], "1", Some(dir));
    let want = format!("{INFER_DRAWS}\n");
    if out.code != 0 || out.stdout != want {
        return Err(format!("infer program at -O{level}: exit {}, printed {:?} (expected {want:?})\n{}", out.code, out.stdout, tail(&out.stderr)));
    }
    Ok(())
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(25)..].join("\n")
}

/// Every problem with model `m` (empty when it passes), each with the program to reproduce it.
pub fn check(m: &GeneratedModel, with_infer: bool) -> Vec<String> {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return vec![format!("cannot make a temporary directory: {e}")],
    };
    let mut problems = Vec::new();
    match (sample(m, 0, dir.path()), sample(m, 2, dir.path())) {
        (Ok(a), Ok(b)) if a != b => problems.push("the draws differ between -O0 and -O2".to_string()),
        (Ok(_), Ok(_)) => {}
        (a, b) => problems.extend([a.err(), b.err()].into_iter().flatten()),
    }
    if with_infer {
        for level in [0, 2] {
            if let Err(e) = infer(m, level, dir.path()) {
                problems.push(e);
            }
        }
    }
    if problems.is_empty() {
        return problems;
    }
    let shown = if with_infer { format!("{}\n--- infer program:\n{}", m.source, m.infer_source) } else { m.source.clone() };
    vec![format!("model {} (families {:?}): {}\n--- data: {}\n--- model:\n{shown}", m.index, m.families, problems.join("\n"), m.data)]
}

/// The problems of a batch of models, two at a time; the first `with_infer` also through `infer`.
pub fn check_all(models: &[GeneratedModel], with_infer: usize) -> Vec<String> {
    let jobs: Vec<(usize, &GeneratedModel)> = models.iter().enumerate().collect();
    support::parallel(jobs, |(i, m)| check(m, i < with_infer)).into_iter().flatten().collect()
}
