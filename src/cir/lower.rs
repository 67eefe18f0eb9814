//! Lowering: typed program → CIR.
//!
//! Generic functions and types are monomorphised on demand: a worklist holds the function
//! instances still to lower, and `Mono` maps each (ADT, type arguments) and tuple type to one
//! CIR type. Expressions are flattened into instructions in evaluation order; `&&`/`||` and
//! conditional expressions become `If`s on a hidden local so that the right operand runs only
//! when needed. `match` is lowered from the checker's decision tree.
//!
//! Ownership is decided here (see the `cir` module doc): every value that holds heap memory is
//! either owned (fresh from a call or constructor) or borrowed (a read). [`FnLower::own`]
//! retains a borrowed value that is being stored; [`FnLower::use_borrowed`] schedules the
//! release of an owned value that is only read. Locals of heap type are released when their
//! block exits.

use super::*;
use crate::decision::{Access, Case, Decision, Step};
use crate::typed::{self, AdtKind, Callee, ExprKind as E, Literal, Pat, StmtKind as S};
use crate::types::{AdtId, IntTy};
use std::collections::{HashMap, HashSet};

/// Lowers a checked program (which must have no errors) to CIR.
pub fn lower(program: &typed::Program, source: &crate::span::SourceFile) -> Program {
    let mut lowerer = Lowerer {
        typed: program,
        out: Program { source_name: source.name.clone(), line_starts: source.line_starts().to_vec(), ..Program::default() },
        types: HashMap::new(),
        instances: HashMap::new(),
        queue: Vec::new(),
    };
    lowerer.out.externs = program
        .externs
        .iter()
        .map(|e| Extern { name: e.name.clone(), library: e.library.clone(), params: e.params.clone(), ret: e.ret.clone() })
        .collect();
    if let Some(entry) = program.entry {
        lowerer.out.entry = Some(lowerer.instance(entry, Vec::new()));
    }
    while let Some((id, args, cir_id)) = lowerer.queue.pop() {
        let function = FnLower::lower(&mut lowerer, id, &args, cir_id);
        lowerer.out.functions[cir_id.index()] = function;
    }
    lowerer.mark_boxed_payloads();
    lowerer.out
}

struct Lowerer<'a> {
    typed: &'a typed::Program,
    out: Program,
    types: HashMap<Ty, TypeId>,
    instances: HashMap<(typed::FuncId, Vec<Ty>), FuncId>,
    queue: Vec<(typed::FuncId, Vec<Ty>, FuncId)>,
}

