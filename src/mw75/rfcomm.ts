/** @module The MW75's data channel: opening its RFCOMM tty through the tty port, bounded, and how a failure to open it is reported. */
import { BridgeError } from "../core/errors.ts";
import { ADDRESS_PLACEHOLDER, type ByteStreamHandle, type OpenTty } from "../ports/tty.ts";
import { bounded, StepAborted } from "./bounded.ts";

/** Opens `path` within `ms`; an open that completes after we gave up is closed at once. */
export async function openRfcomm(
  openTty: OpenTty,
  path: string,
  ms: number,
  signal: AbortSignal,
): Promise<ByteStreamHandle> {
  const opening = openTty(path);
  try {
    return await bounded(opening, ms, `opening ${path}`, signal);
  } catch (error) {
    // an open that completes after we gave up must not leak the tty
    opening.then((late) => late.close(), () => {});
    if (error instanceof StepAborted || error instanceof BridgeError) throw error;
    throw new BridgeError(
      "RFCOMM_CONNECTION_FAILED",
      `The RFCOMM channel on ${path} did not open within ${
        ms / 1000
      } s. Check \`rfcomm -a\` shows it bound to the headset on channel 25 and that the headset is connected as the audio device.`,
      { cause: error },
    );
  }
}

/** What a failed opening of `path` (after the headset at `address` was activated) is reported as. */
export function rfcommFailure(error: unknown, path: string, address: string): BridgeError {
  if (error instanceof BridgeError) {
    // the opener cannot know the address; we do by now
    return new BridgeError(error.code, error.message.replaceAll(ADDRESS_PLACEHOLDER, address), {
      cause: error.cause,
    });
  }
  if (error instanceof StepAborted) {
    return new BridgeError("CONNECTION_FAILED", "Connecting was cancelled.");
  }
  return new BridgeError("RFCOMM_CONNECTION_FAILED", `Cannot open ${path}: ${String(error)}`, {
    cause: error,
  });
}
