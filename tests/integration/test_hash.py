"""The HASH family — HSET HSETNX HMSET HGET HMGET HGETALL HDEL HEXISTS HLEN HSTRLEN HKEYS HVALS
HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN — compared with redis-server 7.0.15 in RESP2 and RESP3.
A listpack hash's order is Redis's (insertion order), so its replies are compared byte for byte;
a hashtable's order is unspecified, so those replies are compared sorted. The seeded random
sequence is in test_hash_random.py."""
import pytest

from helpers import RespConnection, differential, keys_on_shards

THREADS = [1, 4]
X70 = "x" * 70
F64 = "f" * 64
F65 = "f" * 65


@pytest.fixture(params=THREADS, ids=[f"threads{t}" for t in THREADS])
def server(request, shardcache):
    return shardcache(threads=request.param)


@pytest.fixture(autouse=True)
def default_limits(redis_ref):
    """The reference server's hash limits set to Redis's defaults (a redis-server started with
    the suite's arguments was seen reporting hash-max-listpack-entries 512), restored after."""
    with RespConnection(redis_ref.port) as c:
        saved = c.cmd("CONFIG", "GET", "hash-max-listpack-*")
        c.cmd("CONFIG", "SET", "hash-max-listpack-entries", "128")
        c.cmd("CONFIG", "SET", "hash-max-listpack-value", "64")
    yield
    with RespConnection(redis_ref.port) as c:
        c.cmd("CONFIG", "SET", *saved)


def _both(sc, ref, protocol=2):
    a, b = RespConnection(sc.port), RespConnection(ref.port)
    if protocol == 3:
        a.cmd("HELLO", "3")
        b.cmd("HELLO", "3")
    a.cmd("FLUSHALL")
    b.cmd("FLUSHALL")
    return a, b


def _sorted_pairs(flat):
    return sorted(zip(flat[0::2], flat[1::2]))


# --------------------------------------------------------------------------------------------
# Writes and reads of a listpack hash: byte for byte
# --------------------------------------------------------------------------------------------

def test_set_get_listpack(server, redis_ref):
    differential(server, redis_ref, [
        ["HSET", "h", "b", "1", "a", "2", "c", "3"], ["HGETALL", "h"],
        ["HSET", "h", "a", "changed", "d", "4"], ["HGETALL", "h"], ["HKEYS", "h"], ["HVALS", "h"],
        ["HGET", "h", "a"], ["HGET", "h", "zz"], ["HGET", "nokey", "a"],
        ["HMGET", "h", "a", "zz", "b", "a"], ["HMGET", "nokey", "a", "b"],
        ["HLEN", "h"], ["HLEN", "nokey"], ["HEXISTS", "h", "a"], ["HEXISTS", "h", "zz"],
        ["HEXISTS", "nokey", "a"], ["HSTRLEN", "h", "a"], ["HSTRLEN", "h", "zz"],
        ["HSTRLEN", "nokey", "a"],
        ["HSETNX", "h", "a", "nx"], ["HSETNX", "h", "e", "nx"], ["HGETALL", "h"],
        ["HMSET", "h", "f", "6", "b", "7"], ["HGETALL", "h"],
        ["HSET", "h", "", ""], ["HGET", "h", ""], ["HSET", "bin", b"\x00\xff\r\n", b"\x00v\r\n"],
        ["HGETALL", "bin"], ["HGETALL", "nokey"], ["HKEYS", "nokey"], ["HVALS", "nokey"],
        ["HSET", "h", "a", "x", "a", "y", "a", "z"], ["HGET", "h", "a"],
        ["OBJECT", "ENCODING", "h"], ["TYPE", "h"],
    ])


