//! `sev debug FILE [-- ARGS]`: compiles FILE to CIR without optimisation (so every statement
//! is still there) and runs it on the interpreter under a debugging session
//! (`crate::debugger`) that reads commands from stdin, one per line, and writes to stdout,
//! where the program's own output appears in order between the session's lines. The exit
//! status is the program's, or 0 when the user ended the run with `quit`; when stdout cannot
//! be written the run ends, with 141 for a closed pipe and 3 otherwise.

use crate::cli::Format;
use crate::cli::debug_args::DebugArgs;
use crate::debugger::{Session, SourceMap};
use crate::driver::Options;
use std::io::IsTerminal;
use std::process::ExitCode;

pub fn run(args: &DebugArgs) -> ExitCode {
    let compilation = match super::compile_file(&args.file, Options { emit_zig: false }, Format::Human) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (Some(program), Some(mut ast)) = (compilation.cir, crate::syntax::read(&compilation.file.name, compilation.file.text.as_bytes()).program) else {
        eprintln!("error: internal: the program compiled without CIR");
        return ExitCode::from(super::EXIT_INTERNAL);
    };
    // the statement map is of the program that was compiled: modelling blocks rewritten
    let _ = crate::blocks::desugar(&mut ast);
    let map = SourceMap::new(compilation.file, &ast);
    let program_args = args.args.clone();
    super::infer_sampler::install();
    let worker = std::thread::Builder::new().name("sev-debug".into()).stack_size(crate::interp::STACK_BYTES).spawn(move || debug_on_this_thread(map, &program, &program_args));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(status)) => ExitCode::from(status),
        Ok(Err(_)) => {
            eprintln!("error: internal: the debugger thread stopped unexpectedly");
            ExitCode::from(super::EXIT_INTERNAL)
        }
        Err(e) => {
            eprintln!("error: internal: cannot start the debugger thread: {e}");
            ExitCode::from(super::EXIT_INTERNAL)
        }
    }
}

/// The session on stdin and stdout; returns the exit status.
fn debug_on_this_thread(map: SourceMap, program: &crate::cir::Program, args: &[String]) -> u8 {
    let stdin = std::io::stdin();
    let echo = !stdin.is_terminal();
    let mut session = Session::new(map, Box::new(stdin.lock()), Box::new(std::io::stdout()), Box::new(std::io::stderr()), echo);
    let status = run_session(&mut session, program, args);
    match session.output_failure() {
        None => status,
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => super::EXIT_BROKEN_PIPE,
        Some(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            super::EXIT_ENVIRONMENT
        }
    }
}

/// The prompt before the start, the run and its end; returns the program's status (0 after
/// `quit`).
fn run_session(session: &mut Session, program: &crate::cir::Program, args: &[String]) -> u8 {
    if !session.before_start() {
        session.after_end(&[], &[], 0, true);
        return 0;
    }
    // stdin carries the commands, so the program reads an empty input (`stdin_read_line` gives
    // None at once) instead of waiting on the session's lock of it.
    crate::interp::set_stdin(Vec::new());
    let outcome = crate::interp::run_observed(program, args, session);
    if session.quit() {
        // The program's stderr was written at the stop; what follows is the interpreter's
        // report of the ending, which the session words itself.
        session.after_end(&outcome.stdout, &[], 0, true);
        return 0;
    }
    session.after_end(&outcome.stdout, &outcome.stderr, outcome.status, false);
    outcome.status
}
