//! Snapshot tests of the diagnostics: one small SIRS file per behaviour under
//! `tests/cases/diagnostics/`, compiled in memory with `sev::driver::compile` and rendered
//! without colour. Each snapshot holds the source and the rendered diagnostics, so a reviewer
//! can judge the span and the wording without opening the case file.
//!
//! Besides the snapshots, two guards keep the suite honest: every stable code (except those
//! listed in [`NOT_COVERED`], each with its reason) must appear in at least one case's output, so
//! a new code without a case fails here; and a few cases are checked in the `--format json`
//! shape (`Diagnostic::to_json`).

use sev::diagnostic::{Code, Severity, render_all};
use sev::driver::{self, Compilation, Options};
use std::path::{Path, PathBuf};

/// Codes no case produces, and why.
const NOT_COVERED: &[(Code, &str)] = &[
    (Code::E0900, "internal compiler error: only a bug in sev produces it"),
    (Code::E0009, "unreadable file: the driver gets bytes, so tests/cli.rs covers it"),
    (Code::W0004, "reported by `sev test` only (driver::compile_tests), so tests/sev_test.rs covers it"),
    (Code::E0351, "reported by `sev build --verbose` only, so tests/adjoint.rs covers it"),
    (Code::E0333, "every discrete draw the compiler sees is now summed out or Gibbs-updated; a model binary reports it when a `bool` draw's support read from the data is too large to sum out (integer ones are Gibbs-updated), so tests/ppl_discrete.rs covers it"),
    (Code::E0338, "reported by a model binary sampled with ADVI, Pathfinder or SMC, so tests/ppl_gibbs.rs covers it"),
    (Code::E0611, "a `sev debug` command problem, so tests/debug.rs covers it"),
    (Code::E0612, "a `sev debug` command problem, so tests/debug.rs covers it"),
    (Code::E0613, "a `sev debug` command problem, so tests/debug.rs covers it"),
    (Code::E0614, "a `sev debug` command problem, so tests/debug.rs covers it"),
    (Code::E0615, "a `sev debug` command problem, so tests/debug.rs covers it"),
    (Code::E0616, "a `sev debug` command problem, so tests/debug.rs covers it"),
    (Code::E0617, "a `sev debug` command problem, so tests/debug.rs covers it"),
    // `sev repl` (tests/repl.rs covers each).
    (Code::E0601, "a REPL short-syntax mistake: reported by `sev repl` only"),
    (Code::E0602, "a REPL command mistake: reported by `sev repl` only"),
    (Code::E0603, "a REPL binding of a trait object: reported by `sev repl` only"),
    (Code::E0604, "a runtime fault at the REPL: reported by `sev repl` only"),
    (Code::E0605, "a REPL definition with a reserved name: reported by `sev repl` only"),
    (Code::E0606, "an unreadable `:load` file: reported by `sev repl` only"),
    (Code::E0607, "a REPL type redefinition under live bindings: reported by `sev repl` only"),
    // `sev build --lib` (tests/serve_detector.rs covers each).
    (Code::E0701, "a detector library problem: reported by `sev build --lib` only"),
    (Code::E0702, "a detector library problem: reported by `sev build --lib` only"),
    (Code::E0703, "a detector library problem: reported by `sev build --lib` only"),
    (Code::E0704, "a detector library problem: reported by `sev build --lib` only"),
];

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("cases").join("diagnostics")
}

fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/cases/diagnostics exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".sirs.json"))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Compiles a case under its bare file name, so snapshots do not depend on where the checkout is.
fn compile_case(path: &Path) -> (Vec<u8>, Compilation) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let compilation = driver::compile(&file_name(path), &bytes, Options::default());
    (bytes, compilation)
}

