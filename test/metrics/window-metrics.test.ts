/** @module The metrics of known signals: tones, mains, sentinel, flat, loose, non-finite and gaps. */
import { describe, expect, test } from "bun:test";
import { SegmentPsd } from "../../src/metrics/spectrum.ts";
import { WindowMetrics } from "../../src/metrics/window-metrics.ts";
import { noise, sine, span, windowOf } from "./blocks.ts";
import type { ChannelSignal } from "./blocks.ts";

const BIN_HZ = 500 / 512;
const TONES: Array<[hz: number, amplitude: number, band: string]> = [
  [2.93, 40, "delta"],
  [6.84, 30, "theta"],
  [10.74, 20, "alpha"],
  [20.5, 15, "beta"],
  [37.1, 10, "gamma"],
];

function metricsOf(signals: ChannelSignal[], windowS = 2, seqs = span(1000, 1999)) {
  return new WindowMetrics(windowS, 500, 50).compute(windowOf(seqs, signals));
}

describe("metrics of one window", () => {
  test("a tone: peak within one bin, its band's power within 10 % of A²/2, RMS within 5 % of A/√2", () => {
    const m = metricsOf(TONES.map(([hz, a], i) => sine(hz, a, i, i * 1000)));
    TONES.forEach(([hz, a, band], i) => {
      const ch = m.channels[`ch${i + 1}`]!;
      expect(Math.abs(ch.peak_hz! - hz)).toBeLessThanOrEqual(BIN_HZ);
      const power = ch.band_power[band as "alpha"]!;
      expect(Math.abs(power - (a * a) / 2) / ((a * a) / 2)).toBeLessThan(0.1);
      expect(Math.abs(ch.rms_uv! - a / Math.SQRT2) / (a / Math.SQRT2)).toBeLessThan(0.05);
      expect(ch.relative[band as "alpha"]!).toBeGreaterThan(0.9);
      expect(ch.quality).toBe("good");
      expect(ch.quality_reason).toBeNull();
    });
    expect(m.seq).toBe(1999);
    expect(m.window_s).toBe(2);
    expect(m.sample_rate).toBe(500);
  });

  test("the relative powers of a broadband channel sum to 1", () => {
    const ch = metricsOf([noise(20, 7)]).channels["ch1"]!;
    const sum = Object.values(ch.relative).reduce((a, b) => a! + b!, 0)!;
    expect(Math.abs(sum - 1)).toBeLessThan(0.002); // each of five values rounded to 4 digits
  });

  test("quality: mains, sentinel, flat, loose, railed, clean", () => {
    const m = metricsOf([
      (s) => (sine(10, 10)(s) as number) + (sine(50, 150)(s) as number),
      () => "lead_off",
      () => 123.4,
      noise(300, 1),
      noise(800, 2),
      (s) => (sine(10, 10)(s) as number) + (noise(2, 3)(s) as number),
    ]);
    const q = (c: number) => {
      const ch = m.channels[`ch${c}`]!;
      return [ch.quality, ch.quality_reason];
    };
    expect(q(1)).toEqual(["poor", "mains"]);
    expect(m.channels["ch1"]!.line_noise_ratio!).toBeGreaterThan(10);
    expect(q(2)).toEqual(["off", "lead_off"]);
    expect(m.channels["ch2"]!.rms_uv).toBeNull(); // sentinel samples are not signal
    expect(q(3)).toEqual(["poor", "flat"]);
    expect(m.channels["ch3"]!.rms_uv).toBe(0);
    expect([m.channels["ch3"]!.peak_hz, m.channels["ch3"]!.relative.alpha]).toEqual([null, null]);
    expect(q(4)).toEqual(["poor", "amplitude"]);
    expect(q(5)).toEqual(["poor", "railed"]);
    expect(q(6)).toEqual(["good", null]);
    expect(m.channels["ch6"]!.quality_score).toBe(1);
  });

  test("the sentinel anywhere in the window is off; the other samples still give numbers", () => {
    const tone = sine(10.74, 20);
    const ch = metricsOf([(s) => (s === 1500 ? "lead_off" : tone(s))]).channels["ch1"]!;
    expect(ch.quality).toBe("off");
    expect(Math.abs(ch.rms_uv! - 20 / Math.SQRT2)).toBeLessThan(0.5);
    expect(ch.band_power.alpha).not.toBeNull(); // the segment without seq 1500 still counts
  });

  test("non-finite samples are skipped; none finite is off with null numbers", () => {
    const tone = sine(10.74, 20);
    const m = metricsOf([(s) => (s % 100 === 0 ? NaN : tone(s)), () => NaN]);
    expect(Math.abs(m.channels["ch1"]!.rms_uv! - 20 / Math.SQRT2)).toBeLessThan(0.5);
    const off = m.channels["ch2"]!;
    expect([off.quality, off.quality_reason, off.rms_uv, off.peak_hz]).toEqual([
      "off",
      "no_data",
      null,
      null,
    ]);
    expect(off.band_power.alpha).toBeNull();
    expect(off.line_noise_ratio).toBeNull();
  });

  test("a window with a gap uses the whole segments it holds", () => {
    const seqs = span(1000, 1999).filter((s) => s < 1200 || s > 1300);
    const ch = metricsOf([sine(10.74, 20)], 2, seqs).channels["ch1"]!;
    expect(Math.abs(ch.band_power.alpha! - 200) / 200).toBeLessThan(0.1);
  });

  test("a short window (0.5 s) has one 250-sample segment", () => {
    const ch = metricsOf([sine(20, 30)], 0.5, span(0, 249)).channels["ch1"]!;
    expect(Math.abs(ch.peak_hz! - 20)).toBeLessThanOrEqual(500 / 256);
    expect(Math.abs(ch.band_power.beta! - 450) / 450).toBeLessThan(0.1);
  });
});

