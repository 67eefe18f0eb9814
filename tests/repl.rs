//! `sev repl` through the binary: scripted sessions on stdin (no terminal: no prompts, one
//! result per input, exit status 1 when an input failed), the example session of `docs/cli.md`
//! (run as written), and one real terminal session under tmux (line editing and history).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `sev repl` (extra `args` first) in the repository with `script` on stdin.
fn repl(args: &[&str], script: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sev")).arg("repl").args(args).current_dir(root()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("sev runs");
    child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("script written");
    child.wait_with_output().expect("sev finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a script that must succeed and returns its stdout.
fn ok(script: &str) -> String {
    let out = repl(&[], script);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "no diagnostics expected");
    text(&out.stdout)
}

#[test]
fn an_expression_shows_its_value_and_type() {
    assert_eq!(ok("42\n"), "42 : i64\n");
    assert_eq!(ok("1.5 * 2.0\n\"a\" + \"b\"\n3 > 2\n"), "3.0 : f64\n\"ab\" : str\ntrue : bool\n");
}

#[test]
fn bindings_are_kept_between_inputs_and_earlier_inputs_never_run_again() {
    let script = "let x = 6 * 7\nprint(\"once\")\nlet y: i32 = 5\nx + 1\nlet mut n = 0\nn = n + x\nn = n + 1\nn\n";
    assert_eq!(ok(script), "x = 42 : i64\nonce\ny = 5 : i32\n43 : i64\nn = 0 : i64\nn = 42 : i64\nn = 43 : i64\n43 : i64\n");
}

#[test]
fn a_let_shadows_an_earlier_binding_with_its_new_type() {
    assert_eq!(ok("let x = 1\nlet x = \"one\"\nx\n:bindings\n"), "x = 1 : i64\nx = \"one\" : str\n\"one\" : str\nx : str\n");
}

#[test]
fn functions_defined_at_the_prompt_can_be_called_and_redefined() {
    let script = concat!(
        "fn sq(n: i64) -> i64 = n * n\n",
        "sq(12)\n",
        "{\"functions\": {\"cube\": {\"args\": [{\"name\": \"n\", \"type\": \"i64\"}], \"return\": \"i64\",\n",
        "  \"body\": [{\"return\": {\"op\": {\"kind\": \"mul\", \"args\": [{\"var\": \"n\"}, {\"call\": {\"function\": \"sq\", \"args\": [{\"var\": \"n\"}]}}]}}}]}}}\n",
        "cube(3)\n",
        "fn sq(n: i64) -> i64 = n + n\n",
        "cube(3)\n",
    );
    assert_eq!(ok(script), "defined function sq\n144 : i64\ndefined function cube\n27 : i64\ndefined function sq\n18 : i64\n");
}

#[test]
fn type_shows_the_type_without_running_the_expression() {
    assert_eq!(ok(":type 1 + 2\nlet xs = [1.5]\n:type xs\n:type print(\"not printed\")\n:type (xs, \"a\")\n"), "i64\nxs = [1.5] : [f64]\n[f64]\nvoid\n([f64], str)\n");
}

#[test]
fn load_adds_an_example_s_definitions_and_its_functions_can_be_called() {
    let out = ok(":load examples/factorial.sirs.json\nfactorial(10)\nfactorial_loop(15)\n");
    assert_eq!(out, "loaded examples/factorial.sirs.json: function main, factorial, factorial_loop\n3628800 : i64\n1307674368000 : i64\n");
    // Files named on the command line are loaded first.
    let out = repl(
        &["examples/structs.sirs.json"],
        "midpoint({\"record\": {\"type\": \"Point\", \"fields\": {\"x\": {\"literal\": 0.0}, \"y\": {\"literal\": 0.0}}}}, {\"record\": {\"type\": \"Point\", \"fields\": {\"x\": {\"literal\": 2.0}, \"y\": {\"literal\": 4.0}}}})\n",
    );
    assert_eq!(text(&out.stdout), "loaded examples/structs.sirs.json: function length, midpoint, main; type Point, Segment\nPoint {x: 1.0, y: 2.0} : Point\n", "{}", text(&out.stderr));
}

#[test]
fn multi_line_json_is_read_until_it_is_complete() {
    let script = "{\"let\": {\"name\": \"total\",\n   \"value\": {\"op\": {\"kind\": \"add\",\n      \"args\": [{\"literal\": 40}, {\"literal\": 2}]}}}}\ntotal\n";
    assert_eq!(ok(script), "total = 42 : i64\n42 : i64\n");
}

#[test]
fn records_enums_maps_and_sets_are_shown_with_their_names() {
    let script = concat!(
        "{\"types\": {\"Shape\": {\"enum\": {\"variants\": {\"Circle\": \"f64\", \"Empty\": null}}}, \"P\": {\"record\": {\"fields\": {\"x\": \"f64\", \"y\": \"i64\"}}}}}\n",
        "let c = {\"enum\": {\"type\": \"Shape\", \"variant\": \"Circle\", \"value\": {\"literal\": 2.0}}}\n",
        "{\"record\": {\"type\": \"P\", \"fields\": {\"x\": {\"literal\": 1.5}, \"y\": {\"literal\": 2}}}}\n",
        "{\"map\": [[{\"literal\": \"a\"}, {\"literal\": 1}]]}\n",
        "{\"set\": [{\"literal\": 3}]}\n",
        "str_parse_int(\"12\")\n",
    );
    assert_eq!(ok(script), "defined type Shape, P\nc = Circle(2.0) : Shape\nP {x: 1.5, y: 2} : P\nmap{\"a\": 1} : map<str, i64>\nset{3} : set<i64>\nOk(12) : Result<i64, str>\n");
}

#[test]
fn an_error_is_located_in_the_input_and_the_session_goes_on_unchanged() {
    let out = repl(&[], "let x = 1\nlet x = x + true\nx\n{\"let\": {\"name\": \"y\", \"value\": {\"op\": {\"kind\": \"mul\", \"args\": [{\"var\": \"x\"}, {\"literal\": \"s\"}]}}}}\nx + 1\n");
    assert_eq!(out.status.code(), Some(1), "a failed input makes a scripted session exit 1");
    assert_eq!(text(&out.stdout), "x = 1 : i64\n1 : i64\n2 : i64\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E0303]: `add` cannot be applied to `i64` and `bool`\n  ┌─ <input 2>:1:9\n"), "{stderr}");
    assert!(stderr.contains("1 │ let x = x + true\n  │         ^^^^^^^^"), "{stderr}");
    // In JSON the label points at the operand inside the input.
    assert!(stderr.contains("<input 4>:1:"), "{stderr}");
    assert_eq!(stderr.matches("error[").count(), 2, "{stderr}");
}

