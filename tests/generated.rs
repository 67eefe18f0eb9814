//! Property test: random well-typed SIRS programs print exactly what a reference interpreter says.
//!
//! `gen/` draws programs from a fixed seed while evaluating them (integers, floats and the math
//! built-ins, the correctly rounded `math_exp`, `math_sin`, `math_pow`, float `**` … included, strings,
//! arrays, records, enums and `match`, every kind of loop, `break`/`continue`, shadowing with
//! names that are Zig keywords, helper functions), so each comes with its expected output. The
//! programs are compiled by sev — any diagnostic, even a warning, is a failure — in batches of
//! [`BATCH`]: one SIRS file whose `main` prints a header line and calls each program in turn, so
//! that one Zig build (Debug, stripped, two at a time) serves many programs. Batches alternate
//! between `-O0` (as `support::compile`) and `-O2`, so the CIR optimisation passes are tested
//! too. A Debug binary also checks for leaks (exit status 102). The CIR interpreter runs each
//! batch's CIR too and must agree with the Zig build exactly (a three-way differential test:
//! reference interpreter, `sev::interp`, Zig at -O0 / -O2). On a failure the report names
//! each failing program, its seed, the first line that differs, and the program as a stand-alone
//! SIRS file. Constructs that expose known compiler bugs are switched off by constants in
//! `gen/generate.rs` (`GENERATE_FLOAT_MOD_BY_ZERO`, …), to be switched on once the bugs are
//! fixed.
//!
//! To shrink a failing program to a small reproduction, run it alone:
//! `SEV_GEN_ONLY=<k> cargo test --test generated generated_programs_print`; the failure report
//! then ends with the reduced program.
//!
//! Environment overrides for exploring: `SEV_GEN_SEED` (the base seed), `SEV_GEN_PROGRAMS` (how
//! many), `SEV_GEN_ONLY` (one program number, e.g. to reproduce a failure), `SEV_GEN_OPT` (the
//! optimisation level, 0 or 2, instead of alternating), `SEV_GEN_DUMP` (a directory to write each
//! program and its expected output to).

mod support;

#[path = "gen/mod.rs"]
mod generator;

use generator::Generated;
use generator::ast::Program;
use sev::opt::Level;
use std::collections::BTreeMap;
use std::time::Instant;

const SEED: u64 = 0x5EED_0000_2024;
const PROGRAMS: usize = 500;
const BATCH: usize = 50;
/// How many programs `every_generated_program_compiles_without_diagnostics` checks by default.
const CHECKED_ALONE: usize = 100;
/// How many failing programs of one batch are shown in full.
const SHOWN_PER_BATCH: usize = 3;

/// The optimisation level of the batch that holds program `k` (`SEV_GEN_OPT` overrides).
fn level_for(k: usize) -> Level {
    match support::env_number("SEV_GEN_OPT") {
        Some(n) => Level::from_number(n as u8),
        None if (k / BATCH) % 2 == 1 => Level::O2,
        None => Level::O0,
    }
}

fn compile(name: &str, source: &str, level: Level) -> sev::driver::Compilation {
    sev::driver::compile_with(name, source.as_bytes(), sev::driver::Options { emit_zig: true }, level)
}

/// The seed of program `k`: the base seed mixed with the program number.
fn program_seed(seed: u64, k: usize) -> u64 {
    seed ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Generates program `k`, writing it to `SEV_GEN_DUMP` if that is set.
fn generate(seed: u64, k: usize) -> Generated {
    let g = generator::generate(k, program_seed(seed, k));
    if let Ok(dir) = std::env::var("SEV_GEN_DUMP") {
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).expect("SEV_GEN_DUMP directory");
        std::fs::write(dir.join(format!("program_{k}.sirs.json")), generator::standalone_json(&g.program)).expect("dump");
        std::fs::write(dir.join(format!("program_{k}.expected")), format!("{}\n{}", g.program.header(), g.expected)).expect("dump");
    }
    g
}

