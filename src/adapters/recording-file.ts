/**
 * @module One recording file on node:fs/promises, the same under Bun, Deno and Node: positional
 * writes only, so a truncate or a header patch never moves where the next append lands; store
 * errors name the file and keep the OS code (recovered from Deno's "os error N" messages).
 */
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { constants } from "node:os";
import type { RecordingFile, StoreError } from "../ports/recording-store.ts";

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

export function storeError(
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
