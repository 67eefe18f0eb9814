//! `sev test` through the binary: a suite with passing and failing tests (one line per test,
//! the failures with both values and their SIRS location, the final count, exit 1), JUnit XML
//! read back by Python's XML parser and validated against `tests/data/junit.xsd`, `--filter`,
//! folders, a test that fits a model, and a test that does not type-check; `--interp` gives the
//! compiled mode's output, status and JUnit XML, and reports the constructs it refuses.

use std::path::PathBuf;
use std::process::{Command, Output};

fn case(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("cases").join("test").join(name)
}

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev")).args(args).output().expect("sev runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_failing_suite_reports_each_test_the_values_and_the_location_and_exits_1() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let junit = dir.path().join("junit.xml");
    let out = sev(&["test", &case("failing.sirs.json").display().to_string(), "--junit", &junit.display().to_string()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("test ")).collect();
    assert_eq!(
        lines,
        [
            "test test_square_of_three ... ok",
            "test test_square_is_wrong ... FAILED",
            "test test_root ... ok",
            "test test_positive ... ok",
            "test test_overflow ... FAILED",
        ]
    );
    assert_eq!(stdout.lines().last(), Some("3 passed, 2 failed"));
    assert!(stdout.contains("assert_eq failed: left = 16, right = 15"), "{stdout}");
    assert!(stdout.contains("failing.sirs.json:8:20 (in function `test_square_is_wrong`)"), "{stdout}");
    assert!(stdout.contains("integer overflow"), "a fault in a test fails it: {stdout}");
    check_junit(&junit);
}

/// Reads the JUnit file with Python's XML parser and checks its structure and counts.
fn check_junit(path: &std::path::Path) {
    let script = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1
suite = suites[0]
cases = suite.findall("testcase")
assert suite.get("tests") == str(len(cases)) == "5", suite.get("tests")
failed = [c for c in cases if c.find("failure") is not None]
assert suite.get("failures") == root.get("failures") == str(len(failed)) == "2"
assert [c.get("name") for c in failed] == ["test_square_is_wrong", "test_overflow"]
for c in cases:
    assert c.get("classname") and float(c.get("time")) >= 0
assert failed[0].find("failure").get("type") == "AssertionFailed"
assert "left = 16, right = 15" in failed[0].find("failure").get("message")
assert failed[1].find("failure").get("type") == "Fault"
print("ok")
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(path).output().expect("python3 runs");
    assert_eq!(text(&out.stdout).trim(), "ok", "{}", text(&out.stderr));
    validate_junit(path);
}

