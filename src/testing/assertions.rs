//! `assert(c)`, `assert_eq(a, b)`, `assert_approx(a, b, tolerance)` and
//! `assert_posterior(fit, name, lo, hi, confidence)` as statements, rewritten into lets, a
//! condition and a `throw` of `AssertionFailed` whose message shows the values
//! (`assert_eq failed: left = 3, right = 4`). Every node made here carries the span
//! of the assertion, so a fault, or a type error in an operand, points at the assertion.

use crate::ast::{BinOp, Expr, ExprKind, Function, Name, Program, Stmt, StmtKind, TypeDecl, TypeDeclKind, TypeExpr, TypeExprKind, UnOp};
use crate::span::Span;

/// The error type thrown by a failing assertion.
pub const ASSERTION_ERROR: &str = "AssertionFailed";
const ASSERTIONS: &[&str] = &["assert", "assert_eq", "assert_approx", "assert_posterior"];

/// How many Monte Carlo standard errors the estimated probability of `assert_posterior` may lie
/// below the claimed confidence before the claim counts as refuted: a true claim fails from
/// Monte Carlo noise alone with probability about 0.13 % (one-sided normal tail at 3).
pub const POSTERIOR_MCSE_MARGIN: f64 = 3.0;

/// Rewrites every assertion statement of the program's functions and implementations, and
/// declares `AssertionFailed` if an assertion was found. A program that defines a function
/// named like an assertion, or a type named `AssertionFailed`, is left as it is.
pub fn desugar_assertions(program: &mut Program) {
    let user_defined = program.functions.iter().any(|f| ASSERTIONS.contains(&f.name.text.as_str()));
    if user_defined || program.types.iter().any(|t| t.name.text == ASSERTION_ERROR) {
        return;
    }
    let mut rewriter = Rewriter { count: 0 };
    for f in program.functions.iter_mut().chain(program.impls.iter_mut().flat_map(|i| i.methods.iter_mut())) {
        rewriter.function(f);
    }
    if rewriter.count > 0 {
        let span = program.span;
        let message = TypeExpr { kind: TypeExprKind::Named { name: Name::new("str", span), args: Vec::new() }, span };
        program.types.push(TypeDecl { name: Name::new(ASSERTION_ERROR, span), params: Vec::new(), kind: TypeDeclKind::Error { message: Some(message) }, doc: None, span });
    }
}

struct Rewriter {
    /// Assertions rewritten so far (numbers the generated variables).
    count: usize,
}

impl Rewriter {
    fn function(&mut self, f: &mut Function) {
        let body = std::mem::take(&mut f.body);
        f.body = self.block(body);
    }

    fn block(&mut self, block: Vec<Stmt>) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(block.len());
        for mut stmt in block {
            if let Some(expanded) = self.assertion(&stmt) {
                out.extend(expanded);
                continue;
            }
            self.nested(&mut stmt.kind);
            out.push(stmt);
        }
        out
    }

    fn nested(&mut self, kind: &mut StmtKind) {
        kind.rewrite_nested_blocks(|block| self.block(block));
    }

    /// The statements replacing `stmt` when it is an assertion with the right number of
    /// arguments (any other use is left for the checker to report).
    fn assertion(&mut self, stmt: &Stmt) -> Option<Vec<Stmt>> {
        let StmtKind::Expr(Expr { kind: ExprKind::Call { func, type_args, args }, span }) = &stmt.kind else { return None };
        if !type_args.is_empty() {
            return None;
        }
        let span = *span;
        match (func.text.as_str(), args.as_slice()) {
            ("assert", [cond]) => {
                self.count += 1;
                let failed = unary(UnOp::Not, cond.clone(), span);
                Some(vec![fail_if(failed, vec![text("assert failed: the condition is false", span)], span)])
            }
            ("assert_eq", [left, right]) => {
                let (l, r) = (self.bind("left", left, span), self.bind("right", right, span));
                let failed = binary(BinOp::Ne, var(&l.0, span), var(&r.0, span), span);
                let message = vec![text("assert_eq failed: left = ", span), shown(&l.0, span), text(", right = ", span), shown(&r.0, span)];
                Some(vec![l.1, r.1, fail_if(failed, message, span)])
            }
            ("assert_approx", [left, right, tolerance]) => {
                let (l, r, t) = (self.bind("left", left, span), self.bind("right", right, span), self.bind("tolerance", tolerance, span));
                let distance = call("math_abs", vec![binary(BinOp::Sub, var(&l.0, span), var(&r.0, span), span)], span);
                // `not (d <= t)` rather than `d > t`, so that NaN fails.
                let failed = unary(UnOp::Not, binary(BinOp::Le, distance, var(&t.0, span), span), span);
                let message = vec![
                    text("assert_approx failed: left = ", span),
                    shown(&l.0, span),
                    text(", right = ", span),
                    shown(&r.0, span),
                    text(", tolerance = ", span),
                    shown(&t.0, span),
                ];
                Some(vec![l.1, r.1, t.1, fail_if(failed, message, span)])
            }
            ("assert_posterior", [fit, name, lo, hi, confidence]) => Some(self.posterior(fit, name, lo, hi, confidence, span)),
            _ => None,
        }
    }

    /// `assert_posterior(fit, name, lo, hi, confidence)`: the claim Pr(lo <= name <= hi) >=
    /// confidence fails when the estimate from the draws (`posterior_prob`) plus
    /// [`POSTERIOR_MCSE_MARGIN`] Monte Carlo standard errors (`posterior_prob_mcse`) is below
    /// the confidence, or when the confidence is not in [0, 1].
    fn posterior(&mut self, fit: &Expr, name: &Expr, lo: &Expr, hi: &Expr, confidence: &Expr, span: Span) -> Vec<Stmt> {
        let (f, n) = (self.bind("fit", fit, span), self.bind("name", name, span));
        let (l, h, c) = (self.bind("lo", lo, span), self.bind("hi", hi, span), self.bind("confidence", confidence, span));
        let interval = |function: &str| call(function, vec![var(&f.0, span), var(&n.0, span), var(&l.0, span), var(&h.0, span)], span);
        let (p, se) = (self.bind("probability", &interval("posterior_prob"), span), self.bind("mcse", &interval("posterior_prob_mcse"), span));
        let float = |x: f64| Expr { kind: ExprKind::Float(x), span };
        let in_unit = binary(BinOp::And, binary(BinOp::Le, float(0.0), var(&c.0, span), span), binary(BinOp::Le, var(&c.0, span), float(1.0), span), span);
        let bad_confidence = fail_if(unary(UnOp::Not, in_unit, span), vec![text("assert_posterior: the confidence must be between 0 and 1, found ", span), shown(&c.0, span)], span);
        let upper = binary(BinOp::Add, var(&p.0, span), binary(BinOp::Mul, float(POSTERIOR_MCSE_MARGIN), var(&se.0, span), span), span);
        // `not (upper >= c)` rather than `upper < c`, so that NaN fails.
        let failed = unary(UnOp::Not, binary(BinOp::Ge, upper, var(&c.0, span), span), span);
        let message = vec![
            text("assert_posterior failed: Pr(", span),
            shown(&l.0, span),
            text(" <= ", span),
            var(&n.0, span),
            text(" <= ", span),
            shown(&h.0, span),
            text(") = ", span),
            shown(&p.0, span),
            text(" (Monte Carlo standard error ", span),
            shown(&se.0, span),
            text("), below the claimed confidence ", span),
            shown(&c.0, span),
        ];
        vec![f.1, n.1, l.1, h.1, c.1, bad_confidence, p.1, se.1, fail_if(failed, message, span)]
    }

    /// `let sev_assert_<role>_<n> = value`, returning the variable's name and the statement.
    fn bind(&mut self, role: &str, value: &Expr, span: Span) -> (String, Stmt) {
        self.count += 1;
        let name = format!("sev_assert_{role}_{}", self.count);
        let stmt = Stmt { kind: StmtKind::Let { name: Name::new(&name, span), ty: None, value: value.clone(), mutable: false, output: false }, span };
        (name, stmt)
    }
}

