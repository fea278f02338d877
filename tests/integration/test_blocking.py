"""Blocking list commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP. Replies and errors are compared
with redis-server 7.0.15; the waiting itself (timeouts, first-blocked-first-served, wake-ups from
keys on other shards, disconnects, CLIENT UNBLOCK, pipelines held while blocked, INFO
blocked_clients) is checked on shardcache with several connections."""
import socket
import threading
import time

import pytest
import redis

from helpers import RespConnection, differential, keys_on_shards, wait_until

SPREAD = keys_on_shards(4, "b")


def blocked_clients(conn):
    info = conn.cmd("INFO", "clients").decode()
    for line in info.splitlines():
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    raise AssertionError("no blocked_clients line")


def wait_blocked(conn, count, timeout=5.0):
    wait_until(lambda: blocked_clients(conn) == count, timeout, message=f"{count} blocked clients")


def test_replies_and_errors_match_redis(diff):
    diff([
        ["RPUSH", "l", "a", "b", "c"], ["BLPOP", "l", "0"], ["BRPOP", "l", "0"],
        ["BLPOP", "missing", "l", "0"], ["BLPOP", "missing", "0.01"], ["BRPOP", "missing", "0.01"],
        ["BLPOP", "l", "x"], ["BLPOP", "l", "-1"], ["BLPOP", "l", "-0.01"], ["BLPOP", "l", "1e16"],["BLPOP", "l", ""],
        ["BLPOP", "l", " 1"], ["BLPOP", "l", "nan"], ["BLPOP", "l", "1e400"], ["BLPOP", "l", "inf"],
        ["BLPOP", "l", "-inf"],
        ["RPUSH", "l", "1", "2", "3", "4"], ["BLMPOP", "0", "2", "missing", "l", "LEFT", "COUNT", "2"],
        ["BLMPOP", "0.01", "1", "missing", "RIGHT"], ["BLMPOP", "x", "1", "l", "LEFT"],
        ["BLMPOP", "0", "0", "l", "LEFT"], ["BLMPOP", "0", "1", "l", "UP"],
        ["BLMPOP", "0", "1", "l", "LEFT", "COUNT", "0"],
        ["BLMOVE", "l", "d", "LEFT", "RIGHT", "0"], ["BLMOVE", "l", "d", "UP", "RIGHT", "0"],
        ["BLMOVE", "l", "d", "LEFT", "RIGHT", "x"], ["BRPOPLPUSH", "l", "d", "0"],
        ["BRPOPLPUSH", "missing", "d", "0.01"], ["BLMOVE", "missing", "d", "LEFT", "LEFT", "0.01"],
        ["BRPOPLPUSH", "l", "d", "-1"], ["LRANGE", "d", "0", "-1"], ["EXISTS", "l"],
        ["SET", "s", "x"], ["BLPOP", "missing", "s", "0"], ["BLPOP", "d", "s", "0"],
        ["BLMOVE", "d", "s", "LEFT", "LEFT", "0"], ["LRANGE", "d", "0", "-1"],
    ])


@pytest.mark.timing
def test_timeouts_are_fractional_seconds(sc):
    c = sc.connect()
    for timeout, low, high in (("0.2", 0.18, 0.6), ("0.05", 0.04, 0.4)):
        start = time.monotonic()
        assert c.cmd("BLPOP", "nothing", timeout) is None
        elapsed = time.monotonic() - start
        assert low <= elapsed <= high, elapsed
    start = time.monotonic()
    c.send_command("BLMPOP", "0.1", "1", "nothing", "LEFT")
    c.send_command("PING")
    assert c.read_raw() == b"*-1\r\n"
    assert c.read_reply() == "PONG"
    assert time.monotonic() - start >= 0.09


def test_pipeline_waits_behind_a_blocked_command(sc):
    c, pusher = sc.connect(), sc.connect()
    c.send_command("BLPOP", "q", "0")
    c.send_command("PING")
    wait_blocked(pusher, 1)
    pusher.cmd("RPUSH", "q", "x")
    assert c.read_reply() == [b"q", b"x"]
    assert c.read_reply() == "PONG"
    assert blocked_clients(pusher) == 0


def test_first_blocked_first_served(sc):
    waiters = [sc.connect() for _ in range(3)]
    pusher = sc.connect()
    for i, w in enumerate(waiters):
        w.send_command("BLPOP", "q", "0")
        wait_blocked(pusher, i + 1)
    pusher.cmd("RPUSH", "q", "1", "2", "3")
    assert [w.read_reply() for w in waiters] == [[b"q", b"1"], [b"q", b"2"], [b"q", b"3"]]
    assert pusher.cmd("EXISTS", "q") == 0


