//! The one place that says what an instruction does besides producing its value, and so
//! whether a pass may remove, duplicate or move it.
//!
//! Every pass asks here instead of matching on instruction kinds itself, so that a new kind
//! is handled in one place — and until it is, it counts as an effect (the `_` arms below):
//! an unknown instruction is never removed, moved or folded.
//!
//! The classification ([`Effect`]):
//! * *effects* (`side_effect`): `sample`, `observe`, `factor`, `lpdf` inside a model, model
//!   records and prints, printing and other I/O, calls (user functions and externs are not
//!   analysed), writes to locals, reference counting (`retain`, `defer_release`) and control
//!   flow. Removing or reordering them changes results, or breaks memory safety.
//! * *faults* (`may_fault`): checked integer arithmetic and conversions, indexing, enum
//!   payloads, and every built-in not known to be total. They may run only where they ran.
//! * *allocations* (`allocates`): constructors and built-ins that return a new owned value.
//!   They may be removed together with the `defer_release` that frees them, never alone.
//! * *local reads* (`reads_local`): `local l` may move only where `l` is not written.
//!
//! Instructions on model reals (`Ty::Real`) are left alone by every pass: they build the
//! automatic-differentiation tape, and moving or dropping a tape node can change the last bit
//! of a gradient, and with it every draw after it.

use crate::ast::{BinOp, UnOp};
use crate::cir::{Function, InstKind, Program, Ty, ValueId};

/// What an instruction does besides computing its value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Effect {
    pub side_effect: bool,
    pub may_fault: bool,
    pub allocates: bool,
    pub reads_local: bool,
}

impl Effect {
    const PURE: Effect = Effect { side_effect: false, may_fault: false, allocates: false, reads_local: false };
    const EFFECT: Effect = Effect { side_effect: true, may_fault: true, allocates: false, reads_local: false };
    const FAULT: Effect = Effect { side_effect: false, may_fault: true, allocates: false, reads_local: false };
    const ALLOC: Effect = Effect { side_effect: false, may_fault: false, allocates: true, reads_local: false };
    const READ: Effect = Effect { side_effect: false, may_fault: false, allocates: false, reads_local: true };
}

/// The effect of instruction `v` of `f`.
pub fn effect(p: &Program, f: &Function, v: ValueId) -> Effect {
    let inst = f.inst(v);
    let ty_of = |x: &ValueId| &f.inst(*x).ty;
    use InstKind as K;
    match &inst.kind {
        K::Const(_) => Effect::PURE,
        K::Local(_) => Effect::READ,
        K::Unary(op, a) => match (op, ty_of(a)) {
            (UnOp::Neg, Ty::Int(_)) => Effect::FAULT,
            (UnOp::Neg | UnOp::Not | UnOp::BitNot, _) => Effect::PURE,
        },
        K::Binary(op, a, _) => binary(*op, ty_of(a)),
        K::Cast(a) => match (ty_of(a), &inst.ty) {
            (Ty::Int(_), Ty::Float(_)) | (Ty::Float(_), Ty::Float(_)) | (Ty::Bool, Ty::Int(_)) | (Ty::Int(_), Ty::Bool) => Effect::PURE,
            (Ty::Float(_) | Ty::Int(_), Ty::Real) | (Ty::Real, Ty::Float(_)) => Effect::PURE,
            (Ty::Array(_), Ty::Array(_)) => Effect::ALLOC,
            _ => Effect::FAULT,
        },
        K::Builtin(name, args) => builtin(name, args.iter().map(ty_of), &inst.ty),
        K::Field(..) | K::IsVariant(..) => Effect::PURE,
        K::Payload(..) | K::Index(..) => Effect::FAULT,
        K::MakeArray(_) | K::MakeSet(_) | K::MakeMap(_) | K::MakeRecord(_) | K::MakeVariant(..) => Effect::ALLOC,
        K::LogDensity { .. } if !f.model => Effect::FAULT,
        K::Call(callee, _) if p.functions.get(callee.index()).is_none() => Effect::EFFECT,
        _ => Effect::EFFECT,
    }
}

