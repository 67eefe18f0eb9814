//! Discrete model parameters updated by Metropolis-within-Gibbs steps (`cir::enumerate` makes a
//! discrete site a Gibbs site when it cannot be summed out; `runtime/ppl/gibbs.zig` and
//! `Model.gibbs_sweep` update it between the continuous transitions), end to end:
//!
//! * `examples/population_size` (N ~ poisson(30) animals, p ~ beta(2, 2), y[j] ~ binomial(N, p)
//!   for four surveys) against its exact posterior, computed here: p integrates out in closed
//!   form (beta-binomial), so p(N | y) ∝ poisson(N; 30) · Π C(N, y_j) · B(2 + Σy, 2 + J·N − Σy),
//!   summed over N = max y … 400 (the mass beyond is below 1e-100), and E[p | y] =
//!   Σ p(N | y) (2 + Σy) / (4 + J·N). Means must be within 4·MCSE; P(N ≤ 25) and P(N ≥ 33)
//!   within 4·√(q(1−q)/ESS) of the exact ones (ESS: the bulk ESS of `N`); with NUTS, static
//!   HMC, random-walk and adaptive Metropolis;
//! * a Gibbs site next to an enumerated one (z ~ bernoulli(0.5) choosing N's prior rate 20 or
//!   40): the means of N, z and p within 4·MCSE of the exact ones (a sum over z and N);
//! * the draws are bit-identical at `-O0` and `-O2`, with one and two threads, and with the
//!   compiled gradient and the tape (`SEV_GRADIENT=tape`);
//! * simulation-based calibration: 150 replicates of λ ~ gamma(10, 0.5), N ~ poisson(λ),
//!   y_j ~ binomial(N, 0.5) for j = 1..3, drawn in Rust with fixed seeds, one chain each of one
//!   compiled binary; the ranks of λ and N among 99 thinned draws (ties of N broken uniformly
//!   at random, as Talts et al. 2018 advise) in 10 bins must give a chi-square statistic below
//!   27.88, the 0.1 % critical value with 9 degrees of freedom;
//! * `diagnose` passes on a model with a Gibbs site;
//! * `--emit cir` names Gibbs and enumerated sites, and a finite site beyond the enumeration
//!   limits is a Gibbs site;
//! * ADVI, Pathfinder and SMC refuse such a model with E0338, located at the site (`sample
//!   --algorithm`, and SMC in `infer`, which fits it with NUTS);
//! * a `discrete_uniform` and a `categorical` whose supports, read from the data, are past the
//!   enumeration limits take their Gibbs fallback and match their exact posterior;
//! * with the ridge move, the default run of `examples/population_size` has a bulk ESS of N of
//!   at least 400 and no warning.

mod support;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Binomial, Distribution, Gamma, Poisson, Uniform};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const SEED: &str = "20261207";
const SURVEYS: [u64; 4] = [12, 15, 9, 14];

