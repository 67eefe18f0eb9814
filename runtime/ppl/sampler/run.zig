//! Runs all chains of a sampling job on a pool of threads and collects the results.
//!
//! Chains are independent: worker threads take the next chain index from an atomic counter and
//! run it to completion; each chain's random streams depend only on (seed, chain index), so the
//! draws are bit-identical whatever the number of threads. The default thread count is
//! `std.Thread.getCpuCount()`, capped at the number of chains. Each chain writes its own CSV file,
//! `<dir>/<model>_chain_<k>.csv` (k = 1..chains), through a 64 KiB buffer. The main thread draws a
//! progress bar on stderr (only when stderr is a terminal, at most 10 updates per second) while
//! the workers run.

const std = @import("std");
const model_mod = @import("model.zig");
const chain_mod = @import("chain.zig");
const csv = @import("csv.zig");
const files_mod = @import("files.zig");

const Model = model_mod.Model;
pub const Config = chain_mod.Config;
pub const ChainResult = chain_mod.ChainResult;

/// Where the CSV files go.
pub const Output = struct {
    /// One staged file per chain, from `stageCsvFiles` (committed or discarded by the caller).
    files: []files_mod.Staged,
    model_name: []const u8,
    /// Recorded in the CSV header ("" when the model has no data file).
    data_file: []const u8 = "",
};

pub const RunResult = struct {
    chains: []ChainResult,
    /// Names of the summary columns: "lp__" followed by the model's columns (borrowed).
    model: *const Model,
    config: Config,
    threads: usize,
    wall_seconds: f64,
    /// CSV paths, one per chain (empty without output).
    csv_paths: [][]u8,

    pub fn deinit(self: *RunResult, allocator: std.mem.Allocator) void {
        for (self.chains) |*c| c.deinit(allocator);
        allocator.free(self.chains);
        for (self.csv_paths) |p| allocator.free(p);
        allocator.free(self.csv_paths);
    }

    /// The first chain error, if any chain failed.
    pub fn failure(self: *const RunResult) ?*const ChainResult {
        for (self.chains) |*c| if (c.err != null) return c;
        return null;
    }
};

/// Creates the output directory `dir` and one staged CSV file per chain,
/// `<dir>/<model>_chain_<k>.csv` (k = 1..chains). On failure `msg` says what and where.
pub fn stageCsvFiles(allocator: std.mem.Allocator, dir: []const u8, model_name: []const u8, chains: usize, msg: *std.ArrayList(u8)) files_mod.Error![]files_mod.Staged {
    try files_mod.makeDirAll(dir, msg);
    const staged = try allocator.alloc(files_mod.Staged, chains);
    var made: usize = 0;
    errdefer {
        for (staged[0..made]) |*f| {
            f.discard();
            f.deinit(allocator);
        }
        allocator.free(staged);
    }
    for (staged, 1..) |*f, k| {
        const path = try std.fmt.allocPrint(allocator, "{s}/{s}_chain_{d}.csv", .{ dir, model_name, k });
        defer allocator.free(path);
        f.* = try files_mod.Staged.create(allocator, path, msg);
        made += 1;
    }
    return staged;
}

/// Renames every staged CSV file into place (after a successful run).
pub fn commitCsvFiles(staged: []files_mod.Staged, msg: *std.ArrayList(u8)) files_mod.Error!void {
    for (staged) |*f| try f.commit(msg);
}

/// Frees the staged files; those not committed are deleted.
pub fn releaseCsvFiles(allocator: std.mem.Allocator, staged: []files_mod.Staged) void {
    for (staged) |*f| {
        if (f.file != null) f.discard();
        f.deinit(allocator);
    }
    allocator.free(staged);
}

pub fn threadCount(cfg: Config) usize {
    var n = cfg.threads;
    if (n == 0) n = std.Thread.getCpuCount() catch 1;
    return @max(1, @min(n, cfg.chains));
}

const Shared = struct {
    allocator: std.mem.Allocator,
    model: *const Model,
    cfg: Config,
    next: std.atomic.Value(usize) = std.atomic.Value(usize).init(0),
    done: std.atomic.Value(usize) = std.atomic.Value(usize).init(0),
    progress: []chain_mod.Progress,
    results: []ChainResult,
    files: []?std.fs.File,
    headers: []?csv.HeaderInfo,
};

