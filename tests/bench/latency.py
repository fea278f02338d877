#!/usr/bin/python3
"""Latency at a fixed request rate below saturation, shardcache against redis-server.

shardcache-loadgen (rate mode) sends --rate requests per second (default 30,000) over 50
connections, pipeline 1, open loop: request k is due at start + k / rate, and its latency runs
from that due time to its reply, so a stall is charged to every request it delays (no
coordinated omission). After a 1 s warm-up, --duration seconds (default 4) are measured:
p50, p99 and p99.9 in microseconds. Each server is pinned to --server-core and the loadgen to
--client-core; every workload runs against both in alternation (A B A B ...) for --rounds
rounds; ratio = shardcache / redis per round (lower is better), median with min and max.

Why 30,000/s: it is well below saturation at pipeline 1 with 50 clients on both servers.
docs/benchmarks.md (redis-benchmark, closed loop, 2-core VM) has SET/GET at 100,000-115,000/s,
LPUSH ~107,000/s, ZADD ~86,000-94,000/s and HMGET of 10 fields ~57,000/s for each server. MGET
of 10 random keys out of 1M is the exception: redis-benchmark measured it at 22,000-24,000/s
against redis-server while GET reached 48,000-61,000/s on the same busy machine (ten cache
misses per request instead of one), so it runs at half the rate (15,000/s by default). Below
saturation the percentiles measure service time and scheduling rather than a growing queue. A
run whose achieved rate falls more than 2% short of its target is flagged on stderr: it was
measured at saturation (or the machine was busy) and its percentiles are queueing.

Workloads (datasets.py loads the same strings, hashes and sorted sets into both servers first):
  ping    PING
  get     GET key:<r> over the 1,000,000 loaded 64-byte strings
  set     SET key:<r> <64 bytes> over the same keys (overwrites)
  mget    MGET of 10 random keys out of those, at half the rate
  hmget   HMGET feat:<r> f0 .. f9 over the 100,000 loaded hashes of 20 fields
  lpush   LPUSH mylist <64 bytes> (one list, as redis-benchmark)
  zadd    ZADD zset:<r> <r> member:<r> over the 1,000 loaded sorted sets of 1,000 members
          (a score update of an existing member)

    tests/bench/latency.py [--binary build/release/server/shardcache-server] [--rounds 3]
        [--rate 30000] [--workload get ...] [--scale 0.2] [--json out.json]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets  # noqa: E402
import loadgen_driver  # noqa: E402
import zipf  # noqa: E402

# name → (command templates, keyspace for __rand_int__, share of --rate)
WORKLOADS = {
    "ping": (["PING"], 1, 1.0),
    "get": (["GET key:__rand_int__"], datasets.STRING_KEYS, 1.0),
    "set": (["SET key:__rand_int__ __data__"], datasets.STRING_KEYS, 1.0),
    "mget": (["MGET" + " key:__rand_int__" * 10], datasets.STRING_KEYS, 0.5),
    "hmget": (["HMGET feat:__rand_int__ " + " ".join(f"f{i}" for i in range(10))],
              datasets.HASHES, 1.0),
    "lpush": (["LPUSH mylist __data__"], 1, 1.0),
    "zadd": (["ZADD zset:__rand_int__ __rand_int__ member:__rand_int__"], datasets.ZSETS, 1.0),
}
CONNECTIONS, WARMUP_S, DURATION_S = 50, 1.0, 4.0
METRICS = [("p50 us", lambda out: out["latency"]["p50_us"], False),
           ("p99 us", lambda out: out["latency"]["p99_us"], False),
           ("p99.9 us", lambda out: out["latency"]["p999_us"], False)]


def main():
    parser = loadgen_driver.parser(__doc__, "multiplies the measured time of each run (4 s)")
    parser.add_argument("--rate", type=float, default=30_000, help="requests per second")
    parser.add_argument("--workload", action="append", choices=list(WORKLOADS))
    opts = parser.parse_args()
    workloads = opts.workload or list(WORKLOADS)
    duration = max(0.2, DURATION_S * opts.scale)
    start_line = zipf.machine_line()

    shardcache, redis = loadgen_driver.start_servers(opts)
    table = []
    try:
        # The loader is a client too: it keeps off the servers' core.
        os.sched_setaffinity(0, {int(c) for c in opts.client_core.split(",")})
        for server in (shardcache, redis):
            datasets.load(server.port, ["strings", "hashes", "zsets"])
        for workload in workloads:
            commands, keyspace, share = WORKLOADS[workload]
            rate = opts.rate * share
            args = ["--rate", rate, "--connections", CONNECTIONS, "--warmup", WARMUP_S,
                    "--duration", duration, "--keyspace", keyspace, "--data-size", 64]
            for command in commands:
                args += ["--command", command]

            def measure(server):
                out = loadgen_driver.run(opts, "rate", server.port, args, duration + 60)
                if out["achieved_rps"] < 0.98 * rate:
                    print(f"warning: {workload} on {server.name} reached "
                          f"{out['achieved_rps']:,.0f}/s of {rate:,.0f}/s: saturated",
                          file=sys.stderr, flush=True)
                return out

            samples = loadgen_driver.alternate((shardcache, redis), opts.rounds, measure,
                                               workload)
            table += loadgen_driver.rows(workload, samples, METRICS)
    finally:
        shardcache.stop()
        redis.stop()

    section = (f"Latency at {opts.rate:,.0f} requests/s (shardcache-loadgen, open loop, "
               f"{CONNECTIONS} connections, pipeline 1): shardcache --threads {opts.threads} vs "
               f"redis-server, servers on core {opts.server_core}, loadgen on core "
               f"{opts.client_core}")
    loadgen_driver.report(opts, section, start_line,
                          [f"Each run: {WARMUP_S:g} s warm-up, {duration:g} s measured; mget at "
                           f"{opts.rate * WORKLOADS['mget'][2]:,.0f} requests/s."], table)


if __name__ == "__main__":
    main()
