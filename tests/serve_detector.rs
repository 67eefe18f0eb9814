//! Detector libraries (`sev build --lib`) hosted by `sev::serve::detector`: detector 1 (bocpd)
//! built as a library gives exactly the command-line program's numbers on the same rows; a
//! state saved, loaded and fed on gives bit-identical results to one never saved; damaged
//! bytes and failing detectors are errors with a message; programs that break the convention
//! get located errors E0701–E0704.

mod serve_common;
mod support;

use serve_common::series;

use sev::serve::detector::{DetectorError, DetectorLib, Output};
use std::path::{Path, PathBuf};
use std::process::Command;

fn sev() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sev"));
    cmd.env("SEV_CACHE_DIR", support::cache_dir());
    cmd
}

/// `sev build [--lib] FILE -o OUT`; panics with sev's stderr if it fails.
fn build(file: &Path, out: &Path, lib: bool) {
    let mut cmd = sev();
    cmd.arg("build").arg(file).arg("-o").arg(out);
    if lib {
        cmd.arg("--lib");
    }
    let result = cmd.output().expect("sev runs");
    assert!(result.status.success(), "sev build failed: {}", String::from_utf8_lossy(&result.stderr));
}

fn bocpd() -> PathBuf {
    support::root().join("examples/anomaly/bocpd.sirs.json")
}


const START_MS: i64 = 1_704_067_200_000; // 2024-01-01T00:00:00Z

fn timestamp_ms(i: usize) -> i64 {
    START_MS + 300_000 * i as i64
}

fn csv(values: &[f64]) -> String {
    let mut out = String::from("timestamp,value\n");
    for (i, v) in values.iter().enumerate() {
        let minutes = 5 * i;
        let (day, hour, minute) = (1 + minutes / 1440, minutes / 60 % 24, minutes % 60);
        out.push_str(&format!("2024-01-{day:02} {hour:02}:{minute:02}:00,{v:.4}\n"));
    }
    out
}

/// The program's rows: (probability, lower, upper, run_length_mass).
fn program_rows(exe: &Path, values: &[f64], dir: &Path) -> Vec<[f64; 4]> {
    let file = dir.join("series.csv");
    std::fs::write(&file, csv(values)).expect("write series");
    let out = Command::new(exe).arg(&file).output().expect("bocpd runs");
    assert!(out.status.success(), "bocpd failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let columns = [at("anomaly_probability"), at("lower"), at("upper"), at("run_length_mass")];
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            columns.map(|c| cells[c].parse::<f64>().expect("a number"))
        })
        .collect()
}

fn bits(o: &Output) -> [u64; 5] {
    [o.probability, o.lower, o.upper, o.expected, o.confidence].map(f64::to_bits)
}

