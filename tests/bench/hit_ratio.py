#!/usr/bin/python3
"""Cache hit ratio of shardcache's sampled LRU/LFU eviction against redis-server's, on the same
seeded Zipf request sequence.

Workload: a Zipf(s, default 0.99) sequence of key ids over N keys (tests/bench/zipf.py, seeded:
the same sequence for both servers and every run). For each request: GET key; on a miss,
SET key <fixed-size value>. One connection, one request at a time (a pipeline would change what
a GET sees). The hit ratio is hits / GETs, over the whole run and over the second half (the
cache is warm by then: that figure is the one compared).

Both servers run with one thread (shardcache --threads 1), the same maxmemory-policy and
maxmemory-samples 5.

Memory limit, and why it is not the same number for both: the point is how well each server's
eviction picks what to keep given the same capacity in keys. used_memory does not count the same
things in both servers (redis-server's includes ~0.9 MB at start, client buffers and larger
per-key overheads; shardcache's counts only its data: entries, bucket arrays, expiry heap), so
an equal maxmemory would give them different capacities (for 100-byte values, measured: about
150 bytes per key for shardcache, 190 for redis-server on top of its ~0.9 MB). Instead each server's maxmemory is calibrated so that it holds
the same target number of keys, --fit x N (default 10%):
  1. load the target number of keys of the benchmark's shape (same key length, same value);
     maxmemory = the used_memory reached, bytes per key = its growth / target;
  2. fill with 2x target distinct keys under the policy tested, read DBSIZE, correct maxmemory
     by (target - held) x bytes per key, until DBSIZE is within 0.5% of the target (6 rounds);
  3. run the sequence; if the keys held at the end are off the target by more than 1%, correct
     maxmemory the same way and run the whole sequence again (3 runs at most). This matters for
     redis-server: its per-client reply and query buffers shrink over the first seconds of a
     connection (clientsCron), so at a fixed maxmemory it holds ~1-2% more keys (tens of KB)
     at the end of a run than during the calibration. The last run is reported.
The keys each server holds at the end are reported next to the hit ratios: compare only rows
that hold about the same number. An ideal cache always holding the target most popular keys
would hit top_share (reported as "ideal").

LRU time is kept in seconds in both servers: when the cache turns over within a second or two
(small runs, or a fast client), idle times are mostly equal and LRU behaves close to random
eviction. The LRU figures therefore depend on the request rate; both servers are driven by the
same client at similar rates (the run times are reported). Not pinned to cores by default:
the result is a count of hits, and on a busy machine pinned processes wait for their core.

    tests/bench/hit_ratio.py [--binary build/release/server/shardcache-server] [--keys 200000]
        [--requests 2000000] [--fit 0.1] [--policy allkeys-lru --policy allkeys-lfu]
        [--markdown out.md]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zipf import (DEFAULT_BINARY, Client, Zipf, key_name, machine_line,  # noqa: E402
                  set_commands, start_redis, start_shardcache, value_bytes, write_report)

KEY_PREFIX = "key:"
CAL_PREFIX = "cal:"  # same length as KEY_PREFIX: calibration keys have the same size
KEY_WIDTH = 8


def calibrate(c: Client, policy: str, target: int, value: bytes, samples: int = 5,
              log=print) -> tuple[int, float]:
    """Finds the maxmemory with which the server holds ~target keys of the benchmark's shape
    under `policy`, filling it with 2x target distinct keys. Returns (maxmemory, bytes of
    used_memory per key)."""
    c.call("CONFIG", "SET", "maxmemory", "0")
    c.call("CONFIG", "SET", "maxmemory-policy", policy)
    c.call("CONFIG", "SET", "maxmemory-samples", str(samples))
    c.call("FLUSHALL")
    used0 = int(c.info("memory")["used_memory"])
    load_keys(c, CAL_PREFIX, 0, target, value)
    used1 = int(c.info("memory")["used_memory"])
    per_key = max(1.0, (used1 - used0) / target)
    maxmemory = used1
    held = 0
    for _ in range(6):
        c.call("FLUSHALL")
        c.call("CONFIG", "SET", "maxmemory", str(maxmemory))
        load_keys(c, CAL_PREFIX, 0, 2 * target, value)
        held = c.call("DBSIZE")
        log(f"  calibration: maxmemory {maxmemory} -> {held} keys (target {target})")
        if abs(held - target) <= 0.005 * target:
            break
        maxmemory += int((target - held) * per_key)
    c.call("FLUSHALL")
    return maxmemory, per_key


def load_keys(c: Client, prefix: str, start: int, count: int, value: bytes, batch: int = 10):
    """Pipelined SETs in small batches: a large pipeline would grow redis-server's query
    buffer, which its used_memory counts, and skew the calibration against the one-request-at-
    a-time run."""
    for s in range(start, start + count, batch):
        keys = [key_name(prefix, i, KEY_WIDTH) for i in range(s, min(start + count, s + batch))]
        bad = c.pipeline_ok(set_commands(keys, value), len(keys))
        if bad:
            raise RuntimeError(f"{bad} SETs failed while loading")


def run_sequence(c: Client, sequence: list[int], value: bytes) -> tuple[int, int, int, int]:
    """GET each key, SET it on a miss. Returns (hits, GETs, hits in the second half, GETs in
    the second half)."""
    sock = c.sock
    set_tail = b"$%d\r\n%s\r\n" % (len(value), value)
    hit_reply_len = len(b"$%d\r\n" % len(value)) + len(value) + 2
    half = len(sequence) // 2
    hits = hits2 = 0
    for n, key_id in enumerate(sequence):
        key = b"%s%0*d" % (KEY_PREFIX.encode(), KEY_WIDTH, key_id)
        kpart = b"$%d\r\n%s\r\n" % (len(key), key)
        sock.sendall(b"*2\r\n$3\r\nGET\r\n" + kpart)
        data = sock.recv(65536)
        while len(data) < 5:
            more = sock.recv(65536)
            if not more:
                raise ConnectionError("server closed the connection")
            data += more
        if data == b"$-1\r\n":
            sock.sendall(b"*3\r\n$3\r\nSET\r\n" + kpart + set_tail)
            ok = sock.recv(64)
            while not ok.endswith(b"\r\n"):
                ok += sock.recv(64)
            if ok != b"+OK\r\n":
                raise RuntimeError(f"SET {key!r}: {ok!r}")
            continue
        while len(data) < hit_reply_len:
            more = sock.recv(65536)
            if not more:
                raise ConnectionError("server closed the connection")
            data += more
        if len(data) != hit_reply_len or data[:1] != b"$":
            raise RuntimeError(f"GET {key!r}: unexpected reply {data[:80]!r}")
        hits += 1
        if n >= half:
            hits2 += 1
    return hits, len(sequence), hits2, len(sequence) - half


def measure(port: int, policy: str, sequence: list[int], n_keys: int, fit: float,
            value_size: int, samples: int = 5, log=print, tolerance: float = 0.01,
            max_runs: int = 3) -> dict:
    """Calibrates maxmemory on the server at `port`, runs the sequence and returns the
    figures of the last run. When the keys held at the end of a run are off the target by more
    than `tolerance`, maxmemory is corrected and the whole run repeated (at most max_runs):
    redis-server's per-client buffers shrink over the first seconds of a connection (its
    clientsCron), so its key count at a given maxmemory creeps up during a run. Leaves the
    server's data flushed and maxmemory 0."""
    value = value_bytes(value_size)
    target = max(1, int(n_keys * fit))
    with Client(port) as c:
        maxmemory, per_key = calibrate(c, policy, target, value, samples, log)
        for run in range(max_runs):
            run_maxmemory = maxmemory
            c.call("FLUSHALL")
            c.call("CONFIG", "SET", "maxmemory", str(maxmemory))
            c.call("CONFIG", "RESETSTAT")
            # (evicted_keys as a difference: shardcache's CONFIG RESETSTAT did not reset it)
            evicted0 = int(c.info("stats")["evicted_keys"])
            t = time.monotonic()
            hits, gets, hits2, gets2 = run_sequence(c, sequence, value)
            seconds = time.monotonic() - t
            held = c.call("DBSIZE")
            fields = c.info()
            log(f"  run {run + 1}: maxmemory {maxmemory} -> {held} keys held at the end, hit "
                f"ratio {hits / gets:.4f} (second half {hits2 / gets2:.4f}), {seconds:.1f} s")
            if abs(held - target) <= tolerance * target:
                break
            maxmemory += int((target - held) * per_key)
        c.call("FLUSHALL")
        c.call("CONFIG", "SET", "maxmemory", "0")
    return {"policy": policy, "hit_ratio": hits / gets, "hit_ratio_warm": hits2 / gets2,
            "gets": gets, "held": held, "target": target, "runs": run + 1,
            "maxmemory": run_maxmemory,
            "evicted": int(fields["evicted_keys"]) - evicted0,
            "used_memory": int(fields["used_memory"]), "seconds": seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=DEFAULT_BINARY)
    parser.add_argument("--keys", type=int, default=200_000, help="N, distinct keys")
    parser.add_argument("--requests", type=int, default=2_000_000)
    parser.add_argument("--zipf", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fit", type=float, default=0.10, help="share of the N keys that fit")
    parser.add_argument("--value-size", type=int, default=100)
    parser.add_argument("--samples", type=int, default=5, help="maxmemory-samples")
    parser.add_argument("--policy", action="append", choices=["allkeys-lru", "allkeys-lfu"])
    # Not pinned by default: the result is a count of hits, not a speed, and on a busy machine
    # pinned processes wait for their core while others are idle.
    parser.add_argument("--server-core", default="", help="taskset core for the servers")
    parser.add_argument("--client-core", default="", help="core for this client")
    parser.add_argument("--markdown")
    opts = parser.parse_args()
    policies = opts.policy or ["allkeys-lru", "allkeys-lfu"]
    if opts.client_core:
        os.sched_setaffinity(0, {int(opts.client_core)})
    start_line = machine_line()

    zipf = Zipf(opts.keys, opts.zipf, opts.seed)
    sequence = zipf.sequence(opts.requests)
    ideal = zipf.top_share(int(opts.keys * opts.fit))
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    rows = []
    for policy in policies:
        for name in ("shardcache", "redis"):
            cpu = opts.server_core or None
            server = (start_shardcache(opts.binary, threads=1, cpu=cpu)
                      if name == "shardcache" else start_redis(cpu=cpu))
            try:
                log(f"{name} {policy}:")
                r = measure(server.port, policy, sequence, opts.keys, opts.fit,
                            opts.value_size, opts.samples, log)
            finally:
                server.stop()
            log(f"  hit ratio {r['hit_ratio']:.4f} (warm half {r['hit_ratio_warm']:.4f}), held "
                f"{r['held']} keys, {r['seconds']:.1f} s")
            rows.append((name, r))

    command = " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:])
    lines = [
        f"Hit ratio, Zipf({opts.zipf}) over {opts.keys:,} keys, {opts.requests:,} GETs (SET on "
        f"miss, {opts.value_size}-byte values), seed {opts.seed}; maxmemory calibrated so that "
        f"each server holds {opts.fit:.0%} of the keys ({int(opts.keys * opts.fit):,}); "
        f"maxmemory-samples {opts.samples}; shardcache --threads 1; servers on core "
        f"{opts.server_core or 'any'}, client on core {opts.client_core or 'any'}. "
        f"{start_line}.",
        f"Command: `{command}`",
        "",
        f"Ideal (the {int(opts.keys * opts.fit):,} most popular keys always held): "
        f"{ideal:.4f}.",
        "",
        "| policy | server | hit ratio (all) | hit ratio (second half) | keys held at end | "
        "maxmemory (calibrated) | used_memory at end | evicted | runs | last run s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        lines.append(f"| {r['policy']} | {name} | {r['hit_ratio']:.4f} | "
                     f"{r['hit_ratio_warm']:.4f} | {r['held']:,} | {r['maxmemory']:,} | "
                     f"{r['used_memory']:,} | {r['evicted']:,} | {r['runs']} | "
                     f"{r['seconds']:.1f} |")
    lines.append("")
    for policy in policies:
        ours = next(r for n, r in rows if n == "shardcache" and r["policy"] == policy)
        theirs = next(r for n, r in rows if n == "redis" and r["policy"] == policy)
        lines.append(f"- {policy}: shardcache - redis = "
                     f"{100 * (ours['hit_ratio_warm'] - theirs['hit_ratio_warm']):+.2f} points "
                     f"(second half), {100 * (ours['hit_ratio'] - theirs['hit_ratio']):+.2f} "
                     f"(all).")
    write_report(lines, opts.markdown)


if __name__ == "__main__":
    main()
