//! Checking user-defined distributions and mixtures.
//!
//! A program may declare distributions under `"distributions"` (`ast::DistDecl`): parameters
//! with run-time constraints, a support, a log-density function `(x, params…) -> f64` and an
//! optional sampler `(params…) -> value`. [`Checker::declare_distributions`] resolves each
//! declaration after the function signatures are known, checking the functions' signatures
//! against the parameters and the support, and enters it into `typed::Program::distributions`.
//! At a use (`sample`, `observe`, `lpdf`) a declared name resolves to `DistKind::Custom`; the
//! name `mixture` builds a `DistKind::Mixture` from `weights` and `components`, whose
//! parameters are flattened into `Dist::params` (weights first) so every walker of the typed
//! tree sees them. What the constructs mean is decided when lowering (`cir::lower::prob`).

use super::dists::{self, ValueKind};
use super::expr::{Expect, invalid};
use super::{Checker, TypeError};
use crate::ast::{self, BoundDecl, SupportDecl};
use crate::diagnostic::did_you_mean;
use crate::typed::{self, Component, ComponentKind, CustomDist, CustomParam, CustomSupport, Dist, DistKind, Expr, ExprKind as T, FuncId, SupportBound};
use crate::types::{F64, I64, Ty};

const SUPPORTS: [&str; 5] = ["real", "positive", "unit", "integer", "nonnegative_integer"];

