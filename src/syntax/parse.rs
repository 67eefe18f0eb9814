//! Turns the JSON tree of a SIRS file into the AST (`crate::ast`).
//!
//! Reading never stops at the first problem: each object is read with an [`Obj`] that records
//! which keys were used, so unknown keys are reported (with a did-you-mean) after the known
//! ones have been read, and a broken statement is dropped while its neighbours are still read.
//! The accepted shapes are those of `docs/language.md` and `docs/sirs.schema.json`.

use super::error::{NodeKind, NodeProblem, ParseError};
use super::json::{Json, JsonKind, Member};
use crate::ast::*;
use crate::diagnostic::did_you_mean;
use crate::span::Span;
use super::type_string::{TypeProblem, TypeReader, span_within_string};

mod graphical;
mod hierarchical;
mod mixture;

pub const STATEMENT_KEYS: &[&str] = &[
    "let", "assign", "if", "while", "for", "match", "return", "break", "continue", "expression", "try", "throw",
    "observe", "factor", "prob_assert", "comment", "hierarchical", "model",
];

pub const EXPRESSION_KEYS: &[&str] = &[
    "literal", "var", "op", "call", "method", "field", "index", "array", "struct", "record", "update", "enum",
    "tuple", "hashmap", "map", "set", "cast", "sample", "infer", "await", "propagate", "cond", "error", "lpdf",
    "mixture",
];

const PROGRAM_KEYS: &[&str] = &["entry", "functions", "types", "constants", "interfaces", "trait_impls", "externs", "distributions"];

/// Reads a whole program. Problems are returned alongside whatever could be read.
pub fn program(root: &Json) -> (Program, Vec<ParseError>) {
    let mut p = Parser { errors: Vec::new() };
    let program = p.root(root).unwrap_or_default();
    (program, p.errors)
}

struct Parser {
    errors: Vec<ParseError>,
}

/// A JSON object being read: remembers which keys were used so the rest can be reported.
struct Obj<'a> {
    span: Span,
    members: &'a [Member],
    used: Vec<bool>,
    context: String,
}

impl<'a> Obj<'a> {
    fn get(&mut self, key: &str) -> Option<&'a Json> {
        let i = self.members.iter().position(|m| m.key == key)?;
        self.used[i] = true;
        Some(&self.members[i].value)
    }

    fn has(&self, key: &str) -> bool {
        self.members.iter().any(|m| m.key == key)
    }
}

impl Parser {
    fn error(&mut self, e: ParseError) {
        self.errors.push(e);
    }

    // ----- Object helpers -------------------------------------------------------------------

