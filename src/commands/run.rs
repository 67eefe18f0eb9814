//! `sev run FILE [-- ARGS]`: build, then run with the arguments, passing the exit status
//! through. A model program is sampled: `sev run model.sirs.json --data d.json` runs the
//! model's `sample` command with the sampling options, writing its CSV files to
//! `sev-out/<model>/` unless `--output` says otherwise.
//! SIGINT, SIGTERM and SIGHUP are forwarded
//! to the program, and `sev run` then exits with 128 + the signal, its temporary files removed.
//! `sev run --interp FILE` runs the CIR with the interpreter (`crate::interp`) instead, no Zig
//! needed.

use super::interrupts::{Interrupts, RunError, signal_status};
use crate::cli::{Format, Sampling};
use crate::driver::Options;
use std::path::Path;
use std::process::ExitCode;

pub fn run(file: &Path, release: bool, format: Format, sampling: &Sampling, level: crate::opt::Level, args: &[String]) -> ExitCode {
    if let Err(code) = refuse_overwriting_inputs(file, sampling) {
        return code;
    }
    let interrupts = match Interrupts::watch() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: cannot watch for interrupts: {e}");
            return ExitCode::from(super::EXIT_ENVIRONMENT);
        }
    };
    let compilation = match super::compile_file_at(file, Options { emit_zig: true }, format, level) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let is_model = compilation.cir.as_ref().is_some_and(|c| c.model.is_some());
    if !is_model && sampling.given() {
        eprintln!(
            "error: sampling options (--data, --output, --seed, --chains, --adapt-delta, ...) apply to model programs, and {} is not one (its entry reaches no observe, factor or prob_assert); pass the program's own arguments after `--`",
            file.display()
        );
        return ExitCode::from(2);
    }
    let mut program_args: Vec<String> = if is_model { sampling.to_args(&crate::sample_options::default_output_dir(file)) } else { Vec::new() };
    program_args.extend(args.iter().cloned());
    let dir = match tempfile::Builder::new().prefix("sev-run-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot create a temporary directory: {e}");
            return ExitCode::from(super::EXIT_ENVIRONMENT);
        }
    };
    let exe = dir.path().join("program");
    if let Err(e) = super::build::try_build_binary(&compilation, release, &exe) {
        // Ctrl-C reaches Zig too: its failure is then the interrupt's, not a compiler bug
        return match interrupts.received() {
            Some(signal) => ExitCode::from(signal_status(signal)),
            None => super::toolchain_failure(&e),
        };
    }
    // `dir` (and the program in it) is removed when this returns, also after an interrupt
    let status = interrupts.run(std::process::Command::new(&exe).args(&program_args));
    match (status, interrupts.received()) {
        (Err(RunError::Interrupted(signal)), _) | (Ok(_), Some(signal)) => ExitCode::from(signal_status(signal)),
        (Ok(status), None) => ExitCode::from(exit_status(status)),
        (Err(RunError::Io(e)), _) => {
            eprintln!("error: cannot run the program: {e}");
            ExitCode::from(super::EXIT_ENVIRONMENT)
        }
    }
}

/// `--summary FILE` naming the model's source or its `--data` file would replace it.
fn refuse_overwriting_inputs(file: &Path, sampling: &Sampling) -> Result<(), ExitCode> {
    let Some(summary) = &sampling.summary else { return Ok(()) };
    let mut inputs = vec![("source file", file)];
    if let Some(data) = &sampling.data {
        inputs.push(("data file", data.as_path()));
    }
    super::output_guard::refuse_input_as_output("--summary", summary, &inputs)
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

/// `sev run --interp`: compiles to CIR (at the given level) and runs it with the interpreter,
/// writing what the program wrote and exiting with its status.
pub fn run_interpreted(file: &Path, format: Format, sampling: &Sampling, level: crate::opt::Level, args: &[String]) -> ExitCode {
    if sampling.given() {
        eprintln!("error: the interpreter does not run model programs yet, so sampling options do not apply; run without --interp");
        return ExitCode::from(2);
    }
    let compilation = match super::compile_file_at(file, Options { emit_zig: false }, format, level) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(program) = compilation.cir else {
        eprintln!("error: internal: the program compiled without CIR");
        return ExitCode::from(super::EXIT_INTERNAL);
    };
    super::infer_sampler::install();
    let outcome = match crate::interp::run_on_own_thread(program, args.to_vec()) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("error: internal: {e}");
            return ExitCode::from(super::EXIT_INTERNAL);
        }
    };
    if let Err(status) = write_bytes(&mut std::io::stdout().lock(), &outcome.stdout) {
        return ExitCode::from(status);
    }
    // Nothing more can be reported when stderr itself cannot be written.
    let _ = write_bytes(&mut std::io::stderr().lock(), &outcome.stderr);
    ExitCode::from(outcome.status)
}

fn write_bytes(out: &mut impl std::io::Write, bytes: &[u8]) -> Result<(), u8> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(super::EXIT_BROKEN_PIPE),
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            Err(super::EXIT_ENVIRONMENT)
        }
    }
}
