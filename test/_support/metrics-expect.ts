/**
 * @module Checks a `metrics` message computed over the metrics capture (metrics-capture.ts) against
 * what each channel's content promises, as a list of problems (empty when all holds) so one
 * failure shows every channel that is wrong, in every runtime's `expect`.
 */
import { BAND_NAMES } from "../../src/protocol/metrics.ts";
import type { ChannelMetricsData, QualityLevel } from "../../src/protocol/metrics.ts";
import { CAPTURE_RATE_HZ, METRICS_CHANNELS } from "./metrics-capture.ts";
import type { ChannelPlan } from "./metrics-capture.ts";

/** One PSD bin of a 500-sample segment zero-padded to 512 at 500 Hz. */
export const BIN_HZ = CAPTURE_RATE_HZ / 512;
/** The bounds: RMS within 5 %, a tone's band power within 10 % of A²/2. */
export const RMS_TOLERANCE = 0.05;
export const BAND_TOLERANCE = 0.1;

/** The score range each level stands for (§2.6: good ≥ 0.8 > fair ≥ 0.5 > poor; off scores 0). */
const SCORES: Record<QualityLevel, readonly [number, number]> = {
  good: [0.8, 1],
  fair: [0.5, 0.8 - 1e-9],
  poor: [0, 0.5 - 1e-9],
  off: [0, 0],
};

const within = (got: number | null, want: number, tolerance: number): boolean =>
  typeof got === "number" && Math.abs(got - want) <= tolerance * want;

/** Problems of one channel's figures against its plan. */
function channelProblems(name: string, ch: ChannelMetricsData, p: ChannelPlan): string[] {
  const out: string[] = [];
  const say = (what: string) => out.push(`${name} (${p.label}): ${what}`);
  const e = p.expect;
  if (ch.quality !== e.quality || ch.quality_reason !== e.reason) {
    say(`quality ${ch.quality}/${ch.quality_reason}, expected ${e.quality}/${e.reason}`);
  }
  const [lo, hi] = SCORES[ch.quality] ?? [NaN, NaN];
  if (!(ch.quality_score >= lo && ch.quality_score <= hi)) {
    say(`quality_score ${ch.quality_score} outside ${lo}–${hi} of level ${ch.quality}`);
  }
  if (e.rmsUv === null) {
    // no usable sample: every number is null (§2.6)
    const numbers = [
      ch.rms_uv,
      ch.peak_hz,
      ch.line_noise_ratio,
      ...BAND_NAMES.map((b) => ch.band_power[b]),
      ...BAND_NAMES.map((b) => ch.relative[b]),
    ];
    if (numbers.some((x) => x !== null)) say(`numbers ${JSON.stringify(ch)}, expected all null`);
    return out;
  }
  if (e.rmsUv === 0) {
    if (!(typeof ch.rms_uv === "number" && ch.rms_uv < 0.5)) {
      say(`rms_uv ${ch.rms_uv}, expected < 0.5 (flat)`);
    }
  } else if (!within(ch.rms_uv, e.rmsUv, RMS_TOLERANCE)) {
    say(`rms_uv ${ch.rms_uv}, expected ${e.rmsUv.toFixed(2)} ± ${RMS_TOLERANCE * 100} %`);
  }
  if (
    e.peakHz !== null &&
    !(typeof ch.peak_hz === "number" && Math.abs(ch.peak_hz - e.peakHz) <= BIN_HZ)
  ) {
    say(`peak_hz ${ch.peak_hz}, expected ${e.peakHz} ± ${BIN_HZ.toFixed(3)} (one bin)`);
  }
  if (e.band !== null) {
    const { name: band, powerUv2 } = e.band;
    if (!within(ch.band_power[band], powerUv2, BAND_TOLERANCE)) {
      say(
        `band_power.${band} ${ch.band_power[band]}, expected ${powerUv2} ± ${
          BAND_TOLERANCE * 100
        } %`,
      );
    }
    // a lone tone holds nearly all of the 1–45 Hz power (≥ 97 % by the Hann main lobe)
    const rel = ch.relative[band];
    if (!(typeof rel === "number" && rel >= 0.9 && rel <= 1.0001)) {
      say(`relative.${band} ${rel}, expected 0.9–1`);
    }
  }
  if (e.lineNoiseRatio !== null) {
    const ok = e.lineNoiseRatio === 0
      ? typeof ch.line_noise_ratio === "number" && ch.line_noise_ratio < 0.01
      : within(ch.line_noise_ratio, e.lineNoiseRatio, BAND_TOLERANCE);
    if (!ok) say(`line_noise_ratio ${ch.line_noise_ratio}, expected ${e.lineNoiseRatio}`);
  }
  return out;
}

/** Everything wrong with `data` as a metrics message over the capture with a `windowS` window. */
export function metricsProblems(data: unknown, windowS = 2): string[] {
  if (data === null || typeof data !== "object") return [`not an object: ${JSON.stringify(data)}`];
  const m = data as Record<string, unknown>;
  const out: string[] = [];
  if (m["sample_rate"] !== CAPTURE_RATE_HZ) out.push(`sample_rate ${m["sample_rate"]}`);
  if (m["window_s"] !== windowS) out.push(`window_s ${m["window_s"]}, expected ${windowS}`);
  const seq = m["seq"];
  // the first window ends at seq window − 1 (seqs count from 0 at the device's first sample)
  if (!(Number.isInteger(seq) && (seq as number) >= windowS * CAPTURE_RATE_HZ - 1)) {
    out.push(`seq ${seq}: not the end of a full window`);
  }
  // Unix seconds of the sample clock: after 2020 and finite is all a replay can promise
  const t = m["timestamp"];
  if (!(typeof t === "number" && Number.isFinite(t) && t > 1.6e9)) out.push(`timestamp ${t}`);
  const channels = (m["channels"] ?? {}) as Record<string, ChannelMetricsData>;
  const names = METRICS_CHANNELS.map((_, c) => `ch${c + 1}`);
  if (JSON.stringify(Object.keys(channels).sort()) !== JSON.stringify([...names].sort())) {
    out.push(`channels ${Object.keys(channels).join(",")}, expected ${names.join(",")}`);
  }
  METRICS_CHANNELS.forEach((p, c) => {
    const ch = channels[`ch${c + 1}`];
    if (ch !== undefined) out.push(...channelProblems(`ch${c + 1}`, ch, p));
  });
  return out;
}
