/**
 * @module Test support: an EDF/BDF reader written from the EDF+ specification, independent of
 * src/recording (it shares no constant with the writer), plus a SampleBlock builder.
 */
import type { SampleBlock } from "../../src/core/samples.ts";
import type { Annotation, FormatWriter, Patch, RecordingInfo } from "../../src/recording/types.ts";

export interface ParsedSignal {
  label: string;
  transducer: string;
  dimension: string;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  prefiltering: string;
  samplesPerRecord: number;
  reserved: string;
  /** The raw text of the physical limits, for exactness checks. */
  physicalMinText: string;
  physicalMaxText: string;
}

export interface ParsedTal {
  onset: number;
  duration: number | null;
  texts: string[];
}

export interface ParsedFile {
  versionBytes: Uint8Array;
  patient: string;
  recording: string;
  startDate: string;
  startTime: string;
  headerBytes: number;
  reserved: string;
  records: number;
  recordDuration: number;
  signals: ParsedSignal[];
  bytesPerSample: number;
  /** Digital values per data signal, all records concatenated. */
  digital: Int32Array[];
  /** TALs per record, in order. */
  tals: ParsedTal[][];
}

const latin1 = (b: Uint8Array, at: number, n: number): string =>
  String.fromCharCode(...b.subarray(at, at + n));
const num = (text: string): number => {
  const t = text.trim();
  if (!/^[+-]?\d+(\.\d+)?$/.test(t)) throw new Error(`not a number: "${text}"`);
  return Number(t);
};

/** Splits one record's annotation bytes into TALs (stops at the zero padding). */
export function parseTals(bytes: Uint8Array): ParsedTal[] {
  const out: ParsedTal[] = [];
  let at = 0;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  while (at < bytes.length && bytes[at] !== 0) {
    const end = bytes.indexOf(0, at);
    if (end < 0) throw new Error("TAL without its trailing 0x00");
    const tal = bytes.subarray(at, end);
    const first = tal.indexOf(0x14);
    if (first < 0 || tal[tal.length - 1] !== 0x14) throw new Error("TAL without 0x14 separators");
    const head = latin1(tal, 0, first);
    const [onsetText, durationText] = head.split("\x15");
    if (!/^[+-]\d+(\.\d+)?$/.test(onsetText!)) throw new Error(`bad onset "${onsetText}"`);
    if (durationText !== undefined && !/^\d+(\.\d+)?$/.test(durationText)) {
      throw new Error(`bad duration "${durationText}"`);
    }
    const texts = decoder.decode(tal.subarray(first + 1, tal.length - 1)).split("\x14");
    out.push({
      onset: Number(onsetText),
      duration: durationText === undefined ? null : Number(durationText),
      texts,
    });
    at = end + 1;
  }
  for (let i = at; i < bytes.length; i++) {
    if (bytes[i] !== 0) throw new Error("bytes after the TALs are not zero");
  }
  return out;
}

/** Reads a whole file. The record count comes from the file length when the header says -1. */
export function parseEdf(file: Uint8Array): ParsedFile {
  const isBdf = file[0] === 0xff;
  const ns = num(latin1(file, 252, 4));
  const signals: ParsedSignal[] = Array.from({ length: ns }, () => ({}) as ParsedSignal);
  let at = 256;
  const column = (width: number, set: (s: ParsedSignal, text: string) => void): void => {
    for (const s of signals) {
      set(s, latin1(file, at, width));
      at += width;
    }
  };
  column(16, (s, t) => (s.label = t));
  column(80, (s, t) => (s.transducer = t));
  column(8, (s, t) => (s.dimension = t));
  column(8, (s, t) => ((s.physicalMinText = t), (s.physicalMin = num(t))));
  column(8, (s, t) => ((s.physicalMaxText = t), (s.physicalMax = num(t))));
  column(8, (s, t) => (s.digitalMin = num(t)));
  column(8, (s, t) => (s.digitalMax = num(t)));
  column(80, (s, t) => (s.prefiltering = t));
  column(8, (s, t) => (s.samplesPerRecord = num(t)));
  column(32, (s, t) => (s.reserved = t));
  const headerBytes = num(latin1(file, 184, 8));
  if (at !== headerBytes) throw new Error(`header is ${at} bytes, field says ${headerBytes}`);
  const bps = isBdf ? 3 : 2;
  const perRecord = signals.reduce((a, s) => a + s.samplesPerRecord, 0) * bps;
  const declared = num(latin1(file, 236, 8));
  const records = declared >= 0 ? declared : Math.floor((file.length - headerBytes) / perRecord);
  if (headerBytes + records * perRecord !== file.length) {
    throw new Error(
      `file is ${file.length} bytes, ${records} records need ${headerBytes + records * perRecord}`,
    );
  }
  const annotationIndex = signals.findIndex((s) => s.label.trim().endsWith("Annotations"));
  const digital: Int32Array[] = [];
  const tals: ParsedTal[][] = [];
  for (let s = 0; s < ns; s++) {
    if (s !== annotationIndex) {
      digital.push(new Int32Array(records * signals[s]!.samplesPerRecord));
    }
  }
  for (let r = 0; r < records; r++) {
    let p = headerBytes + r * perRecord;
    let d = 0;
    for (let s = 0; s < ns; s++) {
      const n = signals[s]!.samplesPerRecord;
      if (s === annotationIndex) {
        tals.push(parseTals(file.subarray(p, p + n * bps)));
      } else {
        const out = digital[d++]!;
        for (let i = 0; i < n; i++) {
          const o = p + i * bps;
          const value = isBdf
            ? ((file[o]! | (file[o + 1]! << 8) | (file[o + 2]! << 16)) << 8) >> 8 // sign-extend 24 bits
            : ((file[o]! | (file[o + 1]! << 8)) << 16) >> 16;
          out[r * n + i] = value;
        }
      }
      p += n * bps;
    }
  }
  return {
    versionBytes: file.slice(0, 8),
    patient: latin1(file, 8, 80),
    recording: latin1(file, 88, 80),
    startDate: latin1(file, 168, 8),
    startTime: latin1(file, 176, 8),
    headerBytes,
    reserved: latin1(file, 192, 44),
    records: declared,
    recordDuration: num(latin1(file, 244, 8)),
    signals,
    bytesPerSample: bps,
    digital,
    tals,
  };
}

