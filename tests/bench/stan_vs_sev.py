#!/usr/bin/env python3
"""sev against native Stan (CmdStan-equivalent, Stan 2.35), both measured in the same run:

* eight schools, non-centred (examples/posteriordb/eight_schools_noncentered.sirs.json vs the
  peers' eight_schools_nc.stan, data ../shared/bench/peers/eight_schools.json);
* logistic regression N = 1000, D = 5 written as a loop of dot products
  (examples/logistic_regression.sirs.json) and through sev's fused bernoulli_logit_glm
  (examples/logistic_regression_glm.sirs.json), both against the peers' logistic.stan (which
  uses bernoulli_logit_glm; data ../shared/bench/peers/logistic_data.json);
* four posteriordb models as a user writes them (examples/posteriordb/: kidscore_momiq, arK,
  GLM_Poisson_model, wells_dist) against the same models in Stan (tests/bench/stan/*.stan), on
  posteriordb's data files (../shared/data/posteriordb/<name>/data.json).

Method (the peers' README): 4 chains x (1000 warmup + 1000 draws), chains one after another
(`--threads 1`), warmup saved (both write it, and the warmup leapfrog steps are counted); one
cold run then --reps warm runs of the whole process; the best warm run gives the wall time, and
its draws give min bulk ESS over all parameters (ArviZ, via the peers' common.summarize), ESS/s
= min bulk ESS / wall, us/leapfrog = wall / all leapfrog steps; peak RSS is the largest maximum
resident set size of the sampling process over the runs (GNU time's %M). sev's model
is built with the default flags (`sev build`, no `--release`: a model's object is optimised by
default). Stan's executables are built with the peers' build_stan_native.sh (g++ -O3, ~30 s per
model) into OUT and reused by later runs.

Time to first draw (--ttfd-models, median of --ttfd-reps): a copy of the model under a fresh
name (so neither sev's artifact cache nor Zig's cache has it) is run with `sev run` and the
default flags, sev's sampler object already cached; the clock runs from the command until the
first chain's CSV file holds a post-warmup draw (the CSV is written through a 64 KiB buffer,
so this is an upper bound). The CPU seconds of the whole `sev run` are recorded too: on a busy
machine the wall time is inflated by other jobs, the CPU time is not.

Usage (run it with the peers' venv python, which has httpstan's Stan and ArviZ):
  VENV_ROOT=/work/peers-venv bash ../shared/bench/peers/setup_venvs.sh pystan   # once
  cargo build --release
  /work/peers-venv/venv-pystan/bin/python tests/bench/stan_vs_sev.py --out /tmp/bench [--reps 3]
It prints a table per model and the ratios sev/Stan; everything is also written to
OUT/stan_vs_sev.json.
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
# the shared folder sits next to the repository (../shared), or next to the folder of worktrees
SHARED = next((d for d in (os.path.join(os.path.dirname(ROOT), "shared"), os.path.join(os.path.dirname(os.path.dirname(ROOT)), "shared")) if os.path.isdir(d)), os.path.join(os.path.dirname(ROOT), "shared"))
PEERS = os.path.join(SHARED, "bench", "peers")
sys.dont_write_bytecode = True

PDB = os.path.join(SHARED, "data", "posteriordb")
STAN = os.path.join(ROOT, "tests", "bench", "stan")

MODELS = {
    # name: (sev model, data file, parameters, Stan model)
    "eight_schools_nc": ("examples/posteriordb/eight_schools_noncentered.sirs.json", os.path.join(PEERS, "eight_schools.json"), ["mu", "tau", "theta_trans", "theta"], os.path.join(PEERS, "eight_schools_nc.stan")),
    "logistic_1000x5": ("examples/logistic_regression.sirs.json", os.path.join(PEERS, "logistic_data.json"), ["alpha", "beta"], os.path.join(PEERS, "logistic.stan")),
    # the same model through the fused density (`observe bernoulli_logit_glm(X, alpha, beta) y`),
    # as Stan's logistic.stan does
    "logistic_1000x5_glm": ("examples/logistic_regression_glm.sirs.json", os.path.join(PEERS, "logistic_data.json"), ["alpha", "beta"], os.path.join(PEERS, "logistic.stan")),
    "kidscore_momiq": ("examples/posteriordb/kidscore_momiq.sirs.json", os.path.join(PDB, "kidiq-kidscore_momiq", "data.json"), ["beta", "sigma"], os.path.join(STAN, "kidscore_momiq.stan")),
    "arK": ("examples/posteriordb/arK.sirs.json", os.path.join(PDB, "arK-arK", "data.json"), ["alpha", "beta", "sigma"], os.path.join(STAN, "arK.stan")),
    "GLM_Poisson_model": ("examples/posteriordb/GLM_Poisson_model.sirs.json", os.path.join(PDB, "GLM_Poisson_Data-GLM_Poisson_model", "data.json"), ["alpha", "beta1", "beta2", "beta3"], os.path.join(STAN, "GLM_Poisson_model.stan")),
    "wells_dist": ("examples/posteriordb/wells_dist.sirs.json", os.path.join(PDB, "wells_data-wells_dist", "data.json"), ["beta"], os.path.join(STAN, "wells_dist.stan")),
}


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


def run_measured(cmd, env=None):
    """runs cmd to the end; (wall s, CPU s, max RSS in MiB, stderr text, exit status).

    The peak RSS comes from /usr/bin/time, not from this process's wait4: Linux keeps the
    high-water mark of the memory a process had before exec, so a child forked from this
    Python (ArviZ loaded, ~180 MiB) would report at least that much."""
    fd, rss_file = tempfile.mkstemp(prefix="maxrss-")
    os.close(fd)
    t0 = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stderr = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    with open(rss_file) as f:
        lines = [l for l in f.read().split() if l.isdigit()]
    os.unlink(rss_file)
    max_rss_mib = int(lines[-1]) / 1024.0 if lines else float("nan")
    return wall, usage.ru_utime + usage.ru_stime, max_rss_mib, stderr, proc.returncode


def bench_stan(name, out, reps):
    """builds (once) and runs the native Stan executable of a model, as the peers' bench_stan_native.py"""
    _, data, names, stan_file = MODELS[name]
    stem = os.path.basename(stan_file)[:-5]
    exe = os.path.join(out, stem + "_native")
    build_s = None
    if not os.path.exists(exe):
        import httpstan
        env = dict(os.environ, HTTPSTAN_DIR=os.path.dirname(httpstan.__file__))
        t0 = time.perf_counter()
        p = subprocess.run(["bash", os.path.join(PEERS, "build_stan_native.sh"), stan_file, out], env=env, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"build_stan_native.sh failed for {stan_file}:\n{p.stderr[-4000:]}")
        build_s = round(time.perf_counter() - t0, 2)
    runs, rss = [], []
    for rep in range(reps + 1):
        prefix = os.path.join(out, "stan_" + name)
        wall, cpu, max_rss, err, code = run_measured([exe, data, prefix, "4", str(rep + 1)])
        if code != 0:
            sys.exit(f"{exe} failed (rc {code}); delete it to force a rebuild\n{err[-2000:]}")
        draws, n_lf, n_div = draws_of([f"{prefix}_{c}.csv" for c in range(1, 5)], names, 1000)
        runs.append((draws, wall, cpu, n_lf, n_div))
        rss.append(max_rss)
    from common import repeat_summary
    return repeat_summary(runs, name, extra={"build_s": build_s, "peak_rss_mib": round(max(rss), 1)})


