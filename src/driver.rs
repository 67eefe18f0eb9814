//! The pipeline as one function that every front end calls.
//!
//! [`compile`] reads SIRS, checks it, lowers it to CIR, verifies the CIR and (on request)
//! emits Zig. It is pure: no files, processes or output, so `build`, `run`, `check`, the MCP
//! server and the tests all share it and differ only in what they do with the result. It runs
//! the phases on a thread with a large stack, so deeply nested (but valid) programs cannot
//! overflow the stack of the recursive phases.
//!
//! Invariant: `compile` never panics on user input; every problem is a diagnostic.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::SourceFile;
use crate::{check, cir, opt, syntax, testing, zig};

/// What a compilation produced. `cir` and `zig` are present only when there were no errors.
pub struct Compilation {
    pub file: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    pub cir: Option<cir::Program>,
    pub zig: Option<String>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Also emit Zig source.
    pub emit_zig: bool,
}

const STACK_SIZE: usize = 256 * 1024 * 1024;

/// Runs the pipeline on `bytes` (the contents of the file called `name`), without
/// optimisation passes (`-O0`).
pub fn compile(name: &str, bytes: &[u8], options: Options) -> Compilation {
    compile_with(name, bytes, options, opt::Level::O0)
}

/// Runs the pipeline with the optimisation passes of `level` between lowering and emission.
pub fn compile_with(name: &str, bytes: &[u8], options: Options, level: opt::Level) -> Compilation {
    compile_passes(name, bytes, options, opt::pipeline(level).to_vec())
}

/// Runs the pipeline with the given optimisation passes (for experiments and benchmarks).
pub fn compile_passes(name: &str, bytes: &[u8], options: Options, passes: Vec<opt::Pass>) -> Compilation {
    let name = name.to_string();
    let bytes = bytes.to_vec();
    let worker = std::thread::Builder::new().stack_size(STACK_SIZE).spawn(move || compile_here(&name, &bytes, options, &passes, Entry::Program));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(compilation)) => compilation,
        Ok(Err(panic)) => internal_error("<input>", &panic_message(panic.as_ref())),
        Err(e) => internal_error("<input>", &format!("cannot start the compiler thread: {e}")),
    }
}

/// Where a compiled program starts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// The program's own entry function.
    Program,
    /// The test runner of `sev test` (`testing::add_runner`).
    TestRunner,
    /// A detector library (`sev build --lib`): the functions of `detector_lib` are exported.
    Library,
}

/// Runs the pipeline with `passes` on a detector library (`sev build --lib`): the program must
/// follow the convention of [`crate::detector_lib`], whose functions become the library's exports.
pub fn compile_library(name: &str, bytes: &[u8], options: Options, passes: Vec<opt::Pass>) -> Compilation {
    let name = name.to_string();
    let bytes = bytes.to_vec();
    let worker = std::thread::Builder::new().stack_size(STACK_SIZE).spawn(move || compile_here(&name, &bytes, options, &passes, Entry::Library));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(compilation)) => compilation,
        Ok(Err(panic)) => internal_error("<input>", &panic_message(panic.as_ref())),
        Err(e) => internal_error("<input>", &format!("cannot start the compiler thread: {e}")),
    }
}

/// Runs the pipeline (`-O0`; to Zig when `options` asks, otherwise to CIR for the interpreter) on
/// a test build of the program: its entry replaced by one that runs the test function named by
/// the first argument (`crate::testing`).
pub fn compile_tests(name: &str, bytes: &[u8], options: Options) -> Compilation {
    let name = name.to_string();
    let bytes = bytes.to_vec();
    let worker = std::thread::Builder::new().stack_size(STACK_SIZE).spawn(move || compile_here(&name, &bytes, options, &[], Entry::TestRunner));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(compilation)) => compilation,
        Ok(Err(panic)) => internal_error("<input>", &panic_message(panic.as_ref())),
        Err(e) => internal_error("<input>", &format!("cannot start the compiler thread: {e}")),
    }
}

fn compile_here(name: &str, bytes: &[u8], options: Options, passes: &[opt::Pass], entry: Entry) -> Compilation {
    let read = syntax::read(name, bytes);
    let mut diagnostics = read.diagnostics;
    let file = read.file;
    let Some(mut program) = read.program else {
        return Compilation { file, diagnostics, cir: None, zig: None };
    };
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Compilation { file, diagnostics, cir: None, zig: None };
    }
    testing::desugar_assertions(&mut program);
    diagnostics.extend(crate::blocks::desugar(&mut program));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Compilation { file, diagnostics, cir: None, zig: None };
    }
    if entry == Entry::TestRunner {
        diagnostics.extend(testing::untestable(&program));
        testing::add_runner(&mut program);
    }
    let functions_anchor = program.functions_key.unwrap_or(program.span);
    if entry == Entry::Library {
        crate::detector_lib::add_entry_if_missing(&mut program);
    }
    let (typed, check_diagnostics) = check::check(&program);
    diagnostics.extend(check_diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Compilation { file, diagnostics, cir: None, zig: None };
    }
    let exports = match entry {
        Entry::Library => match crate::detector_lib::exports(&typed, functions_anchor) {
            Ok(found) => found.to_vec(),
            Err(problems) => {
                diagnostics.extend(problems);
                return Compilation { file, diagnostics, cir: None, zig: None };
            }
        },
        _ => Vec::new(),
    };
    let mut cir = match cir::lower::lower_with_exports(&typed, &file, &exports) {
        Ok(cir) => cir,
        Err(problems) => {
            diagnostics.extend(problems);
            return Compilation { file, diagnostics, cir: None, zig: None };
        }
    };
    if let Err(report) = cir::verify::verify(&cir) {
        diagnostics.push(Diagnostic::new(Code::E0900, "Internal compiler error: invalid CIR").note(report));
        return Compilation { file, diagnostics, cir: Some(cir), zig: None };
    }
    // Decided on the unoptimised CIR, so the gradient (and every draw) is the same at each -O.
    cir.ad = crate::ad::plan(&cir);
    if let Err(report) = opt::run_passes(&mut cir, passes) {
        diagnostics.push(Diagnostic::new(Code::E0900, "Internal compiler error: an optimisation pass produced invalid CIR").note(report));
        return Compilation { file, diagnostics, cir: Some(cir), zig: None };
    }
    // Inlining and dead-code elimination can change which functions may throw.
    cir::throws::mark(&mut cir);
    let zig = options.emit_zig.then(|| zig::emit(&cir));
    Compilation { file, diagnostics, cir: Some(cir), zig }
}

fn internal_error(name: &str, message: &str) -> Compilation {
    let diagnostic = Diagnostic::new(Code::E0900, "Internal compiler error")
        .note(message.to_string())
        .hint("this is a bug in sev; please report it with the input file");
    Compilation { file: SourceFile::new(name, ""), diagnostics: vec![diagnostic], cir: None, zig: None }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        return (*s).to_string();
    }
    if let Some(s) = panic.downcast_ref::<String>() {
        return s.clone();
    }
    "the compiler panicked".to_string()
}
