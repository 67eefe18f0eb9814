#!/usr/bin/env python3
"""Cross-check sev's time-series densities against independent NumPy/SciPy implementations.

Usage:  python3 tests/ppl_tseries/check_numpy.py PATH/TO/tseries_eval

The tseries_eval binary (tests/ppl_tseries/tseries_eval.zig) prints each density's value, its
reverse-mode gradient and its forward-mode gradient. The references here are written from the
definitions, not from sev's recursions:

* ar: the sum of normal log densities of y[t] given the p values before it (scipy.stats.norm);
* arma11: normal log densities of y[t] given y[t-1] and the previous innovation (the first zero);
* garch11: the volatility recursion and scipy.stats.norm;
* local_level: the whole series as one multivariate normal (scipy.stats.multivariate_normal)
  with Cov(y[s], y[t]) = p1 + sigma_level^2 min(s, t) + sigma_obs^2 [s == t], no Kalman filter;
* local_linear_trend: likewise, with the covariance of a level driven by a random-walk slope
  (its value reference at 40 digits with mpmath: the covariance is ill-conditioned);
* hmm_marginal: the forward algorithm in log space with scipy.special.logsumexp per transition.

Checks, for every generated case (fixed seed): the value within 1e-12 relative of the reference;
reverse mode equal to forward mode within 1e-12 (relative, absolute floor 1e-12 times the
gradient's scale); reverse mode equal to a fourth-order central finite difference of the
reference (h = 1e-4 max(1, |x|)) within 1e-6 (relative, absolute floor 1e-6). Invalid inputs must give an
error line. Exits 1 on any mismatch.
"""
import subprocess
import sys

import mpmath as mp
import numpy as np
from scipy import special, stats

mp.mp.dps = 40

rng = np.random.default_rng(20261207)
VALUE_TOL = 1e-12
MODE_TOL = 1e-12
FD_TOL = 1e-6


def fmt(xs):
    xs = np.atleast_1d(np.asarray(xs, dtype=float)).ravel()
    return ",".join(repr(float(v)) for v in xs) if xs.size else "-"


# ---------------------------------------------------------------- references (flat input x)
def ar_ref(x, n, p):
    y, mu, phi, sigma = x[:n], x[n], x[n + 1:n + 1 + p], x[n + 1 + p]
    lp = 0.0
    for t in range(p, n):
        mean = mu + sum(phi[k] * (y[t - 1 - k] - mu) for k in range(p))
        lp += stats.norm.logpdf(y[t], mean, sigma)
    return lp


def arma_ref(x, n, _p):
    y, mu, phi, theta, sigma = x[:n], x[n], x[n + 1], x[n + 2], x[n + 3]
    lp, eps = 0.0, 0.0
    for t in range(1, n):
        mean = mu + phi * (y[t - 1] - mu) + theta * eps
        lp += stats.norm.logpdf(y[t], mean, sigma)
        eps = y[t] - mean
    return lp


def garch_ref(x, n, _p):
    y, mu, a0, a1, b1, s1 = x[:n], x[n], x[n + 1], x[n + 2], x[n + 3], x[n + 4]
    h = s1 * s1
    lp = 0.0
    for t in range(n):
        if t > 0:
            h = a0 + a1 * (y[t - 1] - mu) ** 2 + b1 * h
        lp += stats.norm.logpdf(y[t], mu, np.sqrt(h))
    return lp


def local_level_ref(x, n, _p):
    y, sl, so, a1, p1 = x[:n], x[n], x[n + 1], x[n + 2], x[n + 3]
    idx = np.arange(n)
    cov = p1 + sl * sl * np.minimum.outer(idx, idx) + so * so * np.eye(n)
    return stats.multivariate_normal.logpdf(y, np.full(n, a1), cov)


def local_linear_trend_ref(x, n, _p):
    y, sl, ss, so, al, ab, p1 = x[:n], x[n], x[n + 1], x[n + 2], x[n + 3], x[n + 4], x[n + 5]
    # level[t] = level[0] + t slope[0] + sum_{u<t} eta[u] + sum_{u<t} (t - 1 - u) zeta[u]
    t = np.arange(n, dtype=float)
    cov = p1 * (1 + np.outer(t, t)) + sl * sl * np.minimum.outer(t, t) + so * so * np.eye(n)
    for i in range(n):
        for j in range(n):
            u = np.arange(min(i, j), dtype=float)
            cov[i, j] += ss * ss * np.sum((i - 1 - u) * (j - 1 - u))
    return stats.multivariate_normal.logpdf(y, al + ab * t, cov)


