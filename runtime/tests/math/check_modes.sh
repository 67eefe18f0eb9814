#!/usr/bin/env bash
# Checks that runtime/math.zig gives bit-identical results in every build mode: builds
# mode_check.zig with -ODebug, -OReleaseSafe and -OReleaseFast and compares what they print
# (hashes of all results computed at run time, with LLVM-foldable constant arguments, and by
# Zig's compile-time interpreter). Exits non-zero on any difference.
# Usage: runtime/tests/math/check_modes.sh   (needs `zig` 0.14.1 on PATH, or ZIG=...)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
zig="${ZIG:-zig}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
status=0
reference=""
for mode in Debug ReleaseSafe ReleaseFast; do
    (cd "$here" && "$zig" build-exe -O"$mode" --dep math -Mroot=mode_check.zig -Mmath=../../math.zig \
        -femit-bin="$out/mode_check_$mode" --cache-dir "$out/cache" --global-cache-dir "${ZIG_GLOBAL_CACHE_DIR:-$HOME/.cache/zig}")
    "$out/mode_check_$mode" > "$out/$mode.txt"
    echo "== $mode"; cat "$out/$mode.txt"
    get() { awk -v k="$1" '$1 == k { print $2 }' "$out/$mode.txt"; }
    if [ "$(get runtime)" != "$(get folded)" ]; then
        echo "FAIL ($mode): constant-folded calls differ from run-time calls"; status=1
    fi
    if [ "$(get runtime-unsigned-zeros)" != "$(get comptime-unsigned-zeros)" ]; then
        echo "FAIL ($mode): compile-time evaluation differs from run time"; status=1
    fi
    if grep -q '^differ' "$out/$mode.txt"; then status=1; fi
    if [ -z "$reference" ]; then
        reference="$mode"
    elif ! cmp -s "$out/$reference.txt" "$out/$mode.txt"; then
        echo "FAIL: $mode prints different results from $reference"; status=1
    fi
done
if [ "$status" -eq 0 ]; then echo "mode check: 3 passed, 0 failed"; else echo "mode check: FAILED"; fi
exit "$status"
