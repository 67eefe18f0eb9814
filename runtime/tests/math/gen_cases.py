#!/usr/bin/env python3
"""How runtime/tests/math/cases.bin.gz was produced: the reference table for runtime/math.zig.

For every math built-in it draws 2,000 seeded random arguments spread over the ranges where
implementations go wrong (tiny, subnormal, near 1, near multiples of pi/2, near overflow and
underflow thresholds, huge, negative, special values), and records
  * the correctly rounded result, computed with mpmath at >= 300 bits and rounded to the
    nearest double through an exact rational (so subnormals round once), and
  * glibc's result (libm.so.6 through ctypes: the library under CPython's `math`, without
    Python's exceptions) wherever it differs from the correctly rounded one.
Special values (NaN, infinities, zeros, domain errors) take glibc's result as the reference.
Functions that are exact by definition (floor, fmod, ...) use glibc's result; min, max, sign,
clamp and lerp (no C equivalent with the runtime's NaN and signed-zero rules) use a Python
model of the documented semantics.

Format (little-endian): b"SEVMATH1", u32 section count, then per section: u8 name length,
name, u8 arity, u32 count, count records of (arity inputs + correctly rounded result) as u64
bit patterns, u32 number of glibc differences, and that many (u32 record index, u64 glibc).
The file is gzip-compressed. Usage: python3 gen_cases.py   (writes cases.bin.gz next to it)
"""
import ctypes
import gzip
import math
import os
import random
import struct
from fractions import Fraction

import mpmath
from mpmath import mp, mpf

N = 2000
R = random.Random(0x5E7_3A7)
libm = ctypes.CDLL("libm.so.6")
INF = math.inf
NAN = math.nan


def cfun(name, arity):
    f = getattr(libm, name)
    f.restype = ctypes.c_double
    f.argtypes = [ctypes.c_double] * arity
    return f


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or bits(a) == bits(b)


def to_double(v):
    """Nearest double to the mpf v, ties to even, subnormals and overflow included."""
    if not isinstance(v, mpf) or not mpmath.isfinite(v) or v == 0:
        raise ValueError("no finite nonzero real result; the caller uses C99's")
    m, e = abs(v).man_exp
    fr = Fraction(int(m)) * (Fraction(2) ** e if e >= 0 else Fraction(1, 2 ** -e))
    try:
        q = fr.numerator / fr.denominator
    except OverflowError:
        q = INF
    return -q if v < 0 else q


# ----- argument generators -------------------------------------------------------------------

SPECIALS = [0.0, -0.0, INF, -INF, NAN, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 5e-324, -5e-324,
            2.2250738585072014e-308, -2.2250738585072014e-308, 1.7976931348623157e308,
            -1.7976931348623157e308, 1e-300, math.pi, -math.pi, math.pi / 2, math.pi / 4, 3.0, 10.0]


def mag(lo, hi, signed=True):
    """Random significand times 2^e, e uniform in [lo, hi] (subnormals when e < -1022)."""
    x = math.ldexp(1.0 + R.random(), R.randint(lo, hi))
    return -x if signed and R.random() < 0.5 else x


def anybits():
    return from_bits(R.getrandbits(64))


def uni(a, b):
    return R.uniform(a, b)


def near_one():
    return 1.0 + R.choice([-1, 1]) * R.random() * 2.0 ** -R.randint(1, 60)


def near_pio2(nmax):
    n = R.randint(1, nmax)
    x = float(n * (mpf(mp.pi) / 2))
    ulp = math.ulp(x)
    x += R.randint(-20, 20) * ulp
    return -x if R.random() < 0.5 else x


def mix(spec):
    """spec: list of (weight, generator); fills N - len(SPECIALS) arguments."""
    total = sum(w for w, _ in spec)
    out = list(SPECIALS)
    while len(out) < N:
        r = R.random() * total
        for w, g in spec:
            r -= w
            if r <= 0:
                out.append(g())
                break
    return out


def args_exp():
    return [(x,) for x in mix([(30, lambda: uni(-750, 750)), (15, lambda: uni(-1, 1)),
                               (10, lambda: mag(-80, -8)), (8, lambda: uni(709, 710)),
                               (8, lambda: uni(-746, -744)), (6, lambda: uni(-709, -707)),
                               (10, lambda: mag(-1074, 10)), (5, lambda: R.randint(-60, 60) / 2),
                               (8, anybits), (4, near_midpoint_exp)])]


def near_midpoint_exp():
    # 1 + x is halfway between two doubles; x^2/2 decides the rounding (hard for the fast path).
    return (2 * R.randrange(1, 2 ** 24) + 1) * 2.0 ** -53 * R.choice([1, -1])


