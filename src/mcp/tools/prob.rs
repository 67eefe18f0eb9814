//! Probabilistic tools: the distribution catalogue (from the checker's own table,
//! `check::dists`), describing a distribution, validating parameters, declaring a custom
//! distribution or a mixture as checked SIRS, and sampling a model.

use super::{Args, Context, Outcome, Tool, schema};
use crate::check::dists::{self, DistInfo, ParamKind, Support, ValueKind};
use crate::mcp::protocol::RpcError;
use serde_json::{Value, json};

pub fn tools() -> Vec<Tool> {
    vec![
        Tool {
            name: "list_distributions",
            title: "List the built-in distributions",
            description: "Every built-in distribution with its parameters (name, kind, constraint), the kind of its values and its support.",
            input: || schema::input(json!({}), &[]),
            output: || schema::object(json!({"distributions": {"type": "array", "items": distribution_schema()}}), &["distributions"]),
            read_only: true,
            destructive: false,
            call: list,
        },
        Tool {
            name: "describe_distribution",
            title: "Describe one distribution",
            description: "The parameters, constraints, support and value kind of one built-in distribution, with an example `sample` expression, or an `observe` statement for the densities that cannot be sampled (`sampleable` false, `note` says what to draw instead).",
            input: || schema::input(json!({"name": {"type": "string"}}), &["name"]),
            output: || {
                let mut s = distribution_schema();
                s["properties"]["example"] = json!({"type": "object"});
                s["properties"]["sampleable"] = json!({"type": "boolean"});
                s["properties"]["note"] = json!({"type": "string"});
                s
            },
            read_only: true,
            destructive: false,
            call: describe,
        },
        Tool {
            name: "validate_parameters",
            title: "Validate distribution parameters",
            description: "Checks concrete parameter values against a distribution's constraints (positivity, probabilities, simplexes, integer counts, bounds in order, matrix shapes) and lists every violation.",
            input: || {
                schema::input(
                    json!({"distribution": {"type": "string"}, "params": {"type": "object", "description": "parameter name -> number, or array for vector/matrix parameters", "additionalProperties": true}}),
                    &["distribution", "params"],
                )
            },
            output: || {
                let problem = schema::object(json!({"parameter": {"type": "string"}, "message": {"type": "string"}}), &["parameter", "message"]);
                schema::object(json!({"distribution": {"type": "string"}, "valid": {"type": "boolean"}, "problems": {"type": "array", "items": problem}}), &["distribution", "valid", "problems"])
            },
            read_only: true,
            destructive: false,
            call: validate,
        },
    ]
}

fn distribution_schema() -> Value {
    let param = schema::object(json!({"name": {"type": "string"}, "kind": {"type": "string"}, "constraint": {"type": "string"}}), &["name", "kind", "constraint"]);
    schema::object(
        json!({"name": {"type": "string"}, "params": {"type": "array", "items": param}, "value": {"type": "string"}, "support": {"type": "string"}, "discrete": {"type": "boolean"}}),
        &["name", "params", "value", "support", "discrete"],
    )
}

/// The catalogue as JSON (also the `sev://distributions.json` resource).
pub fn catalogue() -> Value {
    json!({ "distributions": dists::DISTRIBUTIONS.iter().map(describe_info).collect::<Vec<_>>() })
}

fn describe_info(info: &DistInfo) -> Value {
    let params: Vec<Value> = info.params.iter().map(|(name, kind)| json!({"name": name, "kind": kind_name(*kind), "constraint": constraint(*kind)})).collect();
    json!({ "name": info.name, "params": params, "value": value_name(info.value), "support": support_text(info), "discrete": info.is_discrete() })
}

fn kind_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Real => "real",
        ParamKind::Positive => "positive",
        ParamKind::Prob => "probability",
        ParamKind::Count => "count",
        ParamKind::Int => "integer",
        ParamKind::Vector => "vector",
        ParamKind::PosVector => "positive vector",
        ParamKind::Simplex => "simplex",
        ParamKind::Matrix => "matrix",
    }
}

fn constraint(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Real => "finite real number",
        ParamKind::Positive => "> 0",
        ParamKind::Prob => "in [0, 1]",
        ParamKind::Count => "integer >= 0",
        ParamKind::Int => "integer",
        ParamKind::Vector => "array of finite reals",
        ParamKind::PosVector => "array of reals > 0",
        ParamKind::Simplex => "array of reals >= 0 summing to 1",
        ParamKind::Matrix => "array of rows of equal length",
    }
}

fn value_name(value: ValueKind) -> &'static str {
    match value {
        ValueKind::Real => "f64",
        ValueKind::Int => "i64",
        ValueKind::Vector => "[f64]",
        ValueKind::IntVector => "[i64]",
        ValueKind::Matrix => "[[f64]]",
    }
}

