//! Discrete model parameters summed out of the log density (`cir::enumerate`,
//! `runtime/ppl/enumerate.zig`), end to end through `sev run`:
//!
//! * the coal-mining changepoint model (`examples/coal_mining`) against its exact posterior,
//!   computed here independently: with exponential(1) priors on both rates the rates integrate
//!   out in closed form (gamma-Poisson conjugacy), so p(s | D) ∝ Γ(a₁+1)/(n₁+1)^(a₁+1) ·
//!   Γ(a₂+1)/(n₂+1)^(a₂+1) (a the disasters and n the years before and from the switch), and
//!   e | s, D ~ gamma(a₁+1, n₁+1). Means must be within 4·MCSE, sds within 1.5·4·sd/√(2·ESS) (as
//!   in tests/ppl_models.rs), and the probability of every year with more than 1% of the mass
//!   within 4·√(p(1−p)/ESS) of the exact one (ESS: the bulk ESS of `s`);
//! * two discrete parameters at once (a bernoulli through a `cond` and a categorical, six
//!   combinations) against their exact posterior, means within 4·MCSE, also with the bernoulli
//!   drawn and returned by a helper function;
//! * the gradients of these models, compiled adjoint and tape, pass `diagnose` (finite
//!   differences and forward mode) and agree with each other to 1e-9;
//! * a site inside a loop over the data (one value per datum, 2^n combinations) against its
//!   exact posterior, and with 20 data (2^20 combinations) Gibbs-updated instead (its Gibbs
//!   fallback), still against the exact posterior;
//! * the draws are bit-identical at `-O0` and `-O2`, and with one and two threads;
//! * a discrete draw the likelihood does not depend on stays a predictive draw (no error), and
//!   one with unbounded support that it does depend on is a Gibbs site (tests/ppl_gibbs.rs).

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};

const SEED: &str = "20261207";

fn sev(args: &[String]) -> support::Output {
    support::sev(args, SEED, None)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn coal_data() -> Vec<u64> {
    let path = support::root().join("examples/coal_mining.data.json");
    let data: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("data")).expect("json");
    data["D"].as_array().expect("D").iter().map(|x| x.as_u64().expect("count")).collect()
}

/// ln k! for a count.
fn ln_factorial(k: u64) -> f64 {
    (2..=k).map(|i| (i as f64).ln()).sum()
}

/// (a₁ + 1, n₁ + 1, a₂ + 1, n₂ + 1) of one switch: the gamma posteriors of e and l.
type Shapes = (f64, f64, f64, f64);

/// The exact posterior: p(s) for s = 1..=T, and the means and sds of e and l.
struct Exact {
    p: Vec<f64>,
    e: (f64, f64),
    l: (f64, f64),
}

fn exact(d: &[u64]) -> Exact {
    let t = d.len();
    let total: u64 = d.iter().sum();
    let mut log_m = Vec::with_capacity(t);
    // (a₁ + 1, n₁ + 1, a₂ + 1, n₂ + 1) for each switch s: the gamma posteriors of e and l
    let mut shapes = Vec::with_capacity(t);
    for s in 1..=t {
        let a1: u64 = d[..s - 1].iter().sum();
        let (n1, a2, n2) = ((s - 1) as f64, total - a1, (t - (s - 1)) as f64);
        log_m.push(ln_factorial(a1) - (a1 as f64 + 1.0) * (n1 + 1.0).ln() + ln_factorial(a2) - (a2 as f64 + 1.0) * (n2 + 1.0).ln());
        shapes.push((a1 as f64 + 1.0, n1 + 1.0, a2 as f64 + 1.0, n2 + 1.0));
    }
    let max = log_m.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_m.iter().map(|x| (x - max).exp()).collect();
    let z: f64 = w.iter().sum();
    let p: Vec<f64> = w.iter().map(|x| x / z).collect();
    // mixture of gammas: mean Σ p·a/b, variance Σ p·(a/b² + (a/b)²) − mean²
    let moments = |shape: fn(&Shapes) -> (f64, f64)| {
        let (mut m1, mut m2) = (0.0, 0.0);
        for (pk, sh) in p.iter().zip(&shapes) {
            let (a, b) = shape(sh);
            m1 += pk * a / b;
            m2 += pk * (a / (b * b) + (a / b) * (a / b));
        }
        (m1, (m2 - m1 * m1).sqrt())
    };
    let (e, l) = (moments(|s| (s.0, s.1)), moments(|s| (s.2, s.3)));
    Exact { p, e, l }
}

