//! The runtime's own tests: every `test` block beside the runtime's functions (`runtime/**.zig`)
//! runs under `zig test runtime/sev_rt.zig` (Debug, leak-checked by `std.testing.allocator`).
//! The test also checks that the root reaches every block: the number of tests Zig reports
//! passing equals the number of `test` declarations in the runtime's files, so a module that
//! nothing imports (and whose tests would silently not run) fails here.

mod support;

use std::path::Path;

fn count_test_blocks(dir: &Path) -> usize {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).expect("runtime directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            total += count_test_blocks(&path);
        } else if path.extension().is_some_and(|e| e == "zig") {
            let text = std::fs::read_to_string(&path).expect("runtime file");
            total += text.lines().filter(|l| l.starts_with("test ") || l.starts_with("test{")).count();
        }
    }
    total
}

#[test]
fn every_runtime_test_block_passes() {
    let root = support::root();
    let expected = count_test_blocks(&root.join("runtime"));
    assert!(expected >= 400, "found only {expected} test blocks");
    let cache = support::cache_dir().join("zig");
    let out = support::zig()
        .command()
        .current_dir(&root)
        .args(["test", "runtime/sev_rt.zig", "--global-cache-dir"])
        .arg(&cache)
        .arg("--cache-dir")
        .arg(&cache)
        .output()
        .expect("zig runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: String = stderr.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    assert!(out.status.success(), "zig test runtime/sev_rt.zig failed:\n{tail}");
    let summary = format!("All {expected} tests passed.");
    assert!(stderr.contains(&summary), "expected `{summary}` (every test block reached from sev_rt.zig):\n{tail}");
}
