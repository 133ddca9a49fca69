/**
 * @module `get` / `set` data (docs/protocol/bridge-api.md §5.1): the setting names, each value's rule and the
 * all-or-nothing validation of a `set`. Pure; the server reads and applies the values.
 */
import * as v from "valibot";
import { NOTCH_FREQUENCIES } from "../core/notch.ts";
import { LOG_LEVELS, LogLevelSchema } from "./inbound.ts";
import type { SettingsValues } from "./messages.ts";
import { accept, invalid } from "./result.ts";
import type { Checked, Refused } from "./result.ts";

/** Every setting, in the order a full `settings` reply lists them. */
export const SETTING_KEYS = [
  "auto_reconnect",
  "log_level",
  "subject",
  "session_label",
  "heartbeat_s",
  "notch_hz",
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** The current value of every setting (the wire's type: a `settings` reply carries them). */
export type SettingValues = SettingsValues;

/** Limits of the value rules. */
export const MAX_LABEL_CHARS = 64;
export const HEARTBEAT_S_RANGE = [5, 300] as const;

/** A refusal: the error reply's code, message and (for the key-specific codes) `key`. */
export type SettingsProblem = Refused;

/** A valid `set`: the values to write (normalised) and their keys in request order. */
export interface SettingsWrite {
  readonly values: Partial<SettingValues>;
  readonly keys: SettingKey[];
}

const [HB_MIN, HB_MAX] = HEARTBEAT_S_RANGE;
const label = v.pipe(v.string(), v.check((s) => [...s].length <= MAX_LABEL_CHARS));

/** Per key: what a valid value looks like, and the INVALID_VALUE text for one that is not. */
const RULES: Record<SettingKey, { schema: v.GenericSchema; message: (value: unknown) => string }> =
  {
    // 0/1 too, as connect accepts them
    auto_reconnect: {
      schema: v.union([v.boolean(), v.picklist([0, 1])]),
      message: () => "Value must be a boolean (true, false, 0 or 1)",
    },
    log_level: {
      schema: LogLevelSchema,
      message: () => `Value must be one of ${LOG_LEVELS.join(", ")} (any case)`,
    },
    subject: {
      schema: label,
      message: () => `Value must be a string of at most ${MAX_LABEL_CHARS} characters`,
    },
    session_label: {
      schema: label,
      message: () => `Value must be a string of at most ${MAX_LABEL_CHARS} characters`,
    },
    heartbeat_s: {
      schema: v.pipe(v.number(), v.integer(), v.minValue(HB_MIN), v.maxValue(HB_MAX)),
      // the contract's wording for an integer out of range; anything else is told it needs an integer
      message: (value) =>
        Number.isInteger(value)
          ? `Value must be between ${HB_MIN} and ${HB_MAX}`
          : `Value must be an integer between ${HB_MIN} and ${HB_MAX}`,
    },
    notch_hz: {
      schema: v.nullable(v.picklist(NOTCH_FREQUENCIES)),
      message: () => `Value must be null, ${NOTCH_FREQUENCIES.join(" or ")}`,
    },
  };

/** True for a setting name. */
export function isSettingKey(key: unknown): key is SettingKey {
  return typeof key === "string" && (SETTING_KEYS as readonly string[]).includes(key);
}

/** Reads `get` data: the keys asked for (all when `keys` is absent), duplicates dropped. */
export function parseGet(data: unknown): Checked<{ keys: SettingKey[] }> {
  const read = objectOrNull(data, "get", '{"keys": ["heartbeat_s", …]} or nothing');
  if (!read.ok) return read;
  const fields = read.value;
  const extra = Object.keys(fields).find((k) => k !== "keys");
  if (extra !== undefined) return invalid(`Unknown field ${extra} for get; its only field is keys`);
  const keys = fields["keys"];
  if (keys === undefined || keys === null) return accept({ keys: [...SETTING_KEYS] });
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === "string")) {
    return invalid(
      `Invalid keys: must be a non-empty list of setting names (${SETTING_KEYS.join(", ")})`,
    );
  }
  const named: string[] = keys;
  const unknown = named.find((k) => !isSettingKey(k));
  if (unknown !== undefined) return unknownKey(unknown);
  return accept({ keys: [...new Set(named.filter(isSettingKey))] });
}

/**
 * Reads `set` data, all or nothing: every key is checked (in request order, the first problem
 * answers) before anything may be applied.
 */
export function parseSet(data: unknown): Checked<SettingsWrite> {
  const read = setValues(data);
  if (!read.ok) return read;
  const out: Partial<SettingValues> = {};
  const keys: SettingKey[] = [];
  for (const [key, value] of Object.entries(read.value)) {
    if (!isSettingKey(key)) return unknownKey(key);
    const rule = RULES[key];
    const parsed = v.safeParse(rule.schema, value);
    if (!parsed.success) {
      return { ok: false, code: "INVALID_VALUE", message: rule.message(value), key };
    }
    write(out, key, parsed.output);
    keys.push(key);
  }
  return accept({ values: out, keys });
}

/** The key a PERMISSION_DENIED for `set` names: the request's first, or null when it has none. */
export function firstSetKey(data: unknown): string | null {
  const read = setValues(data);
  return read.ok ? Object.keys(read.value)[0]! : null;
}

/** `values` of the settings reply: `all` restricted to `keys`, in that order. */
export function pickSettings(
  all: SettingValues,
  keys: readonly SettingKey[],
): Partial<SettingValues> {
  const out: Partial<SettingValues> = {};
  for (const key of keys) write(out, key, all[key]);
  return out;
}

// --- internals ---

/** An object's fields as sent. */
type Fields = { readonly [field: string]: unknown };

/** Sets one setting; `value` passed that key's rule (auto_reconnect's 0/1 become booleans). */
function write(out: Partial<SettingValues>, key: SettingKey, value: unknown): void {
  const fields: { [K in SettingKey]?: unknown } = out;
  fields[key] = key === "auto_reconnect" ? value === true || value === 1 : value;
}

function setValues(data: unknown): Checked<Fields> {
  const usage = '{"values": {"heartbeat_s": 10, …}}';
  const read = objectOrNull(data, "set", usage);
  if (!read.ok) return read;
  const fields = read.value;
  const extra = Object.keys(fields).find((k) => k !== "values");
  if (extra !== undefined) {
    return invalid(`Unknown field ${extra} for set; its only field is values, e.g. ${usage}`);
  }
  const values = fields["values"];
  if (
    values === null || typeof values !== "object" || Array.isArray(values) ||
    Object.keys(values).length === 0
  ) {
    return invalid(
      `Invalid values: must be a non-empty object of setting names and values, e.g. ${usage}`,
    );
  }
  return accept(ownFields(values));
}

/** `data` as an object; absent or null counts as `{}`. */
function objectOrNull(data: unknown, command: string, usage: string): Checked<Fields> {
  if (data === undefined || data === null) return accept({});
  if (typeof data !== "object" || Array.isArray(data)) {
    return invalid(`'data' of ${command} must be an object: ${usage}`);
  }
  return accept(ownFields(data));
}

/** A sent object's own fields, in their order (JSON.parse made it: no getters, no symbols). */
function ownFields(data: object): Fields {
  return Object.fromEntries(Object.entries(data));
}

function unknownKey(key: string): Refused {
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return {
    ok: false,
    code: "UNKNOWN_KEY",
    message: `Unknown setting: ${shown}. Settings are ${SETTING_KEYS.join(", ")}`,
    key,
  };
}
