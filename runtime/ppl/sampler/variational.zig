//! A "chain" of a variational method: one independent fit of a Gaussian approximation (ADVI,
//! see advi.zig, or Pathfinder, see pathfinder.zig) from the chain's initial point and random
//! stream, followed by `draws` independent draws from it, written exactly like MCMC draws (the same CSV columns, so the
//! summary, `sev` tooling and ArviZ read them unchanged).
//!
//! The sampler columns mean, for a variational draw z: `lp__` = log p(z) on the unconstrained
//! scale (with log-Jacobian, as for MCMC), `energy__` = log q(z) (so lp__ - energy__ is the
//! log importance ratio of the draw), `stepsize__` = the Adam step size chosen (ADVI; 0 for
//! Pathfinder), and accept_stat__, treedepth__, n_leapfrog__, divergent__ are 0. The CSV records
//! the fit (method, iterations, ELBO, convergence) in comments after the header, where MCMC
//! records its adaptation.

const std = @import("std");
const model_mod = @import("model.zig");
const ham = @import("hamiltonian.zig");
const advi = @import("advi.zig");
const pathfinder = @import("pathfinder.zig");
const csv = @import("csv.zig");
const numfmt = @import("numfmt.zig");

const Model = model_mod.Model;
const Rng = model_mod.Rng;

/// What the chain driver hands over: the chain's model context and its initial point.
pub const Start = struct {
    model: *const Model,
    ctx: ?*anyopaque,
    target: *ham.Target,
    q0: []const f64,
    rng: std.Random,
    draw_rng: *Rng,
};

/// Which variational method a chain runs, with its settings.
pub const Method = union(enum) {
    advi: advi.Settings,
    pathfinder: pathfinder.Settings,
};

/// What a fit reports for the summary and the CSV comments.
pub const Outcome = struct {
    elbo: f64,
    /// ADVI: the relative-ELBO rule stopped the fit; Pathfinder: every path's L-BFGS converged.
    converged: bool,
    /// ADVI's Adam step size (0 for Pathfinder).
    eta: f64 = 0,
    /// ADVI: optimisation iterations; Pathfinder: L-BFGS iterations summed over paths.
    iterations: usize,
};

/// Fits the approximation and fills `rows` (draws × ncol) with draws from it, writing them to
/// `out` when given.
pub fn run(allocator: std.mem.Allocator, s: Start, method: Method, rows: []f64, ncol: usize, out: ?std.io.AnyWriter) !Outcome {
    return switch (method) {
        .advi => |settings| runAdvi(allocator, s, settings, rows, ncol, out),
        .pathfinder => |settings| runPathfinder(allocator, s, settings, rows, ncol, out),
    };
}

fn runAdvi(allocator: std.mem.Allocator, s: Start, settings: advi.Settings, rows: []f64, ncol: usize, out: ?std.io.AnyWriter) !Outcome {
    var q = try advi.Approx.init(allocator, settings.family, s.q0);
    defer q.deinit(allocator);
    const info = try advi.fit(allocator, &q, s.target, s.rng, settings);
    if (out) |w| try writeAdviFit(w, settings.family, info);
    const d = q.dim();
    const buf = try allocator.alloc(f64, 3 * d);
    defer allocator.free(buf);
    const eps = buf[0..d];
    const z = buf[d .. 2 * d];
    const g = buf[2 * d ..];
    const n = rows.len / ncol;
    for (0..n) |i| {
        for (eps) |*e| e.* = s.rng.floatNorm(f64);
        q.transform(eps, z);
        try writeRow(s, rows[i * ncol .. (i + 1) * ncol], z, s.target.eval(z, g), q.logDensityAtEps(eps), info.eta, out);
    }
    return .{ .elbo = info.elbo, .converged = info.converged, .eta = info.eta, .iterations = info.iterations };
}

fn runPathfinder(allocator: std.mem.Allocator, s: Start, settings: pathfinder.Settings, rows: []f64, ncol: usize, out: ?std.io.AnyWriter) !Outcome {
    const n = rows.len / ncol;
    const result = try pathfinder.run(allocator, s.target, s.q0, s.rng, settings, n);
    var draws = result.draws;
    defer draws.deinit(allocator);
    const info = result.info;
    if (out) |w| try writePathfinderFit(w, settings, info);
    const d = s.q0.len;
    for (0..n) |i| {
        try writeRow(s, rows[i * ncol .. (i + 1) * ncol], draws.z[i * d .. (i + 1) * d], draws.lp[i], draws.lq[i], 0, out);
    }
    return .{ .elbo = info.elbo, .converged = info.converged, .iterations = info.iterations };
}

/// One CSV row for the draw `z` (see the module comment for the sampler columns).
fn writeRow(s: Start, r: []f64, z: []const f64, lp: f64, lq: f64, stepsize: f64, out: ?std.io.AnyWriter) !void {
    r[0] = lp;
    r[1] = 0;
    r[2] = stepsize;
    r[3] = 0;
    r[4] = 0;
    r[5] = 0;
    r[6] = lq;
    s.model.write_draw(s.ctx, z.ptr, s.draw_rng, r[csv.sampler_columns.len..].ptr);
    if (out) |w| try csv.writeRow(w, r);
}

/// The comment block that replaces MCMC's adaptation report (ADVI).
fn writeAdviFit(w: std.io.AnyWriter, family: advi.Family, info: advi.FitInfo) !void {
    var b: [numfmt.max_len]u8 = undefined;
    try w.print("# Variational approximation: ADVI, {s} Gaussian on the unconstrained scale\n", .{@tagName(family)});
    try w.print("# Step size (Adam eta) = {s}\n", .{numfmt.formatShortest(&b, info.eta)});
    try w.print("# Iterations = {d}\n", .{info.iterations});
    try w.print("# ELBO = {s}\n", .{numfmt.formatShortest(&b, info.elbo)});
    try w.print("# Converged (relative ELBO change) = {s}\n", .{if (info.converged) "true" else "false"});
}

/// The comment block that replaces MCMC's adaptation report (Pathfinder).
fn writePathfinderFit(w: std.io.AnyWriter, settings: pathfinder.Settings, info: pathfinder.FitInfo) !void {
    var b: [numfmt.max_len]u8 = undefined;
    try w.print("# Variational approximation: Pathfinder, {d} path(s) ({d} with an approximation), normal on the unconstrained scale\n", .{ settings.num_paths, info.paths_ok });
    try w.print("# L-BFGS iterations = {d}\n", .{info.iterations});
    try w.print("# ELBO = {s}\n", .{numfmt.formatShortest(&b, info.elbo)});
    try w.print("# Converged (L-BFGS) = {s}\n", .{if (info.converged) "true" else "false"});
}
