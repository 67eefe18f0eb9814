//! Shared machinery of the distributions: the `error.InvalidParameter` convention with its
//! thread-local message buffer, parameter checks for scalar and sequence arguments (with
//! broadcasting of scalars against sequences), and the types of the compile-time catalog
//! (parameter kinds and supports).
//!
//! Convention: an invalid PARAMETER (sigma <= 0, a probability outside [0, 1], mismatched
//! lengths, a NaN anywhere) is an error with a precise message ("normal: sigma must be positive
//! and finite, got -1"); a VALUE outside the support of the distribution is not an error, its
//! log density is -inf.

const std = @import("std");
const ad = @import("../ad.zig");
const numfmt = @import("../sampler/numfmt.zig");
const math = std.math;

pub const Error = error{InvalidParameter};

threadlocal var msg_buf: [320]u8 = undefined;
threadlocal var msg_len: usize = 0;

/// The message of the last `error.InvalidParameter` raised on this thread.
pub fn lastError() []const u8 {
    return msg_buf[0..msg_len];
}

/// Record a message (formatted, truncated to the buffer) and return error.InvalidParameter.
pub fn fail(comptime fmt: []const u8, args: anytype) Error {
    @branchHint(.cold);
    var fbs = std.io.fixedBufferStream(&msg_buf);
    fbs.writer().print(fmt, args) catch {};
    msg_len = fbs.pos;
    return error.InvalidParameter;
}

/// In a model object (linked with the prebuilt sampler) numbers are formatted by the sampler.
const in_model_object = @hasDecl(@import("root"), "sev_model_object");
extern fn sev_format_message_number(x: f64, buf: [*]u8) usize;

/// Formats an f64 for messages: plain decimal in a sane range, exponent otherwise
/// (`numfmt.formatMessage`).
pub const Num = struct {
    x: f64,
    pub fn format(self: Num, comptime _: []const u8, _: std.fmt.FormatOptions, w: anytype) !void {
        var buf: [numfmt.max_len]u8 = undefined;
        const text = if (comptime in_model_object) buf[0..sev_format_message_number(self.x, &buf)] else numfmt.formatMessage(&buf, self.x);
        return w.writeAll(text);
    }
};

extern fn sev_format_decimal(x: f64, decimals: i32, buf: [*]u8, cap: usize) usize;

/// `x` in plain decimal (`numfmt.formatDecimal`), through the sampler in a model object.
pub fn decimal(buf: *[64]u8, x: f64, decimals: ?u8) []const u8 {
    if (comptime in_model_object) return buf[0..sev_format_decimal(x, if (decimals) |d| d else -1, buf, buf.len)];
    return numfmt.formatDecimal(buf, x, if (decimals) |d| @as(usize, d) else null);
}

pub fn num(x: f64) Num {
    return .{ .x = x };
}

test "fail formats a precise message" {
    const e = fail("normal: sigma must be positive and finite, got {}", .{num(-1)});
    try std.testing.expectEqual(error.InvalidParameter, e);
    try std.testing.expectEqualStrings("normal: sigma must be positive and finite, got -1", lastError());
    try std.testing.expectEqual(error.InvalidParameter, fail("x {} {} {} {}", .{ num(0.25), num(1e300), num(-math.inf(f64)), num(math.nan(f64)) }));
    try std.testing.expectEqualStrings("x 0.25 1e300 -inf nan", lastError());
}

/// Common length of the sequence operands in `args` (a tuple), checking that all sequences
/// have the same length; 1 if every operand is a scalar. `names` labels the operands.
pub fn broadcastLen(comptime dist: []const u8, comptime names: []const []const u8, args: anytype) Error!usize {
    const fields = @typeInfo(@TypeOf(args)).@"struct".fields;
    comptime std.debug.assert(fields.len == names.len);
    var n: ?usize = null;
    var first: []const u8 = "";
    inline for (fields, 0..) |f, i| {
        if (comptime ad.isSeq(f.type)) {
            const l = @field(args, f.name).len;
            if (n) |m| {
                if (m != l) return fail("{s}: size mismatch: {s} has {d} elements but {s} has {d}", .{ dist, first, m, names[i], l });
            } else {
                n = l;
                first = names[i];
            }
        }
    }
    return n orelse 1;
}

