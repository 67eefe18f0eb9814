"""Writes examples/anomaly/surprise.sirs.json, detector 7: the tail probability of a short-window
average of surprise under the long-run distribution of that average (an anomaly likelihood),
turned into a posterior probability, with a quiet period after each alert."""

import os

import common
from sirs import E, fn, for_range, if_, let, program, rec_type, ret, set_, var, write

DOC = (
    "Surprise likelihood (detector 7). Three views of the series each give a per-row surprise, the "
    "standardised distance |x - m| / s of the value (or of its change from the previous row) from a "
    "baseline: (1) the value against the mean and sd of the previous --window rows (default 288, a day "
    "at 5 minutes), (2) the value against the mean and sd of all previous rows, (3) the change against "
    "the previous --window changes. Each view averages its last --short surprises (default 10) and asks "
    "how unusual that average is under the long-run distribution of the averages seen so far, a normal "
    "with the running mean and variance: the upper tail probability Q(z) of the standardised average. "
    "The smallest tail probability of the three, times 3 (Bonferroni), is a p-value p for 'the recent "
    "rows came from the usual process'. It becomes a posterior probability with the Sellke-Bayarri-Berger "
    "bound on the Bayes factor against an anomaly, B = -e p log p (p < 1/e; 1 otherwise), and the prior "
    "probability --prior (default 0.00085) that a row starts an anomaly: posterior odds = prior odds / B. "
    "The first 20 rows only train (probability 0). A row whose probability reaches 0.5 is an alert; the "
    "next --quiet rows (default 100) get probability 0, since the incident is already reported. Output: "
    "timestamp, value, anomaly_probability, log10_p, view (the view with the smallest tail "
    "probability), lower and upper (the previous --window rows' mean +- 1.96 sd). See docs/anomaly.md.")

FEATURE = ("window: i64, count: i64, ring: [f64], mean: f64, m2: f64, recent: [f64], "
           "avg_count: f64, avg_mean: f64, avg_m2: f64, log_tail: f64")
FIELDS = ("prior: f64, quiet: i64, rows: i64, prev: f64, day: View, all: View, change: View, "
          "quiet_left: i64, p: f64, log10_p: f64, view: str, lower: f64, upper: f64")

CONSTANTS = {
    "WARMUP": {"type": "i64", "value": {"literal": 20}},
    "SETTLE": {"type": "i64", "value": {"literal": 100}},
    "VIEWS": {"type": "f64", "value": {"literal": 3.0}},
}


def new_view():
    return fn("window: i64, short: i64", "View", [
        ret({"record": {"type": "View", "fields": {
            "window": E("window"), "count": E("0"), "ring": E("array_fill(if window > 0 then window else 1, 0.0)"),
            "mean": E("0.0"), "m2": E("0.0"), "recent": E("array_fill(short, 0.0)"),
            "avg_count": E("0.0"), "avg_mean": E("0.0"), "avg_m2": E("0.0"), "log_tail": E("0.0")}}})],
        "A view that has seen nothing: window > 0 compares a value with the previous window values, "
        "window 0 with all previous values; short is the length of the surprise average.")


def baseline():
    """(mean, sd) of the values the view compares the next one with."""
    return fn("v: View", "(f64, f64)", [
        if_("v.count == 0", [ret({"tuple": [E("0.0"), E("0.0")]})]),
        if_("v.window == 0", [ret({"tuple": [E("v.mean"), E("math_sqrt(v.m2 / (v.count as f64))")]})]),
        let("n", "if v.count < v.window then v.count else v.window"),
        var("sum", "0.0"),
        for_range("k", "0", "n", [set_("sum", "sum + v.ring[k]")]),
        let("m", "sum / (n as f64)"),
        var("ss", "0.0"),
        for_range("k", "0", "n", [let("e", "v.ring[k] - m"), set_("ss", "ss + e * e")]),
        ret({"tuple": [E("m"), E("math_sqrt(ss / (n as f64))")]})],
        "The mean and standard deviation of the values the view compares the next value with: the "
        "previous `window` values, or all previous values when window is 0.")


def log_upper_tail():
    return fn("z: f64", "f64", [
        if_("z < 5.0", [ret("math_log(1.0 - phi(z))")]),
        let("r", "1.0 / (z * z)"),
        ret("-0.5 * z * z - math_log(z) - 0.5 * math_log(2.0 * math_pi()) + math_log(1.0 - r + 3.0 * r * r - 15.0 * r * r * r)")],
        "log Q(z), the log of the standard normal upper tail probability; beyond z = 5 by its asymptotic "
        "series (relative error below 3e-4), where 1 - phi(z) would lose digits.")


def average_step():
    return fn("v0: View, surprise: f64", "View", [
        var("v", "v0"),
        let("short", "len(v.recent)"),
        set_("v.recent[v.count % short]", "surprise"),
        var("sum", "0.0"),
        for_range("k", "0", "short", [set_("sum", "sum + v.recent[k]")]),
        let("avg", "sum / (short as f64)"),
        if_("v.avg_count >= 1.0", [
            let("avg_sd", "math_max(math_sqrt(v.avg_m2 / v.avg_count), 0.000001)"),
            set_("v.log_tail", "log_upper_tail((avg - v.avg_mean) / avg_sd)")]),
        if_("v.count >= WARMUP", [
            set_("v.avg_count", "v.avg_count + 1.0"),
            let("da", "avg - v.avg_mean"),
            set_("v.avg_mean", "v.avg_mean + da / v.avg_count"),
            set_("v.avg_m2", "v.avg_m2 + da * (avg - v.avg_mean)")]),
        ret("v")],
        "The row's surprise joins the view's short average, whose log tail probability under the running "
        "normal of all earlier averages is kept in log_tail; then the average joins those statistics (from "
        "row WARMUP + 1 on). The caller counts the row.")


