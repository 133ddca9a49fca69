/**
 * @module Per-address login budget (docs/security.md): each password check costs ~50 ms of a core,
 * so one client must not be able to queue them faster than a person types. A token bucket per
 * remote address: a burst (default 5), then `perMinute` (default 10). A successful login gives its
 * token back, so only failures and guesses spend it. The table is bounded: when full, the address
 * idle the longest is forgotten (its bucket was the most refilled).
 */

export interface LoginThrottleOptions {
  now: () => number;
  /** Attempts per minute per address once the burst is spent (default 10). */
  perMinute?: number;
  /** Attempts an idle address may make at once (default 5). */
  burst?: number;
  /** Addresses tracked at most (default 10 000). */
  maxEntries?: number;
}

/** Whether an attempt from an address may go on to the password check. */
export type ThrottleTurn =
  | { ok: true }
  /** `first`: the first refusal since the address last had a token (log that one only). */
  | { ok: false; retryAfterS: number; first: boolean };

interface Bucket {
  tokens: number;
  at: number;
  refused: boolean;
}

export class LoginThrottle {
  #now: () => number;
  #perMs: number;
  #burst: number;
  #max: number;
  /** By address; re-inserted on use, so the first entry is the longest idle. */
  #buckets = new Map<string, Bucket>();

  constructor(o: LoginThrottleOptions) {
    this.#now = o.now;
    this.#perMs = (o.perMinute ?? 10) / 60_000;
    this.#burst = o.burst ?? 5;
    this.#max = o.maxEntries ?? 10_000;
  }

  /** Addresses in the table (for tests of the bound). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Spends one token of `address`, or says how long until it has one. */
  take(address: string): ThrottleTurn {
    const b = this.#refilled(address);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.refused = false;
      return { ok: true };
    }
    const first = !b.refused;
    b.refused = true;
    return {
      ok: false,
      retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / this.#perMs / 1000)),
      first,
    };
  }

  /** Gives back the token of an attempt that turned out right (or was refused before any check). */
  refund(address: string): void {
    const b = this.#buckets.get(address);
    if (b !== undefined) b.tokens = Math.min(this.#burst, b.tokens + 1);
  }

  #refilled(address: string): Bucket {
    const now = this.#now();
    let b = this.#buckets.get(address);
    if (b === undefined) {
      if (this.#buckets.size >= this.#max) {
        const idlest = this.#buckets.keys().next().value;
        if (idlest !== undefined) this.#buckets.delete(idlest);
      }
      b = { tokens: this.#burst, at: now, refused: false };
    } else {
      this.#buckets.delete(address);
      b.tokens = Math.min(this.#burst, b.tokens + Math.max(0, now - b.at) * this.#perMs);
      b.at = now;
    }
    this.#buckets.set(address, b);
    return b;
  }
}
