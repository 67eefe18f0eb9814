#!/usr/bin/env python3
"""End to end through the HTTP front: `sev serve --redis` queues, `sev worker`s apply.

It builds detector 1 (examples/anomaly/bocpd.sirs.json) with `sev build --lib --release`,
starts a private `redis-server` on a free loopback port (no persistence, temporary folder),
`sev serve --redis` on a free port and --workers workers, then sends --points points of
--series series as JSON batches of --batch points (`POST /v1/series/NAME/points`, one
keep-alive connection, each series' batches in time order, series taken in turn). It prints
how fast the front accepted them (points/s, and the latency of a request: median and 99th
percentile), how long until the workers had applied every point (points/s end to end), and
the CPU seconds of the front, the workers and redis-server (from /proc).

Every stage is bounded (--timeout seconds) and everything it starts is stopped at the end.

Usage (from the repository root):

    cargo build --release
    python3 tests/bench/serve_workers_front.py                  # 20000 points, 64 series, 3 workers
    python3 tests/bench/serve_workers_front.py --points 5000 --workers 1

Options: --sev PATH (default target/release/sev, or $SEV_BIN), --points N, --series N,
--partitions N, --workers N, --batch N, --timeout SECONDS.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_workers import ROOT, applied, cpu_seconds, free_port, redis_cli, workload  # noqa: E402


def start_front(args, port):
    cmd = [args.sev, "serve", "--redis", f"redis://127.0.0.1:{port}/", "--prefix", "front",
           "--partitions", str(args.partitions), "--listen", "127.0.0.1:0"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if "listening on http://" in line:
            return proc, line.split("listening on http://")[1].split()[0]
        if not line and proc.poll() is not None:
            break
    proc.kill()
    sys.exit("error: sev serve --redis did not start")


def batches(pts, size):
    """Per series, its points in order cut into batches; series taken in turn."""
    by_series = {}
    for series, ts, value in pts:
        by_series.setdefault(series, []).append((ts, value))
    queues = [[(name, rows[i:i + size]) for i in range(0, len(rows), size)] for name, rows in by_series.items()]
    out = []
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def send(addr, requests, timeout):
    host, port = addr.rsplit(":", 1)
    con = http.client.HTTPConnection(host, int(port), timeout=30)
    latencies = []
    start = time.monotonic()
    for name, rows in requests:
        if time.monotonic() - start > timeout:
            sys.exit(f"error: sending took longer than {timeout} s")
        body = json.dumps({"points": [{"timestamp_ms": ts, "value": v} for ts, v in rows]})
        t0 = time.monotonic()
        con.request("POST", f"/v1/series/{name}/points", body=body, headers={"Content-Type": "application/json"})
        answer = con.getresponse()
        text = answer.read()
        latencies.append(time.monotonic() - t0)
        if answer.status != 202:
            sys.exit(f"error: {answer.status} for {name}: {text[:200]!r}")
    con.close()
    return time.monotonic() - start, sorted(latencies)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sev", default=os.environ.get("SEV_BIN", os.path.join(ROOT, "target/release/sev")))
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--series", type=int, default=64)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    for tool in ("redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            sys.exit(f"error: {tool} is not installed (./dev setup installs it)")
    tmp = tempfile.mkdtemp(prefix="sev-bench-front-")
    lib = os.path.join(tmp, "libbocpd.so")
    subprocess.run([args.sev, "build", "--lib", "--release", os.path.join(ROOT, "examples/anomaly/bocpd.sirs.json"), "-o", lib], check=True)
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                              "--dir", tmp, "--logfile", ""], stdout=subprocess.DEVNULL)
    procs = []
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis_cli(port, "PING").strip() == "PONG":
                    break
            except subprocess.CalledProcessError:
                time.sleep(0.05)
        redis_pid = int(redis_cli(port, "INFO", "server").split("process_id:")[1].split()[0])
        front, addr = start_front(args, port)
        procs.append(front)
        worker = [args.sev, "worker", "--redis", f"redis://127.0.0.1:{port}/", "--detector", lib, "--prefix", "front",
                  "--partitions", str(args.partitions), "--lease-ms", "1000"]
        procs += [subprocess.Popen(worker + ["--name", f"f{i}"], stderr=subprocess.DEVNULL) for i in range(args.workers)]
        # Series names of the service's alphabet; values with 4 decimals (JSON carries them exactly).
        pts = [(series.replace('{host="', ".").replace('"}', ""), ts, v) for series, ts, v in workload(args.points, args.series)]
        requests = batches(pts, args.batch)
        print(f"{len(pts)} points of {args.series} series in {len(requests)} requests of up to {args.batch}, "
              f"{args.partitions} partitions, {args.workers} worker(s), {os.cpu_count()} cores on this machine, "
              f"load average {os.getloadavg()[0]:.1f}")
        redis_cpu_before = cpu_seconds(redis_pid)
        start = time.monotonic()
        sending, latencies = send(addr, requests, args.timeout)
        done = 0
        while time.monotonic() - start < args.timeout:
            done = applied(port, "front", args.partitions)
            if done >= len(pts):
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - start
        front_cpu = cpu_seconds(front.pid)
        workers_cpu = sum(cpu_seconds(p.pid) for p in procs[1:])
        redis_cpu = cpu_seconds(redis_pid) - redis_cpu_before
        if done < len(pts):
            sys.exit(f"error: only {done} of {len(pts)} points applied in {args.timeout} s")
        p50 = latencies[len(latencies) // 2] * 1000
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        print(f"front accepted {len(pts)} points in {sending:.2f} s = {len(pts) / sending:,.0f} points/s; "
              f"request latency median {p50:.1f} ms, 99th percentile {p99:.1f} ms")
        print(f"applied by the workers after {elapsed:.2f} s = {len(pts) / elapsed:,.0f} points/s end to end; "
              f"CPU: front {front_cpu:.2f} s, workers {workers_cpu:.2f} s, redis {redis_cpu:.2f} s")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        redis.send_signal(signal.SIGTERM)
        redis.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
