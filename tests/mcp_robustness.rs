//! `sev mcp` under hostile input: 1,000 malformed (cut short, not UTF-8), oversized, mistyped,
//! unknown and deeply nested requests sent without waiting (so up to four are handled at
//! once), a cancelled build and a cancelled run, pings answered during a build, the run tool's
//! time limit and output cap, `run` refused without `--allow-run`, a 20,000-function call
//! chain, and both protocol eras on the wire. The server must stay up and answer every request
//! that has an id (and each unreadable line with an error whose id is null).

mod support;
#[path = "mcp/harness.rs"]
mod harness;

use harness::Raw;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const BROKEN: &str = r#"{"program": {"functions": {"main": {"args": [], "return": "void", "body": [{"let": {"name": "x", "type": "i32", "value": {"literal": "seven"}}}]}}}}"#;

/// What the answer to one hostile message must be.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Error(i64),
    /// A `tools/call` result; `isError` as given.
    Tool(bool),
    Empty,
}

fn call(id: u64, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "check", "arguments": arguments}})
}

/// The `i`-th hostile message: its bytes, and what must come back (`None`: an error with a
/// null id, because no id can be read from it).
fn hostile(i: u64) -> (Vec<u8>, Option<Expect>) {
    let ping = json!({"jsonrpc": "2.0", "id": i, "method": "ping"}).to_string();
    match i % 12 {
        0 if i.is_multiple_of(24) => (vec![b'{', 0xff, 0xfe, b'}'], None),
        0 => (ping.as_bytes()[..ping.len() - 3].to_vec(), None),
        1 => (format!("[{ping}]").into_bytes(), None),
        2 => (call(i, json!({"program": 42})).to_string().into_bytes(), Some(Expect::Error(-32602))),
        3 if i.is_multiple_of(2) => (json!({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": "check"}}).to_string().into_bytes(), Some(Expect::Error(-32602))),
        3 => (call(i, json!({"programm": BROKEN})).to_string().into_bytes(), Some(Expect::Error(-32602))),
        4 => (json!({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": format!("no_such_tool_{i}"), "arguments": {}}}).to_string().into_bytes(), Some(Expect::Error(-32602))),
        5 => (json!({"jsonrpc": "2.0", "id": i, "method": format!("tools/unknown_{i}")}).to_string().into_bytes(), Some(Expect::Error(-32601))),
        6 => {
            let depth = 2000 + (i as usize % 7) * 1000;
            (format!(r#"{{"jsonrpc":"2.0","id":{i},"method":"ping","params":{{"deep":{}{}}}}}"#, "[".repeat(depth), "]".repeat(depth)).into_bytes(), None)
        }
        7 => (json!({"jsonrpc": "2.0", "id": i, "method": "ping", "params": 5}).to_string().into_bytes(), Some(Expect::Error(-32602))),
        8 => {
            let meta = json!({"io.modelcontextprotocol/protocolVersion": "1999-01-01", "io.modelcontextprotocol/clientCapabilities": {}});
            (json!({"jsonrpc": "2.0", "id": i, "method": "tools/list", "params": {"_meta": meta}}).to_string().into_bytes(), Some(Expect::Error(-32022)))
        }
        9 => (call(i, json!({"program": BROKEN})).to_string().into_bytes(), Some(Expect::Tool(true))),
        10 => (ping.into_bytes(), Some(Expect::Empty)),
        _ => {
            let depth = 300 + (i as usize % 5) * 1000;
            let program = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            (call(i, json!({"program": program})).to_string().into_bytes(), Some(Expect::Tool(true)))
        }
    }
}

fn big_program(megabytes: usize) -> String {
    let filler = "a".repeat(megabytes << 20);
    format!(r#"{{"program": {{"functions": {{"main": {{"args": [], "return": "void", "body": [{{"let": {{"name": "s", "value": {{"literal": "{filler}"}}}}}}]}}}}}}}}"#)
}

#[test]
fn a_thousand_hostile_requests_are_all_answered_and_the_server_stays_up() {
    let mut server = Raw::start(&["--allow-run"]);
    let mut expected: BTreeMap<u64, Expect> = BTreeMap::new();
    let mut null_ids = 0;
    for i in 0..996 {
        let (bytes, expect) = hostile(i);
        server.send_bytes(&bytes);
        match expect {
            Some(e) => {
                expected.insert(i, e);
            }
            None => null_ids += 1,
        }
    }
    // Two 10 MB programs (a valid one with a huge string, and the same cut short), an id that
    // is an object, and a response from the "client" (which gets no answer, as JSON-RPC says).
    let big = big_program(10);
    server.send(&call(996, json!({"program": big})));
    expected.insert(996, Expect::Tool(false));
    server.send(&call(997, json!({"program": &big[..big.len() - 40]})));
    expected.insert(997, Expect::Tool(true));
    server.send(&json!({"jsonrpc": "2.0", "id": {"not": "valid"}, "method": "ping"}));
    null_ids += 1;
    server.send(&json!({"jsonrpc": "2.0", "id": 999, "result": {}}));
    server.send(&json!({"jsonrpc": "2.0", "id": 1000, "method": "ping"}));
    expected.insert(1000, Expect::Empty);

    let mut answered: BTreeMap<u64, Value> = BTreeMap::new();
    let mut null_answers = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    while answered.len() < expected.len() || null_answers < null_ids {
        let left = deadline.saturating_duration_since(Instant::now());
        let Some(message) = server.next(left) else {
            panic!("{} of {} ids and {null_answers} of {null_ids} null-id errors answered before the deadline", answered.len(), expected.len());
        };
        match message["id"].as_u64() {
            Some(id) => assert!(answered.insert(id, message).is_none(), "id {id} answered twice"),
            None if message["id"].is_null() => {
                assert!(message["error"]["code"].as_i64().is_some_and(|c| c == -32700 || c == -32600), "{message}");
                null_answers += 1;
            }
            None => panic!("unexpected message {message}"),
        }
    }
    for (id, expect) in &expected {
        let message = &answered[id];
        match expect {
            Expect::Error(code) => assert_eq!(message["error"]["code"], json!(code), "id {id}: {message}"),
            Expect::Tool(is_error) => assert_eq!(message["result"]["isError"], json!(is_error), "id {id}: {}", message.to_string().chars().take(400).collect::<String>()),
            Expect::Empty => assert_eq!(message["result"], json!({}), "id {id}"),
        }
    }
    assert!(!answered.contains_key(&999), "a client response is not answered");
    // A misspelt argument is named, with the one meant.
    let misspelt = answered[&3]["error"]["message"].as_str().expect("message");
    assert!(misspelt.contains("\"programm\"") && misspelt.contains("did you mean \"program\"?"), "{misspelt}");
    // The deeply nested program is refused with a located diagnostic, not a crash.
    let nested = &answered[&11]["result"]["structuredContent"]["diagnostics"][0];
    assert_eq!(nested["code"], "E0006", "{nested}");
    assert!(server.is_running());
    assert!(server.finish().success());
}

/// A program that cannot be in the artifact cache yet (its output names this moment).
fn fresh_program() -> String {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!(r#"{{"program": {{"functions": {{"main": {{"args": [], "return": "void", "body": [{{"expression": {{"call": {{"function": "print", "args": [{{"literal": "{stamp}"}}]}}}}}}]}}}}}}}}"#)
}

const FOREVER: &str = r#"{"program": {"functions": {"main": {"args": [], "return": "void", "body": [
  {"let": {"name": "i", "mutable": true, "type": "i64", "value": {"literal": 0}}},
  {"while": {"condition": {"literal": true}, "body": [{"assign": {"target": {"var": "i"}, "value": {"op": {"kind": "add", "args": [{"var": "i"}, {"literal": 1}]}}}},
    {"if": {"condition": {"op": {"kind": "eq", "args": [{"op": {"kind": "mod", "args": [{"var": "i"}, {"literal": 1000000000}]}}, {"literal": 0}]}}, "then": [{"assign": {"target": {"var": "i"}, "value": {"literal": 0}}}]}}]}}
]}}}}"#;

const CHATTY: &str = r#"{"program": {"functions": {"main": {"args": [], "return": "void", "body": [
  {"for": {"variable": "i", "iterable": {"range": {"start": {"literal": 0}, "end": {"literal": 100000}}}, "body": [
    {"expression": {"call": {"function": "print", "args": [{"literal": "a line of output that repeats"}]}}}]}}
]}}}}"#;

