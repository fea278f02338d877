"""The SET family — SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SSCAN — compared with redis-server
7.0.15 in RESP2 and RESP3, with 1 and 4 shard threads (multi-key commands over keys on different
shards).

Orders: an intset's members come out ascending in both servers and are compared byte for byte.
Redis 7.0 keeps small non-integer sets in a hashtable (unordered) where shardcache keeps a
listpack (Redis 7.2's behaviour), so replies listing such members are compared sorted. SPOP and
SRANDMEMBER are random: their counts, membership and effects are checked."""
import pytest

from helpers import Error, RespConnection, differential, keys_on_shards, parse_reply, \
    run_commands

THREADS = [1, 4]
SPREAD = keys_on_shards(4, "set")  # one key per shard of a 4-thread server


@pytest.fixture(params=THREADS, ids=[f"threads{t}" for t in THREADS])
def server(request, shardcache):
    return shardcache(threads=request.param)


# Replies listing members in an order that depends on the encoding: sorted before comparing.
UNORDERED = {"SMEMBERS", "SINTER", "SUNION", "SDIFF", "SSCAN"}


def _sorted_reply(command, value):
    name = str(command[0]).upper()
    if name not in UNORDERED or isinstance(value, Error):
        return value
    if name == "SSCAN":
        return [value[0], sorted(value[1])]
    return sorted(value)


def diff_unordered(ours, ref, commands, protocols=(2, 3)):
    """differential() for commands whose member order may differ: replies are decoded and
    listed members sorted; the reply types (set vs array, RESP3) are still compared raw for
    the first byte."""
    for protocol in protocols:
        a = run_commands(ours.port, commands, protocol, setup=[["FLUSHALL"]])
        b = run_commands(ref.port, commands, protocol, setup=[["FLUSHALL"]])
        for command, x, y in zip(commands, a, b):
            assert x is not None and y is not None
            assert x[:1] == y[:1], f"RESP{protocol} {command}: {x!r} vs {y!r}"
            vx = _sorted_reply(command, parse_reply(x)[0])
            vy = _sorted_reply(command, parse_reply(y)[0])
            assert vx == vy, f"RESP{protocol} {command}: {x!r} vs {y!r}"


def test_sadd_srem_scard_intset(server, redis_ref):
    differential(server, redis_ref, [
        ["SADD", "s", "3", "1", "2", "1"], ["SCARD", "s"], ["SMEMBERS", "s"],
        ["SADD", "s", "-5", "9223372036854775807", "-9223372036854775808"],
        ["SMEMBERS", "s"], ["OBJECT", "ENCODING", "s"],
        ["SISMEMBER", "s", "1"], ["SISMEMBER", "s", "01"], ["SISMEMBER", "nokey", "1"],
        ["SMISMEMBER", "s", "1", "4", "-5"], ["SMISMEMBER", "nokey", "1", "2"],
        ["SREM", "s", "1", "7", "1"], ["SREM", "nokey", "1"], ["SMEMBERS", "s"],
        ["SREM", "s", "2", "3", "-5", "9223372036854775807", "-9223372036854775808"],
        ["EXISTS", "s"], ["SCARD", "s"], ["SMEMBERS", "nokey"], ["TYPE", "s"],
    ])


def test_non_integer_members(server, redis_ref):
    diff_unordered(server, redis_ref, [
        ["SADD", "s", "a", "b", "", "a", "\x00\r\n"], ["SCARD", "s"], ["SMEMBERS", "s"],
        ["SISMEMBER", "s", ""], ["SISMEMBER", "s", "c"], ["SMISMEMBER", "s", "a", "c", ""],
        ["SADD", "s", "01", "+1", "1"], ["SMEMBERS", "s"], ["SREM", "s", "1", "x"],
        ["SMEMBERS", "s"], ["TYPE", "s"],
    ])


