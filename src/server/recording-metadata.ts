/** @module A recording's metadata file (`S.json`): what it holds at a given moment, and the recordings listed from those files. */
import { buildMetadata } from "../recording/metadata.ts";
import type { Recorder } from "../recording/recorder.ts";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { RecordingFormat } from "../recording/types.ts";
import type { RecordingContext } from "./recording-object.ts";

/** The metadata of this moment, with the wire object (`recording`) so GET /recordings can list recordings from their files alone. */
export function metadataOf(
  c: RecordingContext,
  recorder: Recorder,
  recording: Record<string, unknown>,
): Record<string, unknown> {
  const f = recorder.figures();
  const metadata = buildMetadata({
    info: recorder.info(c.requestedAtMs),
    source: c.source,
    state: f.state,
    startedAtMs: f.startMs ?? c.requestedAtMs,
    stoppedAtMs: f.stoppedAtMs,
    lastSeq: f.lastSeq,
    samples: f.samples,
    lost: f.lost,
    duplicates: f.duplicates,
    markers: f.markers,
    gaps: f.gaps,
    formats: c.formats,
    files: f.files.map((file) => ({ ...file, format: file.format as RecordingFormat | "events" })),
    figures: f.writerFigures,
    ...(f.failure !== null ? { failureReason: f.failure } : {}),
  });
  return { ...metadata, recording };
}

/** Recordings on disk: the objects of their metadata files, newest first. */
export async function listRecordings(
  store: RecordingStore,
): Promise<Array<Record<string, unknown>>> {
  const files = (await store.list()).filter((f) => f.name.endsWith(".json"));
  const out: Array<Record<string, unknown>> = [];
  for (const f of files) {
    try {
      const meta = JSON.parse(await store.readText(f.name)) as Record<string, unknown>;
      if (typeof meta["recording"] === "object" && meta["recording"] !== null) {
        out.push(meta["recording"] as Record<string, unknown>);
      }
    } catch {
      /* not one of ours, or being replaced right now */
    }
  }
  return out.sort((a, b) => Number(b["started_at"] ?? 0) - Number(a["started_at"] ?? 0));
}
