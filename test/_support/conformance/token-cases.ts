/**
 * @module Conformance scenarios for tokens and roles (BRIDGE-API §5): read-only anonymous clients,
 * the observe role, the three ways to present a token (header, subprotocol, `auth` message), bad
 * tokens, the `mw75.auth` deadline, and tokens kept out of /health and the logs.
 */
import { expect } from "bun:test";
import type { Runtime } from "../server-process.ts";
import type { WsClient } from "../ws-client.ts";
import {
  authFile,
  bearer,
  closeCodeWithin,
  expectDenied,
  expectNotDenied,
  replyTo,
  waitClients,
  welcomed,
  withAccessServer,
} from "./access-helpers.ts";
import { delay, health, isEeg, isError } from "./helpers.ts";
import { untilCount } from "./stream-helpers.ts";

/** What `observe` may send: anonymous's commands plus marker and broadcast (the contract's list). */
const OBSERVE_COMMANDS = [
  "status",
  "ping",
  "subscribe",
  "unsubscribe",
  "recording_status",
  "get",
  "auth",
  "marker",
  "broadcast",
];
/** A sample of what only `control` may send, including commands this version may not implement yet. */
const CONTROL_ONLY = [
  "connect",
  "disconnect",
  "set",
  "start_recording",
  "stop_recording",
  "scan_devices",
];
/** Every command of the contract (BRIDGE-API §2, §4–§6). */
const CONTRACT_COMMANDS = [...OBSERVE_COMMANDS, ...CONTROL_ONLY, "list_devices", "connect_device"];

/**
 * `auth_result.permissions` lists only commands the role may send (the server may leave out those
 * it does not implement yet), and at least the ones every build has.
 */
function expectPermissions(perms: unknown, allowed: string[], required: string[]): void {
  expect(Array.isArray(perms)).toBe(true);
  const list = perms as string[];
  expect(list.filter((c) => !allowed.includes(c))).toEqual([]);
  expect(required.filter((c) => !list.includes(c))).toEqual([]);
}

/** Polls `read` every 20 ms until it returns a value (rejects after `ms`). */
async function until<T>(read: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(20);
  }
}

/** Connects the device from `c` and waits for its first eeg_data. */
async function connectDevice(c: WsClient, how: string): Promise<void> {
  const ack = await c.request("connect", {});
  expect({ how, type: ack.type, code: ack.data["code"] ?? null }).toEqual({
    how,
    type: "command_ack",
    code: null,
  });
  await c.next(isEeg, 5000, `eeg_data after a connect (${how})`);
}

/**
 * `--token`: an anonymous client streams once a control client connects the device, gets
 * PERMISSION_DENIED naming the command for connect, disconnect, set, start_recording and broadcast
 * (none of which take effect), and may send status, ping, subscribe, unsubscribe, get and recording_status.
 */
export async function anonymousReadOnly(runtime: Runtime): Promise<void> {
  const token = "ctl-7f3a9e2b41c8";
  await withAccessServer(runtime, ["--token", token, "--max-clients", "2"], async (srv, open) => {
    const ctl = await welcomed(await open(bearer(token)));
    const anon = await welcomed(await open());
    await connectDevice(ctl, "Authorization header");
    await anon.next(isEeg, 5000, "eeg_data on the anonymous client");
    const denied: [string, unknown][] = [
      ["connect", {}],
      ["disconnect", undefined],
      ["set", { values: { subject: "x" } }],
      ["start_recording", {}],
      ["broadcast", { note: "from anonymous" }],
    ];
    for (const [cmd, data] of denied) expectDenied(await replyTo(anon, cmd, data), cmd);
    // nothing of that happened: no broadcast arrived, the device still streams to both
    // 100 more eeg_data (0.2 s at 500 Hz, also the quiet spell in which a broadcast would have
    // arrived); 3 s only bounds a loaded machine
    await untilCount(anon, anon.messages.length, isEeg, 100, 3000, "eeg_data after the denials");
    expect(ctl.messages.some((m) => m.type === "broadcast")).toBe(false);
    expect((await health(srv))["device_state"]).toBe("connected");

    expect((await anon.request("status")).type).toBe("status");
    expect((await anon.request("ping")).type).toBe("pong");
    const sub = await anon.request("subscribe", { stream: "events" });
    expect({ type: sub.type, stream: sub.data["stream"] }).toEqual({
      type: "command_ack",
      stream: "events",
    });
    expect((await anon.request("unsubscribe", { stream: "events" })).type).toBe("command_ack");
    expectNotDenied(await replyTo(anon, "get"), "get");
    expectNotDenied(await replyTo(anon, "recording_status"), "recording_status");
  });
}

/**
 * `--auth FILE` with an observe token: broadcast is acknowledged, marker gets past the gate,
 * connect and set are PERMISSION_DENIED; by message, auth_result names the role and its commands.
 */
export async function observeRole(runtime: Runtime): Promise<void> {
  const obsToken = "obs-2c81d7f0aa93";
  const ctlToken = "ctl-91e4b6c3d2f5";
  const file = authFile([{ token: obsToken, role: "observe", name: "viewer" }, {
    token: ctlToken,
    role: "control",
    name: "lab",
  }]);
  try {
    await withAccessServer(
      runtime,
      ["--auth", file.path, "--max-clients", "3"],
      async (srv, open) => {
        const ctl = await welcomed(await open(bearer(ctlToken)));
        const obs = await welcomed(await open(bearer(obsToken)));
        const anon = await welcomed(await open());
        const ack = await obs.request("broadcast", { note: "from observe" });
        expect({ type: ack.type, recipients: ack.data["recipients"] }).toEqual({
          type: "command_ack",
          recipients: 2,
        });
        expect(
          (await anon.next((m) => m.type === "broadcast", 3000, "the observer's broadcast")).id,
        ).toBe(ack.id);
        expectNotDenied(await replyTo(obs, "marker", { label: "stimulus" }), "marker");
        for (const cmd of CONTROL_ONLY) {
          expectDenied(
            await replyTo(obs, cmd, cmd === "set" ? { values: { subject: "x" } } : {}),
            cmd,
          );
        }
        await connectDevice(ctl, "control token from the auth file");
        await obs.next(isEeg, 5000, "eeg_data on the observer");

        anon.close();
        expect(await waitClients(srv, 2)).toBe(2);
        const late = await welcomed(await open());
        const res = await late.request("auth", { token: obsToken });
        expect(res.type).toBe("auth_result");
        expect({ authenticated: res.data["authenticated"], role: res.data["role"] }).toEqual({
          authenticated: true,
          role: "observe",
        });
        expectPermissions(res.data["permissions"], OBSERVE_COMMANDS, [
          "status",
          "ping",
          "subscribe",
          "unsubscribe",
          "get",
          "auth",
          "broadcast",
        ]);
        expect((await late.request("broadcast", { again: true })).type).toBe("command_ack");
        const text = JSON.stringify(await health(srv));
        for (const t of [obsToken, ctlToken]) expect(text.includes(t)).toBe(false);
      },
    );
  } finally {
    file.cleanup();
  }
}

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
