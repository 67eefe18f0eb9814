//! The C-ABI surface of the sampler library: what a model binary calls when the sampler is
//! compiled once, separately, into `libsampler.a` (see docs/inference.md, "Build architecture"),
//! instead of being recompiled with every model. `client.zig` declares these functions on the
//! model side and wraps them in the same Zig API that `sampler.zig` offers in-process.
//!
//! * `sev_sampler_main(program, argc, argv)`: the command-line driver (cli.zig). The model passes
//!   its own argv because the library's copy of `std` never ran a start routine.
//! * `exe_main.zig` is the other arrangement: the library owns `main` (and Zig's start code) and
//!   calls the model's exported `sev_program`; it uses `runWithArgv`.
//! * `sev_format_message_number`, `sev_format_decimal`: numbers in a distribution's parameter
//!   message and in a model's report, so that model objects need not compile Zig's float
//!   formatter.
//! * `sev_data_*`: the typed data accessors (data.zig) on a `DataHandle`. Each returns true on
//!   success; on failure the message is stored on the handle and the driver prints it. Arrays
//!   point into the data's memory, valid until sampling ends. `expected` lengths of -1 mean "any".

const std = @import("std");
const model_mod = @import("model.zig");
const data_mod = @import("data.zig");
const cli = @import("cli.zig");
const numfmt = @import("numfmt.zig");

const DataHandle = model_mod.DataHandle;
const Data = data_mod.Data;

export fn sev_sampler_main(program: *const model_mod.Program, argc: usize, argv: [*]const [*:0]const u8) u8 {
    return runWithArgv(program, argv[0..argc]);
}

/// Runs the driver with C-style arguments (argv[0] is the program name).
pub fn runWithArgv(program: *const model_mod.Program, argv: []const [*:0]const u8) u8 {
    const a = std.heap.smp_allocator;
    const args = a.alloc([]const u8, argv.len) catch return 1;
    defer a.free(args);
    for (args, argv) |*s, p| s.* = std.mem.span(p);
    return cli.main(program, args);
}

fn optLen(n: isize) ?usize {
    return if (n < 0) null else @intCast(n);
}

export fn sev_data_has(h: *DataHandle, name: [*]const u8, name_len: usize) bool {
    return Data.fromHandle(h).has(name[0..name_len]);
}

export fn sev_data_int(h: *DataHandle, name: [*]const u8, name_len: usize, out: *i64) bool {
    out.* = Data.fromHandle(h).getInt(name[0..name_len]) catch return false;
    return true;
}

export fn sev_data_bool(h: *DataHandle, name: [*]const u8, name_len: usize, out: *bool) bool {
    out.* = Data.fromHandle(h).getBool(name[0..name_len]) catch return false;
    return true;
}

export fn sev_data_bool_array(h: *DataHandle, name: [*]const u8, name_len: usize, expected: isize, out_ptr: *[*]const bool, out_len: *usize) bool {
    const s = Data.fromHandle(h).getBoolArray(name[0..name_len], optLen(expected)) catch return false;
    out_ptr.* = s.ptr;
    out_len.* = s.len;
    return true;
}

export fn sev_data_real(h: *DataHandle, name: [*]const u8, name_len: usize, out: *f64) bool {
    out.* = Data.fromHandle(h).getReal(name[0..name_len]) catch return false;
    return true;
}

export fn sev_data_int_array(h: *DataHandle, name: [*]const u8, name_len: usize, expected: isize, out_ptr: *[*]const i64, out_len: *usize) bool {
    const s = Data.fromHandle(h).getIntArray(name[0..name_len], optLen(expected)) catch return false;
    out_ptr.* = s.ptr;
    out_len.* = s.len;
    return true;
}

export fn sev_data_real_array(h: *DataHandle, name: [*]const u8, name_len: usize, expected: isize, out_ptr: *[*]const f64, out_len: *usize) bool {
    const s = Data.fromHandle(h).getRealArray(name[0..name_len], optLen(expected)) catch return false;
    out_ptr.* = s.ptr;
    out_len.* = s.len;
    return true;
}