fn programs_to_run() -> (u64, Vec<usize>) {
    let seed = support::env_number("SEV_GEN_SEED").unwrap_or(SEED);
    if let Some(k) = support::env_number("SEV_GEN_ONLY") {
        return (seed, vec![k as usize]);
    }
    let count = support::env_number("SEV_GEN_PROGRAMS").map_or(PROGRAMS, |n| n as usize);
    (seed, (0..count).collect())
}

#[test]
fn generation_is_deterministic() {
    for k in [0, 7, 123] {
        let a = generator::generate(k, program_seed(SEED, k));
        let b = generator::generate(k, program_seed(SEED, k));
        assert_eq!(generator::standalone_json(&a.program), generator::standalone_json(&b.program));
        assert_eq!(a.expected, b.expected);
        assert!(!a.expected.is_empty(), "program {k} prints nothing");
    }
}

/// Without Zig: programs alone pass sev's checker with no diagnostics at all (the first
/// [`CHECKED_ALONE`] unless `SEV_GEN_PROGRAMS`/`SEV_GEN_ONLY` say otherwise; the end-to-end test
/// checks all of them in batches). Quicker to read when the checker objects: diagnostics are
/// grouped by headline.
#[test]
fn every_generated_program_compiles_without_diagnostics() {
    let (seed, mut indices) = programs_to_run();
    if std::env::var("SEV_GEN_PROGRAMS").is_err() && std::env::var("SEV_GEN_ONLY").is_err() {
        indices.truncate(CHECKED_ALONE);
    }
    let mut by_headline: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for &k in &indices {
        let g = generate(seed, k);
        let c = support::compile(&format!("generated/program_{k}.sirs.json"), &generator::standalone_json(&g.program));
        for d in &c.diagnostics {
            let key = format!("{:?} {}", d.code, d.title);
            let programs = by_headline.entry(key.clone()).or_default();
            if programs.last() != Some(&k) {
                programs.push(k);
            }
            first.entry(key).or_insert_with(|| describe(seed, &g, &excerpt(&d.render(&c.file, false), 3000)));
        }
    }
    let report: Vec<String> = by_headline
        .iter()
        .map(|(h, ks)| format!("{h}\n  in {} program(s): {:?}\n{}", ks.len(), &ks[..ks.len().min(12)], excerpt(&first[h], 6000)))
        .collect();
    assert!(by_headline.is_empty(), "diagnostics (base seed {seed:#x}):\n\n{}", report.join("\n\n"));
}

#[test]
fn generated_programs_print_what_the_reference_interpreter_predicts() {
    let started = Instant::now();
    let (seed, indices) = programs_to_run();
    let generated: Vec<Generated> = indices.iter().map(|&k| generate(seed, k)).collect();
    let generation_time = started.elapsed();

    let mut census = BTreeMap::new();
    for g in &generated {
        generator::census(&g.program, &mut census);
    }
    let rejected: usize = generated.iter().map(|g| g.rejected).sum();
    let lines: usize = generated.iter().map(|g| g.expected.lines().count()).sum();

    let batches: Vec<&[Generated]> = generated.chunks(BATCH).collect();
    let batch_count = batches.len();
    let results = support::parallel(batches, |b| check_batch(seed, b));
    let mut failures: Vec<String> = results.into_iter().flatten().collect();
    if !failures.is_empty() && generated.len() == 1 {
        failures.push(reduced_reproduction(&generated[0]));
    }

    eprintln!(
        "generated {} programs ({lines} expected output lines, {rejected} faulting drafts thrown away) in {:.1?}; \
         {batch_count} builds; total {:.1?}",
        generated.len(),
        generation_time,
        started.elapsed()
    );
    for (construct, count) in &census {
        eprintln!("  {count:6}  {construct}");
    }
    if generated.len() >= PROGRAMS {
        check_coverage(&census);
    }
    assert!(failures.is_empty(), "{} failure(s) (base seed {seed:#x}):\n\n{}", failures.len(), failures.join("\n\n"));
}

/// How a program fares, for the reducer: the kind of failure and a detail that must stay the same.
#[derive(Debug, PartialEq)]
enum Outcome {
    Pass,
    /// The interpreter faults (a reduction step broke the program's known output).
    Invalid,
    Diagnostics(String),
    Zig(String),
    Crash(i32),
    Wrong,
}

