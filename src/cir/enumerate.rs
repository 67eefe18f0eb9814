//! Discrete model parameters summed out of the log density (automatic enumeration).
//!
//! A discrete `sample` in a model starts as a predictive draw (`SampleKind::Predictive`). When
//! the likelihood depends on it (`cir::discrete` finds such uses) and its distribution has a
//! finite support (`bernoulli`, `bernoulli_logit`, `binomial`, `binomial_logit`,
//! `categorical`, `categorical_logit`, `discrete_uniform`), the draw becomes an *enumerated*
//! site (a draw a helper function returns makes that function's finite draws enumerated): the runtime evaluates the log density once per combination of the values of the
//! enumerated sites and adds them up (log-sum-exp, `runtime/ppl/enumerate.zig`), and each
//! posterior draw samples the combination from its exact conditional. Draws with an unbounded
//! support (`poisson`, `geometric`, …) cannot be summed out: E0333. So is a site whose support,
//! known here from constants, has more than [`MAX_SUPPORT`] values, or a set of sites (outside
//! loops) with more than [`MAX_COMBINATIONS`] combinations; supports known only from the data
//! are checked against the same limits when the model first runs on its data.

use super::discrete;
use super::{BlockId, Const, Function, InstKind, Program, SampleKind, SiteKind, ValueId};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// The most values one enumerated site may take (the runtime's `max_support`).
pub const MAX_SUPPORT: u64 = 1000;
/// The most combinations of values the log density may be evaluated at (`max_combinations`).
pub const MAX_COMBINATIONS: u64 = 10_000;

/// The distributions whose support is finite (and whose values the runtime can enumerate).
const FINITE: [&str; 7] = ["bernoulli", "bernoulli_logit", "binomial", "binomial_logit", "categorical", "categorical_logit", "discrete_uniform"];

/// Turns every discrete draw the likelihood depends on into an enumerated site where that is
/// possible; returns the problems (E0333 for draws that cannot be enumerated, E0319 for uses
/// whose draw is neither a `sample` nor returned by a function that makes one).
pub fn run(p: &mut Program) -> Vec<Diagnostic> {
    let mut refused: Vec<Diagnostic> = Vec::new();
    let mut refused_draws: Vec<Span> = Vec::new();
    loop {
        let mut progress = false;
        let mut other = Vec::new();
        for (use_span, source) in discrete::likelihood_uses(p) {
            if source.is_some_and(|s| enumerate_returned_draws(p, s)) {
                progress = true;
                continue;
            }
            let draw = source.and_then(|s| find_draw(p, s));
            match draw {
                Some((fi, v, dist)) if FINITE.contains(&dist) => {
                    make_enumerated(p, fi, v);
                    progress = true;
                }
                Some((_, _, dist)) => {
                    let span = source.unwrap_or(use_span);
                    if !refused_draws.contains(&span) {
                        refused_draws.push(span);
                        refused.push(unbounded(dist, span, use_span));
                    }
                }
                None => match source.and_then(|s| returned_draw(p, s).map(|d| (s, d))) {
                    Some((span, dist)) => {
                        if !refused_draws.contains(&span) {
                            refused_draws.push(span);
                            refused.push(unbounded(dist, span, use_span));
                        }
                    }
                    None => other.push(discrete::unsupported_use(use_span, source)),
                },
            }
        }
        if !progress {
            refused.extend(other);
            if refused.is_empty() {
                refused.extend(static_limits(p));
            }
            return refused;
        }
    }
}

/// The predictive `sample` made at `span` in a model function, with its distribution.
fn find_draw(p: &Program, span: Span) -> Option<(usize, ValueId, &'static str)> {
    p.functions.iter().enumerate().filter(|(_, f)| f.model).find_map(|(fi, f)| {
        f.insts.iter().enumerate().find_map(|(i, inst)| match inst.kind {
            InstKind::Sample { dist, kind: SampleKind::Predictive, .. } if inst.span == span => Some((fi, ValueId::from_index(i), dist)),
            _ => None,
        })
    })
}

/// When `span` is a call of a model function that makes discrete draws with finite support
/// (and returns one), makes every such draw of that function enumerated; whether the call
/// made any change. (Enumerating a draw that does not reach the likelihood is still exact: its
/// conditional is then its prior.)
fn enumerate_returned_draws(p: &mut Program, span: Span) -> bool {
    let Some(g) = called_model_function(p, span) else { return false };
    let f = &p.functions[g];
    let draws: Vec<ValueId> = f
        .insts
        .iter()
        .enumerate()
        .filter(|(_, inst)| matches!(inst.kind, InstKind::Sample { dist, kind: SampleKind::Predictive, .. } if FINITE.contains(&dist)))
        .map(|(i, _)| ValueId::from_index(i))
        .collect();
    for v in &draws {
        make_enumerated(p, g, *v);
    }
    !draws.is_empty()
}

