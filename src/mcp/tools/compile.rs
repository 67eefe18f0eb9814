//! The compiler tools: `check`, `build`, `run` and `infer_type`.
//!
//! `build` really produces the native binary, in the server's private work directory, and
//! `run` executes it (only when the server was started with `--allow-run`) under the server's
//! time limit and output cap. `format` and `lint` are in `style`.

use super::source::{self, Source, refusal, report_outcome};
use super::{Args, Context, Outcome, Tool, schema};
use crate::driver::Compilation;
use crate::mcp::exec;
use crate::mcp::protocol::RpcError;
use crate::toolchain::{self, BuildRequest, Mode, Zig};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub fn tools() -> Vec<Tool> {
    vec![
        Tool {
            name: "check",
            title: "Check a SIRS program",
            description: "Parses and type-checks a SIRS program and returns every diagnostic (code, severity, title, labelled byte spans with line/column, notes, hint). isError is true when the program has errors.",
            input: || schema::input(json!({"program": schema::program()}), &["program"]),
            output: || schema::report_with(json!({"source": {"type": "string"}}), &[]),
            read_only: true,
            destructive: false,
            call: check,
        },
        Tool {
            name: "build",
            title: "Build a native binary",
            description: "Compiles a SIRS program through CIR and Zig into a native executable in the server's private temporary directory and returns its path and size. Errors in the program come back as diagnostics with isError.",
            input: || {
                schema::input(
                    json!({"program": schema::program(), "release": {"type": "boolean", "description": "ReleaseFast instead of Debug (default false)"}}),
                    &["program"],
                )
            },
            output: || schema::report_with(json!({"binary": binary_schema(), "source": {"type": "string"}}), &[]),
            read_only: false,
            destructive: false,
            call: build,
        },
        Tool {
            name: "run",
            title: "Build and run a program",
            description: "Builds a SIRS program and runs it with the given arguments and standard input, under the server's time limit and output cap; returns exit code, stdout and stderr. Only available when the server was started with `sev mcp --allow-run`.",
            input: || {
                schema::input(
                    json!({
                        "program": schema::program(),
                        "args": {"type": "array", "items": {"type": "string"}, "description": "command-line arguments"},
                        "stdin": {"type": "string", "description": "standard input (default empty)"},
                        "timeout_ms": {"type": "integer", "minimum": 1, "description": "at most the server's limit"}
                    }),
                    &["program"],
                )
            },
            output: || {
                schema::report_with(
                    json!({
                        "exit_code": {"type": ["integer", "null"]},
                        "stdout": {"type": "string"}, "stderr": {"type": "string"},
                        "truncated": {"type": "boolean"}, "timed_out": {"type": "boolean"},
                        "elapsed_ms": {"type": "integer"}, "message": {"type": "string"}, "source": {"type": "string"}
                    }),
                    &[],
                )
            },
            read_only: false,
            destructive: false,
            call: run,
        },
        Tool {
            name: "infer_type",
            title: "Infer the type of an expression",
            description: "Type-checks a SIRS expression as if it were written at the end of a function of the program (before a final return), where that function's parameters and top-level locals are in scope, and returns its type.",
            input: || {
                schema::input(
                    json!({
                        "program": schema::program(),
                        "function": {"type": "string", "description": "the function in whose body the expression is placed (default: the entry, main)"},
                        "expression": {"type": ["object", "string"], "description": "a SIRS expression, e.g. {\"op\": {\"kind\": \"add\", \"args\": [{\"var\": \"n\"}, {\"literal\": 1}]}}"}
                    }),
                    &["program", "expression"],
                )
            },
            output: || schema::report_with(json!({"type": {"type": ["string", "null"]}, "function": {"type": "string"}, "source": {"type": "string"}}), &[]),
            read_only: true,
            destructive: false,
            call: infer_type,
        },
    ]
}

fn binary_schema() -> Value {
    schema::object(json!({"path": {"type": "string"}, "size_bytes": {"type": "integer"}, "mode": {"enum": ["debug", "release"]}, "cached": {"type": "boolean"}}), &["path", "size_bytes"])
}

fn check(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let source = source::program(args)?;
    let compilation = source::compile(&source, false);
    Ok(report_outcome(&compilation, &source, Map::new()))
}

/// A built executable in the work directory.
pub struct Built {
    pub path: PathBuf,
    pub cached: bool,
}

