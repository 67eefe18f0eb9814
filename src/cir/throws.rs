//! Exception analysis: which blocks and functions may let an exception escape.
//!
//! Any function may throw, so nothing in a signature says whether it does; this analysis finds
//! out. An exception leaves a block through a `throw`, a call of a function that may throw, a
//! call through a trait object whose method may throw in some implementation, an `await`, or
//! a `try` whose body may throw and which has no catch-all clause (or whose catch clauses
//! throw). Exceptions raised inside a `finally` block do not leave it: they stop the program
//! (the checker rejects `throw` there; a throwing call is a run-time fault). The fixed point is
//! stored in [`Function::can_throw`] and [`DynMethod::can_throw`], which the Zig backend turns
//! into error-union return types. Async functions always count as throwing (a task hands its
//! exception to whoever awaits it), and so does every `await`.

use super::{BlockId, Function, InstKind, Program, Ty};

/// What may throw: functions by index, trait-object methods by trait and method.
#[derive(Clone, Debug, Default)]
pub struct Throwing {
    pub functions: Vec<bool>,
    pub dyn_methods: Vec<Vec<bool>>,
}

impl Throwing {
    /// The flags already stored in a program.
    pub fn of(p: &Program) -> Throwing {
        Throwing {
            functions: p.functions.iter().map(|f| f.can_throw).collect(),
            dyn_methods: p.dyn_traits.iter().map(|t| t.methods.iter().map(|m| m.can_throw).collect()).collect(),
        }
    }

    fn function(&self, f: super::FuncId) -> bool {
        self.functions.get(f.index()).copied().unwrap_or(false)
    }

    fn dyn_method(&self, trait_index: usize, method: usize) -> bool {
        self.dyn_methods.get(trait_index).and_then(|m| m.get(method)).copied().unwrap_or(false)
    }
}

/// Computes and stores the flags of every function and trait-object method of the program.
pub fn mark(p: &mut Program) {
    let mut throwing = Throwing { functions: vec![false; p.functions.len()], dyn_methods: p.dyn_traits.iter().map(|t| vec![false; t.methods.len()]).collect() };
    for f in &p.functions {
        for v in f.reachable_blocks().iter().flat_map(|b| &f.block(*b).insts) {
            if let InstKind::Spawn(g, _) = f.inst(*v).kind {
                throwing.functions[g.index()] = true;
            }
        }
    }
    loop {
        let mut changed = false;
        for table in &p.vtables {
            for (m, func) in table.methods.iter().enumerate() {
                if throwing.function(*func) && !throwing.dyn_method(table.trait_index, m) {
                    throwing.dyn_methods[table.trait_index][m] = true;
                    changed = true;
                }
            }
        }
        for (i, f) in p.functions.iter().enumerate() {
            if !throwing.functions[i] && block_may_throw(f, f.body, &throwing) {
                throwing.functions[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (f, t) in p.functions.iter_mut().zip(&throwing.functions) {
        f.can_throw = *t;
    }
    for (d, flags) in p.dyn_traits.iter_mut().zip(&throwing.dyn_methods) {
        for (m, t) in d.methods.iter_mut().zip(flags) {
            m.can_throw = *t;
        }
    }
}

/// Whether an exception may leave block `b` of `f`.
pub fn block_may_throw(f: &Function, b: BlockId, throwing: &Throwing) -> bool {
    f.block(b).insts.iter().any(|v| match &f.inst(*v).kind {
        InstKind::Throw(_) | InstKind::Await(_) => true,
        InstKind::Call(g, _) => throwing.function(*g),
        InstKind::CallDyn(m, args) => args.first().is_some_and(|object| match f.inst(*object).ty {
            Ty::TraitObject(t) => throwing.dyn_method(t.0 as usize, *m),
            _ => false,
        }),
        InstKind::Try { body, catches, .. } => {
            let catch_all = catches.iter().any(|c| c.error_type.is_none());
            (!catch_all && block_may_throw(f, *body, throwing)) || catches.iter().any(|c| block_may_throw(f, c.body, throwing))
        }
        kind => kind.blocks().into_iter().any(|nested| block_may_throw(f, nested, throwing)),
    })
}
