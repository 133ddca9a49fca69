/** @module A recording's metadata file (`S.json`): what it holds at a given moment, and the recordings listed from those files. */
import { buildMetadata } from "./metadata.ts";
import type { RecordingMetadata } from "./metadata.ts";
import { recordingObject } from "./recording-object.ts";
import type { RecordingObject } from "./recording-object.ts";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { Recording, RecordingInfo } from "./types.ts";

/** The metadata file's JSON: the metadata, and the wire object so GET /recordings lists recordings from their files alone. */
export type MetadataFile = RecordingMetadata & { recording: RecordingObject };

/** The metadata of this moment; `info` is what the headers hold (with the first sample's time and seq once it came). */
export function metadataOf(r: Recording, info: RecordingInfo): MetadataFile {
  const { facts: c, figures: f } = r;
  const metadata = buildMetadata({
    info,
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
    files: f.files,
    figures: f.writerFigures,
    pauses: { count: f.pauses, samples: f.pausedSamples, recorded: f.recorded },
    ...(f.failure !== null ? { failureReason: f.failure } : {}),
  });
  return { ...metadata, recording: recordingObject(r) };
}

/** Recordings on disk: the objects of their metadata files, newest first. */
export async function listRecordings(store: RecordingStore): Promise<RecordingObject[]> {
  const files = (await store.list()).filter((f) => f.name.endsWith(".json"));
  const out: RecordingObject[] = [];
  for (const f of files) {
    try {
      const meta = JSON.parse(await store.readText(f.name)) as { recording?: unknown };
      if (typeof meta.recording === "object" && meta.recording !== null) {
        out.push(meta.recording as RecordingObject);
      }
    } catch {
      /* not one of ours, or being replaced right now */
    }
  }
  return out.sort((a, b) => Number(b.started_at ?? 0) - Number(a.started_at ?? 0));
}
