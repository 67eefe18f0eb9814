//! The typed program: the checker's output and the lowering's input.
//!
//! Names are resolved (variables to [`LocalId`]s, unique per function, so shadowing is gone;
//! calls to a [`Callee`]; fields to positions), every expression carries its [`Ty`], and no
//! inference variable remains. An expression that failed to check is [`ExprKind::Invalid`]; a
//! program containing one is never lowered (the driver stops after errors).

use crate::decision::Decision;
use crate::span::Span;
use crate::types::{AdtId, TraitId, Ty, TypeNames};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExternId(pub u32);

#[derive(Clone, Debug, Default)]
pub struct Program {
    pub adts: Vec<AdtDef>,
    pub traits: Vec<TraitDef>,
    pub functions: Vec<Function>,
    pub impls: Vec<ImplDef>,
    pub externs: Vec<ExternDef>,
    pub entry: Option<FuncId>,
    /// Distributions declared by the program; `DistKind::Custom(i)` refers to `distributions[i]`.
    pub distributions: Vec<CustomDist>,
}

/// A distribution declared by the program (`ast::DistDecl`), resolved by the checker.
#[derive(Clone, Debug)]
pub struct CustomDist {
    pub name: String,
    pub params: Vec<CustomParam>,
    pub support: CustomSupport,
    /// `(x, params…) -> f64`; `None` only in a program with errors.
    pub log_density: Option<FuncId>,
    /// `(params…) -> value`, used by `sample` outside a model and by predictive draws.
    pub sampler: Option<FuncId>,
    pub span: Span,
}

/// A parameter of a declared distribution and its run-time constraint.
#[derive(Clone, Debug)]
pub struct CustomParam {
    pub name: String,
    /// `f64`, `i64`, `[f64]` or `[i64]`.
    pub ty: Ty,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// The bounds exclude their value.
    pub strict: bool,
}

/// The support of a declared distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CustomSupport {
    /// Reals between optional bounds (closed).
    Continuous { lower: Option<SupportBound>, upper: Option<SupportBound> },
    /// Integers, at least `lower` when given.
    Discrete { lower: Option<i64> },
}

/// A bound of a support: a number or the value of a (real, scalar) parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SupportBound {
    Value(f64),
    Param(usize),
}

/// What a [`Dist`] names.
#[derive(Clone, Debug, PartialEq)]
pub enum DistKind {
    /// A built-in distribution (`Dist::name`).
    Builtin,
    /// `Program::distributions[i]`.
    Custom(usize),
    /// A mixture: `Dist::params` holds the weights, then each component's parameters in order.
    Mixture(Vec<Component>),
}

/// One component of a mixture and how many of the mixture's parameters it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    pub kind: ComponentKind,
    pub arity: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ComponentKind {
    Builtin(&'static str),
    Custom(usize),
}

/// Types the runtime provides; the backend maps them to `rt.*` instead of generating them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinAdt {
    Option,
    Result,
    Json,
    HttpResponse,
    Error,
}

#[derive(Clone, Debug)]
pub struct AdtDef {
    pub name: String,
    pub params: Vec<String>,
    pub kind: AdtKind,
    pub builtin: Option<BuiltinAdt>,
    /// Declared with `{"error": …}`: may be thrown and caught by type.
    pub is_error: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum AdtKind {
    Record { fields: Vec<FieldDef> },
    Enum { variants: Vec<VariantDef> },
}

#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
}

#[derive(Clone, Debug)]
pub struct VariantDef {
    pub name: String,
    pub payload: Option<Ty>,
}

#[derive(Clone, Debug)]
pub struct TraitDef {
    pub name: String,
    pub methods: Vec<TraitMethodDef>,
    pub span: Span,
}

/// A trait method's signature; `params` exclude the receiver.
#[derive(Clone, Debug)]
pub struct TraitMethodDef {
    pub name: String,
    pub params: Vec<Ty>,
    pub ret: Ty,
}

#[derive(Clone, Debug)]
pub struct ImplDef {
    pub trait_id: TraitId,
    /// The implemented type; in a generic implementation (`Stack<T>`) it holds `Param(i)` for
    /// the implementation's `i`-th type parameter.
    pub target: Ty,
    /// How many type parameters the implementation has (0: it is for one concrete type).
    pub type_params: usize,
    /// One function per trait method, in the trait's method order. The methods of a generic
    /// implementation are generic functions over the implementation's type parameters.
    pub methods: Vec<FuncId>,
}

