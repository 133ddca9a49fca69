/**
 * @module Under Bun, Deno and Node: during an auto-reconnect wait a base-protocol client on `/`
 * sees what the reference sends (stored state in the welcome and control-released statuses, no
 * "Auto-reconnect stopped" status), while a per-device socket sees the bridge's `reconnecting`.
 */
import { describe, expect, test } from "bun:test";
import {
  isStatus,
  isStatusMessage,
  openWelcomed,
  since,
  withServer,
} from "../_support/conformance/helpers.ts";
import { RUNTIMES } from "../_support/server-process.ts";
import type { Runtime } from "../_support/server-process.ts";
import type { Msg } from "../_support/ws-client.ts";

const RELEASED = "Device control released - available for new controller";
const statuses = (msgs: Msg[]) =>
  msgs.filter((m) => m.type === "status").map((m) => `${m.data["state"]}: ${m.data["message"]}`);

async function baseDuringWait(runtime: Runtime): Promise<void> {
  // the link drops 0.6 s into the connection; the first wait lasts 3 s, room for the handful of
  // WS round trips below (milliseconds each, even on a loaded machine; checked against its end)
  const args = ["--sim-link-loss-ms", "600", "--reconnect-base-ms", "3000", "--max-clients", "4"];
  await withServer(runtime, args, async (_srv, open) => {
    const controller = (await openWelcomed(open)).c;
    await controller.request("connect", { auto_reconnect: true });
    await controller.next(isStatus("reconnecting"), 5000);
    const waitEnds = Date.now() + 3000;

    const base = await openWelcomed(open, "/");
    const alias = await openWelcomed(open, "/ws");
    const device = await openWelcomed(open, "/devices/sim-1/ws");
    // the reference's welcome carries the current (stored) state; the per-device socket reports the wait
    expect(base.welcome.data["state"]).toBe("disconnected");
    expect(alias.welcome.data["state"]).toBe("disconnected");
    expect(device.welcome.data["state"]).toBe("reconnecting");

    // the controller leaves: control released, in the stored state on base sockets
    controller.close();
    const released = await Promise.all(
      [base.c, alias.c, device.c].map((c) => c.next(isStatusMessage(RELEASED), 5000)),
    );
    expect(released.map((m) => m.data["state"])).toEqual([
      "disconnected",
      "disconnected",
      "reconnecting",
    ]);

    // auto_reconnect off during the wait: only the per-device socket hears the loop stopped
    const from = [base.c, alias.c, device.c].map((c) => c.messages.length);
    expect(Date.now()).toBeLessThan(waitEnds); // still inside the wait: the set below cancels it
    await device.c.request("set", { values: { auto_reconnect: false } });
    // the status goes out before the settings reply, so it has arrived by now
    expect(statuses(since(device.c, from[2]!))).toEqual(["disconnected: Auto-reconnect stopped"]);
    for (const [i, c] of [base.c, alias.c].entries()) {
      await c.next((m) => m.type === "settings", 5000, "the settings broadcast");
      await c.request("ping"); // a round trip: anything sent before it has arrived
      expect(statuses(since(c, from[i]!))).toEqual([]);
    }
    // the status reply keeps the stored state everywhere (its extra field is gone with the wait)
    const reply = await base.c.request("status");
    expect(reply.data["device_state"]).toBe("disconnected");
    expect(reply.data["reconnecting"]).toBeUndefined();
  });
}

for (const runtime of RUNTIMES) {
  describe(`base-protocol statuses during a reconnect wait (${runtime})`, () => {
    test(
      "welcome and control released carry the stored state on / and /ws, reconnecting on /devices/<id>/ws; no reconnect-stopped status on base sockets",
      () => baseDuringWait(runtime),
      30_000,
    );
  });
}
