/** @module Opens the RFCOMM tty for reading under Bun: stty for raw mode, then Bun.file(path).stream(). */
import { close as closeFd, constants, open } from "node:fs";
import type { OpenTty } from "../../ports/tty.ts";
import { readerHandle } from "./reader-handle.ts";
import { sttyError, ttyOpenError, ttyReadError } from "./tty-errors.ts";

// serialport's native binding crashes Bun, and Bun.file(fd) reads with pread (ESPIPE on a tty),
// so the stream reads by path while a separate descriptor holds the tty open: that keeps an
// RFCOMM link (and the raw termios stty sets) alive between stty and the first read.

async function stty(path: string): Promise<void> {
  const proc = Bun.spawn(["stty", "-F", path, "raw", "-echo"], {
    stdout: "ignore",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill(), 5000);
  try {
    const code = await proc.exited;
    if (code !== 0) throw sttyError(path, await new Response(proc.stderr).text());
  } finally {
    clearTimeout(timer);
  }
}

function openHolder(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    open(path, constants.O_RDONLY | constants.O_NOCTTY, (error, fd) => {
      if (error) reject(ttyOpenError(path, error));
      else resolve(fd);
    });
  });
}

/** Opens `path`, switches it to raw mode and streams its bytes. */
export const openTty: OpenTty = async (path) => {
  const holder = await openHolder(path);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    closeFd(holder, () => {});
  };
  try {
    await stty(path);
  } catch (error) {
    release();
    throw error;
  }
  const source = Bun.file(path).stream().getReader();
  return readerHandle(source, release, (error) => ttyReadError(path, error));
};
