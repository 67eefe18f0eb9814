//! The probabilistic rules: an improper prior (L0101), a scale parameter whose prior allows
//! negative values (L0102), a prior far wider than the data (L0103), a centred hierarchy
//! (L0104) and a parameter that nothing observed depends on (L0105).
//!
//! A *parameter* is a variable bound by `let` to a `sample` from a continuous distribution in a
//! *model function* (one that contains `observe` or `factor`). Variables are matched by name
//! within a function, the latest `let` before the use winning.

use super::fix::Edit;
use super::walk::{dist_exprs, each_expr, each_stmt, stmt_exprs};
use super::{Context, Finding};
use crate::ast::{DistExpr, Expr, ExprKind, Function, LValue, LValueKind, SampleExpr, Stmt, StmtKind};
use crate::check::dists::{self, ParamKind, Support};
use crate::diagnostic::Code;
use crate::span::Span;
use std::collections::{HashMap, HashSet};

/// How many times the data's scale a prior's scale may be before L0103 reports it.
const WIDE_FACTOR: f64 = 100.0;
/// Without data, the prior scale L0103 reports.
const WIDE_WITHOUT_DATA: f64 = 1000.0;
/// Location-scale distributions whose last parameter is the scale.
const LOCATION_SCALE: &[&str] = &["normal", "student_t", "cauchy", "double_exponential", "laplace", "logistic"];

/// A model parameter: the span of its name, its `sample` and that expression's span.
struct Param<'a> {
    name: Span,
    sample: &'a SampleExpr,
    span: Span,
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let scale = data_scale(cx);
    for function in cx.functions() {
        improper_priors(&function.body, out);
        if is_model(function) {
            let params = parameters(function);
            parameters_outside_the_likelihood(cx, function, &params, out);
            each_stmt(&function.body, &mut |stmt| {
                for d in distributions(stmt) {
                    unconstrained_scale(cx, d, &params, out);
                }
                if let StmtKind::Let { value: Expr { kind: ExprKind::Sample(s), span }, .. } = &stmt.kind {
                    wide_prior(s, *span, scale, out);
                    centred(s, &params, out);
                }
            });
        }
    }
}

fn is_model(function: &Function) -> bool {
    let mut model = false;
    each_stmt(&function.body, &mut |s| model |= matches!(s.kind, StmtKind::Observe { .. } | StmtKind::Factor(_)));
    model
}

fn parameters(function: &Function) -> HashMap<&str, Param<'_>> {
    let mut out = HashMap::new();
    each_stmt(&function.body, &mut |stmt| {
        if let StmtKind::Let { name, value: Expr { kind: ExprKind::Sample(s), span }, .. } = &stmt.kind
            && dists::find(&s.dist.name.text).is_some_and(|d| !d.is_discrete())
        {
            out.insert(name.text.as_str(), Param { name: name.span, sample: s, span: *span });
        }
    });
    out
}

/// Every distribution a statement uses: `sample`, `observe` and `lpdf`.
fn distributions(stmt: &Stmt) -> Vec<&DistExpr> {
    let mut out = Vec::new();
    if let StmtKind::Observe { dist, .. } = &stmt.kind {
        out.push(dist);
    }
    for e in stmt_exprs(&stmt.kind) {
        each_expr(e, &mut |e| match &e.kind {
            ExprKind::Sample(s) => out.push(&s.dist),
            ExprKind::LogDensity { dist, .. } => out.push(dist),
            _ => {}
        });
    }
    out
}

// ----- L0101 --------------------------------------------------------------------------------

fn improper_priors(body: &[Stmt], out: &mut Vec<Finding>) {
    each_stmt(body, &mut |stmt| {
        for e in stmt_exprs(&stmt.kind) {
            each_expr(e, &mut |e| {
                if let ExprKind::Sample(s) = &e.kind
                    && s.dist.name.text == "flat"
                    && (s.lower.is_none() || s.upper.is_none())
                {
                    let finding = Finding::new(Code::L0101, s.dist.name.span, "Improper prior", "`flat` without both bounds has no normalisable density");
                    out.push(finding.hint("give the parameter a proper prior, e.g. `normal(0, 10)` on the scale you expect"));
                }
            });
        }
    });
}

// ----- L0102 --------------------------------------------------------------------------------

