#!/usr/bin/env python3
"""A scorer for the Numenta Anomaly Benchmark, written from ../shared/data/nab/SCORING.md.

It reads a NAB data folder (data/, labels/combined_windows.json, config/profiles.json) and a
folder of NAB-format result files (<results>/<NAME>/<category>/<NAME>_<file>.csv with an
`anomaly_score` column, one row per data row), and prints, for the three profiles, the
in-sample optimised threshold and score as NAB computes them (SCORING.md sections 2 to 8) and
the score at fixed thresholds given with --fixed (section 9). Python standard library only.

    python3 score.py score NAB_DIR RESULTS_DIR NAME [--fixed 0.5 ...] [--json]
    python3 score.py oracle NAB_DIR RESULTS_DIR NAME first|last

`oracle` writes the label-only result files of SCORING.md section 10.2 (score 1 on the first
or the last row of every window, 0 elsewhere), used to check the window weights.
"""

import argparse
import bisect
import csv
import datetime
import json
import math
import os
import sys

PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")
NO_DETECTION = 1.1  # the threshold that detects nothing (scores are at most 1)


def probation(n):
    """Leading rows that are not scored (SCORING.md section 2)."""
    return min(15 * n // 100, 750)


def scaled_sigmoid(x):
    """The scaled sigmoid of SCORING.md section 4."""
    if x > 3:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * x)) - 1.0


def parse_time(text):
    """A data or window timestamp (`YYYY-MM-DD HH:MM:SS[.ffffff]`) as a datetime."""
    text = text.strip()
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in text else "%Y-%m-%d %H:%M:%S"
    return datetime.datetime.strptime(text, fmt)


class Series:
    """One data file: its row count and its windows as row ranges (inclusive)."""

    def __init__(self, key, times, windows):
        self.key = key
        self.n = len(times)
        self.windows = [(first_index(times, s, key), first_index(times, e, key)) for s, e in windows]

    def weights(self, profile):
        """(weight, window index or None) for every scored row, in row order (section 4)."""
        tp, fp = profile["tpWeight"], profile["fpWeight"]
        ends = [r for _, r in self.windows]
        out = []
        for i in range(probation(self.n), self.n):
            inside = next((k for k, (lo, hi) in enumerate(self.windows) if lo <= i <= hi), None)
            if inside is not None:
                lo, hi = self.windows[inside]
                width = hi - lo + 1
                out.append((tp * scaled_sigmoid(-(hi - i + 1) / width) / scaled_sigmoid(-1.0), inside))
                continue
            before = bisect.bisect_left(ends, i) - 1
            if before < 0:
                out.append((-fp, None))
            else:
                lo, hi = self.windows[before]
                out.append((fp * scaled_sigmoid((i - hi) / (hi - lo)), None))
        return out


def first_index(times, stamp, key):
    target = parse_time(stamp)
    for i, t in enumerate(times):
        if t == target:
            return i
    raise SystemExit(f"score.py: window boundary {stamp} is not a timestamp of {key}")


def load_corpus(nab_dir):
    """The series named in combined_windows.json and the three profiles."""
    with open(os.path.join(nab_dir, "labels", "combined_windows.json")) as f:
        windows = json.load(f)
    with open(os.path.join(nab_dir, "config", "profiles.json")) as f:
        profiles = {name: p["CostMatrix"] for name, p in json.load(f).items()}
    corpus = []
    for key in sorted(windows):
        with open(os.path.join(nab_dir, "data", key), newline="") as f:
            rows = list(csv.reader(f))[1:]
        corpus.append(Series(key, [parse_time(r[0]) for r in rows], windows[key]))
    return corpus, profiles


def result_path(results_dir, name, key):
    category, file = key.split("/")
    return os.path.join(results_dir, name, category, f"{name}_{file}")


def read_scores(results_dir, name, series):
    """The anomaly_score column of the series' result file, checked against the data."""
    path = result_path(results_dir, name, series.key)
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if "anomaly_score" not in (reader.fieldnames or []):
            raise SystemExit(f"score.py: {path}: no anomaly_score column")
        scores = []
        for line, row in enumerate(reader, start=2):
            try:
                a = float(row["anomaly_score"])
            except (TypeError, ValueError):
                raise SystemExit(f"score.py: {path}:{line}: anomaly_score is not a number: {row['anomaly_score']!r}")
            if not 0.0 <= a <= 1.0:
                raise SystemExit(f"score.py: {path}:{line}: anomaly_score {a} is outside [0, 1]")
            scores.append(a)
    if len(scores) != series.n:
        raise SystemExit(f"score.py: {path}: {len(scores)} rows, the data file has {series.n}")
    return scores


