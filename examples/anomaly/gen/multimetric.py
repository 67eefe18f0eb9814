"""Writes examples/anomaly/multimetric.sirs.json, detector 5: a joint model of a service's request
rate, latency and errors that says which metric drove an alert."""

import os

import common
from sirs import E, fn, if_, let, program, rec_type, ret, set_, var, write

DOC = (
    "Multi-metric correlation (detector 5). Rows are timestamp,rate,latency,errors for one service "
    "(requests, mean latency and failed requests per interval). The joint density factors as "
    "p(rate) p(latency | rate) p(errors | rate): (1) u = log(1 + rate) follows an AR(1) regression on the "
    "previous row's u; (2) v = log(latency) a linear regression on the current u, so latency that rises "
    "with load is expected; (3) errors ~ Poisson(rate * e) with the error ratio e ~ Gamma. The regressions "
    "are Bayesian (normal-inverse-gamma prior: coefficients N(0, 100 sigma^2), sigma^2 ~ InvGamma(1, 0.01), "
    "Student-t predictive); the error ratio has a Gamma(1, 100) prior (1 %) and a negative-binomial "
    "predictive. Sufficient statistics are discounted by --forget (default 0.995 per row) so the baseline "
    "follows slow drift. Each metric has its own anomaly indicator, a two-state Markov chain (enter with "
    "probability --outlier, default 0.002, stay with --persist, default 0.9); an anomalous value comes from "
    "a broad density (log scale: Student-t with 2 degrees of freedom and 10 times the predictive scale; "
    "errors: geometric with 10 times the expected count). The factors share no indicator, so the posterior "
    "factorises: per row the filtered probabilities p_rate, p_latency, p_errors are exact, the anomaly "
    "probability is 1 - (1 - p_rate)(1 - p_latency)(1 - p_errors), and the driver is the metric with the "
    "largest probability (printed when the anomaly probability is above 0.5). Statistics are updated with "
    "weight 1 - p (an anomalous row hardly moves the baseline); the first 30 rows only train. Output: "
    "timestamp, the three values, anomaly_probability, p_rate, p_latency, p_errors, driver, and the "
    "central 95 % predictive interval of each metric. See docs/anomaly.md.")

REG = "n: f64, s00: f64, s01: f64, s11: f64, sy0: f64, sy1: f64, syy: f64"
FIELDS = ("forget: f64, outlier: f64, persist: f64, rows: i64, prev_u: f64, rate_reg: Reg, lat_reg: Reg, "
          "err_a: f64, err_b: f64, p_rate: f64, p_lat: f64, p_err: f64, p_any: f64, "
          "rate_lo: f64, rate_hi: f64, lat_lo: f64, lat_hi: f64, err_lo: f64, err_hi: f64")

CONSTANTS = {
    "KAPPA": {"type": "f64", "value": {"literal": 0.01}},
    "A0": {"type": "f64", "value": {"literal": 1.0}},
    "B0": {"type": "f64", "value": {"literal": 0.01}},
    "WARMUP": {"type": "i64", "value": {"literal": 30}},
}


def empty_reg():
    return fn("", "Reg", [ret({"record": {"type": "Reg", "fields": {k: E("0.0") for k in
                                                                    ["n", "s00", "s01", "s11", "sy0", "sy1", "syy"]}}})],
              "Regression statistics of no data.")


def reg_update():
    return fn("r: Reg, x: f64, y: f64, w: f64, f: f64", "Reg", [
        ret({"record": {"type": "Reg", "fields": {
            "n": E("f * r.n + w"), "s00": E("f * r.s00 + w"), "s01": E("f * r.s01 + w * x"),
            "s11": E("f * r.s11 + w * x * x"), "sy0": E("f * r.sy0 + w * y"), "sy1": E("f * r.sy1 + w * x * y"),
            "syy": E("f * r.syy + w * y * y")}}})],
        "The statistics with (x, y) added with weight w after discounting the old ones by f.")


