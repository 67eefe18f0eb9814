//! Checking function bodies: scopes, statements and control flow.
//!
//! Every `let` makes a new local with its own [`LocalId`], so shadowing is resolved here and
//! later phases never see two variables with one name. Each statement reports whether control
//! can continue after it ([`Flow`]); that decides missing returns (E0305) and unreachable code
//! (W0002, whose statements are checked but dropped so that Zig never sees them).

use super::expr::Expect;
use super::{Checker, FnState, TypeError};
use crate::ast::{self, StmtKind as S};
use crate::span::Span;
use crate::typed::{self, Block, Local, LocalId, Place, Projection, Stmt, StmtKind as T};
use crate::types::{F64, Ty};

/// How to use a modelling block from the REPL, where a statement is not in a model.
const MODEL_BLOCK_HINT: &str = "a modelling block makes a model: write it in a function's body (in the REPL, define the function with `{\"functions\": {...}}`) and fit that function with `infer`";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    Diverges,
}

impl Flow {
    fn both(a: Flow, b: Flow) -> Flow {
        if a == Flow::Diverges && b == Flow::Diverges { Flow::Diverges } else { Flow::Normal }
    }
}

impl<'a> Checker<'a> {
    pub(crate) fn check_function(&mut self, id: typed::FuncId, function: &'a ast::Function) -> typed::Function {
        let sig = self.sig(id).clone();
        self.f = FnState {
            ret: sig.ret.clone(),
            ret_span: function.ret.as_ref().map(|r| r.span),
            name: sig.name.clone(),
            type_params: sig.type_params.clone(),
            ..FnState::default()
        };
        let errors_before = self.errors.len();
        self.push_scope();
        let params = function
            .params
            .iter()
            .zip(&sig.params)
            .map(|(p, ty)| self.declare(&p.name.text, ty.clone(), false, p.name.span))
            .collect();
        let (body, flow) = self.block(&function.body);
        self.pop_scope();
        if flow == Flow::Normal && sig.ret != Ty::Void && !sig.ret.is_invalid() {
            self.error(TypeError::MissingReturn { span: function.name.span, name: sig.name.clone(), ret: self.show(&sig.ret) });
        }
        let mut out = typed::Function {
            name: sig.name,
            type_params: sig.type_params,
            params,
            ret: sig.ret,
            locals: std::mem::take(&mut self.f.locals),
            body,
            is_async: sig.is_async,
            span: function.span,
            method_of: self.out.functions[id.0 as usize].method_of.clone(),
        };
        let used = std::mem::take(&mut self.f.used);
        self.finish_function(&mut out);
        // Unused-variable warnings only for functions without errors: a broken statement often
        // leaves a variable unread.
        if self.errors.len() == errors_before {
            self.report_unused(&out, &used);
        }
        out
    }

    /// W0003 for `let` variables and pattern bindings that are never read. Names starting with
    /// `_`, loop variables, `output` lets and model parameters (a `let` of a `sample`, which
    /// matters for the posterior even when unread) are exempt.
    fn report_unused(&mut self, function: &typed::Function, used: &[bool]) {
        let body = &function.body;
        let mut bound: Vec<LocalId> = Vec::new();
        typed::walk(body, &mut |stmt, _| match stmt {
            T::Let { local, value, output } if !*output && !matches!(value.kind, typed::ExprKind::Sample { .. }) => bound.push(*local),
            T::LetPattern { pattern, .. } => pattern_bindings(pattern, &mut bound),
            T::Match { arms, .. } => arms.iter().for_each(|a| pattern_bindings(&a.pattern, &mut bound)),
            _ => {}
        });
        for local in bound {
            let i = local.0 as usize;
            let Some(decl) = function.locals.get(i) else { continue };
            if !used.get(i).copied().unwrap_or(true) && !decl.name.starts_with('_') {
                let (span, name) = (decl.span, decl.name.clone());
                self.error(TypeError::UnusedVariable { span, name });
            }
        }
    }

    // ----- Scopes -------------------------------------------------------------------------------

    pub(crate) fn push_scope(&mut self) {
        self.f.scopes.push(Vec::new());
    }