/// Why a build did not produce a binary.
pub enum BuildFailure {
    /// The program has errors (the compilation's diagnostics say which).
    Program(Box<Compilation>),
    /// Zig is missing or rejected the generated code; the message says which.
    Toolchain(Box<Compilation>, String),
}

/// Compiles and builds `source` into a fresh subdirectory of the work directory.
pub fn build_binary(source: &Source, release: bool, ctx: &Context) -> Result<(Compilation, Built), BuildFailure> {
    (ctx.progress)(1, 3, "checking");
    let compilation = crate::driver::compile_with(source::FILE_NAME, source.text.as_bytes(), crate::driver::Options { emit_zig: true }, crate::opt::Level::O2);
    if compilation.has_errors() {
        return Err(BuildFailure::Program(Box::new(compilation)));
    }
    (ctx.progress)(2, 3, "building with zig");
    let zig = match Zig::find() {
        Ok(z) => z,
        Err(e) => return Err(BuildFailure::Toolchain(Box::new(compilation), e.to_string())),
    };
    let out = fresh_dir(ctx.workdir).join("program");
    let built = {
        let libraries = libraries(&compilation);
        let model = compilation.cir.as_ref().is_some_and(|c| c.model.is_some());
        let request = BuildRequest { source: compilation.zig.as_deref().unwrap_or_default(), mode: if release { Mode::Release } else { Mode::Debug }, libraries: &libraries, model };
        toolchain::build(&zig, &request, &toolchain::cache_dir(), &out, false)
    };
    (ctx.progress)(3, 3, "built");
    match built {
        Ok(b) => Ok((compilation, Built { path: out, cached: b.cached })),
        Err(e) => Err(BuildFailure::Toolchain(Box::new(compilation), e.to_string())),
    }
}

