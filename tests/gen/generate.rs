//! The random program generator: well-typed SIRS programs together with their exact output.
//!
//! Generation runs alongside evaluation, as in Csmith: the generator keeps a [`Machine`] holding
//! every visible variable's type and current value, builds one statement at a time using those
//! values (an index within the array's current length, a divisor known to be non-zero, a match
//! arm for the value the scrutinee has), then runs the statement on a copy of the machine. If
//! the run faults (an overflow the values did not foresee, a loop whose later iterations go out
//! of bounds) the statement is thrown away and another one is drawn; otherwise the copy becomes
//! the current state. Nested blocks are built the same way on a speculative copy that stands for
//! their first execution, and the enclosing statement is then checked as a whole, so loop bodies
//! are validated on every iteration. The expected output is finally recomputed by running the
//! finished program from the start with the reference interpreter.
//!
//! sev's typing rules matter in a few places: an integer literal takes its type from the context
//! and defaults to `i64`, so a `let` whose value is built only from literals is annotated when it
//! is meant to be `i32` (or an empty array), and a range, `for` or `match` whose integer operands
//! are all literals is treated as `i64`. Elsewhere a literal-only subtree meant as `i32` may be
//! typed `i64` by sev; the interpreter checks `i32` arithmetic strictly (and rejects `shl` whose
//! result depends on the width), so both readings print the same values.
//!
//! Constructs that currently expose compiler bugs are switched off by the `GENERATE_*` and
//! `ALLOW_*` constants below (each says what goes wrong); set one to true to test the construct
//! again once the bug is fixed.

use super::ast::*;
use super::interp::{Machine, Val, World};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use std::rc::Rc;

/// Variables named `_` (sev used to emit `const _: i64 = 1;`, which Zig rejects; fixed in
/// 311837d).
pub const GENERATE_UNDERSCORE_NAME: bool = true;

/// Array literals whose element type is left to the literal default (`[1, 2]`, `[1.5]`, or
/// `[n]` after `let n = 3`) where no context fixes it (an unannotated `let`, `len(…)`, `eq`):
/// sev reported E0313 "Cannot infer the type of the elements of this empty array" although
/// integer and float literals default to `i64`/`f64` (fixed in 3f3868a). While false, every
/// variable gets a definite type (a `let` type, or a cast on a literal of a range or `match`) and
/// such arrays a cast on their first literal.
pub const ALLOW_UNTYPED_LITERAL_ARRAYS: bool = true;

/// `{"cond": …}` expressions (sev used to declare the result variable inside the `then` branch
/// of the emitted `if`, so Zig rejected them: `use of undeclared identifier 'choice'`; fixed in
/// e1b9654).
pub const GENERATE_COND_EXPR: bool = true;

/// Variables named like Zig integer types that no suffix rescues: `u0`, `i0`, `u00` (sev used
/// to escape them as `u0_`, "primitive integer type 'u0_' has leading zero"), `i999999`,
/// `i999999_` ("exceeds maximum bit width of 65535"), `u8_1` (digits may hold `_`); fixed (they
/// are quoted, `@"i999999"`).
pub const GENERATE_LEADING_ZERO_INT_NAMES: bool = true;
const LEADING_ZERO_INT_NAMES: &[&str] = &["u0", "i0", "u00", "i01", "i999999", "i999999_", "u8_1", "i70000"];

/// Float `mod` by a zero that Zig knows at compile time (`mod(1.5, 0.0)`, or by an immutable
/// variable holding 0.0): sev emits `@rem`, which Zig rejects ("division by zero here causes
/// undefined behavior") instead of giving NaN; fixed (float `mod` is a runtime call). While false
/// the interpreter treats float `mod` by zero as a fault, so no program does it.
pub const GENERATE_FLOAT_MOD_BY_ZERO: bool = true;

/// Expression statements that drop a value that is not a number or bool (`f()` returning a
/// string, array, record or enum; `pop(xs)` on such an array), and the base of an `update` that
/// replaces every field (sev used to emit `defer rt.release(f());`, evaluating the expression
/// at the end of the scope; fixed in 1426ee8). While false such calls are only made for
/// numbers, bools and `void`, and such an `update` has a literal base.
pub const GENERATE_DISCARDED_COUNTED_RESULTS: bool = true;

/// A string ordering (`lt`/`le`/`gt`/`ge` on `str`) as an operand of `eq`/`ne`: sev emits
/// `t == rt.str.order(a, b) != .lt` without parentheses, which Zig rejects ("comparison
/// operators cannot be chained"); fixed (orderings are parenthesised). While false such an
/// operand is wrapped in `not(not(…))`.
pub const GENERATE_STR_ORDER_IN_EQUALITY: bool = true;

/// Signed zeros where an operand is a compile-time constant: Zig folds `0.0 * -2.0` to `0.0`
/// (IEEE: `-0.0`), and `x + 0.0`, `0.0 + x`, `x - (-0.0)` to `x` (IEEE: `+0.0` when `x` is
/// `-0.0`); sev emits such constants (and folds `sub(-2.25, -2.25)` to `0.0` itself), so
/// `add(math_round(-0.0), sub(-2.25, -2.25))` printed `-0.0`; fixed (float operations with a
/// constant zero or two constant operands are runtime calls). While false the interpreter
/// treats a `-0.0` product with a zero operand, and a sum or difference of two zeros, as
/// faults, so no program computes one.
pub const GENERATE_ZERO_SIGN_CORNER_CASES: bool = true;

/// The field values of a record literal or `update` written in another order than the record
/// declares its fields, with calls whose effects show the order: sev evaluates them in
/// declaration order (at -O0 and -O2), the interpreter in the order written, and
/// docs/language.md does not say which is right. While false, such fields are written in
/// declaration order. Flip to true if sev settles on the written order.
pub const RECORD_FIELDS_IN_WRITTEN_ORDER: bool = false;

const FUEL: u64 = 20_000;
const MAX_OUT: usize = 6_000;
const MAX_DEPTH: u32 = 3;
const STMT_ATTEMPTS: usize = 8;
const EXPR_ATTEMPTS: usize = 4;

pub struct Generated {
    pub program: Program,
    pub expected: String,
    /// Statements drawn and thrown away because their run faulted.
    pub rejected: usize,
}

struct Prog {
    decls: Decls,
    funcs: Vec<Function>,
    /// One argument tuple per function with which its body is known to run.
    samples: Vec<Vec<Val>>,
}

