/**
 * @module What every recording format writer implements (BRIDGE-API §4.1): writers are pure
 * encoders — samples, raw bytes and annotations in, bytes out — and the recorder does the file
 * I/O, so each format streams in constant memory and is testable without a disk.
 */
import type { SampleBlock } from "../core/samples.ts";

/** The formats of §4.1. */
export type RecordingFormat = "bdf" | "edf" | "csv" | "raw";
export const RECORDING_FORMATS: readonly RecordingFormat[] = ["bdf", "edf", "csv", "raw"];

/** Channel labels in file order (EDF/BDF signals and CSV columns): Ch1…Ch12, then REF and DRL. */
export const SIGNAL_LABELS = [
  ...Array.from({ length: 12 }, (_, i) => `Ch${i + 1}`),
  "REF",
  "DRL",
] as const;

/** What a recording is about, fixed when it starts (headers are written from it). */
export interface RecordingInfo {
  sessionName: string;
  /** Unix ms of the first sample in the files (its sample-clock time). */
  startMs: number;
  /** Seq of the first sample in the files. */
  firstSeq: number;
  subject: string;
  sessionLabel: string;
  notes: string;
  /** e.g. "MW75 Neuro" or "simulated MW75"; and its address when known. */
  deviceName: string;
  deviceAddress: string | null;
  /** The bridge's id for the device (`sim-2`, `mw75-AABBCCDDEEFF`), when known. */
  deviceId?: string;
  synthetic: boolean;
  bridgeVersion: string;
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
  /** The bytes the file starts with (a header), or null. */
  start(info: RecordingInfo): Uint8Array | null;
  /** Consecutive samples; a seq jump is a gap the writer fills (EDF/BDF) or just shows (CSV). */
  samples(block: SampleBlock): void;
  /** The raw link bytes as they arrived (only the raw format uses them). */
  raw(bytes: Uint8Array): void;
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
  state: "recording" | "stopped" | "failed";
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
  files: Array<{ name: string; format: string; bytes: number }>;
  writerFigures: Record<string, Record<string, number>>;
}