    fn obj<'a>(&mut self, json: &'a Json, context: impl Into<String>) -> Option<Obj<'a>> {
        let context = context.into();
        match &json.kind {
            JsonKind::Object(members) => Some(Obj { span: json.span, members, used: vec![false; members.len()], context }),
            _ => {
                self.wrong_type(json, &context, "an object");
                None
            }
        }
    }

    /// Reports the keys of `obj` that were never read.
    fn finish(&mut self, obj: Obj<'_>, allowed: &[&'static str]) {
        for (i, (member, used)) in obj.members.iter().zip(&obj.used).enumerate() {
            // A repeated key was reported by the JSON reader (E0002); it is not also unknown.
            if !used && !obj.members[..i].iter().any(|m| m.key == member.key) {
                self.error(ParseError::UnknownKey {
                    key: member.key.clone(),
                    span: member.key_span,
                    context: obj.context.clone(),
                    suggestion: did_you_mean(&member.key, allowed.iter().copied()),
                    allowed: allowed.to_vec(),
                });
            }
        }
    }

    fn required<'a>(&mut self, obj: &mut Obj<'a>, key: &'static str) -> Option<&'a Json> {
        let value = obj.get(key);
        if value.is_none() {
            self.error(ParseError::MissingKey { key, span: obj.span, context: obj.context.clone() });
        }
        value
    }

    fn wrong_type(&mut self, json: &Json, context: &str, expected: &str) {
        self.error(ParseError::WrongJsonType {
            span: json.span,
            context: context.to_string(),
            expected: expected.to_string(),
            found: json.type_name(),
        });
    }

    fn string(&mut self, json: &Json, context: &str) -> Option<String> {
        match json.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.wrong_type(json, context, "a string");
                None
            }
        }
    }

    fn bool_value(&mut self, json: &Json, context: &str) -> Option<bool> {
        match json.kind {
            JsonKind::Bool(b) => Some(b),
            _ => {
                self.wrong_type(json, context, "true or false");
                None
            }
        }
    }

    fn array<'a>(&mut self, json: &'a Json, context: &str) -> Option<&'a [Json]> {
        match json.as_array() {
            Some(items) => Some(items),
            None => {
                self.wrong_type(json, context, "an array");
                None
            }
        }
    }

    fn name(&mut self, json: &Json, what: &'static str) -> Option<Name> {
        let text = self.string(json, &format!("a {what} name"))?;
        if !is_identifier(&text) {
            self.error(ParseError::BadIdentifier { span: json.span, name: text, what });
            return None;
        }
        Some(Name::new(text, json.span))
    }

    fn key_name(&mut self, member: &Member, what: &'static str) -> Option<Name> {
        if !is_identifier(&member.key) {
            self.error(ParseError::BadIdentifier { span: member.key_span, name: member.key.clone(), what });
            return None;
        }
        Some(Name::new(member.key.clone(), member.key_span))
    }

    fn required_name(&mut self, obj: &mut Obj<'_>, key: &'static str, what: &'static str) -> Option<Name> {
        let json = self.required(obj, key)?;
        self.name(json, what)
    }

    fn optional_bool(&mut self, obj: &mut Obj<'_>, key: &'static str) -> bool {
        match obj.get(key) {
            Some(json) => self.bool_value(json, &format!("`{key}`")).unwrap_or(false),
            None => false,
        }
    }

    // ----- Program ----------------------------------------------------------------------------

    fn root(&mut self, root: &Json) -> Option<Program> {
        let mut obj = self.obj(root, "the top level")?;
        let program_json = self.required(&mut obj, "program");
        obj.get("$schema");
        self.finish(obj, &["program", "$schema"]);
        self.program(program_json?)
    }

    fn program(&mut self, json: &Json) -> Option<Program> {
        let mut obj = self.obj(json, "`program`")?;
        let mut program = Program { span: json.span, ..Program::default() };
        if let Some(entry) = obj.get("entry") {
            program.entry = self.name(entry, "entry function");
        }
        if let Some(types) = obj.get("types") {
            program.types = self.named_members(types, "`types`", "type", Self::type_decl);
        }
        if let Some(constants) = obj.get("constants") {
            program.constants = self.named_members(constants, "`constants`", "constant", Self::constant);
        }
        program.functions_key = obj.members.iter().find(|m| m.key == "functions").map(|m| m.key_span);
        if let Some(functions) = obj.get("functions") {
            program.functions = self.named_members(functions, "`functions`", "function", Self::function);
        }
        if let Some(interfaces) = obj.get("interfaces") {
            program.traits = self.named_members(interfaces, "`interfaces`", "trait", Self::trait_decl);
        }
        if let Some(impls) = obj.get("trait_impls") {
            program.impls = self.list(impls, "`trait_impls`", Self::impl_decl);
        }
        if let Some(externs) = obj.get("externs") {
            program.externs = self.named_members(externs, "`externs`", "extern function", Self::extern_fn);
        }
        if let Some(distributions) = obj.get("distributions") {
            program.distributions = self.named_members(distributions, "`distributions`", "distribution", Self::dist_decl);
        }
        if !obj.has("functions") {
            self.error(ParseError::MissingKey { key: "functions", span: obj.span, context: "`program`".into() });
        }
        self.finish(obj, PROGRAM_KEYS);
        Some(program)
    }

    /// Reads an object whose keys are names and whose values are definitions.
    fn named_members<T>(
        &mut self,
        json: &Json,
        context: &str,
        what: &'static str,
        read: fn(&mut Self, Name, &Json) -> Option<T>,
    ) -> Vec<T> {
        let Some(members) = json.as_object() else {
            self.wrong_type(json, context, "an object mapping names to definitions");
            return Vec::new();
        };
        members
            .iter()
            .filter_map(|m| {
                let name = self.key_name(m, what)?;
                read(self, name, &m.value)
            })
            .collect()
    }

    fn list<T>(&mut self, json: &Json, context: &str, read: fn(&mut Self, &Json) -> Option<T>) -> Vec<T> {
        let Some(items) = self.array(json, context) else { return Vec::new() };
        items.iter().filter_map(|item| read(self, item)).collect()
    }

    fn constant(&mut self, name: Name, json: &Json) -> Option<Constant> {
        let mut obj = self.obj(json, format!("constant `{}`", name.text))?;
        let ty = obj.get("type").and_then(|t| self.type_expr(t));
        let value = self.required(&mut obj, "value").and_then(|v| self.expr(v));
        self.finish(obj, &["type", "value"]);
        Some(Constant { name, ty, value: value?, span: json.span })
    }

    fn function(&mut self, name: Name, json: &Json) -> Option<Function> {
        let context = format!("function `{}`", name.text);
        let mut obj = self.obj(json, context.clone())?;
        let params = match obj.get("args") {
            Some(args) => self.list(args, &format!("the arguments of {context}"), Self::param),
            None => Vec::new(),
        };
        let ret = obj.get("return").and_then(|r| self.type_expr(r));
        let body = self.required(&mut obj, "body").map(|b| self.block(b)).unwrap_or_default();
        let type_params = obj.get("type_params").map(|t| self.type_params(t)).unwrap_or_default();
        let is_async = self.optional_bool(&mut obj, "async");
        let _inline_hint = self.optional_bool(&mut obj, "inline");
        let _pure_hint = self.optional_bool(&mut obj, "pure");
        let doc = obj.get("doc").and_then(|d| self.string(d, "`doc`"));
        self.finish(obj, &["args", "return", "body", "type_params", "async", "inline", "pure", "doc"]);
        self.check_duplicate_params(&params);
        Some(Function { name, type_params, params, ret, body, is_async, doc, span: json.span })
    }

    fn check_duplicate_params(&mut self, params: &[Param]) {
        for (i, p) in params.iter().enumerate() {
            if let Some(first) = params[..i].iter().find(|q| q.name.text == p.name.text) {
                self.error(ParseError::Duplicate {
                    what: "parameter",
                    name: p.name.text.clone(),
                    first: first.name.span,
                    second: p.name.span,
                });
            }
        }
    }

    fn param(&mut self, json: &Json) -> Option<Param> {
        let mut obj = self.obj(json, "a function argument")?;
        let name = self.required_name(&mut obj, "name", "parameter");
        let ty = self.required(&mut obj, "type").and_then(|t| self.type_expr(t));
        self.finish(obj, &["name", "type"]);
        Some(Param { name: name?, ty: ty? })
    }

    fn type_params(&mut self, json: &Json) -> Vec<TypeParam> {
        self.list(json, "`type_params`", |p, item| match &item.kind {
            JsonKind::Str(_) => Some(TypeParam { name: p.name(item, "type parameter")?, bounds: Vec::new() }),
            _ => {
                let mut obj = p.obj(item, "a type parameter")?;
                let name = p.required_name(&mut obj, "name", "type parameter");
                let bounds = match obj.get("bounds") {
                    Some(b) => p.list(b, "`bounds`", |p, n| p.name(n, "trait")),
                    None => Vec::new(),
                };
                p.finish(obj, &["name", "bounds"]);
                Some(TypeParam { name: name?, bounds })
            }
        })
    }

    fn trait_decl(&mut self, name: Name, json: &Json) -> Option<TraitDecl> {
        let mut obj = self.obj(json, format!("trait `{}`", name.text))?;
        self.inner_name(&mut obj, &name);
        let methods = match self.required(&mut obj, "methods") {
            Some(m) => self.named_members(m, "`methods`", "method", Self::trait_method),
            None => Vec::new(),
        };
        let type_params = obj.get("type_params").map(|t| self.type_params(t)).unwrap_or_default();
        let doc = self.doc(&mut obj);
        self.finish(obj, &["name", "methods", "type_params", "doc"]);
        Some(TraitDecl { name, type_params, methods, doc, span: json.span })
    }

    fn trait_method(&mut self, name: Name, json: &Json) -> Option<TraitMethod> {
        let mut obj = self.obj(json, format!("trait method `{}`", name.text))?;
        let params = match obj.get("args") {
            Some(args) => self.list(args, "`args`", |p, t| p.type_expr(t)),
            None => Vec::new(),
        };
        let ret = obj.get("return").and_then(|r| self.type_expr(r));
        let doc = self.doc(&mut obj);
        self.finish(obj, &["args", "return", "doc"]);
        Some(TraitMethod { name, params, ret, doc, span: json.span })
    }

    fn impl_decl(&mut self, json: &Json) -> Option<ImplDecl> {
        let mut obj = self.obj(json, "a trait implementation")?;
        let trait_name = self.required_name(&mut obj, "trait_name", "trait");
        let target = self.required(&mut obj, "target_type").and_then(|t| self.type_expr(t));
        let methods = match self.required(&mut obj, "methods") {
            Some(m) => self.named_members(m, "`methods`", "method", Self::function),
            None => Vec::new(),
        };
        let type_args = obj.get("type_args").map(|t| self.list(t, "`type_args`", Self::type_expr)).unwrap_or_default();
        let doc = self.doc(&mut obj);
        self.finish(obj, &["trait_name", "target_type", "methods", "type_args", "doc"]);
        Some(ImplDecl { trait_name: trait_name?, type_args, target: target?, methods, doc, span: json.span })
    }

    fn extern_fn(&mut self, name: Name, json: &Json) -> Option<ExternFn> {
        let mut obj = self.obj(json, format!("extern function `{}`", name.text))?;
        let library = self.required_name(&mut obj, "library", "library");
        let params = match obj.get("args") {
            Some(args) => self.list(args, "`args`", Self::param),
            None => Vec::new(),
        };
        let ret = obj.get("return").and_then(|r| self.type_expr(r));
        self.finish(obj, &["library", "args", "return"]);
        Some(ExternFn { name, library: library?, params, ret, span: json.span })
    }

    // ----- Type declarations ------------------------------------------------------------------

    fn type_decl(&mut self, name: Name, json: &Json) -> Option<TypeDecl> {
        let (key, body) = self.single_key(json, &format!("type `{}`", name.text), TYPE_DECL_KEYS)?;
        let context = format!("type `{}`", name.text);
        if key == "generic_def" {
            return self.generic_def(name, body, json.span);
        }
        if key == "alias" {
            let ty = self.type_expr(body)?;
            return Some(TypeDecl { name, params: Vec::new(), kind: TypeDeclKind::Alias(ty), doc: None, span: json.span });
        }
        let mut obj = self.obj(body, context)?;
        self.inner_name(&mut obj, &name);
        let params = obj.get("type_params").map(|t| self.type_params(t)).unwrap_or_default();
        let doc = self.doc(&mut obj);
        let kind = match key {
            "enum" => {
                let variants = self.required(&mut obj, "variants").map(|v| self.variants(v)).unwrap_or_default();
                self.finish(obj, &["name", "variants", "type_params", "doc"]);
                TypeDeclKind::Enum { variants }
            }
            "discriminated_union" => {
                let variants = self.required(&mut obj, "variants").map(|v| self.union_variants(v)).unwrap_or_default();
                self.finish(obj, &["name", "variants", "type_params", "doc"]);
                TypeDeclKind::Enum { variants }
            }
            "error" => {
                let message = obj.get("message_type").and_then(|t| self.type_expr(t));
                self.finish(obj, &["name", "message_type", "doc"]);
                TypeDeclKind::Error { message }
            }
            _ => {
                let fields = self.required(&mut obj, "fields").map(|f| self.field_decls(f)).unwrap_or_default();
                self.finish(obj, &["name", "fields", "type_params", "doc"]);
                TypeDeclKind::Record { fields }
            }
        };
        Some(TypeDecl { name, params, kind, doc, span: json.span })
    }

    fn generic_def(&mut self, name: Name, body: &Json, span: Span) -> Option<TypeDecl> {
        let mut obj = self.obj(body, "`generic_def`")?;
        self.inner_name(&mut obj, &name);
        let params = self.required(&mut obj, "params").map(|p| self.type_params(p)).unwrap_or_default();
        let definition = self.required(&mut obj, "definition");
        let doc = self.doc(&mut obj);
        self.finish(obj, &["name", "params", "definition", "doc"]);
        let mut decl = self.type_decl(name, definition?)?;
        decl.params = params;
        decl.doc = doc.or(decl.doc);
        decl.span = span;
        Some(decl)
    }

    /// The optional `doc` string of a declaration.
    fn doc(&mut self, obj: &mut Obj<'_>) -> Option<String> {
        obj.get("doc").and_then(|d| self.string(d, "`doc`"))
    }

    fn inner_name(&mut self, obj: &mut Obj<'_>, key: &Name) {
        let Some(inner) = obj.get("name") else { return };
        let Some(text) = self.string(inner, "`name`") else { return };
        if text != key.text {
            self.error(ParseError::NameMismatch { span: inner.span, inner: text, key: key.text.clone() });
        }
    }

    fn variants(&mut self, json: &Json) -> Vec<VariantDecl> {
        if let Some(items) = json.as_array() {
            return items.iter().filter_map(|item| Some(VariantDecl { name: self.name(item, "variant")?, payload: None })).collect();
        }
        let Some(members) = json.as_object() else {
            self.wrong_type(json, "`variants`", "an object mapping variant names to payload types (or null)");
            return Vec::new();
        };
        let mut variants: Vec<VariantDecl> = Vec::new();
        for m in members {
            let Some(name) = self.key_name(m, "variant") else { continue };
            let payload = match m.value.kind {
                JsonKind::Null => None,
                _ => match self.type_expr(&m.value) {
                    Some(t) => Some(t),
                    None => continue,
                },
            };
            variants.push(VariantDecl { name, payload });
        }
        variants
    }

    fn union_variants(&mut self, json: &Json) -> Vec<VariantDecl> {
        let Some(items) = self.array(json, "`variants`") else { return Vec::new() };
        items
            .iter()
            .filter_map(|item| {
                let ty = self.type_expr(item)?;
                let label = match &ty.kind {
                    TypeExprKind::Named { name, args } if args.is_empty() => name.text.clone(),
                    _ => {
                        self.error(ParseError::BadType {
                            span: item.span,
                            message: "a discriminated union lists named types".into(),
                            suggestion: None,
                        });
                        return None;
                    }
                };
                Some(VariantDecl { name: Name::new(label, item.span), payload: Some(ty) })
            })
            .collect()
    }

    fn field_decls(&mut self, json: &Json) -> Vec<FieldDecl> {
        let Some(members) = json.as_object() else {
            self.wrong_type(json, "`fields`", "an object mapping field names to types");
            return Vec::new();
        };
        members
            .iter()
            .filter_map(|m| Some(FieldDecl { name: self.key_name(m, "field")?, ty: self.type_expr(&m.value)? }))
            .collect()
    }

    // ----- Type expressions -------------------------------------------------------------------

    fn type_expr(&mut self, json: &Json) -> Option<TypeExpr> {
        match &json.kind {
            JsonKind::Str(s) => self.type_string(s, json.span),
            JsonKind::Object(_) => self.type_object(json),
            _ => {
                self.wrong_type(json, "a type", "a type name or a type object");
                None
            }
        }
    }

    fn type_object(&mut self, json: &Json) -> Option<TypeExpr> {
        let (key, body) = self.single_key(json, "a type", TYPE_KEYS)?;
        let span = json.span;
        let boxed = |p: &mut Self, j: &Json| p.type_expr(j).map(Box::new);
        let kind = match key {
            "array" | "list" | "slice" | "vector" => TypeExprKind::Array(boxed(self, body)?),
            "set" => {
                let element = match body.as_object() {
                    Some(_) => {
                        let mut obj = self.obj(body, "`set`")?;
                        let e = self.required(&mut obj, "element");
                        self.finish(obj, &["element"]);
                        e?
                    }
                    None => body,
                };
                TypeExprKind::Set(boxed(self, element)?)
            }
            "map" | "hashmap" => {
                let mut obj = self.obj(body, format!("`{key}`"))?;
                let k = self.required(&mut obj, "key").and_then(|k| self.type_expr(k));
                let v = self.required(&mut obj, "value").and_then(|v| self.type_expr(v));
                self.finish(obj, &["key", "value"]);
                TypeExprKind::Map(Box::new(k?), Box::new(v?))
            }
            "tuple" => {
                let items = self.array(body, "`tuple`")?;
                TypeExprKind::Tuple(items.iter().filter_map(|t| self.type_expr(t)).collect())
            }
            "generic" => {
                let mut obj = self.obj(body, "`generic`")?;
                let name = self.required_name(&mut obj, "type", "type");
                let args = match self.required(&mut obj, "args") {
                    Some(a) => self.list(a, "`args`", Self::type_expr),
                    None => Vec::new(),
                };
                self.finish(obj, &["type", "args"]);
                TypeExprKind::Named { name: name?, args }
            }
            "option" | "optional" => TypeExprKind::Named { name: Name::new("Option", span), args: vec![self.type_expr(body)?] },
            "result" => {
                let mut obj = self.obj(body, "`result`")?;
                let ok = self.required(&mut obj, "ok_type").and_then(|t| self.type_expr(t));
                let err = self.required(&mut obj, "err_type").and_then(|t| self.type_expr(t));
                self.finish(obj, &["ok_type", "err_type"]);
                TypeExprKind::Named { name: Name::new("Result", span), args: vec![ok?, err?] }
            }
            "future" => TypeExprKind::Future(boxed(self, body)?),
            "channel" => TypeExprKind::Channel(boxed(self, body)?),
            "trait" => {
                let name = match body.as_object() {
                    Some(_) => {
                        let mut obj = self.obj(body, "`trait`")?;
                        let n = self.required_name(&mut obj, "name", "trait");
                        obj.get("args");
                        self.finish(obj, &["name", "args"]);
                        n?
                    }
                    None => self.name(body, "trait")?,
                };
                TypeExprKind::TraitObject(name)
            }
            _ => {
                let mut obj = self.obj(body, "`function`")?;
                let params = match obj.get("args") {
                    Some(a) => self.list(a, "`args`", Self::type_expr),
                    None => Vec::new(),
                };
                let ret = match obj.get("return") {
                    Some(r) => self.type_expr(r)?,
                    None => TypeExpr { kind: TypeExprKind::Named { name: Name::new("void", span), args: vec![] }, span },
                };
                self.finish(obj, &["args", "return"]);
                TypeExprKind::Function { params, ret: Box::new(ret) }
            }
        };
        Some(TypeExpr { kind, span })
    }

    /// Parses the type mini-language inside strings: `i32`, `Point`, `Pair<A, B>`, `[T]`, `(A, B)`.
    /// Nesting is limited to `type_string::MAX_TYPE_DEPTH` levels, so no later phase walks an unbounded type.
    fn type_string(&mut self, text: &str, span: Span) -> Option<TypeExpr> {
        let mut reader = TypeReader { text, pos: 0, span, depth: 0 };
        let parsed = reader.parse().and_then(|t| {
            reader.skip_space();
            if reader.pos < text.len() { Err(format!("unexpected `{}` in type", &text[reader.pos..]).into()) } else { Ok(t) }
        });
        match parsed {
            Ok(t) => Some(t),
            Err(TypeProblem::Malformed(message)) => {
                self.error(ParseError::BadType { span, message, suggestion: None });
                None
            }
            Err(TypeProblem::TooDeep { at }) => {
                self.error(ParseError::TypeTooDeep { span: span_within_string(span, text, at) });
                None
            }
        }
    }

    // ----- Statements -------------------------------------------------------------------------

    fn block(&mut self, json: &Json) -> Vec<Stmt> {
        let Some(items) = self.array(json, "a block of statements") else { return Vec::new() };
        items.iter().filter_map(|item| self.stmt(item)).collect()
    }

    fn stmt(&mut self, json: &Json) -> Option<Stmt> {
        let (key, body) = self.node_key(json, NodeKind::Statement, STATEMENT_KEYS)?;
        let span = json.span;
        let kind = match key {
            "let" => self.let_stmt(body)?,
            "assign" => {
                let mut obj = self.obj(body, "`assign`")?;
                let target = self.required(&mut obj, "target").and_then(|t| self.lvalue(t));
                let value = self.required(&mut obj, "value").and_then(|v| self.expr(v));
                self.finish(obj, &["target", "value"]);
                StmtKind::Assign { target: target?, value: value? }
            }
            "if" => {
                let mut obj = self.obj(body, "`if`")?;
                let cond = self.required(&mut obj, "condition").and_then(|c| self.expr(c));
                let then_body = self.required(&mut obj, "then").map(|b| self.block(b)).unwrap_or_default();
                let else_body = obj.get("else").map(|b| self.block(b));
                self.finish(obj, &["condition", "then", "else"]);
                StmtKind::If { cond: cond?, then_body, else_body }
            }
            "while" => {
                let mut obj = self.obj(body, "`while`")?;
                let cond = self.required(&mut obj, "condition").and_then(|c| self.expr(c));
                let body_stmts = self.required(&mut obj, "body").map(|b| self.block(b)).unwrap_or_default();
                self.finish(obj, &["condition", "body"]);
                StmtKind::While { cond: cond?, body: body_stmts }
            }
            "for" => self.for_stmt(body)?,
            "match" => self.match_stmt(body)?,
            "return" => match body.kind {
                JsonKind::Null => StmtKind::Return(None),
                _ => StmtKind::Return(Some(self.expr(body)?)),
            },
            "break" => StmtKind::Break,
            "continue" => StmtKind::Continue,
            "expression" => StmtKind::Expr(self.expr(body)?),
            "try" => self.try_stmt(body)?,
            "throw" => StmtKind::Throw(self.expr(body)?),
            "observe" => {
                let mut obj = self.obj(body, "`observe`")?;
                let dist = self.dist_expr(&mut obj);
                let value = self.required(&mut obj, "value").and_then(|v| self.expr(v));
                self.finish(obj, &["distribution", "params", "weights", "components", "value"]);
                StmtKind::Observe { dist: dist?, value: value? }
            }
            "factor" => StmtKind::Factor(self.expr(body)?),
            "prob_assert" => {
                let mut obj = self.obj(body, "`prob_assert`")?;
                let cond = self.required(&mut obj, "condition").and_then(|c| self.expr(c));
                let confidence = self.required(&mut obj, "confidence").and_then(|c| self.number(c, "`confidence`"));
                let confidence_span = obj.members.iter().find(|m| m.key == "confidence").map_or(span, |m| m.value.span);
                self.finish(obj, &["condition", "confidence"]);
                StmtKind::ProbAssert { cond: cond?, confidence: confidence?, confidence_span }
            }
            "hierarchical" => StmtKind::Hierarchical(Box::new(self.hierarchical(body)?)),
            "model" => StmtKind::Graphical(Box::new(self.graphical(body)?)),
            _ => {
                self.string(body, "`comment`")?;
                StmtKind::Comment
            }
        };
        Some(Stmt { kind, span })
    }

    fn number(&mut self, json: &Json, context: &str) -> Option<f64> {
        match &json.kind {
            JsonKind::Number(text) => {
                let value = text.parse::<f64>().ok().filter(|f| f.is_finite());
                if value.is_none() {
                    self.error(ParseError::NumberRange { span: json.span, text: text.clone() });
                }
                value
            }
            _ => {
                self.wrong_type(json, context, "a number");
                None
            }
        }
    }

    fn let_stmt(&mut self, body: &Json) -> Option<StmtKind> {
        let mut obj = self.obj(body, "`let`")?;
        if obj.has("pattern") {
            let pattern = self.required(&mut obj, "pattern").and_then(|p| self.pattern(p));
            let value = self.required(&mut obj, "value").and_then(|v| self.expr(v));
            self.finish(obj, &["pattern", "value"]);
            return Some(StmtKind::LetPattern { pattern: pattern?, value: value? });
        }
        let name = self.required_name(&mut obj, "name", "variable");
        let ty = obj.get("type").and_then(|t| self.type_expr(t));
        let value = self.required(&mut obj, "value").and_then(|v| self.expr(v));
        let mutable = self.optional_bool(&mut obj, "mutable");
        let output = self.optional_bool(&mut obj, "output");
        self.finish(obj, &["name", "value", "type", "mutable", "output", "pattern"]);
        Some(StmtKind::Let { name: name?, ty, value: value?, mutable, output })
    }

    fn for_stmt(&mut self, body: &Json) -> Option<StmtKind> {
        let mut obj = self.obj(body, "`for`")?;
        let binding = match (obj.get("variable"), obj.get("pattern")) {
            (Some(v), None) => self.name(v, "variable").map(|n| Pattern { span: n.span, kind: PatternKind::Bind(n) }),
            (None, Some(p)) => self.pattern(p),
            (Some(_), Some(p)) => {
                self.error(ParseError::BadPattern { span: p.span, message: "give either `variable` or `pattern`, not both".into() });
                None
            }
            (None, None) => {
                self.error(ParseError::MissingKey { key: "variable", span: obj.span, context: "`for`".into() });
                None
            }
        };
        let iterable = self.required(&mut obj, "iterable").and_then(|i| self.iterable(i));
        let stmts = self.required(&mut obj, "body").map(|b| self.block(b)).unwrap_or_default();
        self.finish(obj, &["variable", "pattern", "iterable", "body"]);
        Some(StmtKind::For { binding: binding?, iterable: iterable?, body: stmts })
    }

    fn iterable(&mut self, json: &Json) -> Option<Iterable> {
        let range = json.as_object().filter(|m| m.len() == 1 && m[0].key == "range").map(|m| &m[0].value);
        let Some(range) = range else { return self.expr(json).map(Iterable::Expr) };
        let mut obj = self.obj(range, "`range`")?;
        let start = self.required(&mut obj, "start").and_then(|e| self.expr(e));
        let end = self.required(&mut obj, "end").and_then(|e| self.expr(e));
        let step = obj.get("step").and_then(|e| self.expr(e));
        let inclusive = self.optional_bool(&mut obj, "inclusive");
        self.finish(obj, &["start", "end", "step", "inclusive"]);
        Some(Iterable::Range { start: start?, end: end?, step, inclusive, span: json.span })
    }

    fn match_stmt(&mut self, body: &Json) -> Option<StmtKind> {
        let mut obj = self.obj(body, "`match`")?;
        let value = self.required(&mut obj, "value").and_then(|v| self.expr(v));
        let cases = match self.required(&mut obj, "cases") {
            Some(c) => self.list(c, "`cases`", Self::match_case),
            None => Vec::new(),
        };
        self.finish(obj, &["value", "cases"]);
        Some(StmtKind::Match { value: value?, cases })
    }

    fn match_case(&mut self, json: &Json) -> Option<MatchCase> {
        let mut obj = self.obj(json, "a match case")?;
        let pattern = self.required(&mut obj, "pattern").and_then(|p| self.pattern(p));
        let guard = obj.get("guard").and_then(|g| self.expr(g));
        let body = self.required(&mut obj, "body").map(|b| self.block(b)).unwrap_or_default();
        self.finish(obj, &["pattern", "guard", "body"]);
        Some(MatchCase { pattern: pattern?, guard, body, span: json.span })
    }

    fn try_stmt(&mut self, body: &Json) -> Option<StmtKind> {
        let mut obj = self.obj(body, "`try`")?;
        let stmts = self.required(&mut obj, "body").map(|b| self.block(b)).unwrap_or_default();
        let catches = match obj.get("catch") {
            Some(c) if c.as_array().is_some() => self.list(c, "`catch`", Self::catch_clause),
            Some(c) => self.catch_clause(c).into_iter().collect(),
            None => Vec::new(),
        };
        let finally = obj.get("finally").map(|f| self.block(f));
        self.finish(obj, &["body", "catch", "finally"]);
        Some(StmtKind::Try { body: stmts, catches, finally })
    }

    fn catch_clause(&mut self, json: &Json) -> Option<Catch> {
        let mut obj = self.obj(json, "a catch clause")?;
        let error_type = obj.get("type").and_then(|t| self.name(t, "error type"));
        let variable = obj.get("variable").and_then(|v| self.name(v, "variable"));
        let body = self.required(&mut obj, "body").map(|b| self.block(b)).unwrap_or_default();
        self.finish(obj, &["type", "variable", "body"]);
        Some(Catch { error_type, variable, body, span: json.span })
    }

    fn lvalue(&mut self, json: &Json) -> Option<LValue> {
        if let JsonKind::Str(_) = json.kind {
            let name = self.name(json, "variable")?;
            return Some(LValue { kind: LValueKind::Var(name), span: json.span });
        }
        let Some((key, body)) = json.as_object().filter(|m| m.len() == 1).map(|m| (m[0].key.as_str(), &m[0].value)) else {
            self.error(ParseError::BadAssignTarget { span: json.span, found: json.type_name().to_string() });
            return None;
        };
        let kind = match key {
            "var" => LValueKind::Var(self.name(body, "variable")?),
            "field" => {
                let mut obj = self.obj(body, "`field`")?;
                let base = self.required(&mut obj, "object").and_then(|o| self.lvalue(o));
                let field = self.required(&mut obj, "field").and_then(|f| self.field_name(f));
                self.finish(obj, &["object", "field"]);
                LValueKind::Field { base: Box::new(base?), field: field? }
            }
            "index" => {
                let mut obj = self.obj(body, "`index`")?;
                let base = self.required(&mut obj, "array").and_then(|o| self.lvalue(o));
                let index = self.required(&mut obj, "index").and_then(|i| self.expr(i));
                self.finish(obj, &["array", "index"]);
                LValueKind::Index { base: Box::new(base?), index: index? }
            }
            other => {
                self.error(ParseError::BadAssignTarget { span: json.span, found: format!("a `{other}` expression") });
                return None;
            }
        };
        Some(LValue { kind, span: json.span })
    }

    /// A field name: an identifier, or a tuple position written as a number or digit string.
    fn field_name(&mut self, json: &Json) -> Option<Name> {
        match &json.kind {
            JsonKind::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => Some(Name::new(text.clone(), json.span)),
            JsonKind::Str(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                Some(Name::new(text.clone(), json.span))
            }
            _ => self.name(json, "field"),
        }
    }

    // ----- Patterns ---------------------------------------------------------------------------

    fn pattern(&mut self, json: &Json) -> Option<Pattern> {
        let span = json.span;
        if json.as_str() == Some("_") {
            return Some(Pattern { kind: PatternKind::Wildcard, span });
        }
        let Some((key, body)) = json.as_object().filter(|m| m.len() == 1).map(|m| (m[0].key.as_str(), &m[0].value)) else {
            self.error(ParseError::BadPattern {
                span,
                message: "a pattern is an object with one key: literal, var, _, wildcard, tuple, struct, record or enum".into(),
            });
            return None;
        };
        let kind = match key {
            "_" | "wildcard" => PatternKind::Wildcard,
            "var" => PatternKind::Bind(self.name(body, "variable")?),
            "literal" => self.literal_pattern(body)?,
            "tuple" => {
                let items = self.array(body, "a tuple pattern")?;
                PatternKind::Tuple(items.iter().filter_map(|p| self.pattern(p)).collect())
            }
            "struct" => PatternKind::Record { ty: None, fields: self.field_patterns(body)? },
            "record" => {
                let mut obj = self.obj(body, "a record pattern")?;
                let ty = obj.get("type").and_then(|t| self.name(t, "type"));
                let fields = self.required(&mut obj, "fields").and_then(|f| self.field_patterns(f));
                self.finish(obj, &["type", "fields"]);
                PatternKind::Record { ty, fields: fields? }
            }
            "enum" => {
                let mut obj = self.obj(body, "an enum pattern")?;
                let ty = obj.get("type").and_then(|t| self.name(t, "type"));
                let variant = self.required_name(&mut obj, "variant", "variant");
                let payload = obj.get("value").and_then(|p| self.pattern(p)).map(Box::new);
                self.finish(obj, &["type", "variant", "value"]);
                PatternKind::Enum { ty, variant: variant?, payload }
            }
            other => {
                let suggestion = did_you_mean(other, ["literal", "var", "_", "wildcard", "tuple", "struct", "record", "enum"]);
                let message = match suggestion {
                    Some(s) => format!("unknown pattern kind `{other}`; did you mean `{s}`?"),
                    None => format!("unknown pattern kind `{other}`"),
                };
                self.error(ParseError::BadPattern { span, message });
                return None;
            }
        };
        Some(Pattern { kind, span })
    }

    fn literal_pattern(&mut self, json: &Json) -> Option<PatternKind> {
        match &json.kind {
            JsonKind::Number(text) => match parse_int(text) {
                Some(i) => Some(PatternKind::Int(i)),
                None => {
                    self.error(ParseError::BadPattern {
                        span: json.span,
                        message: "only integer, string and boolean literals can be patterns".into(),
                    });
                    None
                }
            },
            JsonKind::Str(s) => Some(PatternKind::Str(s.clone())),
            JsonKind::Bool(b) => Some(PatternKind::Bool(*b)),
            _ => {
                self.error(ParseError::BadPattern { span: json.span, message: format!("{} cannot be a pattern", json.type_name()) });
                None
            }
        }
    }

    fn field_patterns(&mut self, json: &Json) -> Option<Vec<(Name, Pattern)>> {
        let Some(members) = json.as_object() else {
            self.wrong_type(json, "a struct pattern", "an object mapping fields to patterns");
            return None;
        };
        Some(members.iter().filter_map(|m| Some((self.key_name(m, "field")?, self.pattern(&m.value)?))).collect())
    }

    // ----- Expressions ------------------------------------------------------------------------

    fn exprs(&mut self, json: &Json, context: &str) -> Vec<Expr> {
        self.list(json, context, Self::expr)
    }

    fn boxed(&mut self, json: &Json) -> Option<Box<Expr>> {
        self.expr(json).map(Box::new)
    }

    pub(crate) fn expr(&mut self, json: &Json) -> Option<Expr> {
        let (key, body) = self.node_key(json, NodeKind::Expression, EXPRESSION_KEYS)?;
        let span = json.span;
        let kind = match key {
            "literal" => self.literal(body)?,
            "var" => ExprKind::Var(self.name(body, "variable")?),
            "op" => self.op(body, span)?,
            "call" => {
                let mut obj = self.obj(body, "`call`")?;
                let func = self.required_name(&mut obj, "function", "function");
                let args = obj.get("args").map(|a| self.exprs(a, "`args`")).unwrap_or_default();
                let type_args = obj.get("type_args").map(|t| self.list(t, "`type_args`", Self::type_expr)).unwrap_or_default();
                self.finish(obj, &["function", "args", "type_args"]);
                ExprKind::Call { func: func?, type_args, args }
            }
            "method" => {
                let mut obj = self.obj(body, "`method`")?;
                let receiver = self.required(&mut obj, "object").and_then(|o| self.boxed(o));
                let method = self.required_name(&mut obj, "name", "method");
                let args = obj.get("args").map(|a| self.exprs(a, "`args`")).unwrap_or_default();
                self.finish(obj, &["object", "name", "args"]);
                ExprKind::MethodCall { receiver: receiver?, method: method?, args }
            }
            "field" => {
                let mut obj = self.obj(body, "`field`")?;
                let object = self.required(&mut obj, "object").and_then(|o| self.boxed(o));
                let field = self.required(&mut obj, "field").and_then(|f| self.field_name(f));
                self.finish(obj, &["object", "field"]);
                ExprKind::Field { object: object?, field: field? }
            }
            "index" => {
                let mut obj = self.obj(body, "`index`")?;
                let object = self.required(&mut obj, "array").and_then(|o| self.boxed(o));
                let index = self.required(&mut obj, "index").and_then(|i| self.boxed(i));
                self.finish(obj, &["array", "index"]);
                ExprKind::Index { object: object?, index: index? }
            }
            "array" => ExprKind::Array(self.exprs(body, "`array`")),
            "tuple" => ExprKind::Tuple(self.exprs(body, "`tuple`")),
            "set" => ExprKind::Set(self.exprs(body, "`set`")),
            "struct" => ExprKind::StructLit(self.field_values(body, "`struct`")?),
            "record" => {
                let mut obj = self.obj(body, "`record`")?;
                let ty = self.required_name(&mut obj, "type", "type");
                let type_args = obj.get("type_args").map(|t| self.list(t, "`type_args`", Self::type_expr)).unwrap_or_default();
                let fields = self.required(&mut obj, "fields").and_then(|f| self.field_values(f, "`fields`"));
                self.finish(obj, &["type", "type_args", "fields"]);
                ExprKind::Record { ty: ty?, type_args, fields: fields? }
            }
            "update" => {
                let mut obj = self.obj(body, "`update`")?;
                let base = self.required(&mut obj, "value").and_then(|v| self.boxed(v));
                let fields = self.required(&mut obj, "fields").and_then(|f| self.field_values(f, "`fields`"));
                self.finish(obj, &["value", "fields"]);
                ExprKind::Update { base: base?, fields: fields? }
            }
            "enum" => {
                let mut obj = self.obj(body, "`enum`")?;
                let ty = self.required_name(&mut obj, "type", "type");
                let variant = self.required_name(&mut obj, "variant", "variant");
                let type_args = obj.get("type_args").map(|t| self.list(t, "`type_args`", Self::type_expr)).unwrap_or_default();
                let value = obj.get("value").and_then(|v| self.boxed(v));
                self.finish(obj, &["type", "variant", "value", "type_args"]);
                ExprKind::Enum { ty: ty?, type_args, variant: variant?, value }
            }
            "hashmap" => ExprKind::Map(self.string_key_entries(body)?),
            "map" => ExprKind::Map(self.map_entries(body)?),
            "cast" => {
                let mut obj = self.obj(body, "`cast`")?;
                let value = self.required(&mut obj, "value").and_then(|v| self.boxed(v));
                let ty = self.required(&mut obj, "type").and_then(|t| self.type_expr(t));
                self.finish(obj, &["value", "type"]);
                ExprKind::Cast { value: value?, ty: ty? }
            }
            "sample" => ExprKind::Sample(Box::new(self.sample(body)?)),
            "mixture" => {
                let dist = self.mixture(body, Name::new("mixture", span))?;
                ExprKind::Sample(Box::new(SampleExpr { dist, size: None, lower: None, upper: None, constraint: None, parameterization: None }))
            }
            "lpdf" => {
                let mut obj = self.obj(body, "`lpdf`")?;
                let dist = self.dist_expr(&mut obj);
                let value = self.required(&mut obj, "value").and_then(|v| self.boxed(v));
                self.finish(obj, &["distribution", "params", "weights", "components", "value"]);
                ExprKind::LogDensity { dist: dist?, value: value? }
            }
            "infer" => self.infer(body)?,
            "await" => ExprKind::Await(self.boxed(body)?),
            "propagate" => ExprKind::Propagate(self.boxed(body)?),
            "cond" => {
                let mut obj = self.obj(body, "`cond`")?;
                let cond = self.required(&mut obj, "if").and_then(|c| self.boxed(c));
                let then_value = self.required(&mut obj, "then").and_then(|c| self.boxed(c));
                let else_value = self.required(&mut obj, "else").and_then(|c| self.boxed(c));
                self.finish(obj, &["if", "then", "else"]);
                ExprKind::Cond { cond: cond?, then_value: then_value?, else_value: else_value? }
            }
            _ => {
                let mut obj = self.obj(body, "`error`")?;
                let ty = self.required_name(&mut obj, "type", "error type");
                let message = obj.get("message").and_then(|m| self.boxed(m));
                self.finish(obj, &["type", "message"]);
                ExprKind::ErrorValue { ty: ty?, message }
            }
        };
        Some(Expr { kind, span })
    }

    fn literal(&mut self, json: &Json) -> Option<ExprKind> {
        match &json.kind {
            JsonKind::Number(text) if is_integer_text(text) => match parse_int(text) {
                Some(i) => Some(ExprKind::Int(i)),
                None => {
                    self.error(ParseError::NumberRange { span: json.span, text: text.clone() });
                    None
                }
            },
            JsonKind::Number(text) => match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Some(ExprKind::Float(f)),
                _ => {
                    self.error(ParseError::NumberRange { span: json.span, text: text.clone() });
                    None
                }
            },
            JsonKind::Str(s) => Some(ExprKind::Str(s.clone())),
            JsonKind::Bool(b) => Some(ExprKind::Bool(*b)),
            JsonKind::Null => {
                self.error(ParseError::NullLiteral { span: json.span });
                None
            }
            _ => {
                self.wrong_type(json, "`literal`", "a number, string or boolean");
                None
            }
        }
    }

    fn op(&mut self, body: &Json, span: Span) -> Option<ExprKind> {
        let mut obj = self.obj(body, "`op`")?;
        let kind_json = self.required(&mut obj, "kind");
        let args = self.required(&mut obj, "args").map(|a| self.exprs(a, "`args`"));
        self.finish(obj, &["kind", "args"]);
        let kind_json = kind_json?;
        let kind = self.string(kind_json, "`kind`")?;
        let mut args = args?;
        if let Some(op) = unary_op(&kind) {
            if args.len() != 1 {
                self.error(ParseError::OperatorArity { span, op: kind, expected: "exactly 1 operand", found: args.len() });
                return None;
            }
            return Some(ExprKind::Unary { op, arg: Box::new(args.pop()?) });
        }
        let Some(op) = binary_op(&kind) else {
            let all = BINARY_OPS.iter().map(|(k, _)| *k).chain(["not", "neg", "bitnot"]);
            self.error(ParseError::UnknownOperator { span: kind_json.span, kind: kind.clone(), suggestion: did_you_mean(&kind, all) });
            return None;
        };
        let variadic = matches!(op, BinOp::Add | BinOp::Mul | BinOp::And | BinOp::Or);
        if args.len() < 2 || (!variadic && args.len() > 2) {
            let expected = if variadic { "2 or more operands" } else { "exactly 2 operands" };
            self.error(ParseError::OperatorArity { span, op: kind, expected, found: args.len() });
            return None;
        }
        if matches!(op, BinOp::And | BinOp::Or) && args.len() > LONG_CHAIN {
            return Some(balanced(op, args, span).kind);
        }
        if args.len() > MAX_NESTED_OPERANDS {
            let expected = "at most 10000 operands (each one nests the sum or product one level deeper)";
            self.error(ParseError::OperatorArity { span, op: kind, expected, found: args.len() });
            return None;
        }
        Some(fold_left(op, args, span))
    }

    fn field_values(&mut self, json: &Json, context: &str) -> Option<Vec<(Name, Expr)>> {
        let Some(members) = json.as_object() else {
            self.wrong_type(json, context, "an object mapping field names to expressions");
            return None;
        };
        Some(members.iter().filter_map(|m| Some((self.key_name(m, "field")?, self.expr(&m.value)?))).collect())
    }

    fn string_key_entries(&mut self, json: &Json) -> Option<Vec<(Expr, Expr)>> {
        let Some(members) = json.as_object() else {
            self.wrong_type(json, "`hashmap`", "an object mapping string keys to expressions");
            return None;
        };
        let entries = members
            .iter()
            .filter_map(|m| {
                let key = Expr { kind: ExprKind::Str(m.key.clone()), span: m.key_span };
                Some((key, self.expr(&m.value)?))
            })
            .collect();
        Some(entries)
    }

    fn map_entries(&mut self, json: &Json) -> Option<Vec<(Expr, Expr)>> {
        let items = self.array(json, "`map`")?;
        let mut entries = Vec::new();
        for item in items {
            match item.as_array() {
                Some([k, v]) => {
                    if let (Some(k), Some(v)) = (self.expr(k), self.expr(v)) {
                        entries.push((k, v));
                    }
                }
                _ => self.wrong_type(item, "a map entry", "a two-element array [key, value]"),
            }
        }
        Some(entries)
    }

    fn sample(&mut self, body: &Json) -> Option<SampleExpr> {
        let mut obj = self.obj(body, "`sample`")?;
        let dist = self.dist_expr(&mut obj);
        let size = obj.get("size").and_then(|s| self.expr(s));
        let lower = obj.get("lower").and_then(|s| self.expr(s));
        let upper = obj.get("upper").and_then(|s| self.expr(s));
        let constraint = obj.get("constraint").and_then(|c| self.name(c, "constraint"));
        let parameterization = obj.get("parameterization").and_then(|c| self.name(c, "parameterization"));
        self.finish(obj, &["distribution", "params", "weights", "components", "size", "lower", "upper", "constraint", "parameterization"]);
        Some(SampleExpr { dist: dist?, size, lower, upper, constraint, parameterization })
    }

    /// The distribution of a `sample`, `observe` or `lpdf` (its `distribution` and `params`,
    /// and for a `mixture` its `weights` and `components`).
    fn dist_expr(&mut self, obj: &mut Obj<'_>) -> Option<DistExpr> {
        if let Some(block) = obj.get("distribution").and_then(|d| self.mixture_object(d)) {
            for key in ["params", "weights", "components"] {
                if let Some(extra) = obj.get(key) {
                    self.error(ParseError::Mixture { span: extra.span, message: format!("a `mixture` block holds its own components and weights: `{key}` does not belong beside it") });
                }
            }
            return block;
        }
        let name = self.required_name(obj, "distribution", "distribution");
        let params = obj.get("params").map(|p| self.exprs(p, "`params`")).unwrap_or_default();
        let weights = obj.get("weights").and_then(|w| self.boxed(w));
        let components = obj.get("components").map(|c| self.list(c, "`components`", Self::component)).unwrap_or_default();
        let span = obj.span;
        Some(DistExpr { name: name?, params, weights, components, span })
    }

    /// One component of a mixture: `{"distribution", "params"}`.
    fn component(&mut self, json: &Json) -> Option<DistExpr> {
        let mut obj = self.obj(json, "a mixture component")?;
        let dist = self.dist_expr(&mut obj);
        self.finish(obj, &["distribution", "params", "weights", "components"]);
        dist
    }

    // ----- Declared distributions -------------------------------------------------------------

    fn dist_decl(&mut self, name: Name, json: &Json) -> Option<DistDecl> {
        let context = format!("distribution `{}`", name.text);
        let mut obj = self.obj(json, context.clone())?;
        let params = match obj.get("params") {
            Some(p) => self.list(p, &format!("the parameters of {context}"), Self::dist_param_decl),
            None => Vec::new(),
        };
        let support = self.required(&mut obj, "support").and_then(|s| self.support_decl(s));
        let log_density = self.required_name(&mut obj, "log_density", "log-density function");
        let sampler = obj.get("sampler").and_then(|s| self.name(s, "sampler function"));
        let doc = self.doc(&mut obj);
        self.finish(obj, &["params", "support", "log_density", "sampler", "doc"]);
        for (i, p) in params.iter().enumerate() {
            if let Some(first) = params[..i].iter().find(|q| q.name.text == p.name.text) {
                self.error(ParseError::Duplicate { what: "parameter", name: p.name.text.clone(), first: first.name.span, second: p.name.span });
            }
        }
        Some(DistDecl { name, params, support, log_density, sampler, doc, span: json.span })
    }

    fn dist_param_decl(&mut self, json: &Json) -> Option<DistParamDecl> {
        let mut obj = self.obj(json, "a distribution parameter")?;
        let name = self.required_name(&mut obj, "name", "parameter");
        let ty = self.required(&mut obj, "type").and_then(|t| self.type_expr(t));
        let mut bound = |this: &mut Self, key: &'static str| {
            obj.get(key).and_then(|b| this.number(b, &format!("`{key}`")).map(|x| (x, b.span)))
        };
        let lower = bound(self, "lower");
        let upper = bound(self, "upper");
        let strict = self.optional_bool(&mut obj, "strict");
        self.finish(obj, &["name", "type", "lower", "upper", "strict"]);
        Some(DistParamDecl { name: name?, ty: ty?, lower, upper, strict, span: json.span })
    }

    fn support_decl(&mut self, json: &Json) -> Option<SupportDecl> {
        if json.as_str().is_some() {
            return self.name(json, "support").map(SupportDecl::Named);
        }
        let mut obj = self.obj(json, "`support` (a word such as \"real\", or an object with \"lower\" and/or \"upper\")")?;
        let lower = obj.get("lower").and_then(|b| self.bound_decl(b));
        let upper = obj.get("upper").and_then(|b| self.bound_decl(b));
        self.finish(obj, &["lower", "upper"]);
        Some(SupportDecl::Bounds { lower, upper, span: json.span })
    }

    /// A support bound: a number or the name of a parameter.
    fn bound_decl(&mut self, json: &Json) -> Option<BoundDecl> {
        if json.as_str().is_some() {
            return self.name(json, "parameter").map(BoundDecl::Param);
        }
        self.number(json, "a support bound (a number or a parameter name)").map(|x| BoundDecl::Value(x, json.span))
    }

    fn infer(&mut self, body: &Json) -> Option<ExprKind> {
        let mut obj = self.obj(body, "`infer`")?;
        let model = self.required_name(&mut obj, "model", "model function");
        let args = obj.get("args").map(|a| self.exprs(a, "`args`")).unwrap_or_default();
        let mut options = Vec::new();
        for key in INFER_OPTIONS {
            if let Some(v) = obj.get(key) {
                let name = Name::new(*key, v.span);
                if let Some(e) = self.expr(v) {
                    options.push((name, e));
                }
            }
        }
        let mut allowed = vec!["model", "args"];
        allowed.extend_from_slice(INFER_OPTIONS);
        self.finish(obj, &allowed);
        Some(ExprKind::Infer { model: model?, args, options })
    }

    // ----- One-key objects --------------------------------------------------------------------

    /// Reads a statement or expression object: exactly one key, which must be a known kind.
    fn node_key<'a>(&mut self, json: &'a Json, node: NodeKind, known: &[&str]) -> Option<(&'a str, &'a Json)> {
        let problem = match &json.kind {
            JsonKind::Object(members) => match members.as_slice() {
                [] => NodeProblem::Empty,
                [m] if known.contains(&m.key.as_str()) => return Some((m.key.as_str(), &m.value)),
                [m] => NodeProblem::Unknown { key: m.key.clone(), suggestion: did_you_mean(&m.key, known.iter().copied()) },
                many => NodeProblem::SeveralKeys { keys: many.iter().map(|m| m.key.clone()).collect() },
            },
            _ => NodeProblem::NotAnObject { found: json.type_name() },
        };
        let span = match (&problem, json.as_object()) {
            (NodeProblem::Unknown { .. }, Some([m])) => m.key_span,
            _ => json.span,
        };
        self.error(ParseError::BadNode { node, span, problem });
        None
    }

    /// Reads a one-key object such as a type declaration `{"enum": {...}}`.
    fn single_key<'a>(&mut self, json: &'a Json, context: &str, known: &[&'static str]) -> Option<(&'a str, &'a Json)> {
        match json.as_object() {
            Some([m]) if known.contains(&m.key.as_str()) => Some((m.key.as_str(), &m.value)),
            Some([m]) => {
                self.error(ParseError::BadType {
                    span: m.key_span,
                    message: format!("`{}` is not a kind of type; kinds: {}", m.key, known.join(", ")),
                    suggestion: did_you_mean(&m.key, known.iter().copied()),
                });
                None
            }
            _ => {
                self.wrong_type(json, context, &format!("an object with one key ({})", known.join(", ")));
                None
            }
        }
    }
}

