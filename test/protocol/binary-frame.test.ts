/**
 * @module Binary eeg_batch frames: the encoder checked by an independent DataView decoder written
 * here from the §3 table, the reader module against the same frames, its errors, and frame sizes.
 */
import { describe, expect, test } from "bun:test";
import { CHANNELS } from "../../src/core/samples.ts";
import type { SampleBatch } from "../../src/core/samples.ts";
import {
  eegBatchFrame,
  frameBytes,
  HEADER_BYTES,
  KIND_EEG_BATCH,
  LAYOUT_VERSION,
  MAGIC,
} from "../../src/protocol/encoders/binary-frame.ts";
import { readEegBatchFrame } from "../../src/protocol/encoders/binary-frame-reader.ts";
import { createPrng } from "../../src/sources/signal.ts";

const ALL = Array.from({ length: CHANNELS }, (_, c) => c + 1);

/** A batch with distinct, non-f32-exact values (so f32 rounding is visible) and some lead-off bits. */
function makeBatch(count: number, seed = 1): SampleBatch {
  const random = createPrng(seed);
  return {
    firstSeq: 2 ** 40 + 7,
    count,
    decimate: 5,
    sampleRate: 100,
    time: Float64Array.from({ length: count }, (_, i) => 1700000000.123456 + i / 100),
    counter: Uint8Array.from({ length: count }, (_, i) => (i * 5) & 0xff),
    ref: Float64Array.from({ length: count }, () => random() * 10 - 5),
    drl: Float64Array.from({ length: count }, () => random() * 10 - 5),
    channels: Float64Array.from({ length: CHANNELS * count }, () => (random() - 0.5) * 400),
    leadOff: Uint16Array.from(
      { length: count },
      (_, i) => (i % 3 === 0 ? (1 << 3) | (1 << 11) : 0),
    ),
    nonFinite: new Uint16Array(count),
  };
}

/** Decodes a frame straight from the docs/protocol/bridge-api.md §3 table, sharing no code with src/. */
function decodeIndependently(frame: Uint8Array) {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const c = v.getUint8(6);
  const flags = v.getUint8(7);
  const n = v.getUint32(8, true);
  const plane = (at: number) => Array.from({ length: n }, (_, i) => v.getFloat32(at + 4 * i, true));
  const planes: number[][] = [];
  for (let k = 0; k < c + (flags & 1 ? 2 : 0); k++) planes.push(plane(36 + 4 * n * k));
  const leadOffAt = 36 + 4 * n * planes.length;
  return {
    magic: [0, 1, 2, 3].map((i) => v.getUint8(i)),
    version: v.getUint8(4),
    kind: v.getUint8(5),
    c,
    flags,
    n,
    sampleRate: v.getFloat32(12, true),
    firstSeq: v.getFloat64(16, true),
    t0: v.getFloat64(24, true),
    mask: v.getUint16(32, true),
    reserved: v.getUint16(34, true),
    planes,
    leadOff: Array.from({ length: n }, (_, i) => v.getUint16(leadOffAt + 2 * i, true)),
    end: leadOffAt + 2 * n,
  };
}

const channelValues = (b: SampleBatch, ch: number) =>
  Array.from(b.channels.subarray((ch - 1) * b.count, ch * b.count));
const f32 = (values: ArrayLike<number>) => Array.from(values, Math.fround);

