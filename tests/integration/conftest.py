"""Fixtures for shardcache's integration tests; the helpers live in helpers.py."""
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

from helpers import DEFAULT_TEST_TIMEOUT, ProcessRegistry, differential


class TimeLimitExceeded(Exception):
    pass


def pytest_configure(config):
    config.addinivalue_line("markers", "timeout_s(seconds): per-test wall-clock limit")
    config.addinivalue_line(
        "markers", "timing: asserts elapsed time, latency or RSS (sanitizer builds distort them)")


def pytest_collection_modifyitems(config, items):
    # Under ASan/TSan (make asan / make tsan set SHARDCACHE_SANITIZER) the server runs several
    # times slower and its RSS includes shadow memory: tests whose assertions are about time or
    # RSS are deselected there (pytest reports them as deselected). make test runs them all.
    if not os.environ.get("SHARDCACHE_SANITIZER"):
        return
    kept = [item for item in items if item.get_closest_marker("timing") is None]
    deselected = [item for item in items if item.get_closest_marker("timing") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(autouse=True)
def _test_time_limit(request):
    marker = request.node.get_closest_marker("timeout_s")
    limit = float(marker.args[0]) if marker else DEFAULT_TEST_TIMEOUT

    def on_alarm(signum, frame):
        raise TimeLimitExceeded(f"test exceeded its {limit:.0f} s limit")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def log_dir():
    path = Path(tempfile.mkdtemp(prefix="shardcache-it-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def servers(log_dir):
    """Factory: servers.shardcache(*args, threads=2) / servers.redis(*args); stopped after."""
    registry = ProcessRegistry(log_dir)
    yield registry
    registry.stop_all()


@pytest.fixture(scope="module")
def module_servers(log_dir):
    """Like `servers`, for servers shared by the tests of one module."""
    registry = ProcessRegistry(log_dir)
    yield registry
    registry.stop_all()


@pytest.fixture
def shardcache(servers):
    """Factory: shardcache(*args, threads=2) -> ServerProcess (already answering PING)."""
    return servers.shardcache


@pytest.fixture
def redis_server(servers):
    """Factory: redis_server(*args) -> a reference redis-server for this test only."""
    return servers.redis


@pytest.fixture(scope="session")
def _session_servers(log_dir):
    registry = ProcessRegistry(log_dir)
    yield registry
    registry.stop_all()


@pytest.fixture(scope="session")
def redis_ref(_session_servers):
    """The session's reference redis-server (defaults, no password). Tests must leave its
    configuration as they found it; they may change keys (differential() flushes first)."""
    return _session_servers.redis()


@pytest.fixture
def sc(shardcache):
    """A fresh shardcache with 2 shard threads."""
    return shardcache()


@pytest.fixture
def diff(sc, redis_ref):
    """diff(commands, **kw): differential() between the test's shardcache and redis_ref."""
    def run(commands, **kw):
        return differential(sc, redis_ref, commands, **kw)
    return run