def test_arity_and_wrongtype(server, redis_ref):
    differential(server, redis_ref, [
        ["SET", "s", "v"],
        ["HSET", "h"], ["HSET", "h", "f"], ["HSET", "h", "f", "v", "g"], ["HMSET", "h", "f"],
        ["HMSET", "h", "f", "v", "g"], ["HGET", "h"], ["HMGET", "h"], ["HDEL", "h"],
        ["HSETNX", "h", "f"], ["HLEN"], ["HGETALL"], ["HINCRBY", "h", "f"], ["HSCAN", "h"],
        ["HRANDFIELD"], ["HSTRLEN", "h"], ["HEXISTS", "h"],
        ["HSET", "s", "f", "v"], ["HMSET", "s", "f", "v"], ["HSETNX", "s", "f", "v"],
        ["HGET", "s", "f"], ["HMGET", "s", "f"], ["HGETALL", "s"], ["HKEYS", "s"], ["HVALS", "s"],
        ["HDEL", "s", "f"], ["HEXISTS", "s", "f"], ["HLEN", "s"], ["HSTRLEN", "s", "f"],
        ["HINCRBY", "s", "f", "1"], ["HINCRBYFLOAT", "s", "f", "1"], ["HRANDFIELD", "s"],
        ["HRANDFIELD", "s", "2"], ["HSCAN", "s", "0"],
        # Argument errors come before the type check where Redis checks them first.
        ["HINCRBY", "s", "f", "x"], ["HINCRBYFLOAT", "s", "f", "x"], ["HSCAN", "s", "x"],
        ["HRANDFIELD", "s", "x"], ["HRANDFIELD", "s", "1", "bad"],
        ["HSET", "h", "f", "v"], ["GET", "h"], ["INCR", "h"], ["LPUSH", "h", "x"],
        ["SADD", "h", "x"],
    ])


def test_hdel_and_empty_key_deletion(server, redis_ref):
    differential(server, redis_ref, [
        ["HSET", "h", "a", "1", "b", "2", "c", "3"],
        ["HDEL", "h", "a", "zz", "a"], ["HGETALL", "h"], ["HDEL", "nokey", "a"],
        ["HDEL", "h", "b", "c"], ["EXISTS", "h"], ["TYPE", "h"],
        ["HSET", "t", "a", X70], ["OBJECT", "ENCODING", "t"], ["HDEL", "t", "a"],
        ["EXISTS", "t"], ["HSET", "t", "a", "1"], ["OBJECT", "ENCODING", "t"],
        ["HSETNX", "n", "a", "1"], ["HDEL", "n", "a"], ["EXISTS", "n"], ["DBSIZE"],
    ])


# --------------------------------------------------------------------------------------------
# Counters
# --------------------------------------------------------------------------------------------

def test_hincrby(server, redis_ref):
    differential(server, redis_ref, [
        ["HINCRBY", "h", "n", "5"], ["HINCRBY", "h", "n", "-7"], ["HGET", "h", "n"],
        ["HINCRBY", "h", "n", "x"], ["HINCRBY", "h", "n", "1.5"], ["HINCRBY", "h", "n", "+1"],
        ["HINCRBY", "h", "n", " 1"], ["HINCRBY", "h", "n", "99999999999999999999"],
        ["HSET", "h", "s", "abc", "z", "007", "sp", " 1", "max", "9223372036854775807",
         "min", "-9223372036854775808"],
        ["HINCRBY", "h", "s", "1"], ["HINCRBY", "h", "z", "1"], ["HINCRBY", "h", "sp", "1"],
        ["HINCRBY", "h", "max", "1"], ["HINCRBY", "h", "max", "0"], ["HINCRBY", "h", "max", "-1"],
        ["HINCRBY", "h", "min", "-1"], ["HINCRBY", "h", "min", "1"],
        ["HINCRBY", "new", "f", "0"], ["HGETALL", "new"], ["HGETALL", "h"],
        ["OBJECT", "ENCODING", "h"],
    ])


def test_hincrbyfloat(server, redis_ref):
    differential(server, redis_ref, [
        ["HINCRBYFLOAT", "h", "f", "10.5"], ["HINCRBYFLOAT", "h", "f", "3.0e3"],
        ["HINCRBYFLOAT", "h", "g", "1.1"], ["HINCRBYFLOAT", "h", "g", "2.2"],
        ["HINCRBYFLOAT", "h", "z", "5"], ["HINCRBYFLOAT", "h", "z", "-5"],
        ["HINCRBYFLOAT", "h", "z", "-0.0"], ["HINCRBYFLOAT", "h", "t", "1e-10"],
        ["HINCRBYFLOAT", "h", "x", "0x10"], ["HINCRBYFLOAT", "h", "x", "1e-5000"],
        ["HINCRBYFLOAT", "h", "x", "abc"], ["HINCRBYFLOAT", "h", "x", " 1"],
        ["HINCRBYFLOAT", "h", "x", "1 "], ["HINCRBYFLOAT", "h", "x", ""],
        ["HINCRBYFLOAT", "h", "x", "inf"], ["HINCRBYFLOAT", "h", "x", "-inf"],
        ["HINCRBYFLOAT", "h", "x", "nan"], ["HINCRBYFLOAT", "h", "x", b"1\x00x"],
        ["HSET", "h", "s", "abc", "i", "7", "big", "1.7976931348623157e308"],
        ["HINCRBYFLOAT", "h", "s", "1"], ["HINCRBYFLOAT", "h", "i", "0.5"],
        ["HINCRBYFLOAT", "h", "big", "1.7976931348623157e308"],
        ["HINCRBYFLOAT", "h", "big", "1e308"],
        ["HINCRBYFLOAT", "h", "i", "1e60"], ["OBJECT", "ENCODING", "h"],
        ["HINCRBYFLOAT", "h", "i", "1e100"], ["OBJECT", "ENCODING", "h"],
        ["HGET", "h", "i"],
    ])


