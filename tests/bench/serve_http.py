#!/usr/bin/env python3
"""Load benchmark of the one-process service: the detector in-process, then `sev serve` over HTTP.

Issue 16's targets: at least 100,000 points/s per core in-process, and a 99th-percentile
latency under 5 ms over HTTP batches, for detector 1 (examples/anomaly/bocpd.sirs.json).

1. Builds the detector with `sev build --lib --release` and a small C driver
   (tests/bench/serve_detector_driver.c, compiled with `zig cc -O2`) that opens the library
   with dlopen and calls its C ABI directly: --inproc-points points of --series series, the
   process CPU time of all updates (points per CPU-second = per core; the driver is one
   thread) and each update's latency (median, 99th percentile).
2. For each --sync mode (`full`: durable against power loss, the default of `sev serve`;
   `normal`: against a crash of the process) and each --clients count, starts `sev serve` on a free loopback port with
   a fresh SQLite store, and --clients concurrent clients (threads, one keep-alive connection
   each, each owning a share of the series so that every series' batches stay in time order)
   POST --points points as JSON batches of --batch points. Bodies are encoded before the
   clock starts. It reports points/s, the server's CPU seconds (user + system, from
   /proc/PID/stat) and points per server CPU-second, and the request latency (median and
   99th percentile; a point is acknowledged when its request answers, so this is also the
   latency of a point) as the clients see it and as the server's own histogram
   (`sev_push_duration_seconds` of /metrics) has it, then checks that every series holds
   exactly the points sent.

Everything is bounded (--timeout seconds per stage; every socket has a timeout) and the
servers it starts are stopped (SIGTERM, then SIGKILL) before it exits. It prints the machine
load (`uptime`) first, since the machine may be shared, and a table last. Exit status 1 if a
stage fails or the checks do not hold; missing a target is reported, not an error.

Usage (from the repository root):

    python3 tests/bench/serve_http.py                 # builds target/release/sev if missing
    python3 tests/bench/serve_http.py --points 20000 --sync full

Options: --sev PATH (default target/release/sev, or $SEV_BIN), --series N, --inproc-points N,
--points N, --batch N, --clients N,N,... (default 1,4: one run per count), --sync MODE,MODE, --timeout SECONDS.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DETECTOR = os.path.join(ROOT, "examples/anomaly/bocpd.sirs.json")
TOKEN = "bench-token-0001"
START_MS = 1_704_067_200_000


def cpu_seconds(pid):
    """User + system CPU seconds of a live process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


def ensure_sev(args):
    if os.path.exists(args.sev):
        return
    if os.path.abspath(args.sev) != os.path.join(ROOT, "target/release/sev"):
        sys.exit(f"error: {args.sev} does not exist")
    env = dict(os.environ, CARGO_BUILD_JOBS=os.environ.get("CARGO_BUILD_JOBS", "2"))
    subprocess.run(["cargo", "build", "--release", "--bin", "sev"], cwd=ROOT, env=env, check=True, timeout=args.timeout * 20)


def build(args, tmp):
    lib = os.path.join(tmp, "libbocpd.so")
    subprocess.run([args.sev, "build", "--lib", "--release", DETECTOR, "-o", lib], check=True, timeout=args.timeout)
    driver = os.path.join(tmp, "serve_detector_driver")
    source = os.path.join(ROOT, "tests/bench/serve_detector_driver.c")
    subprocess.run([sys.executable, "-m", "ziglang", "cc", "-O2", "-o", driver, source, "-ldl", "-lm"], check=True, timeout=args.timeout)
    return lib, driver


def in_process(args, lib, driver):
    out = subprocess.run([driver, lib, str(args.series), str(args.inproc_points)], capture_output=True, text=True, timeout=args.timeout)
    if out.returncode != 0:
        sys.exit(f"error: the in-process driver failed: {out.stderr.strip()}")
    result = json.loads(out.stdout)
    if result["flagged"] < 1:
        sys.exit("error: the detector flagged no point of the shifted series (is it the bocpd detector?)")
    return result


