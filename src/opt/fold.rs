//! Constant folding and propagation, iterated to a fixed point.
//!
//! * *Folding* replaces an instruction whose operands are constants by its result, but only
//!   when the result is exactly what the runtime computes: integer `+ - * / % ** << >>`, bit
//!   operations and negation with the runtime's overflow rules (a fold that would overflow,
//!   divide by zero or shift out of range is left alone, so the program still faults there at
//!   run time with its located message); `f64` `+ - * /` and `sqrt` (IEEE, correctly rounded
//!   in Rust and in the runtime alike); comparisons; `!`; string equality; and the exact
//!   conversions (integer to integer when the value fits, integer to `f64` below 2^53, between
//!   `bool` and integers).
//! * *Propagation* replaces reads of a local by a constant when the local is written exactly
//!   once, by an `init` of a constant that reaches the read; and reads of a local that copies a
//!   never-written local (a parameter) by reads of that local.
//! * *Control*: an `if` or `switch` on a constant is replaced by the branch taken (code after a
//!   branch that never falls through goes too), and a loop whose body starts with `break` is
//!   removed.
//!
//! What it deliberately does not fold: transcendental functions and `**` on floats (left to
//! the runtime's correctly rounded versions, so folding never changes output), `f32`
//! arithmetic (its constants are rounded by Zig from the decimal text, which Rust cannot
//! reproduce bit for bit), results that are not finite, negative zero or subnormal (the
//! backend prints constants as decimal text), float-to-integer conversions, and anything on
//! model reals. A constant is not propagated into the amount of a shift or the exponent of a
//! `**`, where Zig would treat a bare literal at compile time.

use super::dce;
use super::effects;
use super::tree::{self, Layout};
use crate::ast::{BinOp, UnOp};
use crate::cir::{BlockId, Const, Function, InstKind, LocalId, Program, SwitchCase, Ty, ValueId};
use crate::types::{FloatTy, IntTy};
use std::collections::{HashMap, HashSet};

/// Runs the pass over the whole program; returns whether anything changed.
pub fn run(p: &mut Program) -> bool {
    let mut changed = false;
    for i in 0..p.functions.len() {
        let mut f = p.functions[i].clone();
        if f.blocks.is_empty() {
            continue;
        }
        let mut any = false;
        while fold_values(p, &mut f) | propagate(&mut f) | simplify_control(&mut f) {
            any = true;
        }
        if any {
            p.functions[i] = f;
            changed = true;
        }
    }
    changed
}

fn fold_values(p: &Program, f: &mut Function) -> bool {
    let _ = p;
    let mut changed = false;
    for b in f.reachable_blocks() {
        for i in 0..f.block(b).insts.len() {
            let v = f.block(b).insts[i];
            if matches!(f.inst(v).kind, InstKind::Const(_)) || effects::touches_real(f, v) {
                continue;
            }
            if let Some(c) = fold(f, v) {
                f.insts[v.index()].kind = InstKind::Const(c);
                changed = true;
            }
        }
    }
    changed
}

fn constant(f: &Function, v: ValueId) -> Option<&Const> {
    match &f.inst(v).kind {
        InstKind::Const(c) => Some(c),
        _ => None,
    }
}

/// The constant result of `v`, when it can be computed exactly as the runtime would.
pub fn fold(f: &Function, v: ValueId) -> Option<Const> {
    let inst = f.inst(v);
    match &inst.kind {
        InstKind::Unary(op, a) => unary(*op, constant(f, *a)?, &f.inst(*a).ty),
        InstKind::Binary(op, a, b) => binary(*op, constant(f, *a)?, constant(f, *b)?, &f.inst(*a).ty, &f.inst(*b).ty),
        InstKind::Cast(a) => cast(constant(f, *a)?, &f.inst(*a).ty, &inst.ty),
        InstKind::Builtin("math_sqrt", args) if args.len() == 1 && inst.ty == Ty::Float(FloatTy::F64) => {
            let (Const::Float(x), Ty::Float(FloatTy::F64)) = (constant(f, args[0])?, &f.inst(args[0]).ty) else { return None };
            exact_float(x.sqrt())
        }
        _ => None,
    }
}

/// The range of an integer type.
fn bounds(t: IntTy) -> (i128, i128) {
    match t {
        IntTy::I8 => (i8::MIN.into(), i8::MAX.into()),
        IntTy::I16 => (i16::MIN.into(), i16::MAX.into()),
        IntTy::I32 => (i32::MIN.into(), i32::MAX.into()),
        IntTy::I64 => (i64::MIN.into(), i64::MAX.into()),
        IntTy::U8 => (0, u8::MAX.into()),
        IntTy::U16 => (0, u16::MAX.into()),
        IntTy::U32 => (0, u32::MAX.into()),
        IntTy::U64 => (0, u64::MAX.into()),
    }
}

