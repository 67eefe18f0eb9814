#!/bin/sh
# Prototype of the build architecture (docs/inference.md, "Build architecture"): builds the
# sampler once, the hand-written eight schools model against it in the three ways described
# there, times every step (cold = fresh Zig cache, warm = repeated), checks that all binaries
# produce bit-identical draws, and runs the in-process benchmark.
#
# usage: sh runtime/ppl/sampler/proto/build.sh [OUTDIR]     (default: a new temporary directory)
# needs: zig 0.14.1 on PATH (or $ZIG).
set -eu
ZIG=${ZIG:-zig}
HERE=$(cd "$(dirname "$0")" && pwd)
S=$(cd "$HERE/.." && pwd)
OUT=${1:-$(mktemp -d)}
mkdir -p "$OUT"
cd "$OUT"
export ZIG_GLOBAL_CACHE_DIR="$OUT/zig-cache"
export ZIG_LOCAL_CACHE_DIR="$OUT/zig-cache"
printf '%s\n' '{"J": 8, "y": [28, 8, -3, 7, -1, 1, 18, 12], "sigma": [15, 10, 16, 11, 9, 11, 10, 18]}' > es.json

t() { # t LABEL CMD...: run and print the wall time
    label=$1; shift
    s=$(date +%s.%N); "$@"; e=$(date +%s.%N)
    echo "$label: $(awk "BEGIN { printf \"%.3f\", $e - $s }") s" >&2
}

echo "== A. sampler owns main (recommended): no libc, static binary"
rm -rf zig-cache
t "A1 sampler object, cold cache (ReleaseFast)" $ZIG build-obj -OReleaseFast "$S/exe_main.zig" --name sampler_main -femit-bin=sampler_main.o
t "A1 sampler object, warm cache" $ZIG build-obj -OReleaseFast "$S/exe_main.zig" --name sampler_main -femit-bin=sampler_main.o
t "A2 model object, cold" $ZIG build-obj -OReleaseFast --dep es -Mroot="$HERE/export_program.zig" --dep smp -Mes="$HERE/eight_schools.zig" -Msmp="$S/client.zig" -femit-bin=model.o
t "A2 model object, warm" $ZIG build-obj -OReleaseFast --dep es -Mroot="$HERE/export_program.zig" --dep smp -Mes="$HERE/eight_schools.zig" -Msmp="$S/client.zig" -femit-bin=model.o
t "A3 link, first (builds compiler_rt)" $ZIG build-exe -OReleaseFast sampler_main.o model.o --name es_a -femit-bin=es_a
t "A3 link, warm" $ZIG build-exe -OReleaseFast sampler_main.o model.o --name es_a -femit-bin=es_a

echo "== B. model is the root, static library + libc (the brief's 'build-exe model.zig libsampler.a')"
t "B1 libsampler.a (-lc), warm cache" $ZIG build-lib -OReleaseFast -lc "$S/abi.zig" --name sampler -femit-bin=libsampler.a
t "B2 model exe against libsampler.a (-lc), first" $ZIG build-exe -OReleaseFast -lc --dep smp -Mroot="$HERE/eight_schools.zig" -Msmp="$S/client.zig" libsampler.a -femit-bin=es_b
t "B2 model exe against libsampler.a (-lc), warm" $ZIG build-exe -OReleaseFast -lc --dep smp -Mroot="$HERE/eight_schools.zig" -Msmp="$S/client.zig" libsampler.a -femit-bin=es_b

echo "== C. one compilation (model + sampler source together)"
t "C1 build-exe, warm cache" $ZIG build-exe -OReleaseFast --dep smp -Mroot="$HERE/eight_schools.zig" -Msmp="$S/sampler.zig" -femit-bin=es_c
t "C1 build-exe, again" $ZIG build-exe -OReleaseFast --dep smp -Mroot="$HERE/eight_schools.zig" -Msmp="$S/sampler.zig" -femit-bin=es_c

echo "== runs (4 chains x 1000 + 1000, seed 1, 1 thread, CSV output, summary to a file)"
for b in es_a es_b es_c; do
    t "$b sample" ./$b sample --data es.json --seed 1 --threads 1 --output out_$b > summary_$b.txt
done
./es_a sample --data es.json --seed 1 --threads 2 --output out_a2 --quiet
for k in 1 2 3 4; do
    grep -v '^#' out_es_a/eight_schools_chain_$k.csv > ref.csv
    for o in out_es_b out_es_c out_a2; do
        grep -v '^#' $o/eight_schools_chain_$k.csv > other.csv
        cmp -s ref.csv other.csv || { echo "draws differ: $o chain $k"; exit 1; }
    done
done
echo "all builds and thread counts give identical draws"
ls -l es_a es_b es_c | awk '{print $5, $9}'
head -3 summary_es_a.txt

echo "== in-process benchmark (ReleaseFast)"
$ZIG build-exe -OReleaseFast --dep smp --dep es -Mroot="$HERE/bench.zig" -Msmp="$S/sampler.zig" --dep smp -Mes="$HERE/eight_schools.zig" -femit-bin=bench
./bench
echo "output in $OUT"
