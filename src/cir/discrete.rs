//! Finds the likelihood terms that depend on a discrete draw (`cir::enumerate` sums the
//! draws with finite support out; the others are rejected here).
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
//! condition that depends on a draw. Calls are followed through per-function summaries
//! computed to a fixed point over the call graph ([`Summaries`]): a tainted argument is a use
//! only when the callee's parameter reaches a likelihood term there, a call under a tainted
//! condition only when the callee contains one, and a call whose callee returns a draw is a
//! source. So a predictive draw may be passed to any function that does not put it into the
//! likelihood (one that prints it, say). A predictive draw of a declared distribution or a
//! mixture is a branch guarded by `ppl_predictive_begin`: the guard is a source, so the draw
//! written under it is tainted like a discrete `sample`.

use super::{BlockId, FuncId, Function, InstKind, LocalId, Program, SampleKind, ValueId};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use std::collections::{HashMap, HashSet};

/// One diagnostic per likelihood term that depends on a discrete draw.
pub fn check(p: &Program) -> Vec<Diagnostic> {
    likelihood_uses(p).into_iter().map(|(use_span, source)| unsupported_use(use_span, source)).collect()
}

/// The E0319 of a likelihood term at `use_span` that depends on the draw at `source`.
pub fn unsupported_use(use_span: Span, source: Option<Span>) -> Diagnostic {
    let d = Diagnostic::new(Code::E0319, "Unsupported model construct")
        .primary(use_span, "the likelihood here depends on a discrete draw")
        .hint("a discrete parameter is summed out automatically only when it is a `sample` from a built-in distribution with finite support, made in the function whose likelihood uses it or in a function that returns it: draw it so, or sum it out by hand (for example with `log_mix` or `log_sum_exp`)");
    match source {
        Some(s) => d.secondary(s, "this discrete draw is made after sampling, once per draw"),
        None => d,
    }
}

/// Each likelihood term that depends on a predictive (discrete) draw, with where the draw
/// that reaches it is made: a `sample`, the guard of a declared distribution's draw, or a call
/// of a function that returns a draw.
pub fn likelihood_uses(p: &Program) -> Vec<(Span, Option<Span>)> {
    let summaries = Summaries::of(p);
    p.functions.iter().filter(|f| f.model).flat_map(|f| function_uses(p, f, &summaries)).collect()
}

fn function_uses(p: &Program, f: &Function, summaries: &Summaries) -> Vec<(Span, Option<Span>)> {
    let taint = Taint::of(f, summaries, HashMap::new());
    if taint.values.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    taint.find_uses(p, f, f.body, None, summaries, &mut found);
    found
}

/// What a call to each function means for the taint analysis of its caller, computed to a
/// fixed point over the call graph (recursion included). Every fact starts false and only
/// becomes true, so the iteration ends.
#[derive(Default)]
struct Summaries {
    /// The function (or one it calls) contains an `observe` or `factor`.
    has_term: HashSet<FuncId>,
    /// (function, parameter index): a draw passed there reaches a likelihood term.
    param_reaches_term: HashSet<(FuncId, usize)>,
    /// The function may return a value computed from a discrete draw it makes.
    returns_draw: HashSet<FuncId>,
}

impl Summaries {
    fn of(p: &Program) -> Summaries {
        let mut s = Summaries::default();
        loop {
            let before = (s.has_term.len(), s.param_reaches_term.len(), s.returns_draw.len());
            for (i, f) in p.functions.iter().enumerate().filter(|(_, f)| f.model) {
                s.update(p, FuncId::from_index(i), f);
            }
            if (s.has_term.len(), s.param_reaches_term.len(), s.returns_draw.len()) == before {
                return s;
            }
        }
    }

    fn update(&mut self, p: &Program, id: FuncId, f: &Function) {
        if f.insts.iter().any(|inst| match &inst.kind {
            InstKind::Observe { .. } | InstKind::Factor(_) => true,
            InstKind::Call(g, _) => self.has_term.contains(g),
            _ => false,
        }) {
            self.has_term.insert(id);
        }
        let own = Taint::of(f, self, HashMap::new());
        if f.insts.iter().any(|inst| matches!(inst.kind, InstKind::Return(Some(v)) if own.values.contains(&v))) {
            self.returns_draw.insert(id);
        }
        for (k, param) in f.params.iter().enumerate() {
            if self.param_reaches_term.contains(&(id, k)) {
                continue;
            }
            let seeded = Taint::of(f, self, HashMap::from([(*param, f.span)]));
            let mut found = Vec::new();
            seeded.find_uses(p, f, f.body, None, self, &mut found);
            // Only uses that come from the parameter: the function's own draws are reported in it.
            if found.iter().any(|(_, origin)| *origin == Some(f.span)) {
                self.param_reaches_term.insert((id, k));
            }
        }
    }

