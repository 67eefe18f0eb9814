//! The runtime at its edges, end to end through the `sev` binary: bad data is reported when it
//! is read (field, index, what was expected), unbounded recursion is a located stack-overflow
//! fault, write failures are errors and a closed pipe ends a program quietly, earlier results
//! survive a failed rerun, signals to `sev run` reach the child, and the sampler's command line
//! refuses what it cannot honour before sampling.
//!
//! Programs are small and built in Debug with the shared test cache (`SEV_CACHE_DIR`).

mod support;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn program(args: Value, body: Value) -> Value {
    json!({"program": {"entry": "main", "functions": {"main": {"args": args, "return": "void", "body": body}}}})
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).expect("json")).expect("write");
    path
}

fn path_str(p: &Path) -> String {
    p.to_str().expect("a UTF-8 path").to_string()
}

/// Builds `source` with `sev build` into `dir/name` and returns the executable's path.
fn build(dir: &Path, name: &str, source: &Value) -> PathBuf {
    let file = write_json(dir, &format!("{name}.sirs.json"), source);
    let exe = dir.join(name);
    let out = support::sev(&strings(&["build", &path_str(&file), "-o", &path_str(&exe)]), "1", None);
    assert_eq!(out.code, 0, "sev build failed: {}", out.stderr);
    exe
}

fn run(exe: &Path, args: &[&str]) -> support::Output {
    support::run_exe(exe, &strings(args), None).expect("the program starts")
}

fn print(value: Value) -> Value {
    json!({"expression": {"call": {"function": "print", "args": [value]}}})
}

#[test]
fn array_fill_with_a_negative_length_is_a_located_fault() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = program(
        json!([]),
        json!([
            {"let": {"name": "n", "value": {"op": {"kind": "sub", "args": [{"literal": 0}, {"literal": 5}]}}}},
            {"let": {"name": "xs", "value": {"call": {"function": "array_fill", "args": [{"var": "n"}, {"literal": 1.5}]}}}},
            print(json!({"call": {"function": "len", "args": [{"var": "xs"}]}}))
        ]),
    );
    let exe = build(dir.path(), "fill", &source);
    let out = run(&exe, &[]);
    assert_eq!(out.code, 101, "{out:?}");
    assert!(out.stderr.contains("error: array_fill: the length must not be negative, got -5"), "{}", out.stderr);
    assert!(out.stderr.contains("(in function `main`)"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

/// A length whose bytes overflow the address space used to stop the program with
/// "internal error: integer overflow" (status 70, no location); it is a located fault.
#[test]
fn array_fill_too_long_for_memory_is_a_located_fault() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = program(
        json!([]),
        json!([
            {"let": {"name": "xs", "value": {"call": {"function": "array_fill", "args": [{"literal": 4611686018427387903_i64}, {"literal": 1.5}]}}}},
            print(json!({"call": {"function": "len", "args": [{"var": "xs"}]}}))
        ]),
    );
    let exe = build(dir.path(), "fill_huge", &source);
    let out = run(&exe, &[]);
    assert_eq!(out.code, 101, "{out:?}");
    assert!(out.stderr.contains("error: array_fill: 4611686018427387903 elements do not fit in memory"), "{}", out.stderr);
    assert!(out.stderr.contains("(in function `main`)"), "{}", out.stderr);
}

/// A program printing the numbers 0..n, one a line.
fn counting(n: i64) -> Value {
    program(
        json!([]),
        json!([{"for": {"variable": "i", "iterable": {"range": {"start": {"literal": 0}, "end": {"literal": n}}}, "body": [print(json!({"var": "i"}))]}}]),
    )
}

#[test]
fn a_closed_pipe_ends_a_program_quietly_and_a_full_disk_is_an_error() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = build(dir.path(), "count", &counting(50_000_000));
    let mut child = std::process::Command::new(&exe)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("one line");
    assert_eq!(first, "0\n");
    // the reader is gone now (dropped above): the program must stop by itself, quietly
    let out = child.wait_with_output().expect("ends");
    assert_eq!(out.status.code(), Some(141), "{:?} (signal {:?})", out.status, out.status.signal());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = std::process::Command::new(&exe).stdout(full).output().expect("runs");
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "error: cannot write to standard output: no space left on the device\n");
}

