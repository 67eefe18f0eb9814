//! Execution of CIR: one [`Frame`] per call holds the values of the function's instructions
//! and its locals; blocks run instruction by instruction and report how control leaves them
//! ([`Flow`]). Structured control flow (`If`, `Loop`, `Switch`, `Try`) maps onto Rust
//! recursion over nested blocks, so no instruction needs a program counter.

use super::arith;
use super::builtins;
use super::collections;
use super::fault::{Loc, Stop};
use super::observe::{FrameView, Observer};
use super::value::{Value, order};
use crate::ast::{BinOp, UnOp};
use crate::cir::{Const, FuncId, Function, InstKind, LocalId, PlaceElem, Program, SampleKind, SwitchCase, Ty, TypeKind, ValueId};
use std::rc::Rc;

/// Calls deeper than this stop the program with the compiled code's stack-overflow fault.
pub const MAX_DEPTH: usize = 100_000;

/// An exception on its way to a `catch`: the value, its type and where it was thrown.
#[derive(Clone, Debug)]
pub struct Thrown {
    pub value: Value,
    pub ty: Ty,
    pub loc: Loc,
}

/// How control leaves a block.
enum Flow {
    Next,
    Break,
    Continue,
    Return(Value),
    Throw(Thrown),
}

/// How a call ends: with a value or an exception.
pub enum Returned {
    Value(Value),
    Throw(Thrown),
}

/// The interpreter's state between calls: the program, what it printed, the call depth.
pub struct Machine<'p> {
    pub program: &'p Program,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub args: Vec<String>,
    depth: usize,
    /// A debugger watching the run (`None`: no cost beyond one test per instruction).
    observer: Option<&'p mut dyn Observer>,
    /// Set from outside (the REPL's Ctrl-C) to stop the run at the next call or loop turn.
    pub interrupt: Option<&'p std::sync::atomic::AtomicBool>,
    /// The program's random generator, seeded at the first forward `sample` (`random`).
    rng: Option<super::random::Prng>,
    /// How many spawned tasks are running (a draw inside one is refused).
    tasks_running: usize,
}

struct Frame<'f> {
    f: &'f Function,
    values: Vec<Value>,
    locals: Vec<Value>,
}

impl<'p> Machine<'p> {
    pub fn new(program: &'p Program, args: Vec<String>) -> Machine<'p> {
        Machine { program, stdout: Vec::new(), stderr: Vec::new(), args, depth: 0, observer: None, interrupt: None, rng: None, tasks_running: 0 }
    }

    /// The same machine drawing from `rng` (`None`: seeded at the first forward `sample`).
    pub fn with_rng(mut self, rng: Option<super::random::Prng>) -> Machine<'p> {
        self.rng = rng;
        self
    }

    /// The generator, as far as the run advanced it.
    pub fn take_rng(&mut self) -> Option<super::random::Prng> {
        self.rng.take()
    }

