"""MULTI / EXEC / DISCARD / WATCH / UNWATCH: Redis 7 semantics (differential against redis-server)
and atomic, isolated EXEC across shards."""
import random
import threading
import time

import pytest
import redis

from helpers import differential, keys_on_shards


def test_queueing_and_errors_match_redis(sc, redis_ref):
    differential(sc, redis_ref, [
        ["EXEC"], ["DISCARD"],
        ["MULTI"], ["MULTI"], ["WATCH", "x"], ["SET", "a", "1"], ["INCR", "a"], ["GET", "a"],
        ["EXEC"],
        # Errors at queue time abort EXEC.
        ["MULTI"], ["NOSUCHCOMMAND", "x"], ["SET", "a", "2"], ["EXEC"], ["GET", "a"],
        ["MULTI"], ["SET", "a"], ["EXEC"],
        # Runtime errors don't: the other commands run.
        ["MULTI"], ["SET", "s", "text"], ["INCR", "s"], ["SET", "b", "3"], ["EXEC"], ["GET", "b"],
        # DISCARD forgets the queue.
        ["MULTI"], ["SET", "c", "1"], ["DISCARD"], ["EXISTS", "c"], ["EXEC"],
        ["MULTI"], ["EXEC"],
        # SELECT inside a transaction applies to the commands after it.
        ["MULTI"], ["SELECT", "1"], ["SET", "k", "db1"], ["SELECT", "0"], ["GET", "k"], ["EXEC"],
        ["SELECT", "1"], ["GET", "k"], ["FLUSHDB"], ["SELECT", "0"],
        # UNWATCH is queued; RESET leaves MULTI.
        ["MULTI"], ["UNWATCH"], ["PING"], ["EXEC"],
        ["MULTI"], ["SET", "r", "1"], ["RESET"], ["EXEC"], ["EXISTS", "r"],
    ])


def test_watch_semantics_match_redis(sc, redis_ref):
    differential(sc, redis_ref, [
        # Changed by this very client before MULTI: aborts.
        ["WATCH", "w"], ["SET", "w", "1"], ["MULTI"], ["GET", "w"], ["EXEC"],
        # Untouched: runs.
        ["WATCH", "w"], ["MULTI"], ["GET", "w"], ["EXEC"],
        # UNWATCH forgets.
        ["WATCH", "w"], ["SET", "w", "2"], ["UNWATCH"], ["MULTI"], ["GET", "w"], ["EXEC"],
        # EXEC unwatches: the next transaction is not affected by an older change.
        ["WATCH", "w"], ["MULTI"], ["EXEC"], ["SET", "w", "3"], ["MULTI"], ["GET", "w"], ["EXEC"],
        # FLUSHALL touches a watched key only if it exists.
        ["WATCH", "absent"], ["FLUSHALL"], ["MULTI"], ["PING"], ["EXEC"],
        ["SET", "present", "1"], ["WATCH", "present"], ["FLUSHALL"], ["MULTI"], ["PING"], ["EXEC"],
        # Deleting, expiring with EXPIRE, and a failed write that changes nothing.
        ["SET", "d", "1"], ["WATCH", "d"], ["DEL", "d"], ["MULTI"], ["PING"], ["EXEC"],
        ["SET", "d", "1"], ["WATCH", "d"], ["EXPIRE", "d", "100"], ["MULTI"], ["PING"], ["EXEC"],
        ["SET", "d", "1"], ["WATCH", "d"], ["SETNX", "d", "2"], ["MULTI"], ["PING"], ["EXEC"],
        ["WATCH", "d"], ["MULTI"], ["WATCH", "e"], ["EXEC"],
    ])


def test_redis_py_pipeline_uses_transactions(sc):
    r = redis.Redis(port=sc.port, decode_responses=True)
    with r.pipeline(transaction=True) as pipe:
        pipe.set("p1", "a").incr("p2").mget("p1", "p2").lpush("p3", "x").get("missing")
        assert pipe.execute() == [True, 1, ["a", "1"], 1, None]
    with r.pipeline(transaction=True) as pipe:
        pipe.set("p1", "b").incr("p1")
        with pytest.raises(redis.ResponseError):
            pipe.execute()
    assert r.get("p1") == "b"  # runtime errors do not roll back


def test_watch_aborts_on_change_by_another_client_on_every_shard(shardcache):
    server = shardcache(threads=4)
    keys = keys_on_shards(4, "watched")
    r = redis.Redis(port=server.port, decode_responses=True)
    other = redis.Redis(port=server.port)
    for changed in keys:
        r.mset({k: "0" for k in keys})
        with r.pipeline(transaction=True) as pipe:
            pipe.watch(*keys)
            other.set(changed, "changed")
            pipe.multi()
            pipe.mset({k: "tx" for k in keys})
            with pytest.raises(redis.WatchError):
                pipe.execute()
        assert r.get(changed) == "changed"
        assert [r.get(k) for k in keys if k != changed] == ["0"] * 3
    # Unchanged, the same transaction commits on all four shards.
    with r.pipeline(transaction=True) as pipe:
        pipe.watch(*keys)
        pipe.multi()
        pipe.mset({k: "tx" for k in keys})
        assert pipe.execute() == [True]
    assert r.mget(keys) == ["tx"] * 4


