//! Every program in `examples/` is built with Zig and run; its stdout must equal
//! `examples/expected/<name>.stdout`. Optional files beside it: `<name>.args` (one argument per
//! line), `<name>.exit` (the expected exit status, default 0) and `<name>.stderr` (text that
//! stderr must contain). Every lowered example must also pass the CIR verifier.

mod support;

use std::path::PathBuf;

struct Example {
    name: String,
    path: PathBuf,
}

fn examples() -> Vec<Example> {
    let dir = support::root().join("examples");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("examples/ exists").flatten() {
        let path = entry.path();
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        if let Some(stem) = sev::syntax::EXTENSIONS.iter().find_map(|e| file.strip_suffix(e)) {
            out.push(Example { name: stem.to_string(), path });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn expected(name: &str, ext: &str) -> Option<String> {
    std::fs::read_to_string(support::root().join("examples").join("expected").join(format!("{name}.{ext}"))).ok()
}

fn check(example: &Example) -> Result<(), String> {
    let source = std::fs::read_to_string(&example.path).map_err(|e| e.to_string())?;
    let stdout = expected(&example.name, "stdout").ok_or("no expected stdout file")?;
    let args: Vec<String> = expected(&example.name, "args").map(|a| a.lines().map(str::to_string).collect()).unwrap_or_default();
    let code: i32 = expected(&example.name, "exit").map_or(0, |c| c.trim().parse().unwrap_or(-1));
    let name = format!("examples/{}", example.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
    let out = support::build_and_run(&name, &source, &args)?;
    if out.stdout != stdout {
        return Err(format!("stdout differs\n--- expected\n{stdout}--- found\n{}--- stderr\n{}", out.stdout, out.stderr));
    }
    if out.code != code {
        return Err(format!("exit status {} instead of {code}; stderr:\n{}", out.code, out.stderr));
    }
    if let Some(needle) = expected(&example.name, "stderr")
        && !out.stderr.contains(needle.trim_end()) {
            return Err(format!("stderr lacks {needle:?}; stderr:\n{}", out.stderr));
        }
    Ok(())
}

/// Examples run by their own test instead: `http_client` needs a server (tests/stdlib_http.rs).
const RUN_ELSEWHERE: &[&str] = &["http_client"];

#[test]
fn every_example_builds_runs_and_prints_its_expected_output() {
    let all: Vec<Example> = examples().into_iter().filter(|e| !RUN_ELSEWHERE.contains(&e.name.as_str())).collect();
    assert!(all.len() >= 15, "only {} examples", all.len());
    let results = support::parallel(all.iter().collect(), |ex| (ex.name.clone(), check(ex)));
    let failures: Vec<String> = results.into_iter().filter_map(|(n, r)| r.err().map(|e| format!("{n}: {e}"))).collect();
    assert!(failures.is_empty(), "{} example(s) failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn every_example_lowers_to_verified_cir() {
    for ex in examples() {
        let source = std::fs::read_to_string(&ex.path).expect("readable");
        let c = support::compile(&ex.name, &source);
        assert!(!c.has_errors(), "{}: {}", ex.name, support::rendered(&c));
        let cir = c.cir.expect("cir");
        if let Err(report) = sev::cir::verify::verify(&cir) {
            panic!("{}: {report}", ex.name);
        }
    }
}
