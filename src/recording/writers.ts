/** @module The format writers by format name: the one table a recording's writers are made from. */
import { createCsvWriter } from "./csv-writer.ts";
import { createBdfWriter, createEdfWriter } from "./edf-writer.ts";
import { createRawWriter } from "./raw-writer.ts";
import type { FormatWriter, RecordingFormat } from "./types.ts";

/** A fresh writer per format (each also names its file's extension). */
const WRITERS: Readonly<Record<RecordingFormat, () => FormatWriter>> = {
  bdf: createBdfWriter,
  edf: createEdfWriter,
  csv: createCsvWriter,
  raw: createRawWriter,
};

/** One fresh writer for each format, in the order given. */
export function createWriters(formats: readonly RecordingFormat[]): FormatWriter[] {
  return formats.map((f) => WRITERS[f]());
}

/** The names a recording in `formats` creates: one file per format, its metadata and its events sidecar. */
export function recordingFileNames(
  sessionName: string,
  formats: readonly RecordingFormat[],
): string[] {
  return [
    ...createWriters(formats).map((w) => `${sessionName}.${w.extension}`),
    `${sessionName}.json`,
    `${sessionName}_events.csv`,
  ];
}