impl Prog {
    fn world(&self) -> World<'_> {
        World { funcs: &self.funcs, decls: &self.decls }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Ret {
    Main,
    Void,
    Value(Ty),
}

#[derive(Clone, Debug)]
struct Cx {
    ret: Ret,
    loops: u32,
    cont_ok: bool,
    depth: u32,
}

const PLAIN_NAMES: &[&str] = &[
    "a", "b", "c", "x", "y", "z", "n", "m", "i", "j", "k", "s", "t", "acc", "total", "tmp", "val", "flag", "w", "q", "count",
    "name", "left", "right", "best", "cur",
];

const SPECIAL_NAMES: &[&str] = &[
    // Zig keywords.
    "type", "error", "test", "fn", "var", "const", "struct", "enum", "union", "while", "for", "if", "else", "and", "or",
    "return", "try", "catch", "defer", "comptime", "async", "await", "suspend", "resume", "break", "continue", "switch",
    "inline", "export", "extern", "pub", "align", "orelse", "unreachable", "usingnamespace", "threadlocal", "volatile",
    "allowzero", "anyframe", "noalias", "nosuspend", "errdefer", "linksection", "callconv", "asm", "opaque", "packed",
    "anytype", "noinline",
    // Zig primitive types and values.
    "i32", "i64", "u8", "u32", "i7", "u1", "i128", "f64", "f32", "f16", "bool", "void", "usize", "isize", "true",
    "false", "null", "undefined", "noreturn", "anyerror", "anyopaque", "comptime_int", "comptime_float", "c_int", "c_char",
    // Names the generated file uses, escapes that could collide, hidden locals of loops.
    "std", "rt", "main", "panic", "sev_main", "sev_source_file", "builtin", "root", "type_", "x_2", "a_2", "error_", "std_",
    "main_", "i32_", "type_2", "items", "index", "element", "end", "step", "len", "print", "push", "self", "result", "value",
    "tmp_1", "_x", "__", "_0", "it", "loc", "out", "gpa",
    // Names of the model runtime's generated code (the mode `M`, the context `ctx`, the data).
    "M", "ctx", "Data", "data", "sites", "sev_cache", "read", "deinit",
];

const FIELD_NAMES: &[&str] = &[
    "x", "y", "name", "count", "items", "data", "next", "value", "left", "right", "id", "tag", "len", "type", "error", "fn",
    "struct", "enum", "test", "align", "i32", "bool", "true", "null", "_x", "ptr", "format", "hash", "eql", "retain",
    "release", "deinit", "init", "get", "set", "index", "i999999", "u0", "M", "ctx",
];

const VARIANT_NAMES: &[&str] = &[
    "A", "B", "C", "Red", "Green", "Leaf", "Node", "Empty", "Some", "None", "Ok", "Err", "type", "error", "null", "true",
    "i32", "Int", "Str", "ok", "err", "tag", "value", "Circle", "Unit", "i999999", "u0",
];

const STRINGS: &[&str] = &[
    "", "a", "abc", "Hello", "x y", "  pad  ", "tab\there", "quote\"q", "back\\slash", "new\nline", "é", "naïve", "日本",
    "emoji😀", "ABC", "hello world", "0", "-12", "3.5", "true", "{}", "{s}", "%d", "\u{1}", "\r\n", "aaa", "ab", "ba",
    "zz", "Mixed Case", "ends with space ", "\\n", "'single'", "==", "nul\u{0}byte",
];

const FLOATS: &[f64] = &[
    0.0, -0.0, 0.1, 0.2, 0.5, 1.0, 1.5, -2.25, 3.0, 10.0, 100.5, 1e20, 1e-7, 2.5e-5, 123456.789, -1e16, 1e15,
    9007199254740993.0, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308, 0.3, 0.3333333333333333,
    6.02214076e23, -7.5, 1e100, 2.0, -1.0, 0.25, 4.0, 1e-5, 0.0001, 1e16, 1234567890123456.0, -0.5, 7.0,
];

struct G {
    rng: Xoshiro256PlusPlus,
    k: usize,
    prog: Rc<Prog>,
    budget: i32,
    rejected: usize,
    /// Names of this program's functions and types, also used as local names.
    own_names: Vec<String>,
}

/// Generates program number `index` from `seed`.
pub fn generate(index: usize, seed: u64) -> Generated {
    let mut g = G {
        rng: Xoshiro256PlusPlus::seed_from_u64(seed),
        k: index,
        prog: Rc::new(Prog { decls: Decls::default(), funcs: Vec::new(), samples: Vec::new() }),
        budget: 0,
        rejected: 0,
        own_names: Vec::new(),
    };
    g.types();
    if g.chance(0.5) {
        g.trace_helper();
    }
    let helpers = g.rng.random_range(0..=4);
    for j in 0..helpers {
        g.helper(j);
    }
    let main_name = format!("p{index}_main");
    let main = g.main_function(&main_name);
    Rc::get_mut(&mut g.prog).expect("no other reference").funcs.push(main);
    let mut prog = Rc::try_unwrap(g.prog).ok().expect("no other reference");
    for f in &mut prog.funcs {
        super::usage::use_every_binding(f, &prog.decls);
    }
    let program = Program { index, seed, decls: prog.decls, functions: prog.funcs, main_name };
    let expected = run(&program).unwrap_or_else(|e| {
        panic!("generator bug: program {index} (seed {seed}) faults in the interpreter: {e:?}\n{}", super::standalone_json(&program))
    });
    Generated { program, expected, rejected: g.rejected }
}

/// Runs a whole program with the reference interpreter and returns what it prints.
pub fn run(p: &Program) -> Result<String, super::interp::Fault> {
    let w = World { funcs: &p.functions, decls: &p.decls };
    let mut m = Machine::new(5_000_000, MAX_OUT * 4);
    m.call(w, &p.main_name, vec![])?;
    Ok(m.out)
}

/// Whether sev gives this expression a type without help from the context (an integer literal,
/// alone or combined only with other literals, does not: it waits for the context or defaults to
/// `i64`).
pub fn self_typed(e: &Expr) -> bool {
    match e {
        Expr::Int(_) => false,
        Expr::Bin(op, _, l, r) => match op {
            _ if op.is_comparison() => true,
            BinOp::Shl | BinOp::Shr => self_typed(l),
            _ => self_typed(l) || self_typed(r),
        },
        Expr::Nary(_, _, xs) | Expr::Array(_, xs) => xs.iter().any(self_typed),
        Expr::Neg(_, x) | Expr::BitNot(_, x) => self_typed(x),
        Expr::Cond(_, t, e) => self_typed(t) || self_typed(e),
        Expr::Index(a, _) => self_typed(a),
        Expr::Builtin(b, args) => match b {
            Builtin::ArrayConcat => args.iter().any(self_typed),
            Builtin::ArrayReverse | Builtin::ArraySlice | Builtin::ArraySort => self_typed(&args[0]),
            Builtin::ArrayFill => self_typed(&args[1]),
            _ => true,
        },
        _ => true,
    }
}

/// Like [`self_typed`], but float literals count as untyped too (they wait for the context as
/// well, defaulting to `f64`).
pub fn strictly_typed(e: &Expr) -> bool {
    match e {
        Expr::Int(_) | Expr::Float(_) => false,
        Expr::Bin(op, _, l, r) => match op {
            _ if op.is_comparison() => true,
            BinOp::Shl | BinOp::Shr => strictly_typed(l),
            _ => strictly_typed(l) || strictly_typed(r),
        },
        Expr::Nary(_, _, xs) | Expr::Array(_, xs) => xs.iter().any(strictly_typed),
        Expr::Neg(_, x) | Expr::BitNot(_, x) => strictly_typed(x),
        Expr::Cond(_, t, e) => strictly_typed(t) || strictly_typed(e),
        Expr::Index(a, _) => strictly_typed(a),
        Expr::Builtin(b, args) => match b {
            Builtin::ArrayConcat => args.iter().any(strictly_typed),
            Builtin::ArrayReverse | Builtin::ArraySlice | Builtin::ArraySort => strictly_typed(&args[0]),
            Builtin::ArrayFill => strictly_typed(&args[1]),
            Builtin::Inf | Builtin::Nan => true,
            _ => true,
        },
        _ => true,
    }
}

/// Gives an expression of type `ty` built only from literals a definite type, by casting one
/// literal to its type (`[1, 2]` becomes `[cast(1, i64), 2]`).
fn pin(e: &mut Expr, ty: &Ty) {
    match e {
        Expr::Int(_) | Expr::Float(_) => *e = Expr::Cast(ty.clone(), Box::new(e.clone())),
        Expr::Array(t, xs) if !xs.is_empty() => pin(&mut xs[0], t),
        Expr::Bin(op, _, l, _) if !op.is_comparison() => pin(l, ty),
        Expr::Nary(_, _, xs) => pin(&mut xs[0], ty),
        Expr::Neg(_, x) | Expr::BitNot(_, x) => pin(x, ty),
        Expr::Cond(_, t, _) => pin(t, ty),
        Expr::Index(a, _) => pin(a, &Ty::arr(ty.clone())),
        Expr::Builtin(Builtin::ArrayReverse | Builtin::ArraySlice | Builtin::ArraySort | Builtin::ArrayConcat, args) => pin(&mut args[0], ty),
        Expr::Builtin(Builtin::ArrayFill, args) => {
            if let Ty::Arr(t) = ty {
                pin(&mut args[1], t);
            }
        }
        _ => {}
    }
}

/// An array expression used where sev infers its element type from the value alone.
fn settle_array(e: &mut Expr, ty: &Ty) {
    if !ALLOW_UNTYPED_LITERAL_ARRAYS && !strictly_typed(e) {
        pin(e, ty);
    }
}

/// An array literal built only from literals gets a definite element type (see
/// [`ALLOW_UNTYPED_LITERAL_ARRAYS`]); its elements were built the same way already.
fn pin_literal_array(e: &mut Expr) {
    if let Expr::Array(t, xs) = e
        && !ALLOW_UNTYPED_LITERAL_ARRAYS
        && !xs.is_empty()
        && !xs.iter().any(strictly_typed)
    {
        pin(&mut xs[0], t);
    }
}

/// Retypes an `i32`-intended literal-only integer tree as `i64` (what sev will make of it).
fn relabel(e: &mut Expr) {
    match e {
        Expr::Bin(op, ty, l, r) if !op.is_comparison() => {
            *ty = Ty::I64;
            relabel(l);
            if !matches!(op, BinOp::Shl | BinOp::Shr) {
                relabel(r);
            }
        }
        Expr::Nary(_, ty, xs) => {
            *ty = Ty::I64;
            xs.iter_mut().for_each(relabel);
        }
        Expr::Neg(ty, x) | Expr::BitNot(ty, x) => {
            *ty = Ty::I64;
            relabel(x);
        }
        Expr::Cond(_, t, e) => {
            relabel(t);
            relabel(e);
        }
        _ => {}
    }
}

fn has_empty_array(e: &Expr) -> bool {
    match e {
        Expr::Array(_, xs) => xs.is_empty() || xs.iter().any(has_empty_array),
        Expr::Bin(_, _, l, r) => has_empty_array(l) || has_empty_array(r),
        Expr::Nary(_, _, xs) | Expr::And(xs) | Expr::Or(xs) | Expr::Call(_, xs) | Expr::Builtin(_, xs) => xs.iter().any(has_empty_array),
        Expr::Not(x) | Expr::Neg(_, x) | Expr::BitNot(_, x) | Expr::Cast(_, x) => has_empty_array(x),
        Expr::Index(a, i) => has_empty_array(a) || has_empty_array(i),
        Expr::Field(o, _, _) => has_empty_array(o),
        Expr::Record { fields, .. } => fields.iter().any(|(_, _, x)| has_empty_array(x)),
        Expr::Update { base, fields } => has_empty_array(base) || fields.iter().any(|(_, _, x)| has_empty_array(x)),
        Expr::Variant { payload, .. } => payload.as_deref().is_some_and(has_empty_array),
        Expr::Cond(c, t, e) => has_empty_array(c) || has_empty_array(t) || has_empty_array(e),
        _ => false,
    }
}

fn has_call(e: &Expr) -> bool {
    match e {
        Expr::Call(..) => true,
        Expr::Bin(_, _, l, r) => has_call(l) || has_call(r),
        Expr::Nary(_, _, xs) | Expr::And(xs) | Expr::Or(xs) | Expr::Builtin(_, xs) | Expr::Array(_, xs) => xs.iter().any(has_call),
        Expr::Not(x) | Expr::Neg(_, x) | Expr::BitNot(_, x) | Expr::Cast(_, x) => has_call(x),
        Expr::Index(a, i) => has_call(a) || has_call(i),
        Expr::Field(o, _, _) => has_call(o),
        Expr::Record { fields, .. } => fields.iter().any(|(_, _, x)| has_call(x)),
        Expr::Update { base, fields } => has_call(base) || fields.iter().any(|(_, _, x)| has_call(x)),
        Expr::Variant { payload, .. } => payload.as_deref().is_some_and(has_call),
        Expr::Cond(c, t, e) => has_call(c) || has_call(t) || has_call(e),
        _ => false,
    }
}

/// Whether sev treats a dropped value of this type as needing a release (anything but a
/// number or bool).
fn counted(t: &Ty, _d: &Decls) -> bool {
    !matches!(t, Ty::I64 | Ty::I32 | Ty::F64 | Ty::Bool)
}

fn float_expr(x: f64) -> Expr {
    if x.is_nan() {
        Expr::Builtin(Builtin::Nan, vec![])
    } else if x == f64::INFINITY {
        Expr::Builtin(Builtin::Inf, vec![])
    } else if x == f64::NEG_INFINITY {
        Expr::Neg(Ty::F64, Box::new(Expr::Builtin(Builtin::Inf, vec![])))
    } else {
        Expr::Float(x)
    }
}

impl G {
    // ----- Random helpers -----------------------------------------------------------------------

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.random_range(lo..=hi)
    }

