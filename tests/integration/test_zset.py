"""The SORTED SET family compared byte for byte with redis-server 7.0.15 in RESP2 and RESP3:
every command's replies and errors, option conflicts, score and lex range syntax, float
formatting, WRONGTYPE, both encodings and the conversion between them, key-level behaviour
(TTL, RENAME, COPY, MOVE, TYPE, OBJECT ENCODING, SCAN TYPE, emptied keys) and multi-key commands
over keys on different shards. test_zset_random.py holds the randomized sequence."""
import time

import pytest

from helpers import RespConnection, differential, keys_on_shards

# Keys on the four shards of a 4-thread server.
SPREAD = keys_on_shards(4, "z")


def seed(key, pairs):
    """ZADD key s1 m1 s2 m2 ... from [(score, member)]."""
    cmd = ["ZADD", key]
    for score, member in pairs:
        cmd += [str(score), member]
    return cmd


def test_zadd_options_and_errors(diff):
    diff([
        ["ZADD", "z", "1", "a", "2", "b"], ["ZADD", "z", "1", "a"], ["ZADD", "z", "3", "a"],
        ["ZADD", "z", "CH", "4", "a", "5", "c"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        ["ZADD", "z", "NX", "10", "a", "11", "d"], ["ZADD", "z", "XX", "12", "a", "13", "e"],
        ["ZADD", "z", "XX", "CH", "12", "a", "14", "b"],
        ["ZADD", "z", "GT", "CH", "1", "a", "100", "b"], ["ZADD", "z", "LT", "CH", "1", "a", "1000", "b"],
        ["ZADD", "z", "GT", "XX", "CH", "50", "a", "7", "new"],
        ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        ["ZADD", "z", "NX", "XX", "1", "a"], ["ZADD", "z", "GT", "LT", "1", "a"],
        ["ZADD", "z", "GT", "NX", "1", "a"], ["ZADD", "z", "LT", "NX", "1", "a"],
        ["ZADD", "z", "INCR", "1", "a", "2", "b"], ["ZADD", "z", "1"], ["ZADD", "z", "1", "a", "2"],
        ["ZADD", "z", "nx"], ["ZADD", "z", "x", "a"], ["ZADD", "z", "1", "a", "nan", "b"],
        ["ZADD", "z", "1e400", "a"], ["ZADD", "z", "", "a"], ["ZADD", "z", " 1", "a"],
        ["ZADD", "z", "1 ", "a"], ["ZADD", "z", "0x10", "hex"], ["ZADD", "z", "1e-400", "tiny"],
        ["ZADD", "z", "inf", "pinf", "-inf", "ninf", "+inf", "pinf2", "-0", "negzero"],
        ["ZADD", "z", "1.1", "f1", "0.1", "f2", "3.14159265358979", "f3", "1e20", "big"],
        ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZSCORE", "z", "f1"], ["ZSCORE", "z", "negzero"],
        ["ZSCORE", "z", "pinf"], ["ZSCORE", "z", "ninf"], ["ZSCORE", "z", "missing"],
        ["ZADD", "z", "INCR", "5", "a"], ["ZADD", "z", "INCR", "NX", "5", "a"],
        ["ZADD", "z", "INCR", "XX", "5", "nope"], ["ZADD", "nokey", "XX", "1", "a"],
        ["ZADD", "nokey", "XX", "INCR", "1", "a"], ["EXISTS", "nokey"],
        ["ZADD", "z", "GT", "INCR", "-1", "a"], ["ZADD", "z", "LT", "INCR", "-1", "a"],
        ["ZADD", "z", "INCR", "-inf", "pinf"], ["ZSCORE", "z", "pinf"],
        ["ZADD", "z", "incr", "1", "x\x00y"], ["ZSCORE", "z", "x\x00y"],
        ["ZADD", "fresh", "GT", "5", "a"], ["ZSCORE", "fresh", "a"],
    ])


def test_zincrby(diff):
    diff([
        ["ZINCRBY", "z", "1.5", "a"], ["ZINCRBY", "z", "1.5", "a"], ["ZINCRBY", "z", "-3", "a"],
        ["ZINCRBY", "z", "x", "a"], ["ZINCRBY", "z", "nan", "a"], ["ZINCRBY", "z", "inf", "a"],
        ["ZINCRBY", "z", "-inf", "a"], ["ZSCORE", "z", "a"], ["ZINCRBY", "z", "nx", "a"],
        ["ZINCRBY", "z", "incr", "a"], ["ZINCRBY", "z", "0.1", "b"], ["ZINCRBY", "z", "0.2", "b"],
        ["ZINCRBY", "z", "1"], ["SET", "s", "1"], ["ZINCRBY", "s", "1", "a"],
    ])


def test_single_member_commands(diff):
    diff([
        seed("z", [(1, "a"), (2, "b"), (2, "c"), (3, "d")]),
        ["ZCARD", "z"], ["ZCARD", "none"], ["ZSCORE", "z", "b"], ["ZMSCORE", "z", "a", "x", "d"],
        ["ZMSCORE", "none", "a", "b"], ["ZMSCORE", "z"], ["ZRANK", "z", "a"], ["ZRANK", "z", "c"],
        ["ZRANK", "z", "x"], ["ZREVRANK", "z", "a"], ["ZREVRANK", "z", "d"], ["ZRANK", "none", "a"],
        ["ZREVRANK", "none", "a"], ["ZRANK", "z", "a", "withscore"],
        ["ZREM", "z", "a", "x", "a"], ["ZREM", "none", "a"], ["ZCARD", "z"],
        ["ZREM", "z", "b", "c", "d"], ["EXISTS", "z"], ["ZREM", "z"],
    ])


def test_counts_and_range_syntax(diff):
    diff([
        seed("z", [(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")]),
        ["ZCOUNT", "z", "-inf", "+inf"], ["ZCOUNT", "z", "2", "4"], ["ZCOUNT", "z", "(2", "4"],
        ["ZCOUNT", "z", "(2", "(4"], ["ZCOUNT", "z", "4", "2"], ["ZCOUNT", "z", "(3", "3"],
        ["ZCOUNT", "z", "3", "3"], ["ZCOUNT", "z", "", ""], ["ZCOUNT", "z", "(", "10"],
        ["ZCOUNT", "z", "x", "1"], ["ZCOUNT", "z", "1", "x"], ["ZCOUNT", "z", "nan", "1"],
        ["ZCOUNT", "z", " 1", "5"], ["ZCOUNT", "z", "1 ", "5"], ["ZCOUNT", "z", "1\x00x", "5"],
        ["ZCOUNT", "none", "1", "2"], ["ZCOUNT", "none", "x", "2"],
        seed("l", [(0, m) for m in "abcdefg"]),
        ["ZLEXCOUNT", "l", "-", "+"], ["ZLEXCOUNT", "l", "[b", "[d"], ["ZLEXCOUNT", "l", "(b", "(d"],
        ["ZLEXCOUNT", "l", "[d", "[b"], ["ZLEXCOUNT", "l", "+", "-"], ["ZLEXCOUNT", "l", "-", "-"],
        ["ZLEXCOUNT", "l", "+", "+"], ["ZLEXCOUNT", "l", "[c", "[c"], ["ZLEXCOUNT", "l", "(c", "[c"],
        ["ZLEXCOUNT", "l", "[", "+"], ["ZLEXCOUNT", "l", "(", "+"], ["ZLEXCOUNT", "l", "b", "+"],
        ["ZLEXCOUNT", "l", "", "+"], ["ZLEXCOUNT", "l", "-x", "+"], ["ZLEXCOUNT", "l", "-", "+x"],
        ["ZLEXCOUNT", "none", "-", "+"], ["ZLEXCOUNT", "none", "x", "+"],
    ])


def test_zrange_forms(diff):
    z = seed("z", [(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e"), (5, "f"), (1.5, "g")])
    l = seed("l", [(0, m) for m in ["a", "aa", "b", "c", "cc", "d"]])
    diff([
        z, l,
        ["ZRANGE", "z", "0", "-1"], ["ZRANGE", "z", "1", "3", "WITHSCORES"], ["ZRANGE", "z", "-3", "-1"],
        ["ZRANGE", "z", "5", "100"], ["ZRANGE", "z", "100", "200"], ["ZRANGE", "z", "3", "1"],
        ["ZRANGE", "z", "-100", "-50"], ["ZRANGE", "z", "0", "-1", "REV", "WITHSCORES"],
        ["ZRANGE", "z", "1", "2", "REV"], ["ZRANGE", "z", "2", "4", "BYSCORE"],
        ["ZRANGE", "z", "(2", "+inf", "BYSCORE", "WITHSCORES"],
        ["ZRANGE", "z", "+inf", "(2", "BYSCORE", "REV"], ["ZRANGE", "z", "5", "1", "BYSCORE", "REV", "LIMIT", "1", "2"],
        ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "3"],
        ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "-1"],
        ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"],
        ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "0"],
        ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "100", "1"],
        ["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"], ["ZRANGE", "l", "-", "+", "BYLEX", "WITHSCORES"],
        ["ZRANGE", "l", "[aa", "(cc", "BYLEX"], ["ZRANGE", "l", "+", "-", "BYLEX", "REV", "LIMIT", "1", "2"],
        ["ZRANGE", "l", "x", "+", "BYLEX"], ["ZRANGE", "z", "x", "1", "BYSCORE"],
        ["ZRANGE", "z", "a", "1"], ["ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"],
        ["ZRANGE", "z", "0", "1", "REV", "REV"], ["ZRANGE", "z", "0", "1", "LIMIT", "1"],
        ["ZRANGE", "z", "0", "1", "LIMIT", "x", "1"], ["ZRANGE", "z", "0", "1", "foo"],
        ["ZRANGE", "none", "0", "-1"], ["ZRANGE", "none", "x", "-1"],
        ["ZREVRANGE", "z", "0", "2", "WITHSCORES"], ["ZREVRANGE", "z", "0", "2", "REV"],
        ["ZRANGEBYSCORE", "z", "2", "5", "WITHSCORES", "LIMIT", "1", "10"],
        ["ZRANGEBYSCORE", "z", "2", "5", "REV"], ["ZRANGEBYSCORE", "z", "2", "5", "BYSCORE"],
        ["ZREVRANGEBYSCORE", "z", "5", "2", "WITHSCORES"], ["ZREVRANGEBYSCORE", "z", "2", "5"],
        ["ZRANGEBYLEX", "l", "[b", "+"], ["ZRANGEBYLEX", "l", "-", "+", "LIMIT", "2", "2"],
        ["ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"], ["ZREVRANGEBYLEX", "l", "+", "[b"],
        ["ZREVRANGEBYLEX", "l", "(c", "-", "LIMIT", "0", "1"], ["ZRANGEBYLEX", "l", "b", "+"],
    ])


def test_zrangestore(diff):
    diff([
        seed("{t}src", [(1, "a"), (2, "b"), (3, "c"), (4, "d")]),
        ["ZRANGESTORE", "{t}dst", "{t}src", "0", "1"], ["ZRANGE", "{t}dst", "0", "-1", "WITHSCORES"],
        ["OBJECT", "ENCODING", "{t}dst"],
        ["ZRANGESTORE", "{t}dst", "{t}src", "2", "4", "BYSCORE", "REV"],
        ["ZRANGESTORE", "{t}dst", "{t}src", "4", "2", "BYSCORE", "REV", "LIMIT", "0", "2"],
        ["ZRANGE", "{t}dst", "0", "-1", "WITHSCORES"],
        ["ZRANGESTORE", "{t}dst", "{t}src", "-", "+", "BYLEX"],
        ["ZRANGESTORE", "{t}dst", "{t}src", "0", "-1", "WITHSCORES"],
        ["ZRANGESTORE", "{t}dst", "{t}src", "5", "10"], ["EXISTS", "{t}dst"],
        ["SET", "{t}str", "x"], ["ZRANGESTORE", "{t}str", "{t}src", "0", "0"], ["TYPE", "{t}str"],
        ["ZRANGESTORE", "{t}dst", "{t}str", "0", "0"], ["ZRANGESTORE", "{t}dst", "{t}none", "0", "0"],
        ["ZRANGESTORE", "{t}dst", "{t}src", "x", "0"],
    ])


def test_zremrange(diff):
    base = seed("z", [(i, f"m{i}") for i in range(10)])
    diff([
        base, ["ZREMRANGEBYRANK", "z", "0", "1"], ["ZREMRANGEBYRANK", "z", "-2", "-1"],
        ["ZREMRANGEBYRANK", "z", "5", "1"], ["ZREMRANGEBYRANK", "z", "100", "200"],
        ["ZREMRANGEBYRANK", "z", "x", "1"], ["ZRANGE", "z", "0", "-1"],
        ["ZREMRANGEBYSCORE", "z", "(3", "5"], ["ZREMRANGEBYSCORE", "z", "x", "5"],
        ["ZREMRANGEBYSCORE", "z", "5", "3"], ["ZRANGE", "z", "0", "-1"],
        ["ZREMRANGEBYRANK", "z", "0", "-1"], ["EXISTS", "z"], ["ZREMRANGEBYRANK", "none", "0", "-1"],
        seed("l", [(0, m) for m in "abcdef"]), ["ZREMRANGEBYLEX", "l", "[b", "(d"],
        ["ZREMRANGEBYLEX", "l", "x", "+"], ["ZRANGE", "l", "0", "-1"],
        ["ZREMRANGEBYLEX", "l", "-", "+"], ["EXISTS", "l"],
    ])


def test_pops(diff):
    diff([
        seed("z", [(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")]),
        ["ZPOPMIN", "z"], ["ZPOPMAX", "z"], ["ZPOPMIN", "z", "2"], ["ZPOPMAX", "z", "0"],
        ["ZPOPMIN", "z", "-1"], ["ZPOPMIN", "z", "x"], ["ZPOPMIN", "z", "1", "2"],
        ["ZPOPMAX", "z", "10"], ["EXISTS", "z"], ["ZPOPMIN", "none"], ["ZPOPMIN", "none", "3"],
        seed("{m}a", [(1, "x"), (2, "y")]), seed("{m}b", [(3, "p"), (4, "q")]),
        ["ZMPOP", "2", "{m}none", "{m}b", "MIN"], ["ZMPOP", "2", "{m}a", "{m}b", "MAX", "COUNT", "5"],
        ["ZMPOP", "1", "{m}a", "MIN"], ["ZMPOP", "1", "{m}b", "max", "count", "1"],
        ["ZMPOP", "1", "{m}none", "MIN"], ["ZMPOP", "0", "{m}a", "MIN"], ["ZMPOP", "x", "{m}a", "MIN"],
        ["ZMPOP", "3", "{m}a", "MIN"], ["ZMPOP", "1", "{m}a", "MID"],
        ["ZMPOP", "1", "{m}a", "MIN", "COUNT", "0"], ["ZMPOP", "1", "{m}a", "MIN", "COUNT", "x"],
        ["ZMPOP", "1", "{m}a", "MIN", "COUNT", "1", "COUNT", "1"], ["ZMPOP", "1", "{m}a", "MIN", "COUNT"],
        ["SET", "{m}s", "1"], ["ZMPOP", "2", "{m}none", "{m}s", "MIN"],
    ])


def test_setops(diff):
    diff([
        seed("{s}a", [(1, "a"), (2, "b"), (3, "c")]), seed("{s}b", [(10, "b"), (20, "c"), (30, "d")]),
        seed("{s}c", [("inf", "c"), (5, "e")]),
        ["ZUNION", "2", "{s}a", "{s}b"], ["ZUNION", "2", "{s}a", "{s}b", "WITHSCORES"],
        ["ZUNION", "3", "{s}a", "{s}b", "{s}c", "WEIGHTS", "1", "2", "-1", "WITHSCORES"],
        ["ZUNION", "2", "{s}a", "{s}b", "AGGREGATE", "MIN", "WITHSCORES"],
        ["ZUNION", "2", "{s}a", "{s}b", "AGGREGATE", "max", "WITHSCORES"],
        ["ZINTER", "2", "{s}a", "{s}b", "WITHSCORES"], ["ZINTER", "3", "{s}a", "{s}b", "{s}c"],
        ["ZINTER", "2", "{s}b", "{s}c", "WEIGHTS", "0", "0", "WITHSCORES"],
        ["ZINTER", "2", "{s}c", "{s}c", "WEIGHTS", "1", "-1", "WITHSCORES"],
        ["ZDIFF", "2", "{s}a", "{s}b", "WITHSCORES"], ["ZDIFF", "1", "{s}b"], ["ZDIFF", "2", "{s}none", "{s}a"],
        ["ZDIFF", "2", "{s}a", "{s}b", "WEIGHTS", "1", "1"],
        ["ZINTERCARD", "2", "{s}a", "{s}b"], ["ZINTERCARD", "2", "{s}a", "{s}b", "LIMIT", "1"],
        ["ZINTERCARD", "2", "{s}a", "{s}b", "LIMIT", "-1"], ["ZINTERCARD", "2", "{s}a", "{s}b", "LIMIT", "0"],
        ["ZINTERCARD", "0", "{s}a"], ["ZINTERCARD", "2", "{s}a"], ["ZINTERCARD", "1", "{s}a", "WITHSCORES"],
        ["ZUNIONSTORE", "{s}d", "2", "{s}a", "{s}b"], ["ZRANGE", "{s}d", "0", "-1", "WITHSCORES"],
        ["ZINTERSTORE", "{s}d", "2", "{s}a", "{s}b", "AGGREGATE", "MAX"], ["ZRANGE", "{s}d", "0", "-1", "WITHSCORES"],
        ["ZDIFFSTORE", "{s}d", "2", "{s}a", "{s}b"], ["ZRANGE", "{s}d", "0", "-1", "WITHSCORES"],
        ["ZINTERSTORE", "{s}d", "2", "{s}a", "{s}none"], ["EXISTS", "{s}d"],
        ["ZUNIONSTORE", "{s}d", "2", "{s}a", "{s}b", "WITHSCORES"],
        ["ZUNION", "0", "{s}a"], ["ZUNION", "x", "{s}a"], ["ZUNION", "3", "{s}a"],
        ["ZUNION", "1", "{s}a", "WEIGHTS", "x"], ["ZUNION", "1", "{s}a", "WEIGHTS"],
        ["ZUNION", "1", "{s}a", "AGGREGATE", "avg"], ["ZUNION", "1", "{s}a", "foo"],
        ["SET", "{s}str", "x"], ["ZUNION", "2", "{s}a", "{s}str"], ["ZUNION", "2", "{s}str", "{s}a", "AGGREGATE", "x"],
        ["ZUNIONSTORE", "{s}str", "1", "{s}a"], ["TYPE", "{s}str"],
        ["ZUNIONSTORE", "{s}x", "1", "{s}a"], ["OBJECT", "ENCODING", "{s}x"],
        ["SADD", "{s}set", "b", "zz", "1"], ["ZUNION", "2", "{s}a", "{s}set", "WITHSCORES"],
        ["ZINTER", "2", "{s}set", "{s}a", "WEIGHTS", "3", "1", "WITHSCORES"],
        ["ZDIFF", "2", "{s}set", "{s}a", "WITHSCORES"], ["ZINTERCARD", "2", "{s}set", "{s}a"],
        ["ZUNIONSTORE", "{s}d", "1", "{s}set"], ["ZRANGE", "{s}d", "0", "-1", "WITHSCORES"],
        ["ZRANGESTORE", "{s}d", "{s}set", "0", "1"],
    ])


def test_zscan_listpack(diff):
    diff([
        seed("z", [(1.1, "a"), (2, "b"), ("-inf", "c"), ("-0", "d"), (1e20, "e")]),
        ["ZSCAN", "z", "0"], ["ZSCAN", "z", "0", "MATCH", "[ab]"], ["ZSCAN", "z", "0", "COUNT", "1"],
        ["ZSCAN", "z", "0", "COUNT", "0"], ["ZSCAN", "z", "0", "COUNT", "x"], ["ZSCAN", "z", "x"],
        ["ZSCAN", "z", "0", "TYPE", "zset"], ["ZSCAN", "z", "0", "MATCH"], ["ZSCAN", "none", "0"],
        ["SET", "s", "1"], ["ZSCAN", "s", "0"], ["ZSCAN", "s", "x"],
    ])


def test_zscan_skiplist_returns_everything(sc):
    conn = RespConnection(sc.port)
    conn.cmd("ZADD", "big", *[x for i in range(1000) for x in (str(i), f"m{i}")])
    seen = {}
    cursor = b"0"
    while True:
        cursor, items = conn.cmd("ZSCAN", "big", cursor, "COUNT", "50")
        for i in range(0, len(items), 2):
            seen[items[i]] = items[i + 1]
        if cursor == b"0":
            break
    assert len(seen) == 1000
    assert seen[b"m7"] == b"7"


def test_wrongtype(diff):
    cmds = [["SET", "s", "x"]]
    for c in [["ZADD", "s", "1", "a"], ["ZINCRBY", "s", "1", "a"], ["ZREM", "s", "a"], ["ZCARD", "s"],
              ["ZSCORE", "s", "a"], ["ZMSCORE", "s", "a"], ["ZRANK", "s", "a"], ["ZREVRANK", "s", "a"],
              ["ZCOUNT", "s", "0", "1"], ["ZLEXCOUNT", "s", "-", "+"], ["ZRANGE", "s", "0", "1"],
              ["ZRANGEBYSCORE", "s", "0", "1"], ["ZRANGEBYLEX", "s", "-", "+"],
              ["ZREMRANGEBYRANK", "s", "0", "1"], ["ZREMRANGEBYSCORE", "s", "0", "1"],
              ["ZREMRANGEBYLEX", "s", "-", "+"], ["ZPOPMIN", "s"], ["ZPOPMAX", "s", "2"],
              ["ZRANDMEMBER", "s"], ["ZRANDMEMBER", "s", "2"], ["ZSCAN", "s", "0"],
              ["ZUNION", "1", "s"], ["ZMPOP", "1", "s", "MIN"]]:
        cmds.append(c)
    diff(cmds)


def test_zrandmember(diff, sc):
    diff([
        ["ZRANDMEMBER", "none"], ["ZRANDMEMBER", "none", "5"], ["ZADD", "z", "1", "a"],
        ["ZRANDMEMBER", "z"], ["ZRANDMEMBER", "z", "0"], ["ZRANDMEMBER", "z", "3", "WITHSCORES"],
        ["ZRANDMEMBER", "z", "-3", "WITHSCORES"], ["ZRANDMEMBER", "z", "1", "x"],
        ["ZRANDMEMBER", "z", "x"], ["ZRANDMEMBER", "z", "1", "WITHSCORES", "x"],
        ["ZRANDMEMBER", "z", "-9223372036854775808"],
        ["ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"],
    ])
    conn = RespConnection(sc.port)
    for n in (10, 300):
        conn.cmd("DEL", "r")
        conn.cmd("ZADD", "r", *[x for i in range(n) for x in (str(i), f"m{i}")])
        members = {f"m{i}".encode() for i in range(n)}
        for count in (1, 5, n // 2, n, n + 5):
            got = conn.cmd("ZRANDMEMBER", "r", str(count))
            assert len(got) == min(count, n) and len(set(got)) == len(got) and set(got) <= members
        got = conn.cmd("ZRANDMEMBER", "r", "-50", "WITHSCORES")
        assert len(got) == 100 and set(got[0::2]) <= members
        assert all(got[i] == b"m" + got[i + 1] for i in range(0, 100, 2))
        assert conn.cmd("ZRANDMEMBER", "r") in members


def test_encodings_and_conversion(diff):
    diff([
        seed("z", [(i, f"m{i}") for i in range(128)]), ["OBJECT", "ENCODING", "z"],
        ["ZADD", "z", "0", "m0"], ["OBJECT", "ENCODING", "z"],
        ["ZADD", "z", "200", "m200"], ["OBJECT", "ENCODING", "z"],
        ["ZREMRANGEBYRANK", "z", "0", "-3"], ["OBJECT", "ENCODING", "z"],
        ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        ["ZADD", "w", "1", "x" * 64], ["OBJECT", "ENCODING", "w"],
        ["ZADD", "w", "1", "x" * 65], ["OBJECT", "ENCODING", "w"],
        ["ZADD", "w2", "1", "x" * 65], ["OBJECT", "ENCODING", "w2"],
        ["CONFIG", "SET", "zset-max-listpack-entries", "2"],
        ["ZADD", "c", "1", "a", "2", "b"], ["OBJECT", "ENCODING", "c"],
        ["ZADD", "c", "3", "c"], ["OBJECT", "ENCODING", "c"],
        ["CONFIG", "SET", "zset-max-listpack-entries", "0"],
        ["ZADD", "c0", "1", "a"], ["OBJECT", "ENCODING", "c0"],
        ["CONFIG", "SET", "zset-max-listpack-entries", "128"],
        ["CONFIG", "SET", "zset-max-listpack-value", "3"],
        ["ZADD", "v", "1", "abc"], ["OBJECT", "ENCODING", "v"], ["ZADD", "v", "1", "abcd"],
        ["OBJECT", "ENCODING", "v"],
        ["ZUNIONSTORE", "u", "1", "v"], ["OBJECT", "ENCODING", "u"],
        ["CONFIG", "SET", "zset-max-listpack-value", "64"],
        ["ZUNIONSTORE", "u", "1", "v"], ["OBJECT", "ENCODING", "u"],
        ["ZRANGESTORE", "u2", "z", "0", "-1"], ["OBJECT", "ENCODING", "u2"],
    ], setup=(("FLUSHALL",), ("CONFIG", "SET", "zset-max-listpack-entries", "128"),
              ("CONFIG", "SET", "zset-max-listpack-value", "64")))


def test_key_level_behaviour(diff):
    diff([
        ["ZADD", "z", "1", "a", "2", "b"], ["TYPE", "z"], ["EXPIRE", "z", "1000"],
        ["ZADD", "z", "3", "c"], ["TTL", "z"], ["ZREM", "z", "c"], ["TTL", "z"],
        ["ZPOPMIN", "z"], ["TTL", "z"], ["ZPOPMIN", "z"], ["EXISTS", "z"], ["TTL", "z"],
        ["ZADD", "{k}z", "1", "a"], ["EXPIRE", "{k}z", "1000"],
        ["ZUNIONSTORE", "{k}z", "1", "{k}z"], ["TTL", "{k}z"],
        ["RENAME", "{k}z", "{k}r"], ["ZRANGE", "{k}r", "0", "-1", "WITHSCORES"],
        ["COPY", "{k}r", "{k}c"], ["ZADD", "{k}c", "5", "b"], ["ZCARD", "{k}r"], ["ZCARD", "{k}c"],
        ["OBJECT", "ENCODING", "{k}c"], ["MOVE", "{k}c", "1"], ["EXISTS", "{k}c"],
        ["SELECT", "1"], ["ZRANGE", "{k}c", "0", "-1", "WITHSCORES"], ["FLUSHDB"], ["SELECT", "0"],
        ["SCAN", "0", "TYPE", "zset"], ["SET", "str", "1"], ["SCAN", "0", "TYPE", "string"],
    ], setup=(("FLUSHALL",),))


def test_memory_usage_and_expiry(sc):
    conn = RespConnection(sc.port)
    conn.cmd("ZADD", "z", "1", "a")
    small = conn.cmd("MEMORY", "USAGE", "z")
    conn.cmd("ZADD", "z", *[x for i in range(1000) for x in (str(i), f"m{i}")])
    assert conn.cmd("MEMORY", "USAGE", "z") > small > 0
    conn.cmd("PEXPIRE", "z", "50")
    time.sleep(0.2)
    assert conn.cmd("EXISTS", "z") == 0


@pytest.mark.parametrize("threads", [1, 4])
def test_multikey_across_shards(shardcache, redis_ref, threads):
    server = shardcache(threads=threads)
    a, b, c, d = SPREAD
    differential(server, redis_ref, [
        seed(a, [(1, "x"), (2, "y"), (3, "z")]), seed(b, [(10, "y"), (20, "z"), (30, "w")]),
        ["ZUNION", "3", a, b, c, "WITHSCORES"], ["ZINTER", "2", a, b, "WEIGHTS", "2", "0.5", "WITHSCORES"],
        ["ZDIFF", "2", a, b], ["ZINTERCARD", "2", a, b],
        ["ZUNIONSTORE", d, "2", a, b], ["ZRANGE", d, "0", "-1", "WITHSCORES"],
        ["ZINTERSTORE", c, "2", a, b, "AGGREGATE", "MIN"], ["ZRANGE", c, "0", "-1", "WITHSCORES"],
        ["ZDIFFSTORE", d, "2", b, a], ["ZRANGE", d, "0", "-1", "WITHSCORES"],
        ["ZINTERSTORE", d, "2", a, "nothing"], ["EXISTS", d],
        ["ZRANGESTORE", d, a, "1", "2"], ["ZRANGE", d, "0", "-1", "WITHSCORES"],
        ["ZRANGESTORE", c, b, "(10", "+inf", "BYSCORE"], ["ZRANGE", c, "0", "-1", "WITHSCORES"],
        ["ZMPOP", "3", d, a, b, "MAX", "COUNT", "2"], ["ZMPOP", "2", "nothing", b, "MIN"],
        ["SET", d, "s"], ["ZUNION", "2", a, d], ["ZMPOP", "2", "nothing", d, "MIN"],
        ["ZUNIONSTORE", d, "1", a], ["TYPE", d],
    ])


@pytest.mark.timeout_s(60)
def test_big_sorted_set(sc):
    conn = RespConnection(sc.port)
    n = 1_000_000
    batch = 10_000
    started = time.monotonic()
    for start in range(0, n, batch):
        args = []
        for i in range(start, start + batch):
            args += [str(i * 7 % n), f"m{i}"]
        conn.cmd("ZADD", "big", *args)
    assert conn.cmd("ZCARD", "big") == n
    assert conn.cmd("OBJECT", "ENCODING", "big") == b"skiplist"
    assert conn.cmd("ZRANK", "big", "m1") == 7
    # Scores are i * 7 % n: a permutation of 0 .. n-1, so the member of score s is m(s * inv7).
    inv7 = pow(7, -1, n)
    assert conn.cmd("ZRANGE", "big", "500000", "500001", "WITHSCORES") == \
        [f"m{500000 * inv7 % n}".encode(), b"500000", f"m{500001 * inv7 % n}".encode(), b"500001"]
    assert conn.cmd("ZCOUNT", "big", "1000", "(2000") == 1000
    assert conn.cmd("ZRANGEBYSCORE", "big", "10", "12") == \
        [f"m{s * inv7 % n}".encode() for s in (10, 11, 12)]
    assert conn.cmd("ZREMRANGEBYSCORE", "big", "-inf", "(500000") == 500000
    assert conn.cmd("ZPOPMIN", "big") == [f"m{500000 * inv7 % n}".encode(), b"500000"]
    assert conn.cmd("ZCARD", "big") == n - 500000 - 1
    assert time.monotonic() - started < 20
    conn.cmd("DEL", "big")
