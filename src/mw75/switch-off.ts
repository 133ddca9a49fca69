/** @module Switching the MW75's EEG off after a link: reconnect BLE, raw mode and EEG off, disconnect — best effort and bounded. */
import type { BluezControl } from "../ports/bluez.ts";
import type { Logger } from "../ports/logger.ts";
import { deactivate, type Mw75Timing } from "./activation.ts";
import { abortableSleep, bounded } from "./bounded.ts";

/** The headset to switch off and how. */
export interface SwitchOff {
  bluez: BluezControl;
  address: string;
  scanMs: number;
  timing: Mw75Timing;
  log: Logger;
  /** Bound on the whole switch-off (reconnect, two commands, disconnect). */
  boundMs: number;
}

/** Never rejects: a failure is logged as a WARNING (the headset stops streaming when turned off). */
export async function switchEegOff(o: SwitchOff): Promise<void> {
  const { timing, log } = o;
  const run = async () => {
    const control = await o.bluez.connect({ device: o.address, scanMs: o.scanMs, timing, log });
    try {
      await deactivate(control.channel, timing, (ms) => abortableSleep(ms));
    } finally {
      await control.close();
    }
  };
  try {
    log.log("INFO", "BLE: switching EEG off");
    await bounded(run(), o.boundMs, "switching EEG off");
    log.log("INFO", "BLE: EEG off, disconnected");
  } catch (error) {
    log.log(
      "WARNING",
      `Could not switch EEG off over BLE (${
        error instanceof Error ? error.message : String(error)
      }); the headset stops streaming when it is turned off.`,
    );
  }
}
