/** @module Opens the RFCOMM tty for reading under Deno: Deno.open, stty for raw mode, then the file's readable. */
import type { OpenTty } from "../../core/ports.ts";
import { readerHandle } from "./reader-handle.ts";
import { sttyError, ttyOpenError, ttyReadError } from "./tty-errors.ts";

// serialport opens ports under Deno but never delivers data, so Deno reads the tty itself.
// Needs --allow-read (the tty) and --allow-run (stty).

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

function permissionHint(path: string, error: unknown): Error {
  // Deno's own sandbox refusal, as opposed to the OS saying no
  if (error instanceof Error && error.name === "NotCapable") {
    return ttyOpenError(path, new Error(`${error.message} (run deno with --allow-read and --allow-run)`));
  }
  return ttyOpenError(path, error);
}

/** Opens `path` (kept open while stty switches it to raw mode) and streams its bytes. */
export const openTty: OpenTty = async (path) => {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw permissionHint(path, error);
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
