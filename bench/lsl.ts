/** @module LSL benchmark (issue 21), `npm run bench:lsl`: outlet CPU, push → consumer latency and marker time error per runtime. */
// Runs inside the loopback-only namespace (test/netns.sh): it opens LSL sockets.
// bun bench/lsl.ts [--runtimes bun,deno,node] [--window-s 15] [--sub-windows 5] [--warmup-s 3] [--latency-s 10]
import { execFile, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { systemClock } from "../src/core/clock.ts";
import { LslOutlets } from "../src/lsl/outlet/outlets.ts";
import { requireLoopbackOnly } from "../test/_support/netns.ts";
import { type CpuSet, cpuSet } from "./lsl-cpu.ts";
import { type MarkerRun, markerRun } from "./lsl-markers.ts";
import { type LatencyRun, printReport } from "./lsl-report.ts";
import { benchLog, benchProblems, benchTime, HOST, SCOPE, SESSION } from "./lsl-support.ts";
import { median, type Runtime } from "./server-harness.ts";

requireLoopbackOnly();

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const RUNTIMES = flag("--runtimes", "bun,deno,node").split(",") as Runtime[];
const WINDOW_S = Number(flag("--window-s", "15"));
const SUB_WINDOWS = Number(flag("--sub-windows", "5"));
const WARMUP_S = Number(flag("--warmup-s", "3"));
const LATENCY_S = Number(flag("--latency-s", "10"));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

function uptime(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8", timeout: 5_000 }).trim();
  } catch {
    return "(uptime not available)";
  }
}

/** Measures that threw: the figures of the others are still printed, and the exit code is 1. */
let failures = 0;

async function attempt<T>(what: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (e) {
    failures++;
    console.log(`${what}: failed: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

/** Measure 2 in a child process of `runtime` (bench/lsl-latency-child.ts). */
function inProcessLatency(runtime: Runtime): Promise<LatencyRun> {
  const bin = `${ROOT}node_modules/.bin`;
  const script = "bench/lsl-latency-child.ts";
  const [cmd, argv]: [string, string[]] = runtime === "bun"
    ? [`${bin}/bun`, [script, String(LATENCY_S)]]
    : runtime === "deno"
    ? [`${bin}/deno`, ["run", "-A", script, String(LATENCY_S)]]
    : ["node", ["--import", "tsx", script, String(LATENCY_S)]];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { cwd: ROOT, timeout: (LATENCY_S + 60) * 1000 }, (e, stdout, stderr) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      if (e || !line.startsWith("{")) {
        return reject(new Error(`${e?.message ?? "no JSON"}\n${stderr.slice(-2000)}`));
      }
      resolve({ runtime, ...(JSON.parse(line) as Omit<LatencyRun, "runtime">) });
    });
  });
}

const pct = (cores: number): string => `${(cores * 100).toFixed(2)}%`;

async function main(): Promise<void> {
  console.log(`uptime at start: ${uptime()}`);
  console.log(
    `MW75 LSL benchmark: runtimes ${
      RUNTIMES.join(", ")
    }; CPU window ${WINDOW_S} s after ${WARMUP_S} s ` +
      `warm-up; in-process latency over ${LATENCY_S} s; consumers and marker outlet in this process`,
  );
  const time = await benchTime();
  const outlets = await LslOutlets.start({
    scope: SCOPE,
    sessionId: SESSION,
    hostname: HOST,
    time,
    clock: systemClock,
    log: benchLog,
  });
  const cpu: CpuSet[] = [];
  const latency: LatencyRun[] = [];
  const markers: MarkerRun[] = [];
  for (const runtime of RUNTIMES) {
    const set = await attempt(
      `${runtime}, outlet CPU`,
      () =>
        cpuSet(runtime, { warmupS: WARMUP_S, windowS: WINDOW_S, subWindows: SUB_WINDOWS, time }),
    );
    if (set !== null) {
      cpu.push(set);
      const med = (v: number[]): string => pct(median(v));
      console.log(
        `${runtime}: server CPU, medians of ${SUB_WINDOWS} sub-windows over ${
          set.windowS.toFixed(1)
        } s: ` +
          `no LSL ${med(set.baseA)} and ${med(set.baseB)}, --lsl with 0 consumers ${
            med(set.none)
          }, 1 consumer ${med(set.one)}, ` +
          `with 10 ${med(set.ten)}`,
      );
    }
    const l = await attempt(`${runtime}, in-process latency`, () => inProcessLatency(runtime));
    if (l !== null) latency.push(l);
    const m = await attempt(
      `${runtime}, marker time error`,
      () => markerRun(runtime, outlets, time),
    );
    if (m !== null) markers.push(m);
  }
  await outlets.close();
  printReport(RUNTIMES, cpu, latency, markers);
  if (benchProblems.length > 0) {
    console.log(`\nLSL problems logged in the bench process:\n  ${benchProblems.join("\n  ")}`);
  }
  console.log(`\nuptime at end: ${uptime()}`);
}

await main();
// the PASS/FAIL lines are informative: only a measure that broke makes the exit code non-zero
process.exit(failures > 0 ? 1 : 0);
