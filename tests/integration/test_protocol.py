"""The wire protocol: pipelining, split reads, inline commands, protocol errors and limits."""
import hashlib
import random
import socket
import struct
import time

import pytest

from helpers import (RespConnection, Status, differential, differential_close,
                     differential_stream, encode_command, exchange_until_closed, keys_on_shards,
                     wait_until)

SENTINEL = encode_command("ECHO", "__end__")
SENTINEL_REPLY = b"$7\r\n__end__\r\n"


def _read_until_sentinel(conn: RespConnection) -> bytes:
    data = bytearray(conn.buf)
    conn.buf.clear()
    while not data.endswith(SENTINEL_REPLY):
        chunk = conn.sock.recv(1 << 20)
        if not chunk:
            raise AssertionError(f"closed before the sentinel; got {bytes(data[-300:])!r}")
        data += chunk
    return bytes(data[:-len(SENTINEL_REPLY)])


def _send_in_pieces(port: int, payload: bytes, sizes, delay: float = 0.0) -> bytes:
    """Sends payload + sentinel in pieces of the given sizes (cycled); returns the replies."""
    payload += SENTINEL
    with RespConnection(port) as conn:
        conn.send_command("FLUSHALL")
        assert conn.read_reply() == Status("OK")
        pos, i = 0, 0
        while pos < len(payload):
            size = sizes[i % len(sizes)]
            conn.send(payload[pos:pos + size])
            pos += size
            i += 1
            if delay:
                time.sleep(delay)
        return _read_until_sentinel(conn)


def _mixed_commands(n: int, seed: int = 7) -> list:
    rng = random.Random(seed)
    commands = []
    for i in range(n):
        key = f"key:{rng.randrange(300)}"
        r = rng.random()
        if r < 0.4:
            commands.append(["SET", key, f"value-{i}"])
        elif r < 0.75:
            commands.append(["GET", key])
        elif r < 0.85:
            commands.append(["MGET", key, f"key:{rng.randrange(300)}", f"key:{rng.randrange(300)}"])
        elif r < 0.9:
            commands.append(["DEL", key, f"key:{rng.randrange(300)}"])
        elif r < 0.95:
            commands.append(["EXISTS", key, key, f"key:{rng.randrange(300)}"])
        else:
            commands.append(["PING"])
    return commands


@pytest.mark.timeout_s(60)
def test_pipeline_of_10k_commands_in_one_write(sc, redis_ref):
    commands = _mixed_commands(10_000)
    payload = b"".join(encode_command(*c) for c in commands)
    results = differential_stream(sc, redis_ref, payload)
    # Sanity: one reply per command came back.
    assert results[2].count(b"\r\n") >= 10_000


def test_pipeline_10k_with_one_thread(shardcache, redis_ref):
    sc = shardcache(threads=1)
    payload = b"".join(encode_command(*c) for c in _mixed_commands(10_000, seed=3))
    differential_stream(sc, redis_ref, payload, protocols=(2,))


SPLIT_PAYLOAD = (
    encode_command("SET", "split-key", "hello world")
    + encode_command("GET", "split-key")
    + b"ECHO 'inline with spaces'\r\n"
    + encode_command("MGET", "split-key", "a", "b", "c", "d", "e")
    + b"*2\r\n$4\r\nECHO\r\n$12\r\nline\r\nbreaks\r\n"
    + encode_command("DEL", "split-key", "a", "b")
    + b"PING\n"
)


def test_command_split_byte_by_byte(sc, redis_ref):
    ours = _send_in_pieces(sc.port, SPLIT_PAYLOAD, [1], delay=0.001)
    theirs = _send_in_pieces(redis_ref.port, SPLIT_PAYLOAD, [1], delay=0.001)
    assert ours == theirs
    whole = _send_in_pieces(sc.port, SPLIT_PAYLOAD, [len(SPLIT_PAYLOAD)])
    assert ours == whole


@pytest.mark.parametrize("sizes", [[2], [3], [5, 1, 7], [13], [64]])
def test_command_split_at_every_boundary(sc, redis_ref, sizes):
    expected = _send_in_pieces(redis_ref.port, SPLIT_PAYLOAD, [len(SPLIT_PAYLOAD)])
    assert _send_in_pieces(sc.port, SPLIT_PAYLOAD, sizes, delay=0.0005) == expected


def test_large_bulk_split_across_many_writes(sc):
    value = bytes(range(256)) * 4096  # 1 MiB
    payload = encode_command("SET", "big", value) + encode_command("GET", "big")
    replies = _send_in_pieces(sc.port, payload, [4093, 1, 65536, 7], delay=0)
    assert replies == b"+OK\r\n" + b"$%d\r\n%s\r\n" % (len(value), value)


