//! Words for the errors of the operating system, so that no Zig error name reaches a user:
//! `describe(error.NoSpaceLeft)` is "no space left on the device". Shared by the sampler (its
//! output files) and by compiled programs (`core.zig`, standard output); `std` only, so it can
//! live in the separately built sampler.

const std = @import("std");

/// A short lower-case phrase for `e`, to follow "cannot write 'x': ".
pub fn describe(e: anyerror) []const u8 {
    return switch (e) {
        error.AccessDenied, error.PermissionDenied => "permission denied",
        error.FileNotFound => "no such file or directory",
        error.NotDir => "a part of the path is not a directory",
        error.IsDir => "it is a directory",
        error.PathAlreadyExists => "it already exists",
        error.NoSpaceLeft => "no space left on the device",
        error.DiskQuota => "the disk quota is exceeded",
        error.ReadOnlyFileSystem => "the file system is read-only",
        error.FileTooBig => "the file is too large",
        error.NameTooLong => "the name is too long",
        error.SymLinkLoop => "too many symbolic links",
        error.BrokenPipe => "the reader has gone (broken pipe)",
        error.ConnectionResetByPeer => "the connection was reset",
        error.InputOutput => "an input/output error",
        error.NoDevice => "no such device",
        error.DeviceBusy => "the device is busy",
        error.FileBusy => "the file is busy",
        error.ProcessFdQuotaExceeded, error.SystemFdQuotaExceeded => "too many open files",
        error.SystemResources => "the system is out of resources",
        error.OutOfMemory => "out of memory",
        error.BadPathName, error.InvalidUtf8, error.InvalidWtf8 => "the path is not valid",
        error.NotOpenForWriting => "it is not open for writing",
        error.WouldBlock => "the write would block",
        error.LockViolation => "the file is locked",
        else => "an unexpected system error",
    };
}

test describe {
    try std.testing.expectEqualStrings("no space left on the device", describe(error.NoSpaceLeft));
    try std.testing.expectEqualStrings("it is a directory", describe(error.IsDir));
    try std.testing.expectEqualStrings("an unexpected system error", describe(error.Unexpected));
}