def args_log():
    return [(x,) for x in mix([(35, lambda: mag(-1074, 1023, False)), (25, near_one),
                               (15, lambda: uni(0, 10)), (3, lambda: -mag(-20, 20, False)),
                               (7, lambda: float(R.randint(1, 10000))),
                               (5, lambda: 10.0 ** R.randint(-300, 300)),
                               (5, lambda: math.ldexp(1.0, R.randint(-1074, 1023))),
                               (5, anybits), (4, lambda: 1 + R.randrange(2 ** 20, 2 ** 26) * 2.0 ** -52)])]


def args_trig():
    return [(x,) for x in mix([(25, lambda: uni(-10, 10)), (20, lambda: near_pio2(2 ** 20)),
                               (5, lambda: near_pio2(2 ** 50)), (10, lambda: mag(-60, 0)),
                               (20, lambda: mag(0, 1023)), (10, lambda: uni(-1e6, 1e6)),
                               (5, lambda: mag(-1074, -60)), (5, anybits)])]


def args_asin():
    return [(x,) for x in mix([(40, lambda: uni(-1, 1)),
                               (20, lambda: R.choice([-1, 1]) * (1 - R.random() * 2.0 ** -R.randint(1, 53))),
                               (10, lambda: mag(-60, -1)), (5, lambda: uni(-3, 3)),
                               (5, lambda: R.choice([-0.5, 0.5]) + uni(-1e-3, 1e-3)),
                               (10, lambda: mag(-1074, 0)), (3, anybits)])]


def args_atan():
    return [(x,) for x in mix([(30, lambda: uni(-10, 10)), (25, lambda: mag(-1074, 1023)),
                               (10, lambda: mag(-40, -10)), (10, lambda: mag(20, 70)),
                               (10, lambda: R.choice([-1, 1]) * near_one()), (5, anybits)])]


def args_sinh():
    return [(x,) for x in mix([(20, lambda: uni(-720, 720)), (25, lambda: uni(-1, 1)),
                               (15, lambda: mag(-60, -8)), (8, lambda: uni(-0.004, 0.004)),
                               (6, lambda: uni(39, 41) * R.choice([-1, 1])),
                               (6, lambda: uni(709, 711) * R.choice([-1, 1])),
                               (15, lambda: mag(-1074, 10)), (5, anybits)])]


def args_tanh():
    return [(x,) for x in mix([(25, lambda: uni(-25, 25)), (25, lambda: uni(-1, 1)),
                               (15, lambda: mag(-60, -8)), (8, lambda: uni(-0.004, 0.004)),
                               (6, lambda: uni(18, 23) * R.choice([-1, 1])),
                               (15, lambda: mag(-1074, 10)), (5, anybits)])]


def args_round():
    return [(x,) for x in mix([(30, anybits), (20, lambda: uni(-1e6, 1e6)),
                               (15, lambda: R.randint(-10 ** 6, 10 ** 6) + 0.5),
                               (15, lambda: mag(-1074, 60)), (10, lambda: uni(-3, 3)),
                               (10, lambda: mag(50, 54))])]


def args_deg():
    return [(x,) for x in mix([(30, lambda: mag(-1074, 1023)), (30, lambda: uni(-720, 720)),
                               (20, lambda: float(R.randint(-1000, 1000))),
                               (10, lambda: R.randint(-100, 100) * math.pi / R.choice([1, 2, 3, 4, 6, 180])),
                               (10, anybits)])]


def args_pow():
    out = [(x, y) for x in SPECIALS[:14] for y in [0.0, -0.0, INF, -INF, NAN, 1.0, -1.0, 2.0, 3.0, -3.0, 0.5, -0.5, 2.5]]

    def wide():
        x = mag(-1074, 1023, False)
        lx = abs(math.log(x)) or 1.0
        return (x, R.uniform(-1, 1) * 800 / lx)

    def nearone():
        return (near_one(), R.choice([-1, 1]) * mag(0, 50, False))

    def small():
        return (uni(0, 10), uni(-50, 50))

    def negint():
        return (-mag(-10, 10, False), float(R.randint(-200, 200)))

    def exact():
        return (float(R.randint(2, 100)), float(R.randint(3, 40)))

    def two():
        return (math.ldexp(1.0, R.randint(-1074, 1023)) * R.choice([1, -1]),
                R.choice([float(R.randint(-1100, 1100)), R.randint(-2200, 2200) / 2, uni(-3, 3)]))

    def halfway():
        # Odd integers whose cube or fourth power has 54 bits: exactly halfway between doubles.
        if R.random() < 0.5:
            return (float(R.randrange(208065, 262143, 2)) * R.choice([1, -1, 2.0 ** -300]), 3.0)
        return (float(R.randrange(8193, 2 ** 14, 2)) * 2.0 ** -R.randint(0, 80), 4.0)

    def edge():
        x = uni(1.5, 10)
        t = R.choice([uni(709, 710), uni(-746, -744), uni(-709, -707)])
        return (x, t / math.log(x))

    spec = [(30, wide), (10, nearone), (15, small), (10, negint), (8, exact), (6, two), (6, edge), (4, halfway),
            (5, lambda: (anybits(), anybits()))]
    total = sum(w for w, _ in spec)
    while len(out) < N:
        r = R.random() * total
        for w, g in spec:
            r -= w
            if r <= 0:
                out.append(g())
                break
    return out


