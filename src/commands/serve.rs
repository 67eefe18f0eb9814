//! `sev serve --detector FILE [...]`: resolves the options (building a SIRS detector into a
//! library first, reading the token file) and hands them to `serve::run`.

use crate::cli::Format;
use crate::cli::serve_args::{ServeArgs, SyncMode};
use crate::serve::{self, alerts::Hysteresis, auth::Tokens, detector::DetectorLib};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(args: &ServeArgs) -> ExitCode {
    match configure(args) {
        Ok((config, _build_dir)) => match serve::run(config) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(super::EXIT_ENVIRONMENT)
            }
        },
        Err(code) => code,
    }
}

fn usage(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// The configuration, and the temporary folder of a detector built here (kept while serving).
fn configure(args: &ServeArgs) -> Result<(serve::Config, Option<tempfile::TempDir>), ExitCode> {
    if !(0.0..=1.0).contains(&args.alert_down) || !(0.0..=1.0).contains(&args.alert_up) || args.alert_down > args.alert_up {
        return Err(usage(format!("--alert-down ({}) and --alert-up ({}) are probabilities with down <= up", args.alert_down, args.alert_up)));
    }
    let token_file = match &args.tokens {
        Some(path) => Some((path.display().to_string(), std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?)),
        None => None,
    };
    let tokens = Tokens::parse(token_file.as_ref().map(|(p, t)| (p.as_str(), t.as_str())), &args.token).map_err(usage)?;
    let (library, build_dir) = detector_library(&args.detector)?;
    let detector = DetectorLib::open(&library).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(super::EXIT_ENVIRONMENT)
    })?;
    let config = serve::Config {
        detector,
        listen: args.listen.clone(),
        db: args.db.clone(),
        full_sync: args.sync == SyncMode::Full,
        tokens,
        max_body_bytes: args.max_body_bytes,
        max_series: args.max_series,
        alert_url: args.alert_url.clone(),
        rule: Hysteresis { up: args.alert_up, down: args.alert_down, calm: args.alert_calm },
        checkpoint_every: args.checkpoint_every,
    };
    Ok((config, build_dir))
}

fn is_sirs(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".sirs.json") || name.ends_with(".sirs") || name.ends_with(".sirs.l")
}

/// A library as given, or a SIRS program built (ReleaseFast) into a temporary folder.
fn detector_library(path: &Path) -> Result<(PathBuf, Option<tempfile::TempDir>), ExitCode> {
    if !is_sirs(path) {
        return Ok((path.to_path_buf(), None));
    }
    let options = crate::driver::Options { emit_zig: true };
    let passes = crate::opt::pipeline(crate::opt::Level::O2).to_vec();
    let compilation = super::compile_file_by(path, Format::Human, |name, bytes| crate::driver::compile_library(name, bytes, options, passes))?;
    let dir = tempfile::Builder::new().prefix("sev-serve-").tempdir().map_err(|e| {
        eprintln!("error: cannot create a build folder: {e}");
        ExitCode::from(super::EXIT_ENVIRONMENT)
    })?;
    let library = dir.path().join("libdetector.so");
    super::build::build_library(&compilation, true, &library)?;
    Ok((library, Some(dir)))
}
