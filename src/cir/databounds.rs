//! Data bounds: the element reads of a model's log density whose bounds check can be done once,
//! when the data is read, instead of at every gradient evaluation.
//!
//! The pattern is the loop a user writes over the data: `for i in c..N { … y[i] … }` at the top
//! level of the model's entry, where `N` is a data size and `y` a data array (both parameters
//! of the entry that nothing writes), `c ≥ 0` a constant, and `y[i]` is read at the top level of
//! the loop's body, so on every iteration. When the loop is reached on every run (nothing before
//! it may return or throw) and nothing in the body may leave the iteration early, the model
//! reads `y[i]` for every `i` in `c..N`: it runs without a fault exactly when `N ≤ c` or
//! `len(y) ≥ N`. The backend checks that once in the model's `Data.read` (a located data error
//! naming the field) and reads the element without a check in the log density.
//!
//! The facts hold for the CIR at every optimisation level, so the choice does not change
//! draws (an element read with or without the check gives the same value). Anything not
//! matching the pattern keeps its check.

use super::{BlockId, Const, Function, InstKind, LocalId, Ty, ValueId};
use std::collections::HashSet;

/// One element read whose bounds are checked when the data is read.
#[derive(Clone, Debug, PartialEq)]
pub struct DataBound {
    /// The `Index` instruction.
    pub read: ValueId,
    /// The position among the entry's parameters of the array read.
    pub array: usize,
    /// The position among the entry's parameters of the loop's end (a data size).
    pub size: usize,
    /// The loop's (constant, non-negative) start.
    pub start: i128,
}

/// The element reads of model entry `f` whose bounds follow from the data alone.
pub fn of_entry(f: &Function) -> Vec<DataBound> {
    if f.blocks.is_empty() {
        return Vec::new();
    }
    let written: HashSet<LocalId> = all_insts(f, f.body).iter().filter_map(|v| f.inst(*v).kind.written_local()).collect();
    let unwritten_param = |l: LocalId| if written.contains(&l) { None } else { f.params.iter().position(|p| *p == l) };
    let mut out = Vec::new();
    let top = &f.block(f.body).insts;
    for (pos, v) in top.iter().enumerate() {
        if let InstKind::Loop { body, step: Some(step) } = f.inst(*v).kind
            && let Some(range) = RangeLoop::match_loop(f, &top[..pos], body, step, &unwritten_param)
        {
            out.extend(range.reads(f, body, &unwritten_param));
        }
        if may_leave(f, *v) {
            break;
        }
    }
    out
}

/// A loop `for i in start..end`: its variable, bounds and the guard ending its body's first
/// statement.
struct RangeLoop {
    var: LocalId,
    start: i128,
    end: usize,
}

impl RangeLoop {
    /// Matches the lowering of a range loop: `init i, const c` earlier at the top level, a body
    /// starting with `if i < end {} else { break }`, a step `i = i + 1`, and no other write
    /// of `i`.
    fn match_loop(f: &Function, before: &[ValueId], body: BlockId, step: BlockId, unwritten_param: &impl Fn(LocalId) -> Option<usize>) -> Option<RangeLoop> {
        let (var, end) = guard(f, body)?;
        let end = unwritten_param(end).or_else(|| copy_of_param(f, before, end, unwritten_param))?;
        let start = initial_value(f, before, var).and_then(|v| const_int(f, v))?;
        if !(0..=i128::from(i64::MAX)).contains(&start) || !steps_by_one(f, step, var) {
            return None;
        }
        let writes = all_insts(f, f.body).into_iter().filter(|v| f.inst(*v).kind.written_local() == Some(var)).count();
        (writes == 2).then_some(RangeLoop { var, start, end })
    }

    /// The reads `param[var]` at the top level of the body, each before anything that may
    /// leave the iteration (the guard aside).
    fn reads(&self, f: &Function, body: BlockId, unwritten_param: &impl Fn(LocalId) -> Option<usize>) -> Vec<DataBound> {
        let mut out = Vec::new();
        let Some(at) = guard_position(f, body) else { return out };
        for v in f.block(body).insts.iter().skip(at + 1) {
            if let InstKind::Index(array, index) = f.inst(*v).kind
                && let (InstKind::Local(a), InstKind::Local(i)) = (&f.inst(array).kind, &f.inst(index).kind)
                && *i == self.var
                && matches!(f.local(*a).ty, Ty::Array(_))
                && let Some(array) = unwritten_param(*a)
            {
                out.push(DataBound { read: *v, array, size: self.end, start: self.start });
            }
            if may_leave(f, *v) {
                break;
            }
        }
        out
    }
}

/// The steps `i = i + 1` of the range loops of `f` (anywhere in it) that cannot overflow: the
/// body starts with the guard `i < end`, which held for the value being incremented, and
/// writes `i` nowhere, so `i + 1 <= end`. The backend emits them without an overflow check.
pub fn counter_steps(f: &Function) -> Vec<ValueId> {
    if f.blocks.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for v in all_insts(f, f.body) {
        let InstKind::Loop { body, step: Some(step) } = f.inst(v).kind else { continue };
        let Some(var) = guarded_var(f, body) else { continue };
        let written_in_body = all_insts(f, body).into_iter().any(|w| f.inst(w).kind.written_local() == Some(var));
        if !written_in_body {
            out.extend(increment(f, step, var));
        }
    }
    out
}

