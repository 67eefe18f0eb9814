//! `sev fmt`: the layout is a fixed point that never changes meaning, and the command's
//! `--check`, in-place and `--stdin` modes behave as documented in `docs/cli.md`.
//!
//! Every SIRS file in the repository (examples, benchmark programs, codegen, diagnostic and
//! lint cases) that is valid JSON is formatted; the result must hold the same members (only
//! the keys of nodes move, into the canonical order), read back to the same AST (spans aside)
//! with the same parse problems — so no map's order changed — and formatting it again must not
//! change a byte. Files that are not valid JSON must be refused.

use sev::fmt::{self, Formatted};
use sev::syntax::json::{self, Json, JsonKind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sirs_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("folder readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sirs_files_under(&path, out);
        } else if path.to_string_lossy().ends_with(".sirs.json") {
            out.push(path);
        }
    }
}

fn repository_programs() -> Vec<PathBuf> {
    let mut files = Vec::new();
    sirs_files_under(&root().join("examples"), &mut files);
    sirs_files_under(&root().join("tests"), &mut files);
    files.sort();
    files
}

/// Whether two JSON trees are equal apart from their spans.
fn same_json(a: &Json, b: &Json) -> bool {
    match (&a.kind, &b.kind) {
        (JsonKind::Array(x), JsonKind::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b)),
        (JsonKind::Object(x), JsonKind::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| a.key == b.key && same_json(&a.value, &b.value))
        }
        (x, y) => x == y,
    }
}

/// Whether two JSON trees hold the same members, in any key order (arrays stay ordered).
fn same_members(a: &Json, b: &Json) -> bool {
    match (&a.kind, &b.kind) {
        (JsonKind::Array(x), JsonKind::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_members(a, b)),
        (JsonKind::Object(x), JsonKind::Object(y)) => {
            x.len() == y.len() && x.iter().all(|m| y.iter().any(|n| n.key == m.key && same_members(&m.value, &n.value)))
        }
        (x, y) => x == y,
    }
}

/// A `Debug` dump with every `Span { start: …, end: … }` replaced by `Span`.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(&rest[..at]);
        let close = rest[at..].find('}').expect("a span closes") + at;
        out.push_str("Span");
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The AST and the parse problems' codes, spans erased.
fn meaning(name: &str, text: &[u8]) -> (String, Vec<String>) {
    let read = sev::syntax::read(name, text);
    let codes = read.diagnostics.iter().map(|d| format!("{:?} {}", d.code, d.title)).collect();
    (without_spans(&format!("{:?}", read.program)), codes)
}

#[test]
fn every_program_in_the_repository_formats_to_a_fixed_point_with_the_same_meaning() {
    let files = repository_programs();
    assert!(files.len() > 150, "found only {} SIRS files", files.len());
    let mut formatted_count = 0;
    let mut refused = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).expect("readable");
        let text = match fmt::format(&name, &bytes) {
            Formatted::Text(text) => text,
            Formatted::Invalid(_, diagnostics) => {
                assert!(!diagnostics.is_empty(), "{name}: refused without a diagnostic");
                refused.push(name);
                continue;
            }
        };
        formatted_count += 1;
        let (before, _) = json::parse(std::str::from_utf8(&bytes).expect("UTF-8"));
        let (after, errors) = json::parse(&text);
        assert!(errors.is_empty(), "{name}: formatted text has JSON errors {errors:?}");
        let (before, after) = (before.expect("tree"), after.expect("tree"));
        assert!(same_members(&before, &after), "{name}: a member was lost or changed");
        assert!(same_json(&fmt::order::canonical(&before), &after), "{name}: the layout changed more than the key order");
        assert_eq!(meaning(&name, &bytes), meaning(&name, text.as_bytes()), "{name}: the AST changed");
        match fmt::format(&name, text.as_bytes()) {
            Formatted::Text(again) => assert_eq!(again, text, "{name}: formatting is not idempotent"),
            Formatted::Invalid(..) => panic!("{name}: the formatted text was refused"),
        }
    }
    // Only diagnostic cases are deliberately not JSON (comments, truncation, a byte order
    // mark, …); every other program formats.
    let stray: Vec<&String> = refused.iter().filter(|n| !n.contains("tests/cases/diagnostics/")).collect();
    assert!(stray.is_empty(), "refused outside the diagnostic cases: {stray:?}");
    assert!(formatted_count + 20 > files.len(), "only {formatted_count} of {} files formatted", files.len());
}

