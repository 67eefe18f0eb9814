//! The distribution catalogue as the checker sees it: parameter kinds, value kind, support.
//!
//! It mirrors `runtime/ppl/dist.zig` (whose `catalog` is the runtime's side and whose
//! parametrisations `docs/distributions.md` documents). The support decides how a latent
//! `sample` is transformed to an unconstrained parameter during inference.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// Any real number.
    Real,
    /// A real number that must be positive (checked at run time).
    Positive,
    /// A probability in [0, 1].
    Prob,
    /// A non-negative integer count.
    Count,
    /// An integer bound.
    Int,
    /// A vector of reals.
    Vector,
    /// A vector of positive reals.
    PosVector,
    /// A vector on the simplex.
    Simplex,
    /// A matrix as an array of rows.
    Matrix,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Real,
    Int,
    Vector,
    IntVector,
    Matrix,
}

/// Where the values of a distribution live; decides the transform of a latent draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    Real,
    Positive,
    Unit,
    /// Between two parameters (by index).
    Interval(usize, usize),
    /// At least the value of a parameter (by index).
    AtLeast(usize),
    /// The circle, represented as (-π, π).
    Circle,
    Simplex,
    CholeskyCorr,
    /// Correlation matrices (lkj_corr).
    CorrMatrix,
    /// Covariance matrices: symmetric positive definite (wishart, inv_wishart).
    CovMatrix,
    Discrete,
}

#[derive(Debug)]
pub struct DistInfo {
    pub name: &'static str,
    pub params: &'static [(&'static str, ParamKind)],
    pub value: ValueKind,
    pub support: Support,
}

use ParamKind as P;

const fn d(
    name: &'static str,
    params: &'static [(&'static str, ParamKind)],
    value: ValueKind,
    support: Support,
) -> DistInfo {
    DistInfo { name, params, value, support }
}