/** Physical value of a digital one, as a reader computes it from the header. */
export function physical(s: ParsedSignal, d: number): number {
  const scale = (s.physicalMax - s.physicalMin) / (s.digitalMax - s.digitalMin);
  return s.physicalMin + (d - s.digitalMin) * scale;
}

/** Every non-time-keeping annotation of a file, flattened. */
export function annotationsOf(
  f: ParsedFile,
): Array<{ onset: number; duration: number | null; text: string; record: number }> {
  const out: Array<{ onset: number; duration: number | null; text: string; record: number }> = [];
  f.tals.forEach((list, record) => {
    list.forEach((tal, i) => {
      if (i === 0) return; // the time-keeping TAL
      for (const text of tal.texts) {
        if (text !== "") out.push({ onset: tal.onset, duration: tal.duration, text, record });
      }
    });
  });
  return out;
}

/** Concatenates a header and chunks into one file image. */
export function joinBytes(parts: Array<Uint8Array | null>): Uint8Array {
  const list = parts.filter((p): p is Uint8Array => p !== null);
  const out = new Uint8Array(list.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of list) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A SampleBlock of `seqs.length` samples; `value(seq, signal)` gives µV for signals 0–11 and the
 * REF (12) and DRL (13) values.
 */
export function makeBlock(
  seqs: number[],
  value: (seq: number, signal: number) => number,
): SampleBlock {
  const n = seqs.length;
  const channels = new Float64Array(n * 12);
  const ref = new Float64Array(n);
  const drl = new Float64Array(n);
  seqs.forEach((s, i) => {
    for (let c = 0; c < 12; c++) channels[i * 12 + c] = value(s, c);
    ref[i] = value(s, 12);
    drl[i] = value(s, 13);
  });
  return {
    count: n,
    seq: Float64Array.from(seqs),
    counter: Uint8Array.from(seqs, (s) => s & 0xff),
    time: Float64Array.from(seqs, (s) => 1_700_000_000 + s / 500),
    ref,
    drl,
    channels,
    leadOff: new Uint16Array(n),
    nonFinite: new Uint16Array(n),
    featureStatus: new Uint8Array(n),
    arrivalMs: 0,
    gaps: [],
    duplicates: 0,
  };
}

/** seq values from `from` to `to` (exclusive). */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

/** What a test feeds a writer through: every `samples()` is followed by a `take()`, as the recorder does. */
export interface Feed {
  samples(block: SampleBlock): void;
  annotate(annotation: Annotation): void;
  readonly writer: FormatWriter;
}

/** A recording as the recorder would make it: header, every `take()`, then the tail and patches applied. */
export function runWriter(
  writer: FormatWriter,
  info: RecordingInfo,
  feed: (f: Feed) => void,
  lastSeq?: number,
): { file: Uint8Array; unpatched: Uint8Array; figures: Record<string, number>; patches: Patch[] } {
  const parts: Array<Uint8Array | null> = [writer.start(info)];
  feed({
    writer,
    samples(block) {
      writer.samples(block);
      parts.push(writer.take());
    },
    annotate: (a) => writer.annotate(a),
  });
  parts.push(writer.take());
  const { tail, patches } = writer.finish(lastSeq);
  parts.push(tail);
  const unpatched = joinBytes(parts);
  const file = unpatched.slice();
  for (const p of patches) file.set(p.bytes, p.offset);
  return { file, unpatched, figures: writer.figures(), patches };
}

/** The info every test records with (start at a whole second, seq 0). */
export function testInfo(overrides: Partial<RecordingInfo> = {}): RecordingInfo {
  return {
    sessionName: "test",
    startMs: Date.UTC(2025, 0, 2, 3, 4, 5, 250),
    firstSeq: 0,
    subject: "",
    sessionLabel: "",
    notes: "",
    deviceName: "simulated MW75",
    deviceAddress: null,
    synthetic: true,
    bridgeVersion: "test",
    ...overrides,
  };
}
