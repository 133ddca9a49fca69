/** @module The mains notch: design figures, steady-state attenuation, pass band, NaN and lead-off handling, the batcher stage. */
import { describe, expect, test } from "bun:test";
import { createBatcher } from "../../src/core/batcher.ts";
import { NotchBank, notchDesign, responseDb, SampleNotch } from "../../src/core/notch.ts";
import { CHANNELS } from "../../src/core/samples.ts";
import type { SampleBatch, SampleBlock } from "../../src/core/samples.ts";
import { ManualClock } from "../_support/fakes.ts";

const FS = 500;
const tone = (f: number, amplitude = 100, phase = 0.3) => (n: number) =>
  amplitude * Math.sin((2 * Math.PI * f * n) / FS + phase);

/** Amplitude of the `f` Hz component of `x` (a one-bin DFT over a whole number of periods). */
function amplitudeAt(x: ArrayLike<number>, f: number): number {
  let re = 0;
  let im = 0;
  for (let n = 0; n < x.length; n++) {
    re += x[n]! * Math.cos((2 * Math.PI * f * n) / FS);
    im += x[n]! * Math.sin((2 * Math.PI * f * n) / FS);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

/** Runs signal 0 of a bank over `seconds` of `input` and returns the last second of output. */
function lastSecond(
  f0: number,
  input: (n: number) => number,
  seconds = 3,
): { out: Float64Array; input: Float64Array } {
  const bank = new NotchBank(f0, 1);
  const total = seconds * FS;
  const out = new Float64Array(FS);
  const inp = new Float64Array(FS);
  for (let n = 0; n < total; n++) {
    const y = bank.step(0, input(n));
    if (n >= total - FS) {
      out[n - total + FS] = y;
      inp[n - total + FS] = input(n);
    }
  }
  return { out, input: inp };
}

const gainDb = (f0: number, f: number) => {
  const { out, input } = lastSecond(f0, tone(f));
  return 20 * Math.log10(amplitudeAt(out, f) / amplitudeAt(input, f));
};

describe("notchDesign", () => {
  test("has a zero at f0, a −3 dB width of f0/Q and unit gain at DC and Nyquist", () => {
    for (const f0 of [50, 60]) {
      const k = notchDesign(f0);
      expect(responseDb(k, f0)).toBeLessThan(-200);
      expect(responseDb(k, f0 - f0 / 60)).toBeCloseTo(-3.01, 1);
      expect(responseDb(k, f0 + f0 / 60)).toBeCloseTo(-3.01, 1);
      expect(Math.abs(responseDb(k, 0))).toBeLessThan(1e-9);
      expect(Math.abs(responseDb(k, 250))).toBeLessThan(1e-9);
    }
  });

  test("refuses frequencies outside (0, fs/2) and non-positive Q", () => {
    expect(() => notchDesign(0)).toThrow(RangeError);
    expect(() => notchDesign(250)).toThrow(RangeError);
    expect(() => notchDesign(50, 500, 0)).toThrow(RangeError);
  });
});

describe("NotchBank", () => {
  test("attenuates a 50 Hz tone by at least 30 dB in steady state", () => {
    const g = gainDb(50, 50);
    expect(g).toBeLessThan(-30); // reached: −105 dB in the third second (−288 dB by the tenth)
    expect(gainDb(60, 60)).toBeLessThan(-30);
  });

  test("passes a 10 Hz tone within 0.5 dB and 45/55 Hz within 1 dB", () => {
    expect(Math.abs(gainDb(50, 10))).toBeLessThan(0.5);
    expect(Math.abs(gainDb(50, 45))).toBeLessThan(1);
    expect(Math.abs(gainDb(50, 55))).toBeLessThan(1);
    expect(Math.abs(gainDb(60, 50))).toBeLessThan(1); // the 60 Hz notch leaves 50 Hz alone
  });

  test("starts in the steady state of its first input: a DC offset passes without ringing", () => {
    const bank = new NotchBank(50, 1);
    for (let n = 0; n < 200; n++) expect(bank.step(0, 5000)).toBeCloseTo(5000, 9);
  });

  test("passes NaN and Infinity through without poisoning the state", () => {
    const bank = new NotchBank(50, 1);
    const x = (n: number) => 20 + tone(10)(n) + tone(50)(n);
    const out: number[] = [];
    for (let n = 0; n < 4 * FS; n++) {
      const v = n === 1000 ? NaN : n === 1001 ? Infinity : x(n);
      out.push(bank.step(0, v));
    }
    expect(out[1000]).toBeNaN();
    expect(out[1001]).toBe(Infinity);
    expect(out.slice(1002).every(Number.isFinite)).toBe(true);
    // a second after the bad samples the 50 Hz component is gone again and the 10 Hz one intact
    const tail = out.slice(3 * FS);
    expect(amplitudeAt(tail, 50)).toBeLessThan(100 * 10 ** (-30 / 20));
    expect(amplitudeAt(tail, 10)).toBeCloseTo(100, 0);
  });

  test("keeps one independent state per signal and forgets it on reset", () => {
    const bank = new NotchBank(50, 2);
    for (let n = 0; n < 100; n++) bank.step(0, tone(50)(n));
    expect(bank.step(1, 7)).toBeCloseTo(7, 9); // signal 1 untouched by signal 0's history
    bank.reset();
    expect(bank.step(0, -3)).toBeCloseTo(-3, 9);
  });
});

function block(
  from: number,
  count: number,
  value: (n: number, c: number) => number,
  leadOff = 0,
): SampleBlock {
  const channels = new Float64Array(count * CHANNELS);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < CHANNELS; c++) channels[i * CHANNELS + c] = value(from + i, c);
  }
  return {
    count,
    seq: Float64Array.from({ length: count }, (_, i) => from + i),
    counter: Uint8Array.from({ length: count }, (_, i) => (from + i) & 0xff),
    time: Float64Array.from({ length: count }, (_, i) => (from + i) / FS),
    ref: Float64Array.from({ length: count }, (_, i) => value(from + i, 0)),
    drl: Float64Array.from({ length: count }, (_, i) => value(from + i, 1)),
    channels,
    leadOff: new Uint16Array(count).fill(leadOff),
    nonFinite: new Uint16Array(count),
    featureStatus: new Uint8Array(count),
    arrivalMs: 0,
    gaps: [],
    duplicates: 0,
  };
}