def test_errors_and_wrongtype(server, redis_ref):
    commands = [["SET", "str", "v"]]
    for command in (["SADD", "str", "a"], ["SREM", "str", "a"], ["SMEMBERS", "str"],
                    ["SISMEMBER", "str", "a"], ["SMISMEMBER", "str", "a"], ["SCARD", "str"],
                    ["SPOP", "str"], ["SPOP", "str", "2"], ["SRANDMEMBER", "str"],
                    ["SRANDMEMBER", "str", "2"], ["SSCAN", "str", "0"],
                    ["SINTER", "str"], ["SINTER", "nokey", "str"], ["SUNION", "nokey", "str"],
                    ["SDIFF", "nokey", "str"], ["SINTERCARD", "2", "nokey", "str"],
                    ["SINTERSTORE", "d", "nokey", "str"], ["SUNIONSTORE", "d", "str"],
                    ["SDIFFSTORE", "d", "nokey", "str"], ["SMOVE", "str", "d", "a"],
                    ["SADD", "set", "a"], ["SMOVE", "set", "str", "a"],
                    ["SMOVE", "nokey", "str", "a"], ["SMOVE", "set", "str", "zz"]):
        commands.append(command)
    commands += [
        ["SADD", "s"], ["SREM", "s"], ["SMISMEMBER", "s"], ["SISMEMBER", "s"],
        ["SPOP", "s", "1", "2"], ["SPOP", "s", "-1"], ["SPOP", "s", "x"],
        ["SPOP", "str", "-1"],
        ["SRANDMEMBER", "s", "1", "2"], ["SRANDMEMBER", "s", "x"],
        ["SRANDMEMBER", "s", "-9223372036854775808"], ["SRANDMEMBER", "s", "99999999999999999999"],
        ["SINTERCARD", "0", "a"], ["SINTERCARD", "-1", "a"], ["SINTERCARD", "x", "a"],
        ["SINTERCARD", "2", "a"], ["SINTERCARD", "1", "a", "LIMIT"],
        ["SINTERCARD", "1", "a", "LIMIT", "-1"], ["SINTERCARD", "1", "a", "LIMIT", "x"],
        ["SINTERCARD", "1", "a", "foo", "1"],
        ["SSCAN", "set", "x"], ["SSCAN", "set", "0", "COUNT"], ["SSCAN", "set", "0", "COUNT", "0"],
        ["SSCAN", "set", "0", "COUNT", "x"], ["SSCAN", "set", "0", "TYPE", "set"],
        ["SSCAN", "set", "0", "FOO", "1"], ["SSCAN", "nokey", "0", "FOO"],
        ["SSCAN", "str", "x"],
    ]
    differential(server, redis_ref, commands)


def test_spop_and_srandmember_shapes(server, redis_ref):
    # Replies that do not depend on chance: absent keys, zero counts, counts covering an intset.
    differential(server, redis_ref, [
        ["SPOP", "nokey"], ["SPOP", "nokey", "3"], ["SRANDMEMBER", "nokey"],
        ["SRANDMEMBER", "nokey", "3"], ["SRANDMEMBER", "nokey", "-3"],
        ["SADD", "i", "5", "3", "4"], ["SPOP", "i", "0"], ["SRANDMEMBER", "i", "0"],
        ["SRANDMEMBER", "i", "3"], ["SRANDMEMBER", "i", "100"], ["SCARD", "i"],
        ["SPOP", "i", "3"], ["EXISTS", "i"],
        ["SADD", "j", "7"], ["SPOP", "j"], ["EXISTS", "j"],
        ["SADD", "k", "7"], ["SRANDMEMBER", "k"], ["SRANDMEMBER", "k", "-3"],
        ["SPOP", "k", "5"], ["EXISTS", "k"],
    ])


@pytest.mark.parametrize("members", [
    [str(i) for i in range(50)],
    [f"m{i}" for i in range(50)],
    [f"m{i}" for i in range(1000)],
], ids=["intset", "listpack", "hashtable"])
def test_spop_srandmember_effects(sc, members):
    conn = RespConnection(sc.port)
    conn.cmd("SADD", "s", *members)
    universe = {m.encode() for m in members}
    one = conn.cmd("SRANDMEMBER", "s")
    assert one in universe
    picked = conn.cmd("SRANDMEMBER", "s", "10")
    assert len(picked) == 10 and len(set(picked)) == 10 and set(picked) <= universe
    most = conn.cmd("SRANDMEMBER", "s", str(len(members) - 1))
    assert len(set(most)) == len(members) - 1 and set(most) <= universe
    repeated = conn.cmd("SRANDMEMBER", "s", "-200")
    assert len(repeated) == 200 and set(repeated) <= universe
    assert conn.cmd("SCARD", "s") == len(members)
    popped = conn.cmd("SPOP", "s", "7")
    assert len(popped) == 7 and len(set(popped)) == 7 and set(popped) <= universe
    single = conn.cmd("SPOP", "s")
    assert single in universe and single not in popped
    left = set(conn.cmd("SMEMBERS", "s"))
    assert left == universe - set(popped) - {single}
    rest = conn.cmd("SPOP", "s", str(len(members)))
    assert set(rest) == left
    assert conn.cmd("EXISTS", "s") == 0


