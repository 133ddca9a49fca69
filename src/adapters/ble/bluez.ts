/** @module Finds, connects and opens the MW75 control characteristics through BlueZ with node-ble (D-Bus system bus). */
import { Buffer } from "node:buffer";
import type NodeBle from "node-ble";
import type { BluezTarget, ControlLink } from "../../ports/bluez.ts";
import { abortableSleep, bounded } from "../../mw75/bounded.ts";
import { activationError } from "../../mw75/errors.ts";
import { bleFailure } from "./ble-errors.ts";
import { MW75_COMMAND_UUID, MW75_SERVICE_UUID, MW75_STATUS_UUID } from "../../mw75/status.ts";

const ADDRESS = /^([0-9A-F]{2}:){5}[0-9A-F]{2}$/;
const POLL_MS = 250;

type Adapter = NodeBle.Adapter;
type Device = NodeBle.Device;

async function loadNodeBle(): Promise<typeof NodeBle> {
  const mod = (await import("node-ble")) as unknown as
    & { default?: typeof NodeBle }
    & typeof NodeBle;
  return mod.default ?? mod;
}

/** A node-ble session on the system bus; `busDown` rejects with the bus connection's own error. */
export interface BluezSession {
  readonly bluetooth: NodeBle.Bluetooth;
  /** Closes the bus connection. */
  readonly destroy: () => void;
  /** Never resolves; rejects once the bus connection fails (race pending calls against it). */
  readonly busDown: Promise<never>;
  /** The bus connection's error, if it failed. */
  busError(): unknown;
}

/** Opens the system bus through node-ble (DBUS_SYSTEM_BUS_ADDRESS, else the default socket). */
export async function openBluez(): Promise<BluezSession> {
  const { createBluetooth } = await loadNodeBle();
  const { bluetooth, destroy } = createBluetooth();
  let busError: unknown;
  let failBus: (error: unknown) => void = () => {};
  const busDown = new Promise<never>((_, reject) => (failBus = reject));
  busDown.catch(() => {});
  // dbus-next reports socket failures (no bus, no permission) only as an 'error' event and leaves
  // pending calls hanging: fail them at once, and keep the error for the message
  (bluetooth as unknown as { dbus: { on(e: string, f: (err: unknown) => void): void } }).dbus.on(
    "error",
    (error) => {
      busError = error;
      failBus(error);
    },
  );
  return { bluetooth, destroy, busDown, busError: () => busError };
}

/** The device's name; `final` is false when BlueZ has no name yet and only the alias exists. */
async function nameOf(device: Device): Promise<{ name: string; final: boolean }> {
  try {
    return { name: await device.getName(), final: true };
  } catch {
    return { name: await device.getAlias(), final: false };
  }
}

/** Connects to the headset and resolves once its command (and, if asked, status) characteristic is usable. */
export async function connectHeadset(target: BluezTarget): Promise<ControlLink> {
  const { timing, log, signal } = target;
  const { bluetooth, destroy, busDown, busError } = await openBluez();
  const call = <T>(work: Promise<T>, what: string, ms = timing.call) =>
    bounded(Promise.race([work, busDown]), ms, what, signal);
  let device: Device | undefined;
  try {
    const adapters = await call(bluetooth.adapters(), "listing Bluetooth adapters");
    if (adapters.length === 0) {
      throw activationError(
        "No Bluetooth adapter found. Plug one in or unblock it (`rfkill unblock bluetooth`), check with `bluetoothctl list`, then retry.",
      );
    }
    const adapterName = adapters[0]!;
    const adapter = await call(bluetooth.getAdapter(adapterName), "opening the adapter");
    if (!(await call(adapter.isPowered(), "reading the adapter state"))) {
      throw activationError(
        `The Bluetooth adapter ${adapterName} is powered off: power it on with \`bluetoothctl power on\`, then retry.`,
      );
    }
    const found = await findHeadset(adapter, target, call);
    device = found.device;
    log.log("INFO", `BLE: connecting to ${found.name} [${found.address}]`);
    try {
      await call(device.connect(), "connecting over BLE", timing.connect);
    } catch (error) {
      if ((error as { type?: string }).type !== "org.bluez.Error.AlreadyConnected") throw error;
    }
    await waitServicesResolved(device, timing.services, signal);
    const gatt = await call(device.gatt(), "reading the GATT services");
    let service: NodeBle.GattService;
    try {
      service = await gatt.getPrimaryService(MW75_SERVICE_UUID);
    } catch {
      throw activationError(
        `${found.name} [${found.address}] has no MW75 control service (${MW75_SERVICE_UUID}). Is it an MW75 Neuro? Use the address of an MW75 (scan_devices or \`bluetoothctl devices\` lists them).`,
      );
    }
    const command = await call(
      service.getCharacteristic(MW75_COMMAND_UUID),
      "finding the command characteristic",
    );
    if (target.onStatus) {
      const status = await call(
        service.getCharacteristic(MW75_STATUS_UUID),
        "finding the status characteristic",
      );
      const onStatus = target.onStatus;
      status.on("valuechanged", (value: Buffer) => onStatus(new Uint8Array(value)));
      // subscribe before the first write so no confirmation is missed
      await call(status.startNotifications(), "starting status notifications");
    }
    log.log("DEBUG", `BLE: connected to ${found.name}, control characteristics ready`);
    const connected = device;
    let closed: Promise<void> | undefined;
    return {
      address: found.address,
      name: found.name,
      channel: {
        // classified here, where the bus's own failures are known: the device sees BridgeErrors only
        write: (frame) =>
          call(command.writeValueWithResponse(Buffer.from(frame)), "writing a command")
            .catch((error: unknown) => Promise.reject(bleFailure(error))),
      },
      close: () => (closed ??= bounded(connected.disconnect(), timing.call, "disconnecting BLE")
        .catch((error) => log.log("DEBUG", `BLE disconnect: ${String(error)}`))
        .finally(destroy)),
    };
  } catch (error) {
    if (device) {
      await bounded(device.disconnect(), timing.call, "disconnecting BLE").catch(() => {});
    }
    destroy();
    throw bleFailure(error, busError());
  }
}