fn support_text(info: &DistInfo) -> String {
    let param = |i: usize| info.params.get(i).map_or("?", |p| p.0);
    match info.support {
        Support::Real => "real".into(),
        Support::Positive => "positive (y >= 0)".into(),
        Support::Unit => "[0, 1]".into(),
        Support::Interval(a, b) => format!("[{}, {}]", param(a), param(b)),
        Support::AtLeast(a) => format!("y >= {}", param(a)),
        Support::Circle => "the circle, as (-pi, pi]".into(),
        Support::Simplex => "simplex".into(),
        Support::CholeskyCorr => "Cholesky factor of a correlation matrix".into(),
        Support::CorrMatrix => "correlation matrix (symmetric, unit diagonal, positive definite)".into(),
        Support::CovMatrix => "covariance matrix (symmetric positive definite)".into(),
        Support::Discrete => match info.value {
            ValueKind::IntVector => "vector of non-negative integers".into(),
            _ => "integers".into(),
        },
    }
}

fn list(_: &Args, _: &Context) -> Result<Outcome, RpcError> {
    Ok(Outcome::ok(catalogue()))
}

/// The distribution `name`, or a message naming the closest one.
fn lookup(name: &str) -> Result<&'static DistInfo, String> {
    dists::find(name).ok_or_else(|| {
        let suggestion = crate::diagnostic::did_you_mean(name, dists::DISTRIBUTIONS.iter().map(|d| d.name));
        match suggestion {
            Some(s) => format!("unknown distribution `{name}`; did you mean `{s}`?"),
            None => format!("unknown distribution `{name}`; `list_distributions` names them all"),
        }
    })
}

fn describe(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let name = args.string("name")?;
    let info = match lookup(name) {
        Ok(i) => i,
        Err(message) => {
            let structured = json!({"name": name, "params": [], "value": "", "support": "", "discrete": false, "message": message});
            return Ok(Outcome::new(structured, true).with_text(message));
        }
    };
    Ok(Outcome::ok(described(info)))
}

/// One distribution with a usage example: a `sample` expression, or for a density that has no
/// sampler (fused GLMs, whole series, HMM marginals) an `observe` statement and a note saying
/// it cannot be sampled and what to draw instead.
fn described(info: &DistInfo) -> Value {
    let mut out = describe_info(info);
    let params: Vec<Value> = info.params.iter().map(|(name, _)| json!({"var": name})).collect();
    match info.no_sampler_hint() {
        None => {
            out["example"] = json!({"sample": {"distribution": info.name, "params": params}});
            out["sampleable"] = json!(true);
        }
        Some(hint) => {
            out["example"] = json!({"observe": {"distribution": info.name, "params": params, "value": {"var": "y"}}});
            out["sampleable"] = json!(false);
            out["note"] = json!(format!("`{}` is a density for `observe` (and `lpdf`) only: it cannot be sampled; {hint}", info.name));
        }
    }
    out
}

fn validate(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let name = args.string("distribution")?;
    let given = args.object("params")?;
    let info = match lookup(name) {
        Ok(i) => i,
        Err(message) => {
            let structured = json!({"distribution": name, "valid": false, "problems": [problem("", message.clone())]});
            return Ok(Outcome::new(structured, true).with_text(message));
        }
    };
    let mut problems = Vec::new();
    for (param, kind) in info.params {
        match given.get(*param) {
            None => problems.push(problem(param, format!("missing (expected {})", constraint(*kind)))),
            Some(value) => {
                if let Err(message) = check_value(*kind, value) {
                    problems.push(problem(param, message));
                }
            }
        }
    }
    for key in given.keys() {
        if !info.params.iter().any(|(p, _)| p == key) {
            let known: Vec<&str> = info.params.iter().map(|p| p.0).collect();
            problems.push(problem(key, format!("`{name}` has no parameter `{key}` (it has: {})", if known.is_empty() { "none".to_string() } else { known.join(", ") })));
        }
    }
    problems.extend(joint_problems(info, &given));
    Ok(Outcome::ok(json!({"distribution": name, "valid": problems.is_empty(), "problems": problems})))
}

fn problem(parameter: &str, message: String) -> Value {
    json!({"parameter": parameter, "message": message})
}

fn number(value: &Value) -> Result<f64, String> {
    value.as_f64().filter(|x| x.is_finite()).ok_or_else(|| format!("must be a finite number, got {value}"))
}

fn numbers(value: &Value) -> Result<Vec<f64>, String> {
    let items = value.as_array().ok_or_else(|| format!("must be an array of numbers, got {value}"))?;
    items.iter().enumerate().map(|(i, v)| number(v).map_err(|m| format!("element {i} {m}"))).collect()
}

