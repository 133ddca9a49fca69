/** @module The wire's error codes: the base protocol's (docs/protocol/mw75.md §3.5) and the bridge's additions (docs/protocol/bridge-api.md §9). */
import type { CoreErrorCode } from "../core/errors.ts";

/** Every code an `error` message may carry; core's own failures are a part of it. */
export type ErrorCode =
  | CoreErrorCode
  | "INVALID_JSON"
  | "INVALID_MESSAGE"
  | "MISSING_TYPE"
  | "UNKNOWN_COMMAND"
  | "INVALID_LOG_LEVEL"
  | "ALREADY_CONNECTED"
  | "DEVICE_CONTROL_TAKEN"
  | "CLIENT_ALREADY_CONNECTED"
  | "MESSAGE_PROCESSING_ERROR"
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
  | "RECORDING_NOT_PAUSED"
  | "UNKNOWN_DEVICE";
