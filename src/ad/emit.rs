//! The adjoint program of a qualifying log density, as lines of Zig (the body of the model
//! spec's `adjoint` function; `runtime/ppl/adjoint.zig` holds the helpers it calls).
//!
//! Every model real gets a slot in two arrays: `ad_v` (its value) and `ad_a` (its adjoint);
//! an array of model reals is a `Buf` (`val` and `adj` slices); data values are Zig constants
//! `ad_d<N>`; locals are `ad_l<N>`. The forward sweep computes values in program order; the
//! reverse sweep visits the instructions backwards and adds each one's contribution to the
//! adjoints of its operands. Densities (priors, `observe`, `factor`) are evaluated in the
//! reverse sweep, where the adjoints of their operands are still being collected; the target's
//! adjoint is 1. A `for` loop runs forward, then backwards in the reverse sweep, recomputing
//! each iteration's values before reversing it (the analysis guarantees that this recomputation
//! sees the values the forward sweep saw).

use super::Unsupported;
use super::analysis::{RangeLoop, is_real_array, range_loop};
use super::live::{collect_insts, live_values};
use crate::ast::{BinOp, UnOp};
use crate::cir::{
    BlockId, Const, Function, InstKind, LocalId, PlaceElem, Program, SampleKind, Transform, Ty,
    ValueId,
};
use std::collections::{HashMap, HashSet};

/// The Zig expression of each entry parameter inside `adjoint` when the data field names are
/// the parameters' own (the listing of `--emit cir`).
pub fn param_names(f: &Function) -> Vec<String> {
    f.params
        .iter()
        .map(|l| format!("data.{}", f.local(*l).name))
        .collect()
}

/// The body of `adjoint(ctx, data)`: declarations, the forward sweep and the reverse sweep.
/// `data` names the Zig expression of each parameter of `f`.
pub fn adjoint_body(
    p: &Program,
    f: &Function,
    data: &[String],
) -> Result<Vec<String>, Unsupported> {
    adjoint_body_reading(p, f, data, HashSet::new())
}

/// [`adjoint_body`] where the data reads `in_bounds` (checked when the data was read,
/// `cir::databounds`) read their element without a bounds check.
pub fn adjoint_body_reading(
    p: &Program,
    f: &Function,
    data: &[String],
    in_bounds: HashSet<ValueId>,
) -> Result<Vec<String>, Unsupported> {
    let mut e = Emitter {
        in_bounds,
        p,
        f,
        data,
        slots: HashMap::new(),
        local_slots: HashMap::new(),
        bufs: HashMap::new(),
        next_slot: 0,
        mutable_reals: HashMap::new(),
        live: live_values(f),
        needed: None,
        branch_locals: HashSet::new(),
        fills: super::fill::Fills::of(f),
    };
    e.assign_slots(&f.block(f.body).insts)?;
    let mut forward = Vec::new();
    e.forward_block(&f.block(f.body).insts, &mut forward, false)?;
    let mut reverse = Vec::new();
    e.reverse_block(&f.block(f.body).insts, &mut reverse)?;
    let n = e.next_slot;
    let mut out = vec![
        "const rtad = rt.ppl.adjoint;".to_string(),
        "_ = &rtad;".to_string(),
        format!("var ad_v: [{n}]f64 = undefined;"),
        format!("var ad_a: [{n}]f64 = [_]f64{{0}} ** {n};"),
        "_ = &ad_v;".to_string(),
        "_ = &ad_a;".to_string(),
        "// forward sweep".to_string(),
    ];
    out.extend(forward);
    out.push("// reverse sweep".to_string());
    out.extend(reverse);
    Ok(out)
}

/// How a value is represented in the adjoint program.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// A model real: slot `n` of `ad_v`/`ad_a`.
    Real(usize),
    /// An array of model reals.
    Buf,
    /// Anything else (data, counters, booleans): a Zig constant.
    Data,
    /// No value (statements).
    Void,
}

struct Emitter<'a> {
    p: &'a Program,
    f: &'a Function,
    data: &'a [String],
    slots: HashMap<ValueId, usize>,
    local_slots: HashMap<LocalId, usize>,
    /// The Zig name of each array of model reals (values and locals alias their source).
    bufs: HashMap<ValueId, String>,
    next_slot: usize,
    /// The slot of each mutable model real local (its current value); reads copy it.
    mutable_reals: HashMap<LocalId, usize>,
    /// The instructions the log density needs (`live_values`).
    live: HashSet<ValueId>,
    /// While a region is recomputed in the reverse sweep: the values its reverse reads (the
    /// others are not recomputed, only their adjoints reset).
    needed: Option<HashSet<ValueId>>,
    /// Data reads whose bounds `Data.read` checked (`cir::databounds`).
    in_bounds: HashSet<ValueId>,
    /// Mutable data locals initialised in the arms of a branch, declared before it.
    branch_locals: HashSet<LocalId>,
    /// The `array_fill`s emitted as filled buffers by their casts (`fill`).
    fills: super::fill::Fills,
}

fn indent(lines: Vec<String>) -> Vec<String> {
    lines.into_iter().map(|l| format!("    {l}")).collect()
}

