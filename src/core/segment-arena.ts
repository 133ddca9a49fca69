/**
 * @module The sample ring's closed segments, first in first out, written one after the other into
 * a queue of equal 8-KB word chunks. A chunk goes back for reuse once every segment in it was
 * dropped, so a full ring allocates nothing, and memory follows what the signal needs with at most
 * a chunk or two spare: no per-segment array (~235 per device, each with its own header), and no
 * large buffer regrown and copied (Bun's RSS kept every buffer a growing arena had let go). A
 * segment that spans two chunks is read from a contiguous copy.
 */

/** Words per chunk (8 KB): ~12 segments of simulated signal. */
const CHUNK_WORDS = 2048;

/** A spanning segment's words put together, shared by every arena (reads run synchronously). */
let joined = new Uint32Array(0);

/** Up to `maxSegments` variable-length word records, each with a number (`tag`). */
export class SegmentArena {
  /** Chunks in use, oldest first; word w of the stream is in chunk floor(w / CHUNK_WORDS) − #base. */
  readonly #chunks: Uint32Array[] = [];
  #base = 0;
  /** One chunk let go and kept for the next (an idle ring keeps no more). */
  #spare: Uint32Array | null = null;
  /** Stream word after the newest record. */
  #end = 0;
  /** Per slot (circular, oldest at `#head`): first stream word, length in words, tag. */
  readonly #start: Float64Array;
  readonly #length: Int32Array;
  readonly #tags: Float64Array;
  #head = 0;
  #count = 0;

  constructor(readonly maxSegments: number) {
    this.#start = new Float64Array(maxSegments);
    this.#length = new Int32Array(maxSegments);
    this.#tags = new Float64Array(maxSegments);
  }

  /** Records held. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the chunks (the spare included) and the slot tables. */
  get byteSize(): number {
    const chunks = this.#chunks.length + (this.#spare === null ? 0 : 1);
    return chunks * CHUNK_WORDS * 4 + this.#start.byteLength + this.#length.byteLength +
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
    const at = this.#end;
    while (at + need > (this.#base + this.#chunks.length) * CHUNK_WORDS) {
      this.#chunks.push(this.#spare ?? new Uint32Array(CHUNK_WORDS));
      this.#spare = null;
    }
    for (let done = 0; done < need;) {
      const w = at + done;
      const chunk = this.#chunks[Math.floor(w / CHUNK_WORDS) - this.#base]!;
      const offset = w % CHUNK_WORDS;
      const n = Math.min(need - done, CHUNK_WORDS - offset);
      for (let i = 0; i < n; i++) chunk[offset + i] = words[done + i]!;
      done += n;
    }
    const slot = (this.#head + this.#count) % this.maxSegments;
    this.#start[slot] = at;
    this.#length[slot] = need;
    this.#tags[slot] = tag;
    this.#count++;
    this.#end = at + need;
  }

  /** Drops the oldest record, and the chunks no record uses any more. */
  shift(): void {
    if (this.#count === 0) return;
    this.#head = (this.#head + 1) % this.maxSegments;
    this.#count--;
    const oldest = this.#count === 0 ? this.#end : this.#start[this.#head]!;
    while ((this.#base + 1) * CHUNK_WORDS <= oldest && this.#chunks.length > 0) {
      this.#spare = this.#chunks.shift()!;
      this.#base++;
    }
  }

  /** Calls `read` with words holding record `j` contiguously from `offset`. */
  read<T>(j: number, read: (words: Uint32Array, offset: number) => T): T {
    const slot = (this.#head + j) % this.maxSegments;
    const at = this.#start[slot]!;
    const n = this.#length[slot]!;
    const offset = at % CHUNK_WORDS;
    const first = Math.floor(at / CHUNK_WORDS) - this.#base;
    if (offset + n <= CHUNK_WORDS) return read(this.#chunks[first]!, offset);
    if (joined.length < n) joined = new Uint32Array(n);
    for (let done = 0, c = first, o = offset; done < n; c++, o = 0) {
      const part = Math.min(n - done, CHUNK_WORDS - o);
      joined.set(this.#chunks[c]!.subarray(o, o + part), done);
      done += part;
    }
    return read(joined, 0);
  }
}
