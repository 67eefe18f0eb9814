//! End-to-end tests of declared distributions (`"distributions"`) and mixtures, through
//! `sev run` / `sev build` like `tests/ppl_models.rs`:
//!
//! * a user-written normal log density (prior and likelihood) gives the exact conjugate
//!   posterior of a normal mean, and — with a user-written exponential prior on the scale — the
//!   same posterior means as the model written with the built-ins, within 4·√(MCSE₁² + MCSE₂²);
//! * a user-written Poisson mass gives the exact gamma posterior, and its predictive draws
//!   (made with the declared sampler, once per posterior draw) have the posterior mean of the
//!   rate;
//! * a parameter with a mixture prior gets the exact (mixture-of-normals) posterior mean and
//!   sd, and a two-component normal mixture likelihood recovers the known component means and
//!   weight of the synthetic data (within 4 posterior sd);
//! * forward simulation through a declared sampler and from a mixture matches the moments;
//! * a violated parameter constraint is a located rejection inside a model and a located fault
//!   outside one; a NaN from a user's log density is a located fault;
//! * `diagnose` confirms the gradients of the models above (finite differences and forward mode).
//!
//! Tolerances: posterior means within 4·MCSE (+ 1e-9) of exact values, sds within
//! 1.5·4·sd/√(2·ESS) (as in `ppl_models.rs`); moments within 4 standard errors.

mod support;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Normal};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn sev(args: &[String]) -> support::Output {
    support::sev(args, "4242", None)
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).expect("json")).expect("write");
    path
}

fn var(name: &str) -> Value {
    json!({"var": name})
}

fn lit(x: f64) -> Value {
    json!({"literal": x})
}

fn op(kind: &str, args: Vec<Value>) -> Value {
    json!({"op": {"kind": kind, "args": args}})
}

fn call(f: &str, args: Vec<Value>) -> Value {
    json!({"call": {"function": f, "args": args}})
}

fn sample(name: &str, dist: &str, params: Vec<Value>) -> Value {
    json!({"let": {"name": name, "value": {"sample": {"distribution": dist, "params": params}}}})
}

fn observe(dist: &str, params: Vec<Value>, value: Value) -> Value {
    json!({"observe": {"distribution": dist, "params": params, "value": value}})
}

fn arg(name: &str, ty: &str) -> Value {
    json!({"name": name, "type": ty})
}

fn real(name: &str) -> Value {
    arg(name, "f64")
}

fn positive(name: &str) -> Value {
    json!({"name": name, "type": "f64", "lower": 0, "strict": true})
}

/// The user-written distributions and their functions: `my_normal`, `my_exp`, `my_pois`
/// (with a sampler), `lap` (with a sampler) and `bad_sqrt` (whose density is NaN below 0).
fn library() -> (Value, Value) {
    let distributions = json!({
        "my_normal": {"params": [real("mu"), positive("sigma")], "support": "real", "log_density": "normal_lpdf"},
        "my_exp": {"params": [positive("rate")], "support": "positive", "log_density": "exp_lpdf"},
        "my_pois": {"params": [positive("lambda")], "support": "nonnegative_integer", "log_density": "pois_lpmf", "sampler": "pois_rng"},
        "lap": {"params": [real("mu"), positive("b")], "support": "real", "log_density": "lap_lpdf", "sampler": "lap_rng"},
        "bad_sqrt": {"params": [], "support": "real", "log_density": "bad_sqrt_lpdf"}
    });
    let z = op("div", vec![op("sub", vec![var("x"), var("mu")]), var("sigma")]);
    let functions = json!({
        "normal_lpdf": {"args": [real("x"), real("mu"), real("sigma")], "return": "f64", "body": [
            {"let": {"name": "z", "value": z}},
            {"return": op("sub", vec![
                op("mul", vec![lit(-0.5), op("mul", vec![var("z"), var("z")])]),
                op("add", vec![call("math_log", vec![var("sigma")]), lit(0.918_938_533_204_672_7)])])}]},
        "exp_lpdf": {"args": [real("x"), real("rate")], "return": "f64", "body": [
            {"return": op("sub", vec![call("math_log", vec![var("rate")]), op("mul", vec![var("rate"), var("x")])])}]},
        "pois_lpmf": {"args": [arg("k", "i64"), real("lambda")], "return": "f64", "body": [
            {"let": {"name": "kf", "value": {"cast": {"value": var("k"), "type": "f64"}}}},
            {"return": op("sub", vec![
                op("sub", vec![op("mul", vec![var("kf"), call("math_log", vec![var("lambda")])]), var("lambda")]),
                call("lgamma", vec![op("add", vec![var("kf"), lit(1.0)])])])}]},
        "pois_rng": {"args": [real("lambda")], "return": "i64", "body": [
            {"return": {"sample": {"distribution": "poisson", "params": [var("lambda")]}}}]},
        "lap_lpdf": {"args": [real("x"), real("mu"), real("b")], "return": "f64", "body": [
            {"return": op("sub", vec![
                op("neg", vec![call("math_log", vec![op("mul", vec![lit(2.0), var("b")])])]),
                op("div", vec![call("math_abs", vec![op("sub", vec![var("x"), var("mu")])]), var("b")])])}]},
        "lap_rng": {"args": [real("mu"), real("b")], "return": "f64", "body": [
            {"let": {"name": "e1", "value": {"sample": {"distribution": "exponential", "params": [lit(1.0)]}}}},
            {"let": {"name": "e2", "value": {"sample": {"distribution": "exponential", "params": [lit(1.0)]}}}},
            {"return": op("add", vec![var("mu"), op("mul", vec![var("b"), op("sub", vec![var("e1"), var("e2")])])])}]},
        "bad_sqrt_lpdf": {"args": [real("x")], "return": "f64", "body": [{"return": call("math_sqrt", vec![var("x")])}]}
    });
    (distributions, functions)
}

