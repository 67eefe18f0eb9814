//! Lowering declared distributions (`"distributions"`) and mixtures.
//!
//! Nothing new reaches the back end: a declared distribution becomes calls of its SIRS
//! functions and a mixture a combination of ordinary log densities, plus a few `ppl_*`
//! built-ins that the Zig back end maps to `rt.ppl.forward` (outside a model) or to the model
//! mode `M` (inside one):
//!
//! * `ppl_check_param(x, lo, hi, code, label)` checks a declared parameter constraint (bits of
//!   `code`: 1 lower bound, 2 upper bound, 4 strict, 8 not NaN): a located fault outside a
//!   model, a rejected proposal inside one.
//! * `ppl_in_support(y, lo, hi, code)` says whether a value lies in the (closed) support; a
//!   value outside it has log density -inf and the user's function is not called.
//! * `ppl_check_density(lp, label)` passes a log density through, failing (like an invalid
//!   parameter) when the user's function returned NaN.
//! * `ppl_neg_inf()`; `ppl_check_size(n)` (a negative draw count is a fault).
//! * `ppl_mixture_log_weights(w, K)`: log(w_k / Σw), validating the weights (non-negative,
//!   finite, not all zero, K of them); `ppl_mixture_pick(w, K)` draws a component index.
//! * `ppl_predictive_begin()` / `ppl_predictive_end()` bracket a predictive draw inside a model:
//!   the first is true only when a posterior draw is being generated, and routes the forward
//!   generator to that draw's random stream until the second.
//!
//! In a model, `sample` from a declared continuous distribution (or a mixture of continuous
//! components with one fixed support) is a parameter: an improper `flat` draw transformed to
//! the support (its log-Jacobian is added by the transform), followed by a `factor` of the log
//! density. `observe` adds one `factor` per element of the value; `lpdf` sums. A discrete
//! draw in a model is predictive: made with the sampler once per posterior draw and recorded.

use super::super::super::*;
use super::super::Instance;
use super::super::func::FnLower;
use crate::check::dists::{self, Support};
use crate::diagnostic::{Code, Diagnostic};
use crate::typed::{self, ComponentKind, CustomSupport, DistKind, ExprKind as E, SupportBound};
use crate::types::{F64, I64};

/// A distribution whose parameters have been evaluated (borrowed values).
#[derive(Clone, Debug)]
pub(super) enum Lowered {
    Builtin { name: &'static str, args: Vec<ValueId> },
    Custom { index: usize, args: Vec<ValueId> },
    /// `log_weights` is computed by `prepare_density` (only densities need it).
    Mixture { weights: ValueId, log_weights: Option<ValueId>, components: Vec<Lowered> },
}

/// A bound of a support: a constant or a parameter's value.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Bound {
    Value(f64),
    Param(ValueId),
}

/// A user function instance chosen for given argument types.
struct Prepared {
    target: FuncId,
    active: Vec<bool>,
    wants: Vec<Ty>,
    ret: Ty,
}

const CHECK_LOWER: i128 = 1;
const CHECK_UPPER: i128 = 2;
const CHECK_STRICT: i128 = 4;
const CHECK_NAN: i128 = 8;

impl FnLower<'_, '_> {
    // ----- Entry points (called from `prob`) ----------------------------------------------------

    /// `sample` from a declared distribution or a mixture.
    pub(super) fn declared_sample(&mut self, e: &typed::Expr) -> ValueId {
        let E::Sample { dist, size, .. } = &e.kind else {
            return self.emit(InstKind::Unreachable, Ty::Void, e.span);
        };
        let span = e.span;
        let d = self.lower_dist(dist, span);
        let size = size.as_ref().map(|s| {
            let v = self.expr(s);
            self.coerce_int(v)
        });
        let typed_ty = self.ty(&e.ty);
        let discrete = self.l.typed.dist_is_discrete(dist);
        if !self.f.model {
            return self.forward_declared(&d, size, &typed_ty, span);
        }
        let name = self.let_name.clone().unwrap_or_else(|| format!("sample_{}", self.l.out.line_col(span).0));
        if discrete {
            if size.is_some() {
                return self.reject(span, "a vector of discrete draws is not supported inside a model".into());
            }
            return self.predictive_declared(&d, name, typed_ty, span);
        }
        let (transform, lower, upper) = match self.declared_transform(&d, span) {
            Ok(t) => t,
            Err(message) => {
                let d = Diagnostic::new(Code::E0318, "Invalid mixture parameter").primary(span, message).hint(
                    "inside a model a `sample` from a mixture is a parameter, whose transform needs one support: use components with the same support",
                );
                self.l.diagnostics.push(d);
                return self.emit(InstKind::Unreachable, Ty::Void, span);
            }
        };
        let site = self.site(SiteKind::Param, name, String::new(), 0.0);
        let ty = if size.is_some() { Ty::Array(Box::new(Ty::Real)) } else { Ty::Real };
        let kind = InstKind::Sample { site, dist: "flat", args: Vec::new(), size, lower, upper, kind: SampleKind::Param(transform) };
        let x = self.owned_value(kind, ty, span);
        let mut d = d;
        self.prepare_density(&mut d, span);
        self.for_each_element(x, span, |this, xi| {
            let lp = this.element_density(&d, xi, false, span);
            this.emit_void(InstKind::Factor(lp), span);
        });
        x
    }

