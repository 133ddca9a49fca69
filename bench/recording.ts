/**
 * @module Recording benchmark (docs/protocol/bridge-api.md §4.1), run as `bun bench/recording.ts [--runtimes bun,deno,node]
 * [--window-s 5] [--repeats 3] [--packets 1800000]`: per runtime, the server's CPU at 500 Hz with one
 * client without and with a bdf+csv recording (the difference is what recording costs), the bytes/s
 * it writes, and how fast a 1-hour capture replayed with `--speed 0` is recorded, against the decoder
 * alone (the same replay without a recording). Prints `uptime`, then one table.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simPackets } from "../src/sources/signal.ts";
import { cpuSeconds, median, memoryMb, sleep, startServer } from "./server-harness.ts";
import { BenchClient } from "./bench-client.ts";
import type { Runtime, ServerProcess } from "./server-harness.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const RUNTIMES = flag("--runtimes", "bun,deno,node").split(",") as Runtime[];
const WINDOW_S = Number(flag("--window-s", "5"));
const REPEATS = Number(flag("--repeats", "3"));
const PACKETS = Number(flag("--packets", String(3600 * 500))); // one hour at 500 Hz
const TARGET_EXTRA_CORE = 0.01; // ≤ 1 % of a core extra for recording bdf+csv on Bun
const FORMATS = ["bdf", "csv"];

/** A parsed JSON object, read field by field. */
// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const fmt = (v: number, digits = 0): string =>
  v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (cores: number): string => `${fmt(cores * 100, 2)}%`;

// --- helpers ---

/**
 * CPU seconds of every thread of `pid` from /proc/PID/task/TID/schedstat (nanoseconds: file writes run
 * on worker threads, and /proc/PID/stat's 10-ms ticks are too coarse for a 1 % difference); falls back
 * to /proc/PID/stat.
 */
function cpuOf(pid: number): Promise<number> {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    }
    return Promise.resolve(ns / 1e9);
  } catch {
    return cpuSeconds(pid);
  }
}

/** Bytes of all files in `dir` (0 when it does not exist yet). */
function dirBytes(dir: string): number {
  try {
    return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}

/** The `data` of a JSON reply text. */
function dataOf(reply: string): Json {
  return (JSON.parse(reply) as { data: Json }).data;
}

/** Polls /health (every 20 ms, bounded) until the device state is `state`. */
async function untilState(srv: ServerProcess, state: string, timeoutMs: number): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = (await (await fetch(`http://${srv.url}/health`)).json()) as Json;
    if (h["device_state"] === state) return h;
    if (Date.now() > deadline) {
      throw new Error(`device not ${state} within ${timeoutMs} ms (now ${h["device_state"]})`);
    }
    await sleep(20);
  }
}

let requestId = 0;
const request = async (c: BenchClient, type: string, data: unknown = {}): Promise<Json> => {
  const reply = dataOf(await c.request(`b${++requestId}`, type, data));
  if (typeof reply["code"] === "string") {
    throw new Error(`${type}: ${reply["code"]} ${reply["message"]}`);
  }
  return reply;
};

// --- CPU at 500 Hz ---

interface CpuFigures {
  idle: number;
  recording: number;
  bytesPerS: number;
  rssMb: number;
}

