/**
 * @module SampleClock: the per-device sample clock of docs/protocol/bridge-api.md §1. It turns `seq` into
 * Unix seconds, `t = t_anchor + (seq − seq_anchor) / 500`, with the anchor fitted to the host
 * arrival times of the chunks so timestamps follow the device's real rate, not Bluetooth jitter.
 *
 * ## The fit
 *
 * Every chunk gives one observation of the offset, o = arrival − seq_last / 500 (seconds), where
 * seq_last is the chunk's last sample and arrival the host time it came in. o is the true
 * offset (host time of seq 0 at 500 Hz) plus the chunk's delivery delay, which is never
 * negative; a device running at r ≠ 500 Hz makes the true offset drift by 500 / r − 1 seconds
 * per second. The clock estimates the *lower envelope* of o:
 *
 * 1. Observations are grouped in 1-s bins of host time; a bin keeps its lowest o (the chunk that
 *    was delivered fastest) and that chunk's seq.
 * 2. The drift slope b (seconds per sample) is the least-squares line through the minima of the
 *    last 120 closed bins (2 min), refitted as each bin closes once at least 8 exist; until then
 *    the previous slope stays (0 for a new clock). |b| is capped at 5000 ppm.
 * 3. The estimated offset at seq s is the lowest line of slope b through the minima of the last
 *    20 closed bins and of the open one: min over those bins k of m_k + b × (s − x_k), and never
 *    above the current chunk's own o.
 * 4. At every chunk the anchor moves to (seq_last, estimate + seq_last / 500), so the device's
 *    real rate shows as slowly moving anchors, while samples within a chunk stay exactly 2 ms apart.
 *
 * ## What a user can rely on
 *
 * - **Bias**: a timestamp is late by about the smallest delivery delay seen in the last ~20 s
 *   (the link's fixed latency plus the least queuing), not by the typical delay; it is never
 *   later than the arrival of the chunk that carried the sample (except while slewing, below).
 * - **Jitter**: chunking and variable delay do not show. The anchor moves when a faster chunk
 *   arrives, when a bin closes (by well under 1 ms once settled), and with the fitted drift.
 * - **Accuracy and drift**: the slope is fitted after 8 s and settles over 2 min. In simulation
 *   (sample-clock.test.ts: 0–30 ms of delay per chunk, delivered in order, 3–8-packet chunks;
 *   40 seeds), devices at 499.5, 500 and 500.5 Hz (±1000 ppm) were stamped within 2.6 ms of
 *   the truth (send time plus the fixed latency) from 10 s on, within 0.75 ms once settled (30 s
 *   on, through 5 min), and the fitted rate was off by < 0.004 Hz. Before 10 s the error is up
 *   to the first chunk's delay (≤ 30 ms there).
 * - **Gaps**: time advances by (seq jump) / 500, so k missing samples show as k × 2 ms more than
 *   the usual 2 ms between neighbours.
 * - **Reconnects**: `startConnection()` (which `toSampleBlock` calls for the first chunk of every
 *   connection) drops the bins and restarts the fit from the new connection's chunks, keeping the
 *   slope. The seq tracker's estimated gap already keeps time continuous to a few ms; the restart
 *   removes that error: one second after the reconnect the stamps were within 4 ms in
 *   simulation, settling as at start-up.
 * - **Re-anchoring**: an observation more than 0.5 s below the estimate (the host clock stepped
 *   back), or observations more than 0.5 s above it for a whole second (it stepped forward),
 *   drop the bins and re-anchor on the new level at once. Smaller steps forward are taken up as
 *   the 20-s support window moves on.
 * - **Order**: stamps are strictly increasing in seq: the first sample of a chunk is stamped at
 *   least 1 ms after the previous chunk's last. An estimate lower than that allows is approached
 *   by slewing, the anchor dropping by at most that margin per chunk (1 ms per chunk, about 10 %
 *   of elapsed time with 5-packet chunks). The one exception: when the estimate is more than
 *   0.5 s below what slewing allows (a host clock stepped back, or the first chunks of a
 *   connection were held up by more than 0.5 s), time steps back with it.
 */
import { DEVICE_RATE_HZ } from "./samples.ts";

// --- tunables (the numbers of the module doc) ---

