//! Gradient checks for every model program in `examples/` and `examples/posteriordb/`: each is
//! built (Debug model code, the cached ReleaseFast sampler) and its `diagnose` command compares
//! the reverse-mode gradient with a fourth-order finite-difference gradient and with forward
//! mode (dual numbers) at random unconstrained points for three seeds; the command exits 1 when
//! a coordinate's error |reverse − reference| / max(1, |reference|) exceeds 1e-6.
//!
//! Data: `tests/data/<model>.json` (small synthetic sets written by `tests/data/generate.py`;
//! the posteriordb data lives outside the repository), `examples/<model>.data.json`, or the
//! `--data` file of the example's `examples/expected/<model>.args`; a model whose entry takes no
//! arguments runs without data.

mod support;

use std::path::{Path, PathBuf};

struct ModelCase {
    name: String,
    label: String,
    source: String,
    data: Option<PathBuf>,
    /// Whether the entry function takes arguments (then the model reads a data file).
    needs_data: bool,
}

fn model_cases() -> Vec<ModelCase> {
    let root = support::root();
    let mut out = Vec::new();
    for dir in ["examples", "examples/posteriordb"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir)).expect("examples exist").flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files {
            let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let Some(name) = file.strip_suffix(".sirs.json") else { continue };
            let source = std::fs::read_to_string(&path).expect("readable example");
            let label = format!("{dir}/{file}");
            let c = support::compile(&label, &source);
            if c.cir.as_ref().is_none_or(|p| p.model.is_none()) {
                continue;
            }
            let data = [root.join("tests/data").join(format!("{name}.json")), root.join("examples").join(format!("{name}.data.json"))]
                .into_iter()
                .find(|p| p.is_file())
                .or_else(|| data_from_args(&root, name));
            let program: serde_json::Value = serde_json::from_str(&source).unwrap_or_default();
            let entry = program["program"]["entry"].as_str().unwrap_or("main").to_string();
            let needs_data = program["program"]["functions"][&entry]["args"].as_array().is_some_and(|a| !a.is_empty());
            out.push(ModelCase { name: name.to_string(), label, source, data, needs_data });
        }
    }
    out
}

/// The `--data` file named in the example's `examples/expected/<name>.args`, if any.
fn data_from_args(root: &Path, name: &str) -> Option<PathBuf> {
    let args = std::fs::read_to_string(root.join("examples/expected").join(format!("{name}.args"))).ok()?;
    let mut lines = args.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "--data" {
            return lines.next().map(|d| root.join(d.trim())).filter(|p| p.is_file());
        }
    }
    None
}

fn check(case: &ModelCase, dir: &Path) -> Result<String, String> {
    let c = support::compile(&case.label, &case.source);
    if c.has_errors() {
        return Err(format!("compile errors:\n{}", support::rendered(&c)));
    }
    let exe = dir.join(&case.name);
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe)?;
    let mut report = String::new();
    for seed in [1, 2, 3] {
        let mut args = vec!["diagnose".to_string(), "--seed".into(), seed.to_string(), "--points".into(), "2".into()];
        if let Some(d) = &case.data {
            args.push("--data".into());
            args.push(d.display().to_string());
        }
        let out = support::run_exe(&exe, &args, None)?;
        if out.code != 0 {
            return Err(format!("seed {seed}: exit {}\n{}{}", out.code, out.stdout, out.stderr));
        }
        if !out.stdout.contains("forward mode: dual numbers") {
            return Err(format!("seed {seed}: no forward-mode check\n{}", out.stdout));
        }
        let largest = out.stdout.lines().find_map(|l| l.strip_prefix("largest error: ")).unwrap_or("?").to_string();
        report.push_str(&format!("{}: seed {seed}: largest error {largest}\n", case.name));
    }
    Ok(report)
}

#[test]
fn every_example_model_has_a_correct_gradient() {
    let cases = model_cases();
    assert!(cases.len() >= 9, "expected the 8 posteriordb models and logistic_regression, found {}", cases.len());
    for case in &cases {
        assert!(case.data.is_some() || !case.needs_data, "{}: its entry takes data but there is no data file in tests/data or examples", case.name);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let results = support::parallel(cases.iter().collect(), |case| (case.name.clone(), check(case, dir.path())));
    let mut failures = Vec::new();
    for (name, r) in results {
        match r {
            Ok(report) => print!("{report}"),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{} model(s) failed the gradient check:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn diagnose_rejects_a_point_of_the_wrong_size_and_reports_usage_errors() {
    let source = std::fs::read_to_string(support::root().join("examples/posteriordb/eight_schools_noncentered.sirs.json")).expect("example");
    let c = support::compile("eight_schools_noncentered.sirs.json", &source);
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = dir.path().join("es");
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe).expect("builds");
    let data = support::root().join("tests/data/eight_schools_noncentered.json").display().to_string();
    // J = 6 schools: mu, tau and six theta_trans
    let ok = support::run_exe(&exe, &["diagnose".into(), "--data".into(), data.clone(), "--point".into(), "0.5,-1,0,0.1,0.2,0.3,0.4,0.5".into()], None).unwrap();
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("point 1: log density = "), "{}", ok.stdout);
    let short = support::run_exe(&exe, &["diagnose".into(), "--data".into(), data.clone(), "--point".into(), "0.5".into()], None).unwrap();
    assert_eq!(short.code, 2);
    assert!(short.stderr.contains("--point has 1 value(s) but the model has 8 unconstrained parameter(s)"), "{}", short.stderr);
    let bad = support::run_exe(&exe, &["diagnose".into(), "--epsilon".into(), "0".into()], None).unwrap();
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("option '--epsilon' expects a number in (0, 1), found '0'"), "{}", bad.stderr);
}