#[test]
fn pings_are_answered_during_a_build_and_cancelled_calls_send_nothing() {
    let mut server = Raw::start(&["--allow-run", "--time-limit", "60"]);
    server.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "build", "arguments": {"program": fresh_program()}, "_meta": {"progressToken": "b"}}}));
    // The build reports its first step, then a ping is answered while Zig still runs.
    let first = server.next(Duration::from_secs(30)).expect("a progress notification");
    assert_eq!(first["method"], "notifications/progress", "{first}");
    let asked = Instant::now();
    server.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}));
    let pong = server.response(&json!(2), Duration::from_secs(5));
    assert_eq!(pong["result"], json!({}));
    let waited = asked.elapsed();
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1, "reason": "test"}}));
    // A long run is cancelled too: the program is killed and nothing is sent for it.
    server.send(&json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "run", "arguments": {"program": FOREVER}}}));
    std::thread::sleep(Duration::from_secs(2));
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3}}));
    server.send(&json!({"jsonrpc": "2.0", "id": 4, "method": "ping"}));
    let _ = server.response(&json!(4), Duration::from_secs(5));
    // Whatever arrives until the server has finished everything, none of it answers 1 or 3.
    let started = Instant::now();
    server.send(&json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "check", "arguments": {"program": BROKEN}}}));
    loop {
        let message = server.next(Duration::from_secs(120)).expect("the check is answered");
        assert!(message["id"] != json!(1) && message["id"] != json!(3), "a cancelled call was answered: {message}");
        if message["id"] == json!(5) {
            break;
        }
    }
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(waited < Duration::from_secs(5), "ping took {waited:?}");
    std::thread::sleep(Duration::from_secs(1));
    while let Some(message) = server.next(Duration::from_millis(200)) {
        assert!(message["id"] != json!(1) && message["id"] != json!(3), "a cancelled call was answered: {message}");
    }
    assert!(server.finish().success());
}

