//! The declarative `hierarchical` statement, rewritten into ordinary statements:
//!
//! * each hyperprior `name: expr` becomes `let name = expr` (in the order written);
//! * each group parameter `p: {distribution, hyperparameters}` of a level with `groups: n`
//!   becomes `let p = sample distribution(hyperparameters) size n`, non-centred by default when
//!   the distribution has a location-scale form (`noncentered`), so `p` is an output on the
//!   natural scale over a standard raw parameter; `"parameterization": "centered"` keeps the
//!   plain draw;
//! * the observation model becomes one vectorised `observe likelihood(parameters) value` when no
//!   level has a `group_variable` (one observation per group, as in eight schools), else a loop
//!   over the observations, `observe likelihood(parameters') value[i]`, where in `parameters'`
//!   each group parameter `p` of a level with `group_variable: g` reads `p[g[i]]` and each
//!   `indexed` data array `x` reads `x[i]` (group indices are 0-based).
//!
//! A block with no level, a level with no parameter, or a name given twice is E0342.

use std::collections::HashMap;

use super::build::{self, LetFlags};
use super::noncentered;
use crate::ast::{DistExpr, Expr, ExprKind, HierarchicalBlock, LevelParam, Name, SampleExpr, Stmt, StmtKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// The statements replacing `block`, or the problem.
pub fn rewrite(block: &HierarchicalBlock) -> Result<Vec<Stmt>, Diagnostic> {
    validate(block)?;
    let mut out: Vec<Stmt> = block.hyperpriors.iter().map(|(name, value)| build::let_(name, None, value.clone(), LetFlags::default(), value.span)).collect();
    for level in &block.levels {
        let Some(groups) = &level.groups else { continue };
        for param in &level.parameters {
            out.extend(group_parameter(param, groups)?);
        }
    }
    if let Some(obs) = &block.observation {
        out.push(observation(block, obs));
    }
    Ok(out)
}

fn validate(block: &HierarchicalBlock) -> Result<(), Diagnostic> {
    if block.levels.is_empty() {
        return Err(problem(block.span, "a hierarchical model needs at least one level".into()));
    }
    if let Some(level) = block.levels.iter().find(|l| l.parameters.is_empty()) {
        return Err(problem(level.span, "this level has no group parameter".into()));
    }
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let names = block.hyperpriors.iter().map(|(n, _)| n).chain(block.levels.iter().flat_map(|l| l.parameters.iter().map(|p| &p.name)));
    for name in names {
        if let Some(first) = seen.insert(&name.text, name.span) {
            return Err(problem(name.span, format!("`{}` is defined twice in this hierarchical model", name.text)).secondary(first, "first defined here"));
        }
    }
    Ok(())
}

/// `let p = sample dist(hyperparameters) size groups`, through the non-centred rewrite.
fn group_parameter(param: &LevelParam, groups: &Expr) -> Result<Vec<Stmt>, Diagnostic> {
    let span = param.span;
    let parameterization = param.parameterization.clone().or_else(|| noncentered::has_form(&param.dist.text).then(|| Name::new("noncentered", param.dist.span)));
    let dist = DistExpr { name: param.dist.clone(), params: param.hyperparameters.clone(), weights: None, components: Vec::new(), span };
    let sample = SampleExpr { dist, size: Some(groups.clone()), lower: None, upper: None, constraint: None, parameterization };
    let value = Expr { kind: ExprKind::Sample(Box::new(sample)), span };
    let stmt = build::let_(&param.name, None, value, LetFlags { mutable: false, output: true }, span);
    noncentered::rewrite(&stmt).unwrap_or(Ok(vec![stmt]))
}

fn observation(block: &HierarchicalBlock, obs: &crate::ast::ObservationModel) -> Stmt {
    let span = obs.span;
    let i = format!("{}__i", block.name.as_ref().map_or("hierarchical", |n| n.text.as_str()));
    let mut reads: HashMap<String, Expr> = HashMap::new();
    for level in &block.levels {
        let Some(g) = &level.group_variable else { continue };
        let group = build::index(build::var(&g.text, g.span), build::var(&i, span), g.span);
        for p in &level.parameters {
            reads.insert(p.name.text.clone(), build::index(build::var(&p.name.text, span), group.clone(), span));
        }
    }
    for x in &obs.indexed {
        reads.insert(x.text.clone(), build::index(build::var(&x.text, x.span), build::var(&i, span), x.span));
    }
    let dist = |params: Vec<Expr>| DistExpr { name: obs.likelihood.clone(), params, weights: None, components: Vec::new(), span };
    if reads.is_empty() {
        return Stmt { kind: StmtKind::Observe { dist: dist(obs.params.clone()), value: obs.value.clone() }, span };
    }
    let params = obs.params.iter().map(|p| substitute(p, &reads)).collect();
    let value = build::index(obs.value.clone(), build::var(&i, span), obs.value.span);
    let each = Stmt { kind: StmtKind::Observe { dist: dist(params), value }, span };
    let count = build::call("len", vec![obs.value.clone()], obs.value.span);
    build::for_range(&i, count, vec![each], span)
}

/// `e` with each variable named in `reads` replaced by its read.
fn substitute(e: &Expr, reads: &HashMap<String, Expr>) -> Expr {
    let sub = |x: &Expr| Box::new(substitute(x, reads));
    let all = |xs: &[Expr]| xs.iter().map(|x| substitute(x, reads)).collect::<Vec<_>>();
    let kind = match &e.kind {
        ExprKind::Var(n) => return reads.get(&n.text).cloned().unwrap_or_else(|| e.clone()),
        ExprKind::Unary { op, arg } => ExprKind::Unary { op: *op, arg: sub(arg) },
        ExprKind::Binary { op, lhs, rhs } => ExprKind::Binary { op: *op, lhs: sub(lhs), rhs: sub(rhs) },
        ExprKind::Call { func, type_args, args } => ExprKind::Call { func: func.clone(), type_args: type_args.clone(), args: all(args) },
        ExprKind::Index { object, index } => ExprKind::Index { object: sub(object), index: sub(index) },
        ExprKind::Array(items) => ExprKind::Array(all(items)),
        ExprKind::Cond { cond, then_value, else_value } => ExprKind::Cond { cond: sub(cond), then_value: sub(then_value), else_value: sub(else_value) },
        ExprKind::Cast { value, ty } => ExprKind::Cast { value: sub(value), ty: ty.clone() },
        other => other.clone(),
    };
    Expr { kind, span: e.span }
}

fn problem(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(Code::E0342, "Invalid hierarchical model").primary(span, message)
}
