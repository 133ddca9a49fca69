/** @module SampleRing: wrap-around, reads older than retained, paging, gaps, fixed capacity, ownership. */
import { describe, expect, test } from "bun:test";
import { SAMPLE_PLANE_NAMES, SampleBuffers } from "../../src/core/sample-buffers.ts";
import { SampleRing } from "../../src/core/sample-ring.ts";
import { CHANNELS } from "../../src/core/samples.ts";
import { UV_PER_COUNT } from "../../src/decoder/types.ts";
import type { Gap, SampleBlock } from "../../src/core/samples.ts";

/** A block whose every field is derived from seq, so any sample can be checked on its own. */
function block(
  seqs: number[],
  gaps: Gap[] = [],
  arrivalMs = 1000 + seqs[seqs.length - 1]!,
): SampleBlock {
  const n = seqs.length;
  const channels = new Float64Array(n * CHANNELS);
  seqs.forEach((s, i) => {
    // decoded values, as the decoder makes them: an f32 count (here fractional, as the simulator's) × 0.023842 in f64
    for (let c = 0; c < CHANNELS; c++) {
      channels[i * CHANNELS + c] = Math.fround(s * 100 + c + 1 / 3) * UV_PER_COUNT;
    }
  });
  return {
    count: n,
    seq: Float64Array.from(seqs),
    counter: Uint8Array.from(seqs.map((s) => s & 255)),
    time: Float64Array.from(seqs.map((s) => 1_700_000_000 + s / 500)),
    ref: Float64Array.from(seqs.map((s) => Math.fround(s + 0.1))),
    drl: Float64Array.from(seqs.map((s) => -s)),
    channels,
    leadOff: Uint16Array.from(seqs.map((s) => s & 0xfff)),
    nonFinite: Uint16Array.from(seqs.map((s) => (s * 7) & 0x3fff)),
    featureStatus: Uint8Array.from(seqs.map((s) => (s * 3) & 255)),
    arrivalMs,
    gaps,
    duplicates: 0,
  };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

const PLANES = SAMPLE_PLANE_NAMES;

/** Every field of `b` is what `block()` made for its seqs. */
function expectConsistent(b: SampleBlock): void {
  const seqs = Array.from(b.seq);
  const expected = block(seqs, [...b.gaps], b.arrivalMs);
  expect(b.count).toBe(seqs.length);
  for (const key of PLANES.filter((k) => k !== "seq")) {
    expect({ key, values: Array.from(b[key]) }).toEqual({ key, values: Array.from(expected[key]) });
  }
}

describe("SampleRing", () => {
  test("gives decoded values back bit for bit: every f32 count, its extremes, ±0 and the non-finite ones", () => {
    const counts = [
      0,
      -0,
      1,
      -1,
      8388607,
      -8388608,
      1 / 3,
      1e-40,
      3.4e38,
      -3.4e38,
      Infinity,
      -Infinity,
    ];
    const ring = new SampleRing(4);
    const b = block([0]);
    counts.forEach((count, c) => (b.channels[c] = Math.fround(count) * UV_PER_COUNT));
    ring.push(b);
    const back = Array.from(ring.read(0, 1)!.channels);
    expect(back.map((v) => Object.is(v, -0) ? "-0" : v)).toEqual(
      Array.from(b.channels).map((v) => Object.is(v, -0) ? "-0" : v),
    );
    // a random sweep of f32 counts of every magnitude
    let x = 12345;
    for (let k = 0; k < 2000; k++) {
      const r = new SampleRing(2);
      const one = block([k]);
      for (let c = 0; c < CHANNELS; c++) {
        x = (x * 1103515245 + 12345) >>> 0;
        one.channels[c] = Math.fround(((x / 2 ** 32) - 0.5) * 2 ** ((x % 60) - 20)) * UV_PER_COUNT;
      }
      r.push(one);
      expect(Array.from(r.read(k, 1)!.channels)).toEqual(Array.from(one.channels));
    }
  });

  test("is empty at first: no oldest or newest, nothing to read", () => {
    const ring = new SampleRing(8);
    expect([ring.oldestSeq, ring.newestSeq, ring.size, ring.capacity]).toEqual([null, null, 0, 8]);
    expect(ring.read(0, 10)).toBeNull();
  });

  test("defaults to 60 s at 500 Hz", () => {
    expect(new SampleRing().capacity).toBe(30_000);
  });

  test("keeps exactly the newest capacity samples, in order, after wrapping around", () => {
    const ring = new SampleRing(10);
    ring.push(block(range(0, 4)));
    ring.push(block(range(4, 7)));
    ring.push(block(range(11, 14))); // 25 samples pushed into 10 slots
    expect([ring.oldestSeq, ring.newestSeq, ring.size]).toEqual([15, 24, 10]);
    const all = ring.read(0, 100)!;
    expect(Array.from(all.seq)).toEqual(range(15, 10));
    expectConsistent(all);
  });

  test("reads from oldestSeq when asked for an older seq, and from the first seq at or after fromSeq", () => {
    const ring = new SampleRing(6);
    ring.push(block([0, 1, 2, 5, 6, 7, 8, 9]));
    expect(ring.oldestSeq).toBe(2);
    expect(Array.from(ring.read(1, 3)!.seq)).toEqual([2, 5, 6]);
    expect(Array.from(ring.read(3, 2)!.seq)).toEqual([5, 6]);
    expect(ring.read(10, 5)).toBeNull();
  });

  test("pages through the retained samples with maxSamples and next fromSeq = last + 1", () => {
    const ring = new SampleRing(10);
    ring.push(block(range(0, 25)));
    const pages: number[][] = [];
    for (let from = 0, page = ring.read(from, 4); page !== null; page = ring.read(from, 4)) {
      pages.push(Array.from(page.seq));
      expectConsistent(page);
      from = page.seq[page.count - 1]! + 1;
    }
    expect(pages).toEqual([[15, 16, 17, 18], [19, 20, 21, 22], [23, 24]]);
  });

  test("returns the original gaps inside the range, including one before its first sample", () => {
    const ring = new SampleRing(100);
    const counterGap: Gap = {
      index: 2,
      seq: 12,
      missing: 9,
      expectedCounter: 3,
      gotCounter: 12,
      estimated: false,
    };
    ring.push(block([0, 1, 2, 12, 13], [{ ...counterGap, index: 3 }]));
    const reconnect: Gap = {
      index: 0,
      seq: 600,
      missing: 586,
      expectedCounter: 14,
      gotCounter: 600 & 255,
      estimated: true,
    };
    ring.push(block([600, 601], [reconnect]));
    const whole = ring.read(0, 10)!;
    expect(whole.gaps).toEqual([{ ...counterGap, index: 3 }, { ...reconnect, index: 5 }]);
    const fromGap = ring.read(12, 3)!;
    expect(Array.from(fromGap.seq)).toEqual([12, 13, 600]);
    expect(fromGap.gaps).toEqual([{ ...counterGap, index: 0 }, { ...reconnect, index: 2 }]);
    expect(ring.read(13, 1)!.gaps).toEqual([]);
    expect(whole.duplicates).toBe(0);
  });

  test("forgets a gap whose sample was overwritten, and keeps one that wrapped", () => {
    const ring = new SampleRing(4);
    const g = (index: number, seq: number): Gap => ({
      index,
      seq,
      missing: 1,
      expectedCounter: seq - 1,
      gotCounter: seq,
      estimated: false,
    });
    ring.push(block([0, 2, 3], [g(1, 2)]));
    ring.push(block([4, 6, 7], [g(1, 6)]));
    const all = ring.read(0, 10)!;
    expect(Array.from(all.seq)).toEqual([3, 4, 6, 7]);
    expect(all.gaps).toEqual([g(2, 6)]);
  });

  test("keeps only the newest samples and their gaps when one block exceeds the capacity", () => {
    const ring = new SampleRing(3);
    const gaps: Gap[] = [
      { index: 1, seq: 5, missing: 4, expectedCounter: 1, gotCounter: 5, estimated: false },
      { index: 3, seq: 9, missing: 2, expectedCounter: 7, gotCounter: 9, estimated: false },
    ];
    ring.push(block([0, 5, 6, 9, 10], gaps));
    const all = ring.read(0, 10)!;
    expect(Array.from(all.seq)).toEqual([6, 9, 10]);
    expect(all.gaps).toEqual([{ ...gaps[1]!, index: 1 }]);
    expectConsistent(all);
  });

  test("never grows: size stays at capacity however much is pushed", () => {
    const ring = new SampleRing(1000);
    for (let s = 0; s < 50_000; s += 7) ring.push(block(range(s, 7)));
    expect([ring.size, ring.capacity]).toEqual([1000, 1000]);
    expect(ring.newestSeq! - ring.oldestSeq!).toBe(999);
    expect(ring.read(0, 5000)!.count).toBe(1000);
  });

  test("reports the arrival of the chunk that held the newest returned sample", () => {
    const ring = new SampleRing(10);
    ring.push(block([0, 1], [], 111));
    ring.push(block([2, 3], [], 222));
    expect(ring.read(0, 1)!.arrivalMs).toBe(111);
    expect(ring.read(0, 3)!.arrivalMs).toBe(222);
  });

  test("hands out blocks with their own arrays, unaffected by later pushes", () => {
    const ring = new SampleRing(4);
    ring.push(block(range(0, 4)));
    const first = ring.read(0, 4)!;
    ring.push(block(range(4, 4)));
    expect(Array.from(first.seq)).toEqual([0, 1, 2, 3]);
    expectConsistent(first);
    first.channels[0] = -1;
    expect(ring.read(4, 1)!.channels[0]).toBe(Math.fround(400 + 1 / 3) * UV_PER_COUNT);
  });

  test("rejects a block that does not continue after newestSeq, and bad arguments", () => {
    const ring = new SampleRing(4);
    ring.push(block([5, 6]));
    expect(() => ring.push(block([6, 7]))).toThrow(RangeError);
    expect(() => ring.read(0, 0)).toThrow(RangeError);
    expect(() => ring.read(Number.NaN, 1)).toThrow(RangeError);
    expect(() => new SampleRing(0)).toThrow(RangeError);
    ring.push(block([]));
    expect(ring.size).toBe(2);
  });
});

describe("SampleRing.readInto (the hub's lent windows)", () => {
  test("equals read, across the wrap, for full and short reads, into one reused set of buffers", () => {
    const ring = new SampleRing(100);
    ring.push(block(range(0, 70)));
    ring.push(
      block(range(75, 60), [{
        index: 0,
        seq: 75,
        missing: 5,
        expectedCounter: 70,
        gotCounter: 75,
        estimated: false,
      }]),
    );
    const buffers = new SampleBuffers(40);
    for (
      const [from, n] of [[40, 40], [60, 40], [90, 40], [120, 40], [130, 40], [66, 12]] as const
    ) {
      const lent = ring.readInto(from, n, buffers)!;
      const own = ring.read(from, n)!;
      const plain = (b: SampleBlock) => ({
        ...b,
        ...Object.fromEntries(PLANES.map((k) => [k, Array.from(b[k])])),
      });
      expect({ from, n, block: plain(lent) }).toEqual({ from, n, block: plain(own) });
      expectConsistent(lent);
    }
    expect(() => ring.readInto(0, 41, buffers)).toThrow(/41 samples into buffers of 40/);
  });
});
