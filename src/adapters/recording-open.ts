/**
 * @module Opening a file of the recordings directory for reading exactly once, without following a
 * link (`O_NOFOLLOW`), and judging what was opened by its descriptor (`fstat`): a name swapped for
 * a link after a check can no longer be served. Used by recording-store.ts under Bun, Deno and Node.
 */
import { constants } from "node:fs";
import { lstat, open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import type { DownloadFile } from "../ports/recording-store.ts";

// O_NONBLOCK: a FIFO put in a file's place would otherwise block the open until a writer came
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | (constants.O_NONBLOCK ?? 0);

/** The opened entry is not one the store reads: a link, not a regular file, a hard link, another device. */
export class NotServable extends Error {
  readonly code = "EINVAL";
}

/** What the opened file must also satisfy: one link only, and (when given) the directory's device. */
export interface OpenRules {
  oneLink: boolean;
  device?: number;
}

/**
 * Opens `path` read-only and checks the descriptor. Rejects with NotServable (a link is ELOOP under
 * O_NOFOLLOW on Linux) or with the OS error; the descriptor is closed on every refusal.
 */
export async function openChecked(
  path: string,
  rules: OpenRules,
): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (err) {
    if ((err as { code?: unknown }).code === "ELOOP") {
      throw new NotServable("it is a symbolic link", { cause: err });
    }
    throw err;
  }
  try {
    const info = await handle.stat();
    // Deno ignores O_NOFOLLOW unless run with --allow-all (it opens the resolved path), so the name
    // is also asked what it is now: a link, or another file than the one opened, is refused
    const named = await lstat(path);
    if (named.isSymbolicLink()) throw new NotServable("it is a symbolic link");
    if (named.ino !== info.ino || named.dev !== info.dev) {
      throw new NotServable("it changed while it was opened");
    }
    let why: string | null = null;
    if (!info.isFile()) why = "it is not a regular file";
    else if (rules.oneLink && info.nlink !== 1) {
      why = `it has ${info.nlink} links (a hard link may be a file from elsewhere)`;
    } else if (rules.device !== undefined && info.dev !== rules.device) {
      why = "it is on another device than the recordings directory";
    }
    if (why !== null) throw new NotServable(why);
    return { handle, size: info.size };
  } catch (err) {
    await handle.close().catch(() => {});
    throw err;
  }
}

/** Reads of an opened download; `fail` names the file in errors (the store's own error type). */
export function downloadFile(
  name: string,
  opened: { handle: FileHandle; size: number },
  fail: (action: string, err: unknown) => Error,
): DownloadFile {
  const { handle, size } = opened;
  let closing: Promise<void> | undefined;
  return {
    name,
    bytes: size,
    async read(position, length) {
      if (closing) throw fail("read", Object.assign(new Error("it is closed"), { code: "EBADF" }));
      const want = Math.max(0, Math.min(length, size - position));
      const buffer = new Uint8Array(want);
      let done = 0;
      try {
        while (done < want) {
          const { bytesRead } = await handle.read(buffer, done, want - done, position + done);
          // shorter than when it was opened (truncated meanwhile): serve what is there
          if (bytesRead <= 0) break;
          done += bytesRead;
        }
      } catch (err) {
        throw fail("read", err);
      }
      return done === want ? buffer : buffer.subarray(0, done);
    },
    close() {
      closing ??= handle.close().catch(() => {});
      return closing;
    },
  };
}
