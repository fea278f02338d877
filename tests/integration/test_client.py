"""CLIENT ID|SETNAME|GETNAME|LIST|INFO|KILL|SETINFO|REPLY|NO-EVICT|NO-TOUCH|PAUSE|UNPAUSE|HELP."""
import time

import pytest

from helpers import (Error, Status, Verbatim, differential_stream, encode_command,
                     exchange_window, keys_on_shards, parse_client_line, run_in_thread)

# Fields of a CLIENT LIST line in Redis 7.0.15, in order.
REDIS_CLIENT_FIELDS = [
    "id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub",
    "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
    "tot-mem", "events", "cmd", "user", "redir", "resp",
]


def test_client_id(sc):
    with sc.connect() as a:
        id_a = a.cmd("CLIENT", "ID")
        # A connection accepted after another has a larger id (whichever shard accepts it).
        with sc.connect() as b:
            id_b = b.cmd("CLIENT", "ID")
        assert isinstance(id_a, int) and id_b > id_a > 0
        assert a.cmd("CLIENT", "ID") == id_a
        hello = dict(zip(*[iter(a.cmd("HELLO"))] * 2))
        assert hello[b"id"] == id_a


def test_client_setname_getname_differential(diff):
    diff([
        ["CLIENT", "GETNAME"],
        ["CLIENT", "SETNAME", "worker-1"],
        ["CLIENT", "GETNAME"],
        ["CLIENT", "SETNAME", "with space"],
        ["CLIENT", "SETNAME", "new\nline"],
        ["CLIENT", "SETNAME", "tab\there"],
        ["CLIENT", "SETNAME", "caf\xc3\xa9"],
        ["CLIENT", "SETNAME", b"\x7f"],
        ["CLIENT", "GETNAME"],
        ["CLIENT", "SETNAME", "~!@#$%^&*()_+{}|:<>?"],
        ["CLIENT", "GETNAME"],
        ["CLIENT", "SETNAME", ""],
        ["CLIENT", "GETNAME"],
        ["CLIENT", "SETNAME"],
        ["CLIENT", "SETNAME", "a", "b"],
        ["CLIENT", "GETNAME", "extra"],
        ["CLIENT", "ID", "extra"],
    ])


def test_client_misc_errors_differential(diff):
    diff([
        ["CLIENT"],
        ["CLIENT", "NOSUCH"],
        ["client", "nosuch", "a"],
        ["CLIENT", "LIST", "TYPE"],
        ["CLIENT", "LIST", "TYPE", "bogus"],
        ["CLIENT", "LIST", "TYPE", "pubsub"],
        ["CLIENT", "LIST", "TYPE", "master"],
        ["CLIENT", "LIST", "TYPE", "replica"],
        ["CLIENT", "LIST", "ID"],
        ["CLIENT", "LIST", "ID", "abc"],
        ["CLIENT", "LIST", "ID", "999999"],
        ["CLIENT", "LIST", "FOO", "bar"],
        ["CLIENT", "LIST", "extra"],
        ["CLIENT", "INFO", "extra"],
        ["CLIENT", "KILL"],
        ["CLIENT", "KILL", "ID"],
        ["CLIENT", "KILL", "ID", "abc"],
        ["CLIENT", "KILL", "ID", "0"],
        ["CLIENT", "KILL", "ID", "-1"],
        ["CLIENT", "KILL", "ID", "999999"],
        ["CLIENT", "KILL", "TYPE", "bogus"],
        ["CLIENT", "KILL", "TYPE", "pubsub"],
        ["CLIENT", "KILL", "USER", "nobody"],
        ["CLIENT", "KILL", "SKIPME", "maybe"],
        ["CLIENT", "KILL", "ADDR", "1.2.3.4:5"],
        ["CLIENT", "KILL", "LADDR", "1.2.3.4:5"],
        ["CLIENT", "KILL", "1.2.3.4:5"],
        ["CLIENT", "KILL", "BOGUS", "x"],
        ["CLIENT", "KILL", "ID", "1", "TYPE"],
        ["CLIENT", "REPLY"],
        ["CLIENT", "REPLY", "maybe"],
        ["CLIENT", "NO-EVICT", "on"],
        ["CLIENT", "NO-EVICT", "OFF"],
        ["CLIENT", "NO-EVICT", "maybe"],
        ["CLIENT", "NO-EVICT"],
        ["CLIENT", "PAUSE"],
        ["CLIENT", "PAUSE", "abc"],
        ["CLIENT", "PAUSE", "-1"],
        ["CLIENT", "PAUSE", "1.5"],
        ["CLIENT", "PAUSE", "10", "SOMETIMES"],
        ["CLIENT", "UNPAUSE", "extra"],
        ["CLIENT", "HELP", "extra"],
        ["PING"],
    ])


