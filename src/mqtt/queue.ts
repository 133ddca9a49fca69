/**
 * @module The bounded queue of one device's outgoing MQTT messages while the broker is unreachable
 * (or slower than the stream): at most `maxSamples` samples of `eeg` frames (10 s at 500 Hz), the
 * oldest dropped and counted first, so memory stays fixed however long the outage lasts.
 * Messages come back into it when the broker did not confirm them: those may have reached the
 * broker, so they are resent, and dropped (newest first) only when nothing that was never sent is
 * left to drop.
 * A dropped message then is one the broker surely never had, and `droppedSamples` is exactly
 * what a consumer misses.
 */

/** One message waiting to be published. */
export interface Outgoing {
  readonly topic: string;
  readonly payload: Uint8Array | string;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  /** EEG samples in the payload (0 for events): what the bound counts. */
  readonly samples: number;
  /** Position in the device's stream; a message put back after a failed publish goes back in order. */
  readonly n: number;
}

/** Messages other than frames (events) kept at most, so an event storm is bounded too. */
const MAX_OTHER = 1000;

export class PublishQueue {
  /** Never handed to the broker, oldest first (read from `#head` on, so shift is O(1)). */
  #items: Outgoing[] = [];
  #head = 0;
  /** Handed over, not confirmed, to be sent again: all older than `#items`, in stream order. */
  #again: Outgoing[] = [];
  #samples = 0;
  #other = 0;
  #next = 0;
  readonly #maxSamples: number;
  /** Frames and events dropped, and the samples those frames held. */
  dropped = 0;
  droppedSamples = 0;

  constructor(maxSamples: number) {
    this.#maxSamples = maxSamples;
  }

  get size(): number {
    return this.#again.length + this.#items.length - this.#head;
  }

  /** EEG samples in the queued frames. */
  get samples(): number {
    return this.#samples;
  }

  /** Appends a message; drops the oldest ones beyond the bound. */
  push(m: Omit<Outgoing, "n">): void {
    const message = { ...m, n: this.#next++ };
    this.#items.push(message);
    this.#count(message, 1);
    this.#trim();
  }

  /** The oldest message, removed. */
  shift(): Outgoing | undefined {
    const m = this.#again.shift() ?? this.#take();
    if (m !== undefined) this.#count(m, -1);
    return m;
  }

  /** A message the broker did not confirm goes back to where it was in the stream (sent again first). */
  putBack(m: Outgoing): void {
    let i = this.#again.length;
    while (i > 0 && this.#again[i - 1]!.n > m.n) i--;
    this.#again.splice(i, 0, m);
    this.#count(m, 1);
    this.#trim();
  }

  #trim(): void {
    while (this.#samples > this.#maxSamples || this.#other > MAX_OTHER) {
      // what was never sent goes first: dropping it loses exactly what is counted. Of the rest, the
      // newest: a broker that stopped answering may have routed the oldest ones only (and the hole
      // stays one run of seqs)
      const old = this.#take() ?? this.#again.pop()!;
      this.#count(old, -1);
      this.dropped++;
      this.droppedSamples += old.samples;
    }
  }

  /** The oldest never-sent message, removed (not uncounted: the caller does that). */
  #take(): Outgoing | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const m = this.#items[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return m;
  }

  #count(m: Outgoing, sign: 1 | -1): void {
    if (m.samples > 0) this.#samples += sign * m.samples;
    else this.#other += sign;
  }
}
