/** @module Outbound envelope builders: every server message is `{id, type, data}` serialised once to a JSON string. */
import type { ErrorCode } from "./errors.ts";
import type { StatusState } from "../core/session-events.ts";
import type {
  ErrorData,
  RecordingObject,
  ServerMessages,
  ServerMessageType,
  StatusEventData,
} from "./messages.ts";

/** Unix time in seconds (float), the protocol's timestamp unit, from milliseconds. */
export function toSeconds(ms: number): number {
  return ms / 1000;
}

/** A fresh message id (UUID4) for messages that answer nothing or answer an id-less request. */
export function freshId(): string {
  return crypto.randomUUID();
}

/**
 * Python truthiness, which the protocol uses for ids and `auto_reconnect`: null, false, 0, "",
 * [] and {} are false (JS would call [] and {} true).
 */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

/** The id a reply carries: the request's id when truthy, otherwise a fresh UUID. */
export function replyId(requestId: unknown): unknown {
  return isTruthy(requestId) ? requestId : freshId();
}

/**
 * Serialises one envelope, its `data` typed by the message type (protocol/messages.ts).
 * JSON.stringify turns NaN/±Infinity into null, so the output is always valid JSON.
 */
export function envelope<K extends ServerMessageType>(
  id: unknown,
  type: K,
  data: ServerMessages[K],
): string;
/** A `recording` whose object is still built untyped where recordings live (see recordingObject). */
export function envelope(id: unknown, type: "recording", data: UntypedRecording): string;
export function envelope(id: unknown, type: string, data: unknown): string {
  return JSON.stringify({ id, type, data });
}

/** A recording object as recording/ builds it today: fields named as on the wire, not yet typed. */
export type UntypedRecording = Readonly<Record<string, unknown>>;

/**
 * The one place an untyped recording object is taken for the wire's RecordingObject: recordings
 * build it field by field as the contract names them (docs/protocol/bridge-api.md §4.1).
 */
export function recordingObject(recording: UntypedRecording): RecordingObject {
  return recording as RecordingObject;
}

/** `error {code, message, timestamp}`, plus `extra` fields where a code has them (e.g. `key`). */
export function errorMessage(
  id: unknown,
  code: ErrorCode,
  message: string,
  nowMs: number,
  extra?: Omit<ErrorData, "code" | "message" | "timestamp">,
): string {
  return envelope(id, "error", { code, message, timestamp: toSeconds(nowMs), ...extra });
}

/** The event form of `status`: `{state, message, timestamp, battery_level}`. */
export function statusEvent(
  state: StatusState,
  message: string,
  batteryLevel: number | null,
  nowMs: number,
  deviceId: string | null = null,
): string {
  const data: StatusEventData = {
    state,
    message,
    timestamp: toSeconds(nowMs),
    battery_level: batteryLevel,
  };
  if (deviceId !== null) data.device_id = deviceId;
  return envelope(freshId(), "status", data);
}