def test_client_list_id_not_positive_differential(diff):
    # Redis lists no client for an id <= 0 rather than refusing it.
    diff([
        ["CLIENT", "LIST", "ID", "0"],
        ["CLIENT", "LIST", "ID", "-3"],
        ["CLIENT", "LIST", "ID", "1", "0"],
    ])


def test_client_pause_extra_argument_differential(diff):
    diff([
        ["CLIENT", "PAUSE", "10", "WRITE", "extra"],
        ["CLIENT", "PAUSE", "10", "ALL", "x", "y"],
    ])


def test_client_list_fields(sc, redis_ref):
    lines = {}
    for server in (sc, redis_ref):
        with server.connect() as c:
            c.cmd("CLIENT", "SETNAME", "lister")
            c.cmd("SELECT", "5")
            text = c.cmd("CLIENT", "LIST")
            assert isinstance(text, bytes) and text.endswith(b"\n")
            mine = [parse_client_line(line) for line in text.decode().splitlines()
                    if f"id={c.cmd('CLIENT', 'ID')} " in line + " "]
            assert len(mine) == 1
            lines[server.kind] = mine[0]
    ours, theirs = lines["shardcache"], lines["redis"]
    # Redis's fields, in Redis's order; shardcache may add fields after them.
    assert list(ours)[:len(REDIS_CLIENT_FIELDS)] == list(theirs) == REDIS_CLIENT_FIELDS
    for field in ("name", "db", "flags", "cmd", "user", "resp", "sub", "psub", "multi"):
        assert ours[field] == theirs[field], field
    assert ours["name"] == "lister" and ours["db"] == "5" and ours["cmd"] == "client|list"
    assert ours["addr"].startswith("127.0.0.1:") and ours["laddr"] == f"127.0.0.1:{sc.port}"


def test_client_list_sees_clients_of_every_shard(shardcache):
    ours = shardcache(threads=4)
    conns = [ours.connect() for _ in range(12)]
    try:
        ids = set()
        for i, c in enumerate(conns):
            c.cmd("CLIENT", "SETNAME", f"c{i}")
            ids.add(c.cmd("CLIENT", "ID"))
        listed = [parse_client_line(line) for line in
                  conns[0].cmd("CLIENT", "LIST").decode().splitlines()]
        assert {int(entry["id"]) for entry in listed} == ids
        assert {entry["name"] for entry in listed} == {f"c{i}" for i in range(12)}
        # LIST TYPE normal: everyone; LIST ID: exactly those asked for, in any order.
        assert len(conns[0].cmd("CLIENT", "LIST", "TYPE", "normal").decode().splitlines()) == 12
        wanted = sorted(ids)[3:7]
        listed = conns[5].cmd("CLIENT", "LIST", "ID", *map(str, wanted)).decode().splitlines()
        assert sorted(int(parse_client_line(line)["id"]) for line in listed) == wanted
        assert conns[1].cmd("CLIENT", "LIST", "TYPE", "pubsub") == b""
    finally:
        for c in conns:
            c.close()


def test_client_info(sc):
    with sc.connect() as c:
        c.cmd("CLIENT", "SETNAME", "me")
        info = c.cmd("CLIENT", "INFO")
        assert info.endswith(b"\n") and info.count(b"\n") == 1
        fields = parse_client_line(info.decode())
        assert int(fields["id"]) == c.cmd("CLIENT", "ID")
        assert fields["name"] == "me" and fields["cmd"] == "client|info"
        c.hello3()
        info = c.cmd("CLIENT", "INFO")
        assert isinstance(info, Verbatim) and info.format == "txt"
        assert parse_client_line(info.decode())["resp"] == "3"


def test_client_kill_by_id_from_another_connection(shardcache):
    ours = shardcache(threads=2)
    admin = ours.connect()
    victims = [ours.connect() for _ in range(6)]  # spread over both shards
    ids = [v.cmd("CLIENT", "ID") for v in victims]
    for victim, victim_id in zip(victims, ids):
        assert admin.cmd("CLIENT", "KILL", "ID", str(victim_id)) == 1
        victim.assert_closed()
    assert admin.cmd("CLIENT", "KILL", "ID", str(ids[0])) == 0
    assert admin.cmd("PING") == Status("PONG")
    admin.close()


