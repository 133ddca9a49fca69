/**
 * @module `bluetooth_status` end to end (docs/protocol/bridge-api.md §11), the bridge under the runtime
 * running this file on the emulated BlueZ: a `--source mw75` bridge shows hci0 in `/health` `bluetooth`
 * and sends each power change to every `events` subscriber (on `/` and on the device's own socket,
 * without device_id, no replay for a later one); a simulated bridge shows null and sends none.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withBluez } from "../_support/bluez-scene.ts";
import { setPowered, untilStatus } from "../_support/bluez-adapter.ts";
import { currentRuntime } from "../_support/runtime-tty.ts";
import { startMw75Server } from "../_support/mw75-server.ts";
import { connectWs, type Msg, type WsClient } from "../_support/ws-client.ts";
import type { AdapterStatus } from "../../src/ports/bluez.ts";
import { nodeBleAdapterWatcher } from "../../src/adapters/ble/adapter-watch.ts";

const runtime = currentRuntime();
const ON = { present: true, powered: true, discovering: false };
const OFF = { present: true, powered: false, discovering: false };
/**
 * A change reaches the bridge in one D-Bus signal and one read, then a socket write (ms when idle);
 * 5 s is for a loaded 2-core machine. The first read follows the bridge's start within one D-Bus
 * round trip; 10 s covers a slow runtime start after the banner.
 */
const CHANGE_MS = 5000;
const FIRST_MS = 10_000;

const isStatus = (m: Msg) => m.type === "event" && m.data["event_type"] === "bluetooth_status";

async function healthOf(http: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${http}/health`);
  return (await res.json()) as Record<string, unknown>;
}

/** The bluetooth field of /health, read every 25 ms by `untilStatus`. */
function bluetoothPoller(http: string) {
  let latest: AdapterStatus | null = null;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      latest = (await healthOf(http))["bluetooth"] as AdapterStatus | null;
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return { read: () => latest, stop: async () => ((stop = true), await loop) };
}

/** A socket subscribed to `events` only. */
async function eventsClient(url: string): Promise<WsClient> {
  const ws = await connectWs(url);
  await ws.request("unsubscribe", { stream: "eeg" });
  const ack = await ws.request("subscribe", { stream: "events" });
  expect(ack.type).toBe("command_ack");
  return ws;
}

describe(`bluetooth_status (${runtime})`, () => {
  test(
    "--source mw75: /health shows hci0; power off and on reach / and the device socket, and /health follows",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "mw75-bt-"));
      await withBluez({}, async (fake) => {
        // nobody connects the headset: the tty is never opened
        const server = await startMw75Server(runtime, [
          "--source",
          "mw75",
          "--rfcomm-tty",
          join(dir, "rfcomm"),
          "--max-clients",
          "3",
        ], fake.busAddress);
        const http = server.ws.replace(/^ws/, "http").replace(/\/$/, "");
        const clients: WsClient[] = [];
        const poll = bluetoothPoller(http);
        try {
          await untilStatus(poll.read, ON, FIRST_MS, "/health bluetooth at start");
          const id = ((await healthOf(http))["devices"] as Array<{ device_id: string }>)[0]!
            .device_id;
          const root = await eventsClient(server.ws);
          const own = await eventsClient(`${server.ws}devices/${id}/ws`);
          clients.push(root, own);

          await setPowered(fake.busAddress, false);
          for (const ws of [root, own]) {
            const e = await ws.next(isStatus, CHANGE_MS, "bluetooth_status powered off");
            expect(e.data).toEqual({
              event_type: "bluetooth_status",
              timestamp: e.data["timestamp"],
              ...OFF,
            });
            expect(Math.abs((e.data["timestamp"] as number) - Date.now() / 1000)).toBeLessThan(60);
          }
          await untilStatus(poll.read, OFF, CHANGE_MS, "/health after power off");

          // a subscriber from now on gets the next change, not the past one
          const late = await eventsClient(server.ws);
          clients.push(late);
          await late.request("status");
          expect(late.messages.filter(isStatus)).toEqual([]);

          await setPowered(fake.busAddress, true);
          for (const ws of [root, own, late]) {
            const e = await ws.next(isStatus, CHANGE_MS, "bluetooth_status powered on");
            expect(e.data).toMatchObject(ON);
            expect(e.data["device_id"]).toBeUndefined();
          }
          await untilStatus(poll.read, ON, CHANGE_MS, "/health after power on");
          // one event per change on each socket
          expect(root.messages.filter(isStatus).length).toBe(2);
        } finally {
          await poll.stop();
          for (const ws of clients) ws.close();
          server.kill();
        }
      });
      rmSync(dir, { recursive: true, force: true });
    },
    40_000,
  );

  test(
    "a simulated bridge: /health bluetooth is null and a power change sends no event",
    async () => {
      await withBluez({}, async (fake) => {
        // the same emulated bus as above: had the bridge watched it, the change would arrive in ms
        const server = await startMw75Server(runtime, ["--max-clients", "2"], fake.busAddress);
        const http = server.ws.replace(/^ws/, "http").replace(/\/$/, "");
        let ws: WsClient | undefined;
        try {
          const body = await healthOf(http);
          expect(body["source"]).toBe("sim");
          expect(body["bluetooth"]).toBeNull();
          ws = await eventsClient(server.ws);
          // a watch in this process is the witness: once it has read the change, a bridge that
          // watched the bus would have too, and its event would precede the status reply below
          let seen: AdapterStatus | undefined;
          const witness = nodeBleAdapterWatcher({ callMs: 2000 }).watch((st) => void (seen = st), {
            log: () => {},
          });
          try {
            await untilStatus(() => seen, ON, FIRST_MS, "the witness's first read");
            await setPowered(fake.busAddress, false);
            await untilStatus(() => seen, OFF, CHANGE_MS, "the witness sees power off");
          } finally {
            await witness.close();
          }
          await ws.request("status");
          expect(ws.messages.filter(isStatus)).toEqual([]);
          expect((await healthOf(http))["bluetooth"]).toBeNull();
        } finally {
          ws?.close();
          server.kill();
        }
      });
    },
    30_000,
  );
});