fn binary(op: BinOp, operand: &Ty) -> Effect {
    use BinOp as B;
    let comparison = matches!(op, B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge);
    match operand {
        Ty::Int(_) if comparison || matches!(op, B::BitAnd | B::BitOr | B::BitXor) => Effect::PURE,
        Ty::Int(_) => Effect::FAULT,
        Ty::Float(_) | Ty::Bool => Effect::PURE,
        Ty::Str if op == B::Add => Effect::ALLOC,
        Ty::Str | Ty::Array(_) | Ty::Adt(..) if comparison => Effect::PURE,
        Ty::Real => Effect::PURE,
        _ => Effect::FAULT,
    }
}

/// Built-ins known to be total and free of effects on the argument types given. Anything not
/// listed may fault or do I/O.
fn builtin<'t>(name: &str, mut args: impl Iterator<Item = &'t Ty>, ret: &Ty) -> Effect {
    let floats = args.all(|t| matches!(t, Ty::Float(_))) && matches!(ret, Ty::Float(_) | Ty::Bool);
    match name {
        "len" | "map_len" | "set_len" | "str_length" | "str_contains" | "str_starts_with" | "str_ends_with" | "str_equals" | "str_index_of" => Effect::PURE,
        "array_contains" | "map_contains" | "set_contains" => Effect::PURE,
        "math_sqrt" | "math_exp" | "math_log" | "math_log10" | "math_log2" | "math_sin" | "math_cos" | "math_tan" | "math_asin" | "math_acos" | "math_atan"
        | "math_sinh" | "math_cosh" | "math_tanh" | "math_floor" | "math_ceil" | "math_round" | "math_trunc" | "math_abs" | "math_pow" | "math_atan2"
        | "math_hypot" | "math_min" | "math_max" | "math_copysign" | "math_is_finite" | "inv_logit" | "logit" | "log1p" | "expm1" | "lgamma" | "log1p_exp"
        | "phi" | "erf" | "square"
            if floats =>
        {
            Effect::PURE
        }
        "to_string" | "str_concat" | "str_to_upper" | "str_to_lower" | "str_trim" | "array_concat" | "array_reverse" | "map_keys" | "map_values" | "set_items" => {
            Effect::ALLOC
        }
        // A negative length, an overflowing integer sum, arrays of different lengths.
        "array_fill" => Effect { allocates: true, ..Effect::FAULT },
        "array_sum" | "array_mean" | "dot" | "log_determinant" => Effect::FAULT,
        // A bad shape or a matrix that is not positive definite faults.
        _ if crate::cir::model::is_matrix_function(name) => Effect { allocates: true, ..Effect::FAULT },
        _ => Effect::EFFECT,
    }
}

/// Whether an in-place built-in (`BuiltinMut`: `push`, `pop`, `map_insert`, `map_remove`,
/// `set_insert`, `set_remove`) does nothing but change the local it names, besides possibly
/// faulting (`pop` of an empty array): no I/O, no other variable. `effect` still counts it as an
/// effect (it writes a local); a pass that moves whole computations together with the local
/// they build (`datacache`) may move it.
pub fn mutates_only_its_local(kind: &InstKind) -> bool {
    matches!(kind, InstKind::BuiltinMut("push" | "pop" | "map_insert" | "map_remove" | "set_insert" | "set_remove", _, _))
}

/// Whether the instruction involves model reals (its result or an operand), which no pass
/// touches (see the module documentation).
pub fn touches_real(f: &Function, v: ValueId) -> bool {
    let inst = f.inst(v);
    inst.ty.contains_real() || inst.kind.operands().iter().any(|o| f.inst(*o).ty.contains_real())
}

/// Whether `v` may be deleted when nothing uses its value. Allocations are excluded here: an
/// owned value always has a use (its `defer_release`); see [`removable_with_release`].
pub fn removable_if_unused(p: &Program, f: &Function, v: ValueId) -> bool {
    let e = effect(p, f, v);
    !e.side_effect && !e.may_fault && !e.allocates && !touches_real(f, v)
}

