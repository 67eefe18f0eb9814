#!/usr/bin/env python3
"""sev against native Stan (CmdStan-equivalent, Stan 2.35) on the two anchor models of
shared/design/ppl-anchors.md, measured in the same run:

* eight schools, non-centred (examples/posteriordb/eight_schools_noncentered.sirs.json vs the
  peers' eight_schools_nc.stan, data ../shared/bench/peers/eight_schools.json);
* logistic regression N = 1000, D = 5 (examples/logistic_regression.sirs.json, a loop of dot
  products, vs the peers' logistic.stan, which uses bernoulli_logit_glm; data
  ../shared/bench/peers/logistic_data.json); also examples/logistic_regression_glm.sirs.json
  (sev's fused bernoulli_logit_glm) when that example exists.

Method (the peers' README): 4 chains x (1000 warmup + 1000 draws), chains one after another
(`--threads 1`), warmup saved (both write it, and the warmup leapfrog steps are counted); one
cold run then --reps warm runs of the whole process; the best warm run gives the wall time, and
its draws give min bulk ESS over all parameters (ArviZ, via the peers' common.summarize), ESS/s
= min bulk ESS / wall, us/leapfrog = wall / all leapfrog steps. Time to first draw: a copy of the
model under a fresh name (so neither sev's artifact cache nor Zig's cache has it) is run with
`sev run --release`, sev's sampler object already cached; the clock runs from the command until
the first chain's CSV file holds a post-warmup draw (the CSV is written through a 64 KiB buffer,
so this is an upper bound).

Usage (run it with the peers' venv python, which has httpstan's Stan and ArviZ):
  VENV_ROOT=/tmp/peers bash ../shared/bench/peers/setup_venvs.sh pystan       # once
  cargo build --release
  /tmp/peers/venv-pystan/bin/python tests/bench/stan_vs_sev.py --out /tmp/bench [--reps 3]
It builds native Stan into OUT (once, ~30 s per model), runs Stan's benchmark, then sev's, and
prints the table and the ratios sev/Stan; everything is also written to OUT/stan_vs_sev.json.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = os.path.join(os.path.dirname(ROOT), "shared", "bench", "peers")
sys.dont_write_bytecode = True

MODELS = {
    # name: (sev model, data file in the peers folder, parameters, Stan result label)
    "eight_schools_nc": ("examples/posteriordb/eight_schools_noncentered.sirs.json", "eight_schools.json", ["mu", "tau", "theta_trans", "theta"], "eight_schools_nc_seq"),
    "logistic_1000x5": ("examples/logistic_regression.sirs.json", "logistic_data.json", ["alpha", "beta"], "logistic_1000x5_seq"),
    # the same model through the fused density (`observe bernoulli_logit_glm(X, alpha, beta) y`),
    # as Stan's logistic.stan does; measured when the example exists
    "logistic_1000x5_glm": ("examples/logistic_regression_glm.sirs.json", "logistic_data.json", ["alpha", "beta"], "logistic_1000x5_seq"),
}
if not os.path.isfile(os.path.join(ROOT, MODELS["logistic_1000x5_glm"][0])):
    del MODELS["logistic_1000x5_glm"]
# the Stan benchmark's model names (the GLM variant compares with the same Stan run)
STAN_NAMES = {"eight_schools_nc": "eight_schools_nc", "logistic_1000x5": "logistic_1000x5", "logistic_1000x5_glm": "logistic_1000x5"}


def read_chain(path):
    rows = [l for l in open(path) if not l.startswith("#") and l.strip()]
    hdr = rows[0].strip().split(",")
    return hdr, np.array([[float(v) for v in r.split(",")] for r in rows[1:]])


def draws_of(paths, names, warmup):
    chains = [read_chain(p) for p in paths]
    hdr = chains[0][0]
    draws = {}
    for k in names:
        idx = [i for i, h in enumerate(hdr) if h == k or h.startswith(k + ".")]
        a = np.stack([X[warmup:, idx] for _, X in chains])
        draws[k] = a[..., 0] if len(idx) == 1 else a
    n_lf = int(sum(X[:, hdr.index("n_leapfrog__")].sum() for _, X in chains))
    n_div = int(sum(X[warmup:, hdr.index("divergent__")].sum() for _, X in chains))
    return draws, n_lf, n_div


def sev_env(cache):
    return dict(os.environ, SEV_CACHE_DIR=cache)


def bench_sev(sev, name, out, reps, cache):
    model, data, names, _ = MODELS[name]
    exe = os.path.join(out, "sev_" + name)
    p = subprocess.run([sev, "build", "--release", os.path.join(ROOT, model), "-o", exe], capture_output=True, text=True, env=sev_env(cache))
    if p.returncode != 0:
        sys.exit(f"sev build failed for {model}:\n{p.stderr}")
    runs = []
    for rep in range(reps + 1):
        csv_dir = os.path.join(out, "sev_csv_" + name)
        shutil.rmtree(csv_dir, ignore_errors=True)
        cmd = [exe, "sample", "--data", os.path.join(PEERS, data), "--chains", "4", "--threads", "1", "--warmup", "1000", "--draws", "1000",
               "--seed", str(rep + 1), "--output", csv_dir, "--save-warmup", "--quiet"]
        t0 = time.perf_counter()
        c0 = os.times()
        p = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        c1 = os.times()
        if p.returncode != 0:
            sys.exit(f"{exe} failed:\n{p.stderr}")
        cpu = (c1.children_user + c1.children_system) - (c0.children_user + c0.children_system)
        paths = sorted(glob.glob(os.path.join(csv_dir, "*_chain_*.csv")))
        draws, n_lf, n_div = draws_of(paths, names, 1000)
        runs.append((draws, wall, cpu, n_lf, n_div))
    from common import repeat_summary
    return repeat_summary(runs, name)


def time_to_first_draw(sev, name, cache):
    """seconds from `sev run --release` of a never-built copy until a draw is in the CSV"""
    model, data, _, _ = MODELS[name]
    work = tempfile.mkdtemp(prefix="sev-ttfd-")
    copy = os.path.join(work, f"{name}_{uuid.uuid4().hex[:10]}.sirs.json")
    shutil.copy(os.path.join(ROOT, model), copy)
    csv_dir = os.path.join(work, "csv")
    cmd = [sev, "run", "--release", copy, "--data", os.path.join(PEERS, data), "--chains", "4", "--threads", "1", "--seed", "1", "--output", csv_dir, "--", "--quiet"]
    t0 = time.perf_counter()
    c0 = os.times()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=sev_env(cache))
    first = None
    while first is None:
        for path in glob.glob(os.path.join(csv_dir, "*_chain_1.csv")):
            try:
                with open(path) as f:
                    rows = [l for l in f if not l.startswith("#") and l.strip()]
                if len(rows) >= 2:
                    first = time.perf_counter() - t0
            except OSError:
                pass
        if first is None:
            if proc.poll() is not None:
                # finished between two polls: the file is complete now
                if glob.glob(os.path.join(csv_dir, "*_chain_1.csv")):
                    first = time.perf_counter() - t0
                    break
                sys.exit(f"sev run failed: {proc.stderr.read().decode()}")
            time.sleep(0.002)
    proc.wait()
    total = time.perf_counter() - t0
    c1 = os.times()
    cpu = (c1.children_user + c1.children_system) - (c0.children_user + c0.children_system)
    shutil.rmtree(work, ignore_errors=True)
    return round(first, 3), round(total, 3), round(cpu, 3)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--sev", default=os.path.join(ROOT, "target", "release", "sev"))
    ap.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    ap.add_argument("--skip-stan", action="store_true", help="reuse OUT/stan-native_*.json from an earlier run")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    sys.path.insert(0, PEERS)
    cache = os.path.join(out, "sev-cache")
    if not args.skip_stan:
        stan_models = sorted({STAN_NAMES[m] for m in args.models})
        p = subprocess.run([sys.executable, os.path.join(PEERS, "bench_stan_native.py"), "--out", out, "--reps", str(args.reps), "--models", *stan_models])
        if p.returncode != 0:
            sys.exit("the native Stan benchmark failed")
    # warm sev's sampler object (built once per runtime version) before any timing
    subprocess.run([args.sev, "build", "--release", os.path.join(ROOT, MODELS[args.models[0]][0]), "-o", os.path.join(out, "warmup_exe")], check=True, env=sev_env(cache), capture_output=True)
    results = {}
    for name in args.models:
        stan = json.load(open(os.path.join(out, f"stan-native_{MODELS[name][3]}.json")))
        mine = bench_sev(args.sev, name, out, args.reps, cache)
        ttfd = [time_to_first_draw(args.sev, name, cache) for _ in range(3)]
        mine["time_to_first_draw_s"] = min(t[0] for t in ttfd)
        mine["time_to_first_draw_all_s"] = [t[0] for t in ttfd]
        mine["ttfd_process_total_s"] = [t[1] for t in ttfd]
        # CPU seconds of the whole `sev run` (sev + zig + the sampler): on a busy machine the
        # wall time above is inflated by other jobs, this is not
        mine["ttfd_process_cpu_s"] = [t[2] for t in ttfd]
        mine["load_average"] = os.getloadavg()
        ratios = {
            "ess_per_s": round(mine["min_ess_bulk_per_s"] / stan["min_ess_bulk_per_s"], 2),
            "us_per_leapfrog": round(mine["us_per_leapfrog"] / stan["us_per_leapfrog"], 3),
            "wall": round(mine["wall_s"] / stan["wall_s"], 3),
            # CPU seconds of the best warm run: less sensitive to other jobs on a shared machine
            "ess_per_cpu_s": round((mine["min_ess_bulk"] / mine["cpu_s"]) / (stan["min_ess_bulk"] / stan["cpu_s"]), 2),
        }
        results[name] = {"sev": mine, "stan": stan, "ratio_sev_over_stan": ratios}
        print(f"\n{name}")
        print(f"  {'':8} {'wall s':>8} {'CPU s':>7} {'min bulk ESS':>13} {'ESS/s':>9} {'us/leapfrog':>12} {'leapfrogs':>10} {'max R-hat':>9} {'div':>4}")
        for who, r in (("Stan", stan), ("sev", mine)):
            print(f"  {who:8} {r['wall_s']:>8.3f} {r['cpu_s']:>7.3f} {r['min_ess_bulk']:>13.0f} {r['min_ess_bulk_per_s']:>9.0f} {r['us_per_leapfrog']:>12.3f} {r['total_leapfrog']:>10} {r['max_rhat']:>9.4f} {r['divergences']:>4}")
        print(f"  sev/Stan: ESS/s x{ratios['ess_per_s']} (per CPU second x{ratios['ess_per_cpu_s']}), us/leapfrog x{ratios['us_per_leapfrog']}, wall x{ratios['wall']}")
        print(f"  time to first draw (cold model, warm sampler cache): {mine['time_to_first_draw_all_s']} s (whole sev run: {mine['ttfd_process_total_s']} s wall, {mine['ttfd_process_cpu_s']} s CPU)")
        print(f"  load average during the run: {', '.join(f'{x:.2f}' for x in mine['load_average'])} (2 cores)")
    with open(os.path.join(out, "stan_vs_sev.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(f"\n-> {os.path.join(out, 'stan_vs_sev.json')}")


if __name__ == "__main__":
    main()
