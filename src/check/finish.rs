//! Finishing a function: every type in its typed body is made concrete.
//!
//! Inference variables are replaced by what they were unified with; literal variables nobody
//! constrained default to `i64`/`f64`. Then the deferred checks run: integer literals against
//! their final type, variables that had to be resolved (E0313), and trait bounds of generic
//! instantiations (E0321). After this no `Ty::Var` remains in the function.

use super::{Checker, TypeError};
use crate::decision::Decision;
use crate::typed::{Block, Callee, Expr, ExprKind as T, Function, Projection, StmtKind as S};
use crate::types::Ty;

impl Checker<'_> {
    pub(crate) fn finish_function(&mut self, function: &mut Function) {
        self.deferred_checks();
        let u = &self.f.unifier;
        let fix = |t: &mut Ty| *t = u.finish(t);
        for local in &mut function.locals {
            fix(&mut local.ty);
        }
        visit_block(&mut function.body, &fix);
    }

    pub(crate) fn finish_expr(&mut self, mut e: Expr) -> Expr {
        self.deferred_checks();
        let u = &self.f.unifier;
        visit_expr(&mut e, &|t: &mut Ty| *t = u.finish(t));
        e
    }

    fn deferred_checks(&mut self) {
        for (value, ty, span) in std::mem::take(&mut self.f.int_literals) {
            if let Ty::Int(it) = self.f.unifier.finish(&ty)
                && !it.contains(value) {
                    self.error(TypeError::LiteralRange { span, value: value.to_string(), ty: it.name().into() });
                }
        }
        let mut reported = Vec::new();
        for (ty, span, what) in std::mem::take(&mut self.f.must_resolve) {
            // Literal variables default to i64/f64; only general variables are unknown.
            let mut unknown = false;
            self.f.unifier.finish(&ty).visit(&mut |t| unknown |= t.is_invalid());
            if unknown && !reported.contains(&span) {
                reported.push(span);
                self.error(TypeError::CannotInfer { span, what });
            }
        }
        for (ty, trait_id, span) in std::mem::take(&mut self.f.bound_checks) {
            let ty = self.f.unifier.finish(&ty);
            let satisfied = match &ty {
                Ty::Param(p) => self.f.type_params.get(*p as usize).is_some_and(|tp| tp.bounds.contains(&trait_id)),
                Ty::Invalid => true,
                other => self.find_impl(trait_id, other).is_some(),
            };
            if !satisfied {
                let trait_name = self.out.traits[trait_id.0 as usize].name.clone();
                self.error(TypeError::MissingImpl { span, ty: self.show(&ty), trait_name });
            }
        }
    }
}

fn visit_block(block: &mut Block, f: &impl Fn(&mut Ty)) {
    for stmt in block {
        match &mut stmt.kind {
            S::Let { value, .. } | S::Expr(value) | S::Throw(value) | S::Factor(value) => visit_expr(value, f),
            S::LetPattern { value, .. } => visit_expr(value, f),
            S::Assign { place, value } => {
                f(&mut place.ty);
                for p in &mut place.projections {
                    match p {
                        Projection::Field { ty, .. } => f(ty),
                        Projection::Index { index, ty } => {
                            f(ty);
                            visit_expr(index, f);
                        }
                    }
                }
                visit_expr(value, f);
            }
            S::If { cond, then_body, else_body } => {
                visit_expr(cond, f);
                visit_block(then_body, f);
                visit_block(else_body, f);
            }
            S::While { cond, body } => {
                visit_expr(cond, f);
                visit_block(body, f);
            }
            S::ForRange { start, end, step, body, .. } => {
                visit_expr(start, f);
                visit_expr(end, f);
                if let Some(s) = step {
                    visit_expr(s, f);
                }
                visit_block(body, f);
            }
            S::ForEach { iterable, body, .. } => {
                visit_expr(iterable, f);
                visit_block(body, f);
            }
            S::Match { scrutinee, arms, decision } => {
                visit_expr(scrutinee, f);
                for arm in arms {
                    if let Some(g) = &mut arm.guard {
                        visit_expr(g, f);
                    }
                    visit_block(&mut arm.body, f);
                }
                visit_decision(decision, f);
            }
            S::Return(value) => {
                if let Some(v) = value {
                    visit_expr(v, f);
                }
            }
            S::Break | S::Continue => {}
            S::Try { body, catches, finally } => {
                visit_block(body, f);
                for c in catches {
                    visit_block(&mut c.body, f);
                }
                visit_block(finally, f);
            }
            S::Observe { dist, value } => {
                dist.params.iter_mut().for_each(|p| visit_expr(p, f));
                visit_expr(value, f);
            }
            S::ProbAssert { cond, .. } => visit_expr(cond, f),
        }
    }
}

