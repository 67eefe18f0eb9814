//! Program analysis tools: functions and signatures, the call graph (JSON, DOT, Mermaid),
//! unused functions, cycles, reachability and complexity metrics. Each reads the program's
//! outline (`outline`), so it works on programs that do not type-check yet, and also returns
//! the program's check report.

use super::outline::{self, Outline};
use super::source::{self, Source, refusal};
use super::{Args, Context, Outcome, Tool, schema};
use crate::mcp::protocol::RpcError;
use crate::span::SourceFile;
use crate::syntax::json::{Json, JsonKind};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub fn tools() -> Vec<Tool> {
    vec![
        Tool {
            name: "list_functions",
            title: "List functions and signatures",
            description: "Every function of the program with its parameters, return type, line, the program functions it calls and those that call it, and the built-ins it calls.",
            input: program_only,
            output: || schema::report_with(json!({"entry": {"type": "string"}, "functions": {"type": "array", "items": function_schema()}}), &[]),
            read_only: true,
            destructive: false,
            call: list_functions,
        },
        Tool {
            name: "call_graph",
            title: "Call graph",
            description: "The call graph between the program's functions as JSON (nodes, edges with call counts), Graphviz DOT and Mermaid.",
            input: program_only,
            output: || {
                let edge = schema::object(json!({"from": {"type": "string"}, "to": {"type": "string"}, "calls": {"type": "integer"}}), &["from", "to", "calls"]);
                schema::report_with(json!({"nodes": {"type": "array", "items": {"type": "string"}}, "edges": {"type": "array", "items": edge}, "dot": {"type": "string"}, "mermaid": {"type": "string"}}), &[])
            },
            read_only: true,
            destructive: false,
            call: call_graph,
        },
        Tool {
            name: "unused_functions",
            title: "Unused functions",
            description: "Functions that cannot run: not reachable from the entry function (nor from a declared distribution's log density or sampler), and the subset that nothing references at all.",
            input: program_only,
            output: || schema::report_with(json!({"unreachable": names_schema(), "unreferenced": names_schema()}), &[]),
            read_only: true,
            destructive: false,
            call: unused_functions,
        },
        Tool {
            name: "find_cycles",
            title: "Recursion cycles",
            description: "The cycles of the call graph: each strongly connected group of functions that call each other (mutual recursion), and each directly recursive function.",
            input: program_only,
            output: || schema::report_with(json!({"cycles": {"type": "array", "items": names_schema()}, "recursive": names_schema()}), &[]),
            read_only: true,
            destructive: false,
            call: find_cycles,
        },
        Tool {
            name: "reachability",
            title: "Reachability",
            description: "The functions reachable from a function (default: the entry); with `to`, whether that function is reachable and a shortest call path to it.",
            input: || {
                schema::input(
                    json!({"program": schema::program(), "from": {"type": "string", "description": "default: the entry function"}, "to": {"type": "string"}}),
                    &["program"],
                )
            },
            output: || {
                schema::report_with(
                    json!({"from": {"type": "string"}, "reachable": names_schema(), "to": {"type": "string"}, "reaches": {"type": "boolean"}, "path": names_schema()}),
                    &[],
                )
            },
            read_only: true,
            destructive: false,
            call: reachability,
        },
        Tool {
            name: "complexity",
            title: "Complexity metrics",
            description: "Per function: statements, maximum nesting depth, cyclomatic complexity (1 + branch points: if, while, for, extra match cases, catch clauses, conditional expressions, and/or), calls made, and lines.",
            input: program_only,
            output: || {
                let metrics = schema::object(
                    json!({"name": {"type": "string"}, "statements": {"type": "integer"}, "max_depth": {"type": "integer"}, "cyclomatic": {"type": "integer"}, "calls": {"type": "integer"}, "lines": {"type": "integer"}}),
                    &["name", "statements", "max_depth", "cyclomatic", "calls", "lines"],
                );
                schema::report_with(json!({"functions": {"type": "array", "items": metrics}}), &[])
            },
            read_only: true,
            destructive: false,
            call: complexity,
        },
    ]
}

fn program_only() -> Value {
    schema::input(json!({"program": schema::program()}), &["program"])
}

fn names_schema() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

fn function_schema() -> Value {
    let param = schema::object(json!({"name": {"type": "string"}, "type": {"type": "string"}}), &["name", "type"]);
    schema::object(
        json!({
            "name": {"type": "string"}, "params": {"type": "array", "items": param}, "return": {"type": "string"},
            "async": {"type": "boolean"}, "line": {"type": "integer"},
            "calls": names_schema(), "called_by": names_schema(), "builtins": names_schema()
        }),
        &["name", "params", "return", "line", "calls", "called_by"],
    )
}

