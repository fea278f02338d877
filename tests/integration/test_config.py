"""CONFIG GET/SET/RESETSTAT, maxclients, timeout, and refusing a bad configuration at start."""
import subprocess
import time

import pytest

from helpers import (Error, RespMap, Status, differential, free_port, wait_for_clients,
                     shardcache_bin, wait_until)

# Parameters shardcache and Redis share, with the same default on both sides (as the reference
# redis-server is started by the fixtures).
SHARED_DEFAULTS = [
    "databases", "timeout", "tcp-keepalive", "tcp-backlog", "maxmemory", "maxmemory-policy",
    "maxmemory-samples", "lfu-log-factor", "lfu-decay-time", "requirepass", "loglevel", "logfile",
    "proto-max-bulk-len", "client-query-buffer-limit", "hz", "maxclients",
    "notify-keyspace-events",
]
# Every parameter shardcache has (CONFIG GET *).
ALL_PARAMS = {
    "bind", "port", "threads", "databases", "maxclients", "timeout", "tcp-keepalive",
    "tcp-backlog", "maxmemory", "maxmemory-policy", "maxmemory-samples", "lfu-log-factor",
    "lfu-decay-time", "requirepass", "protected-mode", "loglevel", "logfile",
    "proto-max-bulk-len", "client-query-buffer-limit", "hz", "notify-keyspace-events",
    "hash-max-listpack-entries", "hash-max-listpack-value", "set-max-intset-entries",
    "set-max-listpack-entries", "set-max-listpack-value", "zset-max-listpack-entries",
    "zset-max-listpack-value", "list-max-listpack-size",
}
# Parameters Redis 7.0 does not have: `threads`, and the set listpack limits of Redis 7.2.
OURS_ONLY = {"threads", "set-max-listpack-entries", "set-max-listpack-value"}


def _as_dict(reply) -> dict:
    if isinstance(reply, RespMap):
        return {k.decode(): v.decode() for k, v in reply}
    assert isinstance(reply, list) and len(reply) % 2 == 0, reply
    return {k.decode(): v.decode() for k, v in zip(reply[0::2], reply[1::2])}


def test_config_get_exact_names_differential(diff):
    diff([["CONFIG", "GET", name] for name in SHARED_DEFAULTS] + [
        ["CONFIG", "GET", "hz", "hz", "HZ"],
        ["CONFIG", "GET", "no-such-thing"],
        ["CONFIG", "GET", "no-such-thing", "hz"],
        ["CONFIG", "GET"],
    ], setup=())


def test_config_get_echoes_the_name_as_spelled(diff):
    # Redis 7.0 answers an exact (non-glob) name with the spelling the client used.
    diff([
        ["CONFIG", "GET", "HZ"],
        ["CONFIG", "GET", "Maxmemory-Policy"],
        ["CONFIG", "GET", "TIMEOUT"],
    ], setup=())


def test_config_get_several_names(sc, redis_ref):
    # Redis orders several matches by its dictionary's hash: compare as maps.
    args = ["timeout", "hz", "maxmemory", "databases", "hz", "lfu-*"]
    with sc.connect() as a, redis_ref.connect() as b:
        assert _as_dict(a.cmd("CONFIG", "GET", *args)) == _as_dict(b.cmd("CONFIG", "GET", *args))


@pytest.mark.parametrize("pattern", ["*", "max*", "*max*", "lfu-*", "?z", "h[xyz]", "*-len",
                                     "MAXMEMORY*", "timeou?", "[lt]*", "*nothing-matches*"])
def test_config_get_patterns(sc, redis_ref, pattern):
    with sc.connect() as a, redis_ref.connect() as b:
        ours = _as_dict(a.cmd("CONFIG", "GET", pattern))
        theirs = _as_dict(b.cmd("CONFIG", "GET", pattern))
        all_ours = _as_dict(a.cmd("CONFIG", "GET", "*"))
    assert set(all_ours) == ALL_PARAMS
    # The same parameters Redis matches, restricted to those shardcache has.
    assert set(ours) == set(theirs) & ALL_PARAMS | (OURS_ONLY & set(ours))
    for name in ours:
        if name in SHARED_DEFAULTS:
            assert ours[name] == theirs[name], name
        assert ours[name] == all_ours[name]
    # A parameter matched several times appears once.
    with sc.connect() as a:
        twice = a.cmd("CONFIG", "GET", pattern, pattern, "*")
        assert len(twice) == 2 * len(all_ours)


def test_config_get_in_resp3_is_a_map(sc):
    with sc.connect() as c:
        c.hello3()
        reply = c.cmd("CONFIG", "GET", "hz", "timeout")
        assert isinstance(reply, RespMap)
        assert reply.to_dict() == {b"hz": b"10", b"timeout": b"0"}


