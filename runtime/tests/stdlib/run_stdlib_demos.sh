#!/usr/bin/env bash
# Builds the hand-written stdlib demo (a program shaped like generated code that uses json,
# regex, datetime, fs, task and http through `rt`) against a copy of runtime/ laid out as the
# code generator does (the program next to `rt/`), in Debug (-fstrip; leak-checked: a leak
# exits 102) and ReleaseFast, runs it and compares stdout, stderr and exit status.
#
# Zig: $SEV_ZIG if set, else `zig` on PATH, else `python3 -m ziglang`.
set -u

here=$(cd "$(dirname "$0")" && pwd)
runtime=$(cd "$here/../.." && pwd)

if [ -n "${SEV_ZIG:-}" ]; then
    zig=("$SEV_ZIG")
elif command -v zig >/dev/null 2>&1; then
    zig=(zig)
else
    zig=(python3 -m ziglang)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/rt" "$work/files"
cp -R "$runtime/." "$work/rt/"
rm -rf "$work/rt/tests"
cp "$here"/demo_stdlib.zig "$work/"

want_out='sev
2
{"name":"sev","tags":["ppl","zig"],"pi":3.14159,"ok":true}
{"name":"sev","tags":["ppl","zig"],"pi":3,"ok":true}
json: expected '"'"','"'"' or '"'"'}'"'"', found '"'"'"'"'"' at line 3, column 3
ann@example.com | bob@test.com
write to example:ann or test:bob
true
regex: unclosed group at offset 3
2024-02-29T00:30:00Z
60
-3600
datetime: cannot parse "2023-02-29": day 29 out of range for month 2 (1-28) at position 8
line 1
line 2
14
notes.txt
false
true
338350
DONE
200
application/json
fine
http: https is not supported (plain http:// only): '"'"'https://example.com/'"'"''

failures=0
for mode in Debug ReleaseFast; do
    flags=(-O"$mode")
    [ "$mode" = Debug ] && flags+=(-fstrip)
    if ! (cd "$work" && "${zig[@]}" build-exe demo_stdlib.zig "${flags[@]}" -femit-bin="demo_stdlib-$mode" --color off); then
        echo "FAIL: build ($mode)"
        exit 1
    fi
    rm -rf "$work/files"/*
    out=$("$work/demo_stdlib-$mode" "$work/files" 2>"$work/stderr")
    status=$?
    err=$(cat "$work/stderr")
    if [ "$status" = 0 ] && [ "$out" = "$want_out" ] && [ -z "$err" ]; then
        echo "ok: demo_stdlib ($mode)"
    else
        failures=$((failures + 1))
        echo "FAIL: demo_stdlib ($mode): status $status"
        diff <(printf '%s\n' "$want_out") <(printf '%s\n' "$out")
        echo "--- stderr"; printf '%s\n' "$err"
    fi
done

if [ $failures -gt 0 ]; then
    echo "$failures stdlib demo check(s) failed"
    exit 1
fi
echo "all stdlib demo checks passed"
