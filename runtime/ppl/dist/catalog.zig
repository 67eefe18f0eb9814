//! The compile-time catalog of distributions: for each, its name (the namespace in dist.zig),
//! parameters with their kinds, the kind of value it describes, its support, whether it is
//! discrete (lpmf) or continuous (lpdf), whether it has log CDFs (lcdf / lccdf) and whether its
//! density accepts sequences. The compiler mirrors this table; a test checks it against the
//! actual declarations (names, arities, presence of lcdf/lccdf and sample).

const common = @import("common.zig");
const Kind = common.Kind;
const Param = common.Param;
const Entry = common.Entry;

fn p(name: []const u8, kind: Kind) Param {
    return .{ .name = name, .kind = kind };
}

fn cont(name: []const u8, params: []const Param, support: common.Support, has_cdf: bool) Entry {
    return .{ .name = name, .params = params, .value = .real, .support = support, .discrete = false, .density_fn = "lpdf", .has_cdf = has_cdf, .vectorised = true };
}

fn disc(name: []const u8, params: []const Param, support: common.Support) Entry {
    return .{ .name = name, .params = params, .value = .int, .support = support, .discrete = true, .density_fn = "lpmf", .has_cdf = false, .vectorised = true };
}

pub const catalog = [_]Entry{
    // univariate continuous (real-valued; all arguments scalars or sequences)
    cont("normal", &.{ p("mu", .real), p("sigma", .positive_real) }, .real, true),
    cont("std_normal", &.{}, .real, true),
    cont("lognormal", &.{ p("mu", .real), p("sigma", .positive_real) }, .positive, true),
    cont("student_t", &.{ p("nu", .positive_real), p("mu", .real), p("sigma", .positive_real) }, .real, true),
    cont("cauchy", &.{ p("mu", .real), p("sigma", .positive_real) }, .real, true),
    cont("exponential", &.{p("lambda", .positive_real)}, .nonnegative, true),
    cont("gamma", &.{ p("alpha", .positive_real), p("beta", .positive_real) }, .nonnegative, true),
    cont("inv_gamma", &.{ p("alpha", .positive_real), p("beta", .positive_real) }, .positive, false),
    cont("beta", &.{ p("alpha", .positive_real), p("beta", .positive_real) }, .unit_interval, true),
    cont("uniform", &.{ p("alpha", .real), p("beta", .real) }, .{ .interval_params = .{ "alpha", "beta" } }, false),
    cont("weibull", &.{ p("alpha", .positive_real), p("sigma", .positive_real) }, .nonnegative, true),
    cont("double_exponential", &.{ p("mu", .real), p("sigma", .positive_real) }, .real, true),
    cont("laplace", &.{ p("mu", .real), p("sigma", .positive_real) }, .real, true),
    cont("logistic", &.{ p("mu", .real), p("sigma", .positive_real) }, .real, true),
    cont("chi_square", &.{p("nu", .positive_real)}, .nonnegative, false),
    cont("pareto", &.{ p("y_min", .positive_real), p("alpha", .positive_real) }, .{ .lower_param = "y_min" }, false),
    cont("von_mises", &.{ p("mu", .real), p("kappa", .nonnegative_real) }, .circular, false),
    cont("half_normal", &.{p("sigma", .positive_real)}, .nonnegative, false),
    cont("half_cauchy", &.{p("sigma", .positive_real)}, .nonnegative, false),
    // univariate discrete (integer-valued)
    disc("bernoulli", &.{p("theta", .probability)}, .binary),
    disc("bernoulli_logit", &.{p("alpha", .real)}, .binary),
    disc("binomial", &.{ p("N", .nonnegative_int), p("theta", .probability) }, .{ .int_upto_param = "N" }),
    disc("binomial_logit", &.{ p("N", .nonnegative_int), p("alpha", .real) }, .{ .int_upto_param = "N" }),
    disc("poisson", &.{p("lambda", .nonnegative_real)}, .nonnegative_int),
    disc("poisson_log", &.{p("alpha", .real)}, .nonnegative_int),
    disc("neg_binomial_2", &.{ p("mu", .positive_real), p("phi", .positive_real) }, .nonnegative_int),
    disc("neg_binomial_2_log", &.{ p("eta", .real), p("phi", .positive_real) }, .nonnegative_int),
    disc("geometric", &.{p("theta", .probability)}, .nonnegative_int),
    disc("categorical", &.{p("theta", .simplex)}, .{ .category_of = "theta" }),
    disc("categorical_logit", &.{p("beta", .vector)}, .{ .category_of = "beta" }),
    disc("discrete_uniform", &.{ p("lower", .int), p("upper", .int) }, .{ .int_interval_params = .{ "lower", "upper" } }),
    // multivariate
    .{ .name = "dirichlet", .params = &.{p("alpha", .positive_vector)}, .value = .simplex, .support = .{ .simplex_of = "alpha" }, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false },
    .{ .name = "multi_normal", .params = &.{ p("mu", .vector), p("Sigma", .cov_matrix) }, .value = .vector, .support = .{ .real_vector = "mu" }, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false },
    .{ .name = "multi_normal_cholesky", .params = &.{ p("mu", .vector), p("L", .cholesky_factor_cov) }, .value = .vector, .support = .{ .real_vector = "mu" }, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false },
    .{ .name = "multinomial", .params = &.{p("theta", .simplex)}, .value = .count_array, .support = .{ .count_vector_of = "theta" }, .discrete = true, .density_fn = "lpmf", .has_cdf = false, .vectorised = false },
    .{ .name = "lkj_corr_cholesky", .params = &.{p("eta", .positive_real)}, .value = .cholesky_factor_corr, .support = .cholesky_corr, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false },
    .{ .name = "lkj_corr", .params = &.{p("eta", .positive_real)}, .value = .corr_matrix, .support = .corr_matrix, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false },
    .{ .name = "wishart", .params = &.{ p("nu", .positive_real), p("S", .cov_matrix) }, .value = .cov_matrix, .support = .cov_matrix, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false },
    .{ .name = "inv_wishart", .params = &.{ p("nu", .positive_real), p("S", .cov_matrix) }, .value = .cov_matrix, .support = .cov_matrix, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false },
    // fused GLMs (x is a data matrix; alpha a scalar or one value per row)
    .{ .name = "bernoulli_logit_glm", .params = &.{ p("x", .data_matrix), p("alpha", .real), p("beta", .vector) }, .value = .int_array, .support = .binary, .discrete = true, .density_fn = "lpmf", .has_cdf = false, .vectorised = true },
    .{ .name = "poisson_log_glm", .params = &.{ p("x", .data_matrix), p("alpha", .real), p("beta", .vector) }, .value = .int_array, .support = .nonnegative_int, .discrete = true, .density_fn = "lpmf", .has_cdf = false, .vectorised = true, .has_sampler = false },
    .{ .name = "normal_id_glm", .params = &.{ p("x", .data_matrix), p("alpha", .real), p("beta", .vector), p("sigma", .positive_real) }, .value = .vector, .support = .real, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = true, .has_sampler = false },
    // time series: one density over a whole series (see tseries.zig, arma.zig, seasonal.zig, hmm.zig)
    .{ .name = "ar", .params = &.{ p("mu", .real), p("phi", .vector), p("sigma", .positive_real) }, .value = .vector, .support = .real, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false, .has_sampler = false },
    .{ .name = "arma11", .params = &.{ p("mu", .real), p("phi", .real), p("theta", .real), p("sigma", .positive_real) }, .value = .vector, .support = .real, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false, .has_sampler = false },
    .{ .name = "arma", .params = &.{ p("mu", .real), p("phi", .vector), p("theta", .vector), p("sigma", .positive_real) }, .value = .vector, .support = .real, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false, .has_sampler = false },
    .{ .name = "garch11", .params = &.{ p("mu", .real), p("alpha0", .positive_real), p("alpha1", .probability), p("beta1", .probability), p("sigma1", .positive_real) }, .value = .vector, .support = .real, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false, .has_sampler = false },
    .{ .name = "local_level", .params = &.{ p("sigma_level", .positive_real), p("sigma_obs", .positive_real), p("a1", .real), p("p1", .positive_real) }, .value = .vector, .support = .real, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false, .has_sampler = false },
    .{ .name = "local_linear_trend", .params = &.{ p("sigma_level", .positive_real), p("sigma_slope", .positive_real), p("sigma_obs", .positive_real), p("a1_level", .real), p("a1_slope", .real), p("p1", .positive_real) }, .value = .vector, .support = .real, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false, .has_sampler = false },
    .{ .name = "seasonal_local_level", .params = &.{ p("sigma_level", .positive_real), p("sigma_season", .positive_real), p("sigma_obs", .positive_real), p("period", .int), p("a1", .real), p("p1", .positive_real) }, .value = .vector, .support = .real, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false, .has_sampler = false },
    .{ .name = "hmm_marginal", .params = &.{ p("Gamma", .stochastic_matrix), p("rho", .simplex) }, .value = .real_matrix, .support = .real, .discrete = false, .density_fn = "lpdf", .has_cdf = false, .vectorised = false, .has_sampler = false },
};

/// The catalog entry with the given name, or null.
pub fn find(name: []const u8) ?Entry {
    for (catalog) |e| {
        if (std.mem.eql(u8, e.name, name)) return e;
    }
    return null;
}

const std = @import("std");

test "find" {
    const e = find("gamma").?;
    try std.testing.expectEqual(@as(usize, 2), e.params.len);
    try std.testing.expectEqualStrings("beta", e.params[1].name);
    try std.testing.expect(e.has_cdf);
    try std.testing.expect(find("no_such") == null);
    try std.testing.expect(find("categorical").?.discrete);
}
