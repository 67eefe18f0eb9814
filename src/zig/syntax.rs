//! Small pieces of Zig syntax shared by the emitters: operator spellings, parenthesising,
//! calls, and facts about instructions and built-ins that decide how they are written.

use super::*;

/// Reads and constructions with no effect: an unused one can be dropped.
/// Whether a type is the runtime's own (`rt.Option`, `rt.Json`, …) rather than declared in the
/// generated file. An `Option` or `Result` whose payload holds the type itself (a record with
/// a field `Option<Self>`) is declared like a user enum, with the payload boxed: the runtime's
/// unboxed union would contain itself.
pub(super) fn runtime_adt(def: &TypeDef) -> bool {
    use crate::typed::BuiltinAdt;
    match def.builtin {
        Some(BuiltinAdt::Json | BuiltinAdt::HttpResponse) => true,
        Some(BuiltinAdt::Option | BuiltinAdt::Result) => !matches!(&def.kind, TypeKind::Enum { boxed, .. } if boxed.contains(&true)),
        _ => false,
    }
}

pub(super) fn is_pure(kind: &InstKind) -> bool {
    matches!(kind, InstKind::Local(_) | InstKind::Field(..) | InstKind::Payload(..) | InstKind::IsVariant(..))
}

pub(super) fn field_type(p: &Program, ty: &Ty, index: usize) -> Ty {
    let Ty::Adt(id, _) = ty else { return Ty::Void };
    match p.types.get(id.0 as usize).map(|t| &t.kind) {
        Some(TypeKind::Record { fields }) => fields.get(index).map_or(Ty::Void, |(_, t)| t.clone()),
        Some(TypeKind::Tuple { items }) => items.get(index).cloned().unwrap_or(Ty::Void),
        _ => Ty::Void,
    }
}

/// Built-ins whose runtime function takes the call's location as its last argument.
pub(super) fn builtin_takes_loc(name: &str) -> bool {
    matches!(name, "pop" | "array_fill" | "array_slice" | "str_substring" | "str_byte_at" | "whole_number" | "dot")
        || (name.starts_with("posterior_") && !matches!(name, "posterior_names" | "posterior_divergences"))
        || stdlib_takes_loc(name)
}

/// The standard-library built-ins (`check/stdlib.rs`, `runtime/sirs_std.zig`) that fault on
/// misuse or overflow, so take the call's location.
pub(super) fn stdlib_takes_loc(name: &str) -> bool {
    matches!(
        name,
        "str_format_float"
            | "json_set"
            | "json_push"
            | "datetime_add_seconds"
            | "datetime_add_minutes"
            | "datetime_add_hours"
            | "datetime_add_days"
            | "datetime_diff_seconds"
            | "datetime_days_in_month"
            | "regex_match"
            | "regex_find"
            | "regex_find_all"
            | "regex_captures"
            | "regex_split"
            | "regex_replace"
    )
}

/// `name(a, b)`, broken one argument per line when it does not fit.
/// A list of numbers (or nested lists, rows of a matrix) converted to model reals or back,
/// whichever `to` holds.
pub(super) fn real_list_cast(to: &Ty, x: Doc) -> Doc {
    let mut depth = 0;
    let mut element = to;
    while let Ty::Array(inner) = element {
        depth += 1;
        element = inner;
    }
    let lift = *element == Ty::Real;
    match (depth, lift) {
        (1, true) => text_call("M.liftList", vec![x]),
        (1, false) => text_call("M.valueList", vec![x]),
        (_, true) => text_call("M.liftNested", vec![text(depth.to_string()), x]),
        (_, false) => text_call("M.valueNested", vec![text(depth.to_string()), x]),
    }
}

pub(super) fn text_call(name: &str, args: Vec<Doc>) -> Doc {
    if args.is_empty() {
        return text(format!("{name}()"));
    }
    let list = join(args, concat([text(","), crate::pretty::line()]));
    concat([text(format!("{name}(")), concat([crate::pretty::softline(), list]).nest(INDENT), crate::pretty::softline(), text(")")]).group()
}

pub(super) fn call2(name: &str, a: Doc, b: Doc) -> Doc {
    text_call(name, vec![a, b])
}

/// Drops the parentheses around a whole operator expression (where the context already has
/// them, as in `if (…)`).
pub(super) fn strip_parens(d: Doc) -> Doc {
    let rendered = d.render(10_000);
    let inner = rendered.strip_prefix('(').and_then(|r| r.strip_suffix(')'));
    match inner {
        Some(inner) if balanced(inner) => text(inner),
        _ => d,
    }
}

pub(super) fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

pub(super) fn paren(d: Doc) -> Doc {
    concat([text("("), d, text(")")])
}

pub(super) fn infix(a: Doc, op: &str, b: Doc) -> Doc {
    concat([text("("), a, text(format!(" {op} ")), b, text(")")])
}

pub(super) fn comparison(op: BinOp) -> &'static str {
    match op {
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        _ => "==",
    }
}

pub(super) fn bool_op(op: BinOp) -> &'static str {
    match op {
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::BitAnd | BinOp::And => "and",
        BinOp::BitOr | BinOp::Or => "or",
        BinOp::BitXor => "!=",
        _ => "==",
    }
}

/// The comparison of a `std.math.Order` against `.eq` that implements `op`.
pub(super) fn order_test(op: BinOp) -> &'static str {
    match op {
        BinOp::Lt => " == .lt",
        BinOp::Le => " != .gt",
        BinOp::Gt => " == .gt",
        BinOp::Ge => " != .lt",
        BinOp::Ne => " != .eq",
        _ => " == .eq",
    }
}

pub(super) fn float_binary(op: BinOp, lhs: Doc, rhs: Doc, ty: &Ty) -> Doc {
    match op {
        BinOp::Add => infix(lhs, "+", rhs),
        BinOp::Sub => infix(lhs, "-", rhs),
        BinOp::Mul => infix(lhs, "*", rhs),
        BinOp::Div => infix(lhs, "/", rhs),
        BinOp::Mod => call2("@rem", lhs, rhs),
        BinOp::Pow => match ty {
            Ty::Float(crate::types::FloatTy::F32) => concat([text("std.math.pow(f32, "), lhs, text(", "), rhs, text(")")]),
            _ => call2("rt.math_pow", lhs, rhs),
        },
        other => infix(lhs, comparison(other), rhs),
    }
}

/// The model-mode (AD) name of a differentiable math built-in.
pub(super) fn ad_math(name: &str) -> Option<&'static str> {
    Some(match name {
        "math_exp" => "exp",
        "math_log" => "log",
        "math_sqrt" => "sqrt",
        "math_pow" => "pow",
        "math_sin" => "sin",
        "math_cos" => "cos",
        "math_tan" => "tan",
        "math_atan" => "atan",
        "math_tanh" => "tanh",
        "math_abs" => "abs",
        "math_min" => "fmin",
        "math_max" => "fmax",
        "inv_logit" => "inv_logit",
        "logit" => "logit",
        "log1p" => "log1p",
        "expm1" => "expm1",
        "lgamma" => "lgamma",
        "log_sum_exp" => "log_sum_exp",
        "log1p_exp" => "log1p_exp",
        "phi" => "Phi",
        "erf" => "erf",
        "log_mix" => "log_mix",
        "square" => "square",
        _ => return None,
    })
}
