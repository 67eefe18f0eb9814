//! How the debugger writes values: every kind of value the interpreter holds, as SIRS would
//! write it (records with their field names, enums by variant, strings quoted), with floats
//! printed like the runtime prints them.

use crate::cir::{Program, Ty, TypeDef, TypeKind};
use crate::interp::{Value, format_float};
use crate::types::FloatTy;

/// `value` (of type `ty`) as text.
pub fn value(program: &Program, value: &Value, ty: &Ty) -> String {
    match (value, ty) {
        (Value::Int(i), _) => i.to_string(),
        (Value::Float(f), Ty::Float(w)) => format_float(*f, *w),
        (Value::Float(f), _) => format_float(*f, FloatTy::F64),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Str(s), _) => format!("{:?}", &**s),
        (Value::Void, _) => "()".into(),
        (Value::List(items), Ty::Array(t)) | (Value::Set(items), Ty::Set(t)) => {
            let open = if matches!(ty, Ty::Set(_)) { "{" } else { "[" };
            let close = if open == "{" { "}" } else { "]" };
            format!("{open}{}{close}", join(items.iter().map(|x| self::value(program, x, t))))
        }
        (Value::Map(entries), Ty::Map(k, v)) => {
            format!("{{{}}}", join(entries.iter().map(|(a, b)| format!("{}: {}", self::value(program, a, k), self::value(program, b, v)))))
        }
        (Value::Fields(items), Ty::Tuple(types)) => tuple(program, items, types),
        (_, Ty::Adt(id, _)) => adt(program, value, id.0 as usize),
        (Value::Dyn(table, inner), _) => match program.vtables.get(*table) {
            Some(vtable) => self::value(program, inner, &vtable.concrete),
            None => "<trait object>".into(),
        },
        _ => "<value>".into(),
    }
}

fn adt(program: &Program, value: &Value, id: usize) -> String {
    let Some(def) = program.types.get(id) else { return "<value>".into() };
    match (&def.kind, value) {
        (TypeKind::Record { fields }, Value::Fields(items)) => {
            let shown = fields.iter().zip(items.iter()).map(|((name, ty), x)| format!("{name}: {}", self::value(program, x, ty)));
            format!("{} {{ {} }}", source_type_name(&def.name), join(shown))
        }
        (TypeKind::Tuple { items: types }, Value::Fields(items)) => tuple(program, items, types),
        (TypeKind::Enum { variants, .. }, Value::Variant(i, payload)) => {
            let Some((name, payload_ty)) = variants.get(*i) else { return "<value>".into() };
            match (payload, payload_ty) {
                (Some(p), Some(t)) => format!("{name}({})", self::value(program, p, t)),
                _ => name.clone(),
            }
        }
        _ => "<value>".into(),
    }
}

fn tuple(program: &Program, items: &[Value], types: &[Ty]) -> String {
    let shown: Vec<String> = items.iter().zip(types).map(|(x, t)| value(program, x, t)).collect();
    if shown.len() == 1 { format!("({},)", shown[0]) } else { format!("({})", shown.join(", ")) }
}

/// A type as the source names it: a tuple is `(i64, str)` (CIR names it `Tuple__i64__str`),
/// a record or enum by its name (a generic instance by its instance name, `Pair__i64__str`).
pub fn type_name(program: &Program, ty: &Ty) -> String {
    let list = |types: &[Ty]| types.iter().map(|t| type_name(program, t)).collect::<Vec<_>>().join(", ");
    match ty {
        Ty::Array(t) => format!("[{}]", type_name(program, t)),
        Ty::Map(k, v) => format!("map<{}, {}>", type_name(program, k), type_name(program, v)),
        Ty::Set(t) => format!("set<{}>", type_name(program, t)),
        Ty::Tuple(types) => format!("({})", list(types)),
        Ty::Adt(id, _) => match program.types.get(id.0 as usize) {
            Some(TypeDef { kind: TypeKind::Tuple { items }, .. }) => format!("({})", list(items)),
            Some(def) => def.name.clone(),
            None => program.display(ty).to_string(),
        },
        _ => program.display(ty).to_string(),
    }
}

/// A record's name without the type arguments of a generic instance (`Pair__i64__str` is `Pair`).
fn source_type_name(name: &str) -> &str {
    name.split("__").next().unwrap_or(name)
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}
