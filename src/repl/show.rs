//! How the REPL shows a value: like SIRS prints it where the runtime can print it (numbers,
//! booleans, arrays, tuples), strings quoted, and records, enums, maps and sets with their
//! names and fields, since the REPL shows every value it keeps.

use crate::cir::{Program, Ty, TypeKind};
use crate::interp::{Value, format_float};
use crate::types::FloatTy;

/// `value` of CIR type `ty` in `program`, as the REPL shows it.
pub fn value(program: &Program, value: &Value, ty: &Ty) -> String {
    match (value, ty) {
        (Value::Int(i), _) => i.to_string(),
        (Value::Float(f), Ty::Float(w)) => format_float(*f, *w),
        (Value::Float(f), _) => format_float(*f, FloatTy::F64),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Str(s), _) => quoted(s),
        (Value::Void, _) => "()".into(),
        (Value::List(items), Ty::Array(t)) => format!("[{}]", list(program, items.iter(), t)),
        (Value::Set(items), Ty::Set(t)) => format!("set{{{}}}", list(program, items.iter(), t)),
        (Value::Map(entries), Ty::Map(k, v)) => {
            let shown: Vec<String> = entries.iter().map(|(key, x)| format!("{}: {}", self::value(program, key, k), self::value(program, x, v))).collect();
            format!("map{{{}}}", shown.join(", "))
        }
        (Value::Fields(items), Ty::Tuple(types)) => tuple(program, items, types),
        (_, Ty::Adt(id, _)) => adt(program, value, id.0 as usize),
        (Value::Dyn(..), Ty::TraitObject(_)) => format!("<{}>", program.display(ty)),
        _ => format!("<{}>", program.display(ty)),
    }
}

fn list<'v>(program: &Program, items: impl Iterator<Item = &'v Value>, ty: &Ty) -> String {
    items.map(|x| value(program, x, ty)).collect::<Vec<_>>().join(", ")
}

fn tuple(program: &Program, items: &[Value], types: &[Ty]) -> String {
    let shown: Vec<String> = items.iter().zip(types).map(|(x, t)| value(program, x, t)).collect();
    if shown.len() == 1 { format!("({},)", shown[0]) } else { format!("({})", shown.join(", ")) }
}

fn adt(program: &Program, value: &Value, id: usize) -> String {
    let Some(def) = program.types.get(id) else { return "<?>".into() };
    // Generic instances are named `Pair__i64__str`; the user wrote `Pair`.
    let name = def.name.split("__").next().unwrap_or(&def.name);
    match (&def.kind, value) {
        (TypeKind::Tuple { items: types }, Value::Fields(items)) => tuple(program, items, types),
        (TypeKind::Record { fields }, Value::Fields(items)) => {
            let shown: Vec<String> = fields.iter().zip(items.iter()).map(|((f, t), x)| format!("{f}: {}", self::value(program, x, t))).collect();
            format!("{name} {{{}}}", shown.join(", "))
        }
        (TypeKind::Enum { variants, .. }, Value::Variant(i, payload)) => match (variants.get(*i), payload) {
            (Some((variant, Some(t))), Some(p)) => format!("{variant}({})", self::value(program, p, t)),
            (Some((variant, _)), _) => variant.clone(),
            (None, _) => "<?>".into(),
        },
        _ => format!("<{name}>"),
    }
}

fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}
