#!/usr/bin/env python3
"""Throughput of `sev worker` over Redis Streams on loopback: one worker, then three.

It builds detector 1 (examples/anomaly/bocpd.sirs.json) with `sev build --lib --release`,
starts a private `redis-server` on a free loopback port (no persistence, temporary folder),
and for each worker count: writes --points points of --series series into the partition
streams (the keys and the FNV-1a partitioning of docs/service.md, "Scaling out with Redis",
sent with `redis-cli --pipe`), starts the workers, and times how long they take to apply
every point (the summed length of the output streams reaches --points). The backlog is written
before the clock starts, so the figure is the workers' processing rate: reading, the
detector, the fenced commit script and the acknowledgement. It prints points/s overall and
per worker, and the CPU seconds the workers and redis-server used (user + system, from
/proc), so that points per CPU-second can be read even on a shared machine.

Every run is bounded (--timeout seconds per worker count) and everything it starts is
stopped at the end.

Usage (from the repository root):

    cargo build --release
    python3 tests/bench/serve_workers.py                      # 20000 points, 64 series
    python3 tests/bench/serve_workers.py --points 5000 --workers 1,3

Options: --sev PATH (default target/release/sev, or $SEV_BIN), --points N, --series N,
--partitions N, --workers N,N,..., --batch N, --timeout SECONDS.
"""

import argparse
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fnv1a(text):
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resp(*args):
    out = [f"*{len(args)}\r\n".encode()]
    for a in args:
        b = str(a).encode()
        out.append(f"${len(b)}\r\n".encode() + b + b"\r\n")
    return b"".join(out)


def workload(points, series):
    """Interleaved points of `series` series: noise around 10, a shift to 16 at 3/4."""
    rng = random.Random(7)
    per = math.ceil(points / series)
    start = 1_704_067_200_000
    out = []
    for i in range(per):
        for s in range(series):
            if len(out) == points:
                return out
            level = 16.0 if i >= per * 3 // 4 else 10.0
            out.append((f'latency{{host="h{s}"}}', start + 60_000 * i, round(level + rng.gauss(0, 1), 4)))
    return out


def redis_cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *map(str, args)], capture_output=True, text=True, check=True).stdout


def push(port, prefix, partitions, pts):
    commands = [resp("SET", f"{prefix}:partitions", partitions)]
    for p in range(partitions):
        commands.append(resp("XGROUP", "CREATE", f"{prefix}:{{{p}}}:in", "workers", "0", "MKSTREAM"))
    for series, ts, value in pts:
        p = fnv1a(series) % partitions
        commands.append(resp("XADD", f"{prefix}:{{{p}}}:in", "*", "series", series, "ts", ts, "value", repr(value)))
    subprocess.run(["redis-cli", "-p", str(port), "--pipe"], input=b"".join(commands), capture_output=True, check=True)


def applied(port, prefix, partitions):
    return sum(int(redis_cli(port, "XLEN", f"{prefix}:{{{p}}}:out").strip() or 0) for p in range(partitions))


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def run(args, port, lib, workers, pts):
    prefix = f"bench{workers}"
    push(port, prefix, args.partitions, pts)
    cmd = [args.sev, "worker", "--redis", f"redis://127.0.0.1:{port}/", "--detector", lib, "--prefix", prefix,
           "--partitions", str(args.partitions), "--batch", str(args.batch), "--lease-ms", "1000"]
    redis_pid = int(redis_cli(port, "INFO", "server").split("process_id:")[1].split()[0])
    redis_cpu_before = cpu_seconds(redis_pid)
    start = time.monotonic()
    procs = [subprocess.Popen(cmd + ["--name", f"b{workers}-{i}"], stderr=subprocess.PIPE, text=True) for i in range(workers)]
    done, cpu, redis_cpu = 0, 0.0, 0.0
    try:
        while time.monotonic() - start < args.timeout:
            done = applied(port, prefix, args.partitions)
            if done >= len(pts):
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - start
        cpu = sum(cpu_seconds(p.pid) for p in procs)
        redis_cpu = cpu_seconds(redis_pid) - redis_cpu_before
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)
    if done < len(pts):
        print(f"{workers} worker(s): only {done} of {len(pts)} points in {args.timeout} s", file=sys.stderr)
        return None
    rate = len(pts) / elapsed
    print(f"{workers} worker(s): {len(pts)} points in {elapsed:.2f} s = {rate:,.0f} points/s "
          f"({rate / workers:,.0f} per worker); CPU: workers {cpu:.2f} s, redis {redis_cpu:.2f} s; "
          f"{len(pts) / (cpu + redis_cpu):,.0f} points per CPU-second of both")
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sev", default=os.environ.get("SEV_BIN", os.path.join(ROOT, "target/release/sev")))
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--series", type=int, default=64)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--workers", default="1,3")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    for tool in ("redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            sys.exit(f"error: {tool} is not installed (./dev setup installs it)")
    tmp = tempfile.mkdtemp(prefix="sev-bench-workers-")
    lib = os.path.join(tmp, "libbocpd.so")
    subprocess.run([args.sev, "build", "--lib", "--release", os.path.join(ROOT, "examples/anomaly/bocpd.sirs.json"), "-o", lib], check=True)
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                              "--dir", tmp, "--logfile", ""], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis_cli(port, "PING").strip() == "PONG":
                    break
            except subprocess.CalledProcessError:
                time.sleep(0.05)
        pts = workload(args.points, args.series)
        print(f"{len(pts)} points of {args.series} series, {args.partitions} partitions, batch {args.batch}, "
              f"{os.cpu_count()} cores on this machine, load average {os.getloadavg()[0]:.1f}")
        for workers in (int(w) for w in args.workers.split(",")):
            run(args, port, lib, workers, pts)
    finally:
        redis.send_signal(signal.SIGTERM)
        redis.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
