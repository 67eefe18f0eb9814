//! Lowering: typed program → CIR.
//!
//! Generic functions and types are monomorphised on demand: a worklist holds the function
//! instances still to lower, and each (ADT, type arguments) and tuple type maps to one CIR
//! type. A function instance is also keyed by whether it runs inside a model and by which of
//! its arguments depend on the model's parameters (see `model`), since both change its CIR
//! types. Expressions are flattened into instructions in evaluation order; `&&`/`||` and
//! conditional expressions become `If`s on a hidden local so that the right operand runs only
//! when needed. `match` is lowered from the checker's decision tree.
//!
//! Ownership is decided here (see the `cir` module doc): every value that holds heap memory is
//! either owned (fresh from a call or constructor) or borrowed (a read). `FnLower::own`
//! retains a borrowed value that is being stored; `FnLower::use_borrowed` schedules the
//! release of an owned value that is only read. Locals of heap type are released when their
//! block exits.
//!
//! Submodules: `func` (function bodies and statements), `expr` (expressions and calls),
//! `prob` (models: parameters, observations, reports, and the `Real` conversions).

mod expr;
mod func;
mod prob;

use super::model::Analysis;
use super::*;
use crate::diagnostic::Diagnostic;
use crate::typed::{self, AdtKind};
use crate::types::AdtId;
use func::FnLower;
use std::collections::HashMap;

/// Lowers a checked program (which must have no errors) to CIR. Model programs can still be
/// rejected here (a parameter stored where its gradient would be lost): those problems are
/// returned as diagnostics.
pub fn lower(program: &typed::Program, source: &crate::span::SourceFile) -> Result<Program, Vec<Diagnostic>> {
    lower_with(program, source, &[], &[]).map(|(cir, _)| cir)
}

/// [`lower`], also lowering the non-generic functions `roots` (which the entry need not call):
/// the REPL calls its input function directly. Returns the CIR ids of the roots, in order.
pub fn lower_with_roots(program: &typed::Program, source: &crate::span::SourceFile, roots: &[typed::FuncId]) -> Result<(Program, Vec<FuncId>), Vec<Diagnostic>> {
    lower_with(program, source, roots, &[])
}

/// [`lower`] for a library build: `exports` (non-generic functions, by name) are lowered as
/// roots besides the entry and listed in `Program::exports`.
pub fn lower_with_exports(program: &typed::Program, source: &crate::span::SourceFile, exports: &[typed::FuncId]) -> Result<Program, Vec<Diagnostic>> {
    lower_with(program, source, &[], exports).map(|(cir, _)| cir)
}

fn lower_with(program: &typed::Program, source: &crate::span::SourceFile, roots: &[typed::FuncId], exports: &[typed::FuncId]) -> Result<(Program, Vec<FuncId>), Vec<Diagnostic>> {
    let analysis = Analysis::new(program);
    let model_program = analysis.is_model_program();
    let mut lowerer = Lowerer {
        typed: program,
        out: Program { source_name: source.name.clone(), line_starts: source.line_starts().to_vec(), ..Program::default() },
        types: HashMap::new(),
        instances: HashMap::new(),
        queue: Vec::new(),
        analysis,
        diagnostics: Vec::new(),
        dyn_traits: HashMap::new(),
        vtables: HashMap::new(),
        inferred: HashMap::new(),
    };
    lowerer.out.externs = program
        .externs
        .iter()
        .map(|e| Extern { name: e.name.clone(), library: e.library.clone(), params: e.params.clone(), ret: e.ret.clone() })
        .collect();
    if let Some(problem) = program.entry.and_then(|e| entry_arguments_problem(program, e, model_program)) {
        return Err(vec![problem]);
    }
    if let Some(entry) = program.entry {
        let arity = program.func(entry).params.len();
        let key = Instance { func: entry, type_args: Vec::new(), active: vec![false; arity], model: model_program };
        lowerer.out.entry = Some(lowerer.instance(key));
        if model_program {
            lowerer.out.model = Some(lowerer.model_entry(entry, source));
        }
    }
    let root_ids: Vec<FuncId> = roots
        .iter()
        .map(|&func| {
            let arity = program.func(func).params.len();
            lowerer.instance(Instance { func, type_args: Vec::new(), active: vec![false; arity], model: false })
        })
        .collect();
    for &func in exports {
        let arity = program.func(func).params.len();
        let id = lowerer.instance(Instance { func, type_args: Vec::new(), active: vec![false; arity], model: false });
        lowerer.out.exports.push(super::Export { name: program.func(func).name.clone(), func: id });
    }
    while !lowerer.queue.is_empty() {
        let (key, cir_id) = lowerer.queue.remove(0);
        let function = FnLower::lower(&mut lowerer, &key, cir_id);
        lowerer.out.functions[cir_id.index()] = function;
    }
    lowerer.mark_boxed_payloads();
    super::throws::mark(&mut lowerer.out);
    lowerer.reject_throwing_model_code();
    lowerer.diagnostics.extend(super::enumerate::run(&mut lowerer.out));
    if lowerer.diagnostics.is_empty() {
        // a rejected `sample` leaves no parameter behind: report the cause, not this
        lowerer.diagnostics.extend(super::parameterless::check(&lowerer.out));
    }
    if lowerer.diagnostics.is_empty() { Ok((lowerer.out, root_ids)) } else { Err(lowerer.diagnostics) }
}