#[test]
fn bocpd_as_a_library_reports_what_the_program_prints_and_survives_save_and_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (lib_path, exe) = (dir.path().join("libbocpd.so"), dir.path().join("bocpd"));
    build(&bocpd(), &lib_path, true);
    build(&bocpd(), &exe, false);
    let values = series(16, 400);
    let expected = program_rows(&exe, &values, dir.path());
    assert_eq!(expected.len(), values.len());

    let lib = DetectorLib::open(&lib_path).expect("the library opens");
    let mut state = lib.new_state().expect("a state");
    let outputs: Vec<Output> = values.iter().enumerate().map(|(i, v)| state.update(timestamp_ms(i), *v).expect("update")).collect();
    for (i, (o, row)) in outputs.iter().zip(&expected).enumerate() {
        // The program prints the shortest decimal that reads back as the same double.
        assert_eq!([o.probability, o.lower, o.upper, o.confidence], *row, "row {i}");
        assert_eq!(o.expected, 0.5 * (o.lower + o.upper), "row {i}");
    }
    let alerts: Vec<usize> = outputs.iter().enumerate().filter(|(_, o)| o.probability > 0.5).map(|(i, _)| i).collect();
    assert!(alerts.first().is_some_and(|&i| (300..=302).contains(&i)), "the shift at row 300 is flagged: {alerts:?}");

    // Saved after 150 points and loaded into a fresh state, the detector goes on exactly.
    let mut first = lib.new_state().expect("a state");
    for (i, v) in values[..150].iter().enumerate() {
        first.update(timestamp_ms(i), *v).expect("update");
    }
    let bytes = first.save().expect("save");
    drop(first);
    let mut restored = lib.load_state(&bytes).expect("load");
    for (i, v) in values.iter().enumerate().skip(150) {
        let o = restored.update(timestamp_ms(i), *v).expect("update");
        assert_eq!(bits(&o), bits(&outputs[i]), "row {i} after save and load");
    }
    assert_eq!(restored.save().expect("save"), state.save().expect("save"), "the same state, byte for byte");

    // Damaged bytes are refused with a reason.
    let message = |e: DetectorError| e.to_string();
    assert!(message(lib.load_state(b"garbage").err().expect("refused")).contains("truncated"));
    assert!(message(lib.load_state(&[b'x'; 64]).err().expect("refused")).contains("SEVSTATE"));
    assert!(message(lib.load_state(&bytes[..bytes.len() - 3]).err().expect("refused")).contains("truncated"));
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(message(lib.load_state(&longer).err().expect("refused")).contains("after its end"));
}

/// A small detector with a state of every kind the serializer knows, and an exception.
const SMALL: &str = r#"{"program": {
  "types": {
    "State": {"record": {"fields": {"n": "i64", "sum": "f64", "tags": "[str]", "flags": "[bool]", "nested": "[[f64]]"}}},
    "Out": {"record": {"fields": {"probability": "f64", "lower": "f64", "upper": "f64", "expected": "f64", "confidence": "f64"}}}
  },
  "functions": {
    "detector_new": {"args": [], "return": "State", "body": [
      {"return": {"record": {"type": "State", "fields": {"n": {"literal": 0}, "sum": {"literal": 0.0}, "tags": {"array": [{"literal": "é"}]}, "flags": {"array": []}, "nested": {"array": []}}}}}]},
    "detector_update": {"args": [{"name": "d", "type": "State"}, {"name": "t", "type": "i64"}, {"name": "x", "type": "f64"}], "return": "State", "body": [
      {"if": {"condition": {"op": {"kind": "lt", "args": [{"var": "x"}, {"literal": 0.0}]}}, "then": [{"throw": {"literal": "negative value"}}]}},
      {"let": {"name": "flags", "value": {"field": {"object": {"var": "d"}, "field": "flags"}}, "mutable": true}},
      {"expression": {"call": {"function": "push", "args": [{"var": "flags"}, {"op": {"kind": "gt", "args": [{"var": "t"}, {"literal": 5}]}}]}}},
      {"return": {"update": {"value": {"var": "d"}, "fields": {"n": {"op": {"kind": "add", "args": [{"field": {"object": {"var": "d"}, "field": "n"}}, {"literal": 1}]}}, "sum": {"op": {"kind": "add", "args": [{"field": {"object": {"var": "d"}, "field": "sum"}}, {"var": "x"}]}}, "flags": {"var": "flags"}}}}}]},
    "detector_result": {"args": [{"name": "d", "type": "State"}], "return": "Out", "body": [
      {"let": {"name": "n", "value": {"cast": {"value": {"field": {"object": {"var": "d"}, "field": "n"}}, "type": "f64"}}}},
      {"return": {"record": {"type": "Out", "fields": {"probability": {"op": {"kind": "div", "args": [{"literal": 1.0}, {"op": {"kind": "add", "args": [{"var": "n"}, {"literal": 1.0}]}}]}}, "lower": {"literal": -1.0}, "upper": {"literal": 1.0}, "expected": {"field": {"object": {"var": "d"}, "field": "sum"}}, "confidence": {"var": "n"}}}}}]}
  }
}}"#;