def reg_predict():
    """Student-t predictive (loc, scale, dof) of y at x under the NIG posterior."""
    return fn("r: Reg, x: f64", "(f64, f64, f64)", [
        let("l00", "KAPPA + r.s00"), let("l01", "r.s01"), let("l11", "KAPPA + r.s11"),
        let("det", "l00 * l11 - l01 * l01"),
        let("i00", "l11 / det"), let("i01", "-l01 / det"), let("i11", "l00 / det"),
        let("m0", "i00 * r.sy0 + i01 * r.sy1"), let("m1", "i01 * r.sy0 + i11 * r.sy1"),
        let("a", "A0 + 0.5 * r.n"),
        let("b", "B0 + 0.5 * math_max(r.syy - (m0 * r.sy0 + m1 * r.sy1), 0.0)"),
        let("quad", "i00 + 2.0 * i01 * x + i11 * x * x"),
        ret({"tuple": [E("m0 + m1 * x"), E("math_sqrt(b / a * (1.0 + quad))"), E("2.0 * a")]})],
        "The Student-t predictive (location, scale, degrees of freedom) of y at x: the normal-inverse-gamma "
        "posterior of y = c0 + c1 x + noise with coefficients N(0, sigma^2 / KAPPA) a priori.")


def episode():
    return fn("prev: f64, lp_normal: f64, lp_anomalous: f64, outlier: f64, persist: f64", "f64", [
        let("prior_a", "prev * persist + (1.0 - prev) * outlier"),
        ret("inv_logit(math_log(prior_a) + lp_anomalous - math_log(1.0 - prior_a) - lp_normal)")],
        "One forward step of the two-state anomaly chain: the probability of the anomalous state after a row "
        "with these log densities under each state.")


def negbin_lpmf():
    return fn("k: f64, a: f64, b: f64, r: f64", "f64", [
        ret("lgamma(k + a) - lgamma(a) - lgamma(k + 1.0) + a * math_log(b / (b + r)) + k * math_log(r / (b + r))")],
        "log P(k) of the negative binomial predictive of a Poisson(r e) count with e ~ Gamma(a, b).")


def step():
    return fn("s0: Multi, row: [f64]", "Multi", [
        var("s", "s0"),
        let("rate", "math_max(row[1], 0.0)"), let("lat", "math_max(row[2], 1e-9)"),
        let("errs", "math_round(math_max(row[3], 0.0))"),
        let("u", "math_log(1.0 + rate)"), let("v", "math_log(lat)"),
        let("trained", "s.rows >= WARMUP"),
        # rate | previous rate
        {"let": {"pattern": {"tuple": [{"var": "ru"}, {"var": "su"}, {"var": "du"}]},
                 "value": E("reg_predict(s.rate_reg, s.prev_u)")}},
        let("lp_rate", "student_t_lpdf(u, du, ru, su)"),
        let("lq_rate", "student_t_lpdf(u, 2.0, ru, 10.0 * su)"),
        # latency | rate
        {"let": {"pattern": {"tuple": [{"var": "rv"}, {"var": "sv"}, {"var": "dv"}]},
                 "value": E("reg_predict(s.lat_reg, u)")}},
        let("lp_lat", "student_t_lpdf(v, dv, rv, sv)"),
        let("lq_lat", "student_t_lpdf(v, 2.0, rv, 10.0 * sv)"),
        # errors | rate
        let("expected", "rate * s.err_a / s.err_b"),
        let("lp_err", "negbin_lpmf(errs, s.err_a, s.err_b, math_max(rate, 1e-9))"),
        let("mean_q", "10.0 * expected + 1.0"),
        let("lq_err", "math_log(1.0 / (1.0 + mean_q)) + errs * math_log(mean_q / (1.0 + mean_q))"),
        if_("trained", [
            set_("s.p_rate", "episode(s.p_rate, lp_rate, lq_rate, s.outlier, s.persist)"),
            set_("s.p_lat", "episode(s.p_lat, lp_lat, lq_lat, s.outlier, s.persist)"),
            set_("s.p_err", "episode(s.p_err, lp_err, lq_err, s.outlier, s.persist)"),
            set_("s.p_any", "1.0 - (1.0 - s.p_rate) * (1.0 - s.p_lat) * (1.0 - s.p_err)")]),
        let("tu", "t_quantile_975(du) * su"), let("tv", "t_quantile_975(dv) * sv"),
        set_("s.rate_lo", "math_exp(ru - tu) - 1.0"), set_("s.rate_hi", "math_exp(ru + tu) - 1.0"),
        set_("s.lat_lo", "math_exp(rv - tv)"), set_("s.lat_hi", "math_exp(rv + tv)"),
        let("err_sd", "math_sqrt(expected * (1.0 + math_max(rate, 0.0) / s.err_b))"),
        set_("s.err_lo", "math_max(expected - 1.96 * err_sd, 0.0)"), set_("s.err_hi", "expected + 1.96 * err_sd"),
        set_("s.rate_reg", "reg_update(s.rate_reg, s.prev_u, u, 1.0 - s.p_rate, s.forget)"),
        set_("s.lat_reg", "reg_update(s.lat_reg, u, v, 1.0 - s.p_lat, s.forget)"),
        let("we", "1.0 - s.p_err"),
        set_("s.err_a", "1.0 + s.forget * (s.err_a - 1.0) + we * errs"),
        set_("s.err_b", "100.0 + s.forget * (s.err_b - 100.0) + we * rate"),
        set_("s.prev_u", "u"), set_("s.rows", "s.rows + 1"),
        ret("s")],
        "One row: the three filtered anomaly probabilities and predictive intervals, then the statistics "
        "updated, each weighted by the probability that its metric was normal.")


