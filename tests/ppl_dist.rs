//! The SciPy cross-check of every distribution's log density and log CDFs, as part of
//! `cargo test`: builds `tests/ppl_dist/dist_eval.zig` against the runtime's distributions and
//! runs `tests/ppl_dist/check_scipy.py` on it, which compares thousands of generated cases with
//! `scipy.stats` (and mpmath at 50 digits where SciPy itself is inexact) to 1e-12 relative and
//! exits 1 on any mismatch. Needs `python3` with scipy and mpmath (`.ci/run` installs them).

mod support;

#[test]
fn every_distribution_matches_scipy() {
    support::python_cross_check("ppl_dist", "dist_eval", "check_scipy.py", "scipy, mpmath, numpy");
}