ROUND_TRIPS = [
    ("maxmemory", "10mb"), ("maxmemory", "1GB"), ("maxmemory", "123"), ("maxmemory", "5k"),
    ("maxmemory", "2Kb"), ("maxmemory", "0"),
    ("maxmemory-policy", "allkeys-lru"), ("maxmemory-policy", "VOLATILE-TTL"),
    ("maxmemory-policy", "noeviction"),
    ("maxmemory-samples", "10"), ("lfu-log-factor", "0"), ("lfu-decay-time", "30"),
    ("timeout", "300"), ("timeout", "0"), ("tcp-keepalive", "60"),
    ("hz", "100"), ("hz", "1000"), ("hz", "0"), ("hz", "10"),
    ("loglevel", "warning"), ("loglevel", "DEBUG"), ("loglevel", "notice"),
    ("protected-mode", "no"), ("protected-mode", "YES"),
    ("proto-max-bulk-len", "2mb"), ("proto-max-bulk-len", "536870912"),
    ("client-query-buffer-limit", "3mb"), ("client-query-buffer-limit", "1gb"),
    ("maxclients", "5000"), ("maxclients", "10000"),
    ("requirepass", ""),
]


def test_config_set_get_round_trips_differential(shardcache, redis_server):
    commands = []
    for name, value in ROUND_TRIPS:
        commands += [["CONFIG", "SET", name, value], ["CONFIG", "GET", name]]
    commands += [
        ["CONFIG", "SET", "timeout", "5", "hz", "20", "maxmemory", "1mb"],
        ["CONFIG", "GET", "timeout"], ["CONFIG", "GET", "hz"], ["CONFIG", "GET", "maxmemory"],
        ["CONFIG", "SET", "TIMEOUT", "7", "Hz", "30"],
        ["CONFIG", "GET", "timeout"], ["CONFIG", "GET", "hz"],
    ]
    differential(shardcache(), redis_server(), commands, setup=())


CONFIG_ERRORS = [
    ["CONFIG", "SET", "no-such-parameter", "1"],
    ["CONFIG", "SET", "NO-SUCH", "1", "hz", "5"],
    ["CONFIG", "SET", "hz", "5", "no-such", "1"],
    ["CONFIG", "SET", "databases", "4"],
    ["CONFIG", "SET", "tcp-backlog", "100"],
    ["CONFIG", "SET", "logfile", "/tmp/x.log"],
    ["CONFIG", "SET", "Databases", "4"],
    ["CONFIG", "SET", "hz", "abc"],
    ["CONFIG", "SET", "hz", "-1"],
    ["CONFIG", "SET", "hz", "1.5"],
    ["CONFIG", "SET", "hz", ""],
    ["CONFIG", "SET", "timeout", "-1"],
    ["CONFIG", "SET", "timeout", "2147483648"],
    ["CONFIG", "SET", "timeout", "99999999999999999999999"],
    ["CONFIG", "SET", "tcp-keepalive", "x"],
    ["CONFIG", "SET", "maxmemory-samples", "0"],
    ["CONFIG", "SET", "maxmemory", "abc"],
    ["CONFIG", "SET", "maxmemory", "10xb"],
    ["CONFIG", "SET", "maxmemory", "-1"],
    ["CONFIG", "SET", "maxmemory", ""],
    ["CONFIG", "SET", "maxmemory-policy", "bad"],
    ["CONFIG", "SET", "maxmemory-policy", ""],
    ["CONFIG", "SET", "loglevel", "bad"],
    ["CONFIG", "SET", "loglevel", "nothing"],
    ["CONFIG", "SET", "protected-mode", "maybe"],
    ["CONFIG", "SET", "protected-mode", "true"],
    ["CONFIG", "SET", "proto-max-bulk-len", "100"],
    ["CONFIG", "SET", "proto-max-bulk-len", "1023kb"],
    ["CONFIG", "SET", "client-query-buffer-limit", "1000"],
    ["CONFIG", "SET", "client-query-buffer-limit", "x"],
    ["CONFIG", "SET", "hz", "10", "hz", "20"],
    ["CONFIG", "SET", "hz", "10", "HZ", "20"],
    ["CONFIG", "SET", "hz", "10", "timeout", "1", "hz", "20"],
    ["CONFIG", "SET", "hz", "15", "timeout", "bad"],
    ["CONFIG", "SET", "databases", "4", "hz", "10", "hz", "20"],
    ["CONFIG", "SET", "hz", "abc", "databases", "4"],
    ["CONFIG", "SET", "hz"],
    ["CONFIG", "SET", "hz", "1", "timeout"],
    ["CONFIG", "SET"],
    ["CONFIG", "GET"],
    ["CONFIG", "RESETSTAT", "extra"],
    ["CONFIG", "NOSUCH"],
    ["CONFIG"],
]


