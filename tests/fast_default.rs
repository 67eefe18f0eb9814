//! Fast by default: `sev build` and `sev run` without `--release` build a model's object (its log
//! density, gradient and data reader) optimised, while a program without a model stays a Debug
//! build with the leak check; and the faults that name SIRS locations still stop an optimised
//! model with their message, location and status 101 (the generated code checks them itself,
//! so nothing depends on the Zig safety checks that ReleaseFast drops).

mod support;

use serde_json::{Value, json};
use sev::toolchain::{self, Mode};
use std::path::{Path, PathBuf};

fn program(args: Value, body: Value) -> Value {
    json!({"program": {"entry": "main", "functions": {"main": {"args": args, "return": "void", "body": body}}}})
}

fn sample_mu() -> Value {
    json!({"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 5.0}]}}}})
}

fn observe_y(index: Value) -> Value {
    json!({"observe": {"distribution": "normal", "params": [{"var": "mu"}, {"literal": 1.0}], "value": {"index": {"array": {"var": "y"}, "index": index}}}})
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).expect("json")).expect("write");
    path
}

fn path_str(p: &Path) -> String {
    p.to_str().expect("a UTF-8 path").to_string()
}

/// The optimisation level in a Zig command line (`-O LEVEL`).
fn level(command: &[String]) -> Option<&str> {
    command.windows(2).find(|w| w[0] == "-O").map(|w| w[1].as_str())
}

/// A model is built as two objects: its gradient object's build command has `-O ReleaseFast` in
/// `mode`, and the rest (data reading, outputs, forward mode) is a Debug object; both are linked.
fn object_is_optimised(mode: Mode) -> bool {
    let [gradient, rest, link] = toolchain::model_commands(mode, Path::new("sampler_main.o"));
    assert_eq!(gradient.first().map(String::as_str), Some("build-obj"), "{gradient:?}");
    assert_eq!(rest.first().map(String::as_str), Some("build-obj"), "{rest:?}");
    assert_eq!(level(&rest), Some("Debug"), "the rest of the model builds quickly: {rest:?}");
    assert!(link.contains(&"model_gradient.o".to_string()) && link.contains(&"model_rest.o".to_string()), "{link:?}");
    level(&gradient) == Some("ReleaseFast")
}

#[test]
fn the_default_build_of_a_model_is_the_optimised_one() {
    let source = program(json!([{"name": "y", "type": "[f64]"}]), json!([sample_mu(), observe_y(json!({"literal": 0}))]));
    let c = support::compile("m.sirs.json", &source.to_string());
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    let libraries = sev::commands::build::libraries(&c);
    let default = sev::commands::build::request(&c, false, &libraries);
    assert!(default.model);
    assert_eq!(default.mode, Mode::Debug, "no flag: the default mode");
    assert!(object_is_optimised(default.mode), "the default build of a model's gradient object is ReleaseFast");
    assert!(object_is_optimised(sev::commands::build::request(&c, true, &libraries).mode));
    let zig = support::zig();
    assert_eq!(toolchain::artifact_key(zig, &default), toolchain::artifact_key(zig, &sev::commands::build::request(&c, true, &libraries)), "the same binary with or without --release");
}

#[test]
fn a_program_without_a_model_stays_a_debug_build() {
    let source = program(json!([]), json!([{"expression": {"call": {"function": "print", "args": [{"literal": 1}]}}}]));
    let c = support::compile("p.sirs.json", &source.to_string());
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    let request = sev::commands::build::request(&c, false, &[]);
    assert!(!request.model);
    let zig = support::zig();
    assert_ne!(toolchain::artifact_key(zig, &request), toolchain::artifact_key(zig, &sev::commands::build::request(&c, true, &[])), "--release still changes a program's build");
}

/// `sev run` with default flags on a model whose log density reads past the end of the data and
/// one whose data-only integer arithmetic overflows: both are located faults (101).
#[test]
fn located_faults_survive_the_optimised_model_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let past_end = program(
        json!([{"name": "y", "type": "[f64]"}]),
        json!([sample_mu(), observe_y(json!({"call": {"function": "len", "args": [{"var": "y"}]}}))]),
    );
    let overflow = program(
        json!([{"name": "k", "type": "i64"}, {"name": "y", "type": "[f64]"}]),
        json!([
            sample_mu(),
            {"let": {"name": "j", "value": {"op": {"kind": "add", "args": [{"var": "k"}, {"literal": 1}]}}}},
            observe_y(json!({"op": {"kind": "sub", "args": [{"var": "j"}, {"var": "k"}]}}))
        ]),
    );
    let data = write_json(dir.path(), "d.json", &json!({"y": [0.5, 1.5], "k": i64::MAX}));
    for (name, source, message) in [("past_end", past_end, "index out of bounds: index 2, length 2"), ("overflow", overflow, "integer overflow")] {
        let file = write_json(dir.path(), &format!("{name}.sirs.json"), &source);
        let args: Vec<String> = ["run", &path_str(&file), "--data", &path_str(&data), "--output", &path_str(&dir.path().join(name)), "--seed", "1", "--draws", "10", "--warmup", "10"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let out = support::sev(&args, "1", None);
        assert_eq!(out.code, 101, "{name}: {out:?}");
        assert!(out.stderr.contains(message), "{name}: {}", out.stderr);
        assert!(out.stderr.contains(&format!("{name}.sirs.json:")), "{name}: the fault names the SIRS file and line: {}", out.stderr);
    }
}

/// The first model build with an empty cache (a new machine) builds the sampler object, Zig's
/// compiler runtime and the model at the same time, then links; the program samples, and a second
/// model then reuses the cached sampler.
#[test]
fn a_first_build_in_an_empty_cache_builds_the_sampler_and_links() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let source = program(json!([{"name": "y", "type": "[f64]"}]), json!([sample_mu(), observe_y(json!({"literal": 1}))]));
    let c = support::compile("first.sirs.json", &source.to_string());
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    let exe = dir.path().join("first");
    let request = sev::commands::build::request(&c, false, &[]);
    let built = toolchain::build(support::zig(), &request, &cache, &exe, false).expect("the first build succeeds");
    assert!(!built.cached);
    let samplers = std::fs::read_dir(cache.join("sampler")).expect("a sampler folder").count();
    assert_eq!(samplers, 1, "one sampler object, built once");
    let data = write_json(dir.path(), "d.json", &json!({"y": [0.5, 1.5]}));
    let out = support::run_exe(&exe, &["sample", "--data", &path_str(&data), "--output", &path_str(&dir.path().join("out")), "--quiet", "--seed", "3"].map(String::from), None).expect("runs");
    assert_eq!(out.code, 0, "{out:?}");
    let csv = std::fs::read_to_string(dir.path().join("out/first_chain_1.csv")).expect("draws");
    assert!(csv.lines().filter(|l| !l.starts_with('#')).count() > 1000, "a header and the draws");
}
