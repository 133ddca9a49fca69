/**
 * @module The recordings directory (src/recording/store.ts) on node:fs/promises, the same under
 * Bun, Deno and Node. Positional writes only, so a truncate or a header patch never moves where
 * the next append lands; OS error codes are kept (and recovered from Deno's "os error N" messages).
 */
import { lstat, mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { constants } from "node:os";
import { join } from "node:path";
import { isSafeName, SAFE_NAME_RULE } from "../recording/safe-name.ts";
import type {
  RecordingFile,
  RecordingStore,
  StoredFile,
  StoreError,
} from "../ports/recording-store.ts";
import { downloadFile, NotServable, openChecked } from "./recording-open.ts";
import type { OpenRules } from "./recording-open.ts";

// --- errors ---

/** A store failure: the message names the file, `code` is the OS code (see StoreError). */
export class RecordingStoreError extends Error implements StoreError {
  readonly code: string;
  readonly file: string;
  constructor(message: string, code: string, file: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "RecordingStoreError";
    this.code = code;
    this.file = file;
  }
}

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n, name]),
);
// Deno's own error classes, for errors that arrive without a code
const DENO_ERROR_CODES: Record<string, string> = {
  NotFound: "ENOENT",
  AlreadyExists: "EEXIST",
  PermissionDenied: "EACCES",
  IsADirectory: "EISDIR",
  NotADirectory: "ENOTDIR",
  FilesystemLoop: "ELOOP",
};

/**
 * The OS error code of `err` ("EIO" when none can be found). Deno reports some errors (EFBIG on
 * write, checked on 2.9) with no `code`, only "(os error 27)" in the message: the number is
 * mapped back through the platform's own errno table.
 */
export function osErrorCode(err: unknown): string {
  if (typeof err !== "object" || err === null) return "EIO";
  const { code, message, name } = err as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) return code;
  const errno = typeof message === "string" ? /\(os error (\d+)\)/.exec(message) : null;
  const mapped = errno ? ERRNO_NAMES.get(Number(errno[1])) : undefined;
  if (mapped !== undefined) return mapped;
  return (typeof name === "string" && DENO_ERROR_CODES[name]) || "EIO";
}

function storeError(
  action: string,
  path: string,
  err: unknown,
  what = "recording file",
): RecordingStoreError {
  const code = osErrorCode(err);
  const text = err instanceof Error ? err.message : String(err);
  const reason = text.startsWith(code) ? text : `${code}: ${text}`;
  return new RecordingStoreError(`Cannot ${action} ${what} ${path}: ${reason}`, code, path, err);
}

// --- one file ---

/**
 * Opens `path` as a recording file: "create" = a new file (O_CREAT|O_EXCL, which also refuses a
 * symbolic link in its place), "open" = an existing one for reading and writing. Exported for the
 * store and for tests that need a path outside a directory (e.g. /dev/full).
 */
export async function openRecordingFileAt(
  path: string,
  mode: "create" | "open",
  name = path,
): Promise<RecordingFile> {
  let handle: FileHandle;
  let size = 0;
  try {
    handle = await open(path, mode === "create" ? "wx" : "r+");
    if (mode === "open") size = (await handle.stat()).size;
  } catch (err) {
    throw storeError(mode === "create" ? "create" : "open", path, err);
  }
  let queue: Promise<unknown> = Promise.resolve();
  let closed: Promise<void> | undefined;

  /** Runs `op` after the earlier operations, whatever their outcome; failures name the file. */
  const run = <T>(action: string, op: (h: FileHandle) => Promise<T>): Promise<T> => {
    // refused at call time: operations queued before close() still run, later ones never do
    if (closed) {
      return Promise.reject(
        new RecordingStoreError(
          `Cannot ${action} recording file ${path}: it is closed`,
          "EBADF",
          path,
        ),
      );
    }
    const result = queue.then(async () => {
      try {
        return await op(handle);
      } catch (err) {
        throw err instanceof RecordingStoreError ? err : storeError(action, path, err);
      }
    });
    queue = result.catch(() => {});
    return result;
  };

  const writeAll = async (h: FileHandle, bytes: Uint8Array, at: number): Promise<void> => {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await h.write(bytes, done, bytes.length - done, at + done);
      // a zero-byte write without an error would loop forever; no OS should do it
      if (bytesWritten <= 0) {
        throw new RecordingStoreError(
          `Cannot write recording file ${path}: the OS wrote 0 bytes`,
          "EIO",
          path,
        );
      }
      done += bytesWritten;
    }
  };

  return {
    name,
    get bytes() {
      return size;
    },
    append: (bytes) =>
      run("append to", async (h) => {
        const at = size;
        try {
          await writeAll(h, bytes, at);
        } catch (err) {
          // drop the part that was written, so the file ends after a whole append (a CSV row, a packet)
          await h.truncate(at).catch(() => {});
          throw err;
        }
        size = at + bytes.length;
      }),
    writeAt: (offset, bytes) => {
      if (!Number.isSafeInteger(offset) || offset < 0) {
        return Promise.reject(
          new RangeError(`writeAt offset must be an integer ≥ 0, got ${offset}`),
        );
      }
      return run("write", async (h) => {
        await writeAll(h, bytes, offset);
        size = Math.max(size, offset + bytes.length);
      });
    },
    sync: () => run("sync", (h) => h.datasync()),
    truncate: (length) => {
      if (!Number.isSafeInteger(length) || length < 0) {
        return Promise.reject(
          new RangeError(`truncate length must be an integer ≥ 0, got ${length}`),
        );
      }
      return run("truncate", async (h) => {
        await h.truncate(length);
        size = length;
      });
    },
    close() {
      closed ??= queue.then(() =>
        handle.close().catch((err: unknown) => {
          throw storeError("close", path, err);
        })
      );
      return closed;
    },
  };
}

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
