/**
 * @module ReferenceRing: the sample ring as it was before issue 24 (uncompressed typed planes, about
 * 96 bytes per sample), kept for tests only: the compressed SampleRing must read back exactly what
 * this one does, and bench/ring-memory.ts measures the pair.
 */
import { UV_PER_COUNT } from "../../src/decoder/types.ts";
import { CHANNELS } from "../../src/core/samples.ts";
import type { Gap, SampleBlock } from "../../src/core/samples.ts";
import { freshPlanes } from "../../src/core/sample-buffers.ts";
import type { SampleBuffers } from "../../src/core/sample-buffers.ts";

/** 60 s at the device rate. */
const DEFAULT_RING_CAPACITY = 30_000;

const GAP_NONE = 0;
const GAP_COUNTER = 1;
const GAP_ESTIMATED = 2;

/** What the copy helpers need of a typed array. */
interface Plane {
  set(array: ArrayLike<number>, offset?: number): void;
  subarray(begin?: number, end?: number): Plane & ArrayLike<number>;
}

// --- ring ---

/**
 * The last `capacity` samples of one device, oldest overwritten first. Memory is allocated once in
 * the constructor (about 94 bytes per sample: 2.8 MB at the default capacity) and never grows.
 * Samples must arrive with increasing `seq` (as `toSampleBlock` produces them).
 *
 * Channels are kept as the headset's f32 counts (µV / 0.023842) and REF/DRL as the f32 values they
 * were sent as: for decoded samples (µV = f32 count × 0.023842 in f64) both come back bit for bit,
 * at 56 bytes per sample less than f64 planes (what lets a bridge hold hundreds of devices).
 */
export class ReferenceRing {
  /** Bytes of its planes (as SampleRing.byteSize counts its own): 96 per sample, allocated up front. */
  get byteSize(): number {
    return this.capacity * (8 + 1 + 8 + 4 + 4 + 4 * CHANNELS + 2 + 2 + 1 + 8 + 1 + 8 + 1);
  }

  /** Samples the ring holds at most. */
  readonly capacity: number;
  readonly #seq: Float64Array;
  readonly #counter: Uint8Array;
  readonly #time: Float64Array;
  readonly #ref: Float32Array;
  readonly #drl: Float32Array;
  /** f32 counts, sample-major. */
  readonly #channels: Float32Array;
  readonly #leadOff: Uint16Array;
  readonly #nonFinite: Uint16Array;
  readonly #featureStatus: Uint8Array;
  /** Arrival (host ms) of the chunk each sample came in. */
  readonly #arrival: Float64Array;
  /** Per sample: GAP_* for the gap before it, with its size and expected counter (the got counter is the sample's own). */
  readonly #gapKind: Uint8Array;
  readonly #gapMissing: Float64Array;
  readonly #gapExpected: Uint8Array;
  /** Physical index of the oldest sample, and the number held. */
  #start = 0;
  #size = 0;

