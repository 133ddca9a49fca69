/** @module Auto-reconnect (docs/protocol/mw75.md §3.9): delays base·2^(k−1) capped at 30·base, at most 10 attempts. */
import { sleep } from "./clock.ts";
import type { Clock, Sleep } from "./clock.ts";
import type { CoreErrorCode as ErrorCode } from "./errors.ts";
import type { Logger } from "../ports/logger.ts";

/** Attempts before RECONNECT_EXHAUSTED. */
export const MAX_RECONNECT_ATTEMPTS = 10;
/** The production base delay: 1 s gives 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 s. */
export const DEFAULT_RECONNECT_BASE_MS = 1000;
/** The cap, in multiples of the base delay. */
const CAP_FACTOR = 30;

/** Delay before attempt `attempt` (1-based). */
export function reconnectDelayMs(
  attempt: number,
  baseMs: number = DEFAULT_RECONNECT_BASE_MS,
): number {
  return Math.min(baseMs * 2 ** (attempt - 1), baseMs * CAP_FACTOR);
}

/** A loop's wait before attempt `attempt` of `of` (reported as the state `reconnecting`). */
export interface ReconnectWait {
  readonly attempt: number;
  readonly of: number;
  readonly delayMs: number;
  /** When the wait ends (host Unix ms). */
  readonly untilMs: number;
}

/** What one reconnect loop needs from its session. */
export interface ReconnectHooks {
  clock: Clock;
  baseMs?: number;
  /** False once auto-reconnect was switched off: the loop stops before its next attempt. */
  enabled(): boolean;
  /** `status reconnecting` for attempt `attempt`, before its wait of `delayMs`. */
  announce(attempt: number, delayMs: number): void;
  /** One connection attempt, resolved once the link is up (or the attempt failed / was superseded). */
  attempt(k: number): Promise<"ok" | "stale" | { code: ErrorCode; message: string }>;
  /** RECONNECT_FAILED for attempt k. */
  failed(message: string): void;
  /** RECONNECT_EXHAUSTED after the last attempt. */
  exhausted(message: string): void;
}

/** One run of the schedule (docs/protocol/mw75.md §3.9); starts at construction, `cancel()` stops it at once. */
export class ReconnectLoop {
  #hooks: ReconnectHooks;
  #cancelled = false;
  #wait: Sleep | null = null;
  /** Settles when the loop has stopped for any reason. */
  readonly done: Promise<void>;

  constructor(hooks: ReconnectHooks) {
    this.#hooks = hooks;
    this.done = this.#run();
  }

  cancel(): void {
    this.#cancelled = true;
    this.#wait?.cancel();
  }

  async #run(): Promise<void> {
    const h = this.#hooks;
    for (let k = 1; k <= MAX_RECONNECT_ATTEMPTS; k++) {
      const delay = reconnectDelayMs(k, h.baseMs);
      h.announce(k, delay);
      this.#wait = sleep(h.clock, delay);
      const elapsed = await this.#wait.done;
      this.#wait = null;
      if (!elapsed || this.#cancelled || !h.enabled()) return;
      const result = await h.attempt(k);
      if (this.#cancelled || result === "stale" || result === "ok") return;
      h.failed(
        `Auto-reconnect attempt ${k}/${MAX_RECONNECT_ATTEMPTS} failed: ${result.code}: ${result.message}`,
      );
    }
    h.exhausted(`Auto-reconnect failed after ${MAX_RECONNECT_ATTEMPTS} attempts`);
  }
}

/** What a session's Reconnector needs: the loop's hooks, with the wait as one object and the loop handed to each attempt. */
export interface ReconnectorHooks extends Omit<ReconnectHooks, "announce" | "attempt"> {
  /** Where each wait and the exhaustion are logged (INFO, ERROR). */
  log: Logger;
  /** The loop waits `wait.delayMs` before its next attempt (announce `reconnecting`). */
  announce(wait: ReconnectWait): void;
  attempt(k: number, loop: ReconnectLoop): ReturnType<ReconnectHooks["attempt"]>;
}

/** A session's auto-reconnect: at most one loop at a time, and the wait it is in (what `reconnecting` reports). */
export class Reconnector {
  #hooks: ReconnectorHooks;
  #loop: ReconnectLoop | null = null;
  #wait: ReconnectWait | null = null;

  constructor(hooks: ReconnectorHooks) {
    this.#hooks = hooks;
  }

  /** The current wait, or null while an attempt runs or no loop does. */
  get wait(): ReconnectWait | null {
    return this.#wait;
  }

  /** Starts a loop unless one is running. */
  start(): void {
    if (this.#loop !== null) return;
    const h = this.#hooks;
    const loop: ReconnectLoop = new ReconnectLoop({
      ...h,
      announce: (attempt, delayMs) => {
        this.#wait = {
          attempt,
          of: MAX_RECONNECT_ATTEMPTS,
          delayMs,
          untilMs: h.clock.now() + delayMs,
        };
        h.log.log(
          "INFO",
          `Auto-reconnect attempt ${attempt}/${MAX_RECONNECT_ATTEMPTS} in ${delayMs / 1000} s`,
        );
        h.announce(this.#wait);
      },
      attempt: (k) => h.attempt(k, loop),
      exhausted: (message) => {
        h.log.log("ERROR", message);
        h.exhausted(message);
      },
    });
    this.#loop = loop;
    void loop.done.finally(() => {
      if (this.#loop !== loop) return;
      this.#loop = null;
      this.#wait = null; // a loop that ended for any reason waits for nothing
    });
  }

  /** The wait is over (its attempt started, or the session changed state). */
  endWait(): void {
    this.#wait = null;
  }

  /** `loop`'s attempt opened the link: a drop from here on starts a fresh loop. */
  detach(loop: ReconnectLoop | null): void {
    if (loop !== null && this.#loop === loop) this.#loop = null;
  }

  /** Stops the running loop at once; true when it was waiting. */
  cancel(): boolean {
    const waited = this.#wait !== null;
    this.#loop?.cancel();
    this.#loop = null;
    this.#wait = null;
    return waited;
  }
}
