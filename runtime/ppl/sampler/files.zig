//! Output files that never destroy earlier results. Each file the sampler writes (a chain's
//! CSV, the `--summary` JSON) is `Staged`: it is written as `<path>.incomplete` next to its
//! final place and renamed over `<path>` only when the whole run succeeded. A failed run removes
//! what it wrote and leaves earlier files untouched; an interrupted run (a signal) leaves the
//! `.incomplete` files, which say by their name what they are. Every problem is a sentence
//! naming the path (`msg`), never a Zig error name.

const std = @import("std");
const oserror = @import("oserror.zig");

pub const Error = error{ OutputError, OutOfMemory };

const suffix = ".incomplete";

/// Creates the directory `path` and its missing parents. Unlike `std.fs.Dir.makePath`, it makes
/// one attempt per component, so a path the system refuses (`/proc/x`) fails at once.
pub fn makeDirAll(path: []const u8, msg: *std.ArrayList(u8)) Error!void {
    var end: usize = 1;
    while (end <= path.len) : (end += 1) {
        if (end < path.len and path[end] != '/') continue;
        const prefix = path[0..end];
        std.fs.cwd().makeDir(prefix) catch |e| switch (e) {
            error.PathAlreadyExists => {},
            else => return fail(msg, "cannot create the output directory '{s}': {s}", .{ prefix, oserror.describe(e) }),
        };
    }
    var dir = std.fs.cwd().openDir(path, .{}) catch |e|
        return fail(msg, "cannot use '{s}' as the output directory: {s}", .{ path, oserror.describe(e) });
    dir.close();
}

/// One output file written under a temporary name and renamed into place by `commit`.
pub const Staged = struct {
    final: []u8,
    temp: []u8,
    file: ?std.fs.File,

    /// Creates `<final>.incomplete` for writing. Fails (with a message) when `final` is a
    /// directory or the temporary file cannot be created, before any work is done.
    pub fn create(allocator: std.mem.Allocator, final: []const u8, msg: *std.ArrayList(u8)) Error!Staged {
        if (isDirectory(final)) return fail(msg, "cannot write '{s}': it is a directory", .{final});
        const owned = try allocator.dupe(u8, final);
        errdefer allocator.free(owned);
        const temp = try std.mem.concat(allocator, u8, &.{ final, suffix });
        errdefer allocator.free(temp);
        const file = std.fs.cwd().createFile(temp, .{ .truncate = true }) catch |e|
            return fail(msg, "cannot write '{s}': {s}", .{ final, oserror.describe(e) });
        return .{ .final = owned, .temp = temp, .file = file };
    }

    /// Closes the file and renames it over the final path.
    pub fn commit(self: *Staged, msg: *std.ArrayList(u8)) Error!void {
        self.close();
        std.fs.cwd().rename(self.temp, self.final) catch |e|
            return fail(msg, "cannot move '{s}' to '{s}': {s}", .{ self.temp, self.final, oserror.describe(e) });
    }

    /// Closes and deletes the temporary file (the final path is left as it was).
    pub fn discard(self: *Staged) void {
        self.close();
        std.fs.cwd().deleteFile(self.temp) catch {};
    }

    fn close(self: *Staged) void {
        if (self.file) |f| f.close();
        self.file = null;
    }

    pub fn deinit(self: *Staged, allocator: std.mem.Allocator) void {
        self.close();
        allocator.free(self.final);
        allocator.free(self.temp);
    }
};

fn isDirectory(path: []const u8) bool {
    const st = std.fs.cwd().statFile(path) catch return false;
    return st.kind == .directory;
}

fn fail(msg: *std.ArrayList(u8), comptime fmt: []const u8, args: anytype) Error {
    msg.clearRetainingCapacity();
    try msg.writer().print(fmt, args);
    return error.OutputError;
}

test "a staged file replaces the old one only on commit" {
    const a = std.testing.allocator;
    var tmp = std.testing.tmpDir(.{});
    defer tmp.cleanup();
    const path = try std.fmt.allocPrint(a, ".zig-cache/tmp/{s}/out.csv", .{tmp.sub_path});
    defer a.free(path);
    try tmp.dir.writeFile(.{ .sub_path = "out.csv", .data = "old results" });
    var msg = std.ArrayList(u8).init(a);
    defer msg.deinit();

    var failed = try Staged.create(a, path, &msg);
    try failed.file.?.writeAll("half");
    failed.discard();
    failed.deinit(a);
    try expectContents(tmp.dir, "out.csv", "old results");
    try std.testing.expectError(error.FileNotFound, tmp.dir.access("out.csv.incomplete", .{}));

    var ok = try Staged.create(a, path, &msg);
    try ok.file.?.writeAll("new results");
    try ok.commit(&msg);
    ok.deinit(a);
    try expectContents(tmp.dir, "out.csv", "new results");
}

test "a directory in the way and an impossible output directory are named" {
    const a = std.testing.allocator;
    var tmp = std.testing.tmpDir(.{});
    defer tmp.cleanup();
    try tmp.dir.makeDir("taken.csv");
    const path = try std.fmt.allocPrint(a, ".zig-cache/tmp/{s}/taken.csv", .{tmp.sub_path});
    defer a.free(path);
    var msg = std.ArrayList(u8).init(a);
    defer msg.deinit();
    try std.testing.expectError(error.OutputError, Staged.create(a, path, &msg));
    try std.testing.expect(std.mem.endsWith(u8, msg.items, "taken.csv': it is a directory"));
    try std.testing.expectError(error.OutputError, makeDirAll("/proc/sev-no-such-dir/x", &msg));
    try std.testing.expectEqualStrings("cannot create the output directory '/proc/sev-no-such-dir': no such file or directory", msg.items);
    const nested = try std.fmt.allocPrint(a, ".zig-cache/tmp/{s}/a/b/c", .{tmp.sub_path});
    defer a.free(nested);
    try makeDirAll(nested, &msg);
    try tmp.dir.access("a/b/c", .{});
}

fn expectContents(dir: std.fs.Dir, name: []const u8, want: []const u8) !void {
    const got = try dir.readFileAlloc(std.testing.allocator, name, 1 << 16);
    defer std.testing.allocator.free(got);
    try std.testing.expectEqualStrings(want, got);
}