def test_blocked_on_several_keys_is_served_once(sc):
    w, pusher = sc.connect(), sc.connect()
    w.send_command("BLPOP", "k1", "k2", "0")
    wait_blocked(pusher, 1)
    pusher.cmd("RPUSH", "k2", "a")
    pusher.cmd("RPUSH", "k1", "b")
    assert w.read_reply() == [b"k2", b"a"]
    assert pusher.cmd("LRANGE", "k1", "0", "-1") == [b"b"]
    assert blocked_clients(pusher) == 0


def test_wake_up_across_shards(shardcache):
    server = shardcache(threads=4)
    pusher = server.connect()
    for home in range(4):
        w = server.connect()
        w.send_command("BRPOP", *SPREAD, "0")
        wait_blocked(pusher, 1)
        target = SPREAD[(home + 3) % 4]
        pusher.cmd("LPUSH", target, f"v{home}")
        assert w.read_reply() == [target.encode(), f"v{home}".encode()]
        assert blocked_clients(pusher) == 0
        w.close()


def test_blmove_across_shards(shardcache):
    server = shardcache(threads=4)
    src, dst, other, wrong = SPREAD
    w, pusher = server.connect(), server.connect()
    w.send_command("BLMOVE", src, dst, "LEFT", "RIGHT", "0")
    wait_blocked(pusher, 1)
    pusher.cmd("RPUSH", src, "x", "y")
    assert w.read_reply() == b"x"
    assert pusher.cmd("LRANGE", src, "0", "-1") == [b"y"]
    assert pusher.cmd("LRANGE", dst, "0", "-1") == [b"x"]
    # A destination of another type: WRONGTYPE, the element goes back where it was.
    pusher.cmd("SET", wrong, "s")
    pusher.cmd("DEL", src)
    w.send_command("BRPOPLPUSH", src, wrong, "0")
    wait_blocked(pusher, 1)
    pusher.cmd("RPUSH", src, "a", "b")
    assert w.read_reply().startswith("WRONGTYPE") or "WRONGTYPE" in str(w.read_reply)
    assert pusher.cmd("LRANGE", src, "0", "-1") == [b"a", b"b"]
    # A BLMOVE destination that others wait on wakes them in turn.
    w2 = server.connect()
    w2.send_command("BLPOP", other, "0")
    wait_blocked(pusher, 1)
    w.send_command("BLMOVE", dst, other, "LEFT", "LEFT", "0")
    assert w.read_reply() == b"x"
    assert w2.read_reply() == [other.encode(), b"x"]


def test_disconnect_while_blocked_leaves_the_element(shardcache):
    server = shardcache(threads=4)
    pusher = server.connect()
    w = server.connect()
    w.send_command("BLPOP", SPREAD[1], SPREAD[2], "0")
    wait_blocked(pusher, 1)
    w.close()
    wait_blocked(pusher, 0)
    pusher.cmd("RPUSH", SPREAD[2], "kept")
    assert pusher.cmd("LRANGE", SPREAD[2], "0", "-1") == [b"kept"]


def test_client_unblock(sc):
    w, admin = sc.connect(), sc.connect()
    wid = w.cmd("CLIENT", "ID")
    assert admin.cmd("CLIENT", "UNBLOCK", wid) == 0
    w.send_command("BLPOP", "q", "0")
    wait_blocked(admin, 1)
    assert admin.cmd("CLIENT", "UNBLOCK", wid) == 1
    assert w.read_raw() == b"*-1\r\n"
    w.send_command("BRPOP", "q", "0")
    wait_blocked(admin, 1)
    assert admin.cmd("CLIENT", "UNBLOCK", wid, "ERROR") == 1
    assert w.read_raw() == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    w.send_command("BRPOP", "q", "0")
    wait_blocked(admin, 1)
    assert admin.cmd("CLIENT", "UNBLOCK", wid, "TIMEOUT") == 1
    assert w.read_raw() == b"*-1\r\n"
    assert blocked_clients(admin) == 0
    admin.send_command("CLIENT", "UNBLOCK", wid, "BOGUS")
    bogus = admin.read_raw()
    admin.send_command("CLIENT", "UNBLOCK", "x")
    not_int = admin.read_raw()
    assert bogus.startswith(b"-ERR") and not_int.startswith(b"-ERR")


