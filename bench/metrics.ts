/** @module Metrics benchmark (issue 22), `npm run bench:metrics`: the server CPU of the `metrics` stream per device at 10 Hz and 30 Hz, and for 50 devices at 10 Hz, per runtime. */
// bun bench/metrics.ts [--runtimes bun,deno,node] [--devices 50] [--window-s 15] [--sub-windows 5]
//   [--warmup-s 3] [--stream metrics|diagnostics]
// --stream diagnostics tries the harness on a bridge without the metrics stream (its interval starts at 100 ms).
import { execFileSync } from "node:child_process";
import type { BenchStream, Subscription } from "./metrics-clients.ts";
import { printTable, printTargets, rows } from "./metrics-report.ts";
import { type BridgeSpec, measureSet, type SetResult } from "./metrics-run.ts";
import type { Runtime } from "./server-harness.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const RUNTIMES = flag("--runtimes", "bun,deno,node").split(",") as Runtime[];
const MANY = Number(flag("--devices", "50"));
const WINDOW_S = Number(flag("--window-s", "15"));
const SUB_WINDOWS = Number(flag("--sub-windows", "5"));
const WARMUP_S = Number(flag("--warmup-s", "3"));
const STREAM = flag("--stream", "metrics") as BenchStream;
/** The stream's window (window_s), the default of §2.6. */
const METRICS_WINDOW_S = 2;

function uptime(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8", timeout: 5_000 }).trim();
  } catch {
    return "(uptime not available)";
  }
}

const sub = (intervalMs: number): Subscription => ({
  stream: STREAM,
  intervalMs,
  windowS: METRICS_WINDOW_S,
});
const baselines = (devices: number): BridgeSpec[] =>
  ["A", "B"].map((k) => ({ label: `baseline ${k}`, devices, sub: null }));

/** Per runtime: one device at 10 and 30 Hz side by side, then MANY devices at 10 Hz; each with two baselines. */
const SETS: BridgeSpec[][] = [
  [
    ...baselines(1),
    { label: "1 device, 10 Hz", devices: 1, sub: sub(100) },
    { label: "1 device, 30 Hz", devices: 1, sub: sub(33) },
  ],
  [...baselines(MANY), { label: `${MANY} devices, 10 Hz`, devices: MANY, sub: sub(100) }],
];

let failures = 0;

async function main(): Promise<void> {
  console.log(`uptime at start: ${uptime()}`);
  console.log(
    `MW75 metrics benchmark: runtimes ${
      RUNTIMES.join(", ")
    }; stream ${STREAM} (window_s ${METRICS_WINDOW_S}); ` +
      `CPU over ${WINDOW_S} s in ${SUB_WINDOWS} sub-windows after ${WARMUP_S} s of warm-up past every client's first message`,
  );
  const sets: SetResult[] = [];
  for (const runtime of RUNTIMES) {
    for (const specs of SETS) {
      const what = `${runtime}, ${specs.map((s) => s.label).join(" + ")}`;
      try {
        const s = await measureSet(runtime, specs, {
          warmupS: WARMUP_S,
          windowS: WINDOW_S,
          subWindows: SUB_WINDOWS,
        });
        sets.push(s);
        console.log(`${what}: measured over ${s.windowS.toFixed(1)} s; load ${uptime()}`);
      } catch (e) {
        failures++;
        console.log(`${what}: failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  const all = rows(sets);
  printTable(all);
  console.log(
    "\nnotes: CPU = Δ schedstat of all server threads / wall, % of one core, median over the sub-windows. Each set runs its " +
      "bridges side by side (`serve --autoconnect`, simulator, 500 Hz; `--sim-devices N` for N > 1) and measures them over " +
      "the same sub-windows. Every device has one WebSocket client in this process (a separate process from the servers) " +
      "that unsubscribed `eeg`; the baselines' clients stop there (A, B: noise = median |A − B|), the others subscribe " +
      `${STREAM} (interval_ms 100 = 10 Hz, 33 ≈ 30 Hz). cost = median over sub-windows of CPU(with) − mean(A, B); ` +
      "CPU/device = cost / devices; / 0.5% = CPU/device over issue 22's target (judged for Bun at 10 Hz only). " +
      "msgs/s/device = messages per client per second over the window (want: 500 / round(interval_ms / 2)); stream ok = " +
      "every client within 5 % of it, every seq step = round(interval_ms / 2), the first message has 12 channels with " +
      "a quality level and the asked window_s, and /health shed 0. client CPU = this process over the window.",
  );
  printTargets(all);
  console.log(`\nuptime at end: ${uptime()}`);
}

await main();
// the target lines are informative: only a set that broke makes the exit code non-zero
process.exit(failures > 0 ? 1 : 0);
