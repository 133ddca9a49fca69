/** @module The clock and timers the SDK runs on, injectable so that tests can drive reconnects and liveness by hand. */

/** What the SDK needs of time. The default is the platform's `Date.now` and `setTimeout`. */
export interface Timers {
  /** Milliseconds, only ever compared with each other. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `Date.now` and the global timers (present in browsers, Bun, Deno and Node alike). */
export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) =>
    globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};
