/** @module The real MW75 headset as a DeviceSource: BLE activation through BlueZ, then the RFCOMM tty. */
import { BridgeError } from "../core/errors.ts";
import type { DeviceSource, OpenTty } from "../core/ports.ts";

/** Options for the real headset; the CLI fills them from --device, --rfcomm-tty and --scan-ms. */
export interface Mw75Options {
  /** Bluetooth address AA:BB:CC:DD:EE:FF; skips the scan when given. */
  device?: string;
  /** RFCOMM tty carrying the data stream (default /dev/rfcomm0). */
  rfcommTty: string;
  /** BLE scan duration in ms (default 4000). */
  scanMs: number;
  /** Per-runtime tty opener (src/adapters/serial/<runtime>.ts). */
  openTty: OpenTty;
}

// PLACEHOLDER until the hardware issue (#4) lands: fails clearly instead of crashing.
export function createMw75Source(_options: Mw75Options): DeviceSource {
  return {
    kind: "mw75",
    synthetic: false,
    description: "MW75 Neuro headset (Linux, BlueZ + RFCOMM)",
    open() {
      return Promise.reject(
        new BridgeError("CONNECTION_FAILED", "The real-headset source is not implemented yet: use --source sim or replay:FILE"),
      );
    },
  };
}
