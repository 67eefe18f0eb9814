"""Writes examples/anomaly/adaptive.sirs.json, detector 2: an adaptive baseline re-learned by MCMC."""

import os

import common
from sirs import E, fn, for_range, if_, let, observe, program, rec_type, ret, sample, set_, var, write

DOC = (
    "Adaptive baseline re-learned by MCMC (detector 2). Model of a sliding history of the last "
    "--window rows (default 200), standardised by its mean c and standard deviation d "
    "(z = (x - c)/d): an AR(1) process with Student-t noise, z_t ~ StudentT(4, mu + phi (z_{t-1} - mu), "
    "sigma), with priors mu ~ N(m_mu, s_mu), phi ~ N(m_phi, s_phi) on [-1, 1], sigma ~ LogNormal(m_ls, s_ls). "
    "Every --refit rows (default 200) the parameters are re-learned by NUTS (`infer`: one chain, "
    "150 warm-up iterations, 60 draws, a fixed seed per refit) and the posterior is carried forward: the "
    "next fit's priors are the previous posterior's means and standard deviations (moved to the new "
    "window's scale), widened by a drift term (0.5 window sd for mu, 0.05 for phi, 0.1 for log sigma). "
    "The first fit uses mu ~ N(0, 1), phi ~ N(0.5, 0.5), sigma ~ LogNormal(log 0.5, 1). Per row, the "
    "predictive of x_t given x_{t-1} is the mixture of the Student-t predictives of the 60 draws; the value is "
    "either normal (that predictive) or anomalous (a broad Student-t: 2 degrees of freedom, located at the "
    "running mean of all rows, scale 10 running sd). Anomalous rows come in episodes: a hidden two-state "
    "Markov chain enters the anomalous state with probability --outlier (default 0.002) and stays in it with "
    "probability --persist (default 0.9), so a lasting shift gathers evidence row after row while a lone "
    "spike is one anomalous row. The printed anomaly probability is the filtered posterior probability that "
    "the row is in the anomalous state (forward algorithm). Output per row: timestamp, value, "
    "anomaly_probability, the central 95 % predictive interval (lower, upper), and what the detector "
    "believes: the predicted value (baseline), the persistence phi and the noise sd (posterior means) and "
    "the number of refits so far. Rows before the first fit only train (probability 0). See docs/anomaly.md.")

FIELDS = ("window: i64, refit_every: i64, outlier: f64, persist: f64, draws: i64, warmup: i64, hist: [f64], head: i64, "
          "rows: i64, since_fit: i64, refits: i64, c: f64, d: f64, mus: [f64], phis: [f64], sigmas: [f64], "
          "post_mu: f64, post_mu_sd: f64, post_phi: f64, post_phi_sd: f64, post_ls: f64, post_ls_sd: f64, "
          "prev: f64, n_all: f64, mean_all: f64, m2_all: f64, p_anomaly: f64, lower: f64, upper: f64, "
          "baseline: f64, noise: f64")

CONSTANTS = {
    "NU": {"type": "f64", "value": {"literal": 4.0}},
    "DRIFT_MU": {"type": "f64", "value": {"literal": 0.5}},
    "DRIFT_PHI": {"type": "f64", "value": {"literal": 0.05}},
    "DRIFT_LS": {"type": "f64", "value": {"literal": 0.1}},
}


def new_detector():
    return fn("window: i64, refit_every: i64, outlier: f64, persist: f64, draws: i64, warmup: i64", "Adaptive", [
        ret({"record": {"type": "Adaptive", "fields": {
            "window": E("window"), "refit_every": E("refit_every"), "outlier": E("outlier"), "persist": E("persist"),
            "draws": E("draws"), "warmup": E("warmup"), "hist": E("array_fill(window, 0.0)"),
            "head": E("0"), "rows": E("0"), "since_fit": E("0"), "refits": E("0"), "c": E("0.0"),
            "d": E("1.0"), "mus": E("array_fill(0, 0.0)"), "phis": E("array_fill(0, 0.0)"),
            "sigmas": E("array_fill(0, 0.0)"), "post_mu": E("0.0"), "post_mu_sd": E("1.0"),
            "post_phi": E("0.5"), "post_phi_sd": E("0.5"), "post_ls": E("0.0"), "post_ls_sd": E("1.0"),
            "prev": E("0.0"), "n_all": E("0.0"), "mean_all": E("0.0"), "m2_all": E("0.0"),
            "p_anomaly": E("0.0"), "lower": E("0.0"), "upper": E("0.0"), "baseline": E("0.0"),
            "noise": E("0.0")}}})],
        "A detector that has seen nothing.")


def model():
    return fn("z: [f64], m_mu: f64, s_mu: f64, m_phi: f64, s_phi: f64, m_ls: f64, s_ls: f64", "void", [
        let("mu", sample("normal", ["m_mu", "s_mu"])),
        let("phi", sample("normal", ["m_phi", "s_phi"], lower="-1.0", upper="1.0")),
        let("sigma", sample("lognormal", ["m_ls", "s_ls"])),
        for_range("t", "1", "len(z)", [
            observe("student_t", ["NU", "mu + phi * (z[t - 1] - mu)", "sigma"], "z[t]")]),
    ], "The baseline model of one standardised window: AR(1) with Student-t(4) noise; the priors are "
       "data (the previous posterior, widened).")


