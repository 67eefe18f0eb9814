//! `sev serve`: anomaly detection as a service (docs/service.md). Detectors compiled by
//! `sev build --lib` are hosted per series (`detector`, `series`); points arrive over HTTP
//! (`api`), are logged in SQLite before they are acknowledged (`store`; concurrent pushes share
//! a transaction, `group_commit`), and leave as probabilities, Prometheus metrics (`metrics`)
//! and Alertmanager webhooks (`alerts`).
//! Bearer tokens confine each client to a series prefix (`auth`). Prometheus remote-write
//! bodies are decoded by `remote_write`; `streams` spreads points over `sev worker` processes
//! through Redis Streams.

pub mod alerts;
pub mod api;
pub mod auth;
pub mod detector;
pub mod group_commit;
pub mod remote_write;
pub mod streams;
pub mod metrics;
pub mod series;
pub mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Everything `run` needs, resolved by `commands::serve`.
pub struct Config {
    pub detector: detector::DetectorLib,
    pub listen: String,
    pub db: PathBuf,
    pub full_sync: bool,
    pub tokens: auth::Tokens,
    pub max_body_bytes: usize,
    pub max_series: usize,
    pub alert_url: Option<String>,
    pub rule: alerts::Hysteresis,
    pub checkpoint_every: u64,
}

/// Recovers the series from the store, then serves until SIGINT or SIGTERM, and checkpoints
/// every series before it returns. Problems are returned as text for the command to print.
pub fn run(config: Config) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let store = store::Store::open(&config.db, config.full_sync).map_err(|e| e.to_string())?;
    let service = series::Service::recover(config.detector, store, config.max_series, config.rule, config.checkpoint_every).map_err(|e| format!("cannot recover the series: {e}"))?;
    let external = format!("http://{address}");
    let alerts = config.alert_url.map(|url| alerts::spawn_sender(url, external.clone()));
    if !config.tokens.enabled() {
        eprintln!("sev serve: no tokens configured, so every client may use every series");
    }
    let app = Arc::new(api::App { service, tokens: config.tokens, max_body_bytes: config.max_body_bytes, latency: Default::default(), ready: Default::default(), alerts });
    app.ready.store(true, Ordering::Release);
    eprintln!("sev serve: listening on {external} ({} series recovered)", app.service.len());
    let router = api::router(Arc::clone(&app));
    axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()).await.map_err(|e| format!("the server stopped: {e}"))?;
    app.service.checkpoint_all().map_err(|e| format!("cannot checkpoint at shutdown: {e}"))?;
    eprintln!("sev serve: stopped, every series checkpointed");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = ctrl_c.await;
            return;
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
