/**
 * @module The codec of the sample ring's closed segments: SegmentPlanes ⇄ 32-bit words, lossless
 * bit for bit. Every plane becomes integer columns (delta-column.ts): seq and time as the two words
 * of their f64 bit patterns, REF/DRL as their f32 bit patterns, each channel as whole counts when
 * all its counts in the segment are (the headset's 24-bit ADC), else as f32 bit patterns. Arrival
 * times are stored where they change (once per chunk), gaps as a short list.
 */
import { BitReader, bitWidth, BitWriter } from "./bit-pack.ts";
import { readColumn, writeColumn } from "./delta-column.ts";
import { CHANNELS } from "./samples.ts";
import { GAP_COUNTER, GAP_ESTIMATED, GAP_NONE } from "./segment-planes.ts";
import type { SegmentPlanes } from "./segment-planes.ts";

/** A count is stored as an integer when it is one in this range (every f32 there is exact) and not −0. */
const MAX_INT_COUNT = 2 ** 24;

// --- scratch shared by every ring of the process (encode and decode run synchronously) ---

let values = new Int32Array(0);
let arrivalAt = new Int32Array(0);
let arrivals = new Float64Array(0);
let arrivalWords = new Int32Array(0);
let words = new Uint32Array(0);
const writer = new BitWriter(words);
const reader = new BitReader(words);

function scratchFor(n: number): void {
  if (values.length >= n) return;
  values = new Int32Array(n);
  arrivalAt = new Int32Array(n);
  arrivals = new Float64Array(n);
  arrivalWords = new Int32Array(arrivals.buffer);
  // the worst case: every value of every column at 32 bits, every sample a gap and an arrival
  words = new Uint32Array(n * (2 * 2 + 2 + 3 + CHANNELS + 2 + 2 + 3 + 3) + 512);
}

/** Writes the `stride`-spaced words from `offset` of `src` as one column. */
function put(src: Int32Array, offset: number, stride: number, n: number, byte: boolean): void {
  for (let i = 0; i < n; i++) values[i] = src[offset + i * stride]!;
  writeColumn(writer, values, n, byte);
}

function get(dst: Int32Array, offset: number, stride: number, n: number, byte: boolean): void {
  readColumn(reader, values, n, byte);
  for (let i = 0; i < n; i++) dst[offset + i * stride] = values[i]!;
}

/** Whether every count of channel `c` in the first n samples is a whole number the integer form keeps. */
function wholeCounts(counts: Float32Array, c: number, n: number): boolean {
  for (let i = c, e = n * CHANNELS; i < e; i += CHANNELS) {
    const v = counts[i]!;
    if (!Number.isInteger(v) || v > MAX_INT_COUNT || v < -MAX_INT_COUNT) return false;
    if (v === 0 && Object.is(v, -0)) return false;
  }
  return true;
}

/**
 * Encodes the first `n` samples of `p` (n ≥ 1) and returns the words: a view of shared scratch,
 * valid until the next encode (copy it out).
 */
export function encodeSegment(p: SegmentPlanes, n: number): Uint32Array {
  scratchFor(n);
  writer.reset(words);
  put(p.seqWords, 0, 2, n, false);
  put(p.seqWords, 1, 2, n, false);
  put(p.timeWords, 0, 2, n, false);
  put(p.timeWords, 1, 2, n, false);
  const { counter, featureStatus, leadOff, nonFinite } = p;
  for (let i = 0; i < n; i++) values[i] = counter[i]!;
  writeColumn(writer, values, n, true);
  for (let i = 0; i < n; i++) values[i] = featureStatus[i]!;
  writeColumn(writer, values, n, true);
  for (let i = 0; i < n; i++) values[i] = leadOff[i]!;
  writeColumn(writer, values, n, false);
  for (let i = 0; i < n; i++) values[i] = nonFinite[i]!;
  writeColumn(writer, values, n, false);
  put(p.refBits, 0, 1, n, false);
  put(p.drlBits, 0, 1, n, false);
  for (let c = 0; c < CHANNELS; c++) {
    const whole = wholeCounts(p.channels, c, n);
    writer.write(whole ? 1 : 0, 1);
    if (whole) {
      for (let i = 0; i < n; i++) values[i] = p.channels[i * CHANNELS + c]!;
      writeColumn(writer, values, n, false);
    } else {
      put(p.channelBits, c, CHANNELS, n, false);
    }
  }
  writeArrivals(p, n);
  writeGaps(p, n);
  return words.subarray(0, writer.finish());
}

