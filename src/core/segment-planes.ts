/**
 * @module The full-width form of a run of ring samples: the typed planes the sample ring kept before
 * it was compressed (f32 counts, f32 REF/DRL, per-sample arrival and gap fields). The ring's open
 * segment and its decoded closed segments are SegmentPlanes; copying in and out of them is where
 * µV become counts and counts µV again.
 */
import { UV_PER_COUNT } from "../decoder/types.ts";
import { CHANNELS } from "./samples.ts";
import type { Gap, SampleBlock } from "./samples.ts";
import type { SamplePlanes } from "./sample-buffers.ts";

export const GAP_NONE = 0;
export const GAP_COUNTER = 1;
export const GAP_ESTIMATED = 2;

/** `length` samples at full width. */
export class SegmentPlanes {
  readonly seq: Float64Array;
  readonly counter: Uint8Array;
  readonly time: Float64Array;
  readonly ref: Float32Array;
  readonly drl: Float32Array;
  /** f32 counts (µV / 0.023842), sample-major. */
  readonly channels: Float32Array;
  readonly leadOff: Uint16Array;
  readonly nonFinite: Uint16Array;
  readonly featureStatus: Uint8Array;
  /** Arrival (host ms) of the chunk each sample came in. */
  readonly arrival: Float64Array;
  /** Per sample: GAP_* for the gap before it, its size and expected counter (the got counter is the sample's own). */
  readonly gapKind: Uint8Array;
  readonly gapMissing: Float64Array;
  readonly gapExpected: Uint8Array;
  /** The same memory as 32-bit words, for the codec: f64 planes as word pairs, f32 ones as bit patterns. */
  readonly seqWords: Int32Array;
  readonly timeWords: Int32Array;
  readonly refBits: Int32Array;
  readonly drlBits: Int32Array;
  readonly channelBits: Int32Array;

  constructor(readonly length: number) {
    this.seq = new Float64Array(length);
    this.counter = new Uint8Array(length);
    this.time = new Float64Array(length);
    this.ref = new Float32Array(length);
    this.drl = new Float32Array(length);
    this.channels = new Float32Array(length * CHANNELS);
    this.leadOff = new Uint16Array(length);
    this.nonFinite = new Uint16Array(length);
    this.featureStatus = new Uint8Array(length);
    this.arrival = new Float64Array(length);
    this.gapKind = new Uint8Array(length);
    this.gapMissing = new Float64Array(length);
    this.gapExpected = new Uint8Array(length);
    this.seqWords = new Int32Array(this.seq.buffer);
    this.timeWords = new Int32Array(this.time.buffer);
    this.refBits = new Int32Array(this.ref.buffer);
    this.drlBits = new Int32Array(this.drl.buffer);
    this.channelBits = new Int32Array(this.channels.buffer);
  }

  /** Bytes of the planes. */
  get byteSize(): number {
    return this.length * (8 + 1 + 8 + 4 + 4 + 4 * CHANNELS + 2 + 2 + 1 + 8 + 1 + 8 + 1);
  }

  /** Copies samples `from .. from + count` of `block` to `at ..`, with the block's gaps among them. */
  copyIn(block: SampleBlock, from: number, count: number, at: number): void {
    const end = from + count;
    // plain loops: a chunk is a few samples, and a subarray view per plane per push was garbage
    // enough (200 devices × 100 chunks/s × 8) to cost ~90 MB of RSS under Bun (bench:ring --rings)
    const { seq, counter, time, ref, drl, leadOff, nonFinite, featureStatus } = block;
    for (let s = from, d = at; s < end; s++, d++) {
      this.seq[d] = seq[s]!;
      this.counter[d] = counter[s]!;
      this.time[d] = time[s]!;
      this.ref[d] = ref[s]!;
      this.drl[d] = drl[s]!;
      this.leadOff[d] = leadOff[s]!;
      this.nonFinite[d] = nonFinite[s]!;
      this.featureStatus[d] = featureStatus[s]!;
      this.arrival[d] = block.arrivalMs;
      this.gapKind[d] = GAP_NONE;
    }
    // for a decoded value the division lands within 2^-52 of the f32 count, which rounds back to it
    const src = block.channels;
    const dst = this.channels;
    for (let s = from * CHANNELS, d = at * CHANNELS, e = end * CHANNELS; s < e; s++, d++) {
      dst[d] = src[s]! / UV_PER_COUNT;
    }
    const gaps = block.gaps;
    for (let g = 0; g < gaps.length; g++) {
      const gap = gaps[g]!;
      if (gap.index < from || gap.index >= end) continue;
      const p = at + gap.index - from;
      this.gapKind[p] = gap.estimated ? GAP_ESTIMATED : GAP_COUNTER;
      this.gapMissing[p] = gap.missing;
      this.gapExpected[p] = gap.expectedCounter;
    }
  }

  /**
   * Copies samples `from .. from + count` to `out` at `at` (µV again, computed as the decoder
   * computes them: f64 count × 0.023842), and their gaps to `gaps` (indices relative to `out`).
   */
  copyOut(from: number, count: number, out: SamplePlanes, at: number, gaps: Gap[]): void {
    const end = from + count;
    out.seq.set(this.seq.subarray(from, end), at);
    out.counter.set(this.counter.subarray(from, end), at);
    out.time.set(this.time.subarray(from, end), at);
    out.ref.set(this.ref.subarray(from, end), at);
    out.drl.set(this.drl.subarray(from, end), at);
    out.leadOff.set(this.leadOff.subarray(from, end), at);
    out.nonFinite.set(this.nonFinite.subarray(from, end), at);
    out.featureStatus.set(this.featureStatus.subarray(from, end), at);
    const src = this.channels;
    const dst = out.channels;
    for (let s = from * CHANNELS, d = at * CHANNELS, e = end * CHANNELS; s < e; s++, d++) {
      dst[d] = src[s]! * UV_PER_COUNT;
    }
    for (let p = from; p < end; p++) {
      const kind = this.gapKind[p]!;
      if (kind === GAP_NONE) continue;
      gaps.push({
        index: at + p - from,
        seq: this.seq[p]!,
        missing: this.gapMissing[p]!,
        expectedCounter: this.gapExpected[p]!,
        gotCounter: this.counter[p]!,
        estimated: kind === GAP_ESTIMATED,
      });
    }
  }
}
