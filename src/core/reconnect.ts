/** @module Auto-reconnect schedule (MW75.md §3.9): delays base·2^(k−1) capped at 30·base, at most 10 attempts. */

/** Attempts before RECONNECT_EXHAUSTED. */
export const MAX_RECONNECT_ATTEMPTS = 10;
/** The production base delay: 1 s gives 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 s. */
export const DEFAULT_RECONNECT_BASE_MS = 1000;
/** The cap, in multiples of the base delay. */
const CAP_FACTOR = 30;

/** Delay before attempt `attempt` (1-based). */
export function reconnectDelayMs(attempt: number, baseMs: number = DEFAULT_RECONNECT_BASE_MS): number {
  return Math.min(baseMs * 2 ** (attempt - 1), baseMs * CAP_FACTOR);
}

/** `Auto-reconnect attempt k/10 in Ds...` with D in seconds as the reference prints it. */
export function reconnectingText(attempt: number, delayMs: number): string {
  return `Auto-reconnect attempt ${attempt}/${MAX_RECONNECT_ATTEMPTS} in ${delayMs / 1000}s...`;
}
