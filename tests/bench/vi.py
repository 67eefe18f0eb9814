#!/usr/bin/env python3
"""Variational inference: sev's ADVI and Pathfinder next to the peers' ADVI (PyMC `pm.fit(method="advi")`,
NumPyro SVI with AutoNormal) on the peers' logistic regression (N = 1000, D = 5,
../shared/bench/peers/logistic_data.json; sev's examples/logistic_regression_glm.sirs.json, the same model
as the peers' logistic.stan).

Method: the model is built once (`sev build --release`); each configuration is one fit (`--chains 1
--threads 1`) followed by 4000 draws from the approximation (what the peers' bench_vi.py does), run as a
whole process once cold and --reps times warm; the best warm wall time is reported, with the fit's
iterations and gradient evaluations (from the CSV header and the summary JSON). Accuracy: the largest
|mean - NUTS mean| / NUTS sd and the range of sd / NUTS sd over alpha and beta[1..5], against sev's own NUTS
run (4 chains x 1000 + 1000, seed 1) in the same job.

Peers: with --numpyro-python / --pymc-python (the python of a venv made by the peers' setup_venvs.sh), the
peers' bench_vi.py is run in this job and its JSON read; otherwise the recorded JSON files in
../shared/bench/peers/results/vi_*.json are used and marked "recorded". The peers run a fixed 10 000
optimisation steps; their wall time covers the optimisation only (not the process start, the model build
or the draws), so the comparison favours them slightly.

Usage:
  cargo build
  python3 tests/bench/vi.py --out /tmp/vi-bench [--reps 3] [--numpyro-python /tmp/venvs/venv-numpyro/bin/python]
Writes OUT/vi.json and prints a table.
"""
import argparse
import csv
import glob
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# the peers' folder: $SEV_PEERS, else shared/bench/peers beside the checkout (or beside its parent, for a
# worktree one level deeper)
PEERS = os.environ.get("SEV_PEERS") or next(
    (p for p in (os.path.join(up, "shared", "bench", "peers") for up in (os.path.dirname(ROOT), os.path.dirname(os.path.dirname(ROOT)))) if os.path.isdir(p)),
    os.path.join(os.path.dirname(ROOT), "shared", "bench", "peers"))
DATA = os.path.join(PEERS, "logistic_data.json")
MODEL = os.path.join(ROOT, "examples", "logistic_regression_glm.sirs.json")
PARAMS = ["alpha", "beta.1", "beta.2", "beta.3", "beta.4", "beta.5"]
sys.dont_write_bytecode = True

CONFIGS = {
    "advi meanfield": ["--algorithm", "advi"],
    "advi fullrank": ["--algorithm", "advi", "--vi-family", "fullrank"],
    "pathfinder 1 path": ["--algorithm", "pathfinder"],
    "pathfinder 4 paths": ["--algorithm", "pathfinder", "--num-paths", "4"],
}


def read_draws(csv_dir):
    """column name -> list of draws over every CSV file in csv_dir; and the header comments"""
    cols, comments = {}, []
    for path in sorted(glob.glob(os.path.join(csv_dir, "*_chain_*.csv"))):
        with open(path) as f:
            rows = []
            for line in f:
                if line.startswith("#"):
                    comments.append(line.strip())
                else:
                    rows.append(line)
        reader = csv.reader(rows)
        header = next(reader)
        for row in reader:
            for name, value in zip(header, row):
                cols.setdefault(name, []).append(float(value))
    return cols, comments


def moments(xs):
    n = len(xs)
    m = sum(xs) / n
    return m, (sum((x - m) ** 2 for x in xs) / (n - 1)) ** 0.5


def run_sev(exe, out, tag, extra, seed):
    csv_dir = os.path.join(out, "csv_" + tag.replace(" ", "_"))
    summary = csv_dir + ".json"
    cmd = [exe, "sample", "--data", DATA, "--seed", str(seed), "--threads", "1", "--output", csv_dir, "--summary", summary, "--quiet"] + extra
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    cols, comments = read_draws(csv_dir)
    doc = json.load(open(summary))
    grads = sum(c.get("gradient_evaluations", 0) or 0 for c in doc.get("chains", []))
    return wall, cols, comments, grads


