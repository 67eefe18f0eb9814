//! Property test: random programs over generic and recursive types (`gen/types.rs`: a generic
//! tree enum with boxed payloads, a generic record holding `Option<Self>`, generic recursive
//! functions, hostile type, field and variant names) print exactly what the generator computed,
//! at `-O0` and at `-O2`. `SEV_GEN_TYPES` sets how many programs (default [`PROGRAMS`]),
//! `SEV_GEN_ONLY` one program number.

mod support;

#[path = "gen/types.rs"]
mod types;

const SEED: u64 = 0x5EED_0000_7E9E;
const PROGRAMS: usize = 4;

fn program_seed(k: usize) -> u64 {
    SEED ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn programs_to_run() -> Vec<usize> {
    if let Some(k) = support::env_number("SEV_GEN_ONLY") {
        return vec![k as usize];
    }
    (0..support::env_number("SEV_GEN_TYPES").map_or(PROGRAMS, |n| n as usize)).collect()
}

fn compile(source: &str, level: sev::opt::Level) -> sev::driver::Compilation {
    sev::driver::compile_with("generated/types.sirs.json", source.as_bytes(), sev::driver::Options { emit_zig: true }, level)
}

/// Builds and runs one program at one level; a description of what went wrong, if anything.
fn check(t: &types::GeneratedTypes, level: sev::opt::Level) -> Option<String> {
    let c = compile(&t.source, level);
    if !c.diagnostics.is_empty() {
        return Some(format!("diagnostics at {level:?}:\n{}", support::rendered(&c)));
    }
    let dir = tempfile::tempdir().ok()?;
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

#[test]
fn generic_and_recursive_types_print_what_the_generator_computed() {
    let programs: Vec<types::GeneratedTypes> = programs_to_run().into_iter().map(|k| types::generate(k, program_seed(k))).collect();
    let jobs: Vec<(&types::GeneratedTypes, sev::opt::Level)> =
        programs.iter().flat_map(|t| [(t, sev::opt::Level::O0), (t, sev::opt::Level::O2)]).collect();
    let failures: Vec<String> = support::parallel(jobs, |(t, level)| check(t, level).map(|e| format!("program {}: {e}\n--- program:\n{}", t.index, t.source)))
        .into_iter()
        .flatten()
        .collect();
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}
