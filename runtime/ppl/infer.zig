//! `infer`: an ordinary program fits a model to data it holds and reads the posterior.
//!
//! The compiler turns the model function named by an `infer` expression into a model spec
//! (`modelrt.Program(Spec)`, the same glue a model program gets) and passes the call's
//! arguments as Stan-format JSON text (`dataJson`), so the model reads its data exactly as a
//! model binary reads a `--data` file. `run` then samples in-process with the sampler compiled
//! into the program (its C-ABI exports satisfy modelrt's client declarations) and keeps every
//! post-warmup draw of every output column, with the summary statistics the sampler reports
//! (mean, sd, quantiles, split R-hat, bulk/tail ESS). A `Posterior` is a counted, immutable
//! handle; `posterior_*` read it by column name ("mu", "theta.2", CmdStan's naming). Invalid
//! options, data the model rejects and failed chains stop the program with a located fault.

const std = @import("std");
const core = @import("../core.zig");
const oserror = @import("sampler/oserror.zig");
const rc = @import("../rc.zig");
const list_mod = @import("../list.zig");
const Str = @import("../str.zig").Str;
const smp = @import("sampler/sampler.zig");
const modelrt = @import("modelrt.zig");

const Loc = core.Loc;
const List = list_mod.List;

comptime {
    // The C-ABI exports that modelrt's client-side declarations call.
    _ = smp.abi;
}

/// The sampler settings an `infer` expression may give (all optional).
pub const Options = struct {
    chains: i64 = 4,
    warmup: i64 = 1000,
    draws: i64 = 1000,
    seed: i64 = 1,
    threads: i64 = 0,
    algorithm: Str = Str.lit("nuts"),
};

/// The draws and statistics of one fitted model.
pub const Posterior = struct {
    const Self = @This();

    state: *State,

    const Column = struct {
        name: []u8,
        /// Every chain's post-warmup draws, chain after chain.
        draws: []f64,
        summary: smp.diagnostics.Summary,
    };

    const State = struct {
        count: rc.Count,
        columns: []Column,
        chains: usize,
        divergences: usize,
        /// SMC: the pooled log evidence and its standard error (null for other algorithms).
        evidence: ?Evidence = null,
    };

    const Evidence = struct { log_evidence: f64, se: f64 };

    pub fn sevRetain(self: Self) void {
        rc.incRef(&self.state.count);
    }

    pub fn sevRelease(self: Self) void {
        if (!rc.decRef(&self.state.count)) return;
        const a = core.gpa();
        for (self.state.columns) |c| {
            a.free(c.name);
            a.free(c.draws);
        }
        a.free(self.state.columns);
        core.destroy(self.state);
    }

    pub fn sevEql(a: Self, b: Self) bool {
        return a.state == b.state;
    }

    pub fn sevHash(self: Self, h: *std.hash.Wyhash) void {
        h.update(std.mem.asBytes(&@intFromPtr(self.state)));
    }

    pub fn sevWrite(self: Self, w: anytype, _: bool) !void {
        try w.print("<posterior: {d} columns>", .{self.state.columns.len});
    }

    fn column(self: Self, name: Str, loc: Loc) *const Column {
        for (self.state.columns) |*c| {
            if (std.mem.eql(u8, c.name, name.bytes())) return c;
        }
        var names = std.ArrayList(u8).init(std.heap.page_allocator);
        defer names.deinit();
        for (self.state.columns, 0..) |c, i| {
            if (i > 0) names.appendSlice(", ") catch {};
            names.appendSlice(c.name) catch {};
        }
        core.faultAt(&loc, "the posterior has no column `{s}` (it has: {s})", .{ name.bytes(), names.items });
    }
};

fn algorithmNamed(name: []const u8) ?smp.chain.Algorithm {
    if (std.mem.eql(u8, name, "nuts")) return .nuts;
    if (std.mem.eql(u8, name, "hmc")) return .hmc;
    if (std.mem.eql(u8, name, "mh")) return .mh;
    if (std.mem.eql(u8, name, "adaptive-mh") or std.mem.eql(u8, name, "adaptive_mh")) return .adaptive_mh;
    if (std.mem.eql(u8, name, "smc")) return .smc;
    return null;
}

