//! `sev worker --redis URL --detector LIB`: one worker of the Redis Streams scale-out
//! (docs/service.md, "Scaling out with Redis") until SIGTERM or SIGINT, after which it hands
//! its partitions back and prints what it did on stderr. Also `sev serve --redis URL`, the
//! HTTP front that queues points for the workers (`serve::streams::front`).

use crate::cli::serve_args::ServeArgs;
use crate::cli::worker_args::WorkerArgs;
use crate::serve::auth::Tokens;
use crate::serve::streams::front::{self, FrontConfig};
use crate::serve::detector::DetectorLib;
use crate::serve::streams::worker::{Settings, Worker};
use crate::serve::streams::{self, Layout, StreamsError};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub fn run(args: &WorkerArgs) -> ExitCode {
    match work(args) {
        Ok(stats) => {
            eprintln!(
                "worker stopped: {} points applied, {} detector faults, {} duplicates skipped, {} malformed entries, {} entries claimed, {} partitions taken over",
                stats.applied, stats.faults, stats.duplicates, stats.malformed, stats.claimed, stats.partitions_taken
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            ExitCode::from(super::EXIT_ENVIRONMENT)
        }
    }
}

fn work(args: &WorkerArgs) -> Result<streams::worker::Stats, StreamsError> {
    let detector = DetectorLib::open(&args.detector).map_err(|e| StreamsError::Detector(e.to_string()))?;
    let con = streams::connect(&args.redis)?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop)).map_err(|e| StreamsError::Signals(e.to_string()))?;
    }
    let settings = Settings {
        layout: Layout::new(&args.prefix, args.partitions),
        name: args.name.clone().unwrap_or_else(default_name),
        lease_ms: args.lease_ms,
        batch: args.batch as usize,
    };
    Worker::new(con, settings, detector).run(&stop)
}

fn default_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    format!("{}-{}", host.trim(), std::process::id())
}

/// `sev serve --redis URL`: `tokens` as read by `commands::serve` (or its usage error).
pub fn run_front(args: &ServeArgs, url: &str, tokens: Result<Tokens, ExitCode>) -> ExitCode {
    let tokens = match tokens {
        Ok(tokens) => tokens,
        Err(code) => return code,
    };
    let config = FrontConfig {
        redis: url.to_string(),
        layout: Layout::new(args.prefix.as_deref().unwrap_or("sev"), args.partitions.unwrap_or(streams::DEFAULT_PARTITIONS)),
        listen: args.listen.clone(),
        tokens,
        max_body_bytes: args.max_body_bytes,
    };
    match front::run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(super::EXIT_ENVIRONMENT)
        }
    }
}
