//! Forward simulation: `sample` outside a model, with the compiled program's draws. The
//! distributions below validate their parameters with the runtime's messages (a fault at the
//! `sample`, as `forward.draw` reports it) and draw with the same algorithms on the same
//! generator (`random`), so a run with `SEV_SEED` set prints what the compiled program prints.
//! The forms are `forward.zig`'s: one draw, `n` draws as a list (`drawVector`), and a draw
//! kept between bounds by rejection (`drawBounded`). A distribution whose sampler is not
//! ported (the multivariate ones) is refused by name
//! before the run starts. Draws inside a spawned task are refused too: compiled, a task runs
//! on a pool thread with a stream of its own.

// The runtime's checks are written `!(ok)` so that NaN fails them; kept so.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod variates;

use super::fault::{Loc, Stop};
use super::random::{Prng, libm};
use super::value::Value;
use crate::cir::{InstKind, Program, SampleKind, Ty, ValueId};
use crate::types::FloatTy;

/// The distributions whose forward draws the interpreter reproduces.
pub const PORTED: &[&str] = &[
    "normal", "std_normal", "lognormal", "half_normal", "student_t", "uniform", "exponential", "gamma", "inv_gamma",
    "chi_square", "beta", "double_exponential", "laplace", "pareto", "logistic", "cauchy", "half_cauchy", "weibull", "von_mises", "bernoulli", "bernoulli_logit", "binomial",
    "binomial_logit", "geometric", "poisson",
    "poisson_log", "neg_binomial_2", "neg_binomial_2_log", "categorical", "categorical_logit", "discrete_uniform",
];

/// What one draw of a distribution is, before it takes the `sample`'s type.
#[derive(Clone, Copy)]
enum Draw {
    Real(f64),
    Count(i64),
}

/// Why a draw did not happen: an invalid parameter (the runtime's `lastError()` text) or a
/// case the interpreter does not run (what to name in the refusal).
enum Failure {
    Invalid(String),
    Refused(String),
}

/// The refusal of a program with a forward `sample` from a distribution not ported, at the
/// first such `sample`, before the run starts.
pub fn refusal_before_start(program: &Program) -> Option<Stop> {
    program.functions.iter().filter(|f| !f.model).find_map(|f| {
        f.insts.iter().enumerate().find_map(|(at, inst)| match &inst.kind {
            InstKind::Sample { dist, kind: SampleKind::Forward, .. } if !PORTED.contains(dist) => {
                Some(Stop::unsupported(refused_dist(dist), &Loc::of(program, f, ValueId::from_index(at))))
            }
            _ => None,
        })
    })
}

fn refused_dist(dist: &str) -> String {
    format!("`sample` from `{dist}`")
}

/// The inputs of one forward `sample` instruction, evaluated.
pub struct Request<'a> {
    pub dist: &'a str,
    pub args: &'a [Value],
    pub size: Option<&'a Value>,
    pub lower: Option<&'a Value>,
    pub upper: Option<&'a Value>,
    pub ty: &'a Ty,
}

/// Runs a forward `sample` as `forward.draw`, `drawVector` or `drawBounded` would.
pub fn forward(rng: &mut Prng, req: &Request, loc: &Loc) -> Result<Value, Stop> {
    let one = |rng: &mut Prng| draw(rng, req.dist, req.args).map_err(|e| stop(e, req.dist, loc));
    if let Some(n) = req.size {
        let n = as_int(n);
        if n < 0 {
            return Err(Stop::fault(format!("a sample size must not be negative, got {n}"), loc));
        }
        let elem = match req.ty {
            Ty::Array(e) => &**e,
            _ => &Ty::Float(FloatTy::F64),
        };
        let items = (0..n).map(|_| one(rng).map(|d| convert(d, elem))).collect::<Result<Vec<_>, _>>()?;
        return Ok(Value::List(std::rc::Rc::new(items)));
    }
    if req.lower.is_some() || req.upper.is_some() {
        return bounded(rng, req, loc).map(Value::Float);
    }
    one(rng).map(|d| convert(d, req.ty))
}

/// `drawBounded`: redraws until the value lies within the bounds, at most 100,000 times.
fn bounded(rng: &mut Prng, req: &Request, loc: &Loc) -> Result<f64, Stop> {
    let lo = req.lower.map(as_real);
    let hi = req.upper.map(as_real);
    for _ in 0..100_000 {
        let x = match draw(rng, req.dist, req.args).map_err(|e| stop(e, req.dist, loc))? {
            Draw::Real(x) => x,
            Draw::Count(k) => k as f64,
        };
        if lo.is_none_or(|lo| x >= lo) && hi.is_none_or(|hi| x <= hi) {
            return Ok(x);
        }
    }
    Err(Stop::fault("the bounds of this sample leave almost none of the distribution's mass", loc))
}