    fn below(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n)
    }

    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())].clone()
    }

    fn world_prog(&self) -> Rc<Prog> {
        Rc::clone(&self.prog)
    }

    fn decls(&self) -> &Decls {
        &self.prog.decls
    }

    fn local_name(&mut self) -> String {
        let r = self.below(100);
        if r < 62 {
            self.pick(PLAIN_NAMES).to_string()
        } else if r < 94 {
            if GENERATE_LEADING_ZERO_INT_NAMES && self.chance(0.05) {
                return self.pick(LEADING_ZERO_INT_NAMES).to_string();
            }
            self.pick(SPECIAL_NAMES).to_string()
        } else if r < 99 && !self.own_names.is_empty() {
            let names = self.own_names.clone();
            self.pick(&names)
        } else if GENERATE_UNDERSCORE_NAME {
            "_".to_string()
        } else {
            self.pick(PLAIN_NAMES).to_string()
        }
    }

    fn distinct_names(&mut self, pool: &[&str], n: usize) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        while out.len() < n {
            let c = self.pick(pool).to_string();
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    // ----- Types and values ---------------------------------------------------------------------

    fn types(&mut self) {
        let n = self.range(0, 4) as usize;
        let mut decls = Decls::default();
        for _ in 0..n {
            let is_enum = self.chance(0.45);
            if is_enum {
                let i = decls.enums.len();
                let count = self.range(2, 4) as usize;
                let names = self.distinct_names(VARIANT_NAMES, count);
                let mut variants = Vec::new();
                for v in names {
                    let payload = if self.chance(0.55) { Some(self.field_type(&decls)) } else { None };
                    variants.push((v, payload));
                }
                let name = format!("P{}_E{i}", self.k);
                decls.enums.push(EnumDecl { name, variants });
                decls.order.push((true, i));
            } else {
                let i = decls.recs.len();
                let count = self.range(1, 4) as usize;
                let names = self.distinct_names(FIELD_NAMES, count);
                let mut fields = Vec::new();
                for f in names {
                    let t = self.field_type(&decls);
                    fields.push((f, t));
                }
                let name = format!("P{}_R{i}", self.k);
                decls.recs.push(RecDecl { name, fields });
                decls.order.push((false, i));
            }
        }
        for r in &decls.recs {
            self.own_names.push(r.name.clone());
        }
        for e in &decls.enums {
            self.own_names.push(e.name.clone());
        }
        Rc::get_mut(&mut self.prog).expect("no other reference").decls = decls;
    }

    /// A field or payload type: primitives, small arrays, earlier records and enums.
    fn field_type(&mut self, d: &Decls) -> Ty {
        let r = self.below(100);
        match r {
            0..25 => Ty::I64,
            25..35 => Ty::I32,
            35..43 => Ty::F64,
            43..50 => Ty::Bool,
            50..63 => Ty::Str,
            63..72 => Ty::arr(Ty::I64),
            72..76 => Ty::arr(Ty::Str),
            76..78 => Ty::arr(Ty::arr(Ty::I64)),
            78..80 => Ty::arr(Ty::F64),
            80..88 if !d.recs.is_empty() => Ty::Rec(self.below(d.recs.len())),
            88..91 if !d.recs.is_empty() => Ty::arr(Ty::Rec(self.below(d.recs.len()))),
            91..97 if !d.enums.is_empty() => Ty::Enum(self.below(d.enums.len())),
            97..100 if !d.enums.is_empty() => Ty::arr(Ty::Enum(self.below(d.enums.len()))),
            _ => Ty::I64,
        }
    }

    fn prim_type(&mut self) -> Ty {
        match self.below(100) {
            0..35 => Ty::I64,
            35..50 => Ty::I32,
            50..68 => Ty::F64,
            68..80 => Ty::Bool,
            _ => Ty::Str,
        }
    }

    /// A type for a new variable.
    fn var_type(&mut self) -> Ty {
        let d = self.decls();
        let (nr, ne) = (d.recs.len(), d.enums.len());
        match self.below(100) {
            0..55 => self.prim_type(),
            55..63 => Ty::arr(Ty::I64),
            63..66 => Ty::arr(Ty::I32),
            66..70 => Ty::arr(Ty::Str),
            70..73 => Ty::arr(Ty::F64),
            73..75 => Ty::arr(Ty::Bool),
            75..78 => Ty::arr(Ty::arr(Ty::I64)),
            78..88 if nr > 0 => Ty::Rec(self.below(nr)),
            88..91 if nr > 0 => Ty::arr(Ty::Rec(self.below(nr))),
            91..98 if ne > 0 => Ty::Enum(self.below(ne)),
            98..100 if ne > 0 => Ty::arr(Ty::Enum(self.below(ne))),
            _ => Ty::I64,
        }
    }

    fn int_value(&mut self, i32_: bool) -> i64 {
        match self.below(100) {
            0..72 => self.range(-5, 20),
            72..92 => self.range(-1000, 1000),
            _ if i32_ => self.pick(&[i64::from(i32::MAX), i64::from(i32::MIN), 65536, -40000, 1 << 30, 99999]),
            _ => self.pick(&[i64::MAX, i64::MIN, 1 << 40, -(1 << 35), 2147483647, -2147483648, 4294967296, 1_000_000_007]),
        }
    }

    fn value(&mut self, ty: &Ty, d: u32) -> Val {
        match ty {
            Ty::I64 => Val::Int(self.int_value(false)),
            Ty::I32 => Val::Int(self.int_value(true)),
            Ty::F64 => Val::Float(self.pick(FLOATS)),
            Ty::Bool => Val::Bool(self.chance(0.5)),
            Ty::Str => Val::Str(self.pick(STRINGS).to_string()),
            Ty::Arr(t) => {
                let n = self.range(1, if d > 0 { 4 } else { 2 });
                Val::Arr((0..n).map(|_| self.value(t, d.saturating_sub(1))).collect())
            }
            Ty::Rec(r) => {
                let fields = self.decls().recs[*r].fields.clone();
                Val::Rec(fields.iter().map(|(_, t)| self.value(t, d.saturating_sub(1))).collect())
            }
            Ty::Enum(e) => {
                let variants = self.decls().enums[*e].variants.clone();
                let vi = self.below(variants.len());
                let payload = variants[vi].1.as_ref().map(|t| Box::new(self.value(t, d.saturating_sub(1))));
                Val::Enum(vi, payload)
            }
        }
    }

    /// A literal expression with value `v`.
    fn lit(&self, v: &Val, ty: &Ty) -> Expr {
        let d = self.decls();
        match (v, ty) {
            (Val::Int(i), _) => Expr::Int(*i),
            (Val::Float(x), _) => float_expr(*x),
            (Val::Bool(b), _) => Expr::Bool(*b),
            (Val::Str(s), _) => Expr::Str(s.clone()),
            (Val::Arr(items), Ty::Arr(t)) => {
                let mut e = Expr::Array((**t).clone(), items.iter().map(|x| self.lit(x, t)).collect());
                pin_literal_array(&mut e);
                e
            }
            (Val::Rec(vs), Ty::Rec(r)) => {
                let rd = &d.recs[*r];
                let fields = rd.fields.iter().zip(vs).enumerate().map(|(i, ((f, t), v))| (i, f.clone(), self.lit(v, t))).collect();
                Expr::Record { rec: *r, name: rd.name.clone(), fields }
            }
            (Val::Enum(vi, p), Ty::Enum(e)) => {
                let ed = &d.enums[*e];
                let (vname, pty) = &ed.variants[*vi];
                let payload = match (p, pty) {
                    (Some(p), Some(t)) => Some(Box::new(self.lit(p, t))),
                    _ => None,
                };
                Expr::Variant { en: *e, name: ed.name.clone(), variant: *vi, vname: vname.clone(), payload }
            }
            _ => panic!("generator bug: value {v:?} does not have type {ty:?}"),
        }
    }

    fn random_lit(&mut self, ty: &Ty) -> Expr {
        let v = self.value(ty, 1);
        self.lit(&v, ty)
    }

    // ----- Evaluation on the side ---------------------------------------------------------------

    fn peek(&self, m: &Machine, e: &Expr) -> Option<Val> {
        let p = self.world_prog();
        let mut s = m.scratch(FUEL);
        s.eval(p.world(), e).ok()
    }

    // ----- Expressions --------------------------------------------------------------------------

    fn expr(&mut self, m: &Machine, ty: &Ty, d: u32) -> Expr {
        for _ in 0..EXPR_ATTEMPTS {
            let e = self.expr_once(m, ty, d);
            if self.peek(m, &e).is_some() {
                return e;
            }
        }
        self.random_lit(ty)
    }

    fn expr_once(&mut self, m: &Machine, ty: &Ty, d: u32) -> Expr {
        let r = self.below(100);
        if r < 30
            && let Some(e) = self.read_of(m, ty)
        {
            return e;
        }
        if d == 0 || r < 40 {
            return self.random_lit(ty);
        }
        if r < 46
            && let Some(e) = self.call_of(m, ty, d)
        {
            return e;
        }
        if r < 50 && GENERATE_COND_EXPR {
            let c = self.expr(m, &Ty::Bool, d - 1);
            let a = self.expr(m, ty, d - 1);
            let b = self.expr(m, ty, d - 1);
            return Expr::Cond(Box::new(c), Box::new(a), Box::new(b));
        }
        if r < 54
            && let Some(e) = self.index_of(m, ty, d)
        {
            return e;
        }
        match ty {
            Ty::I64 | Ty::I32 => self.int_expr(m, ty, d),
            Ty::F64 => self.float_expr(m, d),
            Ty::Bool => self.bool_expr(m, d),
            Ty::Str => self.str_expr(m, d),
            Ty::Arr(t) => self.arr_expr(m, t, d),
            Ty::Rec(r) => self.rec_expr(m, *r, d),
            Ty::Enum(e) => self.enum_expr(m, *e, d),
        }
    }

    /// Reads of variables, fields and elements that have type `want`.
    fn read_of(&mut self, m: &Machine, want: &Ty) -> Option<Expr> {
        let mut out = Vec::new();
        let slots: Vec<(String, Ty, Val)> = m.visible().iter().map(|s| (s.name.clone(), s.ty.clone(), s.val.clone())).collect();
        for (name, ty, val) in slots {
            self.explore(m, Expr::Var(name), &ty, &val, 2, want, &mut out);
        }
        if out.is_empty() {
            return None;
        }
        let i = self.below(out.len());
        Some(out.swap_remove(i))
    }

    #[allow(clippy::too_many_arguments)]
    fn explore(&mut self, m: &Machine, e: Expr, ty: &Ty, v: &Val, depth: u32, want: &Ty, out: &mut Vec<Expr>) {
        if ty == want {
            out.push(e.clone());
        }
        if depth == 0 {
            return;
        }
        match (ty, v) {
            (Ty::Rec(r), Val::Rec(vs)) => {
                let fields = self.decls().recs[*r].fields.clone();
                for (i, ((f, t), fv)) in fields.iter().zip(vs).enumerate() {
                    self.explore(m, Expr::Field(Box::new(e.clone()), i, f.clone()), t, fv, depth - 1, want, out);
                }
            }
            (Ty::Arr(t), Val::Arr(items)) if !items.is_empty() => {
                let (idx, i) = self.index_expr(m, &e, items.len());
                self.explore(m, Expr::Index(Box::new(e), Box::new(idx)), t, &items[i], depth - 1, want, out);
            }
            _ => {}
        }
    }

    /// An index into the array `arr` (of length `len`) and the position it selects now.
    fn index_expr(&mut self, m: &Machine, arr: &Expr, len: usize) -> (Expr, usize) {
        let r = self.below(100);
        if r < 15 && !has_call(arr) {
            let last = Expr::Bin(BinOp::Sub, Ty::I64, Box::new(Expr::Builtin(Builtin::Len, vec![arr.clone()])), Box::new(Expr::Int(1)));
            return (last, len - 1);
        }
        if r < 40 {
            let vars: Vec<(String, i64)> = m
                .visible()
                .iter()
                .filter(|s| s.ty.is_int())
                .filter_map(|s| s.val.as_int().filter(|&v| v >= 0 && (v as usize) < len).map(|v| (s.name.clone(), v)))
                .collect();
            if !vars.is_empty() {
                let (name, v) = self.pick(&vars);
                return (Expr::Var(name), v as usize);
            }
        }
        let i = self.below(len);
        (Expr::Int(i as i64), i)
    }

    fn call_of(&mut self, m: &Machine, ty: &Ty, d: u32) -> Option<Expr> {
        let p = self.world_prog();
        let cands: Vec<usize> = (0..p.funcs.len()).filter(|&i| p.funcs[i].ret.as_ref() == Some(ty)).collect();
        if cands.is_empty() {
            return None;
        }
        let f = self.pick(&cands);
        Some(self.call_expr(m, f, d))
    }

    /// A call of function `f` with generated arguments, or the known-good sample ones.
    fn call_expr(&mut self, m: &Machine, f: usize, d: u32) -> Expr {
        let p = self.world_prog();
        let func = &p.funcs[f];
        let args: Vec<Expr> = func.params.iter().map(|(_, t)| self.expr(m, t, d.saturating_sub(1))).collect();
        let call = Expr::Call(func.name.clone(), args);
        let mut s = m.scratch(FUEL);
        if s.exec(p.world(), &Stmt::Discard(call.clone())).is_ok() {
            return call;
        }
        let args = func.params.iter().zip(&p.samples[f]).map(|((_, t), v)| self.lit(v, t)).collect();
        Expr::Call(func.name.clone(), args)
    }

    fn index_of(&mut self, m: &Machine, ty: &Ty, d: u32) -> Option<Expr> {
        let arr_ty = Ty::arr(ty.clone());
        let arr = self.expr(m, &arr_ty, d - 1);
        let len = self.peek(m, &arr)?.as_arr()?.len();
        if len == 0 {
            return None;
        }
        let (idx, _) = self.index_expr(m, &arr, len);
        Some(Expr::Index(Box::new(arr), Box::new(idx)))
    }

    fn sub(&mut self, m: &Machine, ty: &Ty, d: u32) -> Box<Expr> {
        Box::new(self.expr(m, ty, d - 1))
    }

    fn int_expr(&mut self, m: &Machine, ty: &Ty, d: u32) -> Expr {
        let t = ty.clone();
        let other = if t == Ty::I64 { Ty::I32 } else { Ty::I64 };
        match self.below(100) {
            0..30 => {
                let op = self.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul]);
                Expr::Bin(op, t, self.sub(m, ty, d), self.sub(m, ty, d))
            }
            30..38 => {
                let op = self.pick(&[BinOp::Div, BinOp::Mod]);
                let a = self.sub(m, ty, d);
                let mut b = self.sub(m, ty, d);
                if self.peek(m, &b).and_then(|v| v.as_int()) == Some(0) {
                    b = Box::new(Expr::Int(self.pick(&[1, 2, 3, -2, 7, -5])));
                }
                Expr::Bin(op, t, a, b)
            }
            38..42 => {
                let op = self.pick(&[BinOp::Add, BinOp::Mul, BinOp::Add]);
                let n = self.range(3, 4);
                Expr::Nary(op, t, (0..n).map(|_| self.expr(m, ty, d - 1)).collect())
            }
            42..46 => Expr::Neg(t, self.sub(m, ty, d)),
            46..50 => {
                let op = self.pick(&[BinOp::BitAnd, BinOp::BitOr, BinOp::BitXor]);
                Expr::Bin(op, t, self.sub(m, ty, d), self.sub(m, ty, d))
            }
            50..53 => Expr::BitNot(t, self.sub(m, ty, d)),
            53..56 => {
                let (op, max) = if self.chance(0.5) { (BinOp::Shr, 8) } else { (BinOp::Shl, 5) };
                let amount = Expr::Int(self.range(0, max));
                Expr::Bin(op, t, self.sub(m, ty, d), Box::new(amount))
            }
            56..59 => Expr::Bin(BinOp::Pow, t, self.sub(m, ty, d), Box::new(Expr::Int(self.range(0, 3)))),
            59..68 => {
                let at = Ty::arr(self.var_type());
                let mut arr = self.expr(m, &at, d - 1);
                settle_array(&mut arr, &at);
                self.as_int(Expr::Builtin(Builtin::Len, vec![arr]), &Ty::I64, ty)
            }
            68..76 => {
                let s = self.expr(m, &Ty::Str, d - 1);
                self.as_int(Expr::Builtin(Builtin::StrLength, vec![s]), &Ty::I64, ty)
            }
            76..80 => {
                let s = self.expr(m, &Ty::Str, d - 1);
                let needle = self.needle(m, &s);
                self.as_int(Expr::Builtin(Builtin::StrIndexOf, vec![s, needle]), &Ty::I64, ty)
            }
            80..83 => {
                let s = self.expr(m, &Ty::Str, d - 1);
                let len = self.peek(m, &s).and_then(|v| v.as_str().map(str::len)).unwrap_or(0);
                if len == 0 {
                    return self.random_lit(ty);
                }
                let i = Expr::Int(self.below(len) as i64);
                self.as_int(Expr::Builtin(Builtin::StrByteAt, vec![s, i]), &Ty::I64, ty)
            }
            83..86 => {
                let elem = self.pick(&[Ty::I64, Ty::Str, Ty::F64, Ty::Bool]);
                let at = Ty::arr(elem.clone());
                let mut arr = self.expr(m, &at, d - 1);
                let x = self.expr(m, &elem, d - 1);
                if !strictly_typed(&x) {
                    settle_array(&mut arr, &at);
                }
                self.as_int(Expr::Builtin(Builtin::ArrayIndexOf, vec![arr, x]), &Ty::I64, ty)
            }
            86..90 => {
                let f = self.expr(m, &Ty::F64, d - 1);
                let f = if self.chance(0.5) { Expr::Builtin(Builtin::Floor, vec![f]) } else { f };
                Expr::Cast(t, Box::new(f))
            }
            90..93 => Expr::Cast(t, self.sub(m, &Ty::Bool, d)),
            _ => Expr::Cast(t, self.sub(m, &other, d)),
        }
    }

    /// `e` (of integer type `from`) as an integer of type `to`.
    fn as_int(&mut self, e: Expr, from: &Ty, to: &Ty) -> Expr {
        if from == to { e } else { Expr::Cast(to.clone(), Box::new(e)) }
    }

    /// A string to look for in `s`: often a piece of its current value.
    fn needle(&mut self, m: &Machine, s: &Expr) -> Expr {
        if self.chance(0.5)
            && let Some(Val::Str(text)) = self.peek(m, s)
        {
            let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let a = self.pick(&bounds);
            let b = self.pick(&bounds);
            let (a, b) = (a.min(b), a.max(b));
            return Expr::Str(text[a..b].to_string());
        }
        Expr::Str(self.pick(STRINGS).to_string())
    }

    fn float_expr(&mut self, m: &Machine, d: u32) -> Expr {
        let f = Ty::F64;
        match self.below(100) {
            0..35 => {
                let op = self.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div]);
                Expr::Bin(op, f, self.sub(m, &Ty::F64, d), self.sub(m, &Ty::F64, d))
            }
            35..39 => {
                let a = self.sub(m, &Ty::F64, d);
                let mut b = self.sub(m, &Ty::F64, d);
                if !GENERATE_FLOAT_MOD_BY_ZERO && matches!(self.peek(m, &b), Some(Val::Float(z)) if z == 0.0) {
                    b = Box::new(Expr::Float(self.pick(&[0.5, 2.0, -3.0, 1e-3])));
                }
                Expr::Bin(BinOp::Mod, f, a, b)
            }
            39..43 => Expr::Nary(BinOp::Add, f, (0..3).map(|_| self.expr(m, &Ty::F64, d - 1)).collect()),
            43..47 => Expr::Neg(f, self.sub(m, &Ty::F64, d)),
            47..68 => {
                let b = self.pick(&[Builtin::Sqrt, Builtin::Floor, Builtin::Ceil, Builtin::Trunc, Builtin::Round, Builtin::Abs, Builtin::Sign]);
                let argt = if self.chance(0.8) { Ty::F64 } else { self.pick(&[Ty::I64, Ty::I32]) };
                let arg = self.math_arg(m, &argt, d);
                Expr::Builtin(b, vec![arg])
            }
            68..80 => {
                let b = self.pick(&[Builtin::Min, Builtin::Max, Builtin::Fmod, Builtin::Copysign, Builtin::Clamp, Builtin::Lerp]);
                let n = if matches!(b, Builtin::Clamp | Builtin::Lerp) { 3 } else { 2 };
                let args = (0..n)
                    .map(|_| {
                        let t = if self.chance(0.85) { Ty::F64 } else { Ty::I64 };
                        self.math_arg(m, &t, d)
                    })
                    .collect();
                Expr::Builtin(b, args)
            }
            80..84 => Expr::Builtin(self.pick(&[Builtin::Pi, Builtin::E]), vec![]),
            84..86 => Expr::Builtin(self.pick(&[Builtin::Inf, Builtin::Nan]), vec![]),
            86..90 => {
                let b = self.pick(&[
                    Builtin::Exp, Builtin::Log, Builtin::Log10, Builtin::Log2, Builtin::Sin, Builtin::Cos, Builtin::Tan, Builtin::Asin, Builtin::Acos,
                    Builtin::Atan, Builtin::Sinh, Builtin::Cosh, Builtin::Tanh, Builtin::Degrees, Builtin::Radians,
                ]);
                let argt = if self.chance(0.85) { Ty::F64 } else { Ty::I64 };
                Expr::Builtin(b, vec![self.math_arg(m, &argt, d)])
            }
            90..93 => {
                let b = self.pick(&[Builtin::Pow, Builtin::Atan2, Builtin::Hypot, Builtin::Remainder]);
                Expr::Builtin(b, vec![self.math_arg(m, &Ty::F64, d), self.math_arg(m, &Ty::F64, d)])
            }
            93..95 => Expr::Bin(BinOp::Pow, f, self.sub(m, &Ty::F64, d), self.sub(m, &Ty::F64, d)),
            _ => {
                let t = self.pick(&[Ty::I64, Ty::I32]);
                Expr::Cast(Ty::F64, self.sub(m, &t, d))
            }
        }
    }

    /// An argument of a math function: a bare integer literal there is read as an `f64`, so it
    /// must be exactly representable.
    fn math_arg(&mut self, m: &Machine, ty: &Ty, d: u32) -> Expr {
        match self.expr(m, ty, d - 1) {
            Expr::Int(i) if i.unsigned_abs() > 1 << 53 => Expr::Int(i % 1000),
            e => e,
        }
    }

    fn bool_expr(&mut self, m: &Machine, d: u32) -> Expr {
        match self.below(100) {
            0..35 => {
                let d2 = self.decls();
                let (nr, ne) = (d2.recs.len(), d2.enums.len());
                let t = match self.below(100) {
                    0..30 => Ty::I64,
                    30..42 => Ty::I32,
                    42..60 => Ty::F64,
                    60..78 => Ty::Str,
                    78..84 => Ty::Bool,
                    84..90 => Ty::arr(Ty::I64),
                    90..95 if nr > 0 => Ty::Rec(self.below(nr)),
                    95..100 if ne > 0 => Ty::Enum(self.below(ne)),
                    _ => Ty::arr(Ty::Str),
                };
                let ordered = matches!(t, Ty::I64 | Ty::I32 | Ty::F64 | Ty::Str);
                let op = if ordered && self.chance(0.7) {
                    self.pick(&[BinOp::Lt, BinOp::Le, BinOp::Gt, BinOp::Ge])
                } else {
                    self.pick(&[BinOp::Eq, BinOp::Ne])
                };
                let mut a = self.sub(m, &t, d);
                let mut b = if self.chance(0.3) { a.clone() } else { self.sub(m, &t, d) };
                if t == Ty::Bool && !GENERATE_STR_ORDER_IN_EQUALITY {
                    for x in [&mut a, &mut b] {
                        if matches!(**x, Expr::Bin(BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge, Ty::Str, _, _)) {
                            let inner = std::mem::replace(&mut **x, Expr::Bool(true));
                            **x = Expr::Not(Box::new(Expr::Not(Box::new(inner))));
                        }
                    }
                }
                if matches!(t, Ty::Arr(_)) && !strictly_typed(&b) {
                    settle_array(&mut a, &t);
                }
                Expr::Bin(op, t, a, b)
            }
            35..50 => {
                let n = self.range(2, 3);
                let xs = (0..n).map(|_| self.expr(m, &Ty::Bool, d - 1)).collect();
                if self.chance(0.5) { Expr::And(xs) } else { Expr::Or(xs) }
            }
            50..57 => Expr::Not(self.sub(m, &Ty::Bool, d)),
            57..70 => {
                let b = self.pick(&[Builtin::StrContains, Builtin::StrStartsWith, Builtin::StrEndsWith, Builtin::StrEquals]);
                let s = self.expr(m, &Ty::Str, d - 1);
                let needle = if self.chance(0.5) { self.needle(m, &s) } else { self.expr(m, &Ty::Str, d - 1) };
                Expr::Builtin(b, vec![s, needle])
            }
            70..78 => {
                let elem = self.pick(&[Ty::I64, Ty::Str, Ty::F64]);
                let at = Ty::arr(elem.clone());
                let mut arr = self.expr(m, &at, d - 1);
                let x = self.expr(m, &elem, d - 1);
                if !strictly_typed(&x) {
                    settle_array(&mut arr, &at);
                }
                Expr::Builtin(Builtin::ArrayContains, vec![arr, x])
            }
            78..86 => {
                let b = self.pick(&[Builtin::IsNan, Builtin::IsFinite, Builtin::IsInfinite]);
                Expr::Builtin(b, vec![self.expr(m, &Ty::F64, d - 1)])
            }
            86..92 => {
                let t = self.pick(&[Ty::I64, Ty::I32]);
                Expr::Cast(Ty::Bool, self.sub(m, &t, d))
            }
            _ => Expr::Bool(self.chance(0.5)),
        }
    }

    fn str_expr(&mut self, m: &Machine, d: u32) -> Expr {
        let s = Ty::Str;
        match self.below(100) {
            0..18 => Expr::Bin(BinOp::Add, s, self.sub(m, &Ty::Str, d), self.sub(m, &Ty::Str, d)),
            18..24 => Expr::Nary(BinOp::Add, s, (0..3).map(|_| self.expr(m, &Ty::Str, d - 1)).collect()),
            24..40 => {
                let t = self.prim_type();
                Expr::Builtin(Builtin::ToString, vec![self.expr(m, &t, d - 1)])
            }
            40..50 => {
                let text = self.expr(m, &Ty::Str, d - 1);
                let Some(Val::Str(v)) = self.peek(m, &text) else { return self.random_lit(&Ty::Str) };
                let bounds: Vec<usize> = (0..=v.len()).filter(|&i| v.is_char_boundary(i)).collect();
                let a = self.pick(&bounds);
                let b = self.pick(&bounds);
                let (a, b) = (a.min(b), a.max(b));
                Expr::Builtin(Builtin::StrSubstring, vec![text, Expr::Int(a as i64), Expr::Int(b as i64)])
            }
            50..60 => {
                let b = self.pick(&[Builtin::StrToUpper, Builtin::StrToLower, Builtin::StrTrim]);
                Expr::Builtin(b, vec![self.expr(m, &Ty::Str, d - 1)])
            }
            60..70 => {
                let text = self.expr(m, &Ty::Str, d - 1);
                let from = self.needle(m, &text);
                let to = self.expr(m, &Ty::Str, d - 1);
                Expr::Builtin(Builtin::StrReplace, vec![text, from, to])
            }
            70..76 => {
                let text = self.expr(m, &Ty::Str, d - 1);
                Expr::Builtin(Builtin::StrRepeat, vec![text, Expr::Int(self.range(-1, 3))])
            }
            76..82 => Expr::Builtin(Builtin::StrConcat, vec![self.expr(m, &Ty::Str, d - 1), self.expr(m, &Ty::Str, d - 1)]),
            _ => self.random_lit(&Ty::Str),
        }
    }

    fn arr_expr(&mut self, m: &Machine, t: &Ty, d: u32) -> Expr {
        let at = Ty::arr(t.clone());
        let mut e = match self.below(100) {
            0..45 => {
                let n = self.range(1, 4);
                let mut e = Expr::Array(t.clone(), (0..n).map(|_| self.expr(m, t, d - 1)).collect());
                pin_literal_array(&mut e);
                return e;
            }
            45..55 => Expr::Builtin(Builtin::ArrayConcat, vec![self.expr(m, &at, d - 1), self.expr(m, &at, d - 1)]),
            55..63 => Expr::Builtin(Builtin::ArrayReverse, vec![self.expr(m, &at, d - 1)]),
            63..70 => {
                let a = self.expr(m, &at, d - 1);
                let len = self.peek(m, &a).and_then(|v| v.as_arr().map(Vec::len)).unwrap_or(0) as i64;
                let lo = self.range(0, len);
                let hi = self.range(lo, len);
                Expr::Builtin(Builtin::ArraySlice, vec![a, Expr::Int(lo), Expr::Int(hi)])
            }
            70..77 if matches!(t, Ty::I64 | Ty::I32 | Ty::Str | Ty::F64 | Ty::Bool) => {
                Expr::Builtin(Builtin::ArraySort, vec![self.expr(m, &at, d - 1)])
            }
            77..83 => Expr::Builtin(Builtin::ArrayFill, vec![Expr::Int(self.range(0, 3)), self.expr(m, t, d - 1)]),
            _ => return self.random_lit(&at),
        };
        // The element type of a generic built-in's result comes from its arguments.
        settle_array(&mut e, &at);
        e
    }

    fn rec_expr(&mut self, m: &Machine, r: usize, d: u32) -> Expr {
        let rd = self.decls().recs[r].clone();
        if self.chance(0.25) {
            let base = self.expr(m, &Ty::Rec(r), d - 1);
            let n = self.range(1, rd.fields.len() as i64) as usize;
            let mut idx: Vec<usize> = (0..rd.fields.len()).collect();
            let mut fields = Vec::new();
            for _ in 0..n {
                let i = idx.swap_remove(self.below(idx.len()));
                let (f, t) = &rd.fields[i];
                fields.push((i, f.clone(), self.expr(m, t, d - 1)));
            }
            if !RECORD_FIELDS_IN_WRITTEN_ORDER && fields.iter().filter(|(_, _, e)| has_call(e)).count() > 1 {
                fields.sort_by_key(|(i, _, _)| *i);
            }
            if !GENERATE_DISCARDED_COUNTED_RESULTS && fields.len() == rd.fields.len() {
                // Every field replaced: the base is only released, and sev defers that (see
                // GENERATE_DISCARDED_COUNTED_RESULTS), so it would be evaluated late: calls in
                // it print late, and indexing may fault on values changed meanwhile.
                let lit = self.random_lit(&Ty::Rec(r));
                return Expr::Update { base: Box::new(lit), fields };
            }
            return Expr::Update { base: Box::new(base), fields };
        }
        let mut fields: Vec<(usize, String, Expr)> =
            rd.fields.iter().enumerate().map(|(i, (f, t))| (i, f.clone(), self.expr(m, t, d - 1))).collect();
        if self.chance(0.4) && (RECORD_FIELDS_IN_WRITTEN_ORDER || fields.iter().filter(|(_, _, e)| has_call(e)).count() < 2) {
            fields.reverse();
        }
        Expr::Record { rec: r, name: rd.name, fields }
    }

    fn enum_expr(&mut self, m: &Machine, e: usize, d: u32) -> Expr {
        let ed = self.decls().enums[e].clone();
        let vi = self.below(ed.variants.len());
        let (vname, pty) = &ed.variants[vi];
        let payload = pty.as_ref().map(|t| Box::new(self.expr(m, t, d - 1)));
        Expr::Variant { en: e, name: ed.name.clone(), variant: vi, vname: vname.clone(), payload }
    }

    /// An expression for a place where sev gives no type (`print`, `match`, a range bound):
    /// an `i32` literal-only tree is `i64` there.
    fn free_expr(&mut self, m: &Machine, ty: &Ty, d: u32) -> (Expr, Ty) {
        let mut e = self.expr(m, ty, d);
        if *ty == Ty::I32 && !self_typed(&e) {
            relabel(&mut e);
            return (e, Ty::I64);
        }
        (e, ty.clone())
    }

    // ----- Statements ---------------------------------------------------------------------------

    /// Statements of one block, each checked by running it; the machine ends in the state after
    /// them. Returns whether the block ends in a statement that never falls through.
    fn block(&mut self, m: &mut Machine, cx: &Cx, n: usize) -> (Vec<Stmt>, bool) {
        let mut out = Vec::new();
        for _ in 0..n {
            let (stmts, diverges) = self.stmt_checked(m, cx);
            out.extend(stmts);
            if diverges {
                return (out, true);
            }
        }
        (out, false)
    }

    fn stmt_checked(&mut self, m: &mut Machine, cx: &Cx) -> (Vec<Stmt>, bool) {
        let p = self.world_prog();
        for _ in 0..STMT_ATTEMPTS {
            let (stmts, diverges) = self.stmt(m, cx);
            let mut m2 = m.clone();
            m2.fuel = FUEL;
            match m2.exec_stmts(p.world(), &stmts) {
                Ok(_) => {
                    *m = m2;
                    return (stmts, diverges);
                }
                Err(_) => self.rejected += 1,
            }
        }
        (vec![Stmt::Comment(format!("program {}: nothing fitted here", self.k))], false)
    }

    /// A nested block on a speculative copy of `m`, with `binds` declared first.
    fn sub_block(&mut self, m: &Machine, cx: &Cx, binds: Vec<(String, Ty, Val, bool, bool)>) -> (Vec<Stmt>, bool) {
        let mut m2 = m.scratch(FUEL);
        m2.push_scope();
        for (name, ty, val, mutable, reserved) in binds {
            m2.declare(&name, ty, mutable, val);
            if let Some(s) = m2.scopes.last_mut().and_then(|s| s.last_mut()) {
                s.reserved = reserved;
            }
        }
        let cx2 = Cx { depth: cx.depth + 1, ..cx.clone() };
        let n = self.range(1, 4) as usize;
        self.block(&mut m2, &cx2, n)
    }

    fn stmt(&mut self, m: &Machine, cx: &Cx) -> (Vec<Stmt>, bool) {
        self.budget -= 1;
        let nest = cx.depth < MAX_DEPTH && self.budget > 0;
        let r = self.below(100);
        let one = |s: Stmt| (vec![s], false);
        match r {
            0..20 => one(self.print_stmt(m)),
            20..36 => one(self.let_stmt(m)),
            36..48 => match self.assign_stmt(m) {
                Some(s) => one(s),
                None => one(self.print_stmt(m)),
            },
            48..53 => match self.push_stmt(m) {
                Some(s) => one(s),
                None => one(self.let_stmt(m)),
            },
            53..61 if nest => self.if_stmt(m, cx),
            61..63 if nest => {
                let (b, _) = self.sub_block(m, cx, vec![]);
                one(Stmt::If { cond: Expr::Bool(true), then_b: b, else_b: None })
            }
            63..68 if nest => (self.while_stmt(m, cx), false),
            68..73 if nest => one(self.for_range_stmt(m, cx)),
            73..77 if nest => one(self.for_each_stmt(m, cx)),
            77..85 if nest => self.match_stmt(m, cx),
            85..88 => {
                let p = self.world_prog();
                let d = &p.decls;
                let ok: Vec<usize> = (0..p.funcs.len())
                    .filter(|&i| GENERATE_DISCARDED_COUNTED_RESULTS || p.funcs[i].ret.as_ref().is_none_or(|t| !counted(t, d)))
                    .collect();
                let arrays: Vec<String> = m
                    .visible()
                    .iter()
                    .filter(|s| s.mutable && !s.reserved && s.val.as_arr().is_some_and(|a| !a.is_empty()))
                    .filter(|s| matches!(&s.ty, Ty::Arr(t) if GENERATE_DISCARDED_COUNTED_RESULTS || !counted(t, d)))
                    .map(|s| s.name.clone())
                    .collect();
                if !arrays.is_empty() && (ok.is_empty() || self.chance(0.3)) {
                    let a = self.pick(&arrays);
                    one(Stmt::Discard(Expr::Builtin(Builtin::Pop, vec![Expr::Var(a)])))
                } else if !ok.is_empty() {
                    let f = self.pick(&ok);
                    one(Stmt::Discard(self.call_expr(m, f, 2)))
                } else {
                    one(self.print_stmt(m))
                }
            }
            88..93 if cx.loops > 0 => {
                let s = if cx.cont_ok && self.chance(0.4) { Stmt::Continue } else { Stmt::Break };
                self.guarded_exit(m, s)
            }
            93..96 => match cx.ret.clone() {
                Ret::Value(t) => {
                    let e = self.expr(m, &t, 2);
                    self.guarded_exit(m, Stmt::Return(Some(e)))
                }
                Ret::Void => self.guarded_exit(m, Stmt::Return(None)),
                Ret::Main if self.chance(0.1) => {
                    let cond = self.expr(m, &Ty::Bool, 2);
                    one(Stmt::If { cond, then_b: vec![Stmt::Return(None)], else_b: None })
                }
                Ret::Main => one(self.print_stmt(m)),
            },
            96..97 => one(Stmt::Comment(format!("p{} says hi", self.k))),
            _ => match self.copy_probe(m) {
                Some(stmts) => (stmts, false),
                None => one(self.print_stmt(m)),
            },
        }
    }

    /// `break`, `continue` or `return`: usually under a condition, sometimes bare (ending the block).
    fn guarded_exit(&mut self, m: &Machine, s: Stmt) -> (Vec<Stmt>, bool) {
        if self.chance(0.2) {
            return (vec![s], true);
        }
        let cond = self.expr(m, &Ty::Bool, 2);
        (vec![Stmt::If { cond, then_b: vec![s], else_b: None }], false)
    }

    fn print_stmt(&mut self, m: &Machine) -> Stmt {
        let t = self.prim_type();
        let (e, t) = self.free_expr(m, &t, 3);
        match self.below(100) {
            0..75 => Stmt::Print(e),
            75..85 => Stmt::Print(Expr::Builtin(Builtin::ToString, vec![e])),
            _ => {
                let label = Expr::Str(format!("{}=", t.name(self.decls())));
                Stmt::Print(Expr::Nary(BinOp::Add, Ty::Str, vec![label, Expr::Builtin(Builtin::ToString, vec![e]), Expr::Str(";".into())]))
            }
        }
    }

    fn mutable_flag(&mut self) -> Option<bool> {
        match self.below(100) {
            0..55 => Some(true),
            55..92 => None,
            _ => Some(false),
        }
    }

    fn let_stmt(&mut self, m: &Machine) -> Stmt {
        let name = self.local_name();
        let r = self.below(100);
        if r < 8 {
            let elem = self.var_type();
            return Stmt::Let { name, ty: Ty::arr(elem.clone()), annotate: true, mutable: Some(true), value: Expr::Array(elem, vec![]) };
        }
        if r < 14 {
            let arrays: Vec<(String, Ty)> = m
                .visible()
                .iter()
                .filter(|s| s.mutable && !s.reserved && s.val.as_arr().is_some_and(|a| !a.is_empty()))
                .filter_map(|s| match &s.ty {
                    Ty::Arr(t) => Some((s.name.clone(), (**t).clone())),
                    _ => None,
                })
                .collect();
            if !arrays.is_empty() {
                let (arr, elem) = self.pick(&arrays);
                let mutable = self.mutable_flag();
                let annotate = self.chance(0.3);
                return Stmt::Let { name, ty: elem, annotate, mutable, value: Expr::Builtin(Builtin::Pop, vec![Expr::Var(arr)]) };
            }
        }
        let ty = self.var_type();
        let value = self.expr(m, &ty, 3);
        let annotate = self.chance(0.3)
            || (!self_typed(&value) && ty.has_loose_i32())
            || (!ALLOW_UNTYPED_LITERAL_ARRAYS && !strictly_typed(&value))
            || has_empty_array(&value)
            || (!ALLOW_UNTYPED_LITERAL_ARRAYS && matches!(ty, Ty::Arr(_)) && !strictly_typed(&value));
        let mutable = self.mutable_flag();
        Stmt::Let { name, ty, annotate, mutable, value }
    }

    fn assign_stmt(&mut self, m: &Machine) -> Option<Stmt> {
        let slots: Vec<(String, Ty, Val)> =
            m.visible().iter().filter(|s| s.mutable && !s.reserved).map(|s| (s.name.clone(), s.ty.clone(), s.val.clone())).collect();
        if slots.is_empty() {
            return None;
        }
        let (root, mut ty, mut val) = self.pick(&slots);
        let mut path = Vec::new();
        let mut read = Expr::Var(root.clone());
        for step in 0..3 {
            if !self.chance(if step == 0 { 0.7 } else { 0.5 }) {
                break;
            }
            match (ty.clone(), val.clone()) {
                (Ty::Rec(r), Val::Rec(vs)) => {
                    let fields = self.decls().recs[r].fields.clone();
                    let i = self.below(fields.len());
                    path.push(PathElem::Field(i, fields[i].0.clone()));
                    read = Expr::Field(Box::new(read), i, fields[i].0.clone());
                    ty = fields[i].1.clone();
                    val = vs[i].clone();
                }
                (Ty::Arr(t), Val::Arr(items)) if !items.is_empty() => {
                    let (idx, i) = self.index_expr(m, &read, items.len());
                    path.push(PathElem::Index(idx.clone()));
                    read = Expr::Index(Box::new(read), Box::new(idx));
                    ty = *t;
                    val = items[i].clone();
                }
                _ => break,
            }
        }
        let value = if self.chance(0.35) && matches!(ty, Ty::I64 | Ty::I32 | Ty::F64 | Ty::Str) {
            let op = match ty {
                Ty::Str => BinOp::Add,
                Ty::F64 => self.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul]),
                _ => self.pick(&[BinOp::Add, BinOp::Sub, BinOp::Add, BinOp::Mul, BinOp::Mod]),
            };
            let mut rhs = self.expr(m, &ty, 1);
            if op == BinOp::Mod && self.peek(m, &rhs).and_then(|v| v.as_int()).is_none_or(|v| v == 0) {
                rhs = Expr::Int(self.pick(&[3, 5, 7, 10, 100]));
            }
            Expr::Bin(op, ty.clone(), Box::new(read), Box::new(rhs))
        } else {
            self.expr(m, &ty, 3)
        };
        let plain_target = self.chance(0.3);
        Some(Stmt::Assign { root, path, value, plain_target })
    }

    /// Value semantics: copy an array or record, change the copy deep inside, print the same
    /// place in both.
    fn copy_probe(&mut self, m: &Machine) -> Option<Vec<Stmt>> {
        let slots: Vec<(String, Ty, Val)> = m
            .visible()
            .iter()
            .filter(|s| matches!(s.ty, Ty::Arr(_) | Ty::Rec(_)))
            .map(|s| (s.name.clone(), s.ty.clone(), s.val.clone()))
            .collect();
        if slots.is_empty() {
            return None;
        }
        let (src, mut ty, mut val) = self.pick(&slots);
        let copy = self.local_name();
        if copy == src {
            return None;
        }
        let mut path = Vec::new();
        let (mut read_src, mut read_copy) = (Expr::Var(src.clone()), Expr::Var(copy.clone()));
        while !ty.is_prim() {
            match (ty.clone(), val.clone()) {
                (Ty::Rec(r), Val::Rec(vs)) => {
                    let fields = self.decls().recs[r].fields.clone();
                    let i = self.below(fields.len());
                    path.push(PathElem::Field(i, fields[i].0.clone()));
                    read_src = Expr::Field(Box::new(read_src), i, fields[i].0.clone());
                    read_copy = Expr::Field(Box::new(read_copy), i, fields[i].0.clone());
                    ty = fields[i].1.clone();
                    val = vs[i].clone();
                }
                (Ty::Arr(t), Val::Arr(items)) if !items.is_empty() => {
                    let i = self.below(items.len());
                    path.push(PathElem::Index(Expr::Int(i as i64)));
                    read_src = Expr::Index(Box::new(read_src), Box::new(Expr::Int(i as i64)));
                    read_copy = Expr::Index(Box::new(read_copy), Box::new(Expr::Int(i as i64)));
                    ty = *t;
                    val = items[i].clone();
                }
                _ => break,
            }
        }
        let show = |e: Expr, ty: &Ty| match ty {
            Ty::Arr(_) => Some(Stmt::Print(Expr::Builtin(Builtin::Len, vec![e]))),
            t if t.is_prim() => Some(Stmt::Print(e)),
            _ => None,
        };
        // The new value is computed where the copy is visible (it may shadow another variable).
        let copy_ty = self.lookup_ty(m, &src)?;
        let mut m2 = m.scratch(FUEL);
        let src_val = m.lookup(&src)?.val.clone();
        m2.declare(&copy, copy_ty.clone(), true, src_val);
        let value = self.expr(&m2, &ty, 2);
        let annotate = self.chance(0.3);
        let mut out = vec![
            Stmt::Let { name: copy.clone(), ty: copy_ty, annotate, mutable: Some(true), value: Expr::Var(src) },
            Stmt::Assign { root: copy, path, value, plain_target: false },
        ];
        out.extend(show(read_src, &ty));
        out.extend(show(read_copy, &ty));
        Some(out)
    }

    fn lookup_ty(&self, m: &Machine, name: &str) -> Option<Ty> {
        m.lookup(name).map(|s| s.ty.clone())
    }

    fn push_stmt(&mut self, m: &Machine) -> Option<Stmt> {
        let arrays: Vec<(String, Ty)> = m
            .visible()
            .iter()
            .filter(|s| s.mutable && !s.reserved)
            .filter_map(|s| match &s.ty {
                Ty::Arr(t) => Some((s.name.clone(), (**t).clone())),
                _ => None,
            })
            .collect();
        if arrays.is_empty() {
            return None;
        }
        let (name, elem) = self.pick(&arrays);
        let value = self.expr(m, &elem, 2);
        Some(Stmt::Push(name, value))
    }

    fn if_stmt(&mut self, m: &Machine, cx: &Cx) -> (Vec<Stmt>, bool) {
        let cond = self.expr(m, &Ty::Bool, 3);
        let (then_b, tdiv) = self.sub_block(m, cx, vec![]);
        let (else_b, ediv) = if self.chance(0.5) {
            let (b, d) = self.sub_block(m, cx, vec![]);
            (Some(b), d)
        } else {
            (None, false)
        };
        let diverges = else_b.is_some() && tdiv && ediv;
        (vec![Stmt::If { cond, then_b, else_b }], diverges)
    }

    fn loop_cx(cx: &Cx, cont_ok: bool) -> Cx {
        Cx { loops: cx.loops + 1, cont_ok, ..cx.clone() }
    }

    fn while_stmt(&mut self, m: &Machine, cx: &Cx) -> Vec<Stmt> {
        let c = self.local_name();
        let cty = if self.chance(0.3) { Ty::I32 } else { Ty::I64 };
        let n = self.range(0, 5);
        let counter = |c: &str| Box::new(Expr::Var(c.to_string()));
        let bump = |op: BinOp, c: &str, t: &Ty| Stmt::Assign {
            root: c.to_string(),
            path: vec![],
            value: Expr::Bin(op, t.clone(), counter(c), Box::new(Expr::Int(1))),
            plain_target: false,
        };
        let annotate = cty == Ty::I32 || self.chance(0.3) || !ALLOW_UNTYPED_LITERAL_ARRAYS;
        match self.below(3) {
            0 => {
                let init = Stmt::Let { name: c.clone(), ty: cty.clone(), annotate, mutable: Some(true), value: Expr::Int(0) };
                let cond = match self.below(3) {
                    0 => Expr::Bin(BinOp::Lt, cty.clone(), counter(&c), Box::new(Expr::Int(n))),
                    1 => Expr::Not(Box::new(Expr::Bin(BinOp::Ge, cty.clone(), counter(&c), Box::new(Expr::Int(n))))),
                    _ => Expr::And(vec![Expr::Bin(BinOp::Le, cty.clone(), counter(&c), Box::new(Expr::Int(n - 1))), self.expr(m, &Ty::Bool, 1)]),
                };
                let binds = vec![(c.clone(), cty.clone(), Val::Int(1), true, true)];
                let (body, _) = self.sub_block(m, &Self::loop_cx(cx, true), binds);
                let mut all = vec![bump(BinOp::Add, &c, &cty)];
                all.extend(body);
                vec![init, Stmt::While { cond, body: all }]
            }
            1 => {
                let init = Stmt::Let { name: c.clone(), ty: cty.clone(), annotate, mutable: Some(true), value: Expr::Int(0) };
                let stop = Stmt::If {
                    cond: Expr::Bin(BinOp::Ge, cty.clone(), counter(&c), Box::new(Expr::Int(n))),
                    then_b: vec![Stmt::Break],
                    else_b: None,
                };
                let binds = vec![(c.clone(), cty.clone(), Val::Int(1), true, true)];
                let (body, _) = self.sub_block(m, &Self::loop_cx(cx, true), binds);
                let mut all = vec![stop, bump(BinOp::Add, &c, &cty)];
                all.extend(body);
                vec![init, Stmt::While { cond: Expr::Bool(true), body: all }]
            }
            _ => {
                let init = Stmt::Let { name: c.clone(), ty: cty.clone(), annotate, mutable: Some(true), value: Expr::Int(n) };
                let cond = Expr::Bin(BinOp::Gt, cty.clone(), counter(&c), Box::new(Expr::Int(0)));
                let binds = vec![(c.clone(), cty.clone(), Val::Int((n - 1).max(0)), true, true)];
                let (body, _) = self.sub_block(m, &Self::loop_cx(cx, true), binds);
                let mut all = vec![bump(BinOp::Sub, &c, &cty)];
                all.extend(body);
                vec![init, Stmt::While { cond, body: all }]
            }
        }
    }

    fn for_range_stmt(&mut self, m: &Machine, cx: &Cx) -> Stmt {
        let var = self.local_name();
        let mut ty = if self.chance(0.25) { Ty::I32 } else { Ty::I64 };
        let inclusive = self.chance(0.35);
        // An index loop over an array: for i in 0..len(xs).
        if ty == Ty::I64 && self.chance(0.2) {
            let arrays: Vec<(String, usize)> =
                m.visible().iter().filter_map(|s| s.val.as_arr().map(|a| (s.name.clone(), a.len()))).collect();
            let arrays: Vec<(String, usize)> = arrays.into_iter().filter(|(_, n)| *n > 0).collect();
            if !arrays.is_empty() {
                let arr = self.pick(&arrays).0;
                let end = Expr::Builtin(Builtin::Len, vec![Expr::Var(arr)]);
                let first = Val::Int(0);
                let (body, _) = self.sub_block(m, &Self::loop_cx(cx, true), vec![(var.clone(), Ty::I64, first, false, false)]);
                return Stmt::ForRange { var, ty, start: Expr::Int(0), end, step: None, inclusive: false, body };
            }
        }
        let start_v = self.range(-3, 4);
        let (step, step_v): (Option<Expr>, i64) = match self.below(100) {
            0..50 => (None, 1),
            50..70 => {
                let k = self.range(2, 3);
                (Some(Expr::Int(k)), k)
            }
            70..85 => {
                let k = self.range(1, 2);
                (Some(Expr::Int(-k)), -k)
            }
            _ => {
                let k = self.range(1, 2);
                (Some(Expr::Neg(ty.clone(), Box::new(Expr::Int(k)))), -k)
            }
        };
        let count = self.range(0, 5);
        let end_v = start_v + step_v * count + if self.chance(0.3) { step_v.signum() * self.range(0, 1) } else { 0 };
        let start = Expr::Int(start_v);
        let end = match self.below(100) {
            0..60 => Expr::Int(end_v),
            60..75 => Expr::Bin(BinOp::Add, ty.clone(), Box::new(Expr::Int(end_v - 2)), Box::new(Expr::Int(2))),
            75..85 => Expr::Cast(ty.clone(), Box::new(Expr::Int(end_v))),
            85..90 => {
                // Any expression (perhaps a call that prints: the end is evaluated once).
                let e = self.expr(m, &ty, 2);
                match self.peek(m, &e).and_then(|v| v.as_int()) {
                    Some(v) if (-12..=12).contains(&v) => e,
                    _ => Expr::Int(end_v),
                }
            }
            _ => {
                let ints: Vec<(String, i64)> = m
                    .visible()
                    .iter()
                    .filter(|s| s.ty == ty)
                    .filter_map(|s| s.val.as_int().filter(|v| (-20..=20).contains(v)).map(|v| (s.name.clone(), v)))
                    .collect();
                if ints.is_empty() {
                    Expr::Int(end_v)
                } else {
                    Expr::Var(self.pick(&ints).0)
                }
            }
        };
        let mut start = start;
        let mut end = end;
        let mut step = step;
        if ty == Ty::I32 && !self_typed(&start) && !self_typed(&end) && !step.as_ref().is_some_and(self_typed) {
            ty = Ty::I64;
            relabel(&mut start);
            relabel(&mut end);
            if let Some(s) = step.as_mut() {
                relabel(s);
            }
        }
        if !ALLOW_UNTYPED_LITERAL_ARRAYS && !strictly_typed(&start) && !strictly_typed(&end) && !step.as_ref().is_some_and(strictly_typed) {
            pin(&mut start, &ty);
        }
        let binds = vec![(var.clone(), ty.clone(), Val::Int(start_v), false, false)];
        let (body, _) = self.sub_block(m, &Self::loop_cx(cx, true), binds);
        Stmt::ForRange { var, ty, start, end, step, inclusive, body }
    }

    fn for_each_stmt(&mut self, m: &Machine, cx: &Cx) -> Stmt {
        let var = self.local_name();
        let arrays: Vec<(String, Ty)> = m
            .visible()
            .iter()
            .filter_map(|s| match &s.ty {
                Ty::Arr(t) => Some((s.name.clone(), (**t).clone())),
                _ => None,
            })
            .collect();
        let (iter, elem) = if !arrays.is_empty() && self.chance(0.6) {
            let (name, t) = self.pick(&arrays);
            let e = match self.below(10) {
                0 => Expr::Builtin(Builtin::ArrayReverse, vec![Expr::Var(name)]),
                _ => Expr::Var(name),
            };
            (e, t)
        } else {
            let mut t = self.var_type();
            let mut e = self.expr(m, &Ty::arr(t.clone()), 2);
            if t.has_loose_i32() && !self_typed(&e) {
                t = Ty::I64;
                e = self.expr(m, &Ty::arr(Ty::I64), 2);
                if !self_typed(&e) {
                    e = Expr::Array(Ty::I64, vec![Expr::Builtin(Builtin::Len, vec![Expr::Array(Ty::Str, vec![Expr::Str("s".into())])]), Expr::Int(2)]);
                }
            }
            (e, t)
        };
        let first = match self.peek(m, &iter) {
            Some(Val::Arr(items)) if !items.is_empty() => items[0].clone(),
            _ => self.value(&elem, 1),
        };
        let (body, _) = self.sub_block(m, &Self::loop_cx(cx, true), vec![(var.clone(), elem.clone(), first, false, false)]);
        Stmt::ForEach { var, elem, iter, body }
    }

    fn match_stmt(&mut self, m: &Machine, cx: &Cx) -> (Vec<Stmt>, bool) {
        let ne = self.decls().enums.len();
        let want = match self.below(100) {
            0..50 if ne > 0 => Ty::Enum(self.below(ne)),
            0..45 => Ty::I64,
            45..60 => Ty::I32,
            60..80 => Ty::Str,
            _ => Ty::Bool,
        };
        let (mut scrut, ty) = self.free_expr(m, &want, 2);
        if !ALLOW_UNTYPED_LITERAL_ARRAYS && !strictly_typed(&scrut) {
            pin(&mut scrut, &ty);
        }
        let v = self.peek(m, &scrut).unwrap_or_else(|| self.value(&ty, 1));
        let mut arms: Vec<Arm> = Vec::new();
        let mut all_diverge = true;
        let arm = |g: &mut G, pat: Pat, guard_ok: bool, binds: Vec<(String, Ty, Val)>| {
            let mut m2 = m.scratch(FUEL);
            m2.push_scope();
            for (n, t, val) in &binds {
                m2.declare(n, t.clone(), false, val.clone());
            }
            let guard = if guard_ok && g.chance(0.2) { Some(g.expr(&m2, &Ty::Bool, 2)) } else { None };
            let binds3 = binds.into_iter().map(|(n, t, v)| (n, t, v, false, false)).collect();
            let (body, d) = g.sub_block(m, cx, binds3);
            let _ = m2;
            (Arm { pat, guard, body }, d)
        };
        match &ty {
            Ty::Enum(e) => {
                let ed = self.decls().enums[*e].clone();
                let mut order: Vec<usize> = (0..ed.variants.len()).collect();
                for i in (1..order.len()).rev() {
                    let j = self.below(i + 1);
                    order.swap(i, j);
                }
                let mut uncovered = false;
                for vi in order {
                    let (vname, pty) = &ed.variants[vi];
                    if self.chance(0.25) {
                        uncovered = true;
                        continue;
                    }
                    let tname = if self.chance(0.7) { Some(ed.name.clone()) } else { None };
                    let mk = |payload: Option<Pat>| Pat::Variant {
                        en: *e,
                        tname: tname.clone(),
                        variant: vi,
                        vname: vname.clone(),
                        payload: payload.map(Box::new),
                    };
                    let actual = match &v {
                        Val::Enum(x, p) if *x == vi => p.as_deref().cloned(),
                        _ => None,
                    };
                    let mut covered = false;
                    if let Some(pt) = pty {
                        // Arms for particular payload values first, then guarded ones.
                        if matches!(pt, Ty::I64 | Ty::I32 | Ty::Str) && self.chance(0.3) {
                            let lit = match (&actual, pt) {
                                (Some(Val::Int(i)), _) if self.chance(0.6) => Pat::Int(*i),
                                (Some(Val::Str(s)), _) if self.chance(0.6) => Pat::Str(s.clone()),
                                (_, Ty::Str) => Pat::Str(self.pick(STRINGS).to_string()),
                                _ => Pat::Int(self.range(-2, 5)),
                            };
                            let (a, d) = arm(self, mk(Some(lit)), false, vec![]);
                            all_diverge &= d;
                            arms.push(a);
                        }
                        let pval = actual.clone().unwrap_or_else(|| self.value(pt, 1));
                        if self.chance(0.2) {
                            let b = self.local_name();
                            let (mut a, d) = arm(self, mk(Some(Pat::Bind(b.clone()))), false, vec![(b.clone(), pt.clone(), pval.clone())]);
                            let mut mg = m.scratch(FUEL);
                            mg.push_scope();
                            mg.declare(&b, pt.clone(), false, pval.clone());
                            a.guard = Some(self.expr(&mg, &Ty::Bool, 2));
                            all_diverge &= d;
                            arms.push(a);
                        }
                        if self.chance(0.85) {
                            let (pat, binds) = match self.below(10) {
                                0..6 => {
                                    let b = self.local_name();
                                    (Pat::Bind(b.clone()), vec![(b, pt.clone(), pval.clone())])
                                }
                                _ => (Pat::Wild(self.wild_style()), vec![]),
                            };
                            let (a, d) = arm(self, mk(Some(pat)), false, binds);
                            all_diverge &= d;
                            arms.push(a);
                            covered = true;
                        }
                    } else {
                        let (a, d) = arm(self, mk(None), false, vec![]);
                        all_diverge &= d;
                        arms.push(a);
                        covered = true;
                    }
                    uncovered |= !covered;
                }
                if uncovered {
                    let (a, d) = self.catch_all(m, cx, &ty, &v);
                    all_diverge &= d;
                    arms.push(a);
                }
            }
            Ty::Bool => {
                if self.chance(0.5) {
                    let first = self.chance(0.5);
                    for b in [first, !first] {
                        let (a, d) = arm(self, Pat::Bool(b), false, vec![]);
                        all_diverge &= d;
                        arms.push(a);
                    }
                } else {
                    let b = self.chance(0.5);
                    let (a, d) = arm(self, Pat::Bool(b), true, vec![]);
                    all_diverge &= d;
                    arms.push(a);
                    let (a, d) = self.catch_all(m, cx, &ty, &v);
                    all_diverge &= d;
                    arms.push(a);
                }
            }
            _ => {
                let n = self.range(1, 3);
                let mut used: Vec<Val> = Vec::new();
                for i in 0..n {
                    let lit = if i == 0 && self.chance(0.6) { v.clone() } else { self.value(&ty, 0) };
                    if used.contains(&lit) {
                        continue;
                    }
                    used.push(lit.clone());
                    let pat = match &lit {
                        Val::Int(x) => Pat::Int(*x),
                        Val::Str(s) => Pat::Str(s.clone()),
                        _ => continue,
                    };
                    let (a, d) = arm(self, pat, true, vec![]);
                    all_diverge &= d;
                    arms.push(a);
                }
                let (a, d) = self.catch_all(m, cx, &ty, &v);
                all_diverge &= d;
                arms.push(a);
            }
        }
        (vec![Stmt::Match { scrut, ty, arms }], all_diverge)
    }

    fn wild_style(&mut self) -> WildStyle {
        self.pick(&[WildStyle::Object, WildStyle::Object, WildStyle::Bare, WildStyle::Word])
    }

    fn catch_all(&mut self, m: &Machine, cx: &Cx, ty: &Ty, v: &Val) -> (Arm, bool) {
        if self.chance(0.35) {
            let b = self.local_name();
            let (body, d) = self.sub_block(m, cx, vec![(b.clone(), ty.clone(), v.clone(), false, false)]);
            return (Arm { pat: Pat::Bind(b), guard: None, body }, d);
        }
        let (body, d) = self.sub_block(m, cx, vec![]);
        (Arm { pat: Pat::Wild(self.wild_style()), guard: None, body }, d)
    }

    // ----- Functions ----------------------------------------------------------------------------

    /// `p<k>_trace(v) { print(v); return v }`: calls of it inside expressions make the order of
    /// evaluation visible.
    fn trace_helper(&mut self) {
        let ty = self.pick(&[Ty::I64, Ty::I64, Ty::Str, Ty::Bool, Ty::F64]);
        let name = format!("p{}_trace", self.k);
        let param = self.pick(&["v", "type", "value", "x"]).to_string();
        let body = vec![Stmt::Print(Expr::Var(param.clone())), Stmt::Return(Some(Expr::Var(param.clone())))];
        let sample = self.value(&ty, 1);
        self.own_names.push(name.clone());
        let prog = Rc::get_mut(&mut self.prog).expect("no other reference");
        prog.funcs.push(Function { name, params: vec![(param, ty.clone())], ret: Some(ty), body });
        prog.samples.push(vec![sample]);
    }

    fn helper(&mut self, j: usize) {
        let name = format!("p{}_h{j}", self.k);
        self.own_names.push(name.clone());
        let nparams = self.range(0, 3) as usize;
        let mut pool: Vec<&str> = PLAIN_NAMES.to_vec();
        pool.extend_from_slice(SPECIAL_NAMES);
        let pnames = self.distinct_names(&pool, nparams);
        let params: Vec<(String, Ty)> = pnames.into_iter().map(|n| (n, self.var_type())).collect();
        let ret = if self.chance(0.8) { Some(self.var_type()) } else { None };
        for _ in 0..5 {
            let samples: Vec<Val> = params.iter().map(|(_, t)| self.value(t, 2)).collect();
            let mut m = Machine::new(FUEL, MAX_OUT);
            for ((n, t), v) in params.iter().zip(&samples) {
                m.declare(n, t.clone(), false, v.clone());
            }
            let cx = Cx { ret: ret.clone().map_or(Ret::Void, Ret::Value), loops: 0, cont_ok: false, depth: 0 };
            self.budget = 18;
            let n = self.range(1, 5) as usize;
            let (mut body, diverges) = self.block(&mut m, &cx, n);
            if !diverges && let Some(t) = &ret {
                body.push(Stmt::Return(Some(self.expr(&m, t, 3))));
            }
            let f = Function { name: name.clone(), params: params.clone(), ret: ret.clone(), body };
            let p = self.world_prog();
            let mut funcs = p.funcs.clone();
            funcs.push(f.clone());
            let w = World { funcs: &funcs, decls: &p.decls };
            let mut check = Machine::new(FUEL * 4, MAX_OUT);
            if check.call(w, &name, samples.clone()).is_ok() {
                drop(p);
                let prog = Rc::get_mut(&mut self.prog).expect("no other reference");
                prog.funcs.push(f);
                prog.samples.push(samples);
                return;
            }
            self.rejected += 1;
        }
        let value = ret.as_ref().map(|t| self.random_lit(t));
        let body = vec![Stmt::Return(value)];
        let samples: Vec<Val> = params.iter().map(|(_, t)| self.value(t, 2)).collect();
        let prog = Rc::get_mut(&mut self.prog).expect("no other reference");
        prog.funcs.push(Function { name, params, ret, body });
        prog.samples.push(samples);
    }

    fn main_function(&mut self, name: &str) -> Function {
        let mut m = Machine::new(FUEL, MAX_OUT);
        let cx = Cx { ret: Ret::Main, loops: 0, cont_ok: false, depth: 0 };
        self.budget = 70;
        let n = self.range(8, 18) as usize;
        let (mut body, diverges) = self.block(&mut m, &cx, n);
        if !diverges {
            // Show the final values of the visible primitive variables.
            let shown: Vec<String> = m.visible().iter().filter(|s| s.ty.is_prim()).take(6).map(|s| s.name.clone()).collect();
            for v in shown {
                body.push(Stmt::Print(Expr::Var(v)));
            }
        }
        Function { name: name.to_string(), params: vec![], ret: None, body }
    }
}