const TYPE_DECL_KEYS: &[&str] = &["record", "struct", "enum", "error", "alias", "generic_def", "discriminated_union"];
const TYPE_KEYS: &[&str] = &[
    "array", "list", "slice", "vector", "set", "map", "hashmap", "tuple", "generic", "option", "optional", "result",
    "future", "channel", "trait", "function",
];
const INFER_OPTIONS: &[&str] = &["algorithm", "chains", "warmup", "draws", "seed", "threads"];

const BINARY_OPS: &[(&str, BinOp)] = &[
    ("add", BinOp::Add),
    ("sub", BinOp::Sub),
    ("mul", BinOp::Mul),
    ("div", BinOp::Div),
    ("mod", BinOp::Mod),
    ("pow", BinOp::Pow),
    ("eq", BinOp::Eq),
    ("ne", BinOp::Ne),
    ("lt", BinOp::Lt),
    ("le", BinOp::Le),
    ("gt", BinOp::Gt),
    ("ge", BinOp::Ge),
    ("and", BinOp::And),
    ("or", BinOp::Or),
    ("bitand", BinOp::BitAnd),
    ("bitor", BinOp::BitOr),
    ("bitxor", BinOp::BitXor),
    ("shl", BinOp::Shl),
    ("shr", BinOp::Shr),
];

