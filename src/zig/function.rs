//! One CIR function as a Zig function: which values are inlined and which are named, the
//! locals (`var` or `const`, predeclared or not), statements and structured control flow,
//! and exceptions (`try`/`catch`/`finally` as labelled blocks).

use super::*;

/// Per-value facts used to decide what to inline.
#[derive(Clone, Copy, Default)]
pub(super) struct Usage {
    pub(super) count: u32,
    /// The block of the (last) use.
    pub(super) block: Option<BlockId>,
    /// Used by a `defer`: the value must be computed where it is defined, not inside the
    /// deferred statement (which runs at block exit).
    pub(super) deferred_use: bool,
}

pub(super) struct FnEmitter<'m, 'a> {
    pub(super) m: &'m Module<'a>,
    pub(super) f: &'a Function,
    pub(super) name: &'m str,
    pub(super) namer: Namer,
    pub(super) local_names: Vec<String>,
    pub(super) usage: Vec<Usage>,
    /// Locals read somewhere (else they get `_ = x;`).
    pub(super) local_read: Vec<bool>,
    /// Locals written after their initialisation (they must be `var`).
    pub(super) local_mutated: Vec<bool>,
    pub(super) declared: Vec<bool>,
    pub(super) value_names: HashMap<ValueId, String>,
    /// Inlinable expressions not yet placed, in definition order.
    pub(super) pending: Vec<(ValueId, Doc)>,
    /// How deeply each pending expression nests inlined operands.
    pub(super) pending_depth: HashMap<ValueId, usize>,
    /// Where a thrown exception goes, innermost last (empty: out of the function).
    pub(super) throw_targets: Vec<ThrowTarget>,
    /// Locals declared at the top of the function (initialised in more than one place).
    pub(super) predeclared: Vec<bool>,
    /// Element reads whose bounds were checked when the model's data was read.
    pub(super) in_bounds: std::collections::HashSet<ValueId>,
    /// Loop counter steps that cannot overflow (in model code, whose loops are the hot path).
    pub(super) no_overflow: std::collections::HashSet<ValueId>,
}

/// Where control goes when an exception is raised.
#[derive(Clone, Debug)]
pub(super) enum ThrowTarget {
    /// The body of a `try` statement: `break :label true`.
    Try(String),
    /// A `finally` block, which cannot be left by an exception: a fault.
    Finally,
}

impl<'m, 'a> FnEmitter<'m, 'a> {
    pub(super) fn new(m: &'m Module<'a>, f: &'a Function, name: &'m str) -> FnEmitter<'m, 'a> {
        let mut namer = Namer::inside(std::rc::Rc::clone(&m.local_taboo));
        if f.model {
            // the parameters every model function takes before the user's
            namer.reserve("M");
            namer.reserve("ctx");
        }
        let local_names = f.locals.iter().map(|l| namer.fresh(&l.name)).collect();
        let mut e = FnEmitter {
            m,
            f,
            name,
            namer,
            local_names,
            usage: vec![Usage::default(); f.insts.len()],
            local_read: vec![false; f.locals.len()],
            local_mutated: vec![false; f.locals.len()],
            declared: vec![false; f.locals.len()],
            value_names: HashMap::new(),
            pending: Vec::new(),
            pending_depth: HashMap::new(),
            throw_targets: Vec::new(),
            predeclared: Vec::new(),
            in_bounds: std::collections::HashSet::new(),
            no_overflow: std::collections::HashSet::new(),
        };
        e.analyse();
        e
    }

