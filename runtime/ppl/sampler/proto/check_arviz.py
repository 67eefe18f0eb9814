"""Checks that ArviZ reads sev's Stan CSV files and agrees with sev's summary table.

usage: python check_arviz.py SUMMARY.txt CSV... [--warmup N]

Loads the CSV files with `arviz.from_cmdstan(posterior=[...])` (ArviZ 0.23.4), checks the number
of chains and draws, the dimensions of vector parameters (columns "theta.1", ... become one
variable "theta"), the sampler statistics ArviZ derives (diverging, tree_depth, step_size), the
warmup draws when --warmup N is given (files written with --save-warmup), and compares
ArviZ's mean, sd, MCSE, R-hat, bulk and tail ESS with the values in sev's summary table (printed
with 4 significant digits, so agreement is checked to 5e-4 relative, 1 for ESS).
"""
import re
import sys
import warnings

import arviz as az
import numpy as np

warnings.filterwarnings("ignore")


def parse_summary(path):
    rows = {}
    header = None
    for line in open(path):
        cols = line.split()
        if cols[:3] == ["mean", "sd", "mcse"]:
            header = cols
            continue
        if header and len(cols) == len(header) + 1:
            rows[cols[0]] = dict(zip(header, [float(x) for x in cols[1:]]))
        elif header and not cols:
            break
    return rows


def main():
    args = sys.argv[1:]
    warmup = 0
    if "--warmup" in args:
        i = args.index("--warmup")
        warmup = int(args[i + 1])
        del args[i : i + 2]
    summary, files = args[0], args[1:]
    idata = az.from_cmdstan(posterior=files, save_warmup=bool(warmup))
    post = idata.posterior
    nchain, ndraw = post.sizes["chain"], post.sizes["draw"]
    print(f"ArviZ {az.__version__}: {nchain} chains x {ndraw} draws; variables:",
          {k: tuple(v.shape[2:]) for k, v in post.data_vars.items()})
    assert nchain == len(files)
    ss = idata.sample_stats
    for k in ("diverging", "tree_depth", "n_steps", "step_size", "acceptance_rate", "energy", "lp"):
        assert k in ss, k
    if warmup:
        wp = idata.warmup_posterior
        assert wp.sizes["draw"] == warmup, wp.sizes
        print(f"warmup draws: {wp.sizes['draw']}")
    table = parse_summary(summary)
    s = az.summary(idata, kind="all", round_to="none")
    s_lp = az.summary(ss["lp"], kind="all", round_to="none")
    worst = 0.0
    for name, ours in table.items():
        if name == "lp__":
            row = s_lp.iloc[0]
        else:
            m = re.fullmatch(r"([^.]+)((?:\.\d+)*)", name)
            base, idx = m.group(1), m.group(2)
            key = base + ("[" + ",".join(str(int(i) - 1) for i in idx.split(".")[1:]) + "]" if idx else "")
            row = s.loc[key]
        pairs = [("mean", "mean"), ("sd", "sd"), ("mcse", "mcse_mean"), ("R-hat", "r_hat"),
                 ("ess_bulk", "ess_bulk"), ("ess_tail", "ess_tail")]
        for ours_key, az_key in pairs:
            a, b = ours[ours_key], float(row[az_key])
            if ours_key.startswith("ess"):
                ok = abs(a - b) <= 1.0
            elif ours_key == "R-hat":
                ok = abs(a - b) <= 5e-4
            else:
                ok = abs(a - b) <= 5e-4 * abs(b) + 1e-12
            rel = abs(a - b) / max(abs(b), 1e-300)
            if not ours_key.startswith("ess") and ours_key != "R-hat":
                worst = max(worst, rel)
            if not ok:
                print(f"MISMATCH {name} {ours_key}: sev {a} ArviZ {b}")
                sys.exit(1)
    print(f"{len(table)} columns agree with az.summary (mean/sd/mcse within {worst:.1e} relative; "
          "R-hat within 5e-4; ESS within 1)")


if __name__ == "__main__":
    main()
