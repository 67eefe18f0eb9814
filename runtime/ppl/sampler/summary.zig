//! The report printed after every run: a table with, per output column (lp__ first), the
//! posterior mean, sd, MCSE of the mean, 5/50/95 % quantiles, rank-normalised split R-hat and bulk
//! and tail ESS over all post-warmup draws of all chains; then one line of sampler diagnostics per
//! chain (divergences, max-tree-depth hits, E-BFMI, step size, mean acceptance statistic,
//! leapfrog steps per draw, time); then warnings, each with a suggested remedy, for R-hat ≥ 1.01,
//! bulk or tail ESS < 100 per chain, divergent transitions, saturated tree depth and E-BFMI < 0.3
//! (and, for Metropolis samplers, an acceptance rate far from its target).

const std = @import("std");
const numfmt = @import("numfmt.zig");
const diagnostics = @import("diagnostics.zig");
const run_mod = @import("run.zig");
const chain_mod = @import("chain.zig");
const smc = @import("smc.zig");

pub const RunResult = run_mod.RunResult;

pub const ColumnStats = struct {
    name: []const u8,
    s: diagnostics.Summary,
};

/// Diagnostics of lp__ and every model column. Caller frees the slice.
pub fn computeStats(allocator: std.mem.Allocator, r: *const RunResult) ![]ColumnStats {
    if (r.chains.len == 0) return allocator.alloc(ColumnStats, 0);
    const ncols = 1 + r.model.num_columns;
    const out = try allocator.alloc(ColumnStats, ncols);
    errdefer allocator.free(out);
    const per = r.chains[0].numRows();
    const buf = try allocator.alloc(f64, per * r.chains.len);
    defer allocator.free(buf);
    const scores = try diagnostics.NormalScores.init(allocator, r.chains.len * (per / 2) * 2);
    defer scores.deinit(allocator);
    for (0..ncols) |k| {
        const col = if (k == 0) 0 else chain_mod.num_sampler_columns + k - 1;
        for (r.chains, 0..) |*c, ci| {
            for (0..per) |i| buf[ci * per + i] = c.row(i)[col];
        }
        out[k] = .{
            .name = if (k == 0) "lp__" else r.model.columnNames()[k - 1].slice(),
            .s = try diagnostics.summarizeWith(allocator, .{ .values = buf, .chains = r.chains.len, .draws = per }, &scores),
        };
    }
    return out;
}

fn sig(buf: *[numfmt.max_len]u8, x: f64) []const u8 {
    return numfmt.formatSig(buf, x, 4);
}

fn fixed3(buf: *[numfmt.max_len]u8, x: f64) []const u8 {
    if (!std.math.isFinite(x)) return numfmt.formatShortest(buf, x);
    return std.fmt.bufPrint(buf, "{d:.3}", .{x}) catch "?";
}

fn ess(buf: *[numfmt.max_len]u8, x: f64) []const u8 {
    if (!std.math.isFinite(x)) return numfmt.formatShortest(buf, x);
    return std.fmt.bufPrint(buf, "{d:.0}", .{x}) catch "?";
}

