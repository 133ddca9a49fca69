/**
 * @module SampleRing: the fixed-size retention buffer of docs/protocol/bridge-api.md §2.5, the last 60 s of one
 * device's samples (30 000 at 500 Hz), compressed losslessly, read back by `seq` to resume a
 * client's stream.
 */
import { decodeSegment, encodeSegment } from "./ring-segment.ts";
import { SegmentArena } from "./segment-arena.ts";
import { SegmentCache } from "./segment-cache.ts";
import { SegmentPlanes } from "./segment-planes.ts";
import { freshPlanes } from "./sample-buffers.ts";
import type { SampleBuffers } from "./sample-buffers.ts";
import type { Gap, SampleBlock } from "./samples.ts";

/** 60 s at the device rate. */
export const DEFAULT_RING_CAPACITY = 30_000;
/** Samples per segment: the open one's full-width planes, and the unit a read decodes. */
export const SEGMENT_SAMPLES = 128;
/** Decoded segments a ring keeps, in samples: a 2-s metrics window and a replay page at once. */
const CACHE_SAMPLES = 1536;
/**
 * Segments closed without a read before the decoded ones are let go (~2 s at 500 Hz): a replay's
 * ~160 kB of decoded planes do not stay with the device, a metrics window's (read 10×/s) do.
 */
const CACHE_IDLE_SEGMENTS = 8;

// --- ring ---

/**
 * The last `capacity` samples of one device, oldest dropped first. Samples must arrive with
 * increasing `seq` (as `toSampleBlock` produces them).
 *
 * Storage: the newest samples in an open segment at full width (f32 counts, as before issue 24);
 * each full segment is encoded (ring-segment.ts: delta and bit-packed columns, exact for every
 * value) into a closed one, and closed segments form a FIFO in reused 8-KB chunks
 * (segment-arena.ts). The ring still holds exactly the newest `capacity` samples: `#start` skips
 * the oldest segment's dropped ones. On the simulator (whole ADC counts) a sample costs ~20 bytes
 * instead of 96 (bench/ring-memory.ts). Reads give back bit for bit what the uncompressed ring
 * gave, provided seqs increase within a block too (the search by seq assumes it, as it always did).
 * Reads decode the segments they touch, kept in a small cache while reads go on.
 */
export class SampleRing {
  /** Samples the ring holds at most. */
  readonly capacity: number;
  /** Samples per segment (SEGMENT_SAMPLES, or the capacity when that is smaller). */
  readonly #k: number;
  readonly #open: SegmentPlanes;
  #openCount = 0;
  /** Closed segments, oldest first, each tagged with its first seq. */
  readonly #closed: SegmentArena;
  /** Id of the oldest closed segment (ids count up forever; the cache knows segments by id). */
  #firstId = 0;
  readonly #cache: SegmentCache;
  /** Samples of the oldest segment already dropped, and the number held. */
  #start = 0;
  #size = 0;
  #newestSeq = 0;
  /** Segments closed since the last read. */
  #idle = 0;

