/**
 * @module The fixed-width ASCII header of our BDF+C and EDF+C files (docs/protocol/bridge-api.md §4.1) and the
 * two variants' numbers: 256 bytes for the file, then 256 per signal (14 data signals and one
 * annotation signal), every field left-aligned and padded with spaces.
 */
import type { Patch, RecordingInfo } from "./types.ts";
import { SIGNAL_LABELS } from "./types.ts";

/** Samples per data record of each data signal: 1-s records at the device's 500 Hz. */
export const SAMPLES_PER_RECORD = 500;
/** Data signals before the annotation signal: Ch1…Ch12, REF, DRL. */
export const DATA_SIGNALS = SIGNAL_LABELS.length;
/** Bytes of the annotation signal in each record: room for about thirty short TALs. */
export const ANNOTATION_BYTES = 768;
/** Where the "number of data records" field starts (8 bytes), written as -1 until the end. */
export const RECORD_COUNT_OFFSET = 236;

/** What differs between BDF+ and EDF+: sample width, ranges and names. */
export interface EdfVariant {
  readonly format: "bdf" | "edf";
  readonly bytesPerSample: 2 | 3;
  readonly digitalMin: number;
  readonly digitalMax: number;
  /**
   * Physical limits exactly as written: text, because their ratio to the digital range is the
   * scale every reader applies, and a rounded limit would shift every value.
   */
  readonly physicalMin: string;
  readonly physicalMax: string;
  /** µV per digital count: (physicalMax − physicalMin) / (digitalMax − digitalMin). */
  readonly uvPerCount: number;
  readonly annotationLabel: string;
  readonly annotationDigitalMin: number;
  readonly annotationDigitalMax: number;
  /** Whether the start of a run of clipped values is annotated (`lead_off ch<k>`). */
  readonly annotateClipping: boolean;
}

/**
 * BDF+C: 24-bit counts, 0.023842 µV each, the device's own ADC resolution, so integer counts are
 * stored losslessly. The ±8000000 range leaves out only the lead-off sentinel 8388607.
 */
export const BDF: EdfVariant = {
  format: "bdf",
  bytesPerSample: 3,
  digitalMin: -8000000,
  digitalMax: 8000000,
  physicalMin: "-190736",
  physicalMax: "190736",
  uvPerCount: 0.023842,
  annotationLabel: "BDF Annotations",
  annotationDigitalMin: -8388608,
  annotationDigitalMax: 8388607,
  annotateClipping: true,
};

/**
 * EDF+C: 16-bit counts of 0.1 µV, ±3.2767 mV. Raw electrode offsets can exceed that range, so
 * clipping is routine here and only counted, never annotated (it would flood the annotations).
 */
export const EDF: EdfVariant = {
  format: "edf",
  bytesPerSample: 2,
  digitalMin: -32767,
  digitalMax: 32767,
  physicalMin: "-3276.7",
  physicalMax: "3276.7",
  uvPerCount: 0.1,
  annotationLabel: "EDF Annotations",
  annotationDigitalMin: -32768,
  annotationDigitalMax: 32767,
  annotateClipping: false,
};

/** Samples of the annotation signal per record (its bytes are read as samples of the variant's width). */
export function annotationSamples(v: EdfVariant): number {
  return ANNOTATION_BYTES / v.bytesPerSample;
}

/** Bytes of one data record: every data signal's samples, then the annotation signal. */
export function recordBytes(v: EdfVariant): number {
  return DATA_SIGNALS * SAMPLES_PER_RECORD * v.bytesPerSample + ANNOTATION_BYTES;
}

/** Header bytes for `signals` signals (the annotation signal included). */
export function headerBytes(signals: number): number {
  return 256 * (signals + 1);
}

/** The patch that sets the number of data records once it is known. */
export function recordCountPatch(records: number): Patch {
  if (!Number.isInteger(records) || records < 0 || records > 99_999_999) {
    throw new RangeError(
      `Cannot write record count "${records}": it must be an integer 0…99999999`,
    );
  }
  return { offset: RECORD_COUNT_OFFSET, bytes: field(String(records), 8) };
}

// --- text fields ---

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/** Printable ASCII only; EDF+ subfields are separated by spaces, so spaces inside one become `_`. */
export function subfield(text: string, fallback = "X"): string {
  const cleaned = text.trim().replace(/[^\x21-\x7e]/g, "_");
  return cleaned === "" ? fallback : cleaned;
}

function field(text: string, width: number): Uint8Array {
  if (text.length > width) {
    throw new RangeError(`Cannot fit "${text}" in a ${width}-character header field`);
  }
  const out = new Uint8Array(width).fill(0x20);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      throw new RangeError(`Cannot write "${text}" in a header: not printable ASCII`);
    }
    out[i] = code;
  }
  return out;
}

