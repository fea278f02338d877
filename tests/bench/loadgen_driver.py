"""What latency.py, large_values.py and connections.py share: running shardcache-loadgen
(tests/bench/loadgen/, built by `make build`) pinned to the client core, the A B A B
alternation of runs between shardcache and redis-server, and the report (results.py rows,
--json, a markdown table on stdout).

Pure standard library.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys

import results
import zipf

DEFAULT_LOADGEN = os.path.join(zipf.REPO_ROOT, "build", "release", "tests", "bench", "loadgen",
                               "shardcache-loadgen")


def parser(doc: str, scale_help: str) -> argparse.ArgumentParser:
    """The options every loadgen benchmark takes."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--binary", default=zipf.DEFAULT_BINARY, help="the shardcache-server to test")
    p.add_argument("--loadgen", default=DEFAULT_LOADGEN)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=1, help="shardcache threads")
    p.add_argument("--server-core", default="0")
    p.add_argument("--client-core", default="1")
    p.add_argument("--scale", type=float, default=1.0, help=scale_help)
    p.add_argument("--json", help="write the rows in the shared format (results.py) here")
    return p


def raise_open_file_limit():
    """Soft RLIMIT_NOFILE up to the hard limit, inherited by the servers started after it
    (redis-server lowers maxclients to what its limit allows)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_servers(opts, extra=()) -> tuple[zipf.Server, zipf.Server]:
    """shardcache and redis-server, both pinned to --server-core, with the same `extra`."""
    if not os.access(opts.loadgen, os.X_OK):
        sys.exit(f"{opts.loadgen} not found: `make build` builds it")
    shardcache = zipf.start_shardcache(opts.binary, threads=opts.threads, cpu=opts.server_core,
                                       extra=extra)
    try:
        redis = zipf.start_redis(cpu=opts.server_core, extra=extra)
    except BaseException:
        shardcache.stop()
        raise
    return shardcache, redis


def run(opts, mode: str, port: int, args: list, timeout: float) -> dict:
    """One loadgen run on --client-core; its JSON object. A failed run (an error reply
    included) raises with the loadgen's message."""
    argv = (["taskset", "-c", opts.client_core, opts.loadgen, mode, "--port", str(port)] +
            [str(a) for a in args])
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} exited {proc.returncode}: "
                           f"{proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)


def alternate(servers, rounds: int, measure, label: str) -> list[list[dict]]:
    """measure(server) for each server in turn, A B A B ..., `rounds` times. Returns the
    outputs per server: [[round 1, round 2, ...] of servers[0], [...] of servers[1]]."""
    samples = [[] for _ in servers]
    for round_number in range(1, rounds + 1):
        for index, server in enumerate(servers):
            out = measure(server)
            samples[index].append(out)
            print(f"{label} round {round_number} {server.name}: {json.dumps(out)}",
                  file=sys.stderr, flush=True)
    return samples


def rows(workload: str, samples: list[list[dict]], metrics) -> list[dict]:
    """One results row per (metric name, function of a loadgen output, higher_is_better)."""
    ours, theirs = samples
    return [results.paired_row(workload, metric, [value(o) for o in ours],
                               [value(o) for o in theirs], higher_is_better)
            for metric, value, higher_is_better in metrics]


def report(opts, section: str, start_line: str, notes: list[str], table_rows: list[dict]):
    command = results.command_line()
    if opts.json:
        results.write_json(opts.json, section, command, table_rows)
    zipf.write_report([f"{section}, {opts.rounds} rounds. {start_line}.", f"Command: `{command}`"]
                      + notes + [""] + results.markdown_table(table_rows), None)