#[test]
fn run_has_a_time_limit_and_an_output_cap_and_needs_allow_run() {
    let mut server = Raw::start(&["--allow-run", "--time-limit", "3", "--output-cap", "1000"]);
    let stopped = server.call(1, "run", json!({"program": FOREVER, "timeout_ms": 500}));
    let result = &stopped["result"]["structuredContent"];
    assert_eq!(result["timed_out"], true, "{result}");
    assert_eq!(stopped["result"]["isError"], true);
    assert!(result["elapsed_ms"].as_u64().is_some_and(|ms| (500..3000).contains(&ms)), "{result}");
    let chatty = server.call(2, "run", json!({"program": CHATTY}));
    let result = &chatty["result"]["structuredContent"];
    assert_eq!(result["truncated"], true);
    assert_eq!(result["stdout"].as_str().map(str::len), Some(1000));
    assert_eq!(result["exit_code"], 0);
    assert!(server.finish().success());

    let mut locked = Raw::start(&[]);
    let refused = locked.call(1, "run", json!({"program": CHATTY}));
    assert_eq!(refused["result"]["isError"], true);
    assert!(refused["result"]["structuredContent"]["message"].as_str().is_some_and(|m| m.contains("--allow-run")));
    assert!(locked.finish().success());
}

/// main → f0 → f1 → … → f(n-1): as deep a call graph as a program of that size can have.
fn call_chain(n: usize) -> String {
    let mut functions = serde_json::Map::new();
    functions.insert("main".into(), json!({"args": [], "return": "void", "body": [{"expression": {"call": {"function": "print", "args": [{"call": {"function": "f0", "args": []}}]}}}]}));
    for i in 0..n {
        let value = if i + 1 < n { json!({"call": {"function": format!("f{}", i + 1), "args": []}}) } else { json!({"literal": 1}) };
        functions.insert(format!("f{i}"), json!({"args": [], "return": "i64", "body": [{"return": value}]}));
    }
    json!({"program": {"functions": functions}}).to_string()
}

