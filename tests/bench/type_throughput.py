#!/usr/bin/python3
"""redis-benchmark throughput of the container-type commands (issue 4), shardcache against
redis-server in the same run, measured as tests/bench/bench.py measures strings (its server
start and redis-benchmark runner are imported): each server pinned to --server-core and
redis-benchmark to --client-core, workloads run against both in alternation (A B A B ...) for
--rounds rounds, result = median ratio shardcache / redis with min and max.

Workloads (50 clients):
  types-p1, types-p16  `-t hset,lpush,lpop,sadd,zadd -r 100000 -d 16` at pipeline 1 and 16
                       (redis-benchmark's own commands: HSET myhash element:<r> <data>,
                       LPUSH/LPOP mylist, SADD myset element:<r>, ZADD myzset <r> element:<r>)
  hmget-p1, hmget-p16  the Feast read: HMGET feat:<r> f0 .. f9 over 100,000 hashes of 20 fields
                       "f0".."f19" with 16-byte values, loaded into both servers beforehand
                       (redis-py pipelines); redis-benchmark expands __rand_int__ to 12 digits,
                       so the hashes are named feat:%012d.

    /usr/bin/python3 tests/bench/type_throughput.py \
        --binary build/release/server/shardcache-server [--rounds 3] [--workload hmget-p16 ...]
        [--markdown out.md]
"""
from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zipf  # noqa: E402
from bench import run_benchmark, start_servers  # noqa: E402
from memory_types import load_hashes  # noqa: E402

HASHES, FIELDS = 100_000, 20
HMGET = ["HMGET", "feat:__rand_int__"] + [f"f{i}" for i in range(10)]
TYPES = ["-t", "hset,lpush,lpop,sadd,zadd", "-r", "100000", "-d", "16", "-c", "50"]

# name → redis-benchmark arguments (after -p PORT)
WORKLOADS = {
    "types-p1": TYPES + ["-n", "500000", "-P", "1"],
    "types-p16": TYPES + ["-n", "2000000", "-P", "16"],
    "hmget-p1": ["-n", "500000", "-r", str(HASHES), "-c", "50", "-P", "1"] + HMGET,
    "hmget-p16": ["-n", "2000000", "-r", str(HASHES), "-c", "50", "-P", "16"] + HMGET,
}


def scaled(args: list[str], scale: float) -> list[str]:
    n = args.index("-n") + 1
    return args[:n] + [str(max(1000, int(int(args[n]) * scale)))] + args[n + 1:]


def hmget_hits(port: int) -> str:
    """A check that the HMGETs found their hashes: one HMGET of the last key, and the server's
    keyspace hit/miss counters."""
    r = redis.Redis(port=port)
    try:
        values = r.hmget(b"feat:%012d" % (HASHES - 1), *[f"f{i}" for i in range(10)])
        stats = r.info("stats")
    finally:
        r.close()
    if any(v is None for v in values):
        raise RuntimeError(f"port {port}: feat hashes missing")
    return f"hits {stats.get('keyspace_hits', '?')} misses {stats.get('keyspace_misses', '?')}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=zipf.DEFAULT_BINARY)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workload", action="append", choices=list(WORKLOADS))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--client-core", default="1")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies each workload's -n (quick runs while debugging)")
    parser.add_argument("--markdown")
    opts = parser.parse_args()
    workloads = opts.workload or list(WORKLOADS)
    start_line = zipf.machine_line()

    shardcache, redis_server = start_servers(opts.binary, opts.server_core, opts.threads)
    rows = []
    try:
        if any(w.startswith("hmget") for w in workloads):
            os.sched_setaffinity(0, {int(c) for c in opts.client_core.split(",")})
            for server in (shardcache, redis_server):
                load_hashes(server.port, HASHES, FIELDS, b"feat:%012d")
        for workload in workloads:
            samples = {}  # test → ([shardcache rps], [redis rps])
            for _ in range(opts.rounds):
                for index, server in enumerate((shardcache, redis_server)):
                    for test, rps in run_benchmark(server.port, scaled(WORKLOADS[workload],
                                                                       opts.scale),
                                                   opts.client_core).items():
                        samples.setdefault(test, ([], []))[index].append(rps)
                        print(f"{workload} {server.name} {test}: {rps:,.0f}", file=sys.stderr,
                              flush=True)
            for test, (ours, theirs) in samples.items():
                ratios = [a / b for a, b in zip(ours, theirs)]
                rows.append((workload, test.split(" ")[0], statistics.median(ours),
                             statistics.median(theirs), statistics.median(ratios), min(ratios),
                             max(ratios)))
        if any(w.startswith("hmget") for w in workloads):
            for server in (shardcache, redis_server):
                print(f"{server.name} after HMGET: {hmget_hits(server.port)}", file=sys.stderr)
    finally:
        shardcache.stop()
        redis_server.stop()

    command = " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:])
    lines = [
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on {start_line}; "
        f"shardcache threads={opts.threads}, {opts.rounds} rounds, server on core "
        f"{opts.server_core}, redis-benchmark on core {opts.client_core}.",
        f"Command: `{command}`",
        "",
        "| workload | test | shardcache rps (median) | redis rps (median) | ratio median | min | max |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for workload, test, ours, theirs, median, low, high in rows:
        lines.append(f"| {workload} | {test} | {ours:,.0f} | {theirs:,.0f} | {median:.2f} | "
                     f"{low:.2f} | {high:.2f} |")
    zipf.write_report(lines, opts.markdown)


if __name__ == "__main__":
    main()
