//! A fitted posterior and its `posterior_*` readers, ported from `runtime/ppl/infer.zig` and the
//! part of `runtime/ppl/sampler/diagnostics.zig` they call (`splitChains`, `essBasic`), step for
//! step, so that every result and fault text is the compiled program's.

use crate::interp::fault::{Loc, Stop};
use crate::interp::value::Value;
use std::rc::Rc;

/// One output column: its draws (chain after chain) and the summary the sampler reported.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub draws: Vec<f64>,
    pub mean: f64,
    pub sd: f64,
    pub rhat: f64,
    pub ess_bulk: f64,
}

/// The draws and statistics of one fit (`rt.ppl.infer.Posterior`): `lp__` first, then the
/// model's columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Posterior {
    pub columns: Vec<Column>,
    pub chains: usize,
    pub divergences: usize,
    /// SMC's pooled log evidence and its standard error; `None` for the other algorithms.
    pub evidence: Option<(f64, f64)>,
}

impl Posterior {
    fn column(&self, name: &str, loc: &Loc) -> Result<&Column, Stop> {
        if let Some(c) = self.columns.iter().find(|c| c.name == name) {
            return Ok(c);
        }
        let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        Err(Stop::fault(
            format!(
                "the posterior has no column `{name}` (it has: {})",
                names.join(", ")
            ),
            loc,
        ))
    }
}

/// Runs reader `name` on its arguments; `None` when `name` is not a posterior reader.
pub fn call(name: &str, args: &[Value], loc: &Loc) -> Option<Result<Value, Stop>> {
    let (p, rest) = match args.split_first() {
        Some((Value::Posterior(p), rest)) if name.starts_with("posterior_") => (p, rest),
        _ => return None,
    };
    Some(read(name, p, rest, loc))
}

fn read(name: &str, p: &Posterior, args: &[Value], loc: &Loc) -> Result<Value, Stop> {
    let text = |i: usize| match args.get(i) {
        Some(Value::Str(s)) => s.to_string(),
        _ => String::new(),
    };
    let float = |i: usize| match args.get(i) {
        Some(Value::Float(x)) => *x,
        _ => f64::NAN,
    };
    let column = |p: &Posterior| p.column(&text(0), loc).cloned();
    Ok(match name {
        "posterior_mean" => Value::Float(column(p)?.mean),
        "posterior_sd" => Value::Float(column(p)?.sd),
        "posterior_rhat" => Value::Float(column(p)?.rhat),
        "posterior_ess" => Value::Float(column(p)?.ess_bulk),
        "posterior_quantile" => Value::Float(quantile(p, &text(0), float(1), loc)?),
        "posterior_prob" => {
            let c = p.column(&text(0), loc)?;
            Value::Float(inside_fraction(
                &c.draws,
                interval(float(1), float(2), "posterior_prob", loc)?,
            ))
        }
        "posterior_prob_mcse" => Value::Float(prob_mcse(p, &text(0), float(1), float(2), loc)?),
        "posterior_draws" => Value::List(Rc::new(
            column(p)?.draws.into_iter().map(Value::Float).collect(),
        )),
        "posterior_names" => Value::List(Rc::new(
            p.columns.iter().map(|c| Value::str(&c.name)).collect(),
        )),
        "posterior_divergences" => Value::Int(p.divergences as i128),
        "posterior_log_evidence" => Value::Float(evidence(p, loc)?.0),
        "posterior_log_evidence_se" => Value::Float(evidence(p, loc)?.1),
        _ => return Err(Stop::unsupported(format!("the built-in `{name}`"), loc)),
    })
}

/// The log evidence and its standard error, or the runtime's fault for a non-SMC fit.
fn evidence(p: &Posterior, loc: &Loc) -> Result<(f64, f64), Stop> {
    p.evidence.ok_or_else(|| {
        Stop::fault(
            "the posterior has no log evidence: fit it with \"algorithm\": \"smc\"",
            loc,
        )
    })
}

/// A number as Zig's `{d}` writes an `f64` in a fault: the shortest decimal form.
fn zig_decimal(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x < 0.0 { "-inf".into() } else { "inf".into() }
    } else {
        format!("{x}")
    }
}

fn quantile(p: &Posterior, name: &str, q: f64, loc: &Loc) -> Result<f64, Stop> {
    if !(0.0..=1.0).contains(&q) {
        return Err(Stop::fault(
            format!(
                "posterior_quantile: q must be between 0 and 1, found {}",
                zig_decimal(q)
            ),
            loc,
        ));
    }
    let mut sorted = p.column(name, loc)?.draws.clone();
    // `std.sort.asc(f64)` is `<`; the draws of a finished fit hold no NaN
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    Ok(quantile_of_sorted(&sorted, q))
}

