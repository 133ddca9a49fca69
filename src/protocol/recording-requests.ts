/**
 * @module The data of `start_recording` and `marker` (docs/protocol/bridge-api.md §4), checked field by field:
 * INVALID_PARAMETERS names the field and what is allowed.
 */
import * as v from "valibot";
import type { MarkerRequest } from "../core/markers.ts";
import { RECORDING_FORMATS } from "./recording-formats.ts";
import { checkFields, missing } from "./request-fields.ts";
import type { Rules } from "./request-fields.ts";
import { accept, invalid } from "./result.ts";
import type { MarkerData, RecordingFormat, StartRecordingData } from "./request-data.ts";
import type { Checked } from "./result.ts";

/** A validated `start_recording`. */
export interface StartRequest {
  sessionName: string | null;
  formats: RecordingFormat[];
  durationS: number | null;
  subject: string | null;
  notes: string | null;
}

/** Every format, in the order the error message lists them. */

const SESSION_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** The longest recording `duration_s` allows: a day. */
const MAX_DURATION_S = 86_400;
/**
 * How far a marker's `timestamp` may lie before and after the bridge's clock. Stimulus software
 * stamps events that just happened or are about to; anything further off is almost surely a wrong
 * unit or clock, and a recording could not place it (the files are reordered within this window).
 */
export const MARKER_PAST_S = 60;
export const MARKER_FUTURE_S = 60;

const START_FIELDS: Rules<StartRecordingData> = {
  session_name: [
    v.pipe(
      v.string(),
      v.regex(SESSION_NAME),
      v.check((s) => !s.startsWith(".") && !s.includes("..")),
    ),
    "1–64 characters of A–Z, a–z, 0–9, _ . - (not starting with a dot, no ..)",
  ],
  formats: [
    v.pipe(
      v.array(v.picklist(RECORDING_FORMATS)),
      v.minLength(1),
      v.check((l) => new Set(l).size === l.length),
    ),
    `a list of distinct formats from ${RECORDING_FORMATS.join(", ")}`,
  ],
  duration_s: [
    v.pipe(v.number(), v.minValue(1), v.maxValue(MAX_DURATION_S)),
    `a number of seconds between 1 and ${MAX_DURATION_S}`,
  ],
  subject: [v.pipe(v.string(), v.maxLength(64)), "a string of at most 64 characters"],
  notes: [v.pipe(v.string(), v.maxLength(1024)), "a string of at most 1024 characters"],
};
// `device_id` is taken off before (a marker may name another device of the bridge)
const MARKER_FIELDS: Rules<Omit<MarkerData, "device_id">> = {
  label: [v.pipe(v.string(), v.minLength(1), v.maxLength(128)), "a string of 1 to 128 characters"],
  value: [v.pipe(v.number(), v.finite()), "a finite number"],
  timestamp: [v.pipe(v.number(), v.finite(), v.minValue(0)), "Unix seconds (a number ≥ 0)"],
  // a marker longer than the longest recording says nothing a file can hold (and EDF+ stops at 1e9 s)
  duration_s: [
    v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(MAX_DURATION_S)),
    `a number of seconds from 0 to ${MAX_DURATION_S}`,
  ],
};

/** Reads `start_recording` data; every field is optional. */
export function parseStartRecording(data: unknown): Checked<StartRequest, "INVALID_PARAMETERS"> {
  const checked = checkFields(data, START_FIELDS, "start_recording");
  if (!checked.ok) return checked;
  const f = checked.value;
  return accept({
    sessionName: f.session_name ?? null,
    formats: f.formats ?? ["bdf", "csv"],
    durationS: f.duration_s ?? null,
    subject: f.subject ?? null,
    notes: f.notes ?? null,
  });
}

/**
 * Reads `marker` data (the WebSocket command and the body of POST /markers); `label` is required.
 * A `timestamp` must lie within MARKER_PAST_S before and MARKER_FUTURE_S after `nowMs` (the
 * bridge's clock).
 */
export function parseMarker(
  data: unknown,
  nowMs: number = Date.now(),
): Checked<MarkerRequest, "INVALID_PARAMETERS"> {
  const checked = checkFields(data, MARKER_FIELDS, "marker");
  if (!checked.ok) return checked;
  const f = checked.value;
  if (f.label === undefined) return missing(MARKER_FIELDS, "label");
  if (f.timestamp !== undefined) {
    const problem = timestampProblem(f.timestamp, nowMs / 1000);
    if (problem !== null) return invalid(problem);
  }
  return accept({
    label: f.label,
    value: f.value ?? null,
    timestamp: f.timestamp ?? null,
    durationS: f.duration_s ?? 0,
  });
}

/** Why `t` is no marker time near `nowS`, or null when it is one. */
function timestampProblem(t: number, nowS: number): string | null {
  const from = Math.floor(nowS - MARKER_PAST_S);
  const to = Math.ceil(nowS + MARKER_FUTURE_S);
  if (t >= from && t <= to) return null;
  const range =
    `Unix seconds on the bridge's clock, from ${from} to ${to} (at most ${MARKER_PAST_S} s before and ${MARKER_FUTURE_S} s after now)`;
  // Date.now() instead of Date.now() / 1000 is the usual slip
  const hint = t / 1000 >= from && t / 1000 <= to
    ? `; this looks like milliseconds: send ${t / 1000}`
    : "";
  return `Invalid timestamp: must be ${range}, got ${t}${hint}`;
}
