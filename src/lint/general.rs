//! The general rules that need no scopes: unused functions (L0002), unreachable code (L0005),
//! constant conditions (L0006), float equality (L0007), division by zero (L0008),
//! self-assignment (L0010) and self-comparison (L0011).

use super::fix::Edit;
use super::walk::{each_expr, each_expr_in, each_stmt, stmt_blocks};
use super::{Context, Finding, is_float};
use crate::ast::{BinOp, Expr, ExprKind, LValueKind, Stmt, StmtKind, UnOp};
use crate::diagnostic::Code;
use std::collections::{HashMap, HashSet};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    unused_functions(cx, out);
    for function in cx.functions() {
        unreachable(&function.body, out);
        each_stmt(&function.body, &mut |stmt| statement_rules(stmt, out));
        each_expr_in(&function.body, &mut |e| expression_rules(cx, e, out));
    }
}

// ----- L0002 --------------------------------------------------------------------------------

/// Functions that no path from the entry (or from a trait implementation, a declared
/// distribution or a test function, which are called implicitly) reaches.
fn unused_functions(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(entry) = &cx.ast.entry else { return };
    let calls: HashMap<&str, HashSet<&str>> = cx.ast.functions.iter().map(|f| (f.name.text.as_str(), names_used(&f.body))).collect();
    let mut roots: Vec<&str> = vec![entry.text.as_str()];
    // `sev test` calls the test functions.
    let tests = crate::testing::test_functions(cx.ast);
    roots.extend(tests.iter().map(String::as_str));
    for method in cx.ast.impls.iter().flat_map(|i| i.methods.iter()) {
        roots.extend(names_used(&method.body));
    }
    for d in &cx.ast.distributions {
        roots.extend(d.log_density.iter().chain(d.sampler.iter()).map(|n| n.text.as_str()));
    }
    for c in &cx.ast.constants {
        each_expr(&c.value, &mut |e| roots.extend(name_of_use(e)));
    }
    let mut reached: HashSet<&str> = HashSet::new();
    while let Some(name) = roots.pop() {
        if reached.insert(name) {
            roots.extend(calls.get(name).into_iter().flatten().copied());
        }
    }
    for f in &cx.ast.functions {
        if !reached.contains(f.name.text.as_str()) && !f.name.text.starts_with('_') {
            let finding = Finding::new(Code::L0002, f.name.span, format!("Function `{}` is never used", f.name.text), "no call from the entry function reaches it");
            out.push(finding.hint("remove it, or call it"));
        }
    }
}

/// The names a body calls or refers to (calls, `infer` models, variables that may name functions).
fn names_used(body: &[Stmt]) -> HashSet<&str> {
    let mut out = HashSet::new();
    each_expr_in(body, &mut |e| out.extend(name_of_use(e)));
    out
}

fn name_of_use(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Call { func, .. } => Some(&func.text),
        ExprKind::Infer { model, .. } => Some(&model.text),
        ExprKind::Var(name) => Some(&name.text),
        _ => None,
    }
}

// ----- L0005 --------------------------------------------------------------------------------

/// Statements after one that always leaves the block, in every block.
fn unreachable(block: &[Stmt], out: &mut Vec<Finding>) {
    if let Some(at) = block.iter().position(always_leaves) {
        let rest: Vec<&Stmt> = block.iter().skip(at + 1).filter(|s| !matches!(s.kind, StmtKind::Comment)).collect();
        if let (Some(first), Some(last)) = (rest.first(), rest.last()) {
            let span = first.span.to(last.span);
            let edits = rest.iter().map(|s| Edit::delete_element(s.span)).collect();
            let finding = Finding::new(Code::L0005, span, "Unreachable code", "this never runs")
                .secondary(block[at].span, "control never gets past this statement")
                .hint("remove the unreachable statements")
                .fix(edits);
            out.push(finding);
        }
    }
    for stmt in block {
        for inner in stmt_blocks(&stmt.kind) {
            unreachable(inner, out);
        }
    }
}

/// Whether control never continues after `stmt` (a jump, or an `if` whose branches all jump).
fn always_leaves(stmt: &Stmt) -> bool {
    match &stmt.kind {
        StmtKind::Return(_) | StmtKind::Break | StmtKind::Continue | StmtKind::Throw(_) => true,
        StmtKind::If { then_body, else_body: Some(else_body), .. } => then_body.iter().any(always_leaves) && else_body.iter().any(always_leaves),
        _ => false,
    }
}

// ----- L0006, L0010 -------------------------------------------------------------------------

