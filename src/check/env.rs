//! The declaration pass: types, traits, function signatures, implementations and constants.
//!
//! Everything declared at the top of a program is entered into tables before any body is
//! checked, so the order of declarations in the file never matters. Type expressions written by
//! the user are resolved to [`Ty`] here ([`Checker::resolve_type`]).

use super::{Checker, FnSig, TypeError, TypeName};
use crate::ast::{self, TypeDeclKind, TypeExprKind};
use crate::diagnostic::did_you_mean;
use crate::span::Span;
use crate::typed::{self, AdtDef, AdtKind, BuiltinAdt, FieldDef, FuncId, VariantDef};
use crate::types::{AdtId, TraitId, Ty};

pub(crate) const OPTION: AdtId = AdtId(0);
pub(crate) const RESULT: AdtId = AdtId(1);
pub(crate) const ERROR: AdtId = AdtId(2);
/// The standard library's JSON value (`runtime/json.zig`, `rt.Json`).
pub(crate) const JSON: AdtId = AdtId(3);
/// The result record of the `http_*` built-ins (`runtime/http.zig`, `rt.HttpResponse`).
pub(crate) const HTTP_RESPONSE: AdtId = AdtId(4);

impl<'a> Checker<'a> {
    pub(crate) fn collect(&mut self) {
        self.add_prelude();
        self.declare_types();
        // Traits before type bodies: a field may be a trait object (`dyn Shape`).
        self.declare_traits();
        self.define_types();
        self.check_recursive_records();
        self.declare_functions();
        self.declare_externs();
        self.declare_impls();
        self.declare_distributions();
        self.check_constants();
    }

    fn add_adt(&mut self, def: AdtDef) -> AdtId {
        let id = AdtId(u32::try_from(self.out.adts.len()).unwrap_or(u32::MAX));
        self.type_names.insert(def.name.clone(), TypeName::Adt(id));
        self.out.adts.push(def);
        id
    }

    fn add_prelude(&mut self) {
        let variant = |name: &str, payload: Option<Ty>| VariantDef { name: name.into(), payload };
        self.add_adt(AdtDef {
            name: "Option".into(),
            params: vec!["T".into()],
            kind: AdtKind::Enum { variants: vec![variant("Some", Some(Ty::Param(0))), variant("None", None)] },
            builtin: Some(BuiltinAdt::Option),
            is_error: false,
            span: Span::default(),
        });
        self.add_adt(AdtDef {
            name: "Result".into(),
            params: vec!["T".into(), "E".into()],
            kind: AdtKind::Enum { variants: vec![variant("Ok", Some(Ty::Param(0))), variant("Err", Some(Ty::Param(1)))] },
            builtin: Some(BuiltinAdt::Result),
            is_error: false,
            span: Span::default(),
        });
        let field = |name: &str| FieldDef { name: name.into(), ty: Ty::Str };
        self.add_adt(AdtDef {
            name: "Error".into(),
            params: vec![],
            kind: AdtKind::Record { fields: vec![field("kind"), field("message")] },
            builtin: Some(BuiltinAdt::Error),
            is_error: true,
            span: Span::default(),
        });
        // `Json` is recursive through arrays and maps, which are counted pointers at run time.
        let json = Ty::Adt(JSON, Vec::new());
        self.add_adt(AdtDef {
            name: "Json".into(),
            params: vec![],
            kind: AdtKind::Enum {
                variants: vec![
                    variant("Null", None),
                    variant("Bool", Some(Ty::Bool)),
                    variant("Number", Some(Ty::Float(crate::types::FloatTy::F64))),
                    variant("String", Some(Ty::Str)),
                    variant("Array", Some(Ty::Array(Box::new(json.clone())))),
                    variant("Object", Some(Ty::Map(Box::new(Ty::Str), Box::new(json)))),
                ],
            },
            builtin: Some(BuiltinAdt::Json),
            is_error: false,
            span: Span::default(),
        });
        let typed_field = |name: &str, ty: Ty| FieldDef { name: name.into(), ty };
        self.add_adt(AdtDef {
            name: "HttpResponse".into(),
            params: vec![],
            kind: AdtKind::Record {
                fields: vec![
                    typed_field("status", Ty::Int(crate::types::IntTy::I64)),
                    typed_field("body", Ty::Str),
                    typed_field("headers", Ty::Map(Box::new(Ty::Str), Box::new(Ty::Str))),
                ],
            },
            builtin: Some(BuiltinAdt::HttpResponse),
            is_error: false,
            span: Span::default(),
        });
    }

