/**
 * @module `EegBatch`, the one shape both `eeg_batch` formats decode to: Float32Array planes per
 * channel with seq and per-sample timestamps. Binary frames go through the protocol's own
 * reader (`readEegBatchFrame`), so the SDK and the bridge share one definition of the layout.
 */
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import { readEegBatchFrame } from "../protocol/encoders/binary-frame-reader.ts";
import type { EegBatchData } from "../protocol/messages.ts";

/** A batch of consecutive samples; sample i has `seq = firstSeq + i × decimate`. */
export interface EegBatch {
  readonly format: "json" | "binary";
  readonly firstSeq: number;
  /** The seq of the batch's last sample. */
  readonly lastSeq: number;
  readonly count: number;
  readonly decimate: number;
  /** Hz, after decimation. */
  readonly sampleRate: number;
  /** Unix seconds per sample (binary frames: `t0 + i / sampleRate`). */
  readonly timestamps: Float64Array;
  /** Channel number (1–12) → its values in µV; non-finite values are NaN (JSON's null too). */
  readonly channels: ReadonlyMap<number, Float32Array>;
  /** JSON always; binary only with `ref_drl: true`. */
  readonly ref?: Float32Array;
  readonly drl?: Float32Array;
  /** The device's 8-bit packet counters (JSON only). */
  readonly counters?: Uint8Array;
  /** Channels on the lead-off sentinel anywhere in the batch (all 12 are checked, selected or not). */
  readonly leadOff: readonly number[];
  /** Binary only: per sample, bit k = channel k+1 on the sentinel. */
  readonly leadOffMask?: Uint16Array;
  /** On per-device sockets (JSON only: the socket says which device a frame is from). */
  readonly deviceId?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Decodes a binary frame; throws what `readEegBatchFrame` throws for a frame that is not valid. */
export function batchFromFrame(bytes: Uint8Array): EegBatch {
  const f = readEegBatchFrame(bytes);
  const decimate = Math.round(DEVICE_RATE_HZ / f.sampleRate);
  const timestamps = new Float64Array(f.count);
  for (let i = 0; i < f.count; i++) timestamps[i] = f.t0 + i / f.sampleRate;
  const batch: Mutable<EegBatch> = {
    format: "binary",
    firstSeq: f.firstSeq,
    lastSeq: f.firstSeq + (f.count - 1) * decimate,
    count: f.count,
    decimate,
    sampleRate: f.sampleRate,
    timestamps,
    channels: f.data,
    leadOff: maskChannels(f.leadOff),
    leadOffMask: f.leadOff,
  };
  if (f.ref !== undefined && f.drl !== undefined) {
    batch.ref = f.ref;
    batch.drl = f.drl;
  }
  return batch;
}

/** Decodes a JSON `eeg_batch`; TypeError when its arrays do not hold `count` values. */
export function batchFromJson(d: EegBatchData): EegBatch {
  const n = d.count;
  const channels = new Map<number, Float32Array>();
  for (const [name, values] of Object.entries(d.channels ?? {})) {
    channels.set(Number(name.slice(2)), floats(values, n, name));
  }
  const batch: Mutable<EegBatch> = {
    format: "json",
    firstSeq: d.first_seq,
    lastSeq: d.first_seq + (n - 1) * d.decimate,
    count: n,
    decimate: d.decimate,
    sampleRate: d.sample_rate,
    timestamps: Float64Array.from(checked(d.timestamps, n, "timestamps")),
    channels,
    ref: floats(d.ref, n, "ref"),
    drl: floats(d.drl, n, "drl"),
    counters: Uint8Array.from(checked(d.counters, n, "counters")),
    leadOff: d.lead_off ?? [],
  };
  if (d.device_id !== undefined) batch.deviceId = d.device_id;
  return batch;
}

/** The batch without its first `skip` samples (seen already); the arrays are views, not copies. */
export function dropFirst(b: EegBatch, skip: number): EegBatch {
  const channels = new Map<number, Float32Array>();
  for (const [ch, values] of b.channels) channels.set(ch, values.subarray(skip));
  const out: Mutable<EegBatch> = {
    ...b,
    firstSeq: b.firstSeq + skip * b.decimate,
    count: b.count - skip,
    timestamps: b.timestamps.subarray(skip),
    channels,
  };
  if (b.ref !== undefined) out.ref = b.ref.subarray(skip);
  if (b.drl !== undefined) out.drl = b.drl.subarray(skip);
  if (b.counters !== undefined) out.counters = b.counters.subarray(skip);
  if (b.leadOffMask !== undefined) {
    out.leadOffMask = b.leadOffMask.subarray(skip);
    out.leadOff = maskChannels(out.leadOffMask);
  }
  return out;
}

function checked(values: unknown, n: number, what: string): number[] {
  if (!Array.isArray(values) || values.length !== n) {
    throw new TypeError(`Cannot decode eeg_batch: "${what}" does not hold ${n} values`);
  }
  return values as number[];
}

function floats(values: unknown, n: number, what: string): Float32Array {
  const list = checked(values, n, what);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = list[i] ?? NaN; // null stands for a non-finite value
  return out;
}

function maskChannels(masks: Uint16Array): number[] {
  let any = 0;
  for (const m of masks) any |= m;
  const out: number[] = [];
  for (let k = 0; k < 12; k++) if ((any & (1 << k)) !== 0) out.push(k + 1);
  return out;
}
