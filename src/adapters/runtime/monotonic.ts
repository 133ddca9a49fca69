/**
 * @module The fallbacks of the runtime adapters' monotonic clock (CLOCK_MONOTONIC seconds) where libc
 * cannot be called: a coarse CLOCK_BOOTTIME on Linux, the process-relative performance.now() elsewhere.
 */

/** Writes one warning line (the adapter's stderr). */
export type Warn = (text: string) => void;

/** performance.now() in seconds: the runtimes' monotonic clock, CLOCK_MONOTONIC on Linux (no drift). */
const perfSeconds = (): number => performance.now() / 1000;

/**
 * CLOCK_MONOTONIC from a coarse reading of CLOCK_BOOTTIME (`read` returns what BOOTTIME was when the
 * reading last changed value): polling until it changes catches a tick edge. The edge lies after the
 * start of the read before the change and before the end of the read that saw it; the edge with the
 * narrowest such span (of `edges`, or up to `maxEdges` while it exceeds 0.1 ms) sets the offset to
 * performance.now(), which has the same rate (no drift). BOOTTIME runs ahead of MONOTONIC by the time
 * the machine spent suspended, hence the warning.
 */
export function edgeClock(
  read: () => number,
  warn: Warn,
  opts: { source: string; tickS: number; edges: number; maxEdges: number },
  now = perfSeconds,
): () => number {
  let best = Infinity;
  let offset = 0;
  for (let edge = 0; edge < opts.edges || (best > 1e-4 && edge < opts.maxEdges); edge++) {
    let prevBefore = now();
    let last = read();
    const deadline = prevBefore + 10 * opts.tickS; // one tick at most; the rest is a loaded machine
    for (;;) {
      const before = now();
      const value = read();
      const after = now();
      if (value !== last) {
        if (after - prevBefore < best) {
          best = after - prevBefore;
          offset = value - (prevBefore + after) / 2;
        }
        break;
      }
      if (after > deadline) {
        throw new Error(`${opts.source} did not advance in ${10 * opts.tickS} s`);
      }
      last = value;
      prevBefore = before;
    }
  }
  // the offset is the middle of the span, so it is off by at most half of it
  const within = ((best / 2) * 1000).toFixed(3);
  warn(
    `warning: the LSL clock is calibrated from ${opts.source} (CLOCK_BOOTTIME) to ±${within} ms: ` +
      "it runs ahead of liblsl's CLOCK_MONOTONIC by any time this machine spent suspended\n",
  );
  return () => now() + offset;
}

/** edgeClock on /proc/uptime: BOOTTIME truncated to centiseconds, 3 edges (about 30 ms, once; ≤ 150 ms). */
export function uptimeClock(readUptime: () => string, warn: Warn): () => number {
  const read = () => Number(readUptime().split(" ")[0]);
  return edgeClock(read, warn, { source: "/proc/uptime", tickS: 0.01, edges: 3, maxEdges: 15 });
}

/** Off Linux (or with no fallback left): performance.now() from process start, and a warning. */
export function processClock(os: string, warn: Warn): () => number {
  warn(
    `warning: on ${os} the LSL clock is not liblsl's: LSL timestamps will not match other streams\n`,
  );
  return perfSeconds;
}

/** Builds the clock on its first reading: a server without LSL skips the dlopen or calibration. */
export function onFirstCall(make: () => () => number): () => number {
  let read: (() => number) | undefined;
  return () => (read ??= make())();
}
