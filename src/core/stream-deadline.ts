/** @module The end a `connect {duration_s}` sets for streaming (docs/protocol/bridge-api.md §11): one timer per session on the injected clock, replaced by the next connect, cleared by any stop. */
import type { Clock, TimerHandle } from "./clock.ts";

/** At most one pending end of streaming. */
export class StreamDeadline {
  #clock: Clock;
  #timer: TimerHandle | null = null;
  #untilMs: number | null = null;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** When streaming ends (Unix ms), or null when nothing is set. */
  get untilMs(): number | null {
    return this.#untilMs;
  }

  /** Sets the end at `untilMs` (Unix ms), replacing any set before; `reached` runs once then, and nothing is set after. */
  set(untilMs: number, reached: () => void): void {
    this.clear();
    this.#untilMs = untilMs;
    const timer = (this.#timer = this.#clock.setTimeout(() => {
      // a timer cleared on the very turn it fell due must not end a newer connection
      if (this.#timer !== timer) return;
      this.#timer = null;
      this.#untilMs = null;
      reached();
    }, Math.max(0, untilMs - this.#clock.now())));
  }

  /** Forgets the end (a disconnect, a teardown, a new connect). Idempotent. */
  clear(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#untilMs = null;
  }
}
