//! The canonical text form of CIR, used by `sev build --emit cir`, snapshot tests and the
//! verifier's reports.
//!
//! Nested blocks are printed indented under the instruction that owns them, so the text shows
//! the structure of the program. A value-producing instruction reads `v3: i64 = add v1, v2`;
//! an instruction without a value (type `void`) omits the `vN: void =` part. Annotations (from
//! the verifier) are printed on lines of their own under the instruction they concern.

use super::*;
use std::collections::HashMap;
use std::fmt::Write;

/// Prints a whole program.
pub fn program(p: &Program) -> String {
    let mut out = String::new();
    for (i, t) in p.types.iter().enumerate() {
        let _ = writeln!(out, "{}", type_def(p, TypeId::from_index(i), t));
    }
    for (i, t) in p.vtables.iter().enumerate() {
        let trait_name = p.dyn_traits.get(t.trait_index).map_or("?", |d| d.name.as_str());
        let methods: Vec<&str> = t.methods.iter().map(|m| p.functions.get(m.index()).map_or("?", |f| f.name.as_str())).collect();
        let _ = writeln!(out, "vtable{i} {trait_name} for {} = [{}]", p.display(&t.concrete), methods.join(", "));
    }
    if !p.types.is_empty() || !p.vtables.is_empty() {
        out.push('\n');
    }
    for (i, f) in p.functions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&function(p, f, &HashMap::new()));
    }
    out
}

fn type_def(p: &Program, id: TypeId, t: &TypeDef) -> String {
    let show = |ty: &Ty| p.display(ty).to_string();
    let body = match &t.kind {
        TypeKind::Record { fields } => {
            let fs: Vec<String> = fields.iter().map(|(n, ty)| format!("{n}: {}", show(ty))).collect();
            format!("record {{ {} }}", fs.join(", "))
        }
        TypeKind::Tuple { items } => {
            let is: Vec<String> = items.iter().map(show).collect();
            format!("tuple ({})", is.join(", "))
        }
        TypeKind::Enum { variants, boxed } => {
            let vs: Vec<String> = variants
                .iter()
                .zip(boxed)
                .map(|((n, payload), b)| match payload {
                    Some(ty) => format!("{n}({}{})", if *b { "box " } else { "" }, show(ty)),
                    None => n.clone(),
                })
                .collect();
            format!("enum {{ {} }}", vs.join(", "))
        }
    };
    format!("type {id} {} = {body}", t.name)
}

/// Prints one function; `notes` are extra lines shown under the instructions they name.
pub fn function(p: &Program, f: &Function, notes: &HashMap<ValueId, Vec<String>>) -> String {
    let mut out = String::new();
    let params: Vec<String> = f.params.iter().map(|l| format!("{l} {}: {}", f.local(*l).name, p.display(&f.local(*l).ty))).collect();
    let throws = if f.can_throw { " throws" } else { "" };
    let _ = writeln!(out, "fn {}({}) -> {}{throws} {{", f.name, params.join(", "), p.display(&f.ret));
    for (i, l) in f.locals.iter().enumerate() {
        if f.params.contains(&LocalId::from_index(i)) {
            continue;
        }
        let m = if l.mutable { "mut " } else { "" };
        let _ = writeln!(out, "  local {} {m}{}: {}", LocalId::from_index(i), l.name, p.display(&l.ty));
    }
    let mut printer = Printer { p, f, notes, out };
    printer.block(f.body, 1);
    printer.out.push_str("}\n");
    printer.out
}

struct Printer<'a> {
    p: &'a Program,
    f: &'a Function,
    notes: &'a HashMap<ValueId, Vec<String>>,
    out: String,
}

