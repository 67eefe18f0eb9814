//! The model-side half of the C-ABI boundary to a separately compiled sampler library.
//!
//! A model compiled against a prebuilt `libsampler.a` (built from `abi.zig`) imports this file
//! instead of `sampler.zig`. It offers the same names the generated code uses in-process —
//! `Model`, `Program`, `Str`, `Rng`, `DataHandle`, `fromShared`, `Data` with `getInt`, `getBool`, `getBoolArray`, `getReal`,
//! `getIntArray`, `getRealArray`, `getRealMatrix`, `has`, `fail`, and `main` — implemented by
//! calls to the library's exported `sev_*` functions, so a model's source is the same in both
//! build modes except for the import. Only `model.zig` (plain types) is compiled into the model;
//! everything else lives in the library.

const std = @import("std");
const model = @import("model.zig");

pub const Str = model.Str;
pub const Rng = model.Rng;
pub const Model = model.Model;
pub const Program = model.Program;
pub const ColumnReport = model.ColumnReport;
pub const DataHandle = model.DataHandle;
pub const fromShared = model.fromShared;
pub const DataError = error{DataError};

extern fn sev_sampler_main(program: *const Program, argc: usize, argv: [*]const [*:0]const u8) u8;
extern fn sev_data_has(h: *DataHandle, name: [*]const u8, name_len: usize) bool;
extern fn sev_data_int(h: *DataHandle, name: [*]const u8, name_len: usize, out: *i64) bool;
extern fn sev_data_bool(h: *DataHandle, name: [*]const u8, name_len: usize, out: *bool) bool;
extern fn sev_data_bool_array(h: *DataHandle, name: [*]const u8, name_len: usize, expected: isize, out_ptr: *[*]const bool, out_len: *usize) bool;
extern fn sev_data_real(h: *DataHandle, name: [*]const u8, name_len: usize, out: *f64) bool;
extern fn sev_data_int_array(h: *DataHandle, name: [*]const u8, name_len: usize, expected: isize, out_ptr: *[*]const i64, out_len: *usize) bool;
extern fn sev_data_real_array(h: *DataHandle, name: [*]const u8, name_len: usize, expected: isize, out_ptr: *[*]const f64, out_len: *usize) bool;
extern fn sev_data_real_matrix(h: *DataHandle, name: [*]const u8, name_len: usize, rows: isize, cols: isize, out_ptr: *[*]const f64, out_rows: *usize, out_cols: *usize) bool;
extern fn sev_data_fail(h: *DataHandle, msg: [*]const u8, msg_len: usize) void;

comptime {
    // The library's copy of std calls `getauxval` (vDSO lookup). Without libc, Zig executables
    // export it from their own std only if something references it: reference it here, so the
    // library finds the auxiliary vector that this executable's start code recorded.
    if (@import("builtin").os.tag == .linux and !@import("builtin").link_libc) _ = &std.os.linux.getauxval;
}

/// The program entry point: `pub fn main() u8 { return client.main(&program); }`.
pub fn main(program: *const Program) u8 {
    const argv = std.os.argv;
    return sev_sampler_main(program, argv.len, @ptrCast(argv.ptr));
}

/// A row-major matrix borrowed from the data.
pub const Matrix = struct {
    rows: usize,
    cols: usize,
    values: []const f64,

    pub fn at(self: Matrix, i: usize, j: usize) f64 {
        return self.values[i * self.cols + j];
    }
};

fn expected(n: ?usize) isize {
    return if (n) |v| @intCast(v) else -1;
}

