//! The validation suite: checks against reference data outside the repository, in the folder
//! named by `SEV_DATA` (default `../shared/data`). Run by `.ci/run` with
//! `cargo test --release --features validation --test validation`; never by plain `cargo test`.

mod support;

fn data_dir() -> std::path::PathBuf {
    std::env::var_os("SEV_DATA").map_or_else(|| support::root().join("../shared/data"), std::path::PathBuf::from)
}

#[test]
fn reference_data_is_present() {
    let dir = data_dir();
    assert!(dir.join("posteriordb").is_dir(), "SEV_DATA={} has no posteriordb folder", dir.display());
}
