//! The command-line driver of a compiled model, in the spirit of CmdStan:
//!
//!     <model> sample [--data FILE] [--chains N] [--warmup N] [--draws N] [--seed N]
//!                    [--algorithm nuts|hmc|mh|adaptive-mh|advi|pathfinder|smc] [--output DIR]
//!                    [--adapt-delta X]
//!                    [--max-depth N] [--metric diag|dense] [--threads N] [--init X]
//!                    [--save-warmup] [--quiet] [--stepsize X] [--jitter X] [--int-time X]
//!                    [--no-adapt] [--vi-family meanfield|fullrank] [--tol-rel-obj X]
//!                    [--vi-iter N] [--vi-eta X] [--num-paths N] [--init-pathfinder]
//!     <model> diagnose [--data FILE] [--seed N] [--init X] [--points N] [--point V1,V2,...]
//!                      [--epsilon X] [--error X]
//!
//! Options accept `--name value` and `--name=value`. Bad usage (unknown option, missing or
//! malformed value, out-of-range value) prints a message and the usage to stderr and exits with
//! status 2; a data or sampling failure prints a message and exits with 1; otherwise the CSV files
//! are written, the summary goes to stdout (unless --quiet) and the exit status is 0, also when
//! the summary contains warnings.

const std = @import("std");
const model_mod = @import("model.zig");
const data_mod = @import("data.zig");
const chain_mod = @import("chain.zig");
const run_mod = @import("run.zig");
const summary = @import("summary.zig");
const numfmt = @import("numfmt.zig");
const diagnose_mod = @import("diagnose.zig");
const files_mod = @import("files.zig");
const oserror = @import("oserror.zig");
const advi = @import("advi.zig");

pub const Config = chain_mod.Config;

