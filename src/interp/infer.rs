//! `infer` in the interpreter: the model is not sampled here. The interpreter turns the fitted
//! model into a model program of its own (`model_program`: the model function as the entry,
//! with the tape gradient that `infer` uses in compiled code), hands it with the call's data as
//! Stan JSON (`data_json`, the text `rt.ppl.infer.dataJson` writes) and the sampler options to
//! the [`Sampler`] that `commands` installs (it builds the model binary, cached like any model
//! build, and runs its `sample` command), then reads the draws and the summary back into a
//! [`Posterior`] (`output`). The options are checked first with `rt.ppl.infer`'s fault texts,
//! and a failure of the sampler becomes the fault compiled code reports; `posterior` holds the
//! `posterior_*` readers, ported from `runtime/ppl/infer.zig`.
//!
//! Without an installed sampler (a library user of the interpreter, the tests of `interp`
//! itself) `infer` is refused by name, as before.

mod exact_json;
mod output;
pub mod posterior;

use super::fault::{Loc, Stop};
use super::value::Value;
use crate::cir::{Program, Ty};
use std::sync::OnceLock;

pub use posterior::Posterior;

/// What the interpreter asks of a sampler: build `model` (a model program's CIR) and run its
/// `sample` command with `args`, the data file `infer` (holding `data_json`) in its directory.
pub struct Job<'a> {
    pub model: &'a Program,
    pub data_json: &'a str,
    pub args: Vec<String>,
}

/// What the model binary did: its exit status (`None`: killed by a signal), its stderr, the
/// text of each chain's CSV file that it wrote and its summary JSON (if written).
pub struct Run {
    pub status: Option<i32>,
    pub stderr: String,
    pub csv: Vec<String>,
    pub summary: Option<String>,
}

/// The one way the interpreter reaches a sampler (implemented by `commands`, which may build
/// and run programs). `Err` says why the sampler could not be built or started.
pub trait Sampler: Send + Sync {
    fn sample(&self, job: &Job) -> Result<Run, String>;
}

static SAMPLER: OnceLock<Box<dyn Sampler>> = OnceLock::new();

/// Makes `sampler` the one `infer` uses (the first call wins; later ones are ignored).
pub fn install(sampler: Box<dyn Sampler>) {
    let _ = SAMPLER.set(sampler);
}

/// The sampler options of an `infer` expression, with `rt.ppl.infer.Options`' defaults.
#[derive(Clone, Debug, PartialEq)]
struct Options {
    chains: i128,
    warmup: i128,
    draws: i128,
    seed: i128,
    threads: i128,
    algorithm: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            chains: 4,
            warmup: 1000,
            draws: 1000,
            seed: 1,
            threads: 0,
            algorithm: "nuts".into(),
        }
    }
}

const ALGORITHMS: [&str; 6] = ["nuts", "hmc", "mh", "adaptive-mh", "adaptive_mh", "smc"];

impl Options {
    fn from_named(named: &[(String, Value)]) -> Options {
        let mut o = Options::default();
        for (name, value) in named {
            match (name.as_str(), value) {
                ("chains", Value::Int(x)) => o.chains = *x,
                ("warmup", Value::Int(x)) => o.warmup = *x,
                ("draws", Value::Int(x)) => o.draws = *x,
                ("seed", Value::Int(x)) => o.seed = *x,
                ("threads", Value::Int(x)) => o.threads = *x,
                ("algorithm", Value::Str(s)) => o.algorithm = s.to_string(),
                _ => {}
            }
        }
        o
    }

    /// `rt.ppl.infer.config`'s checks, in its order, with its fault texts.
    fn check(&self, loc: &Loc) -> Result<(), Stop> {
        if !ALGORITHMS.contains(&self.algorithm.as_str()) {
            return Err(Stop::fault(
                format!(
                    "infer: unknown algorithm `{}` (use nuts, hmc, mh, adaptive-mh or smc)",
                    self.algorithm
                ),
                loc,
            ));
        }
        if self.seed < 0 {
            return Err(Stop::fault(
                format!("infer: `seed` must not be negative, found {}", self.seed),
                loc,
            ));
        }
        for (what, x, min) in [
            ("chains", self.chains, 1),
            ("warmup", self.warmup, 0),
            ("draws", self.draws, 1),
            ("threads", self.threads, 0),
        ] {
            if x < min || x > 100_000_000 {
                return Err(Stop::fault(
                    format!("infer: `{what}` must be between {min} and 100000000, found {x}"),
                    loc,
                ));
            }
        }
        Ok(())
    }

    /// The model binary's `sample` arguments giving the same configuration (the CSV files go
    /// to `out`, the summary to `summary.json`).
    fn sample_args(&self) -> Vec<String> {
        let algorithm = if self.algorithm == "adaptive_mh" {
            "adaptive-mh"
        } else {
            self.algorithm.as_str()
        };
        let mut args: Vec<String> = [
            "sample",
            "--quiet",
            "--data",
            "infer",
            "--output",
            "out",
            "--summary",
            "summary.json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for (flag, value) in [
            ("--chains", self.chains),
            ("--warmup", self.warmup),
            ("--draws", self.draws),
            ("--seed", self.seed),
        ] {
            args.push(flag.into());
            args.push(value.to_string());
        }
        if self.threads > 0 {
            args.push("--threads".into());
            args.push(self.threads.to_string());
        }
        args.push("--algorithm".into());
        args.push(algorithm.into());
        args
    }
}

