/**
 * @module The BlueZ port: what the MW75 device needs from the Bluetooth stack — reach the headset's
 * GATT command and status characteristics, scan for headsets, read a headset's name, and watch the
 * adapter (present, powered, discovering).
 * src/adapters/ble/ implements it with node-ble on the system D-Bus.
 */
import type { DeviceDiscovery } from "./discovery.ts";
import type { Logger } from "./logger.ts";

/** Bounds (ms) on the BlueZ steps of a connection. */
export interface BluezBounds {
  /** Bound on the BLE connect call. */
  connect: number;
  /** Bound on waiting for BlueZ to resolve the GATT services. */
  services: number;
  /** Bound on each GATT or D-Bus call (write, start notifications, disconnect, …). */
  call: number;
}

/** Where commands go; `write` is a write-with-response that resolves once the headset acked. */
export interface CommandChannel {
  write(frame: Uint8Array): Promise<void>;
}

/** How to reach the headset. */
export interface BluezTarget {
  /** Address AA:BB:CC:DD:EE:FF; when absent the first device whose name contains "MW75" is used. */
  device?: string;
  /** How long to scan when the headset is not yet known. */
  scanMs: number;
  timing: BluezBounds;
  log: Logger;
  signal?: AbortSignal;
  /** Called with every status notification; when absent notifications are not started. */
  onStatus?: (bytes: Uint8Array) => void;
}

/** A connected headset with its command characteristic ready. */
export interface ControlLink {
  readonly address: string;
  readonly name: string;
  /** Rejects with a BridgeError (BLE_ACTIVATION_FAILED with the fix, CONNECTION_FAILED when aborted). */
  readonly channel: CommandChannel;
  /** Disconnects BLE and closes the bus connection; bounded, never rejects. */
  close(): Promise<void>;
}

/** The control half: what one activation or switch-off of a headset needs. */
export interface BluezControl {
  /**
   * Connects to the headset and resolves once its command (and, when `onStatus` is given, status)
   * characteristic is usable. Rejects with a BridgeError: BLE_ACTIVATION_FAILED whose message says
   * how to fix it, or CONNECTION_FAILED when `signal` fired.
   */
  connect(target: BluezTarget): Promise<ControlLink>;
}

/** All the device asks of BlueZ: control, discovery of MW75 headsets (`list`), and names. */
export interface Bluez extends BluezControl, DeviceDiscovery {
  /** The name BlueZ knows for the device at `address`, read without a scan; null when unknown. */
  readName(address: string): Promise<string | null>;
}

/** The Bluetooth adapter as the bridge reports it (`bluetooth_status`, `/health` `bluetooth`). */
export interface AdapterStatus {
  readonly present: boolean;
  readonly powered: boolean;
  readonly discovering: boolean;
}

/** A running watch of the adapter; `close` ends it (signals dropped, bus connection closed). */
export interface AdapterWatch {
  close(): Promise<void>;
}

/** Watches the adapter the headsets are reached through. */
export interface AdapterWatcher {
  /**
   * Calls `onStatus` with the adapter's status once it is first read, then at each change, never
   * twice in a row with the same status. Never throws: no system bus, no BlueZ or no adapter is
   * `{present: false, powered: false, discovering: false}`, and the watch keeps looking for them.
   */
  watch(onStatus: (status: AdapterStatus) => void, log: Logger): AdapterWatch;
}
