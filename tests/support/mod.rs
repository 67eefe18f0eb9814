//! Shared helpers for the integration tests: compiling SIRS in memory, building with Zig
//! (at most two builds at a time, one shared cache under `target/`), running binaries.

#![allow(dead_code)]

pub mod series_fit;

use sev::driver::{self, Compilation};
use sev::toolchain::{self, BuildRequest, Mode, Zig};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, OnceLock};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cache shared by all test builds (artifacts and Zig's own cache).
pub fn cache_dir() -> PathBuf {
    root().join("target").join("sev-test-cache")
}

pub fn zig() -> &'static Zig {
    static ZIG: OnceLock<Zig> = OnceLock::new();
    ZIG.get_or_init(|| match Zig::find() {
        Ok(z) => z,
        Err(e) => panic!("the end-to-end tests need Zig 0.14.1: {e}"),
    })
}

/// At most two Zig builds run at once (the machines have two cores).
struct Slots {
    used: Mutex<usize>,
    freed: Condvar,
}

fn slots() -> &'static Slots {
    static SLOTS: OnceLock<Slots> = OnceLock::new();
    SLOTS.get_or_init(|| Slots { used: Mutex::new(0), freed: Condvar::new() })
}

fn with_build_slot<T>(f: impl FnOnce() -> T) -> T {
    let s = slots();
    {
        let mut used = s.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used >= 2 {
            used = s.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += 1;
    }
    let result = f();
    *s.used.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
    s.freed.notify_one();
    result
}

pub fn compile(name: &str, source: &str) -> Compilation {
    driver::compile(name, source.as_bytes(), driver::Options { emit_zig: true })
}

/// Renders all diagnostics without colour.
pub fn rendered(c: &Compilation) -> String {
    sev::diagnostic::render_all(&c.diagnostics, &c.file, false)
}

/// Builds generated Zig into `out` (Debug, stripped).
pub fn build_zig(zig_source: &str, libraries: &[String], model: bool, out: &Path) -> Result<(), String> {
    let request = BuildRequest { source: zig_source, mode: Mode::Debug, libraries, model };
    with_build_slot(|| toolchain::build(zig(), &request, &cache_dir(), out, false)).map(|_| ()).map_err(|e| e.to_string())
}

#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl From<std::process::Output> for Output {
    fn from(out: std::process::Output) -> Output {
        Output {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }
}

/// Runs the `sev` binary with `args` (in `cwd` when given), with the shared test cache and
/// `SEV_SEED` set to `seed`, so that draws outside models are reproducible.
pub fn sev(args: &[String], seed: &str, cwd: Option<&Path>) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sev"));
    cmd.args(args).env("SEV_CACHE_DIR", cache_dir()).env("SEV_SEED", seed);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    cmd.output().expect("sev runs").into()
}

/// Compiles a SIRS source, builds it and runs it with `args`.
pub fn build_and_run(name: &str, source: &str, args: &[String]) -> Result<Output, String> {
    let c = compile(name, source);
    if c.has_errors() {
        return Err(format!("compile errors:\n{}", rendered(&c)));
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let exe = dir.path().join("program");
    let libs: Vec<String> = c.cir.iter().flat_map(|p| p.externs.iter().map(|e| e.library.clone())).collect();
    let model = c.cir.as_ref().is_some_and(|p| p.model.is_some());
    build_zig(c.zig.as_deref().unwrap_or_default(), &libs, model, &exe)?;
    run_exe(&exe, args, None)
}

pub fn run_exe(exe: &Path, args: &[String], cwd: Option<&Path>) -> Result<Output, String> {
    let mut cmd = std::process::Command::new(exe);
    // Forward simulation draws from a seed: fixed, so that expected outputs are reproducible.
    cmd.args(args).env("SEV_SEED", "20261124");
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let out = output_retrying_busy(&mut cmd).map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    Ok(out.into())
}

/// `cmd.output()`, retried while the executable is "busy" (ETXTBSY): with two build threads, a
/// child forked by one thread can briefly hold the other thread's freshly written binary open
/// for writing, and exec refuses to run a file open for writing.
pub fn output_retrying_busy(cmd: &mut std::process::Command) -> std::io::Result<std::process::Output> {
    let mut attempts = 0;
    loop {
        match cmd.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && attempts < 50 => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// An environment variable holding a number, decimal or `0x` hexadecimal (the test overrides
/// such as `SEV_GEN_SEED`).
pub fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// Runs `jobs` on two worker threads and returns their results in order.
pub fn parallel<T: Send, R: Send>(jobs: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let queue = Mutex::new(jobs.into_iter().enumerate().collect::<Vec<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let job = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                let Some((i, job)) = job else { break };
                let r = f(job);
                results.lock().unwrap_or_else(|e| e.into_inner()).push((i, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Builds `tests/<dir>/<eval>.zig` (an evaluator over the runtime's `ppl` math module, ReleaseSafe,
/// in the shared cache) and runs the Python cross-check `tests/<dir>/<script>` on it, which needs
/// the modules `imports` (e.g. "scipy, numpy"). Returns the script's stdout; panics with what is
/// missing or what the script reported.
pub fn python_cross_check(dir: &str, eval: &str, script: &str, imports: &str) -> String {
    use std::process::Command;
    let root = root();
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    match Command::new(&python).args(["-c", &format!("import {imports}")]).output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!("{script} needs {imports}: `{python} -m pip install {}` ({})", imports.replace(',', ""), String::from_utf8_lossy(&o.stderr).trim()),
        Err(e) => panic!("{script} needs {python}: {e}"),
    }
    let temp = tempfile::tempdir().expect("temp dir");
    let exe = temp.path().join(eval);
    let zig_cache = cache_dir().join("zig");
    let build = zig()
        .command()
        .current_dir(&root)
        .args(["build-exe", "-O", "ReleaseSafe", "--dep", "ppl", &format!("-Mroot=tests/{dir}/{eval}.zig"), "-Mppl=runtime/ppl/math_root.zig", "--name", eval])
        .arg(format!("-femit-bin={}", exe.display()))
        .arg("--global-cache-dir")
        .arg(&zig_cache)
        .arg("--cache-dir")
        .arg(&zig_cache)
        .output()
        .expect("zig runs");
    assert!(build.status.success(), "{eval} does not build:\n{}", String::from_utf8_lossy(&build.stderr));
    let out = Command::new(&python).arg(root.join("tests").join(dir).join(script)).arg(&exe).output().expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{stdout}");
    assert!(out.status.success(), "{script} reports mismatches (exit {:?}):\n{stdout}\n{}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    stdout
}

/// The log density and each gradient coordinate (the reverse-mode column) that a model
/// binary's `diagnose` prints.
pub fn diagnose_reverse_gradients(stdout: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for line in stdout.lines() {
        if let Some(lp) = line.split("log density = ").nth(1) {
            out.push(lp.trim().parse().unwrap_or(f64::NAN));
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() == 7 && fields[0].parse::<usize>().is_ok() {
            out.push(fields[2].parse().unwrap_or(f64::NAN));
        }
    }
    out
}