def test_client_kill_several_ids_at_once(sc):
    with sc.connect() as admin:
        victims = [sc.connect() for _ in range(4)]
        args = []
        for v in victims:
            args += ["ID", str(v.cmd("CLIENT", "ID"))]
        assert admin.cmd("CLIENT", "KILL", *args) == 4
        for v in victims:
            v.assert_closed()
            v.close()


def test_client_kill_by_addr_both_forms(sc, redis_ref):
    for server in (sc, redis_ref):
        with server.connect() as admin, server.connect() as old, server.connect() as new:
            old_addr = parse_client_line(old.cmd("CLIENT", "INFO").decode())["addr"]
            new_addr = parse_client_line(new.cmd("CLIENT", "INFO").decode())["addr"]
            assert admin.cmd("CLIENT", "KILL", old_addr) == Status("OK"), server
            old.assert_closed()
            assert admin.cmd("CLIENT", "KILL", old_addr) == Error("ERR No such client")
            assert admin.cmd("CLIENT", "KILL", "ADDR", new_addr) == 1
            new.assert_closed()
            assert admin.cmd("CLIENT", "KILL", "ADDR", new_addr) == 0


def test_client_kill_laddr_user_type_and_skipme(sc, redis_ref):
    for server in (sc, redis_ref):
        with server.connect() as admin:
            others = [server.connect() for _ in range(3)]
            for o in others:
                o.cmd("PING")
            laddr = f"127.0.0.1:{server.port}"
            # SKIPME defaults to yes: the caller survives.
            assert admin.cmd("CLIENT", "KILL", "LADDR", laddr) == 3, server
            for o in others:
                o.assert_closed()
                o.close()
            others = [server.connect() for _ in range(2)]
            for o in others:
                o.cmd("PING")
            assert admin.cmd("CLIENT", "KILL", "USER", "default", "TYPE", "normal") == 2
            for o in others:
                o.assert_closed()
                o.close()
            # SKIPME no: the caller gets its reply, then is closed.
            admin.send_command("CLIENT", "KILL", "ID", str(admin.cmd("CLIENT", "ID")),
                               "SKIPME", "no")
            assert admin.read_reply() == 1
            admin.assert_closed()


def test_client_kill_self_by_old_form(sc, redis_ref):
    for server in (sc, redis_ref):
        with server.connect() as c:
            addr = parse_client_line(c.cmd("CLIENT", "INFO").decode())["addr"]
            # The old form does not skip the caller: +OK, then closed.
            c.send_command("CLIENT", "KILL", addr)
            assert c.read_until_closed() == b"+OK\r\n", server


def test_client_kill_reply_in_pipeline_of_victim(sc):
    with sc.connect() as admin, sc.connect() as victim:
        victim_id = victim.cmd("CLIENT", "ID")
        victim.send(encode_command("PING") * 3)
        assert [victim.read_reply() for _ in range(3)] == [Status("PONG")] * 3
        assert admin.cmd("CLIENT", "KILL", "ID", str(victim_id)) == 1
        victim.assert_closed()
        info = admin.cmd("INFO", "clients").decode()
        assert "connected_clients:1\r\n" in info


def test_client_reply_off_skip_on_differential(shardcache, redis_ref):
    # One shard thread: every key is local to the connection.
    differential_stream(shardcache(threads=1), redis_ref, [
        ["CLIENT", "REPLY", "OFF"],
        ["SET", "a", "1"],
        ["GET", "a"],
        ["CLIENT", "REPLY", "SKIP"],
        ["PING", "while off"],
        ["CLIENT", "REPLY", "ON"],
        ["GET", "a"],
        ["CLIENT", "REPLY", "SKIP"],
        ["GET", "a"],
        ["PING", "after skip"],
        ["CLIENT", "REPLY", "SKIP"],
        ["CLIENT", "REPLY", "SKIP"],
        ["PING", "after double skip"],
        ["CLIENT", "REPLY", "SKIP"],
        ["CLIENT", "REPLY", "ON"],
        ["PING", "on after skip"],
        ["CLIENT", "REPLY", "OFF"],
        ["CLIENT", "REPLY", "SKIP"],
        ["CLIENT", "REPLY", "ON"],
        ["DBSIZE"],
    ])