const PERIOD_S = 1 / DEVICE_RATE_HZ;
const BIN_MS = 1000;
const SLOPE_BINS = 120;
const SUPPORT_BINS = 20;
const MIN_SLOPE_BINS = 8;
const MAX_SLOPE = 0.005 * PERIOD_S;
const REANCHOR_S = 0.5;
/** Bins further than this above the lowest line are left out of the slope fit. */
const OUTLIER_S = 0.05;
/** Least spacing between the last stamp of a chunk and the first of the next. */
const MIN_SPACING_S = PERIOD_S / 2;

// --- clock ---

/** Fits and applies the sample clock of one device (see the module doc). */
export class SampleClock {
  // closed bins, a ring: seq and minimum offset of each
  readonly #binSeq = new Float64Array(SLOPE_BINS);
  readonly #binMin = new Float64Array(SLOPE_BINS);
  #bins = 0;
  #binHead = 0;
  // the open bin
  #openStartMs = NaN;
  #openMin = Infinity;
  #openSeq = 0;
  /** Lowest m_k − b·x_k over the support bins (Infinity when none). */
  #support = Infinity;
  #slope = 0;
  /** Start (host ms) of a run of observations far above the estimate, and its lowest point. */
  #highSinceMs = NaN;
  #highMin = Infinity;
  #highSeq = 0;
  // the applied anchor
  #anchorSeq = NaN;
  #anchorTime = NaN;

