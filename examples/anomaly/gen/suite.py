"""Writes examples/anomaly/suite.sirs.json, detector 6: the observability suite.

The suite runs detectors 1 (bocpd) and 4 (seasonal, weekly) side by side on each row and judges
their one-step predictions, together with detector 7's `all` view, by detector 7's anomaly
likelihood: three views, each a short average of surprise against its long-run distribution, their
tail probabilities turned into Bayes factors and averaged over the views (a Bayesian model average) into a
posterior probability, a quiet period after each alert.
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
    "likelihood together with detector 7's `all` view (the value against the mean and sd of all earlier "
    "rows). A member's surprise on a row is |x - c| / sd, c the "
    "centre of its central 95 % predictive interval and sd its width / 3.92. Each of the three views averages "
    "its last 10 surprises and takes the upper tail probability of that average under the normal with the "
    "running mean and sd of its earlier averages. A tail probability p stands for a Bayes factor for an "
    "anomaly of at most 1 / (-e p log p) (the Sellke-Bayarri-Berger bound; 1 when p >= 1/e); the alternative "
    "'one of the three views sees an anomaly', each view equally likely, has the mean of the five factors "
    "(a Bayesian model average), and the anomaly probability is the posterior with that factor and the prior "
    "probability --prior (default 0.0018, which puts 0.5 at one view's tail probability of about 2e-5 when "
    "the others are unremarkable; chosen on NAB). The first 120 rows only train (probability 0); after an alert "
    "(probability >= 0.5) the next --quiet rows (default 100) get 0. Output: timestamp, value, "
    "anomaly_probability, log10_p (Simes' combination of the three tail probabilities, the smallest over the "
    "views of 3 times a view's tail / its rank, for the reader), view (the view with the smallest tail "
    "probability: all, bocpd or seasonal), lower and upper (seasonal's 95 % predictive interval), p_bocpd and p_seasonal (the "
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


FIELDS = ("bocpd: bocpd_Detector, seasonal: seasonal_Season, all: surprise_View, from_bocpd: surprise_View, "
          "from_seasonal: surprise_View, prior: f64, quiet: i64, rows: i64, quiet_left: i64, p: f64, "
          "log10_p: f64, view: str")

VIEWS = 3.0
DETECTOR_7_TOP = ["new_detector", "step", "posterior", "report", "fmt"]
TAILS = ["s.all.log_tail", "s.from_bocpd.log_tail", "s.from_seasonal.log_tail"]
ARGS = ["a", "b", "c"]


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
    body = [var("best", "0.0")]
    for x in ARGS:
        rank = " + ".join(f"at_most({y}, {x})" for y in ARGS)
        body.append(set_("best", f"math_min(best, {x} - math_log({rank}))"))
    body.append(ret("best"))
    return fn(", ".join(f"{x}: f64" for x in ARGS), "f64", body,
              "Simes' combination of the views' log tail probabilities without the factor of the view count: "
              "the smallest over the views of log tail - log rank (rank: how many views have a tail at most "
              "this one's). A p-value under independence or positive dependence of the views; never above "
              "Bonferroni's.")


def log_bayes_factor_bound():
    return fn("log_tail: f64", "f64", [
        if_("log_tail >= -1.0", [ret("0.0")]),
        ret("-(1.0 + log_tail + math_log(-log_tail))")],
        "The log of the largest Bayes factor for an anomaly that a view's tail probability p = exp(log_tail) "
        "can stand for, 1 / (-e p log p) (Sellke, Bayarri and Berger); 0 (a factor of 1) when p >= 1/e.")


def model_average():
    body = [let(f"l{x}", f"log_bayes_factor_bound({x})") for x in ARGS]
    body.append(let("top", "math_max(math_max(la, lb), lc)"))
    body.append(ret("top + math_log((" + " + ".join(f"math_exp(l{x} - top)" for x in ARGS) + f") / {VIEWS})"))
    return fn(", ".join(f"{x}: f64" for x in ARGS), "f64", body,
              "The log Bayes factor for an anomaly of the model average over the views: the alternative is "
              "'one of the views sees an anomaly', each view equally likely a priori, so the factor is the mean "
              "of the views' own factors (each its Sellke-Bayarri-Berger bound).")


def step():
    return fn("s0: Suite, row: [f64]", "Suite", [
        var("s", "s0"),
        let("x", "row[1]"),
        set_("s.bocpd", "bocpd_step(s.bocpd, x)"),
        set_("s.seasonal", "seasonal_step(s.seasonal, row[0], x)"),
        set_("s.all", "surprise_view_step(s.all, x)"),
        set_("s.from_bocpd", "member_view_step(s.from_bocpd, member_surprise(x, s.bocpd.lower, s.bocpd.upper))"),
        set_("s.from_seasonal", "member_view_step(s.from_seasonal, member_surprise(x, s.seasonal.lower, s.seasonal.upper))"),
        var("lt", "s.all.log_tail"), set_("s.view", '"all"'),
        if_("s.from_bocpd.log_tail < lt", [set_("lt", "s.from_bocpd.log_tail"), set_("s.view", '"bocpd"')]),
        if_("s.from_seasonal.log_tail < lt", [set_("lt", "s.from_seasonal.log_tail"), set_("s.view", '"seasonal"')]),
        let("combined", "simes(s.all.log_tail, s.from_bocpd.log_tail, s.from_seasonal.log_tail)"),
        let("log_p", f"math_min(math_log({VIEWS}) + combined, 0.0)"),
        set_("s.log10_p", "log_p / math_log(10.0)"),
        set_("s.rows", "s.rows + 1"),
        set_("s.p", "0.0"),
        if_("s.rows <= surprise_WARMUP + surprise_SETTLE", [ret("s")]),
        if_("s.quiet_left > 0", [set_("s.quiet_left", "s.quiet_left - 1"), ret("s")]),
        set_("s.p", "inv_logit(logit(s.prior) + model_average(s.all.log_tail, s.from_bocpd.log_tail, s.from_seasonal.log_tail))"),
        if_("s.p >= 0.5", [set_("s.quiet_left", "s.quiet")]),
        ret("s")],
        "One row through the members, the three views, the posterior probability (prior odds times the model "
        "average of the views' Bayes factors) and the quiet period; log10_p is Simes' combined p-value, for the reader.")


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
    for unused in DETECTOR_7_TOP:  # the suite uses detector 7's views, not its detector
        del surp_f["surprise_" + unused]
    del surp_t["surprise_Surprise"]
    season_value = constructor(seas_main, "d")
    make = fn("prior: f64, quiet: i64", "Suite", [
        let("bin", "60"), let("weekly", "true"), let("outlier", "0.002"), let("forget", "0.95"),
        let("per_day", "1440 / bin"),
        ret({"record": {"type": "Suite", "fields": {
            "bocpd": E("bocpd_new_detector(false, 0.004, 0.001, 1.0)"),
            "seasonal": {"update": {"value": retype_record(season_value, "seasonal_", {"Season"}),
                                    "fields": {"forget": E("0.95")}}},
            "all": E("surprise_new_view(0, 10)"),
            "from_bocpd": E("surprise_new_view(0, 10)"), "from_seasonal": E("surprise_new_view(0, 10)"),
            "prior": E("prior"), "quiet": E("quiet"), "rows": E("0"), "quiet_left": E("0"), "p": E("0.0"),
            "log10_p": E("0.0"), "view": E('""')}}})],
        "The suite with each member at its defaults (seasonal with --weekly).")
    options = [
        ("--prior", "prior", "f64", "0.0018", "v > 0.0 && v < 1.0", "must be in (0, 1)"),
        ("--quiet", "quiet", "i64", "100", "v >= 0", "must be at least 0"),
    ]
    header = "timestamp,value,anomaly_probability,log10_p,view,lower,upper,p_bocpd,p_seasonal"
    main = common.main("suite", options, header, "new_suite(prior, quiet)", 2)
    main["doc"] = DOC
    functions = {"main": main, "new_suite": make, "step": step(), "report": report(),
                 "member_surprise": member_surprise(), "at_most": at_most(), "simes": simes(), "log_bayes_factor_bound": log_bayes_factor_bound(), "model_average": model_average(), "member_view_step": member_view_step(),
                 "fmt": common.densities()["fmt"], **bocpd_f, **seas_f, **surp_f}
    types = {"Suite": rec_type(FIELDS, "The suite's state: the two members, detector 7's `all` view, the "
                                       "two views of the members' predictions, the quiet period and the last "
                                       "row's outputs."),
             **bocpd_t, **seas_t, **surp_t}
    return program(types, functions, {**bocpd_c, **seas_c, **surp_c})


if __name__ == "__main__":
    write(os.path.join(HERE, "..", "suite.sirs.json"), build())