describe("eegBatchFrame", () => {
  test("writes every header field at its §3 offset when a subset is selected without REF/DRL", () => {
    const batch = makeBatch(7);
    const frame = eegBatchFrame(batch, { channels: [2, 5, 12], refDrl: false });
    const d = decodeIndependently(frame);
    expect(d.magic).toEqual([0x4d, 0x57, 0x37, 0x35]);
    expect(d).toMatchObject({
      version: 1,
      kind: 1,
      c: 3,
      flags: 0,
      n: 7,
      sampleRate: 100,
      reserved: 0,
    });
    expect(d.firstSeq).toBe(2 ** 40 + 7);
    expect(d.t0).toBe(batch.time[0]!);
    expect(d.mask).toBe((1 << 1) | (1 << 4) | (1 << 11));
    expect(frame.length).toBe(36 + 4 * 3 * 7 + 2 * 7);
    expect(d.end).toBe(frame.length);
  });

  test("writes the selected channel planes in ascending order within f32 precision", () => {
    const batch = makeBatch(7);
    const d = decodeIndependently(eegBatchFrame(batch, { channels: [2, 5, 12], refDrl: false }));
    expect(d.planes).toEqual([
      f32(channelValues(batch, 2)),
      f32(channelValues(batch, 5)),
      f32(channelValues(batch, 12)),
    ]);
    // the values really needed rounding, so a f64 write would have failed the comparison above
    expect(d.planes[0]).not.toEqual(channelValues(batch, 2));
  });

  test("sets flag bit 0 and appends the REF then DRL planes when refDrl is true", () => {
    const batch = makeBatch(5);
    const frame = eegBatchFrame(batch, { channels: ALL, refDrl: true });
    const d = decodeIndependently(frame);
    expect(d.flags).toBe(1);
    expect(d.c).toBe(12);
    expect(d.mask).toBe(0x0fff);
    expect(d.planes.slice(0, 12)).toEqual(ALL.map((ch) => f32(channelValues(batch, ch))));
    expect(d.planes[12]).toEqual(f32(batch.ref));
    expect(d.planes[13]).toEqual(f32(batch.drl));
    expect(frame.length).toBe(36 + 4 * 12 * 5 + 8 * 5 + 2 * 5);
    expect(d.end).toBe(frame.length);
  });

  test("writes each sample's full 12-bit lead-off mask, unselected channels included", () => {
    const batch = makeBatch(6);
    batch.leadOff[1] = 0xf000 | 1; // bits above channel 12 are not part of the layout
    const d = decodeIndependently(eegBatchFrame(batch, { channels: [2], refDrl: false }));
    expect(d.leadOff).toEqual([0x0808, 1, 0, 0x0808, 0, 0]);
  });

  test("keeps NaN and ±Infinity as IEEE values", () => {
    const batch = makeBatch(3);
    batch.channels[0] = Number.NaN;
    batch.channels[1] = Number.POSITIVE_INFINITY;
    batch.ref[2] = Number.NEGATIVE_INFINITY;
    batch.drl[0] = Number.NaN;
    const d = decodeIndependently(eegBatchFrame(batch, { channels: [1], refDrl: true }));
    expect(Number.isNaN(d.planes[0]![0])).toBe(true);
    expect(d.planes[0]![1]).toBe(Number.POSITIVE_INFINITY);
    expect(d.planes[1]![2]).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(d.planes[2]![0])).toBe(true);
  });

  test("exports constants and a size formula that match the layout", () => {
    expect([...MAGIC]).toEqual([0x4d, 0x57, 0x37, 0x35]);
    expect([LAYOUT_VERSION, KIND_EEG_BATCH, HEADER_BYTES]).toEqual([1, 1, 36]);
    expect(frameBytes(12, 50, false)).toBe(2536);
    expect(frameBytes(12, 50, true)).toBe(2936);
    expect(frameBytes(3, 1, true)).toBe(36 + 12 + 8 + 2);
  });

  test("throws RangeError when the selection or the batch is invalid", () => {
    for (const channels of [[], [5, 2], [0], [13], [4, 4]]) {
      expect(() => eegBatchFrame(makeBatch(2), { channels, refDrl: false })).toThrow(RangeError);
    }
    expect(() => eegBatchFrame(makeBatch(0), { channels: [1], refDrl: false })).toThrow(RangeError);
  });
});

describe("frame sizes", () => {
  test("a sample costs at least 10× fewer bytes than a 510-byte eeg_data message when N = 50 with 12 channels", () => {
    const frame = eegBatchFrame(makeBatch(50), { channels: ALL, refDrl: false });
    expect(frame.length).toBe(frameBytes(12, 50, false));
    const perSample = frame.length / 50;
    expect(perSample).toBeCloseTo(50.72, 10);
    expect(510 / perSample).toBeGreaterThanOrEqual(10);
    // with REF/DRL planes the gain is smaller; pinned so the docs' figure stays true
    expect(eegBatchFrame(makeBatch(50), { channels: ALL, refDrl: true }).length / 50).toBeCloseTo(
      58.72,
      10,
    );
  });
});