def test_encoding_thresholds(server, redis_ref):
    ints = [str(i) for i in range(512)]
    differential(server, redis_ref, [
        ["SADD", "i", *ints], ["OBJECT", "ENCODING", "i"], ["SADD", "i", "512"],
        ["OBJECT", "ENCODING", "i"], ["SREM", "i", *ints], ["OBJECT", "ENCODING", "i"],
        ["SADD", "j", "-1", "70000", "5000000000"], ["OBJECT", "ENCODING", "j"],
        ["SMEMBERS", "j"],
    ])
    conn = RespConnection(server.port)
    conn.cmd("FLUSHALL")
    conn.cmd("SADD", "s", *[f"m{i}" for i in range(128)])
    assert conn.cmd("OBJECT", "ENCODING", "s") == b"listpack"  # Redis 7.0: hashtable
    conn.cmd("SADD", "s", "m128")
    assert conn.cmd("OBJECT", "ENCODING", "s") == b"hashtable"
    conn.cmd("SADD", "long", "a" * 64)
    assert conn.cmd("OBJECT", "ENCODING", "long") == b"listpack"
    conn.cmd("SADD", "long", "b" * 65)
    assert conn.cmd("OBJECT", "ENCODING", "long") == b"hashtable"
    conn.cmd("SADD", "mixed", "1", "2")
    assert conn.cmd("OBJECT", "ENCODING", "mixed") == b"intset"
    conn.cmd("SADD", "mixed", "x")
    assert conn.cmd("OBJECT", "ENCODING", "mixed") == b"listpack"
    assert conn.cmd("SMEMBERS", "mixed") == [b"1", b"2", b"x"]  # insertion order
    conn.cmd("SREM", "mixed", "x")
    assert conn.cmd("OBJECT", "ENCODING", "mixed") == b"listpack"  # one-way
    conn.cmd("SADD", "big", *[str(i) for i in range(200)])
    conn.cmd("SADD", "big", "x")  # too many for a listpack
    assert conn.cmd("OBJECT", "ENCODING", "big") == b"hashtable"


def test_encoding_thresholds_follow_config_set(server, redis_server):
    ref = redis_server()
    commands = [
        ["CONFIG", "SET", "set-max-intset-entries", "4"],
        ["SADD", "i", "1", "2", "3", "4"], ["OBJECT", "ENCODING", "i"],
        ["SADD", "i", "5"], ["OBJECT", "ENCODING", "i"],
        ["SADD", "k", "1", "2", "3", "4", "5"], ["OBJECT", "ENCODING", "k"],
        ["CONFIG", "SET", "set-max-intset-entries", "512"],
    ]
    differential(server, ref, commands, protocols=(2,))
    conn = RespConnection(server.port)
    conn.cmd("FLUSHALL")
    conn.cmd("CONFIG", "SET", "set-max-listpack-entries", "3")
    conn.cmd("CONFIG", "SET", "set-max-listpack-value", "4")
    conn.cmd("SADD", "s", "a", "b", "c")
    assert conn.cmd("OBJECT", "ENCODING", "s") == b"listpack"
    conn.cmd("SADD", "s", "d")
    assert conn.cmd("OBJECT", "ENCODING", "s") == b"hashtable"
    conn.cmd("SADD", "v", "abcd")
    assert conn.cmd("OBJECT", "ENCODING", "v") == b"listpack"
    conn.cmd("SADD", "v", "abcde")
    assert conn.cmd("OBJECT", "ENCODING", "v") == b"hashtable"
    conn.cmd("SADD", "w", "123456")
    conn.cmd("SADD", "w", "a")  # the intset's member is too long for a listpack
    assert conn.cmd("OBJECT", "ENCODING", "w") == b"hashtable"


