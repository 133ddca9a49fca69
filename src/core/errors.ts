/** @module Domain error type carrying one of the protocol's error codes. */

/** Error codes of the MW75 WebSocket protocol (MW75.md §3.5) and of the bridge's additions (BRIDGE-API.md §9). */
export type ErrorCode =
  | "INVALID_JSON"
  | "INVALID_MESSAGE"
  | "MISSING_TYPE"
  | "UNKNOWN_COMMAND"
  | "INVALID_LOG_LEVEL"
  | "ALREADY_CONNECTED"
  | "DEVICE_CONTROL_TAKEN"
  | "CLIENT_ALREADY_CONNECTED"
  | "MESSAGE_PROCESSING_ERROR"
  | "CONNECTION_FAILED"
  | "BLE_ACTIVATION_FAILED"
  | "RFCOMM_CONNECTION_FAILED"
  | "DEVICE_ERROR"
  | "DISCONNECT_ERROR"
  | "RECONNECT_FAILED"
  | "RECONNECT_EXHAUSTED"
  | "INVALID_PARAMETERS"
  | "UNKNOWN_STREAM"
  | "AUTH_FAILED"
  | "PERMISSION_DENIED"
  | "RATE_LIMITED"
  | "INVALID_VALUE"
  | "UNKNOWN_KEY"
  | "RECORDING_ALREADY_ACTIVE"
  | "NOT_RECORDING"
  | "RECORDING_EXISTS"
  | "RECORDING_FAILED"
  | "UNKNOWN_DEVICE"
  | "SCAN_FAILED";

/** A failure the caller is expected to handle and report to clients under `code`. */
export class BridgeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BridgeError";
    this.code = code;
  }
}