/// Linear interpolation between order statistics (R's type 7), as `quantileOfSorted`.
fn quantile_of_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = q * (sorted.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
}

fn interval(lo: f64, hi: f64, what: &str, loc: &Loc) -> Result<[f64; 2], Stop> {
    if lo <= hi {
        return Ok([lo, hi]);
    }
    Err(Stop::fault(
        format!(
            "{what}: the interval [{}, {}] is empty or not a number",
            zig_decimal(lo),
            zig_decimal(hi)
        ),
        loc,
    ))
}

fn inside(x: f64, bounds: [f64; 2]) -> bool {
    x >= bounds[0] && x <= bounds[1]
}

fn inside_fraction(draws: &[f64], bounds: [f64; 2]) -> f64 {
    if draws.is_empty() {
        return f64::NAN;
    }
    draws.iter().filter(|x| inside(**x, bounds)).count() as f64 / draws.len() as f64
}

/// sqrt(p (1 - p) / ESS) with the ESS of the indicator on split chains (`posterior_prob_mcse`).
fn prob_mcse(p: &Posterior, name: &str, lo: f64, hi: f64, loc: &Loc) -> Result<f64, Stop> {
    let c = p.column(name, loc)?;
    let bounds = interval(lo, hi, "posterior_prob_mcse", loc)?;
    let prob = inside_fraction(&c.draws, bounds);
    if prob == 0.0 || prob == 1.0 {
        return Ok(0.0);
    }
    let indicator: Vec<f64> = c
        .draws
        .iter()
        .map(|x| if inside(*x, bounds) { 1.0 } else { 0.0 })
        .collect();
    let per_chain = indicator.len().checked_div(p.chains).unwrap_or(0);
    let split = split_chains(&Draws {
        values: indicator,
        chains: p.chains,
        draws: per_chain,
    });
    Ok((prob * (1.0 - prob) / ess_basic(&split)).sqrt())
}

/// The draws of one quantity from several chains, chain-major (`diagnostics.Draws`).
struct Draws {
    values: Vec<f64>,
    chains: usize,
    draws: usize,
}

impl Draws {
    fn chain(&self, c: usize) -> &[f64] {
        &self.values[c * self.draws..(c + 1) * self.draws]
    }
}

fn split_chains(d: &Draws) -> Draws {
    let half = d.draws / 2;
    let mut values = Vec::with_capacity(2 * d.chains * half);
    for c in 0..d.chains {
        let ch = d.chain(c);
        values.extend_from_slice(&ch[..half]);
        values.extend_from_slice(&ch[d.draws - half..]);
    }
    Draws {
        values,
        chains: 2 * d.chains,
        draws: half,
    }
}

fn mean(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in xs {
        s += x;
    }
    s / xs.len() as f64
}

fn variance(xs: &[f64], ddof: usize) -> f64 {
    let m = mean(xs);
    let mut s = 0.0;
    for x in xs {
        s += (x - m) * (x - m);
    }
    s / (xs.len() - ddof) as f64
}

fn mean_autocov(centered: &Draws, k: usize) -> f64 {
    let n = centered.draws;
    let mut s = 0.0;
    for c in 0..centered.chains {
        let x = centered.chain(c);
        let mut a = 0.0;
        let mut t = 0;
        while t + k < n {
            a += x[t] * x[t + k];
            t += 1;
        }
        s += a / n as f64;
    }
    s / centered.chains as f64
}

