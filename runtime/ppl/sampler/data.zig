//! Reader for model data in Stan's JSON format, with typed accessors for the generated code.
//!
//! The file is one JSON object whose fields are the model's data: integers, reals, arrays of
//! them, and matrices as lists of rows. Reals may be written as integers, and as the strings
//! "NaN", "Inf", "-Inf", "Infinity", "-Infinity" (any case) for non-finite values, as in Stan.
//! `std.json` parses the text into its dynamic tree (`std.json.Value`) once; the accessors
//! (`getInt`, `getBool`, `getReal`, `getIntArray`, `getBoolArray`, `getRealArray`, `getRealMatrix`;
//! booleans are JSON `true`/`false` or 1/0) check type and shape,
//! convert, and on a mismatch record a located message such as
//!
//!     data file 'd.json': field 'y' must be an array of 8 numbers, found 7
//!
//! and return `error.DataError`; the driver prints `message` and exits with status 1. Arrays
//! returned by the accessors live as long as the `Data` (they are allocated in its arena).

const std = @import("std");
const model_mod = @import("model.zig");
const oserror = @import("oserror.zig");

pub const DataError = error{DataError};

/// A row-major matrix borrowed from the data.
pub const Matrix = struct {
    rows: usize,
    cols: usize,
    values: []const f64,

    pub fn at(self: Matrix, i: usize, j: usize) f64 {
        return self.values[i * self.cols + j];
    }
};

