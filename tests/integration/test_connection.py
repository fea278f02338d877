"""PING ECHO QUIT RESET SELECT HELLO: replies in RESP2 and RESP3, errors, reply shapes."""
import pytest

from helpers import (Error, Null, RespMap, Status, Verbatim, differential,
                     differential_close, differential_stream, encode_command)


def test_ping_echo_differential(diff):
    diff([
        ["PING"],
        ["ping"],
        ["PING", "hello world"],
        ["PING", ""],
        ["PING", b"\x00\xff\r\n"],
        ["PING", "a", "b"],
        ["ECHO", "x"],
        ["ECHO", ""],
        ["ECHO", b"bin\x00ary\r\n"],
        ["ECHO"],
        ["ECHO", "a", "b"],
    ])


def test_select_differential(diff):
    diff([
        ["SELECT", "0"],
        ["SELECT", "15"],
        ["SELECT", "16"],
        ["SELECT", "-1"],
        ["SELECT", "abc"],
        ["SELECT", "1.5"],
        ["SELECT", "01"],
        ["SELECT", "+1"],
        ["SELECT", "99999999999999999999"],
        ["SELECT"],
        ["SELECT", "1", "2"],
        ["SELECT", "3"],
        ["SET", "k", "in-db-3"],
        ["SELECT", "4"],
        ["GET", "k"],
        ["SELECT", "3"],
        ["GET", "k"],
    ])


def test_select_outside_int_range_differential(diff):
    # Redis: "value is out of range, value must between -2147483648 and 2147483647".
    diff([
        ["SELECT", "2147483648"],
        ["SELECT", "-2147483649"],
        ["SELECT", "9223372036854775807"],
    ])


def test_unknown_commands_and_arity_differential(diff):
    long_arg = "x" * 300
    diff([
        ["NOSUCHCOMMAND"],
        ["nosuchcommand", "a", "b"],
        ["FOO", long_arg],
        ["FOO", "a" * 60, "b" * 60, "c" * 60, "d"],
        [long_arg],
        ["FOO", "line\r\nbreak"],
        ["FOO", "a b", ""],
        ["GET"],
        ["GET", "a", "b"],
        ["SET", "a"],
        ["CLIENT"],
        ["CLIENT", "NOSUCH"],
        ["CLIENT", "x" * 200],
        ["CONFIG", "nosuch", "x"],
        ["COMMAND", "NOSUCH"],
        ["ping", "PONG"],
    ])


def test_hello_errors_differential(diff):
    diff([
        ["HELLO", "1"],
        ["HELLO", "4"],
        ["HELLO", "-3"],
        ["HELLO", "abc"],
        ["HELLO", "3.0"],
        ["HELLO", "99999999999999999999"],
        ["HELLO", "3", "FOO"],
        ["HELLO", "3", "AUTH"],
        ["HELLO", "3", "AUTH", "default"],
        ["HELLO", "3", "SETNAME"],
        ["HELLO", "3", "SETNAME", "bad name"],
        ["HELLO", "3", "SETNAME", "bad\nname"],
        ["HELLO", "2", "AUTH", "nosuchuser", "pw"],
        ["PING"],
    ])


def _hello_fields(reply):
    """HELLO's reply as an ordered list of (field, value) pairs, from RESP2 or RESP3."""
    if isinstance(reply, RespMap):
        return list(reply)
    assert isinstance(reply, list) and len(reply) % 2 == 0, reply
    return list(zip(reply[0::2], reply[1::2]))


def _comparable_hello(reply):
    fields = [(k, v) for k, v in _hello_fields(reply) if k != b"shardcache_version"]
    return [(k, "<id>" if k == b"id" else v) for k, v in fields]


@pytest.mark.parametrize("args", [["HELLO"], ["HELLO", "2"], ["HELLO", "3"],
                                  ["HELLO", "3", "SETNAME", "cli"],
                                  ["HELLO", "3", "AUTH", "default", "anything"]])
def test_hello_reply_matches_redis(sc, redis_ref, args):
    with sc.connect() as a, redis_ref.connect() as b:
        ours_value, ours_raw = a.request(*args)
        ref_value, ref_raw = b.request(*args)
        # Same type byte: '*' for RESP2, '%' for HELLO 3.
        assert ours_raw[:1] == ref_raw[:1]
        assert _comparable_hello(ours_value) == _comparable_hello(ref_value)
        fields = dict(_hello_fields(ours_value))
        assert fields[b"shardcache_version"]
        assert fields[b"id"] == a.cmd("CLIENT", "ID")
        # The protocol chosen stays for later replies.
        assert a.cmd_raw("GET", "missing") == b.cmd_raw("GET", "missing")
        if "SETNAME" in args:
            assert a.cmd("CLIENT", "GETNAME") == b"cli"


