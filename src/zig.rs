//! The Zig backend: CIR → one Zig source file that imports the runtime as `rt`.
//!
//! The output is meant to read as if written by hand: one Zig function per CIR function,
//! user names kept (escaped and de-duplicated by `names`), and expression trees rebuilt from
//! the flat instruction list. An instruction used exactly once, later in its own block, is
//! inlined into its user when that keeps evaluation order (its operands must be the most
//! recent pending expressions, in order — the shape post-order lowering produces) and the tree
//! stays within [`MAX_INLINED_DEPTH`] levels; anything else is bound to a `const` with a
//! descriptive name. Constants are re-emitted at each use.
//!
//! Zig is strict, and the backend owns that strictness: `var` only for locals written after
//! initialisation, `_ = x;` for locals and parameters never read, `_ = e;` for discarded
//! values, no code after a terminator, and checked integer arithmetic through `rt.add` and
//! friends (which fault with the SIRS location) in every build mode.
//!
//! Invariant: for every CIR program that passes `cir::verify`, the output passes `zig
//! ast-check`; a Zig error on it is a bug here, never the user's.

mod adjoint;
mod expr;
mod function;
mod model;
pub mod names;
mod syntax;

/// Expressions nest at most this many inlined operands deep; a deeper operand is bound to a
/// `const` first, so a long chain (`a + b + c + …`) does not indent every line further.
const MAX_INLINED_DEPTH: usize = 32;

use crate::ast::{BinOp, UnOp};
use crate::cir::*;
use crate::pretty::{Doc, concat, hardline, join, text};
use names::{Namer, escape, string_literal};
use function::*;
use std::collections::HashMap;
use syntax::*;

const INDENT: usize = 4;

/// The forward-mode op (`ad.Fwd`) of a differentiable math built-in (for `crate::ad`).
pub(crate) fn ad_math_op(name: &str) -> Option<&'static str> {
    ad_math(name)
}

/// Emits the Zig source of a whole program.
pub fn emit(p: &Program) -> String {
    let module = Module::new(p);
    module.document().render(100)
}

/// The data bounds of every model entry (the program's and those fitted by `infer`), by function.
fn model_data_bounds(p: &Program) -> Vec<Vec<crate::cir::databounds::DataBound>> {
    let mut out = vec![Vec::new(); p.functions.len()];
    let program_entry = p.model.as_ref().zip(p.entry).map(|(m, f)| (f, m.data.len()));
    let entries = program_entry.into_iter().chain(p.inferred.iter().map(|m| (m.func, m.entry.data.len())));
    for (entry, data_fields) in entries {
        // only reads whose array and size are data fields: `Data.read` checks those
        out[entry.index()] = crate::cir::databounds::of_entry(p.func(entry)).into_iter().filter(|b| b.array < data_fields && b.size < data_fields).collect();
    }
    out
}

struct Module<'a> {
    p: &'a Program,
    type_names: Vec<String>,
    fn_names: Vec<String>,
    /// What may throw (the exception analysis's input for nested blocks).
    throwing: crate::cir::throws::Throwing,
    /// The method-table struct of each trait used as a type.
    dyn_names: Vec<String>,
    /// The method table of each (trait, type) pair.
    vtable_names: Vec<String>,
    /// The spec of each model fitted by `infer`.
    inferred_names: Vec<String>,
    /// Functions on a cycle of the call graph: they start with a stack check.
    recursive: Vec<bool>,
    /// The names a local may not take: types, functions and the reserved top-level names.
    local_taboo: std::rc::Rc<std::collections::HashSet<String>>,
    /// Per function, the element reads of a model entry checked when the data is read
    /// (`cir::databounds`); empty for the other functions.
    data_bounds: Vec<Vec<crate::cir::databounds::DataBound>>,
}

