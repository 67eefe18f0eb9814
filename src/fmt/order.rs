//! The canonical key order of `sev fmt`: declarations and the bodies of statements and
//! expressions list their keys in one fixed order (`docs/cli.md` has the table), so that every
//! `let` reads name, type, value and every function doc, args, return, body.
//!
//! Only objects whose keys are fixed by SIRS are reordered; the order of a map — `functions`,
//! `types`, record `fields`, the body of a `struct` or `hashmap` literal, enum `variants` —
//! is meaning and is never touched. An object is recognised by where it stands: the body of a
//! one-key statement or expression object (`{"let": BODY}`), an element of an array under a
//! known key (`cases`, `catch`, `args`, …) or a value in a declaration map (`functions`, …).
//! Keys a table does not list keep their order after the listed ones. Reordering the keys of a
//! node never changes what the parser reads, since it looks keys up by name; the map rule keeps
//! every order that matters.

use crate::syntax::json::{Json, JsonKind, Member};

const ROOT: &[&str] = &["$schema", "program"];
const PROGRAM: &[&str] = &["entry", "types", "constants", "interfaces", "trait_impls", "externs", "distributions", "functions"];
const FUNCTION: &[&str] = &["doc", "type_params", "args", "return", "async", "inline", "pure", "body"];
const PARAM: &[&str] = &["name", "type", "lower", "upper", "strict"];
const CASE: &[&str] = &["pattern", "guard", "body"];
const CATCH: &[&str] = &["type", "variable", "body"];
const TRAIT: &[&str] = &["doc", "type_params", "methods"];
const IMPL: &[&str] = &["doc", "trait_name", "type_args", "target_type", "methods"];
const EXTERN: &[&str] = &["library", "args", "return"];
const CONSTANT: &[&str] = &["type", "value"];
const DISTRIBUTION: &[&str] = &["doc", "params", "support", "log_density", "sampler"];
const DIST_USE: &[&str] = &["distribution", "params", "weights", "components", "size", "lower", "upper", "constraint", "parameterization", "value"];

/// The key order of the body of each one-key node (statements, expressions, type forms).
/// `struct`, `hashmap` and `map` are absent: their bodies are maps or lists of entries.
const BODIES: &[(&str, &[&str])] = &[
    ("let", &["name", "pattern", "type", "value", "mutable", "output"]),
    ("assign", &["target", "value"]),
    ("if", &["condition", "then", "else"]),
    ("while", &["condition", "body"]),
    ("for", &["variable", "pattern", "iterable", "body"]),
    ("range", &["start", "end", "step", "inclusive"]),
    ("match", &["value", "cases"]),
    ("try", &["body", "catch", "finally"]),
    ("observe", DIST_USE),
    ("sample", DIST_USE),
    ("lpdf", DIST_USE),
    ("mixture", &["name", "components", "weights", "weight_prior"]),
    ("hierarchical", &["name", "hyperpriors", "levels", "observation_model"]),
    ("model", &["name", "plates", "nodes", "factors"]),
    ("prob_assert", &["condition", "confidence"]),
    ("op", &["kind", "args"]),
    ("call", &["function", "type_args", "args"]),
    ("method", &["object", "name", "args"]),
    ("field", &["object", "field"]),
    ("index", &["array", "index"]),
    ("record", &["doc", "name", "type", "type_args", "fields", "type_params"]),
    ("update", &["value", "fields"]),
    ("enum", &["doc", "name", "type", "type_args", "variant", "value", "variants", "type_params"]),
    ("cast", &["value", "type"]),
    ("cond", &["if", "then", "else"]),
    ("error", &["doc", "name", "type", "message", "message_type"]),
    ("infer", &["model", "args", "algorithm", "chains", "warmup", "draws", "seed", "threads"]),
    ("generic", &["type", "args"]),
    ("result", &["ok_type", "err_type"]),
    ("discriminated_union", &["doc", "name", "variants", "type_params"]),
    ("generic_def", &["doc", "name", "params", "definition"]),
];

/// Keys whose value is an array of objects with a fixed order.
const ELEMENTS: &[(&str, &[&str])] = &[("nodes", &["name", "kind", "distribution", "params", "value", "plate", "parents", "lower", "upper", "parameterization"]), ("levels", &["level_name", "groups", "group_variable", "parameters"]), ("components", &["label", "weight", "distribution", "params", "parameters"]), ("args", PARAM), ("params", PARAM), ("cases", CASE), ("catch", CATCH), ("trait_impls", IMPL), ("type_params", &["name", "bounds"])];