/// The data file, as seen from the model. Arrays stay valid until the model is unloaded.
pub const Data = struct {
    h: *DataHandle,

    pub fn fromHandle(h: *DataHandle) Data {
        return .{ .h = h };
    }

    pub fn has(self: Data, name: []const u8) bool {
        return sev_data_has(self.h, name.ptr, name.len);
    }

    pub fn getInt(self: Data, name: []const u8) DataError!i64 {
        var v: i64 = 0;
        if (!sev_data_int(self.h, name.ptr, name.len, &v)) return error.DataError;
        return v;
    }

    pub fn getBool(self: Data, name: []const u8) DataError!bool {
        var v = false;
        if (!sev_data_bool(self.h, name.ptr, name.len, &v)) return error.DataError;
        return v;
    }

    pub fn getBoolArray(self: Data, name: []const u8, expected_len: ?usize) DataError![]const bool {
        var p: [*]const bool = undefined;
        var n: usize = 0;
        if (!sev_data_bool_array(self.h, name.ptr, name.len, expected(expected_len), &p, &n)) return error.DataError;
        return p[0..n];
    }

    pub fn getReal(self: Data, name: []const u8) DataError!f64 {
        var v: f64 = 0;
        if (!sev_data_real(self.h, name.ptr, name.len, &v)) return error.DataError;
        return v;
    }

    pub fn getIntArray(self: Data, name: []const u8, expected_len: ?usize) DataError![]const i64 {
        var p: [*]const i64 = undefined;
        var n: usize = 0;
        if (!sev_data_int_array(self.h, name.ptr, name.len, expected(expected_len), &p, &n)) return error.DataError;
        return p[0..n];
    }

    pub fn getRealArray(self: Data, name: []const u8, expected_len: ?usize) DataError![]const f64 {
        var p: [*]const f64 = undefined;
        var n: usize = 0;
        if (!sev_data_real_array(self.h, name.ptr, name.len, expected(expected_len), &p, &n)) return error.DataError;
        return p[0..n];
    }

    pub fn getRealMatrix(self: Data, name: []const u8, rows: ?usize, cols: ?usize) DataError!Matrix {
        var p: [*]const f64 = undefined;
        var r: usize = 0;
        var c: usize = 0;
        if (!sev_data_real_matrix(self.h, name.ptr, name.len, expected(rows), expected(cols), &p, &r, &c)) return error.DataError;
        return .{ .rows = r, .cols = c, .values = p[0 .. r * c] };
    }

    /// Records a message about the data (the library prefixes the file name).
    pub fn fail(self: Data, comptime fmt: []const u8, args: anytype) DataError {
        var buf: [1024]u8 = undefined;
        const msg = std.fmt.bufPrint(&buf, fmt, args) catch buf[0..];
        sev_data_fail(self.h, msg.ptr, msg.len);
        return error.DataError;
    }
};

test "client types are the model.zig types" {
    try std.testing.expect(Model == model.Model);
    try std.testing.expectEqual(@as(isize, -1), expected(null));
    try std.testing.expectEqual(@as(isize, 7), expected(7));
    const m = Matrix{ .rows = 2, .cols = 2, .values = &.{ 1, 2, 3, 4 } };
    try std.testing.expectEqual(@as(f64, 3), m.at(1, 0));
}

test "client accessors reach the exported library functions" {
    // In the test binary the library (abi.zig) is linked in, so the externs resolve to it.
    const data_mod = @import("data.zig");
    var msg: []u8 = &.{};
    const d = try data_mod.Data.parse(std.testing.allocator, "c.json", "{\"J\": 3, \"y\": [1, 2, 3], \"X\": [[1, 2]]}", &msg);
    defer d.deinit();
    const c = Data.fromHandle(d.handle());
    try std.testing.expectEqual(@as(i64, 3), try c.getInt("J"));
    try std.testing.expectEqualSlices(f64, &.{ 1, 2, 3 }, try c.getRealArray("y", 3));
    try std.testing.expectEqual(@as(f64, 2), (try c.getRealMatrix("X", 1, 2)).at(0, 1));
    try std.testing.expectError(error.DataError, c.getIntArray("y", 4));
    try std.testing.expectEqualStrings("data file 'c.json': field 'y' must be an array of 4 integers, found 3", d.message);
    try std.testing.expectEqual(error.DataError, c.fail("J must be even, found {d}", .{3}));
    try std.testing.expectEqualStrings("data file 'c.json': J must be even, found 3", d.message);
    try std.testing.expect(c.has("X"));
}
