/** @module Opens the RFCOMM tty for reading under Deno: Deno.open, stty for raw mode, then the file's readable. */
import type { OpenTty } from "../../ports/tty.ts";
import { readerHandle } from "./reader-handle.ts";
import { sttyError, ttyOpenError, ttyReadError } from "./tty-errors.ts";

// serialport opens ports under Deno but never delivers data, so Deno reads the tty itself.
// Needs --allow-run (stty, and cat unless --allow-all lets Deno open the device itself).

async function stty(path: string): Promise<void> {
  const signal = AbortSignal.timeout(5000);
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("stty", {
      args: ["-F", path, "raw", "-echo"],
      stdout: "null",
      stderr: "piped",
      signal,
    }).output();
  } catch (error) {
    throw sttyError(path, error instanceof Error ? error.message : String(error));
  }
  if (output.code !== 0) throw sttyError(path, new TextDecoder().decode(output.stderr));
}

/** True for Deno's sandbox refusal (as opposed to the OS saying no). */
function notCapable(error: unknown): boolean {
  return error instanceof Error && error.name === "NotCapable";
}

/** Shell step: open the tty once as stdin, make it raw, say so on stderr, then become `cat`. */
const CAT_SCRIPT = 'exec <"$0" && stty raw -echo && echo ready >&2 && exec cat';

/**
 * Deno grants device files (/dev/rfcomm0, /dev/pts/N) only under --allow-all. Without it the tty
 * is read by a child (--allow-run, already needed for stty, permits it) that opens it once, so an
 * RFCOMM link is not dropped and re-dialled between stty and the reads; cat ends on EOF/EIO.
 */
async function readThroughCat(path: string): Promise<ReturnType<typeof readerHandle>> {
  const child = new Deno.Command("sh", {
    args: ["-c", CAT_SCRIPT, path],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let killed = false;
  const release = () => {
    if (killed) return;
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
  };
  const errors = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready\n")) {
    const next = await errors.read();
    if (next.done) {
      release();
      throw sttyError(path, text);
    }
    text += next.value;
  }
  // drain later complaints (EIO when the peer hangs up) so the child never blocks on stderr
  void (async () => {
    while (!(await errors.read().catch(() => ({ done: true }))).done);
  })();
  return readerHandle(child.stdout.getReader(), release, (error) => ttyReadError(path, error));
}

/** Opens `path` (kept open while stty switches it to raw mode) and streams its bytes. */
export const openTty: OpenTty = async (path) => {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (!notCapable(error)) throw ttyOpenError(path, error);
    return await readThroughCat(path);
  }
  try {
    await stty(path);
  } catch (error) {
    file.close();
    throw error;
  }
  const source = file.readable.getReader();
  const release = () => {
    try {
      file.close();
    } catch {
      // the readable already closed it (EOF or cancel)
    }
  };
  // a closed peer shows up as EIO: reported as the link going away
  return readerHandle(source, release, (error) => ttyReadError(path, error));
};
