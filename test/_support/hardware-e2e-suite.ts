/**
 * @module The end-to-end suite with emulated hardware, run for one runtime by each of
 * test/hardware/e2e-{bun,deno,node}.test.ts (one file per runtime, so the parallel runner spreads
 * them over its workers): `serve --source mw75` under that runtime against a
 * private dbus-daemon running dbusmock's BlueZ + emulated MW75, with a socat pty as the RFCOMM tty,
 * driven by a WebSocket client. Runs under `bun test` (it starts the other runtimes itself).
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UV_PER_COUNT } from "../../src/decoder/types.ts";
import { type FakeBluez, type FakeBluezOptions, startFakeBluez } from "./fake-bluez.ts";
import {
  type Client,
  connectClient,
  type Msg,
  type Runtime,
  startMw75Server,
} from "./mw75-server.ts";
import {
  feedPackets,
  makePackets,
  type PtyPair,
  rawChannelsFor,
  startPtyPair,
} from "./pty-pair.ts";

const DISABLE = ["write 099a034100", "write 099a036000"];

/** Everything one scenario runs; `cleanup` kills it all by PID. */
interface Rig {
  fake: FakeBluez;
  a: string;
  b: string;
  pty: PtyPair | null;
  startPty(): Promise<void>;
  /** Feeds packets at 500 Hz into the pty until stopFeeding() (or the pty goes away). */
  startFeeding(): void;
  stopFeeding(): Promise<void>;
  cleanup(): Promise<void>;
}

