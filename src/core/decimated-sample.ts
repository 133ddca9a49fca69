/** @module What a decimator outputs: the 14 signals of a sample (12 channels, REF, DRL), the supported factors and the output sample handed to a sink. */
import { FIR_DECIMATIONS } from "./fir.ts";
import { CHANNELS } from "./samples.ts";

/** Signals per sample: channels 0–11, then REF, then DRL (the bit order of `nonFinite`). */
export const SIGNALS = CHANNELS + 2;
/** Index of REF in `DecimatedSample.values`. */
export const REF_SIGNAL = CHANNELS;
/** Index of DRL in `DecimatedSample.values`. */
export const DRL_SIGNAL = CHANNELS + 1;

/** Every supported decimation factor (1 = full rate). */
export const DECIMATIONS = [1, ...FIR_DECIMATIONS] as const;

/** One output sample, handed to the sink in a single reused object: copy what you keep. */
export interface DecimatedSample {
  seq: number;
  /** Time and counter of the input sample the output is centred on. */
  time: number;
  counter: number;
  /** `SIGNALS` values: µV channels 0–11, REF, DRL. */
  readonly values: Float64Array;
  leadOff: number;
  nonFinite: number;
}

/** Receives each output sample in seq order; the object is only valid during the call. */
export type DecimatorSink = (sample: DecimatedSample) => void;

/** True when `d` is one of `DECIMATIONS`. */
export function isDecimation(d: number): boolean {
  return (DECIMATIONS as readonly number[]).includes(d);
}