def sev_env(cache):
    return dict(os.environ, SEV_CACHE_DIR=cache)


def bench_sev(sev, name, out, reps, cache):
    model, data, names, _ = MODELS[name]
    exe = os.path.join(out, "sev_" + name)
    p = subprocess.run([sev, "build", os.path.join(ROOT, model), "-o", exe], capture_output=True, text=True, env=sev_env(cache))
    if p.returncode != 0:
        sys.exit(f"sev build failed for {model}:\n{p.stderr}")
    runs, rss = [], []
    for rep in range(reps + 1):
        csv_dir = os.path.join(out, "sev_csv_" + name)
        shutil.rmtree(csv_dir, ignore_errors=True)
        cmd = [exe, "sample", "--data", data, "--chains", "4", "--threads", "1", "--warmup", "1000", "--draws", "1000",
               "--seed", str(rep + 1), "--output", csv_dir, "--save-warmup", "--quiet"]
        wall, cpu, max_rss, err, code = run_measured(cmd)
        if code != 0:
            sys.exit(f"{exe} failed:\n{err}")
        paths = sorted(glob.glob(os.path.join(csv_dir, "*_chain_*.csv")))
        draws, n_lf, n_div = draws_of(paths, names, 1000)
        runs.append((draws, wall, cpu, n_lf, n_div))
        rss.append(max_rss)
    from common import repeat_summary
    return repeat_summary(runs, name, extra={"peak_rss_mib": round(max(rss), 1)})


