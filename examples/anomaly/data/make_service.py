#!/usr/bin/env python3
"""Writes service.csv beside this script: synthetic metrics of one web service, one row every 5
minutes for 5 days from 2024-03-01 (timestamp,rate,latency,errors: requests, mean latency in ms
and failed requests per interval), for detector 5 (multimetric) and its tests. The request rate
follows a daily cycle (100 to 340 per interval); latency grows with load (20 ms x
sqrt(rate/100), 5 % log-normal noise); errors are Poisson with 0.5 % of the requests. Three
incidents of known cause:

- rows 500-523: a traffic surge (rate x 3), latency rising with it as the load law says;
- rows 800-835: a latency regression (x 1.6) at normal traffic;
- rows 1100-1111: an error burst (5 % of the requests fail) at normal traffic and latency.

Seeded, so the file is the same on every run."""

import datetime
import math
import os
import random

SURGE, SLOW, FAIL = range(500, 524), range(800, 836), range(1100, 1112)


def poisson(rng, lam):
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def main():
    rng = random.Random(20240305)
    start = datetime.datetime(2024, 3, 1)
    rows = ["timestamp,rate,latency,errors"]
    for i in range(1440):
        mean_rate = 220.0 + 120.0 * math.sin(2.0 * math.pi * (i % 288) / 288.0)
        rate = poisson(rng, mean_rate * (3.0 if i in SURGE else 1.0))
        latency = 20.0 * math.sqrt(rate / 100.0) * math.exp(rng.gauss(0.0, 0.05)) * (1.6 if i in SLOW else 1.0)
        errors = poisson(rng, rate * (0.05 if i in FAIL else 0.005))
        stamp = (start + datetime.timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S")
        rows.append(f"{stamp},{rate},{latency:.2f},{errors}")
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "service.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
