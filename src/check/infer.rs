//! Type inference variables and unification.
//!
//! Inference is local to a function. Numeric literals get variables of a restricted kind: an
//! integer literal may become any integer or float type (`5` is exact as `5.0`), a float literal
//! any float type. When nothing constrains them they default to `i64` and `f64` (see the typing
//! rules in `docs/language.md`). General variables come from instantiating generic signatures.

use crate::types::{F64, I64, Ty};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    General,
    /// From an integer literal: any integer or float type.
    IntLit,
    /// From a float literal: any float type.
    FloatLit,
}

#[derive(Default)]
pub struct Unifier {
    vars: Vec<(VarKind, Option<Ty>)>,
}

impl Unifier {
    pub fn fresh(&mut self, kind: VarKind) -> Ty {
        self.vars.push((kind, None));
        Ty::Var(u32::try_from(self.vars.len() - 1).unwrap_or(u32::MAX))
    }

    fn state(&self, v: u32) -> (VarKind, Option<&Ty>) {
        self.vars.get(v as usize).map_or((VarKind::General, None), |(k, b)| (*k, b.as_ref()))
    }

    /// Follows bindings at the top of `ty` only.
    pub fn shallow(&self, ty: &Ty) -> Ty {
        let mut current = ty.clone();
        while let Ty::Var(v) = current {
            match self.state(v).1 {
                Some(bound) => current = bound.clone(),
                None => return current,
            }
        }
        current
    }

    /// The kind of an unbound variable at the top of `ty`, if it is one.
    pub fn var_kind(&self, ty: &Ty) -> Option<VarKind> {
        match self.shallow(ty) {
            Ty::Var(v) => Some(self.state(v).0),
            _ => None,
        }
    }

    /// Substitutes all bound variables. Unbound ones stay (see [`Unifier::finish`]).
    pub fn resolve(&self, ty: &Ty) -> Ty {
        ty.map(&mut |t| match t {
            Ty::Var(v) => self.state(*v).1.map(|bound| self.resolve(bound)),
            _ => None,
        })
    }

    /// Substitutes everything, defaulting literal variables; general ones become `Invalid`.
    pub fn finish(&self, ty: &Ty) -> Ty {
        self.resolve(ty).map(&mut |t| match t {
            Ty::Var(v) => Some(match self.state(*v).0 {
                VarKind::IntLit => I64,
                VarKind::FloatLit => F64,
                VarKind::General => Ty::Invalid,
            }),
            _ => None,
        })
    }

    /// Defaults literal variables now (used where a concrete type is needed immediately).
    pub fn default_literals(&mut self, ty: &Ty) -> Ty {
        if let Ty::Var(v) = self.shallow(ty) {
            let default = match self.state(v).0 {
                VarKind::IntLit => Some(I64),
                VarKind::FloatLit => Some(F64),
                VarKind::General => None,
            };
            if let Some(d) = default {
                self.bind(v, d.clone());
                return d;
            }
        }
        self.resolve(ty)
    }

    /// Like [`Self::default_literals`], but also settles literal variables nested inside the
    /// type (`[_]` of integer literals becomes `[i64]`): for a method receiver, whose type must
    /// be concrete to find an implementation.
    pub fn default_literals_deep(&mut self, ty: &Ty) -> Ty {
        let mut vars = Vec::new();
        self.resolve(ty).visit(&mut |t| {
            if let Ty::Var(v) = t {
                vars.push(*v);
            }
        });
        for v in vars {
            let default = match self.state(v).0 {
                VarKind::IntLit => I64,
                VarKind::FloatLit => F64,
                VarKind::General => continue,
            };
            self.bind(v, default);
        }
        self.resolve(ty)
    }

    fn bind(&mut self, v: u32, ty: Ty) {
        if let Some(slot) = self.vars.get_mut(v as usize) {
            slot.1 = Some(ty);
        }
    }

