/**
 * @module LSL time: CLOCK_MONOTONIC seconds, liblsl's `local_clock()` on Linux (docs/protocol/lsl-wire.md §7),
 * and its mapping from the bridge's Unix sample-clock time.
 */

/** The LSL clock and the two conversions the outlets and the marker inlet need. */
export interface LslTime {
  /** LSL seconds now. */
  now(): number;
  /** The LSL time of Unix seconds `unixS` on the bridge's clock. */
  fromUnix(unixS: number): number;
  /** The Unix seconds (bridge clock) of LSL time `lslS`. */
  toUnix(lslS: number): number;
}

/**
 * Builds LslTime from a monotonic clock in seconds and the bridge's Unix clock in ms. The bridge's
 * Unix clock is `performance.timeOrigin + performance.now()` (core/clock.ts), itself monotonic, so
 * the two differ by a constant: measured once, from the read pair that was closest together.
 */
export function lslTime(monotonicS: () => number, unixMs: () => number, probes = 9): LslTime {
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < probes; i++) {
    const a = monotonicS();
    const u = unixMs() / 1000;
    const b = monotonicS();
    if (b - a < best) {
      best = b - a;
      offset = u - (a + b) / 2;
    }
  }
  return {
    now: monotonicS,
    fromUnix: (unixS) => unixS - offset,
    toUnix: (lslS) => lslS + offset,
  };
}
