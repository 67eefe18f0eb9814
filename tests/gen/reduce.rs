//! A test-case reducer for generated programs that expose a compiler bug.
//!
//! Greedy delta debugging on statements: it tries, from the last statement backwards, to delete
//! a statement or replace a compound one by one of its blocks (an `if` by its branch, a loop by
//! its body, a `match` by an arm), then to delete whole helper functions and record or enum
//! types, keeping each edit after which the caller's `still_fails` holds. `still_fails` decides
//! validity too: it rejects programs sev reports diagnostics for and programs the reference
//! interpreter faults on, so the result is still a well-typed program with a known output that
//! fails in the same way. Used by `generated.rs` when `SEV_GEN_ONLY` runs one failing program alone.

use super::ast::{Program, Stmt};

#[derive(Clone, Copy, Debug)]
enum Edit {
    Delete,
    Then,
    Else,
    Body,
    Arm(usize),
}

/// Applies `edit` to the `target`-th statement (pre-order over all blocks); `counter` counts.
fn apply(stmts: &mut Vec<Stmt>, counter: &mut usize, target: usize, edit: Edit) -> Option<bool> {
    let mut i = 0;
    while i < stmts.len() {
        if *counter == target {
            let replacement: Option<Vec<Stmt>> = match (edit, &stmts[i]) {
                (Edit::Delete, _) => Some(Vec::new()),
                (Edit::Then, Stmt::If { then_b, .. }) => Some(then_b.clone()),
                (Edit::Else, Stmt::If { else_b: Some(e), .. }) => Some(e.clone()),
                (Edit::Body, Stmt::While { body, .. } | Stmt::ForRange { body, .. } | Stmt::ForEach { body, .. }) => Some(body.clone()),
                (Edit::Arm(a), Stmt::Match { arms, .. }) => arms.get(a).map(|arm| arm.body.clone()),
                _ => None,
            };
            return Some(match replacement {
                Some(r) => {
                    stmts.splice(i..=i, r);
                    true
                }
                None => false,
            });
        }
        *counter += 1;
        let found = match &mut stmts[i] {
            Stmt::If { then_b, else_b, .. } => {
                let r = apply(then_b, counter, target, edit);
                match (r, else_b) {
                    (None, Some(e)) => apply(e, counter, target, edit),
                    (r, _) => r,
                }
            }
            Stmt::While { body, .. } | Stmt::ForRange { body, .. } | Stmt::ForEach { body, .. } => apply(body, counter, target, edit),
            Stmt::Match { arms, .. } => {
                let mut r = None;
                for arm in arms.iter_mut() {
                    r = apply(&mut arm.body, counter, target, edit);
                    if r.is_some() {
                        break;
                    }
                }
                r
            }
            _ => None,
        };
        if found.is_some() {
            return found;
        }
        i += 1;
    }
    None
}

fn count(stmts: &[Stmt]) -> usize {
    stmts
        .iter()
        .map(|s| {
            1 + match s {
                Stmt::If { then_b, else_b, .. } => count(then_b) + else_b.as_ref().map_or(0, |e| count(e)),
                Stmt::While { body, .. } | Stmt::ForRange { body, .. } | Stmt::ForEach { body, .. } => count(body),
                Stmt::Match { arms, .. } => arms.iter().map(|a| count(&a.body)).sum(),
                _ => 0,
            }
        })
        .sum()
}

fn total(p: &Program) -> usize {
    p.functions.iter().map(|f| count(&f.body)).sum()
}

fn edited(p: &Program, target: usize, edit: Edit) -> Option<Program> {
    let mut q = p.clone();
    let mut counter = 0;
    for f in &mut q.functions {
        if let Some(applied) = apply(&mut f.body, &mut counter, target, edit) {
            return applied.then_some(q);
        }
    }
    None
}

/// Shrinks `p` while `still_fails` holds; `log` hears about progress.
pub fn reduce(p: &Program, still_fails: &mut dyn FnMut(&Program) -> bool, log: &mut dyn FnMut(&str)) -> Program {
    let mut best = p.clone();
    loop {
        let before = total(&best) + best.functions.len();
        let mut n = total(&best);
        while n > 0 {
            n -= 1;
            let edits = [Edit::Delete, Edit::Then, Edit::Else, Edit::Body, Edit::Arm(0), Edit::Arm(1), Edit::Arm(2), Edit::Arm(3)];
            for edit in edits {
                let Some(candidate) = edited(&best, n, edit) else { continue };
                if still_fails(&candidate) {
                    best = candidate;
                    log(&format!("{edit:?} statement {n}: {} statements left", total(&best)));
                    break;
                }
            }
            n = n.min(total(&best));
        }
        // Whole helper functions (the program's main function stays).
        let mut i = 0;
        while i < best.functions.len() {
            if best.functions[i].name != best.main_name {
                let mut candidate = best.clone();
                candidate.functions.remove(i);
                if still_fails(&candidate) {
                    log(&format!("deleted function {}", best.functions[i].name));
                    best = candidate;
                    continue;
                }
            }
            i += 1;
        }
        if total(&best) + best.functions.len() == before {
            return best;
        }
    }
}
