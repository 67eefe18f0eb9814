//! The rules about names, which need scopes: unused variables (L0001) and parameters (L0003),
//! shadowing (L0004) and a `Result` bound to a name and never examined (L0009).
//!
//! Each function is walked once with a stack of scopes, as the checker resolves names: a `let`
//! value is read before its name is declared, a block opens a scope, a `match` case, `for`
//! body and `catch` body open one for their bindings. Assigning to a variable does not count
//! as reading it. Names that start with `_` are exempt from every rule here but L0009,
//! and so are model parameters, `output` lets and `self`.

use super::fix::Edit;
use super::walk::{each_expr, lvalue_indices, stmt_exprs};
use super::{Context, Finding};
use crate::ast::{ExprKind, Function, Iterable, Name, Pattern, PatternKind, Stmt, StmtKind};
use crate::diagnostic::Code;
use crate::typed::BuiltinAdt;
use crate::types::Ty;

#[derive(Clone, Copy, PartialEq, Eq)]
enum DeclKind {
    Param,
    Let,
    /// A `let` of a `sample` (a model parameter, which matters even when unread), an `output`
    /// let (a column of every draw) or a method's receiver `self`.
    Exempt,
    /// A pattern binding in a `let`, `match` or `catch`.
    Binding,
    /// A loop variable: it often only counts iterations.
    LoopVariable,
}

struct Decl {
    name: Name,
    kind: DeclKind,
    read: bool,
}

struct Scopes<'c> {
    cx: &'c Context<'c>,
    decls: Vec<Decl>,
    scopes: Vec<Vec<usize>>,
    findings: Vec<Finding>,
    /// Every name the function declares or reads: a rename to `_x` is offered as a fix only
    /// when `_x` is not among them (it would otherwise capture or clash with another variable).
    names: std::collections::HashSet<String>,
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for function in cx.functions() {
        let mut s = Scopes { cx, decls: Vec::new(), scopes: vec![Vec::new()], findings: Vec::new(), names: Default::default() };
        s.function(function);
        out.append(&mut s.findings);
    }
}

