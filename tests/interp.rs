//! The CIR interpreter (`sev::interp`) against known outputs, without Zig:
//!
//! - generated programs (`tests/gen/`, the generator of `tests/generated.rs`) must print exactly
//!   what the reference interpreter predicts, at `-O0` and `-O2` (the CIR after the passes);
//! - every example in `examples/` must print its `examples/expected/<name>.stdout`, exit with
//!   its `.exit` status and write its `.stderr` text — except those listed in [`SKIPPED`], which
//!   the interpreter must refuse (status 3, naming the construct), never run wrongly;
//! - `sev run --interp` through the binary gives the compiled program's output, fault message,
//!   location and exit status.
//!
//! - programs over generic and recursive types (`tests/gen/types.rs`, boxed enum payloads,
//!   `Option<Self>` records, hostile names) print what their generator computed.
//!
//! `SEV_GEN_PROGRAMS` and `SEV_GEN_TYPES` override how many generated programs are run.

mod support;

#[path = "gen/mod.rs"]
mod generator;
#[path = "gen/types.rs"]
mod types;

use sev::interp::{Outcome, UNSUPPORTED_STATUS};
use sev::opt::Level;

const SEED: u64 = 0x5EED_0000_2024;
const PROGRAMS: usize = 1000;
/// The `SEV_SEED` the examples' expected outputs were made with (`support::run_exe`).
const EXAMPLE_SEED: u64 = 20261124;

/// Examples run by their own test: `http_client` needs a server (tests/stdlib_http.rs runs it
/// compiled and interpreted).
const RUN_ELSEWHERE: &[&str] = &["http_client"];

/// Examples that use what the interpreter does not run yet, with the construct it names.
/// This list must only shrink.
const SKIPPED: &[(&str, &str)] = &[
    ("advi_regression", "model programs (sampling)"),
    ("ar", "model programs (sampling)"),
    ("arma", "model programs (sampling)"),
    ("arma_pq", "model programs (sampling)"),
    ("centred_regression", "model programs (sampling)"),
    ("channels", "a channel receive that would wait for another task (each task runs to its end when spawned)"),
    ("coal_mining", "model programs (sampling)"),
    ("coin_bias", "model programs (sampling)"),
    ("custom_distribution", "the built-in `ppl_check_param`"),
    ("ffi_cbrt", "calls of foreign (`extern`) functions"),
    ("garch", "model programs (sampling)"),
    ("gp_poisson", "model programs (sampling)"),
    ("gp_regression", "model programs (sampling)"),
    ("hmm", "model programs (sampling)"),
    ("lkj_correlation", "model programs (sampling)"),
    ("local_level", "model programs (sampling)"),
    ("local_linear_trend", "model programs (sampling)"),
    ("logistic_regression", "model programs (sampling)"),
    ("logistic_regression_glm", "model programs (sampling)"),
    ("mixture_model", "model programs (sampling)"),
    ("pathfinder_scale", "model programs (sampling)"),
    ("population_size", "model programs (sampling)"),
    ("seasonal", "model programs (sampling)"),
];

