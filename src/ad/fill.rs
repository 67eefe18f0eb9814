//! Filled buffers: an `array_fill(n, x)` of data whose only use is its `cast` to an array of
//! model reals (the `array_fill(N, 0.0)` a model then overwrites element by element, as in
//! kidiq's `mu`) becomes one buffer filled with `x` (`rtad.filled`), instead of a data list
//! that is built, copied into a buffer and released in every gradient.
//!
//! The fused form faults exactly as the list did (same message, at the `array_fill`), and
//! its values are the same numbers, so gradients and draws do not change. It is found on the
//! pre-optimisation CIR that `ad::plan` keeps, so it is the same at every `-O`.

use super::analysis::is_real_array;
use super::live::collect_insts;
use crate::cir::{Function, InstKind, Ty, ValueId};
use crate::types::FloatTy;
use std::collections::HashMap;

/// The fused fills of one function: each `cast` that becomes a filled buffer, with its
/// `array_fill`.
#[derive(Debug, Default)]
pub(super) struct Fills {
    fill_of_cast: HashMap<ValueId, Fill>,
}

/// One fused `array_fill(len, value)`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Fill {
    pub fill: ValueId,
    pub len: ValueId,
    pub value: ValueId,
}

impl Fills {
    /// Finds the fusable `array_fill`/`cast` pairs of `f`.
    pub(super) fn of(f: &Function) -> Fills {
        let mut all = Vec::new();
        collect_insts(f, &f.block(f.body).insts, &mut all);
        let mut uses: HashMap<ValueId, Vec<ValueId>> = HashMap::new();
        for &v in &all {
            for o in f.inst(v).kind.operands() {
                uses.entry(o).or_default().push(v);
            }
        }
        let mut fill_of_cast = HashMap::new();
        for block in f.reachable_blocks() {
            let insts = &f.block(block).insts;
            for (i, &v) in insts.iter().enumerate() {
                if let Some((cast, fill)) = fused_cast(f, v, &insts[i + 1..], uses.get(&v)) {
                    fill_of_cast.insert(cast, fill);
                }
            }
        }
        Fills { fill_of_cast }
    }

    /// Whether `v` is an `array_fill` that its cast emits (it emits nothing itself).
    pub(super) fn is_fused_fill(&self, v: ValueId) -> bool {
        self.fill_of_cast.values().any(|f| f.fill == v)
    }

    /// The `array_fill` that the cast `v` emits as a filled buffer.
    pub(super) fn fill_of(&self, v: ValueId) -> Option<Fill> {
        self.fill_of_cast.get(&v).copied()
    }
}

/// The cast that `v` fuses with: `v` is an `array_fill` of `f64`s, its only uses are releases
/// and one `cast`, and that cast follows it in the same block with only releases between
/// (so nothing that might fault or print moves across the fill).
fn fused_cast(
    f: &Function,
    v: ValueId,
    after: &[ValueId],
    uses: Option<&Vec<ValueId>>,
) -> Option<(ValueId, Fill)> {
    let inst = f.inst(v);
    let InstKind::Builtin("array_fill", args) = &inst.kind else {
        return None;
    };
    let (&[len, value], Ty::Array(e)) = (args.as_slice(), &inst.ty) else {
        return None;
    };
    if **e != Ty::Float(FloatTy::F64) {
        return None;
    }
    let is_release = |u: &ValueId| matches!(f.inst(*u).kind, InstKind::DeferRelease(_));
    let cast = after.iter().copied().find(|u| !is_release(u))?;
    let casts_v =
        matches!(f.inst(cast).kind, InstKind::Cast(x) if x == v) && is_real_array(&f.inst(cast).ty);
    let only_uses = uses?.iter().all(|u| *u == cast || is_release(u));
    (casts_v && only_uses).then_some((
        cast,
        Fill {
            fill: v,
            len,
            value,
        },
    ))
}