/// The model function called at `span`, if that is a call.
fn called_model_function(p: &Program, span: Span) -> Option<usize> {
    let callee = p.functions.iter().filter(|f| f.model).find_map(|f| {
        f.insts.iter().find_map(|inst| match inst.kind {
            InstKind::Call(g, _) if inst.span == span => Some(g),
            _ => None,
        })
    })?;
    p.functions.get(callee.index()).filter(|f| f.model).map(|_| callee.index())
}

/// The distribution of a predictive draw made by the model function called at `span` (one
/// that could not be enumerated, since `enumerate_returned_draws` ran first).
fn returned_draw(p: &Program, span: Span) -> Option<&'static str> {
    let f = &p.functions[called_model_function(p, span)?];
    f.insts.iter().find_map(|inst| match inst.kind {
        InstKind::Sample { dist, kind: SampleKind::Predictive, .. } => Some(dist),
        _ => None,
    })
}

fn make_enumerated(p: &mut Program, fi: usize, v: ValueId) {
    let inst = &mut p.functions[fi].insts[v.index()];
    if let InstKind::Sample { site, kind, .. } = &mut inst.kind {
        *kind = SampleKind::Enumerated;
        if let Some(s) = p.sites.get_mut(*site as usize) {
            s.kind = SiteKind::Enumerated;
        }
    }
}

fn unbounded(dist: &str, draw: Span, use_span: Span) -> Diagnostic {
    Diagnostic::new(Code::E0333, "Discrete parameter cannot be summed out")
        .primary(draw, format!("`{dist}` has unbounded support, so this discrete parameter cannot be enumerated"))
        .secondary(use_span, "the likelihood depends on it here")
        .hint("a discrete parameter is summed out of the log density over its values, which must be finite: draw it from `bernoulli`, `binomial`, `categorical` or `discrete_uniform` (a truncated range), or sum it out by hand with `log_sum_exp`")
}

/// E0333 for enumerated sites whose support, known from constants, is too large, and for
/// sites outside loops whose number of combinations is.
fn static_limits(p: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut combinations: u64 = 1;
    for f in p.functions.iter().filter(|f| f.model) {
        let mut sites = Vec::new();
        collect_sites(f, f.body, false, &mut sites);
        for (v, in_loop) in sites {
            let Some(size) = static_support(f, v) else { continue };
            let span = f.inst(v).span;
            if size > MAX_SUPPORT {
                out.push(too_many(span, format!("this discrete parameter takes {size} values; at most {MAX_SUPPORT} can be summed out")));
                continue;
            }
            if in_loop {
                continue;
            }
            combinations = combinations.saturating_mul(size);
            if combinations > MAX_COMBINATIONS {
                out.push(too_many(span, format!("with this discrete parameter the log density would be evaluated at {combinations} combinations of values; at most {MAX_COMBINATIONS} are allowed")));
                return out;
            }
        }
    }
    out
}

fn too_many(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(Code::E0333, "Discrete parameter cannot be summed out")
        .primary(span, message)
        .hint("each evaluation of the log density runs the model once per combination of the values of its discrete parameters: use fewer or smaller discrete parameters, or sum them out by hand with `log_sum_exp`")
}

/// The enumerated `sample`s of block `b` (nested blocks included), with whether a loop
/// encloses them.
fn collect_sites(f: &Function, b: BlockId, in_loop: bool, out: &mut Vec<(ValueId, bool)>) {
    for v in &f.block(b).insts {
        let kind = &f.inst(*v).kind;
        if matches!(kind, InstKind::Sample { kind: SampleKind::Enumerated, .. }) {
            out.push((*v, in_loop));
        }
        let looping = in_loop || matches!(kind, InstKind::Loop { .. });
        for nested in kind.blocks() {
            collect_sites(f, nested, looping, out);
        }
    }
}

/// The number of values of enumerated site `v` when its parameters are constants.
fn static_support(f: &Function, v: ValueId) -> Option<u64> {
    let InstKind::Sample { dist, args, .. } = &f.inst(v).kind else { return None };
    let int = |a: Option<&ValueId>| match a.map(|a| &f.inst(*a).kind) {
        Some(InstKind::Const(Const::Int(n))) => Some(*n),
        _ => None,
    };
    let count = match *dist {
        "bernoulli" | "bernoulli_logit" => 2,
        "binomial" | "binomial_logit" => int(args.first())? + 1,
        "discrete_uniform" => int(args.get(1))? - int(args.first())? + 1,
        "categorical" | "categorical_logit" => match args.first().map(|a| &f.inst(*a).kind) {
            Some(InstKind::MakeArray(items)) => items.len() as i128,
            _ => return None,
        },
        _ => return None,
    };
    u64::try_from(count).ok()
}