    /// Whether a call of `g` with these tainted argument positions uses a draw in the likelihood.
    fn call_uses(&self, g: FuncId, tainted_args: impl Iterator<Item = usize>, under_tainted_condition: bool) -> bool {
        (under_tainted_condition && self.has_term.contains(&g)) || tainted_args.into_iter().any(|k| self.param_reaches_term.contains(&(g, k)))
    }
}

struct Taint {
    values: HashSet<ValueId>,
    locals: HashSet<LocalId>,
    /// For each tainted value, the discrete `sample` it comes from.
    origin: HashMap<ValueId, Span>,
    /// Locals tainted from the start (a parameter, when computing a summary), with an origin.
    seeds: HashMap<LocalId, Span>,
}

impl Taint {
    fn of(f: &Function, summaries: &Summaries, seeds: HashMap<LocalId, Span>) -> Taint {
        let locals = seeds.keys().copied().collect();
        let mut t = Taint { values: HashSet::new(), locals, origin: HashMap::new(), seeds };
        loop {
            let before = (t.values.len(), t.locals.len());
            t.visit_block(f, f.body, None, summaries);
            if (t.values.len(), t.locals.len()) == before {
                return t;
            }
        }
    }

    /// Propagates taint through block `b`; `control` is the origin of a tainted condition the
    /// block runs under (writes there depend on the draw too).
    fn visit_block(&mut self, f: &Function, b: BlockId, control: Option<Span>, summaries: &Summaries) {
        for v in &f.block(b).insts {
            let inst = f.inst(*v);
            let source = match &inst.kind {
                InstKind::Sample { kind: SampleKind::Predictive, .. } => Some(inst.span),
                // the guard of a predictive draw of a declared distribution or a mixture: what
                // is written under it (the draw) is tainted
                InstKind::Builtin("ppl_predictive_begin", _) => Some(inst.span),
                InstKind::Local(l) if self.locals.contains(l) => self.local_origin(f, *l),
                InstKind::Call(g, _) if summaries.returns_draw.contains(g) => Some(inst.span),
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
                self.visit_block(f, nested, condition.or(control), summaries);
            }
        }
    }

    /// Where a tainted local's taint comes from (the first tainted write found).
    fn local_origin(&self, f: &Function, l: LocalId) -> Option<Span> {
        if let Some(seed) = self.seeds.get(&l) {
            return Some(*seed);
        }
        self.values.iter().filter(|v| f.inst(**v).kind.written_local() == Some(l)).find_map(|v| self.origin.get(v).copied())
    }

    /// Likelihood terms in `b` that use a tainted value, or that run under a tainted condition.
    fn find_uses(&self, p: &Program, f: &Function, b: BlockId, control: Option<Span>, summaries: &Summaries, out: &mut Vec<(Span, Option<Span>)>) {
        for v in &f.block(b).insts {
            let inst = f.inst(*v);
            let tainted_operand = inst.kind.operands().iter().find_map(|o| self.origin.get(o).copied());
            let uses = match &inst.kind {
                InstKind::Observe { .. } | InstKind::Factor(_) => tainted_operand.or(control),
                InstKind::Call(g, args) if p.functions.get(g.index()).is_some_and(|g| g.model) => {
                    let tainted_args = args.iter().enumerate().filter(|(_, a)| self.values.contains(a)).map(|(k, _)| k);
                    let first_origin = args.iter().find_map(|a| self.origin.get(a).copied());
                    summaries.call_uses(*g, tainted_args, control.is_some()).then(|| first_origin.or(control)).flatten()
                }
                _ => None,
            };
            if let Some(source) = uses {
                out.push((inst.span, Some(source)));
                continue;
            }
            let condition = matches!(inst.kind, InstKind::If { .. } | InstKind::Switch { .. }).then_some(tainted_operand).flatten();
            for nested in inst.kind.blocks() {
                self.find_uses(p, f, nested, condition.or(control), summaries, out);
            }
        }
    }
}