fn sev(args: &[String]) -> support::Output {
    support::sev(args, SEED, None)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn ln_factorial(k: u64) -> f64 {
    (2..=k).map(|i| (i as f64).ln()).sum()
}

/// The exact posterior of the population model: p(N | y) for N = 0..=400, and E[p | y].
fn exact_population() -> (Vec<f64>, f64) {
    let (j, s) = (SURVEYS.len() as u64, SURVEYS.iter().sum::<u64>());
    let max_y = SURVEYS.iter().copied().max().unwrap_or(0);
    let log_post: Vec<f64> = (0..=400u64)
        .map(|n| {
            if n < max_y {
                return f64::NEG_INFINITY;
            }
            let prior = n as f64 * 30f64.ln() - 30.0 - ln_factorial(n);
            let choose: f64 = SURVEYS.iter().map(|&y| ln_factorial(n) - ln_factorial(y) - ln_factorial(n - y)).sum();
            // B(a, b) with integer a = 2 + s, b = 2 + J·N − s: (a−1)!(b−1)!/(a+b−1)!
            let (a, b) = (2 + s, 2 + j * n - s);
            prior + choose + ln_factorial(a - 1) + ln_factorial(b - 1) - ln_factorial(a + b - 1)
        })
        .collect();
    let max = log_post.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_post.iter().map(|x| (x - max).exp()).collect();
    let z: f64 = w.iter().sum();
    let p_n: Vec<f64> = w.iter().map(|x| x / z).collect();
    let mean_p = p_n.iter().enumerate().map(|(n, q)| q * (2 + s) as f64 / (4 + j * n as u64) as f64).sum();
    (p_n, mean_p)
}

fn stat(stats: &Value, name: &str, key: &str) -> f64 {
    let columns = stats["columns"].as_array().expect("columns");
    let col = columns.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no column {name}"));
    col[key].as_f64().unwrap_or(f64::NAN)
}

/// Runs `examples/population_size` with `extra` options; the output folder and the summary.
fn run_population(dir: &Path, tag: &str, extra: &[&str], env_tape: bool) -> (PathBuf, Value) {
    let root = support::root();
    let out = dir.join(tag);
    let summary = dir.join(format!("{tag}.summary.json"));
    let mut args = strings(&["run"]);
    args.extend(extra.iter().take_while(|a| **a != "--").map(|s| s.to_string()));
    args.push(root.join("examples/population_size.sirs.json").display().to_string());
    args.extend(["--data".into(), root.join("examples/population_size.data.json").display().to_string()]);
    args.extend(["--output".into(), out.display().to_string(), "--summary".into(), summary.display().to_string()]);
    args.extend(strings(&["--seed", SEED, "--", "--quiet"]));
    args.extend(extra.iter().skip_while(|a| **a != "--").skip(1).map(|s| s.to_string()));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sev"));
    cmd.args(&args).env("SEV_CACHE_DIR", support::cache_dir()).env("SEV_SEED", SEED);
    if env_tape {
        cmd.env("SEV_GRADIENT", "tape");
    }
    let o: support::Output = cmd.output().expect("sev runs").into();
    assert_eq!(o.code, 0, "population_size {tag}: {}", o.stderr);
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("summary json");
    (out, stats)
}

/// The values of column `name` in every chain's CSV file under `dir`.
fn column(dir: &Path, name: &str) -> Vec<f64> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).expect("output").flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "csv")).collect();
    files.sort();
    files.iter().flat_map(|f| read_columns(f, &[name]).remove(0)).collect()
}

/// Reads the named columns of a Stan CSV file.
fn read_columns(path: &Path, names: &[&str]) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(path).expect("csv");
    let mut lines = text.lines().filter(|l| !l.starts_with('#') && !l.is_empty());
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let idx: Vec<usize> = names.iter().map(|n| header.iter().position(|h| h == n).unwrap_or_else(|| panic!("no column {n} in {header:?}"))).collect();
    let mut out = vec![Vec::new(); names.len()];
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        for (k, &i) in idx.iter().enumerate() {
            out[k].push(fields[i].parse::<f64>().expect("number"));
        }
    }
    out
}

fn check_population(dir: &Path, algorithm: &str) {
    let (p_n, mean_p) = exact_population();
    let mean_n: f64 = p_n.iter().enumerate().map(|(n, q)| n as f64 * q).sum();
    let (out, stats) = run_population(dir, algorithm, &["--algorithm", algorithm, "--draws", "10000", "--", "--chains", "4"], false);
    let mut failures = Vec::new();
    for (name, exact) in [("N", mean_n), ("p", mean_p)] {
        let (mean, mcse) = (stat(&stats, name, "mean"), stat(&stats, name, "mcse_mean"));
        println!("{algorithm} {name}: mean {mean} (mcse {mcse}), exact {exact}");
        let within = (mean - exact).abs() < 4.0 * mcse; // false for NaN
        if !within {
            failures.push(format!("{name}: mean {mean} vs exact {exact} (mcse {mcse})"));
        }
    }
    let n_draws = column(&out, "N");
    let ess = stat(&stats, "N", "ess_bulk");
    assert!(n_draws.len() == 40000 && ess > 500.0, "{} draws of N, bulk ESS {ess}", n_draws.len());
    let share = |keep: &dyn Fn(f64) -> bool| n_draws.iter().filter(|n| keep(**n)).count() as f64 / n_draws.len() as f64;
    let tail_low: f64 = p_n[..=25].iter().sum();
    let tail_high: f64 = p_n[33..].iter().sum();
    for (label, got, exact) in [("P(N <= 25)", share(&|n| n <= 25.0), tail_low), ("P(N >= 33)", share(&|n| n >= 33.0), tail_high)] {
        let tol = 4.0 * (exact * (1.0 - exact) / ess).sqrt();
        println!("{algorithm} {label}: {got} vs exact {exact} (tolerance {tol})");
        let within = (got - exact).abs() < tol;
        if !within {
            failures.push(format!("{label}: {got} vs exact {exact} (tolerance {tol})"));
        }
    }
    assert!(n_draws.iter().all(|n| n.fract() == 0.0 && *n >= 15.0), "N must be an integer at least max y = 15");
    assert!(failures.is_empty(), "{algorithm}: {}", failures.join("; "));
}

