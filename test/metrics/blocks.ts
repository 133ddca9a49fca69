/** @module Test windows for the metrics computation: a SampleBlock of chosen seqs and per-channel values. */
import { CHANNELS } from "../../src/core/samples.ts";
import type { SampleBlock } from "../../src/core/samples.ts";

/** A channel's value at seq (µV); NaN marks a non-finite sample, `"lead_off"` the sentinel. */
export type ChannelSignal = (seq: number) => number | "lead_off";

/** A block holding `seqs`, channel c from `signals[c]` (absent channels are 0). */
export function windowOf(seqs: readonly number[], signals: readonly ChannelSignal[]): SampleBlock {
  const n = seqs.length;
  const channels = new Float64Array(n * CHANNELS);
  const leadOff = new Uint16Array(n), nonFinite = new Uint16Array(n);
  seqs.forEach((s, i) => {
    for (let c = 0; c < CHANNELS; c++) {
      const v = signals[c]?.(s) ?? 0;
      if (v === "lead_off") {
        channels[i * CHANNELS + c] = 200001.168094;
        leadOff[i] = leadOff[i]! | (1 << c);
      } else {
        channels[i * CHANNELS + c] = v;
        if (!Number.isFinite(v)) nonFinite[i] = nonFinite[i]! | (1 << c);
      }
    }
  });
  return {
    count: n,
    seq: Float64Array.from(seqs),
    counter: Uint8Array.from(seqs, (s) => s & 255),
    time: Float64Array.from(seqs, (s) => 1_700_000_000 + s / 500),
    ref: new Float64Array(n),
    drl: new Float64Array(n),
    channels,
    leadOff,
    nonFinite,
    featureStatus: new Uint8Array(n),
    arrivalMs: 0,
    gaps: [],
    duplicates: 0,
  };
}

/** seqs from..to inclusive. */
export function span(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A sine of `amplitude` µV at `hz` (500 Hz sampling), optional phase and offset. */
export function sine(hz: number, amplitude: number, phase = 0, offset = 0): ChannelSignal {
  return (s) => offset + amplitude * Math.sin((2 * Math.PI * hz * s) / 500 + phase);
}

/** Seeded Gaussian-ish noise (sum of 4 uniforms) of about `rms` µV. */
export function noise(rms: number, seed: number): ChannelSignal {
  const cache = new Map<number, number>();
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = (uniform() + uniform() + uniform() + uniform() - 2) * rms * Math.sqrt(3);
      cache.set(s, v);
    }
    return v;
  };
}
