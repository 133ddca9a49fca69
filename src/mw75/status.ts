/** @module MW75 BLE control constants and the pure parser for status notifications (docs/protocol/mw75.md §1.1, §1.2, §1.6). Runtime-neutral. */

/** Vendor GATT service carrying the control characteristics. */
export const MW75_SERVICE_UUID = "00001100-d102-11e1-9b23-00025b00a5a5";
/** Command characteristic: the host writes (with response). */
export const MW75_COMMAND_UUID = "00001101-d102-11e1-9b23-00025b00a5a5";
/** Status characteristic: the headset notifies. */
export const MW75_STATUS_UUID = "00001102-d102-11e1-9b23-00025b00a5a5";

/** Command frames `09 9A 03 <cmd> <arg>` (§1.2). */
export const Commands = {
  ENABLE_EEG: Uint8Array.of(0x09, 0x9a, 0x03, 0x60, 0x01),
  DISABLE_EEG: Uint8Array.of(0x09, 0x9a, 0x03, 0x60, 0x00),
  ENABLE_RAW_MODE: Uint8Array.of(0x09, 0x9a, 0x03, 0x41, 0x01),
  DISABLE_RAW_MODE: Uint8Array.of(0x09, 0x9a, 0x03, 0x41, 0x00),
  BATTERY: Uint8Array.of(0x09, 0x9a, 0x03, 0x14, 0xff),
} as const;

const SUCCESS = 0xf1;
const CMD_EEG = 0x60;
const CMD_RAW = 0x41;
const CMD_BATTERY = 0x14;
const CMD_RFCOMM_STATUS = 0x88;

/** What one status notification means. */
export type StatusEvent =
  | { kind: "eeg"; ok: boolean; status: number }
  | { kind: "raw"; ok: boolean; status: number }
  | { kind: "battery"; level: number }
  | { kind: "rfcomm"; connected: boolean }
  | { kind: "other"; reason: string };

/** Lower-case hex with spaces, for logs ("09 9a 03 60 f1"). */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function battery(level: number): StatusEvent {
  // F0/F1 and other status-like values are not percentages
  return level <= 100
    ? { kind: "battery", level }
    : { kind: "other", reason: `battery byte ${level} out of range` };
}

/**
 * Interprets a notification from `…1102`. Accepts the three battery shapes seen in the references
 * (`14 F1 NN`, `14 NN` with NN≠F1, `F1 NN`) and never reads a bare `14 F1` as a level.
 */
export function parseStatus(bytes: Uint8Array): StatusEvent {
  if (bytes.length < 5) return { kind: "other", reason: `short frame (${bytes.length} bytes)` };
  if (bytes[0] !== 0x09 || bytes[1] !== 0x9a) {
    return { kind: "other", reason: "not an M&D GAIA frame" };
  }
  const cmd = bytes[3]!;
  const status = bytes[4]!;
  switch (cmd) {
    case CMD_EEG:
      return { kind: "eeg", ok: status === SUCCESS, status };
    case CMD_RAW:
      return { kind: "raw", ok: status === SUCCESS, status };
    case CMD_BATTERY:
      if (status !== SUCCESS) return battery(status);
      if (bytes.length >= 6) return battery(bytes[5]!);
      return { kind: "other", reason: "battery acknowledged without a level" };
    case CMD_RFCOMM_STATUS:
      return { kind: "rfcomm", connected: status === 0x01 };
    case SUCCESS:
      if (bytes[2] === 0x03) return battery(status);
      return { kind: "other", reason: "F1 frame without the 03 feature byte" };
    default:
      return { kind: "other", reason: `unhandled command 0x${cmd.toString(16).padStart(2, "0")}` };
  }
}
