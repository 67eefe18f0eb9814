//! `sev debug` end to end: scripted sessions fed to the binary on stdin, whose whole transcript
//! (the session's lines and the program's output, interleaved) and exit status are checked.
//! The programs are in `tests/cases/debug/`; the session in `docs/cli.md` is run too.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `sev debug NAME [-- ARGS]` in `dir` with `script` on stdin.
fn debug_in(dir: &Path, name: &str, script: &str, args: &[&str]) -> support::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sev"));
    command.arg("debug").arg(name);
    if !args.is_empty() {
        command.arg("--").args(args);
    }
    let mut child = command.current_dir(dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("sev starts");
    // A session that ends before reading its script (a program that does not start) closes
    // stdin early, so the write may fail; the output is what is checked.
    let _ = child.stdin.take().expect("stdin is piped").write_all(script.as_bytes());
    child.wait_with_output().expect("sev ends").into()
}

/// A session on `tests/cases/debug/NAME`.
fn debug(name: &str, script: &str, args: &[&str]) -> support::Output {
    debug_in(&support::root().join("tests").join("cases").join("debug"), name, script, args)
}

/// `sev run --interp` on the same program, for comparison.
fn run_interp(name: &str, args: &[&str]) -> support::Output {
    let mut all: Vec<String> = ["run", "--interp", name].iter().map(|s| s.to_string()).collect();
    if !args.is_empty() {
        all.push("--".into());
        all.extend(args.iter().map(|s| s.to_string()));
    }
    support::sev(&all, "1", Some(&support::root().join("tests").join("cases").join("debug")))
}

const HEADER: &str = "Debugging loop_and_recursion.sirs.json — the program has not started; `help` lists the commands.\n";

#[test]
fn a_function_breakpoint_stops_after_what_the_program_printed_before_it() {
    let out = debug("loop_and_recursion.sirs.json", "break fact\ncontinue\ndelete\ncontinue\n", &[]);
    let expected = [
        HEADER,
        "(sev) break fact\n",
        "Breakpoint 1 at function `fact`, loop_and_recursion.sirs.json:27:11\n",
        "(sev) continue\n",
        "1\n3\n6\n",
        "Breakpoint 1, in `fact` at loop_and_recursion.sirs.json:27:11\n",
        "   27 | {\"if\": {\"condition\": {\"op\": {\"kind\": \"le\", \"args\": [{\"var\": \"n\"}, {\"literal\": 1}]}}, \"then\": [{\"return\": {\"literal\": 1}}]}},\n",
        "(sev) delete\n",
        "Deleted all breakpoints.\n",
        "(sev) continue\n",
        "6\n",
        "The program exited with status 0.\n",
    ]
    .concat();
    assert_eq!(out.stdout, expected);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
}

/// Into the recursion with `step` from a breakpoint at the third statement of `fact` (the
/// `return 1` nested in the `if` is the second), over a statement with `next`, out with `finish`, with the
/// stack shown at the deepest point.
#[test]
fn step_next_and_finish_through_a_recursive_function() {
    let script = "break fact:3\ncontinue\nprint n\nstep\nnext\nstep\nbacktrace\nprint n\nfinish\nprint n\nfinish\ncontinue\n";
    let out = debug("loop_and_recursion.sirs.json", script, &[]);
    let line_27 = "   27 | {\"if\": {\"condition\": {\"op\": {\"kind\": \"le\", \"args\": [{\"var\": \"n\"}, {\"literal\": 1}]}}, \"then\": [{\"return\": {\"literal\": 1}}]}},\n";
    let line_28 = "   28 | {\"return\": {\"op\": {\"kind\": \"mul\", \"args\": [{\"var\": \"n\"}, {\"call\": {\"function\": \"fact\", \"args\": [{\"op\": {\"kind\": \"sub\", \"args\": [{\"var\": \"n\"}, {\"literal\": 1}]}}]}}]}}}\n";
    let expected = [
        HEADER,
        "(sev) break fact:3\n",
        "Breakpoint 1 at statement 3 of `fact`, loop_and_recursion.sirs.json:28:11\n",
        "(sev) continue\n",
        "1\n3\n6\n",
        "Breakpoint 1, in `fact` at loop_and_recursion.sirs.json:28:11\n",
        line_28,
        "(sev) print n\n",
        "n: i64 = 3\n",
        // `step` goes into the recursive call, …
        "(sev) step\n",
        "Stopped in `fact` at loop_and_recursion.sirs.json:27:11\n",
        line_27,
        // … `next` over the `if` to the next statement, a breakpoint, …
        "(sev) next\n",
        "Breakpoint 1, in `fact` at loop_and_recursion.sirs.json:28:11\n",
        line_28,
        "(sev) step\n",
        "Stopped in `fact` at loop_and_recursion.sirs.json:27:11\n",
        line_27,
        "(sev) backtrace\n",
        "#0 `fact` at loop_and_recursion.sirs.json:27:11\n",
        "#1 `fact` at loop_and_recursion.sirs.json:28:11\n",
        "#2 `fact` at loop_and_recursion.sirs.json:28:11\n",
        "#3 `main` at loop_and_recursion.sirs.json:20:11\n",
        "(sev) print n\n",
        "n: i64 = 1\n",
        // … and `finish` back out, one call at a time, with what each call returned.
        "(sev) finish\n",
        "`fact` returned 1: i64\n",
        "Stopped in `fact` at loop_and_recursion.sirs.json:28:11\n",
        line_28,
        "(sev) print n\n",
        "n: i64 = 2\n",
        "(sev) finish\n",
        "`fact` returned 2: i64\n",
        "Stopped in `fact` at loop_and_recursion.sirs.json:28:11\n",
        line_28,
        "(sev) continue\n",
        "6\n",
        "The program exited with status 0.\n",
    ]
    .concat();
    assert_eq!(out.stdout, expected);
    assert_eq!(out.code, 0);
}