#[test]
fn population_size_posterior_matches_the_exact_one_with_nuts() {
    let dir = tempfile::tempdir().expect("temporary directory");
    check_population(dir.path(), "nuts");
}

#[test]
fn population_size_posterior_matches_the_exact_one_with_adaptive_metropolis() {
    let dir = tempfile::tempdir().expect("temporary directory");
    check_population(dir.path(), "adaptive-mh");
}

#[test]
fn population_size_posterior_matches_the_exact_one_with_static_hmc_and_random_walk_metropolis() {
    let dir = tempfile::tempdir().expect("temporary directory");
    check_population(dir.path(), "hmc");
    check_population(dir.path(), "mh");
}

/// p ~ beta(2, 2), z ~ bernoulli(0.5) (summed out), N ~ poisson(20 or 40 by z) (Gibbs-updated),
/// y ~ binomial(N, p) for the four surveys.
const MIXED: &str = r#"{"program": {"entry": "main", "functions": {"main": {
  "args": [{"name": "y", "type": "[i64]"}], "return": "void", "body": [
  {"let": {"name": "p", "value": {"sample": {"distribution": "beta", "params": [{"literal": 2.0}, {"literal": 2.0}]}}}},
  {"let": {"name": "z", "value": {"sample": {"distribution": "bernoulli", "params": [{"literal": 0.5}]}}}},
  {"let": {"name": "rate", "value": {"cond": {"if": {"op": {"kind": "eq", "args": [{"var": "z"}, {"literal": 1}]}}, "then": {"literal": 40.0}, "else": {"literal": 20.0}}}}},
  {"let": {"name": "N", "value": {"sample": {"distribution": "poisson", "params": [{"var": "rate"}]}}}},
  {"observe": {"distribution": "binomial", "params": [{"var": "N"}, {"var": "p"}], "value": {"var": "y"}}}
]}}}}"#;

/// The exact posterior means of N, z and p of [`MIXED`]: a sum over z and N (p integrates out).
fn exact_mixed() -> (f64, f64, f64) {
    let (j, s) = (SURVEYS.len() as u64, SURVEYS.iter().sum::<u64>());
    let max_y = SURVEYS.iter().copied().max().unwrap_or(0);
    let mut terms = Vec::new();
    for (z, rate) in [(0.0, 20f64), (1.0, 40f64)] {
        for n in max_y..=400u64 {
            let prior = n as f64 * rate.ln() - rate - ln_factorial(n);
            let choose: f64 = SURVEYS.iter().map(|&y| ln_factorial(n) - ln_factorial(y) - ln_factorial(n - y)).sum();
            let (a, b) = (2 + s, 2 + j * n - s);
            let log_w = prior + choose + ln_factorial(a - 1) + ln_factorial(b - 1) - ln_factorial(a + b - 1);
            terms.push((log_w, z, n as f64, a as f64 / (a + b) as f64));
        }
    }
    let max = terms.iter().map(|t| t.0).fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = terms.iter().map(|t| (t.0 - max).exp()).sum();
    let mean = |f: &dyn Fn(&(f64, f64, f64, f64)) -> f64| terms.iter().map(|t| (t.0 - max).exp() / total * f(t)).sum::<f64>();
    (mean(&|t| t.2), mean(&|t| t.1), mean(&|t| t.3))
}

#[test]
fn a_gibbs_site_next_to_an_enumerated_one_matches_the_exact_posterior() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let model = dir.path().join("mixed.sirs.json");
    std::fs::write(&model, MIXED).expect("model");
    let data = dir.path().join("mixed.data.json");
    std::fs::write(&data, json!({ "y": SURVEYS }).to_string()).expect("data");
    let summary = dir.path().join("mixed.summary.json");
    let args = strings(&["run", &model.display().to_string(), "--data", &data.display().to_string(), "--output", &dir.path().join("out").display().to_string(), "--summary", &summary.display().to_string(), "--seed", SEED, "--draws", "10000", "--", "--quiet"]);
    let o = sev(&args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("json");
    let (n, z, p) = exact_mixed();
    for (name, exact) in [("N", n), ("z", z), ("p", p)] {
        let (mean, mcse) = (stat(&stats, name, "mean"), stat(&stats, name, "mcse_mean"));
        println!("mixed {name}: mean {mean} (mcse {mcse}), exact {exact}");
        let within = (mean - exact).abs() < 4.0 * mcse;
        assert!(within, "{name}: mean {mean} vs exact {exact} (mcse {mcse})");
    }
}