def driver():
    return fn("s: Multi", "str", [
        if_("s.p_any <= 0.5", [ret('""')]),
        if_("s.p_lat >= s.p_rate && s.p_lat >= s.p_err", [ret('"latency"')]),
        if_("s.p_err >= s.p_rate", [ret('"errors"')]),
        ret('"rate"')],
        "The metric that drove an alert (the largest of the three probabilities), or nothing below 0.5.")


def report():
    cols = ", ".join(f"fmt({c})" for c in ["row[1]", "row[2]", "row[3]", "s.p_any", "s.p_rate", "s.p_lat", "s.p_err"])
    tail = ", ".join(f"fmt(s.{c})" for c in ["rate_lo", "rate_hi", "lat_lo", "lat_hi", "err_lo", "err_hi"])
    return fn("row: [f64], s: Multi", "void", [
        {"expression": {"call": {"function": "print", "args": [E(
            f'str_join([datetime_format(row[0] as i64), {cols}, driver(s), {tail}], ",")')]}}}],
        "Prints one output row.")


def new_detector():
    return fn("forget: f64, outlier: f64, persist: f64", "Multi", [
        ret({"record": {"type": "Multi", "fields": {
            "forget": E("forget"), "outlier": E("outlier"), "persist": E("persist"), "rows": E("0"),
            "prev_u": E("0.0"), "rate_reg": E("empty_reg()"), "lat_reg": E("empty_reg()"),
            "err_a": E("1.0"), "err_b": E("100.0"),
            **{k: E("0.0") for k in ["p_rate", "p_lat", "p_err", "p_any", "rate_lo", "rate_hi", "lat_lo",
                                     "lat_hi", "err_lo", "err_hi"]}}}})],
        "A detector that has seen nothing.")


def build():
    options = [
        ("--forget", "forget", "f64", "0.995", "v > 0.0 && v <= 1.0", "must be in (0, 1]"),
        ("--outlier", "outlier", "f64", "0.002", "v > 0.0 && v < 1.0", "must be in (0, 1)"),
        ("--persist", "persist", "f64", "0.9", "v >= 0.0 && v < 1.0", "must be in [0, 1)"),
    ]
    header = ("timestamp,rate,latency,errors,anomaly_probability,p_rate,p_latency,p_errors,driver,"
              "rate_lower,rate_upper,latency_lower,latency_upper,errors_lower,errors_upper")
    main = common.main("multimetric", options, header, "new_detector(forget, outlier, persist)", 4)
    main["doc"] = DOC
    functions = {"main": main, "new_detector": new_detector(), "step": step(), "driver": driver(),
                 "report": report(), "empty_reg": empty_reg(), "reg_update": reg_update(),
                 "reg_predict": reg_predict(), "episode": episode(), "negbin_lpmf": negbin_lpmf(),
                 **common.densities()}
    types = {"Reg": rec_type(REG, "Discounted sufficient statistics of a one-predictor regression."),
             "Multi": rec_type(FIELDS, "The detector's state: the three conditional models, the three anomaly "
                                       "chains and the last row's outputs.")}
    return program(types, functions, CONSTANTS)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(here, "..", "multimetric.sirs.json"), build())
