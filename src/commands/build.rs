//! `sev build FILE [-o OUT] [--release] [--emit zig|cir] [-O0|-O1|-O2]`.

use crate::cli::{Emit, Format};
use crate::driver::{Compilation, Options};
use crate::toolchain::{self, BuildRequest, Mode, Zig};
use std::path::Path;
use std::process::ExitCode;

pub fn run(file: &Path, output: Option<&Path>, release: bool, emit: Option<Emit>, format: Format, passes: Vec<crate::opt::Pass>) -> ExitCode {
    let compilation = match super::compile_file_passes(file, Options { emit_zig: true }, format, passes) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match emit {
        Some(Emit::Cir) => {
            let text = compilation.cir.as_ref().map(crate::cir::print::program).unwrap_or_default();
            super::write_stdout(&text).err().unwrap_or(ExitCode::SUCCESS)
        }
        Some(Emit::Zig) => super::write_stdout(compilation.zig.as_deref().unwrap_or_default()).err().unwrap_or(ExitCode::SUCCESS),
        None => {
            let out = output.map_or_else(|| super::default_output(file), Path::to_path_buf);
            match build_binary(&compilation, release, &out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(code) => code,
            }
        }
    }
}

/// Builds the compiled program into the executable `out`.
pub fn build_binary(compilation: &Compilation, release: bool, out: &Path) -> Result<(), ExitCode> {
    try_build_binary(compilation, release, out).map_err(|e| super::toolchain_failure(&e))
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
