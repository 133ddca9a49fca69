/**
 * @module `pause_recording` and `resume_recording` on a device's active recording
 * (docs/recording.md "Pause and resume"): what each answers when there is a recording, when it is
 * already in the asked state, and when there is none.
 */
import type { ActiveRecording } from "./active-recording.ts";
import type { RecordingResult } from "./recordings.ts";

/** The outcome; `changed` is false for a pause of a paused recording (acknowledged, with a message). */
export type PauseResult =
  | (Extract<RecordingResult, { ok: true }> & { changed: boolean; message?: string })
  | Extract<RecordingResult, { ok: false }>;

/**
 * Pauses (`paused`) or resumes `active`. Pausing a paused recording is harmless: it is acknowledged
 * unchanged with the message "already paused", so a client that retries is not told off. Resuming
 * one that records is RECORDING_NOT_PAUSED (the contract's code), since the client's idea of the
 * state is wrong. With no recording, or one that is ending, both are NOT_RECORDING.
 */
export function setPaused(
  active: ActiveRecording | null,
  paused: boolean,
  connection: number,
): PauseResult {
  if (active === null || active.ending !== null) {
    return { ok: false, code: "NOT_RECORDING", message: "No recording is running" };
  }
  const changed = active.recorder.setPaused(paused, connection);
  const recording = active.object();
  if (changed) return { ok: true, recording, changed };
  if (paused) {
    return { ok: true, recording, changed, message: `${recording.session_name} is already paused` };
  }
  return {
    ok: false,
    code: "RECORDING_NOT_PAUSED",
    message: `Recording ${recording.session_name} is not paused: it is ${recording.state}`,
  };
}
