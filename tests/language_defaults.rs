//! Defaults of the language a user trips on, end to end (built and run):
//!
//! * an unannotated integer `let` takes its width from all its uses: printing it or matching on
//!   it no longer fixes it to `i64` before a later use that needs `i32`;
//! * a program's own type may take a prelude type's name (`Option`, `Result`, `Error`, `Json`)
//!   and shadows it, while built-ins still return the prelude types and patterns still match
//!   them.

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