def series_points(args):
    """Per series, its points in time order: noise around 10, a shift to 16 at 3/4."""
    rng = random.Random(7)
    per = args.points // args.series
    return {f"bench.h{s}": [(START_MS + 60_000 * i, round((16.0 if i >= per * 3 // 4 else 10.0) + rng.gauss(0, 1), 4)) for i in range(per)]
            for s in range(args.series)}


def request_bodies(points, batch):
    """Per series, its JSON batch bodies in order."""
    return {name: [json.dumps({"points": [{"timestamp_ms": t, "value": v} for t, v in rows[i:i + batch]]}).encode() for i in range(0, len(rows), batch)]
            for name, rows in points.items()}


class Server:
    """`sev serve` on a free loopback port with its own store, stopped by `stop`."""

    def __init__(self, args, lib, db, sync):
        cmd = [args.sev, "serve", "--detector", lib, "--listen", "127.0.0.1:0", "--db", db, "--sync", sync,
               "--token", f"{TOKEN}=bench.", "--max-series", str(max(args.series, 1))]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
        self.address = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.address is None:
            line = self.proc.stderr.readline()
            if "listening on http://" in line:
                self.address = line.split("listening on http://")[1].split()[0]
            elif not line and self.proc.poll() is not None:
                break
        if self.address is None:
            self.stop()
            sys.exit("error: sev serve did not start")
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def connection(address):
    host, port = address.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=30)


HEADERS = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}


def client(address, work, deadline, latencies, errors):
    """Sends `work` (series name, body) in order on one connection, timing each request."""
    con = connection(address)
    try:
        for name, body in work:
            if time.monotonic() > deadline:
                errors.append("the time limit passed before every batch was sent")
                return
            t0 = time.perf_counter()
            con.request("POST", f"/v1/series/{name}/points", body=body, headers=HEADERS)
            answer = con.getresponse()
            text = answer.read()
            latencies.append(time.perf_counter() - t0)
            if answer.status != 200:
                errors.append(f"{answer.status} for {name}: {text[:200]!r}")
                return
    except OSError as e:
        errors.append(f"connection: {e}")
    finally:
        con.close()


def client_work(bodies, clients):
    """Client i gets the series i, i + clients, …, their batches interleaved by round."""
    names = sorted(bodies)
    work = []
    for i in range(clients):
        mine = [bodies[n] for n in names[i::clients]]
        names_mine = names[i::clients]
        rounds = max((len(b) for b in mine), default=0)
        work.append([(names_mine[k], mine[k][r]) for r in range(rounds) for k in range(len(mine)) if r < len(mine[k])])
    return work


def server_latency(address):
    """The server's own view from `sev_push_duration_seconds` (handler start to answer built):
    the smallest bucket bound holding 50 % and 99 % of the pushes, in ms, and the mean."""
    con = connection(address)
    try:
        con.request("GET", "/metrics", headers=HEADERS)
        text = con.getresponse().read().decode()
    finally:
        con.close()
    buckets, count, total = [], 0, 0.0
    for line in text.splitlines():
        if line.startswith("sev_push_duration_seconds_bucket"):
            bound = line.split('le="')[1].split('"')[0]
            buckets.append((float(bound), float(line.split()[-1])))
        elif line.startswith("sev_push_duration_seconds_count"):
            count = float(line.split()[-1])
        elif line.startswith("sev_push_duration_seconds_sum"):
            total = float(line.split()[-1])
    if count == 0:
        sys.exit("error: the server's push histogram is empty after the load")

    def bound(q):
        return next((b * 1000 for b, n in sorted(buckets) if n >= q * count), float("inf"))
    return bound(0.5), bound(0.99), total / count * 1000


def check_counts(address, points):
    """Every series holds exactly the points sent (read back through the API)."""
    con = connection(address)
    try:
        for name, rows in points.items():
            con.request("GET", f"/v1/series/{name}", headers=HEADERS)
            answer = con.getresponse()
            doc = json.loads(answer.read())
            if answer.status != 200 or doc.get("points") != len(rows):
                sys.exit(f"error: {name} holds {doc.get('points')} points after the load, {len(rows)} were sent")
    finally:
        con.close()


def over_http(args, lib, tmp, sync, clients, points, bodies):
    server = Server(args, lib, os.path.join(tmp, f"bench-{sync}-{clients}.db"), sync)
    try:
        work = client_work(bodies, clients)
        latencies, errors = [], []
        cpu_before = cpu_seconds(server.proc.pid)
        deadline = time.monotonic() + args.timeout
        threads = [threading.Thread(target=client, args=(server.address, w, deadline, latencies, errors)) for w in work]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()) + 35)
        elapsed = time.monotonic() - start
        cpu = cpu_seconds(server.proc.pid) - cpu_before
        if errors or any(t.is_alive() for t in threads):
            sys.exit(f"error: sync {sync}: {errors[0] if errors else 'a client did not finish'}")
        check_counts(server.address, points)
        server_p50, server_p99, server_mean = server_latency(server.address)
    finally:
        server.stop()
    sent = sum(len(rows) for rows in points.values())
    latencies.sort()
    return {"sync": sync, "clients": clients, "points": sent, "server_p50_ms": server_p50, "server_p99_ms": server_p99, "server_mean_ms": server_mean, "requests": len(latencies), "wall_s": elapsed, "cpu_s": cpu,
            "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000}


def verdict(ok):
    return "met" if ok else "MISSED"


def report(args, inproc, http_runs):
    per_core = inproc["points"] / inproc["cpu_s"]
    print()
    print(f"in-process (C ABI, 1 thread): {inproc['points']} points of {inproc['series']} series")
    print(f"  {per_core:,.0f} points per CPU-second (= per core; {inproc['points'] / inproc['wall_s']:,.0f} points/s wall), "
          f"update latency median {inproc['p50_us']:.1f} µs, 99th percentile {inproc['p99_us']:.1f} µs; "
          f"target >= 100,000 points/s per core: {verdict(per_core >= 100_000)}")
    print(f"HTTP: batches of {args.batch}, {args.series} series, one `sev serve` process; latency seen by the clients "
          f"(p50, p99) and by the server's histogram (bucket bounds, mean)")
    print(f"  {'sync':<6} {'clients':>7} {'points':>7} {'wall s':>7} {'points/s':>9} {'server CPU s':>12} {'points/CPU-s':>12} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'srv p50<=':>9} {'srv p99<=':>9} {'srv mean':>8}  p99 < 5 ms")
    for r in http_runs:
        per_cpu = r['points'] / r['cpu_s'] if r['cpu_s'] > 0 else float("nan")
        print(f"  {r['sync']:<6} {r['clients']:>7} {r['points']:>7} {r['wall_s']:>7.2f} {r['points'] / r['wall_s']:>9,.0f} "
              f"{r['cpu_s']:>12.2f} {per_cpu:>12,.0f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} "
              f"{r['server_p50_ms']:>9.2f} {r['server_p99_ms']:>9.2f} {r['server_mean_ms']:>8.2f}  {verdict(r['p99_ms'] < 5.0)}")
    print(f"  a point is acknowledged with its request: per point, the latency is the request's; its share of the "
          f"request's time is 1/{args.batch} of it")
    print(f"load after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sev", default=os.environ.get("SEV_BIN", os.path.join(ROOT, "target/release/sev")))
    parser.add_argument("--series", type=int, default=64)
    parser.add_argument("--inproc-points", type=int, default=200_000)
    parser.add_argument("--points", type=int, default=64_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", default="1,4")
    parser.add_argument("--sync", default="full,normal")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    try:
        client_counts = [int(c) for c in args.clients.split(",")]
    except ValueError:
        sys.exit("error: --clients takes counts separated by commas, such as 1,4")
    if args.series < 1 or args.points < args.series or args.batch < 1 or min(client_counts) < 1:
        sys.exit("error: need --series >= 1, --points >= --series, --batch >= 1, --clients >= 1")
    syncs = args.sync.split(",")
    if any(s not in ("full", "normal") for s in syncs):
        sys.exit("error: --sync takes full, normal or both (comma-separated)")
    print(f"load before: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()} ({os.cpu_count()} cores)")
    ensure_sev(args)
    tmp = tempfile.mkdtemp(prefix="sev-bench-http-")
    try:
        lib, driver = build(args, tmp)
        inproc = in_process(args, lib, driver)
        points = series_points(args)
        bodies = request_bodies(points, args.batch)
        runs = [over_http(args, lib, tmp, sync, clients, points, bodies) for sync in syncs for clients in client_counts]
        report(args, inproc, runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
