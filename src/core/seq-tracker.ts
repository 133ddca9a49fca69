/**
 * @module SeqTracker: unwraps a device's 8-bit packet counter into the per-device sample number
 * `seq` of docs/protocol/bridge-api.md §1, chunk by chunk, for the life of the process. It drops duplicate
 * packets, reports counter gaps, and bridges a reconnect with a gap estimated from host time.
 */
import { EEG_EVENT_ID } from "../decoder/types.ts";
import { DEVICE_RATE_HZ } from "./samples.ts";
import type { Gap } from "./samples.ts";

// --- types ---

const MS_PER_SAMPLE = 1000 / DEVICE_RATE_HZ;
const NO_GAPS: readonly Gap[] = Object.freeze([]);

/** The part of a decoder `PacketBatch` the tracker reads. */
export interface CounterBatch {
  readonly count: number;
  readonly eventId: ArrayLike<number>;
  readonly counter: ArrayLike<number>;
}

/**
 * What `assign` made of one chunk. The object and its `seq` and `index` arrays belong to the
 * tracker and are overwritten by the next `assign` (only entries below `count` are valid);
 * `gaps` is a fresh array whenever it is non-empty, so it may be kept.
 */
export interface SeqAssignment {
  /** Kept samples: the chunk's EEG packets minus duplicates. */
  readonly count: number;
  /** `seq[j]`: the seq of kept sample j. */
  readonly seq: Float64Array;
  /** `index[j]`: the position in the batch of kept sample j (ascending). */
  readonly index: Uint32Array;
  /** Seq jumps before kept samples, `Gap.index` counted in kept samples. */
  readonly gaps: readonly Gap[];
  /** EEG packets dropped because their counter repeated the previous one. */
  readonly duplicates: number;
  /** True when the first kept sample is the first of a connection (the device's first, or after `startConnection()`). */
  readonly connectionStart: boolean;
}

interface MutableAssignment {
  count: number;
  seq: Float64Array;
  index: Uint32Array;
  gaps: readonly Gap[];
  duplicates: number;
  connectionStart: boolean;
}

// --- tracker ---

/**
 * Assigns `seq` to the EEG packets of one device (one tracker per device, never reset).
 *
 * - The device's first sample ever gets seq 0.
 * - Within a connection, let d = (counter − previous counter) mod 256 over EEG packets:
 *   d = 1 is the next sample (seq + 1); d = 0 is a duplicate, dropped and counted (seq does not
 *   advance, and the counter it is compared with stays the same); d ≥ 2 means d − 1 packets
 *   were lost: seq jumps by d and a `Gap {missing: d − 1, estimated: false}` is reported. A
 *   counter that went backwards therefore reads as a large gap, as mod 256 dictates.
 * - After `startConnection()`, the first sample continues at `last + 1 + k`, the missing span
 *   k estimated from host time: a chunk's last sample is taken to have been sent when the chunk
 *   arrived and every earlier one 2 ms per seq step before it. So the old connection's last
 *   sample was sent at A₀, the arrival of the chunk that held it, and the new connection's first
 *   at A₁ − (n − 1) × 2 ms, where A₁ is the arrival of that connection's first EEG chunk and
 *   n − 1 the seq span of its kept samples (n − 1 for n samples without a counter gap). The
 *   sample after the old last was due at A₀ + 2 ms, so
 *   k = max(0, round((A₁ − (n − 1) × 2 ms − (A₀ + 2 ms)) / 2 ms)). The delivery delay enters
 *   both arrivals alike and mostly cancels; what remains is the difference of the two chunks'
 *   delays (typically a few ms, so k is right to a few samples). k > 0 is reported as a
 *   `Gap {missing: k, estimated: true}`; k = 0 (an instant reconnect) reports none.
 * - Why the previous connection ended decides what that jump means: after a link loss it is a gap;
 *   when every connection since the last kept sample ended deliberately (`startConnection(false)`)
 *   the device was off on purpose and nothing was lost, so the jump (kept, for time alignment) is
 *   marked `deliberate: true` and not counted in `gaps`. One link loss anywhere in between makes
 *   the whole jump a gap: the tracker cannot tell how much of it the link loss cost.
 * - Only EEG packets (event id 239) count; other packets are skipped and change nothing.
 */
