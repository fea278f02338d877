"""Keys spread over shard threads: GET SET MGET DEL EXISTS DBSIZE FLUSHDB FLUSHALL SELECT,
with 1, 2 and 4 threads, compared with redis-server."""
import random

import pytest
import redis

from helpers import Status, differential, differential_stream, encode_command, keys_on_shards, \
    shard_of

THREADS = [1, 2, 4]


def _keys(n: int, prefix: str = "key") -> list[str]:
    return [f"{prefix}:{i}" for i in range(n)]


@pytest.fixture(params=THREADS, ids=[f"threads{t}" for t in THREADS])
def routed(request, shardcache):
    return shardcache(threads=request.param)


def test_set_get_many_keys(routed, redis_ref):
    keys = _keys(300)
    commands = [["SET", k, f"value of {k}"] for k in keys]
    commands += [["GET", k] for k in keys[::7]] + [["GET", "missing"], ["DBSIZE"]]
    differential(routed, redis_ref, commands)


def test_mget_across_shards_keeps_request_order(routed, redis_ref):
    keys = _keys(200)
    rng = random.Random(1)
    mixed = keys + [f"missing:{i}" for i in range(50)]
    rng.shuffle(mixed)
    commands = [["SET", k, k.upper()] for k in keys[:150]]
    commands += [
        ["MGET", *mixed],
        ["MGET", *keys[:5], *keys[:5]],
        ["MGET", keys[0]],
        ["MGET", "missing"],
        ["MGET", *reversed(keys)],
        ["MGET"],
    ]
    differential(routed, redis_ref, commands)


def test_del_and_exists_count_across_shards(routed, redis_ref):
    keys = _keys(100)
    commands = [["SET", k, "v"] for k in keys]
    commands += [
        ["EXISTS", *keys],
        ["EXISTS", keys[0], keys[0], keys[0]],
        ["EXISTS", "missing", keys[1], "missing2"],
        ["DEL", *keys[:10], *keys[:10], "missing"],
        ["DEL", *keys[:10]],
        ["EXISTS", *keys],
        ["DBSIZE"],
        ["DEL", *keys],
        ["DBSIZE"],
        ["EXISTS"],
        ["DEL"],
    ]
    differential(routed, redis_ref, commands)


def test_set_options_across_shards(routed, redis_ref):
    k = keys_on_shards(4)
    commands = []
    for key in k:
        commands += [
            ["SET", key, "1", "NX"], ["SET", key, "2", "NX"], ["GET", key],
            ["SET", key, "3", "XX"], ["SET", f"{key}:none", "3", "XX"], ["GET", f"{key}:none"],
            ["SET", key, "4", "GET"], ["SET", f"{key}:new", "5", "NX", "GET"],
            ["SET", key, "6", "XX", "GET"], ["SET", key, "7", "nx", "xx"],
            ["SET", key, "8", "xx", "nx"], ["SET", key, "9", "BAD"], ["SET", key, "9", "GET"],
            ["SET", key, "10", "GET", "GET"], ["GET", key],
        ]
    differential(routed, redis_ref, commands)


def test_binary_keys_and_values(routed, redis_ref):
    keys = [b"", b"\x00", b"\xff\xfe", b"a\r\nb", b"{tag}x", b"{tag}y", b"{}", b"{", b"}{x}",
            bytes(range(256)), b"k" * 1000]
    commands = [["SET", k, k[::-1] + b"\x00v"] for k in keys]
    commands += [["MGET", *keys], ["EXISTS", *keys], ["DEL", *keys[:5]], ["MGET", *keys],
                 ["DBSIZE"]]
    differential(routed, redis_ref, commands)