/** CPU share over `WINDOW_S` s, alternating no recording / recording bdf+csv, `REPEATS` times; medians. */
async function cpuAt500Hz(runtime: Runtime): Promise<CpuFigures> {
  const dir = mkdtempSync(join(tmpdir(), `mw75-bench-rec-${runtime}-`));
  const srv = await startServer(runtime, ["--recordings-dir", dir]);
  const c = await BenchClient.open(srv.url);
  try {
    await request(c, "connect", {});
    await sleep(2000); // warm-up: JIT, first allocations, the sample clock's first fit
    const share = async (): Promise<number> => {
      const [cpu0, t0] = [await cpuOf(srv.pid), performance.now()];
      await sleep(WINDOW_S * 1000);
      return (await cpuOf(srv.pid) - cpu0) / ((performance.now() - t0) / 1000);
    };
    const idle: number[] = [];
    const rec: number[] = [];
    const rates: number[] = [];
    for (let k = 0; k < REPEATS; k++) {
      idle.push(await share());
      await request(c, "start_recording", { session_name: `cpu-${k}`, formats: FORMATS });
      await sleep(500); // the files' creation and the first flush stay out of the window
      rec.push(await share());
      const stopped = (await request(c, "stop_recording"))["recording"] as Json;
      const bytes = (stopped["files"] as Array<{ bytes: number }>).reduce((n, f) => n + f.bytes, 0);
      rates.push(bytes / stopped["duration_s"]);
      if (c.eeg === 0) throw new Error("the client received no eeg_data");
    }
    return {
      idle: median(idle),
      recording: median(rec),
      bytesPerS: median(rates),
      rssMb: (await memoryMb(srv.pid)).peak,
    };
  } finally {
    c.close();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- a 1-hour replay ---

interface ReplayFigures {
  seconds: number;
  packetsPerS: number;
  cpuS: number;
  peakRssMb: number;
  /** Recorded runs only: bytes written and the BDF's data records. */
  bytes?: number;
  records?: number;
}

/** Replays `file` as fast as possible; with `record`, a bdf+csv recording runs from before the connect to its stop ack. */
async function replay(runtime: Runtime, file: string, record: boolean): Promise<ReplayFigures> {
  const dir = mkdtempSync(join(tmpdir(), `mw75-bench-replay-${runtime}-`));
  const srv = await startServer(runtime, [
    "--source",
    `replay:${file}`,
    "--speed",
    "0",
    "--recordings-dir",
    dir,
  ]);
  const c = await BenchClient.open(srv.url);
  try {
    await request(c, "unsubscribe", { stream: "eeg" }); // no eeg_data: the decoder and the recorder only
    if (record) await request(c, "start_recording", { session_name: "hour", formats: FORMATS });
    const [cpu0, t0] = [await cpuOf(srv.pid), performance.now()];
    await request(c, "connect", {});
    const h = await untilState(srv, "disconnected", 30 * 60_000);
    let stopped: Json | null = null;
    if (record) stopped = (await request(c, "stop_recording"))["recording"] as Json;
    const seconds = (performance.now() - t0) / 1000;
    const valid = h["packets"]["valid"] as number;
    if (valid < PACKETS * 0.999) throw new Error(`only ${valid} of ${PACKETS} packets decoded`);
    const figures: ReplayFigures = {
      seconds,
      packetsPerS: valid / seconds,
      cpuS: await cpuOf(srv.pid) - cpu0,
      peakRssMb: (await memoryMb(srv.pid)).peak,
    };
    if (stopped !== null) {
      figures.bytes = dirBytes(dir);
      figures.records = Math.floor(
        (statSync(join(dir, "hour.bdf")).size - 4096) / (14 * 500 * 3 + 768),
      );
      if (stopped["samples"] !== valid) {
        console.log(
          `  ${runtime}: the recording holds ${stopped["samples"]} samples of ${valid} decoded`,
        );
      }
    }
    return figures;
  } finally {
    c.close();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- report ---

function uptime(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8", timeout: 5_000 }).trim();
  } catch {
    return "(uptime not available)";
  }
}

async function main(): Promise<void> {
  console.log(`uptime: ${uptime()}`);
  const work = mkdtempSync(join(tmpdir(), "mw75-bench-capture-"));
  const capture = join(work, "hour.bin");
  try {
    const g0 = performance.now();
    writeFileSync(capture, simPackets(1, 0, PACKETS));
    console.log(
      `capture: ${fmt(PACKETS)} packets (${fmt(PACKETS / 500 / 60, 1)} min at 500 Hz, ${
        fmt(statSync(capture).size / 1e6, 1)
      } MB) generated in ${fmt((performance.now() - g0) / 1000, 1)} s`,
    );
    const rows: Array<[string, ...string[]]> = [
      ["CPU, 500 Hz, 1 client, no recording"],
      ["CPU, 500 Hz, 1 client, recording bdf+csv"],
      ["recording cost (extra CPU)"],
      ["  target ≤ 1% of a core on Bun"],
      ["write throughput (bdf+csv)"],
      ["server peak RSS (500 Hz run)"],
      ["1-h replay, decoder alone"],
      ["  time (median)"],
      ["1-h replay recorded bdf+csv"],
      ["  time (to the stop ack)"],
      ["  recorded / decoder alone"],
      ["  server CPU s, peak RSS"],
      ["  bytes written, BDF records"],
    ];
    for (const runtime of RUNTIMES) {
      const started = performance.now();
      const cpu = await cpuAt500Hz(runtime).catch((
        e: unknown,
      ) => (console.log(`${runtime} cpu: failed: ${String(e)}`), null));
      const alone: ReplayFigures[] = [];
      for (let k = 0; k < REPEATS; k++) {
        const r = await replay(runtime, capture, false).catch((
          e: unknown,
        ) => (console.log(`${runtime} replay: failed: ${String(e)}`), null));
        if (r !== null) alone.push(r);
      }
      const rec = await replay(runtime, capture, true).catch((
        e: unknown,
      ) => (console.log(`${runtime} recorded replay: failed: ${String(e)}`), null));
      const a = alone.length > 0
        ? {
          packetsPerS: median(alone.map((r) => r.packetsPerS)),
          seconds: median(alone.map((r) => r.seconds)),
        }
        : null;
      const extra = cpu === null ? null : cpu.recording - cpu.idle;
      const cells = [
        cpu ? pct(cpu.idle) : "—",
        cpu ? pct(cpu.recording) : "—",
        extra === null ? "—" : `${extra >= 0 ? "+" : ""}${pct(extra)}`,
        runtime !== "bun" || extra === null ? "" : extra <= TARGET_EXTRA_CORE ? "met" : "NOT met",
        cpu ? `${fmt(cpu.bytesPerS / 1000, 1)} kB/s` : "—",
        cpu ? `${fmt(cpu.rssMb, 0)} MB` : "—",
        a ? `${fmt(a.packetsPerS)} pkt/s` : "—",
        a ? `${fmt(a.seconds, 1)} s` : "—",
        rec ? `${fmt(rec.packetsPerS)} pkt/s` : "—",
        rec ? `${fmt(rec.seconds, 1)} s` : "—",
        rec && a ? `${fmt(rec.packetsPerS / a.packetsPerS, 2)}×` : "—",
        rec ? `${fmt(rec.cpuS, 1)} s, ${fmt(rec.peakRssMb, 0)} MB` : "—",
        rec ? `${fmt((rec.bytes ?? 0) / 1e6, 0)} MB, ${rec.records}` : "—",
      ];
      cells.forEach((cell, i) => rows[i]!.push(cell));
      console.log(`${runtime}: done in ${fmt((performance.now() - started) / 1000, 0)} s`);
    }
    const width = Math.max(...rows.map((r) => r[0].length));
    const cols = RUNTIMES.map((r, i) =>
      Math.max(r.length, ...rows.map((row) => row[i + 1]!.length)) + 2
    );
    console.log(`\n${"".padEnd(width)}${RUNTIMES.map((r, i) => r.padStart(cols[i]!)).join("")}`);
    for (const row of rows) {
      console.log(
        `${row[0].padEnd(width)}${row.slice(1).map((c, i) => c.padStart(cols[i]!)).join("")}`,
      );
    }
    console.log(
      `\nCPU: median of ${REPEATS} ${WINDOW_S}-s windows each; throughput: bytes of the files / duration_s; replays: ${REPEATS} without, 1 with a recording.`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
