//! A REPL session: the definitions loaded or typed so far, the live bindings with their types
//! and values, and the evaluation of one input.
//!
//! Each input is checked as part of a synthetic program (`program`): the definitions, an empty
//! entry, and a function `__repl_input` whose parameters are the bindings (rebound by `let`s
//! of the same names, mutable where the binding is), followed by the input and `let`s that
//! capture every binding visible after it. A first check without a return type gives the
//! types of those captures; the second returns them (and the input's value) as a tuple, is
//! lowered, and the interpreter calls the function with the kept values. Nothing is re-run and
//! nothing changes unless the whole input succeeds.

use super::compile::{self, Checked, INPUT_FN};
use super::input::{self, Def, Kind, Parsed};
use super::report;
use crate::interp::show;
use super::synth::{Json, Source, Synth, push_json_string};
use crate::cir;
use crate::diagnostic::{Code, Diagnostic};
use crate::interp::{self, CallStop, Value};
use crate::span::Span;
use crate::typed;

/// A value kept between inputs.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: String,
    /// Its SIRS type string.
    pub ty: String,
    pub mutable: bool,
    pub value: Value,
}

/// What one input produced: its output (what the program printed, then the result line), its
/// diagnostics, whether it failed, and what the caller must do next.
#[derive(Debug, Default)]
pub struct Reply {
    pub out: String,
    pub err: String,
    pub failed: bool,
    pub action: Option<Action>,
}

/// What the REPL's front end does after an input: things the pure session cannot do.
#[derive(Debug, PartialEq)]
pub enum Action {
    /// Read this file and hand it to [`Session::load`].
    Load(String),
    Quit,
}

/// The state kept between inputs.
#[derive(Default)]
pub struct Session {
    sources: Vec<Source>,
    defs: Vec<Def>,
    bindings: Vec<Binding>,
    inputs: usize,
    /// Render diagnostics with colour (at a terminal).
    pub color: bool,
    /// Set by the front end (on Ctrl-C) to stop the input that is running.
    pub interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// The generator of forward `sample`s, one stream for the whole session (as in a program).
    rng: Option<crate::interp::Prng>,
}