impl Printer<'_> {
    fn block(&mut self, b: BlockId, depth: usize) {
        let pad = "  ".repeat(depth);
        let _ = writeln!(self.out, "{pad}{b}:");
        let Some(block) = self.f.blocks.get(b.index()) else { return };
        for v in &block.insts {
            self.inst(*v, depth + 1);
        }
    }

    fn inst(&mut self, v: ValueId, depth: usize) {
        let pad = "  ".repeat(depth);
        let Some(inst) = self.f.insts.get(v.index()) else {
            let _ = writeln!(self.out, "{pad}<missing {v}>");
            return;
        };
        let text = self.describe(&inst.kind);
        if inst.ty == Ty::Void {
            let _ = writeln!(self.out, "{pad}{text}");
        } else {
            let _ = writeln!(self.out, "{pad}{v}: {} = {text}", self.p.display(&inst.ty));
        }
        for note in self.notes.get(&v).into_iter().flatten() {
            let _ = writeln!(self.out, "{pad}^^^ {note}");
        }
        for b in inst.kind.blocks() {
            self.block(b, depth + 1);
        }
    }

    fn describe(&self, kind: &InstKind) -> String {
        use InstKind as K;
        let list = |vs: &[ValueId]| vs.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ");
        match kind {
            K::Const(c) => format!("const {}", constant(c)),
            K::Local(l) => format!("local {l}"),
            K::SetLocal(l, v) => format!("set {l}, {v}"),
            K::InitLocal(l, v) => format!("init {l}, {v}"),
            K::SetPlace { local, path, value } => {
                let p: Vec<String> = path
                    .iter()
                    .map(|e| match e {
                        PlaceElem::Field(i) => format!(".{i}"),
                        PlaceElem::Index(v) => format!("[{v}]"),
                    })
                    .collect();
                format!("set {local}{}, {value}", p.join(""))
            }
            K::Unary(op, v) => format!("{} {v}", op.keyword()),
            K::Binary(op, a, b) => format!("{} {a}, {b}", op.keyword()),
            K::Cast(v) => format!("cast {v}"),
            K::Call(f, args) => format!("call {}({})", self.p.functions.get(f.index()).map_or("?", |f| f.name.as_str()), list(args)),
            K::Builtin(name, args) => format!("builtin {name}({})", list(args)),
            K::BuiltinMut(name, l, args) => format!("builtin {name}(&{l}{}{})", if args.is_empty() { "" } else { ", " }, list(args)),
            K::Spawn(f, args) => format!("spawn {}({})", self.p.functions.get(f.index()).map_or("?", |f| f.name.as_str()), list(args)),
            K::Await(v) => format!("await {v}"),
            K::Infer { model, args, options } => {
                let name = self.p.inferred.get(*model).map_or("?", |m| m.entry.name.as_str());
                let opts: Vec<String> = options.iter().map(|(n, v)| format!("{n}={v}")).collect();
                format!("infer {name}({}) [{}]", list(args), opts.join(", "))
            }
            K::MakeDyn(v, i) => format!("dyn {v} with vtable{i}"),
            K::CallDyn(m, args) => format!("call_dyn #{m}({})", list(args)),
            K::CallExtern(i, args) => format!("extern {}({})", self.p.externs.get(*i).map_or("?", |e| e.name.as_str()), list(args)),
            K::MakeRecord(vs) => format!("record {{{}}}", list(vs)),
            K::MakeVariant(i, v) => match v {
                Some(v) => format!("variant {i}({v})"),
                None => format!("variant {i}"),
            },
            K::MakeArray(vs) => format!("array [{}]", list(vs)),
            K::MakeMap(es) => format!("map {{{}}}", es.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ")),
            K::MakeSet(vs) => format!("set {{{}}}", list(vs)),
            K::Field(v, i) => format!("field {v}.{i}"),
            K::Index(a, i) => format!("index {a}[{i}]"),
            K::Payload(v, i) => format!("payload {v} as {i}"),
            K::IsVariant(v, i) => format!("is_variant {v}, {i}"),
            K::Retain(v) => format!("retain {v}"),
            K::DeferRelease(v) => format!("defer_release {v}"),
            K::DeferReleaseLocal(l) => format!("defer_release {l}"),
            K::If { cond, then_block, else_block } => format!("if {cond} then {then_block} else {else_block}"),
            K::Loop { body, step } => match step {
                Some(s) => format!("loop {body} step {s}"),
                None => format!("loop {body}"),
            },
            K::Break => "break".into(),
            K::Continue => "continue".into(),
            K::Return(v) => match v {
                Some(v) => format!("return {v}"),
                None => "return".into(),
            },
            K::Switch { value, cases, default } => {
                let cs: Vec<String> = cases
                    .iter()
                    .map(|(c, b)| match c {
                        SwitchCase::Int(i) => format!("{i} => {b}"),
                        SwitchCase::Variant(i) => format!("variant {i} => {b}"),
                        SwitchCase::Bool(x) => format!("{x} => {b}"),
                    })
                    .collect();
                let d = default.map_or(String::new(), |d| format!(", else => {d}"));
                format!("switch {value} [{}{d}]", cs.join(", "))
            }
            K::Sample { site, dist, args, size, lower, upper, kind } => {
                let mut text = format!("sample {dist}({})", list(args));
                if let Some(n) = size {
                    text.push_str(&format!(" size {n}"));
                }
                if let Some(b) = lower {
                    text.push_str(&format!(" lower {b}"));
                }
                if let Some(b) = upper {
                    text.push_str(&format!(" upper {b}"));
                }
                match kind {
                    SampleKind::Param(t) => text.push_str(&format!(" param site {site} {t:?}")),
                    SampleKind::Predictive => text.push_str(&format!(" predictive site {site}")),
                    SampleKind::Enumerated if self.p.sites.get(*site as usize).is_some_and(|s| s.gibbs_fallback) => {
                        text.push_str(&format!(" enumerated site {site} (summed out of the log density; a gibbs site, with Metropolis-within-Gibbs updates, when the data take it past the enumeration limits)"))
                    }
                    SampleKind::Enumerated => text.push_str(&format!(" enumerated site {site} (summed out of the log density)")),
                    SampleKind::Gibbs => text.push_str(&format!(" gibbs site {site} (Metropolis-within-Gibbs updates)")),
                    SampleKind::Forward => text.push_str(" forward"),
                }
                text
            }
            K::Observe { dist, args, value } => format!("observe {dist}({}) {value}", list(args)),
            K::Factor(v) => format!("factor {v}"),
            K::LogDensity { dist, args, value } => format!("lpdf {dist}({}) {value}", list(args)),
            K::Record { site, value } => format!("record site {site}, {value}"),
            K::PrintText(v) => format!("print_text {v}"),
            K::Throw(v) => format!("throw {v}"),
            K::Try { body, catches, finally } => {
                let cs: Vec<String> = catches
                    .iter()
                    .map(|c| {
                        let t = c.error_type.map_or("*".to_string(), |t| self.p.types.get(t.index()).map_or("?".into(), |d| d.name.clone()));
                        let l = c.local.map_or(String::new(), |l| format!(" as {l}"));
                        format!("catch {t}{l} => {}", c.body)
                    })
                    .collect();
                let f = finally.map_or(String::new(), |b| format!(" finally {b}"));
                format!("try {body} [{}]{f}", cs.join(", "))
            }
            K::Unreachable => "unreachable".into(),
        }
    }
}

fn constant(c: &Const) -> String {
    match c {
        Const::Int(i) => i.to_string(),
        Const::Float(x) => format!("{x:?}"),
        Const::Bool(b) => b.to_string(),
        Const::Str(s) => format!("{s:?}"),
        Const::Void => "void".into(),
    }
}
