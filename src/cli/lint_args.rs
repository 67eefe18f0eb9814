//! The options of `sev lint`, shared by the command line (`cli`) and the command
//! (`commands::lint`).

use clap::ValueEnum;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// Rendered for people, with source excerpts, on stderr.
    #[default]
    Human,
    /// One JSON document per file on stdout (the shape of `sev check --format json`).
    Json,
    /// One SARIF 2.1.0 log on stdout, for code-scanning services.
    Sarif,
}

#[derive(clap::Args, Debug, Default, Clone)]
pub struct LintArgs {
    /// Files or folders (searched recursively for SIRS files).
    #[arg(required_unless_present = "list")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: LintFormat,
    /// Turn a rule off (a code such as L0004, a name such as `shadowing`, or `all`); repeatable.
    #[arg(long, short = 'A', value_name = "RULE")]
    pub allow: Vec<String>,
    /// Report a rule as a warning (the default level of every rule); repeatable.
    #[arg(long, short = 'W', value_name = "RULE")]
    pub warn: Vec<String>,
    /// Report a rule as an error, so that `sev lint` exits with 1; repeatable.
    #[arg(long, short = 'D', value_name = "RULE")]
    pub deny: Vec<String>,
    /// A JSON file whose `lint` key maps rules to levels: `{"lint": {"shadowing": "allow"}}`.
    /// The flags above override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The model's data (Stan JSON), so that priors can be compared with the data's scale.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Apply the mechanical fixes in place, then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// List the rules and exit.
    #[arg(long)]
    pub list: bool,
}
