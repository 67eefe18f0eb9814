//! Checking patterns against the type of the value they match, binding their variables.

use super::{Checker, TypeError};
use crate::ast::{self, PatternKind as P};
use crate::diagnostic::did_you_mean;
use crate::typed::Pat;
use crate::types::Ty;

impl Checker<'_> {
    /// Checks `p` against `ty`; variables are declared in the current scope.
    pub(crate) fn pattern(&mut self, p: &ast::Pattern, ty: &Ty) -> Pat {
        let mut bound = Vec::new();
        self.pattern_inner(p, ty, &mut bound)
    }

    fn pattern_inner(&mut self, p: &ast::Pattern, ty: &Ty, bound: &mut Vec<ast::Name>) -> Pat {
        let ty = self.f.unifier.resolve(ty);
        if ty.is_invalid() {
            return self.bind_all_invalid(p, bound);
        }
        match &p.kind {
            P::Wildcard => Pat::Wild,
            P::Bind(name) => {
                if let Some(first) = bound.iter().find(|b| b.text == name.text) {
                    self.error(TypeError::Duplicate { what: "pattern variable", name: name.text.clone(), first: first.span, second: name.span });
                }
                bound.push(name.clone());
                Pat::Bind(self.declare(&name.text, ty, false, name.span))
            }
            P::Int(i) => match &ty {
                Ty::Int(it) => {
                    if !it.contains(*i) {
                        self.error(TypeError::LiteralRange { span: p.span, value: i.to_string(), ty: it.name().into() });
                    }
                    Pat::Int(*i)
                }
                Ty::Var(_) if self.f.unifier.var_kind(&ty) == Some(super::infer::VarKind::IntLit) => {
                    self.f.int_literals.push((*i, ty.clone(), p.span));
                    Pat::Int(*i)
                }
                _ => self.pattern_mismatch(p, &ty, "an integer literal"),
            },
            P::Str(s) => match ty {
                Ty::Str => Pat::Str(s.clone()),
                _ => self.pattern_mismatch(p, &ty, "a string literal"),
            },
            P::Bool(b) => match ty {
                Ty::Bool => Pat::Bool(*b),
                _ => self.pattern_mismatch(p, &ty, "a boolean literal"),
            },
            P::Tuple(items) => match &ty {
                Ty::Tuple(types) if types.len() == items.len() => {
                    Pat::Tuple(items.iter().zip(types).map(|(i, t)| self.pattern_inner(i, t, bound)).collect())
                }
                Ty::Tuple(types) => {
                    let message = format!("this tuple pattern has {} elements, the value has {}", items.len(), types.len());
                    self.error(TypeError::PatternMismatch { span: p.span, ty: self.show(&ty), message });
                    Pat::Wild
                }
                _ => self.pattern_mismatch(p, &ty, "a tuple pattern"),
            },
            P::Record { ty: name, fields } => self.record_pattern(p, name.as_ref(), fields, &ty, bound),
            P::Enum { ty: name, variant, payload } => self.enum_pattern(p, name.as_ref(), variant, payload.as_deref(), &ty, bound),
        }
    }

    fn record_pattern(&mut self, p: &ast::Pattern, name: Option<&ast::Name>, fields: &[(ast::Name, ast::Pattern)], ty: &Ty, bound: &mut Vec<ast::Name>) -> Pat {
        let Some(declared) = self.out.record_fields(ty) else {
            return self.pattern_mismatch(p, ty, "a struct pattern");
        };
        if let (Some(n), Ty::Adt(id, _)) = (name, ty)
            && self.out.adt(*id).name != n.text {
                return self.pattern_mismatch(p, ty, &format!("a `{}` pattern", n.text));
            }
        let mut out = Vec::new();
        for (field, sub) in fields {
            match declared.iter().position(|(n, _)| *n == field.text) {
                Some(i) => out.push((i, self.pattern_inner(sub, &declared[i].1, bound))),
                None => {
                    let names: Vec<String> = declared.iter().map(|(n, _)| n.clone()).collect();
                    let suggestion = did_you_mean(&field.text, names.iter().map(String::as_str));
                    self.error(TypeError::UnknownField { span: field.span, ty: self.show(ty), field: field.text.clone(), suggestion, fields: names });
                }
            }
        }
        Pat::Record { fields: out }
    }

    fn enum_pattern(
        &mut self,
        p: &ast::Pattern,
        name: Option<&ast::Name>,
        variant: &ast::Name,
        payload: Option<&ast::Pattern>,
        ty: &Ty,
        bound: &mut Vec<ast::Name>,
    ) -> Pat {
        let (Ty::Adt(id, _), Some(variants)) = (ty, self.out.variants(ty)) else {
            return self.pattern_mismatch(p, ty, "an enum pattern");
        };
        let adt_name = self.out.adt(*id).name.clone();
        if let Some(n) = name
            && n.text != adt_name {
                return self.pattern_mismatch(p, ty, &format!("a `{}` pattern", n.text));
            }
        let Some(index) = variants.iter().position(|(n, _)| *n == variant.text) else {
            let suggestion = did_you_mean(&variant.text, variants.iter().map(|(n, _)| n.as_str()));
            self.error(TypeError::UnknownVariant { span: variant.span, ty: adt_name, variant: variant.text.clone(), suggestion });
            return Pat::Wild;
        };
        let payload = match (&variants[index].1, payload) {
            (Some(t), Some(sub)) => Some(Box::new(self.pattern_inner(sub, t, bound))),
            (Some(_), None) | (None, None) => None,
            (None, Some(sub)) => {
                let message = format!("`{}::{}` has no payload", adt_name, variant.text);
                self.error(TypeError::PatternMismatch { span: sub.span, ty: self.show(ty), message });
                None
            }
        };
        Pat::Variant { adt: *id, variant: index, payload }
    }

    fn pattern_mismatch(&mut self, p: &ast::Pattern, ty: &Ty, what: &str) -> Pat {
        let message = format!("{what} cannot match a value of type `{}`", self.show(ty));
        self.error(TypeError::PatternMismatch { span: p.span, ty: self.show(ty), message });
        Pat::Wild
    }

    /// After an earlier error the value's type is unknown: declare the variables anyway so
    /// their uses do not cause more errors.
    fn bind_all_invalid(&mut self, p: &ast::Pattern, bound: &mut Vec<ast::Name>) -> Pat {
        match &p.kind {
            P::Bind(name) => {
                bound.push(name.clone());
                Pat::Bind(self.declare(&name.text, Ty::Invalid, false, name.span))
            }
            P::Tuple(items) => Pat::Tuple(items.iter().map(|i| self.bind_all_invalid(i, bound)).collect()),
            P::Record { fields, .. } => {
                for (_, sub) in fields {
                    self.bind_all_invalid(sub, bound);
                }
                Pat::Wild
            }
            P::Enum { payload: Some(sub), .. } => {
                self.bind_all_invalid(sub, bound);
                Pat::Wild
            }
            _ => Pat::Wild,
        }
    }
}
