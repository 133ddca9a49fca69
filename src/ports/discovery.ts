/** @module The discovery port: finding headsets (BlueZ or the simulated ones) and opening one by address. */
import type { DeviceSource } from "./device-source.ts";
import type { Logger } from "./logger.ts";

/** A headset a discovery found (docs/protocol/bridge-api.md §6 `scan_result`). */
export interface DiscoveredDevice {
  /** Bluetooth address AA:BB:CC:DD:EE:FF (or a simulated one). */
  readonly address: string;
  readonly name: string;
  /** Signal strength in dBm; null when the adapter reported none. */
  readonly rssi: number | null;
  readonly paired: boolean;
}

/** Finds headsets (BlueZ discovery, or the simulated ones); the `list()` half of a device port. */
export interface DeviceDiscovery {
  /**
   * Scans for `durationMs` and resolves with the MW75 headsets seen, each once. Rejects with a
   * BridgeError SCAN_FAILED whose message says how to fix it (adapter off, no BlueZ, no adapter).
   */
  list(
    options: { durationMs: number; signal?: AbortSignal; log: Logger },
  ): Promise<DiscoveredDevice[]>;
}

/**
 * A kind of headset the bridge can find and open by address, in the spirit of serialport's
 * bindings (`list()` / `open(path)`): the real MW75 through BlueZ and RFCOMM.
 */
export interface DevicePort extends DeviceDiscovery {
  /** The source of the headset at `address` whose data arrives on `rfcommTty`; its `open()` connects. */
  open(address: string, options: { rfcommTty: string }): DeviceSource;
}