/// Geyer's initial positive sequence, made monotone (`diagnostics.essBasic`).
fn ess_basic(d: &Draws) -> f64 {
    if d.draws < 4 || d.chains == 0 || d.values.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let size = (d.chains * d.draws) as f64;
    let (mut lo, mut hi) = (d.values[0], d.values[0]);
    for x in &d.values {
        lo = lo.min(*x);
        hi = hi.max(*x);
    }
    if hi - lo < 1e-15 {
        return size;
    }
    let n = d.draws;
    let nf = n as f64;
    let mut cen = Vec::with_capacity(d.values.len());
    let mut chain_means = Vec::with_capacity(d.chains);
    for c in 0..d.chains {
        let m = mean(d.chain(c));
        chain_means.push(m);
        cen.extend(d.chain(c).iter().map(|x| x - m));
    }
    let centered = Draws {
        values: cen,
        chains: d.chains,
        draws: n,
    };
    let mean_var = mean_autocov(&centered, 0) * nf / (nf - 1.0);
    let mut var_plus = mean_var * (nf - 1.0) / nf;
    if d.chains > 1 {
        var_plus += variance(&chain_means, 1);
    }
    let mut rho = vec![0.0; n];
    let mut rho_even = 1.0;
    rho[0] = rho_even;
    let mut rho_odd = 1.0 - (mean_var - mean_autocov(&centered, 1)) / var_plus;
    rho[1] = rho_odd;
    let mut t = 1;
    while t + 3 < n && rho_even + rho_odd > 0.0 {
        rho_even = 1.0 - (mean_var - mean_autocov(&centered, t + 1)) / var_plus;
        rho_odd = 1.0 - (mean_var - mean_autocov(&centered, t + 2)) / var_plus;
        if rho_even + rho_odd >= 0.0 {
            rho[t + 1] = rho_even;
            rho[t + 2] = rho_odd;
        }
        t += 2;
    }
    let max_t = t as isize - 2;
    if rho_even > 0.0 {
        rho[(max_t + 1) as usize] = rho_even;
    }
    let mut u: isize = 1;
    while u <= max_t - 2 {
        let k = u as usize;
        if rho[k + 1] + rho[k + 2] > rho[k - 1] + rho[k] {
            rho[k + 1] = (rho[k - 1] + rho[k]) / 2.0;
            rho[k + 2] = rho[k + 1];
        }
        u += 2;
    }
    let upto = (max_t + 1) as usize;
    let mut sum = 0.0;
    for r in &rho[..upto] {
        sum += r;
    }
    let mut tau = -1.0;
    tau += 2.0 * sum + rho[upto];
    tau = f64::max(tau, 1.0 / size.log10());
    if rho.iter().any(|r| r.is_nan()) {
        return f64::NAN;
    }
    size / tau
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(draws: Vec<f64>, chains: usize) -> Posterior {
        let nan = f64::NAN;
        let lp = Column {
            name: "lp__".into(),
            draws: vec![-1.0; draws.len()],
            mean: nan,
            sd: nan,
            rhat: nan,
            ess_bulk: nan,
        };
        let mu = Column {
            name: "mu".into(),
            draws,
            mean: nan,
            sd: nan,
            rhat: nan,
            ess_bulk: nan,
        };
        Posterior {
            columns: vec![lp, mu],
            chains,
            divergences: 0,
            evidence: None,
        }
    }

    /// The cases of `infer.zig`'s own tests.
    #[test]
    fn readers_agree_with_the_runtime_tests() {
        let here = Loc {
            func: "t".into(),
            line: 1,
            col: 1,
        };
        assert_eq!(quantile_of_sorted(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.5), 3.0);
        assert!((quantile_of_sorted(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.1) - 1.4).abs() < 1e-12);
        let p = fit(vec![0.5, 1.5], 1);
        assert_eq!(quantile(&p, "mu", 0.5, &here), Ok(1.0));
        assert_eq!(inside_fraction(&p.columns[1].draws, [0.0, 1.0]), 0.5);
        assert_eq!(prob_mcse(&p, "mu", 0.5, 1.5, &here), Ok(0.0));
        let missing = Stop::fault(
            "the posterior has no column `sigma` (it has: lp__, mu)",
            &here,
        );
        assert_eq!(p.column("sigma", &here).map(|_| ()), Err(missing));
        assert_eq!(
            quantile(&p, "mu", 1.5, &here),
            Err(Stop::fault(
                "posterior_quantile: q must be between 0 and 1, found 1.5",
                &here
            ))
        );
        assert_eq!(
            interval(2.0, 1.0, "posterior_prob", &here),
            Err(Stop::fault(
                "posterior_prob: the interval [2, 1] is empty or not a number",
                &here
            ))
        );
    }

    /// An AR(1)-like indicator: its ESS is below the number of draws, and split chains halve
    /// the chain length.
    #[test]
    fn ess_of_a_correlated_indicator_is_below_the_draw_count() {
        let values: Vec<f64> = (0..40)
            .map(|i| if (i / 4) % 2 == 0 { 1.0 } else { 0.0 })
            .collect();
        let split = split_chains(&Draws {
            values,
            chains: 2,
            draws: 20,
        });
        assert_eq!((split.chains, split.draws), (4, 10));
        let ess = ess_basic(&split);
        assert!(ess > 0.0 && ess < 40.0, "{ess}");
    }
}
