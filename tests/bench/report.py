#!/usr/bin/python3
"""`make bench`: runs every benchmark script against shardcache and redis-server, then writes
the report into docs/benchmarks.md (between `<!-- bench-report:begin -->` and
`<!-- bench-report:end -->`, inserted before the first `## ` heading if absent; the rest of
the file, history and analysis, is kept) and the ratio chart docs/benchmarks-ratios.png.

Each script runs in turn with `--json <results-dir>/<name>.json` (format: results.py), its
output in <results-dir>/<name>.log. A script that is not there, fails or runs past --timeout
is reported as such and the others still run; the exit status is then 1. --rounds and --scale
are passed to the scripts whose --help offers them. <results-dir>/run.json records, per
script, its command, status, duration, date and commit; --only updates the listed scripts'
entries and keeps the others', so the report can mix runs (each section says when it ran).

    tests/bench/report.py [--binary build/release/server/shardcache-server] [--rounds 3]
        [--scale 1.0] [--only bench,callgrind] [--results-dir build/bench-results]
        [--doc docs/benchmarks.md] [--chart docs/benchmarks-ratios.png] [--timeout 3600]
    tests/bench/report.py --from-results build/bench-results   # only render again
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chart  # noqa: E402
import results  # noqa: E402
import targets  # noqa: E402
import zipf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BEGIN, END = "<!-- bench-report:begin -->", "<!-- bench-report:end -->"

# name → (script in tests/bench/, its own arguments), in the order they run.
SCRIPTS = {
    "bench": ("bench.py", []),
    "bench-threads": ("bench.py", ["--compare-threads", "2"]),
    "latency": ("latency.py", []),
    "large_values": ("large_values.py", []),
    "connections": ("connections.py", []),
    "callgrind": ("callgrind.py", []),
    "memory_per_key": ("memory_per_key.py", []),
    "memory_types": ("memory_types.py", []),
}


def git(*args) -> str:
    out = subprocess.run(["git", "-C", zipf.REPO_ROOT] + list(args), capture_output=True,
                         text=True)
    return out.stdout.strip() or "?"


def first_line(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def machine() -> str:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_gib = int(f.readline().split()[1]) / 2**20
    return f"{zipf.machine_line()}; {model}, {mem_gib:.0f} GiB, Linux {os.uname().release}"


def script_options(path: str) -> str:
    """The script's --help text, to see which of --rounds/--scale/--binary it takes."""
    out = subprocess.run([sys.executable, path, "--help"], capture_output=True, text=True,
                         timeout=60)
    return out.stdout


def run_script(name: str, opts) -> dict:
    """Runs one script; returns its run.json entry."""
    script, own = SCRIPTS[name]
    path = os.path.join(HERE, script)
    json_path = os.path.join(opts.results_dir, f"{name}.json")
    entry = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
             "commit": git("describe", "--always", "--dirty"), "json": f"{name}.json"}
    if os.path.exists(json_path):
        os.unlink(json_path)  # a failed run must not leave the previous run's numbers
    if not os.path.exists(path):
        return entry | {"status": "not present", "command": f"tests/bench/{script}"}
    offered = script_options(path)
    argv = [sys.executable, path] + own + ["--json", json_path]
    binary = os.path.relpath(opts.binary, zipf.REPO_ROOT)  # the scripts run from the root
    for flag, value in (("--binary", binary), ("--rounds", opts.rounds),
                        ("--scale", opts.scale)):
        if flag in offered and not (flag == "--scale" and opts.scale == 1.0):
            argv += [flag, str(value)]
    entry["command"] = " ".join([os.path.relpath(argv[1], zipf.REPO_ROOT)] + argv[2:])
    print(f"== {name}: {entry['command']}", flush=True)
    start = time.monotonic()
    with open(os.path.join(opts.results_dir, f"{name}.log"), "w") as log:
        # Its own process group, so that a timeout reaches its redis-benchmark children too.
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=zipf.REPO_ROOT,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=opts.timeout)
            status = "ok" if rc == 0 else f"failed (exit {rc})"
        except subprocess.TimeoutExpired:
            # SIGINT first: the scripts' `finally` blocks stop the servers they started (those
            # run in sessions of their own, out of reach of the group signal).
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            status = f"timed out after {opts.timeout} s"
    if status == "ok" and not os.path.exists(json_path):
        status = "failed (wrote no JSON)"
    entry |= {"status": status, "seconds": round(time.monotonic() - start)}
    print(f"   {status}, {entry['seconds']} s, log {log.name}", flush=True)
    return entry


def load_sections(results_dir: str, scripts: dict) -> list[tuple[str, dict, dict]]:
    """(name, run.json entry, results) for every script that produced readable results."""
    sections = []
    for name, entry in scripts.items():
        if entry["status"] != "ok":
            continue
        try:
            sections.append((name, entry, results.read_json(
                os.path.join(results_dir, entry["json"]))))
        except (OSError, ValueError) as e:
            entry["status"] = f"unreadable results ({e})"
    return sections


