//! Files and directories for the `file_*` and `dir_*` built-ins. Paths are `Str` bytes,
//! relative to the current working directory unless absolute. Every operation that can fail
//! returns a `Result` whose error is a message naming the built-in, the path and the operating
//! system's reason (`file_read: cannot open 'x.txt': no such file or directory`); nothing here faults or
//! panics on a bad path. Operations without a useful result return `Result(bool, Str)` with
//! `Ok(true)`, so generated code handles every fallible call the same way.
const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const str_mod = @import("str.zig");
const list_mod = @import("list.zig");
const option = @import("option.zig");
const oserror = @import("ppl/sampler/oserror.zig");

const Str = str_mod.Str;
const List = list_mod.List;
const Result = option.Result;

/// An Err message `<op>: cannot <what> '<path>': <reason>`.
fn failure(comptime T: type, comptime op: []const u8, comptime what: []const u8, path: []const u8, e: anyerror) Result(T, Str) {
    var b = str_mod.Builder.init();
    b.print(op ++ ": cannot " ++ what ++ " '{s}': {s}", .{ path, reason(e) });
    return .{ .Err = b.finish() };
}

/// The operating system's reason in words (as `strerror` puts it) for the common errors, else
/// the runtime's shared wording (`oserror.describe`).
pub fn reason(e: anyerror) []const u8 {
    return switch (e) {
        error.FileNotFound => "no such file or directory",
        error.AccessDenied, error.PermissionDenied => "permission denied",
        error.IsDir => "is a directory",
        error.NotDir => "not a directory",
        error.DirNotEmpty => "directory not empty",
        error.PathAlreadyExists => "file exists",
        error.NoSpaceLeft => "no space left on device",
        error.NameTooLong => "file name too long",
        error.ReadOnlyFileSystem => "read-only file system",
        error.SymLinkLoop => "too many levels of symbolic links",
        error.FileBusy, error.DeviceBusy => "device or resource busy",
        error.FileTooBig => "file too large",
        error.InvalidPathContainsNul => "path contains a NUL byte",
        error.BadPathName, error.InvalidUtf8, error.InvalidWtf8 => "invalid path",
        else => oserror.describe(e),
    };
}

test reason {
    try testing.expectEqualStrings("no such file or directory", reason(error.FileNotFound));
    try testing.expectEqualStrings("directory not empty", reason(error.DirNotEmpty));
    try testing.expectEqualStrings("the system is out of resources", reason(error.SystemResources));
}

/// Rejects paths the OS would silently truncate (an embedded NUL byte).
fn checkPath(path: []const u8) error{InvalidPathContainsNul}!void {
    if (std.mem.indexOfScalar(u8, path, 0) != null) return error.InvalidPathContainsNul;
}

/// The whole file as a string. Backs `file_read`.
pub fn read(path: Str) Result(Str, Str) {
    const p = path.bytes();
    checkPath(p) catch |e| return failure(Str, "file_read", "open", p, e);
    const file = std.fs.cwd().openFile(p, .{}) catch |e| return failure(Str, "file_read", "open", p, e);
    defer file.close();
    const bytes = file.readToEndAlloc(core.gpa(), std.math.maxInt(usize)) catch |e| switch (e) {
        error.OutOfMemory => core.outOfMemory(),
        else => return failure(Str, "file_read", "read", p, e),
    };
    defer core.gpa().free(bytes);
    return .{ .Ok = Str.fromSlice(bytes) };
}

fn writeMode(comptime op: []const u8, path: Str, content: Str, truncate: bool) Result(bool, Str) {
    const p = path.bytes();
    checkPath(p) catch |e| return failure(bool, op, "open", p, e);
    const file = std.fs.cwd().createFile(p, .{ .truncate = truncate }) catch |e| return failure(bool, op, "open", p, e);
    defer file.close();
    if (!truncate) file.seekFromEnd(0) catch |e| return failure(bool, op, "seek in", p, e);
    file.writeAll(content.bytes()) catch |e| return failure(bool, op, "write", p, e);
    return .{ .Ok = true };
}

