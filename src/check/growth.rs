//! Polymorphic recursion: generic code that would need infinitely many instantiations.
//!
//! Generic functions and types are compiled once per list of type arguments, on demand. When a
//! generic function reaches itself with a type argument built from its own parameter (`grow<T>`
//! calling `grow<[T]>`), or a generic type contains itself that way (`Nest<X>` holding
//! `Nest<[X]>`), every instance asks for a bigger one and monomorphisation never ends. This
//! module finds such cycles before lowering, so `check` and `build` stop with E0331.
//!
//! The graph has a node per type parameter of each generic function and type. An edge
//! `(f, T) → (g, U)` says that instantiating `f` instantiates `g` with a `U` built from `T`; it
//! *grows* when that argument is more than `T` itself. Instantiation is endless exactly when a
//! growing edge lies on a cycle, that is when both of its ends are in one strongly connected
//! component ([`crate::graph`]). Calls lead from functions to functions and member types from types to types; a
//! type never leads back to a function, so function-to-type edges cannot close a cycle and are
//! left out. The work is linear in the size of the program.

use super::error::TypeError;
use crate::span::Span;
use crate::typed::{self, AdtKind, Callee, ExprKind, Program};
use crate::types::{AdtId, TraitId, Ty, TypeNames};
use std::collections::HashMap;

/// A generic function or type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Item {
    Func(u32),
    Adt(u32),
}

/// The `index`-th type parameter of an item.
type Node = (Item, u32);

/// `from` instantiates `to` with `arg` (a type over `from`'s parameters), seen at `span`.
struct Edge {
    from: usize,
    to: usize,
    grows: bool,
    arg: Ty,
    span: Span,
}

#[derive(Default)]
struct Graph {
    nodes: Vec<Node>,
    index: HashMap<Node, usize>,
    edges: Vec<Edge>,
}

/// Every cycle of instantiations with ever larger types, one error per cycle.
pub(super) fn check(program: &Program) -> Vec<TypeError> {
    let mut graph = Graph::default();
    for (id, adt) in program.adts.iter().enumerate() {
        if !adt.params.is_empty() {
            graph.add_type_edges(Item::Adt(id_u32(id)), adt, adt.span);
        }
    }
    for (id, function) in program.functions.iter().enumerate() {
        if !function.type_params.is_empty() {
            graph.add_call_edges(Item::Func(id_u32(id)), function);
        }
    }
    let component = graph.components();
    let mut reported = vec![false; graph.nodes.len()];
    let mut errors = Vec::new();
    for edge in graph.edges.iter().filter(|e| e.grows && component[e.from] == component[e.to]) {
        let c = component[edge.from];
        if !std::mem::replace(&mut reported[c], true) {
            errors.push(graph.error(program, edge));
        }
    }
    errors
}

fn id_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

impl Graph {
    fn node(&mut self, node: Node) -> usize {
        if let Some(&i) = self.index.get(&node) {
            return i;
        }
        self.nodes.push(node);
        self.index.insert(node, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    /// An edge from each parameter of `from` mentioned in `arg` to parameter `to` of `target`.
    fn connect(&mut self, from: Item, target: Item, to: usize, arg: &Ty, span: Span) {
        let mut params = Vec::new();
        arg.visit(&mut |t| {
            if let Ty::Param(i) = t {
                params.push(*i);
            }
        });
        params.sort_unstable();
        params.dedup();
        for param in params {
            let from = self.node((from, param));
            let to = self.node((target, id_u32(to)));
            let grows = *arg != Ty::Param(param);
            self.edges.push(Edge { from, to, grows, arg: arg.clone(), span });
        }
    }

    /// Edges for the generic types used inside the members of a generic type.
    fn add_type_edges(&mut self, item: Item, adt: &typed::AdtDef, span: Span) {
        let members: Vec<&Ty> = match &adt.kind {
            AdtKind::Record { fields } => fields.iter().map(|f| &f.ty).collect(),
            AdtKind::Enum { variants } => variants.iter().filter_map(|v| v.payload.as_ref()).collect(),
        };
        for member in members {
            let mut uses = Vec::new();
            member.visit(&mut |t| {
                if let Ty::Adt(id, args) = t {
                    uses.push((*id, args.clone()));
                }
            });
            for (id, args) in uses {
                for (j, arg) in args.iter().enumerate() {
                    self.connect(item, Item::Adt(id.0), j, arg, span);
                }
            }
        }
    }

    /// Edges for the calls of generic functions in the body of a generic function.
    fn add_call_edges(&mut self, item: Item, function: &typed::Function) {
        let mut calls = Vec::new();
        typed::walk(&function.body, &mut |_, exprs| {
            for e in exprs {
                if let ExprKind::Call { callee: Callee::Func { id, type_args }, .. } = &e.kind {
                    calls.push((*id, type_args, e.span));
                }
            }
        });
        for (id, type_args, span) in calls {
            for (j, arg) in type_args.iter().enumerate() {
                self.connect(item, Item::Func(id.0), j, arg, span);
            }
        }
    }

    /// The strongly connected component of each node.
    fn components(&self) -> Vec<usize> {
        let mut forward = vec![Vec::new(); self.nodes.len()];
        for e in &self.edges {
            forward[e.from].push(e.to);
        }
        crate::graph::components(&forward)
    }

    fn error(&self, program: &Program, edge: &Edge) -> TypeError {
        let (from, _) = self.nodes[edge.from];
        let (to, to_param) = self.nodes[edge.to];
        let names = ItemNames { program, params: item_params(program, from) };
        let to_names = item_params(program, to);
        TypeError::EndlessInstantiation {
            span: edge.span,
            is_type: matches!(from, Item::Adt(_)),
            item: item_name(program, from),
            target: item_name(program, to),
            target_param: to_names.get(to_param as usize).cloned().unwrap_or_else(|| format!("T{to_param}")),
            arg: crate::types::Display { ty: &edge.arg, names: &names }.to_string(),
        }
    }
}

fn item_name(program: &Program, item: Item) -> String {
    match item {
        Item::Func(id) => program.functions.get(id as usize).map_or_else(String::new, |f| f.name.clone()),
        Item::Adt(id) => program.adt_name(AdtId(id)).to_string(),
    }
}

fn item_params(program: &Program, item: Item) -> Vec<String> {
    match item {
        Item::Func(id) => program.functions.get(id as usize).map_or_else(Vec::new, |f| f.type_params.iter().map(|p| p.name.clone()).collect()),
        Item::Adt(id) => program.adts.get(id as usize).map_or_else(Vec::new, |a| a.params.clone()),
    }
}

/// Type names inside one generic item: its parameters by their declared names.
struct ItemNames<'a> {
    program: &'a Program,
    params: Vec<String>,
}

impl TypeNames for ItemNames<'_> {
    fn adt_name(&self, id: AdtId) -> &str {
        self.program.adt_name(id)
    }

