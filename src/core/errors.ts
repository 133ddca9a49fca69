/** @module The failures core and the device side raise themselves, as a typed error. */

/**
 * The codes raised below the protocol: opening, running and reconnecting a device, and discovery.
 * protocol/errors.ts lists every wire code and includes these.
 */
export type CoreErrorCode =
  | "CONNECTION_FAILED"
  | "BLE_ACTIVATION_FAILED"
  | "RFCOMM_CONNECTION_FAILED"
  | "DEVICE_ERROR"
  | "DISCONNECT_ERROR"
  | "RECONNECT_FAILED"
  | "RECONNECT_EXHAUSTED"
  | "SCAN_FAILED";

/**
 * A failure the caller is expected to handle and report to clients under `code`. Core's own code
 * list is the default; the server raises it with any wire code (`BridgeError<ErrorCode>`).
 */
export class BridgeError<C extends string = CoreErrorCode> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BridgeError";
    this.code = code;
  }
}
