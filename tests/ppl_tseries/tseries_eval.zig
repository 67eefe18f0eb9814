//! Evaluates the time-series densities (`ar`, `arma11`, `garch11`, `local_level`, `local_linear_trend`, `hmm_marginal`) for the
//! NumPy cross-check (check_numpy.py). Reads lines
//!
//!     ar y mu phi sigma
//!     arma11 y mu phi theta sigma
//!     garch11 y mu alpha0 alpha1 beta1 sigma1
//!     local_level y sigma_level sigma_obs a1 p1
//!     local_linear_trend y sigma_level sigma_slope sigma_obs a1_level a1_slope p1
//!     hmm_marginal T K log_omega Gamma rho        (matrices row-major)
//!
//! where lists are comma-separated ("-" is the empty list), and prints for each one line
//!
//!     value | reverse-mode gradient ... | forward-mode gradient ...
//!
//! with the gradients over every real input in the order given (17 significant digits), or
//! "error: <message>". Built like tests/ppl_dist/dist_eval.zig:
//!
//!   zig build-exe -OReleaseSafe --dep ppl -Mroot=tests/ppl_tseries/tseries_eval.zig \
//!       -Mppl=runtime/ppl/math_root.zig --name tseries_eval

const std = @import("std");
const ppl = @import("ppl");
const dist = ppl.dist;
const ad = ppl.ad;
const linalg = ppl.linalg;

const ParseError = error{ BadNumber, BadArity, UnknownDistribution, OutOfMemory };

/// One parsed case: the density, the shape of its inputs and every real input, flattened.
const Case = struct {
    name: []const u8,
    /// lengths of the list inputs in order (y, then phi for ar; T, K for hmm_marginal)
    n: usize = 0,
    p: usize = 0,
    x: []f64,
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
    const args = toks.items[1..];
    var xs = std.ArrayList(f64).init(a);
    var case = Case{ .name = name, .x = &.{} };
    if (std.mem.eql(u8, name, "hmm_marginal")) {
        if (args.len != 5) return error.BadArity;
        case.n = std.fmt.parseInt(usize, args[0], 10) catch return error.BadNumber;
        case.p = std.fmt.parseInt(usize, args[1], 10) catch return error.BadNumber;
        for (args[2..]) |t| _ = try appendList(&xs, t);
        if (xs.items.len != case.n * case.p + case.p * case.p + case.p) return error.BadArity;
    } else {
        const arity: usize = if (std.mem.eql(u8, name, "ar")) 4 else if (std.mem.eql(u8, name, "garch11")) 6 else if (std.mem.eql(u8, name, "local_linear_trend")) 7 else if (std.mem.eql(u8, name, "local_level") or std.mem.eql(u8, name, "arma11")) 5 else return error.UnknownDistribution;
        if (args.len != arity) return error.BadArity;
        case.n = try appendList(&xs, args[0]);
        for (args[1..], 1..) |t, i| {
            const len = try appendList(&xs, t);
            if (i == 2 and arity == 4) case.p = len else if (len != 1) return error.BadArity;
        }
    }
    case.x = xs.items;
    return case;
}

/// The density of `c` at the inputs `x` (the case's values as `S.Real`s).
fn eval(comptime S: type, c: Case, x: []const S.Real) dist.Error!S.Real {
    const n = c.n;
    if (std.mem.eql(u8, c.name, "ar")) return dist.ar.lpdf(S, x[0..n], x[n], x[n + 1 .. n + 1 + c.p], x[n + 1 + c.p]);
    if (std.mem.eql(u8, c.name, "arma11")) return dist.arma11.lpdf(S, x[0..n], x[n], x[n + 1], x[n + 2], x[n + 3]);
    if (std.mem.eql(u8, c.name, "garch11")) return dist.garch11.lpdf(S, x[0..n], x[n], x[n + 1], x[n + 2], x[n + 3], x[n + 4]);
    if (std.mem.eql(u8, c.name, "local_linear_trend")) return dist.local_linear_trend.lpdf(S, x[0..n], x[n], x[n + 1], x[n + 2], x[n + 3], x[n + 4], x[n + 5]);
    if (std.mem.eql(u8, c.name, "local_level")) return dist.local_level.lpdf(S, x[0..n], x[n], x[n + 1], x[n + 2], x[n + 3]);
    const t = c.n;
    const k = c.p;
    const lo = linalg.Matrix(S.Real){ .data = x[0 .. t * k], .rows = t, .cols = k };
    const gm = linalg.Matrix(S.Real){ .data = x[t * k .. t * k + k * k], .rows = k, .cols = k };
    return dist.hmm_marginal.lpdf(S, lo, gm, x[t * k + k * k ..]);
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
