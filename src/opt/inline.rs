//! Inlining: replaces a call by a copy of the callee's body.
//!
//! The heuristic ([`should_inline`]): a callee is inlined when it is *small* (at most
//! [`SMALL`] instructions, at any number of call sites) or called from exactly *one* place
//! (at most [`SINGLE_CALL`] instructions), and the caller stays below [`CALLER_LIMIT`]
//! instructions. Never inlined: functions on a call-graph cycle (recursion, direct or mutual,
//! so inlining always terminates), the entry, functions that may throw or contain a `try`,
//! functions with an instruction kind the passes do not know, calls between a model function
//! and a plain one that samples or computes a log density, and — so that a fault message
//! keeps naming the function the user wrote — functions containing an instruction that
//! reports its location (checked integer arithmetic, indexing, …; see
//! `effects::reports_location`), unless caller and callee have the same source name.
//!
//! How: the callee's locals are added to the caller's; reads of a parameter become the
//! argument (parameters are never written); a callee whose only `return` ends its body is
//! spliced in place, its returned value replacing the call's; a callee with early returns
//! becomes a one-pass loop where each `return` stores its value into a result local and
//! breaks (only when no `return` sits inside a loop of the callee, and the result is void or a
//! number or `bool`, which has a zero to start from). Ownership is unchanged: arguments stay
//! borrowed, the returned value stays owned by the caller.
//!
//! What it deliberately does not do: inline through recursion, specialise on constant
//! arguments (folding after inlining does that), or inline calls in code that never runs.

use super::effects;
use super::tree;
use crate::cir::{Block, BlockId, Const, FuncId, Function, InstKind, LocalId, Program, Ty, ValueId};
use std::collections::{HashMap, HashSet};

/// Callees at most this big are inlined at every call site.
pub const SMALL: usize = 16;
/// Callees called from one place are inlined up to this size.
pub const SINGLE_CALL: usize = 200;
/// No caller grows beyond this many instructions by inlining.
pub const CALLER_LIMIT: usize = 4000;
/// Rounds of inlining (calls exposed by an inlined body are considered in the next round).
const ROUNDS: usize = 4;

/// Runs the pass over the whole program; returns whether anything changed.
pub fn run(p: &mut Program) -> bool {
    let mut changed = false;
    for _ in 0..ROUNDS {
        let recursive = recursive_functions(p);
        let sites = call_sites(p);
        let mut round = false;
        for caller in 0..p.functions.len() {
            if p.functions[caller].blocks.is_empty() {
                continue;
            }
            let mut f = p.functions[caller].clone();
            let mut any = false;
            while let Some((b, pos, callee)) = next_site(p, &f, caller, &recursive, &sites) {
                inline_at(p, &mut f, b, pos, callee);
                any = true;
            }
            if any {
                p.functions[caller] = f;
                round = true;
            }
        }
        if !round {
            break;
        }
        changed = true;
    }
    changed
}

/// The functions on a cycle of the call graph (including self-calls): those sharing a
/// strongly connected component with one of their callees.
fn recursive_functions(p: &Program) -> HashSet<FuncId> {
    let calls: Vec<Vec<usize>> = p.functions.iter().map(|f| callees(f).into_iter().map(FuncId::index).collect()).collect();
    let component = crate::graph::components(&calls);
    let on_cycle = |(caller, callees): (usize, &Vec<usize>)| callees.iter().any(|&g| component.get(g) == Some(&component[caller]));
    calls.iter().enumerate().filter(|&(i, c)| on_cycle((i, c))).map(|(i, _)| FuncId::from_index(i)).collect()
}

fn callees(f: &Function) -> HashSet<FuncId> {
    let mut out = HashSet::new();
    if f.blocks.is_empty() {
        return out;
    }
    for b in f.reachable_blocks() {
        for v in &f.block(b).insts {
            if let InstKind::Call(g, _) = f.inst(*v).kind {
                out.insert(g);
            }
        }
    }
    out
}

/// How many reachable call instructions name each function.
fn call_sites(p: &Program) -> HashMap<FuncId, usize> {
    let mut out = HashMap::new();
    for f in &p.functions {
        if f.blocks.is_empty() {
            continue;
        }
        for b in f.reachable_blocks() {
            for v in &f.block(b).insts {
                if let InstKind::Call(g, _) = f.inst(*v).kind {
                    *out.entry(g).or_insert(0) += 1;
                }
            }
        }
    }
    out
}

/// The next call in `f` (the program's function `caller`) worth inlining.
fn next_site(p: &Program, f: &Function, caller: usize, recursive: &HashSet<FuncId>, sites: &HashMap<FuncId, usize>) -> Option<(BlockId, usize, FuncId)> {
    let size = tree::size(f);
    for b in f.reachable_blocks() {
        for (pos, v) in f.block(b).insts.iter().enumerate() {
            let InstKind::Call(g, _) = f.inst(*v).kind else { continue };
            if g.index() == caller || recursive.contains(&g) {
                continue;
            }
            let Some(callee) = p.functions.get(g.index()) else { continue };
            if should_inline(p, f, callee, g, sites.get(&g).copied().unwrap_or(0)) && size + tree::size(callee) <= CALLER_LIMIT {
                return Some((b, pos, g));
            }
        }
    }
    None
}