/// A new, empty directory under the work directory.
pub fn fresh_dir(workdir: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = workdir.join(format!("job-{}", NEXT.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn libraries(compilation: &Compilation) -> Vec<String> {
    let mut libs: Vec<String> = compilation.cir.iter().flat_map(|c| c.externs.iter().map(|e| e.library.clone())).collect();
    libs.sort();
    libs.dedup();
    libs
}

/// The outcome of a failed build.
pub fn failure_outcome(failure: BuildFailure, source: &Source) -> Outcome {
    match failure {
        BuildFailure::Program(compilation) => report_outcome(&compilation, source, Map::new()),
        BuildFailure::Toolchain(compilation, message) => refusal(Some((&compilation, source)), message),
    }
}

fn build(args: &Args, ctx: &Context) -> Result<Outcome, RpcError> {
    let source = source::program(args)?;
    let release = args.opt_bool("release")?.unwrap_or(false);
    let (compilation, built) = match build_binary(&source, release, ctx) {
        Ok(done) => done,
        Err(failure) => return Ok(failure_outcome(failure, &source)),
    };
    let size = std::fs::metadata(&built.path).map(|m| m.len()).unwrap_or(0);
    let binary = json!({"path": built.path.display().to_string(), "size_bytes": size, "mode": if release { "release" } else { "debug" }, "cached": built.cached});
    let mut extra = Map::new();
    extra.insert("binary".into(), binary);
    Ok(report_outcome(&compilation, &source, extra))
}

fn run(args: &Args, ctx: &Context) -> Result<Outcome, RpcError> {
    let source = source::program(args)?;
    let program_args = args.strings("args")?;
    let stdin = args.opt_string("stdin")?.unwrap_or("").to_string();
    let limit = args.opt_u64("timeout_ms")?.map_or(ctx.settings.time_limit, Duration::from_millis).min(ctx.settings.time_limit);
    if !ctx.settings.allow_run {
        return Ok(refusal(None, "running programs is disabled in this server; start it with `sev mcp --allow-run` (use `build` to compile without running)".into()));
    }
    let (compilation, built) = match build_binary(&source, false, ctx) {
        Ok(done) => done,
        Err(failure) => return Ok(failure_outcome(failure, &source)),
    };
    let dir = built.path.parent().map_or_else(|| ctx.workdir.to_path_buf(), Path::to_path_buf);
    let limits = exec::Limits { time: limit, output_cap: ctx.settings.output_cap, cancelled: ctx.cancelled };
    let finished = match exec::run(&built.path, &program_args, &dir, &stdin, &limits) {
        Ok(f) => f,
        Err(e) => return Ok(failure_outcome(BuildFailure::Toolchain(Box::new(compilation), format!("cannot run the program: {e}")), &source)),
    };
    let mut extra = Map::new();
    extra.insert("exit_code".into(), json!(finished.exit_code));
    extra.insert("stdout".into(), json!(finished.stdout));
    extra.insert("stderr".into(), json!(finished.stderr));
    extra.insert("truncated".into(), json!(finished.truncated));
    extra.insert("timed_out".into(), json!(finished.timed_out));
    extra.insert("elapsed_ms".into(), json!(finished.elapsed.as_millis() as u64));
    if finished.timed_out {
        extra.insert("message".into(), json!(format!("the program was stopped after the time limit of {} ms", limit.as_millis())));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let failed = finished.exit_code != Some(0);
    let mut outcome = report_outcome(&compilation, &source, extra);
    outcome.is_error = failed;
    Ok(outcome)
}

/// The name of the local that holds the expression whose type `infer_type` reports.
const PROBE: &str = "__sev_infer_type_probe";

fn infer_type(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let source = source::program(args)?;
    let expression = args.json("expression")?;
    let original = source::compile(&source, false);
    if original.has_errors() {
        return Ok(report_outcome(&original, &source, Map::new()));
    }
    let function = match args.opt_string("function")? {
        Some(f) => f.to_string(),
        None => entry_name(&source),
    };
    let probed = match with_probe(&source, &function, expression) {
        Ok(text) => Source::new(text),
        Err(message) => return Ok(refusal(Some((&original, &source)), message)),
    };
    let read = crate::syntax::read(source::FILE_NAME, probed.text.as_bytes());
    let Some(program) = read.program.filter(|_| !read.diagnostics.iter().any(|d| d.is_error())) else {
        let compilation = source::compile(&probed, false);
        return Ok(probe_failed(&compilation, &probed, &function));
    };
    let (typed, diagnostics) = crate::check::check(&program);
    if diagnostics.iter().any(|d| d.is_error()) {
        let compilation = source::compile(&probed, false);
        return Ok(probe_failed(&compilation, &probed, &function));
    }
    let ty = typed.functions.iter().filter(|f| f.name == function).flat_map(|f| f.locals.iter()).find(|l| l.name == PROBE).map(|l| typed.display(&l.ty).to_string());
    let mut extra = Map::new();
    extra.insert("type".into(), json!(ty));
    extra.insert("function".into(), json!(function));
    Ok(report_outcome(&original, &source, extra))
}

fn probe_failed(compilation: &Compilation, probed: &Source, function: &str) -> Outcome {
    // The probe may follow a statement that always returns; that warning is ours, not the user's.
    let mut compilation_without_probe_warnings = Compilation { file: compilation.file.clone(), diagnostics: compilation.diagnostics.clone(), cir: None, zig: None };
    compilation_without_probe_warnings.diagnostics.retain(|d| d.code != crate::diagnostic::Code::W0002);
    let compilation = &compilation_without_probe_warnings;
    let mut fields = source::report(compilation, probed);
    fields.insert("type".into(), Value::Null);
    fields.insert("function".into(), json!(function));
    fields.insert("source".into(), json!(probed.text));
    Outcome::new(Value::Object(fields), true).with_text(format!("the expression does not type-check in `{function}`; spans refer to `source`, the program with the expression added as a `let`\n{}", source::rendered(compilation)))
}

fn entry_name(source: &Source) -> String {
    source::tree(source).ok().and_then(|t| t["program"]["entry"].as_str().map(str::to_string)).unwrap_or_else(|| "main".to_string())
}

/// The program with `let PROBE = expression` at the end of `function`'s body (before a final
/// `return`).
fn with_probe(source: &Source, function: &str, expression: Value) -> Result<String, String> {
    let mut tree = source::tree(source)?;
    let names = super::analysis::function_names(&tree);
    let Some(body) = tree["program"]["functions"].get_mut(function).and_then(|f| f.get_mut("body")).and_then(Value::as_array_mut) else {
        return Err(format!("the program has no function `{function}`; it has: {}", names.join(", ")));
    };
    let at = if body.last().is_some_and(|s| s.get("return").is_some()) { body.len() - 1 } else { body.len() };
    body.insert(at, json!({"let": {"name": PROBE, "value": expression}}));
    Ok(source::pretty(&tree))
}