/// A hierarchical normal model: `theta` has `J` elements and `y` is observed against it, so a
/// `y` of another length cannot be fitted.
fn school_model() -> Value {
    program(
        json!([{"name": "J", "type": "i64"}, {"name": "y", "type": "[f64]"}]),
        json!([
            {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 5.0}]}}}},
            {"let": {"name": "theta", "value": {"sample": {"distribution": "normal", "params": [{"var": "mu"}, {"literal": 1.0}], "size": {"var": "J"}}}}},
            {"observe": {"distribution": "normal", "params": [{"var": "theta"}, {"literal": 1.0}], "value": {"var": "y"}}}
        ]),
    )
}

struct Sampler {
    dir: tempfile::TempDir,
    exe: PathBuf,
}

impl Sampler {
    fn new() -> Sampler {
        let dir = tempfile::tempdir().expect("tempdir");
        let exe = build(dir.path(), "school", &school_model());
        Sampler { dir, exe }
    }

    fn data(&self, name: &str, value: Value) -> String {
        path_str(&write_json(self.dir.path(), name, &value))
    }

    fn path(&self, name: &str) -> String {
        path_str(&self.dir.path().join(name))
    }

    fn sample(&self, args: &[&str]) -> support::Output {
        let mut all = vec!["sample", "--seed", "3", "--warmup", "100", "--draws", "50", "--quiet"];
        all.extend_from_slice(args);
        run(&self.exe, &all)
    }
}

fn dir_listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).expect("readable").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn sampler_output_problems_are_found_before_sampling_and_said_in_words() {
    let s = Sampler::new();
    let data = s.data("d.json", json!({"J": 2, "y": [1.0, 2.0]}));

    let out = s.sample(&["--data", &data, "--output", "/proc/sev-x"]);
    assert_eq!((out.code, out.stderr.as_str()), (1, "error: cannot create the output directory '/proc/sev-x': no such file or directory\n"));

    let summary = s.path("missing/summary.json");
    let out_dir = s.path("out");
    let out = s.sample(&["--data", &data, "--output", &out_dir, "--summary", &summary]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("error: cannot write '{summary}': no such file or directory\n"));
    assert!(dir_listing(Path::new(&out_dir)).is_empty(), "nothing sampled: {:?}", dir_listing(Path::new(&out_dir)));

    let blocked = s.path("blocked");
    std::fs::create_dir_all(Path::new(&blocked).join("school_chain_2.csv")).expect("mkdir");
    let out = s.sample(&["--data", &data, "--output", &blocked]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("error: cannot write '{blocked}/school_chain_2.csv': it is a directory\n"));
    assert!(!out.stderr.contains("IsDir"));

    let out = s.sample(&["--data", &data, "--output", &out_dir, "--seed", "4"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.starts_with("error: option '--seed' is given twice\n"), "{}", out.stderr);
}

#[test]
fn a_failed_rerun_keeps_the_earlier_results_and_leaves_no_partial_files() {
    let s = Sampler::new();
    let out_dir = s.path("out");
    let good = s.data("good.json", json!({"J": 3, "y": [1.0, 2.0, 0.5]}));
    let out = s.sample(&["--data", &good, "--output", &out_dir]);
    assert_eq!(out.code, 0, "{out:?}");
    let names = dir_listing(Path::new(&out_dir));
    assert_eq!(names, ["school_chain_1.csv", "school_chain_2.csv", "school_chain_3.csv", "school_chain_4.csv"]);
    let before: Vec<Vec<u8>> = names.iter().map(|n| std::fs::read(Path::new(&out_dir).join(n)).expect("csv")).collect();
    assert!(before.iter().all(|b| b.len() > 1000));

    // y has 2 values for 3 schools: every chain fails
    let bad = s.data("bad.json", json!({"J": 3, "y": [1.0, 2.0]}));
    let out = s.sample(&["--data", &bad, "--output", &out_dir]);
    assert_eq!(out.code, 1, "{out:?}");
    let errors: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error for the one reason: {}", out.stderr);
    assert!(
        errors[0].starts_with("error: all 4 chains: every initial point was rejected for the same reason, so it does not depend on the parameters (check the data): normal: size mismatch: y has 2 elements but"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("school.sirs.json:"), "located: {}", out.stderr);
    assert!(!out.stderr.contains("rejected (log density -inf)"), "the reason is said once, not again as a note: {}", out.stderr);
    assert_eq!(dir_listing(Path::new(&out_dir)), names, "no partial or temporary file is left");
    let after: Vec<Vec<u8>> = names.iter().map(|n| std::fs::read(Path::new(&out_dir).join(n)).expect("csv")).collect();
    assert!(before == after, "the earlier complete CSV files are untouched");

    // a chain's CSV file on a full disk (its temporary name leads to /dev/full): the chain fails
    // naming the file, and the earlier results stay
    let full_csv = Path::new(&out_dir).join("school_chain_3.csv.incomplete");
    std::os::unix::fs::symlink("/dev/full", &full_csv).expect("symlink");
    let out = s.sample(&["--data", &good, "--output", &out_dir]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stderr, format!("error: chain 3: cannot write '{out_dir}/school_chain_3.csv': no space left on the device\n"));
    assert_eq!(dir_listing(Path::new(&out_dir)), names);
    let after: Vec<Vec<u8>> = names.iter().map(|n| std::fs::read(Path::new(&out_dir).join(n)).expect("csv")).collect();
    assert!(before == after, "the earlier complete CSV files are untouched");

    // the summary cannot go to a full disk: an error, not a silent success
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let mut cmd = std::process::Command::new(&s.exe);
    cmd.args(["sample", "--seed", "3", "--warmup", "100", "--draws", "50", "--data", &good, "--output", &out_dir]).stdout(full);
    let out = support::output_retrying_busy(&mut cmd).expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).ends_with("error: cannot write to standard output: no space left on the device\n"));
}