impl ImplDef {
    /// The type arguments under which this implementation covers `ty` (empty for a concrete
    /// implementation), or `None` when it does not cover it.
    pub fn instance_for(&self, ty: &Ty) -> Option<Vec<Ty>> {
        let mut args = vec![None; self.type_params];
        if !bind_params(&self.target, ty, &mut args) {
            return None;
        }
        args.into_iter().collect()
    }
}

/// Matches `pattern` against `ty`, recording what each `Param(i)` of the pattern stands for.
fn bind_params(pattern: &Ty, ty: &Ty, args: &mut [Option<Ty>]) -> bool {
    let all = |ps: &[Ty], ts: &[Ty], args: &mut [Option<Ty>]| ps.len() == ts.len() && ps.iter().zip(ts).all(|(p, t)| bind_params(p, t, args));
    match (pattern, ty) {
        (Ty::Param(i), t) => match args.get_mut(*i as usize) {
            Some(Some(bound)) => bound == t,
            Some(slot) => {
                *slot = Some(t.clone());
                true
            }
            None => false,
        },
        (Ty::Array(p), Ty::Array(t)) | (Ty::Set(p), Ty::Set(t)) | (Ty::Future(p), Ty::Future(t)) | (Ty::Channel(p), Ty::Channel(t)) => bind_params(p, t, args),
        (Ty::Map(pk, pv), Ty::Map(tk, tv)) => bind_params(pk, tk, args) && bind_params(pv, tv, args),
        (Ty::Tuple(ps), Ty::Tuple(ts)) => all(ps, ts, args),
        (Ty::Adt(p, ps), Ty::Adt(t, ts)) => p == t && all(ps, ts, args),
        (Ty::Fn(ps, pr), Ty::Fn(ts, tr)) => all(ps, ts, args) && bind_params(pr, tr, args),
        (p, t) => p == t,
    }
}

#[derive(Clone, Debug)]
pub struct ExternDef {
    pub name: String,
    pub library: String,
    pub params: Vec<Ty>,
    pub ret: Ty,
}

#[derive(Clone, Debug)]
pub struct TypeParamDef {
    pub name: String,
    pub bounds: Vec<TraitId>,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub type_params: Vec<TypeParamDef>,
    pub params: Vec<LocalId>,
    pub ret: Ty,
    pub locals: Vec<Local>,
    pub body: Block,
    pub is_async: bool,
    pub span: Span,
    /// Set when the function is a trait method implementation.
    pub method_of: Option<(TraitId, Ty)>,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub span: Span,
}

pub type Block = Vec<Stmt>;

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    Let { local: LocalId, value: Expr, output: bool },
    LetPattern { pattern: Pat, value: Expr },
    Assign { place: Place, value: Expr },
    If { cond: Expr, then_body: Block, else_body: Block },
    While { cond: Expr, body: Block },
    ForRange { var: LocalId, start: Expr, end: Expr, step: Option<Expr>, inclusive: bool, body: Block },
    ForEach { binding: Pat, iterable: Expr, body: Block },
    Match { scrutinee: Expr, arms: Vec<Arm>, decision: Decision },
    Return(Option<Expr>),
    Break,
    Continue,
    Expr(Expr),
    Try { body: Block, catches: Vec<CatchArm>, finally: Block },
    Throw(Expr),
    Observe { dist: Dist, value: Expr },
    Factor(Expr),
    ProbAssert { cond: Expr, confidence: f64 },
}