def test_client_reply_off_and_skip_suppress_errors(sc, redis_ref):
    differential_stream(sc, redis_ref, [
        ["CLIENT", "REPLY", "OFF"],
        ["NOSUCHCOMMAND"],
        ["GET"],
        ["CLIENT", "NOSUCH"],
        ["SET", "k", "v", "BADOPTION"],
        ["SELECT", "999"],
        ["CLIENT", "REPLY", "ON"],
        ["CLIENT", "REPLY", "SKIP"],
        ["NOSUCHCOMMAND"],
        ["PING", "1"],
        ["CLIENT", "REPLY", "SKIP"],
        ["GET"],
        ["PING", "2"],
        ["CLIENT", "REPLY", "SKIP"],
        ["SET", "k", "v", "BADOPTION"],
        ["PING", "3"],
    ])


def test_client_reply_skip_with_single_keys_of_each_shard(sc, redis_ref):
    # Whichever shard accepted the connection, one of these keys lives on the other one.
    k0, k1 = keys_on_shards(2)
    differential_stream(sc, redis_ref, [
        ["SET", k0, "v0"],
        ["SET", k1, "v1"],
        ["CLIENT", "REPLY", "SKIP"],
        ["GET", k0],
        ["CLIENT", "REPLY", "SKIP"],
        ["GET", k1],
        ["CLIENT", "REPLY", "OFF"],
        ["GET", k0],
        ["GET", k1],
        ["CLIENT", "REPLY", "ON"],
        ["GET", k0],
        ["GET", k1],
    ])


def test_client_reply_skip_and_off_with_cross_shard_commands(sc, redis_ref):
    keys = [f"key-{i}" for i in range(8)]  # spread over both shards
    differential_stream(sc, redis_ref, [
        ["SET", "key-0", "zero"],
        ["CLIENT", "REPLY", "SKIP"],
        ["MGET", *keys],
        ["PING", "after skipped mget"],
        ["CLIENT", "REPLY", "SKIP"],
        ["DEL", *keys],
        ["EXISTS", *keys],
        ["CLIENT", "REPLY", "OFF"],
        ["MGET", *keys],
        ["DBSIZE"],
        ["FLUSHALL"],
        ["CLIENT", "REPLY", "ON"],
        ["MGET", *keys],
    ])


def test_client_reply_off_still_runs_commands(sc):
    with sc.connect() as c:
        c.send(encode_command("CLIENT", "REPLY", "OFF")
               + b"".join(encode_command("SET", f"k{i}", "v") for i in range(100))
               + encode_command("CLIENT", "REPLY", "ON"))
        assert c.read_reply() == Status("OK")
        assert c.cmd("DBSIZE") == 100


def test_client_no_evict_and_no_touch(sc):
    with sc.connect() as c:
        assert c.cmd("CLIENT", "NO-EVICT", "on") == Status("OK")
        assert c.cmd("CLIENT", "NO-TOUCH", "ON") == Status("OK")
        assert c.cmd("CLIENT", "NO-TOUCH", "off") == Status("OK")
        assert isinstance(c.cmd("CLIENT", "NO-TOUCH", "maybe"), Error)
        assert c.cmd("CLIENT", "NO-TOUCH", "on", "x") == Error(
            "ERR wrong number of arguments for 'client|no-touch' command")


def test_client_setinfo(sc):
    with sc.connect() as c:
        assert c.cmd("CLIENT", "SETINFO", "lib-name", "mylib") == Status("OK")
        assert c.cmd("CLIENT", "SETINFO", "LIB-VER", "1.2.3") == Status("OK")
        fields = parse_client_line(c.cmd("CLIENT", "INFO").decode())
        assert fields["lib-name"] == "mylib" and fields["lib-ver"] == "1.2.3"
        assert isinstance(c.cmd("CLIENT", "SETINFO", "lib-name", "has space"), Error)
        assert isinstance(c.cmd("CLIENT", "SETINFO", "color", "red"), Error)
        fields = parse_client_line(c.cmd("CLIENT", "INFO").decode())
        assert fields["lib-name"] == "mylib"
        with sc.connect() as other:
            listed = [parse_client_line(line) for line in
                      other.cmd("CLIENT", "LIST").decode().splitlines()]
            assert [e["lib-name"] for e in listed if e["id"] == fields["id"]] == ["mylib"]


