//! Lowering function bodies: the per-function state, emission helpers, ownership, and
//! statements (including loops and `match` decision trees).

use super::super::model::FnActivity;
use super::super::*;
use super::{Instance, Lowerer};
use crate::decision::{Access, Case, Decision, Step};
use crate::typed::{self, ExprKind as E, Literal, Pat, StmtKind as S};
use crate::types::IntTy;
use std::collections::{HashMap, HashSet};

/// The type of the part of local `local` reached by `path`.
fn place_type(f: &Function, local: LocalId, path: &[PlaceElem], p: &Program) -> Ty {
    let mut ty = f.local(local).ty.clone();
    for elem in path {
        ty = match (elem, &ty) {
            (PlaceElem::Index(_), Ty::Array(e)) => (**e).clone(),
            (PlaceElem::Field(i), Ty::Adt(id, _)) => match &p.types[id.0 as usize].kind {
                TypeKind::Record { fields } => fields.get(*i).map_or(Ty::Invalid, |(_, t)| t.clone()),
                TypeKind::Tuple { items } => items.get(*i).cloned().unwrap_or(Ty::Invalid),
                TypeKind::Enum { .. } => Ty::Invalid,
            },
            _ => Ty::Invalid,
        };
    }
    ty
}

/// A loop bound evaluated once: a constant, or a local holding it.
#[derive(Clone)]
enum Reused {
    Const(Const, Ty),
    Local(LocalId),
}

/// Built-ins whose result borrows from an argument instead of being a new owned value.
pub(super) fn builtin_result_borrowed(name: &str) -> bool {
    matches!(name, "map_get")
}

pub(super) struct FnLower<'l, 'a> {
    pub(super) l: &'l mut Lowerer<'a>,
    pub(super) typed_fn: &'a typed::Function,
    pub(super) subst: Vec<Ty>,
    pub(super) f: Function,
    pub(super) current: BlockId,
    pub(super) locals: HashMap<typed::LocalId, LocalId>,
    pub(super) owned: HashSet<ValueId>,
    /// Inside a model: which locals depend on the parameters.
    pub(super) activity: FnActivity,
    /// The model entry reports its return value instead of returning it.
    pub(super) is_model_entry: bool,
    /// The name of the `let` being lowered (names a `sample` site).
    pub(super) let_name: Option<String>,
    /// For each block being lowered, its `output` lets, recorded when the block ends.
    pub(super) outputs: Vec<Vec<(typed::LocalId, LocalId, Span)>>,
}

impl<'l, 'a> FnLower<'l, 'a> {
    pub(super) fn lower(l: &'l mut Lowerer<'a>, key: &Instance, cir_id: FuncId) -> Function {
        let typed_fn = l.typed.func(key.func);
        let activity = if key.model { l.analysis.activity(key.func, &key.active, &key.type_args) } else { FnActivity::default() };
        let is_model_entry = key.model && l.is_model_entry(cir_id);
        let mut f = l.out.functions[cir_id.index()].clone();
        f.body = f.add_block();
        let mut this = FnLower {
            l,
            typed_fn,
            subst: key.type_args.clone(),
            current: f.body,
            f,
            locals: HashMap::new(),
            owned: HashSet::new(),
            activity,
            is_model_entry,
            let_name: None,
            outputs: Vec::new(),
        };
        let ret = this.ty(&typed_fn.ret);
        this.f.ret = match (is_model_entry, this.activity.ret) {
            (true, _) => Ty::Void,
            (false, true) => ret.to_real(),
            (false, false) => ret,
        };
        for p in &typed_fn.params {
            let decl = typed_fn.local(*p);
            let ty = this.local_ty(*p);
            let local = this.f.add_local(decl.name.clone(), ty, false);
            this.locals.insert(*p, local);
            this.f.params.push(local);
        }
        this.block_into(&typed_fn.body);
        this.f
    }

    pub(super) fn ty(&mut self, ty: &Ty) -> Ty {
        let substituted = ty.subst(&self.subst);
        self.l.ty(&substituted)
    }

    // ----- Emission helpers -------------------------------------------------------------------

