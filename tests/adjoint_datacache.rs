//! Data-only work in the compiled adjoint (`src/ad/fill.rs`, issue 11): an `array_fill` of
//! data that a model casts to model reals and then overwrites (kidiq's `mu`, the logistic
//! loop's linear predictor) is one filled buffer (`rtad.filled`) in the adjoint, not a data
//! list built, copied and released in every gradient; the listing is the same at `-O0` and
//! `-O2`; and a negative length still faults with `array_fill`'s message at its location.
//!
//! That the draws do not change is checked by `tests/opt_differential.rs` and the gradients
//! by `tests/adjoint.rs` and `tests/ppl_gradients.rs`.

mod support;

use sev::driver::{self, Options};
use sev::opt::Level;

/// The adjoint listing of an example at `level` (the end of `--emit cir`).
fn adjoint_listing(path: &str, level: Level) -> String {
    let source = std::fs::read_to_string(support::root().join(path)).expect("example exists");
    let c = driver::compile_with(path, source.as_bytes(), Options { emit_zig: false }, level);
    assert!(!c.has_errors(), "{path}: {}", support::rendered(&c));
    let program = c.cir.expect("a checked program has CIR");
    sev::ad::listing(&program)
}

#[test]
fn the_zero_filled_predictor_is_one_filled_buffer_at_every_level() {
    for path in [
        "examples/posteriordb/kidscore_momiq.sirs.json",
        "examples/logistic_regression.sirs.json",
    ] {
        let o0 = adjoint_listing(path, Level::O0);
        assert!(o0.contains("; gradient: compiled adjoint"), "{path}: {o0}");
        assert!(
            !o0.contains("rt.array_fill("),
            "{path} still builds the list per gradient:\n{o0}"
        );
        assert!(
            !o0.contains("rtad.lift("),
            "{path} still copies a list per gradient:\n{o0}"
        );
        assert_eq!(o0.matches("rtad.filled(ctx, ").count(), 1, "{path}:\n{o0}");
        assert_eq!(
            o0,
            adjoint_listing(path, Level::O2),
            "{path}: the adjoint differs between -O0 and -O2"
        );
    }
}

#[test]
fn emit_cir_of_kidiq_has_no_per_gradient_array_fill() {
    let args: Vec<String> = [
        "build",
        "--emit",
        "cir",
        "examples/posteriordb/kidscore_momiq.sirs.json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = support::sev(&args, "1", Some(&support::root()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let at = out
        .stdout
        .find("; gradient: compiled adjoint")
        .expect("kidiq's gradient is compiled");
    let (model, adjoint) = out.stdout.split_at(at);
    // the tape's model reads its fill from the data cache; the adjoint fills its buffer
    assert!(model.contains("fn main__data("), "{model}");
    assert!(!adjoint.contains("array_fill"), "{adjoint}");
    assert!(adjoint.contains("rtad.filled(ctx, "), "{adjoint}");
}

#[test]
fn a_negative_fill_length_faults_at_the_array_fill() {
    let path = "examples/posteriordb/kidscore_momiq.sirs.json";
    let source = std::fs::read_to_string(support::root().join(path)).expect("example exists");
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("negative.json");
    std::fs::write(&data, r#"{"N": -1, "kid_score": [], "mom_iq": []}"#).expect("data written");
    let args = ["diagnose", "--seed", "7", "--points", "1", "--data"]
        .iter()
        .map(|s| s.to_string())
        .chain([data.display().to_string()])
        .collect::<Vec<_>>();
    let out = support::build_and_run(path, &source, &args).expect("kidiq builds");
    assert_eq!(out.code, 101, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("array_fill: the length must not be negative, got -1"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(":34:24"),
        "the fault points at the array_fill: {}",
        out.stderr
    );
}
