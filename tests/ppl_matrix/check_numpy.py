"""Checks the matrix built-ins' printed values (tests/ppl_matrix.rs) against NumPy and SciPy.

Usage: check_numpy.py INPUTS.json OUTPUT.txt. INPUTS holds the matrices and vectors the SIRS
program used; OUTPUT is what it printed: a label line (`== name`) before each result, then its
elements one per line, row by row. Each element must agree to 1e-12 relative to the largest
element of its result (entries that cancel to nearly 0, e.g. in an inverse, are held to that
scale). Prints one line per result; exits 1 on any mismatch.
"""

import json
import sys

import numpy as np
from scipy.linalg import solve_triangular
from scipy.special import log_softmax, softmax


def expected(inputs):
    a = np.array(inputs["A"])
    g = np.array(inputs["G"])
    b = np.array(inputs["B"])
    v = np.array(inputs["v"])
    x = np.array(inputs["x"])
    alpha, rho, period = inputs["alpha"], inputs["rho"], inputs["period"]
    l = np.linalg.cholesky(a)
    d = x[:, None] - x[None, :]
    r = np.abs(d)
    u = np.sqrt(3.0) * r / rho
    return {
        "multiply": g @ b,
        "multiply_vector": g @ v,
        "transpose": b.T,
        "cholesky_decompose": l,
        "mdivide_left_tri_low": solve_triangular(l, b, lower=True),
        "mdivide_left_tri_low_vector": solve_triangular(l, v, lower=True),
        "log_determinant": np.array([np.linalg.slogdet(g)[1]]),
        "inverse": np.linalg.inv(g),
        "diag_matrix": np.diag(v),
        "add_diag": a + 0.5 * np.eye(len(a)),
        "rep_matrix": np.full((2, 3), 2.5),
        "gp_exp_quad_cov": alpha**2 * np.exp(-(d**2) / (2 * rho**2)),
        "gp_matern32_cov": alpha**2 * (1 + u) * np.exp(-u),
        "gp_periodic_cov": alpha**2 * np.exp(-2 * np.sin(np.pi * r / period) ** 2 / rho**2),
        "softmax": softmax(v),
        "log_softmax": log_softmax(v),
    }


def printed(text):
    results, name = {}, None
    for line in text.splitlines():
        if line.startswith("== "):
            name = line[3:].strip()
            results[name] = []
        elif line.strip():
            results[name].append(float(line))
    return results


def main():
    inputs = json.load(open(sys.argv[1]))
    got = printed(open(sys.argv[2]).read())
    bad = 0
    for name, want in expected(inputs).items():
        want = np.ravel(want)
        have = np.array(got.get(name, []))
        if have.shape != want.shape:
            print(f"{name:28} MISMATCH shape: printed {have.shape}, expected {want.shape}")
            bad += 1
            continue
        scale = max(np.max(np.abs(want)), 1e-300)
        err = np.max(np.abs(have - want)) / scale
        ok = err <= 1e-12
        bad += not ok
        print(f"{name:28} {'ok' if ok else 'MISMATCH'}  max error {err:.2e} relative ({want.size} values)")
    sys.exit(1 if bad else 0)


main()
