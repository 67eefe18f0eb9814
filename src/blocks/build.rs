//! Small constructors of AST nodes for the rewrites of `blocks`: each takes the span the new
//! node should carry (the span of the construct it replaces).

use crate::ast::{BinOp, DistExpr, Expr, ExprKind, Iterable, LValue, LValueKind, Name, Pattern, PatternKind, SampleExpr, Stmt, StmtKind, TypeExpr, TypeExprKind};
use crate::span::Span;

pub fn var(name: &str, span: Span) -> Expr {
    Expr { kind: ExprKind::Var(Name::new(name, span)), span }
}

pub fn float(x: f64, span: Span) -> Expr {
    Expr { kind: ExprKind::Float(x), span }
}

pub fn int(x: i128, span: Span) -> Expr {
    Expr { kind: ExprKind::Int(x), span }
}

pub fn binary(op: BinOp, lhs: Expr, rhs: Expr, span: Span) -> Expr {
    Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
}

pub fn call(func: &str, args: Vec<Expr>, span: Span) -> Expr {
    Expr { kind: ExprKind::Call { func: Name::new(func, span), type_args: Vec::new(), args }, span }
}

pub fn index(array: Expr, at: Expr, span: Span) -> Expr {
    Expr { kind: ExprKind::Index { object: Box::new(array), index: Box::new(at) }, span }
}

/// `location + scale * value`.
pub fn affine(location: Expr, scale: Expr, value: Expr, span: Span) -> Expr {
    binary(BinOp::Add, location, binary(BinOp::Mul, scale, value, span), span)
}

/// A draw with no bounds, constraint or parameterization.
pub fn sample(dist: DistExpr, size: Option<Expr>, span: Span) -> Expr {
    let sample = SampleExpr { dist, size, lower: None, upper: None, constraint: None, parameterization: None };
    Expr { kind: ExprKind::Sample(Box::new(sample)), span }
}

pub fn dist(name: &Name, params: Vec<Expr>, span: Span) -> DistExpr {
    DistExpr { name: name.clone(), params, weights: None, components: Vec::new(), span }
}

pub fn f64_type(span: Span) -> TypeExpr {
    TypeExpr { kind: TypeExprKind::Named { name: Name::new("f64", span), args: Vec::new() }, span }
}

/// The flags of a generated `let`.
#[derive(Clone, Copy, Default)]
pub struct LetFlags {
    pub mutable: bool,
    pub output: bool,
}

pub fn let_(name: &Name, ty: Option<TypeExpr>, value: Expr, flags: LetFlags, span: Span) -> Stmt {
    Stmt { kind: StmtKind::Let { name: name.clone(), ty, value, mutable: flags.mutable, output: flags.output }, span }
}

pub fn assign_index(array: &str, at: Expr, value: Expr, span: Span) -> Stmt {
    let base = LValue { kind: LValueKind::Var(Name::new(array, span)), span };
    let target = LValue { kind: LValueKind::Index { base: Box::new(base), index: at }, span };
    Stmt { kind: StmtKind::Assign { target, value }, span }
}

/// `for variable in 0..end { body }`.
pub fn for_range(variable: &str, end: Expr, body: Vec<Stmt>, span: Span) -> Stmt {
    let binding = Pattern { kind: PatternKind::Bind(Name::new(variable, span)), span };
    let iterable = Iterable::Range { start: int(0, span), end, step: None, inclusive: false, span };
    Stmt { kind: StmtKind::For { binding, iterable, body }, span }
}
