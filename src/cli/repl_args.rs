//! The options of `sev repl`, shared by the command line (`cli`) and the command
//! (`commands::repl`).

use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct ReplArgs {
    /// Programs whose definitions to load before the first input (as `:load FILE`).
    pub files: Vec<PathBuf>,
}
