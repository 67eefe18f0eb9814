"""The posterior of a GP's latent values at fixed hyperparameters (tests/ppl_matrix.rs) against
the closed form.

Usage: gp_closed_form.py DATA.json SUMMARY.json. With y ~ normal(f, sigma) and the prior
f ~ multi_normal(0, K), K = alpha^2 exp(-(x_i - x_j)^2 / (2 rho^2)) + 1e-9 I (the model's
jitter), the posterior of f is normal with mean K (K + sigma^2 I)^-1 y and covariance
K - K (K + sigma^2 I)^-1 K. Each column f.i of the sampler's summary must have its mean within
4 MCSE of the exact mean and its sd within 4 standard errors (sd / sqrt(2 ESS), times 1.5 for
the estimate's own error) of the exact sd. Prints one line per coordinate; exits 1 on a miss.
"""

import json
import sys

import numpy as np

data = json.load(open(sys.argv[1]))
summary = {c["name"]: c for c in json.load(open(sys.argv[2]))["columns"]}
x, y = np.array(data["x"]), np.array(data["y"])
alpha, rho, sigma = data["alpha"], data["rho"], data["sigma"]
k = alpha**2 * np.exp(-((x[:, None] - x[None, :]) ** 2) / (2 * rho**2)) + 1e-9 * np.eye(len(x))
gain = np.linalg.solve(k + sigma**2 * np.eye(len(x)), k).T
mean = gain @ y
sd = np.sqrt(np.diag(k - gain @ k))
bad = 0
for i in range(len(x)):
    col = summary[f"f.{i + 1}"]
    mean_tol = 4 * col["mcse_mean"]
    sd_tol = 1.5 * 4 * sd[i] / np.sqrt(2 * col["ess_bulk"])
    ok = abs(col["mean"] - mean[i]) <= mean_tol and abs(col["sd"] - sd[i]) <= sd_tol
    bad += not ok
    print(f"f.{i + 1:<3} mean {col['mean']:+.4f} exact {mean[i]:+.4f} (tol {mean_tol:.4f})  sd {col['sd']:.4f} exact {sd[i]:.4f} (tol {sd_tol:.4f})  {'ok' if ok else 'MISS'}")
sys.exit(1 if bad else 0)
