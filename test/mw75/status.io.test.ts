/** @module Pure parts of the real-headset source: status parsing, the activation/deactivation sequences, error messages. */
import { describe, expect, test } from "bun:test";
import { BridgeError } from "../../src/core/errors.ts";
import type { Logger, LogLevel } from "../../src/ports/logger.ts";
import { activate, deactivate, StatusTracker } from "../../src/mw75/activation.ts";
import { bleFailure } from "../../src/adapters/ble/ble-errors.ts";
import { StepTimeout } from "../../src/mw75/bounded.ts";
import { Commands, hex, parseStatus } from "../../src/mw75/status.ts";
import { bindHint, ttyOpenError } from "../../src/adapters/serial/tty-errors.ts";

const frame = (...bytes: number[]) => Uint8Array.from(bytes);
const GAIA = [0x09, 0x9a, 0x03];

describe("parseStatus", () => {
  test("confirmations and refusals of EEG and raw mode", () => {
    expect(parseStatus(frame(...GAIA, 0x60, 0xf1))).toEqual({
      kind: "eeg",
      ok: true,
      status: 0xf1,
    });
    expect(parseStatus(frame(...GAIA, 0x60, 0xf0))).toEqual({
      kind: "eeg",
      ok: false,
      status: 0xf0,
    });
    expect(parseStatus(frame(...GAIA, 0x41, 0xf1))).toEqual({
      kind: "raw",
      ok: true,
      status: 0xf1,
    });
    expect(parseStatus(frame(...GAIA, 0x41, 0xf0))).toEqual({
      kind: "raw",
      ok: false,
      status: 0xf0,
    });
  });

  test("the three battery shapes give the level", () => {
    expect(parseStatus(frame(...GAIA, 0x14, 0xf1, 85))).toEqual({ kind: "battery", level: 85 });
    expect(parseStatus(frame(...GAIA, 0x14, 62))).toEqual({ kind: "battery", level: 62 });
    expect(parseStatus(frame(...GAIA, 0xf1, 40))).toEqual({ kind: "battery", level: 40 });
  });

  test("a bare 14 F1, a 14 F0 and out-of-range bytes are not levels", () => {
    expect(parseStatus(frame(...GAIA, 0x14, 0xf1)).kind).toBe("other");
    expect(parseStatus(frame(...GAIA, 0x14, 0xf0)).kind).toBe("other");
    expect(parseStatus(frame(...GAIA, 0x14, 0xf1, 0xc8)).kind).toBe("other");
    expect(parseStatus(frame(0x09, 0x9a, 0x07, 0xf1, 40)).kind).toBe("other");
  });

  test("short frames, foreign prefixes, RFCOMM status and unknown ids", () => {
    expect(parseStatus(frame(...GAIA, 0x60))).toEqual({
      kind: "other",
      reason: "short frame (4 bytes)",
    });
    expect(parseStatus(frame(0x08, 0x9a, 0x03, 0x60, 0xf1)).kind).toBe("other");
    expect(parseStatus(frame(...GAIA, 0x88, 0x01))).toEqual({ kind: "rfcomm", connected: true });
    expect(parseStatus(frame(...GAIA, 0x88, 0x00))).toEqual({ kind: "rfcomm", connected: false });
    expect(parseStatus(frame(...GAIA, 0xe0, 0x01)).kind).toBe("other");
  });

  test("command frames match the protocol bytes", () => {
    expect(hex(Commands.ENABLE_EEG)).toBe("09 9a 03 60 01");
    expect(hex(Commands.ENABLE_RAW_MODE)).toBe("09 9a 03 41 01");
    expect(hex(Commands.BATTERY)).toBe("09 9a 03 14 ff");
    expect(hex(Commands.DISABLE_RAW_MODE)).toBe("09 9a 03 41 00");
    expect(hex(Commands.DISABLE_EEG)).toBe("09 9a 03 60 00");
  });
});

/** A headset stand-in: answers each written command through the tracker, per `replies`. */
function fakeHeadset(replies: (frame: Uint8Array, nth: number) => number[] | null) {
  const logs: [LogLevel, string][] = [];
  const log: Logger = { log: (level, message) => void logs.push([level, message]) };
  const tracker = new StatusTracker(log);
  const steps: string[] = [];
  let n = 0;
  const channel = {
    write(f: Uint8Array) {
      steps.push(`write ${hex(f)}`);
      const reply = replies(f, n++);
      if (reply) queueMicrotask(() => tracker.feed(Uint8Array.from(reply)));
      return Promise.resolve();
    },
  };
  const sleep = (ms: number) => Promise.resolve(void steps.push(`sleep ${ms}`));
  return { channel, tracker, steps, sleep, log, logs };
}

const standard = (confirmRaw: (nth: number) => boolean) => (f: Uint8Array, nth: number) => {
  if (f[3] === 0x60) return [...GAIA, 0x60, 0xf1];
  if (f[3] === 0x41) return [...GAIA, 0x41, confirmRaw(nth) ? 0xf1 : 0xf0];
  if (f[3] === 0x14) return [...GAIA, 0x14, 0xf1, 85];
  return null;
};
const TIMING = { afterEnableEeg: 100, afterRawMode: 500, afterBattery: 500 };