    pub(super) fn emit(&mut self, kind: InstKind, ty: Ty, span: Span) -> ValueId {
        let v = self.f.add_inst(kind, ty, span);
        self.f.blocks[self.current.index()].insts.push(v);
        v
    }

    pub(super) fn emit_void(&mut self, kind: InstKind, span: Span) -> ValueId {
        self.emit(kind, Ty::Void, span)
    }

    pub(super) fn owned_value(&mut self, kind: InstKind, ty: Ty, span: Span) -> ValueId {
        let heap = ty.is_heap();
        let v = self.emit(kind, ty, span);
        if heap {
            self.owned.insert(v);
        }
        v
    }

    /// Lowers `stmts` into a fresh block and returns it.
    pub(super) fn new_block(&mut self, stmts: &[typed::Stmt]) -> BlockId {
        let block = self.f.add_block();
        self.in_block(block, |this| this.block_into(stmts));
        block
    }

    pub(super) fn in_block(&mut self, block: BlockId, body: impl FnOnce(&mut Self)) {
        let saved = self.current;
        self.current = block;
        body(self);
        self.current = saved;
    }

    pub(super) fn block_into(&mut self, stmts: &[typed::Stmt]) {
        self.outputs.push(Vec::new());
        for stmt in stmts {
            self.stmt(stmt);
            if self.block_terminated() {
                break;
            }
        }
        let frame = self.outputs.pop().unwrap_or_default();
        if !self.block_terminated() {
            for (local, l, span) in frame {
                self.record_output(local, l, span);
            }
        }
    }

    /// Before a `return`: the `output` lets of every enclosing block are recorded.
    fn record_pending_outputs(&mut self) {
        let frames = self.outputs.clone();
        for (local, l, span) in frames.into_iter().rev().flatten() {
            self.record_output(local, l, span);
        }
    }

    fn block_terminated(&self) -> bool {
        self.f.blocks[self.current.index()].insts.last().is_some_and(|v| self.f.inst(*v).kind.is_terminator())
    }

    /// Makes `v` an owned reference (retaining a borrowed heap value).
    pub(super) fn own(&mut self, v: ValueId) -> ValueId {
        let inst = self.f.inst(v);
        let is_static = matches!(inst.kind, InstKind::Const(_));
        if !inst.ty.is_heap() || is_static || self.owned.remove(&v) {
            return v;
        }
        let (ty, span) = (inst.ty.clone(), inst.span);
        self.emit(InstKind::Retain(v), ty, span)
    }

    /// `v` is only read: if it is an owned temporary, release it when the block exits.
    pub(super) fn use_borrowed(&mut self, v: ValueId) -> ValueId {
        if self.owned.remove(&v) {
            let span = self.f.inst(v).span;
            self.emit_void(InstKind::DeferRelease(v), span);
        }
        v
    }

    /// Declares a CIR local for a typed local, initialised with an owned value.
    pub(super) fn bind_local(&mut self, id: typed::LocalId, value: ValueId, span: Span) -> LocalId {
        let decl = self.typed_fn.local(id);
        let ty = self.local_ty(id);
        let local = self.f.add_local(decl.name.clone(), ty.clone(), decl.mutable);
        self.locals.insert(id, local);
        let value = self.coerce(value, &ty);
        let value = self.own(value);
        self.emit_void(InstKind::InitLocal(local, value), span);
        if ty.is_heap() {
            self.emit_void(InstKind::DeferReleaseLocal(local), span);
        }
        local
    }

    /// A hidden local holding an owned value (scrutinees, iterables, loop counters).
    pub(super) fn hidden_local(&mut self, name: &str, value: ValueId, mutable: bool, span: Span) -> LocalId {
        let ty = self.f.inst(value).ty.clone();
        let local = self.f.add_local(name, ty.clone(), mutable);
        let value = self.own(value);
        self.emit_void(InstKind::InitLocal(local, value), span);
        if ty.is_heap() {
            self.emit_void(InstKind::DeferReleaseLocal(local), span);
        }
        local
    }

    pub(super) fn read(&mut self, local: LocalId, span: Span) -> ValueId {
        let ty = self.f.local(local).ty.clone();
        self.emit(InstKind::Local(local), ty, span)
    }

