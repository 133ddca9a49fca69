/** @module How a failed step of the MW75's BLE control plane is reported: BLE_ACTIVATION_FAILED with the fix, or CONNECTION_FAILED when cancelled. Runtime-neutral. */
import { BridgeError } from "../core/errors.ts";
import { StepAborted, StepTimeout } from "./bounded.ts";

/** A BLE_ACTIVATION_FAILED error with `message`. */
export function activationError(message: string, cause?: unknown): BridgeError {
  return new BridgeError(
    "BLE_ACTIVATION_FAILED",
    message,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Turns what a control step threw into a BridgeError: a BridgeError as is, a cancellation as
 * CONNECTION_FAILED, a timeout or anything else as BLE_ACTIVATION_FAILED saying what to check.
 * The BlueZ adapter maps the bus's own failures first (src/adapters/ble/ble-errors.ts).
 */
export function stepFailure(error: unknown): BridgeError {
  if (error instanceof BridgeError) return error;
  if (error instanceof StepAborted) {
    return new BridgeError("CONNECTION_FAILED", "Connecting was cancelled.", { cause: error });
  }
  if (error instanceof StepTimeout) {
    return activationError(
      `BLE ${error.message}. Make sure the headset is on, paired and is the active audio device (it only accepts BLE then), then retry.`,
      error,
    );
  }
  const type = (error as { type?: unknown } | undefined)?.type;
  const text = error instanceof Error ? error.message : String(error);
  const detail = typeof type === "string" ? `${type}: ${text}` : text;
  return activationError(
    `BLE (GATT) step failed: ${detail}. Make sure the headset is on, paired and is the active audio device, then retry.`,
    error,
  );
}