export class SeqTracker {
  #last = -1;
  /** Counter of the previous kept sample in this connection; −1 at a connection's start. */
  #prevCounter = -1;
  /** Counter of the last kept sample of any connection (the expected counter of a reconnect gap follows it). */
  #lastCounter = -1;
  /** Arrival (host ms) of the chunk that held the last kept sample. */
  #lastArrivalMs = 0;
  #connectionStart = true;
  /** A link was lost since the last kept sample (the pending reconnect jump is a gap, not a deliberate pause). */
  #lossPending = false;
  #duplicates = 0;
  #gaps = 0;
  #out: MutableAssignment = {
    count: 0,
    seq: new Float64Array(64),
    index: new Uint32Array(64),
    gaps: NO_GAPS,
    duplicates: 0,
    connectionStart: false,
  };

  /** Seq of the last kept sample, or null before the first. */
  get lastSeq(): number | null {
    return this.#last < 0 ? null : this.#last;
  }

  /** Duplicates dropped since the tracker was made. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /** Gaps reported since the tracker was made (counter gaps and estimated reconnect gaps; deliberate jumps excluded). */
  get gaps(): number {
    return this.#gaps;
  }

  /**
   * Marks a new connection: call it before that connection's first chunk. `afterLinkLoss` says
   * whether the previous connection ended by losing its link (the default) or deliberately.
   * Idempotent until a sample arrives, except that a link loss is remembered until then.
   */
  startConnection(afterLinkLoss = true): void {
    this.#prevCounter = -1;
    this.#connectionStart = true;
    if (afterLinkLoss) this.#lossPending = true;
  }

  /**
   * Assigns seq to the EEG packets of `batch`, which arrived at host time `arrivalMs` (Unix ms).
   * The result is reused by the next call (see `SeqAssignment`).
   */
  assign(batch: CounterBatch, arrivalMs: number): SeqAssignment {
    const out = this.#out;
    if (out.seq.length < batch.count) {
      const size = Math.max(batch.count, out.seq.length * 2);
      out.seq = new Float64Array(size);
      out.index = new Uint32Array(size);
    }
    const { eventId, counter } = batch;
    const seqOut = out.seq;
    const indexOut = out.index;
    let gaps: Gap[] | null = null;
    let kept = 0;
    let duplicates = 0;
    let last = this.#last;
    let prev = this.#prevCounter;
    const reconnect = this.#connectionStart && last >= 0;
    const connectionStart = this.#connectionStart;
    const reconnectExpected = (this.#lastCounter + 1) & 255;

    for (let i = 0; i < batch.count; i++) {
      if (eventId[i] !== EEG_EVENT_ID) continue;
      const c = counter[i]!;
      let step = 1;
      if (prev >= 0) {
        step = (c - prev) & 255;
        if (step === 0) {
          duplicates++;
          continue;
        }
        if (step > 1) {
          (gaps ??= []).push({
            index: kept,
            seq: last + step,
            missing: step - 1,
            expectedCounter: (prev + 1) & 255,
            gotCounter: c,
            estimated: false,
          });
        }
      }
      last += step;
      prev = c;
      seqOut[kept] = last;
      indexOut[kept] = i;
      kept++;
    }

    if (kept > 0) {
      if (reconnect) {
        const missing = this.#reconnectMissing(arrivalMs, last - seqOut[0]!);
        if (missing > 0) {
          for (let j = 0; j < kept; j++) seqOut[j]! += missing;
          last += missing;
          const shifted: Gap[] = (gaps ?? []).map((g) => ({ ...g, seq: g.seq + missing }));
          shifted.unshift({
            index: 0,
            seq: seqOut[0]!,
            missing,
            expectedCounter: reconnectExpected,
            gotCounter: counter[indexOut[0]!]!,
            estimated: true,
            ...(this.#lossPending ? {} : { deliberate: true }),
          });
          gaps = shifted;
        }
      }
      this.#connectionStart = false;
      this.#lossPending = false;
      this.#lastCounter = prev;
      this.#lastArrivalMs = arrivalMs;
    }
    this.#last = last;
    this.#prevCounter = prev;
    this.#duplicates += duplicates;
    if (gaps !== null) { for (const g of gaps) if (g.deliberate !== true) this.#gaps++; }

    out.count = kept;
    out.gaps = gaps ?? NO_GAPS;
    out.duplicates = duplicates;
    out.connectionStart = connectionStart && kept > 0;
    return out;
  }

  /** The reconnect gap k of the class doc, for a first chunk spanning `span` seq steps that arrived at `arrivalMs`. */
  #reconnectMissing(arrivalMs: number, span: number): number {
    const firstNewMs = arrivalMs - span * MS_PER_SAMPLE;
    const dueMs = this.#lastArrivalMs + MS_PER_SAMPLE;
    const k = Math.round((firstNewMs - dueMs) / MS_PER_SAMPLE);
    return k > 0 ? k : 0;
  }
}
