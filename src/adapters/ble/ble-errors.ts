/** @module Maps the failures of BlueZ and the system D-Bus (node-ble's errors) onto BLE_ACTIVATION_FAILED errors that tell the user what to do. Runtime-neutral. */
import { BridgeError } from "../../core/errors.ts";
import { StepAborted } from "../../mw75/bounded.ts";
import { activationError, stepFailure } from "../../mw75/errors.ts";

/** What to do when the system D-Bus refuses BlueZ to this user. */
export const PERMISSION =
  "No permission to use BlueZ on the system D-Bus. Add your user to the bluetooth group (`sudo usermod -aG bluetooth $USER`, then log in again) or run the bridge from a local desktop session.";

function fromBusSocket(error: unknown): BridgeError | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "EACCES" || code === "EPERM") return activationError(PERMISSION, error);
  if (code === "ENOENT" || code === "ECONNREFUSED") {
    return activationError(
      "Cannot reach the system D-Bus (is dbus running? `sudo systemctl start dbus`). BlueZ is reached through it.",
      error,
    );
  }
  return undefined;
}

/** Turns whatever a BLE step threw into a BridgeError; `busError` is the bus connection's own error, if any. */
export function bleFailure(error: unknown, busError?: unknown): BridgeError {
  if (error instanceof BridgeError || error instanceof StepAborted) return stepFailure(error);
  const socket = fromBusSocket(busError) ?? fromBusSocket(error);
  if (socket) return socket;
  const type = (error as { type?: unknown } | undefined)?.type;
  switch (type) {
    case "org.freedesktop.DBus.Error.ServiceUnknown":
    case "org.freedesktop.DBus.Error.NameHasNoOwner":
      return activationError(
        "BlueZ is not running: start it with `sudo systemctl start bluetooth`, then retry.",
        error,
      );
    case "org.freedesktop.DBus.Error.AccessDenied":
    case "org.bluez.Error.NotAuthorized":
      return activationError(PERMISSION, error);
    case "org.bluez.Error.NotReady":
      return activationError(
        "The Bluetooth adapter is not ready (powered off?): `bluetoothctl power on`, then retry.",
        error,
      );
  }
  return stepFailure(error);
}
