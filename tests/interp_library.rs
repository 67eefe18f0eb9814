//! The interpreter's library built-ins against the compiled program's, through the binary:
//! `sev run --interp` and `sev run` (a Zig build) run the same program in two fresh working
//! folders and must print the same lines — results and `Err` texts alike.

mod support;

/// `report(what, r)`: prints `what: ok` or `what: <the error>` for a `Result<T, str>`.
fn reporter(name: &str, ty: &str) -> String {
    format!(
        r#""{name}": {{"args": [{{"name": "what", "type": "str"}}, {{"name": "r", "type": "Result<{ty}, str>"}}], "return": "void", "body": [{{"match": {{"value": {{"var": "r"}}, "cases": [
        {{"pattern": {{"enum": {{"type": "Result", "variant": "Ok", "value": {{"var": "v"}}}}}}, "body": [{{"expression": {{"call": {{"function": "print", "args": [{{"op": {{"kind": "add", "args": [{{"var": "what"}}, {{"op": {{"kind": "add", "args": [{{"literal": ": ok "}}, {}]}}}}]}}}}]}}}}}}]}},
        {{"pattern": {{"enum": {{"type": "Result", "variant": "Err", "value": {{"var": "e"}}}}}}, "body": [{{"expression": {{"call": {{"function": "print", "args": [{{"op": {{"kind": "add", "args": [{{"var": "what"}}, {{"op": {{"kind": "add", "args": [{{"literal": ": "}}, {{"var": "e"}}]}}}}]}}}}]}}}}}}]}}]}}}}]}}"#,
        if ty == "str" { r#"{"var": "v"}"#.to_string() } else if ty == "[str]" { r#"{"call": {"function": "str_join", "args": [{"var": "v"}, {"literal": ","}]}}"#.to_string() } else { r#"{"call": {"function": "to_string", "args": [{"var": "v"}]}}"#.to_string() }
    )
}

/// A call of a `Result`-returning built-in, reported under its own text.
fn step(reporter: &str, function: &str, args: &[&str]) -> String {
    let shown = format!("{function}({})", args.join(", ")).replace('"', "'");
    let args: Vec<String> = args.iter().map(|a| format!(r#"{{"literal": {a}}}"#)).collect();
    format!(r#"{{"expression": {{"call": {{"function": "{reporter}", "args": [{{"literal": "{shown}"}}, {{"call": {{"function": "{function}", "args": [{}]}}}}]}}}}}}"#, args.join(", "))
}

fn print_bool(function: &str, path: &str) -> String {
    format!(r#"{{"expression": {{"call": {{"function": "print", "args": [{{"call": {{"function": "{function}", "args": [{{"literal": {path}}}]}}}}]}}}}}}"#)
}

fn files_program() -> String {
    let steps = [
        step("rb_str", "file_read", &[r#""missing.txt""#]),
        step("rb", "file_write", &[r#""d/x.txt""#, r#""hello""#]),
        step("rb", "dir_create", &[r#""d""#]),
        step("rb", "dir_create", &[r#""d""#]),
        step("rb", "dir_create", &[r#""d/e/f""#]),
        step("rb", "file_write", &[r#""d/x.txt""#, r#""hello""#]),
        step("rb", "file_append", &[r#""d/x.txt""#, r#"" world""#]),
        step("rb", "file_append", &[r#""d/new.txt""#, r#""fresh""#]),
        step("rb_str", "file_read", &[r#""d/x.txt""#]),
        step("rb_str", "file_read", &[r#""d/new.txt""#]),
        step("rb_i64", "file_size", &[r#""d/x.txt""#]),
        step("rb_i64", "file_size", &[r#""nope""#]),
        step("rb_str", "file_read", &[r#""d""#]),
        step("rb", "file_write", &[r#""d""#, r#""x""#]),
        step("rb", "dir_remove", &[r#""d""#]),
        step("rb", "dir_remove", &[r#""d/x.txt""#]),
        step("rb", "dir_remove", &[r#""nope""#]),
        step("rb", "file_delete", &[r#""d/e""#]),
        step("rb", "file_delete", &[r#""nope""#]),
        step("rb_strs", "dir_list", &[r#""d""#]),
        step("rb_strs", "dir_list", &[r#""d/x.txt""#]),
        step("rb_strs", "dir_list", &[r#""nope""#]),
        step("rb_str", "file_read", &[r#""d/x.txt/y""#]),
        step("rb", "dir_create", &[r#""d/x.txt/sub""#]),
        print_bool("file_exists", r#""d/x.txt""#),
        print_bool("file_exists", r#""d""#),
        print_bool("file_exists", r#""nope""#),
        print_bool("dir_exists", r#""d""#),
        print_bool("dir_exists", r#""d/x.txt""#),
        step("rb", "file_delete", &[r#""d/x.txt""#]),
        step("rb", "file_delete", &[r#""d/x.txt""#]),
        step("rb", "file_delete", &[r#""d/new.txt""#]),
        step("rb", "dir_remove", &[r#""d/e/f""#]),
        step("rb", "dir_remove", &[r#""d/e""#]),
        step("rb", "dir_remove", &[r#""d""#]),
        print_bool("dir_exists", r#""d""#),
    ];
    format!(
        r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [{}]}}, {}, {}, {}, {}}}}}}}"#,
        steps.join(",\n"),
        reporter("rb", "bool"),
        reporter("rb_str", "str"),
        reporter("rb_i64", "i64"),
        reporter("rb_strs", "[str]")
    )
}

/// Runs `program` with `sev run` and `sev run --interp`, each in a fresh folder; both outputs.
fn both_ways(program: &str) -> (support::Output, support::Output) {
    let run = |interp: bool| {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(dir.path().join("p.sirs.json"), program).expect("written");
        let mut args = vec!["run".to_string()];
        if interp {
            args.push("--interp".into());
        }
        args.push("p.sirs.json".into());
        support::sev(&args, "1", Some(dir.path()))
    };
    (run(true), run(false))
}

#[test]
fn file_builtins_give_the_compiled_results_and_errors() {
    let (interpreted, compiled) = both_ways(&files_program());
    assert_eq!(compiled.code, 0, "{}", compiled.stderr);
    assert_eq!(interpreted.code, 0, "{}", interpreted.stderr);
    assert_eq!(interpreted.stdout, compiled.stdout);
    for line in [
        "file_read('missing.txt'): file_read: cannot open 'missing.txt': no such file or directory",
        "file_read('d/x.txt'): ok hello world",
        "dir_remove('d'): dir_remove: cannot remove 'd': directory not empty",
        "dir_list('d'): ok e,new.txt,x.txt",
    ] {
        assert!(interpreted.stdout.lines().any(|l| l == line), "no line {line:?} in\n{}", interpreted.stdout);
    }
}
