"""Real client libraries and tools: redis-py (pipeline, connection pool), redis-cli, node-redis."""
import json
import os
import subprocess
import threading

import pytest
import redis

from helpers import REDIS_CLI

# --- redis-py ----------------------------------------------------------------------------------


def test_redis_py_basic_commands(sc):
    r = redis.Redis(port=sc.port, socket_timeout=10, decode_responses=True)
    assert r.ping() is True
    assert r.echo("hi") == "hi"
    assert r.set("k", "v") is True
    assert r.set("k", "w", nx=True) is None
    assert r.set("k", "w", xx=True, get=True) == "v"
    assert r.get("k") == "w"
    assert r.mget("k", "missing") == ["w", None]
    assert r.exists("k", "missing", "k") == 2
    assert r.delete("k", "missing") == 1
    assert r.dbsize() == 0
    assert r.client_setname("py") is True
    assert r.client_getname() == "py"
    assert isinstance(r.client_id(), int)
    assert any(c["name"] == "py" for c in r.client_list())
    assert r.client_info()["name"] == "py"
    assert r.config_get("maxmemory*")["maxmemory-policy"] == "noeviction"
    assert r.config_set("hz", 20) is True and r.config_get("hz") == {"hz": "20"}
    assert isinstance(r.time()[0], int)
    assert r.lastsave().year >= 2024
    assert r.command_count() > 10
    r.slowlog_reset()
    assert r.slowlog_len() == 0
    assert r.slowlog_get() == []
    assert r.info("server")["redis_version"] == "7.0.15"
    assert r.flushall() is True and r.flushdb() is True
    assert r.memory_usage("missing") is None
    r.set("m", "x" * 100)
    assert r.memory_usage("m") >= 100
    with pytest.raises(redis.ResponseError, match="unknown command"):
        r.execute_command("NOSUCH")
    r.close()


def test_redis_py_select_db(sc):
    r3 = redis.Redis(port=sc.port, db=3, socket_timeout=10)
    r0 = redis.Redis(port=sc.port, db=0, socket_timeout=10)
    r3.set("k", "three")
    assert r0.get("k") is None and r3.get("k") == b"three"
    assert r3.dbsize() == 1 and r0.dbsize() == 0
    r3.close()
    r0.close()


@pytest.mark.parametrize("threads", [1, 2])
def test_redis_py_pipeline(shardcache, threads):
    ours = shardcache(threads=threads)
    r = redis.Redis(port=ours.port, socket_timeout=10)
    pipe = r.pipeline(transaction=False)
    for i in range(1000):
        pipe.set(f"p:{i}", i)
        pipe.get(f"p:{i}")
    pipe.mget([f"p:{i}" for i in range(0, 1000, 10)])
    pipe.exists(*[f"p:{i}" for i in range(1000)])
    pipe.delete(*[f"p:{i}" for i in range(500)])
    pipe.dbsize()
    pipe.echo("end")
    results = pipe.execute()
    for i in range(1000):
        assert results[2 * i] is True
        assert results[2 * i + 1] == str(i).encode()
    assert results[2000] == [str(i).encode() for i in range(0, 1000, 10)]
    assert results[2001:] == [1000, 500, 500, b"end"]
    # Errors inside a pipeline come back in place.
    pipe = r.pipeline(transaction=False)
    pipe.set("a", 1)
    pipe.execute_command("NOSUCH")
    pipe.get("a")
    out = pipe.execute(raise_on_error=False)
    assert out[0] is True and isinstance(out[1], redis.ResponseError) and out[2] == b"1"
    r.close()


def test_redis_py_connection_pool_from_threads(sc):
    pool = redis.ConnectionPool(port=sc.port, max_connections=16, socket_timeout=10)
    errors = []

    def worker(n):
        try:
            r = redis.Redis(connection_pool=pool)
            for i in range(200):
                key = f"w{n}:{i}"
                assert r.set(key, f"{n}-{i}")
                assert r.get(key) == f"{n}-{i}".encode()
            values = r.mget([f"w{n}:{i}" for i in range(200)])
            assert values == [f"{n}-{i}".encode() for i in range(200)]
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    r = redis.Redis(connection_pool=pool)
    assert r.dbsize() == 12 * 200
    assert 1 <= len(pool._available_connections) <= 16
    pool.disconnect()


# --- redis-cli ---------------------------------------------------------------------------------

