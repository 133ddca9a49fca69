/**
 * @module A raw capture (the bytes `--capture` saves, `--source replay:FILE` reads) whose twelve
 * channels hold known content: tones, mains hum, the lead-off sentinel, a flat line, loose noise;
 * and what the `metrics` stream must say about each (docs/protocol/bridge-api.md §2.6).
 */
import type { BandName, QualityLevel, QualityReason } from "../../src/protocol/metrics.ts";
import { CHANNEL_COUNT, LEAD_OFF_RAW, PACKET_LEN, UV_PER_COUNT } from "../../src/decoder/types.ts";
import { writePacket } from "../../src/sources/packet-builder.ts";
import { createPrng } from "../../src/sources/signal.ts";

export const CAPTURE_RATE_HZ = 500;

/** One sine: sin(2π·hz·t + phase) × uv. */
export interface Tone {
  readonly hz: number;
  readonly uv: number;
  readonly phase: number;
}

/** What the stream must report for a channel over any window of whole seconds. */
export interface ChannelExpectation {
  readonly quality: QualityLevel;
  readonly reason: QualityReason | null;
  /** RMS after removing the mean; null when the channel has no usable sample. */
  readonly rmsUv: number | null;
  /** The tone the PSD peaks at in 1–45 Hz; null when none stands out (noise, flat, off). */
  readonly peakHz: number | null;
  /** The band holding the channel's main tone and that tone's power A²/2 (µV²). */
  readonly band: { readonly name: BandName; readonly powerUv2: number } | null;
  /** Power of the tones in 48–52 + 58–62 Hz ÷ in 1–45 Hz; null for noise, flat and off channels. */
  readonly lineNoiseRatio: number | null;
}

/** One channel's content. */
export interface ChannelPlan {
  /** What the channel stands for, for test titles and failure messages. */
  readonly label: string;
  readonly tones: readonly Tone[];
  readonly offsetUv: number;
  /** RMS of the added noise; see `noiseBlock` for why it repeats every second. */
  readonly noiseRmsUv: number;
  /** Every sample carries the raw lead-off sentinel instead of the signal. */
  readonly leadOff: boolean;
  readonly expect: ChannelExpectation;
}

const tone = (hz: number, uv: number, phase: number): Tone => ({ hz, uv, phase });

/** Power (A²/2) of the tones whose frequency lies in one of `ranges`. */
function tonePower(tones: readonly Tone[], ranges: ReadonlyArray<readonly [number, number]>) {
  return tones.filter((t) => ranges.some(([lo, hi]) => t.hz >= lo && t.hz <= hi))
    .reduce((s, t) => s + (t.uv * t.uv) / 2, 0);
}

/** RMS of uncorrelated tones plus noise: √(Σ A²/2 + σ²). */
function rmsOf(tones: readonly Tone[], noise: number): number {
  return Math.sqrt(tones.reduce((s, t) => s + (t.uv * t.uv) / 2, noise * noise));
}

function plan(
  label: string,
  tones: readonly Tone[],
  extra: { offsetUv?: number; noiseRmsUv?: number; leadOff?: boolean },
  expect: Pick<ChannelExpectation, "quality" | "reason"> & {
    band?: BandName;
    peak?: boolean;
  },
): ChannelPlan {
  const noiseRmsUv = extra.noiseRmsUv ?? 0;
  const leadOff = extra.leadOff ?? false;
  const main = tones[0];
  return {
    label,
    tones,
    offsetUv: extra.offsetUv ?? 0,
    noiseRmsUv,
    leadOff,
    expect: {
      quality: expect.quality,
      reason: expect.reason,
      rmsUv: leadOff ? null : rmsOf(tones, noiseRmsUv),
      peakHz: expect.peak === false || main === undefined ? null : main.hz,
      band: expect.band === undefined || main === undefined
        ? null
        : { name: expect.band, powerUv2: (main.uv * main.uv) / 2 },
      lineNoiseRatio: noiseRmsUv > 0 || leadOff || main === undefined
        ? null
        : tonePower(tones, [[48, 52], [58, 62]]) / tonePower(tones, [[1, 45]]),
    },
  };
}

/**
 * ch1…ch12. Tones sit well inside their band (≥ 1.5 Hz from its edges, so the Hann main lobe of
 * ±2 Hz leaks < 5 % out of it) and are ≤ 80 µV (RMS ≤ 57 µV: the amplitude score stays ≥ 0.8).
 */
