/**
 * @module `list_devices`, `scan_devices` and `connect_device` (BRIDGE-API §6): the commands about
 * the bridge's devices rather than the socket's own, answered from any device's socket.
 */
import { BridgeError } from "../core/errors.ts";
import type { ErrorCode } from "../core/errors.ts";
import type { DiscoveredDevice } from "../core/ports.ts";
import { parseConnectDevice, parseScan } from "../protocol/device-requests.ts";
import { isRequestProblem } from "../protocol/request-fields.ts";
import type { RecordingCommands } from "./recording-commands.ts";

/** What the commands need of the bridge's device set (the Bridge implements it). */
export interface FleetCommands {
  /** The `devices` entries of every device, in order. */
  describe(): Array<Record<string, unknown>>;
  /** A discovery of `durationS` seconds; rejects with a BridgeError (SCAN_FAILED). */
  scan(durationS: number): Promise<DiscoveredDevice[]>;
  /** Adds (or finds) the headset at `address`, connecting; rejects with a BridgeError. */
  connectDevice(
    address: string,
    rfcommTty: string | null,
  ): Promise<{ deviceId: string; added: boolean }>;
  /** The recording commands of device `id` (a `marker` naming another device), or undefined. */
  recordingCommandsOf(id: string): RecordingCommands | undefined;
}

type Reply = (type: string, data: Record<string, unknown>) => void;
type Refuse = (code: ErrorCode, message: string) => void;

/** Executes one device command; scans and connects answer when they are done. */
export function dispatchDeviceCommand(
  fleet: FleetCommands,
  type: string,
  data: unknown,
  reply: Reply,
  refuse: Refuse,
): void {
  const failed = (fallback: ErrorCode) => (e: unknown) =>
    e instanceof BridgeError
      ? refuse(e.code, e.message)
      : refuse(fallback, e instanceof Error ? e.message : String(e));
  switch (type) {
    case "list_devices":
      return reply("devices", { devices: fleet.describe() });
    case "scan_devices": {
      const req = parseScan(data);
      if (isRequestProblem(req)) return refuse(req.code, req.message);
      void fleet.scan(req.durationS).then(
        (found) => reply("scan_result", { devices: found.map(scanEntry) }),
        failed("SCAN_FAILED"),
      );
      return;
    }
    case "connect_device": {
      const req = parseConnectDevice(data);
      if (isRequestProblem(req)) return refuse(req.code, req.message);
      void fleet.connectDevice(req.address, req.rfcommTty).then(
        ({ deviceId, added }) =>
          reply("command_ack", {
            command: "connect_device",
            device_id: deviceId,
            address: req.address,
            message: added
              ? `Connected to the headset ${req.address} as ${deviceId}`
              : `The headset ${req.address} is already ${deviceId}`,
          }),
        failed("CONNECTION_FAILED"),
      );
      return;
    }
  }
}

function scanEntry(d: DiscoveredDevice): Record<string, unknown> {
  return { address: d.address, name: d.name, rssi: d.rssi, paired: d.paired };
}
