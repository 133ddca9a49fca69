/**
 * @module The real-headset source end to end below the server: node-ble against a private dbus-daemon
 * running python-dbusmock's BlueZ with an emulated MW75, and a socat pty as the RFCOMM tty.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BridgeError } from "../../src/core/errors.ts";
import type { DeviceLink } from "../../src/ports/device-source.ts";
import type { Logger, LogLevel } from "../../src/ports/logger.ts";
import { nodeBleBluez } from "../../src/adapters/ble/port.ts";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createBlockBuilder } from "../../src/core/sample-blocks.ts";
import { DeviceSession } from "../../src/core/session.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { createMw75Source, type Mw75Options } from "../../src/mw75/source.ts";
import { type FakeBluezOptions, startFakeBluez } from "../_support/fake-bluez.ts";
import { feedPackets, makePackets, startPtyPair } from "../_support/pty-pair.ts";
import { currentRuntime, runtimeOpenTty } from "../_support/runtime-tty.ts";

const ENABLE = ["write 099a036001", "write 099a034101", "write 099a0314ff"];
const DISABLE = ["write 099a034100", "write 099a036000"];

function recorder(): Logger & { lines: [LogLevel, string][] } {
  const lines: [LogLevel, string][] = [];
  return { lines, log: (level, message) => void lines.push([level, message]) };
}

/** Runs `body` with a fake BlueZ on DBUS_SYSTEM_BUS_ADDRESS and a pty pair; tears everything down. */
async function withRig(
  fakeOptions: FakeBluezOptions,
  body: (
    rig: {
      source: (o?: Partial<Mw75Options>) => ReturnType<typeof createMw75Source>;
      fake: Awaited<ReturnType<typeof startFakeBluez>>;
      a: string;
      b: string;
    },
  ) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-ble-"));
  const fake = await startFakeBluez(fakeOptions);
  const pty = await startPtyPair(join(dir, "a"), join(dir, "b")).catch((e) => {
    fake.stop();
    throw e;
  });
  const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  process.env.DBUS_SYSTEM_BUS_ADDRESS = fake.busAddress;
  try {
    const openTty = await runtimeOpenTty();
    const source = (o: Partial<Mw75Options> = {}) =>
      createMw75Source({
        rfcommTty: pty.b,
        scanMs: 2000,
        openTty,
        bluez: nodeBleBluez,
        timing: { bleSettle: 100 },
        disableDelayMs: 50,
        ...o,
      });
    await body({ source, fake, a: pty.a, b: pty.b });
  } finally {
    if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
    pty.stop();
    fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const openError = (p: Promise<DeviceLink>) =>
  p.then((l) => (void l.close(), null), (e: unknown) => e as BridgeError);

describe(`MW75 source over emulated BlueZ (${currentRuntime()})`, () => {
  test("activates (battery 85), streams the pty bytes, and switches EEG off on close", async () => {
    await withRig({}, async ({ source, fake, a }) => {
      const log = recorder();
      const link = await source().open({ signal: new AbortController().signal, log });
      try {
        expect(link.batteryLevel).toBe(85);
        const events = fake.events();
        expect(events.filter((e) => e.startsWith("write"))).toEqual(ENABLE);
        // subscribed before the first write, and BLE dropped before the tty opened
        expect(events.indexOf("notify-on")).toBeLessThan(events.indexOf(ENABLE[0]!));
        expect(events.at(-1)).toBe("disconnect");
        expect(log.lines.some(([l, m]) => l === "INFO" && m.includes("battery 85%"))).toBe(true);

        const packets = makePackets(100);
        const want = packets.length * 63;
        const reader = link.readable.getReader();
        const feeding = feedPackets(a, packets, 500);
        const got: number[] = [];
        // 100 packets at 500 Hz take 0.2 s: 8 s only bounds a stream that stopped short
        const deadline = Date.now() + 8000;
        while (got.length < want && Date.now() < deadline) {
          const next = await reader.read();
          if (next.done) break;
          if (next.value instanceof Uint8Array) got.push(...next.value);
        }
        await feeding;
        reader.releaseLock();
        expect(got.length).toBe(want);
        expect(Buffer.from(got).equals(Buffer.concat(packets.map((p) => Buffer.from(p))))).toBe(
          true,
        );
      } finally {
        await link.close();
      }
      const after = fake.events();
      const tail = after.slice(after.lastIndexOf("connect"));
      expect(tail.filter((e) => e.startsWith("write"))).toEqual(DISABLE);
      expect(tail.at(-1)).toBe("disconnect");
    });
  }, 30_000);

  test("--device with the headset's address works without a name match", async () => {
    await withRig({}, async ({ source, fake }) => {
      const link = await source({ device: fake.address.toLowerCase() }).open({
        signal: new AbortController().signal,
        log: recorder(),
      });
      await link.close();
      expect(link.batteryLevel).toBe(85);
      expect(fake.events().filter((e) => e.startsWith("write"))).toEqual([...ENABLE, ...DISABLE]);
    });
  }, 30_000);

  test(
    "no headset advertising is BLE_ACTIVATION_FAILED telling to pair and make it the audio device",
    async () => {
      await withRig({ advertise: false }, async ({ source, fake }) => {
        const started = Date.now();
        const error = await openError(
          source({ scanMs: 1000 }).open({ signal: new AbortController().signal, log: recorder() }),
        );
        expect(error?.code).toBe("BLE_ACTIVATION_FAILED");
        expect(error?.message).toContain("No MW75 headset was found in a 1 s BLE scan");
        expect(error?.message).toContain("Pair it first");
        expect(error?.message).toContain("active audio device");
        // the 1-s scan plus a handful of D-Bus calls (ms each when idle): 5 s left for a loaded
        // machine, while a scan that ignored scanMs (the 10-s default) would still fail
        expect(Date.now() - started).toBeLessThan(6000);
        expect(fake.events()).not.toContain("connect");
      });
    },
    30_000,
  );

  test(
    "a headset that never confirms raw mode (41 F0) is BLE_ACTIVATION_FAILED; EEG is switched off and BLE dropped",
    async () => {
      await withRig({ confirmRaw: false }, async ({ source, fake }) => {
        const error = await openError(
          source().open({ signal: new AbortController().signal, log: recorder() }),
        );
        expect(error?.code).toBe("BLE_ACTIVATION_FAILED");
        expect(error?.message).toContain("41 F0");
        const events = fake.events();
        expect(events.filter((e) => e === "write 099a034101")).toHaveLength(2);
        // EEG had been confirmed, so it is switched off again before BLE is dropped
        expect(events.filter((e) => e.startsWith("write")).slice(-2)).toEqual(DISABLE);
        expect(events.at(-1)).toBe("disconnect");
      });
    },
    30_000,
  );

  test("a powered-off adapter and a missing adapter say how to fix them", async () => {
    await withRig({ powered: false }, async ({ source }) => {
      const error = await openError(
        source().open({ signal: new AbortController().signal, log: recorder() }),
      );
      expect(error?.code).toBe("BLE_ACTIVATION_FAILED");
      expect(error?.message).toContain("bluetoothctl power on");
    });
    await withRig({ adapter: false }, async ({ source }) => {
      const error = await openError(
        source().open({ signal: new AbortController().signal, log: recorder() }),
      );
      expect(error?.code).toBe("BLE_ACTIVATION_FAILED");
      expect(error?.message).toContain("No Bluetooth adapter");
    });
  }, 40_000);

  test("an unreachable system bus is BLE_ACTIVATION_FAILED naming D-Bus", async () => {
    const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = "unix:path=/nonexistent/mw75-test-bus";
    try {
      const openTty = await runtimeOpenTty();
      const source = createMw75Source({
        rfcommTty: "/dev/null",
        scanMs: 500,
        openTty,
        bluez: nodeBleBluez,
      });
      const started = Date.now();
      const error = await openError(
        source.open({ signal: new AbortController().signal, log: recorder() }),
      );
      expect(error?.code).toBe("BLE_ACTIVATION_FAILED");
      expect(error?.message).toContain("system D-Bus");
      // the socket error fails the pending call at once (ms) instead of waiting for its 5 s bound:
      // 3 s tells the two apart with 2 s to spare either side on a loaded machine
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
    }
  }, 15_000);

  test(
    "a missing tty after activation is RFCOMM_CONNECTION_FAILED and EEG is switched off again",
    async () => {
      await withRig({}, async ({ source, fake }) => {
        const error = await openError(
          source({ rfcommTty: "/dev/rfcomm-missing-75" }).open({
            signal: new AbortController().signal,
            log: recorder(),
          }),
        );
        expect(error?.code).toBe("RFCOMM_CONNECTION_FAILED");
        // by then the address is known, so the hint is the exact command to run
        expect(error?.message).toContain(`sudo rfcomm bind 0 ${fake.address} 25`);
        expect(fake.events().filter((e) => e.startsWith("write"))).toEqual([...ENABLE, ...DISABLE]);
      });
    },
    30_000,
  );

  test(
    "a stalled link (no bytes for idleTimeoutMs) is dropped within 2 s by the session's watchdog",
    async () => {
      await withRig({}, async ({ source, fake }) => {
        expect(source().noDataTimeoutMs).toBe(8000);
        expect(source({ idleTimeoutMs: 0 }).noDataTimeoutMs).toBeUndefined();
        const states: [string, number][] = [];
        // the session's own limit is out of reach: only the headset's 400 ms can end the link
        const session = new DeviceSession({
          source: source({ idleTimeoutMs: 400 }),
          decoder: await createDecoder(await readDecoderWasm()),
          clock: systemClock,
          log: recorder(),
          sourceLog: recorder(),
          blocks: createBlockBuilder(),
          noDataTimeoutMs: 1e9,
          events: {
            onStatus: (state) => void states.push([state, Date.now()]),
            onError: () => {},
            onSamples: () => {},
          },
        });
        const at = (state: string) => states.find(([s]) => s === state)?.[1];
        const until = async (done: () => boolean, ms: number) => {
          const deadline = Date.now() + ms;
          while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        };
        try {
          session.connect(false);
          await until(() => at("connected") !== undefined || at("error") !== undefined, 20_000);
          const connected = at("connected")!;
          expect(connected).toBeDefined();
          await until(() => at("disconnected") !== undefined, 5000);
          // 400 ms idle timeout: 2 s is 5× it, room for a loaded machine yet far from "never"
          expect(at("disconnected")! - connected).toBeLessThan(2000);
          // the dropped link is closed like any other: EEG switched off over BLE
          const switchedOff = () => {
            const events = fake.events();
            const tail = events.slice(events.lastIndexOf("connect"));
            return tail.filter((e) => e.startsWith("write")).join() === DISABLE.join() &&
              tail.at(-1) === "disconnect";
          };
          await until(switchedOff, 10_000);
          expect(switchedOff()).toBe(true);
        } finally {
          await session.shutdown();
        }
      });
    },
    40_000,
  );

  test("aborting during the scan gives up at once without connecting", async () => {
    await withRig({ advertise: false }, async ({ source, fake }) => {
      const abort = new AbortController();
      const started = Date.now();
      setTimeout(() => abort.abort(), 300);
      const error = await openError(
        source({ scanMs: 10_000 }).open({ signal: abort.signal, log: recorder() }),
      );
      expect(error?.code).toBe("CONNECTION_FAILED");
      // aborted at 0.3 s of a 10-s scan: giving up within 2 s (1.7 s of margin for a loaded
      // machine) is "at once", waiting for the scan would take 10 s
      expect(Date.now() - started).toBeLessThan(2000);
      expect(fake.events()).not.toContain("connect");
    });
  }, 30_000);
});