def iterations(comments):
    for c in comments:
        for key in ("# Iterations = ", "# L-BFGS iterations = "):
            if c.startswith(key):
                return int(c[len(key):])
    return None


def accuracy(means_sds, nuts):
    z = max(abs(means_sds[k][0] - nuts[k][0]) / nuts[k][1] for k in nuts)
    ratios = [means_sds[k][1] / nuts[k][1] for k in nuts]
    return z, min(ratios), max(ratios)


def peer_results(args, out):
    rows = []
    for which, python in (("numpyro", args.numpyro_python), ("pymc", args.pymc_python)):
        if python:
            p = subprocess.run([python, os.path.join(PEERS, "bench_vi.py"), which, out], capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit(f"bench_vi.py {which} failed:\n{p.stderr[-2000:]}")
            paths = sorted(glob.glob(os.path.join(out, f"vi_logistic_1000x5_advi_{which}*.json")))
            rows += [(json.load(open(path)), "this run") for path in paths]
        else:
            paths = sorted(glob.glob(os.path.join(PEERS, "results", f"vi_logistic_1000x5_advi_{which}*.json")))
            rows += [(json.load(open(path)), "recorded") for path in paths]
    return rows


def peer_moments(r):
    ms = {"alpha": tuple(r["alpha_mean_sd"])}
    for i in range(5):
        ms[f"beta.{i + 1}"] = (r["beta_mean"][i], r["beta_sd"][i])
    return ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/sev-vi-bench")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--sev", default=os.path.join(ROOT, "target", "debug", "sev"))
    ap.add_argument("--numpyro-python")
    ap.add_argument("--pymc-python")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    exe = os.path.join(out, "logistic_glm")
    p = subprocess.run([args.sev, "build", "--release", MODEL, "-o", exe], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"sev build failed:\n{p.stderr}")

    _, cols, _, _ = run_sev(exe, out, "nuts", ["--chains", "4"], 1)
    nuts = {k: moments(cols[k]) for k in PARAMS}

    results = []
    for tag, extra in CONFIGS.items():
        runs = [run_sev(exe, out, tag, ["--chains", "1", "--draws", "4000"] + extra, rep + 1) for rep in range(args.reps + 1)]
        best = min(runs[1:], key=lambda r: r[0])
        wall, cols, comments, grads = best
        z, lo, hi = accuracy({k: moments(cols[k]) for k in PARAMS}, nuts)
        results.append({"system": "sev " + tag, "source": "this run", "cold_wall_s": round(runs[0][0], 3), "wall_s": round(wall, 3),
                        "iterations": iterations(comments), "gradients": grads, "max_abs_z": round(z, 3), "sd_ratio": [round(lo, 3), round(hi, 3)]})

    for r, source in peer_results(args, out):
        z, lo, hi = accuracy(peer_moments(r), nuts)
        results.append({"system": r["label"].replace("logistic_1000x5_advi_", ""), "source": source, "cold_wall_s": r["cold_wall_s"], "wall_s": r["wall_s"],
                        "iterations": r["steps"], "gradients": None, "max_abs_z": round(z, 3), "sd_ratio": [round(lo, 3), round(hi, 3)]})

    print(f"{'system':<30} {'source':<9} {'cold s':>7} {'warm s':>7} {'iters':>6} {'grads':>7} {'max|z|':>7} {'sd/NUTS sd':>12}")
    for r in results:
        print(f"{r['system']:<30} {r['source']:<9} {r['cold_wall_s']:>7.3f} {r['wall_s']:>7.3f} {str(r['iterations']):>6} {str(r['gradients']):>7} "
              f"{r['max_abs_z']:>7.3f} {r['sd_ratio'][0]:>5.2f}-{r['sd_ratio'][1]:.2f}")
    json.dump({"nuts": {k: list(v) for k, v in nuts.items()}, "results": results, "load": os.getloadavg()}, open(os.path.join(out, "vi.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