#[test]
fn a_short_syntax_mistake_is_e0601_at_its_place() {
    let out = repl(&[], "let t = (1, 2\n1 +\n7\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "7 : i64\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E0601]: This input is not valid short syntax\n  ┌─ <input 1>:1:14\n"), "{stderr}");
    assert!(stderr.contains("expected `,` or `)`, found the end of the input"), "{stderr}");
    assert!(stderr.contains("<input 2>:1:4"), "{stderr}");
}

#[test]
fn a_runtime_fault_is_located_and_leaves_the_bindings_unchanged() {
    let out = repl(&[], "let mut n = 1\n{\"assign\": {\"target\": \"n\", \"value\": {\"op\": {\"kind\": \"div\", \"args\": [{\"var\": \"n\"}, {\"literal\": 0}]}}}}\nn\nlet xs = [1, 2]\nxs[5]\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "n = 1 : i64\n1 : i64\nxs = [1, 2] : [i64]\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E0604]: division by zero: 1 / 0\n  ┌─ <input 2>:1:37\n"), "{stderr}");
    assert!(stderr.contains("error[E0604]: index out of bounds: index 5, length 2\n  ┌─ <input 5>:1:1\n"), "{stderr}");
    assert!(stderr.contains("the input's bindings are unchanged"), "{stderr}");
}

