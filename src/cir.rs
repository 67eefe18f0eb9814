//! CIR, the mid-level IR: monomorphic, typed, with structured control flow.
//!
//! A [`Program`] holds monomorphised type definitions and functions in index tables. A
//! [`Function`] owns three tables: locals (named mutable slots, the only things that change),
//! blocks (straight-line lists of instructions) and instructions (each defines one value,
//! named by its [`ValueId`], possibly of type `void`). Control flow is structured: `If`,
//! `Loop`, `Switch` and `Try` name nested blocks, `Break`/`Continue` refer to the innermost
//! loop, and a value may be used only later in its own block or in blocks nested inside it
//! (see `verify` for the full list of invariants). This shape maps directly onto Zig, which
//! has no `goto`, and keeps every pass a walk over a tree of blocks.
//!
//! Memory is explicit: heap values created by calls and constructors are *owned*; reads of
//! locals, fields and elements are *borrowed*. `Retain` turns a borrowed value into an owned
//! one where a value is stored, and `DeferRelease` schedules the release of an owned value or
//! local when its block exits (Zig's `defer`), so every exit path frees what it should.
//!
//! Submodules: `lower` (typed AST → CIR), `print` (the canonical text form), `verify`.

pub mod databounds;
pub mod discrete;
pub mod enumerate;
pub mod parameterless;
pub mod lower;
pub mod model;
pub mod print;
pub mod recursion;
pub mod throws;
pub mod verify;

use crate::ast::{BinOp, UnOp};
use crate::span::Span;
pub use crate::types::Ty;
use std::fmt;

macro_rules! index_type {
    ($name:ident, $prefix:literal) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }

            pub fn from_index(i: usize) -> $name {
                $name(u32::try_from(i).unwrap_or(u32::MAX))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

index_type!(FuncId, "fn");
index_type!(BlockId, "bb");
index_type!(ValueId, "v");
index_type!(LocalId, "l");
index_type!(TypeId, "ty");

#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Monomorphised records, enums and tuples; `Ty::Adt(id, [])` refers to `types[id]`.
    pub types: Vec<TypeDef>,
    pub functions: Vec<Function>,
    pub externs: Vec<Extern>,
    pub entry: Option<FuncId>,
    /// The source file name, for fault locations.
    pub source_name: String,
    /// Line start offsets of the source, to turn spans into lines for fault messages.
    pub line_starts: Vec<usize>,
    /// The static sites of a model (parameters, predictive draws, outputs, prints, checks).
    pub sites: Vec<Site>,
    /// Set when the entry function is a model: the program is then a sampler tool.
    pub model: Option<ModelEntry>,
    /// Models fitted in-process by `infer` expressions (not the entry of a model program).
    pub inferred: Vec<InferredModel>,
    /// Traits used as types; `Ty::TraitObject(TraitId(i))` refers to `dyn_traits[i]`.
    pub dyn_traits: Vec<DynTrait>,
    /// The method tables of the types turned into trait objects.
    pub vtables: Vec<VTable>,
    /// How a model program's gradient is computed (`crate::ad::plan`, before optimisation).
    pub ad: Option<crate::ad::Strategy>,
    /// Functions a library build exports by name (`sev build --lib`, `crate::detector_lib`);
    /// roots like the entry, so no pass removes them.
    pub exports: Vec<Export>,
}

/// A function a library build exports: the SIRS name it is known by and its instance.
#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    pub func: FuncId,
}

/// A model function named by an `infer` expression: lowered like a model program's entry.
#[derive(Clone, Debug)]
pub struct InferredModel {
    pub entry: ModelEntry,
    pub func: FuncId,
}

/// A trait used as a type: the signatures of its methods (receiver excluded).
#[derive(Clone, Debug)]
pub struct DynTrait {
    pub name: String,
    pub methods: Vec<DynMethod>,
}

#[derive(Clone, Debug)]
pub struct DynMethod {
    pub name: String,
    pub params: Vec<Ty>,
    pub ret: Ty,
    /// Some implementation may throw (then every table entry returns an error union).
    pub can_throw: bool,
}

/// One type's implementation of a trait used as a type: the function behind each method.
#[derive(Clone, Debug)]
pub struct VTable {
    pub trait_index: usize,
    pub concrete: Ty,
    pub methods: Vec<FuncId>,
}

