//! The I/O shell of each subcommand: read files, call the driver, print diagnostics, build with
//! Zig, choose the exit status. Shared helpers live here.
//!
//! Exit statuses: 0 success, 1 the program has errors, 2 bad command line (clap), 3 the
//! environment is not usable (file unreadable, Zig missing), 4 internal compiler error.

pub mod build;
pub mod check;
pub mod debug;
pub mod doc;
pub mod fmt;
pub mod infer_sampler;
pub mod interrupts;
pub mod lint;
pub mod mcp;
pub mod output_guard;
pub mod repl;
pub mod run;
pub mod serve;
pub mod test;
pub mod worker;

use crate::cli::Format;
use crate::diagnostic::{self, Diagnostic};
use crate::driver::{self, Compilation};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_ENVIRONMENT: u8 = 3;
pub const EXIT_INTERNAL: u8 = 4;

/// Reads and compiles a file, printing its diagnostics. `Err` carries the exit status when
/// the program has errors or cannot be read.
pub fn compile_file(path: &Path, options: driver::Options, format: Format) -> Result<Compilation, ExitCode> {
    compile_file_at(path, options, format, crate::opt::Level::O0)
}

/// [`compile_file`] with the optimisation passes of `level`.
pub fn compile_file_at(path: &Path, options: driver::Options, format: Format, level: crate::opt::Level) -> Result<Compilation, ExitCode> {
    compile_file_passes(path, options, format, crate::opt::pipeline(level).to_vec())
}

/// [`compile_file`] with an explicit list of optimisation passes.
pub fn compile_file_passes(path: &Path, options: driver::Options, format: Format, passes: Vec<crate::opt::Pass>) -> Result<Compilation, ExitCode> {
    compile_file_by(path, format, |name, bytes| driver::compile_passes(name, bytes, options, passes))
}

/// Reads `path`, compiles it with `compile` (a `driver` function) and reports its diagnostics;
/// the exit status when it cannot be read or has errors.
pub fn compile_file_by(path: &Path, format: Format, compile: impl FnOnce(&str, &[u8]) -> Compilation) -> Result<Compilation, ExitCode> {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let diagnostic = crate::diagnostic::Diagnostic::new(diagnostic::Code::E0009, format!("Cannot read {name}: {e}"));
            let file = crate::span::SourceFile::new(&name, "");
            let compilation = Compilation { file, diagnostics: vec![diagnostic], cir: None, zig: None };
            report(&compilation, format);
            return Err(ExitCode::from(EXIT_ENVIRONMENT));
        }
    };
    let compilation = compile(&name, &bytes);
    report(&compilation, format);
    if compilation.has_errors() {
        let internal = compilation.diagnostics.iter().any(|d| d.code == diagnostic::Code::E0900);
        return Err(ExitCode::from(if internal { EXIT_INTERNAL } else { EXIT_ERRORS }));
    }
    Ok(compilation)
}

/// Prints diagnostics: rendered on stderr, or as one JSON document on stdout.
pub fn report(compilation: &Compilation, format: Format) {
    match format {
        Format::Human => {
            if compilation.diagnostics.is_empty() {
                return;
            }
            let text = diagnostic::render_all(&compilation.diagnostics, &compilation.file, use_color());
            let _ = std::io::stderr().write_all(text.as_bytes());
            let errors = compilation.diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = compilation.diagnostics.len() - errors;
            if errors > 0 {
                eprintln!("{}: {errors} error{}, {warnings} warning{}", compilation.file.name, s(errors), s(warnings));
            }
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = sorted(&compilation.diagnostics).iter().map(|d| d.to_json(&compilation.file)).collect();
            let doc = serde_json::json!({ "file": compilation.file.name, "diagnostics": items });
            // a failure is reported on stderr by `write_stdout`; the diagnostics decide the status
            let _ = write_stdout(&format!("{doc}\n"));
        }
    }
}

/// 128 + SIGPIPE: the status of a program whose stdout reader has gone, as shells report it.
pub const EXIT_BROKEN_PIPE: u8 = 141;

/// Writes `text` to stdout. When that fails, `Err` holds the exit status: quietly 141 when the
/// reader has gone (`sev build --emit zig | head`), else 3 after a message (a full disk).
pub fn write_stdout(text: &str) -> Result<(), ExitCode> {
    write_stdout_status(text).map_err(ExitCode::from)
}

/// [`write_stdout`] with the exit status as a number, for callers that combine statuses.
pub fn write_stdout_status(text: &str) -> Result<(), u8> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(EXIT_BROKEN_PIPE),
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            Err(EXIT_ENVIRONMENT)
        }
    }
}

fn sorted(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut out: Vec<&Diagnostic> = diagnostics.iter().collect();
    out.sort_by_key(|d| (d.primary_span().map_or(0, |s| s.start), d.code));
    out
}

fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub(crate) fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr())
}

/// Prints a toolchain failure and returns the matching exit status.
pub fn toolchain_failure(error: &crate::toolchain::ToolchainError) -> ExitCode {
    eprintln!("error: {error}");
    match error {
        crate::toolchain::ToolchainError::BuildFailed { .. } => {
            eprintln!("note: this is a bug in sev, not in your program; please report it with the input file");
            ExitCode::from(EXIT_INTERNAL)
        }
        _ => ExitCode::from(EXIT_ENVIRONMENT),
    }
}

/// The default executable name for a source file: its name without the SIRS extension.
pub fn default_output(path: &Path) -> std::path::PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "program".into());
    let stem = crate::syntax::EXTENSIONS
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .map(str::to_string)
        .unwrap_or_else(|| name.rsplit_once('.').map_or(name.clone(), |(s, _)| s.to_string()));
    std::path::PathBuf::from(if stem.is_empty() { "program".to_string() } else { stem })
}

/// The SIRS files named by `paths`: files as given, folders searched recursively (sorted).
/// `Err` names a path that does not exist or a folder that cannot be read.
pub fn sirs_files(paths: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_sirs(path, &mut out).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        } else if path.exists() {
            out.push(path.clone());
        } else {
            return Err(format!("{} does not exist", path.display()));
        }
    }
    Ok(out)
}

fn collect_sirs(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect_sirs(&entry, out)?;
        } else if is_sirs(&entry) {
            out.push(entry);
        }
    }
    Ok(())
}

fn is_sirs(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    crate::syntax::EXTENSIONS.iter().any(|ext| name.ends_with(ext))
}