#[test]
fn a_fault_in_a_loaded_function_points_into_its_file() {
    let out = repl(&[], ":load examples/overflow_fault.sirs.json\ngrow(5)\nlet big: i32 = 5000000\ngrow(big)\n");
    assert_eq!(text(&out.stdout), "loaded examples/overflow_fault.sirs.json: function grow, main\n5000 : i32\nbig = 5000000 : i32\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E0604]: integer overflow: 5000000 * 1000 does not fit in i32\n  ┌─ examples/overflow_fault.sirs.json:8:29\n"), "{stderr}");
    assert!(stderr.contains("in function `grow`"), "{stderr}");
}

#[test]
fn trait_methods_run_and_a_trait_object_is_not_kept() {
    let circle = r#"{"record": {"type": "Circle", "fields": {"radius": {"literal": 1.0}}}}"#;
    let script = format!(":load examples/traits.sirs.json\nlet c = {circle}\n{{\"method\": {{\"object\": {{\"var\": \"c\"}}, \"name\": \"name\"}}}}\nlet s: dyn Shape = {circle}\nc\n");
    let out = repl(&[], &script);
    assert_eq!(
        text(&out.stdout),
        "loaded examples/traits.sirs.json: function describe, main; type Circle, Rect, Square, Negative; interface Shape; 3 trait implementations\nc = Circle {radius: 1.0} : Circle\n\"circle\" : str\nCircle {radius: 1.0} : Circle\n"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E0603]: The REPL cannot keep `s` of type dyn Shape between inputs\n  ┌─ <input 3>:1:1\n"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
    // An anonymous record has no type the REPL can write down.
    let out = repl(&[], "{\"struct\": {\"x\": {\"literal\": 1}}}\n");
    assert!(text(&out.stderr).contains("error[E0603]: The REPL cannot pass a value of type {x}<i64> out of an input"), "{}", text(&out.stderr));
}

#[test]
fn definitions_of_the_wrong_shape_are_reported_not_guessed_at() {
    let out = repl(&[], "{\"functions\": 5}\n{\"program\": {\"trait_impls\": {}}}\n:load Cargo.toml\n:load docs/sirs.schema.json\n1\n");
    assert_eq!(text(&out.stdout), "1 : i64\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E0103]: Wrong kind of value for `functions`\n  ┌─ <input 1>:1:15\n"), "{stderr}");
    assert!(stderr.contains("error[E0103]: Wrong kind of value for `trait_impls`"), "{stderr}");
    assert!(stderr.contains("error[E0001]") && stderr.contains("┌─ Cargo.toml:1:2"), "{stderr}");
    assert!(stderr.contains("error[E0606]: This file is not a SIRS program\n  ┌─ docs/sirs.schema.json:1:1"), "{stderr}");
}

#[test]
fn a_type_cannot_change_under_a_binding_until_it_is_dropped() {
    let point = r#"{"types": {"P": {"record": {"fields": {"x": "f64"}}}}}"#;
    let changed = r#"{"types": {"P": {"record": {"fields": {"x": "f64", "y": "f64"}}}}}"#;
    let value = r#"{"record": {"type": "P", "fields": {"x": {"literal": 1.0}}}}"#;
    let script = format!("{point}\nlet p = {value}\nlet ps = [p]\n{point}\n{changed}\n:drop p ps\n{changed}\n:drop p\n:bindings\n");
    let out = repl(&[], &script);
    assert_eq!(text(&out.stdout), "defined type P\np = P {x: 1.0} : P\nps = [P {x: 1.0}] : [P]\ndefined type P\ndropped p, ps\ndefined type P\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E0607]: Type `P` cannot change while bindings hold values of it\n  ┌─ <input 5>:1:12\n"), "{stderr}");
    assert!(stderr.contains("used by p, ps") && stderr.contains("hint: `:drop p ps` first"), "{stderr}");
    assert!(stderr.contains("error[E0602]: No binding named `p`"), "{stderr}");
}