def test_hello_switches_protocol_both_ways(sc):
    with sc.connect() as c:
        assert c.cmd_raw("GET", "nokey") == b"$-1\r\n"
        c.hello3()
        assert c.cmd_raw("GET", "nokey") == b"_\r\n"
        assert isinstance(c.cmd("HELLO"), RespMap)  # no version: keeps RESP3
        assert c.cmd_raw("GET", "nokey") == b"_\r\n"
        reply = c.cmd("HELLO", "2")
        assert isinstance(reply, list) and not isinstance(reply, RespMap)
        assert c.cmd_raw("GET", "nokey") == b"$-1\r\n"
        # A failed HELLO leaves the protocol alone.
        assert isinstance(c.cmd("HELLO", "4"), Error)
        assert c.cmd_raw("GET", "nokey") == b"$-1\r\n"


def test_resp3_shapes_differential(diff):
    """null, map, verbatim and set shapes for the same commands in both protocols."""
    results = diff([
        ["GET", "missing"],
        ["CLIENT", "GETNAME"],
        ["MGET", "a", "missing"],
        ["SET", "a", "1", "NX"],
        ["SET", "a", "2", "NX"],
        ["SET", "a", "3", "GET"],
        ["CONFIG", "GET", "maxmemory"],
        ["CONFIG", "GET", "no-such-parameter"],
        ["COMMAND", "INFO", "get"],
        ["COMMAND", "DOCS", "nosuchcommand"],
        ["MEMORY", "USAGE", "missing"],
        ["INFO", "nosuchsection"],
        ["LATENCY", "LATEST"],
    ])
    resp3 = results[3]
    assert resp3[0] == b"_\r\n"
    assert resp3[6].startswith(b"%1\r\n")
    assert resp3[11] == b"=4\r\ntxt:\r\n"
    assert results[2][11] == b"$0\r\n\r\n"


def test_resp3_verbatim_info(sc):
    with sc.connect() as c:
        c.hello3()
        value, raw = c.request("INFO", "server")
        assert raw.startswith(b"=")
        assert isinstance(value, Verbatim) and value.format == "txt"
        assert value.startswith(b"# Server\r\n")
        value = c.cmd("CLIENT", "INFO")
        assert isinstance(value, Verbatim) and value.format == "txt"


def test_resp3_null_and_map_types(sc):
    with sc.connect() as c:
        c.hello3()
        assert c.cmd("GET", "missing") == Null()
        assert c.cmd("CLIENT", "GETNAME") == Null()
        assert c.cmd("MGET", "missing", "missing2") == [Null(), Null()]
        config = c.cmd("CONFIG", "GET", "hz")
        assert isinstance(config, RespMap) and config.to_dict() == {b"hz": b"10"}


def test_quit_replies_ok_and_closes_differential(sc, redis_ref):
    for payload in (encode_command("QUIT"),
                    encode_command("PING") + encode_command("QUIT") + encode_command("PING"),
                    b"QUIT\r\n",
                    encode_command("QUIT", "extra", "args")):
        differential_close(sc, redis_ref, payload)


def test_quit_after_pipeline_on_other_shard(sc):
    # Keys on several shards: the replies of cross-shard commands come before QUIT's +OK.
    keys = [f"key{i}" for i in range(20)]
    payload = encode_command("MGET", *keys) + encode_command("DEL", *keys) + encode_command("QUIT")
    with sc.connect() as c:
        c.send(payload)
        assert c.read_reply() == [None] * 20
        assert c.read_reply() == 0
        assert c.read_reply() == Status("OK")
        c.assert_closed()


def test_reset_differential(sc, redis_ref):
    differential(sc, redis_ref, [
        ["CLIENT", "SETNAME", "before-reset"],
        ["SELECT", "3"],
        ["SET", "k", "v"],
        ["RESET"],
        ["CLIENT", "GETNAME"],
        ["GET", "k"],
        ["GET", "missing"],
        ["SELECT", "3"],
        ["GET", "k"],
        ["RESET", "extra"],
        ["HELLO", "3"],
        ["RESET"],
        ["GET", "missing"],
    ], normalize=_drop_hello_id)


def _drop_hello_id(raw: bytes) -> bytes:
    # HELLO's reply holds the connection id and, for shardcache, an extra field.
    if raw.startswith((b"%", b"*")) and b"$5\r\nredis\r\n" in raw:
        return b"<HELLO reply>"
    return raw


def test_reset_after_client_reply_off_and_skip(sc, redis_ref):
    differential_stream(sc, redis_ref, [
        ["CLIENT", "REPLY", "OFF"],
        ["SET", "k", "v"],
        ["RESET"],
        ["GET", "k"],
        ["CLIENT", "REPLY", "SKIP"],
        ["RESET"],
        ["PING", "after skipped reset"],
    ])


def test_connection_commands_pipelined_in_one_write(sc, redis_ref):
    differential_stream(sc, redis_ref, [
        ["PING"], ["ECHO", "a"], ["SELECT", "2"], ["SET", "x", "1"], ["SELECT", "0"],
        ["GET", "x"], ["SELECT", "2"], ["GET", "x"], ["HELLO", "9"], ["PING", "done"],
    ])