impl Emitter<'_> {
    // ----- slots -------------------------------------------------------------------------

    /// Gives every model real a slot; a read of an immutable real local shares its slot.
    fn assign_slots(&mut self, insts: &[ValueId]) -> Result<(), Unsupported> {
        for &v in insts {
            let inst = self.f.inst(v);
            match &inst.kind {
                InstKind::Loop { body, .. } => {
                    let body = self.f.block(*body).insts.clone();
                    self.assign_slots(&body)?;
                }
                InstKind::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    let (t, e) = (
                        self.f.block(*then_block).insts.clone(),
                        self.f.block(*else_block).insts.clone(),
                    );
                    self.assign_slots(&t)?;
                    self.assign_slots(&e)?;
                }
                InstKind::InitLocal(l, _)
                    if self.f.local(*l).ty == Ty::Real && self.f.local(*l).mutable =>
                {
                    self.mutable_reals.insert(*l, self.next_slot);
                    self.next_slot += 1;
                }
                InstKind::Local(l) if self.mutable_reals.contains_key(l) => {
                    self.slots.insert(v, self.next_slot);
                    self.next_slot += 1;
                }
                InstKind::InitLocal(l, x) if self.f.local(*l).ty == Ty::Real => {
                    let s = self.slot(*x, inst.span)?;
                    self.local_slots.insert(*l, s);
                }
                InstKind::Local(l) if inst.ty == Ty::Real => {
                    let Some(s) = self.local_slots.get(l).copied() else {
                        return Err(Unsupported::new(
                            format!(
                                "a read of the model real `{}` before it is set",
                                self.f.local(*l).name
                            ),
                            inst.span,
                        ));
                    };
                    self.slots.insert(v, s);
                }
                _ if inst.ty == Ty::Real => {
                    self.slots.insert(v, self.next_slot);
                    self.next_slot += 1;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A read of an immutable real local: it shares the local's slot and computes nothing.
    fn is_alias(&self, v: ValueId) -> bool {
        matches!(self.f.inst(v).kind, InstKind::Local(l) if !self.mutable_reals.contains_key(&l))
    }

    /// The mutable locals (model reals and data) that `insts` and the blocks inside them assign
    /// but do not declare: a region recomputed in the reverse sweep must start from their
    /// values as they were when it first ran.
    fn assigned_locals(&self, insts: &[ValueId]) -> Vec<LocalId> {
        let (mut set, mut declared) = (Vec::new(), Vec::new());
        self.collect_assigned(insts, &mut set, &mut declared);
        set.retain(|l| !declared.contains(l));
        set
    }

    fn collect_assigned(
        &self,
        insts: &[ValueId],
        set: &mut Vec<LocalId>,
        declared: &mut Vec<LocalId>,
    ) {
        for &v in insts {
            match &self.f.inst(v).kind {
                InstKind::SetLocal(l, _) if !set.contains(l) => set.push(*l),
                InstKind::InitLocal(l, _) => declared.push(*l),
                InstKind::Loop { body, .. } => {
                    self.collect_assigned(&self.f.block(*body).insts, set, declared)
                }
                InstKind::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    self.collect_assigned(&self.f.block(*then_block).insts, set, declared);
                    self.collect_assigned(&self.f.block(*else_block).insts, set, declared);
                }
                _ => {}
            }
        }
    }

    /// The Zig expression and type of a saved local's value.
    fn saved_value(&self, l: LocalId) -> (String, String) {
        match self.mutable_reals.get(&l) {
            Some(s) => (format!("ad_v[{s}]"), "f64".into()),
            None => (format!("ad_l{}", l.0), self.zig_ty(&self.f.local(l).ty)),
        }
    }

    /// Declares the checkpoint stacks of region `v` (one per saved local).
    fn declare_stacks(&self, v: ValueId, locals: &[LocalId], out: &mut Vec<String>) {
        for l in locals {
            let (_, ty) = self.saved_value(*l);
            out.push(format!(
                "var ad_k{}_{}: std.ArrayListUnmanaged({ty}) = .{{}};",
                v.0, l.0
            ));
            out.push(format!("_ = &ad_k{}_{};", v.0, l.0));
        }
    }

    /// Saves the values of `locals` on their checkpoint stacks (forward sweep).
    fn save(&self, v: ValueId, locals: &[LocalId], out: &mut Vec<String>) {
        for l in locals {
            let (value, _) = self.saved_value(*l);
            out.push(format!(
                "try ad_k{}_{}.append(ctx.allocator, {value});",
                v.0, l.0
            ));
        }
    }

    /// Restores the values saved by `save` (reverse sweep).
    fn restore(&self, v: ValueId, locals: &[LocalId], out: &mut Vec<String>) {
        for l in locals {
            let (value, _) = self.saved_value(*l);
            let stack = format!("ad_k{}_{}", v.0, l.0);
            out.push(format!("{value} = {stack}.items[{stack}.items.len - 1];"));
            out.push(format!("{stack}.items.len -= 1;"));
        }
    }

    fn slot(&self, v: ValueId, span: crate::span::Span) -> Result<usize, Unsupported> {
        self.slots.get(&v).copied().ok_or_else(|| {
            Unsupported::new("a model real the compiled gradient cannot follow", span)
        })
    }

    fn kind(&self, v: ValueId) -> Kind {
        let ty = &self.f.inst(v).ty;
        match ty {
            Ty::Real => self.slots.get(&v).map_or(Kind::Data, |s| Kind::Real(*s)),
            Ty::Void => Kind::Void,
            _ if is_real_array(ty) => Kind::Buf,
            _ => Kind::Data,
        }
    }

    // ----- operands ------------------------------------------------------------------------

    /// The value of `v` as an f64 or data expression.
    fn val(&self, v: ValueId) -> String {
        match self.kind(v) {
            Kind::Real(s) => format!("ad_v[{s}]"),
            Kind::Buf => self.buf(v),
            _ => format!("ad_d{}", v.0),
        }
    }

    fn buf(&self, v: ValueId) -> String {
        self.bufs
            .get(&v)
            .cloned()
            .unwrap_or_else(|| format!("ad_b{}", v.0))
    }

    /// An operand of a density: active reals carry their adjoint.
    fn dist_operand(&self, v: ValueId) -> Result<String, Unsupported> {
        match self.kind(v) {
            Kind::Real(s) => Ok(format!(
                "rtad.Active{{ .val = ad_v[{s}], .adj = &ad_a[{s}] }}"
            )),
            Kind::Buf => Ok(self.buf(v)),
            _ => match &self.f.inst(v).ty {
                Ty::Array(e) if matches!(**e, Ty::Array(_)) => Err(Unsupported::new(
                    "a matrix argument of a distribution",
                    self.f.inst(v).span,
                )),
                _ => Ok(self.val(v)),
            },
        }
    }

    fn dist_operands(&self, args: &[ValueId]) -> Result<Vec<String>, Unsupported> {
        args.iter().map(|a| self.dist_operand(*a)).collect()
    }

    /// The filled buffer `name` that a fused `array_fill` and its cast become (`fill`).
    fn filled(&self, name: &str, f: super::fill::Fill) -> String {
        let (n, x, loc) = (self.val(f.len), self.val(f.value), self.loc(f.fill));
        format!("const {name} = try rtad.filled(ctx, {n}, {x}, {loc});")
    }

    fn loc(&self, v: ValueId) -> String {
        let (line, col) = self.p.line_col(self.f.inst(v).span);
        format!(
            ".{{ .func = {:?}, .line = {line}, .col = {col} }}",
            self.f.source_name
        )
    }

    fn unsupported(&self, v: ValueId, what: &str) -> Unsupported {
        Unsupported::new(what.to_string(), self.f.inst(v).span)
    }

    // ----- forward sweep -------------------------------------------------------------------

    /// The forward statements of `insts`; `zero` resets the adjoint of each model real
    /// computed (a loop body recomputed in the reverse sweep).
    /// Whether `v` matters to the log density (values only recorded for output do not).
    fn is_live(&self, v: ValueId) -> bool {
        self.live.contains(&v)
    }

    fn forward_block(
        &mut self,
        insts: &[ValueId],
        out: &mut Vec<String>,
        zero: bool,
    ) -> Result<(), Unsupported> {
        for &v in insts {
            if !self.is_live(v) {
                continue;
            }
            let skip = zero && self.needed.as_ref().is_some_and(|n| !n.contains(&v));
            if !skip {
                self.forward(v, out)?;
            }
            if let (true, Kind::Real(s)) = (zero, self.kind(v))
                && !self.is_alias(v)
            {
                out.push(format!("ad_a[{s}] = 0;"));
            }
        }
        Ok(())
    }

    fn forward(&mut self, v: ValueId, out: &mut Vec<String>) -> Result<(), Unsupported> {
        let inst = self.f.inst(v);
        let kind = inst.kind.clone();
        match self.kind(v) {
            Kind::Real(s) => self.forward_real(v, s, &kind, out),
            Kind::Buf => self.forward_buf(v, &kind, out),
            Kind::Data => self.forward_data(v, &kind, out),
            Kind::Void => self.forward_statement(v, &kind, out),
        }
    }

    fn forward_real(
        &mut self,
        v: ValueId,
        s: usize,
        kind: &InstKind,
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        let expr = match kind {
            InstKind::Local(l) => match self.mutable_reals.get(l) {
                Some(t) => format!("ad_v[{t}]"),
                None => return Ok(()),
            },
            InstKind::Const(Const::Float(x)) => float_literal(*x),
            InstKind::Cast(x) => match &self.f.inst(*x).ty {
                Ty::Float(_) => format!("@as(f64, {})", self.val(*x)),
                Ty::Int(_) => format!("@as(f64, @floatFromInt({}))", self.val(*x)),
                _ => return Err(self.unsupported(v, "a conversion to a model real")),
            },
            InstKind::Unary(UnOp::Neg, x) => format!("-{}", self.val(*x)),
            InstKind::Binary(op, a, b) => match op {
                BinOp::Add => format!("{} + {}", self.val(*a), self.val(*b)),
                BinOp::Sub => format!("{} - {}", self.val(*a), self.val(*b)),
                BinOp::Mul => format!("{} * {}", self.val(*a), self.val(*b)),
                BinOp::Div => format!("{} / {}", self.val(*a), self.val(*b)),
                BinOp::Pow => format!(
                    "rtad.binary(\"pow\", {}, {})[0]",
                    self.val(*a),
                    self.val(*b)
                ),
                _ => {
                    return Err(
                        self.unsupported(v, "an operation on model reals other than + - * / ^")
                    );
                }
            },
            InstKind::Index(a, i) if self.kind(*a) == Kind::Buf => {
                let b = self.buf(*a);
                format!(
                    "{b}.val[rtad.at({}, {b}.val.len, {})]",
                    self.val(*i),
                    self.loc(v)
                )
            }
            InstKind::Builtin(name, args) => self.forward_builtin(v, name, args, out)?,
            InstKind::Sample {
                args,
                size: None,
                lower,
                upper,
                kind: SampleKind::Param(tr),
                ..
            } => {
                self.check_param(v, args, *tr)?;
                out.push(format!(
                    "const ad_p{} = try ctx.take(1, {});",
                    v.0,
                    self.loc(v)
                ));
                out.push(format!(
                    "const ad_c{} = rtad.constrain({}, ctx.q[ad_p{}], {}, {});",
                    v.0,
                    transform(*tr),
                    v.0,
                    self.bound(*lower, "-"),
                    self.bound(*upper, "")
                ));
                format!("ad_c{}.x", v.0)
            }
            _ => {
                return Err(self.unsupported(
                    v,
                    "an operation on model reals the compiled gradient does not know",
                ));
            }
        };
        out.push(format!("ad_v[{s}] = {expr};"));
        Ok(())
    }

    /// The value of a built-in on model reals (math through forward mode, `dot`, sums).
    fn forward_builtin(
        &mut self,
        v: ValueId,
        name: &str,
        args: &[ValueId],
        out: &mut Vec<String>,
    ) -> Result<String, Unsupported> {
        let vals: Vec<String> = args.iter().map(|a| self.val(*a)).collect();
        Ok(match name {
            "dot" => {
                let (row, b) = self.dot_operands(v, args)?;
                out.push(format!(
                    "rtad.dotLengths({row}.items().len, {b}.val.len, {});",
                    self.loc(v)
                ));
                format!("rtad.dot({row}.items(), {b})")
            }
            "array_sum" | "array_mean" if self.kind(args[0]) == Kind::Buf => {
                let sum = format!("rt.ppl.ad.F64.sum({}.val)", vals[0]);
                if name == "array_sum" {
                    sum
                } else {
                    format!("{sum} / @as(f64, @floatFromInt({}.val.len))", vals[0])
                }
            }
            "math_log10" => format!("rtad.unary(\"log\", {})[0] / std.math.ln10", vals[0]),
            "math_log2" => format!("rtad.unary(\"log\", {})[0] / std.math.ln2", vals[0]),
            _ => {
                let op = fwd_op(name).ok_or_else(|| {
                    self.unsupported(v, &format!("the built-in `{name}` on model reals"))
                })?;
                if args.iter().any(|a| self.kind(*a) == Kind::Buf) {
                    return Err(self.unsupported(
                        v,
                        &format!("the built-in `{name}` on an array of model reals"),
                    ));
                }
                format!(
                    "rtad.{}(\"{op}\", {})[0]",
                    arity_fn(args.len()).ok_or_else(
                        || self.unsupported(v, "a built-in of more than three arguments")
                    )?,
                    vals.join(", ")
                )
            }
        })
    }

    /// The data row and the array of model reals of a `dot`.
    fn dot_operands(&self, v: ValueId, args: &[ValueId]) -> Result<(String, String), Unsupported> {
        match (self.kind(args[0]), self.kind(args[1])) {
            (Kind::Data, Kind::Buf) => Ok((self.val(args[0]), self.buf(args[1]))),
            (Kind::Buf, Kind::Data) => Ok((self.val(args[1]), self.buf(args[0]))),
            _ => Err(self.unsupported(v, "a `dot` of two arrays of model reals")),
        }
    }

    fn bound(&self, b: Option<ValueId>, sign: &str) -> String {
        match b {
            Some(x) => format!("rt.ppl.ad.value({})", self.val(x)),
            None => format!("{sign}std.math.inf(f64)"),
        }
    }

    /// A parameter the adjoint handles: a scalar transform, no truncation by active bounds.
    fn check_param(&self, v: ValueId, args: &[ValueId], tr: Transform) -> Result<(), Unsupported> {
        if matches!(
            tr,
            Transform::Ordered
                | Transform::PositiveOrdered
                | Transform::Simplex
                | Transform::Joint
                | Transform::CholeskyCorr
                | Transform::CorrMatrix
                | Transform::CovMatrix
        ) {
            return Err(self.unsupported(
                v,
                "a vector-constrained parameter (ordered, simplex, joint, Cholesky, correlation or covariance matrix)",
            ));
        }
        let active = args
            .iter()
            .any(|a| matches!(self.kind(*a), Kind::Real(_) | Kind::Buf));
        if active
            && matches!(
                tr,
                Transform::Lower | Transform::Upper | Transform::Interval
            )
        {
            return Err(self.unsupported(
                v,
                "a bounded parameter whose distribution depends on parameters (truncation)",
            ));
        }
        Ok(())
    }

    fn forward_buf(
        &mut self,
        v: ValueId,
        kind: &InstKind,
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        let name = format!("ad_b{}", v.0);
        match kind {
            InstKind::Local(l) => {
                self.bufs.insert(v, format!("ad_l{}", l.0));
            }
            InstKind::Retain(x) => {
                self.bufs.insert(v, self.buf(*x));
            }
            InstKind::Cast(_) if let Some(fill) = self.fills.fill_of(v) => out.push(self.filled(&name, fill)),
            InstKind::Cast(x) if self.kind(*x) == Kind::Data => out.push(format!(
                "const {name} = try rtad.lift(ctx, {});",
                self.val(*x)
            )),
            InstKind::MakeArray(items) => {
                out.push(format!(
                    "const {name} = try rtad.buffer(ctx, {}, {});",
                    items.len(),
                    self.loc(v)
                ));
                for (i, x) in items.iter().enumerate() {
                    out.push(format!("{name}.val[{i}] = {};", self.val(*x)));
                }
            }
            InstKind::Sample {
                args,
                size: Some(n),
                lower,
                upper,
                kind: SampleKind::Param(tr),
                ..
            } => {
                self.check_param(v, args, *tr)?;
                let (lo, hi) = (self.bound(*lower, "-"), self.bound(*upper, ""));
                out.push(format!(
                    "const ad_p{} = try ctx.take({}, {});",
                    v.0,
                    self.val(*n),
                    self.loc(v)
                ));
                out.push(format!(
                    "const {name} = try rtad.buffer(ctx, {}, {});",
                    self.val(*n),
                    self.loc(v)
                ));
                out.push(format!("for ({name}.val, 0..) |*x, i| x.* = rtad.constrain({}, ctx.q[ad_p{} + i], {lo}, {hi}).x;", transform(*tr), v.0));
            }
            _ => {
                return Err(self.unsupported(
                    v,
                    "an array of model reals made in a way the compiled gradient does not know",
                ));
            }
        }
        Ok(())
    }

    fn forward_data(
        &mut self,
        v: ValueId,
        kind: &InstKind,
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        let ty = self.f.inst(v).ty.clone();
        let name = format!("ad_d{}", v.0);
        let expr = match kind {
            InstKind::Const(c) => const_literal(c, &ty)
                .ok_or_else(|| self.unsupported(v, "a constant of this type"))?,
            InstKind::Local(l) => match self.f.params.iter().position(|p| p == l) {
                Some(i) => self.data[i].clone(),
                None => format!("ad_l{}", l.0),
            },
            InstKind::Retain(x) => self.val(*x),
            InstKind::Unary(UnOp::Neg, x) if matches!(ty, Ty::Float(_)) => {
                format!("-{}", self.val(*x))
            }
            InstKind::Unary(UnOp::Not, x) => format!("!{}", self.val(*x)),
            InstKind::Binary(op, a, b) => self.data_binary(v, *op, *a, *b, &ty)?,
            InstKind::Cast(x) => match (&self.f.inst(*x).ty, &ty) {
                (Ty::Int(_), Ty::Float(f)) => {
                    format!("@as({}, @floatFromInt({}))", f.name(), self.val(*x))
                }
                (a, b) if a == b => self.val(*x),
                _ => {
                    return Err(
                        self.unsupported(v, "a conversion the compiled gradient does not know")
                    );
                }
            },
            InstKind::Index(a, i) if self.kind(*a) == Kind::Data && self.in_bounds.contains(&v) => {
                format!("{}.getInBounds({})", self.val(*a), self.val(*i))
            }
            InstKind::Index(a, i) if self.kind(*a) == Kind::Data => {
                format!("{}.get({}, {})", self.val(*a), self.val(*i), self.loc(v))
            }
            InstKind::Builtin("len", args) => format!("{}.len()", self.val(args[0])),
            InstKind::Sample {
                dist,
                args,
                kind: kind @ (SampleKind::Enumerated | SampleKind::Gibbs),
                site,
                ..
            } => {
                // the value this run of the enumeration chooses (`runtime/ppl/enumerate.zig`;
                // the chain's value instead when the site's Gibbs fallback was taken), or the
                // chain's current value of a Gibbs-updated site (`runtime/ppl/gibbs.zig`); its
                // log mass is added in the reverse sweep
                let ops = self.dist_operands(args)?;
                let call = if *kind == SampleKind::Gibbs { "gibbs(ctx, ".to_string() } else { format!("enumerated(ctx, {site}, ") };
                out.push(format!(
                    "const ad_n{} = try rtad.{call}rt.ppl.dist.{dist}, .{{ {} }}, {});",
                    v.0,
                    ops.join(", "),
                    self.loc(v)
                ));
                match ty {
                    Ty::Bool => format!("ad_n{} != 0", v.0),
                    Ty::Int(crate::types::IntTy::I64) => format!("ad_n{}", v.0),
                    _ => {
                        return Err(self.unsupported(
                            v,
                            "a discrete parameter of an integer type other than i64",
                        ));
                    }
                }
            }
            InstKind::Builtin("array_fill", _) if self.fills.is_fused_fill(v) => return Ok(()),
            InstKind::Builtin("array_fill", args)
                if args.iter().all(|a| self.kind(*a) == Kind::Data) =>
            {
                out.push(format!(
                    "const {name} = rt.array_fill({}, {}, {});",
                    self.val(args[0]),
                    self.val(args[1]),
                    self.loc(v)
                ));
                out.push(format!("defer rt.release({name});"));
                out.push(format!("_ = &{name};"));
                return Ok(());
            }
            InstKind::Builtin(b, args)
                if args.iter().all(|a| self.kind(*a) == Kind::Data)
                    && matches!(ty, Ty::Float(_)) =>
            {
                let op =
                    fwd_op(b).ok_or_else(|| self.unsupported(v, &format!("the built-in `{b}`")))?;
                let vals: Vec<String> = args
                    .iter()
                    .map(|a| format!("@as(f64, {})", self.val(*a)))
                    .collect();
                format!(
                    "rtad.{}(\"{op}\", {})[0]",
                    arity_fn(args.len()).ok_or_else(
                        || self.unsupported(v, "a built-in of more than three arguments")
                    )?,
                    vals.join(", ")
                )
            }
            _ => {
                return Err(
                    self.unsupported(v, "an instruction the compiled gradient does not know")
                );
            }
        };
        out.push(format!("const {name} = {expr};"));
        out.push(format!("_ = &{name};"));
        Ok(())
    }

    fn data_binary(
        &self,
        v: ValueId,
        op: BinOp,
        a: ValueId,
        b: ValueId,
        ty: &Ty,
    ) -> Result<String, Unsupported> {
        if [a, b]
            .iter()
            .any(|x| matches!(self.kind(*x), Kind::Real(_) | Kind::Buf))
        {
            return Err(self.unsupported(
                v,
                "a comparison of model reals (control flow that depends on parameters)",
            ));
        }
        let (x, y) = (self.val(a), self.val(b));
        let operand_ty = self.f.inst(a).ty.clone();
        if let (Ty::Int(i), Some(f)) = (
            &operand_ty,
            match op {
                BinOp::Add => Some("add"),
                BinOp::Sub => Some("sub"),
                BinOp::Mul => Some("mul"),
                _ => None,
            },
        ) {
            return Ok(format!("rt.{f}({}, {x}, {y}, {})", i.name(), self.loc(v)));
        }
        let symbol = match op {
            BinOp::Add if matches!(ty, Ty::Float(_)) => "+",
            BinOp::Sub if matches!(ty, Ty::Float(_)) => "-",
            BinOp::Mul if matches!(ty, Ty::Float(_)) => "*",
            BinOp::Div if matches!(ty, Ty::Float(_)) => "/",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq if !matches!(operand_ty, Ty::Array(_) | Ty::Str) => "==",
            BinOp::Ne if !matches!(operand_ty, Ty::Array(_) | Ty::Str) => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
            _ => {
                return Err(self.unsupported(
                    v,
                    "an operation on data the compiled gradient does not know",
                ));
            }
        };
        Ok(format!("{x} {symbol} {y}"))
    }

    fn forward_statement(
        &mut self,
        v: ValueId,
        kind: &InstKind,
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        match kind {
            InstKind::InitLocal(l, x) => self.forward_init(v, *l, *x, out)?,
            InstKind::SetPlace { local, path, value } => {
                let [PlaceElem::Index(i)] = path.as_slice() else {
                    return Err(self.unsupported(v, "an update of part of a value"));
                };
                out.push(format!(
                    "ad_l{}.val[rtad.at({}, ad_l{}.val.len, {})] = {};",
                    local.0,
                    self.val(*i),
                    local.0,
                    self.loc(v),
                    self.val(*value)
                ));
            }
            InstKind::Loop { body, .. } => {
                let range = range_loop(self.f, v).ok_or_else(|| {
                    self.unsupported(v, "a loop that is not a `for` over a range")
                })?;
                self.forward_loop(v, range, &self.f.block(*body).insts.clone(), out)?;
            }
            InstKind::Observe { .. }
            | InstKind::Factor(_)
            | InstKind::Record { .. }
            | InstKind::PrintText(_) => {}
            InstKind::DeferRelease(_) | InstKind::DeferReleaseLocal(_) | InstKind::Return(None) => {
            }
            InstKind::SetLocal(l, x) if self.mutable_reals.contains_key(l) => out.push(format!(
                "ad_v[{}] = {};",
                self.mutable_reals[l],
                self.val(*x)
            )),
            InstKind::If {
                cond,
                then_block,
                else_block,
            } => {
                self.declare_branch_locals(&[*then_block, *else_block], out);
                self.forward_if(v, *cond, *then_block, *else_block, out)?
            }
            InstKind::SetLocal(l, x) if self.kind(*x) == Kind::Data => {
                out.push(format!("ad_l{} = {};", l.0, self.val(*x)))
            }
            InstKind::SetLocal(..) => {
                return Err(
                    self.unsupported(v, "an assignment the compiled gradient does not know")
                );
            }
            _ => return Err(self.unsupported(v, "a statement the compiled gradient does not know")),
        }
        Ok(())
    }

    /// Declares, before a branch, the mutable data locals its arms initialise (a `cond` on data
    /// sets its result in each arm), so that the code after the branch sees them.
    fn declare_branch_locals(&mut self, arms: &[BlockId], out: &mut Vec<String>) {
        let mut declared = Vec::new();
        for b in arms {
            for &v in &self.f.block(*b).insts {
                let InstKind::InitLocal(l, x) = self.f.inst(v).kind else { continue };
                let local = self.f.local(l);
                let numeric = matches!(local.ty, Ty::Int(_) | Ty::Float(_) | Ty::Bool);
                if !local.mutable || !numeric || self.kind(x) != Kind::Data || declared.contains(&l) {
                    continue;
                }
                declared.push(l);
                out.push(format!("var ad_l{}: {} = undefined;", l.0, self.zig_ty(&local.ty)));
                out.push(format!("_ = &ad_l{};", l.0));
                self.branch_locals.insert(l);
            }
        }
    }

    fn forward_init(
        &mut self,
        v: ValueId,
        l: LocalId,
        x: ValueId,
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        let local = self.f.local(l);
        match self.kind(x) {
            Kind::Real(_) if self.mutable_reals.contains_key(&l) => out.push(format!(
                "ad_v[{}] = {};",
                self.mutable_reals[&l],
                self.val(x)
            )),
            Kind::Real(_) => {}
            Kind::Buf => {
                let src = self.buf(x);
                let aliased = matches!(
                    self.f.inst(x).kind,
                    InstKind::Local(_) | InstKind::Retain(_)
                );
                out.push(if aliased {
                    format!("const ad_l{} = try rtad.copy(ctx, {src});", l.0)
                } else {
                    format!("const ad_l{} = {src};", l.0)
                });
                out.push(format!("_ = &ad_l{};", l.0));
            }
            Kind::Data if self.branch_locals.contains(&l) => {
                out.push(format!("ad_l{} = {};", l.0, self.val(x)));
            }
            Kind::Data if local.mutable => {
                if !matches!(local.ty, Ty::Int(_) | Ty::Float(_) | Ty::Bool) {
                    return Err(self.unsupported(v, "a mutable local that is not a number"));
                }
                out.push(format!(
                    "var ad_l{}: {} = {};",
                    l.0,
                    self.zig_ty(&local.ty),
                    self.val(x)
                ));
                out.push(format!("_ = &ad_l{};", l.0));
            }
            Kind::Data => {
                out.push(format!("const ad_l{} = {};", l.0, self.val(x)));
                out.push(format!("_ = &ad_l{};", l.0));
            }
            Kind::Void => return Err(self.unsupported(v, "a local without a value")),
        }
        Ok(())
    }

    fn zig_ty(&self, ty: &Ty) -> String {
        match ty {
            Ty::Int(i) => i.name().to_string(),
            Ty::Float(f) => f.name().to_string(),
            _ => "bool".to_string(),
        }
    }

    fn forward_loop(
        &mut self,
        v: ValueId,
        range: RangeLoop,
        body: &[ValueId],
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        let c = range.counter.0;
        let saved = self.assigned_locals(body);
        self.declare_stacks(v, &saved, out);
        out.push(format!("const ad_s{} = ad_l{c};", v.0));
        out.push(format!("while (true) : (ad_l{c} += 1) {{"));
        let mut inner = Vec::new();
        self.forward_block(&body[..range.header], &mut inner, false)?;
        inner.push(format!("if (!{}) break;", self.val(range.cond)));
        self.save(v, &saved, &mut inner);
        self.forward_block(&body[range.header + 1..], &mut inner, false)?;
        out.extend(indent(inner));
        out.push("}".into());
        out.push(format!("const ad_e{} = ad_l{c};", v.0));
        out.push(format!("_ = &ad_s{};", v.0));
        out.push(format!("_ = &ad_e{};", v.0));
        Ok(())
    }

    // ----- reverse sweep -------------------------------------------------------------------

    fn reverse_block(
        &mut self,
        insts: &[ValueId],
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        for &v in insts.iter().rev() {
            if !self.is_live(v) {
                continue;
            }
            self.reverse(v, out)?;
        }
        Ok(())
    }

    fn reverse(&mut self, v: ValueId, out: &mut Vec<String>) -> Result<(), Unsupported> {
        let kind = self.f.inst(v).kind.clone();
        match (&kind, self.kind(v)) {
            (InstKind::Local(l), Kind::Real(s)) if self.mutable_reals.contains_key(l) => {
                out.push(format!("ad_a[{}] += ad_a[{s}];", self.mutable_reals[l]))
            }
            (InstKind::Local(_), _) => {}
            (InstKind::SetLocal(l, x) | InstKind::InitLocal(l, x), _)
                if self.mutable_reals.contains_key(l) =>
            {
                let t = self.mutable_reals[l];
                self.push_adj(out, *x, t, "");
                out.push(format!("ad_a[{t}] = 0;"));
            }
            (
                InstKind::If {
                    cond,
                    then_block,
                    else_block,
                },
                _,
            ) => self.reverse_if(v, *cond, *then_block, *else_block, out)?,
            (InstKind::Loop { body, .. }, _) => {
                let range = range_loop(self.f, v).ok_or_else(|| {
                    self.unsupported(v, "a loop that is not a `for` over a range")
                })?;
                self.reverse_loop(v, range, &self.f.block(*body).insts.clone(), out)?;
            }
            (
                InstKind::Sample {
                    dist,
                    args,
                    kind: SampleKind::Enumerated | SampleKind::Gibbs,
                    ..
                },
                _,
            ) => {
                let ops = self.dist_operands(args)?;
                out.push(format!(
                    "try rtad.density(ctx, rt.ppl.dist.{dist}, ad_n{}, .{{ {} }}, {});",
                    v.0,
                    ops.join(", "),
                    self.loc(v)
                ));
            }
            (
                InstKind::Sample {
                    dist, args, size, ..
                },
                _,
            ) => self.reverse_param(v, dist, args, size.is_some(), out)?,
            (InstKind::Observe { dist, args, value }, _) => {
                let ops: Vec<String> = args
                    .iter()
                    .map(|a| self.dist_operand(*a))
                    .collect::<Result<_, _>>()?;
                out.push(format!(
                    "try rtad.density(ctx, rt.ppl.dist.{dist}, {}, .{{ {} }}, {});",
                    self.dist_operand(*value)?,
                    ops.join(", "),
                    self.loc(v)
                ));
            }
            (InstKind::Factor(x), _) => match self.kind(*x) {
                Kind::Real(s) => {
                    out.push(format!("ctx.target += ad_v[{s}];"));
                    out.push(format!("ad_a[{s}] += 1;"));
                }
                _ => out.push(format!("ctx.target += {};", self.val(*x))),
            },
            (InstKind::SetPlace { local, path, value }, _) => {
                let [PlaceElem::Index(i)] = path.as_slice() else {
                    return Ok(());
                };
                let b = format!("ad_l{}", local.0);
                let j = format!("rtad.at({}, {b}.val.len, {})", self.val(*i), self.loc(v));
                match self.kind(*value) {
                    Kind::Real(s) => {
                        out.push("{".into());
                        out.push(format!("    const j = {j};"));
                        out.push(format!("    ad_a[{s}] += {b}.adj[j];"));
                        out.push(format!("    {b}.adj[j] = 0;"));
                        out.push("}".into());
                    }
                    _ => out.push(format!("{b}.adj[{j}] = 0;")),
                }
            }
            (InstKind::InitLocal(l, x), _)
                if self.kind(*x) == Kind::Buf
                    && matches!(
                        self.f.inst(*x).kind,
                        InstKind::Local(_) | InstKind::Retain(_)
                    ) =>
            {
                out.push(format!("rtad.copyReverse({}, ad_l{});", self.buf(*x), l.0));
            }
            (InstKind::MakeArray(items), Kind::Buf) => {
                for (i, x) in items.iter().enumerate() {
                    if let Kind::Real(s) = self.kind(*x) {
                        out.push(format!("ad_a[{s}] += ad_b{}.adj[{i}];", v.0));
                    }
                }
            }
            (_, Kind::Real(s)) => self.reverse_real(v, s, &kind, out)?,
            _ => {}
        }
        Ok(())
    }

    /// Adds `weight · adj(v)` to the adjoint of `x` when `x` is a model real.
    fn push_adj(&self, out: &mut Vec<String>, x: ValueId, s: usize, weight: &str) {
        if let Kind::Real(t) = self.kind(x) {
            if weight.is_empty() {
                out.push(format!("ad_a[{t}] += ad_a[{s}];"));
            } else {
                out.push(format!("ad_a[{t}] += ad_a[{s}] * {weight};"));
            }
        }
    }

    fn reverse_real(
        &mut self,
        v: ValueId,
        s: usize,
        kind: &InstKind,
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        match kind {
            InstKind::Unary(UnOp::Neg, x) => {
                if let Kind::Real(t) = self.kind(*x) {
                    out.push(format!("ad_a[{t}] -= ad_a[{s}];"));
                }
            }
            InstKind::Binary(op, a, b) => {
                let (va, vb) = (self.val(*a), self.val(*b));
                match op {
                    BinOp::Add => {
                        self.push_adj(out, *a, s, "");
                        self.push_adj(out, *b, s, "");
                    }
                    BinOp::Sub => {
                        self.push_adj(out, *a, s, "");
                        self.push_adj(out, *b, s, "-1.0");
                    }
                    BinOp::Mul => {
                        self.push_adj(out, *a, s, &vb);
                        self.push_adj(out, *b, s, &va);
                    }
                    BinOp::Div => {
                        self.push_adj(out, *a, s, &format!("(1.0 / {vb})"));
                        self.push_adj(out, *b, s, &format!("(-ad_v[{s}] / {vb})"));
                    }
                    BinOp::Pow => {
                        self.push_adj(out, *a, s, &format!("rtad.binary(\"pow\", {va}, {vb})[1]"));
                        self.push_adj(out, *b, s, &format!("rtad.binary(\"pow\", {va}, {vb})[2]"));
                    }
                    _ => {}
                }
            }
            InstKind::Index(a, i) => {
                let b = self.buf(*a);
                out.push(format!(
                    "{b}.adj[rtad.at({}, {b}.val.len, {})] += ad_a[{s}];",
                    self.val(*i),
                    self.loc(v)
                ));
            }
            InstKind::Builtin(name, args) => self.reverse_builtin(v, s, name, args, out)?,
            _ => {}
        }
        Ok(())
    }

    fn reverse_builtin(
        &mut self,
        v: ValueId,
        s: usize,
        name: &str,
        args: &[ValueId],
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        let vals: Vec<String> = args.iter().map(|a| self.val(*a)).collect();
        match name {
            "dot" => {
                let (row, b) = self.dot_operands(v, args)?;
                out.push(format!("rtad.dotReverse({row}.items(), {b}, ad_a[{s}]);"));
            }
            "array_sum" => out.push(format!("for ({}.adj) |*x| x.* += ad_a[{s}];", vals[0])),
            "array_mean" => out.push(format!(
                "for ({0}.adj) |*x| x.* += ad_a[{s}] / @as(f64, @floatFromInt({0}.adj.len));",
                vals[0]
            )),
            "math_log10" => self.push_adj(
                out,
                args[0],
                s,
                &format!("(1.0 / ({} * std.math.ln10))", vals[0]),
            ),
            "math_log2" => self.push_adj(
                out,
                args[0],
                s,
                &format!("(1.0 / ({} * std.math.ln2))", vals[0]),
            ),
            _ => {
                let op = fwd_op(name).ok_or_else(|| {
                    self.unsupported(v, &format!("the built-in `{name}` on model reals"))
                })?;
                let f = arity_fn(args.len()).ok_or_else(|| {
                    self.unsupported(v, "a built-in of more than three arguments")
                })?;
                let partials = format!("rtad.{f}(\"{op}\", {})", vals.join(", "));
                for (k, a) in args.iter().enumerate() {
                    self.push_adj(out, *a, s, &format!("{partials}[{}]", k + 1));
                }
            }
        }
        Ok(())
    }

    fn reverse_param(
        &mut self,
        v: ValueId,
        dist: &str,
        args: &[ValueId],
        vector: bool,
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        let ops: Vec<String> = args
            .iter()
            .map(|a| self.dist_operand(*a))
            .collect::<Result<_, _>>()?;
        let n = v.0;
        let InstKind::Sample {
            lower,
            upper,
            kind: SampleKind::Param(tr),
            ..
        } = &self.f.inst(v).kind
        else {
            return Err(self.unsupported(v, "a draw that is not a parameter"));
        };
        let (lo, hi, t) = (
            self.bound(*lower, "-"),
            self.bound(*upper, ""),
            transform(*tr),
        );
        if vector {
            out.push(format!(
                "try rtad.density(ctx, rt.ppl.dist.{dist}, ad_b{n}, .{{ {} }}, {});",
                ops.join(", "),
                self.loc(v)
            ));
            out.push(format!("for (ad_b{n}.adj, 0..) |a, i| {{"));
            out.push(format!(
                "    const c = rtad.constrain({t}, ctx.q[ad_p{n} + i], {lo}, {hi});"
            ));
            out.push("    ctx.target += c.lj;".into());
            out.push(format!("    ctx.grad[ad_p{n} + i] += a * c.dx + c.dlj;"));
            out.push("}".into());
        } else {
            let Kind::Real(s) = self.kind(v) else {
                return Err(self.unsupported(v, "a parameter without a slot"));
            };
            out.push(format!("try rtad.density(ctx, rt.ppl.dist.{dist}, rtad.Active{{ .val = ad_v[{s}], .adj = &ad_a[{s}] }}, .{{ {} }}, {});", ops.join(", "), self.loc(v)));
            out.push(format!("ctx.target += ad_c{n}.lj;"));
            out.push(format!(
                "ctx.grad[ad_p{n}] += ad_a[{s}] * ad_c{n}.dx + ad_c{n}.dlj;"
            ));
        }
        Ok(())
    }

    fn reverse_loop(
        &mut self,
        v: ValueId,
        range: RangeLoop,
        body: &[ValueId],
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        let c = range.counter.0;
        out.push(format!("ad_l{c} = ad_e{};", v.0));
        out.push(format!("while (ad_l{c} > ad_s{}) {{", v.0));
        let mut inner = vec![format!("ad_l{c} -= 1;")];
        let saved = self.assigned_locals(body);
        self.restore(v, &saved, &mut inner);
        // the exit test is not recomputed: the counter already says the iteration ran
        let without_test: Vec<ValueId> = body
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != range.header)
            .map(|(_, v)| *v)
            .collect();
        let outer = self.needed.replace(self.reverse_needs(&without_test));
        self.forward_block(&body[..range.header], &mut inner, true)?;
        self.forward_block(&body[range.header + 1..], &mut inner, true)?;
        self.needed = outer;
        self.reverse_block(&body[range.header + 1..], &mut inner)?;
        out.extend(indent(inner));
        out.push("}".into());
        Ok(())
    }
}

