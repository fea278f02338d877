"""The generic key commands (DEL UNLINK EXISTS TOUCH TYPE RENAME RENAMENX COPY MOVE SWAPDB
RANDOMKEY KEYS SCAN, the EXPIRE and TTL families, PERSIST, OBJECT, MEMORY USAGE), compared with
redis-server 7.0.15 with 1 and 4 shard threads. Replies that depend on time (TTLs) or on hash
order (KEYS, SCAN) are compared as ranges and as sets."""
import random
import threading
import time

import pytest

from helpers import RespConnection, differential, encode_command, keys_on_shards

THREADS = [1, 4]
# One key per shard of a 4-thread server (with 1 thread they all share the one shard).
A, B, C, D = keys_on_shards(4, "key")
FAR = 4102444800  # 2100-01-01, in seconds
INT64_MAX = 2**63 - 1
INT64_MIN = -2**63


@pytest.fixture(params=THREADS, ids=[f"threads{t}" for t in THREADS])
def ours(request, shardcache):
    return shardcache(threads=request.param)


def cmd(server, *args):
    with RespConnection(server.port) as conn:
        return conn.cmd(*args)


def scan_all(conn, *options, between=None):
    """Every key a full SCAN returns (with repeats), calling between() after each call."""
    seen, cursor = [], b"0"
    while True:
        reply = conn.cmd("SCAN", cursor, *options)
        cursor, keys = reply
        assert cursor.isdigit(), reply
        seen += keys
        if between:
            between()
        if cursor == b"0":
            return seen


# ------------------------------------------------------------------------------------------
# DEL UNLINK EXISTS TOUCH TYPE OBJECT MEMORY
# ------------------------------------------------------------------------------------------

def test_del_unlink_exists_touch_type(ours, redis_ref):
    commands = [["SET", k, f"v{i}"] for i, k in enumerate((A, B, C, D))] + [
        ["EXISTS", A, B, C, D, "missing", A],
        ["TOUCH", A, B, C, D, "missing"],
        ["TYPE", A], ["TYPE", "missing"],
        ["DEL", A, B, "missing", A],
        ["UNLINK", C, "missing", C],
        ["EXISTS", A, B, C, D], ["TOUCH", A, D], ["DBSIZE"],
        ["TOUCH"], ["UNLINK"], ["TYPE"], ["TYPE", A, B], ["EXISTS"],
    ]
    differential(ours, redis_ref, commands)


def test_object_and_memory_usage(ours, redis_ref):
    commands = [
        ["SET", "s", "hello"], ["SET", "n", "123"], ["SET", "big", "x" * 100],
        ["SET", "neg", "-5"], ["SET", "large", "123456"],
        *[["OBJECT", sub, key] for sub in ("ENCODING", "REFCOUNT", "IDLETIME", "FREQ")
          for key in ("s", "n", "big", "neg", "large", "missing")
          # Redis's idle time of a shared integer is that of the object all its keys share.
          if (sub, key) != ("IDLETIME", "n")],
        ["object", "encoding", "s"], ["OBJECT", "HELP"], ["object", "help"],
        ["OBJECT", "HELP", "x"], ["OBJECT", "ENCODING"], ["OBJECT", "ENCODING", "s", "x"],
        ["OBJECT", "BAD", "s"], ["OBJECT"],
        ["MEMORY", "USAGE", "missing"], ["MEMORY", "USAGE", "s", "SAMPLES", "-1"],
        ["MEMORY", "USAGE", "s", "SAMPLES", "x"], ["MEMORY", "USAGE", "s", "SAMPLES"],
        ["MEMORY", "USAGE", "s", "BAD", "1"],
        ["MEMORY", "USAGE", "missing", "SAMPLES", "5", "samples", "0"],
    ]
    differential(ours, redis_ref, commands)
    assert isinstance(cmd(ours, "MEMORY", "USAGE", "missing"), type(None))