pub const Data = struct {
    arena: std.heap.ArenaAllocator,
    /// The file name as given by the user ("" when no data file was given).
    file_name: []const u8,
    root: ?std.json.ObjectMap,
    /// The last error message (empty if none).
    message: []const u8 = "",

    /// Data with no fields (a model run without --data).
    pub fn empty(allocator: std.mem.Allocator) !*Data {
        const self = try allocator.create(Data);
        self.* = .{ .arena = std.heap.ArenaAllocator.init(allocator), .file_name = "", .root = null };
        return self;
    }

    /// Reads and parses `path`. On failure returns `error.DataError` and sets `message_out` to a
    /// message allocated with `allocator` (caller frees).
    pub fn load(allocator: std.mem.Allocator, path: []const u8, message_out: *[]u8) (DataError || error{OutOfMemory})!*Data {
        const text = std.fs.cwd().readFileAlloc(allocator, path, 1 << 30) catch |e| {
            message_out.* = try std.fmt.allocPrint(allocator, "data file '{s}': cannot read it ({s})", .{ path, switch (e) {
                error.FileNotFound => "file not found",
                error.AccessDenied => "permission denied",
                error.IsDir => "it is a directory",
                error.FileTooBig => "larger than 1 GiB",
                else => oserror.describe(e),
            } });
            return error.DataError;
        };
        defer allocator.free(text);
        return parse(allocator, path, text, message_out);
    }

    /// Parses JSON `text`; `file_name` is used in messages.
    pub fn parse(allocator: std.mem.Allocator, file_name: []const u8, text: []const u8, message_out: *[]u8) (DataError || error{OutOfMemory})!*Data {
        const self = try allocator.create(Data);
        errdefer allocator.destroy(self);
        self.* = .{ .arena = std.heap.ArenaAllocator.init(allocator), .file_name = "", .root = null };
        errdefer self.arena.deinit();
        const a = self.arena.allocator();
        self.file_name = try a.dupe(u8, file_name);
        var scanner = std.json.Scanner.initCompleteInput(a, text);
        var diag = std.json.Diagnostics{};
        scanner.enableDiagnostics(&diag);
        const value = std.json.parseFromTokenSourceLeaky(std.json.Value, a, &scanner, .{}) catch |e| {
            const what = switch (e) {
                error.DuplicateField => "a field appears twice",
                error.OutOfMemory => return error.OutOfMemory,
                error.UnexpectedEndOfInput => "unexpected end of input",
                else => "invalid JSON",
            };
            message_out.* = try std.fmt.allocPrint(allocator, "data file '{s}': {s} at line {d}, column {d}", .{ file_name, what, diag.getLine(), diag.getColumn() });
            return error.DataError;
        };
        switch (value) {
            .object => |o| self.root = o,
            else => {
                message_out.* = try std.fmt.allocPrint(allocator, "data file '{s}': the top level must be a JSON object of named fields, found {s}", .{ file_name, kindName(value) });
                return error.DataError;
            },
        }
        return self;
    }

    pub fn deinit(self: *Data) void {
        const child = self.arena.child_allocator;
        self.arena.deinit();
        child.destroy(self);
    }

    pub fn handle(self: *Data) *model_mod.DataHandle {
        return @ptrCast(self);
    }

    pub fn fromHandle(h: *model_mod.DataHandle) *Data {
        return @ptrCast(@alignCast(h));
    }

    /// Records a message about the data (prefixed with the file) and returns `error.DataError`.
    /// For checks the model itself makes (e.g. "field 'N' must be positive").
    pub fn fail(self: *Data, comptime fmt: []const u8, args: anytype) DataError {
        self.setMessage(fmt, args);
        return error.DataError;
    }

    /// Sets `message` (prefixed with the file) without returning an error.
    pub fn setMessage(self: *Data, comptime fmt: []const u8, args: anytype) void {
        const a = self.arena.allocator();
        const body = std.fmt.allocPrint(a, fmt, args) catch {
            self.message = "data error (out of memory while formatting the message)";
            return;
        };
        self.message = if (self.file_name.len == 0)
            std.fmt.allocPrint(a, "no data file was given (--data): {s}", .{body}) catch body
        else
            std.fmt.allocPrint(a, "data file '{s}': {s}", .{ self.file_name, body }) catch body;
    }

    /// Whether the data has a field `name`.
    pub fn has(self: *const Data, name: []const u8) bool {
        const r = self.root orelse return false;
        return r.get(name) != null;
    }

    fn field(self: *Data, name: []const u8) DataError!std.json.Value {
        if (self.root) |r| {
            if (r.get(name)) |v| return v;
        }
        return self.fail("missing field '{s}'", .{name});
    }

    pub fn getInt(self: *Data, name: []const u8) DataError!i64 {
        const v = try self.field(name);
        return intOf(v) orelse self.fail("field '{s}' must be an integer, found {s}", .{ name, describeValue(v) });
    }

    /// A boolean: JSON `true`/`false`, or the integers 1/0 (Stan's JSON has no booleans).
    pub fn getBool(self: *Data, name: []const u8) DataError!bool {
        const v = try self.field(name);
        return boolOf(v) orelse self.fail("field '{s}' must be true or false (or 1 or 0), found {s}", .{ name, describeValue(v) });
    }

    /// An array of booleans (`true`/`false` or 1/0), of length `expected_len` when given.
    pub fn getBoolArray(self: *Data, name: []const u8, expected_len: ?usize) DataError![]const bool {
        const arr = try self.arrayField(name, expected_len, "booleans");
        const out = self.arena.allocator().alloc(bool, arr.len) catch return self.oom();
        for (arr, out, 0..) |v, *o, i| {
            o.* = boolOf(v) orelse return self.fail("field '{s}' element {d} must be true or false (or 1 or 0), found {s}", .{ name, i + 1, describeValue(v) });
        }
        return out;
    }

    pub fn getReal(self: *Data, name: []const u8) DataError!f64 {
        const v = try self.field(name);
        return realOf(v) orelse self.fail("field '{s}' must be a number, found {s}", .{ name, describeValue(v) });
    }

    /// An array of integers, of length `expected_len` when given.
    pub fn getIntArray(self: *Data, name: []const u8, expected_len: ?usize) DataError![]const i64 {
        const arr = try self.arrayField(name, expected_len, "integers");
        const out = self.arena.allocator().alloc(i64, arr.len) catch return self.oom();
        for (arr, out, 0..) |v, *o, i| {
            o.* = intOf(v) orelse return self.fail("field '{s}' element {d} must be an integer, found {s}", .{ name, i + 1, describeValue(v) });
        }
        return out;
    }

    /// An array of reals (integers accepted), of length `expected_len` when given.
    pub fn getRealArray(self: *Data, name: []const u8, expected_len: ?usize) DataError![]const f64 {
        const arr = try self.arrayField(name, expected_len, "numbers");
        const out = self.arena.allocator().alloc(f64, arr.len) catch return self.oom();
        for (arr, out, 0..) |v, *o, i| {
            o.* = realOf(v) orelse return self.fail("field '{s}' element {d} must be a number, found {s}", .{ name, i + 1, describeValue(v) });
        }
        return out;
    }

    /// A real matrix written as a list of rows; its shape must be `rows` × `cols` where given.
    /// A matrix with zero rows is `[]` (its column count is then `cols` or 0).
    pub fn getRealMatrix(self: *Data, name: []const u8, rows: ?usize, cols: ?usize) DataError!Matrix {
        const v = try self.field(name);
        const shape = shapeText(rows, cols);
        const arr = switch (v) {
            .array => |a| a.items,
            else => return self.fail("field '{s}' must be a {s} matrix (a list of rows), found {s}", .{ name, shape.slice(), describeValue(v) }),
        };
        if (rows) |r| {
            if (arr.len != r) return self.fail("field '{s}' must be a {s} matrix (a list of {d} rows), found {d} rows", .{ name, shape.slice(), r, arr.len });
        }
        var ncol: usize = cols orelse 0;
        if (cols == null and arr.len > 0) {
            ncol = switch (arr[0]) {
                .array => |a| a.items.len,
                else => return self.fail("field '{s}' row 1 must be an array of numbers, found {s}", .{ name, describeValue(arr[0]) }),
            };
        }
        const out = self.arena.allocator().alloc(f64, arr.len * ncol) catch return self.oom();
        for (arr, 0..) |rowv, i| {
            const row = switch (rowv) {
                .array => |a| a.items,
                else => return self.fail("field '{s}' row {d} must be an array of {d} numbers, found {s}", .{ name, i + 1, ncol, describeValue(rowv) }),
            };
            if (row.len != ncol) return self.fail("field '{s}' row {d} must have {d} numbers, found {d}", .{ name, i + 1, ncol, row.len });
            for (row, 0..) |x, j| {
                out[i * ncol + j] = realOf(x) orelse return self.fail("field '{s}' element [{d}][{d}] must be a number, found {s}", .{ name, i + 1, j + 1, describeValue(x) });
            }
        }
        return .{ .rows = arr.len, .cols = ncol, .values = out };
    }

    fn arrayField(self: *Data, name: []const u8, expected_len: ?usize, what: []const u8) DataError![]const std.json.Value {
        const v = try self.field(name);
        switch (v) {
            .array => |a| {
                if (expected_len) |n| {
                    if (a.items.len != n) return self.fail("field '{s}' must be an array of {d} {s}, found {d}", .{ name, n, what, a.items.len });
                }
                return a.items;
            },
            else => {
                if (expected_len) |n| return self.fail("field '{s}' must be an array of {d} {s}, found {s}", .{ name, n, what, describeValue(v) });
                return self.fail("field '{s}' must be an array of {s}, found {s}", .{ name, what, describeValue(v) });
            },
        }
    }

    fn oom(self: *Data) DataError {
        self.message = "out of memory while reading the data";
        return error.DataError;
    }
};

