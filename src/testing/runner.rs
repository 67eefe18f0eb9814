//! The entry point of a test build: `sev_test_main(args: [str])` calls the test function named
//! by `args[0]`, so `sev test` runs each test in its own process.

use crate::ast::{BinOp, Expr, ExprKind, Function, Name, Param, Program, Stmt, StmtKind, TypeExpr, TypeExprKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// The name of the generated entry function.
pub const RUNNER_ENTRY: &str = "sev_test_main";

/// The test functions, in the order written: named `test_…`, no arguments, not generic,
/// not `async`.
pub fn test_functions(program: &Program) -> Vec<String> {
    program
        .functions
        .iter()
        .filter(|f| f.name.text.starts_with("test_") && f.params.is_empty() && f.type_params.is_empty() && !f.is_async)
        .map(|f| f.name.text.clone())
        .collect()
}

/// Warning W0004 for each function named like a test that cannot be run as one.
pub fn untestable(program: &Program) -> Vec<Diagnostic> {
    program
        .functions
        .iter()
        .filter(|f| f.name.text.starts_with("test_"))
        .filter_map(|f| {
            let why = if !f.params.is_empty() {
                "takes arguments"
            } else if !f.type_params.is_empty() {
                "is generic"
            } else if f.is_async {
                "is async"
            } else {
                return None;
            };
            let d = Diagnostic::new(Code::W0004, format!("`{}` is not run as a test", f.name.text))
                .primary(f.name.span, format!("it {why}"))
                .hint("a test function takes no arguments and no type parameters and is not async; rename it if it is a helper");
            Some(d)
        })
        .collect()
}

/// Adds [`RUNNER_ENTRY`] and makes it the entry.
pub fn add_runner(program: &mut Program) {
    let span = program.span;
    let tests = test_functions(program);
    let requested = Expr {
        kind: ExprKind::Index { object: Box::new(var("args", span)), index: Box::new(Expr { kind: ExprKind::Int(0), span }) },
        span,
    };
    let body = tests.iter().map(|name| dispatch(name, &requested, span)).collect();
    let args_type = TypeExpr { kind: TypeExprKind::Array(Box::new(TypeExpr { kind: TypeExprKind::Named { name: Name::new("str", span), args: Vec::new() }, span })), span };
    program.functions.push(Function {
        name: Name::new(RUNNER_ENTRY, span),
        type_params: Vec::new(),
        params: vec![Param { name: Name::new("args", span), ty: args_type }],
        ret: None,
        body,
        is_async: false,
        doc: None,
        span,
    });
    program.entry = Some(Name::new(RUNNER_ENTRY, span));
}

/// `if args[0] == "name" { name(); return; }`.
fn dispatch(name: &str, requested: &Expr, span: Span) -> Stmt {
    let cond = Expr { kind: ExprKind::Binary { op: BinOp::Eq, lhs: Box::new(requested.clone()), rhs: Box::new(Expr { kind: ExprKind::Str(name.to_string()), span }) }, span };
    let call = Expr { kind: ExprKind::Call { func: Name::new(name, span), type_args: Vec::new(), args: Vec::new() }, span };
    let then_body = vec![Stmt { kind: StmtKind::Expr(call), span }, Stmt { kind: StmtKind::Return(None), span }];
    Stmt { kind: StmtKind::If { cond, then_body, else_body: None }, span }
}

fn var(name: &str, span: Span) -> Expr {
    Expr { kind: ExprKind::Var(Name::new(name, span)), span }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(text: &str) -> Program {
        crate::syntax::read("t.sirs.json", text.as_bytes()).program.expect("parses")
    }

    #[test]
    fn only_functions_named_test_without_arguments_are_tests() {
        let p = program(
            r#"{"program": {"functions": {"main": {"body": []}, "test_a": {"body": []}, "test_b": {"args": [{"name": "x", "type": "i64"}], "body": []},
                "testing": {"body": []}, "test_c": {"type_params": ["T"], "body": []}, "test_d": {"async": true, "body": []}}}}"#,
        );
        assert_eq!(test_functions(&p), ["test_a"]);
        let warned: Vec<String> = untestable(&p).iter().map(|d| d.title.clone()).collect();
        assert_eq!(warned.len(), 3, "{warned:?}");
    }

    #[test]
    fn the_runner_becomes_the_entry_and_dispatches_each_test() {
        let mut p = program(r#"{"program": {"functions": {"main": {"body": []}, "test_a": {"body": []}, "test_b": {"body": []}}}}"#);
        add_runner(&mut p);
        assert_eq!(p.entry.as_ref().map(|n| n.text.as_str()), Some(RUNNER_ENTRY));
        let runner = p.functions.iter().find(|f| f.name.text == RUNNER_ENTRY).expect("added");
        assert_eq!(runner.body.len(), 2, "one dispatch per test");
    }
}
