"""Pipelines whose commands live on several shard threads (server/pipeline_batch.h): the
single-shard commands of one read are sent to their shards in batches, and the replies must still
come back in request order, byte for byte as Redis sends them, with commands that cannot join a
batch (multi-shard, MULTI, SELECT, CLIENT REPLY, blocking, unknown) in between."""
import random
import socket
import time

import pytest
import redis

from helpers import differential_stream, encode_command, keys_on_shards


@pytest.fixture
def sharded(shardcache):
    return shardcache(threads=4)


def _mixed_pipeline(seed: int, count: int) -> list[list[str]]:
    rng = random.Random(seed)
    keys = [f"k{i}" for i in range(64)]
    commands = []
    for _ in range(count):
        key = rng.choice(keys)
        roll = rng.random()
        if roll < 0.3:
            commands.append(["SET", key, str(rng.randint(0, 999))])
        elif roll < 0.55:
            commands.append(["GET", key])
        elif roll < 0.65:
            commands.append(["INCR", key])  # WRONGTYPE-free but may be "not an integer"
        elif roll < 0.72:
            commands.append(["LPUSH", key, "x"])  # WRONGTYPE on string keys, from any shard
        elif roll < 0.78:
            commands.append(["DEL", key])
        elif roll < 0.82:
            commands.append(["MGET", *rng.sample(keys, 3)])  # spans shards: not batched
        elif roll < 0.85:
            commands.append(["MSET", rng.choice(keys), "m", rng.choice(keys), "n"])
        elif roll < 0.88:
            commands.append(["EXISTS", key])
        elif roll < 0.90:
            commands.append(["DBSIZE"])
        elif roll < 0.92:
            commands.append(["PING"])
        elif roll < 0.94:
            commands.append(["NOSUCHCOMMAND", key])
        elif roll < 0.96:
            commands.append(["GET"])  # wrong arity
        else:
            commands.append(["APPEND", key, "z"])
    return commands


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mixed_pipeline_replies_match_redis(sharded, redis_ref, seed):
    differential_stream(sharded, redis_ref, _mixed_pipeline(seed, 3000))


def test_barriers_inside_a_pipeline(sharded, redis_ref):
    a, b, c, d = keys_on_shards(4, "bar")
    commands = [
        ["SET", a, "1"], ["SET", b, "2"], ["SET", c, "3"], ["SET", d, "4"],
        ["SELECT", "1"], ["GET", a], ["SET", b, "db1"], ["GET", b],  # the new db applies
        ["SELECT", "0"], ["GET", b],
        ["MULTI"], ["INCR", a], ["GET", c], ["EXEC"],
        ["GET", d], ["CLIENT", "REPLY", "SKIP"], ["GET", c], ["GET", d],  # GET c is muted
        ["BLPOP", "nolist", "0.01"], ["GET", a],
        ["SET", c, "x", "GET"], ["GETDEL", d], ["GET", d],
    ]
    differential_stream(sharded, redis_ref, commands, setup=(("FLUSHALL",),))


def test_inline_commands_pipelined(sharded, redis_ref):
    keys = keys_on_shards(4, "inl")
    payload = b"".join(b"SET %s v%d\r\nGET %s\r\n" % (k.encode(), i, k.encode())
                       for i, k in enumerate(keys * 20))
    payload += b'SET "quoted key" "a b"\r\nGET "quoted key"\r\n'
    differential_stream(sharded, redis_ref, payload)


def test_same_key_order_and_final_state(sharded):
    """Commands on one key keep their order whichever shard the pipeline starts on."""
    r = redis.Redis(port=sharded.port)
    pipe = r.pipeline(transaction=False)
    keys = keys_on_shards(4, "ord")
    for i in range(500):
        for k in keys:
            pipe.rpush(k, i)
    pipe.execute()
    for k in keys:
        assert r.lrange(k, 0, -1) == [str(i).encode() for i in range(500)]


def test_commandstats_count_batched_commands(sharded):
    r = redis.Redis(port=sharded.port)
    r.config_resetstat()
    pipe = r.pipeline(transaction=False)
    keys = keys_on_shards(4, "st")
    for k in keys * 25:
        pipe.set(k, "v").get(k)
    pipe.execute()
    stats = r.info("commandstats")
    assert stats["cmdstat_set"]["calls"] == 100
    assert stats["cmdstat_get"]["calls"] == 100


def test_optin_caching_applies_to_the_next_batched_command_only(sharded):
    """CLIENT CACHING YES then two pipelined GETs on other shards: only the first is tracked."""
    a, b = keys_on_shards(4, "trk")[2:]
    r = redis.Redis(port=sharded.port)
    with socket.create_connection(("127.0.0.1", sharded.port)) as s:
        s.sendall(encode_command("HELLO", "3"))
        time.sleep(0.1)
        s.recv(65536)
        s.sendall(encode_command("CLIENT", "TRACKING", "ON", "OPTIN") +
                  encode_command("CLIENT", "CACHING", "YES") +
                  encode_command("GET", a) + encode_command("GET", b))
        got = b""
        deadline = time.time() + 5
        while got.count(b"\r\n") < 4 and time.time() < deadline:
            got += s.recv(65536)
        assert got == b"+OK\r\n+OK\r\n_\r\n_\r\n"
        r.set(b, "changed")
        r.set(a, "changed")
        s.settimeout(2)
        pushes = b""
        deadline = time.time() + 2
        while b"\r\n" not in pushes[-2:] or pushes.count(b">2") < 1:
            pushes += s.recv(65536)
            if time.time() > deadline:
                break
        assert a.encode() in pushes
        assert b.encode() not in pushes


def test_pipeline_waits_for_a_transaction_holding_its_key(sharded):
    """A batch for a shard where MULTI/EXEC holds a key runs after the EXEC, in order."""
    keys = keys_on_shards(4, "lk")
    writer = redis.Redis(port=sharded.port)
    reader = redis.Redis(port=sharded.port)
    for _ in range(50):
        tx = writer.pipeline(transaction=True)
        for k in keys:
            tx.incr(k)
        tx.execute()
        pipe = reader.pipeline(transaction=False)
        for k in keys:
            pipe.get(k)
        values = pipe.execute()
        assert len(set(values)) == 1, values  # a transaction is seen whole or not at all
