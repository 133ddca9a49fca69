/** @module Reconnect delays: doubling from `baseMs` up to `maxMs` (1, 2, 4 … 30 s by default), each shortened by a random share of up to `jitter`. */

/** How the SDK spaces reconnect attempts. */
export interface BackoffOptions {
  /** The first delay, ms (default 1000). */
  baseMs?: number;
  /** The longest delay, ms (default 30 000). */
  maxMs?: number;
  /** 0–1 (default 0.2): each delay is between (1 − jitter) and 1 times its nominal value. */
  jitter?: number;
}

export const BACKOFF_DEFAULTS: Readonly<Required<BackoffOptions>> = Object.freeze({
  baseMs: 1000,
  maxMs: 30_000,
  jitter: 0.2,
});

/** The options with defaults filled in; RangeError for values that make no schedule. */
export function backoffOptions(options: BackoffOptions = {}): Required<BackoffOptions> {
  const o = { ...BACKOFF_DEFAULTS, ...options };
  if (!(o.baseMs > 0) || !Number.isFinite(o.baseMs)) {
    throw new RangeError(`Invalid backoff baseMs: must be a positive number, got ${o.baseMs}`);
  }
  if (!(o.maxMs >= o.baseMs) || !Number.isFinite(o.maxMs)) {
    throw new RangeError(
      `Invalid backoff maxMs: must be at least baseMs (${o.baseMs}), got ${o.maxMs}`,
    );
  }
  if (!(o.jitter >= 0 && o.jitter <= 1)) {
    throw new RangeError(`Invalid backoff jitter: must be between 0 and 1, got ${o.jitter}`);
  }
  return o;
}

/**
 * The delay before reconnect attempt `attempt` (0 = the first after a loss). Jitter only shortens
 * a delay, so `maxMs` stays a true ceiling, and clients that lost the same bridge at the same
 * moment spread their attempts instead of arriving together.
 */
export function backoffDelay(
  attempt: number,
  options: Required<BackoffOptions>,
  random: () => number,
): number {
  const nominal = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return nominal * (1 - options.jitter * random());
}