fn config(options: Options, loc: Loc) smp.Config {
    const count = struct {
        fn get(what: []const u8, x: i64, min: i64, l: Loc) usize {
            if (x < min or x > 100_000_000) core.faultAt(&l, "infer: `{s}` must be between {d} and 100000000, found {d}", .{ what, min, x });
            return @intCast(x);
        }
    }.get;
    const algorithm = algorithmNamed(options.algorithm.bytes()) orelse
        core.faultAt(&loc, "infer: unknown algorithm `{s}` (use nuts, hmc, mh, adaptive-mh or smc)", .{options.algorithm.bytes()});
    if (options.seed < 0) core.faultAt(&loc, "infer: `seed` must not be negative, found {d}", .{options.seed});
    return .{
        .algorithm = algorithm,
        .chains = count("chains", options.chains, 1, loc),
        .warmup = count("warmup", options.warmup, 0, loc),
        .draws = count("draws", options.draws, 1, loc),
        .seed = @intCast(options.seed),
        .threads = count("threads", options.threads, 0, loc),
    };
}

/// Fits the model `Spec` to the data in `data_json` (Stan's JSON format, consumed) and returns
/// its posterior (owned).
pub fn run(comptime Spec: type, data_json: Str, options: Options, loc: Loc) Posterior {
    defer rc.release(data_json);
    const a = std.heap.smp_allocator;
    const cfg = config(options, loc);
    var message: []u8 = &.{};
    const data = smp.Data.parse(a, "infer", data_json.bytes(), &message) catch |e| {
        if (e == error.DataError) core.faultAt(&loc, "infer: {s}", .{message});
        core.faultAt(&loc, "infer: out of memory while reading the data", .{});
    };
    defer data.deinit();
    const program = &modelrt.Program(Spec).program;
    var model: smp.Model = undefined;
    if (!program.load(data.handle(), &model)) {
        core.faultAt(&loc, "infer: {s}", .{if (data.message.len > 0) data.message else "the model could not be set up from the data"});
    }
    defer program.unload(&model);
    if (model.hasGibbs() and cfg.algorithm.isParticle()) {
        var buf: [1024]u8 = undefined;
        var w = std.io.fixedBufferStream(&buf);
        model.writeGibbsRefusal(w.writer(), cfg.algorithm.label()) catch {};
        core.faultAt(&loc, "infer: error E0338: {s}", .{w.getWritten()});
    }
    var result = smp.run.run(a, &model, cfg, null, false) catch |e| core.faultAt(&loc, "infer: the sampler failed: {s}", .{oserror.describe(e)});
    defer result.deinit(a);
    if (result.failure()) |c| core.faultAt(&loc, "infer: {s}", .{c.message});
    const stats = smp.summary.computeStats(a, &result) catch core.faultAt(&loc, "infer: out of memory while summarising", .{});
    defer a.free(stats);
    return collect(&result, stats) catch core.faultAt(&loc, "infer: out of memory while keeping the draws", .{});
}

/// Copies the draws of every model column (lp__ first) out of the sampler's result.
fn collect(result: *const smp.run.RunResult, stats: []const smp.summary.ColumnStats) !Posterior {
    const g = core.gpa();
    const chains = result.chains;
    const per_chain = if (chains.len > 0) chains[0].numRows() else 0;
    const columns = try g.alloc(Posterior.Column, stats.len);
    var divergences: usize = 0;
    for (chains) |c| divergences += c.divergences;
    for (stats, 0..) |s, k| {
        const source = if (k == 0) 0 else smp.chain.num_sampler_columns + k - 1;
        const draws = try g.alloc(f64, per_chain * chains.len);
        for (chains, 0..) |c, ci| {
            for (0..per_chain) |i| draws[ci * per_chain + i] = c.rows[i * c.n_cols + source];
        }
        columns[k] = .{ .name = try g.dupe(u8, s.name), .draws = draws, .summary = s.s };
    }
    const state = core.create(Posterior.State);
    const evidence: ?Posterior.Evidence = if (result.config.algorithm.isParticle()) blk: {
        const e = smp.summary.pooledEvidence(result);
        break :blk .{ .log_evidence = e.log_evidence, .se = e.se };
    } else null;
    state.* = .{ .count = rc.Count.init(1), .columns = columns, .chains = chains.len, .divergences = divergences, .evidence = evidence };
    return .{ .state = state };
}

// ----- Data as Stan JSON -----------------------------------------------------------------------

/// The model's arguments as a Stan data file: `{"name": value, ...}` (owned). Integers and
/// bools become integers, floats numbers, lists arrays (nested lists: matrices).
pub fn dataJson(comptime names: []const []const u8, values: anytype) Str {
    var b = @import("../str.zig").Builder.init();
    const w = b.writer();
    w.writeByte('{') catch {};
    inline for (names, 0..) |name, i| {
        if (i > 0) w.writeAll(", ") catch {};
        w.print("\"{s}\": ", .{name}) catch {};
        writeJsonValue(w, values[i]);
    }
    w.writeByte('}') catch {};
    return b.finish();
}

