/** @module A streaming, bounded decoder of feed samples (docs/protocol/lsl-wire.md §4 test patterns, §5 encoding). */
import { IRREGULAR_RATE, TEST_PATTERN_TIME } from "./constants.ts";
import { type ChannelFormat, valueSize } from "./stream-info.ts";

/** Longest string value accepted; a longer length field means a broken or hostile peer. */
export const MAX_STRING_BYTES = 1 << 20;
/** Most bytes held for an incomplete sample; more means a hostile channel count or length. */
export const MAX_PENDING_BYTES = 2 << 20;

/** One sample: its timestamp (sender's LSL clock, deduced ones filled in) and channel values. */
export interface FeedSample {
  readonly timestamp: number;
  readonly values: readonly (number | string)[];
}

/** The feed broke the protocol; the connection must be dropped. */
export class FeedError extends Error {
  override name = "FeedError";
}

const PATTERN_BASE: Record<ChannelFormat, number> = {
  float32: 0,
  double64: 16777217,
  int32: 65537,
  int16: 257,
  int8: 1,
  int64: 2147483649,
  string: 0,
};
const PATTERN_MOD: Partial<Record<ChannelFormat, number>> = {
  int8: 127,
  int16: 32767,
  int32: 2147483647,
};

/** The values of test-pattern sample built with `offset` (4, then 2) for this format and channel count. */
export function testPatternValues(
  format: ChannelFormat,
  channels: number,
  offset: number,
): (number | string)[] {
  const values: (number | string)[] = [];
  for (let k = 0; k < channels; k++) {
    if (format === "string") {
      values.push(String(k % 2 === 1 ? -(k + 10) : k + 10));
      continue;
    }
    const mod = PATTERN_MOD[format];
    const raw = k + offset + PATTERN_BASE[format];
    const v = mod === undefined ? raw : raw % mod;
    values.push(k % 2 === 1 ? -v : v);
  }
  return values;
}

/** Decodes samples of one feed after its head; checks the two test-pattern samples first. */
export class FeedDecoder {
  /** Unread bytes are #buffer[#start, #end): a read offset instead of a copy per piece. */
  #buffer = new Uint8Array(0);
  #view = new DataView(this.#buffer.buffer);
  #start = 0;
  #end = 0;
  #previous = 0;
  #patternsLeft = 2;
  readonly #size: number;
  readonly #little: boolean;
  readonly #text = new TextDecoder();

  constructor(
    readonly format: ChannelFormat,
    readonly channels: number,
    readonly nominalSrate: number,
    byteOrder: 1234 | 4321 = 1234,
  ) {
    // Byte-Order 4321 swaps timestamps, numeric values and string length fields; string bytes stay as sent
    this.#size = valueSize(format);
    this.#little = byteOrder === 1234;
  }

  /** True until both test-pattern samples have arrived (and matched). */
  get checkingPatterns(): boolean {
    return this.#patternsLeft > 0;
  }

  /** Feeds the next piece of bytes; returns the data samples now complete (test patterns excluded). */
  push(piece: Uint8Array): FeedSample[] {
    this.#append(piece);
    const bytes = this.#buffer.subarray(0, this.#end);
    const out: FeedSample[] = [];
    for (;;) {
      const parsed = this.#sample(bytes, this.#view, this.#start);
      if (parsed === null) break;
      this.#start = parsed.next;
      if (this.#patternsLeft > 0) this.#checkPattern(parsed.tag, parsed.sample);
      else out.push(parsed.sample);
    }
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return out;
  }

  /** Adds `piece` after the unread bytes; moves or grows the buffer only when it is full (amortised linear). */
  #append(piece: Uint8Array): void {
    const unread = this.#end - this.#start;
    if (unread + piece.length > MAX_PENDING_BYTES) {
      throw new FeedError(
        `an incomplete sample needs more than ${MAX_PENDING_BYTES} bytes (${this.channels} channels)`,
      );
    }
    if (this.#end + piece.length > this.#buffer.length) {
      const size = Math.max(this.#buffer.length, 1024, (unread + piece.length) * 2);
      const next = unread + piece.length > this.#buffer.length / 2
        ? new Uint8Array(Math.min(size, MAX_PENDING_BYTES))
        : this.#buffer;
      if (next === this.#buffer) next.copyWithin(0, this.#start, this.#end);
      else next.set(this.#buffer.subarray(this.#start, this.#end));
      this.#buffer = next;
      this.#view = new DataView(next.buffer, next.byteOffset, next.byteLength);
      this.#start = 0;
      this.#end = unread;
    }
    this.#buffer.set(piece, this.#end);
    this.#end += piece.length;
  }

  #checkPattern(tag: number, sample: FeedSample): void {
    const expected = testPatternValues(
      this.format,
      this.channels,
      this.#patternsLeft === 2 ? 4 : 2,
    );
    const same = tag === 2 && sample.timestamp === TEST_PATTERN_TIME &&
      expected.every((v, k) =>
        (this.format === "float32" ? Math.fround(v as number) : v) === sample.values[k]
      );
    if (!same) {
      throw new FeedError(`test-pattern samples do not match (sample ${3 - this.#patternsLeft})`);
    }
    this.#patternsLeft--;
  }

  #sample(
    bytes: Uint8Array,
    view: DataView,
    start: number,
  ): { sample: FeedSample; tag: number; next: number } | null {
    if (start >= bytes.length) return null;
    const tag = bytes[start];
    let at = start + 1;
    let timestamp: number;
    if (tag === 2) {
      if (at + 8 > bytes.length) return null;
      timestamp = view.getFloat64(at, this.#little);
      at += 8;
    } else if (tag === 1) {
      timestamp = this.#previous +
        (this.nominalSrate === IRREGULAR_RATE ? 0 : 1 / this.nominalSrate);
    } else {
      throw new FeedError(`unknown sample tag ${tag}`);
    }
    const values: (number | string)[] = [];
    if (this.format === "string") {
      for (let k = 0; k < this.channels; k++) {
        if (at >= bytes.length) return null;
        const width = bytes[at];
        if (width !== 1 && width !== 2 && width !== 4 && width !== 8) {
          throw new FeedError(`bad length width ${width}`);
        }
        if (at + 1 + width > bytes.length) return null;
        const length = this.#length(view, at + 1, width);
        at += 1 + width;
        if (at + length > bytes.length) return null;
        values.push(this.#text.decode(bytes.subarray(at, at + length)));
        at += length;
      }
    } else {
      if (at + this.channels * this.#size > bytes.length) return null;
      for (let k = 0; k < this.channels; k++, at += this.#size) values.push(this.#value(view, at));
    }
    this.#previous = timestamp;
    return { sample: { timestamp, values }, tag, next: at };
  }

  #length(view: DataView, at: number, width: number): number {
    const n = width === 1
      ? view.getUint8(at)
      : width === 2
      ? view.getUint16(at, this.#little)
      : width === 4
      ? view.getUint32(at, this.#little)
      : Number(view.getBigUint64(at, this.#little));
    if (n > MAX_STRING_BYTES) {
      throw new FeedError(`string of ${n} bytes is longer than ${MAX_STRING_BYTES}`);
    }
    return n;
  }

  #value(view: DataView, at: number): number {
    switch (this.format) {
      case "float32":
        return view.getFloat32(at, this.#little);
      case "double64":
        return view.getFloat64(at, this.#little);
      case "int8":
        return view.getInt8(at);
      case "int16":
        return view.getInt16(at, this.#little);
      case "int32":
        return view.getInt32(at, this.#little);
      default:
        return Number(view.getBigInt64(at, this.#little));
    }
  }
}