/** Decodes `n` samples that `encodeSegment` wrote to `src` from word `offset` into `p`. */
export function decodeSegment(src: Uint32Array, offset: number, p: SegmentPlanes, n: number): void {
  scratchFor(n);
  reader.reset(src, offset);
  get(p.seqWords, 0, 2, n, false);
  get(p.seqWords, 1, 2, n, false);
  get(p.timeWords, 0, 2, n, false);
  get(p.timeWords, 1, 2, n, false);
  readColumn(reader, values, n, true);
  for (let i = 0; i < n; i++) p.counter[i] = values[i]!;
  readColumn(reader, values, n, true);
  for (let i = 0; i < n; i++) p.featureStatus[i] = values[i]!;
  readColumn(reader, values, n, false);
  for (let i = 0; i < n; i++) p.leadOff[i] = values[i]!;
  readColumn(reader, values, n, false);
  for (let i = 0; i < n; i++) p.nonFinite[i] = values[i]!;
  get(p.refBits, 0, 1, n, false);
  get(p.drlBits, 0, 1, n, false);
  for (let c = 0; c < CHANNELS; c++) {
    if (reader.read(1) === 1) {
      readColumn(reader, values, n, false);
      for (let i = 0; i < n; i++) p.channels[i * CHANNELS + c] = values[i]!;
    } else {
      get(p.channelBits, c, CHANNELS, n, false);
    }
  }
  readArrivals(p, n);
  readGaps(p, n);
}

// --- arrival: one value per chunk, kept where it changes ---

function writeArrivals(p: SegmentPlanes, n: number): void {
  let m = 0;
  for (let i = 0; i < n; i++) {
    // Object.is: −0 after 0 is a change too, and NaN after NaN is not
    if (i === 0 || !Object.is(p.arrival[i], p.arrival[i - 1])) {
      arrivalAt[m] = i;
      arrivals[m++] = p.arrival[i]!;
    }
  }
  writer.write(m - 1, bitWidth(n - 1));
  writeColumn(writer, arrivalAt, m, false);
  put(arrivalWords, 0, 2, m, false);
  put(arrivalWords, 1, 2, m, false);
}

function readArrivals(p: SegmentPlanes, n: number): void {
  const m = reader.read(bitWidth(n - 1)) + 1;
  readColumn(reader, arrivalAt, m, false);
  get(arrivalWords, 0, 2, m, false);
  get(arrivalWords, 1, 2, m, false);
  for (let k = 0; k < m; k++) {
    p.arrival.fill(arrivals[k]!, arrivalAt[k]!, k + 1 < m ? arrivalAt[k + 1]! : n);
  }
}

// --- gaps: rare, stored as they are ---

function writeGaps(p: SegmentPlanes, n: number): void {
  let m = 0;
  for (let i = 0; i < n; i++) if (p.gapKind[i] !== GAP_NONE) m++;
  const indexBits = bitWidth(n - 1);
  writer.write(m, bitWidth(n));
  for (let i = 0; i < n; i++) {
    if (p.gapKind[i] === GAP_NONE) continue;
    writer.write(i, indexBits);
    writer.write(p.gapKind[i] === GAP_ESTIMATED ? 1 : 0, 1);
    writer.writeF64(p.gapMissing[i]!);
    writer.write(p.gapExpected[i]!, 8);
  }
}

function readGaps(p: SegmentPlanes, n: number): void {
  p.gapKind.fill(GAP_NONE, 0, n);
  const indexBits = bitWidth(n - 1);
  const m = reader.read(bitWidth(n));
  for (let k = 0; k < m; k++) {
    const i = reader.read(indexBits);
    p.gapKind[i] = reader.read(1) === 1 ? GAP_ESTIMATED : GAP_COUNTER;
    p.gapMissing[i] = reader.readF64();
    p.gapExpected[i] = reader.read(8);
  }
}
