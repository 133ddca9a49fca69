/** @module The value checks of the `serve` options: each names the flag (or variable) it read and throws UsageError. */
import { RECORDING_FORMATS } from "../recording/types.ts";
import type { RecordingFormat } from "../recording/types.ts";

/** A bad command line; the entry prints the usage and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** An integer in [min, max]; `name` is the flag the message names. */
export function int(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`${name} expects an integer between ${min} and ${max}, got "${value}"`);
    }
    return n;
  };
}

/** A finite number in [min, max]. */
export function real(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
      throw new UsageError(`${name} expects a number between ${min} and ${max}, got "${value}"`);
    }
    return n;
  };
}

const UNIT_S: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86_400 };

/** A duration in whole seconds: `90`, `90s`, `30m`, `12h` or `7d`, between `minS` and `maxS`. */
export function duration(name: string, minS: number, maxS: number) {
  return (value: string): number => {
    const m = /^(\d{1,9})([smhd]?)$/.exec(value.trim());
    const s = m === null ? NaN : Number(m[1]) * UNIT_S[m[2]!]!;
    if (!(s >= minS && s <= maxS)) {
      throw new UsageError(
        `${name} expects a duration from ${minS} s to ${
          maxS / 86_400
        } days: seconds, or a number with s, m, h or d (e.g. 30m, 12h), got "${value}"`,
      );
    }
    return s;
  };
}

export function nonEmpty(name: string, value: string): string {
  if (value === "") throw new UsageError(`${name} needs a non-empty value`);
  return value;
}

/** A token: at least 8 characters (a guessable token protects nothing); the message never repeats it. */
export function tokenValue(name: string, value: string): string {
  if (value.length < 8) {
    throw new UsageError(`${name} must be at least 8 characters long (try: openssl rand -hex 24)`);
  }
  return value;
}

/** `bdf,csv` → ["bdf", "csv"]: distinct recording formats. */
export function formatList(name: string, value: string): RecordingFormat[] {
  const formats = value.split(",").map((f) => f.trim().toLowerCase());
  for (const f of formats) {
    if (!(RECORDING_FORMATS as readonly string[]).includes(f)) {
      throw new UsageError(
        `${name} expects formats from ${RECORDING_FORMATS.join(", ")}, got "${f}"`,
      );
    }
  }
  if (new Set(formats).size !== formats.length) {
    throw new UsageError(`${name} lists a format twice: "${value}"`);
  }
  return formats as RecordingFormat[];
}

/** `3,7` → [3, 7]: distinct channel numbers 1–12. */
export function channelList(name: string, value: string): number[] {
  const channels = value.split(",").map((part) => int(name, 1, 12)(part.trim()));
  if (new Set(channels).size !== channels.length) {
    throw new UsageError(`${name} lists a channel twice: "${value}"`);
  }
  return channels;
}
