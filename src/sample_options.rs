//! The sampling options of `sev run` for a model program, shared by `cli` (which parses them)
//! and `commands::run` (which passes them to the model's `sample` command). Every option of
//! the sampler is accepted directly (`sev run m.sirs.json --adapt-delta 0.95`); arguments after
//! `--` still go to the program unchanged, after these. The sampler validates the values and
//! reports a bad one with its usage.

use std::path::{Path, PathBuf};

/// The directory, relative to the working directory, under which `sev run` writes a model's
/// CSV files when `--output` is not given: `sev-out/<model>/`.
pub const DEFAULT_OUTPUT_ROOT: &str = "sev-out";

/// Options of `sev run` for model programs (passed to the model's `sample` command).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct Sampling {
    /// Data file in Stan's JSON format.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Directory for the CSV files of the draws (default: sev-out/<model>/).
    #[arg(long)]
    pub output: Option<PathBuf>,
    #[arg(long)]
    pub seed: Option<u64>,
    #[arg(long)]
    pub chains: Option<u32>,
    #[arg(long)]
    pub warmup: Option<u32>,
    #[arg(long)]
    pub draws: Option<u32>,
    /// nuts, hmc, mh, adaptive-mh, advi, pathfinder (advi and pathfinder: variational
    /// approximations) or smc (tempered sequential Monte Carlo, with the log evidence).
    #[arg(long, visible_alias = "method")]
    pub algorithm: Option<String>,
    /// advi: meanfield (default) or fullrank Gaussian approximation.
    #[arg(long, value_name = "F")]
    pub vi_family: Option<String>,
    /// advi: relative ELBO change (mean or median) at which the fit stops (default 0.01).
    #[arg(long, value_name = "X")]
    pub tol_rel_obj: Option<f64>,
    /// advi: maximum optimisation iterations (default 10000).
    #[arg(long, value_name = "N")]
    pub vi_iter: Option<u32>,
    /// advi: Adam step size (default: chosen by a short search).
    #[arg(long, value_name = "X")]
    pub vi_eta: Option<f64>,
    /// pathfinder: L-BFGS paths per chain, importance-resampled when more than 1 (default 1).
    #[arg(long, value_name = "N")]
    pub num_paths: Option<u32>,
    #[arg(long)]
    pub threads: Option<u32>,
    /// Also write the summary as JSON to this file.
    #[arg(long)]
    pub summary: Option<PathBuf>,
    /// Target acceptance statistic of step size adaptation, in (0, 1) (default 0.8).
    #[arg(long, value_name = "X")]
    pub adapt_delta: Option<f64>,
    /// Maximum NUTS tree depth, 1..30 (default 10).
    #[arg(long, value_name = "N")]
    pub max_depth: Option<u32>,
    /// diag (default) or dense inverse metric for nuts/hmc.
    #[arg(long, value_name = "M")]
    pub metric: Option<String>,
    /// Initial values uniform in (-X, X) on the unconstrained scale (default 2).
    #[arg(long, value_name = "X")]
    pub init: Option<f64>,
    /// Initial step size (default 1), or the fixed one with --no-adapt.
    #[arg(long, value_name = "X")]
    pub stepsize: Option<f64>,
    /// Step size jitter in [0, 1) (default 0).
    #[arg(long, value_name = "X")]
    pub jitter: Option<f64>,
    /// Integration time of static HMC (default 2*pi).
    #[arg(long, value_name = "X")]
    pub int_time: Option<f64>,
    /// Also write the warmup iterations to the CSV files.
    #[arg(long)]
    pub save_warmup: bool,
    /// No progress bar and no summary.
    #[arg(long)]
    pub quiet: bool,
    /// No warmup adaptation (fixed step size and unit metric).
    #[arg(long)]
    pub no_adapt: bool,
    /// MCMC: start each chain at a draw from a single-path Pathfinder approximation.
    #[arg(long)]
    pub init_pathfinder: bool,
}

impl Sampling {
    /// Whether any sampling option was given (they are refused for a program that is no model).
    pub fn given(&self) -> bool {
        !self.flags().is_empty()
    }

