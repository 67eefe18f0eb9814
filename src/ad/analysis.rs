//! Whether a model's log density qualifies for compiled gradients: its control flow must not
//! depend on parameters. Concretely, in the entry function (before optimisation):
//!
//! * the only loops are `for` loops over an integer range (`range_loop`), whose bounds are data;
//!   the only branch is each loop's own exit test, so no branch can depend on a parameter;
//! * there are no calls of helper functions (they would need inlining first) and no `sample`
//!   inside a loop (parameters are read once, in order);
//! * branches test data (`emit` rejects a condition on model reals);
//! * mutable locals are model reals, loop counters or arrays of model reals written element-wise, and every
//!   write to such an array comes before every read of it, and no loop both writes and reads
//!   it — so the reverse sweep may recompute a loop body's values from the arrays as they are
//!   at the end of the forward sweep.
//!
//! Instructions the emitter does not know are reported by `emit` itself; together they decide.

use super::Unsupported;
use crate::ast::BinOp;
use crate::cir::{Function, InstKind, LocalId, PlaceElem, Ty, ValueId};
use std::collections::HashMap;

/// A `for` loop over an integer range, as lowering emits it: the body starts with the exit
/// test `if cond then {} else { break }` (after `header` instructions computing `cond`), and the
/// step block adds 1 to the counter.
#[derive(Clone, Copy, Debug)]
pub struct RangeLoop {
    pub counter: LocalId,
    pub cond: ValueId,
    /// The number of instructions before the exit test.
    pub header: usize,
}

/// Recognises the `for` loop `v`.
pub fn range_loop(f: &Function, v: ValueId) -> Option<RangeLoop> {
    let InstKind::Loop {
        body,
        step: Some(step),
    } = &f.inst(v).kind
    else {
        return None;
    };
    let insts = &f.block(*body).insts;
    let header = insts
        .iter()
        .position(|i| matches!(f.inst(*i).kind, InstKind::If { .. }))?;
    let InstKind::If {
        cond,
        then_block,
        else_block,
    } = &f.inst(insts[header]).kind
    else {
        return None;
    };
    let exits = matches!(f.block(*else_block).insts.as_slice(), [b] if matches!(f.inst(*b).kind, InstKind::Break));
    if !f.block(*then_block).insts.is_empty() || !exits {
        return None;
    }
    let counter = increment(f, &f.block(*step).insts)?;
    Some(RangeLoop {
        counter,
        cond: *cond,
        header,
    })
}

/// The counter of a step block `c = c + 1`.
fn increment(f: &Function, step: &[ValueId]) -> Option<LocalId> {
    let [read, one, add, set] = step else {
        return None;
    };
    let InstKind::Local(c) = f.inst(*read).kind else {
        return None;
    };
    let is_one = matches!(
        f.inst(*one).kind,
        InstKind::Const(crate::cir::Const::Int(1))
    );
    let adds =
        matches!(f.inst(*add).kind, InstKind::Binary(BinOp::Add, a, b) if a == *read && b == *one);
    let sets = matches!(f.inst(*set).kind, InstKind::SetLocal(l, x) if l == c && x == *add);
    (is_one && adds && sets && matches!(f.local(c).ty, Ty::Int(_))).then_some(c)
}

/// Checks the rules above on the entry function `f`.
pub fn qualifies(f: &Function) -> Result<(), Unsupported> {
    let mut walk = Walk {
        f,
        order: 0,
        loops: Vec::new(),
        accesses: HashMap::new(),
        counters: Vec::new(),
        branches: 0,
    };
    walk.block(&f.block(f.body).insts)?;
    walk.check_arrays()
}

/// One access to a mutable array: its position in program order and the loops around it.
struct Access {
    order: usize,
    loops: Vec<ValueId>,
    write: bool,
    span: crate::span::Span,
}

struct Walk<'a> {
    f: &'a Function,
    order: usize,
    loops: Vec<ValueId>,
    accesses: HashMap<LocalId, Vec<Access>>,
    counters: Vec<LocalId>,
    /// How many branches enclose the instruction being checked.
    branches: usize,
}

