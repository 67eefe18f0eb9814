//! Lowering expressions: operators, calls, constructors, and built-ins.

use super::super::*;
use super::func::{FnLower, builtin_result_borrowed};
use crate::typed::{self, Callee, ExprKind as E, Literal};

impl FnLower<'_, '_> {
    // ----- Expressions ------------------------------------------------------------------------

    pub(super) fn expr(&mut self, e: &typed::Expr) -> ValueId {
        let ty = self.expr_ty(e);
        let span = e.span;
        match &e.kind {
            E::Lit(lit) => {
                let c = match lit {
                    Literal::Int(i) => Const::Int(*i),
                    Literal::Float(x) => Const::Float(*x),
                    Literal::Bool(b) => Const::Bool(*b),
                    Literal::Str(s) => Const::Str(s.clone()),
                };
                self.constant(c, ty, span)
            }
            E::Local(id) => match self.locals.get(id).copied() {
                Some(l) => self.read(l, span),
                None => self.emit(InstKind::Unreachable, ty, span),
            },
            E::Unary { op, arg } => {
                let a = self.expr(arg);
                self.emit(InstKind::Unary(*op, a), ty, span)
            }
            E::Binary { op, lhs, rhs } => {
                let a = self.expr(lhs);
                let a = self.use_borrowed(a);
                let b = self.expr(rhs);
                let b = self.use_borrowed(b);
                self.owned_value(InstKind::Binary(*op, a, b), ty, span)
            }
            E::And(lhs, rhs) => self.short_circuit(lhs, rhs, true, span),
            E::Or(lhs, rhs) => self.short_circuit(lhs, rhs, false, span),
            E::Call { callee, args } => self.call(callee, args, ty, span),
            E::Field { object, index } => {
                let o = self.expr(object);
                let o = self.use_borrowed(o);
                self.emit(InstKind::Field(o, *index), ty, span)
            }
            E::Index { object, index } => {
                let o = self.expr(object);
                let o = self.use_borrowed(o);
                let i = self.expr(index);
                self.emit(InstKind::Index(o, i), ty, span)
            }
            E::Array(items) => {
                let element = match &ty {
                    Ty::Array(e) => (**e).clone(),
                    _ => Ty::Invalid,
                };
                let vs: Vec<ValueId> = items.iter().map(|i| self.expr(i)).collect();
                let vs = vs
                    .into_iter()
                    .map(|v| {
                        let v = self.coerce(v, &element);
                        self.use_borrowed(v)
                    })
                    .collect();
                self.owned_value(InstKind::MakeArray(vs), ty, span)
            }
            E::Record { fields } | E::Tuple(fields) => {
                let what = if matches!(e.kind, E::Tuple(_)) { "a tuple" } else { "a record" };
                let vs = fields
                    .iter()
                    .map(|f| {
                        let v = self.stored(f, what);
                        self.own(v)
                    })
                    .collect();
                self.owned_value(InstKind::MakeRecord(vs), ty, span)
            }
            E::Update { base, fields } => self.update(base, fields, ty, span),
            E::Variant { variant, payload } => {
                let p = payload.as_ref().map(|p| {
                    let v = self.stored(p, "an enum value");
                    self.own(v)
                });
                self.owned_value(InstKind::MakeVariant(*variant, p), ty, span)
            }
            E::Map(entries) => {
                let mut vs = Vec::new();
                for (k, v) in entries {
                    let kv = self.stored(k, "a map");
                    let kv = self.use_borrowed(kv);
                    let vv = self.stored(v, "a map");
                    let vv = self.use_borrowed(vv);
                    vs.push((kv, vv));
                }
                self.owned_value(InstKind::MakeMap(vs), ty, span)
            }
            E::Set(items) => {
                let vs: Vec<ValueId> = items.iter().map(|i| {
                    let v = self.stored(i, "a set");
                    self.use_borrowed(v)
                }).collect();
                self.owned_value(InstKind::MakeSet(vs), ty, span)
            }
            E::Cast(inner) => {
                let v = self.expr(inner);
                let from = self.f.inst(v).ty.clone();
                if from == ty {
                    return v;
                }
                let v = if ty.contains_real() { v } else { self.plain(v) };
                if self.f.inst(v).ty == ty {
                    return v;
                }
                self.emit(InstKind::Cast(v), ty, span)
            }
            E::Cond { cond, then_value, else_value } => self.cond(cond, then_value, else_value, ty, span),
            E::Sample { .. } => self.sample(e),
            E::LogDensity { dist, value } => self.log_density(dist, value, ty, span),
            E::Propagate(inner) => self.propagate(inner, ty, span),
            E::Spawn { func, args } => self.spawn(*func, args, ty, span),
            E::Await(task) => {
                let v = self.expr(task);
                let v = self.use_borrowed(v);
                self.owned_value(InstKind::Await(v), ty, span)
            }
            E::ToDyn { value, impl_index } => {
                let v = self.expr(value);
                let v = self.own(v);
                let value_ty = value.ty.subst(&self.subst);
                let table = self.l.vtable(*impl_index, &value_ty);
                self.owned_value(InstKind::MakeDyn(v, table), ty, span)
            }
            E::Infer { model, args, options } => self.infer(*model, args, options, ty, span),
            E::Invalid => self.emit(InstKind::Unreachable, ty, span),
        }
    }