    pub(super) fn constant(&mut self, c: Const, ty: Ty, span: Span) -> ValueId {
        self.emit(InstKind::Const(c), ty, span)
    }

    // ----- Statements -------------------------------------------------------------------------

    fn stmt(&mut self, stmt: &typed::Stmt) {
        let span = stmt.span;
        match &stmt.kind {
            S::Let { local, value, output } => {
                self.let_name = Some(self.typed_fn.local(*local).name.clone());
                let v = self.expr(value);
                self.let_name = None;
                let l = self.bind_local(*local, v, span);
                if *output && self.f.model
                    && let Some(frame) = self.outputs.last_mut() {
                        frame.push((*local, l, span));
                    }
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
            S::Return(value) => self.return_stmt(value.as_ref(), span),
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
            S::Observe { dist, value } => self.observe(dist, value, span),
            S::Factor(value) => self.factor(value, span),
            S::ProbAssert { cond, confidence } => self.prob_assert(cond, *confidence, span),
        }
    }

    fn return_stmt(&mut self, value: Option<&typed::Expr>, span: Span) {
        if self.f.model {
            self.record_pending_outputs();
        }
        if self.is_model_entry {
            if let Some(e) = value {
                let v = self.expr(e);
                self.report_return(v, span);
            }
            self.emit_void(InstKind::Return(None), span);
            return;
        }
        let ret = self.f.ret.clone();
        let v = value.map(|e| {
            let v = self.expr(e);
            let v = self.coerce(v, &ret);
            self.own(v)
        });
        self.emit_void(InstKind::Return(v), span);
    }

    /// Returns an owned value from a place other than a `return` statement (`propagate`).
    pub(super) fn return_owned(&mut self, value: Option<ValueId>, span: Span) {
        if self.f.model {
            self.record_pending_outputs();
        }
        if self.is_model_entry {
            if let Some(v) = value {
                self.report_return(v, span);
            }
            self.emit_void(InstKind::Return(None), span);
            return;
        }
        self.emit_void(InstKind::Return(value), span);
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
        let target_ty = place_type(&self.f, local, &path, &self.l.out);
        let v = self.coerce(v, &target_ty);
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
        // A set is iterated through the array of its items; otherwise the collection's CIR type
        // (an array of model reals when it depends on parameters) gives the element type.
        let iter_ty = if matches!(iter_ty, Ty::Set(_)) { iter_ty.clone() } else { self.f.local(items).ty.clone() };
        let len_name = if matches!(iter_ty, Ty::Map(..)) { "map_len" } else { "len" };
        let length = |this: &mut Self| {
            let c = this.read(items, span);
            this.emit(InstKind::Builtin(len_name, vec![c]), Ty::Int(IntTy::I64), span)
        };
        self.index_loop(span, length, |this, index| {
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
    }

    /// `for index in 0..bound { body(index) }`, with a hidden index local; `bound` is emitted at
    /// the top of every iteration (so it may read a collection that the body changes).
    pub(super) fn index_loop(&mut self, span: Span, bound: impl FnOnce(&mut Self) -> ValueId, body: impl FnOnce(&mut Self, LocalId)) {
        let zero = self.constant(Const::Int(0), Ty::Int(IntTy::I64), span);
        let index = self.hidden_local("index", zero, true, span);
        let loop_body = self.f.add_block();
        self.in_block(loop_body, |this| {
            let i = this.read(index, span);
            let n = bound(this);
            let cond = this.emit(InstKind::Binary(BinOp::Lt, i, n), Ty::Bool, span);
            let then_block = this.f.add_block();
            let else_block = this.f.add_block();
            this.in_block(else_block, |t| {
                t.emit_void(InstKind::Break, span);
            });
            this.emit_void(InstKind::If { cond, then_block, else_block }, span);
            body(this, index);
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
                let catches_everything = |id: &crate::types::AdtId| self.l.typed.adt(*id).builtin == Some(typed::BuiltinAdt::Error);
                let error_type = c.error_type.filter(|id| !catches_everything(id)).map(|id| {
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
}