    pub(super) fn analyse(&mut self) {
        let mut inits = vec![0u32; self.f.locals.len()];
        for b in self.f.reachable_blocks() {
            for v in &self.f.block(b).insts {
                let kind = &self.f.inst(*v).kind;
                let is_defer = matches!(kind, InstKind::DeferRelease(_));
                for operand in kind.operands() {
                    if let Some(u) = self.usage.get_mut(operand.index()) {
                        u.count += 1;
                        u.block = Some(b);
                        u.deferred_use |= is_defer;
                    }
                }
                match kind {
                    InstKind::Local(l) | InstKind::DeferReleaseLocal(l) => self.local_read[l.index()] = true,
                    InstKind::SetLocal(l, _) | InstKind::SetPlace { local: l, .. } | InstKind::BuiltinMut(_, l, _) => {
                        self.local_read[l.index()] = true;
                        self.local_mutated[l.index()] = true;
                    }
                    InstKind::InitLocal(l, _) => {
                        inits[l.index()] += 1;
                        if inits[l.index()] > 1 {
                            self.local_mutated[l.index()] = true;
                        }
                    }
                    _ => {}
                }
            }
        }
        for p in &self.f.params {
            self.declared[p.index()] = true;
        }
        // A local initialised in several branches (a conditional expression's result) is
        // declared once, before any of them.
        self.predeclared = inits.iter().map(|n| *n > 1).collect();
    }

    /// The function; with `stack_check` (it may recurse) its body starts with `rt.checkStack`,
    /// which faults at the function's location when the thread's stack is nearly used up.
    pub(super) fn function(mut self, stack_check: bool) -> Doc {
        let params: Vec<String> = self
            .f
            .params
            .iter()
            .map(|l| format!("{}: {}", self.local_names[l.index()], self.m.ty(&self.f.local(*l).ty)))
            .collect();
        let header = if self.f.model {
            let mut all = vec!["comptime M: type".to_string(), "ctx: *M.Ctx".to_string()];
            all.extend(params);
            format!("fn {}({}) M.Err!{} {{", self.name, all.join(", "), self.m.ty(&self.f.ret))
        } else {
            let error_union = if self.f.can_throw { "rt.Thrown!" } else { "" };
            format!("fn {}({}) {error_union}{} {{", self.name, params.join(", "), self.m.ty(&self.f.ret))
        };
        let mut body: Vec<Doc> = self
            .f
            .params
            .iter()
            .filter(|l| !self.local_read[l.index()])
            .map(|l| text(format!("_ = {};", self.local_names[l.index()])))
            .collect();
        if self.f.model && !self.uses_ctx() {
            body.push(text("_ = ctx;"));
        }
        if stack_check && !self.f.model {
            let (line, col) = self.m.p.line_col(self.f.span);
            body.push(text(format!("rt.checkStack(.{{ .func = {}, .line = {line}, .col = {col} }});", string_literal(&self.f.source_name))));
        }
        for (i, pre) in self.predeclared.clone().into_iter().enumerate() {
            if pre && !self.declared[i] {
                self.declared[i] = true;
                body.push(text(format!("var {}: {} = undefined;", self.local_names[i], self.m.ty(&self.f.locals[i].ty))));
            }
        }
        body.extend(self.block_body(self.f.body));
        concat([text(header), self.nested(body), hardline(), text("}")])
    }

    /// Whether a model function's body refers to the model context.
    pub(super) fn uses_ctx(&self) -> bool {
        self.f.reachable_blocks().iter().flat_map(|b| &self.f.block(*b).insts).any(|v| match &self.f.inst(*v).kind {
            InstKind::Sample { kind, .. } => *kind != SampleKind::Forward,
            InstKind::LogDensity { .. } => true,
            InstKind::Observe { .. } | InstKind::Factor(_) | InstKind::Record { .. } | InstKind::PrintText(_) => true,
            InstKind::Call(f, _) => self.m.p.func(*f).model,
            InstKind::Builtin(name, _) => matches!(
                *name,
                "ppl_check_param" | "ppl_check_density" | "ppl_mixture_log_weights" | "ppl_predictive_begin" | "ppl_predictive_end"
            ),
            _ => false,
        })
    }

    pub(super) fn nested(&self, stmts: Vec<Doc>) -> Doc {
        concat(stmts.into_iter().map(|s| concat([hardline(), s]))).nest(INDENT)
    }

    /// `{ … }` around the statements of a block.
    pub(super) fn braces(&mut self, b: BlockId) -> Doc {
        let stmts = self.block_body(b);
        if stmts.is_empty() {
            return text("{}");
        }
        concat([text("{"), self.nested(stmts), hardline(), text("}")])
    }

