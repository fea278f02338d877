"""The LIST family compared byte for byte with redis-server 7.0.15 in RESP2 and RESP3: every
non-blocking command's replies and errors, WRONGTYPE, node sizes (list-max-listpack-size),
key-level behaviour (TTL, RENAME, COPY, MOVE, TYPE, OBJECT ENCODING, MEMORY USAGE, SCAN TYPE,
emptied keys), a big list, and multi-key commands over keys on different shards. Blocking
commands are in test_blocking*.py, the randomized sequence in test_list_random.py."""
import time

import pytest

from helpers import RespConnection, differential, keys_on_shards

SPREAD = keys_on_shards(4, "l")


def test_push_pop_and_length(diff):
    diff([
        ["LPUSH", "l", "a"], ["LPUSH", "l", "b", "c"], ["RPUSH", "l", "d", "e"],
        ["LRANGE", "l", "0", "-1"], ["LLEN", "l"], ["LLEN", "missing"],
        ["LPUSHX", "l", "x"], ["RPUSHX", "l", "y", "z"], ["LPUSHX", "nope", "x"],
        ["RPUSHX", "nope", "x"], ["EXISTS", "nope"],
        ["LPOP", "l"], ["RPOP", "l"], ["LPOP", "l", "2"], ["RPOP", "l", "2"], ["LPOP", "l", "0"],
        ["LPOP", "l", "100"], ["EXISTS", "l"], ["LPOP", "l"], ["LPOP", "l", "1"], ["RPOP", "l", "0"],
        ["RPUSH", "l", "1", "2"], ["LPOP", "l", "-1"], ["LPOP", "l", "x"], ["LPOP", "l", "1", "2"],
        ["RPOP", "l", "9223372036854775807"], ["LPUSH", "l"], ["RPUSH", "l"],
        ["LPUSH", "l", ""], ["LPOP", "l"], ["RPUSH", "l", "x" * 300, "\x00\r\n"],
        ["RPOP", "l"], ["RPOP", "l"],
    ])


def test_wrongtype(diff):
    cmds = [["SET", "s", "v"]]
    for c in (["LPUSH", "s", "a"], ["RPUSH", "s", "a"], ["LPUSHX", "s", "a"], ["RPUSHX", "s", "a"],
              ["LPOP", "s"], ["RPOP", "s", "2"], ["LLEN", "s"], ["LRANGE", "s", "0", "-1"],
              ["LINDEX", "s", "0"], ["LSET", "s", "0", "a"], ["LINSERT", "s", "BEFORE", "a", "b"],
              ["LREM", "s", "0", "a"], ["LTRIM", "s", "0", "1"], ["LPOS", "s", "a"],
              ["LMOVE", "s", "d", "LEFT", "LEFT"], ["RPOPLPUSH", "s", "d"],
              ["LMPOP", "1", "s", "LEFT"], ["BLPOP", "s", "0.01"], ["BLMOVE", "s", "d", "LEFT", "LEFT", "0.01"]):
        cmds.append(c)
    cmds += [["RPUSH", "l", "1"], ["LMOVE", "l", "s", "LEFT", "LEFT"], ["RPOPLPUSH", "l", "s"],
             ["LRANGE", "l", "0", "-1"], ["LMPOP", "2", "nokey", "s", "LEFT"],
             ["LMPOP", "2", "l", "s", "LEFT"], ["SADD", "set", "a"], ["LPOS", "set", "a", "RANK", "0"]]
    diff(cmds)


