#!/usr/bin/env bash
# Runs every test suite — Rust (cargo test), Bun, Deno and Node — and ends with one line
# "N passed, N failed" summed over all of them. Exit status is non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
passed=0 failed=0 broken=()

# suites whose files are runtime-neutral run under all three runtimes; the rest only under Bun
# (those start servers and helpers under every runtime themselves); test/client starts its server
# under the runtime that runs it
NEUTRAL=(test/decoder test/sources test/protocol test/core test/recording test/client test/architecture.test.ts)
# hardware files named *.deno.test.ts exercise each runtime's own tty opener, so they run in all three
HARDWARE=$(find test/hardware -name '*.deno.test.ts' 2>/dev/null | sort)
NODE_FILES="$(find "${NEUTRAL[@]}" -name '*.test.ts' 2>/dev/null | sort) $HARDWARE"


run() { # $1 = label, rest = command; output goes to the terminal and to a log
  local label=$1; shift
  echo "=== $label: $*"
  "$@" 2>&1 | tee "$logs/$label.log"
  local status=${PIPESTATUS[0]}
  local p f
  case $label in
    cargo) p=$(grep -Eo '[0-9]+ passed' "$logs/$label.log" | awk '{s+=$1} END {print s+0}')
           f=$(grep -Eo '[0-9]+ failed' "$logs/$label.log" | awk '{s+=$1} END {print s+0}') ;;
    bun)   p=$(grep -Eo '^ *[0-9]+ pass$' "$logs/$label.log" | awk '{s+=$1} END {print s+0}')
           f=$(grep -Eo '^ *[0-9]+ fail$' "$logs/$label.log" | awk '{s+=$1} END {print s+0}') ;;
    deno)  p=$(sed 's/\x1b\[[0-9;]*m//g' "$logs/$label.log" | grep -Eo '\| [0-9]+ passed' | awk '{s+=$2} END {print s+0}')
           f=$(sed 's/\x1b\[[0-9;]*m//g' "$logs/$label.log" | grep -Eo '\| [0-9]+ failed' | awk '{s+=$2} END {print s+0}') ;;
    node)  p=$(grep -Eo '^# pass [0-9]+' "$logs/$label.log" | awk '{s+=$3} END {print s+0}')
           f=$(grep -Eo '^# fail [0-9]+' "$logs/$label.log" | awk '{s+=$3} END {print s+0}') ;;
  esac
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then broken+=("$label exited $status"); failed=$((failed + 1)); fi
  echo "=== $label: $p passed, $f failed"
}

if command -v cargo >/dev/null; then
  run cargo cargo test --quiet --manifest-path decoder-rs/Cargo.toml
else
  broken+=("cargo missing: Rust tests not run"); failed=$((failed + 1))
fi
run bun "$bin/bun" test
# shellcheck disable=SC2086
run deno "$bin/deno" test --allow-read --allow-write --allow-env --allow-net --allow-run --allow-sys $NODE_FILES
# shellcheck disable=SC2086
run node node --import ./test/_support/register-bun-test.mjs --import tsx --test $NODE_FILES

# the names of the failed tests once more, just above the total, so that the last lines of a long
# CI log say what failed (bun: "(fail) …", deno: its FAILURES list "name => file", node: "not ok")
failures() {
  sed 's/\x1b\[[0-9;]*m//g' "$logs/bun.log" 2>/dev/null | grep -E '^\(fail\) ' | sort -u | sed 's/^/bun /'
  sed 's/\x1b\[[0-9;]*m//g' "$logs/deno.log" 2>/dev/null | grep -E ' => \./?test/' | sort -u | sed 's/^/deno (fail) /'
  sed 's/\x1b\[[0-9;]*m//g' "$logs/node.log" 2>/dev/null | grep -E '^ *not ok ' | sed 's/^ *//' | sort -u | sed 's/^/node /'
}
# and what bun printed just before each of its failures (the assertion and its values), kept short
bun_context() {
  sed 's/\x1b\[[0-9;]*m//g' "$logs/bun.log" 2>/dev/null | awk '
    /^\(fail\) / && !seen[$0]++ { print "--- " $0; for (i = n - 12; i < n; i++) if (i >= 0) print "  " buf[i % 12]; n = 0; next }
    { buf[n % 12] = $0; n++ }' | head -n 200
}
if [ "$failed" -gt 0 ]; then
  echo "=== what bun printed before its failures"
  bun_context | cut -c1-300
  echo "=== failed tests"
  failures | cut -c1-300
fi
for b in "${broken[@]}"; do echo "error: $b"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
