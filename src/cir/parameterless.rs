//! Rejects models that sample no parameter.
//!
//! A model's posterior is over its parameters (the continuous `sample`s its entry reaches,
//! directly or through calls). A model entry that observes data but samples nothing has no
//! posterior to explore: the samplers would move through a zero-dimensional space, so instead
//! of building a sampler that cannot run, this check reports E0333 at the model's function and
//! says how to get what such a program usually wants (the log density of fixed values, with
//! `lpdf`, in an ordinary program). The check covers the program's model entry and every model
//! fitted by `infer`. A parameter only counts when a reachable block holds it; a data-dependent
//! size of zero is still a run-time matter.

use super::{FuncId, InstKind, Program, SampleKind};
use crate::diagnostic::{Code, Diagnostic};

/// One diagnostic per model entry (the program's, and each `infer` model) that samples no
/// parameter.
pub fn check(p: &Program) -> Vec<Diagnostic> {
    let program_model = p.model.as_ref().and(p.entry);
    let entries = program_model.into_iter().chain(p.inferred.iter().map(|m| m.func));
    entries.filter(|e| !reaches_parameter(p, *e)).map(|e| diagnostic(p, e)).collect()
}

/// Whether the code reachable from `entry` (following calls) samples a model parameter.
fn reaches_parameter(p: &Program, entry: FuncId) -> bool {
    let mut seen = vec![false; p.functions.len()];
    let mut pending = vec![entry];
    while let Some(id) = pending.pop() {
        if std::mem::replace(&mut seen[id.index()], true) {
            continue;
        }
        let f = p.func(id);
        for v in f.reachable_blocks().iter().flat_map(|b| &f.block(*b).insts) {
            let kind = &f.inst(*v).kind;
            if matches!(kind, InstKind::Sample { kind: SampleKind::Param(_), .. }) {
                return true;
            }
            pending.extend(kind.callee());
        }
    }
    false
}

fn diagnostic(p: &Program, entry: FuncId) -> Diagnostic {
    let f = p.func(entry);
    Diagnostic::new(Code::E0333, "Model without parameters")
        .primary(f.span, format!("the model `{}` samples no parameter, so there is no posterior to sample", f.source_name))
        .hint("a model needs at least one `sample` of a continuous distribution; to evaluate a log density at fixed values, compute it with `lpdf` in a program without `observe`, `factor` or `prob_assert` and print it")
}
