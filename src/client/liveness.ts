/**
 * @module The liveness watchdog: a socket that receives nothing — no data, no heartbeat, no answer
 * to the `ping` it sends after `pingIntervalMs` of silence — for `timeoutMs` is declared dead.
 * A stalled TCP path never closes by itself, so without this a client would wait forever.
 */
import type { Timers } from "./timers.ts";

export interface LivenessOptions {
  /** Silence after which the socket is closed and a reconnect starts, ms (default 20 000). */
  timeoutMs?: number;
  /** Silence after which a `ping` is sent, ms (default half the timeout). */
  pingIntervalMs?: number;
}

export const LIVENESS_TIMEOUT_MS = 20_000;

export class Liveness {
  readonly timeoutMs: number;
  readonly pingIntervalMs: number;
  #timers: Timers;
  #ping: () => void;
  #dead: () => void;
  #lastSeen = 0;
  #pinged = false;
  #timer: unknown = null;

  constructor(timers: Timers, options: LivenessOptions, ping: () => void, dead: () => void) {
    this.timeoutMs = options.timeoutMs ?? LIVENESS_TIMEOUT_MS;
    this.pingIntervalMs = options.pingIntervalMs ?? this.timeoutMs / 2;
    if (!(this.timeoutMs > 0)) {
      throw new RangeError(`Invalid liveness timeoutMs: must be positive, got ${this.timeoutMs}`);
    }
    if (!(this.pingIntervalMs > 0 && this.pingIntervalMs < this.timeoutMs)) {
      throw new RangeError(
        `Invalid liveness pingIntervalMs: must be positive and below timeoutMs (${this.timeoutMs}), got ${this.pingIntervalMs}`,
      );
    }
    this.#timers = timers;
    this.#ping = ping;
    this.#dead = dead;
  }

  /** Starts watching a freshly opened socket. */
  start(): void {
    this.stop();
    this.seen();
    this.#arm(this.pingIntervalMs);
  }

  /**
   * Called for every message. Only stores the time: the timer is not re-armed per message (up to
   * 500 a second) but checks, when it fires, how long the silence has really lasted.
   */
  seen(): void {
    this.#lastSeen = this.#timers.now();
    this.#pinged = false;
  }

  stop(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(ms: number): void {
    this.#timer = this.#timers.setTimeout(() => this.#check(), Math.max(0, ms));
  }

  #check(): void {
    this.#timer = null;
    const silent = this.#timers.now() - this.#lastSeen;
    if (silent >= this.timeoutMs) return this.#dead();
    if (silent >= this.pingIntervalMs) {
      if (!this.#pinged) {
        this.#pinged = true;
        this.#ping();
      }
      return this.#arm(this.timeoutMs - silent);
    }
    this.#arm(this.pingIntervalMs - silent);
  }
}
