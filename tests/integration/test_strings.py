"""The STRING family — GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX INCR DECR
INCRBY DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SUBSTR SETRANGE LCS — compared byte for byte
with redis-server 7.0.15, with 1 and 4 shard threads (keys spread over every shard), in RESP2
and RESP3. TTL effects are observed through expiry itself; a seeded random sequence of 20k
commands checks the family as a whole."""
import random
import threading
import time

import pytest

from helpers import RespConnection, differential, differential_stream, encode_command, \
    keys_on_shards, mismatch_report, parse_info

THREADS = [1, 4]
FAR_S = 4102444800  # 2100-01-01, in seconds: an absolute time that never comes in a test
FAR_MS = FAR_S * 1000
I64_MAX = "9223372036854775807"
I64_MIN = "-9223372036854775808"


@pytest.fixture(params=THREADS, ids=[f"threads{t}" for t in THREADS])
def server(request, shardcache):
    return shardcache(threads=request.param)


# One key per shard of a 4-thread server (all in shard 0 with one thread).
SPREAD = keys_on_shards(4, "s")


# --------------------------------------------------------------------------------------------
# GET SET and SET's options
# --------------------------------------------------------------------------------------------

def test_set_get_values(server, redis_ref):
    differential(server, redis_ref, [
        ["GET", "missing"],
        ["SET", "a", "hello"], ["GET", "a"],
        ["SET", "a", ""], ["GET", "a"],
        ["SET", "b", b"\x00\xff\r\nbinary\x00"], ["GET", "b"],
        ["SET", "c", "x" * 45], ["GET", "c"],
        ["SET", "c", "12345"], ["GET", "c"],
        ["SET", "big", "v" * 100000], ["GET", "big"],
        ["set", "lower", "case"], ["GeT", "lower"],
        ["SET", "a"], ["GET"], ["GET", "a", "b"],
    ])


def test_set_nx_xx_get(server, redis_ref):
    differential(server, redis_ref, [
        ["SET", "k", "1", "NX"], ["SET", "k", "2", "NX"], ["GET", "k"],
        ["SET", "k", "3", "XX"], ["GET", "k"],
        ["SET", "new", "1", "XX"], ["GET", "new"],
        ["SET", "k", "4", "GET"], ["SET", "absent", "5", "GET"], ["GET", "absent"],
        ["SET", "k", "6", "NX", "GET"], ["GET", "k"],
        ["SET", "nx-get", "7", "NX", "GET"], ["GET", "nx-get"],
        ["SET", "xx-get", "8", "XX", "GET"], ["GET", "xx-get"],
        ["SET", "k", "9", "XX", "GET"], ["GET", "k"],
        ["SETNX", "k", "10"], ["SETNX", "fresh", "11"], ["GET", "fresh"],
        ["SETNX", "k"], ["SETNX", "k", "1", "2"],
    ])


# Each option list is tried as SET key value <options>, followed by GET key.
SET_OPTIONS = [
    [], ["EX", "100"], ["ex", "100", "EX", "200"], ["PX", "100000"], ["EXAT", FAR_S],
    ["PXAT", FAR_MS], ["KEEPTTL"], ["keepttl", "KEEPTTL"], ["NX", "NX"], ["XX", "XX"],
    ["NX", "XX"], ["XX", "NX"], ["GET", "GET"], ["EX", "10", "PX", "10"], ["PX", "10", "EX", "10"],
    ["EX", "10", "EXAT", "10"], ["PXAT", "10", "EXAT", "10"], ["PX", "10", "PXAT", "10"],
    ["EX", "10", "KEEPTTL"], ["KEEPTTL", "EX", "10"], ["KEEPTTL", "PXAT", "10"], ["PERSIST"],
    ["EX"], ["PX"], ["EXAT"], ["PXAT"], ["NX", "EX"], ["EX", "10", "NX"], ["FOO"], ["E"],
    ["EXATT", "1"], ["GET", "EX", "10", "XX"], ["EX", "abc"], ["EX", "10.5"], ["EX", "0"],
    ["EX", "-1"], ["PX", "0"], ["PX", "-100"], ["EXAT", "0"], ["PXAT", "-5"], ["EX", "+10"],
    ["EX", " 10"], ["EX", "010"], ["EX", ""], ["EX", I64_MAX], ["EX", "9223372036854775"],
    ["EX", "9223372036854776"], ["PX", I64_MAX], ["PX", "9223372036854775000"],
    ["EXAT", "9223372036854775"], ["EXAT", "9223372036854776"], ["PXAT", I64_MAX],
    ["EX", "9223372036854775808"], ["PX", I64_MIN], [b"NX\x00junk"], [b"ex\x00", "100"],
    [b"\x00"], ["NX", "GET", "PX", "100000", "GET", "NX"],
]


