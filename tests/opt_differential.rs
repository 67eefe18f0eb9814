//! Differential tests of the CIR optimisation passes: the same programs compiled at `-O0` and
//! at `-O2` must behave identically.
//!
//! * 1,000 random programs from the generator in `gen/` (the one `tests/generated.rs` uses),
//!   in batches of [`BATCH`] per Zig build: stdout and exit status must be the same at both
//!   levels, program by program (and the reference interpreter's expected output is shown
//!   when they differ). A batch that already fails at `-O0` is reported, not counted.
//! * Every example program: stdout, stderr (fault messages keep their location and function)
//!   and exit status are the same at both levels.
//! * Every example model (`examples/posteriordb/`, `examples/logistic_regression`) sampled with
//!   a fixed seed: the draws in the CSV files are bit-identical at both levels.
//!
//! Environment overrides: `SEV_OPT_PROGRAMS` (how many generated programs), `SEV_OPT_SEED`,
//! `SEV_OPT_DUMP` (a directory to write each failing generated program to).

mod support;

#[path = "gen/mod.rs"]
mod generator;

use sev::driver::{self, Compilation, Options};
use sev::opt::Level;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

const SEED: u64 = 0x0971_2024_0000_0002;
const PROGRAMS: usize = 1000;
const BATCH: usize = 200;

fn compile(name: &str, source: &str, level: Level) -> Compilation {
    driver::compile_with(name, source.as_bytes(), Options { emit_zig: true }, level)
}

/// The number of CIR instructions reachable in a compiled program.
fn cir_size(c: &Compilation) -> usize {
    c.cir.as_ref().map_or(0, |p| p.functions.iter().map(sev::opt::tree::size).sum())
}

/// Builds and runs one compilation; `Err` when Zig rejects it.
fn build_and_run(c: &Compilation, stem: &str) -> Result<support::Output, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let exe = dir.path().join(stem);
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], false, &exe)?;
    support::run_exe(&exe, &[], None)
}

/// Splits a batch's stdout into the output of each program (by its header line).
fn sections(stdout: &str, headers: &BTreeMap<String, usize>) -> BTreeMap<usize, Vec<String>> {
    let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut current = None;
    for line in stdout.split('\n') {
        if let Some(k) = headers.get(line) {
            current = Some(*k);
            out.entry(*k).or_default();
            continue;
        }
        if let Some(k) = current {
            out.entry(k).or_default().push(line.to_string());
        }
    }
    out
}

struct BatchResult {
    compared: usize,
    skipped: Option<String>,
    failures: Vec<String>,
    sizes: (usize, usize),
}

fn check_batch(batch: &[generator::Generated]) -> BatchResult {
    let first = batch.first().map_or(0, |g| g.program.index);
    let programs: Vec<&generator::ast::Program> = batch.iter().map(|g| &g.program).collect();
    let source = generator::batch_source(&programs);
    let name = format!("generated/opt_batch_{first}.sirs.json");
    let skip = |why: String| BatchResult { compared: 0, skipped: Some(format!("batch at program {first}: {why}")), failures: Vec::new(), sizes: (0, 0) };
    let o0 = compile(&name, &source, Level::O0);
    if o0.has_errors() || o0.zig.is_none() {
        return skip(format!("does not compile at -O0:\n{}", support::rendered(&o0)));
    }
    let o2 = compile(&name, &source, Level::O2);
    let sizes = (cir_size(&o0), cir_size(&o2));
    if o2.has_errors() || o2.zig.is_none() {
        let failures = vec![format!("batch at program {first}: -O2 fails where -O0 compiles:\n{}", support::rendered(&o2))];
        return BatchResult { compared: 0, skipped: None, failures, sizes };
    }
    let run0 = match build_and_run(&o0, "o0") {
        Ok(out) => out,
        Err(e) => return skip(format!("Zig rejects the -O0 code (a backend bug, not a pass):\n{}", e.chars().take(2000).collect::<String>())),
    };
    let run2 = match build_and_run(&o2, "o2") {
        Ok(out) => out,
        Err(e) => {
            let failures = vec![format!("batch at program {first}: Zig rejects the -O2 code:\n{}", e.chars().take(4000).collect::<String>())];
            return BatchResult { compared: 0, skipped: None, failures, sizes };
        }
    };
    let headers: BTreeMap<String, usize> = batch.iter().map(|g| (g.program.header(), g.program.index)).collect();
    let (s0, s2) = (sections(&run0.stdout, &headers), sections(&run2.stdout, &headers));
    let mut failures = Vec::new();
    for g in batch {
        let k = g.program.index;
        if s0.get(&k) != s2.get(&k) {
            let (a, b) = (s0.get(&k).cloned().unwrap_or_default(), s2.get(&k).cloned().unwrap_or_default());
            let line = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            if let Ok(dir) = std::env::var("SEV_OPT_DUMP") {
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(Path::new(&dir).join(format!("program_{k}.sirs.json")), generator::standalone_json(&g.program));
            }
            failures.push(format!(
                "program {k} (seed {:#x}): output differs at line {}: -O0 {:?}, -O2 {:?} (reference: {:?})\n{}",
                g.program.seed,
                line + 1,
                a.get(line),
                b.get(line),
                g.expected.lines().nth(line),
                generator::standalone_json(&g.program)
            ));
            break;
        }
    }
    if run0.code != run2.code || run0.stderr != run2.stderr {
        failures.push(format!(
            "batch at program {first}: exit {} / {} and stderr differ:\n-O0: {}\n-O2: {}",
            run0.code, run2.code, run0.stderr, run2.stderr
        ));
    }
    BatchResult { compared: batch.len(), skipped: None, failures, sizes }
}

