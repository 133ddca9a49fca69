/**
 * @module The bounded queue of one push target: the `eeg_data` messages waiting while the remote
 * is away or slow, at most `capacity` of them (10 s at 500 Hz by default), the oldest dropped and
 * counted first, so memory stays fixed however long an outage lasts. A ring of slots: push and
 * shift are O(1), hundreds of times a second.
 */

/** 10 s of `eeg_data` at the headset's 500 Hz: one message per sample. */
export const PUSH_QUEUE_MESSAGES = 5000;

export class PushQueue {
  #slots: (string | undefined)[];
  #head = 0;
  #size = 0;
  /** Messages dropped because the queue was full (oldest first). */
  dropped = 0;

  constructor(readonly capacity: number = PUSH_QUEUE_MESSAGES) {
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError(`A push queue holds at least one message, got ${capacity}`);
    }
    this.#slots = new Array<string | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Adds `message` at the end; when full, the oldest goes first (counted in `dropped`). */
  push(message: string): void {
    if (this.#size === this.capacity) {
      this.#slots[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
      this.#size--;
      this.dropped++;
    }
    this.#slots[(this.#head + this.#size) % this.capacity] = message;
    this.#size++;
  }

  /** The oldest message, left in place (it leaves only once the socket took it). */
  peek(): string | undefined {
    return this.#size === 0 ? undefined : this.#slots[this.#head];
  }

  /** Removes the oldest message. */
  shift(): void {
    if (this.#size === 0) return;
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
  }

  /** Forgets every message (shutdown); they are not counted as dropped. */
  clear(): void {
    this.#slots.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }
}
