#!/usr/bin/python3
"""Latency while the keyspace grows: a loader grows the server from 0 to --keys keys (default
20M; 16-byte keys, 32-byte values) with pipelined SETs, while a second connection sends PING
every 1 ms and records each round trip. Stalls of the server's one thread (a table resize done
at once, a big realloc or memset, a long timer slice) show as PING latency spikes. The same for
shardcache (--threads 1) and redis-server, one after the other.

Placement: the server is pinned to --server-core (default 0) with taskset; the loader process
to --client-core (default 1); the PING loop runs in this process on --client-core too, under
SCHED_FIFO when allowed (root), so that it preempts the loader as soon as its 1 ms sleep ends
and the figures measure the server, not the client's scheduling. A PING delayed by a stall
delays the next one (no coordinated-omission correction): max is exact, p99.9 is over the
PINGs actually sent.

    tests/bench/growth_stall.py [--binary build/release/server/shardcache-server]
        [--keys 20000000] [--batch 1000] [--markdown out.md]

Memory: about 85 B/key for shardcache and 140 B/key for redis-server (memory_per_key.py):
20M keys take ~1.7 GB and ~2.8 GB, one server at a time.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zipf import (DEFAULT_BINARY, Client, machine_line, start_redis,  # noqa: E402
                  start_shardcache, value_bytes, write_report)


# --------------------------------------------------------------------------------------------
# Loader (a separate process: `growth_stall.py --loader PORT KEYS BATCH PROGRESS_FILE`)
# --------------------------------------------------------------------------------------------

def loader_main(port: int, keys: int, batch: int, progress_path: str):
    """SETs key:000000000000.. with pipelined batches, up to 4 batches in flight (a sender and
    a receiver thread), and appends "<monotonic time> <keys acknowledged>" to progress_path
    after each batch."""
    c = Client(port, timeout=120)
    value = value_bytes(32)
    vpart = b"$32\r\n" + value + b"\r\n"
    in_flight = threading.Semaphore(4)
    sizes: list[int] = []
    errors: list[str] = []
    done = threading.Event()

    def receive():
        acked = 0
        pending = bytearray()
        with open(progress_path, "w") as progress:
            for n in iter_batches():
                need = 5 * n
                while len(pending) < need:
                    chunk = c.sock.recv(1 << 20)
                    if not chunk:
                        errors.append("connection closed")
                        done.set()
                        return
                    pending += chunk
                block = bytes(pending[:need])
                del pending[:need]
                if block.count(b"+OK\r\n") != n:
                    errors.append(f"unexpected replies near key {acked}: {block[:200]!r}")
                    done.set()
                    return
                acked += n
                in_flight.release()
                progress.write(f"{time.monotonic():.6f} {acked}\n")
                progress.flush()
        done.set()

    def iter_batches():
        i = 0
        while i < len(sizes) or not sent_all.is_set():
            while i >= len(sizes):
                time.sleep(0.0005)
                if sent_all.is_set() and i >= len(sizes):
                    return
            yield sizes[i]
            i += 1

    sent_all = threading.Event()
    receiver = threading.Thread(target=receive, daemon=True)
    receiver.start()
    for start in range(0, keys, batch):
        end = min(keys, start + batch)
        payload = b"".join(b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n" % i + vpart
                           for i in range(start, end))
        in_flight.acquire()
        if errors:
            break
        sizes.append(end - start)
        c.sock.sendall(payload)
    sent_all.set()
    done.wait()
    if errors:
        print(errors[0], file=sys.stderr)
        sys.exit(1)


# --------------------------------------------------------------------------------------------
# PING loop
# --------------------------------------------------------------------------------------------

def ping_loop(port: int, stop: threading.Event, interval: float = 0.001):
    """PING every `interval` s until stop is set; returns [(send time, latency s)]."""
    samples = []
    with Client(port, timeout=60) as c:
        sock = c.sock
        next_t = time.monotonic()
        while not stop.is_set():
            next_t += interval
            delay = next_t - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_t = time.monotonic()
            t0 = time.monotonic()
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            data = sock.recv(64)
            while not data.endswith(b"\r\n"):
                data += sock.recv(64)
            samples.append((t0, time.monotonic() - t0))
            if data != b"+PONG\r\n":
                raise RuntimeError(f"PING: {data!r}")
    return samples


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values))) - 1))
    return sorted_values[k]


def run_one(name, opts, log):
    cpu = opts.server_core or None
    server = (start_shardcache(opts.binary, threads=1, cpu=cpu, extra=opts.shardcache_arg)
              if name == "shardcache" else start_redis(cpu=cpu, extra=opts.redis_arg))
    progress_path = f"/tmp/growth_stall_progress_{os.getpid()}_{name}.txt"
    try:
        time.sleep(0.5)
        loader_argv = [sys.executable, os.path.abspath(__file__), "--loader", str(server.port),
                       str(opts.keys), str(opts.batch), progress_path]
        if opts.client_core:
            loader_argv = ["taskset", "-c", opts.client_core] + loader_argv
        stop = threading.Event()
        box = {}

        def pinger():
            # Affinity and scheduling policy of this thread only (Linux: pid 0 = the caller);
            # the processes started from the main thread inherit neither.
            if opts.client_core:
                os.sched_setaffinity(0, {int(opts.client_core)})
            box["fifo"] = False
            if not opts.no_fifo:
                try:
                    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
                    box["fifo"] = True
                except (PermissionError, OSError):
                    pass
            try:
                box["samples"] = ping_loop(server.port, stop)
            except Exception as e:  # noqa: BLE001 - reported below
                box["error"] = e

        ping_thread = threading.Thread(target=pinger, daemon=True)
        ping_thread.start()
        time.sleep(0.3)  # some idle samples first
        t0 = time.monotonic()
        loader = subprocess.Popen(loader_argv, start_new_session=True)
        try:
            rc = loader.wait(timeout=opts.timeout)
        except subprocess.TimeoutExpired:
            os.kill(loader.pid, 9)
            loader.wait()
            raise RuntimeError(f"loader did not finish within {opts.timeout} s")
        load_s = time.monotonic() - t0
        time.sleep(0.3)
        stop.set()
        ping_thread.join(30)
        if rc != 0:
            raise RuntimeError(f"loader exited with {rc}")
        if "error" in box:
            raise box["error"]
        with Client(server.port) as c:
            dbsize = c.call("DBSIZE")
            used = int(c.info("memory")["used_memory"])
        rss = server.rss_bytes()
    finally:
        server.stop()
    progress = []
    with open(progress_path) as f:
        for line in f:
            t, n = line.split()
            progress.append((float(t), int(n)))
    os.unlink(progress_path)

    samples = [(t, lat) for t, lat in box["samples"] if t >= t0 and t <= t0 + load_s]
    lat = sorted(s[1] for s in samples)

    def keys_at(t):
        held = 0
        for pt, n in progress:
            if pt > t:
                break
            held = n
        return held

    worst = sorted(samples, key=lambda s: -s[1])[:5]
    r = {
        "name": name, "keys": dbsize, "load_s": load_s, "rate": dbsize / load_s,
        "pings": len(lat), "max": lat[-1] if lat else 0.0, "p999": percentile(lat, 99.9),
        "p99": percentile(lat, 99), "p50": percentile(lat, 50),
        "over1": sum(1 for x in lat if x > 0.001), "over10": sum(1 for x in lat if x > 0.010),
        "worst": [(lat_s, keys_at(t)) for t, lat_s in worst], "used": used, "rss": rss,
        "fifo": box["fifo"],
    }
    log(f"{name}: {dbsize:,} keys in {load_s:.1f} s; PING max {r['max'] * 1e3:.2f} ms, p99.9 "
        f"{r['p999'] * 1e3:.2f} ms over {len(lat)} PINGs")
    return r


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--loader":
        port, keys, batch, progress = sys.argv[2:6]
        loader_main(int(port), int(keys), int(batch), progress)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=DEFAULT_BINARY)
    parser.add_argument("--keys", type=int, default=20_000_000)
    parser.add_argument("--batch", type=int, default=1000, help="SETs per pipelined batch")
    parser.add_argument("--server-core", default="0", help="taskset core ('' for none)")
    parser.add_argument("--client-core", default="1",
                        help="core of the loader and the PING loop ('' for none)")
    parser.add_argument("--no-fifo", action="store_true", help="don't use SCHED_FIFO for PING")
    parser.add_argument("--timeout", type=float, default=600, help="per server, seconds")
    parser.add_argument("--only", choices=["shardcache", "redis"])
    parser.add_argument("--shardcache-arg", action="append", default=[],
                        help="extra shardcache argument (repeat: --shardcache-arg=--hz ...)")
    parser.add_argument("--redis-arg", action="append", default=[],
                        help="extra redis-server argument (repeat)")
    parser.add_argument("--markdown")
    opts = parser.parse_args()
    if opts.keys >= 10 ** 12:
        parser.error("--keys must fit 12 digits")
    start_line = machine_line()
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    names = [opts.only] if opts.only else ["shardcache", "redis"]
    results = [run_one(name, opts, log) for name in names]
    fifo = all(r["fifo"] for r in results)

    command = " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:])
    lines = [
        f"PING latency (every 1 ms, one connection) while a pipelined loader (batches of "
        f"{opts.batch}, up to 4 in flight) grows the server from 0 to {opts.keys:,} keys "
        f"(16-byte keys, 32-byte values). Server on core {opts.server_core or 'any'}, loader "
        f"and PING loop on core {opts.client_core or 'any'} (PING loop "
        f"{'SCHED_FIFO' if fifo else 'normal priority'}); shardcache --threads 1. {start_line}.",
        f"Command: `{command}`",
        "",
        "| server | keys | load s | keys/s | PINGs | max ms | p99.9 ms | p99 ms | p50 ms | "
        "> 1 ms | > 10 ms | used_memory | RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['keys']:,} | {r['load_s']:.1f} | {r['rate']:,.0f} | "
            f"{r['pings']:,} | {r['max'] * 1e3:.2f} | {r['p999'] * 1e3:.2f} | "
            f"{r['p99'] * 1e3:.2f} | {r['p50'] * 1e3:.3f} | {r['over1']:,} | {r['over10']:,} | "
            f"{r['used']:,} | {r['rss']:,} |")
    lines.append("")
    for r in results:
        worst = ", ".join(f"{lat * 1e3:.1f} ms at ~{keys:,} keys" for lat, keys in r["worst"])
        lines.append(f"- {r['name']}, 5 slowest PINGs: {worst}.")
    write_report(lines, opts.markdown)


if __name__ == "__main__":
    main()