fn program_seed(k: usize) -> u64 {
    SEED ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Compiles `source` to CIR at `level` and interprets it.
fn interpret(name: &str, source: &str, level: Level, args: &[String]) -> Result<Outcome, String> {
    let c = sev::driver::compile_with(name, source.as_bytes(), sev::driver::Options { emit_zig: false }, level);
    if let Some(d) = c.diagnostics.iter().find(|d| d.is_error()) {
        return Err(format!("diagnostic: {}", d.render(&c.file, false)));
    }
    let program = c.cir.ok_or("no CIR")?;
    // Forward `sample`s draw as the compiled examples do (`support::run_exe`'s SEV_SEED).
    sev::interp::run_on_own_thread_seeded(program, args.to_vec(), Vec::new(), EXAMPLE_SEED)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The generated programs call the correctly rounded math (so the comparisons above and the
/// three-way test in tests/generated.rs cover it): each function in a good share of them.
#[test]
fn generated_programs_call_every_transcendental_math_function() {
    let sources: Vec<String> = (0..PROGRAMS).map(|k| generator::standalone_json(&generator::generate(k, program_seed(k)).program)).collect();
    for f in [
        "math_exp", "math_log", "math_log10", "math_log2", "math_sin", "math_cos", "math_tan", "math_asin", "math_acos", "math_atan", "math_sinh",
        "math_cosh", "math_tanh", "math_degrees", "math_radians", "math_pow", "math_atan2", "math_hypot", "math_remainder",
    ] {
        let quoted = format!("\"{f}\"");
        let count = sources.iter().filter(|s| s.contains(&quoted)).count();
        assert!(count >= 20, "{f} in only {count} of {PROGRAMS} programs");
    }
}

#[test]
fn generated_programs_print_what_the_reference_interpreter_predicts() {
    let count = support::env_number("SEV_GEN_PROGRAMS").map_or(PROGRAMS, |n| n as usize);
    let mut failures = Vec::new();
    for k in 0..count {
        let g: generator::Generated = generator::generate(k, program_seed(k));
        let source = generator::standalone_json(&g.program);
        let expected = format!("{}\n{}", g.program.header(), g.expected);
        let level = if k % 2 == 0 { Level::O0 } else { Level::O2 };
        match interpret(&format!("generated/program_{k}.sirs.json"), &source, level, &[]) {
            Ok(out) if out.status == 0 && text(&out.stdout) == expected => {}
            Ok(out) => failures.push(format!(
                "program {k} ({level:?}): status {}: {}\n--- expected\n{expected}--- found\n{}--- stderr\n{}--- program\n{source}\n",
                out.status,
                text(&out.stderr).lines().next().unwrap_or(""),
                text(&out.stdout),
                text(&out.stderr)
            )),
            Err(e) => failures.push(format!("program {k}: {e}")),
        }
    }
    // The first lines of each failure, then one failure in full.
    let heads: Vec<String> = failures.iter().map(|f| f.lines().take(1).collect::<Vec<_>>().join("\n")).collect();
    assert!(failures.is_empty(), "{} of {count} programs differ:\n{}\n\nthe first in full:\n{}", failures.len(), heads.join("\n"), failures.first().map_or("", |s| s.as_str()));
}

fn example_names() -> Vec<String> {
    let dir = support::root().join("examples");
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).expect("examples/").flatten().filter_map(|e| e.file_name().to_string_lossy().strip_suffix(".sirs.json").map(str::to_string)).collect();
    names.sort();
    names
}

fn expected(name: &str, ext: &str) -> Option<String> {
    std::fs::read_to_string(support::root().join("examples").join("expected").join(format!("{name}.{ext}"))).ok()
}

/// Runs one example; `Ok(Some(construct))` when the interpreter refused it.
fn check_example(name: &str) -> Result<Option<String>, String> {
    let source = std::fs::read_to_string(support::root().join("examples").join(format!("{name}.sirs.json"))).map_err(|e| e.to_string())?;
    let args: Vec<String> = expected(name, "args").map(|a| a.lines().map(str::to_string).collect()).unwrap_or_default();
    let out = interpret(&format!("examples/{name}.sirs.json"), &source, Level::O2, &args)?;
    if let Some(construct) = out.unsupported {
        if out.status != UNSUPPORTED_STATUS {
            return Err(format!("refused with status {}", out.status));
        }
        return Ok(Some(construct));
    }
    let stdout = expected(name, "stdout").ok_or("no expected stdout")?;
    let status: u8 = expected(name, "exit").map_or(0, |c| c.trim().parse().unwrap_or(255));
    if text(&out.stdout) != stdout {
        return Err(format!("stdout differs\n--- expected\n{stdout}--- found\n{}--- stderr\n{}", text(&out.stdout), text(&out.stderr)));
    }
    if out.status != status {
        return Err(format!("exit status {} instead of {status}; stderr:\n{}", out.status, text(&out.stderr)));
    }
    if let Some(needle) = expected(name, "stderr")
        && !text(&out.stderr).contains(needle.trim_end())
    {
        return Err(format!("stderr lacks {needle:?}; stderr:\n{}", text(&out.stderr)));
    }
    Ok(None)
}

#[test]
fn examples_print_their_expected_output_or_are_refused_as_listed() {
    // `infer` runs the model binary that `sev run --interp` builds for it
    sev::commands::infer_sampler::install();
    let mut problems = Vec::new();
    let mut passed = 0;
    for name in example_names().into_iter().filter(|n| !RUN_ELSEWHERE.contains(&n.as_str())) {
        let listed = SKIPPED.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
        match (check_example(&name), listed) {
            (Ok(None), None) => passed += 1,
            (Ok(None), Some(_)) => problems.push(format!("{name}: runs now; remove it from SKIPPED")),
            (Ok(Some(construct)), Some(want)) if construct == want => {}
            (Ok(Some(construct)), _) => problems.push(format!("{name}: refused for {construct:?} (list it in SKIPPED or support it)")),
            (Err(e), _) => problems.push(format!("{name}: {e}")),
        }
    }
    assert!(problems.is_empty(), "{passed} examples pass; problems:\n{}", problems.join("\n\n"));
    assert!(passed >= 15, "only {passed} examples run through the interpreter");
}

fn sev(args: &[&str]) -> support::Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    support::sev(&args, "1", Some(&support::root()))
}

/// `sev run --interp` and `sev run` (built with Zig) agree on stdout, stderr and exit status,
/// also when the program stops with a fault.
#[test]
fn run_interp_matches_the_compiled_program_through_the_binary() {
    for example in ["factorial", "overflow_fault", "bounds_fault", "enums_and_match", "infer_posterior"] {
        let file = format!("examples/{example}.sirs.json");
        let interpreted = sev(&["run", "--interp", &file]);
        let compiled = sev(&["run", &file]);
        assert_eq!(interpreted.stdout, compiled.stdout, "{example}: stdout");
        assert_eq!(interpreted.stderr, compiled.stderr, "{example}: stderr");
        assert_eq!(interpreted.code, compiled.code, "{example}: exit status");
    }
}

/// A construct the interpreter does not run is refused by name and place, with status 3.
#[test]
fn run_interp_refuses_what_it_does_not_run_yet() {
    let out = sev(&["run", "--interp", "examples/ffi_cbrt.sirs.json"]);
    assert_eq!(out.code, i32::from(UNSUPPORTED_STATUS), "stderr: {}", out.stderr);
    assert!(out.stderr.starts_with("error: the interpreter does not run calls of foreign (`extern`) functions yet\n  --> examples/ffi_cbrt.sirs.json:"), "{}", out.stderr);
    let model = sev(&["run", "--interp", "examples/coin_bias.sirs.json"]);
    assert_eq!(model.code, i32::from(UNSUPPORTED_STATUS));
    assert!(model.stderr.contains("does not run model programs (sampling) yet"), "{}", model.stderr);
}

/// A program that recurses `depth` calls deep and prints the depth.
fn recursion_program(depth: usize) -> String {
    let down = r#"{"args": [{"name": "n", "type": "i64"}], "return": "i64", "body": [
        {"if": {"condition": {"op": {"kind": "eq", "args": [{"var": "n"}, {"literal": 0}]}}, "then": [{"return": {"literal": 0}}]}},
        {"return": {"op": {"kind": "add", "args": [{"call": {"function": "down", "args": [{"op": {"kind": "sub", "args": [{"var": "n"}, {"literal": 1}]}}]}}, {"literal": 1}]}}}]}"#;
    format!(
        r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [
        {{"expression": {{"call": {{"function": "print", "args": [{{"call": {{"function": "down", "args": [{{"literal": {depth}}}]}}}}]}}}}}}]}}, "down": {down}}}}}}}"#
    )
}