impl Checker<'_> {
    /// The declared distributions' names and `mixture` (for suggestions).
    pub(super) fn declared_dist_names(&self) -> Vec<String> {
        self.out.distributions.iter().map(|d| d.name.clone()).chain(["mixture".to_string()]).collect()
    }

    /// Whether `name` is a declared distribution or `mixture` (handled here, not by `dists`).
    pub(super) fn is_declared_or_mixture(&self, name: &str) -> bool {
        name == "mixture" || self.declared_index(name).is_some()
    }

    fn declared_index(&self, name: &str) -> Option<usize> {
        self.out.distributions.iter().position(|d| d.name == name)
    }

    // ----- Declarations -------------------------------------------------------------------------

    /// Resolves every declared distribution (after the function signatures are known).
    pub(super) fn declare_distributions(&mut self) {
        let ast = self.ast;
        for decl in &ast.distributions {
            let name = decl.name.text.clone();
            if dists::find(&name).is_some() || name == "mixture" {
                self.error(TypeError::BuiltinDistName { span: decl.name.span, name });
                continue;
            }
            if let Some(first) = self.out.distributions.iter().find(|d| d.name == name) {
                let first = first.span;
                self.error(TypeError::Duplicate { what: "distribution", name, first, second: decl.name.span });
                continue;
            }
            let params: Vec<CustomParam> = decl.params.iter().map(|p| self.dist_param_decl(&name, p)).collect();
            let support = match &decl.support {
                Some(s) => self.support_decl(&name, s, &decl.params, &params),
                None => CustomSupport::Continuous { lower: None, upper: None },
            };
            let value_ty = match support {
                CustomSupport::Discrete { .. } => I64,
                CustomSupport::Continuous { .. } => F64,
            };
            let param_tys: Vec<Ty> = params.iter().map(|p| p.ty.clone()).collect();
            let names: Vec<&str> = std::iter::once("x").chain(decl.params.iter().map(|p| p.name.text.as_str())).collect();
            let with_value: Vec<Ty> = std::iter::once(value_ty.clone()).chain(param_tys.iter().cloned()).collect();
            let log_density = decl.log_density.as_ref().and_then(|f| self.dist_function(&name, f, "log-density", &names, &with_value, &F64));
            let sampler = decl.sampler.as_ref().and_then(|f| self.dist_function(&name, f, "sampler", &names[1..], &param_tys, &value_ty));
            self.out.distributions.push(CustomDist { name, params, support, log_density, sampler, span: decl.name.span });
        }
    }

    fn dist_param_decl(&mut self, dist: &str, p: &ast::DistParamDecl) -> CustomParam {
        let ty = self.resolve_type(&p.ty, &[]);
        let allowed = [F64, I64, Ty::Array(Box::new(F64)), Ty::Array(Box::new(I64))];
        if !allowed.contains(&ty) && !ty.is_invalid() {
            let message = format!("parameter `{}` has type `{}`; a distribution's parameters are `f64`, `i64`, `[f64]` or `[i64]`", p.name.text, self.show(&ty));
            self.error(TypeError::BadDistribution { span: p.ty.span, name: dist.into(), message, other: None, hint: None });
        }
        let lower = p.lower.map(|(x, _)| x);
        let upper = p.upper.map(|(x, _)| x);
        if let (Some((lo, _)), Some((hi, span))) = (p.lower, p.upper)
            && (lo > hi || (lo == hi && p.strict)) {
                let message = format!("the bounds of `{}` leave no valid value ({lo} to {hi}{})", p.name.text, if p.strict { ", both excluded" } else { "" });
                self.error(TypeError::BadDistribution { span, name: dist.into(), message, other: None, hint: None });
            }
        CustomParam { name: p.name.text.clone(), ty, lower, upper, strict: p.strict }
    }

    fn support_decl(&mut self, dist: &str, s: &SupportDecl, decls: &[ast::DistParamDecl], params: &[CustomParam]) -> CustomSupport {
        let continuous = |lower: Option<f64>, upper: Option<f64>| CustomSupport::Continuous { lower: lower.map(SupportBound::Value), upper: upper.map(SupportBound::Value) };
        match s {
            SupportDecl::Named(word) => match word.text.as_str() {
                "real" => continuous(None, None),
                "positive" => continuous(Some(0.0), None),
                "unit" => continuous(Some(0.0), Some(1.0)),
                "integer" => CustomSupport::Discrete { lower: None },
                "nonnegative_integer" => CustomSupport::Discrete { lower: Some(0) },
                other => {
                    let suggestion = did_you_mean(other, SUPPORTS);
                    let message = format!(
                        "`{other}` is not a support{}",
                        suggestion.map_or(String::new(), |s| format!(" (did you mean `{s}`?)"))
                    );
                    let hint = Some(format!("supports: {}, or {{\"lower\": …, \"upper\": …}} with numbers or real parameter names", SUPPORTS.join(", ")));
                    self.error(TypeError::BadDistribution { span: word.span, name: dist.into(), message, other: None, hint });
                    continuous(None, None)
                }
            },
            SupportDecl::Bounds { lower, upper, .. } => {
                let lo = lower.as_ref().and_then(|b| self.support_bound(dist, b, decls, params));
                let hi = upper.as_ref().and_then(|b| self.support_bound(dist, b, decls, params));
                if let (Some(SupportBound::Value(a)), Some(SupportBound::Value(b)), Some(BoundDecl::Value(_, span))) = (lo, hi, upper)
                    && a >= b {
                        let message = format!("the support is empty: the lower bound {a} is not below the upper bound {b}");
                        self.error(TypeError::BadDistribution { span: *span, name: dist.into(), message, other: None, hint: None });
                    }
                CustomSupport::Continuous { lower: lo, upper: hi }
            }
        }
    }

    fn support_bound(&mut self, dist: &str, b: &BoundDecl, decls: &[ast::DistParamDecl], params: &[CustomParam]) -> Option<SupportBound> {
        match b {
            BoundDecl::Value(x, _) => Some(SupportBound::Value(*x)),
            BoundDecl::Param(name) => {
                let Some(i) = decls.iter().position(|p| p.name.text == name.text) else {
                    let suggestion = did_you_mean(&name.text, decls.iter().map(|p| p.name.text.as_str()));
                    let message = format!(
                        "`{}` is not a parameter of `{dist}`{}",
                        name.text,
                        suggestion.map_or(String::new(), |s| format!(" (did you mean `{s}`?)"))
                    );
                    self.error(TypeError::BadDistribution { span: name.span, name: dist.into(), message, other: None, hint: None });
                    return None;
                };
                if params[i].ty != F64 {
                    let message = format!("a support bound must be a real (`f64`) parameter; `{}` is `{}`", name.text, self.show(&params[i].ty));
                    self.error(TypeError::BadDistribution { span: name.span, name: dist.into(), message, other: None, hint: None });
                    return None;
                }
                Some(SupportBound::Param(i))
            }
        }
    }

    /// Resolves the log-density or sampler function of a declared distribution and checks its
    /// signature: `names` label the expected parameters in the messages.
    fn dist_function(&mut self, dist: &str, f: &ast::Name, role: &str, names: &[&str], params: &[Ty], ret: &Ty) -> Option<FuncId> {
        let Some(&id) = self.fn_names.get(&f.text) else {
            let candidates = self.function_names();
            let suggestion = did_you_mean(&f.text, candidates.iter().map(String::as_str));
            self.error(TypeError::UnknownFunction { span: f.span, name: f.text.clone(), suggestion });
            return None;
        };
        let sig = self.sigs[id.0 as usize].clone();
        let shape = |c: &Self, tys: &[Ty], r: &Ty, labels: &[&str]| {
            let args: Vec<String> = tys.iter().zip(labels.iter().chain(std::iter::repeat(&"_"))).map(|(t, n)| format!("{n}: {}", c.show(t))).collect();
            format!("({}) -> {}", args.join(", "), c.show(r))
        };
        let expected = shape(self, params, ret, names);
        let problem = if !sig.type_params.is_empty() {
            Some(format!("the {role} function of `{dist}` cannot be generic; it must be `{expected}`"))
        } else if sig.is_async {
            Some(format!("the {role} function of `{dist}` cannot be async; it must be `{expected}`"))
        } else if sig.params != params || sig.ret != *ret {
            Some(format!("the {role} function of `{dist}` must be `{expected}`"))
        } else {
            None
        };
        let Some(message) = problem else { return Some(id) };
        let declared_names: Vec<String> = self.ast.functions.iter().find(|g| g.name.text == f.text).map_or(Vec::new(), |g| g.params.iter().map(|p| p.name.text.clone()).collect());
        let labels: Vec<&str> = declared_names.iter().map(String::as_str).collect();
        let found = shape(self, &sig.params, &sig.ret, &labels);
        let hint = if role == "log-density" {
            "a log density takes the value, then the parameters in their declared order, and returns the log density (f64)"
        } else {
            "a sampler takes the parameters in their declared order and returns one draw"
        };
        self.error(TypeError::BadDistribution { span: f.span, name: dist.into(), message, other: Some((sig.span, format!("`{}` is `{found}`", f.text))), hint: Some(hint.into()) });
        None
    }

    // ----- Uses ---------------------------------------------------------------------------------

    /// `weights` and `components` belong to a mixture only.
    pub(super) fn reject_mixture_keys(&mut self, dist: &ast::DistExpr) {
        if dist.weights.is_some() || !dist.components.is_empty() {
            let message = format!("`weights` and `components` belong to a `mixture`, not to `{}`", dist.name.text);
            self.error(TypeError::DistParams { span: dist.name.span, dist: dist.name.text.clone(), message });
        }
    }

    /// A declared distribution or a mixture, with its parameters checked.
    fn declared_dist(&mut self, dist: &ast::DistExpr) -> Option<Dist> {
        if dist.name.text == "mixture" {
            return self.mixture(dist);
        }
        let index = self.declared_index(&dist.name.text)?;
        self.reject_mixture_keys(dist);
        let params = self.custom_params(index, dist)?;
        Some(Dist { name: "", params, span: dist.span, kind: DistKind::Custom(index) })
    }

    /// The parameters of a use of declared distribution `index`, checked against its declaration.
    fn custom_params(&mut self, index: usize, dist: &ast::DistExpr) -> Option<Vec<Expr>> {
        let declared: Vec<CustomParam> = self.out.distributions[index].params.clone();
        if declared.len() != dist.params.len() {
            let names: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
            let message = format!(
                "`{}` takes {} parameter{} ({}), {} given",
                dist.name.text,
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", "),
                dist.params.len()
            );
            self.error(TypeError::DistParams { span: dist.name.span, dist: dist.name.text.clone(), message });
            for p in &dist.params {
                self.expr(p, &Expect::none());
            }
            return None;
        }
        let typed: Vec<Expr> = dist
            .params
            .iter()
            .zip(&declared)
            .map(|(p, d)| if d.ty == F64 { self.numeric_arg(p) } else { self.value(p, &Expect::ty(d.ty.clone())) })
            .collect();
        // a literal that violates its constraint is known to fail already
        for (e, d) in typed.iter().zip(&declared) {
            if let Some(x) = literal_value(e)
                && let Some(what) = violated(d, x) {
                    let message = format!("`{}` must be {what}, got {x}", d.name);
                    self.error(TypeError::DistParams { span: e.span, dist: dist.name.text.clone(), message });
                }
        }
        Some(typed)
    }

    /// `{"distribution": "mixture", "weights": w, "components": [...]}`.
    fn mixture(&mut self, dist: &ast::DistExpr) -> Option<Dist> {
        let mixture_error = |c: &mut Self, span, message: String| c.error(TypeError::DistParams { span, dist: "mixture".into(), message });
        if !dist.params.is_empty() {
            mixture_error(self, dist.name.span, "a mixture takes no `params`: give each component its own `params`".into());
        }
        let Some(weights) = &dist.weights else {
            mixture_error(self, dist.name.span, "a mixture needs `weights`: one non-negative number per component".into());
            return None;
        };
        if dist.components.is_empty() {
            mixture_error(self, dist.name.span, "a mixture needs `components`: a list of {\"distribution\", \"params\"}".into());
            return None;
        }
        let typed_weights = self.value(weights, &Expect::ty(Ty::Array(Box::new(F64))));
        if let ast::ExprKind::Array(items) = &weights.kind
            && items.len() != dist.components.len() {
                let message = format!("{} weight{} for {} component{}", items.len(), plural(items.len()), dist.components.len(), plural(dist.components.len()));
                mixture_error(self, weights.span, message);
            }
        let mut params = vec![typed_weights];
        let mut components = Vec::new();
        let mut kinds: Vec<(bool, &ast::DistExpr)> = Vec::new();
        let mut ok = true;
        for c in &dist.components {
            if c.name.text == "mixture" {
                mixture_error(self, c.name.span, "a mixture cannot be a component of a mixture".into());
                ok = false;
                continue;
            }
            if let Some(i) = self.declared_index(&c.name.text) {
                self.reject_mixture_keys(c);
                let Some(ps) = self.custom_params(i, c) else {
                    ok = false;
                    continue;
                };
                kinds.push((matches!(self.out.distributions[i].support, CustomSupport::Discrete { .. }), c));
                components.push(Component { kind: ComponentKind::Custom(i), arity: ps.len() });
                params.extend(ps);
                continue;
            }
            let Some((info, d)) = self.dist(c, false) else {
                ok = false;
                continue;
            };
            if !matches!(info.value, ValueKind::Real | ValueKind::Int) {
                mixture_error(self, c.name.span, format!("`{}` is multivariate; the components of a mixture are univariate", info.name));
                ok = false;
                continue;
            }
            kinds.push((info.is_discrete(), c));
            components.push(Component { kind: ComponentKind::Builtin(info.name), arity: d.params.len() });
            params.extend(d.params);
        }
        if let Some((first, _)) = kinds.first().copied()
            && let Some((_, other)) = kinds.iter().find(|(k, _)| *k != first) {
                let word = |d: bool| if d { "discrete" } else { "continuous" };
                let message = format!("`{}` is {}, but the first component is {}; a mixture's components are all continuous or all discrete", other.name.text, word(!first), word(first));
                mixture_error(self, other.name.span, message);
                ok = false;
            }
        ok.then_some(Dist { name: "", params, span: dist.span, kind: DistKind::Mixture(components) })
    }

    /// `sample` from a declared distribution or a mixture.
    pub(super) fn declared_sample(&mut self, sample: &ast::SampleExpr, span: crate::span::Span, expect: &Expect) -> Expr {
        let Some(dist) = self.declared_dist(&sample.dist) else { return invalid(span) };
        let size = sample.size.as_ref().map(|s| Box::new(self.int_arg(s)));
        let name = sample.dist.name.text.clone();
        for (key, present) in [("lower", sample.lower.is_some()), ("upper", sample.upper.is_some()), ("constraint", sample.constraint.is_some())] {
            if present {
                let message = format!("`{key}` is not supported for a declared distribution or a mixture; the support comes from its declaration");
                self.error(TypeError::DistParams { span: sample.dist.name.span, dist: name.clone(), message });
            }
        }
        let element = if self.out.dist_is_discrete(&dist) {
            let expected = expect.ty.as_ref().map(|t| self.f.unifier.resolve(t));
            let expected_element = match (&expected, size.is_some()) {
                (Some(Ty::Array(e)), true) => Some((**e).clone()),
                (e, false) => e.clone(),
                _ => None,
            };
            match expected_element {
                Some(t @ (Ty::Int(_) | Ty::Float(_))) => t,
                _ => I64,
            }
        } else {
            F64
        };
        let ty = if size.is_some() { Ty::Array(Box::new(element)) } else { element };
        Expr { kind: T::Sample { dist, size, lower: None, upper: None, constraint: None }, ty, span }
    }

    /// `observe`/`lpdf` of a declared distribution or a mixture: the value is a number of the
    /// distribution's kind, or an array of them (the log densities are summed).
    pub(super) fn declared_dist_and_value(&mut self, dist: &ast::DistExpr, value: &ast::Expr) -> Option<(Dist, Expr)> {
        let typed_value = self.value(value, &Expect::none());
        let typed_dist = self.declared_dist(dist)?;
        let discrete = self.out.dist_is_discrete(&typed_dist);
        let kind = if discrete { ValueKind::Int } else { ValueKind::Real };
        let value_ty = self.settle_observed_literals(&typed_value.ty, kind);
        let element = match &value_ty {
            Ty::Array(e) => (**e).clone(),
            t => t.clone(),
        };
        let ok = value_ty.is_invalid() || if discrete { element.is_int() || element == Ty::Bool } else { element == F64 };
        if !ok {
            let expected = if discrete { "an integer or bool (or an array of them)" } else { "f64 or [f64]" };
            let hint = super::expr::observed_value_hint(discrete, &element);
            self.error(TypeError::Mismatch { span: typed_value.span, expected: expected.into(), found: self.show(&value_ty), because: None, hint });
        }
        Some((typed_dist, typed_value))
    }
}

