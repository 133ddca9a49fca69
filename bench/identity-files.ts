/**
 * @module The identity check's reduction of a recording's files: EDF/BDF without the header's
 * start date and time, the CSV without its Timestamp column, the metadata without its host
 * times; every sample value, annotation, row and raw byte kept.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { canonical, isObject, parseRaw } from "./identity-json.ts";
import { StreamLog } from "./identity-reduce.ts";

// host times of the metadata (the start command, the stop, the first sample's arrival)
const METADATA_DROP = new Set([
  "started_at",
  "started_at_unix",
  "stopped_at",
  "stopped_at_unix",
  "start_ms",
  "recording.started_at",
  "recording.stopped_at",
]);

const latin1 = (b: Uint8Array): string => Array.from(b, (x) => String.fromCharCode(x)).join("");

/**
 * EDF+/BDF+: the header with its start date (168–175), start time (176–183) and the recording
 * field's `Startdate dd-MMM-yyyy` blanked, then one unit per sample of each data signal (the
 * digital value) and one per record of the annotation signal (its exact bytes).
 */
export function reduceEdf(bytes: Uint8Array, width: 2 | 3, log: StreamLog): void {
  const head = latin1(bytes.subarray(0, 256));
  const ns = Number(head.slice(252, 256).trim());
  const headerLen = 256 * (ns + 1);
  const signals = latin1(bytes.subarray(256, headerLen));
  const field = (offset: number, width: number, i: number): string =>
    signals.slice(ns * offset + i * width, ns * offset + (i + 1) * width).trim();
  const labels = Array.from({ length: ns }, (_, i) => field(0, 16, i));
  // per-signal fields before "samples per record": 16+80+8+8+8+8+8+80 = 216 bytes each
  const perRecord = Array.from({ length: ns }, (_, i) => Number(field(216, 8, i)));
  const blanked = head.slice(0, 168).replace(
    /Startdate \d\d-[A-Z]{3}-\d{4}/,
    "Startdate XX-XXX-XXXX",
  ) + "XX.XX.XXXX.XX.XX" + head.slice(184);
  log.units.push(`header ${JSON.stringify(blanked + signals)}`);
  const recordLen = perRecord.reduce((a, n) => a + n * width, 0);
  const records = Math.floor((bytes.length - headerLen) / recordLen);
  const signed = (at: number): number => {
    if (width === 2) return (bytes[at]! | (bytes[at + 1]! << 8)) << 16 >> 16;
    return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) << 8 >> 8;
  };
  for (let r = 0; r < records; r++) {
    let at = headerLen + r * recordLen;
    for (let s = 0; s < ns; s++) {
      const n = perRecord[s]!;
      if (labels[s]!.endsWith("Annotations")) {
        log.units.push(
          `r${r} ${labels[s]} ${JSON.stringify(latin1(bytes.subarray(at, at + n * width)))}`,
        );
      } else {
        for (let i = 0; i < n; i++) {
          log.units.push(`r${r} ${labels[s]}[${i}] ${signed(at + i * width)}`);
        }
        if (s === 0) log.samples += n;
      }
      at += n * width;
    }
  }
  const tail = bytes.length - headerLen - records * recordLen;
  if (tail !== 0) log.units.push(`TAIL ${tail} bytes after the last whole record`);
}

/** The data CSV: every row without its Timestamp column (the sample clock's host time). */
export function reduceCsv(text: string, log: StreamLog): void {
  const lines = text.split("\n");
  const drop = lines[0]!.split(",").indexOf("Timestamp");
  lines.forEach((line, i) => {
    if (line === "" && i === lines.length - 1) return;
    const cells = line.split(",");
    if (drop >= 0) cells.splice(drop, 1);
    log.units.push(cells.join(","));
    if (i > 0) log.samples++;
  });
}

/** Raw bytes, in units of 63 (a packet's length; no alignment implied). */
export function reduceRaw(bytes: Uint8Array, log: StreamLog): void {
  for (let at = 0; at < bytes.length; at += 63) {
    const part = bytes.subarray(at, at + 63);
    log.units.push(`@${at} ${Array.from(part, (x) => x.toString(16).padStart(2, "0")).join("")}`);
  }
  log.samples = bytes.length;
}

/** The metadata JSON without host times, one unit per member. */
export function reduceMetadata(text: string, log: StreamLog): void {
  const v = parseRaw(text);
  if (!isObject(v)) {
    log.units.push(`NOT AN OBJECT ${text.slice(0, 200)}`);
    return;
  }
  for (const [k, x] of v.entries) {
    if (!METADATA_DROP.has(k)) log.units.push(`${k}=${canonical(x, METADATA_DROP, k)}`);
  }
}

/** Lines as they are (the events CSV: onsets count from the first sample, not host time). */
export function reduceLines(text: string, log: StreamLog, countsRows = true): void {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  log.units.push(...lines);
  if (countsRows) log.samples += Math.max(0, lines.length - 1);
}

/** Every file of session `name` in `dir`, reduced; a missing or unexpected file is a unit too. */
export async function reduceRecording(dir: string, name: string): Promise<StreamLog[]> {
  const present = new Set(await readdir(dir));
  const logs: StreamLog[] = [];
  const file = async (
    suffix: string,
    counts: string,
    reduce: (b: Uint8Array, log: StreamLog) => void,
  ) => {
    const log = new StreamLog(`file ${suffix}`, counts);
    const path = join(dir, `${name}${suffix}`);
    if (present.delete(`${name}${suffix}`)) reduce(new Uint8Array(await readFile(path)), log);
    else log.units.push("MISSING");
    logs.push(log);
  };
  const text = (b: Uint8Array): string => new TextDecoder().decode(b);
  await file(".bdf", "samples", (b, log) => reduceEdf(b, 3, log));
  await file(".edf", "samples", (b, log) => reduceEdf(b, 2, log));
  await file(".csv", "rows", (b, log) => reduceCsv(text(b), log));
  await file(".raw", "bytes", reduceRaw);
  await file("_events.csv", "rows", (b, log) => reduceLines(text(b), log));
  await file(".json", "members", (b, log) => {
    reduceMetadata(text(b), log);
    log.samples = log.units.length;
  });
  const others = new StreamLog("files other", "files");
  for (const f of [...present].sort()) others.units.push(f);
  others.samples = others.units.length;
  logs.push(others);
  return logs;
}