fn stop(failure: Failure, dist: &str, loc: &Loc) -> Stop {
    match failure {
        Failure::Invalid(message) => Stop::fault(message, loc),
        Failure::Refused(what) => Stop::unsupported(format!("{} {what}", refused_dist(dist)), loc),
    }
}

/// A drawn number as the `sample`'s type (`forward.convert`).
fn convert(d: Draw, ty: &Ty) -> Value {
    match (d, ty) {
        (Draw::Real(x), Ty::Int(_)) => Value::Int(x as i128),
        (Draw::Real(x), Ty::Bool) => Value::Bool(x != 0.0),
        (Draw::Real(x), Ty::Float(FloatTy::F32)) => Value::Float(f64::from(x as f32)),
        (Draw::Real(x), _) => Value::Float(x),
        (Draw::Count(k), Ty::Float(FloatTy::F32)) => Value::Float(f64::from(k as f32)),
        (Draw::Count(k), Ty::Float(_)) => Value::Float(k as f64),
        (Draw::Count(k), Ty::Bool) => Value::Bool(k != 0),
        (Draw::Count(k), _) => Value::Int(i128::from(k)),
    }
}

fn as_real(v: &Value) -> f64 {
    match v {
        Value::Float(x) => *x,
        Value::Int(i) => *i as f64,
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => f64::NAN,
    }
}

fn as_int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i as i64,
        Value::Float(x) => *x as i64,
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

fn as_reals(v: &Value) -> Vec<f64> {
    match v {
        Value::List(items) => items.iter().map(as_real).collect(),
        other => vec![as_real(other)],
    }
}

/// One draw of `dist` with parameters `args` (each distribution's `sample` function).
fn draw(rng: &mut Prng, dist: &str, args: &[Value]) -> Result<Draw, Failure> {
    let r = |i: usize| args.get(i).map_or(f64::NAN, as_real);
    let real = Draw::Real;
    Ok(match dist {
        "normal" => {
            let (mu, sigma) = (r(0), r(1));
            finite("normal", "mu", mu)?;
            positive("normal", "sigma", sigma)?;
            real(mu + sigma * rng.float_norm())
        }
        "std_normal" => real(rng.float_norm()),
        "lognormal" => {
            let (mu, sigma) = (r(0), r(1));
            finite("lognormal", "mu", mu)?;
            positive("lognormal", "sigma", sigma)?;
            real(libm::exp(mu + sigma * rng.float_norm()))
        }
        "half_normal" => {
            positive("half_normal", "sigma", r(0))?;
            real(r(0) * rng.float_norm().abs())
        }
        "student_t" => {
            let (nu, mu, sigma) = (r(0), r(1), r(2));
            positive("student_t", "nu", nu)?;
            finite("student_t", "mu", mu)?;
            positive("student_t", "sigma", sigma)?;
            let chi2 = 2.0 * variates::gamma(rng, 0.5 * nu);
            real(mu + sigma * rng.float_norm() / (chi2 / nu).sqrt())
        }
        "uniform" => {
            let (a, b) = (r(0), r(1));
            finite("uniform", "alpha", a)?;
            finite("uniform", "beta", b)?;
            if !(a < b) {
                return Err(Failure::Invalid(format!("uniform: beta must be greater than alpha, got alpha = {}, beta = {}", num(a), num(b))));
            }
            real(a + (b - a) * rng.float())
        }
        "exponential" => {
            positive("exponential", "lambda", r(0))?;
            real(rng.float_exp() / r(0))
        }
        "gamma" | "inv_gamma" => {
            let (alpha, beta) = (r(0), r(1));
            positive(dist, "alpha", alpha)?;
            positive(dist, "beta", beta)?;
            let g = variates::gamma(rng, alpha);
            real(if dist == "gamma" { g / beta } else { beta / g })
        }
        "chi_square" => {
            positive("chi_square", "nu", r(0))?;
            real(2.0 * variates::gamma(rng, 0.5 * r(0)))
        }
        "beta" => {
            positive("beta", "alpha", r(0))?;
            positive("beta", "beta", r(1))?;
            real(variates::beta(rng, r(0), r(1)))
        }
        "double_exponential" | "laplace" => {
            let (mu, sigma) = (r(0), r(1));
            finite("double_exponential", "mu", mu)?;
            positive("double_exponential", "sigma", sigma)?;
            let e1 = rng.float_exp();
            let e2 = rng.float_exp();
            real(mu + sigma * (e1 - e2))
        }
        "pareto" => {
            let (y_min, alpha) = (r(0), r(1));
            positive("pareto", "y_min", y_min)?;
            positive("pareto", "alpha", alpha)?;
            real(y_min * libm::exp(rng.float_exp() / alpha))
        }
        "cauchy" => {
            let (mu, sigma) = (r(0), r(1));
            finite("cauchy", "mu", mu)?;
            positive("cauchy", "sigma", sigma)?;
            real(mu + sigma * cauchy_tan(rng))
        }
        "half_cauchy" => {
            positive("half_cauchy", "sigma", r(0))?;
            real(r(0) * cauchy_tan(rng).abs())
        }
        "weibull" => {
            let (alpha, sigma) = (r(0), r(1));
            positive("weibull", "alpha", alpha)?;
            positive("weibull", "sigma", sigma)?;
            real(sigma * libm::pow_positive_base(rng.float_exp(), 1.0 / alpha))
        }
        "von_mises" => {
            let (mu, kappa) = (r(0), r(1));
            finite("von_mises", "mu", mu)?;
            nonnegative("von_mises", "kappa", kappa)?;
            real(variates::von_mises(rng, mu, kappa))
        }
        "logistic" => {
            let (mu, sigma) = (r(0), r(1));
            finite("logistic", "mu", mu)?;
            positive("logistic", "sigma", sigma)?;
            let u = variates::uniform_open(rng);
            real(mu + sigma * (libm::log(u) - libm::log1p(-u)))
        }
        _ => return discrete(rng, dist, args),
    })
}

