"""The ratio chart of docs/benchmarks.md: one horizontal bar per result row, drawn by gnuplot
(Debian's gnuplot-nox, pngcairo terminal).

Every bar shows shardcache's advantage, so that right of the 1.0 line always means shardcache
did better: ours / redis for higher-is-better metrics (throughput), redis / ours for
lower-is-better ones (latency, instructions, bytes), whose labels end in "[inverted]". The axis
is logarithmic so that 2x better and 2x worse are the same length. Whiskers: min and max over
rounds (inverted likewise).
"""
from __future__ import annotations

import math
import os
import subprocess
import tempfile

import results


def advantage(row: dict) -> tuple[float, float, float]:
    """(median, low, high) of shardcache's advantage over the baseline."""
    if row["higher_is_better"]:
        return row["ratio"], row["min"], row["max"]
    return 1 / row["ratio"], 1 / row["max"], 1 / row["min"]


def label(row: dict) -> str:
    text = f"{results.workload_label(row)}: {row['metric']}"
    if not row["higher_is_better"]:
        text += " [inverted]"
    return text.replace('"', "'")


def draw(rows: list[dict], png: str):
    """Writes the chart of `rows` to `png`; raises CalledProcessError if gnuplot fails."""
    if not rows:
        raise ValueError("no rows to chart")
    values = [advantage(row) for row in rows]
    low = min(min(v[1] for v in values), 1.0)
    high = max(max(v[2] for v in values), 1.0)
    # Room either side of the extreme whiskers, and for the value printed past each bar.
    xmin = 2 ** (math.floor(math.log2(low) * 4) / 4 - 0.5)
    xmax = 2 ** (math.ceil(math.log2(high) * 4) / 4 + 0.5)
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as data:
        for i, (row, (mid, lo, hi)) in enumerate(zip(rows, values)):
            color = 0x2E8B57 if mid >= 1 else 0xCD5C5C
            data.write(f'{i} "{label(row)}" {mid} {lo} {hi} {color}\n')
    script = f"""
set terminal pngcairo size 1300,{140 + 22 * len(rows)} font "sans,9" noenhanced
set output "{png}"
# A label centred on the canvas, not a title centred on the plot: the long row labels push
# the plot right and would cut a title off.
set tmargin 5
set label 1 "shardcache's advantage over redis-server (or over --threads 1 where labelled)\\n\\
bars: ours / redis, median of rounds; whiskers: min-max; log scale; right of 1.0 = \\
shardcache better\\n[inverted]: a lower-is-better metric (latency, instructions, bytes), \\
drawn as redis / ours" at screen 0.5, screen 1 offset 0, -1 center
set logscale x 2
set xrange [{xmin}:{xmax}]
set yrange [{len(rows) - 0.5}:-0.5]
set grid xtics
set key off
set style fill solid 0.7 noborder
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "black" front
plot "{data.name}" using (1):1:($3 < 1 ? $3 : 1):($3 < 1 ? 1 : $3):($1 - 0.35):($1 + 0.35):\\
         6:ytic(2) with boxxyerror lc rgb variable, \\
     "" using 3:1:4:5 with xerrorbars lc rgb "black" pt 7 ps 0.4, \\
     "" using ($3 >= 1 ? $5 * 1.03 : 1/0):1:(sprintf("%.2f", $3)) with labels left \\
         font "sans,8", \\
     "" using ($3 < 1 ? $4 / 1.03 : 1/0):1:(sprintf("%.2f", $3)) with labels right \\
         font "sans,8"
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True, timeout=60,
                       capture_output=True)
    finally:
        os.unlink(data.name)
