//! The centred/non-centred switch: `{"let": {"name": "theta", "value": {"sample": {"distribution":
//! "normal", "params": [mu, tau], "size": J, "parameterization": "noncentered"}}}}` becomes
//!
//! ```text
//! let theta__loc: f64 = mu; let theta__scale: f64 = tau;
//! let theta__raw = sample normal(0, 1) size J;            // the sampled coordinates
//! let mut theta (output) = array_fill(len(theta__raw), 0.0);
//! for theta__i in 0..len(theta__raw) { theta[theta__i] = theta__loc + theta__scale * theta__raw[theta__i]; }
//! ```
//!
//! so the sampler moves on standard coordinates, free of the funnel between a group's values
//! and their scale, while the column `theta.j` holds the value on the natural scale. The
//! density of `theta` is the same: the change of variables is linear with a data-free Jacobian
//! only in the raw space, which is what the sampler sees. `student_t(nu, mu, sigma)` and
//! `cauchy(mu, sigma)` draw the raw value from their standard form; `lognormal(mu, sigma)` takes
//! `exp` of the affine value. `"centered"` leaves the draw as written. Anything else (another
//! distribution, bounds, a constraint, a draw not the value of a `let`) is E0340.

use super::build::{self, LetFlags};
use crate::ast::{Expr, ExprKind, Name, SampleExpr, Stmt, StmtKind};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::span::Span;

const WORDS: [&str; 2] = ["centered", "noncentered"];

/// How a distribution splits into a standard draw and an affine map.
struct Family {
    name: &'static str,
    /// The positions of the location and scale among the parameters.
    location: usize,
    scale: usize,
    /// Whether the natural value is `exp` of the affine one (`lognormal`).
    exponential: bool,
}

const FAMILIES: &[Family] = &[
    Family { name: "normal", location: 0, scale: 1, exponential: false },
    Family { name: "student_t", location: 1, scale: 2, exponential: false },
    Family { name: "cauchy", location: 0, scale: 1, exponential: false },
    Family { name: "lognormal", location: 0, scale: 1, exponential: true },
];

/// `None` when `stmt` is not a `let` of a draw with a `parameterization`; else the statements
/// replacing it, or the problem.
pub fn rewrite(stmt: &Stmt) -> Option<Result<Vec<Stmt>, Diagnostic>> {
    let StmtKind::Let { name, ty, value, mutable, .. } = &stmt.kind else { return None };
    let ExprKind::Sample(sample) = &value.kind else { return None };
    let word = sample.parameterization.as_ref()?;
    let rewritten = match word.text.as_str() {
        "centered" => Ok(vec![centred(stmt, sample)]),
        "noncentered" => noncentred(name, sample, value.span, ty.is_some()).map(|s| keep_mutable(s, *mutable)),
        _ => Err(unknown_word(word)),
    };
    Some(rewritten)
}

/// The draw as written, without the switch.
fn centred(stmt: &Stmt, sample: &SampleExpr) -> Stmt {
    let mut stmt = stmt.clone();
    if let StmtKind::Let { value, .. } = &mut stmt.kind {
        let mut plain = sample.clone();
        plain.parameterization = None;
        value.kind = ExprKind::Sample(Box::new(plain));
    }
    stmt
}

/// The user's `mutable` flag carries over to the last `let` (the one with the user's name).
fn keep_mutable(mut stmts: Vec<Stmt>, mutable: bool) -> Vec<Stmt> {
    if let Some(Stmt { kind: StmtKind::Let { mutable: m, .. }, .. }) = stmts.last_mut() {
        *m = *m || mutable;
    }
    stmts
}