impl Emitter<'_> {
    /// A branch on data: forward, the values of the mutable reals it assigns are saved first.
    fn forward_if(
        &mut self,
        v: ValueId,
        cond: ValueId,
        then_block: BlockId,
        else_block: BlockId,
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        if self.kind(cond) != Kind::Data {
            return Err(self.unsupported(
                v,
                "a branch on a model real (control flow that depends on parameters)",
            ));
        }
        let saved = self.assigned_locals(&[v]);
        self.declare_stacks(v, &saved, out);
        self.save(v, &saved, out);
        let (t, e) = (
            self.f.block(then_block).insts.clone(),
            self.f.block(else_block).insts.clone(),
        );
        let (mut then_out, mut else_out) = (Vec::new(), Vec::new());
        self.forward_block(&t, &mut then_out, false)?;
        self.forward_block(&e, &mut else_out, false)?;
        push_if(out, &self.val(cond), then_out, else_out);
        Ok(())
    }

    /// The reverse of a branch: the saved values are restored, the branch taken is recomputed
    /// (its values are local to it) and reversed.
    fn reverse_if(
        &mut self,
        v: ValueId,
        cond: ValueId,
        then_block: BlockId,
        else_block: BlockId,
        out: &mut Vec<String>,
    ) -> Result<(), Unsupported> {
        let saved = self.assigned_locals(&[v]);
        self.restore(v, &saved, out);
        let mut arms = Vec::new();
        for b in [then_block, else_block] {
            let insts = self.f.block(b).insts.clone();
            let mut arm = Vec::new();
            let outer = self.needed.replace(self.reverse_needs(&insts));
            self.forward_block(&insts, &mut arm, true)?;
            self.needed = outer;
            self.reverse_block(&insts, &mut arm)?;
            arms.push(arm);
        }
        let else_out = arms.pop().unwrap_or_default();
        let then_out = arms.pop().unwrap_or_default();
        push_if(out, &self.val(cond), then_out, else_out);
        Ok(())
    }
}