export fn sev_data_real_matrix(h: *DataHandle, name: [*]const u8, name_len: usize, rows: isize, cols: isize, out_ptr: *[*]const f64, out_rows: *usize, out_cols: *usize) bool {
    const m = Data.fromHandle(h).getRealMatrix(name[0..name_len], optLen(rows), optLen(cols)) catch return false;
    out_ptr.* = m.values.ptr;
    out_rows.* = m.rows;
    out_cols.* = m.cols;
    return true;
}

/// Formats `x` for a distribution's parameter message (`numfmt.formatMessage`) into `buf`,
/// which holds at least `numfmt.max_len` bytes; returns the length.
export fn sev_format_message_number(x: f64, buf: [*]u8) usize {
    const out = numfmt.formatMessage(buf[0..numfmt.max_len], x);
    if (out.ptr != buf) @memcpy(buf[0..out.len], out); // `nan`, `inf`: static strings
    return out.len;
}

/// `numfmt.formatDecimal` into `buf` (`cap` bytes) for a model's report of printed values;
/// `decimals` < 0 means the shortest round trip. Returns the length.
export fn sev_format_decimal(x: f64, decimals: i32, buf: [*]u8, cap: usize) usize {
    const out = numfmt.formatDecimal(buf[0..cap], x, if (decimals < 0) null else @intCast(decimals));
    if (out.ptr != buf) @memcpy(buf[0..@min(out.len, cap)], out[0..@min(out.len, cap)]);
    return @min(out.len, cap);
}

export fn sev_data_fail(h: *DataHandle, msg: [*]const u8, msg_len: usize) void {
    Data.fromHandle(h).setMessage("{s}", .{msg[0..msg_len]});
}

test "C-ABI data accessors" {
    var msg: []u8 = &.{};
    const d = try Data.parse(std.testing.allocator, "d.json", "{\"N\": 2, \"y\": [1.5, 2], \"X\": [[1, 2, 3]], \"n\": [4]}", &msg);
    defer d.deinit();
    const h = d.handle();
    var n: i64 = 0;
    try std.testing.expect(sev_data_int(h, "N", 1, &n));
    try std.testing.expectEqual(@as(i64, 2), n);
    var x: f64 = 0;
    try std.testing.expect(sev_data_real(h, "N", 1, &x));
    try std.testing.expectEqual(@as(f64, 2), x);
    var p: [*]const f64 = undefined;
    var len: usize = 0;
    try std.testing.expect(sev_data_real_array(h, "y", 1, 2, &p, &len));
    try std.testing.expectEqual(@as(f64, 1.5), p[0]);
    try std.testing.expect(!sev_data_real_array(h, "y", 1, 3, &p, &len));
    try std.testing.expectEqualStrings("data file 'd.json': field 'y' must be an array of 3 numbers, found 2", d.message);
    var ip: [*]const i64 = undefined;
    try std.testing.expect(sev_data_int_array(h, "n", 1, -1, &ip, &len));
    try std.testing.expectEqual(@as(i64, 4), ip[0]);
    var r: usize = 0;
    var c: usize = 0;
    try std.testing.expect(sev_data_real_matrix(h, "X", 1, -1, 3, &p, &r, &c));
    try std.testing.expectEqual(@as(usize, 1), r);
    try std.testing.expectEqual(@as(f64, 3), p[2]);
    try std.testing.expect(sev_data_has(h, "X", 1) and !sev_data_has(h, "Z", 1));
    sev_data_fail(h, "N must be odd", 13);
    try std.testing.expectEqualStrings("data file 'd.json': N must be odd", d.message);
}

test "runWithArgv reports usage errors with status 2 and help with 0" {
    const Dummy = struct {
        fn load(_: *DataHandle, _: *model_mod.Model) callconv(.C) bool {
            return false;
        }
        fn unload(_: *model_mod.Model) callconv(.C) void {}
    };
    const prog = model_mod.Program{ .name = model_mod.Str.from("dummy"), .load = &Dummy.load, .unload = &Dummy.unload };
    // an unknown option never reaches the model (usage goes to stderr)
    try std.testing.expectEqual(@as(u8, 2), runWithArgv(&prog, &.{ "dummy", "sample", "--bogus" }));
    // a model that fails to load gives status 1
    try std.testing.expectEqual(@as(u8, 1), runWithArgv(&prog, &.{ "dummy", "sample", "--quiet" }));
}