/// The names under `program.functions`, in order.
pub fn function_names(tree: &Value) -> Vec<String> {
    tree["program"]["functions"].as_object().map(|f| f.keys().cloned().collect()).unwrap_or_default()
}

/// The program, its outline and its check report; or the outcome that explains why there is no
/// outline.
pub fn prepare(args: &Args) -> Result<Result<(Source, Outline, crate::driver::Compilation), Outcome>, RpcError> {
    let source = source::program(args)?;
    let compilation = source::compile(&source, false);
    Ok(match outline::read(&source.text) {
        Ok(outline) => Ok((source, outline, compilation)),
        Err(message) => Err(refusal(Some((&compilation, &source)), message)),
    })
}

/// An analysis result: the check report plus `extra`; an analysis is not an error even when the
/// program has errors, which the report shows.
fn analysed(compilation: &crate::driver::Compilation, source: &Source, extra: Value) -> Outcome {
    let mut fields = source::report(compilation, source);
    if let Value::Object(more) = extra {
        fields.extend(more);
    }
    Outcome::ok(Value::Object(fields))
}

/// Program-function edges with their call counts, in source order of the caller.
fn edges(outline: &Outline) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for r in &outline.references {
        if let Some(from) = &r.from
            && outline.is_function(&r.to)
        {
            *out.entry((from.clone(), r.to.clone())).or_insert(0) += 1;
        }
    }
    out
}

fn successors(outline: &Outline) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = outline.functions.iter().map(|f| (f.name.clone(), BTreeSet::new())).collect();
    for (from, to) in edges(outline).keys() {
        out.entry(from.clone()).or_default().insert(to.clone());
    }
    out
}

fn list_functions(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let (source, outline, compilation) = prepared!(args);
    let file = SourceFile::new(source::FILE_NAME, source.text.as_str());
    let mut calls: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); outline.functions.len()];
    let mut builtins = calls.clone();
    let mut called_by = calls.clone();
    for r in &outline.references {
        let from = r.from.as_deref().and_then(|f| outline.position(f));
        match (from, outline.position(&r.to)) {
            (Some(f), Some(t)) => {
                calls[f].insert(r.to.as_str());
                called_by[t].insert(r.from.as_deref().unwrap_or_default());
            }
            (Some(f), None) => {
                builtins[f].insert(r.to.as_str());
            }
            _ => {}
        }
    }
    let functions: Vec<Value> = outline
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let params: Vec<Value> = f.params.iter().map(|(n, t)| json!({"name": n, "type": t})).collect();
            json!({"name": f.name, "params": params, "return": f.ret, "async": f.is_async, "line": outline::line_of(&file, f.key_span.start), "calls": calls[i], "called_by": called_by[i], "builtins": builtins[i]})
        })
        .collect();
    Ok(analysed(&compilation, &source, json!({"entry": outline.entry, "functions": functions})))
}