    pub(super) fn block_body(&mut self, b: BlockId) -> Vec<Doc> {
        let saved = std::mem::take(&mut self.pending);
        let mut out = Vec::new();
        for &v in &self.f.block(b).insts {
            self.inst(v, b, &mut out);
        }
        self.flush_all(&mut out);
        self.pending = saved;
        out
    }

    pub(super) fn inst(&mut self, v: ValueId, b: BlockId, out: &mut Vec<Doc>) {
        let inst = self.f.inst(v);
        if let InstKind::Const(_) = inst.kind {
            return;
        }
        let operands = inst.kind.operands();
        if !self.operands_are_pending_tail(&operands) {
            self.flush_all(out);
        }
        let usage = self.usage[v.index()];
        let depth = 1 + operands.iter().filter_map(|o| self.pending_depth.get(o)).max().unwrap_or(&0);
        let deferred = !self.is_statement(&inst.kind)
            && usage.count == 1
            && usage.block == Some(b)
            && !usage.deferred_use
            && depth <= MAX_INLINED_DEPTH;
        if !deferred {
            self.flush_before(&operands, out);
        }
        if self.is_statement(&inst.kind) {
            let stmt = self.statement(v);
            out.push(stmt);
            return;
        }
        let expr = self.expr(v);
        if deferred {
            self.pending.push((v, expr));
            self.pending_depth.insert(v, depth);
        } else if usage.count == 0 && is_pure(&inst.kind) {
        } else if usage.count == 0 {
            let prefix = if inst.ty == Ty::Void { "" } else { "_ = " };
            out.push(concat([text(prefix), expr, text(";")]));
        } else {
            let name = self.namer.fresh(&self.temp_hint(v));
            out.push(concat([text(format!("const {name} = ")), expr, text(";")]));
            self.value_names.insert(v, name);
        }
    }

    /// Whether the pending operands of an instruction are the last pending expressions, in
    /// operand order: then inlining them keeps the order of evaluation.
    pub(super) fn operands_are_pending_tail(&self, operands: &[ValueId]) -> bool {
        let pending: Vec<ValueId> = operands.iter().copied().filter(|v| self.pending.iter().any(|(p, _)| p == v)).collect();
        let tail: Vec<ValueId> = self.pending.iter().rev().take(pending.len()).rev().map(|(v, _)| *v).collect();
        tail == pending
    }

    /// Names every pending expression except the tail that `operands` will consume: they were
    /// defined earlier, so they must run before an instruction that runs now.
    pub(super) fn flush_before(&mut self, operands: &[ValueId], out: &mut Vec<Doc>) {
        let consumed = operands.iter().filter(|v| self.pending.iter().any(|(p, _)| p == *v)).count();
        let count = self.pending.len() - consumed;
        let flushed: Vec<(ValueId, Doc)> = self.pending.drain(..count).collect();
        self.materialize(flushed, out);
    }

    pub(super) fn flush_all(&mut self, out: &mut Vec<Doc>) {
        let flushed: Vec<(ValueId, Doc)> = self.pending.drain(..).collect();
        self.materialize(flushed, out);
    }

    pub(super) fn materialize(&mut self, values: Vec<(ValueId, Doc)>, out: &mut Vec<Doc>) {
        for (v, expr) in values {
            self.pending_depth.remove(&v);
            let name = self.namer.fresh(&self.temp_hint(v));
            out.push(concat([text(format!("const {name} = ")), expr, text(";")]));
            self.value_names.insert(v, name);
        }
    }

    pub(super) fn is_statement(&self, kind: &InstKind) -> bool {
        use InstKind as K;
        match kind {
            K::SetLocal(..) | K::InitLocal(..) | K::SetPlace { .. } | K::DeferRelease(_) | K::DeferReleaseLocal(_) => true,
            K::If { .. } | K::Loop { .. } | K::Break | K::Continue | K::Return(_) | K::Switch { .. } => true,
            K::Throw(_) | K::Try { .. } | K::Unreachable => true,
            K::Observe { .. } | K::Factor(_) | K::Record { .. } | K::PrintText(_) => true,
            _ => false,
        }
    }

