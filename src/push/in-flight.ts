/**
 * @module The messages a push socket has taken that may still sit in its send buffer: a FIFO of
 * their cumulative byte offsets. A socket's `bufferedAmount` says how many bytes it has not written
 * yet; the messages ending after `total − bufferedAmount` are the ones not (wholly) written, so when
 * the connection is lost they count as `unflushed` (docs/push-mode.md). Each reading forgets the
 * messages written before it, so the FIFO never holds more than one buffer's worth of messages.
 */

export class InFlight {
  /** The cumulative byte offset at the end of each message maybe still buffered, oldest first. */
  #ends: number[] = [];
  #head = 0;
  /** Bytes handed to the socket since the connection opened. */
  #total = 0;
  /** Bytes known written (out of the buffer) as of the last reading. */
  #written = 0;

  /** A message of `bytes` handed to the socket. */
  sent(bytes: number): void {
    this.#total += bytes;
    this.#ends.push(this.#total);
  }

  /** A `bufferedAmount` reading: every message that ends before the buffered bytes has left. */
  sample(buffered: number): void {
    this.#written = Math.max(this.#written, this.#total - buffered);
    while (this.#head < this.#ends.length && this.#ends[this.#head]! <= this.#written) this.#head++;
    if (this.#head === this.#ends.length) {
      this.#ends = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#ends.length) {
      this.#ends = this.#ends.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Messages not known to have left the buffer (as of the last reading). */
  get size(): number {
    return this.#ends.length - this.#head;
  }

  /**
   * The connection is lost: the messages still buffered, by `buffered` (a reading now) or, when
   * that reads 0, by the last reading before, every message handed after it counted too (Deno's
   * socket and `ws` on Node read 0 once closed, Bun's keeps its value). Then starts over.
   */
  lost(buffered: number): number {
    if (buffered > 0) this.sample(buffered);
    const unflushed = this.size;
    this.reset();
    return unflushed;
  }

  /** Forgets everything (a new connection, or shutdown). */
  reset(): void {
    this.#ends = [];
    this.#head = 0;
    this.#total = 0;
    this.#written = 0;
  }
}
