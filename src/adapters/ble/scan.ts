/** @module BlueZ discovery of MW75 headsets (address, name, RSSI, paired) with node-ble on the system D-Bus. */
import type NodeBle from "node-ble";
import { BridgeError } from "../../core/errors.ts";
import type { DeviceDiscovery, DiscoveredDevice } from "../../ports/discovery.ts";
import type { Logger } from "../../ports/logger.ts";
import { PERMISSION } from "./ble-errors.ts";
import { openBluez } from "./bluez.ts";
import { abortableSleep, bounded, StepAborted, StepTimeout } from "../../mw75/bounded.ts";

/** Bounds of a discovery, in ms; the defaults suit a real adapter. */
export interface BluezDiscoveryOptions {
  /** Bound on each D-Bus call (default 5000). */
  callMs?: number;
  /** How often the adapter's device list is read while scanning (default 500). */
  pollMs?: number;
}

type Device = NodeBle.Device;
type Call = <T>(work: Promise<T>, what: string) => Promise<T>;

const scanError = (message: string, cause?: unknown) =>
  new BridgeError("SCAN_FAILED", message, cause === undefined ? undefined : { cause });

/**
 * Lists the MW75 headsets BlueZ knows after a discovery of `durationMs` on the first adapter.
 * A headset is a device whose Name or Alias contains "MW75" (any case); its reported name is the
 * Alias, as `bluetoothctl devices` shows it. The service UUID is not used: it is Qualcomm's stock
 * GAIA service, which other headphones carry too. Paired headsets out of range are listed as well
 * (BlueZ keeps them), with rssi null. Aborting `signal` rejects with SCAN_FAILED "cancelled".
 */
export function createBluezDiscovery(options: BluezDiscoveryOptions = {}): DeviceDiscovery {
  const callMs = options.callMs ?? 5000;
  const pollMs = options.pollMs ?? 500;
  return {
    list: ({ durationMs, signal, log }) =>
      scan(durationMs > 0 ? durationMs : 0, callMs, pollMs, log, signal),
  };
}

async function scan(
  durationMs: number,
  callMs: number,
  pollMs: number,
  log: Logger,
  signal?: AbortSignal,
): Promise<DiscoveredDevice[]> {
  const { bluetooth, destroy, busDown, busError } = await openBluez().catch((error: unknown) =>
    Promise.reject(scanFailure(error, undefined))
  );
  const call: Call = (work, what) => bounded(Promise.race([work, busDown]), callMs, what, signal);
  // a timeout, a cancellation or a dead bus ends the scan; anything else concerns one device only
  const fatal = (error: unknown) =>
    error instanceof StepAborted || error instanceof StepTimeout || busError() !== undefined;
  let adapter: NodeBle.Adapter | undefined;
  let started = false;
  try {
    const names = await call(bluetooth.adapters(), "listing Bluetooth adapters");
    if (names.length === 0) {
      throw scanError(
        "No Bluetooth adapter found. Plug one in or unblock it (`rfkill unblock bluetooth`), check with `bluetoothctl list`, then scan again.",
      );
    }
    const name = names[0]!;
    adapter = await call(bluetooth.getAdapter(name), "opening the adapter");
    if (!(await call(adapter.isPowered(), "reading the adapter state"))) {
      throw scanError(
        `The Bluetooth adapter ${name} is powered off: power it on with \`bluetoothctl power on\`, then scan again.`,
      );
    }
    try {
      await call(adapter.startDiscovery(), "starting discovery");
      started = true;
    } catch (error) {
      if (fatal(error) || (error as { type?: unknown }).type === "org.bluez.Error.NotReady") {
        throw error;
      }
      // someone else's discovery finds the same devices; without any, BlueZ's known devices are listed
      const running = String(error).includes("already in progress");
      log.log(running ? "DEBUG" : "WARNING", `BLE: discovery not started: ${String(error)}`);
    }
    log.log(
      "INFO",
      `BLE: scanning ${Math.round(durationMs / 100) / 10} s for MW75 headsets on ${name}`,
    );
    const found = new Map<string, DiscoveredDevice>();
    const opened = new Map<string, Device>();
    const others = new Set<string>();
    const deadline = Date.now() + durationMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left > 0) await abortableSleep(Math.min(pollMs, left), signal);
      // read while discovery still runs: BlueZ drops the RSSI values when it stops
      for (const listed of await call(adapter.devices(), "listing devices")) {
        const address = listed.toUpperCase();
        if (others.has(address)) continue;
        try {
          let device = opened.get(address);
          if (!device) {
            opened.set(address, device = await call(adapter.getDevice(listed), "opening a device"));
          }
          const seen = await readDevice(device, address, call, fatal);
          if (seen === "other") others.add(address);
          else if (seen) found.set(address, seen);
        } catch (error) {
          if (fatal(error)) throw error;
          log.log("DEBUG", `BLE scan: ${address} skipped: ${String(error)}`);
        }
      }
      if (Date.now() >= deadline) break;
    }
    const devices = [...found.values()].sort((
      a,
      b,
    ) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    log.log(
      "INFO",
      `BLE: scan found ${devices.length} MW75 headset(s)${devices.length ? ": " : ""}${
        devices.map((d) => `${d.name} [${d.address}]`).join(", ")
      }`,
    );
    return devices;
  } catch (error) {
    throw scanFailure(error, busError());
  } finally {
    // not through `call`: the scan's signal may have fired, and the discovery must still stop
    if (started) {
      await bounded(Promise.race([adapter!.stopDiscovery(), busDown]), callMs, "stopping discovery")
        .catch(() => {});
    }
    destroy();
  }
}