/// A program whose entry `main` has `args` and `body`, with the library declared.
fn program(args: Value, body: Value) -> Value {
    let (distributions, mut functions) = library();
    functions["main"] = json!({"args": args, "return": "void", "body": body});
    json!({"program": {"entry": "main", "distributions": distributions, "functions": functions}})
}

// -----------------------------------------------------------------------------------------------
// Models

/// What a column's posterior must be: exact moments, or the same mean as another model's column.
enum Truth {
    Exact { mean: f64, sd: f64 },
    SameAs { model: &'static str, column: &'static str },
    /// Data-level recovery: the true value within 4 posterior sds of the posterior mean.
    Near { value: f64 },
}

struct Case {
    name: &'static str,
    model: Value,
    data: Value,
    checks: Vec<(&'static str, Truth)>,
}

/// y ~ my_normal(mu, sigma) with sigma known, mu ~ my_normal(mu0, tau0): exact normal posterior.
fn custom_normal_known_sigma() -> Case {
    let y = [1.2, 0.4, 2.5, 1.9, -0.3, 1.1, 0.8, 2.2, 1.5, 0.9];
    let (sigma, mu0, tau0) = (1.5_f64, 0.0_f64, 2.0_f64);
    let precision = 1.0 / (tau0 * tau0) + y.len() as f64 / (sigma * sigma);
    let mean = (mu0 / (tau0 * tau0) + y.iter().sum::<f64>() / (sigma * sigma)) / precision;
    Case {
        name: "custom_normal_known_sigma",
        model: program(
            json!([arg("y", "[f64]"), real("sigma"), real("mu0"), real("tau0")]),
            json!([sample("mu", "my_normal", vec![var("mu0"), var("tau0")]), observe("my_normal", vec![var("mu"), var("sigma")], var("y"))]),
        ),
        data: json!({"y": y, "sigma": sigma, "mu0": mu0, "tau0": tau0}),
        checks: vec![("mu", Truth::Exact { mean, sd: precision.sqrt().recip() })],
    }
}

const UNKNOWN_SIGMA_Y: [f64; 12] = [2.1, 3.4, 1.7, 2.9, 4.2, 2.4, 3.1, 1.2, 2.8, 3.6, 2.2, 3.0];

/// Unknown mean and scale, written with the declared distributions (compared with `builtin_normal`).
fn custom_normal_unknown_sigma() -> Case {
    Case {
        name: "custom_normal",
        model: program(
            json!([arg("y", "[f64]")]),
            json!([
                sample("mu", "my_normal", vec![lit(0.0), lit(5.0)]),
                sample("sigma", "my_exp", vec![lit(1.0)]),
                observe("my_normal", vec![var("mu"), var("sigma")], var("y"))
            ]),
        ),
        data: json!({"y": UNKNOWN_SIGMA_Y}),
        checks: vec![("mu", Truth::SameAs { model: "builtin_normal", column: "mu" }), ("sigma", Truth::SameAs { model: "builtin_normal", column: "sigma" })],
    }
}

fn builtin_normal_unknown_sigma() -> Case {
    Case {
        name: "builtin_normal",
        model: program(
            json!([arg("y", "[f64]")]),
            json!([
                sample("mu", "normal", vec![lit(0.0), lit(5.0)]),
                sample("sigma", "exponential", vec![lit(1.0)]),
                observe("normal", vec![var("mu"), var("sigma")], var("y"))
            ]),
        ),
        data: json!({"y": UNKNOWN_SIGMA_Y}),
        checks: Vec::new(),
    }
}

/// y_i ~ my_pois(lambda), lambda ~ gamma(a, b): posterior gamma(a + Σy, b + n); the predictive
/// draw y_rep ~ my_pois(lambda) has mean E[lambda].
fn custom_poisson() -> Case {
    let y = [3_i64, 5, 2, 4, 6, 3, 1, 4, 2, 5, 3, 4];
    let (a, b) = (2.0_f64, 0.5_f64);
    let shape = a + y.iter().sum::<i64>() as f64;
    let rate = b + y.len() as f64;
    let mean = shape / rate;
    // Var(y_rep) = E[lambda] + Var(lambda)
    let sd_rep = (mean + shape / (rate * rate)).sqrt();
    Case {
        name: "custom_poisson",
        model: program(
            json!([arg("y", "[i64]"), real("a"), real("b")]),
            json!([
                sample("lambda", "gamma", vec![var("a"), var("b")]),
                observe("my_pois", vec![var("lambda")], var("y")),
                sample("y_rep", "my_pois", vec![var("lambda")])
            ]),
        ),
        data: json!({"y": y, "a": a, "b": b}),
        checks: vec![("lambda", Truth::Exact { mean, sd: shape.sqrt() / rate }), ("y_rep", Truth::Exact { mean, sd: sd_rep })],
    }
}

/// theta ~ 0.5 N(0, 0.1²) + 0.5 N(0, 3²) (a parameter drawn from a mixture), y_i ~ N(theta, 1):
/// the posterior is a mixture of normals with weights ∝ w_k N(ȳ | 0, s_k² + 1/n).
fn mixture_prior() -> Case {
    let y = [0.9, -0.4, 1.3, 0.2, -0.6, 1.1, 0.7, -0.1, 0.5, 0.4];
    let n = y.len() as f64;
    let ybar = y.iter().sum::<f64>() / n;
    let (w, s) = ([0.5_f64, 0.5], [0.1_f64, 3.0]);
    let normal = |x: f64, var: f64| (-x * x / (2.0 * var)).exp() / (2.0 * std::f64::consts::PI * var).sqrt();
    let mut post_w: Vec<f64> = (0..2).map(|k| w[k] * normal(ybar, s[k] * s[k] + 1.0 / n)).collect();
    let total: f64 = post_w.iter().sum();
    post_w.iter_mut().for_each(|x| *x /= total);
    let v: Vec<f64> = (0..2).map(|k| 1.0 / (1.0 / (s[k] * s[k]) + n)).collect();
    let m: Vec<f64> = (0..2).map(|k| v[k] * n * ybar).collect();
    let mean: f64 = (0..2).map(|k| post_w[k] * m[k]).sum();
    let second: f64 = (0..2).map(|k| post_w[k] * (v[k] + m[k] * m[k])).sum();
    let prior = json!({"let": {"name": "theta", "value": {"sample": {"distribution": "mixture",
        "weights": {"array": [lit(w[0]), lit(w[1])]},
        "components": [{"distribution": "normal", "params": [lit(0.0), lit(s[0])]}, {"distribution": "my_normal", "params": [lit(0.0), lit(s[1])]}]}}}});
    Case {
        name: "mixture_prior",
        model: program(json!([arg("y", "[f64]")]), json!([prior, observe("normal", vec![var("theta"), lit(1.0)], var("y"))])),
        data: json!({"y": y}),
        checks: vec![("theta", Truth::Exact { mean, sd: (second - mean * mean).sqrt() })],
    }
}

/// 120 points from 0.3 N(-2, 1) + 0.7 N(3, 1) (fixed seed); the model has ordered means, weights
/// from a Dirichlet and a known scale.
fn mixture_likelihood() -> Case {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(20261124);
    let (low, high) = (Normal::new(-2.0, 1.0).expect("normal"), Normal::new(3.0, 1.0).expect("normal"));
    let uniform = rand_distr::Uniform::new(0.0, 1.0).expect("uniform");
    let y: Vec<f64> = (0..120).map(|_| if uniform.sample(&mut rng) < 0.3 { low.sample(&mut rng) } else { high.sample(&mut rng) }).collect();
    let component = |i: i64| json!({"distribution": "normal", "params": [{"index": {"array": var("mu"), "index": {"literal": i}}}, lit(1.0)]});
    let body = json!([
        {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [lit(0.0), lit(5.0)], "size": {"literal": 2}, "constraint": "ordered"}}}},
        {"let": {"name": "w", "value": {"sample": {"distribution": "dirichlet", "params": [{"array": [lit(1.0), lit(1.0)]}]}}}},
        {"observe": {"distribution": "mixture", "weights": var("w"), "components": [component(0), component(1)], "value": var("y")}}
    ]);
    Case {
        name: "mixture_likelihood",
        model: program(json!([arg("y", "[f64]")]), body),
        data: json!({"y": y}),
        checks: vec![("mu.1", Truth::Near { value: -2.0 }), ("mu.2", Truth::Near { value: 3.0 }), ("w.1", Truth::Near { value: 0.3 })],
    }
}

