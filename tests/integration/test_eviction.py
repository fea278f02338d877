"""maxmemory and eviction in the storage engine: each of Redis's 8 policies chosen at run time
with CONFIG SET, memory bounds under 10x overload, which keys each policy may evict, the OOM
error of noeviction (compared with redis-server 7.0.15), evicted_keys, volatile-ttl's order,
LRU/LFU keeping a hot set, and a Zipf hit-ratio comparison with redis-server (a small run of
tests/bench/hit_ratio.py).

Memory bound: the server checks maxmemory before each command, each of the N shard threads
against maxmemory / N, so used_memory can pass maxmemory by what one command per shard adds
until the next command evicts: one entry (here at most ~3 KB), plus a bucket-array or
expiry-heap resize step. SLACK below (512 KB, 2.5% of 20 MB) bounds that; the measured maximum
is printed (pytest -s)."""
import os
import random
import sys
import threading
import time

import pytest

from helpers import differential

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from zipf import Client, RespError, keyspace_db  # noqa: E402  (tests/bench/zipf.py)

MAXMEMORY = 20 * 1024 * 1024
SLACK = 512 * 1024
OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
POLICIES = ["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru",
            "volatile-lfu", "volatile-random", "volatile-ttl"]
BLOB = random.Random(5).randbytes(1 << 16).hex().encode()  # values are slices of this


class MemorySampler:
    """Samples INFO memory on its own connection every few ms until stopped: the maximum
    used_memory (sum over shards) and used_memory_rss seen."""

    def __init__(self, port):
        self.port = port
        self.max_used = 0
        self.max_rss = 0
        self.samples = 0
        self._stop = threading.Event()
        self._error = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            with Client(self.port) as c:
                while not self._stop.is_set():
                    fields = c.info("memory")
                    self.max_used = max(self.max_used, int(fields["used_memory"]))
                    self.max_rss = max(self.max_rss, int(fields["used_memory_rss"]))
                    self.samples += 1
                    time.sleep(0.003)
        except Exception as e:  # noqa: BLE001 - re-raised by stop()
            self._error = e

    def stop(self):
        self._stop.set()
        self._thread.join(10)
        if self._error:
            raise self._error


class Writer:
    """Pipelined SETs of unique random keys with values of random sizes (batches of ~500)."""

    def __init__(self, client, seed, prefix, min_size=500, max_size=3000):
        self.c = client
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.min_size, self.max_size = min_size, max_size
        self.count = 0

    def batch(self, n, ex=None):
        """Writes n keys (EX ex when given); returns [(key, reply line)]."""
        keys, parts = [], []
        for _ in range(n):
            key = b"%s:%08x:%08d" % (self.prefix, self.rng.getrandbits(32), self.count)
            self.count += 1
            size = self.rng.randint(self.min_size, self.max_size)
            off = self.rng.randrange(len(BLOB) - size)
            value = BLOB[off:off + size]
            cmd = b"*%d\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
                3 if ex is None else 5, len(key), key, len(value), value)
            if ex is not None:
                e = b"%d" % ex
                cmd += b"$2\r\nEX\r\n$%d\r\n%s\r\n" % (len(e), e)
            keys.append(key)
            parts.append(cmd)
        return list(zip(keys, self.c.pipeline_lines(b"".join(parts), n)))

    def write_bytes(self, total, ex=None, stop_on_oom=False):
        """Writes ~total bytes of values; returns (keys acknowledged +OK, OOM replies)."""
        ok, oom, written = [], 0, 0
        avg = (self.min_size + self.max_size) // 2
        while written < total:
            for key, line in self.batch(500, ex):
                if line == b"+OK":
                    ok.append(key)
                elif line == OOM[:-2]:
                    oom += 1
                else:
                    raise AssertionError(f"SET {key!r}: {line!r}")
            written += 500 * avg
            if stop_on_oom and oom:
                break
        return ok, oom


def exists_count(c, keys):
    if not keys:
        return 0
    total = 0
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        total += c.call("EXISTS", *chunk)
    return total


def configure(c, policy, maxmemory=MAXMEMORY):
    assert c.call("CONFIG", "SET", "maxmemory-policy", policy) == "OK"
    assert c.call("CONFIG", "SET", "maxmemory", str(maxmemory)) == "OK"
    assert c.call("CONFIG", "GET", "maxmemory-policy") == [b"maxmemory-policy", policy.encode()]
    assert c.call("CONFIG", "GET", "maxmemory") == [b"maxmemory", str(maxmemory).encode()]


