//! Walking the AST for the lint rules: the direct children of an expression and of a
//! statement, so each rule can be a short recursive function or a visitor closure.

use crate::ast::{DistExpr, Expr, ExprKind, Iterable, LValue, LValueKind, Stmt, StmtKind};

/// The expressions directly inside `e` (not `e` itself), in evaluation order.
pub fn expr_children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Var(_) => Vec::new(),
        ExprKind::Unary { arg, .. } | ExprKind::Await(arg) | ExprKind::Propagate(arg) => vec![arg],
        ExprKind::Cast { value, .. } => vec![value],
        ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        ExprKind::Call { args, .. } | ExprKind::Infer { args, .. } => args.iter().collect(),
        ExprKind::MethodCall { receiver, args, .. } => std::iter::once(&**receiver).chain(args).collect(),
        ExprKind::Field { object, .. } => vec![object],
        ExprKind::Index { object, index } => vec![object, index],
        ExprKind::Array(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => items.iter().collect(),
        ExprKind::StructLit(fields) | ExprKind::Record { fields, .. } => fields.iter().map(|(_, v)| v).collect(),
        ExprKind::Update { base, fields } => std::iter::once(&**base).chain(fields.iter().map(|(_, v)| v)).collect(),
        ExprKind::Enum { value, .. } => value.iter().map(|v| &**v).collect(),
        ExprKind::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        ExprKind::Sample(s) => {
            let mut out = dist_exprs(&s.dist);
            out.extend([&s.size, &s.lower, &s.upper].into_iter().flatten());
            out
        }
        ExprKind::Cond { cond, then_value, else_value } => vec![cond, then_value, else_value],
        ExprKind::ErrorValue { message, .. } => message.iter().map(|m| &**m).collect(),
        ExprKind::LogDensity { dist, value } => {
            let mut out = dist_exprs(dist);
            out.push(value);
            out
        }
    }
}

/// The parameter, weight and component expressions of a distribution.
pub fn dist_exprs(d: &DistExpr) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = d.params.iter().collect();
    out.extend(d.weights.iter().map(|w| &**w));
    for c in &d.components {
        out.extend(dist_exprs(c));
    }
    out
}

/// Calls `f` on `e` and every expression inside it, parents first.
pub fn each_expr<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(e);
    for child in expr_children(e) {
        each_expr(child, f);
    }
}

/// The expressions a statement holds itself (not those of its nested blocks).
pub fn stmt_exprs(kind: &StmtKind) -> Vec<&Expr> {
    match kind {
        StmtKind::Let { value, .. } | StmtKind::LetPattern { value, .. } | StmtKind::Expr(value) | StmtKind::Throw(value) | StmtKind::Factor(value) => {
            vec![value]
        }
        StmtKind::Assign { target, value } => {
            let mut out = lvalue_indices(target);
            out.push(value);
            out
        }
        StmtKind::If { cond, .. } | StmtKind::While { cond, .. } | StmtKind::ProbAssert { cond, .. } => vec![cond],
        StmtKind::For { iterable: Iterable::Expr(e), .. } => vec![e],
        StmtKind::For { iterable: Iterable::Range { start, end, step, .. }, .. } => [Some(start), Some(end), step.as_ref()].into_iter().flatten().collect(),
        StmtKind::Match { value, cases } => std::iter::once(value).chain(cases.iter().filter_map(|c| c.guard.as_ref())).collect(),
        StmtKind::Return(value) => value.iter().collect(),
        StmtKind::Observe { dist, value } => {
            let mut out = dist_exprs(dist);
            out.push(value);
            out
        }
        StmtKind::Break | StmtKind::Continue | StmtKind::Try { .. } | StmtKind::Comment | StmtKind::Hierarchical(_) | StmtKind::Graphical(_) => Vec::new(),
    }
}

/// The index expressions of an assignment target (they are reads).
pub fn lvalue_indices(target: &LValue) -> Vec<&Expr> {
    match &target.kind {
        LValueKind::Var(_) => Vec::new(),
        LValueKind::Field { base, .. } => lvalue_indices(base),
        LValueKind::Index { base, index } => {
            let mut out = lvalue_indices(base);
            out.push(index);
            out
        }
    }
}

/// The blocks nested in a statement.
pub fn stmt_blocks(kind: &StmtKind) -> Vec<&[Stmt]> {
    match kind {
        StmtKind::If { then_body, else_body, .. } => std::iter::once(then_body.as_slice()).chain(else_body.as_deref()).collect(),
        StmtKind::While { body, .. } | StmtKind::For { body, .. } => vec![body],
        StmtKind::Match { cases, .. } => cases.iter().map(|c| c.body.as_slice()).collect(),
        StmtKind::Try { body, catches, finally } => {
            std::iter::once(body.as_slice()).chain(catches.iter().map(|c| c.body.as_slice())).chain(finally.as_deref()).collect()
        }
        _ => Vec::new(),
    }
}

/// Calls `f` on every statement of `block` and of the blocks nested in it.
pub fn each_stmt<'a>(block: &'a [Stmt], f: &mut dyn FnMut(&'a Stmt)) {
    for stmt in block {
        f(stmt);
        for inner in stmt_blocks(&stmt.kind) {
            each_stmt(inner, f);
        }
    }
}

/// Calls `f` on every expression of `block`, nested blocks included.
pub fn each_expr_in<'a>(block: &'a [Stmt], f: &mut dyn FnMut(&'a Expr)) {
    each_stmt(block, &mut |stmt| {
        for e in stmt_exprs(&stmt.kind) {
            each_expr(e, f);
        }
    });
}