#[test]
fn gibbs_draws_are_identical_at_o0_and_o2_with_one_or_two_threads_and_with_the_tape() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let csv = |tag: &str, extra: &[&str], tape: bool| {
        let mut args: Vec<&str> = extra.to_vec();
        args.extend(["--", "--chains", "2", "--warmup", "150", "--draws", "150"]);
        let (out, _) = run_population(dir.path(), tag, &args, tape);
        (column(&out, "N"), column(&out, "p"))
    };
    let o0 = csv("o0", &["-O0", "--threads", "1"], false);
    let o2 = csv("o2", &["-O2", "--threads", "1"], false);
    let o2_two = csv("o2_two_threads", &["-O2", "--threads", "2"], false);
    let tape = csv("tape", &["-O2", "--threads", "1"], true);
    assert_eq!(o0.0.len(), 300);
    assert!(o0.0.windows(2).any(|w| w[0] != w[1]), "N never moved");
    assert!(o0 == o2, "the draws differ between -O0 and -O2");
    assert!(o2 == o2_two, "the draws differ between one and two threads");
    // the compiled adjoint and the tape agree to rounding, so N's accept/reject decisions agree
    assert!(o2.0 == tape.0, "N differs between the compiled gradient and the tape");
}

fn write_model(dir: &Path, name: &str, args: &str, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.sirs.json"));
    let source = format!(r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [{args}], "return": "void", "body": [{body}]}}}}}}}}"#);
    std::fs::write(&path, source).expect("write model");
    path
}

#[test]
fn emit_cir_names_gibbs_and_enumerated_sites_and_a_site_beyond_the_limits_is_gibbs() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let model = write_model(
        dir.path(),
        "mixed",
        r#"{"name": "y", "type": "f64"}"#,
        r#"{"let": {"name": "z", "value": {"sample": {"distribution": "bernoulli", "params": [{"literal": 0.3}]}}}},
           {"let": {"name": "year", "value": {"sample": {"distribution": "discrete_uniform", "params": [{"literal": 1}, {"literal": 5000}]}}}},
           {"let": {"name": "k", "value": {"sample": {"distribution": "neg_binomial_2", "params": [{"literal": 4.0}, {"literal": 2.0}]}}}},
           {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 10.0}]}}}},
           {"let": {"name": "m", "value": {"op": {"kind": "add", "args": [{"var": "mu"}, {"cast": {"value": {"op": {"kind": "add", "args": [{"var": "z"}, {"var": "k"}, {"var": "year"}]}}, "type": "f64"}}]}}}},
           {"observe": {"distribution": "normal", "params": [{"var": "m"}, {"literal": 1.0}], "value": {"var": "y"}}}"#,
    );
    let o = sev(&["build".to_string(), model.display().to_string(), "--emit".into(), "cir".into()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let line = |name: &str| o.stdout.lines().find(|l| l.contains(&format!("sample {name}("))).unwrap_or_else(|| panic!("no {name} sample in\n{}", o.stdout)).to_string();
    assert!(line("bernoulli").contains("enumerated site"), "{}", line("bernoulli"));
    assert!(line("discrete_uniform").contains("gibbs site"), "{}", line("discrete_uniform"));
    assert!(line("neg_binomial_2").contains("gibbs site"), "{}", line("neg_binomial_2"));
}

/// Models that were E0333 before Gibbs updates: a `poisson` draw deciding whether a `factor`
/// runs, and one returned by a helper function (beside a finite draw passed to a helper).
#[test]
fn unbounded_draws_under_a_condition_or_from_a_helper_are_gibbs_sites() {
    let dir = support::root().join("tests/cases/gibbs");
    for (case, enumerated) in [("discrete_draw_under_a_condition", 1), ("discrete_draw_through_function_calls", 1)] {
        let o = sev(&["build".to_string(), dir.join(format!("{case}.sirs.json")).display().to_string(), "--emit".into(), "cir".into()]);
        assert_eq!(o.code, 0, "{case}: {}", o.stderr);
        let gibbs = o.stdout.lines().filter(|l| l.contains("sample poisson(") && l.contains("gibbs site")).count();
        let summed = o.stdout.lines().filter(|l| l.contains("enumerated site")).count();
        assert_eq!((gibbs, summed), (1, enumerated), "{case}:\n{}", o.stdout);
    }
}

#[test]
fn advi_pathfinder_and_smc_refuse_a_gibbs_model_with_e0338() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (exe, data) = build_population_size(dir.path());
    for algorithm in ["advi", "pathfinder", "smc"] {
        let args = strings(&["sample", "--data", &data, "--output", &dir.path().display().to_string(), "--algorithm", algorithm, "--quiet"]);
        let o = support::run_exe(&exe, &args, None).expect("runs");
        assert_eq!(o.code, 1, "{algorithm}: {}", o.stderr);
        assert!(o.stderr.contains("E0338") && o.stderr.contains("`N`") && o.stderr.contains(algorithm), "{algorithm}: {}", o.stderr);
        assert!(o.stderr.contains("population_size.sirs.json:21:24 (in function `main`)"), "{algorithm}: the refusal is located at N: {}", o.stderr);
    }
}