/// Creates or truncates `path` and writes `content`; Ok(true). Backs `file_write`.
pub fn write(path: Str, content: Str) Result(bool, Str) {
    return writeMode("file_write", path, content, true);
}

/// Appends `content` to `path` (creating it); Ok(true). Backs `file_append`.
pub fn append(path: Str, content: Str) Result(bool, Str) {
    return writeMode("file_append", path, content, false);
}

/// Whether `path` names an existing file, directory or other entry. Backs `file_exists`.
pub fn exists(path: Str) bool {
    checkPath(path.bytes()) catch return false;
    std.fs.cwd().access(path.bytes(), .{}) catch return false;
    return true;
}

/// Whether `path` names an existing directory. Backs `dir_exists`.
pub fn isDir(path: Str) bool {
    checkPath(path.bytes()) catch return false;
    const st = std.fs.cwd().statFile(path.bytes()) catch return false;
    return st.kind == .directory;
}

/// Deletes the file `path` (not a directory: see `removeDir`); Ok(true). Backs `file_delete`.
pub fn delete(path: Str) Result(bool, Str) {
    const p = path.bytes();
    checkPath(p) catch |e| return failure(bool, "file_delete", "delete", p, e);
    std.fs.cwd().deleteFile(p) catch |e| return failure(bool, "file_delete", "delete", p, e);
    return .{ .Ok = true };
}

/// Removes the empty directory `path`; Ok(true). Backs `dir_remove`.
pub fn removeDir(path: Str) Result(bool, Str) {
    const p = path.bytes();
    checkPath(p) catch |e| return failure(bool, "dir_remove", "remove", p, e);
    std.fs.cwd().deleteDir(p) catch |e| return failure(bool, "dir_remove", "remove", p, e);
    return .{ .Ok = true };
}

/// Creates the directory `path` and any missing parents; an existing directory is fine.
/// Ok(true). Backs `dir_create`.
pub fn mkdir(path: Str) Result(bool, Str) {
    const p = path.bytes();
    checkPath(p) catch |e| return failure(bool, "dir_create", "create", p, e);
    std.fs.cwd().makePath(p) catch |e| return failure(bool, "dir_create", "create", p, e);
    return .{ .Ok = true };
}

/// The names of the entries of directory `path` (not `.`/`..`), sorted bytewise. Backs
/// `dir_list`.
pub fn list(path: Str) Result(List(Str), Str) {
    const p = path.bytes();
    checkPath(p) catch |e| return failure(List(Str), "dir_list", "open", p, e);
    var dir = std.fs.cwd().openDir(p, .{ .iterate = true }) catch |e| return failure(List(Str), "dir_list", "open", p, e);
    defer dir.close();
    var names = List(Str).empty();
    var it = dir.iterate();
    while (it.next() catch |e| {
        rc.release(names);
        return failure(List(Str), "dir_list", "read", p, e);
    }) |entry| names.pushOwned(Str.fromSlice(entry.name));
    names.sortInPlace();
    return .{ .Ok = names };
}

/// The size of the file in bytes. Backs `file_size`.
pub fn size(path: Str) Result(i64, Str) {
    const p = path.bytes();
    checkPath(p) catch |e| return failure(i64, "file_size", "stat", p, e);
    const st = std.fs.cwd().statFile(p) catch |e| return failure(i64, "file_size", "stat", p, e);
    return .{ .Ok = @intCast(st.size) };
}

// ---------------------------------------------------------------------------------------------

const testing = std.testing;

/// A fresh temporary directory and its absolute path (as an owned Str).
const Tmp = struct {
    tmp: testing.TmpDir,
    root: []u8,

    fn init() !Tmp {
        var tmp = testing.tmpDir(.{});
        errdefer tmp.cleanup();
        const root = try tmp.dir.realpathAlloc(testing.allocator, ".");
        return .{ .tmp = tmp, .root = root };
    }

    fn deinit(t: *Tmp) void {
        testing.allocator.free(t.root);
        t.tmp.cleanup();
    }

    /// `root/name` as an owned Str.
    fn path(t: *const Tmp, name: []const u8) Str {
        var b = str_mod.Builder.init();
        b.print("{s}/{s}", .{ t.root, name });
        return b.finish();
    }
};