    /// `propagate e`: the payload of `Some`/`Ok`, or an early return of `None`/`Err(e)`. Both
    /// `Option` and `Result` keep their success variant first.
    fn propagate(&mut self, inner: &typed::Expr, ty: Ty, span: Span) -> ValueId {
        let v = self.expr(inner);
        let v = self.use_borrowed(v);
        let succeeded = self.emit(InstKind::IsVariant(v, 0), Ty::Bool, span);
        let then_block = self.f.add_block();
        let else_block = self.f.add_block();
        self.in_block(else_block, |this| this.return_failure(v, span));
        self.emit_void(InstKind::If { cond: succeeded, then_block, else_block }, span);
        self.emit(InstKind::Payload(v, 0), ty, span)
    }

    /// Returns `None`, or `Err` with the error of the `Result` value `v`.
    fn return_failure(&mut self, v: ValueId, span: Span) {
        let error_ty = match &self.f.inst(v).ty {
            Ty::Adt(id, _) => match &self.l.out.types[id.0 as usize].kind {
                TypeKind::Enum { variants, .. } => variants.get(1).and_then(|(_, p)| p.clone()),
                _ => None,
            },
            _ => None,
        };
        let payload = error_ty.map(|t| {
            let error = self.emit(InstKind::Payload(v, 1), t, span);
            self.own(error)
        });
        let ret = self.f.ret.clone();
        let failure = self.emit(InstKind::MakeVariant(1, payload), ret, span);
        self.return_owned(Some(failure), span);
    }

    /// A value stored in a record, tuple, enum value, map or set (`what`). Those hold plain
    /// numbers only: a model parameter there would lose its gradient, so it is error E0319 at
    /// the value (and the plain number keeps the CIR valid).
    fn stored(&mut self, e: &typed::Expr, what: &str) -> ValueId {
        let v = self.expr(e);
        if !self.f.inst(v).ty.contains_real() {
            return v;
        }
        let d = crate::diagnostic::Diagnostic::new(crate::diagnostic::Code::E0319, "Unsupported model construct")
            .primary(e.span, format!("this value depends on a model parameter, and {what} cannot hold one"))
            .hint("keep it in a variable (or an array of `f64`) and pass it on directly; a record, tuple, enum, map or set holds plain numbers");
        self.l.diagnostics.push(d);
        self.plain(v)
    }

    fn short_circuit(&mut self, lhs: &typed::Expr, rhs: &typed::Expr, is_and: bool, span: Span) -> ValueId {
        let l = self.expr(lhs);
        let result = self.hidden_local(if is_and { "both" } else { "either" }, l, true, span);
        let cond = self.read(result, span);
        let eval_rhs = self.f.add_block();
        self.in_block(eval_rhs, |this| {
            let r = this.expr(rhs);
            this.emit_void(InstKind::SetLocal(result, r), span);
        });
        let skip = self.f.add_block();
        let (then_block, else_block) = if is_and { (eval_rhs, skip) } else { (skip, eval_rhs) };
        self.emit_void(InstKind::If { cond, then_block, else_block }, span);
        self.read(result, span)
    }

