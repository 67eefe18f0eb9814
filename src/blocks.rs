//! Modelling building blocks: declarative forms that `driver` rewrites into ordinary SIRS
//! statements right after parsing, so the checker, the lowering and every later phase see only
//! `sample`, `observe`, `let` and `for`.
//!
//! * `noncentered` — the `"parameterization"` switch of a `sample`: a location-scale draw
//!   becomes a standard raw parameter times the scale plus the location, with an output column
//!   under the user's name (docs/probabilistic.md, "Building blocks for models").
//! * `graphical` — the graphical `model` statement: nodes in dependency order (cycles E0343,
//!   malformed nodes E0344), plates as sizes, factors;
//! * `hierarchical` — the `hierarchical` statement: hyperpriors, group parameters (non-centred
//!   by default) and the observation model as `let`, `sample` and `observe` statements.
//!
//! Every node made here carries the span of the construct it comes from, so a type error in a
//! rewritten part points at what the user wrote. Problems are diagnostics (E0340–E0344).

mod build;
mod graphical;
mod hierarchical;
mod noncentered;

use crate::ast::{Function, Program, Stmt, StmtKind};
use crate::diagnostic::Diagnostic;

/// Rewrites every building block of the program's functions and implementations; returns the
/// problems found (the program is still rewritten as far as possible).
pub fn desugar(program: &mut Program) -> Vec<Diagnostic> {
    let mut rewriter = Rewriter { diagnostics: Vec::new() };
    for f in program.functions.iter_mut().chain(program.impls.iter_mut().flat_map(|i| i.methods.iter_mut())) {
        rewriter.function(f);
    }
    rewriter.diagnostics
}

struct Rewriter {
    diagnostics: Vec<Diagnostic>,
}

impl Rewriter {
    fn function(&mut self, f: &mut Function) {
        let body = std::mem::take(&mut f.body);
        f.body = self.block(body);
    }

    fn block(&mut self, block: Vec<Stmt>) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(block.len());
        for mut stmt in block {
            let rewritten = match &stmt.kind {
                StmtKind::Hierarchical(h) => Some(hierarchical::rewrite(h)),
                StmtKind::Graphical(g) => Some(graphical::rewrite(g)),
                _ => None,
            };
            if let Some(rewritten) = rewritten {
                match rewritten {
                    Ok(expanded) => out.extend(expanded),
                    Err(problem) => self.diagnostics.push(problem),
                }
                continue;
            }
            match noncentered::rewrite(&stmt) {
                Some(Ok(expanded)) => {
                    out.extend(expanded);
                    continue;
                }
                Some(Err(problem)) => self.diagnostics.push(problem),
                None => {}
            }
            self.nested(&mut stmt.kind);
            out.push(stmt);
        }
        out
    }

    fn nested(&mut self, kind: &mut StmtKind) {
        kind.rewrite_nested_blocks(|block| self.block(block));
    }
}
