//! The SciPy cross-check of every distribution's log density and log CDFs, as part of
//! `cargo test`: builds `tests/ppl_dist/dist_eval.zig` against the runtime's distributions and
//! runs `tests/ppl_dist/check_scipy.py` on it, which compares thousands of generated cases with
//! `scipy.stats` (and mpmath at 50 digits where SciPy itself is inexact) to 1e-12 relative and
//! exits 1 on any mismatch. Needs `python3` with scipy and mpmath (`.ci/run` installs them).

mod support;

use std::process::Command;

#[test]
fn every_distribution_matches_scipy() {
    let root = support::root();
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python).args(["-c", "import scipy, mpmath, numpy"]).output();
    match probe {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!("the SciPy cross-check needs scipy and mpmath: `{python} -m pip install scipy mpmath` ({})", String::from_utf8_lossy(&o.stderr).trim()),
        Err(e) => panic!("the SciPy cross-check needs {python}: {e}"),
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = dir.path().join("dist_eval");
    let zig_cache = support::cache_dir().join("zig");
    let build = support::zig()
        .command()
        .current_dir(&root)
        .args(["build-exe", "-O", "ReleaseSafe", "--dep", "ppl", "-Mroot=tests/ppl_dist/dist_eval.zig", "-Mppl=runtime/ppl/math_root.zig", "--name", "dist_eval"])
        .arg(format!("-femit-bin={}", exe.display()))
        .arg("--global-cache-dir")
        .arg(&zig_cache)
        .arg("--cache-dir")
        .arg(&zig_cache)
        .output()
        .expect("zig runs");
    assert!(build.status.success(), "dist_eval does not build:\n{}", String::from_utf8_lossy(&build.stderr));
    let out = Command::new(&python).arg(root.join("tests/ppl_dist/check_scipy.py")).arg(&exe).output().expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "check_scipy.py reports mismatches (exit {:?}):\n{stdout}\n{}", out.status.code(), String::from_utf8_lossy(&out.stderr));
}