/// Waits up to `seconds` for `child` to end.
fn wait_for(child: &mut std::process::Child, seconds: u64) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("waitable") {
            return Some(status);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    None
}

fn total_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map(|it| it.map(|e| e.expect("entry").metadata().map(|m| m.len()).unwrap_or(0)).sum()).unwrap_or(0)
}

#[test]
fn sigterm_to_sev_run_stops_the_sampler_and_removes_temporary_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = write_json(dir.path(), "school.sirs.json", &school_model());
    let data = write_json(dir.path(), "d.json", &json!({"J": 2, "y": [1.0, 2.0]}));
    let private_tmp = dir.path().join("tmp");
    std::fs::create_dir(&private_tmp).expect("mkdir");
    let out_dir = dir.path().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["run", &path_str(&source), "--data", &path_str(&data), "--output", &path_str(&out_dir), "--seed", "1", "--draws", "100000000"])
        .env("SEV_CACHE_DIR", support::cache_dir())
        .env("TMPDIR", &private_tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sev starts");
    // wait until the sampler writes
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while total_size(&out_dir) == 0 {
        assert!(std::time::Instant::now() < deadline, "the sampler never started writing");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // SAFETY: kill(2) on the child we started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = wait_for(&mut child, 30).expect("sev run ends after SIGTERM");
    assert_eq!(status.code(), Some(143), "{status:?}");
    let written = total_size(&out_dir);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(total_size(&out_dir), written, "the sampler has stopped writing");
    let names = dir_listing(&out_dir);
    assert!(!names.is_empty() && names.iter().all(|n| n.ends_with(".csv.incomplete")), "only files marked incomplete: {names:?}");
    assert_eq!(dir_listing(&private_tmp), Vec::<String>::new(), "temporary directories are removed");
}

#[test]
fn bad_data_is_reported_when_read_naming_the_field_and_element() {
    let s = Sampler::new();
    let out_dir = s.path("out");
    let nan = s.data("nan.json", json!({"J": 3, "y": [1.0, "NaN", 0.5]}));
    let out = s.sample(&["--data", &nan, "--output", &out_dir]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stderr, format!("error: data file '{nan}': field 'y' element 2 is NaN; the data must be numbers\n"));
    assert!(!Path::new(&out_dir).exists(), "nothing was sampled or written");

    let dir = tempfile::tempdir().expect("tempdir");
    let counts = program(
        json!([{"name": "n", "type": "[i64]"}]),
        json!([
            {"let": {"name": "rate", "value": {"sample": {"distribution": "gamma", "params": [{"literal": 2.0}, {"literal": 1.0}]}}}},
            {"observe": {"distribution": "poisson", "params": [{"var": "rate"}], "value": {"var": "n"}}}
        ]),
    );
    let exe = build(dir.path(), "counts", &counts);
    let data = path_str(&write_json(dir.path(), "n.json", &json!({"n": [3, 2.5, 4]})));
    let out = run(&exe, &["sample", "--data", &data, "--output", &path_str(&dir.path().join("out")), "--quiet"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stderr, format!("error: data file '{data}': field 'n' element 2 must be an integer, found 2.5\n"));
}

#[test]
fn unbounded_recursion_is_a_located_stack_overflow_fault() {
    let call = |f: &str| json!({"call": {"function": f, "args": [{"op": {"kind": "add", "args": [{"var": "n"}, {"literal": 1}]}}]}});
    let step = |other: &str| json!({"args": [{"name": "n", "type": "i64"}], "return": "i64", "body": [{"return": {"op": {"kind": "add", "args": [call(other), {"literal": 1}]}}}]});
    let source = json!({"program": {"entry": "main", "functions": {
        "ping": step("pong"),
        "pong": step("ping"),
        "main": {"args": [], "return": "void", "body": [print(json!({"call": {"function": "ping", "args": [{"literal": 0}]}}))]}
    }}});
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = build(dir.path(), "pingpong", &source);
    let out = run(&exe, &[]);
    assert_eq!(out.code, 101, "a fault, not SIGSEGV: {out:?}");
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(
        first == "error: stack overflow: the recursion in `ping` is too deep" || first == "error: stack overflow: the recursion in `pong` is too deep",
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("pingpong.sirs.json:"), "located: {}", out.stderr);

    // the same on a task's thread (its own stack and limit)
    let down = json!({"args": [{"name": "n", "type": "i64"}], "return": "i64", "body": [{"return": {"op": {"kind": "add", "args": [call("down"), {"literal": 1}]}}}]});
    let source = json!({"program": {"entry": "main", "functions": {
        "down": down,
        "deep": {"args": [], "return": "i64", "async": true, "body": [{"return": {"call": {"function": "down", "args": [{"literal": 0}]}}}]},
        "main": {"args": [], "return": "void", "body": [
            {"let": {"name": "t", "value": {"call": {"function": "deep", "args": []}}}},
            print(json!({"await": {"var": "t"}}))
        ]}
    }}});
    let exe = build(dir.path(), "taskrec", &source);
    let out = run(&exe, &[]);
    assert_eq!(out.code, 101, "{out:?}");
    assert!(out.stderr.starts_with("error: stack overflow: the recursion in `down` is too deep\n  --> "), "{}", out.stderr);
}

#[test]
fn the_posterior_report_of_a_model_fails_loudly_on_a_full_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = dir.path().join("coin");
    let example = support::root().join("examples").join("coin_bias.sirs.json");
    let out = support::sev(&strings(&["build", &path_str(&example), "-o", &path_str(&exe)]), "1", None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let mut cmd = std::process::Command::new(&exe);
    // --quiet: no summary table, so the report of print/prob_assert is the first stdout write
    cmd.args(["sample", "--seed", "1", "--quiet", "--output", &path_str(&dir.path().join("out"))]).stdout(full);
    let out = support::output_retrying_busy(&mut cmd).expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).ends_with("error: cannot write to standard output: no space left on the device\n"));
}

