/** @module The logger port: where device and server code report progress (the log hub implements it). */

/** Log levels a client may ask for (docs/protocol/mw75.md §3.10). */
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** Where device code reports progress; the session forwards records to clients as `log` messages. */
export interface Logger {
  log(level: LogLevel, message: string): void;
}