/// Recursion as deep as `MAX_DEPTH` runs (on the interpreter's own large stack, also in a debug
/// build); one call deeper stops with the compiled code's stack-overflow fault.
#[test]
fn deep_recursion_runs_and_unbounded_recursion_is_the_stack_overflow_fault() {
    let depth = sev::interp::MAX_DEPTH - 2;
    let ok = interpret("deep.sirs.json", &recursion_program(depth), Level::O0, &[]).expect("runs");
    assert_eq!((text(&ok.stdout), ok.status), (format!("{depth}\n"), 0), "stderr: {}", text(&ok.stderr));
    let deep = interpret("deep.sirs.json", &recursion_program(sev::interp::MAX_DEPTH + 1), Level::O0, &[]).expect("runs");
    assert_eq!(deep.status, sev::interp::FAULT_STATUS);
    assert!(text(&deep.stderr).starts_with("error: stack overflow: the recursion in `down` is too deep\n  --> deep.sirs.json:"), "{}", text(&deep.stderr));
}

/// The fenced block that follows `<!-- interp-example: WHICH -->` in `docs/cli.md`.
fn doc_example(which: &str) -> String {
    let doc = std::fs::read_to_string(support::root().join("docs").join("cli.md")).expect("docs/cli.md readable");
    let marker = format!("<!-- interp-example: {which} -->\n```");
    let start = doc.find(&marker).unwrap_or_else(|| panic!("docs/cli.md has no interp {which} example")) + marker.len();
    let start = start + doc[start..].find('\n').expect("the fence line ends") + 1;
    let end = doc[start..].find("```").expect("the block closes") + start;
    doc[start..end].to_string()
}

