/**
 * @module The `data` each command takes on the wire (docs/protocol/mw75.md §3.3, docs/protocol/bridge-api.md §2, §4–§6), as
 * the SDK sends it and the server's field rules check it. Types only, so the browser SDK may load it.
 */

/** The file formats a recording writes (§4.1). */
import type { RecordingFormat } from "./recording-formats.ts";
export type { RecordingFormat };

/** `connect` data. */
export interface ConnectData {
  auto_reconnect?: boolean;
  log_level?: "DEBUG" | "INFO" | "WARNING" | "ERROR";
  /** Disconnect after this many seconds, 1–86400 (docs/protocol/bridge-api.md §11). */
  duration_s?: number;
}

/** `start_recording` data (§4.1). */
export interface StartRecordingData {
  session_name?: string;
  formats?: RecordingFormat[];
  duration_s?: number;
  subject?: string;
  notes?: string;
}

/** `marker` data (§4.2); `device_id` marks another device of the bridge. */
export interface MarkerData {
  label: string;
  value?: number;
  timestamp?: number;
  duration_s?: number;
  device_id?: string;
}

/** `scan_devices` data (§6). */
export interface ScanData {
  duration_s?: number;
}

/** `connect_device` data (§6). */
export interface ConnectDeviceData {
  address: string;
  rfcomm_tty?: string;
}

/** `remove_device` data (§11). */
export interface RemoveDeviceData {
  device_id: string;
}
