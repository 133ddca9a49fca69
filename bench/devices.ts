/** @module Multi-device benchmark (issue 11): one bridge with `--sim-devices N --autoconnect`, one binary eeg_batch client per device in this process; samples/s, seq continuity, shed, CPU, RSS before/after the rings fill, latency. */

// bun bench/devices.ts [--runtimes bun,deno,node] [--devices 1,10,50,200] [--window-s 15] [--warmup-s 10]
//   [--fill largest|all|none] [--fill-s 65] [--probe-s 10] [--interval-ms MS]
import { execFileSync } from "node:child_process";
import { BATCH_N } from "./batch-scenarios.ts";
import { RATE_HZ, runDevices, type RunResult, type Window } from "./devices-run.ts";
import type { Runtime } from "./server-harness.ts";
import { printGrowth } from "./devices-growth.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const RUNTIMES = flag("--runtimes", "bun,deno,node").split(",") as Runtime[];
/** Device counts per runtime: `--devices` for all, or the defaults (Bun up to 200, the others up to 50). */
const DEVICES_FLAG = flag("--devices", "");
const devicesFor = (r: Runtime): number[] =>
  (DEVICES_FLAG !== "" ? DEVICES_FLAG : r === "bun" ? "1,10,50,200" : "1,10,50").split(",").map(
    Number,
  ).sort((a, b) => a - b);
const WINDOW_S = Number(flag("--window-s", "15"));
const WARMUP_S = Number(flag("--warmup-s", "10"));
const FILL_S = Number(flag("--fill-s", "65"));
const FILL = flag("--fill", "largest") as "largest" | "all" | "none";
const PROBE_S = Number(flag("--probe-s", "10"));
const INTERVAL_MS = flag("--interval-ms", "") === "" ? null : Number(flag("--interval-ms", ""));
const TARGET = { devices: 200, cores: 1, rssMb: 300 };
/** A client process above this share of a core may be what limits delivery. */
const CLIENT_CPU_WARN = 0.8;

const fmt = (v: number, digits = 0): string =>
  v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (cores: number, digits = 1): string => `${fmt(cores * 100, digits)}%`;

function uptime(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8", timeout: 5_000 }).trim();
  } catch {
    return "(uptime not available)";
  }
}

// --- table ---

const HEADERS = [
  "runtime",
  "N",
  "window s",
  "expected/s",
  "delivered/s",
  "deliv.%",
  "missing",
  "dup",
  "shed",
  "lost",
  "frames/s",
  "CPU %core",
  "CPU/device",
  "client CPU",
  "RSS MB",
  "RSS/device",
  "peak MB",
  "p50 ms",
  "p99 ms",
  "max ms",
  "probe p50/p99",
];

function row(r: RunResult, w: Window, filled: boolean): string[] {
  const expected = r.devices * RATE_HZ;
  return [
    r.runtime,
    `${r.devices}${filled ? " (full)" : ""}`,
    `${fmt(w.fromS)}–${fmt(w.toS)}`,
    fmt(expected),
    fmt(w.delivered),
    `${fmt((100 * w.delivered) / expected, 1)}`,
    String(r.missing),
    String(r.duplicated),
    String(r.shed),
    String(r.lost),
    fmt(w.framesPerS),
    pct(w.serverCpu),
    pct(w.serverCpu / r.devices, 2),
    pct(w.clientCpu),
    fmt(w.rssMb, 0),
    fmt(w.rssMb / r.devices, 2),
    fmt(w.peakMb, 0),
    fmt(w.p50, 2),
    fmt(w.p99, 2),
    fmt(w.max, 1),
    filled || r.probe === null ? "" : `${fmt(r.probe.p50, 2)} / ${fmt(r.probe.p99, 2)}`,
  ];
}

