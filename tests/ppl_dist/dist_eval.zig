//! Evaluates distribution functions for the SciPy cross-check (check_scipy.py). Reads lines
//!
//!     name[.fn] y p1 p2 ...
//!
//! on stdin, where fn is lpdf / lpmf (the default, from the catalog), lcdf or lccdf, and each
//! argument is a number, or a comma-separated list for vectors, simplexes, count arrays and
//! square matrices (row-major; the dimension is the square root of the length). Prints one line
//! per input: the value with 17 significant digits, "-inf"/"inf", or "error: <message>".
//!
//! Zig 0.14 refuses relative imports outside a module's directory, so the runtime is imported
//! as the named module "ppl":
//!
//!   zig build-exe -OReleaseSafe --dep ppl -Mroot=tests/ppl_dist/dist_eval.zig \
//!       -Mppl=runtime/ppl/math_root.zig --name dist_eval

const std = @import("std");
const ppl = @import("ppl");
const dist = ppl.dist;
const linalg = ppl.linalg;
const F64 = ppl.ad.F64;

const ParseError = error{ BadNumber, BadArity, BadMatrix, Unsupported, UnknownDistribution, OutOfMemory };

fn parseF(tok: []const u8) ParseError!f64 {
    if (std.mem.eql(u8, tok, "inf")) return std.math.inf(f64);
    if (std.mem.eql(u8, tok, "-inf")) return -std.math.inf(f64);
    if (std.mem.eql(u8, tok, "nan")) return std.math.nan(f64);
    return std.fmt.parseFloat(f64, tok) catch error.BadNumber;
}

fn parseI(tok: []const u8) ParseError!i64 {
    return std.fmt.parseInt(i64, tok, 10) catch error.BadNumber;
}

fn parseFList(a: std.mem.Allocator, tok: []const u8) ParseError![]const f64 {
    var list = std.ArrayList(f64).init(a);
    var it = std.mem.splitScalar(u8, tok, ',');
    while (it.next()) |t| try list.append(try parseF(t));
    return list.toOwnedSlice();
}

fn parseIList(a: std.mem.Allocator, tok: []const u8) ParseError![]const i64 {
    var list = std.ArrayList(i64).init(a);
    var it = std.mem.splitScalar(u8, tok, ',');
    while (it.next()) |t| try list.append(try parseI(t));
    return list.toOwnedSlice();
}

fn parseMatrix(a: std.mem.Allocator, tok: []const u8) ParseError!linalg.Matrix(f64) {
    const d = try parseFList(a, tok);
    const n: usize = @intFromFloat(@round(@sqrt(@as(f64, @floatFromInt(d.len)))));
    if (n * n != d.len) return error.BadMatrix;
    return .{ .data = d, .rows = n, .cols = n };
}

/// The Zig type and parsed value of an argument of the given kind.
fn ArgType(comptime kind: dist.Kind) type {
    return switch (kind) {
        .real, .positive_real, .nonnegative_real, .probability => f64,
        .int, .nonnegative_int => i64,
        .vector, .positive_vector, .simplex => []const f64,
        .count_array, .int_array => []const i64,
        .cov_matrix, .cholesky_factor_cov, .cholesky_factor_corr, .corr_matrix => linalg.Matrix(f64),
        .data_matrix, .real_matrix, .stochastic_matrix => void,
    };
}

fn parseArg(comptime kind: dist.Kind, a: std.mem.Allocator, tok: []const u8) ParseError!ArgType(kind) {
    return switch (kind) {
        .real, .positive_real, .nonnegative_real, .probability => parseF(tok),
        .int, .nonnegative_int => parseI(tok),
        .vector, .positive_vector, .simplex => parseFList(a, tok),
        .count_array, .int_array => parseIList(a, tok),
        .cov_matrix, .cholesky_factor_cov, .cholesky_factor_corr, .corr_matrix => parseMatrix(a, tok),
        .data_matrix, .real_matrix, .stochastic_matrix => error.Unsupported,
    };
}

/// The kind of the value argument y as it is passed to the density (discrete scalars are ints).
fn valueKind(comptime e: dist.Entry) dist.Kind {
    return if (e.value == .real and e.discrete) .int else e.value;
}

