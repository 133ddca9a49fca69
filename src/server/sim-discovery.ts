/** @module `scan_devices` on a bridge of simulated headsets (docs/protocol/bridge-api.md §6): the simulated devices answer as found. */
import type { DeviceDiscovery } from "../ports/discovery.ts";
import type { Bridge } from "./bridge.ts";

/** scan_devices on a bridge of simulated headsets: they answer as found, after the scan time. */
export function simDiscovery(bridge: Bridge): DeviceDiscovery {
  return {
    async list({ durationMs, signal }) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, durationMs));
        signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
      return bridge.list()
        .filter((b) => b.identity.kind === "sim" && b.identity.address !== null)
        .map((b) => ({
          address: b.identity.address!,
          name: b.identity.name,
          rssi: -50,
          paired: true,
        }));
    },
  };
}
