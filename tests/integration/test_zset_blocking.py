"""BZPOPMIN BZPOPMAX BZMPOP against redis-server 7.0.15 where the outcome is deterministic
(ready keys, errors, timeouts, MULTI), and wake-ups by ZADD / ZUNIONSTORE / ZRANGESTORE from
other clients, with the waiting and the written keys on different shards."""
import time

import pytest

from helpers import RespConnection, keys_on_shards, run_in_thread

A, B, C, D = keys_on_shards(4, "bz")


def test_ready_keys_errors_and_timeouts(diff):
    diff([
        ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["BZPOPMIN", "none", "z", "0"],
        ["BZPOPMAX", "z", "0"], ["BZMPOP", "0", "2", "none", "z", "MAX", "COUNT", "5"],
        ["EXISTS", "z"], ["BZPOPMIN", "none", "0.05"], ["BZPOPMAX", "none", "0.01"],
        ["BZMPOP", "0.05", "1", "none", "MIN"],
        ["BZPOPMIN", "z", "abc"], ["BZPOPMIN", "z", "-1"], ["BZMPOP", "abc", "1", "z", "MIN"],
        ["BZMPOP", "0", "0", "z", "MIN"], ["BZMPOP", "0", "1", "z", "MID"],
        ["BZMPOP", "-1", "1", "z", "MIN"], ["BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"],
        ["SET", "s", "x"], ["BZPOPMIN", "none", "s", "0"], ["BZMPOP", "0", "1", "s", "MIN"],
        ["MULTI"], ["BZPOPMIN", "none", "0"], ["BZMPOP", "0", "1", "none", "MAX"], ["EXEC"],
    ])


@pytest.mark.parametrize("threads", [1, 4])
def test_wakeups_across_shards(shardcache, threads):
    server = shardcache(threads=threads)
    writer = RespConnection(server.port)

    def blocked(*cmd):
        conn = RespConnection(server.port)
        conn.hello3()
        return conn.cmd(*cmd)

    join = run_in_thread(blocked, "BZPOPMIN", A, B, "5")
    time.sleep(0.2)
    writer.cmd("ZADD", B, "1.5", "m")
    assert join() == [B.encode(), b"m", 1.5]
    assert writer.cmd("EXISTS", B) == 0

    join = run_in_thread(blocked, "BZMPOP", "5", "2", C, D, "MAX", "COUNT", "2")
    time.sleep(0.2)
    writer.cmd("ZADD", A, "1", "x", "2", "y", "3", "z")
    writer.cmd("ZUNIONSTORE", D, "1", A)
    assert join() == [D.encode(), [[b"z", 3.0], [b"y", 2.0]]]
    assert writer.cmd("ZRANGE", D, "0", "-1") == [b"x"]

    join = run_in_thread(blocked, "BZPOPMAX", C, "5")
    time.sleep(0.2)
    writer.cmd("ZRANGESTORE", C, A, "0", "0")
    assert join() == [C.encode(), b"x", 1.0]


def test_fifo_and_timeout(sc):
    writer = RespConnection(sc.port)

    def blocked(*cmd):
        return RespConnection(sc.port).cmd(*cmd)

    first = run_in_thread(blocked, "BZPOPMIN", "q", "5")
    time.sleep(0.15)
    second = run_in_thread(blocked, "BZPOPMIN", "q", "5")
    time.sleep(0.15)
    writer.cmd("ZADD", "q", "1", "a", "2", "b")
    assert first() == [b"q", b"a", b"1"]
    assert second() == [b"q", b"b", b"2"]
    started = time.monotonic()
    assert blocked("BZPOPMAX", "q", "0.2") is None
    assert time.monotonic() - started >= 0.15