#[test]
fn an_uncaught_exception_is_reported() {
    let out = repl(&[], "{\"throw\": {\"literal\": \"boom\"}}\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("error[E0604]: uncaught exception Error: boom\n  ┌─ <input 1>:1:1\n"), "{}", text(&out.stderr));
}

#[test]
fn commands_help_quit_and_mistakes() {
    let out = ok(":help\n:quit\n42\n");
    assert!(out.contains(":type EXPR") && out.contains(":load FILE"), "{out}");
    assert!(!out.contains("42 : i64"), "nothing runs after :quit");
    let out = repl(&[], ":frobnicate\n:load\n:load no/such/file.sirs.json\n{\"functions\": {\"__repl_x\": {\"args\": [], \"body\": []}}}\n");
    let stderr = text(&out.stderr);
    for code in ["E0602]: Unknown or incomplete command `:frobnicate`", "E0602]: `:load` needs an argument", "E0606]: Cannot read `no/such/file.sirs.json`", "E0605]"] {
        assert!(stderr.contains(code), "{code} in {stderr}");
    }
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn input_that_ends_inside_json_is_an_error_not_a_hang() {
    let out = repl(&[], "{\"literal\": 1,\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[E0001]"), "{}", text(&out.stderr));
}

/// A string cannot hold a line break, so a line that ends inside one is a finished (wrong)
/// input: the session reports it and runs the next lines (it used to read on to the next quote,
/// swallowing the following inputs into one error).
#[test]
fn a_line_that_ends_inside_a_string_is_an_error_and_the_next_inputs_run() {
    let out = repl(&[], "\"abc\n1 + 1\n{\"literal\": \"x\n2 + 2\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "2 : i64\n4 : i64\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("<input 1>:1:1"), "{stderr}");
    assert!(stderr.contains("this string has no closing quote"), "{stderr}");
    assert!(stderr.contains("<input 3>:1:"), "{stderr}");
}

/// In a scripted session stdin is the script: `stdin_read_line()` at the prompt used to wait for
/// ever on the lock the session holds; it now reads an empty input and the next inputs run.
#[test]
fn reading_stdin_in_a_scripted_session_gives_none_instead_of_hanging() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sev")).arg("repl").current_dir(root()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("sev runs");
    child.stdin.take().expect("stdin").write_all(b"stdin_read_line()\n1 + 1\n").expect("script written");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().expect("waitable").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("sev repl hung on stdin_read_line()");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("sev finishes");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "None : Option<str>\n2 : i64\n");
}

#[test]
fn the_session_of_docs_cli_md_runs_as_written() {
    let doc = std::fs::read_to_string(root().join("docs/cli.md")).expect("docs/cli.md");
    let start = doc.find("<!-- repl-session -->").expect("docs/cli.md has a session marked <!-- repl-session -->");
    let block = doc[start..].split("```").nth(1).expect("a fenced block follows the marker");
    let block = block.split_once('\n').map_or("", |(_, rest)| rest);
    let (mut script, mut expected) = (String::new(), String::new());
    for line in block.lines() {
        match line.strip_prefix("sev> ").or_else(|| line.strip_prefix("...> ")) {
            Some(input) => script.push_str(&format!("{input}\n")),
            None => expected.push_str(&format!("{line}\n")),
        }
    }
    // stdout and stderr in one stream, as at a terminal.
    let mut child = Command::new("sh").args(["-c", &format!("'{}' repl 2>&1", env!("CARGO_BIN_EXE_sev"))]).current_dir(root()).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("sh runs");
    child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("script written");
    let out = child.wait_with_output().expect("sev finishes");
    assert_eq!(text(&out.stdout), expected);
}

#[test]
fn every_example_loads_into_one_session() {
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sirs.json"))
        .collect();
    names.sort();
    assert!(names.len() >= 40, "{names:?}");
    let script: String = names.iter().map(|n| format!(":load examples/{n}\n")).collect();
    let out = repl(&[], &script);
    assert_eq!(text(&out.stderr), "");
    assert_eq!(text(&out.stdout).lines().filter(|l| l.starts_with("loaded examples/")).count(), names.len());
}