    /// The expression for operand `v` (taking it from the pending list if it is there).
    pub(super) fn operand(&mut self, v: ValueId) -> Doc {
        if let InstKind::Const(c) = &self.f.inst(v).kind {
            return self.constant(c, &self.f.inst(v).ty);
        }
        if let Some(i) = self.pending.iter().position(|(p, _)| *p == v) {
            return self.pending.remove(i).1;
        }
        text(self.value_names.get(&v).cloned().unwrap_or_else(|| format!("@compileError(\"missing {v}\")")))
    }

    /// An operand known to be coerced to a typed destination (bare literals are fine).
    pub(super) fn typed_operand(&mut self, v: ValueId) -> Doc {
        if let InstKind::Const(c) = &self.f.inst(v).kind {
            return self.bare_constant(c);
        }
        self.operand(v)
    }

    pub(super) fn is_const(&self, v: ValueId) -> bool {
        matches!(self.f.inst(v).kind, InstKind::Const(_))
    }

    pub(super) fn constant(&self, c: &Const, ty: &Ty) -> Doc {
        match c {
            Const::Int(_) | Const::Float(_) => text(format!("@as({}, {})", self.m.ty(ty), self.bare_constant_text(c))),
            _ => self.bare_constant(c),
        }
    }

    pub(super) fn bare_constant(&self, c: &Const) -> Doc {
        text(self.bare_constant_text(c))
    }

    pub(super) fn bare_constant_text(&self, c: &Const) -> String {
        match c {
            Const::Int(i) => i.to_string(),
            Const::Float(x) => format!("{x:?}"),
            Const::Bool(b) => b.to_string(),
            Const::Str(s) => format!("rt.Str.lit({})", string_literal(s)),
            Const::Void => "{}".into(),
        }
    }

    pub(super) fn loc(&self, v: ValueId) -> String {
        let (line, col) = self.m.p.line_col(self.f.inst(v).span);
        format!(".{{ .func = {}, .line = {line}, .col = {col} }}", string_literal(&self.f.source_name))
    }

    pub(super) fn temp_hint(&self, v: ValueId) -> String {
        match &self.f.inst(v).kind {
            InstKind::Call(f, _) => self.m.p.functions.get(f.index()).map_or("result".into(), |f| f.source_name.clone()),
            InstKind::Builtin(name, _) => name.trim_start_matches("str_").trim_start_matches("math_").to_string(),
            InstKind::Local(l) => self.f.local(*l).name.clone(),
            InstKind::Field(o, i) => self.m.field_name(&self.f.inst(*o).ty, *i),
            InstKind::Index(..) => "element".into(),
            InstKind::Payload(..) => "payload".into(),
            InstKind::MakeRecord(_) | InstKind::MakeVariant(..) => "value".into(),
            InstKind::MakeArray(_) => "array".into(),
            InstKind::Binary(op, ..) => op.keyword().into(),
            _ => "tmp".into(),
        }
    }

    // ----- Statements -------------------------------------------------------------------------

