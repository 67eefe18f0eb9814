#!/usr/bin/env python3
"""Stress check of runtime/math.zig beyond the committed table (not run by CI; minutes).

Draws N arguments per function with gen_cases.py's generators (another seed), evaluates them
with runtime/math.zig (eval.zig, ReleaseFast) and with glibc, and settles every disagreement
with mpmath: prints, per function, how often we are wrong (should be 0) and how often glibc
is. Then runs near-halfway families (1 + x halfway for exp, exact halfway powers, ...).
Usage: python3 stress.py [N=200000] [seed=1] [functions=all transcendental]
Exits 1 if any result of ours is not the correctly rounded one.
"""
import array
import os
import random
import subprocess
import sys
import tempfile

import gen_cases as G

HERE = os.path.dirname(os.path.abspath(__file__))
TRANSCENDENTAL = "exp,log,log10,log2,sin,cos,tan,asin,acos,atan,sinh,cosh,tanh,pow,atan2,hypot,degrees,radians"


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    G.R.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    names = (sys.argv[3] if len(sys.argv) > 3 else TRANSCENDENTAL).split(",")
    G.N = n
    tmp = tempfile.mkdtemp()
    exe = os.path.join(tmp, "eval")
    subprocess.run([os.environ.get("ZIG", "zig"), "build-exe", "-OReleaseFast", "--dep", "math",
                    "-Mroot=eval.zig", "-Mmath=../../math.zig", "-femit-bin=" + exe], cwd=HERE, check=True)
    funcs = {name: (gen, glibc, cr) for name, gen, glibc, cr in G.FUNCS}
    total_bad = 0

    def run(name, args, label):
        nonlocal total_bad
        _, glibc, cr = funcs[name]
        inp, out = os.path.join(tmp, "in.bin"), os.path.join(tmp, "out.bin")
        with open(inp, "wb") as f:
            f.write(array.array("d", [v for a in args for v in a]).tobytes())
        subprocess.run([exe, name, inp, out], check=True)
        res = array.array("d")
        with open(out, "rb") as f:
            res.frombytes(f.read())
        ours_bad = glibc_bad = 0
        for a, r in zip(args, res):
            g = glibc(*a)
            if G.same(g, r):
                continue
            want = g
            if cr is not None and all(map(G.math.isfinite, a)):
                try:
                    want = cr(*a)
                except (ValueError, TypeError, ZeroDivisionError):
                    pass
            if G.same(want, r):
                glibc_bad += 1
            else:
                ours_bad += 1
                if ours_bad <= 5:
                    print(f"  WRONG {name}{a}: ours {r!r}, correctly rounded {want!r}")
        total_bad += ours_bad
        print(f"{name:8} {label:28} {len(args):7} args: ours wrong {ours_bad}, glibc wrong {glibc_bad}", flush=True)

    for name in names:
        run(name, funcs[name][0]()[:n], "random (gen_cases mix)")
    R = random.Random(5)
    m = min(n, 3000)
    hard = [
        ("exp", lambda: ((2 * R.randrange(1, 2 ** 24) + 1) * 2.0 ** -53 * R.choice([1, -1]),), "1 + x halfway"),
        ("log", lambda: (1 + R.randrange(2 ** 20, 2 ** 26) * 2.0 ** -52,), "x - x^2/2 near halfway"),
        ("sin", lambda: (G.math.ldexp(1 + R.random(), -R.randint(18, 26)),), "small x"),
        ("tan", lambda: (G.math.ldexp(1 + R.random(), -R.randint(18, 26)),), "small x"),
        ("atan", lambda: (G.math.ldexp(1 + R.random(), -R.randint(14, 26)),), "small x"),
        ("sinh", lambda: (G.math.ldexp(1 + R.random(), -R.randint(14, 26)),), "small x"),
        ("tanh", lambda: (G.math.ldexp(1 + R.random(), -R.randint(14, 26)),), "small x"),
        ("pow", lambda: (1 + R.randrange(1, 2 ** 10) * 2.0 ** -52, float(R.randrange(2, 2 ** 30))), "(1 + k ulp)^n"),
        ("pow", lambda: (float(R.randrange(208065, 262143, 2)) * R.choice([1, -1, 2.0 ** -300, 2.0 ** 200]), 3.0), "exact halfway cubes"),
        ("pow", lambda: (float(R.randrange(8193, 2 ** 14, 2)) * 2.0 ** -R.randint(0, 80), 4.0), "exact halfway 4th powers"),
    ]
    for name, gen, label in hard:
        if name in names:
            run(name, [gen() for _ in range(m)], label)
    print("stress: " + ("0 wrong" if total_bad == 0 else f"{total_bad} WRONG"))
    sys.exit(1 if total_bad else 0)


if __name__ == "__main__":
    main()
