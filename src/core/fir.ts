/**
 * @module Anti-aliasing low-pass filters for decimating the 500 Hz stream by d (docs/protocol/bridge-api.md §2.2):
 * linear-phase FIRs, a windowed sinc under a Kaiser window, designed once per d and cached.
 *
 * Specification for output rate fo = 500 / d:
 * - passband 0 … 0.4·fo, ripple ≤ 0.1 dB; gain exactly 1 at DC (taps sum to 1);
 * - stop-band from 0.5·fo (the new Nyquist) up to 250 Hz, attenuation ≥ 40 dB. The design
 *   targets 50 dB (Kaiser's ripple δ = 10^(−50/20) in both bands, so the passband ripple is
 *   ~0.03 dB), leaving margin for the approximation in Kaiser's length formula;
 * - cut-off (the sinc's −6 dB point) in the middle of the transition band, at 0.45·fo;
 * - odd length N, so the centre tap sits on an input sample: group delay (N − 1) / 2 samples.
 *
 * The transition band is 0.1·fo wide, so N grows with d (Kaiser: N ≈ (A − 7.95) / (2.285 Δω)):
 *
 * | d  | fo (Hz) | passband (Hz) | taps N | delay (N−1)/2 |
 * |----|---------|---------------|--------|---------------|
 * | 2  | 250     | 100           | 61     | 30 (60 ms)    |
 * | 4  | 125     | 50            | 119    | 59 (118 ms)   |
 * | 5  | 100     | 40            | 149    | 74 (148 ms)   |
 * | 10 | 50      | 20            | 295    | 147 (294 ms)  |
 * | 20 | 25      | 10            | 587    | 293 (586 ms)  |
 * | 25 | 20      | 8             | 735    | 367 (734 ms)  |
 * | 50 | 10      | 4             | 1467   | 733 (1466 ms) |
 *
 * Measured (test/core/fir.test.ts, decimator-stopband.test.ts): stop-band ≥ 49.5 dB for every d,
 * pass-band ripple ≤ 0.031 dB.
 *
 * Only every d-th output is computed (see decimator.ts), so the cost per input sample is about
 * N / d ≈ 29 multiply-adds per signal whatever d is.
 */
import { DEVICE_RATE_HZ } from "./samples.ts";

/** The decimation factors that need a filter (1 is a pass-through). */
export const FIR_DECIMATIONS = [2, 4, 5, 10, 20, 25, 50] as const;
/** A decimation factor with a designed filter. */
export type FirDecimation = (typeof FIR_DECIMATIONS)[number];

/** Passband edge as a fraction of the output rate. */
export const PASSBAND_EDGE = 0.4;
/** Stop-band edge as a fraction of the output rate (the output's Nyquist frequency). */
export const STOPBAND_EDGE = 0.5;
/** The attenuation the window is designed for; the contract asks for 40 dB. */
export const DESIGN_ATTENUATION_DB = 50;

const cache = new Map<number, Float64Array>();

/** True when `d` is one of `FIR_DECIMATIONS`. */
export function isFirDecimation(d: number): d is FirDecimation {
  return (FIR_DECIMATIONS as readonly number[]).includes(d);
}

/**
 * The filter taps for decimation by `d` (odd length, symmetric, summing to 1). The array is
 * shared by every caller, designed on first use: read it, never write it.
 */
export function firTaps(d: number): Float64Array {
  if (!isFirDecimation(d)) {
    throw new RangeError(
      `Invalid decimation "${d}": expected one of ${FIR_DECIMATIONS.join(", ")}`,
    );
  }
  let taps = cache.get(d);
  if (taps === undefined) {
    taps = design(d);
    cache.set(d, taps);
  }
  return taps;
}

/** Magnitude (linear, 1 = unity) of the filter `taps` at `freqHz` for input rate `rateHz`. */
export function firMagnitude(
  taps: Float64Array,
  freqHz: number,
  rateHz: number = DEVICE_RATE_HZ,
): number {
  const w = (2 * Math.PI * freqHz) / rateHz;
  let re = 0;
  let im = 0;
  for (let k = 0; k < taps.length; k++) {
    re += taps[k]! * Math.cos(w * k);
    im -= taps[k]! * Math.sin(w * k);
  }
  return Math.hypot(re, im);
}

/** `firMagnitude` in decibels (0 dB = unity gain). */
export function firGainDb(
  taps: Float64Array,
  freqHz: number,
  rateHz: number = DEVICE_RATE_HZ,
): number {
  return 20 * Math.log10(firMagnitude(taps, freqHz, rateHz));
}

/** Modified Bessel function of the first kind, order 0, by its power series Σ ((x/2)^k / k!)². */
export function besselI0(x: number): number {
  const half = x / 2;
  let term = 1;
  let sum = 1;
  // the terms peak near k ≈ x/2 and then fall fast; for the β ≈ 4.5 used here ~20 terms suffice
  for (let k = 1; k < 500; k++) {
    term *= (half / k) * (half / k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function design(d: FirDecimation): Float64Array {
  const attenuation = DESIGN_ATTENUATION_DB;
  // Kaiser's empirical β for 21 < A ≤ 50 dB
  const beta = 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21);
  const transition = (2 * Math.PI * (STOPBAND_EDGE - PASSBAND_EDGE)) / d; // rad/sample
  let length = Math.ceil((attenuation - 7.95) / (2.285 * transition)) + 1;
  if (length % 2 === 0) length++;
  const half = (length - 1) / 2;
  const cutoff = (PASSBAND_EDGE + STOPBAND_EDGE) / 2 / d; // cycles per input sample
  const norm = besselI0(beta);
  const taps = new Float64Array(length);
  let sum = 0;
  for (let k = 0; k < length; k++) {
    const m = k - half;
    const ideal = m === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * m) / (Math.PI * m);
    const r = m / half;
    const window = besselI0(beta * Math.sqrt(1 - r * r)) / norm;
    taps[k] = ideal * window;
    sum += taps[k]!;
  }
  for (let k = 0; k < length; k++) taps[k] = taps[k]! / sum;
  return taps;
}
