/**
 * @module The disk side of a device's recordings: the default session name, metadata files
 * replaced atomically (or in place when the disk is full), and the files a start created, so that
 * a start that fails part-way, or a recording that never got a sample, removes exactly those.
 */
import type { RecordingStore } from "../ports/recording-store.ts";

/** `rec-20261201T214012Z`: the UTC start time, valid as a session name. */
export function defaultName(nowMs: number, deviceId: string | undefined): string {
  const name = `rec-${new Date(nowMs).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
  return deviceId === undefined ? name : `${deviceId}-${name}`;
}

/** A view of `store` that notes every file it creates (never one that already existed: creation is exclusive). */
export function trackingCreates(
  store: RecordingStore,
): { store: RecordingStore; created: string[] } {
  const created: string[] = [];
  const tracked: RecordingStore = {
    dir: store.dir,
    ensureDir: () => store.ensureDir(),
    create: async (name) => {
      const file = await store.create(name);
      created.push(name);
      return file;
    },
    open: (name) => store.open(name),
    list: () => store.list(),
    read: (name) => store.read(name),
    openDownload: (name) => store.openDownload(name),
    readText: (name) => store.readText(name),
    writeJson: (name, value) => store.writeJson(name, value),
    remove: (name) => store.remove(name),
    probeWritable: () => store.probeWritable(),
  };
  return { store: tracked, created };
}

/** Removes every file in `names`; resolves with the failures as text (none: empty). */
export async function removeFiles(
  store: RecordingStore,
  names: readonly string[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const name of names) {
    try {
      await store.remove(name);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  return problems;
}

/**
 * Replaces a metadata file atomically; when that fails (a full disk has no room for the temporary
 * copy), rewrites it in place: the new text usually fits the blocks the old one has.
 */
export async function writeMetadataFile(
  store: RecordingStore,
  name: string,
  value: unknown,
): Promise<void> {
  try {
    await store.writeJson(name, value);
  } catch (e) {
    const bytes = new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
    let file;
    try {
      file = await store.open(name);
    } catch {
      throw e;
    }
    try {
      await file.writeAt(0, bytes);
      await file.truncate(bytes.length);
      await file.sync();
    } finally {
      await file.close().catch(() => {});
    }
  }
}