test "broadcastLen" {
    const a = [_]f64{ 1, 2, 3 };
    const b = [_]f64{ 1, 2 };
    try std.testing.expectEqual(@as(usize, 1), try broadcastLen("d", &.{ "x", "y" }, .{ 1.0, 2.0 }));
    try std.testing.expectEqual(@as(usize, 3), try broadcastLen("d", &.{ "x", "y" }, .{ @as([]const f64, &a), 2.0 }));
    try std.testing.expectError(error.InvalidParameter, broadcastLen("normal", &.{ "y", "mu" }, .{ @as([]const f64, &a), @as([]const f64, &b) }));
    try std.testing.expectEqualStrings("normal: size mismatch: y has 3 elements but mu has 2", lastError());
}

/// Check a predicate on every element of a scalar or sequence operand.
pub fn check(
    comptime dist: []const u8,
    comptime param: []const u8,
    x: anytype,
    comptime pred: fn (f64) bool,
    comptime what: []const u8,
) Error!void {
    if (comptime ad.isSeq(@TypeOf(x))) {
        for (0..x.len) |i| {
            const v = ad.value(x[i]);
            if (!pred(v)) return fail("{s}: {s}[{d}] must be {s}, got {}", .{ dist, param, i, what, num(v) });
        }
    } else {
        const v = ad.value(x);
        if (!pred(v)) return fail("{s}: {s} must be {s}, got {}", .{ dist, param, what, num(v) });
    }
}

fn isFinite(x: f64) bool {
    return math.isFinite(x);
}
fn isPositiveFinite(x: f64) bool {
    return x > 0 and x < math.inf(f64);
}
fn isNonNegativeFinite(x: f64) bool {
    return x >= 0 and x < math.inf(f64);
}
fn isNotNan(x: f64) bool {
    return !math.isNan(x);
}
fn isProbability(x: f64) bool {
    return x >= 0 and x <= 1;
}
fn isNotNanOrPosInf(x: f64) bool {
    return !math.isNan(x) and x != math.inf(f64);
}

pub fn checkFinite(comptime dist: []const u8, comptime param: []const u8, x: anytype) Error!void {
    return check(dist, param, x, isFinite, "finite");
}
pub fn checkPositiveFinite(comptime dist: []const u8, comptime param: []const u8, x: anytype) Error!void {
    return check(dist, param, x, isPositiveFinite, "positive and finite");
}
pub fn checkNonNegativeFinite(comptime dist: []const u8, comptime param: []const u8, x: anytype) Error!void {
    return check(dist, param, x, isNonNegativeFinite, "non-negative and finite");
}
pub fn checkNotNan(comptime dist: []const u8, comptime param: []const u8, x: anytype) Error!void {
    return check(dist, param, x, isNotNan, "a number (not NaN)");
}
pub fn checkProbability(comptime dist: []const u8, comptime param: []const u8, x: anytype) Error!void {
    return check(dist, param, x, isProbability, "in [0, 1]");
}
/// Log-scale parameters (poisson_log's alpha): anything but NaN and +inf (-inf means rate 0).
pub fn checkLogRate(comptime dist: []const u8, comptime param: []const u8, x: anytype) Error!void {
    return check(dist, param, x, isNotNanOrPosInf, "finite or -inf");
}