fn call_graph(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let (source, outline, compilation) = prepared!(args);
    let edges = edges(&outline);
    let nodes = outline.names();
    let edge_list: Vec<Value> = edges.iter().map(|((from, to), n)| json!({"from": from, "to": to, "calls": n})).collect();
    let mut dot = String::from("digraph calls {\n");
    for n in &nodes {
        dot.push_str(&format!("  {};\n", quoted(n)));
    }
    for (from, to) in edges.keys() {
        dot.push_str(&format!("  {} -> {};\n", quoted(from), quoted(to)));
    }
    dot.push_str("}\n");
    let mut mermaid = String::from("graph TD\n");
    let index = |name: &str| outline.position(name).unwrap_or(0);
    for (i, n) in nodes.iter().enumerate() {
        mermaid.push_str(&format!("  f{i}[\"{}\"]\n", n.replace('"', "#quot;")));
    }
    for (from, to) in edges.keys() {
        mermaid.push_str(&format!("  f{} --> f{}\n", index(from), index(to)));
    }
    Ok(analysed(&compilation, &source, json!({"nodes": nodes, "edges": edge_list, "dot": dot, "mermaid": mermaid})))
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Breadth-first from `roots`; returns each reached function with its predecessor.
fn search(outline: &Outline, roots: &[String]) -> BTreeMap<String, Option<String>> {
    let next = successors(outline);
    let mut seen: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    for r in roots {
        if outline.is_function(r) && !seen.contains_key(r) {
            seen.insert(r.clone(), None);
            queue.push_back(r.clone());
        }
    }
    while let Some(f) = queue.pop_front() {
        for g in next.get(&f).into_iter().flatten() {
            if !seen.contains_key(g) {
                seen.insert(g.clone(), Some(f.clone()));
                queue.push_back(g.clone());
            }
        }
    }
    seen
}

fn unused_functions(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let (source, outline, compilation) = prepared!(args);
    let mut roots = vec![outline.entry.clone()];
    roots.extend(outline.references.iter().filter(|r| r.from.is_none()).map(|r| r.to.clone()));
    let reached = search(&outline, &roots);
    let unreachable: Vec<&str> = outline.names().into_iter().filter(|n| !reached.contains_key(*n)).collect();
    let referenced: BTreeSet<&str> = outline.references.iter().filter(|r| r.from.as_deref() != Some(r.to.as_str())).map(|r| r.to.as_str()).collect();
    let unreferenced: Vec<&str> = unreachable.iter().copied().filter(|n| !referenced.contains(n)).collect();
    Ok(analysed(&compilation, &source, json!({"unreachable": unreachable, "unreferenced": unreferenced})))
}

fn find_cycles(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let (source, outline, compilation) = prepared!(args);
    let next = successors(&outline);
    let components = strongly_connected(&outline, &next);
    let cycles: Vec<Vec<String>> = components.into_iter().filter(|c| c.len() > 1).collect();
    let recursive: Vec<&str> = outline.names().into_iter().filter(|n| next.get(*n).is_some_and(|s| s.contains(*n))).collect();
    Ok(analysed(&compilation, &source, json!({"cycles": cycles, "recursive": recursive})))
}

/// Tarjan's algorithm; components in the order they complete, members in source order.
fn strongly_connected(outline: &Outline, next: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        next: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        out: Vec<Vec<String>>,
    }
    fn visit(s: &mut State, v: &str) {
        let i = s.index.len();
        s.index.insert(v.to_string(), i);
        s.low.insert(v.to_string(), i);
        s.stack.push(v.to_string());
        s.on_stack.insert(v.to_string());
        let succ: Vec<String> = s.next.get(v).map(|x| x.iter().cloned().collect()).unwrap_or_default();
        for w in succ {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let lw = s.low[&w];
                let lv = s.low[v];
                s.low.insert(v.to_string(), lv.min(lw));
            } else if s.on_stack.contains(&w) {
                let iw = s.index[&w];
                let lv = s.low[v];
                s.low.insert(v.to_string(), lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(&w);
                let done = w == v;
                component.push(w);
                if done {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let mut state = State { next, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), on_stack: BTreeSet::new(), out: Vec::new() };
    for n in outline.names() {
        if !state.index.contains_key(n) {
            visit(&mut state, n);
        }
    }
    let order = |n: &String| outline.position(n).unwrap_or(usize::MAX);
    state.out.into_iter().map(|mut c| {
        c.sort_by_key(order);
        c
    }).collect()
}

fn reachability(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let from_arg = args.opt_string("from")?.map(str::to_string);
    let to = args.opt_string("to")?.map(str::to_string);
    let (source, outline, compilation) = prepared!(args);
    let from = from_arg.unwrap_or_else(|| outline.entry.clone());
    for name in std::iter::once(&from).chain(to.as_ref()) {
        if !outline.is_function(name) {
            return Ok(no_such_function(&compilation, &source, &outline, name));
        }
    }
    let reached = search(&outline, std::slice::from_ref(&from));
    let reachable: Vec<&str> = outline.names().into_iter().filter(|n| reached.contains_key(*n)).collect();
    let mut result = json!({"from": from, "reachable": reachable});
    if let Some(to) = to {
        let mut path = Vec::new();
        let mut at = reached.contains_key(&to).then(|| to.clone());
        while let Some(f) = at {
            at = reached.get(&f).cloned().flatten();
            path.push(f);
        }
        path.reverse();
        result["reaches"] = json!(!path.is_empty());
        result["path"] = json!(path);
        result["to"] = json!(to);
    }
    Ok(analysed(&compilation, &source, result))
}

/// The outcome for a function name the program does not define.
pub fn no_such_function(compilation: &crate::driver::Compilation, source: &Source, outline: &Outline, name: &str) -> Outcome {
    let hint = crate::diagnostic::did_you_mean(name, outline.names()).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
    let names = outline.names();
    let listed = if names.len() > 40 { format!("{}, … ({} in all)", names[..40].join(", "), names.len()) } else { names.join(", ") };
    let message = format!("the program has no function `{name}`{hint} (it has: {listed})");
    refusal(Some((compilation, source)), message)
}

fn complexity(args: &Args, _: &Context) -> Result<Outcome, RpcError> {
    let (source, outline, compilation) = prepared!(args);
    let file = SourceFile::new(source::FILE_NAME, source.text.as_str());
    let mut calls_made: BTreeMap<&str, usize> = BTreeMap::new();
    for from in outline.references.iter().filter_map(|r| r.from.as_deref()) {
        *calls_made.entry(from).or_insert(0) += 1;
    }
    let functions: Vec<Value> = outline
        .functions
        .iter()
        .map(|f| {
            let body = outline::member(&f.definition, "body");
            let metrics = body.map(|b| measure(b, 0)).unwrap_or_default();
            let calls = calls_made.get(f.name.as_str()).copied().unwrap_or(0);
            let lines = outline::line_of(&file, f.member_span.end) - outline::line_of(&file, f.member_span.start) + 1;
            json!({"name": f.name, "statements": metrics.statements, "max_depth": metrics.max_depth, "cyclomatic": 1 + metrics.branches, "calls": calls, "lines": lines})
        })
        .collect();
    Ok(analysed(&compilation, &source, json!({"functions": functions})))
}

#[derive(Default)]
struct Metrics {
    statements: usize,
    max_depth: usize,
    branches: usize,
}

/// Measures a statement list at nesting `depth`.
fn measure(body: &Json, depth: usize) -> Metrics {
    let mut m = Metrics { max_depth: if body.as_array().is_some_and(|b| !b.is_empty()) { depth + 1 } else { depth }, ..Metrics::default() };
    for stmt in body.as_array().unwrap_or_default() {
        m.statements += 1;
        let Some(member) = stmt.as_object().and_then(|o| o.first()) else { continue };
        m.branches += branch_points(&member.key, &member.value);
        for nested in nested_bodies(&member.key, &member.value) {
            let inner = measure(nested, depth + 1);
            m.statements += inner.statements;
            m.max_depth = m.max_depth.max(inner.max_depth);
            m.branches += inner.branches;
        }
    }
    m
}

/// Branch points of one statement, not counting its nested statement lists.
fn branch_points(key: &str, value: &Json) -> usize {
    let own = match key {
        "if" | "while" | "for" => 1,
        "match" => outline::member(value, "cases").and_then(Json::as_array).map_or(0, |c| c.len().saturating_sub(1)),
        "try" => catch_clauses(value).len(),
        _ => 0,
    };
    let mut in_expressions = 0;
    for v in expression_parts(key, value) {
        outline::walk(v, &mut |node, node_key| {
            if node_key == Some("cond") && node.as_object().is_some() {
                in_expressions += 1;
            }
            if node_key == Some("kind") && matches!(node.as_str(), Some("and" | "or")) {
                in_expressions += 1;
            }
        });
    }
    own + in_expressions
}

/// The statement lists nested in a statement.
fn nested_bodies<'a>(key: &str, value: &'a Json) -> Vec<&'a Json> {
    let mut out = Vec::new();
    let field = |name: &str| outline::member(value, name).filter(|b| b.as_array().is_some());
    match key {
        "if" => out.extend(["then", "else"].into_iter().filter_map(field)),
        "while" | "for" => out.extend(field("body")),
        "try" => {
            out.extend(["body", "finally"].into_iter().filter_map(field));
            for c in catch_clauses(value) {
                out.extend(outline::member(c, "body").filter(|b| b.as_array().is_some()));
            }
        }
        "match" => {
            for c in outline::member(value, "cases").and_then(Json::as_array).unwrap_or_default() {
                out.extend(outline::member(c, "body").filter(|b| b.as_array().is_some()));
            }
        }
        _ => {}
    }
    out
}

/// The `catch` of a `try`: one clause or a list of them.
fn catch_clauses(value: &Json) -> Vec<&Json> {
    match outline::member(value, "catch").map(|c| &c.kind) {
        Some(JsonKind::Array(items)) => items.iter().collect(),
        Some(JsonKind::Object(_)) => outline::member(value, "catch").into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The parts of a statement that are expressions (everything but nested statement lists).
fn expression_parts<'a>(key: &str, value: &'a Json) -> Vec<&'a Json> {
    let statement_lists = ["then", "else", "body", "finally", "catch", "cases"];
    match &value.kind {
        JsonKind::Object(members) if matches!(key, "if" | "while" | "for" | "try" | "match") => {
            members.iter().filter(|m| !statement_lists.contains(&m.key.as_str())).map(|m| &m.value).collect()
        }
        _ => vec![value],
    }
}
