//! `sev lint PATHS`: runs the lint rules (`crate::lint`) on each SIRS file and reports the
//! findings rendered, as JSON or as one SARIF log; `--fix` applies the mechanical repairs in
//! place first. Exit status: 1 when a file has errors or a finding at level `deny`, 3 when a
//! file cannot be read or written, 0 otherwise.

use super::{EXIT_ENVIRONMENT, EXIT_ERRORS, EXIT_INTERNAL, report};
use crate::cli::Format;
use crate::cli::lint_args::{LintArgs, LintFormat};
use crate::diagnostic::{Code, Diagnostic};
use crate::driver::Compilation;
use crate::lint::{self, Config, Level, Outcome};
use std::path::Path;
use std::process::ExitCode;

const STACK_SIZE: usize = 256 * 1024 * 1024;
/// A bad command line, as clap reports its own.
const EXIT_USAGE: u8 = 2;

/// Why the options cannot be used.
enum ConfigError {
    /// `--allow`, `--warn` or `--deny` names no rule (a usage error).
    UnknownRule(String),
    /// The `--config` or `--data` file cannot be read or is not what it should be.
    Data(String),
}

pub fn run(args: &LintArgs) -> ExitCode {
    if args.list {
        return print_rules();
    }
    let config = match config(args) {
        Ok(c) => c,
        Err(ConfigError::UnknownRule(message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
        Err(ConfigError::Data(message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_ENVIRONMENT);
        }
    };
    let files = match super::sirs_files(&args.paths) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_ENVIRONMENT);
        }
    };
    let mut status = 0u8;
    let mut outcomes = Vec::new();
    for path in &files {
        match lint_file(path, &config, args.fix) {
            Ok(outcome) => outcomes.push(outcome),
            Err(code) => status = status.max(code),
        }
    }
    status = status.max(print(&outcomes, args.format));
    ExitCode::from(status)
}

fn print_rules() -> ExitCode {
    let table: String = lint::RULES.iter().map(|rule| format!("{}  {:<28} {}\n", rule.code.as_str(), rule.name, rule.summary)).collect();
    match super::write_stdout(&table) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn config(args: &LintArgs) -> Result<Config, ConfigError> {
    let mut config = Config::default();
    if let Some(path) = &args.config {
        let doc = read_json(path).map_err(ConfigError::Data)?;
        config.set_from_json(&doc).map_err(|e| ConfigError::Data(format!("{}: {e}", path.display())))?;
    }
    for (keys, level) in [(&args.allow, Level::Allow), (&args.warn, Level::Warn), (&args.deny, Level::Deny)] {
        for key in keys {
            config.set(key, level).map_err(ConfigError::UnknownRule)?;
        }
    }
    if let Some(path) = &args.data {
        config.data = read_data(path).map_err(ConfigError::Data)?;
    }
    Ok(config)
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// The numbers of a Stan JSON data file, by name (arrays flattened).
fn read_data(path: &Path) -> Result<std::collections::HashMap<String, Vec<f64>>, String> {
    let value = read_json(path)?;
    let object = value.as_object().ok_or_else(|| format!("{} is not a JSON object of named data", path.display()))?;
    Ok(object.iter().map(|(k, v)| (k.clone(), numbers(v))).collect())
}

fn numbers(value: &serde_json::Value) -> Vec<f64> {
    match value {
        serde_json::Value::Number(n) => n.as_f64().into_iter().collect(),
        serde_json::Value::Array(items) => items.iter().flat_map(numbers).collect(),
        _ => Vec::new(),
    }
}

/// Lints one file (fixing it first with `--fix`). `Err` is an exit status already explained.
fn lint_file(path: &Path, config: &Config, fix: bool) -> Result<Outcome, u8> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        eprintln!("error[E0009]: Cannot read {name}: {e}");
        EXIT_ENVIRONMENT
    })?;
    let outcome = on_large_stack(&name, &bytes, config)?;
    if !fix || outcome.findings.iter().all(|f| f.fix.is_empty()) {
        return Ok(outcome);
    }
    let edits: Vec<lint::fix::Edit> = outcome.findings.iter().flat_map(|f| f.fix.iter().cloned()).collect();
    let (fixed, applied) = lint::fix::apply(&outcome.file.text, &edits);
    super::fmt::write_replacing(path, fixed.as_bytes()).map_err(|e| {
        eprintln!("error: cannot write {name}: {e}");
        EXIT_ENVIRONMENT
    })?;
    eprintln!("{name}: applied {applied} fix{}", if applied == 1 { "" } else { "es" });
    on_large_stack(&name, fixed.as_bytes(), config)
}

fn on_large_stack(name: &str, bytes: &[u8], config: &Config) -> Result<Outcome, u8> {
    let (name, bytes, config) = (name.to_string(), bytes.to_vec(), config.clone());
    let worker = std::thread::Builder::new().stack_size(STACK_SIZE).spawn(move || lint::lint_source(&name, &bytes, &config));
    match worker.map(|h| h.join()) {
        Ok(Ok(outcome)) => Ok(outcome),
        _ => {
            eprintln!("error[{}]: internal compiler error while linting", Code::E0900.as_str());
            Err(EXIT_INTERNAL)
        }
    }
}

/// Prints every outcome in `format`; returns the exit status the diagnostics call for.
fn print(outcomes: &[Outcome], format: LintFormat) -> u8 {
    match format {
        LintFormat::Human | LintFormat::Json => {
            let as_check = if format == LintFormat::Json { Format::Json } else { Format::Human };
            for o in outcomes {
                let compilation = Compilation { file: o.file.clone(), diagnostics: o.diagnostics.clone(), cir: None, zig: None };
                report(&compilation, as_check);
                if as_check == Format::Human {
                    summary(o);
                }
            }
        }
        LintFormat::Sarif => {
            let files: Vec<(&crate::span::SourceFile, &[Diagnostic])> = outcomes.iter().map(|o| (&o.file, o.diagnostics.as_slice())).collect();
            let log = serde_json::to_string_pretty(&lint::sarif::log(&files)).unwrap_or_default();
            if let Err(status) = super::write_stdout_status(&format!("{log}\n")) {
                return status;
            }
        }
    }
    let errors = outcomes.iter().any(|o| o.diagnostics.iter().any(Diagnostic::is_error));
    if errors { EXIT_ERRORS } else { 0 }
}

/// The count line after a file's warnings (`report` prints one only when there are errors).
fn summary(o: &Outcome) {
    let errors = o.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors == 0 && !o.diagnostics.is_empty() {
        let n = o.diagnostics.len();
        eprintln!("{}: {n} warning{}", o.file.name, if n == 1 { "" } else { "s" });
    }
}
