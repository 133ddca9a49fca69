/** @module A logger wrapper that reports each distinct problem once, so a flood of bad datagrams cannot flood the log. */
import type { Logger, LogLevel } from "../../ports/logger.ts";

/** Distinct operational problems (sockets, sends) remembered; beyond this they are only counted. */
const MAX_KEYS = 256;
/** Distinct kinds of bad input from the network: their own small budget, so noise cannot use up the above. */
const MAX_NOISE_KEYS = 32;
/** Keys are cut to this length: a key derived from input must not cost its size in memory. */
const MAX_KEY_LENGTH = 120;

/** One set of remembered keys with its bound and the line that says it is full. */
class Budget {
  private readonly seen = new Set<string>();
  private full = false;

  constructor(private readonly size: number, private readonly fullLine: string) {}

  log(logger: Logger, key: string, level: LogLevel, message: string): void {
    const k = key.slice(0, MAX_KEY_LENGTH);
    if (this.seen.has(k)) return;
    if (this.seen.size >= this.size) {
      if (!this.full) logger.log("WARNING", this.fullLine);
      this.full = true;
      return;
    }
    this.seen.add(k);
    logger.log(level, message);
  }
}

export class OnceLog {
  private readonly operational = new Budget(
    MAX_KEYS,
    "LSL: more distinct problems than are logged; further ones are only counted",
  );
  private readonly noisy = new Budget(
    MAX_NOISE_KEYS,
    "LSL: more kinds of bad input than are logged; further ones are only counted",
  );

  constructor(readonly logger: Logger) {}

  /** Logs `message` the first time `key` is seen: the bridge's own problems. */
  once(key: string, level: LogLevel, message: string): void {
    this.operational.log(this.logger, key, level, message);
  }

  /** Logs `message` the first time `key` is seen: what other hosts send (bad queries, refused requests). */
  noise(key: string, level: LogLevel, message: string): void {
    this.noisy.log(this.logger, key, level, message);
  }
}
