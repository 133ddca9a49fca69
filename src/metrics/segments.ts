/**
 * @module The Welch segments of one window, per channel: each segment's PSD is computed once and kept by
 * the seq of its last sample, so a window that shares segments with an earlier one (the interval divides
 * the segment step, or is a multiple of it) computes only its newest segment. Bounded: at most
 * MAX_KEPT segments are kept, oldest dropped first.
 */
import { CHANNELS } from "../core/samples.ts";
import type { SampleBlock } from "../core/samples.ts";
import { SegmentPsd } from "./spectrum.ts";
import type { WelchPlan } from "./spectrum.ts";

/** One segment's PSD per channel; null where the channel had an unusable sample in it. */
type SegmentSpectra = ReadonlyArray<Float32Array | null>;

// 128 segments × 12 channels × 257 bins × 4 bytes ≈ 1.6 MB at most per computation
const MAX_KEPT = 128;
// lead-off sentinel or non-finite: bits 0–11 of either mask
const CHANNEL_BITS = (1 << CHANNELS) - 1;

/** The averaged PSD of every channel over the usable segments of a window. */
export class WindowSpectra {
  readonly #psd: SegmentPsd;
  readonly #kept = new Map<number, SegmentSpectra>();
  // PSD arrays of dropped segments, reused for new ones (no allocation per segment once warm)
  readonly #spare: Float32Array[] = [];
  // segments of this window that are not kept: spare once averaged
  readonly #transient: SegmentSpectra[] = [];
  readonly #keep: boolean;
  /** Per channel: the mean PSD of the last window (valid where `segmentsUsed[c] > 0`). */
  readonly mean: Float64Array[];
  readonly segmentsUsed = new Uint8Array(CHANNELS);

  /** `hop`: samples between windows; segments are kept only when a later window can reuse them. */
  constructor(readonly plan: WelchPlan, rateHz: number, hop: number) {
    this.#psd = new SegmentPsd(plan, rateHz);
    this.mean = Array.from({ length: CHANNELS }, () => new Float64Array(this.#psd.bins));
    this.#keep = plan.segments > 1 && keptSegments(plan, hop) <= MAX_KEPT;
  }

  get bins(): number {
    return this.#psd.bins;
  }

  /** Averages the segments of the window ending at `window`'s last sample. */
  update(window: SampleBlock): void {
    const { segment, step, segments } = this.plan;
    const last = window.seq[window.count - 1]!;
    this.segmentsUsed.fill(0);
    for (const m of this.mean) m.fill(0);
    for (let k = 0; k < segments; k++) {
      const spectra = this.#segment(window, last - k * step, segment);
      if (spectra === null) continue;
      for (let c = 0; c < CHANNELS; c++) {
        const psd = spectra[c];
        if (psd === null || psd === undefined) continue;
        const mean = this.mean[c]!;
        for (let b = 0; b < mean.length; b++) mean[b] = mean[b]! + psd[b]!;
        this.segmentsUsed[c] = this.segmentsUsed[c]! + 1;
      }
    }
    for (let c = 0; c < CHANNELS; c++) {
      const n = this.segmentsUsed[c]!;
      if (n > 1) {
        const mean = this.mean[c]!;
        for (let b = 0; b < mean.length; b++) mean[b] = mean[b]! / n;
      }
    }
    this.#forget(last - (segments - 1) * step);
    for (const spectra of this.#transient) {
      for (const psd of spectra) if (psd !== null) this.#spare.push(psd);
    }
    this.#transient.length = 0;
  }

  /** The segment ending at `end`: kept, or computed; null when the window lacks any of its samples. */
  #segment(window: SampleBlock, end: number, length: number): SegmentSpectra | null {
    const kept = this.#kept.get(end);
    if (kept !== undefined) return kept;
    const from = indexOfSeq(window, end - length + 1);
    if (from < 0 || window.seq[from + length - 1] !== end) return null;
    let bad = 0;
    for (let i = from; i < from + length; i++) bad |= window.leadOff[i]! | window.nonFinite[i]!;
    const spectra: Array<Float32Array | null> = [];
    for (let c = 0; c < CHANNELS; c++) {
      if ((bad & CHANNEL_BITS & (1 << c)) !== 0) {
        spectra.push(null);
        continue;
      }
      const out = this.#spare.pop() ?? new Float32Array(this.#psd.bins);
      this.#psd.compute(window.channels, from * CHANNELS + c, CHANNELS, out);
      spectra.push(out);
    }
    if (this.#keep) {
      if (this.#kept.size >= MAX_KEPT) this.#drop(this.#kept.keys().next().value!);
      this.#kept.set(end, spectra);
    } else this.#transient.push(spectra);
    return spectra;
  }

  /** Drops kept segments ending before `oldestEnd`: no later window reaches back to them. */
  #forget(oldestEnd: number): void {
    for (const end of this.#kept.keys()) if (end < oldestEnd) this.#drop(end);
  }

  #drop(end: number): void {
    for (const psd of this.#kept.get(end) ?? []) if (psd !== null) this.#spare.push(psd);
    this.#kept.delete(end);
  }
}

/**
 * Segments that later windows reuse, kept at once: every window end of the last (segments − 1) steps
 * when the hop divides the step, the window's own segments when the hop is a multiple of it;
 * Infinity when no window ever reuses a segment of another. Keeping fewer than this would evict
 * each segment before its reuse (the access pattern is cyclic).
 */
export function keptSegments(plan: WelchPlan, hop: number): number {
  if (plan.step % hop === 0) return (plan.segments - 1) * (plan.step / hop) + 1;
  if (hop % plan.step === 0) return plan.segments;
  return Infinity;
}

/** Index of the sample with `seq` in `window` (ascending seqs), or −1. */
export function indexOfSeq(window: SampleBlock, seq: number): number {
  const seqs = window.seq;
  const guess = seq - seqs[0]!;
  if (guess >= 0 && guess < window.count && seqs[guess] === seq) return guess;
  let lo = 0, hi = window.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = seqs[mid]!;
    if (s === seq) return mid;
    if (s < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