function printTable(results: RunResult[]): void {
  const rows = results.flatMap((
    r,
  ) => [row(r, r.early, false), ...(r.filled ? [row(r, r.filled, true)] : [])]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\n${line(HEADERS)}`);
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const x of rows) console.log(line(x));
}

// --- targets ---

function printTargets(results: RunResult[]): void {
  console.log("\ntargets:");
  const verdict = (ok: boolean): string => (ok ? "met" : "NOT met");
  const at = results.find((r) => r.runtime === "bun" && r.devices === TARGET.devices);
  if (at === undefined) {
    console.log(`  (no Bun run at N=${TARGET.devices}: the CPU and RSS targets are not judged)`);
  } else {
    const w = at.filled ?? at.early;
    const when = at.filled
      ? "rings full"
      : `NOT steady state: only ${fmt(at.early.toS)} s after start, rings not full`;
    console.log(
      `  bun N=${TARGET.devices}: server CPU ${pct(w.serverCpu)} of a core (≤ ${
        TARGET.cores * 100
      }%) — ${verdict(w.serverCpu <= TARGET.cores)} (${when})`,
    );
    console.log(
      `  bun N=${TARGET.devices}: server RSS ${fmt(w.rssMb, 0)} MB (≤ ${TARGET.rssMb} MB) — ${
        verdict(w.rssMb <= TARGET.rssMb)
      } (${when})`,
    );
  }
  for (const r of results) {
    const windows = [r.early, ...(r.filled ? [r.filled] : [])];
    const worst = Math.min(...windows.map((w) => w.delivered / (r.devices * RATE_HZ)));
    const complete = r.missing === 0 && r.duplicated === 0 && r.shed === 0 && worst > 0.98;
    const detail =
      `${r.lossyClients} clients with holes or repeats, ${r.missing} missing, ${r.duplicated} duplicated, ${r.shed} shed, delivered ≥ ${
        fmt(100 * worst, 1)
      }% of N × 500`;
    console.log(
      `  ${r.runtime} N=${r.devices}: every sample delivered exactly once — ${
        verdict(complete)
      } (${detail})`,
    );
    const busy = windows.find((w) => w.clientCpu > CLIENT_CPU_WARN);
    if (busy) {
      console.log(
        `  ${r.runtime} N=${r.devices}: WARNING the client process used ${
          pct(busy.clientCpu)
        } of a core: it may be the bottleneck`,
      );
    }
  }
}

// --- main ---

async function main(): Promise<void> {
  console.log(`uptime: ${uptime()}`);
  console.log(
    `MW75 multi-device benchmark: server child per run (--sim-devices N --autoconnect, ${RATE_HZ} Hz each), one client per device on ` +
      `/devices/sim-K/ws in this ${
        "Bun" in globalThis ? "Bun" : "non-Bun"
      } process, eeg unsubscribed, eeg_batch binary N = ${BATCH_N}`,
  );
  console.log(
    `window ${WINDOW_S} s starting ${WARMUP_S} s after server start` +
      (FILL === "none"
        ? ""
        : `; ${
          FILL === "all" ? "every run" : "the largest N per runtime"
        } also measured again from ${FILL_S} s (the 60-s rings full)`),
  );
  const results: RunResult[] = [];
  for (const runtime of RUNTIMES) {
    const counts = devicesFor(runtime);
    for (const devices of counts) {
      const fill = FILL === "all" || (FILL === "largest" && devices === counts[counts.length - 1]);
      try {
        const r = await runDevices(runtime, devices, {
          warmupS: WARMUP_S,
          windowS: WINDOW_S,
          fillS: fill ? FILL_S : null,
          probeS: PROBE_S,
          intervalMs: INTERVAL_MS,
        });
        results.push(r);
        console.log(
          `${runtime} N=${devices}: listening after ${
            fmt(r.startS, 1)
          } s, every client streaming after ${fmt(r.readyS, 1)} s; ` +
            `${r.shortFrames} frames shorter than ${BATCH_N}; clock offset error ≤ ${
              fmt(r.offsetErrorMs, 3)
            } ms` +
            (r.probe
              ? `; probe: chunk arrival − stamp p50 ${fmt(r.probe.lagP50, 2)} ms, p99 ${
                fmt(r.probe.lagP99, 2)
              } ms (${r.probe.frames} frames)`
              : ""),
        );
      } catch (e) {
        console.log(
          `${runtime} N=${devices}: failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  }
  printTable(results);
  console.log(
    "\nwindow s = seconds since server start; rows marked (full) are steady state (rings full). missing/dup = seq holes/repeats per " +
      "client over its whole session (every seq exactly once); shed and lost = /health devices[*].shed and packets.lost summed at the end. " +
      "CPU = Δ schedstat of all server threads / wall (100% = one core); client CPU = this process. RSS/peak = VmRSS/VmHWM at the window's end, RSS/device = RSS ÷ N (MB). " +
      `p50/p99/max = latency over every full (N = ${BATCH_N}) frame of every client: client receive time (performance.timeOrigin + now, at ` +
      "onmessage) − the sample-clock stamp of the frame's newest sample (t0 + (N−1)/sample_rate), corrected by the server/client clock " +
      "offset (best of 30 pings). The stamp is the lower envelope of chunk arrival (≈ the sample's due time), so this is arrival → decode → " +
      "batch → encode → send → receive PLUS how late the sample's chunk came beyond the fastest one (the sim hands over 64-byte blocks every " +
      "10 ms: 0–12 ms). probe p50/p99 = the same frames of sim-1 only, measured against the true chunk arrival (eeg_data.timestamp of the " +
      `newest seq; sim-1 also subscribed to eeg for ${PROBE_S} s after the windows): the pipeline alone. Frames cut short by interval_ms are left ` +
      "out of both (they also waited for the timer).",
  );
  printGrowth(results, RUNTIMES);
  printTargets(results);
  console.log(`\nuptime at end: ${uptime()}`);
}

await main();