    /// `observe` of a declared distribution or a mixture: one term per element of the value.
    pub(super) fn declared_observe(&mut self, dist: &typed::Dist, value: &typed::Expr, span: Span) {
        let mut d = self.lower_dist(dist, span);
        self.prepare_density(&mut d, span);
        let v = self.expr(value);
        let v = self.use_borrowed(v);
        self.for_each_element(v, span, |this, y| {
            let lp = this.element_density(&d, y, true, span);
            this.emit_void(InstKind::Factor(lp), span);
        });
    }

    /// `lpdf` of a declared distribution or a mixture: summed over the elements of the value.
    pub(super) fn declared_log_density(&mut self, dist: &typed::Dist, value: &typed::Expr, ty: Ty, span: Span) -> ValueId {
        let mut d = self.lower_dist(dist, span);
        self.prepare_density(&mut d, span);
        let v = self.expr(value);
        let v = self.use_borrowed(v);
        if !matches!(self.f.inst(v).ty, Ty::Array(_)) {
            let lp = self.element_density(&d, v, true, span);
            return self.coerce(lp, &ty);
        }
        let zero = self.constant(Const::Float(0.0), F64, span);
        let zero = self.coerce(zero, &ty);
        let acc = self.f.add_local("log_density", ty.clone(), true);
        self.emit_void(InstKind::InitLocal(acc, zero), span);
        self.for_each_element(v, span, |this, y| {
            let lp = this.element_density(&d, y, true, span);
            let sum = this.read(acc, span);
            let total = this.add_reals(sum, lp, span);
            let total = this.coerce(total, &ty);
            this.emit_void(InstKind::SetLocal(acc, total), span);
        });
        self.read(acc, span)
    }

    // ----- Parameters ---------------------------------------------------------------------------

    /// Evaluates a distribution's parameters in order and checks the declared constraints.
    fn lower_dist(&mut self, dist: &typed::Dist, span: Span) -> Lowered {
        let args = self.dist_args(&dist.params);
        match &dist.kind {
            DistKind::Builtin => Lowered::Builtin { name: dist.name, args },
            DistKind::Custom(index) => {
                self.check_params(*index, &args, span);
                Lowered::Custom { index: *index, args }
            }
            DistKind::Mixture(components) => {
                let weights = args[0];
                let mut rest = &args[1..];
                let mut lowered = Vec::new();
                for c in components {
                    let (mine, tail) = rest.split_at(c.arity.min(rest.len()));
                    rest = tail;
                    lowered.push(match c.kind {
                        ComponentKind::Builtin(name) => Lowered::Builtin { name, args: mine.to_vec() },
                        ComponentKind::Custom(index) => {
                            self.check_params(index, mine, span);
                            Lowered::Custom { index, args: mine.to_vec() }
                        }
                    });
                }
                Lowered::Mixture { weights, log_weights: None, components: lowered }
            }
        }
    }

