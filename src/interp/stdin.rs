//! The standard input a run reads with `stdin_read_line`: the process's own (`sev run
//! --interp`), or given bytes (tests, and callers that must not block on a terminal). The
//! source is set per interpreter thread by [`super::run_on_own_thread_with_stdin`]. Lines come
//! without their LF or CRLF, `None` at the end, a read error ends the input — as in
//! `runtime/csv.zig`. The interpreter writes its output when the run ends, so unlike compiled
//! code it does not answer each line of a live pipe as it arrives.

use super::fault::{Loc, Stop};
use std::cell::RefCell;
use std::io::BufRead;

/// Where the run's standard input comes from.
pub enum Input {
    Process,
    Bytes(std::io::Cursor<Vec<u8>>),
}

thread_local! {
    static INPUT: RefCell<Input> = const { RefCell::new(Input::Process) };
}

/// Makes `bytes` the standard input of the runs on this thread.
pub fn set_bytes(bytes: Vec<u8>) {
    INPUT.with(|input| *input.borrow_mut() = Input::Bytes(std::io::Cursor::new(bytes)));
}

/// The next line, None at the end; a line that is not UTF-8 is refused.
pub fn read_line(loc: &Loc) -> Result<Option<String>, Stop> {
    let mut line = Vec::new();
    let read = INPUT.with(|input| match &mut *input.borrow_mut() {
        Input::Process => std::io::stdin().lock().read_until(b'\n', &mut line),
        Input::Bytes(cursor) => cursor.read_until(b'\n', &mut line),
    });
    if read.unwrap_or(0) == 0 && line.is_empty() {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map(Some).map_err(|_| Stop::unsupported("a line of standard input that is not UTF-8", loc))
}
