//! `sev check FILE`: diagnostics only.

use crate::cli::Format;
use crate::driver::Options;
use std::path::Path;
use std::process::ExitCode;

pub fn run(file: &Path, format: Format) -> ExitCode {
    match super::compile_file(file, Options::default(), format) {
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
