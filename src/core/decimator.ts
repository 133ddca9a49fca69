/**
 * @module Streaming decimation of the 14 signals of a sample (12 channels, REF, DRL) by d, through
 * the anti-aliasing FIRs of fir.ts (docs/protocol/bridge-api.md §2.2). Outputs sit on a fixed grid (seq ≡ 0 mod d)
 * and are labelled with the input at the filter's centre, so the group delay is compensated.
 */
import { DECIMATIONS, DRL_SIGNAL, isDecimation, REF_SIGNAL, SIGNALS } from "./decimated-sample.ts";
import type { DecimatedSample, DecimatorSink } from "./decimated-sample.ts";
import { firTaps } from "./fir.ts";
import { CHANNELS } from "./samples.ts";
import type { SampleBlock } from "./samples.ts";

/**
 * The decimator of one subscription; all history lives in rings allocated by the constructor, so
 * pushing a sample allocates nothing. For an output at seq s and half-length H = (N − 1) / 2:
 * - it is the FIR centred on input s, emitted as soon as input s + H has arrived;
 * - at the start of the stream and after a seq jump, the history before the first input is the
 *   mean of the segment's first H + 1 inputs (edge padding), so outputs start at the first grid
 *   seq ≥ the first input seq; at a jump the outputs still pending before it are completed with
 *   the mean of the last H + 1 inputs. A mean, not the edge sample held: a held sample carries the
 *   out-of-band content of that one instant into the pass-band as a step (a 130 Hz tone leaked at
 *   −34 dB over 12 s at d = 5), while the mean of H + 1 inputs averages it away and still gives a
 *   constant input back unchanged;
 * - a non-finite value enters the filter as the last finite value of its signal (0 before any),
 *   so it cannot poison the N outputs that see it;
 * - an output covers the d inputs s − ⌊d/2⌋ … s + ⌈d/2⌉ − 1 (each input is covered by exactly
 *   one output): its `leadOff` and `nonFinite` bits are the OR over them, and a signal whose
 *   `nonFinite` bit is set is output as NaN, the way the full-rate stream shows that sample;
 * - d = 1 passes every sample through unfiltered.
 */
export class Decimator {
  /** The decimation factor. */
  readonly factor: number;
  /** Filter length N (1 for the pass-through). */
  readonly length: number;
  /** Inputs an output waits for beyond its own seq: (N − 1) / 2. */
  readonly delay: number;

