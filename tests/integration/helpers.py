"""Helpers for shardcache's integration tests (fixtures are in conftest.py).

The tests drive the real server binary (SHARDCACHE_BIN, default build/check/server/shardcache-server)
over TCP and, where Redis compatibility is the point, run the very same bytes against a reference
redis-server 7.0.15 and compare the replies byte for byte ("differential" tests).

What is here:
  * ServerProcess, ProcessRegistry: server processes on free ports, stopped by pid.
  * RespConnection: a raw socket client that sends bytes and reads exactly one RESP2/RESP3 reply,
    keeping the reply's exact bytes next to its decoded value.
  * differential(), differential_stream(), differential_close(): the same requests against both
    servers, on fresh connections, in RESP2 and in RESP3, with a readable diff on mismatch.
  * conftest.py's fixtures: `shardcache` / `redis_server` (factories), `sc` (a fresh
    2-thread shardcache),
    `redis_ref` (a session-wide reference redis-server), `diff` (differential bound to both).
Every process wait, socket operation and test is bounded in time.
"""
from __future__ import annotations

import atexit
import difflib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "build" / "check" / "server" / "shardcache-server"
REDIS_SERVER = "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
REDIS_VERSION = "7.0.15"

# Bounds.
SOCKET_TIMEOUT = 10.0  # any single socket operation
START_TIMEOUT = 10.0  # until a new server answers PING
STOP_GRACE = 5.0  # SIGTERM, then SIGKILL after this long
DEFAULT_TEST_TIMEOUT = 30.0  # per test, unless @pytest.mark.timeout_s(N)


_bin_snapshot: str | None = None


def shardcache_bin() -> str:
    """The server binary under test: a private copy of SHARDCACHE_BIN taken at first use, so
    that a rebuild during the run (make relinks the file in place) cannot break the tests."""
    global _bin_snapshot
    if _bin_snapshot is None:
        source = os.path.abspath(os.environ.get("SHARDCACHE_BIN") or str(DEFAULT_BIN))
        if not os.access(source, os.X_OK):
            raise FileNotFoundError(f"shardcache binary not found or not executable: {source} "
                                    "(set SHARDCACHE_BIN)")
        folder = tempfile.mkdtemp(prefix="shardcache-bin-")
        atexit.register(shutil.rmtree, folder, True)
        copy = os.path.join(folder, "shardcache-server")
        shutil.copy2(source, copy)
        _bin_snapshot = copy
    return _bin_snapshot


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerStartError(Exception):
    pass


