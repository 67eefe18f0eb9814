//! The CIR interpreter: runs a checked program's CIR directly, without Zig, with the compiled
//! program's semantics — what it prints, its runtime faults (message, SIRS location, exit
//! status 101) and uncaught exceptions. It is the engine of `sev run --interp` and the base of
//! the REPL, the debugger and interpreted tests.
//!
//! `value` holds run-time values and their text forms, `arith` the checked arithmetic, `eval`
//! the execution of functions and blocks (trait objects and exceptions included), `builtins`
//! the built-ins it knows, `math` the runtime's correctly rounded math (same algorithms, same
//! bits), `files`, `datetime`, `json`, `csv`, `regex` and `http` those library built-ins (files
//! and sockets are real, as in compiled code), `stdin` the run's standard input, `tasks` tasks
//! and channels (each task run to its end when spawned), `collections` maps and sets, `fault`
//! the ways a run stops early, `infer` fitting a model through the sampler `commands` installs
//! and the `posterior_*` readers, `model_math` the model helpers outside models. Whatever it
//! does not run yet (model programs, channel operations that would wait, foreign functions,
//! `lgamma` of a negative non-integer) stops the run with a refusal that names the construct and its
//! location (exit status 3), never a guess.
//!
//! Invariant: for a program it runs to the end, stdout, stderr and the exit status equal the
//! compiled program's (`tests/interp.rs` checks generated programs and the examples).

mod arith;
mod builtins;
mod collections;
mod csv;
mod datetime;
mod eval;
mod fault;
mod files;
mod http;
pub mod infer;
mod json;
mod matrix;
pub mod math;
mod model_math;
mod observe;
mod random;
mod regex;
mod sample;
pub mod show;
mod stdin;
mod tasks;
mod value;

pub use eval::MAX_DEPTH;
pub use fault::{FAULT_STATUS, Loc, Stop, UNSUPPORTED_STATUS};
pub use observe::{FrameView, Observer};
pub use random::Prng;
pub use value::{Value, format_float};

use crate::cir::{Program, Ty};
use eval::{Machine, Returned};

/// What a run produced, as the compiled program would have.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: u8,
    /// Set when the run stopped at a construct the interpreter does not run yet.
    pub unsupported: Option<String>,
}

/// The stack of the thread [`run_on_own_thread`] starts: room for [`MAX_DEPTH`] nested calls
/// of a debug build (only the pages used are ever committed).
pub const STACK_BYTES: usize = 4 << 30;

/// [`run`] on a thread of its own with a [`STACK_BYTES`] stack, since deep recursion in the
/// program is deep recursion in the interpreter. `Err` when the thread cannot be started.
pub fn run_on_own_thread(program: Program, args: Vec<String>) -> Result<Outcome, String> {
    let worker = std::thread::Builder::new().name("sev-interp".into()).stack_size(STACK_BYTES).spawn(move || run(&program, &args));
    match worker {
        Ok(handle) => handle.join().map_err(|_| "the interpreter thread stopped unexpectedly".to_string()),
        Err(e) => Err(format!("cannot start the interpreter thread: {e}")),
    }
}

/// [`run_on_own_thread`] with `stdin` as the program's standard input instead of the process's.
pub fn run_on_own_thread_with_stdin(program: Program, args: Vec<String>, stdin: Vec<u8>) -> Result<Outcome, String> {
    let worker = std::thread::Builder::new().name("sev-interp".into()).stack_size(STACK_BYTES).spawn(move || {
        stdin::set_bytes(stdin);
        run(&program, &args)
    });
    match worker {
        Ok(handle) => handle.join().map_err(|_| "the interpreter thread stopped unexpectedly".to_string()),
        Err(e) => Err(format!("cannot start the interpreter thread: {e}")),
    }
}

/// [`run_on_own_thread_with_stdin`] with forward `sample`s drawing from the stream of `seed`
/// (as `SEV_SEED=seed` would give), whatever the environment holds.
pub fn run_on_own_thread_seeded(program: Program, args: Vec<String>, stdin: Vec<u8>, seed: u64) -> Result<Outcome, String> {
    let worker = std::thread::Builder::new().name("sev-interp".into()).stack_size(STACK_BYTES).spawn(move || {
        stdin::set_bytes(stdin);
        finish(Machine::new(&program, args).seeded(seed))
    });
    match worker {
        Ok(handle) => handle.join().map_err(|_| "the interpreter thread stopped unexpectedly".to_string()),
        Err(e) => Err(format!("cannot start the interpreter thread: {e}")),
    }
}

/// Runs the program's entry function with the command-line arguments `args`.
pub fn run(program: &Program, args: &[String]) -> Outcome {
    finish(Machine::new(program, args.to_vec()))
}

