/** @module Interfaces the runtime-neutral core owns and the per-runtime / per-device adapters implement. */

/** Log levels a client may ask for (MW75.md §3.10). */
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** Where device code reports progress; the session forwards records to clients as `log` messages. */
export interface Logger {
  log(level: LogLevel, message: string): void;
}

/** A readable byte stream plus the way to stop it. */
export interface ByteStreamHandle {
  /** Raw chunks in arrival order, of any size; ends (or errors) when the other side goes away. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** Opens a tty (already in raw mode or put into raw mode by the adapter) for reading. */
export type OpenTty = (path: string) => Promise<ByteStreamHandle>;

/**
 * Inside a link's stream, the place where one recorded connection ended and the next began (a
 * replayed capture of several connections): the decoder drops its partial packet here, so the
 * reconnect shows as a counter gap instead of checksum failures.
 */
export interface LinkBoundary {
  readonly kind: "boundary";
  /** 2 for the second connection of the capture, and so on. */
  readonly connection: number;
  /** Unix ms when the bridge opened that connection, as recorded; null when unknown. */
  readonly startedAtMs: number | null;
}

/** What a link's stream carries: raw bytes, and (replays only) connection boundaries. */
export type LinkChunk = Uint8Array | LinkBoundary;

/** An open data link to a headset (real or simulated). */
export interface DeviceLink {
  /** Raw chunks in arrival order, of any size; ends (or errors) when the other side goes away. */
  readonly readable: ReadableStream<LinkChunk>;
  /** Idempotent. */
  close(): Promise<void>;
  /** Battery percentage learnt during activation, or null when unknown. */
  readonly batteryLevel: number | null;
}

/** Where EEG bytes come from: the simulator, a replayed capture or the real headset. */
export interface DeviceSource {
  /** "sim", "replay" or "mw75". */
  readonly kind: string;
  /** True when the data is synthetic (simulator); shown in the banner and /health. */
  readonly synthetic: boolean;
  /** Human description for the banner and /health, e.g. "simulated MW75 (synthetic data)". */
  readonly description: string;
  /**
   * Activates the device and opens its data link. Rejects with a BridgeError whose code is
   * BLE_ACTIVATION_FAILED, RFCOMM_CONNECTION_FAILED or CONNECTION_FAILED. Aborting `signal`
   * abandons the attempt.
   */
  open(options: { signal: AbortSignal; log: Logger }): Promise<DeviceLink>;
}

/** A headset a discovery found (BRIDGE-API §6 `scan_result`). */
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