# ------------------------------------------------------------------------------------------
# Each policy under a 10x overload
# ------------------------------------------------------------------------------------------

@pytest.mark.timing
@pytest.mark.timeout_s(120)
@pytest.mark.parametrize("policy", POLICIES)
def test_policy_under_overload(shardcache, policy):
    """maxmemory 20 MB, then 10x that written in unique random keys (values 500..3000 bytes):
    used_memory stays under maxmemory + SLACK throughout (sampled every few ms), RSS under
    3 x maxmemory + the RSS at start, and evicted_keys = keys written - keys held.
    allkeys-*: every SET succeeds. volatile-*: 5 MB of keys without TTL are written first and
    all survive while volatile keys (EX 3600) are evicted; then more keys without TTL push the
    volatile ones out until none is left, and from then on writes get OOM.
    noeviction: writes get OOM once full, nothing is evicted."""
    server = shardcache(threads=2)
    rng_seed = POLICIES.index(policy)
    with Client(server.port) as c:
        rss_start = int(c.info("memory")["used_memory_rss"])
        configure(c, policy)
        sampler = MemorySampler(server.port)
        writer = Writer(c, rng_seed, b"k")
        persistent, volatile, oom_seen = [], [], 0
        try:
            if policy == "noeviction":
                persistent, oom_seen = writer.write_bytes(10 * MAXMEMORY, stop_on_oom=True)
            elif policy.startswith("allkeys"):
                persistent, oom_seen = writer.write_bytes(10 * MAXMEMORY)
            else:
                persistent, oom_seen = writer.write_bytes(5 * 1024 * 1024)
                assert oom_seen == 0
                volatile, oom_seen = writer.write_bytes(10 * MAXMEMORY, ex=3600)
        finally:
            sampler.stop()
        # Every command first evicts what the previous one put over the limit, on the shards
        # it runs on: a DBSIZE (all shards) settles the counts before they are read.
        c.call("DBSIZE")
        mid = c.info()
        dbsize = c.call("DBSIZE")
        written = len(persistent) + len(volatile)
        held_persistent = exists_count(c, persistent)
        held_volatile = exists_count(c, volatile)
        line = (f"\n[{policy}] wrote {written} keys (+{oom_seen} OOM); held {dbsize}; "
                f"evicted_keys={mid['evicted_keys']}; max used_memory {sampler.max_used} "
                f"(maxmemory {MAXMEMORY}, over by {sampler.max_used - MAXMEMORY}) over "
                f"{sampler.samples} samples; used_memory_peak {mid['used_memory_peak']}; "
                f"max rss {sampler.max_rss} (start {rss_start})")
        print(line)

        assert sampler.samples > 10
        assert sampler.max_used <= MAXMEMORY + SLACK, line
        assert int(mid["used_memory"]) <= MAXMEMORY + SLACK
        assert sampler.max_rss <= 3 * MAXMEMORY + rss_start, line
        assert held_persistent + held_volatile == dbsize
        assert int(mid["evicted_keys"]) == written - dbsize

        if policy == "noeviction":
            assert oom_seen > 0
            assert int(mid["evicted_keys"]) == 0
            assert dbsize == written
            assert dbsize * 500 < MAXMEMORY + SLACK
            # Memory may have been given back since the last refusal (a finished rehash frees
            # the old bucket array), so write until the limit is reached again; from then on
            # every further SET is refused, while reads and deletes work.
            # maxmemory is split over the shards: retrying the refused key (same shard, still
            # over its share) must be refused again.
            for _ in range(200):
                refused_key, line = writer.batch(1)[0]
                if line == OOM[:-2]:
                    break
            else:
                raise AssertionError("no OOM within 200 more writes under noeviction")
            for _ in range(3):
                with pytest.raises(RespError, match="OOM"):
                    c.call("SET", refused_key, b"v" * 1000)
            assert c.call("GET", persistent[0]) is not None
            assert c.call("DEL", persistent[0], persistent[1]) == 2
            return
        assert int(mid["evicted_keys"]) > 0
        if policy.startswith("allkeys"):
            assert oom_seen == 0
            # Filled to the limit, not far below it.
            assert int(mid["used_memory"]) >= 0.9 * MAXMEMORY
            return

        # volatile-*: no key without a TTL was evicted; only volatile ones were.
        assert oom_seen == 0
        assert held_persistent == len(persistent), "a key without TTL was evicted"
        assert held_volatile < len(volatile)
        # Now keys without TTL push the volatile ones out, then writes are refused.
        more, oom = writer.write_bytes(2 * MAXMEMORY, stop_on_oom=False)
        after = c.info()
        ks = keyspace_db(after)
        assert oom > 0, "writes beyond what keys without TTL can hold must get OOM"
        assert ks["expires"] == 0, f"OOM while volatile keys remain: {ks}"
        assert exists_count(c, persistent) == len(persistent)
        assert exists_count(c, more) == len(more)
        assert int(after["evicted_keys"]) == len(volatile)  # every one, none expired
        assert writer.batch(1, ex=100)[0][1] == OOM[:-2]
        assert writer.batch(1)[0][1] == OOM[:-2]
        assert int(after["used_memory"]) <= MAXMEMORY + SLACK