INLINE_PAYLOAD = b"".join([
    b"PING\r\n",
    b"PING\n",
    b"ECHO hello\r\n",
    b'ECHO "hello world"\r\n',
    b"ECHO 'single quoted'\r\n",
    b'ECHO "esc \\x41\\x7a \\n\\t\\r\\b\\a \\"q\\" \\\\"\r\n',
    b'ECHO "\\xzz \\x4"\r\n',
    b"ECHO 'it\\'s' \r\n",
    b'SET "a b" \'c d\'\r\n',
    b'GET "a b"\r\n',
    b"\r\n\r\n   \r\n\n",
    b"   ECHO    spaced    \t  \r\n",
    b'ECHO ""\r\n',
    b"ECHO ''\r\n",
    b'ECHO a"b"\r\n',
    b"ECHO \xc3\xa9t\xc3\xa9\r\n",
    b"MGET k1 k2 {k1}x k3\r\n",
    b"set k1 v1\r\n",
    b"mget k1 k2\r\n",
    b"*0\r\n*-1\r\n*-5\r\nPING\r\n",
    b"*2\r\n$4\r\nECHO\r\n$1\r\naXY",
    b"*1\r\n$4\r\nPING\r\n",
    b"ECHO a\rb\r\n",
    b"NOSUCH 'x y'\r\n",
    b"ECHO\r\n",
    b"ECHO \"a\" 'b'\r\n",
    b"*1\r\n$0\r\n\r\n",
    b"*2\r\n$0\r\n\r\n$0\r\n\r\n",
    b"*3\r\n$4\r\nMGET\r\n$0\r\n\r\n$1\r\nk\r\n",
    b"GET\r\n",
    b"ping\r\n",
])


def test_inline_commands_differential(sc, redis_ref):
    differential_stream(sc, redis_ref, INLINE_PAYLOAD)


def test_inline_commands_single_thread(shardcache, redis_ref):
    differential_stream(shardcache(threads=1), redis_ref, INLINE_PAYLOAD, protocols=(2,))


PROTOCOL_ERRORS = {
    "multibulk-not-a-number": b"*abc\r\n",
    "multibulk-plus-sign": b"*+1\r\n",
    "multibulk-leading-zero": b"*01\r\n",
    "multibulk-empty": b"*\r\n",
    "multibulk-over-int-max": b"*3000000000\r\n",
    "multibulk-huge": b"*99999999999999999999999\r\n",
    "bulk-not-a-number": b"*1\r\n$abc\r\n",
    "bulk-negative-one": b"*1\r\n$-1\r\n",
    "bulk-negative": b"*2\r\n$4\r\nECHO\r\n$-5\r\n",
    "bulk-empty-length": b"*1\r\n$\r\n",
    "bulk-over-proto-max": b"*1\r\n$536870913\r\n",
    "bulk-leading-zero": b"*1\r\n$04\r\n",
    "expected-dollar": b"*1\r\nfoo\r\n",
    "expected-dollar-colon": b"*2\r\n$4\r\nECHO\r\n:1\r\n",
    "expected-dollar-got-cr": b"*1\r\n\r\n",
    "expected-dollar-got-lf": b"*1\r\n\n\r\n",
    "unbalanced-double": b'ECHO "unbalanced\r\n',
    "unbalanced-single": b"ECHO 'x\r\n",
    "quote-then-text": b'ECHO "a"b\r\n',
    "single-quote-then-text": b"ECHO 'a'b c\r\n",
    "trailing-backslash": b'ECHO "abc\\"\r\n',
    "too-big-inline": b"x" * 65537,
    "too-big-inline-spaces": b"ECHO " + b" " * 65540,
    "too-big-mbulk-count": b"*" + b"1" * 65536,
    "too-big-bulk-count": b"*1\r\n$" + b"1" * 65536,
    "after-valid-commands": encode_command("SET", "k", "v") + b"PING\r\n" + b"*1\r\n$x\r\n",
    "after-valid-inline": b"PING\r\nECHO 'x\r\n",
    "nul-hides-inline-newline": b"ECHO a\x00b\r\n" + b"x" * 65536,
    "nul-hides-count-line-end": b"*1\x00\r\n" + b"x" * 65536,
    "nul-hides-bulk-line-end": b"*1\r\n$4\x00\r\n" + b"x" * 65536,
}