fn worker(sh: *Shared) void {
    while (true) {
        const c = sh.next.fetchAdd(1, .monotonic);
        if (c >= sh.cfg.chains) break;
        if (sh.files[c]) |f| {
            var bw = std.io.BufferedWriter(65536, std.fs.File.Writer){ .unbuffered_writer = f.writer() };
            var res = chain_mod.runChain(sh.allocator, sh.model, sh.cfg, c, sh.headers[c], bw.writer().any(), &sh.progress[c]);
            bw.flush() catch |e| chain_mod.recordFailure(sh.allocator, &res, e, sh.headers[c]);
            sh.results[c] = res;
        } else {
            sh.results[c] = chain_mod.runChain(sh.allocator, sh.model, sh.cfg, c, null, null, &sh.progress[c]);
        }
        _ = sh.done.fetchAdd(1, .release);
    }
}

/// Runs `cfg.chains` chains of `model`. With `output`, creates the directory and one CSV per
/// chain; `show_progress` draws a progress bar if stderr is a terminal.
pub fn run(allocator: std.mem.Allocator, model: *const Model, cfg: Config, output: ?Output, show_progress: bool) !RunResult {
    const n = cfg.chains;
    const results = try allocator.alloc(ChainResult, n);
    errdefer allocator.free(results);
    for (results, 0..) |*r, i| r.* = .{ .index = i };
    const progress = try allocator.alloc(chain_mod.Progress, n);
    defer allocator.free(progress);
    for (progress) |*p| p.* = .{};
    const files = try allocator.alloc(?std.fs.File, n);
    defer allocator.free(files);
    @memset(files, null);
    const headers = try allocator.alloc(?csv.HeaderInfo, n);
    defer allocator.free(headers);
    @memset(headers, null);
    const paths = try allocator.alloc([]u8, if (output != null) n else 0);
    var npaths: usize = 0;
    errdefer {
        for (paths[0..npaths]) |p| allocator.free(p);
        allocator.free(paths);
    }
    const threads = threadCount(cfg);

    if (output) |o| {
        std.debug.assert(o.files.len == n);
        for (0..n) |c| {
            paths[c] = try allocator.dupe(u8, o.files[c].final);
            npaths += 1;
            files[c] = o.files[c].file;
            headers[c] = .{
                .model_name = o.model_name,
                .algorithm = cfg.algorithm.label(),
                .metric = if (cfg.metric == .dense) "dense_e" else "diag_e",
                .num_samples = cfg.draws,
                .num_warmup = if (cfg.algorithm.isVariational() or cfg.algorithm.isParticle()) 0 else cfg.warmup,
                .save_warmup = cfg.save_warmup and !cfg.algorithm.isVariational() and !cfg.algorithm.isParticle(),
                .adapt_engaged = cfg.adapt_engaged,
                .delta = cfg.adapt_delta,
                .gamma = cfg.adapt_gamma,
                .kappa = cfg.adapt_kappa,
                .t0 = cfg.adapt_t0,
                .init_buffer = cfg.init_buffer,
                .term_buffer = cfg.term_buffer,
                .window = cfg.window,
                .max_depth = cfg.max_depth,
                .stepsize = cfg.stepsize,
                .jitter = cfg.jitter,
                .int_time = cfg.int_time,
                .chain_id = c + 1,
                .data_file = o.data_file,
                .init_radius = cfg.init_radius,
                .seed = cfg.seed,
                .output_file = paths[c],
                .threads = threads,
            };
        }
    }

    var sh = Shared{
        .allocator = allocator,
        .model = model,
        .cfg = cfg,
        .progress = progress,
        .results = results,
        .files = files,
        .headers = headers,
    };
    var timer = try std.time.Timer.start();
    const handles = try allocator.alloc(std.Thread, threads);
    defer allocator.free(handles);
    var spawned: usize = 0;
    for (handles) |*h| {
        h.* = std.Thread.spawn(.{}, worker, .{&sh}) catch break;
        spawned += 1;
    }
    if (spawned == 0) worker(&sh); // no thread could be started: run everything here
    const bar = show_progress and std.io.getStdErr().isTty();
    if (bar) {
        var pb = ProgressBar.init(n * (cfg.warmup + cfg.draws));
        while (sh.done.load(.acquire) < n) {
            var total: usize = 0;
            for (progress) |*p| total += p.get();
            pb.draw(total, sh.done.load(.acquire), n);
            std.time.sleep(100 * std.time.ns_per_ms);
        }
        pb.finish();
    }
    for (handles[0..spawned]) |h| h.join();
    const wall = @as(f64, @floatFromInt(timer.read())) / 1e9;
    return .{ .chains = results, .model = model, .config = cfg, .threads = threads, .wall_seconds = wall, .csv_paths = paths };
}