    pub(super) fn statement(&mut self, v: ValueId) -> Doc {
        let inst = self.f.inst(v).clone();
        use InstKind as K;
        match &inst.kind {
            K::InitLocal(l, value) => self.init_local(*l, *value),
            K::SetLocal(l, value) => {
                let name = self.local_names[l.index()].clone();
                let value = strip_parens(self.typed_operand(*value));
                if self.f.local(*l).ty.is_heap() {
                    concat([text(format!("rt.replace(&{name}, ")), value, text(");")])
                } else {
                    concat([text(format!("{name} = ")), value, text(";")])
                }
            }
            K::SetPlace { local, path, value } => self.set_place(v, *local, path, *value),
            K::DeferRelease(x) => {
                let x = self.operand(*x);
                concat([text("defer rt.release("), x, text(");")])
            }
            K::DeferReleaseLocal(l) => text(format!("defer rt.release({});", self.local_names[l.index()])),
            K::If { cond, then_block, else_block } => {
                let c = strip_parens(self.operand(*cond));
                let then_doc = self.braces(*then_block);
                if self.f.block(*else_block).insts.is_empty() {
                    return concat([text("if ("), c, text(") "), then_doc]);
                }
                let else_doc = self.braces(*else_block);
                concat([text("if ("), c, text(") "), then_doc, text(" else "), else_doc])
            }
            K::Loop { body, step } => self.loop_doc(*body, *step),
            K::Break => text("break;"),
            K::Continue => text("continue;"),
            K::Return(value) => match value {
                Some(x) => {
                    let x = strip_parens(self.typed_operand(*x));
                    concat([text("return "), x, text(";")])
                }
                None => text("return;"),
            },
            K::Switch { value, cases, default } => self.switch_doc(*value, cases, *default),
            K::Unreachable => text("unreachable;"),
            K::Observe { dist, args, value } => {
                let y = self.dist_arg(*value);
                let tuple = self.dist_args(args);
                concat([text(format!("try M.observe(ctx, rt.ppl.dist.{dist}, ")), y, text(", "), tuple, text(format!(", {});", self.loc(v)))])
            }
            K::Factor(x) => {
                let x = self.operand(*x);
                concat([text("M.factor(ctx, "), x, text(");")])
            }
            K::Record { site, value } => {
                let x = self.operand(*value);
                concat([text(format!("try M.record(ctx, {site}, ")), x, text(");")])
            }
            K::PrintText(x) => {
                let x = self.operand(*x);
                concat([text("M.printText(ctx, "), x, text(");")])
            }
            K::Throw(x) => self.throw_doc(v, *x),
            K::Try { body, catches, finally } => self.try_doc(*body, catches, *finally),
            _ => text("unreachable;"),
        }
    }

    pub(super) fn init_local(&mut self, l: LocalId, value: ValueId) -> Doc {
        let name = self.local_names[l.index()].clone();
        let value = strip_parens(self.typed_operand(value));
        if self.declared[l.index()] {
            return concat([text(format!("{name} = ")), value, text(";")]);
        }
        self.declared[l.index()] = true;
        let keyword = if self.local_mutated[l.index()] { "var" } else { "const" };
        let ty = self.m.ty(&self.f.local(l).ty);
        let decl = concat([text(format!("{keyword} {name}: {ty} = ")), value, text(";")]);
        if self.local_read[l.index()] {
            decl
        } else {
            concat([decl, hardline(), text(format!("_ = {name};"))])
        }
    }

    pub(super) fn set_place(&mut self, v: ValueId, local: LocalId, path: &[PlaceElem], value: ValueId) -> Doc {
        let mut target = self.local_names[local.index()].clone();
        let mut ty = self.f.local(local).ty.clone();
        let mut is_pointer = false;
        for elem in path {
            match elem {
                PlaceElem::Field(i) => {
                    target = format!("{target}.{}", self.m.field_name(&ty, *i));
                    ty = field_type(self.m.p, &ty, *i);
                    is_pointer = false;
                }
                PlaceElem::Index(index) => {
                    let idx = self.operand(*index).render(1000);
                    target = format!("{target}.mutAt({idx}, {})", self.loc(v));
                    ty = match ty {
                        Ty::Array(e) => *e,
                        other => other,
                    };
                    is_pointer = true;
                }
            }
        }
        let value_doc = self.typed_operand(value);
        let place = if is_pointer { format!("{target}.*") } else { target.clone() };
        if ty.is_heap() {
            let pointer = if is_pointer { target } else { format!("&{target}") };
            concat([text(format!("rt.replace({pointer}, ")), value_doc, text(");")])
        } else {
            concat([text(format!("{place} = ")), value_doc, text(";")])
        }
    }

    pub(super) fn loop_doc(&mut self, body: BlockId, step: Option<BlockId>) -> Doc {
        let step_doc = match step {
            Some(s) => {
                let stmts = self.block_body(s);
                match stmts.len() {
                    0 => Doc::Nil,
                    1 => {
                        let rendered = stmts[0].render(1000);
                        text(format!(" : ({})", rendered.trim_end_matches(';')))
                    }
                    _ => concat([text(" : ({"), self.nested(stmts), hardline(), text("})")]),
                }
            }
            None => Doc::Nil,
        };
        let (condition, body_doc) = match self.loop_condition(body) {
            Some((cond, rest_from)) => (cond, self.braces_from(body, rest_from)),
            None => (text("true"), self.braces(body)),
        };
        concat([text("while ("), condition, text(")"), step_doc, text(" "), body_doc])
    }

