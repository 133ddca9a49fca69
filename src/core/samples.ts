/**
 * @module The typed sample stream between the decoder and every consumer (docs/protocol/bridge-api.md §1):
 * a `SampleBlock` per decoded chunk, full rate, sample-major; a `SampleBatch` per outgoing batch,
 * possibly decimated, channel-major. No wire format here: encoders live in src/protocol/encoders.
 */

/** EEG channels per sample. */
export const CHANNELS = 12;
/** Nominal device sample rate (raw mode). */
export const DEVICE_RATE_HZ = 500;

/** A jump in `seq` before sample `index` of a block: missing samples (a counter gap or a reconnect). */
export interface Gap {
  /** Index in the block of the first sample after the gap. */
  readonly index: number;
  /** `seq` of that sample. */
  readonly seq: number;
  /** Samples missing before it (seq jumped by missing + 1). */
  readonly missing: number;
  /** The counter the device should have sent, and the one it sent. */
  readonly expectedCounter: number;
  readonly gotCounter: number;
  /** True for a reconnect gap, whose size was estimated from host time (§1). */
  readonly estimated: boolean;
  /**
   * True when the jump only spans a time the device was deliberately disconnected (a `disconnect`,
   * the teardown when the last client left): nothing was lost, so no consumer reports it as a gap.
   * Absent on every other jump.
   */
  readonly deliberate?: boolean;
}

/**
 * The EEG samples of one decoded chunk (non-EEG packets and dropped duplicates excluded), in
 * stream order. No other block uses the same elements (a consumer may keep the arrays), and a
 * block is never mutated after it was published; the arrays are views into a buffer shared with
 * neighbouring blocks, so never transfer or detach their `.buffer`.
 */
export interface SampleBlock {
  readonly count: number;
  /** Per-device sample number (§1): consecutive samples differ by 1, a gap shows as a jump. */
  readonly seq: Float64Array;
  /** The device's 8-bit packet counter. */
  readonly counter: Uint8Array;
  /** Unix seconds of each sample from the sample clock (§1). */
  readonly time: Float64Array;
  /** REF and DRL as sent (unscaled). */
  readonly ref: Float64Array;
  readonly drl: Float64Array;
  /** µV, sample-major: sample i's channel c at `i * CHANNELS + c` (the f64 path, as `eeg_data`). */
  readonly channels: Float64Array;
  /** Bit c = channel c+1 was on the lead-off sentinel. */
  readonly leadOff: Uint16Array;
  /** Bits 0–11 channels, 12 REF, 13 DRL were NaN/±Infinity. */
  readonly nonFinite: Uint16Array;
  readonly featureStatus: Uint8Array;
  /** Host time (Unix ms) the chunk arrived: the base protocol's `eeg_data.timestamp`. */
  readonly arrivalMs: number;
  /** Seq jumps before samples of this block, in order. */
  readonly gaps: readonly Gap[];
  /** Duplicate packets (repeated counter) dropped from this chunk. */
  readonly duplicates: number;
}

/**
 * Consecutive output samples of one subscription, ready to encode: sample i has
 * `seq = firstSeq + i * decimate`. Channel-major, as both the JSON batch and the binary frame
 * lay them out.
 */
export interface SampleBatch {
  readonly firstSeq: number;
  readonly count: number;
  /** 1 = full rate; otherwise every `decimate`-th sample after the anti-aliasing filter. */
  readonly decimate: number;
  /** Hz after decimation (500 / decimate). */
  readonly sampleRate: number;
  /** Unix seconds per sample (for decimated output: the time of the input sample it is centred on). */
  readonly time: Float64Array;
  /** The counter of the input sample each output sample is centred on. */
  readonly counter: Uint8Array;
  readonly ref: Float64Array;
  readonly drl: Float64Array;
  /** µV, channel-major over all 12 channels: channel c's sample i at `c * count + i`. */
  readonly channels: Float64Array;
  /** Per output sample: bit c = channel c+1 was on the sentinel in any input sample it covers. */
  readonly leadOff: Uint16Array;
  /** Per output sample: bits as in `SampleBlock.nonFinite`, set when any covered input was non-finite. */
  readonly nonFinite: Uint16Array;
}
