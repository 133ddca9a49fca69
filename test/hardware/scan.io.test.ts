/**
 * @module BlueZ discovery (createBluezDiscovery) and connect-by-address with several headsets, against a
 * private dbus-daemon running python-dbusmock's BlueZ with two emulated MW75s and another device.
 */
import { describe, expect, test } from "bun:test";
import { execFile } from "node:child_process";
import { BridgeError } from "../../src/core/errors.ts";
import type { DiscoveredDevice } from "../../src/ports/discovery.ts";
import type { Logger, LogLevel } from "../../src/ports/logger.ts";
import {
  activate,
  DEFAULT_TIMING,
  type Mw75Timing,
  StatusTracker,
} from "../../src/mw75/activation.ts";
import { connectHeadset } from "../../src/adapters/ble/bluez.ts";
import { abortableSleep } from "../../src/mw75/bounded.ts";
import { createBluezDiscovery } from "../../src/adapters/ble/scan.ts";
import { MW75_SERVICE_UUID } from "../../src/mw75/status.ts";
import { type FakeBluez, type FakeBluezOptions, startFakeBluez } from "../_support/fake-bluez.ts";
import { currentRuntime } from "../_support/runtime-tty.ts";

const FIRST = "A0:B1:C2:D3:E4:75";
const SECOND = "A0:B1:C2:D3:E4:76";
const OTHER = "11:22:33:44:55:66";
/** Two headsets (the second given first and in lower case) and earbuds that even carry the GAIA service UUID. */
const TWO_AND_ONE: FakeBluezOptions = {
  headsets: [
    {
      address: SECOND.toLowerCase(),
      name: "MW75 Neuro Lab",
      rssi: -71,
      paired: false,
      battery: 62,
    },
    { address: FIRST, rssi: -48, paired: true },
  ],
  others: [{
    address: OTHER,
    name: "Pixel Buds",
    rssi: -40,
    paired: true,
    uuids: [MW75_SERVICE_UUID],
  }],
};
const ENABLE = ["write 099a036001", "write 099a034101", "write 099a0314ff"];
const TIMING: Mw75Timing = {
  ...DEFAULT_TIMING,
  afterEnableEeg: 20,
  afterRawMode: 50,
  afterBattery: 50,
};

function recorder(): Logger & { lines: [LogLevel, string][] } {
  const lines: [LogLevel, string][] = [];
  return { lines, log: (level, message) => void lines.push([level, message]) };
}

/** Runs `body` with a fake BlueZ on DBUS_SYSTEM_BUS_ADDRESS; tears it down. */
async function withBluez(
  options: FakeBluezOptions,
  body: (fake: FakeBluez) => Promise<void>,
): Promise<void> {
  const fake = await startFakeBluez(options);
  const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  process.env.DBUS_SYSTEM_BUS_ADDRESS = fake.busAddress;
  try {
    await body(fake);
  } finally {
    if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
    fake.stop();
  }
}

const scanError = (p: Promise<DiscoveredDevice[]>) =>
  p.then((d) => (d.length, null), (e: unknown) => e as BridgeError);

/** Calls an org.bluez.Adapter1 method on hci0 (or reads one of its properties) with dbus-send. */
function adapterCall(fake: FakeBluez, method: string, property?: string): Promise<string> {
  const args = property === undefined
    ? [`org.bluez.Adapter1.${method}`]
    : ["org.freedesktop.DBus.Properties.Get", "string:org.bluez.Adapter1", `string:${property}`];
  return new Promise((resolve, reject) =>
    execFile(
      "dbus-send",
      [`--bus=${fake.busAddress}`, "--print-reply", "--dest=org.bluez", "/org/bluez/hci0", ...args],
      { timeout: 3000 },
      (error, out, stderr) => (error ? reject(new Error(String(stderr))) : resolve(String(out))),
    )
  );
}
const discovering = async (fake: FakeBluez) =>
  (await adapterCall(fake, "Get", "Discovering")).includes("boolean true");