def pair_mix(gens, specials=True):
    out = []
    if specials:
        sp = [0.0, -0.0, INF, -INF, NAN, 1.0, -1.0, 5e-324, 1e300, -2.5]
        out = [(a, b) for a in sp for b in sp]
    while len(out) < N:
        out.append(R.choice(gens)())
    return out


def args_atan2():
    return pair_mix([lambda: (uni(-10, 10), uni(-10, 10)), lambda: (mag(-1074, 1023), mag(-1074, 1023)),
                     lambda: (mag(-30, 30), mag(-30, 30)),
                     lambda: (mag(-10, 10) * 2.0 ** -R.randint(50, 70), mag(-10, 10)),
                     lambda: (mag(-10, 10), mag(-10, 10) * 2.0 ** -R.randint(50, 70)),
                     lambda: (anybits(), anybits())])


def args_hypot():
    def triple():
        m, n = R.randint(2, 2 ** 20), R.randint(1, 2 ** 20)
        s = 2.0 ** R.randint(-1000, 900)
        return (float(m * m - n * n) * s, float(2 * m * n) * s)
    return pair_mix([lambda: (mag(-1074, 1023), mag(-1074, 1023)), lambda: (mag(-20, 20), mag(-20, 20)),
                     lambda: (mag(1000, 1023), mag(1000, 1023)), lambda: (mag(-1074, -1000), mag(-1074, -1000)),
                     lambda: (mag(-10, 10), mag(-10, 10) * 2.0 ** -R.randint(20, 40)), triple,
                     lambda: (anybits(), anybits())])


def args_fmod():
    return pair_mix([lambda: (mag(-1074, 1023), mag(-1074, 1023)), lambda: (uni(-100, 100), uni(-10, 10)),
                     lambda: (float(R.randint(-1000, 1000)), float(R.randint(-20, 20))),
                     lambda: (mag(0, 1023), mag(-10, 10)), lambda: (anybits(), anybits())])


def args_minmax():
    return pair_mix([lambda: (uni(-10, 10), uni(-10, 10)), lambda: (anybits(), anybits()),
                     lambda: (R.choice(SPECIALS), R.choice(SPECIALS))])


def triples(gen):
    out = []
    sp = [0.0, -0.0, INF, -INF, NAN, 1.0, -1.0, 2.5]
    out = [(a, b, c) for a in sp for b in sp for c in sp[:4]]
    while len(out) < N:
        out.append(gen())
    return out


# ----- references ----------------------------------------------------------------------------

def cr1(fn, limit=None):
    """Correctly rounded reference for a one-argument mpmath function (beyond |x| > limit
    the result overflows or underflows and C99's answer, glibc's, is the reference)."""
    def f(x):
        if limit is not None and abs(x) > limit:
            raise ValueError("overflow or underflow")
        e = max(0, math.frexp(x)[1]) if math.isfinite(x) else 0
        with mp.workprec(320 + e):
            return to_double(fn(mpf(x)))
    return f


def cr_pow(x, y):
    if x == 0 or abs(y * math.log(abs(x))) > 800:
        raise ValueError("overflow or underflow")
    if x < 0 and y != int(y):
        raise ValueError("negative base, non-integer exponent")
    with mp.workprec(400):
        if x < 0:
            r = mpf(-x) ** mpf(y)
            return to_double(-r if int(y) % 2 else r)
        return to_double(mpf(x) ** mpf(y))


def cr_atan2(y, x):
    if y == 0:
        raise ValueError("mpmath has no signed zero: C99's answer")
    with mp.workprec(320):
        return to_double(mpmath.atan2(mpf(y), mpf(x)))


def cr_hypot(x, y):
    with mp.workprec(320):
        return to_double(mpmath.hypot(mpf(x), mpf(y)))


def ref_min(x, y):
    if math.isnan(x) or math.isnan(y):
        return NAN
    if x == y:
        return x if math.copysign(1, x) < 0 else y
    return x if x < y else y