    pub(crate) fn pop_scope(&mut self) {
        self.f.scopes.pop();
    }

    pub(crate) fn declare(&mut self, name: &str, ty: Ty, mutable: bool, span: Span) -> LocalId {
        let id = LocalId(u32::try_from(self.f.locals.len()).unwrap_or(u32::MAX));
        self.f.locals.push(Local { name: name.to_string(), ty, mutable, span });
        self.f.used.push(false);
        if let Some(scope) = self.f.scopes.last_mut() {
            scope.push((name.to_string(), id));
        }
        id
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<LocalId> {
        self.f.scopes.iter().rev().flat_map(|s| s.iter().rev()).find(|(n, _)| n == name).map(|(_, id)| *id)
    }

    /// Checks a block in its own scope.
    pub(crate) fn scoped_block(&mut self, stmts: &[ast::Stmt]) -> (Block, Flow) {
        self.push_scope();
        let result = self.block(stmts);
        self.pop_scope();
        result
    }

    fn block(&mut self, stmts: &[ast::Stmt]) -> (Block, Flow) {
        let mut out = Vec::new();
        let mut flow = Flow::Normal;
        let mut warned = false;
        for stmt in stmts {
            if matches!(stmt.kind, S::Comment) {
                continue;
            }
            let (typed, stmt_flow) = self.stmt(stmt);
            if flow == Flow::Diverges {
                if !warned {
                    self.error(TypeError::UnreachableCode { span: stmt.span });
                    warned = true;
                }
                continue;
            }
            if let Some(t) = typed {
                out.push(t);
            }
            flow = stmt_flow;
        }
        (out, flow)
    }

    // ----- Statements ---------------------------------------------------------------------------

    fn stmt(&mut self, stmt: &ast::Stmt) -> (Option<Stmt>, Flow) {
        let span = stmt.span;
        let wrap = |kind: T| Some(Stmt { kind, span });
        match &stmt.kind {
            S::Let { name, ty, value, mutable, output } => (wrap(self.let_stmt(name, ty.as_ref(), value, *mutable, *output)), Flow::Normal),
            S::LetPattern { pattern, value } => (self.let_pattern(pattern, value, span).and_then(wrap), Flow::Normal),
            S::Assign { target, value } => (self.assign(target, value).and_then(wrap), Flow::Normal),
            S::If { cond, then_body, else_body } => {
                let cond = self.value(cond, &Expect::ty(Ty::Bool));
                let (then_body, then_flow) = self.scoped_block(then_body);
                let (else_body, else_flow) = match else_body {
                    Some(b) => self.scoped_block(b),
                    None => (Vec::new(), Flow::Normal),
                };
                (wrap(T::If { cond, then_body, else_body }), Flow::both(then_flow, else_flow))
            }
            S::While { cond, body } => self.while_stmt(cond, body, span),
            S::For { binding, iterable, body } => (self.for_stmt(binding, iterable, body).and_then(wrap), Flow::Normal),
            S::Match { value, cases } => self.match_stmt(value, cases, span),
            S::Return(value) => (wrap(self.return_stmt(value.as_ref(), span)), Flow::Diverges),
            S::Break | S::Continue => {
                let keyword = if matches!(stmt.kind, S::Break) { "break" } else { "continue" };
                if self.f.loop_depth == 0 {
                    self.error(TypeError::OutsideLoop { span, keyword });
                    return (None, Flow::Normal);
                }
                if keyword == "break" {
                    self.note_break();
                }
                (wrap(if keyword == "break" { T::Break } else { T::Continue }), Flow::Diverges)
            }
            S::Expr(e) => (wrap(self.expr_stmt(e)), Flow::Normal),
            S::Try { body, catches, finally } => self.try_stmt(body, catches, finally.as_deref(), span),
            S::Throw(value) => (wrap(self.throw_stmt(value)), Flow::Diverges),
            S::Observe { dist, value } => (self.observe(dist, value).map(|k| Stmt { kind: k, span }), Flow::Normal),
            S::Factor(value) => (wrap(T::Factor(self.value(value, &Expect::ty(F64)))), Flow::Normal),
            S::ProbAssert { cond, confidence, confidence_span } => {
                let cond = self.value(cond, &Expect::ty(Ty::Bool));
                if !(*confidence > 0.0 && *confidence <= 1.0) {
                    let message = format!("the confidence must be in (0, 1], not {confidence}");
                    self.error(TypeError::ProbMisuse { span: *confidence_span, message, hint: None });
                }
                (wrap(T::ProbAssert { cond, confidence: *confidence }), Flow::Normal)
            }
            S::Comment => (None, Flow::Normal),
            // `blocks::desugar` rewrites these in a program; only a REPL input can still hold one.
            S::Hierarchical(block) => {
                let message = "a `hierarchical` block is rewritten only in a program's functions, not here".to_string();
                self.error(TypeError::ProbMisuse { span: block.span, message, hint: Some(MODEL_BLOCK_HINT.to_string()) });
                (None, Flow::Normal)
            }
            S::Graphical(model) => {
                let message = "a graphical `model` is rewritten only in a program's functions, not here".to_string();
                self.error(TypeError::ProbMisuse { span: model.span, message, hint: Some(MODEL_BLOCK_HINT.to_string()) });
                (None, Flow::Normal)
            }
        }
    }

    fn let_stmt(&mut self, name: &ast::Name, ty: Option<&ast::TypeExpr>, value: &ast::Expr, mutable: bool, output: bool) -> T {
        let declared = ty.map(|t| {
            let params: Vec<String> = self.f.type_params.iter().map(|p| p.name.clone()).collect();
            (self.resolve_type(t, &params), t.span)
        });
        let typed = match &declared {
            Some((t, span)) => self.value(value, &Expect::because(t.clone(), *span, "the declared type")),
            None => self.value(value, &Expect::none()),
        };
        let untyped_literal = declared.is_none() && matches!(self.f.unifier.var_kind(&typed.ty), Some(super::infer::VarKind::IntLit | super::infer::VarKind::FloatLit));
        let local_ty = declared.map_or_else(|| typed.ty.clone(), |(t, _)| t);
        let local = self.declare(&name.text, local_ty, mutable, name.span);
        if untyped_literal {
            self.f.literal_lets.push((local, name.span));
        }
        T::Let { local, value: typed, output }
    }

    fn let_pattern(&mut self, pattern: &ast::Pattern, value: &ast::Expr, span: Span) -> Option<T> {
        let typed = self.value(value, &Expect::none());
        let ty = self.f.unifier.default_literals(&typed.ty);
        let pat = self.pattern(pattern, &ty);
        let (decision, missing) = self.decide(&ty, &[(pat.clone(), false)]);
        if !missing.is_empty() {
            self.error(TypeError::NonExhaustive { span, missing });
        }
        drop(decision);
        Some(T::LetPattern { pattern: pat, value: typed })
    }

    fn assign(&mut self, target: &ast::LValue, value: &ast::Expr) -> Option<T> {
        let place = self.place(target);
        let expected = place.as_ref().map_or(Ty::Invalid, |p| p.ty.clone());
        let typed = self.value(value, &Expect::ty(expected));
        Some(T::Assign { place: place?, value: typed })
    }

    fn place(&mut self, lv: &ast::LValue) -> Option<Place> {
        match &lv.kind {
            ast::LValueKind::Var(name) => {
                let Some(id) = self.lookup(&name.text) else {
                    let candidates: Vec<String> = self.f.scopes.iter().flatten().map(|(n, _)| n.clone()).collect();
                    let suggestion = crate::diagnostic::did_you_mean(&name.text, candidates.iter().map(String::as_str));
                    self.error(TypeError::UnknownVariable { span: name.span, name: name.text.clone(), suggestion });
                    return None;
                };
                let local = self.f.locals[id.0 as usize].clone();
                if !local.mutable {
                    self.error(TypeError::AssignImmutable { span: lv.span, name: local.name, definition: local.span });
                }
                Some(Place { root: id, projections: Vec::new(), ty: local.ty })
            }
            ast::LValueKind::Field { base, field } => {
                let mut place = self.place(base)?;
                let ty = self.f.unifier.resolve(&place.ty);
                let (index, field_ty) = self.field_of(&ty, field)?;
                place.projections.push(Projection::Field { index, ty: field_ty.clone() });
                place.ty = field_ty;
                Some(place)
            }
            ast::LValueKind::Index { base, index } => {
                let mut place = self.place(base)?;
                let idx = self.int_arg(index);
                let ty = self.f.unifier.resolve(&place.ty);
                let Ty::Array(element) = ty else {
                    self.error(TypeError::NotIndexable { span: base.span, ty: self.show(&ty) });
                    return None;
                };
                place.projections.push(Projection::Index { index: idx, ty: (*element).clone() });
                place.ty = *element;
                Some(place)
            }
        }
    }

    fn while_stmt(&mut self, cond: &ast::Expr, body: &[ast::Stmt], span: Span) -> (Option<Stmt>, Flow) {
        let typed_cond = self.value(cond, &Expect::ty(Ty::Bool));
        let (body, broke) = self.loop_body(body);
        let infinite = matches!(cond.kind, ast::ExprKind::Bool(true)) && !broke;
        let flow = if infinite { Flow::Diverges } else { Flow::Normal };
        (Some(Stmt { kind: T::While { cond: typed_cond, body }, span }), flow)
    }

    /// Checks a loop body; reports whether it contains a `break` for this loop.
    fn loop_body(&mut self, body: &[ast::Stmt]) -> (Block, bool) {
        self.f.loop_depth += 1;
        self.f.breaks.push(false);
        let (typed, _) = self.scoped_block(body);
        self.f.loop_depth -= 1;
        (typed, self.f.breaks.pop().unwrap_or(false))
    }

    fn note_break(&mut self) {
        if let Some(last) = self.f.breaks.last_mut() {
            *last = true;
        }
    }

    fn for_stmt(&mut self, binding: &ast::Pattern, iterable: &ast::Iterable, body: &[ast::Stmt]) -> Option<T> {
        match iterable {
            ast::Iterable::Range { start, end, step, inclusive, .. } => {
                let start = self.value(start, &Expect::none());
                let end = self.value(end, &Expect::ty(start.ty.clone()));
                let step = step.as_ref().map(|s| self.value(s, &Expect::ty(start.ty.clone())));
                let ty = self.f.unifier.default_literals(&start.ty);
                if !ty.is_int() && !ty.is_invalid() {
                    self.error(TypeError::Mismatch { span: start.span, expected: "an integer".into(), found: self.show(&ty), because: None, hint: None });
                }
                self.push_scope();
                let ast::PatternKind::Bind(name) = &binding.kind else {
                    self.error(TypeError::PatternMismatch { span: binding.span, ty: self.show(&ty), message: "a range binds one variable".into() });
                    self.pop_scope();
                    return None;
                };
                let var = self.declare(&name.text, ty, false, name.span);
                let (body, _) = self.loop_body(body);
                self.pop_scope();
                Some(T::ForRange { var, start, end, step, inclusive: *inclusive, body })
            }
            ast::Iterable::Expr(e) => {
                let iterable = self.value(e, &Expect::none());
                let ty = self.f.unifier.resolve(&iterable.ty);
                let element = match &ty {
                    Ty::Array(t) | Ty::Set(t) => (**t).clone(),
                    Ty::Map(k, v) => Ty::Tuple(vec![(**k).clone(), (**v).clone()]),
                    Ty::Invalid => Ty::Invalid,
                    other => {
                        self.error(TypeError::NotIterable { span: iterable.span, ty: self.show(other) });
                        Ty::Invalid
                    }
                };
                self.push_scope();
                let pattern = self.pattern(binding, &element);
                let (_, missing) = self.decide(&element, &[(pattern.clone(), false)]);
                if !missing.is_empty() {
                    self.error(TypeError::NonExhaustive { span: binding.span, missing });
                }
                let (body, _) = self.loop_body(body);
                self.pop_scope();
                Some(T::ForEach { binding: pattern, iterable, body })
            }
        }
    }

    fn match_stmt(&mut self, value: &ast::Expr, cases: &[ast::MatchCase], span: Span) -> (Option<Stmt>, Flow) {
        let scrutinee = self.value(value, &Expect::none());
        // Integer patterns do not depend on the width, so an integer literal's type stays open
        // for a later use to choose (its patterns are range-checked once it is known).
        let ty = if self.f.unifier.var_kind(&scrutinee.ty) == Some(super::infer::VarKind::IntLit) {
            scrutinee.ty.clone()
        } else {
            self.f.unifier.default_literals(&scrutinee.ty)
        };
        let mut arms = Vec::new();
        let mut flow = Flow::Diverges;
        let mut bad_pattern = false;
        for case in cases {
            self.push_scope();
            let errors_before = self.errors.len();
            let pattern = self.pattern(&case.pattern, &ty);
            bad_pattern |= self.errors.len() > errors_before;
            let guard = case.guard.as_ref().map(|g| self.value(g, &Expect::ty(Ty::Bool)));
            let (body, arm_flow) = self.scoped_block(&case.body);
            self.pop_scope();
            flow = Flow::both(flow, arm_flow);
            arms.push(typed::Arm { pattern, guard, body, span: case.span });
        }
        let rows: Vec<(typed::Pat, bool)> = arms.iter().map(|a| (a.pattern.clone(), a.guard.is_some())).collect();
        let (decision, missing) = self.decide(&ty, &rows);
        // A non-exhaustive match is reported once (E0317); its arms still decide whether the
        // statement diverges, so no "missing return" follows from it.
        if !missing.is_empty() && !ty.is_invalid() {
            self.error(TypeError::NonExhaustive { span: scrutinee.span, missing });
        }
        // A pattern that failed to check stands in as a wildcard: reachability would be wrong.
        let mut reachable = Vec::new();
        decision.reachable_arms(&mut reachable);
        for (i, arm) in arms.iter().enumerate() {
            if !reachable.contains(&i) && !bad_pattern {
                self.error(TypeError::UnreachableArm { span: arm.span });
            }
        }
        if cases.is_empty() {
            flow = Flow::Normal;
        }
        (Some(Stmt { kind: T::Match { scrutinee, arms, decision }, span }), flow)
    }

    fn return_stmt(&mut self, value: Option<&ast::Expr>, span: Span) -> T {
        let ret = self.f.ret.clone();
        match (value, &ret) {
            (None, Ty::Void) => T::Return(None),
            (None, _) => {
                let message = format!("`{}` returns `{}`, so `return` needs a value", self.f.name, self.show(&ret));
                self.error(TypeError::BadReturn { span, message, ret_span: self.f.ret_span });
                T::Return(None)
            }
            (Some(v), Ty::Void) => {
                let typed = self.expr(v, &Expect::none());
                if self.f.unifier.resolve(&typed.ty) != Ty::Void {
                    let message = format!("`{}` returns nothing, but this returns a value", self.f.name);
                    self.error(TypeError::BadReturn { span: v.span, message, ret_span: None });
                }
                T::Return(None)
            }
            (Some(v), _) => {
                let because = self.f.ret_span.map(|s| (s, "the function's return type".to_string()));
                let typed = self.value(v, &Expect { ty: Some(ret), because, soft: false });
                T::Return(Some(typed))
            }
        }
    }

    fn expr_stmt(&mut self, e: &ast::Expr) -> T {
        let typed = self.expr(e, &Expect::none());
        let ty = self.f.unifier.resolve(&typed.ty);
        if let Ty::Adt(super::env::RESULT, _) = ty {
            self.error(TypeError::UnusedResult { span: typed.span, ty: self.show(&ty) });
        }
        T::Expr(typed)
    }

    fn try_stmt(&mut self, body: &[ast::Stmt], catches: &[ast::Catch], finally: Option<&[ast::Stmt]>, span: Span) -> (Option<Stmt>, Flow) {
        let (body, body_flow) = self.scoped_block(body);
        let mut flow = body_flow;
        let mut typed_catches = Vec::new();
        for catch in catches {
            let error_type = catch.error_type.as_ref().and_then(|t| self.error_type(t));
            self.push_scope();
            let var_ty = Ty::Adt(error_type.unwrap_or(super::env::ERROR), Vec::new());
            let variable = catch.variable.as_ref().map(|v| self.declare(&v.text, var_ty, false, v.span));
            let (catch_body, catch_flow) = self.scoped_block(&catch.body);
            self.pop_scope();
            flow = Flow::both(flow, catch_flow);
            typed_catches.push(typed::CatchArm { error_type, variable, body: catch_body });
        }
        // An exception that no clause catches leaves the statement by propagating, so the
        // clauses do not need a catch-all for the statement to diverge.
        // A `finally` block cannot jump away (E0329), so it never changes how the statement ends.
        let finally = match finally {
            Some(f) => self.scoped_block(f).0,
            None => Vec::new(),
        };
        self.check_finally_exits(&finally, 0);
        (Some(Stmt { kind: T::Try { body, catches: typed_catches, finally }, span }), flow)
    }

    /// Reports statements that would leave a `finally` block early: `return`, `throw`, and
    /// `break`/`continue` that are not inside a loop of the block itself.
    fn check_finally_exits(&mut self, block: &[Stmt], loop_depth: usize) {
        for stmt in block {
            let what = match &stmt.kind {
                T::Return(_) => Some("return"),
                T::Throw(_) => Some("throw"),
                T::Break if loop_depth == 0 => Some("break"),
                T::Continue if loop_depth == 0 => Some("continue"),
                _ => None,
            };
            if let Some(what) = what {
                self.error(TypeError::LeavesFinally { span: stmt.span, what });
            }
            let is_loop = matches!(stmt.kind, T::While { .. } | T::ForRange { .. } | T::ForEach { .. });
            for nested in typed::stmt_blocks(&stmt.kind) {
                self.check_finally_exits(nested, loop_depth + usize::from(is_loop));
            }
        }
    }

    fn error_type(&mut self, name: &ast::Name) -> Option<crate::types::AdtId> {
        let id = self.adt_by_name(&name.text);
        match id {
            Some(id) if self.out.adt(id).is_error => Some(id),
            _ => {
                let candidates: Vec<&str> = self.out.adts.iter().filter(|a| a.is_error).map(|a| a.name.as_str()).collect();
                let suggestion = crate::diagnostic::did_you_mean(&name.text, candidates);
                self.error(TypeError::UnknownType { span: name.span, name: name.text.clone(), suggestion });
                None
            }
        }
    }

    fn throw_stmt(&mut self, value: &ast::Expr) -> T {
        let typed = self.value(value, &Expect::none());
        let ty = self.f.unifier.resolve(&typed.ty);
        let throwable = match &ty {
            Ty::Str | Ty::Invalid => true,
            Ty::Adt(id, _) => self.out.adt(*id).is_error,
            _ => false,
        };
        if !throwable {
            self.error(TypeError::ThrowNotError { span: typed.span, ty: self.show(&ty) });
        }
        T::Throw(typed)
    }

    fn observe(&mut self, dist: &ast::DistExpr, value: &ast::Expr) -> Option<T> {
        let (typed_dist, typed_value) = self.dist_and_value(dist, value)?;
        Some(T::Observe { dist: typed_dist, value: typed_value })
    }
}

fn pattern_bindings(p: &typed::Pat, out: &mut Vec<LocalId>) {
    match p {
        typed::Pat::Bind(l) => out.push(*l),
        typed::Pat::Tuple(items) => items.iter().for_each(|i| pattern_bindings(i, out)),
        typed::Pat::Record { fields } => fields.iter().for_each(|(_, f)| pattern_bindings(f, out)),
        typed::Pat::Variant { payload: Some(inner), .. } => pattern_bindings(inner, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::Flow;

    #[test]
    fn both_diverge_only_when_both_do() {
        assert_eq!(Flow::both(Flow::Diverges, Flow::Diverges), Flow::Diverges);
        assert_eq!(Flow::both(Flow::Diverges, Flow::Normal), Flow::Normal);
    }
}
