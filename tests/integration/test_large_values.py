"""Large string values: received straight into the buffer that stores them, replied by reference
(scatter/gather writes), shared by replies still being sent when the key changes. Byte-exact
round trips around the out-of-line threshold (32 KiB), the string and key commands on such
values compared with redis-server, and the connection's edge cases: slow and vanished readers,
disconnects mid-upload, muted replies, QUIT, CLIENT KILL, paused clients, MULTI/EXEC."""
import socket
import threading
import time

import pytest

from helpers import (Status, differential, differential_close, differential_stream,
                     encode_command, exchange_stream, keys_on_shards, wait_until)

THRESHOLD = 32 * 1024  # storage::kOutOfLineValueSize (Redis's PROTO_MBULK_BIG_ARG)
MIB = 1024 * 1024


def pattern(size: int, seed: int = 0) -> bytes:
    """`size` bytes, every byte value, different per seed, "\\r\\n" included."""
    block = bytes((i * 7 + seed) & 0xff for i in range(256 * 3 + 1))
    return (block * (size // len(block) + 1))[:size]


def used_memory(conn) -> int:
    info = conn.cmd("INFO", "memory").decode()
    return int(info.split("used_memory:")[1].split("\r\n")[0])


def client_field(line: bytes, name: str) -> int:
    for item in line.decode().split():
        key, _, value = item.partition("=")
        if key == name:
            return int(value)
    raise KeyError(name)


def slow_reader(port: int):
    """A connection with a small receive buffer that reads nothing until asked."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.settimeout(30)
    sock.connect(("127.0.0.1", port))
    return sock


def recv_exactly(sock, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(min(n - len(data), 4 * MIB))
        if not chunk:
            raise AssertionError(f"closed after {len(data)} of {n} bytes")
        data += chunk
    return bytes(data)


def bulk(value: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(value), value)


@pytest.fixture(params=[1, 4], ids=["threads1", "threads4"])
def threads(request):
    return request.param


@pytest.fixture
def ours(shardcache, threads):
    return shardcache(threads=threads)


# --- round trips ------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [THRESHOLD - 1, THRESHOLD, THRESHOLD + 1, MIB])
def test_round_trip_around_the_threshold(ours, redis_ref, size):
    value = pattern(size, size & 0xff)
    differential(ours, redis_ref, [
        ["SET", "v", value], ["GET", "v"], ["STRLEN", "v"], ["OBJECT", "ENCODING", "v"],
        ["GETRANGE", "v", "-5", "-1"], ["MGET", "v", "missing", "v"],
        ["SET", value[:THRESHOLD + 3], "as key"], ["GET", value[:THRESHOLD + 3]],
    ])


@pytest.mark.timeout_s(90)
def test_32mib_round_trip(ours, redis_ref):
    value = pattern(32 * MIB, 3)
    for server in (ours, redis_ref):
        with server.connect(timeout=30) as c:
            assert c.cmd("SET", "big", value) == Status("OK")
            assert c.cmd_raw("GET", "big") == bulk(value)
            assert c.cmd("STRLEN", "big") == len(value)
            got = c.cmd("GETRANGE", "big", str(16 * MIB), str(16 * MIB + 99))
            assert got == value[16 * MIB:16 * MIB + 100]
            assert c.cmd("DEL", "big") == 1


def test_pipeline_mixing_large_and_small(ours, redis_ref):
    a, b, c = pattern(THRESHOLD + 10, 1), pattern(300 * 1024, 2), pattern(THRESHOLD * 3, 4)
    commands = [
        ["PING"], ["SET", "a", a], ["SET", "s", "small"], ["GET", "a"], ["GET", "s"],
        ["MSET", "b", b, "{b}2", c, "x", "1"], ["MGET", "a", "b", "{b}2", "x", "s"],
        ["APPEND", "a", "tail"], ["GET", "a"], ["INCR", "x"], ["ECHO", c], ["GETSET", "s", b],
        ["GET", "s"], ["SET", "a", "now small"], ["GET", "a"], ["PING"],
    ]
    differential_stream(ours, redis_ref, commands)


def test_string_commands_on_large_values(ours, redis_ref):
    value = pattern(MIB + 17, 9)
    other = pattern(THRESHOLD, 10)
    differential(ours, redis_ref, [
        ["SET", "k", value], ["GETRANGE", "k", "0", "99"], ["SUBSTR", "k", "-100", "-1"],
        ["GETRANGE", "k", "0", "-1"], ["APPEND", "k", other], ["STRLEN", "k"], ["GET", "k"],
        ["SETRANGE", "k", "5", "patch"], ["GETRANGE", "k", "0", "20"],
        ["SETRANGE", "k", str(MIB + 100), "beyond"], ["STRLEN", "k"], ["GET", "k"],
        ["SET", "k", value, "EX", "1000"], ["GETEX", "k", "PERSIST"], ["TTL", "k"],
        ["GETEX", "k", "PX", "500000"], ["GETSET", "k", other], ["GET", "k"],
        ["COPY", "k", "{k}copy"], ["GET", "{k}copy"], ["COPY", "k", "elsewhere"],
        ["GET", "elsewhere"], ["RENAME", "k", "renamed"], ["GET", "renamed"], ["EXISTS", "k"],
        ["RENAME", "renamed", "{renamed}2"], ["GET", "{renamed}2"],
        ["MOVE", "{renamed}2", "3"], ["EXISTS", "{renamed}2"], ["SELECT", "3"],
        ["GET", "{renamed}2"], ["OBJECT", "ENCODING", "{renamed}2"], ["GETDEL", "{renamed}2"],
        ["EXISTS", "{renamed}2"], ["SELECT", "0"], ["GETDEL", "elsewhere"],
        ["SET", "n", value], ["INCR", "n"], ["SETNX", "n", "x"], ["SET", "n", other, "GET"],
        ["SET", "n", value, "XX", "GET"], ["GET", "n"],
    ])


def test_memory_usage_counts_the_buffer(ours):
    with ours.connect() as c:
        before = used_memory(c)
        for size in (THRESHOLD, MIB, 8 * MIB):
            assert c.cmd("SET", "m", pattern(size)) == Status("OK")
            usage = c.cmd("MEMORY", "USAGE", "m")
            # The entry, and the buffer's allocation (page-rounded when mmapped).
            assert size <= usage <= size + 8192, (size, usage)
            assert size <= used_memory(c) - before <= size + 64 * 1024
        assert c.cmd("DEL", "m") == 1
        assert used_memory(c) - before < 4096


def test_multi_exec_with_large_values(ours, redis_ref):
    value, other = pattern(2 * MIB, 5), pattern(THRESHOLD + 1, 6)
    differential(ours, redis_ref, [
        ["SET", "k", value], ["MULTI"], ["GET", "k"], ["SET", "{k}2", other], ["MGET", "k", "{k}2"],
        ["GET", "elsewhere"], ["SET", "elsewhere", value], ["GET", "elsewhere"], ["EXEC"],
    ])


# --- a value changing while a reply of it is still being sent ----------------------------------

@pytest.mark.timeout_s(60)
def test_setrange_while_a_large_get_is_sent_to_a_slow_reader(ours):
    value = pattern(32 * MIB, 7)
    with ours.connect(timeout=30) as writer:
        assert writer.cmd("SET", "big", value) == Status("OK")
        reader = slow_reader(ours.port)
        try:
            reader.sendall(encode_command("GET", "big") * 2)
            time.sleep(0.3)  # the replies are queued, mostly unsent
            assert writer.cmd("SETRANGE", "big", "0", "CHANGED") == len(value)
            assert writer.cmd("APPEND", "big", "more") == len(value) + 4
            assert writer.cmd("SETRANGE", "big", str(len(value) - 3), "END") == len(value) + 4
            assert writer.cmd("DEL", "big") == 1
            assert writer.cmd("FLUSHALL") == Status("OK")
            expected = bulk(value)
            assert recv_exactly(reader, 2 * len(expected)) == expected * 2
        finally:
            reader.close()


@pytest.mark.timeout_s(60)
def test_reader_that_never_reads_does_not_block_others(ours, threads):
    value = pattern(32 * MIB, 8)
    with ours.connect(timeout=30) as c:
        assert c.cmd("SET", "big", value) == Status("OK")
        rss_before = int(c.cmd("INFO", "memory").decode().split("used_memory_rss:")[1]
                         .split("\r\n")[0])
        reader = slow_reader(ours.port)
        try:
            reader.sendall(encode_command("GET", "big") * 12)
            for i in range(200):
                c.settimeout(2)
                assert c.cmd("SET", f"k{i}", "v") == Status("OK")
                assert c.cmd("GET", f"k{i}") == b"v"
                assert c.cmd("PING") == Status("PONG")
            if threads == 1:
                # The pending replies refer to the stored value: no copies. (A GET run on
                # another shard's thread still copies its reply.)
                info = c.cmd("INFO", "memory").decode()
                rss = int(info.split("used_memory_rss:")[1].split("\r\n")[0])
                assert rss - rss_before < 200 * MIB
                lines = [line for line in c.cmd("CLIENT", "LIST").split(b"\n")
                         if b"cmd=get" in line]
                assert lines and client_field(lines[0], "omem") >= 32 * MIB
        finally:
            reader.close()
        c.settimeout(10)
        assert c.cmd("PING") == Status("PONG")


# --- the connection's edge cases -----------------------------------------------------------

@pytest.mark.timeout_s(60)
def test_disconnect_mid_upload_frees_the_buffer(ours):
    with ours.connect() as c:
        c.cmd("SET", "warm", "x")
        before = used_memory(c)
        for cut in (10, THRESHOLD - 1, 5 * MIB, 32 * MIB - 1, 32 * MIB + 1):
            uploader = socket.create_connection(("127.0.0.1", ours.port), timeout=10)
            head = b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$%d\r\n" % (32 * MIB)
            uploader.sendall((head + pattern(32 * MIB, 1) + b"\r\n")[:len(head) + cut])
            if cut == 5 * MIB:
                def qbuf():
                    for line in c.cmd("CLIENT", "LIST").split(b"\n"):
                        if b"cmd=NULL" in line:
                            return client_field(line, "qbuf")
                    return 0
                wait_until(lambda: qbuf() >= 5 * MIB, message="qbuf counts the upload")
            uploader.close()
        wait_until(lambda: b"connected_clients:1\r\n" in c.cmd("INFO", "clients"),
                   message="uploaders gone")
        assert c.cmd("EXISTS", "half") == 0
        assert used_memory(c) - before < 4096
        assert c.cmd("PING") == Status("PONG")
    assert ours.alive()


@pytest.mark.timeout_s(60)
def test_client_kill_during_a_large_reply(ours):
    value = pattern(32 * MIB, 11)
    with ours.connect(timeout=30) as admin:
        assert admin.cmd("SET", "big", value) == Status("OK")
        for _ in range(3):
            victim = slow_reader(ours.port)
            try:
                victim.sendall(encode_command("CLIENT", "ID") + encode_command("GET", "big") * 5)
                victim_id = int(victim.recv(64).split(b"\r\n")[0][1:])
                assert admin.cmd("CLIENT", "KILL", "ID", str(victim_id)) == 1
            finally:
                victim.close()
        assert admin.cmd("DEL", "big") == 1
        assert admin.cmd("PING") == Status("PONG")
    assert ours.alive()


def test_quit_after_a_pipelined_large_get(ours, redis_ref):
    value = pattern(3 * MIB, 12)
    with ours.connect() as c, redis_ref.connect() as r:
        assert c.cmd("SET", "q", value) == r.cmd("SET", "q", value)
    differential_close(ours, redis_ref,
                       encode_command("GET", "q") * 2 + encode_command("QUIT") +
                       encode_command("PING"), protocols=(2,))


def test_client_reply_off_and_skip_with_large_gets(ours, redis_ref):
    value = pattern(2 * MIB, 13)
    differential_stream(ours, redis_ref, [
        ["SET", "r", value], ["CLIENT", "REPLY", "OFF"], ["GET", "r"], ["MGET", "r", "r"],
        ["CLIENT", "REPLY", "ON"], ["GET", "r"], ["CLIENT", "REPLY", "SKIP"], ["GET", "r"],
        ["ECHO", "after"], ["GET", "r"],
    ])


def test_paused_large_write_runs_after_unpause(ours, redis_ref):
    """A command held by CLIENT PAUSE goes back to the input and is parsed again later: its
    payload, received out of line, must go back with it."""
    value = pattern(3 * MIB + 5, 14)
    for server in (ours, redis_ref):
        with server.connect() as admin, server.connect(timeout=30) as client:
            assert admin.cmd("CLIENT", "PAUSE", "100000", "WRITE") == Status("OK")
            client.send(encode_command("SET", "paused", value) + encode_command("GET", "paused"))
            assert client.is_open(wait=0.3) and not client.buf
            assert admin.cmd("CLIENT", "UNPAUSE") == Status("OK")
            assert client.read_reply() == Status("OK")
            assert client.read_raw() == bulk(value)
            assert admin.cmd("DEL", "paused") == 1


def test_many_clients_uploading_and_reading_at_once(ours):
    values = {f"c{i}": pattern(THRESHOLD * (i + 1) + i, i) for i in range(8)}
    errors = []

    def client(key, value):
        try:
            with ours.connect(timeout=30) as c:
                for _ in range(5):
                    c.send(encode_command("SET", key, value) + encode_command("GET", key))
                    assert c.read_reply() == Status("OK")
                    assert c.read_raw() == bulk(value)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=client, args=item) for item in values.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    with ours.connect() as c:
        keys = list(values)
        assert c.cmd("MGET", *keys) == [values[k] for k in keys]


def test_large_values_across_shards(shardcache):
    server = shardcache(threads=4)
    keys = keys_on_shards(4, prefix="big")
    values = [pattern(MIB + i, i) for i in range(4)]
    with server.connect(timeout=30) as c:
        payload = b"".join(encode_command("SET", k, v) for k, v in zip(keys, values))
        payload += b"".join(encode_command("GET", k) for k in keys)
        payload += encode_command("MGET", *keys)
        c.send(payload)
        assert [c.read_reply() for _ in keys] == [Status("OK")] * 4
        assert [c.read_reply() for _ in keys] == values
        assert c.read_reply() == values
    assert exchange_stream(server.port, encode_command("GET", keys[1])) == bulk(values[1])
