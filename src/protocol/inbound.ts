/**
 * @module Inbound frame validation with valibot, in the exact order of docs/protocol/mw75.md §3.3:
 * decode → (nesting guard) → INVALID_JSON → INVALID_MESSAGE (incl. the id guard) → MISSING_TYPE →
 * UNKNOWN_COMMAND → per-command data.
 */
import * as v from "valibot";
import type { ErrorCode } from "./errors.ts";
import type { LogLevel } from "../ports/logger.ts";
import { isCommandType, isMultiClientOnly } from "./commands.ts";
import type { CommandType } from "./commands.ts";
import { isTruthy } from "./envelope.ts";
import { accept, refuse } from "./result.ts";
import type { Checked } from "./result.ts";
import { jsonByteLength, MAX_ID_BYTES, MAX_NESTING, nestsDeeperThan } from "./frame-limits.ts";

export type { CommandType } from "./commands.ts";

/** Levels a client may request (no CRITICAL, as in the reference). */
export const LOG_LEVELS: readonly LogLevel[] = ["DEBUG", "INFO", "WARNING", "ERROR"];

/** Any JSON object that is not an array; `id`, `type`, `data` are read from it. */
export const EnvelopeSchema = v.looseObject({
  id: v.optional(v.unknown()),
  type: v.optional(v.unknown()),
  data: v.optional(v.unknown()),
});

/** `data` of commands that read it: absent/null means `{}`, anything but a plain object is an error. */
export const CommandDataSchema = v.optional(v.nullable(v.record(v.string(), v.unknown())), {});

/** `connect.data.log_level`: a string, case-insensitive, one of LOG_LEVELS. */
export const LogLevelSchema = v.pipe(v.string(), v.toUpperCase(), v.picklist(LOG_LEVELS));

/**
 * `connect.data.auto_reconnect`: a boolean, or 0/1 as many clients send; null counts as not given.
 * Anything else is refused rather than read by truthiness (the string "false" would mean true).
 */
export const AutoReconnectSchema = v.nullable(v.union([v.boolean(), v.picklist([0, 1])]));

/** A frame that passed the generic checks. */
export interface Command {
  readonly id: unknown;
  readonly type: CommandType;
  /** The raw `data` value as sent (undefined when absent). */
  readonly data: unknown;
}

/** A frame rejected before dispatch; `echoId` says whether the reply keeps the request id. */
export interface Rejection {
  readonly code: ErrorCode;
  readonly message: string;
  readonly id: unknown;
  readonly echoId: boolean;
  /** The `type` of an UNKNOWN_COMMAND (the access gate may answer PERMISSION_DENIED instead). */
  readonly type?: unknown;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Binary frames are read as UTF-8 (bad bytes throw, which the caller reports as MESSAGE_PROCESSING_ERROR). */
export function frameText(frame: string | ArrayBuffer | ArrayBufferView): string {
  if (typeof frame === "string") return frame;
  return utf8.decode(frame);
}

/** Validates a decoded frame up to dispatch. Pure: never throws for any input string. */
export function parseFrame(text: string, allowBroadcast: boolean): Command | Rejection {
  if (nestsDeeperThan(text, MAX_NESTING)) {
    return reject(
      "INVALID_MESSAGE",
      `Message nests arrays/objects deeper than ${MAX_NESTING} levels`,
      undefined,
      false,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return reject("INVALID_JSON", "Invalid JSON format", undefined, false);
  }
  if (Array.isArray(json)) {
    return reject("INVALID_MESSAGE", "Message must be a JSON object", undefined, false);
  }
  const env = v.safeParse(EnvelopeSchema, json);
  if (!env.success) {
    return reject("INVALID_MESSAGE", "Message must be a JSON object", undefined, false);
  }
  const { id, type, data } = env.output;
  if (jsonByteLength(id) > MAX_ID_BYTES) {
    return reject(
      "INVALID_MESSAGE",
      `Message id is longer than ${MAX_ID_BYTES} bytes (as JSON)`,
      undefined,
      false,
    );
  }
  if (!isTruthy(type)) return reject("MISSING_TYPE", "Message type is required", id, true);
  if (!isKnown(type, allowBroadcast)) {
    return {
      ...reject("UNKNOWN_COMMAND", `Unknown command type: ${describe(type)}`, id, true),
      type,
    };
  }
  return { id, type, data };
}

/** True for a Rejection. */
export function isRejection(value: Command | Rejection): value is Rejection {
  return "code" in value;
}

/**
 * Parsed `connect` fields; both stay unvalidated until the control checks ran (§3.3 order):
 * `autoReconnect` is null when the given value is not a boolean, 0, 1 or null.
 */
export interface ConnectRequest {
  readonly autoReconnectGiven: unknown;
  readonly autoReconnect: boolean | null;
  readonly logLevelGiven: unknown;
  /** `duration_s` as sent (docs/protocol/bridge-api.md §11); undefined or null: not given. */
  readonly durationGiven?: unknown;
}

/** Reads `connect.data`; a non-object `data` is a MESSAGE_PROCESSING_ERROR, as the reference answers. */
export function readConnect(data: unknown): Checked<ConnectRequest> {
  // valibot's record() accepts arrays (it copies them into an object), so rule them out first
  const parsed = v.safeParse(CommandDataSchema, data);
  if (!parsed.success || Array.isArray(data)) {
    return refuse("MESSAGE_PROCESSING_ERROR", `'data' must be an object, got ${kindOf(data)}`);
  }
  const fields = parsed.output ?? {};
  const given = "auto_reconnect" in fields ? fields["auto_reconnect"] : false;
  return accept({
    autoReconnectGiven: given,
    autoReconnect: v.is(AutoReconnectSchema, given) ? isTruthy(given) : null,
    logLevelGiven: "log_level" in fields ? fields["log_level"] : "ERROR",
    ...("duration_s" in fields ? { durationGiven: fields["duration_s"] } : {}),
  });
}

/** Validates a requested level; null when invalid. */
export function parseLogLevel(value: unknown): LogLevel | null {
  const parsed = v.safeParse(LogLevelSchema, value);
  return parsed.success ? parsed.output : null;
}

/** The INVALID_PARAMETERS text for an `auto_reconnect` that is not a boolean or 0/1. */
export function autoReconnectProblem(given: unknown): string {
  return `Invalid auto_reconnect: expected true, false, 0 or 1, got ${describeValue(given)}`;
}

/** True for a command this version implements (`broadcast` only with several clients). */
export function isKnown(type: unknown, allowBroadcast: boolean): type is CommandType {
  return isCommandType(type) && (allowBroadcast || !isMultiClientOnly(type));
}

function describe(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return `${text.length > 40 ? `${text.slice(0, 40)}…` : text} (${kindOf(value)})`;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  return value === null ? "null" : typeof value;
}

function reject(code: ErrorCode, message: string, id: unknown, echoId: boolean): Rejection {
  return { code, message, id, echoId };
}