@pytest.fixture(scope="module")
def config_pair(module_servers):
    """A shardcache and a redis-server whose hz and timeout stay at their defaults."""
    return module_servers.shardcache(), module_servers.redis()


@pytest.mark.parametrize("command", CONFIG_ERRORS, ids=[" ".join(c[1:]) for c in CONFIG_ERRORS])
def test_config_errors_differential(config_pair, command):
    # A failed CONFIG SET changes nothing, not even the parameters before the bad one.
    differential(*config_pair, [command, ["CONFIG", "GET", "hz"], ["CONFIG", "GET", "timeout"]],
                 protocols=(2,), setup=())


def test_config_errors_in_resp3(sc, redis_ref):
    differential(sc, redis_ref, [c for c in CONFIG_ERRORS if c[-1] != "20"][:12],
                 protocols=(3,), setup=())


def test_config_resetstat(sc, redis_ref):
    for server in (sc, redis_ref):
        with server.connect() as c:
            c.cmd("GET", "x")
            c.cmd("NOSUCH")
            assert c.cmd("CONFIG", "RESETSTAT") == Status("OK")
            info = c.cmd("INFO", "everything").decode()
            assert "cmdstat_get" not in info, server
            assert "errorstat_ERR" not in info, server
            assert "total_error_replies:0" in info, server


# --- maxclients --------------------------------------------------------------------------------

def _fill_to_limit(server, limit: int):
    """Sets maxclients and returns (open connections, bytes the next connection received)."""
    admin = server.connect()
    wait_for_clients(admin, 1)
    assert admin.cmd("CONFIG", "SET", "maxclients", str(limit)) == Status("OK")
    conns = [admin]
    for _ in range(limit - 1):
        c = server.connect()
        assert c.cmd("PING") == Status("PONG")
        conns.append(c)
    with server.connect() as extra:
        refused = extra.read_until_closed()
    return conns, refused


def test_maxclients_refuses_extra_connections(shardcache, redis_server):
    results = []
    for server in (shardcache(), redis_server()):
        conns, refused = _fill_to_limit(server, 4)
        results.append(refused)
        # One leaves: a new connection fits again.
        conns.pop().close()
        admin = conns[0]

        def one_more_fits():
            with server.connect() as c:
                try:
                    return c.cmd("PING") == Status("PONG")
                except Exception:
                    return False
        wait_until(one_more_fits, message=f"{server} accepting again")
        info = admin.cmd("INFO", "stats").decode()
        assert "rejected_connections:" in info and "rejected_connections:0" not in info
        for c in conns:
            c.close()
    assert results[0] == results[1] == b"-ERR max number of clients reached\r\n"


def test_maxclients_lowered_below_current_clients(shardcache, redis_server):
    results = []
    for server in (shardcache(), redis_server()):
        conns = [server.connect() for _ in range(4)]
        wait_for_clients(conns[0], 4)
        assert conns[0].cmd("CONFIG", "SET", "maxclients", "2") == Status("OK")
        # Those connected stay; newcomers are refused until the count drops below the limit.
        assert [c.cmd("PING") for c in conns] == [Status("PONG")] * 4
        with server.connect() as extra:
            results.append(extra.read_until_closed())
        for c in conns[1:]:
            c.close()
        wait_for_clients(conns[0], 1)
        with server.connect() as again:
            assert again.cmd("PING") == Status("PONG")
        conns[0].close()
    assert results == [b"-ERR max number of clients reached\r\n"] * 2


def test_maxclients_from_flag(shardcache):
    ours = shardcache("--maxclients", "2")
    with ours.connect() as a:
        wait_for_clients(a, 1)
        b = ours.connect()
        assert a.cmd("PING") == b.cmd("PING") == Status("PONG")
        with ours.connect() as c:
            assert c.read_until_closed() == b"-ERR max number of clients reached\r\n"
        assert a.cmd("INFO", "clients").decode().count("connected_clients:2") == 1
        b.close()


# --- timeout -----------------------------------------------------------------------------------

def _check_idle_timeout(server, seconds: int):
    idle = server.connect()
    busy = server.connect()
    start = time.monotonic()
    closed_at = None
    while time.monotonic() - start < seconds + 4:
        assert busy.cmd("PING") == Status("PONG")
        if closed_at is None and not idle.is_open(wait=0.25):
            closed_at = time.monotonic() - start
            break
    assert closed_at is not None, "idle client was not closed"
    assert seconds - 0.1 <= closed_at <= seconds + 3, closed_at
    assert busy.cmd("PING") == Status("PONG")  # the active client stays
    idle.close()
    busy.close()


def test_timeout_closes_idle_clients(shardcache):
    _check_idle_timeout(shardcache("--timeout", "1", "--hz", "50"), 1)


