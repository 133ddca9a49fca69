/**
 * @module The recordings directory as the recorder sees it (a port: interfaces only, no runtime
 * code). src/adapters/recording-store.ts implements it on node:fs/promises for Bun, Deno and Node.
 *
 * Every name is a bare file name that passes `isSafeName` (src/recording/safe-name.ts); anything
 * else is refused before the file system is touched. Every failure is a rejected promise with a
 * `StoreError`: a message that names the file, and `code` — the OS code as is (`ENOSPC`,
 * `EACCES`, `EDQUOT`, `EFBIG`, `EEXIST`, `ENOENT`, …, also under Deno, whose errors sometimes
 * carry only "os error N") or `EINVAL` for an unsafe name or a file that is not a regular file,
 * `EBADF` for a closed handle.
 */

/** What every rejection of the store carries. */
export interface StoreError extends Error {
  /** The OS error code (e.g. "ENOSPC"), or "EINVAL" / "EBADF" as described in the module doc. */
  readonly code: string;
  /** Full path of the file (or directory) concerned. */
  readonly file: string;
}

/**
 * An open file of a recording. Operations run one after another in call order (a caller may fire
 * appends without awaiting each). `bytes` counts what is on disk after the operations finished
 * so far.
 */
export interface RecordingFile {
  readonly name: string;
  /** File size in bytes as far as this handle knows (appends, writeAt, truncate). */
  readonly bytes: number;
  /**
   * Writes all of `bytes` at the end, after the earlier operations. All or nothing, as far as
   * the OS allows: a failed append truncates the file back to its size before the call.
   */
  append(bytes: Uint8Array): Promise<void>;
  /** Overwrites at `offset` (header patches); may extend the file. */
  writeAt(offset: number, bytes: Uint8Array): Promise<void>;
  /** Flushes written data to the device (fdatasync). */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  /** Idempotent; later operations reject with `EBADF`. */
  close(): Promise<void>;
}

/** A file in the recordings directory. */
export interface StoredFile {
  name: string;
  bytes: number;
  /** Last modification, Unix ms. */
  modifiedMs: number;
}

/**
 * A file opened for a download: checked on the open descriptor, so the name cannot be swapped for
 * a link between the check and the reads. Reads may run in any order; `close` is idempotent.
 */
export interface DownloadFile {
  readonly name: string;
  /** Size when it was opened (a growing recording is served up to this size). */
  readonly bytes: number;
  /** Up to `length` bytes from `position`; fewer at the end of the file, none past it. */
  read(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The recordings directory. */
export interface RecordingStore {
  /** The directory (as configured, e.g. `./recordings`). */
  readonly dir: string;
  /** Creates the directory and its parents when missing. */
  ensureDir(): Promise<void>;
  /** Creates a NEW file for appending; rejects with `EEXIST` when any entry has that name (never overwrites). */
  create(name: string): Promise<RecordingFile>;
  /** Opens an existing regular file for reading and writing (finalising a crashed recording). */
  open(name: string): Promise<RecordingFile>;
  /** Regular files with safe names, sorted by name (temporary and hidden files are left out). */
  list(): Promise<StoredFile[]>;
  /** A whole regular file (symbolic links are refused, so nothing outside the directory is read). */
  read(name: string): Promise<Uint8Array>;
  readText(name: string): Promise<string>;
  /**
   * Opens a file for a download: no link is followed (`O_NOFOLLOW`), and the opened file must be a
   * regular file with exactly one link on the directory's device (`EINVAL` otherwise, as for a link).
   */
  openDownload(name: string): Promise<DownloadFile>;
  /**
   * Replaces `name` with `value` as JSON, atomically: readers see the old file or the new one,
   * never a part (temporary file in the same directory, fdatasync, then rename).
   */
  writeJson(name: string, value: unknown): Promise<void>;
  /** Removes a regular file (what a failed or empty recording created); a missing file is no error. */
  remove(name: string): Promise<void>;
  /** Creates the directory when missing and proves a file can be created in it (then removes it). */
  probeWritable(): Promise<void>;
}
