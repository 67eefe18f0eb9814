//! The CIR verifier. It checks these invariants and reports every violation:
//!
//! 1. Blocks form a tree: every block reachable from the body is owned by exactly one
//!    control-flow instruction, and every instruction appears in exactly one block.
//! 2. A value is used only after its definition, in the same block or in a block nested
//!    inside the definition's block (structured dominance).
//! 3. A terminator (`break`, `continue`, `return`, `throw`, `unreachable`) is the last
//!    instruction of its block.
//! 4. `break` and `continue` appear only inside a loop body (not in a loop's step block).
//! 5. Every id is in range: values, blocks, locals, functions, externs, types.
//! 6. No type is unresolved: no inference variable, type parameter or `Invalid` anywhere.
//! 7. Operand types agree: conditions are `bool`; both sides of an arithmetic or comparison
//!    operator have the same type (shifts excepted); stores match the local's or field's
//!    type; calls match the callee's parameters; returns match the function's result type;
//!    record, tuple and variant constructions match their definition.
//! 8. A `void` value is never an operand; `DeferRelease` only releases heap types.
//!
//! A model real (`real`) may meet an `f64` in arithmetic and comparisons: the model's
//! operations accept both.
//!
//! On failure [`verify`] returns the function printed with each error under the instruction
//! at fault.

use super::*;
use std::collections::HashMap;

/// Checks every function; the error text shows the offending function(s) annotated.
pub fn verify(p: &Program) -> Result<(), String> {
    let mut report = String::new();
    for t in &p.types {
        check_type_def(p, t, &mut report);
    }
    for f in &p.functions {
        let notes = verify_function(p, f);
        if !notes.is_empty() {
            report.push_str(&super::print::function(p, f, &notes));
        }
    }
    if report.is_empty() { Ok(()) } else { Err(report) }
}

fn check_type_def(p: &Program, t: &TypeDef, report: &mut String) {
    let mut types: Vec<&Ty> = Vec::new();
    match &t.kind {
        TypeKind::Record { fields } => types.extend(fields.iter().map(|(_, t)| t)),
        TypeKind::Tuple { items } => types.extend(items.iter()),
        TypeKind::Enum { variants, .. } => types.extend(variants.iter().filter_map(|(_, p)| p.as_ref())),
    }
    for ty in types {
        if let Some(problem) = type_problem(p, ty) {
            let _ = std::fmt::Write::write_fmt(report, format_args!("type {}: {problem}\n", t.name));
        }
    }
}

fn type_problem(p: &Program, ty: &Ty) -> Option<String> {
    let mut problem = None;
    ty.visit(&mut |t| match t {
        Ty::Var(_) | Ty::Param(_) | Ty::Invalid => problem = Some(format!("unresolved type `{}`", p.display(ty))),
        Ty::Adt(id, args) if id.0 as usize >= p.types.len() || !args.is_empty() => {
            problem = Some(format!("type id {} out of range or not monomorphised", id.0));
        }
        _ => {}
    });
    problem
}

struct Verifier<'a> {
    p: &'a Program,
    f: &'a Function,
    notes: HashMap<ValueId, Vec<String>>,
    /// For each value: (the block defining it, its position in that block).
    defined_at: HashMap<ValueId, (BlockId, usize)>,
    /// Each block's parent block and the position of the owning instruction in it.
    parent: HashMap<BlockId, (BlockId, usize)>,
}

/// Returns the problems found in `f`, keyed by the instruction at fault.
pub fn verify_function(p: &Program, f: &Function) -> HashMap<ValueId, Vec<String>> {
    let mut v = Verifier { p, f, notes: HashMap::new(), defined_at: HashMap::new(), parent: HashMap::new() };
    if f.body.index() >= f.blocks.len() {
        v.notes.entry(ValueId(0)).or_default().push("the body block does not exist".into());
        return v.notes;
    }
    v.check_tree();
    v.check_block(f.body, false);
    for (i, l) in f.locals.iter().enumerate() {
        if let Some(problem) = type_problem(p, &l.ty) {
            v.notes.entry(ValueId(0)).or_default().push(format!("local l{i}: {problem}"));
        }
    }
    v.notes
}

