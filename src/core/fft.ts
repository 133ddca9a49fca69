/**
 * @module A real-input FFT of a power-of-two size that returns the power |X[k]|² of bins 0…n/2: one
 * complex FFT of half the size on the even/odd samples packed as re/im, then the split step. Tables and
 * buffers are made once per size and reused for every call (the metrics stream runs it hundreds of
 * times a second per device; the dashboard's spectrum plot uses it too).
 */

/** One size's tables and scratch; not re-entrant (each computation owns its own). */
export class RealFft {
  readonly size: number;
  readonly #half: number;
  readonly #bitReversed: Uint32Array;
  // twiddles of the half-size complex FFT, and of the real split step (e^(-2πik/n))
  readonly #cos: Float64Array;
  readonly #sin: Float64Array;
  readonly #splitCos: Float64Array;
  readonly #splitSin: Float64Array;
  readonly #re: Float64Array;
  readonly #im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two ≥ 2, got ${size}`);
    }
    this.size = size;
    const half = this.#half = size / 2;
    const bits = Math.log2(half);
    this.#bitReversed = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#bitReversed[i] = r;
    }
    this.#cos = new Float64Array(Math.max(1, half >> 1));
    this.#sin = new Float64Array(Math.max(1, half >> 1));
    for (let i = 0; i < half >> 1; i++) {
      this.#cos[i] = Math.cos((2 * Math.PI * i) / half);
      this.#sin[i] = -Math.sin((2 * Math.PI * i) / half);
    }
    this.#splitCos = new Float64Array(half + 1);
    this.#splitSin = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.#splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.#splitSin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.#re = new Float64Array(half);
    this.#im = new Float64Array(half);
  }

  /** |X[k]|² for k = 0…n/2 of the `size` real samples in `input`, written to `power`. */
  power(input: Float64Array, power: Float64Array): void {
    const half = this.#half;
    const re = this.#re, im = this.#im, rev = this.#bitReversed;
    for (let m = 0; m < half; m++) {
      const j = rev[m]!;
      re[j] = input[2 * m]!;
      im[j] = input[2 * m + 1]!;
    }
    this.#transform(re, im);
    // split: X[k] = E[k] + W^k·O[k], E = (Z[k] + conj Z[h−k]) / 2, O = (Z[k] − conj Z[h−k]) / 2i
    const wc = this.#splitCos, ws = this.#splitSin;
    for (let k = 0; k <= half; k++) {
      const a = k === half ? 0 : k;
      const b = k === 0 ? 0 : half - k;
      const zr = re[a]!, zi = im[a]!, cr = re[b]!, ci = -im[b]!;
      const er = (zr + cr) / 2, ei = (zi + ci) / 2;
      // (z − c) / 2i = (i·(c − z)) / 2 → re = (zi − ci)/2, im = (cr − zr)/2
      const or = (zi - ci) / 2, oi = (cr - zr) / 2;
      const xr = er + wc[k]! * or - ws[k]! * oi;
      const xi = ei + wc[k]! * oi + ws[k]! * or;
      power[k] = xr * xr + xi * xi;
    }
  }

  /** In-place iterative radix-2 FFT of bit-reversed input. */
  #transform(re: Float64Array, im: Float64Array): void {
    const n = this.#half, cos = this.#cos, sin = this.#sin;
    for (let len = 2; len <= n; len <<= 1) {
      const halfLen = len >> 1;
      const step = n / len;
      for (let start = 0; start < n; start += len) {
        for (let j = 0, t = 0; j < halfLen; j++, t += step) {
          const c = cos[t]!, s = sin[t]!;
          const p = start + j, q = p + halfLen;
          const qr = re[q]! * c - im[q]! * s;
          const qi = re[q]! * s + im[q]! * c;
          re[q] = re[p]! - qr;
          im[q] = im[p]! - qi;
          re[p] = re[p]! + qr;
          im[p] = im[p]! + qi;
        }
      }
    }
  }
}
