/** @module Tokens (§5) and per-device sockets (§6) through the SDK, against a live bridge. */
import { describe, expect, test } from "bun:test";
import { BridgeClientError, connect, deviceUrl } from "../../src/client/mod.ts";
import type { CloseInfo, WebSocketConstructorLike } from "../../src/client/mod.ts";
import { tokenStyle } from "../../src/client/socket.ts";
import {
  currentRuntime,
  until,
  webSocketClass,
  withBridge,
} from "../_support/client/live-server.ts";

const WebSocket = await webSocketClass();
const TOKEN = "sdk-test-token-0123456789";

describe("tokenStyle", () => {
  test("uses a header where the constructor takes one, else the subprotocol", () => {
    expect(tokenStyle(WebSocket)).toBe(
      currentRuntime() === "node" ? "ws-headers" : "options-headers",
    );
    class BrowserLike {} // no terminate(), not this runtime's global: treated as a browser's
    expect(tokenStyle(BrowserLike as unknown as WebSocketConstructorLike)).toBe("subprotocol");
  });
});

describe("connect without a WebSocket", () => {
  test("says to pass one when the runtime has no global (Node 20)", () => {
    const g = globalThis as { WebSocket?: unknown };
    const saved = g.WebSocket;
    delete g.WebSocket;
    try {
      expect(() => connect("ws://127.0.0.1:1/")).toThrow(/pass one as options.WebSocket/);
    } finally {
      if (saved !== undefined) g.WebSocket = saved;
    }
  });
});

describe("deviceUrl", () => {
  test("builds /devices/<id>/ws from any form of the bridge's address", () => {
    expect(deviceUrl("http://127.0.0.1:8080", "sim-2")).toBe(
      "ws://127.0.0.1:8080/devices/sim-2/ws",
    );
    expect(deviceUrl("wss://bridge.local/ws", "mw75-AABBCCDDEEFF")).toBe(
      "wss://bridge.local/devices/mw75-AABBCCDDEEFF/ws",
    );
    expect(deviceUrl("https://bridge.local:9443/", "a b")).toBe(
      "wss://bridge.local:9443/devices/a%20b/ws",
    );
    expect(() => deviceUrl("ftp://bridge.local", "sim-1")).toThrow(TypeError);
  });
});

describe("connect with a token", () => {
  test(
    "a control token works as a header and as the subprotocol; no token is anonymous",
    async () => {
      await withBridge(["--token", TOKEN, "--max-clients", "4"], async (srv) => {
        const header = connect(`${srv.ws}/`, { WebSocket, token: TOKEN, eeg: false });
        const protocol = connect(`${srv.ws}/`, {
          WebSocket,
          token: TOKEN,
          tokenVia: "subprotocol",
          eeg: false,
        });
        const anonymous = connect(`${srv.ws}/`, { WebSocket, eeg: false });
        try {
          expect((await header.setSettings({ subject: "header" })).changed).toEqual(["subject"]);
          expect((await protocol.setSettings({ subject: "subprotocol" })).changed).toEqual([
            "subject",
          ]);
          const denied = await anonymous.setSettings({ subject: "nobody" }).catch((e: unknown) =>
            e
          );
          expect(denied).toBeInstanceOf(BridgeClientError);
          expect((denied as BridgeClientError).code).toBe("PERMISSION_DENIED");
          expect((await anonymous.auth(TOKEN)).role).toBe("control"); // first-message auth upgrades it
          expect((await anonymous.setSettings({ subject: "later" })).changed).toEqual(["subject"]);
        } finally {
          for (const c of [header, protocol, anonymous]) c.close();
        }
      });
    },
    30_000,
  );

  test("a bad token ends the client with AUTH_FAILED instead of retrying", async () => {
    await withBridge(["--token", TOKEN, "--max-clients", "4"], async (srv) => {
      const client = connect(`${srv.ws}/`, {
        WebSocket,
        token: "wrong-token",
        reconnect: { baseMs: 50 },
      });
      const closes: CloseInfo[] = [];
      client.on("close", (c) => closes.push(c));
      const sub = client.subscribe("events");
      await until(() => client.state === "closed", 5000, "the client to end");
      expect(closes).toHaveLength(1);
      expect(closes[0]).toMatchObject({ code: 1008, reconnectInMs: null });
      await expect(sub.next()).rejects.toMatchObject({ code: "AUTH_FAILED" });
      await expect(client.ping()).rejects.toMatchObject({ code: "AUTH_FAILED" });
    });
  }, 30_000);
});

describe("connect to a device socket", () => {
  test("deviceUrl reaches that device of a bridge with several", async () => {
    await withBridge(["--sim-devices", "2", "--max-clients", "4"], async (srv) => {
      const client = connect(deviceUrl(srv.http, "sim-2"), { WebSocket, eeg: false });
      try {
        expect((await client.status()).device_id).toBe("sim-2");
      } finally {
        client.close();
      }
    });
  }, 30_000);
});