def test_set_option_grammar_and_expiry_errors(server, redis_ref):
    commands = []
    for i, options in enumerate(SET_OPTIONS):
        key = f"opt{i % 5}"
        commands += [["SET", key, f"v{i}", *options], ["GET", key]]
    differential(server, redis_ref, commands)


def test_setex_psetex(server, redis_ref):
    differential(server, redis_ref, [
        ["SETEX", "a", "100", "v"], ["GET", "a"],
        ["PSETEX", "b", "100000", "w"], ["GET", "b"],
        ["SETEX", "a", "0", "x"], ["SETEX", "a", "-1", "x"], ["SETEX", "a", "abc", "x"],
        ["SETEX", "a", "9223372036854775", "x"], ["SETEX", "a", "9223372036854776", "x"],
        ["PSETEX", "a", "0", "x"], ["PSETEX", "a", I64_MAX, "x"], ["PSETEX", "a", "1.5", "x"],
        ["GET", "a"],
        ["SETEX", "a", "1"], ["PSETEX", "a", "1", "v", "x"],
    ])


def test_times_already_past_expire_the_key(server, redis_ref):
    differential(server, redis_ref, [
        ["SET", "a", "v", "EXAT", "1"], ["GET", "a"], ["EXISTS", "a"],
        ["SET", "b", "v"], ["SET", "b", "w", "PXAT", "1", "GET"], ["GET", "b"],
        ["SET", "c", "v", "PXAT", "1"], ["SET", "c", "w", "NX"], ["GET", "c"],
        ["SET", "d", "v", "PXAT", "1"], ["SET", "d", "w", "XX"], ["GET", "d"],
        ["SET", "e", "v", "PXAT", "1"], ["SET", "e", "w", "KEEPTTL"], ["GET", "e"],
        ["SET", "f", "5", "PXAT", "1"], ["INCR", "f"], ["GET", "f"],
        ["SET", "g", "v"], ["GETEX", "g", "EXAT", "1"], ["GET", "g"],
        ["SET", "h", "v"], ["GETEX", "h", "PXAT", "100"], ["GET", "h"],
    ])


# --------------------------------------------------------------------------------------------
# GETSET GETDEL GETEX
# --------------------------------------------------------------------------------------------

def test_getset_getdel(server, redis_ref):
    differential(server, redis_ref, [
        ["GETSET", "a", "1"], ["GETSET", "a", "2"], ["GET", "a"],
        ["GETDEL", "a"], ["GETDEL", "a"], ["GET", "a"], ["GETDEL", "missing"],
        ["GETSET", "a"], ["GETDEL"], ["GETDEL", "a", "b"],
    ])


def test_getex(server, redis_ref):
    differential(server, redis_ref, [
        ["SET", "k", "v"],
        ["GETEX", "k"], ["GETEX", "k", "EX", "100"], ["GETEX", "k", "PX", "100000"],
        ["GETEX", "k", "EXAT", FAR_S], ["GETEX", "k", "PXAT", FAR_MS], ["GETEX", "k", "PERSIST"],
        ["GETEX", "k", "persist", "PERSIST"], ["GETEX", "k", "EX", "10", "PERSIST"],
        ["GETEX", "k", "PERSIST", "EX", "10"], ["GETEX", "k", "EX"], ["GETEX", "k", "EX", "0"],
        ["GETEX", "k", "EX", "-1"], ["GETEX", "k", "EX", "abc"], ["GETEX", "k", "NX"],
        ["GETEX", "k", "KEEPTTL"], ["GETEX", "k", "GET"], ["GETEX", "k", "EX", "10", "EX", "20"],
        ["GETEX", "k", "EX", "10", "PX", "10"], ["GETEX", "k", "EX", "9223372036854775"],
        ["GETEX", "k", "PX", I64_MAX], ["GETEX", "k", "PXAT", I64_MAX],
        ["GETEX", "k", "EXAT", "9223372036854776"],
        ["GETEX", "missing", "EX", "0"], ["GETEX", "missing", "EX", "abc"],
        ["GETEX", "missing", "FOO"], ["GETEX", "missing"],
        ["GETEX", "k", "EXAT", "1"], ["GET", "k"], ["EXISTS", "k"],
        ["GETEX"],
    ])


