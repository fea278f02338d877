"""INFO: sections, fields and counters, as redis-py parses them, compared with redis-server.
Also TIME and LASTSAVE."""
import time

import redis

from helpers import (REDIS_VERSION, RespConnection, Status, Verbatim, differential,
                     keys_on_shards, parse_info, wait_for_clients, wait_until)

# What each side runs before their INFO output is compared; errors included.
WORKLOAD = [
    ["SET", "a", "1"], ["SET", "b", "2"], ["SET", "c", "3"],
    ["GET", "a"], ["GET", "missing"],
    ["MGET", "a", "b", "c", "x", "y"],
    ["EXISTS", "a", "x"], ["DEL", "c", "x"],
    ["GET"],                          # arity: rejected
    ["SET", "k", "v", "BADOPTION"],   # syntax error: failed
    ["SELECT", "99"],                 # failed
    ["NOSUCHCOMMAND", "x"],           # unknown: errorstat only
    ["CONFIG", "SET", "hz", "abc"],   # failed config|set
    ["CONFIG", "NOSUCH"],
    ["AUTH", "a", "b"],               # WRONGPASS
    ["SELECT", "3"], ["SET", "in3", "x"], ["SELECT", "0"],
    ["ECHO", "x"], ["PING"], ["DBSIZE"],
]


def _run_workload(port):
    with RespConnection(port) as c:
        for command in WORKLOAD:
            c.cmd(*command)


def _client(server):
    return redis.Redis(port=server.port, socket_timeout=10)


def test_info_fields_as_redis_py_parses_them(sc):
    with sc.connect() as a, sc.connect() as b:
        a.cmd("PING")
        b.cmd("PING")
        r = _client(sc)
        r.ping()
        wait_for_clients(a, 3)
        info = r.info()
        assert info["redis_version"] == REDIS_VERSION
        assert isinstance(info["shardcache_version"], str) and info["shardcache_version"]
        assert info["connected_clients"] == 3
        assert info["tcp_port"] == sc.port
        assert info["process_id"] == sc.pid
        assert info["role"] == "master"
        assert info["redis_mode"] == "standalone"
        assert isinstance(info["used_memory"], int)
        assert info["maxmemory_policy"] == "noeviction"
        assert info["cluster_enabled"] == 0
        assert isinstance(info["uptime_in_seconds"], int)
        r.close()


def test_info_field_types_match_redis(sc, redis_ref):
    ours, theirs = _client(sc).info("everything"), _client(redis_ref).info("everything")
    common = set(ours) & set(theirs)
    assert len(common) > 50
    for field in sorted(common):
        assert type(ours[field]) is type(theirs[field]), (field, ours[field], theirs[field])


def test_info_common_fields_present(sc, redis_ref):
    ours = parse_info(RespConnection(sc.port).cmd("INFO", "everything"))
    wanted = [
        "redis_version", "redis_mode", "os", "arch_bits", "process_id", "run_id", "tcp_port",
        "uptime_in_seconds", "uptime_in_days", "hz", "configured_hz", "executable",
        "config_file", "connected_clients", "maxclients", "blocked_clients", "used_memory",
        "used_memory_human", "used_memory_rss", "used_memory_peak", "maxmemory",
        "maxmemory_human", "maxmemory_policy", "mem_fragmentation_ratio", "loading",
        "rdb_changes_since_last_save", "rdb_last_save_time", "aof_enabled",
        "total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
        "total_net_input_bytes", "total_net_output_bytes", "rejected_connections",
        "expired_keys", "evicted_keys", "keyspace_hits", "keyspace_misses",
        "total_error_replies", "role", "connected_slaves", "master_replid", "used_cpu_sys",
        "used_cpu_user", "cluster_enabled",
    ]
    theirs = parse_info(RespConnection(redis_ref.port).cmd("INFO", "everything"))
    for field in wanted:
        assert field in theirs, f"test bug: redis has no {field}"
        assert field in ours, field