pub static DISTRIBUTIONS: &[DistInfo] = &[
    d("normal", &[("mu", P::Real), ("sigma", P::Positive)], ValueKind::Real, Support::Real),
    d("std_normal", &[], ValueKind::Real, Support::Real),
    d("lognormal", &[("mu", P::Real), ("sigma", P::Positive)], ValueKind::Real, Support::Positive),
    d("student_t", &[("nu", P::Positive), ("mu", P::Real), ("sigma", P::Positive)], ValueKind::Real, Support::Real),
    d("cauchy", &[("mu", P::Real), ("sigma", P::Positive)], ValueKind::Real, Support::Real),
    d("exponential", &[("lambda", P::Positive)], ValueKind::Real, Support::Positive),
    d("gamma", &[("alpha", P::Positive), ("beta", P::Positive)], ValueKind::Real, Support::Positive),
    d("inv_gamma", &[("alpha", P::Positive), ("beta", P::Positive)], ValueKind::Real, Support::Positive),
    d("beta", &[("alpha", P::Positive), ("beta", P::Positive)], ValueKind::Real, Support::Unit),
    d("uniform", &[("lower", P::Real), ("upper", P::Real)], ValueKind::Real, Support::Interval(0, 1)),
    d("weibull", &[("alpha", P::Positive), ("sigma", P::Positive)], ValueKind::Real, Support::Positive),
    d("laplace", &[("mu", P::Real), ("sigma", P::Positive)], ValueKind::Real, Support::Real),
    d("double_exponential", &[("mu", P::Real), ("sigma", P::Positive)], ValueKind::Real, Support::Real),
    d("logistic", &[("mu", P::Real), ("sigma", P::Positive)], ValueKind::Real, Support::Real),
    d("chi_square", &[("nu", P::Positive)], ValueKind::Real, Support::Positive),
    d("pareto", &[("y_min", P::Positive), ("alpha", P::Positive)], ValueKind::Real, Support::AtLeast(0)),
    d("von_mises", &[("mu", P::Real), ("kappa", P::Positive)], ValueKind::Real, Support::Circle),
    d("half_normal", &[("sigma", P::Positive)], ValueKind::Real, Support::Positive),
    d("half_cauchy", &[("sigma", P::Positive)], ValueKind::Real, Support::Positive),
    d("flat", &[], ValueKind::Real, Support::Real),
    d("bernoulli", &[("theta", P::Prob)], ValueKind::Int, Support::Discrete),
    d("bernoulli_logit", &[("alpha", P::Real)], ValueKind::Int, Support::Discrete),
    d("binomial", &[("n", P::Count), ("theta", P::Prob)], ValueKind::Int, Support::Discrete),
    d("binomial_logit", &[("n", P::Count), ("alpha", P::Real)], ValueKind::Int, Support::Discrete),
    d("poisson", &[("lambda", P::Positive)], ValueKind::Int, Support::Discrete),
    d("poisson_log", &[("alpha", P::Real)], ValueKind::Int, Support::Discrete),
    d("neg_binomial_2", &[("mu", P::Positive), ("phi", P::Positive)], ValueKind::Int, Support::Discrete),
    d("neg_binomial_2_log", &[("eta", P::Real), ("phi", P::Positive)], ValueKind::Int, Support::Discrete),
    d("geometric", &[("theta", P::Prob)], ValueKind::Int, Support::Discrete),
    d("categorical", &[("theta", P::Simplex)], ValueKind::Int, Support::Discrete),
    d("categorical_logit", &[("beta", P::Vector)], ValueKind::Int, Support::Discrete),
    d("discrete_uniform", &[("lower", P::Int), ("upper", P::Int)], ValueKind::Int, Support::Discrete),
    d("dirichlet", &[("alpha", P::PosVector)], ValueKind::Vector, Support::Simplex),
    d("multi_normal", &[("mu", P::Vector), ("sigma", P::Matrix)], ValueKind::Vector, Support::Real),
    d("multi_normal_cholesky", &[("mu", P::Vector), ("L", P::Matrix)], ValueKind::Vector, Support::Real),
    d("multinomial", &[("theta", P::Simplex)], ValueKind::IntVector, Support::Discrete),
    d("lkj_corr_cholesky", &[("eta", P::Positive)], ValueKind::Matrix, Support::CholeskyCorr),
    d("lkj_corr", &[("eta", P::Positive)], ValueKind::Matrix, Support::CorrMatrix),
    d("wishart", &[("nu", P::Positive), ("S", P::Matrix)], ValueKind::Matrix, Support::CovMatrix),
    d("inv_wishart", &[("nu", P::Positive), ("S", P::Matrix)], ValueKind::Matrix, Support::CovMatrix),
    // Generalised linear models: one fused density for all rows of the data matrix `x`.
    d("bernoulli_logit_glm", &[("x", P::Matrix), ("alpha", P::Real), ("beta", P::Vector)], ValueKind::IntVector, Support::Discrete),
    d("poisson_log_glm", &[("x", P::Matrix), ("alpha", P::Real), ("beta", P::Vector)], ValueKind::IntVector, Support::Discrete),
    d("normal_id_glm", &[("x", P::Matrix), ("alpha", P::Real), ("beta", P::Vector), ("sigma", P::Positive)], ValueKind::Vector, Support::Real),
    // Time series: one density over a whole series (docs/probabilistic.md, "Building blocks").
    d("ar", &[("mu", P::Real), ("phi", P::Vector), ("sigma", P::Positive)], ValueKind::Vector, Support::Real),
    d("arma11", &[("mu", P::Real), ("phi", P::Real), ("theta", P::Real), ("sigma", P::Positive)], ValueKind::Vector, Support::Real),
    d("arma", &[("mu", P::Real), ("phi", P::Vector), ("theta", P::Vector), ("sigma", P::Positive)], ValueKind::Vector, Support::Real),
    d("garch11", &[("mu", P::Real), ("alpha0", P::Positive), ("alpha1", P::Prob), ("beta1", P::Prob), ("sigma1", P::Positive)], ValueKind::Vector, Support::Real),
    d("local_level", &[("sigma_level", P::Positive), ("sigma_obs", P::Positive), ("a1", P::Real), ("p1", P::Positive)], ValueKind::Vector, Support::Real),
    d("local_linear_trend", &[("sigma_level", P::Positive), ("sigma_slope", P::Positive), ("sigma_obs", P::Positive), ("a1_level", P::Real), ("a1_slope", P::Real), ("p1", P::Positive)], ValueKind::Vector, Support::Real),
    d("seasonal_local_level", &[("sigma_level", P::Positive), ("sigma_season", P::Positive), ("sigma_obs", P::Positive), ("period", P::Int), ("a1", P::Real), ("p1", P::Positive)], ValueKind::Vector, Support::Real),
    // The value is the T×K matrix of log emission densities; Gamma's rows are simplexes.
    d("hmm_marginal", &[("Gamma", P::Matrix), ("rho", P::Simplex)], ValueKind::Matrix, Support::Real),
];

pub fn find(name: &str) -> Option<&'static DistInfo> {
    DISTRIBUTIONS.iter().find(|d| d.name == name)
}

impl DistInfo {
    pub fn is_discrete(&self) -> bool {
        self.support == Support::Discrete
    }

    /// Whether one draw is a vector or a matrix.
    pub fn is_multivariate(&self) -> bool {
        !matches!(self.value, ValueKind::Real | ValueKind::Int)
    }

    /// For the densities with no sampler (fused GLMs with a real or count outcome, whole
    /// series, HMM marginals), which serve `observe` and `lpdf` only: what to draw instead.
    pub fn no_sampler_hint(&self) -> Option<&'static str> {
        match self.name {
            "poisson_log_glm" | "normal_id_glm" => Some("draw from `poisson_log` or `normal` per row instead"),
            "ar" | "arma" | "arma11" | "garch11" | "local_level" | "local_linear_trend" | "seasonal_local_level" => Some("draw the series one step at a time with `normal` instead"),
            "hmm_marginal" => Some("draw the states with `categorical` and each emission from its state instead"),
            _ => None,
        }
    }

    /// Whether an `observe` may give a vector of values to this distribution at once.
    pub fn vectorisable(&self) -> bool {
        matches!(self.value, ValueKind::Real | ValueKind::Int)
    }
}

impl ParamKind {
    pub fn is_scalar(self) -> bool {
        matches!(self, P::Real | P::Positive | P::Prob | P::Count | P::Int)
    }

    pub fn is_integer(self) -> bool {
        matches!(self, P::Count | P::Int)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_thirty_distributions_with_unique_names() {
        assert!(DISTRIBUTIONS.len() >= 30);
        let mut names: Vec<&str> = DISTRIBUTIONS.iter().map(|d| d.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DISTRIBUTIONS.len());
    }
}
