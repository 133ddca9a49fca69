/**
 * @module The per-command step of inbound validation (docs/protocol/mw75.md §3.3, after UNKNOWN_COMMAND): one
 * reader per command of the table, each giving that command's typed request or its refusal.
 * Commands whose `data` means nothing read as null.
 */
import type { MarkerRequest } from "../core/markers.ts";
import { parseAuth } from "./auth-request.ts";
import type { AuthRequest } from "./auth-request.ts";
import type { CommandType } from "./commands.ts";
import { parseConnectDevice, parseRemoveDevice, parseScan } from "./device-requests.ts";
import type { ConnectDeviceRequest, RemoveDeviceRequest, ScanRequest } from "./device-requests.ts";
import { readConnect } from "./inbound.ts";
import type { ConnectRequest } from "./inbound.ts";
import { parseMarker, parseStartRecording } from "./recording-requests.ts";
import type { StartRequest } from "./recording-requests.ts";
import { accept } from "./result.ts";
import type { Checked } from "./result.ts";
import { parseGet, parseSet } from "./settings.ts";
import type { SettingKey, SettingsWrite } from "./settings.ts";
import { parseSubscribe, parseUnsubscribe } from "./subscriptions.ts";
import type { StreamName, Subscription } from "./subscriptions.ts";

/** What each command's `data` reads as once checked. */
export interface CommandRequests {
  connect: ConnectRequest;
  disconnect: null;
  status: null;
  ping: null;
  /** The payload relayed as sent (`{}` when absent). */
  broadcast: { payload: unknown };
  /** The token as sent (the access gate judges it), or a username and password. */
  auth: AuthRequest;
  subscribe: Subscription;
  unsubscribe: { stream: StreamName };
  get: { keys: SettingKey[] };
  set: SettingsWrite;
  start_recording: StartRequest;
  stop_recording: null;
  pause_recording: null;
  resume_recording: null;
  recording_status: null;
  marker: MarkerRequest;
  list_devices: null;
  scan_devices: ScanRequest;
  connect_device: ConnectDeviceRequest;
  remove_device: RemoveDeviceRequest;
}

const none = (): Checked<null> => accept(null);

/** One reader per command: a command missing here, or reading the wrong type, does not compile. */
const READERS: { [K in CommandType]: (data: unknown) => Checked<CommandRequests[K]> } = {
  connect: readConnect,
  disconnect: none,
  status: none,
  ping: none,
  broadcast: (data) => accept({ payload: data === undefined ? {} : data }),
  auth: parseAuth,
  subscribe: parseSubscribe,
  unsubscribe: parseUnsubscribe,
  get: parseGet,
  set: parseSet,
  start_recording: parseStartRecording,
  stop_recording: none,
  pause_recording: none,
  resume_recording: none,
  recording_status: none,
  marker: (data) => parseMarker(data),
  list_devices: none,
  scan_devices: parseScan,
  connect_device: parseConnectDevice,
  remove_device: parseRemoveDevice,
};

/** Reads `data` as command `type` asks. */
export function readRequest<K extends CommandType>(
  type: K,
  data: unknown,
): Checked<CommandRequests[K]> {
  return READERS[type](data);
}