# --------------------------------------------------------------------------------------------
# TTL effects, observed through expiry
# --------------------------------------------------------------------------------------------

# (commands, key, alive after the TTL of 1 s has passed)
TTL_SCENARIOS = [
    ([["SET", "t1", "v", "PX", "1000"]], "t1", False),
    ([["SET", "t2", "v", "PX", "1000"], ["SET", "t2", "w", "KEEPTTL"]], "t2", False),
    ([["SET", "t3", "v", "PX", "1000"], ["SET", "t3", "w"]], "t3", True),
    ([["SET", "t4", "1", "PX", "1000"], ["INCR", "t4"]], "t4", False),
    ([["SET", "t5", "1.5", "PX", "1000"], ["INCRBYFLOAT", "t5", "1"]], "t5", False),
    ([["SET", "t6", "ab", "PX", "1000"], ["APPEND", "t6", "c"]], "t6", False),
    ([["SET", "t7", "ab", "PX", "1000"], ["SETRANGE", "t7", "1", "x"]], "t7", False),
    ([["SET", "t8", "ab", "PX", "1000"], ["GETSET", "t8", "c"]], "t8", True),
    ([["SET", "t9", "ab", "PX", "1000"], ["MSET", "t9", "c"]], "t9", True),
    ([["SET", "t10", "ab", "PX", "1000"], ["GETEX", "t10", "PERSIST"]], "t10", True),
    ([["SET", "t11", "ab"], ["GETEX", "t11", "PX", "1000"]], "t11", False),
    ([["PSETEX", "t12", "1000", "v"]], "t12", False),
    ([["SET", "t13", "ab", "PX", "1000"], ["GETEX", "t13"]], "t13", False),
    ([["SET", "t14", "ab", "PX", "1000"], ["SET", "t14", "c", "XX", "KEEPTTL", "GET"]], "t14",
     False),
    ([["SET", "t15", "ab", "PX", "1000"], ["SET", "t15", "c", "NX"]], "t15", False),
    ([["SET", "t16", "5", "PX", "1000"], ["DECRBY", "t16", "2"]], "t16", False),
    ([["SET", "t17", "ab", "PX", "1000"], ["MSETNX", "t17", "x"]], "t17", False),
    ([["SET", "t18", "ab", "PX", "1000"], ["GETEX", "t18", "EXAT", FAR_S]], "t18", True),
    ([["SET", "t19", "ab", "PX", "1000"], ["SET", "t19", "c", "EX", "100"]], "t19", True),
    ([["SET", "t20", "ab", "PX", "1000"], ["SETRANGE", "t20", "1", ""]], "t20", False),
    ([["SET", "t21", "ab", "PX", "1000"], ["MSETNX", "t21new", "x", "t21", "y"]], "t21", False),
    ([["SET", "t22", "ab", "PX", "1000"], ["GETEX", "t22", "PX", "100000"]], "t22", True),
]


def _replies(port: int, commands: list) -> list[bytes]:
    with RespConnection(port) as conn:
        out = []
        for command in commands:
            conn.send(encode_command(*command))
            out.append(conn.read_raw())
        return out


