#!/usr/bin/env python3
"""Front-end benchmark: how long `sev check` and `sev build --emit cir` take on a large program.

It generates a realistic SIRS program of at least 10,000 lines (formatted like the examples:
an object or array stays on one line when it fits in 100 columns), made of many "modules", each
with a record type, an enum with payloads, and functions that build arrays of records in loops,
match on enums and integers (with guards), use maps and `Option`, mix integer and float
arithmetic through casts, and call each other. The program must check without diagnostics,
else the benchmark stops. Then it runs each command `--runs` times (after one warm-up run) and
prints the median wall time and CPU time (user + system, which the load of a shared machine
disturbs less), and the Markdown rows that docs/performance.md records.

Usage (from the repository root):

    cargo build --release
    python3 tests/bench/frontend.py                  # target/release/sev, 10,000+ lines, 5 runs
    python3 tests/bench/frontend.py --lines 50000 --runs 9 --keep /tmp/big.sirs.json

Options: --sev PATH (default target/release/sev), --lines N (minimum line count), --runs N,
--keep FILE (write the program there and keep it, e.g. to profile it with `perf record`).
Nothing here needs Zig: `check` stops after type checking and `--emit cir` after lowering and
optimisation.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

WIDTH = 100


# ----- A small builder for SIRS JSON --------------------------------------------------------------

def lit(v):
    return {"literal": v}


def var(n):
    return {"var": n}


def op(kind, *args):
    return {"op": {"kind": kind, "args": list(args)}}


def call(f, *args):
    return {"call": {"function": f, "args": list(args)}}


def field(o, f):
    return {"field": {"object": o, "field": f}}


def let(name, value, ty=None, mutable=False):
    d = {"name": name}
    if ty:
        d["type"] = ty
    d["value"] = value
    if mutable:
        d["mutable"] = True
    return {"let": d}


def assign(name, value):
    return {"assign": {"target": {"var": name}, "value": value}}


def expr(e):
    return {"expression": e}


def ret(e):
    return {"return": e}


def pr(e):
    return expr(call("print", e))


def for_range(v, start, end, body):
    return {"for": {"variable": v, "iterable": {"range": {"start": start, "end": end}}, "body": body}}


def for_each(v, it, body):
    return {"for": {"variable": v, "iterable": it, "body": body}}


def if_(c, then, else_=None):
    d = {"condition": c, "then": then}
    if else_ is not None:
        d["else"] = else_
    return {"if": d}


def case(pattern, body, guard=None):
    d = {"pattern": pattern}
    if guard is not None:
        d["guard"] = guard
    d["body"] = body
    return d


def enum_pat(ty, variant, value=None):
    d = {"type": ty, "variant": variant}
    if value is not None:
        d["value"] = value
    return {"enum": d}


def fn(args, ret_ty, body):
    return {"args": [{"name": n, "type": t} for n, t in args], "return": ret_ty, "body": body}


# ----- One module ---------------------------------------------------------------------------------

def module(i):
    item, event = f"Item{i}", f"Event{i}"
    types = {
        item: {"record": {"fields": {"id": "i64", "weight": "f64", "name": "str", "tags": "[str]"}}},
        event: {"enum": {"variants": {"Add": item, "Remove": "i64", "Scale": "f64", "Rename": "(i64, str)", "Clear": None}}},
    }
    functions = {}
    functions[f"make_items_{i}"] = fn([("n", "i64"), ("seed", "i64")], f"[{item}]", [
        let("items", {"array": []}, f"[{item}]", mutable=True),
        let("state", var("seed"), "i64", mutable=True),
        for_range("k", lit(0), var("n"), [
            assign("state", op("mod", op("add", op("mul", var("state"), lit(1103515245)), lit(12345)), lit(2147483648))),
            let("w", op("div", {"cast": {"value": op("mod", var("state"), lit(1000)), "type": "f64"}}, lit(10.0))),
            let("tags", {"array": [lit("t"), call("to_string", op("mod", var("k"), lit(7)))]}),
            if_(op("eq", op("mod", var("k"), lit(3)), lit(0)), [
                expr(call("push", var("tags"), lit("third"))),
            ]),
            expr(call("push", var("items"), {"record": {"type": item, "fields": {
                "id": var("k"), "weight": var("w"),
                "name": op("add", lit("item-"), call("to_string", var("k"))), "tags": var("tags")}}})),
        ]),
        ret(var("items")),
    ])
    # `tags` is pushed to, so it must be mutable: patch the let above.
    functions[f"make_items_{i}"]["body"][2]["for"]["body"][2]["let"]["mutable"] = True

    functions[f"apply_{i}"] = fn([("items", f"[{item}]"), ("e", event)], f"[{item}]", [
        let("out", var("items"), f"[{item}]", mutable=True),
        {"match": {"value": var("e"), "cases": [
            case(enum_pat(event, "Add", var("it")), [expr(call("push", var("out"), var("it")))]),
            case(enum_pat(event, "Remove", var("id")), [
                let("kept", {"array": []}, f"[{item}]", mutable=True),
                for_each("x", var("out"), [
                    if_(op("ne", field(var("x"), "id"), var("id")), [expr(call("push", var("kept"), var("x")))]),
                ]),
                assign("out", var("kept")),
            ]),
            case(enum_pat(event, "Scale", var("f")), [
                for_range("k", lit(0), call("len", var("out")), [
                    let("x", {"index": {"array": var("out"), "index": var("k")}}),
                    {"assign": {"target": {"index": {"array": "out", "index": var("k")}},
                                "value": {"update": {"value": var("x"), "fields": {
                                    "weight": op("mul", field(var("x"), "weight"), var("f"))}}}}},
                ]),
            ], guard=op("gt", var("f"), lit(0.0))),
            case(enum_pat(event, "Scale", "_"), [
                expr(call("print", lit("ignoring a non-positive scale"))),
            ]),
            case(enum_pat(event, "Rename", {"tuple": [var("id"), var("name")]}), [
                for_range("k", lit(0), call("len", var("out")), [
                    if_(op("eq", field({"index": {"array": var("out"), "index": var("k")}}, "id"), var("id")), [
                        {"assign": {"target": {"field": {"object": {"index": {"array": "out", "index": var("k")}}, "field": "name"}},
                                    "value": var("name")}},
                    ]),
                ]),
            ]),
            case(enum_pat(event, "Clear"), [assign("out", {"array": []})]),
        ]}},
        ret(var("out")),
    ])

    functions[f"classify_{i}"] = fn([("n", "i64")], "str", [
        {"match": {"value": var("n"), "cases": [
            case(lit(0), [ret(lit("zero"))]),
            case(lit(1), [ret(lit("one"))]),
            case(var("k"), [ret(lit("negative"))], guard=op("lt", var("k"), lit(0))),
            case(var("k"), [ret(lit("even"))], guard=op("eq", op("mod", var("k"), lit(2)), lit(0))),
            case("_", [ret(lit("odd"))]),
        ]}},
    ])

    functions[f"summarize_{i}"] = fn([("items", f"[{item}]")], "f64", [
        let("total", lit(0.0), "f64", mutable=True),
        let("count", lit(0), "i64", mutable=True),
        let("by_kind", {"map": []}, "map<str, i64>", mutable=True),
        for_each("x", var("items"), [
            assign("total", op("add", var("total"), field(var("x"), "weight"))),
            assign("count", op("add", var("count"), call("len", field(var("x"), "tags")))),
            let("kind", call(f"classify_{i}", field(var("x"), "id"))),
            {"match": {"value": call("map_get", var("by_kind"), var("kind")), "cases": [
                case(enum_pat("Option", "Some", var("c")), [
                    expr(call("map_insert", var("by_kind"), var("kind"), op("add", var("c"), lit(1)))),
                ]),
                case(enum_pat("Option", "None"), [expr(call("map_insert", var("by_kind"), var("kind"), lit(1)))]),
            ]}},
        ]),
        let("k", lit(0), "i64", mutable=True),
        {"while": {"condition": op("and", op("lt", var("k"), lit(10)), op("gt", var("total"), lit(1000.0))), "body": [
            assign("total", op("div", var("total"), lit(2.0))),
            assign("k", op("add", var("k"), lit(1))),
        ]}},
        if_(op("eq", var("count"), lit(0)), [ret(lit(0.0))]),
        ret(op("add", op("div", var("total"), {"cast": {"value": var("count"), "type": "f64"}}),
               {"cast": {"value": call("map_len", var("by_kind")), "type": "f64"}})),
    ])

    functions[f"run_{i}"] = fn([("seed", "i64")], "f64", [
        let("items", call(f"make_items_{i}", op("add", lit(5), op("mod", var("seed"), lit(7))), var("seed")), mutable=True),
        let("events", {"array": [
            {"enum": {"type": event, "variant": "Scale", "value": lit(1.5)}},
            {"enum": {"type": event, "variant": "Remove", "value": lit(2)}},
            {"enum": {"type": event, "variant": "Rename", "value": {"tuple": [lit(1), lit("renamed")]}}},
            {"enum": {"type": event, "variant": "Add", "value": {"record": {"type": item, "fields": {
                "id": lit(99), "weight": lit(2.5), "name": lit("extra"), "tags": {"array": []}}}}}},
        ]}),
        for_each("e", var("events"), [assign("items", call(f"apply_{i}", var("items"), var("e")))]),
        ret(call(f"summarize_{i}", var("items"))),
    ])
    return types, functions


def program(modules):
    types, functions = {}, {}
    for i in range(modules):
        t, f = module(i)
        types.update(t)
        functions.update(f)
    body = [let("total", lit(0.0), "f64", mutable=True)]
    for i in range(modules):
        body.append(assign("total", op("add", var("total"), call(f"run_{i}", lit(i)))))
    body.append(pr(var("total")))
    functions["main"] = fn([], "void", body)
    return {"program": {"entry": "main", "types": types, "functions": functions}}


# ----- Formatting like the examples ---------------------------------------------------------------

def fmt(value, indent=0):
    compact = json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    if len(compact) + indent <= WIDTH or not isinstance(value, (dict, list)) or not value:
        return compact
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {fmt(v, indent + 2).lstrip()}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + fmt(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def generate(min_lines):
    modules = 1
    while True:
        text = fmt(program(modules)) + "\n"
        lines = text.count("\n")
        if lines >= min_lines:
            return text, modules, lines
        modules = max(modules + 1, int(modules * min_lines / max(lines, 1)) + 1)


# ----- Timing -------------------------------------------------------------------------------------

def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd, runs):
    """Wall times and CPU times (user + system) of `runs` runs, after one warm-up run."""
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times, cpu = [], []
    for _ in range(runs):
        cpu_start = cpu_of_children()
        start = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        times.append(time.perf_counter() - start)
        cpu.append(cpu_of_children() - cpu_start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}")
    return times, cpu


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sev", default=os.path.join(root, "target", "release", "sev"))
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="write the generated program to this file and keep it")
    args = ap.parse_args()
    if not os.path.exists(args.sev):
        sys.exit(f"{args.sev} not found: run `cargo build --release` first")

    text, modules, lines = generate(args.lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or os.path.join(tmp, "frontend_bench.sirs.json")
        with open(path, "w") as f:
            f.write(text)
        check = subprocess.run([args.sev, "check", path], capture_output=True, text=True)
        if check.returncode != 0 or check.stderr.strip():
            sys.exit(f"the generated program does not check cleanly:\n{check.stderr[:4000]}")
        functions = modules * 5 + 1
        print(f"program: {lines} lines, {len(text.encode()) / 1e6:.2f} MB, {modules} modules, "
              f"{functions} functions, {modules * 2} types")
        rows = []
        for label, cmd in [("sev check", [args.sev, "check", path]),
                           ("sev build --emit cir", [args.sev, "build", path, "--emit", "cir"])]:
            times, cpu = timed(cmd, args.runs)
            med = statistics.median(times) * 1000
            med_cpu = statistics.median(cpu) * 1000
            print(f"{label:22} median {med:7.1f} ms (CPU {med_cpu:6.1f} ms)   runs: {', '.join(f'{t * 1000:.1f}' for t in times)}")
            rows.append(f"| `{label}` | {lines} | {med:.0f} ms | {min(times) * 1000:.0f}–{max(times) * 1000:.0f} ms | {med_cpu:.0f} ms |")
        print()
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        print("| command | lines | median wall time of %d | range | median CPU time |" % args.runs)
        print("|---|---|---|---|---|")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