def time_to_first_draw(sev, name, cache):
    """seconds from `sev run` (default flags) of a never-built copy until a draw is in the CSV"""
    model, data, _, _ = MODELS[name]
    work = tempfile.mkdtemp(prefix="sev-ttfd-")
    copy = os.path.join(work, f"{name}_{uuid.uuid4().hex[:10]}.sirs.json")
    shutil.copy(os.path.join(ROOT, model), copy)
    csv_dir = os.path.join(work, "csv")
    cmd = [sev, "run", copy, "--data", data, "--chains", "4", "--threads", "1", "--seed", "1", "--output", csv_dir, "--", "--quiet"]
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
    ap.add_argument("--ttfd-models", nargs="*", choices=list(MODELS), default=["eight_schools_nc", "logistic_1000x5"])
    ap.add_argument("--ttfd-reps", type=int, default=5)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    sys.path.insert(0, PEERS)
    from common import logistic_data
    logistic_data()  # the peers' logistic data set, made on first use
    cache = os.path.join(out, "sev-cache")
    # warm sev's sampler object (built once per runtime version) before any timing
    subprocess.run([args.sev, "build", os.path.join(ROOT, MODELS[args.models[0]][0]), "-o", os.path.join(out, "warmup_exe")], check=True, env=sev_env(cache), capture_output=True)
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_average_start": os.getloadavg(), "models": {}}
    for name in args.models:
        stan = bench_stan(name, out, args.reps)
        mine = bench_sev(args.sev, name, out, args.reps, cache)
        mine["load_average"] = os.getloadavg()
        ratios = {
            "ess_per_s": round(mine["min_ess_bulk_per_s"] / stan["min_ess_bulk_per_s"], 2),
            "us_per_leapfrog": round(mine["us_per_leapfrog"] / stan["us_per_leapfrog"], 3),
            "wall": round(mine["wall_s"] / stan["wall_s"], 3),
            # CPU seconds of the best warm run: less sensitive to other jobs on a shared machine
            "ess_per_cpu_s": round((mine["min_ess_bulk"] / mine["cpu_s"]) / (stan["min_ess_bulk"] / stan["cpu_s"]), 2),
            "peak_rss": round(mine["peak_rss_mib"] / stan["peak_rss_mib"], 2),
        }
        results["models"][name] = {"sev": mine, "stan": stan, "ratio_sev_over_stan": ratios}
        print(f"\n{name}")
        print(f"  {'':8} {'wall s':>8} {'CPU s':>7} {'min bulk ESS':>13} {'ESS/s':>9} {'us/leapfrog':>12} {'leapfrogs':>10} {'max R-hat':>9} {'div':>4} {'RSS MiB':>8}")
        for who, r in (("Stan", stan), ("sev", mine)):
            print(f"  {who:8} {r['wall_s']:>8.3f} {r['cpu_s']:>7.3f} {r['min_ess_bulk']:>13.0f} {r['min_ess_bulk_per_s']:>9.0f} {r['us_per_leapfrog']:>12.3f} {r['total_leapfrog']:>10} {r['max_rhat']:>9.4f} {r['divergences']:>4} {r['peak_rss_mib']:>8.1f}")
        print(f"  sev/Stan: ESS/s x{ratios['ess_per_s']} (per CPU second x{ratios['ess_per_cpu_s']}), us/leapfrog x{ratios['us_per_leapfrog']}, wall x{ratios['wall']}, peak RSS x{ratios['peak_rss']}")
        print(f"  load average: {', '.join(f'{x:.2f}' for x in mine['load_average'])} (2 cores)", flush=True)
    for name in args.ttfd_models:
        ttfd = [time_to_first_draw(args.sev, name, cache) for _ in range(args.ttfd_reps)]
        entry = {
            "first_draw_s": [t[0] for t in ttfd],
            "median_first_draw_s": round(float(np.median([t[0] for t in ttfd])), 3),
            "process_total_s": [t[1] for t in ttfd],
            "process_cpu_s": [t[2] for t in ttfd],
            "median_process_cpu_s": round(float(np.median([t[2] for t in ttfd])), 3),
            "load_average": os.getloadavg(),
        }
        results.setdefault("time_to_first_draw", {})[name] = entry
        print(f"\ntime to first draw, {name} (never-built copy, `sev run` with default flags, sampler cached): median {entry['median_first_draw_s']} s of {entry['first_draw_s']}; CPU of the whole run: median {entry['median_process_cpu_s']} s; load {', '.join(f'{x:.2f}' for x in entry['load_average'])}", flush=True)
    with open(os.path.join(out, "stan_vs_sev.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(f"\n-> {os.path.join(out, 'stan_vs_sev.json')}")


if __name__ == "__main__":
    main()
