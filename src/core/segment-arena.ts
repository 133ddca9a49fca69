/**
 * @module The sample ring's closed segments in one circular word buffer, first in first out. One
 * array per ring instead of one per segment: no per-segment object (~235 per device, each with its
 * own header and allocation slack), and nothing allocated once the buffer has grown to what the
 * signal needs. A segment may wrap around the end; it is read from a contiguous copy then.
 */

/** Slack added when the buffer grows (1/16): room for segments a little larger than the last ones. */
const GROW_SHIFT = 4;

/** A wrapped segment's words put together, shared by every arena (reads run synchronously). */
let joined = new Uint32Array(0);

/** Up to `maxSegments` variable-length word records, each with a number (`tag`). */
export class SegmentArena {
  #words = new Uint32Array(0);
  /** Per slot (circular, oldest at `#head`): start word, length in words, tag. */
  readonly #start: Int32Array;
  readonly #length: Int32Array;
  readonly #tags: Float64Array;
  #head = 0;
  #count = 0;
  /** Words held by the records. */
  #used = 0;

  constructor(readonly maxSegments: number) {
    this.#start = new Int32Array(maxSegments);
    this.#length = new Int32Array(maxSegments);
    this.#tags = new Float64Array(maxSegments);
  }

  /** Records held. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the buffer and the slot tables. */
  get byteSize(): number {
    return this.#words.byteLength + this.#start.byteLength + this.#length.byteLength +
      this.#tags.byteLength;
  }

  /** The tag of record `j` (0 = oldest). */
  tag(j: number): number {
    return this.#tags[(this.#head + j) % this.maxSegments]!;
  }

  /** Appends a copy of `words` as the newest record. */
  push(words: Uint32Array, tag: number): void {
    if (this.#count === this.maxSegments) {
      throw new RangeError(`Cannot hold more than ${this.maxSegments} segments`);
    }
    const need = words.length;
    if (this.#used + need > this.#words.length) this.#grow(need);
    const size = this.#words.length;
    const at = this.#count === 0 ? 0 : this.#end();
    const first = Math.min(need, size - at);
    const dst = this.#words;
    for (let i = 0; i < first; i++) dst[at + i] = words[i]!;
    for (let i = first; i < need; i++) dst[i - first] = words[i]!;
    const slot = (this.#head + this.#count) % this.maxSegments;
    this.#start[slot] = at;
    this.#length[slot] = need;
    this.#tags[slot] = tag;
    this.#count++;
    this.#used += need;
  }

  /** Drops the oldest record. */
  shift(): void {
    if (this.#count === 0) return;
    this.#used -= this.#length[this.#head]!;
    this.#head = (this.#head + 1) % this.maxSegments;
    this.#count--;
  }

  /** Calls `read` with words holding record `j` contiguously from `offset`. */
  read<T>(j: number, read: (words: Uint32Array, offset: number) => T): T {
    const slot = (this.#head + j) % this.maxSegments;
    const at = this.#start[slot]!;
    const n = this.#length[slot]!;
    const size = this.#words.length;
    if (at + n <= size) return read(this.#words, at);
    if (joined.length < n) joined = new Uint32Array(n);
    const first = size - at;
    joined.set(this.#words.subarray(at, size));
    joined.set(this.#words.subarray(0, n - first), first);
    return read(joined, 0);
  }

  /** The word after the newest record. */
  #end(): number {
    const last = (this.#head + this.#count - 1) % this.maxSegments;
    return (this.#start[last]! + this.#length[last]!) % this.#words.length;
  }

  /** A larger buffer with the records laid out from word 0, oldest first. */
  #grow(need: number): void {
    const total = this.#used + need;
    const words = new Uint32Array(total + (total >>> GROW_SHIFT) + 64);
    let at = 0;
    for (let j = 0; j < this.#count; j++) {
      const slot = (this.#head + j) % this.maxSegments;
      const n = this.#length[slot]!;
      this.read(j, (src, offset) => words.set(src.subarray(offset, offset + n), at));
      this.#start[slot] = at;
      at += n;
    }
    this.#words = words;
  }
}