    /// A loop body that starts with `if (c) {} else { break; }`, where everything before the
    /// `if` only computes `c`, becomes `while (c)`: returns `c` and where the rest starts.
    pub(super) fn loop_condition(&mut self, body: BlockId) -> Option<(Doc, usize)> {
        let insts = &self.f.block(body).insts;
        let position = insts.iter().position(|v| self.is_statement(&self.f.inst(*v).kind))?;
        let InstKind::If { cond, then_block, else_block } = &self.f.inst(insts[position]).kind else { return None };
        let exits = self.f.block(*then_block).insts.is_empty()
            && matches!(self.f.block(*else_block).insts.as_slice(), [b] if self.f.inst(*b).kind == InstKind::Break);
        if !exits {
            return None;
        }
        let saved = std::mem::take(&mut self.pending);
        let mut pre = Vec::new();
        for &v in &insts[..position] {
            self.inst(v, body, &mut pre);
        }
        let ready = pre.is_empty() && (self.pending.iter().any(|(p, _)| p == cond) || self.is_const(*cond)) && self.operands_are_pending_tail(&[*cond]);
        if !ready {
            self.pending = saved;
            return None;
        }
        let condition = strip_parens(self.operand(*cond));
        let leftover = std::mem::take(&mut self.pending);
        self.pending = saved;
        if !leftover.is_empty() {
            return None;
        }
        Some((condition, position + 1))
    }

    pub(super) fn braces_from(&mut self, b: BlockId, start: usize) -> Doc {
        let saved = std::mem::take(&mut self.pending);
        let mut out = Vec::new();
        for &v in &self.f.block(b).insts[start..] {
            self.inst(v, b, &mut out);
        }
        self.flush_all(&mut out);
        self.pending = saved;
        if out.is_empty() {
            return text("{}");
        }
        concat([text("{"), self.nested(out), hardline(), text("}")])
    }

    pub(super) fn switch_doc(&mut self, value: ValueId, cases: &[(SwitchCase, BlockId)], default: Option<BlockId>) -> Doc {
        let ty = self.f.inst(value).ty.clone();
        let scrutinee = self.operand(value);
        let mut prongs = Vec::new();
        for (case, block) in cases {
            let label = match case {
                SwitchCase::Int(i) => i.to_string(),
                SwitchCase::Bool(b) => b.to_string(),
                SwitchCase::Variant(i) => format!(".{}", self.m.variant(&ty, *i).0),
            };
            let body = self.braces(*block);
            prongs.push(concat([text(format!("{label} => ")), body, text(",")]));
        }
        if let Some(d) = default {
            let body = self.braces(d);
            prongs.push(concat([text("else => "), body, text(",")]));
        }
        concat([text("switch ("), scrutinee, text(") {"), self.nested(prongs), hardline(), text("}")])
    }

    // ----- Exceptions -------------------------------------------------------------------------

    /// A call of a function that may throw, sending its exception to the current target.
    pub(super) fn catching(&self, call: Doc) -> Doc {
        match self.throw_targets.last() {
            None => concat([text("(try "), call, text(")")]),
            Some(ThrowTarget::Try(label)) => concat([text("("), call, text(format!(" catch break :{label} true)"))]),
            Some(ThrowTarget::Finally) => concat([text("("), call, text(" catch rt.exc.escapedFinally())")]),
        }
    }

    /// The statement that passes a pending exception on to the current target.
    pub(super) fn rethrow(&self) -> Doc {
        match self.throw_targets.last() {
            None => text("return error.SevThrow;"),
            Some(ThrowTarget::Try(label)) => text(format!("break :{label} true;")),
            Some(ThrowTarget::Finally) => text("rt.exc.escapedFinally();"),
        }
    }

