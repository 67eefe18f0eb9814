//! The generator's model of a SIRS program and its JSON form.
//!
//! Generated programs are built as this small typed tree rather than as raw JSON so that the
//! reference interpreter (`interp.rs`) can run exactly what is emitted: every integer operation
//! carries the type sev's checker gives it (the interpreter needs it for overflow), records and
//! enums are referred to by index as well as by name, and [`Program::to_json`] is the only
//! place that knows the SIRS spelling of each construct. Several spellings of the same thing
//! (lvalues as a string or as `{"var"}`, the three wildcard patterns, variadic `add`) are chosen
//! by the generator and recorded here, so the emitted text varies while the meaning is fixed.

use serde_json::{Map, Value as Json, json};

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    I64,
    I32,
    F64,
    Bool,
    Str,
    Arr(Box<Ty>),
    Rec(usize),
    Enum(usize),
}

impl Ty {
    pub fn arr(t: Ty) -> Ty {
        Ty::Arr(Box::new(t))
    }

    pub fn is_int(&self) -> bool {
        matches!(self, Ty::I64 | Ty::I32)
    }

    pub fn is_prim(&self) -> bool {
        matches!(self, Ty::I64 | Ty::I32 | Ty::F64 | Ty::Bool | Ty::Str)
    }

    /// Whether an `i32` appears outside any record or enum (whose constructors name their type).
    pub fn has_loose_i32(&self) -> bool {
        match self {
            Ty::I32 => true,
            Ty::Arr(t) => t.has_loose_i32(),
            _ => false,
        }
    }

