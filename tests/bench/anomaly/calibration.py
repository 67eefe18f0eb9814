#!/usr/bin/env python3
"""Calibration of an anomaly detector of examples/anomaly/ on synthetic streams.

    python3 tests/bench/anomaly/calibration.py [--sev PATH] [--streams N] [--rows N] [--seed S]

Two kinds of seeded streams (Python's `random`, no external data):

- *model streams*, drawn from bocpd's own generative model with its default settings: at each
  row a new run starts with probability 1/250 (new level ~ N(0, 10^2), new noise sd ~
  U(0.5, 2)), or the value is an outlier with probability 0.001 (~ N(level, 30^2)); otherwise
  it is N(level, sd^2). A row is *anomalous* when it starts a run or is an outlier: the event
  whose probability the detector prints.
- *anomaly-free streams*: stationary N(0, 1) noise.

It prints the reliability table (rows grouped by predicted probability: how many, the mean
prediction, the observed frequency of anomalous rows) and the false-positive rate at 0.5 on the
anomaly-free streams (rows with probability above 0.5, of all rows after the 10 warm-up rows).
"""

import argparse
import os
import random
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def model_stream(rng, rows):
    values, anomalous = [], []
    level, sd = rng.gauss(0, 10), rng.uniform(0.5, 2)
    for _ in range(rows):
        if rng.random() < 1 / 250:
            level, sd = rng.gauss(0, 10), rng.uniform(0.5, 2)
            values.append(rng.gauss(level, sd))
            anomalous.append(True)
        elif rng.random() < 0.001:
            values.append(rng.gauss(level, 30))
            anomalous.append(True)
        else:
            values.append(rng.gauss(level, sd))
            anomalous.append(False)
    return values, anomalous


def write_csv(path, values):
    with open(path, "w") as f:
        f.write("timestamp,value\n")
        for i, v in enumerate(values):
            f.write(f"{1_700_000_000 + 300 * i},{v!r}\n")


def probabilities(exe, path):
    out = subprocess.run([exe, path], capture_output=True, text=True, check=True).stdout.splitlines()
    at = out[0].split(",").index("anomaly_probability")
    return [float(line.split(",")[at]) for line in out[1:]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sev", default=os.path.join(ROOT, "target", "debug", "sev"))
    parser.add_argument("--streams", type=int, default=40)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    edges = [0.0, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0000001]
    bins = [[0, 0.0, 0] for _ in edges[:-1]]
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "bocpd")
        subprocess.run([args.sev, "build", "--release", os.path.join(ROOT, "examples/anomaly/bocpd.sirs.json"), "-o", exe],
                       check=True, capture_output=True)
        path = os.path.join(tmp, "s.csv")
        for _ in range(args.streams):
            values, anomalous = model_stream(rng, args.rows)
            write_csv(path, values)
            for i, (p, a) in enumerate(zip(probabilities(exe, path), anomalous)):
                if i < 10:
                    continue
                k = next(k for k in range(len(bins)) if p < edges[k + 1])
                bins[k][0] += 1
                bins[k][1] += p
                bins[k][2] += a
        false, total = 0, 0
        for _ in range(args.streams):
            write_csv(path, [rng.gauss(0, 1) for _ in range(args.rows)])
            p = probabilities(exe, path)[10:]
            false += sum(x > 0.5 for x in p)
            total += len(p)
    print(f"Reliability on {args.streams} model streams of {args.rows} rows (seed {args.seed}):")
    print("| predicted probability | rows | mean predicted | observed frequency |")
    print("| --- | ---: | ---: | ---: |")
    for k, (n, s, a) in enumerate(bins):
        if n:
            print(f"| [{edges[k]:g}, {min(edges[k + 1], 1):g}) | {n} | {s / n:.4f} | {a / n:.4f} |")
    print(f"False-positive rate at 0.5 on {args.streams} anomaly-free N(0, 1) streams: {false} of {total} rows ({false / total:.2e})")


if __name__ == "__main__":
    main()
