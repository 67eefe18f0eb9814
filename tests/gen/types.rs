//! Random programs over generic and recursive types, with their exact output, for
//! `tests/generated_types.rs`.
//!
//! Each program declares a generic recursive enum (a binary tree whose nodes hold a tuple
//! `(Tree<T>, T, Tree<T>)`, payloads the backend must box) and a generic record that refers to
//! itself through `Option<Self>` (a chain), under names drawn from a pool of names the generated
//! Zig uses itself. It builds a random tree and chain of a random element type (`i64`, `f64`,
//! `str`, `bool`, `[i64]` or a generic record `Pair<i64, str>`), and prints their sizes, the
//! tree's depth and its elements in order, through generic recursive functions. The expected
//! output is computed here from the same random shape.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde_json::{Value as Json, json};

/// The base seed of these programs.
pub const SEED: u64 = 0x5EED_0000_7E9E;

/// The seed of program `k`.
pub fn seed(k: usize) -> u64 {
    SEED ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

const TYPE_NAMES: &[&str] = &["Tree", "Data", "M", "Node", "u8_1", "Sites", "Ctx", "Std"];
const CHAIN_NAMES: &[&str] = &["Chain", "List", "Run", "Item", "i999999", "Cell"];
const FIELD_NAMES: &[&str] = &["value", "M", "ctx", "i999999", "u0", "type", "data", "read"];
const NEXT_NAMES: &[&str] = &["next", "rest", "tail", "deinit", "sev_cache", "error"];
const VARIANT_NAMES: &[&str] = &["Leaf", "Empty", "None", "u0", "M", "Nil"];
const NODE_NAMES: &[&str] = &["Node", "Some", "Branch", "i32", "ctx", "Fork"];

/// The element types, with how `show` spells a value as a string in SIRS.
#[derive(Clone, Copy, Debug)]
enum Elem {
    Int,
    Float,
    Str,
    Bool,
    Ints,
    Pair,
}

impl Elem {
    fn sirs(self) -> &'static str {
        match self {
            Elem::Int => "i64",
            Elem::Float => "f64",
            Elem::Str => "str",
            Elem::Bool => "bool",
            Elem::Ints => "[i64]",
            Elem::Pair => "Pair<i64, str>",
        }
    }
}

/// A value of the element type: its SIRS expression and the text `show` gives it.
struct Value {
    expr: Json,
    text: String,
}

enum Tree {
    Leaf,
    Node(Box<Tree>, Value, Box<Tree>),
}

pub struct GeneratedTypes {
    pub index: usize,
    pub source: String,
    pub expected: String,
}

fn lit(x: impl Into<Json>) -> Json {
    json!({"literal": x.into()})
}

fn var(name: &str) -> Json {
    json!({"var": name})
}

fn call(f: &str, args: Vec<Json>) -> Json {
    json!({"call": {"function": f, "args": args}})
}

struct Names {
    tree: String,
    chain: String,
    field: String,
    next: String,
    leaf: String,
    node: String,
}

struct Gen {
    rng: Xoshiro256PlusPlus,
    elem: Elem,
}

impl Gen {
    fn pick(&mut self, xs: &[&str]) -> String {
        xs[self.rng.random_range(0..xs.len())].to_string()
    }

    fn value(&mut self) -> Value {
        let n = self.rng.random_range(-20..=20_i64);
        match self.elem {
            Elem::Int => Value { expr: lit(n), text: n.to_string() },
            // quarters that are not whole print the same in Rust and in sev
            Elem::Float => {
                let x = n as f64 + 0.25;
                Value { expr: lit(x), text: format!("{x}") }
            }
            Elem::Str => {
                let s = ["a", "b c", "", "M", "ctx", "é"][n.unsigned_abs() as usize % 6].to_string();
                Value { expr: lit(s.clone()), text: s }
            }
            Elem::Bool => Value { expr: lit(n % 2 == 0), text: (n % 2 == 0).to_string() },
            Elem::Ints => {
                let xs: Vec<i64> = (0..n.unsigned_abs() % 4).map(|i| n + i as i64).collect();
                let text = format!("{}", xs.len());
                Value { expr: json!({"array": xs.iter().map(|x| lit(*x)).collect::<Vec<_>>()}), text }
            }
            Elem::Pair => {
                let s = ["x", "yy", ""][n.unsigned_abs() as usize % 3];
                let expr = json!({"record": {"type": "Pair", "type_args": ["i64", "str"], "fields": {"first": lit(n), "second": lit(s)}}});
                Value { expr, text: format!("{n}{s}") }
            }
        }
    }

