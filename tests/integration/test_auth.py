"""requirepass, AUTH in both forms, HELLO AUTH, NOAUTH, RESET, CONFIG SET requirepass."""
import pytest
import redis

from helpers import Error, RespMap, Status, differential, differential_close


@pytest.fixture
def pair(shardcache, redis_server):
    """shardcache and redis-server, both with requirepass 'secret'."""
    return shardcache("--requirepass", "secret"), redis_server("--requirepass", "secret")


def test_noauth_before_authentication(pair):
    ours, ref = pair
    differential(*pair, [
        ["PING"],
        ["GET", "k"],
        ["SET", "k", "v"],
        ["MGET", "a", "b", "c"],
        ["DEL", "a", "b"],
        ["DBSIZE"],
        ["INFO"],
        ["CONFIG", "GET", "requirepass"],
        ["CLIENT", "ID"],
        ["SELECT", "1"],
        ["FLUSHALL"],
        ["NOSUCHCOMMAND"],
        ["GET"],
        ["CLIENT", "NOSUCH"],
        ["PING"],
    ], protocols=(2,), setup=())


def test_hello_without_auth_is_refused(pair):
    differential(*pair, [
        ["HELLO", "3"],
        ["HELLO", "2", "SETNAME", "x"],
        ["HELLO"],
        ["HELLO", "4"],
        ["HELLO", "3", "FOO"],
        ["PING"],
        ["CLIENT", "GETNAME"],
    ], protocols=(2,), setup=())


def test_auth_forms(pair):
    differential(*pair, [
        ["AUTH"],
        ["AUTH", "wrong"],
        ["AUTH", "default", "wrong"],
        ["AUTH", "nosuchuser", "secret"],
        ["AUTH", "a", "b", "c"],
        ["GET", "k"],
        ["AUTH", "secret"],
        ["GET", "k"],
        ["AUTH", "wrong"],
        ["GET", "k"],
        ["AUTH", "default", "secret"],
        ["SET", "k", "v"],
        ["GET", "k"],
        ["AUTH", "DEFAULT", "secret"],
        ["GET", "k"],
    ], protocols=(2,), setup=())


def test_auth_two_argument_form_authenticates(pair):
    differential(*pair, [
        ["AUTH", "default", "secret"],
        ["PING"],
        ["DBSIZE"],
    ], protocols=(2,), setup=())


def test_hello_auth(pair):
    def hello_only(raw: bytes) -> bytes:
        # Keep the type and the protocol field; drop ids and shardcache's extra field.
        if raw.startswith((b"%", b"*")) and b"$5\r\nredis\r\n" in raw:
            return raw[:1] + (b" proto3" if b"proto\r\n:3" in raw else b" proto2")
        return raw

    differential(*pair, [
        ["HELLO", "3", "AUTH", "default", "wrong"],
        ["PING"],
        ["HELLO", "3", "AUTH", "nosuchuser", "secret"],
        ["HELLO", "3", "AUTH", "default"],
        ["HELLO", "3", "AUTH", "default", "secret"],
        ["PING"],
        ["GET", "missing"],
        ["HELLO", "2", "AUTH", "default", "wrong"],
        ["GET", "missing"],
        ["HELLO", "2", "AUTH", "default", "secret", "SETNAME", "named"],
        ["CLIENT", "GETNAME"],
        ["GET", "missing"],
    ], protocols=(2,), setup=(), normalize=hello_only)


def test_reset_deauthenticates(pair):
    differential(*pair, [
        ["AUTH", "secret"],
        ["PING"],
        ["RESET"],
        ["PING"],
        ["GET", "k"],
        ["AUTH", "secret"],
        ["PING"],
    ], protocols=(2,), setup=())


def test_quit_allowed_without_auth(pair):
    results = differential_close(*pair, b"*1\r\n$4\r\nQUIT\r\n", protocols=(2,))
    assert results[2] == b"+OK\r\n"
    differential_close(*pair, b"PING\r\nQUIT\r\n", protocols=(2,))


def test_auth_without_password_configured(sc, redis_ref):
    differential(sc, redis_ref, [
        ["AUTH", "anything"],
        ["AUTH", "default", "anything"],
        ["AUTH", "default", ""],
        ["AUTH", "nosuchuser", "anything"],
        ["AUTH", "a", "b", "c"],
        ["PING"],
    ])


def test_errorstats_count_auth_failures(pair):
    ours, ref = pair
    infos = []
    for server in pair:
        with server.connect() as c:
            c.cmd("AUTH", "wrong")
            c.cmd("GET", "k")
            c.cmd("GET", "k")
            c.cmd("AUTH", "secret")
            info = c.cmd("INFO", "errorstats").decode()
            infos.append(sorted(line for line in info.split("\r\n") if line.startswith("error")))
    assert infos[0] == infos[1]
    assert "errorstat_WRONGPASS:count=1" in infos[0]
    # Two GETs, plus the PING the fixture sent to see that the server was up.
    assert "errorstat_NOAUTH:count=3" in infos[0]


def test_config_set_requirepass_at_runtime(shardcache, redis_server):
    ours, ref = shardcache(), redis_server()
    # The connection that sets the password stays authenticated, as in Redis.
    differential(ours, ref, [
        ["CONFIG", "SET", "requirepass", "newpass"],
        ["PING"],
        ["GET", "k"],
        ["CONFIG", "GET", "requirepass"],
    ], protocols=(2,), setup=())
    # New connections must authenticate.
    differential(ours, ref, [
        ["PING"],
        ["AUTH", "newpass"],
        ["PING"],
        ["CONFIG", "SET", "requirepass", ""],
        ["PING"],
    ], protocols=(2,), setup=())
    differential(ours, ref, [["PING"], ["AUTH", "x"]], protocols=(2,), setup=())


def test_connected_client_keeps_access_when_password_is_set(shardcache, redis_server):
    ours, ref = shardcache(), redis_server()
    for server in (ours, ref):
        with server.connect() as idle, server.connect() as admin:
            assert idle.cmd("PING") == Status("PONG")
            assert admin.cmd("CONFIG", "SET", "requirepass", "pw") == Status("OK")
            # Redis: clients connected before the password was set stay authenticated.
            assert idle.cmd("PING") == Status("PONG"), server
            with server.connect() as fresh:
                assert fresh.cmd("PING") == Error("NOAUTH Authentication required.")
            assert admin.cmd("CONFIG", "SET", "requirepass", "") == Status("OK")


def test_redis_py_with_password(pair):
    ours, _ = pair
    # redis-py 4.3 raises what it raises against Redis: a WRONGPASS ResponseError for a bad
    # password, AuthenticationError for a missing one.
    with pytest.raises(redis.ResponseError, match="^WRONGPASS"):
        redis.Redis(port=ours.port, password="wrong", socket_timeout=5).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=ours.port, socket_timeout=5).ping()
    r = redis.Redis(port=ours.port, password="secret", socket_timeout=5)
    assert r.ping() is True
    assert r.set("k", "v") is True
    assert r.get("k") == b"v"
    r2 = redis.Redis(port=ours.port, username="default", password="secret", socket_timeout=5)
    assert r2.get("k") == b"v"
    r.close()
    r2.close()


def test_hello_3_auth_in_resp3(pair):
    for server in pair:
        with server.connect() as c:
            reply = c.cmd("HELLO", "3", "AUTH", "default", "secret")
            assert isinstance(reply, RespMap)
            assert reply.to_dict()[b"proto"] == 3
            assert c.cmd_raw("GET", "nokey") == b"_\r\n"
