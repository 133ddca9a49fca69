/**
 * @module The bounded queue of one device's outgoing MQTT messages while the broker is unreachable
 * (or slower than the stream): at most `maxSamples` samples of `eeg` frames (10 s at 500 Hz), the
 * oldest dropped and counted first, so memory stays fixed however long the outage lasts.
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
  #items: Outgoing[] = [];
  #head = 0;
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
    return this.#items.length - this.#head;
  }

  /** Appends a message; drops the oldest ones beyond the bound. */
  push(m: Omit<Outgoing, "n">): void {
    this.#add({ ...m, n: this.#next++ });
    while (this.#samples > this.#maxSamples || this.#other > MAX_OTHER) {
      const old = this.#take()!;
      this.dropped++;
      this.droppedSamples += old.samples;
    }
  }

  /** The oldest message, removed. */
  shift(): Outgoing | undefined {
    return this.#take();
  }

  /** A message whose publish failed goes back to where it was in the stream (it will be retried first). */
  putBack(m: Outgoing): void {
    this.#compact();
    let i = this.#items.length;
    while (i > 0 && this.#items[i - 1]!.n > m.n) i--;
    this.#items.splice(i, 0, m);
    this.#count(m, 1);
  }

  #add(m: Outgoing): void {
    this.#items.push(m);
    this.#count(m, 1);
  }

  #take(): Outgoing | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const m = this.#items[this.#head++]!;
    this.#count(m, -1);
    // reading from a head index and compacting now and then keeps shift O(1)
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) this.#compact();
    return m;
  }

  #compact(): void {
    this.#items = this.#items.slice(this.#head);
    this.#head = 0;
  }

  #count(m: Outgoing, sign: 1 | -1): void {
    if (m.samples > 0) this.#samples += sign * m.samples;
    else this.#other += sign;
  }
}
