/**
 * @module The devices of one bridge by `device_id` (docs/protocol/bridge-api.md §6): readable, stable ids
 * (`sim-1`, `replay-1`, `mw75-AABBCCDDEEFF`), the first device is the default one, entries are
 * added at start-up or at run time (`connect_device`), removed at run time (`remove_device`), never renumbered.
 */

/** What kind of source a device reads. */
export type DeviceKind = "sim" | "replay" | "mw75";

/** Who a device is, as `list_devices` shows it. */
export interface DeviceIdentity {
  readonly id: string;
  readonly kind: DeviceKind;
  /** Human name: "Simulated MW75 1", "Replay of capture.bin", "MW75 Neuro AA:BB:…". */
  readonly name: string;
  /** The Bluetooth address (a simulated one for sim devices), or null when not known yet. */
  readonly address: string | null;
}

/** Anything the registry holds: the server keeps one bridge per device. */
export interface Registered {
  readonly identity: DeviceIdentity;
}

/** A device id is a slug: lower-case letters, digits and dashes, then upper-case hex for addresses. */
const DEVICE_ID = /^[a-z0-9]+(-[A-Za-z0-9]+)*$/;

/** `mw75-AABBCCDDEEFF` for an address, `<kind>-<n>` otherwise (n counts that kind from 1). */
export function deviceIdFor(kind: DeviceKind, address: string | null, n: number): string {
  if (kind === "mw75" && address !== null) {
    return `mw75-${address.replaceAll(":", "").toUpperCase()}`;
  }
  return `${kind}-${n}`;
}

/** True for a string shaped like a device id (a path segment is checked before any lookup). */
export function isDeviceId(value: unknown): value is string {
  return typeof value === "string" && value.length <= 64 && DEVICE_ID.test(value);
}

/** Ordered devices by id; the first added is the default. */
export class DeviceRegistry<T extends Registered> {
  #byId = new Map<string, T>();
  #listeners: Array<(entry: T) => void> = [];

  /** Adds a device; throws when its id is taken (ids are the contract of every path and topic). */
  add(entry: T): T {
    const id = entry.identity.id;
    if (!isDeviceId(id)) {
      throw new RangeError(
        `Invalid device id "${id}": expected a slug like sim-1 or mw75-AABBCCDDEEFF`,
      );
    }
    if (this.#byId.has(id)) throw new RangeError(`Device id "${id}" is already in use`);
    this.#byId.set(id, entry);
    for (const listener of this.#listeners) listener(entry);
    return entry;
  }

  /** Forgets the device `id` (`remove_device`); its id may be added again later. False when it was not there. */
  remove(id: string): boolean {
    return this.#byId.delete(id);
  }

  /** The device with this id, or undefined. */
  get(id: string): T | undefined {
    return this.#byId.get(id);
  }

  /** The first device matching `test` (e.g. by address). */
  find(test: (entry: T) => boolean): T | undefined {
    for (const entry of this.#byId.values()) if (test(entry)) return entry;
    return undefined;
  }

  /** The default device (the first added); throws on an empty registry. */
  get default(): T {
    const first = this.#byId.values().next();
    if (first.done) throw new Error("The device registry is empty");
    return first.value;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Devices in the order they were added. */
  list(): T[] {
    return [...this.#byId.values()];
  }

  /** How many devices of `kind` exist (for the next `<kind>-<n>`). */
  count(kind: DeviceKind): number {
    let n = 0;
    for (const entry of this.#byId.values()) if (entry.identity.kind === kind) n++;
    return n;
  }

  /** Told of every device added from now on (MQTT publishers, metrics). */
  onAdd(listener: (entry: T) => void): void {
    this.#listeners.push(listener);
  }
}