    fn cond(&mut self, cond: &typed::Expr, then_value: &typed::Expr, else_value: &typed::Expr, ty: Ty, span: Span) -> ValueId {
        let c = self.expr(cond);
        let local = self.f.add_local("choice", ty.clone(), true);
        let branch = |this: &mut Self, value: &typed::Expr| {
            let block = this.f.add_block();
            this.in_block(block, |t| {
                // one branch may be a parameter (a model real) and the other a plain number
                let v = t.expr(value);
                let v = t.coerce(v, &ty);
                let v = t.own(v);
                t.emit_void(InstKind::InitLocal(local, v), span);
            });
            block
        };
        let then_block = branch(self, then_value);
        let else_block = branch(self, else_value);
        self.emit_void(InstKind::If { cond: c, then_block, else_block }, span);
        if ty.is_heap() {
            self.emit_void(InstKind::DeferReleaseLocal(local), span);
        }
        self.read(local, span)
    }

    fn update(&mut self, base: &typed::Expr, fields: &[(usize, typed::Expr)], ty: Ty, span: Span) -> ValueId {
        let b = self.expr(base);
        let b = self.use_borrowed(b);
        let Ty::Adt(id, _) = &ty else { return b };
        let TypeKind::Record { fields: declared } = self.l.out.types[id.0 as usize].kind.clone() else { return b };
        let mut values = Vec::new();
        for (i, (_, field_ty)) in declared.iter().enumerate() {
            let v = match fields.iter().find(|(j, _)| *j == i) {
                Some((_, e)) => self.stored(e, "a record"),
                None => self.emit(InstKind::Field(b, i), field_ty.clone(), span),
            };
            values.push(self.own(v));
        }
        self.owned_value(InstKind::MakeRecord(values), ty, span)
    }

    fn call(&mut self, callee: &Callee, args: &[typed::Expr], ty: Ty, span: Span) -> ValueId {
        match callee {
            Callee::Func { id, type_args } => {
                let type_args: Vec<Ty> = type_args.iter().map(|t| t.subst(&self.subst)).collect();
                self.call_function(*id, type_args, args, span)
            }
            Callee::Method { trait_id, method, self_ty } => {
                let self_ty = self_ty.subst(&self.subst);
                match self.l.impl_method(*trait_id, *method, &self_ty) {
                    Some((fid, type_args)) => self.call_function(fid, type_args, args, span),
                    None => self.emit(InstKind::Unreachable, ty, span),
                }
            }
            Callee::Builtin { name } => self.builtin(name, args, ty, span),
            Callee::Extern(id) => {
                let vs = self.borrowed_args(args);
                self.emit(InstKind::CallExtern(id.0 as usize, vs), ty, span)
            }
            Callee::Dyn { method, .. } => {
                let vs = self.borrowed_args(args);
                self.owned_value(InstKind::CallDyn(*method, vs), ty, span)
            }
        }
    }

