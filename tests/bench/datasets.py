"""Data loaded into a server before bench.py measures reads of it. Every dataset is generated
from a fixed seed, so both servers receive the same bytes; key and member names are what
redis-benchmark's `__rand_int__` expands to (12 zero-padded digits, below its `-r` bound), so
the benchmark's random keys hit loaded data.

  strings  1,000,000 keys key:<12 digits>, 64-byte values       (`-r 1000000`, MGET, GET)
  hashes   100,000 hashes feat:<12 digits> of 20 fields f0..f19, 16-byte values
           (`-r 100000`; the feature-store read HMGET f0..f9)
  zsets    1,000 sorted sets zset:<12 digits> of 1,000 members member:<12 digits>, with
           random scores in [0, 1000) (`-r 1000`: ZADD updates a member's score, ZRANGE and
           ZRANGEBYSCORE read a 1,000-member skiplist)
"""
from __future__ import annotations

import random

from zipf import Client, encode, value_bytes

STRING_KEYS, STRING_VALUE_SIZE = 1_000_000, 64
HASHES, HASH_FIELDS = 100_000, 20
ZSETS, ZSET_MEMBERS = 1_000, 1_000


def _strings():
    value = value_bytes(STRING_VALUE_SIZE)
    for start in range(0, STRING_KEYS, 1000):
        keys = range(start, min(STRING_KEYS, start + 1000))
        yield b"".join(encode(b"SET", b"key:%012d" % i, value) for i in keys), len(keys), b"+OK"


def _hashes():
    value = value_bytes(16)
    fields = [a for f in range(HASH_FIELDS) for a in (b"f%d" % f, value)]
    for start in range(0, HASHES, 200):
        keys = range(start, min(HASHES, start + 200))
        yield (b"".join(encode(b"HSET", b"feat:%012d" % i, *fields) for i in keys), len(keys),
               b":%d" % HASH_FIELDS)


def _zsets():
    rng = random.Random(1)
    per_command = 100
    for z in range(ZSETS):
        for first in range(0, ZSET_MEMBERS, per_command):
            args = []
            for m in range(first, first + per_command):
                args += [repr(rng.uniform(0, 1000)).encode(), b"member:%012d" % m]
            yield encode(b"ZADD", b"zset:%012d" % z, *args), 1, b":%d" % per_command


# name → (batches of (payload, commands, expected reply line), keys it creates)
DATASETS = {"strings": (_strings, STRING_KEYS), "hashes": (_hashes, HASHES),
            "zsets": (_zsets, ZSETS)}


def load(port: int, names: list[str]):
    """Loads the named datasets into an empty server and checks that every command succeeded
    and that DBSIZE counts exactly their keys."""
    with Client(port, timeout=300) as c:
        for name in names:
            batches, _ = DATASETS[name]
            for payload, count, expected in batches():
                replies = c.pipeline_lines(payload, count)
                if any(reply != expected for reply in replies):
                    bad = next(r for r in replies if r != expected)
                    raise RuntimeError(f"loading {name} on port {port}: {bad!r}")
        keys = c.call("DBSIZE")
    want = sum(DATASETS[name][1] for name in names)
    if keys != want:
        raise RuntimeError(f"port {port} holds {keys} keys after loading {names}, expected {want}")