/// Writes the whole report. `csv_note` lists where the draws are.
pub fn write(w: anytype, r: *const RunResult, stats: []const ColumnStats) !void {
    const cfg = r.config;
    if (cfg.algorithm.isVariational()) return writeApproximation(w, r, stats);
    var b0: [numfmt.max_len]u8 = undefined;
    const alg = switch (cfg.algorithm) {
        .nuts => "NUTS",
        .hmc => "static HMC",
        .mh => "random-walk Metropolis",
        .adaptive_mh => "adaptive Metropolis",
        .smc => "Sequential Monte Carlo",
        .advi, .pathfinder => unreachable,
    };
    try w.print("{s}", .{alg});
    if (cfg.algorithm.isHamiltonian()) try w.print(" ({s} metric)", .{if (cfg.metric == .dense) "dense" else "diagonal"});
    if (cfg.algorithm.isParticle()) {
        try w.print(" (tempered from normal(0, {s}^2)): {d} run{s} x {d} particles", .{ numfmt.formatShortest(&b0, cfg.init_radius), cfg.chains, plural(cfg.chains), cfg.draws });
    } else {
        try w.print(": {d} chains x {d} draws after {d} warmup", .{ cfg.chains, cfg.draws, cfg.warmup });
    }
    try w.print(", seed {d}, {d} thread{s}, {d:.3} s\n", .{ cfg.seed, r.threads, if (r.threads == 1) "" else "s", r.wall_seconds });
    if (r.csv_paths.len > 0) {
        try w.print("draws: {s}", .{r.csv_paths[0]});
        if (r.csv_paths.len > 1) try w.print(" ... {s}", .{r.csv_paths[r.csv_paths.len - 1]});
        try w.writeAll("\n");
    }
    try w.writeAll("\n");

    var name_w: usize = 6;
    for (stats) |c| name_w = @max(name_w, c.name.len);
    try pad(w, "", name_w);
    const heads = [_][]const u8{ "mean", "sd", "mcse", "5%", "50%", "95%", "R-hat", "ess_bulk", "ess_tail" };
    for (heads) |h| try padLeft(w, h, 10);
    try w.writeAll("\n");
    var b: [numfmt.max_len]u8 = undefined;
    for (stats) |c| {
        try pad(w, c.name, name_w);
        // a space always separates the columns, even when a number fills the width (`-0.0007701`)
        for ([_]f64{ c.s.mean, c.s.sd, c.s.mcse_mean, c.s.q5, c.s.q50, c.s.q95 }) |x| try cell(w, sig(&b, x));
        try cell(w, fixed3(&b, c.s.rhat));
        try cell(w, ess(&b, c.s.ess_bulk));
        try cell(w, ess(&b, c.s.ess_tail));
        try w.writeAll("\n");
    }

    try w.writeAll("\n");
    const ham = cfg.algorithm.isHamiltonian();
    if (cfg.algorithm.isParticle()) {
        try writeSmcRuns(w, r);
    } else if (ham) {
        try w.writeAll("chain  divergent  max-depth hits  E-BFMI  step size  mean accept  leapfrog/draw  seconds (warmup + sampling)\n");
    } else {
        try w.writeAll("chain  proposal scale  acceptance  seconds (warmup + sampling)\n");
    }
    for (r.chains) |c| {
        if (cfg.algorithm.isParticle()) break;
        if (ham) {
            const draws_total = cfg.warmup + cfg.draws;
            const lf = if (draws_total == 0) 0 else @as(f64, @floatFromInt(c.n_leapfrog_total)) / @as(f64, @floatFromInt(draws_total));
            try w.print("{d:>5}  {d:>9}  {d:>14}  ", .{ c.index + 1, c.divergences, c.treedepth_hits });
            try padLeft(w, numfmt.formatSig(&b, c.ebfmi, 3), 6);
            try w.writeAll("  ");
            try padLeft(w, sig(&b, c.stepsize), 9);
            try w.writeAll("  ");
            try padLeft(w, numfmt.formatSig(&b, c.mean_accept, 3), 11);
            try w.print("  {d:>13.1}  {d:.3} + {d:.3}\n", .{ lf, c.warmup_seconds, c.sampling_seconds });
        } else {
            try w.print("{d:>5}  ", .{c.index + 1});
            try padLeft(w, sig(&b, c.stepsize), 14);
            try w.writeAll("  ");
            try padLeft(w, numfmt.formatSig(&b, c.mean_accept, 3), 10);
            try w.print("  {d:.3} + {d:.3}\n", .{ c.warmup_seconds, c.sampling_seconds });
        }
    }
    try w.writeAll("\n");
    const n = try writeWarnings(w, r, stats);
    if (n == 0) {
        try w.print("No problems detected: R-hat < 1.01 and bulk/tail ESS >= {d} for every column", .{100 * cfg.chains});
        if (ham) try w.writeAll(", no divergences, E-BFMI >= 0.3");
        if (cfg.algorithm == .nuts) try w.writeAll(", no saturated trees");
        try w.writeAll(".\n");
    }
}

