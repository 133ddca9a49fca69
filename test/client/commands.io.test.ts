/** @module Commands against a live bridge: replies resolve by id, `error` replies and timeouts reject with their code. */
import { describe, expect, test } from "bun:test";
import { BridgeClientError, connect } from "../../src/client/mod.ts";
import type { StatusEventData } from "../../src/client/mod.ts";
import { startProxy } from "../_support/client/tcp-proxy.ts";
import { until, webSocketClass, withBridge } from "../_support/client/live-server.ts";

const WebSocket = await webSocketClass();

/** Awaits `p`, which must reject; returns the error. */
async function rejection(p: Promise<unknown>): Promise<BridgeClientError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BridgeClientError);
    return e as BridgeClientError;
  }
  throw new Error("expected a rejection");
}

describe("BridgeClient commands", () => {
  test("replies resolve with their data and every message is a typed event", async () => {
    await withBridge(["--max-clients", "4"], async (srv) => {
      const client = connect(`${srv.ws}/`, { WebSocket, eeg: false });
      const statuses: StatusEventData[] = [];
      client.on("status", (d) => void ("state" in d && statuses.push(d)));
      try {
        await client.opened();
        expect(typeof (await client.ping()).timestamp).toBe("number");
        const status = await client.status();
        expect(status.device_state).toBe("idle");
        expect(status.subscriptions).toEqual([]); // eeg: false unsubscribed the base stream
        const ack = await client.marker("stimulus", { value: 3 });
        expect(ack.command).toBe("marker");
        expect(ack.marker).toMatchObject({ label: "stimulus", value: 3 });
        expect((await client.connectHeadset({ auto_reconnect: false })).command).toBe("connect");
        await until(
          () => statuses.some((s) => s.state === "connected"),
          10_000,
          "status connected",
        );
        expect(statuses[0]!.message).toBe("Client connected to MW75 server"); // the welcome came first
        expect((await client.getSettings(["heartbeat_s"])).values).toEqual({ heartbeat_s: 30 });
        expect((await client.listDevices()).devices.map((d) => d.device_id)).toEqual(["sim-1"]);
      } finally {
        client.close();
      }
    });
  }, 30_000);

  test("error replies reject with the server's code and message", async () => {
    await withBridge(["--max-clients", "4"], async (srv) => {
      const client = connect(`${srv.ws}/`, { WebSocket, eeg: false });
      try {
        await client.opened();
        const unknown = await rejection(client.request("subscribe", { stream: "telepathy" }));
        expect(unknown.code).toBe("UNKNOWN_STREAM");
        expect(unknown.command).toBe("subscribe");
        expect(unknown.message).toContain("telepathy");

        const sub = client.subscribe("eeg_batch", { num_samples: 0 });
        const invalid = await rejection(sub.ready);
        expect(invalid.code).toBe("INVALID_PARAMETERS");
        expect(invalid.message).toContain("num_samples");
        await expect(sub.next()).rejects.toBe(invalid); // the iterator ends with the same error
        expect((await sub.next()).done).toBe(true);

        const setting = await rejection(client.setSettings({ heartbeat_s: 1 }));
        expect(setting.code).toBe("INVALID_VALUE");
        expect(setting.data?.key).toBe("heartbeat_s");
        expect((await client.ping()).timestamp).toBeGreaterThan(0); // the connection is unharmed
      } finally {
        client.close();
      }
    });
  }, 30_000);

  test(
    "a command without a reply times out, one in flight when the socket drops is CONNECTION_LOST",
    async () => {
      await withBridge(["--max-clients", "4"], async (srv) => {
        const proxy = await startProxy(srv.port);
        const client = connect(proxy.url(), {
          WebSocket,
          eeg: false,
          liveness: false,
          reconnect: { baseMs: 50, maxMs: 50 },
        });
        try {
          await client.opened();
          proxy.stall();
          const timedOut = await rejection(client.request("ping", {}, { timeoutMs: 300 }));
          expect(timedOut.code).toBe("TIMEOUT");
          const lost = client.request("ping", {}, { timeoutMs: 5000 });
          proxy.cut();
          expect((await rejection(lost)).code).toBe("CONNECTION_LOST");
          // queued while the client waits to reconnect, sent on the next socket
          const later = client.ping();
          expect((await later).timestamp).toBeGreaterThan(0);
          const closed = client.ping();
          client.close();
          expect((await rejection(closed)).code).toBe("CLIENT_CLOSED");
        } finally {
          client.close();
          await proxy.close();
        }
      });
    },
    30_000,
  );
});