def test_ttl_kept_set_or_dropped_as_redis(server, redis_server):
    ref = redis_server()
    commands = [c for scenario, _, _ in TTL_SCENARIOS for c in scenario]
    keys = [key for _, key, _ in TTL_SCENARIOS]
    ours, theirs = _replies(server.port, commands), _replies(ref.port, commands)
    labels = [str(c) for c in commands]
    assert ours == theirs, mismatch_report("replies differ", labels, ours, theirs)
    time.sleep(1.5)
    ours, theirs = _replies(server.port, [["MGET", *keys]]), _replies(ref.port, [["MGET", *keys]])
    assert ours == theirs, mismatch_report("values after the TTL differ", ["MGET"], ours, theirs)
    with RespConnection(server.port) as conn:
        values = conn.cmd("MGET", *keys)
    assert [v is not None for v in values] == [alive for _, _, alive in TTL_SCENARIOS]


# --------------------------------------------------------------------------------------------
# MGET MSET MSETNX
# --------------------------------------------------------------------------------------------

def test_mget_mset_across_shards(server, redis_ref):
    keys = [f"m{i}" for i in range(40)]
    pairs = [x for i, k in enumerate(keys) for x in (k, f"value{i}")]
    differential(server, redis_ref, [
        ["MSET", *pairs], ["MGET", *keys, "missing", keys[0]],
        ["MSET", "dup", "1", "dup", "2"], ["GET", "dup"],
        ["MSET", SPREAD[0], "x"], ["MGET", *SPREAD],
        ["MSET", "dup", "1", "dup"], ["MSET", "dup"], ["MGET"],
    ])


def test_mset_unpaired_key_across_shards(server, redis_ref):
    differential(server, redis_ref, [
        ["MSET", SPREAD[0], "v", SPREAD[1]], ["MSET", *SPREAD[:3]], ["MGET", *SPREAD], ["PING"],
    ])


def test_msetnx_across_shards(server, redis_ref):
    values = [x for i, k in enumerate(SPREAD) for x in (k, f"v{i}")]
    differential(server, redis_ref, [
        ["MSETNX", *values], ["MGET", *SPREAD],
        ["MSETNX", "new1", "a", SPREAD[3], "b"], ["MGET", "new1", SPREAD[3]],
        ["MSETNX", "new1", "a", "new2", "b"], ["MGET", "new1", "new2"],
        ["MSETNX", "same", "1", "same", "2"], ["GET", "same"],
        ["SET", "gone", "v", "PXAT", "1"], ["MSETNX", "gone", "1", SPREAD[0] + "x", "2"],
        ["MGET", "gone", SPREAD[0] + "x"],
        ["MSETNX", "a", "b", "c"], ["MSETNX", "a"], ["MSETNX", *SPREAD[:3]], ["EXISTS", "a", "c"],
    ])


def test_multishard_replies_keep_pipeline_order(server, redis_ref):
    a, b, c, d = SPREAD
    differential_stream(server, redis_ref, [
        ["SET", a, "ohmytext"], ["MSETNX", b, "mynewtext", c, "1"], ["GET", b],
        ["LCS", a, b], ["INCR", c], ["MSETNX", c, "x", d, "y"], ["GET", d],
        ["LCS", a, b, "IDX"], ["MGET", a, b, c, d], ["MSETNX", d, "z", "e", "f"], ["GET", d],
        ["LCS", c, d, "LEN"], ["MSETNX", "x"], ["DEL", a, b, c, d],
    ])


