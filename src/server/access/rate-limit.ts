/**
 * @module Per-client inbound rate limit (docs/protocol/bridge-api.md §5): a token bucket of `rate` messages per
 * second with bursts of 2·rate. Excess messages are dropped before they are parsed (so a flood
 * costs little), the client hears about it once per second of excess, and a client sending more
 * than 10× the limit for 5 s in a row is to be closed.
 */

/** What to do with one inbound message. */
export type RateVerdict = "accept" | "drop" | "drop-and-tell" | "close";

const BURST_FACTOR = 2;
const ABUSE_FACTOR = 10;
const ABUSE_SECONDS = 5;

export class RateLimiter {
  #rate: number;
  #now: () => number;
  #tokens: number;
  #refilledAt: number;
  #toldAt = Number.NEGATIVE_INFINITY;
  #secondStart: number;
  #inSecond = 0;
  #abusiveSeconds = 0;

  constructor(ratePerSecond: number, now: () => number) {
    this.#rate = ratePerSecond;
    this.#now = now;
    this.#tokens = ratePerSecond * BURST_FACTOR;
    this.#refilledAt = this.#secondStart = now();
  }

  /** Counts one message and says what to do with it. */
  take(): RateVerdict {
    const now = this.#now();
    this.#countSecond(now);
    if (this.#abusiveSeconds >= ABUSE_SECONDS) return "close";
    this.#tokens = Math.min(
      this.#rate * BURST_FACTOR,
      this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate,
    );
    this.#refilledAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return "accept";
    }
    if (now - this.#toldAt >= 1000) {
      this.#toldAt = now;
      return "drop-and-tell";
    }
    return "drop";
  }

  /** Whole seconds in which the client sent more than 10× the limit, counted while they follow each other. */
  #countSecond(now: number): void {
    while (now - this.#secondStart >= 1000) {
      this.#abusiveSeconds = this.#inSecond > this.#rate * ABUSE_FACTOR
        ? this.#abusiveSeconds + 1
        : 0;
      this.#inSecond = 0;
      this.#secondStart += 1000;
      // a long silence: no need to step through every empty second
      if (now - this.#secondStart >= 2000) {
        this.#secondStart = now;
        this.#abusiveSeconds = 0;
      }
    }
    this.#inSecond++;
  }
}

/** The address part of `ip:port` (also `[v6]:port` and a bare v6 address with its port last): limits are per address, each request has its own port. */
export function addressOf(remote: string): string {
  const colon = remote.lastIndexOf(":");
  return colon > 0 ? remote.slice(0, colon) : remote;
}
