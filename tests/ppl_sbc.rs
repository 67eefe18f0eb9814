//! Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018) of NUTS and
//! adaptive Metropolis on two small models. For each of R replicates: draw the parameters from
//! the prior and a data set given them (in Rust, fixed seed), run one chain of the model binary
//! on that data, thin the draws to L = 99 nearly independent ones, and record the rank of the
//! true value among them (0..=99). If the sampler draws from the exact posterior, every rank is
//! equally likely; a bias shows as a slope, a too narrow or too wide posterior as a U or a hump.
//! The ranks are put into B = 10 bins of 10 and Pearson's chi-square statistic (9 degrees of
//! freedom) must stay below 27.88, its 0.1 % critical value.
//!
//! Models: (a) mu ~ N(0, 1), y_i ~ N(mu, 1), i = 1..5; (b) mu ~ N(0, 1),
//! sigma ~ lognormal(0, 0.5), y_i ~ N(mu, sigma), i = 1..8 (a constrained parameter, so the
//! log-Jacobian is exercised). R = 400 replicates per model and algorithm (40 expected per bin).

mod support;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, LogNormal, Normal};
use serde_json::json;
use std::path::{Path, PathBuf};

const REPLICATES: usize = 400;
const KEPT: usize = 99;
const BINS: usize = 10;
/// The 0.999 quantile of the chi-square distribution with 9 degrees of freedom.
const CHI2_CRITICAL: f64 = 27.877;

fn model_source(with_sigma: bool) -> String {
    let sigma = if with_sigma {
        json!({"let": {"name": "sigma", "value": {"sample": {"distribution": "lognormal", "params": [{"literal": 0.0}, {"literal": 0.5}]}}}})
    } else {
        json!({"let": {"name": "sigma", "value": {"literal": 1.0}}})
    };
    json!({"program": {"entry": "main", "functions": {"main": {
        "args": [{"name": "y", "type": "[f64]"}],
        "return": "void",
        "body": [
            {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}}},
            sigma,
            {"observe": {"distribution": "normal", "params": [{"var": "mu"}, {"var": "sigma"}], "value": {"var": "y"}}}
        ]
    }}}})
    .to_string()
}

struct Model {
    name: &'static str,
    exe: PathBuf,
    with_sigma: bool,
    n: usize,
}

fn build(dir: &Path, name: &'static str, with_sigma: bool, n: usize) -> Model {
    let c = support::compile(&format!("{name}.sirs.json"), &model_source(with_sigma));
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    let exe = dir.join(name);
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe).expect("builds");
    Model { name, exe, with_sigma, n }
}

/// (algorithm, warmup, draws, thinning): draws / thinning = KEPT.
const ALGORITHMS: &[(&str, usize, usize, usize)] = &[("nuts", 500, 990, 10), ("adaptive-mh", 1500, 3960, 40)];

/// Reads the named columns of a Stan CSV file.
fn read_columns(path: &Path, names: &[&str]) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(path).expect("csv");
    let mut lines = text.lines().filter(|l| !l.starts_with('#') && !l.is_empty());
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let idx: Vec<usize> = names.iter().map(|n| header.iter().position(|h| h == n).expect("column")).collect();
    let mut out = vec![Vec::new(); names.len()];
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        for (k, &i) in idx.iter().enumerate() {
            out[k].push(fields[i].parse::<f64>().expect("number"));
        }
    }
    out
}

/// One replicate: its ranks (one per parameter) or an error.
fn replicate(model: &Model, algo: (&str, usize, usize, usize), r: usize, dir: &Path) -> Result<Vec<usize>, String> {
    let (name, warmup, draws, thin) = algo;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1_000_003 * r as u64 + if model.with_sigma { 17 } else { 0 });
    let mu = Normal::new(0.0, 1.0).map_err(|e| e.to_string())?.sample(&mut rng);
    let sigma = if model.with_sigma { LogNormal::new(0.0, 0.5).map_err(|e| e.to_string())?.sample(&mut rng) } else { 1.0 };
    let noise = Normal::new(mu, sigma).map_err(|e| e.to_string())?;
    let y: Vec<f64> = (0..model.n).map(|_| noise.sample(&mut rng)).collect();
    let work = dir.join(format!("{}_{name}_{r}", model.name));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let data = work.join("data.json");
    std::fs::write(&data, json!({ "y": y }).to_string()).map_err(|e| e.to_string())?;
    let args: Vec<String> = vec![
        "sample".into(),
        "--data".into(),
        data.display().to_string(),
        "--output".into(),
        work.display().to_string(),
        "--chains".into(),
        "1".into(),
        "--warmup".into(),
        warmup.to_string(),
        "--draws".into(),
        draws.to_string(),
        "--seed".into(),
        (r + 1).to_string(),
        "--algorithm".into(),
        name.into(),
        "--quiet".into(),
    ];
    let out = support::run_exe(&model.exe, &args, None)?;
    if out.code != 0 {
        return Err(format!("replicate {r}: exit {}: {}", out.code, out.stderr));
    }
    let cols: &[&str] = if model.with_sigma { &["mu", "sigma"] } else { &["mu"] };
    let truth: &[f64] = if model.with_sigma { &[mu, sigma] } else { &[mu] };
    let csv = work.join(format!("{}_chain_1.csv", model.name));
    let values = read_columns(&csv, cols);
    let _ = std::fs::remove_dir_all(&work);
    Ok(values
        .iter()
        .zip(truth)
        .map(|(xs, t)| xs.iter().skip(thin - 1).step_by(thin).take(KEPT).filter(|x| *x < t).count())
        .collect())
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
fn sbc_rank_histograms_are_uniform_for_nuts_and_adaptive_metropolis() {
    let dir = tempfile::tempdir().expect("temp dir");
    let models = support::parallel(vec![("sbc_normal_mean", false, 5), ("sbc_normal_scale", true, 8)], |(name, s, n)| build(dir.path(), name, s, n));
    let mut failures = Vec::new();
    for model in &models {
        for &algo in ALGORITHMS {
            let jobs: Vec<usize> = (0..REPLICATES).collect();
            let results = support::parallel(jobs, |r| replicate(model, algo, r, dir.path()));
            let mut per_param: Vec<Vec<usize>> = vec![Vec::new(); if model.with_sigma { 2 } else { 1 }];
            for r in results {
                match r {
                    Ok(ranks) => ranks.into_iter().enumerate().for_each(|(k, v)| per_param[k].push(v)),
                    Err(e) => failures.push(format!("{} {}: {e}", model.name, algo.0)),
                }
            }
            for (k, ranks) in per_param.iter().enumerate() {
                let param = ["mu", "sigma"][k];
                let (stat, counts) = chi_square(ranks);
                println!("{} {} {param}: rank histogram {counts:?}, chi-square {stat:.2} (critical {CHI2_CRITICAL})", model.name, algo.0);
                if ranks.len() != REPLICATES || stat >= CHI2_CRITICAL {
                    failures.push(format!("{} {} {param}: {} ranks, histogram {counts:?}, chi-square {stat:.2} >= {CHI2_CRITICAL}", model.name, algo.0, ranks.len()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "SBC failed:\n{}", failures.join("\n"));
}
