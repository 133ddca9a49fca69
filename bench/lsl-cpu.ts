/**
 * @module LSL benchmark, measure 1 (and the end-to-end latency): a bridge with one simulated device,
 * without LSL and with `--lsl` read by k consumers in this process; server CPU over a window, delivery
 * counts against /health, and arrival − LSL timestamp of each batch's newest sample.
 */
import type { LslTime } from "../src/lsl/clock.ts";
import {
  type BridgeHealth,
  type CountingConsumer,
  health,
  openConsumers,
  resolveOne,
  SCOPE,
} from "./lsl-support.ts";
import { startBridge } from "./lsl-serve.ts";
import { percentile, type Runtime, sleep, threadCpuSeconds } from "./server-harness.ts";

/** What one run measured. */
export interface CpuRun {
  runtime: Runtime;
  /** 0 = no `--lsl`. */
  consumers: number;
  /** Server CPU (all threads) over the window, in cores. */
  cpu: number;
  windowS: number;
  /** Δ samples_pushed of the EEG outlet over the window (0 without LSL). */
  pushed: number;
  /** Per consumer: samples received over the window. */
  received: number[];
  /** Samples missing between consecutive timestamps, summed over consumers and their whole session. */
  missing: number;
  /** /health at the end: the EEG outlet's dropped, and the device's lost packets. */
  dropped: number;
  lost: number;
  /** Consumer 1: arrival − LSL timestamp of the batch's newest sample, ms, one per batch in the window. */
  latencyMs: number[];
}

/** A consumer may trail /health's samples_pushed by what is in flight: two sim chunks (~20 ms) is plenty. */
export const IN_FLIGHT_SAMPLES = 64;

export interface CpuOptions {
  warmupS: number;
  windowS: number;
  time: LslTime;
}

function eegRow(h: BridgeHealth, name: string): { samples_pushed: number; dropped: number } {
  const row = h.lsl?.outlets.find((o) => o.name === name);
  return row ?? { samples_pushed: 0, dropped: 0 };
}

/** One bridge run: `consumers` = 0 means without `--lsl`. */
export async function cpuRun(runtime: Runtime, consumers: number, o: CpuOptions): Promise<CpuRun> {
  const name = `BenchEEG_${Math.random().toString(36).slice(2, 8)}`;
  const lsl = consumers > 0 ? ["--lsl", "--lsl-scope", SCOPE, "--lsl-name", name] : [];
  const srv = await startBridge(runtime, ["--autoconnect", ...lsl]);
  let readers: CountingConsumer[] = [];
  try {
    let recording = false;
    const latencyMs: number[] = [];
    if (consumers > 0) {
      const info = await resolveOne(`name='${name}'`);
      readers = await openConsumers(info, consumers, (samples) => {
        if (!recording) return;
        const arrival = o.time.now();
        latencyMs.push((arrival - samples[samples.length - 1]!.timestamp) * 1000);
      });
    }
    await sleep(o.warmupS * 1000);
    const counts = (): number[] => readers.map((r) => r.samples);
    const cpu0 = await threadCpuSeconds(srv.pid);
    const t0 = performance.now();
    const h0 = await health(srv);
    const c0 = counts();
    recording = true;
    await sleep(o.windowS * 1000);
    const cpu1 = await threadCpuSeconds(srv.pid);
    const t1 = performance.now();
    const h1 = await health(srv);
    const c1 = counts();
    recording = false;
    const end = eegRow(h1, name);
    return {
      runtime,
      consumers,
      cpu: (cpu1 - cpu0) / ((t1 - t0) / 1000),
      windowS: (t1 - t0) / 1000,
      pushed: end.samples_pushed - eegRow(h0, name).samples_pushed,
      received: c1.map((c, i) => c - c0[i]!),
      missing: readers.reduce((n, r) => n + r.missing, 0),
      dropped: end.dropped,
      lost: h1.devices.reduce((n, d) => n + d.packets.lost, 0),
      latencyMs,
    };
  } finally {
    await Promise.all(readers.map((r) => r.close()));
    await srv.stop();
  }
}

/** Every consumer got every sample: none dropped or missing, and each within the in-flight margin of /health. */
export function complete(r: CpuRun): boolean {
  return r.dropped === 0 && r.missing === 0 && r.pushed > 0 &&
    r.received.every((n) => Math.abs(n - r.pushed) <= IN_FLIGHT_SAMPLES);
}

/** p50/p99/max of a list of ms values (NaN when empty). */
export function spread(values: number[]): { p50: number; p99: number; max: number; n: number } {
  if (values.length === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN, n: 0 };
  return {
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: Math.max(...values),
    n: values.length,
  };
}
