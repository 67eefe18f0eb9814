//! `infer` in the interpreter: `sev run --interp` builds the fitted model's sampler and gives the
//! compiled program's posterior bit for bit — every `posterior_*` reader printed in full
//! precision (and every draw of a column) for NUTS, static HMC and Metropolis fits — and the
//! compiled program's faults: bad options, a fault in the model's code while it runs on its
//! data (with the runtime's note), chains that all fail, bad reader arguments and an unknown
//! column; and data of every shape (nested lists, integers, bools). The programs are in
//! `tests/cases/infer/`; each is small (2 or 3 chains, few draws).

mod support;

fn sev(args: &[&str]) -> support::Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    support::sev(&args, "1", Some(&support::root()))
}

/// Runs `tests/cases/infer/<case>.sirs.json` compiled and interpreted; asserts that stdout,
/// stderr and the exit status agree, and returns the interpreted run.
fn agree(case: &str) -> support::Output {
    let file = format!("tests/cases/infer/{case}.sirs.json");
    let compiled = sev(&["run", &file]);
    let interpreted = sev(&["run", "--interp", &file]);
    assert_eq!(interpreted.stdout, compiled.stdout, "{case}: stdout");
    assert_eq!(interpreted.stderr, compiled.stderr, "{case}: stderr");
    assert_eq!(interpreted.code, compiled.code, "{case}: exit status");
    interpreted
}

#[test]
fn every_reader_gives_the_compiled_posterior_bit_for_bit() {
    let out = agree("readers");
    // three fits, each: 12 summary numbers, 2 quantiles, prob, 2 MCSEs, 200 draws, names, divergences
    assert_eq!(out.stdout.lines().count(), 3 * (12 + 2 + 1 + 2 + 200 + 2), "{}", out.stdout);
    assert!(out.stdout.lines().any(|l| l == "lp__, mu, sigma"), "{}", out.stdout);
    assert_eq!(out.code, 101);
    assert!(out.stderr.contains("error: the posterior has no column `tau` (it has: lp__, mu, sigma)\n  --> tests/cases/infer/readers.sirs.json:"), "{}", out.stderr);
}

#[test]
fn faults_of_options_model_and_chains_are_the_compiled_ones() {
    let cases = [
        ("bad_option", "error: infer: `chains` must be between 1 and 100000000, found 0\n"),
        ("bad_algorithm", "error: infer: unknown algorithm `gibbs` (use nuts, hmc, mh, adaptive-mh or smc)\n"),
        ("model_fault", "error: index out of bounds: index 7, length 3\n  --> tests/cases/infer/model_fault.sirs.json:24:24 (in function `level`)\n  note: this happened when the model first ran on its data"),
        ("chains_fail", "error: infer: chain 1: could not find an initial point"),
        ("bad_quantile", "error: posterior_quantile: q must be between 0 and 1, found 2\n"),
        ("bad_interval", "error: posterior_prob: the interval [3, 1] is empty or not a number\n"),
    ];
    for (case, message) in cases {
        let out = agree(case);
        assert_eq!(out.code, 101, "{case}: {}", out.stderr);
        assert!(out.stdout.starts_with("fitting\n"), "{case}: {}", out.stdout);
        assert!(out.stderr.contains(message), "{case}: {}", out.stderr);
    }
}

/// Data of every shape `infer` passes (a list of lists, integers, a bool), three chains on two
/// threads with adaptive Metropolis: the same posterior, down to a subnormal median.
#[test]
fn nested_lists_integers_and_bools_reach_the_model_as_in_compiled_code() {
    let out = agree("data_shapes");
    assert_eq!(out.code, 0, "{}", out.stderr);
    // three columns (lp__, mu, rate), three readers each
    assert_eq!(out.stdout.lines().count(), 9, "{}", out.stdout);
}

/// `"algorithm": "smc"` (three tempered-SMC runs): the same particles, the same pooled log
/// evidence and its standard error; asking a NUTS posterior for its evidence is the same fault.
#[test]
fn smc_fits_give_the_compiled_log_evidence() {
    let out = agree("smc_evidence");
    let numbers: Vec<f64> = out.stdout.lines().skip(1).map(|l| l.parse().expect("a number")).collect();
    assert_eq!(numbers.len(), 3, "{}", out.stdout);
    assert!(numbers[0].is_finite() && numbers[1] > 0.0, "{}", out.stdout);
    assert_eq!(out.code, 101);
    assert!(out.stderr.contains("error: the posterior has no log evidence: fit it with \"algorithm\": \"smc\"\n"), "{}", out.stderr);
}