/** The headset at `address`, "other" when it is not one, undefined when it has no name yet. */
async function readDevice(
  device: Device,
  address: string,
  call: Call,
  fatal: (e: unknown) => boolean,
): Promise<DiscoveredDevice | "other" | undefined> {
  // a property BlueZ has not set (no Name yet, no RSSI outside a scan) is an error to read
  const optional = async <T>(work: Promise<T>, what: string): Promise<T | null> => {
    try {
      return await call(work, what);
    } catch (error) {
      if (fatal(error)) throw error;
      return null;
    }
  };
  const name = await optional(device.getName(), "reading a device name");
  const alias = await optional(device.getAlias(), "reading a device alias");
  if (![name, alias].some((n) => typeof n === "string" && n.toUpperCase().includes("MW75"))) {
    // a nameless device may still get its name from a later advertisement
    return name === null ? undefined : "other";
  }
  // node-ble's typings say string; BlueZ sends an int16 and a boolean
  const rssi: unknown = await optional(device.getRSSI(), "reading the RSSI");
  const paired: unknown = await call(device.isPaired(), "reading the paired flag");
  return {
    address,
    name: alias ?? name ?? address,
    rssi: typeof rssi === "number" ? rssi : null,
    paired: paired === true,
  };
}

/**
 * The name BlueZ knows for the device at `address` (its Alias, else its Name), read without a
 * discovery; null when BlueZ, the adapter or the device is not there, or a call takes over
 * `callMs`. For naming a headset added by `connect_device` without a scan before it.
 */
export async function readHeadsetName(address: string, callMs = 2000): Promise<string | null> {
  let session: Awaited<ReturnType<typeof openBluez>> | undefined;
  try {
    session = await openBluez();
    const { bluetooth, busDown } = session;
    const call = <T>(work: Promise<T>, what: string) =>
      bounded(Promise.race([work, busDown]), callMs, what);
    const adapters = await call(bluetooth.adapters(), "listing Bluetooth adapters");
    if (adapters.length === 0) return null;
    const adapter = await call(bluetooth.getAdapter(adapters[0]!), "opening the adapter");
    const device = await call(adapter.getDevice(address), "opening the device");
    for (const read of [() => device.getAlias(), () => device.getName()]) {
      const name = await call(read(), "reading the device name").catch(() => null);
      if (typeof name === "string" && name.trim() !== "") return name;
    }
    return null;
  } catch {
    return null;
  } finally {
    session?.destroy();
  }
}

/** Turns what a scan step threw into SCAN_FAILED with the fix; `busError` is the bus connection's own error. */
function scanFailure(error: unknown, busError: unknown): BridgeError {
  if (error instanceof BridgeError) return error;
  if (error instanceof StepAborted) return scanError("The scan was cancelled.", error);
  const cause = busError ?? error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const type = (error as { type?: unknown } | undefined)?.type;
  const text = cause instanceof Error ? cause.message : String(cause);
  const detail = typeof type === "string" ? `${type}: ${text}` : text;
  if (
    code === "EACCES" || code === "EPERM" || type === "org.freedesktop.DBus.Error.AccessDenied" ||
    type === "org.bluez.Error.NotAuthorized"
  ) {
    return scanError(PERMISSION, cause);
  }
  if (code === "ENOENT" || code === "ECONNREFUSED") {
    return scanError(
      `BlueZ is not running or the system D-Bus is unreachable (${detail}): start them with \`sudo systemctl start dbus\` and \`sudo systemctl start bluetooth\`, then scan again.`,
      cause,
    );
  }
  if (
    type === "org.freedesktop.DBus.Error.ServiceUnknown" ||
    type === "org.freedesktop.DBus.Error.NameHasNoOwner"
  ) {
    return scanError(
      `BlueZ is not running (${detail}): start it with \`sudo systemctl start bluetooth\`, then scan again.`,
      error,
    );
  }
  if (type === "org.bluez.Error.NotReady") {
    return scanError(
      `The Bluetooth adapter is not ready (${detail}); is it powered off? \`bluetoothctl power on\`, then scan again.`,
      error,
    );
  }
  if (error instanceof StepTimeout) {
    return scanError(
      `BlueZ ${error.message}: restart it with \`sudo systemctl restart bluetooth\`, then scan again.`,
      error,
    );
  }
  return scanError(`BLE scan failed: ${detail}`, error);
}
