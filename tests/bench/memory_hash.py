#!/usr/bin/python3
"""Memory per hash field: 100k hashes of 20 fields ("f0".."f19") with 16-byte values (listpack
encoded in both servers) loaded into shardcache (--threads 1) and redis-server by the same client
(pipelined HSETs, 500 keys a batch), one server at a time. Reports used_memory and RSS deltas
per field-value pair (keys, their entries and containers included).

    tests/bench/memory_hash.py [--binary build/hash/server/shardcache-server]
        [--keys 100000] [--fields 20] [--value-size 16]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zipf import Client, encode, start_redis, start_shardcache, value_bytes  # noqa: E402


def used_and_rss(server, c: Client, seconds: float):
    time.sleep(seconds)
    return int(c.info("memory")["used_memory"]), server.rss_bytes()


def load(c: Client, keys: int, fields: int, value: bytes, batch: int = 500):
    pairs = [x for i in range(fields) for x in (b"f%d" % i, value)]
    for start in range(0, keys, batch):
        count = min(keys, start + batch) - start
        payload = b"".join(encode(b"HSET", b"user:%07d" % i, *pairs)
                           for i in range(start, start + count))
        lines = c.pipeline_lines(payload, count)
        if any(line != b":%d" % fields for line in lines):
            raise RuntimeError(f"unexpected HSET reply: {lines[:3]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="build/hash/server/shardcache-server")
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--fields", type=int, default=20)
    parser.add_argument("--value-size", type=int, default=16)
    opts = parser.parse_args()
    pairs = opts.keys * opts.fields
    for name in ("shardcache", "redis"):
        server = (start_shardcache(opts.binary, threads=1) if name == "shardcache"
                  else start_redis())
        try:
            with Client(server.port) as c:
                used0, rss0 = used_and_rss(server, c, 0.5)
                load(c, opts.keys, opts.fields, value_bytes(opts.value_size))
                used1, rss1 = used_and_rss(server, c, 1.0)
                encoding = c.call("OBJECT", "ENCODING", "user:0000000")
        finally:
            server.stop()
        print(f"{name}: {(used1 - used0) / pairs:.1f} B/pair used_memory, "
              f"{(rss1 - rss0) / pairs:.1f} B/pair RSS ({encoding.decode()}, "
              f"{opts.keys} hashes x {opts.fields} fields, {opts.value_size}-byte values)")


if __name__ == "__main__":
    main()
