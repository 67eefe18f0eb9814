//! Declaring distributions as SIRS: `define_distribution` writes a custom distribution (its
//! `distributions` entry and its log-density and sampler functions) and `define_mixture` a
//! mixture's log-density function, into a given program or a minimal one, and checks the result.

use super::source::{self, Source, refusal, report_outcome};
use super::{Args, Context, Outcome, Tool, schema, wrong};
use crate::check::dists;
use crate::mcp::protocol::RpcError;
use serde_json::{Map, Value, json};

pub fn tools() -> Vec<Tool> {
    vec![
        Tool {
            name: "define_distribution",
            title: "Declare a custom distribution",
            description: "Writes a custom distribution as SIRS: the `distributions` entry plus the functions `<name>_lpdf(x, params...) -> f64` (from the given body) and, with a sampler body, `<name>_rng(params...)`; adds them to `program` (or a minimal program) and checks the result. See docs/distributions.md, Custom distributions.",
            input: || {
                schema::input(
                    json!({
                        "name": {"type": "string"},
                        "params": {"type": "array", "items": {"type": "object"}, "description": "[{\"name\", \"type\": \"f64\"|\"i64\"|\"[f64]\"|\"[i64]\", \"lower\"?, \"upper\"?, \"strict\"?}]"},
                        "support": {"type": ["string", "object"], "description": "real, positive, unit, integer, nonnegative_integer, or {\"lower\", \"upper\"}"},
                        "log_density": {"type": "array", "items": {"type": "object"}, "description": "the statements of the log density's body; `x` and the parameters are in scope; returns f64"},
                        "sampler": {"type": "array", "items": {"type": "object"}, "description": "optional: the statements of the sampler's body; the parameters are in scope"},
                        "doc": {"type": "string"},
                        "program": schema::program()
                    }),
                    &["name", "params", "support", "log_density"],
                )
            },
            output: declared_schema,
            read_only: true,
            destructive: false,
            call: define_distribution,
        },
        Tool {
            name: "define_mixture",
            title: "Declare a mixture",
            description: "Writes the log density of a mixture of univariate distributions as a SIRS function `<name>_lpdf(x, ...) -> f64` using the `mixture` distribution, and the distribution object to use in `observe`/`sample`; numbers are fixed values, strings become f64 parameters of the function. Adds it to `program` (or a minimal program) and checks it.",
            input: || {
                schema::input(
                    json!({
                        "name": {"type": "string"},
                        "weights": {"type": "array", "items": {"type": ["number", "string"]}},
                        "components": {"type": "array", "items": {"type": "object"}, "description": "[{\"distribution\": name, \"params\": [number or parameter name, ...]}]"},
                        "program": schema::program()
                    }),
                    &["name", "weights", "components"],
                )
            },
            output: declared_schema,
            read_only: true,
            destructive: false,
            call: define_mixture,
        },
    ]
}

fn declared_schema() -> Value {
    schema::report_with(
        json!({"program": {"type": "string"}, "declaration": {"type": "object"}, "functions": {"type": "array", "items": {"type": "string"}}, "message": {"type": "string"}}),
        &[],
    )
}

const MINIMAL: &str = r#"{"program": {"entry": "main", "functions": {"main": {"args": [], "return": "void", "body": []}}}}"#;

/// The program to add to, as a JSON tree.
fn base_program(args: &Args) -> Result<Result<Value, Outcome>, RpcError> {
    let source = match args.get("program") {
        Some(_) => source::program(args)?,
        None => Source::new(MINIMAL.to_string()),
    };
    Ok(match source::tree(&source) {
        Ok(tree) if tree["program"]["functions"].is_object() => Ok(tree),
        _ => {
            let compilation = source::compile(&source, false);
            let message = "`program` must be a SIRS program with a \"functions\" object (call `check` for its diagnostics)".to_string();
            Err(refusal(Some((&compilation, &source)), message))
        }
    })
}

/// The function names the declaration adds, refused when one exists already.
fn add_functions(tree: &mut Value, functions: Vec<(String, Value)>) -> Result<Vec<String>, String> {
    let Some(table) = tree["program"]["functions"].as_object_mut() else {
        return Err("the program has no \"functions\" object".into());
    };
    if let Some((name, _)) = functions.iter().find(|(n, _)| table.contains_key(n)) {
        return Err(format!("the program already has a function `{name}`"));
    }
    let names = functions.iter().map(|(n, _)| n.clone()).collect();
    table.extend(functions);
    Ok(names)
}

/// Checks the program with the declaration and reports it.
fn declared(tree: &Value, declaration: Value, functions: Vec<String>) -> Outcome {
    let source = Source::new(source::pretty(tree));
    let compilation = source::compile(&source, false);
    let mut extra = Map::new();
    extra.insert("program".into(), json!(source.text));
    extra.insert("declaration".into(), declaration);
    extra.insert("functions".into(), json!(functions));
    report_outcome(&compilation, &source, extra)
}

fn statements(args: &Args, key: &str) -> Result<Option<Vec<Value>>, RpcError> {
    match args.get(key) {
        None => Ok(None),
        Some(_) => match args.json(key)? {
            Value::Array(items) => Ok(Some(items)),
            _ => Err(wrong(key, "an array of SIRS statements")),
        },
    }
}

