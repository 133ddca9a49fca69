/** @module Opens the RFCOMM tty for reading under deno. */
import { BridgeError } from "../../core/errors.ts";
import type { OpenTty } from "../../core/ports.ts";

// PLACEHOLDER until the hardware issue (#4) lands.
export const openTty: OpenTty = (path) =>
  Promise.reject(new BridgeError("RFCOMM_CONNECTION_FAILED", `Cannot open "${path}": tty reading is not implemented yet`));