/// A program's entry takes the command-line arguments (`[str]`) or nothing; only a model's entry
/// takes data (read from the `--data` file by name).
fn entry_arguments_problem(program: &typed::Program, entry: typed::FuncId, model: bool) -> Option<Diagnostic> {
    let f = program.func(entry);
    let params: Vec<&Ty> = f.params.iter().map(|p| &f.local(*p).ty).collect();
    let fine = model || params.is_empty() || matches!(params.as_slice(), [Ty::Array(t)] if **t == Ty::Str);
    if fine {
        return None;
    }
    let d = Diagnostic::new(crate::diagnostic::Code::E0206, "Invalid entry function")
        .primary(f.span, format!("`{}` takes parameters, but the program is not a model", f.name))
        .hint("an entry function takes nothing or one `[str]` (the command-line arguments); a model's entry (one that reaches `observe`, `factor` or `prob_assert`) takes its data");
    Some(d)
}

/// Whether the data reader (`DataSource` in the model runtime) has an accessor for `ty`.
fn is_readable_data(ty: &Ty) -> bool {
    let scalar = |t: &Ty| t.is_int() || t.is_float() || *t == Ty::Bool;
    match ty {
        Ty::Array(e) => scalar(e) || matches!(&**e, Ty::Array(inner) if **inner == Ty::Float(crate::types::FloatTy::F64)),
        t => scalar(t),
    }
}

/// One function instance: a typed function at concrete type arguments, in or out of a model,
/// with the activity of its arguments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Instance {
    pub func: typed::FuncId,
    pub type_args: Vec<Ty>,
    pub active: Vec<bool>,
    pub model: bool,
}

pub(super) struct Lowerer<'a> {
    typed: &'a typed::Program,
    out: Program,
    types: HashMap<Ty, TypeId>,
    instances: HashMap<Instance, FuncId>,
    queue: Vec<(Instance, FuncId)>,
    analysis: Analysis<'a>,
    diagnostics: Vec<Diagnostic>,
    /// Typed trait → index in `out.dyn_traits`.
    dyn_traits: HashMap<crate::types::TraitId, usize>,
    /// Typed implementation → index in `out.vtables`.
    vtables: HashMap<(usize, Ty), usize>,
    /// Typed model function → index in `out.inferred`.
    inferred: HashMap<typed::FuncId, usize>,
}

