//! End-to-end inference tests through `sev run`: small SIRS models whose posteriors are known in
//! closed form, sampled with a fixed seed by each algorithm (NUTS, static HMC, random-walk and
//! adaptive Metropolis); the summary JSON (`--summary`) must give each parameter's posterior
//! mean within 4·MCSE of the truth (+ 1e-9 for rounding), and its sd within
//! 1.5·4·sd/√(2·ESS) — the standard error of a sample sd is sd/√(2n) for normal draws, and the
//! factor 1.5 allows for the excess kurtosis of the beta and gamma posteriors. Also: a
//! forward-simulation program whose sample moments match the distributions, a located error for
//! an invalid distribution parameter, a failing `prob_assert` making the run exit 1,
//! bit-identical draws with one and two threads, and E0334 for a model without parameters.
//!
//! The models are built in Debug (the sampler is the cached ReleaseFast object) in the shared
//! test cache (`SEV_CACHE_DIR`).

mod support;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn sev(args: &[String]) -> support::Output {
    support::sev(args, "12345", None)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).expect("json")).expect("write");
    path
}

fn program(args: Value, body: Value) -> Value {
    json!({"program": {"entry": "main", "functions": {"main": {"args": args, "return": "void", "body": body}}}})
}

fn arg(name: &str, ty: &str) -> Value {
    json!({"name": name, "type": ty})
}

fn var(name: &str) -> Value {
    json!({"var": name})
}

fn lit(x: f64) -> Value {
    json!({"literal": x})
}

fn sample(name: &str, dist: &str, params: Vec<Value>) -> Value {
    json!({"let": {"name": name, "value": {"sample": {"distribution": dist, "params": params}}}})
}

fn observe(dist: &str, params: Vec<Value>, value: Value) -> Value {
    json!({"observe": {"distribution": dist, "params": params, "value": value}})
}

// -----------------------------------------------------------------------------------------------
// The models and their exact posteriors

struct Param {
    column: &'static str,
    mean: f64,
    sd: f64,
}

struct Conjugate {
    name: &'static str,
    model: Value,
    data: Value,
    truth: Vec<Param>,
}

/// y_i ~ N(mu, sigma²), sigma known; mu ~ N(mu0, tau0²).
fn normal_normal() -> Conjugate {
    let y = [1.2, 0.4, 2.5, 1.9, -0.3, 1.1, 0.8, 2.2, 1.5, 0.9];
    let (sigma, mu0, tau0) = (1.5_f64, 0.0_f64, 2.0_f64);
    let precision = 1.0 / (tau0 * tau0) + y.len() as f64 / (sigma * sigma);
    let mean = (mu0 / (tau0 * tau0) + y.iter().sum::<f64>() / (sigma * sigma)) / precision;
    Conjugate {
        name: "normal_normal",
        model: program(
            json!([arg("y", "[f64]"), arg("sigma", "f64"), arg("mu0", "f64"), arg("tau0", "f64")]),
            json!([sample("mu", "normal", vec![var("mu0"), var("tau0")]), observe("normal", vec![var("mu"), var("sigma")], var("y"))]),
        ),
        data: json!({"y": y, "sigma": sigma, "mu0": mu0, "tau0": tau0}),
        truth: vec![Param { column: "mu", mean, sd: precision.sqrt().recip() }],
    }
}

/// k ~ Binomial(n, p); p ~ Beta(a, b): the posterior is Beta(a + k, b + n − k).
fn beta_binomial() -> Conjugate {
    let (n, k, a, b) = (40_i64, 13_i64, 2.0_f64, 3.0_f64);
    let (pa, pb) = (a + k as f64, b + (n - k) as f64);
    let mean = pa / (pa + pb);
    let variance = pa * pb / ((pa + pb) * (pa + pb) * (pa + pb + 1.0));
    Conjugate {
        name: "beta_binomial",
        model: program(
            json!([arg("n", "i64"), arg("k", "i64"), arg("a", "f64"), arg("b", "f64")]),
            json!([sample("p", "beta", vec![var("a"), var("b")]), observe("binomial", vec![var("n"), var("p")], var("k"))]),
        ),
        data: json!({"n": n, "k": k, "a": a, "b": b}),
        truth: vec![Param { column: "p", mean, sd: variance.sqrt() }],
    }
}

