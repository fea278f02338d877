#!/usr/bin/python3
"""Runs redis-benchmark workloads against shardcache and redis-server in the same run.

Each server is pinned to one core and the load generator to another (taskset); workloads run
against both in alternation (A B A B ...) for several rounds, and the result is the median
ratio shardcache / redis-server with its min and max. Absolute numbers on shared machines
drift; the ratios are the result.

    tests/bench/bench.py --binary build/release/server/shardcache-server [--rounds 3] \
        [--workload ping] [--markdown out.md]
"""
import argparse
import datetime
import os
import statistics
import subprocess
import sys

import zipf  # shared server launching and reporting (tests/bench/zipf.py)

# name → redis-benchmark arguments (after -p PORT)
WORKLOADS = {
    "ping": ["-t", "ping", "-n", "1000000", "-c", "50", "-P", "16"],
    "setget-p1": ["-t", "set,get", "-n", "2000000", "-r", "1000000", "-d", "64", "-c", "50",
                  "-P", "1"],
    "setget-p16": ["-t", "set,get", "-n", "2000000", "-r", "1000000", "-d", "64", "-c", "50",
                   "-P", "16"],
}


def start_servers(binary, server_core, threads):
    return (zipf.start_shardcache(binary, threads=threads, cpu=server_core),
            zipf.start_redis(cpu=server_core))


def run_benchmark(port, args, client_core):
    """Returns {test name: requests per second} from redis-benchmark --csv."""
    out = subprocess.run(["taskset", "-c", client_core, "redis-benchmark", "-p", str(port),
                          "--csv", "-q"] + args, capture_output=True, text=True, timeout=600,
                         check=True).stdout
    results = {}
    for line in out.splitlines():
        cells = [c.strip('"') for c in line.split(",")]
        if len(cells) >= 2 and cells[0] != "test":
            results[cells[0]] = float(cells[1])
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workload", action="append", choices=sorted(WORKLOADS))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--client-core", default="1")
    parser.add_argument("--markdown")
    opts = parser.parse_args()
    workloads = opts.workload or sorted(WORKLOADS)

    shardcache, redis = start_servers(opts.binary, opts.server_core, opts.threads)
    rows = []
    try:
        for workload in workloads:
            samples = {}  # test → ([shardcache rps], [redis rps])
            for _ in range(opts.rounds):
                for index, server in enumerate((shardcache, redis)):
                    for test, rps in run_benchmark(server.port, WORKLOADS[workload],
                                                   opts.client_core).items():
                        samples.setdefault(test, ([], []))[index].append(rps)
            for test, (ours, theirs) in samples.items():
                ratios = [a / b for a, b in zip(ours, theirs)]
                rows.append((workload, test, statistics.median(ours), statistics.median(theirs),
                             statistics.median(ratios), min(ratios), max(ratios)))
    finally:
        shardcache.stop()
        redis.stop()

    command = " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:])
    lines = [
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on {zipf.machine_line()}; "
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