impl Lowerer<'_> {
    /// Model code runs thousands of times per draw inside the sampler, which has no way to
    /// report an exception: one that could escape a model function is rejected here.
    fn reject_throwing_model_code(&mut self) {
        for f in self.out.functions.iter().filter(|f| f.model && f.can_throw) {
            let message = format!("an exception may escape `{}`, which runs inside the model", f.source_name);
            let d = Diagnostic::new(crate::diagnostic::Code::E0319, "Unsupported model construct")
                .primary(f.span, message)
                .hint("catch it inside the function with `try`/`catch`");
            self.diagnostics.push(d);
        }
    }

    /// The CIR function for an instance (queued if new).
    fn instance(&mut self, key: Instance) -> FuncId {
        if let Some(f) = self.instances.get(&key) {
            return *f;
        }
        let typed_fn = self.typed.func(key.func);
        let mut name = match &typed_fn.method_of {
            Some((trait_id, target)) => {
                let target = self.ty(&target.subst(&key.type_args));
                format!("{}_{}__{}", self.typed.traits[trait_id.0 as usize].name, typed_fn.name, self.mangle(&target))
            }
            None => typed_fn.name.clone(),
        };
        for a in &key.type_args {
            let cir = self.ty(a);
            name.push_str("__");
            name.push_str(&self.mangle(&cir));
        }
        if key.active.iter().any(|a| *a) {
            let pattern: String = key.active.iter().map(|a| if *a { 'r' } else { 'd' }).collect();
            name.push_str(&format!("__{pattern}"));
        }
        let cir_id = FuncId::from_index(self.out.functions.len());
        self.out.functions.push(Function {
            name,
            source_name: typed_fn.name.clone(),
            params: Vec::new(),
            ret: Ty::Void,
            locals: Vec::new(),
            blocks: Vec::new(),
            insts: Vec::new(),
            body: BlockId(0),
            can_throw: false,
            model: key.model,
            span: typed_fn.span,
        });
        self.instances.insert(key.clone(), cir_id);
        self.queue.push((key, cir_id));
        cir_id
    }

    /// The name and data (parameters) of a model entry.
    /// The model fitted by `infer` expressions naming `func` (lowered once, as a model entry).
    fn inferred_model(&mut self, func: typed::FuncId) -> usize {
        if let Some(i) = self.inferred.get(&func) {
            return *i;
        }
        let f = self.typed.func(func);
        let data = self.model_data(func);
        let entry = ModelEntry { name: f.name.clone(), data, prepare: None };
        let key = Instance { func, type_args: Vec::new(), active: vec![false; f.params.len()], model: true };
        let index = self.out.inferred.len();
        self.out.inferred.push(InferredModel { entry, func: FuncId(u32::MAX) });
        self.inferred.insert(func, index);
        let id = self.instance(key);
        self.out.inferred[index].func = id;
        index
    }

    /// Whether a CIR function is the entry of a model (of the program, or of an `infer`).
    fn is_model_entry(&self, id: FuncId) -> bool {
        self.out.entry == Some(id) && self.out.model.is_some() || self.out.inferred.iter().any(|m| m.func == id)
    }

    fn model_entry(&mut self, entry: typed::FuncId, source: &crate::span::SourceFile) -> ModelEntry {
        let data = self.model_data(entry);
        let file = source.name.rsplit('/').next().unwrap_or(&source.name);
        let stem = crate::syntax::EXTENSIONS.iter().find_map(|e| file.strip_suffix(e)).unwrap_or(file);
        let name: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
        ModelEntry { name: if name.is_empty() { "model".into() } else { name }, data, prepare: None }
    }

    /// The data of a model entry (its parameters), each of a type the data reader knows (a
    /// located E0319 otherwise).
    fn model_data(&mut self, entry: typed::FuncId) -> Vec<(String, Ty)> {
        let f = self.typed.func(entry);
        let mut data = Vec::new();
        for p in &f.params {
            let local = f.local(*p);
            if !is_readable_data(&local.ty) {
                let message = format!("the model's data `{}` is a `{}`, which a data file cannot hold", local.name, self.typed.display(&local.ty));
                let hint = "data are i64, f64 or bool, arrays of them, or a matrix [[f64]]; build other values from them inside the model";
                self.diagnostics.push(Diagnostic::new(crate::diagnostic::Code::E0319, "Unsupported model construct").primary(local.span, message).hint(hint));
            }
            data.push((local.name.clone(), self.ty(&local.ty)));
        }
        data
    }

    /// Maps a typed type (already substituted) to its CIR form.
    fn ty(&mut self, ty: &Ty) -> Ty {
        match ty {
            Ty::Adt(id, typed_args) => {
                let args: Vec<Ty> = typed_args.iter().map(|a| self.ty(a)).collect();
                let key = Ty::Adt(*id, args.clone());
                let type_id = self.adt_type(&key, *id, &args, typed_args);
                Ty::Adt(AdtId(type_id.0), Vec::new())
            }
            Ty::Tuple(items) => {
                let items: Vec<Ty> = items.iter().map(|t| self.ty(t)).collect();
                let key = Ty::Tuple(items.clone());
                if let Some(id) = self.types.get(&key) {
                    return Ty::Adt(AdtId(id.0), Vec::new());
                }
                let name = format!("Tuple__{}", items.iter().map(|t| self.mangle(t)).collect::<Vec<_>>().join("__"));
                let id = self.push_type(key, TypeDef { name, kind: TypeKind::Tuple { items }, builtin: None, is_error: false });
                Ty::Adt(AdtId(id.0), Vec::new())
            }
            Ty::TraitObject(t) => Ty::TraitObject(crate::types::TraitId(u32::try_from(self.dyn_trait(*t)).unwrap_or(u32::MAX))),
            Ty::Array(t) => Ty::Array(Box::new(self.ty(t))),
            Ty::Set(t) => Ty::Set(Box::new(self.ty(t))),
            Ty::Future(t) => Ty::Future(Box::new(self.ty(t))),
            Ty::Channel(t) => Ty::Channel(Box::new(self.ty(t))),
            Ty::Map(k, v) => Ty::Map(Box::new(self.ty(k)), Box::new(self.ty(v))),
            Ty::Fn(ps, r) => Ty::Fn(ps.iter().map(|p| self.ty(p)).collect(), Box::new(self.ty(r))),
            other => other.clone(),
        }
    }

    fn push_type(&mut self, key: Ty, def: TypeDef) -> TypeId {
        let id = TypeId::from_index(self.out.types.len());
        self.out.types.push(def);
        self.types.insert(key, id);
        id
    }

    /// `args` are the CIR forms of `typed_args`; member types substitute the typed arguments
    /// (lowering a CIR type again would read its id as a typed ADT id).
    fn adt_type(&mut self, key: &Ty, id: AdtId, args: &[Ty], typed_args: &[Ty]) -> TypeId {
        if let Some(t) = self.types.get(key) {
            return *t;
        }
        let adt = self.typed.adt(id);
        let mut name = adt.name.clone();
        if let (true, AdtKind::Record { fields }) = (name.starts_with('{'), &adt.kind) {
            name = "Struct".to_string();
            for f in fields {
                name.push('_');
                name.push_str(&f.name);
            }
        }
        for a in args {
            name.push_str("__");
            name.push_str(&self.mangle(a));
        }
        // Declare the type before lowering its members, so that a recursive member (`Tree<T>`
        // inside `Tree<T>`) finds this id; the members are filled in just below.
        let members_pending = TypeKind::Record { fields: Vec::new() };
        let type_id = self.push_type(key.clone(), TypeDef { name, kind: members_pending, builtin: adt.builtin, is_error: adt.is_error });
        let kind = match &adt.kind {
            AdtKind::Record { fields } => TypeKind::Record { fields: fields.iter().map(|f| (f.name.clone(), self.ty(&f.ty.subst(typed_args)))).collect() },
            AdtKind::Enum { variants } => {
                let variants: Vec<(String, Option<Ty>)> =
                    variants.iter().map(|v| (v.name.clone(), v.payload.as_ref().map(|p| self.ty(&p.subst(typed_args))))).collect();
                let boxed = vec![false; variants.len()];
                TypeKind::Enum { variants, boxed }
            }
        };
        self.out.types[type_id.index()].kind = kind;
        type_id
    }

    /// A readable identifier fragment for a (CIR) type.
    fn mangle(&self, ty: &Ty) -> String {
        match ty {
            Ty::Int(i) => i.name().into(),
            Ty::Float(f) => f.name().into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "str".into(),
            Ty::Void => "void".into(),
            Ty::Array(t) => format!("arr_{}", self.mangle(t)),
            Ty::Set(t) => format!("set_{}", self.mangle(t)),
            Ty::Map(k, v) => format!("map_{}_{}", self.mangle(k), self.mangle(v)),
            Ty::Adt(id, _) => self.out.types.get(id.0 as usize).map_or_else(|| "t".to_string(), |t| t.name.clone()),
            Ty::Tuple(items) => format!("tup_{}", items.iter().map(|t| self.mangle(t)).collect::<Vec<_>>().join("_")),
            Ty::Future(t) => format!("fut_{}", self.mangle(t)),
            Ty::Channel(t) => format!("chan_{}", self.mangle(t)),
            _ => "t".into(),
        }
    }

    /// An enum payload that contains its own enum without indirection must be boxed.
    fn mark_boxed_payloads(&mut self) {
        for index in 0..self.out.types.len() {
            let TypeKind::Enum { variants, .. } = &self.out.types[index].kind else { continue };
            let boxed: Vec<bool> = variants
                .iter()
                .map(|(_, p)| p.as_ref().is_some_and(|t| self.inline_contains(t, index, &mut Vec::new())))
                .collect();
            if let TypeKind::Enum { boxed: slot, .. } = &mut self.out.types[index].kind {
                *slot = boxed;
            }
        }
    }

    /// Whether `ty` is an `Option` whose payload holds the option itself, so that its payload
    /// is boxed (and it is declared in the generated file, unlike the runtime's `Option`).
    pub(super) fn is_boxed_option(&self, ty: &Ty) -> bool {
        let Ty::Adt(id, _) = ty else { return false };
        let index = id.0 as usize;
        let Some(def) = self.out.types.get(index) else { return false };
        let TypeKind::Enum { variants, .. } = &def.kind else { return false };
        def.builtin == Some(typed::BuiltinAdt::Option) && variants.iter().filter_map(|(_, p)| p.as_ref()).any(|p| self.inline_contains(p, index, &mut Vec::new()))
    }

    fn inline_contains(&self, ty: &Ty, target: usize, seen: &mut Vec<usize>) -> bool {
        let Ty::Adt(id, _) = ty else { return false };
        let index = id.0 as usize;
        if index == target {
            return true;
        }
        if seen.contains(&index) {
            return false;
        }
        seen.push(index);
        match &self.out.types[index].kind {
            TypeKind::Record { fields } => fields.iter().any(|(_, t)| self.inline_contains(t, target, seen)),
            TypeKind::Tuple { items } => items.iter().any(|t| self.inline_contains(t, target, seen)),
            TypeKind::Enum { variants, .. } => variants.iter().filter_map(|(_, p)| p.as_ref()).any(|t| self.inline_contains(t, target, seen)),
        }
    }

    /// The CIR index of a trait used as a type (its method signatures lowered once).
    fn dyn_trait(&mut self, id: crate::types::TraitId) -> usize {
        if let Some(i) = self.dyn_traits.get(&id) {
            return *i;
        }
        let index = self.out.dyn_traits.len();
        self.dyn_traits.insert(id, index);
        let def = &self.typed.traits[id.0 as usize];
        let name = def.name.clone();
        self.out.dyn_traits.push(DynTrait { name, methods: Vec::new() });
        let signatures: Vec<(String, Vec<Ty>, Ty)> = def.methods.iter().map(|m| (m.name.clone(), m.params.clone(), m.ret.clone())).collect();
        let methods = signatures
            .into_iter()
            .map(|(name, params, ret)| DynMethod { name, params: params.iter().map(|p| self.ty(p)).collect(), ret: self.ty(&ret), can_throw: false })
            .collect();
        self.out.dyn_traits[index].methods = methods;
        index
    }

    /// The method table of implementation `impl_index` for the concrete type `value_ty` (its
    /// methods queued for lowering; a generic implementation has one table per type).
    fn vtable(&mut self, impl_index: usize, value_ty: &Ty) -> usize {
        let key = (impl_index, value_ty.clone());
        if let Some(i) = self.vtables.get(&key) {
            return *i;
        }
        let def = &self.typed.impls[impl_index];
        let (trait_id, methods) = (def.trait_id, def.methods.clone());
        let type_args = def.instance_for(value_ty).unwrap_or_default();
        let trait_index = self.dyn_trait(trait_id);
        let concrete = self.ty(value_ty);
        let methods = methods
            .into_iter()
            .map(|m| {
                let arity = self.typed.func(m).params.len();
                self.instance(Instance { func: m, type_args: type_args.clone(), active: vec![false; arity], model: false })
            })
            .collect();
        let index = self.out.vtables.len();
        self.out.vtables.push(VTable { trait_index, concrete, methods });
        self.vtables.insert(key, index);
        index
    }

    /// The function implementing method `method` of a trait for `self_ty`, with the type
    /// arguments of its implementation (empty unless the implementation is generic).
    fn impl_method(&mut self, trait_id: crate::types::TraitId, method: usize, self_ty: &Ty) -> Option<(typed::FuncId, Vec<Ty>)> {
        self.typed.impls.iter().filter(|i| i.trait_id == trait_id).find_map(|i| {
            let type_args = i.instance_for(self_ty)?;
            i.methods.get(method).map(|m| (*m, type_args))
        })
    }
}
