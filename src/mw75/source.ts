/** @module The real MW75 headset as a DeviceSource: BLE activation through the BlueZ port, then the RFCOMM tty through the tty port. */
import type { ByteStreamHandle, OpenTty } from "../ports/tty.ts";
import type { DeviceLink, DeviceSource } from "../ports/device-source.ts";
import type { Logger } from "../ports/logger.ts";
import type { BluezControl } from "../ports/bluez.ts";
import {
  activate,
  deactivate,
  DEFAULT_TIMING,
  type Mw75Timing,
  StatusTracker,
} from "./activation.ts";
import { abortableSleep } from "./bounded.ts";
import { stepFailure } from "./errors.ts";
import { openRfcomm, rfcommFailure } from "./rfcomm.ts";
import { switchEegOff } from "./switch-off.ts";

/** Options for the real headset; the CLI fills them from --device, --rfcomm-tty and --scan-ms. */
export interface Mw75Options {
  /** Bluetooth address AA:BB:CC:DD:EE:FF; skips the scan when given. */
  device?: string;
  /** RFCOMM tty carrying the data stream (default /dev/rfcomm0). */
  rfcommTty: string;
  /** BLE scan duration in ms (default 4000). */
  scanMs: number;
  /** Per-runtime tty opener (src/adapters/serial/<runtime>.ts). */
  openTty: OpenTty;
  /** BlueZ, for the activation and the switch-off (src/adapters/ble/port.ts). */
  bluez: BluezControl;
  /** Overrides of the BLE pauses and bounds (tests shrink them). */
  timing?: Partial<Mw75Timing>;
  /**
   * No byte for this long ends the link (default 8000 ms; 0 leaves it to the session's limit
   * alone). The session's watchdog enforces it: the source's `noDataTimeoutMs`.
   */
  idleTimeoutMs?: number;
  /** Pause between closing the tty and reconnecting BLE to switch EEG off (default 500 ms). */
  disableDelayMs?: number;
  /** Bound on the whole switch-off (reconnect, two commands, disconnect) at teardown (default 10 s). */
  disableTimeoutMs?: number;
}

const DEFAULT_IDLE_MS = 8000;

/** Creates the DeviceSource for a real MW75 Neuro on Linux. */
export function createMw75Source(options: Mw75Options): DeviceSource {
  const timing: Mw75Timing = { ...DEFAULT_TIMING, ...options.timing };
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS;
  // the previous link's teardown talks to the same headset over BLE: a reconnect waits for it
  // (every step of it is bounded) instead of racing it
  let teardown: Promise<void> = Promise.resolve();
  return {
    kind: "mw75",
    synthetic: false,
    description: `MW75 Neuro headset (Linux, BlueZ + RFCOMM ${options.rfcommTty})`,
    ...(idleMs > 0 ? { noDataTimeoutMs: idleMs } : {}),
    async open({ signal, log }) {
      await teardown;
      const link = await openLink(options, timing, signal, log);
      return {
        batteryLevel: link.batteryLevel,
        readable: link.readable,
        close: () => (teardown = link.close()),
      };
    },
  };
}

async function openLink(
  options: Mw75Options,
  timing: Mw75Timing,
  signal: AbortSignal,
  log: Logger,
): Promise<DeviceLink> {
  const sleep = (ms: number) => abortableSleep(ms, signal);
  const tracker = new StatusTracker(log);
  log.log("INFO", "Activating the MW75 over BLE (BlueZ)");
  const control = await options.bluez.connect({
    ...(options.device === undefined ? {} : { device: options.device }),
    scanMs: options.scanMs,
    timing,
    log,
    signal,
    onStatus: (bytes) => tracker.feed(bytes),
  });
  let battery: number | null;
  try {
    ({ battery } = await activate(control.channel, tracker, timing, sleep, log));
  } catch (error) {
    if (tracker.eeg === true && !signal.aborted) {
      // EEG is on although activation failed (e.g. raw mode refused): switch it off before leaving
      await deactivate(control.channel, timing, (ms) => abortableSleep(ms)).catch(() => {});
    }
    await control.close();
    throw stepFailure(error);
  }
  // the data channel is opened with BLE down, as both references do
  await control.close();
  const address = control.address;
  log.log(
    "INFO",
    `EEG enabled on ${control.name} [${address}]${
      battery === null ? "" : `, battery ${battery}%`
    }; BLE disconnected`,
  );
  const disable = () =>
    switchEegOff({
      bluez: options.bluez,
      address,
      scanMs: options.scanMs,
      timing,
      log,
      boundMs: options.disableTimeoutMs ?? 10_000,
    });
  let handle: ByteStreamHandle;
  try {
    await sleep(timing.bleSettle);
    log.log("INFO", `RFCOMM: opening ${options.rfcommTty}`);
    handle = await openRfcomm(options.openTty, options.rfcommTty, timing.ttyOpen, signal);
  } catch (error) {
    await disable();
    throw rfcommFailure(error, options.rfcommTty, address);
  }
  log.log("INFO", `RFCOMM: streaming from ${options.rfcommTty}`);
  let closing: Promise<void> | undefined;
  return {
    batteryLevel: battery,
    readable: handle.readable,
    close: () => (closing ??= (async () => {
      await handle.close();
      await abortableSleep(options.disableDelayMs ?? 500);
      await disable();
    })()),
  };
}