/// `if failed { throw AssertionFailed(concatenation of parts) }`.
fn fail_if(failed: Expr, parts: Vec<Expr>, span: Span) -> Stmt {
    let message = parts.into_iter().reduce(|acc, part| binary(BinOp::Add, acc, part, span)).unwrap_or_else(|| text("", span));
    let error = Expr { kind: ExprKind::ErrorValue { ty: Name::new(ASSERTION_ERROR, span), message: Some(Box::new(message)) }, span };
    let throw = Stmt { kind: StmtKind::Throw(error), span };
    Stmt { kind: StmtKind::If { cond: failed, then_body: vec![throw], else_body: None }, span }
}

fn shown(name: &str, span: Span) -> Expr {
    call("to_string", vec![var(name, span)], span)
}

fn call(function: &str, args: Vec<Expr>, span: Span) -> Expr {
    Expr { kind: ExprKind::Call { func: Name::new(function, span), type_args: Vec::new(), args }, span }
}

fn var(name: &str, span: Span) -> Expr {
    Expr { kind: ExprKind::Var(Name::new(name, span)), span }
}

fn text(s: &str, span: Span) -> Expr {
    Expr { kind: ExprKind::Str(s.to_string()), span }
}

fn unary(op: UnOp, arg: Expr, span: Span) -> Expr {
    Expr { kind: ExprKind::Unary { op, arg: Box::new(arg) }, span }
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr, span: Span) -> Expr {
    Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(text: &str) -> Program {
        crate::syntax::read("t.sirs.json", text.as_bytes()).program.expect("parses")
    }

    #[test]
    fn a_program_without_assertions_is_left_alone() {
        let mut p = program(r#"{"program": {"functions": {"main": {"body": [{"expression": {"call": {"function": "print", "args": [{"literal": 1}]}}}]}}}}"#);
        desugar_assertions(&mut p);
        assert!(p.types.is_empty(), "no error type is declared");
        assert_eq!(p.functions[0].body.len(), 1);
    }

    #[test]
    fn assert_eq_becomes_two_lets_and_a_guarded_throw() {
        let mut p = program(
            r#"{"program": {"functions": {"main": {"body": [{"if": {"condition": {"literal": true}, "then": [
                {"expression": {"call": {"function": "assert_eq", "args": [{"literal": 1}, {"literal": 2}]}}}]}}]}}}}"#,
        );
        desugar_assertions(&mut p);
        assert_eq!(p.types.len(), 1);
        assert_eq!(p.types[0].name.text, ASSERTION_ERROR);
        let StmtKind::If { then_body, .. } = &p.functions[0].body[0].kind else { panic!("an if") };
        assert!(matches!(then_body[0].kind, StmtKind::Let { .. }) && matches!(then_body[1].kind, StmtKind::Let { .. }));
        let StmtKind::If { then_body: fail, .. } = &then_body[2].kind else { panic!("a guarded throw") };
        assert!(matches!(fail[0].kind, StmtKind::Throw(_)));
    }
}