describe("activation sequence", () => {
  test("EEG → 100 ms → raw → 500 ms → battery → 500 ms; battery 85", async () => {
    const h = fakeHeadset(standard(() => true));
    const result = await activate(h.channel, h.tracker, TIMING, h.sleep, h.log);
    expect(result.battery).toBe(85);
    expect(h.steps).toEqual([
      "write 09 9a 03 60 01",
      "sleep 100",
      "write 09 9a 03 41 01",
      "sleep 500",
      "write 09 9a 03 14 ff",
      "sleep 500",
    ]);
  });

  test("one 41 F0 is retried once and then succeeds", async () => {
    const h = fakeHeadset(standard((nth) => nth > 1));
    const result = await activate(h.channel, h.tracker, TIMING, h.sleep, h.log);
    expect(result.battery).toBe(85);
    expect(h.steps.filter((s) => s === "write 09 9a 03 41 01")).toHaveLength(2);
    expect(h.logs.some(([level, m]) => level === "WARNING" && m.includes("retrying"))).toBe(true);
  });

  test("41 F0 twice is BLE_ACTIVATION_FAILED", async () => {
    const h = fakeHeadset(standard(() => false));
    const error = await activate(h.channel, h.tracker, TIMING, h.sleep, h.log).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as BridgeError).code).toBe("BLE_ACTIVATION_FAILED");
    expect((error as BridgeError).message).toContain("41 F0");
  });

  test("no raw-mode confirmation at all is BLE_ACTIVATION_FAILED", async () => {
    const h = fakeHeadset((f, n) => (f[3] === 0x41 ? null : standard(() => true)(f, n)));
    const error = await activate(h.channel, h.tracker, TIMING, h.sleep, h.log).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as BridgeError).code).toBe("BLE_ACTIVATION_FAILED");
    expect((error as BridgeError).message).toContain("no 41 F1");
  });

  test("no EEG confirmation is BLE_ACTIVATION_FAILED even when raw mode is confirmed", async () => {
    const h = fakeHeadset((f, n) => (f[3] === 0x60 ? null : standard(() => true)(f, n)));
    const error = await activate(h.channel, h.tracker, TIMING, h.sleep, h.log).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as BridgeError).code).toBe("BLE_ACTIVATION_FAILED");
    expect((error as BridgeError).message).toContain("no 60 F1");
  });

  test("deactivation: raw off → 100 ms → EEG off → 500 ms", async () => {
    const h = fakeHeadset(() => null);
    await deactivate(h.channel, { afterDisableRaw: 100, afterDisableEeg: 500 }, h.sleep);
    expect(h.steps).toEqual([
      "write 09 9a 03 41 00",
      "sleep 100",
      "write 09 9a 03 60 00",
      "sleep 500",
    ]);
  });
});

describe("error messages say what to do", () => {
  const dbusError = (type: string) => Object.assign(new Error(type), { type });

  test("BlueZ failures map to BLE_ACTIVATION_FAILED with the fix", () => {
    const cases: [unknown, unknown, string][] = [
      [
        dbusError("org.freedesktop.DBus.Error.ServiceUnknown"),
        undefined,
        "systemctl start bluetooth",
      ],
      [dbusError("org.freedesktop.DBus.Error.AccessDenied"), undefined, "bluetooth group"],
      [dbusError("org.bluez.Error.NotReady"), undefined, "bluetoothctl power on"],
      [
        new StepTimeout("listing Bluetooth adapters", 5000),
        Object.assign(new Error("x"), { code: "ENOENT" }),
        "system D-Bus",
      ],
      [new StepTimeout("connecting over BLE", 10000), undefined, "active audio device"],
      [dbusError("org.bluez.Error.Failed"), undefined, "org.bluez.Error.Failed"],
    ];
    for (const [error, bus, hint] of cases) {
      const mapped = bleFailure(error, bus);
      expect(mapped.code).toBe("BLE_ACTIVATION_FAILED");
      expect(mapped.message).toContain(hint);
    }
  });

  test("tty failures map to RFCOMM_CONNECTION_FAILED with the fix", () => {
    const cases: [string, string][] = [
      ["ENOENT", "rfcomm bind 0"],
      ["EACCES", "dialout"],
      ["EBUSY", "fuser"],
      ["EHOSTDOWN", "channel 25"],
    ];
    for (const [code, hint] of cases) {
      const mapped = ttyOpenError("/dev/rfcomm0", Object.assign(new Error(code), { code }));
      expect(mapped).toBeInstanceOf(BridgeError);
      expect(mapped.code).toBe("RFCOMM_CONNECTION_FAILED");
      expect(mapped.message).toContain(hint);
    }
  });

  test("the bind hint names the tty's index", () => {
    expect(bindHint("/dev/rfcomm3")).toBe("sudo rfcomm bind 3 <HEADSET-ADDRESS> 25");
    expect(bindHint("/tmp/elsewhere", "AA:BB:CC:DD:EE:FF")).toBe(
      "sudo rfcomm bind 0 AA:BB:CC:DD:EE:FF 25",
    );
  });
});
