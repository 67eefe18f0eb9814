#!/usr/bin/env python3
"""Cross-check sev's `arma` and `seasonal_local_level` densities against NumPy/SciPy.

Usage:  python3 tests/ppl_tseries2/check_numpy.py PATH/TO/tseries2_eval

The tseries2_eval binary (tests/ppl_tseries2/tseries2_eval.zig) prints each density's value,
its reverse-mode gradient and its forward-mode gradient. The references are written from the
definitions, not from sev's recursions:

* arma: the AR part as a convolution of the centred series (np.convolve), zero before the
  first p values, then the MA part inverted by scipy.signal.lfilter, and the innovations
  from t = p on scored with scipy.stats.norm;
* seasonal_local_level: the whole series as one multivariate normal
  (scipy.stats.multivariate_normal), its mean and covariance built from explicit powers of the
  transition matrix (y[t] = Z T^t x0 + sum_{u<t} Z T^(t-1-u) R noise[u] + eps[t]), no Kalman filter.

Checks, for every generated case (fixed seed): the value within 1e-12 relative of the reference;
reverse mode equal to forward mode within 1e-12 (relative to the gradient's scale); reverse mode
equal to a fourth-order central finite difference of the reference (h = 1e-4 max(1, |x|)) within
1e-6 (relative, absolute floor 1e-6). Invalid inputs must give an error line. Exits 1 on any
mismatch.
"""
import subprocess
import sys

import numpy as np
from scipy import signal, stats

rng = np.random.default_rng(20261208)
VALUE_TOL = 1e-12
MODE_TOL = 1e-12
FD_TOL = 1e-6


def fmt(xs):
    xs = np.atleast_1d(np.asarray(xs, dtype=float)).ravel()
    return ",".join(repr(float(v)) for v in xs) if xs.size else "-"


# ---------------------------------------------------------------- references (flat input x)
def arma_ref(x, shape):
    n, p, q = shape["n"], shape["p"], shape["q"]
    y, mu = x[:n], x[n]
    phi, theta, sigma = x[n + 1:n + 1 + p], x[n + 1 + p:n + 1 + p + q], x[n + 1 + p + q]
    z = y - mu
    # w[t] = z[t] - sum_k phi[k] z[t-1-k] for t >= p (the AR residual), 0 before
    w = np.convolve(z, np.concatenate([[1.0], -phi]))[:n]
    w[:p] = 0.0
    eps = signal.lfilter([1.0], np.concatenate([[1.0], theta]), w)
    return float(np.sum(stats.norm.logpdf(eps[p:], 0.0, sigma)))


def seasonal_ref(x, shape):
    n, m = shape["n"], shape["period"]
    y = x[:n]
    sl, ss, so, a1, p1 = x[n:n + 5]
    tmat = np.zeros((m, m))
    tmat[0, 0] = 1.0
    tmat[1, 1:] = -1.0
    for j in range(2, m):
        tmat[j, j - 1] = 1.0
    z = np.zeros(m)
    z[:2] = 1.0
    rows = [z]
    for _ in range(1, n):
        rows.append(rows[-1] @ tmat)
    rows = np.array(rows)  # rows[t] = Z T^t
    x0 = np.zeros(m)
    x0[0] = a1
    q = np.zeros((m, m))
    q[0, 0], q[1, 1] = sl * sl, ss * ss
    cov = p1 * rows @ rows.T + so * so * np.eye(n)
    for s_ in range(n):
        for t in range(n):
            for u in range(min(s_, t)):
                cov[s_, t] += rows[s_ - 1 - u] @ q @ rows[t - 1 - u]
    return stats.multivariate_normal.logpdf(y, rows @ x0, cov)


REFS = {"arma": arma_ref, "seasonal_local_level": seasonal_ref}


# ---------------------------------------------------------------- cases
def arma_case(n, p, q):
    phi = rng.uniform(-0.6, 0.6, p) / max(p, 1)
    theta = rng.uniform(-0.6, 0.6, q) / max(q, 1)
    y = rng.normal(0.2, 1.0, n)
    mu, sigma = rng.normal(0, 0.5), rng.uniform(0.3, 1.5)
    x = np.concatenate([y, [mu], phi, theta, [sigma]])
    line = f"arma {fmt(y)} {fmt(mu)} {fmt(phi)} {fmt(theta)} {fmt(sigma)}"
    return line, x, {"n": n, "p": p, "q": q}


