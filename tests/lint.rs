//! `sev lint`: one small program per rule under `tests/cases/lint/` (named after the rule),
//! snapshotted as its source followed by the diagnostics; the SARIF output validated against
//! the SARIF 2.1.0 schema; `--fix` round trips; levels, JSON output and exit statuses through
//! the binary.

use sev::diagnostic::render_all;
use sev::lint::{self, Config, Level};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cases_dir() -> PathBuf {
    root().join("tests").join("cases").join("lint")
}

fn case(rule: &str) -> PathBuf {
    cases_dir().join(format!("{}.sirs.json", rule.replace('-', "_")))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn lint_case(path: &Path, config: &Config) -> lint::Outcome {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    lint::lint_source(&file_name(path), &bytes, config)
}

#[test]
fn lint_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("cases/lint/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!("cases/lint/*.sirs.json", |path| {
            let outcome = lint_case(path, &Config::default());
            let source = std::fs::read_to_string(path).expect("readable");
            let rendered = render_all(&outcome.diagnostics, &outcome.file, false);
            insta::assert_snapshot!(format!("----- SOURCE\n{source}\n----- DIAGNOSTICS\n{rendered}"));
        });
    });
}

#[test]
fn every_rule_has_a_case_that_reports_it_and_nothing_else() {
    for rule in lint::RULES {
        let outcome = lint_case(&case(rule.name), &Config::default());
        assert!(!outcome.diagnostics.is_empty(), "{}: no finding", rule.name);
        for d in &outcome.diagnostics {
            assert_eq!(d.code, rule.code, "{}: also reports {} ({})", rule.name, d.code.as_str(), d.title);
            assert!(d.primary_span().is_some(), "{}: a finding without a span", rule.name);
        }
    }
}

#[test]
fn the_clean_case_has_no_findings() {
    // Exempt names, `output` lets, model parameters, `while true` with `break`, an unused loop
    // variable, a bounded scale and a non-centred hierarchy.
    let outcome = lint_case(&cases_dir().join("clean.sirs.json"), &Config::default());
    let codes: Vec<&str> = outcome.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.is_empty(), "{codes:?}");
}

#[test]
fn levels_turn_rules_off_or_into_errors() {
    let path = case("unused-variable");
    let mut allow = Config::default();
    allow.set("unused-variable", Level::Allow).expect("a known rule");
    assert!(lint_case(&path, &allow).diagnostics.is_empty());
    let mut deny = Config::default();
    deny.set("L0001", Level::Deny).expect("a known rule");
    assert!(lint_case(&path, &deny).diagnostics.iter().all(|d| d.is_error()));
    assert!(Config::default().set("no-such-rule", Level::Deny).is_err());
}

#[test]
fn the_wide_prior_rule_compares_with_the_data_when_given() {
    let path = case("wide-prior");
    // The prior scale is 10000: too wide for data of scale 1 even without data (> 1000) ...
    assert_eq!(lint_case(&path, &Config::default()).diagnostics.len(), 1);
    // ... and not for data whose values are in the thousands (10000 < 100 × 5000).
    let mut config = Config::default();
    config.data.insert("y".into(), vec![4000.0, 5000.0, 6000.0]);
    assert!(lint_case(&path, &config).diagnostics.is_empty());
}

// ----- Through the binary --------------------------------------------------------------------

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev")).args(args).env("NO_COLOR", "1").output().expect("the sev binary starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn warnings_exit_0_and_deny_exits_1() {
    let path = case("shadowing");
    let out = sev(&["lint", path_str(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("warning[L0004]"), "{}", text(&out.stderr));
    let out = sev(&["lint", "--deny", "shadowing", path_str(&path)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[L0004]"), "{}", text(&out.stderr));
    let out = sev(&["lint", "-A", "all", path_str(&path)]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let out = sev(&["lint", "--deny", "no-such-rule", path_str(&path)]);
    assert_eq!(out.status.code(), Some(2));
    let out = sev(&["lint", "-A", "all", "-D", "L0004", path_str(&path), path_str(&case("unused-variable"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!text(&out.stderr).contains("L0001"), "{}", text(&out.stderr));
    let list = sev(&["lint", "--list"]);
    assert_eq!(list.status.code(), Some(0));
    assert_eq!(text(&list.stdout).lines().count(), lint::RULES.len());
}

#[test]
fn a_program_with_errors_reports_them_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.sirs.json");
    std::fs::write(&path, r#"{"program": {"entry": "main", "functions": {"main": {"args": [], "return": "void", "body": [{"return": {"var": "nope"}}]}}}}"#).expect("written");
    let out = sev(&["lint", path_str(&path)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[E0201]"), "{}", text(&out.stderr));
}

#[test]
fn json_output_has_the_shape_of_check() {
    let out = sev(&["lint", "--format", "json", path_str(&case("float-equality"))]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "L0007");
    assert_eq!(d["severity"], "warning");
    assert!(d["labels"][0]["line"].as_u64().is_some_and(|l| l > 1), "{d}");
}

#[test]
fn fix_repairs_what_is_mechanical_and_the_result_lints_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    for rule in ["unused-variable", "unused-parameter", "unreachable-code", "self-assignment", "unconstrained-scale"] {
        let source = case(rule);
        let target = dir.path().join(file_name(&source));
        std::fs::copy(&source, &target).expect("copied");
        let out = sev(&["lint", "--fix", path_str(&target)]);
        assert_eq!(out.status.code(), Some(0), "{rule}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("applied"), "{rule}: {}", text(&out.stderr));
        let again = sev(&["lint", path_str(&target)]);
        assert!(again.stderr.is_empty(), "{rule}: still reports after --fix:\n{}", text(&again.stderr));
        let check = sev(&["check", path_str(&target)]);
        assert_eq!(check.status.code(), Some(0), "{rule}: the fixed program does not check:\n{}", text(&check.stderr));
    }
}

#[test]
fn fix_leaves_a_file_without_mechanical_fixes_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = case("float-equality");
    let target = dir.path().join(file_name(&source));
    std::fs::copy(&source, &target).expect("copied");
    let out = sev(&["lint", "--fix", path_str(&target)]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(&target).expect("readable"), std::fs::read(&source).expect("readable"));
}

/// Renaming an unused `x` to `_x` is offered only when `_x` is free in the function: with a
/// `_x` read later, the rename used to capture that read (the program printed 1 instead of 5),
/// and with a parameter `_a` beside an unused `a` it made the parameter list invalid (E0111).
/// The findings stay, without a fix, and `--fix` leaves such a file as it was.
#[test]
fn fix_does_not_rename_onto_a_name_the_function_already_uses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let captured = r#"{"program": {"functions": {"main": {"args": [], "return": "void", "body": [
  {"let": {"name": "_x", "value": {"literal": 5}}},
  {"let": {"name": "x", "value": {"literal": 1}}},
  {"expression": {"call": {"function": "print", "args": [{"var": "_x"}]}}}]}}}}"#;
    let clashing = r#"{"program": {"functions": {
  "f": {"args": [{"name": "a", "type": "i64"}, {"name": "_a", "type": "i64"}], "return": "i64", "body": [{"return": {"var": "_a"}}]},
  "main": {"args": [], "return": "void", "body": [{"expression": {"call": {"function": "print", "args": [{"call": {"function": "f", "args": [{"literal": 1}, {"literal": 5}]}}]}}}]}}}}"#;
    for (name, source, code) in [("captured", captured, "L0001"), ("clashing", clashing, "L0003")] {
        let target = dir.path().join(format!("{name}.sirs.json"));
        std::fs::write(&target, source).expect("written");
        let out = sev(&["lint", "--fix", path_str(&target)]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains(&format!("warning[{code}]")), "{name}: the finding is still reported:\n{stderr}");
        assert!(!stderr.contains("can repair this"), "{name}: no fix is offered:\n{stderr}");
        assert_eq!(std::fs::read_to_string(&target).expect("readable"), source, "{name}: --fix changed the file");
        let run = sev(&["run", "--interp", path_str(&target)]);
        assert_eq!((run.status.code(), text(&run.stdout)), (Some(0), "5\n".to_string()), "{name}: {}", text(&run.stderr));
    }
}

// ----- SARIF ---------------------------------------------------------------------------------

/// The npm package that ships the OASIS SARIF 2.1.0 schema (MIT licensed), and the file in it.
const SCHEMA_PACKAGE: &str = "@microsoft/jest-sarif@1.0.0-beta.0";
const SCHEMA_FILE: &str = "package/lib/schemas/sarif-2.1.0-rtm.5.json";

/// The SARIF 2.1.0 schema: `SEV_SARIF_SCHEMA` if set, else fetched once from the npm registry
/// with `npm pack` into `target/` (not kept in the repository).
fn sarif_schema() -> serde_json::Value {
    let path = match std::env::var_os("SEV_SARIF_SCHEMA") {
        Some(p) => PathBuf::from(p),
        None => fetched_schema(),
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read the SARIF schema {}: {e}", path.display()));
    // One pattern (of `language`) has a lone `]`, a literal in the ECMA-262 regexes JSON Schema
    // uses but an error for the Rust validator; escaping it keeps its meaning.
    let text = text.replace(r#"{2}-[a-zA-Z]{2}]?$"#, r#"{2}-[a-zA-Z]{2}\\]?$"#);
    serde_json::from_str(&text).expect("the SARIF schema is JSON")
}

fn fetched_schema() -> PathBuf {
    let dir = root().join("target").join("sarif-schema");
    let schema = dir.join(SCHEMA_FILE);
    if schema.exists() {
        return schema;
    }
    std::fs::create_dir_all(&dir).expect("target/sarif-schema can be made");
    let pack = Command::new("npm").args(["pack", "--silent", SCHEMA_PACKAGE]).current_dir(&dir).output();
    let pack = pack.unwrap_or_else(|e| panic!("the SARIF test needs npm (or SEV_SARIF_SCHEMA) to get the schema: {e}"));
    assert!(pack.status.success(), "npm pack {SCHEMA_PACKAGE} failed: {}", text(&pack.stderr));
    let tarball = text(&pack.stdout).trim().to_string();
    let untar = Command::new("tar").args(["xzf", &tarball, SCHEMA_FILE]).current_dir(&dir).status().expect("tar runs");
    assert!(untar.success() && schema.exists(), "{SCHEMA_FILE} is not in {tarball}");
    schema
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let schema = sarif_schema();
    let validator = jsonschema::draft4::new(&schema).unwrap_or_else(|e| panic!("the SARIF schema does not compile: {e}"));
    let paths: Vec<PathBuf> = lint::RULES.iter().map(|r| case(r.name)).collect();
    let mut args = vec!["lint", "--format", "sarif", "--deny", "shadowing"];
    args.extend(paths.iter().map(|p| path_str(p)));
    let out = sev(&args);
    assert_eq!(out.status.code(), Some(1), "a denied finding makes the exit status 1");
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| format!("at {}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The schema accepts a log with no results; check that the content is really there.
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().map(Vec::len), Some(lint::RULES.len()));
    let results = run["results"].as_array().expect("results");
    for rule in lint::RULES {
        assert!(results.iter().any(|r| r["ruleId"] == rule.code.as_str()), "no result for {}", rule.code.as_str());
    }
    let shadowing = results.iter().find(|r| r["ruleId"] == "L0004").expect("a shadowing result");
    assert_eq!(shadowing["level"], "error");
    let region = &shadowing["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].as_u64().is_some_and(|l| l > 1) && region["startColumn"].as_u64().is_some_and(|c| c > 1), "{region}");
    // A schema violation is caught (the validator is not vacuous).
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
}

// ----- Documentation -------------------------------------------------------------------------

fn cli_doc() -> String {
    std::fs::read_to_string(root().join("docs").join("cli.md")).expect("docs/cli.md readable")
}

/// The fenced block that follows `<!-- lint-example: WHICH -->` in `docs/cli.md`.
fn doc_block(which: &str) -> String {
    let doc = cli_doc();
    let marker = format!("<!-- lint-example: {which} -->\n");
    let start = doc.find(&marker).unwrap_or_else(|| panic!("docs/cli.md has no {which} example")) + marker.len();
    let body = doc[start..].find('\n').expect("a fence line") + start + 1;
    let end = doc[body..].find("```").expect("the block closes") + body;
    doc[body..end].to_string()
}

#[test]
fn the_example_in_the_cli_documentation_is_what_lint_prints() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("model.sirs.json"), doc_block("input")).expect("written");
    let out = Command::new(env!("CARGO_BIN_EXE_sev")).args(["lint", "model.sirs.json"]).current_dir(dir.path()).env("NO_COLOR", "1").output().expect("sev runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), doc_block("output"));
    let fixed = Command::new(env!("CARGO_BIN_EXE_sev")).args(["lint", "--fix", "model.sirs.json"]).current_dir(dir.path()).output().expect("sev runs");
    assert_eq!(text(&fixed.stderr), "model.sirs.json: applied 2 fixes\n");
    let text_after = std::fs::read_to_string(dir.path().join("model.sirs.json")).expect("readable");
    assert!(text_after.contains(r#""name": "_n""#) && text_after.contains(r#""lower": {"literal": 0.0}"#), "{text_after}");
}

#[test]
fn the_documented_rule_table_lists_every_rule() {
    let doc = cli_doc();
    let table = &doc[doc.find("<!-- lint-rules -->").expect("the rule table")..];
    for rule in lint::RULES {
        assert!(table.contains(&format!("| {} | `{}` |", rule.code.as_str(), rule.name)), "docs/cli.md lacks {}", rule.code.as_str());
    }
}

#[test]
fn data_given_on_the_command_line_sets_the_scale_of_the_wide_prior_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wide = dir.path().join("wide.json");
    std::fs::write(&wide, r#"{"y": [4000, 5000.5, 6000]}"#).expect("written");
    let out = sev(&["lint", "--data", path_str(&wide), path_str(&case("wide-prior"))]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let narrow = dir.path().join("narrow.json");
    std::fs::write(&narrow, r#"{"y": [0.5, 1.5]}"#).expect("written");
    let out = sev(&["lint", "--data", path_str(&narrow), path_str(&case("wide-prior"))]);
    assert!(text(&out.stderr).contains("the observed data's scale is about 1"), "{}", text(&out.stderr));
    let out = sev(&["lint", "--data", path_str(&dir.path().join("missing.json")), path_str(&case("wide-prior"))]);
    assert_eq!(out.status.code(), Some(3));
}

/// What the rules say about the examples, one line per finding: a guard against false
/// positives on real programs (each line was reviewed when the snapshot was taken).
#[test]
fn findings_on_the_examples() {
    let mut files = Vec::new();
    for dir in [root().join("examples"), root().join("examples").join("posteriordb")] {
        for entry in std::fs::read_dir(&dir).expect("examples readable").flatten() {
            if entry.path().to_string_lossy().ends_with(".sirs.json") {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    let mut lines = Vec::new();
    for path in &files {
        let outcome = lint_case(path, &Config::default());
        for d in &outcome.diagnostics {
            let (line, column) = outcome.file.line_col(d.primary_span().map_or(0, |s| s.start));
            lines.push(format!("{}:{line}:{column} {} {}", file_name(path), d.code.as_str(), d.title));
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn a_config_file_sets_levels_and_flags_override_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("sev.json");
    std::fs::write(&config, r#"{"lint": {"shadowing": "deny", "L0001": "allow"}}"#).expect("written");
    let files = [case("shadowing"), case("unused-variable")];
    let out = sev(&["lint", "--config", path_str(&config), path_str(&files[0]), path_str(&files[1])]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[L0004]") && !stderr.contains("L0001"), "{stderr}");
    let out = sev(&["lint", "--config", path_str(&config), "--warn", "shadowing", path_str(&files[0])]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("warning[L0004]"), "{}", text(&out.stderr));
    std::fs::write(&config, r#"{"lint": {"shadowing": "loud"}}"#).expect("written");
    let out = sev(&["lint", "--config", path_str(&config), path_str(&files[0])]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("must be \"allow\", \"warn\" or \"deny\""), "{}", text(&out.stderr));
}
