//! Builds and runs generated type programs (`types.rs`) at `-O0` and `-O2`, for
//! `tests/generated_types.rs` (a small batch) and `tests/validation.rs` (a large one).

use super::types::GeneratedTypes;
use crate::support;
use sev::opt::Level;

fn compile(source: &str, level: Level) -> sev::driver::Compilation {
    sev::driver::compile_with("generated/types.sirs.json", source.as_bytes(), sev::driver::Options { emit_zig: true }, level)
}

/// Builds and runs one program at one level; a description of what went wrong, if anything.
fn check(t: &GeneratedTypes, level: Level) -> Option<String> {
    let c = compile(&t.source, level);
    if !c.diagnostics.is_empty() {
        return Some(format!("diagnostics at {level:?}:\n{}", support::rendered(&c)));
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return Some(format!("cannot make a temporary directory: {e}")),
    };
    let exe = dir.path().join("types");
    if let Err(e) = support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], false, &exe) {
        return Some(format!("Zig rejected the code at {level:?}:\n{e}"));
    }
    match support::run_exe(&exe, &[], None) {
        Ok(out) if out.code == 0 && out.stdout == t.expected => None,
        Ok(out) => Some(format!("at {level:?}: exit {}, printed\n{}--- expected\n{}--- stderr\n{}", out.code, out.stdout, t.expected, out.stderr)),
        Err(e) => Some(e),
    }
}

/// Every failure of a batch (each with the program), two builds at a time.
pub fn check_all(programs: &[GeneratedTypes]) -> Vec<String> {
    let jobs: Vec<(&GeneratedTypes, Level)> = programs.iter().flat_map(|t| [(t, Level::O0), (t, Level::O2)]).collect();
    support::parallel(jobs, |(t, level)| check(t, level).map(|e| format!("program {}: {e}\n--- program:\n{}", t.index, t.source)))
        .into_iter()
        .flatten()
        .collect()
}
