//! Semantic types, shared by the checker, the typed program, CIR and the Zig backend.
//!
//! A [`Ty`] is a plain tree. Declared records and enums are [`Ty::Adt`] with an index into the
//! program's ADT table and their type arguments; type parameters of a generic function or type
//! are [`Ty::Param`] (an index into the enclosing generic's parameter list); inference variables
//! ([`Ty::Var`]) exist only inside the checker and are gone once a function has been checked.
//! [`Ty::Invalid`] is the type of an expression that already produced an error: it unifies with
//! everything so that one mistake is reported once.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntTy {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FloatTy {
    F32,
    F64,
}

/// Index of a record, enum or error type in the program's ADT table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AdtId(pub u32);

/// Index of a trait in the program's trait table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TraitId(pub u32);

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    Int(IntTy),
    Float(FloatTy),
    Bool,
    Str,
    Void,
    Array(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Set(Box<Ty>),
    Tuple(Vec<Ty>),
    Adt(AdtId, Vec<Ty>),
    Future(Box<Ty>),
    Channel(Box<Ty>),
    TraitObject(TraitId),
    Fn(Vec<Ty>, Box<Ty>),
    /// A fitted posterior returned by `infer`.
    Posterior,
    /// CIR only: a real number that depends on a model's parameters (`f64` when a model is
    /// evaluated plainly, an automatic-differentiation scalar when its gradient is needed).
    Real,
    /// The `i`-th type parameter of the enclosing generic function or type.
    Param(u32),
    /// An inference variable (checker only).
    Var(u32),
    Invalid,
}

pub const I64: Ty = Ty::Int(IntTy::I64);
pub const F64: Ty = Ty::Float(FloatTy::F64);

impl IntTy {
    pub const ALL: [IntTy; 8] = [IntTy::I8, IntTy::I16, IntTy::I32, IntTy::I64, IntTy::U8, IntTy::U16, IntTy::U32, IntTy::U64];

    pub fn name(self) -> &'static str {
        match self {
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "i64",
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
        }
    }

    pub fn signed(self) -> bool {
        matches!(self, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64)
    }

    pub fn bits(self) -> u32 {
        match self {
            IntTy::I8 | IntTy::U8 => 8,
            IntTy::I16 | IntTy::U16 => 16,
            IntTy::I32 | IntTy::U32 => 32,
            IntTy::I64 | IntTy::U64 => 64,
        }
    }

    pub fn min(self) -> i128 {
        if self.signed() { -(1i128 << (self.bits() - 1)) } else { 0 }
    }

    pub fn max(self) -> i128 {
        if self.signed() { (1i128 << (self.bits() - 1)) - 1 } else { (1i128 << self.bits()) - 1 }
    }

    pub fn contains(self, value: i128) -> bool {
        (self.min()..=self.max()).contains(&value)
    }
}

impl FloatTy {
    pub fn name(self) -> &'static str {
        match self {
            FloatTy::F32 => "f32",
            FloatTy::F64 => "f64",
        }
    }
}

impl Ty {
    /// The primitive type named `name`, if any.
    pub fn primitive(name: &str) -> Option<Ty> {
        if let Some(int) = IntTy::ALL.iter().find(|t| t.name() == name) {
            return Some(Ty::Int(*int));
        }
        match name {
            "f32" => Some(Ty::Float(FloatTy::F32)),
            "f64" => Some(F64),
            "bool" => Some(Ty::Bool),
            "str" | "string" => Some(Ty::Str),
            "void" => Some(Ty::Void),
            _ => None,
        }
    }

    pub fn is_int(&self) -> bool {
        matches!(self, Ty::Int(_))
    }

    pub fn is_float(&self) -> bool {
        matches!(self, Ty::Float(_))
    }

    /// `f64`, or an array of them (at any depth): the types a model parameter can flow into.
    pub fn is_real_like(&self) -> bool {
        match self {
            Ty::Float(FloatTy::F64) => true,
            Ty::Array(t) => t.is_real_like(),
            _ => false,
        }
    }

    /// The same shape with `f64` replaced by the model real type.
    pub fn to_real(&self) -> Ty {
        match self {
            Ty::Float(FloatTy::F64) => Ty::Real,
            Ty::Array(t) => Ty::Array(Box::new(t.to_real())),
            other => other.clone(),
        }
    }

    pub fn contains_real(&self) -> bool {
        let mut found = false;
        self.visit(&mut |t| found |= *t == Ty::Real);
        found
    }

    pub fn is_numeric(&self) -> bool {
        self.is_int() || self.is_float()
    }

    pub fn is_invalid(&self) -> bool {
        matches!(self, Ty::Invalid)
    }

    /// Whether values of this type hold reference-counted heap memory.
    pub fn is_heap(&self) -> bool {
        match self {
            Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Void | Ty::Invalid | Ty::Var(_) | Ty::Fn(..) | Ty::Real => false,
            Ty::Tuple(items) => items.iter().any(Ty::is_heap),
            _ => true,
        }
    }

    /// Replaces `Param(i)` by `args[i]`.
    pub fn subst(&self, args: &[Ty]) -> Ty {
        if args.is_empty() {
            return self.clone();
        }
        self.map(&mut |t| match t {
            Ty::Param(i) => args.get(*i as usize).cloned(),
            _ => None,
        })
    }

