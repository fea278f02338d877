"""Client-side caching: CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO as Redis 7.0
(differential), invalidation pushes from every kind of change across shard threads, RESP2
redirection to __redis__:invalidate, and a near-cache that never serves a stale value."""
import random
import threading
import time

import pytest
import redis

from helpers import Push, RespConnection, differential, encode_command, keys_on_shards


def test_tracking_commands_match_redis(sc, redis_ref):
    differential(sc, redis_ref, [
        ["CLIENT", "TRACKINGINFO"], ["CLIENT", "GETREDIR"],
        ["CLIENT", "TRACKING", "ON"], ["CLIENT", "GETREDIR"], ["CLIENT", "TRACKINGINFO"],
        ["CLIENT", "TRACKING", "OFF"], ["CLIENT", "GETREDIR"],
        ["CLIENT", "TRACKING", "ON", "REDIRECT", "999999"],
        ["CLIENT", "TRACKING", "ON", "REDIRECT", "x"],
        ["CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"],
        ["CLIENT", "TRACKING", "ON", "PREFIX", "a"],
        ["CLIENT", "TRACKING", "ON", "OPTIN", "BCAST"],
        ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a", "PREFIX", "ab"],
        ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a"],
        ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab"],
        ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "b", "NOLOOP"],
        ["CLIENT", "TRACKINGINFO"],
        ["CLIENT", "TRACKING", "ON"],
        ["CLIENT", "CACHING", "YES"],
        ["CLIENT", "TRACKING", "OFF"], ["CLIENT", "CACHING", "YES"],
        ["CLIENT", "TRACKING", "ON", "OPTIN"], ["CLIENT", "CACHING", "NO"],
        ["CLIENT", "CACHING", "YES"], ["CLIENT", "TRACKINGINFO"], ["CLIENT", "TRACKINGINFO"],
        ["CLIENT", "TRACKING", "ON", "OPTOUT"],
        ["CLIENT", "CACHING", "maybe"], ["CLIENT", "TRACKING", "maybe"],
    ], setup=())


class Resp3:
    """A raw RESP3 connection that sets invalidation pushes aside from replies."""

    def __init__(self, port):
        self.conn = RespConnection(port)
        self.pushes = []
        self.call("HELLO", "3")

    def call(self, *args):
        self.conn.send(encode_command(*args))
        while True:
            reply = self.conn.read_reply()
            if isinstance(reply, Push):
                self.pushes.append(reply)
            else:
                return reply

    def invalidated(self, timeout=2.0):
        """Waits for pushes already sent; returns the invalidated keys (None: flush)."""
        self.conn.settimeout(timeout)
        keys = []
        try:
            while True:
                for push in self.pushes:
                    keys.append(None if push[1] is None or not isinstance(push[1], list)
                                else [k.decode() for k in push[1]])
                self.pushes.clear()
                reply = self.conn.read_reply()
                self.pushes.append(reply)
        except Exception:
            pass
        self.conn.settimeout(None)
        return keys

    def close(self):
        self.conn.close()


@pytest.mark.parametrize("threads", [1, 4])
def test_every_kind_of_change_invalidates_a_read_key(shardcache, threads):
    server = shardcache(threads=threads)
    keys = keys_on_shards(threads, "tracked")
    writer = redis.Redis(port=server.port)
    reader = Resp3(server.port)
    assert reader.call("CLIENT", "TRACKING", "ON") == "OK"
    changes = [
        lambda k: writer.set(k, "new"),
        lambda k: writer.delete(k),
        lambda k: writer.expire(k, 100),
        lambda k: writer.append(k, "x"),
    ]
    for key in keys:
        for change in changes:
            writer.set(key, "v")
            reader.invalidated(0.2)  # the SET above invalidates an earlier read
            assert reader.call("GET", key) == b"v"
            change(key)
            assert reader.invalidated(0.5) == [[key]], (key, change)
            # Told once: without a new read, the next change is not reported.
            writer.set(key, "again")
            assert reader.invalidated(0.3) == []
    # Expiry and a container write.
    writer.set("ttl", "v", px=100)
    reader.call("GET", "ttl")
    time.sleep(0.5)
    assert reader.invalidated(1.0) == [["ttl"]]
    writer.rpush("list", "a")
    reader.call("LRANGE", "list", "0", "-1")
    writer.rpush("list", "b")
    assert reader.invalidated(0.5) == [["list"]]
    # FLUSHALL: a null key list.
    reader.call("GET", keys[0])
    writer.set(keys[0], "x")
    reader.invalidated(0.3)
    reader.call("GET", keys[0])
    writer.flushall()
    assert None in reader.invalidated(0.5)
    reader.close()