const ShapeText = struct {
    buf: [64]u8 = undefined,
    len: usize = 0,
    fn slice(self: *const ShapeText) []const u8 {
        return self.buf[0..self.len];
    }
};

fn shapeText(rows: ?usize, cols: ?usize) ShapeText {
    var s = ShapeText{};
    var fbs = std.io.fixedBufferStream(&s.buf);
    const w = fbs.writer();
    if (rows) |r| w.print("{d}", .{r}) catch {} else w.writeAll("N") catch {};
    w.writeAll(" x ") catch {};
    if (cols) |c| w.print("{d}", .{c}) catch {} else w.writeAll("M") catch {};
    s.len = fbs.pos;
    return s;
}

fn intOf(v: std.json.Value) ?i64 {
    return switch (v) {
        .integer => |i| i,
        else => null,
    };
}

fn boolOf(v: std.json.Value) ?bool {
    return switch (v) {
        .bool => |b| b,
        .integer => |i| if (i == 0) false else if (i == 1) true else null,
        else => null,
    };
}

fn realOf(v: std.json.Value) ?f64 {
    return switch (v) {
        .integer => |i| @floatFromInt(i),
        .float => |f| f,
        .number_string => |s| std.fmt.parseFloat(f64, s) catch null,
        .string => |s| nonFinite(s),
        else => null,
    };
}

