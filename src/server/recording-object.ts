/** @module The `recording` object of BRIDGE-API §4.1 (acks, the `recording` broadcast and event, GET /recordings). */
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import { annotationsDropped } from "../recording/metadata.ts";
import type { RecordingFigures } from "../recording/types.ts";
import type { RecordingFormat } from "../recording/types.ts";

/** What a recording is, fixed at its start. */
export interface RecordingContext {
  id: string;
  sessionName: string;
  formats: RecordingFormat[];
  subject: string;
  notes: string;
  deviceName: string;
  deviceAddress: string | null;
  deviceId?: string;
  source: string;
  synthetic: boolean;
  bridgeVersion: string;
  /** Unix ms of the start command (the first sample comes later). */
  requestedAtMs: number;
}

/**
 * `{id, state, session_name, started_at, stopped_at?, duration_s, samples, markers, gaps, files}` (+ `failure`),
 * plus `annotations_dropped`: markers the EDF/BDF files had no room for (the events sidecar has them all).
 */
export function recordingObject(c: RecordingContext, f: RecordingFigures): Record<string, unknown> {
  const span = f.firstSeq === null || f.lastSeq === null ? 0 : f.lastSeq - f.firstSeq + 1;
  const object: Record<string, unknown> = {
    id: c.id,
    state: f.state,
    session_name: c.sessionName,
    // when it was asked for (the first sample, a little later, is `start_ms` in the metadata)
    started_at: c.requestedAtMs / 1000,
    duration_s: span / DEVICE_RATE_HZ,
    samples: f.samples,
    markers: f.markers,
    gaps: f.gaps,
    annotations_dropped: annotationsDropped(f.writerFigures),
    first_seq: f.firstSeq,
    files: f.files,
  };
  if (f.stoppedAtMs !== null) object["stopped_at"] = f.stoppedAtMs / 1000;
  if (f.failure !== null) object["failure"] = f.failure;
  return object;
}
