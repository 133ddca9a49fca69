/** @module Turns a failure to open or configure an RFCOMM tty into a RFCOMM_CONNECTION_FAILED BridgeError that says what to do. Runtime-neutral. */
import { BridgeError } from "../../core/errors.ts";
import { ADDRESS_PLACEHOLDER } from "../../ports/tty.ts";

/** The one preparatory command a user needs on Linux: bind /dev/rfcommN to the headset's channel 25. */
export function bindHint(path: string, address = ADDRESS_PLACEHOLDER): string {
  const index = /\/dev\/rfcomm(\d+)$/.exec(path)?.[1] ?? "0";
  return `sudo rfcomm bind ${index} ${address} 25`;
}

/** Pulls an errno-style code (ENOENT, EACCES, …) out of a Node, Bun or Deno error. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code !== "") return code;
  // Deno errors carry no code; its class names map onto the errno cases we care about
  const name = (error as { name?: unknown }).name;
  const byName: Record<string, string> = {
    NotFound: "ENOENT",
    PermissionDenied: "EACCES",
    Busy: "EBUSY",
    AddrInUse: "EBUSY",
    ConnectionRefused: "ECONNREFUSED",
    TimedOut: "ETIMEDOUT",
  };
  return typeof name === "string" ? byName[name] : undefined;
}

/** Maps a failure to open `path` onto the protocol's RFCOMM_CONNECTION_FAILED error. */
export function ttyOpenError(path: string, error: unknown): BridgeError {
  const code = errnoOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  let message: string;
  switch (code) {
    case "ENOENT":
      message = `RFCOMM tty ${path} does not exist. Bind it once with \`${
        bindHint(path)
      }\` (or pass --rfcomm-tty PATH).`;
      break;
    case "EACCES":
    case "EPERM":
      message =
        `No permission to open ${path}. Add your user to the dialout group (\`sudo usermod -aG dialout $USER\`, then log in again) or run the bridge with access to the tty.`;
      break;
    case "EBUSY":
      message =
        `${path} is busy: another program holds it open (find it with \`fuser ${path}\`) and close it.`;
      break;
    case "EHOSTDOWN":
    case "EHOSTUNREACH":
    case "ECONNREFUSED":
    case "ETIMEDOUT":
    case "EIO":
      message =
        `The headset did not accept the RFCOMM data channel on ${path} (${code}). Check the tty is bound to the headset's address on channel 25 (\`rfcomm -a\`), that the headset is on and connected as the audio device, then retry.`;
      break;
    case "ENOTTY":
      message =
        `${path} is not a terminal device; pass the RFCOMM tty (e.g. /dev/rfcomm0) with --rfcomm-tty.`;
      break;
    default:
      message = `Cannot open RFCOMM tty ${path}: ${detail}`;
  }
  return new BridgeError("RFCOMM_CONNECTION_FAILED", message, { cause: error });
}

/** Error for a failed `stty` run (raw mode could not be set). */
export function sttyError(path: string, stderr: string): BridgeError {
  const text = stderr.trim();
  if (/No such file/i.test(text)) return ttyOpenError(path, { code: "ENOENT" });
  if (/Permission denied/i.test(text)) return ttyOpenError(path, { code: "EACCES" });
  if (/Inappropriate ioctl|not a tty/i.test(text)) return ttyOpenError(path, { code: "ENOTTY" });
  if (/busy/i.test(text)) return ttyOpenError(path, { code: "EBUSY" });
  return new BridgeError(
    "RFCOMM_CONNECTION_FAILED",
    `Cannot put ${path} into raw mode (stty -F ${path} raw -echo): ${text || "unknown error"}`,
  );
}

/** Error for a read that fails after the tty was open: the data link went away. */
export function ttyReadError(path: string, error: unknown): BridgeError {
  const detail = error instanceof Error ? error.message : String(error);
  return new BridgeError(
    "RFCOMM_CONNECTION_FAILED",
    `Lost the RFCOMM data link on ${path} (${detail}): the headset went out of range, was switched off or closed the channel.`,
    { cause: error },
  );
}
