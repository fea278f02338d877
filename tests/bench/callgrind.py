#!/usr/bin/python3
"""Instructions per request under callgrind: shardcache (Release build, --threads 1) against
redis-server, the same fixed request stream sent to each.

Every measurement is a fresh server run under `valgrind --tool=callgrind`, ended by SHUTDOWN
NOSAVE (callgrind writes its totals as the process exits):

  idle    start, the readiness PING, SHUTDOWN: start-up and shutdown alone
  idle-5s the same with 5 s between PING and SHUTDOWN: the periodic timers' cost per second
  p16     redis-benchmark -t set,get -n 200000 -r 100000 -d 64 -c 50 -P 16  (400,000 requests)
  p1      redis-benchmark -t set,get -n 20000 -r 100000 -d 64 -c 50 -P 1    (40,000 requests)

instructions per request = (Ir of the run - Ir of the idle run - timer Ir per second x the
run's extra seconds) / requests, with Ir the `totals:` line of callgrind's output file (all
threads of the process) and seconds counted from the first PONG to SHUTDOWN. Subtracting the
idle run removes start-up and shutdown. The timers are subtracted too because under valgrind a
run lasts tens of seconds, and redis-server's serverCron (hz 10) costs about a million
instructions per second there, a quarter of the P1 count if left in. What remains is the
requests and redis-benchmark's connection set-up (50 connections per test, the same for both
servers). Instruction counts do not depend on the machine's load, so one run per server
suffices and the ratio shardcache / redis has min = max = ratio (lower is better).

    tests/bench/callgrind.py [--binary build/release/server/shardcache-server] [--scale 1.0]
        [--out-dir build/bench-results/callgrind] [--json out.json] [--markdown out.md]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402
import zipf  # noqa: E402

# name → (redis-benchmark -n, pipeline depth); -t set,get sends 2 x n requests.
STREAMS = {"p16": (200_000, 16), "p1": (20_000, 1)}
SERVER_CORE, CLIENT_CORE = "0", "1"
IDLE_SECONDS = 5


def total_ir(path: str) -> int:
    """The `totals:` line of a callgrind output file (first event: Ir)."""
    with open(path) as f:
        for line in f:
            if line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError(f"{path}: no totals line")


def callgrind_run(server_name: str, binary: str, out_file: str, requests: int | None = None,
                  pipeline: int = 1, idle_seconds: float = 0) -> tuple[int, float]:
    """Starts the server under callgrind, sends `requests` SET/GET pairs (none: waits
    idle_seconds), shuts it down and returns (total Ir, seconds from first PONG to SHUTDOWN)."""
    wrapper = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}"]
    log = out_file + ".log"
    server = (zipf.start_shardcache(binary, threads=1, cpu=SERVER_CORE, wrapper=wrapper,
                                    log_path=log, start_timeout=120)
              if server_name == "shardcache" else
              zipf.start_redis(cpu=SERVER_CORE, wrapper=wrapper, log_path=log, start_timeout=120))
    start = time.monotonic()
    try:
        time.sleep(idle_seconds)
        if requests:
            subprocess.run(["taskset", "-c", CLIENT_CORE, "redis-benchmark", "-p",
                            str(server.port), "-q", "-t", "set,get", "-n", str(requests),
                            "-r", "100000", "-d", "64", "-c", "50", "-P", str(pipeline)],
                           check=True, timeout=1200, stdout=subprocess.DEVNULL)
        with zipf.Client(server.port) as c:
            c.sock.sendall(zipf.encode("SHUTDOWN", "NOSAVE"))  # no reply: the server exits
        seconds = time.monotonic() - start
        if server.proc.wait(timeout=300) != 0:
            raise RuntimeError(f"{server_name} under callgrind exited with "
                               f"{server.proc.returncode}; see {log}")
    finally:
        server.stop()
    return total_ir(out_file), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=zipf.DEFAULT_BINARY)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies each stream's -n (at least 1000)")
    parser.add_argument("--out-dir", default=os.path.join(zipf.REPO_ROOT, "build",
                                                          "bench-results", "callgrind"))
    parser.add_argument("--json")
    parser.add_argument("--markdown")
    opts = parser.parse_args()
    os.makedirs(opts.out_dir, exist_ok=True)
    start_line = zipf.machine_line()

    runs = {}  # (server, run) → (total Ir, seconds)
    for name in ("shardcache", "redis"):
        def path(run):
            return os.path.join(opts.out_dir, f"{name}-{run}.out")
        runs[name, "idle"] = callgrind_run(name, opts.binary, path("idle"))
        runs[name, "idle-5s"] = callgrind_run(name, opts.binary, path("idle-5s"),
                                              idle_seconds=IDLE_SECONDS)
        for stream, (n, pipeline) in STREAMS.items():
            runs[name, stream] = callgrind_run(name, opts.binary, path(stream),
                                               max(1000, int(n * opts.scale)), pipeline)
        for run in ("idle", "idle-5s") + tuple(STREAMS):
            print(f"{name} {run}: {runs[name, run][0]:,} Ir in {runs[name, run][1]:.1f} s",
                  file=sys.stderr, flush=True)

    def timer_rate(name):  # Ir per second of an idle server
        (ir0, s0), (ir1, s1) = runs[name, "idle"], runs[name, "idle-5s"]
        return (ir1 - ir0) / (s1 - s0)

    rows, lines = [], []
    for stream, (n, pipeline) in STREAMS.items():
        requests = 2 * max(1000, int(n * opts.scale))
        per, cells = {}, []
        for name in ("shardcache", "redis"):
            (ir, seconds), (idle_ir, idle_seconds) = runs[name, stream], runs[name, "idle"]
            timers = timer_rate(name) * (seconds - idle_seconds)
            per[name] = (ir - idle_ir - timers) / requests
            cells.append(f"{ir:,} | {idle_ir:,} | {timers:,.0f} | {per[name]:,.0f}")
        rows.append(results.single_row(f"SET+GET P{pipeline} ({requests:,} requests)",
                                       "instr/req", per["shardcache"], per["redis"]))
        lines.append(f"| P{pipeline} | {requests:,} | " + " | ".join(cells) +
                     f" | {per['shardcache'] / per['redis']:.2f} |")

    section = "Instructions per request (callgrind), shardcache --threads 1 vs redis-server"
    command = results.command_line()
    if opts.json:
        results.write_json(opts.json, section, command, rows)
    zipf.write_report([
        f"{section}. {start_line}.", f"Command: `{command}`", "",
        "| stream | requests | shardcache Ir | idle Ir | timers Ir | per request | redis Ir | "
        "idle Ir | timers Ir | per request | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"] + lines, opts.markdown)


if __name__ == "__main__":
    main()