    fn tree(&mut self, budget: u32) -> Tree {
        if budget == 0 || self.rng.random_bool(0.3) {
            return Tree::Leaf;
        }
        let left = self.tree(budget - 1);
        let v = self.value();
        let right = self.tree(budget - 1);
        Tree::Node(Box::new(left), v, Box::new(right))
    }
}

fn tree_expr(t: &Tree, n: &Names) -> Json {
    match t {
        Tree::Leaf => json!({"enum": {"type": n.tree, "variant": n.leaf}}),
        Tree::Node(l, v, r) => json!({"enum": {"type": n.tree, "variant": n.node, "value": {"tuple": [tree_expr(l, n), v.expr, tree_expr(r, n)]}}}),
    }
}

fn size(t: &Tree) -> usize {
    match t {
        Tree::Leaf => 0,
        Tree::Node(l, _, r) => size(l) + 1 + size(r),
    }
}

fn depth(t: &Tree) -> usize {
    match t {
        Tree::Leaf => 0,
        Tree::Node(l, _, r) => 1 + depth(l).max(depth(r)),
    }
}

fn in_order<'a>(t: &'a Tree, out: &mut Vec<&'a Value>) {
    if let Tree::Node(l, v, r) = t {
        in_order(l, out);
        out.push(v);
        in_order(r, out);
    }
}

/// The generic functions: size, depth and in-order elements of a tree; length of a chain.
fn functions(n: &Names, elem: Elem) -> Json {
    let tree_t = format!("{}<T>", n.tree);
    let chain_t = format!("{}<T>", n.chain);
    let on_tree = |node_body: Json, leaf_body: Json| {
        // the element is bound only where the body reads it
        let element = if node_body.to_string().contains("{\"var\":\"v\"}") { var("v") } else { json!("_") };
        let node_pattern = json!({"enum": {"type": n.tree, "variant": n.node, "value": {"tuple": [var("l"), element, var("r")]}}});
        json!([{"match": {"value": var("t"), "cases": [
            {"pattern": node_pattern, "body": node_body},
            {"pattern": {"enum": {"type": n.tree, "variant": n.leaf}}, "body": leaf_body}]}}])
    };
    let rec = |f: &str, x: &str| json!({"call": {"function": f, "args": [var(x)]}});
    let add = |a: Json, b: Json| json!({"op": {"kind": "add", "args": [a, b]}});
    let size = on_tree(json!([{"return": add(add(rec("size", "l"), lit(1)), rec("size", "r"))}]), json!([{"return": lit(0)}]));
    let depth = on_tree(
        json!([{"return": add(lit(1), call("math_max_i", vec![rec("depth", "l"), rec("depth", "r")]))}]),
        json!([{"return": lit(0)}]),
    );
    let walk = on_tree(
        json!([{"let": {"name": "acc", "mutable": true, "value": rec("walk", "l")}},
               {"expression": call("push", vec![var("acc"), var("v")])},
               {"for": {"variable": "x", "iterable": rec("walk", "r"), "body": [{"expression": call("push", vec![var("acc"), var("x")])}]}},
               {"return": var("acc")}]),
        json!([{"return": {"array": []}}]),
    );
    let chain_len = json!([{"match": {"value": {"field": {"object": var("c"), "field": n.next}}, "cases": [
        {"pattern": {"enum": {"type": "Option", "variant": "Some", "value": var("rest")}}, "body": [{"return": add(lit(1), rec("chain_len", "rest"))}]},
        {"pattern": "_", "body": [{"return": lit(1)}]}]}}]);
    let show = match elem {
        Elem::Int | Elem::Float | Elem::Bool => json!([{"return": call("to_string", vec![var("x")])}]),
        Elem::Str => json!([{"return": var("x")}]),
        Elem::Ints => json!([{"return": call("to_string", vec![call("len", vec![var("x")])])}]),
        Elem::Pair => json!([{"return": add(call("to_string", vec![json!({"field": {"object": var("x"), "field": "first"}})]), json!({"field": {"object": var("x"), "field": "second"}}))}]),
    };
    json!({
        "size": {"type_params": ["T"], "args": [{"name": "t", "type": tree_t}], "return": "i64", "body": size},
        "depth": {"type_params": ["T"], "args": [{"name": "t", "type": tree_t}], "return": "i64", "body": depth},
        "math_max_i": {"args": [{"name": "a", "type": "i64"}, {"name": "b", "type": "i64"}], "return": "i64", "body": [
            {"if": {"condition": {"op": {"kind": "gt", "args": [var("a"), var("b")]}}, "then": [{"return": var("a")}]}}, {"return": var("b")}]},
        "walk": {"type_params": ["T"], "args": [{"name": "t", "type": tree_t}], "return": "[T]", "body": walk},
        "chain_len": {"type_params": ["T"], "args": [{"name": "c", "type": chain_t}], "return": "i64", "body": chain_len},
        "show": {"args": [{"name": "x", "type": elem.sirs()}], "return": "str", "body": show},
    })
}