/// `diagnose` checks the gradient of a model with a Gibbs site (at the discrete values drawn
/// for the point), reverse mode against finite differences and forward mode.
#[test]
fn diagnose_checks_the_gradient_at_the_current_discrete_values() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (exe, data) = build_population_size(dir.path());
    let o = support::run_exe(&exe, &strings(&["diagnose", "--data", &data, "--seed", "3"]), None).expect("runs");
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let printed = support::diagnose_reverse_gradients(&o.stdout);
    assert!(printed.len() >= 2 && printed.iter().all(|x| x.is_finite()), "{}", o.stdout);
    assert!(o.stdout.contains("ok: the gradient agrees"), "{}", o.stdout);
}

/// `infer` samples a model with a Gibbs site by NUTS, and refuses SMC for it with E0338.
#[test]
fn infer_fits_a_gibbs_model_with_nuts_and_refuses_smc() {
    let dir = support::root().join("tests/cases/gibbs");
    let o = sev(&["run".to_string(), dir.join("infer_nuts.sirs.json").display().to_string()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mean: f64 = o.stdout.lines().nth(1).and_then(|l| l.trim().parse().ok()).unwrap_or(f64::NAN);
    // 2 × 300 draws of a slowly mixing chain: only a coarse check against E[N | y] = 28.93
    assert!(mean > 20.0 && mean < 40.0 && mean.fract() != 0.0, "posterior mean of N {mean}: {}", o.stdout);
    let o = sev(&["run".to_string(), dir.join("infer_smc_refused.sirs.json").display().to_string()]);
    assert_eq!(o.code, 101, "{}", o.stderr);
    assert!(o.stdout.starts_with("fitting\n"), "{}", o.stdout);
    assert!(o.stderr.contains("E0338") && o.stderr.contains("infer_smc_refused.sirs.json:20:24 (in function `population`)"), "{}", o.stderr);
}

// ----- Simulation-based calibration -----------------------------------------------------------

const REPLICATES: usize = 150;
const KEPT: usize = 99;
const THIN: usize = 10;
const BINS: usize = 10;
/// The 0.999 quantile of the chi-square distribution with 9 degrees of freedom.
const CHI2_CRITICAL: f64 = 27.877;

fn sbc_source() -> String {
    json!({"program": {"entry": "main", "functions": {"main": {
        "args": [{"name": "y", "type": "[i64]"}],
        "return": "void",
        "body": [
            {"let": {"name": "lambda", "value": {"sample": {"distribution": "gamma", "params": [{"literal": 10.0}, {"literal": 0.5}]}}}},
            {"let": {"name": "N", "value": {"sample": {"distribution": "poisson", "params": [{"var": "lambda"}]}}}},
            {"observe": {"distribution": "binomial", "params": [{"var": "N"}, {"literal": 0.5}], "value": {"var": "y"}}}
        ]
    }}}})
    .to_string()
}

/// The rank of `truth` among `draws`: those below it, plus a uniform share of the ties.
fn rank(draws: &[f64], truth: f64, rng: &mut Xoshiro256PlusPlus) -> Result<usize, String> {
    let below = draws.iter().filter(|x| **x < truth).count();
    let ties = draws.iter().filter(|x| **x == truth).count();
    let extra = Uniform::new_inclusive(0, ties).map_err(|e| e.to_string())?.sample(rng);
    Ok(below + extra)
}

/// One replicate: the ranks of λ and N, or an error.
fn replicate(exe: &Path, r: usize, dir: &Path) -> Result<[usize; 2], String> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7_000_003 * r as u64 + 11);
    let lambda = Gamma::new(10.0, 2.0).map_err(|e| e.to_string())?.sample(&mut rng);
    let n = Poisson::new(lambda).map_err(|e| e.to_string())?.sample(&mut rng) as u64;
    let detect = Binomial::new(n, 0.5).map_err(|e| e.to_string())?;
    let y: Vec<u64> = (0..3).map(|_| detect.sample(&mut rng)).collect();
    let work = dir.join(format!("sbc_{r}"));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let data = work.join("data.json");
    std::fs::write(&data, json!({ "y": y }).to_string()).map_err(|e| e.to_string())?;
    let args = strings(&["sample", "--data", &data.display().to_string(), "--output", &work.display().to_string(), "--chains", "1", "--warmup", "500", "--draws", &(KEPT * THIN).to_string(), "--seed", &(r + 1).to_string(), "--quiet"]);
    let out = support::run_exe(exe, &args, None)?;
    if out.code != 0 {
        return Err(format!("replicate {r}: exit {}: {}", out.code, out.stderr));
    }
    let values = read_columns(&work.join("sbc_gibbs_chain_1.csv"), &["lambda", "N"]);
    let _ = std::fs::remove_dir_all(&work);
    let thinned = |xs: &[f64]| -> Vec<f64> { xs.iter().skip(THIN - 1).step_by(THIN).take(KEPT).copied().collect() };
    Ok([rank(&thinned(&values[0]), lambda, &mut rng)?, rank(&thinned(&values[1]), n as f64, &mut rng)?])
}

