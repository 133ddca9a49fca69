/**
 * @module Opening one recording: its name checked free, its facts fixed, its files created (never
 * overwriting). Whatever this start created is removed again when it fails part-way: another
 * device may use the same names, so nothing else is touched.
 */
import type { Clock } from "../core/clock.ts";
import type { ErrorCode } from "../protocol/errors.ts";
import type { StartRequest } from "../protocol/recording-requests.ts";
import { defaultName, removeFiles, trackingCreates } from "./disk.ts";
import { Recorder } from "./recorder.ts";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { RecordingFacts } from "./types.ts";
import { createWriters, recordingFileNames } from "./writers.ts";

/** The facts every recording of a device shares (the rest is fixed by each start). */
export type DeviceFacts = Omit<
  RecordingFacts,
  "id" | "sessionName" | "formats" | "subject" | "sessionLabel" | "notes" | "requestedAtMs"
>;

/** What a start needs besides its request. */
export interface StartContext {
  store: RecordingStore;
  clock: Clock;
  facts: DeviceFacts;
  /** The `subject`/`session_label` settings of this moment. */
  labels: { subject: string; session_label: string };
  /** The next recording id (`rec-N`); taken only once the names are known free. */
  nextId(): string;
  /** Set for one of several devices: default names start with it. */
  deviceId: string | undefined;
  /** The recorder's own end (duration reached, write failure) and its first sample. */
  onEnd(recorder: Recorder): void;
  onBegin(recorder: Recorder): void;
}

/** A recording opened, or why not (`fault`: the disk failed, not the request). */
export type Opened =
  | { ok: true; recorder: Recorder; facts: RecordingFacts }
  | { ok: false; code: ErrorCode; message: string; fault: boolean };

/** Creates the files of `req`; the files exist (empty) when this resolves with `ok`. */
export async function openRecording(req: StartRequest, c: StartContext): Promise<Opened> {
  const name = req.sessionName ?? defaultName(c.clock.now(), c.deviceId);
  const { store, created } = trackingCreates(c.store);
  try {
    await store.ensureDir();
    const existing = new Set((await store.list()).map((f) => f.name));
    const taken = recordingFileNames(name, req.formats).filter((n) => existing.has(n));
    if (taken.length > 0) {
      return {
        ok: false,
        code: "RECORDING_EXISTS",
        message: `Not overwriting ${taken.join(", ")}: choose another session_name`,
        fault: false,
      };
    }
    const facts: RecordingFacts = {
      ...c.facts,
      id: c.nextId(),
      requestedAtMs: c.clock.now(),
      sessionName: name,
      formats: req.formats,
      subject: req.subject ?? c.labels.subject,
      sessionLabel: c.labels.session_label,
      notes: req.notes ?? c.labels.session_label,
    };
    const recorder = await Recorder.create({
      store,
      clock: c.clock,
      writers: createWriters(req.formats),
      durationS: req.durationS,
      info: facts,
      onEnd: c.onEnd,
      onBegin: c.onBegin,
    });
    return { ok: true, recorder, facts };
  } catch (e) {
    const left = await removeFiles(c.store, created);
    return {
      ok: false,
      code: (e as { code?: string }).code === "EEXIST" ? "RECORDING_EXISTS" : "RECORDING_FAILED",
      message: `Cannot start the recording ${name}: ${errorText(e)}${
        left.length > 0 ? `; left behind: ${left.join("; ")}` : ""
      }`,
      fault: true,
    };
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
