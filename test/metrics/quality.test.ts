/** @module The quality rule at its documented limits (docs/metrics.md). */
import { describe, expect, test } from "bun:test";
import {
  AMPLITUDE_LIMITS,
  channelQuality,
  limitScore,
  MAINS_LIMITS,
  NOISE_LIMITS,
} from "../../src/metrics/quality.ts";

const clean = { leadOff: false, rmsUv: 20, lineNoiseRatio: 0.01, highFrequencyRatio: 0.05 };

describe("quality", () => {
  test("each measure scores 1 when clean, 0.8 at its good limit, 0.5 at its fair limit", () => {
    for (const limits of [AMPLITUDE_LIMITS, MAINS_LIMITS, NOISE_LIMITS]) {
      expect(limitScore(limits.clean, limits)).toBe(1);
      expect(limitScore(limits.good, limits)).toBeCloseTo(0.8, 12);
      expect(limitScore(limits.fair, limits)).toBeCloseTo(0.5, 12);
      expect(limitScore(limits.fair * 10, limits)).toBe(0.1);
    }
  });

  test("levels and reasons", () => {
    expect(channelQuality(clean)).toEqual({ level: "good", score: 1, reason: null });
    expect(channelQuality({ ...clean, leadOff: true })).toEqual({
      level: "off",
      score: 0,
      reason: "lead_off",
    });
    expect(channelQuality({ ...clean, rmsUv: null }).reason).toBe("no_data");
    expect(channelQuality({ ...clean, rmsUv: 0.4 })).toMatchObject({
      level: "poor",
      reason: "flat",
    });
    expect(channelQuality({ ...clean, rmsUv: 501 })).toMatchObject({
      level: "poor",
      reason: "railed",
    });
    expect(channelQuality({ ...clean, rmsUv: 150 })).toMatchObject({
      level: "fair",
      reason: "amplitude",
    });
    expect(channelQuality({ ...clean, lineNoiseRatio: 0.5 })).toMatchObject({
      level: "fair",
      reason: "mains",
    });
    expect(channelQuality({ ...clean, highFrequencyRatio: 3 })).toMatchObject({
      level: "poor",
      reason: "noise",
    });
    // the lowest score decides
    const both = channelQuality({ ...clean, rmsUv: 150, lineNoiseRatio: 2 });
    expect(both).toMatchObject({ level: "poor", reason: "mains" });
  });

  test("without a spectrum, amplitude alone decides", () => {
    expect(channelQuality({ ...clean, lineNoiseRatio: null, highFrequencyRatio: null })).toEqual({
      level: "good",
      score: 1,
      reason: null,
    });
  });
});
