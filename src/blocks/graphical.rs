//! The graphical-model statement `{"model": {"plates", "nodes", "factors"}}`, checked as a graph
//! and rewritten into the ordinary model form:
//!
//! * a `latent` node is `let name = sample distribution(params)` (with `"size"` its plate's
//!   size, and its `lower`, `upper` and `parameterization`);
//! * an `observed` node is `observe distribution(params) value` (vectorised over its plate's data);
//! * a `deterministic` node is an output `let name = value`;
//! * each factor is a `factor`, after every node.
//!
//! A node depends on the nodes its expressions name and on its listed `parents`. Nodes are
//! emitted in a topological order of those dependencies, keeping the written order where the
//! graph allows, so a model written in dependency order becomes exactly the statements one would
//! write by hand. A cycle is E0343; an undefined parent or plate, an unknown kind, a node named
//! twice, or a node without the distribution or value its kind needs is E0344.

use std::collections::HashMap;

use super::build::{self, LetFlags};
use super::noncentered;
use crate::ast::{DistExpr, Expr, ExprKind, GraphNode, GraphicalModel, SampleExpr, Stmt, StmtKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

const KINDS: [&str; 3] = ["latent", "observed", "deterministic"];

/// The statements replacing `model`, or the problem.
pub fn rewrite(model: &GraphicalModel) -> Result<Vec<Stmt>, Diagnostic> {
    let index = node_index(model)?;
    let plates: HashMap<&str, &Expr> = model.plates.iter().map(|(n, e)| (n.text.as_str(), e)).collect();
    for node in &model.nodes {
        check_node(node, &plates)?;
    }
    let deps = dependencies(model, &index)?;
    let order = topological_order(model, &deps)?;
    let mut out = Vec::new();
    for k in order {
        out.extend(node_statements(&model.nodes[k], &plates)?);
    }
    out.extend(model.factors.iter().map(|f| Stmt { kind: StmtKind::Factor(f.clone()), span: f.span }));
    Ok(out)
}

fn node_index(model: &GraphicalModel) -> Result<HashMap<&str, usize>, Diagnostic> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (k, node) in model.nodes.iter().enumerate() {
        if let Some(first) = index.insert(&node.name.text, k) {
            let first_span = model.nodes[first].name.span;
            return Err(malformed(node.name.span, format!("the node `{}` is defined twice", node.name.text)).secondary(first_span, "first defined here"));
        }
    }
    Ok(index)
}

fn check_node(node: &GraphNode, plates: &HashMap<&str, &Expr>) -> Result<(), Diagnostic> {
    let kind = node.kind.text.as_str();
    if !KINDS.contains(&kind) {
        return Err(malformed(node.kind.span, format!("unknown node kind `{kind}`; a node is latent, observed or deterministic")));
    }
    if kind != "deterministic" && node.dist.is_none() {
        return Err(malformed(node.span, format!("the {kind} node `{}` needs a \"distribution\"", node.name.text)));
    }
    if kind != "latent" && node.value.is_none() {
        return Err(malformed(node.span, format!("the {kind} node `{}` needs a \"value\"", node.name.text)));
    }
    if let Some(p) = &node.plate
        && !plates.contains_key(p.text.as_str())
    {
        return Err(malformed(p.span, format!("the plate `{}` is not defined in this model's \"plates\"", p.text)));
    }
    Ok(())
}

/// For each node, the nodes it depends on (listed parents and the nodes its expressions name).
fn dependencies(model: &GraphicalModel, index: &HashMap<&str, usize>) -> Result<Vec<Vec<usize>>, Diagnostic> {
    let mut all = Vec::with_capacity(model.nodes.len());
    for node in &model.nodes {
        let mut deps = Vec::new();
        for parent in &node.parents {
            match index.get(parent.text.as_str()) {
                Some(&k) => deps.push(k),
                None => return Err(malformed(parent.span, format!("the parent `{}` of `{}` is not a node of this model", parent.text, node.name.text))),
            }
        }
        let exprs = node.params.iter().chain(&node.value).chain(&node.lower).chain(&node.upper);
        let mut names = Vec::new();
        for e in exprs {
            variables(e, &mut names);
        }
        deps.extend(names.iter().filter_map(|n| index.get(n.as_str()).copied()));
        deps.sort_unstable();
        deps.dedup();
        all.push(deps);
    }
    Ok(all)
}

