/** @module The streaming decimator end to end on synthetic blocks: attenuation, alignment, edges, defects. */
import { describe, expect, test } from "bun:test";
import { DECIMATIONS, SIGNALS } from "../../src/core/decimated-sample.ts";
import type { DecimatedSample } from "../../src/core/decimated-sample.ts";
import { Decimator } from "../../src/core/decimator.ts";
import { FIR_DECIMATIONS } from "../../src/core/fir.ts";
import { CHANNELS } from "../../src/core/samples.ts";
import type { SampleBlock } from "../../src/core/samples.ts";

type Signal = (seq: number, signal: number) => number;
interface Out {
  seq: number;
  time: number;
  counter: number;
  values: number[];
  leadOff: number;
  nonFinite: number;
}

const T0 = 1_700_000_000;
const timeOf = (seq: number): number => T0 + seq / 500;

/** A block of the given seqs; `value` gives every signal (0–11 channels, 12 REF, 13 DRL). */
function block(
  seqs: number[],
  value: Signal,
  leadOff: (seq: number) => number = () => 0,
): SampleBlock {
  const n = seqs.length;
  const b = {
    count: n,
    seq: Float64Array.from(seqs),
    counter: Uint8Array.from(seqs, (s) => s & 0xff),
    time: Float64Array.from(seqs, timeOf),
    ref: Float64Array.from(seqs, (s) => value(s, CHANNELS)),
    drl: Float64Array.from(seqs, (s) => value(s, CHANNELS + 1)),
    channels: new Float64Array(n * CHANNELS),
    leadOff: Uint16Array.from(seqs, leadOff),
    nonFinite: new Uint16Array(n),
    featureStatus: new Uint8Array(n),
    arrivalMs: 0,
    gaps: [],
    duplicates: 0,
  };
  seqs.forEach((s, i) => {
    for (let c = 0; c < CHANNELS; c++) b.channels[i * CHANNELS + c] = value(s, c);
    for (let k = 0; k < SIGNALS; k++) if (!Number.isFinite(value(s, k))) b.nonFinite[i]! |= 1 << k;
  });
  return b;
}

const range = (from: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => from + i);

/** Runs `blocks` through a decimator by `d`, then drains it; returns copies of every output. */
function run(d: number, blocks: SampleBlock[], drain = true): Out[] {
  const outs: Out[] = [];
  const dec = new Decimator(
    d,
    (o: DecimatedSample) => outs.push({ ...o, values: Array.from(o.values) }),
  );
  for (const b of blocks) dec.pushBlock(b);
  if (drain) dec.drain();
  return outs;
}

const sine = (hz: number, amplitude: number): Signal => (seq, k) =>
  amplitude * Math.sin(2 * Math.PI * hz * seq / 500 + k * 0.3);

