/**
 * @module The amplitude side of a window, every channel in one pass over the samples (in memory
 * order): the RMS of the usable samples after removing their mean, and which channels sat on the
 * lead-off sentinel.
 */
import { CHANNELS } from "../core/samples.ts";
import type { SampleBlock } from "../core/samples.ts";

/** Per-channel amplitude figures of the last window, in reused arrays. */
export class WindowAmplitude {
  /** RMS µV per channel; NaN where the channel had no usable sample. */
  readonly rms = new Float64Array(CHANNELS);
  /** Bit c = channel c+1 was on the lead-off sentinel somewhere in the window. */
  leadOff = 0;
  readonly #n = new Float64Array(CHANNELS);
  // sums of (value − shift), shift = the channel's first usable value: a large DC offset then costs
  // no precision in the sum of squares
  readonly #shift = new Float64Array(CHANNELS);
  readonly #sum = new Float64Array(CHANNELS);
  readonly #squares = new Float64Array(CHANNELS);

  update(window: SampleBlock): void {
    const n = this.#n, shift = this.#shift, sum = this.#sum, squares = this.#squares;
    n.fill(0);
    sum.fill(0);
    squares.fill(0);
    let leadOff = 0;
    const values = window.channels;
    for (let i = 0; i < window.count; i++) {
      const off = window.leadOff[i]!;
      // lead-off and non-finite samples are not signal: skipped
      const unusable = off | window.nonFinite[i]!;
      leadOff |= off;
      const base = i * CHANNELS;
      for (let c = 0; c < CHANNELS; c++) {
        if (unusable !== 0 && (unusable & (1 << c)) !== 0) continue;
        const v = values[base + c]!;
        if (n[c] === 0) shift[c] = v;
        const d = v - shift[c]!;
        n[c] = n[c]! + 1;
        sum[c] = sum[c]! + d;
        squares[c] = squares[c]! + d * d;
      }
    }
    this.leadOff = leadOff;
    for (let c = 0; c < CHANNELS; c++) {
      const count = n[c]!;
      if (count === 0) {
        this.rms[c] = NaN;
        continue;
      }
      const mean = sum[c]! / count;
      this.rms[c] = Math.sqrt(Math.max(0, squares[c]! / count - mean * mean));
    }
  }
}
