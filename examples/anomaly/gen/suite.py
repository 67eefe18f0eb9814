"""Writes examples/anomaly/suite.sirs.json, detector 6: the observability suite.

The suite runs detectors 1 (bocpd), 2 (adaptive) and 4 (seasonal, weekly) side by side on each
row, mixes their anomaly probabilities by Bayesian model averaging, and passes the result through
detector 3 (alerting). The sub-detectors are not rewritten: this script reads their programs
(examples/anomaly/bocpd.sirs.json, seasonal.sirs.json, alerting.sirs.json and adaptive's
generator), prefixes every function, type and constant name with the detector's name, drops their
`main`s and adds one `main` that feeds them. Re-run it after changing any of them."""

import json
import os
import re

import adaptive
import common
from sirs import E, fn, for_range, let, program, rec_type, ret, set_, var, write

HERE = os.path.dirname(os.path.abspath(__file__))

DOC = (
    "The observability suite (detector 6): one anomaly probability per row from detectors 1 (bocpd, "
    "normal runs), 2 (adaptive, MCMC-refitted AR(1)) and 4 (seasonal, daily and weekly bins) run side by "
    "side, mixed by Bayesian model averaging, then detector 3's alerting. Each detector k is a model M_k "
    "of the series; its one-step predictive is approximated by the normal with the centre and width of its "
    "95 % interval, and its weight is P(M_k | rows so far) with the log evidence discounted by --forget "
    "(default 0.99 per row, so the weights follow which model has predicted well lately; a row adds at least "
    "-20 to a log evidence, so one miss cannot silence a detector). The printed anomaly_probability is "
    "sum_k P(M_k | earlier rows) P(anomalous | M_k, data), the model-averaged posterior probability (the "
    "weights are those before the row, so a detector is not discounted for the very surprise it reports). The alerting "
    "stage (alert at 0.5, recovery after 12 rows below 0.1, 200 quiet rows) adds alert_probability (the "
    "probability on rows where an alert may open, 0 elsewhere), the state and the event. Output: "
    "timestamp, value, anomaly_probability, lower, upper (the averaged interval), the three detectors' "
    "probabilities and weights, alert_probability, state, event. See docs/anomaly.md.")


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


FIELDS = ("bocpd: bocpd_Detector, adaptive: adaptive_Adaptive, seasonal: seasonal_Season, "
          "alert: alerting_Alerter, forget: f64, evidence: [f64], weights: [f64], probs: [f64], "
          "p_anomaly: f64, lower: f64, upper: f64")


def normal_score():
    return fn("x: f64, lower: f64, upper: f64", "f64", [
        let("sd", "math_max((upper - lower) / 3.919928, 1e-3 * (math_abs(x) + 1e-3))"),
        let("z", "(x - 0.5 * (lower + upper)) / sd"),
        ret("math_max(-0.5 * z * z - math_log(sd) - 0.918939, -20.0)")],
        "log density of x under the normal with this central 95 % interval, at least -20.")


def step():
    return fn("s0: Suite, row: [f64]", "Suite", [
        var("s", "s0"),
        let("x", "row[1]"),
        set_("s.bocpd", "bocpd_step(s.bocpd, x)"),
        set_("s.adaptive", "adaptive_step(s.adaptive, row)"),
        set_("s.seasonal", "seasonal_step(s.seasonal, row[0], x)"),
        let("lowers", "[s.bocpd.lower, s.adaptive.lower, s.seasonal.lower]"),
        let("uppers", "[s.bocpd.upper, s.adaptive.upper, s.seasonal.upper]"),
        set_("s.probs", "[s.bocpd.p_anomaly, s.adaptive.p_anomaly, s.seasonal.p_anomaly]"),
        let("top", "math_max(s.evidence[0], math_max(s.evidence[1], s.evidence[2]))"),
        var("total", "0.0"),
        for_range("k", "0", "3", [set_("s.weights[k]", "math_exp(s.evidence[k] - top)"),
                                  set_("total", "total + s.weights[k]")]),
        set_("s.p_anomaly", "0.0"), set_("s.lower", "0.0"), set_("s.upper", "0.0"),
        for_range("k", "0", "3", [
            set_("s.weights[k]", "s.weights[k] / total"),
            set_("s.p_anomaly", "s.p_anomaly + s.weights[k] * s.probs[k]"),
            set_("s.lower", "s.lower + s.weights[k] * lowers[k]"),
            set_("s.upper", "s.upper + s.weights[k] * uppers[k]"),
            set_("s.evidence[k]", "s.forget * s.evidence[k] + normal_score(x, lowers[k], uppers[k])")]),
        set_("s.alert", "alerting_step(s.alert, s.p_anomaly)"),
        ret("s")],
        "One row through the three detectors, the model average and the alerting stage.")