impl Lowerer<'_> {
    /// The CIR function for a typed function at concrete type arguments (queued if new).
    fn instance(&mut self, id: typed::FuncId, args: Vec<Ty>) -> FuncId {
        if let Some(f) = self.instances.get(&(id, args.clone())) {
            return *f;
        }
        let typed_fn = self.typed.func(id);
        let mut name = match &typed_fn.method_of {
            Some((trait_id, target)) => {
                let target = self.ty(target);
                format!("{}_{}__{}", self.typed.traits[trait_id.0 as usize].name, typed_fn.name, self.mangle(&target))
            }
            None => typed_fn.name.clone(),
        };
        for a in &args {
            let cir = self.ty(a);
            name.push_str("__");
            name.push_str(&self.mangle(&cir));
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
            span: typed_fn.span,
        });
        self.instances.insert((id, args.clone()), cir_id);
        self.queue.push((id, args, cir_id));
        cir_id
    }

    /// Maps a typed type (already substituted) to its CIR form.
    fn ty(&mut self, ty: &Ty) -> Ty {
        match ty {
            Ty::Adt(id, args) => {
                let args: Vec<Ty> = args.iter().map(|a| self.ty(a)).collect();
                let key = Ty::Adt(*id, args.clone());
                let type_id = self.adt_type(&key, *id, &args);
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

    fn adt_type(&mut self, key: &Ty, id: AdtId, args: &[Ty]) -> TypeId {
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
        let placeholder = TypeDef { name, kind: TypeKind::Tuple { items: Vec::new() }, builtin: adt.builtin, is_error: adt.is_error };
        let type_id = self.push_type(key.clone(), placeholder);
        let kind = match &adt.kind {
            AdtKind::Record { fields } => TypeKind::Record { fields: fields.iter().map(|f| (f.name.clone(), self.ty(&f.ty.subst(args)))).collect() },
            AdtKind::Enum { variants } => {
                let variants: Vec<(String, Option<Ty>)> =
                    variants.iter().map(|v| (v.name.clone(), v.payload.as_ref().map(|p| self.ty(&p.subst(args))))).collect();
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

    fn impl_method(&mut self, trait_id: crate::types::TraitId, method: usize, self_ty: &Ty) -> Option<typed::FuncId> {
        self.typed
            .impls
            .iter()
            .find(|i| i.trait_id == trait_id && i.target == *self_ty)
            .and_then(|i| i.methods.get(method).copied())
    }
}

/// A loop bound evaluated once: a constant, or a local holding it.
#[derive(Clone)]
enum Reused {
    Const(Const, Ty),
    Local(LocalId),
}

/// Built-ins whose result borrows from an argument instead of being a new owned value.
fn builtin_result_borrowed(name: &str) -> bool {
    matches!(name, "map_get")
}

struct FnLower<'l, 'a> {
    l: &'l mut Lowerer<'a>,
    typed_fn: &'a typed::Function,
    subst: Vec<Ty>,
    f: Function,
    current: BlockId,
    locals: HashMap<typed::LocalId, LocalId>,
    owned: HashSet<ValueId>,
}

impl<'l, 'a> FnLower<'l, 'a> {
    fn lower(l: &'l mut Lowerer<'a>, id: typed::FuncId, args: &[Ty], cir_id: FuncId) -> Function {
        let typed_fn = l.typed.func(id);
        let mut f = l.out.functions[cir_id.index()].clone();
        f.body = f.add_block();
        let mut this = FnLower { l, typed_fn, subst: args.to_vec(), current: f.body, f, locals: HashMap::new(), owned: HashSet::new() };
        this.f.ret = this.ty(&typed_fn.ret);
        for p in &typed_fn.params {
            let decl = typed_fn.local(*p);
            let ty = this.ty(&decl.ty);
            let local = this.f.add_local(decl.name.clone(), ty, false);
            this.locals.insert(*p, local);
            this.f.params.push(local);
        }
        this.block_into(&typed_fn.body);
        this.f
    }

    fn ty(&mut self, ty: &Ty) -> Ty {
        let substituted = ty.subst(&self.subst);
        self.l.ty(&substituted)
    }

    // ----- Emission helpers -------------------------------------------------------------------

    fn emit(&mut self, kind: InstKind, ty: Ty, span: Span) -> ValueId {
        let v = self.f.add_inst(kind, ty, span);
        self.f.blocks[self.current.index()].insts.push(v);
        v
    }

    fn emit_void(&mut self, kind: InstKind, span: Span) -> ValueId {
        self.emit(kind, Ty::Void, span)
    }

    fn owned_value(&mut self, kind: InstKind, ty: Ty, span: Span) -> ValueId {
        let heap = ty.is_heap();
        let v = self.emit(kind, ty, span);
        if heap {
            self.owned.insert(v);
        }
        v
    }

    /// Lowers `stmts` into a fresh block and returns it.
    fn new_block(&mut self, stmts: &[typed::Stmt]) -> BlockId {
        let block = self.f.add_block();
        self.in_block(block, |this| this.block_into(stmts));
        block
    }

    fn in_block(&mut self, block: BlockId, body: impl FnOnce(&mut Self)) {
        let saved = self.current;
        self.current = block;
        body(self);
        self.current = saved;
    }

    fn block_into(&mut self, stmts: &[typed::Stmt]) {
        for stmt in stmts {
            self.stmt(stmt);
            if self.block_terminated() {
                break;
            }
        }
    }

    fn block_terminated(&self) -> bool {
        self.f.blocks[self.current.index()].insts.last().is_some_and(|v| self.f.inst(*v).kind.is_terminator())
    }

    /// Makes `v` an owned reference (retaining a borrowed heap value).
    fn own(&mut self, v: ValueId) -> ValueId {
        let inst = self.f.inst(v);
        let is_static = matches!(inst.kind, InstKind::Const(_));
        if !inst.ty.is_heap() || is_static || self.owned.remove(&v) {
            return v;
        }
        let (ty, span) = (inst.ty.clone(), inst.span);
        self.emit(InstKind::Retain(v), ty, span)
    }

    /// `v` is only read: if it is an owned temporary, release it when the block exits.
    fn use_borrowed(&mut self, v: ValueId) -> ValueId {
        if self.owned.remove(&v) {
            let span = self.f.inst(v).span;
            self.emit_void(InstKind::DeferRelease(v), span);
        }
        v
    }

    /// Declares a CIR local for a typed local, initialised with an owned value.
    fn bind_local(&mut self, id: typed::LocalId, value: ValueId, span: Span) -> LocalId {
        let decl = self.typed_fn.local(id);
        let ty = self.ty(&decl.ty);
        let local = self.f.add_local(decl.name.clone(), ty.clone(), decl.mutable);
        self.locals.insert(id, local);
        let value = self.own(value);
        self.emit_void(InstKind::InitLocal(local, value), span);
        if ty.is_heap() {
            self.emit_void(InstKind::DeferReleaseLocal(local), span);
        }
        local
    }

    /// A hidden local holding an owned value (scrutinees, iterables, loop counters).
    fn hidden_local(&mut self, name: &str, value: ValueId, mutable: bool, span: Span) -> LocalId {
        let ty = self.f.inst(value).ty.clone();
        let local = self.f.add_local(name, ty.clone(), mutable);
        let value = self.own(value);
        self.emit_void(InstKind::InitLocal(local, value), span);
        if ty.is_heap() {
            self.emit_void(InstKind::DeferReleaseLocal(local), span);
        }
        local
    }

    fn read(&mut self, local: LocalId, span: Span) -> ValueId {
        let ty = self.f.local(local).ty.clone();
        self.emit(InstKind::Local(local), ty, span)
    }

    fn constant(&mut self, c: Const, ty: Ty, span: Span) -> ValueId {
        self.emit(InstKind::Const(c), ty, span)
    }

    // ----- Statements -------------------------------------------------------------------------

    fn stmt(&mut self, stmt: &typed::Stmt) {
        let span = stmt.span;
        match &stmt.kind {
            S::Let { local, value, .. } => {
                let v = self.expr(value);
                self.bind_local(*local, v, span);
            }
            S::LetPattern { pattern, value } => {
                let v = self.expr(value);
                let root = self.hidden_local("destructured", v, false, span);
                self.bind_pattern(pattern, root, &[], span);
            }
            S::Assign { place, value } => self.assign(place, value, span),
            S::If { cond, then_body, else_body } => {
                let c = self.expr(cond);
                let then_block = self.new_block(then_body);
                let else_block = self.new_block(else_body);
                self.emit_void(InstKind::If { cond: c, then_block, else_block }, span);
            }
            S::While { cond, body } => {
                let loop_body = self.f.add_block();
                self.in_block(loop_body, |this| {
                    this.break_unless(cond);
                    this.block_into(body);
                });
                self.emit_void(InstKind::Loop { body: loop_body, step: None }, span);
            }
            S::ForRange { var, start, end, step, inclusive, body } => self.for_range(*var, start, end, step.as_ref(), *inclusive, body, span),
            S::ForEach { binding, iterable, body } => self.for_each(binding, iterable, body, span),
            S::Match { scrutinee, arms, decision } => self.match_stmt(scrutinee, arms, decision, span),
            S::Return(value) => {
                let v = value.as_ref().map(|e| {
                    let v = self.expr(e);
                    self.own(v)
                });
                self.emit_void(InstKind::Return(v), span);
            }
            S::Break => {
                self.emit_void(InstKind::Break, span);
            }
            S::Continue => {
                self.emit_void(InstKind::Continue, span);
            }
            S::Expr(e) => {
                let v = self.expr(e);
                self.use_borrowed(v);
            }
            S::Try { body, catches, finally } => self.try_stmt(body, catches, finally, span),
            S::Throw(value) => {
                let v = self.expr(value);
                let v = self.own(v);
                self.emit_void(InstKind::Throw(v), span);
            }
            S::Observe { .. } | S::Factor(_) | S::ProbAssert { .. } => {
                self.emit_void(InstKind::Unreachable, span);
            }
        }
    }

    /// Emits `if (!cond) break;` at the start of a loop body.
    fn break_unless(&mut self, cond: &typed::Expr) {
        let c = self.expr(cond);
        let then_block = self.f.add_block();
        let else_block = self.f.add_block();
        self.in_block(else_block, |this| {
            this.emit_void(InstKind::Break, cond.span);
        });
        self.emit_void(InstKind::If { cond: c, then_block, else_block }, cond.span);
    }

    fn assign(&mut self, place: &typed::Place, value: &typed::Expr, span: Span) {
        let local = self.locals.get(&place.root).copied().unwrap_or(LocalId(0));
        let mut path = Vec::new();
        for p in &place.projections {
            match p {
                typed::Projection::Field { index, .. } => path.push(PlaceElem::Field(*index)),
                typed::Projection::Index { index, .. } => {
                    let i = self.expr(index);
                    path.push(PlaceElem::Index(i));
                }
            }
        }
        let v = self.expr(value);
        let v = self.own(v);
        if path.is_empty() {
            self.emit_void(InstKind::SetLocal(local, v), span);
        } else {
            self.emit_void(InstKind::SetPlace { local, path, value: v }, span);
        }
    }

    #[allow(clippy::too_many_arguments)]
    /// `for var in start..end (step)`: the loop variable itself is the counter (it cannot be
    /// assigned in the body), stepped after each iteration; `end` and `step` are evaluated
    /// once, before the loop.
    #[allow(clippy::too_many_arguments)]
    fn for_range(&mut self, var: typed::LocalId, start: &typed::Expr, end: &typed::Expr, step: Option<&typed::Expr>, inclusive: bool, body: &[typed::Stmt], span: Span) {
        let ty = self.ty(&start.ty);
        let s = self.expr(start);
        let decl = self.typed_fn.local(var);
        let counter = self.f.add_local(decl.name.clone(), ty.clone(), true);
        self.emit_void(InstKind::InitLocal(counter, s), span);
        let end_value = self.expr(end);
        let end_value = self.once(end_value, "end", span);
        let step_value = match step {
            Some(st) => self.expr(st),
            None => self.constant(Const::Int(1), ty.clone(), span),
        };
        let step_value = self.once(step_value, "step", span);
        let descending = match step.map(|s| &s.kind) {
            Some(E::Lit(Literal::Int(i))) => Some(*i < 0),
            Some(E::Unary { op: UnOp::Neg, arg }) if matches!(arg.kind, E::Lit(Literal::Int(_))) => Some(true),
            None => Some(false),
            _ => None,
        };
        let loop_body = self.f.add_block();
        let (end_for_body, step_for_body) = (end_value.clone(), step_value.clone());
        self.in_block(loop_body, |this| {
            let (end_value, step_value) = (end_for_body, step_for_body);
            let i = this.read(counter, span);
            let cond = match descending {
                Some(desc) => {
                    let op = match (desc, inclusive) {
                        (false, false) => BinOp::Lt,
                        (false, true) => BinOp::Le,
                        (true, false) => BinOp::Gt,
                        (true, true) => BinOp::Ge,
                    };
                    let e = this.reuse(end_value, span);
                    this.emit(InstKind::Binary(op, i, e), Ty::Bool, span)
                }
                None => {
                    let e = this.reuse(end_value, span);
                    let st = this.reuse(step_value, span);
                    let incl = this.constant(Const::Bool(inclusive), Ty::Bool, span);
                    this.emit(InstKind::Builtin("range_continues", vec![i, e, st, incl]), Ty::Bool, span)
                }
            };
            let then_block = this.f.add_block();
            let else_block = this.f.add_block();
            this.in_block(else_block, |t| {
                t.emit_void(InstKind::Break, span);
            });
            this.emit_void(InstKind::If { cond, then_block, else_block }, span);
            this.locals.insert(var, counter);
            this.block_into(body);
        });
        let step_block = self.f.add_block();
        self.in_block(step_block, |this| {
            let i = this.read(counter, span);
            let st = this.reuse(step_value, span);
            let next = this.emit(InstKind::Binary(BinOp::Add, i, st), ty.clone(), span);
            this.emit_void(InstKind::SetLocal(counter, next), span);
        });
        self.emit_void(InstKind::Loop { body: loop_body, step: Some(step_block) }, span);
    }

    /// A value needed on every iteration: constants are re-emitted, others kept in a local.
    fn once(&mut self, v: ValueId, name: &str, span: Span) -> Reused {
        match &self.f.inst(v).kind {
            InstKind::Const(c) => Reused::Const(c.clone(), self.f.inst(v).ty.clone()),
            _ => Reused::Local(self.hidden_local(name, v, false, span)),
        }
    }

    fn reuse(&mut self, r: Reused, span: Span) -> ValueId {
        match r {
            Reused::Const(c, ty) => self.constant(c, ty, span),
            Reused::Local(l) => self.read(l, span),
        }
    }

    fn for_each(&mut self, binding: &Pat, iterable: &typed::Expr, body: &[typed::Stmt], span: Span) {
        let iter_ty = self.ty(&iterable.ty);
        let reusable = match &iterable.kind {
            E::Local(id) if !self.typed_fn.local(*id).mutable && !matches!(iter_ty, Ty::Set(_)) => self.locals.get(id).copied(),
            _ => None,
        };
        if let Some(items) = reusable {
            return self.for_each_over(binding, items, &iter_ty, body, span);
        }
        let v = self.expr(iterable);
        let collection = match &iter_ty {
            Ty::Set(_) => {
                let v = self.use_borrowed(v);
                let element = match &iter_ty {
                    Ty::Set(e) => (**e).clone(),
                    _ => Ty::Invalid,
                };
                self.owned_value(InstKind::Builtin("set_items", vec![v]), Ty::Array(Box::new(element)), span)
            }
            _ => v,
        };
        let items = self.hidden_local("items", collection, false, span);
        self.for_each_over(binding, items, &iter_ty, body, span);
    }

    /// The loop over the collection held in `items`, binding each element to `binding`.
    fn for_each_over(&mut self, binding: &Pat, items: LocalId, iter_ty: &Ty, body: &[typed::Stmt], span: Span) {
        let iter_ty = iter_ty.clone();
        let zero = self.constant(Const::Int(0), Ty::Int(IntTy::I64), span);
        let index = self.hidden_local("index", zero, true, span);
        let loop_body = self.f.add_block();
        let is_map = matches!(iter_ty, Ty::Map(..));
        self.in_block(loop_body, |this| {
            let i = this.read(index, span);
            let c = this.read(items, span);
            let len_name = if is_map { "map_len" } else { "len" };
            let n = this.emit(InstKind::Builtin(len_name, vec![c]), Ty::Int(IntTy::I64), span);
            let cond = this.emit(InstKind::Binary(BinOp::Lt, i, n), Ty::Bool, span);
            let then_block = this.f.add_block();
            let else_block = this.f.add_block();
            this.in_block(else_block, |t| {
                t.emit_void(InstKind::Break, span);
            });
            this.emit_void(InstKind::If { cond, then_block, else_block }, span);
            let element = this.element_at(&iter_ty, items, index, span);
            match binding {
                Pat::Bind(id) => {
                    this.bind_local(*id, element, span);
                }
                _ => {
                    let element_local = this.hidden_local("element", element, false, span);
                    this.bind_pattern(binding, element_local, &[], span);
                }
            }
            this.block_into(body);
        });
        let step_block = self.f.add_block();
        self.in_block(step_block, |this| {
            let i = this.read(index, span);
            let one = this.constant(Const::Int(1), Ty::Int(IntTy::I64), span);
            let next = this.emit(InstKind::Binary(BinOp::Add, i, one), Ty::Int(IntTy::I64), span);
            this.emit_void(InstKind::SetLocal(index, next), span);
        });
        self.emit_void(InstKind::Loop { body: loop_body, step: Some(step_block) }, span);
    }

    /// The element at `index` of an array (borrowed) or the (key, value) pair of a map (owned).
    fn element_at(&mut self, iter_ty: &Ty, items: LocalId, index: LocalId, span: Span) -> ValueId {
        let c = self.read(items, span);
        let i = self.read(index, span);
        match iter_ty {
            Ty::Map(k, v) => {
                let key = self.emit(InstKind::Builtin("map_key_at", vec![c, i]), (**k).clone(), span);
                let c2 = self.read(items, span);
                let i2 = self.read(index, span);
                let value = self.emit(InstKind::Builtin("map_value_at", vec![c2, i2]), (**v).clone(), span);
                let key = self.own(key);
                let value = self.own(value);
                let pair = self.l.ty(&Ty::Tuple(vec![(**k).clone(), (**v).clone()]));
                self.owned_value(InstKind::MakeRecord(vec![key, value]), pair, span)
            }
            Ty::Array(e) | Ty::Set(e) => self.emit(InstKind::Index(c, i), (**e).clone(), span),
            _ => self.emit(InstKind::Unreachable, Ty::Invalid, span),
        }
    }

    /// Binds the variables of an irrefutable pattern to parts of the value in `root`.
    fn bind_pattern(&mut self, pattern: &Pat, root: LocalId, steps: &[Step], span: Span) {
        match pattern {
            Pat::Wild | Pat::Int(_) | Pat::Str(_) | Pat::Bool(_) => {}
            Pat::Bind(id) => {
                let v = self.access(root, steps, span);
                self.bind_local(*id, v, span);
            }
            Pat::Tuple(items) => {
                for (i, p) in items.iter().enumerate() {
                    let mut next = steps.to_vec();
                    next.push(Step::Field(i));
                    self.bind_pattern(p, root, &next, span);
                }
            }
            Pat::Record { fields } => {
                for (i, p) in fields {
                    let mut next = steps.to_vec();
                    next.push(Step::Field(*i));
                    self.bind_pattern(p, root, &next, span);
                }
            }
            Pat::Variant { variant, payload, .. } => {
                if let Some(p) = payload {
                    let mut next = steps.to_vec();
                    next.push(Step::Payload(*variant));
                    self.bind_pattern(p, root, &next, span);
                }
            }
        }
    }

    /// Reads the part of `root` reached by `steps` (borrowed).
    fn access(&mut self, root: LocalId, steps: &[Step], span: Span) -> ValueId {
        let mut v = self.read(root, span);
        for step in steps {
            let ty = self.f.inst(v).ty.clone();
            let Ty::Adt(id, _) = ty else { break };
            let def = self.l.out.types[id.0 as usize].clone();
            v = match (step, &def.kind) {
                (Step::Field(i), TypeKind::Record { fields }) => {
                    let t = fields.get(*i).map_or(Ty::Invalid, |(_, t)| t.clone());
                    self.emit(InstKind::Field(v, *i), t, span)
                }
                (Step::Field(i), TypeKind::Tuple { items }) => {
                    let t = items.get(*i).cloned().unwrap_or(Ty::Invalid);
                    self.emit(InstKind::Field(v, *i), t, span)
                }
                (Step::Payload(variant), TypeKind::Enum { variants, .. }) => {
                    let t = variants.get(*variant).and_then(|(_, p)| p.clone()).unwrap_or(Ty::Invalid);
                    self.emit(InstKind::Payload(v, *variant), t, span)
                }
                _ => v,
            };
        }
        v
    }

    fn match_stmt(&mut self, scrutinee: &typed::Expr, arms: &[typed::Arm], decision: &Decision, span: Span) {
        let existing = match &scrutinee.kind {
            E::Local(id) => self.locals.get(id).copied(),
            _ => None,
        };
        let root = match existing {
            Some(l) => l,
            None => {
                let v = self.expr(scrutinee);
                self.hidden_local("subject", v, false, span)
            }
        };
        self.decision(decision, root, arms, span);
    }

    fn decision(&mut self, d: &Decision, root: LocalId, arms: &[typed::Arm], span: Span) {
        match d {
            Decision::Success { arm, bindings } => {
                self.bindings(bindings, root, span);
                if let Some(a) = arms.get(*arm) {
                    self.block_into(&a.body);
                }
            }
            Decision::Guard { arm, bindings, failure } => {
                self.bindings(bindings, root, span);
                let Some(a) = arms.get(*arm) else { return };
                let cond = match &a.guard {
                    Some(g) => self.expr(g),
                    None => self.constant(Const::Bool(true), Ty::Bool, span),
                };
                let then_block = self.new_block(&a.body);
                let else_block = self.f.add_block();
                self.in_block(else_block, |this| this.decision(failure, root, arms, span));
                self.emit_void(InstKind::If { cond, then_block, else_block }, span);
            }
            Decision::Switch { access, cases, default } => self.switch(access, cases, default.as_deref(), root, arms, span),
            Decision::Failure => {
                self.emit_void(InstKind::Unreachable, span);
            }
        }
    }

    fn bindings(&mut self, bindings: &[(typed::LocalId, Access)], root: LocalId, span: Span) {
        for (id, access) in bindings {
            let v = self.access(root, &access.steps, span);
            self.bind_local(*id, v, span);
        }
    }

    fn switch(&mut self, access: &Access, cases: &[(Case, Decision)], default: Option<&Decision>, root: LocalId, arms: &[typed::Arm], span: Span) {
        let value = self.access(root, &access.steps, span);
        let ty = self.f.inst(value).ty.clone();
        if ty == Ty::Str {
            return self.string_switch(value, cases, default, root, arms, span);
        }
        let mut lowered = Vec::new();
        for (case, d) in cases {
            let block = self.f.add_block();
            self.in_block(block, |this| this.decision(d, root, arms, span));
            let c = match case {
                Case::Variant(v) => SwitchCase::Variant(*v),
                Case::Int(i) => SwitchCase::Int(*i),
                Case::Bool(b) => SwitchCase::Bool(*b),
                Case::Str(_) => continue,
            };
            lowered.push((c, block));
        }
        let default_block = default.map(|d| {
            let block = self.f.add_block();
            self.in_block(block, |this| this.decision(d, root, arms, span));
            block
        });
        if ty == Ty::Bool {
            let block_for = |b: bool| lowered.iter().find(|(c, _)| *c == SwitchCase::Bool(b)).map(|(_, blk)| *blk);
            if let (Some(then_block), Some(else_block)) = (block_for(true), block_for(false)) {
                self.emit_void(InstKind::If { cond: value, then_block, else_block }, span);
                return;
            }
        }
        self.emit_void(InstKind::Switch { value, cases: lowered, default: default_block }, span);
    }

    fn string_switch(&mut self, value: ValueId, cases: &[(Case, Decision)], default: Option<&Decision>, root: LocalId, arms: &[typed::Arm], span: Span) {
        let Some(((case, d), rest)) = cases.split_first() else {
            match default {
                Some(d) => self.decision(d, root, arms, span),
                None => {
                    self.emit_void(InstKind::Unreachable, span);
                }
            }
            return;
        };
        let Case::Str(text) = case else { return };
        let lit = self.constant(Const::Str(text.clone()), Ty::Str, span);
        let cond = self.emit(InstKind::Binary(BinOp::Eq, value, lit), Ty::Bool, span);
        let then_block = self.f.add_block();
        self.in_block(then_block, |this| this.decision(d, root, arms, span));
        let else_block = self.f.add_block();
        self.in_block(else_block, |this| this.string_switch(value, rest, default, root, arms, span));
        self.emit_void(InstKind::If { cond, then_block, else_block }, span);
    }

    fn try_stmt(&mut self, body: &[typed::Stmt], catches: &[typed::CatchArm], finally: &[typed::Stmt], span: Span) {
        let body_block = self.new_block(body);
        let clauses = catches
            .iter()
            .map(|c| {
                let block = self.f.add_block();
                let mut local = None;
                self.in_block(block, |this| {
                    if let Some(var) = c.variable {
                        let decl = this.typed_fn.local(var);
                        let ty = this.ty(&decl.ty);
                        let l = this.f.add_local(decl.name.clone(), ty.clone(), false);
                        this.locals.insert(var, l);
                        local = Some(l);
                        this.emit_void(InstKind::DeferReleaseLocal(l), span);
                    }
                    this.block_into(&c.body);
                });
                let error_type = c.error_type.map(|id| {
                    let ty = self.ty(&Ty::Adt(id, Vec::new()));
                    match ty {
                        Ty::Adt(t, _) => TypeId(t.0),
                        _ => TypeId(0),
                    }
                });
                CatchClause { error_type, local, body: block }
            })
            .collect();
        let finally_block = (!finally.is_empty()).then(|| self.new_block(finally));
        self.emit_void(InstKind::Try { body: body_block, catches: clauses, finally: finally_block }, span);
    }

    // ----- Expressions ------------------------------------------------------------------------

    fn expr(&mut self, e: &typed::Expr) -> ValueId {
        let ty = self.ty(&e.ty);
        let span = e.span;
        match &e.kind {
            E::Lit(lit) => {
                let c = match lit {
                    Literal::Int(i) => Const::Int(*i),
                    Literal::Float(x) => Const::Float(*x),
                    Literal::Bool(b) => Const::Bool(*b),
                    Literal::Str(s) => Const::Str(s.clone()),
                };
                self.constant(c, ty, span)
            }
            E::Local(id) => match self.locals.get(id).copied() {
                Some(l) => self.read(l, span),
                None => self.emit(InstKind::Unreachable, ty, span),
            },
            E::Unary { op, arg } => {
                let a = self.expr(arg);
                self.emit(InstKind::Unary(*op, a), ty, span)
            }
            E::Binary { op, lhs, rhs } => {
                let a = self.expr(lhs);
                let a = self.use_borrowed(a);
                let b = self.expr(rhs);
                let b = self.use_borrowed(b);
                self.owned_value(InstKind::Binary(*op, a, b), ty, span)
            }
            E::And(lhs, rhs) => self.short_circuit(lhs, rhs, true, span),
            E::Or(lhs, rhs) => self.short_circuit(lhs, rhs, false, span),
            E::Call { callee, args } => self.call(callee, args, ty, span),
            E::Field { object, index } => {
                let o = self.expr(object);
                let o = self.use_borrowed(o);
                self.emit(InstKind::Field(o, *index), ty, span)
            }
            E::Index { object, index } => {
                let o = self.expr(object);
                let o = self.use_borrowed(o);
                let i = self.expr(index);
                self.emit(InstKind::Index(o, i), ty, span)
            }
            E::Array(items) => {
                let vs: Vec<ValueId> = items.iter().map(|i| self.expr(i)).collect();
                let vs = vs.into_iter().map(|v| self.use_borrowed(v)).collect();
                self.owned_value(InstKind::MakeArray(vs), ty, span)
            }
            E::Record { fields } | E::Tuple(fields) => {
                let vs = self.owned_operands(fields);
                self.owned_value(InstKind::MakeRecord(vs), ty, span)
            }
            E::Update { base, fields } => self.update(base, fields, ty, span),
            E::Variant { variant, payload } => {
                let p = payload.as_ref().map(|p| {
                    let v = self.expr(p);
                    self.own(v)
                });
                self.owned_value(InstKind::MakeVariant(*variant, p), ty, span)
            }
            E::Map(entries) => {
                let mut vs = Vec::new();
                for (k, v) in entries {
                    let kv = self.expr(k);
                    let kv = self.use_borrowed(kv);
                    let vv = self.expr(v);
                    let vv = self.use_borrowed(vv);
                    vs.push((kv, vv));
                }
                self.owned_value(InstKind::MakeMap(vs), ty, span)
            }
            E::Set(items) => {
                let vs: Vec<ValueId> = items.iter().map(|i| {
                    let v = self.expr(i);
                    self.use_borrowed(v)
                }).collect();
                self.owned_value(InstKind::MakeSet(vs), ty, span)
            }
            E::Cast(inner) => {
                let v = self.expr(inner);
                let from = self.f.inst(v).ty.clone();
                if from == ty {
                    return v;
                }
                self.emit(InstKind::Cast(v), ty, span)
            }
            E::Cond { cond, then_value, else_value } => self.cond(cond, then_value, else_value, ty, span),
            E::Invalid
            | E::ToDyn { .. }
            | E::Sample { .. }
            | E::Infer { .. }
            | E::Await(_)
            | E::Spawn { .. }
            | E::Propagate(_) => self.emit(InstKind::Unreachable, ty, span),
        }
    }

    fn owned_operands(&mut self, items: &[typed::Expr]) -> Vec<ValueId> {
        items
            .iter()
            .map(|i| {
                let v = self.expr(i);
                self.own(v)
            })
            .collect()
    }

    fn short_circuit(&mut self, lhs: &typed::Expr, rhs: &typed::Expr, is_and: bool, span: Span) -> ValueId {
        let l = self.expr(lhs);
        let result = self.hidden_local(if is_and { "both" } else { "either" }, l, true, span);
        let cond = self.read(result, span);
        let eval_rhs = self.f.add_block();
        self.in_block(eval_rhs, |this| {
            let r = this.expr(rhs);
            this.emit_void(InstKind::SetLocal(result, r), span);
        });
        let skip = self.f.add_block();
        let (then_block, else_block) = if is_and { (eval_rhs, skip) } else { (skip, eval_rhs) };
        self.emit_void(InstKind::If { cond, then_block, else_block }, span);
        self.read(result, span)
    }

    fn cond(&mut self, cond: &typed::Expr, then_value: &typed::Expr, else_value: &typed::Expr, ty: Ty, span: Span) -> ValueId {
        let c = self.expr(cond);
        let local = self.f.add_local("choice", ty.clone(), true);
        let branch = |this: &mut Self, value: &typed::Expr| {
            let block = this.f.add_block();
            this.in_block(block, |t| {
                let v = t.expr(value);
                let v = t.own(v);
                t.emit_void(InstKind::InitLocal(local, v), span);
            });
            block
        };
        let then_block = branch(self, then_value);
        let else_block = branch(self, else_value);
        self.emit_void(InstKind::If { cond: c, then_block, else_block }, span);
        if ty.is_heap() {
            self.emit_void(InstKind::DeferReleaseLocal(local), span);
        }
        self.read(local, span)
    }

    fn update(&mut self, base: &typed::Expr, fields: &[(usize, typed::Expr)], ty: Ty, span: Span) -> ValueId {
        let b = self.expr(base);
        let b = self.use_borrowed(b);
        let Ty::Adt(id, _) = &ty else { return b };
        let TypeKind::Record { fields: declared } = self.l.out.types[id.0 as usize].kind.clone() else { return b };
        let mut values = Vec::new();
        for (i, (_, field_ty)) in declared.iter().enumerate() {
            let v = match fields.iter().find(|(j, _)| *j == i) {
                Some((_, e)) => self.expr(e),
                None => self.emit(InstKind::Field(b, i), field_ty.clone(), span),
            };
            values.push(self.own(v));
        }
        self.owned_value(InstKind::MakeRecord(values), ty, span)
    }

    fn call(&mut self, callee: &Callee, args: &[typed::Expr], ty: Ty, span: Span) -> ValueId {
        match callee {
            Callee::Func { id, type_args } => {
                let type_args: Vec<Ty> = type_args.iter().map(|t| t.subst(&self.subst)).collect();
                let target = self.l.instance(*id, type_args);
                let vs = self.borrowed_args(args);
                self.owned_value(InstKind::Call(target, vs), ty, span)
            }
            Callee::Method { trait_id, method, self_ty } => {
                let self_ty = self_ty.subst(&self.subst);
                match self.l.impl_method(*trait_id, *method, &self_ty) {
                    Some(fid) => {
                        let target = self.l.instance(fid, Vec::new());
                        let vs = self.borrowed_args(args);
                        self.owned_value(InstKind::Call(target, vs), ty, span)
                    }
                    None => self.emit(InstKind::Unreachable, ty, span),
                }
            }
            Callee::Builtin { name } => self.builtin(name, args, ty, span),
            Callee::Extern(id) => {
                let vs = self.borrowed_args(args);
                self.emit(InstKind::CallExtern(id.0 as usize, vs), ty, span)
            }
            Callee::Dyn { .. } => self.emit(InstKind::Unreachable, ty, span),
        }
    }

    fn borrowed_args(&mut self, args: &[typed::Expr]) -> Vec<ValueId> {
        let vs: Vec<ValueId> = args.iter().map(|a| self.expr(a)).collect();
        vs.into_iter().map(|v| self.use_borrowed(v)).collect()
    }

    fn builtin(&mut self, name: &'static str, args: &[typed::Expr], ty: Ty, span: Span) -> ValueId {
        let mutating = crate::check::BUILTINS.iter().find(|b| b.name == name).is_some_and(|b| b.mutates_first);
        if mutating {
            let target = match args.first().map(|a| &a.kind) {
                Some(E::Local(id)) => self.locals.get(id).copied(),
                _ => None,
            };
            let rest = self.borrowed_args(&args[1.min(args.len())..]);
            return match target {
                Some(local) => self.owned_value(InstKind::BuiltinMut(name, local, rest), ty, span),
                None => self.emit(InstKind::Unreachable, ty, span),
            };
        }
        let vs = self.borrowed_args(args);
        if builtin_result_borrowed(name) {
            return self.emit(InstKind::Builtin(name, vs), ty, span);
        }
        self.owned_value(InstKind::Builtin(name, vs), ty, span)
    }
}

