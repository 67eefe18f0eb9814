#!/usr/bin/env python3
"""What each CIR optimisation pass buys, measured in one run: for every program, each pass
alone and the whole -O2 pipeline against -O0, as ratios (config / -O0; below 1 is better):

* zig size   -- bytes of generated Zig (`sev build --emit zig`);
* build time -- wall time of `sev build` with a cold artifact cache and a fresh source path
  (so Zig really compiles the program; its cache of compiler_rt and the sampler stays warm);
* run time   -- best of --reps runs of the binary, the configurations interleaved; for models,
  time per gradient: the wall time of `sample` (1 chain, --draws warmup and draws, warmup saved)
  divided by the leapfrog steps in the CSV (the draws are identical at every level, so every
  configuration does the same work).
A configuration whose Zig is byte-identical to -O0's is reported as `same code` (ratio 1 by
construction) instead of being timed again: on a shared machine, timing noise is larger than
the effects measured here.

Programs: the example programs that run without arguments and exit 0, and the example models
(examples/posteriordb/ with tests/data/, and logistic regression), plus the benchmark programs
in tests/bench/opt_programs/ (a loop-heavy program and a model with data-only work in its
log density).

Usage:
  cargo build --release              # or SEV_BIN=target/debug/sev
  python3 tests/bench/opt_passes.py [--mode debug|release] [--reps 5] [--draws 1500] [--only NAME,...] [--out DIR]
The table is printed as Markdown (the form docs/performance.md records) and written to
OUT/opt_passes.md with the raw numbers in OUT/opt_passes.json.
"""
import argparse
import csv
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEV = os.environ.get("SEV_BIN", os.path.join(ROOT, "target", "release", "sev"))
CONFIGS = [("-O0", ["-O0"]), ("inline", ["--passes", "inline"]), ("fold", ["--passes", "fold"]),
           ("strength", ["--passes", "strength"]), ("licm", ["--passes", "licm"]),
           ("datacache", ["--passes", "datacache"]), ("dce", ["--passes", "dce"]), ("-O2", ["-O2"])]


def programs():
    out = []
    models = ["logistic_regression", "centred_regression"]
    skip = {"args", "bounds_fault", "overflow_fault", "uncaught_exception", "logistic_regression_glm", "mixture_model", *models}
    for path in sorted(glob.glob(os.path.join(ROOT, "examples", "*.sirs.json"))):
        name = os.path.basename(path)[: -len(".sirs.json")]
        if name not in skip:
            out.append((name, path, None))
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "bench", "opt_programs", "*.sirs.json"))):
        name = os.path.basename(path)[: -len(".sirs.json")]
        data = path[: -len(".sirs.json")] + ".data.json"
        out.append((name, path, data if os.path.exists(data) else None))
    for name in models:
        out.append((name, os.path.join(ROOT, "examples", name + ".sirs.json"), os.path.join(ROOT, "examples", name + ".data.json")))
    for path in sorted(glob.glob(os.path.join(ROOT, "examples", "posteriordb", "*.sirs.json"))):
        name = os.path.basename(path)[: -len(".sirs.json")]
        data = os.path.join(ROOT, "tests", "data", name + ".json")
        if os.path.exists(data):
            out.append((name, path, data))
    return out


def run(cmd, env=None, cwd=None):
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    return p, time.perf_counter() - t


def build(name, path, flags, mode, cache, work):
    """Emits and builds one configuration; returns (zig text, build seconds, executable)."""
    env = dict(os.environ, SEV_CACHE_DIR=cache)
    p, _ = run([SEV, "build", path, "--emit", "zig"] + flags, env)
    if p.returncode != 0:
        raise RuntimeError(f"{name} {flags}: {p.stderr}")
    # A fresh directory name gives a fresh `sev_source_file`, so Zig compiles the program anew.
    fresh = os.path.join(work, uuid.uuid4().hex)
    os.makedirs(fresh)
    copy = os.path.join(fresh, os.path.basename(path))
    shutil.copy(path, copy)
    shutil.rmtree(os.path.join(cache, "artifacts"), ignore_errors=True)
    exe = os.path.join(fresh, "program")
    cmd = [SEV, "build", copy, "-o", exe] + flags + (["--release"] if mode == "release" else [])
    q, seconds = run(cmd, env)
    if q.returncode != 0:
        raise RuntimeError(f"{name} {flags}: build failed: {q.stderr}")
    return p.stdout, seconds, exe


