/**
 * @module Start-up finalisation of recordings a crash or SIGKILL left open (BRIDGE-API §4.1): every
 * metadata file still saying `recording` has its EDF/BDF files given the record count they
 * really hold (a record cut short by the crash is cut off) and is marked `recovered`. Nothing
 * else is touched: CSV, raw and events files keep every byte written.
 */
import type { Logger } from "../core/ports.ts";
import { planEdfRecovery } from "./edf-recovery.ts";
import type { RecordingFile, RecordingStore } from "./store.ts";

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
    let meta: Record<string, unknown>;
    try {
      meta = JSON.parse(await store.readText(f.name)) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (meta["state"] !== "recording") continue;
    const name = String(meta["session_name"] ?? f.name.replace(/\.json$/, ""));
    const notes: string[] = [];
    for (const entry of (meta["files"] as Array<{ name: string; format: string }> | undefined) ?? []) {
      if (entry.format !== "bdf" && entry.format !== "edf") continue;
      try {
        notes.push(await finalise(store, entry.name));
      } catch (e) {
        notes.push(`${entry.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const sizes = new Map((await store.list()).map((x) => [x.name, x.bytes] as const));
    const listed = (meta["files"] as Array<{ name: string; bytes: number }> | undefined) ?? [];
    const recording: Record<string, unknown> = { ...(meta["recording"] as Record<string, unknown> | undefined), state: "stopped", recovered: true };
    recording["files"] = listed.map((x) => ({ ...x, bytes: sizes.get(x.name) ?? x.bytes }));
    await store.writeJson(f.name, {
      ...meta,
      state: "recovered",
      files: recording["files"],
      failure_reason: `finalised at start-up after an unclean stop: ${notes.join("; ") || "no EDF/BDF files"}`,
      recording,
    });
    log.log("INFO", `Recording ${name} was left open by an unclean stop; finalised (${notes.join("; ") || "nothing to repair"})`);
    recovered.push(name);
  }
  return recovered;
}

async function finalise(store: RecordingStore, name: string): Promise<string> {
  const bytes = await store.read(name);
  const plan = planEdfRecovery(bytes, bytes.length);
  if (!plan.ok) return `${name}: left as it is (${plan.reason})`;
  const file = await store.open(name);
  try {
    await file.writeAt(plan.patch.offset, plan.patch.bytes);
    if (plan.truncateTo < bytes.length) await file.truncate(plan.truncateTo);
    await file.sync();
  } finally {
    await file.close();
  }
  const cut = bytes.length - plan.truncateTo;
  return `${name}: ${plan.records} records${cut > 0 ? `, ${cut} bytes of an unfinished record cut` : ""}`;
}

/** A recording that failed mid-way keeps what was written: an EDF/BDF header gets the count of complete records. */
export async function repairAfterFailure(format: string, header: Uint8Array, file: RecordingFile): Promise<void> {
  if (format !== "bdf" && format !== "edf") return;
  const plan = planEdfRecovery(header, file.bytes);
  if (!plan.ok) return;
  await file.writeAt(plan.patch.offset, plan.patch.bytes);
  if (plan.truncateTo < file.bytes) await file.truncate(plan.truncateTo);
}