/// Keys whose value is a map of declarations with a fixed order.
const DECLARATIONS: &[(&str, &[&str])] =
    &[("functions", FUNCTION), ("methods", FUNCTION), ("interfaces", TRAIT), ("externs", EXTERN), ("constants", CONSTANT), ("distributions", DISTRIBUTION)];

/// `root` with the keys of every recognised node in canonical order.
pub fn canonical(root: &Json) -> Json {
    let root = reorder(root, ROOT);
    match &root.kind {
        JsonKind::Object(members) => {
            let members = members.iter().map(|m| if m.key == "program" { with_value(m, reorder(&m.value, PROGRAM)) } else { m.clone() }).collect();
            walk(&Json { kind: JsonKind::Object(members), span: root.span })
        }
        _ => walk(&root),
    }
}

/// Reorders what the position of each child says, then recurses.
fn walk(json: &Json) -> Json {
    let kind = match &json.kind {
        JsonKind::Array(items) => JsonKind::Array(items.iter().map(walk).collect()),
        JsonKind::Object(members) => JsonKind::Object(members.iter().map(|m| with_value(m, walk(&placed(m, members.len())))).collect()),
        other => other.clone(),
    };
    Json { kind, span: json.span }
}

/// The value of `member` reordered as its key and its object's size say.
fn placed(member: &Member, siblings: usize) -> Json {
    let key = member.key.as_str();
    if siblings == 1
        && let Some((_, order)) = BODIES.iter().find(|(k, _)| *k == key)
    {
        return reorder(&member.value, order);
    }
    if let Some((_, order)) = ELEMENTS.iter().find(|(k, _)| *k == key) {
        return each_element(&member.value, order);
    }
    if let Some((_, order)) = DECLARATIONS.iter().find(|(k, _)| *k == key) {
        return each_value(&member.value, order);
    }
    member.value.clone()
}

fn each_element(json: &Json, order: &[&str]) -> Json {
    match &json.kind {
        JsonKind::Array(items) => Json { kind: JsonKind::Array(items.iter().map(|i| reorder(i, order)).collect()), span: json.span },
        _ => json.clone(),
    }
}

fn each_value(json: &Json, order: &[&str]) -> Json {
    match &json.kind {
        JsonKind::Object(members) => {
            let members = members.iter().map(|m| with_value(m, reorder(&m.value, order))).collect();
            Json { kind: JsonKind::Object(members), span: json.span }
        }
        _ => json.clone(),
    }
}

/// `json` with its keys sorted by their place in `order` (unlisted keys last, in their order).
fn reorder(json: &Json, order: &[&str]) -> Json {
    let JsonKind::Object(members) = &json.kind else { return json.clone() };
    let mut sorted = members.clone();
    sorted.sort_by_key(|m| order.iter().position(|k| *k == m.key).unwrap_or(order.len()));
    Json { kind: JsonKind::Object(sorted), span: json.span }
}

fn with_value(member: &Member, value: Json) -> Member {
    Member { key: member.key.clone(), key_span: member.key_span, value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json::parse;

    fn keys_after(source: &str, path: &[&str]) -> Vec<String> {
        let (tree, errors) = parse(source);
        assert!(errors.is_empty());
        let mut json = canonical(&tree.expect("a tree"));
        for key in path {
            let JsonKind::Object(members) = json.kind else { panic!("not an object at {key}") };
            json = members.into_iter().find(|m| m.key == *key).expect("the key").value;
        }
        let JsonKind::Object(members) = json.kind else { panic!("not an object") };
        members.into_iter().map(|m| m.key).collect()
    }

    #[test]
    fn statement_bodies_and_functions_take_the_canonical_order() {
        let source = r#"{"program": {"functions": {"f": {"body": [], "return": "void", "args": []}}, "entry": "f"}}"#;
        assert_eq!(keys_after(source, &["program"]), ["entry", "functions"]);
        assert_eq!(keys_after(source, &["program", "functions", "f"]), ["args", "return", "body"]);
        let source = r#"{"let": {"value": {"literal": 1}, "mutable": true, "name": "x"}}"#;
        assert_eq!(keys_after(source, &["let"]), ["name", "value", "mutable"]);
    }

    #[test]
    fn maps_keep_their_order() {
        let source = r#"{"struct": {"value": {"literal": 1}, "name": {"literal": 2}}}"#;
        assert_eq!(keys_after(source, &["struct"]), ["value", "name"]);
        let source = r#"{"program": {"functions": {"zeta": {}, "alpha": {}}}}"#;
        assert_eq!(keys_after(source, &["program", "functions"]), ["zeta", "alpha"]);
        let source = r#"{"record": {"type": "P", "fields": {"y": {"literal": 1}, "x": {"literal": 2}}}}"#;
        assert_eq!(keys_after(source, &["record", "fields"]), ["y", "x"]);
    }
}
