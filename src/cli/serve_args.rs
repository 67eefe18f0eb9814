//! The options of `sev serve`, shared by the command line (`cli`) and the command
//! (`commands::serve`), which turns them into a `serve::Config`.

use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// The detector: a shared library built by `sev build --lib`, or a SIRS program
    /// (`.sirs.json`) that is built as one first.
    #[arg(long, value_name = "FILE")]
    pub detector: PathBuf,
    /// Address to listen on (port 0: any free port; the address is printed on stderr).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
    pub listen: String,
    /// SQLite file with the checkpoints and the log of acknowledged points (created if missing).
    #[arg(long, value_name = "FILE", default_value = "sev-serve.db")]
    pub db: PathBuf,
    /// `full` (default) makes every acknowledged point survive a power loss; `normal` only a
    /// crash of the process (faster).
    #[arg(long, value_enum, default_value_t = SyncMode::Full)]
    pub sync: SyncMode,
    /// A file of bearer tokens, one `TOKEN PREFIX` per line (`*` as the prefix: every series).
    #[arg(long, value_name = "FILE")]
    pub tokens: Option<PathBuf>,
    /// A bearer token and the series prefix it may read and write (repeatable).
    #[arg(long = "token", value_name = "TOKEN=PREFIX")]
    pub token: Vec<String>,
    /// The largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
    /// The most series the service keeps.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_series: usize,
    /// Where to POST alerts (Alertmanager webhook format, version 4).
    #[arg(long, value_name = "URL")]
    pub alert_url: Option<String>,
    /// An alert opens when a point's anomaly probability reaches this.
    #[arg(long, value_name = "P", default_value_t = 0.5)]
    pub alert_up: f64,
    /// ... and resolves after `--alert-calm` consecutive points below this.
    #[arg(long, value_name = "P", default_value_t = 0.1)]
    pub alert_down: f64,
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub alert_calm: u32,
    /// Checkpoint a series' state after this many points (the log since then is replayed).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub checkpoint_every: u64,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncMode {
    Full,
    Normal,
}
