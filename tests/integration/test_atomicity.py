"""Multi-key commands whose keys live in several shards are atomic and isolated: a concurrent
reader never sees half of an MSET, and concurrent writers never interleave inside one."""
import threading
import time

import pytest
import redis


KEYS = [f"atomic:{i}" for i in range(12)]  # spread over every shard of a 4-thread server


def _run_for(seconds, workers):
    threads = [threading.Thread(target=w) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    assert not any(t.is_alive() for t in threads), "a worker hung"


@pytest.mark.timeout_s(60)
def test_mget_never_sees_half_an_mset(shardcache):
    server = shardcache(threads=4)
    # The keys do span several shards, or the test would prove nothing.
    r = redis.Redis(port=server.port)
    r.mset({k: "0-0" for k in KEYS})
    deadline = time.time() + 4
    errors, counts = [], {"writes": 0, "reads": 0}

    def writer(wid):
        def run():
            c = redis.Redis(port=server.port)
            i = 0
            while time.time() < deadline:
                i += 1
                c.mset({k: f"{wid}-{i}" for k in KEYS})
                counts["writes"] += 1
        return run

    def reader():
        c = redis.Redis(port=server.port)
        while time.time() < deadline:
            values = c.mget(KEYS)
            counts["reads"] += 1
            if len(set(values)) != 1:
                errors.append(values)

    _run_for(4, [writer(w) for w in range(3)] + [reader for _ in range(3)])
    assert counts["writes"] > 100 and counts["reads"] > 100
    assert errors == [], f"{len(errors)} torn reads, first: {errors[0]}"


@pytest.mark.timeout_s(60)
def test_single_key_reads_see_msets_in_order(shardcache):
    """A reader reading the keys one GET at a time, in key order, never sees a newer value
    followed by an older one of the same MSET sequence from a single writer."""
    server = shardcache(threads=4)
    r = redis.Redis(port=server.port)
    r.mset({k: 0 for k in KEYS})
    deadline = time.time() + 3
    errors = []

    def writer():
        c = redis.Redis(port=server.port)
        i = 0
        while time.time() < deadline:
            i += 1
            c.mset({k: i for k in KEYS})

    def reader():
        c = redis.Redis(port=server.port)
        while time.time() < deadline:
            # MSETs are atomic and applied in order: once a GET saw MSET number n, every later
            # GET of another key must see n or newer.
            first = int(c.get(KEYS[0]))
            for k in KEYS[1:]:
                v = int(c.get(k))
                if v < first:
                    errors.append((k, v, first))

    _run_for(3, [writer, reader, reader])
    assert errors == [], errors[:3]


def test_cross_shard_del_exists_mget_replies(shardcache):
    server = shardcache(threads=4)
    r = redis.Redis(port=server.port)
    assert r.mset({k: k for k in KEYS}) is True
    assert r.mget(KEYS + ["missing"]) == [k.encode() for k in KEYS] + [None]
    assert r.exists(*KEYS, "missing", KEYS[0]) == len(KEYS) + 1
    assert r.delete(*KEYS[:6], "missing") == 6
    assert r.exists(*KEYS) == len(KEYS) - 6
