//! Defaults of the language a user trips on, end to end (built and run):
//!
//! * an unannotated integer `let` takes its width from all its uses: printing it or matching on
//!   it no longer fixes it to `i64` before a later use that needs `i32`;
//! * a program's own type may take a prelude type's name (`Option`, `Result`, `Error`, `Json`)
//!   and shadows it, while built-ins still return the prelude types and patterns still match
//!   them;
//! * an implementation may be generic (`Stack<T>`, or `[T]` with `type_args`): called directly,
//!   through a bounded generic function and as a trait object, once per type it is used with.

mod support;

fn run(name: &str, source: &str) -> String {
    let out = support::build_and_run(name, source, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(out.code, 0, "{name}: {}", out.stderr);
    out.stdout
}

const PRINT_THEN_I32: &str = r#"{"program": {"functions": {
  "half": {"args": [{"name": "n", "type": "i32"}], "return": "i32", "body": [{"return": {"op": {"kind": "div", "args": [{"var": "n"}, {"literal": 2}]}}}]},
  "main": {"args": [], "return": "void", "body": [
    {"let": {"name": "x", "value": {"literal": 42}}},
    {"expression": {"call": {"function": "print", "args": [{"var": "x"}]}}},
    {"match": {"value": {"var": "x"}, "cases": [
      {"pattern": {"literal": 42}, "body": [{"expression": {"call": {"function": "print", "args": [{"literal": "forty-two"}]}}}]},
      {"pattern": "_", "body": []}]}},
    {"expression": {"call": {"function": "print", "args": [{"call": {"function": "half", "args": [{"var": "x"}]}}]}}},
    {"let": {"name": "y", "value": {"literal": 7}}},
    {"expression": {"call": {"function": "std_print_int", "args": [{"var": "y"}]}}},
    {"let": {"name": "small", "type": "u8", "value": {"var": "y"}}},
    {"expression": {"call": {"function": "print", "args": [{"var": "small"}]}}}
  ]}
}}}"#;

#[test]
fn an_unannotated_integer_takes_its_width_from_all_its_uses() {
    assert_eq!(run("widths.sirs.json", PRINT_THEN_I32), "42\nforty-two\n21\n7\n7\n");
}

#[test]
fn a_pattern_literal_out_of_the_width_a_later_use_chooses_is_still_an_error() {
    let source = r#"{"program": {"functions": {"main": {"args": [], "return": "void", "body": [
      {"let": {"name": "x", "value": {"literal": 1}}},
      {"match": {"value": {"var": "x"}, "cases": [{"pattern": {"literal": 300}, "body": []}, {"pattern": "_", "body": []}]}},
      {"let": {"name": "b", "type": "u8", "value": {"var": "x"}}},
      {"expression": {"call": {"function": "print", "args": [{"var": "b"}]}}}
    ]}}}}"#;
    let c = support::compile("range.sirs.json", source);
    let text = support::rendered(&c);
    assert!(text.contains("error[E0312]: Literal out of range for `u8`") && text.contains("`300` does not fit in `u8`"), "{text}");
}

const SHADOWED_PRELUDE: &str = r#"{"program": {"types": {
  "Option": {"enum": {"variants": {"Yes": null, "No": null}}},
  "Result": {"enum": {"type_params": ["T"], "variants": {"Good": "T", "Bad": null}}},
  "Error": {"record": {"fields": {"code": "i64"}}},
  "Json": {"alias": "str"}
}, "functions": {"main": {"args": [], "return": "void", "body": [
  {"let": {"name": "o", "value": {"enum": {"type": "Option", "variant": "Yes"}}}},
  {"match": {"value": {"var": "o"}, "cases": [
     {"pattern": {"enum": {"type": "Option", "variant": "Yes"}}, "body": [{"expression": {"call": {"function": "print", "args": [{"literal": "yes"}]}}}]},
     {"pattern": {"enum": {"type": "Option", "variant": "No"}}, "body": []}]}},
  {"let": {"name": "r", "value": {"enum": {"type": "Result", "variant": "Good", "value": {"literal": 4}, "type_args": ["i64"]}}}},
  {"match": {"value": {"var": "r"}, "cases": [
     {"pattern": {"enum": {"type": "Result", "variant": "Good", "value": {"var": "v"}}}, "body": [{"expression": {"call": {"function": "print", "args": [{"var": "v"}]}}}]},
     {"pattern": {"enum": {"type": "Result", "variant": "Bad"}}, "body": []}]}},
  {"match": {"value": {"call": {"function": "str_parse_int", "args": [{"literal": "12"}]}}, "cases": [
     {"pattern": {"enum": {"type": "Result", "variant": "Ok", "value": {"var": "n"}}}, "body": [{"expression": {"call": {"function": "print", "args": [{"var": "n"}]}}}]},
     {"pattern": {"enum": {"type": "Result", "variant": "Err", "value": {"var": "m"}}}, "body": [{"expression": {"call": {"function": "print", "args": [{"var": "m"}]}}}]}]}},
  {"let": {"name": "e", "value": {"record": {"type": "Error", "fields": {"code": {"literal": 7}}}}}},
  {"expression": {"call": {"function": "print", "args": [{"field": {"object": {"var": "e"}, "field": "code"}}]}}},
  {"let": {"name": "j", "type": "Json", "value": {"literal": "text"}}},
  {"expression": {"call": {"function": "print", "args": [{"var": "j"}]}}}
]}}}}"#;

