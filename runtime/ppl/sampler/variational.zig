//! A "chain" of a variational method: one independent fit of a Gaussian approximation (ADVI,
//! see advi.zig) from the chain's initial point and random stream, followed by `draws`
//! independent draws from it, written exactly like MCMC draws (the same CSV columns, so the
//! summary, `sev` tooling and ArviZ read them unchanged).
//!
//! The sampler columns mean, for a variational draw z: `lp__` = log p(z) on the unconstrained
//! scale (with log-Jacobian, as for MCMC), `energy__` = log q(z) (so lp__ - energy__ is the
//! log importance ratio of the draw), `stepsize__` = the Adam step size chosen, and
//! accept_stat__, treedepth__, n_leapfrog__, divergent__ are 0. The CSV records the fit (family,
//! step size, iterations, final ELBO, whether the relative-ELBO rule converged) in comments
//! after the header, where MCMC records its adaptation.

const std = @import("std");
const model_mod = @import("model.zig");
const ham = @import("hamiltonian.zig");
const advi = @import("advi.zig");
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

/// Fits the approximation and fills `rows` (draws × ncol) with draws from it, writing them to
/// `out` when given. Returns the fit's summary.
pub fn run(allocator: std.mem.Allocator, s: Start, settings: advi.Settings, rows: []f64, ncol: usize, out: ?std.io.AnyWriter) !advi.FitInfo {
    var q = try advi.Approx.init(allocator, settings.family, s.q0);
    defer q.deinit(allocator);
    const info = try advi.fit(allocator, &q, s.target, s.rng, settings);
    if (out) |w| try writeFit(w, settings.family, info);
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
        const r = rows[i * ncol .. (i + 1) * ncol];
        r[0] = s.target.eval(z, g);
        r[1] = 0;
        r[2] = info.eta;
        r[3] = 0;
        r[4] = 0;
        r[5] = 0;
        r[6] = q.logDensityAtEps(eps);
        s.model.write_draw(s.ctx, z.ptr, s.draw_rng, r[csv.sampler_columns.len..].ptr);
        if (out) |w| try csv.writeRow(w, r);
    }
    return info;
}

/// The comment block that replaces MCMC's adaptation report.
fn writeFit(w: std.io.AnyWriter, family: advi.Family, info: advi.FitInfo) !void {
    var b: [numfmt.max_len]u8 = undefined;
    try w.print("# Variational approximation: ADVI, {s} Gaussian on the unconstrained scale\n", .{@tagName(family)});
    try w.print("# Step size (Adam eta) = {s}\n", .{numfmt.formatShortest(&b, info.eta)});
    try w.print("# Iterations = {d}\n", .{info.iterations});
    try w.print("# ELBO = {s}\n", .{numfmt.formatShortest(&b, info.elbo)});
    try w.print("# Converged (relative ELBO change) = {s}\n", .{if (info.converged) "true" else "false"});
}
