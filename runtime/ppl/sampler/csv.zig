//! Stan CSV output, in CmdStan's layout, and a reader for it.
//!
//! A file holds one chain: `#` comment lines with the configuration (CmdStan's indented
//! `key = value` tree, which ArviZ's `from_cmdstan` parses for `num_warmup`, `save_warmup`,
//! `thin`), the header `lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,
//! energy__,<model columns>`, optional warmup rows, the adaptation result (`# Adaptation
//! terminated`, `# Step size = ...`, `# Diagonal elements of inverse mass matrix:` and the values),
//! the post-warmup rows, and the elapsed times. Numbers are written with `numfmt.formatShortest`
//! (shortest round-trip decimal; `nan`, `inf`, `-inf`), so reading a file back gives the exact
//! doubles that were sampled.

const std = @import("std");
const numfmt = @import("numfmt.zig");
const model_mod = @import("model.zig");

/// The sampler columns that precede the model's columns, in CmdStan's order.
pub const sampler_columns = [_][]const u8{ "lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__" };

/// What the header comments describe (everything is borrowed).
pub const HeaderInfo = struct {
    model_name: []const u8,
    /// "nuts", "hmc", "mh" or "adaptive-mh".
    algorithm: []const u8,
    metric: []const u8 = "diag_e",
    num_samples: usize,
    num_warmup: usize,
    save_warmup: bool,
    adapt_engaged: bool,
    delta: f64,
    gamma: f64,
    kappa: f64,
    t0: f64,
    init_buffer: usize,
    term_buffer: usize,
    window: usize,
    max_depth: u32,
    stepsize: f64,
    jitter: f64,
    int_time: f64,
    chain_id: usize,
    data_file: []const u8,
    init_radius: f64,
    seed: u64,
    output_file: []const u8,
    threads: usize,
};

fn num(x: f64) Num {
    return .{ .x = x };
}

const Num = struct {
    x: f64,
    pub fn format(self: Num, comptime f: []const u8, o: std.fmt.FormatOptions, w: anytype) !void {
        _ = f;
        _ = o;
        try numfmt.writeShortest(w, self.x);
    }
};

/// Writes the configuration comments and the header line.
pub fn writeHeader(w: anytype, info: HeaderInfo, column_names: []const model_mod.Str) !void {
    const is_hmc = std.mem.eql(u8, info.algorithm, "nuts") or std.mem.eql(u8, info.algorithm, "hmc");
    try w.print("# model = {s}\n", .{info.model_name});
    try w.writeAll("# method = sample\n#   sample\n");
    try w.print("#     num_samples = {d}\n#     num_warmup = {d}\n", .{ info.num_samples, info.num_warmup });
    try w.print("#     save_warmup = {s}\n#     thin = 1\n", .{if (info.save_warmup) "true" else "false"});
    try w.print("#     adapt\n#       engaged = {s}\n", .{if (info.adapt_engaged) "true" else "false"});
    if (is_hmc) {
        try w.print("#       gamma = {}\n#       delta = {}\n#       kappa = {}\n#       t0 = {}\n", .{ num(info.gamma), num(info.delta), num(info.kappa), num(info.t0) });
        try w.print("#       init_buffer = {d}\n#       term_buffer = {d}\n#       window = {d}\n", .{ info.init_buffer, info.term_buffer, info.window });
    }
    if (std.mem.eql(u8, info.algorithm, "nuts")) {
        try w.print("#     algorithm = hmc\n#       hmc\n#         engine = nuts\n#           nuts\n#             max_depth = {d}\n", .{info.max_depth});
    } else if (std.mem.eql(u8, info.algorithm, "hmc")) {
        try w.print("#     algorithm = hmc\n#       hmc\n#         engine = static\n#           static\n#             int_time = {}\n", .{num(info.int_time)});
    } else {
        try w.print("#     algorithm = {s}\n", .{info.algorithm});
    }
    if (is_hmc) {
        try w.print("#         metric = {s}\n#         stepsize = {}\n#         stepsize_jitter = {}\n", .{ info.metric, num(info.stepsize), num(info.jitter) });
    }
    try w.print("# id = {d}\n# data\n#   file = {s}\n# init = {}\n# random\n#   seed = {d}\n", .{ info.chain_id, info.data_file, num(info.init_radius), info.seed });
    try w.print("# output\n#   file = {s}\n# num_threads = {d}\n# generator = sev sampler\n", .{ info.output_file, info.threads });
    for (sampler_columns, 0..) |c, i| {
        if (i > 0) try w.writeByte(',');
        try w.writeAll(c);
    }
    for (column_names) |c| {
        try w.writeByte(',');
        try w.writeAll(c.slice());
    }
    try w.writeByte('\n');
}

