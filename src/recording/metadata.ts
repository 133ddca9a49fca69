/**
 * @module The `<session>.json` metadata of a recording (docs/protocol/bridge-api.md §4.1), built purely from what
 * the recorder knows; the recorder rewrites it (atomically) at start, on stop and on failure.
 *
 * Fields (snake_case, all always present; `null` where unknown):
 * - `metadata_version` 1 · `session_name` · `subject` · `session_label` · `notes`
 * - `sampling_rate` 500 · `channel_names` (Ch1…Ch12, REF, DRL: file order) · `channel_units`
 *   (`µV` for Ch1…Ch12; `as sent` for REF and DRL, which the device sends unscaled) ·
 *   `uv_per_count` 0.023842 (the channels' ADC scale)
 * - `device_id` (the bridge's id, e.g. `sim-2`) · `device_name` · `device_address` (null when
 *   unknown) · `bridge_version` · `source` (e.g.
 *   `mw75`, `sim`, `replay:FILE`) · `synthetic` (true for the simulator and its replays)
 * - `started_at` / `stopped_at`: ISO 8601 UTC (`…Z`, ms) of the start and stop commands;
 *   `started_at_unix` / `stopped_at_unix`: the same in Unix seconds (stop: null while recording)
 * - `first_seq` · `start_ms`: the exact Unix ms (fractional) of the first sample, from the
 *   sample clock — EDF/BDF headers hold only whole seconds, so this is the precise file start
 * - `duration_s`: time the files cover, gaps included, pauses not ((last seq − first seq + 1 −
 *   paused samples) / 500; 0 with no samples) · `paused_s`: time left out by pauses (the one
 *   under way up to the last sample seen) · `pauses`: pause commands that took effect
 * - `samples` (received) and `packets` (the same count, the name docs/protocol/bridge-api.md §4.1 uses) · `lost`
 *   (missing samples, the sum of the gaps) · `duplicates` (packets dropped) · `markers` · `gaps`
 * - `clipped`: per format, values clipped to the format's range (EDF/BDF; 0 for csv and raw) ·
 *   `figures`: every writer's `figures()` as reported · `annotations_dropped`: markers and notes
 *   an EDF/BDF file had no room for (a marker flood beyond the annotation space of its records;
 *   the most of any format, 0 without EDF/BDF) — the events sidecar still has every marker
 * - `formats` · `files`: `[{name, format, bytes}]` (the format files and the events sidecar,
 *   whose `format` is `events`; the metadata file does not list itself)
 * - `state`: `recording` | `paused` | `stopped` | `failed` | `recovered` (finalised at a restart after a
 *   crash) · `failure_reason`: the error message when failed ("unknown failure" if none was
 *   given), what a recovery found when given, else null
 */
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import type { RecordingFileEntry, RecordingFormat, RecordingInfo } from "./types.ts";
import { SIGNAL_LABELS } from "./types.ts";

/** The recording states of the metadata (the protocol's `recording.state` plus `recovered`). */
export type RecordingState = "recording" | "paused" | "stopped" | "failed" | "recovered";

export type { RecordingFileEntry } from "./types.ts";

/** What the recorder knows when it (re)writes the metadata. */
export interface MetadataInput {
  info: RecordingInfo;
  /** Source kind as configured, e.g. "mw75", "sim", "replay:FILE". */
  source: string;
  state: RecordingState;
  /** Host Unix ms of the start command and of the stop (null while recording). */
  startedAtMs: number;
  stoppedAtMs: number | null;
  /** Seq of the last sample written, null before the first one. */
  lastSeq: number | null;
  samples: number;
  lost: number;
  duplicates: number;
  markers: number;
  gaps: number;
  formats: readonly RecordingFormat[];
  files: readonly RecordingFileEntry[];
  /** Each writer's `figures()`. */
  figures: Partial<Record<RecordingFormat, Record<string, number>>>;
  /** The write error's message when `state` is "failed" (or what a recovery found). */
  failureReason?: string;
  /** Pauses: how many, the samples they left out, and the samples on the files' timeline (none: no pause). */
  pauses?: { count: number; samples: number; recorded: number };
}

