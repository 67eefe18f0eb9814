//! The file-system built-ins (`file_*`, `dir_*`) with the runtime's results (`runtime/fs.zig`):
//! the same `Ok` values, the same `Err` texts (`file_read: cannot open 'x': no such file or
//! directory`, the reason chosen from the operating system's error number as Zig's error set
//! names it), paths relative to the working directory. Unlike the rest of the interpreter these
//! act on the world, as the compiled program does. Text the interpreter cannot hold (a file or
//! a name that is not UTF-8) is refused, not altered.

use super::fault::{Loc, Stop};
use super::value::Value;
use std::io::{Read, Seek, SeekFrom, Write};
use std::rc::Rc;

/// What a library built-in gives: a plain value, or the payload of a `Result` or `Option`.
pub enum Reply {
    Plain(Value),
    Result(Result<Value, String>),
    /// The payload of an `Option` (the caller wraps it in the call's `Option` type).
    Option(Option<Value>),
}

/// Runs file-system built-in `name`, or None when `name` is not one.
pub fn call(name: &str, args: &[Value], loc: &Loc) -> Option<Result<Reply, Stop>> {
    let path = match args.first() {
        Some(Value::Str(p)) => p.to_string(),
        _ => return None,
    };
    let text = |i: usize| match args.get(i) {
        Some(Value::Str(s)) => s.to_string(),
        _ => String::new(),
    };
    let done = |r: Result<(), String>| Ok(Reply::Result(r.map(|()| Value::Bool(true))));
    Some(match name {
        "file_read" => read(&path, loc).map(Reply::Result),
        "file_write" => done(write(&path, &text(1), true)),
        "file_append" => done(write(&path, &text(1), false)),
        "file_exists" => Ok(Reply::Plain(Value::Bool(!path.contains('\0') && std::fs::metadata(&path).is_ok()))),
        "dir_exists" => Ok(Reply::Plain(Value::Bool(!path.contains('\0') && std::fs::metadata(&path).is_ok_and(|m| m.is_dir())))),
        "file_delete" => done(checked(&path, "file_delete", "delete").and_then(|()| std::fs::remove_file(&path).map_err(|e| failure("file_delete", "delete", &path, &e)))),
        "dir_remove" => done(checked(&path, "dir_remove", "remove").and_then(|()| std::fs::remove_dir(&path).map_err(|e| failure("dir_remove", "remove", &path, &e)))),
        "dir_create" => done(checked(&path, "dir_create", "create").and_then(|()| std::fs::create_dir_all(&path).map_err(|e| failure("dir_create", "create", &path, &e)))),
        "file_size" => Ok(Reply::Result(checked(&path, "file_size", "stat").and_then(|()| {
            std::fs::metadata(&path).map(|m| Value::Int(i128::from(m.len()))).map_err(|e| failure("file_size", "stat", &path, &e))
        }))),
        "dir_list" => list(&path, loc).map(Reply::Result),
        _ => return None,
    })
}

/// `op: cannot what 'path': reason`, the runtime's `fs.failure`.
fn failure(op: &str, what: &str, path: &str, e: &std::io::Error) -> String {
    format!("{op}: cannot {what} '{path}': {}", reason(e))
}

/// A path with a NUL byte fails before reaching the system, as in the runtime.
fn checked(path: &str, op: &str, what: &str) -> Result<(), String> {
    if path.contains('\0') {
        return Err(format!("{op}: cannot {what} '{path}': path contains a NUL byte"));
    }
    Ok(())
}

/// `fs.reason` (and `oserror.describe` behind it) for the error number Zig maps to each error.
fn reason(e: &std::io::Error) -> &'static str {
    match e.raw_os_error().unwrap_or(0) {
        libc::ENOENT => "no such file or directory",
        libc::EACCES | libc::EPERM => "permission denied",
        libc::EISDIR => "is a directory",
        libc::ENOTDIR => "not a directory",
        libc::ENOTEMPTY => "directory not empty",
        libc::EEXIST => "file exists",
        libc::ENOSPC => "no space left on device",
        libc::ENAMETOOLONG => "file name too long",
        libc::EROFS => "read-only file system",
        libc::ELOOP => "too many levels of symbolic links",
        libc::EBUSY | libc::ETXTBSY => "device or resource busy",
        libc::EFBIG => "file too large",
        libc::EDQUOT => "the disk quota is exceeded",
        libc::EIO => "an input/output error",
        libc::ENODEV | libc::ENXIO => "no such device",
        libc::EMFILE | libc::ENFILE => "too many open files",
        libc::ENOMEM => "out of memory",
        _ => "an unexpected system error",
    }
}

/// `file_read`: Ok(the text) or Err(the runtime's message); a file that is not UTF-8 is refused.
pub fn read(path: &str, loc: &Loc) -> Result<Result<Value, String>, Stop> {
    if let Err(e) = checked(path, "file_read", "open") {
        return Ok(Err(e));
    }
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return Ok(Err(failure("file_read", "open", path, &e))),
    };
    let mut bytes = Vec::new();
    if let Err(e) = file.read_to_end(&mut bytes) {
        return Ok(Err(failure("file_read", "read", path, &e)));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Ok(Value::str(&text))),
        Err(_) => Err(Stop::unsupported("reading a file that is not UTF-8", loc)),
    }
}

fn write(path: &str, content: &str, truncate: bool) -> Result<(), String> {
    let op = if truncate { "file_write" } else { "file_append" };
    checked(path, op, "open")?;
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(truncate).open(path).map_err(|e| failure(op, "open", path, &e))?;
    if !truncate {
        file.seek(SeekFrom::End(0)).map_err(|e| failure(op, "seek in", path, &e))?;
    }
    file.write_all(content.as_bytes()).map_err(|e| failure(op, "write", path, &e))
}

/// The entries' names in byte order, `.` and `..` left out.
fn list(path: &str, loc: &Loc) -> Result<Result<Value, String>, Stop> {
    if let Err(e) = checked(path, "dir_list", "open") {
        return Ok(Err(e));
    }
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => return Ok(Err(failure("dir_list", "open", path, &e))),
    };
    let mut names = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => match entry.file_name().into_string() {
                Ok(name) => names.push(name),
                Err(_) => return Err(Stop::unsupported("a file name that is not UTF-8", loc)),
            },
            Err(e) => return Ok(Err(failure("dir_list", "read", path, &e))),
        }
    }
    names.sort();
    Ok(Ok(Value::List(Rc::new(names.iter().map(|n| Value::str(n)).collect()))))
}