fn snapshot_text(bytes: &[u8], c: &Compilation) -> String {
    let source = String::from_utf8_lossy(bytes);
    let rendered = render_all(&c.diagnostics, &c.file, false);
    format!("----- SOURCE\n{source}\n----- DIAGNOSTICS\n{rendered}")
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("cases/diagnostics/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

#[test]
fn diagnostics() {
    snapshot_settings().bind(|| {
        insta::glob!("cases/diagnostics/*.sirs.json", |path| {
            let (bytes, c) = compile_case(path);
            assert!(!c.diagnostics.is_empty(), "{}: a diagnostics case must produce a diagnostic", file_name(path));
            assert!(
                c.diagnostics.iter().all(|d| d.code != Code::E0900),
                "{}: internal compiler error:\n{}",
                file_name(path),
                render_all(&c.diagnostics, &c.file, false)
            );
            insta::assert_snapshot!(snapshot_text(&bytes, &c));
        });
    });
}

#[test]
fn there_are_enough_cases() {
    let n = case_files().len();
    assert!(n >= 45, "only {n} diagnostics cases");
}

#[test]
fn every_code_appears_in_some_snapshot() {
    let mut outputs = String::new();
    for path in case_files() {
        let (_, c) = compile_case(&path);
        outputs.push_str(&render_all(&c.diagnostics, &c.file, false));
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| !NOT_COVERED.iter().any(|(c, _)| c == *code))
        // Lint codes come from `sev lint`, not from compiling; tests/lint.rs has a case per rule.
        .filter(|code| !sev::lint::RULES.iter().any(|r| r.code == **code))
        .filter(|code| {
            let tag = match code.severity() {
                Severity::Error => format!("error[{}]", code.as_str()),
                Severity::Warning => format!("warning[{}]", code.as_str()),
            };
            !outputs.contains(&tag)
        })
        .map(|code| code.as_str())
        .collect();
    assert!(missing.is_empty(), "no case in tests/cases/diagnostics produces: {}", missing.join(", "));
}

#[test]
fn excluded_codes_are_really_not_produced_by_the_cases() {
    // If a case starts producing an excluded code, the exclusion list is stale and should shrink.
    for path in case_files() {
        let (_, c) = compile_case(&path);
        for d in &c.diagnostics {
            assert!(
                !NOT_COVERED.iter().any(|(code, _)| *code == d.code),
                "{} produces {}, which NOT_COVERED lists as having no case",
                file_name(&path),
                d.code.as_str()
            );
        }
    }
}

#[test]
fn the_checker_reports_every_error_of_a_file_in_one_run() {
    let (_, c) = compile_case(&cases_dir().join("multiple_type_errors_in_one_file.sirs.json"));
    let codes: Vec<&str> = c.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes.len(), 4, "{codes:?}");
    for code in ["E0201", "E0301", "E0306"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let (_, c) = compile_case(&cases_dir().join("multiple_shape_errors_in_one_file.sirs.json"));
    let mut codes: Vec<&str> = c.diagnostics.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["E0101", "E0104", "E0105", "E0107"]);
}

#[test]
fn warnings_alone_do_not_fail_a_compilation() {
    for name in ["unreachable_match_arm", "unreachable_code_after_return", "unreachable_code_after_break"] {
        let (_, c) = compile_case(&cases_dir().join(format!("{name}.sirs.json")));
        assert!(!c.has_errors(), "{name} has errors");
        assert!(c.diagnostics.iter().all(|d| d.severity == Severity::Warning), "{name}");
        assert!(c.cir.is_some(), "{name}: a program with only warnings is lowered");
    }
}

/// The `--format json` form of a few cases: one object per diagnostic with a stable shape, and
/// label positions that agree with the byte spans.
#[test]
fn json_form_of_selected_cases() {
    let cases = ["assign_to_immutable", "unknown_key_with_suggestion", "empty_file", "warnings_with_an_error"];
    for name in cases {
        let (_, c) = compile_case(&cases_dir().join(format!("{name}.sirs.json")));
        let items: Vec<serde_json::Value> = c.diagnostics.iter().map(|d| d.to_json(&c.file)).collect();
        for (d, json) in c.diagnostics.iter().zip(&items) {
            assert_eq!(json["code"], d.code.as_str(), "{name}");
            assert_eq!(json["severity"], if d.is_error() { "error" } else { "warning" }, "{name}");
            assert_eq!(json["file"], format!("{name}.sirs.json"));
            assert!(json["title"].as_str().is_some_and(|t| !t.is_empty()), "{name}");
            assert!(json["notes"].is_array() && json["labels"].is_array(), "{name}");
            for (label, l) in json["labels"].as_array().into_iter().flatten().zip(&d.labels) {
                let (line, column) = c.file.line_col(l.span.start);
                assert_eq!(label["line"], line, "{name}");
                assert_eq!(label["column"], column, "{name}");
                assert_eq!(label["start"], l.span.start, "{name}");
                assert_eq!(label["end"], l.span.end, "{name}");
                assert!(label["line"].as_u64().is_some_and(|n| n >= 1) && label["column"].as_u64().is_some_and(|n| n >= 1));
            }
        }
        let doc = serde_json::json!({ "file": c.file.name, "diagnostics": items });
        let text = serde_json::to_string_pretty(&doc).expect("serialisable");
        snapshot_settings().bind(|| insta::assert_snapshot!(format!("json@{name}"), text));
    }
}

#[test]
fn json_labels_of_assign_to_immutable_point_at_the_assignment_and_the_declaration() {
    let (_, c) = compile_case(&cases_dir().join("assign_to_immutable.sirs.json"));
    let json = c.diagnostics[0].to_json(&c.file);
    assert_eq!(json["code"], "E0304");
    let labels = json["labels"].as_array().expect("labels");
    let primary = labels.iter().find(|l| l["primary"] == true).expect("a primary label");
    let secondary = labels.iter().find(|l| l["primary"] == false).expect("a secondary label");
    assert_eq!((primary["line"].as_u64(), primary["column"].as_u64()), (Some(3), Some(25)));
    assert_eq!((secondary["line"].as_u64(), secondary["column"].as_u64()), (Some(2), Some(20)));
    let start = primary["start"].as_u64().expect("start") as usize;
    let end = primary["end"].as_u64().expect("end") as usize;
    assert_eq!(&c.file.text[start..end], r#"{"var": "total"}"#);
}