describe("SampleNotch", () => {
  test("filters every signal but passes a lead-off channel through unchanged", () => {
    const stage = new SampleNotch(50);
    const b = block(0, 1000, (n) => 40 + tone(50)(n), 1 << 3);
    const ch0: number[] = [];
    const ch3: number[] = [];
    const ref: number[] = [];
    for (let i = 0; i < b.count; i++) {
      const s = stage.filter(b, i);
      expect(s.seq[0]).toBe(i);
      ch0.push(s.channels[0]!);
      ch3.push(s.channels[3]!);
      ref.push(s.ref[0]!);
    }
    expect(amplitudeAt(ch0.slice(500), 50)).toBeLessThan(0.5);
    expect(amplitudeAt(ref.slice(500), 50)).toBeLessThan(0.5);
    expect(ch3).toEqual(Array.from({ length: 1000 }, (_, n) => 40 + tone(50)(n)));
  });
});

describe("createBatcher notch stage", () => {
  function run(notchHz: 50 | null, decimate: number, switchTo?: 50 | null) {
    const batches: SampleBatch[] = [];
    const batcher = createBatcher(
      { numSamples: 50, intervalMs: 1000, decimate, notchHz },
      new ManualClock(),
      (b) => batches.push(b),
    );
    for (let at = 0; at < 2000; at += 100) {
      if (at === 1000 && switchTo !== undefined) batcher.setNotch(switchTo);
      batcher.push(block(at, 100, (n, c) => c * 10 + tone(50)(n) + tone(10, 30)(n)));
    }
    // channel 2's values after the 1.5 s mark
    const tail = batches.filter((b) => b.firstSeq >= 1500).flatMap((b) =>
      Array.from(b.channels.subarray(2 * b.count, 3 * b.count))
    );
    return { batches, tail };
  }

  test("removes 50 Hz from the batches before decimation; without the notch it stays", () => {
    const on = run(50, 1);
    expect(amplitudeAt(on.tail, 50)).toBeLessThan(1);
    expect(amplitudeAt(on.tail, 10)).toBeCloseTo(30, 0);
    expect(amplitudeAt(run(null, 1).tail, 50)).toBeCloseTo(100, 0);
    const d2 = run(50, 2).tail; // 250 Hz output: 50 Hz still representable, so the notch shows
    let re = 0;
    for (let n = 0; n < d2.length; n++) re += d2[n]! * Math.sin((2 * Math.PI * 50 * n) / 250 + 0.3);
    expect(Math.abs((2 * re) / d2.length)).toBeLessThan(1);
  });

  test("setNotch switches from the next sample on, in both directions", () => {
    expect(amplitudeAt(run(null, 1, 50).tail, 50)).toBeLessThan(1);
    expect(amplitudeAt(run(50, 1, null).tail, 50)).toBeCloseTo(100, 0);
  });
});
