/**
 * @module One stream subscription as an async iterator: items queue up until the consumer takes
 * them (bounded: the oldest is dropped and reported past `maxQueued`), and ending the iteration
 * (`break`, `return()`, `close()`) unsubscribes.
 */

import type { SubscriptionOptionsData } from "../protocol/messages.ts";

/** A subscription's consumer side. `for await (const item of sub)` reads it. */
export class Subscription<T> implements AsyncIterableIterator<T> {
  readonly stream: string;
  /** Resolves with the effective options of the first `subscribe` ack; rejects when the bridge refuses it. */
  readonly ready: Promise<SubscriptionOptionsData>;
  #items: T[] = [];
  #head = 0;
  #waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  #end: { error: unknown } | null = null;
  #maxQueued: number;
  #onDrop: (item: T) => void;
  #onReturn: () => void;
  #settleReady!: { resolve: (o: SubscriptionOptionsData) => void; reject: (e: unknown) => void };
  #readySettled = false;

  /** `onDrop` hears of items dropped from a full queue; `onReturn` runs once when the consumer ends it. */
  constructor(stream: string, maxQueued: number, onDrop: (item: T) => void, onReturn: () => void) {
    if (!(Number.isInteger(maxQueued) && maxQueued >= 1)) {
      throw new RangeError(`Invalid maxQueued: must be an integer of at least 1, got ${maxQueued}`);
    }
    this.stream = stream;
    this.#maxQueued = maxQueued;
    this.#onDrop = onDrop;
    this.#onReturn = onReturn;
    this.ready = new Promise((resolve, reject) => (this.#settleReady = { resolve, reject }));
    // awaiting `ready` is optional: its rejection also surfaces through next()
    this.ready.catch(() => {});
  }

  /** Items waiting for the consumer. */
  get queued(): number {
    return this.#items.length - this.#head;
  }

  /** True once the iteration has ended (by the consumer, the client or an error). */
  get ended(): boolean {
    return this.#end !== null;
  }

  // --- producer side (the client) ---

  /** Hands an item to a waiting consumer or queues it. */
  push(item: T): void {
    if (this.#end !== null) return;
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) return waiter.resolve({ value: item, done: false });
    this.#items.push(item);
    if (this.queued > this.#maxQueued) this.#onDrop(this.#take());
  }

  acknowledged(options: SubscriptionOptionsData): void {
    if (this.#readySettled) return;
    this.#readySettled = true;
    this.#settleReady.resolve(options);
  }

  /** Ends the iteration: queued items are still delivered, then `done` — or `error`, thrown by next(). */
  finish(error?: unknown): void {
    if (this.#end !== null) return;
    this.#end = { error };
    if (!this.#readySettled) {
      this.#readySettled = true;
      this.#settleReady.reject(
        error ??
          new Error(`The ${this.stream} subscription ended before the bridge acknowledged it`),
      );
    }
    for (const waiter of this.#waiting.splice(0)) {
      if (error === undefined) waiter.resolve({ value: undefined, done: true });
      else waiter.reject(error);
    }
  }

  // --- consumer side ---

  next(): Promise<IteratorResult<T>> {
    if (this.queued > 0) return Promise.resolve({ value: this.#take(), done: false });
    if (this.#end !== null) {
      if (this.#end.error === undefined) return Promise.resolve({ value: undefined, done: true });
      const error = this.#end.error;
      this.#end = { error: undefined }; // thrown once, like a failed stream, then done
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Stops the subscription (`unsubscribe` on the bridge) and ends the iteration. */
  return(): Promise<IteratorResult<T>> {
    if (this.#end === null) {
      this.#items = [];
      this.#head = 0;
      this.finish();
      this.#onReturn();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Same as `return()`, for code that holds a subscription without iterating it. */
  async close(): Promise<void> {
    await this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #take(): T {
    const item = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as T; // let the item be collected
    // compact now and then instead of shift()ing (O(n) per item on a long queue)
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}
