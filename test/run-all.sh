#!/usr/bin/env bash
# `npm test`: sets the machine up (test/setup.sh), runs the formatter, linter, wasm, dashboard and
# type checks, then every suite — Rust, Bun, Deno and Node, the last three at once — and ends with
# one line "N passed, N failed" (each check counts as one test). Exit status is non-zero if anything
# failed. Which file runs where: a file named *.io.test.ts touches runtime I/O (sockets, files, ttys,
# wasm loading) and runs under Bun, Deno and Node; every other file runs once, under Bun (the server
# suites start their servers under all three runtimes themselves).
# The Bun, Deno and Node suites run in ONE network namespace holding only loopback (test/netns.sh,
# needs root): the LSL tests send multicast and broadcast discovery datagrams, which must never leave
# the machine, and files running at once must find each other's outlets. The script runs itself
# there as `run-all.sh --suites LOGDIR`; set-up, checks, cargo and the counting stay outside.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin

# Bun runs its files in worker processes, slowest first by test/timings.json. Most files wait on
# live servers, so the two cores carry more workers than two (bench: `MW75_TEST_WORKERS=N npm test`)
workers=${MW75_TEST_WORKERS:-4}
IO_FILES=$(find test -name '*.io.test.ts' -not -path '*/_support/*' | sort)
# --allow-ffi: the runtime adapter reads CLOCK_MONOTONIC through libc (src/adapters/runtime/deno.ts)
DENO_FLAGS=(--allow-read --allow-write --allow-env --allow-net --allow-run --allow-sys --allow-ffi)

check() { # $1 = label, rest = command: one test that passes when the command exits 0
  local label=$1; shift
  if "$@" >"$logs/check-$label.log" 2>&1; then
    passed=$((passed + 1)); echo "=== check $label: ok"
  else
    failed=$((failed + 1)); broken+=("check $label failed: $*"); echo "=== check $label: FAILED"
    tail -n 40 "$logs/check-$label.log"
  fi
}

wasm_check() { # the committed module is the build of decoder-rs, valid to a tool other than the engines, and under 12 KB
  bash wasm/build.sh --check && wasm-validate wasm/decoder.wasm || return 1
  local bytes budget=$((12 * 1024))
  bytes=$(wc -c <wasm/decoder.wasm)
  echo "wasm/decoder.wasm is $bytes bytes (budget $budget)"
  [ "$bytes" -le "$budget" ]
}

stamp() { # prefixes each line with the wall time in seconds (per-file durations of the Deno suite)
  while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done
}

