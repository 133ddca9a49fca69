/**
 * @module The bridge-wide Bluetooth adapter status (docs/protocol/bridge-api.md §11): the current one
 * for `/health` `bluetooth`, and each change as one `bluetooth_status` event message that every socket
 * subscribed to `events` gets, whichever device it belongs to. The adapter is the bridge's, not a
 * device's, so the event carries no device_id; a later subscriber gets no replay (as with every
 * other event), `/health` has the current status.
 */
import type { AdapterStatus, AdapterWatch, AdapterWatcher } from "../ports/bluez.ts";
import type { Logger } from "../ports/logger.ts";
import type { BluetoothStatus } from "../protocol/health.ts";
import { envelope, freshId } from "../protocol/envelope.ts";

/** The `event` message of one status, encoded once for every socket. */
export function bluetoothStatusMessage(status: AdapterStatus, atMs: number): string {
  return envelope(freshId(), "event", {
    event_type: "bluetooth_status",
    timestamp: atMs / 1000,
    present: status.present,
    powered: status.powered,
    discovering: status.discovering,
  });
}

/** Where the events stream of every socket hears of adapter changes. */
export interface AdapterStatusEvents {
  /** `listener` gets the encoded `event` message of each change from now on. */
  subscribe(listener: (message: string) => void): { close(): void };
}

/** The watched adapter: its status now, and its changes as messages. */
export class AdapterStatusFeed implements AdapterStatusEvents {
  /** Until the first read: absent (the watch reads within one D-Bus round trip of start-up). */
  #current: BluetoothStatus = { present: false, powered: false, discovering: false };
  #listeners = new Set<(message: string) => void>();
  #watch: AdapterWatch;
  #now: () => number;

  constructor(watcher: AdapterWatcher, log: Logger, now: () => number = Date.now) {
    this.#now = now;
    this.#watch = watcher.watch((status) => this.#update(status), log);
  }

  /** `/health` `bluetooth`. */
  get current(): BluetoothStatus {
    return { ...this.#current };
  }

  subscribe(listener: (message: string) => void): { close(): void } {
    this.#listeners.add(listener);
    return { close: () => void this.#listeners.delete(listener) };
  }

  /** Ends the watch (shutdown). */
  close(): Promise<void> {
    this.#listeners.clear();
    return this.#watch.close();
  }

  #update(status: AdapterStatus): void {
    const c = this.#current;
    if (
      c.present === status.present && c.powered === status.powered &&
      c.discovering === status.discovering
    ) return;
    this.#current = {
      present: status.present,
      powered: status.powered,
      discovering: status.discovering,
    };
    const message = bluetoothStatusMessage(status, this.#now());
    for (const listener of [...this.#listeners]) listener(message);
  }
}
