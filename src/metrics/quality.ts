/**
 * @module The contact-quality rule (docs/metrics.md "Quality"): a score from 0 to 1 per channel from its
 * amplitude, mains hum and high-frequency noise, the level it falls in, and what limits it.
 */
import type { QualityLevel, QualityReason } from "../protocol/metrics.ts";

/** What the rule reads of one channel's window. */
export interface QualityInput {
  /** The channel sat on the lead-off sentinel somewhere in the window. */
  readonly leadOff: boolean;
  /** RMS (µV) of the usable samples after removing their mean; null when there were none. */
  readonly rmsUv: number | null;
  /** Power in 48–52 + 58–62 Hz ÷ power in 1–45 Hz; null without a spectrum. */
  readonly lineNoiseRatio: number | null;
  /** Power in 45–100 Hz ÷ power in 1–45 Hz; null without a spectrum. */
  readonly highFrequencyRatio: number | null;
}

export interface Quality {
  readonly level: QualityLevel;
  readonly score: number;
  readonly reason: QualityReason | null;
}

/** Below this RMS a channel carries no signal (an electrode in air, a shorted input). */
export const FLAT_RMS_UV = 0.5;
/** Above this RMS a channel is railed or loose (EEG stays well under 100 µV RMS). */
export const RAILED_RMS_UV = 500;

/**
 * Each measure's limits: at `clean` and below it scores 1, at `good` 0.8 (the last good value), at
 * `fair` 0.5 (the last fair value), and it keeps falling beyond, to 0.1 at twice `fair`.
 */
export interface Limits {
  readonly clean: number;
  readonly good: number;
  readonly fair: number;
}

export const AMPLITUDE_LIMITS: Limits = { clean: 50, good: 100, fair: 200 };
export const MAINS_LIMITS: Limits = { clean: 0.1, good: 0.25, fair: 1 };
export const NOISE_LIMITS: Limits = { clean: 0.25, good: 0.5, fair: 1.5 };

/** The score of a measure where more is worse: piecewise linear through the limits. */
export function limitScore(x: number, { clean, good, fair }: Limits): number {
  if (x <= clean) return 1;
  if (x <= good) return 1 - 0.2 * (x - clean) / (good - clean);
  if (x <= fair) return 0.8 - 0.3 * (x - good) / (fair - good);
  return Math.max(0.1, 0.5 - 0.4 * (x - fair) / fair);
}

/** The level a score falls in: good ≥ 0.8 > fair ≥ 0.5 > poor (§2.6). */
export function levelOf(score: number): QualityLevel {
  return score >= 0.8 ? "good" : score >= 0.5 ? "fair" : "poor";
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** The quality of one channel's window. */
export function channelQuality(input: QualityInput): Quality {
  if (input.leadOff) return { level: "off", score: 0, reason: "lead_off" };
  const rms = input.rmsUv;
  if (rms === null) return { level: "off", score: 0, reason: "no_data" };
  if (rms < FLAT_RMS_UV) return { level: "poor", score: 0.1, reason: "flat" };
  if (rms > RAILED_RMS_UV) return { level: "poor", score: 0.1, reason: "railed" };
  // the lowest of the three scores decides, and names the reason
  let score = limitScore(rms, AMPLITUDE_LIMITS);
  let reason: QualityReason = "amplitude";
  if (input.lineNoiseRatio !== null) {
    const mains = limitScore(input.lineNoiseRatio, MAINS_LIMITS);
    if (mains < score) [score, reason] = [mains, "mains"];
  }
  if (input.highFrequencyRatio !== null) {
    const noise = limitScore(input.highFrequencyRatio, NOISE_LIMITS);
    if (noise < score) [score, reason] = [noise, "noise"];
  }
  const rounded = round2(score);
  const level = levelOf(rounded);
  return { level, score: rounded, reason: level === "good" ? null : reason };
}