def test_client_unblock_errors_match_redis(diff):
    diff([["CLIENT", "UNBLOCK", "999999", "BOGUS"], ["CLIENT", "UNBLOCK", "x"],
          ["CLIENT", "UNBLOCK", "999999"], ["CLIENT", "UNBLOCK", "999999", "error"]])


def test_resp3_blocked_reply_shapes(sc):
    w, pusher = sc.connect(), sc.connect()
    w.cmd("HELLO", "3")
    w.send_command("BLPOP", "q", "0.05")
    assert w.read_raw() == b"_\r\n"
    w.send_command("BLMPOP", "0", "1", "q", "LEFT", "COUNT", "3")
    wait_blocked(pusher, 1)
    pusher.cmd("RPUSH", "q", "a", "b")
    assert w.read_raw() == b"*2\r\n$1\r\nq\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"


@pytest.mark.timeout_s(60)
def test_stress_every_item_delivered_once(shardcache):
    server = shardcache(threads=4)
    queues = keys_on_shards(4, "queue")
    consumers = 50
    items = 10_000
    received = []
    lock = threading.Lock()
    done = threading.Event()

    def consume():
        c = server.connect()
        got = []
        while True:
            reply = c.cmd("BLPOP", *queues, "0.5")
            if reply is None:
                if done.is_set():
                    break
                continue
            got.append(reply[1])
        with lock:
            received.extend(got)
        c.close()

    threads = [threading.Thread(target=consume) for _ in range(consumers)]
    for t in threads:
        t.start()
    pushers = []

    def produce(offset):
        p = server.connect()
        batch = []
        for i in range(offset, items, 4):
            batch.append(["RPUSH", queues[i % 4], str(i)])
            if len(batch) == 50:
                for cmd in batch:
                    p.send_command(*cmd)
                for _ in batch:
                    p.read_reply()
                batch = []
        for cmd in batch:
            p.send_command(*cmd)
        for _ in batch:
            p.read_reply()
        p.close()

    for k in range(4):
        pushers.append(threading.Thread(target=produce, args=(k,)))
    for t in pushers:
        t.start()
    for t in pushers:
        t.join()
    checker = server.connect()
    wait_until(lambda: sum(checker.cmd("LLEN", q) for q in queues) == 0, 20,
               message="queues drained")
    done.set()
    for t in threads:
        t.join(timeout=20)
    assert sorted(int(x) for x in received) == list(range(items))
    wait_blocked(checker, 0)


@pytest.mark.parametrize("command", ["RENAME", "COPY", "MOVE"])
def test_a_list_arriving_by_rename_copy_or_move_wakes_a_blocked_client(shardcache, command):
    server = shardcache(threads=4)
    source_db = 1 if command == "MOVE" else 0
    src = redis.Redis(port=server.port, db=source_db)
    src.rpush("source", "item")
    result = {}

    def waiter():
        result["reply"] = redis.Redis(port=server.port).blpop("target" if command != "MOVE" else "source", 5)

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.3)
    if command == "MOVE":
        src.move("source", 0)
    else:
        src.execute_command(command, "source", "target")
    t.join(6)
    name = b"source" if command == "MOVE" else b"target"
    assert result["reply"] == (name, b"item")


def test_slowlog_of_a_timed_out_blpop_keeps_its_arguments(shardcache):
    """A blocked client keeps being read; input sent meanwhile moves its buffer, and the slow
    log must still record the blocked command's own arguments when it times out."""
    sc = shardcache(threads=1)
    r = redis.Redis(port=sc.port)
    r.slowlog_reset()
    with socket.create_connection(("127.0.0.1", sc.port)) as s:
        s.sendall(b"*3\r\n$5\r\nBLPOP\r\n$13\r\nslow:blocking\r\n$3\r\n0.3\r\n")
        time.sleep(0.05)
        # 200 KB of later commands arrive while BLPOP waits: the input buffer grows and moves.
        s.sendall((b"*2\r\n$4\r\nECHO\r\n$1000\r\n" + b"x" * 1000 + b"\r\n") * 200)
        s.settimeout(5)
        got = b""
        while got.count(b"\r\n") < 1 + 200 * 2:
            got += s.recv(1 << 20)
    assert got.startswith(b"*-1\r\n")
    entries = [e for e in r.slowlog_get(1000) if e["command"].startswith(b"BLPOP")]
    assert [e["command"] for e in entries] == [b"BLPOP slow:blocking 0.3"]
