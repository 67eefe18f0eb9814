//! The declarative `mixture` block: `{"mixture": {"name"?, "components": [{"label"?, "weight"?,
//! "distribution", "params" (or "parameters")}], "weights"? or "weight_prior"?}}`.
//!
//! It is read straight into the distribution `mixture` (`DistExpr` with `weights` and
//! `components`), whose density is the log-sum-exp of the weighted component densities
//! (docs/distributions.md, "Mixtures"). As an expression it is a draw from the mixture (a
//! parameter in a model); as the `"distribution"` of `sample`, `observe` or `lpdf` it is that
//! distribution. The weights are either one `"weight"` per component (gathered into an array)
//! or one `"weights"` expression for the block (`"weight_prior"` is the earlier implementation's
//! name for it, typically a `dirichlet` draw); a mix of the two, a component without a weight, or
//! no component is E0341.

use super::super::error::ParseError;
use super::super::json::{Json, JsonKind};
use super::Parser;
use crate::ast::{DistExpr, Expr, ExprKind, Name};
use crate::span::Span;

/// One component as written, with its optional weight.
struct Component {
    weight: Option<Expr>,
    dist: DistExpr,
}

impl Parser {
    /// The distribution a `{"mixture": …}` object (`json`) denotes, or `None` when `json` is
    /// not one (then nothing is reported).
    pub(super) fn mixture_object(&mut self, json: &Json) -> Option<Option<DistExpr>> {
        let JsonKind::Object(members) = &json.kind else { return None };
        match members.as_slice() {
            [m] if m.key == "mixture" => Some(self.mixture(&m.value, Name::new("mixture", m.key_span))),
            _ => None,
        }
    }

    /// The body of a `mixture` block.
    pub(super) fn mixture(&mut self, body: &Json, name: Name) -> Option<DistExpr> {
        let mut obj = self.obj(body, "`mixture`")?;
        let _label = obj.get("name").and_then(|n| self.name(n, "mixture"));
        let components = match self.required(&mut obj, "components") {
            Some(c) => self.list(c, "`components`", Self::weighted_component),
            None => return None,
        };
        let block_weights = self.block_weights(&mut obj);
        self.finish(obj, &["name", "components", "weights", "weight_prior"]);
        if components.is_empty() {
            self.mixture_error(body.span, "a mixture needs at least one component".into());
            return None;
        }
        let weights = self.mixture_weights(&components, block_weights, body.span)?;
        let components = components.into_iter().map(|c| c.dist).collect();
        Some(DistExpr { name, params: Vec::new(), weights: Some(Box::new(weights)), components, span: body.span })
    }

    /// `"weights"` or its older name `"weight_prior"` (not both).
    fn block_weights(&mut self, obj: &mut super::Obj<'_>) -> Option<Expr> {
        let weights = obj.get("weights");
        let prior = obj.get("weight_prior");
        if let (Some(_), Some(p)) = (weights, prior) {
            self.mixture_error(p.span, "give the weights once: `weights` or `weight_prior`, not both".into());
        }
        weights.or(prior).and_then(|w| self.expr(w))
    }

    fn mixture_weights(&mut self, components: &[Component], block: Option<Expr>, span: Span) -> Option<Expr> {
        if let Some(block) = block {
            if let Some(w) = components.iter().find_map(|c| c.weight.as_ref()) {
                self.mixture_error(w.span, "this component has a `weight` but the mixture also has `weights`: give one or the other".into());
                return None;
            }
            return Some(block);
        }
        let mut weights = Vec::with_capacity(components.len());
        for (k, c) in components.iter().enumerate() {
            match &c.weight {
                Some(w) => weights.push(w.clone()),
                None => {
                    let message = format!("component {} has no `weight`: give every component one, or the mixture `weights`", k + 1);
                    self.mixture_error(c.dist.span, message);
                    return None;
                }
            }
        }
        Some(Expr { kind: ExprKind::Array(weights), span })
    }

    /// `{"label"?, "weight"?, "distribution", "params" or "parameters"}`.
    fn weighted_component(&mut self, json: &Json) -> Option<Component> {
        let mut obj = self.obj(json, "a mixture component")?;
        let _label = obj.get("label").and_then(|l| self.string(l, "`label`"));
        let weight = obj.get("weight").and_then(|w| self.expr(w));
        let name = self.required_name(&mut obj, "distribution", "distribution");
        let params = obj.get("params");
        let parameters = obj.get("parameters");
        if let (Some(_), Some(p)) = (params, parameters) {
            self.mixture_error(p.span, "give the parameters once: `params` or `parameters`, not both".into());
        }
        let params = params.or(parameters).map(|p| self.exprs(p, "`params`")).unwrap_or_default();
        self.finish(obj, &["label", "weight", "distribution", "params", "parameters"]);
        let dist = DistExpr { name: name?, params, weights: None, components: Vec::new(), span: json.span };
        Some(Component { weight, dist })
    }

    fn mixture_error(&mut self, span: Span, message: String) {
        self.error(ParseError::Mixture { span, message });
    }
}