/// A small deterministic generator (a 64-bit LCG), so the mutated sessions are the same on
/// every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn mutated_inputs_give_diagnostics_never_a_crash_or_an_internal_error() {
    let seeds = [
        "let x = 6 * 7",
        "let mut n: i32 = 1",
        "n = n * 2",
        "fn sq(k: i64) -> i64 = k * k",
        "sq(x) - 1",
        "[1, 2, 3][1]",
        "(x, \"s\").1",
        "x / 0",
        r#"{"let": {"name": "xs", "value": {"array": [{"literal": 1.5}, {"literal": 2.5}]}}}"#,
        r#"{"if": {"condition": {"op": {"kind": "gt", "args": [{"var": "x"}, {"literal": 3}]}}, "then": [{"expression": {"call": {"function": "print", "args": [{"literal": "big"}]}}}]}}"#,
        r#"{"types": {"P": {"record": {"fields": {"a": "i64"}}}}}"#,
        r#"{"record": {"type": "P", "fields": {"a": {"var": "x"}}}}"#,
        r#"{"try": {"body": [{"throw": {"literal": "e"}}], "catch": {"variable": "err", "body": []}}}"#,
        ":type sq(2)",
    ];
    let mut rng = Lcg(0x5e7_2e91);
    let noise = ["{", "}", "[", "]", "\"", ",", ":", "(", ")", "-", "0", "x", " ", "true", "null", "\\", "é"];
    let mut script = String::new();
    for _ in 0..300 {
        let mut line: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
        for _ in 0..rng.below(3) {
            let at = rng.below(line.len() + 1);
            match rng.below(3) {
                0 if at < line.len() => {
                    line.remove(at);
                }
                _ => line.splice(at..at, noise[rng.below(noise.len())].chars()).for_each(drop),
            }
        }
        let line: String = line.into_iter().collect();
        // An input left open would (rightly) read every later line as its continuation.
        if sev::repl::is_complete(&line) {
            script.push_str(&line);
            script.push('\n');
        }
    }
    let out = repl(&[], &script);
    let stderr = text(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "status {:?}\n{stderr}", out.status.code());
    assert!(!stderr.contains("E0900") && !stderr.contains("panicked"), "{stderr}");
    // The mutations leave many inputs valid and break many others.
    let (results, errors) = (text(&out.stdout).lines().filter(|l| l.contains(" : ") || l.starts_with("defined")).count(), stderr.matches("\nerror[").count() + 1);
    eprintln!("{results} results, {errors} errors");
    assert!(results >= 50 && errors >= 50, "{results} results, {errors} errors");
    // Every diagnostic is located in an input or says what it is about.
    for block in stderr.split("\n\n").filter(|b| b.starts_with("error")) {
        assert!(block.contains("┌─ <input ") || block.contains("┌─ <load>"), "{block}");
    }
}

/// A tmux session of its own on a private server socket, killed when dropped.
struct Tmux {
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// Starts `command` in a new session whose `XDG_STATE_HOME` (where the REPL keeps its
    /// history) is `state`.
    fn start(command: &str, state: &std::path::Path) -> Tmux {
        let dir = tempfile::tempdir().expect("temporary folder");
        let socket = dir.path().join("tmux.sock");
        let tmux = Tmux { socket, _dir: dir };
        let command = format!("export XDG_STATE_HOME='{}'; {command}", state.display());
        tmux.run(&["new-session", "-d", "-s", "repl", "-x", "100", "-y", "50", &command]);
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-S").arg(&self.socket).args(args).output().expect("tmux is installed (./dev setup installs it)");
        assert!(out.status.success(), "tmux {args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "repl"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "repl"])
    }

    /// Waits until the screen contains `text` (at most ten seconds) and returns the screen.
    fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |screen| screen.contains(text))
    }

    fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        for _ in 0..100 {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the screen never showed {what}:\n{}", self.screen());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-S").arg(&self.socket).args(["kill-server"]).output();
    }
}

