//! The CIR optimisation passes, run between lowering and the Zig backend.
//!
//! The pipeline at each level is the list below; each pass lives in its own file with a
//! module documentation saying what it does and what it deliberately does not do. All of
//! them ask `effects` whether an instruction may be removed, duplicated or moved, and none
//! touches instructions on model reals, so a model's draws are the same at every level.
//!
//! | level | passes |
//! |-------|--------|
//! | `-O0` | none   |
//! | `-O1` | fold, dce |
//! | `-O2` | inline, fold, strength, licm, fold, datacache, dce |
//!
//! With debug assertions (tests and debug builds) the CIR verifier runs after every pass; a
//! failure names the pass and shows the function with the error under the instruction at
//! fault.

pub mod datacache;
pub mod dce;
pub mod effects;
pub mod fold;
pub mod inline;
pub mod licm;
pub mod strength;
pub mod tree;

use crate::cir::{self, Program};

/// How much to optimise (`-O0`, `-O1`, `-O2`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// No passes: the CIR exactly as lowered.
    #[default]
    O0,
    /// Cheap clean-up: folding and dead code.
    O1,
    /// Everything.
    O2,
}

impl Level {
    /// The level for `-O<n>` (anything above 2 means 2).
    pub fn from_number(n: u8) -> Level {
        match n {
            0 => Level::O0,
            1 => Level::O1,
            _ => Level::O2,
        }
    }
}

/// One pass: a name (for reports and `--passes`) and the function that runs it.
#[derive(Clone, Copy)]
pub struct Pass {
    pub name: &'static str,
    /// Rewrites the program; returns whether anything changed.
    pub run: fn(&mut Program) -> bool,
}

pub const INLINE: Pass = Pass { name: "inline", run: inline::run };
pub const FOLD: Pass = Pass { name: "fold", run: fold::run };
pub const STRENGTH: Pass = Pass { name: "strength", run: strength::run };
pub const LICM: Pass = Pass { name: "licm", run: licm::run };
pub const DCE: Pass = Pass { name: "dce", run: dce::run };
pub const DATACACHE: Pass = Pass { name: "datacache", run: datacache::run };

/// Every pass, by name.
pub const ALL: &[Pass] = &[INLINE, FOLD, STRENGTH, LICM, DATACACHE, DCE];

/// The pipeline at a level.
pub fn pipeline(level: Level) -> &'static [Pass] {
    match level {
        Level::O0 => &[],
        Level::O1 => &[FOLD, DCE],
        Level::O2 => &[INLINE, FOLD, STRENGTH, LICM, FOLD, DATACACHE, DCE],
    }
}

/// Runs the pipeline of `level` on `p`. `Err` carries the verifier's report when a pass broke
/// an invariant (only checked with debug assertions).
pub fn optimise(p: &mut Program, level: Level) -> Result<(), String> {
    run_passes(p, pipeline(level))
}

/// Runs `passes` in order, verifying after each one when debug assertions are on; the
/// program ends with its values and blocks renumbered in print order.
pub fn run_passes(p: &mut Program, passes: &[Pass]) -> Result<(), String> {
    for pass in passes {
        (pass.run)(p);
        if cfg!(debug_assertions) {
            cir::verify::verify(p).map_err(|report| format!("the CIR is invalid after the `{}` pass:\n{report}", pass.name))?;
        }
    }
    if !passes.is_empty() {
        for f in &mut p.functions {
            tree::renumber(f);
        }
    }
    Ok(())
}

/// The passes named in `names` (comma-separated), for experiments and the benchmark.
pub fn by_names(names: &str) -> Result<Vec<Pass>, String> {
    names
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| ALL.iter().find(|p| p.name == n).copied().ok_or_else(|| format!("unknown pass `{n}`")))
        .collect()
}
