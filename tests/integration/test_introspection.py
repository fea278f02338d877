"""COMMAND [COUNT|INFO|DOCS|LIST|GETKEYS|HELP], SLOWLOG, LATENCY, MEMORY, DEBUG, *HELP texts."""
import time

import pytest

from helpers import RespMap, RespSet, Status, differential

# Subcommands shardcache has that Redis 7.0.15 lacks (they arrived in Redis 7.2).
NEWER_THAN_70 = {"client|setinfo", "client|no-touch"}


@pytest.fixture(scope="module")
def pair(module_servers):
    return module_servers.shardcache(), module_servers.redis()


@pytest.fixture(scope="module")
def command_names(pair):
    ours, _ = pair
    with ours.connect() as c:
        return [name.decode() for name in c.cmd("COMMAND", "LIST")]


def _split(names):
    containers = {n.split("|")[0] for n in names if "|" in n}
    return [n for n in names if n not in containers], sorted(containers)


def test_command_count_list_and_table_agree(pair, command_names):
    ours, ref = pair
    with ours.connect() as c, ref.connect() as r:
        table = c.cmd("COMMAND")
        count = c.cmd("COMMAND", "COUNT")
        assert count == len(table) > 0
        top = sorted(entry[0].decode() for entry in table)
        assert len(set(top)) == len(top)
        for entry in table:
            assert len(entry) == 10
            assert isinstance(entry[0], bytes) and isinstance(entry[1], int)
        # COMMAND LIST has the same shape as Redis's: top-level names and subcommands.
        redis_names = {n.decode() for n in r.cmd("COMMAND", "LIST")}
        assert set(top) <= set(command_names)
        assert set(command_names) - NEWER_THAN_70 <= redis_names
        assert ("config|get" in redis_names) == ("config|get" in command_names)
        subs = {sub[0].decode() for entry in table for sub in entry[9]}
        assert set(command_names) == set(top) | subs
        for required in ["get", "set", "mget", "del", "exists", "ping", "echo", "hello", "auth",
                         "select", "client", "config", "info", "command", "slowlog", "latency",
                         "dbsize", "flushall", "flushdb", "time", "lastsave", "shutdown",
                         "debug", "memory", "quit", "reset"]:
            assert required in top, required


def test_command_info_byte_for_byte(pair, command_names):
    leaves, _ = _split(command_names)
    names = [n for n in leaves if n not in NEWER_THAN_70]
    differential(*pair, [["COMMAND", "INFO", name] for name in names], setup=())


def test_command_info_several_and_unknown(pair):
    differential(*pair, [
        ["COMMAND", "INFO", "get", "set", "GET", "Mget"],
        ["COMMAND", "INFO", "nosuchcommand"],
        ["COMMAND", "INFO", "get", "nosuch", "echo"],
        ["COMMAND", "INFO", "config|nosuch"],
        ["COMMAND", "INFO", "get|x"],
    ], setup=())


def test_command_info_of_containers(pair, command_names):
    ours, ref = pair
    _, containers = _split(command_names)
    with ours.connect() as c, ref.connect() as r:
        for protocol in (2, 3):
            if protocol == 3:
                c.hello3()
                r.hello3()
            for name in containers:
                [a] = c.cmd("COMMAND", "INFO", name)
                [b] = r.cmd("COMMAND", "INFO", name)
                # Everything but the subcommand list, which holds only what is implemented.
                assert a[:9] == b[:9], name
                theirs = {sub[0]: sub for sub in b[9]}
                for sub in a[9]:
                    if sub[0].decode() not in NEWER_THAN_70:
                        assert sub == theirs[sub[0]], sub[0]


def test_command_docs_echo_byte_for_byte(pair):
    differential(*pair, [["COMMAND", "DOCS", "echo"], ["COMMAND", "DOCS", "get"],
                         ["command", "docs", "ECHO"], ["COMMAND", "DOCS", "ping", "echo"]],
                 setup=())


def test_command_docs_byte_for_byte(pair, command_names):
    leaves, _ = _split(command_names)
    differential(*pair, [["COMMAND", "DOCS", name] for name in leaves
                         if name not in NEWER_THAN_70], setup=())


def test_command_docs_several_and_unknown(pair):
    differential(*pair, [
        ["COMMAND", "DOCS", "get", "nosuch", "echo"],
        ["COMMAND", "DOCS", "nosuch"],
        ["COMMAND", "DOCS", "config|resetstat"],
        ["COMMAND", "DOCS", "config|nosuch"],
    ], setup=())