async function findHeadset(
  adapter: Adapter,
  target: BluezTarget,
  call: <T>(work: Promise<T>, what: string) => Promise<T>,
): Promise<{ device: Device; address: string; name: string }> {
  const wanted = target.device?.toUpperCase();
  if (wanted !== undefined && !ADDRESS.test(wanted)) {
    throw activationError(
      `--device "${target.device}" is not a Bluetooth address; use the form AA:BB:CC:DD:EE:FF.`,
    );
  }
  const checked = new Set<string>();
  const match = async (): Promise<
    { device: Device; address: string; name: string } | undefined
  > => {
    for (const address of await call(adapter.devices(), "listing devices")) {
      if (wanted !== undefined ? address.toUpperCase() !== wanted : checked.has(address)) continue;
      const device = await call(adapter.getDevice(address), "opening a device");
      const { name, final } = await call(nameOf(device), "reading a device name");
      if (wanted !== undefined || name.toUpperCase().includes("MW75")) {
        return { device, address, name };
      }
      // a nameless device may still get its name from a later advertisement
      if (final) checked.add(address);
    }
    return undefined;
  };
  const known = await match();
  if (known) return known;
  target.log.log(
    "INFO",
    `BLE: scanning ${Math.round(target.scanMs / 100) / 10} s for ${wanted ?? "an MW75"}`,
  );
  let started = false;
  try {
    await call(adapter.startDiscovery(), "starting discovery");
    started = true;
  } catch (error) {
    // someone else's scan is fine; anything else is reported but the poll still looks
    if (!String(error).includes("already in progress")) {
      target.log.log("WARNING", `BLE: discovery not started: ${String(error)}`);
    }
  }
  try {
    const deadline = Date.now() + target.scanMs;
    while (Date.now() < deadline) {
      await abortableSleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), target.signal);
      const hit = await match();
      if (hit) return hit;
    }
  } finally {
    if (started) await call(adapter.stopDiscovery(), "stopping discovery").catch(() => {});
  }
  const seconds = Math.round(target.scanMs / 100) / 10;
  throw activationError(
    `${
      wanted ? `The headset ${wanted} was not found` : "No MW75 headset was found"
    } in a ${seconds} s BLE scan. ` +
      "Pair it first (bluetoothctl pair <ADDR>); the headset only advertises BLE while it is the active audio device, " +
      "so connect it as your audio output, then retry" +
      (wanted ? "." : " (or pass --device <ADDR>)."),
  );
}

async function waitServicesResolved(
  device: Device,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  // polled instead of node-ble's wait: that one subscribes only after reading the property and
  // can miss a change that lands in between
  const helper = (device as unknown as { helper: { prop(name: string): Promise<unknown> } }).helper;
  const deadline = Date.now() + ms;
  while (
    !(await bounded(helper.prop("ServicesResolved"), ms, "reading ServicesResolved", signal))
  ) {
    if (Date.now() >= deadline) {
      throw activationError(
        `BlueZ did not resolve the headset's GATT services within ${
          ms / 1000
        } s. Turn the headset off and on, then retry.`,
      );
    }
    await abortableSleep(100, signal);
  }
}
