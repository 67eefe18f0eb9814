#!/usr/bin/env python3
"""Writes latency.csv beside this script: a synthetic request-latency series (milliseconds,
one row every 5 minutes from 2024-03-01) for the anomaly-detector demo. Gaussian noise around
120 ms (sd 6), a 70 ms spike at row 200 (2024-03-01 16:40) and a lasting rise of 35 ms from
row 420 (2024-03-02 11:00). Seeded, so the file is the same on every run."""

import datetime
import os
import random

rng = random.Random(20240301)
start = datetime.datetime(2024, 3, 1)
rows = ["timestamp,value"]
for i in range(600):
    value = rng.gauss(120.0, 6.0) + (70.0 if i == 200 else 0.0) + (35.0 if i >= 420 else 0.0)
    stamp = (start + datetime.timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S")
    rows.append(f"{stamp},{value:.1f}")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "latency.csv"), "w") as f:
    f.write("\n".join(rows) + "\n")