fn chi_square(ranks: &[usize]) -> (f64, Vec<usize>) {
    let mut counts = vec![0usize; BINS];
    for &r in ranks {
        counts[(r * BINS / (KEPT + 1)).min(BINS - 1)] += 1;
    }
    let expected = ranks.len() as f64 / BINS as f64;
    let stat = counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum();
    (stat, counts)
}

#[test]
fn sbc_rank_histograms_of_a_gibbs_updated_count_and_its_rate_are_uniform() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = support::compile("sbc_gibbs.sirs.json", &sbc_source());
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    let exe = dir.path().join("sbc_gibbs");
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe).expect("builds");
    let results = support::parallel((0..REPLICATES).collect(), |r| replicate(&exe, r, dir.path()));
    let mut failures = Vec::new();
    let mut per_param: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for r in results {
        match r {
            Ok(ranks) => ranks.into_iter().enumerate().for_each(|(k, v)| per_param[k].push(v)),
            Err(e) => failures.push(e),
        }
    }
    for (param, ranks) in ["lambda", "N"].iter().zip(&per_param) {
        let (stat, counts) = chi_square(ranks);
        println!("{param}: rank histogram {counts:?}, chi-square {stat:.2} (critical {CHI2_CRITICAL})");
        if ranks.len() != REPLICATES || stat >= CHI2_CRITICAL {
            failures.push(format!("{param}: {} ranks, histogram {counts:?}, chi-square {stat:.2} >= {CHI2_CRITICAL}", ranks.len()));
        }
    }
    assert!(failures.is_empty(), "SBC failed:\n{}", failures.join("\n"));
}

/// The statements docs/probabilistic.md shows for the population model are the example's own.
#[test]
fn the_documented_population_statements_are_the_example() {
    let root = support::root();
    let doc = std::fs::read_to_string(root.join("docs/probabilistic.md")).expect("docs");
    let section = doc.split("### Worked example: a population size").nth(1).expect("the section");
    let block = section.split("```json").nth(1).and_then(|b| b.split("```").next()).expect("a json block");
    let shown: Value = serde_json::from_str(&format!("[{block}]")).expect("the block is statements");
    let example: Value = serde_json::from_str(&std::fs::read_to_string(root.join("examples/population_size.sirs.json")).expect("example")).expect("json");
    let body = example["program"]["functions"]["main"]["body"].as_array().expect("body");
    assert_eq!(shown.as_array().expect("statements"), body, "docs/probabilistic.md shows the whole body");
}

