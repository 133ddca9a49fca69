/**
 * @module The identity check's reduction of stream messages to what must not change: one text
 * unit per sample (and per batch or frame header), host-time fields and fresh message ids left out,
 * numbers as their exact JSON text, binary values as their exact IEEE bytes.
 */
import { canonical, isObject, member, numText, parseRaw } from "./identity-json.ts";
import type { Json } from "./identity-json.ts";

/** One reduced stream or file: its units in order, and the samples (rows, bytes) they hold. */
export class StreamLog {
  readonly units: string[] = [];
  samples = 0;
  /** Seq of the first and the last sample seen (streams only). */
  firstSeq: number | null = null;
  lastSeq: number | null = null;
  constructor(readonly name: string, readonly counts = "samples") {}
}

// fresh per-message UUIDs and host (or host-fitted sample clock) times
const EEG_DATA_DROP = new Set(["id", "data.timestamp"]);
const BATCH_HEADER_DROP = new Set(["timestamps", "counters", "ref", "drl", "channels"]);
const EVENT_DROP = new Set([
  "id",
  "data.timestamp",
  "data.recording.started_at",
  "data.recording.stopped_at",
]);

/** An `eeg_data` message: the whole message but its id and chunk arrival time. */
export function reduceEegData(text: string, log: StreamLog): void {
  const msg = parseRaw(text);
  log.units.push(canonical(msg, EEG_DATA_DROP));
  log.samples++;
  log.lastSeq = Number(numText(member(member(msg, "data"), "seq")));
  log.firstSeq ??= log.lastSeq;
}

/** An `event` message: everything but its id, its timestamp and the recording's host times. */
export function reduceEvent(text: string, log: StreamLog): void {
  log.units.push(canonical(parseRaw(text), EVENT_DROP));
  log.samples++;
}

const list = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);

/**
 * A JSON `eeg_batch`: a header unit (first_seq, count, rate, decimate, lead_off, device_id) and
 * one unit per sample with its seq, counter, REF, DRL and channel values as written.
 */
export function reduceJsonBatch(text: string, log: StreamLog): void {
  const data = member(parseRaw(text), "data");
  if (data === undefined) throw new Error(`eeg_batch without data: ${text.slice(0, 200)}`);
  log.units.push(`batch ${canonical(data, BATCH_HEADER_DROP)}`);
  const first = Number(numText(member(data, "first_seq")));
  const decimate = Number(numText(member(data, "decimate")));
  const n = Number(numText(member(data, "count")));
  const counters = list(member(data, "counters"));
  const ref = list(member(data, "ref"));
  const drl = list(member(data, "drl"));
  const chans = member(data, "channels");
  const channels = isObject(chans) ? chans.entries : [];
  const lengths = [counters, ref, drl, ...channels.map(([, v]) => list(v))].map((a) => a.length);
  if (lengths.some((l) => l !== n)) log.units.push(`MALFORMED arrays of ${lengths} for count ${n}`);
  const at = (a: Json[], i: number): string => (a[i] === undefined ? "-" : canonical(a[i]!));
  for (let i = 0; i < n; i++) {
    let unit = `seq=${first + i * decimate} counter=${at(counters, i)} ref=${at(ref, i)} drl=${
      at(drl, i)
    }`;
    for (const [key, values] of channels) unit += ` ${key}=${at(list(values), i)}`;
    log.units.push(unit);
  }
  log.samples += n;
  if (n > 0) log.lastSeq = first + (n - 1) * decimate;
  log.firstSeq ??= first;
}

const hex = (b: Uint8Array, from: number, to: number): string =>
  Array.from(b.subarray(from, to), (x) => x.toString(16).padStart(2, "0")).join("");

/**
 * A binary `eeg_batch` frame (docs/binary-frames.md): a header unit with every header byte but
 * t0 (bytes 24–31), and one unit per sample with each f32 as its 4 bytes (and its value, to read
 * a difference) and the lead-off mask.
 */
export function reduceFrame(frame: ArrayBuffer, log: StreamLog): void {
  const b = new Uint8Array(frame);
  const view = new DataView(frame);
  if (b.length < 36) {
    log.units.push(`SHORT frame ${hex(b, 0, b.length)}`);
    return;
  }
  log.units.push(`frame ${hex(b, 0, 24)} ${hex(b, 32, 36)}`);
  const c = b[6]!;
  const planes = c + ((b[7]! & 1) !== 0 ? 2 : 0);
  const n = view.getUint32(8, true);
  const rate = view.getFloat32(12, true);
  const first = view.getFloat64(16, true);
  const mask = view.getUint16(32, true);
  const decimate = Math.round(500 / rate);
  const labels: string[] = [];
  for (let k = 0; k < 12; k++) if ((mask & (1 << k)) !== 0) labels.push(`ch${k + 1}`);
  if ((b[7]! & 1) !== 0) labels.push("ref", "drl");
  const leadOffAt = 36 + 4 * planes * n;
  if (labels.length !== planes || b.length !== leadOffAt + 2 * n) {
    log.units.push(`MALFORMED frame of ${b.length} bytes: ${planes} planes, N ${n}`);
    return;
  }
  for (let i = 0; i < n; i++) {
    let unit = `seq=${first + i * decimate}`;
    for (let p = 0; p < planes; p++) {
      const at = 36 + 4 * (p * n + i);
      unit += ` ${labels[p]}=${hex(b, at, at + 4)}/${view.getFloat32(at, true)}`;
    }
    unit += ` lead_off=${view.getUint16(leadOffAt + 2 * i, true).toString(16)}`;
    log.units.push(unit);
  }
  log.samples += n;
  if (n > 0) log.lastSeq = first + (n - 1) * decimate;
  log.firstSeq ??= first;
}
