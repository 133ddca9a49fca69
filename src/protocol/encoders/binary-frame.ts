/**
 * @module Binary `eeg_batch` frames (docs/protocol/bridge-api.md §3): the layout constants, the frame size, and the
 * encoder that writes a channel-major `SampleBatch` into one preallocated little-endian frame.
 */
import { CHANNELS } from "../../core/samples.ts";
import type { SampleBatch } from "../../core/samples.ts";

// --- layout ---

/** The first four bytes of every frame: "MW75". */
export const MAGIC: readonly number[] = Object.freeze([0x4d, 0x57, 0x37, 0x35]);
/** The layout version this module writes and the reader accepts. */
export const LAYOUT_VERSION = 1;
/** Frame kind of an `eeg_batch` frame. */
export const KIND_EEG_BATCH = 1;
/** Flags bit 0: the REF and DRL planes follow the channel planes. */
export const FLAG_REF_DRL = 0x01;
/** Bytes before the first plane; a multiple of 4, so the f32 planes are aligned. */
export const HEADER_BYTES = 36;

/** Byte offsets of the header fields (the table in docs/binary-frames.md). */
export const OFFSET = Object.freeze({
  magic: 0,
  version: 4,
  kind: 5,
  channelCount: 6,
  flags: 7,
  count: 8,
  sampleRate: 12,
  firstSeq: 16,
  t0: 24,
  channelMask: 32,
  reserved: 34,
});

/**
 * Size in bytes of a frame with `channelCount` channel planes of `count` samples:
 * 36 + 4·C·N + (refDrl ? 8·N : 0) + 2·N.
 */
export function frameBytes(channelCount: number, count: number, refDrl: boolean): number {
  return HEADER_BYTES + 4 * channelCount * count + (refDrl ? 8 * count : 0) + 2 * count;
}

// --- checks shared with the JSON encoder ---

/**
 * Throws RangeError unless `channels` is a strictly ascending list of 1–12 integers in 1..12
 * (the `channels` subscription option, already validated upstream: this guards against bugs).
 */
export function checkChannelSelection(channels: readonly number[]): void {
  if (channels.length === 0 || channels.length > CHANNELS) {
    throw new RangeError(
      `Cannot encode batch: "channels" must list 1 to ${CHANNELS} channels, got ${channels.length}`,
    );
  }
  let previous = 0;
  for (const ch of channels) {
    if (!Number.isInteger(ch) || ch <= previous || ch > CHANNELS) {
      throw new RangeError(
        `Cannot encode batch: "channels" must be ascending integers in 1..${CHANNELS}, got [${
          channels.join(",")
        }]`,
      );
    }
    previous = ch;
  }
}

/** Throws RangeError for an empty batch or arrays shorter than `count` says (a producer bug). */
export function checkBatchShape(batch: SampleBatch): void {
  const n = batch.count;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot encode batch: "count" must be a positive integer, got ${n}`);
  }
  if (
    batch.time.length < n || batch.counter.length < n || batch.ref.length < n ||
    batch.drl.length < n ||
    batch.leadOff.length < n || batch.channels.length < CHANNELS * n
  ) {
    throw new RangeError(
      `Cannot encode batch: arrays hold fewer than ${n} samples (channels needs ${
        CHANNELS * n
      } values)`,
    );
  }
}

// --- encoder ---

/** What `eegBatchFrame` needs besides the samples. */
export interface EegBatchFrameOptions {
  /** 1-based channel numbers to carry, strictly ascending, 1–12 of them. */
  readonly channels: readonly number[];
  /** Carry the REF and DRL planes (subscription option `ref_drl`). */
  readonly refDrl: boolean;
}

// Lead-off bits that name a channel; the rest of the u16 stays 0 in version 1.
const LEAD_OFF_BITS = (1 << CHANNELS) - 1;

/**
 * Encodes `batch` as one §3 frame, allocated once at its final size. Values become f32 (µV;
 * NaN and ±Infinity stay IEEE values). The lead-off plane carries each sample's full 12-bit mask,
 * including channels not in `channels`, so a client learns of a loose electrode it does not plot
 * (the JSON batch's `lead_off` does the same).
 */
export function eegBatchFrame(batch: SampleBatch, options: EegBatchFrameOptions): Uint8Array {
  const selected = options.channels;
  checkChannelSelection(selected);
  checkBatchShape(batch);
  const n = batch.count;
  const c = selected.length;
  const refDrl = options.refDrl;
  const bytes = new Uint8Array(frameBytes(c, n, refDrl));
  const view = new DataView(bytes.buffer);
  let mask = 0;
  for (const ch of selected) mask |= 1 << (ch - 1);

  bytes.set(MAGIC, OFFSET.magic);
  view.setUint8(OFFSET.version, LAYOUT_VERSION);
  view.setUint8(OFFSET.kind, KIND_EEG_BATCH);
  view.setUint8(OFFSET.channelCount, c);
  view.setUint8(OFFSET.flags, refDrl ? FLAG_REF_DRL : 0);
  view.setUint32(OFFSET.count, n, true);
  view.setFloat32(OFFSET.sampleRate, batch.sampleRate, true);
  view.setFloat64(OFFSET.firstSeq, batch.firstSeq, true);
  view.setFloat64(OFFSET.t0, batch.time[0]!, true);
  view.setUint16(OFFSET.channelMask, mask, true);
  view.setUint16(OFFSET.reserved, 0, true);

  // one DataView for everything: measured as fast as Float32Array.set on Bun and Node, and
  // little-endian on any host
  let at = HEADER_BYTES;
  for (let k = 0; k < c; k++) {
    const from = (selected[k]! - 1) * n;
    for (let i = 0; i < n; i++, at += 4) view.setFloat32(at, batch.channels[from + i]!, true);
  }
  if (refDrl) {
    for (let i = 0; i < n; i++, at += 4) view.setFloat32(at, batch.ref[i]!, true);
    for (let i = 0; i < n; i++, at += 4) view.setFloat32(at, batch.drl[i]!, true);
  }
  for (let i = 0; i < n; i++, at += 2) view.setUint16(at, batch.leadOff[i]! & LEAD_OFF_BITS, true);
  return bytes;
}