    fn declare_types(&mut self) {
        for decl in &self.ast.types {
            // A program's own type may take a prelude type's name: it shadows the prelude's.
            if let Some(existing) = self.existing_type_span(&decl.name.text).filter(|_| !self.is_prelude_type(&decl.name.text)) {
                self.error(TypeError::Duplicate { what: "type", name: decl.name.text.clone(), first: existing, second: decl.name.span });
                continue;
            }
            if Ty::primitive(&decl.name.text).is_some() {
                self.error(TypeError::BuiltinTypeName { span: decl.name.span, name: decl.name.text.clone() });
                continue;
            }
            match &decl.kind {
                TypeDeclKind::Alias(target) => {
                    self.aliases.push((target.clone(), None, false));
                    self.type_names.insert(decl.name.text.clone(), TypeName::Alias(self.aliases.len() - 1));
                }
                _ => {
                    let params = decl.params.iter().map(|p| p.name.text.clone()).collect();
                    let kind = AdtKind::Record { fields: Vec::new() };
                    let is_error = matches!(decl.kind, TypeDeclKind::Error { .. });
                    self.add_adt(AdtDef { name: decl.name.text.clone(), params, kind, builtin: None, is_error, span: decl.name.span });
                }
            }
        }
    }

    /// Whether `name` still names a prelude type (`Option`, `Result`, `Error`, `Json`, …).
    fn is_prelude_type(&self, name: &str) -> bool {
        matches!(self.type_names.get(name), Some(TypeName::Adt(id)) if self.out.adt(*id).builtin.is_some())
    }

    fn existing_type_span(&self, name: &str) -> Option<Span> {
        match self.type_names.get(name)? {
            TypeName::Adt(id) => Some(self.out.adt(*id).span),
            TypeName::Alias(_) => self.ast.types.iter().find(|t| t.name.text == name).map(|t| t.name.span),
        }
    }

    fn define_types(&mut self) {
        for decl in &self.ast.types {
            let Some(TypeName::Adt(id)) = self.type_names.get(&decl.name.text).copied() else { continue };
            if self.out.adt(id).span != decl.name.span {
                continue;
            }
            let params: Vec<String> = decl.params.iter().map(|p| p.name.text.clone()).collect();
            let kind = match &decl.kind {
                TypeDeclKind::Record { fields } => AdtKind::Record { fields: self.field_defs(fields, &params) },
                TypeDeclKind::Enum { variants } => AdtKind::Enum { variants: self.variant_defs(variants, &params) },
                TypeDeclKind::Error { message } => {
                    let fields = message
                        .iter()
                        .map(|m| FieldDef { name: "message".into(), ty: self.resolve_type(m, &params) })
                        .collect();
                    AdtKind::Record { fields }
                }
                TypeDeclKind::Alias(_) => continue,
            };
            self.out.adts[id.0 as usize].kind = kind;
        }
    }