// -----------------------------------------------------------------------------------------------

struct Fitted {
    name: &'static str,
    columns: Vec<Value>,
}

fn column<'a>(fits: &'a [Fitted], model: &str, name: &str) -> Option<&'a Value> {
    fits.iter().find(|f| f.name == model)?.columns.iter().find(|c| c["name"] == name)
}

/// Builds (for `diagnose` later) and samples a case with NUTS; returns its summary columns.
fn fit(dir: &Path, c: &Case) -> Result<Fitted, String> {
    let model = write(dir, &format!("{}.sirs.json", c.name), &c.model);
    let data = write(dir, &format!("{}.data.json", c.name), &c.data);
    let exe = dir.join(c.name);
    let built = sev(&["build".into(), model.display().to_string(), "-o".into(), exe.display().to_string()]);
    if built.code != 0 {
        return Err(format!("{}: build failed: {}", c.name, built.stderr));
    }
    let summary = dir.join(format!("{}.summary.json", c.name));
    let args: Vec<String> = [
        "run",
        &model.display().to_string(),
        "--data",
        &data.display().to_string(),
        "--output",
        &dir.join(c.name).with_extension("out").display().to_string(),
        "--seed",
        "20261125",
        "--chains",
        "4",
        "--threads",
        "2",
        "--warmup",
        "500",
        "--draws",
        "1000",
        "--summary",
        &summary.display().to_string(),
        "--",
        "--quiet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = sev(&args);
    if out.code != 0 {
        return Err(format!("{}: exit {}: {}", c.name, out.code, out.stderr));
    }
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&summary).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    Ok(Fitted { name: c.name, columns: stats["columns"].as_array().cloned().unwrap_or_default() })
}

