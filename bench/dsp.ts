/**
 * @module Cost of decimation: 60 s of 500 Hz input (12 channels + REF + DRL) through a Batcher
 * (Decimator inside) for each d (`bun|deno run|node --import tsx bench/dsp.ts`), medians of 5 runs.
 * A run decimates the 60 s ten times and reports one pass, so CPU-time accounting granularity
 * (a few ms on Linux) stays below 5 %. The decimator alone is timed too, to separate the FIR from
 * the batching.
 */
import { cpuUsage } from "node:process";
import { loadavg } from "node:os";
import { createBatcher } from "../src/core/batcher.ts";
import { systemClock } from "../src/core/clock.ts";
import { DECIMATIONS } from "../src/core/decimated-sample.ts";
import { Decimator } from "../src/core/decimator.ts";
import { CHANNELS, DEVICE_RATE_HZ } from "../src/core/samples.ts";
import type { SampleBlock } from "../src/core/samples.ts";

const SECONDS = 60;
// about what one Bluetooth chunk carries
const BLOCK_SAMPLES = 10;
const RUNS = 5;
const PASSES = 10;

/** The input, built once: EEG-like sums of sines with a DC offset per channel. */
function input(): SampleBlock[] {
  const blocks: SampleBlock[] = [];
  const total = SECONDS * DEVICE_RATE_HZ;
  for (let start = 0; start < total; start += BLOCK_SAMPLES) {
    const n = Math.min(BLOCK_SAMPLES, total - start);
    const channels = new Float64Array(n * CHANNELS);
    const seq = new Float64Array(n);
    const time = new Float64Array(n);
    const ref = new Float64Array(n);
    const drl = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = start + i;
      const t = s / DEVICE_RATE_HZ;
      seq[i] = s;
      time[i] = 1_700_000_000 + t;
      ref[i] = 1000 + 5 * Math.sin(2 * Math.PI * 0.5 * t);
      drl[i] = -1000 + 5 * Math.cos(2 * Math.PI * 0.7 * t);
      for (let c = 0; c < CHANNELS; c++) {
        channels[i * CHANNELS + c] = 200 * c + 20 * Math.sin(2 * Math.PI * 10 * t + c) +
          5 * Math.sin(2 * Math.PI * 50 * t);
      }
    }
    blocks.push({
      count: n,
      seq,
      time,
      ref,
      drl,
      channels,
      counter: Uint8Array.from(seq, (s) => s & 0xff),
      leadOff: new Uint16Array(n),
      nonFinite: new Uint16Array(n),
      featureStatus: new Uint8Array(n),
      arrivalMs: 0,
      gaps: [],
      duplicates: 0,
    });
  }
  return blocks;
}

/** CPU and wall µs per pass of `blocks` through `PASSES` fresh batchers (or bare decimators) by `d`. */
function once(
  blocks: SampleBlock[],
  d: number,
  bare: boolean,
): { cpu: number; wall: number; outputs: number } {
  let outputs = 0;
  const cpu0 = cpuUsage();
  const wall0 = performance.now();
  for (let pass = 0; pass < PASSES; pass++) {
    if (bare) {
      const decimator = new Decimator(d, () => void outputs++);
      for (const block of blocks) decimator.pushBlock(block);
      decimator.drain();
      continue;
    }
    const batcher = createBatcher(
      { numSamples: 25, intervalMs: 100, decimate: d },
      systemClock,
      (b) => {
        outputs += b.count;
      },
    );
    for (const block of blocks) batcher.push(block);
    batcher.flush();
    batcher.close();
  }
  const wall = ((performance.now() - wall0) * 1000) / PASSES;
  const cpu = cpuUsage(cpu0);
  return { cpu: (cpu.user + cpu.system) / PASSES, wall, outputs: outputs / PASSES };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The load average, or why it cannot be read (Deno without --allow-sys). */
function load(): string {
  const deno = (globalThis as {
    Deno?: { permissions: { querySync(d: { name: string; kind: string }): { state: string } } };
  }).Deno;
  if (deno && deno.permissions.querySync({ name: "sys", kind: "loadavg" }).state !== "granted") {
    return "unavailable (run deno with --allow-sys=loadavg to see it)";
  }
  return loadavg().map((x) => x.toFixed(2)).join(", ");
}

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
console.log(
  `dsp on ${runtime}: ${SECONDS} s of ${DEVICE_RATE_HZ} Hz input, 14 signals, blocks of ${BLOCK_SAMPLES}, median of ${RUNS} runs`,
);
console.log(`load average (1, 5, 15 min): ${load()}`);
console.log(
  "    d  taps  outputs   CPU µs per s of input   % of one core   (wall µs/s)   decimator alone: CPU µs/s",
);
const blocks = input();
for (const d of DECIMATIONS) {
  once(blocks, d, false); // warm-up: lets the JIT settle before timing
  once(blocks, d, true);
  const runs = Array.from({ length: RUNS }, () => once(blocks, d, false));
  const bare = Array.from({ length: RUNS }, () => once(blocks, d, true));
  const cpu = median(runs.map((r) => r.cpu)) / SECONDS;
  const wall = median(runs.map((r) => r.wall)) / SECONDS;
  const alone = median(bare.map((r) => r.cpu)) / SECONDS;
  const taps = new Decimator(d, () => {}).length;
  console.log(
    `${String(d).padStart(5)}  ${String(taps).padStart(4)}  ${
      String(runs[0]!.outputs).padStart(7)
    }` +
      `   ${cpu.toFixed(1).padStart(21)}   ${(cpu / 1e4).toFixed(3).padStart(13)}   ${
        wall.toFixed(1).padStart(11)
      }` +
      `   ${alone.toFixed(1).padStart(25)}`,
  );
}