/// The heuristic (see the module documentation).
pub fn should_inline(p: &Program, caller: &Function, callee: &Function, id: FuncId, sites: usize) -> bool {
    if callee.blocks.is_empty() || p.entry == Some(id) || callee.can_throw {
        return false;
    }
    let size = tree::size(callee);
    if !(size <= SMALL || (sites == 1 && size <= SINGLE_CALL)) {
        return false;
    }
    let same_name = caller.source_name == callee.source_name;
    let mut ok = true;
    let params: HashSet<LocalId> = callee.params.iter().copied().collect();
    tree::any_inst(callee, |v, kind| {
        let bad = !effects::known_kind(kind)
            || (!same_name && effects::reports_location(p, callee, v))
            || (caller.model != callee.model && matches!(kind, InstKind::Sample { .. } | InstKind::LogDensity { .. }))
            || kind.written_local().is_some_and(|l| params.contains(&l))
            || matches!(kind, InstKind::DeferReleaseLocal(l) if params.contains(l));
        ok &= !bad;
        bad
    });
    if !ok {
        return false;
    }
    if caller.model != callee.model && (callee.model || tree::any_inst(callee, |_, k| matches!(k, InstKind::Observe { .. } | InstKind::Factor(_) | InstKind::Record { .. } | InstKind::PrintText(_)))) {
        return false;
    }
    match shape(callee) {
        Shape::Splice => true,
        Shape::Wrapped => matches!(callee.ret, Ty::Void | Ty::Int(_) | Ty::Float(_) | Ty::Bool),
        Shape::No => false,
    }
}

enum Shape {
    /// The only `return` (if any) is the last instruction of the body.
    Splice,
    /// Early returns, none inside a loop: a one-pass loop with a result local.
    Wrapped,
    No,
}

fn shape(f: &Function) -> Shape {
    let mut returns = 0;
    let mut in_loop = false;
    fn visit(f: &Function, b: BlockId, depth: usize, returns: &mut usize, in_loop: &mut bool) {
        for v in &f.block(b).insts {
            let kind = &f.inst(*v).kind;
            if matches!(kind, InstKind::Return(_)) {
                *returns += 1;
                *in_loop |= depth > 0;
            }
            let deeper = if matches!(kind, InstKind::Loop { .. }) { depth + 1 } else { depth };
            for child in kind.blocks() {
                visit(f, child, deeper, returns, in_loop);
            }
        }
    }
    visit(f, f.body, 0, &mut returns, &mut in_loop);
    let last_is_return = f.block(f.body).insts.last().is_some_and(|v| matches!(f.inst(*v).kind, InstKind::Return(_)));
    if returns == 0 || (returns == 1 && last_is_return) {
        Shape::Splice
    } else if in_loop {
        Shape::No
    } else {
        Shape::Wrapped
    }
}

/// Copies callee code into the caller.
struct Copier<'a> {
    callee: &'a Function,
    values: HashMap<ValueId, ValueId>,
    locals: HashMap<LocalId, LocalId>,
    /// Each parameter's argument.
    params: HashMap<LocalId, ValueId>,
    /// Wrapped form: the result local (if any) that `return` stores into before breaking.
    wrapped: Option<Option<LocalId>>,
}

impl Copier<'_> {
    fn block(&mut self, f: &mut Function, b: BlockId) -> BlockId {
        let out = f.add_block();
        let insts = self.insts(f, &self.callee.block(b).insts.clone());
        f.blocks[out.index()] = Block { insts };
        out
    }

    fn insts(&mut self, f: &mut Function, list: &[ValueId]) -> Vec<ValueId> {
        let mut out = Vec::new();
        for &v in list {
            let inst = self.callee.inst(v);
            if let InstKind::Local(l) = inst.kind
                && let Some(arg) = self.params.get(&l) {
                    self.values.insert(v, *arg);
                    continue;
                }
            if let (Some(result), InstKind::Return(value)) = (self.wrapped, &inst.kind) {
                if let (Some(r), Some(x)) = (result, value) {
                    let x = self.values[x];
                    out.push(f.add_inst(InstKind::SetLocal(r, x), Ty::Void, inst.span));
                }
                out.push(f.add_inst(InstKind::Break, Ty::Void, inst.span));
                continue;
            }
            let mut kind = inst.kind.clone();
            kind.map_operands(&mut |o| self.values.get(&o).copied().unwrap_or(o));
            tree::map_locals(&mut kind, &mut |l| self.locals.get(&l).copied().unwrap_or(l));
            let mut children = Vec::new();
            tree::map_blocks(&mut kind, &mut |c| {
                children.push(c);
                c
            });
            let copies: HashMap<BlockId, BlockId> = children.iter().map(|c| (*c, self.block(f, *c))).collect();
            tree::map_blocks(&mut kind, &mut |c| copies[&c]);
            let new = f.add_inst(kind, inst.ty.clone(), inst.span);
            self.values.insert(v, new);
            out.push(new);
        }
        out
    }
}

