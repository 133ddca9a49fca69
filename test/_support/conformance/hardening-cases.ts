/**
 * @module Conformance scenarios for the defects an adversarial run found (issue 7): connect/disconnect
 * races, unbounded per-client memory, deep nesting, oversized frames, clumsy parameters.
 */
import { expect } from "bun:test";
import type { Runtime } from "../server-process.ts";
import { connect as tcpConnect } from "node:net";
import type { Msg } from "../ws-client.ts";
import {
  delay,
  expectError,
  health,
  healthUntil,
  isEeg,
  isStatus,
  openWelcomed,
  rssMb,
  since,
  UUID,
  waitUntil,
  withServer,
} from "./helpers.ts";
import { untilCount } from "./stream-helpers.ts";

const TRIES = 50;
// the simulator activates in 20 ms: a start that leaked past the disconnect would announce itself by then
const SETTLE_MS = 80;

/**
 * connect and disconnect back to back — in one TCP write, and 0–5 ms apart — 50 tries each: every
 * try ends idle, nothing connects or streams afterwards, and the status reply and /health agree.
 */
export async function connectDisconnectRace(runtime: Runtime): Promise<void> {
  await withServer(runtime, [], async (srv, open) => {
    const { c } = await openWelcomed(open);
    const failures: string[] = [];
    for (let i = 0; i < 2 * TRIES; i++) {
      const together = i < TRIES;
      const gapMs = i % 6;
      const mark = c.messages.length;
      const connect = { id: `c${i}`, type: "connect", data: {} };
      const disconnect = { id: `d${i}`, type: "disconnect" };
      if (together) c.sendTogether([connect, disconnect]);
      else {
        c.send(connect);
        if (gapMs > 0) await delay(gapMs);
        c.send(disconnect);
      }
      await c.next(
        (m) => m.id === `d${i}` && m.type === "command_ack",
        5000,
        `disconnect ack of try ${i}`,
      );
      await c.next(isStatus("idle"), 5000, `idle after try ${i}`);
      // a quiet spell, not a readiness wait: a leaked start would show up in it
      await delay(SETTLE_MS);
      const after = since(c, mark);
      const ackAt = after.findIndex((m) => m.id === `d${i}`);
      const late = after.slice(ackAt).filter((m) =>
        isEeg(m) || isStatus("connected")(m) || isStatus("connecting")(m)
      );
      const told = (await c.request("status")).data["device_state"];
      const stored = (await health(srv))["device_state"];
      if (late.length > 0 || told !== "idle" || stored !== "idle") {
        failures.push(
          `try ${i} (${
            together ? "one write" : `${gapMs} ms`
          }): told ${told}, /health ${stored}, ${late.length} late messages`,
        );
      }
      c.skipAll();
    }
    expect(failures).toEqual([]);
  });
}

/**
 * A client that never reads while 300 broadcasts of ~60 KB are forwarded to it: its queue is
 * bounded in bytes, so it is closed with 1013 long before 4096 messages; the sender streams on.
 */
export async function byteBoundedQueue(runtime: Runtime): Promise<void> {
  // 300 broadcasts as fast as possible: above the default inbound rate limit, which is not under test here
  await withServer(runtime, ["--max-clients", "2", "--rate-limit", "100000"], async (srv, open) => {
    const { c: a } = await openWelcomed(open);
    const { c: b } = await openWelcomed(open);
    await a.request("connect", {});
    await a.next(isEeg);
    b.pause();
    const rssBefore = rssMb(srv.child.pid!);
    const note = "n".repeat(60 * 1024);
    for (let i = 0; i < 300; i++) {
      a.send({ id: `big-${i}`, type: "broadcast", data: { i, note } });
      if (i % 20 === 19) {
        await a.next((m) => m.id === `big-${i}` && m.type === "command_ack", 10_000, `ack ${i}`);
      }
    }
    // the close follows the last broadcasts at once; 10 s only bounds a loaded machine
    await healthUntil(srv, (h) => h["clients"] === 1, 10_000, "the stalled client closed");
    // the sender was not held up: it still streams (150 eeg_data = 0.3 s at 500 Hz; 3 s for load)
    await untilCount(a, a.messages.length, isEeg, 150, 3000, "the sender's eeg_data");
    // what the closed client had queued is gone: memory did not keep the 18 MB it was sent
    expect(rssMb(srv.child.pid!) - rssBefore).toBeLessThan(120);
    b.resume();
    // the close frame is already queued for it: 15 s only bounds a loaded machine
    expect(await Promise.race([b.closed, delay(15_000).then(() => -1)])).toBe(1013);
  });
}

