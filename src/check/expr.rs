//! Checking expressions.
//!
//! [`Checker::expr`] checks one expression against an optional expected type and returns the
//! typed expression. The expected type flows *into* literals (an integer literal takes the
//! integer or float type expected of it), array/tuple/map literals, struct literals (which take
//! the expected record type) and constructors, and is unified with the result everywhere else.

use super::builtins::{self, ArgClass};
use super::dists::{self, ParamKind, ValueKind};
use super::env::{OPTION, RESULT};
use super::infer::VarKind;
use super::{Checker, TypeError};
use crate::ast::{self, BinOp, ExprKind as E, UnOp};
use crate::diagnostic::did_you_mean;
use crate::span::Span;
use crate::typed::{self, AdtKind, Callee, Dist, Expr, ExprKind as T, Literal};
use crate::types::{F64, FloatTy, I64, Ty};

/// What the context expects of an expression, and why (for a secondary label).
#[derive(Clone, Debug, Default)]
pub(crate) struct Expect {
    pub ty: Option<Ty>,
    pub because: Option<(Span, String)>,
    /// Only a hint for literals: a mismatch is reported by the caller, not here.
    pub soft: bool,
}

impl Expect {
    pub fn none() -> Expect {
        Expect::default()
    }

    pub fn ty(ty: Ty) -> Expect {
        Expect { ty: Some(ty), because: None, soft: false }
    }

    pub fn hint(ty: Option<Ty>) -> Expect {
        Expect { ty, because: None, soft: true }
    }

    pub fn because(ty: Ty, span: Span, why: impl Into<String>) -> Expect {
        Expect { ty: Some(ty), because: Some((span, why.into())), soft: false }
    }
}

pub(super) fn invalid(span: Span) -> Expr {
    Expr { kind: T::Invalid, ty: Ty::Invalid, span }
}