/// Writes one draw. Values are formatted into a local buffer and written with one call.
pub fn writeRow(w: anytype, row: []const f64) !void {
    var line: [4096]u8 = undefined;
    var n: usize = 0;
    for (row, 0..) |x, i| {
        if (n + numfmt.max_len + 2 > line.len) {
            try w.writeAll(line[0..n]);
            n = 0;
        }
        if (i > 0) {
            line[n] = ',';
            n += 1;
        }
        var buf: [numfmt.max_len]u8 = undefined;
        const s = numfmt.formatShortest(&buf, x);
        @memcpy(line[n .. n + s.len], s);
        n += s.len;
    }
    line[n] = '\n';
    n += 1;
    try w.writeAll(line[0..n]);
}

/// Adaptation result of an HMC sampler. `inv_metric` has d entries (diagonal) or d×d (dense).
pub fn writeAdaptation(w: anytype, stepsize: f64, dense: bool, d: usize, inv_metric: []const f64) !void {
    try w.print("# Adaptation terminated\n# Step size = {}\n", .{num(stepsize)});
    if (!dense) {
        try w.writeAll("# Diagonal elements of inverse mass matrix:\n# ");
        for (inv_metric, 0..) |v, i| {
            if (i > 0) try w.writeAll(", ");
            try numfmt.writeShortest(w, v);
        }
        try w.writeByte('\n');
    } else {
        try w.writeAll("# Elements of inverse mass matrix:\n");
        for (0..d) |i| {
            try w.writeAll("# ");
            for (0..d) |j| {
                if (j > 0) try w.writeAll(", ");
                try numfmt.writeShortest(w, inv_metric[i * d + j]);
            }
            try w.writeByte('\n');
        }
    }
}

/// Adaptation result of a Metropolis sampler: the proposal scale and, for adaptive Metropolis,
/// the proposal covariance (d×d, before the 2.38²/d factor).
pub fn writeProposal(w: anytype, scale: f64, d: usize, covariance: ?[]const f64) !void {
    try w.print("# Adaptation terminated\n# Step size = {}\n", .{num(scale)});
    if (covariance) |c| {
        try w.writeAll("# Elements of proposal covariance:\n");
        for (0..d) |i| {
            try w.writeAll("# ");
            for (0..d) |j| {
                if (j > 0) try w.writeAll(", ");
                try numfmt.writeShortest(w, c[i * d + j]);
            }
            try w.writeByte('\n');
        }
    }
}

pub fn writeTiming(w: anytype, warmup_s: f64, sampling_s: f64) !void {
    try w.print("# \n#  Elapsed Time: {d:.3} seconds (Warm-up)\n", .{warmup_s});
    try w.print("#                {d:.3} seconds (Sampling)\n", .{sampling_s});
    try w.print("#                {d:.3} seconds (Total)\n# \n", .{warmup_s + sampling_s});
}

/// A parsed Stan CSV file (all rows, warmup rows included if the file has them).
pub const CsvFile = struct {
    arena: std.heap.ArenaAllocator,
    columns: [][]const u8,
    /// Row-major values, `rows` × `columns.len`.
    values: []f64,
    rows: usize,
    comments: [][]const u8,

    pub fn deinit(self: *CsvFile) void {
        self.arena.deinit();
    }

    pub fn row(self: *const CsvFile, i: usize) []const f64 {
        return self.values[i * self.columns.len .. (i + 1) * self.columns.len];
    }

    pub fn columnIndex(self: *const CsvFile, name: []const u8) ?usize {
        for (self.columns, 0..) |c, i| if (std.mem.eql(u8, c, name)) return i;
        return null;
    }
};

pub const ReadError = error{ MissingHeader, RaggedRow, BadNumber, OutOfMemory };

/// Parses a Stan CSV text.
pub fn parse(allocator: std.mem.Allocator, text: []const u8) ReadError!CsvFile {
    var arena = std.heap.ArenaAllocator.init(allocator);
    errdefer arena.deinit();
    const a = arena.allocator();
    var comments = std.ArrayList([]const u8).init(a);
    var values = std.ArrayList(f64).init(a);
    var columns: ?[][]const u8 = null;
    var rows: usize = 0;
    var lines = std.mem.splitScalar(u8, text, '\n');
    while (lines.next()) |raw| {
        const line = std.mem.trimRight(u8, raw, "\r");
        if (line.len == 0) continue;
        if (line[0] == '#') {
            try comments.append(try a.dupe(u8, line));
            continue;
        }
        if (columns == null) {
            var cols = std.ArrayList([]const u8).init(a);
            var it = std.mem.splitScalar(u8, line, ',');
            while (it.next()) |c| try cols.append(try a.dupe(u8, c));
            columns = try cols.toOwnedSlice();
            continue;
        }
        var it = std.mem.splitScalar(u8, line, ',');
        var k: usize = 0;
        while (it.next()) |field| : (k += 1) {
            const v = std.fmt.parseFloat(f64, std.mem.trim(u8, field, " ")) catch return error.BadNumber;
            try values.append(v);
        }
        if (k != columns.?.len) return error.RaggedRow;
        rows += 1;
    }
    return .{
        .arena = arena,
        .columns = columns orelse return error.MissingHeader,
        .values = try values.toOwnedSlice(),
        .rows = rows,
        .comments = try comments.toOwnedSlice(),
    };
}