/// A one-line progress bar on stderr, redrawn with a carriage return.
const ProgressBar = struct {
    total: usize,

    fn init(total: usize) ProgressBar {
        return .{ .total = total };
    }

    fn draw(self: *ProgressBar, done: usize, chains_done: usize, chains: usize) void {
        const width = 30;
        const frac = if (self.total == 0) 1.0 else @as(f64, @floatFromInt(done)) / @as(f64, @floatFromInt(self.total));
        const filled: usize = @intFromFloat(@min(1.0, frac) * width);
        var line: [128]u8 = undefined;
        var bar: [width]u8 = undefined;
        @memset(bar[0..filled], '#');
        @memset(bar[filled..], '-');
        const s = std.fmt.bufPrint(&line, "\rsampling [{s}] {d:>3}%  {d}/{d} chains done", .{ &bar, @as(u32, @intFromFloat(@min(1.0, frac) * 100)), chains_done, chains }) catch return;
        std.io.getStdErr().writeAll(s) catch {};
    }

    fn finish(self: *ProgressBar) void {
        _ = self;
        std.io.getStdErr().writeAll("\r\x1b[2K") catch {};
    }
};

// ---------------------------------------------------------------------------------------------
// Tests: samplers on known targets, determinism, CSV output.

const testmodels = @import("testmodels.zig");
const diagnostics = @import("diagnostics.zig");

/// Pools column `col` (index among the model's columns) of all chains, chain-major.
fn pooled(allocator: std.mem.Allocator, r: *const RunResult, col: usize) ![]f64 {
    const per = r.chains[0].numRows();
    const out = try allocator.alloc(f64, per * r.chains.len);
    for (r.chains, 0..) |*c, k| {
        for (0..per) |i| out[k * per + i] = c.row(i)[chain_mod.num_sampler_columns + col];
    }
    return out;
}

/// Asserts that the posterior mean and variance of a column match the truth within Monte Carlo
/// error: |mean - mu| < 4·sd/sqrt(ESS_mean), |var - v| < 4·v·sqrt(2/ESS) (+ 5 % slack for the
/// ESS estimate of the squared values).
fn expectMoments(allocator: std.mem.Allocator, r: *const RunResult, col: usize, mu: f64, v: f64) !void {
    const xs = try pooled(allocator, r, col);
    defer allocator.free(xs);
    const d = diagnostics.Draws{ .values = xs, .chains = r.chains.len, .draws = r.chains[0].numRows() };
    const ess = try diagnostics.essMean(allocator, d);
    const m = diagnostics.mean(xs);
    const s2 = diagnostics.variance(xs, 1);
    const sq = try allocator.alloc(f64, xs.len);
    defer allocator.free(sq);
    for (sq, xs) |*y, x| y.* = (x - mu) * (x - mu);
    const ess_sq = try diagnostics.essMean(allocator, .{ .values = sq, .chains = d.chains, .draws = d.draws });
    const tol_mean = 4 * @sqrt(v / ess);
    const tol_var = 4 * v * @sqrt(2 / ess_sq) + 0.05 * v;
    if (!(@abs(m - mu) < tol_mean) or !(@abs(s2 - v) < tol_var)) {
        std.debug.print("column {d}: mean {d} (want {d} ± {d}), var {d} (want {d} ± {d}), ess {d}\n", .{ col, m, mu, tol_mean, s2, v, tol_var, ess });
        return error.TestUnexpectedResult;
    }
}

