/** @module Batching of one subscription: size and age limits, gaps, decimated seqs, flush/close, ownership. */
import { describe, expect, test } from "bun:test";
import { createBatcher } from "../../src/core/batcher.ts";
import type { BatcherOptions } from "../../src/core/batcher.ts";
import { Decimator } from "../../src/core/decimator.ts";
import { CHANNELS } from "../../src/core/samples.ts";
import type { SampleBatch, SampleBlock } from "../../src/core/samples.ts";
import { ManualClock } from "../_support/fakes.ts";

const T0 = 1_700_000_000;
/** Signal k (0–11 channels, 12 REF, 13 DRL) at `seq`: distinct per signal and sample. */
const valueOf = (seq: number, k: number): number => seq * 100 + k;

function block(seqs: number[]): SampleBlock {
  const n = seqs.length;
  const channels = new Float64Array(n * CHANNELS);
  seqs.forEach((s, i) => {
    for (let c = 0; c < CHANNELS; c++) channels[i * CHANNELS + c] = valueOf(s, c);
  });
  return {
    count: n,
    seq: Float64Array.from(seqs),
    counter: Uint8Array.from(seqs, (s) => s & 0xff),
    time: Float64Array.from(seqs, (s) => T0 + s / 500),
    ref: Float64Array.from(seqs, (s) => valueOf(s, CHANNELS)),
    drl: Float64Array.from(seqs, (s) => valueOf(s, CHANNELS + 1)),
    channels,
    leadOff: Uint16Array.from(seqs, (s) => (s % 10 === 3 ? 1 << (s % CHANNELS) : 0)),
    nonFinite: new Uint16Array(n),
    featureStatus: new Uint8Array(n),
    arrivalMs: 0,
    gaps: [],
    duplicates: 0,
  };
}

const range = (from: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => from + i);

function setup(options: Partial<BatcherOptions> = {}) {
  const clock = new ManualClock();
  const batches: SampleBatch[] = [];
  const batcher = createBatcher(
    { numSamples: 25, intervalMs: 100, decimate: 1, ...options },
    clock,
    (b) => batches.push(b),
  );
  return { clock, batches, batcher };
}

/** Pushes `seqs` in blocks of `size`. */
function feed(batcher: { push(b: SampleBlock): void }, seqs: number[], size: number): void {
  for (let i = 0; i < seqs.length; i += size) batcher.push(block(seqs.slice(i, i + size)));
}

const seqsOf = (b: SampleBatch): number[] =>
  range(0, b.count).map((i) => b.firstSeq + i * b.decimate);