#[test]
fn a_naively_pretty_printed_example_becomes_compact() {
    let path = root().join("examples").join("centred_regression.sirs.json");
    let bytes = std::fs::read(&path).expect("readable");
    let Formatted::Text(text) = fmt::format("centred_regression.sirs.json", &bytes) else {
        panic!("the example is valid JSON");
    };
    assert!(text.len() * 10 < bytes.len() * 6, "{} bytes from {}", text.len(), bytes.len());
    // Only a string too long for any line (the `doc`) may run past the width.
    let wide: Vec<&str> = text.lines().filter(|l| l.chars().count() > fmt::WIDTH).collect();
    assert!(wide.iter().all(|l| l.trim_start().starts_with("\"doc\": \"")), "{wide:?}");
    insta::assert_snapshot!(text);
}

fn sev(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sev"));
    cmd.args(args).env("NO_COLOR", "1");
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("the sev binary starts");
    let input = child.stdin.take().expect("stdin piped");
    if let Some(bytes) = stdin {
        std::io::Write::write_all(&mut { input }, bytes).expect("stdin written");
    } else {
        drop(input);
    }
    child.wait_with_output().expect("sev finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const CANONICAL: &str = "{\"program\": {\"entry\": \"main\", \"functions\": {\"main\": {\"args\": [], \"return\": \"void\", \"body\": []}}}}\n";
const LOOSE: &str = "{ \"program\" : {\n\"entry\": \"main\",\n \"functions\": {\"main\": {\"args\": [], \"return\": \"void\", \"body\": []}}}}";

#[test]
fn check_lists_only_the_files_that_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.sirs.json"), CANONICAL).expect("written");
    std::fs::write(dir.path().join("loose.sirs.json"), LOOSE).expect("written");
    std::fs::write(dir.path().join("notes.json"), LOOSE).expect("written");
    let out = sev(&["fmt", "--check", dir.path().to_str().expect("UTF-8")], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let listed: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    assert_eq!(listed, vec![dir.path().join("loose.sirs.json").display().to_string()]);
    assert_eq!(std::fs::read_to_string(dir.path().join("loose.sirs.json")).expect("readable"), LOOSE);

    let out = sev(&["fmt", dir.path().to_str().expect("UTF-8")], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("loose.sirs.json")).expect("readable"), CANONICAL);
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.json")).expect("readable"), LOOSE, "not a SIRS file");

    let out = sev(&["fmt", "--check", dir.path().to_str().expect("UTF-8")], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty());
}

#[test]
fn invalid_json_gets_located_diagnostics_and_the_file_is_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.sirs.json");
    let broken = "{\"program\": {\"entry\": \"main\",}}";
    std::fs::write(&path, broken).expect("written");
    let out = sev(&["fmt", path.to_str().expect("UTF-8")], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E0"), "{stderr}");
    assert!(stderr.contains("broken.sirs.json:1:29"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), broken);
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let out = sev(&["fmt", "--stdin"], Some(LOOSE.as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), CANONICAL);
    let out = sev(&["fmt", "--stdin", "--check"], Some(CANONICAL.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
    let out = sev(&["fmt", "--stdin", "--check"], Some(LOOSE.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_missing_path_is_an_environment_error() {
    let out = sev(&["fmt", "/no/such/file.sirs.json"], None);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("/no/such/file.sirs.json does not exist"));
}

/// The fenced block that follows `<!-- fmt-example: WHICH -->` in `docs/cli.md`.
fn doc_example(which: &str) -> String {
    let doc = std::fs::read_to_string(root().join("docs").join("cli.md")).expect("docs/cli.md readable");
    let marker = format!("<!-- fmt-example: {which} -->\n```json\n");
    let start = doc.find(&marker).unwrap_or_else(|| panic!("docs/cli.md has no {which} example")) + marker.len();
    let end = doc[start..].find("```").expect("the block closes") + start;
    doc[start..end].to_string()
}

#[test]
fn the_example_in_the_cli_documentation_is_what_fmt_prints() {
    let out = sev(&["fmt", "--stdin"], Some(doc_example("input").as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), doc_example("output"));
}