def summary_rows(sections) -> list[dict]:
    """Every row, its workload prefixed with its script's name (latency.py's `get` is not
    bench.py's)."""
    return [dict(row, workload=f"{name}: {row['workload']}") for name, _, data in sections
            for row in data["rows"]]


def render(run: dict, sections, doc: str, png: str) -> list[str]:
    rows = summary_rows(sections)
    failed = [f"`{name}` ({entry['status']})" for name, entry in run["scripts"].items()
              if entry["status"] != "ok"]
    lines = [BEGIN, "## Latest report (`make bench`)", "",
             "Written by `tests/bench/report.py`; every row is shardcache / redis-server from "
             "the same run (median of the per-round ratios, with min and max) unless its "
             "workload names another baseline. Do not edit by hand: `make bench` or "
             "`tests/bench/report.py --from-results build/bench-results` rewrites it.", "",
             f"- Date: {run['date']}",
             f"- Machine: {run['machine']}",
             f"- redis-server: `{run['redis']}`",
             f"- shardcache: `{run['shardcache']}`, commit `{run['commit']}`",
             f"- Command: `{run['command']}`"]
    if failed:
        lines.append(f"- Failed or missing: {', '.join(failed)}")
    if rows:
        lines += ["", f"![ratios]({os.path.relpath(png, os.path.dirname(doc))})", "",
                  "### Summary", ""] + results.markdown_table(rows, targets.target_of)
    for name, entry, data in sections:
        lines += ["", f"### {data['section']}", "",
                  f"`{name}`, run {entry['date']} (commit `{entry['commit']}`, "
                  f"{entry['seconds']} s). Command: `{data['command']}`", ""]
        lines += results.markdown_table(data["rows"])
    return lines + [END]


def write_doc(doc: str, block: list[str]):
    """Replaces the marked block of `doc`, or inserts it before the first `## ` heading."""
    with open(doc) as f:
        text = f.read()
    block_text = "\n".join(block) + "\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + block_text + "\n" + tail
    else:
        at = text.find("\n## ")
        at = len(text) if at < 0 else at + 1
        text = text[:at] + block_text + "\n" + text[at:]
    with open(doc, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=zipf.DEFAULT_BINARY)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", help="comma-separated: " + ",".join(SCRIPTS))
    parser.add_argument("--results-dir", default=os.path.join(zipf.REPO_ROOT, "build",
                                                              "bench-results"))
    parser.add_argument("--from-results", metavar="DIR",
                        help="run nothing: render DIR/run.json and its results again")
    parser.add_argument("--doc", default=os.path.join(zipf.REPO_ROOT, "docs", "benchmarks.md"))
    parser.add_argument("--chart", default=os.path.join(zipf.REPO_ROOT, "docs",
                                                        "benchmarks-ratios.png"))
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per script")
    opts = parser.parse_args()
    only = opts.only.split(",") if opts.only else list(SCRIPTS)
    unknown = [name for name in only if name not in SCRIPTS]
    if unknown:
        parser.error(f"unknown scripts {unknown}; known: {', '.join(SCRIPTS)}")

    if opts.from_results:
        opts.results_dir = opts.from_results
    run_path = os.path.join(opts.results_dir, "run.json")
    if opts.from_results:
        with open(run_path) as f:
            run = json.load(f)
    else:
        os.makedirs(opts.results_dir, exist_ok=True)
        previous = {}
        if opts.only and os.path.exists(run_path):
            with open(run_path) as f:
                previous = json.load(f)["scripts"]
        run = {"date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
               "machine": machine(), "redis": first_line([zipf.REDIS_SERVER, "--version"]),
               "shardcache": first_line([opts.binary, "--version"]),
               "commit": git("describe", "--always", "--dirty"),
               "command": results.command_line(), "scripts": previous}
        for name in only:
            run["scripts"][name] = run_script(name, opts)
        # Scripts in SCRIPTS order, whatever order the runs came in.
        run["scripts"] = {n: run["scripts"][n] for n in SCRIPTS if n in run["scripts"]}
        with open(run_path, "w") as f:
            json.dump(run, f, indent=1)

    sections = load_sections(opts.results_dir, run["scripts"])
    rows = summary_rows(sections)
    chart_failed = False
    if rows:
        try:
            chart.draw(rows, opts.chart)
        except (OSError, subprocess.SubprocessError) as e:
            # The tables are the result; a missing gnuplot must not lose an hour of runs.
            print(f"report.py: no chart ({e}); gnuplot-nox is in scripts/install-deps",
                  file=sys.stderr)
            chart_failed = True
    block = render(run, sections, opts.doc, opts.chart)
    write_doc(opts.doc, block)
    print("\n".join(block))
    bad = [name for name, entry in run["scripts"].items() if entry["status"] != "ok"]
    if chart_failed:
        bad.append("chart")
    if bad:
        print(f"report.py: not ok: {', '.join(bad)}", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