#[test]
fn locals_after_each_loop_iteration() {
    let script = "break 16\ncontinue\nlocals\ncontinue\nlocals\nprint k\nquit\n";
    let out = debug("loop_and_recursion.sirs.json", script, &[]);
    let stop = "Breakpoint 1, in `main` at loop_and_recursion.sirs.json:16:17\n   16 | {\"expression\": {\"call\": {\"function\": \"print\", \"args\": [{\"var\": \"total\"}]}}}\n";
    let expected = [
        HEADER,
        "(sev) break 16\n",
        "Breakpoint 1 at line 16 in `main`, loop_and_recursion.sirs.json:16:17\n",
        "(sev) continue\n",
        stop,
        "(sev) locals\n",
        "total: i64 = 1\nk: i64 = 1\n",
        "(sev) continue\n",
        "1\n",
        stop,
        "(sev) locals\n",
        "total: i64 = 3\nk: i64 = 2\n",
        "(sev) print k\n",
        "k: i64 = 2\n",
        "(sev) quit\n",
        "The run was ended.\n",
    ]
    .concat();
    assert_eq!(out.stdout, expected);
    // `quit` ends the run: the rest of the program never prints, and the session succeeds.
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
}

/// A runtime fault stops the session at the faulting statement with `sev run --interp`'s
/// message; the variables of the faulting call can still be shown.
#[test]
fn a_fault_stops_at_the_faulting_statement_with_the_interpreters_message() {
    let script = "continue\nbacktrace\nlocals\ncontinue\n";
    let out = debug("fault.sirs.json", script, &[]);
    let reference = run_interp("fault.sirs.json", &[]);
    assert_eq!(reference.code, 101);
    let expected = [
        "Debugging fault.sirs.json — the program has not started; `help` lists the commands.\n",
        "(sev) continue\n",
        "grow\n",
        "The program stopped with a runtime fault in `bump` at fault.sirs.json:20:11:\n",
        &reference.stderr,
        "   20 | {\"return\": {\"op\": {\"kind\": \"add\", \"args\": [{\"var\": \"x\"}, {\"var\": \"step\"}]}}}\n",
        "(sev) backtrace\n",
        "#0 `bump` at fault.sirs.json:20:11\n",
        "#1 `main` at fault.sirs.json:12:11\n",
        "(sev) locals\n",
        "x: u8 = 200\nstep: u8 = 100\n",
        "(sev) continue\n",
        "The program exited with status 101.\n",
    ]
    .concat();
    assert_eq!(out.stdout, expected);
    // stderr and the status are those of `sev run --interp`.
    assert_eq!((out.code, out.stderr.as_str()), (101, reference.stderr.as_str()));
}