/// One line per SMC run (stages, acceptance of the last stage's steps, proposal scale, gradient
/// evaluations, log evidence), then the log evidence pooled over the runs with its Monte Carlo
/// standard error.
fn writeSmcRuns(w: anytype, r: *const RunResult) !void {
    var b: [numfmt.max_len]u8 = undefined;
    try w.writeAll("run  stages  last acceptance  proposal scale  gradients  log evidence  seconds\n");
    for (r.chains) |c| {
        try w.print("{d:>3}  {d:>6}  ", .{ c.index + 1, c.smc_stages });
        try padLeft(w, numfmt.formatSig(&b, c.mean_accept, 3), 15);
        try w.writeAll("  ");
        try padLeft(w, sig(&b, c.stepsize), 14);
        try w.print("  {d:>9}  ", .{c.n_grad});
        try padLeft(w, numfmt.formatSig(&b, c.log_evidence, 6), 12);
        try w.print("  {d:.3}\n", .{c.sampling_seconds});
    }
    const e = pooledEvidence(r);
    try w.print("\nlog evidence (log marginal likelihood): {s}", .{numfmt.formatSig(&b, e.log_evidence, 6)});
    if (std.math.isFinite(e.se)) {
        try w.print(", Monte Carlo standard error {s} (from the spread of the {d} runs)\n", .{ numfmt.formatSig(&b, e.se, 2), r.chains.len });
    } else {
        try w.writeAll(" (run several chains for a Monte Carlo error estimate)\n");
    }
}

/// The log evidence of an SMC job: the log of the mean of the runs' evidence estimates (each
/// unbiased), with its standard error from their spread (smc.poolEvidence).
pub fn pooledEvidence(r: *const RunResult) struct { log_evidence: f64, se: f64 } {
    const nan = std.math.nan(f64);
    const log_z = std.heap.smp_allocator.alloc(f64, r.chains.len) catch return .{ .log_evidence = nan, .se = nan };
    defer std.heap.smp_allocator.free(log_z);
    for (r.chains, log_z) |c, *x| x.* = c.log_evidence;
    const e = smc.poolEvidence(log_z);
    return .{ .log_evidence = e.log_evidence, .se = e.se };
}

/// The report of a variational method: the draws are independent draws from an approximation,
/// so the table has no MCSE, R-hat or ESS (they would describe the approximation's sampling, not
/// its distance from the posterior); one line per fit gives its ELBO and whether it converged.
fn writeApproximation(w: anytype, r: *const RunResult, stats: []const ColumnStats) !void {
    const cfg = r.config;
    const pathfinder = cfg.algorithm == .pathfinder;
    if (pathfinder) {
        const paths = cfg.pathfinder.num_paths;
        try w.print("Pathfinder ({d} path{s} per fit): {d} fit{s} x {d} draws", .{ paths, plural(paths), cfg.chains, plural(cfg.chains), cfg.draws });
    } else {
        try w.print("ADVI ({s} Gaussian): {d} fit{s} x {d} draws", .{ @tagName(cfg.vi.family), cfg.chains, plural(cfg.chains), cfg.draws });
    }
    try w.print(", seed {d}, {d} thread{s}, {d:.3} s\n", .{ cfg.seed, r.threads, if (r.threads == 1) "" else "s", r.wall_seconds });
    if (r.csv_paths.len > 0) {
        try w.print("draws: {s}", .{r.csv_paths[0]});
        if (r.csv_paths.len > 1) try w.print(" ... {s}", .{r.csv_paths[r.csv_paths.len - 1]});
        try w.writeAll("\n");
    }
    try w.writeAll("These are draws from a variational approximation of the posterior, not MCMC draws: mean,\nsd and quantiles are the approximation's; there is no R-hat or ESS to check it against the\nposterior (a mean-field fit typically under-estimates posterior sds).\n\n");
    var name_w: usize = 6;
    for (stats) |c| name_w = @max(name_w, c.name.len);
    try pad(w, "", name_w);
    for ([_][]const u8{ "mean", "sd", "5%", "50%", "95%" }) |h| try padLeft(w, h, 10);
    try w.writeAll("\n");
    var b: [numfmt.max_len]u8 = undefined;
    for (stats) |c| {
        try pad(w, c.name, name_w);
        for ([_]f64{ c.s.mean, c.s.sd, c.s.q5, c.s.q50, c.s.q95 }) |x| try cell(w, sig(&b, x));
        try w.writeAll("\n");
    }
    try w.print("\nfit         ELBO  converged  {s}  gradients  seconds\n", .{if (pathfinder) "iterations" else " step size"});
    var unconverged: usize = 0;
    for (r.chains) |c| {
        try w.print("{d:>3}  ", .{c.index + 1});
        try padLeft(w, sig(&b, c.elbo), 11);
        try w.print("  {s:>9}  ", .{if (c.vi_converged) "yes" else "no"});
        if (pathfinder) try w.print("{d:>10}", .{c.vi_iterations}) else try padLeft(w, sig(&b, c.stepsize), 10);
        try w.print("  {d:>9}  {d:.3}\n", .{ c.n_grad, c.sampling_seconds });
        if (!c.vi_converged) unconverged += 1;
    }
    if (unconverged > 0 and pathfinder) {
        try w.print("\nNote: in {d} fit{s} L-BFGS stopped before its tolerance (iteration limit or failed line search);\n  the draws still come from the best approximation found along the path.\n", .{ unconverged, plural(unconverged) });
    } else if (unconverged > 0) {
        try w.print("\nWarning: {d} fit{s} reached --vi-iter without meeting --tol-rel-obj {s}. Remedy: raise --vi-iter,\n  or accept a looser --tol-rel-obj; compare the fits' means.\n", .{ unconverged, plural(unconverged), sig(&b, cfg.vi.tol_rel_obj) });
    }
}