test "Stan CSV write and parse round trip" {
    const a = std.testing.allocator;
    var out = std.ArrayList(u8).init(a);
    defer out.deinit();
    const w = out.writer();
    const names = [_]model_mod.Str{ model_mod.Str.from("mu"), model_mod.Str.from("theta.1") };
    try writeHeader(w, .{
        .model_name = "m",
        .algorithm = "nuts",
        .num_samples = 2,
        .num_warmup = 3,
        .save_warmup = false,
        .adapt_engaged = true,
        .delta = 0.8,
        .gamma = 0.05,
        .kappa = 0.75,
        .t0 = 10,
        .init_buffer = 75,
        .term_buffer = 50,
        .window = 25,
        .max_depth = 10,
        .stepsize = 1,
        .jitter = 0,
        .int_time = 6.283185307179586,
        .chain_id = 1,
        .data_file = "d.json",
        .init_radius = 2,
        .seed = 42,
        .output_file = "out/m_chain_1.csv",
        .threads = 1,
    }, &names);
    try writeAdaptation(w, 0.123456789, false, 2, &.{ 1.5, 2e-7 });
    const r1 = [_]f64{ -7.25, 0.9, 0.123456789, 3, 7, 0, 9.5, 0.30000000000000004, -1e300 };
    const r2 = [_]f64{ -8, 1, 0.123456789, 2, 3, 1, 10, std.math.nan(f64), std.math.inf(f64) };
    try writeRow(w, &r1);
    try writeRow(w, &r2);
    try writeTiming(w, 0.5, 0.25);
    try std.testing.expect(std.mem.indexOf(u8, out.items, "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,theta.1\n") != null);
    try std.testing.expect(std.mem.indexOf(u8, out.items, "# Step size = 0.123456789\n# Diagonal elements of inverse mass matrix:\n# 1.5, 2e-07\n") != null);
    try std.testing.expect(std.mem.indexOf(u8, out.items, "-7.25,0.9,0.123456789,3,7,0,9.5,0.30000000000000004,-1e+300\n") != null);
    try std.testing.expect(std.mem.indexOf(u8, out.items, "#     num_warmup = 3\n") != null);

    var f = try parse(a, out.items);
    defer f.deinit();
    try std.testing.expectEqual(@as(usize, 9), f.columns.len);
    try std.testing.expectEqual(@as(usize, 2), f.rows);
    try std.testing.expectEqual(@as(?usize, 8), f.columnIndex("theta.1"));
    for (r1, f.row(0)) |x, y| try std.testing.expectEqual(@as(u64, @bitCast(x)), @as(u64, @bitCast(y)));
    try std.testing.expect(std.math.isNan(f.row(1)[7]));
    try std.testing.expect(std.math.isPositiveInf(f.row(1)[8]));
    try std.testing.expect(f.comments.len > 20);
}

test "parse rejects malformed files" {
    const a = std.testing.allocator;
    try std.testing.expectError(error.MissingHeader, parse(a, "# only comments\n"));
    try std.testing.expectError(error.RaggedRow, parse(a, "a,b\n1,2\n3\n"));
    try std.testing.expectError(error.BadNumber, parse(a, "a,b\n1,x\n"));
}

test "dense adaptation and proposal comments" {
    const a = std.testing.allocator;
    var out = std.ArrayList(u8).init(a);
    defer out.deinit();
    try writeAdaptation(out.writer(), 0.5, true, 2, &.{ 1, 0.25, 0.25, 2 });
    try std.testing.expectEqualStrings("# Adaptation terminated\n# Step size = 0.5\n# Elements of inverse mass matrix:\n# 1, 0.25\n# 0.25, 2\n", out.items);
    out.clearRetainingCapacity();
    try writeProposal(out.writer(), 1.5, 1, &.{4});
    try std.testing.expectEqualStrings("# Adaptation terminated\n# Step size = 1.5\n# Elements of proposal covariance:\n# 4\n", out.items);
}
