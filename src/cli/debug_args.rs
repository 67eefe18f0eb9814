//! The options of `sev debug`, shared by the command line (`cli`) and the command
//! (`commands::debug`).

use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct DebugArgs {
    /// The program to run under the debugger (on the interpreter, unoptimised).
    pub file: PathBuf,
    /// Arguments passed to the program (after `--`).
    #[arg(last = true)]
    pub args: Vec<String>,
}