fn noncentred(name: &Name, sample: &SampleExpr, span: Span, typed: bool) -> Result<Vec<Stmt>, Diagnostic> {
    let family = family_of(sample)?;
    refuse_extras(sample, typed, span)?;
    let params = &sample.dist.params;
    if params.len() <= family.scale {
        return Err(problem(sample.dist.span, format!("`{}` takes {} parameters here", family.name, family.scale + 1)));
    }
    let n = &name.text;
    let (loc, scale, raw) = (format!("{n}__loc"), format!("{n}__scale"), format!("{n}__raw"));
    let location = &params[family.location];
    let spread = &params[family.scale];
    let f64_ty = || Some(build::f64_type(span));
    let mut out = vec![
        build::let_(&Name::new(&loc, location.span), f64_ty(), location.clone(), LetFlags::default(), location.span),
        build::let_(&Name::new(&scale, spread.span), f64_ty(), spread.clone(), LetFlags::default(), spread.span),
        build::let_(&Name::new(&raw, name.span), None, standard_draw(family, sample, span), LetFlags::default(), span),
    ];
    let natural = |value: Expr| natural_value(family, &loc, &scale, value, span);
    let output = LetFlags { mutable: false, output: true };
    match &sample.size {
        None => out.push(build::let_(name, None, natural(build::var(&raw, span)), output, span)),
        Some(_) => {
            let length = || build::call("len", vec![build::var(&raw, span)], span);
            let zeros = build::call("array_fill", vec![length(), build::float(0.0, span)], span);
            out.push(build::let_(name, None, zeros, LetFlags { mutable: true, output: true }, span));
            let i = format!("{n}__i");
            let element = build::index(build::var(&raw, span), build::var(&i, span), span);
            let assign = build::assign_index(n, build::var(&i, span), natural(element), span);
            out.push(build::for_range(&i, length(), vec![assign], span));
        }
    }
    Ok(out)
}

/// Whether `dist` has a non-centred form (the default of a `hierarchical` group parameter).
pub fn has_form(dist: &str) -> bool {
    FAMILIES.iter().any(|f| f.name == dist)
}

fn family_of(sample: &SampleExpr) -> Result<&'static Family, Diagnostic> {
    let dist = &sample.dist.name;
    FAMILIES.iter().find(|f| f.name == dist.text).ok_or_else(|| {
        let names: Vec<&str> = FAMILIES.iter().map(|f| f.name).collect();
        problem(dist.span, format!("`{}` has no non-centred form here; the switch applies to {}", dist.text, names.join(", ")))
    })
}

fn refuse_extras(sample: &SampleExpr, typed: bool, span: Span) -> Result<(), Diagnostic> {
    let bound = sample.lower.as_ref().or(sample.upper.as_ref());
    if let Some(b) = bound {
        return Err(problem(b.span, "a non-centred draw cannot have bounds (the raw value is unbounded)".into()));
    }
    if let Some(c) = &sample.constraint {
        return Err(problem(c.span, format!("a non-centred draw cannot have the constraint `{}`", c.text)));
    }
    if typed {
        return Err(problem(span, "a non-centred draw's `let` takes no \"type\" (it is `f64`, or `[f64]` with a \"size\")".into()));
    }
    Ok(())
}

/// The raw draw: the family's standard member (`student_t` keeps its degrees of freedom).
fn standard_draw(family: &Family, sample: &SampleExpr, span: Span) -> Expr {
    let d = &sample.dist;
    let params = d.params.iter().enumerate().map(|(k, p)| {
        if k == family.location {
            build::float(0.0, p.span)
        } else if k == family.scale {
            build::float(1.0, p.span)
        } else {
            p.clone()
        }
    });
    let name = if family.exponential { Name::new("normal", d.name.span) } else { d.name.clone() };
    build::sample(build::dist(&name, params.collect(), d.span), sample.size.clone(), span)
}

fn natural_value(family: &Family, loc: &str, scale: &str, raw: Expr, span: Span) -> Expr {
    let affine = build::affine(build::var(loc, span), build::var(scale, span), raw, span);
    if family.exponential { build::call("math_exp", vec![affine], span) } else { affine }
}

fn unknown_word(word: &Name) -> Diagnostic {
    let message = match did_you_mean(&word.text, WORDS) {
        Some(s) => format!("unknown parameterization `{}` (did you mean `{s}`?)", word.text),
        None => format!("unknown parameterization `{}`; it is `centered` or `noncentered`", word.text),
    };
    problem(word.span, message)
}

fn problem(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(Code::E0340, "Invalid parameterization").primary(span, message)
}