fn run_coal(dir: &Path, tag: &str, extra: &[&str]) -> (PathBuf, Value) {
    let root = support::root();
    let out = dir.join(tag);
    let summary = dir.join(format!("{tag}.summary.json"));
    let mut args = strings(&["run"]);
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(root.join("examples/coal_mining.sirs.json").display().to_string());
    args.extend(["--data".into(), root.join("examples/coal_mining.data.json").display().to_string()]);
    args.extend(["--output".into(), out.display().to_string(), "--summary".into(), summary.display().to_string()]);
    args.extend(strings(&["--seed", SEED, "--", "--quiet"]));
    let o = sev(&args);
    assert_eq!(o.code, 0, "coal_mining {tag}: {}", o.stderr);
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("summary json");
    (out, stats)
}

/// The values of column `name` in every chain's CSV file under `dir`.
fn column(dir: &Path, name: &str) -> Vec<f64> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).expect("output").flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "csv")).collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("csv");
        let mut lines = text.lines().filter(|l| !l.starts_with('#'));
        let header: Vec<&str> = lines.next().expect("header").split(',').collect();
        let k = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
        out.extend(lines.map(|l| l.split(',').nth(k).and_then(|x| x.parse::<f64>().ok()).expect("number")));
    }
    out
}

fn stat(stats: &Value, name: &str, key: &str) -> f64 {
    let columns = stats["columns"].as_array().expect("columns");
    let col = columns.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no column {name}"));
    col[key].as_f64().unwrap_or(f64::NAN)
}

#[test]
fn coal_mining_posterior_matches_exact_enumeration() {
    let truth = exact(&coal_data());
    let dir = tempfile::tempdir().expect("temporary directory");
    let (out, stats) = run_coal(dir.path(), "nuts", &["--threads", "2"]);
    let mut errors = Vec::new();
    let mean_s: f64 = truth.p.iter().enumerate().map(|(k, p)| (k + 1) as f64 * p).sum();
    let sd_s = truth.p.iter().enumerate().map(|(k, p)| p * ((k + 1) as f64 - mean_s).powi(2)).sum::<f64>().sqrt();
    for (name, (mean, sd)) in [("s", (mean_s, sd_s)), ("e", truth.e), ("l", truth.l)] {
        let (m, s, mcse, ess, rhat) = (stat(&stats, name, "mean"), stat(&stats, name, "sd"), stat(&stats, name, "mcse_mean"), stat(&stats, name, "ess_bulk"), stat(&stats, name, "rhat"));
        let (tol_mean, tol_sd) = (4.0 * mcse, 1.5 * 4.0 * sd / (2.0 * ess).sqrt());
        println!("{name}: mean {m:.4} (exact {mean:.4}, tol {tol_mean:.4}), sd {s:.4} (exact {sd:.4}, tol {tol_sd:.4}), ESS {ess:.0}, R-hat {rhat:.3}");
        if (m - mean).abs() > tol_mean || (s - sd).abs() > tol_sd || rhat > 1.05 {
            errors.push(format!("{name}: mean {m} vs {mean} (tol {tol_mean}), sd {s} vs {sd} (tol {tol_sd}), R-hat {rhat}"));
        }
    }
    let draws = column(&out, "s");
    assert_eq!(draws.len(), 4000, "4 chains of 1000 draws");
    assert!(draws.iter().all(|s| s.fract() == 0.0 && (1.0..=112.0).contains(s)), "s takes the years' indices");
    let ess = stat(&stats, "s", "ess_bulk");
    let mode = (0..truth.p.len()).max_by(|a, b| truth.p[*a].total_cmp(&truth.p[*b])).expect("years");
    let mut checked = 0;
    for (k, p) in truth.p.iter().enumerate().filter(|(_, p)| **p > 0.01) {
        let freq = draws.iter().filter(|s| **s as usize == k + 1).count() as f64 / draws.len() as f64;
        let tol = 4.0 * (p * (1.0 - p) / ess).sqrt();
        println!("P(s = {} (year {})) = {freq:.4}, exact {p:.4}, tol {tol:.4}{}", k + 1, 1850 + k + 1, if k == mode { " (mode)" } else { "" });
        if (freq - p).abs() > tol {
            errors.push(format!("P(s = {}): {freq} vs {p} (tol {tol})", k + 1));
        }
        checked += 1;
    }
    assert!(checked >= 5, "the exact posterior spreads over several years");
    let year = column(&out, "switch_year");
    assert!(year.iter().zip(&draws).all(|(y, s)| *y == 1850.0 + s), "the output column follows the drawn s");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn enumerated_draws_are_identical_at_o0_and_o2_and_with_one_or_two_threads() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let short = ["--chains", "2", "--warmup", "150", "--draws", "150"];
    let csv = |tag: &str, extra: &[&str]| {
        let args: Vec<&str> = extra.iter().chain(short.iter()).copied().collect();
        let (out, _) = run_coal(dir.path(), tag, &args);
        (column(&out, "s"), column(&out, "e"))
    };
    let o0 = csv("o0", &["-O0", "--threads", "1"]);
    let o2 = csv("o2", &["-O2", "--threads", "1"]);
    let o2_two = csv("o2_two_threads", &["-O2", "--threads", "2"]);
    assert_eq!(o0.0.len(), 300);
    assert!(o0 == o2, "the draws differ between -O0 and -O2");
    assert!(o2 == o2_two, "the draws differ between one and two threads");
}