#[test]
fn analyses_of_a_20_000_function_call_chain_are_answered() {
    let program = call_chain(20_000);
    let mut server = Raw::start(&[]);
    let reach = server.call(1, "reachability", json!({"program": program, "to": "f19999"}));
    assert_eq!(reach["result"]["structuredContent"]["path"].as_array().map(Vec::len), Some(20_001), "{}", reach.to_string().chars().take(300).collect::<String>());
    let cycles = server.call(2, "find_cycles", json!({"program": program}));
    assert_eq!(cycles["result"]["structuredContent"]["cycles"], json!([]));
    assert_eq!(cycles["result"]["structuredContent"]["ok"], true);
    assert!(server.finish().success());
}

#[test]
fn both_eras_on_the_wire() {
    let mut server = Raw::start(&[]);
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"}});
    server.send(&json!({"jsonrpc": "2.0", "id": "d", "method": "server/discover", "params": {"_meta": meta}}));
    let discover = server.response(&json!("d"), Duration::from_secs(10))["result"].clone();
    assert_eq!(discover["supportedVersions"][0], "2026-07-28");
    assert!(discover["supportedVersions"].as_array().is_some_and(|v| v.contains(&json!("2025-11-25"))));
    assert_eq!(discover["resultType"], "complete");
    assert_eq!(discover["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "sev");
    assert_eq!((discover["ttlMs"].is_u64(), discover["cacheScope"].is_string()), (true, true));
    server.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "check", "arguments": {"program": BROKEN}, "_meta": meta}}));
    let call = server.response(&json!(1), Duration::from_secs(30));
    assert_eq!((call["result"]["resultType"].clone(), call["result"]["isError"].clone()), (json!("complete"), json!(true)));
    let mut missing_capabilities = meta.clone();
    missing_capabilities.as_object_mut().map(|m| m.remove("io.modelcontextprotocol/clientCapabilities"));
    server.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"_meta": missing_capabilities}}));
    assert_eq!(server.response(&json!(2), Duration::from_secs(10))["error"]["code"], -32602);
    let mut old = meta.clone();
    old["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    server.send(&json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": old}}));
    let error = server.response(&json!(3), Duration::from_secs(10))["error"].clone();
    assert_eq!((error["code"].clone(), error["data"]["requested"].clone()), (json!(-32022), json!("2099-01-01")));
    // The handshake: a supported version is echoed, another gets the newest handshake version.
    for (asked, answered) in [("2025-06-18", "2025-06-18"), ("2024-11-05", "2024-11-05"), ("1999-01-01", "2025-11-25")] {
        server.send(&json!({"jsonrpc": "2.0", "id": asked, "method": "initialize", "params": {"protocolVersion": asked, "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}));
        let init = server.response(&json!(asked), Duration::from_secs(10))["result"].clone();
        assert_eq!(init["protocolVersion"], answered);
        assert_eq!(init["capabilities"]["tools"]["listChanged"], false);
        assert!(init.get("resultType").is_none(), "legacy results carry no resultType");
    }
    assert!(server.finish().success());
}