/// The entry of a model program: its name and the data it reads (its parameters).
#[derive(Clone, Debug)]
pub struct ModelEntry {
    pub name: String,
    pub data: Vec<(String, Ty)>,
    /// Set by `opt::datacache`: the function computing, once per process, the entry's
    /// data-only work from the data; its result is the entry's extra last parameter.
    pub prepare: Option<FuncId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteKind {
    Param,
    Predictive,
    /// A discrete parameter summed out of the log density (`SampleKind::Enumerated`); its
    /// column holds a draw from its conditional given the continuous parameters.
    Enumerated,
    /// A discrete parameter the log density cannot sum out (unbounded support or too many
    /// values; `SampleKind::Gibbs`): each chain holds its value and updates it by Metropolis
    /// steps between the continuous transitions; its column is the chain's current value.
    Gibbs,
    Output,
    Print,
    Check,
}

/// A static place in a model whose values become output columns.
#[derive(Clone, Debug)]
pub struct Site {
    pub kind: SiteKind,
    /// Unique in the program (a clash gets a `_2` suffix).
    pub name: String,
    /// The name as written, before that suffix (each model fitted by `infer` de-duplicates
    /// only among its own sites).
    pub base: String,
    /// What the report shows for prints and checks.
    pub label: String,
    /// The probability a `prob_assert` requires.
    pub confidence: f64,
    /// For an enumerated site whose support the compiler cannot bound (read from the data, or
    /// reached once per loop iteration): when the model first runs on its data and the support
    /// passes the enumeration limits, the runtime updates it by Metropolis-within-Gibbs steps
    /// instead (`cir::enumerate`, `runtime/ppl/modelrt.zig`).
    pub gibbs_fallback: bool,
}

/// How a parameter's unconstrained value is mapped into its support.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transform {
    Real,
    Lower,
    Upper,
    Interval,
    Positive,
    Unit,
    Ordered,
    PositiveOrdered,
    /// A simplex of a given size (Dirichlet).
    Simplex,
    /// An unconstrained vector with a joint density (multivariate normal).
    Joint,
    /// The Cholesky factor of a K×K correlation matrix (LKJ prior), K(K-1)/2 free values.
    CholeskyCorr,
    /// A K×K correlation matrix (LKJ prior on the matrix), K(K-1)/2 free values.
    CorrMatrix,
    /// A K×K covariance matrix (Wishart priors), K(K+1)/2 free values.
    CovMatrix,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleKind {
    /// A model parameter, transformed from the unconstrained space.
    Param(Transform),
    /// A draw in a model that does not enter the likelihood (drawn per posterior draw).
    Predictive,
    /// A discrete parameter with finite support that the likelihood depends on: the log
    /// density sums it out (log-sum-exp over its values, `cir::discrete`), and each posterior
    /// draw samples it from its exact conditional.
    Enumerated,
    /// A discrete parameter with unbounded support (or more values than enumeration allows)
    /// that the likelihood depends on: each chain keeps its current value, which the log
    /// density reads, and moves it by Metropolis-within-Gibbs steps (`cir::enumerate`,
    /// `runtime/ppl/gibbs.zig`).
    Gibbs,
    /// Forward simulation outside a model.
    Forward,
}

#[derive(Clone, Debug)]
pub struct TypeDef {
    /// A unique, readable name such as `Point` or `Pair__i64__str`.
    pub name: String,
    pub kind: TypeKind,
    /// Provided by the runtime (`rt.Option(T)`, …) rather than generated.
    pub builtin: Option<crate::typed::BuiltinAdt>,
    pub is_error: bool,
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    Record { fields: Vec<(String, Ty)> },
    /// `boxed[i]` is set when variant `i`'s payload must live behind a pointer (recursion).
    Enum { variants: Vec<(String, Option<Ty>)>, boxed: Vec<bool> },
    Tuple { items: Vec<Ty> },
}

#[derive(Clone, Debug)]
pub struct Extern {
    pub name: String,
    pub library: String,
    pub params: Vec<Ty>,
    pub ret: Ty,
}

#[derive(Clone, Debug)]
pub struct Function {
    /// Unique name in the program (generic instances are suffixed with their type arguments).
    pub name: String,
    /// The name in the SIRS source, for fault messages.
    pub source_name: String,
    pub params: Vec<LocalId>,
    pub ret: Ty,
    pub locals: Vec<LocalDecl>,
    pub blocks: Vec<Block>,
    pub insts: Vec<Inst>,
    pub body: BlockId,
    /// May end by throwing an exception (its Zig return type is an error union).
    pub can_throw: bool,
    /// Runs inside a model: generic over the model mode, with the model context.
    pub model: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct LocalDecl {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub insts: Vec<ValueId>,
}

#[derive(Clone, Debug)]
pub struct Inst {
    pub kind: InstKind,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Int(i128),
    Float(f64),
    Bool(bool),
    Str(String),
    Void,
}

/// One step of an assignment target below a local.
#[derive(Clone, Debug, PartialEq)]
pub enum PlaceElem {
    Field(usize),
    Index(ValueId),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SwitchCase {
    Int(i128),
    Variant(usize),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct CatchClause {
    /// Catches only this error type (`None`: everything).
    pub error_type: Option<TypeId>,
    /// Receives the caught error value.
    pub local: Option<LocalId>,
    pub body: BlockId,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InstKind {
    Const(Const),
    /// Reads a local (borrowed).
    Local(LocalId),
    /// Stores an owned value into a local, releasing the value it held before.
    SetLocal(LocalId, ValueId),
    /// Initialises a local declared by this instruction (no previous value to release).
    InitLocal(LocalId, ValueId),
    /// Stores an owned value into a field or element of a local (copy-on-write for arrays).
    SetPlace { local: LocalId, path: Vec<PlaceElem>, value: ValueId },
    Unary(UnOp, ValueId),
    Binary(BinOp, ValueId, ValueId),
    /// Converts to the instruction's type (checked when it can fail).
    Cast(ValueId),
    Call(FuncId, Vec<ValueId>),
    /// A runtime built-in by its SIRS name; arguments are borrowed, the result owned.
    Builtin(&'static str, Vec<ValueId>),
    /// A mutating built-in whose first argument is the local it changes.
    BuiltinMut(&'static str, LocalId, Vec<ValueId>),
    CallExtern(usize, Vec<ValueId>),
    /// Wraps an owned value into a trait object with method table `vtables[i]`.
    MakeDyn(ValueId, usize),
    /// Calls method `i` of a trait object (the first argument) through its method table.
    CallDyn(usize, Vec<ValueId>),
    /// Fits model `inferred[model]` to the arguments (its data) with the named sampler options;
    /// the result is a `Posterior`.
    Infer { model: usize, args: Vec<ValueId>, options: Vec<(String, ValueId)> },
    /// Starts a call of an async function on its own thread; the result is a `Future`.
    Spawn(FuncId, Vec<ValueId>),
    /// Waits for a `Future` and takes its result (owned); re-raises the task's exception.
    Await(ValueId),
    /// Record, tuple or enum construction: the operands are owned and moved in.
    MakeRecord(Vec<ValueId>),
    MakeVariant(usize, Option<ValueId>),
    MakeArray(Vec<ValueId>),
    MakeMap(Vec<(ValueId, ValueId)>),
    MakeSet(Vec<ValueId>),
    /// A field of a record or tuple (borrowed).
    Field(ValueId, usize),
    /// An array element, bounds-checked (borrowed).
    Index(ValueId, ValueId),
    /// The payload of an enum value known to be the given variant (borrowed).
    Payload(ValueId, usize),
    /// Whether an enum value is the given variant.
    IsVariant(ValueId, usize),
    /// An owned copy of a borrowed value.
    Retain(ValueId),
    /// Releases an owned value when the enclosing block exits.
    DeferRelease(ValueId),
    /// Releases a local's value when the enclosing block exits.
    DeferReleaseLocal(LocalId),
    If { cond: ValueId, then_block: BlockId, else_block: BlockId },
    /// Repeats `body` until a `Break`; `step` runs after each iteration and on `Continue`.
    Loop { body: BlockId, step: Option<BlockId> },
    Break,
    Continue,
    Return(Option<ValueId>),
    Switch { value: ValueId, cases: Vec<(SwitchCase, BlockId)>, default: Option<BlockId> },
    /// A draw from a distribution (see [`SampleKind`]); `lower`/`upper` bound a parameter.
    Sample { site: u32, dist: &'static str, args: Vec<ValueId>, size: Option<ValueId>, lower: Option<ValueId>, upper: Option<ValueId>, kind: SampleKind },
    /// Adds the log density of `value` under the distribution to the model's target.
    Observe { dist: &'static str, args: Vec<ValueId>, value: ValueId },
    /// The log density (or mass) of `value` under the distribution.
    LogDensity { dist: &'static str, args: Vec<ValueId>, value: ValueId },
    /// Adds a term to the model's target.
    Factor(ValueId),
    /// Records a value in the site's output columns (outputs, prints, checks).
    Record { site: u32, value: ValueId },
    /// Text printed once, when a model is set up.
    PrintText(ValueId),
    /// Raises an exception carrying the (owned) value.
    Throw(ValueId),
    Try { body: BlockId, catches: Vec<CatchClause>, finally: Option<BlockId> },
    /// Marks code that cannot run (after an exhaustive switch).
    Unreachable,
}

impl InstKind {
    /// Instructions that end their block: nothing after them runs.
    pub fn is_terminator(&self) -> bool {
        matches!(self, InstKind::Break | InstKind::Continue | InstKind::Return(_) | InstKind::Throw(_) | InstKind::Unreachable)
    }

    /// The values this instruction reads, in evaluation order.
    pub fn operands(&self) -> Vec<ValueId> {
        use InstKind as K;
        match self {
            K::Const(_) | K::Local(_) | K::DeferReleaseLocal(_) | K::Break | K::Continue | K::Unreachable => Vec::new(),
            K::Loop { .. } | K::Try { .. } => Vec::new(),
            K::SetLocal(_, v) | K::InitLocal(_, v) | K::Unary(_, v) | K::Cast(v) | K::Field(v, _) | K::Payload(v, _) => vec![*v],
            K::IsVariant(v, _) | K::Retain(v) | K::DeferRelease(v) | K::Throw(v) | K::Factor(v) | K::PrintText(v) | K::Await(v) => vec![*v],
            K::MakeDyn(v, _) => vec![*v],
            K::Record { value, .. } => vec![*value],
            K::Sample { args, size, lower, upper, .. } => args.iter().copied().chain(*size).chain(*lower).chain(*upper).collect(),
            K::Observe { args, value, .. } | K::LogDensity { args, value, .. } => args.iter().copied().chain([*value]).collect(),
            K::If { cond, .. } => vec![*cond],
            K::Switch { value, .. } => vec![*value],
            K::Return(v) => v.iter().copied().collect(),
            K::MakeVariant(_, v) => v.iter().copied().collect(),
            K::Binary(_, a, b) | K::Index(a, b) => vec![*a, *b],
            K::Call(_, args) | K::Builtin(_, args) | K::BuiltinMut(_, _, args) | K::CallExtern(_, args) | K::Spawn(_, args) | K::CallDyn(_, args) => args.clone(),
            K::MakeRecord(items) | K::MakeArray(items) | K::MakeSet(items) => items.clone(),
            K::MakeMap(entries) => entries.iter().flat_map(|(k, v)| [*k, *v]).collect(),
            K::Infer { args, options, .. } => args.iter().copied().chain(options.iter().map(|(_, v)| *v)).collect(),
            K::SetPlace { path, value, .. } => {
                let mut out: Vec<ValueId> = path.iter().filter_map(|p| if let PlaceElem::Index(v) = p { Some(*v) } else { None }).collect();
                out.push(*value);
                out
            }
        }
    }

    /// Applies `f` to every operand in place.
    pub fn map_operands(&mut self, f: &mut impl FnMut(ValueId) -> ValueId) {
        use InstKind as K;
        match self {
            K::Const(_) | K::Local(_) | K::DeferReleaseLocal(_) | K::Break | K::Continue | K::Unreachable => {}
            K::Loop { .. } | K::Try { .. } => {}
            K::SetLocal(_, v) | K::InitLocal(_, v) | K::Unary(_, v) | K::Cast(v) | K::Field(v, _) | K::Payload(v, _) => *v = f(*v),
            K::IsVariant(v, _) | K::Retain(v) | K::DeferRelease(v) | K::Throw(v) | K::Factor(v) | K::PrintText(v) | K::Await(v) => *v = f(*v),
            K::MakeDyn(v, _) => *v = f(*v),
            K::Record { value, .. } => *value = f(*value),
            K::Sample { args, size, lower, upper, .. } => {
                args.iter_mut().for_each(|a| *a = f(*a));
                for v in [size, lower, upper].into_iter().flatten() {
                    *v = f(*v);
                }
            }
            K::Observe { args, value, .. } | K::LogDensity { args, value, .. } => {
                args.iter_mut().for_each(|a| *a = f(*a));
                *value = f(*value);
            }
            K::If { cond, .. } => *cond = f(*cond),
            K::Switch { value, .. } => *value = f(*value),
            K::Return(v) | K::MakeVariant(_, v) => {
                if let Some(v) = v {
                    *v = f(*v);
                }
            }
            K::Binary(_, a, b) | K::Index(a, b) => {
                *a = f(*a);
                *b = f(*b);
            }
            K::Call(_, args) | K::Builtin(_, args) | K::BuiltinMut(_, _, args) | K::CallExtern(_, args) | K::Spawn(_, args) | K::CallDyn(_, args) => {
                args.iter_mut().for_each(|a| *a = f(*a))
            }
            K::MakeRecord(items) | K::MakeArray(items) | K::MakeSet(items) => items.iter_mut().for_each(|a| *a = f(*a)),
            K::Infer { args, options, .. } => {
                args.iter_mut().for_each(|a| *a = f(*a));
                options.iter_mut().for_each(|(_, v)| *v = f(*v));
            }
            K::MakeMap(entries) => entries.iter_mut().for_each(|(k, v)| {
                *k = f(*k);
                *v = f(*v);
            }),
            K::SetPlace { path, value, .. } => {
                for p in path.iter_mut() {
                    if let PlaceElem::Index(v) = p {
                        *v = f(*v);
                    }
                }
                *value = f(*value);
            }
        }
    }

    /// The nested blocks of a control-flow instruction.
    pub fn blocks(&self) -> Vec<BlockId> {
        match self {
            InstKind::If { then_block, else_block, .. } => vec![*then_block, *else_block],
            InstKind::Loop { body, step } => std::iter::once(*body).chain(*step).collect(),
            InstKind::Switch { cases, default, .. } => cases.iter().map(|(_, b)| *b).chain(*default).collect(),
            InstKind::Try { body, catches, finally } => {
                std::iter::once(*body).chain(catches.iter().map(|c| c.body)).chain(*finally).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The function this instruction calls or starts, if any.
    pub fn callee(&self) -> Option<FuncId> {
        match self {
            InstKind::Call(f, _) | InstKind::Spawn(f, _) => Some(*f),
            _ => None,
        }
    }

    /// `callee`, to renumber functions.
    pub fn callee_mut(&mut self) -> Option<&mut FuncId> {
        match self {
            InstKind::Call(f, _) | InstKind::Spawn(f, _) => Some(f),
            _ => None,
        }
    }

    /// The local this instruction writes, if any.
    pub fn written_local(&self) -> Option<LocalId> {
        match self {
            InstKind::SetLocal(l, _) | InstKind::InitLocal(l, _) | InstKind::SetPlace { local: l, .. } | InstKind::BuiltinMut(_, l, _) => Some(*l),
            _ => None,
        }
    }
}

impl Function {
    pub fn inst(&self, v: ValueId) -> &Inst {
        &self.insts[v.index()]
    }

    pub fn block(&self, b: BlockId) -> &Block {
        &self.blocks[b.index()]
    }

    pub fn local(&self, l: LocalId) -> &LocalDecl {
        &self.locals[l.index()]
    }

    /// Adds an instruction to the table (not to any block) and returns its value.
    pub fn add_inst(&mut self, kind: InstKind, ty: Ty, span: Span) -> ValueId {
        self.insts.push(Inst { kind, ty, span });
        ValueId::from_index(self.insts.len() - 1)
    }

    pub fn add_block(&mut self) -> BlockId {
        self.blocks.push(Block::default());
        BlockId::from_index(self.blocks.len() - 1)
    }

    pub fn add_local(&mut self, name: impl Into<String>, ty: Ty, mutable: bool) -> LocalId {
        self.locals.push(LocalDecl { name: name.into(), ty, mutable });
        LocalId::from_index(self.locals.len() - 1)
    }

    /// Every block reachable from the body, parents before children.
    pub fn reachable_blocks(&self) -> Vec<BlockId> {
        let mut out = vec![self.body];
        let mut i = 0;
        while i < out.len() {
            let block = out[i];
            for v in &self.block(block).insts {
                out.extend(self.inst(*v).kind.blocks());
            }
            i += 1;
        }
        out
    }
}

impl Program {
    pub fn type_def(&self, id: TypeId) -> &TypeDef {
        &self.types[id.index()]
    }

    pub fn func(&self, id: FuncId) -> &Function {
        &self.functions[id.index()]
    }

    /// 1-based line and column of a span's start in the source.
    pub fn line_col(&self, span: Span) -> (u32, u32) {
        let offset = span.start as usize;
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let col = offset - self.line_starts.get(line).copied().unwrap_or(0);
        (u32::try_from(line + 1).unwrap_or(u32::MAX), u32::try_from(col + 1).unwrap_or(u32::MAX))
    }

    pub fn display<'a>(&'a self, ty: &'a Ty) -> crate::types::Display<'a, Program> {
        crate::types::Display { ty, names: self }
    }
}

impl crate::types::TypeNames for Program {
    fn adt_name(&self, id: crate::types::AdtId) -> &str {
        self.types.get(id.0 as usize).map_or("?", |t| t.name.as_str())
    }

    fn trait_name(&self, id: crate::types::TraitId) -> &str {
        self.dyn_traits.get(id.0 as usize).map_or("?", |t| t.name.as_str())
    }
}