#[test]
fn an_index_fault_on_the_first_run_over_the_data_is_said_as_a_data_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    // `y[i + 1]`: not a read the data reader checks (`cir::databounds`), so it faults when the
    // model first runs
    let shifted = json!({"index": {"array": {"var": "y"}, "index": {"op": {"kind": "add", "args": [{"var": "i"}, {"literal": 1}]}}}});
    let looped = looped_model(json!([{"observe": {"distribution": "normal", "params": [{"var": "mu"}, {"literal": 1.0}], "value": shifted}}]));
    let exe = build(dir.path(), "looped", &looped);
    let data = path_str(&write_json(dir.path(), "d.json", &json!({"N": 2, "y": [0.5, 1.5]})));
    let out_dir = dir.path().join("out");
    let out = run(&exe, &["sample", "--data", &data, "--output", &path_str(&out_dir), "--quiet"]);
    assert_eq!(out.code, 101, "{out:?}");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.first(), Some(&"error: index out of bounds: index 2, length 2"), "{}", out.stderr);
    assert!(lines.get(1).is_some_and(|l| l.contains("looped.sirs.json:")), "{}", out.stderr);
    assert_eq!(
        lines.get(2),
        Some(&"  note: this happened when the model first ran on its data, before sampling: check that the data fit the model (an array shorter than a size field, say)"),
        "{}",
        out.stderr
    );
    assert!(!out_dir.exists(), "nothing was sampled");
}

/// `mu ~ normal(0, 5)`, then `for i in 0..N { body }` over data `N` and `y`.
fn looped_model(body: Value) -> Value {
    program(
        json!([{"name": "N", "type": "i64"}, {"name": "y", "type": "[f64]"}]),
        json!([
            {"let": {"name": "mu", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 5.0}]}}}},
            {"for": {"variable": "i", "iterable": {"range": {"start": {"literal": 0}, "end": {"var": "N"}}}, "body": body}}
        ]),
    )
}

