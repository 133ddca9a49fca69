/**
 * @module The BlueZ port (src/ports/bluez.ts) on node-ble: what the composition root hands the MW75
 * device. Discovery and names load their module on first use, so a bridge that never scans keeps
 * it unloaded; node-ble itself loads only when a bus connection is opened (the adapter watch opens
 * one at start-up, on a bridge that can reach headsets).
 */
import type { AdapterWatcher, Bluez } from "../../ports/bluez.ts";
import { connectHeadset } from "./bluez.ts";
import { nodeBleAdapterWatcher } from "./adapter-watch.ts";

/** BlueZ on the system D-Bus (DBUS_SYSTEM_BUS_ADDRESS, else the default socket). */
export const nodeBleBluez: Bluez = {
  connect: connectHeadset,
  list: async (options) => (await import("./scan.ts")).createBluezDiscovery().list(options),
  readName: async (address) => (await import("./scan.ts")).readHeadsetName(address),
};

/** The adapter's status (present, powered, discovering), watched on the same system bus. */
export const nodeBleAdapterWatch: AdapterWatcher = nodeBleAdapterWatcher();
