#!/usr/bin/python3
"""redis-benchmark throughput, shardcache against redis-server in the same run.

Each server is pinned to one core (--server-core) and redis-benchmark to another
(--client-core); every workload runs against both in alternation (A B A B ...) for --rounds
rounds, and the result is the median of the per-round ratios shardcache / redis-server with
their min and max. Absolute numbers on shared machines drift; the ratios are the result.
Before measuring, both servers are loaded with the same data (datasets.py) for the workloads
that read it.

Workloads (50 clients; P = pipeline depth):
  ping                  PING_INLINE, PING_MBULK, P16
  setget-p1/-p16        SET, GET of 64-byte values over 1M random keys (-r 1000000)
  mget10-p1/-p16        MGET of 10 random keys out of the 1M loaded strings
  hset-hmget-p1/-p16    the feature-store read over 100k loaded hashes of 20 fields:
                        HSET of one field (an update, the hash keeps its 20 fields), then HMGET
                        of 10 fields
  lpush-lpop-p1/-p16    redis-benchmark's LPUSH then LPOP (one list, pushed and emptied)
  sadd-p1/-p16          redis-benchmark's SADD over 100k members of one set
  zadd-zrange-p1/-p16   over 1,000 loaded sorted sets of 1,000 members with random scores:
                        ZADD of a random score to a random member (redis-benchmark's own ZADD
                        always uses score 0), ZRANGE 0 9, ZRANGEBYSCORE <random> +inf LIMIT 0 10

--compare-threads N measures something else: shardcache --threads N against shardcache
--threads 1 on setget-p16 (workload setget-p16-threads), with both servers and redis-benchmark
on the same cores (--threads-cores, default 0,1); ratio = threads N / threads 1.

    tests/bench/bench.py [--binary build/release/server/shardcache-server] [--rounds 3]
        [--workload ping ...] [--scale 0.1] [--json out.json] [--markdown out.md]
    tests/bench/bench.py --compare-threads 2 [--rounds 3] [--json out.json]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets  # noqa: E402
import results  # noqa: E402
import zipf  # noqa: E402

P1, P16 = ["-c", "50", "-P", "1"], ["-c", "50", "-P", "16"]
STRINGS = ["-r", str(datasets.STRING_KEYS), "-d", "64"]
MGET10 = ["MGET"] + ["key:__rand_int__"] * 10
HSET = ["HSET", "feat:__rand_int__", "f7", "updated-16-bytes"]
HMGET = ["HMGET", "feat:__rand_int__"] + [f"f{i}" for i in range(10)]
ZADD = ["ZADD", "zset:__rand_int__", "__rand_int__", "member:__rand_int__"]
ZRANGE = ["ZRANGE", "zset:__rand_int__", "0", "9"]
ZRANGEBYSCORE = ["ZRANGEBYSCORE", "zset:__rand_int__", "__rand_int__", "+inf", "LIMIT", "0", "10"]


def pair(name: str, requests_p1: int, requests_p16: int, runs, needs=()):
    """A workload at pipeline 1 and 16. runs: [(label or None, redis-benchmark args)], the
    label naming a custom command's row (None: redis-benchmark's own test names)."""
    return {f"{name}-p1": (needs, [(label, ["-n", str(requests_p1)] + P1 + args)
                                   for label, args in runs]),
            f"{name}-p16": (needs, [(label, ["-n", str(requests_p16)] + P16 + args)
                                    for label, args in runs])}


# name → (datasets to load first, runs)
WORKLOADS = {
    "ping": ((), [(None, ["-t", "ping", "-n", "1000000"] + P16)]),
    **pair("setget", 2_000_000, 2_000_000, [(None, ["-t", "set,get"] + STRINGS)]),
    **pair("mget10", 500_000, 1_000_000, [("MGET", ["-r", str(datasets.STRING_KEYS)] + MGET10)],
           needs=("strings",)),
    **pair("hset-hmget", 500_000, 1_000_000,
           [("HSET", ["-r", str(datasets.HASHES)] + HSET),
            ("HMGET", ["-r", str(datasets.HASHES)] + HMGET)], needs=("hashes",)),
    **pair("lpush-lpop", 500_000, 1_000_000, [(None, ["-t", "lpush,lpop", "-d", "16"])]),
    **pair("sadd", 500_000, 1_000_000, [(None, ["-t", "sadd", "-r", "100000"])]),
    **pair("zadd-zrange", 500_000, 1_000_000,
           [("ZADD", ["-r", str(datasets.ZSETS)] + ZADD),
            ("ZRANGE 0 9", ["-r", str(datasets.ZSETS)] + ZRANGE),
            ("ZRANGEBYSCORE LIMIT 10", ["-r", str(datasets.ZSETS)] + ZRANGEBYSCORE)],
           needs=("zsets",)),
}


def scaled(args: list[str], scale: float) -> list[str]:
    n = args.index("-n") + 1
    return args[:n] + [str(max(1000, int(int(args[n]) * scale)))] + args[n + 1:]


def run_benchmark(port: int, args: list[str], client_core: str) -> dict[str, float]:
    """Returns {test name: requests per second} from redis-benchmark --csv."""
    out = subprocess.run(["taskset", "-c", client_core, "redis-benchmark", "-p", str(port),
                          "--csv", "-q"] + args, capture_output=True, text=True, timeout=600,
                         check=True).stdout
    rps = {}
    for line in out.splitlines():
        cells = [c.strip('"') for c in line.split(",")]
        if len(cells) >= 2 and cells[0] != "test":
            rps[cells[0]] = float(cells[1])
    if not rps:
        raise RuntimeError(f"redis-benchmark {args} printed no results: {out[-500:]!r}")
    return rps


def alternate(servers, runs, rounds: int, client_core: str, label: str) -> dict:
    """Runs every (label, args) against each server in turn, A B A B for `rounds` rounds.
    Returns {row name: ([rps of servers[0] per round], [rps of servers[1] per round])}."""
    samples = {}
    for _ in range(rounds):
        for index, server in enumerate(servers):
            for name, args in runs:
                for test, rps in run_benchmark(server.port, args, client_core).items():
                    row = f"{label} {name or test}"
                    samples.setdefault(row, ([], []))[index].append(rps)
                    print(f"{row} {server.name}: {rps:,.0f}", file=sys.stderr, flush=True)
    return samples


def compare_with_redis(opts) -> tuple[str, list[dict]]:
    workloads = opts.workload or list(WORKLOADS)
    needs = sorted({d for w in workloads for d in WORKLOADS[w][0]})
    shardcache = zipf.start_shardcache(opts.binary, threads=opts.threads, cpu=opts.server_core)
    redis = zipf.start_redis(cpu=opts.server_core)
    rows = []
    try:
        if needs:
            # The loader is a client too: it keeps off the servers' core.
            os.sched_setaffinity(0, {int(c) for c in opts.client_core.split(",")})
            for server in (shardcache, redis):
                datasets.load(server.port, needs)
        for workload in workloads:
            runs = [(name, scaled(args, opts.scale)) for name, args in WORKLOADS[workload][1]]
            samples = alternate((shardcache, redis), runs, opts.rounds, opts.client_core,
                                workload)
            rows += [results.paired_row(row, "rps", ours, theirs)
                     for row, (ours, theirs) in samples.items()]
    finally:
        shardcache.stop()
        redis.stop()
    return (f"Throughput (redis-benchmark): shardcache --threads {opts.threads} vs redis-server, "
            f"servers on core {opts.server_core}, redis-benchmark on core {opts.client_core}",
            rows)


def compare_threads(opts) -> tuple[str, list[dict]]:
    """setget-p16 on shardcache --threads N against --threads 1, all on --threads-cores."""
    cores = opts.threads_cores
    many = zipf.start_shardcache(opts.binary, threads=opts.compare_threads, cpu=cores)
    one = zipf.start_shardcache(opts.binary, threads=1, cpu=cores)
    try:
        runs = [(name, scaled(args, opts.scale)) for name, args in WORKLOADS["setget-p16"][1]]
        samples = alternate((many, one), runs, opts.rounds, cores, "setget-p16-threads")
    finally:
        many.stop()
        one.stop()
    baseline = "shardcache --threads 1"
    rows = [results.paired_row(row, "rps", ours, theirs, baseline=baseline)
            for row, (ours, theirs) in samples.items()]
    return (f"Threads: shardcache --threads {opts.compare_threads} vs --threads 1 "
            f"(servers and redis-benchmark on cores {cores})", rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=zipf.DEFAULT_BINARY)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workload", action="append", choices=list(WORKLOADS))
    parser.add_argument("--threads", type=int, default=1,
                        help="shardcache threads in the comparison with redis-server")
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--client-core", default="1")
    parser.add_argument("--compare-threads", type=int, metavar="N",
                        help="only compare shardcache --threads N with --threads 1")
    parser.add_argument("--threads-cores", default="0,1")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies every run's request count (-n), at least 1000")
    parser.add_argument("--json")
    parser.add_argument("--markdown")
    opts = parser.parse_args()
    start_line = zipf.machine_line()

    section, rows = compare_threads(opts) if opts.compare_threads else compare_with_redis(opts)
    command = results.command_line()
    if opts.json:
        results.write_json(opts.json, section, command, rows)
    zipf.write_report([f"{section}, {opts.rounds} rounds. {start_line}.", f"Command: `{command}`",
                       ""] + results.markdown_table(rows), opts.markdown)


if __name__ == "__main__":
    main()