fn observe_y_i() -> Value {
    json!({"observe": {"distribution": "normal", "params": [{"var": "mu"}, {"literal": 1.0}], "value": {"index": {"array": {"var": "y"}, "index": {"var": "i"}}}}})
}

#[test]
fn a_data_array_shorter_than_the_loop_over_it_is_a_data_error_when_the_data_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let looped = looped_model(json!([observe_y_i()]));
    let source = write_json(dir.path(), "looped.sirs.json", &looped);
    // the log density reads `y[i]` without a check at every -O level: the reader checked it
    for level in ["-O0", "-O2"] {
        let zig = support::sev(&strings(&["build", level, "--emit", "zig", &path_str(&source)]), "1", None);
        assert_eq!(zig.code, 0, "{}", zig.stderr);
        assert!(zig.stdout.contains("y.getInBounds(i)") && !zig.stdout.contains("y.get("), "{level}: {}", zig.stdout);
        assert_eq!(zig.stdout.matches("try d.covers(\"y\", data.y.len(), \"N\", data.N, 0,").count(), 1, "{level}: {}", zig.stdout);
        // the compiled adjoint (src/ad) reads it unchecked too
        assert!(zig.stdout.contains("pub fn adjoint(") && zig.stdout.matches(".getInBounds(").count() >= 2, "{level}: {}", zig.stdout);
        // nor is the loop counter's step checked for overflow: `i < N` held before it
        assert!(zig.stdout.contains(": (i = (i + 1))") && !zig.stdout.contains("rt.add(i64, i, 1"), "{level}: {}", zig.stdout);
    }
    let exe = build(dir.path(), "looped", &looped);
    let data = path_str(&write_json(dir.path(), "d.json", &json!({"N": 3, "y": [0.5, 1.5]})));
    let out_dir = dir.path().join("out");
    let out = run(&exe, &["sample", "--data", &data, "--output", &path_str(&out_dir), "--quiet"]);
    assert_eq!(out.code, 1, "{out:?}");
    let message = out.stderr.trim_end();
    let head = format!("error: data file '{data}': field 'y' has 2 elements, but the model reads 'y[i]' for every i below 'N' = 3 (at {}:", path_str(&source));
    let tail = ", in function `main`); the data must give 'y' at least 3 elements";
    assert!(message.starts_with(&head) && message.ends_with(tail), "{message}");
    let location = &message[head.len()..message.len() - tail.len()];
    assert!(location.split(':').all(|n| n.parse::<u32>().is_ok_and(|n| n > 0)) && location.split(':').count() == 2, "{location}");
    assert!(!out_dir.exists(), "nothing was sampled");
}

#[test]
fn a_read_checked_when_the_data_is_read_draws_what_a_checked_read_draws() {
    let dir = tempfile::tempdir().expect("tempdir");
    let unchecked = build(dir.path(), "unchecked", &looped_model(json!([observe_y_i()])));
    // the same model with the read nested in a branch, so it keeps its check
    let positive = json!({"op": {"kind": "gt", "args": [{"var": "N"}, {"literal": 0}]}});
    let nested = looped_model(json!([{"if": {"condition": positive, "then": [observe_y_i()], "else": []}}]));
    let source = write_json(dir.path(), "nested.sirs.json", &nested);
    let zig = support::sev(&strings(&["build", "--emit", "zig", &path_str(&source)]), "1", None);
    assert!(zig.stdout.contains("y.get(") && !zig.stdout.contains("getInBounds"), "{}", zig.stdout);
    let checked = build(dir.path(), "checked", &nested);
    let data = path_str(&write_json(dir.path(), "d.json", &json!({"N": 4, "y": [0.5, 1.5, -0.25, 2.0]})));
    let mut draws = Vec::new();
    for exe in [&unchecked, &checked] {
        let out_dir = dir.path().join(format!("out_{}", exe.file_name().and_then(|n| n.to_str()).unwrap_or("x")));
        let out = run(exe, &["sample", "--data", &data, "--output", &path_str(&out_dir), "--quiet", "--seed", "7", "--chains", "1"]);
        assert_eq!(out.code, 0, "{out:?}");
        let csv = std::fs::read_dir(&out_dir).expect("output").filter_map(Result::ok).map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "csv")).expect("a chain file");
        let text = std::fs::read_to_string(csv).expect("csv");
        draws.push(text.lines().filter(|l| !l.starts_with('#')).map(String::from).collect::<Vec<_>>());
    }
    assert!(draws[0].len() > 1000, "{} lines", draws[0].len());
    assert_eq!(draws[0], draws[1]);
}