def local_linear_trend_exact(x, n, _p):
    """The same density at 40 digits (mpmath): the dense covariance grows like t^2 p1, so the
    double-precision SciPy value itself is only good to ~1e-13 for the longer series."""
    y = x[:n]
    sl, ss, so, al, ab, p1 = (mp.mpf(float(v)) for v in x[n:n + 6])
    cov = mp.matrix(n, n)
    for i in range(n):
        for j in range(n):
            c = p1 * (1 + i * j) + sl * sl * min(i, j) + ss * ss * sum((i - 1 - u) * (j - 1 - u) for u in range(min(i, j)))
            cov[i, j] = c + (so * so if i == j else 0)
    r = mp.matrix([mp.mpf(float(y[t])) - al - ab * t for t in range(n)])
    chol = mp.cholesky(cov)
    z = mp.lu_solve(chol, r)  # chol is lower triangular: forward substitution
    logdet = 2 * mp.fsum(mp.log(chol[i, i]) for i in range(n))
    return float(-0.5 * (n * mp.log(2 * mp.pi) + logdet + mp.fsum(v * v for v in z)))


def hmm_ref(x, t_len, k):
    lo = x[:t_len * k].reshape(t_len, k)
    gam = x[t_len * k:t_len * k + k * k].reshape(k, k)
    rho = x[t_len * k + k * k:]
    with np.errstate(divide="ignore"):
        log_gam = np.log(gam)
        alpha = np.log(rho) + lo[0]
    for t in range(1, t_len):
        alpha = special.logsumexp(alpha[:, None] + log_gam, axis=0) + lo[t]
    return special.logsumexp(alpha)


# value references where double precision is not enough (the gradient checks use REFS)
EXACT = {"local_linear_trend": local_linear_trend_exact}

REFS = {"ar": ar_ref, "arma11": arma_ref, "garch11": garch_ref, "local_level": local_level_ref, "local_linear_trend": local_linear_trend_ref, "hmm_marginal": hmm_ref}


# ---------------------------------------------------------------- cases
def ar_case(n, p):
    phi = rng.uniform(-0.5, 0.5, p) / max(p, 1)
    x = np.concatenate([rng.normal(0.3, 1.2, n), [rng.normal()], phi, [rng.uniform(0.3, 2.0)]])
    line = f"ar {fmt(x[:n])} {fmt(x[n])} {fmt(phi)} {fmt(x[-1])}"
    return line, x, n, p


def arma_case(n):
    pars = [rng.normal(0, 0.5), rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8), rng.uniform(0.3, 1.5)]
    x = np.concatenate([rng.normal(0, 1, n), pars])
    return "arma11 " + " ".join([fmt(x[:n])] + [fmt(v) for v in pars]), x, n, 0


def garch_case(n):
    pars = [rng.normal(0, 0.3), rng.uniform(0.05, 0.5), rng.uniform(0, 0.4), rng.uniform(0, 0.5), rng.uniform(0.3, 1.5)]
    x = np.concatenate([rng.normal(0, 1, n), pars])
    return "garch11 " + " ".join([fmt(x[:n])] + [fmt(v) for v in pars]), x, n, 0


def local_level_case(n):
    pars = [rng.uniform(0.1, 1.0), rng.uniform(0.2, 1.5), rng.normal(), rng.uniform(0.2, 5.0)]
    y = np.cumsum(rng.normal(0, pars[0], n)) + rng.normal(0, pars[1], n)
    x = np.concatenate([y, pars])
    return "local_level " + " ".join([fmt(y)] + [fmt(v) for v in pars]), x, n, 0


def local_linear_trend_case(n):
    pars = [rng.uniform(0.1, 1.0), rng.uniform(0.05, 0.5), rng.uniform(0.2, 1.5), rng.normal(), rng.normal(0, 0.3), rng.uniform(0.2, 5.0)]
    y = np.cumsum(np.cumsum(rng.normal(0, pars[1], n)) + rng.normal(0, pars[0], n)) + rng.normal(0, pars[2], n)
    x = np.concatenate([y, pars])
    return "local_linear_trend " + " ".join([fmt(y)] + [fmt(v) for v in pars]), x, n, 0


def hmm_case(t_len, k):
    lo = rng.normal(-2, 1.5, (t_len, k))
    gam = rng.dirichlet(np.full(k, 3.0), k)
    rho = rng.dirichlet(np.full(k, 3.0))
    x = np.concatenate([lo.ravel(), gam.ravel(), rho])
    return f"hmm_marginal {t_len} {k} {fmt(lo)} {fmt(gam)} {fmt(rho)}", x, t_len, k


