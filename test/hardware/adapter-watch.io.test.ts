/** @module The adapter watch (nodeBleAdapterWatcher) against a private dbus-daemon with python-dbusmock's BlueZ: power, discovery, removal, BlueZ or the bus missing, dedup, close. */
import { describe, expect, test } from "bun:test";
import { nodeBleAdapterWatcher } from "../../src/adapters/ble/adapter-watch.ts";
import type { AdapterStatus } from "../../src/ports/bluez.ts";
import { recorder, withBluez } from "../_support/bluez-scene.ts";
import { startFakeBluez } from "../_support/fake-bluez.ts";
import {
  addAdapter,
  discovery,
  removeAdapter,
  setPowered,
  untilStatus,
} from "../_support/bluez-adapter.ts";
import { currentRuntime } from "../_support/runtime-tty.ts";

const ON = { present: true, powered: true, discovering: false };
const OFF = { present: true, powered: false, discovering: false };
const SCANNING = { present: true, powered: true, discovering: true };
const ABSENT = { present: false, powered: false, discovering: false };
/**
 * A change reaches the watch in one signal and one D-Bus read (ms when idle); 5 s is for Deno or Node
 * starting up on a loaded 2-core machine. The retry period is shrunk to 200 ms to keep the tests short.
 */
const CHANGE_MS = 5000;
const RETRY_MS = 200;

/** Starts a watch that records every status it reports. */
function watching() {
  const seen: AdapterStatus[] = [];
  const watch = nodeBleAdapterWatcher({ retryMs: RETRY_MS, callMs: 2000 }).watch(
    (s) => void seen.push(s),
    recorder(),
  );
  return { seen, last: () => seen.at(-1), watch };
}

describe(`adapter watch over emulated BlueZ (${currentRuntime()})`, () => {
  test(
    "reports power and discovery changes, each once, then absence when hci0 is removed and its return",
    async () => {
      await withBluez({}, async (fake) => {
        const { seen, last, watch } = watching();
        try {
          await untilStatus(last, ON, CHANGE_MS, "the first read");
          await setPowered(fake.busAddress, false);
          await untilStatus(last, OFF, CHANGE_MS, "power off");
          // the same value again is a PropertiesChanged but no new status
          await setPowered(fake.busAddress, false);
          await setPowered(fake.busAddress, true);
          await untilStatus(last, ON, CHANGE_MS, "power on");
          await discovery(fake.busAddress, true);
          await untilStatus(last, SCANNING, CHANGE_MS, "discovery started");
          await discovery(fake.busAddress, false);
          await untilStatus(last, ON, CHANGE_MS, "discovery stopped");
          expect(seen).toEqual([ON, OFF, ON, SCANNING, ON]);
          await removeAdapter(fake.busAddress);
          await untilStatus(last, ABSENT, CHANGE_MS, "hci0 removed");
          await addAdapter(fake.busAddress);
          await untilStatus(last, ON, CHANGE_MS, "hci0 back");
        } finally {
          await watch.close();
        }
        // closed: a change now is not reported. A second watch, still open, is the witness: once it
        // has the change, the bus has delivered the signal the closed one would have read
        const count = seen.length;
        const witness = watching();
        try {
          await untilStatus(witness.last, ON, CHANGE_MS, "the witness's first read");
          await setPowered(fake.busAddress, false);
          await untilStatus(witness.last, OFF, CHANGE_MS, "the witness sees power off");
        } finally {
          await witness.watch.close();
        }
        expect(seen.length).toBe(count);
      });
    },
    30_000,
  );

  test(
    "no BlueZ on the bus is absent; a lost bus is reconnected (to BlueZ with hci0 off), and its loss is absent again",
    async () => {
      const bus = await startFakeBluez({ bluez: false });
      const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
      process.env.DBUS_SYSTEM_BUS_ADDRESS = bus.busAddress;
      const { last, watch } = watching();
      let fake: Awaited<ReturnType<typeof startFakeBluez>> | undefined;
      try {
        await untilStatus(last, ABSENT, CHANGE_MS, "no BlueZ");
        // a second bus whose mock is up: the watch (still on the first bus) keeps saying absent
        fake = await startFakeBluez({ powered: false });
        expect(last()).toEqual(ABSENT);
        bus.stop();
        // the first bus is gone: the retry reconnects through the (now changed) address
        process.env.DBUS_SYSTEM_BUS_ADDRESS = fake.busAddress;
        await untilStatus(last, OFF, CHANGE_MS, "BlueZ after a reconnect");
        fake.stop();
        await untilStatus(last, ABSENT, CHANGE_MS, "the bus gone");
      } finally {
        await watch.close();
        if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
        else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
        bus.stop();
        fake?.stop();
      }
    },
    30_000,
  );

  test("BlueZ dying while the bus stays is absent (its name loses its owner)", async () => {
    await withBluez({}, async (fake) => {
      const { last, watch } = watching();
      try {
        await untilStatus(last, ON, CHANGE_MS, "the first read");
        fake.stopBluez();
        await untilStatus(last, ABSENT, CHANGE_MS, "BlueZ gone");
      } finally {
        await watch.close();
      }
    });
  }, 30_000);

  test("no system bus at all is absent, without a throw", async () => {
    const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = "unix:path=/nonexistent/mw75-no-bus.sock";
    const { last, watch } = watching();
    try {
      await untilStatus(last, ABSENT, CHANGE_MS, "no bus");
    } finally {
      await watch.close();
      if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
    }
  });
});
