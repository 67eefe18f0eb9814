//! Compiling `match` arms to a decision tree, and reading missing patterns off it.
//!
//! The algorithm is the one described by Jules Jacobs ("How to compile pattern matching",
//! 2021): each arm is a row of tests `part of the value is pattern`; irrefutable tests become
//! bindings, tuple and record tests are split into tests on their parts, and the first
//! remaining test of the first row picks the part to switch on. Enums and booleans switch on
//! every constructor, so an empty set of rows under one of them is a missing pattern; integers
//! and strings switch on the literals used plus a default. The same tree drives code
//! generation (`cir::lower`), so what the checker proves exhaustive is what runs.

use super::Checker;
use crate::decision::{Access, Case, Decision, Step};
use crate::typed::{LocalId, Pat};
use crate::types::Ty;

#[derive(Clone)]
struct Row {
    tests: Vec<(Access, Pat)>,
    bindings: Vec<(LocalId, Access)>,
    arm: usize,
    guarded: bool,
}

/// What is known about the value along the current path (to describe a missing pattern).
#[derive(Clone)]
enum Known {
    Case(Case),
    Not(Vec<Case>),
}

impl Checker<'_> {
    /// Builds the decision tree for `rows` (pattern, has guard) matched against `ty`, and the
    /// list of missing patterns (empty when the match is exhaustive).
    pub(crate) fn decide(&self, ty: &Ty, rows: &[(Pat, bool)]) -> (Decision, Vec<String>) {
        let root = Access { steps: Vec::new(), ty: ty.clone() };
        let rows = rows
            .iter()
            .enumerate()
            .map(|(arm, (pat, guarded))| Row { tests: vec![(root.clone(), pat.clone())], bindings: Vec::new(), arm, guarded: *guarded })
            .collect();
        let mut missing = Vec::new();
        let decision = self.compile(rows, &mut Vec::new(), &root, &mut missing);
        (decision, missing)
    }

    fn compile(&self, rows: Vec<Row>, known: &mut Vec<(Access, Known)>, root: &Access, missing: &mut Vec<String>) -> Decision {
        let mut rows: Vec<Row> = rows.into_iter().map(|r| self.simplify(r)).collect();
        let Some(first) = rows.first() else {
            if missing.len() < 8 {
                missing.push(self.describe(root, known));
            }
            return Decision::Failure;
        };
        if first.tests.is_empty() {
            let first = rows.remove(0);
            if first.guarded {
                let failure = self.compile(rows, known, root, missing);
                return Decision::Guard { arm: first.arm, bindings: first.bindings, failure: Box::new(failure) };
            }
            return Decision::Success { arm: first.arm, bindings: first.bindings };
        }
        let access = first.tests[0].0.clone();
        match self.out.variants(&access.ty) {
            Some(variants) => {
                let cases = (0..variants.len())
                    .map(|v| {
                        let payload_ty = variants[v].1.clone();
                        let sub = specialise(&rows, &access, |pat| match pat {
                            Pat::Variant { variant, payload, .. } if *variant == v => Some(payload.as_deref().cloned()),
                            _ => None,
                        }, payload_ty.map(|t| Access { steps: extend(&access.steps, Step::Payload(v)), ty: t }));
                        known.push((access.clone(), Known::Case(Case::Variant(v))));
                        let d = self.compile(sub, known, root, missing);
                        known.pop();
                        (Case::Variant(v), d)
                    })
                    .collect();
                Decision::Switch { access, cases, default: None }
            }
            None if access.ty == Ty::Bool => {
                let cases = [true, false]
                    .into_iter()
                    .map(|b| {
                        let sub = specialise(&rows, &access, |pat| matches!(pat, Pat::Bool(x) if *x == b).then_some(None), None);
                        known.push((access.clone(), Known::Case(Case::Bool(b))));
                        let d = self.compile(sub, known, root, missing);
                        known.pop();
                        (Case::Bool(b), d)
                    })
                    .collect();
                Decision::Switch { access, cases, default: None }
            }
            None => self.literal_switch(rows, access, known, root, missing),
        }
    }

    /// Integers and strings: one case per literal used, and a default for every other value.
    fn literal_switch(&self, rows: Vec<Row>, access: Access, known: &mut Vec<(Access, Known)>, root: &Access, missing: &mut Vec<String>) -> Decision {
        let mut literals: Vec<Case> = Vec::new();
        for row in &rows {
            for (a, pat) in &row.tests {
                let case = match pat {
                    Pat::Int(i) => Case::Int(*i),
                    Pat::Str(s) => Case::Str(s.clone()),
                    _ => continue,
                };
                if *a == access && !literals.contains(&case) {
                    literals.push(case);
                }
            }
        }
        let cases = literals
            .iter()
            .map(|case| {
                let sub = specialise(&rows, &access, |pat| (literal_case(pat).as_ref() == Some(case)).then_some(None), None);
                known.push((access.clone(), Known::Case(case.clone())));
                let d = self.compile(sub, known, root, missing);
                known.pop();
                (case.clone(), d)
            })
            .collect();
        let rest: Vec<Row> = rows.into_iter().filter(|r| !r.tests.iter().any(|(a, _)| *a == access)).collect();
        known.push((access.clone(), Known::Not(literals)));
        let default = self.compile(rest, known, root, missing);
        known.pop();
        Decision::Switch { access, cases, default: Some(Box::new(default)) }
    }

    /// Moves irrefutable tests to bindings and splits tuple/record tests into their parts.
    fn simplify(&self, mut row: Row) -> Row {
        let mut tests = Vec::new();
        let mut pending = std::mem::take(&mut row.tests);
        while let Some((access, pat)) = pending.pop() {
            match pat {
                Pat::Wild => {}
                Pat::Bind(id) => row.bindings.push((id, access)),
                Pat::Tuple(items) => {
                    let types = match &access.ty {
                        Ty::Tuple(ts) => ts.clone(),
                        _ => vec![Ty::Invalid; items.len()],
                    };
                    for (i, (item, ty)) in items.into_iter().zip(types).enumerate().rev() {
                        pending.push((Access { steps: extend(&access.steps, Step::Field(i)), ty }, item));
                    }
                }
                Pat::Record { fields } => {
                    let declared = self.out.record_fields(&access.ty).unwrap_or_default();
                    for (i, item) in fields.into_iter().rev() {
                        let ty = declared.get(i).map_or(Ty::Invalid, |(_, t)| t.clone());
                        pending.push((Access { steps: extend(&access.steps, Step::Field(i)), ty }, item));
                    }
                }
                other => tests.push((access, other)),
            }
        }
        tests.reverse();
        row.bindings.sort_by_key(|(id, _)| *id);
        row.tests = tests;
        row
    }

    /// A readable example of a value that no arm matches, from what the path has fixed.
    fn describe(&self, access: &Access, known: &[(Access, Known)]) -> String {
        if let Some((_, k)) = known.iter().rev().find(|(a, _)| a == access) {
            return match k {
                Known::Case(Case::Variant(v)) => self.describe_variant(access, *v, known),
                Known::Case(Case::Int(i)) => i.to_string(),
                Known::Case(Case::Str(s)) => format!("{s:?}"),
                Known::Case(Case::Bool(b)) => b.to_string(),
                Known::Not(cases) => {
                    let listed: Vec<String> = cases.iter().take(5).map(|c| match c {
                        Case::Int(i) => i.to_string(),
                        Case::Str(s) => format!("{s:?}"),
                        other => format!("{other:?}"),
                    }).collect();
                    if listed.is_empty() { "_".into() } else { format!("_ (any value other than {})", listed.join(", ")) }
                }
            };
        }
        let mentioned = known.iter().any(|(a, _)| a.steps.starts_with(&access.steps) && a.steps.len() > access.steps.len());
        if !mentioned {
            return "_".into();
        }
        match &access.ty {
            Ty::Tuple(types) => {
                let parts: Vec<String> = types
                    .iter()
                    .enumerate()
                    .map(|(i, t)| self.describe(&Access { steps: extend(&access.steps, Step::Field(i)), ty: t.clone() }, known))
                    .collect();
                format!("({})", parts.join(", "))
            }
            ty => {
                let fields = self.out.record_fields(ty).unwrap_or_default();
                let parts: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, (n, t))| format!("{n}: {}", self.describe(&Access { steps: extend(&access.steps, Step::Field(i)), ty: t.clone() }, known)))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
        }
    }

    fn describe_variant(&self, access: &Access, v: usize, known: &[(Access, Known)]) -> String {
        let variants = self.out.variants(&access.ty).unwrap_or_default();
        let Some((name, payload)) = variants.get(v) else { return "_".into() };
        let adt = match &access.ty {
            Ty::Adt(id, _) => self.out.adt(*id).name.clone(),
            _ => String::new(),
        };
        let qualified = if matches!(adt.as_str(), "Option" | "Result") { name.clone() } else { format!("{adt}::{name}") };
        match payload {
            Some(t) => {
                let inner = self.describe(&Access { steps: extend(&access.steps, Step::Payload(v)), ty: t.clone() }, known);
                format!("{qualified}({inner})")
            }
            None => qualified,
        }
    }
}