/// The session shown in `docs/cli.md` is what `sev run --interp` does with the program shown.
#[test]
fn the_documented_session_is_what_run_interp_prints() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("grow.sirs.json"), doc_example("program")).expect("written");
    let out = support::sev(&["run".into(), "--interp".into(), "grow.sirs.json".into()], "1", Some(dir.path()));
    let session = format!("$ sev run --interp grow.sirs.json\n{}{}$ echo $?\n{}\n", out.stdout, out.stderr, out.code);
    assert_eq!(session, doc_example("session"));
}

/// The refusal shown in `docs/cli.md` is the real one.
#[test]
fn the_documented_refusal_is_the_real_one() {
    let out = sev(&["run", "--interp", "examples/ffi_cbrt.sirs.json"]);
    let doc = std::fs::read_to_string(support::root().join("docs").join("cli.md")).expect("docs/cli.md readable");
    assert!(doc.contains(&format!("```text\n{}```", out.stderr)), "docs/cli.md should show:\n{}", out.stderr);
}

/// A program whose `main` binds `a` (of type `ty`) and prints `expr`.
fn fault_program(ty: &str, value: &str, expr: &str) -> String {
    format!(
        r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [
        {{"let": {{"name": "a", "type": "{ty}", "value": {value}, "mutable": true}}}},
        {{"expression": {{"call": {{"function": "print", "args": [{{"literal": "before"}}]}}}}}},
        {{"expression": {{"call": {{"function": "print", "args": [{expr}]}}}}}}]}}}}}}}}"#
    )
}

