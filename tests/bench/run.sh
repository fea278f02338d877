#!/usr/bin/env bash
# `make bench`: every benchmark against redis-server through tests/bench/report.py, which writes
# the report into docs/benchmarks.md and the chart docs/benchmarks-ratios.png. Arguments after
# the binary go to report.py (e.g. --scale 0.1, --only bench,callgrind).
set -euo pipefail
binary=${1:?usage: run.sh path/to/shardcache-server [report.py options]}
shift
here=$(dirname "$0")
exec /usr/bin/python3 "$here/report.py" --binary "$binary" "$@"
