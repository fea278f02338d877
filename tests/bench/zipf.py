"""Shared pieces of the storage benchmarks (hit_ratio.py, memory_per_key.py, growth_stall.py) and
of tests/integration/test_eviction.py's hit-ratio test:

  * Zipf: a seeded Zipf(s) request sequence over N keys (rank r drawn with probability
    proportional to 1 / r**s), mapped through a seeded permutation so that a key's popularity
    has nothing to do with its name.
  * Client: a minimal blocking RESP2 client on a raw socket (one command, or a pipeline of
    commands whose replies are one line each), fast enough to drive a server from Python.
  * Server: a shardcache-server or redis-server child process on 127.0.0.1, optionally pinned to
    a core with taskset, stopped by its own pid.
  * info(), markdown helpers.

Pure standard library: runs under /usr/bin/python3 without extra packages.
"""
from __future__ import annotations

import bisect
import itertools
import os
import platform
import random
import signal
import socket
import subprocess
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_BINARY = os.path.join(REPO_ROOT, "build", "release", "server", "shardcache-server")
REDIS_SERVER = "/usr/bin/redis-server"


# --------------------------------------------------------------------------------------------
# Workload
# --------------------------------------------------------------------------------------------

class Zipf:
    """Zipf(s) over key ids 0..n-1: the key of popularity rank r (1-based) is drawn with
    probability (1/r**s) / H(n, s). Ranks are mapped to ids by a permutation seeded with `seed`,
    and the request sequence drawn by sequence() uses its own seeded generator: the same
    (n, s, seed) gives the same sequence on every run and every machine (Python's Mersenne
    Twister and float arithmetic are specified)."""

    def __init__(self, n: int, s: float = 0.99, seed: int = 1):
        self.n, self.s, self.seed = n, s, seed
        weights = (1.0 / (rank ** s) for rank in range(1, n + 1))
        self._cdf = list(itertools.accumulate(weights))
        total = self._cdf[-1]
        self._cdf = [c / total for c in self._cdf]
        self._cdf[-1] = 1.0
        self.rank_to_id = list(range(n))
        random.Random(seed ^ 0x5EED).shuffle(self.rank_to_id)

    def sequence(self, count: int) -> list[int]:
        """`count` key ids, drawn independently."""
        rng = random.Random(self.seed)
        cdf, ids, n = self._cdf, self.rank_to_id, self.n
        out = []
        for _ in range(count):
            rank = bisect.bisect_left(cdf, rng.random())
            out.append(ids[rank if rank < n else n - 1])
        return out

    def top_share(self, k: int) -> float:
        """The probability mass of the k most popular keys: the hit ratio of an ideal cache
        holding exactly those k keys (an upper bound for LRU/LFU approximations)."""
        return self._cdf[min(k, self.n) - 1] if k > 0 else 0.0


def key_name(prefix: str, i: int, width: int = 8) -> bytes:
    """Fixed-width key names, so every key has the same size in both servers."""
    return f"{prefix}{i:0{width}d}".encode()


def value_bytes(size: int, seed: int = 7) -> bytes:
    """A value of `size` printable bytes that no server stores as an integer."""
    rng = random.Random(seed)
    return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(size))


# --------------------------------------------------------------------------------------------
# RESP client
# --------------------------------------------------------------------------------------------

def encode(*args) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, (bytes, bytearray)):
            a = str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


class RespError(Exception):
    pass