/// Whether every argument of the entry can be read from a line (GLM design matrices and
/// hmm_marginal's matrices cannot; tests/ppl_tseries checks those densities).
fn parseable(comptime e: dist.Entry) bool {
    if (ArgType(valueKind(e)) == void) return false;
    for (e.params) |p| {
        if (ArgType(p.kind) == void) return false;
    }
    return true;
}

const Outcome = union(enum) { value: f64, err: []const u8 };

fn evalEntry(comptime e: dist.Entry, a: std.mem.Allocator, func: []const u8, toks: []const []const u8) ParseError!Outcome {
    if (comptime !parseable(e)) return error.Unsupported;
    if (toks.len != e.params.len + 1) return error.BadArity;
    const D = @field(dist, e.name);
    const Args = comptime blk: {
        var types: [e.params.len + 1]type = undefined;
        types[0] = ArgType(valueKind(e));
        for (e.params, 0..) |p, i| types[i + 1] = ArgType(p.kind);
        break :blk std.meta.Tuple(&types);
    };
    var args: Args = undefined;
    args[0] = try parseArg(valueKind(e), a, toks[0]);
    inline for (e.params, 0..) |p, i| args[i + 1] = try parseArg(p.kind, a, toks[i + 1]);
    // the mode S is a comptime argument in front of the parsed ones
    const r = blk: {
        if (std.mem.eql(u8, func, e.density_fn) or func.len == 0) break :blk @call(.auto, @field(D, e.density_fn), .{F64} ++ args);
        if (comptime e.has_cdf) {
            if (std.mem.eql(u8, func, "lcdf")) break :blk @call(.auto, D.lcdf, .{F64} ++ args);
            if (std.mem.eql(u8, func, "lccdf")) break :blk @call(.auto, D.lccdf, .{F64} ++ args);
        }
        return error.Unsupported;
    };
    const v = r catch return .{ .err = dist.lastError() };
    return .{ .value = v };
}

fn evalLine(a: std.mem.Allocator, line: []const u8) ParseError!Outcome {
    var toks = std.ArrayList([]const u8).init(a);
    var it = std.mem.tokenizeAny(u8, line, " \t\r");
    while (it.next()) |t| try toks.append(t);
    if (toks.items.len == 0) return error.BadArity;
    const head = toks.items[0];
    const dot = std.mem.indexOfScalar(u8, head, '.');
    const name = if (dot) |d| head[0..d] else head;
    const func = if (dot) |d| head[d + 1 ..] else "";
    inline for (dist.catalog) |e| {
        if (std.mem.eql(u8, name, e.name)) {
            return evalEntry(e, a, func, toks.items[1..]);
        }
    }
    return error.UnknownDistribution;
}

pub fn main() !void {
    var gpa: std.heap.DebugAllocator(.{}) = .init;
    defer _ = gpa.deinit();
    var bw = std.io.bufferedWriter(std.io.getStdOut().writer());
    const out = bw.writer();
    const in = std.io.getStdIn().reader();
    var line_buf = std.ArrayList(u8).init(gpa.allocator());
    defer line_buf.deinit();
    while (true) {
        line_buf.clearRetainingCapacity();
        in.streamUntilDelimiter(line_buf.writer(), '\n', null) catch |err| switch (err) {
            error.EndOfStream => if (line_buf.items.len == 0) break,
            else => return err,
        };
        var arena = std.heap.ArenaAllocator.init(gpa.allocator());
        defer arena.deinit();
        const res = evalLine(arena.allocator(), line_buf.items) catch |err| {
            try out.print("error: {s}\n", .{@errorName(err)});
            continue;
        };
        switch (res) {
            .value => |v| {
                if (std.math.isInf(v)) {
                    try out.writeAll(if (v > 0) "inf\n" else "-inf\n");
                } else {
                    try out.print("{e:.16}\n", .{v});
                }
            },
            .err => |m| try out.print("error: {s}\n", .{m}),
        }
    }
    try bw.flush();
    dist.deinitThread();
}
