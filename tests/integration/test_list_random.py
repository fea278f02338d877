"""A seeded random sequence of 120k list commands (every non-blocking LIST command, and the
blocking ones on keys that hold data; small key and value spaces so that they
collide; lists small and large, under list-max-listpack-size 4 so that nodes split and merge)
sent pipelined to shardcache and redis-server 7.0.15; every reply must be byte-identical. The
seed is printed on failure; SHARDCACHE_LIST_SEED replays one."""
import os
import random

import pytest

from helpers import RespConnection, encode_command, read_n_replies

COMMANDS = 120_000
BATCH = 500
KEYS = ["l0", "l1", "l2", "l3"]


def value(rng):
    roll = rng.random()
    if roll < 0.8:
        return f"v{rng.randrange(12)}"
    if roll < 0.95:
        return str(rng.randint(-3, 300))
    return "x" * rng.choice([0, 1, 127, 128, 300])


def index(rng):
    return str(rng.randint(-25, 25))


def random_commands(rng):
    """One command, or a few that belong together."""
    made = random_command(rng)
    return made if isinstance(made[0], list) else [made]


def random_command(rng):
    key = rng.choice(KEYS)
    roll = rng.randrange(100)
    if roll < 25:
        op = rng.choice(["LPUSH", "RPUSH", "LPUSH", "RPUSH", "LPUSHX", "RPUSHX"])
        return [op, key, *[value(rng) for _ in range(rng.randint(1, 6))]]
    if roll < 37:
        cmd = [rng.choice(["LPOP", "RPOP"]), key]
        return cmd + [str(rng.randint(0, 4))] if rng.random() < 0.4 else cmd
    if roll < 45:
        return ["LRANGE", key, index(rng), index(rng)]
    if roll < 50:
        return ["LINDEX", key, index(rng)]
    if roll < 54:
        return ["LSET", key, index(rng), value(rng)]
    if roll < 58:
        return ["LINSERT", key, rng.choice(["BEFORE", "AFTER"]), value(rng), value(rng)]
    if roll < 62:
        return ["LREM", key, str(rng.randint(-3, 3)), value(rng)]
    if roll < 65:
        return ["LTRIM", key, index(rng), index(rng)]
    if roll < 70:
        cmd = ["LPOS", key, value(rng)]
        if rng.random() < 0.5:
            cmd += ["RANK", rng.choice(["1", "2", "-1", "-2", "3"])]
        if rng.random() < 0.5:
            cmd += ["COUNT", str(rng.randint(0, 3))]
        if rng.random() < 0.3:
            cmd += ["MAXLEN", str(rng.randint(0, 10))]
        return cmd
    if roll < 76:
        ends = [rng.choice(["LEFT", "RIGHT"]), rng.choice(["LEFT", "RIGHT"])]
        return rng.choice([["LMOVE", key, rng.choice(KEYS), *ends], ["RPOPLPUSH", key, rng.choice(KEYS)]])
    if roll < 80:
        keys = rng.sample(KEYS + ["none"], rng.randint(1, 3))
        cmd = ["LMPOP", str(len(keys)), *keys, rng.choice(["LEFT", "RIGHT"])]
        return cmd + ["COUNT", str(rng.randint(1, 4))] if rng.random() < 0.5 else cmd
    if roll < 84:
        # Blocking commands on a key just pushed to, so they never wait (redis-server notices a
        # blocked client's timeout only at its next cron tick, up to 100 ms later).
        keys = rng.sample(KEYS, rng.randint(1, 2))
        push = ["RPUSH", keys[-1], value(rng)]
        choice = rng.randrange(4)
        if choice == 0:
            return [push, [rng.choice(["BLPOP", "BRPOP"]), *keys, "0.001"]]
        if choice == 1:
            return [push, ["BLMPOP", "1", str(len(keys)), *keys, rng.choice(["LEFT", "RIGHT"])]]
        if choice == 2:
            return [push, ["BLMOVE", keys[-1], rng.choice(KEYS), "LEFT", "RIGHT", "0"]]
        return [push, ["BRPOPLPUSH", keys[-1], rng.choice(KEYS), "0.5"]]
    if roll < 86:
        return ["DEL", key]
    if roll < 88:
        return ["LRANGE", key, "0", "-1"]
    return ["LLEN", key]


@pytest.mark.timeout_s(120)
def test_random_sequence_matches_redis(sc, redis_ref):
    seed = int(os.environ.get("SHARDCACHE_LIST_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    ours = RespConnection(sc.port)
    ref = RespConnection(redis_ref.port)
    for conn in (ours, ref):
        conn.cmd("FLUSHALL")
        conn.cmd("CONFIG", "SET", "list-max-listpack-size", "4")
    try:
        done = 0
        while done < COMMANDS:
            batch = [c for _ in range(BATCH) for c in random_commands(rng)]
            payload = b"".join(encode_command(*c) for c in batch)
            ours.send(payload)
            ref.send(payload)
            a = read_n_replies(ours, len(batch))
            b = read_n_replies(ref, len(batch))
            if a != b:
                i = next(i for i in range(len(batch)) if a[i] != b[i])
                pytest.fail(f"seed {seed}: command {done + i} {batch[i]!r}: shardcache {a[i]!r} "
                            f"redis {b[i]!r}", pytrace=False)
            done += len(batch)
        for k in KEYS:
            assert ours.cmd("LRANGE", k, "0", "-1") == ref.cmd("LRANGE", k, "0", "-1"), seed
    finally:
        ref.cmd("CONFIG", "SET", "list-max-listpack-size", "-2")