@pytest.mark.parametrize("payload", list(PROTOCOL_ERRORS.values()), ids=list(PROTOCOL_ERRORS))
def test_protocol_errors_reply_and_close_like_redis(sc, redis_ref, payload):
    results = differential_close(sc, redis_ref, payload)
    assert b"-ERR Protocol error: " in results[2]
    # The server is still fine.
    with sc.connect() as c:
        assert c.cmd("PING") == Status("PONG")


def test_protocol_error_bytes_split_across_writes(sc, redis_ref):
    payload = b"PING\r\n*2\r\n$4\r\nECHO\r\n$-7\r\n"
    a = exchange_until_closed(sc.port, payload, chunks=len(payload))
    b = exchange_until_closed(redis_ref.port, payload, chunks=len(payload))
    assert a == b == b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"


def test_protocol_error_counts_in_errorstats(sc):
    exchange_until_closed(sc.port, b"*1\r\n$x\r\n")
    with sc.connect() as c:
        info = c.cmd("INFO", "errorstats").decode()
        assert "errorstat_ERR:count=1" in info


# --- limits for clients that have not authenticated -------------------------------------------

@pytest.fixture
def password_pair(shardcache, redis_server):
    return shardcache("--requirepass", "pw"), redis_server("--requirepass", "pw")


UNAUTH_ERRORS = {
    "multibulk-11": b"*11\r\n",
    "multibulk-1000": b"*1000\r\n",
    "bulk-16385": b"*1\r\n$16385\r\n",
    "bulk-huge": b"*2\r\n$4\r\nAUTH\r\n$1048577\r\n",
}


@pytest.mark.parametrize("payload", list(UNAUTH_ERRORS.values()), ids=list(UNAUTH_ERRORS))
def test_unauthenticated_limits(password_pair, payload):
    ours, ref = password_pair
    results = differential_close(ours, ref, payload, protocols=(2,))
    assert b"unauthenticated" in results[2]


def test_unauthenticated_limits_allow_up_to_the_limit(password_pair):
    ours, ref = password_pair
    differential(ours, ref, [
        ["AUTH", "x" * 16384],
        ["MGET", *[f"k{i}" for i in range(9)]],
        ["AUTH", "pw"],
        ["MGET", *[f"k{i}" for i in range(50)]],
        ["ECHO", "y" * 100_000],
    ], protocols=(2,), setup=())


def test_authenticated_clients_have_no_unauth_limits(password_pair):
    ours, ref = password_pair
    differential(ours, ref, [
        ["MGET", *[f"k{i}" for i in range(20)]],
        ["SET", "big", "z" * 20000],
        ["GET", "big"],
        ["RESET"],
    ], protocols=(2, 3), setup=(("AUTH", "pw"),), hello=("HELLO", "3", "AUTH", "default", "pw"))
    # After RESET the client is unauthenticated again and the limits are back.
    for server in password_pair:
        with server.connect() as c:
            assert c.cmd("AUTH", "pw") == Status("OK")
            assert c.cmd("RESET") == Status("RESET")
            c.send(b"*11\r\n")
            assert c.read_until_closed() == b"-ERR Protocol error: unauthenticated multibulk length\r\n"


# --- proto-max-bulk-len and client-query-buffer-limit ------------------------------------------

def _bulk_limit_checks(ours, ref):
    header = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n"
    results = differential_close(ours, ref, header, protocols=(2,))
    assert results[2] == b"-ERR Protocol error: invalid bulk length\r\n"
    exact = "v" * 1048576
    differential(ours, ref, [["SET", "k", exact], ["GET", "k"]], protocols=(2,))


def test_proto_max_bulk_len_from_config_set(shardcache, redis_server):
    ours, ref = shardcache(), redis_server()
    differential(ours, ref, [["CONFIG", "SET", "proto-max-bulk-len", "1mb"],
                             ["CONFIG", "GET", "proto-max-bulk-len"]], protocols=(2,))
    _bulk_limit_checks(ours, ref)


def test_proto_max_bulk_len_from_flag(shardcache, redis_server):
    _bulk_limit_checks(shardcache("--proto-max-bulk-len", "1mb"),
                       redis_server("--proto-max-bulk-len", "1mb"))


def _query_buffer_checks(ours, ref):
    # A 2 MiB argument overflows a 1 MiB query buffer: closed without a reply.
    big = encode_command("SET", "k", "q" * (2 * 1024 * 1024))
    for server in (ours, ref):
        assert exchange_until_closed(server.port, big) == b"", server
    # 10k small commands in one write are consumed as they arrive, whatever their total size.
    payload = b"".join(encode_command("SET", f"k{i}", "x" * 200) for i in range(10_000))
    assert len(payload) > 2 * 1024 * 1024
    differential_stream(ours, ref, payload, protocols=(2,))
    with ours.connect() as c:
        assert c.cmd("PING") == Status("PONG")


