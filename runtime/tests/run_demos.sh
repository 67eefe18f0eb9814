#!/usr/bin/env bash
# Builds the hand-written imitations of generated programs in this folder against the runtime
# (laid out as the code generator does: the program next to an `rt/` copy of runtime/) in
# Debug (-fstrip) and ReleaseFast, runs them, and compares stdout, stderr and exit status with
# the expectations below. Exits non-zero on the first mismatch.
#
# Zig: $SEV_ZIG if set, else `zig` on PATH, else `python3 -m ziglang`.
set -u

here=$(cd "$(dirname "$0")" && pwd)
runtime=$(dirname "$here")

if [ -n "${SEV_ZIG:-}" ]; then
    zig=("$SEV_ZIG")
elif command -v zig >/dev/null 2>&1; then
    zig=(zig)
else
    zig=(python3 -m ziglang)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/rt"
cp -R "$runtime/." "$work/rt/"
rm -rf "$work/rt/tests"
cp "$here"/demo_*.zig "$work/"

failures=0

# build NAME MODE -> binary path in $work
build() {
    local name=$1 mode=$2
    local flags=(-O"$mode")
    [ "$mode" = Debug ] && flags+=(-fstrip)
    (cd "$work" && "${zig[@]}" build-exe "$name.zig" "${flags[@]}" -femit-bin="$name-$mode" --color off) || {
        echo "FAIL: build of $name ($mode)"
        exit 1
    }
}

# check NAME MODE STATUS EXPECTED_STDOUT EXPECTED_STDERR [ARGS...]
# EXPECTED_STDERR starting with '~' means "stderr contains the rest".
check() {
    local name=$1 mode=$2 want_status=$3 want_out=$4 want_err=$5
    shift 5
    local out err status
    out=$("$work/$name-$mode" "$@" 2>"$work/stderr")
    status=$?
    err=$(cat "$work/stderr")
    local ok=1
    [ "$status" = "$want_status" ] || ok=0
    [ "$out" = "$want_out" ] || ok=0
    if [ "${want_err:0:1}" = "~" ]; then
        case "$err" in *"${want_err:1}"*) ;; *) ok=0 ;; esac
    else
        [ "$err" = "$want_err" ] || ok=0
    fi
    if [ $ok = 1 ]; then
        echo "ok: $name ($mode)"
    else
        failures=$((failures + 1))
        echo "FAIL: $name ($mode)"
        echo "  status: want $want_status, got $status"
        echo "  --- stdout (want)"; printf '%s\n' "$want_out"
        echo "  --- stdout (got)"; printf '%s\n' "$out"
        echo "  --- stderr (want)"; printf '%s\n' "$want_err"
        echo "  --- stderr (got)"; printf '%s\n' "$err"
    fi
}

ok_out='Hello, world!
HELLO, WORLD!
13
pear apple fig
apple fig pear kiwi
("apple", 5)
("fig", 300)
("pear", 4)
("kiwi", 4)
no plum
25
1.4142135623730951
0.30000000000000004
1e+16
1e-05
a+b c
2055'

overflow_out='before overflow'
overflow_err='error: integer overflow: 2147483647 + 1 does not fit in i32
  --> examples/overflow.sirs.json:12:9 (in function `sum`)'

for mode in Debug ReleaseFast; do
    build demo_ok "$mode"
    check demo_ok "$mode" 0 "$ok_out" "" a "b c"
    build demo_overflow "$mode"
    check demo_overflow "$mode" 101 "$overflow_out" "$overflow_err"
    build demo_leak "$mode"
done
check demo_leak Debug 102 "leaked string" "~error: memory leak detected"
check demo_leak ReleaseFast 0 "leaked string" ""

build demo_panic Debug
check demo_panic Debug 70 "about to panic" "internal error: index out of bounds: index 5, len 3"

if [ $failures -gt 0 ]; then
    echo "$failures demo check(s) failed"
    exit 1
fi
echo "all demo checks passed"