    /// The run-time checks of a declared distribution's parameter constraints.
    fn check_params(&mut self, index: usize, args: &[ValueId], span: Span) {
        let dist = self.l.typed.distributions[index].clone();
        for (p, &v) in dist.params.iter().zip(args) {
            let float = matches!(p.ty, Ty::Float(_)) || matches!(&p.ty, Ty::Array(e) if e.is_float());
            let mut code = if float { CHECK_NAN } else { 0 };
            if p.lower.is_some() {
                code |= CHECK_LOWER;
            }
            if p.upper.is_some() {
                code |= CHECK_UPPER;
            }
            if p.strict {
                code |= CHECK_STRICT;
            }
            if code == 0 {
                continue;
            }
            let lo = self.constant(Const::Float(p.lower.unwrap_or(0.0)), F64, span);
            let hi = self.constant(Const::Float(p.upper.unwrap_or(0.0)), F64, span);
            let code = self.constant(Const::Int(code), I64, span);
            let label = self.constant(Const::Str(format!("{}: {}", dist.name, p.name)), Ty::Str, span);
            self.emit_void(InstKind::Builtin("ppl_check_param", vec![v, lo, hi, code, label]), span);
        }
    }

    /// Computes what the densities of `d` need once, before any element: a mixture's log
    /// weights (validating the weights).
    fn prepare_density(&mut self, d: &mut Lowered, span: Span) {
        if let Lowered::Mixture { weights, log_weights, components } = d {
            let ty = self.f.inst(*weights).ty.clone();
            let k = self.constant(Const::Int(components.len() as i128), I64, span);
            let lw = self.owned_value(InstKind::Builtin("ppl_mixture_log_weights", vec![*weights, k]), ty, span);
            *log_weights = Some(self.use_borrowed(lw));
        }
    }

    // ----- Densities ----------------------------------------------------------------------------

    /// Runs `body` on each element of an array value, or once on a scalar.
    fn for_each_element(&mut self, v: ValueId, span: Span, mut body: impl FnMut(&mut Self, ValueId)) {
        let Ty::Array(element) = self.f.inst(v).ty.clone() else {
            body(self, v);
            return;
        };
        let n = self.emit(InstKind::Builtin("len", vec![v]), I64, span);
        self.counted_loop(n, span, |this, i| {
            let y = this.emit(InstKind::Index(v, i), (*element).clone(), span);
            body(this, y);
        });
    }

    /// `for i in 0..n { body(i) }`.
    fn counted_loop(&mut self, n: ValueId, span: Span, body: impl FnOnce(&mut Self, ValueId)) {
        self.index_loop(span, |_| n, |this, index| {
            let i = this.read(index, span);
            body(this, i);
        });
    }

    /// The log density of one value `y` (f64, or a model real when anything is active).
    fn element_density(&mut self, d: &Lowered, y: ValueId, check_support: bool, span: Span) -> ValueId {
        match d {
            Lowered::Builtin { name, args } => {
                let discrete = dists::find(name).is_some_and(|i| i.is_discrete());
                let y = if discrete { self.discrete_value(y) } else { y };
                let real = std::iter::once(&y).chain(args).any(|a| self.f.inst(*a).ty.contains_real());
                let ty = if real { Ty::Real } else { F64 };
                self.emit(InstKind::LogDensity { dist: name, args: args.clone(), value: y }, ty, span)
            }
            Lowered::Custom { index, args } => self.custom_density(*index, args, y, check_support, span),
            Lowered::Mixture { log_weights, components, .. } => {
                let Some(lw) = *log_weights else { return self.emit(InstKind::Unreachable, Ty::Void, span) };
                let weight_ty = match &self.f.inst(lw).ty {
                    Ty::Array(e) => (**e).clone(),
                    _ => F64,
                };
                let mut acc: Option<ValueId> = None;
                for (k, c) in components.iter().enumerate() {
                    let lp = self.element_density(c, y, true, span);
                    let index = self.constant(Const::Int(k as i128), I64, span);
                    let w = self.emit(InstKind::Index(lw, index), weight_ty.clone(), span);
                    let term = self.add_reals(w, lp, span);
                    acc = Some(match acc {
                        None => term,
                        Some(a) => {
                            let (a, term, ty) = self.same_real(a, term);
                            self.emit(InstKind::Builtin("log_sum_exp", vec![a, term]), ty, span)
                        }
                    });
                }
                acc.unwrap_or_else(|| self.emit(InstKind::Builtin("ppl_neg_inf", Vec::new()), F64, span))
            }
        }
    }