@pytest.mark.timeout_s(60)
def test_client_query_buffer_limit_from_config_set(shardcache, redis_server):
    ours, ref = shardcache(), redis_server()
    differential(ours, ref, [["CONFIG", "SET", "client-query-buffer-limit", "1mb"],
                             ["CONFIG", "GET", "client-query-buffer-limit"]], protocols=(2,))
    _query_buffer_checks(ours, ref)


@pytest.mark.timeout_s(60)
def test_client_query_buffer_limit_from_flag(shardcache, redis_server):
    _query_buffer_checks(shardcache("--client-query-buffer-limit", "1mb"),
                         redis_server("--client-query-buffer-limit", "1mb"))


# --- large values ----------------------------------------------------------------------------

@pytest.mark.timeout_s(60)
def test_100mb_value_round_trip(sc):
    size = 100 * 1024 * 1024
    block = hashlib.sha256(b"shardcache").digest() * 32  # 1 KiB, not all one byte
    value = block * (size // len(block))
    assert len(value) == size
    with sc.connect(timeout=30) as c:
        c.send(b"*3\r\n$3\r\nSET\r\n$8\r\nbig:{v1}\r\n$%d\r\n" % size)
        view = memoryview(value)
        for i in range(0, size, 8 << 20):
            c.send(view[i:i + (8 << 20)])
        c.send(b"\r\n")
        assert c.read_reply() == Status("OK")
        assert c.cmd("EXISTS", "big:{v1}") == 1
        got = c.cmd("GET", "big:{v1}")
        assert len(got) == size and got == value
        del got
        usage = c.cmd("MEMORY", "USAGE", "big:{v1}")
        assert usage >= size
        assert c.cmd("DEL", "big:{v1}") == 1
        assert c.cmd("PING") == Status("PONG")


def test_nul_before_newline_waits_like_redis(sc, redis_ref):
    """Redis looks for the line end with strchr(): a NUL hides it, and the command waits."""
    for server in (sc, redis_ref):
        with server.connect() as c:
            c.send(b"ECHO a\x00b\r\n")
            assert c.is_open(wait=0.3), server
            assert c.buf == b""


@pytest.mark.timeout_s(60)
def test_large_replies_to_a_slow_reader(sc):
    """Replies larger than the socket buffers, for a client that reads only at the end."""
    value = b"r" * (1 << 20)
    with sc.connect(timeout=30) as c:
        keys = keys_on_shards(2, prefix="slow")
        for k in keys:
            assert c.cmd("SET", k, value) == Status("OK")
        c.send(b"".join(encode_command("GET", keys[i % 2]) for i in range(100)))
        c.send(encode_command("MGET", *keys) * 20)
        time.sleep(0.5)
        for _ in range(100):
            assert c.read_reply() == value
        for _ in range(20):
            assert c.read_reply() == [value, value]
        assert c.cmd("PING") == Status("PONG")


def _abandon(port: int, payload: bytes):
    conn = RespConnection(port)
    try:
        conn.send(payload)
    except OSError:
        pass
    # Close with unread replies: the kernel resets the connection.
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


@pytest.mark.parametrize("threads", [2, 4])
def test_clients_vanishing_mid_pipeline(shardcache, threads):
    ours = shardcache(threads=threads)
    keys = [f"vanish:{i}" for i in range(50)]
    payload = (b"".join(encode_command("SET", k, "x" * 1000) for k in keys)
               + encode_command("MGET", *keys) * 100 + encode_command("DEL", *keys) * 10)
    for _ in range(30):
        _abandon(ours.port, payload)
    with ours.connect() as c:
        assert c.cmd("PING") == Status("PONG")
        wait_until(lambda: b"connected_clients:1\r\n" in c.cmd("INFO", "clients"),
                   message="abandoned clients released")
        assert c.cmd("MGET", *keys)[:1] in ([None], [b"x" * 1000])
    assert ours.alive()


def test_client_killed_while_cross_shard_commands_pending(shardcache):
    ours = shardcache(threads=4)
    keys = [f"pending:{i}" for i in range(64)]
    with ours.connect() as admin:
        for _ in range(5):
            victim = ours.connect()
            victim_id = victim.cmd("CLIENT", "ID")
            victim.send(encode_command("MGET", *keys) * 500)
            assert admin.cmd("CLIENT", "KILL", "ID", str(victim_id)) == 1
            victim.close()
        assert admin.cmd("DBSIZE") == 0
        assert admin.cmd("MGET", *keys) == [None] * 64
    assert ours.alive()
