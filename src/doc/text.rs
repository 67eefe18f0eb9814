//! Short one-line text for the pieces of the AST that documentation shows: type expressions
//! (with the names of declared types and traits kept apart so the renderers can link them)
//! and the expressions of distribution parameters, bounds and observed values.

use super::Piece;
use crate::ast::{BinOp, DistExpr, Expr, ExprKind, TypeExpr, TypeExprKind, TypeParam, UnOp};

/// Expressions longer than this are cut with an ellipsis.
const MAX_EXPR_CHARS: usize = 72;

/// Appends pieces to a line, merging neighbouring text.
#[derive(Default)]
pub struct Line {
    pub pieces: Vec<Piece>,
}

impl Line {
    pub fn text(&mut self, text: &str) {
        if let Some(Piece::Text(last)) = self.pieces.last_mut() {
            last.push_str(text);
        } else if !text.is_empty() {
            self.pieces.push(Piece::Text(text.to_string()));
        }
    }

    pub fn link(&mut self, text: &str, anchor: String) {
        self.pieces.push(Piece::Link { text: text.to_string(), anchor });
    }

    pub fn finish(self) -> Vec<Piece> {
        self.pieces
    }
}

/// Resolves a type or trait name to the anchor of its section, if the program declares it.
pub trait Resolve {
    fn anchor(&self, name: &str) -> Option<String>;
}

/// Writes a type expression: `[Point]`, `map<str, i64>`, `Pair<A, B>`, `dyn Shape`.
pub fn type_expr(line: &mut Line, ty: &TypeExpr, names: &dyn Resolve) {
    match &ty.kind {
        TypeExprKind::Named { name, args } => {
            name_ref(line, &name.text, names);
            type_list(line, "<", args, ">", names);
        }
        TypeExprKind::Array(inner) => wrapped(line, "[", inner, "]", names),
        TypeExprKind::Set(inner) => wrapped(line, "set<", inner, ">", names),
        TypeExprKind::Future(inner) => wrapped(line, "Future<", inner, ">", names),
        TypeExprKind::Channel(inner) => wrapped(line, "Channel<", inner, ">", names),
        TypeExprKind::Map(key, value) => {
            line.text("map<");
            type_expr(line, key, names);
            line.text(", ");
            type_expr(line, value, names);
            line.text(">");
        }
        TypeExprKind::Tuple(items) => {
            line.text("(");
            separated(line, items, names);
            line.text(")");
        }
        TypeExprKind::TraitObject(name) => {
            line.text("dyn ");
            name_ref(line, &name.text, names);
        }
        TypeExprKind::Function { params, ret } => {
            line.text("fn(");
            separated(line, params, names);
            line.text(") -> ");
            type_expr(line, ret, names);
        }
    }
}

fn wrapped(line: &mut Line, open: &str, inner: &TypeExpr, close: &str, names: &dyn Resolve) {
    line.text(open);
    type_expr(line, inner, names);
    line.text(close);
}

fn type_list(line: &mut Line, open: &str, items: &[TypeExpr], close: &str, names: &dyn Resolve) {
    if !items.is_empty() {
        line.text(open);
        separated(line, items, names);
        line.text(close);
    }
}

fn separated(line: &mut Line, items: &[TypeExpr], names: &dyn Resolve) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            line.text(", ");
        }
        type_expr(line, item, names);
    }
}

/// A type or trait name, linked when the program declares it.
pub fn name_ref(line: &mut Line, name: &str, names: &dyn Resolve) {
    match names.anchor(name) {
        Some(anchor) => line.link(name, anchor),
        None => line.text(name),
    }
}

/// Writes type parameters with their bounds: `<T: Shape + Show, U>`.
pub fn type_params(line: &mut Line, params: &[TypeParam], names: &dyn Resolve) {
    if params.is_empty() {
        return;
    }
    line.text("<");
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            line.text(", ");
        }
        line.text(&p.name.text);
        for (j, bound) in p.bounds.iter().enumerate() {
            line.text(if j == 0 { ": " } else { " + " });
            name_ref(line, &bound.text, names);
        }
    }
    line.text(">");
}

/// A distribution with its parameters: `normal(mu, sigma)`, `mixture([0.3, 0.7]; …)`.
pub fn dist(d: &DistExpr) -> String {
    let mut out = format!("{}(", d.name.text);
    out.push_str(&d.params.iter().map(expr).collect::<Vec<_>>().join(", "));
    if let Some(w) = &d.weights {
        out.push_str(&format!("weights {}", expr(w)));
    }
    if !d.components.is_empty() {
        let parts: Vec<String> = d.components.iter().map(dist).collect();
        out.push_str(&format!("; {}", parts.join(", ")));
    }
    out.push(')');
    shorten(out)
}

/// An expression in a compact infix form, cut at [`MAX_EXPR_CHARS`].
pub fn expr(e: &Expr) -> String {
    shorten(expr_at(e, false))
}

fn shorten(text: String) -> String {
    if text.chars().count() <= MAX_EXPR_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_EXPR_CHARS - 1).collect();
    cut.push('…');
    cut
}

fn expr_at(e: &Expr, nested: bool) -> String {
    match &e.kind {
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Float(x) => float(*x),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Var(name) => name.text.clone(),
        ExprKind::Unary { op, arg } => format!("{}{}", unary_symbol(*op), expr_at(arg, true)),
        ExprKind::Binary { op, lhs, rhs } => {
            let text = format!("{} {} {}", expr_at(lhs, true), binary_symbol(*op), expr_at(rhs, true));
            if nested { format!("({text})") } else { text }
        }
        ExprKind::Call { func, args, .. } => format!("{}({})", func.text, list(args)),
        ExprKind::MethodCall { receiver, method, args } => format!("{}.{}({})", expr_at(receiver, true), method.text, list(args)),
        ExprKind::Field { object, field } => format!("{}.{}", expr_at(object, true), field.text),
        ExprKind::Index { object, index } => format!("{}[{}]", expr_at(object, true), expr_at(index, false)),
        ExprKind::Array(items) => format!("[{}]", list(items)),
        ExprKind::Tuple(items) => format!("({})", list(items)),
        ExprKind::Cast { value, .. } => expr_at(value, nested),
        ExprKind::Sample(s) => format!("sample {}", dist(&s.dist)),
        ExprKind::Cond { cond, then_value, else_value } => {
            format!("if {} then {} else {}", expr_at(cond, false), expr_at(then_value, false), expr_at(else_value, false))
        }
        ExprKind::Enum { ty, variant, value, .. } => match value {
            Some(v) => format!("{}::{}({})", ty.text, variant.text, expr_at(v, false)),
            None => format!("{}::{}", ty.text, variant.text),
        },
        ExprKind::Record { ty, .. } => format!("{} {{…}}", ty.text),
        _ => "…".to_string(),
    }
}

fn list(items: &[Expr]) -> String {
    items.iter().map(|e| expr_at(e, false)).collect::<Vec<_>>().join(", ")
}

fn float(x: f64) -> String {
    if x.is_finite() && x == x.trunc() && x.abs() < 1e15 { format!("{x:.1}") } else { x.to_string() }
}

fn unary_symbol(op: UnOp) -> &'static str {
    match op {
        UnOp::Not => "!",
        UnOp::Neg => "-",
        UnOp::BitNot => "~",
    }
}

fn binary_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Mod => "%",
        BinOp::Pow => "**",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::And => "&&",
        BinOp::Or => "||",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::Shl => "<<",
        BinOp::Shr => ">>",
    }
}