fn binary_op(kind: &str) -> Option<BinOp> {
    BINARY_OPS.iter().find(|(k, _)| *k == kind).map(|(_, op)| *op)
}

fn unary_op(kind: &str) -> Option<UnOp> {
    match kind {
        "not" => Some(UnOp::Not),
        "neg" => Some(UnOp::Neg),
        "bitnot" => Some(UnOp::BitNot),
        _ => None,
    }
}

/// `add [a, b, c]` means `(a + b) + c`.
/// Operands of `and`/`or` beyond which the operation is grouped as a balanced tree.
const LONG_CHAIN: usize = 64;

/// Most operands of `add`/`mul`: they nest left to right (`(a + b) + c`, so overflow checks and
/// float rounding follow the written order), and every later phase walks that depth recursively.
pub const MAX_NESTED_OPERANDS: usize = 10_000;

/// `a and b and …` as a balanced tree, so a long chain nests only logarithmically deep. Grouping
/// changes neither the result nor which operands run, nor their order: `and` and `or` short-circuit
/// associatively.
fn balanced(op: BinOp, mut args: Vec<Expr>, span: Span) -> Expr {
    if args.len() > 1 {
        let right = args.split_off(args.len() / 2);
        let (lhs, rhs) = (balanced(op, args, span), balanced(op, right, span));
        return Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span };
    }
    // One operand is itself; none would be the identity of `op`.
    args.pop().unwrap_or(Expr { kind: ExprKind::Bool(op == BinOp::And), span })
}

