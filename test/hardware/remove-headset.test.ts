/** @module An emulated MW75 added by `connect_device`, removed by `remove_device` and added again, in `serve --source mw75` under Bun, Deno and Node (docs/protocol/bridge-api.md §11): the removal switches the headset off and closes its socket; the same address streams again afterwards. */
import { describe, expect, test } from "bun:test";
import {
  type Client,
  connectClient,
  type Runtime,
  startMw75Server,
} from "../_support/mw75-server.ts";
import {
  byId,
  collectEeg,
  DISABLE,
  ENABLE,
  expectChannelsOf,
  HEADSETS,
  makeRig,
} from "../_support/two-headsets-rig.ts";

const RUNTIMES: Runtime[] = ["bun", "deno", "node"];
const H = HEADSETS[0]!;
const writes = (e: string[]) => e.filter((x) => x.startsWith("write"));
/** The latest `devices` broadcast `c` got (a `list_devices` reply carries the request's id instead). */
const lastAnnounced = (c: Client) =>
  c.messages.filter((m) => m.type === "devices" && !String(m.id).startsWith("req-")).at(-1)!;

for (const runtime of RUNTIMES) {
  describe(`remove_device of an emulated headset under ${runtime}`, () => {
    test(
      "connect_device, remove_device (headset switched off, socket closed 1001), connect_device again streams",
      async () => {
        const rig = await makeRig();
        let server: Awaited<ReturnType<typeof startMw75Server>> | undefined;
        const clients: Client[] = [];
        const open = async (path: string) => {
          const c = await connectClient(`${server!.ws}${path}`);
          clients.push(c);
          await c.next((m) => m.type === "status", 5000, `the welcome on /${path}`);
          return c;
        };
        /** Adds the headset and reads its samples on its own socket. */
        const addAndStream = async (root: Client, what: string) => {
          const ack = await root.request("connect_device", { address: H.address }, 20_000);
          expect([ack.type, ack.data.device_id]).toEqual(["command_ack", H.id]);
          expect(String(ack.data.message)).toContain("Connected to the headset");
          // every client heard the new list before the ack
          const announced = lastAnnounced(root);
          expect([...byId(announced).keys()]).toEqual(["mw75-1", H.id]);
          const c = await open(`devices/${H.id}/ws`);
          for (const m of await collectEeg(c, 30, 10_000, what)) expectChannelsOf(H, m);
          return c;
        };
        try {
          server = await startMw75Server(runtime, [
            "--source",
            "mw75",
            "--rfcomm-tty",
            `${H.address}=${rig.tty.get(H.address)}`,
            "--max-clients",
            "4",
          ], rig.fake.busAddress);
          const root = await open("");
          const first = await addAndStream(root, "the headset added");
          const headset = rig.fake.device(H.address);

          const ack = await root.request("remove_device", { device_id: H.id }, 20_000);
          expect([ack.type, ack.data.device_id]).toEqual(["command_ack", H.id]);
          expect(await first.closed).toBe(1001);
          // the removal switched EEG off and let go of the headset, before the ack
          const events = headset.events();
          expect(writes(events)).toEqual([...ENABLE, ...DISABLE]);
          expect(events.at(-1)).toBe("disconnect");
          expect([...byId(await root.request("list_devices")).keys()]).toEqual(["mw75-1"]);
          expect([...byId(lastAnnounced(root)).keys()])
            .toEqual(["mw75-1"]);

          // the same address is a new device again, on the same tty
          await addAndStream(root, "the headset added again");
          expect(writes(headset.events())).toEqual([...ENABLE, ...DISABLE, ...ENABLE]);
          expect([...byId(await root.request("list_devices")).keys()]).toEqual(["mw75-1", H.id]);
        } catch (error) {
          throw new Error(
            `${String(error)}\n--- server output (tail) ---\n${
              server?.output().slice(-4000) ?? ""
            }`,
          );
        } finally {
          for (const c of clients) c.close();
          server?.kill();
          await rig.cleanup();
        }
      },
      90_000,
    );
  });
}