/// y_i ~ Poisson(lambda); lambda ~ Gamma(a, b) (rate b): the posterior is Gamma(a + Σy, b + n).
fn gamma_poisson() -> Conjugate {
    let y = [3_i64, 5, 2, 4, 6, 3, 1, 4, 2, 5, 3, 4];
    let (a, b) = (2.0_f64, 0.5_f64);
    let shape = a + y.iter().sum::<i64>() as f64;
    let rate = b + y.len() as f64;
    Conjugate {
        name: "gamma_poisson",
        model: program(
            json!([arg("y", "[i64]"), arg("a", "f64"), arg("b", "f64")]),
            json!([sample("lambda", "gamma", vec![var("a"), var("b")]), observe("poisson", vec![var("lambda")], var("y"))]),
        ),
        data: json!({"y": y, "a": a, "b": b}),
        truth: vec![Param { column: "lambda", mean: shape / rate, sd: shape.sqrt() / rate }],
    }
}

/// y = X·beta + N(0, sigma²), sigma known; beta ~ N(0, tau² I): the posterior is normal with
/// covariance (XᵀX/sigma² + I/tau²)⁻¹ and mean Σ·Xᵀy/sigma².
fn linear_regression() -> Conjugate {
    let x = [[1.0, -0.5], [1.0, 0.3], [1.0, 1.2], [1.0, -1.1], [1.0, 0.8], [1.0, 2.0], [1.0, -0.2], [1.0, 0.5]];
    let y = [0.2, 1.4, 2.9, -0.8, 2.1, 4.2, 0.9, 1.6];
    let (sigma, tau) = (0.8_f64, 3.0_f64);
    let s2 = sigma * sigma;
    // A = XᵀX/σ² + I/τ² (2×2), b = Xᵀy/σ²
    let mut a = [[0.0; 2]; 2];
    let mut bv = [0.0; 2];
    for (row, yi) in x.iter().zip(y) {
        for i in 0..2 {
            bv[i] += row[i] * yi / s2;
            for j in 0..2 {
                a[i][j] += row[i] * row[j] / s2;
            }
        }
    }
    a[0][0] += 1.0 / (tau * tau);
    a[1][1] += 1.0 / (tau * tau);
    let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    let cov = [[a[1][1] / det, -a[0][1] / det], [-a[1][0] / det, a[0][0] / det]];
    let mean = [cov[0][0] * bv[0] + cov[0][1] * bv[1], cov[1][0] * bv[0] + cov[1][1] * bv[1]];
    let body = json!([
        {"let": {"name": "beta", "value": {"sample": {"distribution": "normal", "params": [lit(0.0), var("tau")], "size": var("D")}}}},
        {"let": {"name": "mu", "value": {"call": {"function": "array_fill", "args": [var("N"), lit(0.0)]}}, "mutable": true}},
        {"for": {"variable": "n", "iterable": {"range": {"start": {"literal": 0}, "end": var("N")}}, "body": [
            {"assign": {"target": {"index": {"array": var("mu"), "index": var("n")}},
                        "value": {"call": {"function": "dot", "args": [{"index": {"array": var("X"), "index": var("n")}}, var("beta")]}}}}]}},
        observe("normal", vec![var("mu"), var("sigma")], var("y"))
    ]);
    Conjugate {
        name: "linear_regression",
        model: program(json!([arg("N", "i64"), arg("D", "i64"), arg("X", "[[f64]]"), arg("y", "[f64]"), arg("sigma", "f64"), arg("tau", "f64")]), body),
        data: json!({"N": x.len(), "D": 2, "X": x, "y": y, "sigma": sigma, "tau": tau}),
        truth: vec![
            Param { column: "beta.1", mean: mean[0], sd: cov[0][0].sqrt() },
            Param { column: "beta.2", mean: mean[1], sd: cov[1][1].sqrt() },
        ],
    }
}

