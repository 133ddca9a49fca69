/**
 * @module Memory and cost of the compressed sample ring (`npm run bench:ring`, or `deno run -A` /
 * `node --import tsx` on this file): a 60-s ring (30 000 samples) filled with the simulator's signal
 * as the lead's simulator will send it (whole ADC counts, f32 REF/DRL), through the real seq
 * tracker and sample clock in 5-packet chunks with arrival jitter. Prints bytes per sample of the
 * ring and of the uncompressed reference, the push cost at 500 Hz (share of a core), encode µs per
 * segment, read µs per 512-sample window. `--rings N` (add `--reference` for the old ring) instead
 * fills N rings and prints the RSS they took (Node and Deno collect only with `--expose-gc`).
 */
import { loadavg } from "node:os";
import process from "node:process";
import { SampleBuffers } from "../src/core/sample-buffers.ts";
import { createBlockBuilder } from "../src/core/sample-blocks.ts";
import { SampleRing, SEGMENT_SAMPLES } from "../src/core/sample-ring.ts";
import { encodeSegment } from "../src/core/ring-segment.ts";
import { SegmentPlanes } from "../src/core/segment-planes.ts";
import { CHANNELS } from "../src/core/samples.ts";
import type { SampleBlock } from "../src/core/samples.ts";
import { EEG_EVENT_ID, UV_PER_COUNT } from "../src/decoder/types.ts";
import { createEegSignal, createPrng } from "../src/sources/signal.ts";
import { ReferenceRing } from "../test/_support/reference-ring.ts";

const CAPACITY = 30_000;
const CHUNK = 5; // 10 ms of packets: what the simulator hands out per tick
const WINDOW = 512;

/** 70 s of simulated blocks, as the decoder and toSampleBlock would make them. */
function simulatedBlocks(seed: number): SampleBlock[] {
  const signal = createEegSignal(seed, 500);
  const jitter = createPrng(seed ^ 0x5a5a);
  const builder = createBlockBuilder();
  builder.startConnection();
  const blocks: SampleBlock[] = [];
  let counter = 0;
  for (let tick = 0; tick < (70 * 500) / CHUNK; tick++) {
    const channels = new Float64Array(CHUNK * CHANNELS);
    const ref = new Float64Array(CHUNK);
    const drl = new Float64Array(CHUNK);
    const counters = new Uint8Array(CHUNK);
    for (let i = 0; i < CHUNK; i++) {
      const s = signal.next();
      // the lead's simulator: whole counts, carried as f32 and scaled in f64 by the decoder
      for (let c = 0; c < CHANNELS; c++) {
        channels[i * CHANNELS + c] = Math.fround(Math.round(s.raw[c]!)) * UV_PER_COUNT;
      }
      ref[i] = Math.fround(s.ref);
      drl[i] = Math.fround(s.drl);
      counters[i] = counter;
      counter = (counter + 1) & 255;
    }
    const batch = {
      count: CHUNK,
      eventId: new Uint8Array(CHUNK).fill(EEG_EVENT_ID),
      counter: counters,
      featureStatus: new Uint8Array(CHUNK),
      leadOffMask: new Uint16Array(CHUNK),
      nonFiniteMask: new Uint16Array(CHUNK),
      ref,
      drl,
      channels,
    };
    const arrival = 1.7e12 + tick * 10 + jitter() * 4;
    const block = builder.fromBatch(batch, arrival);
    if (block !== null) blocks.push(block);
  }
  return blocks;
}

/** Median of `runs` timings of `f`, in µs. */
function medianUs(runs: number, f: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    f();
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[runs >> 1]!;
}

const blocks = simulatedBlocks(1);
const perSample = (bytes: number) => (bytes / CAPACITY).toFixed(1);

