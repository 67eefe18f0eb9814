//! `sev test PATHS`: for each SIRS file (folders searched recursively), builds its test build
//! once (`driver::compile_tests`) and runs it once per test function (the test's name as the
//! argument); prints one line per test, the failures' messages and a final `N passed, N
//! failed`, and writes JUnit XML on request (a `testsuite` per file). A file with errors is
//! reported and the others still run. Exit status: 1 when a test fails or a program has
//! errors, 3 when a file cannot be read or written or Zig is missing.
//!
//! With `--interp` the test build is compiled to CIR only and each test runs in the CIR
//! interpreter (`crate::interp`) on a thread of its own, giving the same lines, messages and
//! exit status without Zig. A test that reaches a construct the interpreter does not run yet
//! fails with the interpreter's refusal (which names the construct and its location), written
//! to JUnit as an `error` of type `Unsupported` rather than a `failure`.

use super::{EXIT_ENVIRONMENT, EXIT_ERRORS, EXIT_INTERNAL, report};
use crate::cli::Format;
use crate::cli::test_args::TestArgs;
use crate::diagnostic::Code;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The outcome of one test.
pub struct TestResult {
    pub name: String,
    pub passed: bool,
    /// What the test wrote on stderr (a failure's message and location).
    pub message: String,
    pub time: Duration,
    /// The interpreter refused a construct the test reaches: the test did not run to the end.
    pub refused: bool,
}

/// The tests of one file, run.
pub struct Suite {
    pub file: String,
    pub results: Vec<TestResult>,
}

/// Why a file's tests could not run: an exit status already explained, and whether the
/// remaining files can still be tried.
struct Stop {
    status: u8,
    fatal: Option<ExitCode>,
}

pub fn run(args: &TestArgs) -> ExitCode {
    let files = match super::sirs_files(&args.paths) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("error[{}]: {message}", Code::E0009.as_str());
            return ExitCode::from(EXIT_ENVIRONMENT);
        }
    };
    if let Some(junit) = &args.junit {
        let sources: Vec<(&str, &Path)> = files.iter().map(|f| ("source file", f.as_path())).collect();
        if let Err(code) = super::output_guard::refuse_input_as_output("--junit", junit, &sources) {
            return code;
        }
    }
    let mut status = 0u8;
    let mut suites = Vec::new();
    for file in &files {
        if files.len() > 1 {
            println!("running {}", file.display());
        }
        match run_file(file, args.filter.as_deref(), args.interp) {
            Ok(suite) => suites.push(suite),
            Err(Stop { fatal: Some(code), .. }) => return code,
            Err(Stop { status: s, .. }) => status = status.max(s),
        }
    }
    let results: Vec<&TestResult> = suites.iter().flat_map(|s| &s.results).collect();
    let failed = results.iter().filter(|r| !r.passed).count();
    print_failures(&results);
    println!("{} passed, {failed} failed", results.len() - failed);
    if let Some(path) = &args.junit
        && let Err(e) = std::fs::write(path, junit(&suites))
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(EXIT_ENVIRONMENT);
    }
    if failed > 0 {
        status = status.max(EXIT_ERRORS);
    }
    ExitCode::from(status)
}

/// Compiles the tests of one file, then builds and runs them, or interprets them.
fn run_file(path: &Path, filter: Option<&str>, interp: bool) -> Result<Suite, Stop> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        eprintln!("error[{}]: Cannot read {name}: {e}", Code::E0009.as_str());
        Stop { status: EXIT_ENVIRONMENT, fatal: None }
    })?;
    let compilation = crate::driver::compile_tests(&name, &bytes, crate::driver::Options { emit_zig: !interp });
    report(&compilation, Format::Human);
    if compilation.has_errors() {
        let internal = compilation.diagnostics.iter().any(|d| d.code == Code::E0900);
        return Err(Stop { status: if internal { EXIT_INTERNAL } else { EXIT_ERRORS }, fatal: None });
    }
    let tests = selected_tests(&bytes, &name, filter);
    if interp {
        return interpret_file(compilation, name, &tests);
    }
    let dir = tempfile::Builder::new().prefix("sev-test-").tempdir().map_err(|e| {
        eprintln!("error: cannot create a temporary directory: {e}");
        Stop { status: EXIT_ENVIRONMENT, fatal: Some(ExitCode::from(EXIT_ENVIRONMENT)) }
    })?;
    let exe = dir.path().join("tests");
    // A build failure (Zig missing, or a compiler bug) would fail every file the same way.
    super::build::build_binary(&compilation, false, &exe).map_err(|code| Stop { status: EXIT_ENVIRONMENT, fatal: Some(code) })?;
    let results = tests.iter().map(|t| run_one(&exe, t)).collect();
    Ok(Suite { file: name, results })
}