test "checks report the parameter, index and value" {
    try checkPositiveFinite("normal", "sigma", 2.0);
    try std.testing.expectError(error.InvalidParameter, checkPositiveFinite("normal", "sigma", -1.0));
    try std.testing.expectEqualStrings("normal: sigma must be positive and finite, got -1", lastError());
    const s = [_]f64{ 1, 0.5, math.inf(f64) };
    try std.testing.expectError(error.InvalidParameter, checkPositiveFinite("normal", "sigma", @as([]const f64, &s)));
    try std.testing.expectEqualStrings("normal: sigma[2] must be positive and finite, got inf", lastError());
    try std.testing.expectError(error.InvalidParameter, checkProbability("bernoulli", "theta", 1.5));
    try std.testing.expectEqualStrings("bernoulli: theta must be in [0, 1], got 1.5", lastError());
    try std.testing.expectError(error.InvalidParameter, checkNotNan("normal", "y", math.nan(f64)));
    try checkFinite("normal", "mu", ad.Var{ .val = 3, .idx = 0 });
    try checkNonNegativeFinite("von_mises", "kappa", 0.0);
    try checkLogRate("poisson_log", "alpha", -math.inf(f64));
    try std.testing.expectError(error.InvalidParameter, checkLogRate("poisson_log", "alpha", math.inf(f64)));
}

/// Integer view of an integer operand element (any integer type; sequences index, scalars
/// broadcast).
pub inline fn intAt(x: anytype, i: usize) i64 {
    if (comptime ad.isSeq(@TypeOf(x))) return toInt(x[i]);
    return toInt(x);
}

/// An integer outcome as `i64`; a bool (observed by `bernoulli`) is 0 or 1.
inline fn toInt(v: anytype) i64 {
    if (@TypeOf(v) == bool) return @intFromBool(v);
    return @intCast(v);
}

/// Check that an integer operand (scalar or sequence) is >= lo.
pub fn checkIntAtLeast(comptime dist: []const u8, comptime param: []const u8, x: anytype, lo: i64) Error!void {
    if (comptime ad.isSeq(@TypeOf(x))) {
        for (0..x.len) |i| {
            const v: i64 = @intCast(x[i]);
            if (v < lo) return fail("{s}: {s}[{d}] must be >= {d}, got {d}", .{ dist, param, i, lo, v });
        }
    } else {
        const v: i64 = @intCast(x);
        if (v < lo) return fail("{s}: {s} must be >= {d}, got {d}", .{ dist, param, lo, v });
    }
}

test "integer operands" {
    const ns = [_]i64{ 3, -1 };
    try std.testing.expectEqual(@as(i64, -1), intAt(@as([]const i64, &ns), 1));
    try std.testing.expectEqual(@as(i64, 7), intAt(@as(i32, 7), 4));
    const flips = [_]bool{ false, true };
    try std.testing.expectEqual(@as(i64, 1), intAt(@as([]const bool, &flips), 1));
    try std.testing.expectError(error.InvalidParameter, checkIntAtLeast("binomial", "N", @as([]const i64, &ns), 0));
    try std.testing.expectEqualStrings("binomial: N[1] must be >= 0, got -1", lastError());
    try checkIntAtLeast("binomial", "N", @as(i64, 0), 0);
}

/// Check that a sequence is a simplex: finite, non-negative entries summing to 1 within 1e-8.
pub fn checkSimplex(comptime dist: []const u8, comptime param: []const u8, x: anytype) Error!void {
    if (x.len == 0) return fail("{s}: {s} must be a non-empty simplex", .{ dist, param });
    var s: f64 = 0;
    for (0..x.len) |i| {
        const v = ad.value(x[i]);
        if (!(v >= 0 and v <= 1)) return fail("{s}: {s}[{d}] must be in [0, 1] (a simplex), got {}", .{ dist, param, i, num(v) });
        s += v;
    }
    if (!(@abs(s - 1.0) <= 1e-8)) return fail("{s}: {s} must sum to 1 (a simplex), sums to {}", .{ dist, param, num(s) });
}

/// Whether a sequence is a simplex (same rule as `checkSimplex`, no message).
pub fn isSimplex(x: anytype) bool {
    if (x.len == 0) return false;
    var s: f64 = 0;
    for (0..x.len) |i| {
        const v = ad.value(x[i]);
        if (!(v >= 0 and v <= 1)) return false;
        s += v;
    }
    return @abs(s - 1.0) <= 1e-8;
}