#[derive(Clone, Debug)]
pub struct Arm {
    pub pattern: Pat,
    pub guard: Option<Expr>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct CatchArm {
    /// The error type caught; `None` catches everything.
    pub error_type: Option<AdtId>,
    pub variable: Option<LocalId>,
    pub body: Block,
}

/// An assignment target: a local with a path of field and element projections.
#[derive(Clone, Debug)]
pub struct Place {
    pub root: LocalId,
    pub projections: Vec<Projection>,
    pub ty: Ty,
}

#[derive(Clone, Debug)]
pub enum Projection {
    Field { index: usize, ty: Ty },
    Index { index: Expr, ty: Ty },
}

#[derive(Clone, Debug)]
pub enum Pat {
    Wild,
    Bind(LocalId),
    Int(i128),
    Str(String),
    Bool(bool),
    Tuple(Vec<Pat>),
    Record { fields: Vec<(usize, Pat)> },
    Variant { adt: AdtId, variant: usize, payload: Option<Box<Pat>> },
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Literal {
    Int(i128),
    Float(f64),
    Bool(bool),
    Str(String),
}

#[derive(Clone, Debug)]
pub enum Callee {
    Func { id: FuncId, type_args: Vec<Ty> },
    Builtin { name: &'static str },
    Extern(ExternId),
    /// A trait method called on a known type (static dispatch after monomorphisation).
    Method { trait_id: TraitId, method: usize, self_ty: Ty },
    /// A trait method called through a trait object (dynamic dispatch).
    Dyn { trait_id: TraitId, method: usize },
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Lit(Literal),
    Local(LocalId),
    Unary { op: crate::ast::UnOp, arg: Box<Expr> },
    Binary { op: crate::ast::BinOp, lhs: Box<Expr>, rhs: Box<Expr> },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Call { callee: Callee, args: Vec<Expr> },
    Field { object: Box<Expr>, index: usize },
    Index { object: Box<Expr>, index: Box<Expr> },
    Array(Vec<Expr>),
    /// A record value; `fields` are in declaration order.
    Record { fields: Vec<Expr> },
    Update { base: Box<Expr>, fields: Vec<(usize, Expr)> },
    Variant { variant: usize, payload: Option<Box<Expr>> },
    Tuple(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Set(Vec<Expr>),
    Cast(Box<Expr>),
    /// Wraps a concrete value into a trait object.
    ToDyn { value: Box<Expr>, impl_index: usize },
    Sample { dist: Dist, size: Option<Box<Expr>>, lower: Option<Box<Expr>>, upper: Option<Box<Expr>>, constraint: Option<String> },
    Infer { model: FuncId, args: Vec<Expr>, options: Vec<(String, Expr)> },
    Await(Box<Expr>),
    Spawn { func: FuncId, args: Vec<Expr> },
    Propagate(Box<Expr>),
    Cond { cond: Box<Expr>, then_value: Box<Expr>, else_value: Box<Expr> },
    /// The log density (or mass) of `value` under a distribution.
    LogDensity { dist: Dist, value: Box<Expr> },
    Invalid,
}

#[derive(Clone, Debug)]
pub struct Dist {
    /// The built-in's name (empty for a declared distribution or a mixture).
    pub name: &'static str,
    pub params: Vec<Expr>,
    pub span: Span,
    pub kind: DistKind,
}

impl Program {
    pub fn adt(&self, id: AdtId) -> &AdtDef {
        &self.adts[id.0 as usize]
    }

    pub fn func(&self, id: FuncId) -> &Function {
        &self.functions[id.0 as usize]
    }

    /// Whether a distribution's values are integers (built-in, declared or mixture).
    pub fn dist_is_discrete(&self, d: &Dist) -> bool {
        match &d.kind {
            DistKind::Builtin => crate::check::dists::find(d.name).is_some_and(|i| i.is_discrete()),
            DistKind::Custom(i) => self.distributions.get(*i).is_some_and(|c| matches!(c.support, CustomSupport::Discrete { .. })),
            DistKind::Mixture(components) => components.first().is_some_and(|c| match c.kind {
                ComponentKind::Builtin(name) => crate::check::dists::find(name).is_some_and(|i| i.is_discrete()),
                ComponentKind::Custom(i) => self.distributions.get(i).is_some_and(|c| matches!(c.support, CustomSupport::Discrete { .. })),
            }),
        }
    }

    pub fn display<'a>(&'a self, ty: &'a Ty) -> crate::types::Display<'a, Program> {
        crate::types::Display { ty, names: self }
    }

    /// The field list of a record type, with type arguments substituted.
    pub fn record_fields(&self, ty: &Ty) -> Option<Vec<(String, Ty)>> {
        let Ty::Adt(id, args) = ty else { return None };
        match &self.adt(*id).kind {
            AdtKind::Record { fields } => Some(fields.iter().map(|f| (f.name.clone(), f.ty.subst(args))).collect()),
            AdtKind::Enum { .. } => None,
        }
    }

    /// The variants of an enum type, with type arguments substituted.
    pub fn variants(&self, ty: &Ty) -> Option<Vec<(String, Option<Ty>)>> {
        let Ty::Adt(id, args) = ty else { return None };
        match &self.adt(*id).kind {
            AdtKind::Enum { variants } => {
                Some(variants.iter().map(|v| (v.name.clone(), v.payload.as_ref().map(|p| p.subst(args)))).collect())
            }
            AdtKind::Record { .. } => None,
        }
    }
}

impl TypeNames for Program {
    fn adt_name(&self, id: AdtId) -> &str {
        self.adts.get(id.0 as usize).map_or("?", |a| a.name.as_str())
    }

    fn trait_name(&self, id: TraitId) -> &str {
        self.traits.get(id.0 as usize).map_or("?", |t| t.name.as_str())
    }
}

impl Function {
    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.0 as usize]
    }
}

/// Calls `f` for every statement of `block` and of the blocks nested in it, with every
/// expression (sub-expressions included) that belongs to that statement itself.
pub fn walk<'a>(block: &'a Block, f: &mut dyn FnMut(&'a StmtKind, &[&'a Expr])) {
    for stmt in block {
        let mut exprs = Vec::new();
        for e in stmt_exprs(&stmt.kind) {
            flatten(e, &mut exprs);
        }
        f(&stmt.kind, &exprs);
        for b in stmt_blocks(&stmt.kind) {
            walk(b, f);
        }
    }
}

