/** @module The real FFT and the Welch pieces against direct sums. */
import { describe, expect, test } from "bun:test";
import { RealFft } from "../../src/core/fft.ts";
import { binWeights, rangePower, SegmentPsd, welchPlan } from "../../src/metrics/spectrum.ts";

function directPower(x: Float64Array): Float64Array {
  const n = x.length, out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0, im = 0;
    for (let t = 0; t < n; t++) {
      re += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
      im -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
    }
    out[k] = re * re + im * im;
  }
  return out;
}

describe("RealFft", () => {
  for (const n of [2, 4, 8, 64, 512]) {
    test(`size ${n}: |X[k]|² equals the direct DFT's`, () => {
      let seed = n;
      const x = Float64Array.from({ length: n }, () => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed / 2 ** 32 - 0.5;
      });
      const out = new Float64Array(n / 2 + 1);
      new RealFft(n).power(x, out);
      const want = directPower(x);
      for (let k = 0; k <= n / 2; k++) expect(out[k]!).toBeCloseTo(want[k]!, 9);
    });
  }

  test("refuses a size that is not a power of two", () => {
    expect(() => new RealFft(500)).toThrow(/power of two/);
  });
});

describe("Welch plan and PSD", () => {
  test("a 2-s window: three 500-sample segments, 512 points, 0.977 Hz bins", () => {
    expect(welchPlan(1000, 500)).toEqual({
      segment: 500,
      nfft: 512,
      step: 250,
      segments: 3,
      binHz: 500 / 512,
    });
    expect(welchPlan(250, 500)).toMatchObject({ segment: 250, nfft: 256, segments: 1 });
    expect(welchPlan(5000, 500).segments).toBe(19);
  });

  test("white noise: the PSD integrates to its variance (Parseval with the Hann scaling)", () => {
    const plan = welchPlan(500, 500);
    const psd = new SegmentPsd(plan, 500);
    let seed = 3;
    const x = Float64Array.from({ length: 500 }, () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed / 2 ** 32 - 0.5) * 20;
    });
    const out = new Float32Array(psd.bins);
    psd.compute(x, 0, 1, out);
    const all = binWeights([[0, 250]], plan);
    const variance = x.reduce((a, v) => a + v * v, 0) / 500;
    // a Hann window weighs the segment's middle: one segment's estimate is within ~20 % of the variance
    expect(Math.abs(rangePower(Float64Array.from(out), all) - variance) / variance).toBeLessThan(
      0.2,
    );
  });

  test("bin weights: a range covers exactly its width, split between the bins it crosses", () => {
    const plan = welchPlan(1000, 500);
    const w = binWeights([[8, 13]], plan);
    expect([...w.hz].reduce((a, b) => a + b, 0)).toBeCloseTo(5, 12);
    expect(w.bins[0]).toBe(Math.round(8 / plan.binHz));
    const two = binWeights([[48, 52], [58, 62]], plan);
    expect([...two.hz].reduce((a, b) => a + b, 0)).toBeCloseTo(8, 12);
  });
});