fn literal_case(pat: &Pat) -> Option<Case> {
    match pat {
        Pat::Int(i) => Some(Case::Int(*i)),
        Pat::Str(s) => Some(Case::Str(s.clone())),
        _ => None,
    }
}

fn extend(steps: &[Step], step: Step) -> Vec<Step> {
    let mut out = steps.to_vec();
    out.push(step);
    out
}

/// The rows that survive when the part at `access` is known to match one case. `matches`
/// returns `Some(sub_pattern)` for a test that agrees with the case (the sub-pattern tests the
/// case's payload, if any) and `None` for one that contradicts it.
fn specialise(rows: &[Row], access: &Access, matches: impl Fn(&Pat) -> Option<Option<Pat>>, payload: Option<Access>) -> Vec<Row> {
    let mut out = Vec::new();
    for row in rows {
        let Some(position) = row.tests.iter().position(|(a, _)| a == access) else {
            out.push(row.clone());
            continue;
        };
        let Some(sub) = matches(&row.tests[position].1) else { continue };
        let mut new_row = row.clone();
        new_row.tests.remove(position);
        if let (Some(sub), Some(payload_access)) = (sub, &payload) {
            new_row.tests.insert(position, (payload_access.clone(), sub));
        }
        out.push(new_row);
    }
    out
}
