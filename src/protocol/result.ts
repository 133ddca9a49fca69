/**
 * @module The one shape every check of inbound data answers with: the typed value, or the error
 * reply's code and message (and, for the settings codes, the `key` concerned).
 */
import type { ErrorCode } from "./errors.ts";

/** A refusal: what the error reply says. */
export interface Refused<C extends ErrorCode = ErrorCode> {
  readonly ok: false;
  readonly code: C;
  readonly message: string;
  /** The setting concerned (settings errors only; null when a request names none). */
  readonly key?: string | null;
}

/** A checked request: its value, or why it is refused (under one of the codes `C`). */
export type Checked<T, C extends ErrorCode = ErrorCode> =
  | { readonly ok: true; readonly value: T }
  | Refused<C>;

/** A value that passed. */
export function accept<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** A refusal under `code`. */
export function refuse<C extends ErrorCode>(code: C, message: string): Refused<C> {
  return { ok: false, code, message };
}

/** An INVALID_PARAMETERS refusal. */
export function invalid(message: string): Refused<"INVALID_PARAMETERS"> {
  return refuse("INVALID_PARAMETERS", message);
}

/** JSON of `value` cut to `max` characters, for error texts. */
export function shown(value: unknown, max: number): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