describe("readEegBatchFrame", () => {
  test("returns what the independent decoder sees, for selections with and without REF/DRL", () => {
    for (const [channels, refDrl] of [[[2, 5, 12], false], [ALL, true], [[7], true]] as const) {
      const batch = makeBatch(9);
      const frame = eegBatchFrame(batch, { channels, refDrl });
      const d = decodeIndependently(frame);
      const r = readEegBatchFrame(frame);
      expect(r).toMatchObject({
        version: 1,
        kind: 1,
        channels: [...channels],
        sampleRate: 100,
        firstSeq: d.firstSeq,
        t0: d.t0,
        count: 9,
      });
      expect([...r.data.keys()]).toEqual([...channels]);
      expect(channels.map((ch) => Array.from(r.data.get(ch)!))).toEqual(
        d.planes.slice(0, channels.length),
      );
      expect(r.ref === undefined ? undefined : Array.from(r.ref)).toEqual(
        refDrl ? d.planes[channels.length] : undefined,
      );
      expect(r.drl === undefined ? undefined : Array.from(r.drl)).toEqual(
        refDrl ? d.planes[channels.length + 1] : undefined,
      );
      expect("ref" in r).toBe(refDrl);
      expect(Array.from(r.leadOff)).toEqual(d.leadOff);
    }
  });

  test("reads an ArrayBuffer and a Uint8Array at an odd offset inside a larger buffer", () => {
    const frame = eegBatchFrame(makeBatch(4), { channels: [1, 3], refDrl: true });
    const host = new Uint8Array(frame.length + 3);
    host.set(frame, 1);
    const fromView = readEegBatchFrame(host.subarray(1, 1 + frame.length));
    const fromBuffer = readEegBatchFrame(frame.slice().buffer);
    expect(Array.from(fromView.data.get(3)!)).toEqual(
      Array.from(readEegBatchFrame(frame).data.get(3)!),
    );
    expect(Array.from(fromBuffer.ref!)).toEqual(Array.from(fromView.ref!));
    // the result is a copy: reusing the input buffer (as socket libraries do) changes nothing
    const before = Array.from(fromView.data.get(1)!);
    host.fill(0);
    expect(Array.from(fromView.data.get(1)!)).toEqual(before);
  });

  test("throws TypeError for bad magic or input that is not bytes", () => {
    const frame = eegBatchFrame(makeBatch(2), { channels: [1], refDrl: false });
    frame[2] = 0x38;
    expect(() => readEegBatchFrame(frame)).toThrow(TypeError);
    expect(() => readEegBatchFrame(frame)).toThrow(/bad magic/);
    expect(() => readEegBatchFrame("MW75" as unknown as Uint8Array)).toThrow(TypeError);
  });

  test("throws RangeError naming the field for an unknown version, kind, flag or a mask that disagrees with C", () => {
    const cases: [number, number, RegExp][] = [
      [4, 2, /version 2/],
      [5, 9, /kind 9/],
      [7, 0x02, /flag/],
      [6, 4, /channel mask/],
      [33, 0x10, /channel mask/],
    ];
    for (const [offset, value, message] of cases) {
      const frame = eegBatchFrame(makeBatch(2), { channels: [2, 5, 12], refDrl: false });
      frame[offset] = value;
      expect(() => readEegBatchFrame(frame)).toThrow(RangeError);
      expect(() => readEegBatchFrame(frame)).toThrow(message);
    }
  });

  test("throws RangeError for every truncation and for trailing bytes", () => {
    const frame = eegBatchFrame(makeBatch(3), { channels: [1, 2], refDrl: true });
    for (let len = 0; len < frame.length; len++) {
      expect(() => readEegBatchFrame(frame.subarray(0, len))).toThrow(/truncated/);
    }
    const longer = new Uint8Array(frame.length + 1);
    longer.set(frame);
    expect(() => readEegBatchFrame(longer)).toThrow(/trailing bytes/);
  });

  test("throws only its own TypeError or RangeError when fuzzed with truncated and corrupted frames", () => {
    const random = createPrng(75);
    let thrown = 0;
    let read = 0;
    for (let round = 0; round < 2000; round++) {
      const channels = ALL.filter(() => random() < 0.5);
      const frame = eegBatchFrame(makeBatch(1 + Math.floor(random() * 40), round), {
        channels: channels.length === 0 ? [1] : channels,
        refDrl: random() < 0.5,
      });
      let bytes = frame.subarray(
        0,
        random() < 0.5 ? Math.floor(random() * (frame.length + 1)) : frame.length,
      );
      if (random() < 0.5) {
        bytes = bytes.slice();
        for (let k = 1 + Math.floor(random() * 3); k > 0 && bytes.length > 0; k--) {
          bytes[Math.floor(random() * Math.min(bytes.length, 40))] = Math.floor(random() * 256);
        }
      }
      try {
        const r = readEegBatchFrame(bytes);
        read++;
        expect(bytes.length).toBe(frameBytes(r.channels.length, r.count, r.ref !== undefined));
        for (const plane of r.data.values()) expect(plane.length).toBe(r.count);
      } catch (error) {
        thrown++;
        // an out-of-bounds DataView read would be a RangeError too, but not with this message
        const ok = (error instanceof RangeError || error instanceof TypeError) &&
          error.message.startsWith("Cannot read frame: ");
        if (!ok) throw error;
      }
    }
    expect(thrown).toBeGreaterThan(100);
    expect(read).toBeGreaterThan(100);
  });
});