def test_multikey_across_shards(server, redis_ref):
    a, b, c, d = SPREAD
    differential(server, redis_ref, [
        ["SADD", a, "1", "2", "3", "4"], ["SADD", b, "3", "4", "5"], ["SADD", c, "4", "6"],
        ["SINTER", a, b, c], ["SINTER", a, b], ["SINTER", a, "nokey"], ["SINTER", a],
        ["SINTERCARD", "3", a, b, c], ["SINTERCARD", "2", a, b, "LIMIT", "1"],
        ["SINTERCARD", "2", a, b, "LIMIT", "0"], ["SINTERCARD", "2", a, "nokey"],
        ["SUNION", a, b, c], ["SUNION", "nokey", c], ["SDIFF", a, b, c], ["SDIFF", a, a],
        ["SDIFF", "nokey", a],
        ["SINTERSTORE", d, a, b], ["SMEMBERS", d], ["SUNIONSTORE", d, a, c], ["SMEMBERS", d],
        ["SDIFFSTORE", d, a, b], ["SMEMBERS", d], ["SINTERSTORE", d, a, "nokey"], ["EXISTS", d],
        ["SET", d, "string"], ["SUNIONSTORE", d, a], ["TYPE", d], ["SMEMBERS", d],
        ["SUNIONSTORE", a, a, b], ["SMEMBERS", a], ["SDIFFSTORE", a, a, a], ["EXISTS", a],
        ["SADD", a, "1", "2"],
        ["SMOVE", a, b, "1"], ["SMEMBERS", a], ["SMEMBERS", b], ["SMOVE", a, b, "9"],
        ["SMOVE", a, c, "2"], ["EXISTS", a], ["SMEMBERS", c], ["SMOVE", b, b, "3"],
        ["SMOVE", b, b, "99"], ["SMOVE", "nokey", b, "3"], ["SMOVE", b, d, "3"],
        ["SMEMBERS", d], ["SMOVE", b, "fresh", "4"], ["SMEMBERS", "fresh"],
        ["SUNIONSTORE", d, "nokey"], ["EXISTS", d],
    ])


def test_multikey_non_integer_across_shards(server, redis_ref):
    a, b, c, d = SPREAD
    diff_unordered(server, redis_ref, [
        ["SADD", a, "x", "y", "z", "1"], ["SADD", b, "y", "z", "w"], ["SADD", c, "z"],
        ["SINTER", a, b], ["SINTER", a, b, c], ["SUNION", a, b, c], ["SDIFF", a, b],
        ["SINTERSTORE", d, a, b], ["SMEMBERS", d], ["SDIFFSTORE", d, b, a], ["SMEMBERS", d],
        ["SUNIONSTORE", d, a, b, c], ["SCARD", d], ["SMEMBERS", d],
        ["SMOVE", a, b, "x"], ["SMEMBERS", a], ["SMEMBERS", b],
    ])


def test_sscan(server, redis_ref):
    differential(server, redis_ref, [
        ["SADD", "i", *[str(i) for i in range(20)]], ["SSCAN", "i", "0"],
        ["SSCAN", "i", "0", "MATCH", "1*"], ["SSCAN", "i", "0", "COUNT", "3", "MATCH", "*"],
        ["SSCAN", "nokey", "0"], ["SSCAN", "nokey", "0", "COUNT", "0"],
    ])
    conn = RespConnection(server.port)
    members = {f"m{i}".encode() for i in range(3000)}
    conn.cmd("SADD", "big", *sorted(members))
    seen, cursor, calls = set(), b"0", 0
    while True:
        cursor, found = conn.cmd("SSCAN", "big", cursor, "COUNT", "50")
        seen |= set(found)
        calls += 1
        if cursor == b"0":
            break
    assert seen == members and calls > 10
    cursor, found = conn.cmd("SSCAN", "big", "0", "MATCH", "m1?", "COUNT", "100000")
    assert cursor == b"0" and sorted(found) == sorted(f"m1{i}".encode() for i in range(10))
    cursor, found = conn.cmd("SSCAN", "big", "0", "COUNT", "9223372036854775807")
    assert cursor == b"0" and set(found) == members