def test_command_docs_of_containers(pair, command_names):
    """A container's own fields match; its subcommands (each compared on its own by
    test_command_docs_byte_for_byte) are those of Redis that are implemented."""
    ours, ref = pair
    _, containers = _split(command_names)
    with ours.connect() as c, ref.connect() as r:
        c.hello3()
        r.hello3()
        for name in containers:
            a = c.cmd("COMMAND", "DOCS", name).to_dict()[name.encode()].to_dict()
            b = r.cmd("COMMAND", "DOCS", name).to_dict()[name.encode()].to_dict()
            a_subs, b_subs = a.pop(b"subcommands").to_dict(), b.pop(b"subcommands").to_dict()
            assert a == b, name
            assert {s.decode() for s in a_subs} - NEWER_THAN_70 <= {s.decode() for s in b_subs}
            assert {s.decode() for s in a_subs} == {n for n in command_names
                                                    if n.startswith(name + "|")}


def test_command_docs_all_is_a_map_of_every_command(pair):
    ours, _ = pair
    with ours.connect() as c:
        c.hello3()
        docs = c.cmd("COMMAND", "DOCS")
        assert isinstance(docs, RespMap)
        assert len(docs) == c.cmd("COMMAND", "COUNT")
        for name, doc in docs:
            fields = doc.to_dict()
            assert {b"summary", b"since", b"group", b"complexity"} <= set(fields), name


def test_command_info_shape_in_resp3(pair):
    ours, _ = pair
    with ours.connect() as c:
        c.hello3()
        [entry] = c.cmd("COMMAND", "INFO", "get")
        assert entry[0] == b"get" and entry[1] == 2
        assert isinstance(entry[2], RespSet) and Status("readonly") in entry[2]
        assert isinstance(entry[6], RespSet) and Status("@read") in entry[6]


def test_command_list_filters(pair, command_names):
    ours, ref = pair
    differential(*pair, [
        ["COMMAND", "LIST", "FILTERBY", "MODULE", "nosuchmodule"],
        ["COMMAND", "LIST", "FILTERBY"],
        ["COMMAND", "LIST", "FILTERBY", "NOSUCH", "x"],
        ["COMMAND", "LIST", "extra"],
        ["COMMAND", "LIST", "FILTERBY", "PATTERN"],
    ], setup=())
    with ours.connect() as c, ref.connect() as r:
        for args in (["PATTERN", "client*"], ["PATTERN", "*get*"], ["PATTERN", "C?ONFIG*"],
                     ["ACLCAT", "connection"], ["ACLCAT", "READ"], ["ACLCAT", "nosuch"]):
            a = {n.decode() for n in c.cmd("COMMAND", "LIST", "FILTERBY", *args)}
            b = {n.decode() for n in r.cmd("COMMAND", "LIST", "FILTERBY", *args)}
            assert a == b & set(command_names) | (a & NEWER_THAN_70), args


def test_command_getkeys_differential(pair):
    differential(*pair, [
        ["COMMAND", "GETKEYS", "MGET", "a", "b", "c"],
        ["COMMAND", "GETKEYS", "SET", "k", "v"],
        ["COMMAND", "GETKEYS", "set", "k", "v", "NX", "GET"],
        ["COMMAND", "GETKEYS", "DEL", "a", "b"],
        ["COMMAND", "GETKEYS", "EXISTS", "a"],
        ["COMMAND", "GETKEYS", "GET", "k"],
        ["COMMAND", "GETKEYS", "MEMORY", "USAGE", "k"],
        ["COMMAND", "GETKEYS", "PING"],
        ["COMMAND", "GETKEYS", "ECHO", "x"],
        ["COMMAND", "GETKEYS", "CONFIG", "GET", "x"],
        ["COMMAND", "GETKEYS", "NOSUCH", "x"],
        ["COMMAND", "GETKEYS", "GET"],
        ["COMMAND", "GETKEYS", "GET", "a", "b"],
        ["COMMAND", "GETKEYS", "MGET"],
        ["COMMAND", "GETKEYS"],
        ["COMMAND", "COUNT", "extra"],
    ], setup=())


def _help_entries(lines):
    """A HELP reply as (header, [entry, ...]); an entry is a line and its indented follow-ups."""
    header, entries = lines[0], []
    for line in lines[1:]:
        if line.startswith(" ") and entries:
            entries[-1] += "\n" + line
        else:
            entries.append(str(line))
    return header, entries


@pytest.mark.parametrize("container", ["CLIENT", "CONFIG", "COMMAND", "SLOWLOG", "LATENCY",
                                       "MEMORY", "DEBUG"])
def test_help_texts_are_redis_entries(pair, container):
    ours, ref = pair
    with ours.connect() as c, ref.connect() as r:
        a_header, a_entries = _help_entries(c.cmd(container, "HELP"))
        b_header, b_entries = _help_entries(r.cmd(container, "HELP"))
    assert a_header == b_header
    assert a_entries[-1] == b_entries[-1] == "HELP\n    Prints this help."
    for entry in a_entries:
        if container == "CLIENT" and entry.split(" ")[0].split("\n")[0] in ("SETINFO", "NO-TOUCH"):
            continue
        assert entry in b_entries, entry


