/** @module The simulator's seed-independent periodic terms (alpha envelope, REF, DRL), tabulated once per sample rate and shared by every simulated device. */

const TWO_PI = 2 * Math.PI;
/** Slow alpha amplitude modulation and the REF/DRL waveforms (Hz). */
const ENVELOPE_HZ = 0.2;
const REF_HZ = 0.1;
const DRL_HZ = 0.15;
/** Longest table (samples); a term whose whole period is longer is computed per sample instead. */
const MAX_PERIOD = 1 << 16;
/** Most whole cycles a table may hold to reach a whole number of samples (DRL at 500 Hz: 3). */
const MAX_CYCLES = 64;

/** One periodic term sampled at the device rate: a table over one whole period, or its formula. */
export interface Wave {
  /** Values of samples 0 … period−1 (sample i is `table[i % period]`), or null: use `value`. */
  readonly table: Float64Array | Float32Array | null;
  readonly value: (i: number) => number;
}

/** The term's value at sample index `i` (i ≥ 0). */
export function waveAt(w: Wave, i: number): number {
  const t = w.table;
  return t !== null ? t[i % t.length]! : w.value(i);
}

/**
 * Samples in the fewest whole cycles of `hz` at `rateHz` that span a whole number of samples
 * (10 Hz at 500 Hz: 50), or null when no such span of at most MAX_CYCLES cycles and MAX_PERIOD
 * samples exists (then the term is computed per sample: a table must never cut a cycle short).
 */
export function wholePeriod(rateHz: number, hz: number): number | null {
  for (let k = 1; k <= MAX_CYCLES; k++) {
    const exact = (rateHz * k) / hz;
    if (exact > MAX_PERIOD) break;
    const n = Math.round(exact);
    if (n >= 1 && Math.abs(exact - n) <= 1e-9 * exact) return n;
  }
  return null;
}

/**
 * `value(i)` as a Wave: a table over one whole period when there is one (`f32`: values rounded as
 * the packet carries them), else `value` itself per sample.
 */
export function periodicWave(
  rateHz: number,
  hz: number,
  value: (i: number) => number,
  f32 = false,
): Wave {
  const period = wholePeriod(rateHz, hz);
  const exact = f32 ? (i: number) => Math.fround(value(i)) : value;
  if (period === null) return { table: null, value: exact };
  const table = f32 ? new Float32Array(period) : new Float64Array(period);
  for (let i = 0; i < period; i++) table[i] = value(i);
  return { table, value: exact };
}

/** The shared terms of one rate. */
export interface PeriodicTables {
  /** `0.75 + 0.25 · sin(2π · 0.2 · t)`: the alpha rhythm's waxing and waning (2500 samples at 500 Hz). */
  readonly envelope: Wave;
  /** `5 · sin(2π · 0.1 · t)` as the packet carries it, f32 (5000 samples at 500 Hz). */
  readonly ref: Wave;
  /** `3 · cos(2π · 0.15 · t)`, f32 (10000 samples at 500 Hz: three cycles). */
  readonly drl: Wave;
}

const byRate = new Map<number, PeriodicTables>();

/** The terms of `rateHz`, built on first use and kept for the process (≈ 80 KB at 500 Hz). */
export function periodicTables(rateHz: number): PeriodicTables {
  let tables = byRate.get(rateHz);
  if (tables === undefined) {
    tables = {
      envelope: periodicWave(
        rateHz,
        ENVELOPE_HZ,
        (i) => 0.75 + 0.25 * Math.sin((TWO_PI * ENVELOPE_HZ * i) / rateHz),
      ),
      ref: periodicWave(rateHz, REF_HZ, (i) => 5 * Math.sin((TWO_PI * REF_HZ * i) / rateHz), true),
      drl: periodicWave(rateHz, DRL_HZ, (i) => 3 * Math.cos((TWO_PI * DRL_HZ * i) / rateHz), true),
    };
    byRate.set(rateHz, tables);
  }
  return tables;
}