/// Writes the warnings (with remedies) and returns how many there were.
pub fn writeWarnings(w: anytype, r: *const RunResult, stats: []const ColumnStats) !usize {
    const cfg = r.config;
    if (cfg.algorithm.isVariational()) return 0;
    var count: usize = 0;
    var b: [numfmt.max_len]u8 = undefined;

    // R-hat
    var n_rhat: usize = 0;
    var worst_rhat: ?ColumnStats = null;
    for (stats) |c| {
        if (c.s.rhat >= 1.01) {
            n_rhat += 1;
            if (worst_rhat == null or c.s.rhat > worst_rhat.?.s.rhat) worst_rhat = c;
        }
    }
    if (worst_rhat) |c| {
        count += 1;
        try w.print("Warning: {d} column{s} with R-hat >= 1.01 (worst: {s}, R-hat {s}). The chains disagree, so the draws\n", .{ n_rhat, plural(n_rhat), c.name, fixed3(&b, c.s.rhat) });
        try w.writeAll("  do not represent the posterior yet. Remedy: run longer (--warmup, --draws); look for several\n  modes or a parameter that is not identified; reparameterise the model. Do not use the estimates\n  until R-hat < 1.01.\n");
    }

    // ESS
    const min_ess: f64 = @floatFromInt(100 * cfg.chains);
    var n_ess: usize = 0;
    var worst_ess: ?ColumnStats = null;
    for (stats) |c| {
        const e = @min(c.s.ess_bulk, c.s.ess_tail);
        if (e < min_ess) {
            n_ess += 1;
            if (worst_ess == null or e < @min(worst_ess.?.s.ess_bulk, worst_ess.?.s.ess_tail)) worst_ess = c;
        }
    }
    if (worst_ess) |c| {
        count += 1;
        var b2: [numfmt.max_len]u8 = undefined;
        try w.print("Warning: {d} column{s} with bulk or tail ESS below {d:.0} (100 per chain; worst: {s}, bulk {s}, tail {s}).\n", .{ n_ess, plural(n_ess), min_ess, c.name, ess(&b, c.s.ess_bulk), ess(&b2, c.s.ess_tail) });
        try w.writeAll("  Means, quantiles and R-hat are unreliable. Remedy: run more --draws; reduce autocorrelation by\n  reparameterising");
        if (cfg.algorithm == .nuts or cfg.algorithm == .hmc) {
            try w.writeAll(" (for strongly correlated parameters try --metric dense)");
        } else if (cfg.algorithm.isParticle()) {
            try w.writeAll("; with smc, more --draws are more particles");
        } else {
            try w.writeAll(" or use --algorithm nuts, which mixes far faster than Metropolis");
        }
        try w.writeAll(".\n");
    }

    if (cfg.algorithm.isHamiltonian()) {
        var div: usize = 0;
        var hits: usize = 0;
        for (r.chains) |c| {
            div += c.divergences;
            hits += c.treedepth_hits;
        }
        const total = cfg.draws * cfg.chains;
        if (div > 0) {
            count += 1;
            try w.print("Warning: {d} of {d} post-warmup transitions ({s}%) were divergent. The sampler met curvature\n", .{ div, total, numfmt.formatSig(&b, pct(div, total), 2) });
            try w.print("  its step size cannot follow, and the draws may be biased. Remedy: raise --adapt-delta (now {s};\n", .{numfmt.formatShortest(&b, cfg.adapt_delta)});
            try w.writeAll("  try 0.95 or 0.99) for a smaller step size; if divergences remain, reparameterise: for\n  hierarchical models use the non-centred form theta = mu + tau * z with z ~ normal(0, 1).\n");
        }
        if (hits > 0) {
            count += 1;
            try w.print("Warning: {d} of {d} post-warmup transitions ({s}%) hit the maximum tree depth of {d}. The\n", .{ hits, total, numfmt.formatSig(&b, pct(hits, total), 2), cfg.max_depth });
            try w.writeAll("  trajectories were cut short: an efficiency problem, not a validity one. Remedy: raise\n  --max-depth, or reparameterise (strong correlations or very different scales; try --metric dense).\n");
        }
        for (r.chains) |c| {
            if (c.ebfmi < 0.3) {
                count += 1;
                try w.print("Warning: chain {d} has E-BFMI {s} (< 0.3): momentum resampling explores the energy distribution\n", .{ c.index + 1, numfmt.formatSig(&b, c.ebfmi, 3) });
                try w.writeAll("  poorly, typically because of heavy tails or a funnel. Remedy: reparameterise (non-centred form,\n  parameters on unit scale).\n");
            }
        }
    } else if (!cfg.algorithm.isParticle()) {
        for (r.chains) |c| {
            const lo: f64 = if (cfg.algorithm == .mh) 0.1 else 0.05;
            if (c.mean_accept < lo or c.mean_accept > 0.7) {
                count += 1;
                try w.print("Warning: chain {d} accepted {d:.1}% of its proposals (the adaptation aims at 23-44%). The\n", .{ c.index + 1, 100 * c.mean_accept });
                try w.writeAll("  proposal scale does not fit the posterior. Remedy: more --warmup, --algorithm adaptive-mh for\n  correlated parameters, or --algorithm nuts.\n");
            }
        }
    }
    return count;
}

