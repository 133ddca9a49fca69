/** @module Named loggers that fan records out to subscribers (console, WebSocket `log` forwarding). */
import type { Logger, LogLevel } from "../ports/logger.ts";

/** Numeric order of levels, lowest first. */
export const LEVEL_RANK: Readonly<Record<LogLevel, number>> = {
  DEBUG: 10,
  INFO: 20,
  WARNING: 30,
  ERROR: 40,
};

/** One log record as subscribers see it. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly logger: string;
  readonly message: string;
  /** Unix milliseconds. */
  readonly time: number;
}

/** Creates loggers and delivers every record to all subscribers. */
export interface LogHub {
  logger(name: string): Logger;
  /** Returns an unsubscribe function. */
  subscribe(listener: (record: LogRecord) => void): () => void;
}

/** `HH:MM:SS - <logger> - <LEVEL> - <text>` (docs/protocol/mw75.md §3.4), in UTC so output does not depend on the host zone. */
export function formatRecord(record: LogRecord): string {
  const hms = new Date(record.time).toISOString().slice(11, 19);
  return `${hms} - ${record.logger} - ${record.level} - ${record.message}`;
}

/** Builds a hub; `now` supplies record times. */
export function createLogHub(now: () => number): LogHub {
  const listeners = new Set<(record: LogRecord) => void>();
  return {
    logger(name) {
      return {
        log(level, message) {
          if (listeners.size === 0) return;
          const record: LogRecord = { level, logger: name, message, time: now() };
          for (const listener of listeners) {
            // a failing subscriber must not break the code that logged
            try {
              listener(record);
            } catch {
              /* ignored on purpose */
            }
          }
        },
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