def test_keyspace_commands_on_sets(server, redis_ref):
    differential(server, redis_ref, [
        ["SADD", "s", "1", "2"], ["TYPE", "s"], ["EXPIRE", "s", "100"], ["TTL", "s"],
        ["SADD", "s", "3"], ["TTL", "s"], ["SREM", "s", "1"], ["TTL", "s"],
        ["RENAME", "s", "t"], ["SMEMBERS", "t"], ["TTL", "t"], ["EXISTS", "s"],
        ["COPY", "t", "u"], ["SADD", "u", "9"], ["SMEMBERS", "t"], ["SMEMBERS", "u"],
        ["MOVE", "u", "1"], ["EXISTS", "u"], ["SELECT", "1"], ["SMEMBERS", "u"],
        ["SELECT", "0"], ["OBJECT", "ENCODING", "t"], ["SCAN", "0", "TYPE", "set"],
        ["SREM", "t", "2", "3"], ["TTL", "t"], ["EXISTS", "t"], ["SADD", "t", "1"], ["TTL", "t"],
        ["PEXPIRE", "t", "1"], ["DEBUG", "SLEEP", "0.01"], ["SMEMBERS", "t"], ["EXISTS", "t"],
    ], setup=[["FLUSHALL"], ["SELECT", "0"]])
    conn = RespConnection(server.port)
    conn.cmd("SADD", "m", *[f"member:{i}" for i in range(100)])
    usage = conn.cmd("MEMORY", "USAGE", "m")
    assert 1000 < usage < 4000


def test_resp3_shapes(server, redis_ref):
    differential(server, redis_ref, [
        ["SADD", "i", "1", "2"], ["SMEMBERS", "i"], ["SINTER", "i"], ["SUNION", "i", "nokey"],
        ["SDIFF", "i", "nokey"], ["SMISMEMBER", "i", "1", "3"], ["SSCAN", "i", "0"],
        ["SRANDMEMBER", "i", "5"], ["SPOP", "nokey"], ["SPOP", "nokey", "1"],
        ["SMEMBERS", "nokey"], ["SINTERCARD", "1", "i"],
    ], protocols=(3,))


@pytest.mark.timeout_s(60)
def test_big_set(sc):
    conn = RespConnection(sc.port)
    total = 1_000_000
    batch = 10_000
    payload = bytearray()
    from helpers import encode_command
    for start in range(0, total, batch):
        payload += encode_command("SADD", "big", *[f"e{i}" for i in range(start, start + batch)])
    conn.sock.sendall(payload)
    for _ in range(total // batch):
        assert conn.read_reply() == batch
    assert conn.cmd("SCARD", "big") == total
    assert conn.cmd("OBJECT", "ENCODING", "big") == b"hashtable"
    assert conn.cmd("SISMEMBER", "big", "e999999") == 1
    assert conn.cmd("SISMEMBER", "big", "e1000000") == 0
    assert len(conn.cmd("SRANDMEMBER", "big", "1000")) == 1000
    assert len(set(conn.cmd("SPOP", "big", "1000"))) == 1000
    conn.cmd("SADD", "small", "e1", "e2", "nope")
    assert sorted(conn.cmd("SINTER", "big", "small")) in ([b"e1", b"e2"], [b"e1"], [b"e2"], [])
    assert conn.cmd("SINTERCARD", "2", "small", "big", "LIMIT", "1") <= 1
    assert conn.cmd("DEL", "big") == 1


def _bytes_per_member(port, integers):
    """used_memory growth per member for 10,000 sets of 100 members ("member:<n>" or <n>)."""
    from helpers import encode_command, parse_info
    conn = RespConnection(port)
    conn.cmd("FLUSHALL")
    before = int(parse_info(conn.cmd("INFO", "memory"))["used_memory"])
    for first in range(0, 10_000, 100):
        payload = bytearray()
        for k in range(first, first + 100):
            members = range(k * 100, k * 100 + 100)
            payload += encode_command("SADD", f"set:{k}",
                                      *[str(n) if integers else f"member:{n}" for n in members])
        conn.sock.sendall(payload)
        for _ in range(100):
            assert conn.read_reply() == 100
    after = int(parse_info(conn.cmd("INFO", "memory"))["used_memory"])
    conn.cmd("FLUSHALL")
    return (after - before) / 1_000_000


@pytest.mark.timeout_s(60)
@pytest.mark.parametrize("integers", [False, True], ids=["strings", "integers"])
def test_memory_per_member_at_most_redis(shardcache, redis_server, integers):
    ours = _bytes_per_member(shardcache(threads=1).port, integers)
    theirs = _bytes_per_member(redis_server().port, integers)
    print(f"bytes per member: shardcache {ours:.2f}, redis-server {theirs:.2f}")
    assert ours <= theirs