def test_select_separates_databases(routed, redis_ref):
    commands = []
    for db in (0, 1, 5, 15):
        commands += [["SELECT", str(db)]]
        commands += [["SET", f"k{i}", f"db{db}-{i}"] for i in range(db + 3)]
    for db in (0, 1, 5, 15, 7):
        commands += [["SELECT", str(db)], ["DBSIZE"], ["MGET", *[f"k{i}" for i in range(20)]],
                     ["EXISTS", "k0", "k1", "k2"]]
    commands += [
        ["SELECT", "5"], ["FLUSHDB"], ["DBSIZE"],
        ["SELECT", "1"], ["DBSIZE"], ["GET", "k1"],
        ["SELECT", "15"], ["DEL", "k0", "k1"], ["DBSIZE"],
        ["SELECT", "0"], ["DBSIZE"],
        ["FLUSHALL"],
        ["DBSIZE"], ["SELECT", "15"], ["DBSIZE"], ["SELECT", "1"], ["GET", "k1"],
    ]
    differential(routed, redis_ref, commands)


def test_flush_options(routed, redis_ref):
    keys = _keys(50)
    commands = [["SET", k, "v"] for k in keys] + [
        ["FLUSHDB", "ASYNC"], ["DBSIZE"],
        ["SET", "a", "1"], ["FLUSHDB", "sync"], ["DBSIZE"],
        ["SET", "a", "1"], ["FLUSHALL", "ASYNC"], ["DBSIZE"],
        ["SET", "a", "1"], ["FLUSHALL", "SYNC"], ["DBSIZE"],
        ["SET", "a", "1"],
        ["FLUSHALL", "BAD"], ["FLUSHDB", "BAD"], ["FLUSHALL", "ASYNC", "SYNC"],
        ["FLUSHDB", "SYNC", "x"], ["DBSIZE"], ["DBSIZE", "x"],
    ]
    differential(routed, redis_ref, commands)


def test_pipelined_cross_shard_commands(routed, redis_ref):
    keys = _keys(64)
    payload = b"".join(encode_command("SET", k, k) for k in keys)
    for i in range(0, 64, 8):
        payload += encode_command("MGET", *keys[i:i + 8], "missing")
        payload += encode_command("EXISTS", *keys[i:i + 8])
        payload += encode_command("DEL", *keys[i:i + 4])
        payload += encode_command("DBSIZE")
        payload += encode_command("GET", keys[i + 5])
    differential_stream(routed, redis_ref, payload)


def test_keys_live_on_the_shard_their_slot_names(shardcache):
    """Each key's memory shows up on the shard that CRC16 slot ranges assign it to."""
    threads = 4
    ours = shardcache(threads=threads)
    r = redis.Redis(port=ours.port, socket_timeout=10)
    for shard, key in enumerate(keys_on_shards(threads, prefix="placed")):
        assert shard_of(key, threads) == shard
        before = r.info("memory")
        r.set(key, "x" * 200_000)
        after = r.info("memory")
        grown = [after[f"shard{i}_used_memory"] - before[f"shard{i}_used_memory"]
                 for i in range(threads)]
        assert grown[shard] >= 200_000, (key, grown)
        assert all(g < 10_000 for i, g in enumerate(grown) if i != shard), (key, grown)
    # Hash tags keep keys together.
    assert len({shard_of(f"{{user:42}}:{field}", threads) for field in "abcdefgh"}) == 1


def test_many_clients_many_keys_redis_py(routed):
    r = redis.Redis(port=routed.port, socket_timeout=10)
    keys = [f"bulk:{i}" for i in range(2000)]
    pipe = r.pipeline(transaction=False)
    for k in keys:
        pipe.set(k, k)
    assert all(pipe.execute())
    assert r.dbsize() == 2000
    assert r.mget(keys) == [k.encode() for k in keys]
    assert r.exists(*keys) == 2000
    assert r.delete(*keys[:1000]) == 1000
    assert r.mget(keys[995:1005]) == [None] * 5 + [k.encode() for k in keys[1000:1005]]
    assert r.flushall() is True
    assert r.dbsize() == 0
    r.close()


def test_crossslot_is_not_an_error_for_mget(routed):
    with routed.connect() as c:
        reply = c.cmd("MGET", *keys_on_shards(4))
        assert reply == [None] * 4
        assert c.cmd("SET", "only", "one") == Status("OK")