def test_watch_aborts_when_a_watched_key_expires(sc):
    r = redis.Redis(port=sc.port)
    r.set("ttl", "1", px=150)
    with r.pipeline(transaction=True) as pipe:
        pipe.watch("ttl")
        time.sleep(0.3)  # expired, not yet touched by anyone
        pipe.multi()
        pipe.set("after", "1")
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert r.exists("after") == 0


def test_watch_aborts_when_a_watched_key_is_evicted(shardcache):
    server = shardcache("--maxmemory", "4mb", "--maxmemory-policy", "allkeys-random", threads=1)
    r = redis.Redis(port=server.port)
    r.set("victim", "v")
    with r.pipeline(transaction=True) as pipe:
        pipe.watch("victim")
        filler = redis.Redis(port=server.port)
        i = 0
        while filler.exists("victim"):
            filler.set(f"fill:{i}", "x" * 1000)
            i += 1
        pipe.multi()
        pipe.set("after", "1")
        with pytest.raises(redis.WatchError):
            pipe.execute()


def test_blocking_commands_do_not_block_inside_multi(sc, redis_ref):
    differential(sc, redis_ref, [
        ["MULTI"], ["BLPOP", "empty", "0"], ["BRPOPLPUSH", "empty", "dst", "0"], ["PING"], ["EXEC"],
        ["RPUSH", "full", "a"],
        ["MULTI"], ["BLPOP", "full", "0"], ["BLPOP", "full", "0"], ["EXEC"],
    ])


def test_exec_spanning_shards_runs_every_command_kind(shardcache):
    server = shardcache(threads=4)
    a, b, c, d = keys_on_shards(4, "span")
    r = redis.Redis(port=server.port, decode_responses=True)
    with r.pipeline(transaction=True) as pipe:
        pipe.mset({a: "1", b: "2", c: "3", d: "4"})  # keys on four shards
        pipe.incr(a)  # one remote shard
        pipe.rename(b, "renamed{%s}" % d)  # a home-routed command joining the EXEC
        pipe.mget(a, c, d)
        pipe.dbsize()  # every shard
        pipe.client_id()
        assert pipe.execute()[:5] == [True, 2, True, ["2", "3", "4"], 4]
    assert r.get("renamed{%s}" % d) == "2"


@pytest.mark.timeout_s(120)
def test_cross_shard_transfers_never_change_the_sum(shardcache):
    """Many clients move amounts between counters on every shard with MULTI/EXEC for 30 s while
    others read all counters in one MULTI: every read sees the same total and, at the end, each
    counter holds exactly its start value plus the transfers acknowledged for it."""
    server = shardcache(threads=4)
    counters = [f"acct:{i}" for i in range(16)]
    start = 1000
    redis.Redis(port=server.port).mset({k: start for k in counters})
    deadline = time.monotonic() + 30
    lock = threading.Lock()
    expected = {k: start for k in counters}
    problems, totals = [], {"transfers": 0, "reads": 0}

    def transfer(seed):
        rng = random.Random(seed)
        r = redis.Redis(port=server.port)
        while time.monotonic() < deadline:
            src, dst = rng.sample(counters, 2)
            amount = rng.randint(1, 9)
            with r.pipeline(transaction=True) as pipe:
                pipe.decrby(src, amount).incrby(dst, amount)
                replies = pipe.execute()
            if len(replies) != 2:
                problems.append(f"EXEC replied {replies!r}")
            with lock:
                expected[src] -= amount
                expected[dst] += amount
                totals["transfers"] += 1

    def audit():
        r = redis.Redis(port=server.port)
        while time.monotonic() < deadline:
            with r.pipeline(transaction=True) as pipe:
                for k in counters:
                    pipe.get(k)
                values = pipe.execute()
            total = sum(int(v) for v in values)
            if total != start * len(counters):
                problems.append(f"a transaction saw a total of {total}")
            totals["reads"] += 1

    workers = [threading.Thread(target=transfer, args=(i,)) for i in range(8)]
    workers += [threading.Thread(target=audit) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not any(w.is_alive() for w in workers), "a client hung"
    assert problems == []
    final = redis.Redis(port=server.port).mget(counters)
    assert {k: int(v) for k, v in zip(counters, final)} == expected
    assert totals["transfers"] > 1000 and totals["reads"] > 100, totals