/** Deep nesting, oversized ids and frames: specific codes, fresh ids, a 1009 close, others unaffected. */
export async function frameGuards(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--max-clients", "2"], async (srv, open) => {
    const { c } = await openWelcomed(open);
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    for (let k = 0; k < 5; k++) {
      c.sendText(`{"id":${nested(30_000)},"type":"ping"}`); // 60 KB: deep, yet under the 64 KiB frame limit
      const deep = await c.next(
        (m) => m.type === "error" || m.type === "pong",
        10_000,
        "the reply to a 30k-deep id",
      );
      expectError(deep, "INVALID_MESSAGE");
      expect(String(deep.data["message"])).toContain("deeper than 32");
    }
    c.sendText(`{"id":${nested(31)},"type":"ping"}`); // 32 levels with the envelope: allowed
    expect((await c.next((m) => m.type === "pong" || m.type === "error")).type).toBe("pong");

    c.send({ id: "x".repeat(1100), type: "ping" });
    const longId = await c.next((m) => m.type === "error" || m.type === "pong");
    expectError(longId, "INVALID_MESSAGE");
    const fits = "y".repeat(1022);
    c.send({ id: fits, type: "ping" });
    expect((await c.next((m) => m.type === "pong")).id).toBe(fits);

    // exactly 64 KiB is accepted; one byte more closes the socket with 1009 (message too big)
    const head = '{"id":"edge","type":"ping"}';
    c.sendText(head + " ".repeat(65_536 - head.length));
    expect((await c.next((m) => m.type === "pong")).id).toBe("edge");
    const other = await open();
    c.sendText(head + " ".repeat(65_537 - head.length));
    expect(await Promise.race([c.closed, delay(5000).then(() => -1)])).toBe(1009);
    // a client that never reads the close frame is let go at once all the same
    const mute = await open();
    await mute.next(isStatus("idle"), 5000, "the mute client's welcome");
    mute.pause();
    mute.sendText(head + " ".repeat(70_000));
    // dropped at once; 5 s only bounds a loaded machine (the count is asserted again below)
    await healthUntil(srv, (h) => h["clients"] === 1, 5000, "the mute client dropped");
    // the server and the other client carry on
    await other.next(isStatus("idle"), 5000, "the other client's welcome");
    expect((await other.request("ping")).type).toBe("pong");
    expect((await health(srv))["clients"]).toBe(1);
  });
}

/** auto_reconnect must be a boolean or 0/1; a processing error echoes the request id. */
export async function clumsyParameters(runtime: Runtime): Promise<void> {
  await withServer(runtime, [], async (_srv, open) => {
    const { c } = await openWelcomed(open);
    for (const bad of ["false", "true", 2, [true], { on: 1 }]) {
      const r = await c.request("connect", { auto_reconnect: bad });
      expectError(r, "INVALID_PARAMETERS", r.id);
      expect(String(r.data["message"])).toContain("auto_reconnect");
    }
    const st = await c.request("status");
    expect(st.data).toMatchObject({
      device_state: "idle",
      auto_reconnect: false,
      has_control: false,
    });
    expect(c.messages.some(isStatus("connecting"))).toBe(false);

    c.send({ id: "abc", type: "connect", data: "yes" });
    expectError(await c.next((m) => m.type === "error"), "MESSAGE_PROCESSING_ERROR", "abc");
    c.send({ id: 0, type: "connect", data: [1] }); // a falsy id still gets a fresh one
    const fresh = await c.next((m: Msg) => m.type === "error");
    expectError(fresh, "MESSAGE_PROCESSING_ERROR");
    expect(fresh.id).toMatch(UUID);

    const ack = await c.request("connect", { auto_reconnect: 1 });
    expect(ack.data).toMatchObject({ command: "connect", auto_reconnect: 1 });
    await c.next(isStatus("connected"));
    expect((await c.request("status")).data["auto_reconnect"]).toBe(true);
    await c.request("disconnect");
    await c.next(isStatus("idle"));
    const off = await c.request("connect", { auto_reconnect: false });
    expect(off.type).toBe("command_ack");
    expect((await c.request("status")).data["auto_reconnect"]).toBe(false);
  });
}

/**
 * 200 connections that never finish their request (half an HTTP GET, half a WebSocket upgrade)
 * are dropped by the server within 10 s (+ the runtime's timer granularity); a real client still
 * gets in meanwhile.
 */
export async function halfSentRequests(runtime: Runtime): Promise<void> {
  await withServer(runtime, [], async (srv, open) => {
    const started = Date.now();
    const closedAfter: number[] = [];
    let connected = 0;
    const sockets = Array.from({ length: 200 }, (_, i) => {
      const s = tcpConnect({ host: "127.0.0.1", port: srv.port });
      s.on("connect", () => {
        connected++;
        s.write(
          i % 2 === 0
            ? "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            : "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
        );
      });
      s.on("data", () => {}); // a 408 answer is fine; only the close counts
      s.on("error", () => {});
      s.on("close", () => closedAfter.push(Date.now() - started));
      return s;
    });
    try {
      // every half request is in before the real client comes (a local connect takes ms)
      await waitUntil(() => connected === sockets.length, 5000, "200 half-sent requests");
      const { c } = await openWelcomed(open);
      expect((await c.request("ping")).type).toBe("pong");
      // the server's deadline is 10 s; 16 s leaves 6 s for its timer sweep and a loaded machine
      await waitUntil(
        () => closedAfter.length === sockets.length,
        16_000 - (Date.now() - started),
        "every half request dropped",
      )
        .catch(() => {});
      expect(closedAfter.length).toBe(sockets.length);
      // dropped by the deadline, not refused at once: half the 10-s deadline can't be a refusal
      expect(Math.min(...closedAfter)).toBeGreaterThan(5000);
      expect((await health(srv))["clients"]).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
}