    /// The log density of `y` under declared distribution `index`: the user's function, called
    /// only when `y` is in the support (else -inf), its result checked for NaN.
    fn custom_density(&mut self, index: usize, args: &[ValueId], y: ValueId, check_support: bool, span: Span) -> ValueId {
        let dist = self.l.typed.distributions[index].clone();
        let Some(f) = dist.log_density else { return self.emit(InstKind::Unreachable, Ty::Void, span) };
        let y = if dist.is_discrete() {
            let y = self.discrete_value(y);
            self.coerce_int(y)
        } else {
            y
        };
        let values: Vec<ValueId> = std::iter::once(y).chain(args.iter().copied()).collect();
        let prepared = self.prepare_call(f, &values, false);
        let label = format!("{}: the log density `{}`", dist.name, self.l.typed.func(f).name);
        let bounds = if check_support { self.support_bounds(&dist, args, span) } else { None };
        let Some((lo, hi, code)) = bounds else {
            let lp = self.emit_call(&prepared, &values, span);
            return self.checked_density(lp, label, span);
        };
        let plain_y = self.plain(y);
        let inside = self.emit(InstKind::Builtin("ppl_in_support", vec![plain_y, lo, hi, code]), Ty::Bool, span);
        let ninf = self.emit(InstKind::Builtin("ppl_neg_inf", Vec::new()), F64, span);
        let ninf = self.coerce(ninf, &prepared.ret);
        let result = self.f.add_local("log_density", prepared.ret.clone(), true);
        self.emit_void(InstKind::InitLocal(result, ninf), span);
        let then_block = self.f.add_block();
        let else_block = self.f.add_block();
        self.in_block(then_block, |this| {
            let lp = this.emit_call(&prepared, &values, span);
            let lp = this.checked_density(lp, label, span);
            this.emit_void(InstKind::SetLocal(result, lp), span);
        });
        self.emit_void(InstKind::If { cond: inside, then_block, else_block }, span);
        self.read(result, span)
    }

    fn checked_density(&mut self, lp: ValueId, label: String, span: Span) -> ValueId {
        let ty = self.f.inst(lp).ty.clone();
        let label = self.constant(Const::Str(label), Ty::Str, span);
        self.emit(InstKind::Builtin("ppl_check_density", vec![lp, label]), ty, span)
    }

    /// The operands of `ppl_in_support` for a declared distribution with a bounded support.
    fn support_bounds(&mut self, dist: &typed::CustomDist, args: &[ValueId], span: Span) -> Option<(ValueId, ValueId, ValueId)> {
        let (lower, upper) = match dist.support {
            CustomSupport::Continuous { lower, upper } => (lower, upper),
            CustomSupport::Discrete { lower } => (lower.map(|l| SupportBound::Value(l as f64)), None),
        };
        if lower.is_none() && upper.is_none() {
            return None;
        }
        let mut code = 0;
        let mut bound = |this: &mut Self, b: Option<SupportBound>, bit: i128| match b {
            None => this.constant(Const::Float(0.0), F64, span),
            Some(SupportBound::Value(x)) => {
                code |= bit;
                this.constant(Const::Float(x), F64, span)
            }
            Some(SupportBound::Param(i)) => {
                code |= bit;
                this.plain(args[i])
            }
        };
        let lo = bound(self, lower, CHECK_LOWER);
        let hi = bound(self, upper, CHECK_UPPER);
        let code = self.constant(Const::Int(code), I64, span);
        Some((lo, hi, code))
    }

    /// `a + b` on reals, as a model real if either is one.
    fn add_reals(&mut self, a: ValueId, b: ValueId, span: Span) -> ValueId {
        let (a, b, ty) = self.same_real(a, b);
        self.emit(InstKind::Binary(BinOp::Add, a, b), ty, span)
    }

    /// Converts two reals to a common type (`Real` if either is one).
    fn same_real(&mut self, a: ValueId, b: ValueId) -> (ValueId, ValueId, Ty) {
        let real = self.f.inst(a).ty == Ty::Real || self.f.inst(b).ty == Ty::Real;
        let ty = if real { Ty::Real } else { F64 };
        let a = self.coerce(a, &ty);
        let b = self.coerce(b, &ty);
        (a, b, ty)
    }

    /// The plain form of an operand; a converted list is released when the block exits.
    fn plain_operand(&mut self, v: ValueId) -> ValueId {
        let p = self.plain(v);
        self.use_borrowed(p)
    }

    // ----- Calls of the user's functions --------------------------------------------------------

