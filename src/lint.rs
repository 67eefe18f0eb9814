//! `sev lint`: rules with stable codes (L0001…) that find likely mistakes in a program that
//! type-checks — general ones (unused names, shadowing, unreachable code, float equality, …) and
//! probabilistic ones (improper priors, unconstrained scales, centred hierarchies, …).
//!
//! Rules read the AST (names, scopes, spans exactly as written) with the types the checker
//! found, looked up by span ([`Context::type_at`]). Each rule reports [`Finding`]s: data with a
//! span, a message, an optional hint and, where the repair is mechanical, a [`fix::Edit`] list.
//! [`Config`] turns each rule off (`allow`), into a warning (`warn`, the default) or into an
//! error (`deny`); [`to_diagnostic`] makes the ordinary `Diagnostic` that the rendering, JSON
//! and SARIF outputs share. The rule table is [`RULES`]; `docs/cli.md` lists the same rules.

pub mod fix;
mod general;
mod names;
mod prob;
pub mod sarif;
pub(crate) mod walk;

use crate::ast;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::span::Span;
use crate::typed;
use crate::types::Ty;
use std::collections::HashMap;

/// How a rule's findings are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

/// One lint rule: its stable code, its name (for `--allow` and friends) and what it finds.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub code: Code,
    pub name: &'static str,
    pub summary: &'static str,
}

/// Every rule, in code order.
pub const RULES: &[Rule] = &[
    Rule { code: Code::L0001, name: "unused-variable", summary: "a local variable is never read" },
    Rule { code: Code::L0002, name: "unused-function", summary: "a function is never called from the entry" },
    Rule { code: Code::L0003, name: "unused-parameter", summary: "a function parameter is never read" },
    Rule { code: Code::L0004, name: "shadowing", summary: "a variable hides another of the same name" },
    Rule { code: Code::L0005, name: "unreachable-code", summary: "a statement can never run" },
    Rule { code: Code::L0006, name: "constant-condition", summary: "a condition is always true or always false" },
    Rule { code: Code::L0007, name: "float-equality", summary: "floating-point numbers are compared with `eq` or `ne`" },
    Rule { code: Code::L0008, name: "division-by-zero", summary: "a divisor is zero or can be zero" },
    Rule { code: Code::L0009, name: "ignored-result", summary: "a `Result` is bound to a variable and never examined" },
    Rule { code: Code::L0010, name: "self-assignment", summary: "a variable is assigned to itself" },
    Rule { code: Code::L0011, name: "self-comparison", summary: "a value is compared with itself" },
    Rule { code: Code::L0101, name: "improper-prior", summary: "a parameter has an improper (flat, unbounded) prior" },
    Rule { code: Code::L0102, name: "unconstrained-scale", summary: "a parameter used as a scale has a prior that allows negative values" },
    Rule { code: Code::L0103, name: "wide-prior", summary: "a prior is far wider than the scale of the data" },
    Rule { code: Code::L0104, name: "centred-hierarchy", summary: "a hierarchical prior is centred; NUTS samples it poorly" },
    Rule { code: Code::L0105, name: "parameter-outside-likelihood", summary: "nothing observed depends on this parameter (its posterior is its prior)" },
];

/// The rule with this code or name.
pub fn find_rule(key: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name == key || r.code.as_str().eq_ignore_ascii_case(key))
}

/// The level of each rule; every rule warns unless configured otherwise.
#[derive(Clone, Debug, Default)]
pub struct Config {
    levels: HashMap<Code, Level>,
    /// The model's data by name (numbers and arrays of numbers, flattened), from `--data`; rule
    /// L0103 compares priors with the scale of the observed values.
    pub data: HashMap<String, Vec<f64>>,
}

impl Config {
    /// Sets the level of `key` (a code, a name, or `all`). `Err` names an unknown rule.
    pub fn set(&mut self, key: &str, level: Level) -> Result<(), String> {
        if key == "all" {
            RULES.iter().for_each(|r| {
                self.levels.insert(r.code, level);
            });
            return Ok(());
        }
        let rule = find_rule(key).ok_or_else(|| format!("unknown lint rule `{key}` (see `sev lint --list`)"))?;
        self.levels.insert(rule.code, level);
        Ok(())
    }

    /// Sets the levels a config document gives under its `lint` key, e.g.
    /// `{"lint": {"shadowing": "allow", "L0008": "deny"}}`. `Err` says what is wrong.
    pub fn set_from_json(&mut self, doc: &serde_json::Value) -> Result<(), String> {
        let Some(lint) = doc.get("lint") else { return Ok(()) };
        let levels = lint.as_object().ok_or("the `lint` key must hold an object of rule: level")?;
        for (key, value) in levels {
            let level = match value.as_str() {
                Some("allow") => Level::Allow,
                Some("warn") => Level::Warn,
                Some("deny") => Level::Deny,
                _ => return Err(format!("the level of `{key}` must be \"allow\", \"warn\" or \"deny\", not {value}")),
            };
            self.set(key, level)?;
        }
        Ok(())
    }

    pub fn level(&self, code: Code) -> Level {
        self.levels.get(&code).copied().unwrap_or(Level::Warn)
    }
}