def test_client_help(sc):
    with sc.connect() as c:
        lines = c.cmd("CLIENT", "HELP")
        assert all(isinstance(line, Status) for line in lines)
        assert lines[0].startswith("CLIENT <subcommand> [<arg> [value] [opt] ...]")
        assert lines[-2:] == ["HELP", "    Prints this help."]
        text = "\n".join(lines)
        for sub in ("GETNAME", "ID", "INFO", "KILL", "LIST", "PAUSE", "REPLY", "SETNAME",
                    "UNPAUSE", "SETINFO", "NO-EVICT", "NO-TOUCH"):
            assert f"\n{sub}" in text, sub


# --- CLIENT PAUSE ------------------------------------------------------------------------------

def _timed(conn, *args):
    start = time.monotonic()
    reply = conn.cmd(*args)
    return reply, time.monotonic() - start


@pytest.mark.parametrize("threads", [1, 2])
def test_client_pause_write_delays_writes_only(shardcache, threads):
    ours = shardcache(threads=threads)
    with ours.connect() as admin, ours.connect() as c:
        c.cmd("SET", "k", "before")
        assert admin.cmd("CLIENT", "PAUSE", "400", "WRITE") == Status("OK")
        reply, took = _timed(c, "GET", "k")
        assert reply == b"before" and took < 0.2
        reply, took = _timed(c, "MGET", "k", "a", "b", "c")
        assert reply[0] == b"before" and took < 0.2
        reply, took = _timed(c, "SET", "k", "after")
        assert reply == Status("OK") and 0.25 <= took <= 2.0, took
        assert c.cmd("GET", "k") == b"after"


@pytest.mark.parametrize("threads", [1, 2])
def test_client_pause_all_delays_everything(shardcache, threads):
    ours = shardcache(threads=threads)
    with ours.connect() as admin, ours.connect() as c:
        assert admin.cmd("CLIENT", "PAUSE", "400") == Status("OK")
        reply, took = _timed(c, "PING")
        assert reply == Status("PONG") and 0.25 <= took <= 2.0, took
        # Pipelined commands behind a paused one keep their order.
        assert admin.cmd("CLIENT", "PAUSE", "300", "ALL") == Status("OK")
        start = time.monotonic()
        c.send(encode_command("SET", "x", "1") + encode_command("GET", "x")
               + encode_command("PING"))
        assert [c.read_reply() for _ in range(3)] == [Status("OK"), b"1", Status("PONG")]
        assert time.monotonic() - start >= 0.2


def test_client_unpause_releases_waiting_clients(shardcache):
    ours = shardcache(threads=2)
    with ours.connect() as admin:
        waiting = [ours.connect() for _ in range(4)]
        assert admin.cmd("CLIENT", "PAUSE", "20000", "WRITE") == Status("OK")
        start = time.monotonic()
        joins = [run_in_thread(w.cmd, "SET", f"k{i}", "v") for i, w in enumerate(waiting)]
        time.sleep(0.3)
        assert admin.cmd("DBSIZE") == 0  # the writes are still held
        assert admin.cmd("CLIENT", "UNPAUSE") == Status("OK")
        assert [join(5) for join in joins] == [Status("OK")] * 4
        assert time.monotonic() - start < 3
        assert admin.cmd("DBSIZE") == 4
        for w in waiting:
            w.close()


def test_client_pause_differential_timing(shardcache, redis_server):
    """The same pause sequence on both servers: which commands wait, in what order."""
    for server in (shardcache(threads=2), redis_server()):
        with server.connect() as admin, server.connect() as c:
            assert admin.cmd("CLIENT", "PAUSE", "300", "WRITE") == Status("OK")
            read_reply, read_took = _timed(c, "GET", "k")
            write_reply, write_took = _timed(c, "SET", "k", "v")
            assert read_took < 0.2, server
            assert 0.2 <= write_took < 2, (server, write_took)
            assert (read_reply, write_reply) == (None, Status("OK"))
            # A later, shorter pause does not shorten the current one.
            assert admin.cmd("CLIENT", "PAUSE", "500", "WRITE") == Status("OK")
            assert admin.cmd("CLIENT", "PAUSE", "10", "WRITE") == Status("OK")
            _, took = _timed(c, "DEL", "k")
            assert took >= 0.3, (server, took)
            assert admin.cmd("CLIENT", "UNPAUSE") == Status("OK")