def seasonal_case(n, period):
    pars = [rng.uniform(0.1, 1.0), rng.uniform(0.05, 0.6), rng.uniform(0.2, 1.5), rng.normal(), rng.uniform(0.5, 5.0)]
    season = np.resize(rng.normal(0, 1, period), n)
    y = np.cumsum(rng.normal(0, pars[0], n)) + season + rng.normal(0, pars[2], n)
    x = np.concatenate([y, pars])
    line = f"seasonal_local_level {period} " + " ".join([fmt(y)] + [fmt(v) for v in pars])
    return line, x, {"n": n, "period": period}


def cases():
    out = []
    for n, period in [(1, 2), (2, 3), (5, 2), (9, 4), (20, 7), (40, 5), (30, 12)]:
        out.append(seasonal_case(n, period))
    for n, p, q in [(1, 0, 0), (3, 0, 1), (2, 1, 1), (7, 1, 1), (25, 2, 1), (40, 2, 3), (60, 0, 2), (30, 3, 0), (4, 4, 2), (50, 1, 4)]:
        out.append(arma_case(n, p, q))
    return out


# invalid inputs: each must produce an error line
ERRORS = [
    "arma 1,2 0 0.5,0.1,0.2 0.3 1",   # fewer values than the order
    "arma 1,2,3 0 0.5 0.3 0",         # sigma <= 0
    "arma 1,2,3 0 0.5 nan 1",         # theta not a number
    "arma 1,2,3 inf 0.5 0.3 1",       # mu not finite
    "seasonal_local_level 1 1,2,3 0.5 0.5 1 0 1",   # period < 2
    "seasonal_local_level 4 1,2,3 0.5 0 1 0 1",     # sigma_season <= 0
    "seasonal_local_level 4 1,2,3 0.5 0.5 1 0 -1",  # p1 <= 0
]


def finite_difference(ref, x, shape, j):
    """Fourth-order central difference (truncation ~h^4; rounding ~1e-13 |f| / h)."""
    h = 1e-4 * max(1.0, abs(x[j]))
    total = 0.0
    for w, k in ((1, -2), (-8, -1), (8, 1), (-1, 2)):
        xk = x.copy()
        xk[j] += k * h
        total += w * ref(xk, shape)
    return total / (12 * h)


def check_case(line, x, shape, result):
    name = line.split()[0]
    ref = REFS[name]
    if result.startswith("error"):
        return [f"{name} {shape}: unexpected {result}"], 0.0
    value, rev, fwd = result.split("|")
    value = float(value)
    rev = np.array([float(v) for v in rev.split()])
    fwd = np.array([float(v) for v in fwd.split()])
    problems = []
    expected = ref(x, shape)
    rel = abs(value - expected) / abs(expected) if expected != 0 else abs(value)
    if rel > VALUE_TOL:
        problems.append(f"{name} {shape}: value {value!r}, reference {expected!r}, rel err {rel:.2e}")
    scale = max(1.0, float(np.max(np.abs(rev)))) if rev.size else 1.0
    for j in range(len(x)):
        if abs(rev[j] - fwd[j]) > MODE_TOL * max(abs(fwd[j]), scale):
            problems.append(f"{name} {shape}: d/dx[{j}] reverse {rev[j]!r} vs forward {fwd[j]!r}")
        fd = finite_difference(ref, x, shape, j)
        if abs(rev[j] - fd) > FD_TOL * max(1.0, abs(fd)):
            problems.append(f"{name} {shape}: d/dx[{j}] reverse {rev[j]!r} vs finite difference {fd!r}")
    return problems, rel


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    all_cases = cases()
    lines = [c[0] for c in all_cases] + ERRORS
    out = subprocess.run([sys.argv[1]], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    results = out.stdout.splitlines()
    if len(results) != len(lines):
        print(f"expected {len(lines)} result lines, got {len(results)}")
        return 1
    problems = []
    worst = {}
    count = {}
    for (line, x, shape), result in zip(all_cases, results):
        found, rel = check_case(line, x, shape, result)
        problems += found
        name = line.split()[0]
        worst[name] = max(worst.get(name, 0.0), rel)
        count[name] = count.get(name, 0) + 1
    for line, result in zip(ERRORS, results[len(all_cases):]):
        if not result.startswith("error: "):
            problems.append(f"`{line}` should be an error, got {result}")
    for name in REFS:
        print(f"{name:22} {count[name]:3} cases, largest relative value error {worst.get(name, 0.0):.1e}")
    print(f"{len(ERRORS)} invalid inputs rejected" if not any("should be an error" in p for p in problems) else "invalid inputs: see below")
    for p in problems:
        print("MISMATCH", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
