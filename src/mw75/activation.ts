/** @module The MW75 activation and deactivation command sequences over an abstract command channel (docs/protocol/mw75.md §1.5, §1.7, §1.8). Runtime-neutral. */
import { BridgeError } from "../core/errors.ts";
import type { BluezBounds, CommandChannel } from "../ports/bluez.ts";
import type { Logger } from "../ports/logger.ts";
import { Commands, hex, parseStatus, type StatusEvent } from "./status.ts";

/** Every delay and timeout of the BLE control plane, in ms (BlueZ's own bounds among them); tests shrink them. */
export interface Mw75Timing extends BluezBounds {
  /** Pause after ENABLE_EEG ([Py] 100 ms). */
  afterEnableEeg: number;
  /** Pause after ENABLE_RAW_MODE. */
  afterRawMode: number;
  /** Pause after BATTERY. */
  afterBattery: number;
  /** Pause between the BLE disconnect and opening the RFCOMM tty. */
  bleSettle: number;
  /** Pause after DISABLE_RAW_MODE. */
  afterDisableRaw: number;
  /** Pause after DISABLE_EEG, before the BLE disconnect. */
  afterDisableEeg: number;
  /** Bound on opening the RFCOMM tty. */
  ttyOpen: number;
}

/** The reference timings ([Py] 1.0.6+, with [Rs]'s 1 s BLE settle and 10/15 s bounds). */
export const DEFAULT_TIMING: Mw75Timing = {
  afterEnableEeg: 100,
  afterRawMode: 500,
  afterBattery: 500,
  bleSettle: 1000,
  afterDisableRaw: 100,
  afterDisableEeg: 500,
  connect: 10_000,
  services: 15_000,
  call: 5_000,
  ttyOpen: 15_000,
};

/** Collects what the status notifications said during one activation. */
export class StatusTracker {
  eeg: boolean | null = null;
  raw: boolean | null = null;
  battery: number | null = null;

  constructor(private readonly log: Logger) {}

  /** Feeds one notification; returns its meaning. */
  feed(bytes: Uint8Array): StatusEvent {
    const event = parseStatus(bytes);
    switch (event.kind) {
      case "eeg":
        this.eeg = event.ok;
        this.log.log(
          event.ok ? "DEBUG" : "WARNING",
          `EEG ${event.ok ? "confirmed" : "refused"} (${hex(bytes)})`,
        );
        break;
      case "raw":
        this.raw = event.ok;
        this.log.log(
          event.ok ? "DEBUG" : "WARNING",
          `raw mode ${event.ok ? "confirmed" : "refused"} (${hex(bytes)})`,
        );
        break;
      case "battery":
        this.battery = event.level;
        this.log.log("DEBUG", `battery ${event.level}% (${hex(bytes)})`);
        break;
      case "rfcomm":
        this.log.log("DEBUG", `headset reports the RFCOMM link ${event.connected ? "up" : "down"}`);
        break;
      default:
        this.log.log("DEBUG", `status ${hex(bytes)}: ${event.reason}`);
    }
    return event;
  }
}

const failed = (message: string) => new BridgeError("BLE_ACTIVATION_FAILED", message);

/**
 * ENABLE_EEG → ENABLE_RAW_MODE (one retry on `41 F0`) → BATTERY with the pauses of `timing`;
 * requires both confirmations. Notifications must already be flowing into `tracker`.
 */
export async function activate(
  channel: CommandChannel,
  tracker: StatusTracker,
  timing: Pick<Mw75Timing, "afterEnableEeg" | "afterRawMode" | "afterBattery">,
  sleep: (ms: number) => Promise<void>,
  log: Logger,
): Promise<{ battery: number | null }> {
  log.log("DEBUG", "BLE: ENABLE_EEG");
  await channel.write(Commands.ENABLE_EEG);
  await sleep(timing.afterEnableEeg);
  log.log("DEBUG", "BLE: ENABLE_RAW_MODE");
  await channel.write(Commands.ENABLE_RAW_MODE);
  await sleep(timing.afterRawMode);
  if (tracker.raw === false) {
    // F0 means failed or not ready yet; the headset usually accepts a second request
    log.log("WARNING", "Raw mode refused (41 F0); retrying once");
    tracker.raw = null;
    await channel.write(Commands.ENABLE_RAW_MODE);
    await sleep(timing.afterRawMode);
  }
  log.log("DEBUG", "BLE: BATTERY");
  await channel.write(Commands.BATTERY);
  await sleep(timing.afterBattery);
  if (tracker.eeg !== true) {
    throw failed(
      tracker.eeg === false
        ? "The headset refused to enable EEG (60 F0). Turn it off and on, then retry."
        : "The headset did not confirm ENABLE_EEG (no 60 F1 notification). Make sure it is an MW75 Neuro with current firmware, turn it off and on, then retry.",
    );
  }
  if (tracker.raw !== true) {
    throw failed(
      tracker.raw === false
        ? "The headset refused raw EEG mode twice (41 F0). Turn it off and on (or update its firmware in the Master & Dynamic app), then retry."
        : "The headset did not confirm raw EEG mode (no 41 F1 notification). Turn it off and on, then retry.",
    );
  }
  return { battery: tracker.battery };
}

/** DISABLE_RAW_MODE → pause → DISABLE_EEG → pause (the caller disconnects afterwards). */
export async function deactivate(
  channel: CommandChannel,
  timing: Pick<Mw75Timing, "afterDisableRaw" | "afterDisableEeg">,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  await channel.write(Commands.DISABLE_RAW_MODE);
  await sleep(timing.afterDisableRaw);
  await channel.write(Commands.DISABLE_EEG);
  await sleep(timing.afterDisableEeg);
}
