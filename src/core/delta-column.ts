/**
 * @module One column of integers, coded as the ring's closed segments store it: the differences of
 * order 0, 1 or 2 (whichever packs smallest), frame-of-reference coded against their minimum (the
 * column's or each miniblock's, whichever packs smaller) and bit-packed in miniblocks of 32 with a
 * width each. All arithmetic wraps (mod 2^32, or mod 2^8 for byte columns such as the packet
 * counter), so any input comes back exactly.
 */
import { bitWidth, intBits } from "./bit-pack.ts";
import type { BitReader, BitWriter } from "./bit-pack.ts";

/** Values per miniblock: one width per miniblock lets a jump widen only its own 32 values. */
const MINI = 32;
const WIDTH_BITS = 6;
const ORDER_BITS = 2;

/** Residuals of each order, reused by every column (the codec runs synchronously). */
let scratch: Int32Array[] = [new Int32Array(0), new Int32Array(0), new Int32Array(0)];

function residuals(n: number): Int32Array[] {
  if (scratch[0]!.length < n) scratch = scratch.map(() => new Int32Array(n));
  return scratch;
}

/** The smallest of r[s..e). */
function minOf(r: Int32Array, s: number, e: number): number {
  let min = r[s]!;
  for (let i = s + 1; i < e; i++) if (r[i]! < min) min = r[i]!;
  return min;
}

function maxOf(r: Int32Array, s: number, e: number): number {
  let max = r[s]!;
  for (let i = s + 1; i < e; i++) if (r[i]! > max) max = r[i]!;
  return max;
}

/**
 * Bits of residuals r[k..n) with one minimum for the column (`local` false) or one per miniblock:
 * noise-like channels pack best with one, a smooth REF/DRL whose steps change size (its f32
 * exponent changes) with one per miniblock.
 */
function cost(r: Int32Array, k: number, n: number, local: boolean): number {
  const min = minOf(r, k, n);
  let bits = local ? 0 : intBits(min);
  for (let s = k; s < n; s += MINI) {
    const e = Math.min(n, s + MINI);
    const base = local ? minOf(r, s, e) : min;
    bits += WIDTH_BITS + bitWidth(maxOf(r, s, e) - base) * (e - s) + (local ? intBits(base) : 0);
  }
  return bits;
}

/**
 * Writes `values[0..n)` (int32, or 0–255 when `byte`), n ≥ 1. `values` is left as it was.
 */
export function writeColumn(w: BitWriter, values: Int32Array, n: number, byte: boolean): void {
  const [r0, r1, r2] = residuals(n) as [Int32Array, Int32Array, Int32Array];
  r0.set(values.subarray(0, n));
  for (let i = 1; i < n; i++) {
    r1[i] = byte ? (r0[i]! - r0[i - 1]!) & 255 : (r0[i]! - r0[i - 1]!) | 0;
  }
  for (let i = 2; i < n; i++) {
    r2[i] = byte ? (r1[i]! - r1[i - 1]!) & 255 : (r1[i]! - r1[i - 1]!) | 0;
  }
  let order = 0;
  let local = false;
  let best = Infinity;
  for (let k = 0; k < Math.min(3, n); k++) {
    const r = k === 0 ? r0 : k === 1 ? r1 : r2;
    const heads = (k >= 1 ? intBits(r0[0]!) : 0) + (k === 2 ? intBits(r1[1]!) : 0);
    for (const l of [false, true]) {
      const bits = heads + cost(r, k, n, l);
      if (bits < best) [best, order, local] = [bits, k, l];
    }
  }
  const r = order === 0 ? r0 : order === 1 ? r1 : r2;
  w.write(order, ORDER_BITS);
  w.write(local ? 1 : 0, 1);
  if (order >= 1) w.writeInt(r0[0]!);
  if (order === 2) w.writeInt(r1[1]!);
  const min = minOf(r, order, n);
  if (!local) w.writeInt(min);
  for (let s = order; s < n; s += MINI) {
    const e = Math.min(n, s + MINI);
    const base = local ? minOf(r, s, e) : min;
    if (local) w.writeInt(base);
    const width = bitWidth(maxOf(r, s, e) - base);
    w.write(width, WIDTH_BITS);
    // (r - base) is in [0, 2^32): exact as a double, then taken as its unsigned word
    for (let i = s; i < e; i++) w.write((r[i]! - base) >>> 0, width);
  }
}

/** Reads a column written by `writeColumn` into `out[0..n)`. */
export function readColumn(rd: BitReader, out: Int32Array, n: number, byte: boolean): void {
  const order = rd.read(ORDER_BITS);
  const local = rd.read(1) === 1;
  let x = order >= 1 ? rd.readInt() : 0;
  let d = order === 2 ? rd.readInt() : 0;
  if (order >= 1) out[0] = x;
  if (order === 2) out[1] = x = byte ? (x + d) & 255 : (x + d) | 0;
  let min = local ? 0 : rd.readInt();
  for (let s = order; s < n; s += MINI) {
    const e = Math.min(n, s + MINI);
    if (local) min = rd.readInt();
    const width = rd.read(WIDTH_BITS);
    for (let i = s; i < e; i++) {
      const v = (rd.read(width) + min) | 0;
      if (order === 0) {
        out[i] = v;
      } else if (order === 1) {
        out[i] = x = byte ? (x + v) & 255 : (x + v) | 0;
      } else {
        d = byte ? (d + v) & 255 : (d + v) | 0;
        out[i] = x = byte ? (x + d) & 255 : (x + d) | 0;
      }
    }
  }
}
