/** @module Samples as protocol 110 puts them on the wire, little-endian (docs/protocol/lsl-wire.md §4, §5). */
import { TEST_PATTERN_TIME } from "./constants.ts";
import { type ChannelFormat, valueSize } from "./stream-info.ts";

/** Sample tags: the timestamp is deduced by the inlet, or follows as an f64. */
export const TAG_DEDUCED = 1;
export const TAG_TRANSMITTED = 2;

/** A tag-1 sample must sit this close to previous + 1/rate, else it goes with its timestamp. */
const DEDUCE_TOLERANCE_S = 1e-6;

const encoder = new TextEncoder();

const TEST_BASE: Readonly<Record<ChannelFormat, number>> = {
  float32: 0,
  double64: 16777217,
  int32: 65537,
  int16: 257,
  int8: 1,
  int64: 2147483649,
  string: 0,
};
const TEST_MODULO: Partial<Record<ChannelFormat, number>> = {
  int8: 127,
  int16: 32767,
  int32: 2147483647,
};

/** Bytes of one string value: L, the length in L bytes, then the UTF-8 bytes. */
function stringValueSize(byteLength: number): number {
  return 1 + (byteLength <= 0xff ? 1 : byteLength <= 0xffffffff ? 4 : 8) + byteLength;
}

function writeString(view: DataView, out: Uint8Array, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n <= 0xff) {
    view.setUint8(pos, 1);
    view.setUint8(pos + 1, n);
    pos += 2;
  } else if (n <= 0xffffffff) {
    view.setUint8(pos, 4);
    view.setUint32(pos + 1, n, true);
    pos += 5;
  } else {
    view.setUint8(pos, 8);
    view.setBigUint64(pos + 1, BigInt(n), true);
    pos += 9;
  }
  out.set(bytes, pos);
  return pos + n;
}

/** One sample with a transmitted timestamp, holding the test values of `offset` (4, then 2). */
function testSample(format: ChannelFormat, channels: number, offset: number): Uint8Array {
  if (format === "string") {
    const values: string[] = [];
    for (let k = 0; k < channels; k++) values.push(String((k + 10) * (k % 2 === 0 ? 1 : -1)));
    return encodeStringSample(values, TEST_PATTERN_TIME);
  }
  const size = valueSize(format);
  const out = new Uint8Array(9 + channels * size);
  const view = new DataView(out.buffer);
  view.setUint8(0, TAG_TRANSMITTED);
  view.setFloat64(1, TEST_PATTERN_TIME, true);
  for (let k = 0; k < channels; k++) {
    let v = k + offset + TEST_BASE[format];
    const modulo = TEST_MODULO[format];
    if (modulo !== undefined) v %= modulo;
    if (k % 2 === 1) v = -v;
    const at = 9 + k * size;
    if (format === "float32") view.setFloat32(at, v, true);
    else if (format === "double64") view.setFloat64(at, v, true);
    else if (format === "int64") view.setBigInt64(at, BigInt(v), true);
    else if (format === "int32") view.setInt32(at, v, true);
    else if (format === "int16") view.setInt16(at, v, true);
    else view.setInt8(at, v);
  }
  return out;
}

/** The two test-pattern samples every feed starts with, after the response head. */
export function testPatterns(format: ChannelFormat, channels: number): Uint8Array {
  const first = testSample(format, channels, 4);
  const second = testSample(format, channels, 2);
  const out = new Uint8Array(first.length + second.length);
  out.set(first, 0);
  out.set(second, first.length);
  return out;
}

/**
 * A float32 chunk: `values` sample-major (count × channels), `timestamps` one per sample. The first sample
 * and every sample not exactly previous + 1/rate (gaps, re-anchors; equal times when irregular) carry
 * their timestamp; the rest are tagged deduced. One allocation.
 */
export function encodeFloat32Chunk(
  values: Float32Array,
  timestamps: Float64Array,
  channels: number,
  nominalSrate: number,
): Uint8Array {
  return shared.encode(values, timestamps, channels, nominalSrate).slice();
}

/**
 * encodeFloat32Chunk into one buffer kept between calls: the result is a view that the next call
 * overwrites. For the hot path, where a fresh buffer per chunk cost more CPU than the send (Bun).
 */
export class Float32ChunkEncoder {
  private out = new Uint8Array(0);
  private view = new DataView(this.out.buffer);
  /** The last result: chunks mostly have one size, so the same view serves again (no allocation). */
  private last = this.out;

  encode(
    values: Float32Array,
    timestamps: Float64Array,
    channels: number,
    nominalSrate: number,
  ): Uint8Array {
    const count = timestamps.length;
    if (values.length !== count * channels) {
      throw new RangeError(`${values.length} values for ${count} samples of ${channels} channels`);
    }
    const step = nominalSrate > 0 ? 1 / nominalSrate : 0;
    // compare with the time the inlet will deduce (not the pushed one), so 1 µs errors cannot add up
    let explicit = 0;
    let deduced = 0;
    for (let i = 0; i < count; i++) {
      const t = timestamps[i]!;
      if (i === 0 || Math.abs(t - (deduced + step)) > DEDUCE_TOLERANCE_S) {
        explicit++;
        deduced = t;
      } else deduced += step;
    }
    const size = count * (1 + channels * 4) + explicit * 8;
    if (this.out.length < size) {
      this.out = new Uint8Array(Math.max(size, this.out.length * 2));
      this.view = new DataView(this.out.buffer);
    }
    if (this.last.buffer !== this.out.buffer || this.last.length !== size) {
      this.last = this.out.subarray(0, size);
    }
    const view = this.view;
    let pos = 0;
    let v = 0;
    deduced = 0;
    for (let i = 0; i < count; i++) {
      const t = timestamps[i]!;
      if (i === 0 || Math.abs(t - (deduced + step)) > DEDUCE_TOLERANCE_S) {
        view.setUint8(pos, TAG_TRANSMITTED);
        view.setFloat64(pos + 1, t, true);
        pos += 9;
        deduced = t;
      } else {
        view.setUint8(pos, TAG_DEDUCED);
        pos += 1;
        deduced += step;
      }
      for (let k = 0; k < channels; k++, v++, pos += 4) view.setFloat32(pos, values[v]!, true);
    }
    return this.last;
  }
}

/** encodeFloat32Chunk's buffer: the call copies its result out before it returns. */
const shared = new Float32ChunkEncoder();

/** One string sample with its timestamp (markers are irregular, so every one carries it). */
export function encodeStringSample(values: readonly string[], timestamp: number): Uint8Array {
  const encoded = values.map((s) => encoder.encode(s));
  let size = 9;
  for (const b of encoded) size += stringValueSize(b.length);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint8(0, TAG_TRANSMITTED);
  view.setFloat64(1, timestamp, true);
  let pos = 9;
  for (const b of encoded) pos = writeString(view, out, pos, b);
  return out;
}