fn nonFinite(s: []const u8) ?f64 {
    const eq = std.ascii.eqlIgnoreCase;
    if (eq(s, "nan")) return std.math.nan(f64);
    if (eq(s, "inf") or eq(s, "+inf") or eq(s, "infinity") or eq(s, "+infinity")) return std.math.inf(f64);
    if (eq(s, "-inf") or eq(s, "-infinity")) return -std.math.inf(f64);
    return null;
}

fn kindName(v: std.json.Value) []const u8 {
    return switch (v) {
        .null => "null",
        .bool => "a boolean",
        .integer => "an integer",
        .float => "a number",
        .number_string => "a number",
        .string => "a string",
        .array => "an array",
        .object => "an object",
    };
}

/// "a string", "an array", or the number itself for numbers.
fn describeValue(v: std.json.Value) DescribedValue {
    return .{ .v = v };
}

const DescribedValue = struct {
    v: std.json.Value,
    pub fn format(self: DescribedValue, comptime f: []const u8, o: std.fmt.FormatOptions, w: anytype) !void {
        _ = f;
        _ = o;
        switch (self.v) {
            .integer => |i| try w.print("{d}", .{i}),
            .float => |x| try w.print("{d}", .{x}),
            .number_string => |s| try w.print("{s} (too large for a 64-bit integer)", .{s}),
            .bool => |b| try w.print("{s} (a boolean: a number field takes 1 or 0)", .{if (b) "true" else "false"}),
            .string => |s| if (s.len <= 20) try w.print("the string \"{s}\"", .{s}) else try w.writeAll("a string"),
            else => try w.writeAll(kindName(self.v)),
        }
    }
};

const t = std.testing;

fn expectFail(d: *Data, expected: []const u8, result: anytype) !void {
    try t.expectError(error.DataError, result);
    try t.expectEqualStrings(expected, d.message);
}

fn parseOk(text: []const u8) !*Data {
    var msg: []u8 = &.{};
    return Data.parse(t.allocator, "d.json", text, &msg) catch |e| {
        std.debug.print("unexpected: {s}\n", .{msg});
        t.allocator.free(msg);
        return e;
    };
}

test "typed accessors read Stan JSON" {
    const d = try parseOk(
        \\{"J": 3, "y": [28, 8.5, -3], "n": [1, 2, 3], "x": 2.5, "z": 4,
        \\ "X": [[1, 2], [3, 4.5], [5, 6]], "w": ["NaN", "inf", "-Infinity"], "e": [], "E": []}
    );
    defer d.deinit();
    try t.expectEqual(@as(i64, 3), try d.getInt("J"));
    try t.expectEqual(@as(f64, 2.5), try d.getReal("x"));
    try t.expectEqual(@as(f64, 4), try d.getReal("z"));
    try t.expectEqualSlices(f64, &.{ 28, 8.5, -3 }, try d.getRealArray("y", 3));
    try t.expectEqualSlices(i64, &.{ 1, 2, 3 }, try d.getIntArray("n", null));
    const m = try d.getRealMatrix("X", 3, 2);
    try t.expectEqual(@as(usize, 2), m.cols);
    try t.expectEqual(@as(f64, 4.5), m.at(1, 1));
    const m2 = try d.getRealMatrix("X", null, null);
    try t.expectEqual(@as(usize, 3), m2.rows);
    const w = try d.getRealArray("w", 3);
    try t.expect(std.math.isNan(w[0]) and w[1] == std.math.inf(f64) and w[2] == -std.math.inf(f64));
    try t.expectEqual(@as(usize, 0), (try d.getRealArray("e", 0)).len);
    const em = try d.getRealMatrix("E", 0, 4);
    try t.expectEqual(@as(usize, 0), em.rows);
    try t.expectEqual(@as(usize, 4), em.cols);
    try t.expect(d.has("J") and !d.has("K"));
}