impl Checker<'_> {
    /// Checks `e`; the result's type agrees with `expect` (or an error was reported).
    pub(crate) fn expr(&mut self, e: &ast::Expr, expect: &Expect) -> Expr {
        let typed = self.expr_inner(e, expect);
        let typed = self.to_trait_object(typed, expect);
        if let (Some(expected), false) = (&expect.ty, expect.soft) {
            self.coerce_check(&typed, expected, expect);
        }
        typed
    }

    /// A value of a concrete type where a trait object is expected becomes one, when its type
    /// implements the trait (the only implicit conversion of the language).
    fn to_trait_object(&mut self, typed: Expr, expect: &Expect) -> Expr {
        let Some(expected) = &expect.ty else { return typed };
        let Ty::TraitObject(trait_id) = self.f.unifier.resolve(expected) else { return typed };
        let found = self.f.unifier.resolve(&typed.ty);
        if matches!(found, Ty::TraitObject(_) | Ty::Var(_) | Ty::Invalid) {
            return typed;
        }
        match self.find_impl(trait_id, &found) {
            Some(impl_index) => {
                let span = typed.span;
                Expr { kind: T::ToDyn { value: Box::new(typed), impl_index }, ty: Ty::TraitObject(trait_id), span }
            }
            None => {
                let trait_name = self.out.traits[trait_id.0 as usize].name.clone();
                let hint = Some(format!("`{}` does not implement `{trait_name}`; add an implementation in `trait_impls`", self.show(&found)));
                self.error(TypeError::Mismatch { span: typed.span, expected: self.show(expected), found: self.show(&found), because: expect.because.clone(), hint });
                invalid(typed.span)
            }
        }
    }

    /// Reports a mismatch between `typed` and `expected` if they cannot be unified.
    fn coerce_check(&mut self, typed: &Expr, expected: &Ty, expect: &Expect) {
        if self.f.unifier.unify(expected, &typed.ty).is_ok() {
            return;
        }
        let found = self.f.unifier.resolve(&typed.ty);
        if found == Ty::Void {
            self.error(TypeError::VoidValue { span: typed.span });
            return;
        }
        if let T::Local(id) = &typed.kind
            && let Some((_, let_span)) = self.f.literal_lets.iter().find(|(l, _)| l == id) {
                let name = self.f.locals[id.0 as usize].name.clone();
                let (expected, found) = (self.show(expected), self.show(&found));
                self.error(TypeError::LiteralLetMismatch { span: typed.span, expected, found, because: expect.because.clone(), name, let_span: *let_span });
                return;
            }
        let expected_resolved = self.f.unifier.resolve(expected);
        let hint = conversion_hint(&expected_resolved, &found);
        self.error(TypeError::Mismatch {
            span: typed.span,
            expected: self.show(expected),
            found: self.show(&typed.ty),
            because: expect.because.clone(),
            hint,
        });
    }

    /// An expression whose value is used: `void` is an error.
    /// `void` fits only where `void` itself is expected: an element of an array or set, or an
    /// argument for a type parameter (still an inference variable here), must be a value.
    pub(crate) fn value(&mut self, e: &ast::Expr, expect: &Expect) -> Expr {
        let open = expect.ty.as_ref().is_none_or(|t| matches!(self.f.unifier.resolve(t), Ty::Var(_)));
        let typed = self.expr(e, expect);
        if self.f.unifier.resolve(&typed.ty) == Ty::Void && (open || expect.soft) {
            self.error(TypeError::VoidValue { span: typed.span });
            return invalid(typed.span);
        }
        typed
    }

    fn expr_inner(&mut self, e: &ast::Expr, expect: &Expect) -> Expr {
        let span = e.span;
        let (kind, ty) = match &e.kind {
            E::Int(i) => return self.int_literal(*i, span, expect),
            E::Float(x) => return self.float_literal(*x, span, expect),
            E::Str(s) => (T::Lit(Literal::Str(s.clone())), Ty::Str),
            E::Bool(b) => (T::Lit(Literal::Bool(*b)), Ty::Bool),
            E::Var(name) => return self.variable(name),
            E::Unary { op, arg } => return self.unary(*op, arg, span, expect),
            E::Binary { op, lhs, rhs } => return self.binary(*op, lhs, rhs, span, expect),
            E::Call { func, type_args, args } => return self.call(func, type_args, args, span, expect),
            E::MethodCall { receiver, method, args } => return self.method_call(receiver, method, args, span),
            E::Field { object, field } => return self.field(object, field, span),
            E::Index { object, index } => return self.index(object, index, span),
            E::Array(items) => return self.array(items, span, expect),
            E::Tuple(items) => return self.tuple(items, span, expect),
            E::StructLit(fields) => return self.struct_literal(fields, span, expect),
            E::Record { ty, type_args, fields } => return self.record(ty, type_args, fields, span),
            E::Update { base, fields } => return self.update(base, fields, span),
            E::Enum { ty, type_args, variant, value } => return self.enum_value(ty, type_args, variant, value.as_deref(), span, expect),
            E::Map(entries) => return self.map_literal(entries, span, expect),
            E::Set(items) => return self.set_literal(items, span, expect),
            E::Cast { value, ty } => return self.cast(value, ty, span),
            E::Sample(sample) => return self.sample(sample, span, expect),
            E::Infer { model, args, options } => return self.infer_expr(model, args, options, span),
            E::Await(inner) => return self.await_expr(inner, span),
            E::Propagate(inner) => return self.propagate(inner, span),
            E::Cond { cond, then_value, else_value } => return self.cond(cond, then_value, else_value, span, expect),
            E::ErrorValue { ty, message } => return self.error_value(ty, message.as_deref(), span),
            E::LogDensity { dist, value } => return self.log_density(dist, value, span),
        };
        Expr { kind, ty, span }
    }

    // ----- Literals and names -------------------------------------------------------------------

    fn int_literal(&mut self, value: i128, span: Span, expect: &Expect) -> Expr {
        let expected = expect.ty.as_ref().map(|t| self.f.unifier.shallow(t));
        let ty = match expected {
            Some(Ty::Int(_)) => expected.clone().unwrap_or(I64),
            Some(Ty::Float(f)) => {
                if value.unsigned_abs() > (1u128 << 53) {
                    self.error(TypeError::LiteralRange { span, value: value.to_string(), ty: f.name().to_string() });
                }
                return Expr { kind: T::Lit(Literal::Float(value as f64)), ty: Ty::Float(f), span };
            }
            _ => self.f.unifier.fresh(VarKind::IntLit),
        };
        self.f.int_literals.push((value, ty.clone(), span));
        Expr { kind: T::Lit(Literal::Int(value)), ty, span }
    }

    fn float_literal(&mut self, value: f64, span: Span, expect: &Expect) -> Expr {
        let ty = match expect.ty.as_ref().map(|t| self.f.unifier.shallow(t)) {
            Some(Ty::Float(f)) => Ty::Float(f),
            _ => self.f.unifier.fresh(VarKind::FloatLit),
        };
        Expr { kind: T::Lit(Literal::Float(value)), ty, span }
    }

    fn variable(&mut self, name: &ast::Name) -> Expr {
        if let Some(id) = self.lookup(&name.text) {
            if let Some(used) = self.f.used.get_mut(id.0 as usize) {
                *used = true;
            }
            let ty = self.f.locals[id.0 as usize].ty.clone();
            return Expr { kind: T::Local(id), ty, span: name.span };
        }
        if let Some(mut constant) = self.constant_named(&name.text) {
            constant.span = name.span;
            return constant;
        }
        let candidates: Vec<String> = self.f.scopes.iter().flatten().map(|(n, _)| n.clone()).collect();
        let suggestion = did_you_mean(&name.text, candidates.iter().map(String::as_str));
        self.error(TypeError::UnknownVariable { span: name.span, name: name.text.clone(), suggestion });
        invalid(name.span)
    }

    // ----- Operators ----------------------------------------------------------------------------

    fn unary(&mut self, op: UnOp, arg: &ast::Expr, span: Span, expect: &Expect) -> Expr {
        match op {
            UnOp::Not => {
                let arg = self.value(arg, &Expect::ty(Ty::Bool));
                Expr { kind: T::Unary { op, arg: Box::new(arg) }, ty: Ty::Bool, span }
            }
            UnOp::Neg | UnOp::BitNot => {
                let arg = self.value(arg, &Expect::hint(expect.ty.clone()));
                let ty = self.f.unifier.resolve(&arg.ty);
                let ok = match op {
                    UnOp::Neg => match &ty {
                        Ty::Int(i) => i.signed(),
                        Ty::Float(_) | Ty::Var(_) | Ty::Invalid => true,
                        _ => false,
                    },
                    _ => matches!(ty, Ty::Int(_) | Ty::Invalid) || self.f.unifier.var_kind(&ty) == Some(VarKind::IntLit),
                };
                if !ok {
                    let operands = format!("`{}`", self.show(&ty));
                    self.error(TypeError::BadOperands { span, op: op.keyword(), operands, hint: None });
                    return invalid(span);
                }
                Expr { kind: T::Unary { op, arg: Box::new(arg.clone()) }, ty: arg.ty, span }
            }
        }
    }

    fn binary(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span, expect: &Expect) -> Expr {
        match op {
            BinOp::And | BinOp::Or => {
                let l = self.value(lhs, &Expect::ty(Ty::Bool));
                let r = self.value(rhs, &Expect::ty(Ty::Bool));
                let kind = if op == BinOp::And { T::And(Box::new(l), Box::new(r)) } else { T::Or(Box::new(l), Box::new(r)) };
                return Expr { kind, ty: Ty::Bool, span };
            }
            BinOp::Shl | BinOp::Shr => return self.shift(op, lhs, rhs, span, expect),
            _ => {}
        }
        let operand_expect = if op.is_comparison() { Expect::none() } else { Expect::hint(expect.ty.clone()) };
        let l = self.value(lhs, &operand_expect);
        let r = self.value(rhs, &Expect::hint(Some(l.ty.clone())));
        if self.f.unifier.unify(&l.ty, &r.ty).is_err() {
            return self.bad_operands(op, &l.ty, Some(&r.ty), span);
        }
        let operand = self.f.unifier.resolve(&l.ty);
        if !self.operator_accepts(op, &operand) {
            return self.bad_operands(op, &l.ty, None, span);
        }
        let ty = if op.is_comparison() { Ty::Bool } else { l.ty.clone() };
        Expr { kind: T::Binary { op, lhs: Box::new(l), rhs: Box::new(r) }, ty, span }
    }

    fn shift(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span, expect: &Expect) -> Expr {
        let l = self.value(lhs, &Expect::hint(expect.ty.clone()));
        let r = self.value(rhs, &Expect::none());
        let lt = self.f.unifier.resolve(&l.ty);
        let rt = self.f.unifier.default_literals(&r.ty);
        let int_like = |c: &Self, t: &Ty| t.is_int() || t.is_invalid() || c.f.unifier.var_kind(t) == Some(VarKind::IntLit);
        if !int_like(self, &lt) || !int_like(self, &rt) {
            return self.bad_operands(op, &l.ty, Some(&r.ty), span);
        }
        Expr { kind: T::Binary { op, lhs: Box::new(l.clone()), rhs: Box::new(r) }, ty: l.ty, span }
    }

    fn operator_accepts(&self, op: BinOp, ty: &Ty) -> bool {
        let literal = self.f.unifier.var_kind(ty);
        let numeric = ty.is_numeric() || matches!(literal, Some(VarKind::IntLit | VarKind::FloatLit));
        if ty.is_invalid() {
            return true;
        }
        match op {
            BinOp::Add => numeric || *ty == Ty::Str,
            BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow => numeric,
            BinOp::Eq | BinOp::Ne => !matches!(ty, Ty::Void | Ty::Fn(..) | Ty::Future(_) | Ty::Channel(_) | Ty::TraitObject(_) | Ty::Posterior),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => numeric || *ty == Ty::Str,
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => ty.is_int() || literal == Some(VarKind::IntLit),
            BinOp::And | BinOp::Or | BinOp::Shl | BinOp::Shr => false,
        }
    }

    fn bad_operands(&mut self, op: BinOp, lhs: &Ty, rhs: Option<&Ty>, span: Span) -> Expr {
        let l = self.f.unifier.resolve(lhs);
        let operands = match rhs {
            Some(r) => format!("`{}` and `{}`", self.show(lhs), self.show(r)),
            None => format!("`{}`", self.show(lhs)),
        };
        let r = rhs.map(|r| self.f.unifier.resolve(r));
        let hint = match (&l, &r) {
            (a, Some(b)) if a.is_numeric() && b.is_numeric() => {
                Some("convert one side explicitly, e.g. {\"cast\": {\"value\": …, \"type\": \"f64\"}}".to_string())
            }
            (Ty::Str, _) if op != BinOp::Add => Some("strings support `add` (concatenation) and comparisons".to_string()),
            _ => None,
        };
        self.error(TypeError::BadOperands { span, op: op.keyword(), operands, hint });
        invalid(span)
    }

    // ----- Calls --------------------------------------------------------------------------------

    fn call(&mut self, func: &ast::Name, type_args: &[ast::TypeExpr], args: &[ast::Expr], span: Span, expect: &Expect) -> Expr {
        if let Some(id) = self.function_named(&func.text) {
            return self.call_user(id, func, type_args, args, span);
        }
        if let Some(id) = self.extern_named(&func.text) {
            return self.call_extern(id, func, args, span);
        }
        if let Some((name, arity, ret)) = builtins::math_signature(&func.text) {
            return self.call_math(func, name, arity, ret, args, span);
        }
        if let ("add_diag", [matrix, second]) = (func.text.as_str(), args) {
            return self.call_add_diag(matrix, second, span);
        }
        if let (Some(form), [matrix, second]) = (builtins::matrix_vector_form(&func.text), args) {
            return self.call_matrix_or_vector(&func.text, form, matrix, second, span);
        }
        if let Some(builtin) = builtins::arity_form(&func.text, args.len()).or_else(|| builtins::find(&func.text)) {
            return self.call_builtin(builtin, func, args, span, expect);
        }
        if let Some(receiver) = args.first()
            && let Some(found) = self.trait_method_call(receiver, func, &args[1..], span) {
                return found;
            }
        let mut candidates = self.function_names();
        candidates.extend(builtins::all().map(|b| b.name.to_string()));
        candidates.extend(builtins::math_names());
        let suggestion = did_you_mean(&func.text, candidates.iter().map(String::as_str));
        self.error(TypeError::UnknownFunction { span: func.span, name: func.text.clone(), suggestion });
        for arg in args {
            self.expr(arg, &Expect::none());
        }
        invalid(span)
    }

    fn arity(&mut self, callee: &str, expected: usize, args: &[ast::Expr], span: Span, definition: Option<Span>) -> bool {
        if expected == args.len() {
            return true;
        }
        self.error(TypeError::ArgCount { span, callee: callee.to_string(), expected, found: args.len(), definition });
        for arg in args {
            self.expr(arg, &Expect::none());
        }
        false
    }

    fn call_user(&mut self, id: typed::FuncId, func: &ast::Name, type_args: &[ast::TypeExpr], args: &[ast::Expr], span: Span) -> Expr {
        let sig = self.sig(id).clone();
        if !self.arity(&func.text, sig.params.len(), args, span, Some(sig.span)) {
            return invalid(span);
        }
        let instance = self.instantiate(&sig.type_params, type_args, func, span);
        let mut typed_args = Vec::new();
        for (arg, param) in args.iter().zip(&sig.params) {
            let param = param.subst(&instance);
            let why = format!("parameter of `{}`", sig.name);
            typed_args.push(self.value(arg, &Expect::because(param, sig.span, why)));
        }
        let ret = sig.ret.subst(&instance);
        if sig.is_async {
            let kind = T::Spawn { func: id, args: typed_args };
            return Expr { kind, ty: Ty::Future(Box::new(ret)), span };
        }
        Expr { kind: T::Call { callee: Callee::Func { id, type_args: instance }, args: typed_args }, ty: ret, span }
    }

    /// Fresh variables (or the explicit type arguments) for a generic signature's parameters.
    fn instantiate(&mut self, params: &[typed::TypeParamDef], explicit: &[ast::TypeExpr], func: &ast::Name, span: Span) -> Vec<Ty> {
        if !explicit.is_empty() && explicit.len() != params.len() {
            self.error(TypeError::TypeArgCount { span, name: func.text.clone(), expected: params.len(), found: explicit.len() });
        }
        let outer: Vec<String> = self.f.type_params.iter().map(|p| p.name.clone()).collect();
        let instance: Vec<Ty> = params
            .iter()
            .enumerate()
            .map(|(i, _)| match explicit.get(i).filter(|_| explicit.len() == params.len()) {
                Some(t) => self.resolve_type(t, &outer),
                None => {
                    let v = self.f.unifier.fresh(VarKind::General);
                    self.f.must_resolve.push((v.clone(), span, format!("the type arguments of `{}`", func.text)));
                    v
                }
            })
            .collect();
        for (param, ty) in params.iter().zip(&instance) {
            for bound in &param.bounds {
                self.f.bound_checks.push((ty.clone(), *bound, span));
            }
        }
        instance
    }

    fn call_extern(&mut self, id: typed::ExternId, func: &ast::Name, args: &[ast::Expr], span: Span) -> Expr {
        let def = self.out.externs[id.0 as usize].clone();
        if !self.arity(&func.text, def.params.len(), args, span, None) {
            return invalid(span);
        }
        let typed_args = args.iter().zip(&def.params).map(|(a, p)| self.value(a, &Expect::ty(p.clone()))).collect();
        Expr { kind: T::Call { callee: Callee::Extern(id), args: typed_args }, ty: def.ret, span }
    }

    fn call_math(&mut self, func: &ast::Name, name: &'static str, arity: usize, ret: &str, args: &[ast::Expr], span: Span) -> Expr {
        if !self.arity(&func.text, arity, args, span, None) {
            return invalid(span);
        }
        let typed_args = args.iter().map(|a| self.numeric_arg(a)).collect();
        let ty = if ret == "bool" { Ty::Bool } else { F64 };
        Expr { kind: T::Call { callee: Callee::Builtin { name }, args: typed_args }, ty, span }
    }

    /// An argument of any numeric type, converted to `f64`.
    pub(super) fn numeric_arg(&mut self, arg: &ast::Expr) -> Expr {
        if let ast::ExprKind::Int(_) | ast::ExprKind::Float(_) = arg.kind {
            return self.value(arg, &Expect::ty(F64));
        }
        let typed = self.value(arg, &Expect::none());
        let ty = self.f.unifier.default_literals(&typed.ty);
        match ty {
            Ty::Float(FloatTy::F64) | Ty::Invalid => typed,
            Ty::Int(_) | Ty::Float(_) => Expr { span: typed.span, kind: T::Cast(Box::new(typed)), ty: F64 },
            other => {
                self.error(TypeError::Mismatch {
                    span: typed.span,
                    expected: "a number".into(),
                    found: self.show(&other),
                    because: None,
                    hint: None,
                });
                invalid(typed.span)
            }
        }
    }

    /// `multiply(A, B)` / `multiply(A, v)` (and `mdivide_left_tri_low`): the second argument's
    /// type chooses the matrix or the vector form.
    fn call_matrix_or_vector(&mut self, name: &str, vector_form: &'static builtins::Builtin, matrix: &ast::Expr, second: &ast::Expr, span: Span) -> Expr {
        let matrix_ty = Ty::Array(Box::new(Ty::Array(Box::new(F64))));
        let a = self.value(matrix, &Expect::ty(matrix_ty.clone()));
        let b = self.value(second, &Expect::none());
        let resolved = self.f.unifier.default_literals_deep(&b.ty);
        let (callee, ret) = if resolved == Ty::Array(Box::new(F64)) {
            (vector_form.name, Ty::Array(Box::new(F64)))
        } else {
            if !resolved.is_invalid() && self.f.unifier.unify(&b.ty, &matrix_ty).is_err() {
                let found = self.show(&resolved);
                self.error(TypeError::Mismatch { span: b.span, expected: "a matrix `[[f64]]` or a vector `[f64]`".into(), found, because: None, hint: Some(format!("the second argument of `{name}`")) });
                return invalid(span);
            }
            let Some(builtin) = builtins::find(name) else { return invalid(span) };
            (builtin.name, matrix_ty)
        };
        Expr { kind: T::Call { callee: Callee::Builtin { name: callee }, args: vec![a, b] }, ty: ret, span }
    }

    /// `add_diag(A, d)` adds the number d to each diagonal element, or, with a vector d
    /// (`[f64]`), d[i] to element i (the built-in `add_diag_vector`).
    fn call_add_diag(&mut self, matrix: &ast::Expr, second: &ast::Expr, span: Span) -> Expr {
        let matrix_ty = Ty::Array(Box::new(Ty::Array(Box::new(F64))));
        let a = self.value(matrix, &Expect::ty(matrix_ty.clone()));
        let b = self.value(second, &Expect::none());
        let resolved = self.f.unifier.default_literals_deep(&b.ty);
        let (callee, b) = if resolved == Ty::Array(Box::new(F64)) { ("add_diag_vector", b) } else { ("add_diag", self.numeric_to(b, &F64)) };
        Expr { kind: T::Call { callee: Callee::Builtin { name: callee }, args: vec![a, b] }, ty: matrix_ty, span }
    }

    fn call_builtin(&mut self, builtin: &'static builtins::Builtin, func: &ast::Name, args: &[ast::Expr], span: Span, expect: &Expect) -> Expr {
        if !self.arity(&func.text, builtin.args.len(), args, span, None) {
            return invalid(span);
        }
        let instance: Vec<Ty> = builtin.generics.iter().map(|_| self.f.unifier.fresh(VarKind::General)).collect();
        let resolve_adt = |name: &str| match name {
            "Option" => Some(OPTION),
            "Result" => Some(RESULT),
            _ => None,
        };
        let ret = builtins::parse_type(builtin.ret, builtin.generics, &resolve_adt).subst(&instance);
        if let Some(expected) = &expect.ty {
            let _ = self.f.unifier.unify(expected, &ret);
        }
        let mut typed_args = Vec::new();
        for (i, (arg, class)) in args.iter().zip(builtin.args).enumerate() {
            let class = builtins::arg_class(class, builtin.generics, &resolve_adt);
            let typed = match class {
                ArgClass::Numeric => self.numeric_arg(arg),
                ArgClass::AnyInt => self.int_arg(arg),
                ArgClass::Printable => self.printable_arg(arg),
                ArgClass::Exact(t) => self.value(arg, &Expect::ty(t.subst(&instance))),
            };
            if i == 0 && builtin.mutates_first {
                self.check_mutable_arg(&typed, func);
            }
            typed_args.push(typed);
        }
        for (i, ty) in instance.iter().enumerate() {
            let what = format!("the type parameter {} of `{}`", builtin.generics[i], builtin.name);
            self.f.must_resolve.push((ty.clone(), span, what));
        }
        Expr { kind: T::Call { callee: Callee::Builtin { name: builtin.name }, args: typed_args }, ty: ret, span }
    }

    pub(super) fn int_arg(&mut self, arg: &ast::Expr) -> Expr {
        let typed = self.value(arg, &Expect::none());
        // An integer literal's type stays open: a later use may still choose its width.
        if self.f.unifier.var_kind(&typed.ty) == Some(VarKind::IntLit) {
            return typed;
        }
        let ty = self.f.unifier.default_literals(&typed.ty);
        if !ty.is_int() && !ty.is_invalid() {
            self.error(TypeError::Mismatch { span: typed.span, expected: "an integer".into(), found: self.show(&ty), because: None, hint: None });
            return invalid(typed.span);
        }
        typed
    }

    fn printable_arg(&mut self, arg: &ast::Expr) -> Expr {
        let typed = self.value(arg, &Expect::none());
        // Any number prints: a literal's type stays open for a later use to choose.
        if matches!(self.f.unifier.var_kind(&typed.ty), Some(VarKind::IntLit | VarKind::FloatLit)) {
            return typed;
        }
        let ty = self.f.unifier.default_literals(&typed.ty);
        if !builtins::is_printable(&ty) && !ty.is_invalid() {
            let expected = "a number, bool or str".to_string();
            self.error(TypeError::Mismatch { span: typed.span, expected, found: self.show(&ty), because: None, hint: None });
            return invalid(typed.span);
        }
        typed
    }

    /// The first argument of a mutating built-in must be a mutable variable.
    fn check_mutable_arg(&mut self, arg: &Expr, func: &ast::Name) {
        match arg.kind {
            T::Local(id) => {
                let local = &self.f.locals[id.0 as usize];
                if !local.mutable {
                    let (name, definition) = (local.name.clone(), local.span);
                    self.error(TypeError::AssignImmutable { span: arg.span, name, definition });
                }
            }
            T::Invalid => {}
            _ => {
                self.error(TypeError::NotAPlace { span: arg.span, func: func.text.clone() });
            }
        }
    }

    fn trait_method_call(&mut self, receiver: &ast::Expr, method: &ast::Name, rest: &[ast::Expr], span: Span) -> Option<Expr> {
        let candidates: Vec<(crate::types::TraitId, usize)> = self
            .out
            .traits
            .iter()
            .enumerate()
            .filter_map(|(t, def)| def.methods.iter().position(|m| m.name == method.text).map(|m| (crate::types::TraitId(t as u32), m)))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let recv = self.value(receiver, &Expect::none());
        let recv_ty = self.f.unifier.default_literals_deep(&recv.ty);
        Some(self.dispatch(recv, recv_ty, &candidates, method, rest, span))
    }

    fn method_call(&mut self, receiver: &ast::Expr, method: &ast::Name, args: &[ast::Expr], span: Span) -> Expr {
        let candidates: Vec<(crate::types::TraitId, usize)> = self
            .out
            .traits
            .iter()
            .enumerate()
            .filter_map(|(t, def)| def.methods.iter().position(|m| m.name == method.text).map(|m| (crate::types::TraitId(t as u32), m)))
            .collect();
        let recv = self.value(receiver, &Expect::none());
        let recv_ty = self.f.unifier.default_literals_deep(&recv.ty);
        self.dispatch(recv, recv_ty, &candidates, method, args, span)
    }

    /// Resolves a trait method on a receiver: statically for concrete types and bounded type
    /// parameters, dynamically for trait objects.
    fn dispatch(
        &mut self,
        recv: Expr,
        recv_ty: Ty,
        candidates: &[(crate::types::TraitId, usize)],
        method: &ast::Name,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let chosen = candidates.iter().copied().find(|(t, _)| match &recv_ty {
            Ty::TraitObject(id) => id == t,
            Ty::Param(p) => self.f.type_params.get(*p as usize).is_some_and(|tp| tp.bounds.contains(t)),
            other => self.find_impl(*t, other).is_some(),
        });
        let Some((trait_id, index)) = chosen else {
            if !recv_ty.is_invalid() {
                let ty = self.show(&recv_ty);
                self.error(TypeError::UnknownMethod { span: method.span, ty, method: method.text.clone() });
            }
            for a in args {
                self.expr(a, &Expect::none());
            }
            return invalid(span);
        };
        let sig = self.out.traits[trait_id.0 as usize].methods[index].clone();
        if !self.arity(&method.text, sig.params.len(), args, span, None) {
            return invalid(span);
        }
        let mut typed_args = vec![recv];
        for (a, p) in args.iter().zip(&sig.params) {
            typed_args.push(self.value(a, &Expect::ty(p.clone())));
        }
        let callee = match recv_ty {
            Ty::TraitObject(_) => Callee::Dyn { trait_id, method: index },
            other => Callee::Method { trait_id, method: index, self_ty: other },
        };
        Expr { kind: T::Call { callee, args: typed_args }, ty: sig.ret, span }
    }

    // ----- Fields, elements, collections --------------------------------------------------------

    fn field(&mut self, object: &ast::Expr, field: &ast::Name, span: Span) -> Expr {
        let obj = self.value(object, &Expect::none());
        let ty = self.f.unifier.resolve(&obj.ty);
        if ty.is_invalid() {
            return invalid(span);
        }
        match self.field_of(&ty, field) {
            Some((index, field_ty)) => Expr { kind: T::Field { object: Box::new(obj), index }, ty: field_ty, span },
            None => invalid(span),
        }
    }

    /// Finds a field of a record or a tuple position; reports an error when there is none.
    pub(crate) fn field_of(&mut self, ty: &Ty, field: &ast::Name) -> Option<(usize, Ty)> {
        if let Ty::Tuple(items) = ty {
            let index = field.text.parse::<usize>().ok().filter(|i| *i < items.len());
            if index.is_none() {
                let fields = (0..items.len()).map(|i| i.to_string()).collect();
                self.error(TypeError::UnknownField { span: field.span, ty: self.show(ty), field: field.text.clone(), suggestion: None, fields });
            }
            return index.map(|i| (i, items[i].clone()));
        }
        let Some(fields) = self.out.record_fields(ty) else {
            self.error(TypeError::NoFields { span: field.span, ty: self.show(ty) });
            return None;
        };
        match fields.iter().position(|(name, _)| *name == field.text) {
            Some(i) => Some((i, fields[i].1.clone())),
            None => {
                let names: Vec<String> = fields.iter().map(|(n, _)| n.clone()).collect();
                let suggestion = did_you_mean(&field.text, names.iter().map(String::as_str));
                self.error(TypeError::UnknownField { span: field.span, ty: self.show(ty), field: field.text.clone(), suggestion, fields: names });
                None
            }
        }
    }

    fn index(&mut self, object: &ast::Expr, index: &ast::Expr, span: Span) -> Expr {
        let obj = self.value(object, &Expect::none());
        let idx = self.int_arg(index);
        let ty = self.f.unifier.resolve(&obj.ty);
        let element = match &ty {
            Ty::Array(e) => (**e).clone(),
            Ty::Invalid => return invalid(span),
            _ => {
                self.error(TypeError::NotIndexable { span: obj.span, ty: self.show(&ty) });
                return invalid(span);
            }
        };
        Expr { kind: T::Index { object: Box::new(obj), index: Box::new(idx) }, ty: element, span }
    }

    fn array(&mut self, items: &[ast::Expr], span: Span, expect: &Expect) -> Expr {
        let element = match expect.ty.as_ref().map(|t| self.f.unifier.resolve(t)) {
            Some(Ty::Array(e)) => *e,
            _ => {
                let v = self.f.unifier.fresh(VarKind::General);
                self.f.must_resolve.push((v.clone(), span, "the elements of this empty array".into()));
                v
            }
        };
        let typed: Vec<Expr> = items.iter().map(|i| self.value(i, &Expect::ty(element.clone()))).collect();
        Expr { kind: T::Array(typed), ty: Ty::Array(Box::new(element)), span }
    }

    fn tuple(&mut self, items: &[ast::Expr], span: Span, expect: &Expect) -> Expr {
        let expected = match expect.ty.as_ref().map(|t| self.f.unifier.resolve(t)) {
            Some(Ty::Tuple(ts)) if ts.len() == items.len() => ts,
            _ => Vec::new(),
        };
        let typed: Vec<Expr> = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.value(item, &expected.get(i).cloned().map_or_else(Expect::none, Expect::ty)))
            .collect();
        let ty = Ty::Tuple(typed.iter().map(|e| e.ty.clone()).collect());
        Expr { kind: T::Tuple(typed), ty, span }
    }

    fn struct_literal(&mut self, fields: &[(ast::Name, ast::Expr)], span: Span, expect: &Expect) -> Expr {
        let expected = expect.ty.as_ref().map(|t| self.f.unifier.resolve(t));
        if let Some(ty @ Ty::Adt(..)) = &expected
            && self.out.record_fields(ty).is_some() {
                return self.record_fields_of(ty.clone(), fields, span);
            }
        let names: Vec<String> = fields.iter().map(|(n, _)| n.text.clone()).collect();
        let id = self.anon_record(&names);
        let params = self.out.adt(id).params.len();
        let args: Vec<Ty> = (0..params).map(|_| self.f.unifier.fresh(VarKind::General)).collect();
        self.record_fields_of(Ty::Adt(id, args), fields, span)
    }

    fn record(&mut self, ty: &ast::Name, type_args: &[ast::TypeExpr], fields: &[(ast::Name, ast::Expr)], span: Span) -> Expr {
        let Some(id) = self.named_adt(ty) else {
            for (_, e) in fields {
                self.expr(e, &Expect::none());
            }
            return invalid(span);
        };
        if !matches!(self.out.adt(id).kind, AdtKind::Record { .. }) {
            self.error(TypeError::NoFields { span: ty.span, ty: ty.text.clone() });
            return invalid(span);
        }
        let args = self.adt_args(id, type_args, ty, span);
        self.record_fields_of(Ty::Adt(id, args), fields, span)
    }

    fn adt_args(&mut self, id: crate::types::AdtId, type_args: &[ast::TypeExpr], name: &ast::Name, span: Span) -> Vec<Ty> {
        let count = self.out.adt(id).params.len();
        if type_args.is_empty() {
            return (0..count)
                .map(|_| {
                    let v = self.f.unifier.fresh(VarKind::General);
                    self.f.must_resolve.push((v.clone(), span, format!("the type arguments of `{}`", name.text)));
                    v
                })
                .collect();
        }
        if type_args.len() != count {
            self.error(TypeError::TypeArgCount { span, name: name.text.clone(), expected: count, found: type_args.len() });
        }
        let outer: Vec<String> = self.f.type_params.iter().map(|p| p.name.clone()).collect();
        (0..count).map(|i| type_args.get(i).map_or(Ty::Invalid, |t| self.resolve_type(t, &outer))).collect()
    }

    fn named_adt(&mut self, name: &ast::Name) -> Option<crate::types::AdtId> {
        if let Some(id) = self.adt_by_name(&name.text) {
            return Some(id);
        }
        let suggestion = did_you_mean(&name.text, self.adt_names());
        self.error(TypeError::UnknownType { span: name.span, name: name.text.clone(), suggestion });
        None
    }

    /// Checks the fields of a record literal of type `ty` (all present, none unknown).
    fn record_fields_of(&mut self, ty: Ty, fields: &[(ast::Name, ast::Expr)], span: Span) -> Expr {
        let declared = self.out.record_fields(&ty).unwrap_or_default();
        let mut values: Vec<Option<Expr>> = vec![None; declared.len()];
        for (name, e) in fields {
            match declared.iter().position(|(n, _)| *n == name.text) {
                Some(i) => values[i] = Some(self.value(e, &Expect::ty(declared[i].1.clone()))),
                None => {
                    let names: Vec<String> = declared.iter().map(|(n, _)| n.clone()).collect();
                    let suggestion = did_you_mean(&name.text, names.iter().map(String::as_str));
                    self.error(TypeError::UnknownField { span: name.span, ty: self.show(&ty), field: name.text.clone(), suggestion, fields: names });
                    self.expr(e, &Expect::none());
                }
            }
        }
        let mut complete = Vec::new();
        for (i, value) in values.into_iter().enumerate() {
            match value {
                Some(v) => complete.push(v),
                None => {
                    self.error(TypeError::MissingField { span, ty: self.show(&ty), field: declared[i].0.clone() });
                    complete.push(invalid(span));
                }
            }
        }
        Expr { kind: T::Record { fields: complete }, ty, span }
    }

    fn update(&mut self, base: &ast::Expr, fields: &[(ast::Name, ast::Expr)], span: Span) -> Expr {
        let base = self.value(base, &Expect::none());
        let ty = self.f.unifier.resolve(&base.ty);
        if ty.is_invalid() {
            return invalid(span);
        }
        let mut updates = Vec::new();
        for (name, e) in fields {
            if let Some((index, field_ty)) = self.field_of(&ty, name) {
                updates.push((index, self.value(e, &Expect::ty(field_ty))));
            }
        }
        Expr { kind: T::Update { base: Box::new(base), fields: updates }, ty, span }
    }

    fn enum_value(
        &mut self,
        ty: &ast::Name,
        type_args: &[ast::TypeExpr],
        variant: &ast::Name,
        value: Option<&ast::Expr>,
        span: Span,
        expect: &Expect,
    ) -> Expr {
        let Some(id) = self.named_adt(ty) else { return invalid(span) };
        let args = match expect.ty.as_ref().map(|t| self.f.unifier.resolve(t)) {
            Some(Ty::Adt(eid, args)) if eid == id && type_args.is_empty() => args,
            _ => self.adt_args(id, type_args, ty, span),
        };
        let adt_ty = Ty::Adt(id, args);
        let Some(variants) = self.out.variants(&adt_ty) else {
            self.error(TypeError::UnknownVariant { span: variant.span, ty: ty.text.clone(), variant: variant.text.clone(), suggestion: None });
            return invalid(span);
        };
        let Some(index) = variants.iter().position(|(n, _)| *n == variant.text) else {
            let suggestion = did_you_mean(&variant.text, variants.iter().map(|(n, _)| n.as_str()));
            self.error(TypeError::UnknownVariant { span: variant.span, ty: ty.text.clone(), variant: variant.text.clone(), suggestion });
            return invalid(span);
        };
        let payload = match (&variants[index].1, value) {
            (Some(p), Some(v)) => Some(Box::new(self.value(v, &Expect::ty(p.clone())))),
            (None, None) => None,
            (expected, _) => {
                let callee = format!("{}::{}", ty.text, variant.text);
                let (expected, found) = (usize::from(expected.is_some()), usize::from(value.is_some()));
                self.error(TypeError::ArgCount { span, callee, expected, found, definition: None });
                return invalid(span);
            }
        };
        Expr { kind: T::Variant { variant: index, payload }, ty: adt_ty, span }
    }

    fn map_literal(&mut self, entries: &[(ast::Expr, ast::Expr)], span: Span, expect: &Expect) -> Expr {
        let (k, v) = match expect.ty.as_ref().map(|t| self.f.unifier.resolve(t)) {
            Some(Ty::Map(k, v)) => (*k, *v),
            _ => {
                let (k, v) = (self.f.unifier.fresh(VarKind::General), self.f.unifier.fresh(VarKind::General));
                self.f.must_resolve.push((k.clone(), span, "the keys of this empty map".into()));
                self.f.must_resolve.push((v.clone(), span, "the values of this empty map".into()));
                (k, v)
            }
        };
        let typed = entries
            .iter()
            .map(|(ke, ve)| (self.value(ke, &Expect::ty(k.clone())), self.value(ve, &Expect::ty(v.clone()))))
            .collect();
        Expr { kind: T::Map(typed), ty: Ty::Map(Box::new(k), Box::new(v)), span }
    }

    fn set_literal(&mut self, items: &[ast::Expr], span: Span, expect: &Expect) -> Expr {
        let element = match expect.ty.as_ref().map(|t| self.f.unifier.resolve(t)) {
            Some(Ty::Set(e)) => *e,
            _ => {
                let v = self.f.unifier.fresh(VarKind::General);
                self.f.must_resolve.push((v.clone(), span, "the elements of this empty set".into()));
                v
            }
        };
        let typed = items.iter().map(|i| self.value(i, &Expect::ty(element.clone()))).collect();
        Expr { kind: T::Set(typed), ty: Ty::Set(Box::new(element)), span }
    }

    fn cast(&mut self, value: &ast::Expr, ty: &ast::TypeExpr, span: Span) -> Expr {
        let outer: Vec<String> = self.f.type_params.iter().map(|p| p.name.clone()).collect();
        let target = self.resolve_type(ty, &outer);
        let typed = self.value(value, &Expect::none());
        let from = self.f.unifier.default_literals(&typed.ty);
        // literals inside a collection take the target's type (`[0.5, 1]` as `[f64]` is no change)
        let identity = from == target || (!from.is_numeric() && self.f.unifier.unify(&from, &target).is_ok());
        let from = self.f.unifier.default_literals_deep(&from);
        let allowed = identity
            || from.is_invalid()
            || target.is_invalid()
            || (from.is_numeric() && target.is_numeric())
            || (from == Ty::Bool && target.is_int())
            || (from.is_int() && target == Ty::Bool);
        if !allowed {
            self.error(TypeError::BadCast { span, from: self.show(&from), to: self.show(&target) });
            return invalid(span);
        }
        Expr { kind: T::Cast(Box::new(typed)), ty: target, span }
    }

    fn cond(&mut self, cond: &ast::Expr, then_value: &ast::Expr, else_value: &ast::Expr, span: Span, expect: &Expect) -> Expr {
        let c = self.value(cond, &Expect::ty(Ty::Bool));
        let t = self.value(then_value, &Expect::hint(expect.ty.clone()));
        let e = self.value(else_value, &Expect::ty(t.ty.clone()));
        let ty = t.ty.clone();
        Expr { kind: T::Cond { cond: Box::new(c), then_value: Box::new(t), else_value: Box::new(e) }, ty, span }
    }

    fn error_value(&mut self, ty: &ast::Name, message: Option<&ast::Expr>, span: Span) -> Expr {
        let Some(id) = self.named_adt(ty) else { return invalid(span) };
        let adt_ty = Ty::Adt(id, Vec::new());
        if self.out.adt(id).builtin == Some(crate::typed::BuiltinAdt::Error) {
            return self.builtin_error_value(adt_ty, message, span);
        }
        let fields = self.out.record_fields(&adt_ty).unwrap_or_default();
        let values = match (fields.first(), message) {
            (Some((_, t)), Some(m)) => vec![self.value(m, &Expect::ty(t.clone()))],
            (None, None) => Vec::new(),
            (f, _) => {
                let callee = ty.text.clone();
                self.error(TypeError::ArgCount { span, callee, expected: usize::from(f.is_some()), found: usize::from(message.is_some()), definition: None });
                return invalid(span);
            }
        };
        Expr { kind: T::Record { fields: values }, ty: adt_ty, span }
    }

    /// The prelude's `Error {kind, message}` thrown by name: its kind is `"Error"` and its
    /// message the given text (empty without one), as a catch-all clause would see it.
    fn builtin_error_value(&mut self, adt_ty: Ty, message: Option<&ast::Expr>, span: Span) -> Expr {
        let text = |s: &str| Expr { kind: T::Lit(Literal::Str(s.into())), ty: Ty::Str, span };
        let message = match message {
            Some(m) => self.value(m, &Expect::ty(Ty::Str)),
            None => text(""),
        };
        Expr { kind: T::Record { fields: vec![text("Error"), message] }, ty: adt_ty, span }
    }

    // ----- Concurrency and errors ---------------------------------------------------------------

    fn await_expr(&mut self, inner: &ast::Expr, span: Span) -> Expr {
        let typed = self.value(inner, &Expect::none());
        match self.f.unifier.resolve(&typed.ty) {
            Ty::Future(t) => Expr { kind: T::Await(Box::new(typed)), ty: *t, span },
            Ty::Invalid => invalid(span),
            other => {
                self.error(TypeError::Mismatch { span: typed.span, expected: "Future<_>".into(), found: self.show(&other), because: None, hint: Some("only the result of calling an async function can be awaited".into()) });
                invalid(span)
            }
        }
    }

    fn propagate(&mut self, inner: &ast::Expr, span: Span) -> Expr {
        let typed = self.value(inner, &Expect::none());
        let ty = self.f.unifier.resolve(&typed.ty);
        let ret = self.f.unifier.resolve(&self.f.ret.clone());
        let (value_ty, compatible) = match (&ty, &ret) {
            (Ty::Adt(OPTION, a), Ty::Adt(OPTION, _)) => (a[0].clone(), true),
            (Ty::Adt(RESULT, a), Ty::Adt(RESULT, r)) => {
                let ok = self.f.unifier.unify(&a[1], &r[1]).is_ok();
                (a[0].clone(), ok)
            }
            (Ty::Invalid, _) => return invalid(span),
            (Ty::Adt(OPTION | RESULT, a), _) => (a[0].clone(), false),
            _ => {
                self.error(TypeError::Mismatch { span: typed.span, expected: "Option<_> or Result<_, _>".into(), found: self.show(&ty), because: None, hint: None });
                return invalid(span);
            }
        };
        if !compatible {
            let message = format!("`propagate` returns the error from `{}`, which returns `{}`", self.f.name, self.show(&ret));
            self.error(TypeError::BadReturn { span, message, ret_span: self.f.ret_span });
            return invalid(span);
        }
        Expr { kind: T::Propagate(Box::new(typed)), ty: value_ty, span }
    }

    // ----- Probabilistic expressions ------------------------------------------------------------

    /// Resolves a distribution and checks its parameters (scalars, or arrays when `vector`).
    pub(crate) fn dist(&mut self, dist: &ast::DistExpr, vector_params: bool) -> Option<(&'static dists::DistInfo, Dist)> {
        let Some(info) = dists::find(&dist.name.text) else {
            let declared = self.declared_dist_names();
            let suggestion = did_you_mean(&dist.name.text, dists::DISTRIBUTIONS.iter().map(|d| d.name).chain(declared.iter().map(String::as_str)));
            self.error(TypeError::UnknownDistribution { span: dist.name.span, name: dist.name.text.clone(), suggestion });
            for p in &dist.params {
                self.expr(p, &Expect::none());
            }
            return None;
        };
        if info.params.len() != dist.params.len() {
            let names: Vec<&str> = info.params.iter().map(|(n, _)| *n).collect();
            let message = format!("`{}` takes {} parameter{} ({}), {} given", info.name, names.len(), if names.len() == 1 { "" } else { "s" }, names.join(", "), dist.params.len());
            self.error(TypeError::DistParams { span: dist.name.span, dist: info.name.into(), message });
            return None;
        }
        self.reject_mixture_keys(dist);
        let params = dist.params.iter().zip(info.params).map(|(p, (_, kind))| self.dist_param(p, *kind, vector_params)).collect();
        self.check_literal_period(info, dist);
        Some((info, Dist { name: info.name, params, span: dist.span, kind: crate::typed::DistKind::Builtin }))
    }

    /// A seasonal density's `period` given as a literal must be at least 2 (E0345); other
    /// values are checked when the density runs.
    fn check_literal_period(&mut self, info: &dists::DistInfo, dist: &ast::DistExpr) {
        let Some(at) = info.params.iter().position(|(name, _)| *name == "period") else { return };
        if let Some(ast::Expr { kind: ast::ExprKind::Int(period), span }) = dist.params.get(at)
            && *period < 2
        {
            self.error(TypeError::SeasonalPeriod { span: *span, dist: info.name.into(), period: *period });
        }
    }

        fn dist_param(&mut self, param: &ast::Expr, kind: ParamKind, vector: bool) -> Expr {
        let expected = match kind {
            ParamKind::Count | ParamKind::Int => Ty::Int(crate::types::IntTy::I64),
            ParamKind::Vector | ParamKind::PosVector | ParamKind::Simplex => Ty::Array(Box::new(F64)),
            ParamKind::Matrix => Ty::Array(Box::new(Ty::Array(Box::new(F64)))),
            _ => F64,
        };
        if vector && kind.is_scalar() {
            let typed = self.value(param, &Expect::none());
            let ty = self.f.unifier.default_literals(&typed.ty);
            if let Ty::Array(inner) = &ty {
                if self.f.unifier.unify(inner, &expected).is_err() {
                    self.error(TypeError::Mismatch { span: typed.span, expected: format!("{} or [{}]", self.show(&expected), self.show(&expected)), found: self.show(&ty), because: None, hint: None });
                }
                return typed;
            }
            return self.numeric_to(typed, &expected);
        }
        if expected == F64 {
            return self.numeric_arg(param);
        }
        self.value(param, &Expect::ty(expected))
    }

    /// Converts an already-checked numeric expression to `target` (an int or float type).
    pub(super) fn numeric_to(&mut self, typed: Expr, target: &Ty) -> Expr {
        let ty = self.f.unifier.default_literals(&typed.ty);
        if ty == *target || ty.is_invalid() {
            return typed;
        }
        if ty.is_numeric() && (target.is_float() || (ty.is_int() && target.is_int())) {
            return Expr { span: typed.span, kind: T::Cast(Box::new(typed)), ty: target.clone() };
        }
        self.error(TypeError::Mismatch { span: typed.span, expected: self.show(target), found: self.show(&ty), because: None, hint: None });
        invalid(typed.span)
    }

    fn sample(&mut self, sample: &ast::SampleExpr, span: Span, expect: &Expect) -> Expr {
        if let Some(p) = &sample.parameterization {
            let message = format!("`\"parameterization\": \"{}\"` applies only to a `sample` that is the whole value of a `let` with a plain name", p.text);
            self.error(TypeError::Parameterization { span: p.span, message });
        }
        if self.is_declared_or_mixture(&sample.dist.name.text) {
            return self.declared_sample(sample, span, expect);
        }
        let Some((info, dist)) = self.dist(&sample.dist, false) else { return invalid(span) };
        let size = sample.size.as_ref().map(|s| Box::new(self.int_arg(s)));
        self.check_literal_dimension(info, sample.size.as_ref());
        let bound = |c: &mut Self, e: &Option<ast::Expr>| e.as_ref().map(|b| Box::new(c.numeric_arg(b)));
        let lower = bound(self, &sample.lower);
        let upper = bound(self, &sample.upper);
        if (lower.is_some() || upper.is_some()) && info.value != ValueKind::Real {
            let message = format!("bounds apply only to real-valued distributions, not `{}`", info.name);
            self.error(TypeError::DistParams { span, dist: info.name.into(), message });
        }
        let constraint = sample.constraint.as_ref().map(|c| c.text.clone());
        if let Some(c) = &sample.constraint {
            self.check_constraint(c, info, size.is_some());
        }
        self.check_multivariate_size(info, size.is_some(), span);
        let element = self.sample_value_type(info, expect, size.is_some());
        let ty = if size.is_some() && !info.is_multivariate() { Ty::Array(Box::new(element)) } else { element };
        Expr { kind: T::Sample { dist, size, lower, upper, constraint }, ty, span }
    }

    /// For a scalar distribution `size` asks for that many independent draws. For a
    /// multivariate one it is the dimension the parameters do not fix: K for an LKJ factor,
    /// the number of trials for a multinomial; the others take none. The densities of
    /// `DistInfo::no_sampler_hint` have no sampler: they serve `observe` only.
    fn check_multivariate_size(&mut self, info: &dists::DistInfo, sized: bool, span: Span) {
        let name = info.name;
        let dimension = match name {
            "lkj_corr_cholesky" => Some("the dimension K of the K×K factor"),
            "lkj_corr" => Some("the dimension K of the K×K correlation matrix"),
            "multinomial" => Some("the number of trials"),
            _ => None,
        };
        let message = if let Some(hint) = info.no_sampler_hint() {
            format!("`{name}` has no sampler: it is a likelihood for `observe` ({hint})")
        } else if let (Some(meaning), false) = (dimension, sized) {
            format!("a `{name}` draw needs a \"size\": {meaning}")
        } else if info.is_multivariate() && dimension.is_none() && sized {
            format!("a `{name}` draw takes no \"size\": its parameters fix its length (draw several in a loop)")
        } else {
            return;
        };
        self.error(TypeError::DistParams { span, dist: name.into(), message });
    }

    /// An LKJ draw's `size` given as a literal must be at least 1 (E0346); other values are
    /// checked when the draw runs.
    fn check_literal_dimension(&mut self, info: &dists::DistInfo, size: Option<&ast::Expr>) {
        if info.value != ValueKind::Matrix {
            return;
        }
        if let Some(ast::Expr { kind: ast::ExprKind::Int(k), span }) = size
            && *k < 1
        {
            self.error(TypeError::MatrixDimension { span: *span, dist: info.name.into(), size: *k });
        }
    }

    fn check_constraint(&mut self, c: &ast::Name, info: &dists::DistInfo, sized: bool) {
        let known = ["ordered", "positive_ordered"];
        let matrix_source = match c.text.as_str() {
            "cholesky_factor_corr" => Some("a draw from `lkj_corr_cholesky` with a \"size\""),
            "corr_matrix" => Some("a draw from `lkj_corr` with a \"size\""),
            "cov_matrix" => Some("a draw from `wishart` or `inv_wishart`"),
            "cholesky_factor_cov" => Some("the `cholesky_decompose` of a `cov_matrix` draw (`wishart`, `inv_wishart`)"),
            _ => None,
        };
        if let Some(dists) = matrix_source {
            self.error(TypeError::MatrixConstraint { span: c.span, name: c.text.clone(), dists });
        } else if !known.contains(&c.text.as_str()) {
            let suggestion = did_you_mean(&c.text, known);
            let message = format!("unknown constraint `{}`; constraints: ordered, positive_ordered{}", c.text, suggestion.map_or(String::new(), |s| format!(" (did you mean `{s}`?)")));
            self.error(TypeError::DistParams { span: c.span, dist: info.name.into(), message });
        } else if !sized || info.value != ValueKind::Real {
            let message = format!("`{}` needs a vector draw of a real-valued distribution (give a \"size\")", c.text);
            self.error(TypeError::DistParams { span: c.span, dist: info.name.into(), message });
        }
    }

    /// The type of one drawn value: reals are `f64`; integers take the expected type (an
    /// integer type, `f64`, or `bool` for 0/1 outcomes), else `i64`.
    pub(super) fn sample_value_type(&mut self, info: &dists::DistInfo, expect: &Expect, sized: bool) -> Ty {
        let expected = expect.ty.as_ref().map(|t| self.f.unifier.resolve(t));
        let expected_element = match (&expected, sized) {
            (Some(Ty::Array(e)), true) => Some((**e).clone()),
            (e, false) => e.clone(),
            _ => None,
        };
        match info.value {
            ValueKind::Real => F64,
            ValueKind::Vector => Ty::Array(Box::new(F64)),
            ValueKind::IntVector => Ty::Array(Box::new(I64)),
            ValueKind::Matrix => Ty::Array(Box::new(Ty::Array(Box::new(F64)))),
            ValueKind::Int => match expected_element {
                Some(t @ (Ty::Int(_) | Ty::Float(_))) => t,
                Some(Ty::Bool) if matches!(info.name, "bernoulli" | "bernoulli_logit") => Ty::Bool,
                _ => I64,
            },
        }
    }

    fn log_density(&mut self, dist: &ast::DistExpr, value: &ast::Expr, span: Span) -> Expr {
        let Some((typed_dist, typed_value)) = self.dist_and_value(dist, value) else { return invalid(span) };
        Expr { kind: T::LogDensity { dist: typed_dist, value: Box::new(typed_value) }, ty: F64, span }
    }

    /// Checks a distribution and a value that must lie in its support (for `observe` and
    /// `lpdf`): vectors of values are allowed for univariate distributions.
    pub(crate) fn dist_and_value(&mut self, dist: &ast::DistExpr, value: &ast::Expr) -> Option<(Dist, Expr)> {
        if self.is_declared_or_mixture(&dist.name.text) {
            return self.declared_dist_and_value(dist, value);
        }
        let typed_value = self.value(value, &Expect::none());
        let (info, typed_dist) = self.dist(dist, true)?;
        let value_ty = self.settle_observed_literals(&typed_value.ty, info.value);
        let element = match (&value_ty, info.vectorisable()) {
            (Ty::Array(e), true) => (**e).clone(),
            _ => value_ty.clone(),
        };
        let ok = match info.value {
            ValueKind::Real => element == F64,
            ValueKind::Int => element.is_int() || element == Ty::Bool,
            ValueKind::Vector => value_ty == Ty::Array(Box::new(F64)),
            ValueKind::IntVector => matches!(&value_ty, Ty::Array(e) if e.is_int()),
            ValueKind::Matrix => value_ty == Ty::Array(Box::new(Ty::Array(Box::new(F64)))),
        } || value_ty.is_invalid();
        if !ok {
            let expected = match info.value {
                ValueKind::Real => "f64 or [f64]",
                ValueKind::Int => "an integer or bool (or an array of them)",
                ValueKind::Vector => "[f64]",
                ValueKind::IntVector => "an array of integers",
                ValueKind::Matrix => "[[f64]]",
            };
            let hint = observed_value_hint(info.value == ValueKind::Int, &element);
            self.error(TypeError::Mismatch { span: typed_value.span, expected: expected.into(), found: self.show(&value_ty), because: None, hint });
        }
        Some((typed_dist, typed_value))
    }

    /// Gives the literals of an observed value the type the distribution's support wants, as
    /// a declared type would: `{"literal": 1}` or `[1, 2.5]` observed by a real-valued
    /// distribution are `f64`, `[1, 2]` by a discrete one `[i64]`, `[]` an empty array of
    /// either. A value of the wrong shape keeps its own type for the mismatch report.
    pub(super) fn settle_observed_literals(&mut self, ty: &Ty, kind: ValueKind) -> Ty {
        let scalar = match kind {
            ValueKind::Real | ValueKind::Vector | ValueKind::Matrix => F64,
            ValueKind::Int | ValueKind::IntVector => I64,
        };
        let shape = match kind {
            ValueKind::Real | ValueKind::Int => scalar.clone(),
            ValueKind::Vector | ValueKind::IntVector => Ty::Array(Box::new(scalar.clone())),
            ValueKind::Matrix => Ty::Array(Box::new(Ty::Array(Box::new(scalar.clone())))),
        };
        let vectorised = matches!(kind, ValueKind::Real | ValueKind::Int);
        if self.f.unifier.unify(ty, &shape).is_err()
            && vectorised
            && let Ty::Array(element) = self.f.unifier.resolve(ty)
        {
            let _ = self.f.unifier.unify(&element, &scalar);
        }
        self.f.unifier.default_literals_deep(ty)
    }

    fn infer_expr(&mut self, model: &ast::Name, args: &[ast::Expr], options: &[(ast::Name, ast::Expr)], span: Span) -> Expr {
        let Some(id) = self.function_named(&model.text) else {
            let suggestion = did_you_mean(&model.text, self.function_names().iter().map(String::as_str));
            self.error(TypeError::UnknownFunction { span: model.span, name: model.text.clone(), suggestion });
            return invalid(span);
        };
        let sig = self.sig(id).clone();
        if !sig.type_params.is_empty() {
            self.error(TypeError::ProbMisuse { span: model.span, message: "a model cannot be generic".into(), hint: None });
            return invalid(span);
        }
        if !self.arity(&model.text, sig.params.len(), args, span, Some(sig.span)) {
            return invalid(span);
        }
        let typed_args = args.iter().zip(&sig.params).map(|(a, p)| self.value(a, &Expect::ty(p.clone()))).collect();
        let typed_options = options
            .iter()
            .map(|(name, e)| {
                let expected = if name.text == "algorithm" { Ty::Str } else { I64 };
                (name.text.clone(), self.value(e, &Expect::ty(expected)))
            })
            .collect();
        Expr { kind: T::Infer { model: id, args: typed_args, options: typed_options }, ty: Ty::Posterior, span }
    }

    /// Checks a constant's value in an empty function context; only constant forms are allowed.
    pub(crate) fn check_constant(&mut self, constant: &ast::Constant) -> Expr {
        let saved = std::mem::take(&mut self.f);
        let expected = constant.ty.as_ref().map(|t| self.resolve_type(t, &[]));
        let typed = self.value(&constant.value, &expected.map_or_else(Expect::none, Expect::ty));
        if !is_constant(&typed) {
            self.error(TypeError::NotConstant { span: typed.span });
        }
        let finished = self.finish_expr(typed);
        self.f = saved;
        finished
    }
}

