//! The published JSON Schema of SIRS, `docs/sirs.schema.json`, agrees with the parser
//! (`src/syntax/parse.rs`), so editors and tools that validate against it see what `sev` sees.
//!
//! * The schema is a valid Draft 2020-12 schema, and every program in `examples/` and
//!   `examples/posteriordb/` validates.
//! * [`FORMS`], a program that uses every key the parser accepts (all statement, expression,
//!   pattern, type and declaration forms, with their optional keys and aliases), is read by the
//!   parser without a diagnostic and validates.
//! * [`MALFORMED`] programs (an unknown statement key, a missing `functions`, and other shape
//!   errors) are rejected by both the parser (a code in E0001–E0199) and the schema.
//! * Every SIRS file under `tests/cases/` and `examples/` gets the same verdict from the schema
//!   and from the parser's shape check, except the files in [`SCHEMA_CANNOT_SEE`], whose error
//!   JSON Schema cannot express (each with its reason). New cases are checked automatically.
//!
//! Validation uses the `jsonschema` crate (a dev-dependency); nothing here is skipped.

use jsonschema::Validator;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Files the parser rejects but the schema accepts, because JSON Schema cannot express the rule.
const SCHEMA_CANNOT_SEE: &[(&str, &str)] = &[
    ("duplicate_json_key.sirs.json", "E0002: a JSON object with the same key twice; JSON Schema sees the parsed value"),
    ("custom_distribution_defined_twice.sirs.json", "E0002: a distribution declared twice is a repeated key; as above"),
    ("duplicate_parameter.sirs.json", "E0111: two parameters with one name; uniqueness of a field across array items"),
    ("float_literal_out_of_range.sirs.json", "E0008: a number too large for f64; JSON Schema has no limit on number text"),
    ("integer_literal_too_large_to_represent.sirs.json", "E0008: an integer beyond i128; as above"),
    ("invalid_type_string.sirs.json", "E0106: the type mini-language nests brackets; the schema checks its characters only"),
    ("type_string_nested_too_deeply.sirs.json", "E0114: a type string nested more than 64 brackets deep; the schema checks its characters only"),
    ("type_name_does_not_match_key.sirs.json", "E0110: an inner `name` differing from its key; JSON Schema cannot compare a value with a key"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("docs").join("sirs.schema.json")).expect("docs/sirs.schema.json exists");
        let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
    })
}

/// The schema's complaints about a document (empty when it validates).
fn schema_errors(doc: &Value) -> Vec<String> {
    validator().iter_errors(doc).map(|e| format!("at {}: {e}", e.instance_path())).collect()
}

/// The codes of the shape diagnostics (reading JSON and the program's structure, E0001–E0199)
/// that the parser reports for `text`.
fn parser_shape_codes(name: &str, text: &[u8]) -> Vec<&'static str> {
    let read = sev::syntax::read(name, text);
    let mut codes: Vec<&'static str> = read
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .filter(|c| c.starts_with("E00") || c.starts_with("E01"))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

fn sirs_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            sev::syntax::EXTENSIONS.iter().any(|ext| name.ends_with(ext))
        })
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let text = std::fs::read_to_string(root().join("docs").join("sirs.schema.json")).expect("docs/sirs.schema.json exists");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("docs/sirs.schema.json is not a valid JSON Schema: {e}");
    }
}