impl Emitter<'_> {
    /// The instructions of `insts` that recomputing them for the reverse sweep must run: those
    /// whose values the reverse statements read (a product needs its factors, a quotient its
    /// divisor and result, a density all its operands, an element its index …), assignments of
    /// mutable locals, nested loops and branches with everything they use, and, transitively,
    /// what those values are computed from. A sum's value, say, is never recomputed.
    fn reverse_needs(&self, insts: &[ValueId]) -> HashSet<ValueId> {
        let mut work: Vec<ValueId> = Vec::new();
        for &v in insts {
            let kind = &self.f.inst(v).kind;
            match kind {
                InstKind::Binary(BinOp::Add | BinOp::Sub, ..) | InstKind::Unary(UnOp::Neg, _)
                    if matches!(self.kind(v), Kind::Real(_)) => {}
                InstKind::Binary(BinOp::Div, _, b) if matches!(self.kind(v), Kind::Real(_)) => {
                    work.extend([*b, v])
                }
                InstKind::Local(_)
                | InstKind::Record { .. }
                | InstKind::PrintText(_)
                | InstKind::DeferRelease(_)
                | InstKind::DeferReleaseLocal(_) => {}
                InstKind::SetPlace { path, .. } => work.extend(path.iter().filter_map(|p| {
                    if let PlaceElem::Index(i) = p {
                        Some(*i)
                    } else {
                        None
                    }
                })),
                InstKind::Loop { .. } | InstKind::If { .. } => {
                    let mut nested = Vec::new();
                    collect_insts(self.f, &[v], &mut nested);
                    for n in nested {
                        work.push(n);
                        work.extend(self.f.inst(n).kind.operands());
                    }
                }
                _ if matches!(self.kind(v), Kind::Real(_)) => work.extend(kind.operands()),
                _ => {
                    // statements (assignments, densities, …) and data values
                    if self.kind(v) == Kind::Void {
                        work.push(v);
                        work.extend(kind.operands());
                    }
                }
            }
        }
        let mut need = HashSet::new();
        while let Some(w) = work.pop() {
            if need.insert(w) {
                work.extend(self.f.inst(w).kind.operands());
            }
        }
        need
    }
}