fn num(col: &Value, key: &str) -> f64 {
    col[key].as_f64().unwrap_or(f64::NAN)
}

#[test]
fn declared_distributions_and_mixtures_give_the_right_posteriors_and_gradients() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = vec![
        custom_normal_known_sigma(),
        custom_normal_unknown_sigma(),
        builtin_normal_unknown_sigma(),
        custom_poisson(),
        mixture_prior(),
        mixture_likelihood(),
    ];
    let results = support::parallel(cases.iter().collect(), |c| fit(dir.path(), c));
    let mut fits = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(f) => fits.push(f),
            Err(e) => errors.push(e),
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    for c in &cases {
        for (name, truth) in &c.checks {
            let Some(col) = column(&fits, c.name, name) else {
                errors.push(format!("{}: no column {name}", c.name));
                continue;
            };
            let (mean, sd, mcse, ess, rhat) = (num(col, "mean"), num(col, "sd"), num(col, "mcse_mean"), num(col, "ess_bulk"), num(col, "rhat"));
            let (ok, what) = match truth {
                Truth::Exact { mean: m, sd: s } => {
                    let tol_mean = 4.0 * mcse + 1e-9 * (1.0 + m.abs());
                    let tol_sd = 1.5 * 4.0 * s / (2.0 * ess).sqrt();
                    (
                        (mean - m).abs() < tol_mean && (sd - s).abs() < tol_sd,
                        format!("mean {mean:.5} (exact {m:.5}, tol {tol_mean:.2e}), sd {sd:.5} (exact {s:.5}, tol {tol_sd:.2e})"),
                    )
                }
                Truth::SameAs { model, column: other } => {
                    let Some(o) = column(&fits, model, other) else {
                        errors.push(format!("{}: no column {other} in {model}", c.name));
                        continue;
                    };
                    let tol = 4.0 * (mcse * mcse + num(o, "mcse_mean").powi(2)).sqrt();
                    ((mean - num(o, "mean")).abs() < tol, format!("mean {mean:.5} vs {model} {:.5} (tol {tol:.2e})", num(o, "mean")))
                }
                Truth::Near { value } => ((mean - value).abs() < 4.0 * sd, format!("mean {mean:.4}, sd {sd:.4}, true value {value}")),
            };
            let ok = ok && rhat < 1.05;
            println!("{:>26} {name:>7}: {what} R-hat {rhat:.3} {}", c.name, if ok { "ok" } else { "FAIL" });
            if !ok {
                errors.push(format!("{} {name}: {what}, R-hat {rhat}", c.name));
            }
        }
    }
    // gradients: reverse mode against finite differences and forward mode
    for c in cases.iter().filter(|c| c.name != "builtin_normal") {
        let exe = dir.path().join(c.name);
        let data = dir.path().join(format!("{}.data.json", c.name));
        for seed in ["1", "2"] {
            // two seeds × two random points each
            let args: Vec<String> = ["diagnose", "--data", &data.display().to_string(), "--seed", seed, "--points", "2"].iter().map(|s| s.to_string()).collect();
            let out = support::run_exe(&exe, &args, None).expect("runs");
            let largest = out.stdout.lines().find_map(|l| l.strip_prefix("largest error: ")).unwrap_or("?");
            println!("{:>26} diagnose seed {seed}: exit {}, largest error {largest}", c.name, out.code);
            if out.code != 0 || !out.stdout.contains("forward mode: dual numbers") {
                errors.push(format!("{} diagnose seed {seed}: exit {}\n{}{}", c.name, out.code, out.stdout, out.stderr));
            }
        }
    }
    assert!(errors.is_empty(), "{} check(s) failed:\n{}", errors.len(), errors.join("\n"));
}

