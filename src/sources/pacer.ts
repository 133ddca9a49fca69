/** @module Drift-free pacing (units due = floor(elapsed × rate) from one start instant) and an abortable sleep. */
import { BridgeError } from "../core/errors.ts";

/** A running pacer; `stop()` is idempotent and cancels the pending timer. */
export interface Pacer {
  stop(): void;
  /** Units emitted so far (excluding time skipped after a long stall). */
  readonly emitted: number;
}

/** Options for `startPacer`. */
export interface PacerOptions {
  /** Units per second, > 0. */
  rate: number;
  /** Called with the number of newly due units (≥ 1). */
  emit: (count: number) => void;
  /**
   * When the loop falls further behind than this many units (process suspended, debugger,
   * long GC), the backlog is skipped instead of replayed in one burst. Default: 5 s worth.
   */
  maxBacklog?: number;
  /**
   * Wake at most this often (ms); every wake-up emits all units due by then. Default: once per
   * unit. Each timer wake-up costs the process CPU, so slow cadences are much cheaper.
   */
  minIntervalMs?: number;
  /** Millisecond clock; defaults to performance.now(). */
  now?: () => number;
}

/**
 * Starts pacing. Units due = floor(elapsed × rate) from a fixed start, so timer lateness never
 * accumulates: a late tick simply emits more units, and the next wake-up targets the next unit's
 * exact due time rather than "now + period".
 */
export function startPacer(options: PacerOptions): Pacer {
  const { rate, emit } = options;
  if (!(rate > 0) || !Number.isFinite(rate)) {
    throw new RangeError(`pacer rate must be > 0, got ${rate}`);
  }
  const now = options.now ?? (() => performance.now());
  const maxBacklog = options.maxBacklog ?? Math.max(1, Math.ceil(rate * 5));
  const msPerUnit = 1000 / rate;
  const minInterval = Math.max(0, options.minIntervalMs ?? 0);
  let start = now();
  let emitted = 0;
  let skipped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    let due = Math.floor((now() - start) / msPerUnit) - skipped;
    if (due - emitted > maxBacklog) {
      // skip the stalled interval: keep cadence, do not flood the consumer
      skipped += due - emitted - 1;
      due = emitted + 1;
    }
    if (due > emitted) {
      const count = due - emitted;
      emitted = due;
      emit(count);
    }
    if (stopped) return;
    const t = now();
    const nextAt = Math.max(start + (emitted + skipped + 1) * msPerUnit, t + minInterval);
    timer = setTimeout(tick, Math.max(0, nextAt - t));
  };

  start = now();
  timer = setTimeout(tick, Math.max(msPerUnit, minInterval));
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    get emitted() {
      return emitted;
    },
  };
}

/**
 * Waits `ms`, rejecting early with a CONNECTION_FAILED BridgeError when `signal` aborts, so an
 * abandoned connection attempt stops at once and leaves no timer behind.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = (): BridgeError =>
      new BridgeError("CONNECTION_FAILED", "Connection attempt cancelled", {
        cause: signal.reason,
      });
    if (signal.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Lets a source that produces synchronously give the event loop a turn now and then. */
export interface EventLoopYield {
  /** A promise to await when at least `everyMs` passed since the last turn, else null (no cost). */
  due(): Promise<void> | null;
}

type Immediate = (fn: () => void) => unknown;

/**
 * A reader looping on `await reader.read()` over a stream whose pull() enqueues synchronously
 * only ever runs microtasks: timers, sockets and signals starve. Awaiting a macrotask every
 * `everyMs` avoids that. setImmediate (a global in Bun, Deno 2 and Node) costs ~30-60 µs and lets
 * due timers and I/O run; setTimeout(0), the fallback, is clamped to 1-4 ms. A MessageChannel
 * message was measured too: cheap, but timers still waited ~25-130 ms behind it.
 */
export function createEventLoopYield(everyMs = 1): EventLoopYield {
  const immediate = (globalThis as { setImmediate?: Immediate }).setImmediate;
  const turn: Immediate = typeof immediate === "function" ? immediate : (fn) => setTimeout(fn, 0);
  let last = performance.now();
  return {
    due() {
      if (performance.now() - last < everyMs) return null;
      return new Promise<void>((resolve) =>
        turn(() => {
          last = performance.now();
          resolve();
        })
      );
    },
  };
}