describe("createBatcher", () => {
  test("emits a batch each time numSamples samples have been added", () => {
    const { batches, batcher } = setup();
    feed(batcher, range(0, 110), 7);
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 25], [25, 25], [50, 25], [
      75,
      25,
    ]]);
    const b = batches[1]!;
    expect([b.decimate, b.sampleRate]).toEqual([1, 500]);
    expect(Array.from(b.time)).toEqual(seqsOf(b).map((s) => T0 + s / 500));
    expect(Array.from(b.counter)).toEqual(seqsOf(b).map((s) => s & 0xff));
    // channel-major: channel c's sample i at c * count + i
    expect(b.channels[4 * 25 + 2]).toBe(valueOf(27, 4));
    expect(b.channels.length).toBe(CHANNELS * 25);
    expect(Array.from(b.ref)).toEqual(seqsOf(b).map((s) => valueOf(s, CHANNELS)));
    expect(Array.from(b.drl)).toEqual(seqsOf(b).map((s) => valueOf(s, CHANNELS + 1)));
    expect(b.leadOff[8]).toBe(1 << (33 % CHANNELS));
  });

  test("emits a partial batch intervalMs after its first sample when it does not fill", async () => {
    const { clock, batches, batcher } = setup({ numSamples: 100, intervalMs: 100 });
    feed(batcher, range(0, 10), 5);
    await clock.advance(60);
    feed(batcher, range(10, 5), 5);
    await clock.advance(39);
    expect(batches).toEqual([]);
    await clock.advance(1);
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 15]]);
    // the next batch's timer starts with its own first sample
    await clock.advance(500);
    feed(batcher, range(15, 3), 3);
    await clock.advance(99);
    expect(batches.length).toBe(1);
    await clock.advance(1);
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 15], [15, 3]]);
  });

  test("does not fire the age timer of a batch already emitted by size", async () => {
    const { clock, batches, batcher } = setup({ numSamples: 10, intervalMs: 100 });
    feed(batcher, range(0, 10), 10);
    await clock.advance(50);
    feed(batcher, range(10, 2), 2);
    await clock.advance(60);
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 10]]);
    await clock.advance(40);
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 10], [10, 2]]);
  });

  test("ends the batch at an input seq jump and starts the next one after it", () => {
    const { batches, batcher } = setup({ numSamples: 100 });
    batcher.push(block([...range(0, 10), ...range(20, 10)]));
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 10]]);
    batcher.flush();
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 10], [20, 10]]);
  });

  test("ends a decimated batch at an input gap even when the output grid stays consecutive", () => {
    const { batches, batcher } = setup({ numSamples: 1000, decimate: 5 });
    // inputs 0–1001 give outputs up to 1000; after the gap the first output is 1005
    feed(batcher, [...range(0, 1002), ...range(1004, 1000)], 50);
    batcher.flush();
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 201], [1005, 200 - 15]]);
    // the second batch only holds outputs whose window has fully arrived (1004 + 999 − delay)
    const last = batches[1]!.firstSeq + (batches[1]!.count - 1) * 5;
    expect(last).toBe(Math.floor((2003 - new Decimator(5, () => {}).delay) / 5) * 5);
  });

  test("skips samples it already had when blocks overlap", () => {
    for (const d of [1, 5]) {
      const { batches, batcher } = setup({ numSamples: 5000, decimate: d });
      const whole = setup({ numSamples: 5000, decimate: d });
      feed(batcher, range(0, 300), 300);
      feed(batcher, range(250, 300), 300);
      batcher.flush();
      feed(whole.batcher, range(0, 550), 550);
      whole.batcher.flush();
      expect(batches).toEqual(whole.batches);
      expect(batches.length).toBe(1);
    }
  });

  test("labels decimated samples firstSeq + i·d, continuous across batches", () => {
    for (const d of [2, 10, 50]) {
      const { batches, batcher } = setup({ numSamples: 20, decimate: d });
      feed(batcher, range(3, 30_000), 333);
      expect(batches.length).toBeGreaterThan(2);
      let next = Math.ceil(3 / d) * d;
      for (const b of batches) {
        expect([d, b.firstSeq, b.decimate, b.sampleRate]).toEqual([d, next, d, 500 / d]);
        expect(Array.from(b.time)).toEqual(seqsOf(b).map((s) => T0 + s / 500));
        expect(Array.from(b.counter)).toEqual(seqsOf(b).map((s) => s & 0xff));
        next = b.firstSeq + b.count * d;
      }
    }
  });

  test("carries the decimator's values and masks into the channel-major batch", () => {
    const { batches, batcher } = setup({ numSamples: 7, decimate: 4 });
    const outs: Array<{ seq: number; values: number[]; leadOff: number }> = [];
    const dec = new Decimator(
      4,
      (o) => outs.push({ seq: o.seq, values: Array.from(o.values), leadOff: o.leadOff }),
    );
    const input = block(range(0, 500));
    batcher.push(input);
    dec.pushBlock(input);
    const b = batches[3]!;
    for (let i = 0; i < b.count; i++) {
      const o = outs.find((x) => x.seq === b.firstSeq + i * 4)!;
      for (let c = 0; c < CHANNELS; c++) expect(b.channels[c * b.count + i]).toBe(o.values[c]!);
      expect([b.ref[i], b.drl[i], b.leadOff[i]]).toEqual([
        o.values[CHANNELS],
        o.values[CHANNELS + 1],
        o.leadOff,
      ]);
    }
  });

  test("flush emits the pending partial batch and cancels its timer", async () => {
    const { clock, batches, batcher } = setup({ numSamples: 100 });
    batcher.flush();
    expect(batches).toEqual([]);
    feed(batcher, range(0, 12), 12);
    batcher.flush();
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 12]]);
    await clock.advance(1000);
    expect(batches.length).toBe(1);
    feed(batcher, range(12, 3), 3);
    batcher.flush();
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 12], [12, 3]]);
  });

  test("close drops the pending batch, stops the timer and ignores later calls", async () => {
    const { clock, batches, batcher } = setup({ numSamples: 100 });
    feed(batcher, range(0, 12), 12);
    batcher.close();
    await clock.advance(1000);
    feed(batcher, range(12, 200), 50);
    batcher.flush();
    await clock.advance(1000);
    expect(batches).toEqual([]);
  });

  test("gives every batch its own arrays, untouched by later batches", () => {
    const { batches, batcher } = setup({ numSamples: 10 });
    feed(batcher, range(0, 10), 10);
    const first = batches[0]!;
    const snapshot = structuredClone(first);
    feed(batcher, range(10, 200), 13);
    batcher.flush();
    expect(first).toEqual(snapshot);
    const buffers = batches.flatMap((b) =>
      [b.time, b.counter, b.ref, b.drl, b.channels, b.leadOff, b.nonFinite].map((a) => a.buffer)
    );
    expect(new Set(buffers).size).toBe(buffers.length);
  });

  test("handles batches larger than its initial staging", () => {
    const { batches, batcher } = setup({ numSamples: 5000, intervalMs: 10000 });
    feed(batcher, range(0, 12_000), 250);
    expect(batches.map((b) => [b.firstSeq, b.count])).toEqual([[0, 5000], [5000, 5000]]);
    expect(batches[1]!.channels[3 * 5000 + 4321]).toBe(valueOf(9321, 3));
  });

  test("throws RangeError when an option is out of range", () => {
    const clock = new ManualClock();
    const make = (o: Partial<BatcherOptions>) => () =>
      createBatcher({ numSamples: 25, intervalMs: 100, decimate: 1, ...o }, clock, () => {});
    for (
      const bad of [
        { numSamples: 0 },
        { numSamples: 5001 },
        { numSamples: 2.5 },
        { intervalMs: 9 },
        { intervalMs: 10001 },
        { decimate: 3 },
      ]
    ) {
      expect(make(bad)).toThrow(RangeError);
    }
    expect(make({ numSamples: 5000, intervalMs: 10, decimate: 50 })).not.toThrow();
  });
});
