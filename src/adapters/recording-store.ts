/**
 * @module The recordings directory (the port in src/ports/recording-store.ts) on node:fs/promises, the same under
 * Bun, Deno and Node: names checked safe, files created exclusively, metadata replaced
 * atomically, listings and downloads (recording-open.ts) that never follow a link out.
 */
import { lstat, mkdir, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { isSafeName, SAFE_NAME_RULE } from "../recording/safe-name.ts";
import type {
  RecordingFile,
  RecordingStore,
  StoredFile,
  StoreError,
} from "../ports/recording-store.ts";
import {
  openRecordingFileAt,
  osErrorCode,
  RecordingStoreError,
  storeError,
} from "./recording-file.ts";
import { downloadFile, NotServable, openChecked } from "./recording-open.ts";
import type { OpenRules } from "./recording-open.ts";

// --- the directory ---

/** The store over directory `dir` (created by `ensureDir`, not here). */
export function createRecordingStore(dir: string): RecordingStore {
  let tempCount = 0;

  /** The full path of a safe name; refuses anything else before touching the file system. */
  const pathOf = (name: string, action: string): string => {
    if (!isSafeName(name)) {
      const shown = typeof name === "string" ? JSON.stringify(name) : String(name);
      throw new RecordingStoreError(
        `Cannot ${action} recording file ${shown} in ${dir}: a name must be ${SAFE_NAME_RULE}`,
        "EINVAL",
        shown,
      );
    }
    return join(dir, name);
  };

  /** Rejects unless `path` is a regular file itself (not a link to one elsewhere). */
  const regularFile = async (path: string, action: string): Promise<void> => {
    let info;
    try {
      info = await lstat(path);
    } catch (err) {
      throw storeError(action, path, err);
    }
    if (!info.isFile()) {
      throw new RecordingStoreError(
        `Cannot ${action} recording file ${path}: it is not a regular file`,
        "EINVAL",
        path,
      );
    }
  };

  /** Opens once without following links and checks the descriptor (see recording-open.ts). */
  const openForReading = async (path: string, rules: OpenRules) => {
    try {
      return await openChecked(path, rules);
    } catch (err) {
      if (err instanceof NotServable) {
        throw new RecordingStoreError(
          `Cannot read recording file ${path}: ${err.message}`,
          err.code,
          path,
          err,
        );
      }
      throw storeError("read", path, err);
    }
  };

  async function read(name: string): Promise<Uint8Array> {
    const path = pathOf(name, "read");
    const file = downloadFile(
      name,
      await openForReading(path, { oneLink: false }),
      (action, err) => storeError(action, path, err),
    );
    try {
      // up to the size it had when opened: the JSON files are replaced whole (writeJson), and the
      // data files read here are those of a crashed recording, which nothing appends to
      return await file.read(0, file.bytes);
    } finally {
      await file.close();
    }
  }

  return {
    dir,
    async ensureDir() {
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        throw storeError("create", dir, err, "recordings directory");
      }
    },
    async create(name) {
      const path = pathOf(name, "create");
      try {
        return await openRecordingFileAt(path, "create", name);
      } catch (err) {
        if ((err as StoreError).code !== "EEXIST") throw err;
        throw new RecordingStoreError(
          `Cannot create recording file ${path}: it already exists (files are never overwritten)`,
          "EEXIST",
          path,
          err,
        );
      }
    },
    async open(name) {
      const path = pathOf(name, "open");
      await regularFile(path, "open");
      return openRecordingFileAt(path, "open", name);
    },
    async list() {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        // a directory not made yet (no recording so far) holds no recordings
        if (osErrorCode(err) === "ENOENT") return [];
        throw storeError("list", dir, err, "recordings directory");
      }
      const files: StoredFile[] = [];
      for (const entry of entries) {
        // Dirent.isFile() does not follow links, so a link to elsewhere is never listed
        if (!entry.isFile() || !isSafeName(entry.name)) continue;
        try {
          const info = await stat(join(dir, entry.name));
          files.push({ name: entry.name, bytes: info.size, modifiedMs: info.mtimeMs });
        } catch {
          // removed between readdir and stat: not there any more
        }
      }
      return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    read,
    async openDownload(name) {
      const path = pathOf(name, "read");
      let device: number;
      try {
        device = (await stat(dir)).dev;
      } catch (err) {
        throw storeError("read", dir, err, "recordings directory");
      }
      return downloadFile(
        name,
        await openForReading(path, { oneLink: true, device }),
        (action, err) => storeError(action, path, err),
      );
    },
    async readText(name) {
      return new TextDecoder().decode(await read(name));
    },
    async writeJson(name, value) {
      const path = pathOf(name, "write");
      const bytes = new TextEncoder().encode(JSON.stringify(value, null, 2) + "\n");
      // a leading dot: never listed, never downloadable, never mistaken for a recording
      const temp = join(dir, `.${name}.${Date.now().toString(36)}-${++tempCount}.tmp`);
      let file: RecordingFile | undefined;
      try {
        file = await openRecordingFileAt(temp, "create");
        await file.append(bytes);
        await file.sync();
        await file.close();
        await rename(temp, path);
      } catch (err) {
        await file?.close().catch(() => {});
        await unlink(temp).catch(() => {});
        // name the file the caller asked for, with the OS error underneath (the temp file is a detail)
        throw storeError(
          "write",
          path,
          err instanceof RecordingStoreError && err.cause !== undefined ? err.cause : err,
        );
      }
    },
    async remove(name) {
      const path = pathOf(name, "remove");
      try {
        // only a regular file of ours: a link or a directory that took the name is left alone
        if (!(await lstat(path)).isFile()) return;
        await unlink(path);
      } catch (err) {
        if (osErrorCode(err) !== "ENOENT") throw storeError("remove", path, err);
      }
    },
    async probeWritable() {
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        throw storeError("create", dir, err, "recordings directory");
      }
      // a hidden name: never listed, never taken for a recording, even if a crash leaves it
      const probe = join(dir, `.write-probe-${Date.now().toString(36)}-${++tempCount}.tmp`);
      const file = await openRecordingFileAt(probe, "create").catch((err: unknown) => {
        throw storeError(
          "create a file in",
          dir,
          err instanceof RecordingStoreError && err.cause !== undefined ? err.cause : err,
          "recordings directory",
        );
      });
      await file.close().catch(() => {});
      await unlink(probe).catch(() => {});
    },
  };
}
