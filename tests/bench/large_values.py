#!/usr/bin/python3
"""Large values: SET and GET throughput of 1 MiB and 32 MiB values (GB/s), and how long they
keep a server from answering another client, shardcache against redis-server.

shardcache-loadgen (large mode), per value size: one connection SETs values of that size over
4 keys, closed loop, for --duration seconds (default 5; the 4 keys are written once before),
then GETs them for as long; GB/s = value bytes / wall time of the phase. Meanwhile one more
connection sends a PING every 200 us (closed loop: the next one 200 us after the previous send,
or at once when its reply came later) and records the reply latency: p50, p99, p99.9 and max
per phase. A server that handles a 32 MiB value in one go leaves the PING waiting that long.
The value is written from one buffer and GET replies are read into one reusable buffer, so
the loadgen copies no payload itself.

Both servers run with --maxmemory 4gb and their default policy (noeviction) and default
proto-max-bulk-len (512 MB). Each server is pinned to --server-core and the loadgen to
--client-core; sizes run against both in alternation (A B A B ...) for --rounds rounds, about
45 s per round at the default scale; ratio = shardcache / redis per round, median with min
and max.

    tests/bench/large_values.py [--binary build/release/server/shardcache-server] [--rounds 3]
        [--size 32MiB ...] [--scale 0.2] [--json out.json]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadgen_driver  # noqa: E402
import zipf  # noqa: E402

SIZES = {"1MiB": 1 << 20, "32MiB": 32 << 20}
KEYS, DURATION_S = 4, 5.0
SERVER_EXTRA = ["--maxmemory", "4gb"]


def metrics(phase: str):
    return [("GB/s", lambda out: out[phase]["gbps"], True)], [
        (f"PING {name}", lambda out, key=key: out[phase]["ping"][key], False)
        for name, key in (("p50 us", "p50_us"), ("p99 us", "p99_us"), ("p99.9 us", "p999_us"),
                          ("max us", "max_us"))]


def main():
    parser = loadgen_driver.parser(__doc__, "multiplies each phase's duration (5 s)")
    parser.add_argument("--size", action="append", choices=list(SIZES))
    opts = parser.parse_args()
    sizes = opts.size or list(SIZES)
    duration = max(0.2, DURATION_S * opts.scale)
    start_line = zipf.machine_line()

    shardcache, redis = loadgen_driver.start_servers(opts, SERVER_EXTRA)
    table = []
    try:
        for size in sizes:
            args = ["--value-size", SIZES[size], "--keys", KEYS, "--duration", duration]
            samples = loadgen_driver.alternate(
                (shardcache, redis), opts.rounds,
                lambda server: loadgen_driver.run(opts, "large", server.port, args,
                                                  4 * duration + 120), size)
            for phase in ("set", "get"):
                throughput, ping = metrics(phase)
                table += loadgen_driver.rows(f"{phase.upper()} {size}", samples, throughput)
                table += loadgen_driver.rows(f"{phase.upper()} {size}", samples, ping)
    finally:
        shardcache.stop()
        redis.stop()

    section = (f"Large values (shardcache-loadgen): shardcache --threads {opts.threads} vs "
               f"redis-server, both --maxmemory 4gb, servers on core {opts.server_core}, loadgen "
               f"on core {opts.client_core}")
    notes = [f"Each phase: one connection, {KEYS} keys, {duration:g} s; PING every 200 us on a "
             "second connection meanwhile."]
    loadgen_driver.report(opts, section, start_line, notes, table)


if __name__ == "__main__":
    main()
