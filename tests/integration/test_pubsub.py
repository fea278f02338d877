"""Pub/sub: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, (S)PUBLISH and PUBSUB as Redis 7.0 (differential
against redis-server), delivery across shard threads in publish order, and the pubsub output
buffer limit that disconnects a subscriber that does not read."""
import socket
import threading
import time

import pytest
import redis

from helpers import RespConnection, differential, encode_command, wait_until


def test_subscribed_mode_replies_match_redis(sc, redis_ref):
    # One connection per protocol: subscribe confirmations, RESP2's subscribed-mode refusals and
    # PING shape, RESP3's pushes with other commands allowed, unsubscribing everything.
    differential(sc, redis_ref, [
        ["SUBSCRIBE", "a", "b", "a"], ["PSUBSCRIBE", "n*"], ["SSUBSCRIBE", "s1"],
        ["PING"], ["PING", "hi"], ["GET", "k"],
        ["UNSUBSCRIBE", "b", "nosuch"], ["PUNSUBSCRIBE"], ["SUNSUBSCRIBE"],
        ["UNSUBSCRIBE"], ["UNSUBSCRIBE"], ["PUNSUBSCRIBE"], ["PING"], ["GET", "k"],
    ])


def test_publish_counts_and_pubsub_introspection_match_redis(sc, redis_ref):
    def subscribe(server):
        conn = RespConnection(server.port)
        for cmd in (("SUBSCRIBE", "news", "sport"), ("PSUBSCRIBE", "ne*", "x?"),
                    ("SSUBSCRIBE", "shard1")):
            conn.send(encode_command(*cmd))
        return conn
    ours, ref = subscribe(sc), subscribe(redis_ref)
    time.sleep(0.2)
    try:
        differential(sc, redis_ref, [
            ["PUBLISH", "news", "m1"], ["PUBLISH", "nobody", "m"], ["PUBLISH", "xy", "m"],
            ["SPUBLISH", "shard1", "m"], ["SPUBLISH", "news", "m"],
            ["PUBSUB", "NUMSUB", "news", "sport", "none"], ["PUBSUB", "NUMSUB"],
            ["PUBSUB", "NUMPAT"], ["PUBSUB", "SHARDNUMSUB", "shard1", "x"],
            ["PUBSUB", "CHANNELS", "sp*"], ["PUBSUB", "SHARDCHANNELS"],
            ["PUBSUB", "CHANNELS", "a", "b"],
        ], setup=())
    finally:
        ours.close()
        ref.close()


def test_messages_reach_redis_py_subscribers_on_every_thread(shardcache):
    server = shardcache(threads=4)
    received = []
    subscribers = []
    for _ in range(8):  # connections land on different shard threads
        p = redis.Redis(port=server.port).pubsub()
        p.subscribe("events")
        p.psubscribe("ev*")
        subscribers.append(p)
    for p in subscribers:
        for _ in range(2):
            assert p.get_message(timeout=2)["type"] in ("subscribe", "psubscribe")
    publisher = redis.Redis(port=server.port)
    assert publisher.publish("events", "hello") == 16
    for p in subscribers:
        got = [p.get_message(timeout=2) for _ in range(2)]
        received.append(sorted((m["type"], m["data"]) for m in got))
    assert received == [[("message", b"hello"), ("pmessage", b"hello")]] * 8
    for p in subscribers:
        p.close()


def test_publish_order_is_kept_per_publisher(shardcache):
    server = shardcache(threads=4)
    subscribers = [redis.Redis(port=server.port).pubsub() for _ in range(4)]
    for p in subscribers:
        p.subscribe("seq")
        assert p.get_message(timeout=2)["type"] == "subscribe"
    publishers = [redis.Redis(port=server.port) for _ in range(3)]

    def publish_all(index, conn):
        for i in range(2000):
            conn.publish("seq", f"{index}:{i}")

    threads = [threading.Thread(target=publish_all, args=(i, c)) for i, c in enumerate(publishers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in subscribers:
        last = {0: -1, 1: -1, 2: -1}
        for _ in range(6000):
            message = p.get_message(timeout=5)
            assert message is not None, "a message was lost"
            who, n = map(int, message["data"].split(b":"))
            assert n == last[who] + 1, f"publisher {who}: {n} after {last[who]}"
            last[who] = n
        p.close()


def test_resp3_subscriber_gets_pushes_and_can_run_commands(sc):
    with RespConnection(sc.port) as conn:
        conn.send(encode_command("HELLO", "3"))
        conn.read_reply()
        conn.send(encode_command("SUBSCRIBE", "ch"))
        assert conn.read_raw() == b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
        conn.send(encode_command("SET", "k", "v"))
        assert conn.read_raw() == b"+OK\r\n"
        redis.Redis(port=sc.port).publish("ch", "payload")
        assert conn.read_raw() == b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$7\r\npayload\r\n"


def test_subscriber_that_does_not_read_is_disconnected(sc):
    """The pubsub class's hard limit (32 MB) closes a subscriber that never reads, and the
    server's memory stays bounded while a publisher keeps going."""
    lazy = socket.create_connection(("127.0.0.1", sc.port))
    lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lazy.sendall(encode_command("SUBSCRIBE", "flood"))
    publisher = redis.Redis(port=sc.port)
    wait_until(lambda: publisher.pubsub_numsub("flood")[0][1] == 1, message="subscribed")
    payload = b"x" * 64 * 1024
    peak = 0
    for i in range(2000):  # 128 MB in total, far past the limit
        publisher.publish("flood", payload)
        if i % 100 == 0:
            peak = max(peak, publisher.info("memory")["used_memory"])
        if publisher.pubsub_numsub("flood")[0][1] == 0:
            break
    assert publisher.pubsub_numsub("flood")[0][1] == 0, "the subscriber was never disconnected"
    assert peak < 80 * 1024 * 1024
    assert "output buffer limits" in sc.log()
    lazy.close()