/// The body of the input function: what goes between the rebinding `let`s and the captures.
#[derive(Clone, Copy)]
enum Body<'a> {
    Nothing,
    /// Statements of the input.
    Stmts(&'a Json, &'a [Span]),
    /// An expression whose value is kept as `__repl_value`.
    Value(&'a Json, Span),
    /// An expression evaluated for its effect (a `void` call).
    Effect(&'a Json, Span),
}

const VALUE: &str = "__repl_value";

impl Session {
    pub fn new(color: bool) -> Session {
        Session { color, ..Session::default() }
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Evaluates one complete input (a command, JSON or short syntax).
    pub fn eval(&mut self, text: &str) -> Reply {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Reply::default();
        }
        if let Some(command) = trimmed.strip_prefix(':') {
            return self.command(command);
        }
        self.inputs += 1;
        let source = self.add_source(format!("<input {}>", self.inputs), text);
        match input::parse(source, text) {
            Err(diagnostics) => self.failure(&diagnostics, source),
            Ok(Parsed { json, kind }) => match kind {
                Kind::Defs(defs) => self.define(defs, source),
                Kind::Stmts { spans, names, shown } => self.run_input(Body::Stmts(&json, &spans), &names, &shown, source),
                Kind::Expr(span) => self.run_expr(&json, span, source),
            },
        }
    }

    /// Adds the definitions of a file read by `:load`.
    pub fn load(&mut self, name: &str, text: &str) -> Reply {
        let source = self.add_source(name.to_string(), text);
        match input::parse_file(source, text) {
            Err(diagnostics) => self.failure(&diagnostics, source),
            Ok(defs) => {
                let mut reply = self.define(defs, source);
                if !reply.failed {
                    reply.out = format!("loaded {name}: {}", reply.out.trim_start_matches("defined "));
                }
                reply
            }
        }
    }

    /// The file `:load` names could not be read.
    pub fn load_failed(&mut self, name: &str, problem: &str) -> Reply {
        let text = format!(":load {name}");
        let source = self.add_source("<load>".into(), &text);
        let d = Diagnostic::new(Code::E0606, format!("Cannot read `{name}`: {problem}")).primary(Span::new(6, text.len()), "this file");
        self.failure(&[d], source)
    }

    fn add_source(&mut self, name: String, text: &str) -> usize {
        self.sources.push(Source { name, text: text.to_string() });
        self.sources.len() - 1
    }

    fn command(&mut self, command: &str) -> Reply {
        let (name, rest) = command.split_once(char::is_whitespace).unwrap_or((command, ""));
        let rest = rest.trim();
        match name {
            "help" | "h" | "?" => Reply { out: HELP.trim_start().to_string(), ..Reply::default() },
            "quit" | "q" | "exit" => Reply { action: Some(Action::Quit), ..Reply::default() },
            "type" | "t" if !rest.is_empty() => self.type_of(rest),
            "load" | "l" if !rest.is_empty() => Reply { action: Some(Action::Load(rest.to_string())), ..Reply::default() },
            "bindings" | "b" => Reply { out: self.list_bindings(), ..Reply::default() },
            "drop" if !rest.is_empty() => self.drop_bindings(rest),
            "load" | "l" | "type" | "t" | "drop" => {
                self.inputs += 1;
                let text = format!(":{command}");
                let source = self.add_source(format!("<input {}>", self.inputs), &text);
                let d = Diagnostic::new(Code::E0602, format!("`:{name}` needs an argument")).primary(Span::new(0, text.len()), "nothing follows the command").hint(if name.starts_with('l') {
                    "write `:load FILE`"
                } else {
                    "write `:type EXPR`"
                });
                self.failure(&[d], source)
            }
            _ => {
                self.inputs += 1;
                let text = format!(":{command}");
                let source = self.add_source(format!("<input {}>", self.inputs), &text);
                let d = Diagnostic::new(Code::E0602, format!("Unknown or incomplete command `:{name}`"))
                    .primary(Span::new(0, text.len()), "not a REPL command")
                    .hint("`:help` lists the commands; `:type` and `:load` need an argument");
                self.failure(&[d], source)
            }
        }
    }

    fn list_bindings(&self) -> String {
        self.bindings.iter().map(|b| format!("{}{} : {}\n", if b.mutable { "mut " } else { "" }, b.name, b.ty)).collect()
    }

    fn type_of(&mut self, text: &str) -> Reply {
        self.inputs += 1;
        let source = self.add_source(format!("<input {}>", self.inputs), text);
        let json = match input::parse_expr(source, text) {
            Ok(json) => json,
            Err(diagnostics) => return self.failure(&diagnostics, source),
        };
        let span = Span::new(0, json.text.len());
        let (checked, synth) = self.check(&[], Body::Value(&json, span), &[], None, false);
        if is_void(&checked) {
            return Reply { out: "void\n".into(), ..Reply::default() };
        }
        if checked.has_errors() {
            return self.report(&checked, &synth, source);
        }
        let types = captured_types(&checked, &[VALUE.to_string()]);
        match types.first() {
            Some(Some(ty)) => Reply { out: format!("{ty}\n"), ..Reply::default() },
            _ => Reply { out: "void\n".into(), ..Reply::default() },
        }
    }

    /// An expression: its value is shown and kept as nothing (only `let` binds).
    fn run_expr(&mut self, json: &Json, span: Span, source: usize) -> Reply {
        let (checked, _) = self.check(&[], Body::Value(json, span), &[], None, false);
        let body = if is_void(&checked) { Body::Effect(json, span) } else { Body::Value(json, span) };
        self.run_input(body, &[], &[], source)
    }

    /// Runs an input that binds `names` (new `let`s at its top level).
    fn run_input(&mut self, body: Body, names: &[(String, bool)], shown: &[String], source: usize) -> Reply {
        let kept = self.kept_after(names);
        let (probe, synth) = self.check(&[], body, &kept, None, false);
        if probe.has_errors() {
            return self.report(&probe, &synth, source);
        }
        let mut wanted: Vec<String> = (0..kept.len()).map(capture).collect();
        if matches!(body, Body::Value(..)) {
            wanted.push(VALUE.to_string());
        }
        let types = captured_types(&probe, &wanted);
        let Some(types) = types.into_iter().collect::<Option<Vec<String>>>() else {
            return self.internal("the type of a binding could not be read", source);
        };
        if let Some(bad) = types.iter().enumerate().position(|(i, t)| !writable(t) || (i < kept.len() && t.contains("dyn "))) {
            let title = match kept.get(bad) {
                Some((name, _)) => format!("The REPL cannot keep `{name}` of type {} between inputs", types[bad]),
                None => format!("The REPL cannot pass a value of type {} out of an input", types[bad]),
            };
            let d = Diagnostic::new(Code::E0603, title)
                .primary(Span::new(0, self.sources[source].text.len()), "this input")
                .hint("trait objects are tied to one program and anonymous records have no type to write: keep a value of a declared type");
            return self.failure(&[d], source);
        }
        let (checked, synth) = self.check(&[], body, &kept, Some(&types), true);
        if checked.has_errors() {
            return self.report(&checked, &synth, source);
        }
        let Some((program, id)) = &checked.cir else {
            return self.internal("the input was checked but not lowered", source);
        };
        let reply = self.call(program, *id, &synth, &kept, &types, source);
        if reply.failed {
            return reply;
        }
        self.show_bindings(reply, program, *id, shown)
    }

    /// The bindings visible after an input that binds `names`: the old ones it does not
    /// shadow, then the new ones, each with its mutability.
    fn kept_after(&self, names: &[(String, bool)]) -> Vec<(String, bool)> {
        let mut kept: Vec<(String, bool)> = self.bindings.iter().filter(|b| !names.iter().any(|(n, _)| *n == b.name)).map(|b| (b.name.clone(), b.mutable)).collect();
        for (name, mutable) in names {
            kept.retain(|(n, _)| n != name);
            kept.push((name.clone(), *mutable));
        }
        kept
    }

    /// Adds a line `name = value : type` for each binding in `shown`.
    fn show_bindings(&self, mut reply: Reply, program: &cir::Program, id: cir::FuncId, shown: &[String]) -> Reply {
        let ret = &program.func(id).ret;
        let items = split_types(program, ret, self.bindings.len());
        for name in shown {
            let Some(i) = self.bindings.iter().position(|b| b.name == *name) else { continue };
            let (b, ty) = (&self.bindings[i], &items[i]);
            push_line(&mut reply.out, &format!("{} = {} : {}", b.name, show::value(program, &b.value, ty), b.ty));
        }
        reply
    }

    fn call(&mut self, program: &cir::Program, id: cir::FuncId, synth: &Synth, kept: &[(String, bool)], types: &[String], source: usize) -> Reply {
        let args: Vec<Value> = self.bindings.iter().map(|b| b.value.clone()).collect();
        let called = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| interp::call_function(program, id, args, self.interrupt.as_deref(), &mut self.rng))) {
            Ok(called) => called,
            Err(_) => return self.internal("the interpreter stopped unexpectedly", source),
        };
        let mut reply = Reply { out: String::from_utf8_lossy(&called.stdout).into_owned(), err: String::from_utf8_lossy(&called.stderr).into_owned(), ..Reply::default() };
        let result = match called.result {
            Ok(v) => v,
            Err(stop) => {
                let failure = self.fault(program, synth, &stop, source);
                reply.err.push_str(&failure.err);
                reply.failed = true;
                return reply;
            }
        };
        let ret = &program.func(id).ret;
        let mut values = split_result(program, result, ret, types.len());
        let value = (values.len() > kept.len()).then(|| values.pop()).flatten();
        self.bindings = kept.iter().zip(types).zip(values).map(|(((name, mutable), ty), (value, _))| Binding { name: name.clone(), ty: ty.clone(), mutable: *mutable, value }).collect();
        if let Some((value, cir_ty)) = value {
            let ty = types.last().cloned().unwrap_or_default();
            push_line(&mut reply.out, &format!("{} : {ty}", show::value(program, &value, &cir_ty)));
        }
        reply
    }

    /// Adds or replaces definitions after checking them with everything else.
    fn define(&mut self, defs: Vec<Def>, source: usize) -> Reply {
        if let Some(bad) = defs.iter().find(|d| d.name.as_deref().is_some_and(|n| n.starts_with("__repl"))) {
            let d = Diagnostic::new(Code::E0605, "Names starting with `__repl` are reserved by the REPL").primary(bad.key_span.unwrap_or(bad.span), "rename this");
            return self.failure_in(&[d], &bad.json, source);
        }
        if let Some((def, users)) = self.changed_type_in_use(&defs) {
            let d = Diagnostic::new(Code::E0607, format!("Type `{}` cannot change while bindings hold values of it", def.name.as_deref().unwrap_or("?")))
                .primary(def.key_span.unwrap_or(def.span), format!("used by {}", users.join(", ")))
                .hint(format!("`:drop {}` first, then define the type again", users.join(" ")));
            return self.failure_in(&[d], &def.json, source);
        }
        let kept: Vec<(String, bool)> = self.bindings.iter().map(|b| (b.name.clone(), b.mutable)).collect();
        let (checked, synth) = self.check(&defs, Body::Nothing, &kept, None, false);
        if checked.has_errors() {
            return self.report(&checked, &synth, source);
        }
        let summary = summary(&defs);
        for def in defs {
            match self.defs.iter_mut().find(|d| d.section == def.section && d.name.is_some() && d.name == def.name) {
                Some(old) => *old = def,
                None => self.defs.push(def),
            }
        }
        Reply { out: format!("defined {summary}\n"), ..Reply::default() }
    }

    /// A type definition that replaces a different one while bindings hold values of the old
    /// one (their values would not fit the new definition), and the names of those bindings.
    fn changed_type_in_use<'d>(&self, defs: &'d [Def]) -> Option<(&'d Def, Vec<String>)> {
        defs.iter().filter(|d| d.section == "types").find_map(|def| {
            let name = def.name.as_deref()?;
            let old = self.defs.iter().find(|d| d.section == "types" && d.name.as_deref() == Some(name))?;
            if old.json.text[old.span.range()] == def.json.text[def.span.range()] {
                return None;
            }
            let users: Vec<String> = self.bindings.iter().filter(|b| mentions(&b.ty, name)).map(|b| b.name.clone()).collect();
            (!users.is_empty()).then_some((def, users))
        })
    }

    /// `:drop NAME…`: forgets bindings.
    fn drop_bindings(&mut self, names: &str) -> Reply {
        let names: Vec<&str> = names.split_whitespace().collect();
        let unknown: Vec<&str> = names.iter().copied().filter(|n| !self.bindings.iter().any(|b| b.name == *n)).collect();
        if !unknown.is_empty() {
            self.inputs += 1;
            let text = format!(":drop {}", names.join(" "));
            let source = self.add_source(format!("<input {}>", self.inputs), &text);
            let d = Diagnostic::new(Code::E0602, format!("No binding named {}", unknown.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")))
                .primary(Span::new(0, text.len()), "nothing was dropped")
                .hint("`:bindings` lists the bindings");
            return self.failure(&[d], source);
        }
        self.bindings.retain(|b| !names.contains(&b.name.as_str()));
        Reply { out: format!("dropped {}\n", names.join(", ")), ..Reply::default() }
    }

    /// Builds and checks the synthetic program: the definitions (with `extra` replacing or
    /// adding), the rebinding of every binding, `body`, the captures of `kept`, and, when
    /// `types` is given, the return of the captures (and the value) with those types.
    fn check(&self, extra: &[Def], body: Body, kept: &[(String, bool)], types: Option<&[String]>, lower: bool) -> (Checked, Synth) {
        let synth = self.program(extra, body, kept, types);
        (compile::check_program(&synth.text, lower), synth)
    }

    fn program(&self, extra: &[Def], body: Body, kept: &[(String, bool)], types: Option<&[String]>) -> Synth {
        let mut s = Synth::default();
        s.glue("{\"program\": {\"entry\": \"__repl_main\", \"functions\": {\n\"__repl_main\": {\"args\": [], \"return\": \"void\", \"body\": []},\n");
        s.glue(&format!("\"{INPUT_FN}\": {{\"args\": ["));
        for (i, b) in self.bindings.iter().enumerate() {
            s.glue(&format!("{}{{\"name\": \"__repl_in_{i}\", \"type\": ", if i > 0 { ", " } else { "" }));
            push_json_string(&mut s.text, &b.ty);
            s.glue("}");
        }
        s.glue("], \"return\": ");
        let returned = types.map(return_type);
        push_json_string(&mut s.text, returned.as_deref().unwrap_or("void"));
        s.glue(", \"body\": [\n");
        for (i, b) in self.bindings.iter().enumerate() {
            s.glue("{\"let\": {\"name\": ");
            push_json_string(&mut s.text, &b.name);
            s.glue(", \"type\": ");
            push_json_string(&mut s.text, &b.ty);
            s.glue(&format!(", \"mutable\": {}, \"value\": {{\"var\": \"__repl_in_{i}\"}}}}}},\n", b.mutable));
        }
        self.body(&mut s, body);
        for (i, (name, _)) in kept.iter().enumerate() {
            s.glue(&format!("{{\"let\": {{\"name\": \"{}\", \"value\": {{\"var\": ", capture(i)));
            push_json_string(&mut s.text, name);
            s.glue("}}},\n");
        }
        match types.map(|t| t.len()) {
            Some(0) | None => s.glue("{\"comment\": \"end\"}"),
            Some(1) => s.glue(&format!("{{\"return\": {{\"var\": \"{}\"}}}}", returned_name(kept.len(), 0))),
            Some(n) => {
                let items: Vec<String> = (0..n).map(|i| format!("{{\"var\": \"{}\"}}", returned_name(kept.len(), i))).collect();
                s.glue(&format!("{{\"return\": {{\"tuple\": [{}]}}}}", items.join(", ")));
            }
        }
        s.glue("]}");
        let defs = self.merged(extra);
        for def in defs.iter().filter(|d| d.section == "functions") {
            s.glue(",\n");
            write_member(&mut s, def);
        }
        s.glue("}");
        for section in input::SECTIONS.iter().filter(|s| **s != "functions") {
            let members: Vec<&&Def> = defs.iter().filter(|d| d.section == *section).collect();
            if members.is_empty() {
                continue;
            }
            let array = *section == "trait_impls";
            s.glue(&format!(",\n\"{section}\": {}", if array { "[" } else { "{" }));
            for (i, def) in members.iter().enumerate() {
                if i > 0 {
                    s.glue(",\n");
                }
                write_member(&mut s, def);
            }
            s.glue(if array { "]" } else { "}" });
        }
        s.glue("}}\n");
        s
    }

    fn body(&self, s: &mut Synth, body: Body) {
        match body {
            Body::Nothing => {}
            Body::Stmts(json, spans) => {
                for span in spans {
                    s.copy(json, *span);
                    s.glue(",\n");
                }
            }
            Body::Value(json, span) => {
                s.glue(&format!("{{\"let\": {{\"name\": \"{VALUE}\", \"value\": "));
                s.copy(json, span);
                s.glue("}},\n");
            }
            Body::Effect(json, span) => {
                s.glue("{\"expression\": ");
                s.copy(json, span);
                s.glue("},\n");
            }
        }
    }

    /// The definitions with `extra` replacing those of the same section and name.
    fn merged<'a>(&'a self, extra: &'a [Def]) -> Vec<&'a Def> {
        let mut all: Vec<&Def> = self.defs.iter().filter(|d| !extra.iter().any(|e| e.section == d.section && e.name.is_some() && e.name == d.name)).collect();
        all.extend(extra);
        all
    }

    fn report(&self, checked: &Checked, synth: &Synth, source: usize) -> Reply {
        let err = report::diagnostics(&checked.diagnostics, synth, &self.sources, source, self.color);
        Reply { err, failed: true, ..Reply::default() }
    }

    fn failure(&self, diagnostics: &[Diagnostic], source: usize) -> Reply {
        let err = report::in_source(diagnostics, &self.sources[source], self.color);
        Reply { err, failed: true, ..Reply::default() }
    }

    /// Diagnostics whose spans are in `json`, which may be a translation of the source.
    fn failure_in(&self, diagnostics: &[Diagnostic], json: &Json, source: usize) -> Reply {
        let mut synth = Synth::default();
        synth.copy(json, Span::new(0, json.text.len()));
        let err = report::diagnostics(diagnostics, &synth, &self.sources, source, self.color);
        Reply { err, failed: true, ..Reply::default() }
    }

    fn fault(&self, program: &cir::Program, synth: &Synth, stop: &CallStop, source: usize) -> Reply {
        let err = report::fault(program, synth, stop, &self.sources, source, self.color);
        Reply { err, failed: true, ..Reply::default() }
    }

    fn internal(&self, what: &str, source: usize) -> Reply {
        let d = Diagnostic::new(Code::E0900, "Internal compiler error").note(what.to_string()).hint("this is a bug in sev; please report it with the REPL session");
        self.failure(&[d], source)
    }
}

/// Whether the type string `ty` names the type `name`.
fn mentions(ty: &str, name: &str) -> bool {
    ty.split(|c: char| !c.is_alphanumeric() && c != '_').any(|word| word == name)
}

/// Whether a type's text can be written in the synthetic program (an anonymous record's
/// cannot).
fn writable(ty: &str) -> bool {
    !ty.contains('{') && !ty.contains("<invalid>") && !ty.split(|c: char| !c.is_alphanumeric() && c != '_').any(|word| word == "_")
}

/// Whether the only error of an expression kept as a value is that it has none (a `void` call).
fn is_void(checked: &Checked) -> bool {
    let mut errors = checked.diagnostics.iter().filter(|d| d.is_error());
    matches!((errors.next(), errors.next()), (Some(d), None) if d.code == Code::E0314)
}

fn capture(i: usize) -> String {
    format!("__repl_out_{i}")
}

fn returned_name(kept: usize, i: usize) -> String {
    if i < kept { capture(i) } else { VALUE.to_string() }
}

fn return_type(types: &[String]) -> String {
    match types {
        [] => "void".into(),
        [one] => one.clone(),
        many => format!("({})", many.join(", ")),
    }
}

fn write_member(s: &mut Synth, def: &Def) {
    if let (Some(key), Some(_)) = (def.key_span, &def.name) {
        s.copy(&def.json, key);
        s.glue(": ");
    }
    s.copy(&def.json, def.span);
}

/// The types, as SIRS type strings, of the input function's locals `names` (`None` where the
/// local does not exist).
fn captured_types(checked: &Checked, names: &[String]) -> Vec<Option<String>> {
    let Some(program) = &checked.typed else { return vec![None; names.len()] };
    let Some(id) = compile::input_function(program) else { return vec![None; names.len()] };
    let f = program.func(id);
    names.iter().map(|name| f.locals.iter().rev().find(|l| l.name == *name).map(|l| type_text(program, &l.ty))).collect()
}

fn type_text(program: &typed::Program, ty: &crate::types::Ty) -> String {
    crate::types::Display { ty, names: program }.to_string()
}

/// The CIR types of the `count` values the input function returns (the first ones are the
/// bindings).
fn split_types(program: &cir::Program, ret: &cir::Ty, count: usize) -> Vec<cir::Ty> {
    match (count, ret) {
        (0, _) => Vec::new(),
        (1, _) => vec![ret.clone()],
        (_, cir::Ty::Adt(id, _)) => match program.types.get(id.0 as usize).map(|t| &t.kind) {
            Some(cir::TypeKind::Tuple { items }) => items.clone(),
            _ => Vec::new(),
        },
        (_, cir::Ty::Tuple(items)) => items.clone(),
        _ => Vec::new(),
    }
}

/// The values the input function returned, each with its CIR type.
fn split_result(program: &cir::Program, result: Value, ret: &cir::Ty, count: usize) -> Vec<(Value, cir::Ty)> {
    let types = split_types(program, ret, count);
    match (count, result) {
        (0, _) => Vec::new(),
        (1, value) => vec![(value, ret.clone())],
        (_, Value::Fields(values)) => values.iter().cloned().zip(types).collect(),
        _ => Vec::new(),
    }
}

fn push_line(out: &mut String, line: &str) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(line);
    out.push('\n');
}

