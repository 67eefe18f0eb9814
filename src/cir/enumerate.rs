//! Discrete model parameters: summed out of the log density (automatic enumeration) when
//! their support is small and finite, updated by Metropolis-within-Gibbs steps otherwise.
//!
//! A discrete `sample` in a model starts as a predictive draw (`SampleKind::Predictive`). When
//! the likelihood depends on it (`cir::discrete` finds such uses) and its distribution has a
//! finite support (`bernoulli`, `bernoulli_logit`, `binomial`, `binomial_logit`,
//! `categorical`, `categorical_logit`, `discrete_uniform`), the draw becomes an *enumerated*
//! site (a draw a helper function returns makes that function's finite draws enumerated): the
//! runtime evaluates the log density once per combination of the values of the enumerated
//! sites and adds them up (log-sum-exp, `runtime/ppl/enumerate.zig`), and each posterior draw
//! samples the combination from its exact conditional. A scalar draw with an unbounded support
//! (`poisson`, `poisson_log`, `neg_binomial_2`, `neg_binomial_2_log`, `geometric`) becomes a
//! *Gibbs* site instead, and so does a finite one whose support, known here from constants,
//! has more than [`MAX_SUPPORT`] values or would take the sites outside loops past
//! [`MAX_COMBINATIONS`] combinations: each chain keeps its value, the log density reads it,
//! and a Metropolis step moves it after every continuous transition
//! (`runtime/ppl/gibbs.zig`). An enumerated site the compiler cannot bound (its support read
//! from the data, or one value per loop iteration) gets a Gibbs fallback (`Site::gibbs_fallback`):
//! when the model first runs on its data and the site takes it past the enumeration limits, the
//! runtime updates that site by Gibbs steps instead. A discrete draw that is neither (a vector
//! of counts, a sized draw) is E0333.

use super::discrete;
use super::{BlockId, Const, Function, InstKind, Program, SampleKind, SiteKind, ValueId};
use crate::types::{IntTy, Ty};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// The most values one enumerated site may take (the runtime's `max_support`).
pub const MAX_SUPPORT: u64 = 1000;
/// The most combinations of values the log density may be evaluated at (`max_combinations`).
pub const MAX_COMBINATIONS: u64 = 10_000;

/// The distributions whose support is finite (and whose values the runtime can enumerate).
const FINITE: [&str; 7] = ["bernoulli", "bernoulli_logit", "binomial", "binomial_logit", "categorical", "categorical_logit", "discrete_uniform"];
/// The distributions of one integer with an unbounded support (updated by Gibbs steps).
const UNBOUNDED: [&str; 5] = ["poisson", "poisson_log", "neg_binomial_2", "neg_binomial_2_log", "geometric"];