const two = (n: number): string => String(n).padStart(2, "0");

/** The 80-character patient field: unknown code, sex and birthdate, then the subject as name. */
export function patientField(subject: string): string {
  return `X X X ${subfield(subject)}`.slice(0, 80);
}

/**
 * The 80-character recording field: start date, unknown admin code, technician and equipment,
 * then the session name (cut to fit: the file name carries it in full).
 */
export function recordingField(startMs: number, sessionName: string): string {
  const d = new Date(startMs);
  const date = `${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
  return `Startdate ${date} X X X ${subfield(sessionName)}`.slice(0, 80);
}

/**
 * Start date `dd.mm.yy` and time `hh.mm.ss` in UTC, truncated to the second. Years outside
 * 1985–2084 cannot be told apart in two digits, so EDF+ writes `yy` and relies on the
 * recording field's four-digit year.
 */
export function startDateTime(startMs: number): { date: string; time: string } {
  if (!Number.isFinite(startMs)) throw new RangeError(`Cannot date a recording at "${startMs}" ms`);
  const d = new Date(Math.floor(startMs / 1000) * 1000);
  const year = d.getUTCFullYear();
  const yy = year >= 1985 && year <= 2084 ? two(year % 100) : "yy";
  return {
    date: `${two(d.getUTCDate())}.${two(d.getUTCMonth() + 1)}.${yy}`,
    time: `${two(d.getUTCHours())}.${two(d.getUTCMinutes())}.${two(d.getUTCSeconds())}`,
  };
}

// --- the header ---

interface SignalFields {
  label: string;
  transducer: string;
  dimension: string;
  physicalMin: string;
  physicalMax: string;
  digitalMin: string;
  digitalMax: string;
  prefiltering: string;
  samples: string;
}

/** Per-signal fields in header order, with their widths. */
const SIGNAL_FIELDS: ReadonlyArray<[keyof SignalFields, number]> = [
  ["label", 16],
  ["transducer", 80],
  ["dimension", 8],
  ["physicalMin", 8],
  ["physicalMax", 8],
  ["digitalMin", 8],
  ["digitalMax", 8],
  ["prefiltering", 80],
  ["samples", 8],
];

function signals(v: EdfVariant): SignalFields[] {
  // REF and DRL share the channels' range and scale: the device sends them unscaled, so their
  // "µV" is the device's own unit; one scale keeps every data signal read the same way.
  const data = SIGNAL_LABELS.map((label): SignalFields => ({
    label,
    transducer: "AgAgCl electrode",
    dimension: "uV",
    physicalMin: v.physicalMin,
    physicalMax: v.physicalMax,
    digitalMin: String(v.digitalMin),
    digitalMax: String(v.digitalMax),
    prefiltering: "", // the headset does not document its analogue filters
    samples: String(SAMPLES_PER_RECORD),
  }));
  const annotations: SignalFields = {
    label: v.annotationLabel,
    transducer: "",
    dimension: "",
    physicalMin: "-1",
    physicalMax: "1",
    digitalMin: String(v.annotationDigitalMin),
    digitalMax: String(v.annotationDigitalMax),
    prefiltering: "",
    samples: String(annotationSamples(v)),
  };
  return [...data, annotations];
}

/**
 * The whole header of a new file: record count -1 (patched by `recordCountPatch` at the end),
 * 1-s records, start date and time from `info.startMs` in UTC truncated to the second.
 */
export function buildHeader(v: EdfVariant, info: RecordingInfo): Uint8Array {
  const sigs = signals(v);
  const ns = sigs.length;
  const out = new Uint8Array(headerBytes(ns));
  let at = 0;
  const put = (text: string, width: number): void => {
    out.set(field(text, width), at);
    at += width;
  };
  const { date, time } = startDateTime(info.startMs);
  if (v.format === "bdf") {
    out[0] = 0xff; // BDF's version: one 0xFF byte, then "BIOSEMI"
    out.set(field("BIOSEMI", 7), 1);
    at = 8;
  } else {
    put("0", 8);
  }
  put(patientField(info.subject), 80);
  put(recordingField(info.startMs, info.sessionName), 80);
  put(date, 8);
  put(time, 8);
  put(String(out.length), 8);
  put(v.format === "bdf" ? "BDF+C" : "EDF+C", 44);
  put("-1", 8);
  put("1", 8);
  put(String(ns), 4);
  for (const [key, width] of SIGNAL_FIELDS) for (const s of sigs) put(s[key], width);
  for (let i = 0; i < ns; i++) put("", 32);
  return out;
}