def test_keyspace_section(sc, redis_ref):
    results = []
    for server in (sc, redis_ref):
        with server.connect() as c:
            c.cmd("FLUSHALL")
            assert c.cmd("INFO", "keyspace") == b"# Keyspace\r\n"
            for i in range(50):
                c.cmd("SET", f"key:{i}", "v")
            c.cmd("SELECT", "3")
            for i in range(7):
                c.cmd("SET", f"other:{i}", "v")
            c.cmd("SELECT", "15")
            c.cmd("SET", "last", "v")
            results.append(_client(server).info("keyspace"))
            c.cmd("FLUSHALL")
    assert results[0] == results[1] == {
        "db0": {"keys": 50, "expires": 0, "avg_ttl": 0},
        "db3": {"keys": 7, "expires": 0, "avg_ttl": 0},
        "db15": {"keys": 1, "expires": 0, "avg_ttl": 0},
    }


def _counts(info: dict) -> dict:
    """cmdstat_* without the timings."""
    return {name: {k: v for k, v in stat.items() if k not in ("usec", "usec_per_call")}
            for name, stat in info.items()}


def test_commandstats_match_redis(shardcache, redis_server):
    ours, theirs = shardcache(threads=2), redis_server()
    stats = []
    for server in (ours, theirs):
        _run_workload(server.port)
        stats.append(_counts(_client(server).info("commandstats")))
    assert stats[0] == stats[1]
    assert stats[0]["cmdstat_get"] == {"calls": 2, "rejected_calls": 1, "failed_calls": 0}
    assert stats[0]["cmdstat_set"]["failed_calls"] == 1


def test_commandstats_count_cross_shard_failures(shardcache):
    ours = shardcache(threads=2)
    k0, k1 = keys_on_shards(2)
    with ours.connect() as c:
        # Whichever shard the connection lives on, one SET runs on the other shard.
        assert c.cmd("SET", k0, "v", "BADOPTION").startswith("ERR syntax")
        assert c.cmd("SET", k1, "v", "BADOPTION").startswith("ERR syntax")
    stats = _client(ours).info("commandstats")["cmdstat_set"]
    assert (stats["calls"], stats["failed_calls"]) == (2, 2)
    # redis-py 4.3 leaves errorstat values as text.
    assert _client(ours).info("errorstats") == {"errorstat_ERR": "count=2"}


def test_errorstats_match_redis(shardcache, redis_server):
    ours, theirs = shardcache(threads=2), redis_server()
    stats = []
    for server in (ours, theirs):
        _run_workload(server.port)
        info = _client(server).info("everything")
        stats.append(({k: v for k, v in info.items() if k.startswith("errorstat_")},
                      info["total_error_replies"]))
    assert stats[0] == stats[1]
    assert stats[0][0]["errorstat_ERR"] == "count=6"


def _stat_deltas(server, fields, workload):
    r = _client(server)
    before = r.info("stats")
    with RespConnection(server.port) as c:
        for command in workload:
            c.cmd(*command)
    after = r.info("stats")
    r.close()
    return {k: after[k] - before[k] for k in fields}


def test_stats_counters_match_redis(shardcache, redis_server):
    fields = ("total_commands_processed", "total_connections_received", "total_error_replies")
    ours = _stat_deltas(shardcache(threads=2), fields, WORKLOAD)
    theirs = _stat_deltas(redis_server(), fields, WORKLOAD)
    assert ours == theirs
    assert ours["total_commands_processed"] > len(WORKLOAD) // 2


def test_keyspace_hits_and_misses_match_redis(shardcache, redis_server):
    fields = ("keyspace_hits", "keyspace_misses")
    steps = [
        [["SET", "a", "1"], ["SET", "b", "2"]],
        [["GET", "a"], ["GET", "missing"]],
        [["MGET", "a", "b", "x", "y", "z"]],
        [["EXISTS", "a", "x"]],
        [["SET", "a", "2", "GET"], ["SET", "n", "1", "NX"], ["SET", "n", "2", "XX"]],
        [["MEMORY", "USAGE", "a"], ["DEL", "a", "q"]],
    ]
    ours, theirs = shardcache(threads=2), redis_server()
    a = [(step, _stat_deltas(ours, fields, step)) for step in steps]
    b = [(step, _stat_deltas(theirs, fields, step)) for step in steps]
    assert a == b


