//! Random well-typed SIRS programs with known output, for the property test `tests/generated.rs`.
//!
//! `ast` is the generator's typed model of a program and its JSON spelling, `interp` the
//! reference interpreter that fixes what a program must print, `generate` draws programs while
//! evaluating them, and `usage` makes sure every variable is read. This module adds what the test needs around them: a program as a
//! stand-alone SIRS file (for failure reports), a batch of programs as one file (so that one Zig
//! build serves many programs), and a census of the constructs the programs contain. `reduce`
//! shrinks a failing program to a small reproduction.

#![allow(dead_code)]

pub mod ast;
pub mod generate;
pub mod interp;
pub mod reduce;
pub mod usage;

pub use generate::{Generated, generate};

use ast::{Expr, Pat, Program, Stmt, batch_json};
use std::collections::BTreeMap;

/// One program as a complete SIRS file: its `main` prints the header and runs the program.
pub fn standalone_json(p: &Program) -> String {
    pretty(&batch_json(&[p]))
}

/// Several programs as one SIRS file, run one after the other.
pub fn batch_source(programs: &[&Program]) -> String {
    serde_json::to_string(&batch_json(programs)).expect("JSON serialises")
}

fn pretty(json: &serde_json::Value) -> String {
    serde_json::to_string_pretty(json).expect("JSON serialises")
}

/// Counts of the constructs in `p`, added to `counts`.
pub fn census(p: &Program, counts: &mut BTreeMap<String, usize>) {
    let mut add = |k: &str| *counts.entry(k.to_string()).or_insert(0) += 1;
    add("programs");
    add(&format!("records declared: {}", p.decls.recs.len().min(1)));
    add(&format!("enums declared: {}", p.decls.enums.len().min(1)));
    for f in &p.functions {
        add("functions");
        if !f.params.is_empty() {
            add("functions with parameters");
        }
        stmts(&f.body, &mut add);
    }
}

fn stmts(ss: &[Stmt], add: &mut impl FnMut(&str)) {
    for s in ss {
        stmt(s, add);
    }
}

fn stmt(s: &Stmt, add: &mut impl FnMut(&str)) {
    match s {
        Stmt::Let { name, value, annotate, .. } => {
            add("stmt let");
            if *annotate {
                add("let with type");
            }
            if !name.chars().all(|c| c.is_ascii_lowercase()) || ["type", "error", "test", "fn", "var", "const"].contains(&name.as_str()) {
                add("let of an unusual name");
            }
            expr(value, add);
        }
        Stmt::Assign { path, value, .. } => {
            add(if path.is_empty() { "stmt assign to variable" } else { "stmt assign to field/element" });
            for p in path {
                if let ast::PathElem::Index(e) = p {
                    expr(e, add);
                }
            }
            expr(value, add);
        }
        Stmt::Print(e) => {
            add("stmt print");
            expr(e, add);
        }
        Stmt::Push(_, e) => {
            add("stmt push");
            expr(e, add);
        }
        Stmt::Discard(e) => {
            add("stmt call");
            expr(e, add);
        }
        Stmt::If { cond, then_b, else_b } => {
            add(if else_b.is_some() { "stmt if-else" } else { "stmt if" });
            expr(cond, add);
            stmts(then_b, add);
            if let Some(b) = else_b {
                stmts(b, add);
            }
        }
        Stmt::While { cond, body } => {
            add("stmt while");
            expr(cond, add);
            stmts(body, add);
        }
        Stmt::ForRange { start, end, step, inclusive, body, .. } => {
            add("stmt for range");
            if step.is_some() {
                add("range with step");
            }
            if *inclusive {
                add("range inclusive");
            }
            expr(start, add);
            expr(end, add);
            stmts(body, add);
        }
        Stmt::ForEach { iter, body, .. } => {
            add("stmt for each");
            expr(iter, add);
            stmts(body, add);
        }
        Stmt::Match { scrut, arms, .. } => {
            add("stmt match");
            expr(scrut, add);
            for a in arms {
                pat(&a.pat, add);
                if let Some(g) = &a.guard {
                    add("match guard");
                    expr(g, add);
                }
                stmts(&a.body, add);
            }
        }
        Stmt::Return(_) => add("stmt return"),
        Stmt::Break => add("stmt break"),
        Stmt::Continue => add("stmt continue"),
        Stmt::Comment(_) => add("stmt comment"),
    }
}

fn pat(p: &Pat, add: &mut impl FnMut(&str)) {
    match p {
        Pat::Wild(_) => add("pattern _"),
        Pat::Bind(_) => add("pattern binding"),
        Pat::Int(_) | Pat::Str(_) | Pat::Bool(_) => add("pattern literal"),
        Pat::Variant { payload, .. } => {
            add("pattern enum");
            if let Some(p) = payload {
                pat(p, add);
            }
        }
    }
}

fn expr(e: &Expr, add: &mut impl FnMut(&str)) {
    match e {
        Expr::Int(_) | Expr::Float(_) | Expr::Bool(_) | Expr::Str(_) => add("literal"),
        Expr::Var(_) => add("variable"),
        Expr::Bin(op, t, l, r) => {
            add(&format!("op {} {}", op.kind(), if t.is_prim() { "prim" } else { "compound" }));
            expr(l, add);
            expr(r, add);
        }
        Expr::Nary(op, _, xs) => {
            add(&format!("op {} (3+ operands)", op.kind()));
            xs.iter().for_each(|x| expr(x, add));
        }
        Expr::And(xs) | Expr::Or(xs) => {
            add("op and/or");
            xs.iter().for_each(|x| expr(x, add));
        }
        Expr::Not(x) | Expr::Neg(_, x) | Expr::BitNot(_, x) => {
            add("op unary");
            expr(x, add);
        }
        Expr::Call(_, xs) => {
            add("call user function");
            xs.iter().for_each(|x| expr(x, add));
        }
        Expr::Builtin(b, xs) => {
            add(&format!("builtin {}", b.name()));
            xs.iter().for_each(|x| expr(x, add));
        }
        Expr::Index(a, i) => {
            add("index");
            expr(a, add);
            expr(i, add);
        }
        Expr::Field(o, _, _) => {
            add("field");
            expr(o, add);
        }
        Expr::Array(_, xs) => {
            add("array literal");
            xs.iter().for_each(|x| expr(x, add));
        }
        Expr::Record { fields, .. } => {
            add("record literal");
            fields.iter().for_each(|(_, _, x)| expr(x, add));
        }
        Expr::Update { base, fields } => {
            add("record update");
            expr(base, add);
            fields.iter().for_each(|(_, _, x)| expr(x, add));
        }
        Expr::Variant { payload, .. } => {
            add("enum constructor");
            if let Some(p) = payload {
                expr(p, add);
            }
        }
        Expr::Cast(_, x) => {
            add("cast");
            expr(x, add);
        }
        Expr::Cond(c, t, f) => {
            add("cond");
            expr(c, add);
            expr(t, add);
            expr(f, add);
        }
    }
}