    fn field_defs(&mut self, fields: &[ast::FieldDecl], params: &[String]) -> Vec<FieldDef> {
        let mut out: Vec<FieldDef> = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if let Some(first) = fields[..i].iter().find(|g| g.name.text == f.name.text) {
                self.error(TypeError::Duplicate { what: "field", name: f.name.text.clone(), first: first.name.span, second: f.name.span });
                continue;
            }
            let ty = self.resolve_type(&f.ty, params);
            out.push(FieldDef { name: f.name.text.clone(), ty });
        }
        out
    }

    fn variant_defs(&mut self, variants: &[ast::VariantDecl], params: &[String]) -> Vec<VariantDef> {
        let mut out = Vec::new();
        for (i, v) in variants.iter().enumerate() {
            if let Some(first) = variants[..i].iter().find(|w| w.name.text == v.name.text) {
                self.error(TypeError::Duplicate { what: "variant", name: v.name.text.clone(), first: first.name.span, second: v.name.span });
                continue;
            }
            let payload = v.payload.as_ref().map(|p| self.resolve_type(p, params));
            out.push(VariantDef { name: v.name.text.clone(), payload });
        }
        out
    }

    /// A record that holds itself without indirection through an enum, array or map has no
    /// finite size.
    fn check_recursive_records(&mut self) {
        for index in 0..self.out.adts.len() {
            let id = AdtId(u32::try_from(index).unwrap_or(u32::MAX));
            if self.record_contains(id, id, &mut Vec::new()) {
                let adt = self.out.adt(id);
                let (span, name) = (adt.span, adt.name.clone());
                self.error(TypeError::RecursiveType { span, name });
                if let AdtKind::Record { fields } = &mut self.out.adts[index].kind {
                    fields.clear();
                }
            }
        }
    }

    fn record_contains(&self, outer: AdtId, target: AdtId, seen: &mut Vec<AdtId>) -> bool {
        let AdtKind::Record { fields } = &self.out.adt(outer).kind else { return false };
        if seen.contains(&outer) {
            return false;
        }
        seen.push(outer);
        fields.iter().any(|f| self.inline_contains(&f.ty, target, seen))
    }

    fn inline_contains(&self, ty: &Ty, target: AdtId, seen: &mut Vec<AdtId>) -> bool {
        match ty {
            Ty::Adt(id, _) if *id == target => true,
            Ty::Adt(id, _) => self.record_contains(*id, target, seen),
            Ty::Tuple(items) => items.iter().any(|t| self.inline_contains(t, target, seen)),
            _ => false,
        }
    }

    fn declare_traits(&mut self) {
        for decl in &self.ast.traits {
            if let Some(existing) = self.trait_names.get(&decl.name.text) {
                let first = self.out.traits[existing.0 as usize].span;
                self.error(TypeError::Duplicate { what: "trait", name: decl.name.text.clone(), first, second: decl.name.span });
                continue;
            }
            let id = TraitId(u32::try_from(self.out.traits.len()).unwrap_or(u32::MAX));
            self.trait_names.insert(decl.name.text.clone(), id);
            self.out.traits.push(typed::TraitDef { name: decl.name.text.clone(), methods: Vec::new(), span: decl.name.span });
        }
        for decl in &self.ast.traits {
            let Some(&id) = self.trait_names.get(&decl.name.text) else { continue };
            if let Some(first) = decl.type_params.first() {
                let message = format!("`{}` declares the type parameter `{}`, but a trait cannot be generic", decl.name.text, first.name.text);
                self.error(TypeError::GenericTrait { span: first.name.span, message, trait_name: decl.name.text.clone() });
            }
            // The parameters resolve (to nothing usable), so their uses are not reported again.
            let params: Vec<String> = decl.type_params.iter().map(|p| p.name.text.clone()).collect();
            let methods = decl
                .methods
                .iter()
                .map(|m| typed::TraitMethodDef {
                    name: m.name.text.clone(),
                    params: m.params.iter().map(|p| self.resolve_type(p, &params)).collect(),
                    ret: m.ret.as_ref().map_or(Ty::Void, |r| self.resolve_type(r, &params)),
                })
                .collect();
            self.out.traits[id.0 as usize].methods = methods;
        }
    }

    fn declare_functions(&mut self) {
        for function in &self.ast.functions {
            if let Some(&existing) = self.fn_names.get(&function.name.text) {
                let first = self.sigs[existing.0 as usize].span;
                self.error(TypeError::Duplicate { what: "function", name: function.name.text.clone(), first, second: function.name.span });
                continue;
            }
            let id = self.add_function(function, None);
            self.fn_names.insert(function.name.text.clone(), id);
        }
    }

    /// Resolves a function's signature and reserves its `FuncId`.
    pub(crate) fn add_function(&mut self, function: &'a ast::Function, method_of: Option<(TraitId, Ty)>) -> FuncId {
        self.add_function_in(function, method_of, &[])
    }

    /// [`Self::add_function`] for a function inside a generic implementation: `outer` are the
    /// implementation's type parameters, which come first in the function's own.
    fn add_function_in(&mut self, function: &'a ast::Function, method_of: Option<(TraitId, Ty)>, outer: &[typed::TypeParamDef]) -> FuncId {
        let mut type_params = outer.to_vec();
        type_params.extend(self.type_param_defs(&function.type_params));
        let names: Vec<String> = type_params.iter().map(|p| p.name.clone()).collect();
        let params = function.params.iter().map(|p| self.resolve_type(&p.ty, &names)).collect();
        let ret = function.ret.as_ref().map_or(Ty::Void, |r| self.resolve_type(r, &names));
        let id = FuncId(u32::try_from(self.sigs.len()).unwrap_or(u32::MAX));
        self.sigs.push(FnSig {
            name: function.name.text.clone(),
            type_params: type_params.clone(),
            params,
            ret: ret.clone(),
            is_async: function.is_async,
            span: function.name.span,
        });
        self.bodies.push(Some(function));
        self.out.functions.push(typed::Function {
            name: function.name.text.clone(),
            type_params,
            params: Vec::new(),
            ret,
            locals: Vec::new(),
            body: Vec::new(),
            is_async: function.is_async,
            span: function.span,
            method_of,
        });
        id
    }

    fn type_param_defs(&mut self, params: &[ast::TypeParam]) -> Vec<typed::TypeParamDef> {
        params
            .iter()
            .map(|p| typed::TypeParamDef {
                name: p.name.text.clone(),
                bounds: p.bounds.iter().filter_map(|b| self.resolve_trait(b)).collect(),
            })
            .collect()
    }

    pub(crate) fn resolve_trait(&mut self, name: &ast::Name) -> Option<TraitId> {
        if let Some(id) = self.trait_names.get(&name.text) {
            return Some(*id);
        }
        let suggestion = did_you_mean(&name.text, self.trait_names.keys().map(String::as_str));
        self.error(TypeError::UnknownTrait { span: name.span, name: name.text.clone(), suggestion });
        None
    }

    fn declare_externs(&mut self) {
        for ext in &self.ast.externs {
            let params = ext.params.iter().map(|p| self.resolve_type(&p.ty, &[])).collect::<Vec<_>>();
            let ret = ext.ret.as_ref().map_or(Ty::Void, |r| self.resolve_type(r, &[]));
            let ffi_ok = params.iter().chain([&ret]).all(|t| matches!(t, Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Void | Ty::Invalid));
            if !ffi_ok {
                self.error(TypeError::BadExtern { span: ext.name.span, name: ext.name.text.clone() });
            }
            let id = typed::ExternId(u32::try_from(self.out.externs.len()).unwrap_or(u32::MAX));
            self.extern_names.insert(ext.name.text.clone(), id);
            self.out.externs.push(typed::ExternDef { name: ext.name.text.clone(), library: ext.library.text.clone(), params, ret });
        }
    }

    fn declare_impls(&mut self) {
        for decl in &self.ast.impls {
            let Some(trait_id) = self.resolve_trait(&decl.trait_name) else { continue };
            if self.ast.traits.iter().any(|t| t.name.text == decl.trait_name.text && !t.type_params.is_empty()) {
                continue;
            }
            let Some(params) = self.impl_type_params(decl) else { continue };
            let target = self.resolve_type(&decl.target, &params);
            // Two implementations of a trait overlap when either covers the other's target.
            let candidate = typed::ImplDef { trait_id, target: target.clone(), type_params: params.len(), methods: Vec::new() };
            let overlaps = |i: &typed::ImplDef| i.instance_for(&target).is_some() || candidate.instance_for(&i.target).is_some();
            let duplicate = self.out.impls.iter().any(|i| i.trait_id == trait_id && overlaps(i));
            if duplicate {
                let message = format!("`{}` is already implemented for `{}`", decl.trait_name.text, self.show(&target));
                self.error(TypeError::BadImpl { span: decl.trait_name.span, message, other: None });
                continue;
            }
            let type_params: Vec<typed::TypeParamDef> = params.iter().map(|name| typed::TypeParamDef { name: name.clone(), bounds: Vec::new() }).collect();
            let methods = self.impl_methods(decl, trait_id, &target, &type_params);
            self.out.impls.push(typed::ImplDef { trait_id, target, type_params: params.len(), methods });
        }
    }

    /// The type parameters of an implementation: the names in its `type_args`, then the
    /// one-letter names in its target that name no type (`T` in `Stack<T>`). `None` (reported,
    /// E0322) when a `type_args` entry is not a fresh name.
    fn impl_type_params(&mut self, decl: &ast::ImplDecl) -> Option<Vec<String>> {
        let mut params: Vec<String> = Vec::new();
        for arg in &decl.type_args {
            let fresh = match &arg.kind {
                TypeExprKind::Named { name, args } if args.is_empty() && Ty::primitive(&name.text).is_none() && !self.type_names.contains_key(&name.text) => Some(name.text.clone()),
                _ => None,
            };
            let Some(name) = fresh else {
                let message = format!("`type_args` of an implementation name its type parameters, and `{}` is a type", type_expr_text(arg));
                self.error(TypeError::BadImpl { span: arg.span, message, other: None });
                return None;
            };
            if !params.contains(&name) {
                params.push(name);
            }
        }
        let mut free = Vec::new();
        self.free_type_names(&decl.target, false, &mut free);
        // Without `type_args`, only a one-letter name (`T`, `K`, `V`) is taken for a parameter,
        // so that a misspelt type (`Stack<Strng>`) is still reported as unknown.
        let implicit = |name: &str| name.len() == 1 && name.chars().all(|c| c.is_ascii_uppercase());
        for name in free.into_iter().filter(|n| implicit(&n.text)) {
            if !params.contains(&name.text) {
                params.push(name.text.clone());
            }
        }
        Some(params)
    }

    /// Names inside type arguments of `t` (or an array's element type) that name no type.
    fn free_type_names<'t>(&self, t: &'t ast::TypeExpr, inside: bool, out: &mut Vec<&'t ast::Name>) {
        let known = |name: &str| Ty::primitive(name).is_some() || self.type_names.contains_key(name) || matches!(name, "map" | "set" | "Future" | "Channel" | "Posterior");
        match &t.kind {
            TypeExprKind::Named { name, args } => {
                if inside && args.is_empty() && !known(&name.text) {
                    out.push(name);
                }
                args.iter().for_each(|a| self.free_type_names(a, true, out));
            }
            TypeExprKind::Array(e) | TypeExprKind::Set(e) | TypeExprKind::Future(e) | TypeExprKind::Channel(e) => self.free_type_names(e, true, out),
            TypeExprKind::Map(k, v) => {
                self.free_type_names(k, true, out);
                self.free_type_names(v, true, out);
            }
            TypeExprKind::Tuple(items) => items.iter().for_each(|i| self.free_type_names(i, true, out)),
            TypeExprKind::TraitObject(_) | TypeExprKind::Function { .. } => {}
        }
    }

    fn impl_methods(&mut self, decl: &'a ast::ImplDecl, trait_id: TraitId, target: &Ty, type_params: &[typed::TypeParamDef]) -> Vec<FuncId> {
        let required = self.out.traits[trait_id.0 as usize].methods.clone();
        let mut ids = Vec::new();
        for method in &decl.methods {
            if !required.iter().any(|m| m.name == method.name.text) {
                let message = format!("`{}` is not a method of `{}`", method.name.text, decl.trait_name.text);
                self.error(TypeError::BadImpl { span: method.name.span, message, other: None });
            }
        }
        for wanted in &required {
            let Some(method) = decl.methods.iter().find(|m| m.name.text == wanted.name) else {
                let message = format!("missing method `{}` of `{}`", wanted.name, decl.trait_name.text);
                self.error(TypeError::BadImpl { span: decl.trait_name.span, message, other: None });
                continue;
            };
            let id = self.add_function_in(method, Some((trait_id, target.clone())), type_params);
            self.check_method_signature(id, wanted, target, method);
            ids.push(id);
        }
        ids
    }

    fn check_method_signature(&mut self, id: FuncId, wanted: &typed::TraitMethodDef, target: &Ty, method: &ast::Function) {
        let sig = self.sigs[id.0 as usize].clone();
        let mut expected = vec![target.clone()];
        expected.extend(wanted.params.iter().cloned());
        let ok = sig.params == expected && sig.ret == wanted.ret;
        if !ok {
            let show = |c: &Self, ps: &[Ty], r: &Ty| {
                let params: Vec<String> = ps.iter().map(|p| c.show(p)).collect();
                format!("({}) -> {}", params.join(", "), c.show(r))
            };
            let message = format!(
                "`{}` should have the signature {} (the first argument is `self`), but it has {}",
                wanted.name,
                show(self, &expected, &wanted.ret),
                show(self, &sig.params, &sig.ret)
            );
            self.error(TypeError::BadImpl { span: method.name.span, message, other: None });
        }
    }

    fn check_constants(&mut self) {
        for constant in &self.ast.constants {
            if self.constants.contains_key(&constant.name.text) {
                let first = self.ast.constants.iter().find(|c| c.name.text == constant.name.text).map_or(constant.name.span, |c| c.name.span);
                self.error(TypeError::Duplicate { what: "constant", name: constant.name.text.clone(), first, second: constant.name.span });
                continue;
            }
            let value = self.check_constant(constant);
            self.constants.insert(constant.name.text.clone(), value);
        }
    }

    // ----- Type expressions ---------------------------------------------------------------------

    /// Resolves a written type; `params` are the names of the type parameters in scope.
    pub(crate) fn resolve_type(&mut self, t: &ast::TypeExpr, params: &[String]) -> Ty {
        let resolve = |c: &mut Self, t: &ast::TypeExpr| Box::new(c.resolve_type(t, params));
        match &t.kind {
            TypeExprKind::Named { name, args } => self.resolve_named(name, args, params, t.span),
            TypeExprKind::Array(e) => Ty::Array(resolve(self, e)),
            TypeExprKind::Set(e) => Ty::Set(resolve(self, e)),
            TypeExprKind::Map(k, v) => Ty::Map(resolve(self, k), resolve(self, v)),
            TypeExprKind::Tuple(items) => Ty::Tuple(items.iter().map(|i| self.resolve_type(i, params)).collect()),
            TypeExprKind::Future(e) => Ty::Future(resolve(self, e)),
            TypeExprKind::Channel(e) => Ty::Channel(resolve(self, e)),
            TypeExprKind::TraitObject(name) => self.resolve_trait(name).map_or(Ty::Invalid, Ty::TraitObject),
            TypeExprKind::Function { params: ps, ret } => {
                Ty::Fn(ps.iter().map(|p| self.resolve_type(p, params)).collect(), resolve(self, ret))
            }
        }
    }

    fn resolve_named(&mut self, name: &ast::Name, args: &[ast::TypeExpr], params: &[String], span: Span) -> Ty {
        let mut resolved: Vec<Ty> = args.iter().map(|a| self.resolve_type(a, params)).collect();
        if let Some(i) = params.iter().position(|p| *p == name.text) {
            return self.no_args(Ty::Param(u32::try_from(i).unwrap_or(0)), name, args.len());
        }
        if let Some(t) = Ty::primitive(&name.text) {
            return self.no_args(t, name, args.len());
        }
        let special = match (name.text.as_str(), resolved.len()) {
            ("map", 2) => {
                let v = resolved.pop().unwrap_or(Ty::Invalid);
                let k = resolved.pop().unwrap_or(Ty::Invalid);
                Some(Ty::Map(Box::new(k), Box::new(v)))
            }
            ("set", 1) => resolved.pop().map(|e| Ty::Set(Box::new(e))),
            ("Future", 1) => resolved.pop().map(|e| Ty::Future(Box::new(e))),
            ("Channel", 1) => resolved.pop().map(|e| Ty::Channel(Box::new(e))),
            ("Posterior", 0) => Some(Ty::Posterior),
            _ => None,
        };
        if let Some(t) = special {
            return t;
        }
        match self.type_names.get(&name.text).copied() {
            Some(TypeName::Adt(id)) => {
                let expected = self.out.adt(id).params.len();
                if expected != resolved.len() {
                    self.error(TypeError::TypeArgCount { span, name: name.text.clone(), expected, found: resolved.len() });
                    return Ty::Invalid;
                }
                Ty::Adt(id, resolved)
            }
            Some(TypeName::Alias(index)) => {
                let ty = self.resolve_alias(index, name);
                self.no_args(ty, name, args.len())
            }
            None => {
                let mut candidates: Vec<&str> = self.type_names.keys().map(String::as_str).collect();
                candidates.extend(["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "bool", "str", "void"]);
                candidates.extend(params.iter().map(String::as_str));
                let suggestion = did_you_mean(&name.text, candidates);
                self.error(TypeError::UnknownType { span: name.span, name: name.text.clone(), suggestion });
                Ty::Invalid
            }
        }
    }

    fn no_args(&mut self, ty: Ty, name: &ast::Name, found: usize) -> Ty {
        if found > 0 {
            self.error(TypeError::TypeArgCount { span: name.span, name: name.text.clone(), expected: 0, found });
            return Ty::Invalid;
        }
        ty
    }

    fn resolve_alias(&mut self, index: usize, name: &ast::Name) -> Ty {
        let (target, cached, in_progress) = self.aliases[index].clone();
        if let Some(t) = cached {
            return t;
        }
        if in_progress {
            self.error(TypeError::RecursiveAlias { span: name.span, name: name.text.clone() });
            return Ty::Invalid;
        }
        self.aliases[index].2 = true;
        let ty = self.resolve_type(&target, &[]);
        self.aliases[index] = (target, Some(ty.clone()), false);
        ty
    }

    /// The ADT for an anonymous struct literal with these field names (sorted), made on demand.
    /// Its fields are generic, so literals with the same names but other types share it.
    pub(crate) fn anon_record(&mut self, names: &[String]) -> AdtId {
        let mut key = names.to_vec();
        key.sort();
        if let Some(id) = self.anon_records.get(&key) {
            return *id;
        }
        let params: Vec<String> = key.iter().map(|n| format!("T_{n}")).collect();
        let fields = key
            .iter()
            .enumerate()
            .map(|(i, n)| FieldDef { name: n.clone(), ty: Ty::Param(u32::try_from(i).unwrap_or(0)) })
            .collect();
        let name = format!("{{{}}}", key.join(", "));
        let id = AdtId(u32::try_from(self.out.adts.len()).unwrap_or(u32::MAX));
        self.out.adts.push(AdtDef { name, params, kind: AdtKind::Record { fields }, builtin: None, is_error: false, span: Span::default() });
        self.anon_records.insert(key, id);
        id
    }

    pub(crate) fn adt_by_name(&self, name: &str) -> Option<AdtId> {
        match self.type_names.get(name)? {
            TypeName::Adt(id) => Some(*id),
            TypeName::Alias(_) => None,
        }
    }

    pub(crate) fn adt_names(&self) -> Vec<&str> {
        self.type_names.keys().map(String::as_str).collect()
    }

    pub(crate) fn sig(&self, id: FuncId) -> &FnSig {
        &self.sigs[id.0 as usize]
    }

    pub(crate) fn function_named(&self, name: &str) -> Option<FuncId> {
        self.fn_names.get(name).copied()
    }

    pub(crate) fn extern_named(&self, name: &str) -> Option<typed::ExternId> {
        self.extern_names.get(name).copied()
    }

    pub(crate) fn constant_named(&self, name: &str) -> Option<typed::Expr> {
        self.constants.get(name).cloned()
    }

    pub(crate) fn function_names(&self) -> Vec<String> {
        self.fn_names.keys().cloned().collect()
    }

    /// The implementation of a trait for a concrete type, if one exists.
    pub(crate) fn find_impl(&self, trait_id: TraitId, ty: &Ty) -> Option<usize> {
        self.out.impls.iter().position(|i| i.trait_id == trait_id && i.instance_for(ty).is_some())
    }
}

/// A type expression as the user wrote it, for messages (`Stack<T>`, `[T]`).
fn type_expr_text(t: &ast::TypeExpr) -> String {
    let list = |items: &[ast::TypeExpr]| items.iter().map(type_expr_text).collect::<Vec<_>>().join(", ");
    match &t.kind {
        TypeExprKind::Named { name, args } if args.is_empty() => name.text.clone(),
        TypeExprKind::Named { name, args } => format!("{}<{}>", name.text, list(args)),
        TypeExprKind::Array(e) => format!("[{}]", type_expr_text(e)),
        TypeExprKind::Set(e) => format!("set<{}>", type_expr_text(e)),
        TypeExprKind::Future(e) => format!("Future<{}>", type_expr_text(e)),
        TypeExprKind::Channel(e) => format!("Channel<{}>", type_expr_text(e)),
        TypeExprKind::Map(k, v) => format!("map<{}, {}>", type_expr_text(k), type_expr_text(v)),
        TypeExprKind::Tuple(items) => format!("({})", list(items)),
        TypeExprKind::TraitObject(name) => format!("dyn {}", name.text),
        TypeExprKind::Function { params, ret } => format!("fn({}) -> {}", list(params), type_expr_text(ret)),
    }
}
