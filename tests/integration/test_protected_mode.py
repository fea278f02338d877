"""Protected mode: without a password only 127.0.0.1 / ::1 may talk to the server.

Clients connect from 127.0.0.2 (a loopback address that protected mode does not count as local)
to a server bound to 127.0.0.1.
"""
import pytest

from helpers import Error, RespConnection, Status

OTHER_SOURCE = "127.0.0.2"


def _denied_bytes(port: int) -> bytes:
    with RespConnection(port, source=OTHER_SOURCE) as c:
        return c.read_until_closed()


def _denied_after_command(port: int) -> bytes:
    with RespConnection(port, source=OTHER_SOURCE) as c:
        try:
            c.send(b"*1\r\n$4\r\nPING\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return c.read_until_closed()


def test_denied_message_is_redis_byte_for_byte(shardcache, redis_server):
    ours = shardcache("--protected-mode", "yes")
    ref = redis_server("--protected-mode", "yes")
    ours_bytes = _denied_bytes(ours.port)
    ref_bytes = _denied_bytes(ref.port)
    assert ref_bytes.startswith(b"-DENIED Redis is running in protected mode")
    assert ours_bytes == ref_bytes
    # Sending a command first changes nothing: the refusal comes before any command runs.
    assert _denied_after_command(ours.port) == _denied_after_command(ref.port) == ref_bytes


def test_protected_mode_is_the_default(shardcache):
    ours = shardcache()
    assert _denied_bytes(ours.port).startswith(b"-DENIED ")
    # Loopback 127.0.0.1 is still served.
    with ours.connect() as c:
        assert c.cmd("PING") == Status("PONG")
        assert c.cmd("CONFIG", "GET", "protected-mode") == [b"protected-mode", b"yes"]


def test_denied_connections_count_as_rejected(shardcache, redis_server):
    counts = []
    for server in (shardcache("--protected-mode", "yes"), redis_server("--protected-mode", "yes")):
        for _ in range(3):
            _denied_bytes(server.port)
        with server.connect() as c:
            info = c.cmd("INFO", "stats").decode()
            counts.append([line for line in info.split("\r\n")
                           if line.startswith("rejected_connections:")])
    assert counts[0] == counts[1] == ["rejected_connections:3"]


@pytest.mark.parametrize("args", [["--protected-mode", "no"],
                                  ["--protected-mode", "yes", "--requirepass", "pw"]])
def test_other_sources_served_when_not_protected(shardcache, args):
    ours = shardcache(*args)
    with RespConnection(ours.port, source=OTHER_SOURCE) as c:
        if "--requirepass" in args:
            assert c.cmd("PING") == Error("NOAUTH Authentication required.")
            assert c.cmd("AUTH", "pw") == Status("OK")
        assert c.cmd("PING") == Status("PONG")
        assert c.cmd("SET", "k", "v") == Status("OK")
        assert c.cmd("GET", "k") == b"v"


def test_config_set_protected_mode_at_runtime(shardcache):
    ours = shardcache("--protected-mode", "yes")
    assert _denied_bytes(ours.port).startswith(b"-DENIED ")
    with ours.connect() as admin:
        assert admin.cmd("CONFIG", "SET", "protected-mode", "no") == Status("OK")
        with RespConnection(ours.port, source=OTHER_SOURCE) as c:
            assert c.cmd("PING") == Status("PONG")
            assert admin.cmd("CONFIG", "SET", "protected-mode", "yes") == Status("OK")
            # Connections already accepted stay; new ones are refused again.
            assert c.cmd("PING") == Status("PONG")
        assert _denied_bytes(ours.port).startswith(b"-DENIED ")
        # A password set at runtime lifts protected mode for new connections.
        assert admin.cmd("CONFIG", "SET", "requirepass", "pw") == Status("OK")
        with RespConnection(ours.port, source=OTHER_SOURCE) as c:
            assert c.cmd("AUTH", "pw") == Status("OK")
            assert c.cmd("PING") == Status("PONG")
