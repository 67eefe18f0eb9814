//! The command line as a user meets it, without building anything with Zig: exit statuses,
//! where output goes, `--emit`, `--help`, bad command lines, unreadable files, and `sev run`
//! of a program with errors (which must stop before Zig is ever started).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> PathBuf {
    root().join("examples").join(format!("{name}.sirs.json"))
}

/// Runs the real binary with a private cache and no colour.
fn sev(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sev"));
    cmd.args(args).env("NO_COLOR", "1").env_remove("SEV_ZIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the sev binary starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// The function names declared in a SIRS file.
fn function_names(path: &Path) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).expect("example readable")).expect("example is JSON");
    doc["program"]["functions"].as_object().expect("functions").keys().cloned().collect()
}

#[test]
fn check_of_a_missing_file_exits_3_and_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no_such_program.sirs.json");
    let out = sev(&["check", path_str(&missing)], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error[E0009]: Cannot read"), "{stderr}");
    assert!(stderr.contains("no_such_program.sirs.json"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!stderr.contains("panicked"));
}

#[test]
fn check_of_a_directory_exits_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = sev(&["check", path_str(dir.path())], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("error[E0009]: Cannot read"), "{}", text(&out.stderr));
}

#[test]
fn check_of_a_missing_file_in_json_format_exits_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("absent.sirs.json");
    let out = sev(&["check", "--format", "json", path_str(&missing)], &[]);
    assert_eq!(out.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(doc["file"], path_str(&missing));
    assert_eq!(doc["diagnostics"][0]["code"], "E0009");
    assert!(doc["diagnostics"][0]["title"].as_str().unwrap_or("").contains("absent.sirs.json"));
}

#[test]
fn check_of_valid_examples_exits_0_silently() {
    for name in ["hello_world", "multi_function", "structs", "enums_and_match"] {
        let out = sev(&["check", path_str(&example(name))], &[]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "{name}: {}", text(&out.stdout));
        assert!(out.stderr.is_empty(), "{name}: {}", text(&out.stderr));
    }
}

