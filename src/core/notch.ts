/**
 * @module The mains notch of the batched streams (docs/protocol/bridge-api.md §5.1 `notch_hz`): a second-order IIR
 * notch (biquad) per signal, designed by the bilinear transform, run before decimation.
 *
 * Design (Q = 30, fs = 500 Hz): the analog notch H(s) = (s² + Ω0²) / (s² + ΔΩ·s + Ω0²) mapped by
 * the bilinear transform with both the centre and the −3 dB width prewarped, which gives, for
 * ω0 = 2π·f0/fs, Δω = ω0/Q and β = tan(Δω/2):
 *   b = [1, −2·cos ω0, 1] / (1 + β),   a = [1, −2·cos ω0 / (1 + β), (1 − β) / (1 + β)]
 * Zeros sit on the unit circle at ±ω0, poles just inside at radius √a2. Measured response:
 *
 * | f0 | −3 dB band | width | at f0 (2–3 s / settled) | at f0 ∓ 5 Hz | at f0 ∓ 1 Hz | at 10 Hz | settles (1/e) |
 * |---|---|---|---|---|---|---|---|
 * | 50 Hz | 49.17–50.84 Hz | 1.67 Hz | −105 dB / −288 dB | −0.11 / −0.13 dB | −2.3 dB | < 0.001 dB | 0.19 s |
 * | 60 Hz | 59.01–61.01 Hz | 2.00 Hz | −125 dB / −285 dB | −0.16 / −0.18 dB | −3.0 dB | < 0.001 dB | 0.16 s |
 *
 * (tones through the filter, the amplitude of the last second; "settled" = after 10 s, float precision)
 *
 * DC passes with gain exactly 1. A filter starts (and restarts after `reset`) in the steady state
 * of its first input held forever, so an electrode offset of thousands of µV causes no ringing.
 * A non-finite input is passed through (NaN stays NaN, as the full-rate stream shows it) and
 * leaves the state untouched, so it cannot poison later outputs; a lead-off sample is passed
 * through unfiltered too and restarts that channel's filter (its value is the sentinel, not EEG).
 */
import { SIGNALS } from "./decimated-sample.ts";
import { CHANNELS, DEVICE_RATE_HZ } from "./samples.ts";
import type { SampleBlock } from "./samples.ts";

/** Mains frequencies the notch is designed for. */
export const NOTCH_FREQUENCIES = [50, 60] as const;
/** The `notch_hz` setting: off (null) or a mains frequency. */
export type NotchHz = (typeof NOTCH_FREQUENCIES)[number] | null;
/** Quality factor: −3 dB width = f0 / Q (1.67 Hz at 50 Hz, 2 Hz at 60 Hz). */
export const NOTCH_Q = 30;

/** Normalised biquad coefficients (a0 = 1). */
export interface Biquad {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

/** The notch at `f0` Hz for sample rate `fs` and quality `q` (formulas in the module doc). */
export function notchDesign(f0: number, fs: number = DEVICE_RATE_HZ, q: number = NOTCH_Q): Biquad {
  if (!(f0 > 0 && f0 < fs / 2)) {
    throw new RangeError(`Invalid notch frequency "${f0}": expected 0 < f0 < ${fs / 2}`);
  }
  if (!(q > 0)) throw new RangeError(`Invalid notch Q "${q}": expected a positive number`);
  const w0 = (2 * Math.PI * f0) / fs;
  const beta = Math.tan(w0 / q / 2);
  const g = 1 / (1 + beta);
  const c = -2 * Math.cos(w0);
  return { b0: g, b1: g * c, b2: g, a1: g * c, a2: (1 - beta) * g };
}

/** |H| in dB at `f` Hz (for documentation and tests). */
export function responseDb(k: Biquad, f: number, fs: number = DEVICE_RATE_HZ): number {
  const w = (2 * Math.PI * f) / fs;
  const part = (x0: number, x1: number, x2: number) => {
    const re = x0 + x1 * Math.cos(w) + x2 * Math.cos(2 * w);
    const im = x1 * Math.sin(w) + x2 * Math.sin(2 * w);
    return re * re + im * im;
  };
  return 10 * Math.log10(part(k.b0, k.b1, k.b2) / part(1, k.a1, k.a2));
}

/** One notch per signal (transposed direct form II), each with its own state. */
export class NotchBank {
  readonly coefficients: Biquad;
  readonly #s1: Float64Array;
  readonly #s2: Float64Array;
  // 0 = the next finite input primes the state (steady state of that input)
  readonly #primed: Uint8Array;