#[test]
fn a_detector_without_main_keeps_every_kind_of_state_and_reports_its_exceptions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("small.sirs.json");
    std::fs::write(&source, SMALL).expect("write");
    let lib_path = dir.path().join("libsmall.so");
    build(&source, &lib_path, true);
    let lib = DetectorLib::open(&lib_path).expect("opens");
    let mut state = lib.new_state().expect("state");
    let o = state.update(10, 2.5).expect("update");
    assert_eq!((o.probability, o.expected, o.confidence), (0.5, 2.5, 1.0));
    let err = state.update(11, -1.0).expect_err("a negative value throws");
    assert!(err.to_string().contains("negative value"), "{err}");
    // The failed point left the state as it was.
    let o = state.update(3, 1.5).expect("update");
    assert_eq!((o.expected, o.confidence), (4.0, 2.0));
    let bytes = state.save().expect("save");
    let mut back = lib.load_state(&bytes).expect("load");
    assert_eq!(back.save().expect("save"), bytes);
    assert_eq!(back.update(4, 1.0).expect("update").expected, 5.0);
    // bocpd's state is another type: its bytes do not load here.
    let other = dir.path().join("libbocpd.so");
    build(&bocpd(), &other, true);
    let bocpd = DetectorLib::open(&other).expect("opens");
    let foreign = bocpd.new_state().expect("state").save().expect("save");
    let err = lib.load_state(&foreign).err().expect("refused");
    assert!(err.to_string().contains("another state type"), "{err}");
}

/// `sev build --lib --format json` on `source`: each error's code and the text its label points
/// at, preceded by the 20 bytes before it (so a label on a function's definition shows its name).
fn lib_errors(source: &str) -> Vec<(String, String)> {
    let source = source.to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bad.sirs.json");
    std::fs::write(&file, &source).expect("write");
    let out = sev().arg("build").arg("--lib").arg("--format").arg("json").arg(&file).arg("-o").arg(dir.path().join("libbad.so")).output().expect("sev runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            let label = &d["labels"][0];
            let (start, end) = (label["start"].as_u64().expect("start") as usize, label["end"].as_u64().expect("end") as usize);
            (d["code"].as_str().expect("code").to_string(), source[start.saturating_sub(20)..end.min(start + 20)].to_string())
        })
        .collect()
}

#[test]
fn programs_that_break_the_convention_get_located_errors() {
    let missing = r#"{"program": {"functions": {"f": {"args": [], "return": "i64", "body": [{"return": {"literal": 1}}]}}}}"#;
    let errors = lib_errors(missing);
    assert_eq!(errors.iter().filter(|(c, _)| c == "E0701").count(), 3, "{errors:?}");
    assert!(errors.iter().all(|(_, at)| at.ends_with(r#"{"program": {"functions""#)), "{errors:?}");

    let wrong_update = SMALL.replace(r#"{"name": "x", "type": "f64"}"#, r#"{"name": "x", "type": "f64"}, {"name": "_extra", "type": "bool"}"#);
    let errors = lib_errors(&wrong_update);
    assert_eq!(errors.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), ["E0702"], "{errors:?}");
    assert!(errors[0].1.contains(r#""detector_update": {"args""#), "the function's definition: {errors:?}");

    let unsaveable = SMALL.replace(r#""nested": "[[f64]]""#, r#""nested": "[Option<f64>]""#);
    let errors = lib_errors(&unsaveable);
    assert_eq!(errors.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), ["E0703"], "{errors:?}");
    assert!(errors[0].1.contains(r#""detector_new": {"args""#), "the function's definition: {errors:?}");

    let no_confidence = SMALL.replace(r#", "confidence": "f64"}"#, "}").replace(r#", "confidence": {"var": "n"}"#, "");
    let errors = lib_errors(&no_confidence);
    assert_eq!(errors.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), ["E0704"], "{errors:?}");
    assert!(errors[0].1.contains(r#""detector_result": {"args""#), "the function's definition: {errors:?}");
}