    /// The instance of `f` for arguments `values`: in a model, keyed by which arguments depend
    /// on parameters; `plain` forces the plain (forward) instance, as for samplers.
    fn prepare_call(&mut self, f: typed::FuncId, values: &[ValueId], plain: bool) -> Prepared {
        let active: Vec<bool> = values.iter().map(|v| !plain && self.f.inst(*v).ty.contains_real()).collect();
        let model = !plain && self.f.model && (self.l.analysis.needs_ctx.contains(&f) || active.iter().any(|a| *a));
        let active = if model { active } else { vec![false; values.len()] };
        let ret_active = model && self.l.analysis.activity(f, &active, &[]).ret;
        let target = self.l.instance(Instance { func: f, type_args: Vec::new(), active: active.clone(), model });
        let callee = self.l.typed.func(f);
        let param_tys: Vec<Ty> = callee.params.iter().map(|p| callee.local(*p).ty.clone()).collect();
        let ret_ty = callee.ret.clone();
        let wants = param_tys.iter().zip(&active).map(|(t, a)| if *a { self.l.ty(t).to_real() } else { self.l.ty(t) }).collect();
        let ret = self.l.ty(&ret_ty);
        let ret = if ret_active { ret.to_real() } else { ret };
        Prepared { target, active, wants, ret }
    }

    fn emit_call(&mut self, p: &Prepared, values: &[ValueId], span: Span) -> ValueId {
        let args: Vec<ValueId> = values
            .iter()
            .zip(&p.wants)
            .zip(&p.active)
            .map(|((v, want), active)| {
                let v = if *active { *v } else { self.plain_operand(*v) };
                let v = self.coerce(v, want);
                self.use_borrowed(v)
            })
            .collect();
        self.owned_value(InstKind::Call(p.target, args), p.ret.clone(), span)
    }

    // ----- Draws --------------------------------------------------------------------------------

    /// `sample` outside a model: one draw, or `size` draws in an array.
    fn forward_declared(&mut self, d: &Lowered, size: Option<ValueId>, typed_ty: &Ty, span: Span) -> ValueId {
        let Some(n) = size else {
            let v = self.draw_one(d, span);
            return self.convert_draw(v, typed_ty, span);
        };
        let element = match typed_ty {
            Ty::Array(e) => (**e).clone(),
            t => t.clone(),
        };
        self.emit_void(InstKind::Builtin("ppl_check_size", vec![n]), span);
        let empty = self.owned_value(InstKind::MakeArray(Vec::new()), typed_ty.clone(), span);
        let out = self.hidden_local("draws", empty, true, span);
        self.counted_loop(n, span, |this, _| {
            let v = this.draw_one(d, span);
            let v = this.convert_draw(v, &element, span);
            this.emit_void(InstKind::BuiltinMut("push", out, vec![v]), span);
        });
        let all = self.read(out, span);
        self.owned_value(InstKind::Retain(all), typed_ty.clone(), span)
    }

    /// Converts a draw (f64 or i64) to the type the program expects of it.
    fn convert_draw(&mut self, v: ValueId, want: &Ty, span: Span) -> ValueId {
        if self.f.inst(v).ty == *want || self.f.inst(v).ty == Ty::Void {
            return v;
        }
        self.emit(InstKind::Cast(v), want.clone(), span)
    }

