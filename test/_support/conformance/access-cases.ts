/**
 * @module Conformance scenarios for who may reach the bridge (docs/protocol/bridge-api.md §5): the Origin check on
 * upgrades, the Host check on HTTP routes (DNS rebinding), the non-loopback refusal, and the base
 * protocol unchanged while auth is off.
 */
import { expect } from "bun:test";
import { networkInterfaces } from "node:os";
import { runServeCli, startServer } from "../server-process.ts";
import type { Runtime } from "../server-process.ts";
import { connectWs } from "../ws-client.ts";
import {
  bearer,
  expectDenied,
  getWithHost,
  maskedTextFrame,
  origin,
  rawHttp,
  replyTo,
  upgradeHead,
  upgradeStatus,
  welcomed,
  withAccessServer,
} from "./access-helpers.ts";
import { delay, health, isEeg, isStatus, isStatusMessage } from "./helpers.ts";

/** The first non-internal IPv4 address of this machine (null in a loopback-only sandbox). */
function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return null;
}

/**
 * A page on a foreign origin gets 403 before the upgrade, even with a `connect` pipelined behind
 * it, and the device stays idle; loopback origins, `--allow-origin` values (exact origin, or bare
 * host on any scheme/port) and clients without Origin are admitted; `*` admits any origin.
 */
export async function originChecks(runtime: Runtime): Promise<void> {
  const allow = ["--allow-origin", "https://app.example:8443", "--allow-origin", "trusted.example"];
  await withAccessServer(runtime, ["--max-clients", "20", ...allow], async (srv, open) => {
    const p = srv.port;
    // what a hostile page's WebSocket does: the upgrade and a command in one write
    const attack = Buffer.concat([
      Buffer.from(upgradeHead(p, { Origin: "http://evil.example" })),
      maskedTextFrame('{"id":"x","type":"connect","data":{"auto_reconnect":true}}'),
    ]);
    const answer = await rawHttp(p, attack, 2000);
    expect(answer.statusLine).toMatch(/^HTTP\/1\.1 403/);
    const refused = [
      "http://evil.example",
      `http://evil.example:${p}`,
      `http://localhost.evil.example:${p}`,
      "http://127.0.0.1.evil.example",
      "https://app.example:9999",
      "http://app.example:8443",
      "https://sub.trusted.example",
      "null",
    ];
    for (const o of refused) {
      expect({ o, status: await upgradeStatus(srv, origin(o)) }).toEqual({ o, status: 403 });
    }
    await delay(300); // a quiet spell: a command smuggled past a refusal would act within it
    const h = await health(srv);
    expect({ state: h["device_state"], clients: h["clients"] }).toEqual({
      state: "idle",
      clients: 0,
    });

    const admitted = [
      `http://127.0.0.1:${p}`,
      `http://localhost:${p}`,
      "http://localhost:5173",
      `http://[::1]:${p}`,
      "https://app.example:8443",
      "http://trusted.example",
      "https://trusted.example:4443",
    ];
    for (const o of admitted) {
      const c = await open(origin(o)).catch((e: Error) =>
        Promise.reject(new Error(`Origin ${o}: ${e.message}`))
      );
      await welcomed(c);
      expect((await c.request("ping")).type).toBe("pong");
    }
    const plain = await welcomed(await open());
    expect((await plain.request("ping")).type).toBe("pong");
  });
  await withAccessServer(runtime, ["--allow-origin", "*"], async (srv, open) => {
    const c = await welcomed(await open(origin("http://evil.example")));
    expect((await c.request("ping")).type).toBe("pong");
    expect(await upgradeStatus(srv, origin("null"))).not.toBe(403);
  });
}

/**
 * DNS rebinding: GET /health, / and /ws with a foreign Host get 403; the loopback names, an
 * `--allow-origin` host, and with `--allow-origin *` any host, get the normal answer.
 */
export async function hostRebinding(runtime: Runtime): Promise<void> {
  await withAccessServer(runtime, ["--allow-origin", "app.example"], async (srv) => {
    const p = srv.port;
    for (
      const host of [
        `evil.example:${p}`,
        "evil.example",
        `127.0.0.1.evil.example:${p}`,
        `localhost.evil.example:${p}`,
      ]
    ) {
      for (const path of ["/health", "/", "/ws"]) {
        const r = await getWithHost(p, path, host);
        expect({ host, path, status: r.status }).toEqual({ host, path, status: 403 });
        expect(r.body).not.toContain("device_state");
      }
    }
    for (
      const host of [
        `127.0.0.1:${p}`,
        "127.0.0.1",
        `localhost:${p}`,
        `[::1]:${p}`,
        `app.example:${p}`,
      ]
    ) {
      const h = await getWithHost(p, "/health", host);
      expect({ host, status: h.status }).toEqual({ host, status: 200 });
      expect(JSON.parse(h.body)["device_state"]).toBe("idle");
      expect({ host, status: (await getWithHost(p, "/", host)).status }).toEqual({
        host,
        status: 200,
      });
    }
  });
  await withAccessServer(runtime, ["--allow-origin", "*"], async (srv) => {
    expect((await getWithHost(srv.port, "/health", `evil.example:${srv.port}`)).status).toBe(200);
  });
}

