//! The expression of each CIR instruction: operators with checked integer arithmetic, casts,
//! built-in and standard-library calls, model (AD) operations and draws, and the construction
//! of records, variants and maps.

use super::model::transform_name;
use super::*;

impl<'m, 'a> FnEmitter<'m, 'a> {
    pub(super) fn expr(&mut self, v: ValueId) -> Doc {
        let inst = self.f.inst(v).clone();
        use InstKind as K;
        match &inst.kind {
            K::Const(c) => self.constant(c, &inst.ty),
            K::Local(l) => text(self.local_names[l.index()].clone()),
            K::Unary(op, a) => self.unary(v, *op, *a, &inst.ty),
            K::Binary(op, a, b) => self.binary(v, *op, *a, *b, &inst.ty),
            K::Cast(a) => self.cast(v, *a, &inst.ty),
            K::Call(f, args) => {
                let mut docs = self.typed_args(args);
                if self.m.p.func(*f).model {
                    docs.insert(0, text("ctx"));
                    docs.insert(0, text("M"));
                    return concat([text("try "), text_call(&self.m.fn_names[f.index()], docs)]);
                }
                let call = text_call(&self.m.fn_names[f.index()], docs);
                if self.m.p.func(*f).can_throw { self.catching(call) } else { call }
            }
            K::Sample { site, dist, args, size, lower, upper, kind } => self.sample(v, *site, dist, args, *size, *lower, *upper, *kind, &inst.ty),
            K::LogDensity { dist, args, value } => {
                let y = self.dist_arg(*value);
                let tuple = self.dist_args(args);
                let d = text(format!("rt.ppl.dist.{dist}"));
                if self.f.model {
                    concat([text("try "), text_call("M.lpdf", vec![text("ctx"), d, y, tuple, text(self.loc(v))])])
                } else {
                    text_call("rt.ppl.forward.lpdf", vec![d, y, tuple, text(self.loc(v))])
                }
            }
            K::Infer { model, args, options } => {
                let spec = self.m.inferred_names.get(*model).cloned().unwrap_or_default();
                let names: Vec<String> = self.m.p.inferred.get(*model).map_or(Vec::new(), |m| m.entry.data.iter().map(|(n, _)| string_literal(n)).collect());
                // The data tuple is `anytype`: a bare literal would be a comptime number.
                let values: Vec<Doc> = args.iter().map(|a| self.operand(*a)).collect();
                let data = if values.is_empty() {
                    text("rt.ppl.infer.dataJson(&.{}, .{})")
                } else {
                    text_call("rt.ppl.infer.dataJson", vec![text(format!("&.{{ {} }}", names.join(", "))), concat([text(".{ "), join(values, text(", ")), text(" }")])])
                };
                let mut fields = Vec::new();
                for (name, value) in options {
                    let value = self.typed_operand(*value);
                    fields.push(concat([text(format!(".{} = ", escape(name))), value]));
                }
                let opts = if fields.is_empty() { text(".{}") } else { concat([text(".{ "), join(fields, text(", ")), text(" }")]) };
                text_call("rt.ppl.infer.run", vec![text(spec), data, opts, text(self.loc(v))])
            }
            K::MakeDyn(x, table) => {
                let concrete = self.m.ty(&self.f.inst(*x).ty);
                let x = self.typed_operand(*x);
                let table = self.m.vtable_names.get(*table).cloned().unwrap_or_default();
                text_call(&format!("{}.make", self.m.ty(&inst.ty)), vec![text(concrete), x, text(format!("&{table}"))])
            }
            K::CallDyn(method, args) => {
                let Some((object, rest)) = args.split_first() else { return text("unreachable") };
                let Ty::TraitObject(t) = self.f.inst(*object).ty else { return text("unreachable") };
                let Some(m) = self.m.p.dyn_traits.get(t.0 as usize).and_then(|d| d.methods.get(*method)) else { return text("unreachable") };
                let can_throw = m.can_throw;
                let name = names::escaped_string(&m.name);
                let object = self.operand(*object);
                let rest = self.typed_args(rest);
                let tuple = if rest.is_empty() { text(".{}") } else { concat([text(".{ "), join(rest, text(", ")), text(" }")]) };
                let call = concat([object, text_call(".invoke", vec![text(name), tuple])]);
                if can_throw { self.catching(call) } else { call }
            }
            K::Spawn(f, args) => {
                let args = self.typed_args(args);
                let tuple = if args.is_empty() { text(".{}") } else { concat([text(".{ "), join(args, text(", ")), text(" }")]) };
                text_call("rt.task.spawn", vec![text(self.m.fn_names[f.index()].clone()), tuple])
            }
            K::Await(task) => {
                let task = self.operand(*task);
                let join = text_call("rt.task.join", vec![task, text(self.loc(v))]);
                self.catching(join)
            }
            K::CallExtern(i, args) => {
                let args = self.typed_args(args);
                text_call(&self.m.p.externs[*i].name, args)
            }
            K::Builtin(name, args) => self.builtin(v, name, args),
            K::BuiltinMut(name, l, args) => {
                let mut docs = vec![text(format!("&{}", self.local_names[l.index()]))];
                docs.extend(args.iter().map(|a| self.operand(*a)));
                if builtin_takes_loc(name) {
                    docs.push(text(self.loc(v)));
                }
                text_call(&format!("rt.{name}"), docs)
            }
            K::MakeRecord(items) => self.make_record(&inst.ty, items),
            K::MakeVariant(i, payload) => self.make_variant(&inst.ty, *i, *payload),
            K::MakeArray(items) => {
                let elem = match &inst.ty {
                    Ty::Array(e) => self.m.ty(e),
                    _ => "void".into(),
                };
                let docs: Vec<Doc> = items.iter().map(|i| self.typed_operand(*i)).collect();
                if docs.is_empty() {
                    return text(format!("rt.List({elem}).empty()"));
                }
                concat([text(format!("rt.List({elem}).fromSlice(&[_]{elem}{{ ")), join(docs, text(", ")), text(" })")])
            }
            K::MakeSet(items) => {
                let elem = match &inst.ty {
                    Ty::Set(e) => self.m.ty(e),
                    _ => "void".into(),
                };
                let docs: Vec<Doc> = items.iter().map(|i| self.typed_operand(*i)).collect();
                concat([text(format!("rt.Set({elem}).fromSlice(&[_]{elem}{{ ")), join(docs, text(", ")), text(" })")])
            }
            K::MakeMap(entries) => self.make_map(&inst.ty, entries),
            K::Field(o, i) => {
                let ty = self.f.inst(*o).ty.clone();
                let object = self.operand(*o);
                concat([object, text(format!(".{}", self.m.field_name(&ty, *i)))])
            }
            K::Index(o, i) if self.in_bounds.contains(&v) => {
                let object = self.operand(*o);
                let index = self.operand(*i);
                concat([object, text_call(".getInBounds", vec![index])])
            }
            K::Index(o, i) => {
                let object = self.operand(*o);
                let index = self.operand(*i);
                concat([object, text_call(".get", vec![index, text(self.loc(v))])])
            }
            K::Payload(o, i) => {
                let ty = self.f.inst(*o).ty.clone();
                let (name, boxed) = self.m.variant(&ty, *i);
                let object = self.operand(*o);
                let suffix = if boxed { ".get()" } else { "" };
                concat([object, text(format!(".{name}{suffix}"))])
            }
            K::IsVariant(o, i) => {
                let ty = self.f.inst(*o).ty.clone();
                let object = self.operand(*o);
                concat([text("("), object, text(format!(" == .{})", self.m.variant(&ty, *i).0))])
            }
            K::Retain(x) => {
                let x = self.operand(*x);
                concat([text("rt.retained("), x, text(")")])
            }
            _ => text("unreachable"),
        }
    }

