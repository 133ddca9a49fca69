/**
 * @module `list_devices`, `scan_devices`, `connect_device` (docs/protocol/bridge-api.md §6) and `remove_device` (§11): the commands about
 * the bridge's devices rather than the socket's own, answered from any device's socket.
 */
import { BridgeError } from "../core/errors.ts";
import type { ErrorCode } from "../protocol/errors.ts";
import type { DiscoveredDevice } from "../ports/discovery.ts";
import type {
  DeviceEntry,
  ScanEntry,
  ServerMessages,
  ServerMessageType,
} from "../protocol/messages.ts";
import { readRequest } from "../protocol/requests.ts";
import type { RecordingCommands } from "./recording-commands.ts";

/** What the commands need of the bridge's device set (the Bridge implements it). */
export interface BridgeCommands {
  /** The `devices` entries of every device, in order. */
  describe(): DeviceEntry[];
  /** A discovery of `durationS` seconds; rejects with a BridgeError (SCAN_FAILED). */
  scan(durationS: number): Promise<DiscoveredDevice[]>;
  /** Adds (or finds) the headset at `address`, connecting; rejects with a BridgeError. */
  connectDevice(
    address: string,
    rfcommTty: string | null,
  ): Promise<{ deviceId: string; added: boolean }>;
  /** Tears down and forgets device `id` (not the default one); rejects with a BridgeError. */
  removeDevice(id: string): Promise<void>;
  /** The recording commands of device `id` (a `marker` naming another device), or undefined. */
  recordingCommandsOf(id: string): RecordingCommands | undefined;
}

/** Sends one typed reply to the requester. */
export type Reply = <K extends ServerMessageType>(type: K, data: ServerMessages[K]) => void;
type Refuse = (code: ErrorCode, message: string) => void;

/** Executes one device command; scans and connects answer when they are done. */
export function dispatchDeviceCommand(
  bridge: BridgeCommands,
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
      // device-info.ts builds each entry with the DeviceEntry fields, not yet under that type
      return reply("devices", { devices: bridge.describe() as unknown as DeviceEntry[] });
    case "scan_devices": {
      const parsed = readRequest("scan_devices", data);
      if (!parsed.ok) return refuse(parsed.code, parsed.message);
      const req = parsed.value;
      void bridge.scan(req.durationS).then(
        (found) => reply("scan_result", { devices: found.map(scanEntry) }),
        failed("SCAN_FAILED"),
      );
      return;
    }
    case "connect_device": {
      const parsed = readRequest("connect_device", data);
      if (!parsed.ok) return refuse(parsed.code, parsed.message);
      const req = parsed.value;
      void bridge.connectDevice(req.address, req.rfcommTty).then(
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
    case "remove_device": {
      const parsed = readRequest("remove_device", data);
      if (!parsed.ok) return refuse(parsed.code, parsed.message);
      const id = parsed.value.deviceId;
      // acknowledged once the device is gone: its recording finalised, its sockets closed
      void bridge.removeDevice(id).then(
        () =>
          reply("command_ack", {
            command: "remove_device",
            device_id: id,
            message: `Device ${id} removed`,
          }),
        failed("MESSAGE_PROCESSING_ERROR"),
      );
      return;
    }
  }
}

function scanEntry(d: DiscoveredDevice): ScanEntry {
  return { address: d.address, name: d.name, rssi: d.rssi, paired: d.paired };
}
