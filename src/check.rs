//! The type checker: `ast::Program` → `typed::Program` plus every diagnostic.
//!
//! It runs in two passes. `env` collects all declarations first (types, traits, function
//! signatures, implementations, constants), so declarations may appear in any order and refer to
//! each other. Then each function body is checked on its own (`stmt`, `expr`, `pattern`), with
//! local type inference (`infer`) and bidirectional checking: an expected type flows into
//! literals, collections and constructors. The checker never stops at the first problem; a
//! failed expression becomes `ExprKind::Invalid` of type `Invalid`, which unifies with
//! everything, so each mistake is reported once.
//!
//! Invariant: `check` never panics on user input, whatever the AST holds.

mod builtins;
mod custom_dist;
pub mod dists;
mod env;
mod error;
mod exhaustive;
mod expr;
mod finish;
mod growth;
mod infer;
mod pattern;
mod stmt;

pub use builtins::{BUILTINS, math_names, math_signature};
pub use error::TypeError;

use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::typed::{self, FuncId, Local, LocalId};
use crate::types::{AdtId, TraitId, Ty};
use infer::Unifier;
use std::collections::HashMap;

/// Checks a program. The typed program is complete only when no error was reported.
pub fn check(program: &ast::Program) -> (typed::Program, Vec<Diagnostic>) {
    let mut checker = Checker::new(program);
    checker.collect();
    checker.check_bodies();
    checker.check_entry();
    checker.errors.extend(growth::check(&checker.out));
    let diagnostics = checker.errors.iter().map(TypeError::to_diagnostic).collect();
    (checker.out, diagnostics)
}

/// A function's signature as callers see it.
#[derive(Clone, Debug)]
pub(crate) struct FnSig {
    pub name: String,
    pub type_params: Vec<typed::TypeParamDef>,
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub is_async: bool,
    pub span: Span,
}

/// Where a declared name points.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TypeName {
    Adt(AdtId),
    /// An alias, resolved lazily (index into `aliases`).
    Alias(usize),
}

pub(crate) struct Checker<'a> {
    ast: &'a ast::Program,
    pub(crate) out: typed::Program,
    pub(crate) errors: Vec<TypeError>,
    type_names: HashMap<String, TypeName>,
    aliases: Vec<(ast::TypeExpr, Option<Ty>, bool)>,
    trait_names: HashMap<String, TraitId>,
    fn_names: HashMap<String, FuncId>,
    sigs: Vec<FnSig>,
    /// The AST of each function body, by `FuncId` (impl methods included).
    bodies: Vec<Option<&'a ast::Function>>,
    extern_names: HashMap<String, typed::ExternId>,
    constants: HashMap<String, typed::Expr>,
    /// Anonymous record types, by their sorted field names.
    anon_records: HashMap<Vec<String>, AdtId>,
    pub(crate) f: FnState,
}

/// The state of the function being checked.
#[derive(Default)]
pub(crate) struct FnState {
    pub locals: Vec<Local>,
    pub scopes: Vec<Vec<(String, LocalId)>>,
    pub ret: Ty,
    pub ret_span: Option<Span>,
    pub name: String,
    pub loop_depth: usize,
    /// For each enclosing loop, whether a `break` was seen in it.
    pub breaks: Vec<bool>,
    pub type_params: Vec<typed::TypeParamDef>,
    pub unifier: Unifier,
    /// Integer literals whose range is checked once their type is known.
    pub int_literals: Vec<(i128, Ty, Span)>,
    /// Inference variables that must be resolved, with what they stand for.
    pub must_resolve: Vec<(Ty, Span, String)>,
    /// Generic instantiations whose bounds are checked once types are known.
    pub bound_checks: Vec<(Ty, TraitId, Span)>,
    /// Locals that are read somewhere (for the unused-variable lint).
    pub used: Vec<bool>,
    /// Locals of a `let` without a type whose value is a number literal (its width is chosen
    /// by the uses), for the hint of a later mismatch.
    pub literal_lets: Vec<(LocalId, Span)>,
}

impl Default for Ty {
    fn default() -> Ty {
        Ty::Void
    }
}

impl<'a> Checker<'a> {
    fn new(ast: &'a ast::Program) -> Checker<'a> {
        Checker {
            ast,
            out: typed::Program::default(),
            errors: Vec::new(),
            type_names: HashMap::new(),
            aliases: Vec::new(),
            trait_names: HashMap::new(),
            fn_names: HashMap::new(),
            sigs: Vec::new(),
            bodies: Vec::new(),
            extern_names: HashMap::new(),
            constants: HashMap::new(),
            anon_records: HashMap::new(),
            f: FnState::default(),
        }
    }

    pub(crate) fn error(&mut self, e: TypeError) {
        self.errors.push(e);
    }

    /// Prints a type for a message, resolving inference variables as far as known.
    pub(crate) fn show(&self, ty: &Ty) -> String {
        let resolved = self.f.unifier.resolve(ty);
        if let Ty::Var(_) = resolved {
            return match self.f.unifier.var_kind(&resolved) {
                Some(infer::VarKind::IntLit) => "{integer}".into(),
                Some(infer::VarKind::FloatLit) => "{float}".into(),
                _ => "_".into(),
            };
        }
        ShowNames { checker: self }.show(&resolved)
    }

    fn check_bodies(&mut self) {
        for index in 0..self.bodies.len() {
            let Some(body) = self.bodies[index] else { continue };
            let id = FuncId(u32::try_from(index).unwrap_or(u32::MAX));
            let function = self.check_function(id, body);
            self.out.functions[index] = function;
        }
    }

    fn check_entry(&mut self) {
        let (name, span) = match &self.ast.entry {
            Some(n) => (n.text.clone(), n.span),
            None => ("main".to_string(), self.ast.functions_key.unwrap_or(Span::new(self.ast.span.start as usize, self.ast.span.start as usize + 1))),
        };
        let Some(&id) = self.fn_names.get(&name) else {
            let message = format!("the program has no function `{name}` to start from");
            self.error(TypeError::Entry { span, message });
            return;
        };
        let sig = &self.sigs[id.0 as usize];
        let problem = entry_problem(sig);
        if let Some(message) = problem {
            let span = sig.span;
            self.error(TypeError::Entry { span, message });
        }
        self.out.entry = Some(id);
    }
}

/// Why a function cannot be the entry point, if it cannot.
fn entry_problem(sig: &FnSig) -> Option<String> {
    if !sig.type_params.is_empty() {
        return Some("the entry function cannot be generic".into());
    }
    if sig.is_async {
        return Some("the entry function cannot be async".into());
    }
    let printable = matches!(sig.ret, Ty::Void | Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Str | Ty::Invalid);
    if !printable {
        return Some("the entry function must return void, a number, a bool or a str".into());
    }
    None
}

/// Type names for messages: ADTs and traits by name, type parameters of the current function.
struct ShowNames<'c, 'a> {
    checker: &'c Checker<'a>,
}

impl ShowNames<'_, '_> {
    fn show(&self, ty: &Ty) -> String {
        crate::types::Display { ty, names: self }.to_string()
    }
}

impl crate::types::TypeNames for ShowNames<'_, '_> {
    fn adt_name(&self, id: AdtId) -> &str {
        self.checker.out.adt_name(id)
    }

    fn trait_name(&self, id: TraitId) -> &str {
        self.checker.out.trait_name(id)
    }

    fn param_name(&self, index: u32) -> String {
        self.checker.f.type_params.get(index as usize).map_or_else(|| format!("T{index}"), |p| p.name.clone())
    }
}