impl Scopes<'_> {
    fn function(&mut self, function: &Function) {
        for param in &function.params {
            self.declare(&param.name, if param.name.text == "self" { DeclKind::Exempt } else { DeclKind::Param });
        }
        self.block(&function.body);
        self.report_unused();
    }

    fn block(&mut self, block: &[Stmt]) {
        self.scopes.push(Vec::new());
        for stmt in block {
            self.stmt(stmt);
        }
        self.scopes.pop();
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Let { name, value, output, .. } => {
                self.reads(value);
                let kind = if *output || matches!(value.kind, ExprKind::Sample(_)) { DeclKind::Exempt } else { DeclKind::Let };
                self.declare(name, kind);
            }
            StmtKind::LetPattern { pattern, value } => {
                self.reads(value);
                self.pattern(pattern, DeclKind::Binding);
            }
            StmtKind::Assign { target, value } => {
                lvalue_indices(target).into_iter().for_each(|e| self.reads(e));
                self.reads(value);
            }
            StmtKind::For { binding, iterable, body } => {
                match iterable {
                    Iterable::Expr(e) => self.reads(e),
                    Iterable::Range { .. } => stmt_exprs(&stmt.kind).into_iter().for_each(|e| self.reads(e)),
                }
                self.scopes.push(Vec::new());
                self.pattern(binding, DeclKind::LoopVariable);
                self.block(body);
                self.scopes.pop();
            }
            StmtKind::Match { value, cases } => {
                self.reads(value);
                for case in cases {
                    self.scopes.push(Vec::new());
                    self.pattern(&case.pattern, DeclKind::Binding);
                    case.guard.iter().for_each(|g| self.reads(g));
                    self.block(&case.body);
                    self.scopes.pop();
                }
            }
            StmtKind::Try { body, catches, finally } => {
                self.block(body);
                for catch in catches {
                    self.scopes.push(Vec::new());
                    catch.variable.iter().for_each(|v| self.declare(v, DeclKind::Binding));
                    self.block(&catch.body);
                    self.scopes.pop();
                }
                finally.iter().for_each(|f| self.block(f));
            }
            other => {
                stmt_exprs(other).into_iter().for_each(|e| self.reads(e));
                super::walk::stmt_blocks(other).into_iter().for_each(|b| self.block(b));
            }
        }
    }

    fn pattern(&mut self, pattern: &Pattern, kind: DeclKind) {
        match &pattern.kind {
            PatternKind::Bind(name) => self.declare(name, kind),
            PatternKind::Tuple(items) => items.iter().for_each(|p| self.pattern(p, kind)),
            PatternKind::Record { fields, .. } => fields.iter().for_each(|(_, p)| self.pattern(p, kind)),
            PatternKind::Enum { payload, .. } => payload.iter().for_each(|p| self.pattern(p, kind)),
            PatternKind::Wildcard | PatternKind::Int(_) | PatternKind::Str(_) | PatternKind::Bool(_) => {}
        }
    }

    /// Marks every variable read by `e`.
    fn reads(&mut self, e: &crate::ast::Expr) {
        each_expr(e, &mut |e| {
            let ExprKind::Var(name) = &e.kind else { return };
            self.names.insert(name.text.clone());
            if let Some(i) = self.lookup(&name.text)
                && let Some(decl) = self.decls.get_mut(i)
            {
                decl.read = true;
            }
        });
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        self.scopes.iter().rev().flat_map(|s| s.iter().rev()).copied().find(|&i| self.decls.get(i).is_some_and(|d| d.name.text == name))
    }

    fn declare(&mut self, name: &Name, kind: DeclKind) {
        if !name.text.starts_with('_')
            && let Some(earlier) = self.lookup(&name.text).and_then(|i| self.decls.get(i))
        {
            let finding = Finding::new(Code::L0004, name.span, format!("`{}` shadows an earlier variable", name.text), "this declaration hides the earlier one")
                .secondary(earlier.name.span, "the earlier declaration")
                .hint("give the new variable a name of its own, so each name means one thing");
            self.findings.push(finding);
        }
        self.names.insert(name.text.clone());
        self.decls.push(Decl { name: name.clone(), kind, read: false });
        let index = self.decls.len() - 1;
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(index);
        }
    }

    fn report_unused(&mut self) {
        let findings: Vec<Finding> = self.decls.iter().filter(|d| !d.read).filter_map(|d| self.unused(d)).collect();
        self.findings.extend(findings);
    }

    fn unused(&self, decl: &Decl) -> Option<Finding> {
        let name = &decl.name;
        if self.is_result(name) {
            let title = format!("The `Result` in `{}` is never examined", name.text);
            let finding = Finding::new(Code::L0009, name.span, title, "bound here and never read");
            return Some(finding.hint("match on it, or use `propagate` to pass its error on; an ignored error is lost"));
        }
        if name.text.starts_with('_') {
            return None;
        }
        let finding = match decl.kind {
            DeclKind::Let | DeclKind::Binding => Finding::new(Code::L0001, name.span, format!("Unused variable `{}`", name.text), "never read")
                .hint(format!("remove it, or name it `_{}` if it is unused on purpose", name.text)),
            DeclKind::Param => Finding::new(Code::L0003, name.span, format!("Unused parameter `{}`", name.text), "never read")
                .hint(format!("remove it, or name it `_{}` if the signature must keep it", name.text)),
            DeclKind::Exempt | DeclKind::LoopVariable => return None,
        };
        let new_name = format!("_{}", name.text);
        if self.names.contains(&new_name) {
            return Some(finding);
        }
        Some(finding.fix(vec![Edit::replace(name.span, format!("\"{new_name}\""))]))
    }

    fn is_result(&self, name: &Name) -> bool {
        match self.cx.type_at(name.span) {
            Some(Ty::Adt(id, _)) => self.cx.typed.adts.get(id.0 as usize).is_some_and(|a| a.builtin == Some(BuiltinAdt::Result)),
            _ => false,
        }
    }
}