    /// The arguments of the model's `sample` command; `--output` is `default_output` unless
    /// the user chose a directory.
    pub fn to_args(&self, default_output: &Path) -> Vec<String> {
        let mut out = vec!["sample".to_string()];
        out.extend(self.flags());
        if self.output.is_none() {
            out.push("--output".to_string());
            out.push(default_output.display().to_string());
        }
        out
    }

    /// The options given, as the sampler spells them.
    fn flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut push = |flag: &str, value: Option<String>| {
            if let Some(v) = value {
                out.push(format!("--{flag}"));
                out.push(v);
            }
        };
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        push("data", path(&self.data));
        push("output", path(&self.output));
        push("seed", self.seed.map(|v| v.to_string()));
        push("chains", self.chains.map(|v| v.to_string()));
        push("warmup", self.warmup.map(|v| v.to_string()));
        push("draws", self.draws.map(|v| v.to_string()));
        push("algorithm", self.algorithm.clone());
        push("threads", self.threads.map(|v| v.to_string()));
        push("summary", path(&self.summary));
        push("adapt-delta", self.adapt_delta.map(|v| v.to_string()));
        push("max-depth", self.max_depth.map(|v| v.to_string()));
        push("metric", self.metric.clone());
        push("init", self.init.map(|v| v.to_string()));
        push("stepsize", self.stepsize.map(|v| v.to_string()));
        push("jitter", self.jitter.map(|v| v.to_string()));
        push("int-time", self.int_time.map(|v| v.to_string()));
        push("vi-family", self.vi_family.clone());
        push("tol-rel-obj", self.tol_rel_obj.map(|v| v.to_string()));
        push("vi-iter", self.vi_iter.map(|v| v.to_string()));
        push("vi-eta", self.vi_eta.map(|v| v.to_string()));
        push("num-paths", self.num_paths.map(|v| v.to_string()));
        for (flag, on) in [("save-warmup", self.save_warmup), ("quiet", self.quiet), ("no-adapt", self.no_adapt), ("init-pathfinder", self.init_pathfinder)] {
            if on {
                out.push(format!("--{flag}"));
            }
        }
        out
    }
}

/// Where `sev run` writes the CSV files of `file` by default: `sev-out/<model>/`.
pub fn default_output_dir(file: &Path) -> PathBuf {
    Path::new(DEFAULT_OUTPUT_ROOT).join(crate::commands::default_output(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_output_is_a_directory_per_model_under_sev_out() {
        assert_eq!(default_output_dir(Path::new("models/eight.sirs.json")), Path::new("sev-out/eight"));
    }

    #[test]
    fn an_explicit_output_replaces_the_default() {
        let s = Sampling { output: Some("draws".into()), adapt_delta: Some(0.95), ..Sampling::default() };
        assert_eq!(s.to_args(Path::new("sev-out/m")), ["sample", "--output", "draws", "--adapt-delta", "0.95"]);
    }

    #[test]
    fn flags_are_passed_in_the_sampler_spelling() {
        let s = Sampling { max_depth: Some(12), metric: Some("dense".into()), save_warmup: true, no_adapt: true, ..Sampling::default() };
        assert_eq!(s.to_args(Path::new("o")), ["sample", "--max-depth", "12", "--metric", "dense", "--save-warmup", "--no-adapt", "--output", "o"]);
        assert!(s.given());
        assert!(!Sampling::default().given());
    }

    #[test]
    fn variational_options_are_passed_through() {
        let s = Sampling { algorithm: Some("advi".into()), vi_family: Some("fullrank".into()), tol_rel_obj: Some(0.001), vi_iter: Some(500), vi_eta: Some(0.1), ..Sampling::default() };
        assert_eq!(s.to_args(Path::new("o")), ["sample", "--algorithm", "advi", "--vi-family", "fullrank", "--tol-rel-obj", "0.001", "--vi-iter", "500", "--vi-eta", "0.1", "--output", "o"]);
        let p = Sampling { algorithm: Some("pathfinder".into()), num_paths: Some(4), ..Sampling::default() };
        assert_eq!(p.to_args(Path::new("o")), ["sample", "--algorithm", "pathfinder", "--num-paths", "4", "--output", "o"]);
        let i = Sampling { init_pathfinder: true, ..Sampling::default() };
        assert_eq!(i.to_args(Path::new("o")), ["sample", "--init-pathfinder", "--output", "o"]);
    }
}
