//! Decision trees for `match`, built once by `check::exhaustive` and used twice: the checker
//! reads them for missing and unreachable patterns, and `cir::lower` compiles them to code.
//!
//! A tree tests parts of the scrutinee named by an [`Access`] path (for example "the payload of
//! variant 1, then field 0"). Leaves either run an arm (after binding its variables and, if it
//! has one, passing its guard) or are [`Decision::Failure`], which a well-typed program never
//! reaches because the checker rejects non-exhaustive matches.

use crate::typed::LocalId;
use crate::types::Ty;

/// One step from a value to a part of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// A tuple element or record field, by position.
    Field(usize),
    /// The payload of an enum value known to be this variant.
    Payload(usize),
}

/// A path from the scrutinee to one of its parts, with the type of that part.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Access {
    pub steps: Vec<Step>,
    pub ty: Ty,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    Variant(usize),
    Int(i128),
    Str(String),
    Bool(bool),
}

#[derive(Clone, Debug)]
pub enum Decision {
    /// Bind the arm's variables and run it.
    Success { arm: usize, bindings: Vec<(LocalId, Access)> },
    /// Bind, evaluate the arm's guard; run the arm if it holds, else continue with `failure`.
    Guard { arm: usize, bindings: Vec<(LocalId, Access)>, failure: Box<Decision> },
    /// Test the part at `access` against each case in turn; `default` covers the rest.
    Switch { access: Access, cases: Vec<(Case, Decision)>, default: Option<Box<Decision>> },
    /// No arm matches (rejected by the checker, so unreachable in lowered code).
    Failure,
}

impl Decision {
    /// The arms that some path through the tree can run.
    pub fn reachable_arms(&self, out: &mut Vec<usize>) {
        match self {
            Decision::Success { arm, .. } => out.push(*arm),
            Decision::Guard { arm, failure, .. } => {
                out.push(*arm);
                failure.reachable_arms(out);
            }
            Decision::Switch { cases, default, .. } => {
                for (_, d) in cases {
                    d.reachable_arms(out);
                }
                if let Some(d) = default {
                    d.reachable_arms(out);
                }
            }
            Decision::Failure => {}
        }
    }
}
