/**
 * @module One `eeg_batch` subscription's batching (docs/protocol/bridge-api.md §2.2): SampleBlocks in, through the
 * optional mains notch (notch.ts) and a Decimator, SampleBatches of consecutive output seqs out,
 * bounded by count and by age.
 */
import type { Clock, TimerHandle } from "./clock.ts";
import { DECIMATIONS, DRL_SIGNAL, isDecimation, REF_SIGNAL, SIGNALS } from "./decimated-sample.ts";
import { Decimator } from "./decimator.ts";
import type { DecimatedSample } from "./decimated-sample.ts";
import { SampleNotch } from "./notch.ts";
import type { NotchHz } from "./notch.ts";
import { CHANNELS, DEVICE_RATE_HZ } from "./samples.ts";
import type { SampleBatch, SampleBlock } from "./samples.ts";

/** A subscription's batching options (already validated by the protocol layer). */
export interface BatcherOptions {
  /** Output samples per batch, 1–5000. */
  readonly numSamples: number;
  /** A non-empty batch is emitted at the latest this long after its first sample, 10–10000 ms. */
  readonly intervalMs: number;
  /** One of 1, 2, 4, 5, 10, 20, 25, 50. */
  readonly decimate: number;
  /** The mains notch before decimation (default off). */
  readonly notchHz?: NotchHz;
}

/** The batcher of one subscription. */
export interface Batcher {
  /** Feeds a block (full rate, in stream order); may emit any number of batches. */
  push(block: SampleBlock): void;
  /** Emits the pending partial batch now, if there is one. */
  flush(): void;
  /** Stops the timer and drops the pending batch; later calls do nothing. */
  close(): void;
  /** Switches the notch from the next sample on; a change restarts its filters. */
  setNotch(hz: NotchHz): void;
}

// small subscriptions never pay for the 5000-sample maximum
const INITIAL_CAPACITY = 64;

function checkOptions({ numSamples, intervalMs, decimate }: BatcherOptions): void {
  if (!Number.isInteger(numSamples) || numSamples < 1 || numSamples > 5000) {
    throw new RangeError(`Invalid numSamples "${numSamples}": expected an integer from 1 to 5000`);
  }
  if (!Number.isFinite(intervalMs) || intervalMs < 10 || intervalMs > 10000) {
    throw new RangeError(`Invalid intervalMs "${intervalMs}": expected a number from 10 to 10000`);
  }
  if (!isDecimation(decimate)) {
    throw new RangeError(
      `Invalid decimate "${decimate}": expected one of ${DECIMATIONS.join(", ")}`,
    );
  }
}

/**
 * Creates the batcher of one subscription. A batch holds consecutive output seqs only
 * (`firstSeq + i × decimate`): an input seq jump completes the outputs before it, ends the batch
 * and restarts the filter. Samples whose seq is not above the last one pushed are skipped. Each
 * emitted SampleBatch owns its arrays.
 */
export function createBatcher(
  options: BatcherOptions,
  clock: Clock,
  emit: (batch: SampleBatch) => void,
): Batcher {
  checkOptions(options);
  const { numSamples, intervalMs, decimate } = options;
  const sampleRate = DEVICE_RATE_HZ / decimate;

  // staging for the batch being filled, sample-major; grows by doubling up to numSamples
  let capacity = Math.min(numSamples, INITIAL_CAPACITY);
  let time = new Float64Array(capacity);
  let counter = new Uint8Array(capacity);
  let values = new Float64Array(capacity * SIGNALS);
  let leadOff = new Uint16Array(capacity);
  let nonFinite = new Uint16Array(capacity);
  let count = 0;
  let firstSeq = 0;

  let lastInput = 0;
  let seenInput = false;
  let closed = false;
  let timerArmed = false;
  let timer: TimerHandle = undefined;

  function grow(): void {
    capacity = Math.min(numSamples, capacity * 2);
    const t = new Float64Array(capacity);
    t.set(time);
    time = t;
    const k = new Uint8Array(capacity);
    k.set(counter);
    counter = k;
    const v = new Float64Array(capacity * SIGNALS);
    v.set(values);
    values = v;
    const l = new Uint16Array(capacity);
    l.set(leadOff);
    leadOff = l;
    const f = new Uint16Array(capacity);
    f.set(nonFinite);
    nonFinite = f;
  }

  function disarm(): void {
    if (!timerArmed) return;
    timerArmed = false;
    clock.clearTimeout(timer);
  }

  function emitPending(): void {
    if (count === 0) return;
    disarm();
    const n = count;
    // cleared before emit so that a re-entrant push/flush/close from the callback sees no batch
    count = 0;
    const channels = new Float64Array(CHANNELS * n);
    const ref = new Float64Array(n);
    const drl = new Float64Array(n);
    for (let i = 0, base = 0; i < n; i++, base += SIGNALS) {
      for (let c = 0; c < CHANNELS; c++) channels[c * n + i] = values[base + c]!;
      ref[i] = values[base + REF_SIGNAL]!;
      drl[i] = values[base + DRL_SIGNAL]!;
    }
    emit({
      firstSeq,
      count: n,
      decimate,
      sampleRate,
      time: time.slice(0, n),
      counter: counter.slice(0, n),
      ref,
      drl,
      channels,
      leadOff: leadOff.slice(0, n),
      nonFinite: nonFinite.slice(0, n),
    });
  }

  function add(sample: DecimatedSample): void {
    if (closed) return;
    // the decimator keeps its outputs on the grid; this guards the batch invariant regardless
    if (count > 0 && sample.seq !== firstSeq + count * decimate) emitPending();
    if (count === capacity) grow();
    if (count === 0) {
      firstSeq = sample.seq;
      timerArmed = true;
      timer = clock.setTimeout(onTimer, intervalMs);
    }
    time[count] = sample.time;
    counter[count] = sample.counter;
    values.set(sample.values, count * SIGNALS);
    leadOff[count] = sample.leadOff;
    nonFinite[count] = sample.nonFinite;
    count++;
    if (count === numSamples) emitPending();
  }

  function onTimer(): void {
    timerArmed = false;
    if (!closed) emitPending();
  }

  const decimator = new Decimator(decimate, add);
  let notch = options.notchHz ? new SampleNotch(options.notchHz) : null;

  return {
    push(block) {
      for (let i = 0; i < block.count && !closed; i++) {
        const seq = block.seq[i]!;
        // seq never goes back (§1): an old seq is a sample this batcher already had, e.g. where a
        // replay hands over to the live stream with overlapping blocks
        if (seenInput && seq <= lastInput) continue;
        if (seenInput && seq !== lastInput + 1) {
          decimator.drain();
          emitPending();
          notch?.reset(); // the mains phase does not carry across missing samples
        }
        seenInput = true;
        lastInput = seq;
        if (notch === null) decimator.push(block, i);
        else decimator.push(notch.filter(block, i), 0);
      }
    },
    flush() {
      if (!closed) emitPending();
    },
    close() {
      closed = true;
      disarm();
      count = 0;
    },
    setNotch(hz) {
      if ((notch?.frequency ?? null) !== hz) notch = hz ? new SampleNotch(hz) : null;
    },
  };
}
