/**
 * @module One EDF/BDF value: µV to the variant's digital range, rounded; out-of-range values are
 * clipped and counted per signal, non-finite ones written as 0 and counted, and the start of each
 * clipped run is reported (BDF annotates it as a lead-off).
 */
import { DATA_SIGNALS } from "./edf-header.ts";
import type { EdfVariant } from "./edf-header.ts";
import { SIGNAL_LABELS } from "./types.ts";

export class DigitalValues {
  #v: EdfVariant;
  #onClipRun: (signal: number) => void;
  #clipped = new Float64Array(DATA_SIGNALS);
  // 1 while signal s is inside a run of clipped values: only the run's start is reported
  #inClip = new Uint8Array(DATA_SIGNALS);
  nonFinite = 0;

  /** `onClipRun(s)`: signal `s` (0-based data signal) starts a run of clipped values. */
  constructor(v: EdfVariant, onClipRun: (signal: number) => void) {
    this.#v = v;
    this.#onClipRun = onClipRun;
  }

  /** The digital value of `value` (µV) on data signal `s`. */
  digital(s: number, value: number): number {
    if (value - value !== 0) {
      // NaN or ±Infinity: nothing to keep, and not a clipping run
      this.nonFinite++;
      this.#inClip[s] = 0;
      return 0;
    }
    const { digitalMin, digitalMax, uvPerCount } = this.#v;
    const d = Math.round(value / uvPerCount);
    if (d <= digitalMax && d >= digitalMin) {
      this.#inClip[s] = 0;
      return d;
    }
    this.#clipped[s]!++;
    if (this.#inClip[s] === 0) {
      this.#inClip[s] = 1;
      this.#onClipRun(s);
    }
    return d > digitalMax ? digitalMax : digitalMin;
  }

  /** Clipped values of all signals, and `clipped_<label>` for each signal that had any. */
  clippedFigures(): { clipped: number; perSignal: Record<string, number> } {
    const perSignal: Record<string, number> = {};
    for (let s = 0; s < DATA_SIGNALS; s++) {
      const n = this.#clipped[s]!;
      if (n > 0) perSignal[`clipped_${SIGNAL_LABELS[s]!.toLowerCase()}`] = n;
    }
    return { clipped: this.#clipped.reduce((a, b) => a + b, 0), perSignal };
  }
}