    pub(super) fn throw_doc(&mut self, v: ValueId, x: ValueId) -> Doc {
        let ty = self.f.inst(x).ty.clone();
        let value = strip_parens(self.operand(x));
        let loc = self.loc(v);
        let raise = match &ty {
            Ty::Adt(id, _) => {
                let t = &self.m.p.types[id.0 as usize];
                let type_id = if t.builtin.is_some() { "rt.exc.untyped".to_string() } else { id.0.to_string() };
                concat([text("rt.exc.raiseRecord("), value, text(format!(", {type_id}, {}, {loc});", string_literal(&t.name)))])
            }
            _ => concat([text("rt.exc.raise({}, rt.exc.untyped, rt.Str.lit(\"Error\"), "), value, text(format!(", {loc});"))]),
        };
        concat([raise, hardline(), self.rethrow()])
    }

    /// `try`/`catch`/`finally`: the body is a labeled block that yields whether it threw, the
    /// catch clauses test the pending exception's type in order, and `finally` is a `defer`,
    /// so that it runs on every way out (normal end, `return`, `break`, an exception).
    pub(super) fn try_doc(&mut self, body: BlockId, catches: &[CatchClause], finally: Option<BlockId>) -> Doc {
        let mut stmts = Vec::new();
        if let Some(block) = finally {
            self.throw_targets.push(ThrowTarget::Finally);
            let cleanup = self.braces(block);
            self.throw_targets.pop();
            stmts.push(concat([text("defer "), cleanup]));
        }
        if !crate::cir::throws::block_may_throw(self.f, body, &self.m.throwing) {
            if !catches.is_empty() {
                // Dead handlers are still emitted (never run) so that the values they use count as used.
                stmts.push(concat([text("if (false) "), self.catch_chain(catches)]));
            }
            stmts.extend(self.block_body(body));
            return concat([text("{"), self.nested(stmts), hardline(), text("}")]);
        }
        let label = self.namer.fresh("attempt");
        let threw = self.namer.fresh("threw");
        self.throw_targets.push(ThrowTarget::Try(label.clone()));
        let mut inner = self.block_body(body);
        self.throw_targets.pop();
        let ends_in_jump = self.f.block(body).insts.last().is_some_and(|v| self.f.inst(*v).kind.is_terminator());
        if !ends_in_jump {
            inner.push(text(format!("break :{label} false;")));
        }
        stmts.push(concat([text(format!("const {threw} = {label}: {{")), self.nested(inner), hardline(), text("};")]));
        let chain = self.catch_chain(catches);
        let handlers = if catches.first().is_some_and(|c| c.error_type.is_some()) { concat([text("{"), self.nested(vec![chain]), hardline(), text("}")]) } else { chain };
        stmts.push(concat([text(format!("if ({threw}) ")), handlers]));
        concat([text("{"), self.nested(stmts), hardline(), text("}")])
    }

    /// The catch clauses as an `if`/`else` chain on the pending exception's type; without a
    /// catch-all clause the last `else` passes the exception on.
    pub(super) fn catch_chain(&mut self, catches: &[CatchClause]) -> Doc {
        let Some((clause, rest)) = catches.split_first() else {
            return concat([text("{"), self.nested(vec![self.rethrow()]), hardline(), text("}")]);
        };
        let handler = self.catch_clause(clause);
        match clause.error_type {
            None => handler,
            Some(t) => {
                let otherwise = self.catch_chain(rest);
                concat([text(format!("if (rt.exc.isType({})) ", t.0)), handler, text(" else "), otherwise])
            }
        }
    }

    pub(super) fn catch_clause(&mut self, clause: &CatchClause) -> Doc {
        let mut stmts = Vec::new();
        match clause.local {
            Some(l) => {
                let name = self.local_names[l.index()].clone();
                let ty = self.m.ty(&self.f.local(l).ty);
                let take = if clause.error_type.is_some() { "take" } else { "takeError" };
                stmts.push(text(format!("const {name} = rt.exc.{take}({ty});")));
                if !self.local_read[l.index()] {
                    stmts.push(text(format!("_ = {name};")));
                }
                self.declared[l.index()] = true;
            }
            None => stmts.push(text("rt.exc.discard();")),
        }
        stmts.extend(self.block_body(clause.body));
        concat([text("{"), self.nested(stmts), hardline(), text("}")])
    }
}