/// Inlines the call at position `pos` of block `b` of `f`.
fn inline_at(p: &Program, f: &mut Function, b: BlockId, pos: usize, callee_id: FuncId) {
    let callee = &p.functions[callee_id.index()];
    let call = f.block(b).insts[pos];
    let InstKind::Call(_, args) = f.inst(call).kind.clone() else { return };
    let params = callee.params.iter().copied().zip(args.iter().copied()).collect();
    let mut copier = Copier { callee, values: HashMap::new(), locals: HashMap::new(), params, wrapped: None };
    for (i, decl) in callee.locals.iter().enumerate() {
        let l = LocalId::from_index(i);
        if !callee.params.contains(&l) {
            let new = f.add_local(decl.name.clone(), decl.ty.clone(), decl.mutable);
            copier.locals.insert(l, new);
        }
    }
    let span = f.inst(call).span;
    let rest: Vec<ValueId> = f.block(b).insts[pos + 1..].to_vec();
    let mut insts: Vec<ValueId> = f.block(b).insts[..pos].to_vec();
    match shape(callee) {
        Shape::Splice => {
            let body = callee.block(callee.body).insts.clone();
            let (last, init) = match body.split_last() {
                Some((l, init)) if matches!(callee.inst(*l).kind, InstKind::Return(_)) => (Some(*l), init.to_vec()),
                _ => (None, body),
            };
            insts.extend(copier.insts(f, &init));
            if let Some(InstKind::Return(Some(x))) = last.map(|l| &callee.inst(l).kind) {
                let result = copier.values[x];
                let map = HashMap::from([(call, result)]);
                tree::replace_uses(f, &map);
            }
        }
        Shape::Wrapped | Shape::No => {
            let result = (callee.ret != Ty::Void).then(|| f.add_local(format!("{}_result", callee.source_name), callee.ret.clone(), true));
            if let Some(r) = result {
                let zero = match callee.ret {
                    Ty::Float(_) => Const::Float(0.0),
                    Ty::Bool => Const::Bool(false),
                    _ => Const::Int(0),
                };
                let z = f.add_inst(InstKind::Const(zero), callee.ret.clone(), span);
                insts.push(z);
                insts.push(f.add_inst(InstKind::InitLocal(r, z), Ty::Void, span));
            }
            copier.wrapped = Some(result);
            let body = copier.block(f, callee.body);
            if !super::dce::block_diverges(f, body) {
                let brk = f.add_inst(InstKind::Break, Ty::Void, span);
                f.blocks[body.index()].insts.push(brk);
            }
            insts.push(f.add_inst(InstKind::Loop { body, step: None }, Ty::Void, span));
            if let Some(r) = result {
                f.insts[call.index()].kind = InstKind::Local(r);
                insts.push(call);
            }
        }
    }
    let diverged = insts.last().is_some_and(|v| super::dce::diverges(f, *v));
    if !diverged {
        insts.extend(rest);
    }
    f.blocks[b.index()].insts = insts;
}

/// Inlines the calls of function `caller` (and the calls they expose), up to `limit` of them,
/// with no size or location heuristic: only callees the copier can take (not recursive, not
/// throwing, no early return inside a loop, parameters never written). Used by compiled
/// gradients (`crate::ad`), which differentiate call-free code; the program is not changed.
pub fn inline_all_calls(p: &Program, caller: FuncId, limit: usize) -> Function {
    let recursive = recursive_functions(p);
    let mut f = p.func(caller).clone();
    for _ in 0..limit {
        let Some((b, pos, g)) = any_site(p, &f, &recursive) else { break };
        inline_at(p, &mut f, b, pos, g);
    }
    f
}

/// The first call in `f` whose callee `inline_all_calls` may inline.
fn any_site(p: &Program, f: &Function, recursive: &HashSet<FuncId>) -> Option<(BlockId, usize, FuncId)> {
    for b in f.reachable_blocks() {
        for (pos, v) in f.block(b).insts.iter().enumerate() {
            let InstKind::Call(g, _) = f.inst(*v).kind else { continue };
            let Some(callee) = p.functions.get(g.index()) else { continue };
            if recursive.contains(&g) || callee.blocks.is_empty() || callee.can_throw || matches!(shape(callee), Shape::No) {
                continue;
            }
            let params: HashSet<LocalId> = callee.params.iter().copied().collect();
            let copyable = !tree::any_inst(callee, |_, kind| {
                !effects::known_kind(kind) || kind.written_local().is_some_and(|l| params.contains(&l)) || matches!(kind, InstKind::DeferReleaseLocal(l) if params.contains(l))
            });
            let wrapped_ok = !matches!(shape(callee), Shape::Wrapped) || matches!(callee.ret, Ty::Void | Ty::Int(_) | Ty::Float(_) | Ty::Bool);
            if copyable && wrapped_ok {
                return Some((b, pos, g));
            }
        }
    }
    None
}