fn write_model(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.sirs.json"));
    let source = format!(r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [{body}]}}}}}}}}"#);
    std::fs::write(&path, source).expect("write model");
    path
}

#[test]
fn a_predictive_discrete_draw_is_not_an_error_and_an_unbounded_parameter_is_gibbs_updated() {
    let dir = tempfile::tempdir().expect("temporary directory");
    // rate ~ gamma(2, 1); observe 3 ~ poisson(rate); k ~ poisson(rate) is a posterior-predictive draw
    let predictive = write_model(
        dir.path(),
        "predictive",
        r#"{"let": {"name": "rate", "value": {"sample": {"distribution": "gamma", "params": [{"literal": 2.0}, {"literal": 1.0}]}}}},
           {"observe": {"distribution": "poisson", "params": [{"var": "rate"}], "value": {"literal": 3}}},
           {"let": {"name": "k", "value": {"sample": {"distribution": "poisson", "params": [{"var": "rate"}]}}, "output": true}}"#,
    );
    let summary = dir.path().join("predictive.summary.json");
    let args = vec!["run".to_string(), predictive.display().to_string(), "--output".into(), dir.path().join("p").display().to_string(), "--summary".into(), summary.display().to_string(), "--seed".into(), SEED.into(), "--".into(), "--quiet".into()];
    let o = sev(&args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("json");
    // posterior rate ~ gamma(5, 2), so E[k] = E[rate] = 2.5
    let (mean, mcse) = (stat(&stats, "k", "mean"), stat(&stats, "k", "mcse_mean"));
    assert!((mean - 2.5).abs() < 4.0 * mcse, "predictive mean {mean} vs 2.5 (mcse {mcse})");

    let unbounded = write_model(
        dir.path(),
        "unbounded",
        r#"{"let": {"name": "q", "value": {"sample": {"distribution": "beta", "params": [{"literal": 1.0}, {"literal": 1.0}]}}}},
           {"let": {"name": "n", "value": {"sample": {"distribution": "poisson", "params": [{"literal": 4.0}]}}}},
           {"observe": {"distribution": "binomial", "params": [{"var": "n"}, {"var": "q"}], "value": {"literal": 2}}}"#,
    );
    let o = sev(&["build".to_string(), unbounded.display().to_string(), "--emit".into(), "cir".into()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("sample poisson(") && o.stdout.contains("gibbs site"), "{}", o.stdout);
}

/// The statements docs/probabilistic.md shows for the coal-mining model are the example's own.
#[test]
fn the_documented_coal_mining_statements_are_the_example() {
    let root = support::root();
    let doc = std::fs::read_to_string(root.join("docs/probabilistic.md")).expect("docs");
    let section = doc.split("### Worked example: the coal-mining disasters").nth(1).expect("the section");
    let block = section.split("```json").nth(1).and_then(|b| b.split("```").next()).expect("a json block");
    let shown: Value = serde_json::from_str(&format!("[{block}]")).expect("the block is statements");
    let example: Value = serde_json::from_str(&std::fs::read_to_string(root.join("examples/coal_mining.sirs.json")).expect("example")).expect("json");
    let body = example["program"]["functions"]["main"]["body"].as_array().expect("body");
    let shown = shown.as_array().expect("statements");
    assert_eq!(shown.as_slice(), &body[1..1 + shown.len()], "docs/probabilistic.md shows the statements after `T`");
}

/// mu ~ normal(0, 1), z ~ bernoulli(0.3), k ~ categorical(w) (0-based), y ~ normal(mu + 2z + k, 1):
/// two discrete parameters (six combinations), one through a `cond` on data.
const MIXTURE: &str = r#"{"program": {"entry": "main", "functions": {"main": {
  "args": [{"name": "y", "type": "f64"}, {"name": "w", "type": "[f64]"}], "return": "void", "body": [
  {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}}},
  {"let": {"name": "z", "value": {"sample": {"distribution": "bernoulli", "params": [{"literal": 0.3}]}}}},
  {"let": {"name": "k", "value": {"sample": {"distribution": "categorical", "params": [{"var": "w"}]}}}},
  {"let": {"name": "shift", "value": {"cond": {"if": {"op": {"kind": "eq", "args": [{"var": "z"}, {"literal": 1}]}}, "then": {"literal": 2.0}, "else": {"literal": 0.0}}}}},
  {"let": {"name": "offset", "value": {"op": {"kind": "add", "args": [{"var": "shift"}, {"cast": {"value": {"var": "k"}, "type": "f64"}}]}}}},
  {"observe": {"distribution": "normal", "params": [{"op": {"kind": "add", "args": [{"var": "mu"}, {"var": "offset"}]}}, {"literal": 1.0}], "value": {"var": "y"}}}
]}}}}"#;
/// The same model with `z` drawn and returned by a helper function.
const MIXTURE_HELPER: &str = r#"{"program": {"entry": "main", "functions": {
  "draw_z": {"args": [{"name": "p", "type": "f64"}], "return": "i64", "body": [
    {"return": {"sample": {"distribution": "bernoulli", "params": [{"var": "p"}]}}}]},
  "main": {
  "args": [{"name": "y", "type": "f64"}, {"name": "w", "type": "[f64]"}], "return": "void", "body": [
  {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}}},
  {"let": {"name": "z", "value": {"call": {"function": "draw_z", "args": [{"literal": 0.3}]}}, "output": true}},
  {"let": {"name": "k", "value": {"sample": {"distribution": "categorical", "params": [{"var": "w"}]}}}},
  {"let": {"name": "shift", "value": {"cond": {"if": {"op": {"kind": "eq", "args": [{"var": "z"}, {"literal": 1}]}}, "then": {"literal": 2.0}, "else": {"literal": 0.0}}}}},
  {"let": {"name": "offset", "value": {"op": {"kind": "add", "args": [{"var": "shift"}, {"cast": {"value": {"var": "k"}, "type": "f64"}}]}}}},
  {"observe": {"distribution": "normal", "params": [{"op": {"kind": "add", "args": [{"var": "mu"}, {"var": "offset"}]}}, {"literal": 1.0}], "value": {"var": "y"}}}
]}}}}"#;
const MIXTURE_DATA: &str = r#"{"y": 2.5, "w": [0.2, 0.5, 0.3]}"#;

