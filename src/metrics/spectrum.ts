/**
 * @module Welch's method, one segment at a time (docs/metrics.md "Computation"): a segment's one-sided
 * PSD in µV²/Hz (mean removed, periodic Hann, zero-padded to a power of two), and band integration
 * over the PSD's bins with partial bins weighted.
 */
import { RealFft } from "../core/fft.ts";

/** The segment plan of a window of `windowSamples` samples at `rateHz`. */
export interface WelchPlan {
  /** Samples per segment: min(rateHz, window) — one second, or the whole of a shorter window. */
  readonly segment: number;
  /** FFT points: the next power of two ≥ segment. */
  readonly nfft: number;
  /** Samples between segment starts (50 % overlap). */
  readonly step: number;
  /** Segments in a full window, the newest ending at the window's last sample. */
  readonly segments: number;
  /** Hz per bin. */
  readonly binHz: number;
}

export function welchPlan(windowSamples: number, rateHz: number): WelchPlan {
  const segment = Math.min(rateHz, windowSamples);
  let nfft = 4;
  while (nfft < segment) nfft *= 2;
  const step = Math.floor(segment / 2);
  const segments = Math.floor((windowSamples - segment) / step) + 1;
  return { segment, nfft, step, segments, binHz: rateHz / nfft };
}

/** Computes segment PSDs for one plan with reused buffers. */
export class SegmentPsd {
  readonly plan: WelchPlan;
  readonly bins: number;
  readonly #fft: RealFft;
  readonly #window: Float64Array;
  readonly #input: Float64Array;
  readonly #power: Float64Array;
  // one-sided density: 2 / (fs · Σw²) inside, 1 / (fs · Σw²) at DC and Nyquist
  readonly #scale: number;

  constructor(plan: WelchPlan, rateHz: number) {
    this.plan = plan;
    this.bins = plan.nfft / 2 + 1;
    this.#fft = new RealFft(plan.nfft);
    this.#window = new Float64Array(plan.segment);
    let energy = 0;
    for (let i = 0; i < plan.segment; i++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / plan.segment);
      this.#window[i] = w;
      energy += w * w;
    }
    this.#scale = 1 / (rateHz * energy);
    this.#input = new Float64Array(plan.nfft);
    this.#power = new Float64Array(this.bins);
  }

  /**
   * The PSD of `plan.segment` samples of one channel read from sample-major `values` (sample i's value
   * at `offset + i * stride`), into `out` (length `bins`).
   */
  compute(values: Float64Array, offset: number, stride: number, out: Float32Array): void {
    const n = this.plan.segment, input = this.#input, w = this.#window;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[offset + i * stride]!;
    const mean = sum / n;
    for (let i = 0; i < n; i++) input[i] = (values[offset + i * stride]! - mean) * w[i]!;
    input.fill(0, n);
    this.#fft.power(input, this.#power);
    const last = this.bins - 1, scale = this.#scale;
    for (let k = 0; k <= last; k++) {
      out[k] = this.#power[k]! * scale * (k === 0 || k === last ? 1 : 2);
    }
  }
}

/** A frequency range as the bins it touches and the Hz of each inside it. */
export interface BinWeights {
  readonly bins: Uint16Array;
  readonly hz: Float64Array;
}

/** Bin k covers [(k − ½)·binHz, (k + ½)·binHz]; each range [lo, hi) takes the part it overlaps. */
export function binWeights(ranges: ReadonlyArray<readonly [number, number]>, plan: WelchPlan) {
  const bins: number[] = [], hz: number[] = [];
  const lastBin = plan.nfft / 2;
  for (let k = 0; k <= lastBin; k++) {
    const from = Math.max(0, (k - 0.5) * plan.binHz), to = (k + 0.5) * plan.binHz;
    let width = 0;
    for (const [lo, hi] of ranges) width += Math.max(0, Math.min(hi, to) - Math.max(lo, from));
    if (width > 0) {
      bins.push(k);
      hz.push(width);
    }
  }
  return { bins: Uint16Array.from(bins), hz: Float64Array.from(hz) } satisfies BinWeights;
}

/** µV² in the range: Σ PSD[k] · (Hz of bin k inside it). */
export function rangePower(psd: Float64Array, weights: BinWeights): number {
  let sum = 0;
  const { bins, hz } = weights;
  for (let i = 0; i < bins.length; i++) sum += psd[bins[i]!]! * hz[i]!;
  return sum;
}