test read {
    var t = try Tmp.init();
    defer t.deinit();
    try t.tmp.dir.writeFile(.{ .sub_path = "a.txt", .data = "héllo\nworld" });
    const p = t.path("a.txt");
    defer rc.release(p);
    const r = read(p);
    defer rc.release(r);
    try testing.expectEqualStrings("héllo\nworld", r.Ok.bytes());

    const missing = t.path("missing.txt");
    defer rc.release(missing);
    const e = read(missing);
    defer rc.release(e);
    var want = str_mod.Builder.init();
    defer want.deinit();
    want.print("file_read: cannot open '{s}': no such file or directory", .{missing.bytes()});
    try testing.expectEqualStrings(want.written(), e.Err.bytes());

    const root = Str.fromSlice(t.root);
    defer rc.release(root);
    const dir_read = read(root);
    defer rc.release(dir_read);
    try testing.expect(std.mem.startsWith(u8, dir_read.Err.bytes(), "file_read: cannot "));
    try testing.expect(std.mem.endsWith(u8, dir_read.Err.bytes(), "is a directory"));

    const nul = read(Str.lit("a\x00b"));
    defer rc.release(nul);
    try testing.expectEqualStrings("file_read: cannot open 'a\x00b': path contains a NUL byte", nul.Err.bytes());
}

test write {
    var t = try Tmp.init();
    defer t.deinit();
    const p = t.path("out.txt");
    defer rc.release(p);
    try testing.expect(write(p, Str.lit("first version")).Ok);
    try testing.expect(write(p, Str.lit("second")).Ok); // truncates
    try testing.expect(append(p, Str.lit(" + more")).Ok);
    const r = read(p);
    defer rc.release(r);
    try testing.expectEqualStrings("second + more", r.Ok.bytes());
    try testing.expectEqual(@as(i64, 13), size(p).Ok);

    const fresh = t.path("fresh.log");
    defer rc.release(fresh);
    try testing.expect(append(fresh, Str.lit("line\n")).Ok); // creates
    try testing.expectEqual(@as(i64, 5), size(fresh).Ok);

    const bad = t.path("no/such/dir/x.txt");
    defer rc.release(bad);
    const e = write(bad, Str.lit("x"));
    defer rc.release(e);
    try testing.expect(std.mem.startsWith(u8, e.Err.bytes(), "file_write: cannot open '"));
    try testing.expect(std.mem.endsWith(u8, e.Err.bytes(), "/no/such/dir/x.txt': no such file or directory"));
}

test append {
    var t = try Tmp.init();
    defer t.deinit();
    const p = t.path("log.txt");
    defer rc.release(p);
    for (0..3) |_| try testing.expect(append(p, Str.lit("ab")).Ok);
    const r = read(p);
    defer rc.release(r);
    try testing.expectEqualStrings("ababab", r.Ok.bytes());
}

test exists {
    var t = try Tmp.init();
    defer t.deinit();
    try t.tmp.dir.writeFile(.{ .sub_path = "f", .data = "" });
    try t.tmp.dir.makeDir("d");
    const f = t.path("f");
    defer rc.release(f);
    const d = t.path("d");
    defer rc.release(d);
    const none = t.path("none");
    defer rc.release(none);
    try testing.expect(exists(f));
    try testing.expect(exists(d));
    try testing.expect(!exists(none));
    try testing.expect(!exists(Str.lit("x\x00")));
    try testing.expect(isDir(d));
    try testing.expect(!isDir(f));
    try testing.expect(!isDir(none));
}

