//! The debugger's commands as typed, and how one line of input becomes one of them. A line
//! that is not a command is a [`Problem`] with a stable code (E0611–E0617 of
//! [`crate::diagnostic::Code`]), shown to the user, who carries on.

use crate::diagnostic::Code;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Break(Place),
    /// Delete one breakpoint by number, or all of them.
    Delete(Option<usize>),
    Step,
    Next,
    Finish,
    Continue,
    Print(String),
    Locals,
    Backtrace,
    List,
    Help,
    Quit,
    /// An empty line: nothing to do.
    Nothing,
}

/// Where a breakpoint stops.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    /// At the first statement of every call of the function.
    Function(String),
    /// At the function's N-th statement (1-based, nested statements counted, in source order).
    Statement(String, usize),
    /// At the statement that starts on this line of the SIRS file.
    Line(u32),
}

/// Why a line or its argument was not accepted; the code is stable (`E0611`…`E0617`).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub code: Code,
    pub message: String,
}

impl Problem {
    pub fn new(code: Code, message: impl Into<String>) -> Problem {
        Problem { code, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.code.as_str(), self.message)
    }
}

/// An unknown command.
pub const UNKNOWN_COMMAND: Code = Code::E0611;
/// A command with a missing, extra or malformed argument.
pub const BAD_ARGUMENT: Code = Code::E0612;
/// A breakpoint names a function the program does not have.
pub const UNKNOWN_FUNCTION: Code = Code::E0613;
/// A breakpoint names a statement or line where no statement is.
pub const NO_STATEMENT: Code = Code::E0614;
/// `print` names a variable that the current function does not have (or has not set yet).
pub const UNKNOWN_VARIABLE: Code = Code::E0615;
/// The command needs a stopped program (before the start there is none).
pub const NOT_STOPPED: Code = Code::E0616;
/// `delete N` names no breakpoint.
pub const NO_BREAKPOINT: Code = Code::E0617;

/// The commands with their short forms and what they do (the `help` text).
pub const HELP: &[(&str, &str)] = &[
    ("break FUNC | break FUNC:N | break LINE", "stop at FUNC's first statement, its N-th statement, or the statement on LINE (b)"),
    ("delete [N]", "delete breakpoint N, or all breakpoints (d)"),
    ("step", "run to the next statement, into calls (s)"),
    ("next", "run to the next statement of this function or its callers, over calls (n)"),
    ("finish", "run until the current function returns (f)"),
    ("continue", "run until a breakpoint or the end (c)"),
    ("print NAME", "show a variable of the current function with its type (p)"),
    ("locals", "show the variables of the current function that are set"),
    ("backtrace", "show the call stack, innermost call first (bt)"),
    ("list", "show the source around the current statement (l)"),
    ("help", "show this list (h)"),
    ("quit", "end the run and the session (q)"),
];

/// Reads one line of input as a command.
pub fn parse(line: &str) -> Result<Command, Problem> {
    let mut words = line.split_whitespace();
    let Some(name) = words.next() else { return Ok(Command::Nothing) };
    let args: Vec<&str> = words.collect();
    let command = match name {
        "break" | "b" => Command::Break(place(name, &args)?),
        "delete" | "d" => Command::Delete(breakpoint_number(&args)?),
        "print" | "p" => match args.as_slice() {
            [variable] => Command::Print((*variable).to_string()),
            _ => return Err(Problem::new(BAD_ARGUMENT, "`print` takes one variable name, as in `print total`")),
        },
        _ => {
            let command = simple(name).ok_or_else(|| Problem::new(UNKNOWN_COMMAND, format!("unknown command `{name}` (type `help` for the list)")))?;
            if !args.is_empty() {
                return Err(Problem::new(BAD_ARGUMENT, format!("`{name}` takes no arguments")));
            }
            command
        }
    };
    Ok(command)
}

/// The commands without arguments.
fn simple(name: &str) -> Option<Command> {
    Some(match name {
        "step" | "s" => Command::Step,
        "next" | "n" => Command::Next,
        "finish" | "f" => Command::Finish,
        "continue" | "c" => Command::Continue,
        "locals" => Command::Locals,
        "backtrace" | "bt" | "where" => Command::Backtrace,
        "list" | "l" => Command::List,
        "help" | "h" => Command::Help,
        "quit" | "q" => Command::Quit,
        _ => return None,
    })
}

fn place(command: &str, args: &[&str]) -> Result<Place, Problem> {
    let [target] = args else {
        return Err(Problem::new(BAD_ARGUMENT, format!("`{command}` takes one place: FUNC, FUNC:N or LINE")));
    };
    if target.chars().all(|c| c.is_ascii_digit()) {
        return positive(target, "a line number").map(Place::Line);
    }
    match target.split_once(':') {
        Some((function, n)) if !function.is_empty() => Ok(Place::Statement(function.to_string(), positive(n, "a statement number")? as usize)),
        Some(_) => Err(Problem::new(BAD_ARGUMENT, format!("`{target}` names no function before `:`"))),
        None => Ok(Place::Function((*target).to_string())),
    }
}

fn breakpoint_number(args: &[&str]) -> Result<Option<usize>, Problem> {
    match args {
        [] => Ok(None),
        [n] => positive(n, "a breakpoint number").map(|n| Some(n as usize)),
        _ => Err(Problem::new(BAD_ARGUMENT, "`delete` takes at most one breakpoint number")),
    }
}

fn positive(text: &str, what: &str) -> Result<u32, Problem> {
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Problem::new(BAD_ARGUMENT, format!("`{text}` is not {what} (a whole number from 1)"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_functions_statements_or_lines() {
        assert_eq!(parse("break fib"), Ok(Command::Break(Place::Function("fib".into()))));
        assert_eq!(parse("b fib:3"), Ok(Command::Break(Place::Statement("fib".into(), 3))));
        assert_eq!(parse("break 42"), Ok(Command::Break(Place::Line(42))));
        assert_eq!(parse("break fib:0").map_err(|p| p.code), Err(BAD_ARGUMENT));
        assert_eq!(parse("break :3").map_err(|p| p.code), Err(BAD_ARGUMENT));
    }

    #[test]
    fn every_short_form_is_its_command() {
        let pairs = [
            ("b f", "break f"),
            ("d", "delete"),
            ("s", "step"),
            ("n", "next"),
            ("f", "finish"),
            ("c", "continue"),
            ("p x", "print x"),
            ("bt", "backtrace"),
            ("where", "backtrace"),
            ("l", "list"),
            ("h", "help"),
            ("q", "quit"),
        ];
        for (short, long) in pairs {
            assert_eq!(parse(short), parse(long), "{short}");
            assert!(parse(short).is_ok(), "{short}");
        }
    }

    #[test]
    fn unknown_commands_and_stray_arguments_are_problems() {
        assert_eq!(parse("jump 3").map_err(|p| p.code), Err(UNKNOWN_COMMAND));
        assert_eq!(parse("step 2").map_err(|p| p.code), Err(BAD_ARGUMENT));
        assert_eq!(parse("print").map_err(|p| p.code), Err(BAD_ARGUMENT));
        assert_eq!(parse("   "), Ok(Command::Nothing));
        assert_eq!(parse("delete 2"), Ok(Command::Delete(Some(2))));
    }
}