/// tan(π (U - 1/2)) for U uniform on (0, 1): a standard Cauchy draw.
fn cauchy_tan(rng: &mut Prng) -> f64 {
    libm::tan_within_3pi_4(std::f64::consts::PI * (variates::uniform_open(rng) - 0.5))
}

/// The discrete distributions' draws (`runtime/ppl/dist/discrete.zig`).
fn discrete(rng: &mut Prng, dist: &str, args: &[Value]) -> Result<Draw, Failure> {
    let r = |i: usize| args.get(i).map_or(f64::NAN, as_real);
    let count = Draw::Count;
    Ok(match dist {
        "bernoulli" => {
            check(dist, "theta", r(0), |x| (0.0..=1.0).contains(&x), "in [0, 1]")?;
            count(i64::from(rng.float() < r(0)))
        }
        "bernoulli_logit" => {
            finite(dist, "alpha", r(0))?;
            count(i64::from(rng.float() < inv_logit(r(0))))
        }
        "binomial" | "binomial_logit" => {
            let trials = args.first().map_or(0, as_int);
            if trials < 0 {
                return Err(Failure::Invalid(format!("{dist}: N must be >= 0, got {trials}")));
            }
            let p = if dist == "binomial" {
                check(dist, "theta", r(1), |x| (0.0..=1.0).contains(&x), "in [0, 1]")?;
                r(1)
            } else {
                finite(dist, "alpha", r(1))?;
                inv_logit(r(1))
            };
            count(variates::binomial(rng, trials, p))
        }
        "geometric" => {
            let theta = r(0);
            check(dist, "theta", theta, |x| x > 0.0 && x <= 1.0, "in (0, 1]")?;
            if theta == 1.0 {
                return Ok(count(0));
            }
            let x = (rng.float_exp() / -libm::log1p(-theta)).floor();
            if !(x < f64::from_bits(0x43D0_0000_0000_0000)) {
                return Err(Failure::Invalid(format!("geometric: theta = {} is too small to sample", num(theta))));
            }
            count(x as i64)
        }
        "poisson" => {
            nonnegative(dist, "lambda", r(0))?;
            count(poisson(rng, dist, r(0))?)
        }
        "poisson_log" => {
            check(dist, "alpha", r(0), |x| !x.is_nan() && x != f64::INFINITY, "finite or -inf")?;
            count(poisson(rng, dist, libm::exp(r(0)))?)
        }
        "neg_binomial_2" | "neg_binomial_2_log" => {
            let (location, phi) = (r(0), r(1));
            let mean = if dist == "neg_binomial_2" {
                positive(dist, "mu", location)?;
                location
            } else {
                finite(dist, "eta", location)?;
                libm::exp(location)
            };
            positive(dist, "phi", phi)?;
            let rate = mean * variates::gamma(rng, phi) / phi;
            count(poisson(rng, dist, rate)?)
        }
        "categorical" => {
            let theta = args.first().map(as_reals).unwrap_or_default();
            simplex(dist, "theta", &theta)?;
            count(variates::categorical(rng, &theta) as i64)
        }
        "categorical_logit" => count(categorical_logit(rng, &args.first().map(as_reals).unwrap_or_default())?),
        "discrete_uniform" => {
            let (lo, hi) = (args.first().map_or(0, as_int), args.get(1).map_or(0, as_int));
            if lo > hi {
                return Err(Failure::Invalid(format!("discrete_uniform: upper must be >= lower, got lower = {lo}, upper = {hi}")));
            }
            count(rng.int_range_at_most(lo, hi))
        }
        _ => return Err(Failure::Refused(String::new())),
    })
}