fn outcome(p: &Program) -> (Outcome, String) {
    let Ok(expected) = generator::generate::run(p) else { return (Outcome::Invalid, String::new()) };
    let source = generator::standalone_json(p);
    let c = compile("generated/reduced.sirs.json", &source, level_for(p.index));
    if let Some(d) = c.diagnostics.first() {
        return (Outcome::Diagnostics(format!("{:?} {}", d.code, d.title)), support::rendered(&c));
    }
    let Some(zig) = c.zig.as_deref() else { return (Outcome::Invalid, String::new()) };
    let dir = tempfile::tempdir().expect("temporary directory");
    let exe = dir.path().join("reduced");
    if let Err(e) = support::build_zig(zig, &[], false, &exe) {
        // The first error message without its position.
        let message = e.lines().find_map(|l| l.split_once(": error: ").map(|(_, m)| m.to_string())).unwrap_or_default();
        return (Outcome::Zig(message), e);
    }
    let out = support::run_exe(&exe, &[], None).expect("runs");
    let expected = format!("{}\n{expected}", p.header());
    if out.code != 0 {
        return (Outcome::Crash(out.code), format!("stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr));
    }
    if out.stdout != expected {
        return (Outcome::Wrong, format!("expected:\n{expected}--- found:\n{}", out.stdout));
    }
    (Outcome::Pass, String::new())
}

/// Shrinks a failing program to a small reproduction with the same kind of failure (run when
/// `SEV_GEN_ONLY` selects the one program); the text shows it with its output.
fn reduced_reproduction(g: &Generated) -> String {
    let (kind, _) = outcome(&g.program);
    if matches!(kind, Outcome::Pass | Outcome::Invalid) {
        return format!("(the program alone does not fail: {kind:?}; nothing to reduce)");
    }
    let mut tries = 0;
    let mut steps = Vec::new();
    let small = generator::reduce::reduce(
        &g.program,
        &mut |p| {
            tries += 1;
            outcome(p).0 == kind
        },
        &mut |s| steps.push(format!("  {s}")),
    );
    let (_, detail) = outcome(&small);
    format!("reduced ({kind:?}) after {tries} tries:\n{}\n{}\n{detail}", steps.join("\n"), generator::standalone_json(&small))
}

#[test]
fn the_reducer_keeps_what_the_predicate_needs_and_drops_the_rest() {
    // A stand-in for "still fails": the program still has a `while` loop.
    let has_while = |p: &Program| generator::standalone_json(p).contains("\"while\"");
    let g = (0..100).map(|k| generate(SEED, k)).find(|g| has_while(&g.program)).expect("a program with a while loop");
    let small = generator::reduce::reduce(&g.program, &mut |p| has_while(p), &mut |_| {});
    let (before, after) = (generator::standalone_json(&g.program), generator::standalone_json(&small));
    assert!(has_while(&small), "the reduced program lost what the predicate needs:\n{after}");
    assert!(after.len() * 3 < before.len(), "the reducer removed too little: {} -> {} bytes", before.len(), after.len());
}

/// Guards against the generator quietly losing constructs.
fn check_coverage(census: &BTreeMap<String, usize>) {
    let required = [
        "stmt let",
        "stmt assign to variable",
        "stmt assign to field/element",
        "stmt print",
        "stmt push",
        "stmt call",
        "stmt if",
        "stmt if-else",
        "stmt while",
        "stmt for range",
        "range with step",
        "range inclusive",
        "stmt for each",
        "stmt match",
        "match guard",
        "stmt return",
        "stmt break",
        "stmt continue",
        "pattern enum",
        "pattern literal",
        "pattern binding",
        "pattern _",
        "record literal",
        "record update",
        "enum constructor",
        "field",
        "index",
        "array literal",
        "call user function",
        "cast",
        "cond",
        "op div prim",
        "op mod prim",
        "op add (3+ operands)",
        "builtin pop",
        "builtin len",
        "builtin str_length",
        "builtin str_substring",
        "builtin to_string",
        "let of an unusual name",
    ];
    for key in required {
        let n = census.get(key).copied().unwrap_or(0);
        assert!(n >= 10, "the generator produced `{key}` only {n} times");
    }
}

/// The expected stdout of a batch: each program's header, then its output.
fn expected_batch(batch: &[Generated]) -> String {
    batch.iter().map(|g| format!("{}\n{}", g.program.header(), g.expected)).collect()
}

/// Splits a batch's stdout into the output of each program (by header line).
fn sections(stdout: &str, batch: &[Generated]) -> BTreeMap<usize, Vec<String>> {
    let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut current: Option<usize> = None;
    for line in stdout.split('\n') {
        if let Some(g) = batch.iter().find(|g| g.program.header() == line) {
            current = Some(g.program.index);
            out.entry(g.program.index).or_default();
            continue;
        }
        if let Some(k) = current {
            out.entry(k).or_default().push(line.to_string());
        }
    }
    out
}

fn describe(seed: u64, g: &Generated, problem: &str) -> String {
    format!(
        "program {} (seed {:#x}; rerun with SEV_GEN_SEED={seed:#x} SEV_GEN_ONLY={}): {problem}\n--- program as a SIRS file:\n{}",
        g.program.index,
        g.program.seed,
        g.program.index,
        generator::standalone_json(&g.program)
    )
}

fn excerpt(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

/// The third party of the differential test: the CIR interpreter (`sev::interp`) on the same
/// CIR must print exactly what the Zig build printed, with the same stderr and exit status.
fn interpreter_disagrees(compilation: &sev::driver::Compilation, zig: &support::Output) -> Option<String> {
    let program = compilation.cir.clone()?;
    let out = match sev::interp::run_on_own_thread(program, Vec::new()) {
        Ok(out) => out,
        Err(e) => return Some(e),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stdout == zig.stdout && stderr == zig.stderr && i32::from(out.status) == zig.code {
        return None;
    }
    let line = stdout.lines().zip(zig.stdout.lines()).position(|(a, b)| a != b).unwrap_or(stdout.lines().count().min(zig.stdout.lines().count()));
    Some(format!(
        "status {} (Zig {}), first differing stdout line {}: {:?} (Zig {:?}); stderr {:?} (Zig {:?})",
        out.status,
        zig.code,
        line + 1,
        stdout.lines().nth(line).unwrap_or("<end>"),
        zig.stdout.lines().nth(line).unwrap_or("<end>"),
        excerpt(&stderr, 500),
        excerpt(&zig.stderr, 500)
    ))
}

fn check_batch(seed: u64, batch: &[Generated]) -> Vec<String> {
    let programs: Vec<&Program> = batch.iter().map(|g| &g.program).collect();
    let first = batch.first().map_or(0, |g| g.program.index);
    let name = format!("generated/batch_{first}.sirs.json");
    let source = generator::batch_source(&programs);
    let level = level_for(first);
    let compilation = compile(&name, &source, level);
    if !compilation.diagnostics.is_empty() {
        return diagnose_batch(seed, batch, &support::rendered(&compilation), level);
    }
    let Some(zig) = compilation.zig.as_deref() else {
        return vec![format!("batch starting at program {first}: no Zig was emitted")];
    };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return vec![format!("cannot make a temporary directory: {e}")],
    };
    let exe = dir.path().join("batch");
    if let Err(e) = support::build_zig(zig, &[], false, &exe) {
        return zig_failure(seed, batch, zig, &format!("(at {level:?}) {e}"));
    }
    let out = match support::run_exe(&exe, &[], None) {
        Ok(o) => o,
        Err(e) => return vec![format!("batch starting at program {first}: {e}")],
    };
    if let Some(problem) = interpreter_disagrees(&compilation, &out) {
        return vec![format!("batch starting at program {first} (at {level:?}): the CIR interpreter disagrees with Zig: {problem}")];
    }
    let expected = expected_batch(batch);
    if out.stdout == expected && out.code == 0 && out.stderr.is_empty() {
        return Vec::new();
    }
    let want = sections(&expected, batch);
    let got = sections(&out.stdout, batch);
    let mut failures = Vec::new();
    let mut shown = 0;
    for g in batch {
        let k = g.program.index;
        let Some(o) = got.get(&k) else {
            failures.push(format!("program {k} and the rest of its batch did not run (an earlier program stopped the batch)"));
            break;
        };
        let w = &want[&k];
        if w == o {
            continue;
        }
        let line = w.iter().zip(o).position(|(a, b)| a != b).unwrap_or(w.len().min(o.len()));
        let mut problem = format!(
            "output differs (at {level:?}) at line {} of the program's output\n  expected: {:?}\n  found:    {:?}",
            line + 1,
            w.get(line).map_or("<end of output>", String::as_str),
            o.get(line).map_or("<end of output>", String::as_str)
        );
        if out.code != 0 && got.keys().next_back() == Some(&k) {
            problem += &format!("\n  the batch exited with status {} here; stderr:\n{}", out.code, excerpt(&out.stderr, 3000));
        }
        if shown < SHOWN_PER_BATCH {
            failures.push(describe(seed, g, &problem));
            shown += 1;
        } else {
            failures.push(format!("program {} (seed {:#x}) also fails: {}", k, g.program.seed, problem.lines().next().unwrap_or("")));
        }
    }
    if failures.is_empty() {
        failures.push(format!(
            "batch starting at program {first}: output matches but exit status {} / stderr:\n{}",
            out.code,
            excerpt(&out.stderr, 3000)
        ));
    } else if out.code != 0 && !out.stderr.is_empty() && !failures.iter().any(|f| f.contains("exited with status")) {
        failures.push(format!("batch starting at program {first} exited with status {}; stderr:\n{}", out.code, excerpt(&out.stderr, 3000)));
    }
    failures
}

/// sev reported diagnostics for a batch: find the programs that have them on their own.
fn diagnose_batch(seed: u64, batch: &[Generated], batch_report: &str, level: Level) -> Vec<String> {
    let mut failures = Vec::new();
    for g in batch {
        let source = generator::standalone_json(&g.program);
        let c = compile(&format!("generated/program_{}.sirs.json", g.program.index), &source, level);
        if !c.diagnostics.is_empty() {
            let problem = format!("sev reported diagnostics:\n{}", excerpt(&support::rendered(&c), 4000));
            if failures.len() < SHOWN_PER_BATCH {
                failures.push(describe(seed, g, &problem));
            } else {
                failures.push(format!("program {} (seed {:#x}) also has diagnostics", g.program.index, g.program.seed));
            }
        }
    }
    if failures.is_empty() {
        failures.push(format!(
            "a batch starting at program {} has diagnostics, but no program alone does:\n{}",
            batch.first().map_or(0, |g| g.program.index),
            excerpt(batch_report, 4000)
        ));
    }
    failures
}

/// Zig rejected the generated code: name the programs whose functions the errors point into.
fn zig_failure(seed: u64, batch: &[Generated], zig: &str, error: &str) -> Vec<String> {
    let lines: Vec<&str> = zig.lines().collect();
    let mut culprits: Vec<usize> = Vec::new();
    for (pos, _) in error.match_indices(".zig:") {
        let digits: String = error[pos + 5..].chars().take_while(char::is_ascii_digit).collect();
        let Ok(line) = digits.parse::<usize>() else { continue };
        let owner = lines[..line.min(lines.len())].iter().rev().find_map(|l| {
            let rest = l.trim_start().strip_prefix("fn p").or_else(|| l.trim_start().strip_prefix("pub fn p"))?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<usize>().ok()
        });
        if let Some(k) = owner
            && !culprits.contains(&k)
        {
            culprits.push(k);
        }
    }
    let problem = format!("Zig rejected the generated code:\n{}", excerpt(error, 4000));
    let mut failures: Vec<String> = batch
        .iter()
        .filter(|g| culprits.contains(&g.program.index))
        .take(SHOWN_PER_BATCH)
        .map(|g| describe(seed, g, &problem))
        .collect();
    if failures.is_empty() {
        failures.push(format!("batch starting at program {}: {problem}", batch.first().map_or(0, |g| g.program.index)));
    }
    failures
}