#[test]
fn generated_programs_behave_the_same_at_o0_and_o2() {
    let started = Instant::now();
    let seed = support::env_number("SEV_OPT_SEED").unwrap_or(SEED);
    let count = support::env_number("SEV_OPT_PROGRAMS").map_or(PROGRAMS, |n| n as usize);
    let generated: Vec<generator::Generated> =
        (0..count).map(|k| generator::generate(k, seed ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))).collect();
    let batches: Vec<&[generator::Generated]> = generated.chunks(BATCH).collect();
    let results = support::parallel(batches, check_batch);
    let compared: usize = results.iter().map(|r| r.compared).sum();
    let (before, after): (usize, usize) = results.iter().fold((0, 0), |(a, b), r| (a + r.sizes.0, b + r.sizes.1));
    let skipped: Vec<&String> = results.iter().filter_map(|r| r.skipped.as_ref()).collect();
    let failures: Vec<&String> = results.iter().flat_map(|r| &r.failures).collect();
    eprintln!(
        "{compared} of {count} generated programs compared at -O0 and -O2 in {:.1?}; CIR instructions {before} -> {after}; {} batch(es) skipped",
        started.elapsed(),
        skipped.len()
    );
    for s in &skipped {
        eprintln!("skipped: {}", s.chars().take(1500).collect::<String>());
    }
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n\n"));
    assert!(compared * 10 >= count * 9, "only {compared} of {count} programs could be compared (see the skipped batches above)");
}

fn sev(args: &[String], cwd: &Path) -> support::Output {
    // Programs that draw random numbers outside a model use this seed.
    support::sev(args, "12345", Some(cwd))
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

#[test]
fn examples_behave_the_same_at_o0_and_o2() {
    let root = support::root();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root.join("examples")).expect("examples").flatten().map(|e| e.path()).collect();
    cases.retain(|p| p.to_string_lossy().ends_with(".sirs.json"));
    cases.sort();
    let results = support::parallel(cases, |path| {
        let source = std::fs::read_to_string(&path).expect("readable");
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let stem = name.trim_end_matches(".sirs.json").to_string();
        let o0 = compile(&format!("examples/{name}"), &source, Level::O0);
        if o0.cir.as_ref().is_none_or(|c| c.model.is_some()) {
            return None;
        }
        let args_file = root.join("examples/expected").join(format!("{stem}.args"));
        let extra: Vec<String> = std::fs::read_to_string(&args_file).map(|t| t.lines().map(str::to_string).collect()).unwrap_or_default();
        let run = |level: &str| {
            let mut args = strings(&["run", level, &format!("examples/{name}"), "--"]);
            args.extend(extra.clone());
            sev(&args, &root)
        };
        let (a, b) = (run("-O0"), run("-O2"));
        Some((name, a, b))
    });
    let mut compared = 0;
    for (name, a, b) in results.into_iter().flatten() {
        assert_eq!(a.stdout, b.stdout, "{name}: stdout differs");
        assert_eq!(a.stderr, b.stderr, "{name}: stderr differs");
        assert_eq!(a.code, b.code, "{name}: exit status differs");
        compared += 1;
    }
    assert!(compared >= 15, "only {compared} examples compared");
}

/// The data lines of a Stan CSV file (comments hold times and file names).
fn draws(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n")
}

#[test]
fn models_draw_identically_at_o0_and_o2() {
    let root = support::root();
    let mut models: Vec<(PathBuf, PathBuf)> = ["logistic_regression", "centred_regression", "coal_mining", "population_size"]
        .iter()
        .map(|m| (root.join(format!("examples/{m}.sirs.json")), root.join(format!("examples/{m}.data.json"))))
        .collect();
    for entry in std::fs::read_dir(root.join("examples/posteriordb")).expect("models").flatten() {
        let path = entry.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let stem = name.trim_end_matches(".sirs.json");
        let data = root.join("tests/data").join(format!("{stem}.json"));
        if data.exists() {
            models.push((path, data));
        }
    }
    models.sort();
    assert!(models.len() >= 12, "expected the 8 posteriordb models, the two regressions, coal_mining and population_size");
    let results = support::parallel(models, |(model, data)| {
        let out = tempfile::tempdir().expect("temporary directory");
        let run = |level: &str| {
            let dir = out.path().join(level);
            let args = vec![
                "run".to_string(),
                level.to_string(),
                model.display().to_string(),
                "--data".into(),
                data.display().to_string(),
                "--seed".into(),
                "20240611".into(),
                "--chains".into(),
                "2".into(),
                "--warmup".into(),
                "150".into(),
                "--draws".into(),
                "150".into(),
                "--output".into(),
                dir.display().to_string(),
            ];
            let o = sev(&args, &root);
            assert_eq!(o.code, 0, "{} {level}: {}", model.display(), o.stderr);
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("output").flatten().map(|e| e.path()).collect();
            files.sort();
            files.iter().map(|f| draws(f)).collect::<Vec<_>>()
        };
        let (a, b) = (run("-O0"), run("-O2"));
        (model, a, b)
    });
    for (model, a, b) in results {
        assert!(!a.is_empty(), "{}: no CSV written", model.display());
        assert!(a == b, "{}: the draws differ between -O0 and -O2", model.display());
    }
}
