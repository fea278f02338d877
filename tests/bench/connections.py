#!/usr/bin/python3
"""Many connections: throughput and latency with 1,000 and 10,000 clients, shardcache against
redis-server.

shardcache-loadgen (conns mode) opens the connections gradually (at most 256 connects pending,
refused attempts retried; a connection counts once it has answered PING), then every one of
them sends SET and GET (alternating, 64-byte values over 100,000 random keys) closed loop with
pipeline 1: after a 1 s warm-up, --duration seconds (default 5) are measured: requests per
second, p50 and p99 latency (send to reply), and how many connections were open.

Both servers start with --maxclients 20000 after this script raised its open-file limit to the
hard limit (the servers inherit it; redis-server lowers maxclients to fit its limit, and the
loadgen raises its own). Each server is pinned to --server-core and the loadgen to
--client-core; the loadgen is one thread, so at 10,000 connections it may be the bottleneck as
much as the server. Runs alternate between the servers (A B A B ...) for --rounds rounds;
ratio = shardcache / redis per round, median with min and max.

    tests/bench/connections.py [--binary build/release/server/shardcache-server] [--rounds 3]
        [--connections 10000 ...] [--scale 0.2] [--json out.json]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadgen_driver  # noqa: E402
import zipf  # noqa: E402

COUNTS = [1000, 10000]
KEYSPACE, WARMUP_S, DURATION_S = 100_000, 1.0, 5.0
SERVER_EXTRA = ["--maxclients", "20000"]
METRICS = [("rps", lambda out: out["rps"], True),
           ("p50 us", lambda out: out["latency"]["p50_us"], False),
           ("p99 us", lambda out: out["latency"]["p99_us"], False),
           ("connections open", lambda out: out["connections_open"], True)]


def main():
    parser = loadgen_driver.parser(__doc__, "multiplies the measured time of each run (5 s)")
    parser.add_argument("--connections", type=int, action="append",
                        help=f"connection counts to run (default {COUNTS})")
    opts = parser.parse_args()
    counts = opts.connections or COUNTS
    duration = max(0.2, DURATION_S * opts.scale)
    start_line = zipf.machine_line()

    loadgen_driver.raise_open_file_limit()
    shardcache, redis = loadgen_driver.start_servers(opts, SERVER_EXTRA)
    table = []
    try:
        for count in counts:
            args = ["--connections", count, "--warmup", WARMUP_S, "--duration", duration,
                    "--keyspace", KEYSPACE, "--data-size", 64]

            def measure(server):
                out = loadgen_driver.run(opts, "conns", server.port, args, duration + 120)
                if out["connections_open"] < count:
                    print(f"warning: {server.name} accepted {out['connections_open']} of {count} "
                          f"connections: {out.get('first_failure')}", file=sys.stderr, flush=True)
                return out

            samples = loadgen_driver.alternate((shardcache, redis), opts.rounds, measure,
                                               f"{count} connections")
            table += loadgen_driver.rows(f"{count} connections", samples, METRICS)
    finally:
        shardcache.stop()
        redis.stop()

    section = (f"Connections (shardcache-loadgen, closed loop, pipeline 1): shardcache --threads "
               f"{opts.threads} vs redis-server, both --maxclients 20000, servers on core "
               f"{opts.server_core}, loadgen on core {opts.client_core}")
    notes = [f"Each run: SET/GET over {KEYSPACE:,} keys, {WARMUP_S:g} s warm-up, {duration:g} s "
             "measured."]
    loadgen_driver.report(opts, section, start_line, notes, table)


if __name__ == "__main__":
    main()
