//! The pipeline for one synthetic program: the driver's phases (read, assertions, check,
//! lower, verify) with the typed program kept, since the REPL reads the types of its bindings
//! from it, and the input function lowered as a root although the entry never calls it.

use crate::diagnostic::{Code, Diagnostic};
use crate::{check, cir, syntax, testing, typed};

/// The name of the function each input becomes.
pub const INPUT_FN: &str = "__repl_input";

/// What checking (and lowering) the synthetic program produced.
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    pub typed: Option<typed::Program>,
    /// The CIR and the id of the input function in it, when lowering was asked for.
    pub cir: Option<(cir::Program, cir::FuncId)>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Checks `text` and, when `lower` is set and there is no error, lowers it. A panic in a phase
/// is reported as internal error E0900, as the driver does.
pub fn check_program(text: &str, lower: bool) -> Checked {
    match std::panic::catch_unwind(|| run(text, lower)) {
        Ok(checked) => checked,
        Err(_) => {
            let ice = Diagnostic::new(Code::E0900, "Internal compiler error").hint("this is a bug in sev; please report it with the REPL session");
            Checked { diagnostics: vec![ice], typed: None, cir: None }
        }
    }
}

fn run(text: &str, lower: bool) -> Checked {
    let read = syntax::read("<repl>", text.as_bytes());
    let mut diagnostics = read.diagnostics;
    let file = read.file;
    let Some(mut program) = read.program else {
        return Checked { diagnostics, typed: None, cir: None };
    };
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Checked { diagnostics, typed: None, cir: None };
    }
    testing::desugar_assertions(&mut program);
    diagnostics.extend(rewrite_blocks_outside_the_input(&mut program));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Checked { diagnostics, typed: None, cir: None };
    }
    let (typed, problems) = check::check(&program);
    diagnostics.extend(problems);
    if !lower || diagnostics.iter().any(Diagnostic::is_error) {
        return Checked { diagnostics, typed: Some(typed), cir: None };
    }
    let Some(input) = input_function(&typed) else {
        return Checked { diagnostics, typed: Some(typed), cir: None };
    };
    let cir = match cir::lower::lower_with_roots(&typed, &file, &[input]) {
        Ok((cir, roots)) => roots.first().map(|&id| (cir, id)),
        Err(problems) => {
            diagnostics.extend(problems);
            None
        }
    };
    if let Some((program, _)) = &cir
        && let Err(report) = cir::verify::verify(program)
    {
        diagnostics.push(Diagnostic::new(Code::E0900, "Internal compiler error: invalid CIR").note(report));
        return Checked { diagnostics, typed: Some(typed), cir: None };
    }
    Checked { diagnostics, typed: Some(typed), cir }
}

/// Rewrites the modelling blocks (`crate::blocks`) of the defined functions, as `sev build`
/// does; the input's own statements are left for the checker, which says that a block cannot
/// run outside a function fitted by `infer`.
fn rewrite_blocks_outside_the_input(program: &mut crate::ast::Program) -> Vec<Diagnostic> {
    let input = program.functions.iter().position(|f| f.name.text == INPUT_FN).map(|i| (i, program.functions.remove(i)));
    let problems = crate::blocks::desugar(program);
    if let Some((i, f)) = input {
        program.functions.insert(i, f);
    }
    problems
}

/// The id of the input function in the typed program.
pub fn input_function(typed: &typed::Program) -> Option<typed::FuncId> {
    (0..typed.functions.len()).map(|i| typed::FuncId(i as u32)).find(|&id| typed.func(id).name == INPUT_FN)
}
