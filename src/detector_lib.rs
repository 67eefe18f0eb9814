//! The convention a program follows to be built as a detector library (`sev build --lib`,
//! docs/service.md): three functions over a state type `T` of the author's choosing,
//!
//! - `detector_new() -> T`: the state of a detector that has seen nothing;
//! - `detector_update(d: T, timestamp_ms: i64, value: f64) -> T`: the state after one point;
//! - `detector_result(d: T) -> R`: what the detector says after the last point, where `R` is a
//!   record with the `f64` fields `probability`, `lower`, `upper`, `expected` and `confidence`
//!   (other fields are allowed and ignored).
//!
//! `T` must be serialisable, because the service saves and restores states: a record, array,
//! integer, float, `bool` or `str`, nested in any way but not recursively. This module checks
//! the convention on the typed program (E0701–E0704, located at the function at fault) and
//! names the functions the lowering exports; `runtime/detector.zig` is the other half.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::typed::{FuncId, Function, Program};
use crate::types::{F64, I64, Ty};

pub const NEW: &str = "detector_new";
pub const UPDATE: &str = "detector_update";
pub const RESULT: &str = "detector_result";

/// The `f64` fields the result record must have, in the order of `struct sev_result`.
pub const RESULT_FIELDS: [&str; 5] = ["probability", "lower", "upper", "expected", "confidence"];

const CONVENTION: &str = "a detector library defines `detector_new() -> T`, `detector_update(d: T, timestamp_ms: i64, value: f64) -> T` and `detector_result(d: T) -> R`, R a record with f64 fields probability, lower, upper, expected and confidence (docs/service.md)";

/// The name of the empty entry given to a library without `main` (a library is not run).
pub const LIBRARY_ENTRY: &str = "sev_library_main";

/// A detector library needs no `main`: when it names no entry and has none, an empty one is
/// added, so the checker's rules for entries hold unchanged.
pub fn add_entry_if_missing(program: &mut crate::ast::Program) {
    if program.entry.is_some() || program.functions.iter().any(|f| f.name.text == "main") {
        return;
    }
    let span = program.span;
    program.functions.push(crate::ast::Function {
        name: crate::ast::Name::new(LIBRARY_ENTRY, span),
        type_params: Vec::new(),
        params: Vec::new(),
        ret: None,
        body: Vec::new(),
        is_async: false,
        doc: None,
        span,
    });
    program.entry = Some(crate::ast::Name::new(LIBRARY_ENTRY, span));
}

/// The three detector functions of a program that follows the convention, in the order new,
/// update, result; otherwise every way in which it does not.
/// A missing function is reported at `anchor` (the program's `functions` key).
pub fn exports(program: &Program, anchor: Span) -> Result<[FuncId; 3], Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let found = [NEW, UPDATE, RESULT].map(|name| find(program, name, anchor, &mut problems));
    let [Some(new), Some(update), Some(result)] = found else { return Err(problems) };
    let state = program.func(new).ret.clone();
    check_new(program, new, &mut problems);
    check_update(program, update, &state, &mut problems);
    check_result(program, result, &state, &mut problems);
    if problems.is_empty() { Ok([new, update, result]) } else { Err(problems) }
}

fn find(program: &Program, name: &str, anchor: Span, problems: &mut Vec<Diagnostic>) -> Option<FuncId> {
    let position = program.functions.iter().position(|f| f.name == name && f.method_of.is_none());
    let Some(index) = position else {
        let d = Diagnostic::new(Code::E0701, format!("The program has no function `{name}`, so it cannot be built as a detector library"))
            .primary(anchor, format!("`{name}` is not defined here"))
            .hint(CONVENTION);
        problems.push(d);
        return None;
    };
    let id = FuncId(index as u32);
    let f = program.func(id);
    let why = if !f.type_params.is_empty() {
        "is generic"
    } else if f.is_async {
        "is async"
    } else {
        return Some(id);
    };
    problems.push(wrong_signature(f, format!("`{name}` {why}")));
    None
}

