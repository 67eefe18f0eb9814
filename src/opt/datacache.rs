//! Data caching: moves the data-only work of a model's log density into a function
//! that runs once per process, after the data is read (Stan's "transformed data", found
//! instead of declared).
//!
//! The log density (the model's entry function) runs for every gradient, thousands of times
//! per draw; a covariate standardised inside it, or a sum over the data, is recomputed each
//! time although it depends on the data alone. This pass splits the entry:
//!
//! * A top-level statement of the entry (an instruction of its body block, with every block
//!   nested in it) is *data-only* when nothing in it has an effect besides writing locals
//!   (in-place built-ins like `push` included, `effects::mutates_only_its_local`),
//!   releasing memory or possibly faulting (`effects`), nothing touches a model real, every
//!   local it reads is a data parameter (never written) or a *cached local*, every local it
//!   writes is a cached local, and every value it uses from outside is defined by an earlier
//!   data-only statement. A cached local is one written only by data-only statements and read
//!   by the other statements only after the last of those writes.
//! * The data-only statements move, in order, into a new function `<entry>__data` taking the
//!   data parameters and returning a record (the *cache*) holding what the rest of the entry
//!   uses: values, and the final value of cached locals (heap values retained).
//! * The entry gets the cache as an extra last parameter and reads those fields instead.
//!   `ModelEntry::prepare` names the new function; the backend calls it once when the data
//!   is read and keeps its result next to the data.
//!
//! Values are computed by the same instructions on the same inputs, so every result is
//! bit-identical and draws do not change. A fault in moved code (an index out of the data's
//! bounds) stops the program with the same message, before sampling instead of at the first
//! evaluation; a model that prints text at setup (`PrintText`) keeps code that may fault in
//! place, so that its output keeps its order.
//!
//! Models fitted by `infer` are split the same way: their data, built by the program, goes
//! through the same `Data.read`, so the cache is computed once per `infer` call.
//!
//! What it deliberately does not do: move calls (user functions are not analysed), or
//! statements nested inside code that stays (only whole top-level statements move — `licm`
//! first brings invariant work out of loops).

use super::effects;
use crate::cir::{FuncId, Function, Inst, InstKind, LocalId, Program, Ty, TypeDef, TypeKind, ValueId};
use crate::types::AdtId;
use std::collections::{HashMap, HashSet};

/// Runs the pass on the entry of a model program and on every model fitted by `infer`;
/// returns whether anything changed.
pub fn run(p: &mut Program) -> bool {
    let mut targets: Vec<(FuncId, Option<usize>)> = Vec::new();
    if let (Some(entry), Some(model)) = (p.entry, &p.model)
        && model.prepare.is_none()
    {
        targets.push((entry, None));
    }
    targets.extend(p.inferred.iter().enumerate().filter(|(_, m)| m.entry.prepare.is_none()).map(|(i, m)| (m.func, Some(i))));
    let mut changed = false;
    for (func, inferred) in targets {
        if called_anywhere(p, func) {
            continue;
        }
        let f = p.func(func);
        if f.blocks.is_empty() || !f.model {
            continue;
        }
        let Some(split) = Split::find(p, f) else { continue };
        let prepare = apply(p, func, &split);
        let model = match inferred {
            None => p.model.as_mut(),
            Some(i) => p.inferred.get_mut(i).map(|m| &mut m.entry),
        };
        if let Some(model) = model {
            model.prepare = Some(prepare);
        }
        changed = true;
    }
    changed
}

/// A model's entry must be called by nothing but the sampler (its signature changes).
fn called_anywhere(p: &Program, entry: FuncId) -> bool {
    p.functions.iter().any(|f| f.reachable_blocks().iter().flat_map(|b| &f.block(*b).insts).any(|v| f.inst(*v).kind.callee() == Some(entry)))
}

/// What moves and what the rest of the entry needs from it.
struct Split {
    /// The moved top-level instructions, in order.
    moved: Vec<ValueId>,
    /// Moved instructions the entry keeps too (constants, reads of data parameters).
    kept: Vec<ValueId>,
    /// Values defined by moved instructions and used by the others.
    values: Vec<ValueId>,
    /// Cached locals read by the others.
    locals: Vec<LocalId>,
}