pub const usage_text =
    \\usage: {s} sample [options]
    \\
    \\Draws from the posterior of the model and writes one Stan CSV file per chain,
    \\<output>/{s}_chain_<k>.csv, then prints a summary with convergence diagnostics.
    \\
    \\options:
    \\  --data FILE            data in Stan JSON format (an object of named fields)
    \\  --summary FILE         also write the summary (every column's statistics and each
    \\                         chain's sampler diagnostics) to FILE as JSON
    \\  --chains N             number of chains (default 4)
    \\  --warmup N             warmup iterations per chain (default 1000)
    \\  --draws N              post-warmup draws per chain (default 1000)
    \\  --seed N               random seed, 0..2^64-1 (default: random, printed in the summary)
    \\  --algorithm A          nuts (default), hmc (static HMC), mh (random-walk
    \\                         Metropolis), adaptive-mh (adaptive Metropolis), advi or
    \\                         pathfinder (variational approximations: each chain is one
    \\                         fit, its draws are independent draws from the approximation),
    \\                         smc (tempered sequential Monte Carlo: each chain is one run
    \\                         of --draws particles; also estimates the log evidence)
    \\  --output DIR           directory for the CSV files, created if needed (default .)
    \\  --adapt-delta X        target acceptance statistic of step size adaptation, in
    \\                         (0, 1) (default 0.8; raise it to 0.95/0.99 against divergences)
    \\  --max-depth N          maximum NUTS tree depth, 1..30 (default 10)
    \\  --metric M             diag (default) or dense inverse metric for nuts/hmc
    \\  --threads N            worker threads (default: one per CPU, at most one per chain)
    \\  --init X               initial values uniform in (-X, X) on the unconstrained scale
    \\                         (default 2; 0 starts every chain at 0); smc: the particles
    \\                         start from normal(0, X^2) (X > 0)
    \\  --save-warmup          also write the warmup iterations to the CSV files
    \\  --quiet                no progress bar and no summary
    \\  --stepsize X           initial step size (default 1), or the fixed one with --no-adapt
    \\  --jitter X             step size jitter in [0, 1) (default 0)
    \\  --int-time X           integration time of static HMC (default 2*pi)
    \\  --no-adapt             no warmup adaptation (fixed step size and unit metric)
    \\  --vi-family F          advi: meanfield (default) or fullrank Gaussian
    \\  --tol-rel-obj X        advi: stop when the mean or median relative ELBO change
    \\                         is below X (default 0.01)
    \\  --vi-iter N            advi: maximum optimisation iterations (default 10000)
    \\  --vi-eta X             advi: Adam step size (default: chosen by a short search)
    \\  --num-paths N          pathfinder: L-BFGS paths per chain, pooled by importance
    \\                         resampling when N > 1 (default 1)
    \\  --init-pathfinder      MCMC: start each chain at a draw from a single-path
    \\                         Pathfinder approximation (from the --init point)
    \\
    \\usage: {s} diagnose [options]
    \\
    \\Checks the gradient of the log density: at random points on the unconstrained scale
    \\it prints the log density, the reverse-mode gradient, a finite-difference gradient and,
    \\when the model supports it, a forward-mode gradient, with the error of each
    \\coordinate; the exit status is 1 when an error exceeds the tolerance.
    \\
    \\options:
    \\  --data FILE            data in Stan JSON format
    \\  --seed N               random seed for the points (default 0)
    \\  --init X               points uniform in (-X, X) (default 2; 0 = the origin)
    \\  --points N             number of random points (default 1)
    \\  --point V1,V2,...      check this unconstrained point instead
    \\  --epsilon X            relative finite-difference step (default 1e-3)
    \\  --error X              tolerance of |reverse - reference| / max(1, |reference|)
    \\                         (default 1e-6)
    \\
;

pub const Options = struct {
    cfg: Config = .{},
    data_file: ?[]const u8 = null,
    output_dir: []const u8 = ".",
    quiet: bool = false,
    seed_given: bool = false,
    /// Also write the summary as JSON to this file.
    summary_file: ?[]const u8 = null,
    help: bool = false,
    command: Command = .sample,
    /// Options of `diagnose` (`diag.point` is filled from `point_text` by `main`).
    diag: diagnose_mod.Options = .{},
    /// The `--point` argument of `diagnose`: comma-separated numbers (validated).
    point_text: ?[]const u8 = null,
};

pub const Command = enum { sample, diagnose };

pub const ParseError = error{Usage};

/// Parses the arguments after the program name. On error writes a message (without usage) into
/// `msg` and returns `error.Usage`.
pub fn parseArgs(args: []const []const u8, msg: *std.ArrayList(u8)) (ParseError || error{OutOfMemory})!Options {
    var o = Options{};
    if (args.len == 0) return usageError(msg, "missing command: expected 'sample' or 'diagnose'", .{});
    if (isHelp(args[0])) {
        o.help = true;
        return o;
    }
    if (std.mem.eql(u8, args[0], "diagnose")) return parseDiagnoseArgs(args[1..], msg);
    if (!std.mem.eql(u8, args[0], "sample")) return usageError(msg, "unknown command '{s}': expected 'sample' or 'diagnose'", .{args[0]});
    // an option given twice is a mistake (which value was meant?), not a silent override
    var seen = std.EnumSet(SampleFlag).initEmpty();
    var i: usize = 1;
    while (i < args.len) : (i += 1) {
        const arg = args[i];
        if (isHelp(arg)) {
            o.help = true;
            return o;
        }
        if (!std.mem.startsWith(u8, arg, "--")) return usageError(msg, "unexpected argument '{s}'", .{arg});
        var name = arg[2..];
        var inline_value: ?[]const u8 = null;
        if (std.mem.indexOfScalar(u8, name, '=')) |eq| {
            inline_value = name[eq + 1 ..];
            name = name[0..eq];
        }
        const flag = std.meta.stringToEnum(SampleFlag, name) orelse return usageError(msg, "unknown option '--{s}'", .{name});
        if (seen.contains(flag)) return usageError(msg, "option '--{s}' is given twice", .{name});
        seen.insert(flag);
        const boolean = flag == .@"save-warmup" or flag == .quiet or flag == .@"no-adapt" or flag == .@"init-pathfinder";
        var value: []const u8 = "";
        if (boolean) {
            if (inline_value != null) return usageError(msg, "option '--{s}' takes no value", .{name});
        } else if (inline_value) |v| {
            value = v;
        } else {
            if (i + 1 >= args.len) return usageError(msg, "option '--{s}' needs a value", .{name});
            i += 1;
            value = args[i];
        }
        switch (flag) {
            .data => o.data_file = value,
            .summary => o.summary_file = value,
            .output => o.output_dir = value,
            .chains => o.cfg.chains = try intArg(msg, name, value, 1, 1_000_000),
            .warmup => o.cfg.warmup = try intArg(msg, name, value, 0, 1 << 40),
            .draws => o.cfg.draws = try intArg(msg, name, value, 1, 1 << 40),
            .threads => o.cfg.threads = try intArg(msg, name, value, 1, 4096),
            .@"max-depth" => o.cfg.max_depth = @intCast(try intArg(msg, name, value, 1, 30)),
            .seed => {
                o.cfg.seed = std.fmt.parseInt(u64, value, 10) catch return usageError(msg, "option '--seed' expects an integer in 0..18446744073709551615, found '{s}'", .{value});
                o.seed_given = true;
            },
            .algorithm => o.cfg.algorithm = std.meta.stringToEnum(chain_mod.Algorithm, value) orelse
                if (std.mem.eql(u8, value, "adaptive-mh")) .adaptive_mh else return usageError(msg, "option '--algorithm' expects nuts, hmc, mh, adaptive-mh, advi, pathfinder or smc, found '{s}'", .{value}),
            .@"vi-family" => o.cfg.vi.family = std.meta.stringToEnum(advi.Family, value) orelse
                return usageError(msg, "option '--vi-family' expects meanfield or fullrank, found '{s}'", .{value}),
            .@"tol-rel-obj" => o.cfg.vi.tol_rel_obj = try realArg(msg, name, value, 0, std.math.inf(f64), false, false),
            .@"vi-iter" => o.cfg.vi.max_iter = try intArg(msg, name, value, 1, 1 << 30),
            .@"vi-eta" => o.cfg.vi.eta = try realArg(msg, name, value, 0, std.math.inf(f64), false, false),
            .@"num-paths" => o.cfg.pathfinder.num_paths = try intArg(msg, name, value, 1, 1000),
            .metric => o.cfg.metric = std.meta.stringToEnum(chain_mod.MetricKind, value) orelse
                return usageError(msg, "option '--metric' expects diag or dense, found '{s}'", .{value}),
            .@"adapt-delta" => o.cfg.adapt_delta = try realArg(msg, name, value, 0, 1, false, false),
            .init => o.cfg.init_radius = try realArg(msg, name, value, 0, std.math.inf(f64), true, false),
            .stepsize => o.cfg.stepsize = try realArg(msg, name, value, 0, std.math.inf(f64), false, false),
            .jitter => o.cfg.jitter = try realArg(msg, name, value, 0, 1, true, false),
            .@"int-time" => o.cfg.int_time = try realArg(msg, name, value, 0, std.math.inf(f64), false, false),
            .@"save-warmup" => o.cfg.save_warmup = true,
            .quiet => o.quiet = true,
            .@"no-adapt" => o.cfg.adapt_engaged = false,
            .@"init-pathfinder" => o.cfg.init_pathfinder = true,
        }
    }
    if (o.cfg.algorithm == .smc and o.cfg.init_radius == 0) return usageError(msg, "option '--init' must be positive with --algorithm smc (it is the sd of the normal the particles start from)", .{});
    return o;
}

/// The options of `diagnose`.
fn parseDiagnoseArgs(args: []const []const u8, msg: *std.ArrayList(u8)) (ParseError || error{OutOfMemory})!Options {
    var o = Options{ .command = .diagnose };
    var seen = std.EnumSet(DiagFlag).initEmpty();
    var i: usize = 0;
    while (i < args.len) : (i += 1) {
        const arg = args[i];
        if (isHelp(arg)) {
            o.help = true;
            return o;
        }
        if (!std.mem.startsWith(u8, arg, "--")) return usageError(msg, "unexpected argument '{s}'", .{arg});
        var name = arg[2..];
        var value: []const u8 = "";
        if (std.mem.indexOfScalar(u8, name, '=')) |eq| {
            value = name[eq + 1 ..];
            name = name[0..eq];
        } else {
            if (i + 1 >= args.len) {
                if (std.meta.stringToEnum(DiagFlag, name) == null) return usageError(msg, "unknown option '--{s}' for diagnose", .{name});
                return usageError(msg, "option '--{s}' needs a value", .{name});
            }
            i += 1;
            value = args[i];
        }
        const flag = std.meta.stringToEnum(DiagFlag, name) orelse return usageError(msg, "unknown option '--{s}' for diagnose", .{name});
        if (seen.contains(flag)) return usageError(msg, "option '--{s}' is given twice", .{name});
        seen.insert(flag);
        switch (flag) {
            .data => o.data_file = value,
            .seed => {
                o.diag.seed = std.fmt.parseInt(u64, value, 10) catch return usageError(msg, "option '--seed' expects an integer in 0..18446744073709551615, found '{s}'", .{value});
                o.seed_given = true;
            },
            .init => o.diag.init_radius = try realArg(msg, name, value, 0, std.math.inf(f64), true, false),
            .points => o.diag.points = try intArg(msg, name, value, 1, 1_000_000),
            .epsilon => o.diag.epsilon = try realArg(msg, name, value, 0, 1, false, false),
            .@"error" => o.diag.tolerance = try realArg(msg, name, value, 0, std.math.inf(f64), false, false),
            .point => {
                var it = std.mem.splitScalar(u8, value, ',');
                while (it.next()) |t| {
                    const v = std.fmt.parseFloat(f64, std.mem.trim(u8, t, " ")) catch std.math.nan(f64);
                    if (!std.math.isFinite(v)) return usageError(msg, "option '--point' expects comma-separated finite numbers, found '{s}'", .{value});
                }
                o.point_text = value;
            },
        }
    }
    return o;
}

const SampleFlag = enum { data, summary, chains, warmup, draws, seed, algorithm, output, @"adapt-delta", @"max-depth", metric, threads, init, @"save-warmup", quiet, stepsize, jitter, @"int-time", @"no-adapt", @"vi-family", @"tol-rel-obj", @"vi-iter", @"vi-eta", @"num-paths", @"init-pathfinder" };

const DiagFlag = enum { data, seed, init, points, point, epsilon, @"error" };

/// The numbers of a validated `--point` argument (owned).
fn parsePoint(allocator: std.mem.Allocator, text: []const u8) ![]f64 {
    var list = std.ArrayList(f64).init(allocator);
    errdefer list.deinit();
    var it = std.mem.splitScalar(u8, text, ',');
    while (it.next()) |t| try list.append(try std.fmt.parseFloat(f64, std.mem.trim(u8, t, " ")));
    return list.toOwnedSlice();
}

fn isHelp(a: []const u8) bool {
    return std.mem.eql(u8, a, "--help") or std.mem.eql(u8, a, "-h") or std.mem.eql(u8, a, "help");
}

fn usageError(msg: *std.ArrayList(u8), comptime fmt: []const u8, args: anytype) (ParseError || error{OutOfMemory}) {
    try msg.writer().print(fmt, args);
    return error.Usage;
}

fn intArg(msg: *std.ArrayList(u8), name: []const u8, value: []const u8, lo: usize, hi: usize) (ParseError || error{OutOfMemory})!usize {
    const v = std.fmt.parseInt(usize, value, 10) catch return usageError(msg, "option '--{s}' expects an integer in {d}..{d}, found '{s}'", .{ name, lo, hi, value });
    if (v < lo or v > hi) return usageError(msg, "option '--{s}' expects an integer in {d}..{d}, found '{s}'", .{ name, lo, hi, value });
    return v;
}

/// A finite real in (lo, hi), with the ends included when `lo_closed` / `hi_closed`.
fn realArg(msg: *std.ArrayList(u8), name: []const u8, value: []const u8, lo: f64, hi: f64, lo_closed: bool, hi_closed: bool) (ParseError || error{OutOfMemory})!f64 {
    const v = std.fmt.parseFloat(f64, value) catch std.math.nan(f64);
    const ok = std.math.isFinite(v) and (v > lo or (lo_closed and v == lo)) and (v < hi or (hi_closed and v == hi));
    if (!ok) {
        var lb: [32]u8 = undefined;
        var hb: [32]u8 = undefined;
        const ls = std.fmt.bufPrint(&lb, "{d}", .{lo}) catch "?";
        const hs = if (std.math.isInf(hi)) "inf" else std.fmt.bufPrint(&hb, "{d}", .{hi}) catch "?";
        return usageError(msg, "option '--{s}' expects a number in {s}{s}, {s}{s}, found '{s}'", .{ name, if (lo_closed) "[" else "(", ls, hs, if (hi_closed) "]" else ")", value });
    }
    return v;
}

fn randomSeed() u64 {
    var s: u64 = 0;
    std.posix.getrandom(std.mem.asBytes(&s)) catch {
        s = @bitCast(std.time.milliTimestamp());
    };
    // keep seeds short enough to retype
    return s % 4_294_967_296;
}

/// Whether `--summary` names the `--data` file (which the summary would then replace).
fn summaryIsDataFile(allocator: std.mem.Allocator, opts: Options) bool {
    const summary_path = opts.summary_file orelse return false;
    const data_path = opts.data_file orelse return false;
    const a = std.fs.cwd().realpathAlloc(allocator, summary_path) catch return false;
    defer allocator.free(a);
    const b = std.fs.cwd().realpathAlloc(allocator, data_path) catch return false;
    defer allocator.free(b);
    return std.mem.eql(u8, a, b);
}

/// Runs the driver with the process arguments `argv` (argv[0] is the program name). Returns the
/// exit status.
pub fn main(program: *const model_mod.Program, argv: []const []const u8) u8 {
    const allocator = std.heap.smp_allocator;
    const stdout = std.io.getStdOut();
    const stderr = std.io.getStdErr().writer();
    const name = program.name.slice();
    var msg = std.ArrayList(u8).init(allocator);
    defer msg.deinit();
    const opts = parseArgs(if (argv.len > 0) argv[1..] else argv, &msg) catch |e| {
        if (e == error.Usage) {
            stderr.print("error: {s}\n\n", .{msg.items}) catch {};
            stderr.print(usage_text, .{ name, name, name }) catch {};
            return 2;
        }
        stderr.writeAll("error: out of memory\n") catch {};
        return 1;
    };
    if (opts.help) {
        stdout.writer().print(usage_text, .{ name, name, name }) catch {};
        return 0;
    }
    if (summaryIsDataFile(allocator, opts)) {
        stderr.print("error: --summary {s} is the data file itself, which writing the summary would overwrite; name another file\n", .{opts.summary_file.?}) catch {};
        return 2;
    }
    var cfg = opts.cfg;
    if (!opts.seed_given) cfg.seed = randomSeed();

    // data
    var data_msg: []u8 = &.{};
    const data = (if (opts.data_file) |f| data_mod.Data.load(allocator, f, &data_msg) else data_mod.Data.empty(allocator)) catch |e| {
        if (e == error.DataError) {
            stderr.print("error: {s}\n", .{data_msg}) catch {};
            allocator.free(data_msg);
        } else stderr.writeAll("error: out of memory while reading the data\n") catch {};
        return 1;
    };
    defer data.deinit();
    var model: model_mod.Model = undefined;
    if (!program.load(data.handle(), &model)) {
        const m = if (data.message.len > 0) data.message else "the model could not be set up from the data";
        stderr.print("error: {s}\n", .{m}) catch {};
        return 1;
    }
    defer program.unload(&model);

    if (opts.command == .diagnose) return runDiagnose(allocator, &model, name, opts);
    if (model.hasGibbs() and (cfg.algorithm.isVariational() or cfg.algorithm.isParticle())) {
        stderr.writeAll("error[E0338]: ") catch {};
        model.writeGibbsRefusal(stderr, cfg.algorithm.label()) catch {};
        stderr.writeAll("\n") catch {};
        return 1;
    }

    return sample(allocator, program, &model, cfg, name, opts);
}

/// The `sample` command on a loaded model: every output file is staged before sampling starts
/// (so a bad `--output` or `--summary` fails at once) and renamed into place only after a
/// successful run; the summary goes to stdout.
fn sample(allocator: std.mem.Allocator, program: *const model_mod.Program, model: *const model_mod.Model, cfg: Config, name: []const u8, opts: Options) u8 {
    var msg = std.ArrayList(u8).init(allocator);
    defer msg.deinit();
    const csv_files = run_mod.stageCsvFiles(allocator, opts.output_dir, name, cfg.chains, &msg) catch |e|
        return outputFailure(e, msg.items);
    defer run_mod.releaseCsvFiles(allocator, csv_files);
    var summary_file: ?files_mod.Staged = if (opts.summary_file) |path|
        files_mod.Staged.create(allocator, path, &msg) catch |e| return outputFailure(e, msg.items)
    else
        null;
    defer if (summary_file) |*f| {
        if (f.file != null) f.discard();
        f.deinit(allocator);
    };

    var result = run_mod.run(allocator, model, cfg, .{ .files = csv_files, .model_name = name, .data_file = opts.data_file orelse "" }, !opts.quiet) catch {
        errWriter().writeAll("error: out of memory while sampling\n") catch {};
        return 1;
    };
    defer result.deinit(allocator);
    if (result.failure()) |_| {
        printChainFailures(errWriter(), result.chains) catch {};
        return 1;
    }
    const stats = summary.computeStats(allocator, &result) catch {
        errWriter().writeAll("error: out of memory while summarising\n") catch {};
        return 1;
    };
    defer allocator.free(stats);
    if (summary_file) |*f| {
        writeSummaryJson(f.file.?, &result, stats) catch |e| {
            errWriter().print("error: cannot write '{s}': {s}\n", .{ f.final, oserror.describe(e) }) catch {};
            return 1;
        };
        f.commit(&msg) catch |e| return outputFailure(e, msg.items);
    }
    run_mod.commitCsvFiles(csv_files, &msg) catch |e| return outputFailure(e, msg.items);
    if (printSummary(&result, stats, name, opts.quiet)) |status| return status;
    return report(program, model, stats);
}

/// One line per failed chain, or one line for all chains when they failed for the same reason
/// ("error: all 4 chains: ...").
fn printChainFailures(w: anytype, chains: []const run_mod.ChainResult) !void {
    const shared = sharedReason(chains);
    if (shared) |why| return w.print("error: all {d} chains: {s}\n", .{ chains.len, why });
    for (chains) |c| if (c.err != null) try w.print("error: {s}\n", .{c.message});
}

/// The reason common to every chain's failure message ("chain k: <reason>"), if there is one.
fn sharedReason(chains: []const run_mod.ChainResult) ?[]const u8 {
    if (chains.len < 2) return null;
    const first = reasonOf(&chains[0]) orelse return null;
    for (chains[1..]) |*c| {
        const why = reasonOf(c) orelse return null;
        if (!std.mem.eql(u8, why, first)) return null;
    }
    return first;
}

fn reasonOf(c: *const run_mod.ChainResult) ?[]const u8 {
    if (c.err == null) return null;
    var buf: [32]u8 = undefined;
    const prefix = std.fmt.bufPrint(&buf, "chain {d}: ", .{c.index + 1}) catch return null;
    if (!std.mem.startsWith(u8, c.message, prefix)) return null;
    return c.message[prefix.len..];
}

test "chains that failed for the same reason are reported once" {
    var chains = [_]run_mod.ChainResult{
        .{ .index = 0, .err = error.InitFailed, .message = "chain 1: no good" },
        .{ .index = 1, .err = error.InitFailed, .message = "chain 2: no good" },
    };
    var out = std.ArrayList(u8).init(std.testing.allocator);
    defer out.deinit();
    try printChainFailures(out.writer(), &chains);
    try std.testing.expectEqualStrings("error: all 2 chains: no good\n", out.items);
    chains[1].message = "chain 2: other";
    out.clearRetainingCapacity();
    try printChainFailures(out.writer(), &chains);
    try std.testing.expectEqualStrings("error: chain 1: no good\nerror: chain 2: other\n", out.items);
}

/// Prints the summary table on stdout (or, with --quiet, only its warnings on stderr). Returns
/// an exit status when stdout cannot take it: 141 (quietly) when the reader has gone, 1 with a
/// message for any other write failure.
fn printSummary(result: *const run_mod.RunResult, stats: []const summary.ColumnStats, name: []const u8, quiet: bool) ?u8 {
    if (quiet) {
        // warnings still matter when the table is suppressed
        var bw = std.io.bufferedWriter(errWriter());
        _ = summary.writeWarnings(bw.writer(), result, stats) catch {};
        bw.flush() catch {};
        return null;
    }
    var bw = std.io.bufferedWriter(std.io.getStdOut().writer());
    writeSummaryTable(bw.writer(), result, stats, name) catch |e| return stdoutFailure(e);
    bw.flush() catch |e| return stdoutFailure(e);
    return null;
}

fn writeSummaryTable(w: anytype, result: *const run_mod.RunResult, stats: []const summary.ColumnStats, name: []const u8) !void {
    try w.print("{s}: ", .{name});
    try summary.write(w, result, stats);
}

/// The exit status for a failed write to stdout: a closed pipe (`model sample | head`) ends the
/// program quietly with 141, as if killed by SIGPIPE; anything else is an error.
fn stdoutFailure(e: anyerror) u8 {
    if (e == error.BrokenPipe) return broken_pipe_status;
    errWriter().print("error: cannot write to standard output: {s}\n", .{oserror.describe(e)}) catch {};
    return 1;
}

/// 128 + SIGPIPE: what a shell reports for a program killed by a closed pipe.
pub const broken_pipe_status: u8 = 141;

fn outputFailure(e: files_mod.Error, message: []const u8) u8 {
    switch (e) {
        error.OutputError => errWriter().print("error: {s}\n", .{message}) catch {},
        error.OutOfMemory => errWriter().writeAll("error: out of memory\n") catch {},
    }
    return 1;
}

fn errWriter() std.fs.File.Writer {
    return std.io.getStdErr().writer();
}

/// The `diagnose` command on a loaded model: the report goes to stdout.
fn runDiagnose(allocator: std.mem.Allocator, model: *const model_mod.Model, name: []const u8, opts: Options) u8 {
    const stderr = std.io.getStdErr().writer();
    var d = opts.diag;
    var point: []f64 = &.{};
    defer allocator.free(point);
    if (opts.point_text) |text| {
        point = parsePoint(allocator, text) catch {
            stderr.writeAll("error: out of memory\n") catch {};
            return 1;
        };
        if (point.len != model.dim) {
            stderr.print("error: --point has {d} value(s) but the model has {d} unconstrained parameter(s)\n", .{ point.len, model.dim }) catch {};
            return 2;
        }
        d.point = point;
    }
    var bw = std.io.bufferedWriter(std.io.getStdOut().writer());
    const status = diagnose_mod.run(allocator, model, name, d, bw.writer()) catch |e| {
        if (e != error.OutOfMemory) return stdoutFailure(e);
        bw.flush() catch {};
        stderr.writeAll("error: out of memory while checking the gradient\n") catch {};
        return 1;
    };
    bw.flush() catch |e| return stdoutFailure(e);
    return status;
}

/// The summary as JSON: `{"columns": [{name, mean, sd, mcse_mean, q5, q50, q95, rhat, ess_bulk,
/// ess_tail}], "chains": [{divergences, treedepth_hits, ebfmi, stepsize, mean_accept}]}`, the
/// chains of a variational method with elbo, converged, iterations and gradient_evaluations too,
/// those of SMC with log_evidence, stages and gradient_evaluations and the pooled log_evidence
/// and log_evidence_se at the top; non-finite numbers are written as null.
fn writeSummaryJson(file: std.fs.File, result: *const run_mod.RunResult, stats: []const summary.ColumnStats) !void {
    var bw = std.io.bufferedWriter(file.writer());
    const w = bw.writer();
    try w.writeAll("{\"columns\": [");
    for (stats, 0..) |c, i| {
        if (i > 0) try w.writeAll(", ");
        try w.writeAll("{\"name\": ");
        try std.json.stringify(c.name, .{}, w);
        const fields = .{ .mean = c.s.mean, .sd = c.s.sd, .mcse_mean = c.s.mcse_mean, .q5 = c.s.q5, .q50 = c.s.q50, .q95 = c.s.q95, .rhat = c.s.rhat, .ess_bulk = c.s.ess_bulk, .ess_tail = c.s.ess_tail };
        inline for (@typeInfo(@TypeOf(fields)).@"struct".fields) |f| {
            try w.print(", \"{s}\": ", .{f.name});
            try jsonNumber(w, @field(fields, f.name));
        }
        try w.writeAll("}");
    }
    try w.writeAll("], \"chains\": [");
    for (result.chains, 0..) |ch, i| {
        if (i > 0) try w.writeAll(", ");
        try w.print("{{\"divergences\": {d}, \"treedepth_hits\": {d}, \"ebfmi\": ", .{ ch.divergences, ch.treedepth_hits });
        try jsonNumber(w, ch.ebfmi);
        try w.writeAll(", \"stepsize\": ");
        try jsonNumber(w, ch.stepsize);
        try w.writeAll(", \"mean_accept\": ");
        try jsonNumber(w, ch.mean_accept);
        if (result.config.algorithm.isParticle()) {
            try w.writeAll(", \"log_evidence\": ");
            try jsonNumber(w, ch.log_evidence);
            try w.print(", \"stages\": {d}, \"gradient_evaluations\": {d}", .{ ch.smc_stages, ch.n_grad });
        }
        if (result.config.algorithm.isVariational()) {
            try w.writeAll(", \"elbo\": ");
            try jsonNumber(w, ch.elbo);
            try w.print(", \"converged\": {}, \"iterations\": {d}, \"gradient_evaluations\": {d}", .{ ch.vi_converged, ch.vi_iterations, ch.n_grad });
        }
        try w.writeAll("}");
    }
    try w.writeAll("]");
    if (result.config.algorithm.isParticle()) {
        const e = summary.pooledEvidence(result);
        try w.writeAll(", \"log_evidence\": ");
        try jsonNumber(w, e.log_evidence);
        try w.writeAll(", \"log_evidence_se\": ");
        try jsonNumber(w, e.se);
    }
    try w.writeAll("}\n");
    try bw.flush();
}

fn jsonNumber(w: anytype, x: f64) !void {
    if (!std.math.isFinite(x)) return w.writeAll("null");
    var buf: [numfmt.max_len]u8 = undefined;
    try w.writeAll(numfmt.formatShortest(&buf, x));
}

/// Hands the model's column statistics to its `report` hook, if it has one.
fn report(program: *const model_mod.Program, model: *const model_mod.Model, stats: []const summary.ColumnStats) u8 {
    const hook = program.report orelse return 0;
    const columns = stats[1..];
    const reports = std.heap.smp_allocator.alloc(model_mod.ColumnReport, columns.len) catch return 1;
    defer std.heap.smp_allocator.free(reports);
    for (columns, reports) |c, *r| r.* = c.s;
    return hook(model.data, reports.ptr, reports.len);
}

fn parseOk(args: []const []const u8) !Options {
    var msg = std.ArrayList(u8).init(std.testing.allocator);
    defer msg.deinit();
    return parseArgs(args, &msg);
}

fn expectUsage(args: []const []const u8, expected: []const u8) !void {
    var msg = std.ArrayList(u8).init(std.testing.allocator);
    defer msg.deinit();
    try std.testing.expectError(error.Usage, parseArgs(args, &msg));
    try std.testing.expectEqualStrings(expected, msg.items);
}

test "parseArgs: defaults and every option" {
    const d = try parseOk(&.{"sample"});
    try std.testing.expectEqual(@as(usize, 4), d.cfg.chains);
    try std.testing.expectEqual(@as(usize, 1000), d.cfg.warmup);
    try std.testing.expectEqual(@as(usize, 1000), d.cfg.draws);
    try std.testing.expectEqual(chain_mod.Algorithm.nuts, d.cfg.algorithm);
    try std.testing.expectEqual(chain_mod.MetricKind.diag, d.cfg.metric);
    try std.testing.expectEqualStrings(".", d.output_dir);
    try std.testing.expect(!d.seed_given);
    const o = try parseOk(&.{ "sample", "--data", "d.json", "--chains", "2", "--warmup=500", "--draws", "300", "--seed", "42", "--algorithm", "adaptive-mh", "--output", "out", "--adapt-delta", "0.95", "--max-depth", "12", "--metric", "dense", "--threads", "3", "--init", "0", "--save-warmup", "--quiet", "--stepsize", "0.1", "--jitter", "0.5", "--int-time", "3", "--no-adapt" });
    try std.testing.expectEqualStrings("d.json", o.data_file.?);
    try std.testing.expectEqual(@as(usize, 2), o.cfg.chains);
    try std.testing.expectEqual(@as(usize, 500), o.cfg.warmup);
    try std.testing.expectEqual(@as(usize, 300), o.cfg.draws);
    try std.testing.expectEqual(@as(u64, 42), o.cfg.seed);
    try std.testing.expect(o.seed_given);
    try std.testing.expectEqual(chain_mod.Algorithm.adaptive_mh, o.cfg.algorithm);
    try std.testing.expectEqualStrings("out", o.output_dir);
    try std.testing.expectEqual(@as(f64, 0.95), o.cfg.adapt_delta);
    try std.testing.expectEqual(@as(u32, 12), o.cfg.max_depth);
    try std.testing.expectEqual(chain_mod.MetricKind.dense, o.cfg.metric);
    try std.testing.expectEqual(@as(usize, 3), o.cfg.threads);
    try std.testing.expectEqual(@as(f64, 0), o.cfg.init_radius);
    try std.testing.expect(o.cfg.save_warmup and o.quiet and !o.cfg.adapt_engaged);
    try std.testing.expectEqual(@as(f64, 0.1), o.cfg.stepsize);
    try std.testing.expectEqual(@as(f64, 0.5), o.cfg.jitter);
    try std.testing.expectEqual(@as(f64, 3), o.cfg.int_time);
    try std.testing.expect((try parseOk(&.{"--help"})).help);
    try std.testing.expect((try parseOk(&.{ "sample", "-h" })).help);
    try std.testing.expectEqual(chain_mod.Algorithm.hmc, (try parseOk(&.{ "sample", "--algorithm=hmc" })).cfg.algorithm);
    const vi = try parseOk(&.{ "sample", "--algorithm", "advi", "--vi-family", "fullrank", "--tol-rel-obj", "0.001", "--vi-iter", "500", "--vi-eta", "0.1" });
    try std.testing.expectEqual(chain_mod.Algorithm.advi, vi.cfg.algorithm);
    try std.testing.expectEqual(advi.Family.fullrank, vi.cfg.vi.family);
    try std.testing.expectEqual(@as(f64, 0.001), vi.cfg.vi.tol_rel_obj);
    try std.testing.expectEqual(@as(usize, 500), vi.cfg.vi.max_iter);
    try std.testing.expectEqual(@as(f64, 0.1), vi.cfg.vi.eta);
    const pf = try parseOk(&.{ "sample", "--algorithm", "pathfinder", "--num-paths", "4" });
    try std.testing.expectEqual(chain_mod.Algorithm.pathfinder, pf.cfg.algorithm);
    try std.testing.expectEqual(@as(usize, 4), pf.cfg.pathfinder.num_paths);
    try std.testing.expect(!pf.cfg.init_pathfinder);
    try std.testing.expect((try parseOk(&.{ "sample", "--init-pathfinder" })).cfg.init_pathfinder);
}

test "parseArgs: clear errors for bad arguments" {
    try expectUsage(&.{}, "missing command: expected 'sample' or 'diagnose'");
    try expectUsage(&.{"run"}, "unknown command 'run': expected 'sample' or 'diagnose'");
    try expectUsage(&.{ "sample", "--chians", "2" }, "unknown option '--chians'");
    try expectUsage(&.{ "sample", "--chains" }, "option '--chains' needs a value");
    try expectUsage(&.{ "sample", "--chains", "0" }, "option '--chains' expects an integer in 1..1000000, found '0'");
    try expectUsage(&.{ "sample", "--draws", "many" }, "option '--draws' expects an integer in 1..1099511627776, found 'many'");
    try expectUsage(&.{ "sample", "--adapt-delta", "1" }, "option '--adapt-delta' expects a number in (0, 1), found '1'");
    try expectUsage(&.{ "sample", "--init", "-1" }, "option '--init' expects a number in [0, inf), found '-1'");
    try expectUsage(&.{ "sample", "--vi-family", "diag" }, "option '--vi-family' expects meanfield or fullrank, found 'diag'");
    try expectUsage(&.{ "sample", "--algorithm", "gibbs" }, "option '--algorithm' expects nuts, hmc, mh, adaptive-mh, advi, pathfinder or smc, found 'gibbs'");
    try expectUsage(&.{ "sample", "--algorithm", "smc", "--init", "0" }, "option '--init' must be positive with --algorithm smc (it is the sd of the normal the particles start from)");
    try expectUsage(&.{ "sample", "--num-paths", "0" }, "option '--num-paths' expects an integer in 1..1000, found '0'");
    try expectUsage(&.{ "sample", "--metric", "full" }, "option '--metric' expects diag or dense, found 'full'");
    try expectUsage(&.{ "sample", "--seed", "-3" }, "option '--seed' expects an integer in 0..18446744073709551615, found '-3'");
    try expectUsage(&.{ "sample", "--quiet=yes" }, "option '--quiet' takes no value");
    try expectUsage(&.{ "sample", "extra" }, "unexpected argument 'extra'");
    try expectUsage(&.{ "sample", "--max-depth", "31" }, "option '--max-depth' expects an integer in 1..30, found '31'");
    try expectUsage(&.{ "sample", "--seed", "1", "--chains", "2", "--seed=2" }, "option '--seed' is given twice");
    try expectUsage(&.{ "sample", "--quiet", "--quiet" }, "option '--quiet' is given twice");
}

test "parseArgs: diagnose and its options" {
    const d = try parseOk(&.{"diagnose"});
    try std.testing.expectEqual(Command.diagnose, d.command);
    try std.testing.expectEqual(@as(f64, 1e-6), d.diag.tolerance);
    const o = try parseOk(&.{ "diagnose", "--data", "d.json", "--seed", "4", "--init=0.5", "--points", "3", "--epsilon", "1e-4", "--error", "1e-8", "--point", "1, -2.5,3" });
    try std.testing.expectEqualStrings("d.json", o.data_file.?);
    try std.testing.expectEqual(@as(u64, 4), o.diag.seed);
    try std.testing.expectEqual(@as(f64, 0.5), o.diag.init_radius);
    try std.testing.expectEqual(@as(usize, 3), o.diag.points);
    try std.testing.expectEqual(@as(f64, 1e-4), o.diag.epsilon);
    try std.testing.expectEqual(@as(f64, 1e-8), o.diag.tolerance);
    const pt = try parsePoint(std.testing.allocator, o.point_text.?);
    defer std.testing.allocator.free(pt);
    try std.testing.expectEqualSlices(f64, &.{ 1, -2.5, 3 }, pt);
    try std.testing.expect((try parseOk(&.{ "diagnose", "--help" })).help);
    try expectUsage(&.{ "diagnose", "--chains", "2" }, "unknown option '--chains' for diagnose");
    try expectUsage(&.{ "diagnose", "--point", "1,x" }, "option '--point' expects comma-separated finite numbers, found '1,x'");
    try expectUsage(&.{ "diagnose", "--epsilon", "2" }, "option '--epsilon' expects a number in (0, 1), found '2'");
    try expectUsage(&.{ "diagnose", "--points" }, "option '--points' needs a value");
    try expectUsage(&.{ "diagnose", "--seed", "1", "--seed", "1" }, "option '--seed' is given twice");
}

test "main runs diagnose: status 0 for a correct gradient, 2 for a point of the wrong size" {
    const testmodels = @import("testmodels.zig");
    const Prog = struct {
        var inst = testmodels.Correlated2{};
        fn load(_: *model_mod.DataHandle, m: *model_mod.Model) callconv(.C) bool {
            m.* = model_mod.fromShared(testmodels.Correlated2, &inst);
            return true;
        }
        fn unload(_: *model_mod.Model) callconv(.C) void {}
    };
    const prog = model_mod.Program{ .name = model_mod.Str.from("corr"), .load = &Prog.load, .unload = &Prog.unload };
    try std.testing.expectEqual(@as(u8, 0), main(&prog, &.{ "corr", "diagnose", "--seed", "2", "--points", "2" }));
    try std.testing.expectEqual(@as(u8, 0), main(&prog, &.{ "corr", "diagnose", "--point", "0.5,0.25" }));
    try std.testing.expectEqual(@as(u8, 2), main(&prog, &.{ "corr", "diagnose", "--point", "0.5" }));
}

test "randomSeed is below 2^32" {
    try std.testing.expect(randomSeed() < 4_294_967_296);
}

test "main runs a model end to end: CSV files, exit status 0; data errors give 1" {
    const testmodels = @import("testmodels.zig");
    const Prog = struct {
        var inst = testmodels.Correlated2{};
        fn load(h: *model_mod.DataHandle, m: *model_mod.Model) callconv(.C) bool {
            const d = data_mod.Data.fromHandle(h);
            // the model reads one optional field, to exercise the data path
            if (d.has("r")) inst.r = d.getReal("r") catch return false;
            m.* = model_mod.fromShared(testmodels.Correlated2, &inst);
            return true;
        }
        fn unload(_: *model_mod.Model) callconv(.C) void {}
    };
    const prog = model_mod.Program{ .name = model_mod.Str.from("corr"), .load = &Prog.load, .unload = &Prog.unload };
    const a = std.testing.allocator;
    var tmp = std.testing.tmpDir(.{});
    defer tmp.cleanup();
    const dir = try std.fmt.allocPrint(a, ".zig-cache/tmp/{s}/o", .{tmp.sub_path});
    defer a.free(dir);
    const data_path = try std.fmt.allocPrint(a, ".zig-cache/tmp/{s}/d.json", .{tmp.sub_path});
    defer a.free(data_path);
    try tmp.dir.writeFile(.{ .sub_path = "d.json", .data = "{\"r\": 0.5}" });
    try std.testing.expectEqual(@as(u8, 0), main(&prog, &.{ "corr", "sample", "--quiet", "--data", data_path, "--output", dir, "--seed", "5", "--chains", "2", "--warmup", "150", "--draws", "100" }));
    try std.testing.expectEqual(@as(f64, 0.5), Prog.inst.r);
    for ([_][]const u8{ "corr_chain_1.csv", "corr_chain_2.csv" }) |f| {
        const path = try std.fmt.allocPrint(a, "{s}/{s}", .{ dir, f });
        defer a.free(path);
        const text = try std.fs.cwd().readFileAlloc(a, path, 1 << 20);
        defer a.free(text);
        var csv_file = try @import("csv.zig").parse(a, text);
        defer csv_file.deinit();
        try std.testing.expectEqual(@as(usize, 100), csv_file.rows);
        try std.testing.expect(std.mem.indexOf(u8, text, "#   seed = 5\n") != null);
    }
    try tmp.dir.writeFile(.{ .sub_path = "d.json", .data = "{\"r\": \"high\"}" });
    try std.testing.expectEqual(@as(u8, 1), main(&prog, &.{ "corr", "sample", "--quiet", "--data", data_path, "--output", dir }));
}
