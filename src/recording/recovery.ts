/**
 * @module Start-up finalisation of recordings a crash or SIGKILL left open (docs/protocol/bridge-api.md §4.1): every
 * metadata file still saying `recording` has its EDF/BDF files given the record count they
 * really hold (a record cut short by the crash is cut off) and is marked `recovered`, with the
 * counts of the repaired files (the metadata was last written at the first sample: all zeros).
 * Nothing else is touched: CSV, raw and events files keep every byte written.
 */
import type { Logger } from "../ports/logger.ts";
import { csvRowFigures } from "./csv-rows.ts";
import { planEdfRecovery } from "./edf-recovery.ts";
import { recoveredFigures } from "./recovered-figures.ts";
import type { RecoveredFigures } from "./recovered-figures.ts";
import type { RecordingMetadata } from "./metadata.ts";
import { recoveredObject } from "./recording-object.ts";
import type { RecordingObject } from "./recording-object.ts";
import type { RecordingFile, RecordingStore } from "../ports/recording-store.ts";

/** A metadata file as read back: any field may be missing (a file cut short, or not ours). */
type StoredMetadata = Partial<RecordingMetadata> & { recording?: RecordingObject };

/** Finalises what needs it; resolves with the session names it recovered. Never throws. */
export async function recoverRecordings(store: RecordingStore, log: Logger): Promise<string[]> {
  let files;
  try {
    files = await store.list();
  } catch {
    return []; // no recordings directory yet: nothing to recover
  }
  const recovered: string[] = [];
  for (const f of files.filter((x) => x.name.endsWith(".json"))) {
    let meta: StoredMetadata;
    try {
      meta = JSON.parse(await store.readText(f.name)) as StoredMetadata;
    } catch {
      continue;
    }
    if (meta.state !== "recording" && meta.state !== "paused") continue; // a crash while paused too
    const name = String(meta.session_name ?? f.name.replace(/\.json$/, ""));
    const notes: string[] = [];
    let records: number | null = null;
    const entries = meta.files ?? [];
    for (const entry of entries) {
      if (entry.format !== "bdf" && entry.format !== "edf") continue;
      try {
        const done = await finalise(store, entry.name);
        notes.push(done.note);
        if (done.records !== null) records = Math.min(records ?? Infinity, done.records);
      } catch (e) {
        notes.push(`${entry.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const figures = await figuresOf(store, entries, Number(meta.first_seq ?? 0), records);
    const sizes = new Map((await store.list()).map((x) => [x.name, x.bytes] as const));
    const files = entries.map((x) => ({ ...x, bytes: sizes.get(x.name) ?? x.bytes }));
    const recording = recoveredObject(meta.recording, figures, files);
    await store.writeJson(f.name, {
      ...meta,
      ...(figures !== null ? { ...figures, packets: figures.samples } : {}),
      state: "recovered",
      files,
      failure_reason: `finalised at start-up after an unclean stop: ${
        notes.join("; ") || "no EDF/BDF files"
      }`,
      recording,
    });
    log.log(
      "INFO",
      `Recording ${name} was left open by an unclean stop; finalised (${
        notes.join("; ") || "nothing to repair"
      })`,
    );
    recovered.push(name);
  }
  return recovered;
}

/** The counts of the repaired files (null when none tells the span); never throws. */
async function figuresOf(
  store: RecordingStore,
  entries: ReadonlyArray<{ name: string; format: string }>,
  firstSeq: number,
  records: number | null,
): Promise<RecoveredFigures | null> {
  const events = entries.find((e) => e.format === "events");
  const eventsText = events === undefined
    ? null
    : await store.readText(events.name).catch(() => null);
  const data = entries.find((e) => e.format === "csv");
  let csv: { rows: number; lastSeq: number } | null = null;
  if (records === null && data !== undefined) {
    // only without EDF/BDF: the data CSV is the largest file (hours of it outgrow one string), counted in chunks
    const counted = await csvRowsOf(store, data.name);
    if (counted !== null) csv = { rows: counted.rows, lastSeq: counted.lastSeq ?? firstSeq - 1 };
  }
  return recoveredFigures({ firstSeq, records, csv, events: eventsText });
}

async function csvRowsOf(
  store: RecordingStore,
  name: string,
): Promise<{ rows: number; lastSeq: number | null } | null> {
  try {
    const file = await store.openDownload(name);
    try {
      return await csvRowFigures(file);
    } finally {
      await file.close();
    }
  } catch {
    return null;
  }
}

async function finalise(
  store: RecordingStore,
  name: string,
): Promise<{ note: string; records: number | null }> {
  const bytes = await store.read(name);
  const plan = planEdfRecovery(bytes, bytes.length);
  if (!plan.ok) return { note: `${name}: left as it is (${plan.reason})`, records: null };
  const file = await store.open(name);
  try {
    await file.writeAt(plan.patch.offset, plan.patch.bytes);
    if (plan.truncateTo < bytes.length) await file.truncate(plan.truncateTo);
    await file.sync();
  } finally {
    await file.close();
  }
  const cut = bytes.length - plan.truncateTo;
  return {
    note: `${name}: ${plan.records} records${
      cut > 0 ? `, ${cut} bytes of an unfinished record cut` : ""
    }`,
    records: plan.records,
  };
}

/** A recording that failed mid-way keeps what was written: an EDF/BDF header gets the count of complete records. */
export async function repairAfterFailure(
  format: string,
  header: Uint8Array,
  file: RecordingFile,
): Promise<void> {
  if (format !== "bdf" && format !== "edf") return;
  const plan = planEdfRecovery(header, file.bytes);
  if (!plan.ok) return;
  await file.writeAt(plan.patch.offset, plan.patch.bytes);
  if (plan.truncateTo < file.bytes) await file.truncate(plan.truncateTo);
}