/// Each bad command gets a message with its code, and the session carries on to the end.
#[test]
fn bad_commands_and_unknown_names_are_reported_and_the_session_goes_on() {
    let script = "jump\n\nprint n\nfinish\nbreak nowhere\nbreak fact:9\nbreak 3\nbreak\nstep 2\ndelete 4\nbreak fact\ncontinue\nprint total\nprint\ndelete\ncontinue\n";
    let out = debug("loop_and_recursion.sirs.json", script, &[]);
    for message in [
        "(sev) jump\nerror[E0611]: unknown command `jump` (type `help` for the list)\n(sev) \n(sev) print n\n",
        "(sev) print n\nerror[E0616]: the program has not started yet (`step` or `continue` starts it)\n",
        "(sev) finish\nerror[E0616]: the program has not started yet (`step` or `continue` starts it)\n",
        "(sev) break nowhere\nerror[E0613]: the program has no function `nowhere`\n",
        "(sev) break fact:9\nerror[E0614]: `fact` has 3 statement(s), so there is no statement 9\n",
        "(sev) break 3\nerror[E0614]: no statement starts on line 3; the next one starts on line 9\n",
        "(sev) break\nerror[E0612]: `break` takes one place: FUNC, FUNC:N or LINE\n",
        "(sev) step 2\nerror[E0612]: `step` takes no arguments\n",
        "(sev) delete 4\nerror[E0617]: there is no breakpoint 4\n",
        "(sev) print total\nerror[E0615]: `fact` has no variable `total` set at this point (`locals` lists those it has)\n",
        "(sev) print\nerror[E0612]: `print` takes one variable name, as in `print total`\n",
    ] {
        assert!(out.stdout.contains(message), "missing:\n{message}\nin:\n{}", out.stdout);
    }
    // The rejected lines changed nothing: breakpoint 1 is the first one set, and the program ends.
    assert!(out.stdout.contains("Breakpoint 1, in `fact`"), "{}", out.stdout);
    assert!(out.stdout.ends_with("(sev) continue\n6\nThe program exited with status 0.\n"), "{}", out.stdout);
    assert_eq!(out.code, 0);
}

/// Run to the end, the session exits with the program's status and passes its arguments; an
/// input that ends while the program is stopped ends the run.
#[test]
fn running_to_the_end_gives_the_programs_status_and_output() {
    let out = debug("uncaught.sirs.json", "continue\n", &["hello"]);
    let reference = run_interp("uncaught.sirs.json", &["hello"]);
    assert_eq!(reference.code, 101);
    assert_eq!(out.stdout, "Debugging uncaught.sirs.json — the program has not started; `help` lists the commands.\n(sev) continue\nhello\nThe program exited with status 101.\n");
    assert_eq!((out.code, out.stderr.as_str()), (101, reference.stderr.as_str()));

    let ended = debug("loop_and_recursion.sirs.json", "step\n", &[]);
    assert!(ended.stdout.ends_with("(sev) step\nStopped in `main` at loop_and_recursion.sirs.json:9:11\n    9 | {\"let\": {\"name\": \"total\", \"type\": \"i64\", \"value\": {\"literal\": 0}, \"mutable\": true}},\n(sev) \nThe run was ended.\n"), "{}", ended.stdout);
    assert_eq!(ended.code, 0);
}

/// A program that reads standard input (`stdin_read_line`) used to hang the debugger: the
/// session held stdin for its commands and the program's read waited on it for ever. The
/// program now reads an empty input (`None`), the commands after the read still run, and the
/// session ends by itself (checked with a deadline, so a regression fails instead of hanging).
#[test]
fn a_program_that_reads_stdin_sees_an_empty_input_and_the_session_goes_on() {
    let dir = support::root().join("tests").join("cases").join("debug");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["debug", "reads_stdin.sirs.json"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sev starts");
    let _ = child.stdin.take().expect("stdin is piped").write_all(b"step\nstep\nstep\ncontinue\n");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().expect("waitable").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("sev debug hung on a program that reads stdin");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out: support::Output = child.wait_with_output().expect("sev ends").into();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("(sev) continue\nnone\nend\nThe program exited with status 0.\n"), "{}", out.stdout);
}

#[test]
fn help_lists_every_command() {
    let out = debug("loop_and_recursion.sirs.json", "help\nquit\n", &[]);
    for (command, _) in sev::debugger::HELP {
        assert!(out.stdout.contains(command), "help lacks {command}:\n{}", out.stdout);
    }
    assert_eq!(out.code, 0);
}

/// The fenced block that follows `<!-- debug-example: WHICH -->` in `docs/cli.md`.
fn doc_example(which: &str) -> String {
    let doc = std::fs::read_to_string(support::root().join("docs").join("cli.md")).expect("docs/cli.md readable");
    let marker = format!("<!-- debug-example: {which} -->\n```");
    let start = doc.find(&marker).unwrap_or_else(|| panic!("docs/cli.md has no debug {which} example")) + marker.len();
    let start = start + doc[start..].find('\n').expect("the fence line ends") + 1;
    let end = doc[start..].find("```").expect("the block closes") + start;
    doc[start..end].to_string()
}