def all_scale():
    return fn("s: Adaptive", "f64", [
        let("sd", "if s.n_all > 1.0 then math_sqrt(s.m2_all / (s.n_all - 1.0)) else 0.0"),
        ret("math_max(sd, 0.001 * (math_abs(s.mean_all) + 0.001))")],
        "The running standard deviation of all rows, floored so that a flat series still has a scale.")


def predict():
    """Anomaly probability and interval of x under the current posterior draws."""
    return fn("s0: Adaptive, x: f64", "Adaptive", [
        var("s", "s0"),
        let("k", "len(s.mus)"),
        let("zp", "(s.prev - s.c) / s.d"),
        let("zx", "(x - s.c) / s.d"),
        var("acc", "-math_inf()"),
        var("sum_loc", "0.0"), var("sum_loc2", "0.0"), var("sum_s2", "0.0"),
        for_range("j", "0", "k", [
            let("mu", "s.mus[j]"), let("sg", "s.sigmas[j]"),
            let("loc", "mu + s.phis[j] * (zp - mu)"),
            let("u", "(zx - loc) / sg"),
            set_("acc", "log_sum_exp(acc, -math_log(sg) - 0.5 * (NU + 1.0) * log1p(u * u / NU))"),
            set_("sum_loc", "sum_loc + loc"), set_("sum_loc2", "sum_loc2 + loc * loc"),
            set_("sum_s2", "sum_s2 + sg * sg")]),
        let("kf", "k as f64"),
        let("tconst", "lgamma(0.5 * (NU + 1.0)) - lgamma(0.5 * NU) - 0.5 * math_log(NU * math_pi())"),
        let("lpred", "acc - math_log(kf) + tconst - math_log(s.d)"),
        let("sc_all", "all_scale(s)"),
        let("lq", "student_t_lpdf(x, 2.0, s.mean_all, 10.0 * sc_all)"),
        let("prior_a", "s.p_anomaly * s.persist + (1.0 - s.p_anomaly) * s.outlier"),
        let("log_odds", "math_log(prior_a) + lq - math_log(1.0 - prior_a) - lpred"),
        set_("s.p_anomaly", "inv_logit(log_odds)"),
        let("mean_loc", "sum_loc / kf"),
        let("var_loc", "math_max(sum_loc2 / kf - mean_loc * mean_loc, 0.0)"),
        let("half", "t_quantile_975(NU) * s.d * math_sqrt(sum_s2 / kf + var_loc)"),
        set_("s.baseline", "s.c + s.d * mean_loc"),
        set_("s.lower", "s.baseline - half"), set_("s.upper", "s.baseline + half"),
        ret("s")],
        "The anomaly probability of x (outlier against the posterior predictive mixture over the draws) "
        "and the central 95 % predictive interval.")


def mean_sd():
    return fn("xs: [f64]", "(f64, f64)", [
        let("m", "array_mean(xs)"), var("ss", "0.0"),
        for_range("j", "0", "len(xs)", [set_("ss", "ss + (xs[j] - m) * (xs[j] - m)")]),
        let("n", "len(xs) as f64"),
        ret({"tuple": [E("m"), E("if n > 1.0 then math_sqrt(ss / (n - 1.0)) else 0.0")]})],
        "The mean and sample standard deviation of xs.")


