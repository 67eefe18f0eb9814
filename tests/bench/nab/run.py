#!/usr/bin/env python3
"""Runs an anomaly detector of examples/anomaly/ over every NAB series and scores it.

    python3 tests/bench/nab/run.py DETECTOR [--then STAGE] [--column NAME] [--nab DIR] [--out DIR]
                                   [--sev PATH] [--json FILE] [-- DETECTOR ARGS]

DETECTOR is a program name in examples/anomaly/ (`bocpd`, ...). The program is built once
with `sev build --release`, then run on each of the 58 data files (the file path is its last
argument); its stdout must be a CSV with a header and one row per data row holding an
`anomaly_probability` column (or the column named by --column; give --column several times to
score several columns of one run, each under NAME-COLUMN). With `--then STAGE` the
detector's output is piped into a second program of examples/anomaly/ (such as `alerting`),
whose output is scored instead. The harness writes NAB-format result files
(<out>/<NAME>/<category>/<NAME>_<file>.csv, NAME = the detector name without `_`), scores
them with score.py (optimised thresholds and the fixed threshold 0.5) and prints the scores,
the detector's total CPU time, rows per second and microseconds per row. `--json FILE` also
writes the report as JSON. The NAB folder defaults to $SEV_DATA/nab, else ../shared/data/nab.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
import score  # noqa: E402  (the scorer beside this file)


def default_nab():
    data = os.environ.get("SEV_DATA") or os.path.join(ROOT, "..", "shared", "data")
    return os.path.join(data, "nab")


def build(sev, detector, out_dir):
    source = os.path.join(ROOT, "examples", "anomaly", f"{detector}.sirs.json")
    os.makedirs(os.path.join(out_dir, "bin"), exist_ok=True)
    exe = os.path.join(out_dir, "bin", detector)
    done = subprocess.run([sev, "build", "--release", source, "-o", exe], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"run.py: building {source} failed:\n{done.stderr}")
    return exe


def run_series(exe, args, data_path, then=None, columns=("anomaly_probability",)):
    """The detector's values of each scored column for one file, and its CPU time (user + system) in
    seconds: the machine may be shared, so wall time would measure the neighbours too."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([exe, *args, data_path], capture_output=True, text=True)
    if done.returncode == 0 and then:
        done = subprocess.run([then], input=done.stdout, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"run.py: {done.args[0]} failed on {data_path} (exit {done.returncode}):\n{done.stderr}")
    rows = list(csv.DictReader(done.stdout.splitlines()))
    for column in columns:
        if not rows or column not in rows[0]:
            raise SystemExit(f"run.py: no {column} column in the output for {data_path}")
    return {c: [float(r[c]) for r in rows] for c in columns}, elapsed


def write_result(nab_dir, results_dir, name, series, probabilities):
    with open(os.path.join(nab_dir, "data", series.key), newline="") as f:
        rows = list(csv.reader(f))[1:]
    if len(rows) != len(probabilities):
        raise SystemExit(f"run.py: {series.key}: {len(probabilities)} output rows for {len(rows)} data rows")
    path = score.result_path(results_dir, name, series.key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["timestamp", "value", "anomaly_score", "label"])
        for i, ((t, v), a) in enumerate(zip(rows, probabilities)):
            inside = any(lo <= i <= hi for lo, hi in series.windows)
            out.writerow([t, v, repr(min(max(a, 0.0), 1.0)), int(inside)])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("detector")
    parser.add_argument("--then", help="a second program of examples/anomaly/ reading the detector's output")
    parser.add_argument("--column", action="append", help="an output column to score (default anomaly_probability; repeatable)")
    parser.add_argument("--nab", default=default_nab())
    parser.add_argument("--out", help="results folder (default: a temporary one)")
    parser.add_argument("--sev", default=os.path.join(ROOT, "target", "debug", "sev"))
    parser.add_argument("--json", help="also write the report to this file")
    own, rest = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    args = parser.parse_args(own)
    args.rest = rest
    name = (args.detector + (args.then or "")).replace("_", "")
    columns = args.column or ["anomaly_probability"]
    names = {c: name if len(columns) == 1 else f"{name}-{c.replace('_', '')}" for c in columns}
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or tmp
        exe = build(args.sev, args.detector, tmp)
        then = build(args.sev, args.then, tmp) if args.then else None
        corpus, _ = score.load_corpus(args.nab)
        total_time = 0.0
        total_rows = 0
        for series in corpus:
            data = os.path.join(args.nab, "data", series.key)
            scored, elapsed = run_series(exe, args.rest, data, then, columns)
            total_time += elapsed
            total_rows += len(scored[columns[0]])
            for column in columns:
                write_result(args.nab, out, names[column], series, scored[column])
        reports = [score.score(args.nab, out, names[c], [0.5]) for c in columns]
    for column, report in zip(columns, reports):
        report["detector"] = args.detector + (f" | {args.then}" if args.then else "")
        report["column"] = column
        report["args"] = args.rest
        report["rows"] = total_rows
        report["seconds"] = total_time
        score.print_report(report)
    report = reports[0] if len(reports) == 1 else {"reports": reports, "rows": total_rows, "seconds": total_time}
    print(f"{total_rows} rows in {total_time:.3f} s of CPU time (58 processes, one core each): "
          f"{total_rows / total_time:,.0f} rows/s, {1e6 * total_time / total_rows:.2f} µs per row")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