/// The three models (the helper's draw inlined) compile to adjoint code; `diagnose` passes (reverse mode against fourth-order
/// finite differences and forward mode, 1e-6) with the compiled adjoint and with the tape, and
/// the two agree to 1e-9 relative.
#[test]
fn enumerated_gradients_agree_compiled_taped_and_finite_differences() {
    let root = support::root();
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("mixture.sirs.json"), MIXTURE).expect("write");
    std::fs::write(dir.path().join("mixture.data.json"), MIXTURE_DATA).expect("write");
    std::fs::write(dir.path().join("helper.sirs.json"), MIXTURE_HELPER).expect("write");
    let cases = [
        ("coal_mining", root.join("examples/coal_mining.sirs.json"), root.join("examples/coal_mining.data.json")),
        ("mixture", dir.path().join("mixture.sirs.json"), dir.path().join("mixture.data.json")),
        ("helper", dir.path().join("helper.sirs.json"), dir.path().join("mixture.data.json")),
    ];
    for (name, model, data) in cases {
        let source = std::fs::read_to_string(&model).expect("model");
        let c = support::compile(&format!("{name}.sirs.json"), &source);
        assert!(!c.has_errors(), "{}", support::rendered(&c));
        let strategy = c.cir.as_ref().and_then(|p| p.ad.as_ref()).map(|s| format!("{s:?}")).unwrap_or_default();
        assert!(strategy.starts_with("Adjoint"), "{name}: {strategy}");
        let exe = dir.path().join(name);
        support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe).expect("build");
        let run = |tape: bool| {
            let mut cmd = std::process::Command::new(&exe);
            cmd.args(["diagnose", "--seed", "7", "--points", "3", "--data"]).arg(&data);
            if tape {
                cmd.env("SEV_GRADIENT", "tape");
            } else {
                cmd.env_remove("SEV_GRADIENT");
            }
            let o: support::Output = support::output_retrying_busy(&mut cmd).expect("diagnose runs").into();
            assert_eq!(o.code, 0, "{name} (tape: {tape}): {}{}", o.stdout, o.stderr);
            support::diagnose_reverse_gradients(&o.stdout)
        };
        let (adjoint, tape) = (run(false), run(true));
        assert!(adjoint.len() >= 6 && adjoint.len() == tape.len(), "{name}: {adjoint:?} {tape:?}");
        for (a, t) in adjoint.iter().zip(&tape) {
            assert!((a - t).abs() <= 1e-9 * a.abs().max(t.abs()).max(1.0), "{name}: adjoint {a} against tape {t}");
        }
    }
}