/// The session in `docs/cli.md`, its commands fed to `sev debug`, is exactly what it prints.
#[test]
fn the_documented_session_is_what_sev_debug_prints() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("countdown.sirs.json"), doc_example("program")).expect("written");
    let session = doc_example("session");
    let script: String = session.lines().filter_map(|l| l.strip_prefix("(sev) ")).map(|c| format!("{c}\n")).collect();
    let out = debug_in(dir.path(), "countdown.sirs.json", &script, &[]);
    assert_eq!(format!("$ sev debug countdown.sirs.json < commands.txt\n{}", out.stdout), session);
    assert_eq!(out.code, 0);
}

/// Records, enums, tuples, maps, sets and nested lists print with their types; a breakpoint in
/// a generic function stops in each instance, which has its own variables' types.
#[test]
fn values_of_every_kind_and_generic_instances() {
    let script = "break 20\ncontinue\nlocals\nbreak first:2\ncontinue\nprint head\ncontinue\nprint head\ncontinue\nprint head\ndelete\ncontinue\n";
    let out = debug("values.sirs.json", script, &[]);
    let locals = [
        "(sev) locals\n",
        "p: Point = Point {x: 1.5, y: -2.0}\n",
        "s: Shape = Circle(0.1)\n",
        "e: Shape = Empty\n",
        "t: (i64, str, bool) = (7, \"say \\\"hi\\\"\", true)\n",
        "ages: map<str, i64> = map{\"ada\": 36}\n",
        "primes: set<i64> = set{2, 3}\n",
        "grid: [[i64]] = [[1], []]\n",
    ]
    .concat();
    assert!(out.stdout.contains(&locals), "{}", out.stdout);
    let heads: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("head: ")).collect();
    assert_eq!(heads, ["head: [i64] = [1]", "head: i64 = 1", "head: str = \"a\""]);
    assert!(out.stdout.ends_with("(sev) continue\na\nThe program exited with status 0.\n"), "{}", out.stdout);
    assert_eq!(out.code, 0);
}

/// A program with errors is reported as `sev check` would and never starts; a missing file is
/// an environment error.
#[test]
fn programs_with_errors_and_missing_files_do_not_start() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(
        dir.path().join("bad.sirs.json"),
        "{\"program\": {\"functions\": {\"main\": {\"args\": [], \"return\": \"void\", \"body\": [{\"return\": {\"var\": \"nope\"}}]}}}}",
    )
    .expect("written");
    let bad = debug_in(dir.path(), "bad.sirs.json", "continue\n", &[]);
    assert_eq!((bad.code, bad.stdout.as_str()), (1, ""));
    assert!(bad.stderr.contains("error[E0") && bad.stderr.contains("nope"), "{}", bad.stderr);
    let missing = debug_in(dir.path(), "missing.sirs.json", "continue\n", &[]);
    assert_eq!((missing.code, missing.stdout.as_str()), (3, ""));
    assert!(missing.stderr.contains("error[E0009]"), "{}", missing.stderr);
}

/// `next` runs a call (here a recursion three calls deep) without stopping inside it, where
/// `step` enters it.
#[test]
fn next_runs_over_a_call_that_step_enters() {
    let over = debug("loop_and_recursion.sirs.json", "break 20\ncontinue\nnext\n", &[]);
    assert!(over.stdout.ends_with("(sev) next\n6\nThe program exited with status 0.\n"), "{}", over.stdout);
    let into = debug("loop_and_recursion.sirs.json", "break 20\ncontinue\nstep\nbacktrace\ncontinue\n", &[]);
    assert!(into.stdout.contains("(sev) step\nStopped in `fact` at loop_and_recursion.sirs.json:27:11\n"), "{}", into.stdout);
    assert!(into.stdout.contains("(sev) backtrace\n#0 `fact` at loop_and_recursion.sirs.json:27:11\n#1 `main` at loop_and_recursion.sirs.json:20:11\n"), "{}", into.stdout);
    assert_eq!((over.code, into.code), (0, 0));
}

