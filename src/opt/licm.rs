//! Loop-invariant code motion: computes once, before a loop, what every iteration would
//! compute the same way.
//!
//! An instruction inside a loop (its body, step, or any block nested in them) moves to just
//! before the loop when `effects` says it may run speculatively (no effect, no fault, no
//! allocation, no model real — so running it even when the loop runs zero times, or once
//! instead of many times, is unobservable), every operand is defined outside the loop or moves
//! too, and, for a read of a local, nothing in the loop writes that local. Loops nested in
//! loops are handled by repeating until nothing moves, so a computation climbs as far out as
//! its operands allow.
//!
//! Only chains that do some work move: reads of locals, fields and constants are moved only
//! as operands of an arithmetic, comparison, conversion or built-in that moves, so hoisting
//! never just renames a variable.
//!
//! In a model, this takes data-only work (arithmetic on data, `len`, math on data) out of the
//! loops of the log density, which runs for every gradient; model reals never move.
//!
//! What it deliberately does not do: move anything that may fault (an index, checked
//! integer arithmetic) — it could fault where the original did not run — or allocate; move
//! work out of the log density function itself (that is `datacache`, which runs after it).
//!
//! Moving is speculation: hoisted code runs once per entry to the loop, even when the original
//! would have run it zero times. That is a saving only if the original ran it on (nearly) every
//! iteration, so two rules bound what the pass may cost:
//! * *Conditional work moves only if cheap.* An instruction in an `if` or `switch` arm, a
//!   `catch`, or the body of a nested loop that may run many times or none, is not executed on
//!   every iteration; it moves only when `effects::cheap` says it costs about as much as the
//!   branch itself (arithmetic, comparisons, conversions, constants, local and field reads,
//!   lengths). A math built-in such as `lgamma` or `pow` in a rarely taken arm stays in the
//!   arm: hoisted, it would run on every loop entry instead of on the rare iteration that takes
//!   the arm. Such a call still climbs out of a nested loop whose body runs it unconditionally
//!   (one level per round), and then out of every loop in whose body it stands unconditionally.
//!   A one-pass loop's body (below) counts as unconditional for the loop around it, since it
//!   runs whenever the loop around it reaches it.
//! * *Nothing moves out of a one-pass loop.* The loops inlining creates for early returns (no
//!   step, a body that always ends by leaving, no `continue` of its own) run at most once, so
//!   hoisting out of them never saves work and would turn an inlined function's conditional
//!   work into unconditional work. The loops around them still hoist their content.

use super::effects;
use super::tree::{self, Layout};
use crate::cir::{BlockId, Function, InstKind, Program, ValueId};
use std::collections::HashSet;

/// Runs the pass over the whole program; returns whether anything changed.
pub fn run(p: &mut Program) -> bool {
    let mut changed = false;
    for i in 0..p.functions.len() {
        let mut f = p.functions[i].clone();
        if f.blocks.is_empty() {
            continue;
        }
        let mut any = false;
        // Each round moves code out of one loop; the bound only guards against a bug.
        for _ in 0..10_000 {
            if !hoist_once(p, &mut f) {
                break;
            }
            any = true;
        }
        if any {
            p.functions[i] = f;
            changed = true;
        }
    }
    changed
}

/// Moves the invariant code of the first loop that has some; returns whether it did.
fn hoist_once(p: &Program, f: &mut Function) -> bool {
    let layout = Layout::of(f);
    for b in f.reachable_blocks() {
        for (pos, &l) in f.block(b).insts.iter().enumerate() {
            let InstKind::Loop { body, step } = f.inst(l).kind else { continue };
            if runs_at_most_once(f, body, step) {
                continue;
            }
            let moving = invariant(p, f, &layout, body, step);
            if moving.is_empty() {
                continue;
            }
            let set: HashSet<ValueId> = moving.iter().copied().collect();
            for blk in f.reachable_blocks() {
                f.blocks[blk.index()].insts.retain(|v| !set.contains(v));
            }
            let insts = &mut f.blocks[b.index()].insts;
            let at = insts.iter().position(|v| *v == l).unwrap_or(pos);
            insts.splice(at..at, moving);
            return true;
        }
    }
    false
}

