/** @module Two emulated MW75s (and earbuds) in one `serve --source mw75`, Bun/Deno/Node: scan, connect_device, one pty each. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UV_PER_COUNT } from "../../src/decoder/types.ts";
import { buildPacket } from "../../src/sources/packet-builder.ts";
import { type FakeBluez, startFakeBluez } from "../_support/fake-bluez.ts";
import {
  type Client,
  connectClient,
  type Msg,
  type Runtime,
  startMw75Server,
} from "../_support/mw75-server.ts";
import { feedPackets, type PtyPair, rawChannelsFor, startPtyPair } from "../_support/pty-pair.ts";

const RUNTIMES: Runtime[] = ["bun", "deno", "node"];
const ENABLE_EEG = "write 099a036001";
const ENABLE = [ENABLE_EEG, "write 099a034101", "write 099a0314ff"];
const DISABLE = ["write 099a034100", "write 099a036000"];
const PIXEL = "11:22:33:44:55:66";

/** One emulated headset, its pty and the value offset that makes its packets unlike the other's. */
interface Headset {
  address: string;
  id: string;
  name: string;
  rssi: number;
  paired: boolean;
  battery: number;
  salt: number;
}
const HEADSETS: Headset[] = [
  {
    address: "A0:B1:C2:D3:E4:75",
    id: "mw75-A0B1C2D3E475",
    name: "MW75 Neuro",
    rssi: -48,
    paired: true,
    battery: 85,
    salt: 0,
  },
  {
    address: "A0:B1:C2:D3:E4:76",
    id: "mw75-A0B1C2D3E476",
    name: "MW75 Neuro Lab",
    rssi: -71,
    paired: false,
    battery: 62,
    salt: 1000,
  },
];

/** Raw channel values of headset `h`'s packet `counter` (salt 1000 shifts every value by 17000 mod 20000). */
const rawOf = (h: Headset, counter: number) => rawChannelsFor(counter + h.salt);
const packetsOf = (h: Headset, count: number) =>
  Array.from(
    { length: count },
    (_, k) => buildPacket({ counter: k & 0xff, rawChannels: rawOf(h, k & 0xff) }),
  );

/** Fake BlueZ with both headsets and the earbuds, one pty pair per headset, each fed its own packets at 500 Hz. */
interface Rig {
  fake: FakeBluez;
  dir: string;
  /** The server-side end of each headset's pty, by address. */
  tty: Map<string, string>;
  stopFeeding(): Promise<void>;
  cleanup(): Promise<void>;
}