fn plural(n: usize) []const u8 {
    return if (n == 1) "" else "s";
}

fn pct(a: usize, b: usize) f64 {
    return 100 * @as(f64, @floatFromInt(a)) / @as(f64, @floatFromInt(@max(b, 1)));
}

fn pad(w: anytype, s: []const u8, width: usize) !void {
    try w.writeAll(s);
    if (s.len < width) try w.writeByteNTimes(' ', width - s.len);
}

/// One number of the summary table: ten characters wide, right-aligned, after at least one space.
fn cell(w: anytype, s: []const u8) !void {
    try w.writeByte(' ');
    try padLeft(w, s, 9);
}

fn padLeft(w: anytype, s: []const u8, width: usize) !void {
    if (s.len < width) try w.writeByteNTimes(' ', width - s.len);
    try w.writeAll(s);
}

const testmodels = @import("testmodels.zig");
const model_mod = @import("model.zig");

test "summary table and warnings for a healthy run and for a funnel" {
    const a = std.testing.allocator;
    const inst = testmodels.Correlated2{};
    const m = model_mod.fromShared(testmodels.Correlated2, &inst);
    var r = try run_mod.run(a, &m, .{ .seed = 2, .chains = 2, .threads = 2 }, null, false);
    defer r.deinit(a);
    const stats = try computeStats(a, &r);
    defer a.free(stats);
    try std.testing.expectEqual(@as(usize, 3), stats.len);
    try std.testing.expectEqualStrings("lp__", stats[0].name);
    try std.testing.expectEqualStrings("x.2", stats[2].name);
    try std.testing.expect(stats[2].s.sd > 1.7 and stats[2].s.sd < 2.3);
    var out = std.ArrayList(u8).init(a);
    defer out.deinit();
    try write(out.writer(), &r, stats);
    const text = out.items;
    try std.testing.expect(std.mem.indexOf(u8, text, "NUTS (diagonal metric): 2 chains x 1000 draws after 1000 warmup, seed 2") != null);
    try std.testing.expect(std.mem.indexOf(u8, text, "      mean        sd      mcse        5%       50%       95%     R-hat  ess_bulk  ess_tail") != null);
    try std.testing.expect(std.mem.indexOf(u8, text, "\nx.1   ") != null);
    try std.testing.expect(std.mem.indexOf(u8, text, "No problems detected") != null);

    // the centred eight schools: divergences and a remedy naming adapt-delta and non-centring
    const es = testmodels.EightSchoolsCentered{};
    const m2 = model_mod.fromShared(testmodels.EightSchoolsCentered, &es);
    var r2 = try run_mod.run(a, &m2, .{ .seed = 1, .chains = 2, .threads = 2 }, null, false);
    defer r2.deinit(a);
    const s2 = try computeStats(a, &r2);
    defer a.free(s2);
    out.clearRetainingCapacity();
    const n = try writeWarnings(out.writer(), &r2, s2);
    try std.testing.expect(n >= 1);
    try std.testing.expect(std.mem.indexOf(u8, out.items, "were divergent") != null);
    try std.testing.expect(std.mem.indexOf(u8, out.items, "--adapt-delta") != null);
    try std.testing.expect(std.mem.indexOf(u8, out.items, "non-centred") != null);
}

