#!/usr/bin/env python3
"""Writes the small synthetic data sets the model tests use (tests/ppl_gradients.rs): one per
model in examples/posteriordb/, named after the model. They are simulated here from made-up
parameter values (fixed seed), not taken from posteriordb; only the field names and shapes
match what the models read. Re-run with `python3 tests/data/generate.py` (deterministic)."""
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261125)


def r(x, digits=4):
    return round(x, digits)


def write(name, data):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(data, f, separators=(", ", ": "))
        f.write("\n")


def schools():
    J = 6
    sigma = [r(rng.uniform(8, 16), 1) for _ in range(J)]
    theta = [rng.gauss(4, 3) for _ in range(J)]
    return {"J": J, "y": [r(rng.gauss(t, s), 2) for t, s in zip(theta, sigma)], "sigma": sigma}


def blr():
    N, D = 30, 4
    beta = [1.0, -2.0, 0.5, 3.0]
    X = [[r(rng.gauss(0, 1)) for _ in range(D)] for _ in range(N)]
    y = [r(sum(a * b for a, b in zip(row, beta)) + rng.gauss(0, 1.5)) for row in X]
    return {"N": N, "D": D, "X": X, "y": y}


def kidscore():
    N = 40
    iq = [r(rng.gauss(100, 15), 2) for _ in range(N)]
    return {"N": N, "kid_score": [r(25 + 0.6 * m + rng.gauss(0, 18), 1) for m in iq], "mom_iq": iq}


def ark():
    K, T = 3, 60
    beta = [0.5, -0.2, 0.1]
    y = [rng.gauss(0, 1) for _ in range(K)]
    for t in range(K, T):
        y.append(0.2 + sum(beta[k] * y[t - k - 1] for k in range(K)) + rng.gauss(0, 0.3))
    return {"K": K, "T": T, "y": [r(v) for v in y]}


def gauss_mix():
    N = 60
    y = [r(rng.gauss(-2, 1) if rng.random() < 0.4 else rng.gauss(3, 1)) for _ in range(N)]
    return {"N": N, "y": y}


def wells():
    N = 50
    dist = [r(rng.uniform(0, 3), 3) for _ in range(N)]
    sw = [1 if rng.random() < 1 / (1 + math.exp(-(0.6 - 0.6 * d))) else 0 for d in dist]
    return {"N": N, "switched": sw, "dist": dist}


def glm_poisson():
    n = 25
    year = [r((i - (n - 1) / 2) / ((n - 1) / 2) * 1.6, 4) for i in range(n)]
    C = []
    for t in year:
        lam = math.exp(4.2 + 1.2 * t + 0.1 * t * t - 0.2 * t ** 3)
        # Poisson by inversion (small rates are not needed here: lam > 20)
        k = max(0, round(rng.gauss(lam, math.sqrt(lam))))
        C.append(k)
    return {"n": n, "C": C, "year": year}


def main():
    es = schools()
    write("eight_schools_noncentered", es)
    write("eight_schools_centered", es)
    write("blr", blr())
    write("kidscore_momiq", kidscore())
    write("arK", ark())
    write("low_dim_gauss_mix", gauss_mix())
    write("wells_dist", wells())
    write("GLM_Poisson_model", glm_poisson())


if __name__ == "__main__":
    main()
