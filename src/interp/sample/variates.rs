//! The random variate generators of `runtime/ppl/dist/sampling.zig`, step for step on the
//! interpreter's copy of the generator: gamma by Marsaglia & Tsang with the U^(1/a) boost in
//! log space for shape < 1, beta from two log-gammas, Poisson by sequential inversion (mean
//! below 10), binomial by inversion (BINV, n min(p, 1 - p) below 10), categorical by inversion
//! of the cumulative weights. `exp`/`log`/`log1p` are the compiled program's (`random::libm`),
//! `sqrt` is exact in both.

use crate::interp::random::{Prng, libm};

/// Uniform on the open interval (0, 1) (`uniformOpen`).
pub fn uniform_open(rng: &mut Prng) -> f64 {
    loop {
        let u = rng.float();
        if u > 0.0 {
            return u;
        }
    }
}

/// Marsaglia-Tsang for shape >= 1 (rate 1).
fn gamma_mt(rng: &mut Prng, a: f64) -> f64 {
    let d = a - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let (mut x, mut v);
        loop {
            x = rng.float_norm();
            v = 1.0 + c * x;
            if v > 0.0 {
                break;
            }
        }
        v = v * v * v;
        let u = uniform_open(rng);
        let x2 = x * x;
        if u < 1.0 - 0.0331 * x2 * x2 {
            return d * v;
        }
        if libm::log(u) < 0.5 * x2 + d * (1.0 - v + libm::log(v)) {
            return d * v;
        }
    }
}

/// log of a Gamma(shape, 1) draw (`logGamma`).
pub fn log_gamma(rng: &mut Prng, shape: f64) -> f64 {
    if shape >= 1.0 {
        return libm::log(gamma_mt(rng, shape));
    }
    libm::log(gamma_mt(rng, shape + 1.0)) + libm::log(uniform_open(rng)) / shape
}

/// Gamma(shape, rate 1).
pub fn gamma(rng: &mut Prng, shape: f64) -> f64 {
    if shape >= 1.0 {
        return gamma_mt(rng, shape);
    }
    libm::exp(log_gamma(rng, shape))
}

/// Beta(a, b) as X / (X + Y) of gammas, from their logs.
pub fn beta(rng: &mut Prng, a: f64, b: f64) -> f64 {
    let lx = log_gamma(rng, a);
    let ly = log_gamma(rng, b);
    1.0 / (1.0 + libm::exp(ly - lx))
}

/// The largest Poisson mean the interpreter draws from: above it the runtime switches to
/// transformed rejection with `lgamma`, which the interpreter does not reproduce yet.
pub const POISSON_INVERSION_LIMIT: f64 = 10.0;

/// Poisson(lambda) by sequential search, 0 <= lambda < [`POISSON_INVERSION_LIMIT`].
pub fn poisson_small(rng: &mut Prng, lambda: f64) -> i64 {
    if lambda == 0.0 {
        return 0;
    }
    let mut p = libm::exp(-lambda);
    let mut s = p;
    let u = rng.float();
    let mut k: i64 = 0;
    while u > s {
        k += 1;
        p *= lambda / k as f64;
        s += p;
        if k > 1000 {
            break;
        }
    }
    k
}

/// An index in [0, weights.len) with probability proportional to the weights.
pub fn categorical(rng: &mut Prng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().fold(0.0, |acc, w| acc + w);
    let u = rng.float() * total;
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc {
            return i;
        }
    }
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

/// The largest n min(p, 1 - p) the interpreter draws a binomial for: above it the runtime
/// switches to transformed rejection with `lgamma` (BTRS), not reproduced yet.
pub const BINOMIAL_INVERSION_LIMIT: f64 = 10.0;

/// Binomial(n, p), n >= 0 and 0 <= p <= 1, by inversion (BINV) as `sampling.binomial` draws
/// it; `None` where the runtime would use BTRS instead.
pub fn binomial_small(rng: &mut Prng, n: i64, p: f64) -> Option<i64> {
    if n == 0 || p == 0.0 {
        return Some(0);
    }
    if p == 1.0 {
        return Some(n);
    }
    if p > 0.5 {
        return binomial_small(rng, n, 1.0 - p).map(|k| n - k);
    }
    let nf = n as f64;
    let q = 1.0 - p;
    if !(nf * p < BINOMIAL_INVERSION_LIMIT) {
        return None;
    }
    let s = p / q;
    let a = (nf + 1.0) * s;
    loop {
        let mut r = libm::exp(nf * libm::log1p(-p));
        let mut u = rng.float();
        let mut k: i64 = 0;
        while u > r {
            u -= r;
            k += 1;
            if k > n {
                break;
            }
            r *= a / k as f64 - s;
        }
        if k <= n {
            return Some(k);
        }
    }
}