#[test]
fn every_example_validates() {
    let mut files = sirs_files(&root().join("examples"));
    files.extend(sirs_files(&root().join("examples").join("posteriordb")));
    assert!(files.len() >= 49, "expected the 41 examples and 8 posteriordb models, found {}", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable");
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let errors = schema_errors(&doc);
        if !errors.is_empty() {
            failures.push(format!("{}:\n  {}", path.display(), errors.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "examples rejected by docs/sirs.schema.json:\n{}", failures.join("\n"));
}

/// A program with every form the parser reads; it need not type-check (that is `sev check`'s job).
const FORMS: &str = r#"{"$schema": "../docs/sirs.schema.json", "program": {
  "entry": "start",
  "types": {
    "Point": {"struct": {"name": "Point", "fields": {"x": "f64", "y": "f64"}}},
    "Box": {"record": {"type_params": ["T"], "fields": {"item": "T"}}},
    "Color": {"enum": {"variants": ["Red", "Green"]}},
    "Shape": {"enum": {"name": "Shape", "variants": {"Dot": null, "Circle": "f64", "Poly": {"list": "Point"}}}},
    "Event": {"discriminated_union": {"variants": ["Point", {"generic": {"type": "Color", "args": []}}]}},
    "Failure": {"error": {"name": "Failure", "message_type": "str"}},
    "Bare": {"error": {}},
    "Ints": {"alias": {"slice": "i64"}},
    "Pair": {"generic_def": {"name": "Pair", "params": [{"name": "A", "bounds": []}, "B"],
             "definition": {"record": {"fields": {"a": "A", "b": "B"}}}}},
    "Everything": {"record": {"fields": {
      "v": {"vector": "i32"}, "s1": {"set": "str"}, "s2": {"set": {"element": "i64"}},
      "m1": {"map": {"key": "str", "value": "i64"}}, "m2": {"hashmap": {"key": "i64", "value": "bool"}},
      "t": {"tuple": ["i8", "u64"]}, "g": {"generic": {"type": "Box", "args": ["f32"]}},
      "o1": {"option": "i16"}, "o2": {"optional": "u16"}, "r": {"result": {"ok_type": "u32", "err_type": "str"}},
      "f": {"future": "i64"}, "c": {"channel": "str"}, "d1": {"trait": "Named"}, "d2": {"trait": {"name": "Named", "args": []}},
      "fn": {"function": {"args": ["i64"], "return": "bool"}}, "fn2": {"function": {}},
      "strs": "map<str, [Option<i64>]>", "sets": "set<(i64, str)>", "dyn": "[dyn Named]", "res": "Result<Future<i64>, Channel<u8>>",
      "string": "string"
    }}}
  },
  "constants": {"LIMIT": {"type": "i64", "value": {"literal": 10}}, "NAME": {"value": {"literal": "sev"}}},
  "interfaces": {"Named": {"name": "Named", "type_params": [], "methods": {"name": {"args": [], "return": "str"}, "rename": {"args": ["str"]}}}},
  "trait_impls": [{"trait_name": "Named", "target_type": "Point", "type_args": [], "methods": {
    "name": {"args": [{"name": "self", "type": "Point"}], "return": "str", "body": [{"return": {"literal": "point"}}]},
    "rename": {"args": [{"name": "self", "type": "Point"}, {"name": "n", "type": "str"}], "body": [{"return": null}]}}}],
  "externs": {"cbrt": {"library": "m", "args": [{"name": "x", "type": "f64"}], "return": "f64"}, "noop": {"library": "c"}},
  "distributions": {
    "lap": {"params": [{"name": "mu", "type": "f64"}, {"name": "b", "type": "f64", "lower": 0, "upper": 100, "strict": true}],
            "support": "real", "log_density": "lap_lpdf", "sampler": "lap_rng", "doc": "Laplace"},
    "box": {"params": [{"name": "hi", "type": "f64"}], "support": {"lower": 0, "upper": "hi"}, "log_density": "box_lpdf"}
  },
  "functions": {
    "helper": {"args": [{"name": "x", "type": "T"}], "return": "T", "type_params": [{"name": "T", "bounds": ["Named"]}],
      "inline": true, "pure": true, "doc": "identity", "body": [{"return": {"var": "x"}}]},
    "task": {"async": true, "return": "i64", "body": [{"return": {"literal": 1}}]},
    "model": {"args": [{"name": "y", "type": "[f64]"}], "body": [
      {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}}},
      {"let": {"name": "s", "output": true, "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}],
               "lower": {"literal": 0.0}, "upper": {"literal": 5.0}}}}},
      {"let": {"name": "v", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}],
               "size": {"literal": 2}, "constraint": "ordered"}}}},
      {"let": {"name": "w", "value": {"sample": {"distribution": "normal", "params": [{"var": "mu"}, {"literal": 1.0}],
               "size": {"literal": 2}, "parameterization": "noncentered"}}}},
      {"observe": {"distribution": {"mixture": {"name": "m", "components": [
                     {"label": "a", "weight": {"literal": 0.5}, "distribution": "normal", "params": [{"var": "mu"}, {"literal": 1.0}]},
                     {"weight": {"literal": 0.5}, "distribution": "normal", "parameters": [{"literal": 1.0}, {"literal": 1.0}]}]}},
                   "value": {"var": "y"}}},
      {"let": {"name": "m2", "value": {"mixture": {"weight_prior": {"array": [{"literal": 1.0}, {"literal": 2.0}]}, "components": [
                     {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]},
                     {"distribution": "normal", "params": [{"literal": 1.0}, {"literal": 1.0}]}]}}}},
      {"hierarchical": {"name": "h", "hyperpriors": {"hm": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}},
                        "levels": [{"level_name": "g", "groups": {"literal": 2}, "group_variable": "gi",
                                    "parameters": {"hp": {"distribution": "normal", "hyperparameters": [{"var": "hm"}, {"literal": 1.0}], "parameterization": "centered"}}}],
                        "observation_model": {"likelihood": "normal", "parameters": [{"var": "hp"}, {"literal": 1.0}], "value": {"var": "y"}, "indexed": ["y"]}}},
      {"model": {"name": "g", "plates": {"p": {"literal": 2}}, "nodes": [
                   {"name": "gm", "kind": "latent", "distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}], "plate": "p",
                    "lower": {"literal": -5.0}, "upper": {"literal": 5.0}},
                   {"name": "gs", "kind": "latent", "distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}], "parameterization": "noncentered"},
                   {"name": "gy", "kind": "observed", "distribution": "normal", "params": [{"var": "gs"}, {"literal": 1.0}], "value": {"var": "y"}, "parents": ["gs"]},
                   {"name": "gd", "kind": "deterministic", "value": {"var": "gs"}}],
                 "factors": [{"literal": 0.0}]}},
      {"let": {"name": "m3", "value": {"mixture": {"weights": {"array": [{"literal": 1.0}]}, "components": [
                     {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}]}}}},
      {"observe": {"distribution": "normal", "params": [{"var": "mu"}, {"var": "s"}], "value": {"var": "y"}}},
      {"factor": {"lpdf": {"distribution": "normal", "params": [{"var": "mu"}, {"literal": 1.0}], "value": {"literal": 0.5}}}},
      {"observe": {"distribution": "mixture", "weights": {"array": [{"literal": 0.5}, {"literal": 0.5}]},
                   "components": [{"distribution": "normal", "params": [{"var": "mu"}, {"literal": 1.0}]}, {"distribution": "lap", "params": [{"var": "mu"}, {"literal": 1.0}]}],
                   "value": {"var": "y"}}},
      {"prob_assert": {"condition": {"op": {"kind": "gt", "args": [{"var": "s"}, {"literal": 0.0}]}}, "confidence": 0.9}}]},
    "start": {"args": [], "return": "void", "body": [
      {"comment": "every statement and expression form"},
      {"let": {"name": "n", "type": "i64", "value": {"literal": 3}, "mutable": true}},
      {"let": {"pattern": {"tuple": [{"var": "a"}, "_"]}, "value": {"tuple": [{"literal": 1}, {"literal": true}]}}},
      {"assign": {"target": "n", "value": {"op": {"kind": "add", "args": [{"var": "n"}, {"literal": 1}, {"literal": 2}]}}}},
      {"let": {"name": "p", "mutable": true, "value": {"struct": {"x": {"literal": 1.0}, "y": {"literal": 2.0}}}, "type": "Point"}},
      {"assign": {"target": {"field": {"object": {"var": "p"}, "field": "x"}}, "value": {"literal": 3.0}}},
      {"let": {"name": "xs", "mutable": true, "value": {"array": [{"literal": 1}, {"literal": 2}]}}},
      {"assign": {"target": {"index": {"array": "xs", "index": {"literal": 0}}}, "value": {"literal": 5}}},
      {"if": {"condition": {"op": {"kind": "not", "args": [{"literal": false}]}}, "then": [], "else": [{"break": null}]}},
      {"while": {"condition": {"literal": false}, "body": [{"continue": null}]}},
      {"for": {"variable": "i", "iterable": {"range": {"start": {"literal": 0}, "end": {"literal": 10}, "step": {"literal": 2}, "inclusive": true}}, "body": []}},
      {"for": {"pattern": {"tuple": [{"var": "k"}, {"var": "v"}]}, "iterable": {"map": [[{"literal": "a"}, {"literal": 1}]]}, "body": []}},
      {"match": {"value": {"var": "p"}, "cases": [
        {"pattern": {"struct": {"x": {"literal": 1}}}, "guard": {"literal": true}, "body": []},
        {"pattern": {"record": {"type": "Point", "fields": {"y": {"wildcard": null}}}}, "body": []},
        {"pattern": {"_": null}, "body": []}]}},
      {"match": {"value": {"enum": {"type": "Shape", "variant": "Circle", "value": {"literal": 1.0}}}, "cases": [
        {"pattern": {"enum": {"type": "Shape", "variant": "Circle", "value": {"var": "r"}}}, "body": []},
        {"pattern": {"enum": {"variant": "Dot"}}, "body": []},
        {"pattern": {"literal": "text"}, "body": []},
        {"pattern": "_", "body": []}]}},
      {"try": {"body": [{"throw": {"error": {"type": "Failure", "message": {"literal": "x"}}}}],
               "catch": {"type": "Failure", "variable": "e", "body": []}, "finally": []}},
      {"try": {"body": [{"throw": {"literal": "plain"}}], "catch": [{"body": []}]}},
      {"expression": {"call": {"function": "helper", "type_args": ["Point"], "args": [{"var": "p"}]}}},
      {"expression": {"method": {"object": {"var": "p"}, "name": "name"}}},
      {"expression": {"method": {"object": {"var": "p"}, "name": "rename", "args": [{"literal": "q"}]}}},
      {"let": {"name": "t", "value": {"tuple": [{"literal": 1}, {"literal": "two"}]}}},
      {"let": {"name": "t0", "value": {"field": {"object": {"var": "t"}, "field": 0}}}},
      {"let": {"name": "t1", "value": {"field": {"object": {"var": "t"}, "field": "1"}}}},
      {"let": {"name": "x0", "value": {"index": {"array": {"var": "xs"}, "index": {"literal": 0}}}}},
      {"let": {"name": "b", "value": {"record": {"type": "Box", "type_args": ["i64"], "fields": {"item": {"literal": 1}}}}}},
      {"let": {"name": "q", "value": {"update": {"value": {"var": "p"}, "fields": {"y": {"literal": 9.0}}}}}},
      {"let": {"name": "o", "value": {"enum": {"type": "Option", "type_args": ["i64"], "variant": "None"}}}},
      {"let": {"name": "h", "value": {"hashmap": {"any key-text": {"literal": 1}}}}},
      {"let": {"name": "st", "value": {"set": [{"literal": 1}]}}},
      {"let": {"name": "f", "value": {"cast": {"value": {"literal": 1}, "type": "f64"}}}},
      {"let": {"name": "fut", "value": {"call": {"function": "task"}}}},
      {"let": {"name": "r", "value": {"await": {"var": "fut"}}}},
      {"let": {"name": "c", "value": {"cond": {"if": {"literal": true}, "then": {"literal": 1}, "else": {"literal": 2}}}}},
      {"let": {"name": "post", "value": {"infer": {"model": "model", "args": [{"array": [{"literal": 1.0}]}],
               "algorithm": {"literal": "nuts"}, "chains": {"literal": 1}, "warmup": {"literal": 10}, "draws": {"literal": 10},
               "seed": {"literal": 1}, "threads": {"literal": 1}}}}},
      {"let": {"name": "neg", "value": {"op": {"kind": "neg", "args": [{"literal": 1.5}]}}}},
      {"let": {"name": "bits", "value": {"op": {"kind": "bitnot", "args": [{"literal": 1}]}}}},
      {"return": null}
    ]},
    "opt": {"args": [{"name": "x", "type": "Option<i64>"}], "return": "Option<i64>", "body": [
      {"return": {"enum": {"type": "Option", "variant": "Some", "value": {"propagate": {"var": "x"}}}}}]}
  }
}}"#;