/// Builds examples/population_size into `dir`; returns the binary and the example's data path.
fn build_population_size(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let root = support::root();
    let exe = dir.join("population_size");
    let o = sev(&["build".to_string(), root.join("examples/population_size.sirs.json").display().to_string(), "-o".into(), exe.display().to_string()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    (exe, root.join("examples/population_size.data.json").display().to_string())
}

// ----- Supports read from the data past the enumeration limits ---------------------------------

/// mu ~ normal(0, 1); a ~ discrete_uniform(1, K) and b ~ categorical(w) with K and w from the
/// data; x[j] ~ normal(a + mu, 20) and u ~ normal(b, 30).
const DATA_SIZED: &str = r#"{"program": {"entry": "main", "functions": {"main": {
  "args": [{"name": "K", "type": "i64"}, {"name": "w", "type": "[f64]"}, {"name": "x", "type": "[f64]"}, {"name": "u", "type": "f64"}],
  "return": "void",
  "body": [
    {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}}},
    {"let": {"name": "a", "value": {"sample": {"distribution": "discrete_uniform", "params": [{"literal": 1}, {"var": "K"}]}}}},
    {"let": {"name": "b", "value": {"sample": {"distribution": "categorical", "params": [{"var": "w"}]}}}},
    {"observe": {"distribution": "normal", "params": [{"op": {"kind": "add", "args": [{"cast": {"value": {"var": "a"}, "type": "f64"}}, {"var": "mu"}]}}, {"literal": 20.0}], "value": {"var": "x"}}},
    {"observe": {"distribution": "normal", "params": [{"cast": {"value": {"var": "b"}, "type": "f64"}}, {"literal": 30.0}], "value": {"var": "u"}}}
  ]
}}}}"#;

const DATA_SIZED_X: [f64; 4] = [905.0, 880.0, 930.0, 899.0];
const DATA_SIZED_U: f64 = 400.0;

/// Normalised weights from log weights.
fn normalised(log_w: &[f64]) -> Vec<f64> {
    let max = log_w.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_w.iter().map(|x| (x - max).exp()).collect();
    let z: f64 = w.iter().sum();
    w.iter().map(|x| x / z).collect()
}

/// The exact posterior means of a, b and mu. mu integrates out of the x: given a, x ~ normal(a·1,
/// σ²I + 11ᵀ) with σ = 20, whose inverse is (I − 11ᵀ/(σ² + n))/σ², and E[mu | a, x] =
/// Σ(x − a)/(σ² + n); b is independent of the rest: p(b) ∝ w_b · normal(u | b, 30).
fn exact_data_sized(k: i64, w: &[f64]) -> (f64, f64, f64) {
    let (s2, n) = (400.0, DATA_SIZED_X.len() as f64);
    let mut log_a = Vec::new();
    let mut mu_given_a = Vec::new();
    for a in 1..=k {
        let r: Vec<f64> = DATA_SIZED_X.iter().map(|x| x - a as f64).collect();
        let sum: f64 = r.iter().sum();
        log_a.push(-(r.iter().map(|x| x * x).sum::<f64>() - sum * sum / (s2 + n)) / (2.0 * s2));
        mu_given_a.push(sum / (s2 + n));
    }
    let p_a = normalised(&log_a);
    let mean_a = p_a.iter().enumerate().map(|(i, p)| p * (i + 1) as f64).sum();
    let mean_mu = p_a.iter().zip(&mu_given_a).map(|(p, m)| p * m).sum();
    let log_b: Vec<f64> = w.iter().enumerate().map(|(b, wb)| wb.ln() - (DATA_SIZED_U - b as f64).powi(2) / (2.0 * 900.0)).collect();
    let mean_b = normalised(&log_b).iter().enumerate().map(|(b, p)| p * b as f64).sum();
    (mean_a, mean_b, mean_mu)
}

/// Probabilities of a categorical with `n` values, a bump centred on 700.
fn bump(n: usize) -> Vec<f64> {
    let w: Vec<f64> = (0..n).map(|k| (-0.5 * ((k as f64 - 700.0) / 200.0).powi(2)).exp()).collect();
    let z: f64 = w.iter().sum();
    w.iter().map(|x| x / z).collect()
}

