/** @module Two emulated MW75s (and earbuds) in one `serve --source mw75`, Bun/Deno/Node: scan, connect_device, one pty each. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { fullinfo, resolve } from "../_support/lsl-inlet.ts";
import { requireLoopbackOnly } from "../_support/netns.ts";
import {
  type Client,
  connectClient,
  type Runtime,
  startMw75Server,
} from "../_support/mw75-server.ts";
import {
  byId,
  collectEeg,
  countOf,
  DISABLE,
  ENABLE,
  ENABLE_EEG,
  expectChannelsOf,
  HEADSETS,
  makeRig,
  PIXEL,
} from "../_support/two-headsets-rig.ts";

const RUNTIMES: Runtime[] = ["bun", "deno", "node"];

for (const runtime of RUNTIMES) {
  describe(`serve --source mw75 with two emulated headsets under ${runtime}`, () => {
    test(
      "scan lists both headsets only; connect_device streams each its own pty and opens its LSL outlets; earbuds fail; shutdown switches both off",
      async () => {
        requireLoopbackOnly(); // --lsl: its outlets send discovery datagrams
        const lslName = `HW_${runtime}${Math.random().toString(36).slice(2, 8)}`;
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
            "--lsl",
            "--lsl-name",
            lslName,
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

          // --lsl: each headset added at run time got its own two outlets, fed by its own samples
          const http = server.ws.replace(/^ws/, "http").replace(/\/$/, "");
          const lsl = (await (await fetch(`${http}/health`)).json()).lsl;
          for (const h of HEADSETS) {
            const own = lsl.outlets.filter((o: { device_id: string }) => o.device_id === h.id);
            expect(own.map((o: { name: string }) => o.name)).toEqual([
              `${lslName}_${h.id}`,
              `${lslName}_${h.id}_Markers`,
            ]);
            expect(own[0].samples_pushed).toBeGreaterThan(0);
            const [found] = await resolve(`name='${lslName}_${h.id}'`, "site", 5000);
            const desc = (await fullinfo(found!)).desc;
            const acquisition = desc.find((e) => e.name === "acquisition")!.children;
            const field = (name: string) => acquisition.find((e) => e.name === name)?.text;
            expect([field("serial_number"), field("synthetic")]).toEqual([h.address, "false"]);
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