fn define_distribution(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let name = args.string("name")?.to_string();
    let params = match args.json("params")? {
        Value::Array(p) if p.iter().all(|p| p["name"].is_string() && p["type"].is_string()) => p,
        _ => return Err(wrong("params", "an array of {\"name\": string, \"type\": string, ...} objects")),
    };
    let support = match args.get("support") {
        Some(s @ (Value::String(_) | Value::Object(_))) => s.clone(),
        Some(_) => return Err(wrong("support", "a support word or a {\"lower\", \"upper\"} object")),
        None => return Err(super::missing("support", "a support word or a {\"lower\", \"upper\"} object")),
    };
    let log_density = statements(args, "log_density")?.ok_or_else(|| super::missing("log_density", "an array of statements"))?;
    let sampler = statements(args, "sampler")?;
    let mut tree = match base_program(args)? {
        Ok(t) => t,
        Err(outcome) => return Ok(outcome),
    };
    let discrete = matches!(support.as_str(), Some("integer" | "nonnegative_integer"));
    let value_type = if discrete { "i64" } else { "f64" };
    let param_args: Vec<Value> = params.iter().map(|p| json!({"name": p["name"], "type": p["type"]})).collect();
    let mut lpdf_args = vec![json!({"name": "x", "type": value_type})];
    lpdf_args.extend(param_args.iter().cloned());
    let lpdf_name = format!("{name}_lpdf");
    let mut functions = vec![(lpdf_name.clone(), json!({"args": lpdf_args, "return": "f64", "body": log_density}))];
    let mut declaration = json!({"params": params, "support": support, "log_density": lpdf_name});
    if let Some(body) = sampler {
        let rng_name = format!("{name}_rng");
        functions.push((rng_name.clone(), json!({"args": param_args, "return": value_type, "body": body})));
        declaration["sampler"] = json!(rng_name);
    }
    if let Some(doc) = args.opt_string("doc")? {
        declaration["doc"] = json!(doc);
    }
    let names = match add_functions(&mut tree, functions) {
        Ok(n) => n,
        Err(message) => return Ok(refusal(None, message)),
    };
    let table = tree["program"].as_object_mut().map(|p| p.entry("distributions").or_insert_with(|| json!({})));
    match table.and_then(Value::as_object_mut) {
        Some(t) if !t.contains_key(&name) => {
            t.insert(name.clone(), declaration.clone());
        }
        _ => return Ok(refusal(None, format!("the program already declares a distribution `{name}` (or its \"distributions\" is not an object)"))),
    }
    Ok(declared(&tree, json!({ name: declaration }), names))
}

fn define_mixture(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let name = args.string("name")?.to_string();
    let weights = match args.json("weights")? {
        Value::Array(w) if !w.is_empty() => w,
        _ => return Err(wrong("weights", "a non-empty array of numbers or parameter names")),
    };
    let components = match args.json("components")? {
        Value::Array(c) if c.iter().all(|c| c["distribution"].is_string()) => c,
        _ => return Err(wrong("components", "an array of {\"distribution\": name, \"params\": [...]} objects")),
    };
    let mut tree = match base_program(args)? {
        Ok(t) => t,
        Err(outcome) => return Ok(outcome),
    };
    let mut parameters: Vec<String> = Vec::new();
    let weights: Vec<Value> = weights.iter().map(|w| operand(w, &mut parameters)).collect::<Result<_, _>>().map_err(|m| wrong("weights", &m))?;
    let mut built = Vec::new();
    let mut discrete = false;
    for c in &components {
        let dist = c["distribution"].as_str().unwrap_or_default();
        discrete |= dists::find(dist).is_some_and(|d| d.is_discrete());
        let params: Vec<Value> = c["params"].as_array().map(Vec::as_slice).unwrap_or_default().iter().map(|p| operand(p, &mut parameters)).collect::<Result<_, _>>().map_err(|m| wrong("components", &m))?;
        built.push(json!({"distribution": dist, "params": params}));
    }
    let dist = json!({"distribution": "mixture", "weights": {"array": weights}, "components": built});
    let mut lpdf = dist.clone();
    lpdf["value"] = json!({"var": "x"});
    let mut fn_args = vec![json!({"name": "x", "type": if discrete { "i64" } else { "f64" }})];
    fn_args.extend(parameters.iter().map(|p| json!({"name": p, "type": "f64"})));
    let fn_name = format!("{name}_lpdf");
    let function = json!({"args": fn_args, "return": "f64", "body": [{"return": {"lpdf": lpdf}}]});
    let names = match add_functions(&mut tree, vec![(fn_name, function)]) {
        Ok(n) => n,
        Err(message) => return Ok(refusal(None, message)),
    };
    Ok(declared(&tree, dist, names))
}

/// A weight or parameter: a number becomes an f64 literal, a name an f64 parameter.
fn operand(value: &Value, parameters: &mut Vec<String>) -> Result<Value, String> {
    match value {
        Value::Number(n) => n.as_f64().map(|x| json!({"literal": x})).ok_or_else(|| "numbers or parameter names".to_string()),
        Value::String(p) if !p.is_empty() && p != "x" => {
            if !parameters.contains(p) {
                parameters.push(p.clone());
            }
            Ok(json!({"var": p}))
        }
        _ => Err("numbers or parameter names (other than x)".into()),
    }
}
