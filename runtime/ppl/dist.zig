//! Probability distributions for generated model code. Each distribution is a namespace with
//!
//! * `lpdf(S, y, params...)` (continuous) or `lpmf(S, y, params...)` (discrete): the normalised
//!   log density, generic over the AD mode `S` (ad.F64 / ad.Fwd / ad.Rev). Every real argument
//!   (including y) may be an f64 or an `S.Real`, and for the univariate distributions a scalar or
//!   a sequence (slice); scalars broadcast and the result is the sum over elements, i.e. the
//!   same function is the vectorised form. The gradient is pushed as ONE node with hand-written
//!   partials. Invalid parameters return `error.InvalidParameter` with a message in
//!   `lastError()`; values outside the support give -inf.
//! * `lcdf` / `lccdf` (log P(Y <= y), log P(Y > y)) for the distributions used in truncation.
//! * `sample(rng, params...)`: a draw (f64, i64, or written into an `out` buffer for the
//!   multivariate ones), validating its parameters the same way.
//!
//! `catalog` lists every distribution with its parameters, kinds and support (see
//! docs/distributions.md for the formulas). The implementation is split over `dist/`.

const std = @import("std");
pub const common = @import("dist/common.zig");
pub const sampling = @import("dist/sampling.zig");
pub const continuous = @import("dist/continuous.zig");
pub const discrete = @import("dist/discrete.zig");
pub const multivariate = @import("dist/multivariate.zig");
pub const covariance = @import("dist/covariance.zig");
pub const glm = @import("dist/glm.zig");
pub const tseries = @import("dist/tseries.zig");
pub const arma_mod = @import("dist/arma.zig");
pub const seasonal = @import("dist/seasonal.zig");
pub const hmm = @import("dist/hmm.zig");
pub const vmath = @import("dist/vmath.zig");
/// Checks around distributions declared in SIRS, and mixture weights.
pub const custom = @import("dist/custom.zig");
const catalog_mod = @import("dist/catalog.zig");
const testutil = @import("dist/testutil.zig");

pub const Error = common.Error;
/// Message of the last `error.InvalidParameter` on this thread.
pub const lastError = common.lastError;
pub const Kind = common.Kind;
pub const Param = common.Param;
pub const Support = common.Support;
pub const Entry = common.Entry;
/// Every distribution: name, parameters (name, kind), value kind, support, lpdf/lpmf, CDFs.
pub const catalog = catalog_mod.catalog;
pub const findEntry = catalog_mod.find;

// continuous
pub const normal = continuous.normal;
pub const std_normal = continuous.std_normal;
pub const lognormal = continuous.lognormal;
pub const student_t = continuous.student_t;
pub const cauchy = continuous.cauchy;
pub const exponential = continuous.exponential;
pub const gamma = continuous.gamma;
pub const inv_gamma = continuous.inv_gamma;
pub const beta = continuous.beta;
pub const uniform = continuous.uniform;
pub const weibull = continuous.weibull;
pub const double_exponential = continuous.double_exponential;
pub const laplace = continuous.laplace;
pub const logistic = continuous.logistic;
pub const chi_square = continuous.chi_square;
pub const pareto = continuous.pareto;
pub const von_mises = continuous.von_mises;
pub const half_normal = continuous.half_normal;
pub const half_cauchy = continuous.half_cauchy;

/// The improper flat density on the real line (Stan's implicit prior): log density 0. It can
/// be a prior for a parameter, but it has no sampler, since it is not a distribution.
pub const flat = struct {
    pub const name = "flat";

    pub fn lpdf(comptime S: type, y: anytype) Error!S.Real {
        try common.checkNotNan(name, "y", y);
        return S.lift(0);
    }

    pub fn sample(rng: std.Random) Error!f64 {
        _ = rng;
        return common.fail("flat: an improper flat prior cannot be sampled (it has no normalising constant)", .{});
    }

    test "flat has log density 0 and no sampler" {
        const ad_mod = @import("ad.zig");
        try std.testing.expectEqual(@as(f64, 0), try lpdf(ad_mod.F64, @as(f64, 3.5)));
        var prng = std.Random.DefaultPrng.init(1);
        try std.testing.expectError(error.InvalidParameter, sample(prng.random()));
    }
};
// discrete
pub const bernoulli = discrete.bernoulli;
pub const bernoulli_logit = discrete.bernoulli_logit;
pub const binomial = discrete.binomial;
pub const binomial_logit = discrete.binomial_logit;
pub const poisson = discrete.poisson;
pub const poisson_log = discrete.poisson_log;
pub const neg_binomial_2 = discrete.neg_binomial_2;
pub const neg_binomial_2_log = discrete.neg_binomial_2_log;
pub const geometric = discrete.geometric;
pub const categorical = discrete.categorical;
pub const categorical_logit = discrete.categorical_logit;
pub const discrete_uniform = discrete.discrete_uniform;
// multivariate
pub const dirichlet = multivariate.dirichlet;
pub const multi_normal = multivariate.multi_normal;
pub const multi_normal_cholesky = multivariate.multi_normal_cholesky;
pub const multinomial = multivariate.multinomial;
pub const lkj_corr_cholesky = multivariate.lkj_corr_cholesky;
// whole covariance and correlation matrices
pub const lkj_corr = covariance.lkj_corr;
pub const wishart = covariance.wishart;
pub const inv_wishart = covariance.inv_wishart;
/// log sum_k theta_k exp(lps_k) over a simplex of weights.
pub const log_mix = multivariate.log_mix;
// fused GLMs
pub const bernoulli_logit_glm = glm.bernoulli_logit_glm;
pub const poisson_log_glm = glm.poisson_log_glm;
pub const normal_id_glm = glm.normal_id_glm;
// time series and hidden Markov models
pub const ar = tseries.ar;
pub const arma11 = tseries.arma11;
pub const arma = arma_mod.arma;
pub const garch11 = tseries.garch11;
pub const local_level = tseries.local_level;
pub const local_linear_trend = tseries.local_linear_trend;
pub const seasonal_local_level = seasonal.seasonal_local_level;
pub const hmm_marginal = hmm.hmm_marginal;

/// Release this thread's scratch memory used by the multivariate densities and the GLMs.
pub fn deinitThread() void {
    @import("linalg.zig").freeScratch();
}

test "deinitThread releases scratch" {
    _ = @import("linalg.zig").scratch(64);
    deinitThread();
}

test "catalog matches the declarations" {
    inline for (catalog) |e| {
        const D = @field(@This(), e.name);
        try std.testing.expect(@hasDecl(D, e.density_fn));
        // laplace is an alias of double_exponential (its messages use that name)
        if (!std.mem.eql(u8, e.name, "laplace")) try std.testing.expectEqualStrings(e.name, D.name);
        const f = @field(D, e.density_fn);
        // S, y, then one argument per parameter
        try std.testing.expectEqual(e.params.len + 2, @typeInfo(@TypeOf(f)).@"fn".params.len);
        try std.testing.expectEqual(e.has_cdf, @hasDecl(D, "lcdf") and @hasDecl(D, "lccdf"));
        try std.testing.expectEqual(e.has_sampler, @hasDecl(D, "sample"));
        try std.testing.expectEqual(e.discrete, std.mem.eql(u8, e.density_fn, "lpmf"));
    }
    try std.testing.expect(catalog.len >= 32);
}

test {
    std.testing.refAllDeclsRecursive(@This());
}