/// [`run`] with `observer` told about every instruction, call, return and fault (the debugger).
pub fn run_observed(program: &Program, args: &[String], observer: &mut dyn Observer) -> Outcome {
    finish(Machine::new(program, args.to_vec()).observed_by(observer))
}

/// Makes `bytes` the standard input of the runs and calls on this thread, instead of the
/// process's: for `sev debug` and a scripted `sev repl`, which read their commands from it.
pub fn set_stdin(bytes: Vec<u8>) {
    stdin::set_bytes(bytes);
}

fn finish(mut machine: Machine) -> Outcome {
    let program = machine.program;
    let result = start(&mut machine);
    let file = program.source_name.as_str();
    let (status, unsupported) = match result {
        Ok(Ok(())) => (0, None),
        Ok(Err((kind, message, loc))) => {
            let text = if message.is_empty() { format!("uncaught exception {kind}") } else { format!("uncaught exception {kind}: {message}") };
            machine.stderr.extend_from_slice(Stop::fault(text, &loc).report(file).as_bytes());
            (FAULT_STATUS, None)
        }
        Err(stop) => {
            machine.stderr.extend_from_slice(stop.report(file).as_bytes());
            let unsupported = match &stop {
                Stop::Unsupported { construct, .. } => Some(construct.clone()),
                Stop::Fault { .. } | Stop::Killed { .. } => None,
            };
            (stop.status(), unsupported)
        }
    };
    Outcome { stdout: machine.stdout, stderr: machine.stderr, status, unsupported }
}

type Uncaught = (String, String, Loc);

fn start(machine: &mut Machine) -> Result<Result<(), Uncaught>, Stop> {
    let program = machine.program;
    let no_place = Loc { func: "main".into(), line: 1, col: 1 };
    if program.model.is_some() {
        return Err(Stop::unsupported("model programs (sampling)", &no_place));
    }
    if let Some(refusal) = sample::refusal_before_start(program) {
        return Err(refusal);
    }
    let Some(entry) = program.entry else {
        return Err(Stop::unsupported("a program without an entry function", &no_place));
    };
    let f = program.func(entry);
    // An entry may take the command-line arguments as its one `[str]` parameter.
    let entry_args = match f.params.as_slice() {
        [] => Vec::new(),
        [p] if f.local(*p).ty == Ty::Array(Box::new(Ty::Str)) => vec![Value::List(std::rc::Rc::new(machine.args.iter().map(|a| Value::str(a)).collect()))],
        _ => {
            return Err(Stop::unsupported("an entry function with these parameters", &Loc::of_function(program, f)));
        }
    };
    match machine.call(entry, entry_args)? {
        Returned::Value(result) => {
            // The runtime prints what `main` returns (`core.printResult`).
            if f.ret != Ty::Void {
                let line = builtins::to_text(&result, &f.ret, false);
                machine.stdout.extend_from_slice(line.as_bytes());
                machine.stdout.push(b'\n');
            }
            Ok(Ok(()))
        }
        Returned::Throw(thrown) => {
            let (kind, message) = machine.describe_uncaught(&thrown)?;
            Ok(Err((kind, message, thrown.loc)))
        }
    }
}

/// How a call made with [`call_function`] ended early.
#[derive(Clone, Debug, PartialEq)]
pub enum CallStop {
    /// An exception nothing caught: its kind, message and where it was thrown.
    Uncaught { kind: String, message: String, loc: Loc },
    /// A runtime fault or a construct the interpreter does not run.
    Stop(Stop),
}

/// What calling one function with [`call_function`] produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Called {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub result: Result<Value, CallStop>,
}

/// Calls function `id` of `program` with `args` (values of its parameter types) and returns
/// what it printed and its result, without printing the result or reporting a stop the way a
/// whole program run does: the REPL's entry point, which keeps the values between inputs.
/// When `interrupt` is set during the call, the call stops with the fault `interrupted`.
/// `rng` is the caller's generator for forward `sample`s (seeded at the first one when `None`),
/// handed back advanced, so that calls in a row draw one stream like one program would.
pub fn call_function(program: &Program, id: crate::cir::FuncId, args: Vec<Value>, interrupt: Option<&std::sync::atomic::AtomicBool>, rng: &mut Option<Prng>) -> Called {
    let mut machine = Machine::new(program, Vec::new()).with_rng(rng.take());
    machine.interrupt = interrupt;
    let result = match machine.call(id, args) {
        Ok(Returned::Value(v)) => Ok(v),
        Ok(Returned::Throw(thrown)) => match machine.describe_uncaught(&thrown) {
            Ok((kind, message)) => Err(CallStop::Uncaught { kind, message, loc: thrown.loc }),
            Err(stop) => Err(CallStop::Stop(stop)),
        },
        Err(stop) => Err(CallStop::Stop(stop)),
    };
    *rng = machine.take_rng();
    Called { stdout: machine.stdout, stderr: machine.stderr, result }
}
