/** @module Conformance scenarios for presenting tokens (docs/protocol/bridge-api.md §5): the three ways (header, subprotocol, `auth` message), wrong tokens, the `mw75.auth` deadline, and tokens kept out of /health and the logs. */
import { expect } from "bun:test";
import type { Runtime } from "../server-process.ts";
import type { WsClient } from "../ws-client.ts";
import {
  bearer,
  closeCodeWithin,
  waitClients,
  welcomed,
  withAccessServer,
} from "./access-helpers.ts";
import { delay, health, isError } from "./helpers.ts";
import { connectDevice, CONTRACT_COMMANDS, expectPermissions, until } from "./token-helpers.ts";

/**
 * A control token works by Authorization header, by subprotocol (the first offered one is
 * echoed; a browser-style WebSocket accepts the handshake), by `auth` message, and by message
 * after announcing `mw75.auth`; each client may connect the device.
 */
export async function controlThreeWays(runtime: Runtime): Promise<void> {
  const token = "ctl-0d5e8a7b36f1";
  await withAccessServer(runtime, ["--token", token], async (srv, open) => {
    const byMessage = async (c: WsClient) => {
      const res = await c.request("auth", { token });
      expect(res.type).toBe("auth_result");
      expect({ authenticated: res.data["authenticated"], role: res.data["role"] }).toEqual({
        authenticated: true,
        role: "control",
      });
      expectPermissions(res.data["permissions"], CONTRACT_COMMANDS, [
        "connect",
        "disconnect",
        "status",
        "ping",
        "subscribe",
        "get",
        "set",
        "auth",
      ]);
      return c;
    };
    const ways: [string, () => Promise<WsClient>][] = [
      ["Authorization header", async () => welcomed(await open(bearer(token)))],
      ["subprotocol", async () => {
        const c = await open({ protocols: [`mw75.bearer.${token}`, "mw75.v1"] });
        expect(c.upgrade.headers["sec-websocket-protocol"]).toBe(`mw75.bearer.${token}`);
        return welcomed(c);
      }],
      ["auth message", async () => byMessage(await welcomed(await open()))],
      ["mw75.auth then auth message", async () => {
        const c = await open({ protocols: ["mw75.auth"] });
        expect(c.upgrade.headers["sec-websocket-protocol"]).toBe("mw75.auth");
        return byMessage(c);
      }],
    ];
    for (const [how, make] of ways) {
      const c = await make();
      await connectDevice(c, how);
      c.close();
      expect({ how, clients: await waitClients(srv, 0) }).toEqual({ how, clients: 0 });
    }

    // a browser's WebSocket fails the handshake unless the offered subprotocol is echoed
    const ws = new WebSocket(`${srv.ws}/`, [`mw75.bearer.${token}`]);
    const got: Record<string, unknown>[] = [];
    ws.onmessage = (e) => got.push(JSON.parse(String(e.data)) as Record<string, unknown>);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error("browser-style WebSocket: no open within 5 s")),
          5000,
        );
        ws.onopen = () => (clearTimeout(timer), resolve());
        ws.onerror =
          () => (clearTimeout(timer),
            reject(new Error("browser-style WebSocket failed (subprotocol not echoed?)")));
      });
      expect(ws.protocol).toBe(`mw75.bearer.${token}`);
      ws.send(JSON.stringify({ id: "browser-1", type: "connect", data: {} }));
      const ack = await until(
        () => got.find((m) => m["id"] === "browser-1"),
        5000,
        "the browser client's connect reply",
      );
      expect(ack["type"]).toBe("command_ack");
      await until(
        () => got.find((m) => m["type"] === "eeg_data"),
        5000,
        "eeg_data on the browser client",
      );
    } finally {
      ws.close();
    }
  });
}

/**
 * A wrong token by header, subprotocol or message → error AUTH_FAILED then close 1008; a client
 * that announced `mw75.auth` and stays silent is closed 1008 after 10–12 s; /health stays open;
 * neither token appears in /health, stdout or the --verbose stderr.
 */
export async function wrongTokens(runtime: Runtime): Promise<void> {
  const token = "ctl-good-53c0ae19b2";
  const wrong = "bad-token-e7d2194c6a";
  await withAccessServer(
    runtime,
    ["--token", token, "--verbose", "--max-clients", "8"],
    async (srv, open) => {
      const started = Date.now();
      const silent = await open({ protocols: ["mw75.auth"] });
      const silentEnd = silent.closed.then((code) => ({ code, afterMs: Date.now() - started }));

      const refusedBy = async (how: string, c: WsClient, viaMessage: boolean) => {
        const err = viaMessage
          ? await c.request("auth", { token: wrong })
          : await c.next(isError("AUTH_FAILED"), 5000, `AUTH_FAILED (${how})`);
        expect({ how, type: err.type, code: err.data["code"] }).toEqual({
          how,
          type: "error",
          code: "AUTH_FAILED",
        });
        expect({ how, close: await closeCodeWithin(c, 3000) }).toEqual({ how, close: 1008 });
      };
      await refusedBy("Authorization header", await open(bearer(wrong)), false);
      await refusedBy("subprotocol", await open({ protocols: [`mw75.bearer.${wrong}`] }), false);
      await refusedBy("auth message", await welcomed(await open()), true);
      await refusedBy(
        "mw75.auth then auth message",
        await open({ protocols: ["mw75.auth"] }),
        true,
      );

      // the right token still works afterwards, and an auth message at any time is answered
      const good = await welcomed(await open(bearer(token)));
      await connectDevice(good, "Authorization header");
      const res = await good.request("auth", { token });
      expect(res.type).toBe("auth_result");

      const left = 14_000 - (Date.now() - started);
      const end = await Promise.race([
        silentEnd,
        delay(Math.max(0, left)).then(() => ({ code: -1, afterMs: -1 })),
      ]);
      expect(end.code).toBe(1008);
      // a plain 10-s timer armed at the upgrade, timed here from before the upgrade: 1 s early
      // for timer rounding, 2.5 s late for a loaded machine's timers and the close's delivery
      expect(end.afterMs).toBeGreaterThan(9_000);
      expect(end.afterMs).toBeLessThan(12_500);

      const healthText = JSON.stringify(await health(srv));
      for (const t of [token, wrong]) {
        expect({ t, inHealth: healthText.includes(t) }).toEqual({ t, inHealth: false });
        expect({ t, inStdout: srv.stdout().includes(t) }).toEqual({ t, inStdout: false });
        expect({ t, inStderr: srv.stderr().includes(t) }).toEqual({ t, inStderr: false });
      }
      expect(srv.stderr().length).toBeGreaterThan(0); // --verbose did log (so the check above means something)
    },
  );
}