def test_total_commands_processed_increases(sc):
    with sc.connect() as c:
        first = int(parse_info(c.cmd("INFO", "stats"))["total_commands_processed"])
        for _ in range(10):
            c.cmd("PING")
        second = int(parse_info(c.cmd("INFO", "stats"))["total_commands_processed"])
        assert second - first == 11  # ten PINGs and the first INFO


def _sections(server, args):
    with server.connect() as c:
        return parse_info(c.cmd(*args))["#sections"]


def test_info_sections_match_redis(sc, redis_ref):
    for args in (["INFO"], ["INFO", "default"], ["INFO", "server"], ["INFO", "SERVER", "cpu"],
                 ["INFO", "clients", "server"], ["INFO", "commandstats"], ["INFO", "keyspace"],
                 ["INFO", "errorstats", "stats"], ["INFO", "nosuch"], ["INFO", "server", "nosuch"],
                 ["INFO", "default", "commandstats"], ["INFO", "Keyspace", "KEYSPACE"]):
        assert _sections(sc, args) == _sections(redis_ref, args), args


def test_info_all_and_everything_sections_match_redis(sc, redis_ref):
    for args in (["INFO", "all"], ["INFO", "everything"], ["INFO", "default", "all"]):
        assert _sections(sc, args) == _sections(redis_ref, args), args


def test_info_text_format(sc):
    with sc.connect() as c:
        text = c.cmd("INFO")
        assert isinstance(text, bytes) and text.startswith(b"# Server\r\n")
        for block in text.decode().split("\r\n\r\n"):
            lines = [line for line in block.split("\r\n") if line]
            assert lines[0].startswith("# ")
            for line in lines[1:]:
                assert ":" in line and " " not in line.split(":", 1)[0], line


def test_info_in_resp3_is_verbatim(sc, redis_ref):
    for server in (sc, redis_ref):
        with server.connect() as c:
            c.hello3()
            value, raw = c.request("INFO", "server")
            assert raw.startswith(b"=") and raw[raw.index(b"\r\n") + 2:].startswith(b"txt:")
            assert isinstance(value, Verbatim) and value.format == "txt"
            assert value.startswith(b"# Server\r\n")
    differential(sc, redis_ref, [["INFO", "nosuchsection"]], protocols=(2, 3), setup=())


def test_info_reflects_config_set(sc):
    with sc.connect() as c:
        assert c.cmd("CONFIG", "SET", "maxmemory", "64mb", "maxmemory-policy", "allkeys-lru",
                     "hz", "25", "maxclients", "321") == Status("OK")
        info = _client(sc).info()
        assert info["maxmemory"] == 64 * 1024 * 1024
        assert info["maxmemory_policy"] == "allkeys-lru"
        assert info["hz"] == 25
        assert info["maxclients"] == 321


def test_connected_clients_counts_every_shard(shardcache):
    ours = shardcache(threads=4)
    conns = [ours.connect() for _ in range(9)]
    try:
        for c in conns:
            c.cmd("PING")
        assert _client(ours).info("clients")["connected_clients"] == 10
        for c in conns[:4]:
            c.close()
        r = _client(ours)

        def settled():
            return r.info("clients")["connected_clients"] == 6
        wait_until(settled, message="connected_clients back to 6")
    finally:
        for c in conns:
            c.close()


def test_time_and_lastsave(sc, redis_ref):
    for server in (sc, redis_ref):
        with server.connect() as c:
            seconds, micros = c.cmd("TIME")
            assert isinstance(seconds, bytes) and isinstance(micros, bytes)
            assert abs(int(seconds) - time.time()) < 5 and 0 <= int(micros) < 1_000_000
            lastsave = c.cmd("LASTSAVE")
            # The reference server may have been up for a long while (session-scoped).
            assert isinstance(lastsave, int) and time.time() - 86400 < lastsave <= time.time() + 1
    differential(sc, redis_ref, [["TIME", "x"], ["LASTSAVE", "x"], ["DBSIZE", "x"]], setup=())
