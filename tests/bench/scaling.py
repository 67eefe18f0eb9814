#!/usr/bin/env python3
"""Scaling benchmark: compile work must grow about linearly with the program.

It generates programs of growing size n (by default 1,000 to 100,000) in a few shapes that once
made the compiler slow, times `sev check` and `sev build --emit cir -O2` on each, and prints the
times and the growth exponent between consecutive sizes (log(t2/t1) / log(n2/n1): 1 is linear,
2 quadratic) and over the whole range (a least-squares fit of log t against log n):

* chain -- n one-line functions, each calling the previous one (`f_k(x) = f_{k-1}(x) + 1`);
* and   -- one `and` of n comparisons (`x > 0 and x > 1 and …`);
* calls -- a `main` of n statements, each printing a call of one of 10 small functions.

Every program must compile without diagnostics, else the benchmark stops. Each command runs
--runs times and the median CPU time (user + system of the child, which the load of a shared
machine disturbs less than wall time) is reported, with the median wall time beside it.

Usage (from the repository root):

    cargo build --release
    python3 tests/bench/scaling.py                         # sizes 1000 ... 100000, 3 runs
    python3 tests/bench/scaling.py --sizes 1000,4000 --shapes chain --runs 1
    python3 tests/bench/scaling.py --keep /tmp/scaling     # keep the generated programs

Options: --sev PATH (default target/release/sev, or $SEV_BIN), --sizes N,N,..., --shapes
chain,and,calls, --runs N, --timeout SECONDS (a command slower than this is reported as such and
larger sizes of that shape are skipped), --keep DIR. Nothing here needs Zig.
"""

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_SEV = os.environ.get("SEV_BIN", os.path.join(ROOT, "target", "release", "sev"))
COMMANDS = [("check", ["check"]), ("-O2 cir", ["build", "--emit", "cir", "-O2"])]


def lit(v):
    return {"literal": v}


def var(name):
    return {"var": name}


def op(kind, *args):
    return {"op": {"kind": kind, "args": list(args)}}


def call(function, *args):
    return {"call": {"function": function, "args": list(args)}}


def print_(e):
    return {"expression": call("print", e)}


def function(args, ret, body):
    return {"args": [{"name": n, "type": t} for n, t in args], "return": ret, "body": body}


def chain(n):
    """n functions, each a single line calling the previous one."""
    functions = {"f0": function([("x", "i64")], "i64", [{"return": var("x")}])}
    for k in range(1, n):
        functions[f"f{k}"] = function([("x", "i64")], "i64", [{"return": op("add", call(f"f{k - 1}", var("x")), lit(1))}])
    functions["main"] = {"body": [print_(call(f"f{n - 1}", lit(0)))]}
    return {"program": {"functions": functions}}


def and_chain(n):
    """One `and` of n comparisons of a value read at run time."""
    comparisons = [op("ge", var("x"), lit(k % 1000)) for k in range(n)]
    body = [
        {"let": {"name": "x", "value": call("len", var("args"))}},
        print_(op("and", *comparisons)),
    ]
    main = {"args": [{"name": "args", "type": "[str]"}], "return": "void", "body": body}
    return {"program": {"functions": {"main": main}}}


def calls(n):
    """A `main` of n statements calling 10 small functions."""
    functions = {}
    for k in range(10):
        functions[f"g{k}"] = function([("a", "i64"), ("b", "i64")], "i64", [
            {"return": op("add", op("mul", var("a"), lit(k + 1)), var("b"))}])
    body = [{"let": {"name": "acc", "value": lit(0), "mutable": True}}]
    for k in range(n):
        body.append({"assign": {"target": var("acc"), "value": call(f"g{k % 10}", var("acc"), lit(k % 7))}})
    body.append(print_(var("acc")))
    functions["main"] = {"body": body}
    return {"program": {"functions": functions}}


SHAPES = {"chain": chain, "and": and_chain, "calls": calls}


def run(sev, args, path, timeout):
    """(cpu seconds, wall seconds) of one run, or None after the timeout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        proc = subprocess.run([sev, *args, path], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or proc.stderr:
        sys.exit(f"{' '.join(args)} {path} failed ({proc.returncode}):\n{proc.stderr.decode()[:2000]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def exponent(sizes, times):
    """Least-squares slope of log t against log n."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(max(t, 1e-4)) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sev", default=DEFAULT_SEV)
    parser.add_argument("--sizes", default="1000,3000,10000,30000,100000")
    parser.add_argument("--shapes", default="chain,and,calls")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--keep")
    opts = parser.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",")]
    directory = opts.keep or tempfile.mkdtemp(prefix="sev-scaling-")
    os.makedirs(directory, exist_ok=True)
    print(f"sev: {opts.sev}   runs: {opts.runs}   load: {os.getloadavg()[0]:.2f}")
    rows = []
    for shape in opts.shapes.split(","):
        for label, args in COMMANDS:
            measured = []
            for n in sizes:
                path = os.path.join(directory, f"{shape}_{n}.sirs.json")
                if not os.path.exists(path):
                    with open(path, "w") as f:
                        json.dump(SHAPES[shape](n), f)
                results = [run(opts.sev, args, path, opts.timeout) for _ in range(opts.runs)]
                if any(r is None for r in results):
                    print(f"{shape:6} {label:8} n={n:>7}: over {opts.timeout:.0f} s, larger sizes skipped")
                    break
                cpu = statistics.median(r[0] for r in results)
                wall = statistics.median(r[1] for r in results)
                step = ""
                if measured:
                    n0, t0 = measured[-1]
                    step = f"   step exponent {math.log(max(cpu, 1e-4) / max(t0, 1e-4)) / math.log(n / n0):.2f}"
                print(f"{shape:6} {label:8} n={n:>7}: cpu {cpu:8.3f} s   wall {wall:8.3f} s{step}", flush=True)
                measured.append((n, cpu))
            if len(measured) >= 2:
                fit = exponent([m[0] for m in measured], [m[1] for m in measured])
                rows.append((shape, label, measured, fit))
    print("\n| shape | command | " + " | ".join(f"n = {n:,}" for n in sizes) + " | exponent |")
    print("|---|---|" + "---|" * len(sizes) + "---|")
    for shape, label, measured, fit in rows:
        cells = [f"{t:.2f} s" for _, t in measured] + ["—"] * (len(sizes) - len(measured))
        print(f"| {shape} | `{label}` | " + " | ".join(cells) + f" | {fit:.2f} |")
    if not opts.keep:
        for name in os.listdir(directory):
            os.remove(os.path.join(directory, name))
        os.rmdir(directory)


if __name__ == "__main__":
    main()