/// The instructions of the loop with the given body and step that may move before it, in
/// program order.
fn invariant(p: &Program, f: &Function, layout: &Layout, body: BlockId, step: Option<BlockId>) -> Vec<ValueId> {
    let mut region: Vec<BlockId> = tree::subtree(f, body);
    if let Some(s) = step {
        region.extend(tree::subtree(f, s));
    }
    let inside: HashSet<BlockId> = region.iter().copied().collect();
    let mut every_iteration = HashSet::new();
    mark_every_iteration(f, body, &mut every_iteration);
    if let Some(s) = step {
        mark_every_iteration(f, s, &mut every_iteration);
    }
    let conditional = |v: ValueId| layout.defined_at.get(&v).is_none_or(|(blk, _)| !every_iteration.contains(blk));
    let written = tree::written_locals(f, &region);
    let defined_inside = |v: ValueId| layout.defined_at.get(&v).is_some_and(|(blk, _)| inside.contains(blk));
    // Program order: a definition comes before its uses.
    let mut order = Vec::new();
    walk(f, body, &mut order);
    if let Some(s) = step {
        walk(f, s, &mut order);
    }
    let mut movable: HashSet<ValueId> = HashSet::new();
    for &v in &order {
        let inst = f.inst(v);
        let ok = match &inst.kind {
            InstKind::Const(_) => true,
            InstKind::Local(l) => !written.contains(l),
            kind => {
                effects::speculatable(p, f, v)
                    && (effects::cheap(kind) || !conditional(v))
                    && inst.ty != crate::cir::Ty::Void
                    && kind.operands().iter().all(|o| !defined_inside(*o) || movable.contains(o))
            }
        };
        if ok {
            movable.insert(v);
        }
    }
    // Keep only the work and what it needs.
    let mut keep: HashSet<ValueId> = HashSet::new();
    for &v in order.iter().rev() {
        let trivial = matches!(f.inst(v).kind, InstKind::Const(_) | InstKind::Local(_) | InstKind::Field(..) | InstKind::IsVariant(..));
        if movable.contains(&v) && (keep.contains(&v) || !trivial) {
            keep.insert(v);
            for o in f.inst(v).kind.operands() {
                if movable.contains(&o) {
                    keep.insert(o);
                }
            }
        }
    }
    order.into_iter().filter(|v| keep.contains(v)).collect()
}

/// Adds to `out` block `b` and the blocks nested in it that run whenever `b` runs (up to early
/// exits): the bodies of one-pass loops and the body and `finally` of a `try`. Arms, `catch`
/// blocks and the bodies of other loops are conditional and left out.
fn mark_every_iteration(f: &Function, b: BlockId, out: &mut HashSet<BlockId>) {
    out.insert(b);
    for v in &f.block(b).insts {
        match &f.inst(*v).kind {
            InstKind::Loop { body, step } if runs_at_most_once(f, *body, *step) => mark_every_iteration(f, *body, out),
            InstKind::Try { body, finally, .. } => {
                mark_every_iteration(f, *body, out);
                if let Some(fin) = finally {
                    mark_every_iteration(f, *fin, out);
                }
            }
            _ => {}
        }
    }
}

/// Whether the loop with this body and step provably runs its body at most once: it has no
/// step, every path through the body ends by leaving the loop (`break`, `return`, `throw`), and
/// no `continue` in it restarts this loop — the shape inlining gives a callee with early
/// returns.
fn runs_at_most_once(f: &Function, body: BlockId, step: Option<BlockId>) -> bool {
    step.is_none() && super::dce::block_diverges(f, body) && !continues(f, body)
}

/// Whether a `continue` in block `b` (outside loops nested in it) restarts the enclosing loop.
fn continues(f: &Function, b: BlockId) -> bool {
    f.block(b).insts.iter().any(|v| match &f.inst(*v).kind {
        InstKind::Continue => true,
        InstKind::Loop { .. } => false,
        kind => kind.blocks().into_iter().any(|child| continues(f, child)),
    })
}

fn walk(f: &Function, b: BlockId, out: &mut Vec<ValueId>) {
    for v in &f.block(b).insts {
        out.push(*v);
        for child in f.inst(*v).kind.blocks() {
            walk(f, child, out);
        }
    }
}