/// A Poisson draw after the runtime's rate check.
fn poisson(rng: &mut Prng, dist: &str, lambda: f64) -> Result<i64, Failure> {
    if !(lambda < f64::from_bits(0x4310_0000_0000_0000)) {
        return Err(Failure::Invalid(format!("{dist}: rate must be below 2^50 to sample, got {}", num(lambda))));
    }
    Ok(variates::poisson(rng, lambda))
}

/// Gumbel-max over the log weights.
fn categorical_logit(rng: &mut Prng, beta: &[f64]) -> Result<i64, Failure> {
    if beta.is_empty() {
        return Err(Failure::Invalid("categorical_logit: beta must not be empty".into()));
    }
    for (i, b) in beta.iter().enumerate() {
        if !b.is_finite() {
            return Err(Failure::Invalid(format!("categorical_logit: beta[{i}] must be finite, got {}", num(*b))));
        }
    }
    let (mut best, mut best_v) = (0usize, f64::NEG_INFINITY);
    for (j, b) in beta.iter().enumerate() {
        let v = b - libm::log(rng.float_exp());
        if v > best_v {
            best_v = v;
            best = j;
        }
    }
    Ok(best as i64)
}

/// `special.inv_logit` with the compiled `exp`.
fn inv_logit(x: f64) -> f64 {
    if x >= 0.0 {
        return 1.0 / (1.0 + libm::exp(-x));
    }
    let e = libm::exp(x);
    e / (1.0 + e)
}

fn check(dist: &str, param: &str, x: f64, ok: fn(f64) -> bool, what: &str) -> Result<(), Failure> {
    if ok(x) { Ok(()) } else { Err(Failure::Invalid(format!("{dist}: {param} must be {what}, got {}", num(x)))) }
}

fn finite(dist: &str, param: &str, x: f64) -> Result<(), Failure> {
    check(dist, param, x, f64::is_finite, "finite")
}

fn positive(dist: &str, param: &str, x: f64) -> Result<(), Failure> {
    check(dist, param, x, |x| x > 0.0 && x < f64::INFINITY, "positive and finite")
}

fn nonnegative(dist: &str, param: &str, x: f64) -> Result<(), Failure> {
    check(dist, param, x, |x| (0.0..f64::INFINITY).contains(&x), "non-negative and finite")
}

/// `common.checkSimplex`: non-empty, entries in [0, 1], summing to 1 within 1e-8.
fn simplex(dist: &str, param: &str, x: &[f64]) -> Result<(), Failure> {
    if x.is_empty() {
        return Err(Failure::Invalid(format!("{dist}: {param} must be a non-empty simplex")));
    }
    let mut s = 0.0;
    for (i, v) in x.iter().enumerate() {
        if !(*v >= 0.0 && *v <= 1.0) {
            return Err(Failure::Invalid(format!("{dist}: {param}[{i}] must be in [0, 1] (a simplex), got {}", num(*v))));
        }
        s += v;
    }
    if !((s - 1.0f64).abs() <= 1e-8) {
        return Err(Failure::Invalid(format!("{dist}: {param} must sum to 1 (a simplex), sums to {}", num(s))));
    }
    Ok(())
}

/// A number in a parameter message (`numfmt.formatMessage`): plain decimals for moderate
/// magnitudes, the exponent form otherwise, both the shortest that read back exactly.
fn num(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    let a = x.abs();
    if x == 0.0 || (1e-4..1e15).contains(&a) { format!("{x}") } else { format!("{x:e}") }
}