/// Checks one parameter value against its kind's constraint.
fn check_value(kind: ParamKind, value: &Value) -> Result<(), String> {
    match kind {
        ParamKind::Real => number(value).map(|_| ()),
        ParamKind::Positive => positive(number(value)?, ""),
        ParamKind::Prob => probability(number(value)?),
        ParamKind::Count => value.as_u64().map(|_| ()).ok_or_else(|| format!("must be an integer >= 0, got {value}")),
        ParamKind::Int => value.as_i64().map(|_| ()).ok_or_else(|| format!("must be an integer, got {value}")),
        ParamKind::Vector => numbers(value).map(|_| ()),
        ParamKind::PosVector => numbers(value)?.iter().enumerate().try_for_each(|(i, x)| positive(*x, &format!("element {i} "))),
        ParamKind::Simplex => simplex(&numbers(value)?),
        ParamKind::Matrix => matrix(value).map(|_| ()),
    }
}

fn positive(x: f64, what: &str) -> Result<(), String> {
    if x > 0.0 { Ok(()) } else { Err(format!("{what}must be > 0, got {x}")) }
}

fn probability(x: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&x) { Ok(()) } else { Err(format!("must be in [0, 1], got {x}")) }
}

fn simplex(xs: &[f64]) -> Result<(), String> {
    if xs.is_empty() {
        return Err("must have at least one element".into());
    }
    if let Some((i, x)) = xs.iter().enumerate().find(|(_, x)| **x < 0.0) {
        return Err(format!("element {i} must be >= 0, got {x}"));
    }
    let sum: f64 = xs.iter().sum();
    if (sum - 1.0).abs() > 1e-8 { Err(format!("must sum to 1, sums to {sum}")) } else { Ok(()) }
}

/// The rows of a matrix parameter and its column count.
fn matrix(value: &Value) -> Result<(usize, usize), String> {
    let rows = value.as_array().ok_or_else(|| format!("must be an array of rows, got {value}"))?;
    let mut width = None;
    for (i, row) in rows.iter().enumerate() {
        let row = numbers(row).map_err(|m| format!("row {i}: {m}"))?;
        if *width.get_or_insert(row.len()) != row.len() {
            return Err(format!("row {i} has {} columns, row 0 has {}", row.len(), width.unwrap_or(0)));
        }
    }
    Ok((rows.len(), width.unwrap_or(0)))
}

/// Constraints between parameters: bounds in order, matching vector and matrix sizes.
fn joint_problems(info: &DistInfo, given: &serde_json::Map<String, Value>) -> Vec<Value> {
    let num = |k: &str| given.get(k).and_then(Value::as_f64);
    let len = |k: &str| given.get(k).and_then(Value::as_array).map(Vec::len);
    let mut out = Vec::new();
    match info.name {
        "uniform" => {
            if let (Some(a), Some(b)) = (num("lower"), num("upper"))
                && a >= b
            {
                out.push(problem("upper", format!("must be greater than lower ({a}), got {b}")));
            }
        }
        "discrete_uniform" => {
            if let (Some(a), Some(b)) = (num("lower"), num("upper"))
                && a > b
            {
                out.push(problem("upper", format!("must be at least lower ({a}), got {b}")));
            }
        }
        "multi_normal" | "multi_normal_cholesky" => {
            let m = info.params[1].0;
            if let (Some(n), Some(Ok((rows, cols)))) = (len("mu"), given.get(m).map(matrix))
                && (rows != n || cols != n)
            {
                out.push(problem(m, format!("must be {n} x {n} to match mu, got {rows} x {cols}")));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn densities_without_a_sampler_are_shown_with_observe_and_a_note() {
        for info in dists::DISTRIBUTIONS {
            let out = described(info);
            let example = &out["example"];
            if info.no_sampler_hint().is_some() {
                assert!(example.get("sample").is_none(), "{}: {example}", info.name);
                assert_eq!(example["observe"]["distribution"], info.name, "{}: {example}", info.name);
                assert_eq!(example["observe"]["value"], json!({"var": "y"}));
                assert_eq!(out["sampleable"], json!(false));
                assert!(out["note"].as_str().is_some_and(|n| n.contains("cannot be sampled")), "{}: {out}", info.name);
            } else {
                assert_eq!(example["sample"]["distribution"], info.name, "{}: {example}", info.name);
                assert_eq!(out["sampleable"], json!(true));
                assert!(out.get("note").is_none(), "{}: {out}", info.name);
            }
        }
        for name in ["hmm_marginal", "ar", "arma", "garch11", "arma11", "local_level", "local_linear_trend", "seasonal_local_level", "poisson_log_glm", "normal_id_glm"] {
            let info = lookup(name).expect("a built-in distribution");
            assert!(described(info).get("example").and_then(|e| e.get("observe")).is_some(), "{name}");
        }
    }
}
