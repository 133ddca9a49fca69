/**
 * @module The data of `scan_devices` and `connect_device` (BRIDGE-API §6), checked field by field:
 * INVALID_PARAMETERS names the field and its range.
 */
import * as v from "valibot";
import { checkFields, invalid } from "./request-fields.ts";
import type { RequestProblem, Rule } from "./request-fields.ts";

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

export const SCAN_DEFAULT_S = 4;
const ADDRESS = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;

const SCAN_FIELDS: Record<string, Rule> = {
  duration_s: [
    v.pipe(v.number(), v.finite(), v.minValue(1), v.maxValue(30)),
    "a number of seconds between 1 and 30",
  ],
};
const CONNECT_FIELDS: Record<string, Rule> = {
  address: [v.pipe(v.string(), v.regex(ADDRESS)), "a Bluetooth address like AA:BB:CC:DD:EE:FF"],
  rfcomm_tty: [
    v.pipe(v.string(), v.minLength(1), v.maxLength(256), v.startsWith("/")),
    "an absolute tty path such as /dev/rfcomm1",
  ],
};

/** Reads `scan_devices` data; `duration_s` defaults to 4. */
export function parseScan(data: unknown): ScanRequest | RequestProblem {
  const checked = checkFields(data, SCAN_FIELDS, "scan_devices");
  if (!("fields" in checked)) return checked;
  return { durationS: (checked.fields["duration_s"] as number | undefined) ?? SCAN_DEFAULT_S };
}

/** Reads `connect_device` data; `address` is required. */
export function parseConnectDevice(data: unknown): ConnectDeviceRequest | RequestProblem {
  const checked = checkFields(data, CONNECT_FIELDS, "connect_device");
  if (!("fields" in checked)) return checked;
  const address = checked.fields["address"] as string | undefined;
  if (address === undefined) {
    return invalid(`Invalid address: must be ${CONNECT_FIELDS["address"]![1]}, got nothing`);
  }
  return {
    address: address.toUpperCase(),
    rfcommTty: (checked.fields["rfcomm_tty"] as string | undefined) ?? null,
  };
}