fn writeJsonValue(w: anytype, x: anytype) void {
    const T = @TypeOf(x);
    switch (@typeInfo(T)) {
        .int => w.print("{d}", .{x}) catch {},
        .bool => w.writeAll(if (x) "1" else "0") catch {},
        .float => writeJsonFloat(w, @floatCast(x)),
        else => if (comptime @hasDecl(T, "items")) {
            w.writeByte('[') catch {};
            for (x.items(), 0..) |item, i| {
                if (i > 0) w.writeAll(", ") catch {};
                writeJsonValue(w, item);
            }
            w.writeByte(']') catch {};
        } else @compileError("infer: data of type " ++ @typeName(T) ++ " cannot be passed to a model"),
    }
}

fn writeJsonFloat(w: anytype, x: f64) void {
    if (std.math.isNan(x)) return w.writeAll("\"NaN\"") catch {};
    if (std.math.isInf(x)) return w.writeAll(if (x > 0) "\"Infinity\"" else "\"-Infinity\"") catch {};
    // Zig prints the shortest representation that reads back to the same value.
    w.print("{e}", .{x}) catch {};
}

// ----- Reading a posterior ---------------------------------------------------------------------

pub fn posterior_mean(p: Posterior, name: Str, loc: Loc) f64 {
    return p.column(name, loc).summary.mean;
}

pub fn posterior_sd(p: Posterior, name: Str, loc: Loc) f64 {
    return p.column(name, loc).summary.sd;
}

pub fn posterior_rhat(p: Posterior, name: Str, loc: Loc) f64 {
    return p.column(name, loc).summary.rhat;
}

pub fn posterior_ess(p: Posterior, name: Str, loc: Loc) f64 {
    return p.column(name, loc).summary.ess_bulk;
}

/// The `q` quantile of a column's draws (linear interpolation between order statistics, the
/// definition R calls type 7).
pub fn posterior_quantile(p: Posterior, name: Str, q: f64, loc: Loc) f64 {
    if (!(q >= 0 and q <= 1)) core.faultAt(&loc, "posterior_quantile: q must be between 0 and 1, found {d}", .{q});
    const c = p.column(name, loc);
    const a = core.gpa();
    const sorted = a.dupe(f64, c.draws) catch core.faultNoLoc("out of memory", .{});
    defer a.free(sorted);
    std.sort.pdq(f64, sorted, {}, std.sort.asc(f64));
    return quantileOfSorted(sorted, q);
}

fn quantileOfSorted(sorted: []const f64, q: f64) f64 {
    if (sorted.len == 0) return std.math.nan(f64);
    const h = q * @as(f64, @floatFromInt(sorted.len - 1));
    const lo: usize = @intFromFloat(@floor(h));
    const hi = @min(lo + 1, sorted.len - 1);
    return sorted[lo] + (h - @floor(h)) * (sorted[hi] - sorted[lo]);
}

/// The fraction of a column's draws in [lo, hi]: the posterior probability of the interval.
pub fn posterior_prob(p: Posterior, name: Str, lo: f64, hi: f64, loc: Loc) f64 {
    const c = p.column(name, loc);
    return insideFraction(c.draws, intervalChecked(lo, hi, "posterior_prob", loc));
}

/// The Monte Carlo standard error of `posterior_prob`: sqrt(p (1 - p) / ESS) with the ESS of
/// the indicator lo <= x <= hi on split chains (as for ArviZ's quantile MCSE); 0 when every
/// draw is on the same side (the indicator is constant), NaN with fewer than 4 draws a chain.
pub fn posterior_prob_mcse(p: Posterior, name: Str, lo: f64, hi: f64, loc: Loc) f64 {
    const c = p.column(name, loc);
    const bounds = intervalChecked(lo, hi, "posterior_prob_mcse", loc);
    const prob = insideFraction(c.draws, bounds);
    if (prob == 0 or prob == 1) return 0;
    const a = core.gpa();
    const ind = a.alloc(f64, c.draws.len) catch core.faultNoLoc("out of memory", .{});
    defer a.free(ind);
    for (ind, c.draws) |*y, x| y.* = if (x >= bounds[0] and x <= bounds[1]) 1 else 0;
    const chains = p.state.chains;
    const d = smp.diagnostics.Draws{ .values = ind, .chains = chains, .draws = if (chains == 0) 0 else ind.len / chains };
    const split = smp.diagnostics.splitChains(a, d) catch core.faultNoLoc("out of memory", .{});
    defer a.free(split.values);
    const ess = smp.diagnostics.essBasic(a, split) catch core.faultNoLoc("out of memory", .{});
    return @sqrt(prob * (1 - prob) / ess);
}

fn intervalChecked(lo: f64, hi: f64, comptime what: []const u8, loc: Loc) [2]f64 {
    if (!(lo <= hi)) core.faultAt(&loc, what ++ ": the interval [{d}, {d}] is empty or not a number", .{ lo, hi });
    return .{ lo, hi };
}

