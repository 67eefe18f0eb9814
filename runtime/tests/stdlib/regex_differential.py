#!/usr/bin/env python3
"""Differential test of the sev regex engine (runtime/regex.zig) against Python's `re`.

Generates random patterns over the syntax sev supports (literals, escapes, classes, anchors,
word boundaries, groups, alternation, greedy and lazy quantifiers, counted repeats) and random
ASCII texts without newlines (where Python's `$` and Unicode classes agree with sev's), runs
`re.search` / `re.finditer` and the engine (through regex_harness.zig), and prints every
difference. Known, documented divergences are limited to repeats of sub-patterns that can match
the empty string (see docs/stdlib.md); the script fails if more than 0.1% of cases differ.

usage: regex_differential.py [SEED] [COUNT]     (zig: $SEV_ZIG, else `zig`, else python3 -m ziglang)
"""
import json, os, random, re, shutil, subprocess, sys, tempfile

ATOMS = ['a', 'b', 'c', '.', '\\d', '\\w', '\\s', '[ab]', '[^a]', '[a-c]', 'x', '\\.', '(?:ab)',
         'ab', '\\b', '^', '$', '[0-9]', '\\W']
QUANTS = ['*', '+', '?', '{2}', '{1,3}', '{0,2}', '{2,}', '*?', '+?', '??', '{1,2}?']


def gen(rng, d=0):
    r = rng.random()
    if d > 3 or r < 0.35:
        return rng.choice(ATOMS)
    if r < 0.55:
        return gen(rng, d + 1) + gen(rng, d + 1)
    if r < 0.65:
        return gen(rng, d + 1) + '|' + gen(rng, d + 1)
    if r < 0.8:
        return ('(' if rng.random() < 0.7 else '(?:') + gen(rng, d + 1) + ')'
    base = gen(rng, d + 1)
    if base in ('^', '$', '\\b'):
        return base
    if base.endswith(('*', '+', '?', '}')):
        base = '(?:' + base + ')'
    return base + rng.choice(QUANTS)


def python_result(p, t):
    try:
        rx = re.compile(p)
    except re.error:
        return 'ERR'
    m = rx.search(t)
    if not m:
        return 'NONE'
    s = f'{m.start()} {m.end()}'
    for k in range(1, rx.groups + 1):
        a, b = m.span(k)
        s += f' {a},{b}' if a >= 0 else ' -'
    s += ' |'
    for x in rx.finditer(t):
        s += f' {x.start()}:{x.end()}'
    return s


def zig_cmd():
    if os.environ.get('SEV_ZIG'):
        return [os.environ['SEV_ZIG']]
    if shutil.which('zig'):
        return ['zig']
    return [sys.executable, '-m', 'ziglang']


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        t = ''.join(rng.choice('abcx1 .-_9') for _ in range(rng.randint(0, 12)))
        cases.append((gen(rng), t))
    here = os.path.dirname(os.path.abspath(__file__))
    runtime = os.path.dirname(os.path.dirname(here))
    with tempfile.TemporaryDirectory() as work:
        os.symlink(runtime, os.path.join(work, 'rt'))
        shutil.copy(os.path.join(here, 'regex_harness.zig'), work)
        subprocess.run(zig_cmd() + ['build-exe', 'regex_harness.zig', '-OReleaseSafe', '-femit-bin=harness'],
                       cwd=work, check=True)
        data = ''.join(json.dumps([p, t]) + '\n' for p, t in cases)
        out = subprocess.run([os.path.join(work, 'harness')], input=data, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    diffs = 0
    for (p, t), got in zip(cases, out):
        want = python_result(p, t)
        if want != got:
            diffs += 1
            print(f'{json.dumps(p)} on {json.dumps(t)}\n  python: {want}\n  sev:    {got}')
    print(f'{count} cases, {diffs} differences')
    sys.exit(1 if diffs > count / 1000 else 0)


if __name__ == '__main__':
    main()
