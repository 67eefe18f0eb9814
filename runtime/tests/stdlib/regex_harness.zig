//! Differential-test harness for runtime/regex.zig (driven by regex_differential.py): reads
//! JSON lines `[pattern, text]` on stdin and prints, per line, `ERR` (invalid pattern), `NONE`
//! (no match) or `start end g1 g2 ... | s:e s:e ...` (the first match, its groups as
//! `start,end` or `-`, then every match of a findAll walk), the same format the Python side
//! prints from `re`.
const std = @import("std");
const regex = @import("rt/regex.zig");
pub fn main() !void {
    var gpa_state: std.heap.DebugAllocator(.{}) = .init;
    defer _ = gpa_state.deinit();
    const gpa = gpa_state.allocator();
    const input = try std.io.getStdIn().readToEndAlloc(gpa, 1 << 30);
    defer gpa.free(input);
    var out = std.io.bufferedWriter(std.io.getStdOut().writer());
    const w = out.writer();
    var lines = std.mem.splitScalar(u8, input, '\n');
    while (lines.next()) |line| {
        if (line.len == 0) continue;
        const parsed = try std.json.parseFromSlice([]const []const u8, gpa, line, .{});
        defer parsed.deinit();
        const p = parsed.value[0];
        const t = parsed.value[1];
        var diag: regex.Diag = .{};
        const prog = regex.compileProgram(gpa, p, &diag) catch {
            try w.writeAll("ERR\n");
            continue;
        };
        defer regex.freeProgram(gpa, prog);
        var m = try regex.Matches.init(gpa, prog, t);
        defer m.deinit();
        if (try m.next()) |s| {
            try w.print("{d} {d}", .{ s.start, s.end });
            var k: usize = 1;
            while (k <= prog.groups) : (k += 1) {
                if (m.group(k)) |g| try w.print(" {d},{d}", .{ g.start, g.end }) else try w.writeAll(" -");
            }
            // all matches
            try w.writeAll(" |");
            var m2 = try regex.Matches.init(gpa, prog, t);
            defer m2.deinit();
            while (try m2.next()) |a| try w.print(" {d}:{d}", .{ a.start, a.end });
            try w.writeAll("\n");
        } else try w.writeAll("NONE\n");
    }
    try out.flush();
}