def report():
    cols = ", ".join(f"fmt({c})" for c in [
        "row[1]", "s.p_anomaly", "s.lower", "s.upper", "s.probs[0]", "s.probs[1]", "s.probs[2]",
        "s.weights[0]", "s.weights[1]", "s.weights[2]", "s.alert.alert_probability"])
    return fn("row: [f64], s: Suite", "void", [
        {"expression": {"call": {"function": "print", "args": [E(
            f'str_join([datetime_format(row[0] as i64), {cols}, s.alert.state, s.alert.event], ",")')]}}}],
        "Prints one output row.")


def build():
    bocpd_f, bocpd_t, bocpd_c, _ = prefixed(load("bocpd"), "bocpd_")
    seas_f, seas_t, seas_c, seas_main = prefixed(load("seasonal"), "seasonal_", keep_main=True)
    del seas_f["seasonal_main"]
    alert_f, alert_t, alert_c, alert_main = prefixed(load("alerting"), "alerting_", keep_main=True)
    del alert_f["alerting_main"]
    adapt_f, adapt_t, adapt_c, _ = prefixed(adaptive.build(), "adaptive_")
    season_value = constructor(seas_main, "d")
    alert_value = constructor(alert_main, "a")
    make = fn("forget: f64", "Suite", [
        let("bin", "60"), let("weekly", "true"), let("outlier", "0.002"),
        let("per_day", "1440 / bin"),
        let("up", "0.5"), let("down", "0.1"), let("calm", "12"), let("quiet", "200"),
        ret({"record": {"type": "Suite", "fields": {
            "bocpd": E("bocpd_new_detector(false, 0.004, 0.001, 1.0)"),
            "adaptive": E("adaptive_new_detector(200, 200, 0.002, 0.9, 60, 150)"),
            "seasonal": {"update": {"value": retype_record(season_value, "seasonal_", {"Season"}),
                                    "fields": {"forget": E("0.95")}}},
            "alert": retype_record(alert_value, "alerting_", {"Alerter"}),
            "forget": E("forget"), "evidence": E("[0.0, 0.0, 0.0]"), "weights": E("[0.0, 0.0, 0.0]"),
            "probs": E("[0.0, 0.0, 0.0]"), "p_anomaly": E("0.0"), "lower": E("0.0"), "upper": E("0.0")}}})],
        "The suite with each detector at its defaults (seasonal with --weekly).")
    options = [("--forget", "forget", "f64", "0.99", "v > 0.0 && v <= 1.0", "must be in (0, 1]")]
    header = ("timestamp,value,anomaly_probability,lower,upper,p_bocpd,p_adaptive,p_seasonal,"
              "w_bocpd,w_adaptive,w_seasonal,alert_probability,state,event")
    main = common.main("suite", options, header, "new_suite(forget)", 2)
    main["doc"] = DOC
    functions = {"main": main, "new_suite": make, "step": step(), "report": report(),
                 "normal_score": normal_score(), "fmt": common.densities()["fmt"],
                 **bocpd_f, **adapt_f, **seas_f, **alert_f}
    types = {"Suite": rec_type(FIELDS, "The suite's state: the four detectors, the discounted log evidence "
                                       "of each model, its weight and probability, and the averaged outputs."),
             **bocpd_t, **adapt_t, **seas_t, **alert_t}
    return program(types, functions, {**bocpd_c, **adapt_c, **seas_c, **alert_c})


if __name__ == "__main__":
    write(os.path.join(HERE, "..", "suite.sirs.json"), build())
