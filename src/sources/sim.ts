/** @module The simulated MW75: seeded synthetic EEG packets at 500 Hz in RFCOMM-like chunks, with fault injection. */
import { BridgeError } from "../core/errors.ts";
import type { DeviceSource } from "../ports/device-source.ts";
import { sleepUnlessAborted } from "./pacer.ts";
import { openSimLink } from "./sim-link.ts";

export { simPackets, simRawChannels } from "./signal.ts";

/** Knobs of the simulator; every field is optional. */
export interface SimOptions {
  /** PRNG seed: same seed ⇒ same bytes (default 1). */
  seed?: number;
  /** Packets per second (default 500). */
  rateHz?: number;
  /** Emit as fast as the consumer reads instead of in real time (benchmarks). */
  unthrottled?: boolean;
  /**
   * Size of every chunk. Default: real-time mode hands over all complete 64-byte blocks at each
   * tick as one chunk (RFCOMM-like, never aligned to 63-byte packets); unthrottled mode uses 4096.
   */
  chunkBytes?: number;
  /**
   * Real-time mode: how often the simulated link delivers (ms, default 10): each delivery
   * carries every packet due by then, like a host reading an RFCOMM tty in bursts. 2 wakes the
   * reader once per packet at 500 Hz (closer to a per-packet device, but ~5× the timer wake-ups).
   */
  tickMs?: number;
  /** Battery percentage reported after activation (default 85). */
  batteryLevel?: number;
  /** Simulated BLE activation time before the link opens (default 20 ms). */
  activationDelayMs?: number;
  /** open() rejects with BLE_ACTIVATION_FAILED. */
  failActivation?: boolean;
  /** open() rejects with RFCOMM_CONNECTION_FAILED. */
  failRfcomm?: boolean;
  /** The first N opens fail with BLE_ACTIVATION_FAILED; later ones succeed. */
  failOpens?: number;
  /** The readable ends this long after the link opened, as when the headset goes out of range. */
  linkLossAfterMs?: number;
  /** Probability per packet that one of its payload bytes is flipped (checksum then fails). */
  corruptionRate?: number;
  /** Probability per packet that it is omitted (counters then gap). */
  dropRate?: number;
  /** 1-based channels that sit on the lead-off sentinel (raw 8388607) from the first packet on. */
  leadOffChannels?: number[];
}

function checkRange(name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !(value >= min && value <= max)) {
    throw new RangeError(`sim option ${name} must be within [${min}, ${max}], got ${value}`);
  }
}

/** Creates the simulated headset. Invalid options throw a RangeError at once. */
export function createSimSource(options: SimOptions = {}): DeviceSource {
  checkRange("rateHz", options.rateHz, 1e-3, 1e6);
  checkRange("chunkBytes", options.chunkBytes, 1, 1 << 24);
  checkRange("batteryLevel", options.batteryLevel, 0, 100);
  checkRange("corruptionRate", options.corruptionRate, 0, 1);
  checkRange("dropRate", options.dropRate, 0, 1);
  checkRange("failOpens", options.failOpens, 0, Number.MAX_SAFE_INTEGER);
  checkRange("tickMs", options.tickMs, 0, 1000);
  checkRange("activationDelayMs", options.activationDelayMs, 0, 3_600_000);
  checkRange("linkLossAfterMs", options.linkLossAfterMs, 0, Number.MAX_SAFE_INTEGER);
  for (const ch of options.leadOffChannels ?? []) checkRange("leadOffChannels", ch, 1, 12);
  const seed = options.seed ?? 1;
  const rateHz = options.rateHz ?? 500;
  const batteryLevel = options.batteryLevel ?? 85;
  let opens = 0;

  return {
    kind: "sim",
    synthetic: true,
    description: `simulated MW75 (synthetic data, seed ${seed}, ${rateHz} Hz${
      options.unthrottled ? ", unthrottled" : ""
    })`,
    async open({ signal, log }) {
      opens++;
      log.log("INFO", "Simulated MW75: activating over BLE (synthetic data)");
      await sleepUnlessAborted(options.activationDelayMs ?? 20, signal);
      if (options.failActivation || opens <= (options.failOpens ?? 0)) {
        throw new BridgeError(
          "BLE_ACTIVATION_FAILED",
          "BLE activation failed: the simulated headset did not confirm EEG mode (fault injected by the simulator)",
        );
      }
      log.log("INFO", `Simulated MW75: BLE activation complete, battery ${batteryLevel}%`);
      if (options.failRfcomm) {
        throw new BridgeError(
          "RFCOMM_CONNECTION_FAILED",
          "RFCOMM connection on channel 25 failed: the simulated headset refused the data link (fault injected by the simulator)",
        );
      }
      const link = openSimLink(seed, rateHz, batteryLevel, options, log);
      log.log(
        "INFO",
        `Simulated MW75: data link open, ${rateHz} Hz${
          options.unthrottled ? " (unthrottled)" : ""
        }`,
      );
      return link;
    },
  };
}