fn summary(defs: &[Def]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for section in input::SECTIONS {
        let names: Vec<&str> = defs.iter().filter(|d| d.section == *section).filter_map(|d| d.name.as_deref()).collect();
        let count = defs.iter().filter(|d| d.section == *section).count();
        match *section {
            "trait_impls" if count > 0 => parts.push(format!("{count} trait implementation{}", if count == 1 { "" } else { "s" })),
            _ if !names.is_empty() => parts.push(format!("{} {}", section.trim_end_matches('s'), names.join(", "))),
            _ => {}
        }
    }
    if parts.is_empty() { "nothing".into() } else { parts.join("; ") }
}

/// What `:help` prints.
pub const HELP: &str = r#"
Enter an expression, a statement or a definition, in SIRS JSON or in the short syntax:
  42                              an expression: its value and type
  let x = 6 * 7                   a binding, kept for later inputs (`let mut` for a mutable one)
  x = x + 1                       an assignment to a mutable binding
  fn sq(n: i64) -> i64 = n * n    a function
  {"let": {"name": "y", "value": {"literal": 1}}}
                                  SIRS JSON; a JSON input may span lines and ends when complete
Commands:
  :type EXPR     the type of an expression, without running it
  :load FILE     add a program's definitions (functions, types, ...) to the session
  :bindings      the bindings and their types
  :drop NAME...  forget bindings
  :help          this text
  :quit          leave (so does Ctrl-D)
"#;