impl Split {
    fn find(p: &Program, f: &Function) -> Option<Split> {
        let top = f.block(f.body).insts.clone();
        let subtree: Vec<Vec<ValueId>> = top.iter().map(|t| statement(f, *t)).collect();
        let written_anywhere: HashSet<LocalId> = subtree.iter().flatten().filter_map(|v| f.inst(*v).kind.written_local()).collect();
        let data_params: HashSet<LocalId> = f.params.iter().copied().filter(|l| !written_anywhere.contains(l)).collect();
        let mut moving = candidates(p, f, &subtree);
        prune(f, &subtree, &mut moving, &data_params);
        let cached = cached_locals(f, &subtree, &moving);
        let staying: Vec<ValueId> = (0..top.len()).filter(|i| !moving[*i]).flat_map(|i| subtree[i].iter().copied()).collect();
        let moved_values: HashSet<ValueId> = (0..top.len()).filter(|i| moving[*i]).flat_map(|i| subtree[i].iter().copied()).collect();
        let rematerialisable = |v: ValueId| match f.inst(v).kind {
            InstKind::Const(_) => true,
            InstKind::Local(l) => data_params.contains(&l),
            _ => false,
        };
        let mut values = Vec::new();
        let mut locals = Vec::new();
        for v in &staying {
            let kind = &f.inst(*v).kind;
            for o in kind.operands() {
                if moved_values.contains(&o) && !rematerialisable(o) && !values.contains(&o) {
                    values.push(o);
                }
            }
            if let InstKind::Local(l) = kind
                && cached.contains(l)
                && !locals.contains(l)
            {
                locals.push(*l);
            }
        }
        let moved: Vec<ValueId> = (0..top.len()).filter(|i| moving[*i]).map(|i| top[i]).collect();
        // (Only those the remaining code uses: the backend takes a read of a parameter
        // nobody uses for a use, and Zig rejects an unused parameter.)
        let used_by_staying: HashSet<ValueId> = staying.iter().flat_map(|v| f.inst(*v).kind.operands()).collect();
        let kept = moved.iter().copied().filter(|v| rematerialisable(*v) && used_by_staying.contains(v)).collect();
        let work = moved_values.iter().any(|v| is_work(&f.inst(*v).kind));
        if !work || (values.is_empty() && locals.is_empty()) {
            return None;
        }
        Some(Split { moved, kept, values, locals })
    }
}

/// The top-level statements whose every instruction is data-only. Code that may fault moves
/// only where it ran unconditionally: after no statement that can end the evaluation early,
/// and in a model that prints nothing at setup.
fn candidates(p: &Program, f: &Function, subtree: &[Vec<ValueId>]) -> Vec<bool> {
    let prints = subtree.iter().flatten().any(|v| matches!(f.inst(*v).kind, InstKind::PrintText(_)));
    let mut may_exit = false;
    let mut moving = Vec::with_capacity(subtree.len());
    for s in subtree {
        let faults_allowed = !prints && !may_exit;
        moving.push(s.iter().all(|v| data_only(p, f, *v, faults_allowed)));
        may_exit |= s.iter().any(|v| can_exit(&f.inst(*v).kind));
    }
    moving
}

