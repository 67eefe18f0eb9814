//! Rejects models that sample no parameter.
//!
//! A model's posterior is over its parameters (the continuous `sample`s its entry reaches,
//! directly or through calls). A model entry that observes data but samples nothing has no
//! posterior to explore: the samplers would move through a zero-dimensional space, so instead
//! of building a sampler that cannot run, this check reports E0334 at the model's function and
//! says how to get what such a program usually wants (the log density of fixed values, with
//! `lpdf`, in an ordinary program). The check covers the program's model entry and every model
//! fitted by `infer`. A parameter only counts when a reachable block holds it; a data-dependent
//! size of zero is still a run-time matter.

use super::{FuncId, InstKind, Program, SampleKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// One diagnostic per model entry (the program's, and each `infer` model) that samples no
/// parameter.
pub fn check(p: &Program) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = Vec::new();
    if let (Some(_), Some(entry)) = (&p.model, p.entry) {
        found.extend(problem(p, entry, None));
    }
    for (index, model) in p.inferred.iter().enumerate() {
        found.extend(problem(p, model.func, first_infer_of(p, index)));
    }
    found
}

/// What the code reachable from a model entry (following calls) holds.
struct Survey {
    /// It samples a model parameter.
    parameter: bool,
    /// The first `observe` or `factor` met, to point at.
    term: Option<Span>,
}

fn survey(p: &Program, entry: FuncId) -> Survey {
    let mut seen = vec![false; p.functions.len()];
    let mut pending = vec![entry];
    let mut term = None;
    while let Some(id) = pending.pop() {
        if std::mem::replace(&mut seen[id.index()], true) {
            continue;
        }
        let f = p.func(id);
        for v in f.reachable_blocks().iter().flat_map(|b| &f.block(*b).insts) {
            let inst = f.inst(*v);
            match &inst.kind {
                InstKind::Sample { kind: SampleKind::Param(_), .. } => return Survey { parameter: true, term },
                InstKind::Observe { .. } | InstKind::Factor(_) => term = term.or(Some(inst.span)),
                kind => pending.extend(kind.callee()),
            }
        }
    }
    Survey { parameter: false, term }
}

/// The span of the first `infer` expression that fits the model at `index`.
fn first_infer_of(p: &Program, index: usize) -> Option<Span> {
    p.functions.iter().flat_map(|f| f.insts.iter()).find(|i| matches!(i.kind, InstKind::Infer { model, .. } if model == index)).map(|i| i.span)
}

fn problem(p: &Program, entry: FuncId, fitted_at: Option<Span>) -> Option<Diagnostic> {
    let found = survey(p, entry);
    if found.parameter {
        return None;
    }
    let f = p.func(entry);
    let mut d = Diagnostic::new(Code::E0334, "Model without parameters")
        .primary(f.span, format!("the model `{}` samples no continuous parameter, so there is nothing for the sampler to move", f.source_name))
        .hint("a model needs at least one `sample` of a continuous distribution; to evaluate a log density at fixed values, compute it with `lpdf` in a program without `observe`, `factor` or `prob_assert` and print it");
    if let Some(span) = found.term {
        d = d.secondary(span, "this term depends on no continuous parameter");
    }
    if let Some(span) = fitted_at {
        d = d.secondary(span, "the model is fitted here");
    }
    Some(d)
}
