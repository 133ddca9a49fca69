/**
 * @module Client-side decoder of binary `eeg_batch` frames (docs/protocol/bridge-api.md §3): validates the header
 * against the frame's length before reading any plane, then copies the planes out in one buffer.
 */
import {
  FLAG_REF_DRL,
  frameBytes,
  HEADER_BYTES,
  KIND_EEG_BATCH,
  LAYOUT_VERSION,
  MAGIC,
  OFFSET,
} from "./binary-frame.ts";

/**
 * A decoded frame. The arrays are views of one fresh buffer, independent of the input bytes
 * (values converted from little-endian, so they are right on any host).
 */
export interface EegBatchFrame {
  readonly version: number;
  readonly kind: number;
  /** 1-based channel numbers carried, ascending (from the channel mask). */
  readonly channels: number[];
  /** Hz, after decimation. */
  readonly sampleRate: number;
  readonly firstSeq: number;
  /** Unix seconds of the first sample; sample i is at `t0 + i / sampleRate`. */
  readonly t0: number;
  /** Samples per plane (N). */
  readonly count: number;
  /** Channel number → its N values in µV (f32; NaN/±Infinity as sent). */
  readonly data: Map<number, Float32Array>;
  /** Present only when the frame's flags say the REF/DRL planes are included. */
  readonly ref?: Float32Array;
  readonly drl?: Float32Array;
  /** Per sample: bit k = channel k+1 on the lead-off sentinel (all 12 channels, not only `channels`). */
  readonly leadOff: Uint16Array;
}

// Channels a version-1 mask can name; flag bits a version-1 frame can carry.
const MASK_BITS = 0x0fff;
const KNOWN_FLAGS = FLAG_REF_DRL;

/**
 * Decodes one frame. Throws TypeError when the input is not bytes or not an MW75 frame (bad
 * magic), RangeError for an unsupported version, kind or flag, a channel mask that disagrees with
 * C, or a length that differs from what the header announces (truncated or trailing bytes).
 * The reserved u16 is ignored, so a later version may use it without breaking this reader.
 */
export function readEegBatchFrame(bytes: Uint8Array | ArrayBuffer): EegBatchFrame {
  let u8: Uint8Array;
  if (bytes instanceof Uint8Array) u8 = bytes;
  else if (bytes instanceof ArrayBuffer) u8 = new Uint8Array(bytes);
  else throw new TypeError("Cannot read frame: expected a Uint8Array or an ArrayBuffer");
  if (u8.length < HEADER_BYTES) {
    throw new RangeError(
      `Cannot read frame: truncated, ${u8.length} bytes is shorter than the ${HEADER_BYTES}-byte header`,
    );
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (u8[OFFSET.magic + i] !== MAGIC[i]) {
      const got = Array.from(u8.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
      throw new TypeError(`Cannot read frame: bad magic "${got}", expected "4d 57 37 35" (MW75)`);
    }
  }
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const version = view.getUint8(OFFSET.version);
  if (version !== LAYOUT_VERSION) {
    throw new RangeError(
      `Cannot read frame: unknown layout version ${version}, this reader knows ${LAYOUT_VERSION}`,
    );
  }
  const kind = view.getUint8(OFFSET.kind);
  if (kind !== KIND_EEG_BATCH) {
    throw new RangeError(
      `Cannot read frame: unknown kind ${kind}, expected ${KIND_EEG_BATCH} (eeg_batch)`,
    );
  }
  const flags = view.getUint8(OFFSET.flags);
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    throw new RangeError(
      `Cannot read frame: unknown flag bits 0x${flags.toString(16)} in version ${version}`,
    );
  }
  const c = view.getUint8(OFFSET.channelCount);
  const mask = view.getUint16(OFFSET.channelMask, true);
  const channels: number[] = [];
  for (let k = 0; k < 16; k++) if ((mask & (1 << k)) !== 0) channels.push(k + 1);
  if ((mask & ~MASK_BITS) !== 0 || channels.length !== c) {
    throw new RangeError(
      `Cannot read frame: channel mask 0x${
        mask.toString(16)
      } does not name ${c} channels among 1..12`,
    );
  }
  const n = view.getUint32(OFFSET.count, true);
  const refDrl = (flags & FLAG_REF_DRL) !== 0;
  const expected = frameBytes(c, n, refDrl);
  if (u8.length !== expected) {
    const what = u8.length < expected ? "truncated" : "trailing bytes";
    throw new RangeError(
      `Cannot read frame: ${what}, ${u8.length} bytes but the header announces ${expected} (C=${c}, N=${n})`,
    );
  }

  // One output buffer for all planes: small typed-array allocations cost ~1 µs each on Node 20
  // (measured): 14 separate planes took 19 µs per frame there, one buffer with views 6 µs.
  const planeCount = c + (refDrl ? 2 : 0);
  const out = new ArrayBuffer(4 * planeCount * n + 2 * n);
  const values = new Float32Array(out, 0, planeCount * n);
  for (let i = 0, at = HEADER_BYTES; i < values.length; i++, at += 4) {
    values[i] = view.getFloat32(at, true);
  }
  const leadOff = new Uint16Array(out, 4 * planeCount * n, n);
  const leadOffAt = HEADER_BYTES + 4 * planeCount * n;
  for (let i = 0; i < n; i++) leadOff[i] = view.getUint16(leadOffAt + 2 * i, true);
  const plane = (k: number) => values.subarray(k * n, k * n + n);
  const data = new Map<number, Float32Array>();
  for (let k = 0; k < c; k++) data.set(channels[k]!, plane(k));
  const frame = {
    version,
    kind,
    channels,
    sampleRate: view.getFloat32(OFFSET.sampleRate, true),
    firstSeq: view.getFloat64(OFFSET.firstSeq, true),
    t0: view.getFloat64(OFFSET.t0, true),
    count: n,
    data,
    leadOff,
  };
  return refDrl ? { ...frame, ref: plane(c), drl: plane(c + 1) } : frame;
}
