/**
 * @module Server benchmark (issues #3 and 8 §4), run as `bun bench/server.ts [--runtimes bun,deno,node] [--cpu-seconds N]`:
 * for the server started as a child process under each runtime, eeg_data throughput, latency, CPU and RSS, then
 * the binary eeg_batch figures (bytes per sample, CPU with one binary client, 100 binary clients with a loss check),
 * and a summary table with one column per runtime (server-report.ts).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { BATCH_N, batchFootprint, fanout, wireSize } from "./batch-scenarios.ts";
import type { Runtime } from "./server-harness.ts";
import { footprint, idleCpu, latency, Settings, throughput } from "./server-scenarios.ts";
import { FANOUT_CLIENTS, fmt, pct, printSummary, targetLines } from "./server-report.ts";
import type { Results } from "./server-report.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const RUNTIMES = flag("--runtimes", "bun,deno,node").split(",") as Runtime[];
Settings.cpuSeconds = Number(flag("--cpu-seconds", "10"));

function loadLine(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8", timeout: 5_000 }).trim();
  } catch {
    return `load average (from /proc/loadavg): ${readFileSync("/proc/loadavg", "utf8").trim()}`;
  }
}

/** Runs one scenario; a failure is printed and recorded as null so the other scenarios still run. */
async function attempt<T>(name: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (e) {
    console.log(`${name}: failed: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

/** Idle CPU and the CPU of a per-packet (2 ms) simulator cadence: what wake-ups cost on this machine. */
async function printWakeUpCosts(runtime: Runtime): Promise<void> {
  const idle = await attempt("baseline", () => idleCpu(runtime));
  if (idle !== null) {
    console.log(`baseline: 1 client connected, device idle, 5 s: CPU ${pct(idle)} of a core`);
  }
  // the simulator delivers every 10 ms by default; a per-packet cadence costs five times the wake-ups
  const perPacket = await footprint(runtime, ["--sim-tick-ms", "2"]).catch(() => null);
  console.log(
    perPacket
      ? `500 Hz, 1 client, sim delivering every 2 ms: CPU ${
        pct(perPacket.cpuShare)
      } of a core, RSS ${fmt(perPacket.rssMb, 1)} MB`
      : "500 Hz, 1 client, sim delivering every 2 ms: not measured (the server failed to stream)",
  );
}

async function eegDataFigures(
  runtime: Runtime,
): Promise<Pick<Results, "one" | "ten" | "lat" | "fp">> {
  const windows = `median of ${Settings.throughputWindows} 1-s windows`;
  const one = await attempt("throughput, 1 client", () => throughput(runtime, 1));
  if (one) {
    console.log(
      `throughput, sim unthrottled, 1 client:   ${
        fmt(one.total)
      } eeg_data msgs/s delivered (${windows}, range ${fmt(one.range[0])}–${fmt(one.range[1])}; ` +
        `server shed ${fmt(one.shed)}/s, server CPU ${
          fmt(one.serverCpu * 100)
        }% of a core, client CPU ${fmt(one.clientCpu * 100)}%)`,
    );
  }
  const ten = await attempt("throughput, 10 clients", () => throughput(runtime, 10));
  if (ten) {
    console.log(
      `throughput, sim unthrottled, 10 clients: ${fmt(ten.total)} msgs/s in total, ${
        fmt(ten.perClient)
      } per client (${windows}; ` +
        `shed ${fmt(ten.shed)}/s, server CPU ${fmt(ten.serverCpu * 100)}%, client CPU ${
          fmt(ten.clientCpu * 100)
        }%)`,
    );
  }
  const lat = await attempt("latency, 10 clients", () => latency(runtime));
  if (lat) {
    console.log(
      `latency at 500 Hz, 10 clients: p50 ${fmt(lat.p50, 3)} ms, p99 ${fmt(lat.p99, 3)} ms, max ${
        fmt(lat.max, 3)
      } ms ` +
        `(${fmt(lat.samples)} samples; clock offset error ≤ ${fmt(lat.rtt / 2, 3)} ms)`,
    );
  }
  const single = await attempt("latency, 1 client", () => latency(runtime, 1));
  if (single) {
    console.log(
      `latency at 500 Hz, 1 client (context: less client-side queueing): p50 ${
        fmt(single.p50, 3)
      } ms, p99 ${fmt(single.p99, 3)} ms, max ${fmt(single.max, 3)} ms`,
    );
  }
  const fp = await attempt("500 Hz, 1 eeg_data client", () => footprint(runtime));
  if (fp) {
    console.log(
      `500 Hz, 1 eeg_data client, ${Settings.cpuSeconds} s (sim delivers every 10 ms): CPU ${
        pct(fp.cpuShare)
      } of a core, RSS ${fmt(fp.rssMb, 1)} MB (peak ${fmt(fp.peakMb, 1)} MB), ` +
        `${fmt(fp.rate)} eeg_data msgs/s received`,
    );
  }
  await printWakeUpCosts(runtime);
  return { one, ten, lat, fp };
}

async function batchFigures(
  runtime: Runtime,
): Promise<Pick<Results, "wire" | "batch" | "floor" | "fan">> {
  const wire = await attempt("bytes per sample", () => wireSize(runtime));
  if (wire) {
    console.log(
      `bytes per sample on the wire (as received, 500 Hz, one client on both streams): eeg_data ${
        fmt(wire.jsonMean, 1)
      } B ` +
        `(mean of ${fmt(wire.jsonMessages)} messages, ${wire.jsonRange[0]}–${
          wire.jsonRange[1]
        } B) vs binary eeg_batch N = ${BATCH_N} ` +
        `${
          fmt(wire.binaryPerSample, 2)
        } B (${wire.fullFrames} frames, C = ${wire.channels}, flags ${wire.flags}): ${
          fmt(wire.ratio, 1)
        }× fewer` +
        (wire.otherFrames > 0
          ? `; ${wire.otherFrames} frames with N < ${BATCH_N} left out (all frames: ${
            fmt(wire.allFramesPerSample, 2)
          } B per sample)`
          : ""),
    );
  }
  const batch = await attempt("500 Hz, 1 binary client", () => batchFootprint(runtime));
  if (batch) {
    console.log(
      `500 Hz, 1 binary eeg_batch client (N = ${BATCH_N}, eeg unsubscribed), ${Settings.cpuSeconds} s: CPU ${
        pct(batch.cpuShare)
      } of a core, RSS ${fmt(batch.rssMb, 1)} MB, ` +
        `${fmt(batch.rate)} samples/s in ${
          fmt(batch.framesPerSecond, 1)
        } frames/s (eeg_data received: ${batch.eegData}; missing ${batch.missing}, duplicated ${batch.duplicated})`,
    );
  }
  // context for the 1% target: what the pipeline costs with nobody subscribed to anything
  const floor = await attempt("500 Hz, no subscription", () => batchFootprint(runtime, false));
  if (floor) {
    console.log(
      `500 Hz, 1 client with no stream subscribed (sim → decode → ring only), ${Settings.cpuSeconds} s: CPU ${
        pct(floor.cpuShare)
      } of a core, ` +
        `${fmt(floor.packetRate)} packets/s decoded, eeg_data received: ${floor.eegData}`,
    );
  }
  const fan = await attempt(
    `500 Hz, ${FANOUT_CLIENTS} binary clients`,
    () => fanout(runtime, FANOUT_CLIENTS),
  );
  if (fan) {
    console.log(
      `500 Hz, ${fan.clients} binary eeg_batch clients, ${Settings.cpuSeconds} s: server CPU ${
        pct(fan.cpuShare)
      } of a core, RSS ${fmt(fan.rssMb, 1)} MB ` +
        `(peak ${fmt(fan.peakMb, 1)} MB), client CPU ${
          fmt(fan.clientCpu * 100)
        }%, server shed ${fan.shed}; ` +
        `clients that lost anything: ${fan.lossyClients} (missing ${fan.missing} samples, duplicated ${fan.duplicated}); ` +
        `${fmt(fan.samplesRange[0])}–${fmt(fan.samplesRange[1])} samples per client`,
    );
  }
  return { wire, batch, floor, fan };
}

async function main(): Promise<void> {
  console.log(`machine load at start: ${loadLine()}`);
  console.log(
    `MW75 server benchmark (client: ${
      "Bun" in globalThis ? "bun" : "other"
    } in one process; server: child process per scenario)`,
  );
  console.log(
    "every figure is from ONE run on a shared 2-core machine: compare across runtimes with care, rerun before drawing conclusions",
  );
  const all = new Map<Runtime, Results>();
  for (const runtime of RUNTIMES) {
    console.log(`\n== server on ${runtime}`);
    all.set(runtime, { ...(await eegDataFigures(runtime)), ...(await batchFigures(runtime)) });
  }
  printSummary(all);
  console.log("\ntargets:");
  for (const [runtime, r] of all) {
    for (const line of targetLines(runtime, r)) console.log(`  ${line}`);
  }
  console.log(
    "\nnotes: latency = client receive time − eeg_data.timestamp (stamped by the server when it decodes the chunk), " +
      "with the server/client clock offset measured by ping/pong (best of 50 round trips per client); it covers " +
      "decode → JSON → WebSocket → client event loop, not the simulator's chunking. CPU = Δ(utime+stime) of the " +
      "server PID from /proc/PID/stat over wall time; RSS = VmRSS from /proc/PID/status at the end. Bytes per sample " +
      "are WebSocket payload bytes as the client received them (the 2–4-byte WebSocket header is not counted); " +
      `binary clients read only N and first_seq of each frame, and "lost anything" means a hole or a repeat in the ` +
      "seqs between a client's first and last frame.",
  );
  console.log(`machine load at end: ${loadLine()}`);
}

await main();