# --------------------------------------------------------------------------------------------
# Encodings: thresholds, CONFIG SET, one-way conversion
# --------------------------------------------------------------------------------------------

def test_encoding_thresholds(server, redis_ref):
    fields128 = [x for i in range(128) for x in (f"f{i}", "v")]
    differential(server, redis_ref, [
        ["HSET", "h", *fields128], ["OBJECT", "ENCODING", "h"], ["HGETALL", "h"],
        ["HSET", "h", "f0", "again"], ["OBJECT", "ENCODING", "h"],
        ["HSET", "h", "f128", "v"], ["OBJECT", "ENCODING", "h"], ["HLEN", "h"],
        ["HDEL", "h", *[f"f{i}" for i in range(120)]], ["OBJECT", "ENCODING", "h"],
        ["HSET", "v", "a", F64], ["OBJECT", "ENCODING", "v"],
        ["HSET", "v", "b", F65], ["OBJECT", "ENCODING", "v"],
        ["HSET", "k", F64, "a"], ["OBJECT", "ENCODING", "k"],
        ["HSET", "k", F65, "a"], ["OBJECT", "ENCODING", "k"],
        # HSET converts before writing when any argument is long, even an overwritten one.
        ["HSET", "w", "a", "1"], ["HSET", "w", "a", X70, "a", "2"], ["OBJECT", "ENCODING", "w"],
        ["HGET", "w", "a"],
        # HSETNX converts only when it writes.
        ["HSET", "n", "a", "1"], ["HSETNX", "n", "a", X70], ["OBJECT", "ENCODING", "n"],
        ["HSETNX", "n", "b", X70], ["OBJECT", "ENCODING", "n"],
        ["HMSET", "m", "a", "1", "b", X70], ["OBJECT", "ENCODING", "m"],
    ])


@pytest.fixture
def small_limits(server, redis_ref):
    for s in (server, redis_ref):
        with RespConnection(s.port) as c:
            c.cmd("CONFIG", "SET", "hash-max-listpack-entries", "3")
            c.cmd("CONFIG", "SET", "hash-max-listpack-value", "4")
    yield
    with RespConnection(redis_ref.port) as c:
        c.cmd("CONFIG", "SET", "hash-max-listpack-entries", "128")
        c.cmd("CONFIG", "SET", "hash-max-listpack-value", "64")


def test_encoding_after_config_set(server, redis_ref, small_limits):
    differential(server, redis_ref, [
        ["HSET", "h", "a", "1", "b", "2", "c", "3"], ["OBJECT", "ENCODING", "h"],
        ["HSET", "h", "d", "4"], ["OBJECT", "ENCODING", "h"],
        ["HSET", "r", "a", "1", "a", "2", "a", "3", "a", "4"], ["OBJECT", "ENCODING", "r"],
        ["HSET", "v", "a", "1234"], ["OBJECT", "ENCODING", "v"],
        ["HSET", "v", "a", "12345"], ["OBJECT", "ENCODING", "v"], ["HGET", "v", "a"],
        ["HINCRBY", "i", "a", "1000"], ["OBJECT", "ENCODING", "i"],
        ["HINCRBY", "i", "a", "1"], ["OBJECT", "ENCODING", "i"],
        ["HINCRBYFLOAT", "j", "a", "0.25"], ["OBJECT", "ENCODING", "j"],
        ["CONFIG", "SET", "hash-max-listpack-entries", "0"],
        ["HSET", "z", "a", "1"], ["OBJECT", "ENCODING", "z"],
    ], setup=[("FLUSHALL",)], protocols=(2,))


