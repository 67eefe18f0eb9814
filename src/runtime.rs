//! The Zig runtime, embedded in the `sev` binary.
//!
//! Every `.zig` file under `runtime/` is included at compile time (the list is made by
//! `build.rs`) and written into each build directory under `rt/`, next to the generated
//! program, which imports `rt/sev_rt.zig`.

/// (path relative to `runtime/`, contents) for every runtime file.
pub const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/runtime_files.rs"));

/// Writes the runtime into `dir/rt/`.
pub fn write_to(dir: &std::path::Path) -> std::io::Result<()> {
    for (rel, contents) in FILES {
        let path = dir.join("rt").join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, contents)?;
    }
    Ok(())
}

/// Feeds every runtime file into a hasher (for the artifact cache key).
pub fn hash_into(hasher: &mut impl sha2::Digest) {
    for (rel, contents) in FILES {
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update(contents.as_bytes());
        hasher.update([0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_and_core_modules_are_embedded() {
        for name in ["sev_rt.zig", "core.zig", "rc.zig", "str.zig", "list.zig", "builtins.zig"] {
            assert!(FILES.iter().any(|(rel, _)| *rel == name), "{name} missing");
        }
        assert!(FILES.iter().all(|(rel, _)| !rel.starts_with("tests/")));
    }
}
