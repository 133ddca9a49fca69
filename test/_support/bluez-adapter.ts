/** @module Drives the emulated BlueZ's adapter hci0 with dbus-send (power, discovery, removal), and waits for a status with a deadline. */
import { execFile } from "node:child_process";
import type { AdapterStatus } from "../../src/ports/bluez.ts";
import { sleep } from "./private-bus.ts";

function send(busAddress: string, path: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(
      "dbus-send",
      [`--bus=${busAddress}`, "--print-reply", "--dest=org.bluez", path, ...args],
      // dbus-send answers in ms; 3 s is for a loaded machine
      { timeout: 3000 },
      (error, _out, stderr) => (error ? reject(new Error(String(stderr))) : resolve()),
    )
  );
}

/** Sets hci0's Powered, as `bluetoothctl power on|off` would (the mock emits PropertiesChanged). */
export function setPowered(busAddress: string, on: boolean): Promise<void> {
  return send(busAddress, "/org/bluez/hci0", [
    "org.freedesktop.DBus.Properties.Set",
    "string:org.bluez.Adapter1",
    "string:Powered",
    `variant:boolean:${on}`,
  ]);
}

/** Calls Adapter1.StartDiscovery or StopDiscovery on hci0. */
export function discovery(busAddress: string, start: boolean): Promise<void> {
  return send(busAddress, "/org/bluez/hci0", [
    `org.bluez.Adapter1.${start ? "Start" : "Stop"}Discovery`,
  ]);
}

/** Removes hci0 (the mock emits InterfacesRemoved), as unplugging a USB dongle would. */
export function removeAdapter(busAddress: string): Promise<void> {
  return send(busAddress, "/", ["org.bluez.Mock.RemoveAdapter", "string:hci0"]);
}

/** Adds hci0 back (powered, not discovering). */
export function addAdapter(busAddress: string): Promise<void> {
  return send(busAddress, "/", ["org.bluez.Mock.AddAdapter", "string:hci0", "string:mw75-test"]);
}

/** Polls `read` every 25 ms until it equals `want`; rejects after `timeoutMs` with the last value. */
export async function untilStatus(
  read: () => AdapterStatus | null | undefined,
  want: AdapterStatus,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const now = read();
    if (
      now && now.present === want.present && now.powered === want.powered &&
      now.discovering === want.discovering
    ) return;
    if (Date.now() > end) {
      throw new Error(`${what}: wanted ${JSON.stringify(want)}, have ${JSON.stringify(now)}`);
    }
    await sleep(25);
  }
}
