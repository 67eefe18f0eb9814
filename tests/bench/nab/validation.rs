//! NAB in the validation suite: the project's scorer (`tests/bench/nab/score.py`) must
//! reproduce the known answers of `$SEV_DATA/nab/SCORING.md` (section 10) to two decimals, for
//! the z-score baselines made by `$SEV_DATA/nab/zscore_detector.py` (optimised and fixed
//! thresholds) and for the two label-only oracles; and each detector of `examples/anomaly/` must
//! keep the NAB scores recorded in `docs/anomaly.md` (`tests/bench/nab/run.py`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn nab_dir() -> PathBuf {
    super::data_dir().join("nab")
}

fn score_py() -> PathBuf {
    crate::support::root().join("tests/bench/nab/score.py")
}

fn python(args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new("python3").args(args).output().expect("python3 runs");
    assert!(out.status.success(), "python3 {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn zscore(out: &Path, name: &str, options: &[&str]) {
    let nab = nab_dir();
    let detector = nab.join("zscore_detector.py");
    let mut args: Vec<&std::ffi::OsStr> = vec![detector.as_os_str(), nab.as_os_str(), out.as_os_str(), "--name".as_ref(), name.as_ref()];
    args.extend(options.iter().map(|o| std::ffi::OsStr::new(*o)));
    python(&args);
}

/// The scorer's JSON report for one detector, with the given fixed thresholds.
fn report(out: &Path, name: &str, fixed: &[&str]) -> serde_json::Value {
    let script = score_py();
    let nab = nab_dir();
    let mut args: Vec<&std::ffi::OsStr> = vec![script.as_os_str(), "score".as_ref(), nab.as_os_str(), out.as_os_str(), name.as_ref(), "--json".as_ref()];
    for t in fixed {
        args.push("--fixed".as_ref());
        args.push(t.as_ref());
    }
    serde_json::from_str(&python(&args)).expect("score.py prints JSON")
}

const PROFILES: [&str; 3] = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"];

/// (detector, normalised scores per profile at the optimised threshold), SCORING.md 10.1–10.2.
const OPTIMISED: &[(&str, [f64; 3])] = &[
    ("zday", [33.61, 22.24, 45.39]),
    ("zweekq", [39.85, 20.35, 52.72]),
    ("const05", [0.0, 0.0, 0.0]),
    ("oraclefirst", [100.0, 100.0, 100.0]),
    ("oraclelast", [50.90, 50.90, 67.27]),
];

/// (detector, fixed threshold, normalised scores per profile), SCORING.md 10.2.
const FIXED: &[(&str, &str, [f64; 3])] = &[
    ("const05", "0.5", [-13694.78, -27489.56, -9096.52]),
    ("zday", "0.75", [-177.49, -437.87, -89.59]),
    ("zweekq", "0.75", [37.96, 1.64, 51.46]),
];

fn two_decimals(x: f64) -> String {
    format!("{x:.2}")
}

#[test]
fn nab_scorer_reproduces_the_known_answers() {
    assert!(nab_dir().join("SCORING.md").is_file(), "SEV_DATA={} has no nab folder", super::data_dir().display());
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path();
    zscore(out, "zday", &["--window", "288", "--map", "ratio"]);
    zscore(out, "zweekq", &["--window", "2016", "--suppress", "100"]);
    zscore(out, "const05", &["--constant", "0.5"]);
    let script = score_py();
    for (name, which) in [("oraclefirst", "first"), ("oraclelast", "last")] {
        python(&[script.as_os_str(), "oracle".as_ref(), nab_dir().as_os_str(), out.as_os_str(), name.as_ref(), which.as_ref()]);
    }
    let mut failures = Vec::new();
    for (name, want) in OPTIMISED {
        let fixed: Vec<&str> = FIXED.iter().filter(|(n, _, _)| n == name).map(|(_, t, _)| *t).collect();
        let r = report(out, name, &fixed);
        for (profile, want) in PROFILES.iter().zip(want) {
            let got = r["optimised"][profile]["normalised"].as_f64().unwrap_or(f64::NAN);
            println!("nab scorer {name} {profile} optimised: {got:.2} (known {want:.2})");
            if two_decimals(got) != two_decimals(*want) {
                failures.push(format!("{name} {profile} optimised: {got:.4}, known {want:.2}"));
            }
        }
        for (_, t, want) in FIXED.iter().filter(|(n, _, _)| n == name) {
            for (profile, want) in PROFILES.iter().zip(want) {
                let got = r["fixed"][*t][profile]["normalised"].as_f64().unwrap_or(f64::NAN);
                if two_decimals(got) != two_decimals(*want) {
                    failures.push(format!("{name} {profile} at {t}: {got:.4}, known {want:.2}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} known answer(s) missed:\n{}", failures.len(), failures.join("\n"));
}

/// (run.py arguments, normalised scores per profile: optimised, then at the fixed threshold 0.5)
/// as recorded in docs/anomaly.md; a run must not score lower.
const DETECTORS: &[(&[&str], [f64; 3], [f64; 3])] = &[
    (&["bocpd"], [35.65, 19.35, 42.73], [-13.27, -102.21, 18.16]),
    (&["bocpd", "--then", "alerting", "--column", "alert_probability"], [38.67, 22.25, 48.86], [36.87, 8.94, 48.14]),
    (&["seasonal"], [0.0, 0.0, 0.0], [-169.16, -414.56, -86.05]),
    (&["seasonal", "--then", "alerting", "--column", "alert_probability", "--", "--weekly"], [44.17, 23.08, 53.01], [43.39, 21.52, 52.20]),
    (&["suite"], [65.22, 49.79, 72.21], [65.22, 49.79, 72.21]),
    (&["surprise"], [58.07, 46.53, 63.72], [57.59, 44.83, 63.39]),
];

#[test]
fn nab_detectors_keep_their_recorded_scores() {
    assert!(nab_dir().join("data").is_dir(), "SEV_DATA={} has no nab folder", super::data_dir().display());
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for (i, (run_args, optimised, fixed)) in DETECTORS.iter().enumerate() {
        let detector = run_args.join(" ");
        let json = dir.path().join(format!("{i}.json"));
        let run = crate::support::root().join("tests/bench/nab/run.py");
        let nab = nab_dir();
        let sev = std::path::PathBuf::from(env!("CARGO_BIN_EXE_sev"));
        // The options first: the detector's own arguments follow a `--` in some entries.
        let mut args: Vec<&std::ffi::OsStr> =
            vec![run.as_os_str(), "--nab".as_ref(), nab.as_os_str(), "--sev".as_ref(), sev.as_os_str(), "--json".as_ref(), json.as_os_str()];
        args.extend(run_args.iter().map(std::ffi::OsStr::new));
        println!("{}", python(&args));
        let text = std::fs::read_to_string(&json).expect("run.py wrote its report");
        let r: serde_json::Value = serde_json::from_str(&text).expect("JSON report");
        for (i, profile) in PROFILES.iter().enumerate() {
            let got = r["optimised"][profile]["normalised"].as_f64().unwrap_or(f64::NAN);
            let at_half = r["fixed"]["0.5"][profile]["normalised"].as_f64().unwrap_or(f64::NAN);
            if got.is_nan() || got < optimised[i] - 0.005 {
                failures.push(format!("{detector} {profile}: {got:.2}, recorded {:.2}", optimised[i]));
            }
            if at_half.is_nan() || at_half < fixed[i] - 0.005 {
                failures.push(format!("{detector} {profile} at 0.5: {at_half:.2}, recorded {:.2}", fixed[i]));
            }
        }
    }
    assert!(failures.is_empty(), "score(s) below the record:\n{}", failures.join("\n"));
}