/// A `discrete_uniform` and a `categorical` whose supports come from the data (1,500 and 1,200
/// values, past the 1,000 enumeration allows) are Gibbs-updated, with a note, and match their
/// exact posterior (means within 4·MCSE); `--emit cir` names the fallback; with small supports
/// from other data the same binary sums them out (no note).
#[test]
fn supports_read_from_the_data_past_the_limits_are_gibbs_updated_and_exact() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let model = dir.path().join("data_sized.sirs.json");
    std::fs::write(&model, DATA_SIZED).expect("write");
    let o = sev(&["build".to_string(), model.display().to_string(), "--emit".into(), "cir".into()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for dist in ["discrete_uniform", "categorical"] {
        let line = o.stdout.lines().find(|l| l.contains(&format!("sample {dist}("))).unwrap_or_default();
        assert!(line.contains("enumerated site") && line.contains("a gibbs site, with Metropolis-within-Gibbs updates, when the data take it past the enumeration limits"), "{line}");
    }
    let (k, w) = (1500i64, bump(1200));
    let data = dir.path().join("big.json");
    std::fs::write(&data, json!({"K": k, "w": w, "x": DATA_SIZED_X, "u": DATA_SIZED_U}).to_string()).expect("write");
    let summary = dir.path().join("big.summary.json");
    let run = |data: &Path, summary: &Path, out: &str| {
        let args = vec!["run".to_string(), model.display().to_string(), "--data".into(), data.display().to_string(), "--output".into(), dir.path().join(out).display().to_string(), "--summary".into(), summary.display().to_string(), "--seed".into(), SEED.into(), "--".into(), "--quiet".into()];
        sev(&args)
    };
    let o = run(&data, &summary, "big");
    assert_eq!(o.code, 0, "{}", o.stderr);
    for name in ["a", "b"] {
        assert!(o.stderr.contains(&format!("note: the discrete parameter `{name}` is past the enumeration limits with this data")), "{}", o.stderr);
    }
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("json");
    let (mean_a, mean_b, mean_mu) = exact_data_sized(k, &w);
    let mut failures = Vec::new();
    for (name, exact) in [("a", mean_a), ("b", mean_b), ("mu", mean_mu)] {
        let (mean, mcse) = (stat(&stats, name, "mean"), stat(&stats, name, "mcse_mean"));
        println!("{name}: mean {mean:.3} (mcse {mcse:.3}), exact {exact:.3}");
        if (mean - exact).abs() >= 4.0 * mcse || mcse.is_nan() {
            failures.push(format!("{name}: {mean} vs {exact} (mcse {mcse})"));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
    let small = dir.path().join("small.json");
    std::fs::write(&small, json!({"K": 30, "w": vec![0.05; 20], "x": [5.0, 20.0, 11.0, 30.0], "u": 12.0}).to_string()).expect("write");
    let o = run(&small, &dir.path().join("small.summary.json"), "small");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stderr.contains("enumeration limits"), "small supports are summed out: {}", o.stderr);
}

/// The ridge move (`gibbs.Ridge`: N and logit p moved together along their regression slope)
/// lets N mix: the default run (4 chains × 1,000 draws) had a bulk ESS of N of 113–228 over
/// seeds 1–3 and warned about R-hat; with it, 736–1,329 over six seeds and no warning. The
/// floor here, 400, keeps a margin below the lowest.
#[test]
fn population_size_mixes_well_enough_that_the_default_run_does_not_warn() {
    let root = support::root();
    let dir = tempfile::tempdir().expect("temporary directory");
    let summary = dir.path().join("summary.json");
    let args = vec![
        "run".to_string(),
        root.join("examples/population_size.sirs.json").display().to_string(),
        "--data".into(),
        root.join("examples/population_size.data.json").display().to_string(),
        "--output".into(),
        dir.path().join("out").display().to_string(),
        "--summary".into(),
        summary.display().to_string(),
        "--seed".into(),
        SEED.into(),
    ];
    let o = sev(&args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("json");
    for name in ["N", "p"] {
        let (ess, rhat) = (stat(&stats, name, "ess_bulk"), stat(&stats, name, "rhat"));
        println!("{name}: bulk ESS {ess}, R-hat {rhat}");
        assert!(ess >= 400.0, "{name}: bulk ESS {ess} below 400");
    }
    let printed = format!("{}{}", o.stdout, o.stderr);
    assert!(!printed.contains("Warning") && printed.contains("No problems detected"), "{printed}");
}