fn wrong_signature(f: &Function, label: String) -> Diagnostic {
    Diagnostic::new(Code::E0702, format!("`{}` does not have the signature of a detector library", f.name)).primary(f.span, label).hint(CONVENTION)
}

fn param_types(f: &Function) -> Vec<&Ty> {
    f.params.iter().map(|p| &f.local(*p).ty).collect()
}

fn check_new(program: &Program, id: FuncId, problems: &mut Vec<Diagnostic>) {
    let f = program.func(id);
    if !f.params.is_empty() {
        problems.push(wrong_signature(f, format!("`{NEW}` takes {} parameter(s); it takes none", f.params.len())));
    }
    if f.ret == Ty::Void {
        problems.push(wrong_signature(f, format!("`{NEW}` returns nothing; it returns the detector's state")));
        return;
    }
    if let Err(path) = serialisable(program, &f.ret, &mut Vec::new()) {
        let d = Diagnostic::new(Code::E0703, format!("The detector state `{}` cannot be saved", program.display(&f.ret)))
            .primary(f.span, format!("the state holds {path}"))
            .hint("a state is made of records, arrays, integers, floats, `bool` and `str` (no enums, options, maps, sets, tuples, functions or recursive types)");
        problems.push(d);
    }
}

fn check_update(program: &Program, id: FuncId, state: &Ty, problems: &mut Vec<Diagnostic>) {
    let f = program.func(id);
    let expected = [state, &I64, &F64];
    if param_types(f) != expected || f.ret != *state {
        let found: Vec<String> = param_types(f).iter().map(|t| program.display(t).to_string()).collect();
        let label = format!(
            "`{UPDATE}` is ({}) -> {}; it must be ({}, i64, f64) -> {}",
            found.join(", "),
            program.display(&f.ret),
            program.display(state),
            program.display(state)
        );
        problems.push(wrong_signature(f, label));
    }
}

fn check_result(program: &Program, id: FuncId, state: &Ty, problems: &mut Vec<Diagnostic>) {
    let f = program.func(id);
    if param_types(f) != [state] {
        let found: Vec<String> = param_types(f).iter().map(|t| program.display(t).to_string()).collect();
        problems.push(wrong_signature(f, format!("`{RESULT}` takes ({}); it must take the state ({})", found.join(", "), program.display(state))));
    }
    let fields = program.record_fields(&f.ret).unwrap_or_default();
    let missing: Vec<&str> = RESULT_FIELDS.iter().copied().filter(|name| !fields.iter().any(|(n, t)| n == name && *t == F64)).collect();
    if !missing.is_empty() {
        let d = Diagnostic::new(Code::E0704, format!("The result of `{RESULT}` lacks what a detector reports"))
            .primary(f.span, format!("`{}` has no f64 field {}", program.display(&f.ret), missing.join(", ")))
            .hint("return a record with the f64 fields probability, lower, upper, expected and confidence");
        problems.push(d);
    }
}

/// Whether values of `ty` can be saved as bytes; otherwise the offending part, described.
fn serialisable(program: &Program, ty: &Ty, open: &mut Vec<Ty>) -> Result<(), String> {
    match ty {
        Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Str => Ok(()),
        Ty::Array(element) => serialisable(program, element, open),
        Ty::Adt(..) => {
            if open.contains(ty) {
                return Err(format!("`{}` inside itself (a recursive type)", program.display(ty)));
            }
            let Some(fields) = program.record_fields(ty) else {
                return Err(format!("the enum `{}`", program.display(ty)));
            };
            open.push(ty.clone());
            for (name, field_ty) in &fields {
                serialisable(program, field_ty, open).map_err(|inner| format!("{inner} (field `{name}` of `{}`)", program.display(ty)))?;
            }
            open.pop();
            Ok(())
        }
        other => Err(format!("`{}`", program.display(other))),
    }
}
