//! Lowering the probabilistic parts: `sample` (a parameter or predictive draw inside a model,
//! a forward draw outside), `observe`, `factor`, `prob_assert`, `output` lets and prints in a
//! model, and the conversions between plain `f64` values and model reals (`Ty::Real`).

mod custom;

use super::super::*;
use super::func::FnLower;
use crate::check::dists::{self, Support, ValueKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::typed::{self, ExprKind as E};
use crate::types::{F64, I64, IntTy};

impl FnLower<'_, '_> {
    /// The CIR type of a typed local: `Real`-based when it depends on parameters.
    pub(super) fn local_ty(&mut self, id: typed::LocalId) -> Ty {
        let ty = self.ty(&self.typed_fn.local(id).ty);
        if self.activity.active.contains(&id) { ty.to_real() } else { ty }
    }

    /// Whether the value of `e` depends on a model parameter.
    pub(super) fn is_active(&mut self, e: &typed::Expr) -> bool {
        self.f.model && self.l.analysis.expr_active(e, &self.activity.active, &self.subst)
    }

    /// The CIR type of an expression: its checked type, `Real`-based when active.
    pub(super) fn expr_ty(&mut self, e: &typed::Expr) -> Ty {
        let ty = self.ty(&e.ty);
        if self.is_active(e) { ty.to_real() } else { ty }
    }

    /// Converts between plain reals and model reals where the destination needs it.
    pub(super) fn coerce(&mut self, v: ValueId, want: &Ty) -> ValueId {
        let have = self.f.inst(v).ty.clone();
        if have == *want || !(have.to_real() == *want || want.to_real() == have) {
            return v;
        }
        let span = self.f.inst(v).span;
        if want.is_heap() {
            let v = self.use_borrowed(v);
            return self.owned_value(InstKind::Cast(v), want.clone(), span);
        }
        self.emit(InstKind::Cast(v), want.clone(), span)
    }

    /// The plain form of a value (dropping its dependence on parameters, for reports and
    /// non-differentiable functions).
    pub(super) fn plain(&mut self, v: ValueId) -> ValueId {
        let plain = plain_ty(&self.f.inst(v).ty);
        self.coerce(v, &plain)
    }

    /// Adds a site; its name is made unique so that every column name is.
    fn site(&mut self, kind: SiteKind, name: String, label: String, confidence: f64) -> u32 {
        let taken = |n: &str, sites: &[Site]| sites.iter().any(|s| s.name == n);
        let mut unique = name.clone();
        let mut k = 2;
        while taken(&unique, &self.l.out.sites) {
            unique = format!("{name}_{k}");
            k += 1;
        }
        self.l.out.sites.push(Site { kind, name: unique, base: name, label, confidence, gibbs_fallback: false });
        u32::try_from(self.l.out.sites.len() - 1).unwrap_or(u32::MAX)
    }

    fn line_label(&self, span: Span) -> String {
        let (line, col) = self.l.out.line_col(span);
        format!("line {line}:{col} in `{}`", self.f.source_name)
    }

    fn reject(&mut self, span: Span, message: String) -> ValueId {
        self.l.diagnostics.push(Diagnostic::new(Code::E0319, "Unsupported model construct").primary(span, message));
        self.emit(InstKind::Unreachable, Ty::Void, span)
    }

    /// A `sample` expression.
    pub(super) fn sample(&mut self, e: &typed::Expr) -> ValueId {
        let E::Sample { dist, size, lower, upper, constraint } = &e.kind else {
            return self.emit(InstKind::Unreachable, Ty::Void, e.span);
        };
        let span = e.span;
        if dist.kind != typed::DistKind::Builtin {
            return self.declared_sample(e);
        }
        let Some(info) = dists::find(dist.name) else { return self.emit(InstKind::Unreachable, Ty::Void, span) };
        let args = self.dist_args(&dist.params);
        let size = size.as_ref().map(|s| {
            let v = self.expr(s);
            self.coerce_int(v)
        });
        let lower = lower.as_ref().map(|b| self.expr(b));
        let upper = upper.as_ref().map(|b| self.expr(b));
        let typed_ty = self.ty(&e.ty);
        if !self.f.model {
            return self.forward_sample(info, args, size, lower, upper, typed_ty, span);
        }
        let name = self.let_name.clone().unwrap_or_else(|| format!("sample_{}", self.l.out.line_col(span).0));
        if info.is_discrete() {
            if size.is_some() {
                return self.reject(span, "a vector of discrete draws is not supported inside a model".into());
            }
            let site = self.site(SiteKind::Predictive, name, String::new(), 0.0);
            let kind = InstKind::Sample { site, dist: info.name, args, size: None, lower: None, upper: None, kind: SampleKind::Predictive };
            return self.emit(kind, typed_ty, span);
        }
        let (transform, lower, upper, size) = match self.parameter_transform(info, &args, constraint.as_deref(), lower, upper, size, span) {
            Ok(t) => t,
            Err(message) => return self.reject(span, message),
        };
        let site = self.site(SiteKind::Param, name, String::new(), 0.0);
        let ty = match (transform, size) {
            (Transform::CholeskyCorr | Transform::CorrMatrix | Transform::CovMatrix, _) => Ty::Array(Box::new(Ty::Array(Box::new(Ty::Real)))),
            (_, Some(_)) => Ty::Array(Box::new(Ty::Real)),
            (_, None) => Ty::Real,
        };
        let kind = InstKind::Sample { site, dist: info.name, args, size, lower, upper, kind: SampleKind::Param(transform) };
        self.owned_value(kind, ty, span)
    }

    /// How a parameter drawn from `info` is constrained, with the bound and size values.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn parameter_transform(
        &mut self,
        info: &dists::DistInfo,
        args: &[ValueId],
        constraint: Option<&str>,
        lower: Option<ValueId>,
        upper: Option<ValueId>,
        size: Option<ValueId>,
        span: Span,
    ) -> Result<(Transform, Option<ValueId>, Option<ValueId>, Option<ValueId>), String> {
        match constraint {
            Some("ordered") => return Ok((Transform::Ordered, None, None, size)),
            Some("positive_ordered") => return Ok((Transform::PositiveOrdered, None, None, size)),
            _ => {}
        }
        match info.value {
            ValueKind::Vector if info.support == Support::Simplex => {
                let k = self.length_of(args[0], span);
                return Ok((Transform::Simplex, None, None, Some(k)));
            }
            ValueKind::Vector => {
                let k = self.length_of(args[0], span);
                return Ok((Transform::Joint, None, None, Some(k)));
            }
            // A covariance matrix has the dimension of its scale matrix `S`.
            ValueKind::Matrix if info.support == Support::CovMatrix => {
                let k = self.length_of(args[1], span);
                return Ok((Transform::CovMatrix, None, None, Some(k)));
            }
            // LKJ draws: the checker has required their `size`.
            ValueKind::Matrix => {
                let transform = if info.support == Support::CorrMatrix { Transform::CorrMatrix } else { Transform::CholeskyCorr };
                return match size {
                    Some(k) => Ok((transform, None, None, Some(k))),
                    None => Err(format!("a `{}` parameter needs a `size`: the dimension K of the K×K matrix", info.name)),
                };
            }
            _ => {}
        }
        let explicit = match (lower, upper) {
            (Some(_), Some(_)) => Some(Transform::Interval),
            (Some(_), None) => Some(Transform::Lower),
            (None, Some(_)) => Some(Transform::Upper),
            (None, None) => None,
        };
        if let Some(t) = explicit {
            return Ok((t, lower, upper, size));
        }
        Ok(match info.support {
            Support::Positive => (Transform::Positive, None, None, size),
            Support::Unit => (Transform::Unit, None, None, size),
            Support::Interval(i, j) => (Transform::Interval, args.get(i).copied(), args.get(j).copied(), size),
            Support::AtLeast(i) => (Transform::Lower, args.get(i).copied(), None, size),
            Support::Circle => {
                let lo = self.constant(Const::Float(-std::f64::consts::PI), F64, span);
                let hi = self.constant(Const::Float(std::f64::consts::PI), F64, span);
                (Transform::Interval, Some(lo), Some(hi), size)
            }
            _ => (Transform::Real, None, None, size),
        })
    }

    fn length_of(&mut self, v: ValueId, span: Span) -> ValueId {
        self.emit(InstKind::Builtin("len", vec![v]), I64, span)
    }

    fn coerce_int(&mut self, v: ValueId) -> ValueId {
        let ty = self.f.inst(v).ty.clone();
        if ty == I64 {
            return v;
        }
        let span = self.f.inst(v).span;
        self.emit(InstKind::Cast(v), I64, span)
    }

    /// `sample` outside a model: one draw (or `size` draws) with the program's generator.
    #[allow(clippy::too_many_arguments)]
    fn forward_sample(&mut self, info: &dists::DistInfo, args: Vec<ValueId>, size: Option<ValueId>, lower: Option<ValueId>, upper: Option<ValueId>, typed_ty: Ty, span: Span) -> ValueId {
        let natural = if info.is_discrete() { I64 } else { F64 };
        let kind = InstKind::Sample { site: 0, dist: info.name, args, size, lower, upper, kind: SampleKind::Forward };
        if size.is_some() || matches!(info.value, ValueKind::Vector | ValueKind::IntVector | ValueKind::Matrix) {
            return self.owned_value(kind, typed_ty, span);
        }
        let v = self.emit(kind, natural.clone(), span);
        if typed_ty == natural {
            return v;
        }
        self.emit(InstKind::Cast(v), typed_ty, span)
    }

    /// `observe D(params) value`.
    pub(super) fn observe(&mut self, dist: &typed::Dist, value: &typed::Expr, span: Span) {
        if !self.f.model {
            return;
        }
        if dist.kind != typed::DistKind::Builtin {
            return self.declared_observe(dist, value, span);
        }
        let Some(info) = dists::find(dist.name) else { return };
        let args = self.dist_args(&dist.params);
        let v = self.observed_value(info, value);
        self.emit_void(InstKind::Observe { dist: info.name, args, value: v }, span);
    }

    /// A distribution's parameters, evaluated in order, each borrowed.
    pub(super) fn dist_args(&mut self, params: &[typed::Expr]) -> Vec<ValueId> {
        params
            .iter()
            .map(|p| {
                let v = self.expr(p);
                self.use_borrowed(v)
            })
            .collect()
    }

    /// The value of an `observe` or `lpdf`, borrowed; an integer for a discrete distribution.
    fn observed_value(&mut self, info: &dists::DistInfo, value: &typed::Expr) -> ValueId {
        let v = self.expr(value);
        let v = self.use_borrowed(v);
        if info.is_discrete() { self.discrete_value(v) } else { v }
    }

    /// An observation of a discrete distribution as an integer (the checker allows integers
    /// and bools only).
    fn discrete_value(&mut self, v: ValueId) -> ValueId {
        let span = self.f.inst(v).span;
        match self.f.inst(v).ty {
            Ty::Bool => self.emit(InstKind::Cast(v), Ty::Int(IntTy::I64), span),
            _ => v,
        }
    }

    /// `lpdf D(params) value`: a number (a model real when it depends on parameters).
    pub(super) fn log_density(&mut self, dist: &typed::Dist, value: &typed::Expr, ty: Ty, span: Span) -> ValueId {
        if dist.kind != typed::DistKind::Builtin {
            return self.declared_log_density(dist, value, ty, span);
        }
        let Some(info) = dists::find(dist.name) else { return self.emit(InstKind::Unreachable, Ty::Void, span) };
        let args = self.dist_args(&dist.params);
        let v = self.observed_value(info, value);
        self.emit(InstKind::LogDensity { dist: info.name, args, value: v }, ty, span)
    }

    pub(super) fn factor(&mut self, value: &typed::Expr, span: Span) {
        if !self.f.model {
            return;
        }
        let v = self.expr(value);
        self.emit_void(InstKind::Factor(v), span);
    }

    pub(super) fn prob_assert(&mut self, cond: &typed::Expr, confidence: f64, span: Span) {
        if !self.f.model {
            return;
        }
        let c = self.expr(cond);
        let label = format!("at {}", self.line_label(span));
        let n = self.l.out.sites.iter().filter(|s| s.kind == SiteKind::Check).count() + 1;
        let site = self.site(SiteKind::Check, format!("prob_assert_{n}"), label, confidence);
        self.emit_void(InstKind::Record { site, value: c }, span);
    }

    /// A `let` marked `"output": true` inside a model: its value becomes output columns.
    pub(super) fn record_output(&mut self, local: typed::LocalId, cir_local: LocalId, span: Span) {
        let name = self.typed_fn.local(local).name.clone();
        let site = self.site(SiteKind::Output, name, String::new(), 0.0);
        let v = self.read(cir_local, span);
        self.emit_void(InstKind::Record { site, value: v }, span);
    }

    /// The model entry's return value is reported like a printed value.
    pub(super) fn report_return(&mut self, v: ValueId, span: Span) {
        let v = self.use_borrowed(v);
        if self.f.inst(v).ty == Ty::Str {
            self.emit_void(InstKind::PrintText(v), span);
            return;
        }
        let site = self.site(SiteKind::Print, "return_value".into(), "returned".into(), 0.0);
        self.emit_void(InstKind::Record { site, value: v }, span);
    }

    /// A print inside a model: numbers are reported per draw, text once at set-up.
    pub(super) fn model_print(&mut self, args: &[ValueId], span: Span) -> ValueId {
        let Some(&v) = args.last() else { return self.constant(Const::Void, Ty::Void, span) };
        let ty = self.f.inst(v).ty.clone();
        if ty == Ty::Str {
            return self.emit_void(InstKind::PrintText(v), span);
        }
        let name = match &self.f.inst(v).kind {
            InstKind::Local(l) => self.f.local(*l).name.clone(),
            _ => "print".to_string(),
        };
        let label = format!("print at {}", self.line_label(span));
        let site = self.site(SiteKind::Print, format!("print_{name}"), label, 0.0);
        self.emit_void(InstKind::Record { site, value: v }, span)
    }
}

/// The plain form of a type: `Real` becomes `f64`.
pub(super) fn plain_ty(ty: &Ty) -> Ty {
    match ty {
        Ty::Real => F64,
        Ty::Array(t) => Ty::Array(Box::new(plain_ty(t))),
        other => other.clone(),
    }
}
