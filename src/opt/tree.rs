//! Helpers the passes share for walking and editing the block tree of a function: where each
//! value is defined, who uses it, which locals a region writes, and rewriting uses.
//!
//! They only read or rewrite the structure; they decide nothing about effects (that is
//! `effects`).

use crate::cir::{BlockId, Function, InstKind, LocalId, ValueId};
use std::collections::{HashMap, HashSet};

/// Where every reachable value is defined and how blocks nest.
pub struct Layout {
    /// For each value: its block and position.
    pub defined_at: HashMap<ValueId, (BlockId, usize)>,
    /// For each nested block: its parent block and the position of the owning instruction.
    pub parent: HashMap<BlockId, (BlockId, usize)>,
}

impl Layout {
    pub fn of(f: &Function) -> Layout {
        let mut defined_at = HashMap::new();
        let mut parent = HashMap::new();
        for b in f.reachable_blocks() {
            for (pos, v) in f.block(b).insts.iter().enumerate() {
                defined_at.insert(*v, (b, pos));
                for child in f.inst(*v).kind.blocks() {
                    parent.insert(child, (b, pos));
                }
            }
        }
        Layout { defined_at, parent }
    }

    /// Whether the definition of `def` reaches position `pos` of block `b` (structured
    /// dominance: earlier in the same block or in an enclosing block).
    pub fn reaches(&self, def: ValueId, b: BlockId, pos: usize) -> bool {
        let Some(&(def_block, def_pos)) = self.defined_at.get(&def) else { return false };
        let (mut block, mut position) = (b, pos);
        loop {
            if block == def_block {
                return def_pos < position;
            }
            match self.parent.get(&block) {
                Some(&(p, at)) => {
                    block = p;
                    position = at;
                }
                None => return false,
            }
        }
    }

    /// Whether block `b` is `ancestor` or nested inside it.
    pub fn within(&self, mut b: BlockId, ancestor: BlockId) -> bool {
        loop {
            if b == ancestor {
                return true;
            }
            match self.parent.get(&b) {
                Some(&(p, _)) => b = p,
                None => return false,
            }
        }
    }
}

/// How many times each value is used as an operand (in reachable code).
pub fn use_counts(f: &Function) -> Vec<u32> {
    let mut counts = vec![0u32; f.insts.len()];
    for b in f.reachable_blocks() {
        for v in &f.block(b).insts {
            for o in f.inst(*v).kind.operands() {
                if let Some(c) = counts.get_mut(o.index()) {
                    *c += 1;
                }
            }
        }
    }
    counts
}

/// The users of each value (in reachable code), in program order.
pub fn users(f: &Function) -> Vec<Vec<ValueId>> {
    let mut out = vec![Vec::new(); f.insts.len()];
    for b in f.reachable_blocks() {
        for v in &f.block(b).insts {
            for o in f.inst(*v).kind.operands() {
                if let Some(u) = out.get_mut(o.index()) {
                    u.push(*v);
                }
            }
        }
    }
    out
}

/// Every block of the subtree rooted at `root`, parents first.
pub fn subtree(f: &Function, root: BlockId) -> Vec<BlockId> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let b = out[i];
        for v in &f.block(b).insts {
            out.extend(f.inst(*v).kind.blocks());
        }
        i += 1;
    }
    out
}

/// The locals written anywhere in `blocks`.
pub fn written_locals(f: &Function, blocks: &[BlockId]) -> HashSet<LocalId> {
    blocks.iter().flat_map(|b| &f.block(*b).insts).filter_map(|v| f.inst(*v).kind.written_local()).collect()
}

/// Replaces every use of a value according to `map` (in the whole function).
pub fn replace_uses(f: &mut Function, map: &HashMap<ValueId, ValueId>) {
    if map.is_empty() {
        return;
    }
    for inst in &mut f.insts {
        inst.kind.map_operands(&mut |v| map.get(&v).copied().unwrap_or(v));
    }
}

/// The number of instructions reachable in `f` (the inliner's measure of size).
pub fn size(f: &Function) -> usize {
    f.reachable_blocks().iter().map(|b| f.block(*b).insts.len()).sum()
}

/// Whether any instruction of `f` satisfies `test`.
pub fn any_inst(f: &Function, mut test: impl FnMut(ValueId, &InstKind) -> bool) -> bool {
    f.reachable_blocks().iter().flat_map(|b| &f.block(*b).insts).any(|v| test(*v, &f.inst(*v).kind))
}

