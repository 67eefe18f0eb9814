//! Evaluates the densities `arma` and `seasonal_local_level` for the NumPy cross-check
//! (check_numpy.py in this folder). Reads lines
//!
//!     arma y mu phi theta sigma
//!     seasonal_local_level period y sigma_level sigma_season sigma_obs a1 p1
//!
//! where lists are comma-separated ("-" is the empty list) and `period` is an integer, and
//! prints for each one line
//!
//!     value | reverse-mode gradient ... | forward-mode gradient ...
//!
//! with the gradients over every real input in the order given (17 significant digits), or
//! "error: <message>". Built like tests/ppl_tseries/tseries_eval.zig:
//!
//!   zig build-exe -OReleaseSafe --dep ppl -Mroot=tests/ppl_tseries2/tseries2_eval.zig \
//!       -Mppl=runtime/ppl/math_root.zig --name tseries2_eval

const std = @import("std");
const ppl = @import("ppl");
const dist = ppl.dist;
const ad = ppl.ad;

const ParseError = error{ BadNumber, BadArity, UnknownDistribution, OutOfMemory };

/// One parsed case: the density, the lengths of its list inputs and every real input, flattened.
const Case = struct {
    name: []const u8,
    /// the length of each real input (y first), in order
    lens: [8]usize = .{0} ** 8,
    count: usize = 0,
    period: i64 = 0,
    x: []f64,

    /// The inputs from `at` (of `lens[i]` values).
    fn slice(c: Case, comptime T: type, x: []const T, i: usize) []const T {
        var at: usize = 0;
        for (c.lens[0..i]) |l| at += l;
        return x[at .. at + c.lens[i]];
    }
};

fn parseF(tok: []const u8) ParseError!f64 {
    return std.fmt.parseFloat(f64, tok) catch error.BadNumber;
}

fn appendList(list: *std.ArrayList(f64), tok: []const u8) ParseError!usize {
    if (std.mem.eql(u8, tok, "-")) return 0;
    var it = std.mem.splitScalar(u8, tok, ',');
    var count: usize = 0;
    while (it.next()) |t| {
        try list.append(try parseF(t));
        count += 1;
    }
    return count;
}

fn parseCase(a: std.mem.Allocator, line: []const u8) ParseError!Case {
    var toks = std.ArrayList([]const u8).init(a);
    var it = std.mem.tokenizeAny(u8, line, " \t\r");
    while (it.next()) |t| try toks.append(t);
    if (toks.items.len == 0) return error.BadArity;
    const name = toks.items[0];
    var args = toks.items[1..];
    var case = Case{ .name = name, .x = &.{} };
    var arity: usize = 5;
    if (std.mem.eql(u8, name, "seasonal_local_level")) {
        if (args.len == 0) return error.BadArity;
        case.period = std.fmt.parseInt(i64, args[0], 10) catch return error.BadNumber;
        args = args[1..];
        arity = 6;
    } else if (!std.mem.eql(u8, name, "arma")) return error.UnknownDistribution;
    if (args.len != arity) return error.BadArity;
    var xs = std.ArrayList(f64).init(a);
    for (args, 0..) |t, i| case.lens[i] = try appendList(&xs, t);
    case.count = arity;
    case.x = xs.items;
    return case;
}

/// The density of `c` at the inputs `x` (the case's values as `S.Real`s).
fn eval(comptime S: type, c: Case, x: []const S.Real) dist.Error!S.Real {
    const y = c.slice(S.Real, x, 0);
    if (std.mem.eql(u8, c.name, "arma")) return dist.arma.lpdf(S, y, c.slice(S.Real, x, 1)[0], c.slice(S.Real, x, 2), c.slice(S.Real, x, 3), c.slice(S.Real, x, 4)[0]);
    const n = y.len;
    return dist.seasonal_local_level.lpdf(S, y, x[n], x[n + 1], x[n + 2], c.period, x[n + 3], x[n + 4]);
}

fn run(a: std.mem.Allocator, c: Case, out: anytype) !void {
    const m = c.x.len;
    const v = eval(ad.F64, c, c.x) catch {
        try out.print("error: {s}\n", .{dist.lastError()});
        return;
    };
    try out.print("{e:.16} |", .{v});
    ad.Rev.reset();
    const vars = try a.alloc(ad.Var, m);
    for (vars, c.x) |*w, xi| w.* = ad.Rev.independent(xi);
    const r = try eval(ad.Rev, c, vars);
    const grad = try a.alloc(f64, m);
    ad.Rev.gradient(r, vars, grad);
    for (grad) |g| try out.print(" {e:.16}", .{g});
    try out.writeAll(" |");
    const duals = try a.alloc(ad.Dual, m);
    for (0..m) |j| {
        for (duals, c.x, 0..) |*d, xi, i| d.* = ad.Fwd.dual(xi, if (i == j) 1 else 0);
        const f = try eval(ad.Fwd, c, duals);
        try out.print(" {e:.16}", .{f.tan});
    }
    try out.writeAll("\n");
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
        const c = parseCase(arena.allocator(), line_buf.items) catch |err| {
            try out.print("error: {s}\n", .{@errorName(err)});
            continue;
        };
        try run(arena.allocator(), c, out);
    }
    try bw.flush();
    ad.Rev.deinit();
    dist.deinitThread();
}
