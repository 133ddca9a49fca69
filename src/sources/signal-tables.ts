/** @module The simulator's seed-independent periodic terms (alpha envelope, REF, DRL), tabulated once per sample rate and shared by every simulated device. */

const TWO_PI = 2 * Math.PI;
/** Slow alpha amplitude modulation and the REF/DRL waveforms (Hz). */
const ENVELOPE_HZ = 0.2;
const REF_HZ = 0.1;
const DRL_HZ = 0.15;
/** Longest table (samples); a longer exact period is rounded to a whole number of samples. */
const MAX_PERIOD = 1 << 16;
/** Most whole cycles a table may hold to reach a whole number of samples (DRL at 500 Hz: 3). */
const MAX_CYCLES = 64;

/** The shared tables of one rate; index i of a table is sample i modulo its length. */
export interface PeriodicTables {
  /** `0.75 + 0.25 · sin(2π · 0.2 · t)`: the alpha rhythm's waxing and waning (2500 samples at 500 Hz). */
  readonly envelope: Float64Array;
  /** `5 · sin(2π · 0.1 · t)` as the packet carries it, f32 (5000 samples at 500 Hz). */
  readonly ref: Float32Array;
  /** `3 · cos(2π · 0.15 · t)`, f32 (10000 samples at 500 Hz: three cycles). */
  readonly drl: Float32Array;
  /** The table length that holds whole cycles of `hz` at this rate. */
  periodOf(hz: number): number;
}

/**
 * Samples in the fewest whole cycles of `hz` at `rateHz` that span a whole number of samples
 * (10 Hz at 500 Hz: 50). A rate with no such span within MAX_CYCLES cycles gets one cycle rounded
 * to whole samples: the tone is then a hair off its nominal frequency, which a synthetic signal
 * may be.
 */
export function wholePeriod(rateHz: number, hz: number): number {
  for (let k = 1; k <= MAX_CYCLES; k++) {
    const exact = (rateHz * k) / hz;
    if (exact > MAX_PERIOD) break;
    const n = Math.round(exact);
    if (n >= 1 && Math.abs(exact - n) <= 1e-9 * exact) return n;
  }
  return Math.min(MAX_PERIOD, Math.max(1, Math.round(rateHz / hz)));
}

const byRate = new Map<number, PeriodicTables>();

/** The tables of `rateHz`, built on first use and kept for the process (≈ 80 KB at 500 Hz). */
export function periodicTables(rateHz: number): PeriodicTables {
  let tables = byRate.get(rateHz);
  if (tables === undefined) {
    tables = build(rateHz);
    byRate.set(rateHz, tables);
  }
  return tables;
}

function build(rateHz: number): PeriodicTables {
  const envelope = new Float64Array(wholePeriod(rateHz, ENVELOPE_HZ));
  for (let i = 0; i < envelope.length; i++) {
    envelope[i] = 0.75 + 0.25 * Math.sin((TWO_PI * ENVELOPE_HZ * i) / rateHz);
  }
  const ref = new Float32Array(wholePeriod(rateHz, REF_HZ));
  for (let i = 0; i < ref.length; i++) ref[i] = 5 * Math.sin((TWO_PI * REF_HZ * i) / rateHz);
  const drl = new Float32Array(wholePeriod(rateHz, DRL_HZ));
  for (let i = 0; i < drl.length; i++) drl[i] = 3 * Math.cos((TWO_PI * DRL_HZ * i) / rateHz);
  return { envelope, ref, drl, periodOf: (hz) => wholePeriod(rateHz, hz) };
}
