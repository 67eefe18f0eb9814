//! Rejects models whose log density depends on a discrete draw.
//!
//! Inside a model a `sample` from a discrete distribution cannot be a parameter (the samplers
//! move through a continuous space); it is a *predictive* draw, made once per posterior draw
//! after the fact. That is only correct when nothing in the likelihood depends on it: a draw
//! that reaches an `observe` or a `factor` — as a value, or through a condition that
//! decides whether one runs — would make the model a different one than the user wrote, so
//! this check reports it (E0319) and suggests summing the discrete variable out (`log_mix`,
//! `log_sum_exp`). The analysis is a taint propagation over each model function's CIR: values
//! computed from a tainted operand are tainted, a local written with a tainted value is tainted
//! everywhere (flow-insensitive, iterated to a fixed point), so is a local written under a
//! condition that depends on a draw, and arguments passed to another
//! model function count as uses (conservatively). A predictive draw of a declared
//! distribution or a mixture is a branch guarded by `ppl_predictive_begin`: the guard is a
//! source, so the draw written under it is tainted like a discrete `sample`.

use super::{BlockId, Function, InstKind, LocalId, Program, SampleKind, ValueId};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use std::collections::{HashMap, HashSet};

/// One diagnostic per likelihood term that depends on a discrete draw.
pub fn check(p: &Program) -> Vec<Diagnostic> {
    p.functions.iter().filter(|f| f.model).flat_map(|f| check_function(p, f)).collect()
}

fn check_function(p: &Program, f: &Function) -> Vec<Diagnostic> {
    let taint = Taint::of(f);
    if taint.values.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    taint.find_uses(p, f, f.body, None, &mut found);
    found
        .into_iter()
        .map(|(use_span, source)| {
            let d = Diagnostic::new(Code::E0319, "Unsupported model construct")
                .primary(use_span, "the likelihood here depends on a discrete draw")
                .hint("a discrete variable cannot be a parameter of the samplers: sum it out of the likelihood (for example with `log_mix` or `log_sum_exp`)");
            match source {
                Some(s) => d.secondary(s, "this discrete draw is made after sampling, once per draw"),
                None => d,
            }
        })
        .collect()
}

struct Taint {
    values: HashSet<ValueId>,
    locals: HashSet<LocalId>,
    /// For each tainted value, the discrete `sample` it comes from.
    origin: HashMap<ValueId, Span>,
}

impl Taint {
    fn of(f: &Function) -> Taint {
        let mut t = Taint { values: HashSet::new(), locals: HashSet::new(), origin: HashMap::new() };
        loop {
            let before = (t.values.len(), t.locals.len());
            t.visit_block(f, f.body, None);
            if (t.values.len(), t.locals.len()) == before {
                return t;
            }
        }
    }

    /// Propagates taint through block `b`; `control` is the origin of a tainted condition the
    /// block runs under (writes there depend on the draw too).
    fn visit_block(&mut self, f: &Function, b: BlockId, control: Option<Span>) {
        for v in &f.block(b).insts {
            let inst = f.inst(*v);
            let source = match &inst.kind {
                InstKind::Sample { kind: SampleKind::Predictive, .. } => Some(inst.span),
                // the guard of a predictive draw of a declared distribution or a mixture: what
                // is written under it (the draw) is tainted
                InstKind::Builtin("ppl_predictive_begin", _) => Some(inst.span),
                InstKind::Local(l) if self.locals.contains(l) => self.local_origin(f, *l),
                kind => kind.operands().iter().find_map(|o| self.origin.get(o).copied()),
            };
            let writes = inst.kind.written_local();
            if let Some(source) = source.or(control.filter(|_| writes.is_some())) {
                if let Some(l) = writes {
                    self.locals.insert(l);
                }
                if self.values.insert(*v) {
                    self.origin.insert(*v, source);
                }
            }
            let condition = matches!(inst.kind, InstKind::If { .. } | InstKind::Switch { .. }).then_some(source).flatten();
            for nested in inst.kind.blocks() {
                self.visit_block(f, nested, condition.or(control));
            }
        }
    }

    /// Where a tainted local's taint comes from (the first tainted write found).
    fn local_origin(&self, f: &Function, l: LocalId) -> Option<Span> {
        self.values.iter().filter(|v| f.inst(**v).kind.written_local() == Some(l)).find_map(|v| self.origin.get(v).copied())
    }

    /// Likelihood terms in `b` that use a tainted value, or that run under a tainted condition.
    fn find_uses(&self, p: &Program, f: &Function, b: BlockId, control: Option<Span>, out: &mut Vec<(Span, Option<Span>)>) {
        for v in &f.block(b).insts {
            let inst = f.inst(*v);
            let tainted_operand = inst.kind.operands().iter().find_map(|o| self.origin.get(o).copied());
            let is_term = match &inst.kind {
                InstKind::Observe { .. } | InstKind::Factor(_) => true,
                InstKind::Call(g, _) => p.functions.get(g.index()).is_some_and(|g| g.model),
                _ => false,
            };
            if is_term && (tainted_operand.is_some() || control.is_some()) {
                out.push((inst.span, tainted_operand.or(control)));
                continue;
            }
            let condition = matches!(inst.kind, InstKind::If { .. } | InstKind::Switch { .. }).then_some(tainted_operand).flatten();
            for nested in inst.kind.blocks() {
                self.find_uses(p, f, nested, condition.or(control), out);
            }
        }
    }
}
