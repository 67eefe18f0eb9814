//! `sev test FILE`: builds the program's test build once (`driver::compile_tests`), runs it
//! once per test function (the test's name as the argument), prints one line per test, the
//! failures' messages and a final `N passed, N failed`, and writes JUnit XML on request.
//! Exit status: 1 when a test fails or the program has errors, 3 when a file cannot be read
//! or written or Zig is missing.

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
}

pub fn run(args: &TestArgs) -> ExitCode {
    let name = args.file.display().to_string();
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error[{}]: Cannot read {name}: {e}", Code::E0009.as_str());
            return ExitCode::from(EXIT_ENVIRONMENT);
        }
    };
    let compilation = crate::driver::compile_tests(&name, &bytes);
    report(&compilation, Format::Human);
    if compilation.has_errors() {
        let internal = compilation.diagnostics.iter().any(|d| d.code == Code::E0900);
        return ExitCode::from(if internal { EXIT_INTERNAL } else { EXIT_ERRORS });
    }
    let tests = selected_tests(&bytes, &name, args.filter.as_deref());
    let dir = match tempfile::Builder::new().prefix("sev-test-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot create a temporary directory: {e}");
            return ExitCode::from(EXIT_ENVIRONMENT);
        }
    };
    let exe = dir.path().join("tests");
    if let Err(code) = super::build::build_binary(&compilation, false, &exe) {
        return code;
    }
    let results: Vec<TestResult> = tests.iter().map(|t| run_one(&exe, t)).collect();
    let failed = results.iter().filter(|r| !r.passed).count();
    print_failures(&results);
    println!("{} passed, {failed} failed", results.len() - failed);
    if let Some(path) = &args.junit
        && let Err(e) = std::fs::write(path, junit(&name, &results))
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(EXIT_ENVIRONMENT);
    }
    ExitCode::from(if failed > 0 { EXIT_ERRORS } else { 0 })
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
    TestResult { name: test.to_string(), passed, message, time }
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

fn print_failures(results: &[TestResult]) {
    for r in results.iter().filter(|r| !r.passed) {
        println!("\n---- {} ----\n{}", r.name, r.message);
    }
    if results.iter().any(|r| !r.passed) {
        println!();
    }
}

/// The results as a JUnit XML document (one `testsuite` named after the file).
pub fn junit(file: &str, results: &[TestResult]) -> String {
    let failures = results.iter().filter(|r| !r.passed).count();
    let total: f64 = results.iter().map(|r| r.time.as_secs_f64()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<testsuites tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"{total:.3}\">\n", results.len()));
    out.push_str(&format!("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{total:.3}\">\n", xml(file), results.len()));
    for r in results {
        let head = format!("    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"", xml(&r.name), xml(file), r.time.as_secs_f64());
        if r.passed {
            out.push_str(&format!("{head}/>\n"));
        } else {
            let first = r.message.lines().next().unwrap_or("failed");
            let kind = if r.message.contains(crate::testing::ASSERTION_ERROR) { "AssertionFailed" } else { "Fault" };
            out.push_str(&format!("{head}>\n      <failure message=\"{}\" type=\"{kind}\">{}</failure>\n    </testcase>\n", xml(first), xml(&r.message)));
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text escaped for XML attributes and content; characters XML 1.0 forbids are dropped.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