/// Whether `v`, an owned value whose only use is the `defer_release` that frees it, may be
/// deleted together with that release. Constructors move their (owned) operands in, so they
/// qualify only when no operand holds heap memory.
pub fn removable_with_release(p: &Program, f: &Function, v: ValueId) -> bool {
    let e = effect(p, f, v);
    if e.side_effect || e.may_fault || touches_real(f, v) {
        return false;
    }
    match &f.inst(v).kind {
        InstKind::MakeRecord(items) => items.iter().all(|i| !f.inst(*i).ty.is_heap()),
        InstKind::MakeVariant(_, payload) => payload.iter().all(|i| !f.inst(*i).ty.is_heap()),
        _ => true,
    }
}

/// Whether `v` may run where it did not run before (hoisted out of a loop or a branch) or
/// run once instead of many times: no effect, no fault, no allocation, no model reals. A
/// local read additionally needs its local unwritten in the region it leaves (the caller's
/// check).
pub fn speculatable(p: &Program, f: &Function, v: ValueId) -> bool {
    let e = effect(p, f, v);
    !e.side_effect && !e.may_fault && !e.allocates && !touches_real(f, v)
}

/// Whether an instruction costs about as much as a branch: arithmetic, comparisons,
/// conversions, constants, local and field reads, variant tests and the constant-time length
/// built-ins. Every other built-in (the math functions above all), call and constructor is
/// expensive. Used by `licm`, which moves work out of a conditional arm only when it is cheap.
pub fn cheap(kind: &InstKind) -> bool {
    use InstKind as K;
    match kind {
        K::Const(_) | K::Local(_) | K::Unary(..) | K::Binary(..) | K::Cast(_) | K::Field(..) | K::IsVariant(..) => true,
        K::Builtin(name, _) => matches!(*name, "len" | "map_len" | "set_len"),
        _ => false,
    }
}

/// Whether an instruction reports its function's name when it faults (checked arithmetic,
/// indexing, conversions, built-ins with a location, probabilistic statements). Inlining such
/// an instruction would change the function named in the message, so the inliner leaves
/// functions containing one alone.
pub fn reports_location(p: &Program, f: &Function, v: ValueId) -> bool {
    let e = effect(p, f, v);
    match &f.inst(v).kind {
        InstKind::Call(..) | InstKind::Return(_) | InstKind::If { .. } | InstKind::Loop { .. } | InstKind::Switch { .. } => false,
        InstKind::Break | InstKind::Continue | InstKind::Local(_) | InstKind::SetLocal(..) | InstKind::InitLocal(..) => false,
        InstKind::DeferRelease(_) | InstKind::DeferReleaseLocal(_) | InstKind::Retain(_) => false,
        InstKind::SetPlace { path, .. } => path.iter().any(|e| matches!(e, crate::cir::PlaceElem::Index(_))),
        _ => e.may_fault || e.side_effect,
    }
}

/// Instruction kinds the passes know how to copy and rewrite. A function containing any
/// other kind is never inlined.
pub fn known_kind(kind: &InstKind) -> bool {
    use InstKind as K;
    matches!(
        kind,
        K::Const(_)
            | K::Local(_)
            | K::SetLocal(..)
            | K::InitLocal(..)
            | K::SetPlace { .. }
            | K::Unary(..)
            | K::Binary(..)
            | K::Cast(_)
            | K::Call(..)
            | K::Builtin(..)
            | K::BuiltinMut(..)
            | K::CallExtern(..)
            | K::MakeRecord(_)
            | K::MakeVariant(..)
            | K::MakeArray(_)
            | K::MakeMap(_)
            | K::MakeSet(_)
            | K::Field(..)
            | K::Index(..)
            | K::Payload(..)
            | K::IsVariant(..)
            | K::Retain(_)
            | K::DeferRelease(_)
            | K::DeferReleaseLocal(_)
            | K::If { .. }
            | K::Loop { .. }
            | K::Break
            | K::Continue
            | K::Return(_)
            | K::Switch { .. }
            | K::Sample { .. }
            | K::Observe { .. }
            | K::LogDensity { .. }
            | K::Factor(_)
            | K::Record { .. }
            | K::PrintText(_)
            | K::Unreachable
    )
}

