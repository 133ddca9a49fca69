/** @module File helpers for replay and capture on node:fs/promises (works the same under Bun, Deno and Node). */
import { open, readFile } from "node:fs/promises";
import type { CaptureSink } from "../sources/capture.ts";

/** Reads a whole file as a plain Uint8Array (not a Node Buffer, whose slice() does not copy). */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const buf = await readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A capture sink on a file; `ready` settles once the file is open and its size known (or it failed to open). */
export interface FileSink extends CaptureSink {
  readonly path: string;
  /** Rejects with a message naming the path when the file cannot be opened for appending. */
  readonly ready: Promise<void>;
  /** Size of the file when it was opened (0 for a new file); rejects as `ready` does. */
  readonly bytesAtOpen: Promise<number>;
}

/**
 * Opens `path` for appending (created when missing) right away. Await `ready` at start-up so a
 * bad --capture path fails before any device work; writes go straight to the OS (no user-space
 * buffer), so a crash loses nothing already written.
 */
export function createFileSink(path: string): FileSink {
  // the size tells the capture whether this run appends to an earlier one (boundary records)
  const opened = open(path, "a").then(async (handle) => ({ handle, size: (await handle.stat()).size })).catch((err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Cannot open capture file ${path} for writing: ${reason}`, { cause: err });
  });
  const opening = opened.then((o) => o.handle);
  const bytesAtOpen = opened.then((o) => o.size);
  const ready = opened.then(() => undefined);
  // the failure is reported through `ready` and write(); keep it from counting as unhandled
  for (const p of [opening, bytesAtOpen, ready]) p.catch(() => {});
  let closing: Promise<void> | undefined;

  return {
    path,
    ready,
    bytesAtOpen,
    async write(chunk) {
      if (closing) throw new Error(`Capture file ${path} is already closed`);
      const handle = await opening;
      let done = 0;
      while (done < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
        done += bytesWritten;
      }
    },
    close() {
      closing ??= opening.then(
        (handle) => handle.close(),
        () => undefined,
      );
      return closing;
    },
  };
}
