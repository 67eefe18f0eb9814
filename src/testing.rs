//! Tests written in SIRS: the assertions `assert`, `assert_eq`, `assert_approx` and
//! `assert_posterior` (an interval claim about a `Posterior`, within Monte Carlo error), and the
//! entry point that `sev test` builds to run one test function at a time.
//!
//! A *test function* is a function whose name starts with `test_` and that takes no
//! arguments and no type parameters ([`test_functions`]). The assertions are statements
//! (`{"expression": {"call": {"function": "assert_eq", "args": [a, b]}}}`) that `assertions`
//! rewrites, right after parsing, into plain SIRS: each operand is evaluated once into a
//! `let`, and when the check fails an `AssertionFailed` error is thrown whose message shows
//! the values; uncaught, it stops the program with status 101 and the assertion's location,
//! like every runtime fault. `runner` replaces the entry with one that calls the test named by
//! the first command-line argument, so each test runs in its own process and a fault in one
//! cannot hide the others. Everything here is pure; `commands::test` builds and runs.

mod assertions;
mod runner;

pub use assertions::{ASSERTION_ERROR, desugar_assertions};
pub use runner::{RUNNER_ENTRY, add_runner, test_functions, untestable};
