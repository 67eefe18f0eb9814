//! The options of `sev doc`, shared by the command line (`cli`) and the command
//! (`commands::doc`).

use clap::ValueEnum;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// Markdown files (`NAME.md` and `index.md`).
    Md,
    /// A static HTML site (`NAME.html` and `index.html`), self-contained, with search.
    Html,
    /// Both.
    #[default]
    Both,
}

#[derive(clap::Args, Debug, Clone)]
pub struct DocArgs {
    /// Program files or folders (searched recursively for SIRS files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The folder to write into (created if missing).
    #[arg(short, long, value_name = "DIR", default_value = "sev-doc")]
    pub output: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: DocFormat,
}
