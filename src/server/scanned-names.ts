/** @module The names scans gave each headset address (docs/protocol/bridge-api.md §6), so a headset added later by `connect_device` keeps the name the scan showed. */

/** Names of the headsets scans found, by address; a lab has few, so a small bound suffices. */
const SCANNED_NAMES_MAX = 256;

export class ScannedNames {
  #names = new Map<string, string>();

  get(address: string): string | undefined {
    return this.#names.get(address);
  }

  /** Keeps the latest scan's name; a found address moves to the end, so the oldest is forgotten. */
  remember(address: string, name: string): void {
    this.#names.delete(address);
    if (name !== address) this.#names.set(address, name);
    if (this.#names.size > SCANNED_NAMES_MAX) this.#names.delete(this.#names.keys().next().value!);
  }
}
