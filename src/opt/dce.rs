//! Dead-code elimination: removes what cannot run or whose result nobody needs.
//!
//! What it removes, repeated until nothing changes:
//! * *unreachable code*: instructions after one that never falls through (a terminator, or an
//!   `if`/`switch` all of whose branches end in one);
//! * *unused pure values*: instructions whose value is unused and that `effects` says may go
//!   (no effect, no fault, no model real);
//! * *owned temporaries freed unused*: an allocation whose only use is its `defer_release`
//!   goes with its release, and so does a `retain` paired only with its release;
//! * *dead stores*: writes to a plain local (not a parameter, no heap memory) that is never
//!   read; a heap local that is only initialised and released hands the release to its value;
//! * *empty control flow*: an `if` or `switch` whose branches are all empty;
//! * *unused functions*: functions no call reaches from the entry.
//!
//! What it deliberately does not do: remove anything `effects` calls an effect or a possible
//! fault (a division that could fault stays even when its result is unused, so the program
//! still stops there with its message), remove a loop (an empty loop may be infinite), or
//! touch instructions on model reals.

use super::effects;
use super::tree::{self, Layout};
use crate::cir::{BlockId, FuncId, Function, InstKind, LocalId, Program, Ty, ValueId};
use std::collections::{HashMap, HashSet};

/// Runs the pass over the whole program; returns whether anything changed.
pub fn run(p: &mut Program) -> bool {
    let mut changed = remove_unused_functions(p);
    for i in 0..p.functions.len() {
        let mut f = p.functions[i].clone();
        if f.blocks.is_empty() {
            continue;
        }
        if function(p, &mut f) {
            p.functions[i] = f;
            changed = true;
        }
    }
    changed
}

/// Cleans one function (which must be `p`'s copy being rewritten).
pub fn function(p: &Program, f: &mut Function) -> bool {
    let mut changed = false;
    loop {
        let round = truncate_unreachable(f) | dead_stores(p, f) | unused_values(p, f) | empty_control(f);
        if !round {
            return changed;
        }
        changed = true;
    }
}

/// Whether control never falls through the end of block `b`.
pub fn block_diverges(f: &Function, b: BlockId) -> bool {
    f.block(b).insts.last().is_some_and(|v| diverges(f, *v))
}

/// Whether control never continues after instruction `v`.
pub fn diverges(f: &Function, v: ValueId) -> bool {
    match &f.inst(v).kind {
        kind if kind.is_terminator() => true,
        InstKind::If { then_block, else_block, .. } => block_diverges(f, *then_block) && block_diverges(f, *else_block),
        InstKind::Switch { cases, default, .. } => {
            !cases.is_empty() && cases.iter().all(|(_, b)| block_diverges(f, *b)) && default.is_none_or(|d| block_diverges(f, d))
        }
        _ => false,
    }
}

fn truncate_unreachable(f: &mut Function) -> bool {
    let mut changed = false;
    for b in f.reachable_blocks() {
        let insts = &f.blocks[b.index()].insts;
        if let Some(k) = insts.iter().position(|v| diverges(f, *v))
            && k + 1 < insts.len() {
                f.blocks[b.index()].insts.truncate(k + 1);
                changed = true;
            }
    }
    changed
}

/// Writes to locals that nothing reads.
fn dead_stores(p: &Program, f: &mut Function) -> bool {
    let mut reads: HashMap<LocalId, usize> = HashMap::new();
    let mut releases: HashMap<LocalId, Vec<ValueId>> = HashMap::new();
    let mut stores: HashMap<LocalId, Vec<ValueId>> = HashMap::new();
    let mut other_writes: HashSet<LocalId> = HashSet::new();
    for b in f.reachable_blocks() {
        for v in &f.block(b).insts {
            match &f.inst(*v).kind {
                InstKind::Local(l) => *reads.entry(*l).or_default() += 1,
                InstKind::DeferReleaseLocal(l) => releases.entry(*l).or_default().push(*v),
                InstKind::SetLocal(l, _) | InstKind::InitLocal(l, _) => stores.entry(*l).or_default().push(*v),
                kind => {
                    if let Some(l) = kind.written_local() {
                        other_writes.insert(l);
                    }
                }
            }
        }
    }
    let params: HashSet<LocalId> = f.params.iter().copied().collect();
    let mut dead: HashSet<ValueId> = HashSet::new();
    let mut replace: HashMap<ValueId, InstKind> = HashMap::new();
    let layout = Layout::of(f);
    for (l, writes) in &stores {
        if params.contains(l) || reads.contains_key(l) || other_writes.contains(l) || f.local(*l).ty.contains_real() {
            continue;
        }
        let rel = releases.get(l).map_or(&[][..], Vec::as_slice);
        if !f.local(*l).ty.is_heap() && rel.is_empty() {
            dead.extend(writes.iter().copied());
            continue;
        }
        // A heap local initialised once and released once, with a value that can go with its
        // release: release the value instead (then both go). A value with effects keeps its
        // local: a lone `defer_release` of a call would be emitted as a deferred call.
        if let ([w], [r]) = (writes.as_slice(), rel)
            && let InstKind::InitLocal(_, value) = f.inst(*w).kind {
                let (rb, rpos) = layout.defined_at[r];
                let goes = matches!(f.inst(value).kind, InstKind::Retain(_)) || effects::removable_with_release(p, f, value);
                if goes && layout.reaches(value, rb, rpos) {
                    dead.insert(*w);
                    replace.insert(*r, InstKind::DeferRelease(value));
                }
            }
    }
    for (v, kind) in replace {
        f.insts[v.index()].kind = kind;
    }
    remove(f, &dead)
}