fn statement_rules(stmt: &Stmt, out: &mut Vec<Finding>) {
    match &stmt.kind {
        StmtKind::If { cond, .. } => constant_condition(cond, "`if`", out),
        // `while true` is the way to write a loop that ends with `break`; `while false` is not.
        StmtKind::While { cond, .. } if constant_value(cond) == Some(false) => constant_condition(cond, "`while`", out),
        StmtKind::Assign { target, value } => {
            if let (LValueKind::Var(t), ExprKind::Var(v)) = (&target.kind, &value.kind)
                && t.text == v.text
            {
                let finding = Finding::new(Code::L0010, stmt.span, format!("`{}` is assigned to itself", t.text), "this assignment changes nothing");
                out.push(finding.hint("remove it, or assign the value you meant").fix(vec![Edit::delete_element(stmt.span)]));
            }
        }
        _ => {}
    }
}

fn constant_condition(cond: &Expr, what: &str, out: &mut Vec<Finding>) {
    if let Some(value) = constant_value(cond) {
        let title = format!("The condition of this {what} is always {value}");
        let branch = if value { "the other branch never runs" } else { "its body never runs" };
        out.push(Finding::new(Code::L0006, cond.span, title, format!("always {value}: {branch}")).hint("remove the test and keep only the code that runs"));
    }
}

/// The value of a condition that does not depend on anything: a literal, `not` of one, or a
/// comparison of two literals.
fn constant_value(e: &Expr) -> Option<bool> {
    match &e.kind {
        ExprKind::Bool(b) => Some(*b),
        ExprKind::Unary { op: UnOp::Not, arg } => constant_value(arg).map(|b| !b),
        ExprKind::Binary { op, lhs, rhs } if op.is_comparison() => compare_literals(*op, number(lhs)?, number(rhs)?),
        ExprKind::Binary { op: BinOp::And, lhs, rhs } => Some(constant_value(lhs)? && constant_value(rhs)?),
        ExprKind::Binary { op: BinOp::Or, lhs, rhs } => Some(constant_value(lhs)? || constant_value(rhs)?),
        _ => None,
    }
}

fn number(e: &Expr) -> Option<f64> {
    match e.kind {
        ExprKind::Int(i) => Some(i as f64),
        ExprKind::Float(x) => Some(x),
        _ => None,
    }
}

fn compare_literals(op: BinOp, a: f64, b: f64) -> Option<bool> {
    match op {
        BinOp::Eq => Some(a == b),
        BinOp::Ne => Some(a != b),
        BinOp::Lt => Some(a < b),
        BinOp::Le => Some(a <= b),
        BinOp::Gt => Some(a > b),
        BinOp::Ge => Some(a >= b),
        _ => None,
    }
}

// ----- L0007, L0008, L0011 ------------------------------------------------------------------

fn expression_rules(cx: &Context<'_>, e: &Expr, out: &mut Vec<Finding>) {
    let ExprKind::Binary { op, lhs, rhs } = &e.kind else { return };
    let same_variable = matches!((&lhs.kind, &rhs.kind), (ExprKind::Var(a), ExprKind::Var(b)) if a.text == b.text);
    if matches!(op, BinOp::Eq | BinOp::Ne)
        && [lhs, rhs].iter().any(|x| cx.expr_type(x).is_some_and(is_float))
        && ![lhs, rhs].iter().any(|x| is_exact(x))
        && !same_variable
    {
        let finding = Finding::new(Code::L0007, e.span, "Floating-point values compared exactly", "rounding makes this test fragile");
        out.push(finding.hint("compare with a tolerance: `lt(abs(sub(a, b)), 1e-9)`"));
    }
    if matches!(op, BinOp::Div | BinOp::Mod) {
        division(rhs, out);
    }
    if op.is_comparison() && let (ExprKind::Var(a), ExprKind::Var(b)) = (&lhs.kind, &rhs.kind) && a.text == b.text {
        let finding = Finding::new(Code::L0011, e.span, format!("`{}` is compared with itself", a.text), "the result does not depend on the value");
        out.push(finding.hint("compare with the value you meant; to test for NaN use `math_is_nan`"));
    }
}

/// Operands a float may be compared with exactly: zero, and a value rounded to an integer.
fn is_exact(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Float(x) => *x == 0.0,
        ExprKind::Int(i) => *i == 0,
        ExprKind::Call { func, .. } => ROUNDING.contains(&func.text.as_str()),
        _ => false,
    }
}

/// Built-ins whose float result is a whole number.
const ROUNDING: &[&str] = &["math_floor", "math_ceil", "math_round", "math_trunc"];

/// A divisor that is the literal zero, or the length of a collection (zero when it is empty).
fn division(divisor: &Expr, out: &mut Vec<Finding>) {
    let inner = match &divisor.kind {
        ExprKind::Cast { value, .. } => value,
        _ => divisor,
    };
    if number(inner) == Some(0.0) {
        out.push(Finding::new(Code::L0008, divisor.span, "Division by zero", "this divisor is zero"));
    } else if let ExprKind::Call { func, .. } = &inner.kind
        && func.text == "len"
    {
        let finding = Finding::new(Code::L0008, inner.span, "Division by a length that can be zero", "zero when the collection is empty");
        out.push(finding.hint("test that the collection is not empty before dividing"));
    }
}