#[test]
fn a_program_type_named_like_a_prelude_type_shadows_it() {
    assert_eq!(run("shadow.sirs.json", SHADOWED_PRELUDE), "yes\n4\n12\n7\ntext\n");
}

const GENERIC_IMPLEMENTATIONS: &str = r#"{"program": {"types": {"Stack": {"record": {"type_params": ["T"], "fields": {"items": "[T]"}}}}, "interfaces": {"Container": {"methods": {"size": {"args": [], "return": "i64"}, "describe": {"args": ["str"], "return": "str"}}}}, "trait_impls": [{"trait_name": "Container", "target_type": "Stack<T>", "methods": {"size": {"args": [{"name": "self", "type": "Stack<T>"}], "return": "i64", "body": [{"return": {"call": {"function": "len", "args": [{"field": {"object": {"var": "self"}, "field": "items"}}]}}}]}, "describe": {"args": [{"name": "self", "type": "Stack<T>"}, {"name": "label", "type": "str"}], "return": "str", "body": [{"let": {"name": "copy", "type": "[T]", "value": {"field": {"object": {"var": "self"}, "field": "items"}}}}, {"return": {"call": {"function": "str_concat", "args": [{"var": "label"}, {"call": {"function": "to_string", "args": [{"call": {"function": "len", "args": [{"var": "copy"}]}}]}}]}}}]}}}, {"trait_name": "Container", "target_type": "[T]", "type_args": ["T"], "methods": {"size": {"args": [{"name": "self", "type": "[T]"}], "return": "i64", "body": [{"return": {"call": {"function": "len", "args": [{"var": "self"}]}}}]}, "describe": {"args": [{"name": "self", "type": "[T]"}, {"name": "label", "type": "str"}], "return": "str", "body": [{"return": {"var": "label"}}]}}}], "functions": {"total": {"type_params": [{"name": "C", "bounds": ["Container"]}], "args": [{"name": "c", "type": "C"}], "return": "i64", "body": [{"return": {"method": {"object": {"var": "c"}, "name": "size"}}}]}, "main": {"args": [], "return": "void", "body": [{"let": {"name": "s", "value": {"record": {"type": "Stack", "type_args": ["i64"], "fields": {"items": {"array": [{"literal": 1}, {"literal": 2}]}}}}}}, {"let": {"name": "w", "value": {"record": {"type": "Stack", "type_args": ["str"], "fields": {"items": {"array": [{"literal": "a"}, {"literal": "b"}, {"literal": "c"}]}}}}}}, {"expression": {"call": {"function": "print", "args": [{"method": {"object": {"var": "s"}, "name": "size"}}]}}}, {"expression": {"call": {"function": "print", "args": [{"method": {"object": {"var": "w"}, "name": "describe", "args": [{"literal": "words: "}]}}]}}}, {"expression": {"call": {"function": "print", "args": [{"call": {"function": "total", "args": [{"var": "w"}]}}]}}}, {"let": {"name": "all", "type": "[dyn Container]", "value": {"array": [{"var": "s"}, {"var": "w"}, {"array": [{"literal": 1.5}]}]}}}, {"for": {"variable": "c", "iterable": {"var": "all"}, "body": [{"expression": {"call": {"function": "print", "args": [{"method": {"object": {"var": "c"}, "name": "size"}}]}}}]}}, {"expression": {"call": {"function": "print", "args": [{"call": {"function": "count_of", "args": [{"var": "w"}]}}]}}}, {"let": {"name": "d", "value": {"call": {"function": "as_dyn", "args": [{"var": "s"}]}}}}, {"expression": {"call": {"function": "print", "args": [{"method": {"object": {"var": "d"}, "name": "describe", "args": [{"literal": "dyn: "}]}}]}}}]}, "count_of": {"type_params": ["U"], "args": [{"name": "s", "type": "Stack<U>"}], "return": "i64", "body": [{"return": {"method": {"object": {"var": "s"}, "name": "size"}}}]}, "as_dyn": {"type_params": ["U"], "args": [{"name": "s", "type": "Stack<U>"}], "return": "dyn Container", "body": [{"return": {"var": "s"}}]}}}}"#;

#[test]
fn generic_implementations_work_directly_through_bounds_and_as_trait_objects() {
    // s.size(), w.describe("words: "), total(w), then size() of each `dyn Container` (a
    // Stack<i64>, a Stack<str> and an [f64], the `[T]` implementation), then from generic
    // functions over Stack<U>: count_of(w) and as_dyn(s).describe("dyn: ").
    assert_eq!(run("generic_impls.sirs.json", GENERIC_IMPLEMENTATIONS), "2\nwords: 3\n3\n2\n3\n1\n3\ndyn: 2\n");
}

#[test]
fn a_misspelt_type_in_an_implementation_target_is_still_unknown() {
    let source = GENERIC_IMPLEMENTATIONS.replace(r#""target_type": "Stack<T>""#, r#""target_type": "Stack<Strng>""#);
    let c = support::compile("misspelt.sirs.json", &source);
    let text = support::rendered(&c);
    assert!(text.contains("error[E0203]") && text.contains("Strng"), "{text}");
}
