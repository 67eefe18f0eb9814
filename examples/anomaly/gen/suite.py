"""Writes examples/anomaly/suite.sirs.json, detector 6: the observability suite.

The suite runs detectors 1 (bocpd) and 4 (seasonal, weekly) side by side on each row and judges
their one-step predictions, together with detector 7's three views, by detector 7's anomaly
likelihood: five views, each a short average of surprise against its long-run distribution, their
tail probabilities combined by Simes' method into a posterior probability, a quiet period after each alert.
The sub-detectors are not rewritten: this script reads their programs (examples/anomaly/bocpd.sirs.json,
seasonal.sirs.json, surprise.sirs.json), prefixes every function, type and constant name with the
detector's name, drops their `main`s and adds one `main` that feeds them. Re-run it after
changing any of them."""

import json
import os
import re

import common
from sirs import E, fn, if_, let, program, rec_type, ret, set_, var, write

HERE = os.path.dirname(os.path.abspath(__file__))

DOC = (
    "The observability suite (detector 6): detectors 1 (bocpd, normal runs) and 4 (seasonal, daily and "
    "weekly bins) run side by side, and their one-step predictions are judged by detector 7's anomaly "
    "likelihood together with its own three views (the value against the last day, against all earlier "
    "rows, the change against the last day's changes). A member's surprise on a row is |x - c| / sd, c the "
    "centre of its central 95 % predictive interval and sd its width / 3.92. Each of the five views averages "
    "its last 10 surprises and takes the upper tail probability of that average under the normal with the "
    "running mean and sd of its earlier averages; Simes' combination of the five tail probabilities (the "
    "smallest over the views of 5 times the view's tail / its rank among the tails; never above 5 times the "
    "smallest, Bonferroni) is a p-value p, and the anomaly probability is the posterior with the Sellke-Bayarri-Berger bound on the Bayes "
    "factor, B = -e p log p, and the prior probability --prior (default 0.00134, which puts 0.5 at a view's "
    "tail probability of 1e-5, as in detector 7). The first 120 rows only train (probability 0); after an alert "
    "(probability >= 0.5) the next --quiet rows (default 100) get 0. Output: timestamp, value, "
    "anomaly_probability, log10_p, view (the view with the smallest tail probability: day, all, change, "
    "bocpd or seasonal), lower and upper (seasonal's 95 % predictive interval), p_bocpd and p_seasonal (the "
    "members' own anomaly probabilities). See docs/anomaly.md.")


def prefixed(prog, prefix, keep_main=False):
    """The program's functions, types and constants with every name prefixed."""
    p = prog["program"]
    functions = set(p["functions"])
    types = set(p.get("types", {}))
    constants = set(p.get("constants", {}))
    type_re = re.compile(r"\b(" + "|".join(sorted(types, key=len, reverse=True)) + r")\b") if types else None

    def type_text(t):
        return type_re.sub(lambda m: prefix + m.group(1), t) if type_re else t

    def walk(node, key=None):
        if isinstance(node, list):
            return [walk(v) for v in node]
        if not isinstance(node, dict):
            if isinstance(node, str) and key in ("type", "return"):
                return type_text(node)
            return node
        out = {}
        for k, v in node.items():
            if k == "call" and isinstance(v, dict) and v.get("function") in functions:
                v = dict(v, function=prefix + v["function"])
            if k == "infer" and isinstance(v, dict) and v.get("model") in functions:
                v = dict(v, model=prefix + v["model"])
            if k == "var" and isinstance(v, str) and v in constants:
                out[k] = prefix + v
                continue
            if k == "fields" and key == "record_decl":
                out[k] = {f: type_text(t) for f, t in v.items()}
                continue
            out[k] = walk(v, "record_decl" if (k == "record" and key == "type_decl") else k)
        return out

    funcs = {prefix + n: walk(f) for n, f in p["functions"].items() if keep_main or n != "main"}
    tys = {prefix + n: walk(t, "type_decl") for n, t in p.get("types", {}).items()}
    consts = {prefix + n: walk(c) for n, c in p.get("constants", {}).items()}
    return funcs, tys, consts, p["functions"].get("main")