/// Runs each test of a compiled test build with the interpreter.
fn interpret_file(compilation: crate::driver::Compilation, name: String, tests: &[String]) -> Result<Suite, Stop> {
    let Some(program) = compilation.cir else {
        eprintln!("error: internal: the test build compiled without CIR");
        return Err(Stop { status: EXIT_INTERNAL, fatal: None });
    };
    super::infer_sampler::install();
    let results = tests.iter().map(|t| interpret_one(&program, t)).collect();
    Ok(Suite { file: name, results })
}

fn interpret_one(program: &crate::cir::Program, test: &str) -> TestResult {
    let start = Instant::now();
    // As a compiled test (run with `output()`), the test reads an empty standard input.
    let outcome = crate::interp::run_on_own_thread_with_stdin(program.clone(), vec![test.to_string()], Vec::new());
    let time = start.elapsed();
    let (passed, message, refused) = match outcome {
        Ok(o) => (o.status == 0, interpreted_message(&o), o.unsupported.is_some()),
        Err(e) => (false, format!("error: internal: {e}"), false),
    };
    println!("test {test} ... {}", if passed { "ok" } else { "FAILED" });
    TestResult { name: test.to_string(), passed, message, time, refused }
}

/// What an interpreted test wrote on stderr, as [`failure_message`] words a compiled one.
fn interpreted_message(outcome: &crate::interp::Outcome) -> String {
    let stderr = String::from_utf8_lossy(&outcome.stderr).trim_end().to_string();
    if outcome.status == 0 || !stderr.is_empty() {
        return stderr;
    }
    format!("the test exited with status {}", outcome.status)
}

/// The test functions of the program whose names contain `filter`.
fn selected_tests(bytes: &[u8], name: &str, filter: Option<&str>) -> Vec<String> {
    let read = crate::syntax::read(name, bytes);
    let all = read.program.map(|p| crate::testing::test_functions(&p)).unwrap_or_default();
    all.into_iter().filter(|t| filter.is_none_or(|f| t.contains(f))).collect()
}

fn run_one(exe: &Path, test: &str) -> TestResult {
    let start = Instant::now();
    let output = std::process::Command::new(exe).arg(test).output();
    let time = start.elapsed();
    let (passed, message) = match output {
        Ok(o) => (o.status.success(), failure_message(&o)),
        Err(e) => (false, format!("cannot run the test build: {e}")),
    };
    println!("test {test} ... {}", if passed { "ok" } else { "FAILED" });
    TestResult { name: test.to_string(), passed, message, time, refused: false }
}

fn failure_message(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).trim_end().to_string();
    if output.status.success() || !stderr.is_empty() {
        return stderr;
    }
    match output.status.code() {
        Some(code) => format!("the test exited with status {code}"),
        None => "the test was killed by a signal".to_string(),
    }
}

fn print_failures(results: &[&TestResult]) {
    for r in results.iter().filter(|r| !r.passed) {
        println!("\n---- {} ----\n{}", r.name, r.message);
    }
    if results.iter().any(|r| !r.passed) {
        println!();
    }
}

/// The results as a JUnit XML document: one `testsuite` per file.
pub fn junit(suites: &[Suite]) -> String {
    let all: Vec<&TestResult> = suites.iter().flat_map(|s| &s.results).collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3}\">\n",
        all.len(),
        failures(&all),
        errors(&all),
        seconds(&all)
    ));
    for suite in suites {
        let results: Vec<&TestResult> = suite.results.iter().collect();
        let file = crate::doc::html::escape(&suite.file);
        out.push_str(&format!(
            "  <testsuite name=\"{file}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{:.3}\">\n",
            results.len(),
            failures(&results),
            errors(&results),
            seconds(&results)
        ));
        for r in results {
            out.push_str(&testcase(&file, r));
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Tests that ran to a failure (JUnit `failure`).
fn failures(results: &[&TestResult]) -> usize {
    results.iter().filter(|r| !r.passed && !r.refused).count()
}

/// Tests the interpreter refused to run to the end (JUnit `error`).
fn errors(results: &[&TestResult]) -> usize {
    results.iter().filter(|r| r.refused).count()
}

fn seconds(results: &[&TestResult]) -> f64 {
    results.iter().map(|r| r.time.as_secs_f64()).sum()
}

fn testcase(file: &str, r: &TestResult) -> String {
    let head = format!("    <testcase name=\"{}\" classname=\"{file}\" time=\"{:.3}\"", crate::doc::html::escape(&r.name), r.time.as_secs_f64());
    if r.passed {
        return format!("{head}/>\n");
    }
    let first = r.message.lines().next().unwrap_or("failed");
    let (element, kind) = if r.refused {
        ("error", "Unsupported")
    } else if r.message.contains(crate::testing::ASSERTION_ERROR) {
        ("failure", "AssertionFailed")
    } else {
        ("failure", "Fault")
    };
    format!("{head}>\n      <{element} message=\"{}\" type=\"{kind}\">{}</{element}>\n    </testcase>\n", crate::doc::html::escape(first), crate::doc::html::escape(&r.message))
}