@pytest.mark.timeout_s(60)
def test_msetnx_is_all_or_nothing_under_concurrency(shardcache):
    """Two clients race MSETNX over key sets that share one key (in another shard than the rest):
    exactly one of them may succeed each round, and the loser sets none of its keys."""
    server = shardcache(threads=4)
    left, shared, right = SPREAD[0], SPREAD[1], SPREAD[2]

    def racer(first_key, round_no, barrier, out):
        with RespConnection(server.port) as conn:
            barrier.wait()
            out.append((first_key, conn.cmd("MSETNX", first_key, round_no, shared, round_no)))

    with RespConnection(server.port) as admin:
        for round_no in range(150):
            admin.cmd("DEL", left, shared, right)
            barrier, out = threading.Barrier(2), []
            threads = [threading.Thread(target=racer, args=(k, round_no, barrier, out))
                       for k in (left, right)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
            winners = [k for k, won in out if won == 1]
            assert len(out) == 2 and len(winners) == 1, f"round {round_no}: {out}"
            loser = right if winners[0] == left else left
            assert admin.cmd("EXISTS", loser) == 0, f"round {round_no}: the loser set {loser}"


# --------------------------------------------------------------------------------------------
# INCR DECR INCRBY DECRBY INCRBYFLOAT
# --------------------------------------------------------------------------------------------

def test_integer_counters(server, redis_ref):
    commands = [
        ["INCR", "c"], ["INCR", "c"], ["DECR", "c"], ["INCRBY", "c", "10"], ["INCRBY", "c", "-5"],
        ["DECRBY", "c", "3"], ["DECRBY", "c", "-3"], ["GET", "c"],
        ["INCRBY", "c", "abc"], ["INCRBY", "c", "1.5"], ["INCRBY", "c", ""], ["INCRBY", "c", "+1"],
        ["INCRBY", "c", "9223372036854775808"], ["DECRBY", "c", "01"],
        ["SET", "c", "9223372036854775806"], ["INCR", "c"], ["INCR", "c"], ["INCRBY", "c", "0"],
        ["SET", "c", "-9223372036854775807"], ["DECR", "c"], ["DECR", "c"], ["DECRBY", "c", "1"],
        ["INCRBY", "c", I64_MAX], ["INCRBY", "c", I64_MIN],
        ["DECRBY", "c", I64_MIN], ["DECRBY", "fresh", I64_MIN], ["DECRBY", "fresh", I64_MAX],
        ["INCRBY", "fresh2", I64_MIN], ["DECR", "fresh2"], ["GET", "fresh"],
        ["INCR"], ["INCR", "a", "b"], ["INCRBY", "c"],
    ]
    for value in [" 1", "1 ", "01", "1.0", "", "+1", "-0", "abc", "123456789012345678901",
                  "00", "-", I64_MIN, I64_MAX, "18446744073709551616", b"1\x00"]:
        commands += [["SET", "s", value], ["INCR", "s"], ["DECR", "s"], ["GET", "s"]]
    differential(server, redis_ref, commands)


INCRBYFLOAT_CASES = [
    # (stored value or None, increment)
    (None, "10.5"), ("10.5", "0.1"), ("3.0", "0"), ("1.1e+10", "0"), ("5", "5.0e3"),
    ("5", "-5.0E3"), ("5", "inf"), ("5", "-inf"), ("5", "nan"), ("5", "abc"), ("5", " 1"),
    ("5", "1 "), ("5", ""), ("5", "0x10"), ("5", "1e-400"), ("5", "1e5000"), ("5", "1e-5000"),
    ("5", b"1\x002"), ("abc", "1"), (" 1", "1"), ("inf", "1"), ("-0.0", "0"), ("1e-20", "0"),
    (None, "-0.00000000000000000001"), (None, "1.23456789012345678901234"),
    (None, "123456789012345678901234567890"), ("1e308", "1e308"), ("-1e4000", "1"),
    ("1.18e4932", "0"), ("1.2e4932", "0"), ("0.1", "0.2"), ("1", "-1"), ("-1.5", "0.25"),
    ("9223372036854775807", "1"), ("1" + "0" * 5118, "1"), ("1." + "0" * 5117, "1"),
    ("1." + "0" * 5118, "1"), ("0x1p3", "0"), ("1e", "1"), (".5", ".5"), ("5.", "1"),
    ("INFINITY", "0"), ("-nan", "0"), ("1e+", "0"),
]


def test_incrbyfloat(server, redis_ref):
    commands = []
    for i, (value, increment) in enumerate(INCRBYFLOAT_CASES):
        key = f"f{i}"
        if value is not None:
            commands.append(["SET", key, value])
        commands += [["INCRBYFLOAT", key, increment], ["GET", key]]
    commands += [["INCRBYFLOAT", "f"], ["INCRBYFLOAT", "f", "1", "2"]]
    differential(server, redis_ref, commands)


# --------------------------------------------------------------------------------------------
# APPEND STRLEN GETRANGE SUBSTR SETRANGE
# --------------------------------------------------------------------------------------------

def test_append_strlen(server, redis_ref):
    differential(server, redis_ref, [
        ["APPEND", "a", "hello"], ["APPEND", "a", " world"], ["GET", "a"], ["STRLEN", "a"],
        ["STRLEN", "missing"], ["APPEND", "n", "123"], ["INCR", "n"], ["APPEND", "n", "4"],
        ["GET", "n"], ["INCR", "n"], ["APPEND", "e", ""], ["EXISTS", "e"], ["STRLEN", "e"],
        ["APPEND", "b", b"\x00\r\n"], ["APPEND", "b", b"\xff"], ["STRLEN", "b"], ["GET", "b"],
        ["APPEND", "a"], ["STRLEN"], ["STRLEN", "a", "b"],
    ])


RANGES = [
    (0, -1), (0, 0), (-1, -1), (-3, -1), (5, 3), (-1, -5), (-5, -1), (0, 100), (100, 200),
    (-100, -50), (-100, 100), (3, -100), (1, 1), (I64_MIN, I64_MAX), (I64_MAX, I64_MIN),
    (-100, -100), (2, -2), (0, "x"), ("1.5", 2), (" 1", 2), (1, "9223372036854775808"),
]


def test_getrange_substr(server, redis_ref):
    commands = []
    for value in ["", "a", "Hello World", "12345"]:
        commands.append(["SET", "v", value])
        for start, end in RANGES:
            commands += [["GETRANGE", "v", start, end], ["SUBSTR", "v", start, end]]
    commands += [["GETRANGE", "missing", 0, -1], ["GETRANGE", "missing", "x", 1],
                 ["GETRANGE", "v", 0], ["SUBSTR", "v", 0, 1, 2]]
    differential(server, redis_ref, commands)


def test_setrange(server, redis_ref):
    differential(server, redis_ref, [
        ["SETRANGE", "s", 0, "hello"], ["SETRANGE", "s", 6, "world"], ["GET", "s"],
        ["SETRANGE", "s", 3, "XX"], ["GET", "s"], ["SETRANGE", "s", 20, ""], ["GET", "s"],
        ["SETRANGE", "missing", 5, ""], ["EXISTS", "missing"],
        ["SETRANGE", "s", -1, "x"], ["SETRANGE", "s", "abc", "x"], ["SETRANGE", "s", "1.5", "x"],
        ["SETRANGE", "s", "9223372036854775808", "x"], ["SETRANGE", "s", -1, ""],
        ["SETRANGE", "new", 3, "abc"], ["GET", "new"], ["STRLEN", "new"],
        ["SETRANGE", "s", I64_MAX, "x"], ["SETRANGE", "s", 536870912, "x"],
        ["SETRANGE", "s", 536870911, ""], ["SETRANGE", "huge", 536870912, ""], ["EXISTS", "huge"],
        ["SET", "i", "12345"], ["SETRANGE", "i", 0, "9"], ["GET", "i"], ["INCR", "i"],
        ["SETRANGE", "i", 5, "0"], ["GET", "i"],
        ["SETRANGE", "s", 0], ["SETRANGE", "s", 0, "a", "b"],
    ])


def test_string_length_limit_is_proto_max_bulk_len(shardcache, redis_server):
    ours, ref = shardcache(threads=4), redis_server()
    mb = 1024 * 1024
    a, b = SPREAD[0], SPREAD[1]
    differential(ours, ref, [
        ["CONFIG", "SET", "proto-max-bulk-len", "1mb"],
        ["SETRANGE", "r", mb - 1, "x"], ["STRLEN", "r"], ["SETRANGE", "r", mb, "x"],
        ["SETRANGE", "r2", mb - 1, "xy"], ["EXISTS", "r2"],
        ["APPEND", "r", "y"], ["SETRANGE", "r", 0, "y"], ["STRLEN", "r"],
        ["SET", a, "x" * 600], ["SET", b, "y" * 300 + "x" * 300], ["LCS", a, b, "LEN"],
        ["SET", b, "x" * 300], ["LCS", a, b, "LEN"], ["LCS", a, a, "LEN"], ["LCS", b, b, "LEN"],
    ], protocols=(2,))


# --------------------------------------------------------------------------------------------
# LCS
# --------------------------------------------------------------------------------------------

LCS_OPTIONS = [
    [], ["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"], ["IDX", "MINMATCHLEN", "4"],
    ["idx", "minmatchlen", "4", "withmatchlen"], ["MINMATCHLEN", "-5", "IDX"],
    ["MINMATCHLEN", "2", "IDX", "MINMATCHLEN", "1"], ["LEN", "IDX"], ["IDX", "LEN"], ["FOO"],
    ["MINMATCHLEN"], ["MINMATCHLEN", "x"], ["MINMATCHLEN", "x", "LEN", "IDX"], ["WITHMATCHLEN"],
    ["LEN", "WITHMATCHLEN"], ["LEN", "LEN"], [b"IDX\x00x"], ["IDX", "FOO", "LEN"],
]


def test_lcs_options(server, redis_ref):
    a, b = SPREAD[0], SPREAD[1]
    commands = [["MSET", a, "ohmytext", b, "mynewtext"]]
    for options in LCS_OPTIONS:
        commands += [["LCS", a, b, *options], ["LCS", a, "missing", *options]]
    commands += [["LCS", a, a, "IDX"], ["LCS", "missing", "missing2", "IDX"],
                 ["LCS", b, a, "IDX", "WITHMATCHLEN"], ["LCS", a]]
    differential(server, redis_ref, commands)


def test_lcs_random_strings(server, redis_ref):
    rng = random.Random(7)
    a, b = SPREAD[2], SPREAD[3]
    commands = []
    for _ in range(60):
        alphabet = rng.choice(["ab", "abc", "abcdefgh"])
        x = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        y = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        commands += [["MSET", a, x, b, y], ["LCS", a, b], ["LCS", a, b, "LEN"],
                     ["LCS", a, b, "IDX", "WITHMATCHLEN"],
                     ["LCS", b, a, "IDX", "MINMATCHLEN", rng.randint(0, 3)]]
    differential(server, redis_ref, commands)


# --------------------------------------------------------------------------------------------
# Keyspace hits and misses
# --------------------------------------------------------------------------------------------

def test_keyspace_hits_and_misses(shardcache, redis_server):
    ours, ref = shardcache(threads=4), redis_server()
    a, b, c, d = SPREAD
    commands = [
        ["SET", a, "1"], ["GET", a], ["GET", "missing"], ["MGET", a, b, c, d],
        ["SET", a, "2", "GET"], ["SET", b, "2", "GET"], ["GETEX", a], ["GETEX", "nope", "PX", "1"],
        ["GETSET", c, "3"], ["GETDEL", c], ["GETDEL", c], ["STRLEN", a], ["STRLEN", c],
        ["GETRANGE", a, "x", 1], ["GETRANGE", a, 0, 1], ["SUBSTR", d, 0, 1], ["LCS", a, b],
        ["LCS", c, d, "FOO"], ["SETNX", a, "1"], ["INCR", a], ["INCRBYFLOAT", a, "1"],
        ["APPEND", a, "1"], ["SETRANGE", a, 0, "1"], ["MSETNX", a, "1", d, "2"],
        ["MSET", a, "1", d, "2"], ["SET", a, "1", "NX"], ["SETEX", a, "100", "1"],
        ["INCRBY", b, "1"], ["DECR", "zz"],
    ]
    stats = []
    for target in (ours, ref):
        _replies(target.port, commands)
        with RespConnection(target.port) as conn:
            info = parse_info(conn.cmd("INFO", "stats"))
        stats.append((info["keyspace_hits"], info["keyspace_misses"]))
    assert stats[0] == stats[1], f"shardcache (hits, misses) {stats[0]} != redis {stats[1]}"


# --------------------------------------------------------------------------------------------
# Random sequence
# --------------------------------------------------------------------------------------------

RANDOM_KEYS = [f"r{i}" for i in range(6)] + SPREAD[:2]
RANDOM_VALUES = ["", "a", "abc", "hello world", "0", "1", "-5", "42", "007", I64_MAX, I64_MIN,
                 "1.5", "3.0", "1e3", "-0.5", " 1", "x" * 50, b"\x00\xff"]
INTS = ["0", "1", "-1", "7", "-100", "1000", I64_MAX, I64_MIN, "abc", "1.5"]
FLOATS = ["0", "1.5", "-2.25", "1e3", "3.0", "inf", "abc", "0.1", "-1e-3"]


def _expiry_options(rng: random.Random) -> list:
    """EX/PX far in the future, EXAT/PXAT far in the future or already past, or a bad time."""
    return rng.choice([
        ["EX", rng.choice(["1000", "0", "-3", "x"])], ["PX", rng.choice(["1000000", "0"])],
        ["EXAT", rng.choice([FAR_S, 1])], ["PXAT", rng.choice([FAR_MS, 5])],
    ])


def _random_set(rng: random.Random, key: str) -> list:
    options = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        choice = rng.random()
        if choice < 0.3:
            options += _expiry_options(rng)
        else:
            options.append(rng.choice(["NX", "XX", "GET", "KEEPTTL", "BAD"]))
    return ["SET", key, rng.choice(RANDOM_VALUES), *options]


def _random_command(rng: random.Random) -> list:
    k = lambda: rng.choice(RANDOM_KEYS)  # noqa: E731
    v = lambda: rng.choice(RANDOM_VALUES)  # noqa: E731
    n = lambda: rng.choice(["0", "1", "2", "-1", "-3", "5", "10", "-20", "100"])  # noqa: E731
    return rng.choice([
        lambda: _random_set(rng, k()),
        lambda: _random_set(rng, k()),
        lambda: ["GET", k()],
        lambda: ["GET", k()],
        lambda: ["MGET", *[k() for _ in range(rng.randint(1, 4))]],
        lambda: ["MSET", *[x for _ in range(rng.randint(1, 3)) for x in (k(), v())]],
        lambda: ["MSETNX", *[x for _ in range(rng.randint(1, 3)) for x in (k(), v())]],
        lambda: ["SETNX", k(), v()],
        lambda: ["SETEX", k(), rng.choice(["1000", "0", "x"]), v()],
        lambda: ["PSETEX", k(), rng.choice(["1000000", "-1"]), v()],
        lambda: ["GETSET", k(), v()],
        lambda: ["GETDEL", k()],
        lambda: ["GETEX", k(), *rng.choice([[], ["PERSIST"], _expiry_options(rng)])],
        lambda: ["INCR", k()],
        lambda: ["DECR", k()],
        lambda: ["INCRBY", k(), rng.choice(INTS)],
        lambda: ["DECRBY", k(), rng.choice(INTS)],
        lambda: ["INCRBYFLOAT", k(), rng.choice(FLOATS)],
        lambda: ["APPEND", k(), v()],
        lambda: ["STRLEN", k()],
        lambda: [rng.choice(["GETRANGE", "SUBSTR"]), k(), n(), n()],
        lambda: ["SETRANGE", k(), rng.choice(["0", "1", "3", "10", "-1"]), v()],
        lambda: ["LCS", k(), k(), *rng.choice([[], ["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"],
                                              ["IDX", "MINMATCHLEN", "2"]])],
        lambda: ["EXISTS", k()],
        lambda: ["DEL", k()],
    ])()


def _pipelined_replies(port: int, commands: list, batch: int = 500) -> list[bytes]:
    replies = []
    with RespConnection(port) as conn:
        for i in range(0, len(commands), batch):
            chunk = commands[i:i + batch]
            conn.send(b"".join(encode_command(*c) for c in chunk))
            replies += [conn.read_raw() for _ in chunk]
    return replies


@pytest.mark.timeout_s(120)
def test_random_sequence_matches_redis(server, redis_server):
    ref = redis_server()
    rng = random.Random(20240917)
    commands = [_random_command(rng) for _ in range(20000)]
    ours, theirs = _pipelined_replies(server.port, commands), _pipelined_replies(ref.port, commands)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a != b:
            lo = max(0, i - 15)
            labels = [" ".join(str(x) for x in c)[:120] for c in commands[lo:i + 1]]
            pytest.fail(mismatch_report(f"reply {i} differs", labels, ours[lo:i + 1],
                                        theirs[lo:i + 1]), pytrace=False)
    assert len(ours) == len(theirs) == len(commands)