fn visit_decision(d: &mut Decision, f: &impl Fn(&mut Ty)) {
    match d {
        Decision::Success { bindings, .. } => bindings.iter_mut().for_each(|(_, a)| f(&mut a.ty)),
        Decision::Guard { bindings, failure, .. } => {
            bindings.iter_mut().for_each(|(_, a)| f(&mut a.ty));
            visit_decision(failure, f);
        }
        Decision::Switch { access, cases, default } => {
            f(&mut access.ty);
            cases.iter_mut().for_each(|(_, d)| visit_decision(d, f));
            if let Some(d) = default {
                visit_decision(d, f);
            }
        }
        Decision::Failure => {}
    }
}

pub(crate) fn visit_expr(e: &mut Expr, f: &impl Fn(&mut Ty)) {
    f(&mut e.ty);
    match &mut e.kind {
        T::Lit(_) | T::Local(_) | T::Invalid => {}
        T::Unary { arg, .. } | T::Cast(arg) | T::Await(arg) | T::Propagate(arg) => visit_expr(arg, f),
        T::ToDyn { value, .. } => visit_expr(value, f),
        T::Binary { lhs, rhs, .. } | T::And(lhs, rhs) | T::Or(lhs, rhs) => {
            visit_expr(lhs, f);
            visit_expr(rhs, f);
        }
        T::Call { callee, args } => {
            match callee {
                Callee::Func { type_args, .. } => type_args.iter_mut().for_each(f),
                Callee::Method { self_ty, .. } => f(self_ty),
                Callee::Builtin { .. } | Callee::Extern(_) | Callee::Dyn { .. } => {}
            }
            args.iter_mut().for_each(|a| visit_expr(a, f));
        }
        T::Field { object, .. } => visit_expr(object, f),
        T::Index { object, index } => {
            visit_expr(object, f);
            visit_expr(index, f);
        }
        T::Array(items) | T::Tuple(items) | T::Set(items) | T::Record { fields: items } => items.iter_mut().for_each(|i| visit_expr(i, f)),
        T::Update { base, fields } => {
            visit_expr(base, f);
            fields.iter_mut().for_each(|(_, v)| visit_expr(v, f));
        }
        T::Variant { payload, .. } => {
            if let Some(p) = payload {
                visit_expr(p, f);
            }
        }
        T::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            visit_expr(k, f);
            visit_expr(v, f);
        }),
        T::Sample { dist, size, lower, upper, .. } => {
            dist.params.iter_mut().for_each(|p| visit_expr(p, f));
            for e in [size, lower, upper].into_iter().flatten() {
                visit_expr(e, f);
            }
        }
        T::Infer { args, options, .. } => {
            args.iter_mut().for_each(|a| visit_expr(a, f));
            options.iter_mut().for_each(|(_, v)| visit_expr(v, f));
        }
        T::Spawn { args, .. } => args.iter_mut().for_each(|a| visit_expr(a, f)),
        T::Cond { cond, then_value, else_value } => {
            visit_expr(cond, f);
            visit_expr(then_value, f);
            visit_expr(else_value, f);
        }
        T::LogDensity { dist, value } => {
            dist.params.iter_mut().for_each(|p| visit_expr(p, f));
            visit_expr(value, f);
        }
    }
}