# --- SLOWLOG ------------------------------------------------------------------------------------

def test_slowlog_records_debug_sleep(shardcache, redis_server):
    entries = []
    for server in (shardcache(), redis_server()):
        with server.connect() as c:
            assert c.cmd("SLOWLOG", "RESET") == Status("OK")
            assert c.cmd("SLOWLOG", "LEN") == 0
            c.cmd("CLIENT", "SETNAME", "sleeper")
            assert c.cmd("DEBUG", "SLEEP", "0.02") == Status("OK")
            assert c.cmd("SLOWLOG", "LEN") == 1
            [entry] = c.cmd("SLOWLOG", "GET")
            entries.append(entry)
            addr = [f for f in c.cmd("CLIENT", "INFO").decode().split() if f.startswith("addr=")]
            assert entry[4].decode() == addr[0][5:]
            assert c.cmd("SLOWLOG", "GET", "0") == []
            assert c.cmd("SLOWLOG", "RESET") == Status("OK")
            assert c.cmd("SLOWLOG", "LEN") == 0
    ours, theirs = entries
    assert len(ours) == len(theirs) == 6
    assert isinstance(ours[0], int) and abs(ours[1] - time.time()) < 10
    assert ours[2] >= 20000
    assert ours[3] == theirs[3] == [b"DEBUG", b"SLEEP", b"0.02"]
    assert ours[5] == theirs[5] == b"sleeper"


def test_slowlog_gathers_every_shard_newest_first(shardcache):
    ours = shardcache(threads=2)
    conns = [ours.connect() for _ in range(6)]  # on both shards
    try:
        for i, c in enumerate(conns):
            assert c.cmd("DEBUG", "SLEEP", "0.011") == Status("OK")
            c.cmd("CLIENT", "SETNAME", f"c{i}")
        log = conns[0].cmd("SLOWLOG", "GET", "-1")
        assert len(log) == 6 == conns[3].cmd("SLOWLOG", "LEN")
        ids = [entry[0] for entry in log]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6
        assert len(conns[1].cmd("SLOWLOG", "GET", "2")) == 2
        assert conns[2].cmd("SLOWLOG", "GET", "2")[0][0] == max(ids)
        assert conns[4].cmd("SLOWLOG", "RESET") == Status("OK")
        assert conns[5].cmd("SLOWLOG", "LEN") == 0
    finally:
        for c in conns:
            c.close()


def test_slowlog_and_latency_errors_differential(pair):
    differential(*pair, [
        ["SLOWLOG", "GET", "-2"],
        ["SLOWLOG", "GET", "abc"],
        ["SLOWLOG", "LEN", "x"],
        ["SLOWLOG", "RESET", "x"],
        ["SLOWLOG", "NOSUCH"],
        ["SLOWLOG"],
        ["LATENCY", "LATEST"],
        ["LATENCY", "RESET"],
        ["LATENCY", "RESET", "command"],
        ["LATENCY", "LATEST", "x"],
        ["LATENCY", "NOSUCH"],
        ["LATENCY"],
    ], setup=())


def test_slowlog_get_extra_argument_differential(pair):
    differential(*pair, [["SLOWLOG", "GET", "1", "2"]], setup=())


def test_debug_and_memory_differential(pair):
    differential(*pair, [
        ["DEBUG", "SLEEP", "0"],
        ["DEBUG", "SLEEP", "abc"],
        ["DEBUG", "SLEEP", "-1"],
        ["DEBUG", "NOSUCH"],
        ["DEBUG"],
        ["SET", "k", "v"],
        ["MEMORY", "USAGE", "missing"],
        ["MEMORY", "USAGE", "k", "SAMPLES", "x"],
        ["MEMORY", "USAGE", "missing", "SAMPLES", "5"],
        ["MEMORY", "USAGE", "k", "extra"],
        ["MEMORY", "USAGE", "k", "SAMPLES"],
        ["MEMORY", "USAGE"],
        ["MEMORY", "NOSUCH"],
        ["MEMORY"],
    ])


def test_memory_usage_of_existing_keys(sc):
    with sc.connect() as c:
        for i in range(20):
            c.cmd("SET", f"key{i}", "x" * (i * 100))
        usages = [c.cmd("MEMORY", "USAGE", f"key{i}") for i in range(20)]
        assert all(isinstance(u, int) and u > 0 for u in usages)
        assert usages[19] >= 1900 and usages[19] > usages[0]
        assert c.cmd("MEMORY", "USAGE", "key5", "SAMPLES", "0") == usages[5]
