#!/usr/bin/env python3
"""Compiled gradients against the tape: microseconds per leapfrog step of the same optimised
(`--release`) model binary, sampling with its compiled adjoint and with `SEV_GRADIENT=tape`.

Models: eight schools non-centred (data ../shared/bench/peers/eight_schools.json) and logistic
regression written as a loop (N = 1000, D = 5, ../shared/bench/peers/logistic_data.json).
Method: 4 chains x (1000 warmup + 1000 draws), `--threads 1`, warmup saved; us/leapfrog = CPU
time of the sampling process / all leapfrog steps (tests/bench/stan_vs_sev.py divides wall time;
CPU time is steadier on a shared machine); the best of --reps runs of each strategy,
alternating, so both see the same machine load.

Usage: cargo build && python3 tests/bench/adjoint_vs_tape.py --sev target/debug/sev --out /tmp/adj [--reps 3] [--draws 1000]
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# ../shared beside the checkout, or /work/shared when the checkout is a worktree one level deeper
PEERS = next((p for p in (os.path.join(os.path.dirname(ROOT), "shared", "bench", "peers"), "/work/shared/bench/peers") if os.path.isdir(p)), "")
MODELS = {
    "eight_schools_nc": ("examples/posteriordb/eight_schools_noncentered.sirs.json", "eight_schools.json"),
    "logistic_1000x5": ("examples/logistic_regression.sirs.json", "logistic_data.json"),
}


def leapfrogs(csv_dir):
    total = 0
    for path in glob.glob(os.path.join(csv_dir, "*_chain_*.csv")):
        rows = [l for l in open(path) if not l.startswith("#") and l.strip()]
        col = rows[0].strip().split(",").index("n_leapfrog__")
        total += sum(int(float(r.split(",")[col])) for r in rows[1:])
    return total


def run_once(exe, data, out, strategy, draws):
    csv_dir = os.path.join(out, "csv_" + strategy)
    shutil.rmtree(csv_dir, ignore_errors=True)
    env = dict(os.environ)
    env.pop("SEV_GRADIENT", None)
    if strategy == "tape":
        env["SEV_GRADIENT"] = "tape"
    cmd = [exe, "sample", "--data", data, "--chains", "4", "--threads", "1", "--warmup", "1000", "--draws", str(draws),
           "--seed", "1", "--output", csv_dir, "--save-warmup", "--quiet"]
    c0 = os.times()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    c1 = os.times()
    # CPU time of the sampler (user + system): steadier than wall time on a loaded machine
    wall = (c1.children_user + c1.children_system) - (c0.children_user + c0.children_system)
    if p.returncode != 0:
        sys.exit(f"{exe} failed:\n{p.stderr}")
    n = leapfrogs(csv_dir)
    return wall, n, 1e6 * wall / n, 1e6 * elapsed / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sev", default=os.path.join(ROOT, "target", "debug", "sev"))
    ap.add_argument("--out", default="/tmp/sev-adjoint-bench")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--draws", type=int, default=1000, help="post-warmup draws per chain (more gives finer CPU times)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print(f"load average before: {os.getloadavg()}")
    for name, (model, data) in MODELS.items():
        exe = os.path.join(args.out, name)
        p = subprocess.run([args.sev, "build", "--release", os.path.join(ROOT, model), "-o", exe], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"build failed for {model}:\n{p.stderr}")
        best = {}
        for _ in range(args.reps):
            for strategy in ("adjoint", "tape"):
                r = run_once(exe, os.path.join(PEERS, data), args.out, strategy, args.draws)
                if strategy not in best or r[2] < best[strategy][2]:
                    best[strategy] = r
        a, t = best["adjoint"], best["tape"]
        print(f"{name}: adjoint {a[2]:.3f} us/leapfrog CPU ({a[3]:.3f} wall; {a[1]} leapfrogs, {a[0]:.2f} CPU s), tape {t[2]:.3f} us/leapfrog CPU ({t[3]:.3f} wall; {t[1]} leapfrogs, {t[0]:.2f} CPU s), tape/adjoint x{t[2] / a[2]:.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
