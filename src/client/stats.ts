/**
 * @module The client's running statistics (docs/protocol/bridge-api.md §11, `client.stats()`): what arrived over every socket
 * of the client's life, what failed, how often it reconnected. Counting costs one byte-length per
 * message and a few additions; `snapshot()` builds a fresh object each time.
 */

/** `client.stats()`: counted over the client's whole life, across reconnects. */
export interface ClientStats {
  /** WebSocket messages received, text and binary, on every socket (heartbeats and pongs too). */
  messages_received: number;
  /** Their payload bytes: a text message's UTF-8 length, a binary message's byteLength (no framing). */
  bytes_received: number;
  /** `error` messages received plus commands that failed on the client's side (TIMEOUT, CONNECTION_LOST). */
  errors: number;
  /** Sockets opened after the first one (successful reopens; failed attempts do not count). */
  reconnects: number;
  /** Streams this client keeps subscribed (renewed after each reconnect), sorted by name. */
  active_subscriptions: string[];
  /** When the last message arrived, Unix seconds; null before the first. */
  last_message_at: number | null;
}

/** Text messages above this many UTF-16 units are measured with a one-off encode, not the scratch buffer. */
const SCRATCH_LIMIT = 1 << 16;

/**
 * UTF-8 byte length of `text`. `encodeInto` a reused buffer is native and measured 5–40× faster
 * than a charCodeAt loop under Bun and Node (0.2–0.6 µs for a 5.6-KB batch); a UTF-16 unit needs
 * at most 3 bytes, so a buffer of 3 × length always holds the whole string.
 */
export class Utf8Length {
  #encoder = new TextEncoder();
  #scratch = new Uint8Array(0);

  of(text: string): number {
    if (text.length > SCRATCH_LIMIT) return this.#encoder.encode(text).byteLength;
    if (this.#scratch.length < text.length * 3) {
      this.#scratch = new Uint8Array(Math.max(1024, text.length * 3));
    }
    return this.#encoder.encodeInto(text, this.#scratch).written;
  }
}

/** The counters behind ClientStats; the client feeds them, `snapshot` reads them. */
export class StatsCounter {
  #messages = 0;
  #bytes = 0;
  #errors = 0;
  #opens = 0;
  #lastAtMs: number | null = null;
  #utf8 = new Utf8Length();
  readonly #now: () => number;

  /** `now`: wall-clock ms (not the injectable Timers, whose `now` need not be Unix time). */
  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  text(text: string): void {
    this.#messages++;
    this.#bytes += this.#utf8.of(text);
    this.#lastAtMs = this.#now();
  }

  binary(bytes: Uint8Array): void {
    this.#messages++;
    this.#bytes += bytes.byteLength;
    this.#lastAtMs = this.#now();
  }

  /** An `error` message arrived, or a command failed without one. */
  error(): void {
    this.#errors++;
  }

  /** A socket opened; returns how many have (1 for the first). */
  opened(): number {
    return ++this.#opens;
  }

  snapshot(subscriptions: readonly string[]): ClientStats {
    return {
      messages_received: this.#messages,
      bytes_received: this.#bytes,
      errors: this.#errors,
      reconnects: Math.max(0, this.#opens - 1),
      active_subscriptions: [...subscriptions].sort(),
      last_message_at: this.#lastAtMs === null ? null : this.#lastAtMs / 1000,
    };
  }
}