class Client:
    """A blocking RESP2 client. call() decodes one reply of any type; pipeline_lines() sends
    commands whose replies are single lines (+OK, -ERR..., :n) and returns those lines."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 60.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def _line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buf[:end])
                del self.buf[:end + 2]
                return line
            self._fill()

    def read_reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data = bytes(self.buf[:n])
            del self.buf[:n + 2]
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        raise ValueError(f"unexpected reply line {line[:100]!r}")

    def call(self, *args):
        self.sock.sendall(encode(*args))
        reply = self.read_reply()
        if isinstance(reply, RespError):
            raise reply
        return reply

    def pipeline_lines(self, payload: bytes, count: int) -> list[bytes]:
        """Sends `payload` (count commands) and returns the `count` reply lines. Every reply must
        be one line. The payload is written whole before reading: keep it to a few MB (replies
        of one line each cannot fill the socket buffers first)."""
        self.sock.sendall(payload)
        lines = []
        while len(lines) < count:
            end = self.buf.rfind(b"\r\n")
            if end < 0:
                self._fill()
                continue
            got = bytes(self.buf[:end]).split(b"\r\n")
            del self.buf[:end + 2]
            lines += got
        if len(lines) != count:
            raise ValueError(f"expected {count} replies, got {len(lines)}")
        return lines

    def pipeline_ok(self, payload: bytes, count: int) -> int:
        """As pipeline_lines for replies expected to be +OK; returns how many were not +OK."""
        self.sock.sendall(payload)
        need = 5 * count  # b"+OK\r\n"
        got = bytearray(self.buf)
        self.buf.clear()
        while len(got) < need:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("server closed the connection")
            got += chunk
            if got[:1] != b"+":  # an error reply: fall back to line parsing
                break
        if len(got) == need and got.count(b"+OK\r\n") == count:
            return 0
        self.buf += got
        lines = []
        while len(lines) < count:
            lines.append(self._line())
        return sum(1 for line in lines if line != b"+OK")

    def info(self, *sections) -> dict[str, str]:
        return parse_info(self.call("INFO", *sections))


def parse_info(text: bytes | str) -> dict[str, str]:
    if isinstance(text, bytes):
        text = text.decode()
    out = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#") and ":" in line:
            k, v = line.split(":", 1)
            out[k] = v
    return out


def keyspace_db(info: dict[str, str], db: int = 0) -> dict[str, int]:
    """INFO keyspace's dbN line as {keys, expires, avg_ttl} (zeros when absent)."""
    raw = info.get(f"db{db}")
    if not raw:
        return {"keys": 0, "expires": 0, "avg_ttl": 0}
    return {k: int(v) for k, v in (item.split("=") for item in raw.split(","))}


def set_commands(keys, value: bytes, extra: tuple = ()) -> bytes:
    """One payload of SET key value [extra...] for each key."""
    tail = b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in
                    (x if isinstance(x, bytes) else str(x).encode() for x in extra))
    head = b"*%d\r\n$3\r\nSET\r\n" % (3 + len(extra))
    vpart = b"$%d\r\n%s\r\n" % (len(value), value) + tail
    return b"".join(head + b"$%d\r\n%s\r\n" % (len(k), k) + vpart for k in keys)


# --------------------------------------------------------------------------------------------
# Server processes
# --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server child process on 127.0.0.1, answering PING when the constructor returns.
    `wrapper` runs the server under another program (valgrind), which also lengthens the wait
    for the first PONG (start_timeout)."""

    def __init__(self, name: str, argv: list[str], port: int, cpu: str | None = None,
                 log_path: str | None = None, wrapper=(), start_timeout: float = 15):
        self.name, self.port = name, port
        argv = list(wrapper) + argv
        if cpu is not None:
            argv = ["taskset", "-c", cpu] + argv
        self.argv = argv
        self._log = open(log_path, "wb") if log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.proc.pid
        deadline = time.monotonic() + start_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited at start ({self.proc.returncode}): {argv}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not answer PING on port {port}")
            time.sleep(0.05)

    def rss_bytes(self) -> int:
        """The server process's resident set size, read from /proc."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self._log is not subprocess.DEVNULL:
            self._log.close()


def start_shardcache(binary: str, threads: int = 1, cpu: str | None = None, extra=(),
                     log_path: str | None = None, wrapper=(), start_timeout: float = 15) -> Server:
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--threads", str(threads),
            "--loglevel", "warning"] + [str(a) for a in extra]
    return Server("shardcache", argv, port, cpu, log_path, wrapper, start_timeout)


def start_redis(cpu: str | None = None, extra=(), log_path: str | None = None, wrapper=(),
                start_timeout: float = 15) -> Server:
    port = free_port()
    argv = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no",
            "--loglevel", "warning", "--dir", "/tmp"] + [str(a) for a in extra]
    return Server("redis", argv, port, cpu, log_path, wrapper, start_timeout)


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------

def redis_version() -> str:
    out = subprocess.run([REDIS_SERVER, "--version"], capture_output=True, text=True).stdout
    for word in out.split():
        if word.startswith("v="):
            return word[2:]
    return "?"


def machine_line() -> str:
    load = os.getloadavg()
    return (f"{platform.node()}, {os.cpu_count()} cores, load average "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the start, redis-server "
            f"{redis_version()}")


def write_report(lines: list[str], markdown: str | None):
    report = "\n".join(lines)
    print(report, flush=True)
    if markdown:
        with open(markdown, "w") as f:
            f.write(report + "\n")