impl Walk<'_> {
    fn block(&mut self, insts: &[ValueId]) -> Result<(), Unsupported> {
        for v in insts {
            self.inst(*v)?;
        }
        Ok(())
    }

    fn inst(&mut self, v: ValueId) -> Result<(), Unsupported> {
        self.order += 1;
        let inst = self.f.inst(v);
        let span = inst.span;
        match &inst.kind {
            InstKind::Loop { body, .. } => {
                let Some(range) = range_loop(self.f, v) else {
                    return Err(Unsupported::new(
                        "a loop that is not a `for` over a range of integers",
                        span,
                    ));
                };
                self.counters.push(range.counter);
                self.loops.push(v);
                let insts = self.f.block(*body).insts.clone();
                self.block(&insts[..range.header])?;
                self.block(&insts[range.header + 1..])?;
                self.loops.pop();
            }
            InstKind::If {
                then_block,
                else_block,
                ..
            } => {
                let (t, e) = (
                    self.f.block(*then_block).insts.clone(),
                    self.f.block(*else_block).insts.clone(),
                );
                self.branches += 1;
                self.block(&t)?;
                self.block(&e)?;
                self.branches -= 1;
            }
            InstKind::Switch { .. } => return Err(Unsupported::new("a `match`", span)),
            InstKind::Try { .. } => return Err(Unsupported::new("a `try` block", span)),
            InstKind::Call(..) | InstKind::CallDyn(..) | InstKind::CallExtern(..) => {
                return Err(Unsupported::new(
                    "a call of a function (helpers are not inlined into compiled gradients yet)",
                    span,
                ));
            }
            InstKind::Sample { .. } if !self.loops.is_empty() || self.branches > 0 => {
                return Err(Unsupported::new(
                    "a `sample` inside a loop or a branch",
                    span,
                ));
            }
            InstKind::SetLocal(l, _)
                if !self.counters.contains(l)
                    && !matches!(
                        self.f.local(*l).ty,
                        Ty::Real | Ty::Int(_) | Ty::Float(_) | Ty::Bool
                    ) =>
            {
                return Err(Unsupported::new(
                    format!(
                        "an assignment to `{}` (only numbers, model reals and elements of arrays of model reals may be assigned)",
                        self.f.local(*l).name
                    ),
                    span,
                ));
            }
            InstKind::SetPlace { local, path, .. } => {
                let elementwise = matches!(path.as_slice(), [PlaceElem::Index(_)]);
                if !elementwise || !is_real_array(&self.f.local(*local).ty) {
                    return Err(Unsupported::new(
                        format!(
                            "an update of `{}` that is not one element of an array of model reals",
                            self.f.local(*local).name
                        ),
                        span,
                    ));
                }
                self.access(*local, true, span);
            }
            InstKind::Local(l)
                if self.f.local(*l).mutable && is_real_array(&self.f.local(*l).ty) =>
            {
                self.access(*l, false, span)
            }
            _ => {}
        }
        Ok(())
    }

    fn access(&mut self, local: LocalId, write: bool, span: crate::span::Span) {
        let access = Access {
            order: self.order,
            loops: self.loops.clone(),
            write,
            span,
        };
        self.accesses.entry(local).or_default().push(access);
    }

    /// Every write to an array comes before every read, and no loop both writes and reads it.
    fn check_arrays(&self) -> Result<(), Unsupported> {
        for (local, list) in &self.accesses {
            let name = &self.f.local(*local).name;
            for w in list.iter().filter(|a| a.write) {
                for r in list.iter().filter(|a| !a.write) {
                    if r.order < w.order {
                        return Err(Unsupported::new(
                            format!("`{name}` is written after it is read"),
                            w.span,
                        ));
                    }
                    if w.loops.iter().any(|l| r.loops.contains(l)) {
                        return Err(Unsupported::new(
                            format!("`{name}` is written and read in the same loop"),
                            r.span,
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// `[real]`: an array of model reals.
pub fn is_real_array(ty: &Ty) -> bool {
    matches!(ty, Ty::Array(e) if **e == Ty::Real)
}
