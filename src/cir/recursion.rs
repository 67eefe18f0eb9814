//! Which functions may recurse: those on a cycle of the call graph (a strongly connected
//! component with more than one function, or a function that calls itself). The backend puts a
//! stack check at the start of each of them (`rt.checkStack`), so that unbounded recursion is a
//! located fault naming the SIRS function instead of a bare SIGSEGV. A call through a trait
//! object (`CallDyn`) may reach any method in any method table, so it counts as a call to all of
//! them. The components come from [`crate::graph::components`] (linear, no recursion in the
//! compiler, whatever the program).

use super::{FuncId, InstKind, Program};

/// `result[f]` is true when function `f` may call itself, directly or through others.
pub fn possibly_recursive(p: &Program) -> Vec<bool> {
    on_cycles(&call_graph(p))
}

/// Whether each node lies on a cycle of `edges`.
fn on_cycles(edges: &[Vec<usize>]) -> Vec<bool> {
    let component = crate::graph::components(edges);
    let mut size = vec![0usize; edges.len()];
    for c in &component {
        size[*c] += 1;
    }
    (0..edges.len()).map(|f| size[component[f]] > 1 || edges[f].contains(&f)).collect()
}

/// The callees of each function (by index), dynamic calls included.
fn call_graph(p: &Program) -> Vec<Vec<usize>> {
    let methods: Vec<usize> = p.vtables.iter().flat_map(|t| t.methods.iter().map(|m| m.index())).collect();
    p.functions
        .iter()
        .map(|f| {
            let mut out = Vec::new();
            for kind in f.reachable_blocks().iter().flat_map(|b| &f.block(*b).insts).map(|v| &f.inst(*v).kind) {
                match kind {
                    InstKind::CallDyn(..) => out.extend(&methods),
                    other => out.extend(other.callee().map(FuncId::index)),
                }
            }
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_and_self_calls_are_recursive_and_nothing_else() {
        // 0 -> 1 -> 2 -> 1 (a cycle of two), 0 -> 3 -> 3 (a self call), 4 alone, 5 -> 0
        let edges = vec![vec![1, 3], vec![2], vec![1], vec![3], vec![], vec![0]];
        assert_eq!(on_cycles(&edges), [false, true, true, true, false, false]);
    }

    #[test]
    fn a_long_chain_needs_no_deep_recursion() {
        let n = 200_000;
        let mut edges: Vec<Vec<usize>> = (0..n).map(|i| vec![i + 1]).collect();
        edges[n - 1] = vec![0];
        assert!(on_cycles(&edges).iter().all(|r| *r));
    }
}