fn insideFraction(draws: []const f64, bounds: [2]f64) f64 {
    if (draws.len == 0) return std.math.nan(f64);
    var inside: usize = 0;
    for (draws) |x| inside += @intFromBool(x >= bounds[0] and x <= bounds[1]);
    return @as(f64, @floatFromInt(inside)) / @as(f64, @floatFromInt(draws.len));
}

/// Every draw of a column, chain after chain (owned).
pub fn posterior_draws(p: Posterior, name: Str, loc: Loc) List(f64) {
    return List(f64).fromSlice(p.column(name, loc).draws);
}

/// The column names, `lp__` first (owned).
pub fn posterior_names(p: Posterior) List(Str) {
    var out = List(Str).withCapacity(p.state.columns.len);
    for (p.state.columns) |c| out.pushOwned(Str.fromSlice(c.name));
    return out;
}

/// Divergent transitions after warmup, over all chains.
pub fn posterior_divergences(p: Posterior) i64 {
    return @intCast(p.state.divergences);
}

/// SMC's log evidence (log marginal likelihood), pooled over the chains (runs).
pub fn posterior_log_evidence(p: Posterior, loc: Loc) f64 {
    return evidenceOf(p, loc).log_evidence;
}

/// The Monte Carlo standard error of `posterior_log_evidence`, from the spread of the runs (NaN
/// with one chain).
pub fn posterior_log_evidence_se(p: Posterior, loc: Loc) f64 {
    return evidenceOf(p, loc).se;
}

fn evidenceOf(p: Posterior, loc: Loc) Posterior.Evidence {
    return p.state.evidence orelse core.faultAt(&loc, "the posterior has no log evidence: fit it with \"algorithm\": \"smc\"", .{});
}

test quantileOfSorted {
    const xs = [_]f64{ 1, 2, 3, 4, 5 };
    try std.testing.expectEqual(@as(f64, 3), quantileOfSorted(&xs, 0.5));
    try std.testing.expectEqual(@as(f64, 1), quantileOfSorted(&xs, 0));
    try std.testing.expectEqual(@as(f64, 5), quantileOfSorted(&xs, 1));
    try std.testing.expectApproxEqAbs(@as(f64, 1.4), quantileOfSorted(&xs, 0.1), 1e-12);
}

test posterior_names {
    const g = core.gpa();
    const columns = try g.alloc(Posterior.Column, 2);
    const nan = std.math.nan(f64);
    const none = smp.diagnostics.Summary{ .mean = nan, .sd = nan, .mcse_mean = nan, .q5 = nan, .q50 = nan, .q95 = nan, .rhat = nan, .ess_bulk = nan, .ess_tail = nan };
    columns[0] = .{ .name = try g.dupe(u8, "lp__"), .draws = try g.dupe(f64, &.{ -1, -2 }), .summary = none };
    columns[1] = .{ .name = try g.dupe(u8, "mu"), .draws = try g.dupe(f64, &.{ 0.5, 1.5 }), .summary = none };
    const state = core.create(Posterior.State);
    state.* = .{ .count = rc.Count.init(1), .columns = columns, .chains = 1, .divergences = 0 };
    const p = Posterior{ .state = state };
    defer rc.release(p);
    const names = posterior_names(p);
    defer rc.release(names);
    try std.testing.expectEqualStrings("mu", names.items()[1].bytes());
    const draws = posterior_draws(p, Str.lit("mu"), .{ .func = "t", .line = 1, .col = 1 });
    defer rc.release(draws);
    try std.testing.expectEqualSlices(f64, &.{ 0.5, 1.5 }, draws.items());
    try std.testing.expectEqual(@as(f64, 1.0), posterior_quantile(p, Str.lit("mu"), 0.5, .{ .func = "t", .line = 1, .col = 1 }));
    const here = Loc{ .func = "t", .line = 1, .col = 1 };
    try std.testing.expectEqual(@as(f64, 0.5), posterior_prob(p, Str.lit("mu"), 0, 1, here));
    try std.testing.expectEqual(@as(f64, 1.0), posterior_prob(p, Str.lit("mu"), 0.5, 1.5, here));
    try std.testing.expectEqual(@as(f64, 0.0), posterior_prob_mcse(p, Str.lit("mu"), 0.5, 1.5, here));
}

test dataJson {
    const xs = List(f64).fromSlice(&.{ 0.5, -2 });
    defer rc.release(xs);
    const text = dataJson(&.{ "n", "y", "flag" }, .{ @as(i64, 3), xs, true });
    defer rc.release(text);
    try std.testing.expectEqualStrings("{\"n\": 3, \"y\": [5e-1, -2e0], \"flag\": 1}", text.bytes());
}