async function makeRig(options: FakeBluezOptions): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-e2e-"));
  const fake = await startFakeBluez(options);
  let feeding = false;
  let feeder: Promise<unknown> = Promise.resolve();
  const rig: Rig = {
    fake,
    a: join(dir, "a"),
    b: join(dir, "b"),
    pty: null,
    async startPty() {
      rig.pty = await startPtyPair(rig.a, rig.b);
    },
    startFeeding() {
      feeding = true;
      feeder = feedPackets(rig.a, makePackets(60_000), 500, () => !feeding).catch(() => 0);
    },
    async stopFeeding() {
      feeding = false;
      await feeder;
    },
    async cleanup() {
      await rig.stopFeeding();
      rig.pty?.stop();
      fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

const isStatus = (state: string) => (m: Msg) => m.type === "status" && m.data.state === state;
const isError = (m: Msg) => m.type === "error";

/** Checks every channel of an eeg_data message against the raw values written for its counter. */
function expectChannelsMatch(m: Msg): void {
  const counter = m.data.counter as number;
  const channels = m.data.channels as Record<string, number>;
  const raw = rawChannelsFor(counter);
  expect(m.data.event_id).toBe(239);
  for (let c = 0; c < 12; c++) {
    expect(channels[`ch${c + 1}`]).toBeCloseTo(raw[c]! * UV_PER_COUNT, 4);
  }
}

async function collectEeg(client: Client, count: number, timeoutMs: number): Promise<Msg[]> {
  const got: Msg[] = [];
  while (got.length < count) {
    got.push(
      await client.next((m) => m.type === "eeg_data", timeoutMs, `eeg_data #${got.length + 1}`),
    );
  }
  return got;
}

async function scenario(
  runtime: Runtime,
  fakeOptions: FakeBluezOptions,
  extraArgs: string[],
  body: (rig: Rig, client: Client) => Promise<void>,
) {
  const rig = await makeRig(fakeOptions);
  let server: Awaited<ReturnType<typeof startMw75Server>> | undefined;
  let client: Client | undefined;
  try {
    server = await startMw75Server(
      runtime,
      ["--source", "mw75", "--rfcomm-tty", rig.b, "--scan-ms", "1000", ...extraArgs],
      rig.fake.busAddress,
    );
    client = await connectClient(server.ws);
    await client.next((m) => m.type === "status", 5000, "welcome status");
    await body(rig, client);
  } catch (error) {
    // the server's own log explains most failures
    throw new Error(
      `${String(error)}\n--- server output (tail) ---\n${server?.output().slice(-4000) ?? ""}`,
    );
  } finally {
    client?.close();
    server?.kill();
    await rig.cleanup();
  }
}

/** Registers the end-to-end tests against `serve` under `runtime`. */
export function hardwareE2eSuite(runtime: Runtime): void {
  describe(`serve --source mw75 under ${runtime} (emulated BlueZ + pty)`, () => {
    test(
      "connect: status connected with battery 85, eeg_data equal to the pty's packets, disconnect switches EEG off",
      async () => {
        await scenario(runtime, {}, [], async (rig, client) => {
          await rig.startPty();
          rig.startFeeding();
          client.send({ type: "connect", data: {} });
          const connected = await client.next(isStatus("connected"), 25_000, "status connected");
          expect(connected.data.battery_level).toBe(85);
          const eeg = await collectEeg(client, 60, 5000);
          for (const m of eeg) expectChannelsMatch(m);
          const counters = eeg.map((m) => m.data.counter as number);
          expect(counters.slice(1).every((c, i) => c === ((counters[i]! + 1) & 0xff))).toBe(true);
          client.send({ type: "disconnect", data: {} });
          await client.next(isStatus("idle"), 15_000, "status idle");
          const events = await rig.fake.waitFor(
            (ev) =>
              ev.slice(ev.lastIndexOf("connect")).filter((e) => e.startsWith("write")).join() ===
                DISABLE.join() && ev.at(-1) === "disconnect",
            10_000,
            "the disable sequence",
          );
          expect(events.filter((e) => e.startsWith("write")).slice(0, 3)).toEqual([
            "write 099a036001",
            "write 099a034101",
            "write 099a0314ff",
          ]);
        });
      },
      90_000,
    );

    test(
      "failures: no headset advertising, no 41 F1, missing tty — each with its error code",
      async () => {
        await scenario(runtime, { advertise: false }, [], async (rig, client) => {
          client.send({ type: "connect", data: {} });
          const noDevice = await client.next(isError, 20_000, "error (no device)");
          expect(noDevice.data.code).toBe("BLE_ACTIVATION_FAILED");
          expect(String(noDevice.data.message)).toContain("Pair it first");

          await rig.fake.configure({ advertise: true, confirmRaw: false });
          client.send({ type: "connect", data: {} });
          const noRaw = await client.next(isError, 20_000, "error (no 41 F1)");
          expect(noRaw.data.code).toBe("BLE_ACTIVATION_FAILED");
          expect(String(noRaw.data.message)).toContain("41 F0");

          await rig.fake.configure({ confirmRaw: true });
          client.send({ type: "connect", data: {} });
          const noTty = await client.next(isError, 25_000, "error (no tty)");
          expect(noTty.data.code).toBe("RFCOMM_CONNECTION_FAILED");
          expect(String(noTty.data.message)).toContain("rfcomm bind 0");
        });
      },
      120_000,
    );

    test(
      "pty closed mid-stream: status disconnected within 2 s, then auto-reconnect streams again",
      async () => {
        await scenario(runtime, {}, ["--reconnect-base-ms", "300"], async (rig, client) => {
          await rig.startPty();
          rig.startFeeding();
          client.send({ type: "connect", data: { auto_reconnect: true } });
          await client.next(isStatus("connected"), 25_000, "status connected");
          await collectEeg(client, 20, 5000);
          client.skipAll();
          await rig.stopFeeding();
          const cut = Date.now();
          rig.pty!.stop();
          await client.next(isStatus("disconnected"), 4000, "status disconnected");
          // the promise under test: a closed pty is noticed at its next read (EOF or EIO), well
          // under 100 ms on an idle machine; 2 s leaves the rest for a loaded one
          expect(Date.now() - cut).toBeLessThan(2000);
          await rig.startPty();
          rig.startFeeding();
          const again = await client.next(
            isStatus("connected"),
            40_000,
            "status connected after reconnect",
          );
          expect(again.data.battery_level).toBe(85);
          for (const m of await collectEeg(client, 20, 5000)) expectChannelsMatch(m);
        });
      },
      120_000,
    );
  });
}