  constructor(capacity = DEFAULT_RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot make a sample ring of capacity ${capacity}: expected an integer ≥ 1`,
      );
    }
    this.capacity = capacity;
    this.#seq = new Float64Array(capacity);
    this.#counter = new Uint8Array(capacity);
    this.#time = new Float64Array(capacity);
    this.#ref = new Float32Array(capacity);
    this.#drl = new Float32Array(capacity);
    this.#channels = new Float32Array(capacity * CHANNELS);
    this.#leadOff = new Uint16Array(capacity);
    this.#nonFinite = new Uint16Array(capacity);
    this.#featureStatus = new Uint8Array(capacity);
    this.#arrival = new Float64Array(capacity);
    this.#gapKind = new Uint8Array(capacity);
    this.#gapMissing = new Float64Array(capacity);
    this.#gapExpected = new Uint8Array(capacity);
  }

  /** Samples held (≤ capacity). */
  get size(): number {
    return this.#size;
  }

  /** Seq of the oldest retained sample, or null when empty. */
  get oldestSeq(): number | null {
    return this.#size === 0 ? null : this.#seq[this.#start]!;
  }

  /** Seq of the newest retained sample, or null when empty. */
  get newestSeq(): number | null {
    return this.#size === 0 ? null : this.#seq[(this.#start + this.#size - 1) % this.capacity]!;
  }

  /**
   * Copies a block in, overwriting the oldest samples when full (a block larger than the ring keeps
   * only its newest `capacity` samples). Throws RangeError when the block's first seq is not above
   * `newestSeq`.
   */
  push(block: SampleBlock): void {
    const n = block.count;
    if (n === 0) return;
    const newest = this.newestSeq;
    if (newest !== null && !(block.seq[0]! > newest)) {
      throw new RangeError(
        `Cannot push seq ${block.seq[0]} into the sample ring: it already holds seq ${newest}`,
      );
    }
    const cap = this.capacity;
    const skip = n > cap ? n - cap : 0;
    const count = n - skip;
    const at = (this.#start + this.#size) % cap;
    copyIn(this.#seq, block.seq, 1, at, skip, count, cap);
    copyIn(this.#counter, block.counter, 1, at, skip, count, cap);
    copyIn(this.#time, block.time, 1, at, skip, count, cap);
    copyIn(this.#ref, block.ref, 1, at, skip, count, cap);
    copyIn(this.#drl, block.drl, 1, at, skip, count, cap);
    countsIn(this.#channels, block.channels, at, skip, count, cap);
    copyIn(this.#leadOff, block.leadOff, 1, at, skip, count, cap);
    copyIn(this.#nonFinite, block.nonFinite, 1, at, skip, count, cap);
    copyIn(this.#featureStatus, block.featureStatus, 1, at, skip, count, cap);
    const first = Math.min(count, cap - at);
    this.#arrival.fill(block.arrivalMs, at, at + first);
    this.#gapKind.fill(GAP_NONE, at, at + first);
    if (count > first) {
      this.#arrival.fill(block.arrivalMs, 0, count - first);
      this.#gapKind.fill(GAP_NONE, 0, count - first);
    }
    for (const gap of block.gaps) {
      if (gap.index < skip) continue;
      const p = (at + gap.index - skip) % cap;
      this.#gapKind[p] = gap.estimated ? GAP_ESTIMATED : GAP_COUNTER;
      this.#gapMissing[p] = gap.missing;
      this.#gapExpected[p] = gap.expectedCounter;
    }
    const size = this.#size + count;
    if (size > cap) {
      this.#start = (this.#start + size - cap) % cap;
      this.#size = cap;
    } else {
      this.#size = size;
    }
  }

  /**
   * A new block (its own arrays) of the retained samples with seq ≥ `fromSeq`, oldest first, at
   * most `maxSamples` of them; null when there are none. A `fromSeq` older than `oldestSeq` reads
   * from `oldestSeq`. Page on with `fromSeq = last returned seq + 1`. The block's `gaps` are the
   * original gaps before its samples (including one before its first sample), `duplicates` is 0,
   * and `arrivalMs` is the arrival of the chunk that held its newest sample.
   */
  read(fromSeq: number, maxSamples: number): SampleBlock | null {
    return this.#read(fromSeq, maxSamples, null);
  }

  /**
   * As `read`, into `buffers` (nothing allocated unless there are gaps): the block's arrays are views
   * of `buffers`, overwritten by the next read into them, so use them before that and keep none.
   */
  readInto(fromSeq: number, maxSamples: number, buffers: SampleBuffers): SampleBlock | null {
    if (maxSamples > buffers.capacity) {
      throw new RangeError(
        `Cannot read ${maxSamples} samples into buffers of ${buffers.capacity}`,
      );
    }
    return this.#read(fromSeq, maxSamples, buffers);
  }

  #read(fromSeq: number, maxSamples: number, buffers: SampleBuffers | null): SampleBlock | null {
    if (Number.isNaN(fromSeq)) throw new RangeError("Cannot read the sample ring from seq NaN");
    if (!Number.isInteger(maxSamples) || maxSamples < 1) {
      throw new RangeError(
        `Cannot read ${maxSamples} samples from the sample ring: expected an integer ≥ 1`,
      );
    }
    const from = this.#firstAtOrAfter(fromSeq);
    if (from === this.#size) return null;
    const n = Math.min(maxSamples, this.#size - from);
    const cap = this.capacity;
    const at = (this.#start + from) % cap;
    const out = buffers === null ? freshPlanes(n) : buffers.views(n);
    const seq = copyOut(this.#seq, out.seq, 1, at, n, cap);
    const counter = copyOut(this.#counter, out.counter, 1, at, n, cap);
    const gaps: Gap[] = [];
    for (let j = 0; j < n; j++) {
      const p = (at + j) % cap;
      const kind = this.#gapKind[p]!;
      if (kind === GAP_NONE) continue;
      gaps.push({
        index: j,
        seq: seq[j]!,
        missing: this.#gapMissing[p]!,
        expectedCounter: this.#gapExpected[p]!,
        gotCounter: counter[j]!,
        estimated: kind === GAP_ESTIMATED,
      });
    }
    return {
      count: n,
      seq,
      counter,
      time: copyOut(this.#time, out.time, 1, at, n, cap),
      ref: copyOut(this.#ref, out.ref, 1, at, n, cap),
      drl: copyOut(this.#drl, out.drl, 1, at, n, cap),
      channels: countsOut(this.#channels, out.channels, at, n, cap),
      leadOff: copyOut(this.#leadOff, out.leadOff, 1, at, n, cap),
      nonFinite: copyOut(this.#nonFinite, out.nonFinite, 1, at, n, cap),
      featureStatus: copyOut(this.#featureStatus, out.featureStatus, 1, at, n, cap),
      arrivalMs: this.#arrival[(at + n - 1) % cap]!,
      gaps,
      duplicates: 0,
    };
  }

  /** Logical index (0 = oldest) of the first sample with seq ≥ `seq`; `size` when none. */
  #firstAtOrAfter(seq: number): number {
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#seq[(this.#start + mid) % this.capacity]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

// --- copy helpers ---

/** Copies `count` samples of `width` values from `src` (starting at sample `from`) into ring `dst` at sample `at`. */
function copyIn(
  dst: Plane,
  src: Plane,
  width: number,
  at: number,
  from: number,
  count: number,
  cap: number,
): void {
  const first = Math.min(count, cap - at);
  dst.set(src.subarray(from * width, (from + first) * width), at * width);
  if (count > first) dst.set(src.subarray((from + first) * width, (from + count) * width), 0);
}

/** Copies `count` samples of `width` values out of ring `src` from sample `at` into `dst`, and returns `dst`. */
function copyOut<T extends Plane>(
  src: Plane,
  dst: T,
  width: number,
  at: number,
  count: number,
  cap: number,
): T {
  const first = Math.min(count, cap - at);
  dst.set(src.subarray(at * width, (at + first) * width), 0);
  if (count > first) dst.set(src.subarray(0, (count - first) * width), first * width);
  return dst;
}

/** Stores µV as f32 counts: for a decoded value the division lands within 2^-52 of the count, which rounds back to it. */
function countsIn(
  dst: Float32Array,
  src: Float64Array,
  at: number,
  from: number,
  count: number,
  cap: number,
): void {
  for (let j = 0; j < count; j++) {
    const d = ((at + j) % cap) * CHANNELS;
    const s = (from + j) * CHANNELS;
    for (let c = 0; c < CHANNELS; c++) dst[d + c] = src[s + c]! / UV_PER_COUNT;
  }
}

/** µV again, computed as the decoder computes it (f64 count × 0.023842). */
function countsOut(
  src: Float32Array,
  out: Float64Array,
  at: number,
  count: number,
  cap: number,
): Float64Array {
  // two straight runs (before and after the wrap) instead of a modulo per sample
  const first = Math.min(count, cap - at);
  let d = 0;
  for (let s = at * CHANNELS, end = (at + first) * CHANNELS; s < end; s++) {
    out[d++] = src[s]! * UV_PER_COUNT;
  }
  for (let s = 0, end = (count - first) * CHANNELS; s < end; s++) out[d++] = src[s]! * UV_PER_COUNT;
  return out;
}
