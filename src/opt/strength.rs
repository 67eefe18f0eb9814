//! Strength reduction: replaces an `f64` operation by a cheaper one that gives the same bits.
//!
//! * `x ** 2.0` becomes `x * x`: the runtime's `pow` is correctly rounded, and so is one
//!   multiplication, so both are the double nearest to x² (and agree on NaN, infinities and
//!   zeros). `x ** 1.0` becomes `x`.
//! * `x / c` for a constant power of two `c` becomes `x * (1/c)`: the reciprocal is exact, so
//!   both are the correctly rounded x/c.
//!
//! Loops are where these pay (a `pow` call costs tens of nanoseconds, a multiplication one
//! cycle), but the rewrite is exact, so it is applied everywhere.
//!
//! What it deliberately does not do: rewrite integer operations (checked arithmetic names the
//! operator in its overflow message, so `x * 2` and `x + x` fault differently), rewrite `x **
//! 0.5` as a square root (they differ at -0 and -inf), use other exponents (`x * x * x` rounds
//! twice), or touch model reals. Unrolling is not done either: the Zig compiler (LLVM) unrolls
//! small loops itself in release builds, and unrolling in CIR would only grow the Zig source.

use super::effects;
use crate::ast::BinOp;
use crate::cir::{Const, Function, InstKind, Program, Ty, ValueId};
use crate::types::FloatTy;

/// Runs the pass over the whole program; returns whether anything changed.
pub fn run(p: &mut Program) -> bool {
    let mut changed = false;
    for f in &mut p.functions {
        if !f.blocks.is_empty() {
            changed |= function(f);
        }
    }
    changed
}

fn float_const(f: &Function, v: ValueId) -> Option<f64> {
    match (&f.inst(v).kind, &f.inst(v).ty) {
        (InstKind::Const(Const::Float(x)), Ty::Float(FloatTy::F64)) => Some(*x),
        _ => None,
    }
}

/// `1/c` when `c` is a power of two whose reciprocal is a normal double.
fn exact_reciprocal(c: f64) -> Option<f64> {
    if !c.is_normal() {
        return None;
    }
    let r = 1.0 / c;
    let power_of_two = c.abs().to_bits() & ((1u64 << 52) - 1) == 0;
    (power_of_two && r.is_normal()).then_some(r)
}

fn function(f: &mut Function) -> bool {
    let mut changed = false;
    let mut replace: Vec<(ValueId, ValueId)> = Vec::new();
    for b in f.reachable_blocks() {
        let mut pos = 0;
        while pos < f.block(b).insts.len() {
            let v = f.block(b).insts[pos];
            pos += 1;
            let f64_ty = Ty::Float(FloatTy::F64);
            if f.inst(v).ty != f64_ty || effects::touches_real(f, v) {
                continue;
            }
            let InstKind::Binary(op, x, c) = f.inst(v).kind.clone() else { continue };
            if f.inst(x).ty != f64_ty {
                continue;
            }
            match (op, float_const(f, c)) {
                (BinOp::Pow, Some(e)) if e == 2.0 => {
                    f.insts[v.index()].kind = InstKind::Binary(BinOp::Mul, x, x);
                    changed = true;
                }
                (BinOp::Pow, Some(e)) if e == 1.0 => replace.push((v, x)),
                (BinOp::Div, Some(d)) => {
                    let Some(r) = exact_reciprocal(d) else { continue };
                    let span = f.inst(c).span;
                    let k = f.add_inst(InstKind::Const(Const::Float(r)), f64_ty, span);
                    f.blocks[b.index()].insts.insert(pos - 1, k);
                    pos += 1;
                    f.insts[v.index()].kind = InstKind::Binary(BinOp::Mul, x, k);
                    changed = true;
                }
                _ => {}
            }
        }
    }
    if !replace.is_empty() {
        let map = replace.into_iter().collect();
        super::tree::replace_uses(f, &map);
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::exact_reciprocal;

    #[test]
    fn reciprocals_only_of_powers_of_two() {
        assert_eq!(exact_reciprocal(2.0), Some(0.5));
        assert_eq!(exact_reciprocal(-0.25), Some(-4.0));
        assert_eq!(exact_reciprocal(3.0), None);
        assert_eq!(exact_reciprocal(0.0), None);
        assert_eq!(exact_reciprocal(f64::MAX), None);
    }
}
