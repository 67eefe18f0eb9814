//! Strongly connected components of a directed graph given as adjacency lists.
//!
//! Used wherever a pass asks "is this on a cycle?" of a graph as large as the program (the
//! call graph when inlining, the instantiation graph of generic code when checking): one
//! linear-time computation instead of a search from every node. Kosaraju's algorithm, written
//! with explicit stacks so a long chain of nodes cannot overflow the thread's stack.

/// The component of each node: `components(edges)[a] == components(edges)[b]` exactly when
/// `a` and `b` lie on a common cycle (or are the same node). Edges to nodes outside
/// `0..edges.len()` are ignored.
pub fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut backward = vec![Vec::new(); n];
    for (from, targets) in edges.iter().enumerate() {
        for &to in targets.iter().filter(|&&to| to < n) {
            backward[to].push(from);
        }
    }
    let mut component = vec![usize::MAX; n];
    let mut count = 0;
    for &root in finishing_order(edges).iter().rev() {
        if component[root] != usize::MAX {
            continue;
        }
        component[root] = count;
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            for &w in &backward[v] {
                if component[w] == usize::MAX {
                    component[w] = count;
                    stack.push(w);
                }
            }
        }
        count += 1;
    }
    component
}

/// The nodes in the order a depth-first search finishes them.
fn finishing_order(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut visited = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        if std::mem::replace(&mut visited[start], true) {
            continue;
        }
        let mut stack = vec![(start, 0)];
        while let Some((v, next)) = stack.pop() {
            match edges[v].get(next) {
                Some(&w) => {
                    stack.push((v, next + 1));
                    if w < n && !std::mem::replace(&mut visited[w], true) {
                        stack.push((w, 0));
                    }
                }
                None => order.push(v),
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_share_a_component_and_chains_do_not() {
        // 0 → 1 → 2 → 0 is a cycle; 3 → 0 and 2 → 4 hang off it; 5 loops on itself.
        let edges = vec![vec![1], vec![2], vec![0, 4], vec![0], vec![], vec![5]];
        let c = components(&edges);
        assert!(c[0] == c[1] && c[1] == c[2]);
        assert!(c[3] != c[0] && c[4] != c[0] && c[3] != c[4] && c[5] != c[0]);
    }

    #[test]
    fn a_long_chain_needs_no_deep_recursion() {
        let n = 1_000_000;
        let edges: Vec<Vec<usize>> = (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![0] }).collect();
        let c = components(&edges);
        assert!(c.iter().all(|&x| x == c[0]));
    }
}
