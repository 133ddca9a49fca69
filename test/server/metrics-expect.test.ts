/**
 * @module The checker of the metrics e2e tests (test/_support/metrics-expect.ts) can fail: a message
 * holding exactly what the capture's plan promises passes, and each kind of wrong figure is named.
 */
import { describe, expect, test } from "bun:test";
import { BAND_NAMES } from "../../src/protocol/metrics.ts";
import type { ChannelMetricsData, MetricsData } from "../../src/protocol/metrics.ts";
import { METRICS_CHANNELS } from "../_support/metrics-capture.ts";
import { BIN_HZ, metricsProblems } from "../_support/metrics-expect.ts";

const nulls = () => ({ delta: null, theta: null, alpha: null, beta: null, gamma: null });

/** A message with the plan's figures (what a perfect server would send). */
function ideal(): MetricsData {
  const channels: Record<string, ChannelMetricsData> = {};
  METRICS_CHANNELS.forEach((p, c) => {
    const e = p.expect;
    const score = e.quality === "good" ? 0.97 : e.quality === "off" ? 0 : 0.1;
    const ch: ChannelMetricsData = {
      rms_uv: e.rmsUv,
      peak_hz: e.peakHz,
      band_power: e.rmsUv === null ? nulls() : { delta: 0, theta: 0, alpha: 0, beta: 0, gamma: 0 },
      relative: e.rmsUv === null ? nulls() : { delta: 0, theta: 0, alpha: 0, beta: 0, gamma: 0 },
      line_noise_ratio: e.rmsUv === null ? null : (e.lineNoiseRatio ?? 0.2),
      quality: e.quality,
      quality_score: score,
      quality_reason: e.reason,
    };
    if (e.band !== null) {
      ch.band_power[e.band.name] = e.band.powerUv2;
      ch.relative[e.band.name] = 0.98;
    }
    channels[`ch${c + 1}`] = ch;
  });
  return { timestamp: 1.8e9, seq: 1999, window_s: 2, sample_rate: 500, channels };
}

const tone = METRICS_CHANNELS.findIndex((p) => p.expect.band !== null && p.noiseRmsUv === 0);
const name = `ch${tone + 1}`;
const mutate = (f: (m: MetricsData, ch: ChannelMetricsData) => void): string[] => {
  const m = ideal();
  f(m, m.channels[name]!);
  return metricsProblems(m, 2);
};

describe("metricsProblems", () => {
  test("finds nothing wrong with the plan's own figures", () => {
    expect(metricsProblems(ideal(), 2)).toEqual([]);
  });

  test("names each wrong figure and the channel it is on", () => {
    const band = METRICS_CHANNELS[tone]!.expect.band!;
    const rms = METRICS_CHANNELS[tone]!.expect.rmsUv!;
    const cases: Array<[string, (m: MetricsData, ch: ChannelMetricsData) => void]> = [
      ["quality", (_, ch) => void (ch.quality = "fair")],
      ["quality_score", (_, ch) => void (ch.quality_score = 0.7)],
      ["rms_uv", (_, ch) => void (ch.rms_uv = rms * 1.06)],
      ["rms_uv", (_, ch) => void (ch.rms_uv = null)],
      ["peak_hz", (_, ch) => void (ch.peak_hz = ch.peak_hz! + 1.01 * BIN_HZ)],
      [
        `band_power.${band.name}`,
        (_, ch) => void (ch.band_power[band.name] = band.powerUv2 * 0.89),
      ],
      [`relative.${band.name}`, (_, ch) => void (ch.relative[band.name] = 0.5)],
      ["line_noise_ratio", (_, ch) => void (ch.line_noise_ratio = 0.02)],
    ];
    for (const [field, change] of cases) {
      const problems = mutate(change);
      expect({ field, named: problems.some((s) => s.startsWith(name) && s.includes(field)) })
        .toEqual({ field, named: true });
    }
    expect(mutate((m) => void (m.window_s = 1))).toHaveLength(1);
    expect(mutate((m) => void (m.seq = 998))).toHaveLength(1);
    expect(mutate((m) => void delete m.channels["ch12"])).toHaveLength(1);
  });

  test("wants every number null on the lead-off channel and RMS under 0.5 µV on the flat one", () => {
    const off = METRICS_CHANNELS.findIndex((p) => p.leadOff);
    const flat = METRICS_CHANNELS.findIndex((p) => p.expect.reason === "flat");
    for (const b of BAND_NAMES) {
      const m = ideal();
      m.channels[`ch${off + 1}`]!.relative[b] = 0;
      expect(metricsProblems(m, 2)).toHaveLength(1);
    }
    const m = ideal();
    m.channels[`ch${flat + 1}`]!.rms_uv = 0.5;
    expect(metricsProblems(m, 2)).toHaveLength(1);
  });
});
