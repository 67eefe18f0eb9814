//! The interface between a compiled model and the inference engine.
//!
//! The code generator emits, for every SIRS model, one `Program` value: the model's name and a
//! `load` function that reads the data (through the data accessors of `data.zig`, or their C-ABI
//! twins in `client.zig`) and fills in a `Model`. Everything in this file is an `extern struct`
//! of plain data and `callconv(.C)` function pointers, so the same definitions work when the model
//! and the sampler are compiled together and when the sampler is a separately compiled, cached
//! static library (see docs/inference.md, "Build architecture").
//!
//! The sampler works on the unconstrained scale: `log_density_grad` receives an unconstrained
//! point of length `dim` and returns the log density there (up to an additive constant, including
//! the log-Jacobian of the constraining transforms), writing its gradient. It returns -inf (or
//! NaN, treated the same) when the point is invalid; the sampler then treats the step as a
//! rejection or a divergence. `write_draw` maps an unconstrained point to the output columns
//! (constrained parameters, transformed parameters, generated quantities), in the order of
//! `column_names`. Each chain runs on its own thread with its own context made by `init_chain`.

const std = @import("std");

/// A borrowed byte string that can cross the C ABI.
pub const Str = extern struct {
    ptr: [*]const u8,
    len: usize,

    pub fn from(s: []const u8) Str {
        return .{ .ptr = s.ptr, .len = s.len };
    }

    pub fn slice(self: Str) []const u8 {
        return self.ptr[0..self.len];
    }
};

/// The random number generator handed to `write_draw` (for posterior-predictive draws): call
/// `rng.random()` to get a `std.Random`. Xoshiro256++ state is four u64, identical on both sides
/// of the C ABI.
pub const Rng = std.Random.Xoshiro256;

/// One loaded model (data already read). Field order is part of the C ABI.
pub const Model = extern struct {
    /// Number of unconstrained parameters.
    dim: usize,
    /// Number of output columns written by `write_draw`.
    num_columns: usize,
    /// CmdStan-style column names ("mu", "theta.1", "Sigma.2.1"); `num_columns` entries.
    column_names: [*]const Str,
    /// Model-wide state (typically the data), shared read-only by all chains.
    data: ?*anyopaque,
    /// Creates the per-chain context (scratch space, AD tape) in `ctx_out`; false on failure
    /// (out of memory). Called on the chain's own thread.
    init_chain: *const fn (data: ?*anyopaque, ctx_out: *?*anyopaque) callconv(.C) bool,
    /// Destroys a context made by `init_chain`.
    deinit_chain: *const fn (data: ?*anyopaque, ctx: ?*anyopaque) callconv(.C) void,
    /// Log density at the unconstrained point `q[0..dim]` (up to a constant, with log-Jacobian),
    /// gradient written to `grad[0..dim]`. -inf or NaN: the point is invalid.
    log_density_grad: *const fn (ctx: ?*anyopaque, q: [*]const f64, grad: [*]f64) callconv(.C) f64,
    /// Writes the `num_columns` output values for the unconstrained point `q` to `out`.
    write_draw: *const fn (ctx: ?*anyopaque, q: [*]const f64, rng: *Rng, out: [*]f64) callconv(.C) void,
    /// Optional, for gradient checks (`diagnose`): the log density at `q` and, in `deriv`, its
    /// directional derivative along `v` computed in forward mode (dual numbers); null when the
    /// model cannot be evaluated with duals.
    log_density_tangent: ?*const fn (ctx: ?*anyopaque, q: [*]const f64, v: [*]const f64, deriv: *f64) callconv(.C) f64 = null,
    /// Optional: why the last `log_density_grad` on this context returned -inf, as located text
    /// ("normal: size mismatch: y has 5 elements but mu has 6\n  --> m.sirs.json:81:11 (in
    /// function `main`)") written to `buf[0..cap]`; returns its length, 0 when there is none.
    /// When every initial point is rejected for the same reason, the sampler stops with it.
    rejection_reason: ?*const fn (ctx: ?*anyopaque, buf: [*]u8, cap: usize) callconv(.C) usize = null,
    /// Optional, for models with discrete parameters updated by Metropolis-within-Gibbs steps
    /// (whose values the per-chain context holds): one sweep of Metropolis updates of those
    /// values at the unconstrained point `q`, with random numbers from `rng`, each followed by
    /// a ridge move that may also change `q` in place (`gibbs.Ridge`); their proposal widths
    /// and slopes adapt while `adapting`. Returns whether a value or `q` changed (then the log
    /// density and gradient at `q` must be evaluated again).
    gibbs_sweep: ?*const fn (ctx: ?*anyopaque, q: [*]f64, rng: *Rng, adapting: bool) callconv(.C) bool = null,
    /// With `gibbs_sweep`: starts the discrete values afresh at the initial point `q` (prior
    /// draws with a generator seeded by `seed`, moved to where the log density is finite if
    /// need be); called for each attempted initial point.
    gibbs_init: ?*const fn (ctx: ?*anyopaque, q: [*]const f64, seed: u64) callconv(.C) void = null,
    /// With `gibbs_sweep`: the name of the first such discrete parameter and where it is drawn
    /// ("m.sirs.json:4:36 (in function `main`)"; empty when unknown), for messages.
    gibbs_site: Str = .{ .ptr = "", .len = 0 },
    gibbs_where: Str = .{ .ptr = "", .len = 0 },

    /// Whether the model has discrete parameters updated by Metropolis-within-Gibbs steps.
    pub fn hasGibbs(self: *const Model) bool {
        return self.gibbs_sweep != null;
    }

    /// The refusal of an algorithm that cannot update such parameters (the text of E0338),
    /// located at the first one, written to `w`.
    pub fn writeGibbsRefusal(self: *const Model, w: anytype, algorithm: []const u8) !void {
        try w.print("--algorithm {s} cannot fit this model: its discrete parameter `{s}` cannot be summed out (unbounded support, or too many values) and is updated by Metropolis-within-Gibbs steps, which only the MCMC algorithms (nuts, hmc, mh, adaptive-mh) take", .{ algorithm, self.gibbs_site.slice() });
        if (self.gibbs_where.len > 0) try w.print("\n  --> {s}", .{self.gibbs_where.slice()});
    }

    pub fn columnNames(self: *const Model) []const Str {
        return self.column_names[0..self.num_columns];
    }
};