def view_step():
    return fn("v0: View, x: f64", "View", [
        {"let": {"pattern": {"tuple": [{"var": "m"}, {"var": "sd"}]}, "value": E("baseline(v0)")}},
        let("scale", "math_max(sd, 0.001 * (math_abs(m) + 0.001))"),
        var("v", "average_step(v0, math_min(math_abs(x - m) / scale, 50.0))"),
        if_("v.window > 0", [set_("v.ring[v.count % v.window]", "x")]),
        set_("v.count", "v.count + 1"),
        let("dx", "x - v.mean"),
        set_("v.mean", "v.mean + dx / (v.count as f64)"),
        set_("v.m2", "v.m2 + dx * (x - v.mean)"),
        ret("v")],
        "One value: its surprise against the baseline goes through average_step, then the value joins the "
        "view's baseline statistics.")


def posterior():
    return fn("log_p: f64, prior: f64", "f64", [
        if_("log_p >= -1.0", [ret("prior")]),
        let("log_bound", "1.0 + log_p + math_log(-log_p)"),
        ret("inv_logit(logit(prior) - log_bound)")],
        "The posterior probability of an anomaly given a p-value p = exp(log_p): prior odds divided by the "
        "Sellke-Bayarri-Berger lower bound -e p log p on the Bayes factor for the usual process (1 when p >= 1/e).")


def step():
    return fn("s0: Surprise, row: [f64]", "Surprise", [
        var("s", "s0"),
        let("x", "row[1]"),
        let("change", "if s.rows == 0 then 0.0 else x - s.prev"),
        {"let": {"pattern": {"tuple": [{"var": "m"}, {"var": "sd"}]}, "value": E("baseline(s.day)")}},
        set_("s.lower", "m - 1.96 * sd"), set_("s.upper", "m + 1.96 * sd"),
        set_("s.day", "view_step(s.day, x)"),
        set_("s.all", "view_step(s.all, x)"),
        set_("s.change", "view_step(s.change, change)"),
        var("lt", "s.day.log_tail"), set_("s.view", '"day"'),
        if_("s.all.log_tail < lt", [set_("lt", "s.all.log_tail"), set_("s.view", '"all"')]),
        if_("s.change.log_tail < lt", [set_("lt", "s.change.log_tail"), set_("s.view", '"change"')]),
        let("log_p", "math_min(math_log(VIEWS) + lt, 0.0)"),
        set_("s.log10_p", "log_p / math_log(10.0)"),
        set_("s.prev", "x"), set_("s.rows", "s.rows + 1"),
        set_("s.p", "0.0"),
        if_("s.rows <= WARMUP + SETTLE", [ret("s")]),
        if_("s.quiet_left > 0", [set_("s.quiet_left", "s.quiet_left - 1"), ret("s")]),
        set_("s.p", "posterior(log_p, s.prior)"),
        if_("s.p >= 0.5", [set_("s.quiet_left", "s.quiet")]),
        ret("s")],
        "One row: the three views' tail probabilities, the p-value and its posterior probability (0 while "
        "training and in the quiet period after an alert).")


def report():
    cols = ", ".join(f"fmt({c})" for c in ["row[1]", "s.p", "s.log10_p"])
    return fn("row: [f64], s: Surprise", "void", [
        {"expression": {"call": {"function": "print", "args": [E(
            f'str_join([datetime_format(row[0] as i64), {cols}, s.view, fmt(s.lower), fmt(s.upper)], ",")')]}}}],
        "Prints one output row.")


def new_detector():
    return fn("window: i64, short: i64, prior: f64, quiet: i64", "Surprise", [
        ret({"record": {"type": "Surprise", "fields": {
            "prior": E("prior"), "quiet": E("quiet"), "rows": E("0"), "prev": E("0.0"),
            "day": E("new_view(window, short)"), "all": E("new_view(0, short)"),
            "change": E("new_view(window, short)"), "quiet_left": E("0"), "p": E("0.0"),
            "log10_p": E("0.0"), "view": E('""'), "lower": E("0.0"), "upper": E("0.0")}}})],
        "A detector that has seen nothing.")


def build():
    options = [
        ("--window", "window", "i64", "288", "v >= 2", "must be at least 2"),
        ("--short", "short", "i64", "10", "v >= 1", "must be at least 1"),
        ("--prior", "prior", "f64", "0.00085", "v > 0.0 && v < 1.0", "must be in (0, 1)"),
        ("--quiet", "quiet", "i64", "100", "v >= 0", "must be at least 0"),
    ]
    header = "timestamp,value,anomaly_probability,log10_p,view,lower,upper"
    main = common.main("surprise", options, header, "new_detector(window, short, prior, quiet)", 2)
    main["doc"] = DOC
    functions = {"main": main, "new_detector": new_detector(), "new_view": new_view(), "baseline": baseline(),
                 "log_upper_tail": log_upper_tail(), "average_step": average_step(), "view_step": view_step(), "posterior": posterior(),
                 "step": step(), "report": report(), "fmt": common.densities()["fmt"]}
    types = {"View": rec_type(FEATURE, "One view of the series: its baseline (a ring of the last `window` values, "
                                       "or the running mean and sum of squares of all values), the ring of recent "
                                       "surprises and the running mean and sum of squares of their averages."),
             "Surprise": rec_type(FIELDS, "The detector's state: settings, the three views, the quiet period and "
                                          "the last row's outputs.")}
    return program(types, functions, CONSTANTS)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(here, "..", "surprise.sirs.json"), build())