/**
 * `--host 0.0.0.0` without a token exits 2 and says how to add one or pass --no-auth; with
 * --no-auth it serves (a local interface origin admitted, a foreign one refused); with MW75_TOKEN
 * it serves with auth on.
 */
export async function nonLoopbackRefusal(runtime: Runtime): Promise<void> {
  const r = await runServeCli(runtime, ["--host", "0.0.0.0", "--port", "0"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("--token");
  expect(r.stderr).toContain("--no-auth");

  const open = await startServer(runtime, ["--host", "0.0.0.0", "--no-auth", "--max-clients", "5"]);
  try {
    const p = open.port;
    const local = `ws://127.0.0.1:${p}/`;
    const h = await getWithHost(p, "/health", `127.0.0.1:${p}`);
    expect(h.status).toBe(200);
    expect(
      ((await (await fetch(`http://127.0.0.1:${p}/health`)).json()) as Record<string, unknown>)[
        "auth_required"
      ],
    ).toBe(false);
    const evil = await rawHttp(p, upgradeHead(p, { Origin: "http://evil.example" }), 2000);
    expect(evil.status).toBe(403);
    const lan = lanAddress();
    const origins = [`http://localhost:${p}`, ...(lan === null ? [] : [`http://${lan}:${p}`])];
    for (const o of origins) {
      const c = await connectWs(local, 5000, origin(o)).catch((e: Error) =>
        Promise.reject(new Error(`Origin ${o}: ${e.message}`))
      );
      await welcomed(c);
      c.close();
    }
    if (lan !== null) expect((await getWithHost(p, "/health", `${lan}:${p}`)).status).toBe(200);
  } finally {
    open.kill();
  }

  const token = "env-token-4b7d0c1e";
  await withAccessServer(runtime, ["--host", "0.0.0.0", "--max-clients", "2"], async (srv) => {
    const url = `ws://127.0.0.1:${srv.port}/`;
    // /health stays open and tells pages that the guarded routes need a token
    expect(
      ((await (await fetch(`http://127.0.0.1:${srv.port}/health`)).json()) as Record<
        string,
        unknown
      >)["auth_required"],
    ).toBe(true);
    const anon = await welcomed(await connectWs(url));
    expectDenied(await replyTo(anon, "connect", {}), "connect");
    const ctl = await welcomed(await connectWs(url, 5000, bearer(token)));
    expect((await ctl.request("connect", {})).type).toBe("command_ack");
    await ctl.next(isEeg, 5000, "eeg_data");
    anon.close();
    ctl.close();
  }, { MW75_TOKEN: token });
}

/**
 * Auth off (the default on loopback): a browser page on http://localhost:PORT connects and
 * controls the device exactly as in the base protocol; every client is a controller candidate.
 */
export async function authOffUnchanged(runtime: Runtime): Promise<void> {
  await withAccessServer(runtime, ["--max-clients", "2"], async (srv, open) => {
    const c = await open(origin(`http://localhost:${srv.port}`));
    expect(c.upgrade.headers["sec-websocket-protocol"]).toBeUndefined();
    await welcomed(c);
    expect(isStatusMessage("Client connected to MW75 server")(c.messages[0]!)).toBe(true);
    const ack = await c.request("connect", { auto_reconnect: false });
    expect(ack.type).toBe("command_ack");
    expect(ack.data["command"]).toBe("connect");
    await c.next(isStatus("connected"));
    await c.next(isEeg);
    expect((await c.request("status")).data).toMatchObject({
      device_state: "connected",
      has_control: true,
    });
    // the second client meets the base controller/observer rules, not the role gate
    const b = await welcomed(await open());
    const taken = await b.request("disconnect");
    expect(taken.data["code"]).toBe("DEVICE_CONTROL_TAKEN");
    expect((await b.request("broadcast", { hi: 1 })).type).toBe("command_ack");
    expect(
      c.messages.some((m) => m.type === "auth_result" || m.data["code"] === "PERMISSION_DENIED"),
    ).toBe(false);
    expect((await c.request("disconnect")).type).toBe("command_ack");
    await c.next(isStatus("idle"));
  });
}