/// The mixture's exact posterior: y | offset o ~ normal(o, √2) with mu integrated out, so
/// p(z, k | y) ∝ p(z) w_k N(y; 2z + k, √2) and E[mu | z, k, y] = (y − 2z − k)/2.
#[test]
fn two_discrete_parameters_match_the_exact_posterior() {
    mixture_matches_the_exact_posterior(MIXTURE);
}

/// A draw a helper function makes and returns is summed out too (its column is the `output`).
#[test]
fn a_discrete_parameter_drawn_by_a_helper_function_matches_the_exact_posterior() {
    mixture_matches_the_exact_posterior(MIXTURE_HELPER);
}

fn mixture_matches_the_exact_posterior(source: &str) {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("mixture.sirs.json"), source).expect("write");
    std::fs::write(dir.path().join("mixture.data.json"), MIXTURE_DATA).expect("write");
    let (y, w) = (2.5_f64, [0.2, 0.5, 0.3]);
    let mut joint = Vec::new();
    for z in 0..2 {
        for (k, wk) in w.iter().enumerate() {
            let o = 2.0 * z as f64 + k as f64;
            let prior = if z == 1 { 0.3 } else { 0.7 } * wk;
            joint.push((z as f64, k as f64, prior * (-(y - o).powi(2) / 4.0).exp(), (y - o) / 2.0));
        }
    }
    let total: f64 = joint.iter().map(|j| j.2).sum();
    let p_z1: f64 = joint.iter().filter(|j| j.0 == 1.0).map(|j| j.2).sum::<f64>() / total;
    let mean_k: f64 = joint.iter().map(|j| j.1 * j.2).sum::<f64>() / total;
    let mean_mu: f64 = joint.iter().map(|j| j.3 * j.2).sum::<f64>() / total;
    let summary = dir.path().join("summary.json");
    let args = vec![
        "run".to_string(),
        dir.path().join("mixture.sirs.json").display().to_string(),
        "--data".into(),
        dir.path().join("mixture.data.json").display().to_string(),
        "--output".into(),
        dir.path().join("out").display().to_string(),
        "--summary".into(),
        summary.display().to_string(),
        "--seed".into(),
        SEED.into(),
        "--".into(),
        "--quiet".into(),
    ];
    let o = sev(&args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("json");
    for (name, exact) in [("z", p_z1), ("k", mean_k), ("mu", mean_mu)] {
        let (mean, mcse) = (stat(&stats, name, "mean"), stat(&stats, name, "mcse_mean"));
        println!("{name}: mean {mean:.4}, exact {exact:.4}, tol {:.4}", 4.0 * mcse);
        assert!((mean - exact).abs() < 4.0 * mcse, "{name}: {mean} vs {exact} (mcse {mcse})");
    }
}

