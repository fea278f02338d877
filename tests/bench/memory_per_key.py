#!/usr/bin/python3
"""Memory per key: 1M string keys (16-byte keys, 32-byte values, no TTL; optionally a share
with a TTL) loaded into shardcache (--threads 1) and into redis-server by the same client
(pipelined SETs, batches of 1000), one server at a time. For each server: used_memory and
RSS (from /proc) before and after, and bytes per key = delta / keys.

used_memory is what each server counts as its own: redis-server counts every allocation
(keys, values, dict entries, tables, ...); shardcache counts its data (entries, bucket arrays,
expiry heap). RSS deltas compare what the machine actually pays, allocator overhead included.

    tests/bench/memory_per_key.py [--binary build/release/server/shardcache-server]
        [--keys 1000000] [--scale 1.0] [--key-size 16] [--value-size 32] [--ttl-share 0.0]
        [--json out.json] [--markdown out.md]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402
from zipf import (DEFAULT_BINARY, Client, machine_line, start_redis,  # noqa: E402
                  start_shardcache, value_bytes, write_report)


def settle(server, c: Client, seconds: float = 1.0):
    """Waits for background work (incremental rehash, the timer) and returns
    (used_memory, rss)."""
    time.sleep(seconds)
    fields = c.info("memory")
    return int(fields["used_memory"]), server.rss_bytes()


def load(c: Client, keys: int, key_size: int, value: bytes, ttl_share: float,
         batch: int = 1000):
    width = key_size - 4
    vpart = b"$%d\r\n%s\r\n" % (len(value), value)
    ttl_every = int(round(1 / ttl_share)) if ttl_share > 0 else 0
    for start in range(0, keys, batch):
        parts = []
        for i in range(start, min(keys, start + batch)):
            key = b"key:%0*d" % (width, i)
            if ttl_every and i % ttl_every == 0:
                parts.append(b"*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n" % (len(key), key) + vpart +
                             b"$2\r\nEX\r\n$6\r\n100000\r\n")
            else:
                parts.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n" % (len(key), key) + vpart)
        bad = c.pipeline_ok(b"".join(parts), len(parts))
        if bad:
            raise RuntimeError(f"{bad} SETs failed")


def measure(server, opts) -> dict:
    value = value_bytes(opts.value_size)
    with Client(server.port) as c:
        used0, rss0 = settle(server, c)
        t = time.monotonic()
        load(c, opts.keys, opts.key_size, value, opts.ttl_share)
        seconds = time.monotonic() - t
        used1, rss1 = settle(server, c, 2.0)
        dbsize = c.call("DBSIZE")
    if dbsize != opts.keys:
        raise RuntimeError(f"{server.name} holds {dbsize} keys, expected {opts.keys}")
    return {"used0": used0, "used1": used1, "rss0": rss0, "rss1": rss1, "seconds": seconds,
            "used_per_key": (used1 - used0) / opts.keys, "rss_per_key": (rss1 - rss0) / opts.keys}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=DEFAULT_BINARY)
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--key-size", type=int, default=16)
    parser.add_argument("--value-size", type=int, default=32)
    parser.add_argument("--ttl-share", type=float, default=0.0,
                        help="share of the keys set with EX 100000 (0: none)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies --keys (quick runs while debugging)")
    parser.add_argument("--json", help="write the shared result format (results.py)")
    parser.add_argument("--markdown")
    opts = parser.parse_args()
    opts.keys = max(1000, int(opts.keys * opts.scale))
    if opts.key_size < 5 or len(str(opts.keys - 1)) > opts.key_size - 4:
        parser.error("--key-size too small for 'key:' and --keys digits")
    start_line = machine_line()

    measured = {}
    for name in ("shardcache", "redis"):
        server = (start_shardcache(opts.binary, threads=1) if name == "shardcache"
                  else start_redis())
        try:
            measured[name] = measure(server, opts)
        finally:
            server.stop()
        r = measured[name]
        print(f"{name}: {r['used_per_key']:.1f} B/key used_memory, {r['rss_per_key']:.1f} "
              f"B/key RSS, load {r['seconds']:.1f} s", file=sys.stderr, flush=True)

    ours, theirs = measured["shardcache"], measured["redis"]
    command = results.command_line()
    if opts.json:
        label = (f"{opts.keys:,} strings, {opts.key_size} B keys, {opts.value_size} B values" +
                 (f", {opts.ttl_share:.0%} with TTL" if opts.ttl_share else ""))
        results.write_json(opts.json, "Memory per key (strings)", command, [
            results.single_row(label, "B/key used_memory", ours["used_per_key"],
                               theirs["used_per_key"]),
            results.single_row(label, "B/key RSS", ours["rss_per_key"], theirs["rss_per_key"])])
    lines = [
        f"Memory per key: {opts.keys:,} keys of {opts.key_size} bytes with {opts.value_size}-byte "
        f"string values" + (f", {opts.ttl_share:.0%} with a TTL" if opts.ttl_share else
                            ", no TTL") +
        f"; shardcache --threads 1 vs redis-server, same client (pipelined SETs). "
        f"{start_line}.",
        f"Command: `{command}`",
        "",
        "| server | used_memory before | used_memory after | bytes/key (used_memory) | "
        "RSS before | RSS after | bytes/key (RSS) | load s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in measured.items():
        lines.append(f"| {name} | {r['used0']:,} | {r['used1']:,} | {r['used_per_key']:.1f} | "
                     f"{r['rss0']:,} | {r['rss1']:,} | {r['rss_per_key']:.1f} | "
                     f"{r['seconds']:.1f} |")
    lines += ["",
              f"Ratio shardcache / redis: {ours['used_per_key'] / theirs['used_per_key']:.2f} "
              f"(used_memory), {ours['rss_per_key'] / theirs['rss_per_key']:.2f} (RSS)."]
    write_report(lines, opts.markdown)


if __name__ == "__main__":
    main()