def test_bcast_optin_noloop(sc):
    writer = redis.Redis(port=sc.port)
    bcast = Resp3(sc.port)
    bcast.call("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:")
    writer.set("user:1", "a")
    writer.set("other", "b")
    assert bcast.invalidated(0.5) == [["user:1"]]

    optin = Resp3(sc.port)
    optin.call("CLIENT", "TRACKING", "ON", "OPTIN")
    optin.call("GET", "k1")  # not tracked
    optin.call("CLIENT", "CACHING", "YES")
    optin.call("GET", "k2")  # tracked
    writer.set("k1", "x")
    writer.set("k2", "x")
    assert optin.invalidated(0.5) == [["k2"]]

    noloop = Resp3(sc.port)
    noloop.call("CLIENT", "TRACKING", "ON", "NOLOOP")
    noloop.call("GET", "mine")
    noloop.call("SET", "mine", "changed by me")
    assert noloop.invalidated(0.3) == []
    noloop.call("GET", "mine")
    writer.set("mine", "changed by someone else")
    assert noloop.invalidated(0.5) == [["mine"]]
    for c in (bcast, optin, noloop):
        c.close()


def test_resp2_redirect_to_invalidate_channel(sc):
    listener = redis.Redis(port=sc.port).pubsub()
    listener.subscribe("__redis__:invalidate")
    assert listener.get_message(timeout=2)["type"] == "subscribe"
    ids = redis.Redis(port=sc.port).client_list()
    sub_id = next(int(c["id"]) for c in ids if c["cmd"] == "subscribe")
    reader = redis.Redis(port=sc.port, single_connection_client=True)
    reader.execute_command("CLIENT", "TRACKING", "ON", "REDIRECT", sub_id)
    assert reader.execute_command("CLIENT", "GETREDIR") == sub_id
    reader.set("r2", "1")
    reader.get("r2")
    redis.Redis(port=sc.port).set("r2", "2")
    message = listener.get_message(timeout=2)
    assert message["channel"] == b"__redis__:invalidate"
    assert message["data"] == [b"r2"]


@pytest.mark.timeout_s(60)
def test_near_cache_never_serves_a_stale_value(shardcache):
    """A reader keeps a local cache in front of shardcache, filled by tracked GETs and emptied
    by invalidation pushes; writers change the keys all the time. Whenever the reader serves a
    value from its cache, that value must be the latest one the writers have acknowledged
    before the reader asked (after draining the pushes that arrived meanwhile)."""
    server = shardcache(threads=4)
    keys = [f"near:{i}" for i in range(20)]
    acknowledged = {k: 0 for k in keys}
    lock = threading.Lock()
    stop = time.monotonic() + 8
    writers_done = threading.Event()

    def write(seed):
        rng = random.Random(seed)
        w = redis.Redis(port=server.port)
        while time.monotonic() < stop:
            key = rng.choice(keys)
            with lock:
                version = acknowledged[key] + 1
                w.set(key, version)  # under the lock: versions grow in acknowledgment order
                acknowledged[key] = version

    threads = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    reader = Resp3(server.port)
    reader.call("CLIENT", "TRACKING", "ON")
    cache, hits, stale = {}, 0, []
    rng = random.Random(99)
    while time.monotonic() < stop:
        key = rng.choice(keys)
        with lock:
            floor = acknowledged[key]
        # A ping round trip: every invalidation sent before it has arrived after it.
        reader.call("PING")
        for push in reader.pushes:
            for k in (push[1] or []):
                cache.pop(k.decode(), None)
            if push[1] is None:
                cache.clear()
        reader.pushes.clear()
        if key in cache:
            hits += 1
            if cache[key] < floor:
                stale.append((key, cache[key], floor))
        else:
            cache[key] = int(reader.call("GET", key) or 0)
    for t in threads:
        t.join()
    reader.close()
    assert stale == []
    assert hits > 100