    pub(super) fn typed_args(&mut self, args: &[ValueId]) -> Vec<Doc> {
        args.iter().map(|a| self.typed_operand(*a)).collect()
    }

    pub(super) fn unary(&mut self, v: ValueId, op: UnOp, a: ValueId, ty: &Ty) -> Doc {
        let arg = self.operand(a);
        match (op, ty) {
            (UnOp::Neg, Ty::Real) => text_call("M.neg", vec![arg]),
            (UnOp::Not, _) => concat([text("!"), paren(arg)]),
            (UnOp::Neg, Ty::Int(i)) => text_call("rt.neg", vec![text(i.name()), arg, text(self.loc(v))]),
            (UnOp::Neg, _) => concat([text("-"), paren(arg)]),
            (UnOp::BitNot, _) => concat([text("~"), paren(arg)]),
        }
    }

    pub(super) fn binary(&mut self, v: ValueId, op: BinOp, a: ValueId, b: ValueId, ty: &Ty) -> Doc {
        let operand_ty = self.f.inst(a).ty.clone();
        if operand_ty == Ty::Real || self.f.inst(b).ty == Ty::Real {
            return self.real_binary(op, a, b);
        }
        let both_constant = self.is_const(a) && self.is_const(b);
        let lhs = if both_constant { self.operand(a) } else { self.typed_operand(a) };
        let rhs = if both_constant { self.operand(b) } else { self.typed_operand(b) };
        match &operand_ty {
            Ty::Int(_) if op == BinOp::Add && self.no_overflow.contains(&v) => paren(infix(lhs, "+", rhs)),
            Ty::Int(i) => self.int_binary(v, op, lhs, rhs, i.name()),
            // Zig folds float arithmetic on compile-time operands by its own rules (signed zeros
            // come out wrong, `x + 0.0` becomes `x`, `@rem` by a known zero is rejected): such
            // operations go through a runtime function, which computes the IEEE result.
            Ty::Float(f) if self.float_folding_risk(op, a, b) => text_call(&format!("rt.float_{}", op.keyword()), vec![text(f.name()), lhs, rhs]),
            Ty::Float(_) => float_binary(op, lhs, rhs, ty),
            Ty::Bool => infix(lhs, bool_op(op), rhs),
            Ty::Str => match op {
                BinOp::Add => call2("rt.str.concat", lhs, rhs),
                BinOp::Eq => call2("rt.str.eql", lhs, rhs),
                BinOp::Ne => concat([text("!"), call2("rt.str.eql", lhs, rhs)]),
                _ => paren(concat([call2("rt.str.order", lhs, rhs), text(order_test(op))])),
            },
            _ => match op {
                BinOp::Eq => call2("rt.eql", lhs, rhs),
                BinOp::Ne => concat([text("!"), call2("rt.eql", lhs, rhs)]),
                _ => paren(concat([call2("rt.order", lhs, rhs), text(order_test(op))])),
            },
        }
    }