#[test]
fn every_form_the_parser_accepts_validates() {
    assert_eq!(parser_shape_codes("forms.sirs.json", FORMS.as_bytes()), Vec::<&str>::new(), "the parser rejects FORMS");
    let read = sev::syntax::read("forms.sirs.json", FORMS.as_bytes());
    assert!(read.diagnostics.is_empty(), "the parser reports: {:?}", read.diagnostics.iter().map(|d| &d.title).collect::<Vec<_>>());
    let doc: Value = serde_json::from_str(FORMS).expect("FORMS is JSON");
    let errors = schema_errors(&doc);
    assert!(errors.is_empty(), "the schema rejects FORMS:\n{}", errors.join("\n"));
}

/// Wraps statements in a `main` function.
fn in_main(statements: &str) -> String {
    format!(r#"{{"program": {{"functions": {{"main": {{"args": [], "return": "void", "body": [{statements}]}}}}}}}}"#)
}

/// Wraps an expression in a `let` in `main`.
fn in_let(expression: &str) -> String {
    in_main(&format!(r#"{{"let": {{"name": "x", "value": {expression}}}}}"#))
}

/// Programs with one shape error each: (what, program).
fn malformed() -> Vec<(&'static str, String)> {
    vec![
        ("unknown statement key", in_main(r#"{"lett": {"name": "x", "value": {"literal": 1}}}"#)),
        ("missing `functions`", r#"{"program": {"entry": "main"}}"#.to_string()),
        ("missing `program`", r#"{"functions": {}}"#.to_string()),
        ("unknown top-level key", r#"{"program": {"functions": {}}, "version": 1}"#.to_string()),
        ("unknown program key", r#"{"program": {"functions": {}, "imports": []}}"#.to_string()),
        ("function without a body", r#"{"program": {"functions": {"main": {"args": []}}}}"#.to_string()),
        ("misspelt function key", r#"{"program": {"functions": {"main": {"body": [], "retrun": "void"}}}}"#.to_string()),
        ("statement with two keys", in_main(r#"{"return": null, "comment": "x"}"#)),
        ("statement that is not an object", in_main(r#""return""#)),
        ("unknown key in let", in_main(r#"{"let": {"name": "x", "value": {"literal": 1}, "mutabel": true}}"#)),
        ("let with a name and a pattern", in_main(r#"{"let": {"name": "x", "pattern": {"var": "y"}, "value": {"literal": 1}}}"#)),
        ("let name that is not an identifier", in_main(r#"{"let": {"name": "1x", "value": {"literal": 1}}}"#)),
        ("mutable that is not a boolean", in_main(r#"{"let": {"name": "x", "value": {"literal": 1}, "mutable": "yes"}}"#)),
        ("for with a variable and a pattern", in_main(r#"{"for": {"variable": "i", "pattern": {"var": "j"}, "iterable": {"var": "xs"}, "body": []}}"#)),
        ("for without a variable", in_main(r#"{"for": {"iterable": {"var": "xs"}, "body": []}}"#)),
        ("unknown key in range", in_main(r#"{"for": {"variable": "i", "iterable": {"range": {"start": {"literal": 0}, "stop": {"literal": 1}}}, "body": []}}"#)),
        ("if without then", in_main(r#"{"if": {"condition": {"literal": true}}}"#)),
        ("catch clause without a body", in_main(r#"{"try": {"body": [], "catch": [{"variable": "e"}]}}"#)),
        ("assignment to a call", in_main(r#"{"assign": {"target": {"call": {"function": "f"}}, "value": {"literal": 1}}}"#)),
        ("confidence that is a string", in_main(r#"{"prob_assert": {"condition": {"literal": true}, "confidence": "high"}}"#)),
        ("comment that is not a string", in_main(r#"{"comment": 3}"#)),
        ("unknown expression kind", in_let(r#"{"literall": 1}"#)),
        ("empty expression", in_let("{}")),
        ("null literal", in_let(r#"{"literal": null}"#)),
        ("array literal value", in_let(r#"{"literal": [1, 2]}"#)),
        ("unknown operator", in_let(r#"{"op": {"kind": "plus", "args": [{"literal": 1}, {"literal": 2}]}}"#)),
        ("unary operator with two operands", in_let(r#"{"op": {"kind": "not", "args": [{"literal": true}, {"literal": false}]}}"#)),
        ("binary operator with three operands", in_let(r#"{"op": {"kind": "sub", "args": [{"literal": 1}, {"literal": 2}, {"literal": 3}]}}"#)),
        ("variadic operator with one operand", in_let(r#"{"op": {"kind": "add", "args": [{"literal": 1}]}}"#)),
        ("call without a function", in_let(r#"{"call": {"args": []}}"#)),
        ("record without fields", in_let(r#"{"record": {"type": "Point"}}"#)),
        ("struct field that is not an identifier", in_let(r#"{"struct": {"x-y": {"literal": 1}}}"#)),
        ("map entry of three items", in_let(r#"{"map": [[{"literal": 1}, {"literal": 2}, {"literal": 3}]]}"#)),
        ("unknown infer option", in_let(r#"{"infer": {"model": "m", "iterations": {"literal": 10}}}"#)),
        ("cond without else", in_let(r#"{"cond": {"if": {"literal": true}, "then": {"literal": 1}}}"#)),
        ("unknown pattern kind", in_main(r#"{"match": {"value": {"literal": 1}, "cases": [{"pattern": {"bind": "x"}, "body": []}]}}"#)),
        ("pattern string other than _", in_main(r#"{"match": {"value": {"literal": 1}, "cases": [{"pattern": "x", "body": []}]}}"#)),
        ("float literal pattern", in_main(r#"{"match": {"value": {"literal": 1.0}, "cases": [{"pattern": {"literal": 1.5}, "body": []}]}}"#)),
        ("enum pattern without a variant", in_main(r#"{"match": {"value": {"literal": 1}, "cases": [{"pattern": {"enum": {"type": "Option"}}, "body": []}]}}"#)),
        ("match case without a body", in_main(r#"{"match": {"value": {"literal": 1}, "cases": [{"pattern": "_"}]}}"#)),
        ("unknown kind of type object", in_main(r#"{"let": {"name": "x", "type": {"arr": "i64"}, "value": {"array": []}}}"#)),
        ("set type object without element", in_main(r#"{"let": {"name": "x", "type": {"set": {"array": "i64"}}, "value": {"set": []}}}"#)),
        ("map type without value", in_main(r#"{"let": {"name": "x", "type": {"map": {"key": "str"}}, "value": {"map": []}}}"#)),
        ("type that is a number", in_main(r#"{"let": {"name": "x", "type": 64, "value": {"literal": 1}}}"#)),
        ("type string with a stray character", in_main(r#"{"let": {"name": "x", "type": "i64;", "value": {"literal": 1}}}"#)),
        ("unknown kind of type declaration", r#"{"program": {"types": {"P": {"class": {"fields": {}}}}, "functions": {}}}"#.to_string()),
        ("type declaration with two kinds", r#"{"program": {"types": {"P": {"record": {"fields": {}}, "enum": {"variants": []}}}, "functions": {}}}"#.to_string()),
        ("record declaration without fields", r#"{"program": {"types": {"P": {"record": {}}}, "functions": {}}}"#.to_string()),
        ("enum variants that are a string", r#"{"program": {"types": {"E": {"enum": {"variants": "A"}}}, "functions": {}}}"#.to_string()),
        ("union variant with type arguments", r#"{"program": {"types": {"U": {"discriminated_union": {"variants": ["Box<i64>"]}}}, "functions": {}}}"#.to_string()),
        ("generic_def without params", r#"{"program": {"types": {"P": {"generic_def": {"definition": {"record": {"fields": {}}}}}}, "functions": {}}}"#.to_string()),
        ("parameter without a type", r#"{"program": {"functions": {"f": {"args": [{"name": "x"}], "body": []}}}}"#.to_string()),
        ("type parameter object without a name", r#"{"program": {"functions": {"f": {"type_params": [{"bounds": []}], "body": []}}}}"#.to_string()),
        ("async that is not a boolean", r#"{"program": {"functions": {"f": {"async": 1, "body": []}}}}"#.to_string()),
        ("function name that is not an identifier", r#"{"program": {"functions": {"my-fn": {"body": []}}}}"#.to_string()),
        ("trait without methods", r#"{"program": {"interfaces": {"T": {}}, "functions": {}}}"#.to_string()),
        ("trait impl without trait_name", r#"{"program": {"trait_impls": [{"target_type": "i64", "methods": {}}], "functions": {}}}"#.to_string()),
        ("trait_impls that is an object", r#"{"program": {"trait_impls": {}, "functions": {}}}"#.to_string()),
        ("extern without a library", r#"{"program": {"externs": {"cbrt": {"args": []}}, "functions": {}}}"#.to_string()),
        ("constant without a value", r#"{"program": {"constants": {"N": {"type": "i64"}}, "functions": {}}}"#.to_string()),
    ]
}

#[test]
fn malformed_programs_are_rejected_by_the_parser_and_the_schema() {
    let mut failures = Vec::new();
    for (what, text) in malformed() {
        let codes = parser_shape_codes("case.sirs.json", text.as_bytes());
        if codes.is_empty() {
            failures.push(format!("{what}: the parser accepts it (the test case is wrong)"));
        }
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        if validator().is_valid(&doc) {
            failures.push(format!("{what}: the schema accepts it, the parser reports {codes:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn schema_and_parser_agree_on_every_case_file() {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(root().join("tests").join("cases")).expect("tests/cases exists").flatten() {
        if dir.path().is_dir() {
            files.extend(sirs_files(&dir.path()));
        }
    }
    files.extend(sirs_files(&root().join("examples")));
    files.extend(sirs_files(&root().join("examples").join("posteriordb")));
    let mut disagreements = Vec::new();
    let (mut compared, mut rejected) = (0, 0);
    for path in &files {
        let bytes = std::fs::read(path).expect("readable");
        // Files that are not JSON at all (comments, bad UTF-8, truncation) are outside the schema.
        let Ok(doc) = serde_json::from_slice::<Value>(&bytes) else { continue };
        let name = file_name(path);
        let codes = parser_shape_codes(&name, &bytes);
        let schema_ok = validator().is_valid(&doc);
        compared += 1;
        if !codes.is_empty() {
            rejected += 1;
        }
        let exempt = SCHEMA_CANNOT_SEE.iter().any(|(n, _)| *n == name);
        match (codes.is_empty(), schema_ok, exempt) {
            (true, false, _) => disagreements.push(format!("{}: the parser accepts it, the schema rejects it:\n  {}", path.display(), schema_errors(&doc).join("\n  "))),
            (false, true, false) => disagreements.push(format!("{}: the parser reports {codes:?}, the schema accepts it", path.display())),
            (_, false, true) => disagreements.push(format!("{name} is listed in SCHEMA_CANNOT_SEE but the schema rejects it: remove it from the list")),
            (true, true, true) => disagreements.push(format!("{name} is listed in SCHEMA_CANNOT_SEE but the parser accepts it: remove it from the list")),
            _ => {}
        }
    }
    for (name, _) in SCHEMA_CANNOT_SEE {
        if !files.iter().any(|p| file_name(p) == *name) {
            disagreements.push(format!("SCHEMA_CANNOT_SEE lists {name}, which no longer exists"));
        }
    }
    assert!(compared >= 100 && rejected >= 20, "too few files compared ({compared}, {rejected} rejected by the parser)");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