#[test]
fn a_terminal_session_under_tmux_edits_lines_and_recalls_history() {
    let sev = env!("CARGO_BIN_EXE_sev");
    let state = tempfile::tempdir().expect("temporary folder");
    let command = format!("cd '{}' && '{sev}' repl; echo \"exited $?\"; sleep 30", root().display());
    let tmux = Tmux::start(&command, state.path());
    tmux.wait_for("sev>");
    tmux.keys(&["let x = 6 * 7", "Enter"]);
    tmux.wait_for("x = 42 : i64");
    // Line editing: type, move left over `+ 1` and insert.
    tmux.keys(&["x + 1", "Left", "Left", "Left", "Left", "BSpace", "0", "Enter"]);
    tmux.wait_for("1 : i64");
    // A JSON input over two lines gets a continuation prompt.
    tmux.keys(&["{\"literal\":", "Enter"]);
    tmux.wait_for("...>");
    tmux.keys(&[" 7}", "Enter"]);
    tmux.wait_for("7 : i64");
    // History: Up recalls the previous input (here the two-line JSON, as one entry).
    tmux.keys(&["Up"]);
    tmux.wait_until("the recalled input", |screen| screen.matches("{\"literal\":").count() == 2);
    tmux.keys(&["Enter"]);
    tmux.wait_until("a second result", |screen| screen.matches("7 : i64").count() == 2);
    // Ctrl-C stops an input that runs forever; the bindings are still there.
    tmux.keys(&[r#"{"while": {"condition": {"literal": true}, "body": []}}"#, "Enter"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    tmux.keys(&["C-c"]);
    tmux.wait_until("the interruption and a new prompt", |screen| screen.contains("error[E0604]: interrupted") && screen.trim_end().ends_with("sev>"));
    tmux.keys(&["x", "Enter"]);
    tmux.wait_until("the binding's value", |screen| screen.matches("42 : i64").count() == 2);
    // An error is shown and the session goes on; Ctrl-D leaves with status 0.
    tmux.keys(&["nope", "Enter"]);
    tmux.wait_for("Unknown variable `nope`");
    tmux.keys(&["C-d"]);
    let screen = tmux.wait_for("exited ");
    assert!(screen.contains("exited 0"), "{screen}");
    drop(tmux);
    // The history is kept in a file: a new session recalls the last input of the old one.
    let history = std::fs::read_to_string(state.path().join("sev").join("repl_history")).expect("the history file");
    assert!(history.lines().any(|l| l == "let x = 6 * 7"), "{history}");
    let tmux = Tmux::start(&command, state.path());
    tmux.wait_for("sev>");
    tmux.keys(&["Up"]);
    tmux.wait_for("sev> nope");
}

/// Forward `sample`s at the prompt draw one stream for the whole session, as a program does:
/// with `SEV_SEED` set, two inputs give the program's first two draws, not the same one twice.
#[test]
fn samples_in_a_row_continue_one_seeded_stream() {
    let draw = r#"{"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}]}}"#;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sev"))
        .arg("repl")
        .env("SEV_SEED", "7")
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sev runs");
    child.stdin.take().expect("stdin").write_all(format!("{draw}\n{draw}\n").as_bytes()).expect("script written");
    let out = child.wait_with_output().expect("sev finishes");
    assert_eq!(text(&out.stderr), "");
    let shown: Vec<String> = text(&out.stdout).lines().map(|l| l.trim_end_matches(" : f64").to_string()).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let program = dir.path().join("two.sirs.json");
    let print = format!(r#"{{"expression": {{"call": {{"function": "print", "args": [{draw}]}}}}}}"#);
    std::fs::write(&program, format!(r#"{{"program": {{"functions": {{"main": {{"args": [], "return": "void", "body": [{print}, {print}]}}}}}}}}"#)).expect("program written");
    let run = Command::new(env!("CARGO_BIN_EXE_sev")).args(["run", "--interp"]).arg(&program).env("SEV_SEED", "7").output().expect("sev runs");
    let printed: Vec<String> = text(&run.stdout).lines().map(str::to_string).collect();
    assert_eq!(printed.len(), 2, "{}", text(&run.stderr));
    assert_ne!(printed[0], printed[1]);
    assert_eq!(shown, printed);
}

/// A model defined at the prompt is fitted by `infer` (the REPL builds its sampler) and its
/// posterior read: the mean is the one the compiled program computes with the same data and
/// options, digit for digit; an unknown column is the runtime's fault, and the session goes on.
#[test]
fn a_model_defined_at_the_prompt_is_fitted_with_infer_as_compiled_code_fits_it() {
    let coin = r#"{"coin": {"args": [{"name": "flips", "type": "[i64]"}], "return": "void", "body": [{"let": {"name": "bias", "value": {"sample": {"distribution": "beta", "params": [{"literal": 2.0}, {"literal": 2.0}]}}}}, {"for": {"variable": "f", "iterable": {"var": "flips"}, "body": [{"observe": {"distribution": "bernoulli", "params": [{"var": "bias"}], "value": {"var": "f"}}}]}}]}}"#;
    let fit = r#"{"let": {"name": "post", "value": {"infer": {"model": "coin", "args": [{"var": "flips"}], "draws": {"literal": 500}, "warmup": {"literal": 200}, "chains": {"literal": 2}, "seed": {"literal": 7}}}}}"#;
    let flips = r#"{"let": {"name": "flips", "value": {"array": [{"literal": 1}, {"literal": 1}, {"literal": 0}, {"literal": 1}, {"literal": 1}, {"literal": 1}, {"literal": 0}, {"literal": 1}, {"literal": 1}, {"literal": 0}, {"literal": 1}, {"literal": 1}]}}}"#;
    let script = format!("{{\"functions\": {coin}}}\n{flips}\n{fit}\nposterior_mean(post, \"bias\")\nposterior_mean(post, \"mu\")\nposterior_names(post)\n");
    let out = repl(&[], &script);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "the unknown column fails: {stdout}{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("the posterior has no column `mu` (it has: lp__, bias)"), "{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[..3], ["defined function coin", "flips = [1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1] : [i64]", "post = <Posterior> : Posterior"], "{stdout}");
    assert_eq!(lines[4], "[\"lp__\", \"bias\"] : [str]", "{stdout}");
    let mean = lines[3].strip_suffix(" : f64").expect("a float");
    // the same fit compiled
    let dir = tempfile::tempdir().expect("temporary folder");
    let program = dir.path().join("coin.sirs.json");
    let main = format!(
        r#"{{"main": {{"args": [], "return": "void", "body": [{flips}, {fit}, {{"expression": {{"call": {{"function": "print", "args": [{{"call": {{"function": "posterior_mean", "args": [{{"var": "post"}}, {{"literal": "bias"}}]}}}}]}}}}}}]}}}}"#
    );
    let source = format!("{{\"program\": {{\"entry\": \"main\", \"functions\": {{{}, {}}}}}}}", &coin[1..coin.len() - 1], &main[1..main.len() - 1]);
    std::fs::write(&program, source).expect("written");
    let compiled = Command::new(env!("CARGO_BIN_EXE_sev")).arg("run").arg(&program).output().expect("sev runs");
    assert_eq!(compiled.status.code(), Some(0), "{}", text(&compiled.stderr));
    assert_eq!(text(&compiled.stdout), format!("{mean}\n"));
    assert!((mean.parse::<f64>().expect("a number") - 0.6875).abs() < 0.03, "{mean}");
}

/// A function defined in the REPL may hold a modelling block (`hierarchical`, rewritten as in
/// `sev build`); typed as an input, the block is read as a statement and refused by the checker
/// with the way to use it (it was an unknown expression kind, E0105, and a defined function
/// with one was refused).
#[test]
fn modelling_blocks_are_rewritten_in_defined_functions_and_explained_as_inputs() {
    let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root().join("tests/cases/blocks/eight_schools_hierarchical.sirs.json")).expect("case")).expect("json");
    let main = &case["program"]["functions"]["main"];
    let block = main["body"].as_array().expect("body").iter().find(|s| s.get("hierarchical").is_some()).expect("a hierarchical statement").clone();
    let script = format!("{}\n{}\n", serde_json::json!({"functions": {"schools_model": main}}), block);
    let out = repl(&[], &script);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("defined function schools_model"), "{stdout}{stderr}");
    assert!(stderr.contains("error[E0319]") && stderr.contains("a `hierarchical` block is rewritten only in a program's functions, not here"), "{stderr}");
    assert!(stderr.contains("hint: a modelling block makes a model") && !stderr.contains("E0105"), "{stderr}");
}
