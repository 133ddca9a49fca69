/**
 * @module SampleRing against the uncompressed ring it replaced (test/_support/reference-ring.ts):
 * seeded random blocks with every awkward value, random capacities and reads; every field of every
 * read must be the same, compared with Object.is per element.
 */
import { describe, expect, test } from "bun:test";
import { SAMPLE_PLANE_NAMES, SampleBuffers } from "../../src/core/sample-buffers.ts";
import { SampleRing } from "../../src/core/sample-ring.ts";
import { CHANNELS } from "../../src/core/samples.ts";
import type { Gap, SampleBlock } from "../../src/core/samples.ts";
import { UV_PER_COUNT } from "../../src/decoder/types.ts";
import { createPrng } from "../../src/sources/signal.ts";
import type { Prng } from "../../src/sources/signal.ts";
import { ReferenceRing } from "../_support/reference-ring.ts";

const PLANES = SAMPLE_PLANE_NAMES;

/** Channel counts no delta coder expects: each is tried in some column of some block. */
const ODD_COUNTS = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  1e-40, // subnormal
  -1e-45,
  8388607, // the lead-off sentinel
  -8388608,
  3.4e38,
  -3.4e38,
  2 ** 24,
  -(2 ** 24),
  2 ** 25, // whole, but beyond the integer form
  1 / 3,
];