// -----------------------------------------------------------------------------------------------

struct Prepared {
    model: PathBuf,
    data: PathBuf,
}

fn prepare(dir: &Path, c: &Conjugate) -> Prepared {
    let model = write(dir, &format!("{}.sirs.json", c.name), &c.model);
    let data = write(dir, &format!("{}.data.json", c.name), &c.data);
    // build once (later `sev run`s take the binary from the artifact cache)
    let out = sev(&[strings(&["build"]), vec![model.display().to_string(), "-o".into(), dir.join(c.name).display().to_string()]].concat());
    assert_eq!(out.code, 0, "{}: build failed: {}", c.name, out.stderr);
    Prepared { model, data }
}

/// (algorithm, warmup, draws, extra sampler arguments)
const ALGORITHMS: &[(&str, u32, u32, &[&str])] = &[
    ("nuts", 1000, 1000, &[]),
    // jitter: a fixed integration time of 2π is a full period of a unit-scale Gaussian direction
    ("hmc", 1000, 1000, &["--jitter", "0.5"]),
    ("mh", 2000, 5000, &[]),
    ("adaptive-mh", 2000, 5000, &[]),
];

fn run_conjugate(dir: &Path, c: &Conjugate, p: &Prepared, algo: &str, warmup: u32, draws: u32, extra: &[&str]) -> Result<String, String> {
    let tag = format!("{}_{}", c.name, algo);
    let summary = dir.join(format!("{tag}.summary.json"));
    let mut args = strings(&["run"]);
    args.push(p.model.display().to_string());
    args.extend(["--data".into(), p.data.display().to_string(), "--output".into(), dir.join(&tag).display().to_string()]);
    args.extend(strings(&["--seed", "20261125", "--chains", "4", "--threads", "2", "--algorithm", algo]));
    args.extend(["--warmup".into(), warmup.to_string(), "--draws".into(), draws.to_string(), "--summary".into(), summary.display().to_string()]);
    args.push("--".into());
    args.push("--quiet".into());
    args.extend(strings(extra));
    let out = sev(&args);
    if out.code != 0 {
        return Err(format!("{tag}: exit {}: {}", out.code, out.stderr));
    }
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let columns = stats["columns"].as_array().cloned().unwrap_or_default();
    let mut report = String::new();
    let mut errors = Vec::new();
    for t in &c.truth {
        let Some(col) = columns.iter().find(|x| x["name"] == t.column) else {
            errors.push(format!("{tag}: no column {}", t.column));
            continue;
        };
        let num = |k: &str| col[k].as_f64().unwrap_or(f64::NAN);
        let (mean, sd, mcse, ess, rhat) = (num("mean"), num("sd"), num("mcse_mean"), num("ess_bulk"), num("rhat"));
        let tol_mean = 4.0 * mcse + 1e-9 * (1.0 + t.mean.abs());
        let tol_sd = 1.5 * 4.0 * t.sd / (2.0 * ess).sqrt();
        let ok = (mean - t.mean).abs() < tol_mean && (sd - t.sd).abs() < tol_sd && rhat < 1.05;
        report.push_str(&format!(
            "{tag:>32} {:>7}: mean {mean:.5} (truth {:.5}, |diff| {:.2e} < {tol_mean:.2e}) sd {sd:.5} (truth {:.5}, tol {tol_sd:.2e}) ESS {ess:.0} R-hat {rhat:.3} {}\n",
            t.column,
            t.mean,
            (mean - t.mean).abs(),
            t.sd,
            if ok { "ok" } else { "FAIL" }
        ));
        if !ok {
            errors.push(format!("{tag} {}: mean {mean} vs {} (tol {tol_mean}), sd {sd} vs {} (tol {tol_sd}), R-hat {rhat}", t.column, t.mean, t.sd));
        }
    }
    print!("{report}");
    if errors.is_empty() { Ok(report) } else { Err(errors.join("\n")) }
}