    fn trait_name(&self, id: TraitId) -> &str {
        self.program.trait_name(id)
    }

    fn param_name(&self, index: u32) -> String {
        self.params.get(index as usize).cloned().unwrap_or_else(|| format!("T{index}"))
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;
    use crate::driver::{self, Options};

    /// The codes of compiling a program made of `types` and `functions` (JSON members) with a
    /// `main` that runs `main_body`.
    fn codes(types: &str, functions: &str, main_body: &str) -> Vec<Code> {
        let source = format!(
            r#"{{"program": {{"types": {{{types}}}, "functions": {{{functions}{}"main": {{"body": [{main_body}]}}}}}}}}"#,
            if functions.is_empty() { "" } else { ", " }
        );
        let c = driver::compile("t.sirs.json", source.as_bytes(), Options::default());
        c.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code).collect()
    }

    const COUNT_DOWN: &str = r#"{"if": {"condition": {"op": {"kind": "eq", "args": [{"var": "n"}, {"literal": 0}]}}, "then": [{"return": {"literal": 0}}]}}"#;

    fn generic(name: &str, params: &str, args: &str, recursive_call: &str) -> String {
        format!(
            r#""{name}": {{"type_params": [{params}], "args": [{args}, {{"name": "n", "type": "i64"}}], "return": "i64", "body": [{COUNT_DOWN},
               {{"return": {recursive_call}}}]}}"#
        )
    }

    fn call(function: &str, args: &str) -> String {
        format!(r#"{{"call": {{"function": "{function}", "args": [{args}, {{"op": {{"kind": "sub", "args": [{{"var": "n"}}, {{"literal": 1}}]}}}}]}}}}"#)
    }

    const PRINT_GROW: &str = r#"{"expression": {"call": {"function": "print", "args": [{"call": {"function": "grow", "args": [{"literal": 1}, {"literal": 3}]}}]}}}"#;

    #[test]
    fn recursion_at_the_same_or_swapped_types_is_accepted() {
        let same = generic("grow", r#""T""#, r#"{"name": "x", "type": "T"}"#, &call("grow", r#"{"var": "x"}"#));
        assert_eq!(codes("", &same, PRINT_GROW), vec![]);
        let swap = generic("swap", r#""A", "B""#, r#"{"name": "a", "type": "A"}, {"name": "b", "type": "B"}"#, &call("swap", r#"{"var": "b"}, {"var": "a"}"#));
        let main = r#"{"expression": {"call": {"function": "print", "args": [{"call": {"function": "swap", "args": [{"literal": 1}, {"literal": "s"}, {"literal": 3}]}}]}}}"#;
        assert_eq!(codes("", &swap, main), vec![]);
        let tree = r#""Tree": {"enum": {"type_params": ["T"], "variants": {"Leaf": null, "Node": "([Tree<T>], T, Option<Tree<T>>)"}}}"#;
        let leaf = r#"{"let": {"name": "_t", "type": "Tree<[i64]>", "value": {"enum": {"type": "Tree", "variant": "Leaf"}}}}"#;
        assert_eq!(codes(tree, "", leaf), vec![]);
    }

    #[test]
    fn a_call_at_a_larger_type_is_reported_directly_or_through_another_function() {
        let direct = generic("grow", r#""T""#, r#"{"name": "x", "type": "T"}"#, &call("grow", r#"{"array": [{"var": "x"}]}"#));
        assert_eq!(codes("", &direct, PRINT_GROW), vec![Code::E0331]);
        let there = generic("grow", r#""T""#, r#"{"name": "x", "type": "T"}"#, &call("back", r#"{"tuple": [{"var": "x"}, {"literal": true}]}"#));
        let back = generic("back", r#""U""#, r#"{"name": "u", "type": "U"}"#, &call("grow", r#"{"var": "u"}"#));
        assert_eq!(codes("", &format!("{there}, {back}"), PRINT_GROW), vec![Code::E0331], "one error for the one cycle");
    }

    #[test]
    fn a_type_holding_itself_at_a_larger_type_is_reported_even_through_another_type() {
        let nest = r#""Nest": {"enum": {"type_params": ["X"], "variants": {"Leaf": null, "Node": "Nest<[X]>"}}}"#;
        assert_eq!(codes(nest, "", ""), vec![Code::E0331]);
        let pair = r#""Left": {"record": {"type_params": ["A"], "fields": {"next": "[Right<(A, A)>]"}}},
                      "Right": {"record": {"type_params": ["B"], "fields": {"back": "[Left<B>]"}}}"#;
        assert_eq!(codes(pair, "", ""), vec![Code::E0331]);
    }
}