    /// Rebuilds the type bottom-up, replacing every node for which `f` returns `Some`.
    pub fn map(&self, f: &mut impl FnMut(&Ty) -> Option<Ty>) -> Ty {
        if let Some(t) = f(self) {
            return t;
        }
        let mut boxed = |t: &Ty| Box::new(t.map(f));
        match self {
            Ty::Array(t) => Ty::Array(boxed(t)),
            Ty::Map(k, v) => Ty::Map(boxed(k), boxed(v)),
            Ty::Set(t) => Ty::Set(boxed(t)),
            Ty::Future(t) => Ty::Future(boxed(t)),
            Ty::Channel(t) => Ty::Channel(boxed(t)),
            Ty::Tuple(items) => Ty::Tuple(items.iter().map(|t| t.map(f)).collect()),
            Ty::Adt(id, args) => Ty::Adt(*id, args.iter().map(|t| t.map(f)).collect()),
            Ty::Fn(params, ret) => Ty::Fn(params.iter().map(|t| t.map(f)).collect(), Box::new(ret.map(f))),
            other => other.clone(),
        }
    }

    /// Calls `f` on this type and every type inside it.
    pub fn visit(&self, f: &mut impl FnMut(&Ty)) {
        f(self);
        match self {
            Ty::Array(t) | Ty::Set(t) | Ty::Future(t) | Ty::Channel(t) => t.visit(f),
            Ty::Map(k, v) => {
                k.visit(f);
                v.visit(f);
            }
            Ty::Tuple(items) | Ty::Adt(_, items) => items.iter().for_each(|t| t.visit(f)),
            Ty::Fn(params, ret) => {
                params.iter().for_each(|t| t.visit(f));
                ret.visit(f);
            }
            _ => {}
        }
    }

    pub fn contains_var(&self) -> bool {
        let mut found = false;
        self.visit(&mut |t| found |= matches!(t, Ty::Var(_)));
        found
    }

    pub fn contains_param(&self) -> bool {
        let mut found = false;
        self.visit(&mut |t| found |= matches!(t, Ty::Param(_)));
        found
    }
}

/// Names the type printer needs: ADT names, trait names and type-parameter names in scope.
pub trait TypeNames {
    fn adt_name(&self, id: AdtId) -> &str;
    fn trait_name(&self, id: TraitId) -> &str;
    fn param_name(&self, index: u32) -> String {
        format!("T{index}")
    }
}

/// Prints a type as the user would write it in a type string.
pub struct Display<'a, N: TypeNames + ?Sized> {
    pub ty: &'a Ty,
    pub names: &'a N,
}

impl<N: TypeNames + ?Sized> fmt::Display for Display<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_ty(f, self.ty, self.names)
    }
}

fn write_list<N: TypeNames + ?Sized>(f: &mut fmt::Formatter<'_>, items: &[Ty], names: &N) -> fmt::Result {
    for (i, t) in items.iter().enumerate() {
        if i > 0 {
            write!(f, ", ")?;
        }
        write_ty(f, t, names)?;
    }
    Ok(())
}

fn write_ty<N: TypeNames + ?Sized>(f: &mut fmt::Formatter<'_>, ty: &Ty, names: &N) -> fmt::Result {
    match ty {
        Ty::Int(i) => write!(f, "{}", i.name()),
        Ty::Float(x) => write!(f, "{}", x.name()),
        Ty::Bool => write!(f, "bool"),
        Ty::Str => write!(f, "str"),
        Ty::Void => write!(f, "void"),
        Ty::Array(t) => {
            write!(f, "[")?;
            write_ty(f, t, names)?;
            write!(f, "]")
        }
        Ty::Map(k, v) => {
            write!(f, "map<")?;
            write_list(f, &[(**k).clone(), (**v).clone()], names)?;
            write!(f, ">")
        }
        Ty::Set(t) => {
            write!(f, "set<")?;
            write_ty(f, t, names)?;
            write!(f, ">")
        }
        Ty::Tuple(items) => {
            write!(f, "(")?;
            write_list(f, items, names)?;
            write!(f, ")")
        }
        Ty::Adt(id, args) => {
            write!(f, "{}", names.adt_name(*id))?;
            if !args.is_empty() {
                write!(f, "<")?;
                write_list(f, args, names)?;
                write!(f, ">")?;
            }
            Ok(())
        }
        Ty::Future(t) => {
            write!(f, "Future<")?;
            write_ty(f, t, names)?;
            write!(f, ">")
        }
        Ty::Channel(t) => {
            write!(f, "Channel<")?;
            write_ty(f, t, names)?;
            write!(f, ">")
        }
        Ty::TraitObject(id) => write!(f, "dyn {}", names.trait_name(*id)),
        Ty::Fn(params, ret) => {
            write!(f, "fn(")?;
            write_list(f, params, names)?;
            write!(f, ") -> ")?;
            write_ty(f, ret, names)
        }
        Ty::Posterior => write!(f, "Posterior"),
        Ty::Real => write!(f, "real"),
        Ty::Param(i) => write!(f, "{}", names.param_name(*i)),
        Ty::Var(_) => write!(f, "_"),
        Ty::Invalid => write!(f, "<invalid>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_ranges() {
        assert_eq!(IntTy::I8.min(), -128);
        assert_eq!(IntTy::U64.max(), u64::MAX as i128);
        assert!(!IntTy::U8.contains(256));
    }

    #[test]
    fn subst_replaces_params_deeply() {
        let t = Ty::Array(Box::new(Ty::Tuple(vec![Ty::Param(0), Ty::Param(1)])));
        assert_eq!(t.subst(&[Ty::Bool, Ty::Str]), Ty::Array(Box::new(Ty::Tuple(vec![Ty::Bool, Ty::Str]))));
    }
}