def test_lrange_lindex_lset(diff):
    diff([
        ["RPUSH", "l", *[str(i) for i in range(10)]],
        ["LRANGE", "l", "0", "-1"], ["LRANGE", "l", "2", "4"], ["LRANGE", "l", "-3", "-1"],
        ["LRANGE", "l", "-100", "100"], ["LRANGE", "l", "5", "2"], ["LRANGE", "l", "10", "20"],
        ["LRANGE", "l", "-1", "-5"], ["LRANGE", "l", "x", "1"], ["LRANGE", "l", "0", "1.5"],
        ["LRANGE", "missing", "0", "-1"],
        ["LINDEX", "l", "0"], ["LINDEX", "l", "-1"], ["LINDEX", "l", "9"], ["LINDEX", "l", "10"],
        ["LINDEX", "l", "-11"], ["LINDEX", "l", "x"], ["LINDEX", "missing", "0"],
        ["LINDEX", "missing", "x"], ["SET", "str", "v"], ["LINDEX", "str", "x"], ["LSET", "str", "x", "v"],
        ["LRANGE", "str", "x", "0"], ["LREM", "str", "x", "v"], ["LTRIM", "str", "x", "0"],
        ["LPOS", "str", "v", "RANK", "0"], ["LINSERT", "str", "MIDDLE", "a", "b"],
        ["LPOP", "str", "x"], ["LPOP", "missing", "x"], ["LMPOP", "1", "str", "UP"],
        ["LSET", "l", "0", "first"], ["LSET", "l", "-1", "last"], ["LSET", "l", "5", "x" * 500],
        ["LSET", "l", "10", "a"], ["LSET", "l", "-11", "a"], ["LSET", "l", "x", "a"],
        ["LSET", "missing", "0", "a"], ["LSET", "missing", "x", "a"], ["LRANGE", "l", "0", "-1"],
    ])


def test_linsert_lrem_ltrim(diff):
    diff([
        ["RPUSH", "l", "a", "b", "c", "b", "a", "b"],
        ["LINSERT", "l", "BEFORE", "b", "x"], ["LINSERT", "l", "after", "b", "y"],
        ["LINSERT", "l", "AFTER", "zz", "y"], ["LINSERT", "l", "MIDDLE", "b", "y"],
        ["LINSERT", "missing", "BEFORE", "a", "b"], ["LRANGE", "l", "0", "-1"],
        ["LREM", "l", "1", "b"], ["LREM", "l", "-1", "b"], ["LRANGE", "l", "0", "-1"],
        ["LREM", "l", "0", "a"], ["LREM", "l", "0", "nothing"], ["LREM", "l", "x", "a"],
        ["LREM", "missing", "0", "a"], ["LRANGE", "l", "0", "-1"],
        ["LREM", "l", "-9223372036854775808", "b"], ["LRANGE", "l", "0", "-1"],
        ["RPUSH", "t", *[str(i) for i in range(20)]], ["LTRIM", "t", "2", "-3"],
        ["LRANGE", "t", "0", "-1"], ["LTRIM", "t", "-5", "100"], ["LRANGE", "t", "0", "-1"],
        ["LTRIM", "t", "1", "x"], ["LTRIM", "t", "3", "1"], ["EXISTS", "t"],
        ["LTRIM", "missing", "0", "1"], ["RPUSH", "t", "a", "b"], ["LTRIM", "t", "5", "10"],
        ["EXISTS", "t"], ["RPUSH", "t", "a", "b"], ["LTRIM", "t", "0", "-1"], ["LRANGE", "t", "0", "-1"],
        ["RPUSH", "e", "a"], ["LREM", "e", "0", "a"], ["EXISTS", "e"],
    ])


