/**
 * @module The `metrics` figures of one window (docs/protocol/bridge-api.md §2.6, docs/metrics.md): per channel
 * the RMS of the usable samples, the Welch PSD's peak, band powers and ratios, and the contact quality.
 */
import { CHANNELS } from "../core/samples.ts";
import type { SampleBlock } from "../core/samples.ts";
import { BAND_NAMES } from "../protocol/metrics.ts";
import type { BandValues, ChannelMetricsData, MetricsData } from "../protocol/metrics.ts";
import { WindowAmplitude } from "./amplitude.ts";
import { channelQuality } from "./quality.ts";
import { WindowSpectra } from "./segments.ts";
import { binWeights, rangePower, welchPlan } from "./spectrum.ts";
import type { BinWeights } from "./spectrum.ts";

/** Band edges in Hz (§2.6). */
export const BANDS: { readonly [B in (typeof BAND_NAMES)[number]]: readonly [number, number] } = {
  delta: [1, 4],
  theta: [4, 8],
  alpha: [8, 13],
  beta: [13, 30],
  gamma: [30, 45],
};
const TOTAL: readonly [number, number] = [1, 45];
const MAINS: ReadonlyArray<readonly [number, number]> = [[48, 52], [58, 62]];
const HIGH_FREQUENCY: readonly [number, number] = [45, 100];

const POWERS = Array.from({ length: 41 }, (_, i) => 10 ** (i - 20));
/** Four significant digits: what the figures are worth, and half the bytes (toPrecision costs 5×). */
function sig(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const exponent = 3 - Math.floor(Math.log10(Math.abs(x)));
  if (exponent < -20 || exponent > 20) return Number(x.toPrecision(4));
  // dividing by a power of ten (exact for exponents ≥ 0) gives the shortest decimal back
  return exponent >= 0
    ? Math.round(x * POWERS[exponent + 20]!) / POWERS[exponent + 20]!
    : Math.round(x / POWERS[20 - exponent]!) * POWERS[20 - exponent]!;
}
/**
 * Below these, a figure is rounding residue of the mean removal (a constant channel), not signal: the
 * ADC's own step is 0.024 µV, its quantisation noise ≈ 5·10⁻⁵ µV².
 */
const RMS_FLOOR_UV = 1e-6;
const POWER_FLOOR_UV2 = 1e-9;
const floored = (x: number, floor: number): number => (Math.abs(x) < floor ? 0 : x);

const CHANNEL_KEYS = Array.from({ length: CHANNELS }, (_, c) => `ch${c + 1}`);

/** The metrics of successive windows of one size; reuses its buffers and segment PSDs. */
export class WindowMetrics {
  readonly #spectra: WindowSpectra;
  readonly #amplitude = new WindowAmplitude();
  readonly #bands: BinWeights[];
  readonly #total: BinWeights;
  readonly #mains: BinWeights;
  readonly #high: BinWeights;
  readonly #peakFrom: number;
  readonly #peakTo: number;

  /** Windows of `windowS` seconds at `rateHz`, one every `hop` samples. */
  constructor(readonly windowS: number, readonly rateHz: number, hop: number) {
    const plan = welchPlan(Math.round(windowS * rateHz), rateHz);
    this.#spectra = new WindowSpectra(plan, rateHz, hop);
    this.#bands = BAND_NAMES.map((b) => binWeights([BANDS[b]], plan));
    this.#total = binWeights([TOTAL], plan);
    this.#mains = binWeights(MAINS, plan);
    this.#high = binWeights([HIGH_FREQUENCY], plan);
    this.#peakFrom = Math.ceil(TOTAL[0] / plan.binHz);
    this.#peakTo = Math.min(plan.nfft / 2, Math.floor(TOTAL[1] / plan.binHz));
  }

  /** The message data of `window` (its samples in seq order, count ≥ 1). */
  compute(window: SampleBlock): MetricsData {
    this.#spectra.update(window);
    this.#amplitude.update(window);
    const channels: Record<string, ChannelMetricsData> = {};
    for (let c = 0; c < CHANNELS; c++) channels[CHANNEL_KEYS[c]!] = this.#channel(c);
    const last = window.count - 1;
    return {
      timestamp: window.time[last]!,
      seq: window.seq[last]!,
      window_s: this.windowS,
      sample_rate: this.rateHz,
      channels,
    };
  }

  #channel(c: number): ChannelMetricsData {
    const measured = this.#amplitude.rms[c]!;
    const rms = Number.isNaN(measured) ? null : floored(measured, RMS_FLOOR_UV);
    const leadOff = (this.#amplitude.leadOff & (1 << c)) !== 0;
    const spectral = this.#spectra.segmentsUsed[c]! > 0 ? this.#spectral(c) : null;
    const quality = channelQuality({
      leadOff,
      rmsUv: rms,
      lineNoiseRatio: spectral?.line ?? null,
      highFrequencyRatio: spectral?.high ?? null,
    });
    return {
      rms_uv: rms === null ? null : sig(rms),
      peak_hz: spectral?.peakHz === undefined || spectral.peakHz === null
        ? null
        : sig(spectral.peakHz),
      band_power: spectral?.bands ?? nullBands(),
      relative: spectral?.relative ?? nullBands(),
      line_noise_ratio: spectral?.line === undefined || spectral.line === null
        ? null
        : sig(spectral.line),
      quality: quality.level,
      quality_score: quality.score,
      quality_reason: quality.reason,
    };
  }

  /** Peak, bands and ratios of channel `c`'s mean PSD. */
  #spectral(c: number) {
    const psd = this.#spectra.mean[c]!;
    let peak = this.#peakFrom;
    for (let k = this.#peakFrom + 1; k <= this.#peakTo; k++) if (psd[k]! > psd[peak]!) peak = k;
    const total = floored(rangePower(psd, this.#total), POWER_FLOOR_UV2);
    const bands = {} as BandValues, relative = {} as BandValues;
    BAND_NAMES.forEach((name, i) => {
      const power = floored(rangePower(psd, this.#bands[i]!), POWER_FLOOR_UV2);
      bands[name] = sig(power);
      relative[name] = total > 0 ? sig(power / total) : null;
    });
    return {
      // a channel without 1–45 Hz power has no peak (a constant: every bin is 0)
      peakHz: total > 0 ? peak * this.#spectra.plan.binHz : null,
      bands,
      relative,
      line: total > 0 ? rangePower(psd, this.#mains) / total : null,
      high: total > 0 ? rangePower(psd, this.#high) / total : null,
    };
  }
}

function nullBands(): BandValues {
  return { delta: null, theta: null, alpha: null, beta: null, gamma: null };
}