PAUSE_PROBES = [
    ["GET", "k"], ["MGET", "k", "a", "b"], ["EXISTS", "k"], ["DBSIZE"], ["PING"], ["ECHO", "x"],
    ["INFO", "server"], ["CLIENT", "SETNAME", "n"], ["SELECT", "1"], ["CONFIG", "GET", "hz"],
    ["SET", "k", "v"], ["DEL", "nothing"], ["FLUSHDB"], ["FLUSHALL"],
]


def _delayed_under_pause(server, mode):
    """Which PAUSE_PROBES wait while a 600 ms pause of `mode` is on, each sent on its own
    connection at the same time."""
    conns = [server.connect() for _ in PAUSE_PROBES]
    with server.connect() as admin:
        assert admin.cmd("CLIENT", "PAUSE", "600", mode) == Status("OK")
        start = time.monotonic()
        joins = [run_in_thread(_timed, c, *probe) for c, probe in zip(conns, PAUSE_PROBES)]
        results = [join(10) for join in joins]
        assert time.monotonic() - start < 3
        admin.cmd("CLIENT", "UNPAUSE")
    for c in conns:
        c.close()
    return {" ".join(probe): took > 0.3 for probe, (_, took) in zip(PAUSE_PROBES, results)}


@pytest.mark.timeout_s(40)
@pytest.mark.parametrize("mode", ["WRITE", "ALL"])
def test_client_pause_delays_the_same_commands_as_redis(shardcache, redis_server, mode):
    ours = _delayed_under_pause(shardcache(threads=2), mode)
    theirs = _delayed_under_pause(redis_server(), mode)
    assert ours == theirs
    assert any(theirs.values())


def test_client_kill_own_id_skips_caller(sc, redis_ref):
    for server in (sc, redis_ref):
        with server.connect() as c:
            own = str(c.cmd("CLIENT", "ID"))
            assert c.cmd("CLIENT", "KILL", "ID", own) == 0, server
            assert c.cmd("CLIENT", "KILL", "ID", own, "SKIPME", "yes") == 0, server
            assert c.cmd("PING") == Status("PONG")


@pytest.mark.parametrize("payload", [
    encode_command("CLIENT", "REPLY", "OFF") + encode_command("QUIT"),
    encode_command("CLIENT", "REPLY", "SKIP") + encode_command("QUIT"),
    encode_command("CLIENT", "REPLY", "OFF") + b"*1\r\n$x\r\n",
    encode_command("CLIENT", "REPLY", "SKIP") + b"ECHO 'unbalanced\r\n",
], ids=["off-quit", "skip-quit", "off-protocol-error", "skip-protocol-error"])
def test_client_reply_off_then_close(sc, redis_ref, payload):
    """Redis 7.0 sends nothing here (QUIT's +OK and the protocol error are suppressed too) and
    then, having nothing to write, never closes the connection. shardcache must send the same
    nothing, and close."""
    theirs, redis_closed = exchange_window(redis_ref.port, payload, 0.5)
    assert (theirs, redis_closed) == (b"", False)
    ours, closed = exchange_window(sc.port, payload, 5)
    assert closed
    assert ours == theirs


@pytest.mark.parametrize("threads", [1, 4])
def test_client_no_touch_leaves_idle_time(shardcache, threads):
    """CLIENT NO-TOUCH ON (Redis 7.2): reads leave the keys' LRU state alone; TOUCH still
    refreshes it. Keys on every shard, so remote and cross-shard reads are covered."""
    server = shardcache(threads=threads)
    keys = [f"nt:{i}" for i in range(8)]
    with server.connect() as c:
        c.cmd("MSET", *[x for k in keys for x in (k, "v")])
    time.sleep(2.1)
    with server.connect() as c:
        assert c.cmd("CLIENT", "NO-TOUCH", "ON") == Status("OK")
        for k in keys:
            c.cmd("GET", k)
        c.cmd("MGET", *keys)
        assert all(c.cmd("OBJECT", "IDLETIME", k) >= 2 for k in keys)
        assert c.cmd("TOUCH", keys[0]) == 1
        assert c.cmd("OBJECT", "IDLETIME", keys[0]) == 0
        assert c.cmd("CLIENT", "NO-TOUCH", "OFF") == Status("OK")
        c.cmd("GET", keys[1])
        assert c.cmd("OBJECT", "IDLETIME", keys[1]) == 0
