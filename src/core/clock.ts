/** @module Time as an injected port, so tests can shorten or drive every delay the session and server use. */

/** Opaque timer handle. */
export type TimerHandle = unknown;

/** Wall clock plus timers; the only way core and server code read time or wait. */
export interface Clock {
  /** Unix time in milliseconds (may be fractional). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** The host's clock: `performance.timeOrigin + performance.now()` gives sub-millisecond timestamps. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** A sleep that can be cut short; `cancel()` resolves it early with `false`. */
export interface Sleep {
  readonly done: Promise<boolean>;
  cancel(): void;
}

/** Waits `ms` on `clock`; resolves true when the time elapsed, false when cancelled. */
export function sleep(clock: Clock, ms: number): Sleep {
  let finish: (elapsed: boolean) => void = () => {};
  const done = new Promise<boolean>((resolve) => {
    finish = resolve;
  });
  const handle = clock.setTimeout(() => finish(true), ms);
  return {
    done,
    cancel() {
      clock.clearTimeout(handle);
      finish(false);
    },
  };
}