/// Turns every discrete draw the likelihood depends on into an enumerated or a Gibbs site;
/// returns the problems (E0333 for draws that can be neither, E0319 for uses whose draw is
/// neither a `sample` nor returned by a function that makes one).
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
                    make_parameter(p, fi, v, SampleKind::Enumerated);
                    progress = true;
                }
                Some((fi, v, dist)) if gibbs_updatable(&p.functions[fi], v, dist) => {
                    make_parameter(p, fi, v, SampleKind::Gibbs);
                    progress = true;
                }
                Some((_, _, dist)) => {
                    let span = source.unwrap_or(use_span);
                    if !refused_draws.contains(&span) {
                        refused_draws.push(span);
                        refused.push(not_a_parameter(dist, span, use_span));
                    }
                }
                None => match source.and_then(|s| returned_draw(p, s).map(|d| (s, d))) {
                    Some((span, dist)) => {
                        if !refused_draws.contains(&span) {
                            refused_draws.push(span);
                            refused.push(not_a_parameter(dist, span, use_span));
                        }
                    }
                    None => other.push(discrete::unsupported_use(use_span, source)),
                },
            }
        }
        if !progress {
            refused.extend(other);
            if refused.is_empty() {
                gibbs_beyond_limits(p);
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

/// When `span` is a call of a model function that makes discrete draws (and returns one),
/// makes every such draw of that function enumerated (finite support) or Gibbs-updated
/// (unbounded support); whether the call made any change. (Enumerating or updating a draw that
/// does not reach the likelihood is still exact: its conditional is then its prior.)
fn enumerate_returned_draws(p: &mut Program, span: Span) -> bool {
    let Some(g) = called_model_function(p, span) else { return false };
    let f = &p.functions[g];
    let draws: Vec<(ValueId, SampleKind)> = f
        .insts
        .iter()
        .enumerate()
        .filter_map(|(i, inst)| {
            let v = ValueId::from_index(i);
            match inst.kind {
                InstKind::Sample { dist, kind: SampleKind::Predictive, .. } if FINITE.contains(&dist) => Some((v, SampleKind::Enumerated)),
                InstKind::Sample { dist, kind: SampleKind::Predictive, .. } if gibbs_updatable(f, v, dist) => Some((v, SampleKind::Gibbs)),
                _ => None,
            }
        })
        .collect();
    for (v, kind) in &draws {
        make_parameter(p, g, *v, *kind);
    }
    !draws.is_empty()
}

/// Whether draw `v` of `f` from `dist` can be a Gibbs-updated parameter: one integer (no
/// `size`) from a built-in distribution whose values the runtime can propose and draw.
fn gibbs_updatable(f: &Function, v: ValueId, dist: &str) -> bool {
    let InstKind::Sample { size: None, .. } = f.inst(v).kind else { return false };
    matches!(f.inst(v).ty, Ty::Int(IntTy::I64)) && (UNBOUNDED.contains(&dist) || FINITE.contains(&dist))
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

fn make_parameter(p: &mut Program, fi: usize, v: ValueId, how: SampleKind) {
    let inst = &mut p.functions[fi].insts[v.index()];
    if let InstKind::Sample { site, kind, .. } = &mut inst.kind {
        *kind = how;
        if let Some(s) = p.sites.get_mut(*site as usize) {
            s.kind = if how == SampleKind::Gibbs { SiteKind::Gibbs } else { SiteKind::Enumerated };
        }
    }
}

fn not_a_parameter(dist: &str, draw: Span, use_span: Span) -> Diagnostic {
    Diagnostic::new(Code::E0333, "Discrete parameter can be neither summed out nor updated")
        .primary(draw, format!("this `{dist}` draw is not one integer from a built-in distribution, so it can be neither summed out nor updated by Gibbs steps"))
        .secondary(use_span, "the likelihood depends on it here")
        .hint("a discrete parameter is one integer `sample` from a built-in discrete distribution (`poisson`, `binomial`, `categorical`, …) without `size`: draw its elements one by one, or sum it out by hand with `log_sum_exp`")
}

/// Turns the enumerated sites the enumeration limits cannot hold into Gibbs sites: a site
/// whose support, known from constants, has more than [`MAX_SUPPORT`] values, and, outside
/// loops, each site that would take the number of combinations past [`MAX_COMBINATIONS`].
/// The Gibbs-updatable sites whose support is not known here or that sit in a loop get a Gibbs
/// fallback, taken at run time when the data take them past the limits.
fn gibbs_beyond_limits(p: &mut Program) {
    let mut combinations: u64 = 1;
    let mut beyond = Vec::new();
    let mut fallback = Vec::new();
    for (fi, f) in p.functions.iter().enumerate().filter(|(_, f)| f.model) {
        let mut sites = Vec::new();
        collect_sites(f, f.body, false, &mut sites);
        for (v, in_loop) in sites {
            let size = static_support(f, v);
            if (size.is_none() || in_loop) && updatable(f, v) {
                fallback.push(site_of(f, v));
            }
            let Some(size) = size else { continue };
            if size > MAX_SUPPORT {
                beyond.push((fi, v));
            } else if !in_loop {
                match combinations.checked_mul(size).filter(|c| *c <= MAX_COMBINATIONS) {
                    Some(c) => combinations = c,
                    None => beyond.push((fi, v)),
                }
            }
        }
    }
    for (fi, v) in beyond {
        if updatable(&p.functions[fi], v) {
            make_parameter(p, fi, v, SampleKind::Gibbs);
        }
    }
    for site in fallback.into_iter().flatten() {
        if let Some(s) = p.sites.get_mut(site as usize) {
            s.gibbs_fallback = s.kind == SiteKind::Enumerated;
        }
    }
}

/// Whether `sample` `v` of `f` could be a Gibbs site.
fn updatable(f: &Function, v: ValueId) -> bool {
    match &f.inst(v).kind {
        InstKind::Sample { dist, .. } => gibbs_updatable(f, v, dist),
        _ => false,
    }
}

/// The site of `sample` `v` of `f`.
fn site_of(f: &Function, v: ValueId) -> Option<u32> {
    match &f.inst(v).kind {
        InstKind::Sample { site, .. } => Some(*site),
        _ => None,
    }
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