    /// One draw with the forward generator: f64 for continuous distributions, i64 for
    /// discrete ones.
    fn draw_one(&mut self, d: &Lowered, span: Span) -> ValueId {
        match d {
            Lowered::Builtin { name, args } => {
                let natural = if dists::find(name).is_some_and(|i| i.is_discrete()) { I64 } else { F64 };
                let args = args.iter().map(|a| self.plain_operand(*a)).collect();
                self.emit(InstKind::Sample { site: 0, dist: name, args, size: None, lower: None, upper: None, kind: SampleKind::Forward }, natural, span)
            }
            Lowered::Custom { index, args } => {
                let dist = self.l.typed.distributions[*index].clone();
                let Some(sampler) = dist.sampler else {
                    let message = format!("`{}` has no sampler, so it cannot be drawn from here", dist.name);
                    let diagnostic = Diagnostic::new(Code::E0318, format!("Cannot draw from `{}`", dist.name))
                        .primary(span, message)
                        .secondary(dist.span, "declared here without a \"sampler\"")
                        .hint("outside a model (and for discrete draws inside one) `sample` calls the distribution's \"sampler\" function; declare one");
                    if !self.l.diagnostics.iter().any(|d| d.labels == diagnostic.labels) {
                        self.l.diagnostics.push(diagnostic);
                    }
                    return self.emit(InstKind::Unreachable, Ty::Void, span);
                };
                let prepared = self.prepare_call(sampler, args, true);
                self.emit_call(&prepared, args, span)
            }
            Lowered::Mixture { weights, components, .. } => {
                let discrete = components.first().is_some_and(|c| self.lowered_is_discrete(c));
                let natural = if discrete { I64 } else { F64 };
                let w = self.plain_operand(*weights);
                let k = self.constant(Const::Int(components.len() as i128), I64, span);
                let pick = self.emit(InstKind::Builtin("ppl_mixture_pick", vec![w, k]), I64, span);
                let zero = self.constant(if discrete { Const::Int(0) } else { Const::Float(0.0) }, natural.clone(), span);
                let result = self.f.add_local("component_draw", natural.clone(), true);
                self.emit_void(InstKind::InitLocal(result, zero), span);
                self.pick_branch(components, 0, pick, result, &natural, span);
                self.read(result, span)
            }
        }
    }

    /// `if pick == i { result = draw from component i } else { … the rest }`.
    fn pick_branch(&mut self, components: &[Lowered], i: usize, pick: ValueId, result: LocalId, natural: &Ty, span: Span) {
        let Some(first) = components.get(i) else { return };
        if i + 1 == components.len() {
            let v = self.draw_one(first, span);
            let v = self.convert_draw(v, natural, span);
            self.emit_void(InstKind::SetLocal(result, v), span);
            return;
        }
        let index = self.constant(Const::Int(i as i128), I64, span);
        let cond = self.emit(InstKind::Binary(BinOp::Eq, pick, index), Ty::Bool, span);
        let then_block = self.f.add_block();
        let else_block = self.f.add_block();
        self.in_block(then_block, |this| {
            let v = this.draw_one(first, span);
            let v = this.convert_draw(v, natural, span);
            this.emit_void(InstKind::SetLocal(result, v), span);
        });
        self.in_block(else_block, |this| this.pick_branch(components, i + 1, pick, result, natural, span));
        self.emit_void(InstKind::If { cond, then_block, else_block }, span);
    }

    fn lowered_is_discrete(&self, d: &Lowered) -> bool {
        match d {
            Lowered::Builtin { name, .. } => dists::find(name).is_some_and(|i| i.is_discrete()),
            Lowered::Custom { index, .. } => self.l.typed.distributions[*index].is_discrete(),
            Lowered::Mixture { components, .. } => components.first().is_some_and(|c| self.lowered_is_discrete(c)),
        }
    }

    /// A discrete draw inside a model: made with the sampler when a posterior draw is
    /// generated (0 otherwise), and recorded as an output column.
    fn predictive_declared(&mut self, d: &Lowered, name: String, typed_ty: Ty, span: Span) -> ValueId {
        let zero = match typed_ty {
            Ty::Float(_) => Const::Float(0.0),
            _ => Const::Int(0),
        };
        let zero = self.constant(zero, typed_ty.clone(), span);
        let result = self.f.add_local(name.clone(), typed_ty.clone(), true);
        self.emit_void(InstKind::InitLocal(result, zero), span);
        let generating = self.emit(InstKind::Builtin("ppl_predictive_begin", Vec::new()), Ty::Bool, span);
        let then_block = self.f.add_block();
        let else_block = self.f.add_block();
        self.in_block(then_block, |this| {
            let v = this.draw_one(d, span);
            let v = this.convert_draw(v, &typed_ty, span);
            this.emit_void(InstKind::SetLocal(result, v), span);
            this.emit_void(InstKind::Builtin("ppl_predictive_end", Vec::new()), span);
        });
        self.emit_void(InstKind::If { cond: generating, then_block, else_block }, span);
        let site = self.site(SiteKind::Predictive, name, String::new(), 0.0);
        let v = self.read(result, span);
        self.emit_void(InstKind::Record { site, value: v }, span);
        self.read(result, span)
    }

    // ----- Parameters with a declared support ---------------------------------------------------