describe("segment reuse", () => {
  for (const [windowS, hop] of [[10, 50], [7, 25], [2, 17], [2, 500]] as const) {
    test(`${windowS}-s windows every ${hop} samples: reused segments give the fresh figures; FFTs per window as promised`, () => {
      const signals = [noise(20, 5), sine(10, 20)];
      const size = windowS * 500;
      const shared = new WindowMetrics(windowS, 500, hop);
      let ffts = 0;
      const compute = SegmentPsd.prototype.compute;
      SegmentPsd.prototype.compute = function (...args) {
        ffts++;
        return compute.apply(this, args);
      };
      try {
        const perWindow: number[] = [];
        for (let end = size - 1, n = 0; n < 30; end += hop, n++) {
          const window = windowOf(span(end - size + 1, end), signals);
          const before = ffts;
          const reused = shared.compute(window);
          perWindow.push((ffts - before) / 12);
          if (n % 10 === 9) {
            expect(reused).toEqual(new WindowMetrics(windowS, 500, hop).compute(window));
          }
        }
        const segments = Math.floor((size - 500) / 250) + 1;
        // after the first window (and the first step's worth), a window computes only new segments
        const expected = 250 % hop === 0
          ? 1
          : hop % 250 === 0
          ? Math.min(segments, hop / 250)
          : segments;
        expect(Math.max(...perWindow.slice(Math.ceil(250 / hop) + 1))).toBe(expected);
      } finally {
        SegmentPsd.prototype.compute = compute;
      }
    });
  }

  test("windows that share segments give the same figures as fresh computations", () => {
    const signals = [noise(20, 5), sine(10, 20), noise(100, 9)];
    const shared = new WindowMetrics(2, 500, 50);
    for (let end = 1999; end <= 2999; end += 50) {
      const window = windowOf(span(end - 999, end), signals);
      const reused = shared.compute(window);
      const fresh = new WindowMetrics(2, 500, 50).compute(window);
      expect(reused).toEqual(fresh);
    }
  });
});