/** The JSON object (see the module doc for the meaning of each field). */
export interface RecordingMetadata {
  metadata_version: 1;
  session_name: string;
  subject: string;
  session_label: string;
  notes: string;
  sampling_rate: number;
  channel_names: string[];
  channel_units: string[];
  uv_per_count: number;
  device_id: string | null;
  device_name: string;
  device_address: string | null;
  bridge_version: string;
  source: string;
  synthetic: boolean;
  started_at: string;
  started_at_unix: number;
  stopped_at: string | null;
  stopped_at_unix: number | null;
  first_seq: number;
  start_ms: number;
  duration_s: number;
  paused_s: number;
  pauses: number;
  samples: number;
  packets: number;
  lost: number;
  duplicates: number;
  markers: number;
  gaps: number;
  clipped: Partial<Record<RecordingFormat, number>>;
  annotations_dropped: number;
  figures: Partial<Record<RecordingFormat, Record<string, number>>>;
  formats: RecordingFormat[];
  files: RecordingFileEntry[];
  state: RecordingState;
  failure_reason: string | null;
}

/** The device's µV per ADC count (docs/protocol/mw75.md; the BDF header encodes the same scale). */
export const UV_PER_COUNT = 0.023842;

/** Builds the metadata object; throws RangeError for a start or stop time that is not a finite Unix ms. */
export function buildMetadata(input: MetadataInput): RecordingMetadata {
  const { info } = input;
  const clipped: Partial<Record<RecordingFormat, number>> = {};
  for (const format of input.formats) clipped[format] = input.figures[format]?.clipped ?? 0;
  const samplesSpanned = input.pauses?.recorded ??
    (input.lastSeq === null ? 0 : input.lastSeq - info.firstSeq + 1);
  return {
    metadata_version: 1,
    session_name: info.sessionName,
    subject: info.subject,
    session_label: info.sessionLabel,
    notes: info.notes,
    sampling_rate: DEVICE_RATE_HZ,
    channel_names: [...SIGNAL_LABELS],
    channel_units: SIGNAL_LABELS.map((
      label,
    ) => (label === "REF" || label === "DRL" ? "as sent" : "µV")),
    uv_per_count: UV_PER_COUNT,
    device_id: info.deviceId ?? null,
    device_name: info.deviceName,
    device_address: info.deviceAddress,
    bridge_version: info.bridgeVersion,
    source: input.source,
    synthetic: info.synthetic,
    started_at: isoTime(input.startedAtMs, "startedAtMs"),
    started_at_unix: input.startedAtMs / 1000,
    stopped_at: input.stoppedAtMs === null ? null : isoTime(input.stoppedAtMs, "stoppedAtMs"),
    stopped_at_unix: input.stoppedAtMs === null ? null : input.stoppedAtMs / 1000,
    first_seq: info.firstSeq,
    start_ms: info.startMs,
    duration_s: Math.max(0, samplesSpanned) / DEVICE_RATE_HZ,
    paused_s: (input.pauses?.samples ?? 0) / DEVICE_RATE_HZ,
    pauses: input.pauses?.count ?? 0,
    samples: input.samples,
    packets: input.samples,
    lost: input.lost,
    duplicates: input.duplicates,
    markers: input.markers,
    gaps: input.gaps,
    clipped,
    annotations_dropped: annotationsDropped(input.figures),
    figures: { ...input.figures },
    formats: [...input.formats],
    files: input.files.map((f) => ({ name: f.name, format: f.format, bytes: f.bytes })),
    state: input.state,
    failure_reason: input.failureReason ?? (input.state === "failed" ? "unknown failure" : null),
  };
}

/** Annotations the EDF/BDF writers dropped: the most of any one format (each file drops the same ones). */
export function annotationsDropped(
  figures: Partial<Record<string, Record<string, number>>>,
): number {
  let most = 0;
  for (const f of Object.values(figures)) most = Math.max(most, f?.["annotations_dropped"] ?? 0);
  return most;
}

function isoTime(ms: number, field: string): string {
  if (!Number.isFinite(ms)) {
    throw new RangeError(`metadata ${field} must be a finite Unix ms, got ${ms}`);
  }
  return new Date(ms).toISOString();
}
