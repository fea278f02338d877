"""The result format shared by every benchmark script in tests/bench/ (`--json PATH`), read by
report.py to build docs/benchmarks.md and the ratio chart:

    {"section": "<short title>", "command": "<exact command line>",
     "rows": [{"workload": str, "metric": "rps" | "GB/s" | "p99 us" | "instr/req" | "B/key" ...,
               "ours": float, "redis": float,
               "ratio": float, "min": float, "max": float, "higher_is_better": bool,
               "baseline": str (optional)}]}

`ours` and `redis` are medians over rounds; `ratio` is the median of the per-round ratios
ours / redis (not the ratio of the medians: rounds are paired, A then B, so each round's ratio
cancels the machine's drift during that round), `min` and `max` their extremes. A single
measurement (callgrind, memory) has min = max = ratio. `baseline` names what `redis` holds when
it is not redis-server (the threads comparison: shardcache --threads 1).

Pure standard library.
"""
from __future__ import annotations

import json
import os
import shlex
import statistics
import sys


def command_line() -> str:
    """This process's command line as one could type it again from the repository root."""
    return shlex.join([os.path.relpath(sys.argv[0])] + sys.argv[1:])


def paired_row(workload: str, metric: str, ours: list[float], redis: list[float],
               higher_is_better: bool = True, baseline: str | None = None) -> dict:
    """A row from per-round samples; ours[i] and redis[i] were measured in the same round."""
    if not ours or len(ours) != len(redis):
        raise ValueError(f"{workload} {metric}: {len(ours)} vs {len(redis)} samples")
    if 0 in redis:
        raise ValueError(f"{workload} {metric}: the baseline measured 0 in a round ({redis}), "
                         f"no ratio (a run too short to count anything?)")
    ratios = [a / b for a, b in zip(ours, redis)]
    row = {"workload": workload, "metric": metric, "ours": statistics.median(ours),
           "redis": statistics.median(redis), "ratio": statistics.median(ratios),
           "min": min(ratios), "max": max(ratios), "higher_is_better": higher_is_better}
    if baseline:
        row["baseline"] = baseline
    return row


def single_row(workload: str, metric: str, ours: float, redis: float,
               higher_is_better: bool = False) -> dict:
    """A row from one measurement of each server (min = max = ratio)."""
    return paired_row(workload, metric, [ours], [redis], higher_is_better)


def write_json(path: str, section: str, command: str, rows: list[dict]):
    with open(path, "w") as f:
        json.dump({"section": section, "command": command, "rows": rows}, f, indent=1)
        f.write("\n")


def read_json(path: str) -> dict:
    """Reads and checks one results file; raises ValueError naming what is missing."""
    with open(path) as f:
        data = json.load(f)
    for key in ("section", "command", "rows"):
        if key not in data:
            raise ValueError(f"{path}: no {key!r}")
    for row in data["rows"]:
        missing = [k for k in ("workload", "metric", "ours", "redis", "ratio", "min", "max",
                               "higher_is_better") if k not in row]
        if missing:
            raise ValueError(f"{path}: row {row.get('workload')!r} lacks {missing}")
    return data


def number(x: float) -> str:
    """Thousands separators for large numbers, three significant digits for small ones."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def workload_label(row: dict) -> str:
    label = row["workload"]
    if row.get("baseline"):
        label += f" (vs {row['baseline']})"
    return label


def markdown_table(rows: list[dict], targets=None) -> list[str]:
    """The rows as a markdown table. `targets(row)` → (text, met) adds target columns."""
    head = "| workload | metric | shardcache | redis | ratio median | min | max |"
    rule = "|---|---|---:|---:|---:|---:|---:|"
    if targets:
        head += " target | met |"
        rule += "---|---|"
    lines = [head, rule]
    for row in rows:
        better = "higher" if row["higher_is_better"] else "lower"
        line = (f"| {workload_label(row)} | {row['metric']} ({better} is better) | "
                f"{number(row['ours'])} | {number(row['redis'])} | {row['ratio']:.2f} | "
                f"{row['min']:.2f} | {row['max']:.2f} |")
        if targets:
            text, met = targets(row)
            line += f" {text} | {'' if met is None else ('yes' if met else '**no**')} |"
        lines.append(line)
    return lines