def test_lpos(diff):
    diff([
        ["RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"],
        ["LPOS", "l", "c"], ["LPOS", "l", "c", "RANK", "2"], ["LPOS", "l", "c", "RANK", "-1"],
        ["LPOS", "l", "c", "RANK", "-3"], ["LPOS", "l", "c", "RANK", "4"],
        ["LPOS", "l", "c", "COUNT", "0"], ["LPOS", "l", "c", "COUNT", "2"],
        ["LPOS", "l", "c", "COUNT", "0", "RANK", "-1"], ["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "7"],
        ["LPOS", "l", "c", "RANK", "-1", "MAXLEN", "1"], ["LPOS", "l", "c", "RANK", "-1", "MAXLEN", "2", "COUNT", "0"],
        ["LPOS", "l", "x"], ["LPOS", "l", "x", "COUNT", "0"], ["LPOS", "missing", "x"],
        ["LPOS", "missing", "x", "COUNT", "1"], ["LPOS", "l", "c", "RANK", "0"],
        ["LPOS", "l", "c", "RANK", "-9223372036854775808"], ["LPOS", "l", "c", "RANK", "x"],
        ["LPOS", "l", "c", "COUNT", "-1"], ["LPOS", "l", "c", "COUNT", "x"],
        ["LPOS", "l", "c", "MAXLEN", "-1"], ["LPOS", "l", "c", "MAXLEN", "x"],
        ["LPOS", "l", "c", "BOGUS", "1"], ["LPOS", "l", "c", "RANK"], ["LPOS", "l", "c", "COUNT", "1", "COUNT", "3"],
    ])


def test_lmove_rpoplpush_lmpop(diff):
    diff([
        ["RPUSH", "src", "a", "b", "c"],
        ["LMOVE", "src", "dst", "LEFT", "RIGHT"], ["LMOVE", "src", "dst", "right", "left"],
        ["LMOVE", "src", "src", "LEFT", "RIGHT"], ["LRANGE", "src", "0", "-1"],
        ["LMOVE", "src", "dst", "UP", "LEFT"], ["LMOVE", "missing", "dst", "LEFT", "LEFT"],
        ["RPOPLPUSH", "src", "dst"], ["RPOPLPUSH", "src", "dst"], ["EXISTS", "src"],
        ["LRANGE", "dst", "0", "-1"], ["RPOPLPUSH", "dst", "dst"], ["LRANGE", "dst", "0", "-1"],
        ["LMPOP", "2", "missing", "dst", "LEFT"], ["LMPOP", "1", "dst", "RIGHT", "COUNT", "2"],
        ["LMPOP", "1", "dst", "RIGHT", "COUNT", "100"], ["LMPOP", "1", "dst", "LEFT"],
        ["LMPOP", "0", "dst", "LEFT"], ["LMPOP", "-1", "dst", "LEFT"], ["LMPOP", "x", "dst", "LEFT"],
        ["LMPOP", "2", "dst", "LEFT"], ["LMPOP", "1", "dst", "MIDDLE"],
        ["LMPOP", "1", "dst", "LEFT", "COUNT", "0"], ["LMPOP", "1", "dst", "LEFT", "COUNT", "x"],
        ["LMPOP", "1", "dst", "LEFT", "COUNT", "1", "COUNT", "1"], ["LMPOP", "1", "dst", "LEFT", "COUNT"],
        ["LMPOP", "5", "a", "b", "LEFT"], ["LMPOP", "9223372036854775807", "a", "LEFT"],
    ])


def test_node_sizes_and_encoding(sc, redis_ref):
    cmds = []
    for size in ("-1", "-2", "-5", "1", "3", "128"):
        cmds += [["CONFIG", "SET", "list-max-listpack-size", size], ["DEL", "l"],
                 ["RPUSH", "l", *[f"item-{i}" * 20 for i in range(300)]],
                 ["OBJECT", "ENCODING", "l"], ["LINDEX", "l", "150"], ["LSET", "l", "150", "y" * 5000],
                 ["LINSERT", "l", "BEFORE", "item-10" * 20, "z"], ["LRANGE", "l", "140", "160"],
                 ["LREM", "l", "0", "z"], ["LTRIM", "l", "3", "-3"], ["LLEN", "l"]]
    cmds += [["CONFIG", "SET", "list-max-listpack-size", "-2"], ["CONFIG", "GET", "list-max-listpack-size"]]
    differential(sc, redis_ref, cmds, protocols=(2,))


def test_key_level_behaviour(diff):
    diff([
        ["RPUSH", "l", "a", "b", "c"], ["TYPE", "l"], ["OBJECT", "ENCODING", "l"],
        ["EXPIRE", "l", "100"], ["TTL", "l"], ["RPUSH", "l", "d"], ["TTL", "l"], ["LPOP", "l"],
        ["TTL", "l"], ["RENAME", "l", "l2"], ["TTL", "l2"], ["LRANGE", "l2", "0", "-1"],
        ["COPY", "l2", "l3"], ["LPUSH", "l3", "z"], ["LRANGE", "l2", "0", "-1"],
        ["LRANGE", "l3", "0", "-1"], ["MOVE", "l3", "1"], ["EXISTS", "l3"], ["SELECT", "1"],
        ["LRANGE", "l3", "0", "-1"], ["DEL", "l3"], ["SELECT", "0"],
        ["SCAN", "0", "TYPE", "list"], ["SET", "str", "x"], ["SCAN", "0", "TYPE", "list", "COUNT", "100"],
        ["PERSIST", "l2"], ["TTL", "l2"], ["DEL", "l2"], ["TYPE", "l2"],
        ["RPUSH", "gone", "a"], ["PEXPIRE", "gone", "1"],
    ])


def test_memory_usage_reports_the_list(sc):
    c = sc.connect()
    c.cmd("RPUSH", "l", *[f"{i:016d}" for i in range(1000)])
    usage = c.cmd("MEMORY", "USAGE", "l")
    assert 18 * 1000 <= usage <= 18 * 1000 * 1.5


def test_expired_list_is_gone(sc):
    c = sc.connect()
    c.cmd("RPUSH", "l", "a")
    c.cmd("PEXPIRE", "l", "20")
    time.sleep(0.05)
    assert c.cmd("LLEN", "l") == 0
    assert c.cmd("EXISTS", "l") == 0


@pytest.mark.timeout_s(60)
def test_big_list(sc):
    c = sc.connect()
    n = 1_000_000
    batch = 10_000
    for start in range(0, n, batch):
        c.cmd("RPUSH", "big", *[str(i) for i in range(start, start + batch)])
    assert c.cmd("LLEN", "big") == n
    assert c.cmd("LINDEX", "big", "500000") is not None
    assert len(c.cmd("LRANGE", "big", "-10", "-1")) == 10
    assert c.cmd("LSET", "big", "500000", "mid") == "OK"
    assert c.cmd("LINDEX", "big", "500000") == b"mid"
    assert c.cmd("LTRIM", "big", "1000", "-1001") == "OK"
    assert c.cmd("LLEN", "big") == n - 2000
    assert c.cmd("LPOP", "big", "5") is not None
    assert c.cmd("DEL", "big") == 1


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def test_multi_key_commands_across_shards(shardcache, redis_server):
    a, b, c, d = SPREAD
    cmds = [
        ["RPUSH", a, "1", "2", "3"], ["SET", d, "str"],
        ["LMOVE", a, b, "LEFT", "RIGHT"], ["RPOPLPUSH", a, c], ["LMOVE", a, d, "LEFT", "LEFT"],
        ["LRANGE", a, "0", "-1"], ["LRANGE", b, "0", "-1"], ["LRANGE", c, "0", "-1"],
        ["LMPOP", "3", d + "x", b, c, "LEFT", "COUNT", "5"], ["LMPOP", "2", c, d, "RIGHT"],
        ["LMPOP", "2", "none", d, "RIGHT"], ["LMOVE", "none", b, "LEFT", "LEFT"],
        ["RPOPLPUSH", a, a], ["LRANGE", a, "0", "-1"], ["RPOPLPUSH", a, b], ["EXISTS", a],
        ["LRANGE", b, "0", "-1"], ["RENAME", b, a], ["LRANGE", a, "0", "-1"],
        ["BLMOVE", a, c, "LEFT", "LEFT", "0.01"], ["BLMPOP", "0.01", "2", b, a, "LEFT"],
        ["BLPOP", b, c, "0.01"], ["BRPOP", b, c, "0.01"], ["BRPOPLPUSH", b, c, "0.01"],
    ]
    differential(shardcache(threads=4), redis_server(), cmds)


def test_resp3_shapes_raw(sc):
    for port_conn in (sc.connect(),):
        c = port_conn
        c.cmd("HELLO", "3")
        c.send(encode(["LPOP", "missing", "2"]))
        assert c.read_raw() == b"_\r\n"
        c.send(encode(["LPOP", "missing"]))
        assert c.read_raw() == b"_\r\n"
        c.send(encode(["BLPOP", "missing", "0.01"]))
        assert c.read_raw() == b"_\r\n"