def test_hashtable_replies_sorted(server, redis_ref):
    for protocol in (2, 3):
        a, b = _both(server, redis_ref, protocol)
        pairs = [x for i in range(300) for x in (f"field:{i}", f"value:{i}")]
        for c in (a, b):
            assert c.cmd("HSET", "h", *pairs) == 300
            assert c.cmd("HDEL", "h", *[f"field:{i}" for i in range(0, 300, 7)]) == 43
            assert c.cmd("OBJECT", "ENCODING", "h") == b"hashtable"
        for cmd in (["HKEYS", "h"], ["HVALS", "h"]):
            assert sorted(a.cmd(*cmd)) == sorted(b.cmd(*cmd))
        ours, theirs = a.cmd("HGETALL", "h"), b.cmd("HGETALL", "h")
        if protocol == 3:
            assert sorted(ours.to_dict().items()) == sorted(theirs.to_dict().items())
            assert type(ours) is type(theirs)
        else:
            assert _sorted_pairs(ours) == _sorted_pairs(theirs)
        for cmd in (["HLEN", "h"], ["HGET", "h", "field:8"], ["HMGET", "h", "field:7", "field:8"],
                    ["HSTRLEN", "h", "field:8"], ["HEXISTS", "h", "field:14"]):
            assert a.request(*cmd)[1] == b.request(*cmd)[1]
        a.close()
        b.close()


# --------------------------------------------------------------------------------------------
# HRANDFIELD
# --------------------------------------------------------------------------------------------

def test_hrandfield_deterministic_cases(server, redis_ref):
    differential(server, redis_ref, [
        ["HRANDFIELD", "nokey"], ["HRANDFIELD", "nokey", "3"], ["HRANDFIELD", "nokey", "-3"],
        ["HRANDFIELD", "nokey", "3", "WITHVALUES"],
        ["HSET", "one", "f", "v"], ["HRANDFIELD", "one"], ["HRANDFIELD", "one", "-3"],
        ["HRANDFIELD", "one", "-2", "WITHVALUES"], ["HRANDFIELD", "one", "1", "withvalues"],
        ["HSET", "h", "c", "1", "a", "2", "b", "3"],
        # A count at least the size returns the whole listpack, in order.
        ["HRANDFIELD", "h", "3"], ["HRANDFIELD", "h", "100", "WITHVALUES"],
        ["HRANDFIELD", "h", "0"], ["HRANDFIELD", "h", "0", "WITHVALUES"],
        ["HRANDFIELD", "h", "x"], ["HRANDFIELD", "h", "1.5"],
        ["HRANDFIELD", "h", "-9223372036854775808"],
        ["HRANDFIELD", "h", "9223372036854775807"],
        ["HRANDFIELD", "h", "9223372036854775807", "WITHVALUES"],
        ["HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"],
        ["HRANDFIELD", "h", "2", "WITHVALUE"], ["HRANDFIELD", "h", "2", "WITHVALUES", "x"],
    ])