    /// The transform of a parameter drawn from a declared distribution or a continuous mixture.
    fn declared_transform(&mut self, d: &Lowered, span: Span) -> Result<(Transform, Option<ValueId>, Option<ValueId>), String> {
        let (lower, upper) = self.support_of(d)?;
        Ok(match (lower, upper) {
            (None, None) => (Transform::Real, None, None),
            (Some(Bound::Value(lo)), None) if lo == 0.0 => (Transform::Positive, None, None),
            (Some(Bound::Value(lo)), Some(Bound::Value(hi))) if lo == 0.0 && hi == 1.0 => (Transform::Unit, None, None),
            (lo, hi) => {
                let lo = lo.map(|b| self.bound_value(b, span));
                let hi = hi.map(|b| self.bound_value(b, span));
                let t = match (lo, hi) {
                    (Some(_), Some(_)) => Transform::Interval,
                    (Some(_), None) => Transform::Lower,
                    _ => Transform::Upper,
                };
                (t, lo, hi)
            }
        })
    }

    fn bound_value(&mut self, b: Bound, span: Span) -> ValueId {
        match b {
            Bound::Value(x) => self.constant(Const::Float(x), F64, span),
            Bound::Param(v) => v,
        }
    }

    /// The support of a continuous distribution as (lower, upper) bounds.
    fn support_of(&mut self, d: &Lowered) -> Result<(Option<Bound>, Option<Bound>), String> {
        match d {
            Lowered::Builtin { name, args } => {
                let info = dists::find(name).ok_or_else(|| format!("unknown distribution `{name}`"))?;
                Ok(match info.support {
                    Support::Positive => (Some(Bound::Value(0.0)), None),
                    Support::Unit => (Some(Bound::Value(0.0)), Some(Bound::Value(1.0))),
                    Support::Circle => (Some(Bound::Value(-std::f64::consts::PI)), Some(Bound::Value(std::f64::consts::PI))),
                    Support::Interval(i, j) => (args.get(i).map(|v| Bound::Param(*v)), args.get(j).map(|v| Bound::Param(*v))),
                    Support::AtLeast(i) => (args.get(i).map(|v| Bound::Param(*v)), None),
                    _ => (None, None),
                })
            }
            Lowered::Custom { index, args } => match self.l.typed.distributions[*index].support {
                CustomSupport::Continuous { lower, upper } => {
                    let b = |x: Option<SupportBound>| {
                        x.map(|s| match s {
                            SupportBound::Value(v) => Bound::Value(v),
                            SupportBound::Param(i) => Bound::Param(args[i]),
                        })
                    };
                    Ok((b(lower), b(upper)))
                }
                CustomSupport::Discrete { .. } => Err("a discrete distribution has no continuous support".into()),
            },
            Lowered::Mixture { components, .. } => {
                let mut supports = Vec::new();
                for c in components {
                    let s = self.support_of(c)?;
                    let depends = matches!(s.0, Some(Bound::Param(_))) || matches!(s.1, Some(Bound::Param(_)));
                    if depends {
                        return Err(format!(
                            "the support of the component `{}` depends on its parameters; a mixture parameter needs components with one fixed support",
                            self.lowered_name(c)
                        ));
                    }
                    supports.push((self.lowered_name(c), s));
                }
                let (first_name, first) = supports[0].clone();
                if let Some((name, s)) = supports.iter().find(|(_, s)| *s != first) {
                    return Err(format!(
                        "the components of a mixture parameter must have the same support: `{first_name}` has {} but `{name}` has {}",
                        show_support(first),
                        show_support(*s)
                    ));
                }
                Ok(first)
            }
        }
    }

    fn lowered_name(&self, d: &Lowered) -> String {
        match d {
            Lowered::Builtin { name, .. } => (*name).to_string(),
            Lowered::Custom { index, .. } => self.l.typed.distributions[*index].name.clone(),
            Lowered::Mixture { .. } => "mixture".into(),
        }
    }
}

fn show_support((lower, upper): (Option<Bound>, Option<Bound>)) -> String {
    let show = |b: Option<Bound>, inf: &str| match b {
        Some(Bound::Value(x)) => format!("{x}"),
        Some(Bound::Param(_)) => "a parameter".into(),
        None => inf.into(),
    };
    format!("[{}, {}]", show(lower, "-inf"), show(upper, "inf"))
}
