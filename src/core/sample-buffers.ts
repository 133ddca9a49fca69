/**
 * @module The arrays a read of the sample ring fills: fresh ones per read, or views of reusable
 * buffers (the hub's windows, read ten times a second per device, allocate nothing once warm).
 */
import { CHANNELS } from "./samples.ts";
import type { SampleBlock } from "./samples.ts";

/** The planes of a SampleBlock that a ring read fills, `n` samples each. */
export type SamplePlanes = Pick<
  SampleBlock,
  | "seq"
  | "counter"
  | "time"
  | "ref"
  | "drl"
  | "channels"
  | "leadOff"
  | "nonFinite"
  | "featureStatus"
>;

/** The names of those planes, in SampleBlock's order (for code and tests that visit each). */
export const SAMPLE_PLANE_NAMES: readonly (keyof SamplePlanes)[] = [
  "seq",
  "counter",
  "time",
  "ref",
  "drl",
  "channels",
  "leadOff",
  "nonFinite",
  "featureStatus",
];

/** New arrays for `n` samples. */
export function freshPlanes(n: number): SamplePlanes {
  return {
    seq: new Float64Array(n),
    counter: new Uint8Array(n),
    time: new Float64Array(n),
    ref: new Float64Array(n),
    drl: new Float64Array(n),
    channels: new Float64Array(n * CHANNELS),
    leadOff: new Uint16Array(n),
    nonFinite: new Uint16Array(n),
    featureStatus: new Uint8Array(n),
  };
}

/** Buffers for reads of up to `capacity` samples, reused by every read into them. */
export class SampleBuffers {
  readonly #planes: SamplePlanes;

  constructor(readonly capacity: number) {
    this.#planes = freshPlanes(capacity);
  }

  /** Views of the first `n` samples' worth (n ≤ capacity); the buffers themselves when full. */
  views(n: number): SamplePlanes {
    const p = this.#planes;
    if (n === this.capacity) return p; // the common case (a window without gaps): no view objects
    return {
      seq: p.seq.subarray(0, n),
      counter: p.counter.subarray(0, n),
      time: p.time.subarray(0, n),
      ref: p.ref.subarray(0, n),
      drl: p.drl.subarray(0, n),
      channels: p.channels.subarray(0, n * CHANNELS),
      leadOff: p.leadOff.subarray(0, n),
      nonFinite: p.nonFinite.subarray(0, n),
      featureStatus: p.featureStatus.subarray(0, n),
    };
  }
}