/// Runs `infer` of model `inferred[index]` on the data `args` (of the model's data types) with
/// the named options, as `rt.ppl.infer.run` does.
pub fn run(
    program: &Program,
    index: usize,
    args: &[Value],
    named: &[(String, Value)],
    stderr: &mut Vec<u8>,
    loc: &Loc,
) -> Result<Value, Stop> {
    let Some(sampler) = SAMPLER.get() else {
        return Err(Stop::unsupported(
            "`infer` (no sampler is available to this run)",
            loc,
        ));
    };
    let Some(inferred) = program.inferred.get(index) else {
        return Err(Stop::unsupported("`infer` of this model", loc));
    };
    let options = Options::from_named(named);
    options.check(loc)?;
    let names: Vec<&str> = inferred
        .entry
        .data
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    let types: Vec<&Ty> = inferred.entry.data.iter().map(|(_, t)| t).collect();
    let data = data_json(&names, args, &types);
    let model = model_program(program, index);
    let job = Job {
        model: &model,
        data_json: &data,
        args: options.sample_args(),
    };
    let ran = sampler
        .sample(&job)
        .map_err(|e| Stop::unsupported(format!("`infer` here: {e}"), loc))?;
    output::posterior(ran, options.chains as usize, stderr, loc)
        .map(|p| Value::Posterior(std::rc::Rc::new(p)))
}

/// The program whose entry is model `inferred[index]`: what a model binary of that model is
/// built from. Its gradient is the tape's, as for a model fitted in-process (the compiled
/// `infer` never uses an adjoint, `zig::adjoint`), so the draws are the same.
pub fn model_program(program: &Program, index: usize) -> Program {
    let mut model = program.clone();
    let inferred = model.inferred.swap_remove(index);
    model.inferred.clear();
    model.exports.clear();
    model.entry = Some(inferred.func);
    model.model = Some(inferred.entry);
    model.ad = None;
    // only what the model reaches is kept (the caller of `infer` would name a model no more)
    crate::opt::dce::remove_unused_functions(&mut model);
    model
}

/// The data as Stan JSON, as `rt.ppl.infer.dataJson` writes it: integers, bools as 0/1,
/// floats in the shortest exponent form (`"NaN"`, `"Infinity"`, `"-Infinity"`), lists as arrays.
pub fn data_json(names: &[&str], values: &[Value], types: &[&Ty]) -> String {
    let fields: Vec<String> = names
        .iter()
        .zip(values)
        .zip(types)
        .map(|((n, v), t)| format!("\"{n}\": {}", json_value(v, t)))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

fn json_value(value: &Value, ty: &Ty) -> String {
    match (value, ty) {
        (Value::Int(i), _) => i.to_string(),
        (Value::Bool(b), _) => if *b { "1" } else { "0" }.into(),
        (Value::Float(x), _) if x.is_nan() => "\"NaN\"".into(),
        (Value::Float(x), _) if x.is_infinite() => if *x > 0.0 {
            "\"Infinity\""
        } else {
            "\"-Infinity\""
        }
        .into(),
        (Value::Float(x), _) => format!("{x:e}"),
        (Value::List(items), Ty::Array(t)) => format!(
            "[{}]",
            items
                .iter()
                .map(|x| json_value(x, t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => "null".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn data_is_written_as_infer_writes_it() {
        let xs = Value::List(Rc::new(vec![Value::Float(0.5), Value::Float(-2.0)]));
        let list = Ty::Array(Box::new(Ty::Float(crate::types::FloatTy::F64)));
        let int = Ty::Int(crate::types::IntTy::I64);
        let text = data_json(
            &["n", "y", "flag"],
            &[Value::Int(3), xs, Value::Bool(true)],
            &[&int, &list, &Ty::Bool],
        );
        assert_eq!(text, "{\"n\": 3, \"y\": [5e-1, -2e0], \"flag\": 1}");
    }

    #[test]
    fn options_are_checked_in_infers_order() {
        let loc = Loc {
            func: "main".into(),
            line: 1,
            col: 1,
        };
        let bad = Options {
            chains: 0,
            algorithm: "gibbs".into(),
            ..Options::default()
        };
        assert_eq!(
            bad.check(&loc),
            Err(Stop::fault(
                "infer: unknown algorithm `gibbs` (use nuts, hmc, mh, adaptive-mh or smc)",
                &loc
            ))
        );
        let bad = Options {
            chains: 0,
            ..Options::default()
        };
        assert_eq!(
            bad.check(&loc),
            Err(Stop::fault(
                "infer: `chains` must be between 1 and 100000000, found 0",
                &loc
            ))
        );
        let bad = Options {
            seed: -1,
            warmup: -1,
            ..Options::default()
        };
        assert_eq!(
            bad.check(&loc),
            Err(Stop::fault(
                "infer: `seed` must not be negative, found -1",
                &loc
            ))
        );
    }
}