    /// The same machine, its forward `sample`s drawing from the stream of `seed`.
    pub fn seeded(mut self, seed: u64) -> Machine<'p> {
        self.rng = Some(super::random::Prng::new(seed));
        self
    }

    /// The same machine, with `observer` told about every step of the run.
    pub fn observed_by(mut self, observer: &'p mut dyn Observer) -> Machine<'p> {
        self.observer = Some(observer);
        self
    }

    /// Calls function `id` with its arguments (owned values).
    pub fn call(&mut self, id: FuncId, args: Vec<Value>) -> Result<Returned, Stop> {
        let program = self.program;
        let f = program.func(id);
        if f.model {
            return Err(Stop::unsupported("model functions", &Loc::of_function(program, f)));
        }
        self.check_interrupt(program, f)?;
        if self.depth >= MAX_DEPTH {
            return Err(Stop::fault(format!("stack overflow: the recursion in `{}` is too deep", f.source_name), &Loc::of_function(program, f)));
        }
        let mut frame = Frame { f, values: vec![Value::Void; f.insts.len()], locals: vec![Value::Void; f.locals.len()] };
        for (param, arg) in f.params.iter().zip(args) {
            frame.locals[param.index()] = arg;
        }
        self.depth += 1;
        if let Some(observer) = self.observer.as_deref_mut() {
            observer.call(f);
        }
        let flow = self.block(&mut frame, f.body);
        self.depth -= 1;
        let returned = match flow? {
            Flow::Return(v) => Returned::Value(v),
            Flow::Throw(t) => Returned::Throw(t),
            Flow::Next | Flow::Break | Flow::Continue => Returned::Value(Value::Void),
        };
        if let Some(observer) = self.observer.as_deref_mut() {
            observer.returned(program, f, if let Returned::Value(v) = &returned { Some(v) } else { None });
        }
        Ok(returned)
    }

    fn block(&mut self, frame: &mut Frame, block: crate::cir::BlockId) -> Result<Flow, Stop> {
        let f = frame.f;
        for &v in &f.block(block).insts {
            if self.observer.is_some() {
                self.observe(frame, v, None)?;
            }
            match self.inst(frame, v) {
                Ok(Flow::Next) => {}
                Ok(other) => return Ok(other),
                Err(stop) => {
                    if self.observer.is_some() {
                        self.observe(frame, v, Some(&stop))?;
                    }
                    return Err(stop);
                }
            }
        }
        Ok(Flow::Next)
    }

    /// Tells the observer that instruction `v` is about to run, or that it stopped the run.
    fn observe(&mut self, frame: &Frame, v: ValueId, stop: Option<&Stop>) -> Result<(), Stop> {
        let Machine { program, stdout, stderr, observer, .. } = self;
        let Some(observer) = observer.as_deref_mut() else { return Ok(()) };
        let view = FrameView { program, function: frame.f, at: v, locals: &frame.locals, stdout, stderr };
        match stop {
            None => observer.instruction(view),
            Some(stop) => {
                observer.stopped(view, stop);
                Ok(())
            }
        }
    }

    /// A forward `sample` on the program's generator (seeded at the first one).
    fn forward_sample(&mut self, req: &super::sample::Request, loc: &Loc) -> Result<Value, Stop> {
        if self.tasks_running > 0 {
            return Err(Stop::unsupported("`sample` inside a spawned task", loc));
        }
        let rng = self.rng.get_or_insert_with(super::random::Prng::for_program);
        super::sample::forward(rng, req, loc)
    }

    fn loc(&self, frame: &Frame, v: ValueId) -> Loc {
        Loc::of(self.program, frame.f, v)
    }

    /// Runs one instruction, storing its value in the frame.
    fn inst(&mut self, frame: &mut Frame, v: ValueId) -> Result<Flow, Stop> {
        let f = frame.f;
        let inst = f.inst(v);
        let get = |frame: &Frame, x: ValueId| frame.values[x.index()].clone();
        let value = match &inst.kind {
            InstKind::Const(c) => constant(c, &inst.ty),
            InstKind::Local(l) => frame.locals[l.index()].clone(),
            InstKind::SetLocal(l, x) | InstKind::InitLocal(l, x) => {
                frame.locals[l.index()] = get(frame, *x);
                Value::Void
            }
            InstKind::SetPlace { local, path, value } => {
                self.set_place(frame, v, *local, path, *value)?;
                Value::Void
            }
            InstKind::Unary(op, x) => self.unary(frame, v, *op, *x)?,
            InstKind::Binary(op, a, b) => self.binary(frame, v, *op, *a, *b)?,
            InstKind::Cast(x) => self.cast(frame, v, *x)?,
            InstKind::Call(id, args) => {
                let args = args.iter().map(|a| get(frame, *a)).collect();
                match self.call(*id, args)? {
                    Returned::Value(r) => r,
                    Returned::Throw(t) => return Ok(Flow::Throw(t)),
                }
            }
            // Tasks run to their end when spawned (`tasks`).
            InstKind::Spawn(id, args) => {
                let args = args.iter().map(|a| get(frame, *a)).collect();
                self.tasks_running += 1;
                let returned = self.call(*id, args);
                self.tasks_running -= 1;
                super::tasks::finished(returned?)
            }
            InstKind::Sample { dist, args, size, lower, upper, kind: SampleKind::Forward, .. } => {
                let values: Vec<Value> = args.iter().map(|a| get(frame, *a)).collect();
                let [size, lower, upper] = [size, lower, upper].map(|x| x.map(|x| get(frame, x)));
                let req = super::sample::Request { dist, args: &values, size: size.as_ref(), lower: lower.as_ref(), upper: upper.as_ref(), ty: &inst.ty };
                self.forward_sample(&req, &self.loc(frame, v))?
            }
            InstKind::Await(task) => match super::tasks::take(&frame.values[task.index()], &self.loc(frame, v))? {
                Returned::Value(r) => r,
                Returned::Throw(t) => return Ok(Flow::Throw(t)),
            },
            InstKind::MakeDyn(x, table) => Value::Dyn(*table, Rc::new(get(frame, *x))),
            InstKind::CallDyn(method, args) => {
                let mut values: Vec<Value> = args.iter().map(|a| get(frame, *a)).collect();
                let id = self.dyn_target(&mut values, *method).ok_or_else(|| Stop::unsupported("this trait-object call", &self.loc(frame, v)))?;
                match self.call(id, values)? {
                    Returned::Value(r) => r,
                    Returned::Throw(t) => return Ok(Flow::Throw(t)),
                }
            }
            InstKind::Builtin(name, args) => {
                let values: Vec<Value> = args.iter().map(|a| get(frame, *a)).collect();
                let types: Vec<&Ty> = args.iter().map(|a| &f.inst(*a).ty).collect();
                let loc = self.loc(frame, v);
                builtins::call(self, name, &values, &types, &inst.ty, &loc)?
            }
            InstKind::BuiltinMut(name, local, args) => {
                let values: Vec<Value> = args.iter().map(|a| get(frame, *a)).collect();
                let loc = self.loc(frame, v);
                builtins::call_mut(name, &mut frame.locals[local.index()], &values, &loc)?
            }
            InstKind::Infer { model, args, options } => {
                let values: Vec<Value> = args.iter().map(|a| get(frame, *a)).collect();
                let named: Vec<(String, Value)> = options.iter().map(|(n, a)| (n.clone(), get(frame, *a))).collect();
                let loc = self.loc(frame, v);
                super::infer::run(self.program, *model, &values, &named, &mut self.stderr, &loc)?
            }
            InstKind::MakeRecord(items) => Value::Fields(Rc::new(items.iter().map(|a| get(frame, *a)).collect())),
            InstKind::MakeVariant(i, payload) => Value::Variant(*i, payload.map(|p| Rc::new(get(frame, p)))),
            InstKind::MakeMap(entries) => collections::make_map(entries.iter().map(|(k, x)| (get(frame, *k), get(frame, *x))).collect(), &self.loc(frame, v))?,
            InstKind::MakeSet(items) => collections::make_set(items.iter().map(|a| get(frame, *a)).collect(), &self.loc(frame, v))?,
            InstKind::MakeArray(items) => Value::List(Rc::new(items.iter().map(|a| get(frame, *a)).collect())),
            InstKind::Field(x, i) => match &frame.values[x.index()] {
                Value::Fields(fields) => fields.get(*i).cloned().unwrap_or(Value::Void),
                _ => {
                    return Err(Stop::unsupported("a field of this value", &self.loc(frame, v)));
                }
            },
            InstKind::Index(xs, i) => self.index(frame, v, *xs, *i)?,
            InstKind::Payload(x, _) => match &frame.values[x.index()] {
                Value::Variant(_, Some(p)) => (**p).clone(),
                _ => return Err(Stop::unsupported("the payload of this value", &self.loc(frame, v))),
            },
            InstKind::IsVariant(x, i) => Value::Bool(matches!(&frame.values[x.index()], Value::Variant(tag, _) if tag == i)),
            InstKind::Retain(x) => get(frame, *x),
            InstKind::DeferRelease(_) | InstKind::DeferReleaseLocal(_) => Value::Void,
            InstKind::If { cond, then_block, else_block } => {
                let chosen = if matches!(frame.values[cond.index()], Value::Bool(true)) { *then_block } else { *else_block };
                return self.block(frame, chosen);
            }
            InstKind::Loop { body, step } => return self.run_loop(frame, *body, *step),
            InstKind::Switch { value, cases, default } => {
                let scrutinee = get(frame, *value);
                let chosen = cases.iter().find(|(case, _)| case_matches(case, &scrutinee)).map(|(_, b)| *b).or(*default);
                return match chosen {
                    Some(b) => self.block(frame, b),
                    None => Ok(Flow::Next),
                };
            }
            InstKind::Try { body, catches, finally } => return self.run_try(frame, *body, catches, *finally),
            InstKind::Break => return Ok(Flow::Break),
            InstKind::Continue => return Ok(Flow::Continue),
            InstKind::Return(x) => {
                return Ok(Flow::Return(x.map_or(Value::Void, |x| get(frame, x))));
            }
            InstKind::Throw(x) => {
                let thrown = Thrown { value: get(frame, *x), ty: f.inst(*x).ty.clone(), loc: self.loc(frame, v) };
                return Ok(Flow::Throw(thrown));
            }
            InstKind::Unreachable => {
                return Err(Stop::fault("reached code marked unreachable", &self.loc(frame, v)));
            }
            other => {
                return Err(Stop::unsupported(unsupported_name(other), &self.loc(frame, v)));
            }
        };
        frame.values[v.index()] = value;
        Ok(Flow::Next)
    }

    /// The function behind method `method` of the trait object in `args[0]`, which is replaced
    /// by the value inside it (the receiver the implementation takes).
    fn dyn_target(&self, args: &mut [Value], method: usize) -> Option<FuncId> {
        let Value::Dyn(table, inner) = args.first()?.clone() else { return None };
        let id = *self.program.vtables.get(table)?.methods.get(method)?;
        args[0] = (*inner).clone();
        Some(id)
    }

    /// Stops the run when [`Machine::interrupt`] is set.
    fn check_interrupt(&self, program: &Program, f: &Function) -> Result<(), Stop> {
        match self.interrupt {
            Some(flag) if flag.load(std::sync::atomic::Ordering::Relaxed) => Err(Stop::fault("interrupted", &Loc::of_function(program, f))),
            _ => Ok(()),
        }
    }

    fn run_loop(&mut self, frame: &mut Frame, body: crate::cir::BlockId, step: Option<crate::cir::BlockId>) -> Result<Flow, Stop> {
        loop {
            self.check_interrupt(self.program, frame.f)?;
            match self.block(frame, body)? {
                Flow::Next | Flow::Continue => {}
                Flow::Break => return Ok(Flow::Next),
                other => return Ok(other),
            }
            if let Some(step) = step {
                match self.block(frame, step)? {
                    Flow::Next => {}
                    Flow::Break => return Ok(Flow::Next),
                    other => return Ok(other),
                }
            }
        }
    }

    fn run_try(&mut self, frame: &mut Frame, body: crate::cir::BlockId, catches: &[crate::cir::CatchClause], finally: Option<crate::cir::BlockId>) -> Result<Flow, Stop> {
        let mut flow = self.block(frame, body)?;
        if let Flow::Throw(thrown) = &flow {
            let caught = catches.iter().find(|c| match c.error_type {
                None => true,
                Some(id) => matches!(&thrown.ty, Ty::Adt(a, _) if a.0 as usize == id.index()),
            });
            if let Some(clause) = caught {
                if let Some(local) = clause.local {
                    let ty = &frame.f.local(local).ty;
                    frame.locals[local.index()] = if *ty == thrown.ty { thrown.value.clone() } else { self.error_record(ty, thrown)? };
                }
                flow = self.block(frame, clause.body)?;
            }
        }
        if let Some(finally) = finally {
            match self.block(frame, finally)? {
                Flow::Next => {}
                // As `exc.escapedFinally`: an exception may not leave a `finally` block.
                Flow::Throw(escaped) => {
                    let (kind, _) = self.describe_uncaught(&escaped)?;
                    return Err(Stop::fault(format!("exception {kind} escaped a `finally` block (handle it inside the block)"), &escaped.loc));
                }
                other => return Ok(other),
            }
        }
        Ok(flow)
    }

    fn set_place(&mut self, frame: &mut Frame, v: ValueId, local: LocalId, path: &[PlaceElem], value: ValueId) -> Result<(), Stop> {
        let loc = self.loc(frame, v);
        let indices: Vec<Option<Value>> = path
            .iter()
            .map(|p| match p {
                PlaceElem::Index(i) => Some(frame.values[i.index()].clone()),
                PlaceElem::Field(_) => None,
            })
            .collect();
        let new = frame.values[value.index()].clone();
        let mut slot = &mut frame.locals[local.index()];
        for (elem, index) in path.iter().zip(indices) {
            slot = match (elem, slot, index) {
                (PlaceElem::Field(i), Value::Fields(fields), _) => Rc::make_mut(fields).get_mut(*i).ok_or_else(|| Stop::unsupported("this assignment target", &loc))?,
                (PlaceElem::Index(_), Value::List(items), Some(Value::Int(i))) => {
                    let len = items.len();
                    let at = element_index(i, len).ok_or_else(|| out_of_bounds(i, len, &loc))?;
                    &mut Rc::make_mut(items)[at]
                }
                _ => return Err(Stop::unsupported("this assignment target", &loc)),
            };
        }
        *slot = new;
        Ok(())
    }

    fn index(&self, frame: &Frame, v: ValueId, xs: ValueId, i: ValueId) -> Result<Value, Stop> {
        match (&frame.values[xs.index()], &frame.values[i.index()]) {
            (Value::List(items), Value::Int(i)) => {
                let at = element_index(*i, items.len()).ok_or_else(|| out_of_bounds(*i, items.len(), &self.loc(frame, v)))?;
                Ok(items[at].clone())
            }
            _ => Err(Stop::unsupported("indexing this value", &self.loc(frame, v))),
        }
    }

    fn unary(&self, frame: &Frame, v: ValueId, op: UnOp, x: ValueId) -> Result<Value, Stop> {
        let loc = self.loc(frame, v);
        match (op, &frame.values[x.index()], &frame.f.inst(v).ty) {
            (UnOp::Not, Value::Bool(b), _) => Ok(Value::Bool(!b)),
            (UnOp::Neg, Value::Int(a), Ty::Int(t)) => Ok(Value::Int(arith::int_neg(*t, *a, &loc)?)),
            (UnOp::Neg, Value::Float(a), _) => Ok(Value::Float(-a)),
            (UnOp::BitNot, Value::Int(a), Ty::Int(t)) => Ok(Value::Int(arith::wrap(*t, !a))),
            _ => Err(Stop::unsupported(format!("the operator `{}` on this value", op.keyword()), &loc)),
        }
    }

    fn binary(&self, frame: &Frame, v: ValueId, op: BinOp, a: ValueId, b: ValueId) -> Result<Value, Stop> {
        let loc = self.loc(frame, v);
        let (x, y) = (&frame.values[a.index()], &frame.values[b.index()]);
        let operand_ty = &frame.f.inst(a).ty;
        if let Some(order) = comparison(op) {
            return compare(op, order, x, y, &loc);
        }
        match (x, y, operand_ty) {
            (Value::Int(x), Value::Int(y), Ty::Int(t)) => Ok(Value::Int(arith::int_binary(op, *t, *x, *y, &loc)?)),
            (Value::Float(x), Value::Float(y), Ty::Float(w)) => {
                arith::float_binary(op, *w, *x, *y).map(Value::Float).ok_or_else(|| Stop::unsupported(format!("the float operator `{}`", op.keyword()), &loc))
            }
            (Value::Bool(x), Value::Bool(y), _) => match op {
                BinOp::And | BinOp::BitAnd => Ok(Value::Bool(*x && *y)),
                BinOp::Or | BinOp::BitOr => Ok(Value::Bool(*x || *y)),
                BinOp::BitXor => Ok(Value::Bool(x != y)),
                _ => Err(Stop::unsupported(format!("the operator `{}` on bools", op.keyword()), &loc)),
            },
            (Value::Str(x), Value::Str(y), _) if op == BinOp::Add => Ok(Value::str(&format!("{x}{y}"))),
            _ => Err(Stop::unsupported(format!("the operator `{}` on {}", op.keyword(), self.program.display(operand_ty)), &loc)),
        }
    }

    fn cast(&self, frame: &Frame, v: ValueId, x: ValueId) -> Result<Value, Stop> {
        let loc = self.loc(frame, v);
        let from = &frame.f.inst(x).ty;
        let to = &frame.f.inst(v).ty;
        let value = frame.values[x.index()].clone();
        Ok(match (from, to, value) {
            (Ty::Int(_), Ty::Int(t), Value::Int(i)) => Value::Int(arith::int_cast(*t, i, &loc)?),
            (Ty::Int(_), Ty::Float(w), Value::Int(i)) => Value::Float(arith::int_to_float(*w, i)),
            (Ty::Float(w), Ty::Int(t), Value::Float(f)) => Value::Int(arith::float_to_int(*t, f, *w, &loc)?),
            (Ty::Float(_), Ty::Float(w), Value::Float(f)) => Value::Float(arith::round_to(*w, f)),
            (Ty::Bool, Ty::Int(_), Value::Bool(b)) => Value::Int(i128::from(b)),
            (Ty::Int(_), Ty::Bool, Value::Int(i)) => Value::Bool(i != 0),
            (from, to, value) if from == to => value,
            (from, to, _) => {
                return Err(Stop::unsupported(format!("the conversion from {} to {}", self.program.display(from), self.program.display(to)), &loc));
            }
        })
    }

    /// What a catch-all clause receives: the language's `Error` record (`kind`, `message`) of
    /// any exception (`exc.takeError`).
    fn error_record(&self, ty: &Ty, thrown: &Thrown) -> Result<Value, Stop> {
        let refuse = || Stop::unsupported("a catch-all clause of this type", &thrown.loc);
        let Ty::Adt(id, _) = ty else {
            return Err(refuse());
        };
        let TypeKind::Record { fields } = &self.program.types[id.0 as usize].kind else {
            return Err(refuse());
        };
        let (kind, message) = self.describe_uncaught(thrown)?;
        let values = fields
            .iter()
            .map(|(name, _)| match name.as_str() {
                "kind" => Ok(Value::str(&kind)),
                "message" => Ok(Value::str(&message)),
                _ => Err(refuse()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Value::Fields(Rc::new(values)))
    }

    /// The kind and message of an exception (`exc.raiseRecord`): a record's `kind` field or its
    /// type's name, and its `message` field as text; a thrown string is kind `Error`.
    pub fn describe_uncaught(&self, thrown: &Thrown) -> Result<(String, String), Stop> {
        let Ty::Adt(id, _) = &thrown.ty else {
            let message = match &thrown.value {
                Value::Str(s) => s.to_string(),
                _ => return Err(Stop::unsupported(format!("throwing a {}", self.program.display(&thrown.ty)), &thrown.loc)),
            };
            return Ok(("Error".into(), message));
        };
        let def = &self.program.types[id.0 as usize];
        let (TypeKind::Record { fields }, Value::Fields(values)) = (&def.kind, &thrown.value) else {
            return Ok((def.name.clone(), String::new()));
        };
        let field = |name: &str| -> Result<Option<String>, Stop> {
            let Some(i) = fields.iter().position(|(n, _)| n == name) else { return Ok(None) };
            if !builtins::printable(&fields[i].1) {
                return Err(Stop::unsupported(format!("an exception whose `{name}` is a {}", self.program.display(&fields[i].1)), &thrown.loc));
            }
            Ok(Some(builtins::to_text(&values[i], &fields[i].1, false)))
        };
        let kind = field("kind")?.unwrap_or_else(|| def.name.clone());
        Ok((kind, field("message")?.unwrap_or_default()))
    }
}

/// A constant as a value of its instruction's type: a float literal of type `f32` is rounded
/// to f32, as Zig converts the literal.
fn constant(c: &Const, ty: &Ty) -> Value {
    match (c, ty) {
        (Const::Int(i), Ty::Float(w)) => Value::Float(arith::int_to_float(*w, *i)),
        (Const::Float(f), Ty::Float(w)) => Value::Float(arith::round_to(*w, *f)),
        (Const::Int(i), _) => Value::Int(*i),
        (Const::Float(f), _) => Value::Float(*f),
        (Const::Bool(b), _) => Value::Bool(*b),
        (Const::Str(s), _) => Value::str(s),
        (Const::Void, _) => Value::Void,
    }
}

fn case_matches(case: &SwitchCase, value: &Value) -> bool {
    match (case, value) {
        (SwitchCase::Int(i), Value::Int(x)) => i == x,
        (SwitchCase::Bool(b), Value::Bool(x)) => b == x,
        (SwitchCase::Variant(i), Value::Variant(tag, _)) => i == tag,
        _ => false,
    }
}

fn element_index(i: i128, len: usize) -> Option<usize> {
    usize::try_from(i).ok().filter(|i| *i < len)
}

fn out_of_bounds(i: i128, len: usize, loc: &Loc) -> Stop {
    Stop::fault(format!("index out of bounds: index {i}, length {len}"), loc)
}

fn comparison(op: BinOp) -> Option<fn(std::cmp::Ordering) -> bool> {
    use std::cmp::Ordering;
    Some(match op {
        BinOp::Eq => |o| o == Ordering::Equal,
        BinOp::Ne => |o| o != Ordering::Equal,
        BinOp::Lt => |o| o == Ordering::Less,
        BinOp::Le => |o| o != Ordering::Greater,
        BinOp::Gt => |o| o == Ordering::Greater,
        BinOp::Ge => |o| o != Ordering::Less,
        _ => return None,
    })
}

/// A comparison: numbers and strings by value; equality of any value structurally, field by
/// field as `rc.eql` does. Floats compare as IEEE does (with NaN only `!=` holds).
fn compare(op: BinOp, test: fn(std::cmp::Ordering) -> bool, x: &Value, y: &Value, loc: &Loc) -> Result<Value, Stop> {
    let order = match (x, y) {
        (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
        (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Str(a), Value::Str(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        _ if matches!(op, BinOp::Eq | BinOp::Ne) => {
            return Ok(Value::Bool(super::value::equal(x, y) == (op == BinOp::Eq)));
        }
        // Records, tuples and lists in the runtime's total order (`rc.order`).
        (Value::Fields(_), Value::Fields(_)) | (Value::List(_), Value::List(_)) => match order(x, y) {
            Some(o) => Some(o),
            None => return Err(Stop::unsupported(format!("the comparison `{}` of these values", op.keyword()), loc)),
        },
        _ => return Err(Stop::unsupported(format!("the comparison `{}` of these values", op.keyword()), loc)),
    };
    Ok(Value::Bool(match order {
        Some(o) => test(o),
        None => op == BinOp::Ne,
    }))
}

/// How the refusal names an instruction the interpreter does not run.
fn unsupported_name(kind: &InstKind) -> &'static str {
    match kind {
        InstKind::CallExtern(..) => "calls of foreign (`extern`) functions",
        InstKind::Infer { .. } => "`infer`",
        InstKind::Sample { .. } => "`sample`",
        InstKind::Observe { .. } => "`observe`",
        InstKind::LogDensity { .. } => "log densities (`lpdf`)",
        InstKind::Factor(..) => "`factor`",
        InstKind::Record { .. } | InstKind::PrintText(..) => "model output",
        _ => "this instruction",
    }
}