/// Whether an operand position takes ownership of the value (it is moved, not read).
pub fn consumes(kind: &InstKind, operand: ValueId) -> bool {
    use InstKind as K;
    match kind {
        K::SetLocal(_, v) | K::InitLocal(_, v) | K::Throw(v) => *v == operand,
        K::SetPlace { value, .. } => *value == operand,
        K::Return(v) | K::MakeVariant(_, v) => *v == Some(operand),
        K::MakeRecord(items) => items.contains(&operand),
        K::DeferRelease(v) => *v == operand,
        K::Retain(_) | K::Const(_) | K::Local(_) | K::Unary(..) | K::Binary(..) | K::Cast(_) | K::Call(..) | K::Builtin(..) => false,
        K::BuiltinMut(..) | K::CallExtern(..) | K::MakeArray(_) | K::MakeMap(_) | K::MakeSet(_) | K::Field(..) | K::Index(..) => false,
        K::Payload(..) | K::IsVariant(..) | K::If { .. } | K::Switch { .. } | K::Sample { .. } | K::Observe { .. } | K::LogDensity { .. } => false,
        K::Factor(_) | K::Record { .. } | K::PrintText(_) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cir::{Block, BlockId, Const, Inst, LocalDecl};
    use crate::span::Span;
    use crate::types::{F64, I64};

    fn function(kinds: Vec<(InstKind, Ty)>) -> Function {
        let insts: Vec<Inst> = kinds.into_iter().map(|(kind, ty)| Inst { kind, ty, span: Span::default() }).collect();
        let n = insts.len();
        Function {
            name: "f".into(),
            source_name: "f".into(),
            params: Vec::new(),
            ret: Ty::Void,
            locals: vec![LocalDecl { name: "x".into(), ty: I64, mutable: true }],
            blocks: vec![Block { insts: (0..n).map(ValueId::from_index).collect() }],
            insts,
            body: BlockId(0),
            can_throw: false,
            model: false,
            span: Span::default(),
        }
    }

    #[test]
    fn classifies_arithmetic_by_type() {
        let p = Program::default();
        let f = function(vec![
            (InstKind::Const(Const::Int(1)), I64),
            (InstKind::Const(Const::Float(1.0)), F64),
            (InstKind::Binary(BinOp::Add, ValueId(0), ValueId(0)), I64),
            (InstKind::Binary(BinOp::Add, ValueId(1), ValueId(1)), F64),
            (InstKind::Binary(BinOp::Lt, ValueId(0), ValueId(0)), Ty::Bool),
            (InstKind::Builtin("print", vec![ValueId(0)]), Ty::Void),
            (InstKind::Builtin("math_sqrt", vec![ValueId(1)]), F64),
            (InstKind::Builtin("math_sin", vec![ValueId(0)]), I64),
            (InstKind::Local(crate::cir::LocalId(0)), I64),
        ]);
        assert!(effect(&p, &f, ValueId(2)).may_fault, "checked integer add faults on overflow");
        assert_eq!(effect(&p, &f, ValueId(3)), Effect::PURE);
        assert_eq!(effect(&p, &f, ValueId(4)), Effect::PURE);
        assert!(effect(&p, &f, ValueId(5)).side_effect, "printing is an effect");
        assert!(removable_if_unused(&p, &f, ValueId(6)));
        assert!(!removable_if_unused(&p, &f, ValueId(7)), "math on integers is not known total");
        assert!(effect(&p, &f, ValueId(8)).reads_local);
        assert!(reports_location(&p, &f, ValueId(2)));
        assert!(!reports_location(&p, &f, ValueId(3)));
    }

    #[test]
    fn model_reals_are_never_touched() {
        let p = Program::default();
        let f = function(vec![(InstKind::Const(Const::Float(1.0)), F64), (InstKind::Cast(ValueId(0)), Ty::Real)]);
        assert!(touches_real(&f, ValueId(1)));
        assert!(!speculatable(&p, &f, ValueId(1)));
        assert!(!removable_if_unused(&p, &f, ValueId(1)));
    }
}
