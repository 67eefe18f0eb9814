//! The options of `sev worker`, shared by the command line (`cli`) and the command
//! (`commands::worker`).

use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct WorkerArgs {
    /// The Redis server holding the partition streams and the states, e.g. redis://127.0.0.1:6379/.
    #[arg(long, value_name = "URL")]
    pub redis: String,
    /// The detector library built by `sev build --lib`.
    #[arg(long, value_name = "FILE")]
    pub detector: PathBuf,
    /// The prefix of every key of this deployment.
    #[arg(long, default_value = "sev")]
    pub prefix: String,
    /// How many partition streams the deployment has (fixed once chosen; the upper bound on
    /// the number of busy workers).
    #[arg(long, default_value_t = crate::serve::streams::DEFAULT_PARTITIONS, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub partitions: u32,
    /// This worker's name (the consumer name and lease value); unique among live workers.
    /// Default: the host name and process id.
    #[arg(long)]
    pub name: Option<String>,
    /// A partition whose owner has not renewed its lease for this long passes to another worker.
    #[arg(long, value_name = "MS", default_value_t = 3000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub lease_ms: u64,
    /// Entries read per partition and round.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub batch: u64,
}
