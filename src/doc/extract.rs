//! From a parsed program to the items of its documentation page: models first (the entry or
//! an `infer` target that reaches `observe` or `factor`, with data, parameters and what is
//! observed), then types, traits, implementations, functions, C functions, constants and
//! declared distributions, each
//! in the order written. Names of declared types and traits in signatures become links.

use super::text::{self, Line, Resolve};
use super::{Detail, Item, Kind, Page, Piece};
use crate::ast::{ExprKind, Function, ImplDecl, Program, SampleExpr, StmtKind, TraitDecl, TypeDecl, TypeDeclKind};
use crate::lint::walk;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The anchors of the program's declared types and traits.
struct Declared {
    anchors: HashMap<String, String>,
}

impl Resolve for Declared {
    fn anchor(&self, name: &str) -> Option<String> {
        self.anchors.get(name).cloned()
    }
}

impl Declared {
    fn new(program: &Program) -> Declared {
        let mut anchors = HashMap::new();
        for t in &program.traits {
            anchors.insert(t.name.text.clone(), anchor("trait", &t.name.text));
        }
        for t in &program.types {
            anchors.insert(t.name.text.clone(), anchor("type", &t.name.text));
        }
        Declared { anchors }
    }
}

/// An HTML id / Markdown anchor: the kind, then the name with anything but letters, digits
/// and `_` replaced by `-`.
pub fn anchor(kind: &str, name: &str) -> String {
    let clean: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
    format!("{kind}-{clean}")
}

/// The documentation page of one program.
pub fn page(title: &str, slug: &str, program: &Program) -> Page {
    let names = Declared::new(program);
    let models = model_functions(program);
    let mut items = Vec::new();
    for f in program.functions.iter().filter(|f| models.contains(&f.name.text)) {
        items.push(model_item(f, program, &names));
    }
    items.extend(program.types.iter().map(|t| type_item(t, &names)));
    items.extend(program.traits.iter().map(|t| trait_item(t, program, &names)));
    items.extend(program.impls.iter().map(|i| impl_item(i, &names)));
    for f in program.functions.iter().filter(|f| !models.contains(&f.name.text)) {
        items.push(Item { kind: Kind::Function, name: f.name.text.clone(), anchor: anchor("fn", &f.name.text), signature: signature(f, &names), doc: f.doc.clone(), details: Vec::new() });
    }
    items.extend(program.externs.iter().map(|e| extern_item(e, &names)));
    items.extend(program.constants.iter().map(|c| constant_item(c, &names)));
    items.extend(program.distributions.iter().map(|d| {
        let params: Vec<String> = d.params.iter().map(|p| p.name.text.clone()).collect();
        let signature = vec![Piece::Text(format!("distribution {}({})", d.name.text, params.join(", ")))];
        Item { kind: Kind::Distribution, name: d.name.text.clone(), anchor: anchor("dist", &d.name.text), signature, doc: d.doc.clone(), details: Vec::new() }
    }));
    Page { title: title.to_string(), slug: slug.to_string(), items }
}

/// `fn name<T: Bound>(a: A, b: B) -> R`, with `async` in front when the function is.
fn signature(f: &Function, names: &dyn Resolve) -> Vec<Piece> {
    let mut line = Line::default();
    line.text(if f.is_async { "async fn " } else { "fn " });
    line.text(&f.name.text);
    text::type_params(&mut line, &f.type_params, names);
    line.text("(");
    for (i, p) in f.params.iter().enumerate() {
        if i > 0 {
            line.text(", ");
        }
        line.text(&format!("{}: ", p.name.text));
        text::type_expr(&mut line, &p.ty, names);
    }
    line.text(")");
    if let Some(ret) = f.ret.as_ref().filter(|r| !is_void(r)) {
        line.text(" -> ");
        text::type_expr(&mut line, ret, names);
    }
    line.finish()
}

/// `void` written out, which a signature leaves implicit like a missing `return`.
fn is_void(ty: &crate::ast::TypeExpr) -> bool {
    matches!(&ty.kind, crate::ast::TypeExprKind::Named { name, args } if name.text == "void" && args.is_empty())
}

// ----- Models ---------------------------------------------------------------------------------

/// The functions documented as models: the entry and every `infer` target, when they reach
/// an `observe` or a `factor` through calls.
fn model_functions(program: &Program) -> HashSet<String> {
    let entry = program.entry.as_ref().map_or("main", |n| n.text.as_str());
    let mut candidates: BTreeSet<String> = BTreeSet::from([entry.to_string()]);
    for f in &program.functions {
        walk::each_expr_in(&f.body, &mut |e| {
            if let ExprKind::Infer { model, .. } = &e.kind {
                candidates.insert(model.text.clone());
            }
        });
    }
    let by_name: HashMap<&str, &Function> = program.functions.iter().map(|f| (f.name.text.as_str(), f)).collect();
    candidates.into_iter().filter(|name| reachable(name, &by_name).iter().any(|f| observes(f))).collect()
}