#[test]
fn conjugate_posteriors_are_recovered_by_every_algorithm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let models = [normal_normal(), beta_binomial(), gamma_poisson(), linear_regression()];
    let prepared = support::parallel(models.iter().collect(), |c| prepare(dir.path(), c));
    let mut jobs = Vec::new();
    for (c, p) in models.iter().zip(&prepared) {
        for &(algo, warmup, draws, extra) in ALGORITHMS {
            jobs.push((c, p, algo, warmup, draws, extra));
        }
    }
    let results = support::parallel(jobs, |(c, p, algo, w, d, extra)| run_conjugate(dir.path(), c, p, algo, w, d, extra));
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{} run(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// Draws are bit-identical with one and two threads for the same seed (only the header lines
/// naming the thread count and the files, and the timings, differ).
#[test]
fn same_seed_gives_identical_csv_files_with_one_and_two_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = linear_regression();
    let p = prepare(dir.path(), &c);
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out_dir = dir.path().join(format!("threads{threads}"));
        let mut args = strings(&["run"]);
        args.push(p.model.display().to_string());
        args.extend(["--data".into(), p.data.display().to_string(), "--output".into(), out_dir.display().to_string()]);
        args.extend(strings(&["--seed", "7", "--chains", "3", "--warmup", "300", "--draws", "200", "--threads", threads, "--", "--quiet", "--save-warmup"]));
        let out = sev(&args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        outputs.push(out_dir);
    }
    let stable = |text: &str| -> String {
        text.lines()
            .filter(|l| !l.contains("num_threads") && !l.contains("file = ") && !l.contains("seconds") && !l.contains("Elapsed"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for k in 1..=3 {
        let name = format!("linear_regression_chain_{k}.csv");
        let a = std::fs::read_to_string(outputs[0].join(&name)).expect("csv 1 thread");
        let b = std::fs::read_to_string(outputs[1].join(&name)).expect("csv 2 threads");
        assert!(a.lines().filter(|l| !l.starts_with('#')).count() == 501, "header + 300 warmup + 200 draws");
        assert_eq!(stable(&a), stable(&b), "chain {k} differs between 1 and 2 threads");
    }
}

/// A program without `observe` draws from the distributions forward; with SEV_SEED fixed the
/// sample moments must match: |mean − μ| < 4·σ/√n and |var − σ²| < 4·√((m4 − σ⁴)/n).
#[test]
fn forward_simulation_matches_the_distribution_moments() {
    let n = 20000;
    // (distribution, params, mean, variance)
    let dists: Vec<(&str, Vec<Value>, f64, f64)> = vec![
        ("normal", vec![lit(3.0), lit(2.0)], 3.0, 4.0),
        ("gamma", vec![lit(3.0), lit(2.0)], 1.5, 0.75),
        ("beta", vec![lit(2.0), lit(5.0)], 2.0 / 7.0, 10.0 / (49.0 * 8.0)),
        ("poisson", vec![lit(4.0)], 4.0, 4.0),
        ("exponential", vec![lit(0.5)], 2.0, 4.0),
    ];
    let mut body = Vec::new();
    for (d, params, _, _) in &dists {
        body.push(json!({"for": {"variable": "i", "iterable": {"range": {"start": {"literal": 0}, "end": {"literal": n}}}, "body": [
            sample("x", d, params.clone()),
            {"expression": {"call": {"function": "print", "args": [var("x")]}}}
        ]}}));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let model = write(dir.path(), "forward.sirs.json", &program(json!([]), Value::Array(body)));
    let out = sev(&["run".to_string(), model.display().to_string()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let values: Vec<f64> = out.stdout.lines().map(|l| l.trim().parse::<f64>().expect("a number per line")).collect();
    assert_eq!(values.len(), n * dists.len());
    for (k, (d, _, mu, variance)) in dists.iter().enumerate() {
        let xs = &values[k * n..(k + 1) * n];
        let nf = n as f64;
        let mean = xs.iter().sum::<f64>() / nf;
        let s2 = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0);
        let m4 = xs.iter().map(|x| (x - mu).powi(4)).sum::<f64>() / nf;
        let tol_mean = 4.0 * (variance / nf).sqrt();
        let tol_var = 4.0 * ((m4 - variance * variance).max(0.0) / nf).sqrt();
        println!("{d}: mean {mean:.4} (want {mu:.4} ± {tol_mean:.4}), var {s2:.4} (want {variance:.4} ± {tol_var:.4})");
        assert!((mean - mu).abs() < tol_mean, "{d}: mean {mean} vs {mu}");
        assert!((s2 - variance).abs() < tol_var, "{d}: variance {s2} vs {variance}");
    }
    if dists.iter().any(|(d, ..)| *d == "poisson") {
        let k = dists.iter().position(|(d, ..)| *d == "poisson").unwrap_or(0);
        assert!(values[k * n..(k + 1) * n].iter().all(|x| x.fract() == 0.0 && *x >= 0.0), "poisson draws are counts");
    }
}

/// An invalid distribution parameter (a negative scale from the data) stops the run with a
/// message naming the distribution, the parameter and the SIRS location; exit status 1.
#[test]
fn invalid_distribution_parameter_gives_a_located_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = write(
        dir.path(),
        "bad_scale.sirs.json",
        &program(
            json!([arg("y", "[f64]"), arg("s", "f64")]),
            json!([sample("mu", "normal", vec![lit(0.0), lit(1.0)]), observe("normal", vec![var("mu"), var("s")], var("y"))]),
        ),
    );
    let data = write(dir.path(), "bad_scale.data.json", &json!({"y": [0.5, 1.0], "s": -1.0}));
    let out = sev(&[
        "run".to_string(),
        model.display().to_string(),
        "--data".into(),
        data.display().to_string(),
        "--output".into(),
        dir.path().join("out").display().to_string(),
        "--seed".into(),
        "1".into(),
    ]);
    assert_eq!(out.code, 1, "stdout: {}\nstderr: {}", out.stdout, out.stderr);
    assert!(out.stderr.contains("normal: sigma must be positive and finite, got -1"), "{}", out.stderr);
    assert!(out.stderr.contains("bad_scale.sirs.json:"), "the message names the file and line: {}", out.stderr);
    assert!(out.stderr.contains("initial point"), "{}", out.stderr);
}

/// A model that observes data but samples no parameter has no posterior: `sev build` and
/// `sev run` (every algorithm, and `--interp`) refuse it with E0334 at the model, exit 1, and
/// never reach the Zig build (which used to fail with internal error E0900).
#[test]
fn model_without_parameters_is_refused_with_e0333() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = json!([observe("normal", vec![lit(0.0), lit(1.0)], var("y")), {"expression": {"call": {"function": "print", "args": [var("y")]}}}]);
    let model = write(dir.path(), "no_parameters.sirs.json", &program(json!([arg("y", "f64")]), body));
    let data = write(dir.path(), "no_parameters.data.json", &json!({"y": 0.5}));
    let (model, data) = (model.display().to_string(), data.display().to_string());
    let out_dir = dir.path().join("out").display().to_string();
    let mut runs: Vec<Vec<String>> = ["nuts", "hmc", "mh", "adaptive-mh", "advi", "pathfinder"]
        .iter()
        .map(|algo| strings(&["run", &model, "--data", &data, "--output", &out_dir, "--algorithm", algo]))
        .collect();
    runs.push(strings(&["run", "--interp", &model]));
    runs.push(strings(&["build", &model, "-o", &dir.path().join("no_parameters").display().to_string()]));
    for args in runs {
        let out = sev(&args);
        assert_eq!(out.code, 1, "{args:?}: stdout: {}\nstderr: {}", out.stdout, out.stderr);
        assert!(out.stderr.contains("error[E0334]"), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("no_parameters.sirs.json:"), "{args:?}: located: {}", out.stderr);
        assert!(!out.stderr.contains("E0900"), "{args:?}: {}", out.stderr);
    }
    assert!(!dir.path().join("out").exists(), "no output is written");
}

/// `prob_assert` checks a posterior probability after sampling: the run exits 1 when it fails
/// and 0 when it holds.
#[test]
fn failing_prob_assert_makes_the_run_exit_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = write(dir.path(), "pa.data.json", &json!({"y": [0.1, -0.3, 0.4, 0.2]}));
    let mut codes = Vec::new();
    for (name, threshold, confidence) in [("pa_fails", 2.0, 0.9), ("pa_holds", -2.0, 0.9)] {
        let model = write(
            dir.path(),
            &format!("{name}.sirs.json"),
            &program(
                json!([arg("y", "[f64]")]),
                json!([
                    sample("mu", "normal", vec![lit(0.0), lit(1.0)]),
                    observe("normal", vec![var("mu"), lit(1.0)], var("y")),
                    {"prob_assert": {"condition": {"op": {"kind": "gt", "args": [var("mu"), lit(threshold)]}}, "confidence": confidence}}
                ]),
            ),
        );
        let out = sev(&[
            "run".to_string(),
            model.display().to_string(),
            "--data".into(),
            data.display().to_string(),
            "--output".into(),
            dir.path().join(name).display().to_string(),
            "--seed".into(),
            "3".into(),
        ]);
        println!("{name}: exit {}\n{}", out.code, out.stdout);
        codes.push((name, out.code, out.stdout));
    }
    assert_eq!(codes[0].1, 1, "a failing prob_assert exits 1: {}", codes[0].2);
    assert!(codes[0].2.contains("FAILS"), "{}", codes[0].2);
    assert_eq!(codes[1].1, 0, "a holding prob_assert exits 0: {}", codes[1].2);
    assert!(codes[1].2.contains("holds"), "{}", codes[1].2);
}

/// Every number of the summary table is separated from the one before it, even one that fills
/// its ten characters: an output constant at -0.00077012345 prints `-0.0007701` as its mean and
/// each quantile (the 50% column used to run into the 5% one, `-0.0007701-0.0007701`).
#[test]
fn summary_columns_stay_apart_when_a_number_fills_its_width() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = write(dir.path(), "wide.data.json", &json!({}));
    let model = write(
        dir.path(),
        "wide.sirs.json",
        &program(
            json!([]),
            json!([
                sample("mu", "normal", vec![lit(0.0), lit(1.0)]),
                observe("normal", vec![var("mu"), lit(1.0)], lit(0.5)),
                {"let": {"name": "tiny", "output": true, "value": lit(-0.00077012345)}}
            ]),
        ),
    );
    let args = ["run", &model.display().to_string(), "--data", &data.display().to_string(), "--output", &dir.path().join("out").display().to_string()];
    let out = sev(&strings(&[&args[..], &["--seed", "1", "--warmup", "100", "--draws", "100"]].concat()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let row = out.stdout.lines().find(|l| l.starts_with("tiny ")).unwrap_or_else(|| panic!("no row for `tiny`:\n{}", out.stdout));
    let cells: Vec<&str> = row.split_whitespace().collect();
    // the name, mean, sd, mcse, 5%, 50%, 95%, R-hat, ess_bulk, ess_tail
    assert_eq!(cells.len(), 10, "{row}");
    assert_eq!(cells[1], "-0.0007701", "{row}");
    assert_eq!(&cells[4..7], ["-0.0007701"; 3], "{row}");
}

/// A `bool` data field takes JSON `true`/`false` (as well as Stan's 1/0); any other value, or a
/// boolean where the model reads an integer, is a data error naming what the field takes.
#[test]
fn bool_data_fields_take_json_true_and_false() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = json!([
        sample("p", "beta", vec![lit(1.0), lit(1.0)]),
        observe("bernoulli", vec![var("p")], var("flag")),
        observe("bernoulli", vec![var("p")], var("flags")),
        observe("poisson", vec![lit(3.0)], var("n")),
    ]);
    let model = write(dir.path(), "flags.sirs.json", &program(json!([arg("flag", "bool"), arg("flags", "[bool]"), arg("n", "i64")]), body));
    let model = model.display().to_string();
    let out_dir = dir.path().join("out").display().to_string();
    let summary = dir.path().join("summary.json");
    let run = |data: &Value| {
        let data = write(dir.path(), "flags.data.json", data).display().to_string();
        let args = strings(&["run", &model, "--data", &data, "--output", &out_dir, "--seed", "7", "--chains", "1", "--warmup", "500", "--draws", "1000", "--quiet", "--summary"]);
        sev(&[args, vec![summary.display().to_string()]].concat())
    };
    // Beta(1, 1) prior, observed true, true, true, true, false: Beta(5, 2), mean 5/7, sd 0.16
    for data in [json!({"flag": true, "flags": [true, true, true, false], "n": 2}), json!({"flag": 1, "flags": [1, true, 1, false], "n": 2})] {
        let out = run(&data);
        assert_eq!(out.code, 0, "{data}: {}", out.stderr);
        let s: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("summary JSON");
        let p = s["columns"].as_array().expect("columns").iter().find(|c| c["name"] == "p").expect("column p");
        let (mean, mcse) = (p["mean"].as_f64().expect("mean"), p["mcse_mean"].as_f64().expect("mcse"));
        assert!((mean - 5.0 / 7.0).abs() < 4.0 * mcse.max(0.005), "{data}: mean {mean} (MCSE {mcse})");
    }
    let refused = [
        (json!({"flag": 2, "flags": [true], "n": 2}), "field 'flag' must be true or false (or 1 or 0), found 2"),
        (json!({"flag": true, "flags": [true, "yes"], "n": 2}), "field 'flags' element 2 must be true or false (or 1 or 0), found the string \"yes\""),
        (json!({"flag": true, "flags": [true], "n": true}), "field 'n' must be an integer, found true (a boolean: a number field takes 1 or 0)"),
    ];
    for (data, message) in refused {
        let out = run(&data);
        assert_eq!(out.code, 1, "{data}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{data}: {}", out.stderr);
    }
}

/// Inside a model, `print_inline` is a print: the printed value becomes the per-draw report
/// column `print_<name>` (a `record` of its site), lowered to the same CIR as `print` (a report has no line to continue),
/// never a runtime call on a model real (which Zig would reject: internal error E0900).
#[test]
fn print_inline_in_a_model_is_the_same_report_as_print() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cir = |printer: &str| {
        let body = json!([
            sample("mu", "normal", vec![lit(0.0), lit(1.0)]),
            observe("normal", vec![var("mu"), lit(1.0)], var("y")),
            {"expression": {"call": {"function": printer, "args": [var("mu")]}}}
        ]);
        let model = write(dir.path(), &format!("{printer}.sirs.json"), &program(json!([arg("y", "f64")]), body));
        let out = sev(&strings(&["build", "--emit", "cir", &model.display().to_string()]));
        assert_eq!(out.code, 0, "{printer}: {}", out.stderr);
        out.stdout.replace(&format!("{printer}.sirs.json"), "model.sirs.json")
    };
    let (inline, print) = (cir("print_inline"), cir("print"));
    assert!(inline.contains("record site 1, v8") && !inline.contains("print_inline"), "a report record, no runtime call: {inline}");
    assert_eq!(inline, print);
}