def refit():
    return fn("s0: Adaptive", "Adaptive", [
        var("s", "s0"),
        var("h", "array_fill(0, 0.0)"),
        for_range("j", "0", "s.window", [{"expression": E("push(h, s.hist[(s.head + j) % s.window])")}]),
        {"let": {"pattern": {"tuple": [{"var": "c"}, {"var": "sd"}]}, "value": E("mean_sd(h)")}},
        let("d", "math_max(sd, 0.001 * (math_abs(c) + 0.001))"),
        var("z", "array_fill(0, 0.0)"),
        for_range("j", "0", "s.window", [{"expression": E("push(z, (h[j] - c) / d)")}]),
        var("m_mu", "0.0"), var("s_mu", "1.0"), var("m_phi", "0.5"), var("s_phi", "0.5"),
        var("m_ls", "math_log(0.5)"), var("s_ls", "1.0"),
        if_("s.refits > 0", [
            set_("m_mu", "(s.post_mu - c) / d"),
            set_("s_mu", "math_sqrt(square(s.post_mu_sd / d) + DRIFT_MU * DRIFT_MU)"),
            set_("m_phi", "s.post_phi"),
            set_("s_phi", "math_sqrt(square(s.post_phi_sd) + DRIFT_PHI * DRIFT_PHI)"),
            set_("m_ls", "s.post_ls - math_log(d)"),
            set_("s_ls", "math_sqrt(square(s.post_ls_sd) + DRIFT_LS * DRIFT_LS)")]),
        let("post", {"infer": {"model": "baseline", "args": [E(a) for a in
                                                            ["z", "m_mu", "s_mu", "m_phi", "s_phi", "m_ls", "s_ls"]],
                               "chains": E("1"), "warmup": E("s.warmup"), "draws": E("s.draws"),
                               "seed": E("s.refits + 1"), "threads": E("1")}}),
        set_("s.mus", 'posterior_draws(post, "mu")'),
        set_("s.phis", 'posterior_draws(post, "phi")'),
        set_("s.sigmas", 'posterior_draws(post, "sigma")'),
        set_("s.c", "c"), set_("s.d", "d"),
        {"let": {"pattern": {"tuple": [{"var": "mm"}, {"var": "ms"}]}, "value": E("mean_sd(s.mus)")}},
        set_("s.post_mu", "c + d * mm"), set_("s.post_mu_sd", "d * ms"),
        {"let": {"pattern": {"tuple": [{"var": "pm"}, {"var": "ps"}]}, "value": E("mean_sd(s.phis)")}},
        set_("s.post_phi", "pm"), set_("s.post_phi_sd", "ps"),
        var("ls", "array_fill(0, 0.0)"),
        for_range("j", "0", "len(s.sigmas)", [{"expression": E("push(ls, math_log(s.sigmas[j]) + math_log(d))")}]),
        {"let": {"pattern": {"tuple": [{"var": "lm"}, {"var": "lsd"}]}, "value": E("mean_sd(ls)")}},
        set_("s.post_ls", "lm"), set_("s.post_ls_sd", "lsd"),
        set_("s.noise", "math_exp(lm)"),
        set_("s.refits", "s.refits + 1"), set_("s.since_fit", "0"),
        ret("s")],
        "Re-learns the baseline on the last --window rows by NUTS, with the previous posterior "
        "(widened by the drift terms) as the prior.")


def step():
    return fn("s0: Adaptive, row: [f64]", "Adaptive", [
        var("s", "s0"),
        let("x", "row[1]"),
        if_("s.refits > 0", [set_("s", "predict(s, x)")], [
            let("sc", "all_scale(s)"),
            set_("s.p_anomaly", "0.0"), set_("s.baseline", "s.mean_all"),
            set_("s.lower", "s.mean_all - 1.96 * sc"), set_("s.upper", "s.mean_all + 1.96 * sc")]),
        set_("s.n_all", "s.n_all + 1.0"),
        let("delta", "x - s.mean_all"),
        set_("s.mean_all", "s.mean_all + delta / s.n_all"),
        set_("s.m2_all", "s.m2_all + delta * (x - s.mean_all)"),
        set_("s.hist[s.head]", "x"),
        set_("s.head", "(s.head + 1) % s.window"),
        set_("s.rows", "s.rows + 1"), set_("s.since_fit", "s.since_fit + 1"),
        set_("s.prev", "x"),
        if_("s.rows >= s.window && (s.refits == 0 || s.since_fit >= s.refit_every)", [set_("s", "refit(s)")]),
        ret("s")],
        "One row: its anomaly probability and interval under the current posterior, then the history "
        "updated and, when due, the baseline re-learned.")


def report():
    return fn("row: [f64], s: Adaptive", "void", [
        {"expression": {"call": {"function": "print", "args": [E(
            'str_join([datetime_format(row[0] as i64), fmt(row[1]), fmt(s.p_anomaly), fmt(s.lower), '
            'fmt(s.upper), fmt(s.baseline), fmt(s.post_phi), fmt(s.noise), to_string(s.refits)], ",")')]}}}],
        "Prints one output row.")


def build():
    options = [
        ("--window", "window", "i64", "200", "v >= 20", "must be at least 20"),
        ("--refit", "refit_every", "i64", "200", "v >= 1", "must be at least 1"),
        ("--outlier", "outlier", "f64", "0.002", "v > 0.0 && v < 1.0", "must be in (0, 1)"),
        ("--persist", "persist", "f64", "0.9", "v >= 0.0 && v < 1.0", "must be in [0, 1)"),
        ("--draws", "draws", "i64", "60", "v >= 10", "must be at least 10"),
        ("--warmup", "warmup", "i64", "150", "v >= 10", "must be at least 10"),
    ]
    main = common.main("adaptive", options,
                       "timestamp,value,anomaly_probability,lower,upper,baseline,persistence,noise_sd,refits",
                       "new_detector(window, refit_every, outlier, persist, draws, warmup)", 2)
    main["doc"] = DOC
    functions = {"main": main, "new_detector": new_detector(), "baseline": model(), "step": step(),
                 "predict": predict(), "refit": refit(), "all_scale": all_scale(), "mean_sd": mean_sd(),
                 "report": report(), **common.densities()}
    return program({"Adaptive": rec_type(FIELDS, "The detector's state: the history ring, the posterior draws "
                                                  "and summaries of the last fit, running moments of all rows, "
                                                  "and the last row's outputs.")},
                   functions, CONSTANTS)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(here, "..", "adaptive.sirs.json"), build())