export const METRICS_CHANNELS: readonly ChannelPlan[] = [
  plan("delta 2.5 Hz 40 µV on +200 µV DC", [tone(2.5, 40, 0.3)], { offsetUv: 200 }, {
    quality: "good",
    reason: null,
    band: "delta",
  }),
  plan("theta 5.86 Hz 30 µV", [tone(5.86, 30, 1.1)], {}, {
    quality: "good",
    reason: null,
    band: "theta",
  }),
  plan("alpha 10.74 Hz 60 µV on −150 µV DC", [tone(10.74, 60, 2.0)], { offsetUv: -150 }, {
    quality: "good",
    reason: null,
    band: "alpha",
  }),
  plan("beta 20.5 Hz 20 µV", [tone(20.5, 20, 0.5)], {}, {
    quality: "good",
    reason: null,
    band: "beta",
  }),
  plan("gamma 37.1 Hz 15 µV on +50 µV DC", [tone(37.1, 15, 2.7)], { offsetUv: 50 }, {
    quality: "good",
    reason: null,
    band: "gamma",
  }),
  // line noise ratio (150²/2) / (10²/2) = 225: the mains score is the floor, 0.1
  plan("10 µV alpha under 150 µV of 50 Hz mains", [tone(10, 10, 0.9), tone(50, 150, 0.2)], {}, {
    quality: "poor",
    reason: "mains",
    band: "alpha",
  }),
  plan("on the lead-off sentinel", [], { leadOff: true }, { quality: "off", reason: "lead_off" }),
  plan("flat at +120 µV", [], { offsetUv: 120 }, { quality: "poor", reason: "flat" }),
  // amplitude score 0.3 at 300 µV RMS; white noise's 45–100 ÷ 1–45 Hz ratio (~1.25) scores ~0.57
  plan("loose: 300 µV RMS white noise", [], { noiseRmsUv: 300 }, {
    quality: "poor",
    reason: "amplitude",
  }),
  plan("railed: 800 µV RMS white noise", [], { noiseRmsUv: 800 }, {
    quality: "poor",
    reason: "railed",
  }),
  plan("clean 10 µV alpha at 10 Hz and 1 µV of noise", [tone(10, 10, 1.7)], { noiseRmsUv: 1 }, {
    quality: "good",
    reason: null,
    band: "alpha",
  }),
  plan("beta 16.6 Hz 80 µV on −300 µV DC", [tone(16.6, 80, 0.1)], { offsetUv: -300 }, {
    quality: "good",
    reason: null,
    band: "beta",
  }),
];

/** Sum of four uniforms: bounded (±3.5 σ), roughly normal, unit variance. */
const normal = (rand: () => number): number =>
  (rand() + rand() + rand() + rand() - 2) * Math.sqrt(3);

/**
 * One second of seeded white noise with mean exactly 0 and RMS exactly `rms`. The capture repeats
 * it every second, so every window of whole seconds has exactly that RMS: a test's bound then
 * checks the server, not the luck of a random draw.
 */
function noiseBlock(seed: number, rms: number): Float64Array {
  const rand = createPrng(seed);
  const block = new Float64Array(CAPTURE_RATE_HZ).map(() => normal(rand));
  const mean = block.reduce((s, x) => s + x, 0) / block.length;
  const sd = Math.sqrt(block.reduce((s, x) => s + (x - mean) ** 2, 0) / block.length);
  return block.map((x) => ((x - mean) / sd) * rms);
}

/** The µV of channel `index` (0-based) for samples 0 … count − 1; the sentinel channel gives NaN. */
export function channelSamples(index: number, count: number): Float64Array {
  const p = METRICS_CHANNELS[index];
  if (p === undefined) throw new RangeError(`No channel at index ${index}`);
  const out = new Float64Array(count);
  if (p.leadOff) return out.fill(NaN);
  const noise = p.noiseRmsUv > 0 ? noiseBlock(7_000 + index, p.noiseRmsUv) : null;
  for (let i = 0; i < count; i++) {
    const t = i / CAPTURE_RATE_HZ;
    let uv = p.offsetUv + (noise?.[i % CAPTURE_RATE_HZ] ?? 0);
    for (const s of p.tones) uv += s.uv * Math.sin(2 * Math.PI * s.hz * t + s.phase);
    out[i] = uv;
  }
  return out;
}

/** `seconds` of packets (counters from 0, REF and DRL 0), concatenated as the link sends them. */
export function metricsCaptureBytes(seconds: number): Uint8Array {
  const count = Math.round(seconds * CAPTURE_RATE_HZ);
  const planes = METRICS_CHANNELS.map((_, c) => channelSamples(c, count));
  const out = new Uint8Array(count * PACKET_LEN);
  const raw = new Float64Array(CHANNEL_COUNT);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < CHANNEL_COUNT; c++) {
      raw[c] = METRICS_CHANNELS[c]!.leadOff ? LEAD_OFF_RAW : planes[c]![i]! / UV_PER_COUNT;
    }
    writePacket(out, i * PACKET_LEN, { counter: i & 0xff, rawChannels: raw });
  }
  return out;
}