/// `name` and every function it calls, directly or not, in the order first reached.
fn reachable<'a>(name: &str, by_name: &HashMap<&str, &'a Function>) -> Vec<&'a Function> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    let mut stack = vec![name.to_string()];
    while let Some(next) = stack.pop() {
        let Some(f) = by_name.get(next.as_str()) else { continue };
        if !seen.insert(next) {
            continue;
        }
        out.push(*f);
        let mut callees = Vec::new();
        walk::each_expr_in(&f.body, &mut |e| {
            if let ExprKind::Call { func, .. } = &e.kind {
                callees.push(func.text.clone());
            }
        });
        stack.extend(callees.into_iter().rev());
    }
    out
}

fn observes(f: &Function) -> bool {
    let mut found = false;
    walk::each_stmt(&f.body, &mut |s| found |= matches!(s.kind, StmtKind::Observe { .. } | StmtKind::Factor(_)));
    found
}

fn model_item(f: &Function, program: &Program, names: &dyn Resolve) -> Item {
    let by_name: HashMap<&str, &Function> = program.functions.iter().map(|f| (f.name.text.as_str(), f)).collect();
    let mut details: Vec<Detail> = f.params.iter().map(|p| data_detail(p, names)).collect();
    for g in reachable(&f.name.text, &by_name) {
        let place = if g.name.text == f.name.text { String::new() } else { format!(" (in `{}`)", g.name.text) };
        model_sites(g, &place, &mut details);
    }
    Item { kind: Kind::Model, name: f.name.text.clone(), anchor: anchor("model", &f.name.text), signature: signature(f, names), doc: f.doc.clone(), details }
}

fn data_detail(p: &crate::ast::Param, names: &dyn Resolve) -> Detail {
    let mut line = Line::default();
    text::type_expr(&mut line, &p.ty, names);
    Detail { group: "Data", label: p.name.text.clone(), text: line.finish(), doc: None }
}

/// The parameters (sample sites, with prior and constraints), observations and factors of
/// one function of a model.
fn model_sites(f: &Function, place: &str, details: &mut Vec<Detail>) {
    walk::each_stmt(&f.body, &mut |s| match &s.kind {
        StmtKind::Let { name, value, .. } => {
            if let ExprKind::Sample(sample) = &value.kind {
                details.push(Detail { group: "Parameters", label: format!("{}{place}", name.text), text: prior(sample), doc: None });
            }
        }
        StmtKind::Observe { dist, value } => {
            let text = vec![Piece::Text(format!("~ {}", text::dist(dist)))];
            details.push(Detail { group: "Observed", label: format!("{}{place}", text::expr(value)), text, doc: None });
        }
        StmtKind::Factor(e) => {
            details.push(Detail { group: "Factors", label: format!("factor{place}"), text: vec![Piece::Text(text::expr(e))], doc: None });
        }
        _ => {}
    });
}

/// `~ normal(0.0, 1.0), lower 0.0, size n`.
fn prior(s: &SampleExpr) -> Vec<Piece> {
    let mut out = format!("~ {}", text::dist(&s.dist));
    for (word, bound) in [("size", &s.size), ("lower", &s.lower), ("upper", &s.upper)] {
        if let Some(b) = bound {
            out.push_str(&format!(", {word} {}", text::expr(b)));
        }
    }
    if let Some(c) = &s.constraint {
        out.push_str(&format!(", {}", c.text));
    }
    vec![Piece::Text(out)]
}

// ----- Types, traits, implementations ---------------------------------------------------------

fn type_item(t: &TypeDecl, names: &dyn Resolve) -> Item {
    let mut line = Line::default();
    let word = match &t.kind {
        TypeDeclKind::Record { .. } => "record ",
        TypeDeclKind::Enum { .. } => "enum ",
        TypeDeclKind::Error { .. } => "error ",
        TypeDeclKind::Alias(_) => "type ",
    };
    line.text(word);
    line.text(&t.name.text);
    text::type_params(&mut line, &t.params, names);
    let mut details = Vec::new();
    match &t.kind {
        TypeDeclKind::Record { fields } => {
            for field in fields {
                let mut ty = Line::default();
                text::type_expr(&mut ty, &field.ty, names);
                details.push(Detail { group: "Fields", label: field.name.text.clone(), text: ty.finish(), doc: None });
            }
        }
        TypeDeclKind::Enum { variants } => {
            for v in variants {
                let mut payload = Line::default();
                if let Some(p) = &v.payload {
                    text::type_expr(&mut payload, p, names);
                }
                details.push(Detail { group: "Variants", label: v.name.text.clone(), text: payload.finish(), doc: None });
            }
        }
        TypeDeclKind::Error { message } => {
            if let Some(m) = message {
                line.text("(message: ");
                text::type_expr(&mut line, m, names);
                line.text(")");
            }
        }
        TypeDeclKind::Alias(ty) => {
            line.text(" = ");
            text::type_expr(&mut line, ty, names);
        }
    }
    Item { kind: Kind::Type, name: t.name.text.clone(), anchor: anchor("type", &t.name.text), signature: line.finish(), doc: t.doc.clone(), details }
}

