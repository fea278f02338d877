#!/usr/bin/python3
"""Memory per element of the container types (issue 4): the same data loaded into shardcache
(--threads 1) and redis-server (--save '' --appendonly no) by the same client, one fresh server
at a time, one workload per server start:

  hash      100,000 hashes of 20 fields "f0".."f19" with 16-byte values    (element: a field)
  list      10,000 lists of 100 items of 16 bytes (RPUSH)                    (element: an item)
  set-str   10,000 sets of 100 members "member:<n>"                          (element: a member)
  set-int   10,000 sets of 100 integer members                               (element: a member)
  zset      10,000 sorted sets of 100 members "member:<n>", random scores    (element: a member)

Loading uses redis-py (4.3.4 under /usr/bin/python3) pipelines (transaction=False) in batches.
For each server: INFO memory used_memory and RSS (from /proc) on the empty server and after the
load; bytes per element = delta / elements (keys and containers included), and the ratio
shardcache / redis. OBJECT ENCODING of the first key of each workload on both servers.
Servers pinned to --server-core and this loader to --client-core, as tests/bench/bench.py does.

    /usr/bin/python3 tests/bench/memory_types.py --binary build/release/server/shardcache-server
        [--workload hash ...] [--scale 1.0] [--json out.json] [--markdown out.md]
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402
from zipf import (DEFAULT_BINARY, machine_line, start_redis, start_shardcache,  # noqa: E402
                  value_bytes, write_report)

VALUE = value_bytes(16)  # 16 lowercase letters: not an integer in either server


# Each workload: keys, elements per key, key name, and a function (key index) → the command to
# queue on a pipeline. Member and item names are distinct across keys.
def hash_fields(fields: int):
    mapping = {b"f%d" % f: VALUE for f in range(fields)}
    return lambda pipe, key, i: pipe.hset(key, mapping=mapping)


def list_items(count: int):
    # b"item:" + 11 digits = 16 bytes, not an integer.
    return lambda pipe, key, i: pipe.rpush(
        key, *(b"item:%011d" % (i * count + j) for j in range(count)))


def set_strings(count: int):
    return lambda pipe, key, i: pipe.sadd(
        key, *(b"member:%d" % (i * count + j) for j in range(count)))


def set_integers(count: int):
    return lambda pipe, key, i: pipe.sadd(key, *(i * count + j for j in range(count)))


def zset_members(count: int, seed: int = 1):
    rng = random.Random(seed)

    def queue(pipe, key, i):
        pipe.zadd(key, {b"member:%d" % (i * count + j): rng.uniform(0, 1e6)
                        for j in range(count)})
    return queue


# name → (keys, elements per key, key prefix, queue factory, check command, batch)
WORKLOADS = {
    "hash": (100_000, 20, "hash:", hash_fields, "HLEN", 500),
    "list": (10_000, 100, "list:", list_items, "LLEN", 100),
    "set-str": (10_000, 100, "sset:", set_strings, "SCARD", 100),
    "set-int": (10_000, 100, "iset:", set_integers, "SCARD", 100),
    "zset": (10_000, 100, "zset:", zset_members, "ZCARD", 100),
}


def key_name(prefix: str, i: int) -> bytes:
    """Fixed-width key names, so every key has the same size in both servers."""
    return b"%s%07d" % (prefix.encode(), i)


def load(r: redis.Redis, keys: int, per_key: int, prefix: str, factory, batch: int):
    queue = factory(per_key)
    for start in range(0, keys, batch):
        pipe = r.pipeline(transaction=False)
        for i in range(start, min(keys, start + batch)):
            queue(pipe, key_name(prefix, i), i)
        replies = pipe.execute()  # raises on an error reply
        if any(reply != per_key for reply in replies):
            raise RuntimeError(f"unexpected reply loading {prefix}*: {replies[:3]}")


def used_and_rss(server, r: redis.Redis, seconds: float):
    time.sleep(seconds)  # background work (incremental rehash, timers) settles
    return int(r.info("memory")["used_memory"]), server.rss_bytes()


def measure(server, workload: str, scale: float) -> dict:
    keys, per_key, prefix, factory, check, batch = WORKLOADS[workload]
    keys = max(1, int(keys * scale))
    r = redis.Redis(port=server.port, socket_timeout=120)
    try:
        used0, rss0 = used_and_rss(server, r, 1.0)
        t = time.monotonic()
        load(r, keys, per_key, prefix, factory, batch)
        seconds = time.monotonic() - t
        used1, rss1 = used_and_rss(server, r, 2.0)
        dbsize = r.dbsize()
        first = key_name(prefix, 0)
        size = r.execute_command(check, first)
        encoding = r.object("encoding", first)
        encoding = encoding.decode() if isinstance(encoding, bytes) else str(encoding)
    finally:
        r.close()
    if dbsize != keys or size != per_key:
        raise RuntimeError(f"{server.name} {workload}: {dbsize} keys (expected {keys}), "
                           f"{check} {size} (expected {per_key})")
    elements = keys * per_key
    return {"keys": keys, "elements": elements, "encoding": encoding, "seconds": seconds,
            "used0": used0, "used1": used1, "rss0": rss0, "rss1": rss1,
            "used": (used1 - used0) / elements, "rss": (rss1 - rss0) / elements}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=DEFAULT_BINARY)
    parser.add_argument("--workload", action="append", choices=list(WORKLOADS))
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies the number of keys (quick runs while debugging)")
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--client-core", default="1")
    parser.add_argument("--json", help="write the shared result format (results.py)")
    parser.add_argument("--markdown")
    opts = parser.parse_args()
    workloads = opts.workload or list(WORKLOADS)
    start_line = machine_line()
    os.sched_setaffinity(0, {int(c) for c in opts.client_core.split(",")})

    measured = {}  # (workload, server) → measurement
    for workload in workloads:
        for name in ("shardcache", "redis"):
            server = (start_shardcache(opts.binary, threads=1, cpu=opts.server_core)
                      if name == "shardcache" else start_redis(cpu=opts.server_core))
            try:
                measured[workload, name] = m = measure(server, workload, opts.scale)
            finally:
                server.stop()
            print(f"{workload} {name}: {m['used']:.1f} B/element used_memory, {m['rss']:.1f} "
                  f"B/element RSS, {m['encoding']}, load {m['seconds']:.1f} s",
                  file=sys.stderr, flush=True)

    command = results.command_line()
    if opts.json:
        rows = []
        for workload in workloads:
            ours, theirs = measured[workload, "shardcache"], measured[workload, "redis"]
            label = f"{workload} {ours['keys']:,} x {ours['elements'] // ours['keys']}"
            rows += [results.single_row(label, "B/element used_memory", ours["used"],
                                        theirs["used"]),
                     results.single_row(label, "B/element RSS", ours["rss"], theirs["rss"])]
        results.write_json(opts.json, "Memory per element (container types)", command, rows)
    lines = [
        f"Memory per element; shardcache --threads 1 vs redis-server (--save '' --appendonly no), "
        f"same client (redis-py pipelines), fresh servers per workload, server on core "
        f"{opts.server_core}, loader on core {opts.client_core}. {start_line}.",
        f"Command: `{command}`",
        "",
        "| workload | keys x elements | encoding shardcache | encoding redis | "
        "used_memory B/elem shardcache | redis | ratio | RSS B/elem shardcache | redis | ratio |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for workload in workloads:
        ours, theirs = measured[workload, "shardcache"], measured[workload, "redis"]
        lines.append(
            f"| {workload} | {ours['keys']:,} x {ours['elements'] // ours['keys']} | "
            f"{ours['encoding']} | {theirs['encoding']} | {ours['used']:.1f} | "
            f"{theirs['used']:.1f} | {ours['used'] / theirs['used']:.2f} | {ours['rss']:.1f} | "
            f"{theirs['rss']:.1f} | {ours['rss'] / theirs['rss']:.2f} |")
    lines += ["", "| workload | server | used_memory before | after | RSS before | after | load s |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for (workload, name), m in measured.items():
        lines.append(f"| {workload} | {name} | {m['used0']:,} | {m['used1']:,} | {m['rss0']:,} | "
                     f"{m['rss1']:,} | {m['seconds']:.1f} |")
    write_report(lines, opts.markdown)


if __name__ == "__main__":
    main()
