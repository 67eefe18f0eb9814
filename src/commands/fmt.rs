//! `sev fmt [PATHS] [--check] [--stdin]`: rewrites SIRS files in the canonical layout
//! (`crate::fmt`).
//!
//! Paths may be files or folders (searched recursively for SIRS files). By default each file
//! that is not already canonical is rewritten in place, through a temporary file renamed over
//! it so that an interrupted run never leaves half a file. `--check` writes nothing and lists
//! the files that would change (exit 1 if any). A file that is not valid JSON gets the
//! diagnostics `sev check` would give, is left untouched, and makes the exit status 1.

use super::{EXIT_ENVIRONMENT, EXIT_ERRORS, report};
use crate::cli::Format;
use crate::driver::Compilation;
use crate::fmt::{self, Formatted};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What happened to one file.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Unchanged,
    Changed,
    Invalid,
    Unreadable,
}

pub fn run(paths: &[PathBuf], check: bool, stdin: bool) -> ExitCode {
    if stdin {
        return run_stdin(check);
    }
    let files = match super::sirs_files(paths) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_ENVIRONMENT);
        }
    };
    let worst = files.iter().map(|file| format_file(file, check)).max().unwrap_or(Outcome::Unchanged);
    exit_status(worst, check)
}

fn exit_status(worst: Outcome, check: bool) -> ExitCode {
    match worst {
        Outcome::Unchanged => ExitCode::SUCCESS,
        Outcome::Changed if !check => ExitCode::SUCCESS,
        Outcome::Changed | Outcome::Invalid => ExitCode::from(EXIT_ERRORS),
        Outcome::Unreadable => ExitCode::from(EXIT_ENVIRONMENT),
    }
}

fn format_file(path: &Path, check: bool) -> Outcome {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return Outcome::Unreadable;
        }
    };
    let text = match formatted_or_report(&path.display().to_string(), &bytes) {
        Some(text) => text,
        None => return Outcome::Invalid,
    };
    if text.as_bytes() == bytes {
        return Outcome::Unchanged;
    }
    if check {
        return match super::write_stdout(&format!("{}\n", path.display())) {
            Ok(()) => Outcome::Changed,
            Err(_) => Outcome::Unreadable,
        };
    }
    match write_replacing(path, text.as_bytes()) {
        Ok(()) => Outcome::Changed,
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            Outcome::Unreadable
        }
    }
}

/// The canonical text, or `None` after printing the diagnostics of invalid JSON.
fn formatted_or_report(name: &str, bytes: &[u8]) -> Option<String> {
    match fmt::format(name, bytes) {
        Formatted::Text(text) => Some(text),
        Formatted::Invalid(file, diagnostics) => {
            report(&Compilation { file, diagnostics, cir: None, zig: None }, Format::Human);
            None
        }
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`.
pub(super) fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    if let Ok(meta) = std::fs::metadata(path) {
        temp.as_file().set_permissions(meta.permissions())?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `--stdin`: formats standard input to standard output.
fn run_stdin(check: bool) -> ExitCode {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("error: cannot read standard input: {e}");
        return ExitCode::from(EXIT_ENVIRONMENT);
    }
    let Some(text) = formatted_or_report("<stdin>", &bytes) else {
        return ExitCode::from(EXIT_ERRORS);
    };
    if check {
        let changed = text.as_bytes() != bytes;
        if changed && let Err(code) = super::write_stdout("<stdin>\n") {
            return code;
        }
        return exit_status(if changed { Outcome::Changed } else { Outcome::Unchanged }, true);
    }
    match super::write_stdout(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
