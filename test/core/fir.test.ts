/** @module The anti-aliasing filters meet their documented specification for every decimation. */
import { describe, expect, test } from "bun:test";
import { besselI0, FIR_DECIMATIONS, firGainDb, firMagnitude, firTaps } from "../../src/core/fir.ts";

const STEP_HZ = 0.02;

/**
 * A time limit for the CPU-bound scans below: 0.3–3 s each on an idle machine, but with every core
 * shared by parallel test workers they can take several times that; bun's 5-s default is too
 * short. 60 s only catches a hang.
 */
const CPU_BOUND_MS = 60_000;

describe("firTaps", () => {
  test("has the documented odd, symmetric length for every decimation", () => {
    const lengths = Object.fromEntries(FIR_DECIMATIONS.map((d) => [d, firTaps(d).length]));
    expect(lengths).toEqual({ 2: 61, 4: 119, 5: 149, 10: 295, 20: 587, 25: 735, 50: 1467 });
    for (const d of FIR_DECIMATIONS) {
      const h = firTaps(d);
      for (let k = 0; k < h.length; k++) expect(h[k]).toBe(h[h.length - 1 - k]!);
    }
  });

  test("has unity gain at DC when the taps are summed", () => {
    for (const d of FIR_DECIMATIONS) {
      const sum = firTaps(d).reduce((a, b) => a + b, 0);
      expect({ d, sum: Math.abs(sum - 1) < 1e-12 }).toEqual({ d, sum: true });
      expect(firMagnitude(firTaps(d), 0)).toBeCloseTo(1, 12);
    }
  });

  test("attenuates at least 40 dB from the new Nyquist up to 250 Hz", () => {
    for (const d of FIR_DECIMATIONS) {
      const h = firTaps(d);
      const fo = 500 / d;
      let worst = -Infinity;
      for (let f = 0.5 * fo; f <= 250; f += STEP_HZ) worst = Math.max(worst, firGainDb(h, f));
      worst = Math.max(worst, firGainDb(h, 250));
      expect({ d, ok: worst <= -40 }).toEqual({ d, ok: true });
    }
  }, CPU_BOUND_MS);

  test("stays within ±0.1 dB over the passband up to 0.4·fo", () => {
    for (const d of FIR_DECIMATIONS) {
      const h = firTaps(d);
      const edge = 0.4 * (500 / d);
      let lo = Infinity;
      let hi = -Infinity;
      for (let f = 0; f <= edge + 1e-9; f += Math.min(STEP_HZ, edge / 400)) {
        const g = firGainDb(h, f);
        lo = Math.min(lo, g);
        hi = Math.max(hi, g);
      }
      expect({ d, lo: lo >= -0.1, hi: hi <= 0.1 }).toEqual({ d, lo: true, hi: true });
    }
  }, CPU_BOUND_MS);

  test("returns the same cached array when asked twice", () => {
    expect(firTaps(5)).toBe(firTaps(5));
  });

  test("throws RangeError when the decimation has no filter", () => {
    expect(() => firTaps(1)).toThrow(RangeError);
    expect(() => firTaps(3)).toThrow(RangeError);
  });
});

describe("firMagnitude", () => {
  test("matches the direct sum for a two-tap average", () => {
    const h = new Float64Array([0.5, 0.5]);
    // |cos(πf/fs)| for the two-point average
    expect(firMagnitude(h, 125)).toBeCloseTo(Math.cos(Math.PI / 4), 12);
    expect(firMagnitude(h, 250)).toBeCloseTo(0, 12);
  });
});

describe("besselI0", () => {
  test("matches reference values when evaluated by its series", () => {
    expect(besselI0(0)).toBe(1);
    expect(besselI0(1)).toBeCloseTo(1.2660658777520082, 14);
    expect(besselI0(4.5)).toBeCloseTo(17.481171855609272, 12);
    expect(besselI0(10) / 2815.716628466254).toBeCloseTo(1, 13);
  });
});