/** Bytes per sample, push, encode and read costs of one ring against the reference. */
function costs(): void {
  const ring = new SampleRing(CAPACITY);
  const reference = new ReferenceRing(CAPACITY);
  for (const b of blocks) ring.push(b);
  for (const b of blocks) reference.push(b);
  const signalS = (blocks.length * CHUNK) / 500;

  /** Push cost of the whole stream into a fresh ring, as % of a core at 500 Hz (median of 5, warm). */
  function pushShare(make: () => { push(b: SampleBlock): void }): number {
    const ms = medianUs(5, () => {
      const r = make();
      for (const b of blocks) r.push(b);
    }) / 1000;
    return (ms / 1000 / signalS) * 100;
  }
  const ringShare = pushShare(() => new SampleRing(CAPACITY));
  const referenceShare = pushShare(() => new ReferenceRing(CAPACITY));

  // encode cost over 64 different segments of the stream (the same one again and again would train
  // the branch predictor and look cheaper than a live ring's encode)
  const segments: SegmentPlanes[] = [];
  let planes = new SegmentPlanes(SEGMENT_SAMPLES);
  let at = 0;
  for (const b of blocks.slice(blocks.length / 2)) {
    for (let from = 0; from < b.count && segments.length < 64;) {
      const take = Math.min(b.count - from, SEGMENT_SAMPLES - at);
      planes.copyIn(b, from, take, at);
      from += take;
      at += take;
      if (at === SEGMENT_SAMPLES) {
        segments.push(planes);
        planes = new SegmentPlanes(SEGMENT_SAMPLES);
        at = 0;
      }
    }
  }
  let segmentWords = 0;
  for (const p of segments) segmentWords += encodeSegment(p, SEGMENT_SAMPLES).length;
  const encodeUs = medianUs(21, () => {
    for (const p of segments) encodeSegment(p, SEGMENT_SAMPLES);
  }) / segments.length;

  const before = ring.byteSize; // no read yet: the decoded-segment cache is empty
  const buffers = new SampleBuffers(WINDOW);
  const newest = ring.newestSeq!;
  const oldest = ring.oldestSeq!;
  let cold = 0;
  // a window each time in a different place: every segment it touches must be decoded
  const coldUs = medianUs(101, () => {
    cold = (cold + 7919) % (newest - oldest - WINDOW);
    ring.readInto(oldest + cold, WINDOW, buffers);
  });
  // the hub's windows: the newest 512 samples again (each segment already decoded)
  const warmUs = medianUs(101, () => ring.readInto(newest - WINDOW + 1, WINDOW, buffers));
  const referenceUs = medianUs(101, () => reference.readInto(newest - WINDOW + 1, WINDOW, buffers));

  console.log(`  reference (uncompressed): ${perSample(reference.byteSize)} bytes/sample`);
  console.log(
    `  compressed: ${perSample(before)} bytes/sample (${before} bytes, ratio ${
      (reference.byteSize / before).toFixed(2)
    }); segments alone ${
      (segmentWords * 4 / segments.length / SEGMENT_SAMPLES).toFixed(1)
    } bytes/sample`,
  );
  console.log(`  after reads (decoded segments cached): ${perSample(ring.byteSize)} bytes/sample`);
  console.log(
    `  push at 500 Hz: ${ringShare.toFixed(3)} % of a core (reference ${
      referenceShare.toFixed(3)
    } %)`,
  );
  console.log(`  encode: ${encodeUs.toFixed(1)} µs per ${SEGMENT_SAMPLES}-sample segment`);
  console.log(
    `  read ${WINDOW} samples: ${coldUs.toFixed(0)} µs decoding, ${warmUs.toFixed(0)} µs cached, ${
      referenceUs.toFixed(0)
    } µs reference`,
  );
}

/** N full rings in this process (`--rings N`), RSS before and after: what a fleet bridge pays. */
async function ringsRss(count: number, old: boolean): Promise<void> {
  const make = (): { push(b: SampleBlock): void; byteSize: number } =>
    old ? new ReferenceRing(CAPACITY) : new SampleRing(CAPACITY);
  const bun = (globalThis as { Bun?: { gc(sync: boolean): void } }).Bun;
  const gc = bun === undefined ? (globalThis as { gc?: () => void }).gc : () => bun.gc(true);
  // an allocator may hand freed pages back to the system only seconds after a collection: each
  // reading is the lowest over 6 s, collecting every second
  const settle = async () => {
    let least = Infinity;
    for (let i = 0; i < 6; i++) {
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      least = Math.min(least, process.memoryUsage().rss);
    }
    return least;
  };
  const rssBefore = await settle();
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const rings = Array.from({ length: count }, make);
  // interleaved, as a bridge's devices fill them
  for (const b of blocks) for (const r of rings) r.push(b);
  const rss = await settle() - rssBefore;
  const buffers = process.memoryUsage().arrayBuffers - buffersBefore;
  console.log(
    `  ${count} full ${old ? "reference " : ""}rings: RSS +${(rss / 1e6).toFixed(0)} MB, ${
      (rss / count / CAPACITY).toFixed(1)
    } bytes/sample (array buffers ${(buffers / count / CAPACITY).toFixed(1)}, byteSize ${
      perSample(rings[0]!.byteSize)
    })`,
  );
}

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
console.log(`ring memory (${runtime}, load ${loadavg()[0]!.toFixed(2)}), ring of ${CAPACITY}:`);
// alone in the process when asked: the other measurements' garbage would blur the RSS
const ringsAt = process.argv.indexOf("--rings");
if (ringsAt > 0) {
  await ringsRss(Number(process.argv[ringsAt + 1]), process.argv.includes("--reference"));
} else {
  costs();
}
