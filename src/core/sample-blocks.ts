/**
 * @module toSampleBlock: turns one decoder `PacketBatch` into a `SampleBlock` (docs/protocol/bridge-api.md §1):
 * EEG packets only, duplicates dropped, `seq` from the device's SeqTracker, `time` from its
 * SampleClock, every array copied out of the decoder's reused views. On the hot path.
 */
import type { PacketBatch } from "../decoder/types.ts";
import { SampleClock } from "./sample-clock.ts";
import { CHANNELS } from "./samples.ts";
import type { SampleBlock } from "./samples.ts";
import { SeqTracker } from "./seq-tracker.ts";

/** The fields of a decoder `PacketBatch` a block is made of. */
export type SampleSource = Pick<
  PacketBatch,
  | "count"
  | "eventId"
  | "counter"
  | "featureStatus"
  | "leadOffMask"
  | "nonFiniteMask"
  | "ref"
  | "drl"
  | "channels"
>;

/** Bytes per kept sample: 16 f64 (seq, time, ref, drl, 12 channels), 2 u16, 2 u8. */
const BYTES_PER_SAMPLE = 8 * (4 + CHANNELS) + 2 * 2 + 2;
/** Blocks are carved from slabs of this size (≈ 480 samples, 1 s of one device). */
const SLAB_BYTES = 1 << 16;
let slab = new ArrayBuffer(0);
let slabAt = 0;

/**
 * Builds the block of one decoded chunk that arrived at `arrivalMs` (host Unix ms), or null when
 * no EEG sample is left (no EEG packet, or only duplicates: those are still counted in
 * `tracker.duplicates`, so a consumer never sees an empty block).
 *
 * Order of work: the tracker assigns seq (a pass over the counters), the clock observes the
 * chunk's last seq (after `clock.startConnection()` when the chunk opens a connection, so the
 * fit restarts), then one pass copies the kept packets and stamps `seq` and `time`.
 *
 * Memory: the block's nine arrays are views of a region of a shared 64-KB slab that no other
 * block uses, so a consumer may keep them as long as it likes (a kept block keeps its slab
 * alive). Do not transfer or detach their `.buffer`, and mind `byteOffset` when re-viewing it:
 * the slab holds other blocks too. Per-block buffers cost far more under V8: fresh typed arrays
 * measured ~0.8 µs per chunk under Node and ~4.6 µs under Deno, the slab ~0.2 µs (Bun ~0.1–0.4).
 */
export function toSampleBlock(
  batch: SampleSource,
  arrivalMs: number,
  tracker: SeqTracker,
  clock: SampleClock,
): SampleBlock | null {
  const a = tracker.assign(batch, arrivalMs);
  const n = a.count;
  if (n === 0) return null;

  if (a.connectionStart) clock.startConnection();
  clock.observe(a.seq[n - 1]!, arrivalMs, a.seq[0]!);

  const bytes = (n * BYTES_PER_SAMPLE + 7) & ~7; // keeps the next block's f64 planes aligned
  if (slabAt + bytes > slab.byteLength) {
    slab = new ArrayBuffer(Math.max(SLAB_BYTES, bytes));
    slabAt = 0;
  }
  const buffer = slab;
  const at = slabAt;
  slabAt += bytes;
  const seq = new Float64Array(buffer, at, n);
  const time = new Float64Array(buffer, at + 8 * n, n);
  const ref = new Float64Array(buffer, at + 16 * n, n);
  const drl = new Float64Array(buffer, at + 24 * n, n);
  const channels = new Float64Array(buffer, at + 32 * n, n * CHANNELS);
  const u16 = at + 8 * (4 + CHANNELS) * n;
  const leadOff = new Uint16Array(buffer, u16, n);
  const nonFinite = new Uint16Array(buffer, u16 + 2 * n, n);
  const counter = new Uint8Array(buffer, u16 + 4 * n, n);
  const featureStatus = new Uint8Array(buffer, u16 + 5 * n, n);

  const { seq: srcSeq, index } = a;
  const { channels: srcChannels, ref: srcRef, drl: srcDrl, leadOffMask, nonFiniteMask } = batch;
  const { counter: srcCounter, featureStatus: srcStatus } = batch;
  for (let j = 0; j < n; j++) {
    const i = index[j]!;
    const s = srcSeq[j]!;
    seq[j] = s;
    time[j] = clock.timeOf(s);
    ref[j] = srcRef[i]!;
    drl[j] = srcDrl[i]!;
    leadOff[j] = leadOffMask[i]!;
    nonFinite[j] = nonFiniteMask[i]!;
    counter[j] = srcCounter[i]!;
    featureStatus[j] = srcStatus[i]!;
    const from = i * CHANNELS;
    const to = j * CHANNELS;
    for (let c = 0; c < CHANNELS; c++) channels[to + c] = srcChannels[from + c]!;
  }
  return {
    count: n,
    seq,
    counter,
    time,
    ref,
    drl,
    channels,
    leadOff,
    nonFinite,
    featureStatus,
    arrivalMs,
    gaps: a.gaps,
    duplicates: a.duplicates,
  };
}

/** One device's block pipeline: its tracker and clock, which live as long as the device. */
export interface DeviceBlocks {
  readonly tracker: SeqTracker;
  readonly clock: SampleClock;
  /** A new connection starts (before its first chunk): the next seq is estimated from host time (see SeqTracker for `afterLinkLoss`). */
  startConnection(afterLinkLoss?: boolean): void;
  /** `toSampleBlock` with this device's tracker and clock. */
  fromBatch(batch: SampleSource, arrivalMs: number): SampleBlock | null;
}

/** A fresh tracker and clock for one device, bundled for the session. */
export function createBlockBuilder(): DeviceBlocks {
  const tracker = new SeqTracker();
  const clock = new SampleClock();
  return {
    tracker,
    clock,
    startConnection: (afterLinkLoss) => tracker.startConnection(afterLinkLoss),
    fromBatch: (batch, arrivalMs) => toSampleBlock(batch, arrivalMs, tracker, clock),
  };
}