test "ESS and R-hat warnings on a poorly mixing Metropolis run" {
    const a = std.testing.allocator;
    const scales = [_]f64{ 0.01, 100 };
    const inst = testmodels.ScaledNormal.init(&scales);
    const m = model_mod.fromShared(testmodels.ScaledNormal, &inst);
    // plain random walk with an isotropic proposal cannot cope with scales 0.01 vs 100
    var r = try run_mod.run(a, &m, .{ .seed = 3, .chains = 2, .warmup = 200, .draws = 200, .algorithm = .mh }, null, false);
    defer r.deinit(a);
    const stats = try computeStats(a, &r);
    defer a.free(stats);
    var out = std.ArrayList(u8).init(a);
    defer out.deinit();
    const n = try writeWarnings(out.writer(), &r, stats);
    try std.testing.expect(n >= 1);
    try std.testing.expect(std.mem.indexOf(u8, out.items, "ESS below 200") != null);
    try std.testing.expect(std.mem.indexOf(u8, out.items, "--algorithm nuts") != null);
}

test "an SMC summary has one line per run and the pooled log evidence with its error" {
    const a = std.testing.allocator;
    const inst = testmodels.Correlated2{};
    const m = model_mod.fromShared(testmodels.Correlated2, &inst);
    var r = try run_mod.run(a, &m, .{ .algorithm = .smc, .seed = 3, .chains = 3, .threads = 2, .draws = 400 }, null, false);
    defer r.deinit(a);
    const stats = try computeStats(a, &r);
    defer a.free(stats);
    var out = std.ArrayList(u8).init(a);
    defer out.deinit();
    try write(out.writer(), &r, stats);
    const text = out.items;
    try std.testing.expect(std.mem.indexOf(u8, text, "Sequential Monte Carlo (tempered from normal(0, 2^2)): 3 runs x 400 particles, seed 3") != null);
    try std.testing.expect(std.mem.indexOf(u8, text, "run  stages  last acceptance  proposal scale  gradients  log evidence  seconds\n  1  ") != null);
    try std.testing.expect(std.mem.indexOf(u8, text, "Monte Carlo standard error") != null);
    const e = pooledEvidence(&r);
    try std.testing.expect(std.math.isFinite(e.log_evidence) and e.se > 0);
    for (r.chains) |c| try std.testing.expect(c.smc_stages >= 1 and std.math.isFinite(c.log_evidence));
}