fn is_constant(e: &Expr) -> bool {
    match &e.kind {
        T::Lit(_) | T::Invalid => true,
        T::Unary { arg, .. } | T::Cast(arg) => is_constant(arg),
        T::Binary { lhs, rhs, .. } | T::And(lhs, rhs) | T::Or(lhs, rhs) => is_constant(lhs) && is_constant(rhs),
        T::Array(items) | T::Tuple(items) | T::Record { fields: items } | T::Set(items) => items.iter().all(is_constant),
        T::Variant { payload, .. } => payload.as_deref().is_none_or(is_constant),
        _ => false,
    }
}

/// How to fix an observed value of the wrong number kind: integers for a continuous
/// distribution are cast to `f64`, floats for a discrete one rounded to `i64` explicitly.
pub(crate) fn observed_value_hint(discrete: bool, element: &Ty) -> Option<String> {
    if discrete && element.is_float() {
        return Some("a discrete distribution observes counts: store the data as integers, or convert with {\"cast\": {\"value\": …, \"type\": \"i64\"}}".into());
    }
    (!discrete && element.is_int()).then(|| "convert integers with {\"cast\": {\"value\": …, \"type\": \"f64\"}}".into())
}

fn conversion_hint(expected: &Ty, found: &Ty) -> Option<String> {
    if expected.is_numeric() && found.is_numeric() {
        return Some(format!("convert explicitly: {{\"cast\": {{\"value\": …, \"type\": \"{}\"}}}}", match expected {
            Ty::Int(i) => i.name(),
            Ty::Float(f) => f.name(),
            _ => "f64",
        }));
    }
    if *expected == Ty::Str && found.is_numeric() {
        return Some("use `to_string` to turn a number into a string".into());
    }
    None
}