impl<'a> Module<'a> {
    fn new(p: &'a Program) -> Module<'a> {
        let mut top = Namer::with_taken(names::RESERVED_TOP_LEVEL.iter().map(|s| s.to_string()));
        let type_names: Vec<String> = p.types.iter().map(|t| top.fresh(&t.name)).collect();
        let fn_names: Vec<String> = p.functions.iter().map(|f| top.fresh(&f.name)).collect();
        let throwing = crate::cir::throws::Throwing::of(p);
        let dyn_names = p.dyn_traits.iter().map(|t| top.fresh(&format!("{}Methods", t.name))).collect();
        let vtable_names = p
            .vtables
            .iter()
            .map(|t| {
                let trait_name = p.dyn_traits.get(t.trait_index).map_or("Trait", |d| d.name.as_str());
                let concrete = match &t.concrete {
                    Ty::Adt(id, _) => p.types.get(id.0 as usize).map_or("T".to_string(), |d| d.name.clone()),
                    // `[f64]`, `(i64, str)`: only identifier characters in a Zig name
                    other => p.display(other).to_string().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect(),
                };
                top.fresh(&format!("{trait_name}_for_{concrete}"))
            })
            .collect();
        let inferred_names = p.inferred.iter().map(|m| top.fresh(&format!("{}Model", m.entry.name))).collect();
        let recursive = crate::cir::recursion::possibly_recursive(p);
        let reserved = names::RESERVED_TOP_LEVEL.iter().map(|s| s.to_string());
        let local_taboo = std::rc::Rc::new(type_names.iter().chain(&fn_names).cloned().chain(reserved).collect());
        let data_bounds = model_data_bounds(p);
        Module { p, type_names, fn_names, throwing, dyn_names, vtable_names, inferred_names, recursive, local_taboo, data_bounds }
    }

    fn document(&self) -> Doc {
        let mut parts = vec![
            text(format!("//! Generated by sev {} from {}. Do not edit.", env!("CARGO_PKG_VERSION"), self.p.source_name)),
            hardline(),
            text("const std = @import(\"std\");"),
            hardline(),
            text("const rt = @import(\"rt/sev_rt.zig\");"),
            hardline(),
            hardline(),
            text(format!("pub const sev_source_file = {};", string_literal(&self.p.source_name))),
            hardline(),
            text("pub const panic = rt.panic;"),
            hardline(),
        ];
        match (&self.p.model, self.p.entry) {
            (Some(model), Some(entry)) => {
                parts.push(text("pub const sev_model_object = true;"));
                parts.push(hardline());
                parts.push(hardline());
                parts.push(self.model_spec(model, entry));
                parts.push(hardline());
            }
            (None, Some(entry)) => {
                parts.push(hardline());
                parts.push(self.main_wrapper(entry));
                parts.push(hardline());
            }
            _ => {}
        }
        for (i, t) in self.p.types.iter().enumerate() {
            if let Some(decl) = self.type_decl(i, t) {
                parts.push(hardline());
                parts.push(decl);
                parts.push(hardline());
            }
        }
        for i in 0..self.p.inferred.len() {
            parts.push(hardline());
            parts.push(self.inferred_spec(i));
            parts.push(hardline());
        }
        for i in 0..self.p.dyn_traits.len() {
            parts.push(hardline());
            parts.push(self.dyn_methods_decl(i));
            parts.push(hardline());
        }
        for i in 0..self.p.vtables.len() {
            parts.push(hardline());
            parts.push(self.vtable_decl(i));
            parts.push(hardline());
        }
        for (i, e) in self.p.externs.iter().enumerate() {
            let _ = i;
            let params: Vec<String> = e.params.iter().map(|t| self.ty(t)).collect();
            let lib = string_literal(&e.library);
            parts.push(hardline());
            parts.push(text(format!("extern {lib} fn {}({}) {};", e.name, params.join(", "), self.ty(&e.ret))));
            parts.push(hardline());
        }
        for (i, f) in self.p.functions.iter().enumerate() {
            parts.push(hardline());
            let stack_check = self.recursive.get(i).copied().unwrap_or(false);
            let mut emitter = FnEmitter::new(self, f, &self.fn_names[i]);
            emitter.in_bounds = self.data_bounds[i].iter().map(|b| b.read).collect();
            if f.model {
                emitter.no_overflow = crate::cir::databounds::counter_steps(f).into_iter().collect();
            }
            parts.push(emitter.function(stack_check));
            parts.push(hardline());
        }
        if let Some(exports) = self.detector_exports() {
            parts.push(hardline());
            parts.push(exports);
            parts.push(hardline());
        }
        concat(parts)
    }

    /// A detector library (`sev build --lib`): the root marks itself as a library and exports
    /// the C ABI of `runtime/detector.zig` over the three detector functions.
    fn detector_exports(&self) -> Option<Doc> {
        let find = |name: &str| self.p.exports.iter().find(|e| e.name == name).map(|e| e.func);
        let (new, update, result) = (find("detector_new")?, find("detector_update")?, find("detector_result")?);
        let state = self.ty(&self.p.func(new).ret);
        let [new, update, result] = [new, update, result].map(|f| self.fn_names[f.index()].clone());
        Some(concat([
            text("pub const sev_library = true;"),
            hardline(),
            hardline(),
            text("comptime {"),
            concat([hardline(), text(format!("rt.detector.exportDetector({state}, {new}, {update}, {result});"))]).nest(INDENT),
            hardline(),
            text("}"),
        ]))
    }

    /// `main` runs the entry through the runtime; an entry that may throw is wrapped so that an
    /// uncaught exception stops the program with its message.
    fn main_wrapper(&self, entry: FuncId) -> Doc {
        let f = self.p.func(entry);
        let runner = if f.params.is_empty() { "run" } else { "runWithArgs" };
        let name = &self.fn_names[entry.index()];
        let main = concat([
            text("pub fn main() u8 {"),
            concat([hardline(), text(format!("return rt.{runner}({});", if f.can_throw { "sev_main" } else { name }))]).nest(INDENT),
            hardline(),
            text("}"),
        ]);
        if !f.can_throw {
            return main;
        }
        let (params, args) = if f.params.is_empty() { ("", "") } else { ("args: anytype", "args") };
        let ret = self.ty(&f.ret);
        concat([
            main,
            hardline(),
            hardline(),
            text(format!("fn sev_main({params}) {ret} {{")),
            concat([hardline(), text(format!("return {name}({args}) catch rt.exc.uncaught();"))]).nest(INDENT),
            hardline(),
            text("}"),
        ])
    }

    fn type_decl(&self, index: usize, t: &TypeDef) -> Option<Doc> {
        if runtime_adt(t) {
            return None;
        }
        let name = &self.type_names[index];
        let (keyword, members): (&str, Vec<String>) = match &t.kind {
            TypeKind::Record { fields } => ("struct", fields.iter().map(|(n, ty)| format!("{}: {},", escape(n), self.ty(ty))).collect()),
            TypeKind::Tuple { items } => ("struct", items.iter().enumerate().map(|(i, ty)| format!("f{i}: {},", self.ty(ty))).collect()),
            TypeKind::Enum { variants, boxed } => (
                "union(enum)",
                variants
                    .iter()
                    .zip(boxed)
                    .map(|((n, payload), b)| match payload {
                        Some(ty) if *b => format!("{}: rt.Box({}),", escape(n), self.ty(ty)),
                        Some(ty) => format!("{}: {},", escape(n), self.ty(ty)),
                        None => format!("{},", escape(n)),
                    })
                    .collect(),
            ),
        };
        if members.is_empty() {
            return Some(text(format!("const {name} = {keyword} {{}};")));
        }
        let body = concat(members.into_iter().map(|m| concat([hardline(), text(m)])));
        Some(concat([text(format!("const {name} = {keyword} {{")), body.nest(INDENT), hardline(), text("};")]))
    }

    /// The method-table type of a trait used as a type: a pointer per method, plus the
    /// reference counting of the boxed value.
    fn dyn_methods_decl(&self, index: usize) -> Doc {
        let t = &self.p.dyn_traits[index];
        let mut members = vec![
            format!("pub const trait_name = {};", string_literal(&t.name)),
            "sev_retain: *const fn (*anyopaque) void,".to_string(),
            "sev_release: *const fn (*anyopaque) void,".to_string(),
        ];
        for m in &t.methods {
            let mut params = vec!["*anyopaque".to_string()];
            params.extend(m.params.iter().map(|p| self.ty(p)));
            members.push(format!("{}: *const fn ({}) {},", escape(&m.name), params.join(", "), self.dyn_ret(m)));
        }
        let body = concat(members.into_iter().map(|m| concat([hardline(), text(m)])));
        concat([text(format!("const {} = struct {{", self.dyn_names[index])), body.nest(INDENT), hardline(), text("};")])
    }

    fn dyn_ret(&self, m: &DynMethod) -> String {
        let ret = self.ty(&m.ret);
        if m.can_throw { format!("rt.Thrown!{ret}") } else { ret }
    }

    /// One type's method table: each entry unboxes the receiver and calls the implementation.
    fn vtable_decl(&self, index: usize) -> Doc {
        let table = &self.p.vtables[index];
        let t = &self.p.dyn_traits[table.trait_index];
        let concrete = self.ty(&table.concrete);
        let mut entries = vec![
            text(format!(".sev_retain = rt.dyn.Ops({concrete}).retain,")),
            text(format!(".sev_release = rt.dyn.Ops({concrete}).release,")),
        ];
        for (m, func) in t.methods.iter().zip(&table.methods) {
            let params: Vec<String> = m.params.iter().enumerate().map(|(i, p)| format!("a{i}: {}", self.ty(p))).collect();
            let mut args = vec![format!("rt.dyn.Ops({concrete}).get(self)")];
            args.extend((0..m.params.len()).map(|i| format!("a{i}")));
            let all_params = std::iter::once("self: *anyopaque".to_string()).chain(params).collect::<Vec<_>>().join(", ");
            let call = format!("return {}({});", self.fn_names[func.index()], args.join(", "));
            entries.push(concat([
                text(format!(".{} = struct {{", escape(&m.name))),
                concat([hardline(), text(format!("fn call({all_params}) {} {{", self.dyn_ret(m))), concat([hardline(), text(call)]).nest(INDENT), hardline(), text("}")]).nest(INDENT),
                hardline(),
                text("}.call,"),
            ]));
        }
        let body = concat(entries.into_iter().map(|e| concat([hardline(), e])));
        concat([text(format!("const {} = {}{{", self.vtable_names[index], self.dyn_names[table.trait_index])), body.nest(INDENT), hardline(), text("};")])
    }

    /// The Zig type for a CIR type.
    fn ty(&self, ty: &Ty) -> String {
        match ty {
            Ty::Int(i) => i.name().to_string(),
            Ty::Float(f) => f.name().to_string(),
            Ty::Bool => "bool".into(),
            Ty::Void => "void".into(),
            Ty::Str => "rt.Str".into(),
            Ty::Array(t) => format!("rt.List({})", self.ty(t)),
            Ty::Set(t) => format!("rt.Set({})", self.ty(t)),
            Ty::Map(k, v) => format!("rt.Map({}, {})", self.ty(k), self.ty(v)),
            Ty::Adt(id, _) => self.adt_ty(id.0 as usize),
            Ty::Real => "M.Real".into(),
            Ty::Future(t) => format!("rt.task.Task(rt.Thrown!{})", self.ty(t)),
            Ty::Posterior => "rt.ppl.infer.Posterior".into(),
            Ty::TraitObject(t) => format!("rt.Dyn({})", self.dyn_names.get(t.0 as usize).map_or("void", |n| n.as_str())),
            Ty::Channel(t) => format!("rt.task.Channel({})", self.ty(t)),
            other => format!("@compileError(\"unsupported type {other:?}\")"),
        }
    }

    fn adt_ty(&self, index: usize) -> String {
        let Some(def) = self.p.types.get(index) else { return "void".into() };
        let payloads = || match &def.kind {
            TypeKind::Enum { variants, .. } => variants.iter().map(|(_, p)| p.as_ref().map_or("void".into(), |t| self.ty(t))).collect(),
            _ => Vec::<String>::new(),
        };
        if !runtime_adt(def) {
            return self.type_names[index].clone();
        }
        match def.builtin {
            Some(crate::typed::BuiltinAdt::Option) => format!("rt.Option({})", payloads().first().cloned().unwrap_or_default()),
            Some(crate::typed::BuiltinAdt::Result) => {
                let p = payloads();
                format!("rt.Result({}, {})", p.first().cloned().unwrap_or_default(), p.get(1).cloned().unwrap_or_default())
            }
            Some(crate::typed::BuiltinAdt::Json) => "rt.Json".into(),
            Some(crate::typed::BuiltinAdt::HttpResponse) => "rt.HttpResponse".into(),
            _ => self.type_names[index].clone(),
        }
    }

    fn field_name(&self, ty: &Ty, index: usize) -> String {
        let Ty::Adt(id, _) = ty else { return format!("f{index}") };
        match self.p.types.get(id.0 as usize).map(|t| &t.kind) {
            Some(TypeKind::Record { fields }) => fields.get(index).map_or(format!("f{index}"), |(n, _)| escape(n)),
            _ => format!("f{index}"),
        }
    }

    fn variant(&self, ty: &Ty, index: usize) -> (String, bool) {
        let Ty::Adt(id, _) = ty else { return (format!("v{index}"), false) };
        match self.p.types.get(id.0 as usize).map(|t| &t.kind) {
            Some(TypeKind::Enum { variants, boxed }) => (
                variants.get(index).map_or(format!("v{index}"), |(n, _)| escape(n)),
                boxed.get(index).copied().unwrap_or(false),
            ),
            _ => (format!("v{index}"), false),
        }
    }
}
