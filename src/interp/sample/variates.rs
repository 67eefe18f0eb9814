//! The random variate generators of `runtime/ppl/dist/sampling.zig`, step for step on the
//! interpreter's copy of the generator: gamma by Marsaglia & Tsang with the U^(1/a) boost in
//! log space for shape < 1, beta from two log-gammas, Poisson by sequential inversion below a
//! mean of 10 and Hoermann's PTRS above, binomial by inversion (BINV) or Hoermann's BTRS,
//! categorical by inversion of the cumulative weights. `exp`/`log`/`log1p`/`lgamma` are the
//! compiled program's (`random::libm`), `sqrt` is exact in both.

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

/// Poisson(lambda), 0 <= lambda < 2^50: sequential search below a mean of 10, Hoermann's
/// transformed rejection (PTRS) above.
pub fn poisson(rng: &mut Prng, lambda: f64) -> i64 {
    if lambda == 0.0 {
        return 0;
    }
    if lambda < 10.0 {
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
        return k;
    }
    let slam = lambda.sqrt();
    let loglam = libm::log(lambda);
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.float() - 0.5;
        let v = uniform_open(rng);
        let us = 0.5 - u.abs();
        let kf = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return kf as i64;
        }
        if kf < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if libm::log(v) + libm::log(inv_alpha) - libm::log(a / (us * us) + b) <= -lambda + kf * loglam - libm::lgamma_at_integer(kf + 1.0) {
            return kf as i64;
        }
    }
}

/// Von Mises(mu, kappa) by Best & Fisher, wrapped into [-π, π] (`sampling.vonMises`).
pub fn von_mises(rng: &mut Prng, mu: f64, kappa: f64) -> f64 {
    use std::f64::consts::PI;
    let theta = if kappa < 1e-8 {
        (2.0 * rng.float() - 1.0) * PI
    } else {
        let s = (1.0 + 4.0 * kappa * kappa).sqrt();
        let tau = 1.0 + s;
        let tau_m2 = 4.0 * kappa * kappa / (s + 1.0);
        let rho = tau * tau_m2 / ((tau + (2.0 * tau).sqrt()) * 2.0 * kappa);
        let r = (1.0 + rho * rho) / (2.0 * rho);
        let f = loop {
            let z = libm::cos_within_5pi_4(PI * rng.float());
            let f = (1.0 + r * z) / (r + z);
            let cc = kappa * (r - f);
            let w = uniform_open(rng);
            if cc * (2.0 - cc) - w > 0.0 || libm::log(cc / w) + 1.0 - cc >= 0.0 {
                break f;
            }
        };
        // `@max(-1, @min(1, f))`: Zig's min and max pass a NaN over, as Rust's do (clamp would not).
        #[allow(clippy::manual_clamp)]
        let ang = libm::acos(f.min(1.0).max(-1.0));
        if rng.boolean() { ang } else { -ang }
    };
    wrap_angle(mu + theta)
}

/// An angle wrapped into [-π, π] (`sampling.wrapAngle`; Zig lowers a float `@mod` to
/// `fmod(a, b)`, and for a negative `a` to `fmod(fmod(a, b) + b, b)`).
fn wrap_angle(x: f64) -> f64 {
    use std::f64::consts::PI;
    if (-PI..=PI).contains(&x) {
        return x;
    }
    let two_pi = 2.0 * PI;
    let a = x + PI;
    let r = a % two_pi;
    let mut y = if a < 0.0 { (r + two_pi) % two_pi } else { r };
    if y < 0.0 {
        y += two_pi;
    }
    y - PI
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

/// Binomial(n, p), n >= 0 and 0 <= p <= 1: inversion (BINV) when n min(p, 1 - p) < 10,
/// Hoermann's transformed rejection (BTRS) above, as `sampling.binomial`.
pub fn binomial(rng: &mut Prng, n: i64, p: f64) -> i64 {
    if n == 0 || p == 0.0 {
        return 0;
    }
    if p == 1.0 {
        return n;
    }
    if p > 0.5 {
        return n - binomial(rng, n, 1.0 - p);
    }
    let nf = n as f64;
    let q = 1.0 - p;
    if nf * p < 10.0 {
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
                return k;
            }
        }
    }
    let spq = (nf * p * q).sqrt();
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = nf * p + 0.5;
    let vr = 0.92 - 4.2 / b;
    let alpha = (2.83 + 5.1 / b) * spq;
    let lpq = libm::log(p / q);
    let m = ((nf + 1.0) * p).floor();
    let h = libm::lgamma_at_integer(m + 1.0) + libm::lgamma_at_integer(nf - m + 1.0);
    loop {
        let u = rng.float() - 0.5;
        let mut v = uniform_open(rng);
        let us = 0.5 - u.abs();
        let kf = ((2.0 * a / us + b) * u + c).floor();
        if kf < 0.0 || kf > nf {
            continue;
        }
        if us >= 0.07 && v <= vr {
            return kf as i64;
        }
        v = libm::log(v * alpha / (a / (us * us) + b));
        if v <= h - libm::lgamma_at_integer(kf + 1.0) - libm::lgamma_at_integer(nf - kf + 1.0) + (kf - m) * lpq {
            return kf as i64;
        }
    }
}