@pytest.mark.parametrize("size", [10, 1000])
def test_hrandfield_shapes_and_members(server, size):
    with RespConnection(server.port) as c:
        c.cmd("HSET", "h", *[x for i in range(size) for x in (f"f{i}", f"v{i}")])
        fields = {f"f{i}".encode() for i in range(size)}
        assert c.cmd("HRANDFIELD", "h") in fields
        for count in (1, 3, size // 2, size - 1, size, size + 5):
            got = c.cmd("HRANDFIELD", "h", str(count))
            assert len(got) == min(count, size) and len(set(got)) == len(got)
            assert set(got) <= fields
            flat = c.cmd("HRANDFIELD", "h", str(count), "WITHVALUES")
            assert len(flat) == 2 * min(count, size)
            assert all(v == b"v" + f[1:] for f, v in zip(flat[0::2], flat[1::2]))
        got = c.cmd("HRANDFIELD", "h", "-50")
        assert len(got) == 50 and set(got) <= fields
        # Repeats are allowed, and over enough picks every field shows up (small hash).
        if size == 10:
            assert set(c.cmd("HRANDFIELD", "h", "-500")) == fields
        c.cmd("HELLO", "3")
        pairs = c.cmd("HRANDFIELD", "h", "-5", "WITHVALUES")
        assert len(pairs) == 5 and all(len(p) == 2 and p[1] == b"v" + p[0][1:] for p in pairs)
        pairs = c.cmd("HRANDFIELD", "h", "4", "WITHVALUES")
        assert len(pairs) == 4 and all(len(p) == 2 for p in pairs)


def test_hrandfield_resp3_shape(server, redis_ref):
    differential(server, redis_ref, [
        ["HSET", "h", "a", "1", "b", "2"],
        ["HRANDFIELD", "h", "5", "WITHVALUES"], ["HRANDFIELD", "h", "2"],
        ["HSET", "one", "f", "v"], ["HRANDFIELD", "one", "-2", "WITHVALUES"],
        ["HGETALL", "h"], ["HGETALL", "nokey"],
    ], protocols=(3,))


# --------------------------------------------------------------------------------------------
# HSCAN
# --------------------------------------------------------------------------------------------

def test_hscan_listpack(server, redis_ref):
    differential(server, redis_ref, [
        ["HSET", "h", "apple", "1", "banana", "2", "avocado", "3", "cherry", "4"],
        ["HSCAN", "h", "0"], ["HSCAN", "h", "0", "COUNT", "1"], ["HSCAN", "h", "7"],
        ["HSCAN", "h", "0", "MATCH", "a*"], ["HSCAN", "h", "0", "match", "*an*", "count", "2"],
        ["HSCAN", "h", "0", "MATCH", "*"], ["HSCAN", "h", "0", "MATCH", "zz*"],
        ["HSCAN", "nokey", "0"], ["HSCAN", "nokey", "0", "bogus"],
        ["HSCAN", "h", "x"], ["HSCAN", "h", "-1"], ["HSCAN", "h", " 1"], ["HSCAN", "h", ""],
        ["HSCAN", "h", "0", "COUNT", "0"], ["HSCAN", "h", "0", "COUNT", "-1"],
        ["HSCAN", "h", "0", "COUNT", "x"], ["HSCAN", "h", "0", "COUNT"],
        ["HSCAN", "h", "0", "TYPE", "string"], ["HSCAN", "h", "0", "FOO", "bar"],
    ])


def _full_hscan(conn, key, *options):
    cursor, found, calls = b"0", [], 0
    while True:
        cursor, flat = conn.cmd("HSCAN", key, cursor, *options)
        found += flat
        calls += 1
        if cursor == b"0":
            return found, calls


def test_hscan_hashtable(server, redis_ref):
    a, b = _both(server, redis_ref)
    for c in (a, b):
        c.cmd("HSET", "h", *[x for i in range(2000) for x in (f"f{i}", f"v{i}")])
    ours, calls = _full_hscan(a, "h", "COUNT", "50")
    theirs, _ = _full_hscan(b, "h", "COUNT", "50")
    assert calls > 10
    assert sorted(set(_sorted_pairs(ours))) == _sorted_pairs(theirs)
    ours, _ = _full_hscan(a, "h", "MATCH", "f1*", "COUNT", "100")
    theirs, _ = _full_hscan(b, "h", "MATCH", "f1*", "COUNT", "100")
    assert sorted(set(_sorted_pairs(ours))) == _sorted_pairs(theirs)
    a.close()
    b.close()


def test_hscan_survives_changes(server):
    with RespConnection(server.port) as c:
        c.cmd("HSET", "h", *[x for i in range(1000) for x in (f"f{i}", "v")])
        cursor, seen, step = b"0", set(), 0
        while True:
            cursor, flat = c.cmd("HSCAN", "h", cursor, "COUNT", "20")
            seen |= set(flat[0::2])
            step += 1
            if step == 5:
                c.cmd("HSET", "h", *[x for i in range(5000) for x in (f"g{i}", "v")])
            if step == 20:
                c.cmd("HDEL", "h", *[f"g{i}" for i in range(5000)])
            if cursor == b"0":
                break
        assert {f"f{i}".encode() for i in range(1000)} <= seen


# --------------------------------------------------------------------------------------------
# Keys: TTL, RENAME, COPY, MOVE, TYPE, OBJECT, MEMORY USAGE, SCAN TYPE, shards
# --------------------------------------------------------------------------------------------

def test_generic_key_commands(server, redis_ref):
    differential(server, redis_ref, [
        ["HSET", "h", "a", "1", "b", "2"], ["TYPE", "h"], ["OBJECT", "ENCODING", "h"],
        ["EXPIRE", "h", "100"], ["TTL", "h"], ["HSET", "h", "c", "3"], ["TTL", "h"],
        ["HDEL", "h", "c"], ["TTL", "h"], ["HINCRBY", "h", "a", "1"], ["TTL", "h"],
        ["PERSIST", "h"], ["TTL", "h"],
        ["RENAME", "h", "h2"], ["HGETALL", "h2"], ["EXISTS", "h"],
        ["COPY", "h2", "h3"], ["HSET", "h3", "a", "changed"], ["HGETALL", "h2"],
        ["HGETALL", "h3"], ["OBJECT", "ENCODING", "h3"],
        ["HSET", "big", "f", X70], ["COPY", "big", "big2"], ["OBJECT", "ENCODING", "big2"],
        ["HGETALL", "big2"], ["RENAME", "big2", "big3"], ["OBJECT", "ENCODING", "big3"],
        ["MOVE", "h3", "1"], ["EXISTS", "h3"], ["SELECT", "1"], ["HGETALL", "h3"],
        ["TYPE", "h3"], ["SELECT", "0"],
        ["DEL", "h2"], ["EXISTS", "h2"],
    ])


def test_scan_type_hash(server, redis_ref):
    a, b = _both(server, redis_ref)
    for c in (a, b):
        c.cmd("HSET", "h1", "a", "1")
        c.cmd("HSET", "h2", "a", X70)
        c.cmd("SET", "s", "v")
    for cmd in (["SCAN", "0", "TYPE", "hash", "COUNT", "100"], ["TYPE", "h2"]):
        ours, theirs = a.cmd(*cmd), b.cmd(*cmd)
        assert sorted(ours[1]) == sorted(theirs[1]) if cmd[0] == "SCAN" else ours == theirs
    a.close()
    b.close()


def test_ttl_expires_hash(server):
    with RespConnection(server.port) as c:
        c.cmd("HSET", "h", "a", "1")
        c.cmd("PEXPIRE", "h", "50")
        import time
        time.sleep(0.2)
        assert c.cmd("HGETALL", "h") == []
        assert c.cmd("EXISTS", "h") == 0


def test_memory_usage_grows(server):
    with RespConnection(server.port) as c:
        c.cmd("HSET", "h", "a", "1")
        small = c.cmd("MEMORY", "USAGE", "h")
        c.cmd("HSET", "h", *[x for i in range(100) for x in (f"f{i}", "v" * 16)])
        listpack = c.cmd("MEMORY", "USAGE", "h")
        assert small < listpack
        c.cmd("HSET", "h", *[x for i in range(1000) for x in (f"g{i}", "v" * 16)])
        assert c.cmd("OBJECT", "ENCODING", "h") == b"hashtable"
        assert c.cmd("MEMORY", "USAGE", "h") > listpack + 1000 * 18
        c.cmd("DEL", "h")
        assert c.cmd("MEMORY", "USAGE", "h") is None or c.cmd("EXISTS", "h") == 0


def test_keys_on_every_shard(shardcache, redis_ref):
    server = shardcache(threads=4)
    keys = keys_on_shards(4, "hash")
    commands = []
    for i, k in enumerate(keys):
        commands += [["HSET", k, "f", str(i), "g", "x"], ["HINCRBY", k, "f", "10"],
                     ["HGETALL", k], ["RENAME", k, keys[(i + 1) % 4] + ":r"]]
    commands += [["HGETALL", k + ":r"] for k in keys]
    commands += [["COPY", keys[0] + ":r", keys[2] + ":c"], ["HGETALL", keys[2] + ":c"],
                 ["DBSIZE"]]
    differential(server, redis_ref, commands)


@pytest.mark.timeout_s(60)
def test_big_hash(shardcache, redis_ref):
    server = shardcache(threads=1)
    n = 1_000_000
    with RespConnection(server.port) as c:
        batch = 10000
        for start in range(0, n, batch):
            c.send_command("HSET", "big",
                           *[x for i in range(start, start + batch) for x in (f"f{i}", str(i))])
        for _ in range(0, n, batch):
            assert c.read_reply() == batch
        assert c.cmd("HLEN", "big") == n
        assert c.cmd("OBJECT", "ENCODING", "big") == b"hashtable"
        assert c.cmd("HGET", "big", "f999999") == b"999999"
        assert c.cmd("HMGET", "big", "f0", "f500000", "nope") == [b"0", b"500000", None]
        assert c.cmd("HINCRBY", "big", "f7", "3") == 10
        assert len(c.cmd("HRANDFIELD", "big", "10")) == 10
        # The 1M-field reply is counted by its lines (the decoder is too slow for it).
        c.send_command("HKEYS", "big")
        data = bytearray(c.buf)
        while data.count(b"\r\n") < 1 + 2 * n:
            data += c.sock.recv(1 << 20)
        assert data.startswith(b"*%d\r\n" % n) and data.count(b"\r\n") == 1 + 2 * n
        c.buf.clear()
        c.cmd("HDEL", "big", *[f"f{i}" for i in range(0, n, 2)])
        assert c.cmd("HLEN", "big") == n // 2
        assert c.cmd("DEL", "big") == 1