  readonly #sink: DecimatorSink;
  readonly #taps: Float64Array;
  // each signal owns 2N slots: sample k is written at k and k + N, so the N newest are contiguous
  readonly #ring: Float64Array;
  readonly #time: Float64Array;
  readonly #counter: Uint8Array;
  readonly #leadOff: Uint16Array;
  readonly #nonFinite: Uint16Array;
  // the current input, non-finite values replaced
  readonly #lastFinite = new Float64Array(SIGNALS);
  // the padding value of each signal (the mean of the inputs at a segment's edge)
  readonly #pad = new Float64Array(SIGNALS);
  readonly #out: DecimatedSample = {
    seq: 0,
    time: 0,
    counter: 0,
    values: new Float64Array(SIGNALS),
    leadOff: 0,
    nonFinite: 0,
  };
  #pos = 0;
  #open = false;
  #segmentStart = 0;
  #lastSeq = 0;
  // the slot before the H slots left for the start padding, filled once H + 1 inputs are in
  #padFrom = 0;
  #padPending = false;

  /** A decimator by `d` (one of `DECIMATIONS`) that hands its outputs to `sink`. */
  constructor(d: number, sink: DecimatorSink) {
    if (!isDecimation(d)) {
      throw new RangeError(`Invalid decimation "${d}": expected one of ${DECIMATIONS.join(", ")}`);
    }
    this.factor = d;
    this.#sink = sink;
    this.#taps = d === 1 ? new Float64Array([1]) : firTaps(d);
    const n = this.#taps.length;
    this.length = n;
    this.delay = (n - 1) / 2;
    this.#ring = new Float64Array(d === 1 ? 0 : SIGNALS * 2 * n);
    this.#time = new Float64Array(n);
    this.#counter = new Uint8Array(n);
    this.#leadOff = new Uint16Array(n);
    this.#nonFinite = new Uint16Array(n);
  }

  /** Feeds every sample of `block`. */
  pushBlock(block: SampleBlock): void {
    for (let i = 0; i < block.count; i++) this.push(block, i);
  }

  /** Feeds sample `i` of `block`; a seq that does not follow the previous one is a gap. */
  push(block: SampleBlock, i: number): void {
    const seq = block.seq[i]!;
    if (this.factor === 1) return this.#passThrough(block, i, seq);
    if (this.#open && seq !== this.#lastSeq + 1) this.drain();
    const held = this.#lastFinite;
    const channels = block.channels;
    const base = i * CHANNELS;
    let bad = 0;
    for (let c = 0; c < CHANNELS; c++) {
      const v = channels[base + c]!;
      if (Number.isFinite(v)) held[c] = v;
      else bad |= 1 << c;
    }
    const ref = block.ref[i]!;
    if (Number.isFinite(ref)) held[REF_SIGNAL] = ref;
    else bad |= 1 << REF_SIGNAL;
    const drl = block.drl[i]!;
    if (Number.isFinite(drl)) held[DRL_SIGNAL] = drl;
    else bad |= 1 << DRL_SIGNAL;
    if (!this.#open) {
      this.#open = true;
      this.#segmentStart = seq;
      this.#reservePadding();
    }
    this.#write(block.time[i]!, block.counter[i]!, block.leadOff[i]!, bad, held);
    this.#lastSeq = seq;
    if (this.#padPending && seq - this.#segmentStart === this.delay) this.#fillStartPadding();
    const centre = seq - this.delay;
    if (centre >= this.#segmentStart && centre % this.factor === 0) this.#emit(centre);
  }

  /**
   * Completes the outputs still waiting for later inputs, padded with the mean of the newest inputs, and
   * ends the segment: the next input starts the filter afresh. Called by `push` on a gap.
   */
  drain(): void {
    if (!this.#open) return;
    this.#open = false;
    const d = this.factor;
    const last = this.#lastSeq;
    // the last grid seq ≤ last needs delay − (last mod d) more inputs
    const needed = this.delay - (((last % d) + d) % d);
    if (this.#padPending) this.#fillStartPadding();
    this.#meanOfNewest(Math.min(last - this.#segmentStart + 1, this.delay + 1));
    for (let v = 1; v <= needed; v++) {
      this.#write(0, 0, 0, 0, this.#pad);
      const centre = last + v - this.delay;
      if (centre >= this.#segmentStart && centre % d === 0) this.#emit(centre);
    }
  }

  /** Forgets the history and the last finite values, as if newly constructed. */
  reset(): void {
    this.#open = false;
    this.#lastFinite.fill(0);
  }

  // --- internals ---

  #passThrough(block: SampleBlock, i: number, seq: number): void {
    const out = this.#out;
    const values = out.values;
    let bad = 0;
    for (let c = 0; c < CHANNELS; c++) {
      const v = block.channels[i * CHANNELS + c]!;
      values[c] = v;
      if (!Number.isFinite(v)) bad |= 1 << c;
    }
    values[REF_SIGNAL] = block.ref[i]!;
    values[DRL_SIGNAL] = block.drl[i]!;
    if (!Number.isFinite(values[REF_SIGNAL]!)) bad |= 1 << REF_SIGNAL;
    if (!Number.isFinite(values[DRL_SIGNAL]!)) bad |= 1 << DRL_SIGNAL;
    out.seq = seq;
    out.time = block.time[i]!;
    out.counter = block.counter[i]!;
    out.leadOff = block.leadOff[i]!;
    out.nonFinite = bad;
    this.#sink(out);
  }

  /**
   * Skips the H slots before a segment's first input, labels and masks cleared; their values are
   * the mean of the first H + 1 inputs, known only once those are in (`#fillStartPadding`). No
   * output reads them earlier: the first one waits for input H anyway.
   */
  #reservePadding(): void {
    const n = this.length;
    this.#padFrom = this.#pos;
    for (let k = 1; k <= this.delay; k++) {
      const p = (this.#padFrom + k) % n;
      this.#time[p] = 0;
      this.#counter[p] = 0;
      this.#leadOff[p] = 0;
      this.#nonFinite[p] = 0;
    }
    this.#pos = (this.#padFrom + this.delay) % n;
    this.#padPending = true;
  }

  /** Writes the mean of the segment's inputs so far (at most H + 1) into the reserved slots. */
  #fillStartPadding(): void {
    this.#padPending = false;
    this.#meanOfNewest(this.#lastSeq - this.#segmentStart + 1);
    const n = this.length;
    const ring = this.#ring;
    for (let s = 0, base = 0; s < SIGNALS; s++, base += 2 * n) {
      const v = this.#pad[s]!;
      for (let k = 1; k <= this.delay; k++) {
        const p = (this.#padFrom + k) % n;
        ring[base + p] = v;
        ring[base + p + n] = v;
      }
    }
  }

  /** Sets `#pad` to each signal's mean over the `count` newest inputs (1 ≤ count ≤ H + 1). */
  #meanOfNewest(count: number): void {
    const n = this.length;
    const ring = this.#ring;
    // the newest `count` inputs are contiguous in the doubled ring, ending at pos + n
    const end = this.#pos + n;
    for (let s = 0, base = 0; s < SIGNALS; s++, base += 2 * n) {
      let sum = 0;
      for (let k = end - count + 1; k <= end; k++) sum += ring[base + k]!;
      this.#pad[s] = sum / count;
    }
  }

  /** Appends `values` as the newest input, with these labels and masks. */
  #write(
    time: number,
    counter: number,
    leadOff: number,
    nonFinite: number,
    values: Float64Array,
  ): void {
    const n = this.length;
    const p = this.#pos + 1 === n ? 0 : this.#pos + 1;
    this.#pos = p;
    const ring = this.#ring;
    for (let s = 0, base = 0; s < SIGNALS; s++, base += 2 * n) {
      const v = values[s]!;
      ring[base + p] = v;
      ring[base + p + n] = v;
    }
    this.#time[p] = time;
    this.#counter[p] = counter;
    this.#leadOff[p] = leadOff;
    this.#nonFinite[p] = nonFinite;
  }

  /** Computes and hands out the output at `seq`, whose window ends at the newest input. */
  #emit(seq: number): void {
    const n = this.length;
    const half = this.delay;
    const taps = this.#taps;
    const ring = this.#ring;
    const out = this.#out;
    const centreSlot = (this.#pos - half + n) % n;
    const d = this.factor;
    let leadOff = 0;
    let nonFinite = 0;
    for (let k = -Math.floor(d / 2), end = Math.ceil(d / 2); k < end; k++) {
      const slot = (centreSlot + k + n) % n;
      leadOff |= this.#leadOff[slot]!;
      nonFinite |= this.#nonFinite[slot]!;
    }
    for (let s = 0, base = this.#pos + 1; s < SIGNALS; s++, base += 2 * n) {
      if ((nonFinite & (1 << s)) !== 0) {
        out.values[s] = NaN;
        continue;
      }
      // symmetric taps: fold the window so each tap multiplies once
      let acc = taps[half]! * ring[base + half]!;
      for (let k = 0, last = base + n - 1; k < half; k++) {
        acc += taps[k]! * (ring[base + k]! + ring[last - k]!);
      }
      out.values[s] = acc;
    }
    out.seq = seq;
    out.time = this.#time[centreSlot]!;
    out.counter = this.#counter[centreSlot]!;
    out.leadOff = leadOff;
    out.nonFinite = nonFinite;
    this.#sink(out);
  }
}