#[test]
fn check_in_json_format_prints_one_document_on_stdout() {
    let path = example("hello_world");
    let out = sev(&["check", "--format", "json", path_str(&path)], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(doc["diagnostics"], serde_json::json!([]));
    assert_eq!(doc["file"], path_str(&path));
}

#[test]
fn check_of_a_program_with_errors_exits_1_with_a_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.sirs.json");
    std::fs::write(&file, r#"{"program": {"functions": {"main": {"body": [{"break": null}, {"expression": {"var": "nope"}}]}}}}"#).expect("write");
    let out = sev(&["check", path_str(&file)], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E0306]"), "{stderr}");
    assert!(stderr.contains("error[E0201]"), "{stderr}");
    assert!(stderr.contains("bad.sirs.json: 2 errors, 0 warnings"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "NO_COLOR is set but the output has escape codes");
    assert!(out.stdout.is_empty());

    let out = sev(&["check", "--format", "json", path_str(&file)], &[]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let codes: Vec<&str> = doc["diagnostics"].as_array().expect("array").iter().map(|d| d["code"].as_str().expect("code")).collect();
    assert_eq!(codes, ["E0306", "E0201"], "sorted by position");
}

#[test]
fn warnings_alone_exit_0_and_are_printed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("warn.sirs.json");
    std::fs::write(&file, r#"{"program": {"functions": {"main": {"body": [{"return": null}, {"return": null}]}}}}"#).expect("write");
    let out = sev(&["check", path_str(&file)], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("warning[W0002]"), "{}", text(&out.stderr));
}

#[test]
fn build_emit_cir_prints_every_function() {
    let path = example("multi_function");
    let out = sev(&["build", "--emit", "cir", path_str(&path)], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let cir = text(&out.stdout);
    let names = function_names(&path);
    assert!(names.len() >= 3, "{names:?}");
    for name in &names {
        assert!(cir.contains(&format!("fn {name}(")), "CIR lacks `fn {name}(`:\n{cir}");
    }
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn build_emit_zig_prints_every_function() {
    let path = example("multi_function");
    let out = sev(&["build", "--emit", "zig", path_str(&path)], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let zig = text(&out.stdout);
    assert!(zig.contains("pub fn main("), "no Zig entry point:\n{zig}");
    for name in function_names(&path).iter().filter(|n| *n != "main") {
        assert!(zig.contains(&format!("fn {name}(")), "Zig lacks `fn {name}(`:\n{zig}");
    }
}

#[test]
fn build_emit_does_not_write_an_executable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["build", "--emit", "cir", path_str(&example("hello_world"))])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("sev starts");
    assert_eq!(out.status.code(), Some(0));
    let entries: Vec<_> = std::fs::read_dir(dir.path()).expect("readable").collect();
    assert!(entries.is_empty(), "--emit wrote files: {entries:?}");
}

/// `--emit` with `-o FILE` writes the text into FILE and nothing on stdout (`-o` used to be
/// ignored silently, the text going to stdout and no file being made); an unwritable FILE is
/// exit 3 with the path named.
#[test]
fn build_emit_writes_to_the_output_file_when_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    for kind in ["cir", "zig"] {
        let file = dir.path().join(format!("hello.{kind}"));
        let out = sev(&["build", "--emit", kind, "-o", path_str(&file), path_str(&example("hello_world"))], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "--emit {kind} -o printed:\n{}", text(&out.stdout));
        let written = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("--emit {kind} -o wrote no file: {e}"));
        let printed = text(&sev(&["build", "--emit", kind, path_str(&example("hello_world"))], &[]).stdout);
        assert_eq!(written, printed, "--emit {kind}: the file differs from what stdout gets");
        assert!(written.contains("main"), "{written}");
    }
    let out = sev(&["build", "--emit", "cir", "-o", path_str(dir.path()), path_str(&example("hello_world"))], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains(&format!("error: cannot write {}", dir.path().display())), "{}", text(&out.stderr));
}

/// A source without an extension is named like its default executable: `sev build prog` used
/// to replace the program with the binary. Building onto the source (by default or with `-o`,
/// `--emit` included) is now refused with exit 2 and the source is left as it was.
#[test]
fn build_never_overwrites_its_source_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = std::fs::read(example("hello_world")).expect("readable");
    let file = dir.path().join("hello");
    std::fs::write(&file, &source).expect("written");
    let runs = [
        Command::new(env!("CARGO_BIN_EXE_sev")).args(["build", "hello"]).current_dir(dir.path()).env("NO_COLOR", "1").output().expect("sev starts"),
        sev(&["build", path_str(&file), "-o", path_str(&file)], &[]),
        sev(&["build", "--emit", "zig", path_str(&file), "-o", path_str(&file)], &[]),
    ];
    for out in runs {
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains("is the source file itself"), "{}", text(&out.stderr));
        assert_eq!(std::fs::read(&file).expect("readable"), source, "the source was changed");
    }
}

