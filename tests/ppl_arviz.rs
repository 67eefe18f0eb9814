//! The CSV files a model binary writes load into ArviZ (`arviz.from_cmdstan`): the non-centred
//! eight-schools model (synthetic data with J = 6) is sampled with 2 chains, then ArviZ must see
//! the variables `mu`, `tau`, `theta_trans` (6,) and `theta` (6,) with 2 chains × 500 draws, the
//! usual sample statistics, and the same posterior means as sev's own summary. Needs `python3`
//! with arviz 0.23.4 (`.ci/run` installs it).

mod support;

use std::process::Command;

const SCRIPT: &str = r#"
import glob, json, sys
import arviz as az
files = sorted(glob.glob(sys.argv[1] + "/*_chain_*.csv"))
idata = az.from_cmdstan(posterior=files)
post = idata.posterior
out = {
    "files": len(files),
    "vars": {k: list(post[k].shape) for k in post.data_vars},
    "stats": sorted(idata.sample_stats.data_vars),
    "means": {k: float(post[k].mean()) for k in ("mu", "tau")},
    "theta_means": [float(x) for x in post["theta"].mean(dim=("chain", "draw")).values],
}
print(json.dumps(out))
"#;

#[test]
fn arviz_reads_the_csv_files() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python).args(["-c", "import arviz"]).output().expect("python3 runs");
    assert!(probe.status.success(), "this test needs ArviZ: `{python} -m pip install arviz==0.23.4`");
    let root = support::root();
    let source = std::fs::read_to_string(root.join("examples/posteriordb/eight_schools_noncentered.sirs.json")).expect("example");
    let c = support::compile("examples/posteriordb/eight_schools_noncentered.sirs.json", &source);
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = dir.path().join("es");
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], true, &exe).expect("builds");
    let csv_dir = dir.path().join("csv");
    let summary = dir.path().join("summary.json");
    let args: Vec<String> = [
        "sample",
        "--data",
        &root.join("tests/data/eight_schools_noncentered.json").display().to_string(),
        "--chains",
        "2",
        "--warmup",
        "500",
        "--draws",
        "500",
        "--seed",
        "11",
        "--quiet",
        "--output",
        &csv_dir.display().to_string(),
        "--summary",
        &summary.display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let run = support::run_exe(&exe, &args, None).expect("runs");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = Command::new(&python).args(["-c", SCRIPT]).arg(&csv_dir).output().expect("python runs");
    assert!(out.status.success(), "ArviZ failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    println!("{v}");
    assert_eq!(v["files"], 2);
    assert_eq!(v["vars"]["mu"], serde_json::json!([2, 500]));
    assert_eq!(v["vars"]["tau"], serde_json::json!([2, 500]));
    assert_eq!(v["vars"]["theta_trans"], serde_json::json!([2, 500, 6]));
    assert_eq!(v["vars"]["theta"], serde_json::json!([2, 500, 6]));
    for stat in ["diverging", "tree_depth", "n_steps", "step_size", "acceptance_rate", "energy", "lp"] {
        assert!(v["stats"].as_array().is_some_and(|s| s.iter().any(|x| x == stat)), "no sample stat {stat}: {}", v["stats"]);
    }
    let stats: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("json");
    let ours = |name: &str| stats["columns"].as_array().and_then(|cs| cs.iter().find(|c| c["name"] == name)).and_then(|c| c["mean"].as_f64()).expect("column");
    for name in ["mu", "tau"] {
        let theirs = v["means"][name].as_f64().expect("mean");
        assert!((theirs - ours(name)).abs() <= 1e-9 * (1.0 + theirs.abs()), "{name}: ArviZ {theirs} vs sev {}", ours(name));
    }
    for (j, m) in v["theta_means"].as_array().expect("theta means").iter().enumerate() {
        let theirs = m.as_f64().expect("number");
        let mine = ours(&format!("theta.{}", j + 1));
        assert!((theirs - mine).abs() <= 1e-9 * (1.0 + theirs.abs()), "theta.{}: ArviZ {theirs} vs sev {mine}", j + 1);
    }
}