def _cli(port, *args, extra=()):
    proc = subprocess.run([REDIS_CLI, "-p", str(port), *extra, *args], capture_output=True,
                          timeout=10, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


CLI_SCRIPTS = [
    # (redis-cli options, command)
    ((), ["SET", "k", "hello world"]),
    ((), ["GET", "k"]),
    ((), ["MGET", "k", "missing"]),
    (("--no-raw",), ["MGET", "k", "missing"]),
    (("--no-raw",), ["GET", "missing"]),
    (("--no-raw",), ["EXISTS", "k", "k"]),
    (("--no-raw",), ["CONFIG", "GET", "maxmemory"]),
    (("--no-raw", "-3"), ["CONFIG", "GET", "maxmemory"]),
    (("--no-raw", "-3"), ["GET", "missing"]),
    (("--no-raw",), ["NOSUCH", "arg"]),
    (("--no-raw",), ["GET"]),
    ((), ["NOSUCH", "arg"]),
    (("--no-raw",), ["CLIENT", "GETNAME"]),
    (("--no-raw",), ["COMMAND", "INFO", "get"]),
    (("--no-raw", "-3"), ["COMMAND", "DOCS", "echo"]),
    (("--raw",), ["ECHO", "a\nb"]),
    (("--no-raw",), ["ECHO", "a\nb"]),
    (("--no-raw",), ["DEL", "k"]),
    (("--no-raw",), ["DBSIZE"]),
    (("-n", "3", "--no-raw"), ["SET", "in3", "x"]),
    (("-n", "3", "--no-raw"), ["DBSIZE"]),
    (("--no-raw",), ["SELECT", "99"]),
    (("--no-raw",), ["SLOWLOG", "GET", "-5"]),
]


def test_redis_cli_one_shot_differential(sc, redis_ref):
    for server in (sc, redis_ref):
        assert _cli(server.port, "FLUSHALL")[1] == b"OK\n"
    for extra, command in CLI_SCRIPTS:
        ours = _cli(sc.port, *command, extra=extra)
        theirs = _cli(redis_ref.port, *command, extra=extra)
        assert ours == theirs, (extra, command)


def test_redis_cli_info_and_ping(sc):
    rc, out, _ = _cli(sc.port, "PING")
    assert (rc, out) == (0, b"PONG\n")
    rc, out, _ = _cli(sc.port, "INFO", "server")
    assert rc == 0 and b"redis_version:7.0.15" in out
    rc, out, _ = _cli(sc.port, "--no-raw", "CLIENT", "ID")
    assert rc == 0 and out.startswith(b"(integer) ")


def test_redis_cli_pipe_mode(sc):
    payload = b"".join(b"SET key%d value%d\r\n" % (i, i) for i in range(1000))
    proc = subprocess.run([REDIS_CLI, "-p", str(sc.port), "--pipe"], input=payload,
                          capture_output=True, timeout=20)
    assert proc.returncode == 0, proc.stderr
    assert b"errors: 0, replies: 1000" in proc.stdout
    assert _cli(sc.port, "DBSIZE")[1] == b"1000\n"


def test_redis_cli_with_password(shardcache):
    ours = shardcache("--requirepass", "pw")
    rc, out, _ = _cli(ours.port, "--no-raw", "GET", "k")
    assert out == b"(error) NOAUTH Authentication required.\n"
    rc, out, _ = _cli(ours.port, "--no-raw", "GET", "k", extra=("-a", "pw", "--no-auth-warning"))
    assert (rc, out) == (0, b"(nil)\n")
    rc, out, _ = _cli(ours.port, "--no-raw", "PING",
                      extra=("--user", "default", "--pass", "pw", "--no-auth-warning", "-3"))
    assert (rc, out) == (0, b"PONG\n")


# --- node-redis (Debian's node-redis package) ----------------------------------------------------

NODE_SCRIPT = r"""
const { createClient } = require('redis');
(async () => {
  const port = Number(process.argv[1]);
  const c = createClient({ socket: { port, host: '127.0.0.1', connectTimeout: 5000 } });
  c.on('error', (e) => { console.error('client error', e); process.exit(2); });
  await c.connect();
  const out = {};
  out.ping = await c.ping();
  out.set = await c.set('k', 'v');
  out.setnx = await c.set('k', 'w', { NX: true });
  out.get = await c.get('k');
  out.mget = await c.mGet(['k', 'missing', 'k']);
  out.exists = await c.exists(['k', 'missing']);
  out.del = await c.del(['k', 'missing']);
  out.dbsize = await c.dbSize();
  out.setname = await c.clientSetName('node');
  out.getname = await c.clientGetName();
  out.config = await c.configGet('hz');
  out.info = (await c.info('server')).includes('redis_version:7.0.15');
  const multi = [];
  for (let i = 0; i < 100; i++) multi.push(c.set('n' + i, String(i)));
  await Promise.all(multi);
  out.pipelined = await c.mGet(['n0', 'n50', 'n99']);
  try { await c.sendCommand(['NOSUCH']); out.error = null; }
  catch (e) { out.error = e.message; }
  await c.quit();
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def test_node_redis_client(sc):
    node_path = "/usr/share/nodejs"
    assert os.path.isdir(os.path.join(node_path, "redis")), \
        "node-redis is missing: install Debian's node-redis package (scripts/install-deps)"
    env = dict(os.environ, NODE_PATH=node_path)
    proc = subprocess.run(["node", "-e", NODE_SCRIPT, str(sc.port)], capture_output=True,
                          timeout=20, env=env, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert out == {
        "ping": "PONG", "set": "OK", "setnx": None, "get": "v", "mget": ["v", None, "v"],
        "exists": 1, "del": 1, "dbsize": 0, "setname": "OK", "getname": "node",
        "config": {"hz": "10"}, "info": True, "pipelined": ["0", "50", "99"],
        "error": "ERR unknown command 'NOSUCH', with args beginning with: ",
    }