    /// Whether Zig might fold this float operation itself: both operands constant, a constant
    /// zero operand of `+`, `-`, `*`, or any `mod` (whose divisor Zig may know to be zero).
    pub(super) fn float_folding_risk(&self, op: BinOp, a: ValueId, b: ValueId) -> bool {
        let zero = |v: ValueId| matches!(self.f.inst(v).kind, InstKind::Const(Const::Float(x)) if x == 0.0);
        let arithmetic = matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod);
        arithmetic && (op == BinOp::Mod || (self.is_const(a) && self.is_const(b)) || zero(a) || zero(b))
    }

    /// Arithmetic and comparisons where an operand depends on model parameters.
    pub(super) fn real_binary(&mut self, op: BinOp, a: ValueId, b: ValueId) -> Doc {
        let lhs = self.typed_operand(a);
        let rhs = self.typed_operand(b);
        let name = match op {
            BinOp::Add => "M.add",
            BinOp::Sub => "M.sub",
            BinOp::Mul => "M.mul",
            BinOp::Div => "M.div",
            BinOp::Pow => "M.pow",
            BinOp::Mod => "M.rem",
            other => return infix(text_call("M.value", vec![lhs]), comparison(other), text_call("M.value", vec![rhs])),
        };
        text_call(name, vec![lhs, rhs])
    }

    pub(super) fn int_binary(&self, v: ValueId, op: BinOp, lhs: Doc, rhs: Doc, ty: &str) -> Doc {
        let checked = |name: &str| text_call(&format!("rt.{name}"), vec![text(ty), lhs.clone(), rhs.clone(), text(self.loc(v))]);
        match op {
            BinOp::Add => checked("add"),
            BinOp::Sub => checked("sub"),
            BinOp::Mul => checked("mul"),
            BinOp::Div => checked("div"),
            BinOp::Mod => checked("rem"),
            BinOp::Pow => checked("pow"),
            BinOp::Shl => checked("shl"),
            BinOp::Shr => checked("shr"),
            BinOp::BitAnd => infix(lhs, "&", rhs),
            BinOp::BitOr => infix(lhs, "|", rhs),
            BinOp::BitXor => infix(lhs, "^", rhs),
            other => infix(lhs, comparison(other), rhs),
        }
    }

    pub(super) fn cast(&mut self, v: ValueId, a: ValueId, to: &Ty) -> Doc {
        let from = self.f.inst(a).ty.clone();
        let x = self.operand(a);
        let to_name = self.m.ty(to);
        match (&from, to) {
            (Ty::Float(_), Ty::Real) | (Ty::Int(_), Ty::Real) => text_call("M.lift", vec![x]),
            (Ty::Real, Ty::Float(_)) => text_call("M.value", vec![x]),
            (Ty::Real, Ty::Int(_)) => text_call("rt.floatToInt", vec![text(to_name), text_call("M.value", vec![x]), text(self.loc(v))]),
            (Ty::Array(_), Ty::Array(_)) => real_list_cast(to, x),
            (Ty::Int(_), Ty::Int(_)) => text_call("rt.intCast", vec![text(to_name), x, text(self.loc(v))]),
            (Ty::Int(_), Ty::Float(_)) => concat([text(format!("@as({to_name}, @floatFromInt(")), x, text("))")]),
            (Ty::Float(_), Ty::Int(_)) => text_call("rt.floatToInt", vec![text(to_name), x, text(self.loc(v))]),
            (Ty::Float(_), Ty::Float(_)) => concat([text(format!("@as({to_name}, @floatCast(")), x, text("))")]),
            (Ty::Bool, Ty::Int(_)) => concat([text(format!("@as({to_name}, @intFromBool(")), x, text("))")]),
            (Ty::Int(_), Ty::Bool) => concat([text("("), x, text(" != 0)")]),
            _ => x,
        }
    }

    pub(super) fn builtin(&mut self, v: ValueId, name: &str, args: &[ValueId]) -> Doc {
        if name.starts_with("ppl_") {
            return self.ppl_builtin(v, name, args);
        }
        let real = args.iter().any(|a| self.f.inst(*a).ty.contains_real());
        if real
            && let Some(doc) = self.real_builtin(name, args) {
                return doc;
            }
        if crate::cir::model::is_matrix_function(name) {
            return self.matrix_builtin(v, name, args, if real { "M" } else { "rt.ppl.ad.F64" });
        }
        let mut docs: Vec<Doc> = args.iter().map(|a| self.operand(*a)).collect();
        if name == "channel_new" {
            return text_call(&format!("{}.init", self.m.ty(&self.f.inst(v).ty)), docs);
        }
        if builtin_takes_loc(name) {
            docs.push(text(self.loc(v)));
        }
        if name == "range_continues" {
            docs.push(text(self.loc(v)));
        }
        let call = text_call(&format!("rt.{name}"), docs);
        self.boxed_option_result(v, name, call)
    }

    /// A built-in returning the runtime's `Option(T)` where the program declares that option
    /// with a boxed payload (`T` holds the option): converted, copying a borrowed result
    /// (`map_get`) and taking over an owned one.
    pub(super) fn boxed_option_result(&self, v: ValueId, name: &str, call: Doc) -> Doc {
        let ty = &self.f.inst(v).ty;
        let declared = matches!(ty, Ty::Adt(id, _) if self.m.p.types.get(id.0 as usize).is_some_and(|d| d.builtin.is_some() && !runtime_adt(d)));
        if !declared {
            return call;
        }
        let convert = if name == "map_get" { "rt.option.boxedCopy" } else { "rt.option.boxedMove" };
        text_call(convert, vec![text(self.m.ty(ty)), call])
    }

    /// The built-ins of declared distributions and mixtures (`cir::lower::prob::custom`): in a
    /// model function they go through the mode `M` (an invalid value rejects the proposal),
    /// elsewhere through `rt.ppl.forward` (a located fault). Constant operands are passed bare,
    /// so the runtime receives them at compile time.
    pub(super) fn ppl_builtin(&mut self, v: ValueId, name: &str, args: &[ValueId]) -> Doc {
        let mut docs: Vec<Doc> = args
            .iter()
            .map(|a| match &self.f.inst(*a).kind {
                InstKind::Const(Const::Str(s)) => text(string_literal(s)),
                InstKind::Const(c) => self.bare_constant(c),
                _ => self.operand(*a),
            })
            .collect();
        let loc = text(self.loc(v));
        let in_model = self.f.model;
        let checked = |f: &str, mut docs: Vec<Doc>| {
            docs.push(loc.clone());
            if in_model {
                docs.insert(0, text("ctx"));
                concat([text("try "), text_call(&format!("M.{f}"), docs)])
            } else {
                text_call(&format!("rt.ppl.forward.{f}"), docs)
            }
        };
        match name {
            "ppl_check_param" => checked("checkParam", docs),
            "ppl_check_density" => checked("checkDensity", docs),
            "ppl_mixture_log_weights" => checked("mixtureLogWeights", docs),
            "ppl_in_support" => text_call("rt.ppl.forward.inSupport", docs),
            "ppl_neg_inf" => text("-std.math.inf(f64)"),
            "ppl_check_size" => {
                docs.push(loc);
                text_call("rt.ppl.forward.checkSize", docs)
            }
            "ppl_mixture_pick" => {
                docs.push(loc);
                text_call("rt.ppl.forward.pickComponent", docs)
            }
            "ppl_predictive_begin" => text("M.beginPredictive(ctx)"),
            "ppl_predictive_end" => text("M.endPredictive(ctx)"),
            _ => text(format!("@compileError(\"unknown built-in {name}\")")),
        }
    }

    /// A matrix built-in (runtime/ppl/matrix.zig) in the AD mode `mode`: `M` on model reals,
    /// `rt.ppl.ad.F64` on plain values.
    fn matrix_builtin(&mut self, v: ValueId, name: &str, args: &[ValueId], mode: &str) -> Doc {
        let mut docs = vec![text(mode)];
        docs.extend(args.iter().map(|a| self.typed_operand(*a)));
        docs.push(text(self.loc(v)));
        let module = if matches!(name, "row" | "col" | "block" | "segment") { "matrix_slice" } else { "matrix" };
        text_call(&format!("rt.ppl.{module}.{name}"), docs)
    }

    /// A differentiable built-in applied to model reals; `None` (with no operand taken) for
    /// the others, such as `len`, which work on model reals as they are.
    pub(super) fn real_builtin(&mut self, name: &str, args: &[ValueId]) -> Option<Doc> {
        let special = matches!(name, "array_sum" | "array_mean" | "log_sum_exp_array" | "dot" | "math_log10" | "math_log2");
        if !special && ad_math(name).is_none() {
            return None;
        }
        let docs: Vec<Doc> = args.iter().map(|a| self.typed_operand(*a)).collect();
        match name {
            "array_sum" => Some(text_call("M.sum", vec![concat([docs[0].clone(), text(".items()")])])),
            "array_mean" => {
                let items = concat([docs[0].clone(), text(".items()")]);
                let count = concat([text("@as(f64, @floatFromInt("), docs[0].clone(), text(".len()))")]);
                Some(text_call("M.div", vec![text_call("M.sum", vec![items]), count]))
            }
            "log_sum_exp_array" => Some(text_call("M.log_sum_exp_slice", vec![concat([docs[0].clone(), text(".items()")])])),
            "dot" => {
                let a = concat([docs[0].clone(), text(".items()")]);
                let b = concat([docs[1].clone(), text(".items()")]);
                Some(text_call("M.dot", vec![a, b]))
            }
            "math_log10" => Some(text_call("M.div", vec![text_call("M.log", docs), text("std.math.ln10")])),
            "math_log2" => Some(text_call("M.div", vec![text_call("M.log", docs), text("std.math.ln2")])),
            _ => ad_math(name).map(|op| text_call(&format!("M.{op}"), docs)),
        }
    }

    /// One argument of a distribution: lists are passed as slices.
    pub(super) fn dist_arg(&mut self, v: ValueId) -> Doc {
        self.dist_arg_at(v, 0)
    }

    /// A distribution operand; `slot` is its position in the call (0 for the value), so that
    /// two matrix operands of one call get separate row-major buffers.
    fn dist_arg_at(&mut self, v: ValueId, slot: usize) -> Doc {
        let ty = self.f.inst(v).ty.clone();
        let d = self.typed_operand(v);
        let d = if matches!(self.f.inst(v).kind, InstKind::Const(_)) { self.operand_const(v) } else { d };
        match &ty {
            // A list of rows: the distributions take a row-major matrix view.
            Ty::Array(row) if matches!(**row, Ty::Array(_)) => {
                let Ty::Array(elem) = &**row else { return d };
                let elem = self.m.ty(elem);
                text_call("rt.ppl.forward.matrix", vec![text(elem), text(slot.to_string()), concat([d, text(".items()")]), text(self.loc(v))])
            }
            Ty::Array(_) => concat([d, text(".items()")]),
            _ => d,
        }
    }

    pub(super) fn operand_const(&self, v: ValueId) -> Doc {
        match &self.f.inst(v).kind {
            InstKind::Const(c) => self.constant(c, &self.f.inst(v).ty),
            _ => text("undefined"),
        }
    }

    /// The parameter tuple of a distribution.
    pub(super) fn dist_args(&mut self, args: &[ValueId]) -> Doc {
        let docs: Vec<Doc> = args.iter().enumerate().map(|(i, a)| self.dist_arg_at(*a, i + 1)).collect();
        if docs.is_empty() {
            return text(".{}");
        }
        concat([text(".{ "), join(docs, text(", ")), text(" }")])
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn sample(&mut self, v: ValueId, site: u32, dist: &str, args: &[ValueId], size: Option<ValueId>, lower: Option<ValueId>, upper: Option<ValueId>, kind: SampleKind, ty: &Ty) -> Doc {
        let tuple = self.dist_args(args);
        let d = format!("rt.ppl.dist.{dist}");
        let loc = text(self.loc(v));
        let bound = |this: &mut Self, b: Option<ValueId>| b.map_or(text("{}"), |x| this.dist_arg(x));
        match kind {
            SampleKind::Forward => {
                if crate::check::dists::find(dist).is_some_and(|info| info.is_multivariate()) {
                    let n = size.map_or(text("{}"), |n| self.operand(n));
                    return text_call("rt.ppl.forward.drawJoint", vec![text(d), tuple, n, loc]);
                }
                if let Some(n) = size {
                    let n = self.operand(n);
                    let elem = match ty {
                        Ty::Array(e) => self.m.ty(e),
                        _ => "f64".into(),
                    };
                    return text_call("rt.ppl.forward.drawVector", vec![text(d), tuple, n, text(elem), loc]);
                }
                if lower.is_some() || upper.is_some() {
                    let lo = bound(self, lower);
                    let hi = bound(self, upper);
                    return text_call("rt.ppl.forward.drawBounded", vec![text(d), tuple, lo, hi, loc]);
                }
                text_call("rt.ppl.forward.draw", vec![text(d), tuple, loc])
            }
            SampleKind::Predictive => {
                let t = self.m.ty(ty);
                concat([text("try "), text_call("M.predictive", vec![text("ctx"), text(site.to_string()), text(d), tuple, text(t), loc])])
            }
            SampleKind::Enumerated => {
                let t = self.m.ty(ty);
                concat([text("try "), text_call("M.enumerated", vec![text("ctx"), text(site.to_string()), text(d), tuple, text(t), loc])])
            }
            SampleKind::Gibbs => {
                let t = self.m.ty(ty);
                concat([text("try "), text_call("M.gibbs", vec![text("ctx"), text(site.to_string()), text(d), tuple, text(t), loc])])
            }
            SampleKind::Param(tr) => {
                let call = match (tr, size) {
                    (Transform::Simplex, Some(k)) => {
                        let k = self.operand(k);
                        text_call("M.paramSimplex", vec![text("ctx"), text(site.to_string()), text(d), tuple, k, loc])
                    }
                    (Transform::Joint, Some(k)) => {
                        let k = self.operand(k);
                        text_call("M.paramJoint", vec![text("ctx"), text(site.to_string()), text(d), tuple, k, loc])
                    }
                    (Transform::CholeskyCorr, Some(k)) => {
                        let k = self.operand(k);
                        text_call("M.paramCholeskyCorr", vec![text("ctx"), text(site.to_string()), text(d), tuple, k, loc])
                    }
                    (Transform::CorrMatrix | Transform::CovMatrix, Some(k)) => {
                        let k = self.operand(k);
                        let shape = text(if tr == Transform::CorrMatrix { ".corr" } else { ".cov" });
                        text_call("M.paramMatrix", vec![text("ctx"), text(site.to_string()), text(d), tuple, k, shape, loc])
                    }
                    (_, Some(n)) => {
                        let n = self.operand(n);
                        let lo = bound(self, lower);
                        let hi = bound(self, upper);
                        let t = text(format!(".{}", transform_name(tr)));
                        text_call("M.paramVector", vec![text("ctx"), text(site.to_string()), text(d), tuple, n, t, lo, hi, loc])
                    }
                    (_, None) => {
                        let lo = bound(self, lower);
                        let hi = bound(self, upper);
                        let t = text(format!(".{}", transform_name(tr)));
                        text_call("M.param", vec![text("ctx"), text(site.to_string()), text(d), tuple, t, lo, hi, loc])
                    }
                };
                concat([text("try "), call])
            }
        }
    }

    pub(super) fn make_record(&mut self, ty: &Ty, items: &[ValueId]) -> Doc {
        let name = self.m.ty(ty);
        let fields: Vec<Doc> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let value = self.typed_operand(*item);
                concat([text(format!(".{} = ", self.m.field_name(ty, i))), value])
            })
            .collect();
        if fields.is_empty() {
            return text(format!("{name}{{}}"));
        }
        concat([text(format!("{name}{{ ")), join(fields, text(", ")), text(" }")])
    }

    pub(super) fn make_variant(&mut self, ty: &Ty, index: usize, payload: Option<ValueId>) -> Doc {
        let name = self.m.ty(ty);
        let (variant, boxed) = self.m.variant(ty, index);
        match payload {
            None => text(format!("{name}{{ .{variant} = {{}} }}")),
            Some(p) => {
                let value = self.typed_operand(p);
                if boxed {
                    let payload_ty = match &self.f.inst(p).ty {
                        t => self.m.ty(t),
                    };
                    concat([text(format!("{name}{{ .{variant} = rt.Box({payload_ty}).new(")), value, text(") }")])
                } else {
                    concat([text(format!("{name}{{ .{variant} = ")), value, text(" }")])
                }
            }
        }
    }

    pub(super) fn make_map(&mut self, ty: &Ty, entries: &[(ValueId, ValueId)]) -> Doc {
        let zig_ty = self.m.ty(ty);
        if entries.is_empty() {
            return text(format!("{zig_ty}.empty()"));
        }
        let label = self.namer.fresh("map");
        let var = self.namer.fresh("m");
        let mut stmts = vec![text(format!("var {var} = {zig_ty}.empty();"))];
        for (k, val) in entries {
            let k = self.typed_operand(*k);
            let val = self.typed_operand(*val);
            stmts.push(concat([text(format!("{var}.insert(")), k, text(", "), val, text(");")]));
        }
        stmts.push(text(format!("break :{label} {var};")));
        concat([text(format!("{label}: {{")), self.nested(stmts), hardline(), text("}")])
    }
}
