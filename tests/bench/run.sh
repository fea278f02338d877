#!/usr/bin/env bash
# `make bench`: every benchmark, results printed as markdown (copy into docs/benchmarks.md).
set -euo pipefail
binary=${1:?usage: run.sh path/to/shardcache-server}
here=$(dirname "$0")
/usr/bin/python3 "$here/bench.py" --binary "$binary" --rounds 3
