/** @module Opens the RFCOMM tty for reading under Node: node:fs + node:tty (non-blocking reads through libuv). */
import { execFile } from "node:child_process";
import { close as closeFd, constants, open } from "node:fs";
import { ReadStream } from "node:tty";
import type { ByteStreamHandle, OpenTty } from "../../ports/tty.ts";
import { sttyError, ttyOpenError, ttyReadError } from "./tty-errors.ts";

// Why not serialport: its unix reader retries forever when read() returns 0, which is exactly
// what a hung-up RFCOMM tty returns, so a lost headset would spin instead of ending the stream.
// libuv's tty stream reports that (and the EIO of a closed pty) as end-of-file.

function stty(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("stty", ["-F", path, "raw", "-echo"], { timeout: 5000 }, (error, _stdout, stderr) => {
      if (error) reject(sttyError(path, String(stderr || error.message)));
      else resolve();
    });
  });
}

/** Opens `path` (the tty is kept open while stty switches it to raw mode) and streams its bytes. */
export const openTty: OpenTty = async (path) => {
  // a plain fd, not a FileHandle: libuv's tty stream owns and closes it, so nothing else may
  const fd = await new Promise<number>((resolve, reject) => {
    // O_NOCTTY: the headset's tty must never become our controlling terminal
    open(path, constants.O_RDONLY | constants.O_NOCTTY, (error, opened) => {
      if (error) reject(ttyOpenError(path, error));
      else resolve(opened);
    });
  });
  try {
    await stty(path);
  } catch (error) {
    closeFd(fd, () => {});
    throw error;
  }
  const tty = new ReadStream(fd);
  let closed = false;
  let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
  const finish = (how: (c: ReadableStreamDefaultController<Uint8Array>) => void) => {
    if (closed) return;
    closed = true;
    tty.destroy();
    try {
      if (ctrl) how(ctrl);
    } catch {
      // the consumer cancelled first
    }
  };
  const readable = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        ctrl = controller;
        tty.on("data", (chunk: Buffer) => {
          if (closed) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          // backpressure: stop reading the tty until the consumer pulls again
          if ((controller.desiredSize ?? 1) <= 0) tty.pause();
        });
        // libuv reports a hung-up tty (read → 0) and a closed pty peer (EIO) as end-of-file
        tty.once("end", () => finish((c) => c.close()));
        tty.once("error", (error) => finish((c) => c.error(ttyReadError(path, error))));
      },
      pull() {
        tty.resume();
      },
      cancel() {
        finish(() => {});
      },
    },
    { highWaterMark: 64 },
  );
  return {
    readable,
    close() {
      finish((c) => c.close());
      return Promise.resolve();
    },
  } satisfies ByteStreamHandle;
};