  constructor(f0: number, signals: number, fs: number = DEVICE_RATE_HZ) {
    this.coefficients = notchDesign(f0, fs);
    this.#s1 = new Float64Array(signals);
    this.#s2 = new Float64Array(signals);
    this.#primed = new Uint8Array(signals);
  }

  /** Filters the next input `x` of signal `s`; non-finite inputs come out unchanged and are skipped. */
  step(s: number, x: number): number {
    if (!Number.isFinite(x)) return x;
    const { b0, b1, b2, a1, a2 } = this.coefficients;
    if (this.#primed[s] === 0) {
      // the state a constant input x leaves behind (DC gain is 1, so y = x)
      this.#s2[s] = (b2 - a2) * x;
      this.#s1[s] = (b1 - a1) * x + this.#s2[s]!;
      this.#primed[s] = 1;
    }
    const y = b0 * x + this.#s1[s]!;
    if (!Number.isFinite(y)) {
      this.restart(s); // only an input near the float range can get here
      return x;
    }
    this.#s1[s] = b1 * x - a1 * y + this.#s2[s]!;
    this.#s2[s] = b2 * x - a2 * y;
    return y;
  }

  /** Signal `s` starts afresh with its next finite input. */
  restart(s: number): void {
    this.#primed[s] = 0;
  }

  /** Every signal starts afresh (a seq gap, a changed setting). */
  reset(): void {
    this.#primed.fill(0);
  }
}

/**
 * The notch stage of one batch pipeline: 14 filters (12 channels, REF, DRL), one sample at a time.
 * `filter` returns a one-sample block that is reused by the next call, so the stage allocates
 * nothing per sample; the decimator copies what it keeps before that.
 */
export class SampleNotch {
  readonly frequency: 50 | 60;
  readonly #bank: NotchBank;
  readonly #out = {
    count: 1,
    seq: new Float64Array(1),
    counter: new Uint8Array(1),
    time: new Float64Array(1),
    ref: new Float64Array(1),
    drl: new Float64Array(1),
    channels: new Float64Array(CHANNELS),
    leadOff: new Uint16Array(1),
    nonFinite: new Uint16Array(1),
    featureStatus: new Uint8Array(1),
    arrivalMs: 0,
    gaps: [],
    duplicates: 0,
  } satisfies SampleBlock;

  constructor(frequency: 50 | 60) {
    this.frequency = frequency;
    this.#bank = new NotchBank(frequency, SIGNALS);
  }

  /** Sample `i` of `block`, filtered, as sample 0 of the stage's scratch block. */
  filter(block: SampleBlock, i: number): SampleBlock {
    const out = this.#out;
    const bank = this.#bank;
    const leadOff = block.leadOff[i]!;
    for (let c = 0, base = i * CHANNELS; c < CHANNELS; c++) {
      const x = block.channels[base + c]!;
      if ((leadOff & (1 << c)) !== 0) {
        bank.restart(c);
        out.channels[c] = x;
      } else {
        out.channels[c] = bank.step(c, x);
      }
    }
    out.ref[0] = bank.step(CHANNELS, block.ref[i]!);
    out.drl[0] = bank.step(CHANNELS + 1, block.drl[i]!);
    out.seq[0] = block.seq[i]!;
    out.counter[0] = block.counter[i]!;
    out.time[0] = block.time[i]!;
    out.leadOff[0] = leadOff;
    out.nonFinite[0] = block.nonFinite[i]!;
    out.featureStatus[0] = block.featureStatus[i]!;
    out.arrivalMs = block.arrivalMs;
    return out;
  }

  /** Forgets the history of every signal. */
  reset(): void {
    this.#bank.reset();
  }
}
