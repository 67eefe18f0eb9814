//! `sev run FILE [-- ARGS]`: build, then run with the arguments, passing the exit status
//! through.

use crate::cli::Format;
use crate::driver::Options;
use std::path::Path;
use std::process::ExitCode;

pub fn run(file: &Path, release: bool, format: Format, args: &[String]) -> ExitCode {
    let compilation = match super::compile_file(file, Options { emit_zig: true }, format) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let dir = match tempfile::Builder::new().prefix("sev-run-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot create a temporary directory: {e}");
            return ExitCode::from(super::EXIT_ENVIRONMENT);
        }
    };
    let exe = dir.path().join("program");
    if let Err(code) = super::build::build_binary(&compilation, release, &exe) {
        return code;
    }
    match std::process::Command::new(&exe).args(args).status() {
        Ok(status) => ExitCode::from(exit_status(status)),
        Err(e) => {
            eprintln!("error: cannot run the program: {e}");
            ExitCode::from(super::EXIT_ENVIRONMENT)
        }
    }
}

fn exit_status(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code & 0xff).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from((128 + signal) & 0xff).unwrap_or(1);
        }
    }
    1
}
