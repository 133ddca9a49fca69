/** @module A headset added by connect_device keeps the name a scan found (or BlueZ's alias without a scan), on Bun, Deno and Node. */
import { describe, expect, test } from "bun:test";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeBluez, startFakeBluez } from "../_support/fake-bluez.ts";
import {
  type Client,
  connectClient,
  type Msg,
  type Runtime,
  startMw75Server,
} from "../_support/mw75-server.ts";
import { feedPackets, makePackets, type PtyPair, startPtyPair } from "../_support/pty-pair.ts";

const RUNTIMES: Runtime[] = ["bun", "deno", "node"];
/** Found by a scan before connect_device. */
const LAB = { address: "A0:B1:C2:D3:E4:76", id: "mw75-A0B1C2D3E476", name: "MW75 Neuro Lab" };
/** Never scanned by the bridge: BlueZ knows it (its Alias differs from its Name) from another discovery. */
const DESK = {
  address: "A0:B1:C2:D3:E4:77",
  id: "mw75-A0B1C2D3E477",
  name: "MW75 Neuro",
  alias: "MW75 Neuro Desk",
};
const HEADSETS = [LAB, DESK];

/** Runs `dbus-send` on the emulated system bus; resolves with its exit code. */
function dbusSend(busAddress: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    execFile(
      "dbus-send",
      [`--bus=${busAddress}`, "--print-reply", ...args],
      { timeout: 5000 },
      (error) => resolve(error ? 1 : 0),
    );
  });
}

/**
 * Starts a discovery the bridge does not see (as `bluetoothctl scan on` would) and waits, bounded,
 * until BlueZ lists `address`: the mock adds devices only once a discovery runs.
 */
async function letBluezKnow(fake: FakeBluez, address: string): Promise<void> {
  expect(
    await dbusSend(fake.busAddress, [
      "--dest=org.bluez",
      "/org/bluez/hci0",
      "org.bluez.Adapter1.StartDiscovery",
    ]),
  ).toBe(0);
  const path = `/org/bluez/hci0/dev_${address.replaceAll(":", "_")}`;
  const args = [
    "--dest=org.bluez",
    path,
    "org.freedesktop.DBus.Properties.Get",
    "string:org.bluez.Device1",
    "string:Alias",
  ];
  // the mock adds a device 300 ms after discovery starts; 10 s allows for a loaded machine
  const deadline = Date.now() + 10_000;
  while ((await dbusSend(fake.busAddress, args)) !== 0) {
    if (Date.now() > deadline) throw new Error(`BlueZ did not list ${address} within 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(
    await dbusSend(fake.busAddress, [
      "--dest=org.bluez",
      "/org/bluez/hci0",
      "org.bluez.Adapter1.StopDiscovery",
    ]),
  ).toBe(0);
}

const namesOf = (devices: Array<Record<string, unknown>>) =>
  Object.fromEntries(devices.map((d) => [d.device_id as string, d.name]));

for (const runtime of RUNTIMES) {
  describe(`headset names under ${runtime}`, () => {
    test(
      "connect_device lists the scanned name, or BlueZ's alias when the bridge did not scan",
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "mw75-names-"));
        const ptys: PtyPair[] = [];
        const feeders: Promise<unknown>[] = [];
        let feeding = true;
        let fake: FakeBluez | undefined;
        let server: Awaited<ReturnType<typeof startMw75Server>> | undefined;
        let root: Client | undefined;
        try {
          fake = await startFakeBluez({
            headsets: [LAB, { address: DESK.address, name: DESK.name, alias: DESK.alias }],
          });
          const ttyArgs: string[] = [];
          for (const [i, h] of HEADSETS.entries()) {
            const pty = await startPtyPair(join(dir, `in${i}`), join(dir, `tty${i}`));
            ptys.push(pty);
            ttyArgs.push("--rfcomm-tty", `${h.address}=${pty.b}`);
            feeders.push(
              feedPackets(pty.a, makePackets(100_000), 500, () => !feeding).catch(() => 0),
            );
          }
          server = await startMw75Server(runtime, [
            "--source",
            "mw75",
            ...ttyArgs,
            "--max-clients",
            "4",
          ], fake.busAddress);
          root = await connectClient(server.ws);

          // the Desk headset first: BlueZ knows it, this bridge never scanned
          await letBluezKnow(fake, DESK.address);
          const desk = await root.request("connect_device", { address: DESK.address }, 30_000);
          expect([desk.type, desk.data.device_id]).toEqual(["command_ack", DESK.id]);

          // the scan finds the Lab headset, connected right after it
          const scan = await root.request("scan_devices", { duration_s: 1 }, 20_000);
          expect((scan.data.devices as Msg["data"][]).map((d) => d.name)).toContain(LAB.name);
          const lab = await root.request("connect_device", { address: LAB.address }, 30_000);
          expect([lab.type, lab.data.device_id]).toEqual(["command_ack", LAB.id]);
          const listed = await root.request("list_devices", undefined, 5000);
          const names = namesOf(listed.data.devices as Array<Record<string, unknown>>);
          expect([names[LAB.id], names[DESK.id]]).toEqual([LAB.name, DESK.alias]);
          const http = server.ws.replace(/^ws/, "http").replace(/\/$/, "");
          const devices = (await (await fetch(`${http}/devices`)).json()) as {
            devices: Array<Record<string, unknown>>;
          };
          expect([namesOf(devices.devices)[LAB.id], namesOf(devices.devices)[DESK.id]]).toEqual([
            LAB.name,
            DESK.alias,
          ]);
        } catch (error) {
          throw new Error(
            `${String(error)}\n--- server output (tail) ---\n${
              server?.output().slice(-4000) ?? ""
            }`,
          );
        } finally {
          root?.close();
          server?.kill();
          feeding = false;
          await Promise.all(feeders);
          for (const p of ptys) p.stop();
          fake?.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      },
      120_000,
    );
  });
}