async function makeRig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-two-"));
  const ptys: PtyPair[] = [];
  const feeders: Promise<unknown>[] = [];
  let feeding = true;
  let fake: FakeBluez | undefined;
  const stopFeeding = async () => {
    feeding = false;
    await Promise.all(feeders);
  };
  const cleanup = async () => {
    await stopFeeding();
    for (const p of ptys) p.stop();
    fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    fake = await startFakeBluez({
      headsets: HEADSETS.map(({ address, name, rssi, paired, battery }) => ({
        address,
        name,
        rssi,
        paired,
        battery,
      })),
      others: [{ address: PIXEL, name: "Pixel Buds", rssi: -40 }],
    });
    const tty = new Map<string, string>();
    for (const [i, h] of HEADSETS.entries()) {
      const pty = await startPtyPair(join(dir, `in${i}`), join(dir, `tty${i}`));
      ptys.push(pty);
      tty.set(h.address, pty.b);
      feeders.push(feedPackets(pty.a, packetsOf(h, 100_000), 500, () => !feeding).catch(() => 0));
    }
    return { fake, dir, tty, stopFeeding, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Every channel of an eeg_data message against the raw values headset `h`'s pty carried for its counter. */
function expectChannelsOf(h: Headset, m: Msg): void {
  const channels = m.data.channels as Record<string, number>;
  const raw = rawOf(h, m.data.counter as number);
  expect(m.data.event_id).toBe(239);
  for (let c = 0; c < 12; c++) {
    expect(channels[`ch${c + 1}`]).toBeCloseTo(raw[c]! * UV_PER_COUNT, 4);
  }
}

async function collectEeg(
  client: Client,
  count: number,
  timeoutMs: number,
  what: string,
): Promise<Msg[]> {
  const got: Msg[] = [];
  while (got.length < count) {
    got.push(
      await client.next(
        (m) => m.type === "eeg_data",
        timeoutMs,
        `${what} eeg_data #${got.length + 1}`,
      ),
    );
  }
  return got;
}

const countOf = (events: string[], line: string) => events.filter((e) => e === line).length;
const byId = (list: Msg) =>
  new Map(
    (list.data.devices as Array<Record<string, unknown>>).map((d) => [d.device_id as string, d]),
  );

for (const runtime of RUNTIMES) {
  describe(`serve --source mw75 with two emulated headsets under ${runtime}`, () => {
    test(
      "scan lists both headsets only; connect_device streams each its own pty; earbuds fail; shutdown switches both off",
      async () => {
        const rig = await makeRig();
        let server: Awaited<ReturnType<typeof startMw75Server>> | undefined;
        const clients: Client[] = [];
        const open = async (path: string) => {
          const c = await connectClient(`${server!.ws}${path}`);
          clients.push(c);
          return c;
        };
        try {
          const ttyArgs = HEADSETS.flatMap((
            h,
          ) => ["--rfcomm-tty", `${h.address}=${rig.tty.get(h.address)}`]);
          server = await startMw75Server(runtime, [
            "--source",
            "mw75",
            ...ttyArgs,
            "--max-clients",
            "4",
            "--scan-ms",
            "1000",
          ], rig.fake.busAddress);
          const root = await open("");
          const welcome = await root.next((m) => m.type === "status", 5000, "welcome status on /");
          expect(welcome.data.state).toBe("idle");

          // scan: exactly the two headsets, sorted by address, as configured; the earbuds filtered out
          const scan = await root.request("scan_devices", { duration_s: 1 }, 20_000);
          expect(scan.type).toBe("scan_result");
          expect(scan.data.devices).toEqual(
            HEADSETS.map(({ address, name, rssi, paired }) => ({ address, name, rssi, paired })),
          );

          // connect_device per headset: acked with its id, connected at once
          for (const h of HEADSETS) {
            const ack = await root.request("connect_device", { address: h.address }, 20_000);
            expect(ack.type).toBe("command_ack");
            expect(ack.data).toMatchObject({
              command: "connect_device",
              device_id: h.id,
              address: h.address,
            });
          }
          const sockets = new Map<string, Client>();
          for (const h of HEADSETS) {
            const c = await open(`devices/${h.id}/ws`);
            sockets.set(h.address, c);
            const hello = await c.next(
              (m) => m.type === "status",
              5000,
              `welcome status of ${h.id}`,
            );
            expect(hello.data.device_id).toBe(h.id);
            // the welcome says connected when the headset connected before this socket opened
            const connected = hello.data.state === "connected" ? hello : await c.next(
              (m) => m.type === "status" && m.data.state === "connected",
              40_000,
              `${h.id} connected`,
            );
            expect(connected.data.device_id).toBe(h.id);
            expect(connected.data.battery_level).toBe(h.battery);
          }
          // each device's values are its own pty's (a swapped tty mapping fails here)
          for (const h of HEADSETS) {
            const eeg = await collectEeg(sockets.get(h.address)!, 60, 10_000, h.id);
            for (const m of eeg) expectChannelsOf(h, m);
            const counters = eeg.map((m) => m.data.counter as number);
            expect(counters.slice(1).every((c, i) => c === ((counters[i]! + 1) & 0xff))).toBe(true);
          }

          const listed = byId(await root.request("list_devices", undefined, 5000));
          expect([...listed.keys()]).toEqual(["mw75-1", ...HEADSETS.map((h) => h.id)]);
          expect(listed.get("mw75-1")).toMatchObject({
            kind: "mw75",
            address: null,
            state: "idle",
          });
          for (const h of HEADSETS) {
            expect(listed.get(h.id)).toMatchObject({
              kind: "mw75",
              address: h.address,
              state: "connected",
              battery_level: h.battery,
              clients: 1,
            });
          }

          // an address that is a device already: the same id, no new device
          const again = await root.request("connect_device", {
            address: HEADSETS[1]!.address.toLowerCase(),
          }, 10_000);
          expect(again.type).toBe("command_ack");
          expect(again.data.device_id).toBe(HEADSETS[1]!.id);
          expect(byId(await root.request("list_devices", undefined, 5000)).size).toBe(3);

          // the earbuds: no tty known → refused at once; with a tty → one attempt, whose failure is the reply, nothing added
          const noTty = await root.request("connect_device", { address: PIXEL }, 10_000);
          expect(noTty.type).toBe("error");
          expect(noTty.data.code).toBe("INVALID_PARAMETERS");
          expect(String(noTty.data.message)).toContain("No RFCOMM tty is known");
          const pixel = await root.request("connect_device", {
            address: PIXEL,
            rfcomm_tty: join(rig.dir, "pixel-tty"),
          }, 30_000);
          expect([pixel.type, pixel.data.code]).toEqual(["error", "BLE_ACTIVATION_FAILED"]);
          expect(String(pixel.data.message)).toContain("no MW75 control service");
          const four = byId(await root.request("list_devices", undefined, 5000));
          expect(four.size).toBe(3);
          expect(four.has("mw75-112233445566")).toBe(false);
          for (const h of HEADSETS) expect(four.get(h.id)!.state).toBe("connected");
          expect(
            (await fetch(
              `${server.ws.replace(/^ws/, "http").replace(/\/$/, "")}/devices/mw75-112233445566/ws`,
            )).status,
          ).toBe(404);

          // both headsets still stream their own data
          for (const h of HEADSETS) {
            const c = sockets.get(h.address)!;
            c.skipAll();
            for (const m of await collectEeg(c, 20, 10_000, `${h.id} (after the earbuds)`)) {
              expectChannelsOf(h, m);
            }
          }
          // each headset activated exactly once, by its own device (the log line "source.mw75[<device id>] … EEG enabled on
          // <name> [<address>]"; the default device never connected); the earbuds got no command
          for (const h of HEADSETS) {
            expect(countOf(rig.fake.device(h.address).events(), ENABLE_EEG)).toBe(1);
          }
          const enabled = server.output().split("\n").filter((l) => l.includes("EEG enabled on"))
            .map((l) => /\[(mw75-\w+)\].*\[([0-9A-F:]{17})\]/.exec(l)?.slice(1).join(" "));
          expect(enabled.sort()).toEqual(HEADSETS.map((h) => `${h.id} ${h.address}`));
          expect(rig.fake.device(PIXEL).events().filter((e) => e.startsWith("write"))).toEqual([]);

          // SIGTERM: a clean exit that switched EEG off on each headset
          server.signal("SIGTERM");
          let timer: ReturnType<typeof setTimeout> | undefined;
          const code = await Promise.race([
            server.exited,
            new Promise<string>((
              r,
            ) => (timer = setTimeout(() => r("no exit within 40 s"), 40_000))),
          ]);
          clearTimeout(timer);
          expect(code).toBe(0);
          // per headset: its activation, then (only) its switch-off, then BLE disconnected
          const writes = (e: string[]) => e.filter((x) => x.startsWith("write")).join();
          for (const h of HEADSETS) {
            const headset = rig.fake.device(h.address);
            await headset.waitFor(
              (e) => writes(e) === [...ENABLE, ...DISABLE].join() && e.at(-1) === "disconnect",
              10_000,
              "the disable sequence",
            );
          }
        } catch (error) {
          // the server's own log explains most failures
          throw new Error(
            `${String(error)}\n--- server output (tail) ---\n${
              server?.output().slice(-6000) ?? ""
            }`,
          );
        } finally {
          for (const c of clients) c.close();
          server?.kill();
          await rig.cleanup();
        }
      },
      180_000,
    );
  });
}