def constructor(main, name):
    """The value of `let name = ...` in a sub-detector's main (how it builds its state)."""
    for s in main["body"]:
        if "let" in s and s["let"].get("name") == name:
            return s["let"]["value"]
    raise SystemExit(f"suite.py: no `let {name}` in a main")


def load(name):
    with open(os.path.join(HERE, "..", f"{name}.sirs.json")) as f:
        return json.load(f)


def retype_record(value, prefix, types):
    value = json.loads(json.dumps(value))
    if "record" in value and value["record"]["type"] in types:
        value["record"]["type"] = prefix + value["record"]["type"]
    return value


FIELDS = ("bocpd: bocpd_Detector, seasonal: seasonal_Season, own: surprise_Surprise, from_bocpd: surprise_View, "
          "from_seasonal: surprise_View, prior: f64, quiet: i64, rows: i64, quiet_left: i64, p: f64, "
          "log10_p: f64, view: str")

VIEWS = 5.0


def member_surprise():
    return fn("x: f64, lower: f64, upper: f64", "f64", [
        let("sd", "math_max((upper - lower) / 3.919928, 0.001 * (math_abs(x) + 0.001))"),
        ret("math_min(math_abs(x - 0.5 * (lower + upper)) / sd, 50.0)")],
        "The surprise of x under a member's prediction: its distance from the centre of the central 95 % "
        "interval in the interval's standard deviations (at most 50).")


def member_view_step():
    return fn("v: surprise_View, surprise: f64", "surprise_View", [
        var("w", "surprise_average_step(v, surprise)"),
        set_("w.count", "w.count + 1"),
        ret("w")],
        "One row of a view whose surprise comes from a member's prediction: detector 7's average and tail.")


def at_most():
    return fn("a: f64, b: f64", "f64", [if_("a <= b", [ret("1.0")]), ret("0.0")],
              "1 when a <= b, else 0: one term of a view's rank among the log tails.")


def simes():
    names = ["a", "b", "c", "d", "e"]
    body = [var("best", "0.0")]
    for x in names:
        rank = " + ".join(f"at_most({y}, {x})" for y in names)
        body.append(set_("best", f"math_min(best, {x} - math_log({rank}))"))
    body.append(ret("best"))
    return fn("a: f64, b: f64, c: f64, d: f64, e: f64", "f64", body,
              "Simes' combination of five log tail probabilities without the factor 5: the smallest over "
              "the views of log tail - log rank (rank: how many views have a tail at most this one's). "
              "A p-value under independence or positive dependence of the views; never above Bonferroni's.")


def step():
    return fn("s0: Suite, row: [f64]", "Suite", [
        var("s", "s0"),
        let("x", "row[1]"),
        set_("s.bocpd", "bocpd_step(s.bocpd, x)"),
        set_("s.seasonal", "seasonal_step(s.seasonal, row[0], x)"),
        set_("s.own", "surprise_step(s.own, row)"),
        set_("s.from_bocpd", "member_view_step(s.from_bocpd, member_surprise(x, s.bocpd.lower, s.bocpd.upper))"),
        set_("s.from_seasonal", "member_view_step(s.from_seasonal, member_surprise(x, s.seasonal.lower, s.seasonal.upper))"),
        var("lt", "s.own.day.log_tail"), set_("s.view", '"day"'),
        if_("s.own.all.log_tail < lt", [set_("lt", "s.own.all.log_tail"), set_("s.view", '"all"')]),
        if_("s.own.change.log_tail < lt", [set_("lt", "s.own.change.log_tail"), set_("s.view", '"change"')]),
        if_("s.from_bocpd.log_tail < lt", [set_("lt", "s.from_bocpd.log_tail"), set_("s.view", '"bocpd"')]),
        if_("s.from_seasonal.log_tail < lt", [set_("lt", "s.from_seasonal.log_tail"), set_("s.view", '"seasonal"')]),
        let("combined", "simes(s.own.day.log_tail, s.own.all.log_tail, s.own.change.log_tail, "
                        "s.from_bocpd.log_tail, s.from_seasonal.log_tail)"),
        let("log_p", f"math_min(math_log({VIEWS}) + combined, 0.0)"),
        set_("s.log10_p", "log_p / math_log(10.0)"),
        set_("s.rows", "s.rows + 1"),
        set_("s.p", "0.0"),
        if_("s.rows <= surprise_WARMUP + surprise_SETTLE", [ret("s")]),
        if_("s.quiet_left > 0", [set_("s.quiet_left", "s.quiet_left - 1"), ret("s")]),
        set_("s.p", "surprise_posterior(log_p, s.prior)"),
        if_("s.p >= 0.5", [set_("s.quiet_left", "s.quiet")]),
        ret("s")],
        "One row through the members, the five views, the posterior probability and the quiet period.")


