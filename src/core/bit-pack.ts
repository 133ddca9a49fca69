/**
 * @module Bit packing into 32-bit words: a writer and a reader of values 0–32 bits wide, and the
 * small self-describing integer (a 6-bit width, then the zigzag value) the ring's codec uses for
 * headers. Bits fill each word from its least significant end.
 */

/** Bits needed for an unsigned value below 2^32 (0 for 0). */
export function bitWidth(x: number): number {
  return x >= 0x80000000 ? 32 : 32 - Math.clz32(x);
}

/** Bits `writeInt` spends on the int32 `v`. */
export function intBits(v: number): number {
  return 6 + bitWidth(zigzag(v));
}

/** Maps an int32 to an unsigned value that is small when |v| is small. */
function zigzag(v: number): number {
  return ((v << 1) ^ (v >> 31)) >>> 0;
}

/** Appends bit fields to a word array; `words` must hold everything written (callers size it). */
export class BitWriter {
  words: Uint32Array;
  #at = 0;
  /** Pending bits (fewer than 32) not yet stored, and how many. */
  #acc = 0;
  #pending = 0;

  constructor(words: Uint32Array) {
    this.words = words;
  }

  /** Starts over at bit 0 (of `words`, when given). */
  reset(words: Uint32Array = this.words): void {
    this.words = words;
    this.#at = 0;
    this.#acc = 0;
    this.#pending = 0;
  }

  /** Appends the low `width` bits of `v` (0 ≤ v < 2^width, width ≤ 32). */
  write(v: number, width: number): void {
    if (width === 0) return;
    const n = this.#pending;
    this.#acc |= v << n;
    if (n + width >= 32) {
      this.words[this.#at++] = this.#acc;
      // the bits of v that did not fit (none when n = 0: v went in whole)
      this.#acc = n === 0 ? 0 : v >>> (32 - n);
      this.#pending = n + width - 32;
    } else {
      this.#pending = n + width;
    }
  }

  /** Appends (v − base) of each v in values[s..e), `width` bits each (all must fit). */
  writeBlock(values: Int32Array, s: number, e: number, base: number, width: number): void {
    if (width === 0) return;
    // the fields in locals: this loop is most of the encoding
    const words = this.words;
    let at = this.#at;
    let acc = this.#acc;
    let n = this.#pending;
    for (let i = s; i < e; i++) {
      // (v − base) is in [0, 2^32): exact as a double, then taken as its unsigned word
      const v = (values[i]! - base) >>> 0;
      acc |= v << n;
      if (n + width >= 32) {
        words[at++] = acc;
        acc = n === 0 ? 0 : v >>> (32 - n);
        n = n + width - 32;
      } else {
        n += width;
      }
    }
    this.#at = at;
    this.#acc = acc;
    this.#pending = n;
  }

  /** Appends an int32 as its zigzag width (6 bits) and value. */
  writeInt(v: number): void {
    const z = zigzag(v);
    const width = bitWidth(z);
    this.write(width, 6);
    this.write(z, width);
  }

  /** Appends the 64 bits of a double. */
  writeF64(x: number): void {
    F64[0] = x;
    this.write(U32[0]!, 32);
    this.write(U32[1]!, 32);
  }

  /** Stores the pending bits and returns the words written. */
  finish(): number {
    if (this.#pending > 0) {
      this.words[this.#at++] = this.#acc;
      this.#acc = 0;
      this.#pending = 0;
    }
    return this.#at;
  }
}

/** Reads back what a BitWriter wrote, in the same order and widths. */
export class BitReader {
  words: Uint32Array;
  #bit = 0;

  constructor(words: Uint32Array) {
    this.words = words;
  }

  /** Starts reading `words` at word `offset`. */
  reset(words: Uint32Array, offset = 0): void {
    this.words = words;
    this.#bit = offset * 32;
  }

  /** The next `width` bits as an unsigned number. */
  read(width: number): number {
    if (width === 0) return 0;
    const i = this.#bit >>> 5;
    const o = this.#bit & 31;
    this.#bit += width;
    let v = this.words[i]! >>> o;
    if (o + width > 32) v |= this.words[i + 1]! << (32 - o);
    return width === 32 ? v >>> 0 : v & ((1 << width) - 1);
  }

  /** Reads values[s..e) written by `writeBlock` (each `width` bits, plus `base`, as int32). */
  readBlock(out: Int32Array, s: number, e: number, base: number, width: number): void {
    if (width === 0) {
      out.fill(base, s, e);
      return;
    }
    const words = this.words;
    const mask = width === 32 ? -1 : (1 << width) - 1;
    let bit = this.#bit;
    for (let i = s; i < e; i++, bit += width) {
      const w = bit >>> 5;
      const o = bit & 31;
      let v = words[w]! >>> o;
      if (o + width > 32) v |= words[w + 1]! << (32 - o);
      out[i] = ((v & mask) + base) | 0;
    }
    this.#bit = bit;
  }

  /** An int32 written by `writeInt`. */
  readInt(): number {
    const z = this.read(this.read(6));
    return (z >>> 1) ^ -(z & 1);
  }

  /** A double written by `writeF64`, bit for bit. */
  readF64(): number {
    U32[0] = this.read(32);
    U32[1] = this.read(32);
    return F64[0]!;
  }
}

// one double's bytes seen as two words: only this process reads back what it wrote, so the
// platform's word order is the same on both sides
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