    /// Makes `a` and `b` equal, or reports that they cannot be.
    pub fn unify(&mut self, a: &Ty, b: &Ty) -> Result<(), ()> {
        let a = self.shallow(a);
        let b = self.shallow(b);
        match (&a, &b) {
            (Ty::Invalid, _) | (_, Ty::Invalid) => Ok(()),
            (Ty::Var(x), Ty::Var(y)) if x == y => Ok(()),
            (Ty::Var(x), Ty::Var(y)) => {
                // `a` and `b` are already the ends of their chains (`shallow`), so chains stay
                // one link long when the newer variable points at the older one.
                let (x, y) = if x > y { (x, y) } else { (y, x) };
                let b = Ty::Var(*y);
                let merged = merge_kinds(self.state(*x).0, self.state(*y).0);
                if let Some(slot) = self.vars.get_mut(*y as usize) {
                    slot.0 = merged;
                }
                self.bind(*x, b.clone());
                Ok(())
            }
            (Ty::Var(x), other) | (other, Ty::Var(x)) => self.bind_checked(*x, other),
            (Ty::Array(x), Ty::Array(y))
            | (Ty::Set(x), Ty::Set(y))
            | (Ty::Future(x), Ty::Future(y))
            | (Ty::Channel(x), Ty::Channel(y)) => self.unify(x, y),
            (Ty::Map(k1, v1), Ty::Map(k2, v2)) => {
                self.unify(k1, k2)?;
                self.unify(v1, v2)
            }
            (Ty::Tuple(xs), Ty::Tuple(ys)) => self.unify_all(xs, ys),
            (Ty::Adt(i, xs), Ty::Adt(j, ys)) if i == j => self.unify_all(xs, ys),
            (Ty::Fn(p1, r1), Ty::Fn(p2, r2)) => {
                self.unify_all(p1, p2)?;
                self.unify(r1, r2)
            }
            _ if a == b => Ok(()),
            _ => Err(()),
        }
    }

    fn unify_all(&mut self, xs: &[Ty], ys: &[Ty]) -> Result<(), ()> {
        if xs.len() != ys.len() {
            return Err(());
        }
        xs.iter().zip(ys).try_for_each(|(x, y)| self.unify(x, y))
    }

    fn bind_checked(&mut self, v: u32, ty: &Ty) -> Result<(), ()> {
        let allowed = match self.state(v).0 {
            VarKind::General => true,
            VarKind::IntLit => ty.is_numeric(),
            VarKind::FloatLit => ty.is_float(),
        };
        let occurs = {
            let mut found = false;
            self.resolve(ty).visit(&mut |t| found |= *t == Ty::Var(v));
            found
        };
        if !allowed || occurs {
            return Err(());
        }
        self.bind(v, ty.clone());
        Ok(())
    }
}

fn merge_kinds(a: VarKind, b: VarKind) -> VarKind {
    match (a, b) {
        (VarKind::FloatLit, _) | (_, VarKind::FloatLit) => VarKind::FloatLit,
        (VarKind::IntLit, _) | (_, VarKind::IntLit) => VarKind::IntLit,
        _ => VarKind::General,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{FloatTy, IntTy};

    #[test]
    fn int_literal_takes_int_or_float() {
        let mut u = Unifier::default();
        let a = u.fresh(VarKind::IntLit);
        assert!(u.unify(&a, &Ty::Float(FloatTy::F32)).is_ok());
        assert_eq!(u.finish(&a), Ty::Float(FloatTy::F32));
        let b = u.fresh(VarKind::IntLit);
        assert!(u.unify(&b, &Ty::Str).is_err());
        assert_eq!(u.finish(&b), I64);
    }

    #[test]
    fn float_literal_rejects_int() {
        let mut u = Unifier::default();
        let a = u.fresh(VarKind::FloatLit);
        assert!(u.unify(&a, &Ty::Int(IntTy::I32)).is_err());
        let b = u.fresh(VarKind::IntLit);
        assert!(u.unify(&a, &b).is_ok());
        assert_eq!(u.finish(&b), F64);
    }

    #[test]
    fn occurs_check() {
        let mut u = Unifier::default();
        let a = u.fresh(VarKind::General);
        assert!(u.unify(&a, &Ty::Array(Box::new(a.clone()))).is_err());
    }
}
