//! The command line: a clap `Command` enum and a flat `run` match, one arm per subcommand,
//! each handing over to its module in `commands`.

pub mod build_args;
pub mod debug_args;
pub mod doc_args;
pub mod lint_args;
pub mod repl_args;
pub mod serve_args;
pub mod test_args;
pub mod worker_args;

use crate::commands;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

pub use crate::sample_options::Sampling;

#[derive(Parser, Debug)]
#[command(name = "sev", version, about = "The Sever compiler: SIRS JSON → native code, with Bayesian inference")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rendered for people, with source excerpts.
    #[default]
    Human,
    /// One JSON document on stdout.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// The generated Zig source.
    Zig,
    /// The canonical text form of CIR.
    Cir,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Compile a SIRS program to a native executable.
    Build {
        file: PathBuf,
        /// Where to write the executable (default: the file's name without its extension), or
        /// with --emit the emitted text (default: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Optimise (ReleaseFast) instead of building a Debug binary (a model's log density is
        /// optimised either way).
        #[arg(long)]
        release: bool,
        /// Build a detector shared library (C ABI of docs/service.md) instead of an executable:
        /// the program defines detector_new, detector_update and detector_result.
        #[arg(long)]
        lib: bool,
        /// Print an intermediate form instead of building (to -o FILE when given).
        #[arg(long, value_enum)]
        emit: Option<Emit>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// CIR optimisation level: -O0 (none), -O1 (folding, dead code), -O2 (all passes).
        #[arg(short = 'O', value_name = "LEVEL", default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=2))]
        opt_level: u8,
        /// Run exactly these optimisation passes instead of a level's (comma-separated:
        /// inline, fold, strength, licm, datacache, dce); for experiments and benchmarks.
        #[arg(long, value_name = "LIST", hide = true)]
        passes: Option<String>,
        /// Also say how a model's gradient is computed (compiled adjoint or tape, and why).
        #[arg(long)]
        verbose: bool,
    },
    /// Build and run a program; arguments after `--` are passed to it. A model program is
    /// sampled: the model options below are passed to its `sample` command.
    Run {
        file: PathBuf,
        #[arg(long)]
        release: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        sampling: Sampling,
        /// CIR optimisation level: -O0 (none), -O1 (folding, dead code), -O2 (all passes).
        #[arg(short = 'O', value_name = "LEVEL", default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=2))]
        opt_level: u8,
        /// Run the program's CIR with the interpreter instead of building it with Zig (same
        /// output, faults and exit status; constructs it does not run yet are refused, status 3).
        #[arg(long, conflicts_with = "release")]
        interp: bool,
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Report diagnostics without building.
    Check {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Rewrite SIRS files in the canonical layout (files or folders; in place by default).
    Fmt {
        /// Files or folders (searched recursively for SIRS files).
        #[arg(required_unless_present = "stdin")]
        paths: Vec<PathBuf>,
        /// Write nothing; list the files that would change and exit with 1 if there are any.
        #[arg(long)]
        check: bool,
        /// Format standard input to standard output.
        #[arg(long, conflicts_with = "paths")]
        stdin: bool,
    },
    /// Report likely mistakes (rules L0001…), with levels, JSON or SARIF output and `--fix`.
    Lint(lint_args::LintArgs),
    /// Write documentation (Markdown and a static HTML site with search) for programs or folders.
    Doc(doc_args::DocArgs),
    /// Build the program's `test_…` functions and run each; exit 1 if one fails.
    Test(test_args::TestArgs),
    /// Run a program on the interpreter under a debugger: breakpoints, stepping, variables and
    /// the call stack, with commands read from stdin (see docs/cli.md).
    Debug(debug_args::DebugArgs),
    /// An interactive session: expressions, statements and definitions (SIRS JSON or a short
    /// syntax) run on the interpreter, with state kept between inputs (see docs/cli.md).
    Repl(repl_args::ReplArgs),
    /// Serve detectors over HTTP: points in, anomaly probabilities, metrics and alerts out
    /// (docs/service.md).
    Serve(serve_args::ServeArgs),
    /// One worker of the Redis Streams scale-out of the anomaly service (docs/service.md).
    Worker(worker_args::WorkerArgs),
    /// Serve the Model Context Protocol on stdin/stdout (for AI agents; see docs/mcp.md).
    Mcp {
        /// Let the `run` tool execute programs.
        #[arg(long)]
        allow_run: bool,
        /// The longest a program may run, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 10)]
        time_limit: u64,
        /// The most bytes kept of a program's stdout and of its stderr.
        #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
        output_cap: usize,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli.command)
}

pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Build { file, output, release, lib, emit, format, opt_level, passes, verbose } => {
            let passes = match passes.as_deref().map(crate::opt::by_names).transpose() {
                Ok(p) => p.unwrap_or_else(|| crate::opt::pipeline(crate::opt::Level::from_number(opt_level)).to_vec()),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let artifact = if lib { build_args::Artifact::DetectorLibrary } else { build_args::Artifact::Executable };
            commands::build::run(&file, output.as_deref(), emit, format, passes, build_args::BuildFlags { release, artifact, verbose })
        }
        Command::Run { file, interp: true, format, sampling, opt_level, args, .. } => {
            commands::run::run_interpreted(&file, format, &sampling, crate::opt::Level::from_number(opt_level), &args)
        }
        Command::Run { file, release, format, sampling, opt_level, args, interp: false } => {
            commands::run::run(&file, release, format, &sampling, crate::opt::Level::from_number(opt_level), &args)
        }
        Command::Check { file, format } => commands::check::run(&file, format),
        Command::Fmt { paths, check, stdin } => commands::fmt::run(&paths, check, stdin),
        Command::Lint(args) => commands::lint::run(&args),
        Command::Doc(args) => commands::doc::run(&args),
        Command::Test(args) => commands::test::run(&args),
        Command::Debug(args) => commands::debug::run(&args),
        Command::Repl(args) => commands::repl::run(&args),
        Command::Serve(args) => commands::serve::run(&args),
        Command::Worker(args) => commands::worker::run(&args),
        Command::Mcp { allow_run, time_limit, output_cap } => {
            let settings = crate::mcp::Settings { allow_run, time_limit: std::time::Duration::from_secs(time_limit), output_cap };
            commands::mcp::run(settings)
        }
    }
}
