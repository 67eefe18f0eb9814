//! Which instructions of a log density the adjoint needs (`live_values`), and the walk over
//! every instruction of a function in program order (`collect_insts`) that `emit` and `fill`
//! share.

use crate::cir::{Function, InstKind, LocalId, Ty, ValueId};
use std::collections::{HashMap, HashSet};

/// The instructions of `f` that the log density needs: every `sample` and every statement
/// except output records (and releases, which the adjoint's arena makes moot), and the values
/// they use.
pub(super) fn live_values(f: &Function) -> HashSet<ValueId> {
    let mut all = Vec::new();
    collect_insts(f, &f.block(f.body).insts, &mut all);
    let mut live: HashSet<ValueId> = HashSet::new();
    let mut work: Vec<ValueId> = Vec::new();
    for &v in &all {
        let inst = f.inst(v);
        let output = matches!(
            inst.kind,
            InstKind::Record { .. }
                | InstKind::PrintText(_)
                | InstKind::DeferRelease(_)
                | InstKind::DeferReleaseLocal(_)
        );
        // parameters are always read (in order) and their priors always count
        let param = matches!(inst.kind, InstKind::Sample { .. });
        if (inst.ty == Ty::Void && !output) || param {
            work.push(v);
        }
    }
    // a read of a local is needed when the local's value is: its stores are then needed too
    let mut stores: HashMap<LocalId, Vec<ValueId>> = HashMap::new();
    for &v in &all {
        if let InstKind::InitLocal(l, _)
        | InstKind::SetLocal(l, _)
        | InstKind::SetPlace { local: l, .. } = &f.inst(v).kind
        {
            stores.entry(*l).or_default().push(v);
        }
    }
    while let Some(v) = work.pop() {
        if !live.insert(v) {
            continue;
        }
        let kind = &f.inst(v).kind;
        work.extend(kind.operands());
        if let InstKind::Local(l) = kind {
            work.extend(stores.get(l).into_iter().flatten().copied());
        }
    }
    live
}

pub(super) fn collect_insts(f: &Function, insts: &[ValueId], out: &mut Vec<ValueId>) {
    for &v in insts {
        out.push(v);
        match &f.inst(v).kind {
            InstKind::Loop { body, step } => {
                collect_insts(f, &f.block(*body).insts, out);
                if let Some(s) = step {
                    collect_insts(f, &f.block(*s).insts, out);
                }
            }
            InstKind::If {
                then_block,
                else_block,
                ..
            } => {
                collect_insts(f, &f.block(*then_block).insts, out);
                collect_insts(f, &f.block(*else_block).insts, out);
            }
            _ => {}
        }
    }
}
