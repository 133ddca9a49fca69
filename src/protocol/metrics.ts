/**
 * @module The `metrics` stream's wire shape (docs/protocol/bridge-api.md §2.6, docs/metrics.md): per-channel
 * signal features and contact quality over a sliding window, and its subscription options.
 */

/** The five EEG bands, in the order messages list them. */
export const BAND_NAMES = ["delta", "theta", "alpha", "beta", "gamma"] as const;
export type BandName = (typeof BAND_NAMES)[number];

/** Contact quality levels, best first. */
export const QUALITY_LEVELS = ["good", "fair", "poor", "off"] as const;
export type QualityLevel = (typeof QUALITY_LEVELS)[number];

/**
 * What limits a channel's quality (docs/metrics.md says each in a sentence); null when it is good.
 * Added to §2.6's fields so a page can tell the user what to do, not only the colour.
 */
export const QUALITY_REASONS = [
  "lead_off",
  "no_data",
  "flat",
  "railed",
  "amplitude",
  "mains",
  "noise",
] as const;
export type QualityReason = (typeof QUALITY_REASONS)[number];

/** What each reason means for the person wearing the headset (the dashboard shows these). */
export const QUALITY_SENTENCES: { readonly [R in QualityReason]: string } = {
  lead_off: "the headset reports this electrode is not in contact (lead-off)",
  no_data: "no usable samples in the window",
  flat: "no signal — the electrode is not touching skin",
  railed: "huge swings — the electrode is loose or moving, or the amplifier is saturated",
  amplitude: "a large signal — movement, blinks or jaw clenching, or a loose electrode",
  mains: "strong mains hum — the electrode is not pressed firmly against the skin",
  noise: "high-frequency noise — muscle tension or a poor contact",
};

/** Band powers (µV², absolute) or fractions of the 1–45 Hz power (relative). */
export type BandValues = { [B in BandName]: number | null };

/** One channel's figures over the window; numbers are null when they cannot be computed. */
export interface ChannelMetricsData {
  rms_uv: number | null;
  peak_hz: number | null;
  band_power: BandValues;
  relative: BandValues;
  line_noise_ratio: number | null;
  quality: QualityLevel;
  quality_score: number;
  quality_reason: QualityReason | null;
}

/** `metrics` data: one message per interval while the device streams. */
export interface MetricsData {
  /** Unix seconds (sample clock, §1) of the window's last sample. */
  timestamp: number;
  /** seq of the window's last sample. */
  seq: number;
  window_s: number;
  sample_rate: number;
  /** `ch1` … `ch12`. */
  channels: Record<string, ChannelMetricsData>;
  /** On per-device sockets only (§6). */
  device_id?: string;
}

/** The `metrics` subscription's effective options. */
export interface MetricsOptions {
  /** 33–10000: one message per interval_ms / 2 samples (rounded) of the device's stream. */
  interval_ms: number;
  /** 0.5–10 s of samples per window. */
  window_s: number;
}

export const METRICS_DEFAULTS: MetricsOptions = { interval_ms: 100, window_s: 2 };
/** The options of MQTT's `metrics` topic (§7). */
export const MQTT_METRICS_OPTIONS: MetricsOptions = { interval_ms: 1000, window_s: 2 };
