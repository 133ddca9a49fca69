/**
 * @module `connect_device`'s one connection attempt of a headset added at run time: resolves once
 * it streams (then it is kept connected, auto-reconnecting), rejects with the attempt's error
 * (BLE_ACTIVATION_FAILED for an address that is no MW75).
 */
import type { DeviceSession } from "../core/session.ts";
import { BridgeError } from "../core/errors.ts";
import type { CoreErrorCode } from "../core/errors.ts";
import type { DeviceHub } from "../hub/device-hub.ts";

export function connectOnce(
  hub: DeviceHub,
  session: DeviceSession,
  keepConnected: () => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sub = hub.state({
      name: "connect_device",
      onStatus: (state) => {
        if (state !== "connected") return;
        sub.close();
        keepConnected();
        resolve();
      },
      onError: (code: CoreErrorCode, message: string) => {
        sub.close();
        reject(new BridgeError(code, message));
      },
    });
    session.connect(false);
  });
}
