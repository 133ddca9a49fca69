/**
 * @module `remove_device` (docs/protocol/bridge-api.md §11) for the bridge: its refusals (one text, for the bridge and
 * a lone served device alike) and the removals under way. A removed device leaves the list at once but holds its
 * headset and RFCOMM tty until its teardown ends: adding the same headset again, and Ctrl-C, wait for that end.
 */
import { BridgeError } from "../core/errors.ts";
import type { ErrorCode } from "../protocol/errors.ts";
import type { Logger } from "../ports/logger.ts";
import type { ServedDevice } from "./served-device.ts";
import { DEVICE_REMOVED } from "./device-teardown.ts";

/** `UNKNOWN_DEVICE`: `id` is not (or no longer) a device. */
export function unknownDevice(id: string): BridgeError<ErrorCode> {
  return new BridgeError(
    "UNKNOWN_DEVICE",
    `No device ${JSON.stringify(id)}; list_devices lists them`,
  );
}

/** `INVALID_PARAMETERS`: `id` is the default device, which `/` and `/ws` need. */
export function defaultNotRemovable(id: string): BridgeError<ErrorCode> {
  return new BridgeError(
    "INVALID_PARAMETERS",
    `Invalid device_id: ${id} is the default device (the one of / and /ws) and cannot be removed`,
  );
}

/** What follows a removed device's teardown. */
export interface AfterRemoval {
  /** Frees what the device held (its RFCOMM tty). */
  release(): void;
  /** The program's withdrawals (MQTT state, LSL outlets), each given the removed device. */
  listeners: ReadonlyArray<(device: ServedDevice) => Promise<void> | void>;
  /** The new `devices` list to the clients. */
  announce(): void;
  log: Logger;
}

/**
 * Tears the removed `device` down, then, even when that failed (so no withdrawal is skipped), runs `after`;
 * rejects as the teardown did. A listener's failure is logged and does not stop the others.
 */
export async function tearDownRemoved(device: ServedDevice, after: AfterRemoval): Promise<void> {
  const id = device.identity.id;
  try {
    await device.shutdown(DEVICE_REMOVED);
  } finally {
    after.release();
    for (const listener of after.listeners) {
      await Promise.resolve().then(() => listener(device)).catch((e: unknown) =>
        after.log.log("ERROR", `Removing ${id}: ${e instanceof Error ? e.message : String(e)}`)
      );
    }
    after.announce();
  }
}

interface Removal {
  address: string | null;
  /** Settles (never rejects) once the teardown ended, however it ended. */
  done: Promise<void>;
}

/** The teardowns of removed devices still running, by device id. */
export class Removals {
  #under = new Map<string, Removal>();

  /** Runs the teardown of device `id` (at `address`) as one under way; the result rejects as the teardown does. */
  track(id: string, address: string | null, teardown: () => Promise<void>): Promise<void> {
    const run = teardown().finally(() => {
      if (this.#under.get(id) === removal) this.#under.delete(id);
    });
    const removal: Removal = { address, done: run.then(() => {}, () => {}) };
    this.#under.set(id, removal);
    return run;
  }

  /** True while a device of id `id` or of address `address` is being removed. */
  underWay(of: { id?: string; address?: string }): boolean {
    return this.#find(of) !== undefined;
  }

  /** Resolves once no device of id `id` or of address `address` is being removed. */
  async settled(of: { id?: string; address?: string }): Promise<void> {
    for (let r = this.#find(of); r !== undefined; r = this.#find(of)) await r.done;
  }

  /** Resolves once every removal under way now has ended (Ctrl-C lets their recordings finalise). */
  async all(): Promise<void> {
    await Promise.all([...this.#under.values()].map((r) => r.done));
  }

  #find(of: { id?: string; address?: string }): Removal | undefined {
    if (of.id !== undefined && this.#under.has(of.id)) return this.#under.get(of.id);
    if (of.address === undefined) return undefined;
    return [...this.#under.values()].find((r) => r.address === of.address);
  }
}