def test_timeout_set_at_runtime(shardcache):
    ours = shardcache()
    with ours.connect() as admin:
        assert admin.cmd("CONFIG", "SET", "timeout", "1") == Status("OK")
        _check_idle_timeout(ours, 1)
        # The admin connection was idle too and has been closed.
        admin.assert_closed()


def test_timeout_zero_keeps_idle_clients(shardcache):
    ours = shardcache("--hz", "100")
    with ours.connect() as c:
        time.sleep(1.2)
        assert c.cmd("PING") == Status("PONG")


# --- bad configuration at start ---------------------------------------------------------------

def _run_bad_start(args, tmp_path=None):
    proc = subprocess.run([shardcache_bin(), "--port", str(free_port()), *args],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    out = (proc.stdout + proc.stderr).decode()
    lines = [line for line in out.splitlines() if line.strip()]
    return proc.returncode, lines


BAD_FLAGS = [
    (["--hz", "abc"], "hz"),
    (["--maxclients", "0"], "maxclients"),
    (["--timeout", "-5"], "timeout"),
    (["--databases", "0"], "databases"),
    (["--maxmemory", "lots"], "maxmemory"),
    (["--maxmemory-policy", "sometimes"], "maxmemory-policy"),
    (["--protected-mode", "perhaps"], "protected-mode"),
    (["--loglevel", "loud"], "loglevel"),
    (["--proto-max-bulk-len", "10"], "proto-max-bulk-len"),
    (["--no-such-setting", "1"], "no-such-setting"),
    (["--hz"], "hz"),
    (["--hz", "1", "2"], "hz"),
    (["--threads", "99999"], "threads"),
    (["stray"], "stray"),
]


@pytest.mark.parametrize("args,key", BAD_FLAGS, ids=[" ".join(a) for a, _ in BAD_FLAGS])
def test_bad_flag_exits_nonzero_with_one_line(args, key):
    rc, lines = _run_bad_start(args)
    assert rc != 0
    assert len(lines) == 1, lines
    assert key in lines[0]


BAD_FILES = [
    ("hz: abc\n", "hz"),
    ("maxclients: 0\n", "maxclients"),
    ("no-such-setting: 1\n", "no-such-setting"),
    ("port: 6379\nmaxmemory-policy: bad\n", "maxmemory-policy"),
    ("timeout: [1, 2]\n", "timeout"),
    ("loglevel: loud\n", "loglevel"),
]


@pytest.mark.parametrize("text,key", BAD_FILES, ids=[k for _, k in BAD_FILES])
def test_bad_config_file_exits_nonzero_with_one_line(tmp_path, text, key):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    rc, lines = _run_bad_start(["--config", str(path)])
    assert rc != 0
    assert len(lines) == 1, lines
    assert key in lines[0] and str(path) in lines[0]


def test_missing_config_file(tmp_path):
    path = tmp_path / "nope.yaml"
    rc, lines = _run_bad_start(["--config", str(path)])
    assert rc != 0
    assert len(lines) == 1 and str(path) in lines[0]


def test_good_config_file_and_flag_override(shardcache, tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text("hz: 42\ntimeout: 100\nmaxmemory: 2mb\ndatabases: 4\n")
    ours = shardcache("--config", str(path), "--timeout", "200")
    with ours.connect() as c:
        assert _as_dict(c.cmd("CONFIG", "GET", "hz")) == {"hz": "42"}
        assert _as_dict(c.cmd("CONFIG", "GET", "timeout")) == {"timeout": "200"}
        assert _as_dict(c.cmd("CONFIG", "GET", "maxmemory")) == {"maxmemory": "2097152"}
        assert c.cmd("SELECT", "3") == Status("OK")
        assert c.cmd("SELECT", "4") == Error("ERR DB index is out of range")
        info = c.cmd("INFO", "server").decode()
        assert f"config_file:{path}" in info


def _second_server_on(port: int, argv_start: list) -> tuple[int | None, str]:
    proc = subprocess.Popen(argv_start, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=3)
        return proc.returncode, out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate(timeout=5)
        return None, out.decode(errors="replace")


def test_port_in_use_exits_nonzero(shardcache, redis_server):
    """A second server on a port that is already served must fail to start, as redis-server
    does, instead of sharing the port (and splitting the clients) with the first."""
    ref = redis_server()
    rc, out = _second_server_on(ref.port, ["/usr/bin/redis-server", "--port", str(ref.port),
                                           "--bind", "127.0.0.1", "--save", ""])
    assert rc == 1 and "in use" in out
    ours = shardcache()
    rc, out = _second_server_on(ours.port, [shardcache_bin(), "--port", str(ours.port),
                                            "--bind", "127.0.0.1", "--threads", "1"])
    assert rc is not None and rc != 0, f"second shardcache kept running on a used port:\n{out}"
