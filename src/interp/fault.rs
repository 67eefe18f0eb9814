//! Why a run stops early: a runtime fault (the compiled program's message and exit status
//! 101), an exception that nothing caught (also 101), or a construct the interpreter does not
//! run yet (a clear refusal, never a guess). Each carries the SIRS location it happened at.

use crate::cir::{Function, Program, ValueId};

/// Exit status of a program stopped by a runtime fault (as `runtime/core.zig`).
pub const FAULT_STATUS: u8 = 101;
/// Exit status when the interpreter meets a construct it does not run yet.
pub const UNSUPPORTED_STATUS: u8 = 3;

/// A SIRS location: the function's source name, 1-based line and column.
#[derive(Clone, Debug, PartialEq)]
pub struct Loc {
    pub func: String,
    pub line: u32,
    pub col: u32,
}

impl Loc {
    /// The location of instruction `v` of `f`, as the backend passes it to the runtime.
    pub fn of(program: &Program, f: &Function, v: ValueId) -> Loc {
        let (line, col) = program.line_col(f.inst(v).span);
        Loc { func: f.source_name.clone(), line, col }
    }

    /// The location of a function's start (where the compiled stack check faults).
    pub fn of_function(program: &Program, f: &Function) -> Loc {
        let (line, col) = program.line_col(f.span);
        Loc { func: f.source_name.clone(), line, col }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// A runtime fault: `error: <message>` and the location, status 101; `note` is the
    /// runtime's note on what the thread was doing (a model reading its data), if any.
    Fault { message: String, loc: Loc, note: Option<String> },
    /// The interpreter does not run this construct yet (named as the user would write it).
    Unsupported { construct: String, loc: Loc },
    /// An observer (the debugger) ended the run at this location; status 0.
    Killed { loc: Loc },
}

impl Stop {
    pub fn fault(message: impl Into<String>, loc: &Loc) -> Stop {
        Stop::Fault { message: message.into(), loc: loc.clone(), note: None }
    }

    pub fn unsupported(construct: impl Into<String>, loc: &Loc) -> Stop {
        Stop::Unsupported { construct: construct.into(), loc: loc.clone() }
    }

    /// The stderr text, worded as `runtime/core.zig` words a fault.
    pub fn report(&self, file: &str) -> String {
        let (message, loc) = match self {
            Stop::Fault { message, loc, note: Some(note) } => {
                return format!("error: {message}\n  --> {file}:{}:{} (in function `{}`)\n  note: {note}\n", loc.line, loc.col, loc.func);
            }
            Stop::Fault { message, loc, .. } => (message.clone(), loc),
            Stop::Unsupported { construct, loc } => (format!("the interpreter does not run {construct} yet"), loc),
            Stop::Killed { loc } => ("the debugger ended the run".to_string(), loc),
        };
        format!("error: {message}\n  --> {file}:{}:{} (in function `{}`)\n", loc.line, loc.col, loc.func)
    }

    pub fn status(&self) -> u8 {
        match self {
            Stop::Fault { .. } => FAULT_STATUS,
            Stop::Unsupported { .. } => UNSUPPORTED_STATUS,
            Stop::Killed { .. } => 0,
        }
    }
}
