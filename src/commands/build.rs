//! `sev build FILE [-o OUT] [--release] [--lib] [--emit zig|cir] [-O0|-O1|-O2] [--verbose]`.

use crate::cli::build_args::{Artifact, BuildFlags};
use crate::cli::{Emit, Format};
use crate::driver::{Compilation, Options};
use crate::toolchain::{self, BuildRequest, Mode, Zig};
use std::path::Path;
use std::process::ExitCode;

pub fn run(file: &Path, output: Option<&Path>, emit: Option<Emit>, format: Format, passes: Vec<crate::opt::Pass>, flags: BuildFlags) -> ExitCode {
    let BuildFlags { release, artifact, verbose } = flags;
    let options = Options { emit_zig: true };
    let compiled = match artifact {
        Artifact::Executable => super::compile_file_passes(file, options, format, passes),
        Artifact::DetectorLibrary => super::compile_file_by(file, format, |name, bytes| crate::driver::compile_library(name, bytes, options, passes)),
    };
    let compilation = match compiled {
        Ok(c) => c,
        Err(code) => return code,
    };
    if verbose {
        report_gradient(&compilation);
    }
    let out = match emit {
        Some(_) => output.map(Path::to_path_buf),
        None => Some(output.map_or_else(|| super::default_output(file), Path::to_path_buf)),
    };
    if let Some(out) = &out
        && super::output_guard::is_same_file(file, out)
    {
        eprintln!("error: the output {} is the source file itself, which building would overwrite; name another with -o", out.display());
        return ExitCode::from(2);
    }
    match emit {
        Some(kind) => write_emitted(&emitted(&compilation, kind), out.as_deref()),
        None => {
            let out = out.unwrap_or_else(|| super::default_output(file));
            let built = match artifact {
                Artifact::Executable => build_binary(&compilation, release, &out),
                Artifact::DetectorLibrary => build_library(&compilation, release, &out),
            };
            match built {
                Ok(()) => ExitCode::SUCCESS,
                Err(code) => code,
            }
        }
    }
}

/// The text `--emit` asks for. A model program's CIR ends with its gradient strategy (the
/// adjoint program, or why not).
fn emitted(compilation: &Compilation, kind: Emit) -> String {
    match kind {
        Emit::Cir => compilation.cir.as_ref().map(|p| crate::cir::print::program(p) + &crate::ad::listing(p)).unwrap_or_default(),
        Emit::Zig => compilation.zig.clone().unwrap_or_default(),
    }
}

/// Writes emitted text to `-o FILE` when given, else to stdout.
fn write_emitted(text: &str, output: Option<&Path>) -> ExitCode {
    let Some(path) = output else { return super::write_stdout(text).err().unwrap_or(ExitCode::SUCCESS) };
    match std::fs::write(path, text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            ExitCode::from(3)
        }
    }
}

/// `--verbose`: how a model's gradient is computed, on stderr (a fallback to the tape is
/// warning E0351 at the construct that caused it).
fn report_gradient(compilation: &Compilation) {
    let Some(program) = &compilation.cir else { return };
    match &program.ad {
        Some(crate::ad::Strategy::Tape { reason, span }) => {
            let d = crate::diagnostic::Diagnostic::new(crate::diagnostic::Code::E0351, "the gradient uses the tape")
                .primary(*span, reason.clone())
                .note("compiled gradients need control flow that does not depend on parameters; see docs/inference.md");
            eprint!("{}", crate::diagnostic::render_all(&[d], &compilation.file, false));
        }
        Some(crate::ad::Strategy::Adjoint(_)) => eprintln!("note: {}", crate::ad::describe(program).unwrap_or_default()),
        None => {}
    }
}

/// Builds the compiled program into the executable `out`.
pub fn build_binary(compilation: &Compilation, release: bool, out: &Path) -> Result<(), ExitCode> {
    try_build_binary(compilation, release, out).map_err(|e| super::toolchain_failure(&e))
}

/// Builds a compiled detector library into the shared object `out`.
pub fn build_library(compilation: &Compilation, release: bool, out: &Path) -> Result<(), ExitCode> {
    try_build_library(compilation, release, out).map_err(|e| super::toolchain_failure(&e))
}

/// [`build_library`] that leaves reporting a failure to the caller.
pub fn try_build_library(compilation: &Compilation, release: bool, out: &Path) -> Result<(), toolchain::ToolchainError> {
    let zig = Zig::find()?;
    let source = compilation.zig.as_deref().unwrap_or_default();
    let libraries = libraries(compilation);
    let request = BuildRequest { source, mode: if release { Mode::Release } else { Mode::Debug }, libraries: &libraries, model: false };
    toolchain::build_library(&zig, &request, &toolchain::cache_dir(), out)?;
    Ok(())
}

/// [`build_binary`] that leaves reporting a failure to the caller (`sev run` stays quiet when
/// the build failed because it was interrupted).
pub fn try_build_binary(compilation: &Compilation, release: bool, out: &Path) -> Result<(), toolchain::ToolchainError> {
    let zig = Zig::find()?;
    let libraries = libraries(compilation);
    toolchain::build(&zig, &request(compilation, release, &libraries), &toolchain::cache_dir(), out, true)?;
    Ok(())
}

/// What `sev build` and `sev run` ask the toolchain for: `--release` or the default mode (in
/// which a model's object is built optimised all the same, `toolchain::model_object_flags`).
pub fn request<'a>(compilation: &'a Compilation, release: bool, libraries: &'a [String]) -> BuildRequest<'a> {
    let source = compilation.zig.as_deref().unwrap_or_default();
    let model = compilation.cir.as_ref().is_some_and(|c| c.model.is_some());
    BuildRequest { source, mode: if release { Mode::Release } else { Mode::Debug }, libraries, model }
}

pub fn libraries(compilation: &Compilation) -> Vec<String> {
    let mut libs: Vec<String> = compilation.cir.iter().flat_map(|c| c.externs.iter().map(|e| e.library.clone())).collect();
    libs.sort();
    libs.dedup();
    libs
}
