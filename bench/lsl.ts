/**
 * @module LSL benchmark (issue 21), run as `npm run bench:lsl` (inside the loopback-only namespace):
 * per runtime, the CPU of one device's outlets with 1 and 10 consumers and their delivery, the latency
 * push → consumer (in-process and end to end through `serve`), and the marker inlet's time error.
 */
// bun bench/lsl.ts [--runtimes bun,deno,node] [--window-s 10] [--warmup-s 3] [--latency-s 10]
import { execFile, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { systemClock } from "../src/core/clock.ts";
import { LslOutlets } from "../src/lsl/outlet/outlets.ts";
import { requireLoopbackOnly } from "../test/_support/netns.ts";
import { type CpuRun, cpuRun } from "./lsl-cpu.ts";
import { type MarkerRun, markerRun } from "./lsl-markers.ts";
import { type LatencyRun, printReport } from "./lsl-report.ts";
import { benchLog, benchProblems, benchTime, HOST, SCOPE, SESSION } from "./lsl-support.ts";
import type { Runtime } from "./server-harness.ts";

requireLoopbackOnly();

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const RUNTIMES = flag("--runtimes", "bun,deno,node").split(",") as Runtime[];
const WINDOW_S = Number(flag("--window-s", "10"));
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

async function attempt<T>(what: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (e) {
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
  const cpu: CpuRun[] = [];
  const latency: LatencyRun[] = [];
  const markers: MarkerRun[] = [];
  for (const runtime of RUNTIMES) {
    for (const consumers of [0, 1, 10]) {
      const what = `${runtime}, ${
        consumers === 0 ? "no --lsl" : `--lsl, ${consumers} consumer(s)`
      }`;
      const r = await attempt(
        what,
        () => cpuRun(runtime, consumers, { warmupS: WARMUP_S, windowS: WINDOW_S, time }),
      );
      if (r === null) continue;
      cpu.push(r);
      console.log(
        `${what}: server CPU ${pct(r.cpu)} of a core over ${r.windowS.toFixed(1)} s` +
          (consumers > 0
            ? `; pushed ${r.pushed}, received ${Math.min(...r.received)}–${Math.max(...r.received)}`
            : ""),
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
process.exit(0);