/// `if (cond) { then } else { else }`.
fn push_if(out: &mut Vec<String>, cond: &str, then_out: Vec<String>, else_out: Vec<String>) {
    out.push(format!("if ({cond}) {{"));
    out.extend(indent(then_out));
    out.push("} else {".into());
    out.extend(indent(else_out));
    out.push("}".into());
}

/// The runtime's name of a transform (`rtad.Transform`).
fn transform(tr: Transform) -> &'static str {
    match tr {
        Transform::Lower => ".lower",
        Transform::Upper => ".upper",
        Transform::Interval => ".interval",
        Transform::Positive => ".positive",
        Transform::Unit => ".unit",
        _ => ".real",
    }
}

/// The forward-mode op (`ad.Fwd`) of a differentiable math built-in.
fn fwd_op(name: &str) -> Option<&'static str> {
    crate::zig::ad_math_op(name)
}

fn arity_fn(n: usize) -> Option<&'static str> {
    match n {
        1 => Some("unary"),
        2 => Some("binary"),
        3 => Some("ternary"),
        _ => None,
    }
}

fn float_literal(x: f64) -> String {
    if x.is_nan() {
        "std.math.nan(f64)".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "std.math.inf(f64)".into()
        } else {
            "-std.math.inf(f64)".into()
        }
    } else {
        format!("@as(f64, {x:?})")
    }
}

fn const_literal(c: &Const, ty: &Ty) -> Option<String> {
    Some(match (c, ty) {
        (Const::Int(i), Ty::Int(t)) => format!("@as({}, {i})", t.name()),
        (Const::Float(x), Ty::Float(t)) if x.is_finite() => format!("@as({}, {x:?})", t.name()),
        (Const::Float(x), _) => float_literal(*x),
        (Const::Bool(b), _) => b.to_string(),
        _ => return None,
    })
}
