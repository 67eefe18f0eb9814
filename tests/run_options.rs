//! `sev run` on a model program as a user types it: every sampler option is taken directly
//! (`--adapt-delta 0.95`, not only after `--`), the CSV files go to `sev-out/<model>/` rather
//! than among the sources, and rejected proposals are summarised once at the end instead of a
//! note per failing place in the middle of the progress output.

mod support;

use std::path::{Path, PathBuf};

fn example(name: &str) -> PathBuf {
    support::root().join("examples").join(format!("{name}.sirs.json"))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn csv_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".csv")).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn sampler_options_are_taken_directly_and_draws_go_to_sev_out() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let model = example("coin_bias").display().to_string();
    let mut args = vec!["run".to_string(), model];
    args.extend(strings(&["--adapt-delta", "0.95", "--max-depth", "7", "--metric", "dense", "--chains", "1", "--warmup", "100", "--draws", "50", "--seed", "3", "--quiet"]));
    let out = support::sev(&args, "1", Some(cwd.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(csv_files(cwd.path()).is_empty(), "CSV files landed in the working directory");
    let csv = cwd.path().join("sev-out").join("coin_bias").join("coin_bias_chain_1.csv");
    let text = std::fs::read_to_string(&csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display()));
    for setting in ["delta = 0.95", "max_depth = 7", "metric = dense_e"] {
        assert!(text.contains(setting), "the CSV header lacks `{setting}`:\n{}", &text[..text.len().min(1500)]);
    }
    assert!(!out.stdout.contains("lp__"), "--quiet was not passed on:\n{}", out.stdout);
}

#[test]
fn options_after_double_dash_still_reach_the_sampler_and_output_is_honoured() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let args = strings(&["run", &example("coin_bias").display().to_string(), "--output", "draws", "--chains", "1", "--warmup", "100", "--draws", "50", "--seed", "3", "--", "--quiet", "--adapt-delta", "0.9"]);
    let out = support::sev(&args, "1", Some(cwd.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!cwd.path().join("sev-out").exists(), "an explicit --output still created sev-out");
    let text = std::fs::read_to_string(cwd.path().join("draws").join("coin_bias_chain_1.csv")).expect("CSV in draws/");
    assert!(text.contains("delta = 0.9\n"), "{}", &text[..text.len().min(1500)]);
}

#[test]
fn a_bad_sampler_option_value_is_a_usage_error() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let args = strings(&["run", &example("coin_bias").display().to_string(), "--adapt-delta", "1.5"]);
    let out = support::sev(&args, "1", Some(cwd.path()));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--adapt-delta"), "{}", out.stderr);
    assert!(!cwd.path().join("sev-out").exists());
}

#[test]
fn sampling_options_on_a_program_that_is_no_model_are_refused() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let args = strings(&["run", &example("hello_world").display().to_string(), "--adapt-delta", "0.9"]);
    let out = support::sev(&args, "1", Some(cwd.path()));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("apply to model programs") && out.stderr.contains("after `--`"), "{}", out.stderr);
}

/// A scale that may go negative: `s ~ normal(1, 1)` and `0.5 ~ normal(0, s)`. Every proposal
/// with `s <= 0` is rejected; the run still succeeds, and the rejections are told once, at the
/// end, with their number and the first reason and place.
const NEGATIVE_SCALE_MODEL: &str = r#"{"program": {"entry": "main", "functions": {"main": {"args": [], "return": "void", "body": [
  {"let": {"name": "s", "value": {"sample": {"distribution": "normal", "params": [{"literal": 1.0}, {"literal": 1.0}]}}}},
  {"observe": {"distribution": "normal", "params": [{"literal": 0.0}, {"var": "s"}], "value": {"literal": 0.5}}}
]}}}}"#;

#[test]
fn rejected_proposals_are_summarised_once_at_the_end() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let model = cwd.path().join("negative_scale.sirs.json");
    std::fs::write(&model, NEGATIVE_SCALE_MODEL).expect("write the model");
    let args = strings(&["run", "negative_scale.sirs.json", "--chains", "2", "--warmup", "200", "--draws", "200", "--seed", "4"]);
    let out = support::sev(&args, "1", Some(cwd.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr.matches("rejected").count(), 1, "one note, not one per rejection:\n{}", out.stderr);
    let note = out.stderr.lines().find(|l| l.contains("rejected")).expect("the note");
    let count: u64 = note
        .trim_start_matches("note: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the note starts with a count: {note}"));
    assert!(count > 1, "{note}");
    assert!(note.contains("the first: normal: sigma must be positive and finite, got -"), "{note}");
    assert!(out.stderr.contains("negative_scale.sirs.json:3:"), "the first reason's place: {}", out.stderr);
    assert!(out.stdout.contains("draws: sev-out/negative_scale/negative_scale_chain_1.csv"), "the summary names the files: {}", out.stdout);
    let summary_at = out.stdout.find("lp__").expect("the summary table");
    assert!(summary_at > 0 && !out.stdout.contains("rejected"), "the note goes to stderr: {}", out.stdout);
}

#[test]
fn method_is_another_name_for_algorithm() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let model = example("coin_bias").display().to_string();
    let args = strings(&["run", &model, "--method", "hmc", "--chains", "1", "--warmup", "100", "--draws", "50", "--seed", "3", "--quiet"]);
    let out = support::sev(&args, "1", Some(cwd.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let csv = cwd.path().join("sev-out").join("coin_bias").join("coin_bias_chain_1.csv");
    let text = std::fs::read_to_string(&csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display()));
    assert!(text.contains("engine = static"), "the CSV header does not name static HMC:\n{}", &text[..text.len().min(1500)]);
}

#[test]
fn a_summary_naming_the_source_or_the_data_file_is_refused_and_leaves_it_unchanged() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let source = std::fs::read(example("coin_bias")).expect("readable");
    std::fs::write(cwd.path().join("m.sirs.json"), &source).expect("written");
    std::fs::write(cwd.path().join("d.json"), "{}\n").expect("written");
    let quick = ["--chains", "1", "--warmup", "20", "--draws", "20", "--seed", "3", "--quiet"];
    let cases = [
        (strings(&["run", "m.sirs.json", "--summary", "m.sirs.json"]), "source file"),
        (strings(&["run", "m.sirs.json", "--data", "d.json", "--summary", "./d.json"]), "data file"),
        // after `--` the option reaches the model binary, which refuses it itself
        (strings(&["run", "m.sirs.json", "--data", "d.json", "--"]).into_iter().chain(strings(&quick)).chain(strings(&["--summary", "d.json"])).collect(), "data file"),
    ];
    for (args, what) in cases {
        let out = support::sev(&args, "1", Some(cwd.path()));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(&format!("is the {what}")) && out.stderr.contains("--summary"), "{args:?}: {}", out.stderr);
        assert_eq!(std::fs::read(cwd.path().join("m.sirs.json")).expect("readable"), source, "{args:?} changed the source");
        assert_eq!(std::fs::read_to_string(cwd.path().join("d.json")).expect("readable"), "{}\n", "{args:?} changed the data");
        assert!(!cwd.path().join("sev-out").join("m").join("m_chain_1.csv").exists(), "{args:?} sampled before refusing");
    }
}
