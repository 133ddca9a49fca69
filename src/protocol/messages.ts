/** @module The server's messages: the `data` of every message type the bridge sends (docs/protocol/mw75.md §3.4, docs/protocol/bridge-api.md), one type each, shared by the server's builders and the SDK. Imports types only, so the browser SDK loads it. */

import type { DeviceState } from "../core/session-events.ts";
import type { BluetoothStatus } from "./health.ts";
import type { MetricsData } from "./metrics.ts";

/** Device states on the wire (docs/protocol/mw75.md §3.6): the core's states, one to one; `reconnecting` only appears in status events. */
export type { DeviceState };
/** A state as the bridge reports it where it may say `reconnecting` (events, diagnostics, /devices). */
export type ReportedState = DeviceState | "reconnecting";

/** The event form of `status`: the welcome, state changes, reconnect progress. */
export interface StatusEventData {
  state: ReportedState;
  message: string;
  timestamp: number;
  battery_level: number | null;
  device_id?: string;
}

/** The reply form of `status` (answers the `status` command; a different shape, as in the reference). */
export interface StatusReplyData {
  device_state: DeviceState;
  /** Only during an auto-reconnect wait (the base reply's `device_state` keeps the stored state). */
  reconnecting?: { attempt: number; of: number; delay_ms: number; until: number };
  auto_reconnect: boolean;
  log_level: string;
  battery_level: number | null;
  has_control: boolean;
  total_clients: number;
  shed_messages?: number;
  subscriptions?: Array<{ stream: string; options: SubscriptionOptionsData }>;
  device_id?: string;
}

/**
 * A subscription's options (docs/protocol/bridge-api.md §2): as `subscribe` asks for them, and as its ack and the
 * status reply echo the effective ones (with `resumed_from` when a resume starts elsewhere).
 */
export type SubscriptionOptionsData = {
  format?: "json" | "binary";
  num_samples?: number;
  interval_ms?: number;
  decimate?: number;
  channels?: number[];
  ref_drl?: boolean;
  since_seq?: number;
  resumed_from?: number;
  window_s?: number;
};

/** `command_ack`: `command` plus the command's own fields. */
export interface CommandAckData {
  command: string;
  message?: string;
  [field: string]: unknown;
}

/** The `connect` acknowledgement: the values it will use (`auto_reconnect` as sent). */
export interface ConnectAck extends CommandAckData {
  command: "connect";
  auto_reconnect: unknown;
  log_level: string;
  message: string;
  /** With `duration_s` only (docs/protocol/bridge-api.md §11): when the device disconnects, Unix seconds. */
  until?: number;
}

/** The `disconnect` acknowledgement. */
export interface DisconnectAck extends CommandAckData {
  command: "disconnect";
  message: string;
}

/** One `eeg_data` message: one packet of the base stream. */
export interface EegDataData {
  timestamp: number;
  event_id: number;
  counter: number;
  seq: number;
  ref: number | null;
  drl: number | null;
  /** `ch1` … `ch12`, µV; null for a non-finite value. */
  channels: Record<string, number | null>;
  feature_status: number;
}

/** A JSON `eeg_batch` as sent (the SDK hands out the decoded `EegBatch` instead). */
export interface EegBatchData {
  first_seq: number;
  count: number;
  sample_rate: number;
  decimate: number;
  timestamps: number[];
  counters: number[];
  ref: Array<number | null>;
  drl: Array<number | null>;
  channels: Record<string, Array<number | null>>;
  lead_off: number[];
  device_id?: string;
}

/** `diagnostics`: link and stream health (docs/protocol/bridge-api.md §2.3). */
export interface DiagnosticsData {
  timestamp: number;
  device_state: ReportedState;
  rate_hz: number;
  expected_rate_hz: number;
  packets: {
    valid: number;
    lost: number;
    duplicates: number;
    checksum_failures: number;
    skipped_bytes: number;
  };
  loss_ratio: number;
  jitter_ms: number;
  latency_ms: { decode: number; send_queue: number };
  buffered_bytes: number;
  shed: number;
  battery_level: number | null;
  lead_off: number[];
  clients: number;
  device_id?: string;
}

/** A marker as the bridge stores it (§4.2). A type, not an interface, so it fits a plain JSON record. */
export type MarkerObject = {
  id: string;
  label: string;
  value: number | null;
  timestamp: number;
  duration_s: number;
  seq: number | null;
  /** Only on a marker that came through the LSL marker inlet: `lsl:<stream name>@<hostname>`. */
  source?: string;
};