#[test]
fn ctrl_c_during_sev_run_exits_130_without_a_compiler_error_or_temporary_files() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().expect("tempdir");
    // whether Ctrl-C finds Zig building or the program counting, the outcome is the same
    let source = write_json(dir.path(), "count.sirs.json", &counting(2_000_000_000));
    let private_tmp = dir.path().join("tmp");
    std::fs::create_dir(&private_tmp).expect("mkdir");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["run", &path_str(&source)])
        .env("SEV_CACHE_DIR", support::cache_dir())
        .env("TMPDIR", &private_tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("sev starts");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // SAFETY: killpg(2) on the process group of the child we started (a terminal's Ctrl-C).
    unsafe { libc::killpg(child.id() as i32, libc::SIGINT) };
    let status = wait_for(&mut child, 60).expect("sev run ends after Ctrl-C");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr).expect("stderr");
    assert_eq!(status.code(), Some(130), "{status:?}: {stderr}");
    assert!(!stderr.contains("internal compiler error"), "{stderr}");
    assert_eq!(dir_listing(&private_tmp), Vec::<String>::new(), "temporary directories are removed");
}

#[test]
fn sev_itself_reports_a_failed_write_to_stdout_instead_of_panicking() {
    let example = support::root().join("examples").join("hello_world.sirs.json");
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sev")).args(["build", "--emit", "zig", &path_str(&example)]).stdout(full).output().expect("sev runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.starts_with("error: cannot write to standard output: No space left on device"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // a reader that has gone: quietly 141
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["build", "--emit", "cir", &path_str(&example)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sev runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("sev ends");
    assert_eq!(out.status.code(), Some(141));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// A parameter whose size comes from the data may be empty when another parameter remains (the
/// summary then shows that one alone); when every parameter is empty there is nothing to
/// sample, and the sampler says so before sampling instead of reporting a constant `lp__`.
#[test]
fn zero_size_parameters_are_fine_beside_others_and_refused_when_nothing_remains() {
    let s = Sampler::new();
    let empty = s.data("empty.json", json!({"J": 0, "y": []}));
    let summary = s.path("summary.json");
    let out = run(&s.exe, &["sample", "--seed", "3", "--warmup", "500", "--draws", "1000", "--chains", "2", "--data", &empty, "--output", &s.path("out"), "--summary", &summary]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("theta"), "an empty parameter has no column:\n{}", out.stdout);
    let columns: Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("JSON");
    let mu = columns["columns"].as_array().expect("columns").iter().find(|c| c["name"] == "mu").expect("a mu column");
    let (mean, sd, mcse, rhat) = (mu["mean"].as_f64().expect("mean"), mu["sd"].as_f64().expect("sd"), mu["mcse_mean"].as_f64().expect("mcse"), mu["rhat"].as_f64().expect("rhat"));
    // mu ~ normal(0, 5) with nothing observed: the prior
    assert!(mean.abs() < 4.0 * mcse, "mean {mean} (MCSE {mcse})");
    assert!((sd - 5.0).abs() < 0.75, "sd {sd}");
    assert!(rhat < 1.05, "rhat {rhat}");

    let dir = tempfile::tempdir().expect("tempdir");
    let only_theta = program(
        json!([{"name": "J", "type": "i64"}, {"name": "y", "type": "[f64]"}]),
        json!([
            {"let": {"name": "theta", "value": {"sample": {"distribution": "normal", "params": [{"literal": 0.0}, {"literal": 1.0}], "size": {"var": "J"}}}}},
            {"observe": {"distribution": "normal", "params": [{"var": "theta"}, {"literal": 1.0}], "value": {"var": "y"}}}
        ]),
    );
    let exe = build(dir.path(), "only_theta", &only_theta);
    let out_dir = path_str(&dir.path().join("out"));
    for algorithm in ["nuts", "mh", "advi"] {
        let out = run(&exe, &["sample", "--seed", "3", "--quiet", "--algorithm", algorithm, "--data", &empty, "--output", &out_dir]);
        assert_eq!(out.code, 1, "{algorithm}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("the model samples no continuous parameter with this data: every one (`theta`) has size 0"), "{algorithm}: {}", out.stderr);
        assert!(out.stderr.contains("only_theta.sirs.json"), "{algorithm}: located: {}", out.stderr);
        assert!(!dir.path().join("out").exists(), "{algorithm}: output was written");
    }
}