/// Every kind of runtime fault the interpreter knows, and conversions that round, give the
/// compiled program's stdout, message, location and status (built with Zig at -O0).
#[test]
fn faults_and_conversions_match_the_compiled_program() {
    let op = |kind: &str, b: &str| format!(r#"{{"op": {{"kind": "{kind}", "args": [{{"var": "a"}}, {b}]}}}}"#);
    let call = |f: &str, rest: &str| format!(r#"{{"call": {{"function": "{f}", "args": [{{"var": "a"}}{rest}]}}}}"#);
    let cast = |to: &str| format!(r#"{{"cast": {{"value": {{"var": "a"}}, "type": "{to}"}}}}"#);
    let cases: Vec<(&str, &str, String)> = vec![
        ("i32", r#"{"literal": 7}"#, op("div", r#"{"literal": 0}"#)),
        ("u16", r#"{"literal": 7}"#, op("mod", r#"{"literal": 0}"#)),
        ("i8", r#"{"literal": -128}"#, op("div", r#"{"literal": -1}"#)),
        ("u64", r#"{"literal": 18446744073709551615}"#, op("add", r#"{"literal": 1}"#)),
        ("u32", r#"{"literal": 3}"#, op("sub", r#"{"literal": 4}"#)),
        ("i64", r#"{"literal": 1}"#, op("shl", r#"{"literal": 64}"#)),
        ("i32", r#"{"literal": 2}"#, op("pow", r#"{"literal": -1}"#)),
        ("i16", r#"{"literal": 3}"#, op("pow", r#"{"literal": 11}"#)),
        ("i8", r#"{"literal": -128}"#, r#"{"op": {"kind": "neg", "args": [{"var": "a"}]}}"#.to_string()),
        ("i64", r#"{"literal": 300}"#, cast("u8")),
        ("i64", r#"{"literal": 9007199791611905}"#, cast("f32")),
        ("f64", r#"{"literal": 1e20}"#, cast("i64")),
        ("f64", r#"{"literal": -0.5}"#, cast("u8")),
        ("str", r#"{"literal": "hello"}"#, call("str_substring", r#", {"literal": 2}, {"literal": 9}"#)),
        ("str", r#"{"literal": "hello"}"#, call("str_byte_at", r#", {"literal": 5}"#)),
        ("[i64]", r#"{"array": []}"#, call("pop", "")),
        ("[i64]", r#"{"array": [{"literal": 1}]}"#, format!(r#"{{"call": {{"function": "len", "args": [{}]}}}}"#, call("array_slice", r#", {"literal": 0}, {"literal": 2}"#))),
    ];
    let mut problems = Vec::new();
    for (i, (ty, value, expr)) in cases.iter().enumerate() {
        let name = format!("fault_{i}.sirs.json");
        let source = fault_program(ty, value, expr);
        let compiled = match support::build_and_run(&name, &source, &[]) {
            Ok(out) => out,
            Err(e) => {
                problems.push(format!("case {i} ({ty} {expr}): does not build: {e}"));
                continue;
            }
        };
        let interpreted = interpret(&name, &source, Level::O0, &[]).expect("runs");
        let got = (text(&interpreted.stdout), text(&interpreted.stderr), i32::from(interpreted.status));
        if got != (compiled.stdout.clone(), compiled.stderr.clone(), compiled.code) {
            problems.push(format!("case {i} ({ty} {expr}):\n  interpreter: {got:?}\n  compiled:    {:?}", (compiled.stdout, compiled.stderr, compiled.code)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Exceptions that end the program — uncaught, or escaping a `finally` block through a call —
/// are reported as the compiled program reports them.
#[test]
fn uncaught_and_escaping_exceptions_match_the_compiled_program() {
    let print = |s: &str| format!(r#"{{"expression": {{"call": {{"function": "print", "args": [{{"literal": "{s}"}}]}}}}}}"#);
    let boom = r#""boom": {"args": [], "return": "void", "body": [{"throw": {"literal": "late"}}]}"#;
    let program = |body: String| format!(r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [{body}]}}, {boom}}}}}}}"#);
    let call_boom = r#"{"expression": {"call": {"function": "boom", "args": []}}}"#;
    let sources = [
        program(format!("{}, {call_boom}, {}", print("before"), print("not reached"))),
        program(format!(r#"{{"try": {{"body": [{}], "catch": [{{"body": [{}]}}], "finally": [{call_boom}]}}}}, {}"#, print("in"), print("caught"), print("after"))),
        program(format!(r#"{{"try": {{"body": [{call_boom}], "catch": [{{"variable": "e", "body": [{}]}}], "finally": [{}]}}}}"#, print("caught"), print("finally"))),
    ];
    for (i, source) in sources.iter().enumerate() {
        let name = format!("exception_{i}.sirs.json");
        let compiled = support::build_and_run(&name, source, &[]).unwrap_or_else(|e| panic!("case {i} does not build: {e}"));
        let interpreted = interpret(&name, source, Level::O0, &[]).expect("runs");
        let got = (text(&interpreted.stdout), text(&interpreted.stderr), i32::from(interpreted.status));
        assert_eq!(got, (compiled.stdout, compiled.stderr, compiled.code), "case {i}");
        assert_eq!(got.2, [101, 101, 0][i], "case {i}: {}", got.1);
    }
    let escaped = interpret("e.sirs.json", &sources[1], Level::O0, &[]).expect("runs");
    assert!(text(&escaped.stderr).starts_with("error: exception Error escaped a `finally` block"), "{}", text(&escaped.stderr));
}

/// Maps and sets keep the runtime's order: a new key goes last, replacing a value keeps its
/// place, removing keeps the others' order; set operations keep the first operand's order.
#[test]
fn map_and_set_order_matches_the_compiled_program() {
    let call = |f: &str, args: &str| format!(r#"{{"call": {{"function": "{f}", "args": [{args}]}}}}"#);
    let lit = |s: &str| format!(r#"{{"literal": "{s}"}}"#);
    let stmt = |e: String| format!(r#"{{"expression": {e}}}"#);
    let print_joined = |list: String| stmt(call("print", &call("str_join", &format!(r#"{list}, {}"#, lit(",")))));
    let body = [
        r#"{"let": {"name": "m", "type": "map<str, i64>", "value": {"map": [[{"literal": "c"}, {"literal": 1}], [{"literal": "a"}, {"literal": 2}], [{"literal": "c"}, {"literal": 3}]]}, "mutable": true}}"#.to_string(),
        stmt(call("map_insert", &format!(r#"{{"var": "m"}}, {}, {{"literal": 4}}"#, lit("b")))),
        stmt(call("map_remove", &format!(r#"{{"var": "m"}}, {}"#, lit("c")))),
        stmt(call("map_insert", &format!(r#"{{"var": "m"}}, {}, {{"literal": 5}}"#, lit("c")))),
        stmt(call("map_insert", &format!(r#"{{"var": "m"}}, {}, {{"literal": 6}}"#, lit("a")))),
        print_joined(call("map_keys", r#"{"var": "m"}"#)),
        stmt(call("print", &call("map_len", r#"{"var": "m"}"#))),
        r#"{"let": {"name": "s", "type": "set<str>", "value": {"set": [{"literal": "x"}, {"literal": "y"}, {"literal": "x"}, {"literal": "z"}]}, "mutable": true}}"#.to_string(),
        r#"{"let": {"name": "t", "type": "set<str>", "value": {"set": [{"literal": "z"}, {"literal": "w"}, {"literal": "x"}]}}}"#.to_string(),
        stmt(call("set_remove", &format!(r#"{{"var": "s"}}, {}"#, lit("y")))),
        stmt(call("set_insert", &format!(r#"{{"var": "s"}}, {}"#, lit("y")))),
        print_joined(call("set_items", r#"{"var": "s"}"#)),
        print_joined(call("set_items", &call("set_union", r#"{"var": "t"}, {"var": "s"}"#))),
        print_joined(call("set_items", &call("set_intersection", r#"{"var": "t"}, {"var": "s"}"#))),
        print_joined(call("set_items", &call("set_difference", r#"{"var": "s"}, {"var": "t"}"#))),
    ];
    let source = format!(r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [{}]}}}}}}}}"#, body.join(", "));
    let compiled = support::build_and_run("order.sirs.json", &source, &[]).unwrap_or_else(|e| panic!("does not build: {e}"));
    let interpreted = interpret("order.sirs.json", &source, Level::O2, &[]).expect("runs");
    assert_eq!((text(&interpreted.stdout), text(&interpreted.stderr), i32::from(interpreted.status)), (compiled.stdout.clone(), compiled.stderr, compiled.code));
    assert_eq!(compiled.stdout, "a,b,c\n3\nx,z,y\nz,w,x,y\nz,x\ny\n");
}

/// Random programs over generic and recursive types print what their generator computed, at
/// `-O0` and `-O2`.
#[test]
fn generic_and_recursive_type_programs_print_what_the_generator_computed() {
    let count = support::env_number("SEV_GEN_TYPES").map_or(200, |n| n as usize);
    let mut failures = Vec::new();
    for k in 0..count {
        let t = types::generate(k, types::seed(k));
        let index = t.index;
        for level in [Level::O0, Level::O2] {
            match interpret("generated/types.sirs.json", &t.source, level, &[]) {
                Ok(out) if out.status == 0 && text(&out.stdout) == t.expected => {}
                Ok(out) => failures.push(format!(
                    "program {index} ({level:?}): status {}: {}\n--- expected\n{}--- found\n{}--- program\n{}\n",
                    out.status,
                    text(&out.stderr).lines().next().unwrap_or(""),
                    t.expected,
                    text(&out.stdout),
                    t.source
                )),
                Err(e) => failures.push(format!("program {index} ({level:?}): {e}")),
            }
        }
    }
    let heads: Vec<String> = failures.iter().map(|f| f.lines().next().unwrap_or("").to_string()).collect();
    assert!(failures.is_empty(), "{} failures:\n{}\n\nthe first in full:\n{}", failures.len(), heads.join("\n"), failures.first().map_or("", |s| s.as_str()));
}

/// Bad command lines and programs with errors fail as `sev run` does, before interpreting.
#[test]
fn run_interp_usage_errors_and_programs_with_errors() {
    let conflict = sev(&["run", "--interp", "--release", "examples/factorial.sirs.json"]);
    assert_eq!(conflict.code, 2, "{}", conflict.stderr);
    let sampling = sev(&["run", "--interp", "--seed", "3", "examples/factorial.sirs.json"]);
    assert_eq!(sampling.code, 2, "{}", sampling.stderr);
    assert!(sampling.stderr.contains("does not run model programs"), "{}", sampling.stderr);
    let dir = tempfile::tempdir().expect("temporary directory");
    let bad = dir.path().join("bad.sirs.json");
    std::fs::write(&bad, r#"{"program": {"entry": "main", "functions": {"main": {"args": [], "return": "void", "body": [{"expression": {"call": {"function": "print", "args": [{"var": "nope"}]}}}]}}}}"#)
        .expect("written");
    let out = sev(&["run", "--interp", &bad.display().to_string()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("nope") && out.stdout.is_empty(), "{}", out.stderr);
    let missing = sev(&["run", "--interp", "/no/such/file.sirs.json"]);
    assert_eq!(missing.code, 3, "{}", missing.stderr);
}

/// `f32` values round as the compiled program rounds them: literals, arithmetic, conversions
/// and printing with f32's own shortest digits.
#[test]
fn f32_arithmetic_and_printing_match_the_compiled_program() {
    let print = |e: &str| format!(r#"{{"expression": {{"call": {{"function": "print", "args": [{e}]}}}}}}"#);
    let body = [
        r#"{"let": {"name": "a", "type": "f32", "value": {"literal": 0.1}}}"#.to_string(),
        r#"{"let": {"name": "b", "type": "f32", "value": {"literal": 3}}}"#.to_string(),
        print(r#"{"var": "a"}"#),
        print(r#"{"op": {"kind": "div", "args": [{"literal": 1.0}, {"var": "b"}]}}"#),
        print(r#"{"op": {"kind": "add", "args": [{"var": "a"}, {"literal": 0.2}]}}"#),
        print(r#"{"cast": {"value": {"var": "a"}, "type": "f64"}}"#),
        print(r#"{"op": {"kind": "mul", "args": [{"var": "a"}, {"literal": 1e30}]}}"#),
        print(r#"{"op": {"kind": "mod", "args": [{"literal": 7.5}, {"var": "b"}]}}"#),
    ];
    let source = format!(r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [{}]}}}}}}}}"#, body.join(", "));
    let compiled = support::build_and_run("f32.sirs.json", &source, &[]).unwrap_or_else(|e| panic!("does not build: {e}"));
    for level in [Level::O0, Level::O2] {
        let interpreted = interpret("f32.sirs.json", &source, level, &[]).expect("runs");
        assert_eq!(
            (text(&interpreted.stdout), text(&interpreted.stderr), i32::from(interpreted.status)),
            (compiled.stdout.clone(), compiled.stderr.clone(), compiled.code),
            "{level:?}"
        );
    }
    // The f32 literal 0.1 widened to f64 shows its f32 rounding.
    assert!(compiled.stdout.starts_with("0.1\n0.33333334\n0.3\n0.10000000149011612\n"), "{}", compiled.stdout);
}

/// Lists of lists and of floats sort in the runtime's total order (`rc.order`: item by item,
/// then by length; NaN above everything), stably.
#[test]
fn composite_sort_order_matches_the_compiled_program() {
    let print = |e: &str| format!(r#"{{"expression": {{"call": {{"function": "print", "args": [{e}]}}}}}}"#);
    let list = |xs: &[&str]| format!(r#"{{"array": [{}]}}"#, xs.iter().map(|x| format!(r#"{{"literal": {x}}}"#)).collect::<Vec<_>>().join(", "));
    let at = |xs: &str, i: usize| format!(r#"{{"index": {{"array": {xs}, "index": {{"literal": {i}}}}}}}"#);
    let rows = format!(r#"{{"array": [{}, {}, {}, {}]}}"#, list(&["2", "1"]), list(&["1", "5", "0"]), list(&["1", "5"]), list(&["2"]));
    let sorted = format!(r#"{{"call": {{"function": "array_sort", "args": [{rows}]}}}}"#);
    let floats = r#"{"call": {"function": "array_sort", "args": [{"array": [{"literal": 2.5}, {"op": {"kind": "div", "args": [{"literal": 0.0}, {"literal": 0.0}]}}, {"literal": -1.0}]}]}}"#;
    let mut body: Vec<String> = (0..4).map(|i| print(&format!(r#"{{"call": {{"function": "len", "args": [{}]}}}}"#, at(&sorted, i)))).collect();
    body.push(print(&at(&at(&sorted, 3), 0)));
    body.extend((0..3).map(|i| print(&at(floats, i))));
    let source = format!(r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [{}]}}}}}}}}"#, body.join(", "));
    let compiled = support::build_and_run("sort.sirs.json", &source, &[]).unwrap_or_else(|e| panic!("does not build: {e}"));
    let interpreted = interpret("sort.sirs.json", &source, Level::O0, &[]).expect("runs");
    assert_eq!((text(&interpreted.stdout), text(&interpreted.stderr), i32::from(interpreted.status)), (compiled.stdout.clone(), compiled.stderr, compiled.code));
    assert_eq!(compiled.stdout, "2\n3\n1\n2\n2\n-1.0\n2.5\nnan\n");
}

/// `print_inline` writes what `print` writes without the newline, for every printable type,
/// compiled (numbers formatted on the stack into the buffered stdout) and interpreted alike; a
/// line left open when a fault stops the program is still written before the fault message.
#[test]
fn print_inline_matches_the_compiled_program() {
    let inline = |e: &str| format!(r#"{{"expression": {{"call": {{"function": "print_inline", "args": [{e}]}}}}}}"#);
    let comma = inline(r#"{"literal": ","}"#);
    let values = [
        r#"{"literal": "text"}"#,
        r#"{"literal": -42}"#,
        r#"{"cast": {"value": {"literal": 7}, "type": "u8"}}"#,
        r#"{"literal": 0.1}"#,
        r#"{"literal": 55.0}"#,
        r#"{"literal": 1e300}"#,
        r#"{"op": {"kind": "div", "args": [{"literal": 0.0}, {"literal": 0.0}]}}"#,
        r#"{"op": {"kind": "div", "args": [{"literal": -1.0}, {"literal": 0.0}]}}"#,
        r#"{"var": "f"}"#,
        r#"{"literal": true}"#,
    ];
    let mut body = vec![r#"{"let": {"name": "f", "type": "f32", "value": {"literal": 0.1}}}"#.to_string()];
    for v in values {
        body.push(inline(v));
        body.push(comma.clone());
    }
    body.push(r#"{"expression": {"call": {"function": "print", "args": [{"literal": "end"}]}}}"#.to_string());
    body.push(r#"{"let": {"name": "xs", "type": "[i64]", "value": {"array": [{"literal": 1}]}}}"#.to_string());
    body.push(inline(r#"{"literal": "open "}"#));
    body.push(inline(r#"{"index": {"array": {"var": "xs"}, "index": {"literal": 3}}}"#));
    let source = format!(r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [{}]}}}}}}}}"#, body.join(", "));
    let compiled = support::build_and_run("inline.sirs.json", &source, &[]).unwrap_or_else(|e| panic!("does not build: {e}"));
    for level in [Level::O0, Level::O2] {
        let interpreted = interpret("inline.sirs.json", &source, level, &[]).expect("runs");
        assert_eq!(
            (text(&interpreted.stdout), text(&interpreted.stderr), i32::from(interpreted.status)),
            (compiled.stdout.clone(), compiled.stderr.clone(), compiled.code),
            "{level:?}"
        );
    }
    assert_eq!(compiled.stdout, "text,-42,7,0.1,55.0,1e+300,nan,-inf,0.1,true,end\nopen ");
    assert_eq!(compiled.code, 101, "the index fault: {}", compiled.stderr);
}