/// A positive parameter of `dist` that is a parameter with a prior over all reals.
fn unconstrained_scale(cx: &Context<'_>, dist: &DistExpr, params: &HashMap<&str, Param<'_>>, out: &mut Vec<Finding>) {
    let Some(info) = dists::find(&dist.name.text) else { return };
    for ((slot, kind), arg) in info.params.iter().zip(&dist.params) {
        let ExprKind::Var(name) = &arg.kind else { continue };
        let Some(p) = params.get(name.text.as_str()) else { continue };
        let real_support = dists::find(&p.sample.dist.name.text).is_some_and(|d| d.support == Support::Real);
        if *kind == ParamKind::Positive && real_support && p.sample.lower.is_none() {
            let title = format!("`{}` is a scale, but its prior allows negative values", name.text);
            let label = format!("its prior `{}` covers all real numbers", p.sample.dist.name.text);
            let finding = Finding::new(Code::L0102, p.name, title, label)
                .secondary(arg.span, format!("used as `{slot}` of `{}`, which must be positive", dist.name.text))
                .hint("add `\"lower\": {\"literal\": 0.0}` to the sample (a half-distribution), or use a positive prior such as `exponential`");
            let fix = lower_bound_edit(cx.source, p.span);
            out.push(finding.fix(fix.into_iter().collect()));
        }
    }
}

/// Inserts `"lower": {"literal": 0.0}` as the last key of the `sample` object at `span`
/// (`{"sample": {…}}`): just before the inner object's closing brace.
fn lower_bound_edit(source: &str, span: Span) -> Option<Edit> {
    let text = source.get(span.range())?;
    let outer = text.rfind('}')?;
    let inner = text.get(..outer)?.trim_end();
    if !inner.ends_with('}') {
        return None;
    }
    let at = span.start as usize + inner.len() - 1;
    Some(Edit::insert(at, ", \"lower\": {\"literal\": 0.0}"))
}

// ----- L0103 --------------------------------------------------------------------------------

/// The largest scale (standard deviation, or mean magnitude when larger) of observed data.
fn data_scale(cx: &Context<'_>) -> Option<f64> {
    let mut scale: Option<f64> = None;
    for function in cx.functions() {
        each_stmt(&function.body, &mut |stmt| {
            if let StmtKind::Observe { value: Expr { kind: ExprKind::Var(name), .. }, .. } = &stmt.kind
                && let Some(values) = cx.config.data.get(&name.text)
                && let Some(s) = spread(values)
            {
                scale = Some(scale.map_or(s, |t: f64| t.max(s)));
            }
        });
    }
    scale
}

fn spread(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    Some(sd.max(mean.abs())).filter(|s| *s > 0.0)
}

fn wide_prior(s: &SampleExpr, span: Span, data_scale: Option<f64>, out: &mut Vec<Finding>) {
    if !LOCATION_SCALE.contains(&s.dist.name.text.as_str()) {
        return;
    }
    let Some(scale_expr) = s.dist.params.last() else { return };
    let width = match scale_expr.kind {
        ExprKind::Float(x) => x,
        ExprKind::Int(i) => i as f64,
        _ => return,
    };
    let (limit, why) = match data_scale {
        Some(d) => (WIDE_FACTOR * d, format!("the observed data's scale is about {}", short(d))),
        None => (WIDE_WITHOUT_DATA, format!("without `--data`, scales above {WIDE_WITHOUT_DATA} are reported")),
    };
    if width > limit {
        let finding = Finding::new(Code::L0103, scale_expr.span, "Prior far wider than the data", format!("a prior scale of {}; {why}", short(width)))
            .secondary(span, "this prior")
            .hint("choose a scale near the size of plausible values: a vague prior slows sampling and can dominate with little data");
        out.push(finding);
    }
}

fn short(x: f64) -> String {
    if x >= 100.0 { format!("{x:.0}") } else { format!("{x:.3}").trim_end_matches('0').trim_end_matches('.').to_string() }
}

// ----- L0104 --------------------------------------------------------------------------------

/// `normal(mu, tau)` where the scale `tau` is itself a parameter: the funnel NUTS struggles with.
fn centred(s: &SampleExpr, params: &HashMap<&str, Param<'_>>, out: &mut Vec<Finding>) {
    let [location, scale] = s.dist.params.as_slice() else { return };
    let switched = s.parameterization.as_ref().is_some_and(|p| p.text == "noncentered");
    if s.dist.name.text != "normal" || switched {
        return;
    }
    let mut scale_param = None;
    each_expr(scale, &mut |e| {
        if let ExprKind::Var(n) = &e.kind
            && params.contains_key(n.text.as_str())
        {
            scale_param = Some(n.text.clone());
        }
    });
    let Some(tau) = scale_param else { return };
    let mu = source_name(location);
    let title = "Centred hierarchical prior";
    let label = format!("the scale `{tau}` is a parameter: small values squeeze this one into a funnel");
    let hint = format!(
        "non-centre it: add \"parameterization\": \"noncentered\" to this `sample`, or sample `z` from `std_normal` and use `add({mu}, mul({tau}, z))` in place of this parameter"
    );
    let finding = Finding::new(Code::L0104, scale.span, title, label).secondary(s.dist.name.span, "a centred prior");
    out.push(finding.hint(hint));
}