#[test]
fn filter_runs_only_matching_tests_and_a_passing_run_exits_0() {
    let out = sev(&["test", &case("failing.sirs.json").display().to_string(), "--filter", "root"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert_eq!(stdout, "test test_root ... ok\n1 passed, 0 failed\n");
}

#[test]
fn an_assertion_that_does_not_type_check_is_a_located_error() {
    let out = sev(&["test", &case("type_error.sirs.json").display().to_string()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[E0303]") && stderr.contains("type_error.sirs.json:4:20"), "{stderr}");
    assert_eq!(text(&out.stdout), "0 passed, 0 failed\n", "no test ran");
}

/// The fenced block that follows `<!-- test-example: WHICH -->` in `docs/cli.md`.
fn cli_example(which: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs").join("cli.md");
    let doc = std::fs::read_to_string(path).expect("docs/cli.md readable");
    let marker = format!("<!-- test-example: {which} -->\n");
    let start = doc.find(&marker).unwrap_or_else(|| panic!("docs/cli.md has no test {which} example")) + marker.len();
    let body = doc[start..].split_once('\n').expect("a fence line").1;
    let end = body.find("\n```\n").expect("the block closes") + 1;
    body[..end].to_string()
}

#[test]
fn the_example_in_the_cli_documentation_is_what_test_prints() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("math.sirs.json"), cli_example("input")).expect("written");
    for interp in [&[][..], &["--interp"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_sev")).args(["test", "math.sirs.json"]).args(interp).current_dir(dir.path()).output().expect("sev runs");
        assert_eq!(out.status.code(), Some(1), "{interp:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), cli_example("output"), "{interp:?}");
    }
}

#[test]
fn a_test_can_fit_a_model_and_check_its_posterior() {
    let out = sev(&["test", &case("posterior.sirs.json").display().to_string()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("test test_posterior_mean_of_the_bias ... ok\ntest test_a_wrong_posterior_mean_fails ... FAILED\n"), "{stdout}");
    assert!(stdout.contains("assert_approx failed: left = 0.68") && stdout.contains("right = 0.5, tolerance = 0.01"), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("1 passed, 1 failed"));
}

/// `assert_posterior` on a conjugate model with a known posterior (beta(11, 5)): the exact
/// central 90 % interval passes at confidence 0.9, an interval with 5.9 % of the mass fails
/// with both values and the assertion's location, a confidence above 1 fails. `--interp`
/// (whose `infer` builds and runs the model's sampler) prints the same lines, exits with the
/// same status and writes the same JUnit report, times aside.
#[test]
fn assert_posterior_checks_an_interval_claim_within_monte_carlo_error() {
    let file = case("posterior_interval.sirs.json").display().to_string();
    let out = sev(&["test", &file]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.starts_with(
            "test test_the_central_90_percent_interval_holds ... ok\ntest test_the_estimate_is_within_its_monte_carlo_error ... ok\n\
             test test_an_interval_with_little_mass_fails ... FAILED\ntest test_a_confidence_above_one_fails ... FAILED\n"
        ),
        "{stdout}"
    );
    // The message shown in docs/cli.md.
    let documented = "assert_posterior failed: Pr(0.2 <= bias <= 0.5) = 0.058375 (Monte Carlo standard error 0.0035699721158831375), below the claimed confidence 0.5\n";
    assert!(stdout.contains(documented), "{stdout}");
    let cli = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md")).expect("docs/cli.md");
    assert!(cli.contains(documented), "docs/cli.md shows the message");
    assert!(stdout.contains("posterior_interval.sirs.json:26:20 (in function `test_an_interval_with_little_mass_fails`)"), "{stdout}");
    assert!(stdout.contains("assert_posterior: the confidence must be between 0 and 1, found 1.5"), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("2 passed, 2 failed"));
    let dir = tempfile::tempdir().expect("temporary folder");
    let (junit, junit_interp) = (dir.path().join("compiled.xml"), dir.path().join("interp.xml"));
    let compiled = sev(&["test", &file, "--junit", &junit.display().to_string()]);
    let interpreted = sev(&["test", "--interp", &file, "--junit", &junit_interp.display().to_string()]);
    assert_eq!(text(&interpreted.stdout), text(&compiled.stdout), "interpreted (left) and compiled (right) differ");
    assert_eq!(interpreted.status.code(), Some(1));
    let untimed = |path: &PathBuf| {
        let xml = std::fs::read_to_string(path).expect("JUnit written");
        xml.split(" time=\"").enumerate().map(|(i, part)| if i == 0 { part } else { part.split_once('"').map_or(part, |(_, rest)| rest) }).collect::<String>()
    };
    assert_eq!(untimed(&junit_interp), untimed(&junit), "JUnit reports differ");
    validate_junit(&junit_interp);
}

/// `posterior.sirs.json` (a passing and a failing `assert_approx` on a fitted posterior mean)
/// prints the same lines compiled and interpreted.
#[test]
fn an_interpreted_test_fits_the_same_posterior_as_the_compiled_one() {
    let file = case("posterior.sirs.json").display().to_string();
    let compiled = sev(&["test", &file]);
    let interpreted = sev(&["test", "--interp", &file]);
    assert_eq!(text(&interpreted.stdout), text(&compiled.stdout));
    assert_eq!(interpreted.status.code(), Some(1));
    assert_eq!(text(&interpreted.stdout).lines().last(), Some("1 passed, 1 failed"));
}

#[test]
fn a_program_with_its_own_assert_function_keeps_it() {
    let out = sev(&["test", &case("own_assert.sirs.json").display().to_string()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert_eq!(stdout, "test test_own_assert_is_called ... ok\n1 passed, 0 failed\n");
}

#[test]
fn a_folder_runs_every_program_and_a_bad_one_does_not_stop_the_others() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let junit = dir.path().join("junit.xml");
    let out = sev(&["test", &case("").display().to_string(), "--junit", &junit.display().to_string()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert_eq!(stdout.lines().filter(|l| l.starts_with("running ")).count(), 6, "{stdout}");
    assert_eq!(stdout.lines().last(), Some("8 passed, 5 failed"));
    assert!(text(&out.stderr).contains("type_error.sirs.json:4:20"), "the bad program's error is shown");
    let script = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = root.findall("testsuite")
names = [s.get("name").rsplit("/", 1)[-1] for s in suites]
assert names == ["failing.sirs.json", "not_a_test.sirs.json", "own_assert.sirs.json", "posterior.sirs.json", "posterior_interval.sirs.json"], names
assert [s.get("tests") for s in suites] == ["5", "1", "1", "2", "4"]
assert [s.get("failures") for s in suites] == ["2", "0", "0", "1", "2"]
assert root.get("tests") == "13" and root.get("failures") == "5"
print("ok")
"#;
    let check = Command::new("python3").arg("-c").arg(script).arg(&junit).output().expect("python3 runs");
    assert_eq!(text(&check.stdout).trim(), "ok", "{}", text(&check.stderr));
    validate_junit(&junit);
}

/// Validates a JUnit file against `tests/data/junit.xsd` with the `xmlschema` package
/// (tests/requirements.txt), and checks that the schema rejects a broken copy.
fn validate_junit(path: &std::path::Path) {
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("data").join("junit.xsd");
    let script = r#"
import sys, xmlschema
schema = xmlschema.XMLSchema(sys.argv[1])
schema.validate(sys.argv[2])
text = open(sys.argv[2]).read()
assert not schema.is_valid(text.replace('<testcase name=', '<testcase nom=', 1)), "the schema accepts a test case without a name"
print("valid")
"#;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(python).arg("-c").arg(script).arg(&schema).arg(path).output().expect("python runs");
    assert_eq!(text(&out.stdout).trim(), "valid", "{}", text(&out.stderr));
}

#[test]
fn lint_counts_test_functions_as_used() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("t.sirs.json");
    let program = r#"{"program": {"entry": "main", "functions": {
  "main": {"body": []},
  "double": {"args": [{"name": "n", "type": "i64"}], "return": "i64", "body": [{"return": {"op": {"kind": "add", "args": [{"var": "n"}, {"var": "n"}]}}}]},
  "test_double": {"body": [{"expression": {"call": {"function": "assert_eq", "args": [{"call": {"function": "double", "args": [{"literal": 2}]}}, {"literal": 4}]}}}]},
  "unused": {"body": []}}}}"#;
    std::fs::write(&file, program).expect("written");
    let out = sev(&["lint", &file.display().to_string(), "--format", "json"]);
    let stdout = text(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    let codes: Vec<(String, String)> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| (d["code"].as_str().unwrap_or_default().to_string(), d["title"].as_str().unwrap_or_default().to_string()))
        .collect();
    assert_eq!(codes.len(), 1, "only `unused` is reported: {codes:?}");
    assert_eq!(codes[0].0, "L0002");
    assert_eq!(codes[0].1, "Function `unused` is never used");
}

#[test]
fn a_test_named_function_with_arguments_is_a_located_warning_not_a_test() {
    let out = sev(&["test", &case("not_a_test.sirs.json").display().to_string()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(text(&out.stdout), "test test_uses_the_helper ... ok\n1 passed, 0 failed\n");
    assert!(stderr.contains("warning[W0004]: `test_helper` is not run as a test") && stderr.contains("not_a_test.sirs.json:3:3"), "{stderr}");
}

/// The JUnit XML with the `time` attributes (which differ from run to run) removed.
fn junit_without_times(path: &std::path::Path) -> String {
    let doc = std::fs::read_to_string(path).expect("JUnit written");
    doc.split(" time=\"").enumerate().map(|(i, part)| if i == 0 { part } else { part.split_once('"').map_or(part, |(_, rest)| rest) }).collect()
}

/// `sev test` with `extra` options, compiled and interpreted: stdout, stderr, exit status and
/// the JUnit XML (without times) of each.
fn both_modes(file: &str, extra: &[&str]) -> [(String, String, Option<i32>, String); 2] {
    [false, true].map(|interp| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let junit = dir.path().join("junit.xml").display().to_string();
        let mut args = vec!["test", file, "--junit", &junit];
        args.extend_from_slice(extra);
        if interp {
            args.push("--interp");
        }
        let out = sev(&args);
        (text(&out.stdout), text(&out.stderr), out.status.code(), junit_without_times(std::path::Path::new(&junit)))
    })
}

#[test]
fn interpreted_tests_print_exactly_what_compiled_tests_print() {
    for (name, status) in [("failing.sirs.json", 1), ("own_assert.sirs.json", 0), ("not_a_test.sirs.json", 0)] {
        let [compiled, interpreted] = both_modes(&case(name).display().to_string(), &[]);
        assert_eq!(compiled.2, Some(status), "{name}: {}{}", compiled.0, compiled.1);
        assert_eq!(interpreted, compiled, "{name}: interpreted (left) and compiled (right) differ");
    }
    let [compiled, interpreted] = both_modes(&case("failing.sirs.json").display().to_string(), &["--filter", "square"]);
    assert_eq!(compiled.0.lines().last(), Some("1 passed, 1 failed"), "{}", compiled.0);
    assert_eq!(interpreted, compiled);
}

#[test]
fn an_interpreted_folder_with_a_bad_program_prints_what_the_compiled_one_prints() {
    let dir = tempfile::tempdir().expect("temporary folder");
    for name in ["failing.sirs.json", "own_assert.sirs.json", "type_error.sirs.json"] {
        std::fs::copy(case(name), dir.path().join(name)).expect("copied");
    }
    let [compiled, interpreted] = both_modes(&dir.path().display().to_string(), &[]);
    assert_eq!(compiled.2, Some(1), "{}{}", compiled.0, compiled.1);
    assert_eq!(compiled.0.lines().filter(|l| l.starts_with("running ")).count(), 3, "{}", compiled.0);
    assert_eq!(compiled.0.lines().last(), Some("4 passed, 2 failed"), "{}", compiled.0);
    assert!(compiled.1.contains("type_error.sirs.json:4:20"), "{}", compiled.1);
    assert_eq!(interpreted, compiled, "interpreted (left) and compiled (right) differ");
}

#[test]
fn an_interpreted_failure_shows_both_values_and_the_location_and_validates_as_junit() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let junit = dir.path().join("junit.xml");
    let out = sev(&["test", "--interp", &case("failing.sirs.json").display().to_string(), "--junit", &junit.display().to_string()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("assert_eq failed: left = 16, right = 15\n  --> "), "{stdout}");
    assert!(stdout.contains("failing.sirs.json:8:20 (in function `test_square_is_wrong`)"), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("3 passed, 2 failed"));
    check_junit(&junit);
}

#[test]
fn a_test_the_interpreter_cannot_run_is_an_error_naming_the_construct() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let junit = dir.path().join("junit.xml");
    // kept out of tests/cases/test, whose folder run counts its programs
    let refused = case("").parent().expect("tests/cases").join("test_refused").join("refused.sirs.json");
    let out = sev(&["test", "--interp", &refused.display().to_string(), "--junit", &junit.display().to_string()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a refused test is not passed: {stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("test test_cube_root_of_eight ... FAILED\ntest test_cube_root_of_minus_one ... FAILED\n"), "{stdout}");
    assert!(
        stdout.contains("error: the interpreter does not run calls of foreign (`extern`) functions yet\n  --> ")
            && stdout.contains("refused.sirs.json:8:64 (in function `test_cube_root_of_eight`)"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("0 passed, 2 failed"));
    let script = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.get("tests") == "2" and root.get("failures") == "0" and root.get("errors") == "2", root.attrib
errors = [c.find("error") for c in root.iter("testcase")]
assert all(e is not None and e.get("type") == "Unsupported" for e in errors)
assert "does not run calls of foreign (`extern`) functions yet" in errors[0].get("message")
print("ok")
"#;
    let check = Command::new("python3").arg("-c").arg(script).arg(&junit).output().expect("python3 runs");
    assert_eq!(text(&check.stdout).trim(), "ok", "{}", text(&check.stderr));
    validate_junit(&junit);
}

/// A test reads an empty standard input in both modes: compiled tests always did (they run with
/// `output()`), while `--interp` read `sev test`'s own stdin (here "hello", so the test failed;
/// at a terminal it waited for a line).
#[test]
fn a_test_reads_an_empty_stdin_in_both_modes() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("stdin_test.sirs.json");
    std::fs::write(&file, r#"{"program": {"functions": {"main": {"body": []},
  "test_stdin_is_empty": {"body": [{"expression": {"call": {"function": "assert", "args": [
    {"op": {"kind": "eq", "args": [{"call": {"function": "stdin_read_line"}}, {"enum": {"type": "Option", "variant": "None", "type_args": ["str"]}}]}}]}}}]}}}}"#).expect("written");
    for mode in [&[][..], &["--interp"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sev"))
            .arg("test")
            .args(mode)
            .arg(&file)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("sev runs");
        child.stdin.take().expect("stdin").write_all(b"hello\n").expect("written");
        let out = child.wait_with_output().expect("sev ends");
        assert_eq!(out.status.code(), Some(0), "{mode:?}:\n{}\n{}", text(&out.stdout), text(&out.stderr));
        assert!(text(&out.stdout).contains("test test_stdin_is_empty ... ok"), "{mode:?}: {}", text(&out.stdout));
    }
}

#[test]
fn a_junit_file_naming_a_test_source_is_refused_before_running() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let source = std::fs::read(case("failing.sirs.json")).expect("readable");
    let file = dir.path().join("failing.sirs.json");
    std::fs::write(&file, &source).expect("written");
    let path = file.display().to_string();
    for args in [vec!["test", path.as_str(), "--junit", path.as_str()], vec!["test", dir.path().to_str().expect("utf-8"), "--junit", path.as_str()]] {
        let out = sev(&args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains("--junit") && text(&out.stderr).contains("is the source file"), "{}", text(&out.stderr));
        assert!(!text(&out.stdout).contains("test test_"), "tests ran before the refusal:\n{}", text(&out.stdout));
        assert_eq!(std::fs::read(&file).expect("readable"), source, "the source was changed");
    }
}
