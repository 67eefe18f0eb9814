//! The debugger's view of the SIRS source: every function with its statements (nested ones
//! included, numbered 1, 2, … in source order) and the names it declares. CIR instructions
//! carry the span of the expression or statement they come from, so the statement an
//! instruction belongs to is the innermost statement whose span holds the instruction's.

use crate::ast::{self, PatternKind, Stmt, StmtKind};
use crate::span::{SourceFile, Span};
use std::collections::HashSet;

/// A statement of the source: where it is and which function holds it.
pub struct Statement {
    pub span: Span,
    /// Index into [`SourceMap::functions`].
    pub function: usize,
    /// 1-based position among its function's statements, in source order.
    pub ordinal: usize,
    pub line: u32,
    pub col: u32,
}

/// A function (or method) of the source.
pub struct SourceFunction {
    pub name: String,
    pub span: Span,
    /// Indices into [`SourceMap::statements`], in source order.
    pub statements: Vec<usize>,
    /// Parameters and the names its statements bind (what `print` may show).
    pub declared: HashSet<String>,
}

pub struct SourceMap {
    pub file: SourceFile,
    pub functions: Vec<SourceFunction>,
    pub statements: Vec<Statement>,
}

impl SourceMap {
    /// The map of a program read from `file` (its AST, as the compiler read it).
    pub fn new(file: SourceFile, program: &ast::Program) -> SourceMap {
        let mut map = SourceMap { file, functions: Vec::new(), statements: Vec::new() };
        let methods = program.impls.iter().flat_map(|i| i.methods.iter());
        for function in program.functions.iter().chain(methods) {
            map.add_function(function);
        }
        map
    }

    fn add_function(&mut self, function: &ast::Function) {
        let index = self.functions.len();
        let declared = function.params.iter().map(|p| p.name.text.clone()).collect();
        self.functions.push(SourceFunction { name: function.name.text.clone(), span: function.span, statements: Vec::new(), declared });
        self.add_statements(index, &function.body);
    }

    fn add_statements(&mut self, function: usize, body: &[Stmt]) {
        for stmt in body {
            if matches!(stmt.kind, StmtKind::Comment) {
                continue;
            }
            let (line, col) = self.file.line_col(stmt.span.start);
            let ordinal = self.functions[function].statements.len() + 1;
            self.functions[function].statements.push(self.statements.len());
            self.statements.push(Statement { span: stmt.span, function, ordinal, line, col });
            self.declare(function, stmt);
            for nested in nested_bodies(stmt) {
                self.add_statements(function, nested);
            }
        }
    }

    fn declare(&mut self, function: usize, stmt: &Stmt) {
        let declared = &mut self.functions[function].declared;
        match &stmt.kind {
            StmtKind::Let { name, .. } => {
                declared.insert(name.text.clone());
            }
            StmtKind::LetPattern { pattern, .. } | StmtKind::For { binding: pattern, .. } => bind_names(pattern, declared),
            StmtKind::Match { cases, .. } => cases.iter().for_each(|c| bind_names(&c.pattern, declared)),
            StmtKind::Try { catches, .. } => declared.extend(catches.iter().filter_map(|c| c.variable.as_ref().map(|v| v.text.clone()))),
            _ => {}
        }
    }

    /// The source function a CIR function was lowered from (generic instances share one).
    pub fn function_with_span(&self, span: Span) -> Option<usize> {
        self.functions.iter().position(|f| f.span == span)
    }

    /// The functions called `name`.
    pub fn functions_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.functions.iter().enumerate().filter(move |(_, f)| f.name == name).map(|(i, _)| i)
    }

    /// The innermost statement of `function` whose span holds `span`.
    pub fn statement_at(&self, function: usize, span: Span) -> Option<usize> {
        self.functions[function]
            .statements
            .iter()
            .copied()
            .filter(|s| {
                let outer = self.statements[*s].span;
                outer.start <= span.start && span.end <= outer.end
            })
            .min_by_key(|s| self.statements[*s].span.end - self.statements[*s].span.start)
    }

    /// The statements that start on `line`.
    pub fn statements_on_line(&self, line: u32) -> Vec<usize> {
        (0..self.statements.len()).filter(|s| self.statements[*s].line == line).collect()
    }

    /// The text of 1-based `line` without its line break (empty past the end).
    pub fn line_text(&self, line: u32) -> &str {
        let starts = self.file.line_starts();
        let Some(&start) = (line as usize).checked_sub(1).and_then(|i| starts.get(i)) else { return "" };
        let end = starts.get(line as usize).copied().unwrap_or(self.file.text.len());
        self.file.text.get(start..end).unwrap_or("").trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> u32 {
        u32::try_from(self.file.line_starts().len()).unwrap_or(u32::MAX)
    }
}

/// The statement lists nested in a statement (branches, loop bodies, cases, handlers).
fn nested_bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match &stmt.kind {
        StmtKind::If { then_body, else_body, .. } => std::iter::once(then_body.as_slice()).chain(else_body.as_deref()).collect(),
        StmtKind::While { body, .. } | StmtKind::For { body, .. } => vec![body],
        StmtKind::Match { cases, .. } => cases.iter().map(|c| c.body.as_slice()).collect(),
        StmtKind::Try { body, catches, finally } => std::iter::once(body.as_slice()).chain(catches.iter().map(|c| c.body.as_slice())).chain(finally.as_deref()).collect(),
        _ => Vec::new(),
    }
}

fn bind_names(pattern: &ast::Pattern, out: &mut HashSet<String>) {
    match &pattern.kind {
        PatternKind::Bind(name) => {
            out.insert(name.text.clone());
        }
        PatternKind::Tuple(items) => items.iter().for_each(|p| bind_names(p, out)),
        PatternKind::Record { fields, .. } => fields.iter().for_each(|(_, p)| bind_names(p, out)),
        PatternKind::Enum { payload: Some(p), .. } => bind_names(p, out),
        _ => {}
    }
}