fn runShared(comptime T: type, inst: *const T, cfg: Config) !RunResult {
    const m = try std.testing.allocator.create(Model);
    m.* = model_mod.fromShared(T, inst);
    return run(std.testing.allocator, m, cfg, null, false);
}

fn freeRun(r: *RunResult) void {
    std.testing.allocator.destroy(r.model);
    r.deinit(std.testing.allocator);
}

test "NUTS samples a 10-D standard normal; step size adaptation reaches accept_stat ~0.8" {
    const a = std.testing.allocator;
    const inst = testmodels.ScaledNormal.init(&testmodels.ones10);
    var r = try runShared(testmodels.ScaledNormal, &inst, .{ .seed = 11, .threads = 2 });
    defer freeRun(&r);
    try std.testing.expect(r.failure() == null);
    for (0..10) |k| try expectMoments(a, &r, k, 0, 1);
    var acc: f64 = 0;
    for (r.chains) |c| {
        try std.testing.expectEqual(@as(usize, 0), c.divergences);
        try std.testing.expectEqual(@as(usize, 1000), c.numRows());
        acc += c.mean_accept;
        // the adapted diagonal metric is close to the unit variances
        for (c.inv_metric) |v| try std.testing.expect(v > 0.6 and v < 1.6);
        try std.testing.expect(c.ebfmi > 0.5);
    }
    acc /= 4;
    // Stan typically ends slightly above the target: the final step size is the dual-averaging mean
    try std.testing.expect(acc > 0.72 and acc < 0.92);
}

test "NUTS on a 1-D standard normal and on a badly scaled normal (metric adaptation)" {
    const a = std.testing.allocator;
    const one = testmodels.ScaledNormal.init(&.{1});
    var r1 = try runShared(testmodels.ScaledNormal, &one, .{ .seed = 3 });
    defer freeRun(&r1);
    try expectMoments(a, &r1, 0, 0, 1);

    const scales = [_]f64{ 0.01, 1, 100 };
    const sc = testmodels.ScaledNormal.init(&scales);
    var r2 = try runShared(testmodels.ScaledNormal, &sc, .{ .seed = 5 });
    defer freeRun(&r2);
    for (scales, 0..) |s, k| try expectMoments(a, &r2, k, 0, s * s);
    for (r2.chains) |c| {
        for (c.inv_metric, scales) |v, s| try std.testing.expect(v / (s * s) > 0.5 and v / (s * s) < 2);
        // with the right metric the problem is isotropic: short trees
        try std.testing.expectEqual(@as(usize, 0), c.treedepth_hits);
    }
}

test "NUTS with a dense metric on a correlated 2-D normal; banana" {
    const a = std.testing.allocator;
    const inst = testmodels.Correlated2{};
    var r = try runShared(testmodels.Correlated2, &inst, .{ .seed = 7, .metric = .dense });
    defer freeRun(&r);
    try expectMoments(a, &r, 0, 0, 1);
    try expectMoments(a, &r, 1, 0, 4);
    for (r.chains) |c| {
        // adapted inverse metric ≈ covariance [[1, 1.8], [1.8, 4]]
        try std.testing.expectEqual(@as(usize, 4), c.inv_metric.len);
        try std.testing.expect(c.inv_metric[1] > 1.2 and c.inv_metric[1] < 2.5);
        try std.testing.expectEqual(c.inv_metric[1], c.inv_metric[2]);
    }
    const ban = testmodels.Banana{};
    var rb = try runShared(testmodels.Banana, &ban, .{ .seed = 8 });
    defer freeRun(&rb);
    try expectMoments(a, &rb, 0, 0, 1);
    try expectMoments(a, &rb, 1, 0, 1 + 2 * 0.25);
}

test "static HMC samples normals" {
    const a = std.testing.allocator;
    const inst = testmodels.ScaledNormal.init(&testmodels.ones10);
    var r = try runShared(testmodels.ScaledNormal, &inst, .{ .seed = 13, .algorithm = .hmc, .jitter = 0.2 });
    defer freeRun(&r);
    try std.testing.expect(r.failure() == null);
    for (0..10) |k| try expectMoments(a, &r, k, 0, 1);
    const c2 = testmodels.Correlated2{};
    var r2 = try runShared(testmodels.Correlated2, &c2, .{ .seed = 14, .algorithm = .hmc });
    defer freeRun(&r2);
    try expectMoments(a, &r2, 0, 0, 1);
    try expectMoments(a, &r2, 1, 0, 4);
    // the jittered step sizes vary around the adapted one
    const row0 = r.chains[0].row(0);
    const row1 = r.chains[0].row(1);
    try std.testing.expect(row0[2] != row1[2]);
    try std.testing.expect(@abs(row0[2] / r.chains[0].stepsize - 1) <= 0.2);
}