fn bits(t: IntTy) -> u32 {
    match t {
        IntTy::I8 | IntTy::U8 => 8,
        IntTy::I16 | IntTy::U16 => 16,
        IntTy::I32 | IntTy::U32 => 32,
        IntTy::I64 | IntTy::U64 => 64,
    }
}

fn signed(t: IntTy) -> bool {
    matches!(t, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64)
}

fn fits(t: IntTy, x: i128) -> Option<Const> {
    let (lo, hi) = bounds(t);
    (lo..=hi).contains(&x).then_some(Const::Int(x))
}

/// Wraps the low bits of `x` into type `t` (for shifts, which discard bits).
fn wrap(t: IntTy, x: i128) -> i128 {
    let n = bits(t);
    let mask = (1i128 << n) - 1;
    let low = x & mask;
    if signed(t) && low >> (n - 1) & 1 == 1 { low - (1i128 << n) } else { low }
}

/// A float result that prints and reads back exactly: finite, normal or `+0.0`.
fn exact_float(x: f64) -> Option<Const> {
    let positive_zero = x == 0.0 && x.is_sign_positive();
    (x.is_normal() || positive_zero).then_some(Const::Float(x))
}

fn unary(op: UnOp, a: &Const, ty: &Ty) -> Option<Const> {
    match (op, a, ty) {
        (UnOp::Not, Const::Bool(b), _) => Some(Const::Bool(!b)),
        (UnOp::Neg, Const::Int(x), Ty::Int(t)) => fits(*t, -x),
        (UnOp::Neg, Const::Float(x), Ty::Float(FloatTy::F64)) => exact_float(-x),
        (UnOp::BitNot, Const::Int(x), Ty::Int(t)) if signed(*t) => fits(*t, !x),
        (UnOp::BitNot, Const::Int(x), Ty::Int(t)) => fits(*t, bounds(*t).1 - x),
        _ => None,
    }
}

fn binary(op: BinOp, a: &Const, b: &Const, ta: &Ty, tb: &Ty) -> Option<Const> {
    use BinOp as B;
    match (a, b, ta) {
        (Const::Int(x), Const::Int(y), Ty::Int(t)) => {
            let (x, y, t) = (*x, *y, *t);
            match op {
                B::Add => fits(t, x.checked_add(y)?),
                B::Sub => fits(t, x.checked_sub(y)?),
                B::Mul => fits(t, x.checked_mul(y)?),
                B::Div if y == 0 || (signed(t) && y == -1 && x == bounds(t).0) => None,
                B::Div => fits(t, x / y),
                B::Mod if y == 0 => None,
                B::Mod if signed(t) && y == -1 => Some(Const::Int(0)),
                B::Mod => fits(t, x % y),
                B::Pow if y < 0 => None,
                B::Pow => fits(t, x.checked_pow(u32::try_from(y).ok()?)?),
                B::Shl | B::Shr => {
                    let Ty::Int(_) = tb else { return None };
                    if y < 0 || y >= i128::from(bits(t)) {
                        return None;
                    }
                    let shift = u32::try_from(y).ok()?;
                    if op == B::Shl { Some(Const::Int(wrap(t, x << shift))) } else { fits(t, x >> shift) }
                }
                B::BitAnd => fits(t, x & y),
                B::BitOr => fits(t, x | y),
                B::BitXor => fits(t, x ^ y),
                _ => compare(op, x.cmp(&y)),
            }
        }
        (Const::Float(x), Const::Float(y), Ty::Float(FloatTy::F64)) => match op {
            B::Add => exact_float(x + y),
            B::Sub => exact_float(x - y),
            B::Mul => exact_float(x * y),
            B::Div => exact_float(x / y),
            _ => compare(op, x.partial_cmp(y)?),
        },
        (Const::Bool(x), Const::Bool(y), Ty::Bool) => match op {
            B::Eq => Some(Const::Bool(x == y)),
            B::Ne | B::BitXor => Some(Const::Bool(x != y)),
            B::BitAnd | B::And => Some(Const::Bool(*x && *y)),
            B::BitOr | B::Or => Some(Const::Bool(*x || *y)),
            _ => None,
        },
        (Const::Str(x), Const::Str(y), Ty::Str) => match op {
            B::Eq => Some(Const::Bool(x == y)),
            B::Ne => Some(Const::Bool(x != y)),
            _ => None,
        },
        _ => None,
    }
}

fn compare(op: BinOp, order: std::cmp::Ordering) -> Option<Const> {
    use std::cmp::Ordering as O;
    let result = match op {
        BinOp::Eq => order == O::Equal,
        BinOp::Ne => order != O::Equal,
        BinOp::Lt => order == O::Less,
        BinOp::Le => order != O::Greater,
        BinOp::Gt => order == O::Greater,
        BinOp::Ge => order != O::Less,
        _ => return None,
    };
    Some(Const::Bool(result))
}