/// Generates program number `index` from `seed`.
pub fn generate(index: usize, seed: u64) -> GeneratedTypes {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let elem = [Elem::Int, Elem::Float, Elem::Str, Elem::Bool, Elem::Ints, Elem::Pair][rng.random_range(0..6)];
    let mut g = Gen { rng, elem };
    let names = Names {
        tree: g.pick(TYPE_NAMES),
        chain: g.pick(CHAIN_NAMES),
        field: g.pick(FIELD_NAMES),
        next: g.pick(NEXT_NAMES),
        leaf: g.pick(VARIANT_NAMES),
        node: g.pick(NODE_NAMES),
    };
    let tree = g.tree(4);
    let links: Vec<Value> = (0..g.rng.random_range(1..5)).map(|_| g.value()).collect();
    // the chain, built from its last link
    let mut chain = Json::Null;
    for v in links.iter().rev() {
        let next = if chain.is_null() { json!({"enum": {"type": "Option", "variant": "None"}}) } else { json!({"enum": {"type": "Option", "variant": "Some", "value": chain}}) };
        chain = json!({"record": {"type": names.chain, "type_args": [elem.sirs()], "fields": {names.field.as_str(): v.expr, names.next.as_str(): next}}});
    }
    let tree_ty = format!("{}<{}>", names.tree, elem.sirs());
    let body = json!([
        {"let": {"name": "M", "type": tree_ty, "value": tree_expr(&tree, &names)}},
        {"let": {"name": "ctx", "value": chain}},
        {"expression": call("print", vec![call("size", vec![var("M")])])},
        {"expression": call("print", vec![call("depth", vec![var("M")])])},
        {"expression": call("print", vec![call("chain_len", vec![var("ctx")])])},
        {"expression": call("print", vec![call("show", vec![json!({"field": {"object": var("ctx"), "field": names.field}})])])},
        {"let": {"name": "i999999", "value": call("walk", vec![var("M")])}},
        {"for": {"variable": "u0", "iterable": var("i999999"), "body": [{"expression": call("print", vec![call("show", vec![var("u0")])])}]}}
    ]);
    let mut functions = functions(&names, elem);
    functions["main"] = json!({"args": [], "return": "void", "body": body});
    let types = json!({
        names.tree.as_str(): {"enum": {"type_params": ["T"], "variants": {names.leaf.as_str(): null, names.node.as_str(): format!("({}<T>, T, {}<T>)", names.tree, names.tree)}}},
        names.chain.as_str(): {"record": {"type_params": ["T"], "fields": {names.field.as_str(): "T", names.next.as_str(): format!("Option<{}<T>>", names.chain)}}},
        "Pair": {"record": {"type_params": ["A", "B"], "fields": {"first": "A", "second": "B"}}}
    });
    let source = json!({"program": {"entry": "main", "types": types, "functions": functions}});
    let mut elements = Vec::new();
    in_order(&tree, &mut elements);
    let mut expected = format!("{}\n{}\n{}\n{}\n", size(&tree), depth(&tree), links.len(), links[0].text);
    for v in elements {
        expected.push_str(&v.text);
        expected.push('\n');
    }
    GeneratedTypes { index, source: serde_json::to_string_pretty(&source).unwrap_or_default(), expected }
}