  constructor(capacity = DEFAULT_RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot make a sample ring of capacity ${capacity}: expected an integer ≥ 1`,
      );
    }
    this.capacity = capacity;
    const k = this.#k = Math.min(SEGMENT_SAMPLES, capacity);
    this.#open = new SegmentPlanes(k);
    // live samples span at most ceil(capacity / k) + 1 closed segments; one more while closing
    const slots = Math.ceil(capacity / k) + 2;
    this.#closed = new SegmentArena(slots);
    // more entries than closed segments could never be used (a tiny ring's segments are tiny)
    this.#cache = new SegmentCache(k, Math.min(Math.ceil(CACHE_SAMPLES / k) + 1, slots));
  }

  /** Samples held (≤ capacity). */
  get size(): number {
    return this.#size;
  }

  /** Seq of the oldest retained sample, or null when empty. */
  get oldestSeq(): number | null {
    if (this.#size === 0) return null;
    // a segment's tag is its first seq: no decoding unless the oldest segment was partly dropped
    if (this.#start === 0 && this.#closed.count > 0) return this.#closed.tag(0);
    return this.#segment(0).seq[this.#start]!;
  }

  /** Seq of the newest retained sample, or null when empty. */
  get newestSeq(): number | null {
    return this.#size === 0 ? null : this.#newestSeq;
  }

  /** Bytes the ring holds: closed segments, the open one, decoded segments. */
  get byteSize(): number {
    return this.#closed.byteSize + this.#open.byteSize + this.#cache.byteSize;
  }

  /**
   * Copies a block in, dropping the oldest samples when full (a block larger than the ring keeps
   * only its newest `capacity` samples). Throws RangeError when the block's first seq is not above
   * `newestSeq`.
   */
  push(block: SampleBlock): void {
    const n = block.count;
    if (n === 0) return;
    const newest = this.newestSeq;
    if (newest !== null && !(block.seq[0]! > newest)) {
      throw new RangeError(
        `Cannot push seq ${block.seq[0]} into the sample ring: it already holds seq ${newest}`,
      );
    }
    const k = this.#k;
    let from = n > this.capacity ? n - this.capacity : 0;
    while (from < n) {
      const take = Math.min(k - this.#openCount, n - from);
      this.#open.copyIn(block, from, take, this.#openCount);
      this.#openCount += take;
      this.#size += take;
      from += take;
      if (this.#size > this.capacity) this.#drop(this.#size - this.capacity);
      if (this.#openCount === k) this.#close();
    }
    this.#newestSeq = block.seq[n - 1]!;
  }

  /**
   * A new block (its own arrays) of the retained samples with seq ≥ `fromSeq`, oldest first, at
   * most `maxSamples` of them; null when there are none. A `fromSeq` older than `oldestSeq` reads
   * from `oldestSeq`. Page on with `fromSeq = last returned seq + 1`. The block's `gaps` are the
   * original gaps before its samples (including one before its first sample), `duplicates` is 0,
   * and `arrivalMs` is the arrival of the chunk that held its newest sample.
   */
  read(fromSeq: number, maxSamples: number): SampleBlock | null {
    return this.#read(fromSeq, maxSamples, null);
  }

  /**
   * As `read`, into `buffers` (nothing allocated unless there are gaps): the block's arrays are views
   * of `buffers`, overwritten by the next read into them, so use them before that and keep none.
   */
  readInto(fromSeq: number, maxSamples: number, buffers: SampleBuffers): SampleBlock | null {
    if (maxSamples > buffers.capacity) {
      throw new RangeError(
        `Cannot read ${maxSamples} samples into buffers of ${buffers.capacity}`,
      );
    }
    return this.#read(fromSeq, maxSamples, buffers);
  }

  #read(fromSeq: number, maxSamples: number, buffers: SampleBuffers | null): SampleBlock | null {
    if (Number.isNaN(fromSeq)) throw new RangeError("Cannot read the sample ring from seq NaN");
    if (!Number.isInteger(maxSamples) || maxSamples < 1) {
      throw new RangeError(
        `Cannot read ${maxSamples} samples from the sample ring: expected an integer ≥ 1`,
      );
    }
    const from = this.#firstAtOrAfter(fromSeq);
    if (from === this.#size) return null;
    const n = Math.min(maxSamples, this.#size - from);
    const out = buffers === null ? freshPlanes(n) : buffers.views(n);
    const gaps: Gap[] = [];
    const k = this.#k;
    let arrivalMs = 0;
    for (let done = 0; done < n;) {
      const pos = this.#start + from + done;
      const offset = pos % k;
      const planes = this.#segment((pos - offset) / k);
      const len = Math.min(n - done, k - offset);
      planes.copyOut(offset, len, out, done, gaps);
      done += len;
      arrivalMs = planes.arrival[offset + len - 1]!;
    }
    return {
      count: n,
      seq: out.seq,
      counter: out.counter,
      time: out.time,
      ref: out.ref,
      drl: out.drl,
      channels: out.channels,
      leadOff: out.leadOff,
      nonFinite: out.nonFinite,
      featureStatus: out.featureStatus,
      arrivalMs,
      gaps,
      duplicates: 0,
    };
  }

  // --- segments ---

  /** The planes of segment `j` (0 = oldest; `#closed.count` = the open one). */
  #segment(j: number): SegmentPlanes {
    if (j === this.#closed.count) return this.#open;
    this.#idle = 0;
    return this.#cache.get(
      this.#firstId + j,
      (into) =>
        this.#closed.read(j, (words, offset) => decodeSegment(words, offset, into, this.#k)),
    );
  }

  /** Samples held by segment `j`. */
  #length(j: number): number {
    return j === this.#closed.count ? this.#openCount : this.#k;
  }

  /** Logical index (0 = oldest) of the first sample with seq ≥ `seq`; `size` when none. */
  #firstAtOrAfter(seq: number): number {
    // the last segment starting at or before `seq`, then a search inside it
    const closed = this.#closed.count;
    let lo = 0;
    let hi = closed + (this.#openCount > 0 ? 1 : 0);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const first = mid === closed ? this.#open.seq[0]! : this.#closed.tag(mid);
      if (first <= seq) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return 0;
    const j = lo - 1;
    const s = this.#segment(j).seq;
    let a = j === 0 ? this.#start : 0;
    let b = this.#length(j);
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (s[mid]! < seq) a = mid + 1;
      else b = mid;
    }
    return j * this.#k + a - this.#start;
  }

  /** Forgets the `count` oldest samples, and the closed segments left empty. */
  #drop(count: number): void {
    this.#start += count;
    this.#size -= count;
    while (this.#closed.count > 0 && this.#start >= this.#k) {
      this.#closed.shift();
      this.#firstId++;
      this.#start -= this.#k;
    }
  }

  /** Encodes the full open segment into a closed one. */
  #close(): void {
    this.#closed.push(encodeSegment(this.#open, this.#k), this.#open.seq[0]!);
    this.#openCount = 0;
    if (++this.#idle === CACHE_IDLE_SEGMENTS) this.#cache.clear();
  }
}
