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

/** Residuals of each order, and per miniblock their minimum and maximum, reused by every column (the codec runs synchronously). */
let scratch: Int32Array[] = [new Int32Array(0), new Int32Array(0), new Int32Array(0)];
let mins = new Float64Array(0);
let maxs = new Float64Array(0);

function residuals(n: number): Int32Array[] {
  if (scratch[0]!.length < n) {
    scratch = scratch.map(() => new Int32Array(n));
    mins = new Float64Array(3 * Math.ceil(n / MINI));
    maxs = new Float64Array(mins.length);
  }
  return scratch;
}

/**
 * One pass over residuals r[k..n): each miniblock's minimum and maximum go to `mins`/`maxs` from
 * `at`; returns the bits of the cheaper of one minimum for the column or one per miniblock
 * (negative for the latter). Noise-like channels pack best with one, a smooth REF/DRL whose steps
 * change size (its f32 exponent changes) with one per miniblock.
 */
function measure(r: Int32Array, k: number, n: number, at: number): number {
  let min = r[k]!;
  let m = at;
  let local = 0;
  for (let s = k; s < n; s += MINI, m++) {
    const e = Math.min(n, s + MINI);
    let lo = r[s]!;
    let hi = lo;
    for (let i = s + 1; i < e; i++) {
      const v = r[i]!;
      if (v < lo) lo = v;
      else if (v > hi) hi = v;
    }
    mins[m] = lo;
    maxs[m] = hi;
    if (lo < min) min = lo;
    local += intBits(lo) + bitWidth(hi - lo) * (e - s);
  }
  let global = intBits(min);
  for (let s = k, j = at; s < n; s += MINI, j++) {
    global += bitWidth(maxs[j]! - min) * (Math.min(n, s + MINI) - s);
  }
  return local < global ? -local : global;
}

/**
 * Writes `values[0..n)` (int32, or 0–255 when `byte`), n ≥ 1. `values` is left as it was.
 */
export function writeColumn(w: BitWriter, values: Int32Array, n: number, byte: boolean): void {
  const r = residuals(n);
  const r0 = r[0]!;
  const r1 = r[1]!;
  const r2 = r[2]!;
  r0.set(values.subarray(0, n));
  for (let i = 1; i < n; i++) {
    r1[i] = byte ? (r0[i]! - r0[i - 1]!) & 255 : (r0[i]! - r0[i - 1]!) | 0;
  }
  for (let i = 2; i < n; i++) {
    r2[i] = byte ? (r1[i]! - r1[i - 1]!) & 255 : (r1[i]! - r1[i - 1]!) | 0;
  }
  const stride = Math.ceil(n / MINI);
  let order = 0;
  let best = Infinity;
  let local = false;
  for (let k = 0; k < Math.min(3, n); k++) {
    const heads = (k >= 1 ? intBits(r0[0]!) : 0) + (k === 2 ? intBits(r1[1]!) : 0);
    const bits = measure(r[k]!, k, n, k * stride);
    if (heads + Math.abs(bits) < best) {
      best = heads + Math.abs(bits);
      order = k;
      local = bits < 0;
    }
  }
  const chosen = r[order]!;
  w.write(order, ORDER_BITS);
  w.write(local ? 1 : 0, 1);
  if (order >= 1) w.writeInt(r0[0]!);
  if (order === 2) w.writeInt(r1[1]!);
  let min = Infinity;
  for (let j = order * stride, s = order; s < n; s += MINI, j++) min = Math.min(min, mins[j]!);
  if (!local) w.writeInt(min);
  for (let j = order * stride, s = order; s < n; s += MINI, j++) {
    const base = local ? mins[j]! : min;
    if (local) w.writeInt(base);
    const width = bitWidth(maxs[j]! - base);
    w.write(width, WIDTH_BITS);
    w.writeBlock(chosen, s, Math.min(n, s + MINI), base, width);
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
  // the residuals first (one tight loop per miniblock), then the sums that undo the differences
  for (let s = order; s < n; s += MINI) {
    if (local) min = rd.readInt();
    rd.readBlock(out, s, Math.min(n, s + MINI), min, rd.read(WIDTH_BITS));
  }
  if (order === 1) {
    for (let i = 1; i < n; i++) out[i] = x = byte ? (x + out[i]!) & 255 : (x + out[i]!) | 0;
  } else if (order === 2) {
    for (let i = 2; i < n; i++) {
      d = byte ? (d + out[i]!) & 255 : (d + out[i]!) | 0;
      out[i] = x = byte ? (x + d) & 255 : (x + d) | 0;
    }
  }
}