test delete {
    var t = try Tmp.init();
    defer t.deinit();
    try t.tmp.dir.writeFile(.{ .sub_path = "f", .data = "x" });
    const f = t.path("f");
    defer rc.release(f);
    try testing.expect(delete(f).Ok);
    try testing.expect(!exists(f));
    const again = delete(f);
    defer rc.release(again);
    try testing.expect(std.mem.endsWith(u8, again.Err.bytes(), "/f': no such file or directory"));
    try testing.expect(std.mem.startsWith(u8, again.Err.bytes(), "file_delete: cannot delete '"));
    try t.tmp.dir.makeDir("d");
    const d = t.path("d");
    defer rc.release(d);
    const dir = delete(d);
    defer rc.release(dir);
    try testing.expect(std.mem.endsWith(u8, dir.Err.bytes(), "/d': is a directory"));
    try testing.expect(isDir(d));
}

test removeDir {
    var t = try Tmp.init();
    defer t.deinit();
    try t.tmp.dir.makePath("d/inner");
    const d = t.path("d");
    defer rc.release(d);
    const inner = t.path("d/inner");
    defer rc.release(inner);
    const full = removeDir(d);
    defer rc.release(full);
    try testing.expect(std.mem.endsWith(u8, full.Err.bytes(), "/d': directory not empty"));
    try testing.expect(removeDir(inner).Ok);
    try testing.expect(removeDir(d).Ok);
    try testing.expect(!exists(d));
}

test mkdir {
    var t = try Tmp.init();
    defer t.deinit();
    const deep = t.path("a/b/c");
    defer rc.release(deep);
    try testing.expect(mkdir(deep).Ok);
    try testing.expect(isDir(deep));
    try testing.expect(mkdir(deep).Ok); // already there
    try t.tmp.dir.writeFile(.{ .sub_path = "file", .data = "" });
    const under_file = t.path("file/sub");
    defer rc.release(under_file);
    const e = mkdir(under_file);
    defer rc.release(e);
    try testing.expect(std.mem.startsWith(u8, e.Err.bytes(), "dir_create: cannot create '"));
    try testing.expect(std.mem.endsWith(u8, e.Err.bytes(), "/file/sub': not a directory"));
}

test list {
    var t = try Tmp.init();
    defer t.deinit();
    for ([_][]const u8{ "zeta.txt", "Alpha", "beta", "10.dat", "2.dat" }) |n| {
        try t.tmp.dir.writeFile(.{ .sub_path = n, .data = n });
    }
    try t.tmp.dir.makeDir("sub");
    const root = Str.fromSlice(t.root);
    defer rc.release(root);
    const r = list(root);
    defer rc.release(r);
    const want = [_][]const u8{ "10.dat", "2.dat", "Alpha", "beta", "sub", "zeta.txt" };
    try testing.expectEqual(@as(i64, want.len), r.Ok.len());
    for (want, r.Ok.items()) |w, g| try testing.expectEqualStrings(w, g.bytes());

    const empty_dir = t.path("sub");
    defer rc.release(empty_dir);
    const e = list(empty_dir);
    defer rc.release(e);
    try testing.expectEqual(@as(i64, 0), e.Ok.len());

    const file = t.path("beta");
    defer rc.release(file);
    const not_dir = list(file);
    defer rc.release(not_dir);
    try testing.expect(std.mem.endsWith(u8, not_dir.Err.bytes(), "/beta': not a directory"));
}

test size {
    var t = try Tmp.init();
    defer t.deinit();
    try t.tmp.dir.writeFile(.{ .sub_path = "s", .data = "12345678" });
    const p = t.path("s");
    defer rc.release(p);
    try testing.expectEqual(@as(i64, 8), size(p).Ok);
    const missing = t.path("nope");
    defer rc.release(missing);
    const e = size(missing);
    defer rc.release(e);
    try testing.expect(std.mem.startsWith(u8, e.Err.bytes(), "file_size: cannot stat '"));
    try testing.expect(std.mem.endsWith(u8, e.Err.bytes(), "/nope': no such file or directory"));
}
