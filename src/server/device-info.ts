/**
 * @module A device's entry in `devices` (docs/protocol/bridge-api.md §6) and the device set of a bridge that runs
 * alone (unit tests, embedders): it lists itself and has nothing to scan or add.
 */
import type { DeviceEntry } from "../protocol/messages.ts";
import type { DeviceIdentity } from "../core/device-registry.ts";
import { BridgeError } from "../core/errors.ts";
import type { DeviceSession } from "../core/session.ts";
import type { BridgeCommands } from "./device-commands.ts";
import { defaultNotRemovable, unknownDevice } from "./device-removal.ts";
import type { Recordings } from "../recording/recordings.ts";
import type { RecordingCommands } from "./recording-commands.ts";

/** `{device_id, name, address, kind, state, battery_level, clients, recording}`. */
export function describeDevice(
  identity: DeviceIdentity,
  session: DeviceSession,
  clients: number,
  recordings: Recordings | null,
): DeviceEntry {
  // a start still under way has no recording yet: not the previous one's object
  const recording = recordings?.current() ?? null;
  return {
    device_id: identity.id,
    name: identity.name,
    address: identity.address,
    kind: identity.kind,
    state: session.reportedState,
    battery_level: session.batteryLevel,
    clients,
    recording: recording === null
      ? null
      : { id: recording["id"], session_name: recording["session_name"], state: recording["state"] },
  };
}

/** The device set of a served device used without a bridge around it. */
export function soloBridge(
  self: {
    describe(): DeviceEntry;
    identity: DeviceIdentity;
    recordingCommands: RecordingCommands;
  },
): BridgeCommands {
  return {
    describe: () => [self.describe()],
    recordingCommandsOf: (id) => (id === self.identity.id ? self.recordingCommands : undefined),
    scan: () =>
      Promise.reject(new BridgeError("SCAN_FAILED", "This bridge has no device discovery")),
    connectDevice: () =>
      Promise.reject(new BridgeError("CONNECTION_FAILED", "This bridge cannot add devices")),
    removeDevice: (id) =>
      Promise.reject(id === self.identity.id ? defaultNotRemovable(id) : unknownDevice(id)),
  };
}