/** A recording (§4.1). */
export interface RecordingObject {
  id: string;
  /** `recovered`: a recording a restart finalised after a crash (docs/recording.md). */
  state: "recording" | "paused" | "stopped" | "failed" | "recovered";
  session_name: string;
  started_at: number;
  stopped_at?: number | null;
  duration_s: number;
  samples: number;
  markers: number;
  gaps: number;
  /** Markers and notes the EDF/BDF files had no room for (the events sidecar has them all). */
  annotations_dropped?: number;
  /** Why a recording stopped before its first sample left no file (docs/recording.md). */
  discarded?: string;
  files: Array<{ name: string; format: string; bytes: number }>;
  [field: string]: unknown;
}

interface EventBase {
  timestamp: number;
  device_id?: string;
}

/** `event` data (docs/protocol/bridge-api.md §2.4), told apart by `event_type`. */
export type EventData =
  | (EventBase & { event_type: "state_change"; from_state: ReportedState; to_state: ReportedState })
  | (EventBase & {
    event_type: "gap";
    seq: number;
    expected_counter: number;
    got_counter: number;
    missing: number;
    estimated: boolean;
  })
  | (EventBase & {
    event_type: "lead_off";
    seq: number;
    channels_off: number[];
    channels_on: number[];
  })
  | (EventBase & { event_type: "battery"; battery_level: number })
  | (EventBase & { event_type: "marker"; seq: number | null; marker: MarkerObject })
  | (EventBase & { event_type: "recording"; recording: RecordingObject })
  | (EventBase & { event_type: "bluetooth_status" } & BluetoothStatus);

/** `error`: the code, the message and, for some codes, more fields (settings errors carry `key`). */
export interface ErrorData {
  code: string;
  message: string;
  timestamp?: number;
  key?: string | null;
  [field: string]: unknown;
}

/** The settings of §5.1. */
export interface SettingsValues {
  auto_reconnect: boolean;
  log_level: "DEBUG" | "INFO" | "WARNING" | "ERROR";
  subject: string;
  session_label: string;
  heartbeat_s: number;
  notch_hz: null | 50 | 60;
}

/** `settings`: a `get` reply, or the broadcast after a `set` (then with `changed`). */
export interface SettingsData {
  values: Partial<SettingsValues>;
  changed?: string[];
}

/** One entry of `devices` (§6). */
export interface DeviceEntry {
  device_id: string;
  name: string;
  address: string | null;
  kind: "sim" | "replay" | "mw75";
  state: ReportedState;
  battery_level: number | null;
  clients: number;
  recording: unknown;
}

/** One headset a scan found (§6). */
export interface ScanEntry {
  address: string;
  name: string;
  rssi: number | null;
  paired: boolean;
}

/** Every data type by message type. Binary frames have no type: the SDK decodes them into `EegBatch`. */
export interface ServerMessages {
  status: StatusEventData | StatusReplyData;
  command_ack: CommandAckData;
  pong: { timestamp: number };
  heartbeat: { timestamp: number; battery_level: number | null };
  eeg_data: EegDataData;
  eeg_batch: EegBatchData;
  diagnostics: DiagnosticsData;
  metrics: MetricsData;
  event: EventData;
  log: { level: string; message: string; logger: string; timestamp: number };
  broadcast: { from: string; data: unknown; timestamp: number };
  error: ErrorData;
  settings: SettingsData;
  devices: { devices: DeviceEntry[] };
  scan_result: { devices: ScanEntry[] };
  recording: RecordingObject | { state: "none" };
  auth_result: AuthResultData;
}

/** `auth_result`: the role a token gave and the commands it may send (docs/protocol/bridge-api.md §5). */
export interface AuthResultData {
  authenticated: boolean;
  role: "anonymous" | "observe" | "control";
  permissions: string[];
  /** The user, when a username and password or a login session's token authenticated (§5.2). */
  username?: string;
}

export type ServerMessageType = keyof ServerMessages;

/** One text message from the server: the envelope of docs/protocol/bridge-api.md's contract. */
export interface ServerMessage<K extends ServerMessageType = ServerMessageType> {
  id: unknown;
  type: K;
  data: ServerMessages[K];
}

/** Any one server message: testing `type` narrows `data` to that message's. */
export type AnyServerMessage = { [K in ServerMessageType]: ServerMessage<K> }[ServerMessageType];

/** Parses one text frame into an envelope, or returns null when it is not `{type: string, …}` JSON. */
export function parseEnvelope(text: string): AnyServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const m = value as { id?: unknown; type?: unknown; data?: unknown };
  if (typeof m.type !== "string") return null;
  // the contract says `data` is always an object; an absent one is read as {} rather than refused
  const data = typeof m.data === "object" && m.data !== null ? m.data : {};
  // the SDK trusts the bridge to send each type's data (a type it does not know passes as well)
  return { id: m.id, type: m.type, data } as AnyServerMessage;
}
