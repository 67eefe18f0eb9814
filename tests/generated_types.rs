//! Property test: random programs over generic and recursive types (`gen/types.rs`: a generic
//! tree enum with boxed payloads, a generic record holding `Option<Self>`, generic recursive
//! functions, hostile type, field and variant names) print exactly what the generator computed,
//! at `-O0` and at `-O2`. `SEV_GEN_TYPES` sets how many programs (default [`PROGRAMS`]),
//! `SEV_GEN_ONLY` one program number. The validation suite runs a larger batch
//! (`tests/validation.rs`).

mod support;

#[path = "gen/types.rs"]
mod types;
#[path = "gen/types_run.rs"]
mod types_run;

const PROGRAMS: usize = 4;

fn programs_to_run() -> Vec<usize> {
    if let Some(k) = support::env_number("SEV_GEN_ONLY") {
        return vec![k as usize];
    }
    (0..support::env_number("SEV_GEN_TYPES").map_or(PROGRAMS, |n| n as usize)).collect()
}

#[test]
fn generic_and_recursive_types_print_what_the_generator_computed() {
    let programs: Vec<types::GeneratedTypes> = programs_to_run().into_iter().map(|k| types::generate(k, types::seed(k))).collect();
    let failures = types_run::check_all(&programs);
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}
