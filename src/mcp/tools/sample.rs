//! `sample_model`: builds a model program, samples it on the given data (Stan JSON) under the
//! server's time limit, and returns the posterior summary (per column: mean, sd, MCSE,
//! quantiles, R-hat, bulk/tail ESS) with the per-chain sampler diagnostics and a verdict on
//! convergence. Running a model executes a program, so it needs `--allow-run` like `run`.

use super::compile::{BuildFailure, build_binary, failure_outcome};
use super::source::{self, refusal, report_outcome};
use super::{Args, Context, Outcome, Tool, schema};
use crate::mcp::exec;
use crate::mcp::protocol::RpcError;
use serde_json::{Map, Value, json};

const MAX_CHAINS: u64 = 16;
const MAX_ITERATIONS: u64 = 100_000;

pub fn tools() -> Vec<Tool> {
    vec![Tool {
        name: "sample_model",
        title: "Sample a model",
        description: "Builds a model program and samples its posterior on the given data (NUTS by default), returning the summary of every column (mean, sd, mcse_mean, q5, q50, q95, rhat, ess_bulk, ess_tail), per-chain diagnostics (divergences, tree-depth hits, E-BFMI, step size, acceptance) and whether it converged (R-hat < 1.01, bulk and tail ESS >= 200 (half the draws for runs of fewer than 400), no divergences). Needs `sev mcp --allow-run`.",
        input: || {
            schema::input(
                json!({
                    "program": schema::program(),
                    "data": {"type": "object", "description": "the data in Stan's JSON format"},
                    "seed": {"type": "integer", "minimum": 0, "description": "default 1"},
                    "chains": {"type": "integer", "minimum": 1, "maximum": MAX_CHAINS, "description": "default 4"},
                    "warmup": {"type": "integer", "minimum": 0, "maximum": MAX_ITERATIONS, "description": "default 1000"},
                    "draws": {"type": "integer", "minimum": 1, "maximum": MAX_ITERATIONS, "description": "default 1000"},
                    "algorithm": {"enum": ["nuts", "hmc", "mh", "adaptive-mh"]}
                }),
                &["program"],
            )
        },
        output: || {
            schema::report_with(
                json!({
                    "summary": schema::object(json!({"columns": {"type": "array", "items": {"type": "object"}}, "chains": {"type": "array", "items": {"type": "object"}}}), &["columns", "chains"]),
                    "converged": {"type": "boolean"}, "problems": {"type": "array", "items": {"type": "string"}},
                    "seed": {"type": "integer"}, "report": {"type": "string"}, "stderr": {"type": "string"},
                    "exit_code": {"type": ["integer", "null"]}, "timed_out": {"type": "boolean"}, "message": {"type": "string"}
                }),
                &[],
            )
        },
        read_only: false,
        destructive: false,
        call: sample_model,
    }]
}

fn bounded(args: &Args, key: &str, default: u64, low: u64, high: u64) -> Result<u64, RpcError> {
    let value = args.opt_u64(key)?.unwrap_or(default);
    if value < low || value > high {
        return Err(RpcError::invalid_params(format!("argument \"{key}\" must be between {low} and {high}, got {value}")));
    }
    Ok(value)
}