def cases():
    out = []
    for n, p in [(1, 0), (2, 1), (6, 1), (12, 2), (30, 3), (50, 1), (8, 4)]:
        out.append(ar_case(n, p))
    for n in [1, 2, 7, 25, 60]:
        out.append(arma_case(n))
    for n in [1, 2, 7, 25, 60]:
        out.append(garch_case(n))
    for n in [1, 2, 5, 15, 40]:
        out.append(local_level_case(n))
    for n in [1, 2, 6, 20, 40]:
        out.append(local_linear_trend_case(n))
    for t_len, k in [(1, 1), (1, 3), (2, 2), (10, 2), (25, 3), (40, 4), (100, 2)]:
        out.append(hmm_case(t_len, k))
    return out


# invalid inputs: each must produce an error line
ERRORS = [
    "ar 1,2 0 0.5,0.1,0.2 1",             # fewer values than the order
    "ar 1,2,3 0 0.5 -1",                  # sigma <= 0
    "arma11 1,2 0 0.5 0.1 0",             # sigma <= 0
    "arma11 1,2 0 nan 0.1 1",             # phi not a number
    "garch11 1,2 0 0.1 1.5 0.2 1",         # alpha1 > 1
    "garch11 1,2 0 -0.1 0.1 0.2 1",        # alpha0 <= 0
    "local_level 1,2 0.5 0 0 1",           # sigma_obs <= 0
    "local_level 1,2 0.5 1 0 -1",          # p1 <= 0
    "local_linear_trend 1,2 0.5 0.1 1 0 0 0",   # p1 <= 0
    "hmm_marginal 1 2 -1,-2 0.5,0.6,0.5,0.5 0.5,0.5",  # a row of Gamma is not a simplex
    "hmm_marginal 1 2 -1,-2 0.5,0.5,0.5,0.5 0.7,0.7",  # rho is not a simplex
]


def finite_difference(ref, x, n, p, j):
    """Fourth-order central difference (truncation ~h^4; rounding ~1e-13 |f| / h)."""
    h = 1e-4 * max(1.0, abs(x[j]))
    total = 0.0
    for w, k in ((1, -2), (-8, -1), (8, 1), (-1, 2)):
        xk = x.copy()
        xk[j] += k * h
        total += w * ref(xk, n, p)
    return total / (12 * h)


def check_case(line, x, n, p, result):
    name = line.split()[0]
    ref = REFS[name]
    if result.startswith("error"):
        return [f"{name}: unexpected {result}"]
    value, rev, fwd = result.split("|")
    value = float(value)
    rev = np.array([float(v) for v in rev.split()])
    fwd = np.array([float(v) for v in fwd.split()])
    problems = []
    expected = EXACT.get(name, ref)(x, n, p)
    if abs(value - expected) > VALUE_TOL * abs(expected):
        problems.append(f"{name} (n={n}, p={p}): value {value!r}, reference {expected!r}, rel err {abs(value - expected) / abs(expected):.2e}")
    scale = max(1.0, float(np.max(np.abs(rev)))) if rev.size else 1.0
    for j in range(len(x)):
        if abs(rev[j] - fwd[j]) > MODE_TOL * max(abs(fwd[j]), scale):
            problems.append(f"{name} (n={n}, p={p}): d/dx[{j}] reverse {rev[j]!r} vs forward {fwd[j]!r}")
        fd = finite_difference(ref, x, n, p, j)
        if abs(rev[j] - fd) > FD_TOL * max(1.0, abs(fd)):
            problems.append(f"{name} (n={n}, p={p}): d/dx[{j}] reverse {rev[j]!r} vs finite difference {fd!r}")
    return problems


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
    for (line, x, n, p), result in zip(all_cases, results):
        problems += check_case(line, x, n, p, result)
        name = line.split()[0]
        if not result.startswith("error"):
            expected = EXACT.get(name, REFS[name])(x, n, p)
            err = abs(float(result.split("|")[0]) - expected)
            rel = err / abs(expected) if expected != 0 else err
            worst[name] = max(worst.get(name, 0.0), rel)
    for line, result in zip(ERRORS, results[len(all_cases):]):
        if not result.startswith("error: "):
            problems.append(f"`{line}` should be an error, got {result}")
    count = {}
    for line, *_ in all_cases:
        count[line.split()[0]] = count.get(line.split()[0], 0) + 1
    for name in REFS:
        print(f"{name:14} {count[name]:3} cases, largest relative value error {worst.get(name, 0.0):.1e}")
    print(f"{len(ERRORS)} invalid inputs rejected" if not any("should be an error" in p for p in problems) else "invalid inputs: see below")
    for p in problems:
        print("MISMATCH", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
