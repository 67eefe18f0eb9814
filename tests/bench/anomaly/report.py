#!/usr/bin/env python3
"""A self-contained HTML report of one series: the metric, the detector's predictive band,
the anomaly probability, the alerts and, when known, NAB's labelled windows.

    python3 tests/bench/anomaly/report.py DETECTOR_OUTPUT.csv OUT.html [--title T]
                                          [--alerts ALERTING_OUTPUT.csv] [--windows NAB_DIR KEY]

DETECTOR_OUTPUT.csv is what a detector of examples/anomaly/ prints (`timestamp`, `value`,
`anomaly_probability`, and `lower`/`upper` when it has a band); --alerts takes the output of
`alerting` for the same rows (its `open` events are drawn as red markers); --windows reads the
windows of series KEY (e.g. realKnownCause/nyc_taxi.csv) from NAB_DIR/labels. The page is one
file with inline SVG and no scripts or external resources, so it opens anywhere.
"""

import argparse
import csv
import html
import json
import os

WIDTH, TOP_H, BOTTOM_H, PAD, LEFT = 1100, 300, 120, 50, 80


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def polyline(points, colour, width=1.2):
    text = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline fill="none" stroke="{colour}" stroke-width="{width}" points="{text}"/>'


def windows_of(nab_dir, key, timestamps):
    """NAB's windows of one series as (first, last) row indices of this output."""
    with open(os.path.join(nab_dir, "labels", "combined_windows.json")) as f:
        pairs = json.load(f).get(key, [])
    def index(stamp):
        wanted = stamp.split(".")[0].replace(" ", "T") + "Z"
        return next((i for i, t in enumerate(timestamps) if t == wanted), None)
    found = [(index(a), index(b)) for a, b in pairs]
    return [(a, b) for a, b in found if a is not None and b is not None]


def page(rows, title, opened, windows):
    n = len(rows)
    values = [float(r["value"]) for r in rows]
    lower = [float(r["lower"]) for r in rows] if "lower" in rows[0] else None
    upper = [float(r["upper"]) for r in rows] if "upper" in rows[0] else None
    prob = [float(r["anomaly_probability"]) for r in rows]
    # The axis covers the values and the band, but a band far wider than the data (a detector's
    # first, untrained rows) is clipped at half the data's range beyond it.
    vlo, vhi = min(values), max(values)
    margin = 0.5 * (vhi - vlo)
    band_values = [v for v in (lower or []) + (upper or []) if vlo - margin <= v <= vhi + margin]
    lo, hi = min(values + band_values), max(values + band_values)
    if hi == lo:
        hi = lo + 1.0
    def x(i):
        return LEFT + (WIDTH - LEFT - PAD) * i / max(n - 1, 1)
    def y(v):
        return PAD / 2 + TOP_H * (1 - (v - lo) / (hi - lo))
    def yp(p):
        return PAD + TOP_H + 20 + BOTTOM_H * (1 - p)
    height = int(PAD + TOP_H + 20 + BOTTOM_H + PAD)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<rect width="{WIDTH}" height="{height}" fill="white"/>']
    for a, b in windows:
        parts.append(f'<rect x="{x(a):.1f}" y="{PAD / 2}" width="{max(x(b) - x(a), 1):.1f}" height="{height - PAD}" fill="#f6d55c" opacity="0.35"/>')
    if lower and upper:
        def clip(v):
            return min(max(v, lo), hi)
        band = [(x(i), y(clip(v))) for i, v in enumerate(upper)] + [(x(i), y(clip(v))) for i, v in reversed(list(enumerate(lower)))]
        parts.append('<polygon fill="#9ecae1" opacity="0.6" points="' + " ".join(f"{a:.1f},{b:.1f}" for a, b in band) + '"/>')
    parts.append(polyline([(x(i), y(v)) for i, v in enumerate(values)], "#08306b"))
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - PAD}" y1="{yp(0.5):.1f}" y2="{yp(0.5):.1f}" stroke="#999" stroke-dasharray="4 3"/>')
    parts.append(polyline([(x(i), yp(p)) for i, p in enumerate(prob)], "#a50f15"))
    for p in (0, 1):
        parts.append(f'<text x="{LEFT - 6}" y="{yp(p):.1f}" text-anchor="end">{p}</text>')
    for i in opened:
        parts.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{PAD / 2}" y2="{yp(0):.1f}" stroke="#e41a1c" stroke-width="1.5"/>')
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(values[i]):.1f}" r="4" fill="#e41a1c"/>')
    parts.append(f'<text x="{LEFT}" y="{PAD / 2 - 6}">{html.escape(title)}: value (dark blue), 95 % predictive band (light blue)</text>')
    parts.append(f'<text x="{LEFT}" y="{yp(1) - 6:.1f}">anomaly probability (red line; dashed: 0.5); red markers: alerts; yellow: NAB windows</text>')
    parts.append(f'<text x="{LEFT}" y="{height - 10}">{html.escape(rows[0]["timestamp"])}</text>')
    parts.append(f'<text x="{WIDTH - PAD}" y="{height - 10}" text-anchor="end">{html.escape(rows[-1]["timestamp"])}</text>')
    parts.append(f'<text x="{LEFT - 6}" y="{y(hi):.1f}" text-anchor="end">{hi:.4g}</text>')
    parts.append(f'<text x="{LEFT - 6}" y="{y(lo):.1f}" text-anchor="end">{lo:.4g}</text>')
    parts.append("</svg>")
    alerts = "".join(f"<li>{html.escape(rows[i]['timestamp'])}: value {html.escape(rows[i]['value'])}, "
                     f"probability {prob[i]:.3f}</li>" for i in opened)
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html.escape(title) + "</title></head>"
            "<body style=\"font-family:sans-serif\"><h1>" + html.escape(title) + "</h1>" + "".join(parts)
            + f"<p>{n} rows, {len(opened)} alert(s), {len(windows)} NAB window(s).</p><ul>{alerts}</ul></body></html>\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("detector_output")
    parser.add_argument("out")
    parser.add_argument("--title")
    parser.add_argument("--alerts", help="alerting's output for the same rows")
    parser.add_argument("--windows", nargs=2, metavar=("NAB_DIR", "KEY"))
    args = parser.parse_args()
    rows = read_rows(args.detector_output)
    if not rows or "anomaly_probability" not in rows[0]:
        raise SystemExit(f"report.py: {args.detector_output} has no anomaly_probability column")
    if args.alerts:
        opened = [i for i, r in enumerate(read_rows(args.alerts)) if r.get("event") == "open"]
    else:
        opened = [i for i, r in enumerate(rows) if float(r["anomaly_probability"]) > 0.5]
    windows = windows_of(args.windows[0], args.windows[1], [r["timestamp"] for r in rows]) if args.windows else []
    with open(args.out, "w") as f:
        f.write(page(rows, args.title or os.path.basename(args.detector_output), opened, windows))


if __name__ == "__main__":
    main()