/// Rewrites the locals an instruction names (for the kinds `effects::known_kind` accepts;
/// other kinds are left as they are).
pub fn map_locals(kind: &mut InstKind, f: &mut impl FnMut(LocalId) -> LocalId) {
    match kind {
        InstKind::Local(l) | InstKind::DeferReleaseLocal(l) | InstKind::SetLocal(l, _) | InstKind::InitLocal(l, _) => *l = f(*l),
        InstKind::SetPlace { local, .. } | InstKind::BuiltinMut(_, local, _) => *local = f(*local),
        _ => {}
    }
}

/// Rewrites the nested blocks an instruction names (for the kinds `effects::known_kind`
/// accepts).
pub fn map_blocks(kind: &mut InstKind, f: &mut impl FnMut(BlockId) -> BlockId) {
    match kind {
        InstKind::If { then_block, else_block, .. } => {
            *then_block = f(*then_block);
            *else_block = f(*else_block);
        }
        InstKind::Loop { body, step } => {
            *body = f(*body);
            if let Some(s) = step {
                *s = f(*s);
            }
        }
        InstKind::Switch { cases, default, .. } => {
            for (_, b) in cases.iter_mut() {
                *b = f(*b);
            }
            if let Some(d) = default {
                *d = f(*d);
            }
        }
        _ => {}
    }
}

/// Renumbers values, blocks and locals in the order the CIR printer shows them, dropping
/// instructions, blocks and locals nothing reaches any more. A function with an instruction
/// kind the passes do not know is left as it is.
pub fn renumber(f: &mut Function) {
    if f.blocks.is_empty() || any_inst(f, |_, k| !super::effects::known_kind(k)) {
        return;
    }
    let mut value_order: Vec<ValueId> = Vec::new();
    let mut block_order: Vec<BlockId> = Vec::new();
    fn walk(f: &Function, b: BlockId, values: &mut Vec<ValueId>, blocks: &mut Vec<BlockId>) {
        blocks.push(b);
        for v in &f.block(b).insts {
            values.push(*v);
            for child in f.inst(*v).kind.blocks() {
                walk(f, child, values, blocks);
            }
        }
    }
    walk(f, f.body, &mut value_order, &mut block_order);
    let value_map: HashMap<ValueId, ValueId> = value_order.iter().enumerate().map(|(i, v)| (*v, ValueId::from_index(i))).collect();
    let block_map: HashMap<BlockId, BlockId> = block_order.iter().enumerate().map(|(i, b)| (*b, BlockId::from_index(i))).collect();
    let mut used = vec![false; f.locals.len()];
    let mut mark = |l: LocalId| {
        if let Some(u) = used.get_mut(l.index()) {
            *u = true;
        }
        l
    };
    f.params.iter().for_each(|&l| {
        mark(l);
    });
    for v in &value_order {
        let mut kind = f.inst(*v).kind.clone();
        map_locals(&mut kind, &mut mark);
    }
    // In ascending order, as the printer numbers them.
    let used_locals: Vec<LocalId> = used.iter().enumerate().filter(|(_, u)| **u).map(|(i, _)| LocalId::from_index(i)).collect();
    let local_map: HashMap<LocalId, LocalId> = used_locals.iter().enumerate().map(|(i, l)| (*l, LocalId::from_index(i))).collect();
    let insts = value_order
        .iter()
        .map(|v| {
            let mut inst = f.inst(*v).clone();
            inst.kind.map_operands(&mut |o| value_map.get(&o).copied().unwrap_or(o));
            map_blocks(&mut inst.kind, &mut |b| block_map.get(&b).copied().unwrap_or(b));
            map_locals(&mut inst.kind, &mut |l| local_map.get(&l).copied().unwrap_or(l));
            inst
        })
        .collect();
    let blocks = block_order
        .iter()
        .map(|b| crate::cir::Block { insts: f.block(*b).insts.iter().map(|v| value_map[v]).collect() })
        .collect();
    f.locals = used_locals.iter().map(|l| f.local(*l).clone()).collect();
    f.params = f.params.iter().map(|l| local_map[l]).collect();
    f.insts = insts;
    f.blocks = blocks;
    f.body = BlockId(0);
}
