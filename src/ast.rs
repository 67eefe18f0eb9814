//! The surface syntax tree of a SIRS program, as read from JSON by `syntax::parse`.
//!
//! The tree mirrors the JSON closely (one statement kind per statement object, one expression
//! kind per expression object) and adds nothing that needs type information. Every node carries
//! the [`Span`] of the JSON that produced it, and every name carries the span of its string, so
//! diagnostics can point at the smallest piece of source. The AST derives no `Serialize`: the
//! JSON form is read by the parser and written back only by `sev fmt`, which works on JSON.

use crate::span::Span;

/// An identifier together with the span of the JSON string it came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

impl Name {
    pub fn new(text: impl Into<String>, span: Span) -> Name {
        Name { text: text.into(), span }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Program {
    /// The entry function's name (`"main"` unless the program says otherwise).
    pub entry: Option<Name>,
    pub types: Vec<TypeDecl>,
    pub constants: Vec<Constant>,
    pub functions: Vec<Function>,
    pub traits: Vec<TraitDecl>,
    pub impls: Vec<ImplDecl>,
    pub externs: Vec<ExternFn>,
    /// User-defined distributions (`"distributions"`), see [`DistDecl`].
    pub distributions: Vec<DistDecl>,
    pub span: Span,
    /// The `"functions"` key, where a missing entry function is reported.
    pub functions_key: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct TypeParam {
    pub name: Name,
    /// Trait names the parameter must implement.
    pub bounds: Vec<Name>,
}

#[derive(Clone, Debug)]
pub struct TypeDecl {
    pub name: Name,
    pub params: Vec<TypeParam>,
    pub kind: TypeDeclKind,
    /// The `doc` key of the declaration's body (`sev doc` shows it; the compiler ignores it).
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeDeclKind {
    /// `{"record": …}` and `{"struct": …}`: named fields.
    Record { fields: Vec<FieldDecl> },
    /// `{"enum": …}`: variants with at most one payload each.
    Enum { variants: Vec<VariantDecl> },
    /// `{"error": {"name", "message_type"?}}`: a throwable error type.
    Error { message: Option<TypeExpr> },
    /// `{"alias": T}`.
    Alias(TypeExpr),
}

#[derive(Clone, Debug)]
pub struct FieldDecl {
    pub name: Name,
    pub ty: TypeExpr,
}

#[derive(Clone, Debug)]
pub struct VariantDecl {
    pub name: Name,
    pub payload: Option<TypeExpr>,
}

#[derive(Clone, Debug)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeExprKind {
    /// A primitive, a declared type or a type parameter, with type arguments (`Pair<i32, str>`).
    Named { name: Name, args: Vec<TypeExpr> },
    Array(Box<TypeExpr>),
    Map(Box<TypeExpr>, Box<TypeExpr>),
    Set(Box<TypeExpr>),
    Tuple(Vec<TypeExpr>),
    Future(Box<TypeExpr>),
    Channel(Box<TypeExpr>),
    /// `{"trait": {"name"}}`: a trait object, dispatched dynamically.
    TraitObject(Name),
    Function { params: Vec<TypeExpr>, ret: Box<TypeExpr> },
}

#[derive(Clone, Debug)]
pub struct Constant {
    pub name: Name,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: Name,
    pub type_params: Vec<TypeParam>,
    pub params: Vec<Param>,
    /// `None` means `void`.
    pub ret: Option<TypeExpr>,
    pub body: Vec<Stmt>,
    pub is_async: bool,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: Name,
    pub ty: TypeExpr,
}

#[derive(Clone, Debug)]
pub struct TraitDecl {
    pub name: Name,
    /// `type_params`: read so that the checker can say that traits cannot be generic.
    pub type_params: Vec<TypeParam>,
    pub methods: Vec<TraitMethod>,
    pub doc: Option<String>,
    pub span: Span,
}

/// A method signature in a trait; `params` exclude the receiver `self`.
#[derive(Clone, Debug)]
pub struct TraitMethod {
    pub name: Name,
    pub params: Vec<TypeExpr>,
    pub ret: Option<TypeExpr>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ImplDecl {
    pub trait_name: Name,
    /// `type_args`: read so that the checker can say that implementations cannot be generic.
    pub type_args: Vec<TypeExpr>,
    pub target: TypeExpr,
    pub methods: Vec<Function>,
    pub doc: Option<String>,
    pub span: Span,
}

/// A C function from a system library, callable from SIRS.
#[derive(Clone, Debug)]
pub struct ExternFn {
    pub name: Name,
    pub library: Name,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub span: Span,
}

/// A distribution declared by the program (`"distributions": {name: …}`): its parameters
/// with their constraints, its support, and the SIRS functions giving its log density and
/// (optionally) drawing from it. `docs/distributions.md` ("Custom distributions") describes it.
#[derive(Clone, Debug)]
pub struct DistDecl {
    pub name: Name,
    pub params: Vec<DistParamDecl>,
    /// `None` when the key is missing (already reported).
    pub support: Option<SupportDecl>,
    pub log_density: Option<Name>,
    pub sampler: Option<Name>,
    pub doc: Option<String>,
    pub span: Span,
}

/// One parameter of a declared distribution: `{"name", "type", "lower"?, "upper"?, "strict"?}`.
#[derive(Clone, Debug)]
pub struct DistParamDecl {
    pub name: Name,
    pub ty: TypeExpr,
    /// Inclusive bounds (exclusive with `strict`), checked at run time.
    pub lower: Option<(f64, Span)>,
    pub upper: Option<(f64, Span)>,
    pub strict: bool,
    pub span: Span,
}

/// The support of a declared distribution.
#[derive(Clone, Debug)]
pub enum SupportDecl {
    /// `"real"`, `"positive"`, `"unit"`, `"integer"` or `"nonnegative_integer"` (the checker
    /// validates the word).
    Named(Name),
    /// `{"lower": b, "upper": b}` (either may be missing): each bound a number or the name of a
    /// real parameter.
    Bounds { lower: Option<BoundDecl>, upper: Option<BoundDecl>, span: Span },
}

#[derive(Clone, Debug)]
pub enum BoundDecl {
    Value(f64, Span),
    Param(Name),
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

impl StmtKind {
    /// Rewrites every statement block directly nested in this statement (the arms of `if`,
    /// loop bodies, `match` cases, `try`/`catch`/`finally`) with `rewrite`; other statements
    /// are left alone. Passes that expand statements in place (assertions, modelling blocks)
    /// recurse through this.
    pub fn rewrite_nested_blocks(&mut self, mut rewrite: impl FnMut(Vec<Stmt>) -> Vec<Stmt>) {
        match self {
            StmtKind::If { then_body, else_body, .. } => {
                *then_body = rewrite(std::mem::take(then_body));
                if let Some(e) = else_body {
                    *e = rewrite(std::mem::take(e));
                }
            }
            StmtKind::While { body, .. } | StmtKind::For { body, .. } => *body = rewrite(std::mem::take(body)),
            StmtKind::Match { cases, .. } => {
                for c in cases {
                    c.body = rewrite(std::mem::take(&mut c.body));
                }
            }
            StmtKind::Try { body, catches, finally } => {
                *body = rewrite(std::mem::take(body));
                for c in catches {
                    c.body = rewrite(std::mem::take(&mut c.body));
                }
                if let Some(f) = finally {
                    *f = rewrite(std::mem::take(f));
                }
            }
            _ => {}
        }
    }
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    Let { name: Name, ty: Option<TypeExpr>, value: Expr, mutable: bool, output: bool },
    /// `{"let": {"pattern": …, "value": …}}`: destructuring.
    LetPattern { pattern: Pattern, value: Expr },
    Assign { target: LValue, value: Expr },
    If { cond: Expr, then_body: Vec<Stmt>, else_body: Option<Vec<Stmt>> },
    While { cond: Expr, body: Vec<Stmt> },
    For { binding: Pattern, iterable: Iterable, body: Vec<Stmt> },
    Match { value: Expr, cases: Vec<MatchCase> },
    Return(Option<Expr>),
    Break,
    Continue,
    Expr(Expr),
    Try { body: Vec<Stmt>, catches: Vec<Catch>, finally: Option<Vec<Stmt>> },
    Throw(Expr),
    Observe { dist: DistExpr, value: Expr },
    Factor(Expr),
    ProbAssert { cond: Expr, confidence: f64, confidence_span: Span },
    /// `{"hierarchical": …}`: a declarative hierarchical model, rewritten by
    /// `blocks::hierarchical` into `let`, `sample` and `observe` statements before checking.
    Hierarchical(Box<HierarchicalBlock>),
    /// `{"model": …}`: a graphical model (nodes, plates, factors), rewritten by
    /// `blocks::graphical` into ordinary statements before checking.
    Graphical(Box<GraphicalModel>),
    /// `{"comment": "…"}`: ignored.
    Comment,
}

#[derive(Clone, Debug)]
pub struct MatchCase {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Catch {
    /// Only errors of this type are caught; `None` catches everything.
    pub error_type: Option<Name>,
    pub variable: Option<Name>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Iterable {
    Expr(Expr),
    Range { start: Expr, end: Expr, step: Option<Expr>, inclusive: bool, span: Span },
}

#[derive(Clone, Debug)]
pub struct LValue {
    pub kind: LValueKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum LValueKind {
    Var(Name),
    Field { base: Box<LValue>, field: Name },
    Index { base: Box<LValue>, index: Expr },
}

#[derive(Clone, Debug)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum PatternKind {
    Wildcard,
    Bind(Name),
    Int(i128),
    Str(String),
    Bool(bool),
    Tuple(Vec<Pattern>),
    /// `{"struct": {f: p}}` or `{"record": {"type", "fields"}}`.
    Record { ty: Option<Name>, fields: Vec<(Name, Pattern)> },
    Enum { ty: Option<Name>, variant: Name, payload: Option<Box<Pattern>> },
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Not,
    Neg,
    BitNot,
}

impl BinOp {
    pub fn keyword(self) -> &'static str {
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
            BinOp::And => "and",
            BinOp::Or => "or",
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

impl UnOp {
    pub fn keyword(self) -> &'static str {
        match self {
            UnOp::Not => "not",
            UnOp::Neg => "neg",
            UnOp::BitNot => "bitnot",
        }
    }
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// An integer literal; its type comes from the context (see `docs/language.md`).
    Int(i128),
    Float(f64),
    Str(String),
    Bool(bool),
    Var(Name),
    Unary { op: UnOp, arg: Box<Expr> },
    Binary { op: BinOp, lhs: Box<Expr>, rhs: Box<Expr> },
    Call { func: Name, type_args: Vec<TypeExpr>, args: Vec<Expr> },
    MethodCall { receiver: Box<Expr>, method: Name, args: Vec<Expr> },
    Field { object: Box<Expr>, field: Name },
    Index { object: Box<Expr>, index: Box<Expr> },
    Array(Vec<Expr>),
    /// An anonymous struct literal `{"struct": {f: e}}`.
    StructLit(Vec<(Name, Expr)>),
    Record { ty: Name, type_args: Vec<TypeExpr>, fields: Vec<(Name, Expr)> },
    /// Functional update: a copy of `base` with some fields replaced.
    Update { base: Box<Expr>, fields: Vec<(Name, Expr)> },
    Enum { ty: Name, type_args: Vec<TypeExpr>, variant: Name, value: Option<Box<Expr>> },
    Tuple(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Set(Vec<Expr>),
    Cast { value: Box<Expr>, ty: TypeExpr },
    Sample(Box<SampleExpr>),
    Infer { model: Name, args: Vec<Expr>, options: Vec<(Name, Expr)> },
    Await(Box<Expr>),
    /// `{"propagate": e}`: unwrap an `Ok`/`Some`, or return the `Err`/`None` from the function.
    Propagate(Box<Expr>),
    /// `{"cond": {"if", "then", "else"}}`: a conditional expression.
    Cond { cond: Box<Expr>, then_value: Box<Expr>, else_value: Box<Expr> },
    /// `{"error": {"type", "message"}}`: a value of a declared error type.
    ErrorValue { ty: Name, message: Option<Box<Expr>> },
    /// `{"lpdf": {"distribution", "params", "value"}}`: the log density (or mass) of a value.
    LogDensity { dist: DistExpr, value: Box<Expr> },
}

#[derive(Clone, Debug)]
pub struct SampleExpr {
    pub dist: DistExpr,
    /// Draw a vector of this many independent values.
    pub size: Option<Expr>,
    pub lower: Option<Expr>,
    pub upper: Option<Expr>,
    /// A named constraint such as `ordered` or `simplex`.
    pub constraint: Option<Name>,
    /// `"parameterization"`: `centered` or `noncentered`; `blocks::noncentered` rewrites a
    /// non-centred draw and clears the field, so the checker reports any that is left (E0340).
    pub parameterization: Option<Name>,
}

#[derive(Clone, Debug)]
pub struct DistExpr {
    pub name: Name,
    pub params: Vec<Expr>,
    /// `"weights"` of a `mixture` (an `[f64]` expression).
    pub weights: Option<Box<Expr>>,
    /// `"components"` of a `mixture`: one distribution each.
    pub components: Vec<DistExpr>,
    pub span: Span,
}

/// A declarative hierarchical model: hyperpriors, levels of group parameters drawn from
/// distributions of the hyperparameters, and an observation model.
#[derive(Clone, Debug)]
pub struct HierarchicalBlock {
    pub name: Option<Name>,
    /// `"hyperpriors": {name: expr}` in the order written.
    pub hyperpriors: Vec<(Name, Expr)>,
    pub levels: Vec<Level>,
    pub observation: Option<ObservationModel>,
    pub span: Span,
}

/// One level: `{"level_name"?, "groups", "group_variable"?, "parameters": {name: …}}`.
#[derive(Clone, Debug)]
pub struct Level {
    pub name: Option<Name>,
    /// The number of groups (the size of each group parameter).
    pub groups: Option<Expr>,
    /// The data array giving each observation's group (0-based).
    pub group_variable: Option<Name>,
    pub parameters: Vec<LevelParam>,
    pub span: Span,
}

/// A group parameter: `{"distribution", "hyperparameters", "parameterization"?}`.
#[derive(Clone, Debug)]
pub struct LevelParam {
    pub name: Name,
    pub dist: Name,
    pub hyperparameters: Vec<Expr>,
    pub parameterization: Option<Name>,
    pub span: Span,
}

/// `{"likelihood", "parameters", "value", "indexed"?}`.
#[derive(Clone, Debug)]
pub struct ObservationModel {
    pub likelihood: Name,
    pub params: Vec<Expr>,
    pub value: Expr,
    /// Data arrays with one element per observation (indexed like the value).
    pub indexed: Vec<Name>,
    pub span: Span,
}

/// A graphical model: `{"name"?, "plates"?: {name: size}, "nodes": [...], "factors"?: [expr]}`.
#[derive(Clone, Debug)]
pub struct GraphicalModel {
    pub name: Option<Name>,
    pub plates: Vec<(Name, Expr)>,
    pub nodes: Vec<GraphNode>,
    pub factors: Vec<Expr>,
    pub span: Span,
}

/// One node: `{"name", "kind": "latent" | "observed" | "deterministic", "distribution"?,
/// "params"?, "value"?, "plate"?, "parents"?, "lower"?, "upper"?, "parameterization"?}`.
#[derive(Clone, Debug)]
pub struct GraphNode {
    pub name: Name,
    pub kind: Name,
    pub dist: Option<Name>,
    pub params: Vec<Expr>,
    pub value: Option<Expr>,
    pub plate: Option<Name>,
    pub parents: Vec<Name>,
    pub lower: Option<Expr>,
    pub upper: Option<Expr>,
    pub parameterization: Option<Name>,
    pub span: Span,
}