@pytest.mark.parametrize("config", [("allkeys-lfu", "0"), ("allkeys-lfu", "100mb"),
                                    ("allkeys-lru", "100mb"), ("volatile-ttl", "100mb")],
                         ids=["lfu", "lfu-maxmemory", "lru-maxmemory", "ttl-maxmemory"])
def test_object_under_eviction_policies(shardcache, redis_server, config):
    policy, maxmemory = config
    args = ("--maxmemory-policy", policy, "--maxmemory", maxmemory)
    commands = [
        ["SET", "k", "v"], ["SET", "n", "7"],
        ["OBJECT", "FREQ", "k"], ["GET", "k"], ["OBJECT", "FREQ", "k"],
        # Reads that do not touch: the counter stays.
        ["TYPE", "k"], ["EXISTS", "k"], ["TTL", "k"], ["OBJECT", "FREQ", "k"],
        ["OBJECT", "IDLETIME", "k"], ["OBJECT", "FREQ", "missing"],
        ["OBJECT", "REFCOUNT", "n"], ["OBJECT", "ENCODING", "n"],
    ]
    differential(shardcache(*args, threads=4), redis_server(*args), commands)


def test_object_idletime_is_not_reset_by_reads(ours, redis_ref):
    """TYPE EXISTS TTL OBJECT KEYS SCAN leave the access time alone; TOUCH, GET and EXPIRE
    refresh it."""
    def run(server, key):
        with RespConnection(server.port) as c:
            c.cmd("SET", key, "v")
            c.cmd("SET", f"{key}2", "v")
            c.cmd("SET", f"{key}3", "v")
            time.sleep(1.2)
            for read in (["TYPE", key], ["EXISTS", key], ["TTL", key], ["PTTL", key],
                         ["EXPIRETIME", key], ["OBJECT", "ENCODING", key], ["KEYS", "*"],
                         ["SCAN", "0", "TYPE", "string", "COUNT", "1000"]):
                c.cmd(*read)
            idle = [c.cmd("OBJECT", "IDLETIME", k) for k in (key, key, f"{key}2", f"{key}3")]
            c.cmd("TOUCH", key)
            c.cmd("GET", f"{key}2")
            c.cmd("EXPIRE", f"{key}3", "1000")
            after = [c.cmd("OBJECT", "IDLETIME", k) for k in (key, f"{key}2", f"{key}3")]
            c.cmd("DEL", key, f"{key}2", f"{key}3")
            return [i >= 1 for i in idle], after

    key = f"idle{random.randrange(10**9)}"
    expected = ([True] * 4, [0, 0, 0])
    assert run(redis_ref, key) == expected
    assert run(ours, key) == expected


def test_keyspace_hits_and_misses_count_as_in_redis(ours, redis_ref):
    commands = [("SET", A, "1"), ("SET", B, "2"), ("EXISTS", A, "missing"), ("TYPE", A),
                ("TYPE", "missing"), ("TTL", A), ("PTTL", "missing"), ("TOUCH", A, "missing"),
                ("OBJECT", "ENCODING", A), ("OBJECT", "REFCOUNT", "missing"), ("EXPIRE", A, "100"),
                ("PERSIST", "missing"), ("COPY", A, C), ("COPY", "missing", D),
                ("RENAME", B, D), ("SCAN", "0", "TYPE", "string", "COUNT", "100"), ("KEYS", "*"),
                ("RANDOMKEY",), ("DEL", A, "missing"), ("MEMORY", "USAGE", C)]

    def deltas(server):
        with RespConnection(server.port) as c:
            c.cmd("FLUSHALL")
            def stats():
                info = c.cmd("INFO", "stats").decode()
                return [int(line.split(":")[1]) for line in info.split("\r\n")
                        if line.startswith(("keyspace_hits:", "keyspace_misses:"))]
            before = stats()
            for command in commands:
                c.cmd(*command)
            return [a - b for a, b in zip(stats(), before)]

    assert deltas(ours) == deltas(redis_ref)


# ------------------------------------------------------------------------------------------
# EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST
# ------------------------------------------------------------------------------------------

