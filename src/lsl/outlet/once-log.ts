/** @module A logger wrapper that reports each distinct problem once, so a flood of bad datagrams cannot flood the log. */
import type { Logger, LogLevel } from "../../ports/logger.ts";

/** Distinct problems remembered; beyond this, new ones are summed up in one last line. */
const MAX_KEYS = 256;

export class OnceLog {
  private readonly seen = new Set<string>();
  private full = false;

  constructor(readonly logger: Logger) {}

  /** Logs `message` the first time `key` is seen. */
  once(key: string, level: LogLevel, message: string): void {
    if (this.seen.has(key)) return;
    if (this.seen.size >= MAX_KEYS) {
      if (!this.full) {
        this.logger.log(
          "WARNING",
          "LSL: more distinct problems than are logged; further ones are only counted",
        );
      }
      this.full = true;
      return;
    }
    this.seen.add(key);
    this.logger.log(level, message);
  }
}
