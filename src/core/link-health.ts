/**
 * @module Rolling link-health figures of one device for the `diagnostics` stream (docs/protocol/bridge-api.md
 * §2.3): sample rate over 1 s, loss ratio and chunk jitter over 10 s, mean decode time, and the
 * channels seen on the lead-off sentinel in the last second. Fixed memory: chunk records live in
 * a ring that drops the oldest.
 */
import { CHANNELS } from "./samples.ts";
import type { SampleBlock } from "./samples.ts";
import type { ChunkTiming } from "./session-events.ts";

const RATE_WINDOW_MS = 1000;
const LONG_WINDOW_MS = 10_000;
// 10 s of chunks at one chunk per packet (the densest a source delivers), with room to spare
const MAX_CHUNKS = 8192;

/** The figures at one instant. */
export interface HealthFigures {
  /** EEG samples per second over the last 1 s. */
  rateHz: number;
  /** Missing samples / expected samples over the last 10 s (0 without data). */
  lossRatio: number;
  /** Standard deviation of the time between chunk arrivals over the last 10 s, ms. */
  jitterMs: number;
  /** Mean time to decode a chunk over the last 10 s, ms. */
  decodeMs: number;
  /** 1-based channels on the sentinel at any time in the last 1 s. */
  leadOff: number[];
}

/** Collects chunk timings and sample blocks; `figures(now)` summarises the windows. */
export class LinkHealth {
  #arrival = new Float64Array(MAX_CHUNKS);
  #samples = new Float64Array(MAX_CHUNKS);
  #decode = new Float64Array(MAX_CHUNKS);
  #head = 0; // next slot
  #size = 0;
  #gaps: Array<{ atMs: number; missing: number }> = [];
  /** Per channel, the last host time it was on the sentinel (−Infinity: never). */
  #offAt = new Float64Array(CHANNELS).fill(Number.NEGATIVE_INFINITY);

  /** One decoded chunk. */
  chunk(t: ChunkTiming): void {
    this.#arrival[this.#head] = t.arrivalMs;
    this.#samples[this.#head] = t.samples;
    this.#decode[this.#head] = t.decodeMs;
    this.#head = (this.#head + 1) % MAX_CHUNKS;
    if (this.#size < MAX_CHUNKS) this.#size++;
  }

  /** The samples of a chunk: its gaps and lead-off flags. */
  block(block: SampleBlock): void {
    // a reconnect's estimated gap is the time the link was down, not loss on a live link
    for (const gap of block.gaps) {
      if (!gap.estimated) this.#gaps.push({ atMs: block.arrivalMs, missing: gap.missing });
    }
    let any = 0;
    for (let i = 0; i < block.count; i++) any |= block.leadOff[i]!;
    if (any === 0) return;
    for (let c = 0; c < CHANNELS; c++) if ((any & (1 << c)) !== 0) this.#offAt[c] = block.arrivalMs;
  }

  /**
   * A new connection: the windows start empty (the pause between connections is neither jitter
   * nor loss) and every channel counts as on.
   */
  startConnection(): void {
    this.#head = 0;
    this.#size = 0;
    this.#gaps = [];
    this.#offAt.fill(Number.NEGATIVE_INFINITY);
  }

  figures(nowMs: number): HealthFigures {
    let rateSamples = 0;
    let longSamples = 0;
    let decodeSum = 0;
    let chunks = 0;
    let prev = Number.NaN;
    let gapSum = 0;
    let gapSqSum = 0;
    let intervals = 0;
    // oldest first, so intervals are between consecutive arrivals
    for (let k = this.#size; k >= 1; k--) {
      const slot = (this.#head - k + MAX_CHUNKS) % MAX_CHUNKS;
      const at = this.#arrival[slot]!;
      const age = nowMs - at;
      if (age > LONG_WINDOW_MS) continue;
      longSamples += this.#samples[slot]!;
      decodeSum += this.#decode[slot]!;
      chunks++;
      if (age <= RATE_WINDOW_MS) rateSamples += this.#samples[slot]!;
      if (!Number.isNaN(prev)) {
        const d = at - prev;
        gapSum += d;
        gapSqSum += d * d;
        intervals++;
      }
      prev = at;
    }
    this.#gaps = this.#gaps.filter((g) => nowMs - g.atMs <= LONG_WINDOW_MS);
    const missing = this.#gaps.reduce((sum, g) => sum + g.missing, 0);
    const mean = intervals > 0 ? gapSum / intervals : 0;
    const variance = intervals > 1 ? Math.max(0, gapSqSum / intervals - mean * mean) : 0;
    const leadOff: number[] = [];
    for (let c = 0; c < CHANNELS; c++) {
      if (nowMs - this.#offAt[c]! <= RATE_WINDOW_MS) leadOff.push(c + 1);
    }
    return {
      rateHz: (rateSamples * 1000) / RATE_WINDOW_MS,
      lossRatio: longSamples + missing > 0 ? missing / (longSamples + missing) : 0,
      jitterMs: Math.sqrt(variance),
      decodeMs: chunks > 0 ? decodeSum / chunks : 0,
      leadOff,
    };
  }
}