test "simplex checks" {
    const good = [_]f64{ 0.2, 0.3, 0.5 };
    const bad = [_]f64{ 0.2, 0.3, 0.6 };
    try checkSimplex("categorical", "theta", @as([]const f64, &good));
    try std.testing.expect(isSimplex(@as([]const f64, &good)));
    try std.testing.expect(!isSimplex(@as([]const f64, &bad)));
    try std.testing.expectError(error.InvalidParameter, checkSimplex("categorical", "theta", @as([]const f64, &bad)));
    try std.testing.expectEqualStrings("categorical: theta must sum to 1 (a simplex), sums to 1.1", lastError());
}

// ---------------------------------------------------------------------------------------------
// Catalog types
// ---------------------------------------------------------------------------------------------

/// Kinds of parameters and values.
pub const Kind = enum {
    /// any finite real
    real,
    /// real > 0
    positive_real,
    /// real >= 0
    nonnegative_real,
    /// real in [0, 1]
    probability,
    /// any integer
    int,
    /// integer >= 0
    nonnegative_int,
    /// vector of reals
    vector,
    /// vector of positive reals
    positive_vector,
    /// vector with non-negative entries summing to 1
    simplex,
    /// array of non-negative integers
    count_array,
    /// symmetric positive-definite matrix
    cov_matrix,
    /// lower-triangular matrix with positive diagonal (Cholesky factor of a covariance)
    cholesky_factor_cov,
    /// Cholesky factor of a correlation matrix (rows of unit length, positive diagonal)
    cholesky_factor_corr,
    /// symmetric positive-definite matrix with a unit diagonal
    corr_matrix,
    /// a row-major data matrix (not differentiable): GLM predictors
    data_matrix,
    /// array of integers (one outcome per row of a GLM)
    int_array,
    /// a row-major real matrix of any shape (hmm_marginal's log emissions, T x K)
    real_matrix,
    /// a square matrix whose rows are simplexes (hmm_marginal's transition matrix)
    stochastic_matrix,
};

pub const Param = struct {
    name: []const u8,
    kind: Kind,
};

/// The support of a distribution, i.e. where its log density is finite.
pub const Support = union(enum) {
    /// all reals
    real,
    /// y > 0 (or y >= 0 where the density is finite at 0)
    positive,
    /// y >= 0
    nonnegative,
    /// 0 <= y <= 1
    unit_interval,
    /// y >= the named parameter (pareto's y_min)
    lower_param: []const u8,
    /// between two named parameters, inclusive (uniform)
    interval_params: [2][]const u8,
    /// all reals, density 2 pi-periodic (von Mises)
    circular,
    /// {0, 1}
    binary,
    /// {0, 1, 2, ...}
    nonnegative_int,
    /// {0, ..., N} for the named integer parameter N (binomial)
    int_upto_param: []const u8,
    /// {lower, ..., upper} for two named integer parameters
    int_interval_params: [2][]const u8,
    /// {0, ..., K-1} where K is the length of the named vector parameter (categorical)
    category_of: []const u8,
    /// vectors of reals of the dimension of the named parameter
    real_vector: []const u8,
    /// simplexes of the dimension of the named parameter
    simplex_of: []const u8,
    /// arrays of non-negative counts (multinomial; their sum is N)
    count_vector_of: []const u8,
    /// Cholesky factors of correlation matrices
    cholesky_corr,
    /// correlation matrices (symmetric, unit diagonal, positive definite)
    corr_matrix,
    /// covariance matrices (symmetric positive definite)
    cov_matrix,
};

/// One catalog entry: everything a compiler needs to type-check and emit a call.
pub const Entry = struct {
    name: []const u8,
    params: []const Param,
    value: Kind,
    support: Support,
    discrete: bool,
    /// "lpdf" or "lpmf": the name of the log-density function in the distribution's namespace
    density_fn: []const u8,
    /// whether lcdf/lccdf exist
    has_cdf: bool,
    /// whether the density accepts sequences (broadcasting scalars)
    vectorised: bool,
    /// whether `sample` exists (all entries have one)
    has_sampler: bool = true,
};