fn cast(a: &Const, from: &Ty, to: &Ty) -> Option<Const> {
    const EXACT: i128 = 1 << 53;
    match (a, from, to) {
        (Const::Int(x), Ty::Int(_), Ty::Int(t)) => fits(*t, *x),
        (Const::Int(x), Ty::Int(_), Ty::Float(FloatTy::F64)) if (-EXACT..=EXACT).contains(x) => {
            #[allow(clippy::cast_precision_loss)]
            let y = *x as f64;
            Some(Const::Float(y))
        }
        (Const::Bool(b), Ty::Bool, Ty::Int(_)) => Some(Const::Int(i128::from(*b))),
        (Const::Int(x), Ty::Int(_), Ty::Bool) => Some(Const::Bool(*x != 0)),
        _ => None,
    }
}

/// Constant and copy propagation through locals written exactly once.
fn propagate(f: &mut Function) -> bool {
    let mut writes: HashMap<LocalId, Vec<ValueId>> = HashMap::new();
    for b in f.reachable_blocks() {
        for v in &f.block(b).insts {
            if let Some(l) = f.inst(*v).kind.written_local() {
                writes.entry(l).or_default().push(*v);
            }
        }
    }
    let users = tree::users(f);
    let layout = Layout::of(f);
    let params: HashSet<LocalId> = f.params.iter().copied().collect();
    let mut changed = false;
    for b in f.reachable_blocks() {
        for pos in 0..f.block(b).insts.len() {
            let r = f.block(b).insts[pos];
            let InstKind::Local(l) = f.inst(r).kind else { continue };
            if params.contains(&l) || f.local(l).ty.is_heap() || f.local(l).ty.contains_real() {
                continue;
            }
            let [w] = writes.get(&l).map_or(&[][..], Vec::as_slice) else { continue };
            let InstKind::InitLocal(_, value) = f.inst(*w).kind else { continue };
            if !layout.reaches(*w, b, pos) {
                continue;
            }
            let replacement = match &f.inst(value).kind {
                InstKind::Const(c) if !used_as_amount(f, &users[r.index()], r) => InstKind::Const(c.clone()),
                InstKind::Local(m) if !writes.contains_key(m) && f.local(*m).ty == f.local(l).ty => InstKind::Local(*m),
                _ => continue,
            };
            f.insts[r.index()].kind = replacement;
            changed = true;
        }
    }
    changed
}

/// Whether `v` is the amount of a shift or the exponent of `**` in one of `users`.
fn used_as_amount(f: &Function, users: &[ValueId], v: ValueId) -> bool {
    users.iter().any(|u| matches!(f.inst(*u).kind, InstKind::Binary(BinOp::Shl | BinOp::Shr | BinOp::Pow, _, b) if b == v))
}

/// Branches on constants and loops that cannot start.
fn simplify_control(f: &mut Function) -> bool {
    for b in f.reachable_blocks() {
        for pos in 0..f.block(b).insts.len() {
            let v = f.block(b).insts[pos];
            let taken: Option<Option<BlockId>> = match &f.inst(v).kind {
                InstKind::If { cond, then_block, else_block } => match constant(f, *cond) {
                    Some(Const::Bool(c)) => Some(Some(if *c { *then_block } else { *else_block })),
                    _ => None,
                },
                InstKind::Switch { value, cases, default } => {
                    let key = match constant(f, *value) {
                        Some(Const::Int(i)) => Some(SwitchCase::Int(*i)),
                        Some(Const::Bool(x)) => Some(SwitchCase::Bool(*x)),
                        _ => None,
                    };
                    key.and_then(|k| cases.iter().find(|(c, _)| *c == k).map(|(_, blk)| *blk).or(*default)).map(Some)
                }
                InstKind::Loop { body, .. } => {
                    let starts_with_break = f.block(*body).insts.first().is_some_and(|x| f.inst(*x).kind == InstKind::Break);
                    starts_with_break.then_some(None)
                }
                _ => None,
            };
            let Some(taken) = taken else { continue };
            splice(f, b, pos, taken);
            return true;
        }
    }
    false
}

/// Replaces the instruction at `pos` of `b` by the instructions of `with` (or by nothing),
/// dropping what follows when the inserted code never falls through.
fn splice(f: &mut Function, b: BlockId, pos: usize, with: Option<BlockId>) {
    let inserted = with.map(|w| f.block(w).insts.clone()).unwrap_or_default();
    let diverges = with.is_some_and(|w| dce::block_diverges(f, w));
    let old = std::mem::take(&mut f.blocks[b.index()].insts);
    let mut insts = old[..pos].to_vec();
    insts.extend(inserted);
    if !diverges {
        insts.extend_from_slice(&old[pos + 1..]);
    }
    f.blocks[b.index()].insts = insts;
    if let Some(w) = with {
        f.blocks[w.index()].insts.clear();
    }
}