fn fold_left(op: BinOp, args: Vec<Expr>, span: Span) -> ExprKind {
    let mut iter = args.into_iter();
    let (Some(first), Some(second)) = (iter.next(), iter.next()) else {
        unreachable!("callers check there are at least two operands")
    };
    let mut kind = ExprKind::Binary { op, lhs: Box::new(first), rhs: Box::new(second) };
    for next in iter {
        let lhs = Expr { kind, span };
        kind = ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(next) };
    }
    kind
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_integer_text(text: &str) -> bool {
    !text.contains(['.', 'e', 'E'])
}

fn parse_int(text: &str) -> Option<i128> {
    if !is_integer_text(text) {
        return None;
    }
    text.parse::<i128>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::type_string::MAX_TYPE_DEPTH;
    use crate::syntax::json;

    fn read(text: &str) -> (Program, Vec<ParseError>) {
        let (tree, errors) = json::parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        program(&tree.expect("json"))
    }

    #[test]
    fn reads_a_function_with_statements() {
        let (p, errors) = read(
            r#"{"program": {"entry": "main", "functions": {"main": {"args": [], "return": "i32",
               "body": [{"let": {"name": "x", "type": "i32", "value": {"literal": 1}}},
                        {"return": {"op": {"kind": "add", "args": [{"var": "x"}, {"literal": 2}, {"literal": 3}]}}}]}}}}"#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(p.functions.len(), 1);
        assert_eq!(p.functions[0].body.len(), 2);
        let StmtKind::Return(Some(e)) = &p.functions[0].body[1].kind else { panic!("return") };
        assert!(matches!(&e.kind, ExprKind::Binary { op: BinOp::Add, lhs, .. } if matches!(lhs.kind, ExprKind::Binary { .. })));
    }

    #[test]
    fn unknown_key_is_reported_with_suggestion() {
        let (_, errors) = read(r#"{"program": {"functions": {"main": {"body": [], "retrun": "void"}}}}"#);
        assert!(matches!(&errors[0], ParseError::UnknownKey { key, suggestion: Some(s), .. } if key == "retrun" && s == "return"));
    }

    #[test]
    fn type_strings_parse_generics_arrays_tuples() {
        let mut p = Parser { errors: Vec::new() };
        let t = p.type_string("Pair<[i32], (str, f64)>", Span::default()).expect("type");
        let TypeExprKind::Named { name, args } = t.kind else { panic!("named") };
        assert_eq!(name.text, "Pair");
        assert!(matches!(args[0].kind, TypeExprKind::Array(_)));
        assert!(matches!(&args[1].kind, TypeExprKind::Tuple(items) if items.len() == 2));
        assert!(p.type_string("Pair<i32", Span::default()).is_none());
        let t = p.type_string("[dyn Shape]", Span::default()).expect("type");
        let TypeExprKind::Array(inner) = t.kind else { panic!("array") };
        assert!(matches!(&inner.kind, TypeExprKind::TraitObject(name) if name.text == "Shape"));
        assert!(p.type_string("dyn [i64]", Span::default()).is_none());
    }

    /// The depth of nested binary operations in an expression.
    fn depth(e: &Expr) -> usize {
        match &e.kind {
            ExprKind::Binary { lhs, rhs, .. } => 1 + depth(lhs).max(depth(rhs)),
            _ => 0,
        }
    }

    fn variadic(kind: &str, operands: usize) -> (Program, Vec<ParseError>) {
        let operand = if kind == "add" { r#"{"literal": 1}"# } else { r#"{"literal": true}"# };
        let args = vec![operand; operands].join(",");
        read(&format!(r#"{{"program": {{"functions": {{"main": {{"body": [{{"return": {{"op": {{"kind": "{kind}", "args": [{args}]}}}}}}]}}}}}}}}"#))
    }

    fn returned(p: &Program) -> &Expr {
        let StmtKind::Return(Some(e)) = &p.functions[0].body[0].kind else { panic!("a return") };
        e
    }

    #[test]
    fn a_long_and_is_a_balanced_tree_and_a_short_one_folds_left() {
        let (p, errors) = variadic("and", 100_000);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(depth(returned(&p)), 17, "ceil(log2(100000))");
        let (p, _) = variadic("or", LONG_CHAIN);
        assert_eq!(depth(returned(&p)), LONG_CHAIN - 1);
        let mut leaves = 0;
        let mut pending = vec![returned(&variadic("and", 1000).0).clone()];
        while let Some(e) = pending.pop() {
            match e.kind {
                ExprKind::Binary { op: BinOp::And, lhs, rhs } => pending.extend([*lhs, *rhs]),
                ExprKind::Bool(true) => leaves += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(leaves, 1000, "every operand is kept");
    }

    #[test]
    fn a_sum_of_too_many_operands_is_refused() {
        let (p, errors) = variadic("add", MAX_NESTED_OPERANDS);
        assert!(errors.is_empty());
        assert_eq!(depth(returned(&p)), MAX_NESTED_OPERANDS - 1);
        let (_, errors) = variadic("add", MAX_NESTED_OPERANDS + 1);
        assert!(matches!(&errors[..], [ParseError::OperatorArity { found, .. }] if *found == MAX_NESTED_OPERANDS + 1), "{errors:?}");
    }

    #[test]
    fn type_strings_nest_up_to_the_limit_and_no_further() {
        let nested = |depth: usize| format!("{}i32{}", "Option<".repeat(depth), ">".repeat(depth));
        let mut p = Parser { errors: Vec::new() };
        assert!(p.type_string(&nested(MAX_TYPE_DEPTH), Span::default()).is_some());
        assert!(p.errors.is_empty());
        let deep = nested(100_000);
        let literal = Span::new(10, 10 + deep.len() + 2);
        assert!(p.type_string(&deep, literal).is_none());
        let at = literal.range().start + 1 + "Option<".len() * (MAX_TYPE_DEPTH + 1) - 1;
        assert_eq!(p.errors, vec![ParseError::TypeTooDeep { span: Span::new(at, at + 1) }]);
    }

    #[test]
    fn broken_statement_does_not_hide_the_next_one() {
        let (p, errors) = read(
            r#"{"program": {"functions": {"main": {"body": [{"lett": {}}, {"let": {"name": "y", "value": {"literal": null}}}, {"return": null}]}}}}"#,
        );
        assert_eq!(errors.len(), 2);
        assert_eq!(p.functions[0].body.len(), 1);
    }
}