def report():
    cols = ", ".join(f"fmt({c})" for c in ["row[1]", "s.p", "s.log10_p"])
    tail = ", ".join(f"fmt({c})" for c in ["s.seasonal.lower", "s.seasonal.upper", "s.bocpd.p_anomaly",
                                            "s.seasonal.p_anomaly"])
    return fn("row: [f64], s: Suite", "void", [
        {"expression": {"call": {"function": "print", "args": [E(
            f'str_join([datetime_format(row[0] as i64), {cols}, s.view, {tail}], ",")')]}}}],
        "Prints one output row.")


def build():
    bocpd_f, bocpd_t, bocpd_c, _ = prefixed(load("bocpd"), "bocpd_")
    seas_f, seas_t, seas_c, seas_main = prefixed(load("seasonal"), "seasonal_", keep_main=True)
    del seas_f["seasonal_main"]
    surp_f, surp_t, surp_c, _ = prefixed(load("surprise"), "surprise_")
    season_value = constructor(seas_main, "d")
    make = fn("prior: f64, quiet: i64", "Suite", [
        let("bin", "60"), let("weekly", "true"), let("outlier", "0.002"), let("forget", "0.95"),
        let("per_day", "1440 / bin"),
        ret({"record": {"type": "Suite", "fields": {
            "bocpd": E("bocpd_new_detector(false, 0.004, 0.001, 1.0)"),
            "seasonal": {"update": {"value": retype_record(season_value, "seasonal_", {"Season"}),
                                    "fields": {"forget": E("0.95")}}},
            "own": E("surprise_new_detector(288, 10, prior, quiet)"),
            "from_bocpd": E("surprise_new_view(0, 10)"), "from_seasonal": E("surprise_new_view(0, 10)"),
            "prior": E("prior"), "quiet": E("quiet"), "rows": E("0"), "quiet_left": E("0"), "p": E("0.0"),
            "log10_p": E("0.0"), "view": E('""')}}})],
        "The suite with each member at its defaults (seasonal with --weekly).")
    options = [
        ("--prior", "prior", "f64", "0.00134", "v > 0.0 && v < 1.0", "must be in (0, 1)"),
        ("--quiet", "quiet", "i64", "100", "v >= 0", "must be at least 0"),
    ]
    header = "timestamp,value,anomaly_probability,log10_p,view,lower,upper,p_bocpd,p_seasonal"
    main = common.main("suite", options, header, "new_suite(prior, quiet)", 2)
    main["doc"] = DOC
    functions = {"main": main, "new_suite": make, "step": step(), "report": report(),
                 "member_surprise": member_surprise(), "at_most": at_most(), "simes": simes(), "member_view_step": member_view_step(),
                 "fmt": common.densities()["fmt"], **bocpd_f, **seas_f, **surp_f}
    types = {"Suite": rec_type(FIELDS, "The suite's state: the two members, detector 7's own three views, the "
                                       "two views of the members' predictions, the quiet period and the last "
                                       "row's outputs."),
             **bocpd_t, **seas_t, **surp_t}
    return program(types, functions, {**bocpd_c, **seas_c, **surp_c})


if __name__ == "__main__":
    write(os.path.join(HERE, "..", "suite.sirs.json"), build())