/// Draws through a declared sampler (`lap`, `my_pois`) and from mixtures (continuous and
/// discrete), 20 000 each: |mean − μ| < 4·σ/√n and |var − σ²| < 4·√((m4 − σ⁴)/n).
#[test]
fn forward_simulation_through_declared_samplers_and_mixtures_matches_the_moments() {
    let n = 20000;
    let mixture = json!({"sample": {"distribution": "mixture", "weights": {"array": [lit(3.0), lit(7.0)]}, "size": {"literal": n},
        "components": [{"distribution": "normal", "params": [lit(-2.0), lit(1.0)]}, {"distribution": "lap", "params": [lit(3.0), lit(0.5)]}]}});
    let counts = json!({"sample": {"distribution": "mixture", "weights": {"array": [lit(0.5), lit(0.5)]}, "size": {"literal": n},
        "components": [{"distribution": "poisson", "params": [lit(1.0)]}, {"distribution": "my_pois", "params": [lit(6.0)]}]}});
    // (label, expression of [f64] or [i64] draws, mean, variance)
    let mix_mean = 0.3 * -2.0 + 0.7 * 3.0;
    let mix_var = 0.3 * (1.0 + 4.0) + 0.7 * (2.0 * 0.25 + 9.0) - mix_mean * mix_mean;
    let count_mean = 3.5;
    let count_var = 0.5 * (1.0 + 1.0) + 0.5 * (6.0 + 36.0) - count_mean * count_mean;
    let draws: Vec<(&str, Value, f64, f64)> = vec![
        ("lap(1, 2)", json!({"sample": {"distribution": "lap", "params": [lit(1.0), lit(2.0)], "size": {"literal": n}}}), 1.0, 8.0),
        ("my_pois(4)", json!({"sample": {"distribution": "my_pois", "params": [lit(4.0)], "size": {"literal": n}}}), 4.0, 4.0),
        ("0.3 normal(-2, 1) + 0.7 lap(3, 0.5)", mixture, mix_mean, mix_var),
        ("0.5 poisson(1) + 0.5 my_pois(6)", counts, count_mean, count_var),
    ];
    let mut body = Vec::new();
    for (k, (_, e, _, _)) in draws.iter().enumerate() {
        let name = format!("d{k}");
        body.push(json!({"let": {"name": name, "value": e}}));
        body.push(json!({"for": {"variable": "x", "iterable": var(&name), "body": [{"expression": call("print", vec![var("x")])}]}}));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "forward.sirs.json", &program(json!([]), Value::Array(body)));
    let out = sev(&["run".into(), path.display().to_string()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let values: Vec<f64> = out.stdout.lines().map(|l| l.trim().parse::<f64>().expect("a number per line")).collect();
    assert_eq!(values.len(), n as usize * draws.len());
    for (k, (label, _, mu, variance)) in draws.iter().enumerate() {
        let xs = &values[k * n as usize..(k + 1) * n as usize];
        let nf = n as f64;
        let mean = xs.iter().sum::<f64>() / nf;
        let s2 = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0);
        let m4 = xs.iter().map(|x| (x - mu).powi(4)).sum::<f64>() / nf;
        let tol_mean = 4.0 * (variance / nf).sqrt();
        let tol_var = 4.0 * ((m4 - variance * variance).max(0.0) / nf).sqrt();
        println!("{label}: mean {mean:.4} (want {mu:.4} ± {tol_mean:.4}), var {s2:.4} (want {variance:.4} ± {tol_var:.4})");
        assert!((mean - mu).abs() < tol_mean, "{label}: mean {mean} vs {mu}");
        assert!((s2 - variance).abs() < tol_var, "{label}: variance {s2} vs {variance}");
    }
    for k in [1, 3] {
        assert!(values[k * n as usize..(k + 1) * n as usize].iter().all(|x| x.fract() == 0.0 && *x >= 0.0), "counts are whole");
    }
}

/// A declared constraint violated by the data rejects every point of a model (exit 1, the
/// message names the distribution, the parameter, the value and the SIRS location); outside a
/// model the same violation, and a NaN from a user's log density, are located faults (101).
#[test]
fn violated_constraints_and_nan_densities_give_located_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = write(
        dir.path(),
        "bad_scale.sirs.json",
        &program(
            json!([arg("y", "[f64]"), real("s")]),
            json!([sample("mu", "normal", vec![lit(0.0), lit(1.0)]), observe("lap", vec![var("mu"), var("s")], var("y"))]),
        ),
    );
    let data = write(dir.path(), "bad_scale.data.json", &json!({"y": [0.5, 1.0], "s": -1.0}));
    let args: Vec<String> = ["run", &model.display().to_string(), "--data", &data.display().to_string(), "--output", &dir.path().join("out").display().to_string(), "--seed", "1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let out = sev(&args);
    assert_eq!(out.code, 1, "stdout: {}\nstderr: {}", out.stdout, out.stderr);
    assert!(out.stderr.contains("lap: b must be > 0, got -1"), "{}", out.stderr);
    assert!(out.stderr.contains("bad_scale.sirs.json:"), "the message names the file and line: {}", out.stderr);

    let forward = write(
        dir.path(),
        "bad_forward.sirs.json",
        &program(
            json!([]),
            json!([
                {"let": {"name": "s", "value": op("sub", vec![lit(1.0), lit(2.0)])}},
                sample("x", "lap", vec![lit(0.0), var("s")]),
                {"expression": call("print", vec![var("x")])}
            ]),
        ),
    );
    let out = sev(&["run".into(), forward.display().to_string()]);
    assert_eq!(out.code, 101, "stdout: {}\nstderr: {}", out.stdout, out.stderr);
    assert!(out.stderr.contains("lap: b must be > 0, got -1"), "{}", out.stderr);
    assert!(out.stderr.contains("bad_forward.sirs.json:"), "{}", out.stderr);

    let nan = write(
        dir.path(),
        "nan_density.sirs.json",
        &program(json!([]), json!([{"expression": call("print", vec![json!({"lpdf": {"distribution": "bad_sqrt", "params": [], "value": lit(-1.0)}})])}])),
    );
    let out = sev(&["run".into(), nan.display().to_string()]);
    assert_eq!(out.code, 101, "stdout: {}\nstderr: {}", out.stdout, out.stderr);
    assert!(out.stderr.contains("bad_sqrt: the log density `bad_sqrt_lpdf` returned NaN"), "{}", out.stderr);
    assert!(out.stderr.contains("nan_density.sirs.json:"), "{}", out.stderr);
}