/// The expressions directly held by a statement (not those in its nested blocks).
pub fn stmt_exprs(kind: &StmtKind) -> Vec<&Expr> {
    match kind {
        StmtKind::Let { value, .. } | StmtKind::LetPattern { value, .. } | StmtKind::Expr(value) | StmtKind::Throw(value) | StmtKind::Factor(value) => vec![value],
        StmtKind::Assign { place, value } => {
            let mut out: Vec<&Expr> = place.projections.iter().filter_map(|p| if let Projection::Index { index, .. } = p { Some(index) } else { None }).collect();
            out.push(value);
            out
        }
        StmtKind::If { cond, .. } | StmtKind::While { cond, .. } | StmtKind::ProbAssert { cond, .. } => vec![cond],
        StmtKind::ForRange { start, end, step, .. } => [Some(start), Some(end), step.as_ref()].into_iter().flatten().collect(),
        StmtKind::ForEach { iterable, .. } => vec![iterable],
        StmtKind::Match { scrutinee, arms, .. } => std::iter::once(scrutinee).chain(arms.iter().filter_map(|a| a.guard.as_ref())).collect(),
        StmtKind::Return(value) => value.iter().collect(),
        StmtKind::Observe { dist, value } => dist.params.iter().chain([value]).collect(),
        StmtKind::Break | StmtKind::Continue | StmtKind::Try { .. } => Vec::new(),
    }
}

/// The blocks nested in a statement.
pub fn stmt_blocks(kind: &StmtKind) -> Vec<&Block> {
    match kind {
        StmtKind::If { then_body, else_body, .. } => vec![then_body, else_body],
        StmtKind::While { body, .. } | StmtKind::ForRange { body, .. } | StmtKind::ForEach { body, .. } => vec![body],
        StmtKind::Match { arms, .. } => arms.iter().map(|a| &a.body).collect(),
        StmtKind::Try { body, catches, finally } => std::iter::once(body).chain(catches.iter().map(|c| &c.body)).chain([finally]).collect(),
        _ => Vec::new(),
    }
}

/// `e` and all its sub-expressions, parents first.
pub fn flatten<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    out.push(e);
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Local(_) | ExprKind::Invalid => {}
        ExprKind::Unary { arg, .. } | ExprKind::Cast(arg) | ExprKind::Await(arg) | ExprKind::Propagate(arg) => flatten(arg, out),
        ExprKind::ToDyn { value, .. } => flatten(value, out),
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::And(lhs, rhs) | ExprKind::Or(lhs, rhs) => {
            flatten(lhs, out);
            flatten(rhs, out);
        }
        ExprKind::Call { args, .. } | ExprKind::Spawn { args, .. } => args.iter().for_each(|a| flatten(a, out)),
        ExprKind::Infer { args, options, .. } => {
            args.iter().for_each(|a| flatten(a, out));
            options.iter().for_each(|(_, v)| flatten(v, out));
        }
        ExprKind::Field { object, .. } => flatten(object, out),
        ExprKind::Index { object, index } => {
            flatten(object, out);
            flatten(index, out);
        }
        ExprKind::Array(items) | ExprKind::Tuple(items) | ExprKind::Set(items) | ExprKind::Record { fields: items } => {
            items.iter().for_each(|i| flatten(i, out));
        }
        ExprKind::Update { base, fields } => {
            flatten(base, out);
            fields.iter().for_each(|(_, v)| flatten(v, out));
        }
        ExprKind::Variant { payload, .. } => payload.iter().for_each(|p| flatten(p, out)),
        ExprKind::Map(entries) => entries.iter().for_each(|(k, v)| {
            flatten(k, out);
            flatten(v, out);
        }),
        ExprKind::Sample { dist, size, lower, upper, .. } => {
            dist.params.iter().for_each(|p| flatten(p, out));
            [size, lower, upper].into_iter().flatten().for_each(|x| flatten(x, out));
        }
        ExprKind::Cond { cond, then_value, else_value } => {
            flatten(cond, out);
            flatten(then_value, out);
            flatten(else_value, out);
        }
        ExprKind::LogDensity { dist, value } => {
            dist.params.iter().for_each(|p| flatten(p, out));
            flatten(value, out);
        }
    }
}