/// Unbounded recursion stops at the interpreter's stack-overflow fault; the backtrace of its
/// 100 000 calls shows the innermost and outermost ones and counts the rest.
#[test]
fn a_stack_overflow_stops_with_a_bounded_backtrace() {
    let out = debug("deep.sirs.json", "continue\nprint n\nbacktrace\ncontinue\n", &[]);
    let reference = run_interp("deep.sirs.json", &[]);
    assert!(out.stdout.contains(&format!("The program stopped with a runtime fault in `down` at deep.sirs.json:9:18:\n{}", reference.stderr)), "{}", out.stdout);
    let depth = sev::interp::MAX_DEPTH;
    assert!(out.stdout.contains(&format!("(sev) print n\nn: i64 = {}\n", depth - 1)), "{}", out.stdout);
    let backtrace: Vec<&str> = out.stdout.lines().skip_while(|l| *l != "(sev) backtrace").skip(1).take_while(|l| !l.starts_with("(sev)")).collect();
    assert_eq!(backtrace.len(), 26, "{backtrace:?}");
    assert_eq!(backtrace[0], "#0 `down` at deep.sirs.json:9:18");
    assert_eq!(backtrace[20], format!("... {} more calls ...", depth - 25));
    assert_eq!(backtrace[25], format!("#{} `main` at deep.sirs.json:5:55", depth - 1));
    assert_eq!((out.code, out.stderr.as_str()), (101, reference.stderr.as_str()));
}

/// Line 27 holds the `if` of `fact` and the `return 1` nested in it: a breakpoint on the line
/// stops once per call (three calls), not again at the nested statement of the last one.
#[test]
fn a_line_breakpoint_stops_once_each_time_the_line_is_reached() {
    let out = debug("loop_and_recursion.sirs.json", "break 27\ncontinue\ncontinue\ncontinue\ncontinue\n", &[]);
    assert_eq!(out.stdout.matches("Breakpoint 1, in `fact` at loop_and_recursion.sirs.json:27:11\n").count(), 3, "{}", out.stdout);
    assert!(out.stdout.ends_with("(sev) continue\n6\nThe program exited with status 0.\n"), "{}", out.stdout);
}

/// A reader of the transcript that goes away ends the run with 141, as `sev run` does.
#[test]
fn a_closed_stdout_ends_the_session_with_141() {
    let dir = support::root().join("tests").join("cases").join("debug");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["debug", "loop_and_recursion.sirs.json"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sev starts");
    // Closing the read end first means every write of the session fails.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // The session may have ended before all of the script is written.
    let _ = stdin.write_all("step\n".repeat(1000).as_bytes());
    drop(stdin);
    let status = child.wait().expect("sev ends");
    assert_eq!(status.code(), Some(141));
}

/// `finish` out of a call that throws says so; the `catch` variable that receives the
/// exception can be printed like any other.
#[test]
fn finish_out_of_a_throwing_call_and_the_catch_variable() {
    let out = debug("catch.sirs.json", "break fail\ncontinue\nfinish\nstep\nprint problem\ncontinue\n", &[]);
    assert!(out.stdout.contains("(sev) finish\n`fail` ended by throwing an exception.\nStopped in `main`"), "{}", out.stdout);
    assert!(out.stdout.contains("(sev) print problem\nproblem: Error = Error {kind: \"Error\", message: \"too small\"}\n"), "{}", out.stdout);
    assert!(out.stdout.ends_with("(sev) continue\ncaught\nThe program exited with status 0.\n"), "{}", out.stdout);
    assert_eq!(out.code, 0);
}

/// A stdout that cannot take the transcript (a full disk) ends the run with status 3 and says
/// why on stderr.
#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_ends_the_session_with_3() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full opens");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["debug", "loop_and_recursion.sirs.json"])
        .current_dir(support::root().join("tests").join("cases").join("debug"))
        .stdin(Stdio::piped())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .spawn()
        .expect("sev starts");
    let _ = child.stdin.take().expect("stdin is piped").write_all(b"continue\n");
    let out: support::Output = child.wait_with_output().expect("sev ends").into();
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("error: cannot write to standard output"), "{}", out.stderr);
}

/// A program that fits a model with `infer` runs under the debugger as under `sev run --interp`
/// (the fit builds the model's sampler): the same lines, then the exit status, and the
/// sampler's notes on stderr.
#[test]
fn a_program_fitting_a_model_with_infer_runs_under_the_debugger() {
    let examples = support::root().join("examples");
    let out = debug_in(&examples, "infer_posterior.sirs.json", "continue\n", &[]);
    let interp = support::sev(&["run".into(), "--interp".into(), "infer_posterior.sirs.json".into()], "1", Some(&examples));
    assert_eq!(interp.code, 0, "{}", interp.stderr);
    let expected = format!(
        "Debugging infer_posterior.sirs.json — the program has not started; `help` lists the commands.\n(sev) continue\n{}The program exited with status 0.\n",
        interp.stdout
    );
    assert_eq!(out.stdout, expected);
    assert!(out.stderr.contains(&interp.stderr), "the sampler's notes: {}", out.stderr);
    assert!(out.stdout.contains("posterior mean of the bias: 0.69\n"), "{}", out.stdout);
}
