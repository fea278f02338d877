"""The performance targets of issue 7, matched against result rows (results.py) by workload and
metric, so that report.py can say next to each row whether it is met.

Most targets bound the ratio shardcache / redis; one bounds shardcache's own number (the
PING stall beside a 32 MiB value). Rows are matched by the names their scripts give them, so
a renamed workload or metric loses its target rather than getting a wrong one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    workload: str  # regular expression, searched in the row's workload
    metric: str    # regular expression, matched against the whole metric
    bound: str     # ">=" or "<="
    value: float
    on: str = "ratio"  # "ratio" (shardcache / redis) or "ours" (shardcache's own number)

    def text(self) -> str:
        what = "ratio" if self.on == "ratio" else "shardcache"
        return f"{what} {self.bound} {self.value:g}"

    def met(self, row: dict) -> bool:
        x = row[self.on]
        return x >= self.value if self.bound == ">=" else x <= self.value


TARGETS = [
    Target(r"^setget-p16 (SET|GET)$", r"rps", ">=", 1.3),
    Target(r"^setget-p1 (SET|GET)$", r"rps", ">=", 1.1),
    Target(r"^setget-p16-threads (SET|GET)$", r"rps", ">=", 1.3),  # threads 2 / threads 1
    # latency.py's rows at a fixed offered rate; connections.py's closed loop has none.
    Target(r"^(?!.*connections)", r"p99 us", "<=", 1.0),
    Target(r"", r"instr/req", "<=", 0.8),
    Target(r"(?i)32 ?MiB", r"GB/s", ">=", 1.5),
    # large_values.py: the PING stream beside a 32 MiB value never waits more than 1 ms.
    Target(r"(?i)32 ?MiB", r"PING max us", "<=", 1000.0, on="ours"),
]


def target_of(row: dict) -> tuple[str, bool | None]:
    """(target text, met) for a row; ("", None) when no target applies."""
    for target in TARGETS:
        if re.search(target.workload, row["workload"]) and re.fullmatch(target.metric,
                                                                         row["metric"]):
            return target.text(), target.met(row)
    return "", None
