/** @module LSL benchmark, measure 1: the CPU cost of one device's outlets with 0, 1 and 10 consumers, their delivery, and the end-to-end latency. */
// Five bridges with one simulated device run side by side: two without LSL (the baseline, twice, so
// their difference shows the noise floor) and three with `--lsl`, read by 0, 1 and 10 consumers in this
// process. All are measured over the same sub-windows, so a load spike from elsewhere hits them alike;
// the outlet cost per sub-window is CPU(with LSL) − mean of the two baselines, and its median is reported.
import type { LslTime } from "../src/lsl/clock.ts";
import {
  type BridgeHealth,
  type CountingConsumer,
  health,
  openConsumers,
  resolveOne,
  SCOPE,
} from "./lsl-support.ts";
import {
  cpuOverSubWindows,
  median,
  percentile,
  type Runtime,
  type ServerProcess,
  sleep,
  startServer,
} from "./server-harness.ts";

/** Delivery to the consumers of one `--lsl` bridge over the whole measurement. */
export interface Delivery {
  consumers: number;
  /** Δ samples_pushed of the EEG outlet over the window. */
  pushed: number;
  /** Per consumer: samples received over the window. */
  received: number[];
  /** Samples missing between consecutive timestamps, summed over consumers and their whole session. */
  missing: number;
  /** /health at the end: the EEG outlet's dropped, and the device's lost packets. */
  dropped: number;
  lost: number;
}

/** What one runtime's measurement gave; CPU lists hold one value (cores) per sub-window. */
export interface CpuSet {
  runtime: Runtime;
  windowS: number;
  baseA: number[];
  baseB: number[];
  /** `--lsl` with nobody reading: the hub tap, the chunker and an idle outlet. */
  none: number[];
  one: number[];
  ten: number[];
  deliveryOne: Delivery;
  deliveryTen: Delivery;
  /** Consumer 1 of the 1-consumer bridge: arrival − LSL timestamp of each batch's newest sample, ms. */
  latencyMs: number[];
}

/** A consumer may trail /health's samples_pushed by what is in flight: two sim chunks (~20 ms) is plenty. */
export const IN_FLIGHT_SAMPLES = 64;

export interface CpuOptions {
  warmupS: number;
  windowS: number;
  subWindows: number;
  time: LslTime;
}

interface Bridge {
  srv: ServerProcess;
  name: string;
  readers: CountingConsumer[];
}

/** `consumers` null: without `--lsl`. */
async function bridge(runtime: Runtime, consumers: number | null): Promise<Bridge> {
  const name = `BenchEEG_${Math.random().toString(36).slice(2, 8)}`;
  const lsl = consumers !== null ? ["--lsl", "--lsl-scope", SCOPE, "--lsl-name", name] : [];
  return { srv: await startServer(runtime, ["--autoconnect", ...lsl]), name, readers: [] };
}

function eegRow(h: BridgeHealth, name: string): { samples_pushed: number; dropped: number } {
  return h.lsl?.outlets.find((o) => o.name === name) ?? { samples_pushed: 0, dropped: 0 };
}

/** Starts the four bridges, measures them together, stops them. */
export async function cpuSet(runtime: Runtime, o: CpuOptions): Promise<CpuSet> {
  const started = await Promise.allSettled([null, null, 0, 1, 10].map((k) => bridge(runtime, k)));
  const bridges = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [, , , one, ten] = bridges as [Bridge, Bridge, Bridge, Bridge, Bridge];
    let recording = false;
    const latencyMs: number[] = [];
    one.readers = await openConsumers(await resolveOne(`name='${one.name}'`), 1, (samples) => {
      if (!recording) return;
      latencyMs.push((o.time.now() - samples[samples.length - 1]!.timestamp) * 1000);
    });
    ten.readers = await openConsumers(await resolveOne(`name='${ten.name}'`), 10);
    await sleep(o.warmupS * 1000);

    const lsl = [one, ten];
    const h0 = await Promise.all(lsl.map((x) => health(x.srv)));
    const c0 = lsl.map((x) => x.readers.map((r) => r.samples));
    recording = true;
    const { cpu, windowS } = await cpuOverSubWindows(
      bridges.map((x) => x.srv.pid),
      o.windowS,
      o.subWindows,
    );
    const h1 = await Promise.all(lsl.map((x) => health(x.srv)));
    const c1 = lsl.map((x) => x.readers.map((r) => r.samples));
    recording = false;
    const delivery = (i: number): Delivery => {
      const end = eegRow(h1[i]!, lsl[i]!.name);
      return {
        consumers: lsl[i]!.readers.length,
        pushed: end.samples_pushed - eegRow(h0[i]!, lsl[i]!.name).samples_pushed,
        received: c1[i]!.map((c, k) => c - c0[i]![k]!),
        missing: lsl[i]!.readers.reduce((n, r) => n + r.missing, 0),
        dropped: end.dropped,
        lost: h1[i]!.devices.reduce((n, d) => n + d.packets.lost, 0),
      };
    };
    return {
      runtime,
      windowS,
      baseA: cpu[0]!,
      baseB: cpu[1]!,
      none: cpu[2]!,
      one: cpu[3]!,
      ten: cpu[4]!,
      deliveryOne: delivery(0),
      deliveryTen: delivery(1),
      latencyMs,
    };
  } finally {
    await Promise.all(bridges.map(async (x) => {
      await Promise.all(x.readers.map((r) => r.close()));
      await x.srv.stop();
    }));
  }
}

/** Per sub-window CPU of `run` minus the mean of the two baselines; the median of that. */
export function cost(s: CpuSet, run: number[]): number {
  return median(run.map((v, i) => v - (s.baseA[i]! + s.baseB[i]!) / 2));
}

/** The noise floor: median over sub-windows of |baseline A − baseline B|. */
export function noise(s: CpuSet): number {
  return median(s.baseA.map((v, i) => Math.abs(v - s.baseB[i]!)));
}

/** Every consumer got every sample: none dropped or missing, and each within the in-flight margin of /health. */
export function complete(d: Delivery): boolean {
  return d.dropped === 0 && d.missing === 0 && d.pushed > 0 &&
    d.received.every((n) => Math.abs(n - d.pushed) <= IN_FLIGHT_SAMPLES);
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