/// The local `i` of a body starting with `if local(i) < x {} else { break }`, whatever `x`.
fn guarded_var(f: &Function, body: BlockId) -> Option<LocalId> {
    let at = guard_position(f, body)?;
    let InstKind::If { cond, then_block, else_block } = f.inst(f.block(body).insts[at]).kind else { return None };
    let InstKind::Binary(crate::cir::BinOp::Lt, a, _) = f.inst(cond).kind else { return None };
    let InstKind::Local(var) = f.inst(a).kind else { return None };
    let else_insts = &f.block(else_block).insts;
    let breaks = else_insts.len() == 1 && matches!(f.inst(else_insts[0]).kind, InstKind::Break);
    (breaks && f.block(then_block).insts.is_empty()).then_some(var)
}

/// `if local(i) < local(end) {} else { break }` as the first statement of a loop body (after
/// the reads it compares): `(i, end)`.
fn guard(f: &Function, body: BlockId) -> Option<(LocalId, LocalId)> {
    let at = guard_position(f, body)?;
    let InstKind::If { cond, then_block, else_block } = f.inst(f.block(body).insts[at]).kind else { return None };
    let InstKind::Binary(crate::cir::BinOp::Lt, a, b) = f.inst(cond).kind else { return None };
    let (InstKind::Local(var), InstKind::Local(end)) = (&f.inst(a).kind, &f.inst(b).kind) else { return None };
    let else_insts = &f.block(else_block).insts;
    let breaks = else_insts.len() == 1 && matches!(f.inst(else_insts[0]).kind, InstKind::Break);
    (breaks && f.block(then_block).insts.is_empty()).then_some((*var, *end))
}

/// The position of the body's first statement, when only the reads and the comparison it
/// uses come before it.
fn guard_position(f: &Function, body: BlockId) -> Option<usize> {
    let insts = &f.block(body).insts;
    let at = insts.iter().position(|v| !matches!(f.inst(*v).kind, InstKind::Local(_) | InstKind::Const(_) | InstKind::Binary(..)))?;
    matches!(f.inst(insts[at]).kind, InstKind::If { .. }).then_some(at)
}

/// The value a local is initialised with at the top level, before the loop.
fn initial_value(f: &Function, before: &[ValueId], local: LocalId) -> Option<ValueId> {
    before.iter().rev().find_map(|v| match &f.inst(*v).kind {
        InstKind::InitLocal(l, init) if *l == local => Some(*init),
        _ => None,
    })
}

/// A local holding a copy of an unwritten parameter (how `-O0` keeps a range's end): written
/// once, by its initialisation before the loop.
fn copy_of_param(f: &Function, before: &[ValueId], local: LocalId, unwritten_param: &impl Fn(LocalId) -> Option<usize>) -> Option<usize> {
    let writes = all_insts(f, f.body).into_iter().filter(|v| f.inst(*v).kind.written_local() == Some(local)).count();
    let InstKind::Local(source) = f.inst(initial_value(f, before, local)?).kind else { return None };
    if writes == 1 { unwritten_param(source) } else { None }
}

/// Whether the step block is exactly `i = i + 1`.
fn steps_by_one(f: &Function, step: BlockId, var: LocalId) -> bool {
    increment(f, step, var).is_some()
}

/// The addition of a step block that is exactly `i = i + 1`.
fn increment(f: &Function, step: BlockId, var: LocalId) -> Option<ValueId> {
    let sets: Vec<&ValueId> = f.block(step).insts.iter().filter(|v| f.inst(**v).kind.written_local().is_some()).collect();
    let [set] = sets.as_slice() else { return None };
    let InstKind::SetLocal(l, value) = f.inst(**set).kind else { return None };
    let InstKind::Binary(crate::cir::BinOp::Add, a, b) = f.inst(value).kind else { return None };
    let adds_one = l == var && matches!(f.inst(a).kind, InstKind::Local(x) if x == var) && const_int(f, b) == Some(1);
    adds_one.then_some(value)
}

fn const_int(f: &Function, v: ValueId) -> Option<i128> {
    match f.inst(v).kind {
        InstKind::Const(Const::Int(c)) => Some(c),
        _ => None,
    }
}

/// Whether running instruction `v` (with the blocks nested in it) may leave the enclosing
/// block early: a `return`, a `throw`, a `break` or `continue` not belonging to a loop nested
/// in it, or a call (user code may throw).
fn may_leave(f: &Function, v: ValueId) -> bool {
    leaves(f, v, 0)
}

fn leaves(f: &Function, v: ValueId, loops: usize) -> bool {
    let kind = &f.inst(v).kind;
    match kind {
        InstKind::Return(_) | InstKind::Throw(_) | InstKind::Unreachable => return true,
        InstKind::Break | InstKind::Continue => return loops == 0,
        InstKind::Call(..) | InstKind::CallDyn(..) | InstKind::CallExtern(..) | InstKind::Await(_) | InstKind::Try { .. } => return true,
        _ => {}
    }
    let inner = loops + usize::from(matches!(kind, InstKind::Loop { .. }));
    kind.blocks().into_iter().any(|b| f.block(b).insts.iter().any(|w| leaves(f, *w, inner)))
}

/// Every instruction of block `b` and the blocks nested in it.
fn all_insts(f: &Function, b: BlockId) -> Vec<ValueId> {
    let mut out = Vec::new();
    let mut pending = vec![b];
    while let Some(b) = pending.pop() {
        for v in &f.block(b).insts {
            out.push(*v);
            pending.extend(f.inst(*v).kind.blocks());
        }
    }
    out
}
