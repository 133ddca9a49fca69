/**
 * @module The data of `scan_devices` and `connect_device` (docs/protocol/bridge-api.md §6), checked field by field:
 * INVALID_PARAMETERS names the field and its range.
 */
import * as v from "valibot";
import { checkFields, missing } from "./request-fields.ts";
import type { Rules } from "./request-fields.ts";
import { accept } from "./result.ts";
import type { ConnectDeviceData, RemoveDeviceData, ScanData } from "./request-data.ts";
import type { Checked } from "./result.ts";

/** A validated `scan_devices`. */
export interface ScanRequest {
  durationS: number;
}

/** A validated `connect_device`. */
export interface ConnectDeviceRequest {
  /** Upper-case AA:BB:CC:DD:EE:FF. */
  address: string;
  /** The RFCOMM tty bound to it (else the one `--rfcomm-tty ADDR=PATH` gave). */
  rfcommTty: string | null;
}

/** A validated `remove_device` (docs/protocol/bridge-api.md §11). */
export interface RemoveDeviceRequest {
  deviceId: string;
}

export const SCAN_DEFAULT_S = 4;
const ADDRESS = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;

const SCAN_FIELDS: Rules<ScanData> = {
  duration_s: [
    v.pipe(v.number(), v.finite(), v.minValue(1), v.maxValue(30)),
    "a number of seconds between 1 and 30",
  ],
};
const CONNECT_FIELDS: Rules<ConnectDeviceData> = {
  address: [v.pipe(v.string(), v.regex(ADDRESS)), "a Bluetooth address like AA:BB:CC:DD:EE:FF"],
  rfcomm_tty: [
    v.pipe(v.string(), v.minLength(1), v.maxLength(256), v.startsWith("/")),
    "an absolute tty path such as /dev/rfcomm1",
  ],
};

/** Reads `scan_devices` data; `duration_s` defaults to 4. */
export function parseScan(data: unknown): Checked<ScanRequest, "INVALID_PARAMETERS"> {
  const checked = checkFields(data, SCAN_FIELDS, "scan_devices");
  if (!checked.ok) return checked;
  return accept({ durationS: checked.value.duration_s ?? SCAN_DEFAULT_S });
}

/** Reads `connect_device` data; `address` is required. */
export function parseConnectDevice(
  data: unknown,
): Checked<ConnectDeviceRequest, "INVALID_PARAMETERS"> {
  const checked = checkFields(data, CONNECT_FIELDS, "connect_device");
  if (!checked.ok) return checked;
  const { address, rfcomm_tty } = checked.value;
  if (address === undefined) return missing(CONNECT_FIELDS, "address");
  return accept({ address: address.toUpperCase(), rfcommTty: rfcomm_tty ?? null });
}

const REMOVE_FIELDS: Rules<RemoveDeviceData> = {
  device_id: [v.pipe(v.string(), v.minLength(1), v.maxLength(64)), "a device id from list_devices"],
};

/** Reads `remove_device` data; `device_id` is required (whether it exists is the bridge's question). */
export function parseRemoveDevice(
  data: unknown,
): Checked<RemoveDeviceRequest, "INVALID_PARAMETERS"> {
  const checked = checkFields(data, REMOVE_FIELDS, "remove_device");
  if (!checked.ok) return checked;
  const { device_id } = checked.value;
  if (device_id === undefined) return missing(REMOVE_FIELDS, "device_id");
  return accept({ deviceId: device_id });
}