impl Verifier<'_> {
    fn note(&mut self, v: ValueId, message: impl Into<String>) {
        self.notes.entry(v).or_default().push(message.into());
    }

    /// Invariant 1, and the position tables used by invariant 2.
    fn check_tree(&mut self) {
        let mut owner: HashMap<BlockId, ValueId> = HashMap::new();
        let mut pending = vec![self.f.body];
        while let Some(b) = pending.pop() {
            let Some(block) = self.f.blocks.get(b.index()) else { continue };
            for (pos, v) in block.insts.iter().enumerate() {
                if v.index() >= self.f.insts.len() {
                    continue;
                }
                if self.defined_at.insert(*v, (b, pos)).is_some() {
                    self.note(*v, format!("{v} appears in more than one block"));
                }
                for child in self.f.inst(*v).kind.blocks() {
                    if child.index() >= self.f.blocks.len() {
                        self.note(*v, format!("block {child} does not exist"));
                        continue;
                    }
                    if let Some(first) = owner.insert(child, *v) {
                        self.note(*v, format!("block {child} is also owned by {first}"));
                        continue;
                    }
                    self.parent.insert(child, (b, pos));
                    pending.push(child);
                }
            }
        }
    }

    fn check_block(&mut self, b: BlockId, in_loop: bool) {
        let Some(block) = self.f.blocks.get(b.index()) else { return };
        let count = block.insts.len();
        for (pos, &v) in block.insts.iter().enumerate() {
            let Some(inst) = self.f.insts.get(v.index()) else {
                continue;
            };
            if inst.kind.is_terminator() && pos + 1 != count {
                self.note(v, "a terminator must be the last instruction of its block");
            }
            if matches!(inst.kind, InstKind::Break | InstKind::Continue) && !in_loop {
                self.note(v, "`break`/`continue` outside a loop body");
            }
            if let Some(problem) = type_problem(self.p, &inst.ty) {
                self.note(v, problem);
            }
            for operand in inst.kind.operands() {
                self.check_operand(v, operand, b, pos);
            }
            self.check_types(v, inst);
            match &inst.kind {
                InstKind::Loop { body, step } => {
                    self.check_block(*body, true);
                    if let Some(s) = step {
                        self.check_block(*s, false);
                    }
                }
                kind => {
                    for child in kind.blocks() {
                        self.check_block(child, in_loop);
                    }
                }
            }
        }
    }

    /// Invariant 2: `operand` is defined before position `pos` of block `b` or of an ancestor.
    fn check_operand(&mut self, user: ValueId, operand: ValueId, b: BlockId, pos: usize) {
        let Some(&(def_block, def_pos)) = self.defined_at.get(&operand) else {
            self.note(user, format!("operand {operand} is not defined in this function"));
            return;
        };
        if self.f.inst(operand).ty == Ty::Void {
            self.note(user, format!("operand {operand} has type void"));
        }
        let (mut block, mut position) = (b, pos);
        loop {
            if block == def_block {
                if def_pos < position {
                    return;
                }
                break;
            }
            match self.parent.get(&block) {
                Some(&(parent, at)) => {
                    block = parent;
                    position = at;
                }
                None => break,
            }
        }
        self.note(user, format!("operand {operand} is used where its definition does not reach"));
    }

    fn ty(&self, v: ValueId) -> Ty {
        self.f.insts.get(v.index()).map_or(Ty::Invalid, |i| i.ty.clone())
    }

    /// Invariants 5, 7 and 8.
    fn check_types(&mut self, v: ValueId, inst: &Inst) {
        use InstKind as K;
        match &inst.kind {
            K::Local(l) | K::DeferReleaseLocal(l) if l.index() >= self.f.locals.len() => self.note(v, format!("local {l} does not exist")),
            K::Local(l)
                if self.f.local(*l).ty != inst.ty => {
                    self.note(v, "a local read has the local's type");
                }
            K::SetLocal(l, value) | K::InitLocal(l, value) => match self.f.locals.get(l.index()) {
                Some(decl) if decl.ty != self.ty(*value) => self.note(v, format!("stores a {} into {l} of type {}", self.p.display(&self.ty(*value)), self.p.display(&decl.ty))),
                None => self.note(v, format!("local {l} does not exist")),
                _ => {}
            },
            K::If { cond, .. } if self.ty(*cond) != Ty::Bool => self.note(v, "the condition must be bool"),
            K::Binary(op, a, b) if !matches!(op, crate::ast::BinOp::Shl | crate::ast::BinOp::Shr) && !same_real(&self.ty(*a), &self.ty(*b)) => {
                self.note(v, format!("operands of `{}` have different types", op.keyword()));
            }
            K::Return(value) => {
                let found = value.map_or(Ty::Void, |x| self.ty(x));
                if found != self.f.ret {
                    self.note(v, format!("returns {} from a function returning {}", self.p.display(&found), self.p.display(&self.f.ret)));
                }
            }
            K::Call(callee, args) => self.check_call(v, *callee, args, &inst.ty),
            K::MakeRecord(items) => self.check_record(v, &inst.ty, items),
            K::DeferRelease(x) if !self.ty(*x).is_heap() => self.note(v, "releases a value that holds no heap memory"),
            K::CallExtern(i, _) if *i >= self.p.externs.len() => self.note(v, "extern function index out of range"),
            _ => {}
        }
    }

    fn check_call(&mut self, v: ValueId, callee: FuncId, args: &[ValueId], ret: &Ty) {
        let Some(target) = self.p.functions.get(callee.index()) else {
            self.note(v, format!("function {callee} does not exist"));
            return;
        };
        if target.params.len() != args.len() {
            self.note(v, format!("calls {} with {} arguments instead of {}", target.name, args.len(), target.params.len()));
            return;
        }
        for (a, p) in args.iter().zip(&target.params) {
            let expected = target.locals.get(p.index()).map_or(Ty::Invalid, |l| l.ty.clone());
            if self.ty(*a) != expected {
                self.note(v, format!("argument {a} of {} should be {}", target.name, self.p.display(&expected)));
            }
        }
        if target.ret != *ret {
            self.note(v, format!("the result of {} has type {}", target.name, self.p.display(&target.ret)));
        }
    }

    fn check_record(&mut self, v: ValueId, ty: &Ty, items: &[ValueId]) {
        let Ty::Adt(id, _) = ty else {
            self.note(v, "a record construction must have a record or tuple type");
            return;
        };
        let expected: Vec<Ty> = match self.p.types.get(id.0 as usize).map(|t| &t.kind) {
            Some(TypeKind::Record { fields }) => fields.iter().map(|(_, t)| t.clone()).collect(),
            Some(TypeKind::Tuple { items }) => items.clone(),
            _ => {
                self.note(v, "a record construction must have a record or tuple type");
                return;
            }
        };
        if expected.len() != items.len() {
            self.note(v, format!("{} fields given, {} expected", items.len(), expected.len()));
            return;
        }
        for (item, t) in items.iter().zip(&expected) {
            if self.ty(*item) != *t {
                self.note(v, format!("field value {item} should be {}", self.p.display(t)));
            }
        }
    }
}

/// Operand types that agree: equal, or a model real with a plain `f64`.
fn same_real(a: &Ty, b: &Ty) -> bool {
    let f64_ty = Ty::Float(crate::types::FloatTy::F64);
    a == b || (*a == Ty::Real && *b == f64_ty) || (*a == f64_ty && *b == Ty::Real)
}