# ------------------------------------------------------------------------------------------
# noeviction's error, compared with redis-server
# ------------------------------------------------------------------------------------------

def fill(server, count, value_size=1000):
    """SETs fill:NNNNNN with deterministic values (the same bytes on every server)."""
    with Client(server.port) as c:
        for start in range(0, count, 100):
            keys = [b"fill:%06d" % i for i in range(start, min(count, start + 100))]
            payload = b"".join(b"*3\r\n$3\r\nSET\r\n$11\r\n%s\r\n$%d\r\n%s\r\n" % (
                k, value_size, (k * (value_size // len(k) + 1))[:value_size]) for k in keys)
            assert c.pipeline_ok(payload, len(keys)) == 0


@pytest.mark.timeout_s(60)
@pytest.mark.parametrize("threads", [1, 2])
def test_noeviction_oom_error_matches_redis(shardcache, redis_server, threads):
    """Over maxmemory with noeviction, both servers refuse the same commands (those flagged
    denyoom: SET, APPEND, INCR, SETNX, MSET, SETEX, GETSET...) with the same error bytes, in
    RESP2 and RESP3, and accept reads, EXPIRE, PERSIST and deletes; once deletes bring memory
    under the limit, writes work again. Each server gets 1000 keys of 1000 bytes, then a
    maxmemory 300 KB under its used_memory (redis-server's used_memory counts client buffers
    that come and go with connections: the margin keeps it over the limit)."""
    ours = shardcache(threads=threads)
    ref = redis_server()
    for server in (ours, ref):
        fill(server, 1000)
        with Client(server.port) as c:
            used = int(c.info("memory")["used_memory"])
            configure(c, "noeviction", used - 300_000)
    refused = [["SET", "new", "v"], ["SET", "fill:000000", "v"], ["APPEND", "fill:000000", "x"],
               ["INCR", "counter"], ["SETNX", "new", "v"], ["MSET", "a", "1", "b", "2"],
               ["SETEX", "new", "100", "v"], ["GETSET", "fill:000001", "v"],
               ["SET", "new", "v", "EX", "100"], ["INCRBYFLOAT", "f", "1.5"]]
    allowed = [["GET", "fill:000000"], ["STRLEN", "fill:000001"], ["EXISTS", "fill:000002"],
               ["EXPIRE", "fill:000003", "1000"], ["PERSIST", "fill:000003"],
               ["TTL", "fill:000003"], ["GETRANGE", "fill:000004", "0", "9"],
               ["MGET", "fill:000005", "nothing"], ["PING"]]
    results = differential(ours, ref, refused + allowed, setup=())
    assert results[2][0] == OOM
    # Deletes are allowed and, once under the limit, writes succeed again.
    differential(ours, ref, [["DEL"] + [f"fill:{i:06d}" for i in range(10, 700)],
                             ["GET", "fill:000010"], ["SET", "after", "delete"]],
                 protocols=(2,), setup=())
    for server in (ours, ref):
        with Client(server.port) as c:
            assert int(c.info("stats")["evicted_keys"]) == 0


# ------------------------------------------------------------------------------------------
# Which keys go
# ------------------------------------------------------------------------------------------

def exists_each(c, keys):
    payload = b"".join(b"*2\r\n$6\r\nEXISTS\r\n$%d\r\n%s\r\n" % (len(k), k) for k in keys)
    return [line == b":1" for line in c.pipeline_lines(payload, len(keys))] if keys else []


@pytest.mark.timeout_s(60)
def test_volatile_ttl_evicts_soonest_expiring_first(shardcache):
    """volatile-ttl (one shard: exact order): 8 MB of keys with distinct TTLs between 1000 s and
    100000 s, then 5 MB of keys with a 200000 s TTL under a 10 MB limit. The evicted keys are
    exactly the ones with the smallest TTLs: every evicted key expires before every survivor,
    and none of the longer-lived keys written last is evicted."""
    server = shardcache(threads=1)
    rng = random.Random(11)
    with Client(server.port) as c:
        configure(c, "volatile-ttl", 10 * 1024 * 1024)
        ttls = rng.sample(range(1_000_000, 100_000_000), 8000)  # ms, distinct
        first = [b"t:%06d" % i for i in range(len(ttls))]
        value = b"v" * 1000
        for start in range(0, len(first), 500):
            payload = b"".join(
                b"*5\r\n$3\r\nSET\r\n$8\r\n%s\r\n$1000\r\n%s\r\n$2\r\nPX\r\n$%d\r\n%d\r\n" % (
                    first[i], value, len(str(ttls[i])), ttls[i])
                for i in range(start, min(start + 500, len(first))))
            assert c.pipeline_ok(payload, min(500, len(first) - start)) == 0
        assert int(c.info("stats")["evicted_keys"]) == 0, "the first 8 MB must fit"
        late = [b"l:%06d" % i for i in range(5000)]
        for start in range(0, len(late), 500):
            chunk = late[start:start + 500]
            payload = b"".join(
                b"*5\r\n$3\r\nSET\r\n$8\r\n%s\r\n$1000\r\n%s\r\n$2\r\nEX\r\n$6\r\n200000\r\n" % (
                    k, value) for k in chunk)
            assert c.pipeline_ok(payload, len(chunk)) == 0
        c.call("DBSIZE")
        alive = exists_each(c, first)
        late_alive = exists_each(c, late)
        evicted = int(c.info("stats")["evicted_keys"])
    gone_ttls = [t for t, a in zip(ttls, alive) if not a]
    kept_ttls = [t for t, a in zip(ttls, alive) if a]
    print(f"\n[volatile-ttl] {len(gone_ttls)} of {len(ttls)} evicted; longest TTL evicted "
          f"{max(gone_ttls, default=0)} ms, shortest kept {min(kept_ttls, default=0)} ms")
    assert all(late_alive), f"{late_alive.count(False)} of the longest-lived keys were evicted"
    assert gone_ttls and kept_ttls
    assert evicted == len(gone_ttls)
    assert max(gone_ttls) < min(kept_ttls)


def read_all(c, keys, times=1):
    payload = b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k) for k in keys) * times
    c.sock.sendall(payload)
    return [c.read_reply() for _ in range(len(keys) * times)]


@pytest.mark.timing
@pytest.mark.timeout_s(60)
@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu"])
def test_hot_set_survives(shardcache, policy):
    """18 MB of cold keys plus a hot set H and a control set K (1000 keys each, written with
    them), under a 20 MB limit. Then H is read (LRU: once, after a 2.2 s pause so that everything
    else is at least 2 s idle; LFU: 20 times), and 10 MB of new keys are written: about half of
    the old keys must go. H survives (>= 99%); K, never read, fares like the cold keys."""
    server = shardcache(threads=2)
    with Client(server.port) as c:
        configure(c, policy)
        # The control set is written interleaved with the cold keys, 100 after each 1.5 MB: LRU
        # time is in seconds and loading the cold keys can take several on a loaded machine, so
        # control keys written all before (or after) them would be older (or younger).
        control_writer = Writer(c, 23, b"ctl", 900, 1100)
        writer = Writer(c, 21, b"cold", 900, 1100)
        control, cold = [], []
        for _ in range(10):
            written, _ = writer.write_bytes(1_500_000)  # three batches of 500 keys
            cold += written
            control += [key for key, line in control_writer.batch(100)]
        hot = [key for key, line in Writer(c, 22, b"hot", 900, 1100).batch(1000)]
        assert int(c.info("stats")["evicted_keys"]) == 0, "the first 17 MB must fit"
        if policy == "allkeys-lru":
            time.sleep(2.2)
            assert None not in read_all(c, hot)
        else:
            assert None not in read_all(c, hot, times=20)
        new, _ = Writer(c, 24, b"new", 900, 1100).write_bytes(10 * 1024 * 1024)
        c.call("DBSIZE")
        share = {name: sum(exists_each(c, keys)) / len(keys)
                 for name, keys in (("hot", hot), ("control", control), ("cold", cold),
                                    ("new", new))}
        evicted = int(c.info("stats")["evicted_keys"])
    print(f"\n[{policy}] evicted {evicted}; share surviving: " +
          ", ".join(f"{k} {v:.3f}" for k, v in share.items()))
    assert evicted > len(cold) * 0.3
    assert share["hot"] >= 0.99
    assert share["control"] < 0.8
    assert abs(share["control"] - share["cold"]) < 0.1
    if policy == "allkeys-lru":
        assert share["new"] >= 0.95  # idle 0 s, the cold keys >= 2 s


# ------------------------------------------------------------------------------------------
# Run-time configuration
# ------------------------------------------------------------------------------------------

@pytest.mark.timeout_s(30)
def test_eviction_config_at_run_time_matches_redis(sc, redis_server):
    """CONFIG SET / GET of maxmemory, maxmemory-policy, maxmemory-samples, lfu-log-factor,
    lfu-decay-time (values, units, case, range errors), and OBJECT FREQ / IDLETIME following
    the policy switched at run time: with lfu-log-factor 0 every access adds exactly 1 to the
    LFU counter (new keys start at 5), so the replies are deterministic."""
    ref = redis_server()
    commands = [
        ["CONFIG", "SET", "maxmemory", "20mb"], ["CONFIG", "GET", "maxmemory"],
        ["CONFIG", "SET", "maxmemory", "1gb"], ["CONFIG", "GET", "maxmemory"],
        ["CONFIG", "SET", "maxmemory", "123456"], ["CONFIG", "GET", "maxmemory"],
        ["CONFIG", "SET", "maxmemory", "-1"], ["CONFIG", "SET", "maxmemory", "12zz"],
        ["CONFIG", "GET", "maxmemory"],
        ["CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LFU"],
        ["CONFIG", "GET", "maxmemory-policy"],
        ["CONFIG", "SET", "maxmemory-policy", "lfu"],
        ["CONFIG", "SET", "maxmemory-samples", "10"], ["CONFIG", "GET", "maxmemory-samples"],
        ["CONFIG", "SET", "maxmemory-samples", "0"], ["CONFIG", "SET", "maxmemory-samples", "65"],
        ["CONFIG", "SET", "lfu-log-factor", "0"], ["CONFIG", "GET", "lfu-log-factor"],
        ["CONFIG", "SET", "lfu-log-factor", "-1"],
        ["CONFIG", "SET", "lfu-decay-time", "0"], ["CONFIG", "GET", "lfu-decay-time"],
        ["CONFIG", "SET", "lfu-decay-time", "-1"],
        ["CONFIG", "SET", "maxmemory", "0"],
        ["SET", "k", "v"], ["OBJECT", "FREQ", "k"],
        ["GET", "k"], ["GET", "k"], ["GET", "k"], ["OBJECT", "FREQ", "k"],
        ["OBJECT", "IDLETIME", "k"], ["OBJECT", "FREQ", "missing"],
        ["CONFIG", "SET", "maxmemory-policy", "volatile-lfu"], ["OBJECT", "FREQ", "k"],
        ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"], ["OBJECT", "FREQ", "k"],
        # (OBJECT IDLETIME right after an LFU -> LRU switch reads LFU bits as a clock in both
        # servers: not comparable.)
        ["SET", "k2", "v"], ["GET", "k2"], ["OBJECT", "IDLETIME", "k2"],
        ["CONFIG", "SET", "maxmemory-policy", "noeviction"], ["OBJECT", "IDLETIME", "k2"],
        ["OBJECT", "FREQ", "k2"],
        ["CONFIG", "SET", "maxmemory", "0"], ["CONFIG", "SET", "maxmemory-samples", "5"],
        ["CONFIG", "SET", "lfu-log-factor", "10"], ["CONFIG", "SET", "lfu-decay-time", "1"],
        ["CONFIG", "SET", "maxmemory-policy", "noeviction"],
    ]
    differential(sc, ref, commands)
    # A glob's replies come in hash order in Redis: compared as maps.
    for pattern in ("lfu-*", "maxmemory-[ps]*"):
        replies = []
        for server in (sc, ref):
            with Client(server.port) as c:
                flat = c.call("CONFIG", "GET", pattern)
                replies.append(dict(zip(flat[0::2], flat[1::2])))
        assert replies[0] == replies[1], (pattern, replies)


@pytest.mark.timing
@pytest.mark.timeout_s(60)
@pytest.mark.parametrize("threads", [1, 2])
def test_lowering_maxmemory_evicts(shardcache, threads):
    """20 MB of keys, then CONFIG SET maxmemory 5mb (allkeys-random): as in Redis (whose CONFIG
    SET maxmemory evicts at once), used_memory falls under the new limit without further writes;
    here each shard gets there by its next command or timer tick, so INFO alone (within 1 s)
    must see it."""
    server = shardcache(threads=threads)
    with Client(server.port) as c:
        Writer(c, 31, b"k", 900, 1100).write_bytes(20 * 1024 * 1024)
        before = int(c.info("memory")["used_memory"])
        assert c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random") == "OK"
        assert c.call("CONFIG", "SET", "maxmemory", "5mb") == "OK"
        deadline = time.monotonic() + 1.0
        while True:
            used = int(c.info("memory")["used_memory"])
            if used <= 5 * 1024 * 1024 + SLACK or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        print(f"\n[threads={threads}] used_memory {before} -> {used} after CONFIG SET "
              f"maxmemory 5mb and INFO only")
        assert used <= 5 * 1024 * 1024 + SLACK, (
            f"used_memory {used} still over the new maxmemory 1 s after CONFIG SET")
        c.call("DBSIZE")  # a command on every shard
        assert int(c.info("memory")["used_memory"]) <= 5 * 1024 * 1024 + SLACK
        assert int(c.info("stats")["evicted_keys"]) > 0


# ------------------------------------------------------------------------------------------
# Hit ratio against redis-server (small run of tests/bench/hit_ratio.py)
# ------------------------------------------------------------------------------------------

@pytest.mark.timing
@pytest.mark.timeout_s(240)
@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu"])
def test_hit_ratio_not_worse_than_redis(shardcache, redis_server, policy):
    """The same seeded Zipf(0.99) sequence (100k GETs over 20k keys, SET on miss, 1000-byte
    values) against shardcache (1 thread) and redis-server, each with maxmemory calibrated to
    hold 10% of the keys (see hit_ratio.py): shardcache's hit ratio over the warm second half is
    at least redis-server's minus 2 points."""
    import hit_ratio
    from zipf import Zipf
    zipf = Zipf(20_000, 0.99, seed=3)
    sequence = zipf.sequence(100_000)
    results = {}
    for name, server in (("shardcache", shardcache(threads=1)), ("redis", redis_server())):
        results[name] = hit_ratio.measure(server.port, policy, sequence, 20_000, 0.10, 1000,
                                          samples=5, log=lambda m: None)
    ours, theirs = results["shardcache"], results["redis"]
    print(f"\n[{policy}] hit ratio second half: shardcache {ours['hit_ratio_warm']:.4f} "
          f"({ours['held']} keys held), redis {theirs['hit_ratio_warm']:.4f} "
          f"({theirs['held']} keys held, {theirs['runs']} runs); ideal "
          f"{zipf.top_share(2000):.4f}")
    # The comparison only means something at equal capacity.
    assert abs(ours["held"] - theirs["held"]) <= 0.03 * 2000, (ours["held"], theirs["held"])
    assert ours["hit_ratio_warm"] >= theirs["hit_ratio_warm"] - 0.02


@pytest.mark.timeout_s(30)
@pytest.mark.parametrize("threads", [1, 2])
def test_resetstat_clears_expired_and_evicted(shardcache, redis_server, threads):
    """CONFIG RESETSTAT zeroes expired_keys and evicted_keys (and keyspace_hits/misses), as in
    Redis (resetServerStats)."""
    ours = shardcache(threads=threads)
    ref = redis_server()
    for server in (ref, ours):  # redis-server first: it shows what is expected
        with Client(server.port) as c:
            for i in range(20):
                c.call("SET", f"e{i}", "v", "PX", "1")
            time.sleep(0.05)
            for i in range(20):
                assert c.call("GET", f"e{i}") is None
            used = int(c.info("memory")["used_memory"])
            configure(c, "allkeys-random", used + 200_000)
            Writer(c, 41, b"k", 900, 1100).write_bytes(1024 * 1024)
            c.call("CONFIG", "SET", "maxmemory", "0")
            before = c.info("stats")
            assert int(before["expired_keys"]) == 20
            assert int(before["evicted_keys"]) > 0
            assert c.call("CONFIG", "RESETSTAT") == "OK"
            after = c.info("stats")
            got = {k: after[k] for k in ("expired_keys", "evicted_keys", "keyspace_hits",
                                         "keyspace_misses", "expired_stale_perc")}
            assert got == {"expired_keys": "0", "evicted_keys": "0", "keyspace_hits": "0",
                           "keyspace_misses": "0", "expired_stale_perc": "0.00"}, \
                f"{server.kind}: {got}"