def run_once(name, exe, data, draws):
    """One run: seconds (plain program) or seconds per gradient (model)."""
    cwd = os.path.dirname(exe)
    if data is None:
        p, t = run([exe], cwd=cwd)
        if p.returncode != 0:
            raise RuntimeError(f"{name}: exit {p.returncode}: {p.stderr}")
        return t
    outdir = os.path.join(cwd, "out")
    shutil.rmtree(outdir, ignore_errors=True)
    p, t = run([exe, "sample", "--data", data, "--seed", "7", "--chains", "1", "--threads", "1", "--warmup", str(draws),
                "--draws", str(draws), "--save-warmup", "--quiet", "--output", outdir], cwd=cwd)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{name}: exit {p.returncode}: {p.stderr}")
    steps = 0
    for f in glob.glob(os.path.join(outdir, "*.csv")):
        with open(f) as fh:
            rows = csv.DictReader(line for line in fh if not line.startswith("#"))
            steps += sum(int(float(r["n_leapfrog__"])) for r in rows)
    return t / max(steps, 1)


def measure(name, path, data, mode, reps, draws, cache, work):
    """All configurations of one program; runs are interleaved (round robin, best of `reps`)
    so that drift in the machine's load affects every configuration alike. A configuration
    whose Zig is identical to -O0's shares -O0's binary and timings (marked `same`)."""
    built = {}
    for label, flags in CONFIGS:
        built[label] = build(name, path, flags, mode, cache, work)
    base_text = built["-O0"][0]
    distinct = [c for c, _ in CONFIGS if c == "-O0" or built[c][0] != base_text]
    best = {}
    for _ in range(reps):
        for c in distinct:
            t = run_once(name, built[c][2], data, draws)
            best[c] = min(best.get(c, t), t)
    out = {}
    for c, _ in CONFIGS:
        same = c not in distinct
        key = "-O0" if same else c
        out[c] = {"size": len(built[c][0].encode()), "build": built[key][1], "run": best[key], "model": data is not None, "same": same}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["debug", "release"], default="debug")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--draws", type=int, default=1500, help="warmup and draws per model run")
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "sev-opt-bench"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cache = os.path.join(args.out, "cache")
    work = os.path.join(args.out, "work")
    os.makedirs(work, exist_ok=True)
    wanted = set(filter(None, args.only.split(",")))
    results = {}
    for name, path, data in programs():
        if wanted and name not in wanted:
            continue
        results[name] = measure(name, path, data, args.mode, args.reps, args.draws, cache, work)
        print(f"{name:28} {results[name]}", file=sys.stderr, flush=True)
    with open(os.path.join(args.out, "opt_passes.json"), "w") as fh:
        json.dump(results, fh, indent=1)
    lines = [f"Ratios against -O0 ({args.mode} builds; size = Zig bytes, build = `sev build` wall time, "
             "run = best run time, or time per gradient for models):", "",
             "| program | -O0 size / build / run | " + " | ".join(f"{c} size / build / run" for c, _ in CONFIGS[1:]) + " |",
             "|---|---|" + "---|" * (len(CONFIGS) - 1)]
    geo = {c: [1.0, 1.0, 1.0, 0] for c, _ in CONFIGS[1:]}
    for name, r in results.items():
        base = r["-O0"]
        unit = "µs/grad" if base["model"] else "ms"
        scale = 1e6 if base["model"] else 1e3
        cells = [f"{base['size']} B / {base['build']:.1f} s / {base['run'] * scale:.2f} {unit}"]
        for c, _ in CONFIGS[1:]:
            x = r[c]
            ratios = (x["size"] / base["size"], x["build"] / base["build"], x["run"] / base["run"])
            g = geo[c]
            g[0] *= ratios[0]
            g[1] *= ratios[1]
            g[2] *= ratios[2]
            g[3] += 1
            cells.append("same code" if x["same"] else " / ".join(f"{v:.2f}" for v in ratios))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = ["1 / 1 / 1"]
    for c, _ in CONFIGS[1:]:
        g = geo[c]
        n = max(g[3], 1)
        cells.append(" / ".join(f"{v ** (1 / n):.2f}" for v in g[:3]))
    lines.append("| **geometric mean** | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    with open(os.path.join(args.out, "opt_passes.md"), "w") as fh:
        fh.write(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
