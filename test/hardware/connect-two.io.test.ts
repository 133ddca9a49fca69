/** @module connectHeadset by address with two emulated MW75s and another device on python-dbusmock's BlueZ: the named headset is the one activated, the others untouched. */
import { describe, expect, test } from "bun:test";
import type { BridgeError } from "../../src/core/errors.ts";
import {
  activate,
  DEFAULT_TIMING,
  type Mw75Timing,
  StatusTracker,
} from "../../src/mw75/activation.ts";
import { connectHeadset } from "../../src/adapters/ble/bluez.ts";
import { abortableSleep } from "../../src/mw75/bounded.ts";
import { currentRuntime } from "../_support/runtime-tty.ts";
import { FIRST, OTHER, recorder, SECOND, TWO_AND_ONE, withBluez } from "../_support/bluez-scene.ts";

const ENABLE = ["write 099a036001", "write 099a034101", "write 099a0314ff"];
const TIMING: Mw75Timing = {
  ...DEFAULT_TIMING,
  afterEnableEeg: 20,
  afterRawMode: 50,
  afterBattery: 60,
};

/** Whether the headset has answered the step whose pause is `ms` (the three pauses differ). */
function answered(tracker: StatusTracker, ms: number): boolean {
  if (ms === TIMING.afterEnableEeg) return tracker.eeg !== null;
  if (ms === TIMING.afterRawMode) return tracker.raw !== null;
  return tracker.battery !== null;
}

/**
 * The step's pause, then up to 5 s more (500 polls of 10 ms) for the headset's answer to it: the
 * pauses are shrunk to 20–60 ms to keep the test short, and a loaded runtime (Deno in a parallel CI
 * run) once read the battery notification after its 50-ms pause and got null. When the answer comes
 * is not what this test checks; which headset answers is.
 */
async function stepPause(tracker: StatusTracker, ms: number): Promise<void> {
  await abortableSleep(ms);
  for (let i = 0; i < 500 && !answered(tracker, ms); i++) await abortableSleep(10);
}

describe(`connectHeadset with two MW75 headsets present (${currentRuntime()})`, () => {
  test(
    "device: the second address activates the second headset only (its battery, its recorded writes)",
    async () => {
      await withBluez(TWO_AND_ONE, async (fake) => {
        const log = recorder();
        const tracker = new StatusTracker(log);
        const control = await connectHeadset({
          device: SECOND.toLowerCase(),
          scanMs: 2000,
          timing: TIMING,
          log,
          onStatus: (bytes) => tracker.feed(bytes),
        });
        try {
          expect(control.address.toUpperCase()).toBe(SECOND);
          expect(control.name).toBe("MW75 Neuro Lab");
          const { battery } = await activate(
            control.channel,
            tracker,
            TIMING,
            (ms) => stepPause(tracker, ms),
            log,
          );
          expect(battery).toBe(62);
        } finally {
          await control.close();
        }
        const second = await fake.device(SECOND).waitFor(
          (e) => e.at(-1) === "disconnect",
          5000,
          "the disconnect",
        );
        expect(second[0]).toBe("connect");
        expect(second.filter((e) => e.startsWith("write"))).toEqual(ENABLE);
        expect(fake.device(FIRST).events()).toEqual([]);
        expect(fake.device(OTHER).events()).toEqual([]);
        expect(fake.taggedEvents().every((line) => line.startsWith(`${SECOND} `))).toBe(true);
      });
    },
    30_000,
  );

  test(
    "device: the non-MW75 address is BLE_ACTIVATION_FAILED (no MW75 control service), no writes anywhere",
    async () => {
      await withBluez(TWO_AND_ONE, async (fake) => {
        const error = await connectHeadset({
          device: OTHER,
          scanMs: 2000,
          timing: TIMING,
          log: recorder(),
        }).then(
          (c) => (void c.close(), null),
          (e: unknown) => e as BridgeError,
        );
        expect(error?.code).toBe("BLE_ACTIVATION_FAILED");
        expect(error?.message).toContain("no MW75 control service");
        expect(fake.taggedEvents().filter((l) => l.includes("write"))).toEqual([]);
        expect(fake.device(OTHER).events()).toContain("connect");
      });
    },
    30_000,
  );
});
