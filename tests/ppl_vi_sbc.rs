//! SBC-lite for the variational methods (Talts et al. 2018, as in `tests/ppl_sbc.rs`): on the
//! conjugate regression of `examples/advi_regression` (alpha, beta ~ N(0, 10²),
//! y[i] ~ N(alpha + beta·x[i], 1), the example's 40 x values), whose posterior is exactly a
//! correlated Gaussian, a method whose approximation equals the posterior gives ranks of the true
//! parameters among its draws that are uniform over the prior. Each of 200 replicates draws
//! (alpha, beta) from the prior and y from the likelihood in Rust, fits one chain (full-rank ADVI,
//! or single-path Pathfinder) and takes 99 independent draws; the ranks fall in 10 bins, and the
//! Pearson χ² (9 degrees of freedom) must stay below 27.88 (p = 0.001). A method that got the
//! posterior sd wrong by 10 % or its mean by 0.1 sd would show a U or a slope in the histogram.
//! The test's power is shown on mean-field ADVI, whose factorised fit of this posterior
//! (correlation −0.86) has sds √(1 − ρ²) ≈ 0.5 of the marginal ones: its χ² must exceed the
//! critical value (it is about 100, a U-shaped histogram).

mod support;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Normal};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const REPLICATES: usize = 200;
const KEPT: usize = 99;
const BINS: usize = 10;
const CHI2_CRITICAL: f64 = 27.877;

/// The methods checked: (label, sampler options, whether its ranks should be uniform).
const METHODS: &[(&str, &[&str], bool)] = &[
    ("advi-fullrank", &["--algorithm", "advi", "--vi-family", "fullrank"], true),
    ("pathfinder", &["--algorithm", "pathfinder"], true),
    ("advi-meanfield", &["--algorithm", "advi", "--vi-family", "meanfield"], false),
];

fn example_x() -> Vec<f64> {
    let path = support::root().join("examples/advi_regression.data.json");
    let data: Value = serde_json::from_slice(&std::fs::read(path).expect("data")).expect("json");
    data["x"].as_array().expect("x").iter().map(|v| v.as_f64().expect("number")).collect()
}

fn build(dir: &Path) -> PathBuf {
    let source = std::fs::read_to_string(support::root().join("examples/advi_regression.sirs.json")).expect("example");
    let c = support::compile("advi_regression.sirs.json", &source);
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    let exe = dir.join("advi_regression");
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe).expect("builds");
    exe
}

/// Ranks of the true (alpha, beta) among the first `KEPT` draws of replicate `r`.
fn replicate(exe: &Path, x: &[f64], method: &[&str], r: usize, dir: &Path) -> Result<[usize; 2], String> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7_000_011 * r as u64 + 5);
    let prior = Normal::new(0.0, 10.0).map_err(|e| e.to_string())?;
    let (alpha, beta) = (prior.sample(&mut rng), prior.sample(&mut rng));
    let noise = Normal::new(0.0, 1.0).map_err(|e| e.to_string())?;
    let y: Vec<f64> = x.iter().map(|xi| alpha + beta * xi + noise.sample(&mut rng)).collect();
    let work = dir.join(format!("{}_{r}", method.join("_").replace("--", "")));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let data = work.join("data.json");
    std::fs::write(&data, json!({ "x": x, "y": y }).to_string()).map_err(|e| e.to_string())?;
    let mut args: Vec<String> = ["sample", "--data", &data.display().to_string(), "--output", &work.display().to_string()].iter().map(|s| s.to_string()).collect();
    args.extend(["--chains", "1", "--draws", &KEPT.to_string(), "--seed", &(r + 1).to_string(), "--quiet"].iter().map(|s| s.to_string()));
    args.extend(method.iter().map(|s| s.to_string()));
    let out = support::run_exe(exe, &args, None)?;
    if out.code != 0 {
        return Err(format!("replicate {r}: exit {}: {}", out.code, out.stderr));
    }
    let text = std::fs::read_to_string(work.join("advi_regression_chain_1.csv")).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&work);
    let mut lines = text.lines().filter(|l| !l.starts_with('#') && !l.is_empty());
    let header: Vec<&str> = lines.next().ok_or("no header")?.split(',').collect();
    let ia = header.iter().position(|h| *h == "alpha").ok_or("no alpha column")?;
    let ib = header.iter().position(|h| *h == "beta").ok_or("no beta column")?;
    let mut ranks = [0usize; 2];
    for line in lines.take(KEPT) {
        let v: Vec<f64> = line.split(',').map(|s| s.parse::<f64>().unwrap_or(f64::NAN)).collect();
        ranks[0] += usize::from(v[ia] < alpha);
        ranks[1] += usize::from(v[ib] < beta);
    }
    Ok(ranks)
}

fn chi_square(ranks: &[usize]) -> (f64, Vec<usize>) {
    let mut counts = vec![0usize; BINS];
    for &r in ranks {
        counts[(r * BINS / (KEPT + 1)).min(BINS - 1)] += 1;
    }
    let expected = ranks.len() as f64 / BINS as f64;
    (counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum(), counts)
}

#[test]
fn sbc_ranks_are_uniform_for_full_rank_advi_and_pathfinder_and_not_for_mean_field_on_a_correlated_gaussian() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = build(dir.path());
    let x = example_x();
    let mut failures = Vec::new();
    for &(label, method, calibrated) in METHODS {
        let results = support::parallel((0..REPLICATES).collect(), |r| replicate(&exe, &x, method, r, dir.path()));
        let mut per_param = [Vec::new(), Vec::new()];
        for r in results {
            match r {
                Ok(ranks) => (0..2).for_each(|k| per_param[k].push(ranks[k])),
                Err(e) => failures.push(format!("{label}: {e}")),
            }
        }
        for (k, ranks) in per_param.iter().enumerate() {
            let param = ["alpha", "beta"][k];
            let (stat, counts) = chi_square(ranks);
            println!("{label} {param}: rank histogram {counts:?}, chi-square {stat:.2} (critical {CHI2_CRITICAL})");
            if ranks.len() != REPLICATES || (stat >= CHI2_CRITICAL) == calibrated {
                let expected = if calibrated { "uniform" } else { "detected as miscalibrated" };
                failures.push(format!("{label} {param}: {} ranks, histogram {counts:?}, chi-square {stat:.2} (critical {CHI2_CRITICAL}), expected {expected}", ranks.len()));
            }
        }
    }
    assert!(failures.is_empty(), "SBC failed:\n{}", failures.join("\n"));
}