/// One problem found by a rule.
#[derive(Clone, Debug)]
pub struct Finding {
    pub code: Code,
    pub span: Span,
    pub label: String,
    pub title: String,
    pub secondary: Option<(Span, String)>,
    pub hint: Option<String>,
    pub fix: Vec<fix::Edit>,
}

impl Finding {
    pub fn new(code: Code, span: Span, title: impl Into<String>, label: impl Into<String>) -> Finding {
        Finding { code, span, title: title.into(), label: label.into(), secondary: None, hint: None, fix: Vec::new() }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }

    pub fn secondary(mut self, span: Span, label: impl Into<String>) -> Finding {
        self.secondary = Some((span, label.into()));
        self
    }

    pub fn fix(mut self, edits: Vec<fix::Edit>) -> Finding {
        self.fix = edits;
        self
    }
}

/// What the rules may read: the AST, the typed program and the types of expressions by span.
pub struct Context<'a> {
    pub ast: &'a ast::Program,
    pub typed: &'a typed::Program,
    pub source: &'a str,
    pub config: &'a Config,
    types: HashMap<Span, Ty>,
}

impl<'a> Context<'a> {
    pub fn new(ast: &'a ast::Program, typed: &'a typed::Program, source: &'a str, config: &'a Config) -> Context<'a> {
        Context { ast, typed, source, config, types: expression_types(typed) }
    }

    /// The type the checker gave the expression or variable name at `span`.
    pub fn type_at(&self, span: Span) -> Option<&Ty> {
        self.types.get(&span)
    }

    /// The type of an AST expression (a variable's type is recorded at its name).
    pub fn expr_type(&self, e: &ast::Expr) -> Option<&Ty> {
        match &e.kind {
            ast::ExprKind::Var(name) => self.type_at(name.span).or_else(|| self.type_at(e.span)),
            _ => self.type_at(e.span),
        }
    }

    /// Every function body with its name: free functions and trait implementation methods.
    pub fn functions(&self) -> impl Iterator<Item = &'a ast::Function> {
        self.ast.functions.iter().chain(self.ast.impls.iter().flat_map(|i| i.methods.iter()))
    }
}

fn expression_types(typed: &typed::Program) -> HashMap<Span, Ty> {
    let mut out = HashMap::new();
    for function in &typed.functions {
        for local in &function.locals {
            out.insert(local.span, local.ty.clone());
        }
        typed::walk(&function.body, &mut |_, exprs| {
            // Parents come first; a conversion the checker inserted shares its operand's span,
            // and the operand's own type (the one written) wins.
            for e in exprs {
                out.insert(e.span, e.ty.clone());
            }
        });
    }
    out
}

/// Runs every rule that is not allowed; findings are sorted by position.
pub fn lint(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    names::check(cx, &mut findings);
    general::check(cx, &mut findings);
    prob::check(cx, &mut findings);
    findings.retain(|f| cx.config.level(f.code) != Level::Allow);
    findings.sort_by_key(|f| (f.span.start, f.code));
    findings
}

/// The diagnostic of a finding at its configured level.
pub fn to_diagnostic(finding: &Finding, config: &Config) -> Diagnostic {
    let mut d = Diagnostic::new(finding.code, finding.title.clone()).primary(finding.span, finding.label.clone());
    if let Some((span, label)) = &finding.secondary {
        d = d.secondary(*span, label.clone());
    }
    if !finding.fix.is_empty() {
        d = d.note("`sev lint --fix` can repair this");
    }
    d = d.maybe_hint(finding.hint.clone());
    d.severity = if config.level(finding.code) == Level::Deny { Severity::Error } else { Severity::Warning };
    d
}

/// Whether `ty` is a floating-point type.
pub fn is_float(ty: &Ty) -> bool {
    matches!(ty, Ty::Float(_) | Ty::Real)
}

/// What linting one file produced.
pub struct Outcome {
    pub file: crate::span::SourceFile,
    /// The program's errors (then there are no findings), or one diagnostic per finding.
    pub diagnostics: Vec<Diagnostic>,
    pub findings: Vec<Finding>,
}

/// Compiles `bytes` (without Zig) and, when the program has no errors, runs the rules. Deeply
/// nested input recurses here: call it on a thread with a large stack, as `driver` does.
pub fn lint_source(name: &str, bytes: &[u8], config: &Config) -> Outcome {
    let compilation = crate::driver::compile(name, bytes, crate::driver::Options::default());
    if compilation.has_errors() {
        let diagnostics = compilation.diagnostics.into_iter().filter(Diagnostic::is_error).collect();
        return Outcome { file: compilation.file, diagnostics, findings: Vec::new() };
    }
    let read = crate::syntax::read(name, bytes);
    let Some(program) = read.program else {
        return Outcome { file: read.file, diagnostics: read.diagnostics, findings: Vec::new() };
    };
    let (typed, _) = crate::check::check(&program);
    let cx = Context::new(&program, &typed, &read.file.text, config);
    let findings = lint(&cx);
    let diagnostics = findings.iter().map(|f| to_diagnostic(f, config)).collect();
    Outcome { file: read.file, diagnostics, findings }
}
