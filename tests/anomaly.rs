//! The anomaly detectors of `examples/anomaly/` on small synthetic series written here (a
//! seeded generator, no external data): each change or spike must be flagged (anomaly
//! probability above 0.5) within a stated delay, a stationary series must raise no alert, the
//! detector must read standard input exactly as it reads a file, and a bad row must stop it with
//! a located error. The NAB runs are in the validation suite (`tests/bench/nab/`).

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// A small deterministic generator (SplitMix64), so the series are the same on every machine.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (2.0 * std::f64::consts::PI * self.uniform()).cos()
    }

    /// A Poisson draw by multiplying uniforms (Knuth), fine for small rates.
    fn poisson(&mut self, rate: f64) -> f64 {
        let limit = (-rate).exp();
        let mut k = 0.0;
        let mut p = self.uniform();
        while p > limit {
            k += 1.0;
            p *= self.uniform();
        }
        k
    }
}

/// `timestamp,value` text with a header, one row every 5 minutes from 2024-01-01.
fn csv(values: &[f64]) -> String {
    let mut out = String::from("timestamp,value\n");
    for (i, v) in values.iter().enumerate() {
        let minutes = 5 * i;
        let (day, hour, minute) = (1 + minutes / 1440, minutes / 60 % 24, minutes % 60);
        out.push_str(&format!("2024-01-{day:02} {hour:02}:{minute:02}:00,{v:.4}\n"));
    }
    out
}

/// The detector built once per test binary (Debug, leak-checked).
fn detector(name: &str) -> PathBuf {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    assert_eq!(name, "bocpd");
    let (_, exe) = BUILT.get_or_init(|| {
        let path = format!("examples/anomaly/{name}.sirs.json");
        let source = std::fs::read_to_string(support::root().join(&path)).expect("detector source");
        let c = support::compile(&path, &source);
        assert!(!c.has_errors(), "{}", support::rendered(&c));
        let dir = tempfile::tempdir().expect("temp dir");
        let exe = dir.path().join(name);
        support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], false, &exe).expect("detector builds");
        (dir, exe)
    });
    exe.clone()
}

/// The anomaly probability of every row, from the detector run on a file.
fn probabilities(exe: &Path, values: &[f64], args: &[&str]) -> Vec<f64> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("series.csv");
    std::fs::write(&file, csv(values)).expect("write series");
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.push(file.to_string_lossy().into_owned());
    let out = support::run_exe(exe, &all, None).expect("detector runs");
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    column(&out.stdout, "anomaly_probability")
}

fn column(stdout: &str, name: &str) -> Vec<f64> {
    let mut lines = stdout.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let at = header.iter().position(|h| *h == name).expect("the column");
    lines.map(|l| l.split(',').nth(at).and_then(|v| v.parse().ok()).expect("a number")).collect()
}

fn alerts(p: &[f64]) -> Vec<usize> {
    p.iter().enumerate().filter(|(_, p)| **p > 0.5).map(|(i, _)| i).collect()
}

fn level_shift(seed: u64, n: usize, at: usize, shift: f64) -> Vec<f64> {
    let mut rng = Rng(seed);
    (0..n).map(|i| 10.0 + rng.normal() + if i >= at { shift } else { 0.0 }).collect()
}

#[test]
fn bocpd_finds_a_level_shift_within_two_rows_and_nothing_before_it() {
    let exe = detector("bocpd");
    for seed in 1..=3 {
        let p = probabilities(&exe, &level_shift(seed, 600, 300, 6.0), &[]);
        assert_eq!(p.len(), 600);
        let found = alerts(&p);
        assert!(found.first().is_some_and(|&i| (300..=302).contains(&i)), "seed {seed}: alerts at {found:?}");
    }
}

#[test]
fn bocpd_finds_a_spike_at_once() {
    let exe = detector("bocpd");
    let mut values = level_shift(7, 600, 600, 0.0);
    values[450] += 12.0;
    let found = alerts(&probabilities(&exe, &values, &[]));
    assert_eq!(found, vec![450]);
}

#[test]
fn bocpd_raises_no_alert_on_stationary_series() {
    let exe = detector("bocpd");
    for seed in 11..=14 {
        let p = probabilities(&exe, &level_shift(seed, 2000, 2000, 0.0), &[]);
        let found = alerts(&p);
        assert!(found.is_empty(), "seed {seed}: false alerts at {found:?}");
    }
}

#[test]
fn bocpd_poisson_finds_a_rate_change_within_three_rows() {
    let exe = detector("bocpd");
    let mut rng = Rng(5);
    let counts: Vec<f64> = (0..800).map(|i| rng.poisson(if i >= 400 { 15.0 } else { 5.0 })).collect();
    let found = alerts(&probabilities(&exe, &counts, &["--model", "poisson"]));
    assert!(found.first().is_some_and(|&i| (400..=403).contains(&i)), "alerts at {found:?}");
}

#[test]
fn bocpd_reads_stdin_as_it_reads_a_file() {
    let exe = detector("bocpd");
    let values = level_shift(3, 300, 150, 5.0);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("series.csv");
    std::fs::write(&file, csv(&values)).expect("write series");
    let from_file = support::run_exe(&exe, &[file.to_string_lossy().into_owned()], None).expect("runs");
    let mut child = Command::new(&exe).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all(csv(&values).as_bytes()).expect("write stdin");
    let from_stdin = child.wait_with_output().expect("runs");
    assert!(from_stdin.status.success());
    assert_eq!(String::from_utf8_lossy(&from_stdin.stdout), from_file.stdout);
    assert_eq!(from_file.stdout.lines().count(), 301);
}

#[test]
fn bocpd_stops_at_a_bad_row_with_its_location() {
    let exe = detector("bocpd");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, "timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,x\n").expect("write");
    let path = file.to_string_lossy().into_owned();
    let out = support::run_exe(&exe, &[path.clone()], None).expect("runs");
    assert_eq!(out.code, 101, "stderr: {}", out.stderr);
    assert!(out.stderr.contains(&format!("csv: {path}:3:21: expected a number, found \"x\"")), "stderr: {}", out.stderr);
    let bad_option = support::run_exe(&exe, &["--model".into(), "gauss".into(), path], None).expect("runs");
    assert_eq!(bad_option.code, 101);
    assert!(bad_option.stderr.contains("--model is normal or poisson, found 'gauss'"), "stderr: {}", bad_option.stderr);
}

#[test]
fn bocpd_prints_the_two_alerts_of_the_readme_demo() {
    let exe = detector("bocpd");
    let data = support::root().join("examples/anomaly/data/latency.csv");
    let out = support::run_exe(&exe, &["--alerts".into(), data.to_string_lossy().into_owned()], None).expect("runs");
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    let readme = std::fs::read_to_string(support::root().join("README.md")).expect("README");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(lines[1].starts_with("2024-03-01T16:40:00Z,195.5,") && lines[2].starts_with("2024-03-02T11:00:00Z,158.7,"));
    for line in lines {
        assert!(readme.contains(line), "README lacks {line}");
    }
}