class ServerProcess:
    """A server child process on 127.0.0.1:port, output captured in a log file."""

    def __init__(self, kind: str, argv: list[str], port: int, log_path: Path):
        self.kind = kind
        self.argv = argv
        self.port = port
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.proc.pid

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_bytes().decode("utf-8", "replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Waits until the server answers PING with any reply (+PONG, -NOAUTH, ...), and is
        still running afterwards (a server that lost its port to another process exits at once,
        and the PONG then came from that other process)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServerStartError(f"{self.kind} exited with {self.proc.returncode} at start:"
                                       f"\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"*1\r\n$4\r\nPING\r\n")
                    data = s.recv(256)
                    if data[:1] in (b"+", b"-"):
                        time.sleep(0.05)
                        if self.alive():
                            return
                        continue
            except OSError:
                pass
            time.sleep(0.02)
        raise ServerStartError(f"{self.kind} did not answer PING within {timeout} s:\n{self.log()}")

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after STOP_GRACE seconds. Returns the exit status."""
        if self.alive():
            os.kill(self.pid, signal.SIGTERM)
            if self.wait(STOP_GRACE) is None:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_GRACE)
        self._log.close()
        return self.proc.returncode

    def connect(self, **kw) -> "RespConnection":
        return RespConnection(self.port, **kw)

    def __repr__(self):
        return f"<{self.kind} pid={self.pid} port={self.port}>"


def _start(kind: str, make_argv: Callable[[int], list[str]], log_dir: Path, ready: bool = True,
           port: int | None = None) -> ServerProcess:
    last_error = None
    for attempt in range(3):  # a free port can be taken between probing and binding
        p = port if port is not None else free_port()
        log_path = log_dir / f"{kind}-{p}-{attempt}.log"
        server = ServerProcess(kind, make_argv(p), p, log_path)
        if not ready:
            return server
        try:
            server.wait_ready()
            return server
        except ServerStartError as e:
            server.stop()
            last_error = e
            if port is not None or "in use" not in server.log().lower():
                break
    raise last_error


def shardcache_argv(port: int, args: Sequence[str], threads: int | None) -> list[str]:
    args = [str(a) for a in args]
    argv = [shardcache_bin(), "--port", str(port)]
    if "--bind" not in args:
        argv += ["--bind", "127.0.0.1"]
    if threads is not None and "--threads" not in args:
        argv += ["--threads", str(threads)]
    return argv + args


def redis_argv(port: int, args: Sequence[str], work_dir: Path) -> list[str]:
    args = [str(a) for a in args]
    argv = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--enable-debug-command", "yes", "--dir", str(work_dir),
            "--daemonize", "no"]
    if "--protected-mode" not in args:
        argv += ["--protected-mode", "no"]
    return argv + args


class ProcessRegistry:
    """Starts servers for one scope and stops every one of them, by pid, at teardown."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.servers: list[ServerProcess] = []

    def shardcache(self, *args, threads: int | None = 2, ready: bool = True,
                   port: int | None = None) -> ServerProcess:
        server = _start("shardcache", lambda p: shardcache_argv(p, args, threads), self.log_dir,
                        ready=ready, port=port)
        self.servers.append(server)
        return server

    def redis(self, *args) -> ServerProcess:
        server = _start("redis", lambda p: redis_argv(p, args, self.log_dir), self.log_dir)
        self.servers.append(server)
        return server

    def stop_all(self):
        for server in self.servers:
            server.stop()
        self.servers.clear()


# --------------------------------------------------------------------------------------------
# RESP client
# --------------------------------------------------------------------------------------------

class Status(str):
    """+simple string"""

    def __repr__(self):
        return f"Status({str.__repr__(self)})"


class Error(str):
    """-error or !blob error"""

    def __repr__(self):
        return f"Error({str.__repr__(self)})"


class Verbatim(bytes):
    """=verbatim string; .format is its 3-letter type, the bytes are the text after 'fmt:'."""

    format: str = ""

    def __repr__(self):
        return f"Verbatim({self.format!r}, {bytes.__repr__(self)})"


class RespMap(list):
    """%map as a list of (key, value) pairs (keys may be unhashable)."""

    def __repr__(self):
        return f"RespMap({list.__repr__(self)})"

    def to_dict(self):
        return {k: v for k, v in self}


class RespSet(list):
    def __repr__(self):
        return f"RespSet({list.__repr__(self)})"


class Push(list):
    def __repr__(self):
        return f"Push({list.__repr__(self)})"


class BigNumber(int):
    pass


class Null:
    """_ (RESP3 null). RESP2's $-1 and *-1 decode to None."""

    def __repr__(self):
        return "Null"

    def __eq__(self, other):
        return isinstance(other, Null)

    def __hash__(self):
        return 0


class _Incomplete(Exception):
    def __init__(self, need: int = 0):
        self.need = need  # total buffer length needed, 0 when unknown


def parse_reply(buf: bytes | bytearray, pos: int = 0):
    """Decodes one RESP2/RESP3 value at buf[pos:]. Returns (value, end). Raises _Incomplete."""
    end_line = buf.find(b"\r\n", pos)
    if end_line < 0:
        raise _Incomplete()
    kind = buf[pos:pos + 1]
    line = bytes(buf[pos + 1:end_line])
    nxt = end_line + 2

    def blob(n: int):
        if len(buf) < nxt + n + 2:
            raise _Incomplete(nxt + n + 2)
        data = bytes(buf[nxt:nxt + n])
        if buf[nxt + n:nxt + n + 2] != b"\r\n":
            raise ValueError(f"bulk of {n} bytes not followed by CRLF at {nxt + n}")
        return data, nxt + n + 2

    def aggregate(count: int):
        items, p = [], nxt
        for _ in range(count):
            item, p = parse_reply(buf, p)
            items.append(item)
        return items, p

    if kind == b"+":
        return Status(line.decode("utf-8", "surrogateescape")), nxt
    if kind == b"-":
        return Error(line.decode("utf-8", "surrogateescape")), nxt
    if kind == b":":
        return int(line), nxt
    if kind == b"$":
        n = int(line)
        if n < 0:
            return None, nxt
        return blob(n)
    if kind == b"*":
        n = int(line)
        if n < 0:
            return None, nxt
        return aggregate(n)
    if kind == b"%":
        items, p = aggregate(2 * int(line))
        return RespMap(zip(items[0::2], items[1::2])), p
    if kind == b"|":  # attribute: decode and drop it, then the value it annotates
        _, p = aggregate(2 * int(line))
        return parse_reply(buf, p)
    if kind == b"~":
        items, p = aggregate(int(line))
        return RespSet(items), p
    if kind == b">":
        items, p = aggregate(int(line))
        return Push(items), p
    if kind == b"_":
        return Null(), nxt
    if kind == b",":
        text = line.decode()
        return float({"inf": "inf", "-inf": "-inf"}.get(text, text)), nxt
    if kind == b"#":
        if line not in (b"t", b"f"):
            raise ValueError(f"bad boolean {line!r}")
        return line == b"t", nxt
    if kind == b"(":
        return BigNumber(int(line)), nxt
    if kind == b"=":
        data, p = blob(int(line))
        v = Verbatim(data[4:])
        v.format = data[:3].decode()
        if data[3:4] != b":":
            raise ValueError(f"verbatim string without 'fmt:' prefix: {data[:8]!r}")
        return v, p
    if kind == b"!":
        data, p = blob(int(line))
        return Error(data.decode("utf-8", "surrogateescape")), p
    raise ValueError(f"unknown RESP type byte {kind!r} at {pos}: {bytes(buf[pos:pos + 40])!r}")


def encode_command(*args) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, int):
            a = str(a)
        if isinstance(a, str):
            a = a.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


class ConnectionClosed(Exception):
    pass


class RespConnection:
    """A raw TCP connection: send bytes or commands, read one reply at a time."""

    def __init__(self, port: int, host: str = "127.0.0.1", source: str | None = None,
                 timeout: float = SOCKET_TIMEOUT):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        if source is not None:
            self.sock.bind((source, 0))
        self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def settimeout(self, t: float):
        self.sock.settimeout(t)

    def send(self, data: bytes):
        self.sock.sendall(data)

    def send_command(self, *args):
        self.sock.sendall(encode_command(*args))

    def _fill(self, need: int = 0):
        want = max(65536, need - len(self.buf)) if need else 65536
        chunk = self.sock.recv(min(want, 16 * 1024 * 1024))
        if not chunk:
            raise ConnectionClosed(f"connection closed; unread bytes: {bytes(self.buf[:200])!r}")
        self.buf += chunk

    def read_raw(self) -> bytes:
        """The exact bytes of the next reply."""
        return self.read_reply_with_raw()[1]

    def read_reply(self):
        return self.read_reply_with_raw()[0]

    def read_reply_with_raw(self):
        need = 0
        while True:
            if self.buf and (not need or len(self.buf) >= need):
                try:
                    value, end = parse_reply(self.buf)
                except _Incomplete as inc:
                    need = inc.need
                else:
                    raw = bytes(self.buf[:end])
                    del self.buf[:end]
                    return value, raw
            self._fill(need)

    def cmd(self, *args):
        self.send_command(*args)
        return self.read_reply()

    def request(self, *args):
        """Sends a command; returns (decoded reply, raw reply bytes)."""
        self.send_command(*args)
        return self.read_reply_with_raw()

    def cmd_raw(self, *args) -> bytes:
        self.send_command(*args)
        return self.read_raw()

    def read_until_closed(self, timeout: float = 5.0) -> bytes:
        """Everything the server sends until it closes the connection; fails on timeout (what
        arrived is then left in self.buf)."""
        deadline = time.monotonic() + timeout
        data = bytes(self.buf)
        self.buf.clear()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.buf += data
                raise AssertionError(f"connection still open after {timeout} s; got {data[:300]!r}")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                return data
            if not chunk:
                return data
            data += chunk

    def assert_closed(self, timeout: float = 5.0):
        data = self.read_until_closed(timeout)
        assert data == b"", f"expected the connection closed without more data, got {data[:300]!r}"

    def is_open(self, wait: float = 0.2) -> bool:
        """True when nothing arrives and the connection is not closed within `wait` seconds."""
        if self.buf:
            return True
        self.sock.settimeout(wait)
        try:
            chunk = self.sock.recv(65536, socket.MSG_PEEK)
        except socket.timeout:
            return True
        except ConnectionResetError:
            return False
        finally:
            self.sock.settimeout(SOCKET_TIMEOUT)
        return bool(chunk)

    def hello3(self):
        reply = self.cmd("HELLO", "3")
        assert isinstance(reply, RespMap), f"HELLO 3 failed: {reply!r}"
        return reply


def read_n_replies(conn: RespConnection, n: int) -> list[bytes]:
    return [conn.read_raw() for _ in range(n)]


# --------------------------------------------------------------------------------------------
# Differential testing
# --------------------------------------------------------------------------------------------

Command = Sequence  # a list of arguments (str/bytes/int), or raw bytes sent as they are


def _to_wire(command) -> bytes:
    if isinstance(command, (bytes, bytearray)):
        return bytes(command)
    return encode_command(*command)


def _label(command) -> str:
    if isinstance(command, (bytes, bytearray)):
        text = repr(bytes(command))
    else:
        text = " ".join(repr(a) if isinstance(a, bytes) else str(a) for a in command)
    return text if len(text) <= 120 else text[:117] + "..."


def _show(raw: bytes | None) -> str:
    if raw is None:
        return "<no reply: connection closed>"
    text = repr(raw)
    return text if len(text) <= 400 else text[:397] + "..."


def mismatch_report(title: str, labels: list[str], ours: list, theirs: list) -> str:
    lines = [title, "  (shardcache  vs  redis-server " + REDIS_VERSION + ")"]
    for i, label in enumerate(labels):
        a = ours[i] if i < len(ours) else None
        b = theirs[i] if i < len(theirs) else None
        mark = "  " if a == b else "!!"
        lines.append(f"{mark} [{i}] {label}")
        if a == b:
            lines.append(f"       both:       {_show(a)}")
        else:
            lines.append(f"       shardcache: {_show(a)}")
            lines.append(f"       redis:      {_show(b)}")
            if a is not None and b is not None and len(a) > 60 and len(b) > 60:
                diff = difflib.unified_diff(
                    a.decode("latin-1").replace("\r\n", "\\r\\n\n").splitlines(),
                    b.decode("latin-1").replace("\r\n", "\\r\\n\n").splitlines(),
                    "shardcache", "redis", lineterm="", n=1)
                lines += ["         " + d for d in list(diff)[:40]]
    return "\n".join(lines)


def run_commands(port: int, commands: Iterable, protocol: int = 2, setup: Iterable = (),
                 hello: Sequence | None = None,
                 normalize: Callable[[bytes], bytes] | None = None) -> list[bytes | None]:
    """Sends each command on one fresh connection and collects one raw reply for each.
    In RESP3 the connection first sends `hello` (default HELLO 3). None marks replies that never
    came because the server closed the connection."""
    replies: list[bytes | None] = []
    with RespConnection(port) as conn:
        if protocol == 3:
            conn.send(_to_wire(hello or ["HELLO", "3"]))
            conn.read_raw()
        for command in setup:
            conn.send(_to_wire(command))
            reply = conn.read_reply()
            assert not isinstance(reply, Error), f"setup {_label(command)} failed: {reply}"
        for command in commands:
            try:
                conn.send(_to_wire(command))
                raw = conn.read_raw()
            except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
                replies.append(None)
                break
            replies.append(normalize(raw) if normalize else raw)
    return replies


def differential(ours: int | ServerProcess, ref: int | ServerProcess, commands: list,
                 protocols: Iterable[int] = (2, 3), setup: Iterable = (("FLUSHALL",),),
                 hello: Sequence | None = None,
                 normalize: Callable[[bytes], bytes] | None = None) -> dict[int, list[bytes]]:
    """Runs `commands` (each an argument list, or raw bytes producing exactly one reply) on fresh
    connections to both servers, once per protocol, and asserts the raw replies are equal.
    `setup` runs first on each connection (default: FLUSHALL), its replies only checked to be
    non-errors. Returns {protocol: replies}."""
    ours_port = ours.port if isinstance(ours, ServerProcess) else ours
    ref_port = ref.port if isinstance(ref, ServerProcess) else ref
    commands = list(commands)
    setup = list(setup)
    results = {}
    for protocol in protocols:
        a = run_commands(ours_port, commands, protocol, setup, hello, normalize)
        b = run_commands(ref_port, commands, protocol, setup, hello, normalize)
        if a != b:
            labels = [_label(c) for c in commands]
            pytest.fail(mismatch_report(f"replies differ in RESP{protocol}", labels, a, b),
                        pytrace=False)
        results[protocol] = a
    return results


def exchange_stream(port: int, payload: bytes, protocol: int = 2, setup: Iterable = (),
                    sentinel: str = "__differential_end__") -> bytes:
    """Sends `payload` in one write followed by ECHO <sentinel>, and returns every byte received
    before the sentinel's reply. For replies that are suppressed or not one per command."""
    marker = encode_command("ECHO", sentinel)
    expected_tail = b"$%d\r\n%s\r\n" % (len(sentinel), sentinel.encode())
    with RespConnection(port) as conn:
        if protocol == 3:
            conn.hello3()
        for command in setup:
            conn.send(_to_wire(command))
            conn.read_reply()
        conn.send(payload + marker)
        data = bytearray()
        while not data.endswith(expected_tail):
            chunk = conn.sock.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed before the sentinel; got {bytes(data)!r}")
            data += chunk
        return bytes(data[:-len(expected_tail)])


def differential_stream(ours, ref, payload: bytes | list, protocols=(2, 3),
                        setup: Iterable = (("FLUSHALL",),)) -> dict[int, bytes]:
    """Like differential() for a pipeline whose replies are compared as one byte stream."""
    if isinstance(payload, list):
        payload = b"".join(_to_wire(c) for c in payload)
    ours_port = ours.port if isinstance(ours, ServerProcess) else ours
    ref_port = ref.port if isinstance(ref, ServerProcess) else ref
    results = {}
    for protocol in protocols:
        a = exchange_stream(ours_port, payload, protocol, setup)
        b = exchange_stream(ref_port, payload, protocol, setup)
        if a != b:
            pytest.fail(mismatch_report(f"reply streams differ in RESP{protocol}",
                                        [_label(payload)], [a], [b]), pytrace=False)
        results[protocol] = a
    return results


def exchange_until_closed(port: int, payload: bytes, protocol: int = 2, chunks: int = 1,
                          hello: Sequence | None = None, timeout: float = 5.0) -> bytes:
    """Sends `payload` (split into `chunks` writes), then returns all bytes received until the
    server closes the connection. Fails if the server keeps it open for `timeout` s."""
    with RespConnection(port) as conn:
        if protocol == 3:
            conn.send(_to_wire(hello or ["HELLO", "3"]))
            conn.read_raw()
        step = max(1, -(-len(payload) // chunks))
        try:
            for i in range(0, len(payload), step):
                conn.send(payload[i:i + step])
        except (BrokenPipeError, ConnectionResetError):
            pass
        return conn.read_until_closed(timeout)


def exchange_window(port: int, payload: bytes, seconds: float) -> tuple[bytes, bool]:
    """Sends `payload`; returns (bytes received within `seconds`, whether the server closed)."""
    with RespConnection(port) as conn:
        try:
            conn.send(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return conn.read_until_closed(seconds), True
        except AssertionError:
            return bytes(conn.buf), False


def differential_close(ours, ref, payload: bytes, protocols=(2, 3),
                       hello: Sequence | None = None) -> dict[int, bytes]:
    """Sends raw bytes to both servers; asserts both reply identically and then close."""
    ours_port = ours.port if isinstance(ours, ServerProcess) else ours
    ref_port = ref.port if isinstance(ref, ServerProcess) else ref
    results = {}
    for protocol in protocols:
        a = exchange_until_closed(ours_port, payload, protocol, hello=hello)
        b = exchange_until_closed(ref_port, payload, protocol, hello=hello)
        if a != b:
            pytest.fail(mismatch_report(f"bytes before close differ in RESP{protocol}",
                                        [_label(payload)], [a], [b]), pytrace=False)
        results[protocol] = a
    return results


# --------------------------------------------------------------------------------------------
# Small utilities
# --------------------------------------------------------------------------------------------

def crc16(data: bytes) -> int:
    """CRC16-CCITT (XMODEM), as Redis Cluster's key hashing."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def key_slot(key: str | bytes) -> int:
    """The hash slot of a key, honouring {hash tags} like Redis Cluster."""
    if isinstance(key, str):
        key = key.encode()
    start = key.find(b"{")
    if start >= 0:
        end = key.find(b"}", start + 1)
        if end > start + 1:
            key = key[start + 1:end]
    return crc16(key) % 16384


def shard_of(key: str | bytes, threads: int) -> int:
    """The shard thread that owns a key: contiguous slot ranges per shard."""
    return key_slot(key) * threads // 16384


def keys_on_shards(threads: int, prefix: str = "key") -> list[str]:
    """One key per shard, in shard order."""
    found: dict[int, str] = {}
    i = 0
    while len(found) < threads:
        key = f"{prefix}{i}"
        found.setdefault(shard_of(key, threads), key)
        i += 1
    return [found[s] for s in range(threads)]


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, interval: float = 0.02,
               message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"{message} not reached within {timeout} s")


def wait_for_clients(conn: "RespConnection", count: int, timeout: float = 5.0) -> None:
    """Waits until INFO reports `count` connected clients (closed connections, such as the
    readiness probe's, are released asynchronously)."""
    wait_until(lambda: f"connected_clients:{count}\r\n".encode() in conn.cmd("INFO", "clients"),
               timeout, message=f"connected_clients == {count}")


def parse_info(text: bytes | str) -> dict[str, str]:
    """INFO text as {field: raw value}, plus '#sections': [section names in order]."""
    if isinstance(text, bytes):
        text = text.decode()
    fields: dict = {"#sections": []}
    for line in text.split("\r\n"):
        if line.startswith("# "):
            fields["#sections"].append(line[2:])
        elif ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value
    return fields


def parse_client_line(line: str) -> dict[str, str]:
    out = {}
    for item in line.strip().split(" "):
        key, _, value = item.partition("=")
        out[key] = value
    return out


def run_in_thread(fn: Callable, *args):
    """Starts fn(*args) in a daemon thread; returns a callable that joins it (bounded) and
    returns fn's result or re-raises its exception."""
    box = {}

    def target():
        try:
            box["result"] = fn(*args)
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller
            box["error"] = e

    thread = threading.Thread(target=target, daemon=True)
    thread.start()

    def join(timeout: float = 10.0):
        thread.join(timeout)
        if thread.is_alive():
            raise AssertionError(f"background call did not finish within {timeout} s")
        if "error" in box:
            raise box["error"]
        return box.get("result")
    return join