def test_expire_options_and_errors(ours, redis_ref):
    k = A
    commands = [
        ["SET", k, "v"],
        ["EXPIRE", k, "100", "XX"], ["EXPIRE", k, "100", "GT"], ["EXPIRE", k, "100", "NX"],
        ["EXPIRE", k, "200", "NX"], ["TTL", k],
        ["EXPIRE", k, "50", "GT"], ["EXPIRE", k, "500", "gt"], ["TTL", k],
        ["EXPIRE", k, "1000", "LT"], ["EXPIRE", k, "300", "lt"], ["TTL", k],
        ["EXPIRE", k, "400", "XX", "GT"], ["EXPIRE", k, "100", "xx", "gt"], ["TTL", k],
        ["EXPIRE", k, "10", "NX", "XX"], ["EXPIRE", k, "10", "nx", "gt"],
        ["EXPIRE", k, "10", "NX", "LT"], ["EXPIRE", k, "10", "GT", "LT"],
        ["EXPIRE", k, "10", "BAD"], ["EXPIRE", k, "abc"], ["EXPIRE", k, "abc", "BAD"],
        ["EXPIRE", k, "abc", "NX", "XX"], ["EXPIRE", k, "1.5"], ["EXPIRE", k, " 10"],
        ["EXPIRE", k, "+10"], ["EXPIRE", k, "010"],
        ["EXPIRE", k, str(INT64_MAX)], ["EXPIRE", k, str(INT64_MIN)],
        ["EXPIRE", k, str(INT64_MAX // 1000)], ["PEXPIRE", k, str(INT64_MAX)],
        ["EXPIREAT", k, str(INT64_MAX)], ["EXPIREAT", k, str(INT64_MIN // 1000 - 1)],
        ["PEXPIRE", "missing", str(INT64_MAX)],
        ["EXPIRE", "missing", "10"], ["EXPIRE", "missing", "x"], ["EXPIRE", "missing", "10", "XX"],
        ["PERSIST", k], ["PERSIST", k], ["TTL", k], ["PERSIST", "missing"],
        ["EXPIREAT", k, str(FAR)], ["EXPIRETIME", k], ["PEXPIRETIME", k], ["TTL", "missing"],
        ["PTTL", "missing"], ["EXPIRETIME", "missing"], ["PEXPIRETIME", "missing"],
        ["PEXPIREAT", k, str(FAR * 1000 + 499)], ["PEXPIRETIME", k], ["EXPIRETIME", k],
        ["PEXPIREAT", k, str(FAR * 1000 + 500)], ["EXPIRETIME", k],
        ["PEXPIREAT", k, str(INT64_MAX)], ["EXPIRETIME", k], ["PEXPIRETIME", k],
        ["EXPIREAT", k, str(FAR), "LT"], ["PEXPIRETIME", k],
        ["PERSIST", k], ["EXPIRETIME", k], ["PEXPIRETIME", k], ["PTTL", k],
        ["EXPIRE", k], ["TTL"], ["PERSIST"], ["EXPIRETIME", k, k],
    ]
    differential(ours, redis_ref, commands)


@pytest.mark.parametrize("expire", [["EXPIRE", "-1"], ["PEXPIRE", "0"], ["EXPIREAT", "1"],
                                    ["PEXPIREAT", "-5"], ["EXPIRE", str(INT64_MIN // 1000)],
                                    ["PEXPIRE", str(INT64_MIN)], ["EXPIRE", "-1", "LT"],
                                    ["EXPIREAT", "0", "NX"]])
def test_expire_in_the_past_deletes(ours, redis_ref, expire):
    commands = []
    for key in (A, B):
        commands += [["SET", key, "v"], [expire[0], key, *expire[1:]], ["EXISTS", key],
                     ["GET", key], ["TTL", key]]
    commands += [["SET", C, "v"], ["EXPIRE", C, "-1", "GT"], ["EXPIRE", C, "-1", "XX"],
                 ["EXISTS", C], ["DBSIZE"]]
    differential(ours, redis_ref, commands)


def test_ttl_and_pttl_ranges(ours):
    with RespConnection(ours.port) as c:
        c.cmd("SET", A, "v")
        assert c.cmd("PEXPIRE", A, "5000") == 1
        assert 4000 < c.cmd("PTTL", A) <= 5000
        assert c.cmd("TTL", A) in (4, 5)
        assert c.cmd("EXPIRE", A, "100") == 1
        assert 99000 < c.cmd("PTTL", A) <= 100000
        now_ms = int(time.time() * 1000)
        assert abs(c.cmd("PEXPIRETIME", A) - (now_ms + 100000)) < 2000
        assert abs(c.cmd("EXPIRETIME", A) - (now_ms // 1000 + 100)) <= 2
        assert c.cmd("PEXPIREAT", A, str(now_ms + 3000)) == 1
        assert 2000 < c.cmd("PTTL", A) <= 3000
        assert c.cmd("PEXPIRETIME", A) == now_ms + 3000
        assert c.cmd("PEXPIRE", A, "150") == 1
        time.sleep(0.3)
        assert c.cmd("PTTL", A) == -2
        assert c.cmd("GET", A) is None


def test_expired_keys_are_never_returned(ours):
    live = [f"live:{i}" for i in range(20)]
    dying = [f"dying:{i}" for i in range(40)]
    with RespConnection(ours.port) as c:
        for key in live + dying:
            c.cmd("SET", key, "v")
        for key in dying:
            c.cmd("PEXPIRE", key, "30")
        time.sleep(0.1)
        assert sorted(c.cmd("KEYS", "*")) == sorted(k.encode() for k in live)
        assert sorted(c.cmd("KEYS", "dying:*")) == []
        assert sorted(scan_all(c, "COUNT", "7")) == sorted(k.encode() for k in live)
        assert c.cmd("EXISTS", *live, *dying) == len(live)
        assert {c.cmd("RANDOMKEY") for _ in range(50)} <= {k.encode() for k in live}
        assert [c.cmd("TYPE", k) for k in dying[:3]] == ["none"] * 3
        c.cmd("DEL", *live)
        for key in dying:
            c.cmd("SET", key, "v")
            c.cmd("PEXPIRE", key, "30")
        time.sleep(0.1)
        assert c.cmd("RANDOMKEY") is None
        assert scan_all(c) == []


# ------------------------------------------------------------------------------------------
# RENAME RENAMENX COPY MOVE SWAPDB
# ------------------------------------------------------------------------------------------

def test_rename_and_renamenx(ours, redis_ref):
    commands = [
        ["SET", A, "va"], ["EXPIRE", A, "1000"],
        ["RENAME", A, B], ["GET", A], ["GET", B], ["TTL", B], ["EXISTS", A],
        ["RENAME", B, B], ["RENAMENX", B, B], ["GET", B],
        ["RENAME", "missing", C], ["RENAMENX", "missing", C], ["RENAME", "missing", "missing"],
        ["RENAMENX", "missing", "missing"],
        ["SET", C, "vc"], ["RENAMENX", B, C], ["GET", B], ["GET", C],
        ["RENAMENX", B, D], ["GET", D], ["TTL", D], ["EXISTS", B],
        ["RENAME", D, C], ["GET", C], ["TTL", C], ["EXISTS", D],
        ["SET", A, "new"], ["RENAME", A, C], ["TTL", C], ["GET", C],
        ["SET", "{t}x", "1"], ["EXPIRE", "{t}x", "500"], ["RENAME", "{t}x", "{t}y"],
        ["TTL", "{t}y"], ["RENAMENX", "{t}y", "{t}x"], ["SET", "{t}y", "2"],
        ["RENAMENX", "{t}x", "{t}y"], ["MGET", "{t}x", "{t}y"],
        ["RENAME", C], ["RENAMENX", A, B, C], ["DBSIZE"],
    ]
    differential(ours, redis_ref, commands)


def test_copy(ours, redis_ref):
    commands = [
        ["SET", A, "va"], ["EXPIRE", A, "1000"],
        ["COPY", A, B], ["GET", B], ["TTL", B], ["GET", A], ["TTL", A],
        ["COPY", A, B], ["SET", A, "va2"], ["COPY", A, B], ["COPY", A, B, "REPLACE"],
        ["GET", B], ["TTL", B],
        ["COPY", A, A], ["COPY", A, A, "DB", "0"], ["COPY", A, A, "REPLACE"],
        ["COPY", A, A, "DB", "1"], ["COPY", A, A, "DB", "1"],
        ["COPY", "missing", B], ["COPY", "missing", "missing"], ["COPY", "missing", B, "DB", "2"],
        ["COPY", A, C, "DB", "15"], ["COPY", A, C, "DB", "16"], ["COPY", A, C, "DB", "-1"],
        ["COPY", A, C, "DB", "x"], ["COPY", A, C, "DB", "3000000000"], ["COPY", A, C, "DB"],
        ["COPY", A, C, "BAD"], ["COPY", A, C, "REPLACE", "REPLACE"],
        ["COPY", A, D, "db", "2", "db", "3"], ["COPY", A, D, "DB", "x", "BAD"],
        ["SELECT", "15"], ["GET", C], ["SELECT", "3"], ["GET", D], ["SELECT", "2"], ["GET", D],
        ["SELECT", "1"], ["GET", A], ["COPY", A, B, "DB", "0"],
        ["COPY", A, B, "DB", "0", "REPLACE"], ["SELECT", "0"], ["GET", B], ["COPY", A], ["DBSIZE"],
        ["SET", "n", "42"], ["COPY", "n", "n2"], ["OBJECT", "ENCODING", "n2"],
    ]
    differential(ours, redis_ref, commands)


def test_move(ours, redis_ref):
    commands = [
        ["SET", A, "va"], ["EXPIRE", A, "1000"], ["MOVE", A, "1"], ["EXISTS", A],
        ["SELECT", "1"], ["GET", A], ["TTL", A], ["MOVE", A, "1"], ["SET", B, "x"],
        ["SELECT", "0"], ["SET", B, "y"], ["MOVE", B, "1"], ["GET", B],
        ["MOVE", "missing", "1"], ["MOVE", "missing", "0"], ["MOVE", B, "x"], ["MOVE", B, "16"],
        ["MOVE", B, "-1"], ["MOVE", B, "3000000000"], ["MOVE", B, "1.0"], ["MOVE", B],
        ["MOVE", B, "1", "2"], ["MOVE", B, "15"], ["SELECT", "15"], ["GET", B], ["DBSIZE"],
    ]
    differential(ours, redis_ref, commands)


def test_swapdb(ours, redis_ref):
    commands = [["SET", k, f"db0-{k}"] for k in (A, B, C)] + [["EXPIRE", A, "1000"]]
    commands += [["SELECT", "1"]] + [["SET", k, f"db1-{k}"] for k in (C, D)]
    commands += [
        ["SWAPDB", "0", "1"], ["MGET", A, B, C, D], ["DBSIZE"], ["TTL", A],
        ["SELECT", "0"], ["MGET", A, B, C, D], ["DBSIZE"], ["TTL", A],
        ["SWAPDB", "1", "0"], ["MGET", A, B, C, D], ["SWAPDB", "0", "0"], ["MGET", A, B, C, D],
        ["SWAPDB", "0", "x"], ["SWAPDB", "x", "0"], ["SWAPDB", "x", "y"], ["SWAPDB", "0", "16"],
        ["SWAPDB", "-1", "0"], ["SWAPDB", "0", "3000000000"], ["SWAPDB", "3000000000", "99"],
        ["SWAPDB", "0"], ["SWAPDB", "0", "1", "2"], ["SWAPDB", "0", "15"], ["DBSIZE"],
        ["SELECT", "15"], ["KEYS", "nothing*"], ["DBSIZE"],
    ]
    differential(ours, redis_ref, commands)


def test_cross_shard_renames_are_atomic_and_ordered(shardcache):
    """Readers see exactly one of two keys on different shards that writers rename back and
    forth; a pipeline of renames reads its own writes."""
    server = shardcache(threads=4)
    with RespConnection(server.port) as c:
        c.cmd("SET", A, "token")
        pipeline = b""
        for _ in range(50):
            for command in (("RENAME", A, B), ("GET", B), ("RENAME", B, A), ("GET", A)):
                pipeline += encode_command(*command)
        c.send(pipeline)
        replies = [c.read_reply() for _ in range(200)]
        assert replies == ["OK", b"token"] * 100

    deadline = time.monotonic() + 2
    errors = []

    def renamer():
        with RespConnection(server.port) as w:
            while time.monotonic() < deadline:
                w.cmd("RENAME", A, B)
                w.cmd("RENAMENX", B, A)

    def reader():
        with RespConnection(server.port) as r:
            while time.monotonic() < deadline:
                values = r.cmd("MGET", A, B)
                if sorted(values, key=lambda v: v is None) != [b"token", None]:
                    errors.append(values)

    threads = [threading.Thread(target=renamer)] + [threading.Thread(target=reader)
                                                     for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert cmd(server, "EXISTS", A, B) == 1


# ------------------------------------------------------------------------------------------
# KEYS SCAN RANDOMKEY
# ------------------------------------------------------------------------------------------

PATTERN_KEYS = [b"hello", b"hallo", b"hxllo", b"hllo", b"heeello", b"h*llo", b"h?llo", b"a[b",
                b"user:1", b"user:12", b"user:2", b"User:3", b"", b"\x00bin", b"x\\y",
                *[f"many:{i}".encode() for i in range(200)]]
PATTERNS = [b"*", b"h?llo", b"h*llo", b"h[ae]llo", b"h[^e]llo", b"h[a-b]llo", b"h\\*llo",
            b"*\\?*", b"", b"nomatch*", b"user:*", b"user:1*", b"[uU]ser:?", b"a[[]b", b"a[",
            b"\x00*", b"x\\\\y", b"many:1?", b"many:*0", b"*:1[0-5]"]


def _fill(server, keys):
    with RespConnection(server.port) as c:
        c.cmd("FLUSHALL")
        for key in keys:
            c.cmd("SET", key, b"v")


def test_keys_patterns(ours, redis_ref):
    _fill(ours, PATTERN_KEYS)
    _fill(redis_ref, PATTERN_KEYS)
    for pattern in PATTERNS:
        assert sorted(cmd(ours, "KEYS", pattern)) == sorted(cmd(redis_ref, "KEYS", pattern)), \
            pattern
    differential(ours, redis_ref, [["KEYS"], ["KEYS", "a", "b"]], setup=())


def test_scan_argument_errors(ours, redis_ref):
    commands = [
        ["SCAN", "0"], ["SCAN", ""], ["SCAN", "+0"], ["SCAN", "00"], ["SCAN", "-0"],
        ["SCAN", "0", "COUNT", "5", "MATCH", "*", "TYPE", "string"], ["SCAN", b"0\x00junk"],
        ["SCAN", "x"], ["SCAN", " 0"], ["SCAN", "0 "], ["SCAN", "1.5"], ["SCAN", "+"],
        ["SCAN", "-"], ["SCAN", "18446744073709551616"], ["SCAN", "-18446744073709551616"],
        ["SCAN", "0", "COUNT", "0"], ["SCAN", "0", "COUNT", "-1"], ["SCAN", "0", "COUNT", "x"],
        ["SCAN", "0", "COUNT"], ["SCAN", "0", "MATCH"], ["SCAN", "0", "TYPE"],
        ["SCAN", "0", "BAD", "x"], ["SCAN", "x", "BAD"], ["SCAN", "0", "COUNT", "x", "BAD"],
        ["SCAN", "0", "count", "9223372036854775807"], ["SCAN"],
    ]
    differential(ours, redis_ref, commands)


def test_scan_small_database_in_one_call(ours, redis_ref):
    keys = [f"small:{i}".encode() for i in range(30)]
    for server in (ours, redis_ref):
        _fill(server, keys)
        cursor, found = cmd(server, "SCAN", "0", "COUNT", "1000")
        assert cursor == b"0" and sorted(found) == sorted(keys)
        cursor, found = cmd(server, "SCAN", "0", "COUNT", "1000", "MATCH", "small:1*")
        assert cursor == b"0" and sorted(found) == sorted(k for k in keys
                                                          if k.startswith(b"small:1"))


def test_scan_filters_match_those_of_redis(ours, redis_ref):
    _fill(ours, PATTERN_KEYS)
    _fill(redis_ref, PATTERN_KEYS)
    with RespConnection(ours.port) as a, RespConnection(redis_ref.port) as b:
        for options in ([], ["COUNT", "3"], ["MATCH", "many:1*"], ["MATCH", "h?llo", "COUNT", "2"],
                        ["TYPE", "string"], ["TYPE", "STRING", "COUNT", "50"], ["TYPE", "list"],
                        ["TYPE", "none"], ["TYPE", "bogus"], ["MATCH", "user:*", "TYPE", "string"]):
            assert sorted(set(scan_all(a, *options))) == sorted(set(scan_all(b, *options))), \
                options


@pytest.mark.timeout_s(60)
def test_scan_returns_every_key_present_throughout(ours):
    """Keys present for the whole scan come back at least once, while the tables grow (and
    rehash) with keys added between calls and other keys are deleted."""
    stable = {f"stable:{i}".encode() for i in range(2000)}
    doomed = [f"doomed:{i}" for i in range(1000)]
    added = []
    with RespConnection(ours.port) as c, RespConnection(ours.port) as writer:
        for key in list(stable) + doomed:
            writer.send_command("SET", key, "v")
        for _ in range(len(stable) + len(doomed)):
            writer.read_reply()

        def churn():
            for _ in range(25):
                key = f"added:{len(added)}"
                added.append(key.encode())
                writer.cmd("SET", key, "v")
            if doomed:
                writer.cmd("DEL", *[doomed.pop() for _ in range(min(10, len(doomed)))])

        seen = scan_all(c, "COUNT", "10", between=churn)
        assert stable <= set(seen)
        assert set(seen) <= stable | set(added) | {f"doomed:{i}".encode() for i in range(1000)}
        assert len(added) > 2000  # the tables did at least double
        # A cursor from another table size, or an absurd one, still answers a valid reply.
        cursor, _ = c.cmd("SCAN", str(2**64 - 1))
        assert cursor.isdigit()


def test_scan_in_other_databases(ours):
    with RespConnection(ours.port) as c:
        c.cmd("SELECT", "3")
        for i in range(50):
            c.cmd("SET", f"db3:{i}", "v")
        assert sorted(scan_all(c, "COUNT", "4")) == sorted(f"db3:{i}".encode() for i in range(50))
        c.cmd("SELECT", "0")
        assert scan_all(c) == []


def test_randomkey(ours, redis_ref):
    differential(ours, redis_ref, [["RANDOMKEY"], ["RANDOMKEY", "x"]])
    keys = {k.encode() for k in (A, B, C, D, "e", "f", "g", "h")}
    with RespConnection(ours.port) as c:
        for key in keys:
            c.cmd("SET", key, "v")
        drawn = {c.cmd("RANDOMKEY") for _ in range(400)}
        assert drawn == keys
        c.cmd("SELECT", "1")
        assert c.cmd("RANDOMKEY") is None


# ------------------------------------------------------------------------------------------
# Randomized differential
# ------------------------------------------------------------------------------------------

RANDOM_KEYS = [A, B, C, D, "e", "f", "{t}1", "{t}2", "{t}3", "n1", "n2", "long"]
# Replies compared as ranges: the two servers run each command a few ms apart.
TOLERANCE = {"TTL": 1, "EXPIRETIME": 1, "PTTL": 1000, "PEXPIRETIME": 1000}


def _random_command(rng):
    key = lambda: rng.choice(RANDOM_KEYS)  # noqa: E731
    now = int(time.time())
    # Relative times either in the past or long after the test; absolute ones likewise. Values
    # are drawn from a wide range, so GT/LT never compare two times a few ms apart.
    seconds = lambda: rng.choice([rng.randint(-100, 0), rng.randint(1000, 10**7)])  # noqa: E731
    options = lambda: rng.choice([[], [], ["NX"], ["XX"], ["GT"], ["LT"], ["XX", "GT"],  # noqa
                                  ["xx", "lt"], ["NX", "GT"], ["GT", "LT"], ["BAD"]])
    value = lambda: rng.choice(["v", "42", "-7", "x" * 50, str(rng.randint(0, 10**6))])  # noqa
    choices = [
        (12, lambda: ["SET", key(), value()]),
        (6, lambda: ["GET", key()]),
        (4, lambda: ["DEL", *[key() for _ in range(rng.randint(1, 3))]]),
        (2, lambda: ["UNLINK", key(), key()]),
        (4, lambda: ["EXISTS", *[key() for _ in range(rng.randint(1, 4))]]),
        (2, lambda: ["TOUCH", key(), key()]),
        (2, lambda: ["TYPE", key()]),
        (8, lambda: ["EXPIRE", key(), str(seconds()), *options()]),
        (5, lambda: ["PEXPIRE", key(), str(seconds() * 1000 + rng.randint(0, 999)), *options()]),
        (4, lambda: ["EXPIREAT", key(), str(now + seconds()), *options()]),
        (4, lambda: ["PEXPIREAT", key(), str((now + seconds()) * 1000), *options()]),
        (5, lambda: [rng.choice(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), key()]),
        (4, lambda: ["PERSIST", key()]),
        (4, lambda: [rng.choice(["RENAME", "RENAMENX"]), key(), key()]),
        (3, lambda: ["COPY", key(), key(), *rng.choice([[], ["REPLACE"], ["DB", "1"],
                                                       ["DB", "2", "REPLACE"]])]),
        (2, lambda: ["MOVE", key(), str(rng.randint(0, 2))]),
        (2, lambda: ["SELECT", str(rng.randint(0, 2))]),
        (1, lambda: ["SWAPDB", str(rng.randint(0, 2)), str(rng.randint(0, 2))]),
        (1, lambda: ["OBJECT", "ENCODING", key()]),
        (1, lambda: ["DBSIZE"]),
        (1, lambda: ["KEYS", rng.choice(["*", "{t}*", "n?", "[a-e]*"])]),
    ]
    total = sum(weight for weight, _ in choices)
    pick = rng.randrange(total)
    for weight, make in choices:
        if pick < weight:
            return make()
        pick -= weight
    raise AssertionError("unreachable")


def _same_reply(command, ours, theirs):
    name = command[0].upper()
    if name in TOLERANCE and isinstance(ours, int) and isinstance(theirs, int) and \
            min(ours, theirs) >= 0:
        return abs(ours - theirs) <= TOLERANCE[name]
    if name == "KEYS":
        return sorted(ours) == sorted(theirs)
    return ours == theirs and type(ours) is type(theirs)


@pytest.mark.timeout_s(120)
def test_randomized_against_redis(ours, redis_ref):
    rng = random.Random(20240607)
    history = []
    with RespConnection(ours.port) as a, RespConnection(redis_ref.port) as b:
        a.cmd("FLUSHALL")
        b.cmd("FLUSHALL")
        for i in range(20000):
            command = _random_command(rng)
            history.append(command)
            a.send_command(*command)
            b.send_command(*command)
            ours_reply, theirs = a.read_reply(), b.read_reply()
            if not _same_reply(command, ours_reply, theirs):
                recent = "\n".join(" ".join(c) for c in history[-15:])
                pytest.fail(f"command {i} differs: {command}\n  shardcache: {ours_reply!r}\n"
                            f"  redis:      {theirs!r}\nlast commands:\n{recent}", pytrace=False)
        b.cmd("FLUSHALL")
