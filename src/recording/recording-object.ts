/** @module The `recording` object of docs/protocol/bridge-api.md §4.1 (acks, the `recording` broadcast and event, GET /recordings), built from a Recording. */
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import { annotationsDropped } from "./metadata.ts";
import type { RecordingState } from "./metadata.ts";
import type { RecoveredFigures } from "./recovered-figures.ts";
import type { Recording, RecordingFileEntry } from "./types.ts";

/**
 * `{id, state, session_name, started_at, stopped_at?, duration_s, samples, markers, gaps, files}` (+ `failure`),
 * plus `annotations_dropped`: markers the EDF/BDF files had no room for (the events sidecar has them all),
 * and `paused_s` / `pauses`: the time pauses left out of the files and how many there were
 * (`duration_s` is the files' timeline: recorded time, gaps in, pauses out).
 * A type, not an interface: it is the payload of a device event, which takes any JSON object.
 */
export type RecordingObject = {
  id: string;
  state: RecordingState;
  session_name: string;
  /** Unix s of the start command (the first sample, a little later, is `start_ms` in the metadata). */
  started_at: number;
  stopped_at?: number;
  duration_s: number;
  paused_s: number;
  pauses: number;
  samples: number;
  markers: number;
  gaps: number;
  annotations_dropped: number;
  first_seq: number | null;
  files: RecordingFileEntry[];
  failure?: string;
  /** Why a recording that ended without a sample has no files. */
  discarded?: string;
  /** Finalised at a restart after an unclean stop (recovery.ts). */
  recovered?: true;
};

/** The wire object of `r`. */
export function recordingObject(r: Recording): RecordingObject {
  const { facts: c, figures: f } = r;
  const object: RecordingObject = {
    id: c.id,
    state: f.state,
    session_name: c.sessionName,
    started_at: c.requestedAtMs / 1000,
    duration_s: f.recorded / DEVICE_RATE_HZ,
    paused_s: f.pausedSamples / DEVICE_RATE_HZ,
    pauses: f.pauses,
    samples: f.samples,
    markers: f.markers,
    gaps: f.gaps,
    annotations_dropped: annotationsDropped(f.writerFigures),
    first_seq: f.firstSeq,
    files: f.files,
  };
  if (f.stoppedAtMs !== null) object.stopped_at = f.stoppedAtMs / 1000;
  if (f.failure !== null) object.failure = f.failure;
  return r.discarded === null ? object : { ...object, files: [], discarded: r.discarded };
}

/**
 * The object of a recording a restart finalised: the one its metadata held, with the counts of
 * the repaired files and their sizes now; "recovered", not "stopped", so the list says so.
 */
export function recoveredObject(
  before: RecordingObject | undefined,
  counts: RecoveredFigures | null,
  files: RecordingFileEntry[],
): RecordingObject {
  // `lost` is not a field of the object (the metadata has it)
  const { lost: _lost, ...kept } = counts ?? { lost: 0 };
  // a metadata file without a `recording` object (not one this bridge wrote): what is known
  return { ...before, ...kept, state: "recovered", recovered: true, files } as RecordingObject;
}
