//! `sev debug`: runs a program on the interpreter under the user's control — breakpoints by
//! function, statement or source line; `step`, `next`, `finish` and `continue`; variables and
//! the call stack by their SIRS names, with locations as lines of the SIRS file.
//!
//! The interpreter knows nothing of the debugger beyond its [`crate::interp::Observer`] hook:
//! `session` is that observer (where to stop, the command loop), `source` maps instructions
//! to the statements of the SIRS source, `command` reads a line of input as a command and
//! `show` writes values. The session reads from any `BufRead` and writes to any `Write`, so
//! it is pure like the interpreter; `commands::debug` connects it to the terminal.

mod command;
mod session;
mod show;
mod source;

pub use command::HELP;
pub use session::Session;
pub use source::SourceMap;
