//! `sev repl`: an interactive session on the CIR interpreter. Inputs are expressions,
//! statements and definitions, in SIRS JSON or in a short syntax that maps one-to-one to it;
//! each is checked and lowered as part of a synthetic program and run once, with the values of
//! earlier inputs passed in (`session`). The front end that reads lines, with line editing at a
//! terminal or plain lines from a pipe, is `commands::repl`; everything here is pure.
//!
//! `session` holds the state and evaluates an input; `input` reads one input and sorts it into
//! definitions, statements or an expression; `short` translates the short syntax; `synth`
//! builds the synthetic program's text and maps its bytes back to what the user wrote;
//! `compile` runs the pipeline on it; `report` shows diagnostics and faults against the
//! input; `show` writes values.

mod compile;
mod input;
mod report;
mod session;
mod short;
mod synth;

pub use session::{Action, Binding, HELP, Reply, Session};

/// Whether `text` is a complete input: JSON whose brackets are all closed (outside strings), or
/// short syntax whose embedded JSON (`{…}`) is closed. An input typed over several lines is
/// read until this holds. A line that ends inside a string ends the input too: a string cannot
/// hold a line break, so reading on could only swallow the next inputs into one error.
pub fn is_complete(text: &str) -> bool {
    let trimmed = text.trim_start();
    if trimmed.starts_with(':') {
        return true;
    }
    let json = trimmed.starts_with('{');
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    for c in trimmed.chars() {
        if in_string {
            match c {
                '\n' => return true,
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => depth += 1,
            '}' => depth -= 1,
            '[' if json => depth += 1,
            ']' if json => depth -= 1,
            _ => {}
        }
    }
    depth <= 0 || in_string
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_complete_when_its_brackets_close() {
        assert!(is_complete("1 + 2"));
        assert!(!is_complete("{\"literal\":"));
        assert!(!is_complete("{\"literal\": \"}\""));
        assert!(is_complete("{\"literal\": \"}\"}"));
        assert!(is_complete("{\"array\": [1]}}"));
        assert!(is_complete("let t = (1, 2"));
        assert!(!is_complete("let c = {\"literal\":"));
    }

    #[test]
    fn a_line_that_ends_inside_a_string_ends_the_input() {
        assert!(is_complete("\"abc"));
        assert!(is_complete("{\"literal\": \"ab"));
        assert!(is_complete("{\"literal\":\n\"ab\ncd\"}"));
        assert!(!is_complete("{\"literal\":\n\"ab\"\n"));
    }
}