/** A random stream of blocks, continuing where the last one ended. */
class Stream {
  seq: number;
  arrival: number;
  phase = 0;
  constructor(readonly rand: Prng) {
    this.seq = rand() < 0.3 ? 0 : Math.floor(rand() * 2 ** (10 + rand() * 42));
    this.arrival = 1.7e12 + rand() * 1e6;
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  block(capacity: number): SampleBlock {
    const r = this.rand;
    const n = r() < 0.03 ? capacity + 1 + this.int(50) : 1 + this.int(40);
    const seq = new Float64Array(n);
    const gaps: Gap[] = [];
    for (let i = 0; i < n; i++) {
      const jump = r() < 0.04 ? 1 + this.int(r() < 0.5 ? 5 : 100_000) : 1;
      this.seq += jump;
      seq[i] = this.seq;
      if (jump > 1 || r() < 0.01) {
        gaps.push({
          index: i,
          seq: this.seq,
          missing: r() < 0.1 ? jump + 0.5 : jump - 1,
          expectedCounter: this.int(r() < 0.1 ? 1000 : 256),
          gotCounter: 0,
          estimated: r() < 0.3,
        });
      }
    }
    if (r() > 0.1) this.arrival += r() < 0.05 ? -3 : r() * 40;
    const arrivalMs = r() < 0.01 ? NaN : r() < 0.01 ? -0 : this.arrival;
    const channels = new Float64Array(n * CHANNELS);
    for (let c = 0; c < CHANNELS; c++) {
      const kind = this.int(10);
      const odd = ODD_COUNTS[this.int(ODD_COUNTS.length)]!;
      for (let i = 0; i < n; i++) {
        const whole = Math.round(2000 * Math.sin((seq[i]! + c) / 7) + 300 * (r() - 0.5));
        const count = kind < 6
          ? whole
          : kind === 6
          ? whole + r() - 0.5
          : kind === 7 && r() < 0.3
          ? odd
          : kind === 8
          ? (r() - 0.5) * 2 ** (this.int(80) - 30)
          : whole;
        // kind 9: a value the decoder never makes (not an f32 count × 0.023842)
        channels[i * CHANNELS + c] = kind === 9 && r() < 0.5
          ? (r() - 0.5) * 1000
          : Math.fround(count) * UV_PER_COUNT;
      }
    }
    const smooth = (scale: number, i: number) =>
      r() < 0.005 ? ODD_COUNTS[this.int(4)]! : scale * Math.sin((this.phase + i) / 300);
    const block: SampleBlock = {
      count: n,
      seq,
      counter: Uint8Array.from(seq, (s) => r() < 0.02 ? this.int(256) : s % 256),
      time: Float64Array.from(seq, (s) => r() < 0.002 ? NaN : 1.7e9 + s / 500 + r() * 1e-4),
      ref: Float64Array.from(seq, (_, i) => smooth(5, i)),
      drl: Float64Array.from(seq, (_, i) => smooth(3, i + 100)),
      channels,
      leadOff: Uint16Array.from(seq, () => r() < 0.05 ? this.int(0x1000) : 0),
      nonFinite: Uint16Array.from(seq, () => r() < 0.02 ? this.int(0x4000) : 0),
      featureStatus: Uint8Array.from(seq, () => r() < 0.01 ? this.int(256) : 7),
      arrivalMs,
      gaps,
      duplicates: 0,
    };
    this.phase += n;
    return block;
  }
}

/** Every field of `a` and `b` is the same value (Object.is per element). */
function expectSame(a: SampleBlock | null, b: SampleBlock | null, what: string): void {
  if (a === null || b === null) {
    expect({ what, a }).toEqual({ what, a: b });
    return;
  }
  const diff: string[] = [];
  for (const key of PLANES) {
    const x = a[key];
    const y = b[key];
    if (x.length !== y.length) diff.push(`${key} length ${x.length} vs ${y.length}`);
    for (let i = 0; i < x.length && diff.length < 5; i++) {
      if (!Object.is(x[i], y[i])) diff.push(`${key}[${i}] ${x[i]} vs ${y[i]}`);
    }
  }
  for (const key of ["count", "arrivalMs", "duplicates"] as const) {
    if (!Object.is(a[key], b[key])) diff.push(`${key} ${a[key]} vs ${b[key]}`);
  }
  const gapText = (g: Gap) =>
    Object.entries(g).map(([k, v]) => `${k}=${Object.is(v, -0) ? "-0" : v}`);
  if (JSON.stringify(a.gaps.map(gapText)) !== JSON.stringify(b.gaps.map(gapText))) {
    diff.push(
      `gaps ${JSON.stringify(a.gaps.map(gapText))} vs ${JSON.stringify(b.gaps.map(gapText))}`,
    );
  }
  expect({ what, diff }).toEqual({ what, diff: [] });
}

const CAPACITIES = [1, 2, 7, 127, 128, 129, 255, 256, 300, 1000, 1500];

describe("SampleRing (compressed) against the uncompressed reference", () => {
  test(
    "reads back every field exactly as the reference does, for random streams, capacities and reads",
    () => {
      for (let trial = 0; trial < 40; trial++) {
        const rand = createPrng(0xc0ffee + trial);
        const capacity = trial < CAPACITIES.length
          ? CAPACITIES[trial]!
          : 1 + Math.floor(rand() * 700);
        const ring = new SampleRing(capacity);
        const ref = new ReferenceRing(capacity);
        const stream = new Stream(rand);
        const bufA = new SampleBuffers(capacity + 10);
        const bufB = new SampleBuffers(capacity + 10);
        let pushed = 0;
        while (pushed < Math.min(4000, 3 * capacity + 200)) {
          const b = stream.block(capacity);
          ring.push(b);
          ref.push(b);
          pushed += b.count;
          const where = `trial ${trial} cap ${capacity} pushed ${pushed}`;
          expect({ where, o: ring.oldestSeq, n: ring.newestSeq, s: ring.size }).toEqual({
            where,
            o: ref.oldestSeq,
            n: ref.newestSeq,
            s: ref.size,
          });
          for (let k = 0; k < 3; k++) {
            const oldest = ref.oldestSeq!;
            const newest = ref.newestSeq!;
            const span = newest - oldest;
            const fromSeq = rand() < 0.1
              ? -Infinity
              : rand() < 0.1
              ? newest + 1
              : oldest - 3 + Math.floor(rand() * (span + 6)) + (rand() < 0.1 ? 0.5 : 0);
            const max = 1 + Math.floor(rand() * (capacity + 10));
            expectSame(
              ring.read(fromSeq, max),
              ref.read(fromSeq, max),
              `${where} read ${fromSeq} ${max}`,
            );
            expectSame(
              ring.readInto(fromSeq, max, bufA),
              ref.readInto(fromSeq, max, bufB),
              `${where} readInto ${fromSeq} ${max}`,
            );
          }
        }
      }
    },
    20_000,
  ); // ~0.7 s on a quiet machine (600 trials, tried once: 7.6 s); room for a loaded CI

  test("holds simulated whole-count data in a quarter of the reference's bytes, and lets go of decoded segments when reads stop", () => {
    const rand = createPrng(7);
    const ring = new SampleRing(3000);
    const ref = new ReferenceRing(3000);
    let seq = 0;
    const pushBoth = (samples: number) => {
      for (const end = seq + samples; seq < end;) {
        const n = 5;
        const channels = new Float64Array(n * CHANNELS);
        for (let i = 0; i < n * CHANNELS; i++) {
          const t = (seq + Math.floor(i / CHANNELS)) / 50; // 10 Hz at 500 Hz, a phase per channel
          channels[i] = Math.round(1000 * Math.sin(t + (i % CHANNELS)) + 100 * rand()) *
            UV_PER_COUNT;
        }
        const s = Float64Array.from({ length: n }, () => seq++);
        const b: SampleBlock = {
          count: n,
          seq: s,
          counter: Uint8Array.from(s, (v) => v % 256),
          time: Float64Array.from(s, (v) => 1.7e9 + v / 500),
          ref: Float64Array.from(s, (v) => 5 * Math.sin(v / 800)),
          drl: Float64Array.from(s, (v) => 3 * Math.cos(v / 500)),
          channels,
          leadOff: new Uint16Array(n),
          nonFinite: new Uint16Array(n),
          featureStatus: new Uint8Array(n),
          arrivalMs: 1.7e12 + seq * 2,
          gaps: [],
          duplicates: 0,
        };
        ring.push(b);
        ref.push(b);
      }
    };
    pushBoth(3000);
    // the decoded-segment cache is empty until a read; the open segment is counted
    const unread = ring.byteSize;
    expect(unread).toBeLessThan(ref.byteSize / 4);
    expectSame(ring.read(0, 3000), ref.read(0, 3000), "whole ring");
    // 13 decoded segments of 128 samples at 96 bytes: ~160 kB while reads go on
    expect(ring.byteSize - unread).toBeGreaterThan(150_000);
    pushBoth(10 * 128); // 10 segments closed without a read: the decoded ones are let go
    expect(ring.byteSize).toBeLessThan(unread + 10_000);
    expectSame(ring.read(0, 3000), ref.read(0, 3000), "whole ring after the cache was let go");
  });
});