test "random-walk and adaptive Metropolis sample normals" {
    const a = std.testing.allocator;
    const one = testmodels.ScaledNormal.init(&.{1});
    var r1 = try runShared(testmodels.ScaledNormal, &one, .{ .seed = 21, .algorithm = .mh, .draws = 4000 });
    defer freeRun(&r1);
    try expectMoments(a, &r1, 0, 0, 1);
    for (r1.chains) |c| try std.testing.expect(c.mean_accept > 0.15 and c.mean_accept < 0.35);

    const c2 = testmodels.Correlated2{};
    var r2 = try runShared(testmodels.Correlated2, &c2, .{ .seed = 22, .algorithm = .mh, .draws = 5000 });
    defer freeRun(&r2);
    try expectMoments(a, &r2, 0, 0, 1);
    try expectMoments(a, &r2, 1, 0, 4);

    var r3 = try runShared(testmodels.Correlated2, &c2, .{ .seed = 23, .algorithm = .adaptive_mh, .draws = 4000 });
    defer freeRun(&r3);
    try expectMoments(a, &r3, 0, 0, 1);
    try expectMoments(a, &r3, 1, 0, 4);
    for (r3.chains) |c| {
        try std.testing.expectEqual(@as(usize, 4), c.inv_metric.len); // proposal covariance
        try std.testing.expect(c.inv_metric[3] > 2.5 and c.inv_metric[3] < 6);
    }
    const scales = [_]f64{ 0.01, 1, 100 };
    const sc = testmodels.ScaledNormal.init(&scales);
    var r4 = try runShared(testmodels.ScaledNormal, &sc, .{ .seed = 24, .algorithm = .adaptive_mh, .draws = 4000 });
    defer freeRun(&r4);
    for (scales, 0..) |s, k| try expectMoments(a, &r4, k, 0, s * s);
}

test "the same seed gives bit-identical draws whatever the thread count" {
    const inst = testmodels.Correlated2{};
    const base = Config{ .seed = 99, .chains = 5, .warmup = 200, .draws = 100 };
    var cfg1 = base;
    cfg1.threads = 1;
    var cfg3 = base;
    cfg3.threads = 3;
    var r1 = try runShared(testmodels.Correlated2, &inst, cfg1);
    defer freeRun(&r1);
    var r3 = try runShared(testmodels.Correlated2, &inst, cfg3);
    defer freeRun(&r3);
    try std.testing.expectEqual(@as(usize, 1), r1.threads);
    try std.testing.expectEqual(@as(usize, 3), r3.threads);
    for (r1.chains, r3.chains) |c1, c3| {
        try std.testing.expectEqualSlices(u8, std.mem.sliceAsBytes(c1.rows), std.mem.sliceAsBytes(c3.rows));
        try std.testing.expectEqual(c1.stepsize, c3.stepsize);
    }
    // different chains differ, and a different seed changes the draws
    try std.testing.expect(r1.chains[0].rows[0] != r1.chains[1].rows[0]);
    var cfg_other = cfg1;
    cfg_other.seed = 100;
    var r4 = try runShared(testmodels.Correlated2, &inst, cfg_other);
    defer freeRun(&r4);
    try std.testing.expect(r4.chains[0].rows[0] != r1.chains[0].rows[0]);
}

test "divergences are detected on the centred eight-schools funnel" {
    const inst = testmodels.EightSchoolsCentered{};
    var r = try runShared(testmodels.EightSchoolsCentered, &inst, .{ .seed = 1, .threads = 2 });
    defer freeRun(&r);
    var div: usize = 0;
    for (r.chains) |c| div += c.divergences;
    try std.testing.expect(div > 0);
    // and they are in the CSV column
    var col: usize = 0;
    for (r.chains) |c| for (0..c.numRows()) |i| {
        col += @intFromFloat(c.row(i)[5]);
    };
    try std.testing.expectEqual(div, col);
}

