/** @module The device source port: where EEG bytes come from (simulator, replay, the MW75) and the link it opens. */
import type { Logger } from "./logger.ts";

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
   * The longest a healthy link of this source stays silent, in ms (the headset's own bound).
   * The session's no-data watchdog ends a link after the smaller of this and its own limit;
   * absent, only the session's limit applies.
   */
  readonly noDataTimeoutMs?: number;
  /**
   * Activates the device and opens its data link. Rejects with a BridgeError whose code is
   * BLE_ACTIVATION_FAILED, RFCOMM_CONNECTION_FAILED or CONNECTION_FAILED. Aborting `signal`
   * abandons the attempt.
   */
  open(options: { signal: AbortSignal; log: Logger }): Promise<DeviceLink>;
}
