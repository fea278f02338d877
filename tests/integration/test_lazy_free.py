"""UNLINK and FLUSHALL/FLUSHDB ASYNC take keys out at once and free their memory off the shard
thread: the keyspace no longer holds or accounts them when the reply arrives."""
import time

import pytest
import redis


def _used(r):
    return r.info("memory")["used_memory"]


def _rss(r):
    return r.info("memory")["used_memory_rss"]


@pytest.mark.timing  # asserts RSS: ASan's quarantine keeps freed pages
def test_unlink_large_values(shardcache):
    server = shardcache(threads=2)
    r = redis.Redis(port=server.port)
    big = b"x" * (32 * 1024 * 1024)
    r.set("big:a", big)
    r.set("big:b", big)
    assert _used(r) > 64 * 1024 * 1024
    rss_before = _rss(r)
    assert r.unlink("big:a", "big:b", "missing") == 2
    assert r.exists("big:a", "big:b") == 0
    assert _used(r) < 1024 * 1024
    # The background thread gives the pages back soon after.
    deadline = time.time() + 5
    while _rss(r) > rss_before - 48 * 1024 * 1024 and time.time() < deadline:
        time.sleep(0.05)
    assert _rss(r) <= rss_before - 48 * 1024 * 1024


def test_flushall_and_flushdb_async(shardcache):
    server = shardcache(threads=2)
    r = redis.Redis(port=server.port)
    pipe = r.pipeline(transaction=False)
    for i in range(50000):
        pipe.set(f"k:{i}", "v" * 40)
    pipe.execute()
    assert r.dbsize() == 50000
    assert r.flushdb(asynchronous=True) is True
    assert r.dbsize() == 0
    assert _used(r) < 1024 * 1024
    r.set("again", "1")
    assert r.flushall(asynchronous=True) is True
    assert r.dbsize() == 0
    assert r.get("again") is None