def ref_max(x, y):
    if math.isnan(x) or math.isnan(y):
        return NAN
    if x == y:
        return y if math.copysign(1, x) < 0 else x
    return x if x > y else y


def ref_sign(x):
    return 1.0 if x > 0 else -1.0 if x < 0 else x


FUNCS = [
    # name, args, glibc, correctly rounded (None: glibc's result is exact)
    ("abs", args_round, cfun("fabs", 1), None),
    ("sqrt", args_log, cfun("sqrt", 1), None),
    ("exp", args_exp, cfun("exp", 1), cr1(mpmath.exp, 800)),
    ("log", args_log, cfun("log", 1), cr1(mpmath.log)),
    ("log10", args_log, cfun("log10", 1), cr1(lambda v: mpmath.log(v, 10))),
    ("log2", args_log, cfun("log2", 1), cr1(lambda v: mpmath.log(v, 2))),
    ("sin", args_trig, cfun("sin", 1), cr1(mpmath.sin)),
    ("cos", args_trig, cfun("cos", 1), cr1(mpmath.cos)),
    ("tan", args_trig, cfun("tan", 1), cr1(mpmath.tan)),
    ("asin", args_asin, cfun("asin", 1), cr1(mpmath.asin)),
    ("acos", args_asin, cfun("acos", 1), cr1(mpmath.acos)),
    ("atan", args_atan, cfun("atan", 1), cr1(mpmath.atan)),
    ("sinh", args_sinh, cfun("sinh", 1), cr1(mpmath.sinh, 800)),
    ("cosh", args_sinh, cfun("cosh", 1), cr1(mpmath.cosh, 800)),
    ("tanh", args_tanh, cfun("tanh", 1), cr1(mpmath.tanh)),
    ("floor", args_round, cfun("floor", 1), None),
    ("ceil", args_round, cfun("ceil", 1), None),
    ("round", args_round, cfun("round", 1), None),
    ("trunc", args_round, cfun("trunc", 1), None),
    ("degrees", args_deg, lambda x: x * (180.0 / math.pi), cr1(lambda v: v * 180 / mp.pi)),
    ("radians", args_deg, lambda x: x * (math.pi / 180.0), cr1(lambda v: v * mp.pi / 180)),
    ("sign", args_round, ref_sign, None),
    ("pow", args_pow, cfun("pow", 2), cr_pow),
    ("atan2", args_atan2, cfun("atan2", 2), cr_atan2),
    ("hypot", args_hypot, cfun("hypot", 2), cr_hypot),
    ("fmod", args_fmod, cfun("fmod", 2), None),
    ("remainder", args_fmod, cfun("remainder", 2), None),
    ("min", args_minmax, ref_min, None),
    ("max", args_minmax, ref_max, None),
    ("copysign", args_minmax, cfun("copysign", 2), None),
    ("clamp", lambda: triples(lambda: (uni(-10, 10), uni(-10, 10), uni(-10, 10))),
     lambda v, lo, hi: ref_min(ref_max(v, lo), hi), None),
    ("lerp", lambda: triples(lambda: (mag(-60, 60), mag(-60, 60), uni(-2, 2))),
     lambda a, b, t: a + (b - a) * t, None),
]


def main():
    out = bytearray(b"SEVMATH1")
    out += struct.pack("<I", len(FUNCS))
    print(f"{'function':10} {'cases':>6} {'glibc != correctly rounded':>28}")
    for name, gen, glibc, cr in FUNCS:
        args = gen()[:N]
        arity = len(args[0])
        recs = bytearray()
        diffs = []
        for i, a in enumerate(args):
            g = glibc(*a)
            want = g
            if cr is not None and all(map(math.isfinite, a)):
                try:
                    want = cr(*a)
                except (ValueError, TypeError, ZeroDivisionError):
                    want = g  # outside the domain (mpmath went complex or infinite): C99's answer
            if not same(want, g):
                diffs.append((i, g))
            recs += struct.pack("<" + "Q" * (arity + 1), *[bits(v) for v in a], bits(want))
        out += struct.pack("<B", len(name)) + name.encode() + struct.pack("<BI", arity, len(args))
        out += recs + struct.pack("<I", len(diffs))
        for i, g in diffs:
            out += struct.pack("<IQ", i, bits(g))
        print(f"{name:10} {len(args):6} {len(diffs):28}")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.bin.gz")
    with open(path, "wb") as f:
        f.write(gzip.compress(bytes(out), 9, mtime=0))
    print(f"wrote {path}: {len(out)} bytes, {os.path.getsize(path)} compressed")


if __name__ == "__main__":
    main()
