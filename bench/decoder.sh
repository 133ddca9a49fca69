#!/usr/bin/env bash
# Decoder benchmark (issue #2): runs bench/decoder-bench.ts in RUNS separate processes under each of
# Bun, Deno and Node, then prints medians, WASM/TS ratios and the targets (bench/decoder-report.ts).
# Usage: bash bench/decoder.sh [RUNS]   (default 5; RUNTIMES="bun node" to limit the runtimes)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bin=node_modules/.bin
results=$(mktemp)
trap 'rm -f "$results"' EXIT

for rt in ${RUNTIMES:-bun deno node}; do
  for ((i = 1; i <= runs; i++)); do
    echo "decoder bench: $rt process $i/$runs" >&2
    case $rt in
      bun) "$bin/bun" bench/decoder-bench.ts ;;
      deno) "$bin/deno" run -A bench/decoder-bench.ts ;;
      node) node --import tsx bench/decoder-bench.ts ;;
      *) echo "unknown runtime $rt" >&2; exit 2 ;;
    esac >>"$results"
  done
done
echo >&2
"$bin/bun" bench/decoder-report.ts "$results"
