//! The reference interpreter: the oracle that says what a generated program must print.
//!
//! It runs the generator's tree (`ast.rs`) with the semantics sev documents: checked `i64`/`i32`
//! arithmetic (division truncates, `mod` takes the dividend's sign, `shl` drops shifted-out
//! bits), IEEE `f64`, byte strings, value semantics for arrays and records (a Rust clone is a
//! copy), `for` over a snapshot of the array, ranges whose end and step are evaluated once,
//! short-circuit `and`/`or`, left-to-right evaluation, and floats printed like Python's `repr`.
//! Anything a correct program would fault on (overflow, division by zero, an index out of
//! bounds) or whose result the documentation leaves open (the sign of a NaN, a string cut inside
//! a UTF-8 character) is a [`Fault`]: the generator throws such code away and tries again, so a
//! finished program never faults and its expected output is exact. A fuel counter bounds loops.

use super::ast::*;

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Arr(Vec<Val>),
    Rec(Vec<Val>),
    Enum(usize, Option<Box<Val>>),
}

impl Val {
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_arr(&self) -> Option<&Vec<Val>> {
        match self {
            Val::Arr(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Why a run was abandoned.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    Overflow,
    DivZero,
    Bounds,
    Fuel,
    Output,
    /// A case whose result is not pinned down (or not modelled); never generated.
    Unsupported(&'static str),
    /// The interpreter met a tree the generator should not have built.
    Malformed(String),
}

pub type R<T> = Result<T, Fault>;

#[derive(Clone, Debug, PartialEq)]
pub enum Flow {
    Normal,
    Break,
    Continue,
    Return(Option<Val>),
}

#[derive(Clone, Debug)]
pub struct Slot {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    /// A loop counter the generator must not assign.
    pub reserved: bool,
    pub val: Val,
}

/// The state of a run: the scopes of the current function, the output so far, the fuel left.
#[derive(Clone, Debug, Default)]
pub struct Machine {
    pub scopes: Vec<Vec<Slot>>,
    pub out: String,
    pub fuel: u64,
    pub max_out: usize,
}

/// What calls can reach: the functions of the program.
#[derive(Clone, Copy)]
pub struct World<'a> {
    pub funcs: &'a [Function],
    pub decls: &'a Decls,
}

impl World<'_> {
    fn func(&self, name: &str) -> R<&Function> {
        self.funcs.iter().find(|f| f.name == name).ok_or_else(|| Fault::Malformed(format!("no function {name}")))
    }
}

fn malformed<T>(what: &str) -> R<T> {
    Err(Fault::Malformed(what.to_string()))
}

impl Machine {
    pub fn new(fuel: u64, max_out: usize) -> Machine {
        Machine { scopes: vec![Vec::new()], out: String::new(), fuel, max_out }
    }

    /// A copy for trying something out: same variables, empty output.
    pub fn scratch(&self, fuel: u64) -> Machine {
        Machine { scopes: self.scopes.clone(), out: String::new(), fuel, max_out: self.max_out }
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    pub fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    pub fn declare(&mut self, name: &str, ty: Ty, mutable: bool, val: Val) {
        if self.scopes.is_empty() {
            self.scopes.push(Vec::new());
        }
        let scope = self.scopes.last_mut().expect("a scope");
        scope.push(Slot { name: name.to_string(), ty, mutable, reserved: false, val });
    }

    pub fn lookup(&self, name: &str) -> Option<&Slot> {
        self.scopes.iter().rev().flat_map(|s| s.iter().rev()).find(|s| s.name == name)
    }

    pub fn lookup_mut(&mut self, name: &str) -> Option<&mut Slot> {
        self.scopes.iter_mut().rev().flat_map(|s| s.iter_mut().rev()).find(|s| s.name == name)
    }

    /// The variables that can be named here (the innermost of each name), innermost first.
    pub fn visible(&self) -> Vec<&Slot> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for slot in self.scopes.iter().rev().flat_map(|s| s.iter().rev()) {
            if !seen.contains(&slot.name.as_str()) {
                seen.push(&slot.name);
                out.push(slot);
            }
        }
        out
    }

    fn tick(&mut self) -> R<()> {
        if self.fuel == 0 {
            return Err(Fault::Fuel);
        }
        self.fuel -= 1;
        Ok(())
    }

    fn print_line(&mut self, text: &str) -> R<()> {
        self.out.push_str(text);
        self.out.push('\n');
        if self.out.len() > self.max_out {
            return Err(Fault::Output);
        }
        Ok(())
    }

    // ----- Statements -------------------------------------------------------------------------

    pub fn exec_block(&mut self, w: World, stmts: &[Stmt]) -> R<Flow> {
        self.push_scope();
        let r = self.exec_stmts(w, stmts);
        self.pop_scope();
        r
    }

    /// Runs statements in the current scope.
    pub fn exec_stmts(&mut self, w: World, stmts: &[Stmt]) -> R<Flow> {
        for s in stmts {
            let flow = self.exec(w, s)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    pub fn exec(&mut self, w: World, s: &Stmt) -> R<Flow> {
        self.tick()?;
        match s {
            Stmt::Let { name, ty, mutable, value, .. } => {
                let v = self.eval(w, value)?;
                self.declare(name, ty.clone(), mutable.unwrap_or(false), v);
            }
            Stmt::Assign { root, path, value, .. } => {
                let mut idx = Vec::new();
                for p in path {
                    idx.push(match p {
                        PathElem::Field(i, _) => Err(*i),
                        PathElem::Index(e) => Ok(self.int(w, e)?),
                    });
                }
                let v = self.eval(w, value)?;
                let slot = self.lookup_mut(root).ok_or_else(|| Fault::Malformed(format!("assign to unknown {root}")))?;
                if !slot.mutable {
                    return malformed("assignment to an immutable variable");
                }
                let mut place = &mut slot.val;
                for step in idx {
                    place = match (step, place) {
                        (Err(f), Val::Rec(fields)) => fields.get_mut(f).ok_or_else(|| Fault::Malformed("field".into()))?,
                        (Ok(i), Val::Arr(items)) => {
                            let n = items.len();
                            usize::try_from(i).ok().filter(|&i| i < n).and_then(|i| items.get_mut(i)).ok_or(Fault::Bounds)?
                        }
                        _ => return malformed("bad place"),
                    };
                }
                *place = v;
            }
            Stmt::Print(e) => {
                let v = self.eval(w, e)?;
                let text = display(&v)?;
                self.print_line(&text)?;
            }
            Stmt::Push(name, e) => {
                let v = self.eval(w, e)?;
                let slot = self.lookup_mut(name).ok_or_else(|| Fault::Malformed(format!("push to unknown {name}")))?;
                match &mut slot.val {
                    Val::Arr(items) if slot.mutable => {
                        if items.len() >= 64 {
                            return Err(Fault::Unsupported("array too long"));
                        }
                        items.push(v)
                    }
                    _ => return malformed("push target"),
                }
            }
            Stmt::Discard(Expr::Call(f, args)) => {
                let mut vs = Vec::new();
                for a in args {
                    vs.push(self.eval(w, a)?);
                }
                self.call(w, f, vs)?;
            }
            Stmt::Discard(e) => {
                self.eval(w, e)?;
            }
            Stmt::If { cond, then_b, else_b } => {
                let c = self.bool(w, cond)?;
                if c {
                    return self.exec_block(w, then_b);
                } else if let Some(e) = else_b {
                    return self.exec_block(w, e);
                }
            }
            Stmt::While { cond, body } => loop {
                self.tick()?;
                if !self.bool(w, cond)? {
                    break;
                }
                match self.exec_block(w, body)? {
                    Flow::Normal | Flow::Continue => {}
                    Flow::Break => break,
                    r @ Flow::Return(_) => return Ok(r),
                }
            },
            Stmt::ForRange { var, ty, start, end, step, inclusive, body } => {
                let s = self.int(w, start)?;
                let e = self.int(w, end)?;
                let st = match step {
                    Some(x) => self.int(w, x)?,
                    None => 1,
                };
                if st == 0 {
                    return Err(Fault::Unsupported("zero step"));
                }
                let mut i = s;
                loop {
                    self.tick()?;
                    let go = match (st > 0, *inclusive) {
                        (true, false) => i < e,
                        (true, true) => i <= e,
                        (false, false) => i > e,
                        (false, true) => i >= e,
                    };
                    if !go {
                        break;
                    }
                    self.push_scope();
                    self.declare(var, ty.clone(), false, Val::Int(i));
                    let flow = self.exec_block(w, body);
                    self.pop_scope();
                    match flow? {
                        Flow::Normal | Flow::Continue => {}
                        Flow::Break => break,
                        r @ Flow::Return(_) => return Ok(r),
                    }
                    i = int_op(BinOp::Add, ty, i, st)?;
                }
            }
            Stmt::ForEach { var, elem, iter, body } => {
                let items = match self.eval(w, iter)? {
                    Val::Arr(items) => items,
                    _ => return malformed("for over a non-array"),
                };
                for item in items {
                    self.tick()?;
                    self.push_scope();
                    self.declare(var, elem.clone(), false, item);
                    let flow = self.exec_block(w, body);
                    self.pop_scope();
                    match flow? {
                        Flow::Normal | Flow::Continue => {}
                        Flow::Break => break,
                        r @ Flow::Return(_) => return Ok(r),
                    }
                }
            }
            Stmt::Match { scrut, ty, arms } => {
                let v = self.eval(w, scrut)?;
                for arm in arms {
                    let mut binds = Vec::new();
                    if !matches(w.decls, &arm.pat, &v, ty, &mut binds) {
                        continue;
                    }
                    self.push_scope();
                    for (name, t, val) in binds {
                        self.declare(&name, t, false, val);
                    }
                    if let Some(g) = &arm.guard {
                        match self.bool(w, g) {
                            Ok(true) => {}
                            Ok(false) => {
                                self.pop_scope();
                                continue;
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    let flow = self.exec_block(w, &arm.body);
                    self.pop_scope();
                    return flow;
                }
                return malformed("no arm matched");
            }
            Stmt::Return(e) => {
                let v = match e {
                    Some(e) => Some(self.eval(w, e)?),
                    None => None,
                };
                return Ok(Flow::Return(v));
            }
            Stmt::Break => return Ok(Flow::Break),
            Stmt::Continue => return Ok(Flow::Continue),
            Stmt::Comment(_) => {}
        }
        Ok(Flow::Normal)
    }

    /// Calls a function with evaluated arguments.
    pub fn call(&mut self, w: World, name: &str, args: Vec<Val>) -> R<Option<Val>> {
        self.tick()?;
        let f = w.func(name)?;
        if f.params.len() != args.len() {
            return malformed("arity");
        }
        let saved = std::mem::take(&mut self.scopes);
        self.push_scope();
        for ((p, t), v) in f.params.iter().zip(args) {
            self.declare(p, t.clone(), false, v);
        }
        let flow = self.exec_stmts(w, &f.body);
        self.scopes = saved;
        match flow? {
            Flow::Return(v) => Ok(v),
            Flow::Normal if f.ret.is_none() => Ok(None),
            _ => malformed("function ended without return"),
        }
    }

    // ----- Expressions ------------------------------------------------------------------------

    fn int(&mut self, w: World, e: &Expr) -> R<i64> {
        match self.eval(w, e)? {
            Val::Int(i) => Ok(i),
            _ => malformed("expected an integer"),
        }
    }

    fn bool(&mut self, w: World, e: &Expr) -> R<bool> {
        match self.eval(w, e)? {
            Val::Bool(b) => Ok(b),
            _ => malformed("expected a bool"),
        }
    }

    fn float_arg(&mut self, w: World, e: &Expr) -> R<f64> {
        match self.eval(w, e)? {
            Val::Float(x) => Ok(x),
            Val::Int(i) => Ok(i as f64),
            _ => malformed("expected a number"),
        }
    }

    pub fn eval(&mut self, w: World, e: &Expr) -> R<Val> {
        Ok(match e {
            Expr::Int(i) => Val::Int(*i),
            Expr::Float(x) => Val::Float(*x),
            Expr::Bool(b) => Val::Bool(*b),
            Expr::Str(s) => Val::Str(s.clone()),
            Expr::Var(n) => self.lookup(n).ok_or_else(|| Fault::Malformed(format!("unknown variable {n}")))?.val.clone(),
            Expr::Bin(op, ty, l, r) => {
                let a = self.eval(w, l)?;
                let b = self.eval(w, r)?;
                binary(*op, ty, a, b)?
            }
            Expr::Nary(op, ty, xs) => {
                let mut acc = self.eval(w, &xs[0])?;
                for x in &xs[1..] {
                    let b = self.eval(w, x)?;
                    acc = binary(*op, ty, acc, b)?;
                }
                acc
            }
            Expr::And(xs) => {
                for x in xs {
                    if !self.bool(w, x)? {
                        return Ok(Val::Bool(false));
                    }
                }
                Val::Bool(true)
            }
            Expr::Or(xs) => {
                for x in xs {
                    if self.bool(w, x)? {
                        return Ok(Val::Bool(true));
                    }
                }
                Val::Bool(false)
            }
            Expr::Not(x) => Val::Bool(!self.bool(w, x)?),
            Expr::Neg(ty, x) => match self.eval(w, x)? {
                Val::Int(i) => Val::Int(fit(ty, -(i as i128))?),
                Val::Float(f) => Val::Float(-f),
                _ => return malformed("neg"),
            },
            Expr::BitNot(ty, x) => Val::Int(fit(ty, !(self.int(w, x)? as i128))?),
            Expr::Call(f, args) => {
                let mut vs = Vec::new();
                for a in args {
                    vs.push(self.eval(w, a)?);
                }
                self.call(w, f, vs)?.ok_or_else(|| Fault::Malformed(format!("{f} returned nothing")))?
            }
            Expr::Builtin(b, args) => self.builtin(w, *b, args)?,
            Expr::Index(a, i) => {
                let a = self.eval(w, a)?;
                let i = self.int(w, i)?;
                match a {
                    Val::Arr(items) => usize::try_from(i).ok().and_then(|i| items.get(i).cloned()).ok_or(Fault::Bounds)?,
                    _ => return malformed("index"),
                }
            }
            Expr::Field(o, i, _) => match self.eval(w, o)? {
                Val::Rec(fields) => fields.get(*i).cloned().ok_or_else(|| Fault::Malformed("field".into()))?,
                _ => return malformed("field of a non-record"),
            },
            Expr::Array(_, xs) => {
                let mut vs = Vec::new();
                for x in xs {
                    vs.push(self.eval(w, x)?);
                }
                Val::Arr(vs)
            }
            Expr::Record { fields, .. } => {
                let mut vs: Vec<Option<Val>> = vec![None; fields.len()];
                for (i, _, x) in fields {
                    let v = self.eval(w, x)?;
                    *vs.get_mut(*i).ok_or_else(|| Fault::Malformed("record field".into()))? = Some(v);
                }
                Val::Rec(vs.into_iter().map(|v| v.ok_or_else(|| Fault::Malformed("missing field".into()))).collect::<R<_>>()?)
            }
            Expr::Update { base, fields } => {
                let mut vs = match self.eval(w, base)? {
                    Val::Rec(vs) => vs,
                    _ => return malformed("update of a non-record"),
                };
                for (i, _, x) in fields {
                    let v = self.eval(w, x)?;
                    *vs.get_mut(*i).ok_or_else(|| Fault::Malformed("update field".into()))? = v;
                }
                Val::Rec(vs)
            }
            Expr::Variant { variant, payload, .. } => {
                let p = match payload {
                    Some(p) => Some(Box::new(self.eval(w, p)?)),
                    None => None,
                };
                Val::Enum(*variant, p)
            }
            Expr::Cast(to, x) => {
                let v = self.eval(w, x)?;
                cast(to, v)?
            }
            Expr::Cond(c, t, e) => {
                if self.bool(w, c)? {
                    self.eval(w, t)?
                } else {
                    self.eval(w, e)?
                }
            }
        })
    }

    fn builtin(&mut self, w: World, b: Builtin, args: &[Expr]) -> R<Val> {
        use Builtin as B;
        if b == B::Pop {
            let Some(Expr::Var(name)) = args.first() else { return malformed("pop of a non-variable") };
            let slot = self.lookup_mut(name).ok_or_else(|| Fault::Malformed("pop".into()))?;
            if !slot.mutable {
                return malformed("pop of an immutable variable");
            }
            return match &mut slot.val {
                Val::Arr(items) => items.pop().ok_or(Fault::Bounds),
                _ => malformed("pop of a non-array"),
            };
        }
        if matches!(
            b,
            B::Exp | B::Log | B::Log10 | B::Log2 | B::Sin | B::Cos | B::Tan | B::Asin | B::Acos | B::Atan | B::Sinh | B::Cosh | B::Tanh
                | B::Degrees | B::Radians | B::Pow | B::Atan2 | B::Hypot | B::Remainder
        ) {
            // The correctly rounded functions of runtime/math.zig: the reference takes them from
            // the interpreter's port (itself checked against the runtime's table of correctly
            // rounded values); the Zig builds check them independently.
            let mut f = [0.0; 3];
            for (i, a) in args.iter().enumerate() {
                f[i] = self.float_arg(w, a)?;
            }
            return sev::interp::math::call(b.name(), f[0], f[1], f[2]).map(Val::Float).ok_or_else(|| Fault::Malformed("math built-in".into()));
        }
        let mut f = Vec::new();
        if matches!(
            b,
            B::Sqrt | B::Floor | B::Ceil | B::Trunc | B::Round | B::Abs | B::Sign | B::Min | B::Max | B::Fmod | B::Copysign
                | B::Clamp | B::Lerp | B::IsNan | B::IsFinite | B::IsInfinite
        ) {
            for a in args {
                f.push(self.float_arg(w, a)?);
            }
            return Ok(match b {
                B::Sqrt => Val::Float(f[0].sqrt()),
                B::Floor => Val::Float(f[0].floor()),
                B::Ceil => Val::Float(f[0].ceil()),
                B::Trunc => Val::Float(f[0].trunc()),
                B::Round => Val::Float(f[0].round()),
                B::Abs => Val::Float(f[0].abs()),
                B::Sign => Val::Float(if f[0].is_nan() || f[0] == 0.0 { f[0] } else { 1f64.copysign(f[0]) }),
                B::Min => Val::Float(fmin(f[0], f[1])),
                B::Max => Val::Float(fmax(f[0], f[1])),
                B::Fmod => Val::Float(f[0] % f[1]),
                B::Copysign => {
                    if f[1].is_nan() {
                        return Err(Fault::Unsupported("the sign of a NaN"));
                    }
                    Val::Float(f[0].copysign(f[1]))
                }
                B::Clamp => Val::Float(fmin(fmax(f[0], f[1]), f[2])),
                B::Lerp => Val::Float(f[0] + (f[1] - f[0]) * f[2]),
                B::IsNan => Val::Bool(f[0].is_nan()),
                B::IsFinite => Val::Bool(f[0].is_finite()),
                _ => Val::Bool(f[0].is_infinite()),
            });
        }
        let mut v = Vec::new();
        for a in args {
            v.push(self.eval(w, a)?);
        }
        let s = |i: usize| -> R<&str> { v.get(i).and_then(Val::as_str).ok_or_else(|| Fault::Malformed("string argument".into())) };
        let n = |i: usize| -> R<i64> { v.get(i).and_then(Val::as_int).ok_or_else(|| Fault::Malformed("integer argument".into())) };
        let a = |i: usize| -> R<&Vec<Val>> { v.get(i).and_then(Val::as_arr).ok_or_else(|| Fault::Malformed("array argument".into())) };
        Ok(match b {
            B::Len => Val::Int(a(0)?.len() as i64),
            B::StrLength => Val::Int(s(0)?.len() as i64),
            B::StrIndexOf => Val::Int(s(0)?.find(s(1)?).map_or(-1, |i| i as i64)),
            B::StrByteAt => {
                let bytes = s(0)?.as_bytes();
                let i = n(1)?;
                Val::Int(i64::from(*usize::try_from(i).ok().and_then(|i| bytes.get(i)).ok_or(Fault::Bounds)?))
            }
            B::StrContains => Val::Bool(s(0)?.contains(s(1)?)),
            B::StrStartsWith => Val::Bool(s(0)?.starts_with(s(1)?)),
            B::StrEndsWith => Val::Bool(s(0)?.ends_with(s(1)?)),
            B::StrEquals => Val::Bool(s(0)? == s(1)?),
            B::StrSubstring => {
                let text = s(0)?;
                let (lo, hi) = (n(1)?, n(2)?);
                if lo < 0 || hi < lo || hi as usize > text.len() {
                    return Err(Fault::Bounds);
                }
                let (lo, hi) = (lo as usize, hi as usize);
                if !text.is_char_boundary(lo) || !text.is_char_boundary(hi) {
                    return Err(Fault::Unsupported("substring inside a character"));
                }
                Val::Str(text[lo..hi].to_string())
            }
            B::StrToUpper => Val::Str(s(0)?.to_ascii_uppercase()),
            B::StrToLower => Val::Str(s(0)?.to_ascii_lowercase()),
            B::StrTrim => Val::Str(s(0)?.trim_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']).to_string()),
            B::StrReplace => {
                let (text, from, to) = (s(0)?, s(1)?, s(2)?);
                Val::Str(if from.is_empty() { text.to_string() } else { text.replace(from, to) })
            }
            B::StrRepeat => {
                let (text, k) = (s(0)?, n(1)?);
                if k <= 0 {
                    Val::Str(String::new())
                } else if text.len() as i64 * k > 400 {
                    return Err(Fault::Unsupported("long string"));
                } else {
                    Val::Str(text.repeat(k as usize))
                }
            }
            B::StrConcat => {
                let out = format!("{}{}", s(0)?, s(1)?);
                if out.len() > 400 {
                    return Err(Fault::Unsupported("long string"));
                }
                Val::Str(out)
            }
            B::ToString => Val::Str(display(&v[0])?),
            B::ArrayConcat => {
                let mut out = a(0)?.clone();
                out.extend(a(1)?.iter().cloned());
                if out.len() > 64 {
                    return Err(Fault::Unsupported("array too long"));
                }
                Val::Arr(out)
            }
            B::ArrayReverse => Val::Arr(a(0)?.iter().rev().cloned().collect()),
            B::ArraySlice => {
                let items = a(0)?;
                let (lo, hi) = (n(1)?, n(2)?);
                if lo < 0 || hi < lo || hi as usize > items.len() {
                    return Err(Fault::Bounds);
                }
                Val::Arr(items[lo as usize..hi as usize].to_vec())
            }
            B::ArraySort => {
                let mut items = a(0)?.clone();
                let mut bad = false;
                items.sort_by(|x, y| order(x, y).unwrap_or_else(|| {
                    bad = true;
                    std::cmp::Ordering::Equal
                }));
                if bad {
                    return Err(Fault::Unsupported("sorting these values"));
                }
                Val::Arr(items)
            }
            B::ArrayContains => Val::Bool(a(0)?.contains(&v[1])),
            B::ArrayIndexOf => Val::Int(a(0)?.iter().position(|x| *x == v[1]).map_or(-1, |i| i as i64)),
            B::ArrayFill => {
                let k = n(0)?;
                if !(0..=16).contains(&k) {
                    return Err(Fault::Unsupported("fill length"));
                }
                Val::Arr(vec![v[1].clone(); k as usize])
            }
            B::Pi => Val::Float(std::f64::consts::PI),
            B::E => Val::Float(std::f64::consts::E),
            B::Inf => Val::Float(f64::INFINITY),
            B::Nan => Val::Float(f64::NAN),
            _ => return malformed("builtin"),
        })
    }
}

/// The order `array_sort` uses: numbers (NaN last, -0.0 = 0.0), strings bytewise.
fn order(a: &Val, b: &Val) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering;
    match (a, b) {
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (Val::Str(x), Val::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Val::Float(x), Val::Float(y)) => Some(match (x.is_nan(), y.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        }),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn fmin(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b {
        if a.is_sign_negative() { a } else { b }
    } else if a < b {
        a
    } else {
        b
    }
}

fn fmax(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b {
        if a.is_sign_positive() { a } else { b }
    } else if a > b {
        a
    } else {
        b
    }
}

/// An integer result in the range of `ty`, or an overflow.
pub fn fit(ty: &Ty, v: i128) -> R<i64> {
    let ok = match ty {
        Ty::I32 => i128::from(i32::MIN) <= v && v <= i128::from(i32::MAX),
        Ty::I64 => i128::from(i64::MIN) <= v && v <= i128::from(i64::MAX),
        _ => return malformed("integer operation on a non-integer type"),
    };
    if ok { Ok(v as i64) } else { Err(Fault::Overflow) }
}

pub fn int_op(op: BinOp, ty: &Ty, a: i64, b: i64) -> R<i64> {
    let (x, y) = (i128::from(a), i128::from(b));
    let bits: i64 = if *ty == Ty::I32 { 32 } else { 64 };
    match op {
        BinOp::Add => fit(ty, x + y),
        BinOp::Sub => fit(ty, x - y),
        BinOp::Mul => fit(ty, x * y),
        BinOp::Div => {
            if y == 0 {
                return Err(Fault::DivZero);
            }
            fit(ty, x / y)
        }
        BinOp::Mod => {
            if y == 0 {
                return Err(Fault::DivZero);
            }
            if y == -1 && fit(ty, x / y).is_err() {
                return Err(Fault::Overflow);
            }
            fit(ty, x % y)
        }
        BinOp::Pow => {
            if y < 0 {
                return Err(Fault::Unsupported("negative exponent"));
            }
            if y > 70 && !(-1..=1).contains(&x) {
                return Err(Fault::Overflow);
            }
            let mut acc: i128 = 1;
            for _ in 0..y.min(70) {
                acc = i128::from(fit(ty, acc * x)?);
            }
            if y > 70 && x == -1 && y % 2 == 1 {
                acc = -1;
            }
            fit(ty, acc)
        }
        BinOp::BitAnd => fit(ty, x & y),
        BinOp::BitOr => fit(ty, x | y),
        BinOp::BitXor => fit(ty, x ^ y),
        BinOp::Shl | BinOp::Shr => {
            if b < 0 || b >= bits {
                return Err(Fault::Unsupported("shift amount"));
            }
            let r = match (op, bits) {
                (BinOp::Shl, 32) => i64::from((a as i32).wrapping_shl(b as u32)),
                (BinOp::Shl, _) => a.wrapping_shl(b as u32),
                (_, 32) => i64::from((a as i32) >> b),
                _ => a >> b,
            };
            fit(ty, i128::from(r))
        }
        _ => malformed("integer operator"),
    }
}

fn binary(op: BinOp, ty: &Ty, a: Val, b: Val) -> R<Val> {
    if op.is_comparison() {
        return compare(op, &a, &b).map(Val::Bool);
    }
    Ok(match (a, b) {
        (Val::Int(x), Val::Int(y)) => Val::Int(int_op(op, ty, x, y)?),
        (Val::Float(x), Val::Float(y)) => Val::Float(match op {
            BinOp::Add | BinOp::Sub if x == 0.0 && y == 0.0 && !super::generate::GENERATE_ZERO_SIGN_CORNER_CASES => {
                return Err(Fault::Unsupported("a sum of zeros"));
            }
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul
                if !super::generate::GENERATE_ZERO_SIGN_CORNER_CASES
                    && (x == 0.0 || y == 0.0)
                    && (x * y == 0.0 && (x * y).is_sign_negative()) =>
            {
                return Err(Fault::Unsupported("a -0.0 product"));
            }
            BinOp::Mul => x * y,
            BinOp::Div => x / y,
            BinOp::Mod if y == 0.0 && !super::generate::GENERATE_FLOAT_MOD_BY_ZERO => {
                return Err(Fault::Unsupported("float mod by zero"));
            }
            BinOp::Mod => x % y,
            BinOp::Pow => sev::interp::math::pow(x, y),
            _ => return malformed("float operator"),
        }),
        (Val::Str(x), Val::Str(y)) if op == BinOp::Add => {
            if x.len() + y.len() > 400 {
                return Err(Fault::Unsupported("long string"));
            }
            Val::Str(x + &y)
        }
        _ => return malformed("operands"),
    })
}

fn compare(op: BinOp, a: &Val, b: &Val) -> R<bool> {
    use std::cmp::Ordering;
    match op {
        BinOp::Eq => return Ok(a == b),
        BinOp::Ne => return Ok(a != b),
        _ => {}
    }
    let ord: Option<Ordering> = match (a, b) {
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (Val::Float(x), Val::Float(y)) => x.partial_cmp(y),
        (Val::Str(x), Val::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        _ => return malformed("ordering of these values"),
    };
    Ok(match ord {
        None => false,
        Some(o) => match op {
            BinOp::Lt => o == Ordering::Less,
            BinOp::Le => o != Ordering::Greater,
            BinOp::Gt => o == Ordering::Greater,
            _ => o != Ordering::Less,
        },
    })
}

fn cast(to: &Ty, v: Val) -> R<Val> {
    Ok(match (to, v) {
        (Ty::I64 | Ty::I32, Val::Int(i)) => Val::Int(fit(to, i128::from(i))?),
        (Ty::I64 | Ty::I32, Val::Bool(b)) => Val::Int(i64::from(b)),
        (Ty::I64 | Ty::I32, Val::Float(f)) => {
            if !f.is_finite() {
                return Err(Fault::Overflow);
            }
            let t = f.trunc();
            if !(-9.3e18..9.3e18).contains(&t) {
                return Err(Fault::Overflow);
            }
            Val::Int(fit(to, t as i128)?)
        }
        (Ty::F64, Val::Int(i)) => Val::Float(i as f64),
        (Ty::F64, Val::Float(f)) => Val::Float(f),
        (Ty::Bool, Val::Int(i)) => Val::Bool(i != 0),
        (Ty::Bool, Val::Bool(b)) => Val::Bool(b),
        _ => return malformed("cast"),
    })
}

/// Whether `v` (of type `ty`) matches `p`; bindings are appended with their types.
fn matches(d: &Decls, p: &Pat, v: &Val, ty: &Ty, binds: &mut Vec<(String, Ty, Val)>) -> bool {
    match (p, v) {
        (Pat::Wild(_), _) => true,
        (Pat::Bind(n), _) => {
            binds.push((n.clone(), ty.clone(), v.clone()));
            true
        }
        (Pat::Int(i), Val::Int(x)) => i == x,
        (Pat::Str(s), Val::Str(x)) => s == x,
        (Pat::Bool(b), Val::Bool(x)) => b == x,
        (Pat::Variant { variant, payload, .. }, Val::Enum(vi, pv)) => {
            if variant != vi {
                return false;
            }
            match (payload, pv) {
                (None, _) => true,
                (Some(p), Some(pv)) => {
                    let pty = match ty {
                        Ty::Enum(e) => d.enums[*e].variants[*variant].1.clone().unwrap_or(Ty::I64),
                        _ => return false,
                    };
                    matches(d, p, pv, &pty, binds)
                }
                (Some(_), None) => false,
            }
        }
        _ => false,
    }
}

// ----- Printing ----------------------------------------------------------------------------------

/// How `print` and `to_string` show a primitive value.
pub fn display(v: &Val) -> R<String> {
    Ok(match v {
        Val::Int(i) => i.to_string(),
        Val::Float(x) => format_float(*x),
        Val::Bool(b) => b.to_string(),
        Val::Str(s) => s.clone(),
        _ => return malformed("printing a compound value"),
    })
}

/// A float as Python's `repr` shows it: the shortest digits that read back to the same value
/// (of the shortest strings, the one nearest the value, ties to an even last digit), fixed
/// notation for decimal exponents -4..=15, otherwise `d.ddde±XX`.
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    // Rust's shortest digits break ties between two equally near shortest strings upwards;
    // Python takes the correctly rounded one (half to even), which Rust's fixed-precision
    // formatting gives.
    let shortest = format!("{:e}", x.abs());
    let n = shortest.split_once('e').expect("exponent").0.chars().filter(char::is_ascii_digit).count();
    let rounded = format!("{:.*e}", n - 1, x.abs());
    let sci = if rounded.parse::<f64>() == Ok(x.abs()) { rounded } else { shortest };
    let (mantissa, exp) = sci.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if x < 0.0 { "-" } else { "" };
    let body = if (-4..16).contains(&exp) {
        if exp >= 0 {
            let point = exp as usize + 1;
            if digits.len() <= point {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        } else {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let m = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits.clone() };
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::format_float;

    #[test]
    fn floats_print_like_python_repr() {
        let cases = [
            (3.0, "3.0"),
            (0.1, "0.1"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (1.0 / 3.0, "0.3333333333333333"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-0.0, "-0.0"),
            (123.456, "123.456"),
            // Exactly halfway between two shortest candidates: the even digit wins.
            (1234567890123456.0 + 0.25, "1234567890123456.2"),
            (900719925474099.0 + 0.25, "900719925474099.2"),
            (0.375, "0.375"),
        ];
        for (x, s) in cases {
            assert_eq!(format_float(x), s);
        }
    }
}
