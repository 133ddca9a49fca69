/** @module `connect {duration_s}` against a live bridge under the runtime running this file (docs/protocol/bridge-api.md §11): the ack's `until`, the disconnect with the reason "duration reached", a disconnect clearing it, bad values refused, the base ack unchanged. */
import { describe, expect, test } from "bun:test";
import { currentRuntime } from "../_support/client/live-server.ts";
import { startServer } from "../_support/server-process.ts";
import type { ServerProcess } from "../_support/server-process.ts";
import { connectWs } from "../_support/ws-client.ts";
import type { Msg, WsClient } from "../_support/ws-client.ts";
import { delay, isEeg, isStatus } from "../_support/conformance/helpers.ts";

const runtime = currentRuntime();
/** How late the disconnect may come after `until` on a loaded 2-core CI machine. */
const LATE_MARGIN_MS = 2500;
/** How long after the old `until` a cleared end is watched for (a timer left behind fires within ms of it). */
const WATCH_MS = 1000;

async function withBridge(body: (c: WsClient, srv: ServerProcess) => Promise<void>): Promise<void> {
  const srv = await startServer(runtime, []);
  const c = await connectWs(srv.ws);
  try {
    await c.next(isStatus("idle"), 5000, "the welcome");
    await body(c, srv);
  } finally {
    c.close();
    srv.kill();
  }
}

const reason = (m: Msg) => String(m.data["message"]);

describe(`connect duration_s (${runtime})`, () => {
  test(
    "the ack says until ≈ now + 1 s; the device disconnects then with the reason 'duration reached'",
    async () => {
      await withBridge(async (c) => {
        const sent = Date.now() / 1000;
        const ack = await c.request("connect", { duration_s: 1 });
        const got = Date.now() / 1000;
        expect(ack.type).toBe("command_ack");
        const until = ack.data["until"] as number;
        // the server's clock is this machine's: until lies 1 s after the request was read (±50 ms of rounding)
        expect(until).toBeGreaterThanOrEqual(sent + 1 - 0.05);
        expect(until).toBeLessThanOrEqual(got + 1 + 0.05);
        await c.next(isEeg, 5000, "samples while the duration runs");
        const deadline = until * 1000 + LATE_MARGIN_MS - Date.now();
        const idle = await c.next(isStatus("idle"), Math.max(deadline, 1), "idle after until");
        expect(reason(idle)).toContain("duration reached");
        expect(Date.now() / 1000).toBeGreaterThanOrEqual(until - 0.05); // not before its time
        const disconnecting = c.messages.find((m) => isStatus("disconnecting")(m));
        expect(disconnecting && reason(disconnecting)).toContain("duration reached");
        expect((await c.request("status")).data["device_state"]).toBe("idle");
      });
    },
    30_000,
  );

  test(
    "a disconnect clears it: a new connect without one streams on past the old end",
    async () => {
      await withBridge(async (c) => {
        const ack = await c.request("connect", { duration_s: 1 });
        await c.next(isStatus("connected"), 5000, "connected");
        await c.request("disconnect");
        await c.next(isStatus("idle"), 5000, "idle after disconnect");
        const base = await c.request("connect", {});
        expect(base.data["until"]).toBeUndefined();
        await c.next(isStatus("connected"), 5000, "connected again");
        // not a readiness wait: the window in which the old end would have disconnected the device
        const left = (ack.data["until"] as number) * 1000 + WATCH_MS - Date.now();
        if (left > 0) await delay(left);
        const statuses = c.messages.filter((m) => m.type === "status").map(reason);
        expect(statuses.filter((s) => s.includes("duration reached"))).toEqual([]);
        expect((await c.request("status")).data["device_state"]).toBe("connected");
        c.skipAll();
        await c.next(isEeg, 3000, "still streaming");
      });
    },
    30_000,
  );

  test(
    '0, 86401, "5", -1 and other junk are INVALID_PARAMETERS naming duration_s; the base ack is unchanged',
    async () => {
      await withBridge(async (c) => {
        for (const bad of [0, 86_401, "5", -1, 0.5, [1], true]) {
          const r = await c.request("connect", { duration_s: bad });
          expect([r.type, r.data["code"]]).toEqual(["error", "INVALID_PARAMETERS"]);
          expect(reason(r)).toContain("duration_s");
          expect(reason(r)).toContain("between 1 and 86400");
        }
        expect((await c.request("status")).data["device_state"]).toBe("idle"); // nothing started
        const base = await c.request("connect", {});
        expect(base.type).toBe("command_ack");
        expect(Object.keys(base.data).sort()).toEqual([
          "auto_reconnect",
          "command",
          "log_level",
          "message",
        ]);
        expect(base.data).toEqual({
          command: "connect",
          auto_reconnect: false,
          log_level: "ERROR",
          message: "Connecting to MW75 device",
        });
      });
    },
    30_000,
  );
});