test "CSV files: one per chain, CmdStan header, rows equal to the in-memory draws" {
    const a = std.testing.allocator;
    var tmp = std.testing.tmpDir(.{});
    defer tmp.cleanup();
    const dir = try std.fmt.allocPrint(a, ".zig-cache/tmp/{s}/out", .{tmp.sub_path});
    defer a.free(dir);
    const inst = testmodels.Correlated2{};
    const m = model_mod.fromShared(testmodels.Correlated2, &inst);
    var msg = std.ArrayList(u8).init(a);
    defer msg.deinit();
    const staged = try stageCsvFiles(a, dir, "corr", 2, &msg);
    defer releaseCsvFiles(a, staged);
    var r = try run(a, &m, .{ .seed = 4, .chains = 2, .warmup = 100, .draws = 50, .save_warmup = true }, .{ .files = staged, .model_name = "corr", .data_file = "none.json" }, false);
    defer r.deinit(a);
    try commitCsvFiles(staged, &msg);
    try std.testing.expectEqual(@as(usize, 2), r.csv_paths.len);
    for (r.chains, r.csv_paths) |c, path| {
        var name_buf: [32]u8 = undefined;
        try std.testing.expect(std.mem.endsWith(u8, path, try std.fmt.bufPrint(&name_buf, "corr_chain_{d}.csv", .{c.index + 1})));
        const text = try std.fs.cwd().readFileAlloc(a, path, 1 << 24);
        defer a.free(text);
        var f = try csv.parse(a, text);
        defer f.deinit();
        try std.testing.expectEqual(@as(usize, 150), f.rows); // warmup saved
        try std.testing.expectEqualStrings("x.2", f.columns[8]);
        for (0..50) |i| {
            const got = f.row(100 + i);
            for (got, c.row(i)) |x, y| try std.testing.expectEqual(@as(u64, @bitCast(y)), @as(u64, @bitCast(x)));
        }
        try std.testing.expect(std.mem.indexOf(u8, text, "# Adaptation terminated\n# Step size = ") != null);
        try std.testing.expect(std.mem.indexOf(u8, text, "#     save_warmup = true\n") != null);
        try std.testing.expect(std.mem.indexOf(u8, text, "seconds (Total)") != null);
    }
}

test "a model without parameters runs the fixed_param sampler" {
    const Gq = struct {
        dim: usize = 0,
        names: []const model_mod.Str = &.{model_mod.Str.from("u")},
        pub fn logDensityGrad(_: *const @This(), _: []const f64, _: []f64) f64 {
            return 0;
        }
        pub fn writeDraw(_: *const @This(), _: []const f64, rng: *model_mod.Rng, out: []f64) void {
            out[0] = rng.random().float(f64);
        }
    };
    const a = std.testing.allocator;
    const inst = Gq{};
    var r = try runShared(Gq, &inst, .{ .seed = 1, .chains = 2, .warmup = 10, .draws = 2000 });
    defer freeRun(&r);
    try std.testing.expect(r.failure() == null);
    // uniform(0, 1): mean 1/2, variance 1/12, independent draws
    try expectMoments(a, &r, 0, 0.5, 1.0 / 12.0);
    try std.testing.expect(std.math.isNan(r.chains[0].ebfmi));
}

test "threadCount" {
    try std.testing.expectEqual(@as(usize, 2), threadCount(.{ .threads = 2 }));
    try std.testing.expectEqual(@as(usize, 3), threadCount(.{ .threads = 8, .chains = 3 }));
    try std.testing.expect(threadCount(.{}) >= 1);
}

test "a chain that cannot start reports a helpful error" {
    const inst = testmodels.Nowhere{};
    var r = try runShared(testmodels.Nowhere, &inst, .{ .chains = 2, .warmup = 10, .draws = 10 });
    defer freeRun(&r);
    const f = r.failure().?;
    try std.testing.expectEqual(@as(?anyerror, error.InitFailed), f.err);
    try std.testing.expect(std.mem.indexOf(u8, f.message, "initial point") != null);
}