/// Drops candidates that break a rule (a local that is neither a data parameter nor cached, an
/// operand from a statement that stays, a heap value the staying code takes ownership of)
/// until none does.
fn prune(f: &Function, subtree: &[Vec<ValueId>], moving: &mut [bool], data_params: &HashSet<LocalId>) {
    let defined: HashMap<ValueId, usize> = subtree.iter().enumerate().flat_map(|(i, s)| s.iter().map(move |v| (*v, i))).collect();
    loop {
        let cached = cached_locals(f, subtree, moving);
        let mut changed = false;
        for i in 0..subtree.len() {
            if !moving[i] {
                continue;
            }
            let ok = subtree[i].iter().all(|v| {
                let kind = &f.inst(*v).kind;
                let locals_ok = locals_of(kind).iter().all(|l| data_params.contains(l) || cached.contains(l));
                let operands_ok = kind.operands().iter().all(|o| defined.get(o).is_none_or(|&j| j == i || moving[j]));
                locals_ok && operands_ok
            });
            let escapes = subtree[i].iter().any(|v| f.inst(*v).ty.is_heap() && consumed_outside(f, *v, subtree, moving));
            if !ok || escapes {
                moving[i] = false;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// A top-level instruction and every instruction nested in it, in program order.
fn statement(f: &Function, top: ValueId) -> Vec<ValueId> {
    let mut out = vec![top];
    let mut i = 0;
    while i < out.len() {
        for b in f.inst(out[i]).kind.blocks() {
            out.extend(f.block(b).insts.iter().copied());
        }
        i += 1;
    }
    out
}

/// Whether one instruction may run once per process instead of once per evaluation.
fn data_only(p: &Program, f: &Function, v: ValueId, faults_allowed: bool) -> bool {
    if effects::touches_real(f, v) {
        return false;
    }
    let e = effects::effect(p, f, v);
    if e.may_fault && !faults_allowed {
        return false;
    }
    use InstKind as K;
    match &f.inst(v).kind {
        K::InitLocal(..) | K::SetLocal(..) | K::SetPlace { .. } | K::DeferRelease(_) | K::DeferReleaseLocal(_) | K::Retain(_) => true,
        K::If { .. } | K::Loop { .. } | K::Switch { .. } | K::Break | K::Continue => true,
        kind @ K::BuiltinMut(..) => effects::mutates_only_its_local(kind),
        _ => !e.side_effect,
    }
}

/// Whether an instruction can end an evaluation of the entry before the next statement.
fn can_exit(kind: &InstKind) -> bool {
    use InstKind as K;
    matches!(kind, K::Return(_) | K::Throw(_) | K::Unreachable | K::Call(..) | K::CallDyn(..) | K::CallExtern(..))
}

/// The locals an instruction reads, writes or releases.
fn locals_of(kind: &InstKind) -> Vec<LocalId> {
    match kind {
        InstKind::Local(l) | InstKind::DeferReleaseLocal(l) => vec![*l],
        _ => kind.written_local().into_iter().collect(),
    }
}

/// Locals written only by moving statements (never a parameter) and read by the others only
/// after the last such write.
fn cached_locals(f: &Function, subtree: &[Vec<ValueId>], moving: &[bool]) -> HashSet<LocalId> {
    let mut last_write: HashMap<LocalId, usize> = HashMap::new();
    let mut bad: HashSet<LocalId> = f.params.iter().copied().collect();
    for (i, s) in subtree.iter().enumerate() {
        for v in s {
            let kind = &f.inst(*v).kind;
            if let Some(l) = kind.written_local() {
                if moving[i] {
                    last_write.insert(l, i);
                } else {
                    bad.insert(l);
                }
            }
        }
    }
    for (i, s) in subtree.iter().enumerate() {
        if moving[i] {
            continue;
        }
        for v in s {
            for l in locals_of(&f.inst(*v).kind) {
                if last_write.get(&l).is_some_and(|&w| w > i) || matches!(f.inst(*v).kind, InstKind::DeferReleaseLocal(_)) {
                    bad.insert(l);
                }
            }
        }
    }
    last_write.into_keys().filter(|l| !bad.contains(l)).collect()
}

/// Whether a staying instruction takes ownership of `v` (then `v` cannot be a borrowed field).
fn consumed_outside(f: &Function, v: ValueId, subtree: &[Vec<ValueId>], moving: &[bool]) -> bool {
    subtree.iter().zip(moving).filter(|(_, m)| !**m).flat_map(|(s, _)| s).any(|u| {
        let kind = &f.inst(*u).kind;
        kind.operands().contains(&v) && effects::consumes(kind, v)
    })
}

/// Whether moving this instruction saves more than a few machine instructions: a loop, a
/// built-in (other than `len`) or a constructor. Scalar arithmetic alone is not worth a cache.
fn is_work(kind: &InstKind) -> bool {
    use InstKind as K;
    match kind {
        K::Loop { .. } | K::MakeArray(_) | K::MakeRecord(_) => true,
        K::Builtin(name, _) => *name != "len",
        _ => false,
    }
}

/// Builds the cache type and the `__data` function (returned), and rewrites the entry to read
/// the cache.
fn apply(p: &mut Program, entry: FuncId, split: &Split) -> FuncId {
    let f = p.func(entry).clone();
    let mut taken = HashSet::new();
    let fields: Vec<(String, Ty)> = split
        .values
        .iter()
        .map(|v| ("value".to_string(), f.inst(*v).ty.clone()))
        .chain(split.locals.iter().map(|l| (f.local(*l).name.clone(), f.local(*l).ty.clone())))
        .map(|(base, ty)| {
            let mut name = base.clone();
            let mut k = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}_{k}");
                k += 1;
            }
            (name, ty)
        })
        .collect();
    let type_id = AdtId(u32::try_from(p.types.len()).unwrap_or(u32::MAX));
    p.types.push(TypeDef { name: format!("{}__Cache", f.name), kind: TypeKind::Record { fields: fields.clone() }, builtin: None, is_error: false });
    let cache_ty = Ty::Adt(type_id, Vec::new());
    let prepare = prepare_function(&f, split, &cache_ty);
    p.functions.push(prepare);
    let prepare_id = FuncId::from_index(p.functions.len() - 1);
    p.functions[entry.index()] = reading_entry(f, split, &cache_ty, &fields);
    prepare_id
}

/// `<entry>__data(data…) -> Cache`: the moved statements, then the cache record.
fn prepare_function(f: &Function, split: &Split, cache_ty: &Ty) -> Function {
    let mut g = f.clone();
    g.name = format!("{}__data", f.name);
    g.model = false;
    g.can_throw = false;
    g.ret = cache_ty.clone();
    let span = f.span;
    // Reads of parameters that only the entry used stay behind (see `kept`).
    let used: HashSet<ValueId> = split.moved.iter().flat_map(|t| statement(f, *t)).flat_map(|v| f.inst(v).kind.operands()).chain(split.values.iter().copied()).collect();
    let mut body: Vec<ValueId> = split.moved.iter().copied().filter(|v| !split.kept.contains(v) || used.contains(v)).collect();
    let mut items = Vec::new();
    let owned = |g: &mut Function, body: &mut Vec<ValueId>, v: ValueId| {
        let ty = g.inst(v).ty.clone();
        if !ty.is_heap() {
            return v;
        }
        let r = g.add_inst(InstKind::Retain(v), ty, span);
        body.push(r);
        r
    };
    for v in &split.values {
        items.push(owned(&mut g, &mut body, *v));
    }
    for l in &split.locals {
        let read = g.add_inst(InstKind::Local(*l), f.local(*l).ty.clone(), span);
        body.push(read);
        items.push(owned(&mut g, &mut body, read));
    }
    let record = g.add_inst(InstKind::MakeRecord(items), cache_ty.clone(), span);
    let ret = g.add_inst(InstKind::Return(Some(record)), Ty::Void, span);
    body.extend([record, ret]);
    g.blocks[g.body.index()].insts = body;
    g
}

/// The entry without the moved statements, reading what it needs from the cache parameter.
fn reading_entry(mut f: Function, split: &Split, cache_ty: &Ty, fields: &[(String, Ty)]) -> Function {
    let span = f.span;
    let cache = f.add_local("sev_cache", cache_ty.clone(), false);
    f.params.push(cache);
    let moved: HashSet<ValueId> = split.moved.iter().flat_map(|t| statement(&f, *t)).collect();
    let mut head = Vec::new();
    let cache_value = f.add_inst(InstKind::Local(cache), cache_ty.clone(), span);
    head.push(cache_value);
    let mut replace: HashMap<ValueId, ValueId> = HashMap::new();
    for (i, v) in split.values.iter().enumerate() {
        let field = f.add_inst(InstKind::Field(cache_value, i), fields[i].1.clone(), span);
        head.push(field);
        replace.insert(*v, field);
    }
    let local_field: HashMap<LocalId, usize> = split.locals.iter().enumerate().map(|(j, l)| (*l, split.values.len() + j)).collect();
    let body = f.body;
    let rest: Vec<ValueId> = f.block(body).insts.iter().copied().filter(|v| !moved.contains(v) || split.kept.contains(v)).collect();
    head.extend(rest);
    f.blocks[body.index()].insts = head;
    let staying: Vec<ValueId> = f.reachable_blocks().iter().flat_map(|b| f.block(*b).insts.clone()).collect();
    for v in staying {
        let Inst { kind, .. } = &mut f.insts[v.index()];
        kind.map_operands(&mut |o| replace.get(&o).copied().unwrap_or(o));
        if let InstKind::Local(l) = kind
            && let Some(&j) = local_field.get(l)
        {
            *kind = InstKind::Field(cache_value, j);
        }
    }
    f
}