    pub fn name(&self, d: &Decls) -> String {
        match self {
            Ty::I64 => "i64".into(),
            Ty::I32 => "i32".into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "str".into(),
            Ty::Arr(t) => format!("[{}]", t.name(d)),
            Ty::Rec(i) => d.recs[*i].name.clone(),
            Ty::Enum(i) => d.enums[*i].name.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct RecDecl {
    pub name: String,
    pub fields: Vec<(String, Ty)>,
}

#[derive(Clone, Debug)]
pub struct EnumDecl {
    pub name: String,
    pub variants: Vec<(String, Option<Ty>)>,
}

/// The records and enums of one program, in declaration order (each refers only to earlier ones).
#[derive(Clone, Debug, Default)]
pub struct Decls {
    pub recs: Vec<RecDecl>,
    pub enums: Vec<EnumDecl>,
    /// Declaration order: `(is_enum, index)`.
    pub order: Vec<(bool, usize)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

impl BinOp {
    pub fn kind(self) -> &'static str {
        match self {
            BinOp::Add => "add",
            BinOp::Sub => "sub",
            BinOp::Mul => "mul",
            BinOp::Div => "div",
            BinOp::Mod => "mod",
            BinOp::Pow => "pow",
            BinOp::Eq => "eq",
            BinOp::Ne => "ne",
            BinOp::Lt => "lt",
            BinOp::Le => "le",
            BinOp::Gt => "gt",
            BinOp::Ge => "ge",
            BinOp::BitAnd => "bitand",
            BinOp::BitOr => "bitor",
            BinOp::BitXor => "bitxor",
            BinOp::Shl => "shl",
            BinOp::Shr => "shr",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }
}

/// Built-in functions the generator uses; the interpreter implements each one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Len,
    Pop,
    StrLength,
    StrIndexOf,
    StrByteAt,
    StrContains,
    StrStartsWith,
    StrEndsWith,
    StrEquals,
    StrSubstring,
    StrToUpper,
    StrToLower,
    StrTrim,
    StrReplace,
    StrRepeat,
    StrConcat,
    ToString,
    ArrayConcat,
    ArrayReverse,
    ArraySlice,
    ArraySort,
    ArrayContains,
    ArrayIndexOf,
    ArrayFill,
    Sqrt,
    Floor,
    Ceil,
    Trunc,
    Round,
    Abs,
    Sign,
    Min,
    Max,
    Fmod,
    Copysign,
    Clamp,
    Lerp,
    Pi,
    E,
    Inf,
    Nan,
    IsNan,
    IsFinite,
    IsInfinite,
    Exp,
    Log,
    Log10,
    Log2,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Degrees,
    Radians,
    Pow,
    Atan2,
    Hypot,
    Remainder,
}

impl Builtin {
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Len => "len",
            Builtin::Pop => "pop",
            Builtin::StrLength => "str_length",
            Builtin::StrIndexOf => "str_index_of",
            Builtin::StrByteAt => "str_byte_at",
            Builtin::StrContains => "str_contains",
            Builtin::StrStartsWith => "str_starts_with",
            Builtin::StrEndsWith => "str_ends_with",
            Builtin::StrEquals => "str_equals",
            Builtin::StrSubstring => "str_substring",
            Builtin::StrToUpper => "str_to_upper",
            Builtin::StrToLower => "str_to_lower",
            Builtin::StrTrim => "str_trim",
            Builtin::StrReplace => "str_replace",
            Builtin::StrRepeat => "str_repeat",
            Builtin::StrConcat => "str_concat",
            Builtin::ToString => "to_string",
            Builtin::ArrayConcat => "array_concat",
            Builtin::ArrayReverse => "array_reverse",
            Builtin::ArraySlice => "array_slice",
            Builtin::ArraySort => "array_sort",
            Builtin::ArrayContains => "array_contains",
            Builtin::ArrayIndexOf => "array_index_of",
            Builtin::ArrayFill => "array_fill",
            Builtin::Sqrt => "math_sqrt",
            Builtin::Floor => "math_floor",
            Builtin::Ceil => "math_ceil",
            Builtin::Trunc => "math_trunc",
            Builtin::Round => "math_round",
            Builtin::Abs => "math_abs",
            Builtin::Sign => "math_sign",
            Builtin::Min => "math_min",
            Builtin::Max => "math_max",
            Builtin::Fmod => "math_fmod",
            Builtin::Copysign => "math_copysign",
            Builtin::Clamp => "math_clamp",
            Builtin::Lerp => "math_lerp",
            Builtin::Pi => "math_pi",
            Builtin::E => "math_e",
            Builtin::Inf => "math_inf",
            Builtin::Nan => "math_nan",
            Builtin::IsNan => "math_is_nan",
            Builtin::IsFinite => "math_is_finite",
            Builtin::IsInfinite => "math_is_infinite",
            Builtin::Exp => "math_exp",
            Builtin::Log => "math_log",
            Builtin::Log10 => "math_log10",
            Builtin::Log2 => "math_log2",
            Builtin::Sin => "math_sin",
            Builtin::Cos => "math_cos",
            Builtin::Tan => "math_tan",
            Builtin::Asin => "math_asin",
            Builtin::Acos => "math_acos",
            Builtin::Atan => "math_atan",
            Builtin::Sinh => "math_sinh",
            Builtin::Cosh => "math_cosh",
            Builtin::Tanh => "math_tanh",
            Builtin::Degrees => "math_degrees",
            Builtin::Radians => "math_radians",
            Builtin::Pow => "math_pow",
            Builtin::Atan2 => "math_atan2",
            Builtin::Hypot => "math_hypot",
            Builtin::Remainder => "math_remainder",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Expr {
    /// An integer literal; its type comes from the context (as in sev's checker).
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Var(String),
    /// A binary operator; the type is that of the operands.
    Bin(BinOp, Ty, Box<Expr>, Box<Expr>),
    /// Variadic `add` / `mul` (three or more operands, folded left).
    Nary(BinOp, Ty, Vec<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Neg(Ty, Box<Expr>),
    BitNot(Ty, Box<Expr>),
    Call(String, Vec<Expr>),
    Builtin(Builtin, Vec<Expr>),
    Index(Box<Expr>, Box<Expr>),
    Field(Box<Expr>, usize, String),
    /// An array literal and its element type.
    Array(Ty, Vec<Expr>),
    /// A record literal; fields in the order written.
    Record { rec: usize, name: String, fields: Vec<(usize, String, Expr)> },
    /// `{"update": …}`: a copy of a record with some fields replaced.
    Update { base: Box<Expr>, fields: Vec<(usize, String, Expr)> },
    Variant { en: usize, name: String, variant: usize, vname: String, payload: Option<Box<Expr>> },
    Cast(Ty, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Clone, Debug)]
pub enum PathElem {
    Field(usize, String),
    Index(Expr),
}

#[derive(Clone, Copy, Debug)]
pub enum WildStyle {
    Object,
    Bare,
    Word,
}

#[derive(Clone, Debug)]
pub enum Pat {
    Wild(WildStyle),
    Bind(String),
    Int(i64),
    Str(String),
    Bool(bool),
    Variant { en: usize, tname: Option<String>, variant: usize, vname: String, payload: Option<Box<Pat>> },
}

#[derive(Clone, Debug)]
pub struct Arm {
    pub pat: Pat,
    pub guard: Option<Expr>,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    /// `annotate` writes the type into the `let`; `mutable: None` leaves the key out.
    Let { name: String, ty: Ty, annotate: bool, mutable: Option<bool>, value: Expr },
    /// `plain_target` writes a bare variable target as a string instead of `{"var": …}`.
    Assign { root: String, path: Vec<PathElem>, value: Expr, plain_target: bool },
    Print(Expr),
    Push(String, Expr),
    /// An expression statement (a call whose result is dropped).
    Discard(Expr),
    If { cond: Expr, then_b: Vec<Stmt>, else_b: Option<Vec<Stmt>> },
    While { cond: Expr, body: Vec<Stmt> },
    ForRange { var: String, ty: Ty, start: Expr, end: Expr, step: Option<Expr>, inclusive: bool, body: Vec<Stmt> },
    ForEach { var: String, elem: Ty, iter: Expr, body: Vec<Stmt> },
    /// `ty` is the scrutinee's type (the interpreter gives it to bindings).
    Match { scrut: Expr, ty: Ty, arms: Vec<Arm> },
    Return(Option<Expr>),
    Break,
    Continue,
    Comment(String),
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub params: Vec<(String, Ty)>,
    pub ret: Option<Ty>,
    pub body: Vec<Stmt>,
}

/// One generated program: its types, helper functions and `main_name` (called by the batch).
#[derive(Clone, Debug)]
pub struct Program {
    pub index: usize,
    pub seed: u64,
    pub decls: Decls,
    pub functions: Vec<Function>,
    pub main_name: String,
}

// ----- JSON ------------------------------------------------------------------------------------

fn num_f64(x: f64) -> Json {
    serde_json::Number::from_f64(x).map(Json::Number).expect("finite float literal")
}

fn op(kind: &str, args: Vec<Json>) -> Json {
    json!({"op": {"kind": kind, "args": args}})
}

fn call(function: &str, args: Vec<Json>) -> Json {
    json!({"call": {"function": function, "args": args}})
}

impl Expr {
    pub fn to_json(&self) -> Json {
        match self {
            Expr::Int(i) => json!({ "literal": i }),
            Expr::Float(x) => json!({ "literal": num_f64(*x) }),
            Expr::Bool(b) => json!({ "literal": b }),
            Expr::Str(s) => json!({ "literal": s }),
            Expr::Var(n) => json!({ "var": n }),
            Expr::Bin(o, _, l, r) => op(o.kind(), vec![l.to_json(), r.to_json()]),
            Expr::Nary(o, _, xs) => op(o.kind(), xs.iter().map(Expr::to_json).collect()),
            Expr::And(xs) => op("and", xs.iter().map(Expr::to_json).collect()),
            Expr::Or(xs) => op("or", xs.iter().map(Expr::to_json).collect()),
            Expr::Not(e) => op("not", vec![e.to_json()]),
            Expr::Neg(_, e) => op("neg", vec![e.to_json()]),
            Expr::BitNot(_, e) => op("bitnot", vec![e.to_json()]),
            Expr::Call(f, args) => call(f, args.iter().map(Expr::to_json).collect()),
            Expr::Builtin(b, args) => call(b.name(), args.iter().map(Expr::to_json).collect()),
            Expr::Index(a, i) => json!({"index": {"array": a.to_json(), "index": i.to_json()}}),
            Expr::Field(o, _, f) => json!({"field": {"object": o.to_json(), "field": f}}),
            Expr::Array(_, xs) => json!({ "array": xs.iter().map(Expr::to_json).collect::<Vec<_>>() }),
            Expr::Record { name, fields, .. } => {
                json!({"record": {"type": name, "fields": field_values(fields)}})
            }
            Expr::Update { base, fields } => json!({"update": {"value": base.to_json(), "fields": field_values(fields)}}),
            Expr::Variant { name, vname, payload, .. } => {
                let mut m = Map::new();
                m.insert("type".into(), json!(name));
                m.insert("variant".into(), json!(vname));
                if let Some(p) = payload {
                    m.insert("value".into(), p.to_json());
                }
                json!({ "enum": m })
            }
            Expr::Cast(t, e) => json!({"cast": {"value": e.to_json(), "type": cast_name(t)}}),
            Expr::Cond(c, t, e) => json!({"cond": {"if": c.to_json(), "then": t.to_json(), "else": e.to_json()}}),
        }
    }
}

fn cast_name(t: &Ty) -> &'static str {
    match t {
        Ty::I64 => "i64",
        Ty::I32 => "i32",
        Ty::F64 => "f64",
        Ty::Bool => "bool",
        _ => "str",
    }
}

fn field_values(fields: &[(usize, String, Expr)]) -> Json {
    let mut m = Map::new();
    for (_, name, e) in fields {
        m.insert(name.clone(), e.to_json());
    }
    Json::Object(m)
}

fn block(stmts: &[Stmt], d: &Decls) -> Json {
    Json::Array(stmts.iter().map(|s| s.to_json(d)).collect())
}

fn lvalue(root: &str, path: &[PathElem], plain: bool) -> Json {
    let mut lv = if plain && path.is_empty() { json!(root) } else { json!({ "var": root }) };
    for p in path {
        lv = match p {
            PathElem::Field(_, f) => json!({"field": {"object": lv, "field": f}}),
            PathElem::Index(i) => json!({"index": {"array": lv, "index": i.to_json()}}),
        };
    }
    lv
}

impl Pat {
    pub fn to_json(&self) -> Json {
        match self {
            Pat::Wild(WildStyle::Object) => json!({"_": null}),
            Pat::Wild(WildStyle::Bare) => json!("_"),
            Pat::Wild(WildStyle::Word) => json!({"wildcard": null}),
            Pat::Bind(n) => json!({ "var": n }),
            Pat::Int(i) => json!({ "literal": i }),
            Pat::Str(s) => json!({ "literal": s }),
            Pat::Bool(b) => json!({ "literal": b }),
            Pat::Variant { tname, vname, payload, .. } => {
                let mut m = Map::new();
                if let Some(t) = tname {
                    m.insert("type".into(), json!(t));
                }
                m.insert("variant".into(), json!(vname));
                if let Some(p) = payload {
                    m.insert("value".into(), p.to_json());
                }
                json!({ "enum": m })
            }
        }
    }
}

impl Stmt {
    pub fn to_json(&self, d: &Decls) -> Json {
        match self {
            Stmt::Let { name, ty, annotate, mutable, value } => {
                let mut m = Map::new();
                m.insert("name".into(), json!(name));
                if *annotate {
                    m.insert("type".into(), json!(ty.name(d)));
                }
                m.insert("value".into(), value.to_json());
                if let Some(mu) = mutable {
                    m.insert("mutable".into(), json!(mu));
                }
                json!({ "let": m })
            }
            Stmt::Assign { root, path, value, plain_target } => {
                json!({"assign": {"target": lvalue(root, path, *plain_target), "value": value.to_json()}})
            }
            Stmt::Print(e) => json!({ "expression": call("print", vec![e.to_json()]) }),
            Stmt::Push(v, e) => json!({ "expression": call("push", vec![json!({"var": v}), e.to_json()]) }),
            Stmt::Discard(e) => json!({ "expression": e.to_json() }),
            Stmt::If { cond, then_b, else_b } => {
                let mut m = Map::new();
                m.insert("condition".into(), cond.to_json());
                m.insert("then".into(), block(then_b, d));
                if let Some(e) = else_b {
                    m.insert("else".into(), block(e, d));
                }
                json!({ "if": m })
            }
            Stmt::While { cond, body } => json!({"while": {"condition": cond.to_json(), "body": block(body, d)}}),
            Stmt::ForRange { var, start, end, step, inclusive, body, .. } => {
                let mut r = Map::new();
                r.insert("start".into(), start.to_json());
                r.insert("end".into(), end.to_json());
                if let Some(s) = step {
                    r.insert("step".into(), s.to_json());
                }
                if *inclusive {
                    r.insert("inclusive".into(), json!(true));
                }
                json!({"for": {"variable": var, "iterable": {"range": r}, "body": block(body, d)}})
            }
            Stmt::ForEach { var, iter, body, .. } => {
                json!({"for": {"variable": var, "iterable": iter.to_json(), "body": block(body, d)}})
            }
            Stmt::Match { scrut, arms, .. } => {
                let cases: Vec<Json> = arms
                    .iter()
                    .map(|a| {
                        let mut m = Map::new();
                        m.insert("pattern".into(), a.pat.to_json());
                        if let Some(g) = &a.guard {
                            m.insert("guard".into(), g.to_json());
                        }
                        m.insert("body".into(), block(&a.body, d));
                        Json::Object(m)
                    })
                    .collect();
                json!({"match": {"value": scrut.to_json(), "cases": cases}})
            }
            Stmt::Return(None) => json!({ "return": null }),
            Stmt::Return(Some(e)) => json!({ "return": e.to_json() }),
            Stmt::Break => json!({ "break": null }),
            Stmt::Continue => json!({ "continue": null }),
            Stmt::Comment(c) => json!({ "comment": c }),
        }
    }
}

impl Function {
    pub fn to_json(&self, d: &Decls) -> Json {
        let args: Vec<Json> = self.params.iter().map(|(n, t)| json!({"name": n, "type": t.name(d)})).collect();
        let ret = self.ret.as_ref().map_or_else(|| "void".to_string(), |t| t.name(d));
        json!({"args": args, "return": ret, "body": block(&self.body, d)})
    }
}

impl Program {
    /// The header line printed before the program's output in a batch.
    pub fn header(&self) -> String {
        format!("== program {}", self.index)
    }

    /// Adds this program's types and functions to a batch under construction.
    pub fn add_to(&self, types: &mut Map<String, Json>, functions: &mut Map<String, Json>) {
        let d = &self.decls;
        for &(is_enum, i) in &d.order {
            if is_enum {
                let e = &d.enums[i];
                let mut vs = Map::new();
                for (v, p) in &e.variants {
                    vs.insert(v.clone(), p.as_ref().map_or(Json::Null, |t| json!(t.name(d))));
                }
                types.insert(e.name.clone(), json!({"enum": {"variants": vs}}));
            } else {
                let r = &d.recs[i];
                let mut fs = Map::new();
                for (f, t) in &r.fields {
                    fs.insert(f.clone(), json!(t.name(d)));
                }
                types.insert(r.name.clone(), json!({"record": {"name": r.name, "fields": fs}}));
            }
        }
        for f in &self.functions {
            functions.insert(f.name.clone(), f.to_json(d));
        }
    }
}

/// A SIRS file whose `main` prints each program's header and then calls its main function.
pub fn batch_json(programs: &[&Program]) -> Json {
    let mut types = Map::new();
    let mut functions = Map::new();
    let mut main_body = Vec::new();
    for p in programs {
        p.add_to(&mut types, &mut functions);
        main_body.push(Stmt::Print(Expr::Str(p.header())).to_json(&p.decls));
        main_body.push(Stmt::Discard(Expr::Call(p.main_name.clone(), vec![])).to_json(&p.decls));
    }
    functions.insert("main".into(), json!({"args": [], "return": "void", "body": main_body}));
    let mut program = Map::new();
    program.insert("entry".into(), json!("main"));
    if !types.is_empty() {
        program.insert("types".into(), Json::Object(types));
    }
    program.insert("functions".into(), Json::Object(functions));
    json!({ "program": program })
}