/// Unused pure values, allocations freed unused, and `retain`/release pairs.
fn unused_values(p: &Program, f: &mut Function) -> bool {
    let users = tree::users(f);
    let mut dead: HashSet<ValueId> = HashSet::new();
    let mut discarded = Vec::new();
    for b in f.reachable_blocks() {
        for &v in &f.block(b).insts {
            let inst = f.inst(v);
            if inst.ty == Ty::Void && !matches!(inst.kind, InstKind::Const(_)) {
                continue;
            }
            match users[v.index()].as_slice() {
                []
                    if effects::removable_if_unused(p, f, v) => {
                        dead.insert(v);
                    }
                [only] if matches!(f.inst(*only).kind, InstKind::DeferRelease(_)) => {
                    let pair = matches!(inst.kind, InstKind::Retain(_)) || effects::removable_with_release(p, f, v);
                    if pair && !effects::touches_real(f, v) {
                        dead.insert(v);
                        dead.insert(*only);
                    } else if !matches!(inst.kind, InstKind::Const(_)) {
                        discarded.push((b, v, *only));
                    }
                }
                _ => {}
            }
        }
    }
    let mut changed = remove(f, &dead);
    for (b, v, release) in discarded {
        if !dead.contains(&v) {
            keep_in_local(f, b, v, release);
            changed = true;
        }
    }
    changed
}

/// An owned value with effects whose only use is its release is kept in a local released on
/// exit (the form lowering gives `let x = f()`): the backend would otherwise place the
/// producing expression inside the `defer` itself, delaying its effects to the block's end.
fn keep_in_local(f: &mut Function, b: BlockId, v: ValueId, release: ValueId) {
    let ty = f.inst(v).ty.clone();
    let span = f.inst(v).span;
    let local = f.add_local("discarded", ty, false);
    let init = f.add_inst(InstKind::InitLocal(local, v), Ty::Void, span);
    let insts = &mut f.blocks[b.index()].insts;
    let at = insts.iter().position(|x| *x == v).map_or(insts.len(), |i| i + 1);
    insts.insert(at, init);
    f.insts[release.index()].kind = InstKind::DeferReleaseLocal(local);
}

/// `if`s and `switch`es with nothing in any branch.
fn empty_control(f: &mut Function) -> bool {
    let mut dead = HashSet::new();
    for b in f.reachable_blocks() {
        for &v in &f.block(b).insts {
            let kind = &f.inst(v).kind;
            if matches!(kind, InstKind::If { .. } | InstKind::Switch { .. }) && kind.blocks().iter().all(|c| f.block(*c).insts.is_empty()) {
                dead.insert(v);
            }
        }
    }
    remove(f, &dead)
}

/// Takes the given instructions out of their blocks.
pub fn remove(f: &mut Function, dead: &HashSet<ValueId>) -> bool {
    if dead.is_empty() {
        return false;
    }
    for b in f.reachable_blocks() {
        f.blocks[b.index()].insts.retain(|v| !dead.contains(v));
    }
    true
}

/// Removes the functions that no call reaches from the entry, renumbering the rest.
pub(crate) fn remove_unused_functions(p: &mut Program) -> bool {
    let Some(entry) = p.entry else { return false };
    let mut reached = vec![false; p.functions.len()];
    // Methods reachable through trait objects are referenced by their tables, models fitted
    // by `infer` by the program's list of them, and a model's data cache by the model.
    let mut pending: Vec<FuncId> = std::iter::once(entry)
        .chain(p.vtables.iter().flat_map(|t| t.methods.iter().copied()))
        .chain(p.inferred.iter().map(|m| m.func))
        .chain(p.model.as_ref().and_then(|m| m.prepare))
        .chain(p.inferred.iter().filter_map(|m| m.entry.prepare))
        .chain(p.exports.iter().map(|e| e.func))
        .collect();
    while let Some(id) = pending.pop() {
        if reached.get(id.index()).is_none_or(|r| *r) {
            continue;
        }
        reached[id.index()] = true;
        let f = &p.functions[id.index()];
        for b in f.reachable_blocks() {
            for v in &f.block(b).insts {
                if let Some(callee) = f.inst(*v).kind.callee() {
                    pending.push(callee);
                }
            }
        }
    }
    if reached.iter().all(|r| *r) {
        return false;
    }
    let mut new_id = vec![None; p.functions.len()];
    let mut next = 0;
    for (i, r) in reached.iter().enumerate() {
        if *r {
            new_id[i] = Some(FuncId::from_index(next));
            next += 1;
        }
    }
    let old = std::mem::take(&mut p.functions);
    p.functions = old.into_iter().zip(&reached).filter(|(_, r)| **r).map(|(f, _)| f).collect();
    for f in &mut p.functions {
        for inst in &mut f.insts {
            if let Some(callee) = inst.kind.callee_mut() {
                // Calls in unreachable code may name removed functions; they are never emitted.
                *callee = new_id.get(callee.index()).copied().flatten().unwrap_or(*callee);
            }
        }
    }
    for table in &mut p.vtables {
        for m in &mut table.methods {
            *m = new_id.get(m.index()).copied().flatten().unwrap_or(*m);
        }
    }
    for m in &mut p.inferred {
        m.func = new_id.get(m.func.index()).copied().flatten().unwrap_or(m.func);
        if let Some(prepare) = m.entry.prepare.as_mut() {
            *prepare = new_id.get(prepare.index()).copied().flatten().unwrap_or(*prepare);
        }
    }
    if let Some(prepare) = p.model.as_mut().and_then(|m| m.prepare.as_mut()) {
        *prepare = new_id.get(prepare.index()).copied().flatten().unwrap_or(*prepare);
    }
    for export in &mut p.exports {
        export.func = new_id.get(export.func.index()).copied().flatten().unwrap_or(export.func);
    }
    p.entry = new_id[entry.index()];
    true
}