fn trait_item(t: &TraitDecl, program: &Program, names: &dyn Resolve) -> Item {
    let mut details = Vec::new();
    for m in &t.methods {
        let mut line = Line::default();
        line.text(&format!("fn {}(self", m.name.text));
        for p in &m.params {
            line.text(", ");
            text::type_expr(&mut line, p, names);
        }
        line.text(")");
        if let Some(ret) = &m.ret {
            line.text(" -> ");
            text::type_expr(&mut line, ret, names);
        }
        details.push(Detail { group: "Methods", label: m.name.text.clone(), text: line.finish(), doc: m.doc.clone() });
    }
    for i in program.impls.iter().filter(|i| i.trait_name.text == t.name.text) {
        let mut line = Line::default();
        line.link(&impl_title(i), impl_anchor(i));
        details.push(Detail { group: "Implemented by", label: String::new(), text: line.finish(), doc: None });
    }
    Item { kind: Kind::Trait, name: t.name.text.clone(), anchor: anchor("trait", &t.name.text), signature: vec![Piece::Text(format!("trait {}", t.name.text))], doc: t.doc.clone(), details }
}

fn impl_title(i: &ImplDecl) -> String {
    let mut target = Line::default();
    text::type_expr(&mut target, &i.target, &NoLinks);
    format!("impl {} for {}", i.trait_name.text, super::plain(&target.finish()))
}

fn impl_anchor(i: &ImplDecl) -> String {
    let mut target = Line::default();
    text::type_expr(&mut target, &i.target, &NoLinks);
    anchor("impl", &format!("{}-for-{}", i.trait_name.text, super::plain(&target.finish())))
}

struct NoLinks;

impl Resolve for NoLinks {
    fn anchor(&self, _: &str) -> Option<String> {
        None
    }
}

fn impl_item(i: &ImplDecl, names: &dyn Resolve) -> Item {
    let mut line = Line::default();
    line.text("impl ");
    text::name_ref(&mut line, &i.trait_name.text, names);
    line.text(" for ");
    text::type_expr(&mut line, &i.target, names);
    let details = i
        .methods
        .iter()
        .map(|m| Detail { group: "Methods", label: m.name.text.clone(), text: signature(m, names), doc: m.doc.clone() })
        .collect();
    Item { kind: Kind::Impl, name: impl_title(i), anchor: impl_anchor(i), signature: line.finish(), doc: i.doc.clone(), details }
}

// ----- C functions and constants --------------------------------------------------------------

/// `extern fn cbrt(x: f64) -> f64 from "m"`.
fn extern_item(e: &crate::ast::ExternFn, names: &dyn Resolve) -> Item {
    let mut line = Line::default();
    line.text(&format!("extern fn {}(", e.name.text));
    for (i, p) in e.params.iter().enumerate() {
        if i > 0 {
            line.text(", ");
        }
        line.text(&format!("{}: ", p.name.text));
        text::type_expr(&mut line, &p.ty, names);
    }
    line.text(")");
    if let Some(ret) = e.ret.as_ref().filter(|r| !is_void(r)) {
        line.text(" -> ");
        text::type_expr(&mut line, ret, names);
    }
    line.text(&format!(" from \"{}\"", e.library.text));
    Item { kind: Kind::Extern, name: e.name.text.clone(), anchor: anchor("extern", &e.name.text), signature: line.finish(), doc: None, details: Vec::new() }
}

/// `const LIMIT: i64 = 100`.
fn constant_item(c: &crate::ast::Constant, names: &dyn Resolve) -> Item {
    let mut line = Line::default();
    line.text(&format!("const {}", c.name.text));
    if let Some(ty) = &c.ty {
        line.text(": ");
        text::type_expr(&mut line, ty, names);
    }
    line.text(&format!(" = {}", text::expr(&c.value)));
    Item { kind: Kind::Constant, name: c.name.text.clone(), anchor: anchor("const", &c.name.text), signature: line.finish(), doc: None, details: Vec::new() }
}
