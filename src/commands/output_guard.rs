//! Refusing an output file that is one of the command's own inputs: `sev test --junit FILE`,
//! `sev run --summary FILE` and `sev build -o FILE` would otherwise replace the program's
//! source (or its data file) with what they write. The check runs before any work is done,
//! prints which option names which input, and gives exit status 2 (a bad command line).

use std::path::Path;
use std::process::ExitCode;

/// Whether `a` and `b` name the same existing file (after resolving `.`, `..` and links).
pub fn is_same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Refuses the output `output` given by `option` when it is one of `inputs` (each described,
/// e.g. "source file", "data file"): prints the error and returns exit status 2.
pub fn refuse_input_as_output(option: &str, output: &Path, inputs: &[(&str, &Path)]) -> Result<(), ExitCode> {
    match inputs.iter().find(|(_, input)| is_same_file(input, output)) {
        None => Ok(()),
        Some((what, input)) => {
            eprintln!(
                "error: {option} {} is the {what} {} itself, which writing it would overwrite; name another file",
                output.display(),
                input.display()
            );
            Err(ExitCode::from(2))
        }
    }
}