run_deno() { # one process for every I/O file (one type check); per-file seconds from the timestamps
  # shellcheck disable=SC2086
  "$bin/deno" test "${DENO_FLAGS[@]}" $IO_FILES 2>&1 | stamp >"$logs/deno.stamped"
  local status=${PIPESTATUS[0]}
  cut -d' ' -f2- "$logs/deno.stamped" >"$logs/deno.log"
  sed 's/\x1b\[[0-9;]*m//g' "$logs/deno.stamped" | awk '
    / running [0-9]+ tests? from / { if (file != "") printf "%.1f\tdeno\t%s\n", $1 - t0, file; t0 = $1; file = $NF; sub(/^\.\//, "", file) }
    / (ok|FAILED) \| [0-9]+ passed/ { if (file != "") printf "%.1f\tdeno\t%s\n", $1 - t0, file; file = "" }' >"$logs/times-deno.tsv"
  return "$status"
}

run_node() { # one file at a time, as `node --test` does on two cores, timing each
  local status=0 f t0
  for f in $IO_FILES; do
    t0=$EPOCHREALTIME
    node --import ./test/_support/register-bun-test.mjs --import tsx --test "$f" >>"$logs/node.log" 2>&1 || status=1
    awk -v a="$t0" -v b="$EPOCHREALTIME" -v f="$f" 'BEGIN { printf "%.1f\tnode\t%s\n", b - a, f }' >>"$logs/times-node.tsv"
  done
  return "$status"
}

run_bun() {
  cp test/timings.json "$logs/bun-timings.json"
  # a test's default timeout is a hang guard, not a speed check (speed lives in bench/): 30 s instead
  # of 5 s lets a CPU-bound test (e.g. the FIR stop-band sweep, 1 s idle) finish on a loaded machine
  "$bin/bun" test --parallel="$workers" --timeout=30000 --timings="$logs/bun-timings.json" --update-timings >"$logs/bun.log" 2>&1
  local status=$?
  # shellcheck disable=SC2016
  "$bin/bun" -e 'const t = JSON.parse(await Bun.file(process.argv[1]).text()).files;
    for (const [f, ms] of Object.entries(t)) console.log(`${(ms / 1000).toFixed(1)}\tbun\t${f}`)' \
    "$logs/bun-timings.json" >"$logs/times-bun.tsv" 2>/dev/null
  return "$status"
}

count() { # $1 = suite, $2 = its exit status: adds its pass/fail counts to the totals
  local label=$1 status=$2 p f log="$logs/$1.log"
  case $label in
    cargo) p=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
           f=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}') ;;
    bun)   p=$(grep -Eo '^ *[0-9]+ pass$' "$log" | awk '{s+=$1} END {print s+0}')
           f=$(grep -Eo '^ *[0-9]+ fail$' "$log" | awk '{s+=$1} END {print s+0}') ;;
    deno)  p=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -Eo '\| [0-9]+ passed' | awk '{s+=$2} END {print s+0}')
           f=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -Eo '\| [0-9]+ failed' | awk '{s+=$2} END {print s+0}') ;;
    node)  p=$(grep -Eo '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
           f=$(grep -Eo '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ;;
  esac
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then broken+=("$label exited $status"); failed=$((failed + 1)); fi
  echo "=== $label: $p passed, $f failed"
}

suites() { # inside the namespace: the three suites at once, each exit status to LOGDIR/status-NAME
  run_bun & bun_pid=$!
  run_deno & deno_pid=$!
  run_node & node_pid=$!
  wait "$bun_pid"; echo $? >"$logs/status-bun"
  wait "$deno_pid"; echo $? >"$logs/status-deno"
  wait "$node_pid"; echo $? >"$logs/status-node"
}
if [ "${1:-}" = --suites ]; then logs=$2; suites; exit 0; fi

bash test/setup.sh || exit 1
if [ "$(id -u)" -ne 0 ] && [ "${MW75_NETNS:-}" != 1 ]; then
  echo "npm test runs the suites in a loopback-only network namespace (test/netns.sh), which needs root: run it as root, or sudo npm test" >&2
  exit 1
fi
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
started=$(date +%s)
passed=0 failed=0 broken=()

echo "=== checks: deno fmt --check, deno lint, wasm, dashboard, types"
check fmt "$bin/deno" fmt --check
check lint "$bin/deno" lint
check wasm wasm_check
check dashboard "$bin/bun" web/build.ts --check
check types npm run --silent check

echo "=== cargo test"
cargo test --quiet --manifest-path decoder-rs/Cargo.toml >"$logs/cargo.log" 2>&1
cargo_status=$?

echo "=== bun (all files, $workers workers), deno and node (the *.io.test.ts files), at once, in a loopback-only namespace"
# the log dir is a path in the same file system (a network namespace shares it)
bash test/netns.sh bash test/run-all.sh --suites "$logs" >"$logs/netns.log" 2>&1
if [ ! -s "$logs/status-node" ]; then # the namespace could not be made (no CAP_SYS_ADMIN, no ip): say why
  cat "$logs/netns.log"
  broken+=("the suites did not run: bash test/netns.sh failed (above)")
fi
bun_status=$(cat "$logs/status-bun" 2>/dev/null || echo 1)
deno_status=$(cat "$logs/status-deno" 2>/dev/null || echo 1)
node_status=$(cat "$logs/status-node" 2>/dev/null || echo 1)

for suite in cargo bun deno node; do
  echo "=== $suite output"
  cat "$logs/$suite.log"
done
count cargo "$cargo_status"
count bun "$bun_status"
count deno "$deno_status"
count node "$node_status"

echo "=== the 10 slowest test files (seconds, runtime that ran them)"
cat "$logs"/times-*.tsv 2>/dev/null | sort -t$'\t' -k1,1 -rn | head -n 10 | awk -F'\t' '{ printf "%7.1f  %-4s  %s\n", $1, $2, $3 }'

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
echo "=== tests took $(($(date +%s) - started)) s (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
