/** @module BlueZ discovery (createBluezDiscovery) against a private dbus-daemon running python-dbusmock's BlueZ with two emulated MW75s and another device: filtering, durations, cancellation, errors. */
import { describe, expect, test } from "bun:test";
import { execFile } from "node:child_process";
import { BridgeError } from "../../src/core/errors.ts";
import type { DiscoveredDevice } from "../../src/ports/discovery.ts";
import { createBluezDiscovery } from "../../src/adapters/ble/scan.ts";
import type { FakeBluez, FakeBluezOptions } from "../_support/fake-bluez.ts";
import { currentRuntime } from "../_support/runtime-tty.ts";
import { FIRST, recorder, SECOND, TWO_AND_ONE, withBluez } from "../_support/bluez-scene.ts";

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
