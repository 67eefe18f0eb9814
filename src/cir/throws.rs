//! Exception analysis: which blocks and functions may let an exception escape.
//!
//! Any function may throw, so nothing in a signature says whether it does; this analysis finds
//! out. An exception leaves a block through a `throw`, a call of a function that may throw, or
//! a `try` whose body may throw and which has no catch-all clause (or whose catch clauses
//! throw). Exceptions raised inside a `finally` block do not leave it: they stop the program
//! (the checker rejects `throw` there; a throwing call is a run-time fault). The result of the
//! fixed point is stored in [`Function::can_throw`], which the Zig backend turns into an error
//! union return type. Async functions always count as throwing, and so does every `await`.

use super::{BlockId, Function, InstKind, Program};

/// Sets `can_throw` on every function of the program (iterating over the call graph until
/// nothing changes).
pub fn mark(p: &mut Program) {
    // Tasks hand their exception to whoever awaits them, so every async function's Zig
    // result is an error union and every `await` may throw.
    let mut throwing: Vec<bool> = vec![false; p.functions.len()];
    for f in &p.functions {
        for v in f.reachable_blocks().iter().flat_map(|b| &f.block(*b).insts) {
            if let InstKind::Spawn(g, _) = f.inst(*v).kind {
                throwing[g.index()] = true;
            }
        }
    }
    loop {
        let mut changed = false;
        for (i, f) in p.functions.iter().enumerate() {
            if !throwing[i] && block_may_throw(f, f.body, &throwing) {
                throwing[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (f, t) in p.functions.iter_mut().zip(throwing) {
        f.can_throw = t;
    }
}

/// Whether an exception may leave block `b` of `f`, given which functions may throw.
pub fn block_may_throw(f: &Function, b: BlockId, throwing: &[bool]) -> bool {
    f.block(b).insts.iter().any(|v| match &f.inst(*v).kind {
        InstKind::Throw(_) | InstKind::Await(_) => true,
        InstKind::Call(g, _) => throwing.get(g.index()).copied().unwrap_or(false),
        InstKind::Try { body, catches, .. } => {
            let catch_all = catches.iter().any(|c| c.error_type.is_none());
            (!catch_all && block_may_throw(f, *body, throwing)) || catches.iter().any(|c| block_may_throw(f, c.body, throwing))
        }
        kind => kind.blocks().into_iter().any(|nested| block_may_throw(f, nested, throwing)),
    })
}