/// Kahn's algorithm, always taking the first ready node in written order.
fn topological_order(model: &GraphicalModel, deps: &[Vec<usize>]) -> Result<Vec<usize>, Diagnostic> {
    let n = deps.len();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let ready = (0..n).find(|&k| !done[k] && deps[k].iter().all(|&d| done[d]));
        match ready {
            Some(k) => {
                done[k] = true;
                order.push(k);
            }
            None => return Err(cycle(model, deps, &done)),
        }
    }
    Ok(order)
}

/// E0343 naming one cycle among the nodes not yet ordered.
fn cycle(model: &GraphicalModel, deps: &[Vec<usize>], done: &[bool]) -> Diagnostic {
    let start = (0..deps.len()).find(|&k| !done[k]).unwrap_or(0);
    let mut path = vec![start];
    let mut at = start;
    while let Some(&next) = deps[at].iter().find(|&&d| !done[d]) {
        if let Some(pos) = path.iter().position(|&p| p == next) {
            path.drain(..pos);
            path.push(next);
            break;
        }
        path.push(next);
        at = next;
    }
    let names: Vec<String> = path.iter().map(|&k| format!("`{}`", model.nodes[k].name.text)).collect();
    let first = &model.nodes[path[0]];
    Diagnostic::new(Code::E0343, "The graphical model has a cycle")
        .primary(first.name.span, format!("{} depend on each other in a cycle", names.join(" → ")))
        .hint("a node may depend only on nodes that do not depend on it; break the cycle")
}

fn node_statements(node: &GraphNode, plates: &HashMap<&str, &Expr>) -> Result<Vec<Stmt>, Diagnostic> {
    let span = node.span;
    let dist = || DistExpr { name: node.dist.clone().unwrap_or_else(|| node.name.clone()), params: node.params.clone(), weights: None, components: Vec::new(), span };
    let value = node.value.clone().unwrap_or_else(|| build::float(0.0, span));
    match node.kind.text.as_str() {
        "latent" => {
            let size = node.plate.as_ref().and_then(|p| plates.get(p.text.as_str())).map(|e| (*e).clone());
            let sample = SampleExpr { dist: dist(), size, lower: node.lower.clone(), upper: node.upper.clone(), constraint: None, parameterization: node.parameterization.clone() };
            let stmt = build::let_(&node.name, None, Expr { kind: ExprKind::Sample(Box::new(sample)), span }, LetFlags::default(), span);
            noncentered::rewrite(&stmt).unwrap_or(Ok(vec![stmt]))
        }
        "observed" => Ok(vec![Stmt { kind: StmtKind::Observe { dist: dist(), value }, span }]),
        _ => Ok(vec![build::let_(&node.name, None, value, LetFlags { mutable: false, output: true }, span)]),
    }
}

/// The names of the variables `e` reads (in any sub-expression).
fn variables(e: &Expr, out: &mut Vec<String>) {
    let mut each = |xs: &[&Expr]| xs.iter().for_each(|x| variables(x, out));
    match &e.kind {
        ExprKind::Var(n) => out.push(n.text.clone()),
        ExprKind::Unary { arg, .. } => each(&[arg]),
        ExprKind::Binary { lhs, rhs, .. } => each(&[lhs, rhs]),
        ExprKind::Call { args, .. } | ExprKind::Array(args) | ExprKind::Tuple(args) | ExprKind::Set(args) => each(&args.iter().collect::<Vec<_>>()),
        ExprKind::MethodCall { receiver, args, .. } => each(&std::iter::once(&**receiver).chain(args).collect::<Vec<_>>()),
        ExprKind::Field { object, .. } => each(&[object]),
        ExprKind::Index { object, index } => each(&[object, index]),
        ExprKind::Cond { cond, then_value, else_value } => each(&[cond, then_value, else_value]),
        ExprKind::Cast { value, .. } | ExprKind::Await(value) | ExprKind::Propagate(value) => each(&[value]),
        ExprKind::StructLit(fields) | ExprKind::Record { fields, .. } => each(&fields.iter().map(|(_, x)| x).collect::<Vec<_>>()),
        ExprKind::Sample(s) => {
            dist_variables(&s.dist, out);
            for x in s.size.iter().chain(&s.lower).chain(&s.upper) {
                variables(x, out);
            }
        }
        ExprKind::LogDensity { dist, value } => {
            dist_variables(dist, out);
            variables(value, out);
        }
        _ => {}
    }
}

fn dist_variables(d: &DistExpr, out: &mut Vec<String>) {
    for p in d.params.iter().chain(d.weights.as_deref()) {
        variables(p, out);
    }
    for c in &d.components {
        dist_variables(c, out);
    }
}

fn malformed(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(Code::E0344, "Invalid graphical model").primary(span, message)
}