describe(`createBluezDiscovery over emulated BlueZ (${currentRuntime()})`, () => {
  test(
    "lists exactly the two MW75 headsets, sorted by address, with their names, RSSI and paired flags",
    async () => {
      await withBluez(TWO_AND_ONE, async (fake) => {
        const log = recorder();
        const devices = await createBluezDiscovery({ pollMs: 100 }).list({ durationMs: 800, log });
        expect(devices).toEqual([
          { address: FIRST, name: "MW75 Neuro", rssi: -48, paired: true },
          { address: SECOND, name: "MW75 Neuro Lab", rssi: -71, paired: false },
        ]);
        // the discovery this scan started is stopped again, and nothing was connected
        expect(await discovering(fake)).toBe(false);
        expect(fake.events()).toEqual([]);
        expect(log.lines.some(([l, m]) => l === "INFO" && m.includes("found 2 MW75"))).toBe(true);
      });
    },
    30_000,
  );

  test(
    "matches Name or Alias in any case, reports the Alias, and rssi null when BlueZ has none",
    async () => {
      const options: FakeBluezOptions = {
        headsets: [
          { address: FIRST, alias: "Lab headset 1", rssi: null },
          { address: SECOND, name: "Neuro", alias: "my mw75", rssi: -60, uuids: [] },
        ],
      };
      await withBluez(options, async () => {
        const devices = await createBluezDiscovery({ pollMs: 100 }).list({
          durationMs: 600,
          log: recorder(),
        });
        expect(devices).toEqual([
          { address: FIRST, name: "Lab headset 1", rssi: null, paired: true },
          { address: SECOND, name: "my mw75", rssi: -60, paired: true },
        ]);
      });
    },
    30_000,
  );

  test(
    "leaves a discovery someone else started running, and still lists what it finds",
    async () => {
      await withBluez(TWO_AND_ONE, async (fake) => {
        await adapterCall(fake, "StartDiscovery");
        const devices = await createBluezDiscovery({ pollMs: 100 }).list({
          durationMs: 600,
          log: recorder(),
        });
        expect(devices.map((d) => d.address)).toEqual([FIRST, SECOND]);
        expect(await discovering(fake)).toBe(true);
      });
    },
    30_000,
  );

  test(
    "a powered-off adapter is SCAN_FAILED naming it and `bluetoothctl power on`; a missing one names rfkill",
    async () => {
      await withBluez({ ...TWO_AND_ONE, powered: false }, async () => {
        const error = await scanError(
          createBluezDiscovery().list({ durationMs: 500, log: recorder() }),
        );
        expect(error).toBeInstanceOf(BridgeError);
        expect(error?.code).toBe("SCAN_FAILED");
        expect(error?.message).toContain("hci0 is powered off");
        expect(error?.message).toContain("bluetoothctl power on");
      });
      await withBluez({ adapter: false }, async () => {
        const error = await scanError(
          createBluezDiscovery().list({ durationMs: 500, log: recorder() }),
        );
        expect(error?.code).toBe("SCAN_FAILED");
        expect(error?.message).toContain("No Bluetooth adapter found");
        expect(error?.message).toContain("rfkill unblock bluetooth");
        expect(error?.message).toContain("bluetoothctl list");
      });
    },
    40_000,
  );

  test(
    "no BlueZ on the bus, or no bus at all, is SCAN_FAILED saying BlueZ is not running, with the cause",
    async () => {
      await withBluez({ bluez: false }, async () => {
        const started = Date.now();
        const error = await scanError(
          createBluezDiscovery().list({ durationMs: 500, log: recorder() }),
        );
        expect(error?.code).toBe("SCAN_FAILED");
        expect(error?.message).toContain("BlueZ is not running");
        expect(error?.message).toContain("systemctl start bluetooth");
        expect(error?.message).toContain("org.freedesktop.DBus.Error.ServiceUnknown");
        // the bus answers at once (ms); 3 s is 6× the 500-ms scan, so a scan that waited its
        // duration out before failing would still pass, one stuck on a call's 5-s bound would not
        expect(Date.now() - started).toBeLessThan(3000);
      });
      const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
      process.env.DBUS_SYSTEM_BUS_ADDRESS = "unix:path=/nonexistent/mw75-test-bus";
      try {
        const started = Date.now();
        const error = await scanError(
          createBluezDiscovery().list({ durationMs: 500, log: recorder() }),
        );
        expect(error?.code).toBe("SCAN_FAILED");
        expect(error?.message).toContain("BlueZ is not running");
        expect(error?.message).toContain("ENOENT");
        // as above: a failed socket connect is immediate, the 5-s call bound is not reached
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
        else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
      }
    },
    30_000,
  );

  test(
    "scans for durationMs: a headset seen after 1.2 s is missed by a 0.5 s scan and found by a 2 s one",
    async () => {
      await withBluez({ headsets: [{ address: FIRST, seenAfterMs: 1200 }] }, async () => {
        const discovery = createBluezDiscovery({ pollMs: 100 });
        let started = Date.now();
        expect(await discovery.list({ durationMs: 500, log: recorder() })).toEqual([]);
        const short = Date.now() - started;
        // the scan lasts its duration: a lower bound 50 ms under it (timer granularity), an upper
        // 1.5 s over it for the start/stop D-Bus calls to the Python mock on a loaded machine
        expect(short).toBeGreaterThanOrEqual(450);
        expect(short).toBeLessThan(2000);
        started = Date.now();
        const found = await discovery.list({ durationMs: 2000, log: recorder() });
        const long = Date.now() - started;
        expect(found.map((d) => d.address)).toEqual([FIRST]);
        expect(long).toBeGreaterThanOrEqual(1950);
        expect(long).toBeLessThan(3500);
      });
    },
    30_000,
  );

  test(
    "aborting the signal ends a long scan at once with SCAN_FAILED cancelled, and stops the discovery",
    async () => {
      await withBluez(TWO_AND_ONE, async (fake) => {
        const abort = new AbortController();
        const started = Date.now();
        setTimeout(() => abort.abort(), 400);
        const error = await scanError(
          createBluezDiscovery().list({
            durationMs: 20_000,
            signal: abort.signal,
            log: recorder(),
          }),
        );
        expect(error?.code).toBe("SCAN_FAILED");
        expect(error?.message).toContain("cancelled");
        // aborted at 0.4 s of a 20-s scan: within 2 s is "at once" with 1.6 s for a loaded machine
        expect(Date.now() - started).toBeLessThan(2000);
        expect(await discovering(fake)).toBe(false);
      });
    },
    30_000,
  );

  test("durationMs 0 or negative lists what BlueZ already knows without waiting", async () => {
    await withBluez(TWO_AND_ONE, async () => {
      const discovery = createBluezDiscovery();
      // a first scan makes BlueZ know both headsets
      await discovery.list({ durationMs: 600, log: recorder() });
      for (const durationMs of [0, -5, Number.NaN]) {
        const started = Date.now();
        const devices = await discovery.list({ durationMs, log: recorder() });
        expect(devices.map((d) => d.address)).toEqual([FIRST, SECOND]);
        // no wait at all, a couple of D-Bus calls (ms each): 1.5 s leaves room for a loaded
        // machine and is still well under the 10-s default scan a wrong reading of 0 would start
        expect(Date.now() - started).toBeLessThan(1500);
      }
    });
  }, 30_000);
});

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
            (ms) => abortableSleep(ms),
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
