/**
 * @module What every recording format writer implements (docs/protocol/bridge-api.md §4.1): writers are pure
 * encoders — samples, raw bytes and annotations in, bytes out — and the recorder does the file
 * I/O, so each format streams in constant memory and is testable without a disk.
 */
import type { SampleBlock } from "../core/samples.ts";

import type { RecordingFormat } from "../protocol/recording-formats.ts";

// the format names are wire names (protocol/); recording code keeps importing them from here
export { RECORDING_FORMATS } from "../protocol/recording-formats.ts";
export type { RecordingFormat };

/** Channel labels in file order (EDF/BDF signals and CSV columns): Ch1…Ch12, then REF and DRL. */
export const SIGNAL_LABELS = [
  ...Array.from({ length: 12 }, (_, i) => `Ch${i + 1}`),
  "REF",
  "DRL",
] as const;

/**
 * What a recording is, fixed at its start: the one shape its headers, its metadata file and its
 * wire object are built from (recording-object.ts, metadata-file.ts), never copied field by field.
 */
export interface RecordingFacts {
  /** `rec-N`, unique within the bridge's run. */
  id: string;
  sessionName: string;
  formats: RecordingFormat[];
  subject: string;
  sessionLabel: string;
  notes: string;
  /** e.g. "MW75 Neuro" or "simulated MW75"; and its address when known. */
  deviceName: string;
  deviceAddress: string | null;
  /** The bridge's id for the device (`sim-2`, `mw75-AABBCCDDEEFF`), when known. */
  deviceId?: string;
  /** Source kind as configured, e.g. "mw75", "sim", "replay:FILE". */
  source: string;
  synthetic: boolean;
  bridgeVersion: string;
  /** Unix ms of the start command (the first sample comes later). */
  requestedAtMs: number;
}

/** A recording: what it is, what it holds now, and why its files were removed (no sample came), else null. */
export interface Recording {
  facts: RecordingFacts;
  figures: RecordingFigures;
  discarded: string | null;
}

/** What the headers are written from: the facts of the recording and its first sample. */
export type RecordingInfo =
  & Omit<RecordingFacts, "id" | "formats" | "source" | "requestedAtMs">
  & {
    /** Unix ms of the first sample in the files (its sample-clock time). */
    startMs: number;
    /** Seq of the first sample in the files. */
    firstSeq: number;
  };

/** A file of the recording. */
export interface RecordingFileEntry {
  name: string;
  format: RecordingFormat | "events" | "metadata";
  bytes: number;
}

/** A timed note in the file: a marker, a gap, a lead-off onset. */
export interface Annotation {
  /** Seconds from the first sample of the recording. */
  onsetS: number;
  durationS: number;
  text: string;
}

/** A header correction the recorder writes at `offset` when the recording ends (e.g. the record count). */
export interface Patch {
  offset: number;
  bytes: Uint8Array;
}

/** One format's encoder. Calls arrive in stream order; none of them does I/O. */
export interface FormatWriter {
  readonly format: RecordingFormat;
  /** File name extension without the dot. */
  readonly extension: string;
  /**
   * What `take()` yields is whole data records (EDF/BDF): each goes to the OS as soon as it is
   * complete, so what a crash can lose stays under a second. Others are taken on the flush timer.
   */
  readonly flushPerRecord: boolean;
  /** The bytes the file starts with (a header), or null. */
  start(info: RecordingInfo): Uint8Array | null;
  /** Consecutive samples; a seq jump is a gap the writer fills (EDF/BDF) or just shows (CSV). */
  samples(block: SampleBlock): void;
  /** The raw link bytes as they arrived (only the raw format uses them). */
  raw(bytes: Uint8Array): void;
  /**
   * The device connected again mid-recording (`connection` ≥ 2, at Unix ms `atMs`): the raw format
   * writes a boundary record so the file replays cleanly; the others ignore it.
   */
  reconnected(connection: number, atMs: number): void;
  /**
   * The recording resumes at `seq`: the samples before it that the file has not got were left out
   * on purpose (a pause) and take no room (EDF/BDF go on without a fill; a CSV shows the seq jump).
   */
  skip(seq: number): void;
  /** A timed annotation (EDF/BDF write it as a TAL; the others ignore it). */
  annotate(annotation: Annotation): void;
  /** Bytes encoded since the last call that may be appended now (EDF/BDF: whole data records only). */
  take(): Uint8Array | null;
  /**
   * Rewrites of bytes already handed over by `take()` (EDF/BDF: annotations re-sorted for a late
   * marker), to write at their offsets after what was taken; `finish()` returns the rest.
   */
  takePatches?(): Patch[];
  /** Samples held back because their data record is not complete yet (0 for the streaming formats). */
  readonly pendingSamples: number;
  /**
   * Ends the file: completes the last unit (EDF/BDF pad the last record, annotated) and returns
   * the remaining bytes and the header patches (e.g. the number of data records). `lastSeq`: the
   * seq the file must reach although its last samples were lost (EDF/BDF fill them as a gap).
   */
  finish(lastSeq?: number): { tail: Uint8Array | null; patches: Patch[] };
  /** Figures for the metadata, e.g. `{ clipped: 12, records: 20 }`. */
  figures(): Record<string, number>;
}

/** What a recording reports (the `recording` object of §4.1 is built from it). */
export interface RecordingFigures {
  state: "recording" | "paused" | "stopped" | "failed";
  failure: string | null;
  firstSeq: number | null;
  lastSeq: number | null;
  startMs: number | null;
  stoppedAtMs: number | null;
  samples: number;
  markers: number;
  gaps: number;
  /** Samples missing in the gaps (filled in EDF/BDF), and duplicate packets dropped. */
  lost: number;
  duplicates: number;
  /** Samples on the files' timeline: first to last written, paused ones left out (gaps are in it). */
  recorded: number;
  /** Pause commands that took effect, and the samples left out by pauses (the one under way up to now). */
  pauses: number;
  pausedSamples: number;
  files: RecordingFileEntry[];
  writerFigures: Record<string, Record<string, number>>;
}