    /// A call of a user function: inside a model, the instance depends on which arguments
    /// depend on parameters; arguments are converted to the instance's parameter types.
    fn call_function(&mut self, id: typed::FuncId, type_args: Vec<Ty>, args: &[typed::Expr], span: Span) -> ValueId {
        let active: Vec<bool> = args.iter().map(|a| self.is_active(a)).collect();
        let model = self.f.model && (self.l.analysis.needs_ctx.contains(&id) || active.iter().any(|a| *a));
        let active = if model { active } else { vec![false; args.len()] };
        let callee = self.l.typed.func(id);
        let ret_active = model && self.l.analysis.activity(id, &active, &type_args).ret;
        let key = super::Instance { func: id, type_args: type_args.clone(), active: active.clone(), model };
        let target = self.l.instance(key);
        let mut values = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let param = callee.local(callee.params[i]);
            let mut want = self.l.ty(&param.ty.subst(&type_args));
            if active[i] {
                want = want.to_real();
            }
            let v = self.expr(a);
            let v = self.coerce(v, &want);
            values.push(self.use_borrowed(v));
        }
        let ret = self.l.ty(&callee.ret.subst(&type_args));
        let ret = if ret_active { ret.to_real() } else { ret };
        self.owned_value(InstKind::Call(target, values), ret, span)
    }

    /// `infer`: the arguments become the model's data; the options are read as they are.
    fn infer(&mut self, model: typed::FuncId, args: &[typed::Expr], options: &[(String, typed::Expr)], ty: Ty, span: Span) -> ValueId {
        let index = self.l.inferred_model(model);
        let values = self.plain_args(model, args);
        let options = options
            .iter()
            .map(|(name, e)| {
                let v = self.expr(e);
                (name.clone(), self.use_borrowed(v))
            })
            .collect();
        self.owned_value(InstKind::Infer { model: index, args: values, options }, ty, span)
    }

    /// A call of an async function: it runs outside any model, on plain values; the runtime
    /// retains the arguments for the task.
    fn spawn(&mut self, id: typed::FuncId, args: &[typed::Expr], ty: Ty, span: Span) -> ValueId {
        let key = super::Instance { func: id, type_args: Vec::new(), active: vec![false; args.len()], model: false };
        let target = self.l.instance(key);
        let values = self.plain_args(id, args);
        self.owned_value(InstKind::Spawn(target, values), ty, span)
    }

    /// Arguments for a function that runs outside the model (a task, a fitted model's data):
    /// plain values of its parameter types, borrowed.
    fn plain_args(&mut self, id: typed::FuncId, args: &[typed::Expr]) -> Vec<ValueId> {
        let callee = self.l.typed.func(id);
        let mut values = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let want = self.l.ty(&callee.local(callee.params[i]).ty);
            let v = self.expr(a);
            let v = self.plain(v);
            let v = self.coerce(v, &want);
            values.push(self.use_borrowed(v));
        }
        values
    }

    fn borrowed_args(&mut self, args: &[typed::Expr]) -> Vec<ValueId> {
        let vs: Vec<ValueId> = args.iter().map(|a| self.expr(a)).collect();
        vs.into_iter().map(|v| self.use_borrowed(v)).collect()
    }

    fn builtin(&mut self, name: &'static str, args: &[typed::Expr], ty: Ty, span: Span) -> ValueId {
        if self.f.model && crate::cir::model::prints(name) {
            let vs = self.borrowed_args(args);
            return self.model_print(&vs, span);
        }
        if self.f.model && needs_plain_args(name) {
            let vs: Vec<ValueId> = args.iter().map(|a| self.expr(a)).collect();
            let vs: Vec<ValueId> = vs.into_iter().map(|v| self.plain(v)).collect();
            let vs = vs.into_iter().map(|v| self.use_borrowed(v)).collect();
            let plain = super::prob::plain_ty(&ty);
            return if builtin_result_borrowed(name) { self.emit(InstKind::Builtin(name, vs), plain, span) } else { self.owned_value(InstKind::Builtin(name, vs), plain, span) };
        }
        let mutating = crate::check::BUILTINS.iter().find(|b| b.name == name).is_some_and(|b| b.mutates_first);
        if mutating {
            let target = match args.first().map(|a| &a.kind) {
                Some(E::Local(id)) => self.locals.get(id).copied(),
                _ => None,
            };
            let holds_reals = target.is_some_and(|l| self.f.local(l).ty.contains_real());
            let rest = if holds_reals {
                self.borrowed_args(&args[1.min(args.len())..])
            } else {
                // `map_insert(m, k, mu)`: a map or set of plain numbers cannot take a parameter
                let what = if name.starts_with("set_") { "a set" } else { "a map" };
                let vs: Vec<ValueId> = args.iter().skip(1).map(|a| self.stored(a, what)).collect();
                vs.into_iter().map(|v| self.use_borrowed(v)).collect()
            };
            return match target {
                Some(local) => self.owned_value(InstKind::BuiltinMut(name, local, rest), ty, span),
                None => self.emit(InstKind::Unreachable, ty, span),
            };
        }
        let mut vs = self.borrowed_args(args);
        if name == "array_concat" && ty.contains_real() {
            // one side may hold parameters and the other plain numbers
            vs = vs.into_iter().map(|v| self.coerce(v, &ty)).collect();
        }
        // a boxed `Option` is a new value made from the runtime's one (rt.option.boxedCopy)
        if builtin_result_borrowed(name) && !self.l.is_boxed_option(&ty) {
            return self.emit(InstKind::Builtin(name, vs), ty, span);
        }
        self.owned_value(InstKind::Builtin(name, vs), ty, span)
    }
}

/// Built-ins that only accept plain values: inside a model, a parameter-dependent argument is
/// passed by value (these functions have no derivative, or compare values).
fn needs_plain_args(name: &str) -> bool {
    let math = name.starts_with("math_") && !crate::cir::model::differentiable(name);
    math || name.starts_with("str_") || matches!(name, "to_string" | "array_sort" | "array_contains" | "array_index_of")
}