class Scored:
    """Every scored row of the corpus for one profile: (score, weight, window id or None)."""

    def __init__(self, corpus, scores, profile):
        self.profile = profile
        self.rows = []
        self.window_count = 0
        for series, a in zip(corpus, scores):
            base = self.window_count
            for offset, (w, k) in enumerate(series.weights(profile)):
                i = probation(series.n) + offset
                self.rows.append((a[i], w, None if k is None else base + k))
            self.window_count += len(series.windows)

    def at(self, threshold):
        """Raw score, windows hit, detected rows in and out of windows at one threshold."""
        best = [None] * self.window_count
        outside = 0.0
        tp_rows = fp_rows = 0
        for a, w, k in self.rows:
            if a < threshold:
                continue
            if k is None:
                outside += w
                fp_rows += 1
            else:
                tp_rows += 1
                best[k] = w if best[k] is None else max(best[k], w)
        fn = self.profile["fnWeight"]
        raw = outside + sum(-fn if b is None else b for b in best)
        hits = sum(b is not None for b in best)
        return {"threshold": threshold, "raw": raw, "windows_hit": hits, "tp_rows": tp_rows, "fp_rows": fp_rows}

    def optimise(self):
        """The threshold with the largest raw score; ties go to the larger threshold (section 7)."""
        order = sorted(self.rows, key=lambda r: -r[0])
        fn = self.profile["fnWeight"]
        best = [-fn] * self.window_count
        window_sum = -fn * self.window_count
        outside = 0.0
        top_t, top_s = NO_DETECTION, window_sum
        i = 0
        while i < len(order):
            a = order[i][0]
            while i < len(order) and order[i][0] == a:
                _, w, k = order[i]
                if k is None:
                    outside += w
                elif w > best[k]:
                    window_sum += w - best[k]
                    best[k] = w
                i += 1
            if outside + window_sum > top_s:
                top_t, top_s = a, outside + window_sum
        return top_t

    def normalised(self, raw):
        """100 x (S - S_null) / (S_perfect - S_null), section 8."""
        null = -self.profile["fnWeight"] * self.window_count
        perfect = self.profile["tpWeight"] * self.window_count
        return 100.0 * (raw - null) / (perfect - null)


def score(nab_dir, results_dir, name, fixed):
    corpus, profiles = load_corpus(nab_dir)
    scores = [read_scores(results_dir, name, s) for s in corpus]
    report = {"name": name, "optimised": {}, "fixed": {}}
    for profile_name in PROFILES:
        scored = Scored(corpus, scores, profiles[profile_name])
        best = scored.at(scored.optimise())
        best["normalised"] = scored.normalised(best["raw"])
        report["optimised"][profile_name] = best
        for t in fixed:
            r = scored.at(t)
            r["normalised"] = scored.normalised(r["raw"])
            report["fixed"].setdefault(str(t), {})[profile_name] = r
    return report


def print_report(report):
    print(f"NAB scores of '{report['name']}'")
    print(f"{'profile':<20} {'threshold':>20} {'raw':>14} {'hit':>4} {'TP rows':>8} {'FP rows':>8} {'score':>8}")
    def line(profile, r):
        print(f"{profile:<20} {r['threshold']:>20.12g} {r['raw']:>14.6f} {r['windows_hit']:>4} {r['tp_rows']:>8} {r['fp_rows']:>8} {r['normalised']:>8.2f}")
    for profile, r in report["optimised"].items():
        line(profile, r)
    for t, by_profile in report["fixed"].items():
        print(f"at the fixed threshold {t}:")
        for profile, r in by_profile.items():
            line(profile, r)


def write_oracle(nab_dir, results_dir, name, which):
    """Label-only results: 1 on the first (or last) row of every window, 0 elsewhere."""
    corpus, _ = load_corpus(nab_dir)
    for series in corpus:
        marked = {lo if which == "first" else hi for lo, hi in series.windows}
        path = result_path(results_dir, name, series.key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(os.path.join(nab_dir, "data", series.key), newline="") as f:
            rows = list(csv.reader(f))[1:]
        with open(path, "w", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["timestamp", "value", "anomaly_score", "label"])
            for i, (t, v) in enumerate(rows):
                inside = any(lo <= i <= hi for lo, hi in series.windows)
                out.writerow([t, v, 1.0 if i in marked else 0.0, int(inside)])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("score", help="score a detector's result files")
    s.add_argument("nab_dir")
    s.add_argument("results_dir")
    s.add_argument("name")
    s.add_argument("--fixed", type=float, action="append", default=[], help="also score at this threshold")
    s.add_argument("--json", action="store_true", help="print the report as JSON")
    o = sub.add_parser("oracle", help="write the label-only oracle result files")
    o.add_argument("nab_dir")
    o.add_argument("results_dir")
    o.add_argument("name")
    o.add_argument("which", choices=["first", "last"])
    args = parser.parse_args(argv)
    if args.command == "oracle":
        write_oracle(args.nab_dir, args.results_dir, args.name, args.which)
        return
    report = score(args.nab_dir, args.results_dir, args.name, args.fixed)
    if args.json:
        json.dump(report, sys.stdout, indent=1)
        print()
    else:
        print_report(report)


if __name__ == "__main__":
    main(sys.argv[1:])
