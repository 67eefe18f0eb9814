//! The options of `sev test`, shared by the command line (`cli`) and the command
//! (`commands::test`).

use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct TestArgs {
    /// Programs whose `test_…` functions to run (folders are searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Run only the tests whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Also write the results as JUnit XML to FILE (for CI systems).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Run each test with the CIR interpreter instead of building it with Zig.
    #[arg(long)]
    pub interp: bool,
}