fn source_name(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Var(n) => n.text.clone(),
        ExprKind::Float(x) => x.to_string(),
        ExprKind::Int(i) => i.to_string(),
        _ => "mu".to_string(),
    }
}

// ----- L0105 --------------------------------------------------------------------------------

/// A parameter that nothing observed depends on: its posterior is its prior, which is almost
/// always a forgotten `observe` or a misspelt name. What counts as reaching the likelihood is
/// conservative: a name used in an `observe` or `factor`, in a condition or loop range, in a
/// `return`, in a statement-level call, or in a call to a function that itself observes, and,
/// transitively, every name used to compute one of those. A draw whose distribution takes a
/// parameter that reaches the likelihood is a predictive draw and is left alone, and so is a
/// name that starts with `_`.
fn parameters_outside_the_likelihood(cx: &Context<'_>, function: &Function, params: &HashMap<&str, Param<'_>>, out: &mut Vec<Finding>) {
    let models: HashSet<&str> = cx.functions().filter(|f| is_model(f)).map(|f| f.name.text.as_str()).collect();
    let relevant = names_reaching_the_likelihood(&function.body, &models);
    let mut unused: Vec<(&str, &Param<'_>)> = params.iter().map(|(n, p)| (*n, p)).filter(|(n, _)| !n.starts_with('_') && !relevant.contains(n)).collect();
    unused.sort_by_key(|(_, p)| p.name.start);
    for (name, param) in unused {
        let predictive = dist_exprs(&param.sample.dist).into_iter().any(|e| !names_in(e).is_disjoint(&relevant));
        if predictive {
            continue;
        }
        let title = format!("Nothing observed depends on `{name}`: its posterior is its prior");
        let finding = Finding::new(Code::L0105, param.name, title, "this parameter never reaches an `observe` or `factor`")
            .hint("use it in the likelihood or remove it; if a draw from the prior is what you want, start its name with `_`");
        out.push(finding);
    }
}

fn names_reaching_the_likelihood<'a>(body: &'a [Stmt], models: &HashSet<&str>) -> HashSet<&'a str> {
    let mut relevant = HashSet::new();
    let mut lets: Vec<(&'a str, HashSet<&'a str>)> = Vec::new();
    each_stmt(body, &mut |stmt| match &stmt.kind {
        StmtKind::Let { name, value, .. } => {
            if calls_any(value, models) {
                relevant.extend(names_in(value));
            }
            lets.push((name.text.as_str(), names_in(value)));
        }
        StmtKind::Assign { target, value } => {
            let mut uses = names_in(value);
            for index in super::walk::lvalue_indices(target) {
                uses.extend(names_in(index));
            }
            lets.push((assigned_variable(target), uses));
        }
        StmtKind::Expr(e) if !is_print(e) => relevant.extend(names_in(e)),
        StmtKind::Observe { .. } | StmtKind::Factor(_) | StmtKind::Return(_) | StmtKind::If { .. } | StmtKind::While { .. } | StmtKind::For { .. } | StmtKind::Match { .. } => {
            for e in stmt_exprs(&stmt.kind) {
                relevant.extend(names_in(e));
            }
        }
        _ => {}
    });
    loop {
        let before = relevant.len();
        for (name, uses) in &lets {
            if relevant.contains(name) {
                relevant.extend(uses.iter().copied());
            }
        }
        if relevant.len() == before {
            return relevant;
        }
    }
}

/// The variable an assignment writes to (`xs` in `xs[i].f = …`).
fn assigned_variable(target: &LValue) -> &str {
    match &target.kind {
        LValueKind::Var(name) => name.text.as_str(),
        LValueKind::Field { base, .. } | LValueKind::Index { base, .. } => assigned_variable(base),
    }
}

fn names_in(e: &Expr) -> HashSet<&str> {
    let mut out = HashSet::new();
    each_expr(e, &mut |e| {
        if let ExprKind::Var(n) = &e.kind {
            out.insert(n.text.as_str());
        }
    });
    out
}

fn calls_any(e: &Expr, functions: &HashSet<&str>) -> bool {
    let mut found = false;
    each_expr(e, &mut |e| found |= matches!(&e.kind, ExprKind::Call { func, .. } if functions.contains(func.text.as_str())));
    found
}

fn is_print(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { func, .. } if func.text.starts_with("print") || func.text.starts_with("std_print"))
}