/// The value of a number literal (possibly converted to `f64`).
fn literal_value(e: &Expr) -> Option<f64> {
    match &e.kind {
        T::Lit(typed::Literal::Float(x)) => Some(*x),
        T::Lit(typed::Literal::Int(i)) => Some(*i as f64),
        T::Cast(inner) => literal_value(inner),
        _ => None,
    }
}

/// The constraint of a declared parameter that `x` violates, in words.
fn violated(p: &CustomParam, x: f64) -> Option<String> {
    let below = p.lower.is_some_and(|lo| if p.strict { x <= lo } else { x < lo });
    let above = p.upper.is_some_and(|hi| if p.strict { x >= hi } else { x > hi });
    if !below && !above {
        return None;
    }
    Some(match (p.lower, p.upper, p.strict) {
        (Some(lo), Some(hi), false) => format!("in [{lo}, {hi}]"),
        (Some(lo), Some(hi), true) => format!("in ({lo}, {hi})"),
        (Some(lo), None, strict) => format!("{} {lo}", if strict { ">" } else { ">=" }),
        (None, Some(hi), strict) => format!("{} {hi}", if strict { "<" } else { "<=" }),
        (None, None, _) => return None,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl typed::CustomDist {
    /// Whether the values are integers.
    pub fn is_discrete(&self) -> bool {
        matches!(self.support, CustomSupport::Discrete { .. })
    }
}