/// Opaque handle to the parsed data file (a `data.Data` on the sampler side).
pub const DataHandle = opaque {};

/// What a compiled model binary hands to the driver.
pub const Program = extern struct {
    /// The model's name: used in CSV file names (`<name>_chain_<k>.csv`) and headers.
    name: Str,
    /// Reads the data and fills `model`. On failure it records a message on the data handle
    /// (an accessor error does this itself; otherwise call `fail`) and returns false.
    load: *const fn (data: *DataHandle, model: *Model) callconv(.C) bool,
    /// Frees what `load` allocated. Called once after sampling.
    unload: *const fn (model: *Model) callconv(.C) void,
    /// Optional: called after the summary (unless --quiet) with the posterior statistics of
    /// every output column (in column order, without lp__), to print the model's own report —
    /// printed values, probability assertions. Returns the exit status (0: all is well).
    report: ?*const fn (data: ?*anyopaque, stats: [*]const ColumnReport, n: usize) callconv(.C) u8 = null,
};

/// Posterior statistics of one output column, handed to `Program.report`.
pub const ColumnReport = extern struct {
    mean: f64,
    sd: f64,
    mcse_mean: f64,
    q5: f64,
    q50: f64,
    q95: f64,
    rhat: f64,
    ess_bulk: f64,
    ess_tail: f64,
};

/// Builds a `Model` from a Zig type whose single instance is shared (read-only) by all chains,
/// so the per-chain context is the instance itself. `T` must have fields `dim: usize` and
/// `names: []const Str`, and declare
///   `pub fn logDensityGrad(self: *const T, q: []const f64, grad: []f64) f64`
///   `pub fn writeDraw(self: *const T, q: []const f64, rng: *Rng, out: []f64) void`
/// Used by the tests and by generated code for models that need no per-chain scratch space.
pub fn fromShared(comptime T: type, self: *const T) Model {
    const Thunks = struct {
        fn initChain(data: ?*anyopaque, ctx_out: *?*anyopaque) callconv(.C) bool {
            ctx_out.* = data;
            return true;
        }
        fn deinitChain(data: ?*anyopaque, ctx: ?*anyopaque) callconv(.C) void {
            _ = data;
            _ = ctx;
        }
        fn ldg(ctx: ?*anyopaque, q: [*]const f64, grad: [*]f64) callconv(.C) f64 {
            const m: *const T = @ptrCast(@alignCast(ctx.?));
            return m.logDensityGrad(q[0..m.dim], grad[0..m.dim]);
        }
        fn wd(ctx: ?*anyopaque, q: [*]const f64, rng: *Rng, out: [*]f64) callconv(.C) void {
            const m: *const T = @ptrCast(@alignCast(ctx.?));
            m.writeDraw(q[0..m.dim], rng, out[0..m.names.len]);
        }
    };
    return .{
        .dim = self.dim,
        .num_columns = self.names.len,
        .column_names = self.names.ptr,
        .data = @constCast(@ptrCast(self)),
        .init_chain = &Thunks.initChain,
        .deinit_chain = &Thunks.deinitChain,
        .log_density_grad = &Thunks.ldg,
        .write_draw = &Thunks.wd,
    };
}

test "fromShared wraps a Zig model behind the C-ABI function pointers" {
    const Quad = struct {
        dim: usize,
        names: []const Str,
        pub fn logDensityGrad(self: *const @This(), q: []const f64, grad: []f64) f64 {
            _ = self;
            grad[0] = -q[0];
            grad[1] = -2 * q[1];
            return -0.5 * q[0] * q[0] - q[1] * q[1];
        }
        pub fn writeDraw(self: *const @This(), q: []const f64, rng: *Rng, out: []f64) void {
            _ = self;
            out[0] = @exp(q[0]);
            out[1] = q[1];
            out[2] = rng.random().float(f64);
        }
    };
    const names = [_]Str{ Str.from("a"), Str.from("b"), Str.from("u") };
    const inst = Quad{ .dim = 2, .names = &names };
    const m = fromShared(Quad, &inst);
    try std.testing.expectEqual(@as(usize, 2), m.dim);
    try std.testing.expectEqualStrings("u", m.columnNames()[2].slice());
    var ctx: ?*anyopaque = null;
    try std.testing.expect(m.init_chain(m.data, &ctx));
    defer m.deinit_chain(m.data, ctx);
    var g: [2]f64 = undefined;
    const lp = m.log_density_grad(ctx, &[_]f64{ 1, 2 }, &g);
    try std.testing.expectEqual(@as(f64, -4.5), lp);
    try std.testing.expectEqual(@as(f64, -4), g[1]);
    var rng = Rng.init(3);
    var out: [3]f64 = undefined;
    m.write_draw(ctx, &[_]f64{ 0, 2 }, &rng, &out);
    try std.testing.expectEqual(@as(f64, 1), out[0]);
    try std.testing.expect(out[2] >= 0 and out[2] < 1);
}
