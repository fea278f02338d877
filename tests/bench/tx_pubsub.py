#!/usr/bin/python3
"""Transactions and pub/sub throughput, shardcache (--threads 1) vs redis-server, alternating
servers A B A B over --rounds rounds, each server pinned to core 0 and the clients to core 1.

  * transactions: redis-py pipelines with transaction=True, 1000 SETs per MULTI/EXEC, as many
    as fit in --seconds; EXECs per second.
  * publish: 100 subscribers (raw sockets drained by one thread), one publisher sending
    --messages PUBLISHes pipelined in batches of 100; messages delivered per second, timed until
    every subscriber has received every message.

    tests/bench/tx_pubsub.py [--binary build/release/server/shardcache-server] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import selectors
import socket
import statistics
import sys
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zipf import DEFAULT_BINARY, encode, machine_line, start_redis, start_shardcache  # noqa: E402

SERVER_CPU, CLIENT_CPU = "0", 1


def exec_rate(port: int, seconds: float) -> float:
    r = redis.Redis(port=port)
    value = b"v" * 64
    done = 0
    deadline = time.monotonic() + seconds
    start = time.monotonic()
    while time.monotonic() < deadline:
        with r.pipeline(transaction=True) as pipe:
            for i in range(1000):
                pipe.set(f"tx:{i}", value)
            pipe.execute()
        done += 1
    return done / (time.monotonic() - start)


def publish_rate(port: int, messages: int, subscribers: int = 100) -> float:
    socks = []
    for _ in range(subscribers):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(encode("SUBSCRIBE", "bench"))
        socks.append(s)
    r = redis.Redis(port=port)
    while r.pubsub_numsub("bench")[0][1] < subscribers:
        time.sleep(0.01)
    payload = b"m" * 32
    # Every subscriber's stream: its subscribe confirmation, then `messages` messages.
    one = b"*3\r\n$7\r\nmessage\r\n$5\r\nbench\r\n$32\r\n" + payload + b"\r\n"
    confirm = len(b"*3\r\n$9\r\nsubscribe\r\n$5\r\nbench\r\n:1\r\n")
    expected = confirm + len(one) * messages
    received = {s.fileno(): 0 for s in socks}
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    publisher = socket.create_connection(("127.0.0.1", port))
    batch = b"".join(encode("PUBLISH", "bench", payload) for _ in range(100))
    start = time.monotonic()
    sent = 0
    pending_replies = 0
    reply_bytes = b""
    while sent < messages or any(v < expected for v in received.values()):
        if sent < messages and pending_replies < 1000:
            publisher.sendall(batch)
            sent += 100
            pending_replies += 100
        publisher.setblocking(False)
        try:
            reply_bytes += publisher.recv(1 << 16)
            lines = reply_bytes.count(b"\r\n")
            pending_replies -= lines
            reply_bytes = reply_bytes[reply_bytes.rfind(b"\r\n") + 2:]
        except BlockingIOError:
            pass
        publisher.setblocking(True)
        for key, _ in sel.select(timeout=0.001):
            data = key.fileobj.recv(1 << 20)
            received[key.fileobj.fileno()] += len(data)
    elapsed = time.monotonic() - start
    for s in socks:
        s.close()
    publisher.close()
    return messages * subscribers / elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=DEFAULT_BINARY)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--messages", type=int, default=20000)
    opts = ap.parse_args()
    os.sched_setaffinity(0, {CLIENT_CPU})
    results = {"exec/s (1000 SETs each)": ([], []), "messages delivered/s (100 subscribers)": ([], [])}
    for _ in range(opts.rounds):
        for index, start in enumerate((lambda: start_shardcache(opts.binary, 1, SERVER_CPU),
                                       lambda: start_redis(SERVER_CPU))):
            server = start()
            try:
                results["exec/s (1000 SETs each)"][index].append(exec_rate(server.port, opts.seconds))
                results["messages delivered/s (100 subscribers)"][index].append(
                    publish_rate(server.port, opts.messages))
            finally:
                server.stop()
    print(machine_line())
    print("| workload | shardcache | redis | ratio (median) | min – max |")
    print("|---|---|---|---|---|")
    for name, (ours, theirs) in results.items():
        ratios = [a / b for a, b in zip(ours, theirs)]
        print(f"| {name} | {statistics.median(ours):,.0f} | {statistics.median(theirs):,.0f} | "
              f"{statistics.median(ratios):.2f} | {min(ratios):.2f} – {max(ratios):.2f} |")


if __name__ == "__main__":
    main()
