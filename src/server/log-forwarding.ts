/** @module `log` forwarding (docs/protocol/mw75.md §3.10): records at or above the level the controller asked for go to every client. */
import { formatRecord, LEVEL_RANK } from "../core/log-hub.ts";
import type { LogHub, LogRecord } from "../core/log-hub.ts";
import type { LogLevel } from "../ports/logger.ts";
import { envelope, freshId, toSeconds } from "../protocol/envelope.ts";
import type { ClientRegistry } from "./client-registry.ts";

/** Forwards log records to the device's clients at `level`; null = off (no connect yet, or the last client left). */
export class LogForwarder {
  level: LogLevel | null = null;
  #clients: ClientRegistry;
  #mine: (logger: string) => boolean;
  #unsubscribe: () => void;

  /** `mine` picks the loggers whose records this device's clients may see (default: all). */
  constructor(
    logs: LogHub,
    clients: ClientRegistry,
    mine: (logger: string) => boolean = () => true,
  ) {
    this.#clients = clients;
    this.#mine = mine;
    this.#unsubscribe = logs.subscribe((record) => this.#forward(record));
  }

  /** Stops listening to the log hub (the device ended: a removed device must not stay subscribed). */
  close(): void {
    this.#unsubscribe();
  }

  #forward(record: LogRecord): void {
    const level = this.level;
    if (
      level === null || LEVEL_RANK[record.level] < LEVEL_RANK[level] || this.#clients.size === 0 ||
      !this.#mine(record.logger)
    ) return;
    this.#clients.broadcast(envelope(freshId(), "log", {
      level: record.level,
      message: formatRecord(record),
      logger: record.logger,
      timestamp: toSeconds(record.time),
    }));
  }
}