fn sample_model(args: &Args, ctx: &Context) -> Result<Outcome, RpcError> {
    let source = source::program(args)?;
    let data = match args.get("data") {
        None => None,
        Some(_) => Some(Value::Object(args.object("data")?)),
    };
    let seed = args.opt_u64("seed")?.unwrap_or(1);
    let chains = bounded(args, "chains", 4, 1, MAX_CHAINS)?;
    let warmup = bounded(args, "warmup", 1000, 0, MAX_ITERATIONS)?;
    let draws = bounded(args, "draws", 1000, 1, MAX_ITERATIONS)?;
    let algorithm = args.opt_string("algorithm")?.unwrap_or("nuts").to_string();
    if !["nuts", "hmc", "mh", "adaptive-mh"].contains(&algorithm.as_str()) {
        return Err(RpcError::invalid_params("argument \"algorithm\" must be nuts, hmc, mh or adaptive-mh"));
    }
    if !ctx.settings.allow_run {
        return Ok(refusal(None, "sampling runs the model, which is disabled in this server; start it with `sev mcp --allow-run`".into()));
    }
    let (compilation, built) = match build_binary(&source, false, ctx) {
        Ok(done) => done,
        Err(failure) => return Ok(failure_outcome(failure, &source)),
    };
    if compilation.cir.as_ref().is_none_or(|c| c.model.is_none()) {
        return Ok(refusal(None, "the program is not a model: its entry reaches no observe, factor or prob_assert (use `run` for other programs)".into()));
    }
    let dir = built.path.parent().map(std::path::Path::to_path_buf).unwrap_or_else(|| ctx.workdir.to_path_buf());
    let mut sampler_args: Vec<String> = vec!["sample".into()];
    if let Some(data) = data {
        let path = dir.join("data.json");
        if let Err(e) = std::fs::write(&path, data.to_string()) {
            return Ok(refusal(None, format!("cannot write the data file: {e}")));
        }
        sampler_args.extend(["--data".into(), path.display().to_string()]);
    }
    let summary_path = dir.join("summary.json");
    for (flag, value) in [("seed", seed.to_string()), ("chains", chains.to_string()), ("warmup", warmup.to_string()), ("draws", draws.to_string()), ("algorithm", algorithm), ("output", dir.join("draws").display().to_string()), ("summary", summary_path.display().to_string()), ("threads", "2".into())] {
        sampler_args.push(format!("--{flag}"));
        sampler_args.push(value);
    }
    let limits = exec::Limits { time: ctx.settings.time_limit, output_cap: ctx.settings.output_cap, cancelled: ctx.cancelled };
    let finished = match exec::run(&built.path, &sampler_args, &dir, "", &limits) {
        Ok(f) => f,
        Err(e) => return Ok(failure_outcome(BuildFailure::Toolchain(Box::new(compilation), format!("cannot run the model: {e}")), &source)),
    };
    let summary: Option<Value> = std::fs::read(&summary_path).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let _ = std::fs::remove_dir_all(&dir);
    let mut extra = Map::new();
    extra.insert("seed".into(), json!(seed));
    extra.insert("report".into(), json!(finished.stdout));
    extra.insert("stderr".into(), json!(finished.stderr));
    extra.insert("exit_code".into(), json!(finished.exit_code));
    extra.insert("timed_out".into(), json!(finished.timed_out));
    let ok = finished.exit_code == Some(0) && summary.is_some();
    if let Some(summary) = summary {
        let problems = convergence_problems(&summary, draws * chains);
        extra.insert("converged".into(), json!(problems.is_empty()));
        extra.insert("problems".into(), json!(problems));
        extra.insert("summary".into(), summary);
    } else {
        let why = if finished.timed_out { format!("the sampler was stopped after the time limit of {} s", ctx.settings.time_limit.as_secs()) } else { "the sampler failed; see stderr".to_string() };
        extra.insert("message".into(), json!(why));
    }
    let mut outcome = report_outcome(&compilation, &source, extra);
    outcome.is_error = !ok;
    Ok(outcome)
}

/// What keeps the summary from showing convergence: R-hat, ESS (at least 200, or half the
/// draws for runs of fewer than 400) and divergences. Constant columns are skipped.
fn convergence_problems(summary: &Value, total_draws: u64) -> Vec<String> {
    let needed_ess = if total_draws >= 400 { 200.0 } else { total_draws as f64 / 2.0 };
    let mut problems = Vec::new();
    for column in summary["columns"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let name = column["name"].as_str().unwrap_or("?");
        if column["sd"].as_f64() == Some(0.0) {
            continue;
        }
        if let Some(rhat) = column["rhat"].as_f64().filter(|r| *r >= 1.01) {
            problems.push(format!("{name}: R-hat {rhat:.3} >= 1.01"));
        }
        for key in ["ess_bulk", "ess_tail"] {
            if let Some(ess) = column[key].as_f64().filter(|e| *e < needed_ess) {
                problems.push(format!("{name}: {key} {ess:.0} is low"));
            }
        }
    }
    let divergences: u64 = summary["chains"].as_array().map(Vec::as_slice).unwrap_or_default().iter().filter_map(|c| c["divergences"].as_u64()).sum();
    if divergences > 0 {
        problems.push(format!("{divergences} divergent transitions"));
    }
    problems
}
