//! The hook a debugger attaches to the interpreter: an [`Observer`] is told about every
//! instruction before it runs (with the frame's function, the instruction and the frame's
//! locals), about every call and return, and about a runtime fault before the run unwinds. It
//! may end the run ([`Stop::Killed`]). Without an observer the interpreter pays one branch per
//! instruction and per call.

use super::fault::Stop;
use super::value::Value;
use crate::cir::{Function, Program, ValueId};

/// What an observer sees of the running frame at an instruction.
pub struct FrameView<'a> {
    pub program: &'a Program,
    pub function: &'a Function,
    /// The instruction about to run (or the one that faulted).
    pub at: ValueId,
    /// The frame's locals, indexed like `function.locals` (`Value::Void` until set).
    pub locals: &'a [Value],
    /// What the program has printed and the observer has not taken yet; an observer that
    /// writes its own output first takes this, so the two interleave in order.
    pub stdout: &'a mut Vec<u8>,
    /// The same for the program's stderr.
    pub stderr: &'a mut Vec<u8>,
}

/// Told what the interpreter does, in order. `Err` ends the run with that stop.
pub trait Observer {
    /// A call of `function` starts (its parameters are set; no instruction has run).
    fn call(&mut self, function: &Function);
    /// Instruction `frame.at` is about to run.
    fn instruction(&mut self, frame: FrameView) -> Result<(), Stop>;
    /// The innermost call returns `value` (`None` when it ends by an exception).
    fn returned(&mut self, program: &Program, function: &Function, value: Option<&Value>);
    /// Instruction `frame.at` stopped the run; the stack is still that of the fault. Called
    /// again by each enclosing block as the stop unwinds.
    fn stopped(&mut self, frame: FrameView, stop: &Stop);
}