test "accessor errors carry the file, the field and what was found" {
    const d = try parseOk(
        \\{"J": 2.5, "y": [1, 2, 3, 4, 5, 6, 7], "s": "abc", "n": [1, 2.5], "X": [[1, 2], [3]], "big": 123456789012345678901234567890}
    );
    defer d.deinit();
    try expectFail(d, "data file 'd.json': field 'J' must be an integer, found 2.5", d.getInt("J"));
    try expectFail(d, "data file 'd.json': field 'y' must be an array of 8 numbers, found 7", d.getRealArray("y", 8));
    try expectFail(d, "data file 'd.json': missing field 'K'", d.getReal("K"));
    try expectFail(d, "data file 'd.json': field 's' must be a number, found the string \"abc\"", d.getReal("s"));
    try expectFail(d, "data file 'd.json': field 'n' element 2 must be an integer, found 2.5", d.getIntArray("n", 2));
    try expectFail(d, "data file 'd.json': field 's' must be an array of 3 integers, found the string \"abc\"", d.getIntArray("s", 3));
    try expectFail(d, "data file 'd.json': field 'X' row 2 must have 2 numbers, found 1", d.getRealMatrix("X", 2, null));
    try expectFail(d, "data file 'd.json': field 'X' must be a 3 x 2 matrix (a list of 3 rows), found 2 rows", d.getRealMatrix("X", 3, 2));
    try expectFail(d, "data file 'd.json': field 'big' must be an integer, found 123456789012345678901234567890 (too large for a 64-bit integer)", d.getInt("big"));
    // a very large number is still a valid real
    try t.expectEqual(@as(f64, 123456789012345678901234567890.0), try d.getReal("big"));
    try t.expectEqual(error.DataError, d.fail("field '{s}' must be positive", .{"N"}));
    try t.expectEqualStrings("data file 'd.json': field 'N' must be positive", d.message);
}

test "JSON syntax errors are located; files are read from disk" {
    var msg: []u8 = &.{};
    try t.expectError(error.DataError, Data.parse(t.allocator, "bad.json", "{\"a\": 1,\n  \"b\": [1, 2,, 3]}", &msg));
    try t.expectEqualStrings("data file 'bad.json': invalid JSON at line 2, column 14", msg);
    t.allocator.free(msg);
    try t.expectError(error.DataError, Data.parse(t.allocator, "arr.json", "[1, 2]", &msg));
    try t.expectEqualStrings("data file 'arr.json': the top level must be a JSON object of named fields, found an array", msg);
    t.allocator.free(msg);
    try t.expectError(error.DataError, Data.parse(t.allocator, "dup.json", "{\"a\": 1, \"a\": 2}", &msg));
    try t.expect(std.mem.startsWith(u8, msg, "data file 'dup.json': a field appears twice"));
    t.allocator.free(msg);
    try t.expectError(error.DataError, Data.load(t.allocator, "/nonexistent/x.json", &msg));
    try t.expectEqualStrings("data file '/nonexistent/x.json': cannot read it (file not found)", msg);
    t.allocator.free(msg);

    var tmp = t.tmpDir(.{});
    defer tmp.cleanup();
    try tmp.dir.writeFile(.{ .sub_path = "d.json", .data = "{\"N\": 4}" });
    const path = try std.fmt.allocPrint(t.allocator, ".zig-cache/tmp/{s}/d.json", .{tmp.sub_path});
    defer t.allocator.free(path);
    const d = try Data.load(t.allocator, path, &msg);
    defer d.deinit();
    try t.expectEqual(@as(i64, 4), try d.getInt("N"));
}

test "empty data reports missing fields; handles round-trip" {
    const d = try Data.empty(t.allocator);
    defer d.deinit();
    try t.expectError(error.DataError, d.getInt("N"));
    try t.expectEqualStrings("no data file was given (--data): missing field 'N'", d.message);
    try t.expectEqual(d, Data.fromHandle(d.handle()));
}

test "booleans are JSON true and false, or 1 and 0; other values are refused with what was found" {
    const d = try parseOk(
        \\{"on": true, "off": false, "one": 1, "flags": [true, 0, false, 1], "two": 2, "mixed": [true, 0.5], "n": true}
    );
    defer d.deinit();
    try t.expect(try d.getBool("on"));
    try t.expect(!try d.getBool("off"));
    try t.expect(try d.getBool("one"));
    try t.expectEqualSlices(bool, &.{ true, false, false, true }, try d.getBoolArray("flags", 4));
    try expectFail(d, "data file 'd.json': field 'two' must be true or false (or 1 or 0), found 2", d.getBool("two"));
    try expectFail(d, "data file 'd.json': field 'mixed' element 2 must be true or false (or 1 or 0), found 0.5", d.getBoolArray("mixed", null));
    try expectFail(d, "data file 'd.json': field 'n' must be an integer, found true (a boolean: a number field takes 1 or 0)", d.getInt("n"));
}