  /** True once a chunk was observed. */
  get ready(): boolean {
    return !Number.isNaN(this.#anchorSeq);
  }

  /** The current anchor: `timeOf(seq) = anchorTime + (seq − anchorSeq) / 500`. NaN before the first chunk. */
  get anchorSeq(): number {
    return this.#anchorSeq;
  }

  /** Unix seconds of `anchorSeq`. */
  get anchorTime(): number {
    return this.#anchorTime;
  }

  /** The device's sample rate as fitted (500 until the slope is known). */
  get rateHz(): number {
    return 1 / (PERIOD_S + this.#slope);
  }

  /** Starts the fit afresh for a new connection; keeps the slope and the order guarantee. */
  startConnection(): void {
    this.#clearBins();
  }

  /**
   * Takes one chunk into the fit and moves the anchor: `lastSeq` is the seq of the chunk's last
   * sample, `arrivalMs` its host arrival (Unix ms). `firstSeq` (default: the previous `lastSeq`
   * + 1) is the first seq the caller will stamp, which bounds how far the anchor may drop.
   */
  observe(lastSeq: number, arrivalMs: number, firstSeq?: number): void {
    if (this.ready && !(lastSeq >= this.#anchorSeq)) {
      throw new RangeError(
        `Cannot observe seq ${lastSeq}: the clock is already at seq ${this.#anchorSeq}`,
      );
    }
    const o = arrivalMs / 1000 - lastSeq * PERIOD_S;
    if (arrivalMs - this.#openStartMs >= BIN_MS) this.#closeBin();
    // judged against the fit before this chunk joins it, so a step shows as a step
    let estimate = this.#estimate(lastSeq);
    if (o - estimate < -REANCHOR_S) {
      this.#clearBins();
    } else if (o - estimate > REANCHOR_S) {
      if (Number.isNaN(this.#highSinceMs)) this.#highSinceMs = arrivalMs;
      if (o < this.#highMin) {
        this.#highMin = o;
        this.#highSeq = lastSeq;
      }
      if (arrivalMs - this.#highSinceMs >= BIN_MS) {
        const min = this.#highMin;
        const seq = this.#highSeq;
        const since = this.#highSinceMs;
        this.#clearBins();
        this.#fold(min, seq, since);
        estimate = this.#estimate(lastSeq);
      }
    } else {
      this.#highSinceMs = NaN;
      this.#highMin = Infinity;
    }
    this.#fold(o, lastSeq, arrivalMs);
    if (o < estimate) estimate = o;
    if (!this.ready) return this.#setAnchor(lastSeq, estimate);

    const previous = this.#anchorTime - this.#anchorSeq * PERIOD_S;
    const first = firstSeq ?? this.#anchorSeq + 1;
    // the lowest offset that still stamps `first` MIN_SPACING_S after the last stamp
    const floor = previous - ((first - this.#anchorSeq) * PERIOD_S - MIN_SPACING_S);
    const offset = estimate >= floor || floor - estimate > REANCHOR_S ? estimate : floor;
    this.#setAnchor(lastSeq, offset);
  }

  /** Unix seconds of sample `seq` under the current anchor. */
  timeOf(seq: number): number {
    if (!this.ready) throw new RangeError("Cannot time a sample before the clock observed a chunk");
    return this.#anchorTime + (seq - this.#anchorSeq) * PERIOD_S;
  }

  /**
   * The seq of the sample at or just after Unix time `timeS` under the current anchor (the inverse
   * of `timeOf`, for placing markers); null before the first chunk.
   */
  seqAt(timeS: number): number | null {
    if (!this.ready) return null;
    // a hair of tolerance: a time computed by timeOf(s) must give s back, not s + 1
    return Math.ceil(this.#anchorSeq + (timeS - this.#anchorTime) / PERIOD_S - 1e-6);
  }

  // --- fit ---

  #setAnchor(seq: number, offset: number): void {
    this.#anchorSeq = seq;
    this.#anchorTime = offset + seq * PERIOD_S;
  }

  /** The offset estimate at `seq` (step 3 of the fit); Infinity while there is no observation since a restart. */
  #estimate(seq: number): number {
    const open = this.#openMin - this.#slope * this.#openSeq;
    return (open < this.#support ? open : this.#support) + this.#slope * seq;
  }

  /** Adds an observation to the open bin, opening it when needed. */
  #fold(o: number, seq: number, arrivalMs: number): void {
    if (Number.isNaN(this.#openStartMs)) this.#openStartMs = arrivalMs;
    if (o < this.#openMin) {
      this.#openMin = o;
      this.#openSeq = seq;
    }
  }

  #closeBin(): void {
    this.#binSeq[this.#binHead] = this.#openSeq;
    this.#binMin[this.#binHead] = this.#openMin;
    this.#binHead = (this.#binHead + 1) % SLOPE_BINS;
    if (this.#bins < SLOPE_BINS) this.#bins++;
    this.#openStartMs = NaN;
    this.#openMin = Infinity;
    this.#fitSlope();
    this.#support = Infinity;
    for (let k = 1; k <= Math.min(this.#bins, SUPPORT_BINS); k++) {
      const at = (this.#binHead - k + SLOPE_BINS) % SLOPE_BINS;
      const c = this.#binMin[at]! - this.#slope * this.#binSeq[at]!;
      if (c < this.#support) this.#support = c;
    }
  }

  /**
   * Least-squares slope of bin minimum against seq, over the closed bins within OUTLIER_S of their
   * lowest line at the current slope (a bin of a long stall or a host clock step must not tilt it);
   * kept as it is while fewer than MIN_SLOPE_BINS qualify. Capped at ±MAX_SLOPE.
   */
  #fitSlope(): void {
    const n = this.#bins;
    const xs = this.#binSeq;
    const ys = this.#binMin;
    let lowest = Infinity;
    for (let k = 0; k < n; k++) lowest = Math.min(lowest, ys[k]! - this.#slope * xs[k]!);
    const limit = lowest + OUTLIER_S;
    let count = 0;
    let sx = 0;
    let sy = 0;
    for (let k = 0; k < n; k++) {
      if (ys[k]! - this.#slope * xs[k]! > limit) continue;
      count++;
      sx += xs[k]!;
      sy += ys[k]! - lowest;
    }
    if (count < MIN_SLOPE_BINS) return;
    const mx = sx / count;
    const my = sy / count;
    let sxx = 0;
    let sxy = 0;
    for (let k = 0; k < n; k++) {
      if (ys[k]! - this.#slope * xs[k]! > limit) continue;
      const dx = xs[k]! - mx;
      sxx += dx * dx;
      sxy += dx * (ys[k]! - lowest - my);
    }
    if (sxx <= 0) return;
    const b = sxy / sxx;
    this.#slope = b > MAX_SLOPE ? MAX_SLOPE : b < -MAX_SLOPE ? -MAX_SLOPE : b;
  }

  #clearBins(): void {
    this.#bins = 0;
    this.#binHead = 0;
    this.#support = Infinity;
    this.#openStartMs = NaN;
    this.#openMin = Infinity;
    this.#highSinceMs = NaN;
    this.#highMin = Infinity;
  }
}