/** RMS of signal `k` over outputs whose seq is in [from, to). */
function rms(outs: Out[], k: number, from: number, to: number): number {
  const v = outs.filter((o) => o.seq >= from && o.seq < to).map((o) => o.values[k]!);
  return Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("Decimator", () => {
  test("attenuates a tone above the new Nyquist by at least 40 dB in the steady state", () => {
    const cases: Array<[number, number]> = [
      [5, 60],
      ...FIR_DECIMATIONS.map((d): [number, number] => [d, 0.6 * (500 / d)]),
    ];
    for (const [d, hz] of cases) {
      const dec = new Decimator(d, () => {});
      const n = 20_000 + 4 * dec.length;
      const outs = run(d, [block(range(0, n), sine(hz, 100))]);
      for (const k of [0, 7, CHANNELS, CHANNELS + 1]) {
        const db = 20 *
          Math.log10(rms(outs, k, 2 * dec.length, n - 2 * dec.length) / (100 / Math.SQRT2));
        expect({ d, hz, k, ok: db <= -40 }).toEqual({ d, hz, k, ok: true });
      }
    }
    // ~2.5 s idle (a long tone through every factor), past bun's 5-s default under load; 60 s
    // only catches a hang
  }, 60_000);

  test("passes a 10 Hz tone within 0.5 dB, in phase with the input, when 10 Hz is in the passband", () => {
    for (const d of [2, 4, 5, 10]) {
      const len = new Decimator(d, () => {}).length;
      const n = 10_000 + 4 * len;
      const signal = sine(10, 100);
      const outs = run(d, [block(range(0, n), signal)]);
      const db = 20 * Math.log10(rms(outs, 3, 2 * len, n - 2 * len) / (100 / Math.SQRT2));
      expect({ d, ok: Math.abs(db) <= 0.5 }).toEqual({ d, ok: true });
      // group delay compensated: each output matches the input sample it is labelled with
      const steady = outs.filter((o) => o.seq >= 2 * len && o.seq < n - 2 * len);
      const worst = Math.max(...steady.map((o) => Math.abs(o.values[3]! - signal(o.seq, 3))));
      expect({ d, ok: worst < 1 }).toEqual({ d, ok: true });
    }
  });

  test("lines a step up with the full-rate stream within d input samples", () => {
    const k = 3003;
    for (const d of FIR_DECIMATIONS) {
      const outs = run(d, [block(range(0, 6000 + 2000 * d / 10), (s) => (s >= k ? 100 : 0))]);
      const i = outs.findIndex((o) => o.values[0]! >= 50);
      const a = outs[i - 1]!;
      const b = outs[i]!;
      const crossing = a.seq +
        ((50 - a.values[0]!) / (b.values[0]! - a.values[0]!)) * (b.seq - a.seq);
      expect({ d, ok: Math.abs(crossing - k) <= d }).toEqual({ d, ok: true });
    }
  });

  test("puts outputs on multiples of d labelled with the centre input's time and counter", () => {
    for (const d of DECIMATIONS) {
      const outs = run(d, [block(range(7, 1200), sine(3, 10))]);
      const first = Math.ceil(7 / d) * d;
      expect(outs.map((o) => o.seq)).toEqual(range(0, outs.length).map((i) => first + i * d));
      expect(outs.at(-1)!.seq).toBe(Math.floor(1206 / d) * d);
      for (const o of outs) expect([o.time, o.counter]).toEqual([timeOf(o.seq), o.seq & 0xff]);
    }
  });

  test("emits an output as soon as the input (N − 1) / 2 after it arrives", () => {
    for (const d of [2, 5, 50]) {
      const emittedAt: Array<[number, number]> = [];
      let current = 0;
      const dec = new Decimator(d, (o) => emittedAt.push([o.seq, current]));
      for (let s = 0; s < 4000; s++) {
        current = s;
        dec.pushBlock(block([s], () => 1));
      }
      expect(emittedAt.length).toBeGreaterThan(0);
      for (const [seq, at] of emittedAt) expect([seq, at]).toEqual([seq, seq + dec.delay]);
    }
  });

  test("pads the edges so a constant input gives that constant from the first output on", () => {
    for (const d of FIR_DECIMATIONS) {
      const outs = run(d, [block(range(3, 400), () => 42.5)]);
      expect(outs[0]!.seq).toBe(Math.ceil(3 / d) * d);
      for (const o of outs) {
        expect({ d, ok: Math.abs(o.values[5]! - 42.5) < 1e-9 }).toEqual({ d, ok: true });
      }
    }
  });

  test("restarts the filter after a gap with no output seq inside it", () => {
    for (const d of FIR_DECIMATIONS) {
      const before = block(range(0, 1000), () => 10);
      const after = block(range(1503, 1000), () => -10);
      const outs = run(d, [before, after]);
      expect(outs.filter((o) => o.seq > 999 && o.seq < 1503)).toEqual([]);
      const pre = outs.filter((o) => o.seq <= 999);
      const post = outs.filter((o) => o.seq >= 1503);
      expect(pre.at(-1)!.seq).toBe(Math.floor(999 / d) * d);
      expect(post[0]!.seq).toBe(Math.ceil(1503 / d) * d);
      expect(post.map((o) => o.seq)).toEqual(
        range(0, post.length).map((i) => post[0]!.seq + i * d),
      );
      // held/padded values only: nothing from the other side leaks across the gap
      for (const o of pre) expect(Math.abs(o.values[0]! - 10) < 1e-9).toBe(true);
      for (const o of post) expect(Math.abs(o.values[0]! + 10) < 1e-9).toBe(true);
    }
  });

  test("confines a NaN to the output that covers it and flags only that signal", () => {
    for (const d of [4, 5, 10]) {
      for (const [signal, nanSeq] of [[3, 2001], [CHANNELS, 2002]] as const) {
        const base = sine(7, 50);
        const withNaN: Signal = (s, k) => (s === nanSeq && k === signal ? NaN : base(s, k));
        // what the filter must see instead: the previous finite value of that signal
        const held: Signal = (s, k) => (s === nanSeq && k === signal ? base(s - 1, k) : base(s, k));
        const got = run(d, [block(range(0, 4000), withNaN)]);
        const want = run(d, [block(range(0, 4000), held)]);
        const cover = got.filter((o) =>
          nanSeq >= o.seq - Math.floor(d / 2) && nanSeq <= o.seq + Math.ceil(d / 2) - 1
        );
        expect(cover.length).toBe(1);
        for (let i = 0; i < got.length; i++) {
          const g = got[i]!;
          if (g === cover[0]) {
            expect(g.nonFinite).toBe(1 << signal);
            expect(Number.isNaN(g.values[signal]!)).toBe(true);
            expect(g.values.filter((_, k) => k !== signal)).toEqual(
              want[i]!.values.filter((_, k) => k !== signal),
            );
          } else {
            expect(g).toEqual(want[i]!);
          }
        }
      }
    }
  });

  test("ORs lead-off over exactly the inputs each output covers", () => {
    const rnd = random(7);
    const masks = range(0, 3000).map(() => (rnd() < 0.02 ? 1 << Math.floor(rnd() * CHANNELS) : 0));
    for (const d of DECIMATIONS) {
      const outs = run(d, [block(range(0, 3000), () => 1, (s) => masks[s]!)]);
      for (const o of outs) {
        let want = 0;
        for (let s = o.seq - Math.floor(d / 2); s <= o.seq + Math.ceil(d / 2) - 1; s++) {
          want |= masks[s] ?? 0;
        }
        expect([o.seq, o.leadOff]).toEqual([o.seq, want]);
      }
      expect(outs.some((o) => o.leadOff !== 0)).toBe(true);
    }
  });

  test("gives the same outputs for any split of the input into blocks", () => {
    const rnd = random(42);
    const seqs = [...range(0, 2500), ...range(2600, 2500)];
    const values = seqs.map(() => Array.from({ length: SIGNALS }, () => rnd() * 200 - 100));
    values[1234]![2] = Infinity;
    const index = new Map(seqs.map((s, i) => [s, i]));
    const signal: Signal = (s, k) => values[index.get(s)!]![k]!;
    const whole = block(seqs, signal, (s) => (s % 97 === 0 ? 2 : 0));
    for (const d of [1, 2, 5, 25]) {
      const want = run(d, [whole]);
      for (const maxChunk of [1, 7, 64, 1000]) {
        const parts: SampleBlock[] = [];
        for (let i = 0; i < seqs.length;) {
          const len = 1 + Math.floor(rnd() * maxChunk);
          const part = seqs.slice(i, i + len);
          parts.push(block(part, signal, (s) => (s % 97 === 0 ? 2 : 0)));
          i += len;
        }
        expect(run(d, parts)).toEqual(want);
      }
    }
  });

  test("passes samples through unchanged when d is 1", () => {
    const signal: Signal = (s, k) => (s === 5 && k === 1 ? NaN : s * 100 + k);
    const outs = run(1, [block(range(0, 10), signal, (s) => s)]);
    expect(outs.map((o) => o.seq)).toEqual(range(0, 10));
    expect(outs[3]!.values).toEqual(range(0, SIGNALS).map((k) => 300 + k));
    expect(outs[5]!.nonFinite).toBe(2);
    expect(Number.isNaN(outs[5]!.values[1]!)).toBe(true);
    expect(outs.map((o) => o.leadOff)).toEqual(range(0, 10));
  });

  test("throws RangeError when d is not a supported factor", () => {
    expect(() => new Decimator(3, () => {})).toThrow(RangeError);
    expect(() => new Decimator(0, () => {})).toThrow(RangeError);
  });
});