/// mu ~ normal(0, 1); for each datum, z ~ bernoulli(0.5) and y[i] ~ normal(mu + 2z, 1): one
/// enumerated site reached once per datum (columns z.1, z.2, …), 2^n combinations.
const LOOP: &str = r#"{"program": {"entry": "main", "functions": {"main": {
  "args": [{"name": "y", "type": "[f64]"}], "return": "void", "body": [
  {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}}},
  {"for": {"variable": "i", "iterable": {"range": {"start": {"literal": 0}, "end": {"call": {"function": "len", "args": [{"var": "y"}]}}}}, "body": [
    {"let": {"name": "z", "value": {"sample": {"distribution": "bernoulli", "params": [{"literal": 0.5}]}}}},
    {"let": {"name": "shift", "value": {"cond": {"if": {"op": {"kind": "eq", "args": [{"var": "z"}, {"literal": 1}]}}, "then": {"literal": 2.0}, "else": {"literal": 0.0}}}}},
    {"observe": {"distribution": "normal", "params": [{"op": {"kind": "add", "args": [{"var": "mu"}, {"var": "shift"}]}}, {"literal": 1.0}], "value": {"index": {"array": {"var": "y"}, "index": {"var": "i"}}}}}
  ]}}
]}}}}"#;

/// The loop model against its exact posterior (mu integrated out: y | z ~ normal(2z, I + 11ᵀ),
/// whose inverse is I − 11ᵀ/(n+1), and E[mu | z, y] = Σ(y − 2z)/(n+1)); with 20 data the
/// 2^20 combinations are past the enumeration limits, so `z` takes its Gibbs fallback (a note
/// says so) and still matches the exact posterior.
#[test]
fn discrete_parameters_in_a_loop_match_the_exact_posterior_and_too_many_are_gibbs_updated() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let model = dir.path().join("loop.sirs.json");
    std::fs::write(&model, LOOP).expect("write");
    let y = [0.1, 2.2, 1.9];
    let n = y.len() as f64;
    let (mut total, mut p_z, mut mean_mu) = (0.0, [0.0; 3], 0.0);
    for bits in 0..8u32 {
        let z: Vec<f64> = (0..3).map(|i| f64::from((bits >> i) & 1)).collect();
        let r: Vec<f64> = y.iter().zip(&z).map(|(y, z)| y - 2.0 * z).collect();
        let sum: f64 = r.iter().sum();
        let w = (-(r.iter().map(|x| x * x).sum::<f64>() - sum * sum / (n + 1.0)) / 2.0).exp();
        total += w;
        for i in 0..3 {
            p_z[i] += w * z[i];
        }
        mean_mu += w * sum / (n + 1.0);
    }
    let data = dir.path().join("three.json");
    std::fs::write(&data, r#"{"y": [0.1, 2.2, 1.9]}"#).expect("write");
    let summary = dir.path().join("summary.json");
    let run = |data: &Path, out: &str| {
        let args = vec![
            "run".to_string(),
            model.display().to_string(),
            "--data".into(),
            data.display().to_string(),
            "--output".into(),
            dir.path().join(out).display().to_string(),
            "--summary".into(),
            summary.display().to_string(),
            "--seed".into(),
            SEED.into(),
            "--".into(),
            "--quiet".into(),
        ];
        sev(&args)
    };
    let o = run(&data, "three");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("json");
    let exact = [("z.1", p_z[0] / total), ("z.2", p_z[1] / total), ("z.3", p_z[2] / total), ("mu", mean_mu / total)];
    for (name, exact) in exact {
        let (mean, mcse) = (stat(&stats, name, "mean"), stat(&stats, name, "mcse_mean"));
        println!("{name}: mean {mean:.4}, exact {exact:.4}, tol {:.4}", 4.0 * mcse);
        assert!((mean - exact).abs() < 4.0 * mcse, "{name}: {mean} vs {exact} (mcse {mcse})");
    }
    let twenty = dir.path().join("twenty.json");
    std::fs::write(&twenty, format!(r#"{{"y": [{}]}}"#, vec!["0.5"; 20].join(", "))).expect("write");
    let o = run(&twenty, "twenty");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("note: the discrete parameter `z` is past the enumeration limits with this data"), "{}", o.stderr);
    // y all 0.5: the z are exchangeable; exact E[mu] and P(z_i = 1) by a sum over the number of ones
    let (n, mut total, mut ones, mut mean_mu) = (20.0, 0.0, 0.0, 0.0);
    for m in 0..=20u32 {
        let choose: f64 = (1..=m).map(|i| f64::from(20 - m + i) / f64::from(i)).product();
        let (r_one, r_zero) = (0.5 - 2.0, 0.5);
        let sum = f64::from(m) * r_one + f64::from(20 - m) * r_zero;
        let sq = f64::from(m) * r_one * r_one + f64::from(20 - m) * r_zero * r_zero;
        let w = choose * (-(sq - sum * sum / (n + 1.0)) / 2.0).exp();
        total += w;
        ones += w * f64::from(m) / n;
        mean_mu += w * sum / (n + 1.0);
    }
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("json");
    let (mean, mcse) = (stat(&stats, "mu", "mean"), stat(&stats, "mu", "mcse_mean"));
    assert!((mean - mean_mu / total).abs() < 4.0 * mcse, "mu: {mean} vs {} (mcse {mcse})", mean_mu / total);
    let z_means: Vec<f64> = (1..=20).map(|i| stat(&stats, &format!("z.{i}"), "mean")).collect();
    let z_mean = z_means.iter().sum::<f64>() / n;
    let z_mcse = (1..=20).map(|i| stat(&stats, &format!("z.{i}"), "mcse_mean")).fold(0.0, f64::max);
    println!("twenty: mu {mean:.4} exact {:.4}; mean z {z_mean:.4} exact {:.4} (largest mcse {z_mcse:.4})", mean_mu / total, ones / total);
    assert!((z_mean - ones / total).abs() < 4.0 * z_mcse, "z: {z_mean} vs {}", ones / total);
    // a `bool` draw cannot be a Gibbs site (values are integers): past the limits it is E0333
    let as_bool = LOOP.replace(r#"{"let": {"name": "z", "value""#, r#"{"let": {"name": "z", "type": "bool", "value""#).replace(r#"{"op": {"kind": "eq", "args": [{"var": "z"}, {"literal": 1}]}}"#, r#"{"var": "z"}"#);
    assert_ne!(as_bool, LOOP);
    std::fs::write(&model, as_bool).expect("write");
    let o = run(&twenty, "twenty_bool");
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("E0333") && o.stderr.contains("more than 10000 combinations") && o.stderr.contains("loop.sirs.json:5:"), "{}", o.stderr);
}