#[test]
fn help_lists_the_subcommands() {
    let out = sev(&["--help"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for sub in ["build", "run", "check"] {
        assert!(help.contains(sub), "--help lacks {sub}:\n{help}");
    }
    let out = sev(&["check", "--help"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("--format"));
}

#[test]
fn version_is_printed() {
    let out = sev(&["--version"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains(env!("CARGO_PKG_VERSION")), "{}", text(&out.stdout));
}

#[test]
fn bad_command_lines_exit_2() {
    for args in [
        &["frobnicate"][..],
        &[][..],
        &["check"][..],
        &["check", "a.sirs.json", "--format", "xml"][..],
        &["build", "--emit", "asm", "a.sirs.json"][..],
        &["check", "--no-such-flag", "a.sirs.json"][..],
    ] {
        let out = sev(args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(!out.stderr.is_empty(), "{args:?}: no message");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = sev(&["frobnicate"], &[]);
    assert!(text(&out.stderr).contains("frobnicate"), "{}", text(&out.stderr));
}

/// A fake `zig` that leaves a marker when it is started, so a test can tell whether sev tried
/// to build.
#[cfg(unix)]
fn fake_zig(dir: &Path) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let marker = dir.join("zig-was-started");
    let script = dir.join("zig");
    std::fs::write(&script, format!("#!/bin/sh\ntouch '{}'\necho 0.14.1\n", marker.display())).expect("write fake zig");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    (script, marker)
}

#[cfg(unix)]
#[test]
fn run_of_a_program_with_a_type_error_exits_1_without_starting_zig() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (zig, marker) = fake_zig(dir.path());
    let cache = dir.path().join("cache");
    let file = dir.path().join("typo.sirs.json");
    std::fs::write(&file, r#"{"program": {"functions": {"main": {"body": [{"let": {"name": "x", "type": "i64", "value": {"literal": "one"}}}]}}}}"#).expect("write");
    let out = sev(&["run", path_str(&file), "--", "arg"], &[("SEV_ZIG", &zig), ("SEV_CACHE_DIR", &cache)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E0301]"), "{stderr}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(!marker.exists(), "sev started zig for a program with errors");
    assert!(!cache.exists(), "sev touched its build cache for a program with errors");
}

#[cfg(unix)]
#[test]
fn build_of_a_program_with_errors_exits_1_without_starting_zig() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (zig, marker) = fake_zig(dir.path());
    let file = dir.path().join("broken.sirs.json");
    std::fs::write(&file, r#"{"program": {"functions": {"main": {"body": [{"lett": {}}]}}}}"#).expect("write");
    let out_file = dir.path().join("broken");
    let out = sev(&["build", path_str(&file), "-o", path_str(&out_file)], &[("SEV_ZIG", &zig)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("error[E0104]"), "{}", text(&out.stderr));
    assert!(!marker.exists(), "sev started zig for a program with errors");
    assert!(!out_file.exists());
}

#[cfg(unix)]
#[test]
fn the_fake_zig_is_started_for_a_valid_program() {
    // Control for the two tests above: without errors sev does start the fake zig (which then
    // produces nothing, so the build fails as an environment problem).
    let dir = tempfile::tempdir().expect("tempdir");
    let (zig, marker) = fake_zig(dir.path());
    let cache = dir.path().join("cache");
    let out_file = dir.path().join("hello");
    let out = sev(&["build", path_str(&example("hello_world")), "-o", path_str(&out_file)], &[("SEV_ZIG", &zig), ("SEV_CACHE_DIR", &cache)]);
    assert!(marker.exists(), "the fake zig was not started: {}", text(&out.stderr));
    assert_ne!(out.status.code(), Some(0), "a build with a fake zig cannot succeed");
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
}

#[test]
fn run_of_a_missing_file_exits_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = sev(&["run", path_str(&dir.path().join("gone.sirs.json"))], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("gone.sirs.json"));
}

#[test]
fn a_zig_that_cannot_be_found_is_an_environment_error() {
    // A valid program with SEV_ZIG pointing nowhere: no build happens, exit 3 with advice.
    let dir = tempfile::tempdir().expect("tempdir");
    let nowhere = dir.path().join("no-zig-here");
    let out_file = dir.path().join("hello");
    let out = sev(&["build", path_str(&example("hello_world")), "-o", path_str(&out_file)], &[("SEV_ZIG", &nowhere)]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("SEV_ZIG"), "{stderr}");
    assert!(!out_file.exists());
}

#[cfg(unix)]
#[test]
fn an_unchanged_rebuild_comes_from_the_artifact_cache_without_starting_zig() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = root().join("target").join("sev-test-cache");
    let first = dir.path().join("hello_first");
    let out = sev(&["build", path_str(&example("hello_world")), "-o", path_str(&first)], &[("SEV_CACHE_DIR", &cache)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The same program again, with a zig that reports its version but cannot build anything
    // (it leaves a marker when asked to): the cache must serve it.
    use std::os::unix::fs::PermissionsExt;
    let marker = dir.path().join("zig-built");
    let zig = dir.path().join("zig");
    let script = format!("#!/bin/sh\nif [ \"$1\" != version ]; then touch '{}'; exit 1; fi\necho 0.14.1\n", marker.display());
    std::fs::write(&zig, script).expect("write fake zig");
    std::fs::set_permissions(&zig, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let second = dir.path().join("hello_second");
    let out = sev(&["build", path_str(&example("hello_world")), "-o", path_str(&second)], &[("SEV_ZIG", &zig), ("SEV_CACHE_DIR", &cache)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!marker.exists(), "zig was started for an unchanged program");
    let run = Command::new(&second).output().expect("the cached executable runs");
    assert_eq!(text(&run.stdout), text(&Command::new(&first).output().expect("runs").stdout));
    assert!(!run.stdout.is_empty());
}

/// A minified file (one line of about 120 KB) with 4,000 undefined variables: the human form
/// shows the first few errors with a short excerpt each and counts the rest, so its size does
/// not grow with the file; `--format json` still lists every error.
#[test]
fn human_diagnostics_of_a_minified_file_are_bounded() {
    let errors = 4000;
    let statements: Vec<String> = (0..errors).map(|i| format!(r#"{{"expression":{{"var":"undefined_variable_{i:05}"}}}}"#)).collect();
    let program = format!(r#"{{"program":{{"functions":{{"main":{{"body":[{}]}}}}}}}}"#, statements.join(","));
    assert!(program.len() > 120_000 && !program.contains('\n'));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("minified.sirs.json");
    std::fs::write(&file, &program).expect("write");

    let out = sev(&["check", path_str(&file)], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let shown = sev::diagnostic::MAX_SHOWN;
    assert_eq!(stderr.matches("error[E0201]").count(), shown);
    assert!(stderr.contains(&format!("… and {} more errors not shown (use --format json to see all)", errors - shown)), "{stderr}");
    assert!(stderr.contains(&format!("minified.sirs.json: {errors} errors, 0 warnings")));
    assert!(stderr.contains("minified.sirs.json:1:"), "the locus keeps the real line and column");
    let longest = stderr.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 300, "a line of {longest} characters");
    assert!(stderr.len() < 60_000, "{} bytes of diagnostics", stderr.len());

    let out = sev(&["check", "--format", "json", path_str(&file)], &[]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(doc["diagnostics"].as_array().map(Vec::len), Some(errors));
}

/// Polymorphic recursion (a generic function calling itself at a bigger type, a generic enum
/// holding itself at a bigger type) used to make `check` and `build` run until memory ran out;
/// both now stop at once with E0331.
#[test]
fn polymorphic_recursion_stops_check_and_build_quickly() {
    let cases = root().join("tests").join("cases").join("diagnostics");
    for name in ["polymorphic_recursion_through_two_functions", "polymorphic_recursion_in_generic_enum"] {
        let file = cases.join(format!("{name}.sirs.json"));
        let dir = tempfile::tempdir().expect("tempdir");
        let output = dir.path().join("program");
        for args in [vec!["check", path_str(&file)], vec!["build", "--emit", "cir", "-o", path_str(&output), path_str(&file)]] {
            let started = std::time::Instant::now();
            let out = sev(&args, &[("SEV_CACHE_DIR", dir.path())]);
            assert_eq!(out.status.code(), Some(1), "{name} {args:?}: {}", text(&out.stderr));
            assert!(text(&out.stderr).contains("error[E0331]"), "{name}: {}", text(&out.stderr));
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "{name} {args:?} took {:?}", started.elapsed());
        }
    }
}
